//! Bad networks (conference Wi-Fi): clients behind fault-injecting proxies
//! (`crates/faultproxy`: pipelined delay with jitter, stalls, repeated RST cuts) keep editing one
//! document and must converge with nothing lost; the relay notices frozen links through pings;
//! a reconnect storm after a restart resyncs every client.
//!
//! The three-client scenario runs two Rust peers (reconnect loop, fresh sync state per
//! connection) and the official JS client (`tests/interop/bad-network-client.mjs`, needs `node`
//! and `tests/interop/node_modules`; without them it runs the Rust peers only and says so).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use automerge::Automerge;
use caucus_faultproxy::scenario::{
    self, JsSetup, RustClient, RustClientConfig, ScenarioConfig, Target, heads_hex, missing_edits,
};
use caucus_faultproxy::{Direction, FaultProxy, Faults};
use caucus_relay::{Config, DocumentId};
use caucus_tests::*;

fn fast_pings(dir: &std::path::Path) -> Config {
    let mut config = Config::for_data_dir(dir);
    config.ping_interval = Duration::from_secs(1);
    config
}

/// The value of one unlabelled metric.
async fn metric(relay: &TestRelay, name: &str) -> anyhow::Result<f64> {
    let (_, text) = relay.metrics().await?;
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or("0");
    Ok(value.trim().parse()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_clients_converge_through_delay_stalls_and_repeated_cuts() -> anyhow::Result<()> {
    let js = match JsSetup::locate() {
        Ok(js) => Some(js),
        Err(why) => {
            eprintln!("JS CLIENT SKIPPED: {why}; running the two Rust clients only");
            None
        }
    };
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start_with(fast_pings(dir.path())).await?;
    let target = Target {
        addr: relay.addr,
        path: format!("/sync?token={TOKEN}"),
    };
    let config = ScenarioConfig {
        faults: Faults {
            delay: Duration::from_millis(120),
            jitter: Duration::from_millis(80),
            stall_every: Some(Duration::from_secs(4)),
            stall_for: Duration::from_millis(2500),
            cut_every: Some(Duration::from_secs(3)),
            seed: 7,
        },
        edit_for: Duration::from_secs(8),
        edit_every: Duration::from_millis(50),
        // Cuts and stalls go on after the edits stop, then the network heals.
        faults_after_edits: Some(Duration::from_secs(4)),
        converge_within: Duration::from_secs(30),
        js_retry: Duration::from_secs(1),
        js,
        liveness: Duration::from_secs(3),
        verbose: true,
    };
    let outcome = scenario::run(&target, &config).await?;
    eprintln!("{}", scenario::describe_clients(&outcome));
    let (up, down) = outcome.bytes();
    eprintln!(
        "through the proxies: {up} bytes up, {down} bytes down; converged: {:?} after the last edit",
        outcome.converged_after
    );

    assert!(
        outcome.converged_after.is_some(),
        "clients did not converge within {:?} of the last edit",
        config.converge_within
    );
    for c in &outcome.clients {
        assert!(c.status.edits > 0, "{} made no edits", c.name);
        assert_eq!(c.missing, 0, "edits of {} lost", c.name);
        // Every client was cut at least once while connected and came back.
        assert!(
            c.status.handshakes >= 2,
            "{} never reconnected ({} handshakes)",
            c.name,
            c.status.handshakes
        );
    }
    assert!(outcome.proxies.iter().all(|p| p.cuts > 0));
    // What the relay stored is exactly what everyone converged to.
    let stored = stored_doc(&relay.storage, &outcome.doc_id)
        .await?
        .expect("stored");
    assert_eq!(heads_hex(&stored), outcome.final_heads);
    for c in &outcome.clients {
        assert_eq!(missing_edits(&stored, &c.name, c.status.edits), 0);
    }
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_closes_a_frozen_connection_within_about_two_ping_intervals() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start_with(fast_pings(dir.path())).await?;
    let proxy = FaultProxy::start(relay.addr, Faults::none()).await?;
    let url = format!("ws://{}/sync?token={TOKEN}", proxy.local_addr());
    let mut peer = Peer::connect(&url, "frozen").await?;
    let mut doc = PeerDoc::new(DocumentId::random(), doc_with_changes(3));
    peer.sync_until_quiet(&mut doc, Duration::from_millis(300))
        .await?;
    assert_eq!(metric(&relay, "caucus_connections").await?, 1.0);

    // The Wi-Fi freezes: nothing crosses either way, nothing is closed.
    proxy.stall(&[Direction::Up, Direction::Down], Duration::from_secs(3600));
    let frozen = Instant::now();
    let mut closed = false;
    while frozen.elapsed() < Duration::from_secs(10) {
        if metric(&relay, "caucus_connections").await? == 0.0 {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = frozen.elapsed();
    eprintln!("the relay closed the frozen connection after {took:?} (ping interval 1 s)");
    assert!(closed, "a frozen connection was still open after 10 s");
    // Two silent intervals, plus up to one tick of the ping timer, plus slack for a busy machine.
    assert!(took < Duration::from_secs(6), "closed only after {took:?}");
    let (_, metrics) = relay.metrics().await?;
    assert!(
        metrics.contains("caucus_connections_closed_total{reason=\"timeout\"} 1"),
        "not closed for silence"
    );
    // When the link thaws, the peer learns it was dropped.
    proxy.set_enabled(false);
    peer.expect_closed().await?;
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_storm_after_a_restart_resyncs_every_client() -> anyhow::Result<()> {
    const CLIENTS: usize = 50;
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start_with(fast_pings(dir.path())).await?;
    let addr = relay.addr;
    let id = DocumentId::random();
    let mut creator = Peer::connect(&relay.ws_url(), "creator").await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(20));
    creator
        .sync_until_quiet(&mut doc, Duration::from_millis(300))
        .await?;
    drop(creator);
    let initial = heads_hex(&doc.doc);

    let clients: Vec<RustClient> = (0..CLIENTS)
        .map(|i| {
            let mut config = RustClientConfig::new(&format!("c{i:02}"), relay.ws_url(), id.clone());
            config.backoff_max = Duration::from_secs(1);
            config.seed = i as u64 + 1;
            RustClient::start(config, Automerge::new())
        })
        .collect();
    let all_at = |heads: &[String]| clients.iter().all(|c| c.status().heads == heads);
    assert!(
        scenario::wait_until(Duration::from_secs(20), || all_at(&initial)).await,
        "clients did not all fetch the document"
    );

    relay.stop().await?;
    // While the relay is down, five clients edit offline.
    for c in clients.iter().take(5) {
        c.edit(3);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let restarted = Instant::now();
    let relay = TestRelay::start_on(addr, fast_pings(dir.path())).await?;
    let converged = scenario::wait_until(Duration::from_secs(30), || {
        let first = clients[0].status().heads;
        first != initial && clients.iter().all(|c| c.status().heads == first)
    })
    .await;
    let took = restarted.elapsed();
    let handshakes: u64 = clients.iter().map(|c| c.status().handshakes).sum();
    eprintln!(
        "{CLIENTS} clients resynced {took:?} after the restart ({handshakes} handshakes in all)"
    );
    assert!(converged, "clients did not converge after the restart");
    let heads = clients[0].status().heads;
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    // Storage may still be catching up with the last client's push: wait for it, bounded.
    let mut stored_heads = heads_hex(&stored);
    let deadline = Instant::now() + PATIENCE;
    while stored_heads != heads && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stored_heads = heads_hex(&stored_doc(&relay.storage, &id).await?.expect("stored"));
    }
    assert_eq!(stored_heads, heads, "the relay's stored heads differ");
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    for c in clients.iter().take(5) {
        assert_eq!(missing_edits(&stored, &c.name, 3), 0, "offline edits lost");
    }
    // One connection per client, none leaked by the storm.
    let mut open = 0.0;
    for _ in 0..50 {
        open = metric(&relay, "caucus_connections").await?;
        if open == CLIENTS as f64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(open, CLIENTS as f64);
    for c in clients {
        c.stop().await;
    }
    relay.stop().await
}
