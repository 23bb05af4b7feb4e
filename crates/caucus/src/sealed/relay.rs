//! The relay's sealed API (docs/sealed.md) from the CLI: blocking HTTP with the token in the
//! `Authorization` header, JSON bodies with base64 bytes, refusals turned into errors that keep
//! the relay's `reason` (the callers act on `sequence`, `stale-epoch`, `conflict`).

use std::collections::BTreeMap;

use anyhow::Context;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::target;

/// A relay and the token to reach it.
pub(crate) struct SealedRelay {
    base: String,
    token: String,
}

/// A refusal: the relay's `reason` code and message.
#[derive(Debug, thiserror::Error)]
#[error("the relay refused it ({status}, {reason}): {message}")]
pub(crate) struct Refused {
    pub(crate) status: u16,
    pub(crate) reason: String,
    pub(crate) message: String,
}

/// `GET /api/sealed/{doc}`, decoded.
#[derive(Debug, Default)]
pub(crate) struct Fetched {
    pub(crate) head: u64,
    pub(crate) epoch: u64,
    pub(crate) op_count: u64,
    pub(crate) ops: Vec<Vec<u8>>,
    /// `(cover, epoch, bytes)`.
    pub(crate) snapshot: Option<(u64, u64, Vec<u8>)>,
    pub(crate) entries: Vec<(u64, Vec<u8>)>,
    pub(crate) seqs: BTreeMap<String, u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadAnswer {
    head: u64,
    epoch: u64,
    op_count: u64,
    ops: Vec<String>,
    snapshot: Option<SnapshotAnswer>,
    entries: Vec<EntryAnswer>,
    seqs: BTreeMap<String, u64>,
}

#[derive(Deserialize)]
struct SnapshotAnswer {
    cover: u64,
    epoch: u64,
    bytes: String,
}

#[derive(Deserialize)]
struct EntryAnswer {
    offset: u64,
    bytes: String,
}

fn decode(text: &str) -> anyhow::Result<Vec<u8>> {
    BASE64.decode(text).context("the relay sent bad base64")
}

impl SealedRelay {
    pub(crate) fn new(server: &str, token: &str) -> Self {
        SealedRelay {
            base: server.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        }
    }

    fn answer(&self, response: ureq::http::Response<ureq::Body>) -> anyhow::Result<Value> {
        let status = response.status().as_u16();
        let mut response = response;
        let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let text = |key: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Err(Refused {
            status,
            reason: text("reason"),
            message: text("error"),
        }
        .into())
    }

    fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let response = target::agent()
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .send_json(body)
            .with_context(|| format!("reaching {}", self.base))?;
        self.answer(response)
    }

    /// Everything after `after` (all of it when `None`), following pages to the head.
    pub(crate) fn fetch(&self, doc: &str, after: Option<u64>) -> anyhow::Result<Fetched> {
        let mut fetched = Fetched::default();
        let mut cursor = after;
        loop {
            let mut request = target::agent()
                .get(format!("{}/api/sealed/{doc}", self.base))
                .header("Authorization", format!("Bearer {}", self.token))
                .query("ops", fetched.ops.len().to_string());
            if let Some(after) = cursor {
                request = request.query("after", after.to_string());
            }
            let response = request
                .call()
                .with_context(|| format!("reaching {}", self.base))?;
            let answer: ReadAnswer =
                serde_json::from_value(self.answer(response)?).context("the relay's answer")?;
            for op in &answer.ops {
                fetched.ops.push(decode(op)?);
            }
            if let Some(s) = answer.snapshot {
                fetched.snapshot = Some((s.cover, s.epoch, decode(&s.bytes)?));
            }
            for entry in &answer.entries {
                fetched.entries.push((entry.offset, decode(&entry.bytes)?));
            }
            (fetched.head, fetched.epoch, fetched.op_count, fetched.seqs) =
                (answer.head, answer.epoch, answer.op_count, answer.seqs);
            let last = fetched.entries.last().map(|(offset, _)| *offset);
            match last {
                Some(last) if last < fetched.head && !answer.entries.is_empty() => {
                    cursor = Some(last)
                }
                _ => return Ok(fetched),
            }
        }
    }

    pub(crate) fn create(&self, op: &[u8], snapshot: &[u8]) -> anyhow::Result<String> {
        let answer = self.post(
            "/api/sealed",
            &json!({"op": BASE64.encode(op), "snapshot": BASE64.encode(snapshot)}),
        )?;
        answer
            .get("doc")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .context("the relay did not name the document")
    }

    pub(crate) fn append(&self, doc: &str, envelopes: &[Vec<u8>]) -> anyhow::Result<Value> {
        let envelopes: Vec<String> = envelopes.iter().map(|e| BASE64.encode(e)).collect();
        self.post(
            &format!("/api/sealed/{doc}/log"),
            &json!({"envelopes": envelopes}),
        )
    }

    pub(crate) fn snapshot(&self, doc: &str, envelope: &[u8]) -> anyhow::Result<Value> {
        self.post(
            &format!("/api/sealed/{doc}/snapshot"),
            &json!({"envelope": BASE64.encode(envelope)}),
        )
    }

    pub(crate) fn members(
        &self,
        doc: &str,
        op: &[u8],
        snapshot: Option<&[u8]>,
    ) -> anyhow::Result<Value> {
        let snapshot = snapshot.map(|s| BASE64.encode(s));
        self.post(
            &format!("/api/sealed/{doc}/members"),
            &json!({"op": BASE64.encode(op), "snapshot": snapshot}),
        )
    }
}
