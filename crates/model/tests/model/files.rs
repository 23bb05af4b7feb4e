//! File references (docs/schema.md "Files (conference documents)"): the union of concurrently
//! created lists, de-duplication by hash, removal across lists, a remove never taking a
//! concurrent add with it, refused input, `referenced_files`, and the cross-language fixture
//! `tests/fixtures/files-v1.*`.

use std::path::PathBuf;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use caucus_model::{
    Attribution, FilePlace, FileRef, ModelError, NewTask, add_file, add_task_with_id, commit_edit,
    conflicts, export_json_pretty, files_at, read_analysis, referenced_files, remove_file,
};
use sha2::{Digest, Sha256};

use crate::common::{at, by, replica, small_analysis, small_template};

const TASK_ID: &str = "9b2f6c1a-4d3e-4f5a-8b7c-0e1d2c3b4a59";

/// The SHA-256 of `content`, as the relay would name those bytes.
fn hash(content: &str) -> String {
    Sha256::digest(content.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A reference to the file whose bytes are `content`, added by `member` at 10:`minute`.
fn file(content: &str, name: &str, member: &str, minute: u32) -> FileRef {
    FileRef {
        hash: hash(content),
        name: name.into(),
        mime_type: "application/pdf".into(),
        size: u64::try_from(content.len()).unwrap(),
        added_by: member.into(),
        added_at: at(10, minute).as_str().into(),
        device: None,
    }
}

fn item(id: &str) -> FilePlace {
    FilePlace::Item(id.into())
}

fn position(country: &str, item: &str) -> FilePlace {
    FilePlace::Position {
        country: country.into(),
        item: item.into(),
    }
}

/// The list objects under `items[id].files`, in automerge operation order.
fn item_lists(doc: &AutoCommit, id: &str) -> Vec<ObjId> {
    let (_, items) = doc.get(ROOT, "items").unwrap().unwrap();
    let (_, entry) = doc.get(&items, id).unwrap().unwrap();
    doc.get_all(&entry, "files")
        .unwrap()
        .into_iter()
        .map(|(value, list)| {
            assert!(matches!(value, Value::Object(ObjType::List)));
            list
        })
        .collect()
}

fn names(files: &[FileRef]) -> Vec<&str> {
    files.iter().map(|file| file.name.as_str()).collect()
}

/// Alice and Bob, each on their own replica of one analysis, both attach a file to `res-102`
/// before hearing of each other: two `files` lists under one key.
fn two_lists() -> (AutoCommit, AutoCommit) {
    let mut base = small_analysis();
    let mut alice = replica(&mut base, 0xa1, "alice2");
    let mut bob = replica(&mut base, 0xbb, "bob");
    add_file(
        &mut alice,
        &item("res-102"),
        &file("a", "draft.pdf", "alice2", 1),
    )
    .unwrap();
    commit_edit(&mut alice, "attach draft", &at(10, 1));
    add_file(
        &mut bob,
        &item("res-102"),
        &file("b", "amendments.pdf", "bob", 2),
    )
    .unwrap();
    commit_edit(&mut bob, "attach amendments", &at(10, 2));
    alice.merge(&mut bob).unwrap();
    bob.merge(&mut alice).unwrap();
    (alice, bob)
}

#[test]
fn concurrently_created_lists_are_read_as_their_union_and_are_no_conflict() {
    let (alice, bob) = two_lists();
    for doc in [&alice, &bob] {
        assert_eq!(item_lists(doc, "res-102").len(), 2, "two list objects");
        let files = files_at(doc, &item("res-102")).unwrap();
        assert_eq!(names(&files), ["draft.pdf", "amendments.pdf"]);
        assert_eq!(read_analysis(doc).unwrap().items["res-102"].files, files);
        assert_eq!(
            conflicts(doc).unwrap(),
            [],
            "a union hides nothing to resolve"
        );
    }
}

#[test]
fn a_later_file_goes_to_the_winning_list_and_nothing_is_replaced() {
    let (mut alice, _) = two_lists();
    let before = item_lists(&alice, "res-102");
    add_file(
        &mut alice,
        &item("res-102"),
        &file("c", "later.pdf", "alice2", 9),
    )
    .unwrap();
    commit_edit(&mut alice, "attach later", &at(10, 9));
    let after = item_lists(&alice, "res-102");
    assert_eq!(after, before, "the same list objects");
    let winner = after.last().unwrap();
    assert_eq!(alice.length(winner), 2);
    let files = files_at(&alice, &item("res-102")).unwrap();
    assert_eq!(names(&files), ["draft.pdf", "amendments.pdf", "later.pdf"]);
}

#[test]
fn one_hash_is_one_file_the_earliest_kept_ties_to_the_winners_list() {
    let mut base = small_analysis();
    let mut alice = replica(&mut base, 0xa1, "alice2");
    let mut bob = replica(&mut base, 0xbb, "bob");
    // The same bytes attached twice at once: Bob's a minute earlier.
    add_file(
        &mut alice,
        &item("res-102"),
        &file("same", "alice.pdf", "alice2", 5),
    )
    .unwrap();
    add_file(
        &mut bob,
        &item("res-102"),
        &file("same", "bob.pdf", "bob", 4),
    )
    .unwrap();
    // And other bytes at the very same time.
    add_file(
        &mut alice,
        &item("res-102"),
        &file("tie", "tie-alice.pdf", "alice2", 6),
    )
    .unwrap();
    add_file(
        &mut bob,
        &item("res-102"),
        &file("tie", "tie-bob.pdf", "bob", 6),
    )
    .unwrap();
    commit_edit(&mut alice, "attach", &at(10, 6));
    commit_edit(&mut bob, "attach", &at(10, 6));
    alice.merge(&mut bob).unwrap();

    let files = files_at(&alice, &item("res-102")).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].name, "bob.pdf");
    assert_eq!(files[0].added_by, "bob");
    let lists = item_lists(&alice, "res-102");
    let winner = lists.last().unwrap();
    let (_, first) = alice.get(winner, 1).unwrap().unwrap();
    let (winner_name, _) = alice.get(&first, "name").unwrap().unwrap();
    assert_eq!(
        winner_name.into_string().unwrap(),
        files[1].name,
        "a tie goes to the winning list's entry"
    );
    // Adding bytes already attached at the place writes nothing.
    let heads = alice.get_heads();
    add_file(
        &mut alice,
        &item("res-102"),
        &file("same", "again.pdf", "alice2", 9),
    )
    .unwrap();
    assert_eq!(commit_edit(&mut alice, "again", &at(10, 9)), None);
    assert_eq!(alice.get_heads(), heads);
}

