//! The typed view of an analysis: plain, serde-serializable structs.
//!
//! Maps are `BTreeMap`s so iteration and JSON output are in key order on every machine.
//! JSON field names are the document's own (camelCase); see "Typed view" in docs/schema.md.
//! Unknown document keys are not part of the view (they stay in the document untouched).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{CommentView, Confidence, FileRef, Priority, Stance, TaskStatus};

/// A whole analysis document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisView {
    /// Always [`crate::SCHEMA_ID`] (reading fails otherwise).
    pub schema: String,
    /// Analysis title.
    pub title: String,
    /// The meeting analysed.
    pub meeting: MeetingView,
    /// trackId → track.
    pub tracks: BTreeMap<String, TrackView>,
    /// itemId → item.
    pub items: BTreeMap<String, ItemView>,
    /// ISO 3166-1 alpha-2 → country.
    pub countries: BTreeMap<String, CountryView>,
    /// Task id (uuid) → task.
    pub tasks: BTreeMap<String, TaskView>,
    /// Member id → member.
    pub members: BTreeMap<String, MemberView>,
    /// Files about the analysis as a whole (docs/schema.md "Files"), sorted by `addedAt` then hash; left out
    /// of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRef>,
    /// Comment id → comment (docs/schema.md "Comments"); left out of the JSON when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comments: BTreeMap<String, CommentView>,
}

/// The meeting an analysis is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingView {
    /// e.g. "ITU Plenipotentiary Conference 2026 (PP-26)".
    pub name: String,
    /// e.g. "Doha, Qatar".
    pub venue: String,
    /// First day, `YYYY-MM-DD`.
    pub starts: String,
    /// Last day, `YYYY-MM-DD`.
    pub ends: String,
}

/// A committee or working group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackView {
    /// e.g. "Committee 5 – Policy and Legal Matters".
    pub name: String,
}

/// An agenda item (resolution, decision, election…).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    /// Short code, e.g. "Res 102".
    pub code: String,
    /// Full title.
    pub title: String,
    /// Track id.
    pub track: String,
    /// Coalition priority.
    pub priority: Priority,
    /// Theme id, e.g. `internet-governance`.
    pub theme: String,
    /// Collaborative summary.
    pub summary: String,
    /// Files attached here (docs/schema.md "Files"), sorted by `addedAt` then hash; left out
    /// of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRef>,
}

/// A Member State and what is known of its positions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountryView {
    /// English short name.
    pub name: String,
    /// ITU region.
    pub region: String,
    /// About the delegation.
    pub delegation: DelegationView,
    /// itemId → position.
    pub positions: BTreeMap<String, PositionView>,
}

/// A country's delegation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DelegationView {
    /// Whether the delegation includes or talks to civil society; `None` when not known.
    pub open_to_civil_society: Option<bool>,
    /// Collaborative contact notes.
    pub contacts: String,
}

/// A country's position on one item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionView {
    /// The winning stance (automerge's deterministic pick when there is a conflict).
    pub stance: Stance,
    /// The winning confidence.
    pub confidence: Confidence,
    /// Collaborative notes.
    pub notes: String,
    /// The notes are internal: kept out of the weekly report and the CSV matrix (the JSON
    /// export keeps them). The winning value; a missing flag reads as `false`.
    pub notes_internal: bool,
    /// Sources (URLs, document numbers), in list order.
    pub sources: Vec<String>,
    /// Member id of the last editor, `""` if never edited.
    pub updated_by: String,
    /// RFC 3339 time of the last edit, `""` if never edited.
    pub updated_at: String,
    /// Every concurrent stance value, when they disagree; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stance_conflicts: Vec<ConflictValue>,
    /// Every concurrent confidence value, when they disagree; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confidence_conflicts: Vec<ConflictValue>,
    /// Every concurrent `notesInternal` value, when they disagree; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes_internal_conflicts: Vec<ConflictValue>,
    /// Files attached here (docs/schema.md "Files"), sorted by `addedAt` then hash; left out
    /// of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRef>,
}

impl PositionView {
    /// Whether the notes must stay out of exports meant for the mailing list: the flag is set,
    /// or, while two people disagree about it, anyone set it (a leak cannot be taken back, a
    /// note left out can be added by settling the conflict).
    pub fn notes_kept_internal(&self) -> bool {
        self.notes_internal
            || self
                .notes_internal_conflicts
                .iter()
                .any(|value| value.value == serde_json::Value::Bool(true))
    }
}

/// A follow-up task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    /// Short title.
    pub title: String,
    /// Track id, may be empty.
    pub track: String,
    /// Member id, `""` when unassigned.
    pub assignee: String,
    /// Free-form due time.
    pub when: String,
    /// Progress.
    pub status: TaskStatus,
    /// Collaborative notes.
    pub notes: String,
    /// Files attached here (docs/schema.md "Files"), sorted by `addedAt` then hash; left out
    /// of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRef>,
}

/// A coalition member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    /// Display name.
    pub name: String,
    /// Organisation.
    pub org: String,
    /// Automerge actor ids (hex) this member has edited with.
    pub actors: Vec<String>,
    /// Another member id when this record is the same person (an alias); empty otherwise.
    /// Resolve with [`AnalysisView::person`]. Left out of the JSON when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub same_as: String,
    /// Relay token ids this person uses (left out of the JSON when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<String>,
    /// `track:<id>` / `position:<CC>:<itemId>` → following (left out of the JSON when empty).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub follows: BTreeMap<String, bool>,
}

/// One of several concurrent values of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictValue {
    /// The value as JSON (a string for stance/confidence; objects are shown whole).
    pub value: serde_json::Value,
    /// Hex actor id of the change that wrote it.
    pub actor: String,
    /// The member that actor belongs to, when registered in `members[*].actors`.
    pub member: Option<String>,
}
