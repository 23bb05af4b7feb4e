//! Codec tests. The `CAPTURED_*` frames were recorded byte for byte from the official
//! `@automerge/automerge-repo` 2.5.6 client (with NodeFS storage, peerId `peer-abc123`)
//! talking to a capturing websocket server; they pin what the real client sends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::document_id::DocumentId;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const CAPTURED_JOIN: &str = "b900046474797065646a6f696e6873656e64657249646b706565722d6162633132336c706565724d65746164617461b900026973746f726167654964782436373335386436632d396538392d346230662d393239312d6462623364323665343330316b6973457068656d6572616cf47819737570706f7274656450726f746f636f6c56657273696f6e73816131";
const CAPTURED_SYNC: &str = "b9000564747970656473796e636874617267657449647373746f726167652d7365727665722d746573746464617461582f42011d6ec993956f2eac3c72d0c1b0cb06bcd5b873b2185a5a33d496ad011f6fe83500010005010a070de2000202846a646f63756d656e744964781c32596776385879786958447a427978574e784b7765376937703345486873656e64657249646b706565722d616263313233";
const CAPTURED_EPHEMERAL: &str = "b90007647479706569657068656d6572616c6874617267657449647373746f726167652d7365727665722d746573746a646f63756d656e744964781c32596776385879786958447a427978574e784b77653769377033454864646174614bb9000166637572736f720765636f756e74016973657373696f6e49646b63307563793363717138746873656e64657249646b706565722d616263313233";
const CAPTURED_REQUEST: &str = "b90005647479706567726571756573746874617267657449647373746f726167652d7365727665722d746573746a646f63756d656e744964781c344e4d4e6e6b4d684c386a5872644a396a616d53353850415664587564646174614a420000010000000202846873656e64657249646b706565722d616263313233";

#[test]
fn decodes_captured_join() {
    let m = decode(&hex(CAPTURED_JOIN)).unwrap();
    assert_eq!(
        m,
        Message::Join {
            sender_id: "peer-abc123".into(),
            metadata: PeerMetadata {
                storage_id: Some("67358d6c-9e89-4b0f-9291-dbb3d26e4301".into()),
                is_ephemeral: Some(false),
            },
            supported_versions: Some(vec!["1".into()]),
        }
    );
}

#[test]
fn decodes_captured_sync_and_its_automerge_payload() {
    let Message::Sync(m) = decode(&hex(CAPTURED_SYNC)).unwrap() else {
        panic!("not a sync message")
    };
    assert_eq!(m.sender_id, "peer-abc123");
    assert_eq!(m.target_id, "storage-server-test");
    assert_eq!(m.document_id.as_str(), "2Ygv8XyxiXDzByxWNxKwe7i7p3EH");
    let sync = automerge::sync::Message::decode(&m.data).unwrap();
    assert_eq!(sync.heads.len(), 1, "a freshly created doc has one head");
}

#[test]
fn decodes_captured_request_with_empty_heads() {
    let Message::Request(m) = decode(&hex(CAPTURED_REQUEST)).unwrap() else {
        panic!("not a request")
    };
    assert_eq!(m.document_id.as_str(), "4NMNnkMhL8jXrdJ9jamS58PAVdXu");
    let sync = automerge::sync::Message::decode(&m.data).unwrap();
    assert!(sync.heads.is_empty());
}

#[test]
fn decodes_captured_ephemeral() {
    let Message::Ephemeral(m) = decode(&hex(CAPTURED_EPHEMERAL)).unwrap() else {
        panic!("not ephemeral")
    };
    assert_eq!(m.sender_id, "peer-abc123");
    assert_eq!(m.session_id, "c0ucy3cqq8t");
    assert_eq!(m.count, 1);
    // The payload is opaque CBOR ({cursor: 7}) and must be relayed byte for byte.
    assert_eq!(m.data, hex("b9000166637572736f7207"));
}

