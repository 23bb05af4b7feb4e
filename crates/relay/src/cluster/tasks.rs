//! Starting cluster mode's tasks, with the narrow handles each needs.

use super::deps::ClusterDeps;
use super::handle::Cluster;
use super::{apply, files, publish, remote_presence, sealed, tokens};

/// Starts the publisher, the consumer, presence, token replication and the sealed order.
pub(crate) fn spawn(cluster: &Cluster, deps: &ClusterDeps) -> Vec<tokio::task::JoinHandle<()>> {
    let order = sealed::ClusterSealedOrder::new(cluster.clone());
    deps.sealed.set_order(order.clone());
    vec![
        tokio::spawn(sealed::run(order, deps.clone())),
        tokio::spawn(sealed::receive_ephemeral(cluster.clone(), deps.clone())),
        tokio::spawn(publish::run(cluster.clone(), deps.clone())),
        tokio::spawn(apply::run(cluster.clone(), deps.clone())),
        tokio::spawn(remote_presence::receive(cluster.clone(), deps.clone())),
        tokio::spawn(cluster.inner.presence.clone().run()),
        tokio::spawn(tokens::run(cluster.clone(), deps.clone())),
        tokio::spawn(files::start(cluster, deps)),
    ]
}
