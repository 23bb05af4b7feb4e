//! Scenario: field history on a large analysis (issue 17, "History that scales"). In
//! process, on the model crate, caucus only, like the cold load's `Automerge::load` floor:
//! the relay's `/history` route and `caucus history` run exactly these functions on the
//! loaded document, so the time here is the time they spend past loading it.
//!
//! The document ([`analysis::analysis_document`]) has tens of thousands of changes by twelve
//! members. For a busy field and a rare one, in both shapes the API gives (editing sessions,
//! the default, and one entry per change, `raw`), it times [`caucus_model::history()`] and
//! [`caucus_model::history_sessions`] with the default limit.

mod analysis;

use std::time::Instant;

use anyhow::Result;
use caucus_model::history::HistoryQuery;
use caucus_model::{history, history_sessions};

use crate::report::{Outcome, Unit};

pub(crate) use analysis::{BUSY_FIELD, RARE_FIELD};

/// The scenario's size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HistoryCfg {
    /// Changes in the document.
    pub(crate) changes: usize,
}

/// The fields queried: label and `/`-separated path.
pub(crate) const FIELDS: [(&str, &str); 2] = [("busy field", BUSY_FIELD), ("rare field", RARE_FIELD)];

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
    let doc = analysis::analysis_document(cfg.changes)?;
    out.push("building the document (edit API, 4 replicas)", t.elapsed().as_secs_f64(), Unit::Secs);
    out.push("document: changes", doc.get_changes_meta(&[]).len() as f64, Unit::Count);
    out.push("document: saved size", doc.save().len() as f64 / 1048576.0, Unit::MiB);
    for (label, path) in FIELDS {
        let query = HistoryQuery::for_path(path);
        let (ms, _) = timed(|| history(&doc, &query))?;
        out.push(format!("{label}, raw: unindexed"), ms, Unit::Ms);
        let (ms, _) = timed(|| history_sessions(&doc, &query))?;
        out.push(format!("{label}, sessions: unindexed"), ms, Unit::Ms);
    }
    Ok(())
}

/// The median wall time of up to three runs in ms (fewer when one run takes over 2 s), and
/// the last answer.
fn timed<T>(mut f: impl FnMut() -> Result<T, caucus_model::ModelError>) -> Result<(f64, T)> {
    let mut times = Vec::new();
    let mut last;
    loop {
        let t = Instant::now();
        last = f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if times.len() == 3 || times.iter().sum::<f64>() > 2000.0 {
            break;
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], last))
}
