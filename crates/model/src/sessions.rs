//! History by editing session: the changes of [`history()`](crate::history()) folded into what
//! a person did ("Ana edited the notes of BR on Res 102 from 09:30 to 09:41"), so a paragraph
//! typed key by key is one entry instead of hundreds ("History by editing session" in
//! docs/reports-history-changes.md).
//!
//! The rule: consecutive changes by one member (a change's actor → `members[*].actors`; an
//! actor no member claims stands for itself) to one field (the same set of edited paths, as
//! [`HistoryEntry::edits`] lists them) with no gap over [`SESSION_GAP_SECONDS`] between one
//! change and the next are one session. "Consecutive" is per member: another person's change
//! elsewhere in between does not split a session, but another person's change to the same
//! field does (otherwise the session's "before → after" would pass their words off as ours),
//! and so does the member's own change to another field.
//!
//! A session carries each field's value before its first change (at that change's
//! dependencies) and after its last, and its raw changes, newest first.

use std::collections::{BTreeMap, HashMap};

use automerge::{Automerge, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::ModelError;
use crate::access::ActorDirectory;
use crate::history::{
    HistoryEntry, HistoryQuery, Walked, change_edits, change_time, decoded_ops, entry_of, json_at,
    member_names,
};

/// The longest pause, in seconds, between two changes of one editing session (five minutes).
pub const SESSION_GAP_SECONDS: i64 = 300;

/// One editing session: consecutive changes by one member to one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistorySession {
    /// The newest change's time, RFC 3339 UTC (`""` when it has none).
    pub at: String,
    /// The oldest change's time, RFC 3339 UTC (`""` when it has none).
    pub started_at: String,
    /// Hex actor id of the newest change (a member may edit from several devices).
    pub actor: String,
    /// The member, if the actors are registered.
    pub member: Option<String>,
    /// That member's name.
    pub member_name: Option<String>,
    /// Each field the session edited, with its value before and after the session.
    pub edits: Vec<SessionEdit>,
    /// The session's changes, newest first, as [`history()`](crate::history()) lists them.
    pub changes: Vec<HistoryEntry>,
}

/// A field an editing session changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEdit {
    /// Keys (list indexes as decimal strings) from the root.
    pub path: Vec<String>,
    /// The value right before the session's first change (`null`: the field did not exist).
    pub before: Json,
    /// The value right after its last change, as in [`crate::HistoryEdit::value`].
    pub after: Json,
}

/// A session while the walk (newest change first) is still extending it backwards.
struct Building {
    who: String,
    field: Vec<Vec<String>>,
    /// Each field's value after the newest change (the first one the walk meets).
    after: Vec<Json>,
    /// The newest change's time, actor and member.
    at: String,
    actor: String,
    member: Option<String>,
    oldest_time: i64,
    oldest_deps: Vec<ChangeHash>,
    changes: Vec<HistoryEntry>,
}

/// The document's editing sessions under `query.path`, newest first, at most `query.limit`
/// of them (the limit counts sessions, not changes).
///
/// Changes are walked newest first (by time; one actor's changes by sequence number); the walk
/// stops once no older change can join any of the sessions it returns (older than the oldest
/// change of each by more than [`SESSION_GAP_SECONDS`]).
///
/// [`crate::FieldIndex::history_sessions`] gives the same answer decoding only the changes
/// that can have touched the field.
pub fn history_sessions(
    doc: &Automerge,
    query: &HistoryQuery,
) -> Result<Vec<HistorySession>, ModelError> {
    let mut metas = doc.get_changes_meta(&[]);
    metas.sort_by(|a, b| (b.timestamp, &a.actor, b.seq).cmp(&(a.timestamp, &b.actor, a.seq)));
    walk_sessions(doc, query, metas.into_iter().map(|meta| Ok((meta, None))))
}

