//! History, as-of views and position differences, on the scripted analysis and on small
//! hand-made documents (skewed clocks).

use std::time::Instant;

use automerge::AutoCommit;
use caucus_model::{
    Date, HistoryQuery, PositionChangeKind, Stance, TextEdit, Timestamp, changes_between,
    commit_edit, edit_position_notes, heads_before, history, new_analysis, read_analysis,
    set_stance, template, view_at,
};
use serde_json::json;

use crate::common::{actor, at, by, replica, small_analysis};
use crate::scripted::{date, scripted};

fn messages(entries: &[caucus_model::HistoryEntry]) -> Vec<&str> {
    entries.iter().map(|entry| entry.message.as_str()).collect()
}

#[test]
fn history_of_a_position_is_newest_first_with_member_names() {
    let doc = scripted();
    let entries = history(
        &doc,
        &HistoryQuery::for_path("countries/IN/positions/res-102"),
    )
    .unwrap();
    assert_eq!(
        messages(&entries),
        [
            "IN on Res 102 (APT meeting)",
            "IN on Res 102 (side event)",
            "IN on Res 102",
            "Create analysis: PP-26: country positions on Internet governance, infrastructure and ITU openness",
        ]
    );
    let newest = &entries[0];
    assert_eq!(newest.at, "2026-11-09T14:10:00Z");
    assert_eq!(newest.member.as_deref(), Some("chen"));
    assert_eq!(newest.member_name.as_deref(), Some("Chen Wei"));
    assert_eq!(newest.actor, "c3".repeat(16));
    // Bookkeeping is not listed; the stance is.
    assert_eq!(newest.edits.len(), 1, "{:?}", newest.edits);
    assert_eq!(
        newest.edits[0].path,
        ["countries", "IN", "positions", "res-102", "stance"]
    );
    assert_eq!(newest.edits[0].value, json!("opposes"));
    // Notes are reported whole, as they were right after the change.
    let side_event = &entries[1];
    let notes = side_event
        .edits
        .iter()
        .find(|edit| edit.path.last().unwrap() == "notes")
        .unwrap();
    assert_eq!(
        notes.value,
        json!(
            "Capital has not sent instructions yet.\nAt the side event the delegate praised the IGF model."
        )
    );
    // The creation lists the fresh position's fields, nothing outside the filter.
    let created = entries.last().unwrap();
    assert_eq!(created.member, None);
    assert!(created.edits.iter().all(|edit| {
        edit.path
            .starts_with(&["countries".to_owned(), "IN".to_owned()])
    }));
    assert!(
        created
            .edits
            .iter()
            .any(|edit| edit.value == json!("unknown"))
    );
    // The JSON shape of the spec.
    let value = serde_json::to_value(newest).unwrap();
    for key in [
        "hash",
        "at",
        "actor",
        "member",
        "memberName",
        "message",
        "edits",
    ] {
        assert!(value.get(key).is_some(), "{key} missing in {value}");
    }
}

#[test]
fn history_of_a_stance_field_shows_each_value_and_who() {
    let doc = scripted();
    let entries = history(
        &doc,
        &HistoryQuery::for_path("countries/ZA/positions/res-130/stance"),
    )
    .unwrap();
    let seen: Vec<(Option<&str>, serde_json::Value)> = entries
        .iter()
        .map(|entry| {
            assert_eq!(entry.edits.len(), 1);
            (entry.member_name.as_deref(), entry.edits[0].value.clone())
        })
        .collect();
    assert_eq!(
        seen,
        [
            (Some("Ana Lima"), json!("mixed")),
            (Some("Dina Haddad"), json!("mixed")),
            (Some("Ben Okafor"), json!("supports")),
            (None, json!("unknown")),
        ]
    );
}

