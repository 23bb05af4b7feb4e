//! The comments scenario's documents: `comments` comments by twelve members over the three
//! weeks, each its own change, written through the model's edit API on the analysis, and the
//! same comments written into a companion document. Realistic mix: 55 % new threads (on
//! positions, tasks, items, the analysis), 45 % replies to one of the last 40 threads, one
//! thread in eight resolved, 3 % urgent, a fifth with a mention; texts of 40–400 characters.
//! Deterministic.

use anyhow::Result;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};
use caucus_model::comments::{
    CommentTarget, NewComment, add_comment_with_id, comment_by_id, set_thread_resolved,
};
use caucus_model::{Attribution, commit_edit, register_member};

use crate::scenarios::history::analysis::{ITEMS, START_UNIX, WORDS, analysis_document, rfc3339};
use crate::workload::Rng;

/// The three saved documents.
pub(crate) struct Documents {
    pub(crate) bare: Vec<u8>,
    pub(crate) inside: Vec<u8>,
    pub(crate) companion: Vec<u8>,
}

const MEMBERS: usize = 12;
const COUNTRIES: [&str; 12] = [
    "BR", "DE", "IN", "KE", "US", "CN", "RU", "FR", "SN", "TN", "AR", "MX",
];

pub(crate) fn documents(changes: usize, comments: usize) -> Result<Documents> {
    let mut doc = analysis_document(changes)?;
    let bare = doc.save();
    let mut companion = AutoCommit::new().with_actor(ActorId::from([0x77; 16]));
    let companion_map = companion.put_object(ROOT, "comments", ObjType::Map)?;
    commit_edit(&mut companion, "", &rfc3339(START_UNIX)?);
    let tasks: Vec<String> = match doc.get(ROOT, "tasks")? {
        Some((_, tasks)) => doc.keys(&tasks).collect(),
        None => Vec::new(),
    };
    let mut rng = Rng::new(19);
    let mut threads: Vec<String> = Vec::new();
    let seconds = 21 * 86_400 / comments.max(1) as i64;
    for n in 0..comments {
        let member = rng.below(MEMBERS);
        let at = rfc3339(START_UNIX + n as i64 * seconds)?;
        let by = Attribution::new(format!("member-{member:02}"), at.clone());
        doc.set_actor(ActorId::from([0x40 + member as u8; 16]));
        if n < MEMBERS {
            register_member(
                &mut doc,
                &by.member_id,
                &format!("Member {member}"),
                "Coalition",
            )?;
        }
        let id = format!("{n:08x}-0000-4000-8000-000000000000");
        let reply = !threads.is_empty() && rng.below(100) < 45;
        let parent =
            reply.then(|| threads[threads.len() - 1 - rng.below(threads.len().min(40))].clone());
        let comment = NewComment {
            target: pick_target(&mut rng, &tasks),
            parent,
            text: text(&mut rng),
            urgent: rng.below(100) < 3,
            mentions: if rng.below(5) == 0 {
                vec![format!("member-{:02}", rng.below(MEMBERS))]
            } else {
                vec![]
            },
        };
        add_comment_with_id(&mut doc, &id, &by, &comment)?;
        if comment.parent.is_none() {
            threads.push(id.clone());
            if rng.below(8) == 0 && threads.len() > 2 {
                set_thread_resolved(&mut doc, &threads[threads.len() - 2], &by, true)?;
            }
        }
        commit_edit(&mut doc, "", &at);
        mirror(&doc, &mut companion, &companion_map, &id)?;
        commit_edit(&mut companion, "", &at);
    }
    Ok(Documents {
        bare,
        inside: doc.save(),
        companion: companion.save(),
    })
}

fn pick_target(rng: &mut Rng, tasks: &[String]) -> CommentTarget {
    match rng.below(10) {
        0..=3 => CommentTarget::Position {
            country: COUNTRIES[rng.below(COUNTRIES.len())].to_owned(),
            item: ITEMS[rng.below(ITEMS.len())].to_owned(),
        },
        4 | 5 if !tasks.is_empty() => CommentTarget::Task(tasks[rng.below(tasks.len())].clone()),
        6 | 7 => CommentTarget::Item(ITEMS[rng.below(ITEMS.len())].to_owned()),
        _ => CommentTarget::Analysis,
    }
}

fn text(rng: &mut Rng) -> String {
    let mut text = String::new();
    let goal = 40 + rng.below(360);
    while text.len() < goal {
        text.push_str(WORDS[rng.below(WORDS.len())]);
    }
    text.trim_end().to_owned()
}

/// Writes comment `id` as the analysis has it into the companion's `comments` map (scalars).
fn mirror(from: &AutoCommit, to: &mut AutoCommit, map: &automerge::ObjId, id: &str) -> Result<()> {
    let Some(c) = comment_by_id(from, id)? else {
        return Ok(());
    };
    let entry = to.put_object(map, id, ObjType::Map)?;
    for (key, value) in [
        ("on", &c.on),
        ("item", &c.item),
        ("country", &c.country),
        ("task", &c.task),
        ("parent", &c.parent),
        ("by", &c.by),
        ("at", &c.at),
        ("text", &c.text),
    ] {
        if !value.is_empty() {
            to.put(&entry, key, value.as_str())?;
        }
    }
    if c.urgent {
        to.put(&entry, "urgent", true)?;
    }
    if !c.mentions.is_empty() {
        to.put(&entry, "mentions", c.mentions.join(" "))?;
    }
    Ok(())
}
