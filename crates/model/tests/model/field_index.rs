//! The field index answers exactly what the unindexed history does: the same entries, order
//! and values, raw and by session, for every path the changes set (and their prefixes, and
//! paths no change set), at several limits: on the sample analysis, on random concurrent
//! edits (including maps inside lists whose indexes move), and after incremental updates.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ObjType, ROOT, ReadDoc};
use caucus_model::history::{HistoryQuery, MAX_HISTORY_LIMIT};
use caucus_model::{
    Attribution, FieldIndex, FilePlace, FileRef, ModelError, NewTask, Stance, TaskStatus, TextEdit,
    Timestamp, add_file, add_source, add_task_with_id, commit_edit, edit_position_notes, history,
    history_sessions, remove_file, set_stance, set_task_status,
};
use proptest::prelude::*;

use crate::common::{COUNTRIES, ITEMS, actor, small_analysis};

/// Every path the document's changes set, each prefix of one, and two paths nothing set. Of
/// the first change's (the template: thousands of fields) only those of one position.
fn query_paths(doc: &Automerge) -> Vec<Vec<String>> {
    let all = history(doc, &HistoryQuery::default().with_limit(MAX_HISTORY_LIMIT)).unwrap();
    let created = all.last().map(|entry| entry.hash.clone());
    let mut paths = BTreeSet::new();
    for entry in all {
        let from_template = Some(&entry.hash) == created.as_ref();
        for edit in entry.edits {
            if from_template
                && !edit
                    .path
                    .starts_with(&path("countries/BR/positions/res-102"))
            {
                continue;
            }
            for len in 0..=edit.path.len() {
                paths.insert(edit.path[..len].to_vec());
            }
        }
    }
    paths.insert(path("countries/ZZ"));
    paths.insert(path("nothing/here"));
    paths.into_iter().collect()
}

fn path(text: &str) -> Vec<String> {
    HistoryQuery::for_path(text).path
}

/// The indexed answers equal the unindexed ones for each of `paths`: raw at limits 1, 3 and
/// 200, by session at `session_limits`. The unindexed walk is slow on a document made from
/// the template (its first change names thousands of objects), so the raw one runs once, at
/// 200: a raw history at a smaller limit is its prefix (the walk appends in order and stops).
fn assert_same(
    doc: &Automerge,
    index: &FieldIndex,
    paths: &[Vec<String>],
    session_limits: &[usize],
) {
    for path in paths {
        let query = |limit| HistoryQuery {
            path: path.clone(),
            limit: Some(limit),
        };
        let unindexed = history(doc, &query(200)).unwrap();
        for limit in [1, 3, 200] {
            let expected = &unindexed[..limit.min(unindexed.len())];
            let what = format!("raw history of {path:?}, limit {limit}");
            same(&index.history(doc, &query(limit)).unwrap(), expected, &what);
        }
        for &limit in session_limits {
            same(
                &index.history_sessions(doc, &query(limit)).unwrap(),
                &history_sessions(doc, &query(limit)).unwrap(),
                &format!("sessions of {path:?}, limit {limit}"),
            );
        }
    }
}

/// `indexed == unindexed`, reported by the first entry that differs (the answers are long).
fn same<T: PartialEq + std::fmt::Debug>(indexed: &[T], unindexed: &[T], what: &str) {
    if indexed == unindexed {
        return;
    }
    let at = indexed.iter().zip(unindexed).position(|(a, b)| a != b);
    let shown = |entry: Option<&T>| format!("{entry:?}").chars().take(600).collect::<String>();
    panic!(
        "{what}: {} entries indexed, {} unindexed; first difference at {at:?}:\n  indexed   {}\n  unindexed {}",
        indexed.len(),
        unindexed.len(),
        shown(at.and_then(|at| indexed.get(at))),
        shown(at.and_then(|at| unindexed.get(at))),
    );
}

#[test]
fn the_sample_analysis_gets_the_same_history() {
    let mut sample = caucus_model::sample::scripted_analysis().unwrap();
    let doc = sample.document();
    let index = FieldIndex::build(doc).unwrap();
    assert_eq!(index.len(), doc.get_changes_meta(&[]).len());
    // Every path down to positions, tasks and members, and the fields of two positions (a
    // conflict, the internal note): each unindexed walk places the template's thousands of
    // objects, so every path costs.
    let positions = [
        "countries/IN/positions/res-102",
        "countries/EG/positions/res-102",
    ]
    .map(path);
    let paths: Vec<Vec<String>> = query_paths(doc)
        .into_iter()
        .filter(|p| p.len() <= 4 || positions.iter().any(|position| p.starts_with(position)))
        .collect();
    assert!(paths.len() > 50, "{} paths", paths.len());
    // Every unindexed walk takes seconds in a debug build: a spread of the paths (every depth,
    // tasks, members, reports and a position field) keeps the comparison broad and `make test`
    // short.
    let stride = paths.len() / 12;
    let spread = paths.into_iter().step_by(stride.max(1));
    let (fields, wider): (Vec<_>, Vec<_>) = spread.partition(|p| p.len() > 4);
    assert!(
        !fields.is_empty() && wider.len() > 4,
        "{fields:?} {wider:?}"
    );
    assert_same(doc, &index, &wider, &[2, 200]);
    assert_same(doc, &index, &fields, &[200]);
}

