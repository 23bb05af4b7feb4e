//! Honest text merges ("Text merges" in docs/schema.md): which Text fields were edited at the
//! same time by different people in overlapping or touching places, each side's version, and
//! the confirmations that clear the mark (`confirmedMerges`).
//!
//! Automerge merges concurrent splices character by character; when two people rewrote the same
//! words the result can read as garbage with no hint. This module finds those places from the
//! change graph alone, without diffing: every change's own text operations name the characters
//! it deleted and the characters it inserted after (element ids, the same on every replica and
//! in the JS API). Two changes *clash* when neither is an ancestor of the other (vector clocks
//! over `deps`), they come from different actors, and they touched a common character. A field
//! is flagged when a clash is by two different people (member, or actor when unregistered) and
//! no confirmation covers it. web/src/model/textmerge.ts implements the same rule; the shared
//! vectors are `tests/fixtures/text-merges.*`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use automerge::legacy::{ElementId, Key, ObjectId, OpType};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ChangeHash, ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::access::{ActorDirectory, child_map, map_keys, read_string_or_empty};
use crate::edit::{check_member, ensure_map};
use crate::history::fork_at;
use crate::{ModelError, schema};

/// A Text field edited at the same time by different people, not confirmed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextMerge {
    /// Keys from the root, e.g. `["countries", "BR", "positions", "res-102", "notes"]`.
    pub path: Vec<String>,
    /// One side per person, ordered by who.
    pub sides: Vec<TextMergeSide>,
    /// Hex hashes of the clashing changes, sorted.
    pub changes: Vec<String>,
}

/// One person's side of a [`TextMerge`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextMergeSide {
    /// The member id, or the actor hex when the actor is not registered to a member.
    pub who: String,
    /// Whether `who` is a member id.
    pub member: bool,
    /// The heads of this side's version: its latest concurrent changes to the field, sorted.
    pub heads: Vec<String>,
}

/// The key of a field in `confirmedMerges`: its path joined with `/`.
pub fn field_key(path: &[String]) -> String {
    path.join("/")
}

/// Whether `path` is one of the collaborative Text fields (rule 3 of docs/schema.md).
pub fn is_prose_field(path: &[String]) -> bool {
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    matches!(
        parts.as_slice(),
        ["countries", _, "positions", _, "notes"]
            | ["countries", _, "delegation", "contacts"]
            | ["items", _, "summary"]
            | ["tasks", _, "notes"]
    )
}

/// One change as the detection needs it.
struct ChangeNode {
    hash: ChangeHash,
    actor: usize,
    seq: u64,
    /// Highest seq known per actor index (this change and its ancestors).
    clock: Vec<u64>,
}

/// The change graph in causal order, with vector clocks, and what each change did to Text.
#[derive(Default)]
struct Graph {
    nodes: Vec<ChangeNode>,
    index: HashMap<ChangeHash, usize>,
    actors: Vec<String>,
    /// object id → (parent object id, map key), from `make*` operations.
    parents: HashMap<String, (String, String)>,
    texts: HashSet<String>,
    /// text object id → character (element id or `_head`) → changes that touched it.
    touches: HashMap<String, HashMap<String, Vec<usize>>>,
    /// text object id → clashing pairs of change indexes (earlier, later).
    clashes: HashMap<String, BTreeSet<(usize, usize)>>,
}

impl Graph {
    fn build(doc: &Automerge) -> Self {
        let mut graph = Graph::default();
        let mut pending: Vec<automerge::Change> = doc.get_changes(&[]);
        // `get_changes` is in causal order; the loop only guards against an order it is not.
        while !pending.is_empty() {
            let before = pending.len();
            let mut later = Vec::new();
            for change in pending {
                if change
                    .deps()
                    .iter()
                    .all(|dep| graph.index.contains_key(dep))
                {
                    graph.add(&change);
                } else {
                    later.push(change);
                }
            }
            if later.len() == before {
                break; // a dependency the document lacks: cannot happen in a loaded document
            }
            pending = later;
        }
        graph
    }

    fn actor_index(&mut self, actor: String) -> usize {
        match self.actors.iter().position(|known| *known == actor) {
            Some(at) => at,
            None => {
                self.actors.push(actor);
                self.actors.len() - 1
            }
        }
    }

