//! Typed edits: what they write, the errors they give, and that they follow the rules.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use caucus_model::{
    Confidence, CountrySpec, CountryUpdate, ItemSpec, ItemUpdate, MeetingUpdate, ModelError,
    NewTask, Priority, Stance, TaskStatus, TextEdit, TrackSpec, add_country, add_item, add_source,
    add_task, add_task_with_id, assign_task, commit_edit, edit_country_contacts, edit_item_summary,
    edit_position_notes, edit_task_notes, read_analysis, register_member, remove_source,
    set_confidence, set_stance, set_task_status, set_task_title, set_task_track, set_task_when,
    set_title, set_track, update_country, update_item, update_meeting,
};

use crate::common::{actor, at, by, small_analysis};

fn obj(doc: &AutoCommit, path: &[&str]) -> ObjId {
    let mut current = ROOT;
    for key in path {
        current = match doc.get(&current, *key).unwrap() {
            Some((Value::Object(_), id)) => id,
            other => panic!("{key} is {other:?}"),
        };
    }
    current
}

#[test]
fn position_edits_write_the_stamp_in_the_same_change() {
    let mut doc = small_analysis();
    set_stance(&mut doc, &by("alice", 5), "BR", "res-102", Stance::Supports).unwrap();
    set_confidence(
        &mut doc,
        &by("alice", 5),
        "BR",
        "res-102",
        Confidence::Confirmed,
    )
    .unwrap();
    let hash = commit_edit(&mut doc, "BR supports Res 102", &at(10, 5)).unwrap();

    let position = obj(&doc, &["countries", "BR", "positions", "res-102"]);
    for key in ["stance", "confidence", "updatedBy", "updatedAt"] {
        let (_, op) = doc.get(&position, key).unwrap().unwrap();
        assert_eq!(
            doc.hash_for_opid(&op),
            Some(hash),
            "{key} was written in another change"
        );
    }
    let view = read_analysis(&doc).unwrap();
    let read = &view.countries["BR"].positions["res-102"];
    assert_eq!(
        (read.stance, read.confidence),
        (Stance::Supports, Confidence::Confirmed)
    );
    assert_eq!(
        (read.updated_by.as_str(), read.updated_at.as_str()),
        ("alice", "2026-11-09T10:05:00Z")
    );

    let change = doc.get_change_by_hash(&hash).unwrap();
    assert_eq!(change.timestamp(), at(10, 5).unix_seconds());
    assert_eq!(change.message(), Some("BR supports Res 102"));
}

#[test]
fn failed_edits_stage_nothing() {
    let mut doc = small_analysis();
    let alice = by("alice", 0);
    assert!(matches!(
        set_stance(&mut doc, &alice, "ZZ", "res-102", Stance::Opposes),
        Err(ModelError::UnknownCountry(code)) if code == "ZZ"
    ));
    assert!(matches!(
        set_stance(&mut doc, &alice, "BR", "res-999", Stance::Opposes),
        Err(ModelError::UnknownItem(id)) if id == "res-999"
    ));
    assert!(matches!(
        set_stance(
            &mut doc,
            &by("mallory", 0),
            "BR",
            "res-102",
            Stance::Opposes
        ),
        Err(ModelError::UnknownMember(_))
    ));
    assert!(matches!(
        edit_position_notes(
            &mut doc,
            &alice,
            "BR",
            "res-102",
            &TextEdit::Splice {
                pos: 1,
                delete: 0,
                insert: "x"
            }
        ),
        Err(ModelError::SpliceOutOfRange {
            pos: 1,
            delete: 0,
            len: 0
        })
    ));
    assert!(matches!(
        remove_source(&mut doc, &alice, "BR", "res-102", "nowhere"),
        Err(ModelError::UnknownSource { .. })
    ));
    assert!(matches!(
        assign_task(&mut doc, "no-such-task", "alice"),
        Err(ModelError::UnknownTask(_))
    ));
    assert!(matches!(
        add_item(
            &mut doc,
            &ItemSpec {
                id: "res-102".into(),
                code: String::new(),
                title: String::new(),
                track: String::new(),
                priority: Priority::Low,
                theme: String::new(),
                summary: String::new(),
            }
        ),
        Err(ModelError::AlreadyExists { kind: "item", .. })
    ));
    assert!(matches!(
        register_member(&mut doc, " bob", "Bob", ""),
        Err(ModelError::InvalidId { .. })
    ));
    assert_eq!(doc.pending_ops(), 0);
}

