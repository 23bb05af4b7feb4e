//! Typed, merge-safe edits on an [`AutoCommit`] document.
//!
//! # Transactions
//! Edit functions **never commit**: they stage operations in the document's open
//! transaction. Call [`commit_edit`] (or [`AutoCommit::commit_with`]) afterwards to seal them
//! into one change with a message and a time; several edits may share one change (e.g. a form
//! that sets stance, confidence and notes together). Each edit checks ids and input before
//! its first write, so an `Err` leaves the transaction as it was (short of a document whose
//! structure is already broken, e.g. a `positions` key holding a string).
//!
//! # Rules followed (docs/schema.md)
//! - Enum-like and identity fields are written as scalar `Str` (rule 2).
//! - Prose (`summary`, `notes`, `contacts`) is a `Text` object edited in place with splices
//!   (rule 3); [`TextEdit::Replace`] diffs into splices, it never swaps the object.
//! - Objects are created once: adding an item creates its position in every country, adding
//!   a country creates a position for every item, and an edit that finds a position, list or
//!   text missing creates just that (rule 4). Unknown keys are never touched.
//! - File references are appended once to a `files` list created on first use and removed by
//!   hash from every conflicting list (`files`; reading them is `crate::files`).
//! - Every position edit writes `updatedBy`/`updatedAt` in the same change (rule 6).

mod countries;
mod document;
mod files;
mod items;
mod members;
mod path;
mod positions;
mod tasks;
mod text;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};

use crate::access::{MAP_TYPES, child_map, describe};
use crate::schema;
use crate::{ModelError, Timestamp};

pub use countries::{
    CountrySpec, CountryUpdate, add_country, edit_country_contacts, update_country,
};
pub use document::{MeetingUpdate, TrackSpec, set_title, set_track, update_meeting};
pub use files::{add_file, remove_file};
pub use items::{ItemSpec, ItemUpdate, add_item, edit_item_summary, update_item};
pub use members::{alias_member, register_member};
pub use path::set_field;
pub(crate) use positions::stamp_position;
pub use positions::{
    add_source, edit_position_notes, remove_source, set_confidence, set_notes_internal, set_stance,
};
pub use tasks::{
    NewTask, add_task, add_task_with_id, assign_task, edit_task_notes, set_task_status,
    set_task_title, set_task_track, set_task_when,
};
pub use text::TextEdit;

/// Who makes a position edit and when; written to `updatedBy` / `updatedAt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// A key of `members`.
    pub member_id: String,
    /// The caller's clock; the model never reads one.
    pub at: Timestamp,
}

impl Attribution {
    /// Attribution for `member_id` at `at`.
    pub fn new(member_id: impl Into<String>, at: Timestamp) -> Self {
        Self {
            member_id: member_id.into(),
            at,
        }
    }
}

/// Seals the staged operations into one change with `message`, timed at `at`.
/// Returns `None` when nothing was staged.
pub fn commit_edit(doc: &mut AutoCommit, message: &str, at: &Timestamp) -> Option<ChangeHash> {
    doc.commit_with(
        CommitOptions::default()
            .with_message(message)
            .with_time(at.unix_seconds()),
    )
}

// Shared by the edit modules.

pub(crate) fn check_id(kind: &'static str, id: &str) -> Result<(), ModelError> {
    if id.is_empty() || id.trim() != id {
        return Err(ModelError::InvalidId {
            kind,
            id: id.to_owned(),
        });
    }
    Ok(())
}

pub(crate) fn check_member(doc: &impl ReadDoc, member_id: &str) -> Result<(), ModelError> {
    find_entry(doc, schema::root::MEMBERS, member_id)?
        .map(|_| ())
        .ok_or_else(|| ModelError::UnknownMember(member_id.to_owned()))
}

pub(crate) fn find_country(doc: &impl ReadDoc, code: &str) -> Result<ObjId, ModelError> {
    find_entry(doc, schema::root::COUNTRIES, code)?
        .ok_or_else(|| ModelError::UnknownCountry(code.to_owned()))
}

pub(crate) fn find_item(doc: &impl ReadDoc, item_id: &str) -> Result<ObjId, ModelError> {
    find_entry(doc, schema::root::ITEMS, item_id)?
        .ok_or_else(|| ModelError::UnknownItem(item_id.to_owned()))
}

pub(crate) fn find_task(doc: &impl ReadDoc, task_id: &str) -> Result<ObjId, ModelError> {
    find_entry(doc, schema::root::TASKS, task_id)?
        .ok_or_else(|| ModelError::UnknownTask(task_id.to_owned()))
}

/// `root[collection][id]` if it is a map.
fn find_entry(doc: &impl ReadDoc, collection: &str, id: &str) -> Result<Option<ObjId>, ModelError> {
    match child_map(doc, &ROOT, collection)? {
        Some(map) => child_map(doc, &map, id),
        None => Ok(None),
    }
}

/// Writes `value` under `key` when it is `Some`.
fn put_some(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: Option<&str>,
) -> Result<(), ModelError> {
    if let Some(value) = value {
        doc.put(obj, key, value)?;
    }
    Ok(())
}

/// The map under `key`, created if missing (rule 4). `parent_path` is for errors.
pub(crate) fn ensure_map(
    doc: &mut AutoCommit,
    parent: &ObjId,
    key: &str,
    parent_path: &[&str],
) -> Result<ObjId, ModelError> {
    ensure_object(doc, parent, key, parent_path, ObjType::Map)
}

/// The list under `key`, created if missing (rule 4). `path` is the list's own path.
pub(crate) fn ensure_list(
    doc: &mut AutoCommit,
    parent: &ObjId,
    key: &str,
    path: &[&str],
) -> Result<ObjId, ModelError> {
    ensure_object(
        doc,
        parent,
        key,
        &path[..path.len().saturating_sub(1)],
        ObjType::List,
    )
}

fn ensure_object(
    doc: &mut AutoCommit,
    parent: &ObjId,
    key: &str,
    parent_path: &[&str],
    obj_type: ObjType,
) -> Result<ObjId, ModelError> {
    let accepted: &[ObjType] = if obj_type == ObjType::Map {
        MAP_TYPES
    } else {
        &[obj_type]
    };
    match doc.get(parent, key)? {
        Some((Value::Object(found), id)) if accepted.contains(&found) => Ok(id),
        Some((other, _)) => Err(ModelError::UnexpectedType {
            path: parent_path
                .iter()
                .map(|part| (*part).to_owned())
                .chain([key.to_owned()])
                .collect(),
            expected: if obj_type == ObjType::Map {
                "a map"
            } else {
                "a list"
            },
            found: describe(&other),
        }),
        None => Ok(doc.put_object(parent, key, obj_type)?),
    }
}

/// Creates a Text object holding `content`.
fn put_new_text(
    doc: &mut AutoCommit,
    parent: &ObjId,
    key: &str,
    content: &str,
) -> Result<ObjId, ModelError> {
    let text = doc.put_object(parent, key, ObjType::Text)?;
    if !content.is_empty() {
        doc.splice_text(&text, 0, 0, content)?;
    }
    Ok(text)
}
