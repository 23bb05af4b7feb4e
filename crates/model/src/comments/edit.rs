//! Writing comments: add, reply, edit and delete one's own, resolve/reopen a thread, the
//! urgent flag, and following a track or a position. Every check runs before the first write,
//! so an `Err` leaves the open transaction as it was.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ROOT, ReadDoc};

use super::{MAX_COMMENT_CHARS, MAX_DEPTH, MAX_MENTIONS, clean_comment_text, comment_by_id};
use crate::ModelError;
use crate::access::child_map;
use crate::edit::{Attribution, check_member, ensure_map};
use crate::identity::{canonical, read_aliases};
use crate::schema::{self, comment as key};

/// What a thread is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentTarget {
    /// The analysis as a whole.
    Analysis,
    /// An agenda item.
    Item(String),
    /// A country's position on an item.
    Position {
        /// ISO code.
        country: String,
        /// Item id.
        item: String,
    },
    /// A follow-up task.
    Task(String),
}

/// A comment to add: a new thread on `target`, or a reply to `parent` (which then decides the
/// target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    /// What a new thread is about (ignored for a reply).
    pub target: CommentTarget,
    /// The comment answered, if a reply.
    pub parent: Option<String>,
    /// The text: 1 to [`MAX_COMMENT_CHARS`] characters once cleaned.
    pub text: String,
    /// Needs someone now.
    pub urgent: bool,
    /// Member ids and `track:<id>` (at most [`MAX_MENTIONS`]).
    pub mentions: Vec<String>,
}

fn invalid(reason: impl Into<String>) -> ModelError {
    ModelError::InvalidComment(reason.into())
}

/// Adds a comment under a fresh uuid v4 and returns the id.
pub fn add_comment(
    doc: &mut AutoCommit,
    by: &Attribution,
    comment: &NewComment,
) -> Result<String, ModelError> {
    let id = uuid::Uuid::new_v4().to_string();
    add_comment_with_id(doc, &id, by, comment)?;
    Ok(id)
}

/// Adds a comment under a caller-chosen id (fixtures and tests).
pub fn add_comment_with_id(
    doc: &mut AutoCommit,
    id: &str,
    by: &Attribution,
    comment: &NewComment,
) -> Result<(), ModelError> {
    crate::edit::check_id("comment", id)?;
    check_member(doc, &by.member_id)?;
    let text = checked_text(&comment.text)?;
    let mentions = checked_mentions(doc, &comment.mentions)?;
    if comment_by_id(doc, id)?.is_some() {
        return Err(ModelError::AlreadyExists {
            kind: "comment",
            id: id.to_owned(),
        });
    }
    let target = match &comment.parent {
        Some(parent) => {
            let answered = comment_by_id(doc, parent)?
                .ok_or_else(|| ModelError::UnknownComment(parent.clone()))?;
            if depth_of(doc, parent)? + 1 > MAX_DEPTH {
                return Err(invalid(format!("replies nest at most {MAX_DEPTH} deep")));
            }
            target_of(&answered)
        }
        None => comment.target.clone(),
    };
    check_target(doc, &target)?;
    let comments = ensure_map(doc, &ROOT, schema::root::COMMENTS, &[])?;
    let entry = doc.put_object(&comments, id, automerge::ObjType::Map)?;
    write_target(doc, &entry, &target)?;
    doc.put(&entry, key::PARENT, comment.parent.as_deref().unwrap_or(""))?;
    doc.put(&entry, key::BY, by.member_id.as_str())?;
    doc.put(&entry, key::AT, by.at.as_str())?;
    doc.put(&entry, key::TEXT, text.as_str())?;
    if comment.urgent {
        doc.put(&entry, key::URGENT, true)?;
    }
    if !mentions.is_empty() {
        doc.put(&entry, key::MENTIONS, mentions.join(" "))?;
    }
    Ok(())
}

