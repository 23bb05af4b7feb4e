//! A fault-injecting TCP proxy for testing sync over bad networks (conference Wi-Fi), where
//! `tc netem` is not available.
//!
//! [`FaultProxy::start`] listens on `127.0.0.1:0` and forwards every accepted connection to an
//! upstream address, applying [`Faults`]:
//!
//! - **Delay with jitter, pipelined.** Each chunk read from one side is stamped with its own
//!   delivery deadline (arrival + delay ± jitter, never earlier than the previous chunk's, so a
//!   direction is never reordered) and queued; a writer delivers chunks as their deadlines pass.
//!   Latency is added, throughput is not divided by it.
//! - **Stalls.** Every `stall_every` (randomised ±50 %) one or both directions stop delivering
//!   for `stall_for`, without closing anything. Held data is released when the stall ends. The
//!   queue per direction is bounded (about 1 MiB), so a long stall backs up into the sender's
//!   TCP buffers as a frozen link would.
//! - **Cuts.** Every `cut_every` (randomised ±50 %) every open connection is cut: both sockets
//!   are closed abruptly with `SO_LINGER 0` (an RST, no FIN, queued data dropped).
//!
//! Everything random comes from a [`SplitMix64`] seeded by [`Faults::seed`], so a fault schedule is
//! reproducible (the moments at which a client happens to reconnect are not). The handle counts
//! bytes delivered each way, connections, cuts and stalls, and can change the faults, cut or stall
//! on demand, or turn every fault off ([`FaultProxy::set_enabled`]) for a clean pass-through.
//!
//! [`scenario`] holds the bad-network convergence scenario (reconnecting Rust peers and a driver
//! for the official JS client) shared by `tests/relay_bad_network.rs` and the sweep binary.

pub mod scenario;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Size of one read; also the unit of the per-direction queue.
const CHUNK: usize = 16 * 1024;
/// Chunks queued per direction (≈ 1 MiB) before the proxy stops reading from the sender.
const QUEUE_CHUNKS: usize = 64;

/// What the proxy does to traffic. [`Faults::none`] is a clean pass-through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Faults {
    /// Added to every chunk's delivery time, each direction.
    pub delay: Duration,
    /// Uniform ± around `delay` (clamped at zero; never reorders).
    pub jitter: Duration,
    /// Mean time between stalls (each interval uniform in [0.5, 1.5] × this); `None`: no stalls.
    pub stall_every: Option<Duration>,
    /// How long a stall holds a direction.
    pub stall_for: Duration,
    /// Mean time between cuts of every open connection (uniform in [0.5, 1.5] × this).
    pub cut_every: Option<Duration>,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Faults {
    /// No delay, no stalls, no cuts.
    pub fn none() -> Self {
        Faults {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            stall_every: None,
            stall_for: Duration::ZERO,
            cut_every: None,
            seed: 0,
        }
    }

    /// A short human description (`delay 100±50ms, stall 3s/7s, cut/10s`).
    pub fn describe(&self) -> String {
        let mut parts = vec![format!(
            "delay {}±{}ms",
            self.delay.as_millis(),
            self.jitter.as_millis()
        )];
        match self.stall_every {
            Some(every) => parts.push(format!(
                "stall {}s every ~{}s",
                self.stall_for.as_secs_f64(),
                every.as_secs_f64()
            )),
            None => parts.push("no stalls".into()),
        }
        match self.cut_every {
            Some(every) => parts.push(format!("cut every ~{}s", every.as_secs_f64())),
            None => parts.push("no cuts".into()),
        }
        parts.join(", ")
    }
}

/// One direction of a proxied connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client → upstream.
    Up,
    /// Upstream → client.
    Down,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::Up => 0,
            Direction::Down => 1,
        }
    }
}

/// Counters since the proxy started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Bytes delivered client → upstream.
    pub bytes_up: u64,
    /// Bytes delivered upstream → client.
    pub bytes_down: u64,
    /// Connections accepted.
    pub connections: u64,
    /// Connections open now.
    pub open: u64,
    /// Connections cut (by the schedule or [`FaultProxy::cut_all`]).
    pub cuts: u64,
    /// Stalls started (by the schedule or [`FaultProxy::stall`]).
    pub stalls: u64,
}

/// A small, fast, seedable PRNG (SplitMix64): reproducible fault schedules without a dependency.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi].
    pub fn between(&mut self, lo: Duration, hi: Duration) -> Duration {
        if hi <= lo {
            return lo;
        }
        lo + (hi - lo).mul_f64(self.unit())
    }

    /// `mean` randomised uniformly in [0.5, 1.5] × mean.
    pub fn around(&mut self, mean: Duration) -> Duration {
        self.between(mean / 2, mean + mean / 2)
    }
}

