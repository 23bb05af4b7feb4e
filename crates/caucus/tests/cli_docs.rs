//! `caucus export`, `caucus history` and `caucus changes` with the real binary: on stopped data
//! directories that never talk to each other, and against a running `caucus serve`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use automerge::{ActorId, AutoCommit};
use caucus_model::changefile;
use caucus_model::{Attribution, Stance, Timestamp};
use caucus_relay::DocumentId;
use common::*;

fn export(id: &DocumentId, data: &Path, args: &[&str]) -> String {
    ok(&run(caucus()
        .arg("export")
        .arg(id.as_str())
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("CAUCUS_SERVER")))
}

fn import(file: &Path, data: &Path) -> std::process::Output {
    run(caucus()
        .args(["changes", "import"])
        .arg(file)
        .arg("--data")
        .arg(data)
        .env_remove("CAUCUS_SERVER"))
}

#[test]
fn reports_history_and_change_files_on_data_dirs_and_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    // Both replicas start from the same whole-document file (like a USB stick handed round).
    let (id, sample, whole) = sample_change_file(dir.path());
    let id_bytes = changefile::document_id_bytes(&id.to_bytes()).unwrap();
    let sample_heads = sample.get_heads();
    for data in [&a, &b] {
        assert!(ok(&import(&whole, data)).contains("new change(s)"));
    }
    assert!(ok(&import(&whole, &a)).contains("already had every change"));

    // The report a data dir gives is the model's, byte for byte.
    let report = export(
        &id,
        &a,
        &[
            "--format",
            "md",
            "--date",
            "2026-11-13",
            "--since",
            "2026-11-09",
        ],
    );
    let expected = caucus_model::report::weekly_report(
        &sample,
        &caucus_model::report::ReportOptions {
            date: caucus_model::Date::parse("2026-11-13").unwrap(),
            since: caucus_model::report::Since::Date(
                caucus_model::Date::parse("2026-11-09").unwrap(),
            ),
        },
    )
    .unwrap();
    assert_eq!(report, expected);
    // Exports meant for the list leave the sample's internal note out, the JSON keeps it.
    let internal = caucus_model::sample::INTERNAL_NOTE;
    assert!(!report.contains(internal) && report.contains("- Egypt: reported. Sources: PP26/44"));
    let csv = export(&id, &a, &["--format", "csv"]);
    assert!(!csv.contains(internal) && csv.contains("PP26/44; https://example.org/arab-group"));
    let json: serde_json::Value =
        serde_json::from_str(&export(&id, &a, &["--format", "json"])).unwrap();
    let egypt = &json["countries"]["EG"]["positions"]["res-102"];
    assert_eq!(
        (&egypt["notes"], &egypt["notesInternal"]),
        (&serde_json::json!(internal), &serde_json::json!(true))
    );

    // Someone edits on A's side (their laptop's file lands on A), A exports only what B lacks.
    let mut laptop = AutoCommit::load(&sample.save())
        .unwrap()
        .with_actor(ActorId::random());
    let when = Timestamp::parse("2026-11-21T09:00:00Z").unwrap();
    caucus_model::register_member(&mut laptop, "carol", "Carol", "Hall team").unwrap();
    caucus_model::set_stance(
        &mut laptop,
        &Attribution::new("carol", when.clone()),
        "KE",
        "res-102",
        Stance::Opposes,
    )
    .unwrap();
    caucus_model::commit_edit(&mut laptop, "Kenya on Res 102", &when);
    let edit = dir.path().join("edit.caucus-changes");
    std::fs::write(
        &edit,
        changefile::export_changes(laptop.document(), &id_bytes, &sample_heads).unwrap(),
    )
    .unwrap();
    assert!(ok(&import(&edit, &a)).contains("imported 1 new change(s)"));
    let since = sample_heads
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let for_b = dir.path().join("for-b.caucus-changes");
    let out = run(caucus()
        .args([
            "changes",
            "export",
            id.as_str(),
            "--since",
            &since,
            "--output",
        ])
        .arg(&for_b)
        .arg("--data")
        .arg(&a)
        .env_remove("CAUCUS_SERVER"));
    ok(&out);
    assert!(ok(&import(&for_b, &b)).contains("imported 1 new change(s)"));
    assert_eq!(
        export(&id, &a, &["--format", "json"]),
        export(&id, &b, &["--format", "json"]),
        "the two data dirs converged without ever connecting"
    );

    // A damaged file is refused with the reason, and changes nothing.
    let mut bytes = std::fs::read(&for_b).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    let damaged = dir.path().join("damaged.caucus-changes");
    std::fs::write(&damaged, bytes).unwrap();
    let out = import(&damaged, &b);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("checksum does not match"),
        "{}",
        text(&out)
    );
    let csv_b = export(&id, &b, &["--format", "csv"]);

    // The same commands against a running relay.
    let server = serve(&a);
    let over_http = |args: &[&str]| {
        ok(&run(caucus().args(args).args([
            "--server",
            &server.url,
            "--token",
            ADMIN,
        ])))
    };
    assert_eq!(
        over_http(&["export", id.as_str(), "--format", "csv"]),
        csv_b,
        "the server's matrix is the data dir's"
    );
    let history = over_http(&[
        "history",
        id.as_str(),
        "--field",
        "countries/KE/positions/res-102",
    ]);
    // By editing session (the default): each session with the field before → after.
    assert!(
        history.contains("countries/KE/positions/res-102/stance : \"supports\" → \"opposes\""),
        "{history}"
    );
    let raw = over_http(&[
        "history",
        id.as_str(),
        "--field",
        "countries/KE/positions/res-102",
        "--raw",
    ]);
    assert!(raw.contains("Kenya on Res 102"), "{raw}");
    assert!(raw.contains("stance = \"opposes\""), "{raw}");
    let for_b_path = for_b.to_string_lossy().into_owned();
    assert!(over_http(&["changes", "import", &for_b_path]).contains("already had every change"));
    drop(server);
}

