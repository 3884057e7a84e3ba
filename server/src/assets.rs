//! The app bundle, embedded at build time (see `build.rs`). Files under `/assets/` carry the
//! build hash in their path and are cached for a year; `index.html` and the service worker are
//! revalidated on every load. Brotli or gzip twins are sent when the browser accepts them.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

pub struct Asset {
    pub path: &'static str,
    pub raw: &'static [u8],
    pub br: Option<&'static [u8]>,
    pub gzip: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves a bundle file; any other path without an extension gets `index.html`, so the app's
/// routes work on reload.
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    let asset = find(path).or_else(|| {
        let last = path.rsplit('/').next().unwrap_or_default();
        (!last.contains('.')).then(|| find("/index.html")).flatten()
    });
    let Some(asset) = asset else {
        if ASSETS.is_empty() {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(
                    "<!doctype html><meta charset=utf-8><title>Наставник</title>\
                      <p>Интерфейс приложения не собран. Соберите и запустите сервер командой \
                      <code>cargo xtask run</code>.</p>",
                ),
            )
                .into_response();
        }
        return (StatusCode::NOT_FOUND, "Файл не найден").into_response();
    };

    let accepts = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (body, encoding) = match (asset.br, asset.gzip) {
        (Some(br), _) if accepts.contains("br") => (br, Some("br")),
        (_, Some(gz)) if accepts.contains("gzip") => (gz, Some("gzip")),
        _ => (asset.raw, None),
    };
    let cache = if asset.path.starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(asset.path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(enc) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    response
}
