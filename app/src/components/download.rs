//! A button that downloads a spreadsheet from the server (it needs a connection and says so).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::session::use_session;

#[component]
pub fn DownloadButton(
    /// The API path, e.g. `/campaigns/<id>/export.xlsx`.
    path: String,
    file: String,
    #[prop(default = "Excel")] label: &'static str,
    #[prop(optional)] id: &'static str,
    /// What the button does, for a screen reader, where several stand in one list.
    #[prop(optional, into)]
    named: Option<String>,
) -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let (path, file) = (StoredValue::new(path), StoredValue::new(file));
    view! {
        <button type="button" class="button-secondary" id=(!id.is_empty()).then_some(id) aria-label=named disabled=move || busy.get() on:click=move |_| {
            let Some(token) = session.token() else { return };
            busy.set(true);
            failure.set(None);
            spawn_local(async move {
                if let Err(f) = crate::api::download(&token, &path.get_value(), &file.get_value()).await {
                    session.handle(&token, &f);
                    failure.set(Some(f.message()));
                }
                busy.set(false);
            });
        }>{move || if busy.get() { "Готовится…" } else { label }}</button>
        {move || failure.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
    }
}
