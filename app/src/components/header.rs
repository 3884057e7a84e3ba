//! The header on every page: the product name, the role's navigation with the own account page,
//! the connection status and the signed-in user with "Выйти".

use leptos::prelude::*;
use leptos_router::components::A;
use model::Role;

use crate::connectivity::{Net, use_connectivity};
use crate::routes::SyncStatus;
use crate::session::use_session;
use crate::sync::use_sync;

fn nav_links(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut links = vec![(role.home_path(), "Главная")];
    match role {
        Role::Head => {
            links.push(("/centre/schools", "Школы"));
            links.push(("/centre/users", "Пользователи"));
        }
        Role::Moderator => links.push(("/centre/users", "Пользователи")),
        _ => {}
    }
    if matches!(role, Role::Head | Role::SchoolTeam) {
        links.push(("/reserve", "Кадровый резерв"));
    }
    links.push(("/practices", "Банк практик"));
    links.push(("/account", "Учётная запись"));
    links.push(("/help", "Справка"));
    links.push(("/about", "О приложении"));
    links
}

#[component]
pub fn AppHeader() -> impl IntoView {
    let sync = use_sync();
    let session = use_session();
    let net = use_connectivity();
    let store = crate::store::use_store();
    let leaving = RwSignal::new(false);
    let sign_out = move |_| {
        if !leaving.get_untracked() {
            crate::routes::sign_out_asking(session, store, sync, leaving);
        }
    };
    view! {
        <header class="app-header">
            <div class="brand">"Наставник"</div>
            {move || {
                session
                    .profile()
                    .map(|p| {
                        view! {
                            <nav aria-label="Основная навигация">
                                <ul>
                                    {nav_links(p.role)
                                        .into_iter()
                                        .map(|(href, label)| view! { <li><A href=href>{label}</A></li> })
                                        .collect_view()}
                                </ul>
                            </nav>
                        }
                    })
            }}
            <span
                id="net-status"
                class="net-status"
                role="status"
                data-state=move || match net.status() {
                    Net::Online => "online",
                    Net::Offline => "offline",
                    Net::Checking => "checking",
                }
            >
                {move || match net.status() {
                    Net::Online => "В сети",
                    Net::Offline => "Нет связи",
                    Net::Checking => "Проверка связи…",
                }}
            </span>
            {move || session.profile().map(|_| view! { <SyncStatus/> })}
            {move || {
                session
                    .profile()
                    .map(|p| {
                        view! {
                            <div class="user">
                                <span id="user-name" class="user-name">{p.full_name.clone()}</span>
                                <span class="user-role">{p.role.label()}</span>
                                <button type="button" id="sign-out" class="button-secondary" on:click=sign_out>
                                    "Выйти"
                                </button>
                            </div>
                        }
                    })
            }}
        </header>
    }
}
