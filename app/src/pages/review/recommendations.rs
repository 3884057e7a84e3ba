//! Targeted recommendations: the mentor's editor (a draft made from a leader's deficits with the
//! built-in library, or written from scratch), and the lists the school and the mentor see.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::forms::recommendation::{
    self as rec, F_ACK, F_ACK_BY, F_ACK_ON, F_AREAS, F_AUTHOR, F_DEADLINE, F_FACTOR, F_MEASURE,
    F_PERSON, F_SOURCE, F_STATE, F_TEXT, F_TITLE, RECOMMENDATION_KIND, SOURCES,
};
use model::forms::{AreaScore, RESULT_KIND};
use model::record::{Record, Scope};
use model::support::{RISK_FACTORS, factor_label};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::components::material_links::MaterialLinks;
use crate::components::record_field::{Field, Input, SaveError, delete_then, say_not_saved};
use crate::format;
use crate::lists::known_schools;
use crate::pages::support::measure_from_recommendation;
use crate::recommendation::{Draft, recommendation_target, save_draft, start_draft};
use crate::session::use_session;
use crate::store::use_store;
use crate::sync::use_sync;

/// "Подготовить рекомендации": a draft from the deficits of a scored test response.
#[component]
pub fn DraftFromResult(response: Uuid, scope: Scope) -> impl IntoView {
    let store = use_store();
    let results = store.watch_kind(RESULT_KIND);
    let scores = Memo::new(move |_| {
        results.with(|l| {
            l.iter()
                .find(|r| r.parent == Some(response))
                .and_then(|r| r.get("areas").cloned())
                .and_then(|v| serde_json::from_value::<Vec<AreaScore>>(v).ok())
        })
    });
    let navigate = use_navigate();
    let scope = StoredValue::new(scope);
    let error = RwSignal::new(None::<String>);
    let drafting = RwSignal::new(false);
    move || {
        let navigate = navigate.clone();
        scores.get().map(|scores| {
            view! {
                <button type="button" id="recommend" class="button-secondary" disabled=move || drafting.get() on:click=move |_| {
                    let (title, text, areas) = rec::draft_from_scores(&rec::library(), &scores);
                    let fields = BTreeMap::from([
                        (F_TITLE.to_owned(), json!(title)),
                        (F_TEXT.to_owned(), json!(text)),
                        (F_AREAS.to_owned(), json!(areas)),
                        (F_STATE.to_owned(), json!("draft")),
                        (F_SOURCE.to_owned(), json!("test")),
                        (rec::F_SOURCE_ID.to_owned(), json!(response.to_string())),
                    ]);
                    save_draft(scope.get_value(), fields, error, drafting, navigate.clone());
                }>"Подготовить адресные рекомендации по дефицитам"</button>
                <SaveError error=error/>
            }
        })
    }
}

/// "Написать рекомендации": an empty draft for a school (after monitoring, the card or any
/// other ground the mentor then chooses).
#[component]
pub fn NewRecommendationButton(
    school: Uuid,
    /// Names the button, repeated on every school's card.
    school_name: String,
) -> impl IntoView {
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let drafting = RwSignal::new(false);
    view! {
        <button type="button" class="button-secondary recommend-new" aria-label=format!("Написать рекомендации школе: {school_name}") disabled=move || drafting.get() on:click=move |_| {
            start_draft(Scope::School(school), Draft { title: "Адресные рекомендации", text: "", source: "other", source_id: None }, error, drafting, navigate.clone());
        }>"Написать рекомендации"</button>
        <SaveError error=error/>
    }
}

