//! Attached files on this computer (see `model::files`): a chosen file is kept in the local
//! database at once, with its attachment record, so it is never lost to a dropped connection;
//! the sync sends its bytes when the server answers, in pieces that go on where the server
//! stopped (a cut connection costs one piece), smaller pieces while the link keeps failing and
//! larger ones while it holds. A file the server already has is not sent again: the device
//! proves it has it (`model::files::FileProof`), so that the attachment can be read. A file
//! attached elsewhere is fetched when first opened and kept.

use std::collections::BTreeMap;

use model::files::{self, FileRef, MAX_CHUNK_BYTES};
use model::record::Record;
use serde_json::json;

use crate::api::{self, Failure};
use crate::browser;
use crate::store::{LocalFile, Store, Target};
use crate::sync::SyncCtx;
use leptos::prelude::Set;

/// The first piece of the first upload (later ones start at the size the link last carried),
/// and the smallest piece a failing link falls back to.
const FIRST_PIECE: u64 = 32 * 1024;
const SMALLEST_PIECE: u64 = files::MIN_CHUNK_BYTES;
/// Failed pieces in a row before the upload waits for the next sync.
const FAILURES_IN_A_ROW: u32 = 12;

/// Keeps `file` on this computer and attaches it to `parent`. The message says what to do.
pub async fn attach(
    store: Store,
    sync: SyncCtx,
    file: web_sys::File,
    parent: &Record,
) -> Result<(), String> {
    let name = file.name();
    let size = file.size() as u64;
    let mime = files::check_file(&name, size)?;
    let blob: web_sys::Blob = file.into();
    let sha256 = browser::sha256_hex(&blob).await.ok_or_else(|| {
        format!(
            "Не удалось прочитать файл «{name}». Если приложение открыто не по адресу https://, \
             браузер не даёт подготовить файл к отправке: обратитесь к администратору."
        )
    })?;
    store
        .put_file(&LocalFile {
            sha256: sha256.clone(),
            name: name.clone(),
            size,
            blob,
            uploaded: false,
        })
        .await
        .map_err(|e| e.0)?;
    let target = Target {
        id: store.new_id(),
        kind: files::ATTACHMENT_KIND,
        scope: parent.scope.clone(),
        parent: Some(parent.id),
    };
    let fields = BTreeMap::from([
        (files::F_NAME.to_owned(), json!(name)),
        (files::F_MIME.to_owned(), json!(mime)),
        (files::F_SIZE.to_owned(), json!(size)),
        (files::F_SHA256.to_owned(), json!(sha256)),
    ]);
    store.edit_now(&target, fields).await.map_err(|e| e.0)?;
    sync.edited();
    Ok(())
}

/// Sends every file kept here that the server does not have whole yet. Stops at the first
/// connection failure that keeps coming back (the next sync goes on); a file the server refuses
/// is said in words and the others still go.
pub async fn upload_pending(
    store: Store,
    view: SyncCtx,
    person: uuid::Uuid,
    token: &str,
) -> Result<(), Failure> {
    // Files kept here before the server needed holders shown (see `model::files`) go once more.
    let _ = store
        .offer_files_again_once("files-offered-for-holders")
        .await;
    // Only files some attachment here still names: a file whose attachment was removed (or
    // refused) is not sent.
    let named: std::collections::BTreeSet<String> =
        match store.by_kind(files::ATTACHMENT_KIND).await {
            Ok(list) => list
                .iter()
                .filter_map(files::file_of)
                .map(|f| f.sha256)
                .collect(),
            Err(_) => return Ok(()),
        };
    let pending: Vec<String> = match store.kept_files().await {
        Ok(list) => list
            .into_iter()
            .filter(|(sha, uploaded)| !uploaded && named.contains(sha))
            .map(|(sha, _)| sha)
            .collect(),
        Err(_) => return Ok(()),
    };
    let result = async {
        for sha in pending {
            // Another person signed in here meanwhile: their computer's files are theirs to send.
            if store.owner() != Some(person) {
                break;
            }
            let Ok(Some(file)) = store.file(&sha).await else {
                continue;
            };
            match upload(view, person, token, &file).await {
                Ok(()) if store.owner() != Some(person) => break,
                Ok(()) => {
                    let _ = store.mark_uploaded(&sha).await;
                }
                Err(Failure::Offline) => return Err(Failure::Offline),
                Err(f @ Failure::Api(_)) if f.is_unauthorized() || f.is_account_disabled() => {
                    return Err(f);
                }
                Err(f) => view.error.set(Some(format!(
                    "Файл «{}» не отправлен: {}",
                    file.name,
                    f.message()
                ))),
            }
        }
        Ok(())
    }
    .await;
    view.upload.set(None);
    result
}