#[test]
fn reference_join_from_the_notes_decodes() {
    // Appendix A of the protocol notes: a join with storage.
    let frame = "b900046474797065646a6f696e6873656e64657249646b706565722d6162633132336c706565724d65746164617461b900026973746f726167654964782433623366376632652d386133342d346335352d396430652d3064316232633364346535666b6973457068656d6572616cf47819737570706f7274656450726f746f636f6c56657273696f6e73816131";
    let Message::Join { metadata, .. } = decode(&hex(frame)).unwrap() else {
        panic!("not a join")
    };
    assert_eq!(
        metadata.storage_id.as_deref(),
        Some("3b3f7f2e-8a34-4c55-9d0e-0d1b2c3d4e5f")
    );
}

#[test]
fn undefined_optional_fields_read_as_absent() {
    // A client without storage sends storageId: undefined (0xf7), isEphemeral: true.
    let frame = "b900046474797065646a6f696e6873656e64657249646b706565722d6162633132336c706565724d65746164617461b900026973746f726167654964f76b6973457068656d6572616cf57819737570706f7274656450726f746f636f6c56657273696f6e73816131";
    let Message::Join { metadata, .. } = decode(&hex(frame)).unwrap() else {
        panic!("not a join")
    };
    assert_eq!(metadata.storage_id, None);
    assert_eq!(metadata.is_ephemeral, Some(true));
}

#[test]
fn float_counts_are_accepted_and_fractional_ones_rejected() {
    let mut m = match decode(&hex(CAPTURED_EPHEMERAL)).unwrap() {
        Message::Ephemeral(m) => m,
        _ => unreachable!(),
    };
    m.count = 5;
    // Re-encode with count as float64 (what cbor-x does above 2^32).
    let mut e = minicbor::Encoder::new(Vec::new());
    e.map(7).unwrap();
    e.str("type").unwrap().str("ephemeral").unwrap();
    e.str("senderId").unwrap().str(&m.sender_id).unwrap();
    e.str("targetId").unwrap().str(&m.target_id).unwrap();
    e.str("documentId")
        .unwrap()
        .str(m.document_id.as_str())
        .unwrap();
    e.str("sessionId").unwrap().str(&m.session_id).unwrap();
    e.str("count").unwrap().f64(5_000_000_000.0).unwrap();
    e.str("data").unwrap().bytes(&m.data).unwrap();
    let Message::Ephemeral(decoded) = decode(e.writer()).unwrap() else {
        panic!()
    };
    assert_eq!(decoded.count, 5_000_000_000);
    let bad = e.writer().clone();
    let pos = bad.windows(9).position(|w| w[0] == 0xfb).unwrap();
    let mut bad = bad;
    bad[pos + 1..pos + 9].copy_from_slice(&1.5f64.to_be_bytes());
    assert!(decode(&bad).is_err());
}

#[test]
fn our_frames_are_minimal_definite_cbor() {
    let peer = encode(&Message::Peer {
        sender_id: "s".into(),
        target_id: "t".into(),
        metadata: PeerMetadata {
            storage_id: Some("id".into()),
            is_ephemeral: Some(false),
        },
    });
    assert_eq!(
        peer,
        hex(concat!(
            "a5",
            "6474797065",
            "6470656572",
            "6873656e6465724964",
            "6173",
            "687461726765744964",
            "6174",
            "7773656c656374656450726f746f636f6c56657273696f6e",
            "6131",
            "6c706565724d65746164617461",
            "a2",
            "6973746f726167654964",
            "626964",
            "6b6973457068656d6572616c",
            "f4"
        ))
    );
    let doc: DocumentId = "4NMNnkMhL8jXrdJ9jamS58PAVdXu".parse().unwrap();
    let unavailable = encode(&Message::DocUnavailable {
        sender_id: "s".into(),
        target_id: "t".into(),
        document_id: doc.clone(),
    });
    assert_eq!(&unavailable[..1], &[0xa4]);
    assert!(matches!(
        decode(&unavailable).unwrap(),
        Message::DocUnavailable { .. }
    ));
    // Small counts are CBOR uints, never 8-byte ints (cbor-x would make those BigInts).
    let eph = encode(&Message::Ephemeral(EphemeralMessage {
        sender_id: "a".into(),
        target_id: "b".into(),
        document_id: doc,
        session_id: "x".into(),
        count: 3,
        data: vec![1],
    }));
    assert!(
        eph.windows(7)
            .any(|w| w == hex("65636f756e7403").as_slice())
    );
}

