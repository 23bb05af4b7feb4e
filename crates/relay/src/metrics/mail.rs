//! The report mail's metric: sends by outcome. Every outcome is created at start, so `rate()`
//! and alerts see a zero before the first failure.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, &'static str)>;

/// Outcomes of a send (`crate::mail::Outcome::as_str`), and refusals before any connection.
const OUTCOMES: [&str; 7] = [
    "sent",
    "refused",
    "unreachable",
    "timeout",
    "tls",
    "failed",
    "duplicate",
];

#[derive(Default)]
pub(crate) struct MailMetrics {
    sends: Family<Labels, Counter>,
}

impl MailMetrics {
    pub(super) fn register(&self, registry: &mut Registry) {
        for outcome in OUTCOMES {
            let _ = self.sends.get_or_create(&vec![("outcome", outcome)]);
        }
        registry.register(
            "report_sends",
            "Weekly report mails, by outcome: sent (the SMTP server accepted it), refused (4xx/5xx), unreachable, timeout, tls, failed, duplicate (refused before sending)",
            self.sends.clone(),
        );
    }

    /// A send ended with `outcome`.
    pub(crate) fn send(&self, outcome: &'static str) {
        self.sends.get_or_create(&vec![("outcome", outcome)]).inc();
    }
}
