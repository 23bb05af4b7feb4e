//! The client tasks of the fan-out load: writers that stamp each change's commit message with
//! their send time and pace themselves by phase, readers that take the stamps from the applied
//! document and record propagation and deliveries, and the presence both send.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, ChangeHash, ROOT};
use caucus_relay::DocumentId;
use caucus_relay::protocol::Message;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, Sleep};

use super::{FIXED, IDLE, Latency, PRESENCE, SAT, Shared};
use crate::client::{Conn, Replica, sync_until};

/// What every client task starts with.
pub(super) struct Client {
    pub(super) url: String,
    pub(super) shared: Arc<Shared>,
    pub(super) heads: Vec<ChangeHash>,
    pub(super) stop: watch::Receiver<bool>,
    pub(super) ready: mpsc::Sender<()>,
    /// When its first presence message is due (spread over the first second).
    pub(super) presence_offset: Duration,
}

impl Client {
    /// Connects, requests the document, waits until it has the initial heads and says ready.
    async fn join(&self, peer_id: &str) -> Result<(Conn, Replica)> {
        let mut conn = Conn::connect(&self.url, peer_id).await?;
        let mut rep = Replica::new(self.shared.doc.clone(), Automerge::new());
        sync_until(
            &mut conn,
            &mut rep,
            true,
            Instant::now() + Duration::from_secs(60),
            |r| r.doc.get_heads() == self.heads,
        )
        .await
        .with_context(|| format!("{peer_id} joining the document"))?;
        let _ = self.ready.send(()).await;
        Ok((conn, rep))
    }
}

/// Presence from one client every second: its session, how many it sent, when the next is due.
struct Presence {
    session: String,
    count: u64,
    due: Pin<Box<Sleep>>,
}

impl Presence {
    fn new(session: String, first: Duration) -> Self {
        Presence {
            session,
            count: 0,
            due: Box::pin(tokio::time::sleep_until(Instant::now() + first)),
        }
    }

    /// Sends one and sets the next a second later.
    async fn send(&mut self, conn: &mut Conn, doc: &DocumentId) -> Result<()> {
        self.count += 1;
        conn.send_presence(doc, &self.session, self.count, PRESENCE)
            .await?;
        self.due
            .as_mut()
            .reset(Instant::now() + Duration::from_secs(1));
        Ok(())
    }
}

/// What writers and readers do alike with a message that is not a sync message for the
/// document: count presence, end on a relay error, skip the rest.
fn other_message(shared: &Shared, message: Message) -> Result<()> {
    match message {
        Message::Ephemeral(_) => {
            shared.presence_in.fetch_add(1, Ordering::Relaxed);
        }
        Message::Error { message } => bail!("relay error: {message}"),
        _ => {}
    }
    Ok(())
}

pub(super) async fn writer(mut c: Client, w: usize, interval: Duration) -> Result<()> {
    let (mut conn, mut rep) = c.join(&format!("{}-writer-{w}", c.shared.peers)).await?;
    let shared = c.shared.clone();
    let key = format!("writer{w}");
    let mut presence = Presence::new(format!("s{w}"), c.presence_offset);
    let pace = tokio::time::sleep_until(Instant::now());
    tokio::pin!(pace);
    let mut last_phase = IDLE;
    let mut seq = 0u64;
    loop {
        let phase = shared.phase.load(Ordering::Relaxed);
        if phase == FIXED && last_phase != FIXED {
            let stagger = interval.mul_f64(w as f64 / shared.writers as f64);
            pace.as_mut().reset(Instant::now() + stagger);
        }
        last_phase = phase;
        let window_open =
            phase == SAT && seq.saturating_sub(shared.min_delivered(w)) < shared.window;
        tokio::select! {
            biased;
            _ = c.stop.changed() => break,
            message = conn.next_message() => match message? {
                Message::Sync(m) if m.document_id == rep.id => {
                    rep.receive(&m.data)?;
                    rep.push(&mut conn).await?;
                }
                other => other_message(&shared, other)?,
            },
            () = &mut presence.due, if shared.presence => presence.send(&mut conn, &rep.id).await?,
            () = std::future::ready(()), if window_open => {
                seq += 1;
                write_change(&shared, &mut conn, &mut rep, w, &key, seq, SAT).await?;
            }
            () = &mut pace, if phase == FIXED => {
                seq += 1;
                write_change(&shared, &mut conn, &mut rep, w, &key, seq, FIXED).await?;
                let due = pace.deadline() + interval;
                let now = Instant::now();
                // Far behind (a relay or this machine stalled): do not burst to catch up.
                let due = if due + Duration::from_millis(100) < now { now } else { due };
                pace.as_mut().reset(due);
            }
            () = shared.notify.notified(), if phase == SAT && !window_open => {}
            () = tokio::time::sleep(Duration::from_millis(5)), if phase != FIXED && !window_open => {}
        }
    }
    conn.close().await;
    Ok(())
}