/// `/recommendations/:id`: the mentor edits and sends recommendations.
#[component]
pub fn RecommendationPage() -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    crate::pages::set_title("Адресные рекомендации");
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let record = store.watch_record(id.unwrap_or_default());
    let loaded = Memo::new(move |_| record.with(Option::is_some));
    let error = RwSignal::new(None::<String>);
    let write = Callback::new(move |fields: BTreeMap<String, Value>| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        let t = recommendation_target(r.id, r.scope.clone());
        spawn_local(async move {
            match store.edit(&t, fields).await {
                Ok(()) => {
                    error.set(None);
                    sync.edited();
                }
                Err(e) => say_not_saved(store, &e, error),
            }
        });
    });
    let sent =
        Memo::new(move |_| record.with(|r| r.as_ref().is_some_and(|r| r.text(F_STATE) == "sent")));
    let record_s: Signal<Option<Record>> = record.into();
    let t = Signal::derive(move || {
        record.with(|r| {
            r.as_ref()
                .map(|r| recommendation_target(r.id, r.scope.clone()))
        })
    });
    let editable = Signal::derive(move || !sent.get());
    let navigate = use_navigate();
    let remove = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        let navigate = navigate.clone();
        delete_then(
            "Удалить черновик рекомендаций?",
            recommendation_target(r.id, r.scope.clone()),
            &r,
            error,
            move || navigate("/", Default::default()),
        );
    };
    let remove = StoredValue::new(remove);
    let deleted = Memo::new(move |_| record.with(|r| r.as_ref().is_some_and(Record::is_deleted)));
    move || {
        if !loaded.get() {
            return view! { <p class="empty" role="status">"Рекомендации ещё не получены на этот компьютер."</p> }.into_any();
        }
        if deleted.get() {
            return view! { <p class="empty" role="status">"Эти рекомендации удалены."</p> }
                .into_any();
        }
        // Read once: the fields keep what is typed; saves never move the cursor.
        let initial = record
            .get_untracked()
            .unwrap_or_else(|| Record::new(Uuid::nil(), RECOMMENDATION_KIND, Scope::Centre, None));
        let field = move |name: &'static str| {
            move |ev: leptos::ev::Event| {
                write.run(BTreeMap::from([(
                    name.to_owned(),
                    json!(event_target_value(&ev)),
                )]));
            }
        };
        view! {
            <section class="page" id="recommendation">
                <h1>"Адресные рекомендации"</h1>
                <SaveError error=error/>
                <div class="field">
                    <label for="rec-title">"Заголовок"</label>
                    <input id="rec-title" type="text" maxlength="200" value=initial.text(F_TITLE) on:input=field(F_TITLE) disabled=move || sent.get()/>
                </div>
                {(initial.text(F_SOURCE) == "test").then(|| view! {
                    <p class="hint" id="rec-privacy">"Рекомендации прочитает вся управленческая команда школы, а результаты теста — только руководитель: баллы и проценты теста в текст не включайте."</p>
                })}
                <div class="field">
                    <label for="rec-text">"Текст рекомендаций"</label>
                    <textarea id="rec-text" rows="16" maxlength="20000" on:input=field(F_TEXT) disabled=move || sent.get()>{initial.text(F_TEXT)}</textarea>
                </div>
                <div class="field-row">
                    <Field record=record_s target=t name=F_SOURCE label="Основание" input=Input::Choice(&SOURCES) editable=editable error=error id="rec-source".into()/>
                    <Field record=record_s target=t name=F_FACTOR label="Фактор риска" input=Input::Choice(&RISK_FACTORS) editable=editable error=error id="rec-factor".into()/>
                </div>
                <div class="field-row">
                    <Field record=record_s target=t name=F_PERSON label="Кому в школе (если одному человеку)" input=Input::Text(200) editable=editable error=error id="rec-person".into()/>
                    <Field record=record_s target=t name=F_DEADLINE label="Срок" input=Input::Date editable=editable error=error id="rec-deadline".into()/>
                </div>
                <MaterialLinks record=record_s target=t editable=editable error=error id="rec-materials".into()/>
                {move || if sent.get() {
                    view! { <p class="alert alert-ok" id="rec-sent" role="status">"Отправлено школе. Школа увидит рекомендации после синхронизации."</p> }.into_any()
                } else {
                    view! {
                        <div class="actions">
                            <button type="button" id="rec-send" on:click=move |_| write.run(BTreeMap::from([(F_STATE.to_owned(), json!("sent"))]))>
                                "Отправить школе"
                            </button>
                            <button type="button" class="button-link" id="rec-delete" on:click=move |ev| remove.with_value(|f| f(ev))>"Удалить черновик"</button>
                        </div>
                    }.into_any()
                }}
            </section>
        }
        .into_any()
    }
}

