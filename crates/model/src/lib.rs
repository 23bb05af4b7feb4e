//! The caucus document model: one automerge document per analysis of country positions at a
//! treaty conference (schema `caucus/analysis@1`, specified in `docs/schema.md`).
//!
//! This crate owns the document's shape and nothing else: no IO, no clock, no network. It
//! gives
//! - **typed, tolerant reads** — [`read_analysis`] → [`AnalysisView`], plain serde structs
//!   with `BTreeMap`s, reading strings stored as scalars or as Text, defaulting what is
//!   missing or unknown;
//! - **conflicts as data** — concurrent values of stance/confidence in [`PositionView`], and
//!   every conflicting key of the document from [`conflicts`]; [`resolve`] settles one;
//! - **merge-safe edits** on [`automerge::AutoCommit`] ([`set_stance`],
//!   [`edit_position_notes`], [`add_task`], [`register_member`], …) that follow the rules of
//!   `docs/schema.md`. Edits stage operations and never commit; seal them with
//!   [`commit_edit`];
//! - **templates** — [`template::itu_plenipotentiary_2026`] and [`new_analysis`];
//! - **JSON export** of the view, [`export_json`], with a stable key order.
//!
//! The web client (TypeScript) implements the same rules; the fixture pair in
//! `tests/fixtures/analysis-v1.*`, written by this crate's tests, keeps both sides honest.
//!
//! # Layout
//! - [`schema`] — schema id and every key name.
//! - `enums` — [`Stance`], [`Confidence`], [`Priority`], [`TaskStatus`].
//! - `timestamp` — [`Timestamp`], caller-supplied RFC 3339 times, and [`Date`], UTC days.
//! - `view` — the typed view structs.
//! - `access` — tolerant low-level value access shared by the modules below.
//! - `read` — [`read_analysis`].
//! - `conflict` — [`conflicts`], [`resolve`].
//! - `edit` — the edit functions and their argument types, one submodule per part of the
//!   document (`document`, `items`, `countries`, `positions`, `tasks`, `members`) plus `text`
//!   for in-place Text edits.
//! - [`template`] — templates and [`new_analysis`].
//! - `export` — [`export_json`].
//! - `files` — file references (conference documents): [`FileRef`], [`FilePlace`],
//!   [`files_at`], [`referenced_files`]; edits [`add_file`], [`remove_file`].
//! - [`history`](mod@history) — [`heads_before`], [`view_at`], [`history()`] and
//!   [`changes_between`]: the document at a time, who changed what, position differences.
//! - `field_index` — [`FieldIndex`]: which changes touched which field, so a field's history
//!   (raw or by session) decodes only those; built once, updated from the document's heads.
//! - [`sessions`] — [`history_sessions`]: the history by editing session (consecutive
//!   changes by one member to one field, no pause over five minutes).
//! - [`report`] — [`weekly_report`], [`matrix_csv`] and the `reports` log
//!   ([`record_report`]).
//! - [`sample`] — [`sample::scripted_analysis`], a deterministic example analysis.
//! - [`changefile`] — change files: changes that travel without a network.
//! - `identity` — one person, many devices: member aliases (`sameAs`) resolved for every
//!   reader ([`AnalysisView::person`]).
//! - [`text_merge`] — [`text_merges`]: Text fields edited at the same time by different
//!   people, each side's version, and [`confirm_text_merge`].
//! - [`comments`] — threads on the analysis, items, positions and tasks; mentions, follows,
//!   resolve/reopen, bounds ([`comments::read_comments`], [`comments::threads`]).
//! - `error` — [`ModelError`].

mod access;
pub mod changefile;
pub mod comments;
mod conflict;
mod edit;
mod enums;
mod error;
mod export;
mod field_index;
mod files;
pub mod history;
pub mod i18n;
mod identity;
mod read;
pub mod report;
pub mod sample;
pub mod schema;
pub mod sessions;
pub mod template;
pub mod text_merge;
mod timestamp;
mod view;

pub use comments::CommentView;
pub use conflict::{Conflict, conflicts, resolve};
pub use edit::{
    Attribution, CountrySpec, CountryUpdate, ItemSpec, ItemUpdate, MeetingUpdate, NewTask,
    TextEdit, TrackSpec, add_country, add_file, add_item, add_source, add_task, add_task_with_id,
    alias_member, assign_task, commit_edit, edit_country_contacts, edit_item_summary,
    edit_position_notes, edit_task_notes, register_member, remove_file, remove_source,
    set_confidence, set_field, set_notes_internal, set_stance, set_task_status, set_task_title,
    set_task_track, set_task_when, set_title, set_track, update_country, update_item,
    update_meeting,
};
pub use enums::{Confidence, Priority, Stance, TaskStatus};
pub use error::ModelError;
pub use export::{export_json, export_json_pretty};
pub use field_index::FieldIndex;
pub use files::{
    FilePlace, FileRef, MAX_FILE_TEXT_CHARS, files_at, is_file_hash, referenced_files,
};
pub use history::{
    HistoryEdit, HistoryEntry, HistoryQuery, PositionChange, PositionChangeKind, changes_between,
    heads_before, history, view_at,
};
pub use read::{check_schema, read_analysis};
pub use report::{
    ReportOptions, ReportRecord, Since, last_report_before, matrix_csv, matrix_csv_in,
    record_report, weekly_report, weekly_report_in,
};
pub use schema::SCHEMA_ID;
pub use sessions::{HistorySession, SESSION_GAP_SECONDS, SessionEdit, history_sessions};
pub use template::{Template, new_analysis};
pub use text_merge::{TextMerge, TextMergeSide, confirm_text_merge, text_merges};
pub use timestamp::{Date, Timestamp};
pub use view::{
    AnalysisView, ConflictValue, CountryView, DelegationView, ItemView, MeetingView, MemberView,
    PositionView, TaskView, TrackView,
};