/// Replaces the text (and mentions) of one's own comment.
pub fn edit_comment(
    doc: &mut AutoCommit,
    id: &str,
    by: &Attribution,
    text: &str,
    mentions: &[String],
) -> Result<(), ModelError> {
    let entry = own_comment(doc, id, by)?;
    let text = checked_text(text)?;
    let mentions = checked_mentions(doc, mentions)?;
    doc.put(&entry, key::TEXT, text.as_str())?;
    doc.put(&entry, key::MENTIONS, mentions.join(" "))?;
    doc.put(&entry, key::EDITED, by.at.as_str())?;
    Ok(())
}

/// Deletes one's own comment: its text and mentions go, the entry (and its replies) stay.
pub fn delete_comment(doc: &mut AutoCommit, id: &str, by: &Attribution) -> Result<(), ModelError> {
    let entry = own_comment(doc, id, by)?;
    doc.put(&entry, key::DELETED, true)?;
    doc.put(&entry, key::TEXT, "")?;
    doc.put(&entry, key::MENTIONS, "")?;
    doc.put(&entry, key::EDITED, by.at.as_str())?;
    Ok(())
}

/// Resolves (`true`) or reopens (`false`) the thread whose first comment is `id`.
pub fn set_thread_resolved(
    doc: &mut AutoCommit,
    id: &str,
    by: &Attribution,
    resolved: bool,
) -> Result<(), ModelError> {
    check_member(doc, &by.member_id)?;
    let entry = find_comment(doc, id)?;
    if !comment_by_id(doc, id)?.is_some_and(|c| c.parent.is_empty()) {
        return Err(invalid(
            "only a thread's first comment is resolved or reopened",
        ));
    }
    let comments = super::read_comments(doc)?;
    let threads = super::threads(&comments);
    let seen = threads
        .iter()
        .find(|thread| thread.root == id)
        .map(|thread| {
            let replies: Vec<&str> = thread
                .comments
                .iter()
                .skip(1)
                .map(|(r, _)| r.as_str())
                .collect();
            replies.join(" ")
        })
        .unwrap_or_else(|| id.to_owned());
    doc.put(&entry, key::RESOLVED, resolved)?;
    doc.put(&entry, key::RESOLVED_BY, by.member_id.as_str())?;
    doc.put(&entry, key::RESOLVED_AT, by.at.as_str())?;
    doc.put(&entry, key::RESOLVED_SEEN, seen)?;
    Ok(())
}

/// Sets or clears a comment's urgent flag (anyone may: whoever went to room B clears it).
pub fn set_urgent(doc: &mut AutoCommit, id: &str, urgent: bool) -> Result<(), ModelError> {
    let entry = find_comment(doc, id)?;
    doc.put(&entry, key::URGENT, urgent)?;
    Ok(())
}

/// Follows (`true`) or stops following (`false`) `follow_key` ([`super::track_follow_key`],
/// [`super::position_follow_key`]) for a member.
pub fn set_follow(
    doc: &mut AutoCommit,
    member_id: &str,
    follow_key: &str,
    follow: bool,
) -> Result<(), ModelError> {
    check_member(doc, member_id)?;
    if !(follow_key.starts_with("track:") || follow_key.starts_with("position:")) {
        return Err(invalid(format!("cannot follow {follow_key:?}")));
    }
    let members = ensure_map(doc, &ROOT, schema::root::MEMBERS, &[])?;
    let member = ensure_map(doc, &members, member_id, &[schema::root::MEMBERS])?;
    let follows = ensure_map(
        doc,
        &member,
        schema::member::FOLLOWS,
        &[schema::root::MEMBERS, member_id],
    )?;
    doc.put(&follows, follow_key, follow)?;
    Ok(())
}

fn checked_text(text: &str) -> Result<String, ModelError> {
    let clean = clean_comment_text(text);
    let length = clean.chars().count();
    if clean.trim().is_empty() {
        return Err(invalid("a comment needs some text"));
    }
    if length > MAX_COMMENT_CHARS {
        return Err(invalid(format!(
            "a comment has at most {MAX_COMMENT_CHARS} characters, not {length}"
        )));
    }
    Ok(clean)
}

