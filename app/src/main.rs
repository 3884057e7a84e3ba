//! Nastavnik in the browser: a Leptos client-side app that keeps the user's work on the device
//! and talks to the server when it can.

mod api;
mod app;
mod browser;
mod components;
mod connectivity;
mod format;
mod local_db;
mod pages;
mod session;
mod storage_info;
mod store;
mod sync;

fn main() {
    // The static "Загрузка…" placeholder of index.html makes way for the app.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
