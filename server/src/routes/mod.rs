//! The REST API, mounted under `/api`. Each file is one area; handlers take [`CurrentUser`]
//! (authentication) and check roles with [`CurrentUser::require`].
//!
//! [`CurrentUser`]: crate::auth::CurrentUser
//! [`CurrentUser::require`]: crate::auth::CurrentUser::require

mod account;
mod anonymous;
mod exports;
mod files;
mod indices;
mod records;
mod reserve;
mod schools;
mod support;
pub mod sync;
mod templates;
mod tests;
mod users;
mod workplan;

pub use sync::{SYNC_BODY_LIMIT, SYNC_SLOTS};

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderValue, header};
use axum::routing::{get, post, put};
use model::ApiError;
use model::api::Health;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use uuid::Uuid;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{
    AppError, AppResult, BODY_LIMIT, api_method_not_allowed, api_not_found, json_failures,
};

pub const API_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub fn api(state: AppState) -> Router {
    // Sync bodies are larger and may come gzip-compressed; the limit applies before and after
    // decompression. A sync is worked on once its body has arrived and a slot is free.
    let sync = Router::new()
        .route("/sync", post(sync::sync))
        .layer(RequestDecompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sync::in_turn,
        ))
        .layer(DefaultBodyLimit::max(sync::SYNC_BODY_LIMIT));
    Router::new()
        .merge(sync)
        .route("/health", get(health))
        .route("/records/{id}", get(records::get))
        .route("/records/{id}/file", get(files::download))
        .route("/files/{sha256}", get(files::progress))
        .route("/files/{sha256}/proof", post(files::proof))
        .route(
            "/files/{sha256}/chunks",
            post(files::chunk).layer(DefaultBodyLimit::max(
                model::files::MAX_CHUNK_BYTES as usize,
            )),
        )
        .route("/auth/login", post(account::login))
        .route("/auth/logout", post(account::logout))
        .route("/me", get(account::me))
        .route("/me/password", post(account::change_password))
        .route("/schools", get(schools::list).post(schools::create))
        .route("/schools/{id}/programme.xlsx", get(support::programme))
        .route("/specialists", get(support::specialists))
        .route("/consultations.xlsx", get(support::consultations))
        .route("/reserve.xlsx", get(reserve::registry))
        .route("/workplan.xlsx", get(workplan::plan))
        .route(
            "/schools/{id}/annual-report.xlsx",
            get(workplan::annual_report),
        )
        .route("/schools/{id}/flags", put(schools::set_flags))
        .route(
            "/indices/preview",
            post(indices::preview).layer(DefaultBodyLimit::max(crate::indices::MAX_FILE_BYTES)),
        )
        .route(
            "/indices/import",
            post(indices::import).layer(DefaultBodyLimit::max(crate::indices::MAX_FILE_BYTES)),
        )
        .route("/tests/start", post(tests::start))
        .route("/campaigns/{id}/export.xlsx", get(exports::campaign))
        .route("/campaigns/{id}/anonymous", post(anonymous::ticket))
        .route("/campaigns/{id}/summary", get(anonymous::summary))
        .route("/campaigns/{id}/medians", get(anonymous::medians))
        .route(
            "/templates",
            post(templates::upload).layer(DefaultBodyLimit::max(
                model::forms::template::MAX_TEMPLATE_BYTES,
            )),
        )
        .route("/users", get(users::list).post(users::create))
        .route("/users/{user_id}/disable", post(users::disable))
        .route("/users/{user_id}/enable", post(users::enable))
        .route("/users/{user_id}/password", post(users::reset_password))
        .route(
            "/users/{user_id}/schools/{school_id}",
            put(users::assign).delete(users::unassign),
        )
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(json_failures))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(packs_well)))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // API answers are data, never documents: nothing in them may load or run.
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CONTENT_SECURITY_POLICY),
        ))
        .with_state(state)
}

async fn health(State(state): State<AppState>) -> AppResult<axum::Json<Health>> {
    Ok(axum::Json(Health {
        ok: true,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        demo: crate::demo::is_demo(&state.db).await?,
    }))
}

/// Whether an answer is worth packing on the way: JSON and text are (a sync's answer shrinks
/// about five times); attached files and XLSX exports are packed already (PDF, office files,
/// scans), so gzip would cost the server time for nothing and hide their length from the
/// browser's progress.
fn packs_well(
    _: axum::http::StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("application/json") || t.starts_with("text/"))
}
/// Parses an id from the URL path, with a clear error.
fn parse_id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw)
        .map_err(|_| ApiError::bad_request(format!("Неверный идентификатор {what}.")))
}

/// `?year=Y` of a document of one year.
#[derive(serde::Deserialize)]
pub struct YearQuery {
    pub year: i64,
}

/// The query of a request for a year's document, when it reads and its year (`year` of it) is
/// one of [`model::WORK_YEARS`]; otherwise the bad request `ask`, which says how to name it.
fn work_year<Q>(
    q: Result<Query<Q>, QueryRejection>,
    year: impl Fn(&Q) -> i64,
    ask: &str,
) -> Result<Q, ApiError> {
    q.ok()
        .map(|Query(q)| q)
        .filter(|q| model::WORK_YEARS.contains(&year(q)))
        .ok_or_else(|| ApiError::bad_request(ask))
}

/// The person asking for a spreadsheet, holding their one turn for it: taken before anything
/// is read, so someone asking for hundreds at once holds no more than one export's records in
/// memory and one of the database's connections; the next is refused until it is done.
pub(crate) struct Exporting {
    pub user: CurrentUser,
    _turn: crate::by_person::Underway,
}

impl axum::extract::FromRequestParts<AppState> for Exporting {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> AppResult<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Some(turn) = state.exports_by_person.begin(user.profile.id, 1) else {
            return Err(ApiError {
                retry_after_secs: Some(EXPORT_BUSY_RETRY_SECS),
                ..ApiError::new(
                    model::ErrorCode::TooManyAttempts,
                    "Предыдущая выгрузка ещё готовится. Дождитесь её файла и скачайте \
                     следующую.",
                )
            }
            .into());
        };
        Ok(Exporting { user, _turn: turn })
    }
}

/// When a person whose export is under way may ask for the next one.
const EXPORT_BUSY_RETRY_SECS: u64 = 5;

/// Spreadsheets built at once (one: each takes a processor while it is built).
static SPREADSHEET_TURN: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Builds a spreadsheet one at a time and off the threads that answer requests
/// (`block_in_place` hands this thread's other requests to another): on a server with two
/// processors, two large exports at once would otherwise hold up every sync and sign-in until
/// they were done.
async fn spreadsheet(
    build: impl FnOnce() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError>,
) -> AppResult<Vec<u8>> {
    let _turn = SPREADSHEET_TURN
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    // (A runtime of one thread, as a test's, has no other thread to hand its requests to.)
    let multi_thread = tokio::runtime::Handle::current().runtime_flavor()
        == tokio::runtime::RuntimeFlavor::MultiThread;
    let bytes = if multi_thread {
        tokio::task::block_in_place(build)
    } else {
        build()
    };
    bytes.map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))
}
