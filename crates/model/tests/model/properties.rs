//! Property tests: replicas that edit concurrently and merge in any order converge to the
//! same document and view; concurrent different stances always surface as conflicts, and
//! resolving converges.

use std::collections::{BTreeMap, BTreeSet};

use automerge::AutoCommit;
use caucus_model::{
    Confidence, ModelError, NewTask, Stance, TextEdit, add_source, add_task_with_id, assign_task,
    commit_edit, conflicts, edit_position_notes, export_json, new_analysis, read_analysis,
    register_member, remove_source, resolve, set_confidence, set_stance,
};
use proptest::prelude::*;
use proptest::sample::select;

use crate::common::{COUNTRIES, ITEMS, actor, at, by, small_template};

const SOURCES: [&str; 3] = ["PP26/12", "PP26/40(Add.1)", "https://example.org/statement"];
const BASE_TASK: &str = "task-base";

#[derive(Debug, Clone)]
enum Op {
    SetStance {
        country: usize,
        item: usize,
        stance: Stance,
    },
    SetConfidence {
        country: usize,
        item: usize,
        confidence: Confidence,
    },
    SpliceNotes {
        country: usize,
        item: usize,
        pos: usize,
        delete: usize,
        text: String,
    },
    AddSource {
        country: usize,
        item: usize,
        source: usize,
    },
    RemoveSource {
        country: usize,
        item: usize,
        source: usize,
    },
    AddTask {
        title: String,
    },
    Assign {
        task: usize,
        member: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let country = 0..COUNTRIES.len();
    let item = 0..ITEMS.len();
    prop_oneof![
        3 => (country.clone(), item.clone(), select(Stance::ALL)).prop_map(|(country, item, stance)| Op::SetStance { country, item, stance }),
        2 => (country.clone(), item.clone(), select(Confidence::ALL))
            .prop_map(|(country, item, confidence)| Op::SetConfidence { country, item, confidence }),
        2 => (country.clone(), item.clone(), any::<usize>(), 0..4usize, "[a-zé ]{0,6}")
            .prop_map(|(country, item, pos, delete, text)| Op::SpliceNotes { country, item, pos, delete, text }),
        2 => (country.clone(), item.clone(), 0..SOURCES.len()).prop_map(|(country, item, source)| Op::AddSource { country, item, source }),
        1 => (country, item, 0..SOURCES.len()).prop_map(|(country, item, source)| Op::RemoveSource { country, item, source }),
        1 => "[A-Za-z ]{1,12}".prop_map(|title| Op::AddTask { title }),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(task, member)| Op::Assign { task, member }),
    ]
}

fn member(index: usize) -> String {
    format!("m{index}")
}

/// The shared starting point: the small analysis, one member per replica (each registered
/// with the actor its replica will use), and one task everyone can assign.
fn base(replicas: usize) -> AutoCommit {
    let mut doc = new_analysis(&small_template(), actor(0x10), &at(9, 0)).unwrap();
    for index in 0..replicas {
        doc.set_actor(actor(0x20 + index as u8));
        register_member(
            &mut doc,
            &member(index),
            &format!("Member {index}"),
            "Coalition",
        )
        .unwrap();
        commit_edit(&mut doc, "register", &at(9, 1));
    }
    add_task_with_id(
        &mut doc,
        BASE_TASK,
        &NewTask {
            title: "Brief the coalition".into(),
            ..Default::default()
        },
    )
    .unwrap();
    commit_edit(&mut doc, "task", &at(9, 2));
    doc
}

fn replicas(base: &mut AutoCommit, count: usize) -> Vec<AutoCommit> {
    (0..count)
        .map(|index| {
            let mut replica = base.fork();
            replica.set_actor(actor(0x20 + index as u8));
            replica
        })
        .collect()
}

