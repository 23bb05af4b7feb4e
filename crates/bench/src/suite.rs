//! The scenarios as one run selects and sizes them: each prepared here (documents built
//! in-process, their figures measured for the notes), run on the selected relays by the
//! [`Runner`], and its table printed, appended to the results file and kept for the goals.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;

use crate::relay::{Paths, RelayKind};
use crate::report::{self, Outcome, ScenarioResult, Unit};
use crate::scenarios::{self, cold_load::ColdDoc, fanout_load::Load};
use crate::{Sizes, workload};

/// One run's bookkeeping: which relays, where each relay run gets its directory, the results
/// file, and the tables so far.
pub(crate) struct Runner {
    out_path: PathBuf,
    work: PathBuf,
    run_no: usize,
    want_caucus: bool,
    want_reference: bool,
    results: Vec<ScenarioResult>,
}

impl Runner {
    pub(crate) fn new(
        out_path: &Path,
        work: &Path,
        want_caucus: bool,
        want_reference: bool,
    ) -> Self {
        Runner {
            out_path: out_path.to_owned(),
            work: work.to_owned(),
            run_no: 0,
            want_caucus,
            want_reference,
            results: Vec::new(),
        }
    }

    pub(crate) fn results(&self) -> &[ScenarioResult] {
        &self.results
    }

    /// A fresh data directory for the next relay run, numbered in run order.
    fn next_dir(&mut self, label: &str) -> PathBuf {
        self.run_no += 1;
        self.work.join(format!("{:02}-{label}", self.run_no))
    }

    /// Runs one scenario on each selected relay (caucus first) and records its table.
    async fn on_selected_relays(
        &mut self,
        scenario: String,
        notes: Vec<String>,
        mut run: impl AsyncFnMut(RelayKind, PathBuf) -> Outcome,
    ) -> Result<()> {
        let mut r = ScenarioResult {
            scenario,
            caucus: None,
            reference: None,
            reference_absent: "not run",
            notes,
        };
        for (kind, wanted) in [
            (RelayKind::Caucus, self.want_caucus),
            (RelayKind::Reference, self.want_reference),
        ] {
            if !wanted {
                continue;
            }
            eprintln!("bench: {} on {}", r.scenario, kind.label());
            let dir = self.next_dir(kind.label());
            let outcome = run(kind, dir).await;
            if let Some(e) = &outcome.error {
                eprintln!("bench:   failed: {e}");
            }
            if kind == RelayKind::Caucus {
                r.caucus = Some(outcome);
            } else {
                r.reference = Some(outcome);
            }
        }
        self.record(r)
    }

    /// Prints a section a scenario rendered itself and appends it to the results file.
    fn section(&self, section: &str) -> Result<()> {
        print!("{section}");
        report::append(&self.out_path, section)
    }

    /// Prints the table, appends it to the results file and keeps it for the goals.
    fn record(&mut self, r: ScenarioResult) -> Result<()> {
        let table = r.table();
        println!("\n### {}\n\n{table}", r.scenario);
        report::append(&self.out_path, &format!("\n### {}\n\n{table}", r.scenario))?;
        self.results.push(r);
        Ok(())
    }
}

pub(crate) async fn fanout(runner: &mut Runner, paths: &Paths, sizes: &Sizes) -> Result<()> {
    for cfg in &sizes.fanouts {
        let notes = vec![format!(
            "Presence from every client every second{}. Fixed phase: {} changes/s in total for {} s. \
             Saturation: each writer keeps ≤{} changes not yet at every reader, for {} s.",
            if cfg.presence {
                ""
            } else {
                " — OFF in this run (diagnosis)"
            },
            cfg.rate,
            cfg.fixed_secs,
            cfg.window,
            cfg.sat_secs
        )];
        runner
            .on_selected_relays(
                format!("fan-out {}×{}", cfg.writers, cfg.readers),
                notes,
                async |kind, dir| scenarios::fanout::run(kind, paths, &dir, cfg).await,
            )
            .await?;
    }
    Ok(())
}

pub(crate) async fn many_docs(runner: &mut Runner, paths: &Paths, sizes: &Sizes) -> Result<()> {
    let cfg = &sizes.many;
    let notes = vec![format!(
        "{} documents, {} connections (two per document), {} edits per connection. \
         Per-connection and per-document figures are RSS differences divided by the count.",
        cfg.docs,
        cfg.docs * 2,
        cfg.edits_per_connection
    )];
    runner
        .on_selected_relays("many documents".to_owned(), notes, async |kind, dir| {
            scenarios::many_docs::run(kind, paths, &dir, cfg).await
        })
        .await
}

