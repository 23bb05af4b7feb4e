//! `caucus`: the one binary. `caucus serve` runs the relay; `caucus token` manages access;
//! `caucus export`, `history` and `changes` get reports, history and change files out of (and
//! change files into) an analysis.
//!
//! # Layout
//! - `serve`: the relay's flags (with `config_file`: the optional TOML file, `caucus config
//!   check`), start-up output and signal handling.
//! - `token`: token management, over the admin HTTP API or directly on a data directory.
//! - `docs`: export, history and change files, over the document API or on a data directory.
//! - `target`: what those one-shot commands share: opening a data directory, talking HTTP.
//! - `backup`: backup, restore, dump and import (docs/backup.md).
//! - `first_start`: where a generated admin token goes (the terminal, or `<data>/admin-token`).
//! - `files`: conference documents (list, put, get, garbage collection).
//! - `status`: a running relay's `/api/admin/status` as a summary (or its JSON).

mod backup;
mod cluster_flags;
mod config_file;
mod docs;
mod effective;
mod files;
mod first_start;
mod logging;
mod mail_flags;
mod sealed;
mod serve;
mod status;
mod target;
mod token;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "caucus",
    version,
    about = "Local-first sync relay for coalitions co-editing a negotiation analysis"
)]
struct Cli {
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, global = true, env = "CAUCUS_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the serve flags does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the relay: automerge-repo websocket sync, redb storage, web client.
    Serve(Box<serve::ServeArgs>),
    /// Mint, list and revoke access tokens.
    Token(token::TokenArgs),
    /// Export an analysis: the weekly report (Markdown), the matrix (CSV) or the data (JSON).
    Export(docs::ExportArgs),
    /// Who changed what, and when.
    History(docs::HistoryArgs),
    /// Change files: carry changes without a network (USB stick, e-mail).
    Changes(docs::ChangesArgs),
    /// Take a consistent backup of every document and token (running or stopped relay).
    Backup(backup::BackupArgs),
    /// Restore a backup file into an empty data directory (checksum verified first).
    Restore(backup::RestoreArgs),
    /// Write every document as a standard automerge file (<docId>.automerge) plus index.json.
    Dump(backup::DumpArgs),
    /// Import a `caucus dump` or an automerge-repo NodeFS directory into a stopped relay.
    Import(backup::ImportArgs),
    /// Check a `caucus serve` config file and print the configuration it gives.
    Config(config_file::ConfigArgs),
    /// A running relay at a glance: connections, documents, commit latency, last backup.
    Status(status::StatusArgs),
    /// This machine as a member device of sealed (end-to-end encrypted) analyses.
    Device(sealed::DeviceArgs),
    /// Sealed analyses: create, add or remove member devices, set a field (docs/sealed.md).
    Sealed(sealed::SealedArgs),
    /// Conference documents: list, put, get, and remove the bytes no analysis uses any more.
    Files(files::FilesArgs),
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the cause chain on one line; no backtrace noise for operators.
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The server logs what it does; one-shot commands only say when something is wrong.
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    let log_json = match &cli.command {
        Command::Serve(args) => args.log_json(cli.log_json)?,
        _ => cli.log_json,
    };
    logging::init(log_json, default_level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve::serve(*args)),
        Command::Token(args) => runtime.block_on(token::run(args)),
        Command::Export(args) => runtime.block_on(docs::export(args)),
        Command::History(args) => runtime.block_on(docs::history(args)),
        Command::Changes(args) => runtime.block_on(docs::changes(args)),
        Command::Backup(args) => runtime.block_on(backup::backup(args)),
        Command::Restore(args) => runtime.block_on(backup::restore(args)),
        Command::Dump(args) => runtime.block_on(backup::dump(args)),
        Command::Import(args) => runtime.block_on(backup::import(args)),
        Command::Config(args) => config_file::run(args),
        Command::Status(args) => runtime.block_on(status::run(args)),
        Command::Device(args) => sealed::device(args),
        Command::Sealed(args) => runtime.block_on(sealed::sealed(args)),
        Command::Files(args) => runtime.block_on(files::run(args)),
    }
}
