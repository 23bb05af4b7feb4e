//! History: who changed what and when, the analysis as it was at a time, and the
//! per-position differences between two states ("History" and "Dates and times" in
//! docs/reports-history-changes.md).
//!
//! Change times are automerge change timestamps in seconds since the epoch (UTC); a change
//! with time 0 has no known time. The state at a time T is the set of changes with
//! `time < T` closed under dependencies ([`heads_before`]): a change counts only when all
//! its dependencies count, so a laptop whose clock runs late cannot put an edit before the
//! edits it was made on top of.
//!
//! [`history`] lists changes newest first with the fields each one set, read from the
//! change's own operations.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use automerge::{Automerge, ChangeHash, ObjId, ObjType, Prop, ROOT, ReadDoc, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::access::{ActorDirectory, child_map, map_keys, read_string_or_empty, scalar_to_json};
use crate::schema;
use crate::timestamp::format_unix_utc;
use crate::view::AnalysisView;
use crate::{Confidence, ModelError, Stance, read_analysis};

/// Default number of entries [`history`] returns.
pub const DEFAULT_HISTORY_LIMIT: usize = 200;
/// The most entries [`history`] returns, whatever the query asks.
pub const MAX_HISTORY_LIMIT: usize = 1000;

/// The heads of the state at `unix_seconds`: every change with a time before it whose
/// dependencies are all in the state too. Sorted; empty when no change counts.
pub fn heads_before(doc: &Automerge, unix_seconds: i64) -> Vec<ChangeHash> {
    let changes: HashMap<ChangeHash, (i64, Vec<ChangeHash>)> = doc
        .get_changes_meta(&[])
        .into_iter()
        .map(|meta| (meta.hash, (meta.timestamp, meta.deps)))
        .collect();
    // counts(h) = time(h) < T and every dependency counts; iterative to survive long chains.
    let mut counts: HashMap<ChangeHash, bool> = HashMap::with_capacity(changes.len());
    for start in changes.keys() {
        let mut stack = vec![*start];
        while let Some(hash) = stack.last().copied() {
            if counts.contains_key(&hash) {
                stack.pop();
                continue;
            }
            let Some((time, deps)) = changes.get(&hash) else {
                // A dependency the document lacks cannot happen in a loaded document; treat
                // it as not in the state.
                counts.insert(hash, false);
                stack.pop();
                continue;
            };
            if *time >= unix_seconds {
                counts.insert(hash, false);
                stack.pop();
                continue;
            }
            let pending: Vec<ChangeHash> = deps
                .iter()
                .filter(|dep| !counts.contains_key(dep))
                .copied()
                .collect();
            if pending.is_empty() {
                let all_in = deps.iter().all(|dep| counts.get(dep) == Some(&true));
                counts.insert(hash, all_in);
                stack.pop();
            } else {
                stack.extend(pending);
            }
        }
    }
    let included: Vec<ChangeHash> = changes
        .keys()
        .filter(|hash| counts.get(hash) == Some(&true))
        .copied()
        .collect();
    let mut depended_on = std::collections::HashSet::new();
    for hash in &included {
        if let Some((_, deps)) = changes.get(hash) {
            depended_on.extend(deps.iter().copied());
        }
    }
    let mut heads: Vec<ChangeHash> = included
        .into_iter()
        .filter(|hash| !depended_on.contains(hash))
        .collect();
    heads.sort();
    heads
}

/// The document as it was at `heads` (e.g. from [`heads_before`]). Every head must be a
/// change of the document ([`ModelError::UnknownChange`] otherwise).
pub fn fork_at(doc: &Automerge, heads: &[ChangeHash]) -> Result<Automerge, ModelError> {
    for head in heads {
        if doc.get_change_meta_by_hash(head).is_none() {
            return Err(ModelError::UnknownChange(head.to_string()));
        }
    }
    Ok(doc.fork_at(heads)?)
}

/// The typed view of the document as it was at `heads` ([`read_analysis`] of [`fork_at`]).
pub fn view_at(doc: &Automerge, heads: &[ChangeHash]) -> Result<AnalysisView, ModelError> {
    read_analysis(&fork_at(doc, heads)?)
}

