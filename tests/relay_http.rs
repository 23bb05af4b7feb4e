//! The relay as a web server for the client: precompressed files, caching, health.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use caucus_relay::{Config, DocumentId};
use caucus_tests::*;

#[tokio::test]
async fn the_web_client_is_served_precompressed_with_sane_caching() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let web = tempfile::tempdir()?;
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><title>caucus</title>",
    )?;
    std::fs::create_dir(web.path().join("assets"))?;
    std::fs::write(
        web.path().join("assets/app-3f2a.js"),
        "console.log('plain')",
    )?;
    std::fs::write(
        web.path().join("assets/app-3f2a.js.gz"),
        b"\x1f\x8bgzipped-bytes",
    )?;
    let mut config = Config::for_data_dir(data.path());
    config.web_dir = Some(web.path().to_owned());
    let relay = TestRelay::start_with(config).await?;

    let (status, raw) = raw_get(&relay, "/assets/app-3f2a.js", "Accept-Encoding: gzip").await?;
    assert_eq!(status, 200);
    assert!(raw.contains("content-encoding: gzip"), "{raw}");
    assert!(raw.contains("cache-control: public, max-age=31536000, immutable"));
    let (_, raw) = raw_get(&relay, "/assets/app-3f2a.js", "Accept-Encoding: identity").await?;
    assert!(raw.ends_with("console.log('plain')"));

    // Client-side routes fall back to index.html, which must always be revalidated.
    let (status, raw) = raw_get(&relay, "/some/client/route", "Accept: text/html").await?;
    assert_eq!(status, 200);
    assert!(raw.contains("<title>caucus</title>"));
    assert!(raw.contains("cache-control: no-cache"));
    let (_, raw) = raw_get(&relay, "/healthz", "Accept: */*").await?;
    assert!(raw.contains("cache-control: no-store"));
    relay.stop().await
}

/// GET returning (status, whole raw response with lower-cased header names as sent).
async fn raw_get(relay: &TestRelay, path: &str, header: &str) -> anyhow::Result<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(relay.addr).await?;
    stream
        .write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\n{header}\r\nConnection: close\r\n\r\n",
                relay.addr
            )
            .as_bytes(),
        )
        .await?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, text))
}

/// `GET /api/admin/status`: admins only; live connections with token name (never the secret),
/// role and peer; stored documents with size, loaded state and their peers; commits; backup.
#[tokio::test]
async fn the_admin_status_shows_connections_documents_commits_and_backups() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let relay = TestRelay::start(data.path()).await?;
    let (status, body) = relay.get("/api/admin/status").await?;
    assert_eq!(status, 401, "{body}");
    let (_, viewer) = relay.mint(r#"{"role":"viewer","name":"press"}"#).await?;
    let (status, _) = http_get(
        relay.addr,
        "/api/admin/status",
        Some(&format!("Authorization: Bearer {viewer}")),
    )
    .await?;
    assert_eq!(status, 403);

    let (_, editor) = relay
        .mint(r#"{"role":"editor","name":"Ana laptop"}"#)
        .await?;
    let mut peer = Peer::connect(&relay.ws_url_with(&editor), "ana-peer").await?;
    let mut d = PeerDoc::new(DocumentId::random(), doc_with_changes(3));
    peer.push(&mut d).await?;
    peer.sync_until_quiet(&mut d, std::time::Duration::from_millis(300))
        .await?;

    let (status, body) = http_get(
        relay.addr,
        "/api/admin/status",
        Some(&format!("Authorization: Bearer {TOKEN}")),
    )
    .await?;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(&editor), "a secret in the status");
    let s: serde_json::Value = serde_json::from_str(&body)?;
    assert_eq!(s["storageId"], relay.storage_id.as_str());
    assert!(s["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert_eq!(s["connections"]["count"], 1);
    let conn = &s["connections"]["list"][0];
    assert_eq!(conn["tokenName"], "Ana laptop");
    assert_eq!(conn["role"], "editor");
    assert_eq!(conn["peerId"], "ana-peer");
    assert!(
        conn["remote"]
            .as_str()
            .is_some_and(|r| r.starts_with("127.0.0.1:"))
    );
    assert_eq!(conn["documents"][0], d.id.as_str());
    assert!(
        conn["messagesIn"].as_u64().is_some_and(|n| n >= 2),
        "{conn}"
    );
    let docs = &s["documents"];
    assert_eq!(docs["stored"], 1);
    assert_eq!(docs["loaded"], 1);
    assert_eq!(docs["truncated"], false);
    let doc = &docs["list"][0];
    assert_eq!(doc["id"], d.id.as_str());
    assert!(doc["storedBytes"].as_u64().is_some_and(|b| b > 0));
    assert!(doc["chunks"].as_u64().is_some_and(|c| c >= 1));
    assert!(doc["updatedUnixMs"].as_u64().is_some_and(|t| t > 0));
    assert_eq!(doc["loaded"], true);
    assert_eq!(doc["peers"][0], "ana-peer");
    let commits = &s["commits"];
    assert!(
        commits["count"].as_u64().is_some_and(|n| n >= 1),
        "{commits}"
    );
    assert!(commits["p95Seconds"].as_f64().is_some_and(|p| p > 0.0));
    assert!(s["lastBackup"].is_null());

    // A downloaded backup becomes the last backup.
    let (status, _) = http_get(
        relay.addr,
        "/api/admin/backup",
        Some(&format!("Authorization: Bearer {TOKEN}")),
    )
    .await?;
    assert_eq!(status, 200);
    let (_, body) = http_get(
        relay.addr,
        "/api/admin/status",
        Some(&format!("Authorization: Bearer {TOKEN}")),
    )
    .await?;
    let s: serde_json::Value = serde_json::from_str(&body)?;
    assert_eq!(s["lastBackup"]["kind"], "http", "{body}");
    drop(peer);
    relay.stop().await
}
