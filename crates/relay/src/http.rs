//! HTTP surface: the websocket upgrade (on `/sync` and, for drop-in use with automerge-repo
//! clients pointed at a bare host, on any other path), `/healthz`, `/metrics`, and the web
//! client's static files.

use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
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
use crate::hub::{Hub, SlotRefused};
use crate::storage::{PROBE_TIMEOUT, WriteOp};

/// What every handler can reach.
#[derive(Clone)]
pub(crate) struct AppState {
    pub hub: Hub,
    pub auth: Auth,
}

/// Builds the router.
pub(crate) fn router(state: AppState, web_dir: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/tokens", get(api::list_tokens).post(api::create_token))
        .route("/api/tokens/{id}", delete(api::revoke_token));
    let app = match web_dir.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => {
            let index = dir.join("index.html");
            api.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => api.fallback(placeholder_page),
    };
    app.layer(middleware::from_fn_with_state(
        state.clone(),
        upgrade_anywhere,
    ))
    .with_state(state)
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
    let slot = match state.hub.reserve_connection(&principal, ip) {
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