pub(crate) async fn join_storm(runner: &mut Runner, paths: &Paths, sizes: &Sizes) -> Result<()> {
    let doc = Arc::new(workload::large_document(sizes.storm_doc_bytes)?);
    let t = std::time::Instant::now();
    let saved = doc.save().len();
    let save_secs = t.elapsed().as_secs_f64();
    let cfg = &sizes.storm;
    let notes = vec![format!(
        "{} clients request a {:.2} MiB document ({} changes) at the same instant; \
         time from the start signal to heads equal. For scale: `save()` of this document \
         takes {:.0} ms in this process.",
        cfg.clients,
        saved as f64 / 1048576.0,
        doc.get_changes(&[]).len(),
        save_secs * 1000.0
    )];
    runner
        .on_selected_relays("join storm".to_owned(), notes, async |kind, dir| {
            scenarios::join_storm::run(kind, paths, &dir, cfg, doc.clone()).await
        })
        .await
}

pub(crate) async fn cold_load(runner: &mut Runner, paths: &Paths, sizes: &Sizes) -> Result<()> {
    let (cold, stats, saved) = trace(sizes)?;
    let notes = vec![format!(
        "A typing session of {} operations ({} inserts, {} deletes) in {} changes (one per 10 keystrokes), \
         {:.1} KiB saved. The relay is restarted on its data directory before the fresh client asks.",
        stats.inserts + stats.deletes,
        stats.inserts,
        stats.deletes,
        stats.changes,
        saved as f64 / 1024.0
    )];
    runner
        .on_selected_relays("cold load".to_owned(), notes, async |kind, dir| {
            scenarios::cold_load::run(kind, paths, &dir, cold.clone()).await
        })
        .await
}

/// The cold-load trace as a [`ColdDoc`] (with its in-process load time), and its notes.
fn trace(sizes: &Sizes) -> Result<(Arc<ColdDoc>, crate::workload::TraceStats, usize)> {
    let (doc, stats) = workload::typing_session(sizes.trace_ops, 10)?;
    let bytes = doc.save();
    let mut loads = Vec::new();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        drop(automerge::Automerge::load(&bytes)?);
        loads.push(t.elapsed().as_secs_f64());
    }
    loads.sort_by(f64::total_cmp);
    let cold = ColdDoc {
        heads: doc.get_heads(),
        doc,
        load_secs: loads[1],
    };
    Ok((Arc::new(cold), stats, bytes.len()))
}

/// Sealed analyses against plain ones (caucus only): write throughput, client cost, cold load.
pub(crate) async fn sealed(runner: &mut Runner, paths: &Paths, sizes: &Sizes) -> Result<()> {
    eprintln!("bench: sealed analyses");
    let (cold, stats, saved) = trace(sizes)?;
    let cfg = sizes.sealed;
    let outcome = scenarios::sealed::run(paths, &runner.next_dir("sealed"), cfg, cold).await;
    runner.record(ScenarioResult {
        scenario: format!("sealed {}×{} edits", cfg.writers, cfg.edits),
        caucus: Some(outcome),
        reference: None,
        reference_absent: "n/a",
        notes: vec![format!(
            "Writers each send one-character edits and wait for each acknowledgement: plain over the \
             websocket (the relay merges, persists, answers and fans out to the other writers), sealed \
             over POST /api/sealed/{{doc}}/log (the relay checks signature and sequence, persists, answers). \
             The cold load is the cold-load trace ({} operations, {:.1} KiB saved) as one sealed snapshot, \
             fetched, verified, decrypted and loaded by a fresh device.",
            stats.inserts + stats.deletes,
            saved as f64 / 1024.0
        )],
    })
}

/// Conference documents (caucus only): upload and download throughput, a range read.
pub(crate) async fn files(runner: &mut Runner, paths: &Paths) -> Result<()> {
    eprintln!("bench: files");
    let outcome = scenarios::files::run(paths, &runner.next_dir("files")).await;
    runner.record(ScenarioResult {
        scenario: "files: 5 MiB and 50 MiB, HTTP upload and download".into(),
        caucus: Some(outcome),
        reference: None,
        reference_absent: "n/a",
        notes: vec![
            "Each size is uploaded three times (the same bytes: stored once, linked once) and              downloaded whole three times over one keep-alive connection from this process, then one              1 MiB range from the middle. CPU is the relay process's."
                .to_owned(),
        ],
    })
}

