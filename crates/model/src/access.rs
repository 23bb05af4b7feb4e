//! Tolerant low-level access to automerge values, shared by reads, edits and conflicts.
//!
//! Rule 1 of docs/schema.md lives here: a string may be a scalar `Str` or a `Text` object,
//! a missing or odd-typed field is "absent" rather than an error, and nothing here writes.

use std::collections::BTreeMap;

use automerge::{ObjId, ObjType, Prop, ReadDoc, ScalarValue, Value};
use serde_json::Value as Json;

use crate::ModelError;
use crate::schema;

/// The child object under `key` if the winning value there is an object of one of `types`.
pub(crate) fn child_object(
    doc: &impl ReadDoc,
    parent: &ObjId,
    key: impl Into<Prop>,
    types: &[ObjType],
) -> Result<Option<ObjId>, ModelError> {
    Ok(match doc.get(parent, key)? {
        Some((Value::Object(obj_type), id)) if types.contains(&obj_type) => Some(id),
        _ => None,
    })
}

/// Maps (and the legacy `Table`, which automerge treats as a map).
pub(crate) const MAP_TYPES: &[ObjType] = &[ObjType::Map, ObjType::Table];

/// The child map under `key`, if any.
pub(crate) fn child_map(
    doc: &impl ReadDoc,
    parent: &ObjId,
    key: &str,
) -> Result<Option<ObjId>, ModelError> {
    child_object(doc, parent, key, MAP_TYPES)
}

/// The string under `key`, whether stored as a scalar `Str` or as a `Text` object.
pub(crate) fn read_string(
    doc: &impl ReadDoc,
    parent: &ObjId,
    key: impl Into<Prop>,
) -> Result<Option<String>, ModelError> {
    match doc.get(parent, key)? {
        Some((value, id)) => value_as_string(doc, &value, &id),
        None => Ok(None),
    }
}

/// The string under `key`, or `""`.
pub(crate) fn read_string_or_empty(
    doc: &impl ReadDoc,
    parent: &ObjId,
    key: &str,
) -> Result<String, ModelError> {
    Ok(read_string(doc, parent, key)?.unwrap_or_default())
}

/// A value as a string if it is a `Str` scalar or a `Text` object.
pub(crate) fn value_as_string(
    doc: &impl ReadDoc,
    value: &Value<'_>,
    id: &ObjId,
) -> Result<Option<String>, ModelError> {
    Ok(match value {
        Value::Scalar(scalar) => match scalar.as_ref() {
            ScalarValue::Str(text) => Some(text.to_string()),
            _ => None,
        },
        Value::Object(ObjType::Text) => Some(doc.text(id)?),
        Value::Object(_) => None,
    })
}

/// `Some(bool)` for a boolean, `None` for null, missing or anything else.
pub(crate) fn read_optional_bool(
    doc: &impl ReadDoc,
    parent: &ObjId,
    key: &str,
) -> Result<Option<bool>, ModelError> {
    Ok(match doc.get(parent, key)? {
        Some((Value::Scalar(scalar), _)) => match scalar.as_ref() {
            ScalarValue::Boolean(flag) => Some(*flag),
            _ => None,
        },
        _ => None,
    })
}

/// The strings of the list under `key`; elements that are not strings are skipped.
pub(crate) fn read_string_list(
    doc: &impl ReadDoc,
    parent: &ObjId,
    key: &str,
) -> Result<Vec<String>, ModelError> {
    let Some(list) = child_object(doc, parent, key, &[ObjType::List])? else {
        return Ok(Vec::new());
    };
    let mut strings = Vec::new();
    for index in 0..doc.length(&list) {
        if let Some(text) = read_string(doc, &list, index)? {
            strings.push(text);
        }
    }
    Ok(strings)
}

/// The keys of a map, in automerge's (sorted) order.
pub(crate) fn map_keys(doc: &impl ReadDoc, map: &ObjId) -> Vec<String> {
    doc.keys(map).collect()
}

