//! Internal notes (`notesInternal`, docs/schema.md "Internal notes"): the default for new and
//! for older positions, the scalar write and its conflicts, and which exports leave the note
//! out (weekly report, CSV matrix) or keep it with the flag (JSON).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ReadDoc, ScalarValue, Value};
use caucus_model::{
    Date, ReportOptions, Since, Stance, TextEdit, add_source, commit_edit, conflicts,
    edit_position_notes, export_json, matrix_csv, read_analysis, set_notes_internal, set_stance,
    weekly_report,
};

use crate::common::{at, by, replica, small_analysis};

const SECRET: &str = "Told us in confidence: will switch sides in plenary.";

fn position(doc: &AutoCommit, country: &str, item: &str) -> caucus_model::PositionView {
    read_analysis(doc).unwrap().countries[country].positions[item].clone()
}

fn report(doc: &AutoCommit) -> String {
    let options = ReportOptions {
        date: Date::parse("2026-11-09").unwrap(),
        since: Since::Date(Date::parse("2026-11-09").unwrap()),
    };
    let mut doc = doc.clone();
    weekly_report(doc.document(), &options).unwrap()
}

/// Brazil supports Res 102, with a note and a source, written by Alice.
fn brazil_with_note() -> AutoCommit {
    let mut doc = small_analysis();
    let a = by("alice", 0);
    set_stance(&mut doc, &a, "BR", "res-102", Stance::Supports).unwrap();
    edit_position_notes(&mut doc, &a, "BR", "res-102", &TextEdit::insert(0, SECRET)).unwrap();
    add_source(&mut doc, &a, "BR", "res-102", "https://example.org/br").unwrap();
    commit_edit(&mut doc, "BR on Res 102", &at(10, 0));
    doc
}

#[test]
fn new_positions_start_internal_and_a_missing_flag_reads_as_shareable() {
    let mut doc = brazil_with_note();
    assert!(position(&doc, "BR", "res-102").notes_internal);
    let internal_report = report(&doc);
    assert!(!internal_report.contains("confidence: will switch"));
    assert!(internal_report.contains("- Brazil: rumour. Sources: https://example.org/br"));

    // A position written before the flag existed has no flag: it keeps going out.
    let countries = doc.get(automerge::ROOT, "countries").unwrap().unwrap().1;
    let brazil = doc.get(&countries, "BR").unwrap().unwrap().1;
    let positions = doc.get(&brazil, "positions").unwrap().unwrap().1;
    let res102 = doc.get(&positions, "res-102").unwrap().unwrap().1;
    doc.delete(&res102, "notesInternal").unwrap();
    commit_edit(&mut doc, "an older document", &at(10, 1));
    assert!(!position(&doc, "BR", "res-102").notes_internal);
    assert!(report(&doc).contains(&format!("- Brazil: rumour. {SECRET} Sources:")));
}

#[test]
fn the_flag_is_a_scalar_boolean_that_conflicts_like_stance() {
    let mut alice = brazil_with_note();
    let mut bob = replica(&mut alice, 0xbb, "bob");
    set_notes_internal(&mut alice, &by("alice", 5), "BR", "res-102", false).unwrap();
    commit_edit(&mut alice, "share", &at(10, 5));
    // Bob flips it at the same time the other way round, then back: a real concurrent write.
    set_notes_internal(&mut bob, &by("bob", 6), "BR", "res-102", false).unwrap();
    set_notes_internal(&mut bob, &by("bob", 6), "BR", "res-102", true).unwrap();
    commit_edit(&mut bob, "keep internal", &at(10, 6));
    alice.merge(&mut bob).unwrap();

    let countries = alice.get(automerge::ROOT, "countries").unwrap().unwrap().1;
    let brazil = alice.get(&countries, "BR").unwrap().unwrap().1;
    let positions = alice.get(&brazil, "positions").unwrap().unwrap().1;
    let res102 = alice.get(&positions, "res-102").unwrap().unwrap().1;
    let values: Vec<Value<'_>> = alice
        .get_all(&res102, "notesInternal")
        .unwrap()
        .into_iter()
        .map(|(value, _)| value)
        .collect();
    assert_eq!(values.len(), 2, "{values:?}");
    assert!(values.iter().all(
        |value| matches!(value, Value::Scalar(s) if matches!(s.as_ref(), ScalarValue::Boolean(_)))
    ));

    let p = position(&alice, "BR", "res-102");
    let members: Vec<_> = p
        .notes_internal_conflicts
        .iter()
        .map(|value| (value.value.clone(), value.member.clone().unwrap()))
        .collect();
    assert_eq!(members.len(), 2);
    assert!(members.contains(&(serde_json::json!(true), "bob".to_owned())));
    assert!(members.contains(&(serde_json::json!(false), "alice".to_owned())));
    // While they disagree, the note stays in: whoever wanted it internal is heard.
    assert!(p.notes_kept_internal());
    assert!(!report(&alice).contains("will switch sides"));
    assert!(!matrix_csv(&alice).unwrap().contains("will switch sides"));
    let found = conflicts(&alice).unwrap();
    assert!(
        found
            .iter()
            .any(|c| c.path.last().map(String::as_str) == Some("notesInternal"))
    );

    // Settling it writes once and supersedes both.
    set_notes_internal(&mut alice, &by("alice", 9), "BR", "res-102", false).unwrap();
    commit_edit(&mut alice, "share after all", &at(10, 9));
    let p = position(&alice, "BR", "res-102");
    assert!(p.notes_internal_conflicts.is_empty() && !p.notes_kept_internal());
    assert!(report(&alice).contains("will switch sides"));
}

#[test]
fn csv_leaves_an_internal_note_out_and_json_keeps_it_with_the_flag() {
    let mut doc = brazil_with_note();
    let csv = matrix_csv(&doc).unwrap();
    assert!(!csv.contains("will switch sides"), "{csv}");
    let brazil = csv.lines().find(|line| line.starts_with("BR,")).unwrap();
    assert!(
        brazil.contains(",supports,rumour,,https://example.org/br,"),
        "{brazil}"
    );
    let json: serde_json::Value = export_json(&doc).unwrap();
    let exported = &json["countries"]["BR"]["positions"]["res-102"];
    assert_eq!(exported["notes"], SECRET);
    assert_eq!(exported["notesInternal"], true);

    set_notes_internal(&mut doc, &by("alice", 3), "BR", "res-102", false).unwrap();
    commit_edit(&mut doc, "share", &at(10, 3));
    let csv = matrix_csv(&doc).unwrap();
    assert!(csv.contains(&format!(
        ",supports,rumour,{SECRET},https://example.org/br,"
    )));
    let json: serde_json::Value = export_json(&doc).unwrap();
    assert_eq!(
        json["countries"]["BR"]["positions"]["res-102"]["notesInternal"],
        false
    );
}
