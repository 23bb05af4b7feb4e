//! The test vectors shared with TypeScript (`tests/fixtures/sealed-vectors.json`, read by
//! `web/tests/sealed-vectors.test.ts`): device keys, content keys, envelopes and file
//! envelopes byte for byte, and a membership chain whose boxes each side must open, with a file
//! sealed in each of its epochs (the removed phone opens only the first). `UPDATE_FIXTURES=1
//! cargo test -p caucus-sealed vectors` writes a new file; without it the file is checked.
//!
//! The other direction: `tests/fixtures/sealed-vectors-ts.json` is written by TypeScript
//! (`UPDATE_FIXTURES=1 npx vitest run tests/sealed-vectors.test.ts` in web/) and replayed and
//! opened here by [`typescript_vectors`].

use std::path::PathBuf;

use caucus_sealed::envelope::EnvelopeHeader;
use caucus_sealed::files::seal_file_with_nonce;
use caucus_sealed::keyring::{self, Keyring};
use caucus_sealed::ops::doc_id_for;
use caucus_sealed::{
    DeviceId, DeviceSecret, DocId, Envelope, EnvelopeKind, EpochKey, Membership, SealedError,
    file_hash, open_file,
};
use serde_json::{Value, json};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sealed-vectors.json")
}

fn typescript_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sealed-vectors-ts.json")
}

fn seed(n: u8) -> [u8; 32] {
    std::array::from_fn(|i| n.wrapping_mul(31).wrapping_add(i as u8))
}

fn devices() -> Value {
    let list: Vec<Value> = (1..=3)
        .map(|n| {
            let secret = DeviceSecret::from_bytes(seed(n));
            let keys = secret.keys();
            json!({
                "seed": hex::encode(seed(n)),
                "signingPublic": hex::encode(keys.id().signing_key()),
                "agreementPublic": hex::encode(keys.id().agreement_key()),
                "deviceId": keys.id().to_string(),
                "short": keys.id().short(),
                "recoveryKey": secret.to_recovery_text(),
            })
        })
        .collect();
    Value::Array(list)
}

fn envelopes(doc: &DocId) -> Result<Value, SealedError> {
    let author = DeviceSecret::from_bytes(seed(1)).keys();
    let epoch_key = EpochKey::from_bytes([0x42; 32]);
    let content = epoch_key.content_key(doc);
    let cases = [
        (EnvelopeKind::Change, 3u64, 7u64, "changes: Brazil supports"),
        (EnvelopeKind::Snapshot, 3, 120, ""),
    ];
    let mut out = Vec::new();
    for (i, (kind, epoch, number, text)) in cases.into_iter().enumerate() {
        let nonce: [u8; 24] = std::array::from_fn(|j| (i * 24 + j) as u8);
        let header = EnvelopeHeader {
            kind,
            doc: *doc,
            epoch,
            number,
        };
        let envelope =
            Envelope::seal_with_nonce(header, &author, &content, text.as_bytes(), nonce)?;
        out.push(json!({
            "authorSeed": hex::encode(seed(1)),
            "epochKey": hex::encode(epoch_key.as_bytes()),
            "kind": kind as u8, "epoch": epoch, "number": number,
            "nonce": hex::encode(nonce),
            "plaintext": hex::encode(text.as_bytes()),
            "envelope": hex::encode(envelope.as_bytes()),
        }));
    }
    Ok(json!({
        "doc": doc.to_string(),
        "contentKey": hex::encode(content_key_bytes(&epoch_key, doc)?),
        "cases": out,
    }))
}

/// File envelopes (kind 3) with fixed nonces: a small text, an empty file, every byte value.
fn files(doc: &DocId) -> Result<Value, SealedError> {
    let author = DeviceSecret::from_bytes(seed(2)).keys();
    let epoch_key = EpochKey::from_bytes([0x43; 32]);
    let content = epoch_key.content_key(doc);
    let plaintexts: [Vec<u8>; 3] = [
        b"%PDF-1.7 Res 102 (Rev. 1)\n".to_vec(),
        Vec::new(),
        (0..=255u8).collect(),
    ];
    let mut out = Vec::new();
    for (i, plaintext) in plaintexts.iter().enumerate() {
        let nonce: [u8; 24] = std::array::from_fn(|j| (0xa0 + i * 24 + j) as u8);
        let envelope = seal_file_with_nonce(*doc, 4, &author, &content, plaintext, nonce)?;
        out.push(json!({
            "authorSeed": hex::encode(seed(2)),
            "epoch": 4,
            "nonce": hex::encode(nonce),
            "plaintext": hex::encode(plaintext),
            "envelope": hex::encode(&envelope),
            "hash": file_hash(&envelope),
        }));
    }
    Ok(json!({
        "doc": doc.to_string(),
        "epochKey": hex::encode(epoch_key.as_bytes()),
        "cases": out,
    }))
}

