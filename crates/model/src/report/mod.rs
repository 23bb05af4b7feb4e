//! Reports for the coalition's mailing list ("Reports" in docs/reports-history-changes.md):
//! the weekly Markdown report, the country × item matrix as CSV, and the `reports` log of
//! reports marked as sent.
//!
//! Everything is deterministic: the same document bytes and the same options give the same
//! output bytes (no clock, no locale, no hash-map order).

mod csv;
mod markdown;
mod names;
mod text;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::access::{child_map, map_keys, read_string_list, read_string_or_empty};
use crate::edit::{check_member, ensure_map};
use crate::schema;
use crate::{Date, ModelError, Timestamp};

pub use csv::{matrix_csv, matrix_csv_in};
pub use markdown::{weekly_report, weekly_report_in};

/// What a weekly report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportOptions {
    /// The report date: the report shows the analysis as of the end of that day (UTC).
    pub date: Date,
    /// Where "Changes since …" starts.
    pub since: Since,
}

/// The start of a report's "Changes since …" section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Since {
    /// Changes made on or after this day, i.e. compared with the state at its start.
    Date(Date),
    /// Changes after the newest report in the document's `reports` log dated before the
    /// report date, i.e. since the day after it; without one, the 7 days before the report
    /// date (`date − 7`).
    LastReport,
}

/// Where a report's changes start, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SinceResolved {
    /// Changes on or after the start of this day are listed.
    pub(crate) from: Date,
    /// The report this follows, for [`Since::LastReport`] when there is one.
    pub(crate) last_report: Option<ReportRecord>,
    /// `Since::LastReport` without any earlier report.
    pub(crate) default_week: bool,
}

impl ReportOptions {
    pub(crate) fn resolve_since(&self, doc: &impl ReadDoc) -> Result<SinceResolved, ModelError> {
        Ok(match self.since {
            Since::Date(from) => SinceResolved {
                from,
                last_report: None,
                default_week: false,
            },
            Since::LastReport => match last_report_before(doc, &self.date)? {
                Some(report) => SinceResolved {
                    from: report.date.add_days(1),
                    last_report: Some(report),
                    default_week: false,
                },
                None => SinceResolved {
                    from: self.date.add_days(-7),
                    last_report: None,
                    default_week: true,
                },
            },
        })
    }
}

/// An entry of the `reports` log: a report marked as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRecord {
    /// The report date (the key in `reports`).
    pub date: Date,
    /// Member id of who marked it as sent.
    pub by: String,
    /// RFC 3339 time it was marked as sent.
    pub at: String,
    /// The sender's heads then, hex change hashes.
    pub heads: Vec<String>,
}

/// Every entry of the `reports` log, oldest date first. Keys that are not dates and entries
/// that are not maps are skipped; a document without `reports` has none.
pub fn read_reports(doc: &impl ReadDoc) -> Result<Vec<ReportRecord>, ModelError> {
    let mut records = Vec::new();
    let Some(reports) = child_map(doc, &ROOT, schema::root::REPORTS)? else {
        return Ok(records);
    };
    for key in map_keys(doc, &reports) {
        let Ok(date) = Date::parse(&key) else {
            continue;
        };
        let Some(entry) = child_map(doc, &reports, &key)? else {
            continue;
        };
        records.push(ReportRecord {
            date,
            by: read_string_or_empty(doc, &entry, schema::report::BY)?,
            at: read_string_or_empty(doc, &entry, schema::report::AT)?,
            heads: read_string_list(doc, &entry, schema::report::HEADS)?,
        });
    }
    records.sort_by_key(|record| record.date);
    Ok(records)
}

/// The newest entry of the `reports` log dated strictly before `date`.
pub fn last_report_before(
    doc: &impl ReadDoc,
    date: &Date,
) -> Result<Option<ReportRecord>, ModelError> {
    Ok(read_reports(doc)?
        .into_iter()
        .rev()
        .find(|record| record.date < *date))
}

/// Records that the report for `date` was sent by member `by` at `at`:
/// `reports[date] = {by, at, heads}` with the document's current heads.
///
/// Creates the `reports` map only when it is missing and never replaces an entry (a second
/// record for the same date is [`ModelError::AlreadyExists`]). Like every edit it stages
/// operations without committing; because it reads the heads, it must be the first edit of
/// its change ([`ModelError::PendingEdits`] otherwise).
pub fn record_report(
    doc: &mut AutoCommit,
    date: &Date,
    by: &str,
    at: &Timestamp,
) -> Result<(), ModelError> {
    if doc.pending_ops() > 0 {
        return Err(ModelError::PendingEdits("record_report"));
    }
    check_member(doc, by)?;
    let key = date.to_string();
    if let Some(reports) = child_map(doc, &ROOT, schema::root::REPORTS)?
        && doc.get(&reports, key.as_str())?.is_some()
    {
        return Err(ModelError::AlreadyExists {
            kind: "report",
            id: key,
        });
    }
    let heads = doc.get_heads();
    let reports = ensure_map(doc, &ROOT, schema::root::REPORTS, &[])?;
    let entry = doc.put_object(&reports, key.as_str(), ObjType::Map)?;
    doc.put(&entry, schema::report::BY, by)?;
    doc.put(&entry, schema::report::AT, at.as_str())?;
    let list = doc.put_object(&entry, schema::report::HEADS, ObjType::List)?;
    for (index, head) in heads.iter().enumerate() {
        doc.insert(&list, index, head.to_string())?;
    }
    Ok(())
}
