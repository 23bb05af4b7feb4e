//! Collaborative text fields: [`TextEdit`] and how it is applied in place.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, TextEncoding, Value};

use super::put_new_text;
use crate::ModelError;
use crate::access::describe;

/// An in-place change to a collaborative text.
///
/// Positions count Unicode scalar values (automerge's default text encoding for native
/// builds; the JS client counts UTF-16 units in its own API, which is consistent within it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEdit<'a> {
    /// Delete `delete` characters at `pos`, then insert `insert` there.
    Splice {
        /// Start, in characters.
        pos: usize,
        /// Characters to delete.
        delete: usize,
        /// Text to insert.
        insert: &'a str,
    },
    /// Make the text equal to this, by a diff turned into splices (merges less finely than
    /// real splices, but never replaces the object).
    Replace(&'a str),
}

impl<'a> TextEdit<'a> {
    /// Inserts `text` at `pos`.
    pub fn insert(pos: usize, text: &'a str) -> Self {
        TextEdit::Splice {
            pos,
            delete: 0,
            insert: text,
        }
    }
}

/// What a prose field holds before an edit.
pub(super) enum TextSlot {
    /// A Text object (the normal case).
    Text(ObjId),
    /// A scalar string, e.g. from an older client; turned into Text on first edit.
    Scalar(String),
    /// Nothing yet (or the parent map is missing).
    Missing,
}

impl TextSlot {
    /// Length in the document's text units.
    pub(super) fn len(&self, doc: &AutoCommit) -> usize {
        match self {
            TextSlot::Text(text) => doc.length(text),
            TextSlot::Scalar(content) => match doc.text_encoding() {
                TextEncoding::Utf8CodeUnit => content.len(),
                TextEncoding::Utf16CodeUnit => content.encode_utf16().count(),
                TextEncoding::UnicodeCodePoint | TextEncoding::GraphemeCluster => {
                    content.chars().count()
                }
            },
            TextSlot::Missing => 0,
        }
    }
}

pub(super) fn text_slot(
    doc: &AutoCommit,
    parent: Option<&ObjId>,
    key: &str,
    path: &[&str],
) -> Result<TextSlot, ModelError> {
    let Some(parent) = parent else {
        return Ok(TextSlot::Missing);
    };
    match doc.get(parent, key)? {
        None => Ok(TextSlot::Missing),
        Some((Value::Object(ObjType::Text), text)) => Ok(TextSlot::Text(text)),
        Some((Value::Scalar(scalar), _)) if scalar.is_str() => Ok(TextSlot::Scalar(
            scalar.as_str().unwrap_or_default().to_owned(),
        )),
        Some((other, _)) => Err(ModelError::UnexpectedType {
            path: path.iter().map(|part| (*part).to_owned()).collect(),
            expected: "text",
            found: describe(&other),
        }),
    }
}

pub(super) fn check_text_edit(edit: &TextEdit<'_>, len: usize) -> Result<(), ModelError> {
    if let TextEdit::Splice { pos, delete, .. } = *edit
        && pos.checked_add(delete).is_none_or(|end| end > len)
    {
        return Err(ModelError::SpliceOutOfRange { pos, delete, len });
    }
    Ok(())
}

pub(super) fn apply_text_edit(
    doc: &mut AutoCommit,
    parent: &ObjId,
    key: &str,
    slot: TextSlot,
    edit: &TextEdit<'_>,
) -> Result<(), ModelError> {
    let text = match slot {
        TextSlot::Text(text) => text,
        TextSlot::Scalar(content) => put_new_text(doc, parent, key, &content)?,
        TextSlot::Missing => put_new_text(doc, parent, key, "")?,
    };
    match *edit {
        TextEdit::Splice {
            pos,
            delete,
            insert,
        } => {
            let delete = isize::try_from(delete).map_err(|_| ModelError::SpliceOutOfRange {
                pos,
                delete,
                len: doc.length(&text),
            })?;
            doc.splice_text(&text, pos, delete, insert)?;
        }
        TextEdit::Replace(content) => doc.update_text(&text, content)?,
    }
    Ok(())
}