#[test]
fn an_index_updated_change_by_change_answers_as_the_unindexed_history() {
    let mut sample = caucus_model::sample::scripted_analysis().unwrap();
    let changes = sample.document().get_changes(&[]);
    let paths: Vec<Vec<String>> = [
        "",
        "countries/IN/positions/res-102",
        "countries/IN/positions/res-102/stance",
        "countries/ZA/positions/res-130/stance",
        "countries/BR/positions/res-102/notes",
        "tasks",
        "members/dina",
        "reports",
    ]
    .iter()
    .map(|text| path(text))
    .collect();
    let mut doc = Automerge::new();
    let mut index = FieldIndex::build(&doc).unwrap();
    let count = changes.len();
    for (n, change) in changes.into_iter().enumerate() {
        doc.apply_changes([change]).unwrap();
        // Stale until updated: a query refuses rather than answer from old changes.
        let query = HistoryQuery::for_path("countries/IN/positions/res-102");
        assert!(matches!(
            index.history(&doc, &query),
            Err(ModelError::StaleIndex)
        ));
        assert_eq!(index.update(&doc).unwrap(), 1);
        assert!(index.is_current(&doc));
        if n % 20 == 19 || n + 1 == count {
            assert_same(&doc, &index, &paths, &[200]);
        }
    }
    assert_eq!(index.update(&doc).unwrap(), 0);
    assert_same(&doc, &index, &paths, &[1, 2]);
}

#[test]
fn an_index_of_another_document_is_refused() {
    let mut sample = caucus_model::sample::scripted_analysis().unwrap();
    let mut index = FieldIndex::build(sample.document()).unwrap();
    let mut other = small_analysis();
    assert!(matches!(
        index.update(other.document()),
        Err(ModelError::StaleIndex)
    ));
    assert!(matches!(
        index.history(other.document(), &HistoryQuery::default()),
        Err(ModelError::StaleIndex)
    ));
}

/// One step of the random edits.
#[derive(Debug, Clone)]
enum Step {
    Stance(usize, usize, usize),
    Type(usize, usize, usize),
    Source(usize, usize, usize),
    AddFile(usize, usize, usize),
    RemoveFile(usize, usize, usize),
    /// A map put at the front of a position's `files` list by a raw client (the entries after
    /// it move), or an entry's field edited in place (a path inside a list).
    FrontEntry(usize, usize),
    EditEntry(usize, usize, usize),
    Task(usize),
    Merge(usize, usize),
    /// Update the index from the first replica's heads.
    Update,
}

fn step() -> impl Strategy<Value = Step> {
    let (c, i, n, r) = (0..COUNTRIES.len(), 0..ITEMS.len(), 0..4usize, 0..3usize);
    prop_oneof![
        3 => (r.clone(), c.clone(), i.clone()).prop_map(|(r, c, i)| Step::Stance(r, c, i)),
        3 => (r.clone(), c.clone(), i.clone()).prop_map(|(r, c, i)| Step::Type(r, c, i)),
        1 => (r.clone(), c.clone(), n.clone()).prop_map(|(r, c, n)| Step::Source(r, c, n)),
        2 => (r.clone(), i.clone(), n.clone()).prop_map(|(r, i, n)| Step::AddFile(r, i, n)),
        1 => (r.clone(), i.clone(), n.clone()).prop_map(|(r, i, n)| Step::RemoveFile(r, i, n)),
        1 => (r.clone(), i.clone()).prop_map(|(r, i)| Step::FrontEntry(r, i)),
        2 => (r.clone(), i.clone(), n.clone()).prop_map(|(r, i, n)| Step::EditEntry(r, i, n)),
        1 => r.clone().prop_map(Step::Task),
        2 => (r.clone(), r.clone()).prop_map(|(a, b)| Step::Merge(a, b)),
        1 => Just(Step::Update),
    ]
}

const MEMBERS: [&str; 3] = ["alice", "bob", "carol"];

/// Three replicas, one member each, of the small analysis.
fn replicas() -> Vec<AutoCommit> {
    let mut base = small_analysis();
    for (n, member) in MEMBERS.iter().enumerate().skip(1) {
        base.set_actor(actor(0xb0 + n as u8));
        caucus_model::register_member(&mut base, member, member, "Coalition").unwrap();
        commit_edit(&mut base, "Register", &time(n as i64));
    }
    (0..MEMBERS.len())
        .map(|n| {
            let mut fork = base.fork();
            fork.set_actor(actor(if n == 0 { 0xaa } else { 0xb0 + n as u8 }));
            fork
        })
        .collect()
}

/// Times in groups of three equal ones (ties sort by hash, or by actor and sequence).
fn time(n: i64) -> Timestamp {
    let secs = (n / 3) * 90;
    Timestamp::parse(&format!(
        "2026-11-09T{:02}:{:02}:{:02}Z",
        10 + secs / 3600,
        secs % 3600 / 60,
        secs % 60
    ))
    .unwrap()
}

