//! History by editing session: what joins one session and what splits it.

use automerge::AutoCommit;
use caucus_model::{
    Attribution, HistoryQuery, HistorySession, SESSION_GAP_SECONDS, Stance, TextEdit, Timestamp,
    commit_edit, edit_position_notes, history, history_sessions, set_stance,
};
use serde_json::json;

use crate::common::{replica, small_analysis};

const NOTES: &str = "countries/BR/positions/res-102/notes";

/// `2026-11-09T10:<mm>:<ss>Z`.
pub(crate) fn t(minute: u32, second: u32) -> Timestamp {
    Timestamp::parse(&format!("2026-11-09T10:{minute:02}:{second:02}Z")).unwrap()
}

/// `member` types `text` at the end of Brazil's notes on Res 102, one change per call.
pub(crate) fn type_notes(doc: &mut AutoCommit, member: &str, when: Timestamp, text: &str) {
    let len = caucus_model::read_analysis(doc.document())
        .unwrap()
        .countries["BR"]
        .positions["res-102"]
        .notes
        .chars()
        .count();
    let by = Attribution::new(member, when.clone());
    edit_position_notes(doc, &by, "BR", "res-102", &TextEdit::insert(len, text)).unwrap();
    commit_edit(doc, "notes", &when).unwrap();
}

pub(crate) fn stance(doc: &mut AutoCommit, member: &str, when: Timestamp, value: Stance) {
    let by = Attribution::new(member, when.clone());
    set_stance(doc, &by, "BR", "res-102", value).unwrap();
    commit_edit(doc, "stance", &when).unwrap();
}

fn sessions(doc: &mut AutoCommit, path: &str) -> Vec<HistorySession> {
    history_sessions(doc.document(), &HistoryQuery::for_path(path)).unwrap()
}

/// (member, before, after) of each session of one field, newest first.
fn shown(sessions: &[HistorySession]) -> Vec<(Option<&str>, serde_json::Value, serde_json::Value)> {
    sessions
        .iter()
        .map(|s| {
            assert_eq!(s.edits.len(), 1, "{:?}", s.edits);
            (
                s.member.as_deref(),
                s.edits[0].before.clone(),
                s.edits[0].after.clone(),
            )
        })
        .collect()
}

#[test]
fn typing_with_short_pauses_is_one_session_and_a_longer_pause_starts_another() {
    let mut doc = small_analysis();
    for (i, word) in ["Brazil ", "supports ", "the ", "MS model."]
        .iter()
        .enumerate()
    {
        // 0:00, 1:40, 3:20, 5:00: each pause under five minutes, the whole run over it.
        let seconds = u32::try_from(i).unwrap() * 100;
        type_notes(&mut doc, "alice", t(seconds / 60, seconds % 60), word);
    }
    // Exactly five minutes after the last keystroke still joins; a second more does not.
    type_notes(&mut doc, "alice", t(10, 0), " Heard");
    type_notes(&mut doc, "alice", t(15, 1), " in corridor.");
    assert_eq!(SESSION_GAP_SECONDS, 300);

    let found = sessions(&mut doc, NOTES);
    assert_eq!(
        shown(&found),
        [
            (
                Some("alice"),
                json!("Brazil supports the MS model. Heard"),
                json!("Brazil supports the MS model. Heard in corridor.")
            ),
            (
                Some("alice"),
                json!(""),
                json!("Brazil supports the MS model. Heard")
            ),
            // The analysis's creation (by Alice's device) made the empty notes.
            (Some("alice"), json!(null), json!("")),
        ]
    );
    let first = &found[1];
    assert_eq!(first.started_at, "2026-11-09T10:00:00Z");
    assert_eq!(first.at, "2026-11-09T10:10:00Z");
    assert_eq!(first.member_name.as_deref(), Some("Alice"));
    assert_eq!(first.changes.len(), 5, "its raw changes, expandable");
    assert!(
        first.changes.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
    // The raw history still has one entry per change.
    let raw = history(doc.document(), &HistoryQuery::for_path(NOTES)).unwrap();
    assert_eq!(raw.len(), 6 + 1, "six edits and the creation");
}

#[test]
fn another_members_edit_of_the_same_field_splits_but_elsewhere_does_not() {
    let mut alice = small_analysis();
    type_notes(&mut alice, "alice", t(0, 0), "Brazil supports");
    let mut bob = replica(&mut alice, 0xbb, "bob");
    type_notes(&mut bob, "bob", t(1, 0), " (confirmed)");
    alice.merge(&mut bob).unwrap();
    type_notes(&mut alice, "alice", t(2, 0), " the MS model.");
    // Bob's change to another position between Alice's notes changes splits nothing.
    let mut bob = replica(&mut alice, 0xbb, "bob");
    let by = Attribution::new("bob", t(2, 30));
    set_stance(&mut bob, &by, "DE", "res-130", Stance::Opposes).unwrap();
    commit_edit(&mut bob, "DE", &t(2, 30)).unwrap();
    alice.merge(&mut bob).unwrap();
    type_notes(&mut alice, "alice", t(3, 0), " Heard");

    let found = sessions(&mut alice, NOTES);
    let members: Vec<Option<&str>> = found.iter().map(|s| s.member.as_deref()).collect();
    assert_eq!(
        members,
        [Some("alice"), Some("bob"), Some("alice"), Some("alice")]
    );
    assert_eq!(
        found[0].edits[0].before,
        json!("Brazil supports (confirmed)"),
        "Alice's session starts after Bob's words"
    );
    assert_eq!(found[0].changes.len(), 2);
    assert_eq!(
        found[1].edits[0].after,
        json!("Brazil supports (confirmed)")
    );
}

#[test]
fn the_members_own_edit_of_another_field_splits_a_session() {
    let mut doc = small_analysis();
    type_notes(&mut doc, "alice", t(0, 0), "Brazil");
    stance(&mut doc, "alice", t(0, 30), Stance::Supports);
    stance(&mut doc, "alice", t(0, 40), Stance::Mixed);
    type_notes(&mut doc, "alice", t(1, 0), " supports");

    let found = sessions(&mut doc, "countries/BR/positions/res-102");
    let fields: Vec<(String, usize)> = found
        .iter()
        .map(|s| {
            (
                s.edits.iter().map(|e| e.path.join("/")).collect(),
                s.changes.len(),
            )
        })
        .collect();
    let position = "countries/BR/positions/res-102";
    assert_eq!(
        fields[..3],
        [
            (format!("{position}/notes"), 1),
            (format!("{position}/stance"), 2),
            (format!("{position}/notes"), 1),
        ]
    );
    // Two dropdown picks in a row are one session: before the first, after the last.
    assert_eq!(found[1].edits[0].before, json!("unknown"));
    assert_eq!(found[1].edits[0].after, json!("mixed"));
}

#[test]
fn the_limit_counts_sessions_and_the_newest_come_complete() {
    let mut doc = small_analysis();
    for minute in 0..20 {
        type_notes(&mut doc, "alice", t(minute, 0), "x");
    }
    stance(&mut doc, "alice", t(30, 0), Stance::Supports);
    let query = HistoryQuery::for_path("countries/BR").with_limit(2);
    let found = history_sessions(doc.document(), &query).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].edits[0].after, json!("supports"));
    assert_eq!(
        found[1].changes.len(),
        20,
        "every keystroke of the notes session"
    );
    assert_eq!(found[1].edits[0].before, json!(""));
    assert_eq!(found[1].edits[0].after, json!("x".repeat(20)));
}
