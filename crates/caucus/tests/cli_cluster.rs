//! Cluster mode's security settings on the real binary: no cluster secret, no start; NATS
//! user/password auth against a real `nats-server` that requires it, with the password never
//! in the logs (even with async-nats at trace, which logs its CONNECT message: async-nats
//! redacts the password there, and the relay takes URL credentials out of server addresses).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const SECRET: &str = "cli-test-cluster-secret-0123456789abcdef";
const PASSWORD: &str = "nats-pw-Zq81xKcw0d";

/// Waits for the child to exit (at most 30 s: a relay that starts anyway is a failure).
fn exit_text(mut child: Child) -> (bool, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (status.success(), text(&out));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "caucus serve started without a usable cluster secret: {}",
                text(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn cluster_serve(data: &std::path::Path, nats: &str) -> Command {
    let mut cmd = caucus();
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--cluster",
        nats,
        "--data",
    ])
    .arg(data)
    .env("CAUCUS_ADMIN_TOKEN", ADMIN)
    .env_remove("CAUCUS_CLUSTER_SECRET")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd
}

#[test]
fn cluster_mode_refuses_to_start_without_a_cluster_secret() {
    let dir = tempfile::tempdir().unwrap();
    let child = cluster_serve(dir.path(), "nats://127.0.0.1:1")
        .spawn()
        .unwrap();
    let (ok, out) = exit_text(child);
    assert!(!ok, "{out}");
    assert!(out.contains("cluster mode needs a cluster secret"), "{out}");
    // Too short is refused as clearly.
    let child = cluster_serve(dir.path(), "nats://127.0.0.1:1")
        .env("CAUCUS_CLUSTER_SECRET", "short")
        .spawn()
        .unwrap();
    let (ok, out) = exit_text(child);
    assert!(!ok, "{out}");
    assert!(out.contains("32"), "{out}");
}

/// A process killed and reaped on drop, and a directory kept until then.
struct Nats(Child, #[allow(dead_code)] tempfile::TempDir);

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A nats-server with JetStream that requires user `relay` with [`PASSWORD`].
fn nats_with_password() -> (Nats, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nats.conf");
    std::fs::write(
        &conf,
        format!(
            "listen: 127.0.0.1:{port}\njetstream {{ store_dir: \"{}\" }}\n\
             authorization {{ user: relay, password: \"{PASSWORD}\" }}\n",
            dir.path().join("js").display()
        ),
    )
    .unwrap();
    let child = Command::new("nats-server")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server (Debian's nats-server package)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (Nats(child, dir), format!("nats://127.0.0.1:{port}"))
}

/// Runs a relay until its log (a file) holds `line`; returns the log.
fn relay_log_until(mut cmd: Command, log: &std::path::Path, line: &str) -> String {
    let child = cmd
        .env("RUST_LOG", "debug,async_nats=trace")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    // Killed and reaped when this returns or panics.
    let _relay = Nats(child, tempfile::tempdir().unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(line) || Instant::now() > deadline {
            assert!(text.contains(line), "no {line:?} in the log:\n{text}");
            return text;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_relay_authenticates_to_nats_with_user_and_password_and_never_logs_it() {
    let (_nats, url) = nats_with_password();
    let dir = tempfile::tempdir().unwrap();
    let pw_file = dir.path().join("nats-password");
    std::fs::write(&pw_file, format!("{PASSWORD}\n")).unwrap();

    // The right credentials: connected.
    let mut cmd = cluster_serve(&dir.path().join("a"), &url);
    cmd.env("CAUCUS_CLUSTER_SECRET", SECRET)
        .args(["--cluster-user", "relay", "--cluster-password-file"])
        .arg(&pw_file);
    let log = relay_log_until(cmd, &dir.path().join("a.log"), "cluster: connected to NATS");
    assert!(!log.contains(PASSWORD), "the NATS password is in the log");

    // The password in the URL works too, and leaves neither URL nor logs.
    let with_pw = url.replace("nats://", &format!("nats://relay:{PASSWORD}@"));
    let mut cmd = cluster_serve(&dir.path().join("b"), &with_pw);
    cmd.env("CAUCUS_CLUSTER_SECRET", SECRET);
    let log = relay_log_until(cmd, &dir.path().join("b.log"), "cluster: connected to NATS");
    assert!(!log.contains(PASSWORD), "the NATS password is in the log");

    // No credentials: the relay says NATS refused it.
    let mut cmd = cluster_serve(&dir.path().join("c"), &url);
    cmd.env("CAUCUS_CLUSTER_SECRET", SECRET);
    relay_log_until(
        cmd,
        &dir.path().join("c.log"),
        "NATS refused this relay's credentials",
    );
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
}

/// A private CA and a server certificate for 127.0.0.1, made with openssl.
fn private_ca(dir: &std::path::Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=caucus test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
}

#[test]
fn a_relay_reaches_nats_over_tls_trusting_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    private_ca(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = dir.path().join("nats.conf");
    let p = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(
        &conf,
        format!(
            "listen: 127.0.0.1:{port}\njetstream {{ store_dir: \"{}\" }}\n\
             tls {{ cert_file: \"{}\", key_file: \"{}\" }}\n",
            p("js"),
            p("server.pem"),
            p("server.key")
        ),
    )
    .unwrap();
    let child = Command::new("nats-server")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server");
    let _nats = Nats(child, tempfile::tempdir().unwrap());
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("tls://127.0.0.1:{port}");
    let mut cmd = cluster_serve(&dir.path().join("a"), &url);
    cmd.env("CAUCUS_CLUSTER_SECRET", SECRET)
        .arg("--cluster-tls-ca")
        .arg(dir.path().join("ca.pem"));
    relay_log_until(cmd, &dir.path().join("a.log"), "cluster: connected to NATS");

    // A CA file that is not one is a clear startup error, not a reconnect loop.
    let child = cluster_serve(&dir.path().join("b"), &url)
        .env("CAUCUS_CLUSTER_SECRET", SECRET)
        .arg("--cluster-tls-ca")
        .arg(dir.path().join("san.ext"))
        .spawn()
        .unwrap();
    let (ok, out) = exit_text(child);
    assert!(
        !ok && out.contains("cluster TLS") && out.contains("CERTIFICATE"),
        "{out}"
    );
}
