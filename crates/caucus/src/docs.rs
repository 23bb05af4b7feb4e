//! `caucus export`, `caucus history` and `caucus changes export|import`: what the document API
//! offers, from the command line.
//!
//! Like `caucus token`, each command works against a running relay (`--server` with `--token`,
//! any role that may read the document; importing needs an editor or admin) or directly on a
//! stopped relay's `--data` directory. Both paths run the same model code, so a report made
//! from the data directory is byte-identical to the one the server hands out.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use automerge::Automerge;
use caucus_model::changefile;
use caucus_relay::exports::{ChangesSince, ExportRequest, history_json, history_query, today_utc};
use caucus_relay::snapshot;
use caucus_relay::{DocumentId, Storage};
use clap::{Args, Subcommand, ValueEnum};

use crate::target;

/// A running relay or a stopped relay's data directory.
#[derive(Args)]
pub(crate) struct Where {
    /// URL of a running relay, e.g. http://127.0.0.1:8080.
    #[arg(long, global = true, env = "CAUCUS_SERVER")]
    server: Option<String>,
    /// Access token for --server (the one in your invitation link).
    #[arg(long, global = true, env = "CAUCUS_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Data directory to use when no --server is given (the server must be stopped).
    #[arg(
        long,
        global = true,
        env = "CAUCUS_DATA",
        default_value = "./caucus-data"
    )]
    data: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Csv,
    Json,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// `caucus export`.
#[derive(Args)]
pub(crate) struct ExportArgs {
    /// Document id or `automerge:` URL.
    doc: String,
    /// md: the weekly report; csv: the countries × items matrix; json: the typed view.
    #[arg(long, value_enum, default_value = "md")]
    format: Format,
    /// Report date (YYYY-MM-DD, UTC): the report shows the analysis as of the end of that day.
    /// Default: today.
    #[arg(long)]
    date: Option<String>,
    /// What "changed since" covers: a date (YYYY-MM-DD) or `last` (the last report marked as
    /// sent). Default: last.
    #[arg(long)]
    since: Option<String>,
    /// json only: the analysis as it was at the end of this day (YYYY-MM-DD).
    #[arg(long)]
    at: Option<String>,
    /// md and csv: the language of the report and of the CSV header (en, fr, es, ar: the
    /// directories of i18n/). Default: en.
    #[arg(long)]
    lang: Option<String>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// A sealed analysis: this member device's key file (`caucus device new`). The analysis is
    /// fetched as ciphertext and decrypted here; the output is the same as for a plain one.
    #[arg(long, env = "CAUCUS_DEVICE_KEY")]
    key: Option<PathBuf>,
    #[command(flatten)]
    target: Where,
}

/// `caucus history`.
#[derive(Args)]
pub(crate) struct HistoryArgs {
    /// Document id or `automerge:` URL.
    doc: String,
    /// Only changes to this field or below it, e.g. countries/BR/positions/res-102.
    #[arg(long)]
    field: Option<String>,
    /// Most entries to show (newest first).
    #[arg(long)]
    limit: Option<usize>,
    /// Print the entries as JSON (the HTTP API's shape).
    #[arg(long)]
    json: bool,
    /// One entry per automerge change instead of one per editing session.
    #[arg(long)]
    raw: bool,
    /// A sealed analysis: this member device's key file (decrypted here).
    #[arg(long, env = "CAUCUS_DEVICE_KEY")]
    key: Option<PathBuf>,
    #[command(flatten)]
    target: Where,
}

/// `caucus changes`.
#[derive(Args)]
pub(crate) struct ChangesArgs {
    #[command(subcommand)]
    action: ChangesAction,
    #[command(flatten)]
    target: Where,
}

#[derive(Subcommand)]
enum ChangesAction {
    /// Write a change file: the document's changes, for a replica that cannot sync.
    Export {
        /// Document id or `automerge:` URL.
        doc: String,
        /// Only what came after: the receiver's heads (hex, comma-separated) or a date
        /// (YYYY-MM-DD, changes from the start of that UTC day). Default: every change.
        #[arg(long)]
        since: Option<String>,
        /// Write here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// A sealed analysis: this member device's key file (the change file is written here,
        /// in clear: keep it as you would the analysis).
        #[arg(long, env = "CAUCUS_DEVICE_KEY")]
        key: Option<PathBuf>,
        /// Name the files the changes refer to without carrying their bytes (by default up to
        /// the relay's --max-file-bytes of them travel in the file).
        #[arg(long)]
        no_files: bool,
    },
    /// Apply a change file (the document is named inside the file).
    Import {
        /// The `.caucus-changes` file.
        file: PathBuf,
    },
}

