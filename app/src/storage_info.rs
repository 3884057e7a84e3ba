//! Persistent storage: the app asks the browser not to evict its data, and reports the answer
//! and the space used ("О приложении").

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, PartialEq)]
pub struct StorageInfo {
    /// `None` when the browser has no Storage API.
    pub persisted: Option<bool>,
    pub usage_bytes: Option<f64>,
    pub quota_bytes: Option<f64>,
}

fn manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // Old browsers lack `navigator.storage`; check before calling.
    Reflect::get(&navigator, &JsValue::from_str("storage"))
        .ok()
        .filter(|v| !v.is_undefined())?;
    Some(navigator.storage())
}

async fn bool_of(promise: Result<Promise, JsValue>) -> Option<bool> {
    JsFuture::from(promise.ok()?).await.ok()?.as_bool()
}

/// Asks for persistent storage (once per start; the browser remembers a yes).
pub async fn request_persistence() -> Option<bool> {
    let m = manager()?;
    if bool_of(m.persisted()).await == Some(true) {
        return Some(true);
    }
    bool_of(m.persist()).await
}

pub async fn read() -> StorageInfo {
    let Some(m) = manager() else {
        return StorageInfo {
            persisted: None,
            usage_bytes: None,
            quota_bytes: None,
        };
    };
    let persisted = bool_of(m.persisted()).await;
    let estimate = match m.estimate() {
        Ok(p) => JsFuture::from(p).await.ok(),
        Err(_) => None,
    };
    let number = |key: &str| {
        estimate
            .as_ref()
            .and_then(|e| Reflect::get(e.unchecked_ref(), &JsValue::from_str(key)).ok())
            .and_then(|v| v.as_f64())
    };
    StorageInfo {
        persisted,
        usage_bytes: number("usage"),
        quota_bytes: number("quota"),
    }
}

/// "12,3 МБ" (integer arithmetic: keeps float formatting out of the bundle).
pub fn format_bytes(bytes: f64) -> String {
    let bytes = bytes.max(0.0) as u64;
    let (unit_size, unit) = match bytes {
        b if b >= 1 << 30 => (1u64 << 30, "ГБ"),
        b if b >= 1 << 20 => (1 << 20, "МБ"),
        b if b >= 1 << 10 => (1 << 10, "КБ"),
        _ => return format!("{bytes} байт"),
    };
    let tenths = (bytes * 10 + unit_size / 2) / unit_size;
    format!("{},{} {unit}", tenths / 10, tenths % 10)
}
