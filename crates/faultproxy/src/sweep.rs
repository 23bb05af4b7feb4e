//! `caucus-faultproxy sweep`, the bad-network bench: runs the three-client convergence scenario
//! ([`caucus_faultproxy::scenario`]) against `target/release/caucus` and the reference relay
//! (`node reference-server.mjs PORT DIR` from a temp copy of `shared/reference/node-relay` with
//! `npm install`) over a grid of faults, and prints a Markdown table: time from the last edit to
//! convergence, edits lost, bytes through the proxies. `--quick` runs a smaller grid with shorter
//! phases.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use caucus_faultproxy::Faults;
use caucus_faultproxy::scenario::{self, JsSetup, ScenarioConfig, ScenarioOutcome, Target};
use clap::Parser;
use tokio::io::{AsyncBufReadExt, BufReader};

#[derive(Parser, Debug)]
#[command(
    name = "caucus-faultproxy sweep",
    about = "Bad-network sweep: convergence of three clients behind fault proxies"
)]
pub(crate) struct SweepArgs {
    /// The caucus binary to test.
    #[arg(long, default_value = "target/release/caucus")]
    caucus_bin: PathBuf,
    /// A copy of shared/reference/node-relay with node_modules; by default one is made in a
    /// temp dir from --shared-dir with `npm install`.
    #[arg(long, env = "REFERENCE_RELAY_DIR")]
    reference_dir: Option<PathBuf>,
    /// Where `reference/node-relay` lives.
    #[arg(long, env = "SHARED_DIR", default_value = "../shared")]
    shared_dir: PathBuf,
    /// Relays to test, comma-separated: caucus, reference.
    #[arg(long, value_delimiter = ',', default_value = "caucus,reference")]
    relays: Vec<String>,
    /// Smaller grid, shorter phases.
    #[arg(long)]
    quick: bool,
    /// Seconds of editing per run (default 8, quick 5).
    #[arg(long)]
    edit_secs: Option<f64>,
    /// Seconds after the last edit before a run counts as not converged (default 20, quick 15).
    #[arg(long)]
    timeout_secs: Option<f64>,
    /// caucus's ping interval (the reference relay pings every 5 s).
    #[arg(long, default_value_t = 5)]
    ping_interval_secs: u64,
    /// The JS client script (default: tests/interop/bad-network-client.mjs).
    #[arg(long)]
    js_script: Option<PathBuf>,
    /// Skip the JS client (two Rust clients only).
    #[arg(long)]
    no_js: bool,
    /// Seed of every fault schedule.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Progress of each run on stderr.
    #[arg(long, short)]
    verbose: bool,
}

/// One cell of the grid.
struct Cell {
    label: &'static str,
    faults: Faults,
}

fn grid(quick: bool, seed: u64) -> Vec<Cell> {
    let ms = Duration::from_millis;
    let s = Duration::from_secs;
    let f = |delay: u64, jitter: u64, stall: bool, cut: Option<u64>| Faults {
        delay: ms(delay),
        jitter: ms(jitter),
        stall_every: stall.then(|| s(7)),
        stall_for: s(3),
        cut_every: cut.map(s),
        seed,
    };
    let all = vec![
        (
            "clean",
            f(0, 0, false, None),
            true, // in the quick grid
        ),
        ("delay 100±50", f(100, 50, false, None), false),
        ("delay 300±150", f(300, 150, false, None), false),
        ("100±50 + stalls", f(100, 50, true, None), false),
        ("100±50 + cuts/5s", f(100, 50, false, Some(5)), true),
        (
            "300±150 + stalls + cuts/15s",
            f(300, 150, true, Some(15)),
            false,
        ),
        (
            "200±150 + stalls + cuts/5s",
            f(200, 150, true, Some(5)),
            true,
        ),
    ];
    all.into_iter()
        .filter(|(_, _, in_quick)| !quick || *in_quick)
        .map(|(label, faults, _)| Cell { label, faults })
        .collect()
}

/// A relay process for one run, killed on drop.
struct RelayProcess {
    child: tokio::process::Child,
    target: Target,
    _data: tempfile::TempDir,
}

async fn start_caucus(bin: &Path, ping_secs: u64) -> Result<RelayProcess> {
    let data = tempfile::tempdir()?;
    let token = "sweep-admin-token-0123456789";
    let mut child = tokio::process::Command::new(bin)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--web-dir",
            "/nonexistent",
        ])
        .arg("--data")
        .arg(data.path())
        .arg("--ping-interval-secs")
        .arg(ping_secs.to_string())
        .env("CAUCUS_ADMIN_TOKEN", token)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stdout = child.stdout.take().context("stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(Duration::from_secs(15), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.strip_prefix("caucus: listening on http://") {
                return rest.trim().parse::<SocketAddr>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .context("caucus did not print its address")?;
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(RelayProcess {
        child,
        target: Target {
            addr,
            path: format!("/sync?token={token}"),
        },
        _data: data,
    })
}

