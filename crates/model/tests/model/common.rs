//! Shared test material: a small template, fixed actors and times.

use automerge::{ActorId, AutoCommit};
use caucus_model::{
    Attribution, CountrySpec, ItemSpec, MeetingView, Priority, Template, Timestamp, TrackSpec,
    commit_edit, new_analysis, register_member,
};

/// A deterministic actor id: sixteen copies of `byte`.
pub(crate) fn actor(byte: u8) -> ActorId {
    ActorId::from([byte; 16])
}

/// `2026-11-09T<hh>:<mm>:00Z`.
pub(crate) fn at(hour: u32, minute: u32) -> Timestamp {
    Timestamp::parse(&format!("2026-11-09T{hour:02}:{minute:02}:00Z")).unwrap()
}

/// Attribution for `member` at 10:00 plus `minute`.
pub(crate) fn by(member: &str, minute: u32) -> Attribution {
    Attribution::new(member, at(10, minute))
}

fn item(
    id: &str,
    code: &str,
    title: &str,
    track: &str,
    priority: Priority,
    theme: &str,
    summary: &str,
) -> ItemSpec {
    ItemSpec {
        id: id.into(),
        code: code.into(),
        title: title.into(),
        track: track.into(),
        priority,
        theme: theme.into(),
        summary: summary.into(),
    }
}

fn country(code: &str, name: &str, region: &str) -> CountrySpec {
    CountrySpec {
        code: code.into(),
        name: name.into(),
        region: region.into(),
    }
}

/// Three items and four countries: small enough for fixtures and property tests.
pub(crate) fn small_template() -> Template {
    Template {
        schema: caucus_model::SCHEMA_ID.into(),
        title: "PP-26 test analysis".into(),
        meeting: MeetingView {
            name: "ITU Plenipotentiary Conference 2026 (PP-26)".into(),
            venue: "Doha, Qatar".into(),
            starts: "2026-11-09".into(),
            ends: "2026-11-27".into(),
        },
        tracks: vec![
            TrackSpec {
                id: "COM5".into(),
                name: "Committee 5 – Policy and Legal Matters".into(),
            },
            TrackSpec {
                id: "COM6".into(),
                name: "Committee 6 – Administration and Management".into(),
            },
        ],
        items: vec![
            item(
                "res-102",
                "Res 102",
                "ITU's role with regard to international public policy issues pertaining to the Internet and the management of Internet resources, including domain names and addresses",
                "COM5",
                Priority::High,
                "internet-governance",
                "Core text on the ITU's Internet mandate.",
            ),
            item(
                "res-130",
                "Res 130",
                "Strengthening the role of ITU in building confidence and security in the use of information and communication technologies",
                "COM5",
                Priority::High,
                "internet-governance",
                "Cybersecurity mandate.",
            ),
            item(
                "dec-12",
                "Dec 12",
                "Free online access to ITU publications",
                "COM6",
                Priority::Medium,
                "openness-transparency",
                "Free access to publications.",
            ),
        ],
        countries: vec![
            country("BR", "Brazil", "Americas"),
            country("DE", "Germany", "Western Europe"),
            country("IN", "India", "Asia and Australasia"),
            country("KE", "Kenya", "Africa"),
        ],
    }
}

pub(crate) const COUNTRIES: [&str; 4] = ["BR", "DE", "IN", "KE"];
pub(crate) const ITEMS: [&str; 3] = ["res-102", "res-130", "dec-12"];

/// A small analysis created by actor `0xaa`, with member `alice` registered on that actor.
pub(crate) fn small_analysis() -> AutoCommit {
    let mut doc = new_analysis(&small_template(), actor(0xaa), &at(9, 0)).unwrap();
    register_member(&mut doc, "alice", "Alice", "Digital Rights Network").unwrap();
    commit_edit(&mut doc, "Register alice", &at(9, 1));
    doc
}

/// A fork of `doc` editing as `actor_byte`, with `member` registered on it.
pub(crate) fn replica(doc: &mut AutoCommit, actor_byte: u8, member: &str) -> AutoCommit {
    let mut fork = doc.fork();
    fork.set_actor(actor(actor_byte));
    register_member(&mut fork, member, member, "Coalition").unwrap();
    commit_edit(&mut fork, &format!("Register {member}"), &at(9, 2));
    fork
}
