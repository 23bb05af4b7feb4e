//! Hibernating documents: loaded documents whose `Automerge` was dropped while their peers
//! stay connected (docs/performance.md "Memory"), and what waking them costs.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

pub(crate) struct HibernationMetrics {
    hibernating: Gauge,
    wakes: Counter,
    wake_seconds: Histogram,
}

impl Default for HibernationMetrics {
    fn default() -> Self {
        HibernationMetrics {
            hibernating: Gauge::default(),
            wakes: Counter::default(),
            // 20 µs .. ~10 s: a small document wakes in well under a millisecond.
            wake_seconds: Histogram::new(
                prometheus_client::metrics::histogram::exponential_buckets(0.00002, 3.0, 12),
            ),
        }
    }
}

impl HibernationMetrics {
    pub(super) fn register(&self, registry: &mut Registry) {
        registry.register(
            "documents_hibernating",
            "Loaded documents whose peers are idle, held as sync states without the document",
            self.hibernating.clone(),
        );
        registry.register(
            "document_wakes",
            "Hibernating documents loaded again for a message",
            self.wakes.clone(),
        );
        registry.register(
            "document_wake_seconds",
            "Time to load a hibernating document again (storage read + automerge load)",
            self.wake_seconds.clone(),
        );
    }

    /// Documents hibernating now.
    #[cfg(test)]
    pub(crate) fn hibernating(&self) -> i64 {
        self.hibernating.get()
    }

    /// Wakes so far.
    #[cfg(test)]
    pub(crate) fn wakes(&self) -> u64 {
        self.wakes.get()
    }

    pub(crate) fn hibernated(&self) {
        self.hibernating.inc();
    }

    /// A hibernating document woke (`seconds` to load it), or left memory asleep (`None`).
    pub(crate) fn woke(&self, seconds: Option<f64>) {
        self.hibernating.dec();
        if let Some(seconds) = seconds {
            self.wakes.inc();
            self.wake_seconds.observe(seconds);
        }
    }
}