async fn upload(
    view: SyncCtx,
    person: uuid::Uuid,
    token: &str,
    file: &LocalFile,
) -> Result<(), Failure> {
    let mut progress = api::file_progress(token, &file.sha256).await?;
    let mut piece = view.piece_size().unwrap_or(FIRST_PIECE);
    let mut failures = 0;
    let mut successes = 0;
    while !progress.complete {
        view.upload
            .set(Some((file.name.clone(), progress.received, file.size)));
        let start = progress.received;
        let end = (start + piece).min(file.size);
        let Some(bytes) = browser::blob_bytes(&file.blob, start, end).await else {
            return Err(Failure::Api(model::ApiError::new(
                model::ErrorCode::Internal,
                "файл на этом компьютере не читается; прикрепите его заново.",
            )));
        };
        match api::file_chunk(token, &file.sha256, file.size, start, bytes).await {
            Ok(p) => {
                if !files::piece_advanced(start, &p) {
                    // The server took nothing from this piece (the file here is shorter than
                    // its description): stop rather than send it again and again.
                    return Err(Failure::Api(model::ApiError::new(
                        model::ErrorCode::Internal,
                        "файл на этом компьютере повреждён; прикрепите его заново.",
                    )));
                }
                progress = p;
                failures = 0;
                successes += 1;
                if successes >= 2 {
                    piece = (piece * 2).min(MAX_CHUNK_BYTES);
                    successes = 0;
                }
                view.remember_piece_size(piece);
            }
            Err(Failure::Offline) => {
                failures += 1;
                successes = 0;
                piece = (piece / 2).max(SMALLEST_PIECE);
                view.remember_piece_size(piece);
                if failures >= FAILURES_IN_A_ROW {
                    return Err(Failure::Offline);
                }
                gloo_timers::future::TimeoutFuture::new(300 * failures).await;
                // Where the server stopped (the answer to the last piece may be what was lost).
                match api::file_progress(token, &file.sha256).await {
                    Ok(p) => progress = p,
                    Err(Failure::Offline) => {}
                    Err(f) => return Err(f),
                }
            }
            Err(f) => return Err(f),
        }
    }
    if !progress.held {
        // Someone sent the same file before: show the server this computer has it too.
        view.upload
            .set(Some((file.name.clone(), file.size, file.size)));
        let parts = js_sys::Array::of2(
            &wasm_bindgen::JsValue::from_str(&files::proof_input(person)),
            &file.blob,
        );
        let digest = match web_sys::Blob::new_with_blob_sequence(&parts) {
            Ok(whole) => browser::sha256_hex(&whole).await,
            Err(_) => None,
        };
        let Some(digest) = digest else {
            return Err(Failure::Api(model::ApiError::new(
                model::ErrorCode::Internal,
                "файл на этом компьютере не читается; прикрепите его заново.",
            )));
        };
        api::file_proof(token, &file.sha256, &files::FileProof { digest }).await?;
    }
    Ok(())
}

/// The first part of a download, and the largest (a failing link falls back to parts as small
/// as an upload's smallest piece).
const FIRST_PART: u64 = 256 * 1024;

/// Downloads the bytes of `file` in parts that go on where the last one ended (a cut connection
/// costs one part, not the whole file), smaller while the link keeps failing and larger while it
/// holds. Before the server has answered at all, three failures in a row mean no connection.
async fn download(token: &str, attachment: uuid::Uuid, file: &FileRef) -> Result<Vec<u8>, Failure> {
    let mut got: Vec<u8> = Vec::with_capacity(file.size as usize);
    let mut part = FIRST_PART;
    let mut failures = 0;
    let mut answered = false;
    while (got.len() as u64) < file.size {
        let from = got.len() as u64;
        let to = (from + part).min(file.size) - 1;
        let asked = to + 1 - from;
        let cut = match api::attached_file_part(token, attachment, (from, to)).await {
            Ok(Some((bytes, whole))) => {
                answered = true;
                let expected = if whole { file.size } else { asked };
                let len = bytes.len() as u64;
                if len > expected {
                    return Err(arrived_broken());
                }
                if whole && len == file.size {
                    got = bytes;
                    break;
                }
                if whole || len == 0 {
                    // Cut short on the way: again. (A browser rejects an answer cut short;
                    // what arrives short anyway is taken as far as it goes.)
                    true
                } else {
                    // What arrived of the part goes on from where it ended.
                    got.extend_from_slice(&bytes);
                    failures = 0;
                    if len == asked {
                        part = (part * 2).min(FIRST_PART);
                    }
                    false
                }
            }
            Ok(None) => {
                answered = true;
                true
            }
            Err(Failure::Offline) => true,
            Err(f) => return Err(f),
        };
        if cut {
            failures += 1;
            if failures >= if answered { FAILURES_IN_A_ROW } else { 3 } {
                return Err(Failure::Offline);
            }
            part = (part / 2).max(files::MIN_CHUNK_BYTES);
            gloo_timers::future::TimeoutFuture::new(300 * failures).await;
        }
    }
    Ok(got)
}

fn arrived_broken() -> Failure {
    Failure::Api(model::ApiError::new(
        model::ErrorCode::Internal,
        "файл пришёл с сервера повреждённым; откройте его ещё раз.",
    ))
}

/// The file of an attachment: from this computer, or fetched from the server and kept here.
pub async fn fetch(
    store: Store,
    token: Option<String>,
    attachment: &Record,
) -> Result<LocalFile, String> {
    let file: FileRef = files::file_of(attachment).ok_or("Файл удалён.")?;
    if let Ok(Some(local)) = store.file(&file.sha256).await {
        return Ok(local);
    }
    let token = token.ok_or("Войдите в систему, чтобы получить файл.")?;
    let bytes = download(&token, attachment.id, &file)
        .await
        .map_err(|f| match f {
            Failure::Offline => "Файла нет на этом компьютере, а связи с сервером нет. Откройте \
                                 его, когда связь появится, или заранее сохраните для работы \
                                 без сети."
                .to_owned(),
            other => other.message(),
        })?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&file.mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(
        &js_sys::Array::of1(&array),
        &options,
    )
    .map_err(|_| "Браузер не смог сохранить файл.".to_owned())?;
    // Put together from parts: kept only when it is the very file the attachment names (where
    // the browser can hash at all: not off HTTPS).
    if browser::sha256_hex(&blob)
        .await
        .is_some_and(|sum| sum != file.sha256)
    {
        return Err(arrived_broken().message());
    }
    let local = LocalFile {
        sha256: file.sha256,
        name: file.name,
        size: file.size,
        blob,
        uploaded: true,
    };
    store.put_file(&local).await.map_err(|e| e.0)?;
    Ok(local)
}
