//! Where a one-shot command does its work: a running relay over its HTTP API, or a stopped
//! relay's data directory opened directly (redb allows one process at a time).

use std::path::Path;
use std::time::Duration;

use anyhow::bail;
use caucus_relay::{Metrics, Storage};
use serde::Deserialize;

/// Opens a data directory, explaining what to do when a running server holds it.
/// `token_flag` names the flag that goes with `--server` for this command.
pub(crate) fn open_data_dir(data: &Path, token_flag: &str) -> anyhow::Result<Storage> {
    Storage::open(data, Metrics::new()).map_err(|err| {
        if err.to_string().contains("already open") {
            anyhow::anyhow!(
                "{} is in use by a running server: pass --server URL and {token_flag} instead",
                data.display()
            )
        } else {
            anyhow::Error::new(err).context(format!("opening {}", data.display()))
        }
    })
}

/// An HTTP agent that hands back error statuses (so [`check`] can show the server's message).
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

#[derive(Deserialize)]
struct ApiError {
    error: String,
}

/// Turns a non-2xx answer into the server's own error message.
pub(crate) fn check(
    response: ureq::http::Response<ureq::Body>,
) -> anyhow::Result<ureq::http::Response<ureq::Body>> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let mut response = response;
    let message = response
        .body_mut()
        .read_json::<ApiError>()
        .map(|e| e.error)
        .unwrap_or_else(|_| status.to_string());
    bail!("server answered {status}: {message}")
}
