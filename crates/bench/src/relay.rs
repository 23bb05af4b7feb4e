//! The relays under test, each a child process on 127.0.0.1 with its own data directory:
//! caucus (the release binary, limits raised for load) and the reference relay (the official
//! automerge-repo packages under Node, installed once into a cached directory).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use crate::client::Conn;
use crate::procstat::{self, Sample};

/// The admin token caucus is started with (also the websocket token).
pub(crate) const ADMIN_TOKEN: &str = "bench-admin-token-0123456789abcdef";

/// How long a relay may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The caucus limits raised for load (the defaults are per-user protections that a load
/// generator on one IP with one token would trip). Printed with the results.
pub(crate) const CAUCUS_LOAD_FLAGS: &[&str] = &[
    "--max-connections-per-ip",
    "100000",
    "--max-connections-per-token",
    "100000",
    "--message-rate",
    "100000",
    "--message-burst",
    "100000",
    "--ephemeral-rate",
    "1000",
];

/// Which relay, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelayKind {
    Caucus,
    /// caucus with `--bench-unsafe-no-persist` (durability-cost scenario only).
    CaucusNoPersist,
    Reference,
}

impl RelayKind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            RelayKind::Caucus => "caucus",
            RelayKind::CaucusNoPersist => "caucus --bench-unsafe-no-persist",
            RelayKind::Reference => "reference",
        }
    }
}

/// Where the binaries and the reference sources are.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    pub(crate) caucus_bin: PathBuf,
    /// `shared/reference/node-relay`.
    pub(crate) reference_src: PathBuf,
    /// Cached copy with `node_modules` (e.g. `target/bench-reference`).
    pub(crate) reference_dir: PathBuf,
}

impl Paths {
    /// Copies the reference relay and runs `npm install` once; later calls reuse the copy.
    pub(crate) fn prepare_reference(&self) -> Result<()> {
        let marker = self
            .reference_dir
            .join("node_modules/@automerge/automerge-repo/package.json");
        std::fs::create_dir_all(&self.reference_dir)?;
        for name in ["package.json", "reference-server.mjs"] {
            std::fs::copy(self.reference_src.join(name), self.reference_dir.join(name))
                .with_context(|| format!("copying {name} from {}", self.reference_src.display()))?;
        }
        if marker.is_file() {
            return Ok(());
        }
        eprintln!(
            "bench: npm install for the reference relay in {}",
            self.reference_dir.display()
        );
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&self.reference_dir)
            .status()
            .context("running npm install")?;
        if !status.success() {
            bail!("npm install for the reference relay failed: {status}");
        }
        Ok(())
    }
}

/// A running relay process.
pub(crate) struct RelayProc {
    pub(crate) kind: RelayKind,
    child: Child,
    pub(crate) addr: SocketAddr,
    _data_dir: PathBuf,
}

impl RelayProc {
    /// Starts a relay on a data directory (which may hold earlier data: a restart).
    pub(crate) async fn start(
        kind: RelayKind,
        paths: &Paths,
        data_dir: &Path,
    ) -> Result<RelayProc> {
        Self::start_with(kind, paths, data_dir, &[]).await
    }

    /// [`RelayProc::start`] with extra `caucus serve` flags (e.g. `--cluster nats://…`).
    pub(crate) async fn start_with(
        kind: RelayKind,
        paths: &Paths,
        data_dir: &Path,
        extra: &[String],
    ) -> Result<RelayProc> {
        let log = open_log(data_dir)?;
        match kind {
            RelayKind::Caucus | RelayKind::CaucusNoPersist => {
                Self::start_caucus(kind, paths, data_dir, log, extra, None).await
            }
            RelayKind::Reference if !extra.is_empty() => {
                bail!("the reference relay takes no extra flags")
            }
            RelayKind::Reference => Self::start_reference(paths, data_dir, log).await,
        }
    }

    /// caucus with extra `caucus serve` flags, started under `taskset -c <core>` when `core` is
    /// given (the caller checked that `taskset` works here).
    pub(crate) async fn start_pinned(
        paths: &Paths,
        data_dir: &Path,
        extra: &[String],
        core: Option<usize>,
    ) -> Result<RelayProc> {
        let log = open_log(data_dir)?;
        Self::start_caucus(RelayKind::Caucus, paths, data_dir, log, extra, core).await
    }