/// The `files` list of BR's position on item `item`, if there is one.
fn files_list(doc: &AutoCommit, item: usize) -> Option<automerge::ObjId> {
    let mut obj = ROOT;
    for key in ["countries", "BR", "positions", ITEMS[item], "files"] {
        match doc.get(&obj, key).unwrap() {
            Some((automerge::Value::Object(_), id)) => obj = id,
            _ => return None,
        }
    }
    Some(obj)
}

fn file(n: usize) -> FileRef {
    FileRef {
        hash: format!("{n:064x}"),
        name: format!("doc-{n}.pdf"),
        mime_type: "application/pdf".into(),
        size: 10,
        added_by: "alice".into(),
        added_at: "2026-11-09T10:00:00Z".into(),
        device: None,
    }
}

/// Applies one step to replica `r` as its member (the caller commits).
fn apply(doc: &mut AutoCommit, r: usize, step: &Step, n: i64) -> Result<(), ModelError> {
    let by = Attribution::new(MEMBERS[r], time(n));
    let place = |i: usize| FilePlace::Position {
        country: "BR".into(),
        item: ITEMS[i].into(),
    };
    match step {
        Step::Stance(_, c, i) => {
            let stance = [Stance::Supports, Stance::Opposes, Stance::Mixed][n as usize % 3];
            set_stance(doc, &by, COUNTRIES[*c], ITEMS[*i], stance)
        }
        Step::Type(_, c, i) => {
            let edit = TextEdit::insert(0, "word ");
            edit_position_notes(doc, &by, COUNTRIES[*c], ITEMS[*i], &edit)
        }
        Step::Source(_, c, s) => {
            add_source(doc, &by, COUNTRIES[*c], ITEMS[0], &format!("PP26/{s}"))
        }
        Step::AddFile(_, i, f) => add_file(doc, &place(*i), &file(*f)),
        Step::RemoveFile(_, i, f) => {
            remove_file(doc, &by, &place(*i), &file(*f).hash).or_else(|e| {
                if matches!(e, ModelError::UnknownFile { .. }) {
                    Ok(())
                } else {
                    Err(e)
                }
            })
        }
        Step::FrontEntry(_, i) => {
            if let Some(list) = files_list(doc, *i) {
                let entry = doc.insert_object(&list, 0, ObjType::Map)?;
                doc.put(&entry, "name", format!("front-{n}"))?;
            }
            Ok(())
        }
        Step::EditEntry(_, i, k) => {
            if let Some(list) = files_list(doc, *i)
                && let Some((automerge::Value::Object(ObjType::Map), entry)) =
                    doc.get(&list, k % doc.length(&list).max(1))?
            {
                doc.put(&entry, "name", format!("renamed-{n}"))?;
            }
            Ok(())
        }
        Step::Task(_) => {
            let id = format!("task-{r}");
            if caucus_model::read_analysis(&*doc)?.tasks.contains_key(&id) {
                set_task_status(doc, &id, TaskStatus::Doing)
            } else {
                let task = NewTask {
                    title: format!("Task {r}"),
                    ..NewTask::default()
                };
                add_task_with_id(doc, &id, &task)
            }
        }
        Step::Merge(..) | Step::Update => Ok(()),
    }
}

fn replica_of(step: &Step) -> usize {
    match step {
        Step::Stance(r, ..)
        | Step::Type(r, ..)
        | Step::Source(r, ..)
        | Step::AddFile(r, ..)
        | Step::RemoveFile(r, ..)
        | Step::FrontEntry(r, ..)
        | Step::EditEntry(r, ..) => *r,
        Step::Task(r) => *r,
        Step::Merge(a, _) => *a,
        Step::Update => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_concurrent_edits_get_the_same_history(steps in prop::collection::vec(step(), 10..50)) {
        let mut docs = replicas();
        let mut index = FieldIndex::build(docs[0].document()).unwrap();
        for (n, step) in steps.iter().enumerate() {
            let n = n as i64 + 10;
            match step {
                Step::Merge(a, b) if a != b => {
                    let mut other = docs[*b].fork();
                    docs[*a].merge(&mut other).unwrap();
                }
                Step::Merge(..) => {}
                Step::Update => {
                    index.update(docs[0].document()).unwrap();
                    prop_assert!(index.is_current(docs[0].document()));
                }
                _ => {
                    let r = replica_of(step);
                    apply(&mut docs[r], r, step, n).unwrap();
                    commit_edit(&mut docs[r], "", &time(n));
                }
            }
        }
        // Everything reaches the first replica; the index catches up from where it was.
        for r in 1..docs.len() {
            let mut other = docs[r].fork();
            docs[0].merge(&mut other).unwrap();
        }
        index.update(docs[0].document()).unwrap();
        let doc = docs[0].document();
        assert_same(doc, &index, &query_paths(doc), &[1, 2, 200]);
        let fresh = FieldIndex::build(docs[0].document()).unwrap();
        prop_assert_eq!(fresh.len(), index.len());
    }
}
