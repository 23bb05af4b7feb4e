//! Comments: threads next to what they are about (the analysis, an item, a position, a task),
//! and who follows what (docs/schema.md "Comments").
//!
//! Comments live in the analysis document under root `comments` (commentId → Comment), every
//! value a scalar: one author per comment, so its text is replaced whole by an edit instead of
//! being collaborative Text, which keeps a comment at about ten operations and an analysis
//! with 5,000 of them quick to load. This module owns the shape, the bounds, the tolerant read
//! ([`read_comments`]) and the thread rules ([`threads`]); `edit.rs` writes.

mod edit;
mod threads;

use std::collections::BTreeMap;

use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, ScalarValueRef, Value, ValueRef};
use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::access::{child_map, map_keys, read_optional_bool};
use crate::schema;

pub use edit::{
    CommentTarget, NewComment, add_comment, add_comment_with_id, delete_comment, edit_comment,
    set_follow, set_thread_resolved, set_urgent,
};
pub use threads::{Thread, threads};

/// The most characters (Unicode scalar values) a comment's text may have.
pub const MAX_COMMENT_CHARS: usize = 4_000;
/// The most mentions one comment may carry (each `@track` one).
pub const MAX_MENTIONS: usize = 20;
/// How deep replies nest: a thread's first comment is depth 0.
pub const MAX_DEPTH: usize = 4;

/// One comment as read (docs/schema.md "Comments"); every field present in the JSON export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    /// `analysis`, `item`, `position` or `task` (anything else reads as `analysis`).
    pub on: String,
    /// The item of an item or position comment, else `""`.
    pub item: String,
    /// The country of a position comment, else `""`.
    pub country: String,
    /// The task of a task comment, else `""`.
    pub task: String,
    /// The comment answered, `""` for a thread's first comment.
    pub parent: String,
    /// Member id of the author.
    pub by: String,
    /// RFC 3339 time it was written.
    pub at: String,
    /// The text, bidi controls removed, at most [`MAX_COMMENT_CHARS`] characters.
    pub text: String,
    /// RFC 3339 time of the author's last edit, `""` when never edited.
    pub edited: String,
    /// The author deleted it (its text is empty; replies stay).
    pub deleted: bool,
    /// Flagged for immediate attention.
    pub urgent: bool,
    /// Member ids and `track:<id>`, at most [`MAX_MENTIONS`].
    pub mentions: Vec<String>,
    /// The thread is resolved (first comments only; reopen wins a conflict).
    pub resolved: bool,
    /// Who resolved it last, `""` if never.
    pub resolved_by: String,
    /// When it was resolved last, `""` if never.
    pub resolved_at: String,
    /// The replies the resolver had when resolving (absent in older comments: then `at` decides).
    pub resolved_seen: Vec<String>,
}

/// The kinds of thing a comment can be about.
pub const TARGET_KINDS: [&str; 4] = ["analysis", "item", "position", "task"];

/// Characters that reorder the text around them (embeddings, overrides, isolates): removed
/// from comments when written and when read, so a comment cannot disguise what follows it.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` without bidi controls or other control characters except newlines and tabs.
pub fn clean_comment_text(text: &str) -> String {
    text.chars()
        .filter(|&c| !is_bidi_control(c) && (!c.is_control() || c == '\n' || c == '\t'))
        .collect()
}

/// `text` cleaned and clipped to [`MAX_COMMENT_CHARS`] (a reader's bound: "…" marks a clip).
fn clip(text: &str) -> String {
    let clean = clean_comment_text(text);
    if clean.chars().count() <= MAX_COMMENT_CHARS {
        return clean;
    }
    let mut out: String = clean.chars().take(MAX_COMMENT_CHARS - 1).collect();
    out.push('…');
    out
}

/// Every comment of the document, by id; entries that are not maps are left out.
pub fn read_comments(doc: &impl ReadDoc) -> Result<BTreeMap<String, CommentView>, ModelError> {
    let mut out = BTreeMap::new();
    let Some(comments) = child_map(doc, &ROOT, schema::root::COMMENTS)? else {
        return Ok(out);
    };
    for id in map_keys(doc, &comments) {
        if let Some(entry) = child_map(doc, &comments, &id)? {
            out.insert(id, read_comment(doc, &entry)?);
        }
    }
    Ok(out)
}

