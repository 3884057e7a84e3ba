//! Forms: the list of tasks (campaigns addressed to the user), the filler that renders any
//! template, and its print view. Everything works from the local database, with no connection:
//! each answer is stored on this computer as it is typed and synced later.

pub mod print;
mod question;
mod shared;
mod tasks;

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use model::forms::{self, Answers, Campaign, Kind, Question, Status, Template, answer};
use model::kinds::anonymous_response;
use model::record::Record;
use model::sync::client::Refused;
use serde_json::{Value, json};
use uuid::Uuid;

pub use print::PrintPage;
pub use tasks::TaskList;

use crate::api;
use crate::components::record_field::took_back_when_written;
use crate::components::refused::RefusedList;
use crate::components::test_result::TestResult;
use crate::components::text_input::Note;
use crate::connectivity::use_connectivity;
use crate::format;
use crate::pages::review::{DeficitPlan, History};
use crate::session::use_session;
use crate::store::{Store, Target, use_store};
use crate::sync::use_sync;
use crate::templates::load_form;
use question::{Ctx, QuestionInput, label};

/// The campaign named in the URL, read from the local database.
fn use_campaign() -> (Option<Uuid>, Signal<Option<Campaign>>) {
    let store = use_store();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let record = store.watch_record(id.unwrap_or_default());
    // A memo: the page is drawn again only when the campaign itself changes, not on every
    // edit stored elsewhere.
    let campaign = Memo::new(move |_| record.with(|r| r.as_ref().and_then(Campaign::from_record)));
    (id, campaign.into())
}

/// `/forms/:id`: fill the form of a campaign.
#[component]
pub fn FormPage() -> impl IntoView {
    super::set_title("Форма");
    let (id, campaign) = use_campaign();
    // The filler is drawn again only when the form itself changes (its template or version, or
    // whom it is sent to), not when the head edits the campaign's title, deadline or note while
    // someone types: that would take the cursor out of the answer. Those are read as the filler
    // is drawn (a new deadline shows when the form is opened again).
    let shape = Memo::new(move |_| {
        campaign.with(|c| {
            c.as_ref().map(|c| {
                (
                    c.id,
                    c.template.clone(),
                    c.version,
                    c.schools.clone(),
                    c.roles.clone(),
                )
            })
        })
    });
    let session = use_session();
    let who = Memo::new(move |_| session.profile().map(|p| (p.role, p.school_id)));
    move || {
        let present = shape.get().is_some();
        match (id, present.then(|| campaign.get_untracked()).flatten()) {
        (None, _) => view! { <p class="alert alert-error">"Неверная ссылка на форму."</p> }.into_any(),
        (Some(_), None) => view! {
            <p class="empty" role="status">
                "Форма ещё не получена на этот компьютер. Она появится после синхронизации с сервером."
            </p>
        }
        .into_any(),
        (Some(_), Some(c)) => {
            let template = load_form(&c);
            let c = Arc::new(c);
            // The server takes answers only from those the form is sent to: nobody else is
            // let type what would be refused at the next sync.
            let not_for_me = {
                let c = c.clone();
                move |t: &Template| {
                    who.get().is_some_and(|(role, school)| !c.addressed_to(role, school, &t.audience))
                }
            };
            view! {
                {move || match template.get() {
                    None => view! { <p class="empty" role="status">"Шаблон формы ещё не получен: дождитесь синхронизации."</p> }.into_any(),
                    Some(t) if not_for_me(&t) => view! {
                        <p class="alert alert-info" id="form-not-yours">
                            {format!("Форма «{}» направлена не вам: заполнять её не нужно.", t.title)}
                        </p>
                    }.into_any(),
                    Some(t) if t.anonymous => view! { <AnonymousFiller campaign=c.clone() template=t/> }.into_any(),
                    Some(t) => match response_target(&t, c.id) {
                        Some(target) => view! { <Filler campaign=c.clone() template=t target=target/> }.into_any(),
                        None => view! { <p class="alert alert-error">"Эту форму заполняет школа, а учётная запись не привязана к школе."</p> }.into_any(),
                    },
                }}
            }
            .into_any()
        }
    }
    }
}

