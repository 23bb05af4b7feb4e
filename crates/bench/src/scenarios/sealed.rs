//! Scenario: sealed analyses (docs/sealed.md), caucus only.
//!
//! 1. **Write throughput**, one document, `writers` clients each sending `edits` one-character
//!    edits and waiting for each to be acknowledged before the next: plain (websocket sync; the
//!    relay merges, persists, then answers and fans out to the other writers) against sealed
//!    (`POST /api/sealed/{doc}/log`; the relay checks a signature and a sequence, persists,
//!    answers). Acknowledged changes/s and the relay's CPU per change.
//! 2. **Client cost per change**: sealing (encrypt + sign) and checking (verify + decrypt) an
//!    envelope of a typical one-edit change, in this process.
//! 3. **Cold load of a sealed analysis** of the trace's size: a fresh device fetches it (one
//!    snapshot), replays the membership chain, verifies, decrypts and loads it, against
//!    `Automerge::load` of the same bytes in this process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Automerge, ObjType, ROOT};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use caucus_relay::DocumentId;
use caucus_sealed::envelope::EnvelopeHeader;
use caucus_sealed::keyring::{self, Keyring};
use caucus_sealed::{
    DeviceKeys, DeviceSecret, DocId, Envelope, EnvelopeKind, EpochKey, Membership,
};
use serde_json::{Value, json};

use super::cold_load::ColdDoc;
use crate::client::{Conn, Replica, sync_until};
use crate::procstat;
use crate::relay::{ADMIN_TOKEN, Paths, RelayKind, RelayProc};
use crate::report::{Outcome, Unit};

/// Sizes of the write phase.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SealedCfg {
    pub(crate) writers: usize,
    pub(crate) edits: usize,
}

pub(crate) async fn run(
    paths: &Paths,
    dir: &std::path::Path,
    cfg: SealedCfg,
    cold: Arc<ColdDoc>,
) -> Outcome {
    super::on_fresh_relay(RelayKind::Caucus, paths, dir, async |relay, out| {
        plain_writes(relay, cfg, out).await?;
        let base = format!(
            "http://{}",
            relay
                .url()
                .trim_start_matches("ws://")
                .split('/')
                .next()
                .unwrap_or_default()
        );
        let pid = relay.pid().to_string();
        let cold = cold.clone();
        tokio::task::spawn_blocking(move || -> Result<Outcome> {
            let mut out = Outcome::default();
            sealed_writes(&base, &pid, cfg, &mut out)?;
            client_cost(&mut out)?;
            sealed_cold(&base, &cold, &mut out)?;
            Ok(out)
        })
        .await??
        .metrics
        .into_iter()
        .for_each(|m| out.metrics.push(m));
        Ok(())
    })
    .await
}

/// A small analysis-like document: a map with a text to type into.
fn base_doc() -> Result<AutoCommit> {
    let mut doc = AutoCommit::new();
    let notes = doc.put_object(ROOT, "notes", ObjType::Text)?;
    doc.splice_text(&notes, 0, 0, "Brazil: ")?;
    doc.commit();
    Ok(doc)
}

/// Types one character at the end of the notes (a space every seventh).
fn type_into(doc: &mut impl Transactable, n: usize) -> Result<()> {
    let (_, notes) = doc.get(ROOT, "notes")?.context("notes")?;
    let len = doc.length(&notes);
    doc.splice_text(&notes, len, 0, if n % 7 == 6 { " " } else { "x" })?;
    Ok(())
}

fn type_one(doc: &mut AutoCommit, n: usize) -> Result<()> {
    type_into(doc, n)?;
    doc.commit();
    Ok(())
}

