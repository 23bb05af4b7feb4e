//! The weekly report as Markdown that reads well as plain text in an e-mail: headings and
//! bullet lists only, no HTML, no tables, no hard wrapping. Agenda titles are shown whole;
//! notes and other long text are shortened at a word boundary (with `…`, see `text.rs`) so
//! each bullet stays one readable line. A note marked internal (`notesInternal`) is left out
//! entirely; a position's sources follow its note.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use automerge::Automerge;

use super::text::{NOTE_CHARS, latest_note_line, one_line, readable_time, sources_text};
use super::{ReportOptions, SinceResolved};
use crate::history::{PositionChange, fork_at, heads_before, position_changes, view_at_or_empty};
use crate::i18n::{Arg, Catalog};
use crate::view::{AnalysisView, PositionView};
use crate::{Conflict, ModelError, Priority, Stance, TaskStatus, conflicts};
use crate::{read_analysis, schema};

/// The stances listed country by country, in report order; `unknown` is only counted.
const LISTED_STANCES: [Stance; 4] = [
    Stance::Supports,
    Stance::Opposes,
    Stance::Mixed,
    Stance::Undecided,
];

/// The weekly report for `options.date` as Markdown (see "Reports" in
/// docs/reports-history-changes.md): the analysis as of the end of that day, what changed
/// since `options.since`, positions by agenda item, unresolved conflicts and open tasks.
pub fn weekly_report(doc: &Automerge, options: &ReportOptions) -> Result<String, ModelError> {
    weekly_report_in(doc, options, &Catalog::english()?)
}

/// [`weekly_report`] in the catalog's language (`caucus export --lang fr`): the words from
/// i18n/<lang>/report.ftl, the template's names (countries, tracks, agenda titles) translated
/// while nobody edited them; dates ISO and digits Latin in every language.
pub fn weekly_report_in(
    doc: &Automerge,
    options: &ReportOptions,
    catalog: &Catalog,
) -> Result<String, ModelError> {
    let since = options.resolve_since(doc)?;
    let as_of_heads = heads_before(doc, options.date.end_unix());
    let as_of_doc = fork_at(doc, &as_of_heads)?;
    let view = read_analysis(&as_of_doc)?;
    let found = conflicts(&as_of_doc)?;
    let before = view_at_or_empty(doc, &heads_before(doc, since.from.start_unix()))?;
    let changes = position_changes(before.as_ref(), Some(&view));
    let report = Report {
        catalog,
        options,
        since: &since,
        view: &view,
        conflicts: &found,
        changes: &changes,
        item_order: item_order(&view),
        merged_notes: crate::text_merge::merged_notes(&as_of_doc)?,
    };
    let mut out = String::new();
    report.write(&mut out);
    Ok(out)
}

pub(super) struct Report<'a> {
    pub(super) catalog: &'a Catalog,
    pub(super) options: &'a ReportOptions,
    pub(super) since: &'a SinceResolved,
    pub(super) view: &'a AnalysisView,
    pub(super) conflicts: &'a [Conflict],
    pub(super) changes: &'a [PositionChange],
    /// Item ids by track (track id order, unknown tracks last), then priority, then id.
    pub(super) item_order: Vec<String>,
    /// (country, item) → people whose concurrent note edits were merged unconfirmed.
    pub(super) merged_notes: BTreeMap<(String, String), Vec<String>>,
}

/// Item ids grouped by track (tracks in id order, items of unknown tracks last), then by
/// priority (high, medium, low), then by id.
fn item_order(view: &AnalysisView) -> Vec<String> {
    let mut ids: Vec<&String> = view.items.keys().collect();
    ids.sort_by_key(|id| {
        let item = &view.items[*id];
        (
            !view.tracks.contains_key(&item.track),
            item.track.clone(),
            priority_rank(item.priority),
            (*id).clone(),
        )
    });
    ids.into_iter().cloned().collect()
}

fn priority_rank(priority: Priority) -> u8 {
    match priority {
        Priority::High => 0,
        Priority::Medium => 1,
        Priority::Low => 2,
    }
}

