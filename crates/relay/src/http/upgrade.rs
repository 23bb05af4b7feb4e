//! The websocket upgrade, on `/sync` and (for drop-in use with automerge-repo clients pointed
//! at a bare host) on any other path. Everything is decided before the upgrade: the Origin of
//! browser pages, the token (the one place a presented token becomes a [`Principal`]), and a
//! connection slot under the token's and IP's limits.
//!
//! A token comes in `Authorization: Bearer`, or as a single-use `?ticket=` from
//! `POST /api/session` (the web client's way: its token never enters a URL), or as `?token=`
//! (the official automerge-repo client's way, the less private one: URLs end up in proxy
//! logs and crash reports).

use std::net::IpAddr;
use std::time::Instant;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::caller::bearer;
use super::client::ClientAddr;
use super::state::AppState;
use crate::auth::Principal;
use crate::connection;
use crate::connections::{ConnectionSlot, SlotRefused};

/// Read buffer of one websocket connection (grows per frame for larger ones).
const WS_READ_BUFFER_BYTES: usize = 4 * 1024;

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
pub(crate) async fn upgrade_anywhere(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_upgrade = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !is_upgrade {
        return next.run(request).await;
    }
    let client = request.extensions().get::<ClientAddr>().copied();
    let remote = client.map(|c| c.describe()).unwrap_or_default();
    if !origin_allowed(request.headers(), &state.settings.allowed_origins) {
        state.metrics.limit_hit("origin");
        tracing::info!(%remote, origin = ?request.headers().get(header::ORIGIN), "websocket refused: origin not allowed");
        return (StatusCode::FORBIDDEN, "this origin may not connect\n").into_response();
    }
    let Some(principal) = authenticate(&state, request.headers(), request.uri().query()) else {
        state.metrics.auth_failed();
        tracing::info!(%remote, path = request.uri().path(), "websocket refused: missing or invalid token");
        return (
            StatusCode::UNAUTHORIZED,
            "a valid token or ticket is required (?ticket=…, ?token=… or Authorization: Bearer …)\n",
        )
            .into_response();
    };
    let (mut parts, _body) = request.into_parts();
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let ip = client.map_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED), |c| c.ip);
    let slot = match state.connections.reserve(&principal, ip, &remote) {
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
    accept(&state, upgrade, principal, slot, remote)
}

/// Completes an accepted upgrade: the connection runs as a tracked task.
fn accept(
    state: &AppState,
    upgrade: WebSocketUpgrade,
    principal: Principal,
    slot: ConnectionSlot,
    remote: String,
) -> Response {
    let max = state.settings.max_message_bytes;
    let ctx = state.connection.clone();
    let tasks = state.tasks.clone();
    let metrics = state.metrics.clone();
    upgrade
        .max_message_size(max)
        .max_frame_size(max)
        // tungstenite allocates its read buffer up front (128 KiB by default): it was most of
        // an idle connection's memory. A frame longer than the buffer makes it reserve the
        // frame's length once, so big messages arrive whole and only they cost more memory.
        // (Smaller buffers once made relay_sync's slow-consumer test miss the close: the
        // writer, stuck mid-send to the peer, did not see it until the goodbye wait ran out,
        // after the test had stopped looking. The writer now watches for the close while it
        // sends, and the test waits for the count.)
        .read_buffer_size(WS_READ_BUFFER_BYTES)
        .on_failed_upgrade(move |err| {
            metrics.limit_hit("upgrade_failed");
            tracing::info!(%err, "websocket upgrade failed");
        })
        .on_upgrade(move |socket| {
            // Tracked so shutdown waits for every connection to say goodbye.
            tasks.track_future(connection::serve(socket, ctx, principal, slot, remote))
        })
}

/// The one place a presented token becomes a principal. A ticket is used up here, whatever
/// happens to the upgrade next, and counts only while the token it was issued to still works
/// (not revoked, not expired).
fn authenticate(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> Option<Principal> {
    if let Some(secret) = bearer(headers) {
        return state.auth.authenticate(secret);
    }
    if let Some(ticket) = query_param(query, "ticket") {
        let token_id = state.tickets.redeem(ticket, Instant::now())?;
        return state.auth.current(&token_id);
    }
    query_param(query, "token").and_then(|secret| state.auth.authenticate(secret))
}

fn query_param<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

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