    /// `a` is `b` or one of its ancestors.
    fn is_ancestor(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.nodes[a], &self.nodes[b]);
        b.clock.get(a.actor).copied().unwrap_or(0) >= a.seq
    }

    fn concurrent(&self, a: usize, b: usize) -> bool {
        !self.is_ancestor(a, b) && !self.is_ancestor(b, a)
    }

    fn add(&mut self, change: &automerge::Change) {
        let actor = self.actor_index(change.actor_id().to_hex_string());
        let mut clock = vec![0; self.actors.len()];
        for dep in change.deps() {
            if let Some(&at) = self.index.get(dep) {
                for (slot, seq) in self.nodes[at].clock.iter().enumerate() {
                    clock[slot] = clock[slot].max(*seq);
                }
            }
        }
        clock[actor] = change.seq();
        let me = self.nodes.len();
        self.nodes.push(ChangeNode {
            hash: change.hash(),
            actor,
            seq: change.seq(),
            clock,
        });
        self.index.insert(change.hash(), me);
        for (obj, touched) in self.read_ops(change) {
            self.record_touches(me, obj, touched);
        }
    }

    /// Records new objects and returns, per text object, the characters the change touched.
    fn read_ops(&mut self, change: &automerge::Change) -> BTreeMap<String, BTreeSet<String>> {
        let decoded = change.decode();
        let actor_hex = change.actor_id().to_hex_string();
        let start = change.start_op().get();
        let end = start + decoded.operations.len() as u64;
        let own = |elem: &ElementId| match elem {
            ElementId::Id(id) => {
                id.counter() >= start && id.counter() < end && id.1 == *change.actor_id()
            }
            ElementId::Head => false,
        };
        let mut touched: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (offset, op) in decoded.operations.iter().enumerate() {
            let obj = match &op.obj {
                ObjectId::Root => "_root".to_owned(),
                ObjectId::Id(id) => id.to_string(),
            };
            match (&op.action, &op.key) {
                (OpType::Make(kind), Key::Map(key)) => {
                    let id = format!("{}@{actor_hex}", start + offset as u64);
                    if *kind == ObjType::Text {
                        self.texts.insert(id.clone());
                    }
                    self.parents.insert(id, (obj, key.to_string()));
                }
                (OpType::MarkBegin(..) | OpType::MarkEnd(_), _) => {}
                // An insert inside this change's own run touches nothing new.
                (_, Key::Seq(elem)) if self.texts.contains(&obj) && !(op.insert && own(elem)) => {
                    touched.entry(obj).or_default().insert(elem.to_string());
                }
                _ => {}
            }
        }
        touched
    }

    fn record_touches(&mut self, me: usize, obj: String, touched: BTreeSet<String>) {
        let mut found = Vec::new();
        let by_elem = self.touches.entry(obj.clone()).or_default();
        for elem in touched {
            let list = by_elem.entry(elem).or_default();
            found.extend(list.iter().copied());
            list.push(me);
        }
        let clashes: Vec<(usize, usize)> = found
            .into_iter()
            .filter(|&other| {
                self.nodes[other].actor != self.nodes[me].actor && self.concurrent(other, me)
            })
            .map(|other| (other, me))
            .collect();
        if !clashes.is_empty() {
            self.clashes.entry(obj).or_default().extend(clashes);
        }
    }

    fn path_of(&self, obj: &str) -> Option<Vec<String>> {
        let mut path = Vec::new();
        let mut at = obj;
        while at != "_root" {
            let (parent, key) = self.parents.get(at)?;
            path.push(key.clone());
            at = parent;
            if path.len() > 16 {
                return None;
            }
        }
        path.reverse();
        Some(path)
    }
}

/// Every prose field edited at the same time by different people and not confirmed since,
/// ordered by path.
pub fn text_merges(doc: &Automerge) -> Result<Vec<TextMerge>, ModelError> {
    let graph = Graph::build(doc);
    let directory = ActorDirectory::read(doc)?;
    let confirmed = read_confirmations(doc)?;
    let mut merges = Vec::new();
    for (obj, pairs) in &graph.clashes {
        let Some(path) = graph.path_of(obj).filter(|path| is_prose_field(path)) else {
            continue;
        };
        // The field must still be that object (a replaced Text is no longer shown).
        if !still_there(doc, &path, obj)? {
            continue;
        }
        let heads: Vec<usize> = confirmed
            .get(&field_key(&path))
            .into_iter()
            .flatten()
            .filter_map(|hash| graph.index.get(hash).copied())
            .collect();
        if let Some(merge) = merge_of(&graph, &directory, obj, path, pairs, &heads) {
            merges.push(merge);
        }
    }
    merges.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(merges)
}

/// The text of a side's version of a merged field (the field at that side's heads).
pub fn side_text(
    doc: &Automerge,
    merge: &TextMerge,
    side: &TextMergeSide,
) -> Result<String, ModelError> {
    let heads = crate::history::parse_heads(&side.heads)?;
    let then = fork_at(doc, &heads)?;
    let mut obj = ROOT;
    let Some((last, parents)) = merge.path.split_last() else {
        return Ok(String::new());
    };
    for key in parents {
        match child_map(&then, &obj, key)? {
            Some(child) => obj = child,
            None => return Ok(String::new()),
        }
    }
    read_string_or_empty(&then, &obj, last)
}

fn still_there(doc: &Automerge, path: &[String], obj: &str) -> Result<bool, ModelError> {
    let Some((last, parents)) = path.split_last() else {
        return Ok(false);
    };
    let mut at = ROOT;
    for key in parents {
        match child_map(doc, &at, key)? {
            Some(child) => at = child,
            None => return Ok(false),
        }
    }
    Ok(doc
        .get(&at, last.as_str())?
        .is_some_and(|(_, id)| id.to_string() == obj))
}

