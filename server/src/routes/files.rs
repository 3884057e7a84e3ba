//! The bytes of attached files (`model::files`): a device uploads a file in pieces, going on
//! from what the server already holds, so a cut connection costs one piece at most; a person
//! downloads the file of an attachment record they may read.
//!
//! - `GET /api/files/{sha256}`: whether the server holds the file, or how much of the person's
//!   own upload of it;
//! - `POST /api/files/{sha256}/chunks?start=…&size=…`: the piece that starts at `start` of a
//!   file of `size` bytes;
//! - `POST /api/files/{sha256}/proof`: the proof that the person has the whole file
//!   (`model::files::FileProof`), from a device that finds the file already on the server;
//! - `GET /api/records/{id}/file`: the file an attachment names, when whoever attached it is
//!   known to hold it (see `model::files`); one range of it with `Range: bytes=from-to`.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use model::ApiError;
use model::files::{self, FileProgress, FileProof, MAX_CHUNK_BYTES};
use serde::Deserialize;

use super::parse_id;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiBytes, ApiJson, AppResult};
use crate::storage::{ChunkError, Proof};

fn parse_sha(raw: &str) -> Result<&str, ApiError> {
    if files::is_sha256(raw) {
        Ok(raw)
    } else {
        Err(ApiError::bad_request(
            "Неверное имя файла (ожидается SHA-256 строчными шестнадцатеричными цифрами).",
        ))
    }
}

pub async fn progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(sha): Path<String>,
) -> AppResult<Json<FileProgress>> {
    let sha = parse_sha(&sha)?;
    Ok(Json(state.db.file_progress(sha, user.profile.id).await?))
}

pub async fn proof(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(sha): Path<String>,
    ApiJson(proof): ApiJson<FileProof>,
) -> AppResult<Json<FileProgress>> {
    let sha = parse_sha(&sha)?;
    let person = user.profile.id;
    // The app proves one file at a time; many at once would only queue up whole files to read.
    let Some(_one) = state.proofs_by_person.begin(person, 1) else {
        return Err(ApiError {
            retry_after_secs: Some(2),
            ..ApiError::new(
                model::ErrorCode::TooManyAttempts,
                "Файл с этой учётной записью уже проверяется (с другого компьютера или вкладки). \
                 Проверка повторится сама через несколько секунд.",
            )
        }
        .into());
    };
    match state.db.prove_file(person, sha, &proof.digest).await? {
        Proof::Right => Ok(Json(state.db.file_progress(sha, person).await?)),
        Proof::Wrong => {
            tracing::info!(%person, sha, "wrong proof of holding a file");
            Err(ApiError::conflict(
                "Файл на этом компьютере не совпадает с файлом на сервере под тем же именем. \
                 Удалите этот файл из записи и прикрепите его заново.",
            )
            .into())
        }
        Proof::NoWholeFile => Err(ApiError::new(
            model::ErrorCode::NotFound,
            "Этого файла ещё нет на сервере целиком: он будет отправлен с этого компьютера.",
        )
        .into()),
        Proof::Wait { until } => {
            let wait = ((until - crate::storage::now_ms()).max(1) as u64).div_ceil(1000);
            Err(ApiError {
                retry_after_secs: Some(wait),
                ..ApiError::new(
                    model::ErrorCode::TooManyAttempts,
                    format!(
                        "С этой учётной записи слишком часто присылали неверное подтверждение \
                         файла. Следующая проверка — через {}.",
                        model::error::seconds_ru(wait)
                    ),
                )
            }
            .into())
        }
    }
}

#[derive(Deserialize)]
pub struct ChunkAt {
    start: u64,
    size: u64,
}

