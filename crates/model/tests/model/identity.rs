//! One person, many devices: a member record that is an alias (`sameAs`) of another reads as
//! that person everywhere a member is named (conflicts, history, position changes, reports).

use automerge::{Automerge, ChangeHash};
use caucus_model::{
    HistoryQuery, NewTask, ReportOptions, Since, Stance, add_task_with_id, alias_member,
    changes_between, commit_edit, conflicts, history, read_analysis, register_member, set_stance,
    weekly_report,
};

use crate::common::{actor, at, by, small_analysis};
use crate::scripted::date;

/// Alice (actor 0xaa, member `alice`) also edits on a second device that made its own record
/// (`alice-phone`, "Alice P.") before she confirmed it is her; Carol sets the same stance at
/// the same time.
fn two_records_of_alice() -> (Vec<ChangeHash>, Automerge) {
    let mut doc = small_analysis();
    let before = doc.get_heads();
    let mut phone = doc.fork();
    phone.set_actor(actor(0xbb));
    register_member(&mut phone, "alice-phone", "Alice P.", "Phone").unwrap();
    set_stance(
        &mut phone,
        &by("alice-phone", 5),
        "BR",
        "res-102",
        Stance::Supports,
    )
    .unwrap();
    let task = NewTask {
        title: "Meet BR".into(),
        track: "PL".into(),
        assignee: "alice-phone".into(),
        when: String::new(),
        notes: String::new(),
    };
    add_task_with_id(&mut phone, "t1", &task).unwrap();
    commit_edit(&mut phone, "Phone edits", &at(10, 5));
    let mut carol = doc.fork();
    carol.set_actor(actor(0xcc));
    register_member(&mut carol, "carol", "Carol", "Coalition").unwrap();
    set_stance(
        &mut carol,
        &by("carol", 5),
        "BR",
        "res-102",
        Stance::Opposes,
    )
    .unwrap();
    commit_edit(&mut carol, "Carol edits", &at(10, 5));
    doc.merge(&mut phone).unwrap();
    doc.merge(&mut carol).unwrap();
    alias_member(&mut doc, "alice-phone", "alice").unwrap();
    commit_edit(&mut doc, "Alice confirms her phone", &at(10, 10));
    (before, doc.document().clone())
}

#[test]
fn an_alias_reads_as_its_person_in_every_reader() {
    let (before, doc) = two_records_of_alice();
    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.canonical_member("alice-phone"), "alice");
    assert_eq!(view.person("alice-phone").unwrap().name, "Alice");
    assert_eq!(view.members["alice-phone"].same_as, "alice");

    let stance = conflicts(&doc)
        .unwrap()
        .into_iter()
        .find(|c| c.path.last().map(String::as_str) == Some("stance"))
        .expect("a stance conflict");
    let who: Vec<_> = stance.values.iter().map(|v| v.member.clone()).collect();
    assert!(who.contains(&Some("alice".into())) && who.contains(&Some("carol".into())));
    assert!(!who.contains(&Some("alice-phone".into())), "{who:?}");

    let entries = history(&doc, &HistoryQuery::for_path("tasks/t1")).unwrap();
    let made = entries.last().expect("the task's creation");
    assert_eq!(made.member.as_deref(), Some("alice"));
    assert_eq!(made.member_name.as_deref(), Some("Alice"));

    let changes = changes_between(&doc, &before, &doc.get_heads()).unwrap();
    let names: Vec<_> = changes
        .iter()
        .filter_map(|c| c.member_name.as_deref())
        .collect();
    assert!(names.iter().all(|n| *n != "Alice P."), "{names:?}");

    let options = ReportOptions {
        date: date("2026-11-09"),
        since: Since::LastReport,
    };
    let report = weekly_report(&doc, &options).unwrap();
    assert!(report.contains("Alice"), "{report}");
    assert!(!report.contains("Alice P."), "{report}");
}

#[test]
fn an_alias_needs_two_distinct_members() {
    let mut doc = small_analysis();
    assert!(alias_member(&mut doc, "alice", "alice").is_err());
    assert!(alias_member(&mut doc, "nobody", "alice").is_err());
    assert!(alias_member(&mut doc, "alice", "nobody").is_err());
}
