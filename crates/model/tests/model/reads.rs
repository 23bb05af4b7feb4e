//! Typed reads: defaults, schema checks and tolerance (rule 1 of docs/schema.md).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use caucus_model::{
    Confidence, ModelError, Priority, Stance, TextEdit, commit_edit, edit_position_notes,
    read_analysis, set_stance,
};

use crate::common::{at, by, small_analysis};

fn obj(doc: &AutoCommit, path: &[&str]) -> automerge::ObjId {
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
fn a_fresh_analysis_reads_with_defaults() {
    let doc = small_analysis();
    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.schema, "caucus/analysis@1");
    assert_eq!(view.title, "PP-26 test analysis");
    assert_eq!(view.meeting.venue, "Doha, Qatar");
    assert_eq!(view.meeting.starts, "2026-11-09");
    assert_eq!(
        view.tracks["COM5"].name,
        "Committee 5 – Policy and Legal Matters"
    );
    assert_eq!(view.items.len(), 3);
    assert_eq!(view.items["res-102"].priority, Priority::High);
    assert_eq!(
        view.items["res-102"].summary,
        "Core text on the ITU's Internet mandate."
    );
    assert_eq!(view.countries.len(), 4);
    for country in view.countries.values() {
        assert_eq!(country.delegation.open_to_civil_society, None);
        assert_eq!(country.positions.len(), 3);
        for position in country.positions.values() {
            assert_eq!(position.stance, Stance::Unknown);
            assert_eq!(position.confidence, Confidence::Rumour);
            assert!(position.notes.is_empty() && position.sources.is_empty());
            assert!(position.updated_by.is_empty() && position.updated_at.is_empty());
            assert!(position.stance_conflicts.is_empty());
        }
    }
    assert!(view.tasks.is_empty());
    assert_eq!(view.members["alice"].actors, vec!["aa".repeat(16)]);
}

#[test]
fn schema_is_required_and_checked() {
    let empty = AutoCommit::new();
    assert!(matches!(
        read_analysis(&empty),
        Err(ModelError::MissingSchema)
    ));

    let mut other = small_analysis();
    other.put(ROOT, "schema", "caucus/analysis@2").unwrap();
    assert!(matches!(
        read_analysis(&other),
        Err(ModelError::UnsupportedSchema { found, .. }) if found == "caucus/analysis@2"
    ));

    // Automerge JS 3 writes plain strings as Text: the schema may arrive that way too.
    let mut as_text = small_analysis();
    let schema = as_text.put_object(ROOT, "schema", ObjType::Text).unwrap();
    as_text
        .splice_text(&schema, 0, 0, "caucus/analysis@1")
        .unwrap();
    assert!(read_analysis(&as_text).is_ok());
}

#[test]
fn strings_read_the_same_from_text_objects_and_scalars() {
    let mut doc = small_analysis();
    // Text where the Rust side writes scalars…
    let title = doc.put_object(ROOT, "title", ObjType::Text).unwrap();
    doc.splice_text(&title, 0, 0, "Written by JS").unwrap();
    let member = obj(&doc, &["members", "alice"]);
    let name = doc.put_object(&member, "name", ObjType::Text).unwrap();
    doc.splice_text(&name, 0, 0, "Alice T.").unwrap();
    let position = obj(&doc, &["countries", "BR", "positions", "res-102"]);
    let stance = doc.put_object(&position, "stance", ObjType::Text).unwrap();
    doc.splice_text(&stance, 0, 0, "supports").unwrap();
    let sources = obj(
        &doc,
        &["countries", "BR", "positions", "res-102", "sources"],
    );
    let source = doc.insert_object(&sources, 0, ObjType::Text).unwrap();
    doc.splice_text(&source, 0, 0, "https://example.org/a")
        .unwrap();
    doc.insert(&sources, 1, "https://example.org/b").unwrap();
    // …and scalars where it writes Text.
    let item = obj(&doc, &["items", "res-130"]);
    doc.put(&item, "summary", "A scalar summary").unwrap();
    doc.put(&position, "notes", "Scalar notes").unwrap();

    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.title, "Written by JS");
    assert_eq!(view.members["alice"].name, "Alice T.");
    let read = &view.countries["BR"].positions["res-102"];
    assert_eq!(read.stance, Stance::Supports);
    assert_eq!(
        read.sources,
        ["https://example.org/a", "https://example.org/b"]
    );
    assert_eq!(read.notes, "Scalar notes");
    assert_eq!(view.items["res-130"].summary, "A scalar summary");

    // Editing a scalar prose field turns it into Text, keeping the content.
    edit_position_notes(
        &mut doc,
        &by("alice", 0),
        "BR",
        "res-102",
        &TextEdit::insert(6, " more"),
    )
    .unwrap();
    commit_edit(&mut doc, "notes", &at(10, 0));
    let notes = doc.get(&position, "notes").unwrap().unwrap();
    assert!(matches!(notes.0, Value::Object(ObjType::Text)));
    assert_eq!(
        read_analysis(&doc).unwrap().countries["BR"].positions["res-102"].notes,
        "Scalar more notes"
    );
}

