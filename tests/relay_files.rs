//! Conference documents on a real relay: upload and download byte for byte, ranges, the bounds
//! decided before a body byte is read, access (viewers read, other documents' tokens see
//! nothing), and files surviving a restart, a backup → restore and a dump → import.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use caucus_relay::{Config, DocumentId, backup, portable};
use caucus_tests::*;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const QUIET: Duration = Duration::from_millis(300);

/// A relay holding one small document; returns it and the document's ID.
async fn relay_with_doc(config: Config) -> anyhow::Result<(TestRelay, DocumentId)> {
    let relay = TestRelay::start_with(config).await?;
    let id = push_doc(&relay).await?;
    Ok((relay, id))
}

async fn push_doc(relay: &TestRelay) -> anyhow::Result<DocumentId> {
    let id = DocumentId::random();
    let mut peer = Peer::connect(&relay.ws_url(), &format!("loader-{id}")).await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(2));
    peer.sync_until_quiet(&mut doc, QUIET).await?;
    Ok(id)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Deterministic bytes that do not compress to nothing.
fn bytes_of(len: usize, seed: u8) -> Vec<u8> {
    let mut x = u32::from(seed) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect()
}

async fn upload(
    addr: SocketAddr,
    token: &str,
    doc: &DocumentId,
    name: &str,
    kind: &str,
    body: &[u8],
) -> anyhow::Result<HttpResponse> {
    let auth = bearer(token);
    let filename = format!("X-Filename: {name}");
    let content_type = format!("Content-Type: {kind}");
    http_exchange(
        addr,
        "POST",
        &format!("/api/docs/{doc}/files"),
        &[auth.as_str(), filename.as_str(), content_type.as_str()],
        Some(body),
    )
    .await
}

async fn download(
    addr: SocketAddr,
    token: &str,
    doc: &DocumentId,
    hash: &str,
    range: Option<&str>,
) -> anyhow::Result<HttpResponse> {
    let auth = bearer(token);
    let mut headers = vec![auth];
    if let Some(range) = range {
        headers.push(format!("Range: {range}"));
    }
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    http_exchange(
        addr,
        "GET",
        &format!("/api/docs/{doc}/files/{hash}"),
        &headers,
        None,
    )
    .await
}

