//! Sealed analyses end to end with the real binary and a real relay (docs/sealed.md): what is
//! written is nowhere in the relay's files or its backup; members read it, a removed device
//! keeps only what it read before, a device added later reads everything; the plain API
//! refuses the document; hostile uploads are refused, counted and leave nothing stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use caucus_sealed::envelope::EnvelopeHeader;
use caucus_sealed::{DeviceSecret, DocId, Envelope, EnvelopeKind, EpochKey};
use common::*;

struct Device {
    key: PathBuf,
    id: String,
}

fn device(dir: &Path, name: &str) -> Device {
    let key = dir.join(format!("{name}.key"));
    let out = ok(&run(caucus().args(["device", "new", "--key"]).arg(&key)));
    let id = out.lines().last().unwrap().to_owned();
    assert!(id.starts_with("dev_"), "{out}");
    Device { key, id }
}

fn sealed(server: &Server, device: &Device, args: &[&str]) -> std::process::Output {
    run(caucus()
        .arg("sealed")
        .args(args)
        .args(["--server", &server.url, "--token", ADMIN, "--key"])
        .arg(&device.key))
}

fn export(server: &Server, device: &Device, doc: &str, format: &str) -> std::process::Output {
    run(caucus()
        .args([
            "export",
            doc,
            "--format",
            format,
            "--server",
            &server.url,
            "--token",
            ADMIN,
            "--key",
        ])
        .arg(&device.key))
}

/// Every file under `dir`, searched for `needle` as bytes.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
            {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn what_members_write_is_ciphertext_on_the_relay_and_removed_devices_read_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = serve(&data);
    let (ana, maria, omar) = (
        device(dir.path(), "ana"),
        device(dir.path(), "maria"),
        device(dir.path(), "omar"),
    );

    let out = ok(&sealed(
        &server,
        &ana,
        &["create", "--title", "Sealed PP-26 TITLE-7Q"],
    ));
    assert!(
        out.lines()
            .any(|l| l.starts_with("recovery key: caucus-recovery-")),
        "{out}"
    );
    let doc = out.lines().last().unwrap().to_owned();
    assert!(doc.starts_with("automerge:"), "{out}");

    let before = "BEFORE-REMOVAL-4F2K";
    ok(&sealed(
        &server,
        &ana,
        &["set", &doc, "countries/BR/positions/res-102/notes", before],
    ));
    ok(&sealed(
        &server,
        &ana,
        &[
            "set",
            &doc,
            "countries/BR/positions/res-102/stance",
            "supports",
        ],
    ));
    ok(&sealed(&server, &ana, &["add", &doc, &maria.id]));
    assert!(ok(&export(&server, &maria, &doc, "json")).contains(before));
    // History and change files come from the member device too.
    let history = ok(&run(caucus()
        .args([
            "history",
            &doc,
            "--field",
            "countries/BR/positions/res-102",
            "--json",
            "--server",
            &server.url,
            "--token",
            ADMIN,
            "--key",
        ])
        .arg(&maria.key)));
    assert!(history.contains(before), "{history}");
    let changes = dir.path().join("sealed.caucus-changes");
    ok(&run(caucus()
        .args([
            "changes",
            "export",
            &doc,
            "--server",
            &server.url,
            "--token",
            ADMIN,
            "--key",
        ])
        .arg(&maria.key)
        .arg("--output")
        .arg(&changes)));
    assert!(std::fs::read(&changes).unwrap().starts_with(b"CAUCUSCH"));
    std::fs::remove_file(&changes).unwrap();

    ok(&sealed(&server, &ana, &["remove", &doc, &maria.id]));
    let after = "AFTER-REMOVAL-9X3M";
    ok(&sealed(
        &server,
        &ana,
        &["set", &doc, "countries/AR/positions/res-102/notes", after],
    ));
    let removed = export(&server, &maria, &doc, "json");
    let removed_out = ok(&removed);
    assert!(
        removed_out.contains(before) && !removed_out.contains(after),
        "{removed_out}"
    );
    assert!(
        String::from_utf8_lossy(&removed.stderr).contains("was removed"),
        "a removed device is told"
    );
    assert!(
        !sealed(&server, &maria, &["set", &doc, "title", "x"])
            .status
            .success(),
        "and cannot write"
    );

    ok(&sealed(&server, &ana, &["add", &doc, &omar.id]));
    let later = ok(&export(&server, &omar, &doc, "json"));
    assert!(
        later.contains(before) && later.contains(after),
        "a device added later reads everything"
    );
    assert_eq!(
        ok(&export(&server, &omar, &doc, "md")),
        ok(&export(&server, &ana, &doc, "md"))
    );
    let stranger = device(dir.path(), "stranger");
    let refused = export(&server, &stranger, &doc, "json");
    assert!(
        !refused.status.success() && text(&refused).contains("not a member"),
        "{}",
        text(&refused)
    );

    // The plain document API cannot read it, and the relay's files and backup hold no content.
    let plain = run(caucus().args(["export", &doc, "--server", &server.url, "--token", ADMIN]));
    assert!(
        text(&plain).contains("sealed: export from a member device"),
        "{}",
        text(&plain)
    );
    let backup = dir.path().join("sealed.backup");
    ok(&run(caucus().args(["backup", "--to"]).arg(&backup).args([
        "--server",
        &server.url,
        "--admin-token",
        ADMIN,
    ])));
    for secret in [before, after, "TITLE-7Q", "Brazil"] {
        assert!(
            files_containing(&data, secret).is_empty(),
            "{secret} in the data directory"
        );
        assert!(
            files_containing(dir.path().join("sealed.backup").parent().unwrap(), secret)
                .iter()
                .all(|p| p.extension().is_some_and(|e| e == "cache")),
            "{secret} outside the devices' own caches"
        );
    }
}

