//! A deterministic example analysis used by tests, docs and the CLI's demo.
//!
//! [`scripted_analysis`] builds, always byte for byte the same, an analysis from the ITU
//! PP-26 template edited by four registered members (each on a fixed actor id) over two
//! weeks, 2026-11-02 to 2026-11-16: stances, confidences, notes, sources and tasks; one
//! concurrent stance conflict left unresolved (India on Res 102) and one resolved (South
//! Africa on Res 130); and two reports marked as sent (2026-11-08 and 2026-11-13).
//!
//! Notes of new positions start internal; the members mark the notes they write shareable
//! (`append_note`), except one kept internal on purpose (Egypt on Res 102, `INTERNAL_NOTE`),
//! which the reports and the CSV matrix leave out.

use automerge::{ActorId, AutoCommit, ROOT};

use crate::access::{child_map, read_string};
use crate::schema;
use crate::template::itu_plenipotentiary_2026;
use crate::{
    Attribution, Confidence, CountryUpdate, Date, ModelError, NewTask, Stance, TaskStatus,
    TextEdit, Timestamp, add_source, add_task_with_id, commit_edit, edit_country_contacts,
    edit_position_notes, new_analysis, record_report, register_member, set_confidence,
    set_notes_internal, set_stance, set_task_status, update_country,
};

/// The members of the sample: id, name, organisation, actor byte (the actor id is sixteen
/// copies of it).
pub const MEMBERS: [(&str, &str, &str, u8); 4] = [
    ("ana", "Ana Lima", "Open Net Coalition", 0xa1),
    ("ben", "Ben Okafor", "Free Expression Forum", 0xb2),
    ("chen", "Chen Wei", "Digital Rights Asia", 0xc3),
    ("dina", "Dina Haddad", "Access Collective", 0xd4),
];

/// The one note of the sample kept internal (Egypt on Res 102): no report or CSV shows it.
pub const INTERNAL_NOTE: &str = "Our contact in the Egyptian delegation, not to be quoted: instructions follow the Arab Group line.";

/// The actor that creates the sample document from the template.
pub const CREATOR_ACTOR: u8 = 0x01;

/// Task ids of the sample (fixed so the document is reproducible).
pub const TASK_IDS: [&str; 4] = [
    "0b6c1a52-8d0e-4b8e-9d47-2f1f4c7a9e01",
    "3e9d7f20-51aa-4c2b-8f3e-6a0d9b4c7e02",
    "7a2f4c11-9b3d-4e5f-a1c8-0d6e2b9f4a03",
    "c4e8b6d2-1f7a-4a9c-b3e5-8d2f0a6c1e04",
];