/// Where this person's response to a campaign lives (named forms).
pub fn response_target(t: &Template, campaign: Uuid) -> Option<Target> {
    let session = use_session();
    let p = session.profile()?;
    let (id, scope) = forms::response_target(t.respondent, campaign, p.school_id, p.id)?;
    Some(Target {
        id,
        kind: forms::RESPONSE_KIND,
        scope,
        parent: None,
    })
}

/// The anonymous response to a campaign started on this computer, if any.
pub async fn local_anonymous(store: Store, campaign: Uuid) -> Option<Target> {
    let list = store.by_kind(anonymous_response::KIND).await.ok()?;
    let id = campaign.to_string();
    list.iter()
        .find(|r| r.get(forms::F_CAMPAIGN).and_then(Value::as_str) == Some(id.as_str()))
        .map(|r| anonymous_target(r.id))
}

fn anonymous_target(id: Uuid) -> Target {
    Target {
        id,
        kind: anonymous_response::KIND,
        scope: model::record::Scope::Centre,
        parent: None,
    }
}

/// An anonymous form: its response id comes from the server once (it is a keyed hash only the
/// server can make, so the answers do not lead back to the person); after that it is filled
/// offline like any other form.
#[component]
fn AnonymousFiller(campaign: Arc<Campaign>, template: Arc<Template>) -> impl IntoView {
    let store = use_store();
    let session = use_session();
    let id = campaign.id;
    let target = LocalResource::new(move || async move {
        if let Some(t) = local_anonymous(store, id).await {
            return Ok(Some(t));
        }
        let token = session.token().ok_or_else(|| "Войдите снова.".to_owned())?;
        match api::anonymous_ticket(&token, id).await {
            // Sent from another computer: not filled again (its answers reach no computer).
            Ok(ticket) if ticket.sent => Ok(None),
            Ok(ticket) => Ok(Some(anonymous_target(ticket.response))),
            Err(api::Failure::Offline) => Err(
                "Анонимную анкету можно начать, только когда есть связь с сервером: он выдаёт \
                 номер ответа, по которому нельзя узнать, кто отвечал. Подключитесь к интернету \
                 и откройте анкету снова — дальше её можно заполнять и без связи."
                    .to_owned(),
            ),
            Err(e) => Err(e.message()),
        }
    });
    move || {
        match target.get() {
        None => {
            view! { <p class="empty" role="status">"Подготовка анонимной анкеты…"</p> }.into_any()
        }
        Some(Err(msg)) => view! { <p class="alert alert-error" role="alert">{msg}</p> }.into_any(),
        Some(Ok(None)) => view! {
            <p class="alert alert-ok" role="status" id="anonymous-sent">
                "Вы уже ответили на эту анкету (с другого компьютера). Ответы анонимны: их не показывают и не меняют. Спасибо!"
            </p>
        }
        .into_any(),
        Some(Ok(Some(t))) => {
            view! { <Filler campaign=campaign.clone() template=template.clone() target=t/> }
                .into_any()
        }
    }
    }
}

