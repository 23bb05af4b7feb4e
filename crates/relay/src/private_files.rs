//! Files and directories for the operator's eyes only: every file the relay or the CLI writes
//! that holds documents, tokens or a secret (the database, backups, dumps, the first-start admin
//! token) is created mode 0600, and the directories created for them 0700.
//!
//! The mode is given when the file is created (`O_CREAT` with mode 0600), never set afterwards,
//! so there is no moment in which another user could open it. A file that already exists with
//! a wider mode is narrowed before anything is written to it. Directories that already exist
//! are the operator's: they are left as they are (a warning says when others may enter them).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Mode of every private file.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every directory created for private files.
pub const DIR_MODE: u32 = 0o700;

/// Creates (or truncates) `path` for writing, mode 0600 from the start.
pub fn create(path: &Path) -> io::Result<File> {
    let file = options(true).open(path)?;
    narrow(&file)?;
    Ok(file)
}

/// Creates `path` for writing, mode 0600; fails if it exists.
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = options(false);
    options.create_new(true);
    options.open(path)
}

/// Creates `path` empty with mode 0600 if it does not exist, and narrows an existing file to
/// 0600; its content is left alone. For files another library opens by path (the redb file).
pub fn ensure(path: &Path) -> io::Result<()> {
    let mut options = options(false);
    options.read(true).create(true).truncate(false);
    let file = options.open(path)?;
    narrow(&file)
}

/// Creates `dir` and any missing parents with mode 0700; an existing directory is left as it is.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// Whether users other than the owner may enter or list `dir` (false when unknown).
pub fn others_may_enter(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

fn options(truncate: bool) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    if truncate {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// A file that existed before keeps its mode through `open`: narrow it to 0600.
fn narrow(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_0600_and_new_directories_0700_whatever_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_dir_all(&nested).unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        let new = nested.join("new");
        create(&new).unwrap();
        assert_eq!(mode(&new), 0o600);
        let wide = nested.join("wide");
        std::fs::write(&wide, b"old").unwrap();
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o644)).unwrap();
        ensure(&wide).unwrap();
        assert_eq!(mode(&wide), 0o600);
        assert_eq!(
            std::fs::read(&wide).unwrap(),
            b"old",
            "ensure keeps the content"
        );
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o666)).unwrap();
        create(&wide).unwrap();
        assert_eq!(mode(&wide), 0o600);
        assert!(create_new(&wide).is_err());
        assert!(others_may_enter(dir.path().parent().unwrap()));
        assert!(!others_may_enter(&nested));
    }
}