pub async fn chunk(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(sha): Path<String>,
    at: Result<Query<ChunkAt>, QueryRejection>,
    ApiBytes(body): ApiBytes,
) -> AppResult<Json<FileProgress>> {
    let sha = parse_sha(&sha)?;
    let Query(at) = at.map_err(|_| {
        ApiError::bad_request(
            "Укажите, с какого байта эта часть файла и размер файла: start, size.",
        )
    })?;
    if body.len() as u64 > MAX_CHUNK_BYTES {
        return Err(ApiError::payload_too_large().into());
    }
    if at.size > files::MAX_FILE_BYTES {
        return Err(ApiError::validation(
            "size",
            format!(
                "Файл больше {} МБ: такой файл не принимается.",
                files::MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .into());
    }
    match state
        .db
        .put_file_chunk(
            user.profile.id,
            sha,
            (at.size, at.start),
            &body,
            state.files_per_person,
        )
        .await
    {
        Ok(progress) => Ok(Json(progress)),
        Err(ChunkError::Db(e)) => Err(e.into()),
        Err(ChunkError::SizeDiffers | ChunkError::BeyondEnd) => Err(ApiError::conflict(
            "Размер файла не совпадает с тем, что уже получил сервер. Удалите этот файл из \
             записи и прикрепите его заново.",
        )
        .into()),
        Err(ChunkError::TooSmall) => Err(ApiError::bad_request(format!(
            "Часть файла меньше {} байт, а она не последняя: такие части не принимаются.",
            files::MIN_CHUNK_BYTES
        ))
        .into()),
        Err(ChunkError::Corrupt) => Err(ApiError::conflict(
            "Файл повредился при передаче и не сохранён на сервере; он будет отправлен заново.",
        )
        .into()),
        Err(ChunkError::TooManyUnfinished) => Err(ApiError::conflict(format!(
            "У вас уже {} недогруженных файлов: дождитесь, пока они отправятся, и повторите.",
            crate::storage::MAX_UNFINISHED_PER_PERSON
        ))
        .into()),
        Err(ChunkError::PersonFull) => Err(ApiError::conflict(format!(
            "Файл не принят: ваши файлы на сервере заняли бы больше {} МБ — это предел для \
             одного человека. Обратитесь к администратору наставнического центра.",
            state.files_per_person >> 20
        ))
        .into()),
    }
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let id = parse_id(&id, "записи")?;
    let actor = state.db.actor(&user.profile).await?;
    let record = state.db.record_for(&actor, id).await?;
    let Some(file) = files::file_of(&record) else {
        return Err(ApiError::not_found().into());
    };
    // A file of a withdrawn (deleted) record is gone with it.
    if let Some(parent) = record.parent {
        let parent = state.db.record_for(&actor, parent).await?;
        if parent.is_deleted() {
            return Err(ApiError::not_found().into());
        }
    }
    // Only a file its author holds: knowing a file's hash is not having it.
    let held = match record.owner {
        Some(author) => state.db.holds_file(author, &file.sha256).await?,
        None => false,
    };
    let stored = if held {
        state.db.complete_file(&file.sha256).await?
    } else {
        None
    }
    // The attachment must describe the file it names (its size too), not only its hash.
    .filter(|stored| stored.size == file.size);
    let Some(stored) = stored else {
        return Err(ApiError::new(
            model::ErrorCode::NotFound,
            "Файл ещё не загружен на сервер с компьютера, где его прикрепили. Он появится, \
             когда тот компьютер выйдет на связь.",
        )
        .into());
    };
    let mime = files::mime_of(&file.name).unwrap_or("application/octet-stream");
    let disposition = format!(
        "attachment; filename=\"file\"; filename*=UTF-8''{}",
        percent_encode(&file.name)
    );
    // A part of it when asked (`Range: bytes=from-to`), so that a cut connection costs one part:
    // a rural link may not carry 20 MB in one go. Any other range is answered with the whole.
    let range = requested_range(&headers, stored.size);
    let (from, to) = range.unwrap_or((0, stored.size - 1));
    // Whoever receives it (its last part, for a download in parts) holds it now, and may attach
    // it elsewhere without sending it back.
    if to + 1 == stored.size && !state.db.holds_file(user.profile.id, &file.sha256).await? {
        state
            .db
            .file_given_to(user.profile.id, &file.sha256)
            .await?;
    }
    // Piece by piece: a download holds one piece (at most 256 KiB) in memory at a time, however
    // large the file and however slow the link that receives it.
    let mut wanted = Vec::new();
    for (i, &start) in stored.starts.iter().enumerate() {
        let start = start as u64;
        let end = stored
            .starts
            .get(i + 1)
            .map_or(stored.size, |&next| next as u64);
        if end > from && start <= to {
            // The part of this piece that is wanted, as offsets into it.
            let skip = from.saturating_sub(start) as usize;
            let until = (to + 1).min(end) - start;
            wanted.push((start, skip, until as usize));
        }
    }
    let db = state.db.clone();
    let sha = file.sha256.clone();
    let pieces = futures_util::stream::iter(wanted).then(move |(start, skip, until)| {
        let (db, sha) = (db.clone(), sha.clone());
        async move {
            let piece = db
                .file_piece(&sha, start as i64)
                .await
                .map_err(std::io::Error::other)?;
            if skip > until || until > piece.len() {
                return Err(std::io::Error::other(
                    "a piece is shorter than the file says",
                ));
            }
            Ok(axum::body::Bytes::from(piece).slice(skip..until))
        }
    });
    let mut response = Body::from_stream(pieces).into_response();
    if range.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    let headers = response.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(to + 1 - from));
    if range.is_some()
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {from}-{to}/{}", stored.size))
    {
        headers.insert(header::CONTENT_RANGE, v);
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// The one range of bytes `Range: bytes=from-to` (or `from-`) asks of a file of `size` bytes,
/// when it lies within the file; `None` for no range, several, or one outside the file (the
/// whole file is sent then, as HTTP allows).
fn requested_range(headers: &HeaderMap, size: u64) -> Option<(u64, u64)> {
    let spec = headers
        .get(header::RANGE)?
        .to_str()
        .ok()?
        .trim()
        .strip_prefix("bytes=")?;
    let (from, to) = spec.split_once('-')?;
    let from: u64 = from.trim().parse().ok()?;
    let last = size.checked_sub(1)?;
    let to = match to.trim() {
        "" => last,
        to => to.parse::<u64>().ok()?.min(last),
    };
    (from <= to).then_some((from, to))
}

/// RFC 5987 encoding of a file name (letters and digits as they are, every other byte %XX).
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
