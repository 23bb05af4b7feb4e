//! Checking the consumer against the stream leader.
//!
//! A consumer is served by one replica of the change stream, and nats-server 2.9 can leave a
//! replica that diverged after a partition heals (nats-io/nats-server#5576): it lacks messages
//! the leader holds, or holds other messages under the same sequence numbers. A consumer placed
//! on it delivers that replica's stream, and nothing in what it delivers says so; the relay's
//! peers then miss edits for good (seen in CI: a relay whose NATS node had been a cut-off
//! minority applied up to 512 while the leader held 513, and its clients lacked 151 edits).
//! Losing the stream is not always seen either: a node that was the stream's leader when it was
//! cut off keeps answering as leader for a while.
//!
//! So whenever the consumer has been quiet for a while (`apply.rs`, `IDLE_CHECK`), the follower
//! asks the leader, through its message API (which only the stream leader answers, never a
//! replica):
//! - whether the last message it delivered is the leader's message at that sequence (same
//!   subject, same bytes); once per delivered message;
//! - when the leader's stream goes past what was delivered, whether the leader holds a message
//!   at or after the next sequence. A consumer made to start there that stays quiet while the
//!   leader holds one is on a replica that lacks it (a purge, the other reason for a stream to
//!   go past us, leaves nothing to hold).
//!
//! Either finding means the replica diverged: every carried document is read again from the
//! leader (`carry.rs`, `verify`), and the relay moves to another NATS node so that its next
//! consumer may be served by a sound replica. Each further finding waits twice as long, until a
//! comparison agrees again, so a replica that stays broken costs a re-read now and then, not
//! every second.

use async_nats::Subject;
use async_nats::jetstream::stream;
use bytes::Bytes;
use futures_util::TryStreamExt;

use super::streams::{self, CHANGES_SUBJECTS};
use crate::document_id::DocumentId;

/// Quiet checks in a row a fresh consumer may lag behind the leader (a replica catching up
/// after a heal) before its replica is taken for diverged.
const FIRST_PATIENCE: u32 = 3;
/// The most quiet checks between two findings on a replica that stays broken.
const MOST_PATIENCE: u32 = 64;

/// The last message the consumer delivered.
#[derive(Debug, Clone)]
struct Delivered {
    seq: u64,
    subject: Subject,
    payload: Bytes,
}

/// What the follower knows of its consumer's replica, across consumers of one process.
#[derive(Debug)]
pub(super) struct ReplicaCheck {
    last: Option<Delivered>,
    /// The highest sequence compared with the leader's copy.
    compared: u64,
    /// Quiet checks in a row in which the leader held a message a fresh consumer did not deliver.
    behind: u32,
    /// How many such checks make a finding.
    patience: u32,
}

impl ReplicaCheck {
    pub(super) fn new() -> Self {
        ReplicaCheck {
            last: None,
            compared: 0,
            behind: 0,
            patience: FIRST_PATIENCE,
        }
    }

    /// The consumer delivered message `seq` (subject and payload are reference-counted: called
    /// per message, this copies nothing).
    pub(super) fn delivered(&mut self, seq: u64, subject: &Subject, payload: &Bytes) {
        self.behind = 0;
        self.last = Some(Delivered {
            seq,
            subject: subject.clone(),
            payload: payload.clone(),
        });
    }

    /// The sequence of the last delivered message, if it was not yet compared with the leader's.
    pub(super) fn to_compare(&self) -> Option<u64> {
        self.last
            .as_ref()
            .map(|d| d.seq)
            .filter(|seq| *seq > self.compared)
    }

    /// The leader's message at the last delivered sequence (`None`: purged since). True when
    /// it differs: the replica diverged.
    pub(super) fn compare(&mut self, leader: Option<(&str, &[u8])>) -> bool {
        let Some(last) = &self.last else {
            return false;
        };
        self.compared = last.seq;
        let same = match leader {
            Some((subject, payload)) => {
                subject == last.subject.as_str() && payload == &last.payload[..]
            }
            None => true,
        };
        if same {
            self.patience = FIRST_PATIENCE;
        }
        !same
    }

    /// A quiet check found the leader holding a message at or after the sequence a fresh
    /// consumer was made to start at. True when that lasted long enough to be a finding.
    pub(super) fn behind_leader(&mut self) -> bool {
        self.behind += 1;
        self.behind >= self.patience
    }

    /// A quiet check found nothing the leader holds that was not delivered.
    pub(super) fn level_with_leader(&mut self) {
        self.behind = 0;
    }

    /// A finding was acted on: the next one waits twice as long.
    pub(super) fn acted(&mut self) {
        self.behind = 0;
        self.patience = (self.patience * 2).min(MOST_PATIENCE);
        // Whatever was delivered from the diverged replica was compared: what the next consumer
        // delivers gets compared afresh.
        if let Some(last) = &self.last {
            self.compared = last.seq;
        }
    }
}

/// The sequence of the first change message the leader holds at or after `seq`.
pub(super) async fn leader_holds_from<I>(
    changes: &stream::Stream<I>,
    seq: u64,
) -> Result<Option<u64>, String> {
    match changes
        .raw_message_builder()
        .sequence(seq)
        .next_by_subject(CHANGES_SUBJECTS.to_owned())
        .send()
        .await
    {
        Ok(message) => Ok(Some(message.sequence)),
        Err(err) if err.kind() == stream::LastRawMessageErrorKind::NoMessageFound => Ok(None),
        Err(err) => Err(format!("asking the stream leader from {seq}: {err}")),
    }
}