/// A keyring holding one given key (a device's own boxes are not needed to open a vector).
fn ring_with(doc: DocId, epoch: u64, key: EpochKey) -> Result<Keyring, SealedError> {
    let mut ring = Keyring::open(&DeviceSecret::from_bytes(seed(7)).keys(), doc, &[])?;
    ring.insert(epoch, key);
    Ok(ring)
}

/// The content key's bytes, read back through an envelope we can open (the type hides them).
fn content_key_bytes(key: &EpochKey, doc: &DocId) -> Result<[u8; 32], SealedError> {
    use hkdf::Hkdf;
    let mut out = [0u8; 32];
    Hkdf::<sha2::Sha256>::new(Some(doc.as_bytes()), key.as_bytes())
        .expand(b"caucus/sealed/v1/content", &mut out)
        .map_err(|_| SealedError::Decrypt("hkdf"))?;
    Ok(out)
}

fn chain() -> Result<Value, SealedError> {
    let (ana, maria, phone) = (
        DeviceSecret::from_bytes(seed(1)).keys(),
        DeviceSecret::from_bytes(seed(2)).keys(),
        DeviceSecret::from_bytes(seed(3)).keys(),
    );
    let recovery = DeviceSecret::from_bytes(seed(9)).keys();
    let key0 = EpochKey::from_bytes([0x10; 32]);
    let genesis = keyring::create_with(&ana, recovery.id(), 1_700_000_000_000, [0x55; 16], &key0)?;
    let mut state = Membership::from_genesis(&genesis)?;
    let mut ops = vec![genesis];
    let ana_keys = Keyring::open(&ana, state.doc(), &ops)?;
    for device in [&maria, &phone] {
        let op = keyring::add(&state, &ana_keys, &ana, device.id(), 1_700_000_000_001)?;
        state.apply(&op)?;
        ops.push(op);
    }
    let (removal, key1) = keyring::remove(&state, &maria, phone.id(), 1_700_000_000_002)?;
    state.apply(&removal)?;
    ops.push(removal);
    // A file sealed in each epoch (random nonces: checked by opening, not regenerated).
    let mut files = Vec::new();
    for (epoch, author, key, text) in [
        (0u64, &ana, &key0, "file of epoch 0: the phone was a member"),
        (
            1,
            &maria,
            &key1,
            "file of epoch 1: after the phone's removal",
        ),
    ] {
        let envelope = caucus_sealed::seal_file(
            state.doc(),
            epoch,
            author,
            &key.content_key(&state.doc()),
            text.as_bytes(),
        )?;
        files.push(json!({
            "epoch": epoch,
            "plaintext": hex::encode(text.as_bytes()),
            "envelope": hex::encode(&envelope),
            "hash": file_hash(&envelope),
        }));
    }
    Ok(json!({
        "seeds": {"ana": hex::encode(seed(1)), "maria": hex::encode(seed(2)), "phone": hex::encode(seed(3)), "recovery": hex::encode(seed(9))},
        "genesisNonce": hex::encode([0x55; 16]),
        "doc": state.doc().to_string(),
        "ops": ops.iter().map(|op| hex::encode(op.as_bytes())).collect::<Vec<_>>(),
        "epoch": state.epoch(),
        "members": state.members().map(ToString::to_string).collect::<Vec<_>>(),
        "epochKeys": {"0": hex::encode(key0.as_bytes()), "1": hex::encode(key1.as_bytes())},
        "phoneReads": [0],
        "files": files,
        "head": state.head(),
    }))
}

fn bytes_of(value: &Value) -> Vec<u8> {
    value
        .as_str()
        .and_then(|s| hex::decode(s).ok())
        .unwrap_or_default()
}

