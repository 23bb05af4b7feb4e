//! Adding and editing countries and their delegations.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue};
use serde::{Deserialize, Serialize};

use super::positions::create_position;
use super::text::{TextEdit, apply_text_edit, check_text_edit, text_slot};
use super::{check_id, ensure_map, find_country, put_new_text, put_some};
use crate::ModelError;
use crate::access::{child_map, map_keys};
use crate::schema;

/// A new country, as in the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountrySpec {
    /// ISO 3166-1 alpha-2 code, the key in `countries`.
    pub code: String,
    /// English short name.
    pub name: String,
    /// ITU region.
    pub region: String,
}

/// Changes to a country; `None` fields are left alone. Contacts are edited with
/// [`edit_country_contacts`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryUpdate {
    /// New name.
    pub name: Option<String>,
    /// New region.
    pub region: Option<String>,
    /// `Some(None)` marks openness as not known; `Some(Some(b))` sets it.
    pub open_to_civil_society: Option<Option<bool>>,
}

/// Adds a country with an empty delegation and a fresh position for every existing item.
pub fn add_country(doc: &mut AutoCommit, country: &CountrySpec) -> Result<(), ModelError> {
    check_id("country", &country.code)?;
    if let Some(countries) = child_map(doc, &ROOT, schema::root::COUNTRIES)?
        && doc.get(&countries, country.code.as_str())?.is_some()
    {
        return Err(ModelError::AlreadyExists {
            kind: "country",
            id: country.code.clone(),
        });
    }
    let item_ids = match child_map(doc, &ROOT, schema::root::ITEMS)? {
        Some(items) => map_keys(doc, &items),
        None => Vec::new(),
    };
    let countries = ensure_map(doc, &ROOT, schema::root::COUNTRIES, &[])?;
    let entry = doc.put_object(&countries, country.code.as_str(), ObjType::Map)?;
    doc.put(&entry, schema::country::NAME, country.name.as_str())?;
    doc.put(&entry, schema::country::REGION, country.region.as_str())?;
    let delegation = doc.put_object(&entry, schema::country::DELEGATION, ObjType::Map)?;
    doc.put(
        &delegation,
        schema::delegation::OPEN_TO_CIVIL_SOCIETY,
        ScalarValue::Null,
    )?;
    put_new_text(doc, &delegation, schema::delegation::CONTACTS, "")?;
    let positions = doc.put_object(&entry, schema::country::POSITIONS, ObjType::Map)?;
    for item_id in item_ids {
        create_position(doc, &positions, &item_id)?;
    }
    Ok(())
}

/// Updates the country fields that are `Some`.
pub fn update_country(
    doc: &mut AutoCommit,
    code: &str,
    update: &CountryUpdate,
) -> Result<(), ModelError> {
    let country = find_country(doc, code)?;
    put_some(doc, &country, schema::country::NAME, update.name.as_deref())?;
    put_some(
        doc,
        &country,
        schema::country::REGION,
        update.region.as_deref(),
    )?;
    if let Some(open) = update.open_to_civil_society {
        let delegation = ensure_map(
            doc,
            &country,
            schema::country::DELEGATION,
            &[schema::root::COUNTRIES, code],
        )?;
        let value = open.map_or(ScalarValue::Null, ScalarValue::Boolean);
        doc.put(
            &delegation,
            schema::delegation::OPEN_TO_CIVIL_SOCIETY,
            value,
        )?;
    }
    Ok(())
}

/// Edits a country's delegation contacts in place.
pub fn edit_country_contacts(
    doc: &mut AutoCommit,
    code: &str,
    edit: &TextEdit<'_>,
) -> Result<(), ModelError> {
    let country = find_country(doc, code)?;
    let delegation = child_map(doc, &country, schema::country::DELEGATION)?;
    let path = [
        schema::root::COUNTRIES,
        code,
        schema::country::DELEGATION,
        schema::delegation::CONTACTS,
    ];
    let slot = text_slot(
        doc,
        delegation.as_ref(),
        schema::delegation::CONTACTS,
        &path,
    )?;
    check_text_edit(edit, slot.len(doc))?;
    let delegation = match delegation {
        Some(delegation) => delegation,
        None => ensure_map(doc, &country, schema::country::DELEGATION, &path[..2])?,
    };
    apply_text_edit(doc, &delegation, schema::delegation::CONTACTS, slot, edit)
}