/// The sample analysis (see the module docs). Errors only if the embedded template or the
/// model is broken.
pub fn scripted_analysis() -> Result<AutoCommit, ModelError> {
    let mut s = Script::new()?;

    // Week 0: preparing for the conference.
    s.edit("ana", "2026-11-03T09:15:00Z", "US on Res 102", |doc, by| {
        set_stance(doc, by, "US", "res-102", Stance::Supports)?;
        set_confidence(doc, by, "US", "res-102", Confidence::Reported)?;
        append_note(
            doc,
            by,
            "US",
            "res-102",
            "Statement at the CWG-Internet open consultation backs the multistakeholder approach.",
        )?;
        add_source(doc, by, "US", "res-102", "CWG-Internet/2026/12")
    })?;
    s.edit("ana", "2026-11-03T09:40:00Z", "DE on Res 102", |doc, by| {
        set_stance(doc, by, "DE", "res-102", Stance::Supports)?;
        set_confidence(doc, by, "DE", "res-102", Confidence::Confirmed)?;
        add_source(doc, by, "DE", "res-102", "PP26/57 (CEPT ECP)")
    })?;
    s.edit("ben", "2026-11-03T16:05:00Z", "BR on Res 102", |doc, by| {
        set_stance(doc, by, "BR", "res-102", Stance::Supports)?;
        append_note(
            doc,
            by,
            "BR",
            "res-102",
            "Heard at the CITEL preparatory meeting: no appetite for new ITU mandates on naming.",
        )
    })?;
    s.edit(
        "chen",
        "2026-11-04T08:30:00Z",
        "CN on Res 102",
        |doc, by| {
            set_stance(doc, by, "CN", "res-102", Stance::Opposes)?;
            set_confidence(doc, by, "CN", "res-102", Confidence::Reported)?;
            append_note(
                doc,
                by,
                "CN",
                "res-102",
                "Proposal PP26/44 asks for an ITU role in IP address allocation.",
            )?;
            add_source(doc, by, "CN", "res-102", "PP26/44")
        },
    )?;
    s.edit("chen", "2026-11-04T08:50:00Z", "IN on Dec 12", |doc, by| {
        set_stance(doc, by, "IN", "dec-12", Stance::Supports)?;
        set_confidence(doc, by, "IN", "dec-12", Confidence::Reported)
    })?;
    s.edit(
        "ana",
        "2026-11-04T11:00:00Z",
        "Task: brief Kenya",
        |doc, _| {
            add_task_with_id(
                doc,
                TASK_IDS[0],
                &NewTask {
                    title: "Brief Kenya's delegation on Res 102".into(),
                    track: "COM5".into(),
                    assignee: "ben".into(),
                    when: "2026-11-10".into(),
                    notes: "Share the joint civil-society statement.".into(),
                },
            )
        },
    )?;
    s.edit(
        "dina",
        "2026-11-05T10:20:00Z",
        "SA on Res 102",
        |doc, by| {
            set_stance(doc, by, "SA", "res-102", Stance::Opposes)?;
            append_note(
                doc,
                by,
                "SA",
                "res-102",
                "Arab Group coordination reportedly favours PP26/44.",
            )
        },
    )?;
    s.edit(
        "dina",
        "2026-11-05T10:35:00Z",
        "RU on Res 130",
        |doc, by| {
            set_stance(doc, by, "RU", "res-130", Stance::Opposes)?;
            set_confidence(doc, by, "RU", "res-130", Confidence::Reported)?;
            add_source(doc, by, "RU", "res-130", "PP26/61 (RCC)")
        },
    )?;
    s.edit(
        "chen",
        "2026-11-05T13:10:00Z",
        "IN on Res 102",
        |doc, by| {
            set_stance(doc, by, "IN", "res-102", Stance::Undecided)?;
            append_note(
                doc,
                by,
                "IN",
                "res-102",
                "Capital has not sent instructions yet.",
            )
        },
    )?;
    s.edit("ben", "2026-11-06T09:00:00Z", "KE on Res 102", |doc, by| {
        set_stance(doc, by, "KE", "res-102", Stance::Undecided)?;
        set_confidence(doc, by, "KE", "res-102", Confidence::Reported)?;
        update_country(
            doc,
            "KE",
            &CountryUpdate {
                open_to_civil_society: Some(Some(true)),
                ..CountryUpdate::default()
            },
        )?;
        edit_country_contacts(
            doc,
            "KE",
            &TextEdit::insert(0, "Ministry of ICT focal point; meets NGOs on Tuesdays."),
        )
    })?;
    s.edit(
        "ben",
        "2026-11-06T09:30:00Z",
        "Task: amendment text",
        |doc, _| {
            add_task_with_id(
                doc,
                TASK_IDS[1],
                &NewTask {
                    title: "Draft amendment text for Res 130, resolves 3".into(),
                    track: "COM5".into(),
                    assignee: "dina".into(),
                    when: "before COM5 on 2026-11-12".into(),
                    notes: String::new(),
                },
            )
        },
    )?;
    s.edit("dina", "2026-11-06T15:45:00Z", "FR on Dec 12", |doc, by| {
        set_stance(doc, by, "FR", "dec-12", Stance::Supports)?;
        set_confidence(doc, by, "FR", "dec-12", Confidence::Confirmed)?;
        add_source(
            doc,
            by,
            "FR",
            "dec-12",
            "https://example.org/fr-open-access-statement",
        )
    })?;
    s.edit("ana", "2026-11-07T10:00:00Z", "GB on Res 130", |doc, by| {
        set_stance(doc, by, "GB", "res-130", Stance::Supports)?;
        set_confidence(doc, by, "GB", "res-130", Confidence::Confirmed)
    })?;
    s.record("ana", "2026-11-08", "2026-11-09T07:30:00Z")?;

    // Week 1 of the conference.
    s.edit("ben", "2026-11-09T10:00:00Z", "BR on Res 102", |doc, by| {
        set_confidence(doc, by, "BR", "res-102", Confidence::Reported)?;
        append_note(
            doc,
            by,
            "BR",
            "res-102",
            "Deputy head of delegation confirmed it in the COM5 corridor.",
        )
    })?;
    // Ana and Chen hear different things about India at the same time, offline.
    s.concurrently(
        ("ana", "2026-11-09T14:00:00Z", "IN on Res 102 (side event)"),
        |doc, by| {
            set_stance(doc, by, "IN", "res-102", Stance::Supports)?;
            append_note(
                doc,
                by,
                "IN",
                "res-102",
                "At the side event the delegate praised the IGF model.",
            )
        },
        (
            "chen",
            "2026-11-09T14:10:00Z",
            "IN on Res 102 (APT meeting)",
        ),
        |doc, by| set_stance(doc, by, "IN", "res-102", Stance::Opposes),
    )?;
    s.edit("ana", "2026-11-10T09:20:00Z", "KE on Res 102", |doc, by| {
        set_stance(doc, by, "KE", "res-102", Stance::Supports)?;
        set_confidence(doc, by, "KE", "res-102", Confidence::Confirmed)?;
        append_note(
            doc,
            by,
            "KE",
            "res-102",
            "After our briefing: will speak for the multistakeholder text in COM5.",
        )
    })?;
    s.edit(
        "ben",
        "2026-11-10T09:45:00Z",
        "Task in progress",
        |doc, _| set_task_status(doc, TASK_IDS[0], TaskStatus::Doing),
    )?;
    s.edit(
        "dina",
        "2026-11-10T17:00:00Z",
        "Task: national submissions",
        |doc, _| {
            add_task_with_id(
                doc,
                TASK_IDS[2],
                &NewTask {
                    title: "Collect national submissions on Dec 12".into(),
                    track: "COM6".into(),
                    assignee: String::new(),
                    when: "this week".into(),
                    notes: String::new(),
                },
            )
        },
    )?;
    // Ben and Dina disagree about South Africa; Ana settles it the next day.
    s.concurrently(
        ("ben", "2026-11-11T11:00:00Z", "ZA on Res 130"),
        |doc, by| set_stance(doc, by, "ZA", "res-130", Stance::Supports),
        ("dina", "2026-11-11T11:05:00Z", "ZA on Res 130"),
        |doc, by| set_stance(doc, by, "ZA", "res-130", Stance::Mixed),
    )?;
    s.edit(
        "chen",
        "2026-11-11T15:30:00Z",
        "CN on Res 130",
        |doc, by| {
            set_stance(doc, by, "CN", "res-130", Stance::Opposes)?;
            set_confidence(doc, by, "CN", "res-130", Confidence::Confirmed)
        },
    )?;
    s.edit("chen", "2026-11-11T15:40:00Z", "JP on Dec 12", |doc, by| {
        set_stance(doc, by, "JP", "dec-12", Stance::Supports)?;
        set_confidence(doc, by, "JP", "dec-12", Confidence::Reported)?;
        add_source(doc, by, "JP", "dec-12", "PP26/70 (APT)")
    })?;
    s.edit(
        "ana",
        "2026-11-12T08:45:00Z",
        "Resolve ZA on Res 130",
        |doc, by| {
            set_stance(doc, by, "ZA", "res-130", Stance::Mixed)?;
            set_confidence(doc, by, "ZA", "res-130", Confidence::Confirmed)?;
            append_note(
                doc,
                by,
                "ZA",
                "res-130",
                "Head of delegation: supports the capacity-building parts, opposes new mandates.",
            )
        },
    )?;
    s.edit(
        "dina",
        "2026-11-12T10:30:00Z",
        "EG on Res 102",
        |doc, by| {
            set_stance(doc, by, "EG", "res-102", Stance::Opposes)?;
            set_confidence(doc, by, "EG", "res-102", Confidence::Reported)?;
            // A new position's notes start internal; Dina leaves it so.
            edit_position_notes(
                doc,
                by,
                "EG",
                "res-102",
                &TextEdit::insert(0, INTERNAL_NOTE),
            )?;
            add_source(doc, by, "EG", "res-102", "PP26/44")?;
            add_source(
                doc,
                by,
                "EG",
                "res-102",
                "https://example.org/arab-group-common-proposals",
            )
        },
    )?;
    s.edit("ben", "2026-11-12T12:00:00Z", "US on Res 102", |doc, by| {
        append_note(
            doc,
            by,
            "US",
            "res-102",
            "Will co-sponsor the CEPT amendment to resolves 2.",
        )
    })?;
    s.edit("ben", "2026-11-12T12:05:00Z", "Kenya briefed", |doc, _| {
        set_task_status(doc, TASK_IDS[0], TaskStatus::Done)
    })?;
    s.edit(
        "dina",
        "2026-11-13T09:10:00Z",
        "SA on Res 102",
        |doc, by| {
            set_confidence(doc, by, "SA", "res-102", Confidence::Confirmed)?;
            append_note(
                doc,
                by,
                "SA",
                "res-102",
                "Said so in COM5 on Thursday, with Egypt and Algeria.",
            )
        },
    )?;
    s.edit(
        "dina",
        "2026-11-13T09:30:00Z",
        "BR on Res 130",
        |doc, by| set_stance(doc, by, "BR", "res-130", Stance::Undecided),
    )?;
    s.edit("ana", "2026-11-13T16:00:00Z", "DE on Res 71", |doc, by| {
        set_stance(doc, by, "DE", "res-71", Stance::Supports)?;
        set_confidence(doc, by, "DE", "res-71", Confidence::Reported)
    })?;
    s.record("dina", "2026-11-13", "2026-11-14T07:00:00Z")?;

    // The weekend after week 1.
    s.edit("ben", "2026-11-14T10:00:00Z", "KE on Res 130", |doc, by| {
        set_stance(doc, by, "KE", "res-130", Stance::Supports)?;
        set_confidence(doc, by, "KE", "res-130", Confidence::Reported)
    })?;
    s.edit(
        "ben",
        "2026-11-14T10:15:00Z",
        "Task: Brazil on Res 130",
        |doc, _| {
            add_task_with_id(
                doc,
                TASK_IDS[3],
                &NewTask {
                    title: "Ask Brazil where it stands on Res 130".into(),
                    track: "COM5".into(),
                    assignee: "ben".into(),
                    when: "2026-11-16".into(),
                    notes: String::new(),
                },
            )
        },
    )?;
    s.edit("chen", "2026-11-15T09:00:00Z", "IN on Dec 12", |doc, by| {
        set_confidence(doc, by, "IN", "dec-12", Confidence::Confirmed)
    })?;
    s.edit(
        "chen",
        "2026-11-15T09:20:00Z",
        "CN on Res 102",
        |doc, by| {
            set_stance(doc, by, "CN", "res-102", Stance::Mixed)?;
            append_note(
                doc,
                by,
                "CN",
                "res-102",
                "New line: accepts the IGF reference if PP26/44 stays in.",
            )
        },
    )?;
    s.edit("ana", "2026-11-16T08:00:00Z", "GB on Dec 12", |doc, by| {
        set_stance(doc, by, "GB", "dec-12", Stance::Supports)
    })?;
    s.edit(
        "dina",
        "2026-11-16T08:30:00Z",
        "Amendment drafting",
        |doc, _| set_task_status(doc, TASK_IDS[1], TaskStatus::Doing),
    )?;
    Ok(s.doc)
}

