//! Encrypted backups: the standard age format (age-encryption.org/v1) to X25519 recipients
//! (`age1…`), so a backup file or download is for the holders of the matching identities only,
//! and Debian's `age -d -i key.txt` decrypts it.
//!
//! The backup format itself does not change: the encrypted file is age around the same bytes.
//! Writing streams through age's `StreamWriter` (64 KiB chunks, each authenticated); reading
//! streams through its `StreamReader`, which releases a chunk only once its tag verified, and
//! the backup reader then checks structure and SHA-256 on the decrypted bytes before a restore
//! writes anything.

use std::fmt;
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use super::error::BackupError;

/// The first bytes of every binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/";
/// The first bytes of an ASCII-armored age file (`age -a`).
const ARMOR_MAGIC: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
/// Most recipients one backup is encrypted to (each adds a header stanza).
pub const MAX_RECIPIENTS: usize = 64;

/// The public keys backups are encrypted to; empty = backups are written in clear.
#[derive(Clone, Default)]
pub struct Recipients(Arc<[age::x25519::Recipient]>);

impl Recipients {
    /// Parses `age1…` public keys (as `age-keygen` prints them), each checked; an error names
    /// the bad one.
    pub fn parse<S: AsRef<str>>(keys: &[S]) -> Result<Self, BackupError> {
        if keys.len() > MAX_RECIPIENTS {
            return Err(BackupError::Recipient(format!(
                "{} recipients given; at most {MAX_RECIPIENTS}",
                keys.len()
            )));
        }
        keys.iter()
            .map(|key| {
                let key = key.as_ref().trim();
                age::x25519::Recipient::from_str(key).map_err(|why| {
                    BackupError::Recipient(format!(
                        "`{key}` is not an age X25519 public key (age1…, as `age-keygen` prints it): {why}"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|list| Recipients(list.into()))
    }

    /// Whether backups are encrypted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many public keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Wraps `out` so what is written to it is encrypted to these recipients (`None`: no
    /// recipients, write in clear). The stream must be finished with [`Sealed::finish`].
    pub(crate) fn seal<W: Write>(&self, out: W) -> Result<Sealed<W>, BackupError> {
        if self.0.is_empty() {
            return Ok(Sealed::Clear(out));
        }
        let encryptor =
            age::Encryptor::with_recipients(self.0.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| BackupError::Recipient(e.to_string()))?;
        Ok(Sealed::Age(encryptor.wrap_output(out)?))
    }
}

/// Public keys are not secrets: shown as `age1…`.
impl fmt::Debug for Recipients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(ToString::to_string))
            .finish()
    }
}

/// A backup being written: in clear, or through age.
pub(crate) enum Sealed<W: Write> {
    Clear(W),
    Age(age::stream::StreamWriter<W>),
}

impl<W: Write> Sealed<W> {
    /// Writes age's last chunk (without it the file does not decrypt) and flushes; gives the
    /// writer back.
    pub(crate) fn finish(self) -> Result<W, BackupError> {
        let mut out = match self {
            Sealed::Clear(out) => out,
            Sealed::Age(stream) => stream.finish()?,
        };
        out.flush()?;
        Ok(out)
    }
}

impl<W: Write> Write for Sealed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sealed::Clear(out) => out.write(buf),
            Sealed::Age(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sealed::Clear(out) => out.flush(),
            Sealed::Age(out) => out.flush(),
        }
    }
}

type BoxedIdentity = Box<dyn age::Identity + Send + Sync>;

/// Private keys that decrypt backups (an age identity file, as `age-keygen -o` writes it).
/// Never printed.
#[derive(Clone, Default)]
pub struct Identities(Arc<Vec<BoxedIdentity>>);

impl Identities {
    /// No identities: only backups written in clear can be read.
    pub fn none() -> Self {
        Identities::default()
    }

    /// Reads an age identity file (`AGE-SECRET-KEY-1…` lines, `#` comments).
    pub fn from_file(path: &Path) -> Result<Self, BackupError> {
        let name = path.display().to_string();
        let file = age::IdentityFile::from_file(name.clone())
            .map_err(|e| BackupError::Identity(format!("{name}: {e}")))?;
        let list = file
            .into_identities()
            .map_err(|e| BackupError::Identity(format!("{name}: {e}")))?;
        if list.is_empty() {
            return Err(BackupError::Identity(format!(
                "{name} holds no age identity (AGE-SECRET-KEY-1…)"
            )));
        }
        Ok(Identities(Arc::new(list)))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Identities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identities({} key(s), not shown)", self.0.len())
    }
}

/// Whether `input` starts like an age file (binary or armored). Reads nothing away.
pub(crate) fn is_encrypted(input: &mut impl BufRead) -> std::io::Result<bool> {
    let start = input.fill_buf()?;
    Ok(start.starts_with(AGE_MAGIC) || start.starts_with(ARMOR_MAGIC))
}

/// Whether the file at `path` is an age-encrypted backup (by its first bytes).
pub fn file_is_encrypted(path: &Path) -> Result<bool, BackupError> {
    let file = std::fs::File::open(path)?;
    Ok(is_encrypted(&mut std::io::BufReader::new(file))?)
}

/// The plaintext of a backup: `input` itself when it is in clear, or decrypted with
/// `identities` when it is an age file (an error says what is missing).
pub(crate) fn unseal<R: BufRead + Send + 'static>(
    mut input: R,
    identities: &Identities,
) -> Result<Box<dyn Read + Send>, BackupError> {
    if !is_encrypted(&mut input)? {
        return Ok(Box::new(input));
    }
    if input.fill_buf()?.starts_with(ARMOR_MAGIC) {
        return Err(BackupError::Decrypt(
            "the backup is ASCII-armored age; `age -d` it first or keep the binary file".into(),
        ));
    }
    if identities.is_empty() {
        return Err(BackupError::Encrypted);
    }
    let decryptor = age::Decryptor::new_buffered(input).map_err(decrypt_error)?;
    let reader = decryptor
        .decrypt(
            identities
                .0
                .iter()
                .map(|i| i.as_ref() as &dyn age::Identity),
        )
        .map_err(decrypt_error)?;
    Ok(Box::new(reader))
}

fn decrypt_error(err: age::DecryptError) -> BackupError {
    match err {
        age::DecryptError::NoMatchingKeys => BackupError::Decrypt(
            "none of the given identities can decrypt this backup (it was encrypted to other keys)"
                .into(),
        ),
        other => BackupError::Decrypt(other.to_string()),
    }
}
