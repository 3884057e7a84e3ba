//! One module per page (or group of pages of one role).

pub mod about;
pub mod account;
pub mod centre;
pub mod forms;
pub mod help;
pub mod homes;
pub mod login;
pub mod not_found;
pub mod practices;
pub mod refused;
pub mod reserve;
pub mod review;
pub mod school_profile;
pub mod support;
pub mod workplan;

/// Sets the browser tab title: "<page> — Наставник".
pub fn set_title(page: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{page} — Наставник"));
    }
}
