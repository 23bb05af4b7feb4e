//! The analysis document (crates/model) through a real relay: a whole ITU PP-26 template
//! syncs intact, and concurrent stances from two people arrive as a visible conflict on both
//! sides and on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use automerge::{ActorId, AutoCommit, Automerge};
use caucus_model::{Attribution, Stance, Timestamp};
use caucus_relay::DocumentId;
use caucus_tests::*;

const QUIET: Duration = Duration::from_millis(300);

fn at(ts: &str) -> Timestamp {
    Timestamp::parse(ts).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_stances_through_the_relay_surface_as_a_conflict_everywhere()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let template = caucus_model::template::itu_plenipotentiary_2026()?;
    let created = at("2026-11-09T08:00:00Z");
    let mut alice = caucus_model::new_analysis(&template, ActorId::random(), &created)?;
    caucus_model::register_member(&mut alice, "alice", "Alice", "Digital Rights Org")?;
    caucus_model::commit_edit(&mut alice, "join", &created);

    let mut a = Peer::connect(&relay.ws_url(), "alice").await?;
    let mut doc_a = PeerDoc::new(id.clone(), alice.document().clone());
    a.sync_until_quiet(&mut doc_a, QUIET).await?;

    let mut b = Peer::connect(&relay.ws_url(), "bob").await?;
    let mut doc_b = PeerDoc::new(id.clone(), Automerge::new());
    b.request(&mut doc_b).await?;
    b.sync_until_heads(&mut doc_b, &doc_a.doc.get_heads())
        .await?;
    assert_eq!(
        caucus_model::read_analysis(&doc_b.doc)?,
        caucus_model::read_analysis(&doc_a.doc)?,
        "the whole template arrived intact"
    );

    // Both set Brazil's stance on Res 102 while neither has seen the other's edit.
    let mut alice = AutoCommit::load(&doc_a.doc.save())?.with_actor(ActorId::random());
    let mut bob = AutoCommit::load(&doc_b.doc.save())?.with_actor(ActorId::random());
    caucus_model::register_member(&mut bob, "bob", "Bob", "Access Now")?;
    let when = at("2026-11-12T10:00:00Z");
    caucus_model::set_stance(
        &mut alice,
        &Attribution::new("alice", when.clone()),
        "BR",
        "res-102",
        Stance::Supports,
    )?;
    caucus_model::commit_edit(&mut alice, "stance", &when);
    caucus_model::set_stance(
        &mut bob,
        &Attribution::new("bob", when.clone()),
        "BR",
        "res-102",
        Stance::Opposes,
    )?;
    caucus_model::commit_edit(&mut bob, "stance", &when);
    doc_a.doc = alice.document().clone();
    doc_b.doc = bob.document().clone();
    a.sync_until_quiet(&mut doc_a, QUIET).await?;
    b.sync_until_quiet(&mut doc_b, QUIET).await?;
    a.sync_until_quiet(&mut doc_a, QUIET).await?;
    assert_eq!(doc_a.doc.get_heads(), doc_b.doc.get_heads());

    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    for doc in [&doc_a.doc, &doc_b.doc, &stored] {
        let conflicts = caucus_model::conflicts(doc)?;
        let stance = conflicts
            .iter()
            .find(|c| c.path.last().map(String::as_str) == Some("stance"))
            .expect("the stance conflict is visible");
        let mut values: Vec<String> = stance.values.iter().map(|v| v.value.to_string()).collect();
        values.sort();
        assert_eq!(values, vec!["\"opposes\"", "\"supports\""]);
    }
    relay.stop().await
}
