//! A per-field index of a document's changes, so a field's history decodes only the changes
//! that can have touched it instead of every change of the document ("History that scales"
//! in docs/performance.md).
//!
//! [`FieldIndex::build`] reads every change once and records, for each path a change's
//! operations set (the paths [`history()`](crate::history()) computes: an operation's object's
//! path plus its map key; for a list or text element, the list's or text's path), which
//! changes set it. [`FieldIndex::update`] adds the changes made since the indexed heads
//! (`get_changes(heads)`), so keeping it current costs the new changes only. A query then
//! takes the changes under, or holding, the queried path and hands them, in the same order,
//! to the same walk as the unindexed history: the answer is the same, entry for entry
//! ([`FieldIndex::history`], [`FieldIndex::history_sessions`]).
//!
//! Why the answer cannot differ: an object's path is fixed by where it was created, except
//! below a list or text element, whose index moves with the edits around it. So an object
//! whose every ancestor is a map key has one path at every state, and the index files each of
//! its operations under its exact path. An object below a list element is filed under the
//! path of the outermost such list (what every state's path of it starts with): a query
//! related to that path gets every change that touched any object under it, and the walk
//! computes its paths as the unindexed walk does (same changes, same order). Changes the
//! index leaves out touch only paths unrelated to the query, which the unindexed walk skips.
//! The index holds no values: those are read from the document, at each listed change.
//!
//! No IO, no clock; the caller keeps it next to the document it was built from (a relay: with
//! the loaded document, dropped with it) and calls `update` before querying, or gets
//! [`ModelError::StaleIndex`].

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{ActorId, Automerge, ChangeHash, Prop, ReadDoc};

use crate::history::{ChangeOp, HistoryEntry, HistoryQuery, Walked, list_history};
use crate::sessions::{HistorySession, walk_sessions};
use crate::{ModelError, schema};

/// The key number standing for "a list or text element" in [`FieldIndex::ops`].
const ELEMENT: u32 = u32::MAX;

/// The per-field index of one document's changes (see the module docs).
///
/// Paths are held as interned key numbers (`keys`), so a path of five keys costs five `u32`s
/// however often it recurs.
#[derive(Debug, Clone, Default)]
pub struct FieldIndex {
    /// The heads of the indexed state, sorted as `get_heads` gives them.
    heads: Vec<ChangeHash>,
    /// Every indexed change, in the order it was indexed; postings point here.
    changes: Vec<IndexedChange>,
    /// Each change's distinct (object, key) pairs in first-seen order: the operations the
    /// history walk needs, without rebuilding the change from the document.
    ops: Vec<(u32, u32)>,
    /// Actor ids, by the number [`IndexedChange::actor`] holds.
    actors: Vec<ActorId>,
    actor_numbers: HashMap<ActorId, u32>,
    /// Map keys, by number, and the number of each.
    keys: Vec<String>,
    key_numbers: HashMap<String, u32>,
    /// Objects operations were on: their id as text, where they sit, and the number of each.
    objects: Vec<Object>,
    object_numbers: HashMap<ObjectId, u32>,
    /// (object, key) → posting slot, or `None` for a pair the walk never lists.
    slots: HashMap<(u32, u32), Option<u32>>,
    /// Paths of objects with only map keys above them (plus an operation's key) → slot in
    /// `postings`.
    fields: BTreeMap<Vec<u32>, u32>,
    /// The path of a list or text holding objects → slot of the changes that touched any
    /// object below one of its elements.
    under_lists: BTreeMap<Vec<u32>, u32>,
    /// Changes (indexes into `changes`, ascending) per slot.
    postings: Vec<Vec<u32>>,
}

/// The sort keys of one change, how to find it again, and where its operations start.
#[derive(Debug, Clone, Copy)]
struct IndexedChange {
    hash: ChangeHash,
    timestamp: i64,
    seq: u64,
    actor: u32,
    /// Its pairs are `ops[first_op..next change's first_op]`.
    first_op: u32,
}

