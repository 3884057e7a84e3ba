//! Consultations on a school's request (002 §4.4): `/consultations` lists the requests the
//! person may see (open ones first for the specialists) and lets the school team ask;
//! `/consultations/:id` is one request, where the specialist agrees a date, records the outcome
//! or declines with a reason and the school closes it; `/consultations/print` is the log as a
//! document. Everything works offline; both sides see the state after a sync.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::Role;
use model::api::Specialist;
use model::kinds::{ADDRESSEE, addressee};
use model::record::{Record, Scope};
use model::support::consultation::{
    self as c, F_ADVICE, F_DECLINE_REASON, F_FORMAT, F_HANDLER, F_MEETING_AT, F_MEETING_ON,
    F_OUTCOME, F_PLACE, F_QUESTION, F_REQUESTER, F_STATE, F_TOPIC, F_WISHED, FORMATS, State,
    state_of,
};
use serde_json::json;
use uuid::Uuid;

use super::{live, school_of};
use crate::components::download::DownloadButton;
use crate::components::record_field::{
    Field, Input, SaveError, one, said_until_changed, step_checked,
};
use crate::format;
use crate::lists::{known_schools, specialists};
use crate::recommendation::{Draft, start_draft};
use crate::session::use_session;
use crate::store::{Target, use_store};
use crate::sync::use_sync;

fn target(r: &Record) -> Target {
    Target {
        id: r.id,
        kind: c::KIND,
        scope: r.scope.clone(),
        parent: None,
    }
}

fn specialist_name(list: &[Specialist], r: &Record) -> Option<String> {
    let id = addressee(r)?;
    list.iter()
        .find(|s| s.id == id)
        .map(|s| s.full_name.clone())
}

fn when(r: &Record) -> String {
    r.created_ms().map(format::date_time).unwrap_or_default()
}

/// The requests on this computer, open ones first.
fn ordered(all: &[Record]) -> Vec<Record> {
    let mut list: Vec<Record> = live(all).cloned().collect();
    c::order(&mut list);
    list
}

#[component]
pub fn ConsultationsPage() -> impl IntoView {
    crate::pages::set_title("Консультации");
    let session = use_session();
    let role = session.profile().map(|p| p.role);
    let team = role == Some(Role::SchoolTeam);
    view! {
        <section class="page" id="consultations">
            <h1>"Консультации по запросу школы"</h1>
            <p class="lead">"Индивидуальные консультации очно или дистанционно (002, п. 4.4). Запрос и ответ сохраняются на этом компьютере и отправляются при связи."</p>
            {team.then(|| view! { <NewRequest/> })}
            <p class="no-print">
                <a href="/consultations/print" id="consultations-print">"Журнал консультаций для печати"</a>
                " "
                <DownloadButton path="/consultations.xlsx".to_owned() file="consultations.xlsx".to_owned() id="consultations-xlsx"/>
            </p>
            <ConsultationList all=true/>
        </section>
    }
}