/// The state every connection's pumps watch.
#[derive(Debug, Clone)]
struct State {
    faults: Faults,
    enabled: bool,
    /// Per direction (see [`Direction::index`]): held until this instant.
    stalled_until: [Option<Instant>; 2],
}

#[derive(Default)]
struct Stats {
    bytes: [AtomicU64; 2],
    connections: AtomicU64,
    open: AtomicU64,
    cuts: AtomicU64,
    stalls: AtomicU64,
}

struct Shared {
    state: watch::Sender<State>,
    stats: Stats,
    /// Cut signal of every open connection.
    conns: Mutex<HashMap<u64, CancellationToken>>,
    root: CancellationToken,
}

impl Shared {
    fn cut_all(&self) -> usize {
        let cut: Vec<CancellationToken> = self
            .conns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .map(|(_, token)| token)
            .collect();
        for token in &cut {
            token.cancel();
        }
        self.stats
            .cuts
            .fetch_add(cut.len() as u64, Ordering::Relaxed);
        cut.len()
    }

    fn stall(&self, directions: &[Direction], duration: Duration) {
        let until = Instant::now() + duration;
        self.state.send_modify(|s| {
            for d in directions {
                let slot = &mut s.stalled_until[d.index()];
                *slot = Some(slot.map_or(until, |u| u.max(until)));
            }
        });
        self.stats.stalls.fetch_add(1, Ordering::Relaxed);
    }
}

/// A running proxy. Dropping it stops accepting and cuts every connection.
pub struct FaultProxy {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    upstream: SocketAddr,
}