#[derive(Debug, Clone)]
struct Object {
    id: String,
    placement: Placement,
}

/// A query path as key numbers: `numbers` is the whole path when `complete`, else the part
/// before the first key no change used.
struct QueryKeys {
    numbers: Vec<u32>,
    complete: bool,
}

impl QueryKeys {
    /// Whether an edit at `path` (plus `key` unless [`ELEMENT`]) is under the query path or
    /// holds it, the walk's test.
    fn relates(&self, path: &[u32], key: u32) -> bool {
        let edit = path.iter().chain((key != ELEMENT).then_some(&key));
        let len = path.len() + usize::from(key != ELEMENT);
        let shared = edit.zip(&self.numbers).take_while(|(a, b)| a == b).count();
        // The query holds the edit (`edit.starts_with(query)`), or the edit holds the query.
        (self.complete && shared == self.numbers.len()) || shared == len
    }
}

/// Where an object sits.
#[derive(Debug, Clone)]
enum Placement {
    /// Only map keys above it: its path.
    Fixed(Vec<u32>),
    /// Below a list or text element: the slot of the outermost such list's path.
    InList(u32),
    /// Not reachable as far as the document can tell (the walk skips its operations too).
    Unknown,
}

impl FieldIndex {
    /// Indexes every change of `doc`.
    pub fn build(doc: &Automerge) -> Result<Self, ModelError> {
        let mut index = FieldIndex::default();
        index.update(doc)?;
        Ok(index)
    }

    /// Indexes the changes `doc` has beyond the indexed heads; returns how many. Fails with
    /// [`ModelError::StaleIndex`] when the index holds a change `doc` lacks (it was built from
    /// another document): build a new one.
    pub fn update(&mut self, doc: &Automerge) -> Result<usize, ModelError> {
        let heads = doc.get_heads();
        if heads == self.heads {
            return Ok(0);
        }
        if self
            .heads
            .iter()
            .any(|head| doc.get_change_meta_by_hash(head).is_none())
        {
            return Err(ModelError::StaleIndex);
        }
        // In dependency order, so an object's creation is indexed before operations on it.
        let changes = doc.get_changes(&self.heads);
        for change in &changes {
            self.add_change(doc, change)?;
        }
        self.heads = heads;
        Ok(changes.len())
    }

    /// Whether the index covers exactly `doc`'s changes.
    pub fn is_current(&self, doc: &Automerge) -> bool {
        self.heads == doc.get_heads()
    }

