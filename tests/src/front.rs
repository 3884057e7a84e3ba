//! A web front for update tests: it serves the app's bundle from a folder the test chooses and
//! can switch to another build at any moment, as a server replaced by a newer version would;
//! every other request (the API) goes on to the real server. [`next_build`] makes a second
//! build out of the first one; [`same_build_again`] a service worker that brings no new build.
//! It can also hold the server's answers to syncs, as a slow link does, while the test acts in
//! the page ([`Front::hold_sync_answers`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;

pub struct Front {
    pub port: u16,
    dist: Arc<Mutex<PathBuf>>,
    hold: tokio::sync::watch::Sender<bool>,
    /// Answers to syncs that the server has given and that are held back now.
    held: Arc<AtomicUsize>,
}

impl Front {
    /// Serves the bundle in `dist` and passes the rest to the server on `upstream_port`.
    pub async fn start(upstream_port: u16, dist: PathBuf) -> anyhow::Result<Front> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let dist = Arc::new(Mutex::new(dist));
        let serving = dist.clone();
        let http = reqwest::Client::new();
        let (hold, holding) = tokio::sync::watch::channel(false);
        let held = Arc::new(AtomicUsize::new(0));
        let holder = held.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let dist = serving.lock().unwrap().clone();
                let http = http.clone();
                let mut holding = holding.clone();
                let held = holder.clone();
                async move {
                    if let Some(file) = bundle_file(&dist, uri.path()) {
                        return file;
                    }
                    let answer = forward(&http, upstream_port, method, &uri, &headers, body).await;
                    if uri.path() == "/api/sync" && *holding.borrow_and_update() {
                        held.fetch_add(1, Ordering::SeqCst);
                        let _ = holding.wait_for(|on| !on).await;
                        held.fetch_sub(1, Ordering::SeqCst);
                    }
                    answer
                }
            },
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Front {
            port,
            dist,
            hold,
            held,
        })
    }

    /// From now on (`true`), the server's answers to syncs wait here until this is turned off:
    /// the server has taken the request in, the browser does not know it yet.
    pub fn hold_sync_answers(&self, on: bool) {
        self.hold.send_replace(on);
    }

    /// How many answers to syncs are held now.
    pub fn held_sync_answers(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// From now on, serves the bundle in `dist` (the previous one is gone).
    pub fn serve(&self, dist: PathBuf) {
        *self.dist.lock().unwrap() = dist;
    }
}

/// A file of the bundle, or `index.html` for the app's own paths (no extension, not the API).
fn bundle_file(dist: &Path, path: &str) -> Option<Response> {
    if path.starts_with("/api/") {
        return None;
    }
    let name = path.trim_start_matches('/');
    let last = name.rsplit('/').next().unwrap_or_default();
    let file = if name.is_empty() || !last.contains('.') {
        dist.join("index.html")
    } else {
        dist.join(name)
    };
    let kind = match file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" | "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    };
    let response = Response::builder().header(header::CONTENT_TYPE, kind);
    // As the server does: a build's folder never changes, the rest is asked for every time.
    let cache = if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Some(match std::fs::read(&file) {
        Ok(bytes) => response
            .header(header::CACHE_CONTROL, cache)
            .body(Body::from(bytes))
            .unwrap(),
        Err(_) => response
            .status(StatusCode::NOT_FOUND)
            .body(Body::empty())
            .unwrap(),
    })
}

async fn forward(
    http: &reqwest::Client,
    port: u16,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let target = format!(
        "http://127.0.0.1:{port}{}",
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let mut request = http.request(method, target).body(body);
    for (name, value) in headers {
        if ![header::HOST, header::ACCEPT_ENCODING, header::CONNECTION].contains(name) {
            request = request.header(name, value);
        }
    }
    let Ok(answer) = request.send().await else {
        return Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::empty())
            .unwrap();
    };
    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        // The body is passed on as read (decoded, whole).
        if ![
            header::CONTENT_ENCODING,
            header::CONTENT_LENGTH,
            header::TRANSFER_ENCODING,
            header::CONNECTION,
        ]
        .contains(name)
            && let Ok(value) = HeaderValue::from_bytes(value.as_bytes())
        {
            response = response.header(name.as_str(), value);
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response.body(Body::from(bytes)).unwrap()
}

/// The build id of the bundle in `dist` (the name of its folder under `assets/`).
pub fn build_id(dist: &Path) -> anyhow::Result<String> {
    for entry in std::fs::read_dir(dist.join("assets"))? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            return Ok(entry.file_name().to_string_lossy().into_owned());
        }
    }
    anyhow::bail!("no build folder in {}", dist.display())
}

/// Makes in `into` the next version of the bundle in `dist`: the same files under another
/// build id (every mention of the old one replaced, the folder renamed), as a new release
/// would look to the browser. Returns the new id.
pub fn next_build(dist: &Path, into: &Path) -> anyhow::Result<String> {
    let old = build_id(dist)?;
    // Another id of the same length (hex digits turned around), so binaries keep their sizes.
    let new: String = old
        .chars()
        .map(|c| {
            let d = c.to_digit(16).unwrap_or(0);
            std::char::from_digit(15 - d, 16).unwrap_or('0')
        })
        .collect();
    copy(dist, into, &old, &new)?;
    Ok(new)
}

/// Makes in `into` a copy of the bundle in `dist` whose service worker file differs by a
/// comment but brings the same build, as the browser sees a worker it could not compare with
/// the one it keeps.
pub fn same_build_again(dist: &Path, into: &Path) -> anyhow::Result<()> {
    let build = build_id(dist)?;
    copy(dist, into, &build, &build)?;
    let sw = into.join("sw.js");
    let mut text = std::fs::read_to_string(&sw)?;
    text.push_str("\n// The same build, installed again.\n");
    std::fs::write(sw, text)?;
    Ok(())
}

fn copy(from: &Path, to: &Path, old: &str, new: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().replace(old, new);
        if entry.file_type()?.is_dir() {
            copy(&entry.path(), &to.join(&name), old, new)?;
        } else if !name.ends_with(".br") && !name.ends_with(".gz") {
            let bytes = std::fs::read(entry.path())?;
            std::fs::write(
                to.join(&name),
                replace(&bytes, old.as_bytes(), new.as_bytes()),
            )?;
        }
    }
    Ok(())
}

fn replace(bytes: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(old) {
            out.extend_from_slice(new);
            i += old.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
