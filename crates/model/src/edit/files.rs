//! Attaching and detaching files (docs/schema.md, "Files (conference documents)").
//!
//! A place's `files` list is created on first use and never replaced (rule 4); an entry is
//! appended to the winning list, written once and never edited. Removing deletes every entry
//! with that hash from every conflicting list at the place, so what readers merge (the union,
//! `crate::files`) no longer holds it; an entry another device adds at the same time is not
//! among them and survives. Edits of a position's files create a missing position and stamp
//! `updatedBy`/`updatedAt`, like every position edit.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue};

use super::positions::{PositionTarget, stamp_position};
use super::{Attribution, check_member, ensure_list, find_item, find_task};
use crate::files::{FilePlace, FileRef, check_file_hash, entry_hash, file_lists, read_files};
use crate::schema;
use crate::{ModelError, Timestamp};

/// Attaches `file` at `place`: appended to the place's `files` list (created when missing; a
/// missing position is created too). `file.added_by` must be a member and `file.added_at` an
/// RFC 3339 time; for a position they are also its `updatedBy`/`updatedAt`. A hash already
/// attached at the place is left as it is (nothing is written).
pub fn add_file(doc: &mut AutoCommit, place: &FilePlace, file: &FileRef) -> Result<(), ModelError> {
    file.validate()?;
    let by = Attribution::new(file.added_by.clone(), Timestamp::parse(&file.added_at)?);
    check_member(doc, &by.member_id)?;
    let target = Target::find(doc, &by, place)?;
    if let Some(obj) = target.existing()
        && read_files(doc, obj)?
            .iter()
            .any(|known| known.hash == file.hash)
    {
        return Ok(());
    }
    let (obj, is_position) = target.materialize(doc)?;
    let mut path = place.path();
    path.push(schema::FILES.to_owned());
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let list = ensure_list(doc, &obj, schema::FILES, &path)?;
    let end = doc.length(&list);
    let entry = doc.insert_object(&list, end, ObjType::Map)?;
    doc.put(&entry, schema::file::HASH, file.hash.as_str())?;
    doc.put(&entry, schema::file::NAME, file.name.as_str())?;
    doc.put(&entry, schema::file::TYPE, file.mime_type.as_str())?;
    doc.put(&entry, schema::file::SIZE, ScalarValue::Uint(file.size))?;
    doc.put(&entry, schema::file::ADDED_BY, file.added_by.as_str())?;
    doc.put(&entry, schema::file::ADDED_AT, file.added_at.as_str())?;
    if let Some(device) = &file.device {
        doc.put(&entry, schema::file::DEVICE, device.as_str())?;
    }
    if is_position {
        stamp_position(doc, &obj, &by)?;
    }
    Ok(())
}

/// Detaches the file `hash` from `place`: every entry with that hash, in every conflicting
/// `files` list there, is deleted. `by` stamps a position (and must be a member).
/// [`ModelError::UnknownFile`] when the place holds no such entry.
pub fn remove_file(
    doc: &mut AutoCommit,
    by: &Attribution,
    place: &FilePlace,
    hash: &str,
) -> Result<(), ModelError> {
    check_file_hash(hash)?;
    check_member(doc, &by.member_id)?;
    let unknown = || ModelError::UnknownFile {
        place: place.path(),
        hash: hash.to_owned(),
    };
    let obj = crate::files::place_map(doc, place)?.ok_or_else(unknown)?;
    let mut doomed: Vec<(ObjId, Vec<usize>)> = Vec::new();
    for list in file_lists(doc, &obj)? {
        let mut indexes = Vec::new();
        for index in 0..doc.length(&list) {
            if entry_hash(doc, &list, index)?.as_deref() == Some(hash) {
                indexes.push(index);
            }
        }
        if !indexes.is_empty() {
            doomed.push((list, indexes));
        }
    }
    if doomed.is_empty() {
        return Err(unknown());
    }
    for (list, indexes) in doomed {
        // From the back, so earlier indexes stay valid.
        for index in indexes.into_iter().rev() {
            doc.delete(&list, index)?;
        }
    }
    if matches!(place, FilePlace::Position { .. }) {
        stamp_position(doc, &obj, by)?;
    }
    Ok(())
}

/// A place about to get a file: checked to exist (a position only needs its country and item).
enum Target<'a> {
    Found(ObjId),
    Position(PositionTarget<'a>),
}

impl<'a> Target<'a> {
    fn find(doc: &AutoCommit, by: &Attribution, place: &'a FilePlace) -> Result<Self, ModelError> {
        Ok(match place {
            FilePlace::Analysis => Self::Found(ROOT),
            FilePlace::Item(id) => Self::Found(find_item(doc, id)?),
            FilePlace::Task(id) => Self::Found(find_task(doc, id)?),
            FilePlace::Position { country, item } => {
                Self::Position(PositionTarget::find(doc, by, country, item)?)
            }
        })
    }

    fn existing(&self) -> Option<&ObjId> {
        match self {
            Self::Found(obj) => Some(obj),
            Self::Position(target) => target.position.as_ref(),
        }
    }

    /// The place's map (a missing position created) and whether it is a position.
    fn materialize(self, doc: &mut AutoCommit) -> Result<(ObjId, bool), ModelError> {
        match self {
            Self::Found(obj) => Ok((obj, false)),
            Self::Position(target) => Ok((target.materialize(doc)?, true)),
        }
    }
}
