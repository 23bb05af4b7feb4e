//! Follow-up tasks.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use super::text::{TextEdit, apply_text_edit, check_text_edit, text_slot};
use super::{check_id, check_member, ensure_map, find_task, put_new_text};
use crate::access::child_map;
use crate::schema;
use crate::{ModelError, TaskStatus};

/// A new task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTask {
    /// Short title.
    pub title: String,
    /// Track id, may be empty.
    pub track: String,
    /// Member id or `""`.
    pub assignee: String,
    /// Free-form due time.
    pub when: String,
    /// Initial notes.
    pub notes: String,
}

/// Adds a task under a fresh uuid v4 and returns that id.
pub fn add_task(doc: &mut AutoCommit, task: &NewTask) -> Result<String, ModelError> {
    let id = uuid::Uuid::new_v4().to_string();
    add_task_with_id(doc, &id, task)?;
    Ok(id)
}

/// Adds a task under a caller-chosen id (for deterministic fixtures and tests; the web
/// client and [`add_task`] use uuid v4 so concurrent adds never collide).
pub fn add_task_with_id(doc: &mut AutoCommit, id: &str, task: &NewTask) -> Result<(), ModelError> {
    check_id("task", id)?;
    if !task.assignee.is_empty() {
        check_member(doc, &task.assignee)?;
    }
    if let Some(tasks) = child_map(doc, &ROOT, schema::root::TASKS)?
        && doc.get(&tasks, id)?.is_some()
    {
        return Err(ModelError::AlreadyExists {
            kind: "task",
            id: id.to_owned(),
        });
    }
    let tasks = ensure_map(doc, &ROOT, schema::root::TASKS, &[])?;
    let entry = doc.put_object(&tasks, id, ObjType::Map)?;
    doc.put(&entry, schema::task::TITLE, task.title.as_str())?;
    doc.put(&entry, schema::task::TRACK, task.track.as_str())?;
    doc.put(&entry, schema::task::ASSIGNEE, task.assignee.as_str())?;
    doc.put(&entry, schema::task::WHEN, task.when.as_str())?;
    doc.put(&entry, schema::task::STATUS, TaskStatus::default().as_str())?;
    put_new_text(doc, &entry, schema::task::NOTES, &task.notes)?;
    Ok(())
}

/// Assigns a task to a member, or unassigns it with `""`.
pub fn assign_task(doc: &mut AutoCommit, task_id: &str, member_id: &str) -> Result<(), ModelError> {
    let task = find_task(doc, task_id)?;
    if !member_id.is_empty() {
        check_member(doc, member_id)?;
    }
    doc.put(&task, schema::task::ASSIGNEE, member_id)?;
    Ok(())
}

/// Sets a task's status.
pub fn set_task_status(
    doc: &mut AutoCommit,
    task_id: &str,
    status: TaskStatus,
) -> Result<(), ModelError> {
    let task = find_task(doc, task_id)?;
    doc.put(&task, schema::task::STATUS, status.as_str())?;
    Ok(())
}

/// Sets a task's free-form due time.
pub fn set_task_when(doc: &mut AutoCommit, task_id: &str, when: &str) -> Result<(), ModelError> {
    let task = find_task(doc, task_id)?;
    doc.put(&task, schema::task::WHEN, when)?;
    Ok(())
}

/// Sets a task's title.
pub fn set_task_title(doc: &mut AutoCommit, task_id: &str, title: &str) -> Result<(), ModelError> {
    let task = find_task(doc, task_id)?;
    doc.put(&task, schema::task::TITLE, title)?;
    Ok(())
}

/// Sets a task's track id.
pub fn set_task_track(doc: &mut AutoCommit, task_id: &str, track: &str) -> Result<(), ModelError> {
    let task = find_task(doc, task_id)?;
    doc.put(&task, schema::task::TRACK, track)?;
    Ok(())
}

/// Edits a task's notes in place.
pub fn edit_task_notes(
    doc: &mut AutoCommit,
    task_id: &str,
    edit: &TextEdit<'_>,
) -> Result<(), ModelError> {
    let task = find_task(doc, task_id)?;
    let path = [schema::root::TASKS, task_id, schema::task::NOTES];
    let slot = text_slot(doc, Some(&task), schema::task::NOTES, &path)?;
    check_text_edit(edit, slot.len(doc))?;
    apply_text_edit(doc, &task, schema::task::NOTES, slot, edit)
}
