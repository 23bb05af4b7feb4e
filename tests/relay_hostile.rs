//! Hundreds of hostile inputs against a live relay while a well-behaved peer keeps editing.
//! Afterwards the relay is healthy, the document is intact and nothing grew past its bounds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use caucus_relay::DocumentId;
use caucus_relay::protocol::{Message, PeerMetadata, SyncMessage, encode};
use caucus_tests::*;
use futures_util::{SinkExt, StreamExt};
use minicbor::Encoder;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Deterministic pseudo-random bytes (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A CBOR map built field by field (values may be of any, wrong, type).
fn map(fields: &[(&str, Value)]) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    e.map(fields.len() as u64).unwrap();
    for (k, v) in fields {
        e.str(k).unwrap();
        match v {
            Value::Str(s) => e.str(s).unwrap(),
            Value::Bytes(b) => e.bytes(b).unwrap(),
            Value::Int(i) => e.i64(*i).unwrap(),
            Value::Null => e.null().unwrap(),
            Value::Array => e.array(0).unwrap(),
        };
    }
    e.into_writer()
}

#[derive(Clone)]
enum Value {
    Str(String),
    Bytes(Vec<u8>),
    Int(i64),
    Null,
    Array,
}

use Value::*;

/// One hostile input: what to send after (optionally) joining.
struct Attack {
    join_first: bool,
    frames: Vec<WsMessage>,
}

fn attacks(rng: &mut Rng, doc: &DocumentId) -> Vec<Attack> {
    let mut out = Vec::new();
    let bin = |b: Vec<u8>| WsMessage::Binary(b.into());
    let d = doc.to_string();
    // Random bytes, before and after join.
    for len in [1usize, 2, 3, 8, 64, 500, 4096, 70_000] {
        for join_first in [false, true] {
            out.push(Attack {
                join_first,
                frames: vec![bin(rng.bytes(len))],
            });
        }
    }
    // Wrong types and missing fields for every message type.
    let me = "HOSTILE".to_string();
    let wrong_values = [Int(1), Null, Array, Bytes(vec![1, 2]), Str(String::new())];
    for kind in [
        "join",
        "sync",
        "request",
        "ephemeral",
        "doc-unavailable",
        "leave",
        "peer",
        "error",
    ] {
        for field in [
            "type",
            "senderId",
            "targetId",
            "documentId",
            "data",
            "sessionId",
            "count",
        ] {
            for wrong in &wrong_values {
                let mut fields = vec![
                    ("type", Str(kind.into())),
                    ("senderId", Str(me.clone())),
                    ("targetId", Str("relay".into())),
                    ("documentId", Str(d.clone())),
                    ("data", Bytes(vec![0x42, 0, 0, 0, 0])),
                    ("sessionId", Str("s".into())),
                    ("count", Int(1)),
                ];
                if let Some(slot) = fields.iter_mut().find(|(k, _)| *k == field) {
                    slot.1 = wrong.clone();
                }
                out.push(Attack {
                    join_first: kind != "join",
                    frames: vec![bin(map(&fields))],
                });
            }
        }
    }
    // Bad document IDs, including path-like ones.
    for bad in [
        "",
        "../../etc/passwd",
        "/tmp/x",
        "..",
        "4NMNnkMhL8jXrdJ9jamS58PAVdXv",
        "0OIl0OIl",
        &"z".repeat(5000),
    ] {
        out.push(Attack {
            join_first: true,
            frames: vec![bin(map(&[
                ("type", Str("request".into())),
                ("senderId", Str(me.clone())),
                ("targetId", Str("relay".into())),
                ("documentId", Str(bad.into())),
                ("data", Bytes(vec![0x42, 0, 0, 0, 0])),
            ]))],
        });
    }
    // Random bytes as sync data in a valid envelope, for the real document.
    for len in [1usize, 5, 40, 300, 5000] {
        let mut data = rng.bytes(len);
        data[0] = [0x42, 0x43][len % 2];
        out.push(Attack {
            join_first: true,
            frames: vec![bin(encode(&Message::Sync(SyncMessage {
                sender_id: me.clone(),
                target_id: "relay".into(),
                document_id: doc.clone(),
                data,
            })))],
        });
    }
    // Sync messages whose bloom filter would crash automerge 0.12 (zero width: division by
    // zero; 2^32-1 probes: a 16 GiB allocation that aborts the process).
    for bloom in [
        vec![1u8, 0, 7],
        vec![1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0],
    ] {
        let mut data = vec![0x42, 0, 0, 1, 0, bloom.len() as u8];
        data.extend_from_slice(&bloom);
        data.push(0);
        out.push(Attack {
            join_first: true,
            frames: vec![bin(encode(&Message::Sync(SyncMessage {
                sender_id: me.clone(),
                target_id: "relay".into(),
                document_id: doc.clone(),
                data,
            })))],
        });
    }
    // Protocol abuse: text frames, second join, spoofed sender, message before join.
    out.push(Attack {
        join_first: false,
        frames: vec![WsMessage::Text("{\"type\":\"join\"}".into())],
    });
    out.push(Attack {
        join_first: true,
        frames: vec![WsMessage::Text("hello".into())],
    });
    out.push(Attack {
        join_first: true,
        frames: vec![bin(encode(&Message::Join {
            sender_id: me.clone(),
            metadata: PeerMetadata::default(),
            supported_versions: None,
        }))],
    });
    out.push(Attack {
        join_first: true,
        frames: vec![bin(encode(&Message::Sync(SyncMessage {
            sender_id: "good-editor".into(),
            target_id: "relay".into(),
            document_id: doc.clone(),
            data: vec![0x42, 0, 0, 0, 0],
        })))],
    });
    out.push(Attack {
        join_first: false,
        frames: vec![bin(encode(&Message::Sync(SyncMessage {
            sender_id: me.clone(),
            target_id: "relay".into(),
            document_id: doc.clone(),
            data: vec![0x42, 0, 0, 0, 0],
        })))],
    });
    // Deep nesting and huge declared lengths.
    out.push(Attack {
        join_first: true,
        frames: vec![bin([vec![0x81; 200_000], vec![0]].concat())],
    });
    out.push(Attack {
        join_first: true,
        frames: vec![bin(vec![
            0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ])],
    });
    out
}

