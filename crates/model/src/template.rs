//! Templates for new analyses, and [`new_analysis`] which builds a document from one.
//!
//! The data lives in plain JSON under `crates/model/templates/` because the web client
//! imports the same files; Rust embeds them with `include_str!`. Everything a template puts
//! in the document stays editable afterwards.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT};
use serde::{Deserialize, Serialize};

use crate::edit::{
    CountrySpec, ItemSpec, TrackSpec, add_country, add_item, commit_edit, set_track,
};
use crate::schema::{self, SCHEMA_ID};
use crate::view::MeetingView;
use crate::{ModelError, Timestamp};

/// The JSON of the ITU Plenipotentiary Conference 2026 template.
pub const ITU_PLENIPOTENTIARY_2026_JSON: &str =
    include_str!("../templates/itu-plenipotentiary-2026.json");

/// A template: the starting content of an analysis. Tracks, items and countries keep their
/// file order here; in the document they are maps keyed by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Must be [`SCHEMA_ID`].
    pub schema: String,
    /// Analysis title.
    pub title: String,
    /// The meeting.
    pub meeting: MeetingView,
    /// Committees and working groups.
    pub tracks: Vec<TrackSpec>,
    /// Agenda items.
    pub items: Vec<ItemSpec>,
    /// Countries (Member States).
    pub countries: Vec<CountrySpec>,
}

impl Template {
    /// Parses and checks a template from JSON.
    pub fn from_json(json: &str) -> Result<Self, ModelError> {
        let template: Template = serde_json::from_str(json)?;
        template.validate()?;
        Ok(template)
    }

    /// Checks the schema id and that ids are unique.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.schema != SCHEMA_ID {
            return Err(ModelError::InvalidTemplate(format!(
                "schema is {:?}, expected {SCHEMA_ID:?}",
                self.schema
            )));
        }
        unique("track", self.tracks.iter().map(|track| track.id.as_str()))?;
        unique("item", self.items.iter().map(|item| item.id.as_str()))?;
        unique(
            "country",
            self.countries.iter().map(|country| country.code.as_str()),
        )?;
        Ok(())
    }
}

fn unique<'a>(kind: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), ModelError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(ModelError::InvalidTemplate(format!(
                "duplicate {kind} id {id:?}"
            )));
        }
    }
    Ok(())
}

/// The ITU Plenipotentiary Conference 2026 (PP-26, Doha) template: the PP committees and
/// plenary working group, the items civil society tracks there, and the 194 ITU Member
/// States by ITU administrative region.
pub fn itu_plenipotentiary_2026() -> Result<Template, ModelError> {
    Template::from_json(ITU_PLENIPOTENTIARY_2026_JSON)
}

/// Builds a new analysis document from `template` as one change by `actor` timed at
/// `created_at`: schema, title, meeting, tracks, items, countries with a fresh position for
/// every country × item, and empty `tasks`, `members` and `reports`.
///
/// The actor is a parameter (rather than automerge's random default) so the creating change
/// can be reproduced, e.g. for fixtures; pass `ActorId::random()` otherwise.
pub fn new_analysis(
    template: &Template,
    actor: ActorId,
    created_at: &Timestamp,
) -> Result<AutoCommit, ModelError> {
    template.validate()?;
    let mut doc = AutoCommit::new().with_actor(actor);
    doc.put(ROOT, schema::root::SCHEMA, SCHEMA_ID)?;
    doc.put(ROOT, schema::root::TITLE, template.title.as_str())?;
    let meeting = doc.put_object(ROOT, schema::root::MEETING, ObjType::Map)?;
    doc.put(
        &meeting,
        schema::meeting::NAME,
        template.meeting.name.as_str(),
    )?;
    doc.put(
        &meeting,
        schema::meeting::VENUE,
        template.meeting.venue.as_str(),
    )?;
    doc.put(
        &meeting,
        schema::meeting::STARTS,
        template.meeting.starts.as_str(),
    )?;
    doc.put(
        &meeting,
        schema::meeting::ENDS,
        template.meeting.ends.as_str(),
    )?;
    for key in [
        schema::root::TRACKS,
        schema::root::ITEMS,
        schema::root::COUNTRIES,
        schema::root::TASKS,
        schema::root::MEMBERS,
        schema::root::REPORTS,
    ] {
        doc.put_object(ROOT, key, ObjType::Map)?;
    }
    for track in &template.tracks {
        set_track(&mut doc, track)?;
    }
    // Items before countries: each country then gets all its positions when it is added.
    for item in &template.items {
        add_item(&mut doc, item)?;
    }
    for country in &template.countries {
        add_country(&mut doc, country)?;
    }
    commit_edit(
        &mut doc,
        &format!("Create analysis: {}", template.title),
        created_at,
    );
    Ok(doc)
}
