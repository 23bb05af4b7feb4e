//! The scenario's run ([`run`]): create the document, put each client behind its own
//! [`FaultProxy`], edit under faults, stop editing, optionally stop the faults, wait until every
//! client and a fault-free observer (the relay's view) have the same heads, and collect what
//! each client made and the relay's view lacks.

use std::time::Duration;

use anyhow::{Result, bail};
use automerge::Automerge;
use automerge::transaction::Transactable;
use caucus_relay::DocumentId;
use tokio::time::Instant;

use super::{
    ClientOutcome, ClientStatus, JsClient, RustClient, RustClientConfig, ScenarioConfig,
    ScenarioOutcome, Target, heads_hex, missing_edits, wait_until,
};
use crate::{FaultProxy, Faults};

enum Participant {
    Rust(RustClient),
    Js(Box<JsClient>),
}

impl Participant {
    fn status(&self) -> ClientStatus {
        match self {
            Participant::Rust(c) => c.status(),
            Participant::Js(c) => c.status(),
        }
    }

    fn name(&self) -> &str {
        match self {
            Participant::Rust(c) => &c.name,
            Participant::Js(c) => &c.name,
        }
    }

    async fn set_editing(&mut self, on: bool) -> Result<()> {
        match self {
            Participant::Rust(c) => {
                c.set_editing(on);
                Ok(())
            }
            Participant::Js(c) => c.set_editing(on).await,
        }
    }

    async fn stop(self) {
        match self {
            Participant::Rust(c) => c.stop().await,
            Participant::Js(c) => c.stop().await,
        }
    }
}

/// An observer straight to the relay (no faults): its document is the relay's view.
fn observer(target: &Target, doc_id: &DocumentId) -> RustClient {
    let mut config = RustClientConfig::new("observer", target.url(), doc_id.clone());
    config.liveness = Duration::from_secs(30);
    config.backoff_max = Duration::from_millis(300);
    RustClient::start(config, Automerge::new())
}

/// A progress line on stderr when the run is verbose.
fn say(config: &ScenarioConfig, m: String) {
    if config.verbose {
        eprintln!("  [scenario] {m}");
    }
}

/// Runs the scenario against a relay that is already up.
pub async fn run(target: &Target, config: &ScenarioConfig) -> Result<ScenarioOutcome> {
    let (doc_id, initial, watcher) = create_document(target).await?;
    say(config, format!("document {doc_id} is on the relay"));

    // One proxy per client, faults off until everyone holds the document.
    let names: Vec<&str> = if config.js.is_some() {
        vec!["rust-a", "rust-b", "js"]
    } else {
        vec!["rust-a", "rust-b"]
    };
    let proxies = start_proxies(target, &config.faults, names.len()).await?;
    let mut clients = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let url = target.url_via(proxies[i].local_addr());
        if *name == "js" {
            let Some(js) = &config.js else { continue };
            let mut c =
                JsClient::spawn(js, name, &url, &doc_id, config.edit_every, config.js_retry)?;
            if let Err(e) = c.wait_ready(Duration::from_secs(20)).await {
                for p in clients {
                    Participant::stop(p).await;
                }
                c.stop().await;
                watcher.stop().await;
                return Err(e);
            }
            clients.push(Participant::Js(Box::new(c)));
        } else {
            let mut rc = RustClientConfig::new(name, url, doc_id.clone());
            rc.edit_every = config.edit_every;
            rc.liveness = config.liveness;
            rc.seed = config.faults.seed ^ (i as u64 + 1);
            clients.push(Participant::Rust(RustClient::start(rc, initial.clone())));
        }
    }
    say(
        config,
        "clients hold the document; faults on, editing".into(),
    );
    let last_edit = edit_under_faults(config, &proxies, &mut clients).await?;
    let converged_after = converge(config, &proxies, &clients, &watcher, last_edit).await;
    say(
        config,
        match converged_after {
            Some(t) => format!("converged {:.2}s after the last edit", t.as_secs_f64()),
            None => format!("not converged after {:?}", config.converge_within),
        },
    );
    collect(doc_id, converged_after, clients, watcher, proxies).await
}

/// The document: one change, created and pushed straight to the relay; its id, the document
/// and the observer that saw the relay serve it.
async fn create_document(target: &Target) -> Result<(DocumentId, Automerge, RustClient)> {
    let doc_id = DocumentId::random();
    let mut initial = Automerge::new();
    {
        let mut tx = initial.transaction();
        tx.put(automerge::ROOT, "created", true)?;
        tx.commit();
    }
    let want = heads_hex(&initial);
    let creator = RustClient::start(
        RustClientConfig::new("creator", target.url(), doc_id.clone()),
        initial.clone(),
    );
    let watcher = observer(target, &doc_id);
    let pushed = wait_until(Duration::from_secs(15), || watcher.status().heads == want).await;
    creator.stop().await;
    if !pushed {
        watcher.stop().await;
        bail!("the relay never served the freshly created document");
    }
    Ok((doc_id, initial, watcher))
}

