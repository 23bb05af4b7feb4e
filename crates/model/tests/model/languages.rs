//! Reports in the coalition's languages: goldens the web client must match byte for byte
//! (web/tests/report-golden.test.ts), and the shared vectors (i18n/vectors.json) that pin
//! plural rules in both implementations. Rewrite with
//! `UPDATE_FIXTURES=1 cargo test -p caucus-model languages` and read the diff.

use caucus_model::i18n::{Arg, Catalog, languages};
use caucus_model::{matrix_csv_in, weekly_report_in};

use crate::scripted::{check_golden, scripted, since_last_options, weekly_options};

#[test]
fn the_weekly_report_and_matrix_in_french_spanish_and_arabic_match_their_goldens() {
    for (lang, options, file) in [
        ("fr", weekly_options(), "report-weekly-fr.md"),
        ("es", since_last_options(), "report-since-last-es.md"),
        ("ar", weekly_options(), "report-weekly-ar.md"),
    ] {
        let catalog = Catalog::new(lang).unwrap();
        let report = weekly_report_in(&scripted(), &options, &catalog).unwrap();
        check_golden(file, report.as_bytes());
    }
    let csv = matrix_csv_in(&scripted(), &Catalog::new("fr").unwrap()).unwrap();
    check_golden("matrix-fr.csv", csv.as_bytes());
}

#[test]
fn a_translated_report_names_things_in_its_language_and_keeps_what_people_wrote() {
    let fr = Catalog::new("fr").unwrap();
    let report = weekly_report_in(&scripted(), &weekly_options(), &fr).unwrap();
    assert!(
        report.starts_with("# Rapport hebdomadaire du 2026-11-13\n"),
        "{report}"
    );
    // Countries by CLDR, agenda titles by the ITU's translation, stances in French.
    assert!(report.contains("Brésil"), "{report}");
    assert!(report.contains("Rôle de l'UIT concernant"), "{report}");
    assert!(
        report.contains("## Positions par point de l’ordre du jour"),
        "{report}"
    );
    // Notes are the coalition's own words: never translated.
    assert!(report.contains("PP26/44"), "{report}");
    let english = weekly_report_in(&scripted(), &weekly_options(), &Catalog::english().unwrap());
    assert_ne!(english.unwrap(), report);
    let ar =
        weekly_report_in(&scripted(), &weekly_options(), &Catalog::new("ar").unwrap()).unwrap();
    assert!(
        ar.contains("البرازيل") && ar.contains("التقرير الأسبوعي"),
        "{ar}"
    );
    assert!(
        !ar.contains('\u{2068}'),
        "no isolation marks in a mailed report"
    );
}

#[test]
fn an_unknown_language_is_refused_by_name() {
    let err = Catalog::new("de").unwrap_err().to_string();
    assert!(
        err.contains("\"de\"") && err.contains("ar, en, es, fr"),
        "{err}"
    );
    assert_eq!(languages(), ["ar", "en", "es", "fr"]);
}

/// One case of i18n/vectors.json: a message, its arguments, and what it says.
#[derive(serde::Serialize, serde::Deserialize)]
struct Vector {
    lang: String,
    id: String,
    args: serde_json::Map<String, serde_json::Value>,
    text: String,
}

#[test]
fn the_shared_vectors_format_as_written() {
    let path = crate::scripted::fixture_path("../../i18n/vectors.json");
    let mut vectors: Vec<Vector> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut wrong = Vec::new();
    for vector in &mut vectors {
        let catalog = Catalog::new(&vector.lang).unwrap();
        let texts: Vec<(String, String)> = vector
            .args
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
            .collect();
        let mut args: Vec<(&str, Arg<'_>)> = texts
            .iter()
            .map(|(k, v)| (k.as_str(), Arg::Text(v.as_str())))
            .collect();
        for (k, v) in &vector.args {
            if let Some(n) = v.as_u64() {
                args.push((k.as_str(), Arg::Count(n as usize)));
            }
        }
        let text = catalog.text(&vector.id, &args);
        if text != vector.text {
            wrong.push(format!(
                "{} {} {:?}: {text:?}",
                vector.lang, vector.id, vector.args
            ));
            vector.text = text;
        }
    }
    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|value| value == "1") {
        let mut json = serde_json::to_string_pretty(&vectors).unwrap();
        json.push('\n');
        std::fs::write(&path, json).unwrap();
        return;
    }
    assert!(
        wrong.is_empty(),
        "vectors differ (UPDATE_FIXTURES=1 rewrites):\n{}",
        wrong.join("\n")
    );
}
