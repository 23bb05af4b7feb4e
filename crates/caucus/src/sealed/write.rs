//! What this device uploads: a new sealed analysis (genesis, first snapshot), membership
//! operations (a removal with the new epoch's snapshot of everything), and edits (sealed
//! changes with the next sequence, then a snapshot every [`SNAPSHOT_EVERY`] changes). A
//! refusal that only means "the relay moved on" (`sequence`, `stale-epoch`, `conflict`) is
//! answered by fetching again and retrying, a bounded number of times.

use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, bail};
use automerge::ActorId;
use caucus_model::{
    Attribution, Timestamp, commit_edit, new_analysis, register_member, set_field, set_title,
    template,
};
use caucus_sealed::envelope::EnvelopeHeader;
use caucus_sealed::keyring;
use caucus_sealed::{DeviceId, DeviceKeys, DeviceSecret, DocId, Envelope, EnvelopeKind, EpochKey};

use super::relay::{Refused, SealedRelay};
use super::replica::{self, Replica};

/// A device that crosses this many changes since the last snapshot uploads a new one.
pub(crate) const SNAPSHOT_EVERY: u64 = 500;
/// Attempts when the relay moved on between our fetch and our upload.
const ATTEMPTS: usize = 3;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn now() -> anyhow::Result<Timestamp> {
    Ok(Timestamp::parse(
        &humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    )?)
}

/// The member this device edits as: `device-<short id>`.
fn member_id(keys: &DeviceKeys) -> String {
    format!("device-{}", keys.id().short())
}

fn seal(
    keys: &DeviceKeys,
    key: &EpochKey,
    header: EnvelopeHeader,
    plaintext: &[u8],
) -> anyhow::Result<Envelope> {
    Ok(Envelope::seal(
        header,
        keys,
        &key.content_key(&header.doc),
        plaintext,
    )?)
}

/// Whether `err` is the relay's refusal with `reason`.
fn refused(err: &anyhow::Error, reason: &str) -> bool {
    err.downcast_ref::<Refused>()
        .is_some_and(|r| r.reason == reason)
}

pub(crate) struct Created {
    pub(crate) doc: DocId,
    pub(crate) recovery: DeviceSecret,
}

/// A new sealed analysis from the default template, with this device as its first member.
pub(crate) fn create(
    relay: &SealedRelay,
    secret: &DeviceSecret,
    title: Option<&str>,
) -> anyhow::Result<Created> {
    let keys = secret.keys();
    let recovery = DeviceSecret::generate()?;
    let (genesis, key) = keyring::create(&keys, recovery.keys().id(), now_ms())?;
    let doc = genesis.op.doc;
    let at = now()?;
    let mut automerge = new_analysis(
        &template::itu_plenipotentiary_2026()?,
        ActorId::random(),
        &at,
    )?;
    if let Some(title) = title {
        set_title(&mut automerge, title)?;
    }
    register_member(
        &mut automerge,
        &member_id(&keys),
        &format!("command line {}", keys.id().short()),
        "",
    )?;
    commit_edit(&mut automerge, "a sealed analysis", &at);
    let header = EnvelopeHeader {
        kind: EnvelopeKind::Snapshot,
        doc,
        epoch: 0,
        number: 0,
    };
    let snapshot = seal(&keys, &key, header, &automerge.save())?;
    let created = relay.create(genesis.as_bytes(), snapshot.as_bytes())?;
    if created.parse::<DocId>().ok() != Some(doc) {
        bail!("the relay named another document ({created}) than the genesis ({doc})");
    }
    Ok(Created { doc, recovery })
}

/// Adds `device` (an admin token and a member device).
pub(crate) fn add(
    relay: &SealedRelay,
    secret: &DeviceSecret,
    key_file: &Path,
    doc: &DocId,
    device: &DeviceId,
) -> anyhow::Result<()> {
    let keys = secret.keys();
    retry("conflict", || {
        let replica = replica::fetch(relay, doc, key_file, secret)?;
        writable(&replica)?;
        if replica.membership.may_sign(device) {
            bail!("device {} is already a member", device.short());
        }
        let op = keyring::add(
            &replica.membership,
            &replica.keyring,
            &keys,
            device,
            now_ms(),
        )?;
        relay
            .members(&doc.to_string(), op.as_bytes(), None)
            .map(|_| ())
    })
}

