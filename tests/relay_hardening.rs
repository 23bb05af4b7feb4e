//! Issue 13, tried as an attacker would: nothing happens before the token, no scope grows, the
//! HTTP surface has timeouts and a total connection cap, `X-Forwarded-For` counts only from
//! trusted proxies, and `/metrics` is for the operator.

use std::net::SocketAddr;
use std::time::Duration;

use caucus_relay::{Config, DocumentId, parse_trusted_proxy};
use caucus_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Sends a request head announcing a body of `length` bytes and only `sent` of them, then
/// waits for an answer. The connection is returned so the caller can keep it open.
async fn head_without_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[&str],
    length: usize,
    sent: &[u8],
    wait: Duration,
) -> anyhow::Result<(Option<u16>, TcpStream)> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {length}\r\n");
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(sent).await?;
    let status = read_status(&mut stream, wait).await?;
    Ok((status, stream))
}

/// The status of the answer on `stream`; `None` when the relay closed without one, or did not
/// answer within `wait`.
async fn read_status(stream: &mut TcpStream, wait: Duration) -> anyhow::Result<Option<u16>> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut chunk = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    if read.is_err() {
        return Ok(None);
    }
    Ok(String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok()))
}

#[tokio::test]
async fn requests_are_refused_before_a_byte_of_their_body_is_read() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.max_change_file_bytes = 1024;
    // A change file may also carry this much of files (docs/reports-history-changes.md).
    config.files.max_file_bytes = 512;
    config.max_concurrent_imports = 1;
    let relay = TestRelay::start_with(config).await?;
    let doc = DocumentId::random();
    let changes = format!("/api/docs/{doc}/changes");
    let mail = format!("/api/docs/{doc}/report/send");
    let (_, viewer) = relay.mint(r#"{"role":"viewer","name":"v"}"#).await?;
    let (_, editor) = relay.mint(r#"{"role":"editor","name":"e"}"#).await?;
    let big = 256 * 1024 * 1024;

    // 256 MiB announced, nothing sent: the answer must come without the body.
    for (path, headers, want) in [
        (changes.as_str(), vec![], 401),
        (changes.as_str(), vec![bearer("not-a-token")], 401),
        (changes.as_str(), vec![bearer(&viewer)], 403),
        ("/api/tokens", vec![], 401),
        ("/api/tokens", vec![bearer(&editor)], 403),
        (mail.as_str(), vec![], 401),
        (mail.as_str(), vec![bearer(&viewer)], 403),
        // This relay has no --smtp-url: said before the body too.
        (mail.as_str(), vec![bearer(&editor)], 503),
    ] {
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let (status, _) =
            head_without_body(relay.addr, "POST", path, &headers, big, b"", PATIENCE).await?;
        assert_eq!(
            status,
            Some(want),
            "POST {path} with {headers:?}: answered only after its body (or never)"
        );
    }

    // Change files have their own cap...
    let over = vec![0u8; 2048];
    let auth = bearer(&editor);
    let answer = http_exchange(relay.addr, "POST", &changes, &[&auth], Some(&over)).await?;
    assert_eq!(answer.status, 413, "{}", answer.text());
    // ...and JSON bodies a small one.
    let json = format!(r#"{{"role":"viewer","name":"{}"}}"#, "x".repeat(100 * 1024));
    let (status, text) = http_request(
        relay.addr,
        "POST",
        "/api/tokens",
        Some(&bearer(TOKEN)),
        Some(&json),
    )
    .await?;
    assert_eq!(status, 413, "{text}");

    // One import at a time here: while one is receiving its body, the next is refused before
    // its own body is read.
    let (status, held) = head_without_body(
        relay.addr,
        "POST",
        &changes,
        &[&auth],
        1000,
        b"CAUCUSCH",
        // Nothing is expected: a short look is enough.
        Duration::from_millis(500),
    )
    .await?;
    assert_eq!(status, None, "the first import waits for its body");
    let (status, _) =
        head_without_body(relay.addr, "POST", &changes, &[&auth], big, b"", PATIENCE).await?;
    assert_eq!(status, Some(429), "a second import at once is refused");
    drop(held);
    // The slot comes back when the first import ends.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let answer = http_exchange(relay.addr, "POST", &changes, &[&auth], Some(b"junk")).await?;
        if answer.status == 400 {
            break;
        }
        assert_eq!(answer.status, 429, "{}", answer.text());
        assert!(
            tokio::time::Instant::now() < deadline,
            "the import slot never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    relay.stop().await
}

#[tokio::test]
async fn a_document_limited_admin_cannot_grow_its_scope() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (mine, other) = (DocumentId::random(), DocumentId::random());
    let (_, desk) = relay
        .mint(&format!(
            r#"{{"role":"admin","name":"desk","docs":["{mine}"],"expiresAt":"2099-01-01T00:00:00Z"}}"#
        ))
        .await?;
    let mint = |body: String| {
        let auth = bearer(&desk);
        async move { http_request(relay.addr, "POST", "/api/tokens", Some(&auth), Some(&body)).await }
    };
    for (body, why) in [
        (
            r#"{"role":"editor","name":"x","expiresAt":"2098-01-01T00:00:00Z"}"#.to_owned(),
            "unlimited documents",
        ),
        (
            format!(
                r#"{{"role":"editor","name":"x","docs":["{mine}","{other}"],"expiresAt":"2098-01-01T00:00:00Z"}}"#
            ),
            "a document outside its own",
        ),
        (
            format!(r#"{{"role":"editor","name":"x","docs":["{mine}"]}}"#),
            "no expiry although its own expires",
        ),
        (
            format!(
                r#"{{"role":"editor","name":"x","docs":["{mine}"],"expiresAt":"2100-01-01T00:00:00Z"}}"#
            ),
            "a later expiry",
        ),
    ] {
        let (status, text) = mint(body).await?;
        assert_eq!(status, 403, "minting with {why} must be refused: {text}");
    }
    let (status, text) = mint(format!(
        r#"{{"role":"admin","name":"sub","docs":["{mine}"],"expiresAt":"2098-01-01T00:00:00Z"}}"#
    ))
    .await?;
    assert_eq!(status, 201, "within its scope it may mint: {text}");

    // The operator's surface is for unlimited admins only.
    let auth = bearer(&desk);
    for (method, path) in [
        ("GET", "/api/tokens"),
        ("DELETE", "/api/tokens/some-id"),
        ("GET", "/api/admin/backup"),
        ("GET", "/api/admin/backup/last"),
        ("GET", "/api/admin/status"),
    ] {
        let (status, text) = http_request(relay.addr, method, path, Some(&auth), None).await?;
        assert_eq!(status, 403, "{method} {path}: {text}");
    }
    let (status, _) = http_get(relay.addr, "/api/tokens", Some(&bearer(TOKEN))).await?;
    assert_eq!(status, 200, "the unlimited admin still may");
    relay.stop().await
}

#[tokio::test]
async fn slow_headers_and_idle_keep_alive_connections_are_closed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.http_timeout = Duration::from_secs(1);
    let relay = TestRelay::start_with(config).await?;

    // Slowloris: half a request head, then nothing.
    let mut slow = TcpStream::connect(relay.addr).await?;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await?;
    assert!(
        closed_within_patience(&mut slow).await,
        "a half-sent head keeps its connection"
    );

    // A finished request on a keep-alive connection, then silence.
    let mut idle = TcpStream::connect(relay.addr).await?;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await?;
    assert_eq!(read_status(&mut idle, PATIENCE).await?, Some(200));
    assert!(
        closed_within_patience(&mut idle).await,
        "an idle keep-alive connection stays open"
    );
    relay.stop().await
}

/// Reads until the relay closes the socket; false if it is still open after [`PATIENCE`].
async fn closed_within_patience(stream: &mut TcpStream) -> bool {
    let mut sink = [0u8; 1024];
    tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn connections_over_the_total_cap_are_closed_as_they_arrive() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.max_connections = 2;
    let relay = TestRelay::start_with(config).await?;

    // Two websockets fill the cap (a websocket keeps its place after the upgrade).
    let first = Peer::connect(&relay.ws_url(), "one").await?;
    let _second = Peer::connect(&relay.ws_url(), "two").await?;
    let mut third = TcpStream::connect(relay.addr).await?;
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await?;
    assert_eq!(
        read_status(&mut third, PATIENCE).await?,
        None,
        "a third connection was served"
    );

    // A place frees when a connection ends.
    drop(first);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Ok((200, _)) = relay.get("/healthz").await {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, metrics) = relay.metrics().await?;
    assert!(
        metrics.contains(r#"caucus_limit_hits_total{limit="max_connections"}"#),
        "{metrics}"
    );
    relay.stop().await
}

/// Opens a websocket claiming to come from `forwarded` (`X-Forwarded-For`); the HTTP status of
/// the upgrade answer (101 when accepted). The socket is kept open in `keep`.
async fn upgrade_as(
    relay: &TestRelay,
    forwarded: &str,
    keep: &mut Vec<Socket>,
) -> anyhow::Result<u16> {
    let mut request = relay.ws_url().into_client_request()?;
    request
        .headers_mut()
        .insert("x-forwarded-for", forwarded.parse()?);
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, response)) => {
            keep.push(Socket(socket));
            Ok(response.status().as_u16())
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Ok(response.status().as_u16())
        }
        Err(err) => Err(err.into()),
    }
}

