//! CBOR → [`Message`], tolerant of what cbor-x writes and strict about what we rely on.

use minicbor::Decoder;
use minicbor::data::Type;

use super::message::{EphemeralMessage, Message, PeerMetadata, RemoteHeadsKind, SyncMessage};
use crate::document_id::{BadDocumentId, DocumentId};

/// Longest peer, session and storage ID we accept (JS uses ~20-40 characters).
const MAX_ID_LEN: usize = 256;
/// Most keys a message map may have; real messages have at most 7.
const MAX_KEYS: u64 = 64;
/// Most entries in `supportedProtocolVersions`.
const MAX_VERSIONS: u64 = 16;

/// Why a frame is not a protocol message.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("empty frame")]
    Empty,
    #[error("malformed CBOR: {0}")]
    Cbor(#[from] minicbor::decode::Error),
    #[error("message is not a CBOR map")]
    NotAMap,
    #[error("message has too many keys")]
    TooManyKeys,
    #[error("missing field `{0}`")]
    Missing(&'static str),
    #[error("field `{field}` has the wrong type ({found})")]
    WrongType { field: &'static str, found: String },
    #[error("field `{0}` is too long")]
    TooLong(&'static str),
    #[error("field `{0}` must not be empty")]
    EmptyField(&'static str),
    #[error(transparent)]
    DocumentId(#[from] BadDocumentId),
    #[error("{0} trailing bytes after the message")]
    TrailingBytes(usize),
}

/// Raw fields of a message map, before we know which message it is.
#[derive(Default)]
struct Fields<'b> {
    kind: Option<&'b str>,
    sender_id: Option<&'b str>,
    target_id: Option<&'b str>,
    document_id: Option<DocumentIdField<'b>>,
    data: Option<&'b [u8]>,
    session_id: Option<&'b str>,
    count: Option<u64>,
    message: Option<&'b str>,
    metadata: Option<PeerMetadata>,
    supported_versions: Option<Vec<String>>,
}

enum DocumentIdField<'b> {
    Text(&'b str),
    Bytes(&'b [u8]),
}

/// Decodes one frame. Unknown keys are skipped; unknown `type`s become [`Message::Unknown`].
pub fn decode(frame: &[u8]) -> Result<Message, DecodeError> {
    if frame.is_empty() {
        return Err(DecodeError::Empty);
    }
    let mut d = Decoder::new(frame);
    let fields = read_fields(&mut d)?;
    if d.position() != frame.len() {
        return Err(DecodeError::TrailingBytes(frame.len() - d.position()));
    }
    let kind = fields.kind.ok_or(DecodeError::Missing("type"))?;
    Ok(match kind {
        "join" => Message::Join {
            sender_id: required_id(fields.sender_id, "senderId")?,
            metadata: fields.metadata.unwrap_or_default(),
            supported_versions: fields.supported_versions,
        },
        "peer" => Message::Peer {
            sender_id: required_id(fields.sender_id, "senderId")?,
            target_id: required_id(fields.target_id, "targetId")?,
            metadata: fields.metadata.unwrap_or_default(),
        },
        "leave" => Message::Leave {
            sender_id: fields.sender_id.map(str::to_owned).unwrap_or_default(),
        },
        "error" => Message::Error {
            message: fields.message.unwrap_or_default().to_owned(),
        },
        "sync" => Message::Sync(sync_fields(&fields)?),
        "request" => Message::Request(sync_fields(&fields)?),
        "doc-unavailable" => Message::DocUnavailable {
            sender_id: required_id(fields.sender_id, "senderId")?,
            target_id: required_id(fields.target_id, "targetId")?,
            document_id: document_id(&fields)?,
        },
        "ephemeral" => Message::Ephemeral(EphemeralMessage {
            sender_id: required_id(fields.sender_id, "senderId")?,
            target_id: required_id(fields.target_id, "targetId")?,
            document_id: document_id(&fields)?,
            session_id: required_id(fields.session_id, "sessionId")?,
            count: fields.count.ok_or(DecodeError::Missing("count"))?,
            data: non_empty_data(fields.data)?,
        }),
        "remote-subscription-change" => Message::RemoteHeads {
            kind: RemoteHeadsKind::SubscriptionChange,
        },
        "remote-heads-changed" => Message::RemoteHeads {
            kind: RemoteHeadsKind::HeadsChanged,
        },
        other => Message::Unknown {
            kind: other.chars().take(MAX_ID_LEN).collect(),
        },
    })
}

fn read_fields<'b>(d: &mut Decoder<'b>) -> Result<Fields<'b>, DecodeError> {
    let mut fields = Fields::default();
    let len = match d.datatype()? {
        Type::Map => d.map()?,
        Type::MapIndef => d.map()?,
        _ => return Err(DecodeError::NotAMap),
    };
    for_each_entry(d, len, |d, key| {
        match key {
            "type" => fields.kind = optional_str(d, "type")?,
            "senderId" => fields.sender_id = optional_str(d, "senderId")?,
            "targetId" => fields.target_id = optional_str(d, "targetId")?,
            "sessionId" => fields.session_id = optional_str(d, "sessionId")?,
            "message" => fields.message = optional_str(d, "message")?,
            "documentId" => {
                fields.document_id = match d.datatype()? {
                    Type::String => Some(DocumentIdField::Text(d.str()?)),
                    Type::Bytes => Some(DocumentIdField::Bytes(d.bytes()?)),
                    Type::Null | Type::Undefined => {
                        d.skip()?;
                        None
                    }
                    other => return Err(wrong_type("documentId", other)),
                }
            }
            "data" => fields.data = optional_bytes(d, "data")?,
            "count" => fields.count = optional_count(d)?,
            "peerMetadata" | "metadata" => fields.metadata = Some(read_metadata(d)?),
            "supportedProtocolVersions" => fields.supported_versions = read_versions(d)?,
            _ => d.skip()?,
        }
        Ok(())
    })?;
    Ok(fields)
}

fn wrong_type(field: &'static str, found: Type) -> DecodeError {
    DecodeError::WrongType {
        field,
        found: found.to_string(),
    }
}

/// A text field where `null`/`undefined` mean absent.
fn optional_str<'b>(
    d: &mut Decoder<'b>,
    field: &'static str,
) -> Result<Option<&'b str>, DecodeError> {
    match d.datatype()? {
        Type::String => Ok(Some(d.str()?)),
        Type::Null | Type::Undefined => {
            d.skip()?;
            Ok(None)
        }
        other => Err(wrong_type(field, other)),
    }
}

/// A byte-string field; a leading tag (e.g. cbor-x's tag 64 for Uint8Array) is tolerated.
fn optional_bytes<'b>(
    d: &mut Decoder<'b>,
    field: &'static str,
) -> Result<Option<&'b [u8]>, DecodeError> {
    if d.datatype()? == Type::Tag {
        d.tag()?;
    }
    match d.datatype()? {
        Type::Bytes => Ok(Some(d.bytes()?)),
        Type::Null | Type::Undefined => {
            d.skip()?;
            Ok(None)
        }
        other => Err(wrong_type(field, other)),
    }
}

