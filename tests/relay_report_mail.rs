//! "Send to mailing list" against a real SMTP server: aiosmtpd (`tests/smtp/server.py`, from
//! PyPI: `python3 -m pip install aiosmtpd==1.4.6`; `.ci/run` installs it) on a free loopback
//! port, and a real relay on 127.0.0.1:0.
//!
//! The mail arrives with the export's exact bytes and the right headers, and is listed with the
//! sender the relay knows; a viewer sends nothing; a server that refuses, drops the connection,
//! stays silent or lacks STARTTLS leaves the person told and nothing listed as sent; a double
//! click mails once; a sealed analysis is refused; the SMTP password is in no log line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use caucus_relay::mail::MailConfig;
use caucus_relay::{Config, DocumentId};
use caucus_tests::*;
use sha2::{Digest, Sha256};

const QUIET: Duration = Duration::from_millis(300);
const FROM: &str = "caucus reports <reports@coalition.example.org>";
const LIST: &str = "list@lists.example.org";
const DATE: &str = "2026-11-13";

// ---------------------------------------------------------------- captured logs

/// Every log line of this test binary, from TRACE up for the relay.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "caucus_relay=trace,lettre=trace,info",
            ))
            .with_ansi(false)
            .with_writer(move || Capture(writer.clone()))
            .try_init()
            .expect("the capturing subscriber is this binary's first");
        buffer
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).into_owned()
}

// ---------------------------------------------------------------- the SMTP server

/// `tests/smtp/server.py`, killed on drop; what it accepts lands in `out`.
struct SmtpServer {
    child: Child,
    port: u16,
    out: tempfile::TempDir,
}

impl SmtpServer {
    fn start(args: &[&str]) -> Result<Self> {
        let import = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .context("python3 is needed for the SMTP tests")?;
        assert!(
            import.success(),
            "aiosmtpd is not installed, and these tests need a real SMTP server: run \
             `python3 -m pip install aiosmtpd==1.4.6` (.ci/run installs it)"
        );
        let out = tempfile::tempdir()?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp/server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg("--out")
            .arg(out.path())
            .args(args)
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().context("stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(PATIENCE)
            .context("the SMTP server did not start")?;
        let port = line
            .strip_prefix("LISTENING ")
            .and_then(|p| p.trim().parse().ok())
            .with_context(|| format!("unexpected first line {line:?}"))?;
        Ok(SmtpServer { child, port, out })
    }

    /// The messages accepted so far: (raw bytes, envelope JSON), in order.
    fn received(&self) -> Vec<(Vec<u8>, serde_json::Value)> {
        (1..)
            .map_while(|n| {
                let eml = std::fs::read(self.out.path().join(format!("{n}.eml"))).ok()?;
                let meta = std::fs::read(self.out.path().join(format!("{n}.json"))).ok()?;
                Some((eml, serde_json::from_slice(&meta).ok()?))
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP server that accepts and then, per connection, `drop`s at once (`true`) or keeps the
/// socket open and says nothing (`false`).
async fn bad_server(drop_at_once: bool) -> Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            if !drop_at_once {
                held.push(socket);
            }
        }
    });
    Ok(port)
}

// ---------------------------------------------------------------- relay and requests

fn mail_config(url: &str) -> MailConfig {
    MailConfig::new(
        url,
        None,
        Some(FROM),
        &[format!("{LIST}, second@example.org")],
    )
    .unwrap()
}

/// A relay sending through `mail`, holding the scripted sample analysis under a fresh id.
async fn relay_with_sample(
    dir: &Path,
    mail: Option<MailConfig>,
) -> Result<(TestRelay, DocumentId)> {
    let mut config = Config::for_data_dir(dir);
    config.mail = mail;
    let relay = TestRelay::start_with(config).await?;
    let id = DocumentId::random();
    let sample = caucus_model::sample::scripted_analysis()?
        .document()
        .clone();
    let mut peer = Peer::connect(&relay.ws_url(), "loader").await?;
    let mut doc = PeerDoc::new(id.clone(), sample);
    peer.sync_until_quiet(&mut doc, QUIET).await?;
    Ok((relay, id))
}

async fn mint(relay: &TestRelay, role: &str, name: &str, id: &DocumentId) -> Result<String> {
    let body = serde_json::json!({"role": role, "name": name, "docs": [id.to_string()]});
    Ok(relay.mint(&body.to_string()).await?.1)
}

/// `POST /api/docs/{id}/report/send`: (status, JSON answer).
async fn send(relay: &TestRelay, token: &str, id: &DocumentId) -> Result<(u16, serde_json::Value)> {
    let body = serde_json::json!({"date": DATE, "since": "last"}).to_string();
    let path = format!("/api/docs/{id}/report/send");
    let (status, text) =
        http_request(relay.addr, "POST", &path, Some(&bearer(token)), Some(&body)).await?;
    Ok((status, serde_json::from_str(&text).unwrap_or_default()))
}

async fn get_json(relay: &TestRelay, token: &str, path: &str) -> Result<(u16, serde_json::Value)> {
    let (status, text) = http_get(relay.addr, path, Some(&bearer(token))).await?;
    Ok((status, serde_json::from_str(&text).unwrap_or_default()))
}

async fn sends(relay: &TestRelay, id: &DocumentId) -> Result<Vec<serde_json::Value>> {
    let (status, list) = get_json(relay, TOKEN, &format!("/api/docs/{id}/report/sends")).await?;
    assert_eq!(status, 200, "{list}");
    Ok(list.as_array().cloned().unwrap_or_default())
}

// ---------------------------------------------------------------- reading the mail

/// Header `name` of `head` (unfolded, RFC 2047 words decoded).
fn header(head: &str, name: &str) -> Option<String> {
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let line = unfolded
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))?;
    Some(decode_words(line[prefix.len()..].trim()))
}

