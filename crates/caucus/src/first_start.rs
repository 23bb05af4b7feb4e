//! The admin token generated on first start: shown on the terminal when there is one, else
//! written to `<data>/admin-token` (mode 0600 from its creation) and only that path logged.
//!
//! Under systemd or Docker stdout is a log that is kept, copied and shipped
//! (`docker compose logs` keeps it for the container's life): a secret must never go there.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use caucus_relay::private_files;

/// File in the data directory that receives a generated admin token when stdout is not a
/// terminal.
pub(crate) const ADMIN_TOKEN_FILE: &str = "admin-token";

/// Shows a newly generated admin token once: on stdout when it is a terminal, else in
/// `<data>/admin-token` with the log saying where.
pub(crate) fn hand_over_admin_token(
    token: &str,
    addr: SocketAddr,
    data: &Path,
) -> anyhow::Result<()> {
    if std::io::stdout().is_terminal() {
        println!("caucus: a new admin token was generated; it is shown only this once:");
        println!("caucus:   http://{addr}/#token={token}");
        return Ok(());
    }
    let path = data.join(ADMIN_TOKEN_FILE);
    // A stale file from an earlier first start goes: the new one is created with its mode.
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err).with_context(|| format!("removing {}", path.display())),
    }
    let mut file =
        private_files::create_new(&path).with_context(|| format!("creating {}", path.display()))?;
    writeln!(file, "{token}").with_context(|| format!("writing {}", path.display()))?;
    file.sync_all()?;
    tracing::warn!(
        file = %path.display(),
        "a new admin token was generated and written to this file (mode 0600, not logged): \
         open /#token=<it> on this relay, keep it in a password manager, then delete the file"
    );
    println!(
        "caucus: a new admin token was written to {}",
        path.display()
    );
    Ok(())
}
