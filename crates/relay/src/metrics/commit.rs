//! Commit latency as buckets that can be read back (prometheus-client exposes only a
//! histogram's sum and count): `/api/admin/status` estimates percentiles from them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use prometheus_client::metrics::histogram::exponential_buckets;

/// Number of finite `caucus_commit_seconds` buckets (50 µs doubling up to ~26 s).
pub(super) const COMMIT_BUCKETS: u16 = 20;

/// Commit latencies counted per `caucus_commit_seconds` bucket (last slot: +Inf).
pub(super) struct CommitBuckets {
    bounds: Vec<f64>,
    counts: Vec<AtomicU64>,
    sum_nanos: AtomicU64,
}

impl CommitBuckets {
    pub(super) fn new() -> Self {
        let bounds: Vec<f64> = exponential_buckets(0.000_05, 2.0, COMMIT_BUCKETS).collect();
        let counts = (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect();
        CommitBuckets {
            bounds,
            counts,
            sum_nanos: AtomicU64::new(0),
        }
    }

    pub(super) fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let slot = self
            .bounds
            .iter()
            .position(|&b| secs <= b)
            .unwrap_or(self.bounds.len());
        if let Some(c) = self.counts.get(slot) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        self.sum_nanos.fetch_add(
            u64::try_from(took.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    pub(super) fn summary(&self) -> CommitLatency {
        let counts: Vec<u64> = self
            .counts
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        let count: u64 = counts.iter().sum();
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let quantile = |q| estimate_quantile(&self.bounds, &counts, q);
        CommitLatency {
            count,
            mean_seconds: (count > 0).then(|| sum / count as f64),
            p50_seconds: quantile(0.5),
            p95_seconds: quantile(0.95),
            p99_seconds: quantile(0.99),
        }
    }
}

/// Commit latency as `/api/admin/status` reports it. Percentiles are estimated from the
/// histogram buckets (linear within a bucket, like Prometheus' `histogram_quantile`); `None`
/// before the first commit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitLatency {
    pub count: u64,
    pub mean_seconds: Option<f64>,
    pub p50_seconds: Option<f64>,
    pub p95_seconds: Option<f64>,
    pub p99_seconds: Option<f64>,
}

/// The `q` quantile of a histogram: `bounds` are the finite upper bounds, `counts` has one more
/// slot (+Inf). An observation in +Inf is reported as the largest finite bound.
pub(super) fn estimate_quantile(bounds: &[f64], counts: &[u64], q: f64) -> Option<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = q * total as f64;
    let mut below = 0u64;
    for (i, &n) in counts.iter().enumerate() {
        if n > 0 && (below + n) as f64 >= rank {
            let Some(&upper) = bounds.get(i) else {
                return bounds.last().copied();
            };
            let lower = if i == 0 { 0.0 } else { bounds[i - 1] };
            let within = ((rank - below as f64) / n as f64).clamp(0.0, 1.0);
            return Some(lower + (upper - lower) * within);
        }
        below += n;
    }
    bounds.last().copied()
}