/// Sends only the headers of a request whose body is never sent, and returns the answer: a
/// relay that decides before reading the body answers at once.
async fn headers_only(addr: SocketAddr, head: &str) -> anyhow::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(head.as_bytes()).await?;
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer)).await??;
    Ok(String::from_utf8_lossy(&answer[..n]).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_round_trip_byte_for_byte_with_ranges_and_are_stored_once() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (relay, doc) = relay_with_doc(Config::for_data_dir(dir.path())).await?;
    let other = push_doc(&relay).await?;
    for (len, name, kind) in [
        (1, "one%20byte.txt", "text/plain"),
        (
            5 * 1024 * 1024 + 17,
            "Proposition%20du%20S%C3%A9n%C3%A9gal.pdf",
            "application/pdf",
        ),
    ] {
        let body = bytes_of(len, 7);
        let answer = upload(relay.addr, TOKEN, &doc, name, kind, &body).await?;
        assert_eq!(answer.status, 201, "{}", answer.text());
        let stored: serde_json::Value = serde_json::from_slice(&answer.body)?;
        let hash = sha256_hex(&body);
        assert_eq!(stored["hash"], hash.as_str());
        assert_eq!(stored["size"], len);
        assert_eq!(stored["type"], kind);
        let got = download(relay.addr, TOKEN, &doc, &hash, None).await?;
        assert_eq!(got.status, 200);
        assert!(got.body == body, "the bytes come back as they went");
        assert_eq!(got.header("content-type"), Some(kind));
        assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(got.header("accept-ranges"), Some("bytes"));
        assert!(
            got.header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment;"))
        );
    }
    let big = bytes_of(5 * 1024 * 1024 + 17, 7);
    let hash = sha256_hex(&big);
    assert!(
        download(relay.addr, TOKEN, &doc, &hash, None)
            .await?
            .header("content-disposition")
            .is_some_and(
                |d| d.contains("filename*=UTF-8''Proposition%20du%20S%C3%A9n%C3%A9gal.pdf")
            )
    );
    // A range across the 1 MiB storage chunks, and a suffix range.
    let part = download(
        relay.addr,
        TOKEN,
        &doc,
        &hash,
        Some("bytes=1048570-2097160"),
    )
    .await?;
    assert_eq!(part.status, 206);
    assert!(part.body == big[1_048_570..=2_097_160]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 1048570-2097160/{}", big.len()).as_str())
    );
    let tail = download(relay.addr, TOKEN, &doc, &hash, Some("bytes=-10")).await?;
    assert!(tail.status == 206 && tail.body == big[big.len() - 10..]);
    let past = download(relay.addr, TOKEN, &doc, &hash, Some("bytes=99999999-")).await?;
    assert_eq!(past.status, 416);
    // The same bytes again, and into another document: stored once.
    assert_eq!(
        upload(
            relay.addr,
            TOKEN,
            &doc,
            "again.pdf",
            "application/pdf",
            &big
        )
        .await?
        .status,
        201
    );
    assert_eq!(
        upload(
            relay.addr,
            TOKEN,
            &other,
            "copy.pdf",
            "application/pdf",
            &big
        )
        .await?
        .status,
        201
    );
    assert_eq!(
        relay.storage.file_totals().await?,
        (2, big.len() as u64 + 1)
    );
    // The list tells what the relay holds for a document, and its quota.
    let (status, list) = http_get(
        relay.addr,
        &format!("/api/docs/{doc}/files"),
        Some(&bearer(TOKEN)),
    )
    .await?;
    assert_eq!(status, 200);
    let list: serde_json::Value = serde_json::from_str(&list)?;
    assert_eq!(list["files"].as_array().map(Vec::len), Some(2));
    assert_eq!(list["usedBytes"], big.len() as u64 + 1);
    assert_eq!(list["maxFileBytes"], 50 * 1024 * 1024);
    // A file another document holds is not this one's.
    let one = sha256_hex(&bytes_of(1, 7));
    assert_eq!(
        download(relay.addr, TOKEN, &other, &one, None)
            .await?
            .status,
        404
    );
    let (_, metrics) = relay.metrics().await?;
    assert!(metrics.contains("caucus_file_uploads_total 4"), "{metrics}");
    assert!(metrics.contains("caucus_files_stored 2"), "{metrics}");
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounds_and_tokens_are_decided_before_a_byte_of_the_body_is_read() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.files.quota_bytes = 3 * 1024 * 1024;
    let (relay, doc) = relay_with_doc(config).await?;
    let path = format!("/api/docs/{doc}/files");
    let over = 50 * 1024 * 1024 + 1;
    // No token: 401 at once, the body never sent.
    let answer = headers_only(
        relay.addr,
        &format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"),
    )
    .await?;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // Over --max-file-bytes (50 MiB by default): 413 from the declared size.
    let answer = headers_only(
        relay.addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\n{}\r\nContent-Length: {over}\r\n\r\n",
            bearer(TOKEN)
        ),
    )
    .await?;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("--max-file-bytes"), "{answer}");
    // Over the document's quota: 507, also before the body.
    let answer = headers_only(
        relay.addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\n{}\r\nContent-Length: {}\r\n\r\n",
            bearer(TOKEN),
            4 * 1024 * 1024
        ),
    )
    .await?;
    assert!(answer.starts_with("HTTP/1.1 507"), "{answer}");
    assert!(answer.contains("quota"), "{answer}");
    // A viewer of the document reads files but cannot upload; a token for another document
    // gets the 404 of a document that does not exist.
    let body = bytes_of(1000, 3);
    assert_eq!(
        upload(relay.addr, TOKEN, &doc, "a.pdf", "application/pdf", &body)
            .await?
            .status,
        201
    );
    let (_, viewer) = relay
        .mint(&format!(
            r#"{{"role":"viewer","name":"v","docs":["{doc}"]}}"#
        ))
        .await?;
    let other = push_doc(&relay).await?;
    let (_, stranger) = relay
        .mint(&format!(
            r#"{{"role":"editor","name":"s","docs":["{other}"]}}"#
        ))
        .await?;
    let hash = sha256_hex(&body);
    assert!(download(relay.addr, &viewer, &doc, &hash, None).await?.body == body);
    let refused = upload(
        relay.addr,
        &viewer,
        &doc,
        "b.pdf",
        "application/pdf",
        &bytes_of(10, 4),
    )
    .await?;
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert_eq!(
        download(relay.addr, &stranger, &doc, &hash, None)
            .await?
            .status,
        404
    );
    assert_eq!(
        upload(
            relay.addr,
            &stranger,
            &doc,
            "c.pdf",
            "application/pdf",
            &body
        )
        .await?
        .status,
        404
    );
    // Bad input: a body cut short (the client hangs up), a malformed name, a bad hash.
    let mut stream = tokio::net::TcpStream::connect(relay.addr).await?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\n{}\r\nContent-Length: 10\r\n\r\nabc",
        bearer(TOKEN)
    );
    stream.write_all(head.as_bytes()).await?;
    stream.shutdown().await?;
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer)).await??;
    assert!(!answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(
        upload(relay.addr, TOKEN, &doc, "%FF.pdf", "application/pdf", &body)
            .await?
            .status,
        400
    );
    assert_eq!(
        download(relay.addr, TOKEN, &doc, "not-a-hash", None)
            .await?
            .status,
        404
    );
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_survive_a_restart_a_backup_restore_and_a_dump_import() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let (relay, doc) = relay_with_doc(Config::for_data_dir(&data)).await?;
    let body = bytes_of(2 * 1024 * 1024 + 5, 9);
    let hash = sha256_hex(&body);
    assert_eq!(
        upload(
            relay.addr,
            TOKEN,
            &doc,
            "draft.pdf",
            "application/pdf",
            &body
        )
        .await?
        .status,
        201
    );
    let addr = relay.addr;
    relay.stop().await?;
    let relay = TestRelay::start_on(addr, Config::for_data_dir(&data)).await?;
    assert!(
        download(relay.addr, TOKEN, &doc, &hash, None).await?.body == body,
        "after a restart"
    );
    // Backup → restore into a new data directory.
    let backup_file = dir.path().join("all.backup");
    {
        let storage = relay.storage.clone();
        let file = backup_file.clone();
        tokio::task::spawn_blocking(move || {
            backup::write_backup_file(&storage, &file, &backup::Recipients::default())
        })
        .await??;
    }
    relay.stop().await?;
    let restored = dir.path().join("restored");
    backup::restore(&backup_file, &restored)?;
    let relay = TestRelay::start_with(Config::for_data_dir(&restored)).await?;
    let got = download(relay.addr, TOKEN, &doc, &hash, None).await?;
    assert!(got.status == 200 && got.body == body, "after a restore");
    // Dump → import into an empty data directory.
    let dump = dir.path().join("dump");
    portable::dump_storage(&relay.storage, &dump).await?;
    assert!(std::fs::read(dump.join("files").join(&hash))? == body);
    relay.stop().await?;
    let imported = dir.path().join("imported");
    let storage = caucus_relay::Storage::open(&imported, caucus_relay::Metrics::new())?;
    let summary = portable::import_dir(&storage, &dump).await?;
    assert_eq!(summary.attachments, 1);
    drop(storage);
    let relay = TestRelay::start_with(Config::for_data_dir(&imported)).await?;
    assert!(
        download(relay.addr, TOKEN, &doc, &hash, None).await?.body == body,
        "after an import"
    );
    // A dump whose file was changed is refused, naming the file.
    let bad_dump = dir.path().join("dump2");
    portable::dump_storage(&relay.storage, &bad_dump).await?;
    std::fs::write(bad_dump.join("files").join(&hash), b"tampered")?;
    relay.stop().await?;
    let storage =
        caucus_relay::Storage::open(&dir.path().join("other"), caucus_relay::Metrics::new())?;
    let err = portable::import_dir(&storage, &bad_dump)
        .await
        .expect_err("tampered file refused");
    assert!(err.to_string().contains("do not match its hash"), "{err}");
    Ok(())
}
