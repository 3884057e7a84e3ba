//! "Сведения о школе": the school's passport, filled by its team. Every field is saved to this
//! computer as it is typed (no save button) and synced when there is a connection; earlier values
//! stay visible in each field's history (its first value and each computer's latest ten).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::hlc::DeviceId;
use model::kinds::school_profile::SPEC as SCHOOL_PROFILE;
use model::kinds::{FieldSpec, FieldType};
use model::record::{Record, Scope, singleton_id};
use serde_json::Value;

use crate::components::record_field::took_back_when_written;
use crate::components::refused::RefusedList;
use crate::components::undecided::UndecidedList;
use crate::format;
use crate::session::use_session;
use crate::store::{DbState, Target, use_store};
use crate::sync::use_sync;

/// The text shown in an input for a stored value.
fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// What the input's text means as a value of the field, or the rule it breaks.
fn parse(spec: &FieldSpec, text: &str) -> Result<Value, String> {
    let value = match spec.ty {
        FieldType::Text { .. } | FieldType::Check(_) | FieldType::Choice(..) => {
            if text.trim().is_empty() {
                Value::Null
            } else {
                Value::String(text.to_owned())
            }
        }
        FieldType::Integer { min, max } => {
            let t = text.trim();
            if t.is_empty() {
                Value::Null
            } else {
                match t.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => {
                        return Err(format!(
                            "Поле «{}»: введите целое число от {min} до {max}, без пробелов и букв.",
                            spec.label
                        ));
                    }
                }
            }
        }
    };
    spec.check(&value).map(|()| value)
}