fn actor_of(member: &str) -> ActorId {
    let byte = MEMBERS
        .iter()
        .find(|(id, ..)| *id == member)
        .map_or(0xff, |(.., byte)| *byte);
    ActorId::from([byte; 16])
}

/// Appends `line` to a position's notes, on a new line when the notes are not empty, and
/// marks the notes shareable with the mailing list (new positions' notes start internal).
fn append_note(
    doc: &mut AutoCommit,
    by: &Attribution,
    country: &str,
    item: &str,
    line: &str,
) -> Result<(), ModelError> {
    let mut current = String::new();
    if let Some(countries) = child_map(doc, &ROOT, schema::root::COUNTRIES)?
        && let Some(entry) = child_map(doc, &countries, country)?
        && let Some(positions) = child_map(doc, &entry, schema::country::POSITIONS)?
        && let Some(position) = child_map(doc, &positions, item)?
    {
        current = read_string(doc, &position, schema::position::NOTES)?.unwrap_or_default();
    }
    let text = if current.is_empty() {
        line.to_owned()
    } else {
        format!("\n{line}")
    };
    edit_position_notes(
        doc,
        by,
        country,
        item,
        &TextEdit::insert(current.chars().count(), &text),
    )?;
    set_notes_internal(doc, by, country, item, false)
}

