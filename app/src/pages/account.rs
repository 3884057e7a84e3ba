//! The signed-in person's own account: who the app takes them for, and changing the password.
//! The password lives only on the server, so changing it needs a connection; offline the page
//! says so and keeps what was typed. Errors are tied to their fields (`aria-describedby`) and
//! the first one gets the focus, so a screen reader reads the field with its error.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::api::PasswordChange;
use wasm_bindgen::JsCast;

use crate::api::{self, Failure};
use crate::components::field::{FormStatus, TextField, field_error};
use crate::connectivity::{Net, use_connectivity};
use crate::session::use_session;

/// The input a field error belongs to (fields named by the form or by the server).
fn input_id(field: &str) -> &'static str {
    match field {
        "current" => "password-current",
        "repeat" => "password-repeat",
        _ => "password-new",
    }
}

fn focus(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    super::set_title("Учётная запись");
    let session = use_session();
    let net = use_connectivity();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<(String, String)>);
    let failure = RwSignal::new(None::<String>);
    let success = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // The error is shown first, then the field is focused with it already described.
    let show_error = move |field: String, message: String| {
        let id = input_id(&field);
        errors.set(Some((field, message)));
        request_animation_frame(move || focus(id));
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(None);
        failure.set(None);
        success.set(None);
        let change = PasswordChange {
            current: current.get_untracked(),
            new: new.get_untracked(),
        };
        let change = match change.validated() {
            Ok(c) => c,
            Err(e) => {
                show_error(e.field.unwrap_or_default(), e.message);
                return;
            }
        };
        if repeat.get_untracked() != change.new {
            show_error(
                "repeat".into(),
                "Пароли не совпадают: введите новый пароль ещё раз точно так же.".into(),
            );
            return;
        }
        let Some(token) = session.token() else { return };
        busy.set(true);
        spawn_local(async move {
            match api::change_password(&token, &change).await {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    repeat.set(String::new());
                    success.set(Some(
                        "Пароль изменён. На других компьютерах и телефонах нужно войти заново \
                         с новым паролем; здесь вход сохранён."
                            .into(),
                    ));
                }
                Err(Failure::Offline) => failure.set(Some(
                    "Нет связи с сервером: пароль можно сменить только при связи. Введённое \
                     осталось в форме — отправьте его, когда связь появится."
                        .into(),
                )),
                Err(f) if f.field().is_some() => {
                    show_error(f.field().unwrap_or_default().to_owned(), f.message());
                }
                Err(f) => {
                    session.handle(&token, &f);
                    failure.set(Some(f.message()));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <section class="page page-narrow" id="account">
            <h1>"Учётная запись"</h1>
            {move || session.profile().map(|p| view! {
                <dl class="facts">
                    <dt>"ФИО"</dt>
                    <dd>{p.full_name}</dd>
                    <dt>"Логин"</dt>
                    <dd id="account-login">{p.login}</dd>
                    <dt>"Роль"</dt>
                    <dd>{p.role.label()}</dd>
                    {p.school_name.map(|s| view! { <dt>"Школа"</dt><dd>{s}</dd> })}
                </dl>
            })}
            <h2 id="password-heading">"Смена пароля"</h2>
            {move || (net.status() == Net::Offline).then(|| view! {
                <p class="alert alert-info" role="status">
                    "Нет связи с сервером. Пароль хранится только на сервере, поэтому сменить его "
                    "можно лишь при связи. Введённое в форму не пропадёт."
                </p>
            })}
            <form class="form" on:submit=submit novalidate=true aria-labelledby="password-heading">
                <TextField
                    id="password-current"
                    label="Текущий пароль"
                    kind="password"
                    autocomplete="current-password"
                    value=current
                    error=field_error(errors, "current")
                    required=true
                />
                <TextField
                    id="password-new"
                    label="Новый пароль (от 8 до 200 символов)"
                    kind="password"
                    autocomplete="new-password"
                    value=new
                    error=field_error(errors, "new")
                    required=true
                />
                <TextField
                    id="password-repeat"
                    label="Новый пароль ещё раз"
                    kind="password"
                    autocomplete="new-password"
                    value=repeat
                    error=field_error(errors, "repeat")
                    required=true
                />
                <FormStatus error=failure success=success/>
                <button type="submit" id="password-submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Сохранение…" } else { "Сменить пароль" }}
                </button>
            </form>
        </section>
    }
}
