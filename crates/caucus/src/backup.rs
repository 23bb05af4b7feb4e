//! `caucus backup`, `restore`, `dump` and `import`: keeping the data safe and portable.
//!
//! - `backup --to FILE`: over `--server` (streams `GET /api/admin/backup` with the admin
//!   token) or from a stopped `--data` directory (`--recipient age1…` encrypts it with age).
//!   Either way the file is written beside its target, mode 0600, verified (checksum,
//!   structure; an encrypted backup only with `--identity`) and only then renamed into place.
//! - `restore FILE --data DIR [--identity KEYS]`: decrypts (age) and verifies the file first,
//!   then restores into an empty directory.
//! - `dump DIR`: every document as a standard automerge file plus `index.json` (from
//!   `--server` through a backup, or from a stopped `--data` directory); files 0600.
//! - `import DIR --data DATA`: a `caucus dump` or an automerge-repo NodeFS directory into a
//!   stopped relay's data directory (merged with what is there).
//!
//! The file format and procedures are in docs/backup.md.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use caucus_relay::backup::{self, BackupSummary};
use caucus_relay::{portable, private_files};
use clap::Args;

use crate::target;

/// A running relay (admin token) or a stopped relay's data directory.
#[derive(Args)]
pub(crate) struct Source {
    /// URL of a running relay, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "CAUCUS_SERVER")]
    server: Option<String>,
    /// Admin token for --server.
    #[arg(long, env = "CAUCUS_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Data directory to use when no --server is given (the server must be stopped).
    #[arg(long, env = "CAUCUS_DATA", default_value = "./caucus-data")]
    data: PathBuf,
    /// age identity file (`age-keygen -o`) to decrypt a relay's encrypted backups with
    /// (`dump --server`; `backup --server` verifies with it).
    #[arg(long, env = "CAUCUS_BACKUP_IDENTITY")]
    identity: Option<PathBuf>,
}

/// `caucus backup`.
#[derive(Args)]
pub(crate) struct BackupArgs {
    /// Write the backup to this file.
    #[arg(long, required_unless_present = "last")]
    to: Option<PathBuf>,
    /// Show the last backup recorded by the relay instead of taking one.
    #[arg(long, conflicts_with = "to")]
    last: bool,
    #[command(flatten)]
    source: Source,
    /// Encrypt the backup (of a stopped --data directory) with age to this public key
    /// (`age1…`, repeatable). A running relay encrypts with its own --backup-recipient.
    #[arg(
        long = "recipient",
        env = "CAUCUS_BACKUP_RECIPIENT",
        value_delimiter = ','
    )]
    recipients: Vec<String>,
}

/// `caucus restore`.
#[derive(Args)]
pub(crate) struct RestoreArgs {
    /// The backup file.
    file: PathBuf,
    /// Data directory to restore into: must not exist or be empty.
    #[arg(long, env = "CAUCUS_DATA")]
    data: PathBuf,
    /// age identity file (`age-keygen -o`) that decrypts an encrypted backup.
    #[arg(long, env = "CAUCUS_BACKUP_IDENTITY")]
    identity: Option<PathBuf>,
}

/// `caucus dump`.
#[derive(Args)]
pub(crate) struct DumpArgs {
    /// Directory to write (must not exist or be empty).
    dir: PathBuf,
    #[command(flatten)]
    source: Source,
}

/// `caucus import`.
#[derive(Args)]
pub(crate) struct ImportArgs {
    /// A `caucus dump` directory or an automerge-repo NodeFS storage directory.
    dir: PathBuf,
    /// Data directory of the stopped relay to import into.
    #[arg(long, env = "CAUCUS_DATA", default_value = "./caucus-data")]
    data: PathBuf,
}

fn admin_token(source: &Source) -> anyhow::Result<String> {
    source
        .admin_token
        .clone()
        .context("--admin-token (or CAUCUS_ADMIN_TOKEN) is needed with --server")
}

fn print_summary(what: &str, path: &Path, s: &BackupSummary) {
    println!(
        "{what} {}: {} document(s), {} chunk(s), {} token(s), {} bytes, storage format {}, storage id {}, sha256 {}",
        path.display(),
        s.documents,
        s.chunks,
        s.tokens,
        s.bytes,
        s.header.storage_format,
        s.header.storage_id,
        s.sha256
    );
}

/// A path beside `path` for a file being written.
fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".into());
    path.with_file_name(format!(".{name}.{}.part", std::process::id()))
}

/// The identities of `--identity`, or none.
fn identities(file: Option<&Path>) -> anyhow::Result<backup::Identities> {
    match file {
        Some(path) => Ok(backup::Identities::from_file(path)?),
        None => Ok(backup::Identities::none()),
    }
}

