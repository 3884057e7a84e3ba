//! Edits the server did not accept: shown with the reason ("не принято: …") until a person
//! has read them. They are never dropped silently.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::kinds;
use model::sync::client::Refused;

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
                            let values = format::fields_in_words(spec, &r.mutation.change.fields);
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
