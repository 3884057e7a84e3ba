//! Accessible form fields: a visible label tied to the input, and an error that is announced
//! and linked with `aria-describedby`.

use leptos::prelude::*;

/// The error of one field, from a form-wide `(field, message)` signal.
pub fn field_error(
    errors: RwSignal<Option<(String, String)>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors.with(|e| {
            e.as_ref()
                .filter(|(f, _)| f == field)
                .map(|(_, m)| m.clone())
        })
    })
}

#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field">
            <label for=id>{label}{required.then_some(" *")}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                required=required
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=move || error.with(Option::is_some).then(|| described.clone())
            />
            <Show when=move || error.with(Option::is_some)>
                <p id=error_id.clone() class="field-error" role="alert">
                    {move || error.get()}
                </p>
            </Show>
        </div>
    }
}

#[component]
pub fn CheckField(id: &'static str, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="field field-check">
            <input
                id=id
                type="checkbox"
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// A status line for form results, read out by screen readers.
#[component]
pub fn FormStatus(
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] success: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="form-status" aria-live="polite">
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            {move || success.get().map(|s| view! { <p class="alert alert-ok">{s}</p> })}
        </div>
    }
}