/// `=?utf-8?b?…?=` words decoded; whitespace between two encoded words dropped (RFC 2047).
fn decode_words(text: &str) -> String {
    let mut out = Vec::new();
    let mut last_encoded = false;
    for (i, token) in text.split(' ').enumerate() {
        let lower = token.to_ascii_lowercase();
        let encoded = lower.starts_with("=?utf-8?b?") && lower.ends_with("?=");
        if i > 0 && !(encoded && last_encoded) {
            out.push(b' ');
        }
        if encoded {
            out.extend(B64.decode(&token[10..token.len() - 2]).unwrap());
        } else {
            out.extend(token.as_bytes());
        }
        last_encoded = encoded;
    }
    String::from_utf8(out).unwrap()
}

/// The top-level headers and each MIME part as (headers, decoded body).
fn parse_mail(raw: &[u8]) -> (String, Vec<(String, Vec<u8>)>) {
    let raw = std::str::from_utf8(raw).expect("a base64 mail is ASCII");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let content_type = header(head, "Content-Type").unwrap();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"');
    let parts = body
        .split(&format!("--{boundary}"))
        .skip(1)
        .filter(|p| !p.starts_with("--"))
        .map(|part| {
            let (part_head, part_body) = part
                .trim_start_matches("\r\n")
                .split_once("\r\n\r\n")
                .unwrap();
            assert_eq!(
                header(part_head, "Content-Transfer-Encoding").as_deref(),
                Some("base64")
            );
            let encoded: String = part_body.split_whitespace().collect();
            (part_head.to_owned(), B64.decode(encoded).unwrap())
        })
        .collect();
    (head.to_owned(), parts)
}

