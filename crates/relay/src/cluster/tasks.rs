//! Starting cluster mode's tasks, with the narrow handles each needs.

use super::deps::ClusterDeps;
use super::handle::Cluster;
use super::{apply, publish, remote_presence, tokens};

/// Starts the publisher, the consumer, presence and token replication.
pub(crate) fn spawn(cluster: &Cluster, deps: &ClusterDeps) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        tokio::spawn(publish::run(cluster.clone(), deps.clone())),
        tokio::spawn(apply::run(cluster.clone(), deps.clone())),
        tokio::spawn(remote_presence::receive(cluster.clone(), deps.clone())),
        tokio::spawn(cluster.inner.presence.clone().run()),
        tokio::spawn(tokens::run(cluster.clone(), deps.clone())),
    ]
}
