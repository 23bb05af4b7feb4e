//! The scenarios. Each starts its own relay(s) on fresh data directories, bounds every wait,
//! and returns an [`crate::report::Outcome`] with what it measured (partial on failure).

pub(crate) mod cold_load;
pub(crate) mod fanout;
pub(crate) mod join_storm;
pub(crate) mod many_docs;
pub(crate) mod reconnect;
