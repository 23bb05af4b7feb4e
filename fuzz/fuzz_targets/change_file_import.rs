//! Any bytes as a change file imported into a document, through the function the relay's
//! document actor and the CLI use: an error or new changes, never a panic; a refused file leaves
//! the document exactly as it was; an accepted one leaves a document that saves and reloads.
//!
//! The first input byte picks the mode: `0` feeds the rest as a whole file (exercising the
//! header checks), anything else wraps the rest in a valid header with the right checksum, so
//! the fuzzer spends its time in automerge's change loading.
#![no_main]

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ROOT};
use caucus_model::changefile::{self, ChangeFile};
use libfuzzer_sys::fuzz_target;

const ID: [u8; 16] = *b"caucus-fuzz-doc!";

fn base_document() -> Automerge {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "schema", "caucus/analysis@1").expect("put");
    let notes = doc
        .put_object(ROOT, "notes", automerge::ObjType::Text)
        .expect("text");
    doc.splice_text(&notes, 0, 0, "Brazil supports").expect("splice");
    doc.commit();
    doc.document().clone()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode == 0 {
        rest.to_vec()
    } else {
        changefile::encode(&ChangeFile {
            files: Vec::new(),
            document_id: ID,
            heads: Vec::new(),
            payload: rest.to_vec(),
        })
    };
    let mut doc = base_document();
    let before = doc.get_heads();
    match changefile::import_changes(&mut doc, &ID, &file) {
        Ok(_) => {
            let reloaded = Automerge::load(&doc.save()).expect("an imported document must reload");
            assert_eq!(reloaded.get_heads(), doc.get_heads());
        }
        Err(_) => assert_eq!(doc.get_heads(), before, "a refused file changed the document"),
    }
});
