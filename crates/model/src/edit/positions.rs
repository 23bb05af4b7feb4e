//! Edits of a country's position on an item; each one stamps `updatedBy`/`updatedAt`.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue};

use super::text::{TextEdit, apply_text_edit, check_text_edit, text_slot};
use super::{Attribution, check_member, ensure_list, ensure_map, find_country, find_item};
use crate::access::{child_map, child_object, describe, read_string, read_string_list};
use crate::schema;
use crate::{Confidence, ModelError, Stance};

/// Sets a country's stance on an item. On a conflicted stance this is the resolution: the
/// write supersedes every concurrent value.
pub fn set_stance(
    doc: &mut AutoCommit,
    by: &Attribution,
    country: &str,
    item: &str,
    stance: Stance,
) -> Result<(), ModelError> {
    set_position_scalar(
        doc,
        by,
        country,
        item,
        schema::position::STANCE,
        stance.as_str(),
    )
}

/// Sets how sure the coalition is of a stance; like [`set_stance`] it resolves a conflict.
pub fn set_confidence(
    doc: &mut AutoCommit,
    by: &Attribution,
    country: &str,
    item: &str,
    confidence: Confidence,
) -> Result<(), ModelError> {
    set_position_scalar(
        doc,
        by,
        country,
        item,
        schema::position::CONFIDENCE,
        confidence.as_str(),
    )
}

/// Marks a position's notes internal (`true`: kept out of the weekly report and the CSV
/// matrix) or shareable with the mailing list (`false`). A scalar boolean, so two people
/// flipping it at once leave a conflict with both values, like stance; this write resolves one.
pub fn set_notes_internal(
    doc: &mut AutoCommit,
    by: &Attribution,
    country: &str,
    item: &str,
    internal: bool,
) -> Result<(), ModelError> {
    set_position_scalar(
        doc,
        by,
        country,
        item,
        schema::position::NOTES_INTERNAL,
        internal,
    )
}

/// Writes one scalar field of a position (creating the position if needed) and stamps who and
/// when in the same change.
fn set_position_scalar(
    doc: &mut AutoCommit,
    by: &Attribution,
    country: &str,
    item: &str,
    key: &str,
    value: impl Into<ScalarValue>,
) -> Result<(), ModelError> {
    let target = PositionTarget::find(doc, by, country, item)?;
    let position = target.materialize(doc)?;
    doc.put(&position, key, value)?;
    stamp_position(doc, &position, by)
}

/// Edits a position's notes in place.
pub fn edit_position_notes(
    doc: &mut AutoCommit,
    by: &Attribution,
    country: &str,
    item: &str,
    edit: &TextEdit<'_>,
) -> Result<(), ModelError> {
    let target = PositionTarget::find(doc, by, country, item)?;
    let path = target.path(schema::position::NOTES);
    let slot = text_slot(
        doc,
        target.position.as_ref(),
        schema::position::NOTES,
        &path,
    )?;
    check_text_edit(edit, slot.len(doc))?;
    let position = target.materialize(doc)?;
    apply_text_edit(doc, &position, schema::position::NOTES, slot, edit)?;
    stamp_position(doc, &position, by)
}

/// Appends a source to a position, unless it is already listed.
pub fn add_source(
    doc: &mut AutoCommit,
    by: &Attribution,
    country: &str,
    item: &str,
    source: &str,
) -> Result<(), ModelError> {
    let target = PositionTarget::find(doc, by, country, item)?;
    if let Some(position) = &target.position
        && read_string_list(doc, position, schema::position::SOURCES)?
            .iter()
            .any(|s| s == source)
    {
        return Ok(());
    }
    let path = target.path(schema::position::SOURCES);
    let position = target.materialize(doc)?;
    let sources = ensure_list(doc, &position, schema::position::SOURCES, &path)?;
    let end = doc.length(&sources);
    doc.insert(&sources, end, source)?;
    stamp_position(doc, &position, by)
}