pub(crate) async fn soak(
    runner: &mut Runner,
    paths: &Paths,
    cfg: &scenarios::soak::SoakCfg,
) -> Result<()> {
    eprintln!(
        "bench: soak, {} clients for {} minutes",
        cfg.clients, cfg.minutes
    );
    let dir = runner.next_dir("soak");
    let outcome = scenarios::soak::run(RelayKind::Caucus, paths, &dir, cfg).await;
    runner.record(ScenarioResult {
        scenario: format!("soak: {} clients, {} minutes", cfg.clients, cfg.minutes),
        caucus: Some(outcome),
        reference: None,
        reference_absent: "n/a",
        notes: vec![format!(
            "One analysis; every client edits one field about every {} s (exponential gaps), \
             sends presence every {} s, and each minute a tenth of the clients drop their socket \
             without a goodbye, edit once while away 1-5 s and reconnect with their persisted \
             sync state. `open fds / threads` is fds × 1000 + threads. Passed: every client's \
             final heads equal a fresh client's fetch, RSS at the end within 10 % of minute 5, \
             no fd or thread growth.",
            cfg.edit_every.as_secs(),
            cfg.presence_every.as_secs()
        )],
    })
}

/// Field history on a large analysis (caucus only, in process: no relay is started).
pub(crate) async fn history(
    runner: &mut Runner,
    cfg: scenarios::history::HistoryCfg,
) -> Result<()> {
    eprintln!("bench: field history ({} changes, in process)", cfg.changes);
    let outcome = tokio::task::spawn_blocking(move || scenarios::history::run(cfg))
        .await
        .unwrap_or_else(|e| Outcome::failed(e.into()));
    runner.record(ScenarioResult {
        scenario: format!("history on {} changes", cfg.changes),
        caucus: Some(outcome),
        reference: None,
        reference_absent: "n/a",
        notes: vec![format!(
            "An ITU PP-26 analysis built through the model's edit API: twelve members in editing \
             sessions on four replicas merged every few changes (notes typed word by word, stances, \
             sources, tasks, summaries, contacts, attached files). Busy field `{}`, rare field `{}` \
             (set three times), busy text `{}` (typed word by word). Times are the median of up to three runs in this process (release \
             build), default limit ({} entries or sessions); the relay's `/history` and \
             `caucus history` run the same functions after loading the document.",
            scenarios::history::BUSY_FIELD,
            scenarios::history::RARE_FIELD,
            scenarios::history::BUSY_TEXT,
            caucus_model::history::DEFAULT_HISTORY_LIMIT,
        )],
    })
}

pub(crate) async fn comments(
    runner: &mut Runner,
    cfg: scenarios::comments::CommentsCfg,
) -> Result<()> {
    eprintln!(
        "bench: {} comments inside the analysis or beside it (in process)",
        cfg.comments
    );
    let root = crate::workspace_root();
    let work = tempfile::Builder::new()
        .prefix("caucus-comments-")
        .tempdir()?;
    let dir = work.path().to_owned();
    let outcome = tokio::task::spawn_blocking(move || scenarios::comments::run(cfg, &root, &dir))
        .await
        .unwrap_or_else(|e| Outcome::failed(e.into()));
    runner.record(ScenarioResult {
        scenario: format!("{} comments on a {}-change analysis", cfg.comments, cfg.changes),
        caucus: Some(outcome),
        reference: None,
        reference_absent: "n/a",
        notes: vec![
            "The history scenario's analysis plus a three weeks' worth of comments by twelve \
             members (each its own change; 45 % replies, resolves, urgent flags, mentions), stored \
             inside the analysis (the design, docs/schema.md \"Comments\") or in a companion \
             document. Opening the analysis costs the analysis's load in the companion design too; \
             the comments' own load comes on top when a thread is shown. Medians of up to five runs; \
             JS figures are the browser's automerge under Node (web/scripts/load-timing.mjs)."
                .to_owned(),
        ],
    })
}

pub(crate) async fn reconnect(runner: &mut Runner, paths: &Paths, sizes: &Sizes) -> Result<()> {
    let edits = &sizes.reconnect_edits;
    let notes = vec![
        "Websocket payload bytes of every frame from join to synced (frame headers not counted). \
         The client reconnects with its persisted sync state (shared heads)."
            .to_owned(),
    ];
    runner
        .on_selected_relays("reconnect".to_owned(), notes, async |kind, dir| {
            scenarios::reconnect::run(kind, paths, &dir, edits).await
        })
        .await
}

