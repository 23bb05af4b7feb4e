//! Scenario: where comments live (issue 19). An analysis of a three-week conference (the
//! history scenario's document) plus a conference's worth of comments, stored two ways:
//! - **in the analysis document** (root `comments`, the design in docs/schema.md);
//! - **in a companion document** per analysis holding only the comments, the analysis left as
//!   it was.
//!
//! For each it measures what opening the analysis costs: the saved sizes, `Automerge::load`
//! and the typed read in Rust (the relay's exports and `caucus export`), and `A.load` plus
//! reading every comment in the browser's automerge (Node with `web/node_modules`,
//! `web/scripts/load-timing.mjs`). In process, caucus only.

mod generate;

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use automerge::Automerge;

use crate::report::{Outcome, Unit};

/// The scenario's size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CommentsCfg {
    /// Changes in the analysis before any comment.
    pub(crate) changes: usize,
    /// Comments added.
    pub(crate) comments: usize,
}

/// Builds the documents and measures (blocking: run it off the async runtime).
pub(crate) fn run(cfg: CommentsCfg, root: &Path, work: &Path) -> Outcome {
    let mut out = Outcome::default();
    if let Err(e) = drive(cfg, root, work, &mut out) {
        out.error = Some(format!("{e:#}"));
    }
    out
}

fn drive(cfg: CommentsCfg, root: &Path, work: &Path, out: &mut Outcome) -> Result<()> {
    let t = Instant::now();
    let docs = generate::documents(cfg.changes, cfg.comments)?;
    out.push(
        "building the documents",
        t.elapsed().as_secs_f64(),
        Unit::Secs,
    );
    let files = [
        ("analysis without comments", docs.bare),
        ("analysis with comments inside", docs.inside),
        ("companion document (comments only)", docs.companion),
    ];
    let mut paths = Vec::new();
    for (label, bytes) in &files {
        out.push(
            format!("{label}: saved size"),
            bytes.len() as f64 / 1048576.0,
            Unit::MiB,
        );
        let (ms, doc) = timed(|| Automerge::load(bytes).context("loading"))?;
        out.push(format!("{label}: Rust load"), ms, Unit::Ms);
        if label.starts_with("analysis") {
            let (ms, _) = timed(|| caucus_model::read_analysis(&doc).context("reading"))?;
            out.push(format!("{label}: Rust typed read"), ms, Unit::Ms);
        }
        let (ms, _) = timed(|| {
            let comments = caucus_model::comments::read_comments(&doc)?;
            Ok(caucus_model::comments::threads(&comments))
        })?;
        out.push(format!("{label}: Rust comments + threads"), ms, Unit::Ms);
        let path = work.join(format!("{}.automerge", paths.len()));
        std::fs::write(&path, bytes).context("writing a document for node")?;
        paths.push((label, path));
    }
    node_figures(root, &paths, out)
}

/// The browser's automerge on the same bytes: `A.load` and a read of every comment.
fn node_figures(
    root: &Path,
    paths: &[(&&str, std::path::PathBuf)],
    out: &mut Outcome,
) -> Result<()> {
    let script = root.join("web/scripts/load-timing.mjs");
    let output = std::process::Command::new("node")
        .arg(&script)
        .args(paths.iter().map(|(_, p)| p))
        .current_dir(root.join("web"))
        .output()
        .context("running node web/scripts/load-timing.mjs (needs `npm ci` in web/)")?;
    anyhow::ensure!(
        output.status.success(),
        "load-timing.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let figures: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).context("load-timing.mjs output")?;
    for ((label, _), f) in paths.iter().zip(figures) {
        let load = f["loadMs"].as_f64().unwrap_or(f64::NAN);
        let read = f["commentsMs"].as_f64().unwrap_or(f64::NAN);
        out.push(format!("{label}: JS A.load"), load, Unit::Ms);
        out.push(format!("{label}: JS read every comment"), read, Unit::Ms);
    }
    Ok(())
}

/// The median of up to five runs (fewer past two seconds), in ms, and the last answer.
fn timed<T>(f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    super::median_ms(5, f)
}