/// One comment by id, if it is there and a map.
pub fn comment_by_id(doc: &impl ReadDoc, id: &str) -> Result<Option<CommentView>, ModelError> {
    let Some(comments) = child_map(doc, &ROOT, schema::root::COMMENTS)? else {
        return Ok(None);
    };
    match child_map(doc, &comments, id)? {
        Some(entry) => Ok(Some(read_comment(doc, &entry)?)),
        None => Ok(None),
    }
}

/// Reads a comment in one pass over its map (a lookup per key costs ~15 times more on a large
/// document: this is what a three-week analysis's 5,000 comments cost every export).
fn read_comment(doc: &impl ReadDoc, entry: &ObjId) -> Result<CommentView, ModelError> {
    use schema::comment as key;
    let mut view = CommentView::default();
    let mut mentions = String::new();
    let mut resolved_conflict = false;
    for item in doc.map_range(entry, ..) {
        let text = match &item.value {
            ValueRef::Scalar(ScalarValueRef::Str(text)) => Some(text.to_string()),
            ValueRef::Object(ObjType::Text) => Some(doc.text(item.id())?),
            _ => None,
        };
        let flag = matches!(item.value, ValueRef::Scalar(ScalarValueRef::Boolean(true)));
        let slot = match item.key.as_ref() {
            key::ON => &mut view.on,
            key::ITEM => &mut view.item,
            key::COUNTRY => &mut view.country,
            key::TASK => &mut view.task,
            key::PARENT => &mut view.parent,
            key::BY => &mut view.by,
            key::AT => &mut view.at,
            key::TEXT => &mut view.text,
            key::EDITED => &mut view.edited,
            key::MENTIONS => &mut mentions,
            key::RESOLVED_BY => &mut view.resolved_by,
            key::RESOLVED_AT => &mut view.resolved_at,
            key::DELETED => {
                view.deleted = flag;
                continue;
            }
            key::URGENT => {
                view.urgent = flag;
                continue;
            }
            key::RESOLVED => {
                view.resolved = flag;
                resolved_conflict = item.conflict;
                continue;
            }
            key::RESOLVED_SEEN => {
                view.resolved_seen = text
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                continue;
            }
            _ => continue,
        };
        *slot = text.unwrap_or_default();
    }
    if !TARGET_KINDS.contains(&view.on.as_str()) {
        "analysis".clone_into(&mut view.on);
    }
    view.text = clip(&view.text);
    view.mentions = mentions
        .split_whitespace()
        .map(clean_comment_text)
        .filter(|m| !m.is_empty())
        .take(MAX_MENTIONS)
        .collect();
    if resolved_conflict {
        view.resolved = resolved(doc, entry)?;
    }
    Ok(view)
}

/// `resolved` with the rule of docs/schema.md: every value `true` (usually one), else open
/// (a concurrent reopen wins over a resolve).
fn resolved(doc: &impl ReadDoc, entry: &ObjId) -> Result<bool, ModelError> {
    let values = doc.get_all(entry, schema::comment::RESOLVED)?;
    Ok(!values.is_empty()
        && values.iter().all(|(value, _)| {
            matches!(value, Value::Scalar(s) if matches!(s.as_ref(), ScalarValue::Boolean(true)))
        }))
}

/// A member's `follows` (`track:<id>`, `position:<CC>:<itemId>` → following).
pub fn read_follows(
    doc: &impl ReadDoc,
    member: &ObjId,
) -> Result<BTreeMap<String, bool>, ModelError> {
    let mut out = BTreeMap::new();
    if let Some(follows) = child_map(doc, member, schema::member::FOLLOWS)? {
        for key in map_keys(doc, &follows) {
            if let Some(flag) = read_optional_bool(doc, &follows, &key)? {
                out.insert(key, flag);
            }
        }
    }
    Ok(out)
}

/// The follow key of a track.
pub fn track_follow_key(track: &str) -> String {
    format!("track:{track}")
}

/// The follow key of a position.
pub fn position_follow_key(country: &str, item: &str) -> String {
    format!("position:{country}:{item}")
}