#[test]
fn every_captured_message_round_trips() {
    for frame in [
        CAPTURED_JOIN,
        CAPTURED_SYNC,
        CAPTURED_EPHEMERAL,
        CAPTURED_REQUEST,
    ] {
        let m = decode(&hex(frame)).unwrap();
        assert_eq!(decode(&encode(&m)).unwrap(), m);
    }
}

#[test]
fn unknown_and_remote_heads_types_are_not_errors() {
    let mut e = minicbor::Encoder::new(Vec::new());
    e.map(2).unwrap();
    e.str("type").unwrap().str("future-thing").unwrap();
    e.str("x")
        .unwrap()
        .array(2)
        .unwrap()
        .u8(1)
        .unwrap()
        .u8(2)
        .unwrap();
    let unknown = decode(e.writer()).unwrap();
    assert!(matches!(&unknown, Message::Unknown { kind } if kind == "future-thing"));
    // Found by fuzzing (frame_decoder): the type name must survive a round trip.
    assert_eq!(decode(&encode(&unknown)).unwrap(), unknown);
    let mut e = minicbor::Encoder::new(Vec::new());
    e.map(4).unwrap();
    e.str("type")
        .unwrap()
        .str("remote-subscription-change")
        .unwrap();
    e.str("senderId").unwrap().str("p").unwrap();
    e.str("targetId").unwrap().str("s").unwrap();
    e.str("remove").unwrap().undefined().unwrap();
    assert!(matches!(
        decode(e.writer()).unwrap(),
        Message::RemoteHeads { .. }
    ));
}

#[test]
fn malformed_frames_are_errors_not_panics() {
    let cases: Vec<Vec<u8>> = vec![
        vec![],
        b"not cbor at all".to_vec(),
        hex("a1"),                                      // map with a missing entry
        hex("80"),                                      // an array, not a map
        hex("a0"),                                      // no type
        hex("a16474797065f6"),                          // type: null
        hex("a1647479706501"),                          // type: 1
        hex("bf6474797065647379"),                      // truncated indefinite map
        hex(&CAPTURED_SYNC[..CAPTURED_SYNC.len() - 8]), // truncated
        [hex(CAPTURED_SYNC), vec![0]].concat(),         // trailing garbage
        hex("5bffffffffffffffff"),                      // absurd byte-string length
        [vec![0x81; 100_000], vec![0]].concat(),        // deep nesting
    ];
    for frame in cases {
        assert!(
            decode(&frame).is_err(),
            "accepted {:02x?}",
            &frame[..frame.len().min(16)]
        );
    }
    // Sync with a path-like document ID, with empty data, and with a spoofable huge id.
    for (doc, data) in [
        ("../../etc", vec![1u8]),
        ("4NMNnkMhL8jXrdJ9jamS58PAVdXu", vec![]),
    ] {
        let mut e = minicbor::Encoder::new(Vec::new());
        e.map(5).unwrap();
        e.str("type").unwrap().str("sync").unwrap();
        e.str("senderId").unwrap().str("p").unwrap();
        e.str("targetId").unwrap().str("s").unwrap();
        e.str("documentId").unwrap().str(doc).unwrap();
        e.str("data").unwrap().bytes(&data).unwrap();
        assert!(decode(e.writer()).is_err(), "accepted doc {doc:?}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn mutated_real_frames_never_panic(index in 0usize..4, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
            let mut frame = hex([CAPTURED_JOIN, CAPTURED_SYNC, CAPTURED_EPHEMERAL, CAPTURED_REQUEST][index]);
            for (pos, byte) in flips {
                let len = frame.len();
                frame[pos % len] = byte;
            }
            let _ = decode(&frame);
        }

        #[test]
        fn sync_messages_round_trip(sender in "[a-z0-9-]{1,40}", data in proptest::collection::vec(any::<u8>(), 1..256)) {
            let m = Message::Sync(SyncMessage {
                sender_id: sender.clone(),
                target_id: "relay".into(),
                document_id: DocumentId::random(),
                data,
            });
            prop_assert_eq!(decode(&encode(&m)).unwrap(), m);
        }
    }
}
