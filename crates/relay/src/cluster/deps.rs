//! What the cluster tasks reach of the rest of the relay: narrow handles, no relay-wide state.

use crate::auth::Auth;
use crate::connections::Connections;
use crate::doc::Documents;
use crate::ephemeral::PresenceDedup;
use crate::metrics::Metrics;
use crate::storage::Storage;

/// What the cluster tasks reach of the rest of the relay. Cheap to clone.
#[derive(Clone)]
pub(crate) struct ClusterDeps {
    /// Changes and presence from other relays go to documents through it.
    pub(crate) documents: Documents,
    /// A revocation elsewhere closes the token's connections here.
    pub(crate) connections: Connections,
    pub(crate) presence: PresenceDedup,
    pub(crate) storage: Storage,
    pub(crate) metrics: Metrics,
    pub(crate) auth: Auth,
    /// Sealed analyses: every relay applies the shared order through it.
    pub(crate) sealed: crate::sealed::SealedDocs,
    /// Conference documents: shared through the object store (`files.rs`).
    pub(crate) files: crate::files::Files,
    /// Largest presence payload accepted from other relays.
    pub(crate) max_ephemeral_bytes: usize,
}
