//! Presence across relays: ephemeral messages over core NATS (`caucus.eph.<id>`), never
//! stored. Lossy by design, like presence itself: a full queue or a NATS outage drops updates,
//! and the next update supersedes them.
//!
//! Outgoing messages go through a bounded queue so a connection's reader never waits on NATS.
//! Incoming ones pass the same `(senderId, sessionId, count)` dedup as local ones, then reach
//! the peers of the document on this relay if it is loaded here (no local peer: nobody to
//! tell).

use std::sync::Arc;

use async_nats::HeaderMap;
use futures_util::StreamExt;
use tokio::sync::{Mutex, mpsc};

use super::{Cluster, RELAY_HEADER, streams};
use crate::doc::DocCommand;
use crate::document_id::DocumentId;
use crate::hub::Hub;
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

/// Delivers other relays' presence to this relay's peers.
pub(crate) async fn receive(cluster: Cluster, hub: Hub) {
    loop {
        let mut subscription = match cluster.client().subscribe(streams::PRESENCE_SUBJECTS).await {
            Ok(s) => s,
            Err(err) => {
                tracing::debug!(%err, "cluster: cannot subscribe to presence; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        while let Some(message) = subscription.next().await {
            if cluster.is_own(message.headers.as_ref()) {
                continue;
            }
            let Some(doc) = streams::document_of(&message.subject) else {
                continue;
            };
            let Ok(Message::Ephemeral(ephemeral)) = protocol::decode(&message.payload) else {
                tracing::debug!(subject = %message.subject, "cluster: ignoring a malformed presence message");
                continue;
            };
            if ephemeral.document_id != doc
                || ephemeral.data.len() > hub.config().max_ephemeral_bytes
            {
                continue;
            }
            if hub.accept_ephemeral(&ephemeral.sender_id, &ephemeral.session_id, ephemeral.count) {
                hub.route_if_loaded(&doc, DocCommand::RemoteEphemeral { message: ephemeral });
            }
        }
    }
}