/// Applies `op` as replica `index`'s `step`-th change. Returns the stance it set, if any.
fn apply(
    doc: &mut AutoCommit,
    index: usize,
    step: usize,
    members: usize,
    op: &Op,
) -> Option<(usize, usize, Stance)> {
    let who = by(&member(index), (step % 60) as u32);
    let mut stance_set = None;
    match op {
        Op::SetStance {
            country,
            item,
            stance,
        } => {
            set_stance(doc, &who, COUNTRIES[*country], ITEMS[*item], *stance).unwrap();
            stance_set = Some((*country, *item, *stance));
        }
        Op::SetConfidence {
            country,
            item,
            confidence,
        } => {
            set_confidence(doc, &who, COUNTRIES[*country], ITEMS[*item], *confidence).unwrap();
        }
        Op::SpliceNotes {
            country,
            item,
            pos,
            delete,
            text,
        } => {
            let notes = &read_analysis(doc).unwrap().countries[COUNTRIES[*country]].positions
                [ITEMS[*item]]
                .notes;
            let len = notes.chars().count();
            let pos = pos % (len + 1);
            let delete = delete % (len - pos + 1);
            let edit = TextEdit::Splice {
                pos,
                delete,
                insert: text,
            };
            edit_position_notes(doc, &who, COUNTRIES[*country], ITEMS[*item], &edit).unwrap();
        }
        Op::AddSource {
            country,
            item,
            source,
        } => {
            add_source(
                doc,
                &who,
                COUNTRIES[*country],
                ITEMS[*item],
                SOURCES[*source],
            )
            .unwrap();
        }
        Op::RemoveSource {
            country,
            item,
            source,
        } => {
            match remove_source(
                doc,
                &who,
                COUNTRIES[*country],
                ITEMS[*item],
                SOURCES[*source],
            ) {
                Ok(()) | Err(ModelError::UnknownSource { .. }) => {}
                Err(other) => panic!("remove_source: {other}"),
            }
        }
        Op::AddTask { title } => {
            let task = NewTask {
                title: title.clone(),
                ..Default::default()
            };
            add_task_with_id(doc, &format!("task-{index}-{step}"), &task).unwrap();
        }
        Op::Assign {
            task,
            member: assignee,
        } => {
            let tasks: Vec<String> = read_analysis(doc).unwrap().tasks.into_keys().collect();
            assign_task(doc, &tasks[task % tasks.len()], &member(assignee % members)).unwrap();
        }
    }
    commit_edit(doc, &format!("{op:?}"), &at(10, (step % 60) as u32));
    stance_set
}

/// `to` receives everything `from` has.
fn sync(replicas: &mut [AutoCommit], from: usize, to: usize) {
    if from != to {
        let mut source = replicas[from].clone();
        replicas[to].merge(&mut source).unwrap();
    }
}

/// Every replica receives every other, each in its own order.
fn sync_all(replicas: &mut [AutoCommit], orders: &[Vec<usize>]) {
    for (to, order) in orders.iter().enumerate() {
        for &from in order {
            sync(replicas, from, to);
        }
    }
    // One more round so the first replicas also see what the later ones gathered.
    for (to, order) in orders.iter().enumerate() {
        for &from in order {
            sync(replicas, from, to);
        }
    }
}

/// The document's changes applied in hash order to a fresh document, then saved: the same
/// bytes for the same set of changes, whatever order a replica received them in. (A plain
/// `save()` also encodes the local order in which concurrent changes arrived.)
fn canonical_save(doc: &mut AutoCommit) -> Vec<u8> {
    let mut changes = doc.get_changes(&[]);
    changes.sort_by_key(|change| change.hash());
    let mut fresh = AutoCommit::new();
    fresh.apply_changes(changes).unwrap();
    fresh.save()
}

