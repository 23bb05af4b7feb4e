//! The `nats-server -js` child process of a cluster setup: started on a free port with its
//! store in the setup's directory, ready when it greets a client, stopped cleanly.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use crate::relay;

/// A `nats-server -js` child process (`$NATS_SERVER`, default `nats-server` from `PATH`) on a
/// free port with its store in the setup's directory.
pub(super) struct Nats {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Nats {
    pub(super) async fn start(dir: &Path) -> Result<Nats> {
        let bin = std::env::var_os("NATS_SERVER").unwrap_or_else(|| "nats-server".into());
        let store = dir.join("nats-store");
        std::fs::create_dir_all(&store)?;
        let log = dir.join("nats.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let file = std::fs::File::create(&log)?;
        let child = Command::new(&bin)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(&store)
            .stdin(Stdio::null())
            .stdout(Stdio::from(file.try_clone()?))
            .stderr(Stdio::from(file))
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (apt-get install nats-server, or set NATS_SERVER)",
                    bin.to_string_lossy()
                )
            })?;
        let mut nats = Nats { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = nats.child.try_wait()? {
                bail!(
                    "nats-server exited at start ({status}): {}",
                    nats.log_tail()
                );
            }
            if let Ok(Ok(mut s)) = tokio::time::timeout(
                Duration::from_millis(500),
                tokio::net::TcpStream::connect(("127.0.0.1", port)),
            )
            .await
            {
                // A ready server greets every client with its INFO line.
                let mut buf = [0u8; 4];
                if let Ok(Ok(4)) =
                    tokio::time::timeout(Duration::from_secs(2), s.read_exact(&mut buf)).await
                    && &buf == b"INFO"
                {
                    return Ok(nats);
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "nats-server not ready on port {port} in 15 s: {}",
                    nats.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(super) fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" / ")
    }

    /// SIGTERM (a clean JetStream shutdown), SIGKILL after 10 s.
    pub(super) async fn stop(mut self) -> Result<()> {
        if !relay::terminate(&mut self.child, Duration::from_secs(10)).await? {
            bail!("nats-server did not stop within 10 s after SIGTERM");
        }
        Ok(())
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        relay::kill_if_running(&mut self.child);
    }
}