/// A websocket held open by a test.
struct Socket(
    #[allow(dead_code)]
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
);

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.max_connections_per_ip = 1;
    config.join_timeout = Duration::from_secs(60);
    config.trusted_proxies = vec![parse_trusted_proxy("127.0.0.0/8").map_err(anyhow::Error::msg)?];
    let behind_proxy = TestRelay::start_with(config).await?;
    let mut open: Vec<Socket> = Vec::new();
    assert_eq!(
        upgrade_as(&behind_proxy, "203.0.113.7", &mut open).await?,
        101
    );
    assert_eq!(
        upgrade_as(&behind_proxy, "203.0.113.8", &mut open).await?,
        101,
        "two people behind one proxy each have their own per-IP limit"
    );
    assert_eq!(
        upgrade_as(&behind_proxy, "203.0.113.7", &mut open).await?,
        429,
        "the same client twice is over its limit"
    );
    let (_, status) =
        http_get(behind_proxy.addr, "/api/admin/status", Some(&bearer(TOKEN))).await?;
    assert!(
        status.contains("203.0.113.7 via 127.0.0.1:"),
        "status shows the client: {status}"
    );

    // Without --trusted-proxy the header is the client's own say, and counts for nothing.
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.max_connections_per_ip = 1;
    config.join_timeout = Duration::from_secs(60);
    let direct = TestRelay::start_with(config).await?;
    let mut open: Vec<Socket> = Vec::new();
    assert_eq!(upgrade_as(&direct, "203.0.113.7", &mut open).await?, 101);
    assert_eq!(
        upgrade_as(&direct, "203.0.113.8", &mut open).await?,
        429,
        "a client cannot pick its own address to dodge its limit"
    );
    drop(open);
    behind_proxy.stop().await?;
    direct.stop().await
}

