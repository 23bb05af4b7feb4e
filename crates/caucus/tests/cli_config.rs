//! `caucus config check` with a good and a bad file, and `caucus serve --config` running with
//! a file (flag > env > file > default, end to end).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::Stdio;

mod common;

use common::*;

const SECRET: &str = "file-admin-token-0123456789";

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `caucus` without any CAUCUS_* variable the test runner may have.
fn clean_caucus() -> std::process::Command {
    let mut cmd = caucus();
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CAUCUS_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

#[test]
fn check_prints_the_effective_config_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "caucus.toml",
        &format!(
            "# relay for the coalition\nlisten = \"0.0.0.0:8080\"\nmax-message-bytes = 1048576\n\
             admin-token = \"{SECRET}\"\nallowed-origin = [\"https://a.example\"]\n"
        ),
    );
    let out = run(clean_caucus()
        .args(["config", "check"])
        .arg(&file)
        .env("CAUCUS_OUTBOUND_QUEUE", "99"));
    let text = text(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        !text.contains(SECRET),
        "the admin token must never be printed:\n{text}"
    );
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no {key} line in:\n{text}"))
            .to_owned()
    };
    assert!(line("listen").contains("\"0.0.0.0:8080\""), "{text}");
    assert!(line("listen").ends_with("# file"), "{text}");
    assert!(line("max-message-bytes").contains("1048576"), "{text}");
    assert!(
        line("allowed-origin").contains("[\"https://a.example\"]"),
        "{text}"
    );
    // env > file > default
    assert!(line("outbound-queue").contains("99"), "{text}");
    assert!(
        line("outbound-queue").ends_with("# env CAUCUS_OUTBOUND_QUEUE"),
        "{text}"
    );
    assert!(line("message-rate").ends_with("# default"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("# admin-token: set (not shown)") && l.ends_with("# file")),
        "{text}"
    );

    // The environment beats the file.
    let out = run(clean_caucus()
        .args(["config", "check"])
        .arg(&file)
        .env("CAUCUS_LISTEN", "127.0.0.1:9999"));
    let text = common::text(&out);
    assert!(
        text.contains("listen = \"127.0.0.1:9999\"") && text.contains("# env CAUCUS_LISTEN"),
        "{text}"
    );
}

#[test]
fn check_rejects_a_bad_file_naming_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "typo.toml",
        "listen = \"0.0.0.0:8080\"\n\nmax-mesage-bytes = 1048576\n",
    );
    let out = run(clean_caucus().args(["config", "check"]).arg(&file));
    let text = text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("typo.toml"), "{text}");
    assert!(
        text.contains("line 3: unknown key `max-mesage-bytes`"),
        "{text}"
    );

    let file = write(dir.path(), "type.toml", "message-rate = \"fast\"\n");
    let out = run(clean_caucus().args(["config", "check"]).arg(&file));
    assert!(!out.status.success());
    assert!(
        common::text(&out).contains("line 1:"),
        "{}",
        common::text(&out)
    );

    // `serve` refuses the same file before it opens anything.
    let data = dir.path().join("data");
    let out = run(clean_caucus()
        .args(["serve", "--config"])
        .arg(dir.path().join("typo.toml"))
        .arg("--data")
        .arg(&data));
    assert!(!out.status.success());
    assert!(common::text(&out).contains("unknown key `max-mesage-bytes`"));
    assert!(!data.exists(), "nothing is created for a bad config");
}

#[test]
fn serve_runs_with_the_file_under_flags_and_env() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("from-the-flag");
    let file = write(
        dir.path(),
        "caucus.toml",
        &format!(
            "listen = \"127.0.0.1:0\"\ndata = \"{}\"\nadmin-token = \"{SECRET}\"\nlog-json = true\n",
            dir.path().join("from-the-file").display()
        ),
    );
    let mut child = clean_caucus()
        .arg("serve")
        .arg("--data")
        .arg(&data)
        .env("CAUCUS_CONFIG", &file)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let listening = stdout
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("listening on "));
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&output.stderr);
    let listening = listening.unwrap_or_else(|| panic!("no listening line; logs:\n{logs}"));
    assert!(listening.contains("127.0.0.1:"), "{listening}");
    // The flag's data dir, not the file's; the token from the file (so none was generated).
    assert!(data.join("caucus.redb").exists());
    assert!(!dir.path().join("from-the-file").exists());
    // log-json from the file: the log lines are JSON.
    let first = logs.lines().next().unwrap_or_default();
    assert!(
        first.starts_with('{'),
        "log-json = true in the file:\n{logs}"
    );
    assert!(!logs.contains(SECRET));
}

/// The README's configuration table lists exactly the flags of `caucus serve --help`, each with
/// the environment variable `--help` names.
#[test]
fn readme_configuration_table_matches_serve_help() {
    let out = run(clean_caucus().args(["serve", "--help"]));
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut from_help = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in help.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed
            .strip_prefix("--")
            .or_else(|| trimmed.get(4..).and_then(|t| t.strip_prefix("--")))
            && line.starts_with("  ")
        {
            let flag = rest.split([' ', ',']).next().unwrap_or_default().to_owned();
            current = (flag != "help").then_some(flag);
        }
        if let (Some(flag), Some(env)) = (&current, line.split("[env: ").nth(1)) {
            let env = env.split([']', '=']).next().unwrap_or_default().to_owned();
            from_help.insert(flag.clone(), env);
        }
    }
    assert!(
        from_help.len() > 20
            && from_help
                .get("log-json")
                .is_some_and(|e| e == "CAUCUS_LOG_JSON"),
        "could not read the flags from --help:\n{help}"
    );
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme
        .split("## Configuration")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Configuration section");
    let from_readme: std::collections::BTreeMap<_, _> = section
        .lines()
        .filter_map(|l| {
            let cells: Vec<_> = l.split('|').map(str::trim).collect();
            let flag = cells.get(1)?.strip_prefix("`--")?.strip_suffix('`')?;
            let env = cells.get(2)?.trim_matches('`');
            Some((flag.to_owned(), env.to_owned()))
        })
        .collect();
    assert_eq!(
        from_readme, from_help,
        "README.md's configuration table (left) must match `caucus serve --help` (right)"
    );
}