async fn plain_writes(relay: &RelayProc, cfg: SealedCfg, out: &mut Outcome) -> Result<()> {
    let url = relay.url();
    let id = DocumentId::random();
    let base = base_doc()?.document().clone();
    Replica::new(id.clone(), base.clone())
        .push_all(&url, "bench-sealed-plain-0", Duration::from_secs(60))
        .await?;
    let before = procstat::sample(&relay.pid().to_string())?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..cfg.writers {
        let (url, id, base) = (url.clone(), id.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(&url, &format!("bench-sealed-plain-w{w}")).await?;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
            let mut rep = Replica::new(id, base);
            rep.doc.set_actor(ActorId::random());
            sync_until(&mut conn, &mut rep, false, deadline, Replica::relay_has_all).await?;
            for n in 0..cfg.edits {
                let mut tx = rep.doc.transaction();
                type_into(&mut tx, n)?;
                tx.commit();
                sync_until(&mut conn, &mut rep, false, deadline, Replica::relay_has_all).await?;
            }
            conn.close().await;
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    let after = procstat::sample(&relay.pid().to_string())?;
    let changes = (cfg.writers * cfg.edits) as f64;
    out.push(
        "plain: acknowledged changes/s",
        changes / secs,
        Unit::PerSec,
    );
    out.push(
        "plain: relay CPU per change",
        1000.0 * (after.cpu_s - before.cpu_s) / changes,
        Unit::Ms,
    );
    Ok(())
}

fn post(base: &str, path: &str, body: &Value) -> Result<Value> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(format!("{base}{path}"))
        .header("Authorization", format!("Bearer {ADMIN_TOKEN}"))
        .send_json(body)?;
    let status = response.status();
    let answer: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("{path}: {status} {answer}");
    }
    Ok(answer)
}

/// A sealed analysis of `doc` with `devices` as members (the first creates it).
fn create_sealed(
    base: &str,
    devices: &[DeviceKeys],
    doc: &mut AutoCommit,
) -> Result<(DocId, EpochKey)> {
    let recovery = DeviceSecret::generate()?.keys();
    let (genesis, key) = keyring::create(&devices[0], recovery.id(), 1)?;
    let id = genesis.op.doc;
    let header = EnvelopeHeader {
        kind: EnvelopeKind::Snapshot,
        doc: id,
        epoch: 0,
        number: 0,
    };
    let snapshot = Envelope::seal(header, &devices[0], &key.content_key(&id), &doc.save())?;
    post(
        base,
        "/api/sealed",
        &json!({"op": BASE64.encode(genesis.as_bytes()), "snapshot": BASE64.encode(snapshot.as_bytes())}),
    )?;
    let mut state = Membership::from_genesis(&genesis)?;
    let ring = Keyring::open(&devices[0], id, std::slice::from_ref(&genesis))?;
    for device in &devices[1..] {
        let op = keyring::add(&state, &ring, &devices[0], device.id(), 2)?;
        post(
            base,
            &format!("/api/sealed/{id}/members"),
            &json!({"op": BASE64.encode(op.as_bytes())}),
        )?;
        state.apply(&op)?;
    }
    Ok((id, key))
}

fn sealed_writes(base: &str, pid: &str, cfg: SealedCfg, out: &mut Outcome) -> Result<()> {
    let devices: Vec<DeviceKeys> = (0..cfg.writers)
        .map(|_| DeviceSecret::generate().map(|s| s.keys()))
        .collect::<Result<_, _>>()?;
    let mut doc = base_doc()?;
    let (id, key) = create_sealed(base, &devices, &mut doc)?;
    let saved = doc.save();
    let before = procstat::sample(pid)?;
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        let handles: Vec<_> = devices
            .iter()
            .map(|device| {
                let (saved, key) = (&saved, &key);
                scope.spawn(move || -> Result<()> {
                    let mut doc = AutoCommit::load(saved)?.with_actor(ActorId::random());
                    let content = key.content_key(&id);
                    for n in 0..cfg.edits {
                        let heads = doc.get_heads();
                        type_one(&mut doc, n)?;
                        let header = EnvelopeHeader {
                            kind: EnvelopeKind::Change,
                            doc: id,
                            epoch: 0,
                            number: n as u64 + 1,
                        };
                        let envelope =
                            Envelope::seal(header, device, &content, &doc.save_after(&heads))?;
                        post(
                            base,
                            &format!("/api/sealed/{id}/log"),
                            &json!({"envelopes": [BASE64.encode(envelope.as_bytes())]}),
                        )?;
                    }
                    Ok(())
                })
            })
            .collect();
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("a writer panicked"))??;
        }
        Ok(())
    })?;
    let secs = started.elapsed().as_secs_f64();
    let after = procstat::sample(pid)?;
    let changes = (cfg.writers * cfg.edits) as f64;
    out.push(
        "sealed: acknowledged changes/s",
        changes / secs,
        Unit::PerSec,
    );
    out.push(
        "sealed: relay CPU per change",
        1000.0 * (after.cpu_s - before.cpu_s) / changes,
        Unit::Ms,
    );
    Ok(())
}

