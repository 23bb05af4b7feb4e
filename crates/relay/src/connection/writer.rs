//! The write side of one connection: it owns the sink, drains the connection's bounded queue,
//! pings on an interval, and when the connection is closed for a reason sends an `error`
//! message and a close frame.
//!
//! A peer whose TCP window stays full (a frozen link) would block a send forever, and with it
//! the ping check: a send that cannot finish in two ping intervals means the peer is gone, like
//! a missing pong.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, close_code};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::reader::elapsed_ms;
use crate::connections::ConnectionCounters;
use crate::metrics::{CloseReason, Metrics};
use crate::outbox::{Closer, Frame};
use crate::protocol::{self, Message};

type Sink = SplitSink<WebSocket, WsMessage>;

/// Most queued frames written with one flush (bounds the time between flushes).
const MAX_FRAMES_PER_FLUSH: usize = 64;

/// One connection's writer task.
pub(super) struct Writer {
    pub(super) sink: Sink,
    pub(super) closer: Closer,
    pub(super) metrics: Metrics,
    pub(super) counters: Arc<ConnectionCounters>,
    pub(super) ping_interval: Duration,
    /// When a frame last arrived (ms since `started`), kept by the reader.
    pub(super) last_heard: Arc<AtomicU64>,
    pub(super) started: Instant,
    pub(super) shutdown: CancellationToken,
}

impl Writer {
    /// Runs until the connection closes, then says goodbye.
    pub(super) async fn run(mut self, frames: mpsc::Receiver<Frame>) {
        if self.pump(frames).await {
            self.goodbye().await;
        }
    }

    fn send_limit(&self) -> Duration {
        self.ping_interval * 2
    }

    /// Frames out and pings until the connection closes. False when the socket is unusable
    /// (not even a close frame can be written).
    async fn pump(&mut self, mut frames: mpsc::Receiver<Frame>) -> bool {
        let interval = self.ping_interval;
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        loop {
            tokio::select! {
                biased;
                () = self.closer.closed() => return true,
                frame = frames.recv() => {
                    let Some(frame) = frame else { return true };
                    // Everything already queued goes out in one flush: under fan-out (presence
                    // from 200 peers, a change to every reader) one write per frame was most of
                    // the relay's system time.
                    let mut batch = vec![frame];
                    while batch.len() < MAX_FRAMES_PER_FLUSH {
                        match frames.try_recv() {
                            Ok(frame) => batch.push(frame),
                            Err(_) => break,
                        }
                    }
                    for frame in &batch {
                        self.metrics.message_sent(frame.kind, frame.bytes.len());
                    }
                    self.counters.messages_out.fetch_add(batch.len() as u64, Ordering::Relaxed);
                    let messages = batch.into_iter().map(|f| WsMessage::Binary(f.bytes));
                    if !self.send_all(messages).await {
                        return false;
                    }
                }
                _ = ping.tick() => {
                    // Zero while the reader handles a frame (`reader::HANDLING`).
                    let silent_ms = elapsed_ms(self.started)
                        .saturating_sub(self.last_heard.load(Ordering::Relaxed));
                    if u128::from(silent_ms) > interval.as_millis() * 2 {
                        self.closer.close(CloseReason::Timeout, None);
                        return true;
                    }
                    if !self.send(WsMessage::Ping(Default::default())).await {
                        return false;
                    }
                }
            }
        }
    }

    /// Sends messages with one flush, within the send limit for the lot. False (and the
    /// connection closed) when the peer is gone or the sending cannot finish in time. A close
    /// (too slow, revoked, shutdown) ends the wait at once: a peer whose TCP window is full
    /// would otherwise hold the close for the whole send limit (the "16 KiB read buffer"
    /// puzzle, docs/performance.md).
    async fn send_all(&mut self, messages: impl Iterator<Item = WsMessage>) -> bool {
        let limit = self.send_limit();
        let sink = &mut self.sink;
        let all = async move {
            for message in messages {
                sink.feed(message).await?;
            }
            sink.flush().await
        };
        let sent = tokio::select! {
            biased;
            () = self.closer.closed() => return true,
            sent = tokio::time::timeout(limit, all) => sent,
        };
        match sent {
            Ok(Ok(())) => true,
            Ok(Err(_)) => {
                self.closer.close(CloseReason::Peer, None);
                false
            }
            Err(_) => {
                self.closer.close(CloseReason::Timeout, None);
                false
            }
        }
    }

    /// Sends one websocket message within the send limit (see [`Writer::send_all`]).
    async fn send(&mut self, message: WsMessage) -> bool {
        self.send_all(std::iter::once(message)).await
    }

    /// The `error` message (when the close has one) and the close frame.
    async fn goodbye(&mut self) {
        let limit = self.send_limit();
        if self.shutdown.is_cancelled() {
            self.closer.close(CloseReason::Shutdown, None);
        }
        let closing = match self.closer.closing() {
            Some(closing) if closing.reason != CloseReason::Peer => closing.clone(),
            _ => {
                let _ = tokio::time::timeout(limit, self.sink.close()).await;
                return;
            }
        };
        if let Some(error) = &closing.error {
            let bytes = protocol::encode(&Message::Error {
                message: error.clone(),
            });
            self.metrics.message_sent("error", bytes.len());
            self.counters.messages_out.fetch_add(1, Ordering::Relaxed);
            let sent = self.sink.send(WsMessage::Binary(bytes.into()));
            if tokio::time::timeout(limit, sent).await.is_err() {
                return;
            }
        }
        let (code, text) = close_frame(closing.reason);
        let frame = WsMessage::Close(Some(CloseFrame {
            code,
            reason: text.into(),
        }));
        let _ = tokio::time::timeout(limit, self.sink.send(frame)).await;
    }
}

/// The close code and reason text for why a connection closes.
fn close_frame(reason: CloseReason) -> (u16, &'static str) {
    match reason {
        CloseReason::ProtocolError => (close_code::POLICY, "protocol error"),
        CloseReason::SlowConsumer => (close_code::AGAIN, "too slow: outbound queue full"),
        CloseReason::Timeout => (close_code::AWAY, "no pong"),
        CloseReason::Replaced => (close_code::NORMAL, "replaced by a newer connection"),
        CloseReason::Shutdown => (close_code::AWAY, "relay shutting down"),
        CloseReason::StorageFailure => (close_code::ERROR, "storage failure"),
        CloseReason::Revoked => (close_code::POLICY, "token revoked or expired"),
        CloseReason::Overloaded => (close_code::AGAIN, "relay at its memory limit"),
        CloseReason::Peer => (close_code::NORMAL, "bye"),
    }
}
