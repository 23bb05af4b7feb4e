//! Conflicts are data: concurrent writes surface with their authors and resolve once.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, ScalarValue, Value};
use caucus_model::{
    Confidence, ConflictValue, ModelError, Stance, TextEdit, commit_edit, conflicts,
    edit_position_notes, read_analysis, resolve, set_confidence, set_stance,
};
use serde_json::json;

use crate::common::{at, by, replica, small_analysis};

const STANCE_PATH: [&str; 5] = ["countries", "BR", "positions", "res-102", "stance"];

#[test]
fn concurrent_stances_show_on_both_replicas_and_resolve_once() {
    let mut base = small_analysis();
    let mut alice = replica(&mut base, 0xa1, "alice2");
    let mut bob = replica(&mut base, 0xbb, "bob");
    set_stance(
        &mut alice,
        &by("alice2", 1),
        "BR",
        "res-102",
        Stance::Supports,
    )
    .unwrap();
    commit_edit(&mut alice, "supports", &at(10, 1));
    set_stance(&mut bob, &by("bob", 2), "BR", "res-102", Stance::Opposes).unwrap();
    commit_edit(&mut bob, "opposes", &at(10, 2));
    alice.merge(&mut bob).unwrap();
    bob.merge(&mut alice).unwrap();

    for doc in [&alice, &bob] {
        let view = read_analysis(doc).unwrap();
        let position = &view.countries["BR"].positions["res-102"];
        let mut seen: Vec<_> = position
            .stance_conflicts
            .iter()
            .map(|value| (value.value.clone(), value.member.clone()))
            .collect();
        seen.sort_by_key(|(value, _)| value.to_string());
        assert_eq!(
            seen,
            [
                (json!("opposes"), Some("bob".to_owned())),
                (json!("supports"), Some("alice2".to_owned()))
            ]
        );
        assert!(position.confidence_conflicts.is_empty());
        let all = conflicts(doc).unwrap();
        assert_eq!(
            all.len(),
            1,
            "updatedBy/updatedAt are not reported: {all:?}"
        );
        assert_eq!(all[0].path, STANCE_PATH);
        assert_eq!(all[0].values, position.stance_conflicts);
    }
    // Both replicas agree on the winner too.
    assert_eq!(read_analysis(&alice).unwrap(), read_analysis(&bob).unwrap());

    let chosen = conflicts(&bob).unwrap()[0].values[0].to_scalar().unwrap();
    resolve(&mut bob, &by("bob", 3), &STANCE_PATH, chosen.clone()).unwrap();
    commit_edit(&mut bob, "resolve", &at(10, 3));
    alice.merge(&mut bob).unwrap();
    for doc in [&alice, &bob] {
        assert!(conflicts(doc).unwrap().is_empty());
        let view = read_analysis(doc).unwrap();
        let position = &view.countries["BR"].positions["res-102"];
        assert!(position.stance_conflicts.is_empty());
        assert_eq!(Some(position.stance.as_str()), chosen.as_str());
        assert_eq!(position.updated_by, "bob");
    }
}

#[test]
fn equal_concurrent_values_and_bookkeeping_are_not_conflicts() {
    let mut base = small_analysis();
    let mut alice = replica(&mut base, 0xa1, "alice2");
    let mut bob = replica(&mut base, 0xbb, "bob");
    set_confidence(
        &mut alice,
        &by("alice2", 1),
        "DE",
        "dec-12",
        Confidence::Reported,
    )
    .unwrap();
    commit_edit(&mut alice, "a", &at(10, 1));
    set_confidence(
        &mut bob,
        &by("bob", 2),
        "DE",
        "dec-12",
        Confidence::Reported,
    )
    .unwrap();
    edit_position_notes(
        &mut bob,
        &by("bob", 2),
        "DE",
        "dec-12",
        &TextEdit::insert(0, "Heard twice."),
    )
    .unwrap();
    commit_edit(&mut bob, "b", &at(10, 2));
    alice.merge(&mut bob).unwrap();
    let position = obj_at(&alice, &["countries", "DE", "positions", "dec-12"]);
    assert_eq!(alice.get_all(&position, "confidence").unwrap().len(), 2);
    assert_eq!(alice.get_all(&position, "updatedBy").unwrap().len(), 2);
    assert!(conflicts(&alice).unwrap().is_empty());
    assert!(
        read_analysis(&alice).unwrap().countries["DE"].positions["dec-12"]
            .confidence_conflicts
            .is_empty()
    );
}

