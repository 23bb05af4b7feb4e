//! The scripted history fixture (`caucus_model::sample::scripted_analysis`) and the golden
//! files made from it: `tests/fixtures/scripted-analysis.automerge`, `report-weekly.md`,
//! `report-since-last.md`, `matrix.csv`, `export.json` and `history-scripted.json` (the web client computes the same for
//! sealed analyses, web/tests/report-golden.test.ts). Compared byte for byte; rewrite them after a
//! deliberate change with `UPDATE_FIXTURES=1 cargo test -p caucus-model scripted`.

use std::path::PathBuf;
use std::sync::OnceLock;

use automerge::{AutoCommit, Automerge};
use caucus_model::{
    Date, HistoryQuery, ReportOptions, Since, export_json_pretty, history, history_sessions,
    matrix_csv, sample, weekly_report,
};

/// The saved bytes of the scripted analysis, built once per test run.
pub(crate) fn scripted_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| sample::scripted_analysis().unwrap().save())
}

/// The scripted analysis, loaded from [`scripted_bytes`].
pub(crate) fn scripted() -> Automerge {
    Automerge::load(scripted_bytes()).unwrap()
}

pub(crate) fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

pub(crate) fn weekly_options() -> ReportOptions {
    ReportOptions {
        date: date("2026-11-13"),
        since: Since::Date(date("2026-11-09")),
    }
}

pub(crate) fn since_last_options() -> ReportOptions {
    ReportOptions {
        date: date("2026-11-16"),
        since: Since::LastReport,
    }
}

pub(crate) fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/fixtures/{name}"))
}

/// Compares `content` with the golden file `name`, or rewrites it under UPDATE_FIXTURES=1.
pub(crate) fn check_golden(name: &str, content: &[u8]) {
    let path = fixture_path(name);
    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|value| value == "1") {
        std::fs::write(&path, content).unwrap();
        eprintln!("rewrote {} ({} bytes)", path.display(), content.len());
        return;
    }
    let hint = "run `UPDATE_FIXTURES=1 cargo test -p caucus-model scripted` to rewrite it \
                (and read the diff: the web client and the CLI tests use these files)";
    let on_disk =
        std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}; {hint}", path.display()));
    if on_disk != content {
        let shown = String::from_utf8_lossy(content);
        panic!(
            "{} differs from what the model produces now; {hint}\n--- now:\n{}",
            path.display(),
            shown.chars().take(4000).collect::<String>()
        );
    }
}

#[test]
fn scripted_fixture_matches_model() {
    // Also checks that the script is deterministic: the committed bytes came from another run.
    check_golden("scripted-analysis.automerge", scripted_bytes());
}

#[test]
fn scripted_weekly_report_matches_golden() {
    let report = weekly_report(&scripted(), &weekly_options()).unwrap();
    assert_list_ready(&report);
    check_golden("report-weekly.md", report.as_bytes());
}

/// What makes a report fit for the mailing list, checked on both goldens: the internal note
/// leaves no trace, its position still shows with its sources (links bare, references as
/// text), shared notes are there, and agenda titles are whole.
fn assert_list_ready(report: &str) {
    assert!(
        !report.contains("Egyptian delegation") && !report.contains("not to be quoted"),
        "the internal note went out:\n{report}"
    );
    assert!(
        report.contains(
            "- Egypt: reported. Sources: PP26/44; https://example.org/arab-group-common-proposals"
        ),
        "{report}"
    );
    assert!(
        report
            .contains("- France: confirmed. Sources: https://example.org/fr-open-access-statement"),
        "{report}"
    );
    assert!(
        report.contains("Proposal PP26/44 asks for an ITU role in IP address allocation.")
            || report.contains("New line: accepts the IGF reference if PP26/44 stays in."),
        "a shared note is missing:\n{report}"
    );
    let view = caucus_model::read_analysis(&scripted()).unwrap();
    for line in report.lines().filter(|line| line.starts_with("#### ")) {
        let title = line.rsplit_once(": ").map(|(_, title)| title).unwrap();
        assert!(
            view.items.values().any(|item| item.title == title),
            "not a whole agenda title: {line}"
        );
    }
}

