//! How the weekly report names things, in its catalog's language: the words (`report-*`
//! messages), countries, agenda items, tracks, members, conflicting values and the places
//! conflicts are in. Split from `markdown.rs`, which owns the report's structure.

use std::fmt::Write as _;

use super::markdown::Report;
use super::text::one_line;
use crate::history::{PositionChange, PositionChangeKind};
use crate::i18n::{Arg, sort_key};
use crate::view::{ConflictValue, PositionView};
use crate::{Conflict, Stance, schema};

impl Report<'_> {
    // Words from the catalog.

    pub(super) fn t(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.catalog.text(id, args)
    }

    /// "Brazil: supports": a subject and what is said about it.
    pub(super) fn line(&self, subject: &str, text: &str) -> String {
        self.t(
            "report-line",
            &[("subject", Arg::Text(subject)), ("text", Arg::Text(text))],
        )
    }

    pub(super) fn stance(&self, stance: &str) -> String {
        self.t("report-stance", &[("stance", Arg::Text(stance))])
    }

    pub(super) fn confidence(&self, confidence: &str) -> String {
        self.t(
            "report-confidence",
            &[("confidence", Arg::Text(confidence))],
        )
    }

    /// "[CONFLICT on stance: …]"
    pub(super) fn conflict_note(&self, field: &str, values: &str) -> String {
        let field = self.t("report-field", &[("field", Arg::Text(field))]);
        self.t(
            "report-conflict",
            &[("field", Arg::Text(&field)), ("values", Arg::Text(values))],
        )
    }

    /// "Brazil: new: supports (rumour)", "…: opposes → supports (reported)", "…: still …".
    pub(super) fn change_line(&self, change: &PositionChange) -> String {
        let stance = self.stance(change.stance.as_str());
        let confidence = self.confidence(change.confidence.as_str());
        let what = match change.kind {
            PositionChangeKind::New => self.t(
                "report-change-new",
                &[
                    ("stance", Arg::Text(&stance)),
                    ("confidence", Arg::Text(&confidence)),
                ],
            ),
            PositionChangeKind::Stance => {
                let before = self.stance(change.stance_before.as_str());
                self.t(
                    "report-change-stance",
                    &[
                        ("before", Arg::Text(&before)),
                        ("stance", Arg::Text(&stance)),
                        ("confidence", Arg::Text(&confidence)),
                    ],
                )
            }
            PositionChangeKind::Confidence => {
                let before = self.confidence(change.confidence_before.as_str());
                self.t(
                    "report-change-confidence",
                    &[
                        ("stance", Arg::Text(&stance)),
                        ("before", Arg::Text(&before)),
                        ("confidence", Arg::Text(&confidence)),
                    ],
                )
            }
        };
        self.line(&self.country_name(&change.country), &what)
    }

    /// "No position known yet on: …" for the items collected, then forgets them.
    pub(super) fn write_nothing_known(&self, out: &mut String, items: &mut Vec<String>) {
        if !items.is_empty() {
            let items_text = self.catalog.join("report-list", items);
            let line = self.t("report-nothing-known", &[("items", Arg::Text(&items_text))]);
            let _ = writeln!(out, "\n{line}");
            items.clear();
        }
    }

    // Naming helpers.

    pub(super) fn ordered_items<'s>(&self, ids: impl Iterator<Item = &'s str>) -> Vec<String> {
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

    pub(super) fn item_heading(&self, item_id: &str) -> String {
        match self.view.items.get(item_id) {
            Some(item) => {
                let code = if item.code.is_empty() {
                    item_id
                } else {
                    &item.code
                };
                let priority = Arg::Text(item.priority.as_str());
                if item.title.is_empty() {
                    return self.t(
                        "report-item-heading",
                        &[("code", Arg::Text(code)), ("priority", priority)],
                    );
                }
                // Whole: an agenda title cut short reads as another item.
                let title = self
                    .catalog
                    .template_text(&format!("item-{item_id}"), &item.title);
                let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
                self.t(
                    "report-item-heading-titled",
                    &[
                        ("code", Arg::Text(code)),
                        ("priority", priority),
                        ("title", Arg::Text(&title)),
                    ],
                )
            }
            None => item_id.to_owned(),
        }
    }

    pub(super) fn item_code(&self, item_id: &str) -> String {
        match self.view.items.get(item_id) {
            Some(item) if !item.code.is_empty() => item.code.clone(),
            _ => item_id.to_owned(),
        }
    }

    pub(super) fn track_heading(&self, track: &str) -> String {
        match self.view.tracks.get(track) {
            Some(known) if known.name.is_empty() => track.to_owned(),
            // "COM5: Committee 5 – …" unless the name starts with its id already (in English).
            Some(known) => {
                let name = self
                    .catalog
                    .template_text(&format!("track-{track}"), &known.name);
                if known.name.starts_with(track) && name == known.name {
                    name
                } else {
                    self.t(
                        "report-track-named",
                        &[("track", Arg::Text(track)), ("name", Arg::Text(&name))],
                    )
                }
            }
            None if track.is_empty() => self.t("report-no-track", &[]),
            None => self.t("report-track", &[("track", Arg::Text(track))]),
        }
    }

    pub(super) fn country_name(&self, code: &str) -> String {
        match self.view.countries.get(code) {
            Some(country) if !country.name.is_empty() => self
                .catalog
                .template_text(&format!("country-{code}"), &country.name),
            _ => code.to_owned(),
        }
    }

    pub(super) fn country_sort_key(&self, code: &str) -> (String, String) {
        (sort_key(&self.country_name(code)), code.to_owned())
    }

    pub(super) fn member_name(&self, member_id: &str) -> String {
        match self.view.person(member_id) {
            Some(member) if !member.name.is_empty() => member.name.clone(),
            _ => member_id.to_owned(),
        }
    }

    /// A conflict's values, except those of an internal note: two notes objects under one key
    /// would show the note's text, so only their writers are named.
    pub(super) fn shown_conflict_values(&self, conflict: &Conflict) -> String {
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
                let names = self.catalog.join("report-and", &writers);
                self.t("report-internal-notes", &[("names", Arg::Text(&names))])
            }
            _ => {
                let field = conflict.path.last().map_or("", String::as_str);
                self.conflict_values(field, &conflict.values)
            }
        }
    }

    /// Whether the notes of `code` on `item` are kept internal; a missing position has none.
    pub(super) fn notes_internal(&self, code: &str, item: &str) -> bool {
        self.view
            .countries
            .get(code)
            .and_then(|country| country.positions.get(item))
            .is_some_and(PositionView::notes_kept_internal)
    }

    pub(super) fn writer_name(&self, value: &ConflictValue) -> String {
        match &value.member {
            Some(member) => self.member_name(member),
            None => {
                let actor = value.actor.get(..8).unwrap_or(&value.actor);
                self.t("report-unregistered", &[("actor", Arg::Text(actor))])
            }
        }
    }

    /// "supports (by Ana) vs opposes (by Chen)": a stance or confidence in the report's words,
    /// anything else as it was written.
    pub(super) fn conflict_values(&self, field: &str, values: &[ConflictValue]) -> String {
        let shown: Vec<String> = values
            .iter()
            .map(|value| {
                let shown = match (&value.value, field) {
                    (serde_json::Value::String(text), schema::position::STANCE)
                        if text.parse::<Stance>().is_ok() =>
                    {
                        self.stance(text)
                    }
                    (serde_json::Value::String(text), schema::position::CONFIDENCE)
                        if text.parse::<crate::Confidence>().is_ok() =>
                    {
                        self.confidence(text)
                    }
                    (serde_json::Value::String(text), _) => one_line(text, 60),
                    (other, _) => one_line(&other.to_string(), 60),
                };
                let name = self.writer_name(value);
                self.t(
                    "report-value-by",
                    &[("value", Arg::Text(&shown)), ("name", Arg::Text(&name))],
                )
            })
            .collect();
        self.catalog.join("report-versus", &shown)
    }

    /// "Brazil, notes", "Res 102, title": a place and the field there.
    pub(super) fn place(&self, place: &str, field: &str) -> String {
        let field = self.t("report-field", &[("field", Arg::Text(field))]);
        self.t(
            "report-place",
            &[("place", Arg::Text(place)), ("detail", Arg::Text(&field))],
        )
    }

    pub(super) fn position_conflicts<'c>(
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
    pub(super) fn describe_path(&self, path: &[String]) -> String {
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        match parts.as_slice() {
            [
                schema::root::COUNTRIES,
                code,
                schema::country::POSITIONS,
                item,
                field,
            ] => {
                let country = self.country_name(code);
                let item = self.item_code(item);
                let place = self.t(
                    "report-place",
                    &[("place", Arg::Text(&country)), ("detail", Arg::Text(&item))],
                );
                self.place(&place, field)
            }
            [schema::root::TASKS, id, field] => match self.view.tasks.get(*id) {
                Some(task) => {
                    let title = one_line(&task.title, 60);
                    let task = self.t("report-path-task", &[("title", Arg::Text(&title))]);
                    self.place(&task, field)
                }
                None => path.join("/"),
            },
            [schema::root::ITEMS, item, field] => self.place(&self.item_code(item), field),
            [schema::root::COUNTRIES, code, field] => self.place(&self.country_name(code), field),
            _ => path.join("/"),
        }
    }
}