/// Commits `key = seq` with the stamp `"{w} {seq} {send time in µs} {phase}"` as the commit
/// message and sends it.
async fn write_change(
    shared: &Shared,
    conn: &mut Conn,
    rep: &mut Replica,
    w: usize,
    key: &str,
    seq: u64,
    phase: u8,
) -> Result<()> {
    let stamp = shared.now_us();
    let mut tx = rep.doc.transaction();
    tx.put(ROOT, key, seq as i64)?;
    tx.commit_with(CommitOptions::default().with_message(format!("{w} {seq} {stamp} {phase}")));
    shared.sent[w].store(seq, Ordering::Relaxed);
    rep.push(conn).await?;
    Ok(())
}

pub(super) async fn reader(mut c: Client, r: usize, relay: usize) -> Result<Vec<Latency>> {
    let (mut conn, mut rep) = c.join(&format!("{}-reader-{r}", c.shared.peers)).await?;
    let shared = c.shared.clone();
    let mut presence = Presence::new(format!("r{r}"), c.presence_offset);
    let mut samples = Vec::new();
    let mut seen = vec![0u64; shared.writers];
    loop {
        tokio::select! {
            biased;
            _ = c.stop.changed() => break,
            message = conn.next_message() => match message? {
                Message::Sync(m) if m.document_id == rep.id => {
                    let before = rep.doc.get_heads();
                    rep.receive(&m.data)?;
                    let now = shared.now_us();
                    let mut any = false;
                    // The relay may batch several changes into one compressed chunk, so read
                    // the stamps from the applied document, not from the message's chunks.
                    if rep.doc.get_heads() != before {
                        for meta in rep.doc.get_changes_meta(&before) {
                            let Some((w, seq, stamp, phase)) =
                                meta.message.as_deref().and_then(parse_stamp)
                            else {
                                continue;
                            };
                            if w >= shared.writers {
                                continue;
                            }
                            if phase == FIXED || phase == SAT {
                                samples.push(Latency {
                                    us: now.saturating_sub(stamp).min(u64::from(u32::MAX)) as u32,
                                    phase,
                                    cross: shared.writer_relay[w] != relay,
                                });
                            }
                            if seq > seen[w] {
                                seen[w] = seq;
                                shared.delivered[r * shared.writers + w]
                                    .store(seq, Ordering::Relaxed);
                                any = true;
                            }
                        }
                    }
                    if any {
                        shared.notify.notify_waiters();
                    }
                    rep.push(&mut conn).await?;
                }
                other => other_message(&shared, other)?,
            },
            () = &mut presence.due, if shared.presence => presence.send(&mut conn, &rep.id).await?,
        }
    }
    conn.close().await;
    Ok(samples)
}

/// `(writer, seq, stamp µs, phase)` from a commit message written by [`write_change`].
fn parse_stamp(text: &str) -> Option<(usize, u64, u64, u8)> {
    let mut it = text.split(' ');
    let w = it.next()?.parse().ok()?;
    let seq = it.next()?.parse().ok()?;
    let stamp = it.next()?.parse().ok()?;
    let phase = it.next()?.parse().ok()?;
    Some((w, seq, stamp, phase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_stamp() {
        assert_eq!(parse_stamp("3 17 123456 1"), Some((3, 17, 123456, 1)));
        assert_eq!(parse_stamp("fan-out"), None);
        assert_eq!(parse_stamp("3 17"), None);
    }
}
