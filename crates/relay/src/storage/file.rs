//! The open database file as readers and the writer share it, and reopening it after a
//! failure.
//!
//! redb refuses every later operation on a database whose file failed once (disk full, I/O
//! error). The writer then records the reason here ([`Shared::failure`]) and, every
//! `RETRY_INTERVAL`, swaps the database out, waits for readers to let go of the old one, and
//! opens the file again: redb's recovery on open brings back the last committed state.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use redb::Database;

use super::error::StorageError;
use super::fault::{FaultyFile, StorageFault};

/// How long a reopen waits for readers to let go of the old database.
const REOPEN_WAIT: Duration = Duration::from_secs(2);

/// The database as readers and the writer share it: swapped out while it is reopened.
pub(crate) struct Shared {
    /// `None` while a failed database is being closed and reopened.
    db: RwLock<Option<Arc<Database>>>,
    /// Why storage is failing; `None` when healthy.
    failure: Mutex<Option<String>>,
    path: PathBuf,
    fault: Option<StorageFault>,
}

impl Shared {
    pub(crate) fn new(db: Database, path: PathBuf, fault: Option<StorageFault>) -> Self {
        Shared {
            db: RwLock::new(Some(Arc::new(db))),
            failure: Mutex::new(None),
            path,
            fault,
        }
    }

    pub(crate) fn db(&self) -> Result<Arc<Database>, StorageError> {
        let slot = self
            .db
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.clone()
            .ok_or_else(|| StorageError::Unavailable(self.failure().unwrap_or_default()))
    }

    pub(crate) fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set_failure(&self, failure: Option<String>) {
        *self
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = failure;
    }

    fn put(&self, db: Option<Arc<Database>>) {
        *self
            .db
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = db;
    }

    /// Closes the database (once readers let go) and opens the file again. `Ok` when storage
    /// is usable again.
    pub(crate) fn reopen(&self) -> Result<(), StorageError> {
        let old = self
            .db
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(mut old) = old {
            let deadline = Instant::now() + REOPEN_WAIT;
            // Readers hold clones only for one read transaction.
            loop {
                match Arc::try_unwrap(old) {
                    Ok(db) => {
                        drop(db);
                        break;
                    }
                    Err(still_shared) if Instant::now() < deadline => {
                        old = still_shared;
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(still_shared) => {
                        self.put(Some(still_shared));
                        return Err(StorageError::Unavailable(
                            "readers still hold the failed database".into(),
                        ));
                    }
                }
            }
        }
        let db = open_file(&self.path, self.fault.as_ref())?;
        self.put(Some(Arc::new(db)));
        Ok(())
    }
}

/// Opens (or creates) the database file, through the fault switch when a test gave one.
pub(crate) fn open_file(
    path: &Path,
    fault: Option<&StorageFault>,
) -> Result<Database, StorageError> {
    let Some(fault) = fault else {
        return Ok(Database::create(path)?);
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| StorageError::DataDir {
            path: path.to_owned(),
            source,
        })?;
    Ok(Database::builder().create_with_backend(FaultyFile::new(file, fault.clone())?)?)
}