fn post(server: &Server, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(format!("{}{path}", server.url))
        .header("Authorization", format!("Bearer {ADMIN}"))
        .send_json(body)
        .unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_json().unwrap_or_default())
}

#[test]
fn hostile_uploads_are_refused_counted_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir.path().join("data"));
    let ana = device(dir.path(), "ana");
    let doc = ok(&sealed(&server, &ana, &["create"]))
        .lines()
        .last()
        .unwrap()
        .to_owned();
    ok(&sealed(&server, &ana, &["set", &doc, "title", "one"]));
    let doc_id: DocId = doc.parse().unwrap();
    let id = doc_id.to_string();
    let secret = DeviceSecret::from_key_file(&std::fs::read_to_string(&ana.key).unwrap()).unwrap();
    let keys = secret.keys();
    // The content key does not matter to the relay: it checks what it can without it.
    let key = EpochKey::from_bytes([1; 32]).content_key(&doc_id);
    let envelope = |kind, epoch, number, signer: &caucus_sealed::DeviceKeys| {
        let header = EnvelopeHeader {
            kind,
            doc: doc_id,
            epoch,
            number,
        };
        BASE64.encode(
            Envelope::seal(header, signer, &key, b"x")
                .unwrap()
                .as_bytes(),
        )
    };
    let stranger = DeviceSecret::from_bytes([9; 32]).keys();
    let mut forged = BASE64
        .decode(envelope(EnvelopeKind::Change, 0, 2, &keys))
        .unwrap();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let cases = [
        (
            "signature",
            400,
            serde_json::json!({"envelopes": [BASE64.encode(&forged)]}),
        ),
        (
            "sequence",
            409,
            serde_json::json!({"envelopes": [envelope(EnvelopeKind::Change, 0, 1, &keys)]}),
        ),
        (
            "sequence",
            409,
            serde_json::json!({"envelopes": [envelope(EnvelopeKind::Change, 0, 3, &keys)]}),
        ),
        (
            "not-member",
            403,
            serde_json::json!({"envelopes": [envelope(EnvelopeKind::Change, 0, 1, &stranger)]}),
        ),
        (
            "stale-epoch",
            409,
            serde_json::json!({"envelopes": [envelope(EnvelopeKind::Change, 5, 2, &keys)]}),
        ),
        (
            "malformed",
            400,
            serde_json::json!({"envelopes": ["not base64!"]}),
        ),
    ];
    for (reason, status, body) in cases {
        let (got, answer) = post(&server, &format!("/api/sealed/{id}/log"), body);
        assert_eq!(
            (got, answer["reason"].as_str()),
            (status, Some(reason)),
            "{answer}"
        );
    }
    let (got, answer) = post(
        &server,
        &format!("/api/sealed/{id}/snapshot"),
        serde_json::json!({"envelope": envelope(EnvelopeKind::Snapshot, 0, 0, &keys)}),
    );
    assert_eq!(
        (got, answer["reason"].as_str()),
        (409, Some("snapshot-backwards")),
        "{answer}"
    );

    // Nothing of it was stored: the log still ends at the one real change.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let state: serde_json::Value = agent
        .get(format!("{}/api/sealed/{id}?after=1", server.url))
        .header("Authorization", format!("Bearer {ADMIN}"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(state["head"], 1, "{state}");
    let metrics = agent
        .get(format!("{}/metrics", server.url))
        .header("Authorization", format!("Bearer {ADMIN}"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(
        metrics.contains("caucus_sealed_refused_total{reason=\"sequence\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("caucus_sealed_refused_total{reason=\"signature\"} 1"),
        "{metrics}"
    );
}