    async fn start_caucus(
        kind: RelayKind,
        paths: &Paths,
        data_dir: &Path,
        log: File,
        extra: &[String],
        core: Option<usize>,
    ) -> Result<RelayProc> {
        // taskset execs caucus: the child's PID is the relay's.
        let mut cmd = match core {
            Some(core) => {
                let mut cmd = Command::new("taskset");
                cmd.args(["-c", &core.to_string()]).arg(&paths.caucus_bin);
                cmd
            }
            None => Command::new(&paths.caucus_bin),
        };
        cmd.arg("serve")
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(data_dir)
            .args(CAUCUS_LOAD_FLAGS)
            .args(extra)
            .env("CAUCUS_ADMIN_TOKEN", ADMIN_TOKEN)
            // Cluster mode needs it (it signs token records); a single relay ignores it.
            .env(
                "CAUCUS_CLUSTER_SECRET",
                "bench-cluster-secret-0123456789abcdef0123456789",
            )
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        if kind == RelayKind::CaucusNoPersist {
            cmd.arg("--bench-unsafe-no-persist");
        }
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", paths.caucus_bin.display()))?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
        // Reads the address line, then keeps draining stdout so the relay never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line
                    .strip_prefix("caucus: listening on http://")
                    .and_then(|a| a.trim().parse().ok())
                {
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = tokio::task::spawn_blocking(move || rx.recv_timeout(START_TIMEOUT))
            .await?
            .map_err(|_| anyhow!("caucus did not print its address within {START_TIMEOUT:?}"));
        let addr = match addr {
            Ok(addr) => addr,
            Err(err) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(err);
            }
        };
        Ok(RelayProc {
            kind,
            child,
            addr,
            _data_dir: data_dir.to_owned(),
        })
    }

    async fn start_reference(paths: &Paths, data_dir: &Path, log: File) -> Result<RelayProc> {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let mut child = Command::new("node")
            .arg("reference-server.mjs")
            .arg(port.to_string())
            .arg(data_dir)
            .current_dir(&paths.reference_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("starting node reference-server.mjs")?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let url = format!("ws://{addr}/");
        // The reference accepts sockets before its Repo is wired up and ignores a join sent
        // then, so readiness is a completed handshake, not an open port.
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait()? {
                bail!("the reference relay exited at start: {status}");
            }
            let probe = tokio::time::timeout(
                Duration::from_millis(1000),
                Conn::connect(&url, "bench-probe"),
            )
            .await;
            if let Ok(Ok(conn)) = probe {
                conn.close().await;
                break;
            }
            if tokio::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!("the reference relay did not answer a join within {START_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(RelayProc {
            kind: RelayKind::Reference,
            child,
            addr,
            _data_dir: data_dir.to_owned(),
        })
    }

    /// The websocket URL clients use.
    pub(crate) fn url(&self) -> String {
        match self.kind {
            RelayKind::Reference => format!("ws://{}/", self.addr),
            _ => format!("ws://{}/sync?token={ADMIN_TOKEN}", self.addr),
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The value of one caucus metric (`None` for the reference, or when it is absent), from
    /// `/metrics` with the admin token. For a histogram pass `name_sum` or `name_count`.
    pub(crate) async fn metric(&self, name: &str) -> Result<Option<f64>> {
        if self.kind == RelayKind::Reference {
            return Ok(None);
        }
        let url = format!("http://{}/metrics", self.addr);
        let name = format!("{name} ");
        tokio::task::spawn_blocking(move || -> Result<Option<f64>> {
            let text = ureq::get(&url)
                .header("Authorization", format!("Bearer {ADMIN_TOKEN}"))
                .call()?
                .body_mut()
                .read_to_string()?;
            Ok(text
                .lines()
                .find_map(|line| line.strip_prefix(&name))
                .and_then(|value| value.trim().parse().ok()))
        })
        .await?
    }

    /// RSS and CPU of the relay process now.
    pub(crate) fn sample(&self) -> Result<Sample> {
        procstat::sample(&self.pid().to_string())
    }

    /// Graceful stop (SIGTERM), SIGKILL after 15 s.
    pub(crate) async fn stop(mut self) -> Result<()> {
        if !terminate(&mut self.child, Duration::from_secs(15)).await? {
            bail!(
                "{} did not stop within 15 s after SIGTERM",
                self.kind.label()
            );
        }
        Ok(())
    }
}

impl Drop for RelayProc {
    fn drop(&mut self) {
        kill_if_running(&mut self.child);
    }
}

/// Creates the relay's data directory and opens its log (`<data_dir>.log`, appended to).
fn open_log(data_dir: &Path) -> Result<File> {
    std::fs::create_dir_all(data_dir)?;
    File::options()
        .create(true)
        .append(true)
        .open(data_dir.with_extension("log"))
        .context("opening the relay log")
}

/// SIGTERM to `child`, then SIGKILL (and reap) if it has not exited after `grace`; whether it
/// exited by itself.
pub(crate) async fn terminate(child: &mut Child, grace: Duration) -> Result<bool> {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = tokio::time::Instant::now() + grace;
    loop {
        if child.try_wait()?.is_some() {
            return Ok(true);
        }
        if tokio::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Kills and reaps `child` if it is still running (for `Drop`: nothing outlives the run).
pub(crate) fn kill_if_running(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        let _ = child.kill();
        let _ = child.wait();
    }
}