#[test]
fn history_is_newest_first_and_limited() {
    let doc = scripted();
    let all = history(&doc, &HistoryQuery::default().with_limit(5000)).unwrap();
    assert_eq!(
        all.len(),
        doc.get_changes(&[]).len(),
        "capped at 1000, not reached"
    );
    for pair in all.windows(2) {
        assert!(
            pair[0].at >= pair[1].at,
            "{} before {}",
            pair[0].at,
            pair[1].at
        );
    }
    assert_eq!(all[0].message, "Amendment drafting");
    let three = history(&doc, &HistoryQuery::default().with_limit(3)).unwrap();
    assert_eq!(three, all[..3]);
    // A task field, and a path that nothing touched.
    let task = history(
        &doc,
        &HistoryQuery::for_path(&format!(
            "tasks/{}/status",
            caucus_model::sample::TASK_IDS[0]
        )),
    )
    .unwrap();
    assert_eq!(
        messages(&task),
        ["Kenya briefed", "Task in progress", "Task: brief Kenya"]
    );
    assert!(
        history(&doc, &HistoryQuery::for_path("countries/XX"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn as_of_a_date_shows_the_old_state() {
    let doc = scripted();
    let now = read_analysis(&doc).unwrap();
    assert_eq!(
        now.countries["CN"].positions["res-102"].stance,
        Stance::Mixed
    );
    let then = view_at(&doc, &heads_before(&doc, date("2026-11-13").end_unix())).unwrap();
    assert_eq!(
        then.countries["CN"].positions["res-102"].stance,
        Stance::Opposes
    );
    assert_eq!(
        then.countries["IN"].positions["res-102"]
            .stance_conflicts
            .len(),
        2
    );
    let before_conflict =
        view_at(&doc, &heads_before(&doc, date("2026-11-08").end_unix())).unwrap();
    assert_eq!(
        before_conflict.countries["IN"].positions["res-102"].stance,
        Stance::Undecided
    );
    assert!(before_conflict.tasks.len() == 2 && now.tasks.len() == 4);
    // Before anything: no heads; after everything: the document's heads.
    assert!(heads_before(&doc, 0).is_empty());
    assert_eq!(heads_before(&doc, i64::MAX), doc.get_heads());
}

#[test]
fn a_change_with_a_clock_behind_its_dependency_waits_for_it() {
    let mut alice = small_analysis();
    let a = by("alice", 0);
    set_stance(&mut alice, &a, "BR", "res-102", Stance::Supports).unwrap();
    let alice_change = commit_edit(&mut alice, "BR supports", &at(10, 0)).unwrap();
    let mut bob = replica(&mut alice, 0xbb, "bob");
    // Bob's laptop thinks it is 08:00, but he edits on top of Alice's 10:00 change.
    let b = caucus_model::Attribution::new("bob", at(8, 0));
    set_stance(&mut bob, &b, "BR", "res-102", Stance::Opposes).unwrap();
    let bob_change = commit_edit(&mut bob, "BR opposes", &at(8, 0)).unwrap();
    let doc = bob.document().clone();

    let at_nine = heads_before(&doc, at(9, 30).unix_seconds());
    assert!(!at_nine.contains(&bob_change) && !at_nine.contains(&alice_change));
    let view = view_at(&doc, &at_nine).unwrap();
    assert_eq!(
        view.countries["BR"].positions["res-102"].stance,
        Stance::Unknown
    );

    let after_ten = heads_before(&doc, at(10, 0).unix_seconds() + 1);
    assert_eq!(after_ten, vec![bob_change]);
    let view = view_at(&doc, &after_ten).unwrap();
    assert_eq!(
        view.countries["BR"].positions["res-102"].stance,
        Stance::Opposes
    );
}

#[test]
fn view_at_rejects_unknown_heads_and_dates_are_typed() {
    let doc = small_analysis().document().clone();
    let bogus: automerge::ChangeHash = "11".repeat(32).parse().unwrap();
    assert!(matches!(
        view_at(&doc, &[bogus]),
        Err(caucus_model::ModelError::UnknownChange(_))
    ));
    assert!(matches!(
        Date::parse("13/11/2026"),
        Err(caucus_model::ModelError::InvalidDate(_))
    ));
}

#[test]
fn changes_between_lists_new_changed_and_confidence_only() {
    let doc = scripted();
    let old = heads_before(&doc, date("2026-11-14").start_unix());
    let new = doc.get_heads();
    let changes = changes_between(&doc, &old, &new).unwrap();
    let summary: Vec<(&str, &str, PositionChangeKind, Stance, Stance)> = changes
        .iter()
        .map(|c| {
            (
                c.item.as_str(),
                c.country.as_str(),
                c.kind,
                c.stance_before,
                c.stance,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "dec-12",
                "GB",
                PositionChangeKind::New,
                Stance::Unknown,
                Stance::Supports
            ),
            (
                "dec-12",
                "IN",
                PositionChangeKind::Confidence,
                Stance::Supports,
                Stance::Supports
            ),
            (
                "res-102",
                "CN",
                PositionChangeKind::Stance,
                Stance::Opposes,
                Stance::Mixed
            ),
            (
                "res-130",
                "KE",
                PositionChangeKind::New,
                Stance::Unknown,
                Stance::Supports
            ),
        ]
    );
    assert_eq!(changes[2].member_name.as_deref(), Some("Chen Wei"));
    assert_eq!(changes[2].updated_at, "2026-11-15T09:20:00Z");
    // From nothing: every known stance is new.
    let from_start = changes_between(&doc, &[], &new).unwrap();
    assert!(from_start.iter().all(|c| c.kind == PositionChangeKind::New));
}

/// The cost of `history` on a document of the ITU template's size with ~2,000 edit changes.
/// Ignored by default; run with
/// `cargo test -p caucus-model history_cost -- --ignored --nocapture`.
#[test]
#[ignore = "timing measurement"]
fn history_cost_on_a_large_document() {
    let template = template::itu_plenipotentiary_2026().unwrap();
    let mut doc = new_analysis(&template, actor(0x01), &at(8, 0)).unwrap();
    doc.set_actor(actor(0xaa));
    caucus_model::register_member(&mut doc, "alice", "Alice", "Org").unwrap();
    commit_edit(&mut doc, "register", &at(8, 1));
    let countries: Vec<String> = template.countries.iter().map(|c| c.code.clone()).collect();
    let items: Vec<String> = template.items.iter().map(|i| i.id.clone()).collect();
    let started = Instant::now();
    for step in 0..2000usize {
        let country = &countries[step * 7 % countries.len()];
        let item = &items[step % items.len()];
        let when = Timestamp::parse(&format!(
            "2026-11-{:02}T{:02}:{:02}:00Z",
            10 + step / 1440,
            step / 60 % 24,
            step % 60
        ))
        .unwrap();
        let who = caucus_model::Attribution::new("alice", when.clone());
        if step % 3 == 0 {
            edit_position_notes(&mut doc, &who, country, item, &TextEdit::insert(0, "x ")).unwrap();
        } else {
            let stance = Stance::ALL[step % 4];
            set_stance(&mut doc, &who, country, item, stance).unwrap();
        }
        commit_edit(&mut doc, "edit", &when);
    }
    eprintln!("built 2,000 edits in {:?}", started.elapsed());
    let doc = AutoCommit::load(&doc.save()).unwrap().document().clone();
    let started = Instant::now();
    let all = history(&doc, &HistoryQuery::default().with_limit(1000)).unwrap();
    eprintln!(
        "history, newest 1000 of {} changes: {:?}",
        doc.get_changes(&[]).len(),
        started.elapsed()
    );
    assert_eq!(all.len(), 1000);
    let started = Instant::now();
    let filtered = history(
        &doc,
        &HistoryQuery::for_path("countries/AG/positions/res-102"),
    )
    .unwrap();
    eprintln!(
        "history filtered to one position (every change diffed): {:?}, {} entries",
        started.elapsed(),
        filtered.len()
    );
    let started = Instant::now();
    let heads = heads_before(
        &doc,
        Timestamp::parse("2026-11-11T00:00:00Z")
            .unwrap()
            .unix_seconds(),
    );
    let _ = view_at(&doc, &heads).unwrap();
    eprintln!("heads_before + view_at: {:?}", started.elapsed());
}
