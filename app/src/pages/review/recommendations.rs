//! Targeted recommendations: the mentor's editor (a draft made from a leader's deficits with the
//! built-in library, or written from scratch), and the lists the school and the mentor see.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::forms::recommendation::{
    self as rec, F_AREAS, F_AUTHOR, F_STATE, F_TEXT, F_TITLE, RECOMMENDATION_KIND,
};
use model::forms::{AreaScore, RESULT_KIND};
use model::record::{Record, Scope};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::format;
use crate::pages::homes::known_schools;
use crate::session::use_session;
use crate::store::{self, Target};
use crate::sync;

fn target(id: Uuid, scope: Scope) -> Target {
    Target {
        id,
        kind: RECOMMENDATION_KIND,
        scope,
        parent: None,
    }
}

/// "Подготовить рекомендации": a draft from the deficits of a scored test response.
#[component]
pub fn DraftFromResult(response: Uuid, scope: Scope) -> impl IntoView {
    let results = store::watch_kind(RESULT_KIND);
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
    move || {
        let navigate = navigate.clone();
        scores.get().map(|scores| {
            view! {
                <button type="button" id="recommend" class="button-secondary" on:click=move |_| {
                    let (title, text, areas) = rec::draft_from_scores(&rec::library(), &scores);
                    let id = store::new_id();
                    let fields = BTreeMap::from([
                        (F_TITLE.to_owned(), json!(title)),
                        (F_TEXT.to_owned(), json!(text)),
                        (F_AREAS.to_owned(), json!(areas)),
                        (F_STATE.to_owned(), json!("draft")),
                    ]);
                    let t = target(id, scope.get_value());
                    let navigate = navigate.clone();
                    spawn_local(async move {
                        if store::edit(&t, fields).await.is_ok() {
                            sync::edited();
                            navigate(&format!("/recommendations/{id}"), Default::default());
                        }
                    });
                }>"Подготовить адресные рекомендации по дефицитам"</button>
            }
        })
    }
}

/// `/recommendations/:id`: the mentor edits and sends recommendations.
#[component]
pub fn RecommendationPage() -> impl IntoView {
    crate::pages::set_title("Адресные рекомендации");
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let record = store::watch_record(id.unwrap_or_default());
    let loaded = Memo::new(move |_| record.with(Option::is_some));
    let error = RwSignal::new(None::<String>);
    let write = Callback::new(move |fields: BTreeMap<String, Value>| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        let t = target(r.id, r.scope.clone());
        spawn_local(async move {
            match store::edit(&t, fields).await {
                Ok(()) => sync::edited(),
                Err(e) => error.set(Some(format!("Не сохранено: {}", e.0))),
            }
        });
    });
    let sent =
        Memo::new(move |_| record.with(|r| r.as_ref().is_some_and(|r| r.text(F_STATE) == "sent")));
    move || {
        if !loaded.get() {
            return view! { <p class="empty" role="status">"Рекомендации ещё не получены на этот компьютер."</p> }.into_any();
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
                {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                <div class="field">
                    <label for="rec-title">"Заголовок"</label>
                    <input id="rec-title" type="text" maxlength="200" value=initial.text(F_TITLE) on:input=field(F_TITLE) disabled=move || sent.get()/>
                </div>
                <div class="field">
                    <label for="rec-text">"Текст рекомендаций"</label>
                    <textarea id="rec-text" rows="16" maxlength="20000" on:input=field(F_TEXT) disabled=move || sent.get()>{initial.text(F_TEXT)}</textarea>
                </div>
                {move || if sent.get() {
                    view! { <p class="alert alert-ok" id="rec-sent" role="status">"Отправлено школе. Школа увидит рекомендации после синхронизации."</p> }.into_any()
                } else {
                    view! {
                        <button type="button" id="rec-send" on:click=move |_| write.run(BTreeMap::from([(F_STATE.to_owned(), json!("sent"))]))>
                            "Отправить школе"
                        </button>
                    }.into_any()
                }}
            </section>
        }
        .into_any()
    }
}

/// The recommendations a school received, newest first (the school's home).
#[component]
pub fn ReceivedRecommendations() -> impl IntoView {
    let all = store::watch_kind(RECOMMENDATION_KIND);
    move || {
        let mut list: Vec<Record> = all.with(|l| {
            l.iter()
                .filter(|r| r.text(F_STATE) == "sent")
                .cloned()
                .collect()
        });
        list.sort_by_key(|r| std::cmp::Reverse(r.fields.get(F_STATE).map_or(0, |f| f.hlc.wall_ms)));
        (!list.is_empty()).then(|| view! {
            <section id="recommendations" aria-labelledby="recommendations-title">
                <h2 id="recommendations-title">"Рекомендации наставника"</h2>
                {list.into_iter().map(|r| view! {
                    <article class="recommendation">
                        <h3>{r.text(F_TITLE)}</h3>
                        <p class="muted">{r.text(F_AUTHOR)} ", " {r.fields.get(F_STATE).map(|f| format::date_time(f.hlc.wall_ms))}</p>
                        <p class="recommendation-text">{r.text(F_TEXT)}</p>
                    </article>
                }).collect_view()}
            </section>
        })
    }
}

/// The recommendations a mentor wrote, with their state (the mentor's home).
#[component]
pub fn WrittenRecommendations() -> impl IntoView {
    let session = use_session();
    let schools = known_schools(session);
    let all = store::watch_kind(RECOMMENDATION_KIND);
    move || {
        let names = schools.get();
        let list: Vec<Record> = all.get();
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
