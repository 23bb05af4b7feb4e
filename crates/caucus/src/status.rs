//! `caucus status`: a running relay's `/api/admin/status`, as a compact summary for a person
//! (connections, documents, commit latency, last backup with its age, the largest documents) or,
//! with `--json`, as the server sent it.

use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::Context;
use clap::Args;
use serde_json::Value;

use crate::target;

/// A backup older than this is flagged (a daily schedule plus slack).
const BACKUP_STALE: Duration = Duration::from_secs(26 * 3600);

#[derive(Args)]
pub(crate) struct StatusArgs {
    /// URL of the running relay, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "CAUCUS_SERVER")]
    server: String,
    /// Admin token.
    #[arg(long, env = "CAUCUS_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: String,
    /// Print the server's JSON as it is.
    #[arg(long)]
    json: bool,
    /// How many of the largest documents to list.
    #[arg(long, default_value_t = 10)]
    top: usize,
}

pub(crate) async fn run(args: StatusArgs) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || {
        let base = args.server.trim_end_matches('/').to_owned();
        let response = target::agent()
            .get(format!("{base}/api/admin/status"))
            .header("Authorization", format!("Bearer {}", args.admin_token))
            .call()
            .with_context(|| format!("reaching {base}"))?;
        let status: Value = target::check(response)?
            .body_mut()
            .read_json()
            .context("reading the status")?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&status)?);
        } else {
            print!("{}", summary(&status, &base, args.top));
        }
        Ok(())
    })
    .await?
}

fn u64_at(v: &Value, path: &str) -> u64 {
    v.pointer(path).and_then(Value::as_u64).unwrap_or(0)
}

fn str_at<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or("-")
}

/// The human summary (pure, for tests): one section per part of the status.
pub(crate) fn summary(s: &Value, server: &str, top: usize) -> String {
    let now = u64_at(s, "/nowUnixMs");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "caucus relay {} at {server}, up {} (storage {})",
        str_at(s, "/version"),
        age(Duration::from_secs(u64_at(s, "/uptimeSeconds"))),
        str_at(s, "/storageId")
    );
    if let Some(failure) = s.pointer("/storageFailure").and_then(Value::as_str) {
        let _ = writeln!(out, "WARNING: storage refuses writes: {failure}");
    }
    connections(&mut out, s, now);
    documents(&mut out, s);
    commits(&mut out, s);
    last_backup(&mut out, s, now);
    cluster(&mut out, s);
    largest_documents(&mut out, s, now, top);
    out
}

/// `5m ago`: the age of a moment in milliseconds since the epoch, at the status's `now`.
fn ago(now: u64, ms: u64) -> String {
    format!("{} ago", age(Duration::from_millis(now.saturating_sub(ms))))
}

/// The array at `path`, empty when it is missing.
fn array_at<'a>(v: &'a Value, path: &str) -> &'a [Value] {
    v.pointer(path)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn connections(out: &mut String, s: &Value, now: u64) {
    let _ = writeln!(out, "connections: {}", u64_at(s, "/connections/count"));
    for c in array_at(s, "/connections/list") {
        let docs = c
            .get("documents")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let _ = writeln!(
            out,
            "  {} ({})  peer {}  from {}  since {}  {docs} document(s)",
            str_at(c, "/tokenName"),
            str_at(c, "/role"),
            str_at(c, "/peerId"),
            str_at(c, "/remote"),
            ago(now, u64_at(c, "/sinceUnixMs")),
        );
    }
}

fn documents(out: &mut String, s: &Value) {
    let _ = writeln!(
        out,
        "documents: {} stored ({}), {} loaded",
        u64_at(s, "/documents/stored"),
        bytes(u64_at(s, "/documents/storedBytes")),
        u64_at(s, "/documents/loaded")
    );
    if let Some(err) = s.pointer("/documents/error").and_then(Value::as_str) {
        let _ = writeln!(out, "WARNING: could not list documents: {err}");
    }
}

fn commits(out: &mut String, s: &Value) {
    let commits = u64_at(s, "/commits/count");
    let secs = |p: &str| {
        s.pointer(p)
            .and_then(Value::as_f64)
            .map_or("-".to_owned(), millis)
    };
    if commits == 0 {
        let _ = writeln!(out, "commits: none yet");
    } else {
        let _ = writeln!(
            out,
            "commits: {commits}, mean {}, p50 {}, p95 {}",
            secs("/commits/meanSeconds"),
            secs("/commits/p50Seconds"),
            secs("/commits/p95Seconds")
        );
    }
}