/// The walk behind [`history_sessions`]: `metas` in its order, every change that may have
/// touched `query.path`. Leaving out changes that cannot is safe: they would be skipped, and
/// whether the walk is settled only grows as time goes back.
pub(crate) fn walk_sessions<'a>(
    doc: &'a Automerge,
    query: &HistoryQuery,
    metas: impl Iterator<Item = Walked<'a>>,
) -> Result<Vec<HistorySession>, ModelError> {
    let limit = query.effective_limit();
    let actors = ActorDirectory::read(doc)?;
    let names = member_names(doc)?;
    let mut sessions: Vec<Building> = Vec::new();
    let mut open: HashMap<Vec<Vec<String>>, usize> = HashMap::new();
    let mut last_field: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    let mut paths = HashMap::new();
    for walked in metas {
        let (meta, ops) = walked?;
        if settled(&sessions, limit, meta.timestamp) {
            break;
        }
        let ops = match ops {
            Some(ops) => ops,
            None => decoded_ops(doc, &meta.hash)?,
        };
        let edits = change_edits(doc, meta.hash, ops, &query.path, &mut paths)?;
        if edits.is_empty() && !query.path.is_empty() {
            continue;
        }
        let (time, deps) = (meta.timestamp, meta.deps.clone());
        let entry = entry_of(meta, edits, &actors, &names);
        let who = match &entry.member {
            Some(member) => format!("member:{member}"),
            None => format!("actor:{}", entry.actor),
        };
        let field: Vec<Vec<String>> = entry.edits.iter().map(|e| e.path.clone()).collect();
        let joins = open.get(&field).copied().filter(|&index| {
            let session = &sessions[index];
            session.who == who
                && last_field.get(&who) == Some(&field)
                && session.oldest_time - time <= SESSION_GAP_SECONDS
        });
        match joins.and_then(|index| sessions.get_mut(index)) {
            Some(session) => {
                session.oldest_time = time;
                session.oldest_deps = deps;
                session.changes.push(entry);
            }
            None => {
                open.insert(field.clone(), sessions.len());
                sessions.push(Building {
                    who: who.clone(),
                    field: field.clone(),
                    after: entry.edits.iter().map(|edit| edit.value.clone()).collect(),
                    at: entry.at.clone(),
                    actor: entry.actor.clone(),
                    member: entry.member.clone(),
                    oldest_time: time,
                    oldest_deps: deps,
                    changes: vec![entry],
                });
            }
        }
        last_field.insert(who, field);
    }
    sessions.truncate(limit);
    sessions
        .into_iter()
        .map(|building| finish(doc, building, &names))
        .collect()
}

/// Whether a change at `time` (and every older one) can no longer join any of the first
/// `limit` sessions.
fn settled(sessions: &[Building], limit: usize, time: i64) -> bool {
    sessions.len() >= limit
        && sessions
            .iter()
            .take(limit)
            .all(|session| session.oldest_time - time > SESSION_GAP_SECONDS)
}

fn finish(
    doc: &Automerge,
    building: Building,
    names: &BTreeMap<String, String>,
) -> Result<HistorySession, ModelError> {
    let mut edits = Vec::with_capacity(building.field.len());
    for (path, after) in building.field.into_iter().zip(building.after) {
        edits.push(SessionEdit {
            before: value_at_path(doc, &path, &building.oldest_deps)?,
            path,
            after,
        });
    }
    Ok(HistorySession {
        at: building.at,
        started_at: change_time(building.oldest_time),
        actor: building.actor,
        member_name: building
            .member
            .as_ref()
            .and_then(|id| names.get(id).cloned()),
        member: building.member,
        edits,
        changes: building.changes,
    })
}

/// The value at `path` in the state at `heads` (`null` when absent, or for the empty state).
fn value_at_path(
    doc: &Automerge,
    path: &[String],
    heads: &[ChangeHash],
) -> Result<Json, ModelError> {
    let Some((last, parents)) = path.split_last() else {
        return Ok(Json::Null);
    };
    if heads.is_empty() {
        return Ok(Json::Null);
    }
    let mut obj = ROOT;
    for key in parents {
        match child_at(doc, &obj, key, heads)? {
            Some((Value::Object(_), id)) => obj = id,
            _ => return Ok(Json::Null),
        }
    }
    match child_at(doc, &obj, last, heads)? {
        Some((value, id)) => json_at(doc, &value, &id, heads),
        None => Ok(Json::Null),
    }
}

/// `obj[key]` at `heads`, where a list's key is its decimal index.
fn child_at<'a>(
    doc: &'a Automerge,
    obj: &ObjId,
    key: &str,
    heads: &[ChangeHash],
) -> Result<Option<(Value<'a>, ObjId)>, ModelError> {
    Ok(match doc.object_type(obj)? {
        ObjType::List | ObjType::Text => match key.parse::<usize>() {
            Ok(index) => doc.get_at(obj, index, heads)?,
            Err(_) => None,
        },
        ObjType::Map | ObjType::Table => doc.get_at(obj, key, heads)?,
    })
}