/// Parses comma-separated (or a slice of) hex change hashes, as written in `reports[*].heads`
/// and accepted by the CLI and HTTP API.
pub fn parse_heads<S: AsRef<str>>(hashes: &[S]) -> Result<Vec<ChangeHash>, ModelError> {
    hashes
        .iter()
        .map(|text| {
            let text = text.as_ref().trim();
            text.parse::<ChangeHash>()
                .map_err(|_| ModelError::UnknownChange(text.to_owned()))
        })
        .collect()
}

/// What [`history`] lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryQuery {
    /// Only changes that touched this field or anything under it, e.g.
    /// `["countries", "BR", "positions", "res-102"]`; empty for every change.
    #[serde(default)]
    pub path: Vec<String>,
    /// At most this many entries; `None` for [`DEFAULT_HISTORY_LIMIT`]. Capped at
    /// [`MAX_HISTORY_LIMIT`].
    #[serde(default)]
    pub limit: Option<usize>,
}

impl HistoryQuery {
    /// A query for a `/`-separated path such as `countries/BR/positions/res-102/stance`
    /// (empty parts are ignored, so `""` means the whole document).
    pub fn for_path(path: &str) -> Self {
        Self {
            path: path
                .split('/')
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect(),
            limit: None,
        }
    }

    /// The same query with a limit.
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    pub(crate) fn effective_limit(&self) -> usize {
        self.limit
            .unwrap_or(DEFAULT_HISTORY_LIMIT)
            .min(MAX_HISTORY_LIMIT)
    }
}

/// One change of the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Hex change hash.
    pub hash: String,
    /// The change time as RFC 3339 UTC (`2026-11-10T09:30:00Z`), `""` when it has none.
    pub at: String,
    /// Hex actor id of the change.
    pub actor: String,
    /// The member that actor belongs to (`members[*].actors`), if registered.
    pub member: Option<String>,
    /// That member's name.
    pub member_name: Option<String>,
    /// The change message, `""` when it has none.
    pub message: String,
    /// The fields the change set, in path order (only those under the query's path when it
    /// has one).
    pub edits: Vec<HistoryEdit>,
}

/// A field set by a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEdit {
    /// Keys (list indexes as decimal strings) from the root.
    pub path: Vec<String>,
    /// The field's value right after the change: the whole text for Text fields, the whole
    /// list for lists, `{}` for a new empty map, `null` for a deletion.
    pub value: Json,
}

/// The document's changes, newest first (by change time, ties by hash), that touched
/// `query.path` (or anything under it), at most `query.limit` of them.
///
/// This decodes every change until it has `limit` entries (all of them for a quiet field);
/// [`crate::FieldIndex::history`] gives the same answer decoding only the changes that can
/// have touched the field.
pub fn history(doc: &Automerge, query: &HistoryQuery) -> Result<Vec<HistoryEntry>, ModelError> {
    let mut metas = doc.get_changes_meta(&[]);
    metas.sort_by_key(|meta| (Reverse(meta.timestamp), meta.hash));
    list_history(doc, query, metas.into_iter().map(|meta| Ok((meta, None))))
}

/// The walk behind [`history`]: `metas` newest first (by change time, ties by hash), every
/// change that may have touched `query.path` (others are skipped here anyway).
pub(crate) fn list_history<'a>(
    doc: &'a Automerge,
    query: &HistoryQuery,
    metas: impl Iterator<Item = Walked<'a>>,
) -> Result<Vec<HistoryEntry>, ModelError> {
    let limit = query.effective_limit();
    let actors = ActorDirectory::read(doc)?;
    let names = member_names(doc)?;
    let mut entries = Vec::new();
    let mut paths = HashMap::new();
    for walked in metas {
        if entries.len() >= limit {
            break;
        }
        let (meta, ops) = walked?;
        let ops = match ops {
            Some(ops) => ops,
            None => decoded_ops(doc, &meta.hash)?,
        };
        let edits = change_edits(doc, meta.hash, ops, &query.path, &mut paths)?;
        if edits.is_empty() && !query.path.is_empty() {
            continue;
        }
        entries.push(entry_of(meta, edits, &actors, &names));
    }
    Ok(entries)
}

