//! Deterministic workloads: a small PRNG, the long typing session behind the cold-load
//! scenario, the small "analysis-like" document of the many-documents scenario and the ~4 MB
//! document of the join storm. Same arguments, same bytes.

use anyhow::Result;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, Automerge, ObjType, ROOT};

/// splitmix64: tiny, deterministic, good enough for workloads.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A string of `len` characters from a 64-letter alphabet.
    pub(crate) fn text(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .";
        (0..len)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len())]))
            .collect()
    }
}

fn commit(doc: &mut AutoCommit, time: i64) {
    doc.commit_with(CommitOptions::default().with_time(time));
}

/// What a typing trace contains.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TraceStats {
    pub(crate) inserts: usize,
    pub(crate) deletes: usize,
    pub(crate) changes: usize,
}

/// A long typing session into one Text: `total_ops` single-character operations, about 70 %
/// inserts and 30 % deletes (the B4 trace has 182,315 inserts and 77,463 deletes), mostly at
/// the cursor with occasional jumps, one change per `ops_per_change` keystrokes.
pub(crate) fn typing_session(
    total_ops: usize,
    ops_per_change: usize,
) -> Result<(Automerge, TraceStats)> {
    let mut rng = Rng::new(0xB4);
    let mut doc = AutoCommit::new().with_actor(ActorId::from(b"bench-typist-001"));
    let text = doc.put_object(ROOT, "text", ObjType::Text)?;
    commit(&mut doc, 0);
    let (mut len, mut cursor) = (0usize, 0usize);
    let mut stats = TraceStats {
        inserts: 0,
        deletes: 0,
        changes: 1,
    };
    for op in 0..total_ops {
        if rng.below(100) < 2 && len > 0 {
            cursor = rng.below(len + 1);
        }
        if rng.below(100) < 70 || cursor == 0 {
            let c = rng.text(1);
            doc.splice_text(&text, cursor, 0, &c)?;
            cursor += 1;
            len += 1;
            stats.inserts += 1;
        } else {
            doc.splice_text(&text, cursor - 1, 1, "")?;
            cursor -= 1;
            len -= 1;
            stats.deletes += 1;
        }
        if (op + 1) % ops_per_change.max(1) == 0 {
            commit(&mut doc, op as i64);
            stats.changes += 1;
        }
    }
    if doc.pending_ops() > 0 {
        commit(&mut doc, total_ops as i64);
        stats.changes += 1;
    }
    Ok((doc.document().clone(), stats))
}

/// A small working document: 200 short fields and a 800-character note typed in 16 changes.
pub(crate) fn small_document() -> Result<Automerge> {
    let mut rng = Rng::new(7);
    let mut doc = AutoCommit::new().with_actor(ActorId::from(b"bench-template01"));
    for i in 0..200 {
        doc.put(ROOT, format!("field{i:03}"), rng.text(24))?;
    }
    let notes = doc.put_object(ROOT, "notes", ObjType::Text)?;
    commit(&mut doc, 0);
    for c in 0..16 {
        doc.splice_text(&notes, c * 50, 0, &rng.text(50))?;
        commit(&mut doc, c as i64 + 1);
    }
    Ok(doc.document().clone())
}

/// A document of about `target` saved bytes: fields holding 4,000-character strings from a
/// 64-letter alphabet (they compress to about 6 bits a character), ten fields per change.
pub(crate) fn large_document(target: usize) -> Result<Automerge> {
    let mut rng = Rng::new(42);
    let mut doc = AutoCommit::new().with_actor(ActorId::from(b"bench-bigdoc-001"));
    let fields = (target * 4 / 3) / 4000 + 1;
    for i in 0..fields {
        doc.put(ROOT, format!("blob{i:05}"), rng.text(4000))?;
        if i % 10 == 9 {
            commit(&mut doc, i as i64);
        }
    }
    commit(&mut doc, fields as i64);
    Ok(doc.document().clone())
}
