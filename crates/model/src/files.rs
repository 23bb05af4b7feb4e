//! File references (conference documents): the files an analysis, an item, a position or a
//! task points to, and every file the document references ("Files (conference documents)" in
//! docs/schema.md).
//!
//! The bytes live on the relay, named by their SHA-256; the document holds only references,
//! under an optional `files` key (a List of maps) on the root, an item, a position or a task.
//!
//! Reading is a union, so no reference is ever lost to a merge: two devices that create one
//! place's `files` list at the same time leave two list objects under one key, and readers
//! take the entries of every one of them (automerge `get_all`): the winner's list first, then
//! the others from the latest creating operation to the earliest. Entries that are not maps or
//! whose hash is not 64 lowercase hex digits are skipped. One hash is one file: the entry with
//! the earliest `addedAt` is kept (ties: the first one met). The result is sorted by
//! (`addedAt`, `hash`), both compared as strings.
//!
//! Writing is in `crate::edit` (`add_file`, `remove_file`).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::access::{MAP_TYPES, child_map, child_object, map_keys, read_string};
use crate::schema;

/// The most characters (Unicode scalar values) in a file's `name`, `type` or `device`.
pub const MAX_FILE_TEXT_CHARS: usize = 255;

/// Where a file is attached.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FilePlace {
    /// The analysis as a whole (the root's `files`).
    Analysis,
    /// An agenda item, `items[id]`.
    Item(String),
    /// A country's position on an item, `countries[country].positions[item]`.
    Position {
        /// ISO 3166-1 alpha-2 code.
        country: String,
        /// Item id.
        item: String,
    },
    /// A task, `tasks[id]`.
    Task(String),
}

impl FilePlace {
    /// The path of the place's map from the root (its list is under `files` there), e.g.
    /// `["items", "res-102"]`; empty for [`FilePlace::Analysis`].
    pub fn path(&self) -> Vec<String> {
        match self {
            Self::Analysis => Vec::new(),
            Self::Item(id) => vec![schema::root::ITEMS.to_owned(), id.clone()],
            Self::Position { country, item } => vec![
                schema::root::COUNTRIES.to_owned(),
                country.clone(),
                schema::country::POSITIONS.to_owned(),
                item.clone(),
            ],
            Self::Task(id) => vec![schema::root::TASKS.to_owned(), id.clone()],
        }
    }
}

/// One reference to a file, as written once in a `files` list and as read in the view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    /// SHA-256 of the bytes the relay stores, 64 lowercase hex digits (in a sealed analysis:
    /// of the encrypted file envelope).
    pub hash: String,
    /// File name.
    pub name: String,
    /// MIME type (may be empty when the device did not know it).
    #[serde(rename = "type")]
    pub mime_type: String,
    /// Number of bytes (in a sealed analysis: of the plaintext).
    pub size: u64,
    /// Member id of who attached it.
    pub added_by: String,
    /// RFC 3339 time it was attached.
    pub added_at: String,
    /// A short label of the device that attached it, e.g. "Firefox on Android".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

impl FileRef {
    /// Checks what a writer must get right: the hash's form, a name of 1 to
    /// [`MAX_FILE_TEXT_CHARS`] characters, a type and device of at most that many.
    /// (`addedBy` and `addedAt` are checked by [`crate::add_file`] against the document.)
    pub fn validate(&self) -> Result<(), ModelError> {
        check_file_hash(&self.hash)?;
        check_text("name", &self.name, 1)?;
        check_text("type", &self.mime_type, 0)?;
        if let Some(device) = &self.device {
            check_text("device", device, 1)?;
        }
        Ok(())
    }
}

/// Whether `text` has the form of a file hash: 64 lowercase hex digits.
pub fn is_file_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

/// [`is_file_hash`] as a typed error.
pub(crate) fn check_file_hash(hash: &str) -> Result<(), ModelError> {
    if is_file_hash(hash) {
        Ok(())
    } else {
        Err(ModelError::InvalidFileHash(hash.to_owned()))
    }
}

