//! Conflicts are data (rule 5 of docs/schema.md): listing them and resolving them.
//!
//! Two concurrent writes of one key leave both values in the document. Readers pick
//! automerge's deterministic winner and, here, list all values with the actor that wrote each
//! and the member that actor belongs to. Resolving writes the chosen value once; the new
//! write has every old value as its predecessor, so it supersedes them all on every replica
//! that receives it.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, Prop, ROOT, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::access::{ActorDirectory, actor_of, describe, map_keys, value_to_json};
use crate::edit::{Attribution, check_member, stamp_position};
use crate::schema;
use crate::view::ConflictValue;

/// A key holding more than one concurrent value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    /// Keys (and list indexes, as decimal strings) from the root, e.g.
    /// `["countries", "BR", "positions", "res-102", "stance"]`.
    pub path: Vec<String>,
    /// Every value, in automerge's operation order (the same on every replica).
    pub values: Vec<ConflictValue>,
}

impl ConflictValue {
    /// The value as a scalar to pass to [`resolve`]; `None` for objects.
    pub fn to_scalar(&self) -> Option<ScalarValue> {
        match &self.value {
            serde_json::Value::Null => Some(ScalarValue::Null),
            serde_json::Value::Bool(flag) => Some(ScalarValue::Boolean(*flag)),
            serde_json::Value::String(text) => Some(ScalarValue::from(text.as_str())),
            serde_json::Value::Number(number) => number
                .as_i64()
                .map(ScalarValue::Int)
                .or_else(|| number.as_u64().map(ScalarValue::Uint))
                .or_else(|| number.as_f64().map(ScalarValue::F64)),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => None,
        }
    }
}

/// Every conflicting key in the document, in path order.
///
/// A key counts as conflicting when it holds two or more values that differ, or two or more
/// objects (e.g. a position map created twice concurrently: the reader sees the winner, the
/// key is reported here). `updatedBy`/`updatedAt` are left out: they are rewritten by every
/// position edit, so they conflict whenever two people touch one position at once, and
/// either value is as true as the other. Nor are `files` lists created twice at one place:
/// readers take the union of their entries (docs/schema.md, "Files"). The walk follows
/// winners only.
pub fn conflicts(doc: &impl ReadDoc) -> Result<Vec<Conflict>, ModelError> {
    let actors = ActorDirectory::read(doc)?;
    let mut found = Vec::new();
    let mut path = Vec::new();
    walk(doc, &ROOT, ObjType::Map, &actors, &mut path, &mut found)?;
    Ok(found)
}

fn walk(
    doc: &impl ReadDoc,
    obj: &ObjId,
    obj_type: ObjType,
    actors: &ActorDirectory,
    path: &mut Vec<String>,
    found: &mut Vec<Conflict>,
) -> Result<(), ModelError> {
    let props: Vec<Prop> = match obj_type {
        ObjType::Map | ObjType::Table => map_keys(doc, obj).into_iter().map(Prop::Map).collect(),
        ObjType::List => (0..doc.length(obj)).map(Prop::Seq).collect(),
        // Characters of a text merge; there is nothing to resolve inside.
        ObjType::Text => Vec::new(),
    };
    for prop in props {
        let label = match &prop {
            Prop::Map(key) => key.clone(),
            Prop::Seq(index) => index.to_string(),
        };
        if !schema::BOOKKEEPING_KEYS.contains(&label.as_str()) {
            let all = doc.get_all(obj, prop.clone())?;
            let values = if merged_by_union(&label, &all) {
                Vec::new()
            } else {
                disagreeing(doc, all, actors)?
            };
            if !values.is_empty() {
                let mut conflict_path = path.clone();
                conflict_path.push(label.clone());
                found.push(Conflict {
                    path: conflict_path,
                    values,
                });
            }
        }
        if let Some((Value::Object(child_type), child)) = doc.get(obj, prop)? {
            path.push(label);
            walk(doc, &child, child_type, actors, path, found)?;
            path.pop();
        }
    }
    Ok(())
}

