//! Why a sealed upload was refused: the `reason` codes of docs/sealed.md, each with its HTTP
//! status and the counter label (`caucus_sealed_refused{reason}`).

/// A refused sealed write. Nothing of it was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    Malformed(String),
    Signature,
    WrongDocument,
    NotMember,
    StaleEpoch { epoch: u64 },
    Sequence { last_seq: u64 },
    SnapshotBackwards,
    SnapshotAhead,
    Conflict,
    Exists,
    TooLarge(String),
    TooMany,
}

impl Refusal {
    /// The `reason` code (and metric label).
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Refusal::Malformed(_) => "malformed",
            Refusal::Signature => "signature",
            Refusal::WrongDocument => "wrong-document",
            Refusal::NotMember => "not-member",
            Refusal::StaleEpoch { .. } => "stale-epoch",
            Refusal::Sequence { .. } => "sequence",
            Refusal::SnapshotBackwards => "snapshot-backwards",
            Refusal::SnapshotAhead => "snapshot-ahead",
            Refusal::Conflict => "conflict",
            Refusal::Exists => "exists",
            Refusal::TooLarge(_) => "too-large",
            Refusal::TooMany => "too-many",
        }
    }

    pub(crate) fn status(&self) -> u16 {
        match self {
            Refusal::Malformed(_) | Refusal::Signature | Refusal::WrongDocument => 400,
            Refusal::NotMember => 403,
            Refusal::TooLarge(_) => 413,
            Refusal::TooMany => 429,
            _ => 409,
        }
    }

    /// What a person reading the answer (or a log) needs to know.
    pub(crate) fn message(&self) -> String {
        match self {
            Refusal::Malformed(why) => format!("malformed: {why}"),
            Refusal::Signature => "bad signature".into(),
            Refusal::WrongDocument => "the envelope or operation names another document".into(),
            Refusal::NotMember => {
                "the author is not a current member device of this analysis".into()
            }
            Refusal::StaleEpoch { epoch } => {
                format!("stale epoch: encrypt again under epoch {epoch}")
            }
            Refusal::Sequence { last_seq } => {
                format!("sequence does not continue the author's last one ({last_seq})")
            }
            Refusal::SnapshotBackwards => "a snapshot must move forward".into(),
            Refusal::SnapshotAhead => "the snapshot covers more than the log holds".into(),
            Refusal::Conflict => "membership changed meanwhile: fetch and try again".into(),
            Refusal::Exists => "a document with this ID exists".into(),
            Refusal::TooLarge(why) => format!("too large: {why}"),
            Refusal::TooMany => "too many devices are waiting to join this analysis".into(),
        }
    }
}
