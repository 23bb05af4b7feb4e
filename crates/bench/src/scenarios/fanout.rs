//! Scenario 1 (and the load of scenario 6): the fan-out load ([`super::fanout_load`]) on one
//! relay, presence from every client every second. Phase "fixed": writers together send `rate`
//! changes/s; readers record propagation latency from the writer's stamp. Phase "saturation":
//! each writer keeps at most `window` of its changes not yet delivered to every reader and sends
//! as fast as that allows; the figure is changes/s delivered to all readers. This module owns
//! what is read of the relay around each phase: its CPU and RSS, the load generator's CPU and
//! the presence rate.

use anyhow::Result;

use super::fanout_load::{Clients, Load, Problems, create_document, push_propagation};
use crate::procstat::{self, Sample};
use crate::relay::{Paths, RelayKind, RelayProc};
use crate::report::{Outcome, Unit};

/// Runs the scenario on a fresh relay and stops it.
pub(crate) async fn run(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    cfg: &Load,
) -> Outcome {
    super::on_fresh_relay(kind, paths, dir, async |relay, out| {
        drive(relay, cfg, out).await
    })
    .await
}

async fn drive(relay: &RelayProc, cfg: &Load, out: &mut Outcome) -> Result<()> {
    let url = relay.url();
    let (doc, heads) = create_document(&url, "fan-out").await?;
    let mut clients = Clients::start(std::slice::from_ref(&url), doc, heads, cfg).await?;
    let pid = relay.pid().to_string();
    // The relay, this process, and presence messages received so far.
    let read = || -> Result<(Sample, Sample, u64)> {
        Ok((
            procstat::sample(&pid)?,
            procstat::own(),
            clients.presence_in(),
        ))
    };
    let mut problems = Problems::default();

    if cfg.fixed_secs > 0.0 {
        let (fixed, (r0, g0, p0), (r1, g1, p1)) = clients.fixed(cfg.fixed_secs, read).await?;
        fixed.push(out, ("fixed: target rate", cfg.rate), &mut problems);
        let secs = cfg.fixed_secs;
        push_cpu(out, "fixed", secs, (r0, g0), (r1, g1));
        out.push(
            "presence messages received by all clients",
            (p1 - p0) as f64 / secs,
            Unit::PerSec,
        );
    }

    if cfg.sat_secs > 0.0 {
        clients.saturate().await;
        let (sat, (r0, g0, _), (r1, g1, _)) =
            clients.measure_saturation(cfg.sat_secs, read).await?;
        sat.push_delivered(out);
        push_cpu(out, "saturation", sat.secs, (r0, g0), (r1, g1));
    }

    let samples = clients.finish(&mut problems).await;
    push_propagation(out, &samples, false);
    problems.into_result()
}

/// Relay and load generator CPU (% of one core over `secs`) and the relay's RSS at the end, from
/// `(relay, own)` readings before and after a phase.
fn push_cpu(
    out: &mut Outcome,
    phase: &str,
    secs: f64,
    (r0, g0): (Sample, Sample),
    (r1, g1): (Sample, Sample),
) {
    out.push(
        format!("{phase}: relay CPU (% of one core)"),
        100.0 * (r1.cpu_s - r0.cpu_s) / secs,
        Unit::Percent,
    );
    out.push(
        format!("{phase}: load generator CPU (% of one core)"),
        100.0 * (g1.cpu_s - g0.cpu_s) / secs,
        Unit::Percent,
    );
    out.push(
        format!("{phase}: relay RSS"),
        r1.rss_kib as f64 / 1024.0,
        Unit::MiB,
    );
}
