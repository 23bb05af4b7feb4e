//! Handshake, access and bad input: each failure closes only the offending connection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use caucus_relay::protocol::{Message, PeerMetadata};
use caucus_relay::{Config, DocumentId};
use caucus_tests::*;
use tokio_tungstenite::tungstenite;

#[tokio::test]
async fn websocket_without_a_valid_token_gets_no_handshake() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    for url in [
        format!("ws://{}/sync", relay.addr),
        format!("ws://{}/sync?token=wrong-token-wrong-token", relay.addr),
    ] {
        match tokio_tungstenite::connect_async(&url).await {
            Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
            other => panic!("expected 401 for {url}, got {:?}", other.map(|_| ())),
        }
    }
    // Bearer header works too, and any path upgrades (drop-in for bare-host clients).
    let mut request = tungstenite::client::IntoClientRequest::into_client_request(format!(
        "ws://{}/",
        relay.addr
    ))?;
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {TOKEN}").parse()?);
    let (socket, _) = tokio_tungstenite::connect_async(request).await?;
    drop(socket);
    relay.stop().await
}

#[tokio::test]
async fn a_page_from_another_origin_cannot_open_a_socket() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let with_origin = |origin: &str| -> anyhow::Result<tungstenite::handshake::client::Request> {
        let mut request =
            tungstenite::client::IntoClientRequest::into_client_request(relay.ws_url())?;
        request.headers_mut().insert("Origin", origin.parse()?);
        Ok(request)
    };
    match tokio_tungstenite::connect_async(with_origin("https://evil.example")?).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("foreign origin accepted: {:?}", other.map(|_| ())),
    }
    let own = format!("http://{}", relay.addr);
    let (socket, _) = tokio_tungstenite::connect_async(with_origin(&own)?).await?;
    drop(socket);
    relay.stop().await
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let mut stream = tokio::net::TcpStream::connect(relay.addr).await?;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(
            format!(
                "GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                relay.addr
            )
            .as_bytes(),
        )
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let csp = response
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .expect("CSP header");
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline"));
    assert!(response.contains("x-content-type-options: nosniff"));
    relay.stop().await
}

#[tokio::test]
async fn join_is_answered_with_a_stable_storage_id() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let peer = Peer::connect(&relay.ws_url(), "peer-x").await?;
    assert_eq!(
        peer.server_metadata,
        PeerMetadata {
            storage_id: Some(relay.storage_id.clone()),
            is_ephemeral: Some(false)
        }
    );
    assert!(peer.server_peer_id.starts_with("caucus-"));
    relay.stop().await
}

async fn raw_socket(relay: &TestRelay) -> anyhow::Result<Peer> {
    // A Peer that has joined, to send bad things after the handshake.
    Peer::connect(&relay.ws_url(), &format!("bad-{}", DocumentId::random())).await
}

#[tokio::test]
async fn bad_input_closes_only_that_connection_with_an_error() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut good = Peer::connect(&relay.ws_url(), "good").await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(2));
    good.sync_until_quiet(&mut doc, Duration::from_millis(200))
        .await?;

    let sync_with = |sender: &str, data: Vec<u8>| {
        caucus_relay::protocol::encode(&Message::Sync(caucus_relay::protocol::SyncMessage {
            sender_id: sender.into(),
            target_id: "x".into(),
            document_id: id.clone(),
            data,
        }))
    };
    let cases: [(&str, Vec<u8>); 3] = [
        ("not cbor", b"\xff\x00garbage".to_vec()),
        ("empty frame", vec![]),
        ("cbor array", vec![0x80]),
    ];
    for (what, frame) in cases {
        let mut bad = raw_socket(&relay).await?;
        bad.send_raw(frame).await?;
        assert!(
            bad.expect_closed().await?.is_some(),
            "{what}: closed without an error message"
        );
    }
    // Well-formed frames with a bad payload or a lie in them.
    for what in ["random sync bytes", "spoofed sender", "second join"] {
        let mut bad = raw_socket(&relay).await?;
        let frame = match what {
            "random sync bytes" => sync_with(&bad.peer_id, vec![0x42, 1, 2, 3, 4]),
            "spoofed sender" => sync_with("good", vec![0x42, 0, 0, 0, 0]),
            _ => caucus_relay::protocol::encode(&Message::Join {
                sender_id: bad.peer_id.clone(),
                metadata: PeerMetadata::default(),
                supported_versions: None,
            }),
        };
        bad.send_raw(frame).await?;
        assert!(
            bad.expect_closed().await?.is_some(),
            "{what}: closed without an error message"
        );
    }
    let mut text = raw_socket(&relay).await?;
    text.send_text("hello").await?;
    assert!(
        text.expect_closed()
            .await?
            .is_some_and(|e| e.contains("text frames"))
    );

    // The well-behaved peer kept its connection and still syncs.
    add_change(&mut doc.doc, "still-works", 1);
    good.sync_until_quiet(&mut doc, Duration::from_millis(200))
        .await?;
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(
        stored.get_heads(),
        doc.doc.get_heads(),
        "no bad input touched the document"
    );
    relay.stop().await
}

