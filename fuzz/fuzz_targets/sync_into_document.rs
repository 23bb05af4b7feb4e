//! Any bytes as a peer's sync message into a document the relay holds, through the same
//! function the document actor uses: an error or a change, never a panic; a read-only
//! (viewer) state never changes the document; and the document still saves and reloads.
#![no_main]

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ROOT};
use caucus_relay::receive_untrusted;
use libfuzzer_sys::fuzz_target;

fn base_document() -> Automerge {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "title", "PP-26 analysis").expect("put");
    let notes = doc
        .put_object(ROOT, "notes", automerge::ObjType::Text)
        .expect("text");
    doc.splice_text(&notes, 0, 0, "Brazil supports").expect("splice");
    doc.commit();
    doc.document().clone()
}

fuzz_target!(|data: &[u8]| {
    let mut doc = base_document();
    // A state that has already exchanged one message, like a live peer's.
    let mut state = sync::State::new();
    let _ = doc.generate_sync_message(&mut state);
    let _ = receive_untrusted(&mut doc, &mut state, data);
    let _ = doc.generate_sync_message(&mut state);
    let reloaded = Automerge::load(&doc.save()).expect("a document we hold must reload");
    assert_eq!(reloaded.get_heads(), doc.get_heads());

    let mut viewer_doc = base_document();
    let heads = viewer_doc.get_heads();
    let mut viewer = sync::State::new_read_only();
    let _ = receive_untrusted(&mut viewer_doc, &mut viewer, data);
    assert_eq!(viewer_doc.get_heads(), heads, "a viewer changed the document");
});
