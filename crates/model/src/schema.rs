//! The names of the document: schema id and keys, as listed in `docs/schema.md`.
//!
//! Every key the model reads or writes is spelled here once, so the Rust side and the
//! TypeScript side (web/src/model) can be checked against one list.

/// The value of the root `schema` key this build reads and writes.
pub const SCHEMA_ID: &str = "caucus/analysis@1";

/// Root keys.
pub mod root {
    /// Schema id, [`super::SCHEMA_ID`].
    pub const SCHEMA: &str = "schema";
    /// Analysis title.
    pub const TITLE: &str = "title";
    /// Meeting map.
    pub const MEETING: &str = "meeting";
    /// trackId → track map.
    pub const TRACKS: &str = "tracks";
    /// itemId → item map.
    pub const ITEMS: &str = "items";
    /// ISO 3166-1 alpha-2 → country map.
    pub const COUNTRIES: &str = "countries";
    /// uuid → task map.
    pub const TASKS: &str = "tasks";
    /// memberId → member map.
    pub const MEMBERS: &str = "members";
    /// `YYYY-MM-DD` → report record map (optional; see [`super::report`]).
    pub const REPORTS: &str = "reports";
    /// Field key → confirmed heads of text merges (optional; see `text_merge`).
    pub const CONFIRMED_MERGES: &str = "confirmedMerges";
    /// commentId → comment map (optional; see [`super::comment`]).
    pub const COMMENTS: &str = "comments";
}

/// Keys of the `meeting` map.
pub mod meeting {
    /// Meeting name.
    pub const NAME: &str = "name";
    /// City and country.
    pub const VENUE: &str = "venue";
    /// First day, `YYYY-MM-DD`.
    pub const STARTS: &str = "starts";
    /// Last day, `YYYY-MM-DD`.
    pub const ENDS: &str = "ends";
}

/// Keys of a track map.
pub mod track {
    /// Display name.
    pub const NAME: &str = "name";
}

/// Keys of an item map.
pub mod item {
    /// Short code, e.g. `Res 102`.
    pub const CODE: &str = "code";
    /// Full title.
    pub const TITLE: &str = "title";
    /// Track id.
    pub const TRACK: &str = "track";
    /// `high` | `medium` | `low`.
    pub const PRIORITY: &str = "priority";
    /// Theme id.
    pub const THEME: &str = "theme";
    /// Text: collaborative summary.
    pub const SUMMARY: &str = "summary";
}

/// Keys of a country map.
pub mod country {
    /// English short name.
    pub const NAME: &str = "name";
    /// ITU region.
    pub const REGION: &str = "region";
    /// Delegation map.
    pub const DELEGATION: &str = "delegation";
    /// itemId → position map.
    pub const POSITIONS: &str = "positions";
}

/// Keys of a country's delegation map.
pub mod delegation {
    /// `true` | `false` | `null` (not known).
    pub const OPEN_TO_CIVIL_SOCIETY: &str = "openToCivilSociety";
    /// Text: collaborative contact notes.
    pub const CONTACTS: &str = "contacts";
}

/// Keys of a position map.
pub mod position {
    /// [`crate::Stance`].
    pub const STANCE: &str = "stance";
    /// [`crate::Confidence`].
    pub const CONFIDENCE: &str = "confidence";
    /// Text: collaborative notes.
    pub const NOTES: &str = "notes";
    /// Boolean scalar: the notes stay inside the coalition (left out of the weekly report and
    /// the CSV matrix). Written `true` on new positions; missing reads as `false`.
    pub const NOTES_INTERNAL: &str = "notesInternal";
    /// List of source strings (URLs, document numbers).
    pub const SOURCES: &str = "sources";
    /// Member id of the last editor.
    pub const UPDATED_BY: &str = "updatedBy";
    /// RFC 3339 time of the last edit.
    pub const UPDATED_AT: &str = "updatedAt";
}

/// Keys of a task map.
pub mod task {
    /// Short title.
    pub const TITLE: &str = "title";
    /// Track id (may be empty).
    pub const TRACK: &str = "track";
    /// Member id, or `""` when unassigned.
    pub const ASSIGNEE: &str = "assignee";
    /// Free-form due time, e.g. `2026-11-12` or `before COM5 Tuesday`.
    pub const WHEN: &str = "when";
    /// [`crate::TaskStatus`].
    pub const STATUS: &str = "status";
    /// Text: collaborative notes.
    pub const NOTES: &str = "notes";
}

