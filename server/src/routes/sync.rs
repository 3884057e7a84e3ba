//! `POST /api/sync`: push and pull in one round trip. The request may come gzip-compressed
//! (the browser's CompressionStream); the answer is gzip-compressed here while it is built, so a
//! page of changes is bounded by its compressed size.

use std::io::Write as _;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::GzEncoder;
use model::ApiError;
use model::hlc::DeviceId;
use model::sync::{MAX_PUSH, PROTOCOL_VERSION, SyncRequest};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiJson, AppError, AppResult};
use crate::storage::now_ms;

/// Decompressed size limit of a sync request.
pub const SYNC_BODY_LIMIT: usize = 4 * 1024 * 1024;
/// A page of changes stops growing past this many compressed bytes: on a 2G link it takes a few
/// seconds, so a dropped connection costs little.
pub const PAGE_BUDGET: usize = 128 * 1024;
/// The most log rows one page looks at, and how many are read at a time: each read is a
/// hand-off to the database's thread, and after a push of 500 changes the device's own (and
/// the server's stamps on them) are 1,000 rows to pass over.
const PAGE_ROWS: usize = 20_000;
const PAGE_CHUNK: usize = 500;
/// How many syncs are worked on at once; the others wait their turn (see [`in_turn`]).
pub const SYNC_SLOTS: usize = 8;
/// The bytes of request bodies one person's syncs may hold at once while they arrive and wait
/// for a slot: four of the largest. A body counts as large as it says it is (as the largest when
/// it does not say), before it is read. Many small syncs of one login (a school's computers)
/// fit; hundreds of large ones held open do not.
pub const SYNC_BYTES_PER_PERSON: u64 = 4 * SYNC_BODY_LIMIT as u64;
/// How long a person told to wait is asked to wait.
const PERSON_BUSY_RETRY_SECS: u64 = 5;

/// Lets a sync request through once one of the [`SYNC_SLOTS`] is free, holding it until the
/// answer is ready. Its session is checked first (nobody unknown gets a body read), then its
/// body is taken off the wire, still compressed, so a device on a slow link does not keep a
/// slot while it uploads; everything after that takes place in the slot: decompressing,
/// reading the JSON, the batch and the page. The database takes only a few writers and readers
/// at a time anyway (its pool), and a sync holds up to a megabyte while it is worked on (the
/// decompressor, the request, a compressor, a chunk of rows, the page), so 200 devices syncing
/// at once do not take 200 of them. The handler finds the signed-in user in the request.
pub async fn in_turn(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> AppResult<Response> {
    let (mut parts, body) = req.into_parts();
    let user = CurrentUser::from_request_parts(&mut parts, &state).await?;
    // A person's syncs are bounded before their bodies are read: hundreds of them at once
    // would each hold a body in memory while waiting.
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .unwrap_or(SYNC_BODY_LIMIT as u64)
        .min(SYNC_BODY_LIMIT as u64);
    let Some(_underway) = state.syncs_by_person.begin(user.profile.id, declared) else {
        return Err(ApiError {
            retry_after_secs: Some(PERSON_BUSY_RETRY_SECS),
            ..ApiError::new(
                model::ErrorCode::TooManyAttempts,
                "С вашей учётной записью уже идёт несколько обменов одновременно (с других \
                 компьютеров или вкладок). Обмен повторится сам через несколько секунд.",
            )
        }
        .into());
    };
    let body = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(ApiError::payload_too_large().into());
        }
        Err(rejection) => {
            tracing::debug!(%rejection, "a sync request did not arrive whole");
            return Err(ApiError::bad_request(
                "Данные синхронизации не дошли до сервера целиком: обмен повторится сам.",
            )
            .into());
        }
    };
    let _slot = state
        .sync_slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    parts.extensions.insert(user);
    Ok(next.run(Request::from_parts(parts, Body::from(body))).await)
}