/// The school team's request form.
#[component]
fn NewRequest() -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    let session = use_session();
    let people = specialists(session);
    let school = session.profile().and_then(|p| p.school_id);
    let (topic, question, wished) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let format_ = RwSignal::new("in_person".to_owned());
    let to = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    // While the request is being written, a second press makes no second request.
    let sending = RwSignal::new(false);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(school) = school else { return };
        if sending.get_untracked() {
            return;
        }
        if topic.get_untracked().trim().is_empty() {
            error.set(Some("Укажите тему консультации.".into()));
            return;
        }
        let mut fields = BTreeMap::from([
            (F_TOPIC.to_owned(), json!(topic.get_untracked().trim())),
            (F_QUESTION.to_owned(), json!(question.get_untracked())),
            (F_FORMAT.to_owned(), json!(format_.get_untracked())),
            (F_WISHED.to_owned(), json!(wished.get_untracked())),
            (F_STATE.to_owned(), json!(State::New.as_str())),
        ]);
        if !to.get_untracked().is_empty() {
            fields.insert(ADDRESSEE.to_owned(), json!(to.get_untracked()));
        }
        let t = Target {
            id: store.new_id(),
            kind: c::KIND,
            scope: Scope::School(school),
            parent: None,
        };
        sending.set(true);
        spawn_local(async move {
            let result = store.edit_now(&t, fields).await;
            sending.try_set(false);
            match result {
                Ok(()) => {
                    sync.edited();
                    error.set(None);
                    done.set(Some("Запрос сохранён и будет отправлен при связи.".into()));
                    topic.set(String::new());
                    question.set(String::new());
                    wished.set(String::new());
                }
                Err(e) => error.set(Some(format!("Не сохранено: {}", e.0))),
            }
        });
    };
    view! {
        <form class="card-form no-print" id="consultation-new" on:submit=send>
            <h2>"Новый запрос"</h2>
            <div class="field">
                <label for="c-topic">"Тема *"</label>
                <input id="c-topic" type="text" maxlength="300" required prop:value=move || topic.get() on:input=move |ev| topic.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="c-question">"Вопрос"</label>
                <textarea id="c-question" rows="4" maxlength="5000" prop:value=move || question.get() on:input=move |ev| question.set(event_target_value(&ev))></textarea>
            </div>
            <div class="field">
                <label for="c-format">"Форма"</label>
                <select id="c-format" on:change=move |ev| format_.set(event_target_value(&ev))>
                    {FORMATS.iter().map(|(k, l)| view! { <option value=*k selected=move || format_.get() == *k>{*l}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="c-wished">"Удобные даты"</label>
                <input id="c-wished" type="text" maxlength="300" placeholder="например: 10–14.02, после 14:00" prop:value=move || wished.get() on:input=move |ev| wished.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="c-to">"Кому"</label>
                <select id="c-to" on:change=move |ev| to.set(event_target_value(&ev))>
                    <option value="" selected=move || to.get().is_empty()>"Наставнику и куратору нашей школы"</option>
                    {move || people.get().into_iter().map(|s| {
                        let id = s.id.to_string();
                        let label = format!("{} — {}{}", s.full_name, s.role.label(), if s.assigned { ", закреплён за школой" } else { "" });
                        view! { <option value=id.clone() selected=move || to.get() == id>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            {move || done.get().map(|m| view! { <p class="alert alert-ok" role="status">{m}</p> })}
            <button type="submit" id="c-send" disabled=move || sending.get()>"Отправить запрос"</button>
        </form>
    }
}

/// The requests the person may see; `all: false` shows only the open ones (for homes).
#[component]
pub fn ConsultationList(#[prop(optional)] all: bool) -> impl IntoView {
    let store = use_store();
    let session = use_session();
    let schools = known_schools(session);
    let records = store.watch_kind(c::KIND);
    let people = specialists(session);
    move || {
        let list: Vec<Record> = records
            .with(|l| ordered(l))
            .into_iter()
            .filter(|r| all || state_of(r).open() || state_of(r) == State::Held)
            .collect();
        if list.is_empty() {
            return view! { <p class="empty">{if all { "Запросов на консультации пока нет." } else { "Открытых запросов нет." }}</p> }.into_any();
        }
        let names = schools.get();
        let people = people.get();
        view! {
            <ul class="plain consultation-list">
                {list.into_iter().map(|r| {
                    let school = c::school_named(&r, school_of(&r).and_then(|s| names.iter().find(|x| x.id == s)).map(|s| s.name.as_str()));
                    let state = state_of(&r);
                    let to = specialist_name(&people, &r).map(|n| format!(", к: {n}")).unwrap_or_default();
                    view! {
                        <li class:open=state.open() data-state=state.as_str()>
                            <a href=format!("/consultations/{}", r.id)>{r.text(F_TOPIC)}</a>
                            {format!(" — {school}{to}, {}; {}", when(&r), state.label())}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any()
    }
}

/// Open requests for a home page.
#[component]
pub fn OpenRequests() -> impl IntoView {
    view! {
        <section aria-labelledby="open-requests-title">
            <h2 id="open-requests-title">"Запросы на консультации"</h2>
            <ConsultationList/>
            <p><a href="/consultations" id="link-consultations">"Все консультации"</a></p>
        </section>
    }
}

#[component]
pub fn ConsultationPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Консультация");
    let session = use_session();
    let role = session.profile().map(|p| p.role);
    let school_side = role == Some(Role::SchoolTeam);
    let people = specialists(session);
    let id =
        use_params_map().with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let record = store.watch_record(id.unwrap_or_default());
    let record_s: Signal<Option<Record>> = record.into();
    let t = Signal::derive(move || record.with(|r| r.as_ref().map(target)));
    let error = RwSignal::new(None::<String>);
    let state = Memo::new(move |_| record.with(|r| r.as_ref().map(state_of)));
    let answering =
        Signal::derive(move || !school_side && state.get().is_some_and(|s| !s.finished()));
    // Recommendations to a school are written by its own mentors and curators and the head
    // (`model::kinds::recommendation`); a specialist asked from outside answers the request only.
    let schools = known_schools(session);
    let head = role == Some(Role::Head);
    let may_recommend = Memo::new(move |_| {
        head || record.with(|r| {
            r.as_ref().is_some_and(|r| match r.scope {
                Scope::School(s) => schools.with(|l| l.iter().any(|x| x.id == s)),
                _ => false,
            })
        })
    });
    let navigate = use_navigate();
    // A move checks what the state needs on the stored record (what was typed a moment ago is
    // in it); what stops it is said beside the buttons, where no save of a field clears it. One
    // move per press: the second click of a double click would land on the next state's button,
    // drawn in the same place.
    let moving = RwSignal::new(false);
    let said = RwSignal::new(None::<String>);
    said_until_changed(said, state);
    let move_to = move |to: State, clicks: i32| {
        let Some(id) = id else { return };
        if clicks > 1 {
            return;
        }
        step_checked(
            id,
            move |r| {
                c::requires(r, to)?;
                Ok((target(r), one(F_STATE, json!(to.as_str()))))
            },
            said,
            moving,
        );
    };
    let drafting = RwSignal::new(false);
    let recommend = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        let mut text = r.text(F_ADVICE);
        if text.is_empty() {
            text = r.text(F_OUTCOME);
        }
        let title = format!("Рекомендации по итогам консультации «{}»", r.text(F_TOPIC));
        start_draft(
            r.scope.clone(),
            Draft {
                title: &title,
                text: &text,
                source: "consultation",
                source_id: Some(r.id),
            },
            error,
            drafting,
            navigate.clone(),
        );
    };
    let recommend = StoredValue::new(recommend);
    let loaded = Memo::new(move |_| record.with(Option::is_some));
    let text = move |name: &'static str| {
        move || record.with(|r| r.as_ref().map(|r| r.text(name)).unwrap_or_default())
    };
    let state = Memo::new(move |_| record.with(|r| r.as_ref().map_or(State::New, state_of)));
    // The field the consultation's state cannot be without is not emptied (the kind's rule).
    let must = move |name: &'static str| {
        Signal::derive(move || {
            model::support::consultation::required_in(state.get())
                .filter(|(f, _)| *f == name)
                .map(|(_, m)| m)
        })
    };
    // The page is drawn once; only the parts that depend on the state are drawn again when it
    // changes, so a save never takes the cursor out of a field.
    move || {
        if !loaded.get() {
            return view! { <p class="empty" role="status">"Запрос ещё не получен на этот компьютер: дождитесь синхронизации."</p> }.into_any();
        }
        let to = move || {
            record
                .with(|r| r.as_ref().and_then(|r| specialist_name(&people.get(), r)))
                .unwrap_or_else(|| "наставник и куратор школы".to_owned())
        };
        let format_label = move || {
            let f = text(F_FORMAT)();
            FORMATS.iter().find(|(k, _)| *k == f).map_or("", |(_, l)| l)
        };
        let created = move || record.with(|r| r.as_ref().map(when)).unwrap_or_default();
        let school = move || {
            record.with(|r| {
                r.as_ref()
                    .map(|r| {
                        schools.with(|l| {
                            let known = school_of(r).and_then(|s| l.iter().find(|x| x.id == s));
                            c::school_named(r, known.map(|s| s.name.as_str()))
                        })
                    })
                    .unwrap_or_default()
            })
        };
        view! {
            <section class="page" id="consultation" data-state=move || state.get().as_str()>
                <h1>{text(F_TOPIC)}</h1>
                <p class="lead" id="consultation-state">"Состояние: " {move || state.get().label()}</p>
                <dl class="facts">
                    <dt>"Школа"</dt><dd id="consultation-school">{school}</dd>
                    <dt>"Кто обратился"</dt><dd>{text(F_REQUESTER)} ", " {created}</dd>
                    <dt>"Кому"</dt><dd>{to}</dd>
                    <dt>"Вопрос"</dt><dd class="recommendation-text">{text(F_QUESTION)}</dd>
                    <dt>"Форма"</dt><dd>{format_label}</dd>
                    <dt>"Удобные даты"</dt><dd>{text(F_WISHED)}</dd>
                    <dt>"Специалист"</dt><dd>{text(F_HANDLER)}</dd>
                </dl>
                // The school corrects its request until a specialist takes it (the kind's rule).
                {move || (school_side && state.get() == State::New).then(|| view! {
                    <fieldset class="request-edit">
                        <legend>"Запрос можно исправить, пока специалист его не принял"</legend>
                        <Field record=record_s target=t name=F_TOPIC label="Тема" input=Input::Text(300) editable=true error=error id="c-edit-topic".into() required=Signal::derive(|| Some("Укажите тему консультации."))/>
                        <Field record=record_s target=t name=F_QUESTION label="Вопрос" input=Input::Long(5_000) editable=true error=error id="c-edit-question".into()/>
                        <Field record=record_s target=t name=F_FORMAT label="Форма" input=Input::Required(&FORMATS) editable=true error=error id="c-edit-format".into()/>
                        <Field record=record_s target=t name=F_WISHED label="Удобные даты" input=Input::Text(300) editable=true error=error id="c-edit-wished".into()/>
                    </fieldset>
                })}
                <SaveError error=error/>
                <Field record=record_s target=t name=F_MEETING_ON label="Дата консультации" input=Input::Date editable=answering error=error id="c-meeting-on".into() required=must(F_MEETING_ON)/>
                <Field record=record_s target=t name=F_MEETING_AT label="Время" input=Input::Text(20) editable=answering error=error id="c-meeting-at".into()/>
                <Field record=record_s target=t name=F_PLACE label="Место или ссылка на подключение" input=Input::Text(500) editable=answering error=error id="c-place".into()/>
                {move || (state.get() != State::New || !school_side).then(|| view! {
                    <Field record=record_s target=t name=F_OUTCOME label="Итоги консультации" input=Input::Long(10_000) editable=answering error=error id="c-outcome".into() required=must(F_OUTCOME)/>
                    <Field record=record_s target=t name=F_ADVICE label="Рекомендации" input=Input::Long(10_000) editable=answering error=error id="c-advice".into()/>
                })}
                {move || {
                    let s = state.get();
                    (s == State::Declined || (!school_side && s.open())).then(|| view! {
                        <Field record=record_s target=t name=F_DECLINE_REASON label="Причина отказа" input=Input::Long(2_000) editable=answering error=error id="c-decline-reason".into() required=must(F_DECLINE_REASON)/>
                    })
                }}
                {move || {
                    let s = state.get();
                    view! {
                        <div class="actions no-print">
                            {(!school_side && s == State::New).then(|| view! {
                                <button type="button" id="c-agree" disabled=move || moving.get() on:click=move |ev| move_to(State::Agreed, ev.detail())>"Согласовать дату"</button>
                            })}
                            {(!school_side && s.open()).then(|| view! {
                                <button type="button" id="c-held" disabled=move || moving.get() on:click=move |ev| move_to(State::Held, ev.detail())>"Отметить проведённой"</button>
                                <button type="button" class="button-secondary" id="c-decline" disabled=move || moving.get() on:click=move |ev| move_to(State::Declined, ev.detail())>"Отклонить"</button>
                            })}
                            {(s == State::Held).then(|| view! {
                                <button type="button" id="c-close" disabled=move || moving.get() on:click=move |ev| move_to(State::Closed, ev.detail())>"Закрыть запрос"</button>
                            })}
                            {(!school_side && may_recommend.get() && matches!(s, State::Held | State::Closed)).then(|| view! {
                                <button type="button" class="button-secondary" id="c-recommend" disabled=move || drafting.get() on:click=move |ev| recommend.with_value(|f| f(ev))>"Написать адресные рекомендации"</button>
                            })}
                        </div>
                        {move || said.get().map(|e| view! { <p class="alert alert-error" id="c-move-said" role="alert">{e}</p> })}
                    }
                }}
                <p><a href="/consultations">"Все консультации"</a></p>
            </section>
        }.into_any()
    }
}

/// `/consultations/print`: the consultation log as a document.
#[component]
pub fn ConsultationsPrint() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Журнал консультаций");
    let session = use_session();
    let schools = known_schools(session);
    let people = specialists(session);
    let records = store.watch_kind(c::KIND);
    view! {
        <article class="page print-view" id="consultations-print-view">
            <p class="no-print">
                <button type="button" class="button-primary" on:click=|_| {
                    if let Some(w) = web_sys::window() { let _ = w.print(); }
                }>"Печать"</button>
                " "
                <a href="/consultations">"Вернуться к консультациям"</a>
            </p>
            <h1>"Журнал консультаций"</h1>
            <table class="results">
                <thead><tr>{c::LOG_COLUMNS.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {move || {
                        let mut list: Vec<Record> = records.with(|l| live(l).cloned().collect());
                        list.sort_by_key(|r| (r.created_ms(), r.id));
                        let names = schools.get();
                        let people = people.get();
                        list.into_iter().map(|r| {
                            let school = c::school_named(&r, school_of(&r).and_then(|s| names.iter().find(|x| x.id == s)).map(|s| s.name.as_str()));
                            let asked = specialist_name(&people, &r);
                            let row = c::log_row(&r, &school, asked.as_deref());
                            view! { <tr>{row.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}</tr> }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </article>
    }
}