/// Runs one attack on its own connection; `peer_id` must be 7 bytes long.
async fn run_attack(url: String, attack: Attack, peer_id: String) -> bool {
    assert_eq!(peer_id.len(), 7);
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(&url).await else {
        return false;
    };
    if attack.join_first {
        let join = encode(&Message::Join {
            sender_id: peer_id.clone(),
            metadata: PeerMetadata::default(),
            supported_versions: Some(vec!["1".into()]),
        });
        if socket.send(WsMessage::Binary(join.into())).await.is_err() {
            return false;
        }
    }
    for frame in attack.frames {
        let frame = match frame {
            WsMessage::Binary(b) => {
                // Frames name their sender "HOSTILE"; swap in this connection's own 7-character
                // peer ID (same length, so the CBOR stays well-formed) to get past the
                // sender check and reach the deeper code.
                let mut b = b.to_vec();
                let mut i = 0;
                while i + 7 <= b.len() {
                    if &b[i..i + 7] == b"HOSTILE" {
                        b[i..i + 7].copy_from_slice(peer_id.as_bytes());
                        i += 7;
                    } else {
                        i += 1;
                    }
                }
                WsMessage::Binary(b.into())
            }
            other => other,
        };
        if socket.send(frame).await.is_err() {
            break;
        }
    }
    // The relay closes the connection on anything malformed; well-formed leftovers (a valid
    // but pointless message) keep it open, and the attacker gives up after a moment.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(frame)) = socket.next().await {
            if frame.is_close() {
                break;
            }
        }
    })
    .await;
    true
}

