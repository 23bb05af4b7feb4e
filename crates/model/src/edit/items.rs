//! Adding and editing agenda items.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use super::positions::create_position;
use super::text::{TextEdit, apply_text_edit, check_text_edit, text_slot};
use super::{check_id, ensure_map, find_item, put_new_text, put_some};
use crate::access::{child_map, map_keys};
use crate::schema;
use crate::{ModelError, Priority};

/// A new agenda item, as in the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// Key in `items`, e.g. `res-102`.
    pub id: String,
    /// Short code, e.g. `Res 102`.
    pub code: String,
    /// Full title.
    pub title: String,
    /// Track id.
    pub track: String,
    /// Coalition priority.
    pub priority: Priority,
    /// Theme id.
    pub theme: String,
    /// Initial summary text.
    pub summary: String,
}

/// Changes to an item; `None` fields are left alone. The summary is edited with
/// [`edit_item_summary`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemUpdate {
    /// New code.
    pub code: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New track id.
    pub track: Option<String>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New theme id.
    pub theme: Option<String>,
}

/// Adds an item and a fresh position for it in every existing country.
pub fn add_item(doc: &mut AutoCommit, item: &ItemSpec) -> Result<(), ModelError> {
    check_id("item", &item.id)?;
    if let Some(items) = child_map(doc, &ROOT, schema::root::ITEMS)?
        && doc.get(&items, item.id.as_str())?.is_some()
    {
        return Err(ModelError::AlreadyExists {
            kind: "item",
            id: item.id.clone(),
        });
    }
    let items = ensure_map(doc, &ROOT, schema::root::ITEMS, &[])?;
    let entry = doc.put_object(&items, item.id.as_str(), ObjType::Map)?;
    doc.put(&entry, schema::item::CODE, item.code.as_str())?;
    doc.put(&entry, schema::item::TITLE, item.title.as_str())?;
    doc.put(&entry, schema::item::TRACK, item.track.as_str())?;
    doc.put(&entry, schema::item::PRIORITY, item.priority.as_str())?;
    doc.put(&entry, schema::item::THEME, item.theme.as_str())?;
    put_new_text(doc, &entry, schema::item::SUMMARY, &item.summary)?;

    if let Some(countries) = child_map(doc, &ROOT, schema::root::COUNTRIES)? {
        for code in map_keys(doc, &countries) {
            let Some(country) = child_map(doc, &countries, &code)? else {
                continue;
            };
            let positions = ensure_map(
                doc,
                &country,
                schema::country::POSITIONS,
                &[schema::root::COUNTRIES, &code],
            )?;
            if doc.get(&positions, item.id.as_str())?.is_none() {
                create_position(doc, &positions, &item.id)?;
            }
        }
    }
    Ok(())
}

/// Updates the item fields that are `Some`.
pub fn update_item(
    doc: &mut AutoCommit,
    item_id: &str,
    update: &ItemUpdate,
) -> Result<(), ModelError> {
    let item = find_item(doc, item_id)?;
    put_some(doc, &item, schema::item::CODE, update.code.as_deref())?;
    put_some(doc, &item, schema::item::TITLE, update.title.as_deref())?;
    put_some(doc, &item, schema::item::TRACK, update.track.as_deref())?;
    put_some(
        doc,
        &item,
        schema::item::PRIORITY,
        update.priority.map(Priority::as_str),
    )?;
    put_some(doc, &item, schema::item::THEME, update.theme.as_deref())?;
    Ok(())
}

/// Edits an item's summary in place.
pub fn edit_item_summary(
    doc: &mut AutoCommit,
    item_id: &str,
    edit: &TextEdit<'_>,
) -> Result<(), ModelError> {
    let item = find_item(doc, item_id)?;
    let path = [schema::root::ITEMS, item_id, schema::item::SUMMARY];
    let slot = text_slot(doc, Some(&item), schema::item::SUMMARY, &path)?;
    check_text_edit(edit, slot.len(doc))?;
    apply_text_edit(doc, &item, schema::item::SUMMARY, slot, edit)
}