type Step = fn(&mut AutoCommit, &Attribution) -> Result<(), ModelError>;

struct Script {
    doc: AutoCommit,
}

impl Script {
    fn new() -> Result<Self, ModelError> {
        let created = Timestamp::parse("2026-11-02T08:00:00Z")?;
        let mut doc = new_analysis(
            &itu_plenipotentiary_2026()?,
            ActorId::from([CREATOR_ACTOR; 16]),
            &created,
        )?;
        for (index, (id, name, org, byte)) in MEMBERS.iter().enumerate() {
            doc.set_actor(ActorId::from([*byte; 16]));
            register_member(&mut doc, id, name, org)?;
            let at = Timestamp::parse(&format!("2026-11-0{}T08:30:00Z", 2 + index))?;
            commit_edit(&mut doc, &format!("Register {name}"), &at);
        }
        Ok(Self { doc })
    }

    /// One change by `member` at `at`.
    fn edit(
        &mut self,
        member: &str,
        at: &str,
        message: &str,
        step: impl FnOnce(&mut AutoCommit, &Attribution) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        run(&mut self.doc, member, at, message, step)
    }

    /// Two changes made on two replicas that have not seen each other, then merged.
    fn concurrently(
        &mut self,
        first: (&str, &str, &str),
        first_step: Step,
        second: (&str, &str, &str),
        second_step: Step,
    ) -> Result<(), ModelError> {
        let mut other = self.doc.fork();
        run(&mut self.doc, first.0, first.1, first.2, first_step)?;
        run(&mut other, second.0, second.1, second.2, second_step)?;
        self.doc.merge(&mut other)?;
        Ok(())
    }

    /// Marks the report for `date` as sent by `member` at `at`.
    fn record(&mut self, member: &str, date: &str, at: &str) -> Result<(), ModelError> {
        let date = Date::parse(date)?;
        run(
            &mut self.doc,
            member,
            at,
            &format!("Report {date} sent"),
            |doc, by| record_report(doc, &date, &by.member_id, &by.at),
        )
    }
}

fn run(
    doc: &mut AutoCommit,
    member: &str,
    at: &str,
    message: &str,
    step: impl FnOnce(&mut AutoCommit, &Attribution) -> Result<(), ModelError>,
) -> Result<(), ModelError> {
    let at = Timestamp::parse(at)?;
    doc.set_actor(actor_of(member));
    let by = Attribution::new(member, at.clone());
    step(doc, &by)?;
    commit_edit(doc, message, &at);
    Ok(())
}