#[component]
pub fn SchoolProfilePage() -> impl IntoView {
    let store = use_store();
    super::set_title("Сведения о школе");
    let session = use_session();
    let Some(school) = session.profile().and_then(|p| p.school_id) else {
        return view! { <p class="alert alert-error">"Учётная запись не привязана к школе."</p> }
            .into_any();
    };
    let scope = Scope::School(school);
    let target = Target {
        id: singleton_id(SCHOOL_PROFILE.name, &scope),
        kind: SCHOOL_PROFILE.name,
        scope,
        parent: None,
    };
    let record = store.watch_record(target.id);
    // This computer's device id, once its database is open: it tells own writes from others'.
    let me = RwSignal::new(None::<DeviceId>);
    Effect::new(move |_| {
        if matches!(store.db_state().get(), DbState::Ready { .. }) {
            spawn_local(async move {
                if let Ok(s) = store.load_device_state().await {
                    me.set(Some(s.device));
                }
            });
        }
    });
    let filled = move || {
        record.with(|r| {
            r.as_ref().map_or(0, |r| {
                SCHOOL_PROFILE
                    .fields
                    .iter()
                    .filter(|f| r.get(f.name).is_some_and(|v| !v.is_null()))
                    .count()
            })
        })
    };

    view! {
        <section class="page" id="school-profile">
            <h1>"Сведения о школе"</h1>
            <p class="lead">
                {session.profile().and_then(|p| p.school_name)} ". "
                "Всё, что вы вводите, сразу сохраняется на этом компьютере и отправляется на сервер, когда есть связь."
            </p>
            <p id="profile-progress" class="progress">
                "Заполнено " {filled} " из " {SCHOOL_PROFILE.fields.len()}
            </p>
            <RefusedList/>
            <UndecidedList/>
            <form class="form" on:submit=|ev| ev.prevent_default() novalidate=true>
                {SCHOOL_PROFILE
                    .fields
                    .iter()
                    .map(|spec| view! { <ProfileField spec=spec target=target.clone() record=record me=me/> })
                    .collect_view()}
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn ProfileField(
    spec: &'static FieldSpec,
    target: Target,
    record: ReadSignal<Option<Record>>,
    me: RwSignal<Option<DeviceId>>,
) -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    let id = format!("field-{}", spec.name);
    let error_id = format!("{id}-error");
    let draft = RwSignal::new(String::new());
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // "Сохранено" only once the last keystroke is stored: saves in flight are counted.
    let saved = RwSignal::new(false);
    let in_flight = RwSignal::new(0u32);

    // What another computer wrote shows up at once (it won, so it is newer than anything saved
    // here); this computer's own saves never overwrite what is being typed, and a value that
    // does not pass its rule yet is kept on screen until it is corrected.
    Effect::new(move |_| {
        let (value, writer) = record.with(|r| {
            let r = r.as_ref();
            (
                shown(r.and_then(|r| r.get(spec.name))),
                r.and_then(|r| r.writer(spec.name)).cloned(),
            )
        });
        let from_elsewhere = matches!((writer, me.get_untracked()), (Some(w), Some(m)) if w != m);
        if error.get_untracked().is_none() && (from_elsewhere || !editing.get_untracked()) {
            draft.set(value);
        }
    });

    let target = StoredValue::new(target);
    let on_input = move |text: String| {
        draft.set(text.clone());
        saved.set(false);
        match parse(spec, &text) {
            Err(rule) => error.set(Some(rule)),
            Ok(value) => {
                error.set(None);
                // (Also reached as the input is taken away, its part gone: nothing to store.)
                let Some(target) = target.try_get_value() else {
                    return;
                };
                in_flight.update(|n| *n += 1);
                spawn_local(async move {
                    let fields = BTreeMap::from([(spec.name.to_owned(), value)]);
                    let result = store.edit(&target, fields).await;
                    in_flight.update(|n| *n -= 1);
                    match result {
                        Ok(()) => {
                            // The page may be gone by now (the person went on at once).
                            if in_flight.try_get_untracked() == Some(0) {
                                saved.try_set(true);
                            }
                            sync.edited();
                        }
                        Err(e) => {
                            error.set(Some(e.0.clone()));
                            took_back_when_written(store, &e, error, e.0.clone(), move || {
                                if in_flight.try_get_untracked() == Some(0) {
                                    saved.try_set(true);
                                }
                            });
                        }
                    }
                });
            }
        }
    };
    // Also called as the input is taken away while it has the focus, its signals gone.
    let on_blur = move |_| {
        editing.try_set(false);
        if error.try_get_untracked().flatten().is_none()
            && let Some(v) =
                record.try_with_untracked(|r| shown(r.as_ref().and_then(|r| r.get(spec.name))))
        {
            draft.try_set(v);
        }
    };
    let history = move || {
        record.with(|r| {
            r.as_ref()
                .and_then(|r| r.fields.get(spec.name))
                .map(|f| f.history.clone())
                .unwrap_or_default()
        })
    };
    let multiline = matches!(spec.ty, FieldType::Text { max_chars } if max_chars > 300);
    let numeric = matches!(spec.ty, FieldType::Integer { .. });
    let described = error_id.clone();
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                rows="4"
                prop:value=move || draft.get()
                on:focus=move |_| editing.set(true)
                on:blur=on_blur
                on:input=move |ev| on_input(event_target_value(&ev))
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    if draft.try_get_untracked().is_some_and(|d| d != text) {
                        on_input(text);
                    }
                }
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=move || error.with(Option::is_some).then(|| described.clone())
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type="text"
                inputmode=if numeric { "numeric" } else { "text" }
                prop:value=move || draft.get()
                on:focus=move |_| editing.set(true)
                on:blur=on_blur
                on:input=move |ev| on_input(event_target_value(&ev))
                on:change=move |ev| {
                    // Autofill and some input methods report only a change.
                    let text = event_target_value(&ev);
                    if draft.try_get_untracked().is_some_and(|d| d != text) {
                        on_input(text);
                    }
                }
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=move || error.with(Option::is_some).then(|| described.clone())
            />
        }
        .into_any()
    };

    view! {
        <div class="field" data-field=spec.name>
            <label for=id.clone()>{spec.label}</label>
            {input}
            <p class="field-note" aria-live="polite">
                {move || saved.get().then_some("Сохранено на этом компьютере")}
            </p>
            {move || error.get().map(|e| view! { <p id=error_id.clone() class="field-error" role="alert">{e}</p> })}
            {move || {
                let h = history();
                (!h.is_empty()).then(|| {
                    let mine = me.get();
                    view! {
                        <details class="history">
                            <summary>"Предыдущие значения (" {h.len()} ")"</summary>
                            <ul>
                                {h.into_iter().rev().map(|w| {
                                    let who = if mine.as_ref() == Some(&w.hlc.device) { "это устройство" } else { "другое устройство" };
                                    let value = shown(Some(&w.value));
                                    view! {
                                        <li>
                                            <span class="history-value">{if value.is_empty() { "(пусто)".to_owned() } else { value }}</span>
                                            " — " {format::date_time(w.hlc.wall_ms)} ", " {who}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </details>
                    }
                })
            }}
        </div>
    }
}