#[test]
fn removing_deletes_the_hash_from_every_conflicting_list() {
    let mut base = small_analysis();
    let mut alice = replica(&mut base, 0xa1, "alice2");
    let mut bob = replica(&mut base, 0xbb, "bob");
    add_file(
        &mut alice,
        &item("res-102"),
        &file("x", "x.pdf", "alice2", 1),
    )
    .unwrap();
    add_file(
        &mut alice,
        &item("res-102"),
        &file("keep", "keep.pdf", "alice2", 1),
    )
    .unwrap();
    commit_edit(&mut alice, "attach", &at(10, 1));
    add_file(
        &mut bob,
        &item("res-102"),
        &file("x", "x-too.pdf", "bob", 2),
    )
    .unwrap();
    commit_edit(&mut bob, "attach", &at(10, 2));
    alice.merge(&mut bob).unwrap();

    remove_file(&mut alice, &by("alice2", 3), &item("res-102"), &hash("x")).unwrap();
    commit_edit(&mut alice, "detach x", &at(10, 3));
    assert_eq!(
        names(&files_at(&alice, &item("res-102")).unwrap()),
        ["keep.pdf"]
    );
    let left: usize = item_lists(&alice, "res-102")
        .iter()
        .map(|list| alice.length(list))
        .sum();
    assert_eq!(left, 1, "no entry with the hash is left in any list");
    // Removing it again, or something never attached, is refused.
    let again = remove_file(&mut alice, &by("alice2", 4), &item("res-102"), &hash("x"));
    assert!(
        matches!(again, Err(ModelError::UnknownFile { .. })),
        "{again:?}"
    );
    let missing = remove_file(&mut alice, &by("alice2", 4), &item("dec-12"), &hash("x"));
    assert!(
        matches!(missing, Err(ModelError::UnknownFile { .. })),
        "{missing:?}"
    );
}

