//! The ITU Plenipotentiary 2026 template and documents built from it.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{ActorId, AutoCommit};
use caucus_model::template::{ITU_PLENIPOTENTIARY_2026_JSON, itu_plenipotentiary_2026};
use caucus_model::{
    ModelError, Stance, Template, conflicts, export_json, new_analysis, read_analysis,
};

use crate::common::{actor, at, small_template};

const REGIONS: [&str; 5] = [
    "Americas",
    "Western Europe",
    "Eastern Europe and Northern Asia",
    "Africa",
    "Asia and Australasia",
];
const THEMES: [&str; 3] = [
    "internet-governance",
    "infrastructure-standards",
    "openness-transparency",
];

#[test]
fn the_itu_template_is_complete_and_consistent() {
    let template = itu_plenipotentiary_2026().unwrap();
    assert_eq!(
        template.meeting.name,
        "ITU Plenipotentiary Conference 2026 (PP-26)"
    );
    assert_eq!(
        (
            template.meeting.starts.as_str(),
            template.meeting.ends.as_str()
        ),
        ("2026-11-09", "2026-11-27")
    );

    assert_eq!(template.countries.len(), 194, "ITU has 194 Member States");
    let mut per_region = BTreeMap::new();
    for country in &template.countries {
        assert!(
            country.code.len() == 2 && country.code.bytes().all(|b| b.is_ascii_uppercase()),
            "{} is not an alpha-2 code",
            country.code
        );
        assert!(
            REGIONS.contains(&country.region.as_str()),
            "{}: region {}",
            country.code,
            country.region
        );
        *per_region.entry(country.region.as_str()).or_insert(0) += 1;
    }
    assert_eq!(per_region["Americas"], 35);
    assert_eq!(per_region["Africa"], 54);

    assert!((12..=16).contains(&template.items.len()));
    let track_ids: BTreeSet<_> = template
        .tracks
        .iter()
        .map(|track| track.id.as_str())
        .collect();
    for id in ["COM1", "COM5", "COM6", "WG-PL"] {
        assert!(track_ids.contains(id), "missing track {id}");
    }
    for item in &template.items {
        assert!(
            track_ids.contains(item.track.as_str()),
            "{}: unknown track {}",
            item.id,
            item.track
        );
        assert!(
            THEMES.contains(&item.theme.as_str()),
            "{}: unknown theme {}",
            item.id,
            item.theme
        );
        assert!(!item.title.is_empty() && !item.summary.is_empty() && !item.code.is_empty());
    }
    for theme in THEMES {
        assert!(
            template
                .items
                .iter()
                .filter(|item| item.theme == theme)
                .count()
                >= 3,
            "theme {theme} is thin"
        );
    }
}

#[test]
fn the_template_file_has_exactly_the_shared_shape() {
    // The web client imports the same file: no extra or missing keys.
    let json: serde_json::Value = serde_json::from_str(ITU_PLENIPOTENTIARY_2026_JSON).unwrap();
    let keys = |value: &serde_json::Value| {
        value
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&json),
        ["countries", "items", "meeting", "schema", "title", "tracks"]
    );
    assert_eq!(keys(&json["meeting"]), ["ends", "name", "starts", "venue"]);
    assert_eq!(keys(&json["tracks"][0]), ["id", "name"]);
    assert_eq!(
        keys(&json["items"][0]),
        [
            "code", "id", "priority", "summary", "theme", "title", "track"
        ]
    );
    assert_eq!(keys(&json["countries"][0]), ["code", "name", "region"]);
}

#[test]
fn bad_templates_are_rejected() {
    let mut duplicate = small_template();
    duplicate.countries.push(duplicate.countries[0].clone());
    assert!(matches!(
        duplicate.validate(),
        Err(ModelError::InvalidTemplate(_))
    ));
    let mut wrong_schema = small_template();
    wrong_schema.schema = "caucus/analysis@0".into();
    assert!(new_analysis(&wrong_schema, actor(1), &at(9, 0)).is_err());
    assert!(matches!(
        Template::from_json("{\"schema\": 1}"),
        Err(ModelError::TemplateJson(_))
    ));
}

#[test]
fn a_full_itu_document_has_every_position_and_stays_small() {
    let template = itu_plenipotentiary_2026().unwrap();
    let mut doc = new_analysis(&template, ActorId::random(), &at(9, 0)).unwrap();
    let view = read_analysis(&doc).unwrap();
    assert_eq!(view.countries.len(), 194);
    assert_eq!(view.items.len(), template.items.len());
    assert!(view.countries.values().all(|country| {
        country.positions.len() == template.items.len()
            && country
                .positions
                .values()
                .all(|position| position.stance == Stance::Unknown)
    }));
    assert!(conflicts(&doc).unwrap().is_empty());

    let saved = doc.save();
    println!(
        "fresh ITU template document: {} bytes saved, {} positions, {} changes",
        saved.len(),
        194 * template.items.len(),
        doc.get_changes(&[]).len()
    );
    assert!(
        saved.len() < 256 * 1024,
        "saved document is {} bytes",
        saved.len()
    );
    let loaded = AutoCommit::load(&saved).unwrap();
    assert_eq!(export_json(&loaded).unwrap(), export_json(&doc).unwrap());
}