#[test]
fn text_is_edited_in_place() {
    let mut doc = small_analysis();
    let alice = by("alice", 0);
    let notes = obj(&doc, &["countries", "DE", "positions", "res-130", "notes"]);
    edit_position_notes(
        &mut doc,
        &alice,
        "DE",
        "res-130",
        &TextEdit::insert(0, "Backs the EU line."),
    )
    .unwrap();
    edit_position_notes(
        &mut doc,
        &alice,
        "DE",
        "res-130",
        &TextEdit::Splice {
            pos: 6,
            delete: 3,
            insert: "a common",
        },
    )
    .unwrap();
    commit_edit(&mut doc, "notes", &at(10, 0));
    assert_eq!(
        obj(&doc, &["countries", "DE", "positions", "res-130", "notes"]),
        notes
    );
    assert_eq!(doc.text(&notes).unwrap(), "Backs a common EU line.");

    edit_position_notes(
        &mut doc,
        &alice,
        "DE",
        "res-130",
        &TextEdit::Replace("Backs a common EU position."),
    )
    .unwrap();
    commit_edit(&mut doc, "notes", &at(10, 1));
    assert_eq!(
        obj(&doc, &["countries", "DE", "positions", "res-130", "notes"]),
        notes
    );
    assert_eq!(doc.text(&notes).unwrap(), "Backs a common EU position.");

    let summary = obj(&doc, &["items", "dec-12", "summary"]);
    edit_item_summary(
        &mut doc,
        "dec-12",
        &TextEdit::Replace("Keep publications free."),
    )
    .unwrap();
    edit_country_contacts(
        &mut doc,
        "KE",
        &TextEdit::insert(0, "Head of delegation: ministry."),
    )
    .unwrap();
    commit_edit(&mut doc, "texts", &at(10, 2));
    assert_eq!(obj(&doc, &["items", "dec-12", "summary"]), summary);
    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.items["dec-12"].summary, "Keep publications free.");
    assert_eq!(
        view.countries["KE"].delegation.contacts,
        "Head of delegation: ministry."
    );
}

#[test]
fn sources_are_added_once_and_removed_by_value() {
    let mut doc = small_analysis();
    let alice = by("alice", 0);
    add_source(&mut doc, &alice, "IN", "res-102", "PP26/12").unwrap();
    add_source(
        &mut doc,
        &alice,
        "IN",
        "res-102",
        "https://example.org/statement",
    )
    .unwrap();
    add_source(&mut doc, &alice, "IN", "res-102", "PP26/12").unwrap();
    commit_edit(&mut doc, "sources", &at(10, 0));
    let sources = |doc: &AutoCommit| {
        read_analysis(doc).unwrap().countries["IN"].positions["res-102"]
            .sources
            .clone()
    };
    assert_eq!(sources(&doc), ["PP26/12", "https://example.org/statement"]);
    let mut doc2 = doc.fork();
    remove_source(&mut doc2, &alice, "IN", "res-102", "PP26/12").unwrap();
    commit_edit(&mut doc2, "sources", &at(10, 1));
    assert_eq!(sources(&doc2), ["https://example.org/statement"]);
    assert_eq!(sources(&doc).len(), 2);
}

#[test]
fn a_missing_position_is_created_by_the_edit_that_needs_it() {
    let mut doc = small_analysis();
    let positions = obj(&doc, &["countries", "KE", "positions"]);
    doc.delete(&positions, "res-130").unwrap();
    commit_edit(&mut doc, "lose a position", &at(9, 30));
    assert!(
        !read_analysis(&doc).unwrap().countries["KE"]
            .positions
            .contains_key("res-130")
    );

    add_source(&mut doc, &by("alice", 0), "KE", "res-130", "statement").unwrap();
    commit_edit(&mut doc, "source", &at(10, 0));
    let view = read_analysis(&doc).unwrap();
    let read = &view.countries["KE"].positions["res-130"];
    assert_eq!(read.sources, ["statement"]);
    assert_eq!(read.stance, Stance::Unknown);
    let notes = doc
        .get(
            obj(&doc, &["countries", "KE", "positions", "res-130"]),
            "notes",
        )
        .unwrap()
        .unwrap();
    assert!(matches!(notes.0, Value::Object(ObjType::Text)));
}

#[test]
fn adding_items_and_countries_creates_every_position() {
    let mut doc = small_analysis();
    add_item(&mut doc, &ItemSpec {
        id: "res-167".into(),
        code: "Res 167".into(),
        title: "Strengthening and developing ITU capabilities for electronic meetings and means to advance the work of the Union".into(),
        track: "COM6".into(),
        priority: Priority::High,
        theme: "openness-transparency".into(),
        summary: "Remote participation.".into(),
    })
    .unwrap();
    add_country(
        &mut doc,
        &CountrySpec {
            code: "FJ".into(),
            name: "Fiji".into(),
            region: "Asia and Australasia".into(),
        },
    )
    .unwrap();
    set_track(
        &mut doc,
        &TrackSpec {
            id: "WG-PL".into(),
            name: "Working Group of the Plenary".into(),
        },
    )
    .unwrap();
    commit_edit(&mut doc, "grow", &at(10, 0));
    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.items.len(), 4);
    assert_eq!(view.countries.len(), 5);
    for country in view.countries.values() {
        assert_eq!(
            country.positions.keys().collect::<Vec<_>>(),
            ["dec-12", "res-102", "res-130", "res-167"]
        );
    }
    assert_eq!(view.tracks["WG-PL"].name, "Working Group of the Plenary");
    assert!(matches!(
        add_country(
            &mut doc,
            &CountrySpec {
                code: "FJ".into(),
                name: "Fiji".into(),
                region: String::new()
            }
        ),
        Err(ModelError::AlreadyExists {
            kind: "country",
            ..
        })
    ));
}