fn assert_identical(replicas: &mut [AutoCommit]) -> Result<(), TestCaseError> {
    let mut first = replicas[0].clone();
    let mut heads = first.get_heads();
    heads.sort();
    let saved = canonical_save(&mut first);
    let json = export_json(&first).unwrap();
    // What a replica saves loads back to the same document.
    let reloaded = AutoCommit::load(&first.save()).unwrap();
    prop_assert_eq!(&export_json(&reloaded).unwrap(), &json);
    let view = read_analysis(&first).unwrap();
    let found = conflicts(&first).unwrap();
    for other in replicas.iter_mut().skip(1) {
        let mut other_heads = other.get_heads();
        other_heads.sort();
        prop_assert_eq!(&other_heads, &heads);
        prop_assert!(canonical_save(other) == saved, "canonical saves differ");
        prop_assert_eq!(&export_json(other).unwrap(), &json);
        prop_assert_eq!(&read_analysis(other).unwrap(), &view);
        prop_assert_eq!(&conflicts(other).unwrap(), &found);
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Step {
    Edit { replica: usize, op: Op },
    Sync { from: usize, to: usize },
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Step>, Vec<Vec<usize>>)> {
    (2usize..=4).prop_flat_map(|count| {
        let step = prop_oneof![
            4 => (0..count, op()).prop_map(|(replica, op)| Step::Edit { replica, op }),
            1 => (0..count, 0..count).prop_map(|(from, to)| Step::Sync { from, to }),
        ];
        let order = Just((0..count).collect::<Vec<_>>()).prop_shuffle();
        (
            Just(count),
            prop::collection::vec(step, 0..24),
            prop::collection::vec(order, count),
        )
    })
}

fn concurrent_scenario() -> impl Strategy<Value = (usize, Vec<Vec<Op>>, Vec<Vec<usize>>)> {
    (2usize..=4).prop_flat_map(|count| {
        let ops = prop::collection::vec(prop::collection::vec(op(), 0..8), count);
        let order = Just((0..count).collect::<Vec<_>>()).prop_shuffle();
        (Just(count), ops, prop::collection::vec(order, count))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Edits and partial syncs interleaved in any order, then a full sync in any order:
    /// every replica ends with the same heads, bytes, view, JSON and conflicts.
    #[test]
    fn replicas_converge_whatever_the_order((count, steps, orders) in scenario()) {
        let mut base = base(count);
        let mut replicas = replicas(&mut base, count);
        for (index, step) in steps.iter().enumerate() {
            match step {
                Step::Edit { replica, op } => {
                    apply(&mut replicas[*replica], *replica, index, count, op);
                }
                Step::Sync { from, to } => sync(&mut replicas, *from, *to),
            }
        }
        sync_all(&mut replicas, &orders);
        assert_identical(&mut replicas)?;
    }

    /// Fully concurrent edits: every replica shows exactly the disagreeing stances, with
    /// who wrote them; resolving every conflict on one replica clears them everywhere.
    #[test]
    fn concurrent_stances_always_conflict_and_resolving_converges((count, ops, orders) in concurrent_scenario()) {
        let mut base = base(count);
        let mut replicas = replicas(&mut base, count);
        // (country, item) → replica → the stance it last wrote there. Writing the value a
        // replica already sees is no operation at all in automerge, so such a write does not
        // count until the replica has really changed the stance.
        let mut written: BTreeMap<(usize, usize), BTreeMap<usize, Stance>> = BTreeMap::new();
        for (index, replica_ops) in ops.iter().enumerate() {
            for (step, op) in replica_ops.iter().enumerate() {
                if let Some((country, item, stance)) = apply(&mut replicas[index], index, step, count, op) {
                    let writes = written.entry((country, item)).or_default();
                    let current = writes.get(&index).copied().unwrap_or_default();
                    if stance != current || writes.contains_key(&index) {
                        writes.insert(index, stance);
                    }
                }
            }
        }
        sync_all(&mut replicas, &orders);
        assert_identical(&mut replicas)?;

        for doc in &replicas {
            let view = read_analysis(doc).unwrap();
            let found = conflicts(doc).unwrap();
            for (country, code) in COUNTRIES.iter().enumerate() {
                for (item, item_id) in ITEMS.iter().enumerate() {
                    let writes = written.get(&(country, item)).cloned().unwrap_or_default();
                    let distinct: BTreeSet<Stance> = writes.values().copied().collect();
                    let shown: BTreeSet<(String, Option<String>)> = view.countries[*code].positions[*item_id]
                        .stance_conflicts
                        .iter()
                        .map(|value| (value.value.as_str().unwrap_or_default().to_owned(), value.member.clone()))
                        .collect();
                    let path = ["countries", code, "positions", item_id, "stance"];
                    let reported = found.iter().any(|conflict| conflict.path == path);
                    if distinct.len() > 1 {
                        let expected: BTreeSet<(String, Option<String>)> = writes
                            .iter()
                            .map(|(writer, stance)| (stance.as_str().to_owned(), Some(member(*writer))))
                            .collect();
                        prop_assert_eq!(shown, expected);
                        prop_assert!(reported);
                    } else {
                        prop_assert!(shown.is_empty());
                        prop_assert!(!reported);
                    }
                }
            }
        }

        let resolver = by(&member(0), 59);
        for conflict in conflicts(&replicas[0]).unwrap() {
            let chosen = conflict.values[0].to_scalar().unwrap();
            resolve(&mut replicas[0], &resolver, &conflict.path, chosen).unwrap();
        }
        commit_edit(&mut replicas[0], "resolve all", &at(11, 0));
        sync_all(&mut replicas, &orders);
        assert_identical(&mut replicas)?;
        for doc in &replicas {
            prop_assert!(conflicts(doc).unwrap().is_empty());
            let view = read_analysis(doc).unwrap();
            for country in view.countries.values() {
                for position in country.positions.values() {
                    prop_assert!(position.stance_conflicts.is_empty());
                    prop_assert!(position.confidence_conflicts.is_empty());
                }
            }
        }
    }
}

/// Two or three replicas, each setting a different stance on one position at the same time,
/// merged in any order, then one replica resolving.
fn stance_conflict_scenario() -> impl Strategy<Value = (Vec<Stance>, Vec<Vec<usize>>, usize, usize)>
{
    (2usize..=3).prop_flat_map(|count| {
        let known = vec![
            Stance::Supports,
            Stance::Opposes,
            Stance::Mixed,
            Stance::Undecided,
        ];
        let stances = Just(known).prop_shuffle().prop_map(move |mut all| {
            all.truncate(count);
            all
        });
        let order = Just((0..count).collect::<Vec<_>>()).prop_shuffle();
        (
            stances,
            prop::collection::vec(order, count),
            0..count,
            0..count,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Every replica reports the conflict with every distinct value and its writer; after a
    /// resolve on one replica and a merge, all converge on the chosen value, conflict-free.
    #[test]
    fn a_stance_conflict_is_seen_everywhere_and_resolving_it_converges(
        (stances, orders, resolver, chosen) in stance_conflict_scenario()
    ) {
        let count = stances.len();
        let mut base = base(count);
        let mut replicas = replicas(&mut base, count);
        let path = ["countries", "BR", "positions", "res-102", "stance"];
        for (index, stance) in stances.iter().enumerate() {
            set_stance(&mut replicas[index], &by(&member(index), index as u32), "BR", "res-102", *stance).unwrap();
            commit_edit(&mut replicas[index], "stance", &at(10, index as u32));
        }
        sync_all(&mut replicas, &orders);
        let expected: BTreeSet<(String, Option<String>)> = stances
            .iter()
            .enumerate()
            .map(|(index, stance)| (stance.as_str().to_owned(), Some(member(index))))
            .collect();
        for doc in &replicas {
            let found = conflicts(doc).unwrap();
            prop_assert_eq!(found.len(), 1);
            prop_assert_eq!(&found[0].path, &path);
            let shown: BTreeSet<(String, Option<String>)> = found[0]
                .values
                .iter()
                .map(|value| (value.value.as_str().unwrap_or_default().to_owned(), value.member.clone()))
                .collect();
            prop_assert_eq!(&shown, &expected);
            let view = read_analysis(doc).unwrap();
            prop_assert_eq!(view.countries["BR"].positions["res-102"].stance_conflicts.len(), count);
        }

        let pick = stances[chosen];
        resolve(&mut replicas[resolver], &by(&member(resolver), 30), &path, pick.as_str()).unwrap();
        commit_edit(&mut replicas[resolver], "resolve", &at(11, 0));
        sync_all(&mut replicas, &orders);
        assert_identical(&mut replicas)?;
        for doc in &replicas {
            prop_assert!(conflicts(doc).unwrap().is_empty());
            let position = &read_analysis(doc).unwrap().countries["BR"].positions["res-102"];
            prop_assert_eq!(position.stance, pick);
            prop_assert!(position.stance_conflicts.is_empty());
            prop_assert_eq!(&position.updated_by, &member(resolver));
        }
    }
}