/// The actor hex of the operation that wrote a value.
pub(crate) fn actor_of(id: &ObjId) -> String {
    match id {
        ObjId::Root => String::new(),
        ObjId::Id(_, actor, _) => actor.to_hex_string(),
    }
}

/// Which member an actor belongs to, from `members[*].actors`.
#[derive(Debug, Default, Clone)]
pub(crate) struct ActorDirectory {
    member_by_actor: BTreeMap<String, String>,
}

impl ActorDirectory {
    /// Reads `members`; when an actor is listed by two members the first id in key order wins,
    /// which every replica agrees on. An alias record's actors belong to the person it names
    /// (`sameAs`, crate::identity).
    pub(crate) fn read(doc: &impl ReadDoc) -> Result<Self, ModelError> {
        let aliases = crate::identity::read_aliases(doc)?;
        let mut member_by_actor = BTreeMap::new();
        if let Some(members) = child_map(doc, &automerge::ROOT, schema::root::MEMBERS)? {
            for member_id in map_keys(doc, &members) {
                let Some(member) = child_map(doc, &members, &member_id)? else {
                    continue;
                };
                for actor in read_string_list(doc, &member, schema::member::ACTORS)? {
                    member_by_actor
                        .entry(actor)
                        .or_insert_with(|| crate::identity::canonical(&aliases, &member_id));
                }
            }
        }
        Ok(Self { member_by_actor })
    }

    /// The member id for an actor hex, if registered.
    pub(crate) fn member_of(&self, actor: &str) -> Option<String> {
        self.member_by_actor.get(actor).cloned()
    }
}

/// A whole value as JSON: Text as a string, maps as objects, lists as arrays.
pub(crate) fn value_to_json(
    doc: &impl ReadDoc,
    value: &Value<'_>,
    id: &ObjId,
) -> Result<Json, ModelError> {
    Ok(match value {
        Value::Scalar(scalar) => scalar_to_json(scalar.as_ref()),
        Value::Object(ObjType::Text) => Json::String(doc.text(id)?),
        Value::Object(ObjType::List) => {
            let mut items = Vec::new();
            for index in 0..doc.length(id) {
                if let Some((item, item_id)) = doc.get(id, index)? {
                    items.push(value_to_json(doc, &item, &item_id)?);
                }
            }
            Json::Array(items)
        }
        Value::Object(ObjType::Map | ObjType::Table) => {
            let mut object = serde_json::Map::new();
            for key in map_keys(doc, id) {
                if let Some((item, item_id)) = doc.get(id, key.as_str())? {
                    object.insert(key, value_to_json(doc, &item, &item_id)?);
                }
            }
            Json::Object(object)
        }
    })
}

/// A scalar as JSON. Bytes become lowercase hex; values from future automerge versions, null.
pub(crate) fn scalar_to_json(scalar: &ScalarValue) -> Json {
    match scalar {
        ScalarValue::Str(text) => Json::String(text.to_string()),
        ScalarValue::Int(n) | ScalarValue::Timestamp(n) => Json::from(*n),
        ScalarValue::Uint(n) => Json::from(*n),
        ScalarValue::F64(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
        ScalarValue::Counter(counter) => Json::from(i64::from(counter)),
        ScalarValue::Boolean(flag) => Json::Bool(*flag),
        ScalarValue::Bytes(bytes) => {
            Json::String(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
        }
        ScalarValue::Null | ScalarValue::Unknown { .. } => Json::Null,
    }
}

/// A short description of a value's type for error messages.
pub(crate) fn describe(value: &Value<'_>) -> String {
    match value {
        Value::Object(obj_type) => format!("a {obj_type:?} object").to_lowercase(),
        Value::Scalar(scalar) => match scalar.as_ref() {
            ScalarValue::Str(_) => "a string".to_owned(),
            ScalarValue::Null => "null".to_owned(),
            other => format!("the scalar {other}"),
        },
    }
}