/// Mentions de-duplicated in order; each a member or `track:<an existing track>`.
fn checked_mentions(doc: &impl ReadDoc, mentions: &[String]) -> Result<Vec<String>, ModelError> {
    let mut out: Vec<String> = Vec::new();
    for mention in mentions {
        if out.contains(mention) {
            continue;
        }
        match mention.strip_prefix("track:") {
            Some(track) => {
                let tracks = child_map(doc, &ROOT, schema::root::TRACKS)?;
                let known = match tracks {
                    Some(tracks) => child_map(doc, &tracks, track)?.is_some(),
                    None => false,
                };
                if !known {
                    return Err(invalid(format!("no track {track:?} to mention")));
                }
            }
            None => check_member(doc, mention)?,
        }
        out.push(mention.clone());
    }
    if out.len() > MAX_MENTIONS {
        return Err(invalid(format!(
            "a comment mentions at most {MAX_MENTIONS} people or tracks"
        )));
    }
    Ok(out)
}

fn check_target(doc: &impl ReadDoc, target: &CommentTarget) -> Result<(), ModelError> {
    match target {
        CommentTarget::Analysis => Ok(()),
        CommentTarget::Item(item) => crate::edit::find_item(doc, item).map(drop),
        CommentTarget::Position { country, item } => {
            crate::edit::find_country(doc, country)?;
            crate::edit::find_item(doc, item).map(drop)
        }
        CommentTarget::Task(task) => crate::edit::find_task(doc, task).map(drop),
    }
}

fn write_target(
    doc: &mut AutoCommit,
    entry: &ObjId,
    target: &CommentTarget,
) -> Result<(), ModelError> {
    match target {
        CommentTarget::Analysis => doc.put(entry, key::ON, "analysis")?,
        CommentTarget::Item(item) => {
            doc.put(entry, key::ON, "item")?;
            doc.put(entry, key::ITEM, item.as_str())?;
        }
        CommentTarget::Position { country, item } => {
            doc.put(entry, key::ON, "position")?;
            doc.put(entry, key::COUNTRY, country.as_str())?;
            doc.put(entry, key::ITEM, item.as_str())?;
        }
        CommentTarget::Task(task) => {
            doc.put(entry, key::ON, "task")?;
            doc.put(entry, key::TASK, task.as_str())?;
        }
    }
    Ok(())
}

/// The target a comment names (as read).
pub(super) fn target_of(comment: &super::CommentView) -> CommentTarget {
    match comment.on.as_str() {
        "item" => CommentTarget::Item(comment.item.clone()),
        "position" => CommentTarget::Position {
            country: comment.country.clone(),
            item: comment.item.clone(),
        },
        "task" => CommentTarget::Task(comment.task.clone()),
        _ => CommentTarget::Analysis,
    }
}

/// How deep `id` sits (its thread's first comment is 0), walking parents that exist; a walk
/// longer than the bound (a hand-made cycle) stops there.
fn depth_of(doc: &impl ReadDoc, id: &str) -> Result<usize, ModelError> {
    let mut depth = 0;
    let mut at = comment_by_id(doc, id)?;
    while let Some(comment) = at {
        if comment.parent.is_empty() || depth > MAX_DEPTH {
            break;
        }
        at = comment_by_id(doc, &comment.parent)?;
        if at.is_some() {
            depth += 1;
        }
    }
    Ok(depth)
}

fn find_comment(doc: &impl ReadDoc, id: &str) -> Result<ObjId, ModelError> {
    let found = match child_map(doc, &ROOT, schema::root::COMMENTS)? {
        Some(comments) => child_map(doc, &comments, id)?,
        None => None,
    };
    found.ok_or_else(|| ModelError::UnknownComment(id.to_owned()))
}

/// The comment `id` if `by` wrote it (the same person through aliases) and it is not deleted.
fn own_comment(doc: &impl ReadDoc, id: &str, by: &Attribution) -> Result<ObjId, ModelError> {
    let entry = find_comment(doc, id)?;
    let comment =
        comment_by_id(doc, id)?.ok_or_else(|| ModelError::UnknownComment(id.to_owned()))?;
    let aliases = read_aliases(doc)?;
    if canonical(&aliases, &comment.by) != canonical(&aliases, &by.member_id) {
        return Err(invalid("only its author edits or deletes a comment"));
    }
    if comment.deleted {
        return Err(invalid("the comment was deleted"));
    }
    Ok(entry)
}