fn client_cost(out: &mut Outcome) -> Result<()> {
    const N: usize = 2000;
    let device = DeviceSecret::generate()?.keys();
    let id = DocId([7; 16]);
    let content = EpochKey::generate()?.content_key(&id);
    let mut doc = base_doc()?;
    let heads = doc.get_heads();
    type_one(&mut doc, 0)?;
    let change = doc.save_after(&heads);
    let started = Instant::now();
    let mut sealed = Vec::with_capacity(N);
    for n in 0..N {
        let header = EnvelopeHeader {
            kind: EnvelopeKind::Change,
            doc: id,
            epoch: 0,
            number: n as u64 + 1,
        };
        sealed.push(Envelope::seal(header, &device, &content, &change)?.into_bytes());
    }
    let seal_us = started.elapsed().as_secs_f64() * 1e6 / N as f64;
    let started = Instant::now();
    for bytes in &sealed {
        Envelope::parse(bytes)?.open(&content)?;
    }
    let open_us = started.elapsed().as_secs_f64() * 1e6 / N as f64;
    out.push(
        format!("client: seal one change of {} bytes", change.len()),
        seal_us,
        Unit::Micros,
    );
    out.push("client: verify and open one change", open_us, Unit::Micros);
    Ok(())
}

fn sealed_cold(base: &str, cold: &ColdDoc, out: &mut Outcome) -> Result<()> {
    let device = DeviceSecret::generate()?;
    let keys = device.keys();
    let mut doc = AutoCommit::load(&cold.doc.save())?;
    let (id, _) = create_sealed(base, std::slice::from_ref(&keys), &mut doc)?;
    let started = Instant::now();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let answer: Value = agent
        .get(format!("{base}/api/sealed/{id}"))
        .header("Authorization", format!("Bearer {ADMIN_TOKEN}"))
        .call()?
        .body_mut()
        .read_json()?;
    let fetched = started.elapsed().as_secs_f64();
    let ops: Vec<Vec<u8>> = answer["ops"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o.as_str().and_then(|s| BASE64.decode(s).ok()))
        .collect();
    let (membership, parsed) = Membership::replay(ops.iter().map(Vec::as_slice))?;
    let ring = Keyring::open(&keys, membership.doc(), &parsed)?;
    let snapshot = BASE64.decode(
        answer["snapshot"]["bytes"]
            .as_str()
            .context("no snapshot")?,
    )?;
    let envelope = Envelope::parse(&snapshot)?;
    let plain = envelope.open(&ring.content_key(envelope.epoch)?)?;
    let decrypted = started.elapsed().as_secs_f64();
    let loaded = Automerge::load(&plain)?;
    let total = started.elapsed().as_secs_f64();
    if loaded.get_heads() != cold.heads {
        bail!("the sealed cold load did not give the document back");
    }
    out.push(
        "sealed cold load: total (fetch, verify, decrypt, load)",
        total,
        Unit::Secs,
    );
    out.push("sealed cold load: fetch", fetched, Unit::Secs);
    out.push(
        "sealed cold load: verify + decrypt",
        decrypted - fetched,
        Unit::Secs,
    );
    out.push(
        "automerge load in-process (floor)",
        cold.load_secs,
        Unit::Secs,
    );
    out.push(
        "sealed cold ÷ automerge load",
        total / cold.load_secs,
        Unit::Ratio,
    );
    out.push(
        "sealed snapshot size",
        snapshot.len() as f64 / 1024.0,
        Unit::KiB,
    );
    Ok(())
}
