//! The conference documents' metrics: uploads, downloads, what is stored, what garbage
//! collection removed.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Default)]
pub(crate) struct FileMetrics {
    uploads: Counter,
    upload_bytes: Counter,
    downloads: Counter,
    download_bytes: Counter,
    stored: Gauge,
    stored_bytes: Gauge,
    collected: Counter,
    collected_bytes: Counter,
}

impl FileMetrics {
    pub(super) fn register(&self, registry: &mut Registry) {
        let counters = [
            (
                "file_uploads",
                "Files stored (uploads and imports; the same bytes twice count twice)",
                &self.uploads,
            ),
            (
                "file_upload_bytes",
                "Bytes of the files stored by uploads and imports",
                &self.upload_bytes,
            ),
            (
                "file_downloads",
                "File downloads answered (whole or a range)",
                &self.downloads,
            ),
            (
                "file_download_bytes",
                "Bytes of files sent by downloads",
                &self.download_bytes,
            ),
            (
                "files_collected",
                "File links removed by garbage collection (unreferenced past the grace period)",
                &self.collected,
            ),
            (
                "files_collected_bytes",
                "Bytes of the file links garbage collection removed",
                &self.collected_bytes,
            ),
        ];
        for (name, help, counter) in counters {
            registry.register(name, help, counter.clone());
        }
        registry.register(
            "files_stored",
            "Files stored, each distinct content once",
            self.stored.clone(),
        );
        registry.register(
            "files_stored_bytes",
            "Bytes of the files stored, each distinct content once",
            self.stored_bytes.clone(),
        );
    }
}

impl FileMetrics {
    /// A file of `bytes` was stored (upload or import).
    pub(crate) fn uploaded(&self, bytes: u64) {
        self.uploads.inc();
        self.upload_bytes.inc_by(bytes);
    }

    /// A file download of `bytes` was answered.
    pub(crate) fn downloaded(&self, bytes: u64) {
        self.downloads.inc();
        self.download_bytes.inc_by(bytes);
    }

    /// What is stored now: `count` distinct files of `bytes` in all.
    pub(crate) fn stored(&self, count: u64, bytes: u64) {
        self.stored.set(i64::try_from(count).unwrap_or(i64::MAX));
        self.stored_bytes
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    /// Garbage collection removed `links` file links of `bytes` bytes.
    pub(crate) fn collected(&self, links: u64, bytes: u64) {
        self.collected.inc_by(links);
        self.collected_bytes.inc_by(bytes);
    }
}