/// JS numbers arrive as CBOR uints or, when large or fractional, as floats.
fn optional_count(d: &mut Decoder<'_>) -> Result<Option<u64>, DecodeError> {
    match d.datatype()? {
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Ok(Some(d.u64()?)),
        Type::F32 | Type::F64 => {
            let f = if d.datatype()? == Type::F32 {
                f64::from(d.f32()?)
            } else {
                d.f64()?
            };
            // Counts are whole and non-negative; anything else is a lie about ordering.
            if f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 9.007_199_254_740_992e15 {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(Some(f as u64))
            } else {
                Err(DecodeError::WrongType {
                    field: "count",
                    found: format!("float {f}"),
                })
            }
        }
        Type::Null | Type::Undefined => {
            d.skip()?;
            Ok(None)
        }
        other => Err(wrong_type("count", other)),
    }
}

fn read_metadata(d: &mut Decoder<'_>) -> Result<PeerMetadata, DecodeError> {
    let mut meta = PeerMetadata::default();
    let len = match d.datatype()? {
        Type::Map | Type::MapIndef => d.map()?,
        Type::Null | Type::Undefined => {
            d.skip()?;
            return Ok(meta);
        }
        other => return Err(wrong_type("peerMetadata", other)),
    };
    for_each_entry(d, len, |d, key| {
        match key {
            "storageId" => {
                meta.storage_id = optional_str(d, "storageId")?
                    .map(|s| bounded(s, "storageId"))
                    .transpose()?
            }
            "isEphemeral" => {
                meta.is_ephemeral = match d.datatype()? {
                    Type::Bool => Some(d.bool()?),
                    _ => {
                        d.skip()?;
                        None
                    }
                }
            }
            _ => d.skip()?,
        }
        Ok(())
    })?;
    Ok(meta)
}

