//! The home page of each role. They grow as forms, review and centre work arrive.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::session::use_session;

/// `/` sends each role to its own home page.
#[component]
pub fn HomeRedirect() -> impl IntoView {
    let session = use_session();
    move || {
        session
            .profile()
            .map(|p| view! { <Redirect path=p.role.home_path()/> })
    }
}

#[component]
fn Greeting() -> impl IntoView {
    let session = use_session();
    move || {
        session.profile().map(|p| {
            view! {
                <p class="lead">
                    "Здравствуйте, " {p.full_name.clone()} ". "
                    {p.school_name.clone().map(|s| format!("Школа: {s}."))}
                </p>
            }
        })
    }
}

#[component]
pub fn SchoolHome() -> impl IntoView {
    super::set_title("Моя школа");
    view! {
        <section class="page" id="home-school">
            <h1>"Моя школа"</h1>
            <Greeting/>
            <h2>"Задания"</h2>
            <p class="empty">
                "Заданий пока нет. Когда наставнический центр направит карточку самоанализа, "
                "контекстные характеристики или анкету, они появятся здесь и будут доступны без интернета."
            </p>
        </section>
    }
}

#[component]
pub fn TeacherHome() -> impl IntoView {
    super::set_title("Анкеты");
    view! {
        <section class="page" id="home-teacher">
            <h1>"Анкеты для педагогов"</h1>
            <Greeting/>
            <p class="empty">"Анкет для заполнения пока нет."</p>
        </section>
    }
}

#[component]
pub fn MentorHome() -> impl IntoView {
    super::set_title("Наставник");
    view! {
        <section class="page" id="home-mentor">
            <h1>"Мои школы"</h1>
            <Greeting/>
            <p class="empty">
                "Здесь появятся материалы закреплённых за вами школ: карточки самоанализа, "
                "результаты тестирования и анкеты — для просмотра и рекомендаций, в том числе без связи."
            </p>
        </section>
    }
}

#[component]
pub fn ModeratorHome() -> impl IntoView {
    super::set_title("Модератор");
    view! {
        <section class="page" id="home-moderator">
            <h1>"Модератор"</h1>
            <Greeting/>
            <ul class="cards">
                <li><a href="/centre/users">"Учётные записи пользователей"</a></li>
            </ul>
        </section>
    }
}