/// One change's entry: its time, author (member via `members[*].actors`) and `edits`.
pub(crate) fn entry_of(
    meta: automerge::ChangeMetadata<'_>,
    edits: Vec<HistoryEdit>,
    actors: &ActorDirectory,
    names: &BTreeMap<String, String>,
) -> HistoryEntry {
    let actor = meta.actor.to_hex_string();
    let member = actors.member_of(&actor);
    let member_name = member.as_ref().and_then(|id| names.get(id).cloned());
    HistoryEntry {
        hash: meta.hash.to_string(),
        at: change_time(meta.timestamp),
        actor,
        member,
        member_name,
        message: meta.message.map(|m| m.into_owned()).unwrap_or_default(),
        edits,
    }
}

/// A change time as RFC 3339 UTC, `""` for time 0 (no known time).
pub(crate) fn change_time(timestamp: i64) -> String {
    if timestamp == 0 {
        String::new()
    } else {
        format_unix_utc(timestamp)
    }
}

/// member id → name, from the document as it is now; an alias has its person's name.
pub(crate) fn member_names(doc: &impl ReadDoc) -> Result<BTreeMap<String, String>, ModelError> {
    let mut own = BTreeMap::new();
    if let Some(members) = child_map(doc, &ROOT, schema::root::MEMBERS)? {
        for id in map_keys(doc, &members) {
            if let Some(member) = child_map(doc, &members, &id)? {
                own.insert(
                    id,
                    read_string_or_empty(doc, &member, schema::member::NAME)?,
                );
            }
        }
    }
    let aliases = crate::identity::read_aliases(doc)?;
    Ok(own
        .keys()
        .map(|id| {
            let person = crate::identity::canonical(&aliases, id);
            (id.clone(), own.get(&person).cloned().unwrap_or_default())
        })
        .collect())
}

/// What one operation of a change set, before the listing decides about new maps.
enum ChangeEdit {
    Value(Json),
    NewMap,
}

/// One operation of a change as the history needs it: its object (id as text), its map key
/// (`None` for a list or text element) and, when known for certain, the object's path.
#[derive(Debug, Clone)]
pub(crate) struct ChangeOp {
    pub(crate) obj: String,
    pub(crate) key: Option<String>,
    /// The object's path when it is the same at every state (only map keys above it).
    pub(crate) path: Option<Vec<String>>,
}

