//! Coalition members and the actor ids they edit with.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc};

use super::{check_id, check_member, ensure_list, ensure_map};
use crate::ModelError;
use crate::access::{read_string, read_string_list};
use crate::schema;

/// Registers (or updates) a member and records the document's current actor as theirs, so
/// conflict readers can say who wrote what. Name and org are only written when they change,
/// so re-registering on every start does not create conflicts.
pub fn register_member(
    doc: &mut AutoCommit,
    member_id: &str,
    name: &str,
    org: &str,
) -> Result<(), ModelError> {
    check_id("member", member_id)?;
    let members = ensure_map(doc, &ROOT, schema::root::MEMBERS, &[])?;
    let member = ensure_map(doc, &members, member_id, &[schema::root::MEMBERS])?;
    if read_string(doc, &member, schema::member::NAME)?.as_deref() != Some(name) {
        doc.put(&member, schema::member::NAME, name)?;
    }
    if read_string(doc, &member, schema::member::ORG)?.as_deref() != Some(org) {
        doc.put(&member, schema::member::ORG, org)?;
    }
    let actor = doc.get_actor().to_hex_string();
    let actors = ensure_list(
        doc,
        &member,
        schema::member::ACTORS,
        &[schema::root::MEMBERS, member_id, schema::member::ACTORS],
    )?;
    if !read_string_list(doc, &member, schema::member::ACTORS)?.contains(&actor) {
        let end = doc.length(&actors);
        doc.insert(&actors, end, actor.as_str())?;
    }
    Ok(())
}

/// Records that member `alias` is the same person as member `person` (`members[alias].sameAs`,
/// a scalar): written once, when the person confirms on a device that they are someone already
/// in the analysis. Readers then name `alias`'s edits, tasks and conflicts after `person`.
pub fn alias_member(doc: &mut AutoCommit, alias: &str, person: &str) -> Result<(), ModelError> {
    check_member(doc, alias)?;
    check_member(doc, person)?;
    if alias == person {
        return Err(ModelError::InvalidId {
            kind: "member alias of itself",
            id: alias.to_owned(),
        });
    }
    let members = ensure_map(doc, &ROOT, schema::root::MEMBERS, &[])?;
    let member = ensure_map(doc, &members, alias, &[schema::root::MEMBERS])?;
    if read_string(doc, &member, schema::member::SAME_AS)?.as_deref() != Some(person) {
        doc.put(&member, schema::member::SAME_AS, person)?;
    }
    Ok(())
}
