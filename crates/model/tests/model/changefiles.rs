//! Change files across languages: a file the web client wrote (`tests/fixtures/changes-ts.caucus-changes`,
//! from web/tests/changefile-golden.test.ts) imports here, and the file written here
//! (`changes-rust.caucus-changes`, a golden) imports in the web client. Both carry the scripted
//! analysis's changes made on or after 2026-11-14, for the fixed document id below.

use automerge::Automerge;
use caucus_model::changefile::{ChangeFileError, decode, export_changes, import_changes};
use caucus_model::history::heads_before;

use crate::scripted::{check_golden, date, fixture_path, scripted};

/// The document id both fixtures name (bytes 0..16).
const DOCUMENT_ID: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// The scripted analysis as it was before 2026-11-14, and the whole of it.
fn base_and_whole() -> (Automerge, Automerge) {
    let whole = scripted();
    let base = whole
        .fork_at(&heads_before(&whole, date("2026-11-14").start_unix()))
        .unwrap();
    (base, whole)
}

#[test]
fn rust_change_file_matches_golden() {
    let (base, whole) = base_and_whole();
    let file = export_changes(&whole, &DOCUMENT_ID, &base.get_heads()).unwrap();
    let mut copy = base.clone();
    let outcome = import_changes(&mut copy, &DOCUMENT_ID, &file).unwrap();
    assert!(outcome.new_changes > 0);
    assert_eq!(copy.get_heads(), whole.get_heads());
    check_golden("changes-rust.caucus-changes", &file);
}

#[test]
fn a_change_file_written_by_the_web_client_imports() {
    let path = fixture_path("changes-ts.caucus-changes");
    let bytes = std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; run `UPDATE_FIXTURES=1 npx vitest run tests/changefile-golden.test.ts` in web/",
            path.display()
        )
    });
    let (base, whole) = base_and_whole();
    let file = decode(&bytes).unwrap();
    assert_eq!(file.document_id, DOCUMENT_ID);
    assert_eq!(file.heads, whole.get_heads());
    let mut copy = base.clone();
    let outcome = import_changes(&mut copy, &DOCUMENT_ID, &bytes).unwrap();
    assert_eq!(
        outcome.new_changes,
        whole.get_changes(&base.get_heads()).len()
    );
    assert_eq!(copy.get_heads(), whole.get_heads());
    assert_eq!(
        caucus_model::export_json(&copy).unwrap(),
        caucus_model::export_json(&whole).unwrap()
    );
    // Into another document: refused, nothing applied.
    let mut other = base.clone();
    assert!(matches!(
        import_changes(&mut other, &[9; 16], &bytes),
        Err(ChangeFileError::WrongDocument { .. })
    ));
    assert_eq!(other.get_heads(), base.get_heads());
}
