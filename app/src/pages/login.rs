//! Signing in. The first sign-in on a device needs the server; after that the app opens signed
//! in with no network.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;

use crate::api::Failure;
use crate::components::field::{FormStatus, TextField, field_error};
use crate::connectivity::use_connectivity;
use crate::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    super::set_title("Вход");
    let session = use_session();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<(String, String)>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(None);
        failure.set(None);
        let (l, p) = (login.get_untracked(), password.get_untracked());
        if l.trim().is_empty() {
            errors.set(Some(("login".into(), "Введите логин.".into())));
            return;
        }
        if p.is_empty() {
            errors.set(Some(("password".into(), "Введите пароль.".into())));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match session.sign_in_with_password(&l, &p).await {
                Ok(()) => password.set(String::new()),
                Err(Failure::Offline) => failure.set(Some(
                    "Нет связи с сервером. Для первого входа на этом компьютере нужен интернет; \
                     после входа приложение работает и без связи."
                        .into(),
                )),
                Err(f) if f.is_account_disabled() => {
                    password.set(String::new());
                    failure.set(Some(session.disabled_at_sign_in(&l, &f).await));
                }
                Err(f) => failure.set(Some(f.message())),
            }
            busy.set(false);
        });
    };

    // A demo server says that its data are made up (as its health check, which the connection
    // status asks for anyway, tells).
    let net = use_connectivity();

    let signed_in_home = move || session.profile().map(|p| p.role.home_path());
    view! {
        {move || signed_in_home().map(|home| view! { <Redirect path=home/> })}
        <section class="page page-narrow">
            <h1>"Вход в систему"</h1>
            <p class="lead">"Муниципальный наставнический центр: самоанализ школ, анкеты, рекомендации наставников."</p>
            {move || net.demo().then(|| view! {
                <p class="alert alert-info" id="demo-notice">
                    "Демонстрационный режим: все школы, люди и данные здесь вымышлены. \
                     Логины и общий пароль напечатаны в окне, где запущен сервер."
                </p>
            })}
            {move || session.notice.get().map(|n| view! { <p class="alert alert-info" role="status">{n}</p> })}
            <form class="form" on:submit=submit novalidate=true>
                <TextField
                    id="login"
                    label="Логин"
                    value=login
                    error=field_error(errors, "login")
                    autocomplete="username"
                    required=true
                />
                <TextField
                    id="password"
                    label="Пароль"
                    kind="password"
                    value=password
                    error=field_error(errors, "password")
                    autocomplete="current-password"
                    required=true
                />
                <FormStatus error=failure success=Signal::derive(|| None::<String>)/>
                <button type="submit" id="login-submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Вход…" } else { "Войти" }}
                </button>
            </form>
        </section>
    }
}