fn assert_secret_never_logged(secret: &str) {
    let logs = logged();
    assert!(!logs.contains(secret), "the SMTP password reached the log");
    let plain = B64.encode(format!("\0reports\0{secret}"));
    assert!(
        !logs.contains(&plain),
        "the AUTH PLAIN exchange reached the log"
    );
}

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_arrives_byte_for_byte_as_exported_and_is_listed_with_its_sender() -> Result<()>
{
    logs();
    let secret = "smtp-Pa55-only-in-the-url-7f3e";
    let smtp = SmtpServer::start(&["--user", "reports", "--password", secret])?;
    let url = format!("smtp://reports:{secret}@127.0.0.1:{}?tls=none", smtp.port);
    let config = mail_config(&url);
    assert!(
        !format!("{config:?}").contains(secret),
        "Debug shows the password"
    );
    let dir = tempfile::tempdir()?;
    let (relay, id) = relay_with_sample(dir.path(), Some(config)).await?;
    let ana = mint(&relay, "editor", "Ana (Article 19)", &id).await?;
    let maria = mint(&relay, "admin", "Maria", &id).await?;
    let viewer = mint(&relay, "viewer", "Observer", &id).await?;

    let (status, info) = get_json(&relay, &viewer, "/api/report/mail").await?;
    assert_eq!(status, 200);
    assert_eq!(info["configured"], true);
    assert_eq!(info["to"], serde_json::json!([LIST, "second@example.org"]));

    // A viewer may not send: nothing reaches the server.
    let (status, answer) = send(&relay, &viewer, &id).await?;
    assert_eq!(status, 403, "{answer}");
    assert!(smtp.received().is_empty());

    let started = Instant::now();
    let (status, answer) = send(&relay, &ana, &id).await?;
    assert_eq!(status, 200, "{answer}");
    eprintln!("send answered in {:?}", started.elapsed());
    assert_eq!(answer["by"], "Ana (Article 19)");
    assert_eq!(answer["recorded"], true);
    assert!(
        answer["reply"]
            .as_str()
            .unwrap()
            .starts_with("250 2.0.0 Ok: queued as TEST1")
    );

    let export_path = format!("/api/docs/{id}/export?format=md&date={DATE}&since=last");
    let export = http_exchange(relay.addr, "GET", &export_path, &[&bearer(&ana)], None).await?;
    assert_eq!(export.status, 200);
    let exported = export.body;

    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let (raw, envelope) = &received[0];
    assert_eq!(envelope["authUser"], "reports", "the password was used");
    assert_eq!(envelope["mailFrom"], "reports@coalition.example.org");
    assert_eq!(
        envelope["rcptTos"],
        serde_json::json!([LIST, "second@example.org"])
    );
    let (head, parts) = parse_mail(raw);
    assert_eq!(
        header(&head, "From").unwrap(),
        "\"caucus reports\" <reports@coalition.example.org>"
    );
    assert_eq!(
        header(&head, "To").unwrap(),
        format!("{LIST}, second@example.org")
    );
    let title =
        caucus_model::read_analysis(caucus_model::sample::scripted_analysis()?.document())?.title;
    let subject = header(&head, "Subject").unwrap();
    assert_eq!(subject, format!("{title} — weekly report {DATE}"));
    assert_eq!(parts.len(), 2);
    assert!(
        header(&parts[0].0, "Content-Type")
            .unwrap()
            .starts_with("text/plain; charset=utf-8")
    );
    assert!(
        header(&parts[1].0, "Content-Type")
            .unwrap()
            .starts_with("text/markdown; charset=utf-8")
    );
    assert!(
        header(&parts[1].0, "Content-Disposition")
            .unwrap()
            .contains(&format!("caucus-report-{DATE}.md"))
    );
    for (_, body) in &parts {
        assert!(
            body == &exported,
            "a part differs from GET export?format=md"
        );
    }
    assert!(exported.contains(&b'\n') && !exported.windows(2).any(|w| w == b"\r\n"));

    // Listed, with the sender the relay knows; readable by a viewer too.
    let (status, list) = get_json(&relay, &viewer, &format!("/api/docs/{id}/report/sends")).await?;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["by"], "Ana (Article 19)");
    assert_eq!(list[0]["date"], DATE);
    assert_eq!(list[0]["subject"], subject.as_str());
    assert_eq!(list[0]["sha256"], hex::encode(Sha256::digest(&exported)));
    assert_eq!(list[0]["outcome"], "sent");
    assert_eq!(
        list[0]["recipients"],
        serde_json::json!([LIST, "second@example.org"])
    );
    assert!(list[0]["sentAt"].as_str().unwrap().ends_with('Z'));

    // A second click (here by someone else) within the minute mails nothing more.
    let (status, answer) = send(&relay, &maria, &id).await?;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["reason"], "already-sent");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("Ana (Article 19)")
    );
    // And the same token at once is told to wait.
    let (status, answer) = send(&relay, &ana, &id).await?;
    assert_eq!(status, 429, "{answer}");
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(sends(&relay, &id).await?.len(), 1);

    let (_, metrics) = relay.metrics().await?;
    assert!(
        metrics.contains("caucus_report_sends_total{outcome=\"sent\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("caucus_report_sends_total{outcome=\"duplicate\"} 1"),
        "{metrics}"
    );
    relay.stop().await?;
    assert!(
        logged().contains("weekly report mailed to the list"),
        "logs are captured"
    );
    assert_secret_never_logged(secret);
    Ok(())
}

