//! `caucus backup`, `restore`, `dump` and `import` with the real binary: a backup taken from a
//! running server restores into a new data dir, which dumps to plain automerge files that import
//! into a third; the analysis is the same at every step.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use caucus_relay::DocumentId;
use common::*;

fn offline(args: &[&str], data: &Path) -> std::process::Output {
    run(caucus()
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("CAUCUS_SERVER")
        .env_remove("CAUCUS_ADMIN_TOKEN"))
}

fn analysis_json(id: &DocumentId, data: &Path) -> String {
    ok(&offline(&["export", id.as_str(), "--format", "json"], data))
}

#[test]
fn a_backup_of_a_running_relay_restores_dumps_and_imports_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (live, restored, imported) = (
        dir.path().join("live"),
        dir.path().join("restored"),
        dir.path().join("imported"),
    );
    // The sample analysis, loaded into the first data dir with a change file.
    let (id, sample, whole) = sample_change_file(dir.path());
    ok(&offline(
        &["changes", "import", &whole.to_string_lossy()],
        &live,
    ));
    let expected = analysis_json(&id, &live);

    // Online backup from the running server, then a refused and a good restore.
    let backup = dir.path().join("caucus.backup");
    {
        let server = serve(&live);
        ok(&run(caucus().args(["backup", "--to"]).arg(&backup).args([
            "--server",
            &server.url,
            "--admin-token",
            ADMIN,
        ])));
        let last = ok(&run(caucus().args([
            "backup",
            "--last",
            "--server",
            &server.url,
            "--admin-token",
            ADMIN,
        ])));
        assert!(!last.trim().is_empty(), "the backup was recorded");
    }
    let mut damaged = std::fs::read(&backup).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x20;
    let damaged_file = dir.path().join("damaged.backup");
    std::fs::write(&damaged_file, damaged).unwrap();
    let refused = offline(&["restore", &damaged_file.to_string_lossy()], &restored);
    assert!(!refused.status.success(), "a damaged backup is refused");
    ok(&offline(&["restore", &backup.to_string_lossy()], &restored));
    assert_eq!(analysis_json(&id, &restored), expected);
    let again = offline(&["restore", &backup.to_string_lossy()], &restored);
    assert!(
        !again.status.success(),
        "restore never overwrites a used data dir"
    );

    // Out as plain automerge files, and back in elsewhere.
    let dump = dir.path().join("dump");
    ok(&offline(&["dump", &dump.to_string_lossy()], &restored));
    let file = dump.join(format!("{id}.automerge"));
    let plain = automerge::Automerge::load(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        plain.get_heads(),
        sample.get_heads(),
        "a standard automerge file"
    );
    ok(&offline(&["import", &dump.to_string_lossy()], &imported));
    assert_eq!(analysis_json(&id, &imported), expected);
}