#[test]
fn analysis_items_and_countries_can_be_updated() {
    let mut doc = small_analysis();
    set_title(&mut doc, "PP-26 tracker").unwrap();
    update_meeting(
        &mut doc,
        &MeetingUpdate {
            venue: Some("Doha".into()),
            ..Default::default()
        },
    )
    .unwrap();
    update_item(
        &mut doc,
        "res-130",
        &ItemUpdate {
            priority: Some(Priority::Low),
            track: Some("WG-PL".into()),
            ..Default::default()
        },
    )
    .unwrap();
    update_country(
        &mut doc,
        "DE",
        &CountryUpdate {
            open_to_civil_society: Some(Some(true)),
            ..Default::default()
        },
    )
    .unwrap();
    update_country(
        &mut doc,
        "IN",
        &CountryUpdate {
            name: Some("India (Republic of)".into()),
            ..Default::default()
        },
    )
    .unwrap();
    commit_edit(&mut doc, "updates", &at(10, 0));
    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.title, "PP-26 tracker");
    assert_eq!(view.meeting.venue, "Doha");
    assert_eq!(
        view.meeting.name,
        "ITU Plenipotentiary Conference 2026 (PP-26)"
    );
    assert_eq!(
        (
            view.items["res-130"].priority,
            view.items["res-130"].track.as_str()
        ),
        (Priority::Low, "WG-PL")
    );
    assert_eq!(
        view.countries["DE"].delegation.open_to_civil_society,
        Some(true)
    );
    assert_eq!(view.countries["IN"].name, "India (Republic of)");
    update_country(
        &mut doc,
        "DE",
        &CountryUpdate {
            open_to_civil_society: Some(None),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        read_analysis(&doc).unwrap().countries["DE"]
            .delegation
            .open_to_civil_society,
        None
    );
}

#[test]
fn tasks_get_uuid_keys_and_typed_updates() {
    let mut doc = small_analysis();
    let id = add_task(
        &mut doc,
        &NewTask {
            title: "Meet the Kenyan delegation".into(),
            notes: "Bring the brief.".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
    assign_task(&mut doc, &id, "alice").unwrap();
    set_task_status(&mut doc, &id, TaskStatus::Doing).unwrap();
    set_task_when(&mut doc, &id, "2026-11-10").unwrap();
    set_task_title(&mut doc, &id, "Meet KE").unwrap();
    set_task_track(&mut doc, &id, "COM5").unwrap();
    edit_task_notes(&mut doc, &id, &TextEdit::insert(16, " And the leaflet.")).unwrap();
    commit_edit(&mut doc, "task", &at(10, 0));
    let view = read_analysis(&doc).unwrap();
    let task = &view.tasks[&id];
    assert_eq!(
        (
            task.title.as_str(),
            task.assignee.as_str(),
            task.when.as_str(),
            task.status,
            task.track.as_str()
        ),
        ("Meet KE", "alice", "2026-11-10", TaskStatus::Doing, "COM5")
    );
    assert_eq!(task.notes, "Bring the brief. And the leaflet.");
    assert!(matches!(
        assign_task(&mut doc, &id, "mallory"),
        Err(ModelError::UnknownMember(_))
    ));
    assign_task(&mut doc, &id, "").unwrap();
    assert_eq!(read_analysis(&doc).unwrap().tasks[&id].assignee, "");
    assert!(matches!(
        add_task_with_id(&mut doc, &id, &NewTask::default()),
        Err(ModelError::AlreadyExists { kind: "task", .. })
    ));
}

#[test]
fn registering_records_each_actor_once() {
    let mut doc = small_analysis();
    register_member(&mut doc, "alice", "Alice", "Digital Rights Network").unwrap();
    assert_eq!(
        doc.pending_ops(),
        0,
        "re-registering unchanged data writes nothing"
    );
    let mut laptop = doc.fork();
    laptop.set_actor(actor(0xa1));
    register_member(&mut laptop, "alice", "Alice", "Digital Rights Network").unwrap();
    commit_edit(&mut laptop, "second device", &at(9, 5));
    assert_eq!(
        read_analysis(&laptop).unwrap().members["alice"].actors,
        ["aa".repeat(16), "a1".repeat(16)]
    );
}