#[test]
fn a_remove_concurrent_with_an_add_of_the_same_hash_leaves_the_add() {
    let mut base = small_analysis();
    let mut ana = replica(&mut base, 0xa1, "ana");
    let mut carol = replica(&mut base, 0xcc, "carol");
    add_file(&mut ana, &item("res-130"), &file("x", "ana.pdf", "ana", 1)).unwrap();
    commit_edit(&mut ana, "attach", &at(10, 1));
    // Bob has Ana's file and removes it, while Carol, not having heard of it, attaches it.
    let mut bob = replica(&mut ana, 0xbb, "bob");
    remove_file(&mut bob, &by("bob", 3), &item("res-130"), &hash("x")).unwrap();
    commit_edit(&mut bob, "detach", &at(10, 3));
    add_file(
        &mut carol,
        &item("res-130"),
        &file("x", "carol.pdf", "carol", 2),
    )
    .unwrap();
    commit_edit(&mut carol, "attach", &at(10, 2));

    bob.merge(&mut carol).unwrap();
    carol.merge(&mut bob).unwrap();
    ana.merge(&mut bob).unwrap();
    for doc in [&ana, &bob, &carol] {
        assert_eq!(
            names(&files_at(doc, &item("res-130")).unwrap()),
            ["carol.pdf"]
        );
    }
}

#[test]
fn malformed_references_are_refused_and_stage_nothing() {
    let mut doc = small_analysis();
    let good = file("a", "a.pdf", "alice", 1);
    let cases: Vec<(FileRef, &str)> = vec![
        (
            FileRef {
                hash: good.hash.to_uppercase(),
                ..good.clone()
            },
            "hash",
        ),
        (
            FileRef {
                hash: good.hash[..63].into(),
                ..good.clone()
            },
            "hash",
        ),
        (
            FileRef {
                hash: format!("{}g", &good.hash[..63]),
                ..good.clone()
            },
            "hash",
        ),
        (
            FileRef {
                name: "é".repeat(256),
                ..good.clone()
            },
            "name",
        ),
        (
            FileRef {
                name: String::new(),
                ..good.clone()
            },
            "name",
        ),
        (
            FileRef {
                device: Some(String::new()),
                ..good.clone()
            },
            "device",
        ),
        (
            FileRef {
                added_by: "nobody".into(),
                ..good.clone()
            },
            "member",
        ),
        (
            FileRef {
                added_at: "yesterday".into(),
                ..good.clone()
            },
            "time",
        ),
    ];
    for (bad, what) in cases {
        let result = add_file(&mut doc, &FilePlace::Analysis, &bad);
        let expected = match (what, &result) {
            ("hash", Err(ModelError::InvalidFileHash(_)))
            | ("member", Err(ModelError::UnknownMember(_)))
            | ("time", Err(ModelError::InvalidTimestamp(_))) => true,
            (field, Err(ModelError::InvalidFileField { field: got, .. })) => field == *got,
            _ => false,
        };
        assert!(expected, "{what}: {result:?}");
        assert_eq!(doc.pending_ops(), 0, "{what}: nothing staged");
    }
    let fine = FileRef {
        name: "é".repeat(255),
        ..good.clone()
    };
    add_file(&mut doc, &FilePlace::Analysis, &fine).unwrap();
    let unknown_item = add_file(&mut doc, &item("res-999"), &good);
    assert!(matches!(unknown_item, Err(ModelError::UnknownItem(_))));
    let unknown_task = add_file(&mut doc, &FilePlace::Task("nope".into()), &good);
    assert!(matches!(unknown_task, Err(ModelError::UnknownTask(_))));
    let bad_remove = remove_file(&mut doc, &by("alice", 2), &FilePlace::Analysis, "ABC");
    assert!(matches!(bad_remove, Err(ModelError::InvalidFileHash(_))));
}

