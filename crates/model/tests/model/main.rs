//! Tests of caucus-model through its public API, as one test binary (one link on a small
//! machine): reads, edits, conflicts, templates, convergence properties and the fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod changefiles;
mod comments;
mod common;
mod conflicts;
mod edits;
mod field_index;
mod files;
mod fixture;
mod history;
mod identity;
mod internal;
mod languages;
mod properties;
mod reads;
mod reports;
mod scripted;
mod sessions;
mod template;
mod text_merges;
mod webgoldens;
