//! Scenario: conference documents (caucus only): upload and download throughput over HTTP
//! for a 5 MiB and a 50 MiB file (the default cap), a range read from the middle of the big one
//! (what a PDF viewer asks for), the relay's CPU per MiB and its peak RSS while it happens.
//!
//! Uploads hold the whole file in memory until it is committed (`--max-concurrent-uploads`
//! bounds how many at once): the peak RSS shows that cost.

use std::io::Read;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use caucus_relay::DocumentId;

use crate::client::Replica;
use crate::procstat;
use crate::relay::{ADMIN_TOKEN, Paths, RelayKind};
use crate::report::{Outcome, Unit};

const MIB: usize = 1024 * 1024;

pub(crate) async fn run(paths: &Paths, dir: &std::path::Path) -> Outcome {
    super::on_fresh_relay(RelayKind::Caucus, paths, dir, async |relay, out| {
        let id = DocumentId::random();
        Replica::new(id.clone(), automerge::Automerge::new())
            .push_all(
                &relay.url(),
                "bench-files",
                std::time::Duration::from_secs(60),
            )
            .await?;
        let base = format!(
            "http://{}",
            relay
                .url()
                .trim_start_matches("ws://")
                .split('/')
                .next()
                .unwrap_or_default()
        );
        let pid = relay.pid();
        let peak = procstat::PeakRss::start(pid);
        let measured = tokio::task::spawn_blocking(move || -> Result<Outcome> {
            let mut out = Outcome::default();
            for (label, size) in [("5 MiB", 5 * MIB), ("50 MiB", 50 * MIB)] {
                transfer(&base, &pid.to_string(), &id, label, size, &mut out)?;
            }
            Ok(out)
        })
        .await??;
        out.metrics.extend(measured.metrics);
        out.push(
            "relay peak RSS during transfers",
            peak.finish().await as f64 / 1024.0,
            Unit::MiB,
        );
        Ok(())
    })
    .await
}

/// Uploads `size` bytes three times (the second and third are the same bytes: stored once) and
/// downloads them three times, whole; then one 1 MiB range.
fn transfer(
    base: &str,
    pid: &str,
    id: &DocumentId,
    label: &str,
    size: usize,
    out: &mut Outcome,
) -> Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let body: Vec<u8> = (0..size)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let url = format!("{base}/api/docs/{id}/files");
    let before = procstat::sample(pid)?;
    let started = Instant::now();
    let mut hash = String::new();
    for _ in 0..3 {
        let mut response = agent
            .post(&url)
            .header("Authorization", format!("Bearer {ADMIN_TOKEN}"))
            .header("Content-Type", "application/pdf")
            .header("X-Filename", "bench.pdf")
            .send(&body[..])?;
        if response.status() != 201 {
            bail!("upload answered {}", response.status());
        }
        let stored: serde_json::Value = response.body_mut().read_json()?;
        hash = stored["hash"].as_str().context("hash")?.to_owned();
    }
    let up = started.elapsed().as_secs_f64();
    let after_up = procstat::sample(pid)?;
    let file_url = format!("{url}/{hash}");
    let started = Instant::now();
    for _ in 0..3 {
        let got = read_all(&agent, &file_url, None)?;
        if got != size {
            bail!("downloaded {got} of {size} bytes");
        }
    }
    let down = started.elapsed().as_secs_f64();
    let after_down = procstat::sample(pid)?;
    let started = Instant::now();
    let range = format!("bytes={}-{}", size / 2, size / 2 + MIB - 1);
    read_all(&agent, &file_url, Some(&range))?;
    let range_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mib = 3.0 * size as f64 / MIB as f64;
    out.push(format!("{label}: upload MiB/s"), mib / up, Unit::PerSec);
    out.push(format!("{label}: download MiB/s"), mib / down, Unit::PerSec);
    out.push(
        format!("{label}: 1 MiB range from the middle"),
        range_ms,
        Unit::Ms,
    );
    out.push(
        format!("{label}: relay CPU ms per MiB uploaded"),
        (after_up.cpu_s - before.cpu_s) * 1000.0 / mib,
        Unit::Ms,
    );
    out.push(
        format!("{label}: relay CPU ms per MiB downloaded"),
        (after_down.cpu_s - after_up.cpu_s) * 1000.0 / mib,
        Unit::Ms,
    );
    Ok(())
}

fn read_all(agent: &ureq::Agent, url: &str, range: Option<&str>) -> Result<usize> {
    let mut request = agent
        .get(url)
        .header("Authorization", format!("Bearer {ADMIN_TOKEN}"));
    if let Some(range) = range {
        request = request.header("Range", range);
    }
    let response = request.call()?;
    if !response.status().is_success() {
        bail!("download answered {}", response.status());
    }
    let mut reader = response
        .into_body()
        .into_with_config()
        .limit(u64::MAX)
        .reader();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}