fn read_versions(d: &mut Decoder<'_>) -> Result<Option<Vec<String>>, DecodeError> {
    let len = match d.datatype()? {
        Type::Array | Type::ArrayIndef => d.array()?,
        Type::Null | Type::Undefined => {
            d.skip()?;
            return Ok(None);
        }
        other => return Err(wrong_type("supportedProtocolVersions", other)),
    };
    let mut versions = Vec::new();
    let mut seen = 0u64;
    for_each_item(d, len, |d| {
        seen += 1;
        if seen > MAX_VERSIONS {
            return Err(DecodeError::TooLong("supportedProtocolVersions"));
        }
        match d.datatype()? {
            Type::String => versions.push(bounded(d.str()?, "supportedProtocolVersions")?),
            // A number where a string belongs is a version we do not speak.
            _ => d.skip()?,
        }
        Ok(())
    })?;
    Ok(Some(versions))
}

/// Calls `on_entry` with each text key of a map whose header gave `len` (`None` = indefinite),
/// positioned at the value, which `on_entry` must consume. Non-text keys are skipped with
/// their values; more than [`MAX_KEYS`] entries is an error.
fn for_each_entry<'b>(
    d: &mut Decoder<'b>,
    len: Option<u64>,
    mut on_entry: impl FnMut(&mut Decoder<'b>, &'b str) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    let mut seen = 0u64;
    for_each_item(d, len, |d| {
        seen += 1;
        if seen > MAX_KEYS {
            return Err(DecodeError::TooManyKeys);
        }
        if d.datatype()? == Type::String {
            let key = d.str()?;
            on_entry(d, key)
        } else {
            // Non-text keys are nobody's business: skip key and value.
            d.skip()?;
            d.skip()?;
            Ok(())
        }
    })
}

/// Calls `on_item` `len` times or, for indefinite lengths, until the break. For a map,
/// `len` counts entries and each call consumes one key/value pair.
fn for_each_item<'b>(
    d: &mut Decoder<'b>,
    len: Option<u64>,
    mut on_item: impl FnMut(&mut Decoder<'b>) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    let mut consumed = 0u64;
    loop {
        match len {
            Some(n) if consumed >= n => return Ok(()),
            None if d.datatype()? == Type::Break => {
                d.skip()?;
                return Ok(());
            }
            _ => {}
        }
        on_item(d)?;
        consumed += 1;
    }
}

fn bounded(s: &str, field: &'static str) -> Result<String, DecodeError> {
    if s.len() > MAX_ID_LEN {
        return Err(DecodeError::TooLong(field));
    }
    Ok(s.to_owned())
}

fn required_id(value: Option<&str>, field: &'static str) -> Result<String, DecodeError> {
    let s = value.ok_or(DecodeError::Missing(field))?;
    if s.is_empty() {
        return Err(DecodeError::EmptyField(field));
    }
    bounded(s, field)
}

fn document_id(fields: &Fields<'_>) -> Result<DocumentId, DecodeError> {
    match fields.document_id {
        Some(DocumentIdField::Text(s)) => Ok(s.parse()?),
        Some(DocumentIdField::Bytes(b)) => Ok(DocumentId::try_from(b)?),
        None => Err(DecodeError::Missing("documentId")),
    }
}

fn non_empty_data(data: Option<&[u8]>) -> Result<Vec<u8>, DecodeError> {
    let data = data.ok_or(DecodeError::Missing("data"))?;
    if data.is_empty() {
        return Err(DecodeError::EmptyField("data"));
    }
    Ok(data.to_vec())
}

fn sync_fields(fields: &Fields<'_>) -> Result<SyncMessage, DecodeError> {
    Ok(SyncMessage {
        sender_id: required_id(fields.sender_id, "senderId")?,
        target_id: required_id(fields.target_id, "targetId")?,
        document_id: document_id(fields)?,
        data: non_empty_data(fields.data)?,
    })
}