#[tokio::test]
async fn metrics_are_for_the_operator() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.metrics_token = Some("scrape-secret-0123456789".into());
    config.metrics_listen = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
    let relay = TestRelay::start_with(config).await?;
    let doc = DocumentId::random();
    let (_, editor) = relay.mint(r#"{"role":"editor","name":"e"}"#).await?;
    let (_, desk) = relay
        .mint(&format!(
            r#"{{"role":"admin","name":"desk","docs":["{doc}"]}}"#
        ))
        .await?;
    for (who, header) in [
        ("no token", None),
        ("an editor", Some(bearer(&editor))),
        ("a document-limited admin", Some(bearer(&desk))),
        ("a wrong secret", Some(bearer("scrape-secret"))),
    ] {
        let (status, body) = http_get(relay.addr, "/metrics", header.as_deref()).await?;
        assert_eq!(status, 401, "{who} read the metrics");
        assert!(!body.contains("caucus_"), "{who}: {body}");
    }
    for header in [bearer("scrape-secret-0123456789"), bearer(TOKEN)] {
        let (status, body) = http_get(relay.addr, "/metrics", Some(&header)).await?;
        assert_eq!(status, 200);
        assert!(body.contains("caucus_tcp_connections"), "{body}");
    }
    // The private listener needs no token, and serves nothing else.
    let private = relay
        .metrics_addr
        .ok_or_else(|| anyhow::anyhow!("no metrics listener"))?;
    let (status, body) = http_get(private, "/metrics", None).await?;
    assert_eq!(status, 200);
    assert!(body.contains("caucus_connections"), "{body}");
    let (status, _) = http_get(private, "/api/me", Some(&bearer(TOKEN))).await?;
    assert_eq!(status, 404);
    relay.stop().await
}