/// Who made a change: its member, or its actor when unregistered.
fn who(graph: &Graph, directory: &ActorDirectory, change: usize) -> (String, bool) {
    let actor = &graph.actors[graph.nodes[change].actor];
    match directory.member_of(actor) {
        Some(member) => (member, true),
        None => (actor.clone(), false),
    }
}

fn merge_of(
    graph: &Graph,
    directory: &ActorDirectory,
    obj: &str,
    path: Vec<String>,
    pairs: &BTreeSet<(usize, usize)>,
    confirmed: &[usize],
) -> Option<TextMerge> {
    // A confirmation records every head the confirming person saw; a clash is settled when
    // both its changes are in what some confirmation saw.
    let seen = |c: usize| confirmed.iter().any(|&h| graph.is_ancestor(c, h));
    let covered = |a: usize, b: usize| seen(a) && seen(b);
    let open: Vec<(usize, usize)> = pairs
        .iter()
        .copied()
        .filter(|&(a, b)| {
            who(graph, directory, a).0 != who(graph, directory, b).0 && !covered(a, b)
        })
        .collect();
    if open.is_empty() {
        return None;
    }
    let flagged: BTreeSet<usize> = open.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut people: BTreeMap<String, bool> = BTreeMap::new();
    for &change in &flagged {
        let (id, member) = who(graph, directory, change);
        people.insert(id, member);
    }
    let touching: BTreeSet<usize> = graph.touches[obj].values().flatten().copied().collect();
    let sides = people
        .into_iter()
        .map(|(id, member)| {
            let mine: Vec<usize> = touching
                .iter()
                .copied()
                .filter(|&c| who(graph, directory, c).0 == id)
                .filter(|&c| !seen(c))
                .filter(|&c| {
                    flagged
                        .iter()
                        .any(|&f| who(graph, directory, f).0 != id && graph.concurrent(c, f))
                })
                .collect();
            let mut heads: Vec<String> = mine
                .iter()
                .filter(|&&c| !mine.iter().any(|&d| d != c && graph.is_ancestor(c, d)))
                .map(|&c| graph.nodes[c].hash.to_string())
                .collect();
            heads.sort();
            TextMergeSide {
                who: id,
                member,
                heads,
            }
        })
        .collect();
    let mut changes: Vec<String> = flagged
        .iter()
        .map(|&c| graph.nodes[c].hash.to_string())
        .collect();
    changes.sort();
    Some(TextMerge {
        path,
        sides,
        changes,
    })
}

/// `confirmedMerges`: field key → the heads recorded by confirmations.
fn read_confirmations(doc: &Automerge) -> Result<HashMap<String, Vec<ChangeHash>>, ModelError> {
    let mut out = HashMap::new();
    let Some(all) = child_map(doc, &ROOT, schema::root::CONFIRMED_MERGES)? else {
        return Ok(out);
    };
    for field in map_keys(doc, &all) {
        if let Some(entry) = child_map(doc, &all, &field)? {
            let heads = map_keys(doc, &entry)
                .iter()
                .filter_map(|hash| hash.parse::<ChangeHash>().ok())
                .collect();
            out.insert(field, heads);
        }
    }
    Ok(out)
}

/// Confirms the text of the field at `path` as it is now: records the document's heads under
/// `confirmedMerges[field]` (each head → `by`), which clears every merge those heads contain.
/// Maps are created only when missing (rule 4). Reads the heads, so it must be the first edit
/// of its change ([`ModelError::PendingEdits`] otherwise).
pub fn confirm_text_merge(
    doc: &mut AutoCommit,
    path: &[String],
    by: &str,
) -> Result<(), ModelError> {
    if doc.pending_ops() > 0 {
        return Err(ModelError::PendingEdits("confirm_text_merge"));
    }
    check_member(doc, by)?;
    let heads = doc.get_heads();
    let all = ensure_map(doc, &ROOT, schema::root::CONFIRMED_MERGES, &[])?;
    let key = field_key(path);
    let entry = ensure_map(doc, &all, &key, &[schema::root::CONFIRMED_MERGES])?;
    for head in heads {
        doc.put(&entry, head.to_string(), by)?;
    }
    Ok(())
}

/// Unconfirmed merges of position notes: (country, item) → the people on each side (member
/// ids, or actor hex when unregistered), for the weekly report.
pub(crate) fn merged_notes(
    doc: &Automerge,
) -> Result<BTreeMap<(String, String), Vec<String>>, ModelError> {
    let mut out = BTreeMap::new();
    for merge in text_merges(doc)? {
        if let [_, country, _, item, _] = merge.path.as_slice()
            && merge.path[0] == schema::root::COUNTRIES
        {
            let people = merge.sides.into_iter().map(|side| side.who).collect();
            out.insert((country.clone(), item.clone()), people);
        }
    }
    Ok(out)
}
