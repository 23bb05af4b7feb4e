//! Honest text merges: concurrent edits by different people that touched the same characters
//! of a Text field are flagged until someone confirms; far-apart or sequential edits are not.

use automerge::AutoCommit;
use caucus_model::text_merge::side_text;
use caucus_model::{
    Date, ReportOptions, Since, Stance, TextEdit, commit_edit, confirm_text_merge,
    edit_position_notes, read_analysis, set_notes_internal, set_stance, text_merges, weekly_report,
};

use crate::common::{at, by, replica, small_analysis};

const NOTE: &str = "Supports in plenary. Heard in corridor: BR wavering (Ana).";

fn notes(doc: &mut AutoCommit, member: &str, minute: u32, pos: usize, delete: usize, insert: &str) {
    notes_of(doc, "BR", member, minute, pos, delete, insert);
}

fn notes_of(
    doc: &mut AutoCommit,
    country: &str,
    member: &str,
    minute: u32,
    pos: usize,
    delete: usize,
    insert: &str,
) {
    edit_position_notes(
        doc,
        &by(member, minute),
        country,
        "res-102",
        &TextEdit::Splice {
            pos,
            delete,
            insert,
        },
    )
    .unwrap();
    commit_edit(doc, "notes", &at(10, minute));
}

/// Alice wrote the note; Ana and Maria have replicas of it.
fn two_people() -> (AutoCommit, AutoCommit, AutoCommit) {
    let mut base = small_analysis();
    for country in ["BR", "DE", "IN"] {
        notes_of(&mut base, country, "alice", 0, 0, 0, NOTE);
    }
    let mut ana = replica(&mut base, 0xa1, "ana");
    let mut maria = replica(&mut base, 0xb2, "maria");
    ana.merge(&mut maria).unwrap();
    maria.merge(&mut ana).unwrap();
    (base, ana, maria)
}

fn note_text(doc: &mut AutoCommit) -> String {
    read_analysis(doc.document()).unwrap().countries["BR"].positions["res-102"]
        .notes
        .clone()
}

#[test]
fn overlapping_concurrent_edits_are_flagged_with_each_side() {
    let (_, mut ana, mut maria) = two_people();
    let wavering = NOTE.find("wavering").unwrap();
    let sentence = NOTE.find(" Heard").unwrap();
    // Ana, offline, rewrites "wavering"; Maria deletes the whole sentence around it.
    notes(&mut ana, "ana", 5, wavering, 8, "now opposed");
    notes(&mut maria, "maria", 6, sentence, NOTE.len() - sentence, "");
    ana.merge(&mut maria).unwrap();
    let merges = text_merges(ana.document()).unwrap();
    assert_eq!(merges.len(), 1, "{merges:?}");
    let merge = &merges[0];
    assert_eq!(
        merge.path,
        ["countries", "BR", "positions", "res-102", "notes"]
    );
    let who: Vec<&str> = merge.sides.iter().map(|s| s.who.as_str()).collect();
    assert_eq!(who, ["ana", "maria"]);
    let ana_side = side_text(ana.document(), merge, &merge.sides[0]).unwrap();
    let maria_side = side_text(ana.document(), merge, &merge.sides[1]).unwrap();
    assert_eq!(ana_side, NOTE.replace("wavering", "now opposed"));
    assert_eq!(maria_side, "Supports in plenary.");
    // The merged text is neither version: that is why it is flagged.
    assert_eq!(note_text(&mut ana), "Supports in plenary.now opposed");
    // Both replicas see the same flag.
    maria.merge(&mut ana).unwrap();
    assert_eq!(text_merges(maria.document()).unwrap(), merges);
}

#[test]
fn far_apart_concurrent_edits_are_not_flagged() {
    let (_, mut ana, mut maria) = two_people();
    notes(&mut ana, "ana", 5, 0, 8, "Backs");
    let end = NOTE.len();
    notes(&mut maria, "maria", 6, end, 0, " Confirmed by Itamaraty.");
    ana.merge(&mut maria).unwrap();
    assert!(text_merges(ana.document()).unwrap().is_empty());
}

#[test]
fn sequential_edits_of_the_same_words_are_not_flagged() {
    let (_, mut ana, mut maria) = two_people();
    let wavering = NOTE.find("wavering").unwrap();
    notes(&mut ana, "ana", 5, wavering, 8, "now opposed");
    maria.merge(&mut ana).unwrap();
    notes(&mut maria, "maria", 6, wavering, 11, "opposed");
    ana.merge(&mut maria).unwrap();
    assert!(text_merges(ana.document()).unwrap().is_empty());
}

#[test]
fn concurrent_inserts_at_the_same_place_are_flagged() {
    let (_, mut ana, mut maria) = two_people();
    notes(&mut ana, "ana", 5, 8, 0, " strongly");
    notes(&mut maria, "maria", 6, 8, 0, " partly");
    ana.merge(&mut maria).unwrap();
    assert_eq!(text_merges(ana.document()).unwrap().len(), 1);
}

#[test]
fn a_confirmation_clears_the_mark_everywhere_until_the_next_clash() {
    let (_, mut ana, mut maria) = two_people();
    let wavering = NOTE.find("wavering").unwrap();
    notes(&mut ana, "ana", 5, wavering, 8, "now opposed");
    notes(&mut maria, "maria", 6, wavering, 8, "undecided");
    ana.merge(&mut maria).unwrap();
    maria.merge(&mut ana).unwrap();
    let path = text_merges(ana.document()).unwrap()[0].path.clone();
    confirm_text_merge(&mut maria, &path, "maria").unwrap();
    commit_edit(&mut maria, "Keep the merged notes", &at(10, 7));
    ana.merge(&mut maria).unwrap();
    let left = text_merges(ana.document()).unwrap();
    assert!(left.is_empty(), "{left:?}");
    assert!(text_merges(maria.document()).unwrap().is_empty());
    // A new clash after the confirmation is flagged again.
    let start = note_text(&mut ana).find("now").unwrap();
    notes(&mut ana, "ana", 8, start, 3, "NOW");
    notes(&mut maria, "maria", 9, start, 3, "");
    ana.merge(&mut maria).unwrap();
    assert_eq!(text_merges(ana.document()).unwrap().len(), 1);
}