/// Whether the values under `key` are `files` lists created concurrently: readers take the
/// union of their entries (crate::files), so nothing is hidden and there is nothing to resolve.
fn merged_by_union(key: &str, values: &[(Value<'_>, ObjId)]) -> bool {
    key == schema::FILES
        && values
            .iter()
            .all(|(value, _)| matches!(value, Value::Object(ObjType::List)))
}

/// The concurrent values of `obj[key]` when they disagree, else empty.
pub(crate) fn disagreeing_values(
    doc: &impl ReadDoc,
    obj: &ObjId,
    key: &str,
    actors: &ActorDirectory,
) -> Result<Vec<ConflictValue>, ModelError> {
    disagreeing(doc, doc.get_all(obj, key)?, actors)
}

fn disagreeing(
    doc: &impl ReadDoc,
    values: Vec<(Value<'_>, ObjId)>,
    actors: &ActorDirectory,
) -> Result<Vec<ConflictValue>, ModelError> {
    if values.len() < 2 {
        return Ok(Vec::new());
    }
    // Two maps or lists are two objects even with equal content: one of them is hidden.
    let has_structure = values.iter().any(|(value, _)| {
        matches!(
            value,
            Value::Object(ObjType::Map | ObjType::Table | ObjType::List)
        )
    });
    let mut rendered = Vec::with_capacity(values.len());
    for (value, id) in &values {
        let actor = actor_of(id);
        rendered.push(ConflictValue {
            value: value_to_json(doc, value, id)?,
            member: actors.member_of(&actor),
            actor,
        });
    }
    let all_equal = rendered
        .windows(2)
        .all(|pair| pair[0].value == pair[1].value);
    if all_equal && !has_structure {
        return Ok(Vec::new());
    }
    Ok(rendered)
}

/// Writes `chosen` at `path` once, superseding every concurrent value there.
///
/// The path must lead to a scalar key (e.g. a stance); a conflict between objects cannot be
/// resolved this way ([`ModelError::ObjectConflict`]). When the path is inside a position
/// (`countries/<code>/positions/<item>/<field>`), `updatedBy`/`updatedAt` are written too.
/// Like every edit this stages operations and does not commit (see [`crate::commit_edit`]).
/// For a stance or confidence, [`crate::set_stance`] / [`crate::set_confidence`] do the same.
pub fn resolve<S: AsRef<str>>(
    doc: &mut AutoCommit,
    by: &Attribution,
    path: &[S],
    chosen: impl Into<ScalarValue>,
) -> Result<(), ModelError> {
    let path: Vec<String> = path.iter().map(|part| part.as_ref().to_owned()).collect();
    let Some((last, parents)) = path.split_last() else {
        return Err(ModelError::NoSuchPath(path));
    };
    let mut obj = ROOT;
    for (depth, part) in parents.iter().enumerate() {
        let prop = prop_in(doc, &obj, part, &path)?;
        obj = match doc.get(&obj, prop)? {
            Some((Value::Object(ObjType::Map | ObjType::Table | ObjType::List), child)) => child,
            Some((other, _)) => {
                return Err(ModelError::UnexpectedType {
                    path: path[..=depth].to_vec(),
                    expected: "a map or list",
                    found: describe(&other),
                });
            }
            None => return Err(ModelError::NoSuchPath(path[..=depth].to_vec())),
        };
    }
    let prop = prop_in(doc, &obj, last, &path)?;
    let values = doc.get_all(&obj, prop.clone())?;
    if values.is_empty() {
        return Err(ModelError::NoSuchPath(path));
    }
    if let Some((object, _)) = values.iter().find(|(value, _)| value.is_object()) {
        return Err(if values.len() > 1 {
            ModelError::ObjectConflict(path)
        } else {
            ModelError::UnexpectedType {
                path,
                expected: "a scalar",
                found: describe(object),
            }
        });
    }
    let in_position = path.len() == 5
        && path[0] == schema::root::COUNTRIES
        && path[2] == schema::country::POSITIONS;
    if in_position {
        check_member(doc, &by.member_id)?;
    }
    doc.put(&obj, prop, chosen)?;
    if in_position {
        stamp_position(doc, &obj, by)?;
    }
    Ok(())
}

/// `part` as a map key, or as a list index when `obj` is a list.
fn prop_in(
    doc: &impl ReadDoc,
    obj: &ObjId,
    part: &str,
    path: &[String],
) -> Result<Prop, ModelError> {
    match doc.object_type(obj)? {
        ObjType::List => part
            .parse::<usize>()
            .map(Prop::Seq)
            .map_err(|_| ModelError::NoSuchPath(path.to_vec())),
        _ => Ok(Prop::Map(part.to_owned())),
    }
}
