//! The history scenario's document: an ITU PP-26 analysis edited by twelve members through
//! the model's edit API, change by change, until it holds the asked number of changes.
//!
//! Realistic rather than uniform, because a per-field index is only as good as the spread of
//! fields it meets: members work in editing sessions (one field, a few to a few dozen changes
//! 10–60 s apart), each on their own region's countries, on four replicas that merge every
//! few changes (so changes are concurrent, as on a conference floor). The mix: notes typed word
//! by word, stances and confidences, sources, tasks, item summaries, delegation contacts and
//! attached files (maps inside lists, the case whose paths move). Four members keep coming
//! back to one position: its stance is the busy field ([`BUSY_FIELD`]) and its notes the busy
//! text ([`BUSY_TEXT`], a long Text by the end);
//! one stance is set exactly three times ([`RARE_FIELD`]). Deterministic: same arguments,
//! same document.

use anyhow::{Context, Result};
use automerge::{ActorId, AutoCommit, ReadDoc};
use caucus_model::template::itu_plenipotentiary_2026;
use caucus_model::{
    Attribution, Confidence, FilePlace, FileRef, NewTask, Stance, TaskStatus, TextEdit, Timestamp,
    add_file, add_source, add_task_with_id, commit_edit, edit_country_contacts, edit_item_summary,
    edit_position_notes, new_analysis, register_member, set_confidence, set_stance,
    set_task_status,
};

use crate::workload::Rng;

/// The busy field: set by four members all conference long.
pub(crate) const BUSY_FIELD: &str = "countries/BR/positions/res-102/stance";
/// The busy text: typed into by the same four members, word by word.
pub(crate) const BUSY_TEXT: &str = "countries/BR/positions/res-102/notes";
/// The rare field: set three times in the whole document, never picked at random.
pub(crate) const RARE_FIELD: &str = "countries/KE/positions/res-179/stance";
const RARE: (&str, &str) = ("KE", "res-179");

const MEMBERS: usize = 12;
const REPLICAS: usize = 4;
/// Changes each replica makes between two merges.
const CHANGES_PER_ROUND: usize = 6;
/// 2026-11-02T08:00:00Z, the first day of the conference.
pub(crate) const START_UNIX: i64 = 1_793_606_400;

pub(crate) const ITEMS: [&str; 16] = [
    "res-102",
    "res-101",
    "res-130",
    "res-140",
    "res-179",
    "res-206",
    "res-71",
    "res-139",
    "res-203",
    "res-123",
    "res-9",
    "dec-12",
    "res-66",
    "res-167",
    "res-169",
    "elections",
];
pub(crate) const WORDS: [&str; 16] = [
    "delegation ",
    "supports ",
    "the ",
    "text ",
    "in ",
    "committee ",
    "amendment ",
    "opposes ",
    "heard ",
    "at ",
    "plenary ",
    "consensus ",
    "on ",
    "IGF ",
    "mandate ",
    "bracketed ",
];

/// What one editing session works on.
#[derive(Clone)]
enum Target {
    Notes(String, String),
    Stance(String, String),
    Source(String, String),
    Task(usize),
    Summary(String),
    Contacts(String),
    File(String, String),
}

/// One member's state: their actor, replica, region, the session they are in.
struct Member {
    id: String,
    actor: ActorId,
    replica: usize,
    countries: Vec<String>,
    session: Option<(Target, usize)>,
}

/// The generator's state across rounds.
struct Generator {
    rng: Rng,
    replicas: Vec<AutoCommit>,
    members: Vec<Member>,
    clock: i64,
    tasks: usize,
    /// Tasks every replica has (only those can be edited anywhere).
    tasks_merged: usize,
    files: usize,
    changes: usize,
}

/// A document of about `changes` changes (never fewer), see the module docs.
pub(crate) fn analysis_document(changes: usize) -> Result<AutoCommit> {
    let mut g = Generator::new()?;
    let rare_at = [changes / 4, changes / 2, changes * 9 / 10];
    let mut rare_done = 0;
    while g.changes < changes {
        for replica in 0..REPLICAS {
            for _ in 0..CHANGES_PER_ROUND {
                let member = g.pick_member(replica);
                if rare_done < rare_at.len() && g.changes >= rare_at[rare_done] {
                    g.rare_edit(member, rare_done)?;
                    rare_done += 1;
                } else {
                    g.step(member)?;
                }
            }
        }
        g.merge_all()?;
    }
    Ok(g.replicas.swap_remove(0))
}

