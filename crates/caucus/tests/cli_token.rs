//! `caucus token` against a real `caucus serve` process and against a stopped server's data
//! directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;

mod common;

use common::*;

#[test]
fn tokens_over_the_api_and_on_a_stopped_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    // Offline: the way back in after losing the admin token.
    let out = run(caucus()
        .args([
            "token", "create", "--role", "admin", "--name", "recovery", "--data",
        ])
        .arg(dir.path())
        .env_remove("CAUCUS_SERVER")
        .env_remove("CAUCUS_ADMIN_TOKEN"));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("shown only this once"));

    let server = serve(dir.path());
    // The data dir is locked while the server runs: a clear message, not a crash.
    let out = run(caucus()
        .args(["token", "list", "--data"])
        .arg(dir.path())
        .env_remove("CAUCUS_SERVER"));
    assert!(!out.status.success());
    assert!(
        text(&out).contains("in use by a running server"),
        "{}",
        text(&out)
    );

    let api = |args: &[&str]| {
        run(caucus()
            .arg("token")
            .args(args)
            .args(["--server", &server.url])
            .env("CAUCUS_ADMIN_TOKEN", ADMIN))
    };
    let out = api(&[
        "create",
        "--role",
        "viewer",
        "--name",
        "press list",
        "--expires",
        "7d",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let created = text(&out);
    let secret = created
        .lines()
        .find_map(|l| l.strip_prefix("token (shown only this once): "))
        .expect("secret line")
        .to_owned();
    assert!(
        created.contains(&format!("{}/#token={secret}", server.url)),
        "invitation link"
    );

    let out = api(&["list"]);
    let list = text(&out);
    assert!(list.contains("press list") && list.contains("viewer") && list.contains("recovery"));
    assert!(!list.contains(&secret), "secret in the list");
    let id = list
        .lines()
        .find(|l| l.contains("press list"))
        .and_then(|l| l.split_whitespace().next())
        .expect("id")
        .to_owned();
    let out = api(&["revoke", &id]);
    assert!(out.status.success(), "{}", text(&out));
    let out = api(&["revoke", "no-such-token"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no such token"));
    let out = run(caucus()
        .args(["token", "list", "--server", &server.url])
        .env("CAUCUS_ADMIN_TOKEN", &secret));
    assert!(
        !out.status.success(),
        "a revoked viewer token listed tokens"
    );
    assert!(text(&out).contains("401"));
}

/// With full debug logging on, a token used in the websocket query and in API headers never
/// appears in the server's logs.
#[test]
fn secrets_never_reach_the_logs() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = serve_logging(&dir.path().join("data"), "debug", Stdio::from(log));
    let addr = server.url.trim_start_matches("http://").to_owned();
    for request in [
        format!(
            "GET /sync?token={ADMIN} HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        ),
        format!("GET /?token={ADMIN} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        format!(
            "GET /api/tokens HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN}\r\nConnection: close\r\n\r\n"
        ),
    ] {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(2)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = server.child.kill();
    let _ = server.child.wait();
    server.url.clear();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logs.contains("http request"),
        "debug request logs missing:\n{logs}"
    );
    assert!(logs.contains("token=<redacted>"));
    assert!(!logs.contains(ADMIN), "a secret reached the logs:\n{logs}");
}