/// Streams `GET /api/admin/backup` into `path` (through a temporary file, mode 0600, verified
/// first). A backup the relay encrypted is verified only with `identities`; `None` then.
fn download(
    server: &str,
    admin: &str,
    path: &Path,
    identities: &backup::Identities,
) -> anyhow::Result<Option<BackupSummary>> {
    let base = server.trim_end_matches('/');
    // A large backup may take a while: no overall timeout, only for connecting.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .build()
        .into();
    let response = agent
        .get(format!("{base}/api/admin/backup"))
        .header("Authorization", format!("Bearer {admin}"))
        .call()
        .with_context(|| format!("reaching {base}"))?;
    let mut response = target::check(response)?;
    let tmp = temp_beside(path);
    let result = (|| {
        let mut file =
            private_files::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut body = response.body_mut().with_config().limit(u64::MAX).reader();
        std::io::copy(&mut body, &mut file).context("downloading the backup")?;
        file.sync_all()?;
        let encrypted = backup::file_is_encrypted(&tmp)?;
        let summary = if encrypted && identities.is_empty() {
            None
        } else {
            Some(
                backup::verify_with(&tmp, identities)
                    .context("the downloaded backup does not verify")?,
            )
        };
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(summary)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub(crate) async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if args.last {
        return last(&args.source).await;
    }
    let to = args.to.context("--to FILE is required")?;
    let ids = identities(args.source.identity.as_deref())?;
    let summary = match &args.source.server {
        Some(server) => {
            if !args.recipients.is_empty() {
                bail!(
                    "--recipient encrypts backups of a stopped --data directory; a running relay \
                     encrypts its backups itself (caucus serve --backup-recipient)"
                );
            }
            let (server, admin, path) = (server.clone(), admin_token(&args.source)?, to.clone());
            tokio::task::spawn_blocking(move || download(&server, &admin, &path, &ids)).await??
        }
        None => {
            let recipients = backup::Recipients::parse(&args.recipients)?;
            let storage = target::open_data_dir(&args.source.data, "--admin-token")?;
            let (s, path, r) = (storage.clone(), to.clone(), recipients.clone());
            let summary =
                tokio::task::spawn_blocking(move || backup::write_backup_file(&s, &path, &r))
                    .await??;
            if recipients.is_empty() || !ids.is_empty() {
                backup::verify_with(&to, &ids).context("the written backup does not verify")?;
            }
            backup::record(&storage, "cli", Some(&to), &summary, !recipients.is_empty()).await?;
            Some(summary)
        }
    };
    match summary {
        Some(summary) => print_summary("backup written to", &to, &summary),
        None => println!(
            "backup written to {}: encrypted (age) by the relay; give --identity KEYS to verify it",
            to.display()
        ),
    }
    Ok(())
}

async fn last(source: &Source) -> anyhow::Result<()> {
    let record = match &source.server {
        Some(server) => {
            let base = server.trim_end_matches('/').to_owned();
            let admin = admin_token(source)?;
            tokio::task::spawn_blocking(move || {
                let response = target::agent()
                    .get(format!("{base}/api/admin/backup/last"))
                    .header("Authorization", format!("Bearer {admin}"))
                    .call()
                    .with_context(|| format!("reaching {base}"))?;
                let record: Option<backup::BackupRecord> =
                    target::check(response)?.body_mut().read_json()?;
                Ok::<_, anyhow::Error>(record)
            })
            .await??
        }
        None => {
            let storage = target::open_data_dir(&source.data, "--admin-token")?;
            tokio::task::spawn_blocking(move || backup::last_backup(&storage)).await??
        }
    };
    match record {
        None => println!("no backup recorded yet"),
        Some(r) => {
            let at =
                humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(r.unix_ms));
            println!(
                "last backup: {at} ({}), {} document(s), {} token(s), {} bytes, sha256 {}{}",
                r.kind,
                r.documents,
                r.tokens,
                r.bytes,
                r.sha256,
                r.file.map(|f| format!(", file {f}")).unwrap_or_default()
            );
        }
    }
    Ok(())
}

pub(crate) async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let (file, data) = (args.file.clone(), args.data.clone());
    let ids = identities(args.identity.as_deref())?;
    let summary = tokio::task::spawn_blocking(move || backup::restore_with(&file, &data, &ids))
        .await?
        .with_context(|| format!("restoring {}", args.file.display()))?;
    print_summary(
        &format!("restored into {} from", args.data.display()),
        &args.file,
        &summary,
    );
    Ok(())
}

pub(crate) async fn dump(args: DumpArgs) -> anyhow::Result<()> {
    let index = match &args.source.server {
        Some(server) => {
            let (server, admin, dir) =
                (server.clone(), admin_token(&args.source)?, args.dir.clone());
            let ids = identities(args.source.identity.as_deref())?;
            tokio::task::spawn_blocking(move || {
                let stamp = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or(0);
                let tmp = std::env::temp_dir()
                    .join(format!("caucus-dump-{}-{stamp}.backup", std::process::id()));
                let dumped = download(&server, &admin, &tmp, &ids)
                    .and_then(|_| Ok(portable::dump_backup(&tmp, &ids, &dir)?));
                let _ = std::fs::remove_file(&tmp);
                dumped
            })
            .await??
        }
        None => {
            let storage = target::open_data_dir(&args.source.data, "--admin-token")?;
            portable::dump_storage(&storage, &args.dir).await?
        }
    };
    println!(
        "dumped {} document(s) to {} (index.json lists them)",
        index.documents.len(),
        args.dir.display()
    );
    Ok(())
}

pub(crate) async fn import(args: ImportArgs) -> anyhow::Result<()> {
    if !args.dir.is_dir() {
        bail!("{} is not a directory", args.dir.display());
    }
    let storage = caucus_relay::Storage::open(&args.data, caucus_relay::Metrics::new()).map_err(
        |err| {
            if err.to_string().contains("already open") {
                anyhow::anyhow!(
                    "{} is in use by a running server: stop it first (import writes the data directory directly)",
                    args.data.display()
                )
            } else {
                anyhow::Error::new(err).context(format!("opening {}", args.data.display()))
            }
        },
    )?;
    let summary = portable::import_dir(&storage, &args.dir).await?;
    println!(
        "imported {} document(s) from {} ({} layout, {} file(s)): {} new, {} updated, {} unchanged",
        summary.documents,
        args.dir.display(),
        summary.layout,
        summary.files,
        summary.created,
        summary.updated,
        summary.unchanged
    );
    Ok(())
}
