//! Edits the server did not accept: shown with the reason ("не принято: …") until a person
//! has read them. They are never dropped silently.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::record::DELETED;
use model::sync::client::Refused;
use model::{forms, kinds};
use serde_json::Value;

use crate::components::record_field::SaveError;
use crate::format;
use crate::store::use_store;

#[component]
pub fn RefusedList() -> impl IntoView {
    let store = use_store();
    let list = RwSignal::new(Vec::<Refused>::new());
    Effect::new(move |_| {
        store.revision().track();
        store.db_state().track();
        spawn_local(async move {
            if let Ok(r) = store.refused().await {
                list.set(r);
            }
        });
    });
    move || {
        let items = list.get();
        (!items.is_empty()).then(|| {
            view! {
                <section class="refused" aria-labelledby="refused-title">
                    <h2 id="refused-title">"Не принято сервером"</h2>
                    <ul>
                        {items.into_iter().map(|r| {
                            let seq = r.mutation.seq;
                            let spec = kinds::spec(&r.mutation.change.kind);
                            let what = spec.map_or_else(|| "Запись".to_owned(), |s| s.label.to_owned());
                            let values = in_words(spec, &r.mutation.change.fields);
                            let error = RwSignal::new(None::<String>);
                            view! {
                                <li class="refused-item">
                                    <p><strong>"Не принято: "</strong>{r.message.clone()}</p>
                                    <p class="muted">{what} ", изменение от " {format::date_time(r.mutation.change.hlc.wall_ms)}</p>
                                    <p class="refused-values">{values.join("; ")}</p>
                                    <button type="button" class="button-secondary" on:click=move |_| {
                                        spawn_local(async move {
                                            if let Err(e) = store.dismiss_refused(seq).await {
                                                error.set(Some(format!("Не сохранено: {}", e.0)));
                                            }
                                        });
                                    }>"Прочитано, скрыть"</button>
                                    <SaveError error=error/>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

/// A refused change's fields as a person reads them: each under its label (a form's answer is
/// «Ответ»), dates as ДД.ММ.ГГГГ, yes and no, lists; fields that only tie a record to others
/// (which campaign, which version) are left out.
fn in_words(spec: Option<&kinds::KindSpec>, fields: &BTreeMap<String, Value>) -> Vec<String> {
    fields
        .iter()
        .filter_map(|(name, value)| {
            if name == DELETED {
                return Some("запись удалена".to_owned());
            }
            let label = match spec.and_then(|s| s.field(name)) {
                Some(f) => f.label,
                None if name.starts_with(forms::ANSWER_PREFIX) => "Ответ",
                None if name == forms::F_STATUS => "Состояние",
                None => return None,
            };
            Some(format!("{label}: {}", value_in_words(value)))
        })
        .collect()
}

fn value_in_words(value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "да".to_owned(),
        Value::Bool(false) => "нет".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if forms::answer::is_date(s) => format::date(s),
        Value::String(s) if s.chars().count() > 200 => {
            format!("{}…", s.chars().take(200).collect::<String>())
        }
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(value_in_words)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => "…".to_owned(),
    }
}
