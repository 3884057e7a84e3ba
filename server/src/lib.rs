//! The Nastavnik server: the REST API under `/api`, the app bundle embedded in the binary, and
//! the storage behind them. `main.rs` is only the command line; tests build the same router.

pub mod anonymity;
pub mod assets;
pub mod auth;
pub mod by_person;
pub mod demo;
pub mod error;
pub mod forms;
pub mod indices;
pub mod routes;
pub mod storage;
pub mod upgrade;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};

pub use storage::Db;

/// Everything a handler needs. The server keeps no state outside the database, so several
/// instances may serve one database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Syncs being answered at once (see `routes::sync`).
    pub sync_slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// Each person's syncs under way, their bodies arriving or waiting for a slot.
    pub syncs_by_person: by_person::ByPerson,
    /// Each person's proofs of holding a file under way (one at a time: each reads and hashes
    /// a whole file).
    pub proofs_by_person: by_person::ByPerson,
    /// Each person's spreadsheet export under way (one at a time: see `routes::Exporting`).
    pub exports_by_person: by_person::ByPerson,
    /// The password checks under way of each login, from unknown and from known computers
    /// apart (see `auth::CHECKS_PER_LOGIN`).
    pub checking_passwords: by_person::ByPerson<String>,
    /// The bytes of files one person may put on the server, all together (`serve
    /// --files-per-person-mb`): files are kept for good, so without a bound one account could
    /// fill the server's disk.
    pub files_per_person: u64,
}

/// What [`AppState::files_per_person`] is unless the administrator says otherwise (MB).
pub const FILES_PER_PERSON_MB: u64 = 1024;

impl AppState {
    pub fn new(db: Db) -> AppState {
        AppState {
            db,
            sync_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(routes::sync::SYNC_SLOTS)),
            syncs_by_person: by_person::ByPerson::new(routes::sync::SYNC_BYTES_PER_PERSON),
            proofs_by_person: by_person::ByPerson::new(1),
            exports_by_person: by_person::ByPerson::new(1),
            checking_passwords: by_person::ByPerson::new(auth::CHECKS_PER_LOGIN),
            files_per_person: FILES_PER_PERSON_MB << 20,
        }
    }
}

/// The app's own scripts and wasm only; no inline code, no other origins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; \
    manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers that only a document (the app's page) or the service worker's script act upon: the
/// browser ignores them on an image, a module or the wasm, so those go without, and each of
/// the first load's requests is about half a kilobyte lighter on a slow link.
const DOCUMENT_HEADERS: [(&str, &str); 5] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api", routes::api(state))
        .fallback(assets::serve)
        .layer(axum::middleware::from_fn(security_headers))
}

/// `nosniff` on every answer; on a document or the service worker's script, the headers that
/// act on them too (unless the route set its own, as the API does).
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let worker = request.uri().path() == "/sw.js";
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let document = worker
        || headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    if document {
        for (name, value) in DOCUMENT_HEADERS {
            headers
                .entry(HeaderName::from_static(name))
                .or_insert(HeaderValue::from_static(value));
        }
    }
    response
}

/// Serves until Ctrl-C (or SIGTERM). Handlers learn the client's address from the connection
/// (password attempts are counted per address).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    senders: auth::Senders,
) -> std::io::Result<()> {
    let mut router = app(state);
    if senders == auth::Senders::BehindProxy {
        router = router.layer(axum::middleware::from_fn(auth::forwarded_for));
    }
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