/// A relay whose token may send again at once (the tests of failures send several times).
fn eager(mut config: MailConfig) -> MailConfig {
    config.per_token_interval = Duration::ZERO;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_server_is_told_in_plain_words_and_nothing_is_listed() -> Result<()> {
    logs();
    let secret = "smtp-Pa55-refused-91ac";
    for (flag, reply) in [
        (
            "--refuse-rcpt",
            "550 5.1.1 <list@lists.example.org>: no such list here",
        ),
        (
            "--refuse-data",
            "554 5.7.1 Message rejected: looks like spam",
        ),
    ] {
        let smtp = SmtpServer::start(&["--user", "reports", "--password", secret, flag, reply])?;
        let url = format!("smtp://reports:{secret}@127.0.0.1:{}?tls=none", smtp.port);
        let dir = tempfile::tempdir()?;
        let (relay, id) = relay_with_sample(dir.path(), Some(eager(mail_config(&url)))).await?;
        let ana = mint(&relay, "editor", "Ana", &id).await?;
        let (status, answer) = send(&relay, &ana, &id).await?;
        assert_eq!(status, 502, "{answer}");
        assert_eq!(answer["reason"], "refused");
        let error = answer["error"].as_str().unwrap();
        assert!(error.starts_with("The mail server refused: 5"), "{error}");
        assert!(error.contains(&reply[4..]), "{error}");
        assert!(smtp.received().is_empty());
        assert!(
            sends(&relay, &id).await?.is_empty(),
            "nothing is listed as sent"
        );
        // Not a duplicate: the person may try again (and is refused again).
        let (status, _) = send(&relay, &ana, &id).await?;
        assert_eq!(status, 502);
        let (_, metrics) = relay.metrics().await?;
        assert!(
            metrics.contains("caucus_report_sends_total{outcome=\"refused\"} 2"),
            "{metrics}"
        );
        assert!(
            metrics.contains("caucus_report_sends_total{outcome=\"sent\"} 0"),
            "{metrics}"
        );
        relay.stop().await?;
    }
    assert!(logged().contains("the weekly report was not mailed"));
    assert_secret_never_logged(secret);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_or_silent_connection_is_told_and_nothing_is_listed() -> Result<()> {
    logs();
    let secret = "smtp-Pa55-dropped-5d20";
    let dropping = bad_server(true).await?;
    let silent = bad_server(false).await?;
    let dir = tempfile::tempdir()?;
    let url = format!("smtp://reports:{secret}@127.0.0.1:{dropping}?tls=none");
    let (relay, id) = relay_with_sample(dir.path(), Some(eager(mail_config(&url)))).await?;
    let ana = mint(&relay, "editor", "Ana", &id).await?;
    let (status, answer) = send(&relay, &ana, &id).await?;
    assert_eq!(status, 502, "{answer}");
    assert_eq!(answer["reason"], "unreachable");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.starts_with("Could not reach the mail server, or it dropped the connection"),
        "{error}"
    );
    assert!(sends(&relay, &id).await?.is_empty());
    relay.stop().await?;

    // A server that takes the connection and never answers costs the request the timeout.
    let dir = tempfile::tempdir()?;
    let url = format!("smtp://reports:{secret}@127.0.0.1:{silent}?tls=none");
    let mut config = eager(mail_config(&url));
    config.timeout = Duration::from_secs(2);
    let (relay, id) = relay_with_sample(dir.path(), Some(config)).await?;
    let ana = mint(&relay, "editor", "Ana", &id).await?;
    // Rendering the report comes first and takes its own time (a debug build): measure it.
    let started = Instant::now();
    let export_path = format!("/api/docs/{id}/export?format=md&date={DATE}&since=last");
    let export = http_exchange(relay.addr, "GET", &export_path, &[&bearer(&ana)], None).await?;
    assert_eq!(export.status, 200);
    let rendering = started.elapsed();
    let started = Instant::now();
    let (status, answer) = send(&relay, &ana, &id).await?;
    let took = started.elapsed().saturating_sub(rendering);
    assert_eq!(status, 504, "{answer}");
    assert_eq!(answer["reason"], "timeout");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .starts_with("The mail server did not answer in time")
    );
    assert!(
        took < Duration::from_secs(4),
        "{took:?} besides {rendering:?} rendering"
    );
    eprintln!("a silent server was given up after {took:?} (besides {rendering:?} rendering)");
    assert!(sends(&relay, &id).await?.is_empty());
    relay.stop().await?;
    assert_secret_never_logged(secret);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_tls_none_starttls_is_required_and_the_password_stays_home() -> Result<()> {
    logs();
    let secret = "smtp-Pa55-starttls-0b9d";
    // aiosmtpd here offers no STARTTLS: `smtp://` (STARTTLS required) must not go on in clear.
    let smtp = SmtpServer::start(&["--user", "reports", "--password", secret])?;
    let url = format!("smtp://reports:{secret}@127.0.0.1:{}", smtp.port);
    let dir = tempfile::tempdir()?;
    let (relay, id) = relay_with_sample(dir.path(), Some(mail_config(&url))).await?;
    let ana = mint(&relay, "editor", "Ana", &id).await?;
    let (status, answer) = send(&relay, &ana, &id).await?;
    assert_eq!(status, 502, "{answer}");
    assert_eq!(answer["reason"], "tls");
    assert!(
        answer["error"].as_str().unwrap().contains("STARTTLS"),
        "{answer}"
    );
    assert!(smtp.received().is_empty());
    assert!(sends(&relay, &id).await?.is_empty());
    relay.stop().await?;
    assert_secret_never_logged(secret);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_analyses_and_relays_without_mail_send_nothing() -> Result<()> {
    use caucus_sealed::envelope::EnvelopeHeader;
    use caucus_sealed::{DeviceSecret, Envelope, EnvelopeKind, keyring};
    logs();
    let smtp = SmtpServer::start(&[])?;
    let url = format!("smtp://127.0.0.1:{}?tls=none", smtp.port);
    let dir = tempfile::tempdir()?;
    let (relay, plain) = relay_with_sample(dir.path(), Some(mail_config(&url))).await?;

    let ana = DeviceSecret::from_bytes([1; 32]).keys();
    let recovery = DeviceSecret::from_bytes([2; 32]).keys();
    let (genesis, key) = keyring::create(&ana, recovery.id(), 1)?;
    let doc = genesis.op.doc;
    let header = EnvelopeHeader {
        kind: EnvelopeKind::Snapshot,
        doc,
        epoch: 0,
        number: 0,
    };
    let snapshot = Envelope::seal(header, &ana, &key.content_key(&doc), b"secret plaintext")?;
    let create = serde_json::json!({
        "op": B64.encode(genesis.as_bytes()),
        "snapshot": B64.encode(snapshot.as_bytes()),
    });
    let (status, text) = http_request(
        relay.addr,
        "POST",
        "/api/sealed",
        Some(&bearer(TOKEN)),
        Some(&create.to_string()),
    )
    .await?;
    assert_eq!(status, 201, "{text}");
    let sealed: DocumentId = doc.to_string().parse()?;
    let (status, answer) = send(&relay, TOKEN, &sealed).await?;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["reason"], "sealed");
    assert!(
        answer["error"].as_str().unwrap().contains("cannot read it"),
        "{answer}"
    );
    assert!(smtp.received().is_empty());
    // A token limited to another analysis learns nothing of this one.
    let other = mint(&relay, "editor", "Other", &DocumentId::random()).await?;
    let (status, _) = send(&relay, &other, &plain).await?;
    assert_eq!(status, 404);
    relay.stop().await?;

    let dir = tempfile::tempdir()?;
    let (relay, id) = relay_with_sample(dir.path(), None).await?;
    let (status, info) = get_json(&relay, TOKEN, "/api/report/mail").await?;
    assert_eq!(
        (status, info),
        (200, serde_json::json!({"configured": false}))
    );
    let (status, answer) = send(&relay, TOKEN, &id).await?;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["reason"], "not-configured");
    relay.stop().await?;
    Ok(())
}

