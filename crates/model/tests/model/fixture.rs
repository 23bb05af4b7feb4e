//! The cross-language fixture: `tests/fixtures/analysis-v1.automerge` and its typed view
//! `tests/fixtures/analysis-v1.json`. The web client's tests load the document with
//! Automerge JS and compare their typed view with the JSON, so both must be exactly what this
//! model produces. Everything is deterministic: fixed actors, fixed commit times, a fixed
//! task id.

use std::path::PathBuf;

use automerge::AutoCommit;
use caucus_model::{
    Confidence, CountryUpdate, NewTask, Stance, TaskStatus, TextEdit, add_source, add_task_with_id,
    commit_edit, conflicts, edit_country_contacts, edit_position_notes, export_json_pretty,
    new_analysis, read_analysis, register_member, set_confidence, set_stance, set_task_status,
    update_country,
};

use crate::common::{actor, at, by, small_template};

const TASK_ID: &str = "5f1c1e8e-3f4b-4a53-9a4e-1d2c3b4a5e6f";

/// Two members, Alice (actor `aa…`) and Bob (actor `bb…`), edit concurrently after Alice
/// creates the analysis; both set Brazil's stance on Res 102 differently, which is left
/// unresolved. Returns the merged document as Alice has it.
fn build_fixture() -> AutoCommit {
    let mut alice = new_analysis(&small_template(), actor(0xaa), &at(9, 0)).unwrap();
    register_member(&mut alice, "alice", "Alice Example", "Open Net Coalition").unwrap();
    commit_edit(&mut alice, "Register Alice", &at(9, 5));

    let mut bob = alice.fork();
    bob.set_actor(actor(0xbb));
    register_member(&mut bob, "bob", "Bob Example", "Free Expression Forum").unwrap();
    commit_edit(&mut bob, "Register Bob", &at(9, 10));

    // Alice's morning in COM5.
    let a = by("alice", 0);
    set_stance(&mut alice, &a, "BR", "res-102", Stance::Supports).unwrap();
    set_confidence(&mut alice, &a, "BR", "res-102", Confidence::Reported).unwrap();
    edit_position_notes(
        &mut alice,
        &a,
        "BR",
        "res-102",
        &TextEdit::insert(0, "Backs the multistakeholder model in COM5."),
    )
    .unwrap();
    add_source(&mut alice, &a, "BR", "res-102", "PP26/35").unwrap();
    commit_edit(&mut alice, "BR on Res 102", &at(10, 0));
    let a = by("alice", 5);
    set_stance(&mut alice, &a, "DE", "res-130", Stance::Mixed).unwrap();
    set_confidence(&mut alice, &a, "DE", "res-130", Confidence::Confirmed).unwrap();
    commit_edit(&mut alice, "DE on Res 130", &at(10, 5));
    update_country(
        &mut alice,
        "KE",
        &CountryUpdate {
            open_to_civil_society: Some(Some(true)),
            ..Default::default()
        },
    )
    .unwrap();
    edit_country_contacts(
        &mut alice,
        "KE",
        &TextEdit::insert(0, "Ministry of ICT focal point."),
    )
    .unwrap();
    commit_edit(&mut alice, "KE delegation", &at(10, 10));

    // Bob, at the same time, hears otherwise about Brazil.
    let b = by("bob", 7);
    set_stance(&mut bob, &b, "BR", "res-102", Stance::Opposes).unwrap();
    edit_position_notes(
        &mut bob,
        &b,
        "BR",
        "res-102",
        &TextEdit::insert(0, "Corridor talk: wants ITU oversight. "),
    )
    .unwrap();
    commit_edit(&mut bob, "BR on Res 102 (corridor)", &at(10, 7));
    add_task_with_id(
        &mut bob,
        TASK_ID,
        &NewTask {
            title: "Ask Brazil's delegation about Res 102".into(),
            track: "COM5".into(),
            assignee: "bob".into(),
            when: "2026-11-10".into(),
            notes: "Two reports disagree.".into(),
        },
    )
    .unwrap();
    commit_edit(&mut bob, "Task: ask Brazil", &at(10, 12));
    let b = by("bob", 15);
    set_stance(&mut bob, &b, "IN", "dec-12", Stance::Supports).unwrap();
    set_confidence(&mut bob, &b, "IN", "dec-12", Confidence::Confirmed).unwrap();
    add_source(
        &mut bob,
        &b,
        "IN",
        "dec-12",
        "https://example.org/in-statement",
    )
    .unwrap();
    commit_edit(&mut bob, "IN on Dec 12", &at(10, 15));

    alice.merge(&mut bob).unwrap();
    set_task_status(&mut alice, TASK_ID, TaskStatus::Doing).unwrap();
    commit_edit(&mut alice, "Task in progress", &at(10, 20));
    alice
}

fn fixture_path(extension: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../tests/fixtures/analysis-v1.{extension}"))
}

#[test]
fn the_fixture_has_one_unresolved_stance_conflict() {
    let doc = build_fixture();
    let found = conflicts(&doc).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].path,
        ["countries", "BR", "positions", "res-102", "stance"]
    );
    let view = read_analysis(&doc).unwrap();
    let members: Vec<_> = view.countries["BR"].positions["res-102"]
        .stance_conflicts
        .iter()
        .map(|value| value.member.clone().unwrap())
        .collect();
    assert_eq!(members, ["alice", "bob"]);
    // The two note edits merged rather than one replacing the other.
    let notes = &view.countries["BR"].positions["res-102"].notes;
    assert!(notes.contains("Backs the multistakeholder model") && notes.contains("Corridor talk"));
}

#[test]
fn fixture_matches_model() {
    let mut doc = build_fixture();
    let bytes = doc.save();
    let json = export_json_pretty(&doc).unwrap();
    let (bytes_path, json_path) = (fixture_path("automerge"), fixture_path("json"));

    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|value| value == "1") {
        std::fs::write(&bytes_path, &bytes).unwrap();
        std::fs::write(&json_path, &json).unwrap();
        eprintln!(
            "rewrote {} ({} bytes) and {}",
            bytes_path.display(),
            bytes.len(),
            json_path.display()
        );
        return;
    }

    let hint = "run `UPDATE_FIXTURES=1 cargo test -p caucus-model fixture_matches_model` to rewrite the fixtures \
                (and tell the web client: its tests read them)";
    let on_disk_bytes = std::fs::read(&bytes_path)
        .unwrap_or_else(|error| panic!("{}: {error}; {hint}", bytes_path.display()));
    let on_disk_json = std::fs::read_to_string(&json_path)
        .unwrap_or_else(|error| panic!("{}: {error}; {hint}", json_path.display()));
    assert!(
        on_disk_json == json,
        "{} differs from the model's export; {hint}",
        json_path.display()
    );
    assert!(
        on_disk_bytes == bytes,
        "{} differs from the model's document; {hint}",
        bytes_path.display()
    );
    // And the committed document reads back to the committed view.
    let loaded = AutoCommit::load(&on_disk_bytes).unwrap();
    assert_eq!(export_json_pretty(&loaded).unwrap(), on_disk_json);
}