/// The last backup, flagged when there is none or it is older than [`BACKUP_STALE`].
fn last_backup(out: &mut String, s: &Value, now: u64) {
    let Some(b) = s.get("lastBackup").filter(|b| !b.is_null()) else {
        let _ = writeln!(out, "last backup: none — WARNING: take one (caucus backup)");
        return;
    };
    let at = u64_at(b, "/unixMs");
    let old = Duration::from_millis(now.saturating_sub(at));
    let when = humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(at));
    let _ = writeln!(
        out,
        "last backup: {} ({when}, {}, {} document(s), {}){}",
        ago(now, at),
        str_at(b, "/kind"),
        u64_at(b, "/documents"),
        bytes(u64_at(b, "/bytes")),
        if old > BACKUP_STALE {
            " — WARNING: older than 26 h"
        } else {
            ""
        }
    );
}

/// Cluster mode only; flagged when changes wait for a NATS this relay cannot reach.
fn cluster(out: &mut String, s: &Value) {
    let Some(c) = s.get("cluster").filter(|c| !c.is_null()) else {
        return;
    };
    let connected = c.get("connected").and_then(Value::as_bool) == Some(true);
    let outbox = u64_at(c, "/outboxEntries");
    let _ = writeln!(
        out,
        "cluster: {} {}, applied up to #{}, outbox {} ({}), published {}, applied {}, snapshots {}{}",
        str_at(c, "/url"),
        if connected {
            "connected"
        } else {
            "NOT connected"
        },
        u64_at(c, "/appliedSeq"),
        outbox,
        bytes(u64_at(c, "/outboxBytes")),
        u64_at(c, "/published"),
        u64_at(c, "/applied"),
        u64_at(c, "/snapshotsPublished"),
        if !connected && outbox > 0 {
            " — WARNING: changes made here wait for NATS"
        } else {
            ""
        }
    );
}

/// The first `top` documents of the list (the server sends the largest first).
fn largest_documents(out: &mut String, s: &Value, now: u64, top: usize) {
    let docs = array_at(s, "/documents/list");
    if docs.is_empty() || top == 0 {
        return;
    }
    let _ = writeln!(out, "largest documents:");
    for d in docs.iter().take(top) {
        let peers: Vec<&str> = d
            .get("peers")
            .and_then(Value::as_array)
            .map(|p| p.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {}  {} chunk(s)  changed {}  {}{}",
            str_at(d, "/id"),
            bytes(u64_at(d, "/storedBytes")),
            u64_at(d, "/chunks"),
            ago(now, u64_at(d, "/updatedUnixMs")),
            if d.get("loaded").and_then(Value::as_bool) == Some(true) {
                "loaded"
            } else {
                "on disk"
            },
            if peers.is_empty() {
                String::new()
            } else {
                format!("  peers: {}", peers.join(", "))
            }
        );
    }
    if docs.len() > top || s.pointer("/documents/truncated") == Some(&Value::Bool(true)) {
        let _ = writeln!(out, "  … (--top N or --json for more)");
    }
}

/// `45s`, `12m`, `3h 5m`, `2d 4h`.
pub(crate) fn age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

fn bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f < KIB {
        format!("{n} B")
    } else if f < KIB * KIB {
        format!("{:.1} KiB", f / KIB)
    } else if f < KIB * KIB * KIB {
        format!("{:.1} MiB", f / KIB / KIB)
    } else {
        format!("{:.2} GiB", f / KIB / KIB / KIB)
    }
}

