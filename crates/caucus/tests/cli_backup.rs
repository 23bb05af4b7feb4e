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

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `age-keygen -o DIR/key.txt` (Debian's `age`); the public key it made.
fn age_keygen(dir: &Path) -> (std::path::PathBuf, String) {
    let key = dir.join("key.txt");
    let out = run(std::process::Command::new("age-keygen").arg("-o").arg(&key));
    assert!(out.status.success(), "age-keygen: {}", text(&out));
    let public = std::fs::read_to_string(&key)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_owned))
        .expect("public key line");
    (key, public)
}

#[test]
fn an_encrypted_backup_is_for_its_identity_only_and_debians_age_decrypts_it() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    let (id, _, whole) = sample_change_file(dir.path());
    ok(&offline(
        &["changes", "import", &whole.to_string_lossy()],
        &live,
    ));
    assert_eq!(mode(&live), 0o700, "a new data directory");
    assert_eq!(mode(&live.join("caucus.redb")), 0o600);
    let expected = analysis_json(&id, &live);
    let (key, public) = age_keygen(dir.path());

    // From the stopped data directory, to the recipient.
    let sealed = dir.path().join("offline.backup.age");
    ok(&offline(
        &[
            "backup",
            "--to",
            &sealed.to_string_lossy(),
            "--recipient",
            &public,
        ],
        &live,
    ));
    assert_eq!(mode(&sealed), 0o600);
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert!(
        !bytes.windows(8).any(|w| w == b"CAUCUSBK"),
        "no backup bytes in clear"
    );
    let bad = offline(
        &["backup", "--to", "x.backup", "--recipient", "age1nope"],
        &live,
    );
    assert!(
        !bad.status.success() && text(&bad).contains("age1nope"),
        "{}",
        text(&bad)
    );

    // Debian's age decrypts it into a backup that restores.
    let plain = dir.path().join("decrypted.backup");
    let out = run(std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(&key)
        .arg("-o")
        .arg(&plain)
        .arg(&sealed));
    assert!(out.status.success(), "age -d: {}", text(&out));
    let from_age = dir.path().join("from-age");
    ok(&offline(&["restore", &plain.to_string_lossy()], &from_age));
    assert_eq!(analysis_json(&id, &from_age), expected);

    // caucus restore needs the identity, and with it restores everything.
    let refused = offline(
        &["restore", &sealed.to_string_lossy()],
        &dir.path().join("r0"),
    );
    assert!(!refused.status.success());
    assert!(text(&refused).contains("encrypted"), "{}", text(&refused));
    let restored = dir.path().join("restored");
    ok(&offline(
        &[
            "restore",
            &sealed.to_string_lossy(),
            "--identity",
            &key.to_string_lossy(),
        ],
        &restored,
    ));
    assert_eq!(mode(&restored), 0o700);
    assert_eq!(mode(&restored.join("caucus.redb")), 0o600);

    // A relay with --backup-recipient streams only ciphertext; the restore of it serves the
    // document.
    let downloaded = dir.path().join("online.backup.age");
    {
        let server = serve_with(&restored, &["--backup-recipient", &public]);
        ok(&run(caucus()
            .args(["backup", "--to"])
            .arg(&downloaded)
            .args(["--server", &server.url, "--admin-token", ADMIN])));
    }
    assert_eq!(mode(&downloaded), 0o600);
    let bytes = std::fs::read(&downloaded).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert!(!bytes.windows(8).any(|w| w == b"CAUCUSBK"));
    let again = dir.path().join("again");
    ok(&offline(
        &[
            "restore",
            &downloaded.to_string_lossy(),
            "--identity",
            &key.to_string_lossy(),
        ],
        &again,
    ));
    let server = serve(&again);
    let served = ok(&run(caucus()
        .args([
            "export",
            id.as_str(),
            "--format",
            "json",
            "--server",
            &server.url,
        ])
        .args(["--token", ADMIN])));
    assert_eq!(served, expected, "the restored relay serves the document");
}

#[test]
fn a_generated_admin_token_goes_to_a_0600_file_never_to_the_logs() {
    use std::io::{BufRead, BufReader, Read};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = caucus()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .env_remove("CAUCUS_ADMIN_TOKEN")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut said = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no listening line: {said}"
        );
        said.push_str(&line);
        if let Some(rest) = line.trim().strip_prefix("caucus: listening on ") {
            break rest.to_owned();
        }
    };
    let file = data.join("admin-token");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !file.exists() {
        assert!(std::time::Instant::now() < deadline, "no admin-token file");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(mode(&file), 0o600);
    let token = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    assert!(token.len() >= 16);
    let me = ok(&run(caucus()
        .args(["token", "list", "--server", &url, "--admin-token", &token])
        .env_remove("CAUCUS_ADMIN_TOKEN")));
    assert!(me.contains("admin"), "{me}");
    let _ = child.kill();
    let _ = child.wait();
    stdout.read_to_string(&mut said).unwrap();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(!said.contains(&token), "token on stdout: {said}");
    assert!(!logs.contains(&token), "token in the log: {logs}");
    assert!(logs.contains("admin-token"), "the log says where: {logs}");
}
