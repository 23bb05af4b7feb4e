//! One field set by its path, the form `caucus history --field` already uses
//! (`countries/BR/positions/res-102/notes`): what `caucus sealed set` writes. Prose fields are
//! replaced by a diff (concurrent edits elsewhere in the text survive); scalars are checked
//! against their enums.

use automerge::AutoCommit;

use super::{
    Attribution, TextEdit, edit_country_contacts, edit_item_summary, edit_position_notes,
    edit_task_notes, set_confidence, set_notes_internal, set_stance, set_task_status,
    set_task_title, set_task_track, set_task_when, set_title,
};
use crate::ModelError;

/// Sets the field at `path` to `value` (text as given; enums by their name; booleans as
/// `true`/`false`). Position edits are stamped with `by`.
pub fn set_field(
    doc: &mut AutoCommit,
    by: &Attribution,
    path: &str,
    value: &str,
) -> Result<(), ModelError> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let replace = TextEdit::Replace(value);
    match parts.as_slice() {
        ["title"] => set_title(doc, value),
        ["countries", country, "positions", item, field] => match *field {
            "stance" => set_stance(doc, by, country, item, value.parse()?),
            "confidence" => set_confidence(doc, by, country, item, value.parse()?),
            "notes" => edit_position_notes(doc, by, country, item, &replace),
            "notesInternal" => {
                set_notes_internal(doc, by, country, item, boolean("notesInternal", value)?)
            }
            _ => Err(no_such(&parts)),
        },
        ["countries", country, "delegation", "contacts"] => {
            edit_country_contacts(doc, country, &replace)
        }
        ["items", item, "summary"] => edit_item_summary(doc, item, &replace),
        ["tasks", task, field] => match *field {
            "title" => set_task_title(doc, task, value),
            "status" => set_task_status(doc, task, value.parse()?),
            "when" => set_task_when(doc, task, value),
            "track" => set_task_track(doc, task, value),
            "notes" => edit_task_notes(doc, task, &replace),
            _ => Err(no_such(&parts)),
        },
        _ => Err(no_such(&parts)),
    }
}

fn boolean(field: &'static str, value: &str) -> Result<bool, ModelError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ModelError::InvalidValue {
            field,
            value: value.to_owned(),
        }),
    }
}

fn no_such(parts: &[&str]) -> ModelError {
    ModelError::NoSuchPath(parts.iter().map(|p| (*p).to_owned()).collect())
}

#[cfg(test)]
mod tests {
    use automerge::ActorId;

    use super::*;
    use crate::{Timestamp, new_analysis, read_analysis, template};

    #[test]
    fn fields_are_set_by_path_and_unknown_paths_or_values_are_refused() -> Result<(), ModelError> {
        let at = Timestamp::parse("2026-11-10T09:00:00Z")?;
        let mut doc = new_analysis(
            &template::itu_plenipotentiary_2026()?,
            ActorId::from([1u8; 16]),
            &at,
        )?;
        crate::register_member(&mut doc, "ana", "Ana", "Article 19")?;
        let by = Attribution::new("ana", at);
        let analysis = read_analysis(doc.document())?;
        let item = analysis.items.keys().next().cloned().unwrap_or_default();
        set_field(
            &mut doc,
            &by,
            &format!("countries/BR/positions/{item}/notes"),
            "Brazil wavering",
        )?;
        set_field(
            &mut doc,
            &by,
            &format!("countries/BR/positions/{item}/stance"),
            "supports",
        )?;
        set_field(&mut doc, &by, "title", "PP-26 sealed")?;
        let analysis = read_analysis(doc.document())?;
        let position = &analysis.countries["BR"].positions[&item];
        assert_eq!(position.notes, "Brazil wavering");
        assert_eq!(analysis.title, "PP-26 sealed");
        assert!(set_field(&mut doc, &by, "countries/BR/positions/x/colour", "red").is_err());
        assert!(
            set_field(
                &mut doc,
                &by,
                &format!("countries/BR/positions/{item}/stance"),
                "maybe"
            )
            .is_err()
        );
        assert!(set_field(&mut doc, &by, "nothing/here", "x").is_err());
        Ok(())
    }
}