/// Removes every occurrence of `source` from a position's sources.
pub fn remove_source(
    doc: &mut AutoCommit,
    by: &Attribution,
    country: &str,
    item: &str,
    source: &str,
) -> Result<(), ModelError> {
    let target = PositionTarget::find(doc, by, country, item)?;
    let unknown = || ModelError::UnknownSource {
        country: country.to_owned(),
        item: item.to_owned(),
        source_text: source.to_owned(),
    };
    let position = target.position.clone().ok_or_else(unknown)?;
    let sources = child_object(doc, &position, schema::position::SOURCES, &[ObjType::List])?
        .ok_or_else(unknown)?;
    let mut matching = Vec::new();
    for index in 0..doc.length(&sources) {
        if read_string(doc, &sources, index)?.as_deref() == Some(source) {
            matching.push(index);
        }
    }
    if matching.is_empty() {
        return Err(unknown());
    }
    // From the back, so earlier indexes stay valid.
    for index in matching.into_iter().rev() {
        doc.delete(&sources, index)?;
    }
    stamp_position(doc, &position, by)
}

/// Writes `updatedBy`/`updatedAt` of a position.
pub(crate) fn stamp_position(
    doc: &mut AutoCommit,
    position: &ObjId,
    by: &Attribution,
) -> Result<(), ModelError> {
    doc.put(
        position,
        schema::position::UPDATED_BY,
        by.member_id.as_str(),
    )?;
    doc.put(position, schema::position::UPDATED_AT, by.at.as_str())?;
    Ok(())
}

/// A position about to be edited: checked to belong to a known country and item, and
/// created on [`PositionTarget::materialize`] if it is missing.
pub(super) struct PositionTarget<'a> {
    country_code: &'a str,
    item_id: &'a str,
    country: ObjId,
    positions: Option<ObjId>,
    /// The position, when it exists already.
    pub(super) position: Option<ObjId>,
}

impl<'a> PositionTarget<'a> {
    pub(super) fn find(
        doc: &AutoCommit,
        by: &Attribution,
        country_code: &'a str,
        item_id: &'a str,
    ) -> Result<Self, ModelError> {
        check_member(doc, &by.member_id)?;
        let country = find_country(doc, country_code)?;
        find_item(doc, item_id)?;
        let positions = child_map(doc, &country, schema::country::POSITIONS)?;
        let position = match &positions {
            Some(positions) => child_map(doc, positions, item_id)?,
            None => None,
        };
        Ok(Self {
            country_code,
            item_id,
            country,
            positions,
            position,
        })
    }

    fn path(&self, field: &'a str) -> [&'a str; 5] {
        [
            schema::root::COUNTRIES,
            self.country_code,
            schema::country::POSITIONS,
            self.item_id,
            field,
        ]
    }

    pub(super) fn materialize(self, doc: &mut AutoCommit) -> Result<ObjId, ModelError> {
        if let Some(position) = self.position {
            return Ok(position);
        }
        let positions = match &self.positions {
            Some(positions) => positions.clone(),
            None => ensure_map(
                doc,
                &self.country,
                schema::country::POSITIONS,
                &[schema::root::COUNTRIES, self.country_code],
            )?,
        };
        if let Some((other, _)) = doc.get(&positions, self.item_id)? {
            return Err(ModelError::UnexpectedType {
                path: self.path("")[..4]
                    .iter()
                    .map(|part| (*part).to_owned())
                    .collect(),
                expected: "a map",
                found: describe(&other),
            });
        }
        create_position(doc, &positions, self.item_id)
    }
}

/// A fresh position: unknown stance, rumour confidence, empty notes marked internal, empty
/// sources. `updatedBy`/`updatedAt` are absent until the first edit.
///
/// New notes start internal: the analysis is sensitive and a note sent to the mailing list
/// cannot be taken back, while a note left out is seen and shared with one click. Positions
/// made before the flag existed have none, which reads as shareable, so an existing analysis
/// keeps sending what it sent (docs/schema.md, "Internal notes").
pub(super) fn create_position(
    doc: &mut AutoCommit,
    positions: &ObjId,
    item_id: &str,
) -> Result<ObjId, ModelError> {
    let position = doc.put_object(positions, item_id, ObjType::Map)?;
    doc.put(
        &position,
        schema::position::STANCE,
        Stance::default().as_str(),
    )?;
    doc.put(
        &position,
        schema::position::CONFIDENCE,
        Confidence::default().as_str(),
    )?;
    doc.put_object(&position, schema::position::NOTES, ObjType::Text)?;
    doc.put(&position, schema::position::NOTES_INTERNAL, true)?;
    doc.put_object(&position, schema::position::SOURCES, ObjType::List)?;
    Ok(position)
}