async fn start_reference(dir: &Path) -> Result<RelayProcess> {
    let data = tempfile::tempdir()?;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let child = tokio::process::Command::new("node")
        .arg("reference-server.mjs")
        .arg(port.to_string())
        .arg(data.path())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting the reference relay")?;
    let target = Target {
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        path: "/".into(),
    };
    // Ready when a join gets a peer answer (it accepts sockets before its Repo is wired up).
    let probe = scenario::RustClient::start(
        scenario::RustClientConfig::new("probe", target.url(), caucus_relay::DocumentId::random()),
        automerge::Automerge::new(),
    );
    let up = scenario::wait_until(Duration::from_secs(20), || probe.status().handshakes > 0).await;
    probe.stop().await;
    if !up {
        bail!("the reference relay did not answer a join within 20 s");
    }
    Ok(RelayProcess {
        child,
        target,
        _data: data,
    })
}

/// A temp copy of shared/reference/node-relay with `npm install` run in it.
fn prepare_reference(shared: &Path) -> Result<tempfile::TempDir> {
    let src = shared.join("reference/node-relay");
    if !src.join("reference-server.mjs").is_file() {
        bail!(
            "{} not found (set --shared-dir or --reference-dir)",
            src.display()
        );
    }
    let dir = tempfile::tempdir()?;
    for entry in std::fs::read_dir(&src)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name()))?;
        }
    }
    eprintln!("sweep: npm install in {} …", dir.path().display());
    let status = std::process::Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .status()
        .context("running npm install")?;
    if !status.success() {
        bail!("npm install failed for the reference relay");
    }
    Ok(dir)
}

fn kib(bytes: u64) -> String {
    format!("{:.0}", bytes as f64 / 1024.0)
}