/// The test's own reader of encoded headers reads them as mail clients do.
#[test]
fn encoded_words_are_decoded() {
    assert_eq!(decode_words("A =?utf-8?b?4oCU?= B"), "A — B");
    assert_eq!(decode_words("=?utf-8?b?w4k=?= =?utf-8?b?w4k=?="), "ÉÉ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_are_refused_before_anything_is_mailed() -> Result<()> {
    logs();
    let smtp = SmtpServer::start(&[])?;
    let url = format!("smtp://127.0.0.1:{}?tls=none", smtp.port);
    let dir = tempfile::tempdir()?;
    let (relay, id) = relay_with_sample(dir.path(), Some(eager(mail_config(&url)))).await?;
    let path = format!("/api/docs/{id}/report/send");
    for body in [
        "{\"date\": \"13 November\"}".to_owned(),
        "{\"since\": \"last\"}".to_owned(),
        "{\"date\": \"2026-11-13\", \"to\": \"someone@else.org\"}".to_owned(),
        format!(
            "{{\"date\": \"2026-11-13\", \"since\": \"{}\"}}",
            "x".repeat(8 * 1024)
        ),
    ] {
        let (status, text) =
            http_request(relay.addr, "POST", &path, Some(&bearer(TOKEN)), Some(&body)).await?;
        assert!(status == 400 || status == 413, "{status} {text}");
    }
    assert!(smtp.received().is_empty());
    relay.stop().await?;
    Ok(())
}
