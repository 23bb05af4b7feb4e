//! Change files across languages: a file the web client wrote (`tests/fixtures/changes-ts.caucus-changes`,
//! from web/tests/changefile-golden.test.ts) imports here, and the file written here
//! (`changes-rust.caucus-changes`, a golden) imports in the web client. Both carry the scripted
//! analysis's changes made on or after 2026-11-14, for the fixed document id below. The same
//! changes with a files section (format 2: one file carried, one only named) are
//! `changes-files.caucus-changes` (written here) and `changes-files-ts.caucus-changes` (written by
//! the web client), the same bytes.

use automerge::Automerge;
use caucus_model::changefile::{
    CarriedFile, ChangeFileError, decode, export_changes, export_changes_with_files, import_changes,
};
use caucus_model::history::heads_before;
use sha2::{Digest, Sha256};

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

/// The files of the format 2 goldens, in hash order as a relay lists them: a small PDF carried, and
/// the agenda named only (as a relay names a file it does not hold). The web test builds the same.
fn golden_files() -> Vec<CarriedFile> {
    let mut files = vec![
        CarriedFile::carried(b"%PDF-1.4\n% Proposal of Brazil on Res 102\n%%EOF\n".to_vec()),
        CarriedFile {
            hash: Sha256::digest(b"PP-26 provisional agenda").into(),
            size: 48_213,
            bytes: None,
        },
    ];
    files.sort_by_key(|f| f.hash);
    files
}

#[test]
fn rust_change_file_with_files_matches_golden() {
    let (base, whole) = base_and_whole();
    let file =
        export_changes_with_files(&whole, &DOCUMENT_ID, &base.get_heads(), golden_files()).unwrap();
    assert_eq!(&file[8..10], &2u16.to_be_bytes());
    let read = decode(&file).unwrap();
    assert_eq!(read.files, golden_files());
    // The changes are those of the format 1 golden, byte for byte.
    let plain = export_changes(&whole, &DOCUMENT_ID, &base.get_heads()).unwrap();
    assert_eq!(read.payload, decode(&plain).unwrap().payload);
    let mut copy = base.clone();
    import_changes(&mut copy, &DOCUMENT_ID, &file).unwrap();
    assert_eq!(copy.get_heads(), whole.get_heads());
    check_golden("changes-files.caucus-changes", &file);
}

#[test]
fn a_change_file_with_files_written_by_the_web_client_reads_and_imports() {
    let path = fixture_path("changes-files-ts.caucus-changes");
    let bytes = std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; run `UPDATE_FIXTURES=1 npx vitest run tests/changefile-golden.test.ts` in web/",
            path.display()
        )
    });
    let file = decode(&bytes).unwrap();
    assert_eq!(file.files, golden_files());
    let (base, whole) = base_and_whole();
    let mut copy = base.clone();
    let outcome = import_changes(&mut copy, &DOCUMENT_ID, &bytes).unwrap();
    assert_eq!(
        outcome.new_changes,
        whole.get_changes(&base.get_heads()).len()
    );
    assert_eq!(copy.get_heads(), whole.get_heads());
    // The web client wrote what this model writes for the same changes and files.
    let ours =
        export_changes_with_files(&whole, &DOCUMENT_ID, &base.get_heads(), golden_files()).unwrap();
    assert_eq!(bytes, ours);
}