/// A change as a walk meets it: its metadata and, when the walk comes from an index, its
/// operations as the index holds them (so the change need not be rebuilt and decoded).
pub(crate) type Walked<'a> =
    Result<(automerge::ChangeMetadata<'a>, Option<Vec<ChangeOp>>), ModelError>;

/// The operations of `hash`, decoded from the change.
pub(crate) fn decoded_ops(doc: &Automerge, hash: &ChangeHash) -> Result<Vec<ChangeOp>, ModelError> {
    let Some(change) = doc.get_change_by_hash(hash) else {
        return Err(ModelError::UnknownChange(hash.to_string()));
    };
    Ok(change
        .decode()
        .operations
        .into_iter()
        .map(|op| ChangeOp {
            obj: op.obj.to_string(),
            key: match op.key {
                automerge::legacy::Key::Map(key) => Some(key.to_string()),
                automerge::legacy::Key::Seq(_) => None,
            },
            path: None,
        })
        .collect())
}

/// What one change did, as edits under `filter`.
///
/// The change's own operations are decoded (cheap) rather than diffed against its
/// dependencies (automerge's diff walks the whole document: ~15 ms a change on the ITU
/// template). Each operation's object is mapped to its path with `parents_at`, cached per
/// object, and the value is read at the change's heads, so it is the value right after it.
/// Measured on the ITU template with 2,000 edit changes (debug build of this crate): about
/// 1 s for the newest 1,000 entries, about 2 s for a filtered query that reads every change.
/// Most of that is `parents_at` (a search of the operations per level, ~1 ms on a 10,000-change
/// document in a release build) and rebuilding the change (`get_change_by_hash`, ~0.4 ms):
/// an index gives both ([`ChangeOp::path`], [`FieldIndex`]).
pub(crate) fn change_edits(
    doc: &Automerge,
    hash: ChangeHash,
    ops: Vec<ChangeOp>,
    filter: &[String],
    paths: &mut HashMap<String, Option<Vec<String>>>,
) -> Result<Vec<HistoryEdit>, ModelError> {
    let heads = [hash];
    let mut edits: BTreeMap<Vec<String>, ChangeEdit> = BTreeMap::new();
    for op in ops {
        let obj = doc.import_obj(&op.obj)?;
        // An object that is not reachable from the root at that point: nothing to show.
        let known = op.path;
        let Some(mut path) = known.or_else(|| object_path(doc, &obj, op.obj, &heads, paths)) else {
            continue;
        };
        let key = op.key;
        if let Some(key) = &key {
            path.push(key.clone());
        }
        let is_bookkeeping = path
            .last()
            .is_some_and(|last| schema::BOOKKEEPING_KEYS.contains(&last.as_str()));
        if is_bookkeeping || edits.contains_key(&path) {
            continue;
        }
        // Under the filter, or a whole list or text that holds what the filter points into.
        if !(path.starts_with(filter) || filter.starts_with(&path)) {
            continue;
        }
        let edit = match key {
            Some(key) => match doc.get_at(&obj, key.as_str(), &heads)? {
                Some((Value::Object(ObjType::Map | ObjType::Table), _)) => ChangeEdit::NewMap,
                Some((value, id)) => ChangeEdit::Value(json_at(doc, &value, &id, &heads)?),
                None => ChangeEdit::Value(Json::Null),
            },
            // Anything inside a list or text: the edit is the whole list or text.
            None => ChangeEdit::Value(object_json_at(doc, &obj, &heads)?),
        };
        if matches!(edit, ChangeEdit::NewMap) && !path.starts_with(filter) {
            continue;
        }
        edits.insert(path, edit);
    }
    Ok(listed_edits(edits))
}

/// The path of `obj` at `heads` (`None`: not reachable from the root then), cached by object
/// in `paths` across the changes of one history.
fn object_path(
    doc: &Automerge,
    obj: &ObjId,
    obj_key: String,
    heads: &[ChangeHash],
    paths: &mut HashMap<String, Option<Vec<String>>>,
) -> Option<Vec<String>> {
    if let Some(path) = paths.get(&obj_key) {
        return path.clone();
    }
    let path = match doc.parents_at(obj, heads) {
        Ok(parents) => Some(
            parents
                .path()
                .iter()
                .map(|(_, prop)| prop_label(prop))
                .collect::<Vec<String>>(),
        ),
        Err(_) => None,
    };
    paths.insert(obj_key, path.clone());
    path
}

/// The edits in path order. A new map is an edit only when nothing under it is listed (e.g.
/// an empty `reports`); it is shown as `{}`.
fn listed_edits(edits: BTreeMap<Vec<String>, ChangeEdit>) -> Vec<HistoryEdit> {
    let listed_paths: Vec<Vec<String>> = edits.keys().cloned().collect();
    let mut listed = Vec::with_capacity(edits.len());
    for (index, (path, edit)) in edits.into_iter().enumerate() {
        let value = match edit {
            ChangeEdit::Value(value) => value,
            ChangeEdit::NewMap => {
                let has_children = listed_paths
                    .get(index + 1)
                    .is_some_and(|next| next.len() > path.len() && next.starts_with(&path));
                if has_children {
                    continue;
                }
                Json::Object(serde_json::Map::new())
            }
        };
        listed.push(HistoryEdit { path, value });
    }
    listed
}

fn prop_label(prop: &Prop) -> String {
    match prop {
        Prop::Map(key) => key.clone(),
        Prop::Seq(index) => index.to_string(),
    }
}

/// A value as JSON as it was at `heads`.
pub(crate) fn json_at(
    doc: &Automerge,
    value: &Value<'_>,
    id: &ObjId,
    heads: &[ChangeHash],
) -> Result<Json, ModelError> {
    match value {
        Value::Scalar(scalar) => Ok(scalar_to_json(scalar.as_ref())),
        Value::Object(_) => object_json_at(doc, id, heads),
    }
}

/// An object as JSON as it was at `heads`: Text as a string, lists as arrays, maps as objects.
fn object_json_at(doc: &Automerge, obj: &ObjId, heads: &[ChangeHash]) -> Result<Json, ModelError> {
    Ok(match doc.object_type(obj)? {
        ObjType::Text => Json::String(doc.text_at(obj, heads)?),
        ObjType::List => {
            let mut items = Vec::new();
            for index in 0..doc.length_at(obj, heads) {
                if let Some((value, id)) = doc.get_at(obj, index, heads)? {
                    items.push(json_at(doc, &value, &id, heads)?);
                }
            }
            Json::Array(items)
        }
        ObjType::Map | ObjType::Table => {
            let mut object = serde_json::Map::new();
            for key in doc.keys_at(obj, heads) {
                if let Some((value, id)) = doc.get_at(obj, key.as_str(), heads)? {
                    object.insert(key, json_at(doc, &value, &id, heads)?);
                }
            }
            Json::Object(object)
        }
    })
}

/// What happened to one position between two states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PositionChangeKind {
    /// The stance went from `unknown` to something known.
    New,
    /// The stance changed (including back to `unknown`).
    Stance,
    /// Only the confidence changed.
    Confidence,
}

