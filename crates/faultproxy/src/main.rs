//! `caucus-faultproxy`: the fault-injecting TCP proxy as a command (so Node tests can use it),
//! and `caucus-faultproxy sweep`, the bad-network bench.
//!
//! Proxy: `caucus-faultproxy --listen 127.0.0.1:0 --upstream ADDR --delay-ms 200 --jitter-ms 150
//! --stall-every-secs 7 --stall-secs 3 --cut-every-secs 10 --seed N` prints
//! `faultproxy: listening on ADDR`, then runs until stdin closes or Ctrl-C. Commands on stdin, one
//! a line: `cut` (cut every connection now), `off` / `on` (all faults), `stats` (print counters).
//!
//! Sweep (`sweep.rs`): runs the three-client convergence scenario
//! ([`caucus_faultproxy::scenario`]) against caucus and the reference relay over a grid of
//! faults and prints a Markdown table.

mod sweep;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use caucus_faultproxy::{FaultProxy, Faults};
use clap::Parser;
use tokio::io::{AsyncBufReadExt, BufReader};

#[derive(Parser, Debug)]
#[command(name = "caucus-faultproxy", about = "Fault-injecting TCP proxy")]
struct ProxyArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Address to forward to.
    #[arg(long)]
    upstream: SocketAddr,
    /// Delay added to every chunk, each direction.
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// Uniform ± jitter around the delay (never reorders).
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Mean seconds between stalls (0: none).
    #[arg(long, default_value_t = 0.0)]
    stall_every_secs: f64,
    /// Seconds a stall lasts.
    #[arg(long, default_value_t = 3.0)]
    stall_secs: f64,
    /// Mean seconds between cuts of every connection (0: none).
    #[arg(long, default_value_t = 0.0)]
    cut_every_secs: f64,
    /// Seed of the fault schedule and jitter.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("sweep") {
        args.remove(1);
        return sweep::run(sweep::SweepArgs::parse_from(args)).await;
    }
    proxy(ProxyArgs::parse_from(args)).await
}

fn secs(s: f64) -> Option<Duration> {
    (s > 0.0).then(|| Duration::from_secs_f64(s))
}

async fn proxy(args: ProxyArgs) -> Result<()> {
    let faults = Faults {
        delay: Duration::from_millis(args.delay_ms),
        jitter: Duration::from_millis(args.jitter_ms),
        stall_every: secs(args.stall_every_secs),
        stall_for: Duration::from_secs_f64(args.stall_secs.max(0.0)),
        cut_every: secs(args.cut_every_secs),
        seed: args.seed,
    };
    let proxy = FaultProxy::bind(args.listen, args.upstream, faults.clone())
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    println!("faultproxy: listening on {}", proxy.local_addr());
    eprintln!(
        "faultproxy: forwarding to {} with {}",
        args.upstream,
        faults.describe()
    );
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            line = lines.next_line() => match line {
                Ok(Some(line)) => match line.trim() {
                    "cut" => println!("faultproxy: cut {}", proxy.cut_all()),
                    "off" => { proxy.set_enabled(false); println!("faultproxy: faults off"); }
                    "on" => { proxy.set_enabled(true); println!("faultproxy: faults on"); }
                    "stats" => println!("faultproxy: {:?}", proxy.counters()),
                    "" => {}
                    other => eprintln!("faultproxy: unknown command {other:?} (cut, off, on, stats)"),
                },
                // stdin closed (or unreadable): run until Ctrl-C.
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                    break;
                }
            },
        }
    }
    println!("faultproxy: {:?}", proxy.counters());
    Ok(())
}
