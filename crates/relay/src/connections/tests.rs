//! The connection registry on its own: limits, replacement, revocation, expiry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::Ipv4Addr;

use tokio::sync::mpsc;

use super::*;

fn registry(per_token: usize, per_ip: usize) -> Connections {
    Connections::new(
        ConnectionLimits { per_token, per_ip },
        Metrics::new(),
        CancellationToken::new(),
    )
}

fn principal(token: &str, expires_unix_ms: Option<u64>) -> Principal {
    Principal {
        token_id: token.into(),
        name: format!("{token}'s phone"),
        role: Role::Editor,
        docs: None,
        expires_unix_ms,
    }
}

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
}

fn outbox(slot: &ConnectionSlot, peer: &str) -> Outbox {
    let (tx, _rx) = mpsc::channel(1);
    Outbox::new(slot.id, peer.into(), true, tx, slot.closer.clone())
}

#[test]
fn a_token_over_its_limit_is_refused_until_a_slot_frees() {
    let conns = registry(2, 100);
    let ana = principal("ana", None);
    let first = conns.reserve(&ana, ip(1), "a").unwrap();
    let _second = conns.reserve(&ana, ip(2), "b").unwrap();
    assert_eq!(
        conns.reserve(&ana, ip(3), "c").err(),
        Some(SlotRefused::PerToken(2))
    );
    assert!(
        conns.reserve(&principal("ben", None), ip(3), "d").is_ok(),
        "others unaffected"
    );
    drop(first);
    assert!(
        conns.reserve(&ana, ip(3), "e").is_ok(),
        "a closed connection frees its slot"
    );
}

#[test]
fn an_address_over_its_limit_is_refused() {
    let conns = registry(100, 1);
    let _held = conns.reserve(&principal("ana", None), ip(1), "a").unwrap();
    assert_eq!(
        conns.reserve(&principal("ben", None), ip(1), "b").err(),
        Some(SlotRefused::PerIp(1))
    );
    assert!(conns.reserve(&principal("ben", None), ip(2), "c").is_ok());
}

#[test]
fn a_reconnecting_peer_replaces_its_old_connection() {
    let conns = registry(10, 10);
    let ana = principal("ana", None);
    let (old_slot, new_slot) = (
        conns.reserve(&ana, ip(1), "a").unwrap(),
        conns.reserve(&ana, ip(1), "a").unwrap(),
    );
    let (old, new) = (outbox(&old_slot, "peer-ana"), outbox(&new_slot, "peer-ana"));
    assert!(conns.join(old.clone(), "ana").unwrap().is_none());
    let replaced = conns
        .join(new.clone(), "ana")
        .unwrap()
        .expect("the old connection is handed back");
    assert_eq!(replaced.id, old.id);
    assert!(old.is_closed(), "the old socket is closed");
    assert_eq!(
        old_slot.closer.closing().unwrap().reason,
        CloseReason::Replaced
    );
    assert!(!new.is_closed());
    // The old connection ending later must not unregister the new one.
    conns.leave(&old);
    let third = conns.reserve(&ana, ip(1), "a").unwrap();
    let replaced = conns
        .join(outbox(&third, "peer-ana"), "ana")
        .unwrap()
        .unwrap();
    assert_eq!(replaced.id, new.id);
}

#[test]
fn another_tokens_join_with_a_peer_id_is_refused_and_takes_nothing_over() {
    let conns = registry(10, 10);
    let victim_slot = conns.reserve(&principal("ana", None), ip(1), "a").unwrap();
    let victim = outbox(&victim_slot, "peer-ana");
    conns.join(victim.clone(), "ana").unwrap();
    let thief_slot = conns
        .reserve(&principal("mallory", None), ip(2), "m")
        .unwrap();
    assert_eq!(
        conns.join(outbox(&thief_slot, "peer-ana"), "mallory").err(),
        Some(PeerIdTaken)
    );
    assert!(!victim.is_closed(), "the owner's connection stays open");
    let shown = conns.snapshots();
    let thief = shown.iter().find(|c| c.token_id == "mallory").unwrap();
    assert_eq!(thief.peer_id, None, "the refused join registered nothing");
    // The owner's connection drops (flaky Wi-Fi): the name is still not free for others.
    conns.leave(&victim);
    drop(victim_slot);
    assert_eq!(
        conns.join(outbox(&thief_slot, "peer-ana"), "mallory").err(),
        Some(PeerIdTaken)
    );
    let back = conns.reserve(&principal("ana", None), ip(1), "a").unwrap();
    assert!(conns.join(outbox(&back, "peer-ana"), "ana").is_ok());
    // Once the owner's token is revoked, its peer IDs are free.
    conns.close_token("ana");
    assert!(
        conns
            .join(outbox(&thief_slot, "peer-ana"), "mallory")
            .is_ok()
    );
}

#[test]
fn revocation_and_expiry_close_only_their_tokens_connections() {
    let conns = registry(10, 10);
    let revoked = conns
        .reserve(&principal("lost-phone", None), ip(1), "a")
        .unwrap();
    let expiring = conns
        .reserve(&principal("day-pass", Some(1_000)), ip(1), "b")
        .unwrap();
    let other = conns.reserve(&principal("ana", None), ip(1), "c").unwrap();
    assert_eq!(conns.close_token("lost-phone"), 1);
    assert_eq!(
        revoked.closer.closing().unwrap().reason,
        CloseReason::Revoked
    );
    conns.close_expired(999);
    assert!(!expiring.closer.is_closed(), "not expired yet");
    conns.close_expired(1_000);
    assert!(expiring.closer.is_closed());
    assert!(!other.closer.is_closed());
}

#[test]
fn status_snapshots_show_who_is_connected_and_what_they_opened() {
    let conns = registry(10, 10);
    let slot = conns
        .reserve(&principal("ana", None), ip(1), "10.0.0.1:5000")
        .unwrap();
    conns.join(outbox(&slot, "peer-ana"), "ana").unwrap();
    let doc = DocumentId::random();
    conns.opened_document(slot.id, &doc);
    conns.opened_document(slot.id, &doc);
    let shown = conns.snapshots();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].peer_id.as_deref(), Some("peer-ana"));
    assert_eq!(shown[0].docs, vec![doc.to_string()]);
    assert_eq!(shown[0].token_name, "ana's phone");
    drop(slot);
    assert!(conns.snapshots().is_empty());
}
