//! `caucus device new` and `caucus sealed create|add|remove|set` (docs/sealed.md): this
//! machine as a member device of sealed analyses. A device is a key file (mode 0600); the
//! relay is reached with a token (`--server`, `--token`) and never sees a document key.
//! `caucus export --key FILE` reads a sealed analysis through [`replica`].
//!
//! - `relay.rs`: the sealed HTTP API; `replica.rs`: this device's checked, decrypted copy;
//!   `write.rs`: what a device uploads (changes, snapshots, membership operations).

mod relay;
pub(crate) mod replica;
mod write;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use caucus_sealed::{DeviceId, DeviceSecret, DocId};
use clap::{Args, Subcommand};

pub(crate) use relay::SealedRelay;

/// `caucus device`.
#[derive(Args)]
pub(crate) struct DeviceArgs {
    #[command(subcommand)]
    action: DeviceAction,
}

#[derive(Subcommand)]
enum DeviceAction {
    /// Create a device key file (mode 0600); prints the device's ID as the last line.
    New {
        /// Where to write the key file (it must not exist).
        #[arg(long)]
        key: PathBuf,
        /// A name people see for this device.
        #[arg(long, default_value = "command line")]
        label: String,
    },
}

/// A relay, a token and this device's key.
#[derive(Args)]
pub(crate) struct DeviceTarget {
    /// URL of the relay, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "CAUCUS_SERVER")]
    pub(crate) server: String,
    /// Access token (an admin's for add and remove).
    #[arg(long, env = "CAUCUS_TOKEN", hide_env_values = true)]
    pub(crate) token: String,
    /// This device's key file (`caucus device new`), or a file holding the recovery key.
    #[arg(long, env = "CAUCUS_DEVICE_KEY")]
    pub(crate) key: PathBuf,
}

/// `caucus sealed`.
#[derive(Args)]
pub(crate) struct SealedArgs {
    #[command(subcommand)]
    action: SealedAction,
}

#[derive(Subcommand)]
enum SealedAction {
    /// Create a sealed analysis from the default template with this device as its first
    /// member; prints the recovery key once and the document's ID as the last line.
    Create {
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        target: DeviceTarget,
    },
    /// Add a member device (admin token): seals the current key to it.
    Add {
        doc: String,
        device: String,
        #[command(flatten)]
        target: DeviceTarget,
    },
    /// Remove a member device (admin token): a new epoch it cannot read.
    Remove {
        doc: String,
        device: String,
        #[command(flatten)]
        target: DeviceTarget,
    },
    /// Replace one field, e.g. `countries/BR/positions/res-102/notes "Brazil wavers"`.
    Set {
        doc: String,
        field: String,
        value: String,
        #[command(flatten)]
        target: DeviceTarget,
    },
}

impl SealedAction {
    fn target(&self) -> &DeviceTarget {
        match self {
            SealedAction::Create { target, .. }
            | SealedAction::Add { target, .. }
            | SealedAction::Remove { target, .. }
            | SealedAction::Set { target, .. } => target,
        }
    }
}

/// Reads a key file (or a recovery key in a file).
pub(crate) fn read_key(path: &Path) -> anyhow::Result<DeviceSecret> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the device key {}", path.display()))?;
    DeviceSecret::from_key_file(&text)
        .with_context(|| format!("{} is not a device key", path.display()))
}

fn parse_doc(doc: &str) -> anyhow::Result<DocId> {
    doc.parse::<DocId>()
        .with_context(|| format!("document {doc}"))
}

fn parse_device(device: &str) -> anyhow::Result<DeviceId> {
    device
        .parse::<DeviceId>()
        .with_context(|| format!("device {device}"))
}

pub(crate) fn device(args: DeviceArgs) -> anyhow::Result<()> {
    let DeviceAction::New { key, label } = args.action;
    if key.exists() {
        bail!(
            "{} exists: a device key is never overwritten",
            key.display()
        );
    }
    let secret = DeviceSecret::generate()?;
    let mut file = caucus_relay::private_files::create_new(&key)
        .with_context(|| format!("creating {}", key.display()))?;
    file.write_all(secret.to_key_file(&label).as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", key.display()))?;
    let id = secret.keys().id().to_string();
    println!(
        "device key written to {} (mode 0600; keep it private)",
        key.display()
    );
    println!("{id}");
    Ok(())
}

pub(crate) async fn sealed(args: SealedArgs) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || run(args)).await?
}

fn run(args: SealedArgs) -> anyhow::Result<()> {
    let target = args.action.target();
    let relay = SealedRelay::new(&target.server, &target.token);
    let secret = read_key(&target.key)?;
    let key_file = target.key.clone();
    let key_file = key_file.as_path();
    match args.action {
        SealedAction::Create { title, .. } => {
            let created = write::create(&relay, &secret, title.as_deref())?;
            println!("recovery key: {}", created.recovery.to_recovery_text());
            println!(
                "(shown once: keep it offline; it lets the coalition back in if every member device is lost)"
            );
            println!("{}", created.doc.url());
        }
        SealedAction::Add { doc, device, .. } => {
            let (doc, device) = (parse_doc(&doc)?, parse_device(&device)?);
            write::add(&relay, &secret, key_file, &doc, &device)?;
            println!("device {} added to {doc}", device.short());
        }
        SealedAction::Remove { doc, device, .. } => {
            let (doc, device) = (parse_doc(&doc)?, parse_device(&device)?);
            let epoch = write::remove(&relay, &secret, key_file, &doc, &device)?;
            println!(
                "device {} removed from {doc}: epoch {epoch} is sealed to the remaining devices only",
                device.short()
            );
        }
        SealedAction::Set {
            doc, field, value, ..
        } => {
            let doc = parse_doc(&doc)?;
            write::set(&relay, &secret, key_file, &doc, &field, &value)?;
            println!("{field} set");
        }
    }
    Ok(())
}
