//! Comments (docs/schema.md "Comments"): threads merge as sets, resolved stays resolved when an
//! offline reply arrives, a concurrent reopen wins, bounds refuse on write and clip on read,
//! hostile text is cleaned, own comments only.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc};
use caucus_model::comments::{
    CommentTarget, MAX_COMMENT_CHARS, MAX_DEPTH, NewComment, add_comment_with_id, delete_comment,
    edit_comment, read_comments, set_follow, set_thread_resolved, set_urgent, threads,
    track_follow_key,
};
use caucus_model::{
    ModelError, NewTask, add_task_with_id, commit_edit, export_json, read_analysis,
};

use crate::common::{at, by, replica, small_analysis};

fn on_position(text: &str) -> NewComment {
    NewComment {
        target: CommentTarget::Position {
            country: "BR".into(),
            item: "res-102".into(),
        },
        parent: None,
        text: text.into(),
        urgent: false,
        mentions: vec![],
    }
}

fn reply(parent: &str, text: &str) -> NewComment {
    NewComment {
        parent: Some(parent.into()),
        ..on_position(text)
    }
}

#[test]
fn two_people_replying_at_once_keep_both_replies_in_one_thread() {
    let mut doc = small_analysis();
    add_comment_with_id(
        &mut doc,
        "c1",
        &by("alice", 1),
        &on_position("Source for BR?"),
    )
    .unwrap();
    commit_edit(&mut doc, "comment", &at(10, 1));
    let mut bob = replica(&mut doc, 0xb0, "bob");
    let mut carol = replica(&mut doc, 0xc0, "carol");
    add_comment_with_id(
        &mut bob,
        "r-bob",
        &by("bob", 2),
        &reply("c1", "Their statement in COM5"),
    )
    .unwrap();
    commit_edit(&mut bob, "reply", &at(10, 2));
    add_comment_with_id(
        &mut carol,
        "r-carol",
        &by("carol", 3),
        &reply("c1", "Doc 45, para 3"),
    )
    .unwrap();
    commit_edit(&mut carol, "reply", &at(10, 3));
    doc.merge(&mut bob).unwrap();
    doc.merge(&mut carol).unwrap();
    let comments = read_comments(&doc).unwrap();
    assert_eq!(comments.len(), 3);
    let all = threads(&comments);
    assert_eq!(all.len(), 1);
    let order: Vec<(&str, usize)> = all[0]
        .comments
        .iter()
        .map(|(id, d)| (id.as_str(), *d))
        .collect();
    assert_eq!(order, [("c1", 0), ("r-bob", 1), ("r-carol", 1)]);
    assert_eq!(
        comments["r-carol"].country, "BR",
        "a reply takes its thread's target"
    );
    assert_eq!(comments["r-carol"].on, "position");
}

#[test]
fn a_resolved_thread_stays_resolved_when_an_offline_reply_arrives_and_shows_it() {
    let mut doc = small_analysis();
    add_comment_with_id(
        &mut doc,
        "c1",
        &by("alice", 1),
        &on_position("Who covers BR?"),
    )
    .unwrap();
    commit_edit(&mut doc, "comment", &at(10, 1));
    let mut offline = replica(&mut doc, 0xb0, "bob");
    set_thread_resolved(&mut doc, "c1", &by("alice", 5), true).unwrap();
    commit_edit(&mut doc, "resolve", &at(10, 5));
    add_comment_with_id(
        &mut offline,
        "late",
        &by("bob", 9),
        &reply("c1", "I can, after COM5"),
    )
    .unwrap();
    commit_edit(&mut offline, "reply", &at(10, 9));
    doc.merge(&mut offline).unwrap();
    let comments = read_comments(&doc).unwrap();
    let thread = &threads(&comments)[0];
    assert!(thread.resolved);
    assert_eq!(thread.replies_after_resolved, 1);
    assert_eq!(thread.comments.len(), 2, "the reply is there, not dropped");
}

#[test]
fn resolve_and_reopen_at_the_same_time_reads_as_open_until_settled() {
    let mut doc = small_analysis();
    add_comment_with_id(&mut doc, "c1", &by("alice", 1), &on_position("Check BR")).unwrap();
    set_thread_resolved(&mut doc, "c1", &by("alice", 1), true).unwrap();
    commit_edit(&mut doc, "comment", &at(10, 1));
    let mut bob = replica(&mut doc, 0xb0, "bob");
    let mut carol = replica(&mut doc, 0xc0, "carol");
    set_thread_resolved(&mut bob, "c1", &by("bob", 2), false).unwrap();
    commit_edit(&mut bob, "reopen", &at(10, 2));
    set_thread_resolved(&mut carol, "c1", &by("carol", 2), false).unwrap();
    set_thread_resolved(&mut carol, "c1", &by("carol", 3), true).unwrap();
    commit_edit(&mut carol, "reopen then resolve", &at(10, 3));
    doc.merge(&mut bob).unwrap();
    doc.merge(&mut carol).unwrap();
    assert!(!read_comments(&doc).unwrap()["c1"].resolved, "reopen wins");
    set_thread_resolved(&mut doc, "c1", &by("alice", 9), true).unwrap();
    commit_edit(&mut doc, "settle", &at(10, 9));
    assert!(read_comments(&doc).unwrap()["c1"].resolved);
}

