//! The weekly report as Markdown that reads well as plain text in an e-mail: headings and
//! bullet lists only, no HTML, no tables, no hard wrapping. Agenda titles are shown whole;
//! notes and other long text are shortened at a word boundary (with `…`, see `text.rs`) so
//! each bullet stays one readable line. A note marked internal (`notesInternal`) is left out
//! entirely; a position's sources follow its note.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use automerge::Automerge;

use super::text::{
    NOTE_CHARS, latest_note_line, one_line, plural, readable_time, sources_text, stance_label,
};
use super::{ReportOptions, SinceResolved};
use crate::history::{
    PositionChange, PositionChangeKind, fork_at, heads_before, position_changes, view_at_or_empty,
};
use crate::view::{AnalysisView, ConflictValue, PositionView};
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
    let since = options.resolve_since(doc)?;
    let as_of_heads = heads_before(doc, options.date.end_unix());
    let as_of_doc = fork_at(doc, &as_of_heads)?;
    let view = read_analysis(&as_of_doc)?;
    let found = conflicts(&as_of_doc)?;
    let before = view_at_or_empty(doc, &heads_before(doc, since.from.start_unix()))?;
    let changes = position_changes(before.as_ref(), Some(&view));
    let report = Report {
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

struct Report<'a> {
    options: &'a ReportOptions,
    since: &'a SinceResolved,
    view: &'a AnalysisView,
    conflicts: &'a [Conflict],
    changes: &'a [PositionChange],
    /// Item ids by track (track id order, unknown tracks last), then priority, then id.
    item_order: Vec<String>,
    /// (country, item) → people whose concurrent note edits were merged unconfirmed.
    merged_notes: BTreeMap<(String, String), Vec<String>>,
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
        let _ = writeln!(out, "# Weekly report for {date}");
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
            let _ = write!(line, ", {} to {}", meeting.starts, meeting.ends);
        }
        if !line.is_empty() {
            let _ = writeln!(out, "- Meeting: {line}");
        }
        let _ = writeln!(out, "- As of: end of {date} (UTC)");
        let _ = writeln!(out, "- Changes since: {}", self.since_phrase());
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
        let _ = writeln!(
            out,
            "In short: {} since {}, {} unresolved {}, {} open {}. {known} of {positions} positions are known.",
            plural(self.changes.len(), "position change", "position changes"),
            self.since.from,
            self.conflicts.len(),
            if self.conflicts.len() == 1 {
                "conflict"
            } else {
                "conflicts"
            },
            open_tasks,
            if open_tasks == 1 { "task" } else { "tasks" },
        );
    }

    fn since_phrase(&self) -> String {
        let from = self.since.from;
        match (&self.since.last_report, self.since.default_week) {
            (Some(report), _) => {
                let who = self.member_name(&report.by);
                format!(
                    "{from} (the day after the last report, {}, sent by {who})",
                    report.date
                )
            }
            (None, true) => format!("{from} (no earlier report: the last 7 days)"),
            (None, false) => from.to_string(),
        }
    }

    fn write_changes(&self, out: &mut String) {
        let _ = writeln!(out, "\n## Changes since {}\n", self.since.from);
        if self.changes.is_empty() {
            let _ = writeln!(out, "No position changed.");
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
                let what = match change.kind {
                    PositionChangeKind::New => {
                        format!("new: {} ({})", change.stance, change.confidence)
                    }
                    PositionChangeKind::Stance => format!(
                        "{} → {} ({})",
                        change.stance_before, change.stance, change.confidence
                    ),
                    PositionChangeKind::Confidence => format!(
                        "still {}, confidence {} → {}",
                        change.stance, change.confidence_before, change.confidence
                    ),
                };
                let mut line = format!("- {}: {what}", self.country_name(&change.country));
                let stance_conflict =
                    self.position_conflicts(&change.country, &change.item)
                        .find(|conflict| {
                            conflict.path.last().map(String::as_str)
                                == Some(schema::position::STANCE)
                        });
                if let Some(conflict) = stance_conflict {
                    // Who and when are bookkeeping and may name the other writer: show the
                    // conflicting values with their writers instead.
                    let _ = writeln!(
                        out,
                        "{line} [CONFLICT on stance: {}]",
                        self.conflict_values(&conflict.values)
                    );
                    continue;
                }
                let who = match &change.member_name {
                    Some(name) if !name.is_empty() => name.clone(),
                    _ if !change.updated_by.is_empty() => change.updated_by.clone(),
                    _ => String::new(),
                };
                if !who.is_empty() {
                    let _ = write!(line, ", by {who}");
                }
                if !change.updated_at.is_empty() {
                    let _ = write!(line, ", {}", readable_time(&change.updated_at));
                }
                let _ = writeln!(out, "{line}");
            }
        }
    }

    fn write_positions(&self, out: &mut String) {
        let _ = writeln!(out, "\n## Positions by agenda item");
        let mut current_track: Option<&str> = None;
        // Items of the current track with no known position, listed once at its end.
        let mut nothing_known: Vec<String> = Vec::new();
        for item_id in &self.item_order {
            let item = &self.view.items[item_id];
            if current_track != Some(item.track.as_str()) {
                write_nothing_known(out, &mut nothing_known);
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
                nothing_known.push(format!("{} ({})", self.item_code(item_id), item.priority));
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
                let _ = writeln!(out, "{} ({}):\n", stance_label(stance), entries.len());
                for (code, position) in entries {
                    self.write_position_line(out, code, item_id, position);
                }
            }
            let unknown = by_stance.get(&Stance::Unknown).map_or(0, Vec::len);
            let _ = writeln!(
                out,
                "\nNot known yet: {}.",
                plural(unknown, "country", "countries")
            );
        }
        write_nothing_known(out, &mut nothing_known);
    }

    fn write_position_line(
        &self,
        out: &mut String,
        code: &str,
        item_id: &str,
        position: &PositionView,
    ) {
        let mut line = format!("- {}: {}", self.country_name(code), position.confidence);
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
            let names = names.join(" and ");
            let _ = write!(
                line,
                " [NOTE MERGED: edited at the same time by {names}, not checked yet]"
            );
        }
        if let Some(sources) = sources_text(&position.sources) {
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
            let _ = write!(
                line,
                " [CONFLICT on {field}: {}]",
                self.shown_conflict_values(conflict)
            );
        }
        let _ = writeln!(out, "{line}");
    }

    fn write_conflicts(&self, out: &mut String) {
        let _ = writeln!(out, "\n## Unresolved conflicts\n");
        if self.conflicts.is_empty() {
            let _ = writeln!(out, "None.");
            return;
        }
        let _ = writeln!(
            out,
            "Two members recorded different values at the same time. Someone who knows should pick one.\n"
        );
        for conflict in self.conflicts {
            let _ = writeln!(
                out,
                "- {}: {}",
                self.describe_path(&conflict.path),
                self.shown_conflict_values(conflict)
            );
        }
    }

    fn write_tasks(&self, out: &mut String) {
        let _ = writeln!(out, "\n## Open tasks\n");
        // track heading key → (assignee sort key, title, line)
        let mut by_track: BTreeMap<(bool, String), Vec<(String, String)>> = BTreeMap::new();
        for (id, task) in &self.view.tasks {
            if task.status == TaskStatus::Done {
                continue;
            }
            let assignee = if task.assignee.is_empty() {
                "Unassigned".to_owned()
            } else {
                self.member_name(&task.assignee)
            };
            let mut line = format!("- {assignee}: {}", one_line(&task.title, NOTE_CHARS));
            let mut details = Vec::new();
            if task.status == TaskStatus::Doing {
                details.push("in progress".to_owned());
            }
            if !task.when.is_empty() {
                details.push(format!("when: {}", one_line(&task.when, 40)));
            }
            if !details.is_empty() {
                let _ = write!(line, " ({})", details.join(", "));
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
            let _ = writeln!(out, "None.");
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

    // Naming helpers.

    fn ordered_items<'s>(&self, ids: impl Iterator<Item = &'s str>) -> Vec<String> {
        let wanted: Vec<&str> = ids.collect();
        let mut ordered: Vec<String> = self
            .item_order
            .iter()
            .filter(|id| wanted.contains(&id.as_str()))
            .cloned()
            .collect();
        // Items that no longer exist in the as-of view (cannot happen: changes come from it).
        for id in wanted {
            if !ordered.iter().any(|known| known == id) {
                ordered.push(id.to_owned());
            }
        }
        ordered
    }

    fn item_heading(&self, item_id: &str) -> String {
        match self.view.items.get(item_id) {
            Some(item) => {
                let code = if item.code.is_empty() {
                    item_id
                } else {
                    &item.code
                };
                let mut heading = format!("{code} ({} priority)", item.priority);
                if !item.title.is_empty() {
                    // Whole: an agenda title cut short reads as another item.
                    let title = item.title.split_whitespace().collect::<Vec<_>>().join(" ");
                    let _ = write!(heading, ": {title}");
                }
                heading
            }
            None => item_id.to_owned(),
        }
    }

    fn item_code(&self, item_id: &str) -> String {
        match self.view.items.get(item_id) {
            Some(item) if !item.code.is_empty() => item.code.clone(),
            _ => item_id.to_owned(),
        }
    }

    fn track_heading(&self, track: &str) -> String {
        match self.view.tracks.get(track) {
            Some(known) if known.name.is_empty() || known.name.starts_with(track) => {
                if known.name.is_empty() {
                    track.to_owned()
                } else {
                    known.name.clone()
                }
            }
            Some(known) => format!("{track}: {}", known.name),
            None if track.is_empty() => "No track".to_owned(),
            None => format!("Track {track}"),
        }
    }

    fn country_name(&self, code: &str) -> String {
        match self.view.countries.get(code) {
            Some(country) if !country.name.is_empty() => country.name.clone(),
            _ => code.to_owned(),
        }
    }

    fn country_sort_key(&self, code: &str) -> (String, String) {
        (self.country_name(code).to_lowercase(), code.to_owned())
    }

    fn member_name(&self, member_id: &str) -> String {
        match self.view.person(member_id) {
            Some(member) if !member.name.is_empty() => member.name.clone(),
            _ => member_id.to_owned(),
        }
    }

    /// A conflict's values, except those of an internal note: two notes objects under one key
    /// would show the note's text, so only their writers are named.
    fn shown_conflict_values(&self, conflict: &Conflict) -> String {
        match conflict.path.as_slice() {
            [countries, code, positions, item, field]
                if countries == schema::root::COUNTRIES
                    && positions == schema::country::POSITIONS
                    && field == schema::position::NOTES
                    && self.notes_internal(code, item) =>
            {
                let writers: Vec<String> = conflict
                    .values
                    .iter()
                    .map(|value| self.writer_name(value))
                    .collect();
                format!("internal notes (by {})", writers.join(" and "))
            }
            _ => self.conflict_values(&conflict.values),
        }
    }

    /// Whether the notes of `code` on `item` are kept internal; a missing position has none.
    fn notes_internal(&self, code: &str, item: &str) -> bool {
        self.view
            .countries
            .get(code)
            .and_then(|country| country.positions.get(item))
            .is_some_and(PositionView::notes_kept_internal)
    }

    fn writer_name(&self, value: &ConflictValue) -> String {
        match &value.member {
            Some(member) => self.member_name(member),
            None => format!(
                "unregistered device {}",
                value.actor.get(..8).unwrap_or(&value.actor)
            ),
        }
    }

    fn conflict_values(&self, values: &[ConflictValue]) -> String {
        values
            .iter()
            .map(|value| {
                let shown = match &value.value {
                    serde_json::Value::String(text) => one_line(text, 60),
                    other => one_line(&other.to_string(), 60),
                };
                format!("{shown} (by {})", self.writer_name(value))
            })
            .collect::<Vec<_>>()
            .join(" vs ")
    }

    fn position_conflicts<'c>(
        &'c self,
        code: &'c str,
        item_id: &'c str,
    ) -> impl Iterator<Item = &'c Conflict> + 'c {
        self.conflicts.iter().filter(move |conflict| {
            conflict.path.len() == 5
                && conflict.path[0] == schema::root::COUNTRIES
                && conflict.path[1] == code
                && conflict.path[2] == schema::country::POSITIONS
                && conflict.path[3] == item_id
        })
    }

    /// A conflict's path in words where it is a known place, else `a/b/c`.
    fn describe_path(&self, path: &[String]) -> String {
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        match parts.as_slice() {
            [
                schema::root::COUNTRIES,
                code,
                schema::country::POSITIONS,
                item,
                field,
            ] => format!(
                "{}, {}, {field}",
                self.country_name(code),
                self.item_code(item)
            ),
            [schema::root::TASKS, id, field] => match self.view.tasks.get(*id) {
                Some(task) => format!("task \"{}\", {field}", one_line(&task.title, 60)),
                None => path.join("/"),
            },
            [schema::root::ITEMS, item, field] => format!("{}, {field}", self.item_code(item)),
            [schema::root::COUNTRIES, code, field] => {
                format!("{}, {field}", self.country_name(code))
            }
            _ => path.join("/"),
        }
    }
}

/// "No position known yet on: …" for the items collected, then forgets them.
fn write_nothing_known(out: &mut String, items: &mut Vec<String>) {
    if !items.is_empty() {
        let _ = writeln!(out, "\nNo position known yet on: {}.", items.join(", "));
        items.clear();
    }
}