/// Brazil supports Res 102; Ana and Maria then rewrite the same word of its note at the same time.
/// `shared`: the note is marked shareable first (new notes start internal).
pub(crate) fn brazil_note_clash(shared: bool) -> AutoCommit {
    let (mut base, mut ana, mut maria) = two_people();
    set_stance(
        &mut base,
        &by("alice", 1),
        "BR",
        "res-102",
        Stance::Supports,
    )
    .unwrap();
    if shared {
        set_notes_internal(&mut base, &by("alice", 1), "BR", "res-102", false).unwrap();
    }
    commit_edit(&mut base, "stance", &at(10, 1));
    ana.merge(&mut base).unwrap();
    maria.merge(&mut base).unwrap();
    let wavering = NOTE.find("wavering").unwrap();
    notes(&mut ana, "ana", 5, wavering, 8, "now opposed");
    notes(&mut maria, "maria", 6, wavering, 8, "undecided");
    ana.merge(&mut maria).unwrap();
    ana
}

fn brazil_line(report: &str) -> &str {
    report
        .lines()
        .find(|l| l.starts_with("- Brazil: rumour"))
        .unwrap()
}

const REPORT_DAY: &str = "2026-11-09";

fn report_of(doc: &mut AutoCommit) -> String {
    let options = ReportOptions {
        date: Date::parse(REPORT_DAY).unwrap(),
        since: Since::LastReport,
    };
    weekly_report(doc.document(), &options).unwrap()
}

#[test]
fn the_weekly_report_flags_an_unconfirmed_merge_at_its_note() {
    let mut ana = brazil_note_clash(true);
    let report = report_of(&mut ana);
    let line = brazil_line(&report);
    assert!(
        line.ends_with("[NOTE MERGED: edited at the same time by ana and maria, not checked yet]"),
        "{line}"
    );
    let path = text_merges(ana.document()).unwrap()[0].path.clone();
    confirm_text_merge(&mut ana, &path, "ana").unwrap();
    commit_edit(&mut ana, "Keep the merged notes", &at(10, 7));
    let report = report_of(&mut ana);
    assert!(!report.contains("NOTE MERGED"), "{report}");
}

#[test]
fn text_merge_vectors() {
    let (_, mut ana, mut maria) = two_people();
    let wavering = NOTE.find("wavering").unwrap();
    let sentence = NOTE.find(" Heard").unwrap();
    notes_of(&mut ana, "BR", "ana", 5, wavering, 8, "now opposed");
    notes_of(
        &mut maria,
        "BR",
        "maria",
        6,
        sentence,
        NOTE.len() - sentence,
        "",
    );
    notes_of(&mut ana, "DE", "ana", 7, 0, 8, "Backs");
    notes_of(&mut maria, "DE", "maria", 8, NOTE.len(), 0, " Confirmed.");
    notes_of(&mut ana, "IN", "ana", 9, wavering, 8, "firm");
    notes_of(&mut maria, "IN", "maria", 10, wavering, 8, "soft");
    ana.merge(&mut maria).unwrap();
    let path: Vec<String> = ["countries", "IN", "positions", "res-102", "notes"]
        .map(str::to_owned)
        .to_vec();
    confirm_text_merge(&mut ana, &path, "ana").unwrap();
    commit_edit(&mut ana, "Keep the merged notes", &at(10, 11));
    let doc = ana.document().clone();
    let merges = text_merges(&doc).unwrap();
    let expected: Vec<serde_json::Value> = merges
        .iter()
        .map(|merge| {
            let sides: Vec<serde_json::Value> = merge
                .sides
                .iter()
                .map(|side| {
                    let mut json = serde_json::to_value(side).unwrap();
                    json["text"] = side_text(&doc, merge, side).unwrap().into();
                    json
                })
                .collect();
            serde_json::json!({"path": merge.path, "sides": sides, "changes": merge.changes})
        })
        .collect();
    assert_eq!(expected.len(), 1, "only BR is flagged");
    let json = serde_json::to_string_pretty(&expected).unwrap() + "\n";
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let (bytes_path, json_path) = (
        dir.join("text-merges.automerge"),
        dir.join("text-merges.json"),
    );
    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|value| value == "1") {
        std::fs::write(&bytes_path, doc.save()).unwrap();
        std::fs::write(&json_path, &json).unwrap();
        return;
    }
    let hint = "run `UPDATE_FIXTURES=1 cargo test -p caucus-model text_merge_vectors`";
    let on_disk = std::fs::read_to_string(&json_path).unwrap_or_else(|e| panic!("{e}; {hint}"));
    assert_eq!(on_disk, json, "{hint}");
    let saved = automerge::Automerge::load(&std::fs::read(&bytes_path).unwrap()).unwrap();
    assert_eq!(text_merges(&saved).unwrap(), merges, "{hint}");
}

#[test]
fn an_internal_note_merged_at_the_same_time_leaves_no_trace_in_the_report() {
    let mut ana = brazil_note_clash(false);
    assert_eq!(text_merges(ana.document()).unwrap().len(), 1);
    let report = report_of(&mut ana);
    assert_eq!(brazil_line(&report), "- Brazil: rumour", "{report}");
    assert!(!report.contains("NOTE MERGED"), "{report}");
}