/// Runs every cell of the grid on every relay, one fresh relay per run, and prints the table.
pub(crate) async fn run(args: SweepArgs) -> Result<()> {
    let edit_secs = args.edit_secs.unwrap_or(if args.quick { 5.0 } else { 8.0 });
    let timeout_secs = args
        .timeout_secs
        .unwrap_or(if args.quick { 15.0 } else { 20.0 });
    let js = js_setup(&args)?;
    let (reference_dir, reference_tmp) = reference_dir(&args)?;
    if args.relays.iter().any(|r| r == "caucus") && !args.caucus_bin.is_file() {
        bail!(
            "{} not found: cargo build --release -p caucus",
            args.caucus_bin.display()
        );
    }
    let config = |faults: Faults| ScenarioConfig {
        faults,
        edit_for: Duration::from_secs_f64(edit_secs),
        edit_every: Duration::from_millis(50),
        faults_after_edits: None,
        converge_within: Duration::from_secs_f64(timeout_secs),
        js: js.clone(),
        js_retry: Duration::from_secs(1),
        liveness: Duration::from_secs(args.ping_interval_secs.max(5) * 2 + 2),
        verbose: args.verbose,
    };
    let started = std::time::Instant::now();
    let mut rows = Vec::new();
    for cell in grid(args.quick, args.seed) {
        for relay in &args.relays {
            eprintln!(
                "sweep: {relay:<9} {} ({})",
                cell.label,
                cell.faults.describe()
            );
            let mut process = match relay.as_str() {
                "caucus" => start_caucus(&args.caucus_bin, args.ping_interval_secs).await?,
                "reference" => {
                    let dir = reference_dir.as_deref().context("reference dir")?;
                    start_reference(dir).await?
                }
                other => bail!("unknown relay {other:?} (caucus, reference)"),
            };
            let outcome = scenario::run(&process.target, &config(cell.faults.clone())).await;
            let _ = process.child.kill().await;
            if args.verbose
                && let Ok(o) = &outcome
            {
                eprintln!("{}", scenario::describe_clients(o));
            }
            let row = result_row(cell.label, relay, &outcome, timeout_secs);
            eprintln!("{row}");
            rows.push(row);
        }
    }
    println!(
        "\nedit {edit_secs} s per run (2 Rust clients{} editing every 50 ms), faults go on after the last edit; timeout {timeout_secs} s; seed {}; caucus --ping-interval-secs {}; wall time {:.0} s\n",
        if js.is_some() {
            " + 1 official JS client"
        } else {
            ""
        },
        args.seed,
        args.ping_interval_secs,
        started.elapsed().as_secs_f64()
    );
    println!(
        "| network | relay | last edit → converged | edits lost by the relay / made | clients behind at the end | cuts | KiB up / down (proxies) | handshakes | JS client exceptions |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    drop(reference_tmp);
    Ok(())
}

/// The JS client, unless `--no-js`; an error says what is missing.
fn js_setup(args: &SweepArgs) -> Result<Option<JsSetup>> {
    if args.no_js {
        return Ok(None);
    }
    let found = match &args.js_script {
        Some(p) => JsSetup::locate_with(p),
        None => JsSetup::locate(),
    };
    Ok(Some(found.map_err(|e| {
        anyhow::anyhow!("JS client unavailable: {e} (or pass --no-js)")
    })?))
}

/// Where the reference relay runs from when it is swept: `--reference-dir`, or a temp copy
/// prepared here (returned too, so it lives until the sweep ends).
fn reference_dir(args: &SweepArgs) -> Result<(Option<PathBuf>, Option<tempfile::TempDir>)> {
    if !args.relays.iter().any(|r| r == "reference") {
        return Ok((None, None));
    }
    Ok(match &args.reference_dir {
        Some(d) => (Some(d.clone()), None),
        None => {
            let tmp = prepare_reference(&args.shared_dir)?;
            (Some(tmp.path().to_path_buf()), Some(tmp))
        }
    })
}

/// One line of the table: what a run measured, or why it failed.
fn result_row(
    label: &str,
    relay: &str,
    outcome: &Result<ScenarioOutcome>,
    timeout_secs: f64,
) -> String {
    match outcome {
        Ok(o) => {
            let (up, down) = o.bytes();
            let converged = match o.converged_after {
                Some(t) => format!("{:.2} s", t.as_secs_f64()),
                None => format!("not converged after {timeout_secs:.0} s"),
            };
            let reconnects: u64 = o.clients.iter().map(|c| c.status.handshakes).sum();
            let js_errors: u64 = o
                .clients
                .iter()
                .filter(|c| c.name == "js")
                .map(|c| c.status.errors)
                .sum();
            format!(
                "| {label} | {relay} | {converged} | {} / {} | {} of {} | {} | {} / {} | {} | {} |",
                o.lost(),
                o.edits(),
                o.behind(),
                o.clients.len(),
                o.proxies.iter().map(|p| p.cuts).sum::<u64>(),
                kib(up),
                kib(down),
                reconnects,
                js_errors,
            )
        }
        Err(e) => format!("| {label} | {relay} | run failed: {e:#} | | | | | | |"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caucus_faultproxy::Counters;
    use caucus_faultproxy::scenario::{ClientOutcome, ClientStatus};

    #[test]
    fn a_row_sums_the_clients_and_proxies() {
        let client = |name: &str, edits, handshakes, errors, heads: &[&str]| ClientOutcome {
            name: name.into(),
            status: ClientStatus {
                heads: heads.iter().map(|h| (*h).to_owned()).collect(),
                edits,
                handshakes,
                errors,
                ..ClientStatus::default()
            },
            missing: 1,
        };
        let proxy = |cuts, bytes_up, bytes_down| Counters {
            cuts,
            bytes_up,
            bytes_down,
            ..Counters::default()
        };
        let outcome = ScenarioOutcome {
            doc_id: caucus_relay::DocumentId::random(),
            converged_after: Some(Duration::from_millis(1234)),
            final_heads: vec!["h".into()],
            clients: vec![
                client("rust-a", 10, 2, 0, &["h"]),
                client("js", 5, 3, 4, &[]),
            ],
            proxies: vec![proxy(1, 2048, 10_240), proxy(2, 1024, 0)],
            observed: automerge::Automerge::new(),
        };
        assert_eq!(
            result_row("clean", "caucus", &Ok(outcome.clone()), 15.0),
            "| clean | caucus | 1.23 s | 2 / 15 | 1 of 2 | 3 | 3 / 10 | 5 | 4 |"
        );
        let never = ScenarioOutcome {
            converged_after: None,
            ..outcome
        };
        assert!(
            result_row("clean", "reference", &Ok(never), 15.0)
                .starts_with("| clean | reference | not converged after 15 s | ")
        );
        assert_eq!(
            result_row("cuts", "caucus", &Err(anyhow::anyhow!("no relay")), 15.0),
            "| cuts | caucus | run failed: no relay | | | | | | |"
        );
    }
}