fn metric(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_inputs_never_hurt_the_relay_or_other_peers() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = caucus_relay::Config::for_data_dir(dir.path());
    // Let the whole flood in, so its junk is really read (the default cap would turn most of
    // it away with 429 before a byte is decoded, which is tested elsewhere).
    config.max_connections_per_token = 512;
    let relay = TestRelay::start_with(config).await?;
    let url = relay.ws_url();
    let id = DocumentId::random();

    // A well-behaved editor keeps editing throughout.
    let mut editor = Peer::connect(&url, "good-editor").await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(1));
    editor
        .sync_until_quiet(&mut doc, Duration::from_millis(200))
        .await?;
    let stop = Arc::new(AtomicBool::new(false));
    let edits = Arc::new(AtomicUsize::new(0));
    let editor_task = {
        let (stop, edits) = (stop.clone(), edits.clone());
        tokio::spawn(async move {
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                add_change(&mut doc.doc, "n", n);
                n += 1;
                editor
                    .sync_until_quiet(&mut doc, Duration::from_millis(20))
                    .await?;
                edits.fetch_add(1, Ordering::Relaxed);
            }
            editor
                .sync_until_quiet(&mut doc, Duration::from_millis(300))
                .await?;
            anyhow::Ok((editor, doc))
        })
    };

    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let attacks = attacks(&mut rng, &id);
    let mut tried = attacks.len();
    // Each case on its own connection, 50 at a time.
    let mut running = Vec::new();
    for (i, attack) in attacks.into_iter().enumerate() {
        running.push(tokio::spawn(run_attack(
            url.clone(),
            attack,
            format!("h{i:06}"),
        )));
        if running.len() == 50 {
            for r in running.drain(..) {
                r.await?;
            }
        }
    }
    for r in running {
        r.await?;
    }
    // A 64 MiB frame of junk.
    run_attack(
        url.clone(),
        Attack {
            join_first: true,
            frames: vec![WsMessage::Binary(vec![0xa5; 64 * 1024 * 1024].into())],
        },
        "big0000".into(),
    )
    .await;
    tried += 1;
    // A flood of 200 connections sending junk at once.
    let flood: Vec<_> = (0..200)
        .map(|i| {
            let junk = rng.bytes(32 + (i % 7) * 100);
            tokio::spawn(run_attack(
                url.clone(),
                Attack {
                    join_first: i % 2 == 0,
                    frames: vec![WsMessage::Binary(junk.into())],
                },
                format!("f{i:06}"),
            ))
        })
        .collect();
    for f in flood {
        f.await?;
    }
    tried += 200;

    stop.store(true, Ordering::Relaxed);
    let (_editor, doc) = tokio::time::timeout(Duration::from_secs(30), editor_task).await???;
    eprintln!(
        "hostile inputs tried: {tried}; editor changes meanwhile: {}",
        edits.load(Ordering::Relaxed)
    );
    assert!(tried >= 300, "only {tried} hostile inputs");
    assert!(
        edits.load(Ordering::Relaxed) > 0,
        "the editor made no progress"
    );

    let (status, _) = relay.get("/healthz").await?;
    assert_eq!(status, 200);
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(
        stored.get_heads(),
        doc.doc.get_heads(),
        "document damaged or behind"
    );

    // Bounds: every hostile connection is gone and nothing is left loaded for them.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let (_, metrics) = relay.metrics().await?;
        let connections = metric(&metrics, "caucus_connections");
        let loaded = metric(&metrics, "caucus_documents_loaded");
        if connections <= 1.0 && loaded <= 2.0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "left behind: {connections} connections, {loaded} documents"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rss_kib: u64 = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    assert!(
        rss_kib < 1024 * 1024,
        "test process RSS {rss_kib} KiB after the attack"
    );
    relay.stop().await
}
