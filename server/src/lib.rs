//! The Nastavnik server: the REST API under `/api`, the app bundle embedded in the binary, and
//! the storage behind them. `main.rs` is only the command line; tests build the same router.

pub mod anonymity;
pub mod assets;
pub mod auth;
pub mod demo;
pub mod error;
pub mod forms;
pub mod indices;
pub mod routes;
pub mod storage;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

pub use storage::Db;

/// Everything a handler needs. The server keeps no state outside the database, so several
/// instances may serve one database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Syncs being answered at once (see `routes::sync`).
    pub sync_slots: std::sync::Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(db: Db) -> AppState {
        AppState {
            db,
            sync_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(routes::sync::SYNC_SLOTS)),
        }
    }
}

/// The app's own scripts and wasm only; no inline code, no other origins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; \
    manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let security_headers: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    let mut router = Router::new()
        .nest("/api", routes::api(state))
        .fallback(assets::serve);
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
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
