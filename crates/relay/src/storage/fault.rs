//! Storage fault injection for tests: a redb [`StorageBackend`] that wraps the real file and
//! fails every write while a switch is on, the way a full disk does (`ENOSPC`).
//!
//! Production never builds one: [`crate::Config::storage_fault`] is `None` unless a test sets
//! it, and then [`crate::storage::Storage`] opens its file through [`FaultyFile`] instead of
//! redb's own file backend. Reads keep working, so what is already committed stays readable
//! once redb is reopened; lock calls pass straight through.

use std::fs::File;
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use redb::backends::FileBackend;
use redb::{BackendError, DatabaseError, StorageBackend};

/// A switch shared between a test and the storage it breaks. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct StorageFault(Arc<AtomicBool>);

impl StorageFault {
    pub fn new() -> Self {
        Self::default()
    }

    /// While `true`, every write, resize and sync of the database file fails with "no space
    /// left on device".
    pub fn set_failing(&self, failing: bool) {
        self.0.store(failing, Ordering::SeqCst);
    }

    pub fn is_failing(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), std::io::Error> {
        if self.is_failing() {
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "no space left on device (injected fault)",
            ))
        } else {
            Ok(())
        }
    }
}

/// redb's file backend behind a [`StorageFault`] switch.
#[derive(Debug)]
pub(crate) struct FaultyFile {
    inner: FileBackend,
    fault: StorageFault,
}

impl FaultyFile {
    pub(crate) fn new(file: File, fault: StorageFault) -> Result<Self, DatabaseError> {
        Ok(FaultyFile {
            inner: FileBackend::new(file)?,
            fault,
        })
    }
}

impl StorageBackend for FaultyFile {
    fn len(&self) -> Result<u64, std::io::Error> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> Result<(), std::io::Error> {
        self.fault.check()?;
        self.inner.set_len(len)
    }

    fn sync_data(&self) -> Result<(), std::io::Error> {
        self.fault.check()?;
        self.inner.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
        self.fault.check()?;
        self.inner.write(offset, data)
    }

    fn close(&self) -> Result<(), std::io::Error> {
        self.inner.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}