pub async fn sync(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SyncRequest>,
) -> AppResult<Response> {
    if req.protocol != PROTOCOL_VERSION {
        return Err(ApiError::bad_request(
            "Версия приложения устарела для обмена с сервером: обновите страницу (данные на компьютере сохранятся).",
        )
        .into());
    }
    if req.changes.len() > 2 * MAX_PUSH {
        return Err(ApiError::payload_too_large().into());
    }
    // The server signs its own writes with this id: a device's write signed with it could
    // take the place of one of them (a write is known by its clock, which names its device).
    if req.device == DeviceId::server() {
        return Err(ApiError::bad_request(
            "Неверный номер компьютера для обмена с сервером: обновите страницу.",
        )
        .into());
    }
    let actor = state.db.actor(&user.profile).await?;
    // A device that last saw another epoch (the database was restored from a copy since) is
    // told the new one first and sends everything again; none of this batch is judged
    // against a database it did not know.
    let same_epoch = req.epoch.is_empty() || req.epoch == state.db.epoch();
    let mutations = if same_epoch {
        req.mutations()
    } else {
        Vec::new()
    };
    let plan = state.db.sync_push(&actor, &req.device, mutations).await?;

    // The grants changed (a school assigned or taken away): everything again from the start,
    // the device's own changes too, so that it can drop what it may no longer hold.
    // (A device's first sync starts from the beginning too, with nothing to drop.)
    let scopes_key = actor.grants_key();
    let reset = !req.scopes_key.is_empty() && req.scopes_key != scopes_key;
    let from = if req.scopes_key == scopes_key {
        req.cursor
    } else {
        0
    };
    let with_own = reset || req.full;
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let mut out = Output::new(gzip);
    let to_json = |e: serde_json::Error| AppError::Internal(e.into());
    let refused = serde_json::to_string(&plan.refused).map_err(to_json)?;
    let restamped = serde_json::to_string(&plan.restamped).map_err(to_json)?;
    let unreadable = serde_json::to_string(&plan.unreadable).map_err(to_json)?;
    out.write(
        format!(
            r#"{{"protocol":{PROTOCOL_VERSION},"acked_upto":{},"refused":{refused},"restamped":{restamped},"unreadable":{unreadable},"reset":{reset},"changes":["#,
            plan.acked_upto,
        )
        .as_bytes(),
    )?;
    // The page is filled a few hundred log rows at a time until its compressed size reaches
    // the budget, so memory per request stays small however far behind the device is.
    let mut cursor = from;
    let mut first = true;
    let mut complete = false;
    let mut scanned = 0;
    // A device already has its own changes (unless it is receiving everything again).
    let without = (!with_own).then_some(&req.device);
    'page: while !complete {
        let rows = state
            .db
            .changes_after(&actor, without, cursor, PAGE_CHUNK)
            .await?;
        complete = rows.len() < PAGE_CHUNK;
        for (seq, body) in rows.iter() {
            if out.size() >= PAGE_BUDGET || scanned >= PAGE_ROWS {
                complete = false;
                break 'page;
            }
            scanned += 1;
            cursor = seq;
            let Some(body) = body else { continue };
            if !first {
                out.write(b",")?;
            }
            first = false;
            out.write(body.as_bytes())?;
        }
    }
    let remaining = if complete {
        0
    } else {
        // (The device's own changes count too while it receives everything again, or the pass
        // would end before them.)
        let other_than = (!with_own).then_some(&req.device);
        state
            .db
            .changes_remaining(&actor, other_than, cursor)
            .await?
    };
    let more = !complete && remaining > 0;
    out.write(
        format!(
            r#"],"cursor":{cursor},"more":{more},"remaining":{remaining},"scopes_key":{},"server_time_ms":{},"epoch":{}}}"#,
            serde_json::Value::String(scopes_key),
            now_ms(),
            serde_json::Value::String(state.db.epoch().to_owned()),
        )
        .as_bytes(),
    )?;
    Ok(out.into_response())
}

/// The answer body, gzip-compressed as it is written when the client accepts it.
enum Output {
    Gzip(Box<GzEncoder<Vec<u8>>>),
    Plain(Vec<u8>),
}

impl Output {
    fn new(gzip: bool) -> Output {
        if gzip {
            Output::Gzip(Box::new(GzEncoder::new(Vec::new(), Compression::new(6))))
        } else {
            Output::Plain(Vec::new())
        }
    }

    fn write(&mut self, bytes: &[u8]) -> AppResult<()> {
        match self {
            Output::Gzip(e) => e.write_all(bytes),
            Output::Plain(v) => v.write_all(bytes),
        }
        .map_err(|e| AppError::Internal(e.into()))
    }

    /// Bytes on the wire so far (compressed output lags its input by the encoder's window).
    fn size(&self) -> usize {
        match self {
            Output::Gzip(e) => e.get_ref().len(),
            Output::Plain(v) => v.len() / 4,
        }
    }

    fn into_response(self) -> Response {
        let (body, gzip) = match self {
            Output::Gzip(e) => (e.finish().unwrap_or_default(), true),
            Output::Plain(v) => (v, false),
        };
        let mut res = Body::from(body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if gzip {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        res
    }
}