/// Everything a side must agree with, checked from the file (boxes use fresh randomness, so
/// the chain is checked by replaying and opening, not by regenerating).
fn check(file: &Value) -> Result<(), SealedError> {
    assert_eq!(file["devices"], devices(), "device keys");
    let doc: DocId = file["envelopes"]["doc"]
        .as_str()
        .unwrap_or_default()
        .parse()?;
    assert_eq!(
        file["envelopes"],
        envelopes(&doc)?,
        "envelopes are deterministic"
    );
    for case in file["envelopes"]["cases"].as_array().into_iter().flatten() {
        let envelope = Envelope::parse(&bytes_of(&case["envelope"]))?;
        let key = EpochKey::from_bytes(
            <[u8; 32]>::try_from(bytes_of(&case["epochKey"]).as_slice()).unwrap_or_default(),
        );
        assert_eq!(
            envelope.open(&key.content_key(&doc))?,
            bytes_of(&case["plaintext"])
        );
    }
    assert_eq!(
        file["files"],
        files(&doc)?,
        "file envelopes are deterministic"
    );
    let file_key =
        <[u8; 32]>::try_from(bytes_of(&file["files"]["epochKey"]).as_slice()).unwrap_or_default();
    let ring = ring_with(doc, 4, EpochKey::from_bytes(file_key))?;
    for case in file["files"]["cases"].as_array().into_iter().flatten() {
        let hash = case["hash"].as_str().unwrap_or_default();
        let opened = open_file(&ring, &bytes_of(&case["envelope"]), hash)?;
        assert_eq!(opened, bytes_of(&case["plaintext"]));
    }
    let chain = &file["chain"];
    let ops: Vec<Vec<u8>> = chain["ops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(bytes_of)
        .collect();
    let (state, parsed) = Membership::replay(ops.iter().map(Vec::as_slice))?;
    assert_eq!(
        state.doc().to_string(),
        chain["doc"].as_str().unwrap_or_default()
    );
    assert_eq!(state.doc(), doc_id_for(&parsed[0].op.by, &[0x55; 16]));
    assert_eq!(state.epoch(), chain["epoch"].as_u64().unwrap_or(99));
    assert_eq!(state.head(), chain["head"].as_str().unwrap_or_default());
    for (name, epochs) in [
        ("ana", vec![0, 1]),
        ("maria", vec![0, 1]),
        ("recovery", vec![0, 1]),
        ("phone", vec![0]),
    ] {
        let device = DeviceSecret::from_bytes(
            <[u8; 32]>::try_from(bytes_of(&chain["seeds"][name]).as_slice()).unwrap_or_default(),
        )
        .keys();
        let ring = Keyring::open(&device, state.doc(), &parsed)?;
        for sealed in chain["files"].as_array().into_iter().flatten() {
            let hash = sealed["hash"].as_str().unwrap_or_default();
            let opened = open_file(&ring, &bytes_of(&sealed["envelope"]), hash);
            let epoch = sealed["epoch"].as_u64().unwrap_or(99);
            if epochs.contains(&epoch) {
                assert_eq!(
                    opened?,
                    bytes_of(&sealed["plaintext"]),
                    "{name} file {epoch}"
                );
            } else {
                assert_eq!(
                    opened,
                    Err(SealedError::NoKey(epoch)),
                    "{name} file {epoch}"
                );
            }
        }
        for epoch in epochs {
            assert_eq!(
                hex::encode(ring.key(epoch)?.as_bytes()),
                chain["epochKeys"][epoch.to_string()]
                    .as_str()
                    .unwrap_or_default(),
                "{name} epoch {epoch}"
            );
        }
    }
    Ok(())
}

#[test]
fn vectors() -> Result<(), Box<dyn std::error::Error>> {
    let path = fixture();
    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|v| v == "1") {
        let doc = doc_id_for(DeviceSecret::from_bytes(seed(1)).keys().id(), &[0x55; 16]);
        let file = json!({
            "about": "docs/sealed.md test vectors, written by crates/sealed/tests/vectors.rs; TypeScript: web/tests/sealed-vectors.test.ts",
            "devices": devices(),
            "envelopes": envelopes(&doc)?,
            "files": files(&doc)?,
            "chain": chain()?,
        });
        std::fs::write(&path, serde_json::to_string_pretty(&file)? + "\n")?;
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e}; run UPDATE_FIXTURES=1 cargo test -p caucus-sealed vectors",
            path.display()
        )
    })?;
    check(&serde_json::from_str(&text)?)?;
    Ok(())
}