/// Removes `device`: a new epoch and its snapshot of everything. Returns the new epoch.
pub(crate) fn remove(
    relay: &SealedRelay,
    secret: &DeviceSecret,
    key_file: &Path,
    doc: &DocId,
    device: &DeviceId,
) -> anyhow::Result<u64> {
    let keys = secret.keys();
    retry("conflict", || {
        let mut replica = replica::fetch(relay, doc, key_file, secret)?;
        writable(&replica)?;
        let (op, key) = keyring::remove(&replica.membership, &keys, device, now_ms())?;
        let epoch = op.op.epoch;
        let header = EnvelopeHeader {
            kind: EnvelopeKind::Snapshot,
            doc: *doc,
            epoch,
            number: replica.head,
        };
        let snapshot = seal(&keys, &key, header, &replica.automerge.save())?;
        relay.members(&doc.to_string(), op.as_bytes(), Some(snapshot.as_bytes()))?;
        Ok(epoch)
    })
}

/// Replaces one field and uploads the change (and a snapshot when it is time).
pub(crate) fn set(
    relay: &SealedRelay,
    secret: &DeviceSecret,
    key_file: &Path,
    doc: &DocId,
    field: &str,
    value: &str,
) -> anyhow::Result<()> {
    let keys = secret.keys();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut replica = replica::fetch(relay, doc, key_file, secret)?;
        writable(&replica)?;
        let heads = replica.automerge.get_heads();
        replica.automerge.set_actor(ActorId::random());
        let at = now()?;
        let member = member_id(&keys);
        register_member(
            &mut replica.automerge,
            &member,
            &format!("command line {}", keys.id().short()),
            "",
        )?;
        set_field(
            &mut replica.automerge,
            &Attribution::new(member, at.clone()),
            field,
            value,
        )
        .with_context(|| format!("setting {field}"))?;
        commit_edit(&mut replica.automerge, &format!("set {field}"), &at);
        let changes = replica.automerge.save_after(&heads);
        let epoch = replica.membership.epoch();
        let key = replica.keyring.key(epoch)?.clone();
        let header = EnvelopeHeader {
            kind: EnvelopeKind::Change,
            doc: *doc,
            epoch,
            number: replica.last_seq + 1,
        };
        let envelope = seal(&keys, &key, header, &changes)?;
        match relay.append(&doc.to_string(), &[envelope.into_bytes()]) {
            Ok(answer) => {
                let head = answer
                    .get("head")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0);
                return maybe_snapshot(relay, &keys, &key, &mut replica, head);
            }
            Err(err)
                if attempts < ATTEMPTS
                    && (refused(&err, "sequence") || refused(&err, "stale-epoch")) =>
            {
                continue;
            }
            Err(err) => return Err(err),
        }
    }
}

/// After our change landed at `head`: a snapshot when this device crossed the mark and holds
/// everything up to the head (nobody wrote in between).
fn maybe_snapshot(
    relay: &SealedRelay,
    keys: &DeviceKeys,
    key: &EpochKey,
    replica: &mut Replica,
    head: u64,
) -> anyhow::Result<()> {
    if head != replica.head + 1 || head - replica.cover < SNAPSHOT_EVERY {
        return Ok(());
    }
    let epoch = replica.membership.epoch();
    let header = EnvelopeHeader {
        kind: EnvelopeKind::Snapshot,
        doc: replica.doc,
        epoch,
        number: head,
    };
    let snapshot = seal(keys, key, header, &replica.automerge.save())?;
    match relay.snapshot(&replica.doc.to_string(), snapshot.as_bytes()) {
        // Someone else compacted first: theirs serves as well.
        Err(err) if refused(&err, "snapshot-backwards") => Ok(()),
        other => other.map(|_| ()),
    }
}

fn writable(replica: &Replica) -> anyhow::Result<()> {
    match replica.removed_at {
        Some(epoch) => bail!(
            "this device was removed from the analysis (epoch {epoch}): it can no longer write"
        ),
        None => Ok(()),
    }
}

fn retry<T>(reason: &str, mut attempt: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt() {
            Err(err) if tries < ATTEMPTS && refused(&err, reason) => continue,
            other => return other,
        }
    }
}
