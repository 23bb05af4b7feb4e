//! A real `nats-server -js` for cluster tests: on a free loopback port, with its JetStream
//! storage in a temp dir that survives [`NatsServer::restart`]. Debian's `nats-server`
//! package provides the binary (`.ci/run` installs it).

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub struct NatsServer {
    pub port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
    log: PathBuf,
}

impl NatsServer {
    pub async fn start() -> Result<Self> {
        let port = StdListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let store = tempfile::tempdir()?;
        let log = store.path().join("nats.log");
        let mut server = NatsServer {
            port,
            store,
            child: None,
            log,
        };
        server.spawn().await?;
        Ok(server)
    }

    /// Where JetStream keeps its data (tests search it for what must not be there).
    pub fn store_dir(&self) -> &std::path::Path {
        self.store.path()
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    async fn spawn(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new("nats-server")
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(self.store.path().join("js"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting nats-server (install Debian's `nats-server` package)")?;
        self.child = Some(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "nats-server did not listen on {addr}; see {}",
            self.log.display()
        )
    }

    /// Kills the server (SIGKILL): JetStream keeps what it had acknowledged.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and storage.
    pub async fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn().await
    }

    /// Starts it again on the same port with its JetStream storage gone (a lost disk).
    pub async fn restart_empty(&mut self) -> Result<()> {
        self.kill();
        let js = self.store.path().join("js");
        if js.exists() {
            std::fs::remove_dir_all(&js)?;
        }
        self.spawn().await
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