/// `count` more changes: words typed into the busy field by its first typist, a minute on.
pub(crate) fn more_changes(doc: &mut AutoCommit, count: usize) -> Result<()> {
    let (country, item) = ("BR", "res-102");
    let last = doc
        .get_changes_meta(&[])
        .iter()
        .map(|c| c.timestamp)
        .max()
        .unwrap_or(START_UNIX);
    doc.set_actor(ActorId::from([0x10; 16]));
    for n in 0..count {
        let at = rfc3339(last + 60 + n as i64)?;
        let by = Attribution::new("member-00", at.clone());
        let end = notes_len(doc, country, item);
        edit_position_notes(doc, &by, country, item, &TextEdit::insert(end, "more "))?;
        commit_edit(doc, "", &at);
    }
    Ok(())
}

/// RFC 3339 of a unix time, for [`Timestamp`].
pub(crate) fn rfc3339(unix: i64) -> Result<Timestamp> {
    let secs = u64::try_from(unix).context("a negative time")?;
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    Ok(Timestamp::parse(
        &humantime::format_rfc3339_seconds(at).to_string(),
    )?)
}

impl Generator {
    fn new() -> Result<Self> {
        let template = itu_plenipotentiary_2026()?;
        let codes: Vec<String> = template.countries.iter().map(|c| c.code.clone()).collect();
        let mut doc = new_analysis(&template, ActorId::from([1u8; 16]), &rfc3339(START_UNIX)?)?;
        let mut members = Vec::new();
        let band = codes.len().div_ceil(MEMBERS);
        for m in 0..MEMBERS {
            let id = format!("member-{m:02}");
            let actor = ActorId::from([0x10 + m as u8; 16]);
            doc.set_actor(actor.clone());
            register_member(&mut doc, &id, &format!("Member {m}"), "Coalition")?;
            commit_edit(&mut doc, "Register", &rfc3339(START_UNIX + m as i64)?);
            let mut countries: Vec<String> =
                codes.iter().skip(m * band).take(band).cloned().collect();
            // Four members follow Brazil besides their own region: the busy position's editors.
            if m < 4 {
                countries.push("BR".into());
            }
            members.push(Member {
                id,
                actor,
                replica: m % REPLICAS,
                countries,
                session: None,
            });
        }
        let replicas = (0..REPLICAS).map(|_| doc.fork()).collect();
        Ok(Generator {
            rng: Rng::new(0x4157),
            replicas,
            members,
            clock: START_UNIX + 3600,
            tasks: 0,
            tasks_merged: 0,
            files: 0,
            changes: 0,
        })
    }

    /// A member of this replica: whoever is mid-session, else anyone on it.
    fn pick_member(&mut self, replica: usize) -> usize {
        let on: Vec<usize> = (0..MEMBERS)
            .filter(|m| self.members[*m].replica == replica)
            .collect();
        let busy: Vec<usize> = on
            .iter()
            .copied()
            .filter(|m| self.members[*m].session.is_some())
            .collect();
        if !busy.is_empty() && self.rng.below(4) != 0 {
            return busy[self.rng.below(busy.len())];
        }
        on[self.rng.below(on.len())]
    }

    /// A new session's target for `member`: mostly their region, sometimes the busy field.
    fn new_target(&mut self, member: usize) -> Target {
        let m = &self.members[member];
        let mut country = m.countries[self.rng.below(m.countries.len())].clone();
        // Earlier items get more attention, as on a real agenda.
        let spread = 1 + self.rng.below(ITEMS.len());
        let mut item = ITEMS[self.rng.below(spread)].to_owned();
        if (country.as_str(), item.as_str()) == RARE {
            item = "res-102".into();
        }
        if member < 4 && self.rng.below(100) < 35 {
            (country, item) = ("BR".into(), "res-102".into());
            return if self.rng.below(3) != 0 {
                Target::Stance(country, item)
            } else {
                Target::Notes(country, item)
            };
        }
        match self.rng.below(100) {
            0..40 => Target::Notes(country, item),
            40..65 => Target::Stance(country, item),
            65..75 => Target::Source(country, item),
            75..85 => Target::Task(self.rng.below(self.tasks_merged + 1)),
            85..90 => Target::Summary(item),
            90..95 => Target::Contacts(country),
            _ => Target::File(country, item),
        }
    }

