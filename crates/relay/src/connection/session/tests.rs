//! The per-message rules of a connection, without a socket.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use super::*;
use crate::auth::Role;
use crate::protocol::SyncMessage;

fn limits() -> SessionLimits {
    SessionLimits {
        max_documents: 2,
        max_ephemeral_bytes: 16,
        ephemeral_rate: 1,
    }
}

fn principal(docs: Option<Vec<DocumentId>>) -> Principal {
    Principal {
        token_id: "t".into(),
        name: "ana".into(),
        role: Role::Editor,
        docs: docs.map(|d| Arc::new(d.into_iter().collect())),
        expires_unix_ms: None,
    }
}

fn join(peer: &str) -> Message {
    Message::Join {
        sender_id: peer.into(),
        metadata: PeerMetadata::default(),
        supported_versions: Some(vec!["1".into()]),
    }
}

fn sync(peer: &str, doc: &DocumentId) -> Message {
    Message::Sync(SyncMessage {
        sender_id: peer.into(),
        target_id: "relay".into(),
        document_id: doc.clone(),
        data: vec![1],
    })
}

fn presence(peer: &str, doc: &DocumentId, bytes: usize) -> Message {
    Message::Ephemeral(EphemeralMessage {
        sender_id: peer.into(),
        target_id: "relay".into(),
        document_id: doc.clone(),
        session_id: "s".into(),
        count: 1,
        data: vec![0; bytes],
    })
}

fn joined(docs: Option<Vec<DocumentId>>) -> (Session, Instant) {
    let now = Instant::now();
    let mut session = Session::new(principal(docs), limits(), now);
    assert!(matches!(
        session.on_message(join("peer-a"), now),
        Action::Join { .. }
    ));
    (session, now)
}

fn is_protocol_close(action: &Action) -> bool {
    matches!(
        action,
        Action::Close {
            reason: CloseReason::ProtocolError,
            error: Some(_),
            ..
        }
    )
}

#[test]
fn join_comes_first_and_only_once() {
    let now = Instant::now();
    let doc = DocumentId::random();
    let mut session = Session::new(principal(None), limits(), now);
    assert!(is_protocol_close(
        &session.on_message(sync("peer-a", &doc), now)
    ));
    let mut session = Session::new(principal(None), limits(), now);
    let old_only = Message::Join {
        sender_id: "peer-a".into(),
        metadata: PeerMetadata::default(),
        supported_versions: Some(vec!["0".into()]),
    };
    assert!(is_protocol_close(&session.on_message(old_only, now)));
    let (mut session, now) = joined(None);
    assert!(session.joined());
    assert!(is_protocol_close(&session.on_message(join("peer-a"), now)));
}

#[test]
fn a_peer_speaks_only_as_the_peer_it_joined_as() {
    let (mut session, now) = joined(None);
    let doc = DocumentId::random();
    assert!(is_protocol_close(
        &session.on_message(sync("peer-b", &doc), now)
    ));
    assert!(matches!(
        session.on_message(sync("peer-a", &doc), now),
        Action::Sync { first: true, .. }
    ));
    assert!(matches!(
        session.on_message(sync("peer-a", &doc), now),
        Action::Sync { first: false, .. }
    ));
}

#[test]
fn presence_under_another_peers_sender_id_is_never_relayed_as_theirs() {
    let (mut session, now) = joined(None);
    let doc = DocumentId::random();
    // Not relayed as presence: the reader drops it if it is an echo of what the relay already
    // relayed (JS clients re-broadcast), and closes the connection otherwise.
    assert!(matches!(
        session.on_message(presence("peer-b", &doc, 1), now),
        Action::EchoOrSpoof { .. }
    ));
    assert!(is_protocol_close(&Action::spoofed("peer-b")));
    assert_eq!(
        session.take_documents().len(),
        0,
        "someone else's presence opens no document"
    );
    let (mut session, now) = joined(None);
    assert!(matches!(
        session.on_message(presence("peer-a", &doc, 1), now),
        Action::Presence { first: true, .. }
    ));
}

#[test]
fn documents_outside_the_tokens_scope_look_nonexistent() {
    let allowed = DocumentId::random();
    let other = DocumentId::random();
    let (mut session, now) = joined(Some(vec![allowed.clone()]));
    assert_eq!(
        session.on_message(sync("peer-a", &other), now),
        Action::Unavailable { doc: other.clone() }
    );
    assert_eq!(
        session.on_message(presence("peer-a", &other, 1), now),
        Action::Ignore
    );
    assert!(matches!(
        session.on_message(sync("peer-a", &allowed), now),
        Action::Sync { .. }
    ));
    assert_eq!(
        session.take_documents().len(),
        1,
        "the hidden document was never opened"
    );
}

#[test]
fn a_connection_may_open_only_so_many_documents() {
    let (mut session, now) = joined(None);
    for _ in 0..2 {
        let doc = DocumentId::random();
        assert!(matches!(
            session.on_message(sync("peer-a", &doc), now),
            Action::Sync { .. }
        ));
    }
    let third = session.on_message(sync("peer-a", &DocumentId::random()), now);
    assert!(matches!(
        third,
        Action::Close {
            limit: Some("documents_per_connection"),
            ..
        }
    ));
}

#[test]
fn presence_is_bounded_in_size_and_rate() {
    let (mut session, now) = joined(None);
    let doc = DocumentId::random();
    assert!(matches!(
        session.on_message(presence("peer-a", &doc, 17), now),
        Action::Close {
            limit: Some("ephemeral_size"),
            ..
        }
    ));
    let (mut session, now) = joined(None);
    // A burst of twice the rate, then the excess is dropped (presence is lossy).
    for _ in 0..2 {
        assert!(matches!(
            session.on_message(presence("peer-a", &doc, 1), now),
            Action::Presence { .. }
        ));
    }
    assert_eq!(
        session.on_message(presence("peer-a", &doc, 1), now),
        Action::Drop {
            limit: "ephemeral_rate"
        }
    );
    let later = now + Duration::from_secs(2);
    assert!(matches!(
        session.on_message(presence("peer-a", &doc, 1), later),
        Action::Presence { first: false, .. }
    ));
}

#[test]
fn leave_and_error_end_the_connection_quietly_and_unknown_types_are_ignored() {
    let (mut session, now) = joined(None);
    assert_eq!(
        session.on_message(
            Message::Unknown {
                kind: "future".into()
            },
            now
        ),
        Action::Ignore
    );
    assert_eq!(
        session.on_message(
            Message::Leave {
                sender_id: "peer-a".into()
            },
            now
        ),
        Action::peer_left()
    );
    assert_eq!(
        session.on_message(
            Message::Error {
                message: "bye".into()
            },
            now
        ),
        Action::peer_left()
    );
}
