//! Presence across relays: ephemeral messages over core NATS (`caucus.eph.<id>`), never
//! stored. Lossy by design, like presence itself: a full queue or a NATS outage drops updates,
//! and the next update supersedes them.
//!
//! This is the outgoing half: messages go through a bounded queue so a document actor never
//! waits on NATS. The incoming half is `remote_presence.rs`.

use std::sync::Arc;

use async_nats::HeaderMap;
use tokio::sync::{Mutex, mpsc};

use super::streams::{self, RELAY_HEADER};
use crate::document_id::DocumentId;
use crate::protocol::{self, EphemeralMessage, Message};

/// Presence messages queued for NATS before new ones are dropped.
const QUEUE: usize = 1024;

/// A presence message on its way to NATS: subject and encoded frame.
type Outgoing = (String, Vec<u8>);

/// The outgoing half: cheap to clone.
#[derive(Clone)]
pub(crate) struct Sender {
    queue: mpsc::Sender<Outgoing>,
    /// Taken by the one task that sends ([`Sender::run`]).
    receiver: Arc<Mutex<Option<mpsc::Receiver<Outgoing>>>>,
    client: async_nats::Client,
    relay_id: String,
}

impl Sender {
    pub(crate) fn new(client: async_nats::Client, relay_id: String) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE);
        Sender {
            queue,
            receiver: Arc::new(Mutex::new(Some(receiver))),
            client,
            relay_id,
        }
    }

    pub(crate) fn publish(&self, doc: &DocumentId, message: &EphemeralMessage) {
        let frame = protocol::encode(&Message::Ephemeral(message.clone()));
        // Full: drop it (presence is superseded by the next update anyway).
        let _ = self.queue.try_send((streams::presence_subject(doc), frame));
    }

    /// Sends queued presence to NATS (one task).
    pub(crate) async fn run(self) {
        let Some(mut receiver) = self.receiver.lock().await.take() else {
            return;
        };
        let mut headers = HeaderMap::new();
        headers.insert(RELAY_HEADER, self.relay_id.as_str());
        while let Some((subject, frame)) = receiver.recv().await {
            if let Err(err) = self
                .client
                .publish_with_headers(subject, headers.clone(), frame.into())
                .await
            {
                tracing::debug!(%err, "cluster: presence not published");
            }
        }
    }
}
