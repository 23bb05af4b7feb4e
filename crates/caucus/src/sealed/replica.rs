//! This device's copy of a sealed analysis, rebuilt from the relay: the operation chain
//! replayed and checked from the genesis, the epoch keys sealed to this device opened, the
//! snapshot and every change envelope checked (author a member of its epoch, signature) and
//! decrypted into an automerge document. What the device could read is cached next to its key
//! (encrypted under the device's own key), so a device removed later keeps what it read
//! before and never more.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use automerge::AutoCommit;
use caucus_sealed::local::{open_local, seal_local};
use caucus_sealed::{DeviceKeys, DeviceSecret, DocId, Envelope, EnvelopeKind, Keyring, Membership};

use super::relay::{Fetched, SealedRelay};

/// A sealed analysis as this device can read it.
pub(crate) struct Replica {
    pub(crate) doc: DocId,
    pub(crate) membership: Membership,
    pub(crate) keyring: Keyring,
    pub(crate) automerge: AutoCommit,
    /// The log's head and the latest snapshot's cover, as fetched.
    pub(crate) head: u64,
    pub(crate) cover: u64,
    /// This device's last sequence on the relay.
    pub(crate) last_seq: u64,
    /// Set when this device is no longer a member: what it shows stops at that epoch.
    pub(crate) removed_at: Option<u64>,
    /// Envelopes this device had no key for (written after its removal).
    pub(crate) unreadable: usize,
}

/// Where this device caches what it read of `doc`: `<key file>.d/<doc>.cache` (mode 0600).
fn cache_path(key_file: &Path, doc: &DocId) -> PathBuf {
    let mut dir = key_file.as_os_str().to_owned();
    dir.push(".d");
    PathBuf::from(dir).join(format!("{doc}.cache"))
}

fn read_cache(key_file: &Path, secret: &DeviceSecret, doc: &DocId) -> Option<AutoCommit> {
    let sealed = std::fs::read(cache_path(key_file, doc)).ok()?;
    let plain = open_local(secret, doc.as_bytes(), &sealed).ok()?;
    AutoCommit::load(&plain).ok()
}

fn write_cache(
    key_file: &Path,
    secret: &DeviceSecret,
    doc: &DocId,
    automerge: &mut AutoCommit,
) -> anyhow::Result<()> {
    let path = cache_path(key_file, doc);
    if let Some(dir) = path.parent() {
        caucus_relay::private_files::create_dir_all(dir)
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    let sealed = seal_local(secret, doc.as_bytes(), &automerge.save())?;
    let mut file = caucus_relay::private_files::create(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    std::io::Write::write_all(&mut file, &sealed)
        .with_context(|| format!("writing {}", path.display()))
}

/// Fetches, checks and decrypts `doc` for this device (blocking).
pub(crate) fn fetch(
    relay: &SealedRelay,
    doc: &DocId,
    key_file: &Path,
    secret: &DeviceSecret,
) -> anyhow::Result<Replica> {
    let keys = secret.keys();
    let fetched = relay.fetch(&doc.to_string(), None)?;
    let (membership, ops) = Membership::replay(fetched.ops.iter().map(Vec::as_slice))
        .context("the analysis's membership chain does not verify")?;
    if membership.doc() != *doc {
        bail!("the relay answered with another document's membership chain");
    }
    let keyring = Keyring::open(&keys, *doc, &ops)?;
    if keyring.latest_epoch().is_none() {
        bail!(
            "this device ({}) is not a member of {doc}: ask an admin to run `caucus sealed add {doc} {}`",
            keys.id().short(),
            keys.id()
        );
    }
    let removed_at = membership.removed_at(keys.id());
    let mut replica = Replica {
        doc: *doc,
        membership,
        keyring,
        automerge: AutoCommit::new(),
        head: fetched.head,
        cover: fetched.snapshot.as_ref().map_or(0, |(cover, _, _)| *cover),
        last_seq: fetched
            .seqs
            .get(&hex::encode(keys.id().signing_key()))
            .copied()
            .unwrap_or(0),
        removed_at,
        unreadable: 0,
    };
    replica.apply(&fetched, &keys)?;
    if let Some(cached) = read_cache(key_file, secret, doc).as_mut() {
        replica
            .automerge
            .merge(cached)
            .context("merging what this device read before")?;
    }
    write_cache(key_file, secret, doc, &mut replica.automerge)?;
    Ok(replica)
}

impl Replica {
    /// Opens the snapshot and the entries (each checked) into the automerge document.
    fn apply(&mut self, fetched: &Fetched, keys: &DeviceKeys) -> anyhow::Result<()> {
        if let Some((cover, epoch, bytes)) = &fetched.snapshot {
            let envelope = self.checked(bytes, EnvelopeKind::Snapshot)?;
            if envelope.number != *cover || envelope.epoch != *epoch {
                bail!("the relay's snapshot does not say what the relay claims");
            }
            match self.keyring.content_key(envelope.epoch) {
                Ok(key) => {
                    self.automerge =
                        AutoCommit::load(&envelope.open(&key)?).context("loading the snapshot")?
                }
                Err(_) => self.unreadable += 1,
            }
        }
        for (_, bytes) in &fetched.entries {
            let envelope = self.checked(bytes, EnvelopeKind::Change)?;
            match self.keyring.content_key(envelope.epoch) {
                Ok(key) => {
                    self.automerge
                        .load_incremental(&envelope.open(&key)?)
                        .context("applying changes")?;
                }
                Err(_) => self.unreadable += 1,
            }
        }
        if self.removed_at.is_none() && self.unreadable > 0 {
            bail!(
                "{} envelopes are under keys this device does not have ({})",
                self.unreadable,
                keys.id().short()
            );
        }
        Ok(())
    }

    /// Parses an envelope and checks it belongs here and its author was a member of its epoch.
    fn checked(&self, bytes: &[u8], kind: EnvelopeKind) -> anyhow::Result<Envelope> {
        let envelope = Envelope::parse(bytes)?;
        if envelope.kind != kind || envelope.doc != self.doc {
            bail!("the relay sent an envelope of another kind or document");
        }
        if !self
            .membership
            .was_member_in(&envelope.author, envelope.epoch)
        {
            bail!("an envelope's author was not a member in its epoch");
        }
        Ok(envelope)
    }

    /// A warning for people when this device was removed.
    pub(crate) fn removal_warning(&self) -> Option<String> {
        self.removed_at.map(|epoch| {
            format!(
                "warning: this device was removed from the analysis (epoch {epoch}); this is what it could read before, not what was written since ({} envelopes it cannot open)",
                self.unreadable
            )
        })
    }
}