/// `count` proxies to the relay, each with its own seed, faults off.
async fn start_proxies(target: &Target, faults: &Faults, count: usize) -> Result<Vec<FaultProxy>> {
    let mut proxies = Vec::new();
    for i in 0..count {
        let faults = Faults {
            seed: faults.seed.wrapping_add(i as u64 * 1000),
            ..faults.clone()
        };
        let proxy = FaultProxy::start(target.addr, faults).await?;
        proxy.set_enabled(false);
        proxies.push(proxy);
    }
    Ok(proxies)
}

/// Faults on, every client edits for `edit_for`, then stops; when the last edit was made.
async fn edit_under_faults(
    config: &ScenarioConfig,
    proxies: &[FaultProxy],
    clients: &mut [Participant],
) -> Result<Instant> {
    for p in proxies {
        p.set_enabled(true);
    }
    for c in clients.iter_mut() {
        c.set_editing(true).await?;
    }
    tokio::time::sleep(config.edit_for).await;
    for c in clients.iter_mut() {
        c.set_editing(false).await?;
    }
    let last_edit = Instant::now();
    say(
        config,
        format!(
            "edits stopped: {}",
            clients
                .iter()
                .map(|c| format!("{}={}", c.name(), c.status().edits))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    );
    Ok(last_edit)
}

/// Waits until every client and the observer have the same heads (faults off
/// `faults_after_edits` after the last edit, when set); how long after the last edit, or
/// `None` past `converge_within`.
async fn converge(
    config: &ScenarioConfig,
    proxies: &[FaultProxy],
    clients: &[Participant],
    watcher: &RustClient,
    last_edit: Instant,
) -> Option<Duration> {
    let mut faults_on = true;
    let deadline = last_edit + config.converge_within;
    let mut next_report = last_edit;
    loop {
        let now = Instant::now();
        if faults_on
            && let Some(after) = config.faults_after_edits
            && now >= last_edit + after
        {
            for p in proxies {
                p.set_enabled(false);
            }
            faults_on = false;
            say(config, "faults off".into());
        }
        let statuses: Vec<ClientStatus> = clients
            .iter()
            .map(Participant::status)
            .chain(std::iter::once(watcher.status()))
            .collect();
        if config.verbose && now >= next_report {
            next_report = now + Duration::from_secs(1);
            let names = clients.iter().map(Participant::name).chain(["observer"]);
            say(
                config,
                format!(
                    "+{:.1}s {}",
                    (now - last_edit).as_secs_f64(),
                    progress(names, &statuses)
                ),
            );
        }
        let heads: Vec<Vec<String>> = statuses.into_iter().map(|s| s.heads).collect();
        if heads.windows(2).all(|w| w[0] == w[1]) {
            return Some(now - last_edit);
        }
        if now > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `name:up3[abcdef,012345]` per client: link, handshakes, heads (first six characters).
fn progress<'a>(names: impl Iterator<Item = &'a str>, statuses: &[ClientStatus]) -> String {
    let line: Vec<String> = names
        .zip(statuses)
        .map(|(n, s)| {
            format!(
                "{n}:{}{}[{}]",
                if s.connected { "up" } else { "down" },
                s.handshakes,
                s.heads
                    .iter()
                    .map(|h| &h[..6.min(h.len())])
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect();
    line.join(" ")
}

/// Reads the final state (the relay's view from the observer), then stops every client, the
/// observer and the proxies.
async fn collect(
    doc_id: DocumentId,
    converged_after: Option<Duration>,
    clients: Vec<Participant>,
    watcher: RustClient,
    proxies: Vec<FaultProxy>,
) -> Result<ScenarioOutcome> {
    for c in &clients {
        if let Participant::Js(js) = c {
            js.settle().await;
        }
    }
    let observed = watcher.snapshot().await?;
    let final_heads = heads_hex(&observed);
    let mut outcomes = Vec::new();
    for c in &clients {
        let status = c.status();
        let missing = missing_edits(&observed, c.name(), status.edits);
        outcomes.push(ClientOutcome {
            name: c.name().to_owned(),
            status,
            missing,
        });
    }
    let counters = proxies.iter().map(FaultProxy::counters).collect();
    for c in clients {
        c.stop().await;
    }
    watcher.stop().await;
    drop(proxies);
    Ok(ScenarioOutcome {
        doc_id,
        converged_after,
        final_heads,
        clients: outcomes,
        proxies: counters,
        observed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_shows_link_handshakes_and_short_heads() {
        let up = ClientStatus {
            connected: true,
            handshakes: 3,
            heads: vec!["abcdef0123".into(), "12".into()],
            ..ClientStatus::default()
        };
        let down = ClientStatus::default();
        assert_eq!(
            progress(["a", "observer"].into_iter(), &[up, down]),
            "a:up3[abcdef,12] observer:down0[]"
        );
    }
}