fn millis(secs: f64) -> String {
    if secs < 0.001 {
        format!("{:.0} µs", secs * 1e6)
    } else if secs < 1.0 {
        format!("{:.1} ms", secs * 1e3)
    } else {
        format!("{secs:.2} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_bytes_and_latencies_read_well() {
        assert_eq!(age(Duration::from_secs(45)), "45s");
        assert_eq!(age(Duration::from_secs(3 * 3600 + 5 * 60)), "3h 5m");
        assert_eq!(age(Duration::from_secs(2 * 86_400 + 4 * 3600)), "2d 4h");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(millis(0.000_25), "250 µs");
        assert_eq!(millis(0.0031), "3.1 ms");
    }

    #[test]
    fn an_old_or_missing_backup_is_flagged() {
        let now = 100 * 86_400_000u64;
        let mut s = serde_json::json!({"nowUnixMs": now, "lastBackup": null});
        assert!(summary(&s, "http://x", 5).contains("last backup: none — WARNING"));
        s["lastBackup"] = serde_json::json!({"unixMs": now - 27 * 3_600_000, "kind": "scheduled"});
        assert!(summary(&s, "http://x", 5).contains("1d 3h ago"));
        assert!(summary(&s, "http://x", 5).contains("older than 26 h"));
        s["lastBackup"]["unixMs"] = serde_json::json!(now - 3_600_000);
        assert!(!summary(&s, "http://x", 5).contains("WARNING"));
    }

    #[test]
    fn a_cluster_is_summarised_and_a_disconnected_outbox_flagged() {
        let mut s = serde_json::json!({"nowUnixMs": 1, "lastBackup": null, "cluster": null});
        assert!(!summary(&s, "http://x", 5).contains("cluster:"));
        s["cluster"] = serde_json::json!({"url": "nats://n:4222", "connected": true,
            "appliedSeq": 42, "outboxEntries": 0, "outboxBytes": 0, "published": 7,
            "applied": 35, "snapshotsPublished": 1});
        let text = summary(&s, "http://x", 5);
        assert!(
            text.contains("cluster: nats://n:4222 connected, applied up to #42, outbox 0"),
            "{text}"
        );
        s["cluster"]["connected"] = serde_json::json!(false);
        s["cluster"]["outboxEntries"] = serde_json::json!(3);
        assert!(summary(&s, "http://x", 5).contains("changes made here wait for NATS"));
    }

    /// Every section at once, pinned to the byte: the summary is read by people and scripts.
    #[test]
    fn a_full_status_reads_line_by_line() {
        let now = 10 * 86_400_000u64;
        let s = serde_json::json!({
            "version": "0.1.0", "uptimeSeconds": 3 * 3600 + 120, "storageId": "st-1",
            "nowUnixMs": now, "storageFailure": "disk full",
            "connections": {"count": 1, "list": [{"tokenName": "alice", "role": "editor",
                "peerId": "p1", "remote": "10.0.0.2:5000", "sinceUnixMs": now - 90_000,
                "documents": ["a", "b"]}]},
            "documents": {"stored": 3, "storedBytes": 3 * 1024 * 1024, "loaded": 1,
                "error": "busy", "truncated": true, "list": [
                    {"id": "d1", "storedBytes": 2048, "chunks": 4, "updatedUnixMs": now - 5_000,
                     "loaded": true, "peers": ["p1", "p2"]},
                    {"id": "d2", "storedBytes": 100, "chunks": 1, "updatedUnixMs": now - 7_200_000,
                     "loaded": false, "peers": []}]},
            "commits": {"count": 12, "meanSeconds": 0.0021, "p50Seconds": 0.0004,
                "p95Seconds": 1.5},
            "lastBackup": {"unixMs": now - 3_600_000, "kind": "manual", "documents": 3,
                "bytes": 5_000_000},
            "cluster": {"url": "nats://n:4222", "connected": false, "appliedSeq": 9,
                "outboxEntries": 2, "outboxBytes": 300, "published": 5, "applied": 8,
                "snapshotsPublished": 0},
        });
        let expected = "\
caucus relay 0.1.0 at http://x, up 3h 2m (storage st-1)
WARNING: storage refuses writes: disk full
connections: 1
  alice (editor)  peer p1  from 10.0.0.2:5000  since 1m ago  2 document(s)
documents: 3 stored (3.0 MiB), 1 loaded
WARNING: could not list documents: busy
commits: 12, mean 2.1 ms, p50 400 µs, p95 1.50 s
last backup: 1h 0m ago (1970-01-10T23:00:00Z, manual, 3 document(s), 4.8 MiB)
cluster: nats://n:4222 NOT connected, applied up to #9, outbox 2 (300 B), published 5, applied 8, snapshots 0 — WARNING: changes made here wait for NATS
largest documents:
  d1  2.0 KiB  4 chunk(s)  changed 5s ago  loaded  peers: p1, p2
  … (--top N or --json for more)
";
        assert_eq!(summary(&s, "http://x", 1), expected);
        let all = summary(&s, "http://x", 5);
        assert!(
            all.contains("  d2  100 B  1 chunk(s)  changed 2h 0m ago  on disk\n"),
            "{all}"
        );
        assert!(summary(&s, "http://x", 0).ends_with("wait for NATS\n"));
    }
}
