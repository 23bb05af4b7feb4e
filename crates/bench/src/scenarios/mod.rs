//! The scenarios. Each starts its own relay(s) on fresh data directories, bounds every wait,
//! and returns an [`crate::report::Outcome`] with what it measured (partial on failure).

pub(crate) mod cluster;
pub(crate) mod cold_load;
pub(crate) mod comments;
pub(crate) mod fanout;
pub(crate) mod fanout_load;
pub(crate) mod files;
pub(crate) mod history;
pub(crate) mod join_storm;
pub(crate) mod many_docs;
pub(crate) mod reconnect;
pub(crate) mod sealed;
pub(crate) mod soak;

use crate::relay::{Paths, RelayKind, RelayProc};
use crate::report::Outcome;

/// Starts a relay on `dir`, runs `drive` against it and stops it. A failure anywhere is
/// recorded in the outcome next to whatever `drive` measured before it.
pub(crate) async fn on_fresh_relay(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    drive: impl AsyncFnOnce(&RelayProc, &mut Outcome) -> anyhow::Result<()>,
) -> Outcome {
    let relay = match RelayProc::start(kind, paths, dir).await {
        Ok(r) => r,
        Err(e) => return Outcome::failed(e),
    };
    let mut outcome = Outcome::default();
    if let Err(e) = drive(&relay, &mut outcome).await {
        outcome.error = Some(format!("{e:#}"));
    }
    if let Err(e) = relay.stop().await {
        outcome.error.get_or_insert(format!("{e:#}"));
    }
    outcome
}

/// In-process timings: the median wall time in ms of up to `runs` runs of `f` (fewer once they
/// add up to two seconds), and the last answer.
pub(crate) fn median_ms<T, E>(
    runs: usize,
    mut f: impl FnMut() -> Result<T, E>,
) -> anyhow::Result<(f64, T)>
where
    anyhow::Error: From<E>,
{
    let mut times = Vec::new();
    let mut last;
    loop {
        let t = std::time::Instant::now();
        last = f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if times.len() == runs || times.iter().sum::<f64>() > 2000.0 {
            break;
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], last))
}