#[test]
fn unknown_enum_values_read_as_default_and_stay_in_the_document() {
    let mut doc = small_analysis();
    let position = obj(&doc, &["countries", "KE", "positions", "dec-12"]);
    doc.put(&position, "stance", "abstains").unwrap();
    doc.put(&position, "confidence", "certain").unwrap();
    let item = obj(&doc, &["items", "dec-12"]);
    doc.put(&item, "priority", "urgent").unwrap();

    let view = read_analysis(&doc).unwrap();
    let read = &view.countries["KE"].positions["dec-12"];
    assert_eq!(
        (read.stance, read.confidence),
        (Stance::Unknown, Confidence::Rumour)
    );
    assert_eq!(view.items["dec-12"].priority, Priority::Medium);
    let (stored, _) = doc.get(&position, "stance").unwrap().unwrap();
    assert_eq!(
        stored,
        Value::Scalar(std::borrow::Cow::Owned(ScalarValue::from("abstains")))
    );
}

#[test]
fn missing_fields_read_as_defaults_and_odd_entries_are_skipped() {
    let mut doc = small_analysis();
    let countries = obj(&doc, &["countries"]);
    let bare = doc.put_object(&countries, "FJ", ObjType::Map).unwrap();
    doc.put(&bare, "name", "Fiji").unwrap();
    doc.put(&countries, "XX", "not a map").unwrap();
    let items = obj(&doc, &["items"]);
    doc.put_object(&items, "empty", ObjType::Map).unwrap();
    doc.delete(ROOT, "meeting").unwrap();
    doc.delete(ROOT, "tasks").unwrap();

    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.countries["FJ"].name, "Fiji");
    assert!(view.countries["FJ"].positions.is_empty());
    assert_eq!(view.countries["FJ"].region, "");
    assert!(!view.countries.contains_key("XX"));
    assert_eq!(view.items["empty"].priority, Priority::Medium);
    assert_eq!(view.meeting, Default::default());
    assert!(view.tasks.is_empty());
}

#[test]
fn unknown_keys_survive_edits() {
    let mut doc = small_analysis();
    let extension = doc.put_object(ROOT, "x-extension", ObjType::Map).unwrap();
    doc.put(&extension, "note", "from a newer client").unwrap();
    let position = obj(&doc, &["countries", "BR", "positions", "res-102"]);
    doc.put(&position, "x-flag", true).unwrap();
    let country = obj(&doc, &["countries", "BR"]);
    doc.put(&country, "capital", "Brasília").unwrap();
    commit_edit(&mut doc, "extensions", &at(9, 30));

    set_stance(&mut doc, &by("alice", 1), "BR", "res-102", Stance::Supports).unwrap();
    edit_position_notes(
        &mut doc,
        &by("alice", 1),
        "BR",
        "res-102",
        &TextEdit::Replace("Said so in COM5."),
    )
    .unwrap();
    commit_edit(&mut doc, "edit", &at(10, 1));

    assert!(doc.get(&extension, "note").unwrap().is_some());
    assert!(doc.get(&position, "x-flag").unwrap().is_some());
    assert!(doc.get(&country, "capital").unwrap().is_some());
    assert_eq!(
        read_analysis(&doc).unwrap().countries["BR"].positions["res-102"].stance,
        Stance::Supports
    );
}
