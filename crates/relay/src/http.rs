//! HTTP surface: the websocket upgrade (on `/sync` and, for drop-in use with automerge-repo
//! clients pointed at a bare host, on any other path), `/healthz`, `/metrics`, and the web
//! client's static files.

use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get};
use std::net::{IpAddr, SocketAddr};
use tower_http::services::{ServeDir, ServeFile};

use crate::api;
use crate::auth::{Auth, Principal};
use crate::connection;
use crate::docs_api;
use crate::hub::{Hub, SlotRefused};
use crate::storage::{PROBE_TIMEOUT, WriteOp};

/// What every handler can reach.
#[derive(Clone)]
pub(crate) struct AppState {
    pub hub: Hub,
    pub auth: Auth,
    /// Bounds the reports and histories built at once ([`crate::docs_api`]).
    pub heavy_jobs: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Read buffer of one websocket connection.
const WS_READ_BUFFER_BYTES: usize = 64 * 1024;

/// Builds the router.
pub(crate) fn router(state: AppState, web_dir: Option<PathBuf>) -> Router {
    // A change file can hold a whole document, like the first sync message of one.
    let max_body = state.hub.config().max_message_bytes;
    let api = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/tokens", get(api::list_tokens).post(api::create_token))
        .route("/api/tokens/{id}", delete(api::revoke_token))
        .route("/api/me", get(api::me))
        .route("/api/admin/backup", get(crate::backup::download))
        .route("/api/admin/backup/last", get(crate::backup::last))
        .route("/api/admin/status", get(crate::status::status))
        .route("/api/docs/{id}/export", get(docs_api::export))
        .route("/api/docs/{id}/history", get(docs_api::history))
        .route(
            "/api/docs/{id}/changes",
            get(docs_api::export_changes)
                .post(docs_api::import_changes)
                .layer(DefaultBodyLimit::max(max_body)),
        );
    let app = match web_dir.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => {
            let index = dir.join("index.html");
            // The web build writes .br/.gz next to each file: serve those to browsers that
            // accept them (the automerge wasm shrinks from 3.5 MB to under 1 MB).
            let files = ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(
                    ServeFile::new(index)
                        .precompressed_br()
                        .precompressed_gzip(),
                );
            api.fallback_service(files)
        }
        None => api.fallback(placeholder_page),
    };
    app.layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_request))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            upgrade_anywhere,
        ))
        .with_state(state)
}

/// The content security policy of every page: scripts and styles only from the relay itself
/// (no inline code), automerge's wasm allowed to compile, network only back to the relay.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; \
     manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One debug line per HTTP request. The query is logged with every `token=` value redacted:
/// secrets never reach the logs.
async fn log_request(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(redact_query);
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %path,
        query = query.as_deref().unwrap_or(""),
        status = response.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "http request"
    );
    response
}

/// `a=1&token=SECRET` → `a=1&token=<redacted>`.
pub(crate) fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("token") => format!("{key}=<redacted>"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Adds the security and caching headers to every HTTP answer.
async fn security_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let ok = response.status().is_success();
    let headers = response.headers_mut();
    // Built assets carry a content hash in their name: cache them for good. Everything else
    // (index.html, the service worker, API answers) must be revalidated, or a client could
    // keep running an old app shell forever.
    let cache = if path.starts_with("/assets/") && ok {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/api/") || path == "/metrics" || path == "/healthz" {
        "no-store"
    } else {
        "no-cache"
    };
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(cache),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    response
}

/// Browsers always send `Origin` on a websocket upgrade; a page on another site must not be
/// able to use a coalition member's browser against the relay. Non-browser clients send no
/// `Origin` and are judged by their token alone.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if allowed
        .iter()
        .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
    {
        return true;
    }
    // Same origin: the Origin's host[:port] is the Host the request was sent to.
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| host.eq_ignore_ascii_case(origin_host))
}