/// The difference of one position between two states (see [`changes_between`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionChange {
    /// Item id.
    pub item: String,
    /// Country code.
    pub country: String,
    /// What changed.
    pub kind: PositionChangeKind,
    /// The stance in the old state.
    pub stance_before: Stance,
    /// The stance in the new state.
    pub stance: Stance,
    /// The confidence in the old state.
    pub confidence_before: Confidence,
    /// The confidence in the new state.
    pub confidence: Confidence,
    /// `updatedBy` in the new state (member id, `""` when unknown).
    pub updated_by: String,
    /// That member's name in the new state, if registered.
    pub member_name: Option<String>,
    /// `updatedAt` in the new state (RFC 3339, `""` when unknown).
    pub updated_at: String,
}

/// The per-position differences between the document at `old_heads` and at `new_heads`,
/// sorted by item id then country code. Empty `old_heads` means "before the document
/// existed": every known stance in the new state is new.
pub fn changes_between(
    doc: &Automerge,
    old_heads: &[ChangeHash],
    new_heads: &[ChangeHash],
) -> Result<Vec<PositionChange>, ModelError> {
    let old = view_at_or_empty(doc, old_heads)?;
    let new = view_at_or_empty(doc, new_heads)?;
    Ok(position_changes(old.as_ref(), new.as_ref()))
}

/// `None` for the empty state (no heads).
pub(crate) fn view_at_or_empty(
    doc: &Automerge,
    heads: &[ChangeHash],
) -> Result<Option<AnalysisView>, ModelError> {
    if heads.is_empty() {
        Ok(None)
    } else {
        view_at(doc, heads).map(Some)
    }
}

/// [`changes_between`] on two views already read (`None`: the empty state).
pub fn position_changes(
    old: Option<&AnalysisView>,
    new: Option<&AnalysisView>,
) -> Vec<PositionChange> {
    let Some(new) = new else {
        return Vec::new();
    };
    let mut changes = Vec::new();
    for (code, country) in &new.countries {
        for (item, position) in &country.positions {
            let before = old
                .and_then(|old| old.countries.get(code))
                .and_then(|country| country.positions.get(item));
            let (stance_before, confidence_before) = before
                .map(|before| (before.stance, before.confidence))
                .unwrap_or_default();
            let kind = if stance_before == Stance::Unknown && position.stance != Stance::Unknown {
                PositionChangeKind::New
            } else if stance_before != position.stance {
                PositionChangeKind::Stance
            } else if confidence_before != position.confidence {
                PositionChangeKind::Confidence
            } else {
                continue;
            };
            changes.push(PositionChange {
                item: item.clone(),
                country: code.clone(),
                kind,
                stance_before,
                stance: position.stance,
                confidence_before,
                confidence: position.confidence,
                updated_by: position.updated_by.clone(),
                member_name: new
                    .person(&position.updated_by)
                    .map(|member| member.name.clone()),
                updated_at: position.updated_at.clone(),
            });
        }
    }
    changes.sort_by(|a, b| (&a.item, &a.country).cmp(&(&b.item, &b.country)));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn a_new_map_is_listed_only_when_nothing_under_it_is() {
        let mut edits = BTreeMap::new();
        edits.insert(path(&["positions"]), ChangeEdit::NewMap);
        edits.insert(
            path(&["positions", "fr"]),
            ChangeEdit::Value(Json::from("for")),
        );
        edits.insert(path(&["reports"]), ChangeEdit::NewMap);
        let listed = listed_edits(edits);
        let shown: Vec<(Vec<String>, Json)> =
            listed.into_iter().map(|e| (e.path, e.value)).collect();
        assert_eq!(
            shown,
            [
                (path(&["positions", "fr"]), Json::from("for")),
                (path(&["reports"]), Json::Object(serde_json::Map::new())),
            ]
        );
    }
}
