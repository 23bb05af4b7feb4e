//! `caucus status` against a real `caucus serve`: the summary and the raw JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

#[test]
fn status_summarises_a_running_relay() {
    let dir = tempfile::tempdir().unwrap();
    // One stored document, imported while the relay is stopped.
    let (id, _, file) = sample_change_file(dir.path());
    let data = dir.path().join("data");
    let out = run(caucus()
        .args(["changes", "import"])
        .arg(&file)
        .arg("--data")
        .arg(&data)
        .env_remove("CAUCUS_SERVER"));
    assert!(out.status.success(), "{}", text(&out));

    let server = serve(&data);
    let status = |args: &[&str], token: &str| {
        run(caucus()
            .arg("status")
            .args(args)
            .args(["--server", &server.url])
            .env("CAUCUS_ADMIN_TOKEN", token))
    };
    let out = status(&[], ADMIN);
    assert!(out.status.success(), "{}", text(&out));
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(summary.contains("caucus relay "), "{summary}");
    assert!(summary.contains("connections: 0"), "{summary}");
    assert!(summary.contains("documents: 1 stored"), "{summary}");
    assert!(summary.contains("last backup: none"), "{summary}");
    assert!(summary.contains("largest documents:"), "{summary}");
    assert!(summary.contains(id.as_str()), "{summary}");

    let out = status(&["--json"], ADMIN);
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["documents"]["stored"], 1);
    assert_eq!(json["documents"]["list"][0]["id"], id.as_str());
    assert!(json["lastBackup"].is_null());

    // A backup taken over HTTP shows up with its age.
    let backup = dir.path().join("b.caucus-backup");
    let out = run(caucus().args(["backup", "--to"]).arg(&backup).args([
        "--server",
        &server.url,
        "--admin-token",
        ADMIN,
    ]));
    assert!(out.status.success(), "{}", text(&out));
    let summary = String::from_utf8_lossy(&status(&[], ADMIN).stdout).into_owned();
    let line = summary
        .lines()
        .find(|l| l.starts_with("last backup: "))
        .expect("backup line");
    assert!(
        line.contains("s ago (") && line.contains("http"),
        "{summary}"
    );
    assert!(!summary.contains("WARNING"), "{summary}");

    // Not an admin: the server's refusal, not a crash.
    let out = status(&[], "not-a-token");
    assert!(!out.status.success());
    assert!(text(&out).contains("401"), "{}", text(&out));
    drop(server);
}
