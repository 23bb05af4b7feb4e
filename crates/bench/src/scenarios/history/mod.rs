//! Scenario: field history on a large analysis (issue 17, "History that scales"). In
//! process, on the model crate, caucus only, like the cold load's `Automerge::load` floor:
//! the relay's `/history` route and `caucus history` run exactly these functions on the
//! loaded document, so the time here is the time they spend past loading it.
//!
//! The document ([`analysis::analysis_document`]) has tens of thousands of changes by twelve
//! members. For a busy field and a rare one, in both shapes the API gives (editing sessions,
//! the default, and one entry per change, `raw`), it times [`caucus_model::history()`] and
//! [`caucus_model::history_sessions`] with the default limit, unindexed and through a
//! [`FieldIndex`] (and checks the answers are equal), the index's build time and memory, and
//! what updating it costs when new changes arrive.

pub(crate) mod analysis;

use std::time::Instant;

use anyhow::{Result, ensure};
use automerge::{AutoCommit, Automerge};
use caucus_model::history::HistoryQuery;
use caucus_model::{FieldIndex, history, history_sessions};

use crate::report::{Outcome, Unit};

pub(crate) use analysis::{BUSY_FIELD, BUSY_TEXT, RARE_FIELD};

/// The scenario's size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HistoryCfg {
    /// Changes in the document.
    pub(crate) changes: usize,
}

/// The fields queried: label and `/`-separated path. The goal is judged on the first two; the
/// busy text shows what a long Text costs (every entry carries the whole text at its change).
pub(crate) const FIELDS: [(&str, &str); 3] = [
    ("busy field", BUSY_FIELD),
    ("rare field", RARE_FIELD),
    ("busy text", BUSY_TEXT),
];

/// Builds the document and measures (blocking: run it off the async runtime).
pub(crate) fn run(cfg: HistoryCfg) -> Outcome {
    let mut out = Outcome::default();
    if let Err(e) = drive(cfg, &mut out) {
        out.error = Some(format!("{e:#}"));
    }
    out
}

fn drive(cfg: HistoryCfg, out: &mut Outcome) -> Result<()> {
    let t = Instant::now();
    let mut hub = analysis::analysis_document(cfg.changes)?;
    out.push(
        "building the document (edit API, 4 replicas)",
        t.elapsed().as_secs_f64(),
        Unit::Secs,
    );
    let doc = hub.document().clone();
    let changes = doc.get_changes_meta(&[]).len();
    out.push("document: changes", changes as f64, Unit::Count);
    out.push(
        "document: saved size",
        doc.save().len() as f64 / 1048576.0,
        Unit::MiB,
    );
    let index = index_figures(&doc, changes, out)?;
    // Every indexed figure first (seconds), then the unindexed walks (minutes) that check them.
    let mut answers = Vec::new();
    for (label, path) in FIELDS {
        let query = HistoryQuery::for_path(path);
        out.push(
            format!("{label}: changes that touched it"),
            index.touching(&query.path) as f64,
            Unit::Count,
        );
        let (ms, raw) = timed(|| index.history(&doc, &query))?;
        out.push(format!("{label}, raw: indexed"), ms, Unit::Ms);
        let (ms, sessions) = timed(|| index.history_sessions(&doc, &query))?;
        out.push(format!("{label}, sessions: indexed"), ms, Unit::Ms);
        answers.push((label, query, raw, sessions));
    }
    let notes = caucus_model::read_analysis(&doc)?
        .countries
        .get("BR")
        .and_then(|country| country.positions.get("res-102"))
        .map_or(0, |position| position.notes.chars().count());
    out.push("busy text: characters now", notes as f64, Unit::Count);
    incremental(&mut hub, index.clone(), out)?;
    for (label, query, raw, sessions) in answers {
        let (ms, unindexed) = timed(|| history(&doc, &query))?;
        out.push(format!("{label}, raw: unindexed"), ms, Unit::Ms);
        ensure!(raw == unindexed, "{label}: the indexed raw history differs");
        let (ms, unindexed) = timed(|| history_sessions(&doc, &query))?;
        out.push(format!("{label}, sessions: unindexed"), ms, Unit::Ms);
        ensure!(
            sessions == unindexed,
            "{label}: the indexed sessions differ"
        );
    }
    Ok(())
}

/// The index's build time and memory, in all and per change: the template's first change
/// names thousands of fields, a fixed cost apart from the cost per change that follows.
fn index_figures(doc: &Automerge, changes: usize, out: &mut Outcome) -> Result<FieldIndex> {
    let (build_ms, index) = timed(|| FieldIndex::build(doc))?;
    out.push("index: build (every change)", build_ms, Unit::Ms);
    let bytes = index.memory_bytes();
    out.push(
        "index: memory (estimate)",
        bytes as f64 / 1048576.0,
        Unit::MiB,
    );
    out.push(
        "index: bytes per change",
        bytes as f64 / changes as f64,
        Unit::Bytes,
    );
    let metas = doc.get_changes_meta(&[]);
    if let Some(first) = metas.iter().find(|c| c.deps.is_empty()) {
        let template = FieldIndex::build(&doc.fork_at(&[first.hash])?)?.memory_bytes();
        out.push(
            "index: memory of the template's change alone",
            template as f64 / 1048576.0,
            Unit::MiB,
        );
        let per_change =
            bytes.saturating_sub(template) as f64 / changes.saturating_sub(1).max(1) as f64;
        out.push("index: bytes per change after it", per_change, Unit::Bytes);
    }
    Ok(index)
}

/// New changes arriving: the cost of bringing the index up to date after one change and after
/// a hundred (as a relay would before answering a history query).
fn incremental(hub: &mut AutoCommit, mut index: FieldIndex, out: &mut Outcome) -> Result<()> {
    for (count, label) in [
        (1, "index: update after 1 new change"),
        (100, "index: update after 100 new changes"),
    ] {
        analysis::more_changes(hub, count)?;
        let doc = hub.document();
        let t = Instant::now();
        let added = index.update(doc)?;
        out.push(label, t.elapsed().as_secs_f64() * 1000.0, Unit::Ms);
        ensure!(added == count, "{added} changes indexed, {count} made");
    }
    let query = HistoryQuery::for_path(BUSY_TEXT);
    let doc = hub.document();
    ensure!(
        index.history_sessions(doc, &query)? == history_sessions(doc, &query)?,
        "after the updates, the indexed sessions differ"
    );
    Ok(())
}

/// The median wall time of up to three runs in ms (fewer when one run takes over 2 s), and
/// the last answer.
fn timed<T>(f: impl FnMut() -> Result<T, caucus_model::ModelError>) -> Result<(f64, T)> {
    super::median_ms(3, f)
}
