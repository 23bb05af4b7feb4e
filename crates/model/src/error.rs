//! The one error type of the crate.
//!
//! Reads fail only on a document that is not an analysis (schema) or on an automerge error;
//! everything else a reader meets is tolerated. Edits fail on unknown ids and on malformed
//! input, and they check all of that before their first write, so an `Err` leaves the
//! document's open transaction as it was.

use thiserror::Error;

/// Everything that can go wrong in the model.
#[derive(Debug, Error)]
pub enum ModelError {
    /// The root has no `schema` key: not an analysis document (or not loaded yet).
    #[error("the document has no `schema`; it is not a caucus analysis")]
    MissingSchema,
    /// The root `schema` names another schema or version.
    #[error("unsupported schema {found:?}; this build reads {expected:?}")]
    UnsupportedSchema {
        /// The schema the document declares.
        found: String,
        /// The schema this build understands.
        expected: &'static str,
    },
    /// No catalog for this language (`--lang`).
    #[error("no language {lang:?}; there are: {known}")]
    UnknownLanguage {
        /// The language asked for.
        lang: String,
        /// The languages there are catalogs for.
        known: String,
    },
    /// A catalog in i18n/ does not parse (caught by the catalog tests before a build ships).
    #[error("catalog {0}")]
    Catalog(String),
    /// No country with this code in `countries`.
    #[error("unknown country {0:?}")]
    UnknownCountry(String),
    /// No item with this id in `items`.
    #[error("unknown item {0:?}")]
    UnknownItem(String),
    /// No task with this id in `tasks`.
    #[error("unknown task {0:?}")]
    UnknownTask(String),
    /// No member with this id in `members`.
    #[error("unknown member {0:?}")]
    UnknownMember(String),
    /// The position has no such source to remove.
    #[error("position {country}/{item} has no source {source_text:?}")]
    UnknownSource {
        /// Country code of the position.
        country: String,
        /// Item id of the position.
        item: String,
        /// The source that was asked for.
        source_text: String,
    },
    /// An add found the id already taken.
    #[error("{kind} {id:?} already exists")]
    AlreadyExists {
        /// What kind of thing (`"item"`, `"country"`, `"task"`).
        kind: &'static str,
        /// The id that is taken.
        id: String,
    },
    /// An id (map key) is empty or has surrounding whitespace.
    #[error("invalid {kind} id {id:?}")]
    InvalidId {
        /// What kind of id.
        kind: &'static str,
        /// The offending id.
        id: String,
    },
    /// A string that should name an enum value does not.
    #[error("invalid {field} value {value:?}")]
    InvalidValue {
        /// The enum's field name.
        field: &'static str,
        /// The rejected text.
        value: String,
    },
    /// A timestamp that is not RFC 3339 (`2026-11-09T10:00:00Z`).
    #[error("invalid RFC 3339 timestamp {0:?}")]
    InvalidTimestamp(String),
    /// A date that is not `YYYY-MM-DD` (a UTC day).
    #[error("invalid date {0:?}, expected YYYY-MM-DD")]
    InvalidDate(String),
    /// A change hash that is not in the document (or not 64 hex digits).
    #[error("unknown change {0:?}")]
    UnknownChange(String),
    /// A [`crate::FieldIndex`] asked about a document whose changes it does not cover
    /// exactly (not updated since the document changed, or built from another document).
    #[error("the field index does not cover this document's changes: update or rebuild it")]
    StaleIndex,
    /// A [`crate::FieldIndex`] cannot number more changes (2^32).
    #[error("the field index is full")]
    IndexFull,
    /// An operation that must start its own change found edits staged in the open
    /// transaction; commit them first.
    #[error("{0} needs a change of its own: commit the staged edits first")]
    PendingEdits(&'static str),
    /// A text edit reaches past the end of the text.
    #[error("text edit at {pos} deleting {delete} is outside a text of length {len}")]
    SpliceOutOfRange {
        /// Where the edit starts.
        pos: usize,
        /// How many characters it deletes.
        delete: usize,
        /// The current length of the text.
        len: usize,
    },
    /// A path does not lead to anything in the document.
    #[error("nothing at {}", .0.join("/"))]
    NoSuchPath(Vec<String>),
    /// The value at a path is of a type the operation cannot work with.
    #[error("{} holds {found}, expected {expected}", .path.join("/"))]
    UnexpectedType {
        /// Where.
        path: Vec<String>,
        /// What the operation needs.
        expected: &'static str,
        /// What the document has.
        found: String,
    },
    /// The conflict is between objects (e.g. two position maps created concurrently);
    /// writing a scalar would replace an object, which the merge-safety rules forbid.
    #[error("{} is a conflict between objects and cannot be resolved by writing a value", .0.join("/"))]
    ObjectConflict(Vec<String>),
    /// A comment that breaks a rule of docs/schema.md "Comments" (empty, too long, too many
    /// mentions, too deep, not one's own, ...).
    #[error("comment refused: {0}")]
    InvalidComment(String),
    /// No comment with this id in `comments`.
    #[error("unknown comment {0:?}")]
    UnknownComment(String),
    /// A file hash that is not 64 lowercase hex digits (a SHA-256).
    #[error("invalid file hash {0:?}: expected 64 lowercase hex digits (SHA-256)")]
    InvalidFileHash(String),
    /// A file reference field that is empty or too long.
    #[error("file {field} must have {min} to {max} characters, not {length}")]
    InvalidFileField {
        /// `"name"`, `"type"` or `"device"`.
        field: &'static str,
        /// Its length in characters (Unicode scalar values).
        length: usize,
        /// The fewest allowed.
        min: usize,
        /// The most allowed.
        max: usize,
    },
    /// No reference to this file at this place to remove.
    #[error("no file {hash:?} at {}", .place.join("/"))]
    UnknownFile {
        /// The path of the place (`["items", "res-102"]`, `[]` for the analysis).
        place: Vec<String>,
        /// The hash that was asked for.
        hash: String,
    },
    /// A template that cannot be turned into a document.
    #[error("invalid template: {0}")]
    InvalidTemplate(String),
    /// The embedded or given template JSON does not parse.
    #[error("template JSON: {0}")]
    TemplateJson(#[from] serde_json::Error),
    /// An error from automerge itself.
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}
