//! `caucus files`: conference documents from the command line: list an analysis's files, put
//! one in, get one out, and collect the bytes no analysis refers to any more (over the HTTP API
//! with `--server`, or on a stopped relay's data directory).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use caucus_relay::files::{FileSettings, Files};
use caucus_relay::{DocumentId, Metrics};
use clap::{Args, Subcommand};
use serde_json::Value;

use crate::docs::{Server, Where, parse_doc};
use crate::target;

#[derive(Args)]
pub(crate) struct FilesArgs {
    #[command(subcommand)]
    command: FilesCommand,
    #[command(flatten)]
    target: Where,
}

#[derive(Subcommand)]
enum FilesCommand {
    /// What the relay holds for an analysis: hash, size, type, name, who uploaded it.
    Ls {
        /// Document id or `automerge:` URL.
        doc: String,
    },
    /// Upload a file to an analysis (needs --server; prints its hash).
    Put {
        doc: String,
        file: PathBuf,
        /// MIME type (default: from the extension: pdf, png, jpg, docx…; else octet-stream).
        #[arg(long = "type")]
        content_type: Option<String>,
    },
    /// Download a file of an analysis by its hash.
    Get {
        doc: String,
        hash: String,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Remove files no analysis refers to any more. A file found unreferenced is marked; a later
    /// pass removes it once it stayed unreferenced for the grace period.
    Gc {
        /// On a data directory: the grace period (e.g. 7d, 0s). With --server the relay's own
        /// --files-gc-grace applies, and --server needs an admin token in --token.
        #[arg(long, default_value = "7d", value_parser = humantime::parse_duration)]
        grace: Duration,
    },
}

pub(crate) async fn run(args: FilesArgs) -> anyhow::Result<()> {
    let server = args.target.server()?;
    match (args.command, server) {
        (FilesCommand::Ls { doc }, Some(server)) => {
            let id = parse_doc(&doc)?;
            let body = blocking(move || server.get(&format!("/api/docs/{id}/files"), &[])).await?;
            let list: Value = serde_json::from_slice(&body).context("reading the list")?;
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        (FilesCommand::Ls { doc }, None) => {
            let id = parse_doc(&doc)?;
            let storage = args.target.storage()?;
            for (hash, link) in storage.file_links(&id).await? {
                println!(
                    "{hash}  {:>10}  {:<24}  {}",
                    link.size, link.content_type, link.name
                );
            }
        }
        (
            FilesCommand::Put {
                doc,
                file,
                content_type,
            },
            Some(server),
        ) => {
            let id = parse_doc(&doc)?;
            let answer = blocking(move || put(&server, &id, &file, content_type)).await?;
            println!("{}", answer["hash"].as_str().unwrap_or_default());
        }
        (FilesCommand::Put { .. }, None) => {
            bail!("caucus files put needs --server (an upload is checked like any other)")
        }
        (FilesCommand::Get { doc, hash, output }, Some(server)) => {
            let id = parse_doc(&doc)?;
            let bytes =
                blocking(move || server.get(&format!("/api/docs/{id}/files/{hash}"), &[])).await?;
            write_private(&output, &bytes)?;
        }
        (FilesCommand::Get { doc, hash, output }, None) => {
            let id = parse_doc(&doc)?;
            let storage = args.target.storage()?;
            if storage.file_link(&id, &hash).await?.is_none() {
                bail!("analysis {id} has no file {hash} in this data directory");
            }
            write_private(&output, &storage.file_bytes(&hash).await?)?;
        }
        (FilesCommand::Gc { .. }, Some(server)) => {
            let report = blocking(move || collect_remote(&server)).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        (FilesCommand::Gc { grace }, None) => {
            let storage = args.target.storage()?;
            let sealed: Vec<DocumentId> = storage
                .sealed_ids_blocking()?
                .iter()
                .filter_map(|id| id.parse().ok())
                .collect();
            let settings = FileSettings {
                gc_grace: grace,
                ..caucus_relay::Config::for_data_dir(".").files
            };
            let files = Files::new(storage, Metrics::new(), settings);
            let now = caucus_relay::auth::unix_ms();
            let report =
                caucus_relay::files::collect_garbage(&files, now, |d| sealed.contains(d)).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(f).await?
}

/// Files the CLI writes may hold what the coalition keeps to itself: 0600 from the start.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = caucus_relay::private_files::create(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))
}

fn put(
    server: &Server,
    id: &DocumentId,
    file: &std::path::Path,
    content_type: Option<String>,
) -> anyhow::Result<Value> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let content_type = content_type.unwrap_or_else(|| guess_type(&name).to_owned());
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    let response = target::agent()
        .post(format!("{}/api/docs/{id}/files", server.base))
        .header("Authorization", format!("Bearer {}", server.token))
        .header("Content-Type", &content_type)
        .header("X-Filename", &encoded)
        .send(&bytes[..])
        .with_context(|| format!("reaching {}", server.base))?;
    Ok(target::check(response)?.body_mut().read_json()?)
}

fn collect_remote(server: &Server) -> anyhow::Result<Value> {
    let response = target::agent()
        .post(format!("{}/api/admin/files/gc", server.base))
        .header("Authorization", format!("Bearer {}", server.token))
        .send_empty()
        .with_context(|| format!("reaching {}", server.base))?;
    Ok(target::check(response)?.body_mut().read_json()?)
}

/// The type of common conference documents from their extension.
fn guess_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("txt") => "text/plain",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("doc") => "application/msword",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    }
}

/// A change file of `doc` on a data directory, carrying the files its changes newly refer to
/// (up to the default --max-file-bytes of them) unless `carry_bytes` is off.
pub(crate) async fn export_changes_here(
    storage: &caucus_relay::Storage,
    id: &DocumentId,
    doc: automerge::Automerge,
    since: caucus_relay::exports::ChangesSince,
    carry_bytes: bool,
) -> anyhow::Result<Vec<u8>> {
    let doc = std::sync::Arc::new(doc);
    let (for_refs, since_refs) = (doc.clone(), since.clone());
    let wanted = tokio::task::spawn_blocking(move || {
        caucus_relay::files::new_references(&for_refs, &since_refs.heads(&for_refs))
    })
    .await?;
    let budget = if carry_bytes {
        caucus_relay::Config::for_data_dir(".").files.max_file_bytes
    } else {
        0
    };
    let carried = caucus_relay::files::carry(storage, id, &wanted, budget).await?;
    let id = id.clone();
    Ok(tokio::task::spawn_blocking(move || since.export_with_files(&doc, &id, carried)).await??)
}

/// Stores the files an imported change file carries into a data directory.
pub(crate) async fn import_carried_here(
    storage: &caucus_relay::Storage,
    id: &DocumentId,
    carried: Vec<caucus_model::changefile::CarriedFile>,
) -> anyhow::Result<caucus_relay::files::CarriedOutcome> {
    if carried.is_empty() {
        return Ok(caucus_relay::files::CarriedOutcome::default());
    }
    let doc = caucus_relay::snapshot::load_document(storage, id).await?;
    let files = Files::new(
        storage.clone(),
        Metrics::new(),
        caucus_relay::Config::for_data_dir(".").files,
    );
    Ok(caucus_relay::files::store_carried(
        &files,
        id,
        doc.as_ref(),
        carried,
        "caucus changes import",
    )
    .await?)
}

/// Says what happened to the files a change file carried (`{stored, missing}`).
pub(crate) fn say_carried(files: &Value) {
    let count = |key: &str| files[key].as_array().map_or(0, Vec::len);
    if count("stored") > 0 {
        println!("stored {} file(s) the change file carried", count("stored"));
    }
    if count("missing") > 0 {
        println!(
            "{} file(s) the changes refer to are not in the change file nor here yet (get them from a relay that has them): {}",
            count("missing"),
            files["missing"]
                .as_array()
                .map(|list| list
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        );
    }
}
