//! Typed, tolerant reads: [`read_analysis`] turns a document into an [`AnalysisView`].
//!
//! Tolerance (rule 1 of docs/schema.md): strings may be `Str` or `Text`; a missing field
//! reads as its default; an unknown enum value reads as the enum's default; entries that are
//! not maps are skipped. Only the schema is strict: without the right `schema` nothing else
//! can be trusted, so that is an error.

use std::collections::BTreeMap;

use automerge::{ObjId, ROOT, ReadDoc};

use crate::access::{
    ActorDirectory, child_map, map_keys, read_optional_bool, read_string, read_string_list,
    read_string_or_empty,
};
use crate::conflict::disagreeing_values;
use crate::files::read_files;
use crate::schema::{self, SCHEMA_ID};
use crate::view::{
    AnalysisView, CountryView, DelegationView, ItemView, MeetingView, MemberView, PositionView,
    TaskView, TrackView,
};
use crate::{Confidence, ModelError, Priority, Stance, TaskStatus};

/// Reads the whole analysis. Fails only on a missing or different `schema` (or an automerge
/// error); everything else is read tolerantly.
pub fn read_analysis(doc: &impl ReadDoc) -> Result<AnalysisView, ModelError> {
    check_schema(doc)?;
    let actors = ActorDirectory::read(doc)?;
    Ok(AnalysisView {
        schema: SCHEMA_ID.to_owned(),
        title: read_string_or_empty(doc, &ROOT, schema::root::TITLE)?,
        meeting: read_meeting(doc)?,
        tracks: read_entries(doc, schema::root::TRACKS, |doc, track| {
            Ok(TrackView {
                name: read_string_or_empty(doc, track, schema::track::NAME)?,
            })
        })?,
        items: read_entries(doc, schema::root::ITEMS, read_item)?,
        countries: read_entries(doc, schema::root::COUNTRIES, |doc, country| {
            read_country(doc, country, &actors)
        })?,
        tasks: read_entries(doc, schema::root::TASKS, read_task)?,
        members: read_entries(doc, schema::root::MEMBERS, read_member)?,
        files: read_files(doc, &ROOT)?,
        comments: crate::comments::read_comments(doc)?,
    })
}

/// Checks the root `schema` key.
pub fn check_schema(doc: &impl ReadDoc) -> Result<(), ModelError> {
    match read_string(doc, &ROOT, schema::root::SCHEMA)? {
        None => Err(ModelError::MissingSchema),
        Some(found) if found == SCHEMA_ID => Ok(()),
        Some(found) => Err(ModelError::UnsupportedSchema {
            found,
            expected: SCHEMA_ID,
        }),
    }
}

/// Reads every map-valued entry of the root map `key` with `read_one`.
fn read_entries<D: ReadDoc, T>(
    doc: &D,
    key: &str,
    read_one: impl Fn(&D, &ObjId) -> Result<T, ModelError>,
) -> Result<BTreeMap<String, T>, ModelError> {
    let mut entries = BTreeMap::new();
    if let Some(map) = child_map(doc, &ROOT, key)? {
        for id in map_keys(doc, &map) {
            if let Some(entry) = child_map(doc, &map, &id)? {
                entries.insert(id, read_one(doc, &entry)?);
            }
        }
    }
    Ok(entries)
}

fn read_meeting(doc: &impl ReadDoc) -> Result<MeetingView, ModelError> {
    let Some(meeting) = child_map(doc, &ROOT, schema::root::MEETING)? else {
        return Ok(MeetingView::default());
    };
    Ok(MeetingView {
        name: read_string_or_empty(doc, &meeting, schema::meeting::NAME)?,
        venue: read_string_or_empty(doc, &meeting, schema::meeting::VENUE)?,
        starts: read_string_or_empty(doc, &meeting, schema::meeting::STARTS)?,
        ends: read_string_or_empty(doc, &meeting, schema::meeting::ENDS)?,
    })
}