#[test]
fn a_file_on_a_missing_position_creates_it_and_stamps_it() {
    let mut doc = small_analysis();
    let (_, countries) = doc.get(ROOT, "countries").unwrap().unwrap();
    let (_, brazil) = doc.get(&countries, "BR").unwrap().unwrap();
    let (_, positions) = doc.get(&brazil, "positions").unwrap().unwrap();
    doc.delete(&positions, "res-102").unwrap();
    commit_edit(&mut doc, "lose a position", &at(9, 30));

    let mut attached = file("p", "statement.pdf", "alice", 7);
    attached.device = Some("Firefox on Android".into());
    add_file(&mut doc, &position("BR", "res-102"), &attached).unwrap();
    commit_edit(&mut doc, "attach", &at(10, 7));
    let view = read_analysis(&doc).unwrap();
    let stamped = &view.countries["BR"].positions["res-102"];
    assert_eq!(stamped.files, [attached.clone()]);
    assert_eq!(stamped.updated_by, "alice");
    assert_eq!(stamped.updated_at, "2026-11-09T10:07:00Z");

    remove_file(
        &mut doc,
        &by("alice", 8),
        &position("BR", "res-102"),
        &attached.hash,
    )
    .unwrap();
    commit_edit(&mut doc, "detach", &at(10, 8));
    let view = read_analysis(&doc).unwrap();
    let stamped = &view.countries["BR"].positions["res-102"];
    assert!(stamped.files.is_empty());
    assert_eq!(stamped.updated_at, "2026-11-09T10:08:00Z");
}

#[test]
fn referenced_files_lists_every_place_of_every_hash() {
    let mut doc = small_analysis();
    add_task_with_id(&mut doc, TASK_ID, &NewTask::default()).unwrap();
    let shared = file("shared", "shared.pdf", "alice", 1);
    add_file(&mut doc, &FilePlace::Analysis, &shared).unwrap();
    add_file(&mut doc, &item("dec-12"), &file("i", "i.pdf", "alice", 2)).unwrap();
    add_file(&mut doc, &position("KE", "res-130"), &shared).unwrap();
    add_file(
        &mut doc,
        &FilePlace::Task(TASK_ID.into()),
        &file("t", "t.pdf", "alice", 3),
    )
    .unwrap();
    commit_edit(&mut doc, "attach", &at(10, 3));

    let found = referenced_files(&doc).unwrap();
    let mut expected_hashes = vec![hash("shared"), hash("i"), hash("t")];
    expected_hashes.sort();
    assert_eq!(found.keys().cloned().collect::<Vec<_>>(), expected_hashes);
    let places: Vec<&FilePlace> = found[&hash("shared")].iter().map(|(p, _)| p).collect();
    assert_eq!(places, [&FilePlace::Analysis, &position("KE", "res-130")]);
    assert_eq!(found[&hash("i")][0].0, item("dec-12"));
    assert_eq!(found[&hash("t")][0].0, FilePlace::Task(TASK_ID.into()));
    // The typed view shows each at its place, the root's as the analysis's.
    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.files, std::slice::from_ref(&shared));
    assert_eq!(view.tasks[TASK_ID].files.len(), 1);
    assert!(view.items["res-102"].files.is_empty());
}

// The cross-language fixture.