#[test]
fn only_the_author_edits_or_deletes_and_a_deleted_comment_keeps_its_replies() {
    let mut doc = small_analysis();
    let mut bob = replica(&mut doc, 0xb0, "bob");
    add_comment_with_id(
        &mut bob,
        "c1",
        &by("bob", 1),
        &on_position("BR will oppose"),
    )
    .unwrap();
    add_comment_with_id(
        &mut bob,
        "r1",
        &by("bob", 2),
        &reply("c1", "per their delegate"),
    )
    .unwrap();
    commit_edit(&mut bob, "comments", &at(10, 2));
    doc.merge(&mut bob).unwrap();
    let refused = edit_comment(&mut doc, "c1", &by("alice", 3), "changed", &[]);
    assert!(
        matches!(refused, Err(ModelError::InvalidComment(_))),
        "{refused:?}"
    );
    edit_comment(&mut bob, "c1", &by("bob", 4), "BR will oppose Res 102", &[]).unwrap();
    delete_comment(&mut bob, "r1", &by("bob", 5)).unwrap();
    commit_edit(&mut bob, "edit + delete", &at(10, 5));
    let comments = read_comments(&bob).unwrap();
    assert_eq!(comments["c1"].text, "BR will oppose Res 102");
    assert_eq!(comments["c1"].edited, at(10, 4).as_str());
    assert!(comments["r1"].deleted);
    assert_eq!(comments["r1"].text, "");
    assert!(edit_comment(&mut bob, "r1", &by("bob", 6), "again", &[]).is_err());
}

#[test]
fn bounds_are_refused_on_write_and_clipped_on_read() {
    let mut doc = small_analysis();
    let long = "x".repeat(MAX_COMMENT_CHARS + 1);
    assert!(add_comment_with_id(&mut doc, "c", &by("alice", 1), &on_position(&long)).is_err());
    assert!(add_comment_with_id(&mut doc, "c", &by("alice", 1), &on_position("  \n ")).is_err());
    let too_many = NewComment {
        mentions: (0..21).map(|n| format!("m{n}")).collect(),
        ..on_position("hi")
    };
    assert!(add_comment_with_id(&mut doc, "c", &by("alice", 1), &too_many).is_err());
    let unknown = NewComment {
        mentions: vec!["nobody".into()],
        ..on_position("hi")
    };
    assert!(matches!(
        add_comment_with_id(&mut doc, "c", &by("alice", 1), &unknown),
        Err(ModelError::UnknownMember(_))
    ));
    let mut parent = "c0".to_owned();
    add_comment_with_id(&mut doc, &parent, &by("alice", 1), &on_position("depth 0")).unwrap();
    for depth in 1..=MAX_DEPTH {
        let id = format!("c{depth}");
        add_comment_with_id(&mut doc, &id, &by("alice", 1), &reply(&parent, "deeper")).unwrap();
        parent = id;
    }
    let too_deep = add_comment_with_id(&mut doc, "cx", &by("alice", 1), &reply(&parent, "x"));
    assert!(
        matches!(too_deep, Err(ModelError::InvalidComment(_))),
        "{too_deep:?}"
    );
    // a hand-made client writes a huge text, bidi overrides and a deeper reply anyway
    let comments = doc.get(ROOT, "comments").unwrap().unwrap().1;
    let hostile = doc
        .put_object(&comments, "h", automerge::ObjType::Map)
        .unwrap();
    let text = format!("\u{202E}gnp.exe{}", "y".repeat(10_000));
    doc.put(&hostile, "text", text).unwrap();
    doc.put(&hostile, "parent", parent.as_str()).unwrap();
    doc.put(&hostile, "on", "<script>").unwrap();
    commit_edit(&mut doc, "hostile", &at(10, 2));
    let read = read_comments(&doc).unwrap();
    assert_eq!(read["h"].text.chars().count(), MAX_COMMENT_CHARS);
    assert!(read["h"].text.starts_with("gnp.exe") && read["h"].text.ends_with('…'));
    assert_eq!(read["h"].on, "analysis");
    let thread = &threads(&read)[0];
    assert_eq!(
        thread.comments.last().map(|(id, d)| (id.as_str(), *d)),
        Some(("h", MAX_DEPTH))
    );
}