fn read_item(doc: &impl ReadDoc, item: &ObjId) -> Result<ItemView, ModelError> {
    Ok(ItemView {
        code: read_string_or_empty(doc, item, schema::item::CODE)?,
        title: read_string_or_empty(doc, item, schema::item::TITLE)?,
        track: read_string_or_empty(doc, item, schema::item::TRACK)?,
        priority: Priority::from_stored(&read_string_or_empty(doc, item, schema::item::PRIORITY)?),
        theme: read_string_or_empty(doc, item, schema::item::THEME)?,
        summary: read_string_or_empty(doc, item, schema::item::SUMMARY)?,
        files: read_files(doc, item)?,
    })
}

fn read_country(
    doc: &impl ReadDoc,
    country: &ObjId,
    actors: &ActorDirectory,
) -> Result<CountryView, ModelError> {
    let delegation = match child_map(doc, country, schema::country::DELEGATION)? {
        Some(delegation) => DelegationView {
            open_to_civil_society: read_optional_bool(
                doc,
                &delegation,
                schema::delegation::OPEN_TO_CIVIL_SOCIETY,
            )?,
            contacts: read_string_or_empty(doc, &delegation, schema::delegation::CONTACTS)?,
        },
        None => DelegationView::default(),
    };
    let mut positions = BTreeMap::new();
    if let Some(position_map) = child_map(doc, country, schema::country::POSITIONS)? {
        for item_id in map_keys(doc, &position_map) {
            if let Some(position) = child_map(doc, &position_map, &item_id)? {
                positions.insert(item_id, read_position(doc, &position, actors)?);
            }
        }
    }
    Ok(CountryView {
        name: read_string_or_empty(doc, country, schema::country::NAME)?,
        region: read_string_or_empty(doc, country, schema::country::REGION)?,
        delegation,
        positions,
    })
}

fn read_position(
    doc: &impl ReadDoc,
    position: &ObjId,
    actors: &ActorDirectory,
) -> Result<PositionView, ModelError> {
    Ok(PositionView {
        stance: Stance::from_stored(&read_string_or_empty(
            doc,
            position,
            schema::position::STANCE,
        )?),
        confidence: Confidence::from_stored(&read_string_or_empty(
            doc,
            position,
            schema::position::CONFIDENCE,
        )?),
        notes: read_string_or_empty(doc, position, schema::position::NOTES)?,
        notes_internal: read_optional_bool(doc, position, schema::position::NOTES_INTERNAL)?
            .unwrap_or(false),
        sources: read_string_list(doc, position, schema::position::SOURCES)?,
        updated_by: read_string_or_empty(doc, position, schema::position::UPDATED_BY)?,
        updated_at: read_string_or_empty(doc, position, schema::position::UPDATED_AT)?,
        stance_conflicts: disagreeing_values(doc, position, schema::position::STANCE, actors)?,
        confidence_conflicts: disagreeing_values(
            doc,
            position,
            schema::position::CONFIDENCE,
            actors,
        )?,
        notes_internal_conflicts: disagreeing_values(
            doc,
            position,
            schema::position::NOTES_INTERNAL,
            actors,
        )?,
        files: read_files(doc, position)?,
    })
}

fn read_task(doc: &impl ReadDoc, task: &ObjId) -> Result<TaskView, ModelError> {
    Ok(TaskView {
        title: read_string_or_empty(doc, task, schema::task::TITLE)?,
        track: read_string_or_empty(doc, task, schema::task::TRACK)?,
        assignee: read_string_or_empty(doc, task, schema::task::ASSIGNEE)?,
        when: read_string_or_empty(doc, task, schema::task::WHEN)?,
        status: TaskStatus::from_stored(&read_string_or_empty(doc, task, schema::task::STATUS)?),
        notes: read_string_or_empty(doc, task, schema::task::NOTES)?,
        files: read_files(doc, task)?,
    })
}

fn read_member(doc: &impl ReadDoc, member: &ObjId) -> Result<MemberView, ModelError> {
    Ok(MemberView {
        name: read_string_or_empty(doc, member, schema::member::NAME)?,
        org: read_string_or_empty(doc, member, schema::member::ORG)?,
        actors: read_string_list(doc, member, schema::member::ACTORS)?,
        same_as: read_string_or_empty(doc, member, schema::member::SAME_AS)?,
        tokens: read_string_list(doc, member, schema::member::TOKENS)?,
        follows: crate::comments::read_follows(doc, member)?,
    })
}