impl FaultProxy {
    /// Listens on `127.0.0.1:0` and forwards to `upstream` with `faults`.
    pub async fn start(upstream: SocketAddr, faults: Faults) -> io::Result<FaultProxy> {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)), upstream, faults).await
    }

    /// Listens on `listen` and forwards to `upstream` with `faults`.
    pub async fn bind(
        listen: SocketAddr,
        upstream: SocketAddr,
        faults: Faults,
    ) -> io::Result<FaultProxy> {
        let listener = TcpListener::bind(listen).await?;
        let local_addr = listener.local_addr()?;
        let (state, _) = watch::channel(State {
            faults,
            enabled: true,
            stalled_until: [None, None],
        });
        let shared = Arc::new(Shared {
            state,
            stats: Stats::default(),
            conns: Mutex::new(HashMap::new()),
            root: CancellationToken::new(),
        });
        tokio::spawn(accept_loop(listener, upstream, shared.clone()));
        tokio::spawn(schedule(shared.clone()));
        Ok(FaultProxy {
            shared,
            local_addr,
            upstream,
        })
    }

    /// Where clients connect.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Where connections are forwarded.
    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }

    pub fn counters(&self) -> Counters {
        let s = &self.shared.stats;
        Counters {
            bytes_up: s.bytes[0].load(Ordering::Relaxed),
            bytes_down: s.bytes[1].load(Ordering::Relaxed),
            connections: s.connections.load(Ordering::Relaxed),
            open: s.open.load(Ordering::Relaxed),
            cuts: s.cuts.load(Ordering::Relaxed),
            stalls: s.stalls.load(Ordering::Relaxed),
        }
    }

    pub fn faults(&self) -> Faults {
        self.shared.state.borrow().faults.clone()
    }

    /// Replaces the faults; the stall and cut schedule restarts from the new seed.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.state.send_modify(|s| s.faults = faults);
    }

    /// `false`: every fault off at once (queued chunks go out now, stalls end, no more cuts);
    /// `true`: the faults apply again.
    pub fn set_enabled(&self, enabled: bool) {
        self.shared.state.send_modify(|s| {
            s.enabled = enabled;
            if !enabled {
                s.stalled_until = [None, None];
            }
        });
    }

    pub fn enabled(&self) -> bool {
        self.shared.state.borrow().enabled
    }

    /// Cuts every open connection now (RST both sides); returns how many.
    pub fn cut_all(&self) -> usize {
        self.shared.cut_all()
    }

    /// Holds the given directions for `duration` from now (data is kept, nothing closes).
    pub fn stall(&self, directions: &[Direction], duration: Duration) {
        self.shared.stall(directions, duration);
    }

    /// Stops accepting and cuts every connection.
    pub fn shutdown(&self) {
        self.shared.root.cancel();
        self.shared.cut_all();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, shared: Arc<Shared>) {
    let mut next_id = 0u64;
    loop {
        let accepted = tokio::select! {
            () = shared.root.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let client = match accepted {
            Ok((client, _)) => client,
            Err(_) => {
                // EMFILE and friends: back off briefly rather than spin.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        next_id += 1;
        let id = next_id;
        let cut = shared.root.child_token();
        shared
            .conns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, cut.clone());
        shared.stats.connections.fetch_add(1, Ordering::Relaxed);
        shared.stats.open.fetch_add(1, Ordering::Relaxed);
        let shared = shared.clone();
        tokio::spawn(async move {
            connection(&shared, client, upstream, id, &cut).await;
            shared
                .conns
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
            shared.stats.open.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

/// Closes a socket abruptly: `SO_LINGER 0` makes the close an RST.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

async fn connection(
    shared: &Shared,
    mut client: TcpStream,
    upstream: SocketAddr,
    id: u64,
    cut: &CancellationToken,
) {
    let server = tokio::select! {
        () = cut.cancelled() => None,
        connected = TcpStream::connect(upstream) => connected.ok(),
    };
    let Some(mut server) = server else {
        reset(client);
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let seed = shared.state.borrow().faults.seed;
    let outcome = {
        let (client_read, client_write) = client.split();
        let (server_read, server_write) = server.split();
        let (up_tx, up_rx) = mpsc::channel(QUEUE_CHUNKS);
        let (down_tx, down_rx) = mpsc::channel(QUEUE_CHUNKS);
        let conn_seed = seed ^ id.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let pumps = async {
            tokio::try_join!(
                read_side(client_read, up_tx, shared, conn_seed),
                write_side(server_write, up_rx, shared, Direction::Up),
                read_side(server_read, down_tx, shared, !conn_seed),
                write_side(client_write, down_rx, shared, Direction::Down),
            )
        };
        tokio::select! {
            () = cut.cancelled() => Err(()),
            done = pumps => done.map(|_| ()).map_err(|_| ()),
        }
    };
    if outcome.is_err() {
        // Cut, or one side failed (reset, broken pipe): the other side learns it the same way.
        reset(client);
        reset(server);
    }
}

enum Item {
    Data(Vec<u8>, Instant),
    Eof(Instant),
}

/// Reads one side and stamps each chunk with its delivery deadline.
async fn read_side(
    mut read: tokio::net::tcp::ReadHalf<'_>,
    tx: mpsc::Sender<Item>,
    shared: &Shared,
    seed: u64,
) -> io::Result<()> {
    let mut rng = SplitMix64::new(seed);
    let mut buf = vec![0u8; CHUNK];
    let mut last_due = Instant::now();
    loop {
        let n = read.read(&mut buf).await?;
        let now = Instant::now();
        let due = {
            let state = shared.state.borrow();
            if state.enabled {
                let f = &state.faults;
                let lo = f.delay.saturating_sub(f.jitter);
                let hi = f.delay + f.jitter;
                now + rng.between(lo, hi)
            } else {
                now
            }
        }
        .max(last_due);
        last_due = due;
        let item = if n == 0 {
            Item::Eof(due)
        } else {
            Item::Data(buf[..n].to_vec(), due)
        };
        if tx.send(item).await.is_err() || n == 0 {
            // The writer is gone only when it failed; its error ends the connection.
            return Ok(());
        }
    }
}

/// Delivers chunks in order, each once its deadline has passed and its direction is not stalled.
async fn write_side(
    mut write: tokio::net::tcp::WriteHalf<'_>,
    mut rx: mpsc::Receiver<Item>,
    shared: &Shared,
    direction: Direction,
) -> io::Result<()> {
    let mut state = shared.state.subscribe();
    while let Some(item) = rx.recv().await {
        match item {
            Item::Data(bytes, due) => {
                wait_deliverable(&mut state, direction, due).await;
                write.write_all(&bytes).await?;
                shared.stats.bytes[direction.index()]
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            Item::Eof(due) => {
                wait_deliverable(&mut state, direction, due).await;
                write.shutdown().await?;
                return Ok(());
            }
        }
    }
    Ok(())
}

async fn wait_deliverable(state: &mut watch::Receiver<State>, direction: Direction, due: Instant) {
    loop {
        let target = {
            let s = state.borrow_and_update();
            if !s.enabled {
                return;
            }
            s.stalled_until[direction.index()].map_or(due, |until| due.max(until))
        };
        if target <= Instant::now() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep_until(target) => {}
            changed = state.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// Fires the scheduled stalls and cuts; restarts the schedule whenever the faults change.
async fn schedule(shared: Arc<Shared>) {
    let mut rx = shared.state.subscribe();
    loop {
        let (faults, enabled) = {
            let s = rx.borrow_and_update();
            (s.faults.clone(), s.enabled)
        };
        let mut rng = SplitMix64::new(faults.seed.rotate_left(17) ^ 0x5EED);
        let now = Instant::now();
        let mut next_stall = faults.stall_every.map(|every| now + rng.around(every));
        let mut next_cut = faults.cut_every.map(|every| now + rng.around(every));
        // Run this schedule until the faults or the switch change.
        loop {
            let wake = match (next_stall, next_cut) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            tokio::select! {
                () = shared.root.cancelled() => return,
                changed = rx.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let s = rx.borrow_and_update();
                    if s.faults != faults || s.enabled != enabled {
                        break;
                    }
                }
                () = sleep_until_opt(wake) => {
                    let now = Instant::now();
                    if let (Some(at), Some(every)) = (next_stall, faults.stall_every)
                        && at <= now
                    {
                        if enabled {
                            let directions: &[Direction] = match rng.next_u64() % 4 {
                                0 => &[Direction::Up],
                                1 => &[Direction::Down],
                                _ => &[Direction::Up, Direction::Down],
                            };
                            shared.stall(directions, faults.stall_for);
                        }
                        next_stall = Some(now + faults.stall_for + rng.around(every));
                    }
                    if let (Some(at), Some(every)) = (next_cut, faults.cut_every)
                        && at <= now
                    {
                        if enabled {
                            shared.cut_all();
                        }
                        next_cut = Some(now + rng.around(every));
                    }
                }
            }
        }
    }
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// An upstream that echoes every byte back.
    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    /// An upstream that hands each accepted socket to the test.
    async fn sink_server() -> (SocketAddr, mpsc::UnboundedReceiver<TcpStream>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                if tx.send(s).is_err() {
                    return;
                }
            }
        });
        (addr, rx)
    }

    fn delayed(delay_ms: u64, jitter_ms: u64) -> Faults {
        Faults {
            delay: Duration::from_millis(delay_ms),
            jitter: Duration::from_millis(jitter_ms),
            seed: 7,
            ..Faults::none()
        }
    }

    async fn read_exactly(s: &mut TcpStream, n: usize) -> Vec<u8> {
        let mut buf = vec![0u8; n];
        tokio::time::timeout(Duration::from_secs(10), s.read_exact(&mut buf))
            .await
            .expect("data in time")
            .unwrap();
        buf
    }

    #[tokio::test]
    async fn delay_is_applied_each_way() {
        let proxy = FaultProxy::start(echo_server().await, delayed(150, 0))
            .await
            .unwrap();
        let mut s = TcpStream::connect(proxy.local_addr()).await.unwrap();
        let started = std::time::Instant::now();
        s.write_all(b"ping").await.unwrap();
        assert_eq!(read_exactly(&mut s, 4).await, b"ping");
        // Up and down: at least twice the delay (a lower bound; no upper bound asserted).
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn delay_is_pipelined_and_order_is_kept_under_jitter() {
        let proxy = FaultProxy::start(echo_server().await, delayed(200, 150))
            .await
            .unwrap();
        let mut s = TcpStream::connect(proxy.local_addr()).await.unwrap();
        let (mut r, mut w) = s.split();
        let started = std::time::Instant::now();
        let chunks = 40usize;
        let writer = async {
            for i in 0..chunks {
                let chunk: Vec<u8> = (0..100).map(|j| ((i * 100 + j) % 251) as u8).collect();
                w.write_all(&chunk).await.unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        let reader = async {
            let mut got = vec![0u8; chunks * 100];
            r.read_exact(&mut got).await.unwrap();
            got
        };
        let ((), got) = tokio::join!(writer, reader);
        let want: Vec<u8> = (0..chunks * 100).map(|k| (k % 251) as u8).collect();
        assert_eq!(got, want, "bytes reordered or lost");
        // Serial per-chunk sleeping would take ≥ 40 × 2 × 50 ms = 4 s even at the lowest jitter.
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "delay is not pipelined: {:?}",
            started.elapsed()
        );
        let c = proxy.counters();
        assert_eq!(c.bytes_up, (chunks * 100) as u64);
        assert_eq!(c.bytes_down, (chunks * 100) as u64);
        assert_eq!(c.connections, 1);
    }

    #[tokio::test]
    async fn a_stall_holds_data_then_releases_it() {
        let proxy = FaultProxy::start(echo_server().await, Faults::none())
            .await
            .unwrap();
        let mut s = TcpStream::connect(proxy.local_addr()).await.unwrap();
        s.write_all(b"a").await.unwrap();
        assert_eq!(read_exactly(&mut s, 1).await, b"a");
        proxy.stall(&[Direction::Up], Duration::from_millis(800));
        s.write_all(b"held").await.unwrap();
        let mut buf = [0u8; 4];
        let early = tokio::time::timeout(Duration::from_millis(400), s.read(&mut buf)).await;
        assert!(early.is_err(), "data crossed a stalled direction");
        assert_eq!(proxy.counters().bytes_up, 1);
        assert_eq!(read_exactly(&mut s, 4).await, b"held");
        assert_eq!(proxy.counters().stalls, 1);
        assert_eq!(proxy.counters().open, 1, "a stall closed the connection");
    }

    #[tokio::test]
    async fn disabling_releases_a_stall_at_once() {
        let proxy = FaultProxy::start(echo_server().await, Faults::none())
            .await
            .unwrap();
        let mut s = TcpStream::connect(proxy.local_addr()).await.unwrap();
        proxy.stall(&[Direction::Up, Direction::Down], Duration::from_secs(3600));
        s.write_all(b"x").await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        proxy.set_enabled(false);
        assert_eq!(read_exactly(&mut s, 1).await, b"x");
    }

    #[tokio::test]
    async fn a_cut_closes_both_sides_abruptly() {
        let (upstream, mut accepted) = sink_server().await;
        let proxy = FaultProxy::start(upstream, Faults::none()).await.unwrap();
        let mut client = TcpStream::connect(proxy.local_addr()).await.unwrap();
        client.write_all(b"hello").await.unwrap();
        let mut server = tokio::time::timeout(Duration::from_secs(5), accepted.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read_exactly(&mut server, 5).await, b"hello");
        assert_eq!(proxy.cut_all(), 1);
        let mut buf = [0u8; 16];
        for side in [&mut client, &mut server] {
            let r = tokio::time::timeout(Duration::from_secs(5), side.read(&mut buf))
                .await
                .expect("closed in time");
            // RST shows as ECONNRESET; a plain close as EOF. Either way: no data, closed.
            assert!(matches!(r, Ok(0) | Err(_)), "{r:?}");
        }
        let c = proxy.counters();
        assert_eq!(c.cuts, 1);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(proxy.counters().open, 0);
        // The proxy still accepts new connections after a cut.
        let mut again = TcpStream::connect(proxy.local_addr()).await.unwrap();
        again.write_all(b"x").await.unwrap();
        let mut server = accepted.recv().await.unwrap();
        assert_eq!(read_exactly(&mut server, 1).await, b"x");
    }

    #[tokio::test]
    async fn scheduled_cuts_keep_happening() {
        let proxy = FaultProxy::start(
            echo_server().await,
            Faults {
                cut_every: Some(Duration::from_millis(200)),
                seed: 3,
                ..Faults::none()
            },
        )
        .await
        .unwrap();
        let mut cut = 0;
        for _ in 0..3 {
            let mut s = TcpStream::connect(proxy.local_addr()).await.unwrap();
            let mut buf = [0u8; 1];
            let r = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
                .await
                .expect("cut in time");
            if matches!(r, Ok(0) | Err(_)) {
                cut += 1;
            }
        }
        assert_eq!(cut, 3);
        assert!(proxy.counters().cuts >= 3);
    }

    #[tokio::test]
    async fn eof_is_forwarded_after_the_data() {
        let (upstream, mut accepted) = sink_server().await;
        let proxy = FaultProxy::start(upstream, delayed(50, 30)).await.unwrap();
        let mut client = TcpStream::connect(proxy.local_addr()).await.unwrap();
        client.write_all(b"last words").await.unwrap();
        client.shutdown().await.unwrap();
        let mut server = accepted.recv().await.unwrap();
        let mut all = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), server.read_to_end(&mut all))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(all, b"last words");
    }

    #[test]
    fn the_rng_is_reproducible() {
        let mut a = SplitMix64::new(42);
        let mut b = SplitMix64::new(42);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let d = a.around(Duration::from_secs(10));
        assert!(d >= Duration::from_secs(5) && d <= Duration::from_secs(15));
    }
}
