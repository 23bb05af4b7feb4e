//! [`JsClient`]: the official `@automerge/automerge-repo` client in a Node child process
//! (`tests/interop/bad-network-client.mjs`), driven over stdin/stdout JSON lines. Its
//! `WebSocketClientAdapter` reconnects by itself (fixed retry interval). [`JsSetup`] finds Node
//! and the script.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use caucus_relay::DocumentId;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::time::Instant;

use super::{ClientStatus, lock};

/// Where the JS client script and Node are.
#[derive(Debug, Clone)]
pub struct JsSetup {
    pub node: PathBuf,
    /// `tests/interop/bad-network-client.mjs` (its `node_modules` sits next to it).
    pub script: PathBuf,
}

impl JsSetup {
    /// Finds `node` on PATH and the script in the workspace; `Err` says what is missing.
    pub fn locate() -> Result<JsSetup, String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/interop/bad-network-client.mjs");
        Self::locate_with(&script)
    }

    pub fn locate_with(script: &Path) -> Result<JsSetup, String> {
        let node = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|dir| dir.join("node"))
            .find(|p| p.is_file())
            .ok_or_else(|| "`node` is not on PATH".to_owned())?;
        if !script.is_file() {
            return Err(format!("{} is missing", script.display()));
        }
        let has_modules = script
            .parent()
            .is_some_and(|d| d.join("node_modules/@automerge/automerge-repo").is_dir());
        if !has_modules {
            return Err(
                "tests/interop/node_modules is missing (cd tests/interop && npm ci)".into(),
            );
        }
        Ok(JsSetup {
            node,
            script: script.to_path_buf(),
        })
    }
}

/// The official JS client in a child process.
pub struct JsClient {
    pub name: String,
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    status: Arc<Mutex<ClientStatus>>,
    ready: Arc<Mutex<bool>>,
    /// stderr and unparsed stdout lines, for failure reports.
    log: Arc<Mutex<Vec<String>>>,
}

impl JsClient {
    /// Spawns the client: it finds `doc` through `url` and reports its state every 200 ms.
    pub fn spawn(
        setup: &JsSetup,
        name: &str,
        url: &str,
        doc: &DocumentId,
        edit_every: Duration,
        retry: Duration,
    ) -> Result<JsClient> {
        let mut child = tokio::process::Command::new(&setup.node)
            .arg(&setup.script)
            .arg(url)
            .arg(doc.url())
            .arg(name)
            .arg(edit_every.as_millis().to_string())
            .arg(retry.as_millis().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawning {}", setup.node.display()))?;
        let stdin = child.stdin.take().context("child stdin")?;
        let stdout = child.stdout.take().context("child stdout")?;
        let stderr = child.stderr.take().context("child stderr")?;
        let status = Arc::new(Mutex::new(ClientStatus::default()));
        let ready = Arc::new(Mutex::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        tokio::spawn(read_reports(
            stdout,
            status.clone(),
            ready.clone(),
            log.clone(),
        ));
        {
            let log = log.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    keep(&log, format!("stderr: {line}"));
                }
            });
        }
        Ok(JsClient {
            name: name.to_owned(),
            child,
            stdin,
            status,
            ready,
            log,
        })
    }

    pub fn status(&self) -> ClientStatus {
        lock(&self.status).clone()
    }

    /// The last lines of stderr / unparsed stdout.
    pub fn log_tail(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join("\n")
    }

    /// Waits until the client holds the document.
    pub async fn wait_ready(&mut self, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            if *self.ready.lock().unwrap_or_else(PoisonError::into_inner) {
                return Ok(());
            }
            if let Ok(Some(exit)) = self.child.try_wait() {
                bail!(
                    "JS client {} exited ({exit}) before it found the document:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "JS client {} did not find the document within {within:?}:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn command(&mut self, line: &str) -> Result<()> {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await?;
        self.stdin.flush().await?;
        Ok(())
    }

    pub async fn set_editing(&mut self, on: bool) -> Result<()> {
        self.command(if on { "start" } else { "stop" }).await
    }

    /// After a stop: waits until the reported edit count is final (two reports agree).
    pub async fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut before = self.status().edits;
        loop {
            tokio::time::sleep(Duration::from_millis(450)).await;
            let now = self.status().edits;
            if now == before || Instant::now() > deadline {
                return;
            }
            before = now;
        }
    }

    /// Asks the client to leave, then makes sure the process is gone.
    pub async fn stop(mut self) {
        let _ = self.command("quit").await;
        if tokio::time::timeout(Duration::from_secs(3), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// Reads the client's stdout to its end: each JSON report updates `status` (and `ready`), any
/// other line goes to the log.
async fn read_reports(
    stdout: tokio::process::ChildStdout,
    status: Arc<Mutex<ClientStatus>>,
    ready: Arc<Mutex<bool>>,
    log: Arc<Mutex<Vec<String>>>,
) {
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(v) => {
                if apply_report(&mut lock(&status), &v) {
                    *ready.lock().unwrap_or_else(PoisonError::into_inner) = true;
                }
            }
            Err(_) => keep(&log, line),
        }
    }
}

/// Copies one report of the script into `status`; whether it says the client holds the
/// document.
fn apply_report(s: &mut ClientStatus, v: &serde_json::Value) -> bool {
    if let Some(heads) = v["heads"].as_array() {
        let mut h: Vec<String> = heads
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect();
        h.sort();
        s.heads = h;
    }
    let num = |k: &str| v[k].as_u64().unwrap_or(0);
    s.edits = num("edits");
    s.handshakes = num("handshakes");
    s.disconnects = num("disconnects");
    s.errors = num("errors");
    s.connected = v["connected"].as_bool().unwrap_or(false);
    s.last_error = v["lastError"].as_str().map(str::to_owned);
    v["ready"].as_bool() == Some(true)
}

fn keep(log: &Mutex<Vec<String>>, line: String) {
    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
    log.push(line);
    let excess = log.len().saturating_sub(60);
    log.drain(..excess);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_updates_the_status() {
        let mut s = ClientStatus {
            heads: vec!["old".into()],
            ..ClientStatus::default()
        };
        let v = serde_json::json!({"heads": ["bb", "aa"], "edits": 7, "handshakes": 2,
            "disconnects": 1, "errors": 3, "connected": true, "lastError": "boom"});
        assert!(!apply_report(&mut s, &v));
        assert_eq!(s.heads, ["aa", "bb"]);
        assert_eq!(
            (s.edits, s.handshakes, s.disconnects, s.errors),
            (7, 2, 1, 3)
        );
        assert!(s.connected);
        assert_eq!(s.last_error.as_deref(), Some("boom"));
        // Missing fields read as zero / false / none; missing heads keep the last ones.
        assert!(apply_report(&mut s, &serde_json::json!({"ready": true})));
        assert_eq!(s.heads, ["aa", "bb"]);
        assert_eq!(
            (s.edits, s.connected, s.last_error.clone()),
            (0, false, None)
        );
    }

    #[test]
    fn the_log_keeps_the_last_sixty_lines() {
        let log = Mutex::new(Vec::new());
        for i in 0..100 {
            keep(&log, i.to_string());
        }
        let log = log.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(log.len(), 60);
        assert_eq!(log.first().map(String::as_str), Some("40"));
    }
}
