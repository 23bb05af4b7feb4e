//! Tokens out of URLs: `POST /api/session` trades a token (in the header) for a single-use,
//! short-lived ticket the websocket URL carries instead (`/sync?ticket=`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use caucus_relay::{Config, DocumentId};
use caucus_tests::*;
use tokio_tungstenite::tungstenite;

/// The status a websocket attempt to `url` was refused with (`None`: it connected).
async fn refusal(url: &str) -> Option<u16> {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => None,
        Err(tungstenite::Error::Http(response)) => Some(response.status().as_u16()),
        Err(other) => panic!("unexpected websocket error: {other}"),
    }
}

#[tokio::test]
async fn a_ticket_connects_once_and_only_while_its_token_works() -> anyhow::Result<()> {
    init_logging();
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (id, token) = relay.mint(r#"{"role":"editor","name":"Ana"}"#).await?;

    // No token, a bad one: no ticket.
    let (status, _) = http_request(relay.addr, "POST", "/api/session", None, None).await?;
    assert_eq!(status, 401);
    assert_eq!(relay.post_session("not-a-token-at-all").await?.0, 401);

    // The answer says how long the ticket lives (at most a minute).
    let (status, body) = relay.post_session(&token).await?;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body)?;
    let ttl = json["expiresInSeconds"].as_u64().unwrap();
    assert!((1..=60).contains(&ttl), "{ttl}");

    // A ticket connects once, and the connection syncs like any other.
    let ticket = json["ticket"].as_str().unwrap().to_owned();
    let mut peer = Peer::connect(&relay.ws_url_with_ticket(&ticket), "ana-laptop").await?;
    let mut d = PeerDoc::new(DocumentId::random(), doc_with_changes(2));
    peer.push(&mut d).await?;
    assert_eq!(
        refusal(&relay.ws_url_with_ticket(&ticket)).await,
        Some(401),
        "second use"
    );

    // An unknown ticket is refused.
    assert_eq!(
        refusal(&relay.ws_url_with_ticket(&"0".repeat(64))).await,
        Some(401)
    );

    // A ticket issued before its token was revoked no longer works.
    let before_revocation = relay.ticket(&token).await?;
    let (status, _) = http_request(
        relay.addr,
        "DELETE",
        &format!("/api/tokens/{id}"),
        Some(&format!("Authorization: Bearer {TOKEN}")),
        None,
    )
    .await?;
    assert_eq!(status, 204);
    assert_eq!(
        refusal(&relay.ws_url_with_ticket(&before_revocation)).await,
        Some(401)
    );
    assert_eq!(relay.post_session(&token).await?.0, 401);
    relay.stop().await
}

#[tokio::test]
async fn an_expired_ticket_is_refused() -> anyhow::Result<()> {
    init_logging();
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    // Every ticket has expired by the time it is used.
    config.session_ticket_ttl = Duration::ZERO;
    let relay = TestRelay::start_with(config).await?;
    let ticket = relay.ticket(TOKEN).await?;
    assert_eq!(refusal(&relay.ws_url_with_ticket(&ticket)).await, Some(401));
    relay.stop().await
}

#[tokio::test]
async fn one_token_cannot_pile_up_tickets() -> anyhow::Result<()> {
    init_logging();
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let mut refused = None;
    for n in 0..100 {
        let (status, _) = relay.post_session(TOKEN).await?;
        if status != 200 {
            refused = Some((n, status));
            break;
        }
    }
    let (n, status) = refused.expect("tickets without bound");
    assert_eq!(status, 429);
    assert!(n >= 4, "a few tabs must be able to connect at once ({n})");
    relay.stop().await
}
