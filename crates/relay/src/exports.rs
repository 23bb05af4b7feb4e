//! What the document API and the CLI share: checking an export request, rendering it, change
//! file ranges and history queries (a field's through a field index). Pure functions over a
//! loaded document; the HTTP handlers (`http/documents.rs`) and `caucus export|history|changes`
//! (on a server or a stopped data directory) both run them, so their output is byte-identical.

use std::str::FromStr;

use automerge::{Automerge, ChangeHash};
use caucus_model::changefile::{self, ChangeFileError};
use caucus_model::history::{self, HistoryQuery};
use caucus_model::i18n::{self, Catalog};
use caucus_model::report::{self, ReportOptions, Since};
use caucus_model::{Date, FieldIndex};

use crate::document_id::DocumentId;

/// Today in UTC: the default report date.
pub fn today_utc() -> Option<Date> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(Date::from_unix(i64::try_from(now.as_secs()).ok()?))
}

/// What an export asks for, checked.
#[derive(Debug, Clone)]
pub enum ExportRequest {
    /// The weekly Markdown report, in a language of i18n/ (`en`, `fr`, …).
    Markdown(ReportOptions, &'static str),
    /// The countries × items matrix, its header in a language of i18n/.
    Csv(&'static str),
    /// The typed view, now or as of the end of a day.
    Json { at: Option<Date> },
}

impl ExportRequest {
    /// Checks the parameters the CLI and the HTTP API share. `today` is the default report date.
    pub fn parse(
        format: Option<&str>,
        date: Option<&str>,
        since: Option<&str>,
        at: Option<&str>,
        today: Option<Date>,
    ) -> Result<Self, String> {
        let date_of =
            |what: &str, text: &str| Date::parse(text).map_err(|e| format!("{what}: {e}"));
        match format.unwrap_or("md") {
            "md" | "markdown" => {
                if at.is_some() {
                    return Err("`at` applies to json; a report is as of its `date`".into());
                }
                let date = match date {
                    Some(d) => date_of("date", d)?,
                    None => today.ok_or("no report date given and the clock is unreadable")?,
                };
                let since = match since {
                    None | Some("last") => Since::LastReport,
                    Some(d) => Since::Date(date_of("since", d)?),
                };
                Ok(ExportRequest::Markdown(
                    ReportOptions { date, since },
                    i18n::DEFAULT_LANGUAGE,
                ))
            }
            "csv" | "json" if date.is_some() || since.is_some() => {
                Err("`date` and `since` apply to the md report".into())
            }
            "csv" if at.is_some() => Err("`at` applies to json".into()),
            "csv" => Ok(ExportRequest::Csv(i18n::DEFAULT_LANGUAGE)),
            "json" => Ok(ExportRequest::Json {
                at: at.map(|a| date_of("at", a)).transpose()?,
            }),
            other => Err(format!("unknown format {other:?}: use md, csv or json")),
        }
    }

    /// The same export in `lang` (`fr`, …; `None` keeps English): the report and the CSV
    /// header have languages, JSON has keys.
    pub fn in_language(self, lang: Option<&str>) -> Result<Self, String> {
        let Some(wanted) = lang else {
            return Ok(self);
        };
        let Some(code) = i18n::languages().into_iter().find(|code| *code == wanted) else {
            let known = i18n::languages().join(", ");
            let shown: String = wanted.chars().take(20).collect();
            return Err(format!("unknown language {shown:?}: use one of {known}"));
        };
        match self {
            ExportRequest::Markdown(options, _) => Ok(ExportRequest::Markdown(options, code)),
            ExportRequest::Csv(_) => Ok(ExportRequest::Csv(code)),
            ExportRequest::Json { .. } => Err("`lang` applies to md and csv".into()),
        }
    }

    /// The file's bytes, content type and file name.
    pub fn render(
        &self,
        doc: &Automerge,
        id: &DocumentId,
    ) -> Result<(Vec<u8>, &'static str, String), caucus_model::ModelError> {
        let short: String = id.as_str().chars().take(8).collect();
        Ok(match self {
            ExportRequest::Markdown(options, lang) => (
                report::weekly_report_in(doc, options, &Catalog::new(lang)?)?.into_bytes(),
                "text/markdown; charset=utf-8",
                format!("caucus-report-{}{}.md", options.date, suffix(lang)),
            ),
            ExportRequest::Csv(lang) => (
                report::matrix_csv_in(doc, &Catalog::new(lang)?)?.into_bytes(),
                "text/csv; charset=utf-8",
                format!("caucus-{short}-matrix{}.csv", suffix(lang)),
            ),
            ExportRequest::Json { at: None } => (
                caucus_model::export_json_pretty(doc)?.into_bytes(),
                "application/json",
                format!("caucus-{short}.json"),
            ),
            ExportRequest::Json { at: Some(at) } => {
                let view = history::view_at(doc, &history::heads_before(doc, at.end_unix()))?;
                let mut json = serde_json::to_string_pretty(&view)?;
                json.push('\n');
                (
                    json.into_bytes(),
                    "application/json",
                    format!("caucus-{short}-as-of-{at}.json"),
                )
            }
        })
    }
}

/// `-fr` in a file name for a language other than English (English names stay as they were).
fn suffix(lang: &str) -> String {
    if lang == i18n::DEFAULT_LANGUAGE {
        String::new()
    } else {
        format!("-{lang}")
    }
}

/// A history query from a `/`-separated field path and an optional limit.
pub fn history_query(field: Option<&str>, limit: Option<usize>) -> Result<HistoryQuery, String> {
    let query = HistoryQuery::for_path(field.unwrap_or(""));
    if query.path.len() > 8 || query.path.iter().any(|p| p.len() > 100) {
        return Err("field: a path of at most 8 keys of at most 100 bytes".into());
    }
    Ok(match limit {
        Some(limit) => query.with_limit(limit),
        None => query,
    })
}

/// The history as the API and the CLI give it: editing sessions
/// ([`caucus_model::history_sessions`]), or with `raw` one entry per change.
///
/// A field's history is answered through a [`FieldIndex`] built for the query: one pass over
/// the changes' operations (about 1 s for 50,000 changes) instead of a walk that decodes and
/// places every change (minutes for a quiet field of a 50,000-change document); the answer is
/// the same. The whole document's history (empty path) stops after `limit` changes either way,
/// so it walks unindexed. A caller that keeps the document loaded can keep the index too
/// ([`history_json_indexed`]).
pub fn history_json(
    doc: &Automerge,
    query: &HistoryQuery,
    raw: bool,
) -> Result<serde_json::Value, caucus_model::ModelError> {
    if !query.path.is_empty() {
        return history_json_indexed(doc, &FieldIndex::build(doc)?, query, raw);
    }
    Ok(if raw {
        serde_json::to_value(history::history(doc, query)?)?
    } else {
        serde_json::to_value(caucus_model::history_sessions(doc, query)?)?
    })
}

/// [`history_json`] from an index of `doc` kept by the caller (brought up to date with
/// [`FieldIndex::update`] first; a stale one is refused).
pub fn history_json_indexed(
    doc: &Automerge,
    index: &FieldIndex,
    query: &HistoryQuery,
    raw: bool,
) -> Result<serde_json::Value, caucus_model::ModelError> {
    Ok(if raw {
        serde_json::to_value(index.history(doc, query)?)?
    } else {
        serde_json::to_value(index.history_sessions(doc, query)?)?
    })
}

/// Where a change file starts: after these heads, or after the state at the start of a day.
#[derive(Debug, Clone)]
pub enum ChangesSince {
    /// Every change.
    Everything,
    /// Changes the holder of these heads lacks.
    Heads(Vec<ChangeHash>),
    /// Changes made from the start of this UTC day on.
    Date(Date),
}

impl ChangesSince {
    /// `a1b2…,c3d4…` (hex change hashes) or `YYYY-MM-DD`; empty or absent means everything.
    pub fn parse(text: Option<&str>) -> Result<Self, String> {
        let text = text.unwrap_or("").trim();
        if text.is_empty() {
            return Ok(ChangesSince::Everything);
        }
        if text.len() == 10 && text.as_bytes().get(4) == Some(&b'-') {
            return Date::parse(text)
                .map(ChangesSince::Date)
                .map_err(|e| format!("since: {e}"));
        }
        let heads = text
            .split(',')
            .take(1001)
            .map(|h| {
                ChangeHash::from_str(h.trim()).map_err(|_| {
                    format!("since: {h:?} is not a change hash (64 hex digits) or a date")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if heads.len() > 1000 {
            return Err("since: at most 1000 heads".into());
        }
        Ok(ChangesSince::Heads(heads))
    }

    /// The heads this point stands for in `doc` (empty: everything).
    pub fn heads(&self, doc: &Automerge) -> Vec<ChangeHash> {
        match self {
            ChangesSince::Everything => Vec::new(),
            ChangesSince::Heads(heads) => heads.clone(),
            ChangesSince::Date(date) => history::heads_before(doc, date.start_unix()),
        }
    }

    /// A change file of `doc` from this point.
    pub fn export(&self, doc: &Automerge, id: &DocumentId) -> Result<Vec<u8>, ChangeFileError> {
        self.export_with_files(doc, id, Vec::new())
    }

    /// A change file of `doc` from this point carrying (or naming) `files` (format 2 when there
    /// are any).
    pub fn export_with_files(
        &self,
        doc: &Automerge,
        id: &DocumentId,
        files: Vec<changefile::CarriedFile>,
    ) -> Result<Vec<u8>, ChangeFileError> {
        let id_bytes = changefile::document_id_bytes(&id.to_bytes())?;
        changefile::export_changes_with_files(doc, &id_bytes, &self.heads(doc), files)
    }
}
