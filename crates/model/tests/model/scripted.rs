//! The scripted history fixture (`caucus_model::sample::scripted_analysis`) and the golden
//! files made from it: `tests/fixtures/scripted-analysis.automerge`, `report-weekly.md`,
//! `report-since-last.md` and `matrix.csv`. Compared byte for byte; rewrite them after a
//! deliberate change with `UPDATE_FIXTURES=1 cargo test -p caucus-model scripted`.

use std::path::PathBuf;
use std::sync::OnceLock;

use automerge::{AutoCommit, Automerge};
use caucus_model::{Date, ReportOptions, Since, matrix_csv, sample, weekly_report};

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

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/fixtures/{name}"))
}

/// Compares `content` with the golden file `name`, or rewrites it under UPDATE_FIXTURES=1.
fn check_golden(name: &str, content: &[u8]) {
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
    check_golden("report-weekly.md", report.as_bytes());
}

#[test]
fn scripted_since_last_report_matches_golden() {
    let report = weekly_report(&scripted(), &since_last_options()).unwrap();
    assert!(report.contains("the last report, 2026-11-13"), "{report}");
    check_golden("report-since-last.md", report.as_bytes());
}

#[test]
fn scripted_matrix_csv_matches_golden() {
    let csv = matrix_csv(&scripted()).unwrap();
    assert!(!csv.starts_with('\u{feff}'));
    assert!(csv.ends_with("\r\n"));
    assert_eq!(csv.lines().count(), 195, "a header and one row per country");
    assert!(
        csv.split("\r\n")
            .next()
            .unwrap()
            .starts_with("code,name,region,Dec 12 stance,Dec 12 confidence,")
    );
    check_golden("matrix.csv", csv.as_bytes());
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