/// Any request asking for a websocket upgrade is a sync connection, whatever its path.
async fn upgrade_anywhere(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_upgrade = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !is_upgrade {
        return next.run(request).await;
    }
    let remote_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_default();
    if !origin_allowed(request.headers(), &state.hub.config().allowed_origins) {
        state.hub.metrics().limit_hit("origin");
        tracing::info!(%remote, origin = ?request.headers().get(header::ORIGIN), "websocket refused: origin not allowed");
        return (StatusCode::FORBIDDEN, "this origin may not connect\n").into_response();
    }
    let Some(principal) = authenticate(&state.auth, request.headers(), request.uri().query())
    else {
        state.hub.metrics().auth_failed();
        tracing::info!(%remote, path = request.uri().path(), "websocket refused: missing or invalid token");
        return (
            StatusCode::UNAUTHORIZED,
            "a valid token is required (?token=… or Authorization: Bearer …)\n",
        )
            .into_response();
    };
    let (mut parts, _body) = request.into_parts();
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let ip = remote_ip.unwrap_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED));
    let slot = match state.hub.reserve_connection(&principal, ip, &remote) {
        Ok(slot) => slot,
        Err(refused) => {
            let why = match refused {
                SlotRefused::PerToken(n) => {
                    format!("this token already has {n} open connections\n")
                }
                SlotRefused::PerIp(n) => format!("this address already has {n} open connections\n"),
            };
            tracing::info!(%remote, token = %principal.name, "websocket refused: {}", why.trim());
            return (StatusCode::TOO_MANY_REQUESTS, why).into_response();
        }
    };
    let config = state.hub.config();
    let hub = state.hub.clone();
    let tasks = hub.tasks().clone();
    let metrics = hub.metrics().clone();
    upgrade
        .max_message_size(config.max_message_bytes)
        .max_frame_size(config.max_message_bytes)
        // tungstenite allocates its read buffer up front (128 KiB by default): most of an idle
        // connection's memory. Large messages still arrive whole, in more reads. (16 KiB made
        // relay_sync's slow-consumer test stop detecting the stuck peer; not understood yet,
        // so 64 KiB.)
        .read_buffer_size(WS_READ_BUFFER_BYTES)
        .on_failed_upgrade(move |err| {
            metrics.limit_hit("upgrade_failed");
            tracing::info!(%err, "websocket upgrade failed");
        })
        .on_upgrade(move |socket| {
            // Tracked so shutdown waits for every connection to say goodbye.
            tasks.track_future(connection::serve(socket, hub, principal, slot, remote))
        })
}

/// The one place a presented token becomes a principal.
fn authenticate(auth: &Auth, headers: &HeaderMap, query: Option<&str>) -> Option<Principal> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let from_query = query.and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "token")
            .map(|(_, v)| v)
    });
    from_header
        .or(from_query)
        .and_then(|secret| auth.authenticate(secret))
}

/// 200 when a write transaction commits; 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(PROBE_TIMEOUT, state.hub.storage().commit(WriteOp::Probe)).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(err)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage not writable: {err}\n"),
        )
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage did not commit within {:?}\n", PROBE_TIMEOUT),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.hub.metrics().render(),
    )
        .into_response()
}

async fn placeholder_page() -> Html<&'static str> {
    Html(
        "<!doctype html><meta charset=utf-8><title>caucus relay</title>\
         <h1>caucus relay</h1><p>The relay is running. The web client is not built: run \
         <code>make build</code> (or <code>npm run build</code> in <code>web/</code>) and restart.</p>",
    )
}

/// How long graceful shutdown waits for connections to close.
pub(crate) const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            host.parse()
                .unwrap_or_else(|_| header::HeaderValue::from_static("x")),
        );
        if let Some(o) = origin {
            h.insert(
                header::ORIGIN,
                o.parse()
                    .unwrap_or_else(|_| header::HeaderValue::from_static("x")),
            );
        }
        h
    }

    #[test]
    fn tokens_are_redacted_from_logged_queries() {
        assert_eq!(redact_query("token=abc123"), "token=<redacted>");
        assert_eq!(
            redact_query("a=1&token=abc&b=2"),
            "a=1&token=<redacted>&b=2"
        );
        assert_eq!(redact_query("tokenish=x"), "tokenish=x");
    }

    #[test]
    fn same_origin_and_allow_listed_origins_pass_others_do_not() {
        let none: Vec<String> = Vec::new();
        assert!(
            origin_allowed(&headers(None, "relay:8080"), &none),
            "non-browser client"
        );
        assert!(origin_allowed(
            &headers(Some("http://relay:8080"), "relay:8080"),
            &none
        ));
        assert!(origin_allowed(
            &headers(Some("https://caucus.example.org"), "caucus.example.org"),
            &none
        ));
        assert!(!origin_allowed(
            &headers(Some("https://evil.example"), "relay:8080"),
            &none
        ));
        assert!(!origin_allowed(
            &headers(Some("http://relay:8081"), "relay:8080"),
            &none
        ));
        let allowed = vec!["https://app.example.org".to_owned()];
        assert!(origin_allowed(
            &headers(Some("https://app.example.org"), "relay:8080"),
            &allowed
        ));
    }
}