/// Puts a raw entry into the root's `files` list: what a careless or future writer might
/// leave, which readers must skip or read tolerantly.
fn put_raw_entries(doc: &mut AutoCommit) {
    let (_, list) = doc.get(ROOT, "files").unwrap().unwrap();
    let end = doc.length(&list);
    doc.insert(&list, end, "not a map").unwrap();
    let bad = doc.insert_object(&list, end + 1, ObjType::Map).unwrap();
    doc.put(&bad, "hash", hash("bad").to_uppercase()).unwrap();
    doc.put(&bad, "name", "uppercase-hash.pdf").unwrap();
    let odd = doc.insert_object(&list, end + 2, ObjType::Map).unwrap();
    doc.put(&odd, "hash", hash("odd")).unwrap();
    let name = doc.put_object(&odd, "name", ObjType::Text).unwrap();
    doc.splice_text(&name, 0, 0, "written-as-text.txt").unwrap();
    doc.put(&odd, "type", "text/plain").unwrap();
    doc.put(&odd, "size", ScalarValue::Int(42)).unwrap();
    doc.put(&odd, "addedBy", "alice").unwrap();
    doc.put(&odd, "addedAt", "2026-11-09T10:30:00Z").unwrap();
    doc.put(&odd, "futureKey", "kept, not shown").unwrap();
}

/// Alice and Bob attach files at all four places; both create `res-102`'s list at once and
/// attach one document twice (Bob a minute earlier), and two files share an `addedAt`.
fn build_fixture() -> AutoCommit {
    let mut alice =
        caucus_model::new_analysis(&small_template(), crate::common::actor(0xaa), &at(9, 0))
            .unwrap();
    caucus_model::register_member(&mut alice, "alice", "Alice Example", "Open Net Coalition")
        .unwrap();
    add_task_with_id(
        &mut alice,
        TASK_ID,
        &NewTask {
            title: "Read the Res 102 drafts".into(),
            track: "COM5".into(),
            ..NewTask::default()
        },
    )
    .unwrap();
    commit_edit(&mut alice, "Register Alice", &at(9, 5));
    let mut bob = replica(&mut alice, 0xbb, "bob");

    let mut agenda = file("agenda", "PP-26 provisional agenda.pdf", "alice", 0);
    agenda.device = Some("Firefox on Linux".into());
    add_file(&mut alice, &FilePlace::Analysis, &agenda).unwrap();
    put_raw_entries(&mut alice);
    commit_edit(&mut alice, "Attach the agenda", &at(10, 0));
    add_file(
        &mut alice,
        &item("res-102"),
        &file("rev1", "Res 102 rev1.pdf", "alice", 5),
    )
    .unwrap();
    add_file(
        &mut alice,
        &item("res-102"),
        &file("nine", "nine-alice.pdf", "alice", 9),
    )
    .unwrap();
    commit_edit(&mut alice, "Attach Res 102 drafts", &at(10, 9));

    add_file(
        &mut bob,
        &item("res-102"),
        &file("rev1", "DT-12 (rev1).pdf", "bob", 4),
    )
    .unwrap();
    let mut amendments = file("amend", "Amendments.docx", "bob", 9);
    amendments.mime_type =
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into();
    add_file(&mut bob, &item("res-102"), &amendments).unwrap();
    add_file(
        &mut bob,
        &item("res-102"),
        &file("nine", "nine-bob.pdf", "bob", 9),
    )
    .unwrap();
    commit_edit(&mut bob, "Attach Res 102 amendments", &at(10, 9));
    let mut photo = file("photo", "whiteboard.jpg", "bob", 12);
    photo.mime_type = "image/jpeg".into();
    photo.device = Some("Chrome on Android".into());
    add_file(&mut bob, &position("BR", "res-102"), &photo).unwrap();
    add_file(
        &mut bob,
        &FilePlace::Task(TASK_ID.into()),
        &file("rev1", "rev1.pdf", "bob", 13),
    )
    .unwrap();
    commit_edit(&mut bob, "Attach BR photo and task reading", &at(10, 13));

    alice.merge(&mut bob).unwrap();
    add_file(
        &mut alice,
        &FilePlace::Analysis,
        &file("gone", "wrong.pdf", "alice", 20),
    )
    .unwrap();
    commit_edit(&mut alice, "Attach the wrong file", &at(10, 20));
    remove_file(
        &mut alice,
        &by("alice", 21),
        &FilePlace::Analysis,
        &hash("gone"),
    )
    .unwrap();
    commit_edit(&mut alice, "Detach the wrong file", &at(10, 21));
    alice
}