/// Keys of a member map.
pub mod member {
    /// Display name.
    pub const NAME: &str = "name";
    /// Organisation.
    pub const ORG: &str = "org";
    /// List of automerge actor ids (hex) this member edits with.
    pub const ACTORS: &str = "actors";
    /// Scalar member id: this record is another device's record of that person (an alias;
    /// docs/schema.md "One person, many devices").
    pub const SAME_AS: &str = "sameAs";
    /// List of relay token ids (`/api/me` `tokenId`) this person uses.
    pub const TOKENS: &str = "tokens";
    /// Map `track:<id>` / `position:<CC>:<itemId>` → boolean: what this person follows.
    pub const FOLLOWS: &str = "follows";
}

/// Keys of a comment, `comments[commentId]` (docs/schema.md "Comments"). All scalars.
pub mod comment {
    /// `analysis` | `item` | `position` | `task`.
    pub const ON: &str = "on";
    /// Item id (item and position comments).
    pub const ITEM: &str = "item";
    /// Country code (position comments).
    pub const COUNTRY: &str = "country";
    /// Task id (task comments).
    pub const TASK: &str = "task";
    /// The comment answered, or `""`.
    pub const PARENT: &str = "parent";
    /// Member id of the author.
    pub const BY: &str = "by";
    /// RFC 3339 time written.
    pub const AT: &str = "at";
    /// The text (scalar string).
    pub const TEXT: &str = "text";
    /// RFC 3339 time of the last edit.
    pub const EDITED: &str = "edited";
    /// Boolean: deleted by its author.
    pub const DELETED: &str = "deleted";
    /// Boolean: needs someone now.
    pub const URGENT: &str = "urgent";
    /// Space-separated member ids and `track:<id>`.
    pub const MENTIONS: &str = "mentions";
    /// Boolean, on a thread's first comment.
    pub const RESOLVED: &str = "resolved";
    /// Member id of who resolved it.
    pub const RESOLVED_BY: &str = "resolvedBy";
    /// RFC 3339 time it was resolved.
    pub const RESOLVED_AT: &str = "resolvedAt";
    /// Space-separated ids of the replies the resolver had when resolving.
    pub const RESOLVED_SEEN: &str = "resolvedSeen";
}

/// Keys of a report record, `reports[YYYY-MM-DD]`, written when a report is marked as sent.
pub mod report {
    /// Member id of who sent it.
    pub const BY: &str = "by";
    /// RFC 3339 time it was marked as sent.
    pub const AT: &str = "at";
    /// List of hex change hashes: the sender's heads when it was marked.
    pub const HEADS: &str = "heads";
}

/// Optional key on the root, an item map, a position map and a task map: a List of file
/// reference maps (docs/schema.md "Files (conference documents)", `crate::files`).
pub const FILES: &str = "files";

/// Keys of a file reference, an entry of a `files` list. All scalar strings except `size`.
pub mod file {
    /// 64 lowercase hex digits: SHA-256 of the bytes the relay stores.
    pub const HASH: &str = "hash";
    /// File name.
    pub const NAME: &str = "name";
    /// MIME type.
    pub const TYPE: &str = "type";
    /// Integer number of bytes (the plaintext size in a sealed analysis).
    pub const SIZE: &str = "size";
    /// Member id of who attached it.
    pub const ADDED_BY: &str = "addedBy";
    /// RFC 3339 time it was attached.
    pub const ADDED_AT: &str = "addedAt";
    /// Optional short label of the device that attached it, e.g. "Firefox on Android".
    pub const DEVICE: &str = "device";
}

/// Keys that record who touched a position last. They are bookkeeping written with every
/// position edit, so concurrent edits of one position almost always leave two values here;
/// [`crate::conflicts`] does not report those (the winner is as good as the loser).
pub const BOOKKEEPING_KEYS: [&str; 2] = [position::UPDATED_BY, position::UPDATED_AT];