#[component]
fn Filler(campaign: Arc<Campaign>, template: Arc<Template>, target: Target) -> impl IntoView {
    let net = use_connectivity();
    let store = use_store();
    let sync = use_sync();
    super::set_title(&template.title);
    let record = store.watch_record(target.id);
    // The answer fields as stored (a table cell is a field of its own).
    let stored = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.fields
                        .iter()
                        .filter(|(k, _)| k.starts_with(forms::ANSWER_PREFIX))
                        .map(|(k, f)| (k.clone(), f.value.clone()))
                        .collect::<BTreeMap<String, Value>>()
                })
                .unwrap_or_default()
        })
    });
    // Fields typed here but not yet read back from the database: a group item changed right
    // after another one builds on the latest value, never on a stale one.
    let overlay = RwSignal::new(BTreeMap::<String, (Value, u32)>::new());
    let fields = Memo::new(move |_| {
        let mut fields = stored.get();
        overlay.with(|o| {
            for (k, (v, _)) in o {
                fields.insert(k.clone(), v.clone());
            }
        });
        fields
    });
    let answers = Memo::new(move |_| {
        fields.with(|f| forms::answers_from_fields(f.iter().map(|(k, v)| (k.as_str(), v))))
    });
    let settle = move || {
        overlay.update(|o| {
            o.retain(|k, (v, n)| *n > 0 || stored.with_untracked(|s| s.get(k) != Some(&*v)))
        });
    };
    Effect::new(move |_| {
        stored.track();
        settle();
    });
    let status =
        Memo::new(move |_| record.with(|r| r.as_ref().map_or(Status::Draft, forms::status_of)));
    // The mentor's comments of every round, beside the answers.
    let all_reviews = store.watch_kind(forms::review::REVIEW_KIND);
    let response_id = target.id;
    let plan_scope = target.scope.clone();
    let reviews: Signal<Vec<Record>> = Memo::new(move |_| {
        all_reviews.with(|all| crate::pages::review::reviews_of(all, response_id))
    })
    .into();
    let round: Signal<u64> =
        Memo::new(move |_| record.with(|r| r.as_ref().map_or(0, forms::review::round_of))).into();
    // A test is scored once: after it was sent its answers stay as they are.
    let is_scored_test = template.test.is_some();
    let locked =
        Signal::derive(move || !status.get().editable() || (is_scored_test && round.get() > 0));
    // Rules broken by what is stored (checked as typed) and, after "Отправить", missing answers.
    let tried_submit = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let in_flight = RwSignal::new(0u32);
    let t = template.clone();
    let problems = Memo::new(move |_| answers.with(|a| answer::validate(&t, a)));
    // Edits the server refused, read once per change for the whole page.
    let refusals = RwSignal::new(Vec::<Refused>::new());
    Effect::new(move |_| {
        store.revision().track();
        spawn_local(async move {
            // (The page may be gone by the time the list is read.)
            if let Ok(list) = store.refused().await
                && refusals.try_with_untracked(|r| r != &list) == Some(true)
            {
                refusals.try_set(list);
            }
        });
    });

    let pins = {
        let (c, t) = (campaign.clone(), template.clone());
        move || {
            BTreeMap::from([
                (forms::F_CAMPAIGN.to_owned(), json!(c.id)),
                (forms::F_TEMPLATE.to_owned(), json!(t.code)),
                (forms::F_VERSION.to_owned(), json!(t.version)),
            ])
        }
    };
    let target = StoredValue::new(target);
    let pins = StoredValue::new(pins);
    let write = move |mut fields: BTreeMap<String, Value>, answered: Option<String>| {
        let pinned = record.with_untracked(|r| {
            r.as_ref()
                .is_some_and(|r| r.get(forms::F_TEMPLATE).is_some())
        });
        if !pinned {
            fields.extend(pins.with_value(|p| p()));
        }
        saved.set(false);
        in_flight.update(|n| *n += 1);
        let target = target.get_value();
        spawn_local(async move {
            let result = store.edit(&target, fields).await;
            in_flight.update(|n| *n -= 1);
            if let Some(q) = &answered {
                overlay.update(|o| {
                    if let Some(e) = o.get_mut(q) {
                        e.1 = e.1.saturating_sub(1);
                    }
                    // A held answer stays shown: it is written when the storage opens again.
                    if result.as_ref().is_err_and(|e| !e.held()) {
                        o.remove(q);
                    }
                });
                settle();
            }
            match result {
                Ok(()) => {
                    save_error.set(None);
                    // The person may have left the page before the write ended.
                    if in_flight.try_get_untracked() == Some(0) {
                        saved.try_set(true);
                    }
                    sync.edited();
                }
                Err(e) => {
                    let said = format!("Ответ не сохранён: {}", e.0);
                    save_error.set(Some(said.clone()));
                    took_back_when_written(store, &e, save_error, said, move || {
                        if in_flight.try_get_untracked() == Some(0) {
                            saved.try_set(true);
                        }
                    });
                }
            }
        });
    };
    let set_answer = move |field: String, value: Value| {
        overlay.update(|o| {
            let e = o.entry(field.clone()).or_insert((Value::Null, 0));
            e.0 = value.clone();
            e.1 += 1;
        });
        write(BTreeMap::from([(field.clone(), value)]), Some(field));
    };

    let tp = template.clone();
    let counts = Memo::new(move |_| answers.with(|a| answer::progress(&tp, a)));
    let take_shared = Callback::new(move |fields: BTreeMap<String, Value>| write(fields, None));
    // The municipality's medians beside the school's figures (forms that show them), as the
    // server last gave them; none offline.
    let medians = RwSignal::new(BTreeMap::<String, f64>::new());
    if template.medians {
        let session = use_session();
        let campaign = campaign.id;
        Effect::new(move |_| {
            let online = net.status() == crate::connectivity::Net::Online;
            let Some(token) = session.token().filter(|_| online) else {
                return;
            };
            spawn_local(async move {
                if let Ok(m) = crate::api::campaign_medians(&token, campaign).await {
                    medians.set(m.medians);
                }
            });
        });
    }
    let shared_scope = plan_scope.clone();

    let submit = {
        move |_| {
            tried_submit.set(true);
            let first = problems.with_untracked(|p| p.first().map(|p| p.question.clone()));
            match first {
                Some(q) => focus(&format!("q-{}", top_id(&q))),
                None => write(
                    BTreeMap::from([(
                        forms::F_STATUS.to_owned(),
                        json!(Status::Submitted.as_str()),
                    )]),
                    None,
                ),
            }
        }
    };

    let time_limit = template.test.as_ref().and_then(|x| x.time_limit_min);
    // A timed test is begun by a button that says the time, not by opening it (a look at the
    // task would start a clock that never stops); one with answers, or sent, is under way.
    // A test whose clock the server started (kept on this computer) is under way too, answered
    // or not, also after a reload with no network.
    let begun =
        RwSignal::new(time_limit.is_none() || use_session().test_closes(response_id).is_some());
    Effect::new(move |_| {
        if !begun.get_untracked()
            && (status.get() != Status::Draft || answers.with(|a| !a.is_empty()))
        {
            begun.set(true);
        }
    });
    // Its time over, the answers are shown as given (new ones would not count); it may still
    // be sent.
    let expired = RwSignal::new(false);
    let answers_locked = Signal::derive(move || locked.get() || expired.get());
    let sections = template.sections.clone();
    let tq = template.clone();
    let result_id = forms::result_id(target.with_value(|t| t.id));
    let is_test = template.test.is_some();
    let deadline = campaign.deadline.clone();
    let campaign_id = campaign.id;
    view! {
        <section class="page form-page" id="form">
            <h1>{template.title.clone()}</h1>
            <p class="lead">{template.description.clone()}</p>
            <p class="muted">
                "Срок: " {format::date(&deadline)} ". "
                {template.anonymous.then_some("Анкета анонимная: ни имя, ни компьютер, ни время ответа с ответами не сохраняются; ответы видны только в общих итогах, когда ответят не менее трёх человек. ")}
                "Ответы сохраняются на этом компьютере при вводе и отправляются на сервер, когда есть связь."
            </p>
            <div class="form-status" role="status" aria-live="polite">
                <p id="form-progress" class="progress">
                    {move || { let (done, total) = counts.get(); format!("Заполнено {done} из {total}") }}
                    <progress max=move || counts.get().1.max(1) value=move || counts.get().0></progress>
                </p>
                <p id="form-state" class=move || format!("state state-{}", status.get().as_str())>
                    "Состояние: " {move || status.get().label()}
                </p>
                <p class="field-note">{move || (saved.get() && in_flight.get() == 0).then_some("Сохранено на этом компьютере")}</p>
            </div>
            {move || save_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <RefusedList/>
            {move || (status.get() == Status::Returned).then(|| view! {
                <p class="alert alert-info" id="form-returned" role="status">
                    "Наставник вернул форму на доработку. Его комментарии — рядом с ответами. Исправьте и отправьте снова."
                </p>
            })}
            <History reviews=reviews round=round question=None/>
            <shared::SharedAnswers school_year=campaign.school_year() template=template.clone() scope=shared_scope answers=answers locked=locked take=take_shared/>
            {time_limit.map(|minutes| view! {
                <TimeLimit minutes=minutes campaign=campaign.clone() template=template.clone() response=response_id locked=locked begun=begun expired=expired/>
            })}
            {is_test.then(|| view! { <TestResult id=result_id template=template.clone()/> })}
            {is_test.then(|| view! { <DeficitPlan response=response_id scope=plan_scope.clone()/> })}
            {move || (tried_submit.get() && !problems.with(Vec::is_empty) && !locked.get()).then(|| view! {
                <div class="alert alert-error" role="alert" id="form-problems">
                    <p>"Форма не отправлена. Исправьте, пожалуйста:"</p>
                    <ul>
                        {problems.get().into_iter().map(|p| view! {
                            <li><a href=format!("#q-{}", top_id(&p.question))>{p.message}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <form class="form" on:submit=|ev| ev.prevent_default() novalidate=true hidden=move || !begun.get()>
                {sections.into_iter().map(|s| {
                    let tq = tq.clone();
                    view! {
                        <fieldset class="form-section" id=format!("s-{}", s.id)>
                            <legend><h2>{s.title.clone()}</h2></legend>
                            {(!s.help.is_empty()).then(|| view! { <p class="help">{s.help.clone()}</p> })}
                            {s.questions.into_iter().map(|q| {
                                let q = Arc::new(q);
                                let id = q.id.clone();
                                let unit = match &q.kind {
                                    forms::Kind::Percent => " %".to_owned(),
                                    forms::Kind::Number(r) if !r.unit.is_empty() => format!(" {}", r.unit),
                                    forms::Kind::Computed(f) if !f.unit.is_empty() => format!(" {}", f.unit),
                                    _ => String::new(),
                                };
                                // Only beside a question that is shown.
                                let (tv, qv) = (tq.clone(), q.clone());
                                let shown = move || answers.with(|a| answer::visible(&tv, &qv, a));
                                let median = move || medians.with(|m| m.get(&id).copied()).filter(|_| shown()).map(|m| view! {
                                    <p class="median muted">{format!("Медиана по школам рассылки: {}{unit}", answer::fmt_num(m))}</p>
                                });
                                view! {
                                    <QuestionBlock q=q template=tq.clone() answers=answers fields=fields locked=answers_locked tried=tried_submit problems=problems set=Callback::new(move |(id, v): (String, Value)| set_answer(id, v)) record=record refusals=refusals reviews=reviews round=round/>
                                    {median}
                                }
                            }).collect_view()}
                        </fieldset>
                    }
                }).collect_view()}
                <div class="form-actions">
                    {move || (!locked.get()).then(|| view! {
                        <button type="button" id="form-submit" class="button-primary" on:click=submit>"Отправить на проверку"</button>
                    })}
                    <a class="button-secondary" id="form-print" href=format!("/forms/{campaign_id}/print")>"Версия для печати"</a>
                </div>
                {move || locked.get().then(|| view! {
                    <p class="alert alert-info" id="form-locked">
                        {match status.get() {
                            Status::Accepted => "Форма принята наставником.",
                            _ if is_scored_test => "Тест отправлен: ответы теста после отправки не меняются.",
                            _ => "Форма отправлена. Изменить ответы можно, когда наставник вернёт её на доработку.",
                        }}
                    </p>
                })}
            </form>
        </section>
    }
    .into_any()
}

/// A timed test: its clock starts on the server when it is begun online; the time left is
/// shown, and answers after it are not counted (`expired` is set once it is over).
#[component]
fn TimeLimit(
    minutes: u32,
    campaign: Arc<Campaign>,
    template: Arc<Template>,
    /// The response the server's clock is kept for (one per person or school).
    response: Uuid,
    locked: Signal<bool>,
    begun: RwSignal<bool>,
    expired: RwSignal<bool>,
) -> impl IntoView {
    let net = use_connectivity();
    let session = use_session();
    // When the test closes, by this computer's clock: as the server last said, kept for a
    // reload with no network; asked again once per page whenever the server answers.
    let closes = RwSignal::new(session.test_closes(response));
    let confirmed = RwSignal::new(false);
    let told = move |s: model::api::TestStarted, token: &str| {
        // Not kept for someone else who signed in while the answer was on its way.
        if session.token().as_deref() != Some(token) {
            return;
        }
        // The server's clock, moved to this computer's.
        let offset = js_sys::Date::now() - s.server_time_ms as f64;
        let at = s.closes_at_ms as f64 + offset;
        session.keep_test_closes(response, at);
        closes.try_set(Some(at));
        confirmed.try_set(true);
    };
    let start_error = RwSignal::new(None::<String>);
    let now = RwSignal::new(js_sys::Date::now());
    let start = model::api::TestStart {
        campaign: campaign.id,
        template: template.code.clone(),
        version: template.version,
    };
    // The questions are shown only once the server has started the clock: a test begun with no
    // connection would have no time limit at all.
    let starting = RwSignal::new(false);
    let begin_error = RwSignal::new(None::<String>);
    let start_now = {
        let start = start.clone();
        move |_| {
            if starting.get_untracked() {
                return;
            }
            let Some(token) = session.token() else { return };
            let start = start.clone();
            starting.set(true);
            begin_error.set(None);
            spawn_local(async move {
                match crate::api::start_test(&token, &start).await {
                    Ok(s) => {
                        told(s, &token);
                        begun.try_set(true);
                    }
                    Err(crate::api::Failure::Offline) => {
                        begin_error.try_set(Some(
                            "Нет связи с сервером. Время теста отсчитывает сервер, поэтому начать \
                             тест можно только при подключении к сети. Подключитесь и нажмите \
                             «Начать тест» снова."
                                .into(),
                        ));
                    }
                    Err(f) => {
                        session.handle(&token, &f);
                        begin_error.try_set(Some(format!(
                            "Тест не начат: {} Попробуйте ещё раз.",
                            f.message()
                        )));
                    }
                }
                starting.try_set(false);
            });
        }
    };
    // A test already under way (answers here, or begun on another computer) is told its start
    // by the server whenever it answers; the server keeps the first start.
    Effect::new(move |_| {
        let online = net.status() == crate::connectivity::Net::Online;
        if !begun.get() || !online || locked.get() || confirmed.get_untracked() {
            return;
        }
        let Some(token) = session.token() else { return };
        let start = start.clone();
        spawn_local(async move {
            match crate::api::start_test(&token, &start).await {
                Ok(s) => {
                    told(s, &token);
                    start_error.try_set(None);
                }
                Err(f) => {
                    session.handle(&token, &f);
                    start_error.try_set(Some(format!(
                        "Сервер не сообщил, когда начат тест: {} Ответы сохраняются на этом \
                         компьютере; время уточнится, когда сервер ответит.",
                        f.message()
                    )));
                }
            }
        });
    });
    Effect::new(move |_| {
        let over = !locked.get() && closes.get().is_some_and(|c| now.get() >= c);
        if over != expired.get_untracked() {
            expired.set(over);
        }
    });
    let tick = leptos::prelude::set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_secs(15),
    );
    on_cleanup(move || {
        if let Ok(h) = tick {
            h.clear();
        }
    });
    view! {
        <p class="alert alert-info" id="time-limit" role="status">
            {move || match closes.get() {
                _ if locked.get() => format!("Время на тест: {minutes} мин."),
                None if !begun.get() => format!("Время на тест: {minutes} мин."),
                None => format!("Время на тест: {minutes} мин. Отсчёт идёт на сервере с момента, когда тест начат при подключении к сети."),
                Some(c) => {
                    let left = ((c - now.get()) / 60_000.0).ceil();
                    if left > 0.0 {
                        format!("Время на тест: {minutes} мин. Осталось примерно {left} мин.")
                    } else {
                        "Время теста истекло: ответы больше не меняются. Отправьте тест.".to_owned()
                    }
                }
            }}
        </p>
        {move || start_error.get().map(|e| view! { <p class="alert alert-error" id="time-limit-error" role="alert">{e}</p> })}
        {move || (!begun.get()).then(|| view! {
            <div class="card" id="test-start-panel">
                <p>{format!("На тест даётся {minutes} мин. Отсчёт начнётся, когда вы нажмёте «Начать тест», и остановить его нельзя (если тест уже начат, здесь или на другом компьютере, время идёт с того момента). Начинайте, когда сможете пройти тест целиком, при подключении к сети; ответы сохраняются на этом компьютере и отправляются на сервер сами.")}</p>
                <button type="button" class="button-primary" id="test-start" on:click=start_now.clone()
                    aria-busy=move || if starting.get() { "true" } else { "false" }>
                    {move || if starting.get() { "Тест начинается…" } else { "Начать тест" }}
                </button>
                {move || begin_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            </div>
        })}
    }
}

/// `group[2].inner` → `group`.
fn top_id(path: &str) -> &str {
    path.split(['[', '.']).next().unwrap_or(path)
}

fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        el.scroll_into_view();
        let target = el
            .query_selector("input, textarea, select, [tabindex]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(t) = target {
            let _ = t.focus();
        }
    }
}

/// One question with its label, input, help and the problems found with its answer.
#[component]
fn QuestionBlock(
    q: Arc<Question>,
    template: Arc<Template>,
    answers: Memo<Answers>,
    /// The answer fields as stored and typed (a group's items are found by their fields).
    fields: Memo<BTreeMap<String, Value>>,
    locked: Signal<bool>,
    tried: RwSignal<bool>,
    problems: Memo<Vec<answer::Problem>>,
    set: Callback<(String, Value)>,
    record: ReadSignal<Option<Record>>,
    refusals: RwSignal<Vec<Refused>>,
    reviews: Signal<Vec<Record>>,
    round: Signal<u64>,
) -> impl IntoView {
    let qid = q.id.clone();
    let dom_id = format!("q-{}-input", q.id);
    let tv = template.clone();
    let qv = q.clone();
    let visible = move || answers.with(|a| answer::visible(&tv, &qv, a));
    let qid2 = qid.clone();
    // A memo: a question's inputs wake only when its own answer changes.
    let value: Signal<Value> =
        Memo::new(move |_| answers.with(|a| a.get(&qid2).cloned().unwrap_or(Value::Null))).into();
    let qid3 = qid.clone();
    // A broken rule shows at once; a missing answer once "Отправить" was pressed.
    let qid4 = qid.clone();
    let error: Signal<Option<String>> = Memo::new(move |_| {
        problems.with(|ps| {
            ps.iter()
                .find(|p| top_id(&p.question) == qid4 && (tried.get() || !p.missing))
                .map(|p| p.message.clone())
        })
    })
    .into();
    let field = forms::answer_field(&qid);
    let refused = Signal::derive(move || {
        let rid = record.with(|r| r.as_ref().map(|r| r.id))?;
        refusals.with(|list| {
            list.iter()
                .rev()
                .find(|r| {
                    // The answer's own field, or one of its cells.
                    r.mutation.change.record == rid
                        && r.mutation.change.fields.keys().any(|k| {
                            k.strip_prefix(field.as_str())
                                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                        })
                })
                .map(|r| r.message.clone())
        })
    });
    // Help and problems read with the inputs (ids that exist only).
    let help_id = (!q.help.is_empty()).then(|| format!("{dom_id}-help"));
    let error_id = format!("q-{qid}-error");
    let note = {
        let error_id = error_id.clone();
        Signal::derive(move || {
            let shown = error.with(Option::is_some) || refused.with(Option::is_some);
            let ids: Vec<String> = help_id
                .iter()
                .cloned()
                .chain(shown.then(|| error_id.clone()))
                .collect();
            Note {
                ids: (!ids.is_empty()).then(|| ids.join(" ")),
                invalid: shown,
            }
        })
    };
    let qid5 = qid.clone();
    let is_group = matches!(q.kind, Kind::Group { .. });
    let items: Signal<Vec<Option<String>>> = Memo::new(move |_| {
        if !is_group {
            return Vec::new();
        }
        fields.with(|f| {
            forms::group_items(f.iter().map(|(k, v)| (k.as_str(), v)), &qid5)
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        })
    })
    .into();
    let ctx = Ctx {
        note,
        value,
        items,
        answers: answers.into(),
        set: Callback::new(move |v: Value| set.run((forms::answer_field(&qid3), v))),
        set_field: set,
        disabled: locked,
    };
    let computed = matches!(q.kind, Kind::Computed(_));
    view! {
        <Show when=visible.clone()>
            <div class="question" class:computed=computed id=format!("q-{}", qid) data-q=qid.clone() data-kind=q.kind.name()>
                {label(&q, &dom_id)}
                <QuestionInput q=q.clone() dom_id=dom_id.clone() ctx=ctx.clone()/>
                <History reviews=reviews round=round question=Some(q.id.clone())/>
                <div id=error_id.clone() aria-live="polite">
                    {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                    {move || refused.get().map(|m| view! { <p class="field-error refused-note">"Не принято сервером: " {m}</p> })}
                </div>
            </div>
        </Show>
    }
}
