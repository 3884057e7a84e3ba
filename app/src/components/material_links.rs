//! The materials of the bank of practices a recommendation or a programme measure names
//! (`model::practices::F_MATERIALS`): links to them, and, for those who may change the record,
//! a choice among the published materials on this computer.

use leptos::prelude::*;
use model::practices::{self as p, F_MATERIALS, F_TITLE, MATERIAL_KIND, MAX_LINKED};
use model::record::Record;
use serde_json::json;
use uuid::Uuid;

use crate::components::record_field::{one, save_now};
use crate::store::{Target, use_store};

#[component]
pub fn MaterialLinks(
    record: Signal<Option<Record>>,
    target: Signal<Option<Target>>,
    #[prop(into)] editable: Signal<bool>,
    error: RwSignal<Option<String>>,
    /// The id of the list (and the prefix of its inputs).
    id: String,
) -> impl IntoView {
    let store = use_store();
    let materials = store.watch_kind(MATERIAL_KIND);
    let linked = Memo::new(move |_| record.with(|r| r.as_ref().map(p::linked).unwrap_or_default()));
    let title_of = move |m: Uuid| {
        materials.with(|l| {
            l.iter()
                .find(|r| r.id == m && !r.is_deleted())
                .map(|r| r.text(F_TITLE))
        })
    };
    let store_list = move |list: Vec<Uuid>| {
        if let Some(t) = target.get_untracked() {
            save_now(t, one(F_MATERIALS, json!(list)), error, || ());
        }
    };
    let chosen = RwSignal::new(String::new());
    let select_id = format!("{id}-choose");
    view! {
        <div class="material-links" id=id.clone()>
            {move || {
                let list = linked.get();
                (!list.is_empty() || editable.get()).then(|| view! {
                    <p><strong>"Материалы банка практик"</strong></p>
                })
            }}
            <ul class="plain">
                {move || linked.get().into_iter().map(|m| {
                    let title = title_of(m).unwrap_or_else(|| "Материал банка практик (ещё не получен этим компьютером)".into());
                    view! {
                        <li>
                            <a href=format!("/practices/{m}")>{title}</a>
                            {move || editable.get().then(|| view! {
                                " "
                                <button type="button" class="button-link" on:click=move |_| {
                                    let mut list = linked.get_untracked();
                                    list.retain(|x| *x != m);
                                    store_list(list);
                                }>"Убрать"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || (editable.get() && linked.with(Vec::len) < MAX_LINKED).then(|| {
                let options: Vec<(String, String)> = materials.with(|l| {
                    let have = linked.get();
                    let mut o: Vec<(String, String)> = l
                        .iter()
                        .filter(|r| !r.is_deleted() && p::is_published(r) && !have.contains(&r.id))
                        .map(|r| (r.id.to_string(), r.text(F_TITLE)))
                        .collect();
                    o.sort_by(|a, b| a.1.cmp(&b.1));
                    o
                });
                let select_id = select_id.clone();
                view! {
                    <div class="field-row no-print">
                        <div class="field">
                            <label for=select_id.clone()>"Добавить материал"</label>
                            <select id=select_id on:change=move |ev| chosen.set(event_target_value(&ev))>
                                <option value="">"— выберите —"</option>
                                {options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                            </select>
                        </div>
                        <button type="button" class="button-secondary" on:click=move |_| {
                            let Ok(m) = Uuid::parse_str(&chosen.get_untracked()) else { return };
                            let mut list = linked.get_untracked();
                            if !list.contains(&m) {
                                list.push(m);
                                store_list(list);
                            }
                            chosen.set(String::new());
                        }>"Добавить"</button>
                    </div>
                }
            })}
        </div>
    }
}