/// The leader's message at exactly `seq`: subject and payload (`None`: not there).
pub(super) async fn leader_message<I>(
    changes: &stream::Stream<I>,
    seq: u64,
) -> Result<Option<(Subject, Bytes)>, String> {
    match changes.raw_message_builder().sequence(seq).send().await {
        Ok(message) => Ok(Some((message.subject, message.payload))),
        Err(err) if err.kind() == stream::LastRawMessageErrorKind::NoMessageFound => Ok(None),
        Err(err) => Err(format!("asking the stream leader for {seq}: {err}")),
    }
}

/// Every document the change stream holds messages of, as its leader lists them (what a
/// keep-all relay reads again).
pub(super) async fn documents_in_stream(
    changes: &stream::Stream,
) -> Result<Vec<DocumentId>, String> {
    let mut subjects = changes
        .info_with_subjects(CHANGES_SUBJECTS)
        .await
        .map_err(|e| format!("listing the change stream's documents: {e}"))?;
    let mut docs = Vec::new();
    while let Some((subject, _)) = subjects
        .try_next()
        .await
        .map_err(|e| format!("listing the change stream's documents: {e}"))?
    {
        docs.extend(streams::document_of(&subject));
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn check_with(seq: u64, payload: &'static [u8]) -> ReplicaCheck {
        let mut check = ReplicaCheck::new();
        check.delivered(
            seq,
            &Subject::from_static("caucus.doc.a.changes"),
            &Bytes::from_static(payload),
        );
        check
    }

    #[test]
    fn a_different_message_under_the_same_sequence_is_a_finding() {
        let mut check = check_with(512, b"ours");
        assert_eq!(check.to_compare(), Some(512));
        assert!(check.compare(Some(("caucus.doc.a.changes", b"theirs"))));
        assert_eq!(
            check.to_compare(),
            None,
            "compared once per delivered message"
        );
        let mut check = check_with(512, b"ours");
        assert!(
            check.compare(Some(("caucus.doc.b.changes", b"ours"))),
            "another document's"
        );
    }

    #[test]
    fn the_same_message_or_a_purged_one_is_not() {
        let mut check = check_with(7, b"ours");
        assert!(!check.compare(Some(("caucus.doc.a.changes", b"ours"))));
        let mut check = check_with(7, b"ours");
        assert!(
            !check.compare(None),
            "purged after a snapshot: nothing to compare"
        );
        assert_eq!(ReplicaCheck::new().to_compare(), None);
    }

    #[test]
    fn lagging_behind_the_leader_is_a_finding_only_when_it_lasts() {
        let mut check = ReplicaCheck::new();
        assert!(
            !check.behind_leader(),
            "a replica catching up gets a moment"
        );
        assert!(!check.behind_leader());
        assert!(check.behind_leader());
        check.acted();
        // A replica that stays broken: each finding waits twice as long, up to a bound.
        let mut waits = Vec::new();
        for _ in 0..8 {
            let mut n = 1;
            while !check.behind_leader() {
                n += 1;
            }
            check.acted();
            waits.push(n);
        }
        assert_eq!(waits, [6, 12, 24, 48, 64, 64, 64, 64]);
        // A delivery, or a quiet check level with the leader, starts the count again...
        check.behind_leader();
        check.delivered(
            9,
            &Subject::from_static("caucus.doc.a.changes"),
            &Bytes::from_static(b"x"),
        );
        assert!(!check.behind_leader());
        check.level_with_leader();
        // ...and a comparison that agrees gives back the first patience.
        assert!(!check.compare(Some(("caucus.doc.a.changes", b"x"))));
        assert!(!check.behind_leader());
        assert!(!check.behind_leader());
        assert!(check.behind_leader());
    }

    /// The leader's message API as Debian's nats-server 2.9 answers it: the next message on a
    /// wildcard, one exact sequence, nothing past the end, and the documents listed.
    #[tokio::test]
    async fn the_leader_answers_what_the_checks_ask() {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = std::process::Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server (Debian's `nats-server` package; .ci/run installs it)");
        let url = format!("nats://127.0.0.1:{port}");
        let mut client = None;
        for _ in 0..100 {
            match async_nats::connect(&url).await {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
        let js = async_nats::jetstream::new(client.expect("nats-server listens"));
        let (changes, _, _) = streams::ensure(&js, 1).await.unwrap();
        let (a, b) = (DocumentId::random(), DocumentId::random());
        for (doc, payload) in [(&a, "a1"), (&b, "b1"), (&a, "a2")] {
            let subject = streams::changes_subject(doc.as_str());
            js.publish(subject, payload.into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
        assert_eq!(leader_holds_from(&changes, 2).await.unwrap(), Some(2));
        assert_eq!(leader_holds_from(&changes, 4).await.unwrap(), None);
        let (subject, payload) = leader_message(&changes, 3).await.unwrap().unwrap();
        assert_eq!(subject.as_str(), streams::changes_subject(a.as_str()));
        assert_eq!(&payload[..], b"a2");
        assert!(leader_message(&changes, 9).await.unwrap().is_none());
        let mut docs = documents_in_stream(&changes).await.unwrap();
        docs.sort_by(|x, y| x.as_str().cmp(y.as_str()));
        let mut want = vec![a, b];
        want.sort_by(|x, y| x.as_str().cmp(y.as_str()));
        assert_eq!(docs, want);
        let _ = server.kill();
        let _ = server.wait();
    }
}
