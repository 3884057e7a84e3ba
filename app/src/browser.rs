//! Browser features reached through a few lines of JavaScript (shipped as a module next to the
//! app, allowed by the CSP): gzip via CompressionStream, Web Locks so that only one tab of a
//! user syncs at a time, asking the service worker to keep chunks of the app offline, the
//! SHA-256 of a file (Web Crypto) and handing a file to the browser to open or save.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
export async function gzip(bytes) {
  if (typeof CompressionStream === 'undefined') return null;
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
export async function keepOffline(areas) {
  if (!('serviceWorker' in navigator)) return false;
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (!worker) return false;
  // An update waiting to go live keeps them too, so it does not arrive without them.
  if (registration.waiting) registration.waiting.postMessage({ keep: areas });
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data === true);
    worker.postMessage({ keep: areas }, [channel.port2]);
  });
}
export async function sha256Hex(blob) {
  if (!(self.crypto && crypto.subtle)) return null;
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
let pageHidden;
let hidden = new Promise((resolve) => { pageHidden = resolve; });
addEventListener('pagehide', () => {
  pageHidden('hidden');
  hidden = new Promise((resolve) => { pageHidden = resolve; });
});
export function withLock(name, task, waitMs, steal, keepWhenHidden) {
  if (!navigator.locks || !navigator.locks.request) return task();
  // A page the browser puts aside lets go of the lock at once (its work stops anyway), unless
  // the lock is what makes the browser evict it when another page wants the same thing.
  const run = () => (keepWhenHidden ? task() : Promise.race([task(), hidden]));
  if (steal) return navigator.locks.request(name, { steal: true }, run);
  // Waiting (not `ifAvailable`) tells the browser the lock is wanted, so a page it keeps in
  // its back-forward cache is evicted instead of holding the lock there.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), waitMs);
  return navigator.locks
    .request(name, { signal: controller.signal }, () => { clearTimeout(timer); return run(); })
    .catch((e) => { if (e && e.name === 'AbortError') return 'busy'; throw e; });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = gzip)]
    fn gzip_js(bytes: &[u8]) -> Promise;
    #[wasm_bindgen(js_name = keepOffline)]
    fn keep_offline_js(areas: Vec<String>) -> Promise;
    #[wasm_bindgen(js_name = sha256Hex)]
    fn sha256_hex_js(blob: &web_sys::Blob) -> Promise;
    #[wasm_bindgen(js_name = saveBlob)]
    fn save_blob_js(blob: &web_sys::Blob, name: &str);
    #[wasm_bindgen(js_name = withLock)]
    fn with_lock_js(
        name: &str,
        task: &JsValue,
        wait_ms: u32,
        steal: bool,
        keep_when_hidden: bool,
    ) -> Promise;
}

/// The bytes gzip-compressed, or `None` where the browser cannot compress.
pub async fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let value = JsFuture::from(gzip_js(bytes)).await.ok()?;
    value
        .dyn_into::<Uint8Array>()
        .ok()
        .map(|array| array.to_vec())
}

/// Asks the service worker to keep the chunks of `areas` (see `routes.rs`) on this computer;
/// `true` once they all are.
pub async fn keep_offline(areas: &[&str]) -> bool {
    let areas = areas.iter().map(|a| (*a).to_owned()).collect();
    JsFuture::from(keep_offline_js(areas))
        .await
        .is_ok_and(|v| v.is_truthy())
}

/// The SHA-256 of a file in lowercase hex (`None`: the browser offers no Web Crypto here — the
/// app is not served over HTTPS — or could not read the file).
pub async fn sha256_hex(blob: &web_sys::Blob) -> Option<String> {
    JsFuture::from(sha256_hex_js(blob))
        .await
        .ok()
        .and_then(|v| v.as_string())
}

/// Hands a file to the browser, which opens or saves it as it does with downloads.
pub fn save_blob(blob: &web_sys::Blob, name: &str) {
    save_blob_js(blob, name);
}

/// The bytes of a part of a file.
pub async fn blob_bytes(blob: &web_sys::Blob, start: u64, end: u64) -> Option<Vec<u8>> {
    let part = blob.slice_with_f64_and_f64(start as f64, end as f64).ok()?;
    let buffer = JsFuture::from(part.array_buffer()).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// How to ask for a lock.
#[derive(Clone, Copy)]
pub enum LockWait {
    /// Wait up to this long for another tab to let go.
    Up(u32),
    /// Take it from whoever holds it (a holder that never lets go).
    Steal,
}

/// What a page put aside by the browser (back-forward cache) does with a lock it holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WhenHidden {
    /// Lets go at once: its work stops anyway, and the next page should not wait.
    LetGo,
    /// Keeps it: a page that wants it then makes the browser evict the one put aside (whose
    /// unfinished work would otherwise hold the next page up for good).
    Keep,
}

/// Runs `task` holding the lock `name`; `false` when another tab held it all the time allowed.
pub async fn with_lock<F>(name: &str, wait: LockWait, hidden: WhenHidden, task: F) -> bool
where
    F: std::future::Future<Output = ()> + 'static,
{
    let promise_fn = Closure::once_into_js(move || {
        wasm_bindgen_futures::future_to_promise(async move {
            task.await;
            Ok(JsValue::TRUE)
        })
    });
    let (wait_ms, steal) = match wait {
        LockWait::Up(ms) => (ms, false),
        LockWait::Steal => (0, true),
    };
    let keep = hidden == WhenHidden::Keep;
    match JsFuture::from(with_lock_js(name, &promise_fn, wait_ms, steal, keep)).await {
        Ok(v) => v.as_string().as_deref() != Some("busy"),
        Err(_) => false,
    }
}