/// The recommendations a school received, newest first (the school's home): the team
/// acknowledges each and may include it in this year's anti-risk programme in one step.
#[component]
pub fn ReceivedRecommendations() -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    let all = store.watch_kind(RECOMMENDATION_KIND);
    let error = RwSignal::new(None::<String>);
    // One step at a time: a double click makes one measure, not two.
    let busy = RwSignal::new(false);
    move || {
        let mut list: Vec<Record> = all.with(|l| {
            l.iter()
                .filter(|r| r.text(F_STATE) == "sent" && !r.is_deleted())
                .cloned()
                .collect()
        });
        list.sort_by_key(|r| std::cmp::Reverse(r.fields.get(F_STATE).map_or(0, |f| f.hlc.wall_ms)));
        (!list.is_empty()).then(|| view! {
            <section id="recommendations" aria-labelledby="recommendations-title">
                <h2 id="recommendations-title">"Рекомендации наставника"</h2>
                <SaveError error=error/>
                {list.into_iter().map(|r| {
                    let acknowledged = r.get(F_ACK) == Some(&json!(true));
                    let measure = r.text(F_MEASURE);
                    let source = rec::source_label(&r.text(F_SOURCE));
                    let factor = r.text(F_FACTOR);
                    let deadline = r.text(F_DEADLINE);
                    let person = r.text(F_PERSON);
                    let year = crate::pages::support::this_year();
                    let school = crate::pages::support::school_of(&r);
                    let ack_target = recommendation_target(r.id, r.scope.clone());
                    let stored = StoredValue::new(r.clone());
                    // The buttons of each recommendation are described by its title.
                    let heading = format!("rec-title-{}", r.id.simple());
                    view! {
                        <article class="recommendation" data-id=r.id.to_string()>
                            <h3 id=heading.clone()>{r.text(F_TITLE)}</h3>
                            <p class="muted">
                                {r.text(F_AUTHOR)} ", " {r.fields.get(F_STATE).map(|f| format::date_time(f.hlc.wall_ms))}
                                {(!source.is_empty()).then(|| format!(", {source}"))}
                                {(!factor.is_empty()).then(|| format!(". Фактор риска: {}", factor_label(&factor)))}
                                {(!person.is_empty()).then(|| format!(". Кому: {person}"))}
                                {(!deadline.is_empty()).then(|| format!(". Срок: {}", format::date(&deadline)))}
                            </p>
                            <p class="recommendation-text">{r.text(F_TEXT)}</p>
                            <MaterialLinks record=Signal::stored(Some(r.clone())) target=Signal::stored(None) editable=false error=error id=format!("rec-materials-{}", r.id.simple())/>
                            {if acknowledged {
                                {
                                    let by = r.text(F_ACK_BY);
                                    let text = if by.is_empty() {
                                        "Принято к сведению (кем и когда — появится после синхронизации).".to_owned()
                                    } else {
                                        format!("Принято к сведению: {by}, {}.", format::date(&r.text(F_ACK_ON)))
                                    };
                                    view! { <p class="alert alert-ok rec-ack">{text}</p> }.into_any()
                                }
                            } else {
                                view! {
                                    <button type="button" class="button-secondary rec-acknowledge" aria-describedby=heading.clone() on:click=move |_| {
                                        let t = ack_target.clone();
                                        spawn_local(async move {
                                            match store.edit(&t, BTreeMap::from([(F_ACK.to_owned(), json!(true))])).await {
                                                Ok(()) => {
                                                    error.set(None);
                                                    sync.edited();
                                                }
                                                Err(e) => say_not_saved(store, &e, error),
                                            }
                                        });
                                    }>"Принять к сведению"</button>
                                }.into_any()
                            }}
                            {if measure.is_empty() {
                                view! {
                                    <button type="button" class="button-secondary rec-to-programme" aria-describedby=heading.clone() disabled=move || busy.get() on:click=move |_| {
                                        if busy.get_untracked() {
                                            return;
                                        }
                                        busy.set(true);
                                        let r = stored.get_value();
                                        spawn_local(async move {
                                            if let Err(e) = measure_from_recommendation(store, sync, &r).await {
                                                error.set(Some(format!("Не сохранено: {}", e.0)));
                                            }
                                            busy.set(false);
                                        });
                                    }>"Включить в антирисковую программу"</button>
                                }.into_any()
                            } else {
                                view! {
                                    <p class="rec-in-programme">
                                        "Включено в антирисковую программу. "
                                        {school.map(|s| view! { <a href=format!("/programme/{s}?year={year}")>"Открыть программу"</a> })}
                                    </p>
                                }.into_any()
                            }}
                        </article>
                    }
                }).collect_view()}
            </section>
        })
    }
}

/// The recommendations a mentor wrote, with their state (the mentor's home).
#[component]
pub fn WrittenRecommendations() -> impl IntoView {
    let store = use_store();
    let session = use_session();
    let schools = known_schools(session);
    let all = store.watch_kind(RECOMMENDATION_KIND);
    move || {
        let names = schools.get();
        let list: Vec<Record> =
            all.with(|l| l.iter().filter(|r| !r.is_deleted()).cloned().collect());
        (!list.is_empty()).then(|| view! {
            <h2>"Адресные рекомендации"</h2>
            <ul class="plain">
                {list.into_iter().map(|r| {
                    let school = match &r.scope {
                        Scope::School(id) => names.iter().find(|s| s.id == *id).map(|s| s.name.clone()).unwrap_or_default(),
                        _ => String::new(),
                    };
                    let state = if r.text(F_STATE) == "sent" { "отправлено" } else { "черновик" };
                    view! { <li><a href=format!("/recommendations/{}", r.id)>{r.text(F_TITLE)}</a>{format!(" — {school}, {state}")}</li> }
                }).collect_view()}
            </ul>
        })
    }
}