/// The chain and envelopes TypeScript wrote: the chain replays under the same rules to the same
/// state, its JSON is byte for byte what serde writes for the same operation, every device opens
/// the epoch keys it should (the removed phone only epoch 0) and every envelope opens to its text.
#[test]
fn typescript_vectors() -> Result<(), Box<dyn std::error::Error>> {
    let path = typescript_fixture();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e}; in web/ run UPDATE_FIXTURES=1 npx vitest run tests/sealed-vectors.test.ts",
            path.display()
        )
    })?;
    let file: Value = serde_json::from_str(&text)?;
    let ops: Vec<Vec<u8>> = file["ops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(bytes_of)
        .collect();
    assert_eq!(ops.len(), 4, "genesis, two adds, a removal");
    let (state, parsed) = Membership::replay(ops.iter().map(Vec::as_slice))?;
    assert_eq!(
        state.doc().to_string(),
        file["doc"].as_str().unwrap_or_default()
    );
    let nonce = <[u8; 16]>::try_from(bytes_of(&file["genesisNonce"]).as_slice())?;
    assert_eq!(state.doc(), doc_id_for(&parsed[0].op.by, &nonce));
    assert_eq!(state.epoch(), file["epoch"].as_u64().unwrap_or(99));
    assert_eq!(state.head(), file["head"].as_str().unwrap_or_default());
    let members: Vec<String> = state.members().map(ToString::to_string).collect();
    assert_eq!(Value::from(members), file["members"]);
    for (signed, bytes) in parsed.iter().zip(&ops) {
        let written = &bytes[40..bytes.len() - 64];
        assert_eq!(
            serde_json::to_vec(&signed.op)?,
            written,
            "TypeScript writes serde's field and box order"
        );
    }

    let secret = |name: &str| -> Result<DeviceSecret, Box<dyn std::error::Error>> {
        let seed = <[u8; 32]>::try_from(bytes_of(&file["seeds"][name]).as_slice())?;
        Ok(DeviceSecret::from_bytes(seed))
    };
    for (name, epochs) in file["reads"].as_object().into_iter().flatten() {
        let device = secret(name)?.keys();
        assert_eq!(
            device.id().to_string(),
            file["devices"][name].as_str().unwrap_or_default()
        );
        let ring = Keyring::open(&device, state.doc(), &parsed)?;
        let epochs: Vec<u64> = epochs
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .collect();
        for epoch in &epochs {
            assert_eq!(
                hex::encode(ring.key(*epoch)?.as_bytes()),
                file["epochKeys"][epoch.to_string()]
                    .as_str()
                    .unwrap_or_default(),
                "{name} epoch {epoch}"
            );
        }
        assert_eq!(ring.latest_epoch(), epochs.iter().max().copied(), "{name}");
    }
    let phone: DeviceId = file["devices"]["phone"]
        .as_str()
        .unwrap_or_default()
        .parse()?;
    assert_eq!(state.removed_at(&phone), Some(1));

    let recovery_ring = Keyring::open(&secret("recovery")?.keys(), state.doc(), &parsed)?;
    let cases = file["envelopes"].as_array().cloned().unwrap_or_default();
    assert!(!cases.is_empty());
    for case in cases {
        let envelope = Envelope::parse(&bytes_of(&case["envelope"]))?;
        let author: DeviceId = file["devices"][case["author"].as_str().unwrap_or_default()]
            .as_str()
            .unwrap_or_default()
            .parse()?;
        assert_eq!(&envelope.author, author.signing_key());
        assert_eq!(envelope.doc, state.doc());
        assert_eq!(Some(envelope.kind as u64), case["kind"].as_u64());
        assert_eq!(Some(envelope.epoch), case["epoch"].as_u64());
        assert_eq!(Some(envelope.number), case["number"].as_u64());
        assert!(state.was_member_in(&envelope.author, envelope.epoch));
        let plain = envelope.open(&recovery_ring.content_key(envelope.epoch)?)?;
        assert_eq!(plain, bytes_of(&case["plaintext"]));
    }
    let rings = [
        ("recovery", recovery_ring),
        (
            "phone",
            Keyring::open(&secret("phone")?.keys(), state.doc(), &parsed)?,
        ),
    ];
    typescript_files(&file, state.doc(), &rings)
}

/// The file envelopes TypeScript wrote: the same bytes when sealed here with their nonce, named
/// by their SHA-256, opened by the recovery device, and by the removed phone only in epoch 0.
fn typescript_files(
    file: &Value,
    doc: DocId,
    rings: &[(&str, Keyring)],
) -> Result<(), Box<dyn std::error::Error>> {
    let cases = file["files"].as_array().cloned().unwrap_or_default();
    assert!(cases.len() >= 2, "TypeScript wrote a file in each epoch");
    for case in cases {
        let bytes = bytes_of(&case["envelope"]);
        let hash = case["hash"].as_str().unwrap_or_default();
        assert_eq!(file_hash(&bytes), hash);
        let epoch = case["epoch"].as_u64().unwrap_or(99);
        let plaintext = bytes_of(&case["plaintext"]);
        let author = file["seeds"][case["author"].as_str().unwrap_or_default()].clone();
        let author = DeviceSecret::from_bytes(<[u8; 32]>::try_from(bytes_of(&author).as_slice())?);
        let nonce = <[u8; 24]>::try_from(bytes_of(&case["nonce"]).as_slice())?;
        let content = rings[0].1.content_key(epoch)?;
        let again = seal_file_with_nonce(doc, epoch, &author.keys(), &content, &plaintext, nonce)?;
        assert_eq!(again, bytes, "the same file envelope, byte for byte");
        for (name, ring) in rings {
            let opened = open_file(ring, &bytes, hash);
            let reads = file["reads"][*name].as_array().cloned().unwrap_or_default();
            if reads.contains(&Value::from(epoch)) {
                assert_eq!(opened?, plaintext, "{name} file of epoch {epoch}");
            } else {
                assert_eq!(
                    opened,
                    Err(SealedError::NoKey(epoch)),
                    "{name} epoch {epoch}"
                );
            }
        }
    }
    Ok(())
}