fn check_text(field: &'static str, text: &str, min: usize) -> Result<(), ModelError> {
    let length = text.chars().count();
    if (min..=MAX_FILE_TEXT_CHARS).contains(&length) {
        Ok(())
    } else {
        Err(ModelError::InvalidFileField {
            field,
            length,
            min,
            max: MAX_FILE_TEXT_CHARS,
        })
    }
}

/// The files attached at `place` (union of every conflicting list, de-duplicated by hash,
/// sorted by `addedAt` then hash). Empty when the place or its list does not exist.
pub fn files_at(doc: &impl ReadDoc, place: &FilePlace) -> Result<Vec<FileRef>, ModelError> {
    match place_map(doc, place)? {
        Some(obj) => read_files(doc, &obj),
        None => Ok(Vec::new()),
    }
}

/// Every file the document references, by hash, with each place that references it (in
/// place order: the analysis, items, positions, tasks, each by key). A hash that is not here
/// is referenced nowhere in this state of the document (the relay's file collector relies
/// on it).
pub fn referenced_files(
    doc: &impl ReadDoc,
) -> Result<BTreeMap<String, Vec<(FilePlace, FileRef)>>, ModelError> {
    let mut found = BTreeMap::new();
    collect(doc, FilePlace::Analysis, &ROOT, &mut found)?;
    if let Some(items) = child_map(doc, &ROOT, schema::root::ITEMS)? {
        for id in map_keys(doc, &items) {
            if let Some(item) = child_map(doc, &items, &id)? {
                collect(doc, FilePlace::Item(id), &item, &mut found)?;
            }
        }
    }
    if let Some(countries) = child_map(doc, &ROOT, schema::root::COUNTRIES)? {
        for country in map_keys(doc, &countries) {
            let Some(country_map) = child_map(doc, &countries, &country)? else {
                continue;
            };
            let Some(positions) = child_map(doc, &country_map, schema::country::POSITIONS)? else {
                continue;
            };
            for item in map_keys(doc, &positions) {
                if let Some(position) = child_map(doc, &positions, &item)? {
                    let place = FilePlace::Position {
                        country: country.clone(),
                        item,
                    };
                    collect(doc, place, &position, &mut found)?;
                }
            }
        }
    }
    if let Some(tasks) = child_map(doc, &ROOT, schema::root::TASKS)? {
        for id in map_keys(doc, &tasks) {
            if let Some(task) = child_map(doc, &tasks, &id)? {
                collect(doc, FilePlace::Task(id), &task, &mut found)?;
            }
        }
    }
    Ok(found)
}

fn collect(
    doc: &impl ReadDoc,
    place: FilePlace,
    obj: &ObjId,
    found: &mut BTreeMap<String, Vec<(FilePlace, FileRef)>>,
) -> Result<(), ModelError> {
    for file in read_files(doc, obj)? {
        found
            .entry(file.hash.clone())
            .or_default()
            .push((place.clone(), file));
    }
    Ok(())
}

/// The map of `place` if it exists (winners only, like every reader).
pub(crate) fn place_map(
    doc: &impl ReadDoc,
    place: &FilePlace,
) -> Result<Option<ObjId>, ModelError> {
    let entry = |collection: &str, id: &str| -> Result<Option<ObjId>, ModelError> {
        match child_map(doc, &ROOT, collection)? {
            Some(map) => child_map(doc, &map, id),
            None => Ok(None),
        }
    };
    match place {
        FilePlace::Analysis => Ok(Some(ROOT)),
        FilePlace::Item(id) => entry(schema::root::ITEMS, id),
        FilePlace::Task(id) => entry(schema::root::TASKS, id),
        FilePlace::Position { country, item } => {
            let Some(country) = entry(schema::root::COUNTRIES, country)? else {
                return Ok(None);
            };
            match child_map(doc, &country, schema::country::POSITIONS)? {
                Some(positions) => child_map(doc, &positions, item),
                None => Ok(None),
            }
        }
    }
}

