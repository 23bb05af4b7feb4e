//! Conference documents on the relay: what may be uploaded (size cap, per-document quota,
//! upload slots), storing the bytes once by SHA-256 and linking them to a document, and the
//! garbage collection of bytes no document refers to any more (`gc.rs`).
//!
//! `store.rs` holds [`Files`]; `gc.rs` the collection; `carry.rs` puts files into change files and
//! takes them out; `names.rs` makes names and types safe; `range.rs` reads `Range` headers. The
//! HTTP surface is `http/files.rs`; the tables are `storage/files.rs`. Bounds are decided from
//! the declared size before a byte of the body is read ([`Files::admit`]) and again when the
//! bytes are committed ([`Files::store`], under one lock, so two uploads at once cannot both
//! squeeze under the quota).

mod carry;
mod gc;
mod names;
mod range;
mod store;

pub use carry::{CarriedOutcome, carry, new_references, store_carried};
pub(crate) use gc::spawn_collector;
pub use gc::{GcReport, collect_garbage};
pub use names::{content_type, file_name, is_file_hash};
pub use range::{Unsatisfiable, byte_range};
pub use store::{
    Admitted, FileError, FileSettings, Files, StoredFile, Upload, VerifyError, store_verified,
};
pub(crate) use store::{Fetched, FileReplica};

#[cfg(test)]
mod tests;