#[test]
fn a_cycle_of_parents_is_one_thread_and_does_not_hang() {
    let mut doc = small_analysis();
    let comments = doc
        .put_object(ROOT, "comments", automerge::ObjType::Map)
        .unwrap();
    for (id, parent) in [("a", "b"), ("b", "a"), ("c", "a")] {
        let entry = doc
            .put_object(&comments, id, automerge::ObjType::Map)
            .unwrap();
        doc.put(&entry, "parent", parent).unwrap();
        doc.put(&entry, "text", id).unwrap();
    }
    commit_edit(&mut doc, "cycle", &at(10, 1));
    let all = threads(&read_comments(&doc).unwrap());
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].root, "a");
    assert_eq!(all[0].comments.len(), 3);
}

#[test]
fn comments_on_tasks_urgent_flags_follows_and_the_json_export() {
    let mut doc = small_analysis();
    let task = NewTask {
        title: "Catch BR's delegate".into(),
        ..NewTask::default()
    };
    add_task_with_id(&mut doc, "t1", &task).unwrap();
    let urgent = NewComment {
        target: CommentTarget::Task("t1".into()),
        urgent: true,
        mentions: vec!["alice".into(), "track:COM5".into(), "alice".into()],
        ..on_position("Someone to room B now")
    };
    add_comment_with_id(&mut doc, "u1", &by("alice", 1), &urgent).unwrap();
    let missing = NewComment {
        target: CommentTarget::Task("nope".into()),
        ..on_position("x")
    };
    assert!(matches!(
        add_comment_with_id(&mut doc, "u2", &by("alice", 1), &missing),
        Err(ModelError::UnknownTask(_))
    ));
    set_follow(&mut doc, "alice", &track_follow_key("COM5"), true).unwrap();
    commit_edit(&mut doc, "urgent", &at(10, 1));
    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.comments["u1"].mentions, ["alice", "track:COM5"]);
    assert_eq!(view.comments["u1"].task, "t1");
    assert!(threads(&view.comments)[0].urgent);
    assert_eq!(view.members["alice"].follows.get("track:COM5"), Some(&true));
    let json = export_json(&doc).unwrap();
    assert_eq!(json["comments"]["u1"]["urgent"], true);
    assert_eq!(json["members"]["alice"]["follows"]["track:COM5"], true);
    set_urgent(&mut doc, "u1", false).unwrap();
    commit_edit(&mut doc, "handled", &at(10, 2));
    assert!(!threads(&read_comments(&doc).unwrap())[0].urgent);
    let empty = export_json(&small_analysis()).unwrap();
    assert!(
        empty.get("comments").is_none(),
        "no `comments` key without comments"
    );
}

#[test]
fn replying_to_a_missing_comment_is_refused() {
    let mut doc: AutoCommit = small_analysis();
    let refused = add_comment_with_id(&mut doc, "r", &by("alice", 1), &reply("ghost", "hi"));
    assert!(matches!(refused, Err(ModelError::UnknownComment(_))));
    assert!(
        doc.get(ROOT, "comments").unwrap().is_none(),
        "nothing written"
    );
}