#[test]
fn export_in_a_language_gives_the_models_bytes_on_a_data_dir_and_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a");
    let (id, sample, whole) = sample_change_file(dir.path());
    ok(&import(&whole, &data));
    let dates = ["--date", "2026-11-13", "--since", "2026-11-09"];
    let french = export(
        &id,
        &data,
        &[&["--format", "md", "--lang", "fr"][..], &dates].concat(),
    );
    let options = caucus_model::report::ReportOptions {
        date: caucus_model::Date::parse("2026-11-13").unwrap(),
        since: caucus_model::report::Since::Date(caucus_model::Date::parse("2026-11-09").unwrap()),
    };
    let catalog = caucus_model::i18n::Catalog::new("fr").unwrap();
    let expected = caucus_model::weekly_report_in(&sample, &options, &catalog).unwrap();
    assert_eq!(french, expected);
    assert!(
        french.starts_with("# Rapport hebdomadaire du 2026-11-13"),
        "{french}"
    );
    let csv = export(&id, &data, &["--format", "csv", "--lang", "ar"]);
    assert!(csv.starts_with("الرمز,الاسم,المنطقة,"), "{csv}");

    // A language there is no catalog for, or one asked of JSON, is refused by name.
    for (args, says) in [
        (
            &["--format", "md", "--lang", "de"][..],
            "unknown language \"de\": use one of ar, en, es, fr",
        ),
        (
            &["--format", "json", "--lang", "fr"][..],
            "`lang` applies to md and csv",
        ),
    ] {
        let out = run(caucus()
            .arg("export")
            .arg(id.as_str())
            .args(args)
            .arg("--data")
            .arg(&data)
            .env_remove("CAUCUS_SERVER"));
        assert!(
            !out.status.success() && text(&out).contains(says),
            "{}",
            text(&out)
        );
    }

    let server = serve(&data);
    let over_http = ok(&run(caucus()
        .args(["export", id.as_str(), "--format", "md", "--lang", "fr"])
        .args(dates)
        .args(["--server", &server.url, "--token", ADMIN])));
    assert_eq!(
        over_http, expected,
        "the relay's French report is the data dir's"
    );
}
