//! Goldens for the web client's own copies of the model (sealed analyses are read in the browser,
//! web/tests/history-golden.test.ts and report-golden.test.ts): editing sessions that span several
//! changes and people, and a report that flags a merged note. The scripted analysis has neither.
//! Rewrite with `UPDATE_FIXTURES=1 cargo test -p caucus-model web_golden`.

use automerge::Automerge;
use caucus_model::{
    Attribution, ReportOptions, Since, Stance, commit_edit, set_stance, weekly_report,
};

use crate::common::{replica, small_analysis};
use crate::scripted::{check_golden, date};
use crate::sessions::{stance, t, type_notes};

/// Alice types Brazil's notes in bursts, Bob adds to them, both pick stances.
fn typed() -> Automerge {
    let mut alice = small_analysis();
    for (i, word) in ["Brazil ", "supports ", "the ", "MS model."]
        .iter()
        .enumerate()
    {
        let seconds = u32::try_from(i).unwrap() * 100;
        type_notes(&mut alice, "alice", t(seconds / 60, seconds % 60), word);
    }
    type_notes(&mut alice, "alice", t(10, 0), " Heard");
    type_notes(&mut alice, "alice", t(15, 1), " in corridor.");
    let mut bob = replica(&mut alice, 0xbb, "bob");
    type_notes(&mut bob, "bob", t(16, 0), " (confirmed)");
    let by = Attribution::new("bob", t(16, 30));
    set_stance(&mut bob, &by, "DE", "res-130", Stance::Opposes).unwrap();
    commit_edit(&mut bob, "DE", &t(16, 30)).unwrap();
    alice.merge(&mut bob).unwrap();
    stance(&mut alice, "alice", t(17, 0), Stance::Supports);
    stance(&mut alice, "alice", t(17, 40), Stance::Mixed);
    type_notes(&mut alice, "alice", t(18, 0), " Again.");
    alice.document().clone()
}

const QUERIES: [(&str, Option<usize>, bool); 6] = [
    ("countries/BR/positions/res-102/notes", None, false),
    ("countries/BR/positions/res-102", None, false),
    ("countries/BR", Some(2), false),
    ("", None, false),
    ("", Some(5), true),
    ("countries/DE", None, true),
];

#[test]
fn web_golden_history_sessions() {
    let doc = typed();
    check_golden("history-sessions.automerge", &doc.save());
    let mut answers = Vec::new();
    for (field, limit, raw) in QUERIES {
        let result = crate::scripted::history_answer(&doc, field, limit, raw);
        answers.push(
            serde_json::json!({"field": field, "limit": limit, "raw": raw, "result": result}),
        );
    }
    let text = serde_json::to_string_pretty(&answers).unwrap() + "\n";
    assert!(text.contains("\"changes\": [\n"), "sessions are listed");
    check_golden("history-sessions.json", text.as_bytes());
}

#[test]
fn web_golden_report_with_a_merged_note() {
    // Brazil's shared note on Res 102 rewritten by two people at once (text_merges.rs).
    let doc = crate::text_merges::brazil_note_clash(true)
        .document()
        .clone();
    check_golden("report-text-merges.automerge", &doc.save());
    let options = ReportOptions {
        date: date("2026-11-09"),
        since: Since::LastReport,
    };
    let report = weekly_report(&doc, &options).unwrap();
    assert!(report.contains("NOTE MERGED"), "{report}");
    check_golden("report-text-merges.md", report.as_bytes());
}