#[tokio::test]
async fn messages_before_join_and_unsupported_versions_are_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (mut socket, _) = tokio_tungstenite::connect_async(relay.ws_url()).await?;
    use futures_util::{SinkExt, StreamExt};
    let request =
        caucus_relay::protocol::encode(&Message::Request(caucus_relay::protocol::SyncMessage {
            sender_id: "p".into(),
            target_id: "s".into(),
            document_id: DocumentId::random(),
            data: vec![0x42, 0, 0, 0, 0],
        }));
    socket
        .send(tungstenite::Message::Binary(request.into()))
        .await?;
    let mut saw_error = false;
    while let Some(Ok(frame)) = socket.next().await {
        if let tungstenite::Message::Binary(b) = frame {
            saw_error |= matches!(caucus_relay::protocol::decode(&b)?, Message::Error { .. });
        }
    }
    assert!(saw_error);

    let (mut socket, _) = tokio_tungstenite::connect_async(relay.ws_url()).await?;
    let join = caucus_relay::protocol::encode(&Message::Join {
        sender_id: "p".into(),
        metadata: PeerMetadata::default(),
        supported_versions: Some(vec!["2".into()]),
    });
    socket
        .send(tungstenite::Message::Binary(join.into()))
        .await?;
    let mut error = None;
    while let Some(Ok(frame)) = socket.next().await {
        if let tungstenite::Message::Binary(b) = frame
            && let Message::Error { message } = caucus_relay::protocol::decode(&b)?
        {
            error = Some(message);
        }
    }
    assert_eq!(error.as_deref(), Some("unsupported protocol version"));
    relay.stop().await
}

#[tokio::test]
async fn a_silent_socket_is_dropped_after_the_join_timeout() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.join_timeout = Duration::from_millis(300);
    let relay = TestRelay::start_with(config).await?;
    let (mut socket, _) = tokio_tungstenite::connect_async(relay.ws_url()).await?;
    use futures_util::StreamExt;
    let closed = tokio::time::timeout(PATIENCE, async {
        while let Some(Ok(frame)) = socket.next().await {
            if frame.is_close() {
                break;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "socket without join stayed open");
    relay.stop().await
}

#[tokio::test]
async fn health_and_metrics_endpoints_answer() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let _peer = Peer::connect(&relay.ws_url(), "metrics-peer").await?;
    let (status, body) = relay.get("/healthz").await?;
    assert_eq!((status, body.trim()), (200, "ok"));
    let (status, metrics) = relay.metrics().await?;
    assert_eq!(status, 200);
    for name in [
        "caucus_connections 1",
        "caucus_documents_loaded",
        "caucus_messages_received_total{type=\"join\"} 1",
        "caucus_received_bytes_total",
        "caucus_sent_bytes_total",
        "caucus_commit_seconds_bucket",
        "caucus_evictions_total",
    ] {
        assert!(metrics.contains(name), "metrics lack {name}:\n{metrics}");
    }
    let (status, page) = relay.get("/").await?;
    assert_eq!(status, 200);
    assert!(page.contains("caucus"));
    relay.stop().await
}
