//! [`Message`] → CBOR, in the subset cbor-x reads back exactly: definite-length maps and
//! strings, plain byte strings, minimal unsigned integers (never 8-byte ones, which JS would
//! turn into BigInt for small counters).

use minicbor::Encoder;

use super::message::{EphemeralMessage, Message, PROTOCOL_VERSION, PeerMetadata, SyncMessage};

/// Encodes one message into one frame's bytes.
pub fn encode(message: &Message) -> Vec<u8> {
    let mut e = Encoder::new(Vec::with_capacity(frame_size_hint(message)));
    // Writing into a Vec cannot fail (its write error type is Infallible), so the Results
    // below carry no information; `write` keeps that in one place.
    write(&mut e, message);
    e.into_writer()
}

fn frame_size_hint(message: &Message) -> usize {
    match message {
        Message::Sync(m) | Message::Request(m) => m.data.len() + 128,
        Message::Ephemeral(m) => m.data.len() + 160,
        _ => 128,
    }
}

fn write(e: &mut Encoder<Vec<u8>>, message: &Message) {
    let result = match message {
        Message::Join {
            sender_id,
            metadata,
            supported_versions,
        } => write_join(e, sender_id, metadata, supported_versions.as_deref()),
        Message::Peer {
            sender_id,
            target_id,
            metadata,
        } => e
            .map(5)
            .and_then(|e| e.str("type")?.str("peer"))
            .and_then(|e| e.str("senderId")?.str(sender_id))
            .and_then(|e| e.str("targetId")?.str(target_id))
            .and_then(|e| e.str("selectedProtocolVersion")?.str(PROTOCOL_VERSION))
            .and_then(|e| write_metadata(e.str("peerMetadata")?, metadata))
            .map(drop),
        Message::Leave { sender_id } => e
            .map(2)
            .and_then(|e| e.str("type")?.str("leave"))
            .and_then(|e| e.str("senderId")?.str(sender_id))
            .map(drop),
        Message::Error { message } => e
            .map(2)
            .and_then(|e| e.str("type")?.str("error"))
            .and_then(|e| e.str("message")?.str(message))
            .map(drop),
        Message::Sync(m) => write_sync(e, "sync", m),
        Message::Request(m) => write_sync(e, "request", m),
        Message::DocUnavailable {
            sender_id,
            target_id,
            document_id,
        } => e
            .map(4)
            .and_then(|e| e.str("type")?.str("doc-unavailable"))
            .and_then(|e| e.str("senderId")?.str(sender_id))
            .and_then(|e| e.str("targetId")?.str(target_id))
            .and_then(|e| e.str("documentId")?.str(document_id.as_str()))
            .map(drop),
        Message::Ephemeral(m) => write_ephemeral(e, m),
        // We never send these; encoding them as their bare type keeps the function total.
        Message::RemoteHeads { .. } => e
            .map(1)
            .and_then(|e| e.str("type")?.str(message.kind()))
            .map(drop),
        Message::Unknown { kind } => e.map(1).and_then(|e| e.str("type")?.str(kind)).map(drop),
    };
    if let Err(err) = result {
        // Unreachable for Vec<u8>; logged rather than panicking to honour "never panic".
        tracing::error!(%err, "encoding into memory failed");
    }
}

type EncResult<'a> =
    Result<&'a mut Encoder<Vec<u8>>, minicbor::encode::Error<std::convert::Infallible>>;

fn write_metadata<'a>(e: &'a mut Encoder<Vec<u8>>, metadata: &PeerMetadata) -> EncResult<'a> {
    let len = u64::from(metadata.storage_id.is_some()) + u64::from(metadata.is_ephemeral.is_some());
    e.map(len)?;
    if let Some(storage_id) = &metadata.storage_id {
        e.str("storageId")?.str(storage_id)?;
    }
    if let Some(is_ephemeral) = metadata.is_ephemeral {
        e.str("isEphemeral")?.bool(is_ephemeral)?;
    }
    Ok(e)
}

fn write_join(
    e: &mut Encoder<Vec<u8>>,
    sender_id: &str,
    metadata: &PeerMetadata,
    versions: Option<&[String]>,
) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
    e.map(if versions.is_some() { 4 } else { 3 })?;
    e.str("type")?.str("join")?;
    e.str("senderId")?.str(sender_id)?;
    write_metadata(e.str("peerMetadata")?, metadata)?;
    if let Some(versions) = versions {
        e.str("supportedProtocolVersions")?
            .array(versions.len() as u64)?;
        for v in versions {
            e.str(v)?;
        }
    }
    Ok(())
}

fn write_sync(
    e: &mut Encoder<Vec<u8>>,
    kind: &str,
    m: &SyncMessage,
) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
    e.map(5)?;
    e.str("type")?.str(kind)?;
    e.str("senderId")?.str(&m.sender_id)?;
    e.str("targetId")?.str(&m.target_id)?;
    e.str("documentId")?.str(m.document_id.as_str())?;
    e.str("data")?.bytes(&m.data)?;
    Ok(())
}

fn write_ephemeral(
    e: &mut Encoder<Vec<u8>>,
    m: &EphemeralMessage,
) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
    e.map(7)?;
    e.str("type")?.str("ephemeral")?;
    e.str("senderId")?.str(&m.sender_id)?;
    e.str("targetId")?.str(&m.target_id)?;
    e.str("documentId")?.str(m.document_id.as_str())?;
    e.str("sessionId")?.str(&m.session_id)?;
    e.str("count")?.u64(m.count)?;
    e.str("data")?.bytes(&m.data)?;
    Ok(())
}
