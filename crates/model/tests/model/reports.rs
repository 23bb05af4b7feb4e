//! The `reports` log (`record_report`, `last_report_before`) and report options.

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use caucus_model::report::read_reports;
use caucus_model::{
    ModelError, ReportOptions, Since, Stance, commit_edit, last_report_before, record_report,
    set_stance, weekly_report,
};

use crate::common::{at, by, small_analysis};
use crate::scripted::{date, scripted};

#[test]
fn recording_a_report_writes_by_at_and_heads_once() {
    let mut doc = small_analysis();
    let heads = doc.get_heads();
    record_report(&mut doc, &date("2026-11-09"), "alice", &at(18, 0)).unwrap();
    commit_edit(&mut doc, "Report sent", &at(18, 0));
    let records = read_reports(&doc).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].date, date("2026-11-09"));
    assert_eq!(records[0].by, "alice");
    assert_eq!(records[0].at, "2026-11-09T18:00:00Z");
    let hex: Vec<String> = heads.iter().map(ToString::to_string).collect();
    assert_eq!(records[0].heads, hex);

    // Never replaced.
    assert!(matches!(
        record_report(&mut doc, &date("2026-11-09"), "alice", &at(19, 0)),
        Err(ModelError::AlreadyExists { kind: "report", .. })
    ));
    assert!(matches!(
        record_report(&mut doc, &date("2026-11-10"), "nobody", &at(19, 0)),
        Err(ModelError::UnknownMember(_))
    ));
    // It reads the heads, so it wants a change of its own.
    set_stance(&mut doc, &by("alice", 1), "BR", "res-102", Stance::Supports).unwrap();
    assert!(matches!(
        record_report(&mut doc, &date("2026-11-10"), "alice", &at(19, 0)),
        Err(ModelError::PendingEdits(_))
    ));
}

#[test]
fn an_older_document_gets_the_reports_map_on_first_record() {
    let mut doc = small_analysis();
    doc.delete(ROOT, "reports").unwrap();
    commit_edit(&mut doc, "as an older document", &at(9, 30));
    assert!(doc.get(ROOT, "reports").unwrap().is_none());
    assert!(read_reports(&doc).unwrap().is_empty());
    record_report(&mut doc, &date("2026-11-09"), "alice", &at(18, 0)).unwrap();
    commit_edit(&mut doc, "Report sent", &at(18, 0));
    assert_eq!(read_reports(&doc).unwrap().len(), 1);
}

#[test]
fn the_last_report_is_the_newest_before_the_date() {
    let doc = scripted();
    let dates = |d: &str| last_report_before(&doc, &date(d)).unwrap().map(|r| r.date);
    assert_eq!(dates("2026-11-08"), None);
    assert_eq!(dates("2026-11-09"), Some(date("2026-11-08")));
    assert_eq!(dates("2026-11-13"), Some(date("2026-11-08")));
    assert_eq!(dates("2026-11-14"), Some(date("2026-11-13")));
    let record = last_report_before(&doc, &date("2026-11-16"))
        .unwrap()
        .unwrap();
    assert_eq!(record.by, "dina");
    assert_eq!(record.at, "2026-11-14T07:00:00Z");
}

#[test]
fn since_last_report_without_one_covers_the_week_before() {
    let mut doc = small_analysis();
    doc.delete(ROOT, "reports").unwrap();
    commit_edit(&mut doc, "no reports", &at(9, 30));
    let doc: Automerge = doc.document().clone();
    let options = ReportOptions {
        date: date("2026-11-09"),
        since: Since::LastReport,
    };
    let report = weekly_report(&doc, &options).unwrap();
    assert!(
        report.contains("Changes since: 2026-11-02 (no earlier report: the last 7 days)"),
        "{report}"
    );
}

#[test]
fn the_report_is_plain_text_with_named_sections() {
    let doc = scripted();
    let report = weekly_report(&doc, &crate::scripted::weekly_options()).unwrap();
    for heading in [
        "\n## Changes since 2026-11-09\n",
        "\n## Positions by agenda item\n",
        "\n## Unresolved conflicts\n",
        "\n## Open tasks\n",
    ] {
        assert!(report.contains(heading), "{heading:?} missing");
    }
    assert!(!report.contains('<') && !report.contains('|') && !report.contains('\r'));
    // The conflict is listed and marked next to India on Res 102.
    assert!(
        report
            .contains("- India, Res 102, stance: supports (by Ana Lima) vs opposes (by Chen Wei)")
    );
    assert!(report.contains("- India: rumour. At the side event the delegate praised the IGF model. [CONFLICT on stance: supports (by Ana Lima) vs opposes (by Chen Wei)]"));
    // The resolved one is not.
    assert!(!report.contains("South Africa, Res 130"));
}
