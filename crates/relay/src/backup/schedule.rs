//! Scheduled backups: `caucus serve --backup-dir DIR --backup-every 1h` writes
//! `caucus-YYYYMMDDTHHMMSS.mmmZ.backup` files (complete or not at all, mode 0600; `.backup.age`
//! when encrypted to `--backup-recipient`s) and prunes old ones ([`select_expired`]: the newest
//! of each of the last N hours and M days are kept).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::error::BackupError;
use super::format::BackupSummary;
use super::record::record;
use super::seal::Recipients;
use super::write::write_backup_file;
use crate::metrics::Metrics;
use crate::private_files;
use crate::storage::{Storage, StorageError};

/// File name prefix and suffix of scheduled (and downloaded) backups.
const PREFIX: &str = "caucus-";
const SUFFIX: &str = ".backup";
/// Appended to the name of an encrypted backup (age's usual extension).
const AGE_SUFFIX: &str = ".age";

/// The file name a backup taken at `t` gets (`.backup.age` when it is encrypted).
pub(crate) fn file_name(t: SystemTime, encrypted: bool) -> String {
    let age = if encrypted { AGE_SUFFIX } else { "" };
    format!("{PREFIX}{}{SUFFIX}{age}", stamp(t))
}

/// `YYYYMMDDTHHMMSS.mmmZ` (UTC): sorts like time.
fn stamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t)
        .to_string()
        .replace(['-', ':'], "")
}

/// The stamp in a scheduled backup's file name, if `name` is one.
fn stamp_of(name: &str) -> Option<&str> {
    let name = name.strip_suffix(AGE_SUFFIX).unwrap_or(name);
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    (stamp.len() == 20 && stamp.as_bytes()[8] == b'T').then_some(stamp)
}

/// Which scheduled backups to delete: every file that is not the newest of one of the
/// `keep_hourly` most recent hours or of the `keep_daily` most recent days (the newest file is
/// always kept). Names that are not scheduled backups are never selected.
pub fn select_expired(names: &[String], keep_hourly: usize, keep_daily: usize) -> Vec<String> {
    let mut backups: Vec<(&str, &String)> = names
        .iter()
        .filter_map(|n| stamp_of(n).map(|s| (s, n)))
        .collect();
    backups.sort_by(|a, b| b.0.cmp(a.0));
    let mut hours: Vec<&str> = Vec::new();
    let mut days: Vec<&str> = Vec::new();
    let mut expired = Vec::new();
    for (i, (stamp, name)) in backups.iter().enumerate() {
        let (hour, day) = (&stamp[..11], &stamp[..8]);
        let mut keep = i == 0;
        if !hours.contains(&hour) && hours.len() < keep_hourly {
            hours.push(hour);
            keep = true;
        }
        if !days.contains(&day) && days.len() < keep_daily {
            days.push(day);
            keep = true;
        }
        if !keep {
            expired.push((*name).clone());
        }
    }
    expired
}

/// Where scheduled backups go and how many are kept.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep_hourly: usize,
    pub keep_daily: usize,
    /// Backups are encrypted to these (in clear when empty).
    pub recipients: Recipients,
}

/// Runs scheduled backups until aborted: one every `schedule.every` (the first one interval
/// after start).
pub(crate) fn spawn_scheduler(
    storage: Storage,
    metrics: Metrics,
    schedule: Schedule,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = schedule.every.max(Duration::from_millis(100));
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tracing::info!(dir = %schedule.dir.display(), every = %humantime::format_duration(every), "scheduled backups on");
        loop {
            tick.tick().await;
            match run_scheduled(&storage, &schedule).await {
                Ok((path, summary)) => {
                    metrics.backup_done(summary.header.created_unix_ms / 1000);
                    if let Err(err) = record(
                        &storage,
                        "scheduled",
                        Some(&path),
                        &summary,
                        !schedule.recipients.is_empty(),
                    )
                    .await
                    {
                        tracing::warn!(%err, "backup written but not recorded in storage");
                    }
                }
                Err(err) => {
                    metrics.backup_failed();
                    tracing::error!(%err, dir = %schedule.dir.display(), "scheduled backup failed");
                }
            }
        }
    })
}

async fn run_scheduled(
    storage: &Storage,
    schedule: &Schedule,
) -> Result<(PathBuf, BackupSummary), BackupError> {
    let storage = storage.clone();
    let schedule = schedule.clone();
    tokio::task::spawn_blocking(move || {
        private_files::create_dir_all(&schedule.dir)?;
        let encrypted = !schedule.recipients.is_empty();
        let path = schedule.dir.join(file_name(SystemTime::now(), encrypted));
        let started = std::time::Instant::now();
        let summary = write_backup_file(&storage, &path, &schedule.recipients)?;
        tracing::info!(
            file = %path.display(),
            documents = summary.documents,
            tokens = summary.tokens,
            bytes = summary.bytes,
            encrypted,
            millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "backup written"
        );
        let names: Vec<String> = std::fs::read_dir(&schedule.dir)?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        for name in select_expired(&names, schedule.keep_hourly, schedule.keep_daily) {
            match std::fs::remove_file(schedule.dir.join(&name)) {
                Ok(()) => tracing::info!(file = %name, "old backup removed"),
                Err(err) => tracing::warn!(file = %name, %err, "could not remove an old backup"),
            }
        }
        Ok((path, summary))
    })
    .await
    .map_err(|e| BackupError::Storage(StorageError::Join(e.to_string())))?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::time::UNIX_EPOCH;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter()
            .map(|s| format!("{PREFIX}{s}{SUFFIX}"))
            .collect()
    }

    #[test]
    fn retention_keeps_the_newest_per_hour_and_per_day() {
        let all = names(&[
            "20260102T100000.000Z", // newest: kept
            "20260102T093000.000Z", // newest of 09h: kept (hourly)
            "20260102T090000.000Z", // older in 09h: expired
            "20260101T230000.000Z", // newest of 23h and of 01-01: kept
            "20260101T120000.000Z", // beyond 3 hours, same day as above: expired
            "20251231T080000.000Z", // newest of 12-31: kept (daily)
            "20251230T080000.000Z", // beyond 3 days: expired
        ]);
        let mut with_other = all.clone();
        with_other.push("notes.txt".into());
        with_other.push(".caucus-20260102T110000.000Z.backup.tmp".into());
        let expired = select_expired(&with_other, 3, 3);
        assert_eq!(
            expired,
            names(&[
                "20260102T090000.000Z",
                "20260101T120000.000Z",
                "20251230T080000.000Z"
            ])
        );
        assert_eq!(
            select_expired(&all, 0, 0).len(),
            all.len() - 1,
            "newest kept"
        );
    }

    #[test]
    fn stamps_sort_like_time_and_are_recognised() {
        let a = stamp(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        let b = stamp(UNIX_EPOCH + Duration::from_secs(1_700_003_600));
        assert_eq!(a, "20231114T221320.000Z");
        assert!(a < b);
        assert_eq!(stamp_of(&format!("{PREFIX}{a}{SUFFIX}")), Some(a.as_str()));
        assert_eq!(stamp_of("caucus-x.backup"), None);
        assert_eq!(
            stamp_of(&file_name(
                UNIX_EPOCH + Duration::from_secs(1_700_000_000),
                true
            )),
            Some(a.as_str()),
            "encrypted backups are pruned like the others"
        );
    }
}
