//! The router: every route in one table, the middleware every answer passes (security and
//! cache headers, a debug log line with secrets redacted, the websocket upgrade on any path),
//! and the web client's static files.

use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{Html, Response};
use axum::routing::{delete, get, post};
use tower_http::services::{ServeDir, ServeFile};

use super::state::AppState;
use super::{
    backup, client, documents, files, health, quarantine, report_mail, sealed, session, status,
    tokens, upgrade,
};

/// Largest JSON body any API route accepts (a token request is a few hundred bytes).
const MAX_JSON_BODY: usize = 64 * 1024;

/// Builds the router.
pub(crate) fn router(state: AppState, web_dir: Option<PathBuf>) -> Router {
    // Every body is capped small (JSON) except change files, which have their own cap; each
    // part of a body must arrive within the HTTP timeout. Tokens are decided before any body is
    // read: handlers take `caller::{Caller, Admin, Operator}` before their body extractor.
    // (The time allowed between parts of a body is set per connection, `server.rs`.)
    let max_change_file = state.settings.max_change_file_bytes;
    // A change file may carry up to `--max-file-bytes` of files besides its changes.
    let max_import = usize::try_from(state.files.settings().max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(max_change_file);
    let api = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route(
            "/api/tokens",
            get(tokens::list_tokens).post(tokens::create_token),
        )
        .route("/api/tokens/{id}", delete(tokens::revoke_token))
        .route("/api/me", get(tokens::me))
        .route("/api/session", post(session::create))
        .route("/api/admin/backup", get(backup::download))
        .route("/api/admin/backup/last", get(backup::last))
        .route("/api/admin/status", get(status::status))
        .route("/api/admin/cluster/quarantine", get(quarantine::list))
        .route(
            "/api/admin/cluster/quarantine/{seq}",
            get(quarantine::bytes),
        )
        .route("/api/docs/{id}/export", get(documents::export))
        .route("/api/docs/{id}/history", get(documents::history))
        .route(
            "/api/docs/{id}/changes",
            get(documents::export_changes)
                .post(documents::import_changes)
                .layer(DefaultBodyLimit::max(max_import)),
        )
        // Uploads read their body as a stream, bounded by `--max-file-bytes` from the declared
        // size before the first byte (`files.rs`), so the JSON cap does not apply.
        .route(
            "/api/docs/{id}/files",
            get(files::list)
                .post(files::upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/api/docs/{id}/files/{hash}", get(files::download))
        .route("/api/admin/files/gc", post(files::collect))
        .merge(sealed_routes(max_change_file))
        .merge(report_mail::routes())
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY));
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
            upgrade::upgrade_anywhere,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client::client_address,
        ))
        .with_state(state)
}

/// The sealed analyses' routes (`sealed.rs`): bodies carry base64 snapshots and envelopes, so
/// they may be as large as a change file in base64; each part is capped again once decoded.
fn sealed_routes(max_change_file: usize) -> Router<AppState> {
    let max_body = max_change_file / 3 * 4 + MAX_JSON_BODY;
    Router::new()
        .route("/api/sealed", post(sealed::create))
        .route("/api/sealed/{id}", get(sealed::read))
        .route("/api/sealed/{id}/log", post(sealed::append))
        .route("/api/sealed/{id}/snapshot", post(sealed::snapshot))
        .route("/api/sealed/{id}/members", post(sealed::members))
        .route("/api/sealed/{id}/joins", post(sealed::request_join))
        .route("/api/sealed/{id}/presence", post(sealed::presence))
        .route(
            "/api/sealed/{id}/joins/{device}",
            delete(sealed::dismiss_join),
        )
        .layer(DefaultBodyLimit::max(max_body))
}

/// The content security policy of every page: scripts and styles only from the relay itself
/// (no inline code), automerge's wasm allowed to compile, network only back to the relay.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; \
     manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One debug line per HTTP request. The query is logged with every `token=` and `ticket=`
/// value redacted: secrets never reach the logs.
async fn log_request(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let client = request
        .extensions()
        .get::<client::ClientAddr>()
        .map(client::ClientAddr::describe)
        .unwrap_or_default();
    let query = request.uri().query().map(redact_query);
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %path,
        %client,
        query = query.as_deref().unwrap_or(""),
        status = response.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "http request"
    );
    response
}

/// Query keys whose values are secrets.
const SECRET_QUERY_KEYS: [&str; 2] = ["token", "ticket"];

/// `a=1&token=SECRET&ticket=SECRET` → `a=1&token=<redacted>&ticket=<redacted>`.
pub(crate) fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _))
                if SECRET_QUERY_KEYS
                    .iter()
                    .any(|secret| key.eq_ignore_ascii_case(secret)) =>
            {
                format!("{key}=<redacted>")
            }
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
    fn tickets_are_redacted_from_logged_queries() {
        assert_eq!(redact_query("ticket=abc123"), "ticket=<redacted>");
        assert_eq!(
            redact_query("a=1&TICKET=abc&token=def"),
            "a=1&TICKET=<redacted>&token=<redacted>"
        );
        assert_eq!(redact_query("tickets=x"), "tickets=x");
    }
}
