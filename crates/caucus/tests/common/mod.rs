//! What the CLI tests share: running the real `caucus` binary and a real `caucus serve`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

pub(crate) const ADMIN: &str = "cli-test-admin-token-0123456789";

pub(crate) fn caucus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_caucus"))
}

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(data: &std::path::Path) -> Server {
    serve_logging(data, "warn", Stdio::null())
}

/// Starts `caucus serve` on a free port with its logs (at `level`) going to `logs`.
pub(crate) fn serve_logging(data: &std::path::Path, level: &str, logs: Stdio) -> Server {
    serve_args(data, level, logs, &[])
}

/// `caucus serve` with more flags.
pub(crate) fn serve_with(data: &std::path::Path, flags: &[&str]) -> Server {
    serve_args(data, "warn", Stdio::null(), flags)
}

fn serve_args(data: &std::path::Path, level: &str, logs: Stdio, flags: &[&str]) -> Server {
    let mut child = caucus()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(flags)
        .env("CAUCUS_ADMIN_TOKEN", ADMIN)
        .env("RUST_LOG", level)
        .stdout(Stdio::piped())
        .stderr(logs)
        .spawn()
        .expect("start caucus serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("listening on "))
        .expect("listening line");
    let url = line.rsplit(' ').next().expect("url").to_owned();
    Server { child, url }
}

pub(crate) fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run caucus")
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Standard output of a command that must have succeeded (else fail with everything it said).
pub(crate) fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The scripted sample analysis under a fresh id, written as a whole-document change file in
/// `dir` (what `caucus changes import` takes). Returns the id, the document and the file.
pub(crate) fn sample_change_file(
    dir: &std::path::Path,
) -> (
    caucus_relay::DocumentId,
    automerge::Automerge,
    std::path::PathBuf,
) {
    let id = caucus_relay::DocumentId::random();
    let id_bytes = caucus_model::changefile::document_id_bytes(&id.to_bytes()).unwrap();
    let sample = caucus_model::sample::scripted_analysis()
        .unwrap()
        .document()
        .clone();
    let file = dir.join("whole.caucus-changes");
    std::fs::write(
        &file,
        caucus_model::changefile::export_changes(&sample, &id_bytes, &[]).unwrap(),
    )
    .unwrap();
    (id, sample, file)
}