// `write!` into a `String` cannot fail; the results are ignored on purpose.
impl Report<'_> {
    fn write(&self, out: &mut String) {
        self.write_header(out);
        self.write_changes(out);
        self.write_positions(out);
        self.write_conflicts(out);
        self.write_tasks(out);
    }

    fn write_header(&self, out: &mut String) {
        let view = self.view;
        let date = self.options.date;
        let date = date.to_string();
        let _ = writeln!(
            out,
            "# {}",
            self.t("report-title", &[("date", Arg::Text(&date))])
        );
        out.push('\n');
        if !view.title.is_empty() {
            let _ = writeln!(out, "{}\n", view.title);
        }
        let meeting = &view.meeting;
        let mut line = meeting.name.clone();
        if !meeting.venue.is_empty() {
            let _ = write!(line, ", {}", meeting.venue);
        }
        if !meeting.starts.is_empty() || !meeting.ends.is_empty() {
            let dates = self.t(
                "report-meeting-dates",
                &[
                    ("starts", Arg::Text(&meeting.starts)),
                    ("ends", Arg::Text(&meeting.ends)),
                ],
            );
            let _ = write!(line, ", {dates}");
        }
        if !line.is_empty() {
            let meeting = self.t("report-meeting", &[("meeting", Arg::Text(&line))]);
            let _ = writeln!(out, "- {meeting}");
        }
        let as_of = self.t("report-as-of", &[("date", Arg::Text(&date))]);
        let since = self.t(
            "report-since",
            &[("since", Arg::Text(&self.since_phrase()))],
        );
        let _ = writeln!(out, "- {as_of}\n- {since}");
        out.push('\n');
        let positions: usize = view.countries.values().map(|c| c.positions.len()).sum();
        let known = view
            .countries
            .values()
            .flat_map(|c| c.positions.values())
            .filter(|p| p.stance != Stance::Unknown)
            .count();
        let open_tasks = view
            .tasks
            .values()
            .filter(|task| task.status != TaskStatus::Done)
            .count();
        let from = self.since.from.to_string();
        let in_short = self.t(
            "report-in-short",
            &[
                ("changes", Arg::Count(self.changes.len())),
                ("from", Arg::Text(&from)),
                ("conflicts", Arg::Count(self.conflicts.len())),
                ("tasks", Arg::Count(open_tasks)),
                ("known", Arg::Count(known)),
                ("positions", Arg::Count(positions)),
            ],
        );
        let _ = writeln!(out, "{in_short}");
    }

    fn since_phrase(&self) -> String {
        let from = self.since.from.to_string();
        match (&self.since.last_report, self.since.default_week) {
            (Some(report), _) => {
                let who = self.member_name(&report.by);
                let date = report.date.to_string();
                self.t(
                    "report-since-last",
                    &[
                        ("from", Arg::Text(&from)),
                        ("date", Arg::Text(&date)),
                        ("name", Arg::Text(&who)),
                    ],
                )
            }
            (None, true) => self.t("report-since-week", &[("from", Arg::Text(&from))]),
            (None, false) => from,
        }
    }

    fn write_changes(&self, out: &mut String) {
        let from = self.since.from.to_string();
        let heading = self.t("report-changes-heading", &[("from", Arg::Text(&from))]);
        let _ = writeln!(out, "\n## {heading}\n");
        if self.changes.is_empty() {
            let _ = writeln!(out, "{}", self.t("report-no-change", &[]));
            return;
        }
        let mut by_item: BTreeMap<&str, Vec<&PositionChange>> = BTreeMap::new();
        for change in self.changes {
            by_item
                .entry(change.item.as_str())
                .or_default()
                .push(change);
        }
        let mut first = true;
        for item_id in self.ordered_items(by_item.keys().copied()) {
            let Some(mut changes) = by_item.remove(item_id.as_str()) else {
                continue;
            };
            changes.sort_by_key(|change| self.country_sort_key(&change.country));
            if !first {
                out.push('\n');
            }
            first = false;
            let _ = writeln!(out, "### {}\n", self.item_heading(&item_id));
            for change in changes {
                let mut line = format!("- {}", self.change_line(change));
                let stance_conflict =
                    self.position_conflicts(&change.country, &change.item)
                        .find(|conflict| {
                            conflict.path.last().map(String::as_str)
                                == Some(schema::position::STANCE)
                        });
                if let Some(conflict) = stance_conflict {
                    // Who and when are bookkeeping and may name the other writer: show the
                    // conflicting values with their writers instead.
                    let values = self.conflict_values(schema::position::STANCE, &conflict.values);
                    let _ = writeln!(out, "{line} {}", self.conflict_note("stance", &values));
                    continue;
                }
                let who = match &change.member_name {
                    Some(name) if !name.is_empty() => name.clone(),
                    _ if !change.updated_by.is_empty() => change.updated_by.clone(),
                    _ => String::new(),
                };
                if !who.is_empty() {
                    let _ = write!(
                        line,
                        ", {}",
                        self.t("report-by", &[("name", Arg::Text(&who))])
                    );
                }
                if !change.updated_at.is_empty() {
                    let _ = write!(line, ", {}", readable_time(&change.updated_at));
                }
                let _ = writeln!(out, "{line}");
            }
        }
    }

    fn write_positions(&self, out: &mut String) {
        let _ = writeln!(out, "\n## {}", self.t("report-positions-heading", &[]));
        let mut current_track: Option<&str> = None;
        // Items of the current track with no known position, listed once at its end.
        let mut nothing_known: Vec<String> = Vec::new();
        for item_id in &self.item_order {
            let item = &self.view.items[item_id];
            if current_track != Some(item.track.as_str()) {
                self.write_nothing_known(out, &mut nothing_known);
                current_track = Some(item.track.as_str());
                let _ = writeln!(out, "\n### {}", self.track_heading(&item.track));
            }
            let any_known = self.view.countries.values().any(|country| {
                country
                    .positions
                    .get(item_id)
                    .is_some_and(|position| position.stance != Stance::Unknown)
            });
            if !any_known {
                let code = self.item_code(item_id);
                let priority = self.t(
                    "report-priority",
                    &[("priority", Arg::Text(item.priority.as_str()))],
                );
                nothing_known.push(self.t(
                    "report-nothing-known-item",
                    &[
                        ("code", Arg::Text(&code)),
                        ("priority", Arg::Text(&priority)),
                    ],
                ));
                continue;
            }
            let _ = writeln!(out, "\n#### {}\n", self.item_heading(item_id));
            let mut by_stance: BTreeMap<Stance, Vec<(&str, &PositionView)>> = BTreeMap::new();
            for (code, country) in &self.view.countries {
                if let Some(position) = country.positions.get(item_id) {
                    by_stance
                        .entry(position.stance)
                        .or_default()
                        .push((code.as_str(), position));
                }
            }
            let mut wrote_group = false;
            for stance in LISTED_STANCES {
                let Some(mut entries) = by_stance.remove(&stance) else {
                    continue;
                };
                entries.sort_by_key(|(code, _)| self.country_sort_key(code));
                if wrote_group {
                    out.push('\n');
                }
                wrote_group = true;
                let group = self.t(
                    "report-stance-group",
                    &[
                        ("stance", Arg::Text(stance.as_str())),
                        ("count", Arg::Count(entries.len())),
                    ],
                );
                let _ = writeln!(out, "{group}\n");
                for (code, position) in entries {
                    self.write_position_line(out, code, item_id, position);
                }
            }
            let unknown = by_stance.get(&Stance::Unknown).map_or(0, Vec::len);
            let not_known = self.t("report-not-known", &[("count", Arg::Count(unknown))]);
            let _ = writeln!(out, "\n{not_known}");
        }
        self.write_nothing_known(out, &mut nothing_known);
    }

    fn write_position_line(
        &self,
        out: &mut String,
        code: &str,
        item_id: &str,
        position: &PositionView,
    ) {
        let confidence = self.confidence(position.confidence.as_str());
        let mut line = format!("- {}", self.line(&self.country_name(code), &confidence));
        let internal = position.notes_kept_internal();
        if !internal && let Some(note) = latest_note_line(&position.notes) {
            let _ = write!(line, ". {note}");
        }
        if !internal
            && let Some(people) = self
                .merged_notes
                .get(&(code.to_owned(), item_id.to_owned()))
        {
            let names: Vec<String> = people.iter().map(|id| self.member_name(id)).collect();
            let names = self.catalog.join("report-and", &names);
            let merged = self.t("report-note-merged", &[("names", Arg::Text(&names))]);
            let _ = write!(line, " {merged}");
        }
        if let Some(sources) = sources_text(self.catalog, &position.sources) {
            // A note usually ends a sentence already.
            let stop = if line.ends_with(['.', '!', '?']) {
                ""
            } else {
                "."
            };
            let _ = write!(line, "{stop} {sources}");
        }
        for conflict in self.position_conflicts(code, item_id) {
            let field = conflict.path.last().map_or("", String::as_str);
            let values = self.shown_conflict_values(conflict);
            let _ = write!(line, " {}", self.conflict_note(field, &values));
        }
        let _ = writeln!(out, "{line}");
    }

    fn write_conflicts(&self, out: &mut String) {
        let _ = writeln!(out, "\n## {}\n", self.t("report-conflicts-heading", &[]));
        if self.conflicts.is_empty() {
            let _ = writeln!(out, "{}", self.t("report-none", &[]));
            return;
        }
        let _ = writeln!(out, "{}\n", self.t("report-conflicts-intro", &[]));
        for conflict in self.conflicts {
            let place = self.describe_path(&conflict.path);
            let values = self.shown_conflict_values(conflict);
            let _ = writeln!(out, "- {}", self.line(&place, &values));
        }
    }

    fn write_tasks(&self, out: &mut String) {
        let _ = writeln!(out, "\n## {}\n", self.t("report-tasks-heading", &[]));
        // track heading key → (assignee sort key, title, line)
        let mut by_track: BTreeMap<(bool, String), Vec<(String, String)>> = BTreeMap::new();
        for (id, task) in &self.view.tasks {
            if task.status == TaskStatus::Done {
                continue;
            }
            let assignee = if task.assignee.is_empty() {
                self.t("report-unassigned", &[])
            } else {
                self.member_name(&task.assignee)
            };
            let mut line = format!(
                "- {}",
                self.line(&assignee, &one_line(&task.title, NOTE_CHARS))
            );
            let mut details = Vec::new();
            if task.status == TaskStatus::Doing {
                details.push(self.t("report-in-progress", &[]));
            }
            if !task.when.is_empty() {
                let when = one_line(&task.when, 40);
                details.push(self.t("report-when", &[("when", Arg::Text(&when))]));
            }
            if !details.is_empty() {
                let _ = write!(line, " ({})", self.catalog.join("report-list", &details));
            }
            let known_track = self.view.tracks.contains_key(&task.track);
            // Unassigned last within a track; then by name, title and id for a stable order.
            let sort = format!(
                "{}\u{0}{}\u{0}{}\u{0}{id}",
                u8::from(task.assignee.is_empty()),
                assignee.to_lowercase(),
                task.title
            );
            by_track
                .entry((!known_track, task.track.clone()))
                .or_default()
                .push((sort, line));
        }
        if by_track.is_empty() {
            let _ = writeln!(out, "{}", self.t("report-none", &[]));
            return;
        }
        let mut first = true;
        for ((_, track), mut tasks) in by_track {
            tasks.sort();
            if !first {
                out.push('\n');
            }
            first = false;
            let _ = writeln!(out, "### {}\n", self.track_heading(&track));
            for (_, line) in tasks {
                let _ = writeln!(out, "{line}");
            }
        }
    }
}
