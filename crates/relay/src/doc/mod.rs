//! Documents in memory: one actor per loaded document around its sync core.
//!
//! - `registry.rs`: [`Documents`], the handle everyone routes through (starts actors).
//! - `mailboxes.rs`: the running actors' mailboxes (actors retire through it).
//! - `actor.rs`: the actor loop: load, receive, commit, deliver.
//! - `command.rs`: [`DocCommand`], what an actor is asked.

mod actor;
mod command;
mod mailboxes;
mod registry;

pub(crate) use actor::ActorEnv;
pub(crate) use command::{DocCommand, Merged};
pub(crate) use mailboxes::Mailboxes;
pub(crate) use registry::Documents;