/// Every list object under `obj.files`: the winner first, then the others from the latest
/// creating operation to the earliest (automerge's `get_all` is in operation order and its
/// winner is the last).
pub(crate) fn file_lists(doc: &impl ReadDoc, obj: &ObjId) -> Result<Vec<ObjId>, ModelError> {
    let mut lists: Vec<ObjId> = doc
        .get_all(obj, schema::FILES)?
        .into_iter()
        .filter_map(|(value, id)| matches!(value, Value::Object(ObjType::List)).then_some(id))
        .collect();
    lists.reverse();
    Ok(lists)
}

/// The hash of the entry at `index` of a `files` list, when the entry is a map with a
/// well-formed hash.
pub(crate) fn entry_hash(
    doc: &impl ReadDoc,
    list: &ObjId,
    index: usize,
) -> Result<Option<String>, ModelError> {
    let Some(entry) = child_object(doc, list, index, MAP_TYPES)? else {
        return Ok(None);
    };
    Ok(read_string(doc, &entry, schema::file::HASH)?.filter(|hash| is_file_hash(hash)))
}

/// The files under `obj.files`, merged as the module header says.
pub(crate) fn read_files(doc: &impl ReadDoc, obj: &ObjId) -> Result<Vec<FileRef>, ModelError> {
    let mut kept: BTreeMap<String, FileRef> = BTreeMap::new();
    for list in file_lists(doc, obj)? {
        for index in 0..doc.length(&list) {
            let Some(entry) = child_object(doc, &list, index, MAP_TYPES)? else {
                continue;
            };
            let Some(file) = read_entry(doc, &entry)? else {
                continue;
            };
            match kept.entry(file.hash.clone()) {
                Entry::Vacant(slot) => {
                    slot.insert(file);
                }
                Entry::Occupied(mut slot) => {
                    if file.added_at < slot.get().added_at {
                        slot.insert(file);
                    }
                }
            }
        }
    }
    let mut files: Vec<FileRef> = kept.into_values().collect();
    files.sort_by(|a, b| (&a.added_at, &a.hash).cmp(&(&b.added_at, &b.hash)));
    Ok(files)
}

/// One entry, tolerantly: `None` without a well-formed hash; other strings default to `""`,
/// the size to 0, an absent or empty device to none.
fn read_entry(doc: &impl ReadDoc, entry: &ObjId) -> Result<Option<FileRef>, ModelError> {
    let Some(hash) = read_string(doc, entry, schema::file::HASH)?.filter(|h| is_file_hash(h))
    else {
        return Ok(None);
    };
    let text = |key: &str| -> Result<String, ModelError> {
        Ok(read_string(doc, entry, key)?.unwrap_or_default())
    };
    Ok(Some(FileRef {
        hash,
        name: text(schema::file::NAME)?,
        mime_type: text(schema::file::TYPE)?,
        size: read_size(doc, entry)?,
        added_by: text(schema::file::ADDED_BY)?,
        added_at: text(schema::file::ADDED_AT)?,
        device: Some(text(schema::file::DEVICE)?).filter(|device| !device.is_empty()),
    }))
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// `size` as a non-negative integer: a uint, an int, or (as JavaScript may write it) a whole
/// float up to 2^53 - 1; anything else reads as 0.
fn read_size(doc: &impl ReadDoc, entry: &ObjId) -> Result<u64, ModelError> {
    let Some((Value::Scalar(scalar), _)) = doc.get(entry, schema::file::SIZE)? else {
        return Ok(0);
    };
    Ok(match scalar.as_ref() {
        ScalarValue::Uint(n) => *n,
        ScalarValue::Int(n) => u64::try_from(*n).unwrap_or(0),
        ScalarValue::F64(n) if n.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER as f64).contains(n) => {
            // Whole and in range, so the conversion is exact.
            *n as u64
        }
        _ => 0,
    })
}