/// A reachable relay.
pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) token: String,
}

impl Where {
    pub(crate) fn server(&self) -> anyhow::Result<Option<Server>> {
        let Some(base) = &self.server else {
            return Ok(None);
        };
        let token = self
            .token
            .clone()
            .context("--token (or CAUCUS_TOKEN) is needed with --server")?;
        Ok(Some(Server {
            base: base.trim_end_matches('/').to_owned(),
            token,
        }))
    }

    pub(crate) fn storage(&self) -> anyhow::Result<Storage> {
        target::open_data_dir(&self.data, "--token")
    }
}

impl Server {
    pub(crate) fn get(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Vec<u8>> {
        let mut request = target::agent()
            .get(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token));
        for (key, value) in query {
            request = request.query(*key, value);
        }
        let response = request
            .call()
            .with_context(|| format!("reaching {}", self.base))?;
        let mut body = Vec::new();
        target::check(response)?
            .into_body()
            .into_reader()
            .read_to_end(&mut body)
            .context("reading the answer")?;
        Ok(body)
    }
}

pub(crate) fn parse_doc(doc: &str) -> anyhow::Result<DocumentId> {
    doc.parse::<DocumentId>()
        .with_context(|| format!("document {doc}"))
}

/// Loads a stored document from a data directory; a clear error when it is not there.
async fn load(storage: &Storage, id: &DocumentId, data: &Path) -> anyhow::Result<Automerge> {
    snapshot::load_document(storage, id)
        .await?
        .with_context(|| format!("no document {id} in {}", data.display()))
}

fn write_out(output: Option<&Path>, bytes: &[u8], binary: bool) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if binary && stdout.is_terminal() {
                bail!("a change file is binary: redirect it to a file or pass --output FILE");
            }
            stdout
                .write_all(bytes)
                .context("writing to standard output")?;
            stdout.flush().context("writing to standard output")
        }
    }
}

pub(crate) async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let id = parse_doc(&args.doc)?;
    let request = ExportRequest::parse(
        Some(args.format.as_str()),
        args.date.as_deref(),
        args.since.as_deref(),
        args.at.as_deref(),
        today_utc(),
    )
    .and_then(|request| request.in_language(args.lang.as_deref()))
    .map_err(anyhow::Error::msg)?;
    if let Some(key) = args.key {
        let server = args
            .target
            .server()?
            .context("a sealed analysis is read from a relay: pass --server and --token")?;
        let bytes =
            tokio::task::spawn_blocking(move || sealed_export(&server, &key, &args.doc, &request))
                .await??;
        return write_out(args.output.as_deref(), &bytes, false);
    }
    let bytes = match args.target.server()? {
        Some(server) => {
            let mut query = vec![("format", args.format.as_str().to_owned())];
            let asked = [
                ("date", args.date),
                ("since", args.since),
                ("at", args.at),
                ("lang", args.lang),
            ];
            for (key, value) in asked {
                if let Some(value) = value {
                    query.push((key, value));
                }
            }
            let path = format!("/api/docs/{id}/export");
            tokio::task::spawn_blocking(move || server.get(&path, &query)).await??
        }
        None => {
            let storage = args.target.storage()?;
            let doc = load(&storage, &id, &args.target.data).await?;
            let doc_id = id.clone();
            tokio::task::spawn_blocking(move || request.render(&doc, &doc_id))
                .await??
                .0
        }
    };
    write_out(args.output.as_deref(), &bytes, false)
}

/// A sealed analysis fetched as ciphertext and decrypted on this device (`--key`): the same
/// automerge document the model code renders for a plain one. Blocking.
fn sealed_document(
    server: &Server,
    key: &Path,
    doc: &str,
) -> anyhow::Result<(Automerge, DocumentId)> {
    let relay = crate::sealed::SealedRelay::new(&server.base, &server.token);
    let secret = crate::sealed::read_key(key)?;
    let sealed_doc: caucus_sealed::DocId =
        doc.parse().with_context(|| format!("document {doc}"))?;
    let mut replica = crate::sealed::replica::fetch(&relay, &sealed_doc, key, &secret)?;
    if let Some(warning) = replica.removal_warning() {
        eprintln!("{warning}");
    }
    let id = parse_doc(&sealed_doc.to_string())?;
    Ok((replica.automerge.document().clone(), id))
}

/// `--key` needs a relay to fetch from.
fn sealed_server(target: &Where) -> anyhow::Result<Server> {
    target
        .server()?
        .context("a sealed analysis is read from a relay: pass --server and --token")
}