#[test]
fn a_position_created_twice_reads_the_winner_and_is_reported() {
    let mut base = small_analysis();
    let positions = obj_at(&base, &["countries", "KE", "positions"]);
    base.delete(&positions, "res-130").unwrap();
    commit_edit(&mut base, "lose a position", &at(9, 30));
    let mut alice = replica(&mut base, 0xa1, "alice2");
    let mut bob = replica(&mut base, 0xbb, "bob");
    set_stance(&mut alice, &by("alice2", 1), "KE", "res-130", Stance::Mixed).unwrap();
    commit_edit(&mut alice, "a", &at(10, 1));
    set_stance(&mut bob, &by("bob", 2), "KE", "res-130", Stance::Undecided).unwrap();
    commit_edit(&mut bob, "b", &at(10, 2));
    alice.merge(&mut bob).unwrap();
    bob.merge(&mut alice).unwrap();

    let path = ["countries", "KE", "positions", "res-130"];
    for doc in [&alice, &bob] {
        let found = conflicts(doc).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, path);
        assert_eq!(found[0].values.len(), 2);
        assert!(found[0].values.iter().all(|value| value.value.is_object()));
        let stance = read_analysis(doc).unwrap().countries["KE"].positions["res-130"].stance;
        assert!(matches!(stance, Stance::Mixed | Stance::Undecided));
    }
    assert!(matches!(
        resolve(&mut alice, &by("alice2", 3), &path, "x"),
        Err(ModelError::ObjectConflict(_))
    ));
}

#[test]
fn resolve_checks_its_path() {
    let mut doc = small_analysis();
    let alice = by("alice", 0);
    assert!(matches!(
        resolve(&mut doc, &alice, &["countries", "ZZ", "positions"], "x"),
        Err(ModelError::NoSuchPath(path)) if path == ["countries", "ZZ"]
    ));
    assert!(matches!(
        resolve(&mut doc, &alice, &["countries", "BR", "positions"], "x"),
        Err(ModelError::UnexpectedType {
            expected: "a scalar",
            ..
        })
    ));
    assert!(matches!(
        resolve::<&str>(&mut doc, &alice, &[], "x"),
        Err(ModelError::NoSuchPath(_))
    ));
    // Outside positions no stamp is written and no member is needed.
    resolve(
        &mut doc,
        &by("nobody", 0),
        &["items", "res-130", "priority"],
        "low",
    )
    .unwrap();
    assert_eq!(doc.pending_ops(), 1);
    // Lists are addressed by index.
    let actors = obj_at(&doc, &["members", "alice", "actors"]);
    assert!(doc.get(&actors, 0).unwrap().is_some());
    resolve(
        &mut doc,
        &alice,
        &["members", "alice", "actors", "0"],
        "aa".repeat(16),
    )
    .unwrap();
}

#[test]
fn conflict_values_convert_back_to_scalars() {
    let value = |value| ConflictValue {
        value,
        actor: String::new(),
        member: None,
    };
    assert_eq!(
        value(json!("supports")).to_scalar(),
        Some(ScalarValue::from("supports"))
    );
    assert_eq!(
        value(json!(true)).to_scalar(),
        Some(ScalarValue::Boolean(true))
    );
    assert_eq!(value(json!(null)).to_scalar(), Some(ScalarValue::Null));
    assert_eq!(value(json!(-3)).to_scalar(), Some(ScalarValue::Int(-3)));
    assert_eq!(value(json!({"stance": "mixed"})).to_scalar(), None);
}

#[test]
fn concurrent_scalars_anywhere_are_reported() {
    let mut base = small_analysis();
    let mut alice = replica(&mut base, 0xa1, "alice2");
    let mut bob = replica(&mut base, 0xbb, "bob");
    alice.put(ROOT, "title", "Alice's title").unwrap();
    commit_edit(&mut alice, "a", &at(10, 1));
    let title = bob.put_object(ROOT, "title", ObjType::Text).unwrap();
    bob.splice_text(&title, 0, 0, "Bob's title").unwrap();
    commit_edit(&mut bob, "b", &at(10, 2));
    alice.merge(&mut bob).unwrap();
    let found = conflicts(&alice).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, ["title"]);
    let mut values: Vec<_> = found[0]
        .values
        .iter()
        .map(|value| value.value.clone())
        .collect();
    values.sort_by_key(|value| value.to_string());
    assert_eq!(values, [json!("Alice's title"), json!("Bob's title")]);
}

fn obj_at(doc: &impl ReadDoc, path: &[&str]) -> automerge::ObjId {
    let mut current = ROOT;
    for key in path {
        current = match doc.get(&current, *key).unwrap() {
            Some((Value::Object(_), id)) => id,
            other => panic!("{key} is {other:?}"),
        };
    }
    current
}