fn fixture_path(extension: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../tests/fixtures/files-v1.{extension}"))
}

#[test]
fn the_files_fixture_shows_every_rule() {
    let doc = build_fixture();
    let view = read_analysis(&doc).unwrap();
    assert_eq!(
        names(&view.files),
        ["PP-26 provisional agenda.pdf", "written-as-text.txt"]
    );
    assert_eq!(view.files[1].size, 42);
    assert_eq!(item_lists(&doc, "res-102").len(), 2);
    let res_102 = &view.items["res-102"].files;
    assert_eq!(res_102.len(), 3);
    assert_eq!(res_102[0].name, "DT-12 (rev1).pdf", "Bob's was earlier");
    assert_eq!(
        res_102
            .iter()
            .filter(|file| file.added_at.ends_with("10:09:00Z"))
            .count(),
        2,
        "one of the two nine o'clock copies, and the amendments"
    );
    assert_eq!(view.countries["BR"].positions["res-102"].files.len(), 1);
    assert_eq!(view.countries["BR"].positions["res-102"].updated_by, "bob");
    assert_eq!(view.tasks[TASK_ID].files.len(), 1);
    assert_eq!(conflicts(&doc).unwrap(), []);
    let referenced = referenced_files(&doc).unwrap();
    assert_eq!(referenced.len(), 6, "{:?}", referenced.keys());
    assert_eq!(referenced[&hash("rev1")].len(), 2);
}

#[test]
fn files_fixture_matches_model() {
    let mut doc = build_fixture();
    let bytes = doc.save();
    let json = export_json_pretty(&doc).unwrap();
    let (bytes_path, json_path) = (fixture_path("automerge"), fixture_path("json"));
    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|value| value == "1") {
        std::fs::write(&bytes_path, &bytes).unwrap();
        std::fs::write(&json_path, &json).unwrap();
        return;
    }
    let hint = "run `UPDATE_FIXTURES=1 cargo test -p caucus-model files_fixture_matches_model` \
                to rewrite tests/fixtures/files-v1.* (and tell the web client: its tests read them)";
    let on_disk_json = std::fs::read_to_string(&json_path)
        .unwrap_or_else(|error| panic!("{}: {error}; {hint}", json_path.display()));
    let on_disk_bytes = std::fs::read(&bytes_path)
        .unwrap_or_else(|error| panic!("{}: {error}; {hint}", bytes_path.display()));
    assert!(
        on_disk_json == json,
        "{} differs; {hint}",
        json_path.display()
    );
    assert!(
        on_disk_bytes == bytes,
        "{} differs; {hint}",
        bytes_path.display()
    );
    let loaded = AutoCommit::load(&on_disk_bytes).unwrap();
    assert_eq!(export_json_pretty(&loaded).unwrap(), on_disk_json);
}

#[test]
fn attribution_of_a_file_is_its_adder() {
    // `add_file` takes who and when from the reference itself.
    let mut doc = small_analysis();
    let attached = file("a", "a.pdf", "alice", 1);
    add_file(&mut doc, &position("DE", "dec-12"), &attached).unwrap();
    let by_ref = Attribution::new("alice", at(10, 1));
    let view = read_analysis(&doc).unwrap();
    let stamped = &view.countries["DE"].positions["dec-12"];
    assert_eq!(
        (stamped.updated_by.as_str(), stamped.updated_at.as_str()),
        (by_ref.member_id.as_str(), by_ref.at.as_str())
    );
}
