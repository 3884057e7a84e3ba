//! The home page of each role. They grow as forms, review and centre work arrive.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use model::kinds::school_profile::SPEC as SCHOOL_PROFILE;
use model::record::{Scope, singleton_id};

use crate::components::refused::RefusedList;
use crate::components::undecided::UndecidedList;
use crate::lists::known_schools;
use crate::pages::forms::TaskList;
use crate::pages::review::{
    NewRecommendationButton, ReceivedRecommendations, SchoolResponses, WrittenRecommendations,
};
use crate::pages::support::{NewVisitButton, OpenRequests, ProgrammeStatus, VisitList};
use crate::session::use_session;
use crate::store::use_store;

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
    let school = use_session().profile().and_then(|p| p.school_id);
    view! {
        <section class="page" id="home-school">
            <h1>"Моя школа"</h1>
            <Greeting/>
            <RefusedList/>
            <UndecidedList/>
            <ul class="cards">
                <li><a href="/school/profile" id="link-profile">"Сведения о школе"</a></li>
                <li><a href="/consultations" id="link-consultations">"Консультации: запросить помощь наставника"</a></li>
            </ul>
            {school.map(|s| view! {
                <ProgrammeStatus school=s/>
                <p><a href=format!("/report/school/{s}") id="link-annual">"Годовой отчёт по школе"</a></p>
            })}
            <ReceivedRecommendations/>
            <OpenRequests/>
            <h2>"Задания"</h2>
            <TaskList/>
            <SchoolResponses/>
            <h2>"Посещения и мероприятия наставника"</h2>
            {school.map(|s| view! { <VisitList school=s limit=10/> })}
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
            <RefusedList/>
            <UndecidedList/>
            <TaskList/>
        </section>
    }
}

#[component]
pub fn MentorHome() -> impl IntoView {
    let store = use_store();
    super::set_title("Наставник");
    let session = use_session();
    let schools = known_schools(session);
    let profiles = store.watch_kind(SCHOOL_PROFILE.name);
    view! {
        <section class="page" id="home-mentor">
            <h1>"Мои школы"</h1>
            <Greeting/>
            <p class="lead">"Сведения закреплённых за вами школ доступны и без связи, с последней синхронизации."</p>
            <ul class="cards">
                <li><a href="/inbox" id="link-inbox">"Входящие: отправленные школами формы"</a></li>
                <li><a href="/consultations">"Консультации по запросам школ"</a></li>
                <li><a href="/centre/plan" id="link-plan">"План работы центра: мои мероприятия и отчёты"</a></li>
            </ul>
            <OpenRequests/>
            <WrittenRecommendations/>
            <h2>"Мои анкеты"</h2>
            <TaskList/>
            <div class="school-cards">
                {move || schools.get().into_iter().map(|school| {
                    let scope = Scope::School(school.id);
                    let id = singleton_id(SCHOOL_PROFILE.name, &scope);
                    let profile = move || profiles.with(|p| p.iter().find(|r| r.id == id).cloned());
                    view! {
                        <article class="school-card">
                            <h2>{school.name.clone()}</h2>
                            <p class="muted">{school.locality.label()} {(!school.flags_label().is_empty()).then(|| format!(", {}", school.flags_label()))}</p>
                            <ProgrammeStatus school=school.id school_name=school.name.clone()/>
                            <h3>"Последнее посещение"</h3>
                            <VisitList school=school.id limit=1/>
                            <NewVisitButton school=school.id school_name=school.name.clone()/>
                            <NewRecommendationButton school=school.id school_name=school.name.clone()/>
                            <p><a href=format!("/report/school/{}", school.id) aria-label=format!("Годовой отчёт по школе: {}", school.name)>"Годовой отчёт по школе"</a></p>
                            {move || match profile() {
                                None => view! { <p class="empty">"Школа ещё не заполнила сведения."</p> }.into_any(),
                                Some(r) => view! {
                                    <dl class="facts">
                                        {SCHOOL_PROFILE.fields.iter().filter(|f| r.get(f.name).is_some_and(|v| !v.is_null())).map(|f| view! {
                                            <dt>{f.label}</dt>
                                            <dd>{r.text(f.name)}</dd>
                                        }).collect_view()}
                                    </dl>
                                }.into_any(),
                            }}
                        </article>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

/// The moderator keeps the schools' accounts (school teams and teachers): the first screen is
/// each school with its accounts, and the schools nobody can sign in for yet first.
#[component]
pub fn ModeratorHome() -> impl IntoView {
    super::set_title("Модератор");
    let session = use_session();
    let schools = known_schools(session);
    let accounts = crate::lists::accounts(session);
    let rows = move || {
        let list = accounts.get();
        let mut rows: Vec<(String, usize, usize, usize)> = schools
            .get()
            .into_iter()
            .map(|s| {
                let of = |role: model::Role| {
                    list.iter()
                        .filter(|u| {
                            u.profile.school_id == Some(s.id)
                                && u.profile.role == role
                                && !u.disabled
                        })
                        .count()
                };
                let disabled = list
                    .iter()
                    .filter(|u| u.profile.school_id == Some(s.id) && u.disabled)
                    .count();
                (
                    s.name,
                    of(model::Role::SchoolTeam),
                    of(model::Role::Teacher),
                    disabled,
                )
            })
            .collect();
        rows.sort_by_key(|(name, team, teachers, _)| (team + teachers > 0, name.clone()));
        rows
    };
    view! {
        <section class="page" id="home-moderator">
            <h1>"Модератор"</h1>
            <Greeting/>
            <p>
                "Модератор ведёт учётные записи школ: управленческих команд и педагогов. "
                <a href="/centre/users">"Добавить или отключить учётную запись"</a>
            </p>
            <h2>"Учётные записи школ"</h2>
            {move || {
                let rows = rows();
                if rows.is_empty() {
                    return view! {
                        <p class="muted">"Список школ появится после первой связи с сервером."</p>
                    }
                    .into_any();
                }
                view! {
                    <table class="results" id="school-accounts">
                        <thead>
                            <tr>
                                <th scope="col">"Школа"</th>
                                <th scope="col">"Управленческая команда"</th>
                                <th scope="col">"Педагоги"</th>
                                <th scope="col">"Отключены"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|(name, team, teachers, disabled)| {
                                    let none = team + teachers == 0;
                                    view! {
                                        <tr class="school-accounts-row">
                                            <th scope="row">
                                                {name}
                                                {none.then(|| view! {
                                                    <span class="badge-new">" — нет учётных записей"</span>
                                                })}
                                            </th>
                                            <td>{team}</td>
                                            <td>{teachers}</td>
                                            <td>{disabled}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
    }
}
