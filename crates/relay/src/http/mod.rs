//! The HTTP surface in one module tree: the router and its state, and one file per concern.
//!
//! - `router.rs`: every route, the middleware (security and cache headers, the request log),
//!   static files; `state.rs`: [`AppState`], the handles handlers reach.
//! - `upgrade.rs`: the websocket upgrade (origin, token, connection slot), then
//!   `crate::connection` takes over.
//! - `session.rs`: `POST /api/session`, a single-use ticket for the websocket URL.
//! - `caller.rs`: who is calling (`Authorization: Bearer`), `{"error"}` answers.
//! - `tokens.rs` (`/api/me`, `/api/tokens`), `documents.rs` (`/api/docs/{id}/…`),
//!   `sealed.rs` (`/api/sealed…`: sealed analyses, docs/sealed.md), `files.rs`
//!   (`/api/docs/{id}/files…`: conference documents), `report_mail.rs` (`/api/report/mail`,
//!   `/api/docs/{id}/report/send|sends`: the weekly report to the mailing list),
//!   `backup.rs` (`/api/admin/backup`), `status.rs` (`/api/admin/status`), `quarantine.rs`
//!   (`/api/admin/cluster/quarantine`: cluster messages set aside), `health.rs`
//!   (`/healthz`, `/metrics`, the `--metrics-listen` router).
//! - `server.rs`: the accept loop (total connection cap, header and keep-alive timeouts,
//!   graceful shutdown); `client.rs`: the client's address (`X-Forwarded-For` from trusted
//!   proxies only).

mod backup;
mod caller;
mod client;
mod documents;
mod files;
mod health;
mod metrics_token;
mod quarantine;
mod report_mail;
mod router;
mod sealed;
pub(crate) mod server;
mod session;
mod state;
mod status;
mod tokens;
mod upgrade;

pub use client::parse_trusted_proxy;
pub(crate) use documents::HEAVY_JOBS;
pub(crate) use health::metrics_router;
pub(crate) use metrics_token::MetricsToken;
pub(crate) use router::{SHUTDOWN_GRACE, router};
pub(crate) use server::ServerLimits;
pub(crate) use state::{AppState, HttpSettings, Started};
