//! The budget for documents held in memory.
//!
//! Each loaded document weighs its stored (compressed) size. A load that would go over the
//! budget first asks idle documents (no peers) to unload at once, waits a moment, and is refused
//! if that did not make room: the relay stays up for everyone else instead of running out of
//! memory. One document is always admitted when nothing else is loaded, so a document larger
//! than the whole budget can still be opened on its own.
//!
//! The budget only keeps the accounts; asking idle documents to leave is the caller's
//! `evict_idle` (the document registry's).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::document_id::DocumentId;
use crate::metrics::Metrics;

/// How long a load waits for idle documents to make room.
const ROOM_WAIT: Duration = Duration::from_secs(1);

/// Loaded documents and their weights. Cheap to clone.
#[derive(Clone)]
pub(crate) struct MemoryBudget {
    inner: Arc<Mutex<State>>,
    limit: u64,
    metrics: Metrics,
}

#[derive(Default)]
struct State {
    weights: HashMap<DocumentId, u64>,
    total: u64,
}

impl MemoryBudget {
    pub(crate) fn new(limit: u64, metrics: Metrics) -> Self {
        MemoryBudget {
            inner: Arc::default(),
            limit,
            metrics,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn try_reserve(&self, id: &DocumentId, bytes: u64) -> bool {
        let mut state = self.state();
        let fits = state.total.saturating_add(bytes) <= self.limit || state.weights.is_empty();
        if fits {
            state.weights.insert(id.clone(), bytes);
            state.total = state.total.saturating_add(bytes);
            self.metrics.set_loaded_document_bytes(state.total);
        }
        fits
    }

    /// Admits a freshly loaded document, asking idle ones to leave (`evict_idle`) if needed.
    /// False: refused.
    pub(crate) async fn admit(&self, id: &DocumentId, bytes: u64, evict_idle: impl Fn()) -> bool {
        if self.try_reserve(id, bytes) {
            return true;
        }
        self.metrics.limit_hit("loaded_bytes");
        evict_idle();
        let deadline = tokio::time::Instant::now() + ROOM_WAIT;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if self.try_reserve(id, bytes) {
                return true;
            }
        }
        tracing::warn!(doc = %id, bytes, limit = self.limit, "refusing to load: loaded-documents budget exhausted");
        false
    }

    /// A loaded document grew or shrank (commit, compaction). Writes are never refused for
    /// memory; when they push the total over the budget, idle documents are asked to leave.
    pub(crate) fn update(&self, id: &DocumentId, bytes: u64, evict_idle: impl Fn()) {
        let over = {
            let mut state = self.state();
            if let Some(weight) = state.weights.get_mut(id) {
                let old = std::mem::replace(weight, bytes);
                state.total = state.total.saturating_sub(old).saturating_add(bytes);
                self.metrics.set_loaded_document_bytes(state.total);
            }
            state.total > self.limit
        };
        if over {
            evict_idle();
        }
    }

    /// A document left memory.
    pub(crate) fn release(&self, id: &DocumentId) {
        let mut state = self.state();
        if let Some(old) = state.weights.remove(id) {
            state.total = state.total.saturating_sub(old);
            self.metrics.set_loaded_document_bytes(state.total);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn over_the_budget_idle_documents_are_asked_to_leave_then_the_load_is_refused() {
        let budget = MemoryBudget::new(100, Metrics::new());
        let (a, b) = (DocumentId::random(), DocumentId::random());
        assert!(budget.admit(&a, 60, || panic!("room enough")).await);
        let asked = AtomicUsize::new(0);
        let evict = || {
            asked.fetch_add(1, Ordering::SeqCst);
        };
        assert!(!budget.admit(&b, 60, evict).await, "nobody left: refused");
        assert_eq!(
            asked.load(Ordering::SeqCst),
            1,
            "idle documents were asked once"
        );
        // An idle document that leaves while the load waits makes room.
        let (leaving, id) = (budget.clone(), a.clone());
        assert!(budget.admit(&b, 60, move || leaving.release(&id)).await);
    }

    #[tokio::test]
    async fn one_document_is_admitted_even_when_it_alone_is_over_the_budget() {
        let budget = MemoryBudget::new(10, Metrics::new());
        let big = DocumentId::random();
        assert!(
            budget
                .admit(&big, 1_000, || panic!("nothing to evict"))
                .await
        );
        // Growing past the budget asks idle documents to leave; writes are never refused.
        let asked = AtomicUsize::new(0);
        budget.update(&big, 2_000, || {
            asked.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(asked.load(Ordering::SeqCst), 1);
        budget.release(&big);
        assert!(
            budget
                .admit(&DocumentId::random(), 5, || panic!("empty"))
                .await
        );
    }
}
