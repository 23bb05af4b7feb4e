//! Presence from other relays: core NATS `caucus.eph.<id>`, passed through the same
//! `(documentId, senderId, sessionId) → count` dedup as local presence (the document named by
//! the subject and the message must agree), then to the peers of the document on
//! this relay if it is loaded here (no local peer: nobody to tell).

use futures_util::StreamExt;

use super::deps::ClusterDeps;
use super::handle::Cluster;
use super::streams;
use crate::doc::DocCommand;
use crate::protocol::{self, Message};

/// Delivers other relays' presence to this relay's peers.
pub(crate) async fn receive(cluster: Cluster, deps: ClusterDeps) {
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
            if ephemeral.document_id != doc || ephemeral.data.len() > deps.max_ephemeral_bytes {
                continue;
            }
            if deps.presence.accept(&ephemeral) {
                let command = DocCommand::RemoteEphemeral { message: ephemeral };
                deps.documents.route_if_loaded(&doc, command);
            }
        }
    }
}