/// The saturation load on caucus as built and with `--bench-unsafe-no-persist`, as one caucus
/// column (the reference has nothing to switch off).
pub(crate) async fn durability(runner: &mut Runner, paths: &Paths, cfg: &Load) -> Result<()> {
    eprintln!("bench: durability cost (caucus as built vs --bench-unsafe-no-persist)");
    let built =
        scenarios::fanout::run(RelayKind::Caucus, paths, &runner.next_dir("durable"), cfg).await;
    let unsafe_ = scenarios::fanout::run(
        RelayKind::CaucusNoPersist,
        paths,
        &runner.next_dir("nopersist"),
        cfg,
    )
    .await;
    runner.record(ScenarioResult {
        scenario: format!("durability {}×{}", cfg.writers, cfg.readers),
        caucus: Some(durability_outcome(&built, &unsafe_)),
        reference: None,
        reference_absent: "n/a",
        notes: vec![
            "The saturation load of fan-out 1×20 on caucus as built and on caucus with \
             `--bench-unsafe-no-persist`. The reference column does not apply: the reference relay \
             has no persist-before-fan-out to switch off (it saves asynchronously, without fsync)."
                .to_owned(),
        ],
    })
}

/// The durability table's figures from the two fan-out runs: throughput of each, propagation
/// and CPU of each, and the cost (1 − as built ÷ no persist).
fn durability_outcome(built: &Outcome, unsafe_: &Outcome) -> Outcome {
    let mut out = Outcome::default();
    let key = "saturation: changes/s delivered to all readers";
    let (a, b) = (built.get(key), unsafe_.get(key));
    if let Some(a) = a {
        out.push(
            "changes/s, as built (persist before fan-out)",
            a,
            Unit::PerSec,
        );
    }
    if let Some(b) = b {
        out.push("changes/s, --bench-unsafe-no-persist", b, Unit::PerSec);
    }
    for (label, o) in [("as built", built), ("no persist", unsafe_)] {
        if let Some(p) = o.get("saturation: propagation p50") {
            out.push(
                format!("propagation p50 at saturation, {label}"),
                p,
                Unit::Ms,
            );
        }
        if let Some(c) = o.get("saturation: relay CPU (% of one core)") {
            out.push(format!("relay CPU, {label}"), c, Unit::Percent);
        }
    }
    if let (Some(a), Some(b)) = (a, b) {
        out.push(
            "durability cost (1 − as built ÷ no persist)",
            100.0 * (1.0 - a / b),
            Unit::Percent,
        );
    }
    out.error = match (&built.error, &unsafe_.error) {
        (None, None) => None,
        (a, b) => Some(format!(
            "as built: {}; no persist: {}",
            a.as_deref().unwrap_or("ok"),
            b.as_deref().unwrap_or("ok")
        )),
    };
    out
}

/// caucus on nats-server: a single node, then clusters; the scenario renders its own section.
pub(crate) async fn cluster(runner: &mut Runner, paths: &Paths, quick: bool) -> Result<()> {
    eprintln!("bench: cluster (caucus on nats-server: single node, then 1, 2, 3 relays)");
    let cfg = scenarios::cluster::ClusterCfg::new(quick);
    let section = scenarios::cluster::run(paths, &runner.next_dir("cluster"), &cfg).await;
    runner.section(&section)
}

/// Many documents over clusters of 1, 2 and 3 relays; the scenario renders its own section.
pub(crate) async fn cluster_scale(
    runner: &mut Runner,
    paths: &Paths,
    cfg: &scenarios::cluster::scale::ScaleCfg,
) -> Result<()> {
    eprintln!(
        "bench: cluster-scale ({} documents × (1 writer + {} readers) over {:?} relays)",
        cfg.docs, cfg.readers, cfg.relays
    );
    let dir = runner.next_dir("cluster-scale");
    let section = scenarios::cluster::scale::run(paths, &dir, cfg).await;
    runner.section(&section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durability_compares_the_two_runs() {
        let run = |changes: f64, p50: f64, error: Option<&str>| {
            let mut o = Outcome::default();
            o.push(
                "saturation: changes/s delivered to all readers",
                changes,
                Unit::PerSec,
            );
            o.push("saturation: propagation p50", p50, Unit::Ms);
            o.error = error.map(str::to_owned);
            o
        };
        let out = durability_outcome(&run(800.0, 3.0, None), &run(1000.0, 2.0, None));
        let names: Vec<&str> = out.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "changes/s, as built (persist before fan-out)",
                "changes/s, --bench-unsafe-no-persist",
                "propagation p50 at saturation, as built",
                "propagation p50 at saturation, no persist",
                "durability cost (1 − as built ÷ no persist)",
            ]
        );
        let cost = out.get("durability cost (1 − as built ÷ no persist)");
        assert!(cost.is_some_and(|c| (c - 20.0).abs() < 1e-9));
        assert_eq!(out.error, None);
        let failed = durability_outcome(&run(800.0, 3.0, Some("x")), &Outcome::default());
        assert_eq!(failed.error.as_deref(), Some("as built: x; no persist: ok"));
        assert_eq!(
            failed.get("durability cost (1 − as built ÷ no persist)"),
            None
        );
    }
}
