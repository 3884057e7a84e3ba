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

/// The `?year=` of the page's address when it is one of [`model::WORK_YEARS`], or else
/// `default()`.
pub fn year_param(default: fn() -> i64) -> i64 {
    use leptos::prelude::WithUntracked;
    leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("year").and_then(|y| y.parse().ok()))
        .filter(|y| model::WORK_YEARS.contains(y))
        .unwrap_or_else(default)
}

/// Sets the browser tab title: "<page> — Наставник".
pub fn set_title(page: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{page} — Наставник"));
    }
}
