//! Nastavnik in the browser: a Leptos client-side app that keeps the user's work on the device
//! and talks to the server when it can.

mod api;
mod app;
mod browser;
mod components;
mod connectivity;
mod files;
mod format;
mod lists;
mod local_db;
mod pages;
mod recommendation;
mod routes;
mod session;
mod storage_info;
mod store;
mod sync;
mod templates;

fn main() {
    // A failure inside the app is reported in the browser console with its place and reason.
    // A failure inside the app is reported in the console and on the page, in words: the data
    // is safe on this computer, and reloading the page brings the app back.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("Наставник: внутренняя ошибка: {info}").into());
        if let Some(doc) = web_sys::window().and_then(|w| w.document())
            && let (Ok(banner), Some(body)) = (doc.create_element("div"), doc.body())
        {
            banner.set_class_name("crash-banner");
            let _ = banner.set_attribute("role", "alert");
            banner.set_text_content(Some(&format!(
                "Внутренняя ошибка приложения. Всё введённое сохранено на этом компьютере. \
                 Обновите страницу (клавиша F5). Подробности для администратора: {info}"
            )));
            let _ = body.append_child(&banner);
        }
    }));
    // The static "Загрузка…" placeholder of index.html makes way for the app.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