    /// One change by `member` in their current session (a new one when it ran out).
    fn step(&mut self, member: usize) -> Result<()> {
        let (target, left) = match self.members[member].session.take() {
            Some(session) => session,
            None => {
                let target = self.new_target(member);
                let length = 1 + self.rng.below(if matches!(target, Target::Notes(..)) {
                    30
                } else {
                    4
                });
                (target, length)
            }
        };
        self.clock += 10 + self.rng.below(50) as i64;
        let at = rfc3339(self.clock)?;
        let m = &self.members[member];
        let by = Attribution::new(m.id.clone(), at.clone());
        let doc = &mut self.replicas[m.replica];
        doc.set_actor(m.actor.clone());
        let word = WORDS[self.rng.below(WORDS.len())];
        match &target {
            Target::Notes(c, i) => {
                // Typing goes on at the end of the notes.
                let end = notes_len(doc, c, i);
                edit_position_notes(doc, &by, c, i, &TextEdit::insert(end, word))?;
            }
            Target::Stance(c, i) => {
                let stances = [
                    Stance::Supports,
                    Stance::Opposes,
                    Stance::Mixed,
                    Stance::Undecided,
                ];
                set_stance(doc, &by, c, i, stances[self.rng.below(stances.len())])?;
                if self.rng.below(2) == 0 {
                    set_confidence(doc, &by, c, i, Confidence::Reported)?;
                }
            }
            Target::Source(c, i) => {
                add_source(doc, &by, c, i, &format!("PP26/{}", self.rng.below(500)))?
            }
            Target::Task(t) if *t < self.tasks_merged => {
                let statuses = [TaskStatus::Open, TaskStatus::Doing, TaskStatus::Done];
                set_task_status(doc, &task_id(*t), statuses[self.rng.below(3)])?;
            }
            Target::Task(_) => {
                let task = NewTask {
                    title: format!("Follow up {}", self.tasks),
                    notes: word.into(),
                    ..NewTask::default()
                };
                add_task_with_id(doc, &task_id(self.tasks), &task)?;
                self.tasks += 1;
            }
            Target::Summary(i) => edit_item_summary(doc, i, &TextEdit::insert(0, word))?,
            Target::Contacts(c) => edit_country_contacts(doc, c, &TextEdit::insert(0, word))?,
            Target::File(c, i) => {
                self.files += 1;
                let place = FilePlace::Position {
                    country: c.clone(),
                    item: i.clone(),
                };
                add_file(doc, &place, &file_ref(self.files, &m.id, &at))?;
            }
        }
        // An edit that changed nothing (a source already listed) makes no change.
        if commit_edit(doc, "", &at).is_some() {
            self.changes += 1;
        }
        if left > 1 {
            self.members[member].session = Some((target, left - 1));
        }
        Ok(())
    }

    /// The rare field's `n`-th edit, by `member` (who need not cover Kenya: anyone may).
    fn rare_edit(&mut self, member: usize, n: usize) -> Result<()> {
        self.clock += 30;
        let at = rfc3339(self.clock)?;
        let m = &self.members[member];
        let by = Attribution::new(m.id.clone(), at.clone());
        let doc = &mut self.replicas[m.replica];
        doc.set_actor(m.actor.clone());
        let stance = [Stance::Undecided, Stance::Opposes, Stance::Supports][n % 3];
        set_stance(doc, &by, RARE.0, RARE.1, stance)?;
        commit_edit(doc, "Kenya on Res 179", &at);
        self.changes += 1;
        Ok(())
    }

    /// Every replica receives every other's changes (through the first).
    fn merge_all(&mut self) -> Result<()> {
        let (hub, rest) = self.replicas.split_at_mut(1);
        for other in rest.iter_mut() {
            hub[0].merge(other)?;
        }
        for other in rest.iter_mut() {
            other.merge(&mut hub[0])?;
        }
        self.tasks_merged = self.tasks;
        Ok(())
    }
}

/// The length of a position's notes Text (0 when there is none yet).
fn notes_len(doc: &AutoCommit, country: &str, item: &str) -> usize {
    let mut obj = automerge::ROOT;
    for key in ["countries", country, "positions", item, "notes"] {
        match doc.get(&obj, key) {
            Ok(Some((automerge::Value::Object(_), id))) => obj = id,
            _ => return 0,
        }
    }
    doc.length(&obj)
}

/// The `n`-th attached file, by `member` at `at`.
fn file_ref(n: usize, member: &str, at: &Timestamp) -> FileRef {
    FileRef {
        hash: format!("{n:064x}"),
        name: format!("PP26-{n}.pdf"),
        mime_type: "application/pdf".into(),
        size: 1000,
        added_by: member.to_owned(),
        added_at: at.as_str().to_owned(),
        device: None,
    }
}

fn task_id(n: usize) -> String {
    format!("bench-task-{n:05}")
}