fn sealed_export(
    server: &Server,
    key: &Path,
    doc: &str,
    request: &ExportRequest,
) -> anyhow::Result<Vec<u8>> {
    let (automerge, id) = sealed_document(server, key, doc)?;
    Ok(request.render(&automerge, &id)?.0)
}

pub(crate) async fn history(args: HistoryArgs) -> anyhow::Result<()> {
    let id = parse_doc(&args.doc)?;
    let query = history_query(args.field.as_deref(), args.limit).map_err(anyhow::Error::msg)?;
    let entries: serde_json::Value = match (args.key.clone(), args.target.server()?) {
        (Some(key), _) => {
            let server = sealed_server(&args.target)?;
            let (doc, raw) = (args.doc.clone(), args.raw);
            tokio::task::spawn_blocking(move || {
                let (automerge, _) = sealed_document(&server, &key, &doc)?;
                history_json(&automerge, &query, raw).map_err(anyhow::Error::from)
            })
            .await??
        }
        (None, Some(server)) => {
            let mut params = Vec::new();
            if let Some(field) = args.field {
                params.push(("field", field));
            }
            if let Some(limit) = args.limit {
                params.push(("limit", limit.to_string()));
            }
            if args.raw {
                params.push(("raw", "1".to_owned()));
            }
            let path = format!("/api/docs/{id}/history");
            let body = tokio::task::spawn_blocking(move || server.get(&path, &params)).await??;
            serde_json::from_slice(&body).context("the server's history is not JSON")?
        }
        (None, None) => {
            let storage = args.target.storage()?;
            let doc = load(&storage, &id, &args.target.data).await?;
            let raw = args.raw;
            tokio::task::spawn_blocking(move || history_json(&doc, &query, raw)).await??
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    let mut out = String::new();
    for entry in entries.as_array().map(Vec::as_slice).unwrap_or_default() {
        if args.raw {
            out.push_str(&history_line(entry));
        } else {
            out.push_str(&session_line(entry));
        }
    }
    write_out(None, out.as_bytes(), false)
}

/// One editing session as text: from when to when, who, how many changes, then each field
/// with its whole value before → after.
fn session_line(session: &serde_json::Value) -> String {
    let text = |key: &str| session.get(key).and_then(|v| v.as_str()).unwrap_or("");
    let when = match (text("startedAt"), text("at")) {
        ("", "") => "(no time)".to_owned(),
        (start, end) if start == end || start.is_empty() => end.to_owned(),
        (start, end) => format!("{start} – {end}"),
    };
    let changes = session
        .get("changes")
        .and_then(|c| c.as_array())
        .map_or(0, Vec::len);
    let plural = if changes == 1 { "" } else { "s" };
    let mut line = format!("{when}  {}  ({changes} change{plural})\n", who(session));
    for edit in session
        .get("edits")
        .and_then(|e| e.as_array())
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let value = |key: &str| edit.get(key).map(ToString::to_string).unwrap_or_default();
        line.push_str(&format!(
            "    {} : {} → {}\n",
            edit_path(edit),
            value("before"),
            value("after")
        ));
    }
    line
}

/// A session's or change's author: member name, else member id, else the actor's start.
fn who(entry: &serde_json::Value) -> String {
    let text = |key: &str| entry.get(key).and_then(|v| v.as_str()).unwrap_or("");
    match (text("memberName"), text("member")) {
        ("", "") => format!(
            "actor {}",
            text("actor").chars().take(12).collect::<String>()
        ),
        ("", member) => member.to_owned(),
        (name, _) => name.to_owned(),
    }
}

/// An edit's path as `countries/BR/positions/res-102/notes`.
fn edit_path(edit: &serde_json::Value) -> String {
    edit.get("path")
        .and_then(|p| p.as_array())
        .map(|p| {
            p.iter()
                .filter_map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

/// One history entry as text: when, who, message, then each edited field.
fn history_line(entry: &serde_json::Value) -> String {
    let text = |key: &str| entry.get(key).and_then(|v| v.as_str()).unwrap_or("");
    let at = if text("at").is_empty() {
        "(no time)"
    } else {
        text("at")
    };
    let who = match (text("memberName"), text("member")) {
        ("", "") => format!(
            "actor {}",
            text("actor").chars().take(12).collect::<String>()
        ),
        ("", member) => member.to_owned(),
        (name, _) => name.to_owned(),
    };
    let mut line = format!("{at}  {who}  {}\n", text("message"));
    for edit in entry
        .get("edits")
        .and_then(|e| e.as_array())
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let path = edit
            .get("path")
            .and_then(|p| p.as_array())
            .map(|p| {
                p.iter()
                    .filter_map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default();
        let value = edit
            .get("value")
            .map(ToString::to_string)
            .unwrap_or_default();
        line.push_str(&format!("    {path} = {value}\n"));
    }
    line
}

pub(crate) async fn changes(args: ChangesArgs) -> anyhow::Result<()> {
    match args.action {
        ChangesAction::Export {
            doc,
            since,
            output,
            key,
            no_files,
        } => {
            let id = parse_doc(&doc)?;
            let since_parsed = ChangesSince::parse(since.as_deref()).map_err(anyhow::Error::msg)?;
            let bytes = match (key, args.target.server()?) {
                (Some(key), _) => {
                    let server = sealed_server(&args.target)?;
                    tokio::task::spawn_blocking(move || {
                        let (automerge, id) = sealed_document(&server, &key, &doc)?;
                        since_parsed
                            .export(&automerge, &id)
                            .map_err(anyhow::Error::from)
                    })
                    .await??
                }
                (None, Some(server)) => {
                    let mut params = vec![("files", if no_files { "0" } else { "1" }.into())];
                    params.extend(since.map(|s| ("since", s)));
                    let path = format!("/api/docs/{id}/changes");
                    tokio::task::spawn_blocking(move || server.get(&path, &params)).await??
                }
                (None, None) => {
                    let storage = args.target.storage()?;
                    let doc = load(&storage, &id, &args.target.data).await?;
                    crate::files::export_changes_here(&storage, &id, doc, since_parsed, !no_files)
                        .await?
                }
            };
            write_out(output.as_deref(), &bytes, true)?;
            eprintln!("wrote {} bytes of changes for {id}", bytes.len());
            Ok(())
        }
        ChangesAction::Import { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            // The file names its document; a damaged header is reported before anything else.
            let header =
                changefile::decode(&bytes).with_context(|| format!("{}", file.display()))?;
            let id = DocumentId::try_from(header.document_id.as_slice())
                .context("the change file names an invalid document id")?;
            let new_changes = match args.target.server()? {
                Some(server) => {
                    let body =
                        tokio::task::spawn_blocking(move || server.post_changes(&id, &bytes))
                            .await??;
                    crate::files::say_carried(&body["files"]);
                    body.get("newChanges")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(0)
                }
                None => {
                    let storage = args.target.storage()?;
                    let outcome = snapshot::import_into_storage(&storage, &id, bytes)
                        .await
                        .with_context(|| format!("{}", file.display()))?;
                    let files =
                        crate::files::import_carried_here(&storage, &id, header.files).await?;
                    crate::files::say_carried(&serde_json::to_value(files)?);
                    outcome.new_changes as u64
                }
            };
            if new_changes == 0 {
                println!("already had every change in {}", file.display());
            } else {
                println!(
                    "imported {new_changes} new change(s) from {}",
                    file.display()
                );
            }
            Ok(())
        }
    }
}

impl Server {
    fn post_changes(&self, id: &DocumentId, bytes: &[u8]) -> anyhow::Result<serde_json::Value> {
        let response = target::agent()
            .post(format!("{}/api/docs/{id}/changes", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .with_context(|| format!("reaching {}", self.base))?;
        Ok(target::check(response)?.body_mut().read_json()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_prints_its_span_author_size_and_whole_before_and_after() {
        let session = serde_json::json!({
            "at": "2026-11-10T09:41:00Z", "startedAt": "2026-11-10T09:30:00Z",
            "actor": "aa", "member": "ana", "memberName": "Ana",
            "edits": [{"path": ["countries", "BR", "positions", "res-102", "notes"],
                       "before": "Brazil supports", "after": "Brazil supports the MS model."}],
            "changes": [{}, {}, {}]
        });
        assert_eq!(
            session_line(&session),
            "2026-11-10T09:30:00Z – 2026-11-10T09:41:00Z  Ana  (3 changes)\n    \
             countries/BR/positions/res-102/notes : \"Brazil supports\" → \"Brazil supports the MS model.\"\n"
        );
        let single = serde_json::json!({"at": "2026-11-10T09:41:00Z", "startedAt": "2026-11-10T09:41:00Z",
            "actor": "0123456789abcdef", "member": null, "memberName": null, "edits": [], "changes": [{}]});
        assert_eq!(
            session_line(&single),
            "2026-11-10T09:41:00Z  actor 0123456789ab  (1 change)\n"
        );
    }
}
