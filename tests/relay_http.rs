//! The relay as a web server for the client: precompressed files, caching, health.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use caucus_relay::Config;
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