#[test]
fn scripted_since_last_report_matches_golden() {
    let report = weekly_report(&scripted(), &since_last_options()).unwrap();
    assert!(report.contains("the last report, 2026-11-13"), "{report}");
    assert_list_ready(&report);
    check_golden("report-since-last.md", report.as_bytes());
}

#[test]
fn scripted_matrix_csv_matches_golden() {
    let csv = matrix_csv(&scripted()).unwrap();
    assert!(!csv.starts_with('\u{feff}'));
    assert!(csv.ends_with("\r\n"));
    // Records end with CRLF; notes inside quoted cells keep their own line breaks (LF).
    assert_eq!(
        csv.split_terminator("\r\n").count(),
        195,
        "a header and one row per country"
    );
    assert!(csv.split("\r\n").next().unwrap().starts_with(
        "code,name,region,Dec 12 stance,Dec 12 confidence,Dec 12 notes,Dec 12 sources,"
    ));
    assert!(
        !csv.contains("Egyptian delegation"),
        "the internal note is in the CSV"
    );
    let egypt = csv.lines().find(|line| line.starts_with("EG,")).unwrap();
    assert!(
        egypt
            .contains("opposes,reported,,PP26/44; https://example.org/arab-group-common-proposals"),
        "{egypt}"
    );
    assert!(csv.contains("Proposal PP26/44 asks for an ITU role in IP address allocation."));
    check_golden("matrix.csv", csv.as_bytes());
}

#[test]
fn scripted_export_json_matches_golden() {
    let json = export_json_pretty(&scripted()).unwrap();
    assert!(
        json.contains("\"notesInternal\": true"),
        "the export keeps internal notes"
    );
    check_golden("export.json", json.as_bytes());
}

/// The `/history` answers (editing sessions, or `raw` changes) the web client must give too
/// for sealed analyses: `(field, limit, raw)` as the API takes them.
const HISTORY_QUERIES: [(&str, Option<usize>, bool); 9] = [
    ("countries/IN/positions/res-102", None, false),
    ("countries/IN/positions/res-102", None, true),
    ("countries/CN/positions/res-102/notes", None, false),
    ("countries/CN/positions/res-102/notes", None, true),
    ("countries/BR/positions/res-102/sources", None, true),
    ("tasks", None, false),
    ("reports", None, true),
    ("", Some(12), false),
    ("", Some(40), true),
];

/// The `/history` answer for one query: one entry per change (`raw`) or per editing session.
pub(crate) fn history_answer(
    doc: &Automerge,
    field: &str,
    limit: Option<usize>,
    raw: bool,
) -> serde_json::Value {
    let mut query = HistoryQuery::for_path(field);
    query.limit = limit;
    if raw {
        serde_json::to_value(history(doc, &query).unwrap()).unwrap()
    } else {
        serde_json::to_value(history_sessions(doc, &query).unwrap()).unwrap()
    }
}

#[test]
fn scripted_history_matches_golden() {
    let doc = scripted();
    let mut answers = Vec::new();
    for (field, limit, raw) in HISTORY_QUERIES {
        let result = history_answer(&doc, field, limit, raw);
        assert!(
            result.as_array().is_some_and(|entries| !entries.is_empty()),
            "{field}: nothing to check"
        );
        answers.push(serde_json::json!({
            "field": field, "limit": limit, "raw": raw, "result": result,
        }));
    }
    let mut text = serde_json::to_string_pretty(&answers).unwrap();
    text.push('\n');
    check_golden("history-scripted.json", text.as_bytes());
}

#[test]
fn reports_are_deterministic_across_save_and_load() {
    let doc = scripted();
    let first = weekly_report(&doc, &weekly_options()).unwrap();
    assert_eq!(weekly_report(&doc, &weekly_options()).unwrap(), first);
    // Saved by an AutoCommit, loaded again: the same bytes out.
    let mut reloaded = AutoCommit::load(&doc.save()).unwrap();
    let reloaded = Automerge::load(&reloaded.save()).unwrap();
    assert_eq!(weekly_report(&reloaded, &weekly_options()).unwrap(), first);
    assert_eq!(
        weekly_report(&reloaded, &since_last_options()).unwrap(),
        weekly_report(&doc, &since_last_options()).unwrap()
    );
    assert_eq!(matrix_csv(&reloaded).unwrap(), matrix_csv(&doc).unwrap());
}