/// The cross-language fixture `tests/fixtures/comments-v1.*`: threads written concurrently by
/// three people, an offline reply after a resolve, a resolve/reopen conflict, an urgent task
/// comment with mentions, follows, and what a hostile client could write (a huge text with a
/// bidi override, an unknown target kind, an entry that is not a map). The web client's
/// `exportJsonPretty` of the `.automerge` must equal the `.json` byte for byte.
fn comments_fixture() -> AutoCommit {
    let mut doc = small_analysis();
    let task = NewTask {
        title: "Catch BR's delegate after COM5".into(),
        track: "COM5".into(),
        ..NewTask::default()
    };
    add_task_with_id(&mut doc, "t1", &task).unwrap();
    add_comment_with_id(
        &mut doc,
        "c1",
        &by("alice", 1),
        &on_position("Source for BR's support?"),
    )
    .unwrap();
    add_comment_with_id(
        &mut doc,
        "c2",
        &by("alice", 2),
        &on_position("Who covers BR today?"),
    )
    .unwrap();
    set_thread_resolved(&mut doc, "c2", &by("alice", 2), true).unwrap();
    commit_edit(&mut doc, "threads", &at(10, 2));
    let mut bob = replica(&mut doc, 0xb0, "bob");
    let mut carol = replica(&mut doc, 0xc0, "carol");
    add_comment_with_id(
        &mut bob,
        "r-bob",
        &by("bob", 3),
        &reply("c1", "Their COM5 statement, para 3"),
    )
    .unwrap();
    set_thread_resolved(&mut bob, "c2", &by("bob", 3), false).unwrap();
    set_follow(&mut bob, "bob", &track_follow_key("COM5"), true).unwrap();
    commit_edit(&mut bob, "bob", &at(10, 3));
    add_comment_with_id(
        &mut carol,
        "r-carol",
        &by("carol", 4),
        &reply("c1", "Also Doc 45 — منشور"),
    )
    .unwrap();
    add_comment_with_id(
        &mut carol,
        "r-carol-2",
        &by("carol", 5),
        &reply("r-carol", "@bob can you confirm?"),
    )
    .unwrap();
    commit_edit(&mut carol, "carol", &at(10, 5));
    doc.merge(&mut bob).unwrap();
    let urgent = NewComment {
        target: CommentTarget::Task("t1".into()),
        urgent: true,
        mentions: vec!["bob".into(), "track:COM5".into()],
        ..on_position("Someone to room B now: BR's delegate is free")
    };
    add_comment_with_id(&mut doc, "u1", &by("alice", 6), &urgent).unwrap();
    let on_item = NewComment {
        target: CommentTarget::Item("res-130".into()),
        ..on_position("Drafting group at 15:00")
    };
    add_comment_with_id(&mut doc, "i1", &by("alice", 7), &on_item).unwrap();
    let whole = NewComment {
        target: CommentTarget::Analysis,
        ..on_position("Weekly call moved to Thursday")
    };
    add_comment_with_id(&mut doc, "a1", &by("alice", 8), &whole).unwrap();
    edit_comment(
        &mut doc,
        "a1",
        &by("alice", 9),
        "Weekly call moved to Friday",
        &["bob".into()],
    )
    .unwrap();
    commit_edit(&mut doc, "alice", &at(10, 9));
    doc.merge(&mut carol).unwrap();
    let comments = doc.get(ROOT, "comments").unwrap().unwrap().1;
    let hostile = doc
        .put_object(&comments, "h1", automerge::ObjType::Map)
        .unwrap();
    doc.put(&hostile, "on", "<img src=x onerror=alert(1)>")
        .unwrap();
    doc.put(
        &hostile,
        "text",
        format!(
            "\u{202E}<script>alert(1)</script>\u{2066}{}",
            "z".repeat(5_000)
        ),
    )
    .unwrap();
    doc.put(
        &hostile,
        "mentions",
        (0..30)
            .map(|n| format!("m{n}"))
            .collect::<Vec<_>>()
            .join(" "),
    )
    .unwrap();
    doc.put(&hostile, "by", "mallory").unwrap();
    doc.put(&comments, "junk", "not a map").unwrap();
    commit_edit(&mut doc, "hostile", &at(11, 0));
    doc
}

#[test]
fn comments_fixture_matches_model() {
    let mut doc = comments_fixture();
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let bytes = doc.save();
    let json = caucus_model::export_json_pretty(&doc).unwrap();
    let view = read_analysis(&doc).unwrap();
    assert!(
        !view.comments["c2"].resolved,
        "bob's reopen wins over the resolve"
    );
    assert_eq!(view.comments.len(), 9, "junk is left out");
    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|value| value == "1") {
        std::fs::write(dir.join("comments-v1.automerge"), &bytes).unwrap();
        std::fs::write(dir.join("comments-v1.json"), &json).unwrap();
    }
    let hint = "run `UPDATE_FIXTURES=1 cargo test -p caucus-model comments_fixture` to rewrite it";
    let stored = std::fs::read(dir.join("comments-v1.automerge")).expect(hint);
    let loaded = automerge::AutoCommit::load(&stored).unwrap();
    assert_eq!(
        caucus_model::export_json_pretty(&loaded).unwrap(),
        json,
        "{hint}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("comments-v1.json")).expect(hint),
        json,
        "{hint}"
    );
}

#[test]
fn comments_travel_in_a_change_file_and_show_in_the_json_export_of_the_receiver() {
    let mut hall = small_analysis();
    let mut remote = hall.fork();
    let before = hall.get_heads();
    add_comment_with_id(
        &mut hall,
        "c1",
        &by("alice", 1),
        &on_position("Brazil's delegate is free after COM5"),
    )
    .unwrap();
    commit_edit(&mut hall, "comment", &at(10, 1));
    let id = [7u8; 16];
    let file = caucus_model::changefile::export_changes(hall.document(), &id, &before).unwrap();
    let mut received = remote.document().clone();
    caucus_model::changefile::import_changes(&mut received, &id, &file).unwrap();
    let json = export_json(&received).unwrap();
    assert_eq!(
        json["comments"]["c1"]["text"],
        "Brazil's delegate is free after COM5"
    );
    remote.merge(&mut hall).unwrap();
    assert_eq!(read_comments(&remote).unwrap().len(), 1);
}
