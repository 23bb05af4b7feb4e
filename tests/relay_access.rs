//! Coalition-only access: token roles, document limits, revocation and expiry, the admin API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use automerge::{Automerge, ReadDoc};
use caucus_relay::DocumentId;
use caucus_tests::*;
use tokio_tungstenite::tungstenite;

const QUIET: Duration = Duration::from_millis(300);

async fn status_of(
    relay: &TestRelay,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let header = token.map(|t| format!("Authorization: Bearer {t}"));
    http_request(relay.addr, method, path, header.as_deref(), body).await
}

#[tokio::test]
async fn token_api_needs_an_admin_and_never_shows_secrets() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    assert_eq!(
        status_of(&relay, "GET", "/api/tokens", None, None).await?.0,
        401
    );
    assert_eq!(
        status_of(
            &relay,
            "GET",
            "/api/tokens",
            Some("nope-nope-nope-nope"),
            None
        )
        .await?
        .0,
        401
    );
    let (editor_id, editor) = relay
        .mint(r#"{"role":"editor","name":"Ana (laptop)"}"#)
        .await?;
    assert_eq!(
        status_of(&relay, "GET", "/api/tokens", Some(&editor), None)
            .await?
            .0,
        403
    );
    assert_eq!(
        status_of(
            &relay,
            "POST",
            "/api/tokens",
            Some(&editor),
            Some(r#"{"role":"admin","name":"x"}"#)
        )
        .await?
        .0,
        403
    );
    for bad in [
        r#"{"role":"root","name":"x"}"#,
        r#"{"role":"viewer","name":""}"#,
        r#"{"role":"viewer","name":"x","docs":["../etc"]}"#,
        r#"{"role":"viewer","name":"x","expiresAt":"yesterday"}"#,
        r#"{"role":"viewer","name":"x","expiresAt":"2001-01-01T00:00:00Z"}"#,
        r#"{"role":"viewer","name":"x","extra":1}"#,
        "not json",
    ] {
        let (status, body) =
            status_of(&relay, "POST", "/api/tokens", Some(TOKEN), Some(bad)).await?;
        assert_eq!(status, 400, "{bad} -> {status} {body}");
        assert!(body.contains("error"));
    }
    let (status, list) = status_of(&relay, "GET", "/api/tokens", Some(TOKEN), None).await?;
    assert_eq!(status, 200);
    assert!(list.contains("Ana (laptop)") && list.contains(&editor_id));
    assert!(
        !list.contains(&editor),
        "a secret appeared in the token list"
    );
    assert!(!list.contains("hash"));
    assert_eq!(
        status_of(
            &relay,
            "DELETE",
            "/api/tokens/no-such-id",
            Some(TOKEN),
            None
        )
        .await?
        .0,
        404
    );
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewers_edits_never_reach_anyone_or_the_store() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (_, viewer_token) = relay.mint(r#"{"role":"viewer","name":"observer"}"#).await?;
    let id = DocumentId::random();
    let mut editor = Peer::connect(&relay.ws_url(), "editor").await?;
    let mut edoc = PeerDoc::new(id.clone(), doc_with_changes(2));
    editor.sync_until_quiet(&mut edoc, QUIET).await?;

    let mut viewer = Peer::connect(&relay.ws_url_with(&viewer_token), "viewer").await?;
    let mut vdoc = PeerDoc::new(id.clone(), Automerge::new());
    viewer.request(&mut vdoc).await?;
    viewer
        .sync_until_heads(&mut vdoc, &edoc.doc.get_heads())
        .await?;

    // The viewer edits and pushes; the editor edits too.
    add_change(&mut vdoc.doc, "viewer-was-here", 1);
    viewer.sync_until_quiet(&mut vdoc, QUIET).await?;
    add_change(&mut edoc.doc, "editor-later", 2);
    editor.sync_until_quiet(&mut edoc, QUIET).await?;
    viewer.sync_until_quiet(&mut vdoc, QUIET).await?;

    assert!(
        vdoc.doc.get(automerge::ROOT, "editor-later")?.is_some(),
        "the viewer still receives everything"
    );
    assert!(
        edoc.doc.get(automerge::ROOT, "viewer-was-here")?.is_none(),
        "viewer edit reached an editor"
    );
    let mut late = Peer::connect(&relay.ws_url(), "late").await?;
    let mut ldoc = PeerDoc::new(id.clone(), Automerge::new());
    late.request(&mut ldoc).await?;
    late.sync_until_heads(&mut ldoc, &edoc.doc.get_heads())
        .await?;
    assert!(
        ldoc.doc.get(automerge::ROOT, "viewer-was-here")?.is_none(),
        "viewer edit reached a new peer"
    );

    let storage_dir = relay.data_dir.clone();
    relay.stop().await?;
    let relay = TestRelay::start(&storage_dir).await?;
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert!(
        stored.get(automerge::ROOT, "viewer-was-here")?.is_none(),
        "viewer edit was stored"
    );
    assert_eq!(stored.get_heads(), edoc.doc.get_heads());
    relay.stop().await
}

#[tokio::test]
async fn a_token_limited_to_some_documents_cannot_see_others() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let allowed = DocumentId::random();
    let secret_doc = DocumentId::random();
    let mut admin = Peer::connect(&relay.ws_url(), "admin").await?;
    for id in [&allowed, &secret_doc] {
        let mut d = PeerDoc::new(id.clone(), doc_with_changes(1));
        admin.sync_until_quiet(&mut d, QUIET).await?;
    }
    let (_, token) = relay
        .mint(&format!(
            r#"{{"role":"editor","name":"one doc","docs":["{allowed}"]}}"#
        ))
        .await?;
    let mut limited = Peer::connect(&relay.ws_url_with(&token), "limited").await?;
    let mut hidden = PeerDoc::new(secret_doc.clone(), Automerge::new());
    assert!(
        limited.sync_until_quiet(&mut hidden, QUIET).await?,
        "existing document must look unavailable"
    );
    assert!(hidden.doc.get_heads().is_empty());
    let mut open = PeerDoc::new(allowed.clone(), Automerge::new());
    limited.request(&mut open).await?;
    let expected = stored_doc(&relay.storage, &allowed)
        .await?
        .expect("stored")
        .get_heads();
    limited.sync_until_heads(&mut open, &expected).await?;
    relay.stop().await
}

#[tokio::test]
async fn revoking_a_token_closes_its_connections_at_once() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (id, token) = relay
        .mint(r#"{"role":"editor","name":"lost phone"}"#)
        .await?;
    let (_, other) = relay.mint(r#"{"role":"editor","name":"desk"}"#).await?;
    let mut phone = Peer::connect(&relay.ws_url_with(&token), "phone").await?;
    let mut desk = Peer::connect(&relay.ws_url_with(&other), "desk").await?;
    let (status, _) = status_of(
        &relay,
        "DELETE",
        &format!("/api/tokens/{id}"),
        Some(TOKEN),
        None,
    )
    .await?;
    assert_eq!(status, 204);
    let error = phone.expect_closed().await?;
    assert!(error.is_some_and(|e| e.contains("revoked")));
    match tokio_tungstenite::connect_async(relay.ws_url_with(&token)).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("revoked token still connects: {:?}", other.map(|_| ())),
    }
    // Other tokens are untouched.
    let mut d = PeerDoc::new(DocumentId::random(), doc_with_changes(1));
    desk.sync_until_quiet(&mut d, QUIET).await?;
    assert!(matches!(
        desk.recv_timeout(Duration::from_millis(50)).await,
        Ok(None)
    ));
    relay.stop().await
}

#[tokio::test]
async fn an_expired_token_is_refused_and_its_connection_closed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let soon = std::time::SystemTime::now() + Duration::from_secs(2);
    let at = humantime_like_rfc3339(soon);
    let (_, token) = relay
        .mint(&format!(
            r#"{{"role":"editor","name":"day pass","expiresAt":"{at}"}}"#
        ))
        .await?;
    let mut peer = Peer::connect(&relay.ws_url_with(&token), "day-pass").await?;
    let error = peer.expect_closed().await?;
    assert!(error.is_some_and(|e| e.contains("expired")));
    assert!(
        tokio_tungstenite::connect_async(relay.ws_url_with(&token))
            .await
            .is_err()
    );
    relay.stop().await
}

/// RFC 3339 in UTC with whole seconds (rounded up so the expiry is not in the past).
fn humantime_like_rfc3339(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 1;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil date from days since epoch (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{d:02}T{h:02}:{m:02}:{s:02}Z")
}