    /// How many changes are indexed.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Whether no change is indexed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// About how many bytes the index holds on the heap (capacities, not just lengths; a hash
    /// map entry counted with one word of overhead).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let entry = |key: usize, value: usize| key + value + size_of::<usize>();
        let path = |path: &Vec<u32>| size_of::<Vec<u32>>() + path.capacity() * size_of::<u32>();
        let mut bytes = self.heads.capacity() * size_of::<ChangeHash>()
            + self.changes.capacity() * size_of::<IndexedChange>()
            + self.ops.capacity() * size_of::<(u32, u32)>()
            + self.actors.capacity() * size_of::<ActorId>()
            + self.actor_numbers.capacity() * entry(size_of::<ActorId>(), size_of::<u32>())
            + self.keys.capacity() * size_of::<String>()
            + self.key_numbers.capacity() * entry(size_of::<String>(), size_of::<u32>())
            + self.objects.capacity() * size_of::<Object>()
            + self.object_numbers.capacity() * entry(size_of::<ObjectId>(), size_of::<u32>())
            + self.slots.capacity() * entry(size_of::<(u32, u32)>(), size_of::<Option<u32>>())
            + self.postings.capacity() * size_of::<Vec<u32>>();
        // Key text twice: in `keys` and as the map's key.
        bytes += self
            .keys
            .iter()
            .map(|key| 2 * key.capacity())
            .sum::<usize>();
        for object in &self.objects {
            bytes += object.id.capacity();
            if let Placement::Fixed(fixed) = &object.placement {
                bytes += fixed.capacity() * size_of::<u32>();
            }
        }
        for key in self.fields.keys().chain(self.under_lists.keys()) {
            bytes += entry(path(key), size_of::<u32>());
        }
        bytes += self
            .postings
            .iter()
            .map(|p| p.capacity() * size_of::<u32>())
            .sum::<usize>();
        bytes
    }

    /// [`history()`](crate::history()) of `doc`, answered from the index: the same entries.
    pub fn history(
        &self,
        doc: &Automerge,
        query: &HistoryQuery,
    ) -> Result<Vec<HistoryEntry>, ModelError> {
        let mut order = self.candidates(doc, &query.path)?;
        order.sort_by_key(|&at| {
            let change = &self.changes[at as usize];
            (Reverse(change.timestamp), change.hash)
        });
        list_history(doc, query, self.walk(doc, order, &query.path))
    }

    /// [`history_sessions`](crate::history_sessions) of `doc`, answered from the index: the
    /// same sessions.
    pub fn history_sessions(
        &self,
        doc: &Automerge,
        query: &HistoryQuery,
    ) -> Result<Vec<HistorySession>, ModelError> {
        let mut order = self.candidates(doc, &query.path)?;
        // The walk's order: newest first, then actor, then that actor's latest first.
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.changes[a as usize], &self.changes[b as usize]);
            (b.timestamp, &self.actors[a.actor as usize], b.seq).cmp(&(
                a.timestamp,
                &self.actors[b.actor as usize],
                a.seq,
            ))
        });
        walk_sessions(doc, query, self.walk(doc, order, &query.path))
    }

    /// How many changes a query of `path` walks at most: those that set it, something under
    /// it or something holding it (every change for the empty path).
    pub fn touching(&self, path: &[String]) -> usize {
        if path.is_empty() {
            self.changes.len()
        } else {
            self.posting_union(path).len()
        }
    }

    /// The changes a query of `path` must walk, unsorted.
    fn candidates(&self, doc: &Automerge, path: &[String]) -> Result<Vec<u32>, ModelError> {
        if !self.is_current(doc) {
            return Err(ModelError::StaleIndex);
        }
        if path.is_empty() {
            return u32::try_from(self.changes.len())
                .map(|len| (0..len).collect())
                .map_err(|_| ModelError::IndexFull);
        }
        Ok(self.posting_union(path))
    }

    /// Every change filed under a path that starts with `path` or that `path` starts with.
    fn posting_union(&self, path: &[String]) -> Vec<u32> {
        let QueryKeys { numbers, complete } = self.query_keys(path);
        let mut all: Vec<u32> = Vec::new();
        for map in [&self.fields, &self.under_lists] {
            // Proper prefixes of the query (and, when a key is unknown, the known part).
            let upto = numbers.len() + usize::from(!complete);
            let holding = (0..upto).filter_map(|len| map.get(&numbers[..len]));
            let under = map
                .range::<[u32], _>((Bound::Included(&numbers[..]), Bound::Unbounded))
                .take_while(|(key, _)| complete && key.starts_with(&numbers))
                .map(|(_, slot)| slot);
            for slot in holding.chain(under) {
                if let Some(changes) = self.postings.get(*slot as usize) {
                    all.extend_from_slice(changes);
                }
            }
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// A query path as key numbers, as far as every key is known.
    fn query_keys(&self, path: &[String]) -> QueryKeys {
        // A key no change used ends what can match: only shorter paths can hold the query.
        let numbers: Vec<u32> = path
            .iter()
            .map_while(|key| self.key_numbers.get(key).copied())
            .collect();
        QueryKeys {
            complete: numbers.len() == path.len(),
            numbers,
        }
    }

    /// The walk's input for `order`: each change's metadata and its operations from here.
    fn walk<'a>(
        &'a self,
        doc: &'a Automerge,
        order: Vec<u32>,
        filter: &[String],
    ) -> impl Iterator<Item = Walked<'a>> + 'a {
        let filter = self.query_keys(filter);
        order.into_iter().map(move |at| {
            let change = &self.changes[at as usize];
            let meta = doc
                .get_change_meta_by_hash(&change.hash)
                .ok_or_else(|| ModelError::UnknownChange(change.hash.to_string()))?;
            Ok((meta, Some(self.change_ops(at, &filter))))
        })
    }

    /// The operations of change `at` the walk must see for `filter`: all but those on an
    /// object with a fixed path whose edit is unrelated to `filter` (the walk would skip them
    /// without looking anything up; the template's first change has thousands).
    fn change_ops(&self, at: u32, filter: &QueryKeys) -> Vec<ChangeOp> {
        let first = self.changes[at as usize].first_op as usize;
        let end = self
            .changes
            .get(at as usize + 1)
            .map_or(self.ops.len(), |next| next.first_op as usize);
        self.ops[first..end]
            .iter()
            .filter_map(|&(obj, key)| {
                let object = self.objects.get(obj as usize)?;
                let path = match &object.placement {
                    Placement::Fixed(path) => {
                        if !filter.relates(path, key) {
                            return None;
                        }
                        Some(self.key_texts(path))
                    }
                    Placement::InList(_) | Placement::Unknown => None,
                };
                Some(ChangeOp {
                    obj: object.id.clone(),
                    key: (key != ELEMENT).then(|| self.keys[key as usize].clone()),
                    path,
                })
            })
            .collect()
    }

    fn key_texts(&self, path: &[u32]) -> Vec<String> {
        path.iter()
            .map(|key| self.keys[*key as usize].clone())
            .collect()
    }

    /// Files one change's operations, and places the objects it creates.
    fn add_change(
        &mut self,
        doc: &Automerge,
        change: &automerge::Change,
    ) -> Result<(), ModelError> {
        let full = || ModelError::IndexFull;
        let at = u32::try_from(self.changes.len()).map_err(|_| full())?;
        let actor = self.actor_number(change.actor_id())?;
        self.changes.push(IndexedChange {
            hash: change.hash(),
            timestamp: change.timestamp(),
            seq: change.seq(),
            actor,
            first_op: u32::try_from(self.ops.len()).map_err(|_| full())?,
        });
        let mut seen = HashSet::new();
        for (offset, op) in change.decode().operations.into_iter().enumerate() {
            let key = match &op.key {
                Key::Map(key) => self.key_number(key)?,
                Key::Seq(_) => ELEMENT,
            };
            let obj = self.object_number(doc, &op.obj)?;
            if let OpType::Make(_) = op.action {
                // Operations are numbered from the change's start_op, so this is the new
                // object's id as later operations name it.
                let counter = change.start_op().get() + offset as u64;
                let id = ObjectId::Id(OpId::new(counter, change.actor_id()));
                let placement = self.child_placement(obj, key)?;
                self.add_object(id, placement)?;
            }
            // One pair per (object, key) a change touched: a typed word is one.
            if !seen.insert((obj, key)) {
                continue;
            }
            self.ops.push((obj, key));
            if let Some(slot) = self.slot_of(obj, key)?
                && let Some(changes) = self.postings.get_mut(slot as usize)
                && changes.last() != Some(&at)
            {
                changes.push(at);
            }
        }
        Ok(())
    }

    /// The placement of an object created in object `parent` at `key`.
    fn child_placement(&mut self, parent: u32, key: u32) -> Result<Placement, ModelError> {
        let parent = self
            .objects
            .get(parent as usize)
            .map(|o| o.placement.clone());
        Ok(match (parent, key) {
            (Some(Placement::Fixed(mut path)), key) if key != ELEMENT => {
                path.push(key);
                Placement::Fixed(path)
            }
            (Some(Placement::Fixed(path)), _) => Placement::InList(self.slot_for(true, path)?),
            (Some(Placement::InList(slot)), _) => Placement::InList(slot),
            (Some(Placement::Unknown) | None, _) => Placement::Unknown,
        })
    }

    /// The number of `obj`, placed: from its creation, or asked of the document for an object
    /// whose creation the index has not seen (the root).
    fn object_number(&mut self, doc: &Automerge, obj: &ObjectId) -> Result<u32, ModelError> {
        if let Some(number) = self.object_numbers.get(obj) {
            return Ok(*number);
        }
        let placement = self.place(doc, &obj.to_string())?;
        self.add_object(obj.clone(), placement)
    }

    fn add_object(&mut self, obj: ObjectId, placement: Placement) -> Result<u32, ModelError> {
        let number = u32::try_from(self.objects.len()).map_err(|_| ModelError::IndexFull)?;
        self.objects.push(Object {
            id: obj.to_string(),
            placement,
        });
        self.object_numbers.insert(obj, number);
        Ok(number)
    }

    /// Where object `obj` (an id as text) sits, asked of the document: slow (a search of the
    /// operations per level), so only for objects whose creation was not indexed.
    fn place(&mut self, doc: &Automerge, obj: &str) -> Result<Placement, ModelError> {
        let Ok(id) = doc.import_obj(obj) else {
            return Ok(Placement::Unknown);
        };
        let Ok(parents) = doc.parents(&id) else {
            return Ok(Placement::Unknown);
        };
        let mut path = Vec::new();
        for (_, prop) in parents.path() {
            match prop {
                Prop::Map(key) => path.push(self.key_number(&key)?),
                Prop::Seq(_) => return Ok(Placement::InList(self.slot_for(true, path)?)),
            }
        }
        Ok(Placement::Fixed(path))
    }

    /// The posting slot of an operation on object `obj` at `key`, or `None` when the walk
    /// never lists it (a bookkeeping key, an unknown object).
    fn slot_of(&mut self, obj: u32, key: u32) -> Result<Option<u32>, ModelError> {
        if let Some(slot) = self.slots.get(&(obj, key)) {
            return Ok(*slot);
        }
        let placement = self.objects.get(obj as usize).map(|o| o.placement.clone());
        let slot = match placement {
            Some(Placement::InList(slot)) => Some(slot),
            Some(Placement::Fixed(mut path)) => {
                if key != ELEMENT {
                    path.push(key);
                }
                let bookkeeping = path.last().is_some_and(|last| {
                    schema::BOOKKEEPING_KEYS.contains(&self.keys[*last as usize].as_str())
                });
                if bookkeeping {
                    None
                } else {
                    Some(self.slot_for(false, path)?)
                }
            }
            Some(Placement::Unknown) | None => None,
        };
        self.slots.insert((obj, key), slot);
        Ok(slot)
    }

    /// The slot of `path` in `fields` (or `under_lists`), a new empty one if it has none.
    fn slot_for(&mut self, under_list: bool, path: Vec<u32>) -> Result<u32, ModelError> {
        let map = if under_list {
            &mut self.under_lists
        } else {
            &mut self.fields
        };
        if let Some(slot) = map.get(&path) {
            return Ok(*slot);
        }
        let slot = u32::try_from(self.postings.len()).map_err(|_| ModelError::IndexFull)?;
        self.postings.push(Vec::new());
        map.insert(path, slot);
        Ok(slot)
    }

    fn key_number(&mut self, key: &str) -> Result<u32, ModelError> {
        if let Some(number) = self.key_numbers.get(key) {
            return Ok(*number);
        }
        let number = u32::try_from(self.keys.len())
            .ok()
            .filter(|n| *n != ELEMENT)
            .ok_or(ModelError::IndexFull)?;
        self.keys.push(key.to_owned());
        self.key_numbers.insert(key.to_owned(), number);
        Ok(number)
    }

    fn actor_number(&mut self, actor: &ActorId) -> Result<u32, ModelError> {
        if let Some(number) = self.actor_numbers.get(actor) {
            return Ok(*number);
        }
        let number = u32::try_from(self.actors.len()).map_err(|_| ModelError::IndexFull)?;
        self.actors.push(actor.clone());
        self.actor_numbers.insert(actor.clone(), number);
        Ok(number)
    }
}
