//! Edits of analysis-level fields: title, meeting and tracks.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use serde::{Deserialize, Serialize};

use super::{check_id, ensure_map, put_some};
use crate::ModelError;
use crate::schema;

/// Changes to the meeting; `None` fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingUpdate {
    /// New name.
    pub name: Option<String>,
    /// New venue.
    pub venue: Option<String>,
    /// New first day, `YYYY-MM-DD`.
    pub starts: Option<String>,
    /// New last day, `YYYY-MM-DD`.
    pub ends: Option<String>,
}

/// Sets the analysis title.
pub fn set_title(doc: &mut AutoCommit, title: &str) -> Result<(), ModelError> {
    doc.put(ROOT, schema::root::TITLE, title)?;
    Ok(())
}

/// Updates the meeting fields that are `Some`.
pub fn update_meeting(doc: &mut AutoCommit, update: &MeetingUpdate) -> Result<(), ModelError> {
    let meeting = ensure_map(doc, &ROOT, schema::root::MEETING, &[])?;
    put_some(doc, &meeting, schema::meeting::NAME, update.name.as_deref())?;
    put_some(
        doc,
        &meeting,
        schema::meeting::VENUE,
        update.venue.as_deref(),
    )?;
    put_some(
        doc,
        &meeting,
        schema::meeting::STARTS,
        update.starts.as_deref(),
    )?;
    put_some(doc, &meeting, schema::meeting::ENDS, update.ends.as_deref())?;
    Ok(())
}

/// A committee or working group, as in the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackSpec {
    /// Key in `tracks`, e.g. `COM5`.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// Adds a track, or renames it if it exists.
pub fn set_track(doc: &mut AutoCommit, track: &TrackSpec) -> Result<(), ModelError> {
    check_id("track", &track.id)?;
    let tracks = ensure_map(doc, &ROOT, schema::root::TRACKS, &[])?;
    let entry = ensure_map(doc, &tracks, &track.id, &[schema::root::TRACKS])?;
    doc.put(&entry, schema::track::NAME, track.name.as_str())?;
    Ok(())
}
