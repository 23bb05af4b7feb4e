//! Log setup: `tracing` lines on stderr (plain or JSON), levels from `RUST_LOG` or the
//! command's default, with automerge's own spans kept quiet.
//!
//! automerge 0.12 opens an INFO-level span on every batch of changes it loads
//! (`storage::load::load_changes`, `#[instrument]`) that records the document's whole change
//! graph with `Debug`. At the server's default level that formatted a document's history on
//! every received change: 10 % of the relay's CPU two minutes into the soak, growing with the
//! history. automerge's events stay off below WARN unless `RUST_LOG` names `automerge` itself.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Added to every filter that does not mention automerge.
const QUIET_AUTOMERGE: &str = "automerge=warn";

/// The filter directives: `RUST_LOG` if set (else `default_level`), with automerge quietened
/// unless the operator asked for it by name.
pub(crate) fn filter_spec(rust_log: Option<&str>, default_level: &str) -> String {
    let spec = rust_log
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(default_level);
    if spec.contains("automerge") {
        spec.to_owned()
    } else {
        format!("{spec},{QUIET_AUTOMERGE}")
    }
}

pub(crate) fn init(json: bool, default_level: &str) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = EnvFilter::try_new(filter_spec(rust_log.as_deref(), default_level))
        .unwrap_or_else(|_| EnvFilter::new(filter_spec(None, default_level)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::filter_spec;

    #[test]
    fn automerge_is_quiet_unless_named() {
        assert_eq!(filter_spec(None, "info"), "info,automerge=warn");
        assert_eq!(filter_spec(Some(""), "warn"), "warn,automerge=warn");
        assert_eq!(
            filter_spec(Some("debug,caucus_relay=trace"), "info"),
            "debug,caucus_relay=trace,automerge=warn"
        );
        assert_eq!(
            filter_spec(Some("info,automerge=debug"), "info"),
            "info,automerge=debug"
        );
    }

    /// The directive really silences automerge's INFO span while the relay's INFO passes.
    #[test]
    fn the_filter_keeps_relay_info_and_drops_automerge_info() {
        use tracing_subscriber::layer::SubscriberExt;
        let filter = tracing_subscriber::EnvFilter::new(filter_spec(None, "info"));
        let subscriber = tracing_subscriber::registry().with(filter);
        tracing::subscriber::with_default(subscriber, || {
            let relay = tracing::span!(target: "caucus_relay::doc", tracing::Level::INFO, "x");
            assert!(!relay.is_disabled());
            let automerge =
                tracing::span!(target: "automerge::storage::load", tracing::Level::INFO, "load");
            assert!(automerge.is_disabled());
        });
    }
}
