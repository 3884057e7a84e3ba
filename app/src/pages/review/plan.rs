//! The personal deficit plan of a tested leader, edited by the leader and the mentor alike:
//! a row per item, each change stored at once and synced (a failed save is said in words in its
//! row, or under the table for a new item); overdue items stand out.

use std::collections::BTreeMap;

use leptos::prelude::*;
use model::forms::plan::{
    self, F_AREA, F_DEADLINE, F_MEASURE, F_MEASURE_KIND, F_RESPONSIBLE, F_STATUS, MEASURE_KINDS,
    PLAN_ITEM_KIND, STATUSES,
};
use model::forms::{AreaScore, Level, RESULT_KIND};
use model::record::{Record, Scope};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::components::record_field::{self, SaveError, one};
use crate::components::text_input::{TextInput, date_parser, text_parser};
use crate::format;
use crate::store::{Target, use_store};

fn plan_item(id: Uuid, scope: Scope, parent: Uuid) -> Target {
    Target {
        id,
        kind: PLAN_ITEM_KIND,
        scope,
        parent: Some(parent),
    }
}

/// Stores fields of a plan item; a failure is put in `error`.
fn save(
    id: Uuid,
    scope: Scope,
    parent: Uuid,
    fields: BTreeMap<String, Value>,
    error: RwSignal<Option<String>>,
) {
    record_field::save(plan_item(id, scope, parent), fields, error);
}

#[component]
pub fn DeficitPlan(response: Uuid, scope: Scope) -> impl IntoView {
    let store = use_store();
    let results = store.watch_kind(RESULT_KIND);
    let areas = Memo::new(move |_| {
        results.with(|l| {
            l.iter()
                .find(|r| r.parent == Some(response))
                .and_then(|r| r.get("areas").cloned())
                .and_then(|v| serde_json::from_value::<Vec<AreaScore>>(v).ok())
                .unwrap_or_default()
        })
    });
    let all = store.watch_kind(PLAN_ITEM_KIND);
    let ids = Memo::new(move |_| {
        let mut ids: Vec<Uuid> = all.with(|l| {
            l.iter()
                .filter(|r| r.parent == Some(response) && !r.is_deleted())
                .map(|r| r.id)
                .collect()
        });
        ids.sort();
        ids
    });
    let scope = StoredValue::new(scope);
    let error = RwSignal::new(None::<String>);
    // While an item is being written, a second press makes no second one.
    let adding = RwSignal::new(false);
    let add = move |_| {
        let first = areas.with(|a| {
            a.iter()
                .find(|s| s.level == Level::Deficit)
                .or(a.first())
                .map(|s| s.area.clone())
        });
        // Made at once or not at all: a held item would be made again by the next press.
        record_field::save_once(
            plan_item(store.new_id(), scope.get_value(), response),
            BTreeMap::from([
                (F_AREA.to_owned(), json!(first.unwrap_or_default())),
                (F_MEASURE_KIND.to_owned(), json!(MEASURE_KINDS[0].0)),
                (F_STATUS.to_owned(), json!("planned")),
            ]),
            error,
            adding,
            || (),
        );
    };
    move || {
        (!areas.with(Vec::is_empty)).then(|| {
            view! {
                <section class="deficit-plan" id="deficit-plan" aria-labelledby="plan-title">
                    <h2 id="plan-title">"План восполнения профессиональных дефицитов"</h2>
                    <div class="table-wrap">
                        <table class="results plan-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Дефицит"</th>
                                    <th scope="col">"Вид меры"</th>
                                    <th scope="col">"Мероприятие"</th>
                                    <th scope="col">"Срок"</th>
                                    <th scope="col">"Ответственный"</th>
                                    <th scope="col">"Состояние"</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || ids.get() key=|id| *id let:id>
                                    <PlanRow id=id response=response scope=scope.get_value() all=all areas=areas
                                        place=Signal::derive(move || ids.with(|l| l.iter().position(|x| *x == id).map_or(0, |p| p + 1)))/>
                                </For>
                            </tbody>
                        </table>
                    </div>
                    <SaveError error=error/>
                    <button type="button" class="button-secondary" id="plan-add" disabled=move || adding.get() on:click=add>"Добавить пункт плана"</button>
                </section>
            }
        })
    }
}

#[component]
fn PlanRow(
    id: Uuid,
    response: Uuid,
    scope: Scope,
    all: ReadSignal<Vec<Record>>,
    areas: Memo<Vec<AreaScore>>,
    /// The row's number in the plan: each input is named with it («Срок, пункт 2»).
    place: Signal<usize>,
) -> impl IntoView {
    let named =
        move |what: &'static str| Signal::derive(move || format!("{what}, пункт {}", place.get()));
    let item = Memo::new(move |_| all.with(|l| l.iter().find(|r| r.id == id).cloned()));
    let text = move |name: &'static str| {
        Signal::derive(move || item.with(|r| r.as_ref().map(|r| r.text(name)).unwrap_or_default()))
    };
    let scope = StoredValue::new(scope);
    let error = RwSignal::new(None::<String>);
    let set = move |name: &'static str| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            let v = if v.trim().is_empty() && name != F_MEASURE && name != F_RESPONSIBLE {
                Value::Null
            } else {
                json!(v)
            };
            save(id, scope.get_value(), response, one(name, v), error);
        }
    };
    // Texts keep what is typed while focused and follow the other person's edits otherwise.
    let value = move |name: &'static str| -> Signal<Value> {
        Memo::new(move |_| {
            item.with(|r| {
                r.as_ref()
                    .and_then(|r| r.get(name).cloned())
                    .unwrap_or(Value::Null)
            })
        })
        .into()
    };
    let setter = move |name: &'static str| {
        Callback::new(move |v: Value| {
            save(id, scope.get_value(), response, one(name, v), error);
        })
    };
    let remove = move |_| {
        let Some(r) = item.get_untracked() else {
            return;
        };
        record_field::delete(
            "Удалить пункт плана?",
            plan_item(id, scope.get_value(), response),
            &r,
            error,
        );
    };
    let today = format::today();
    let overdue =
        Memo::new(move |_| item.with(|r| r.as_ref().is_some_and(|r| plan::overdue(r, &today))));
    let (area, kind, status) = (text(F_AREA), text(F_MEASURE_KIND), text(F_STATUS));
    let n = id.simple().to_string();
    view! {
        <tr class:overdue=overdue data-item=id.to_string()>
            <td>
                <select aria-label=named("Дефицит") on:change=set(F_AREA)>
                    {move || areas.get().into_iter().map(|a| {
                        let sel = area.get() == a.area;
                        view! { <option value=a.area.clone() selected=sel>{format!("{} ({})", a.title, a.level.label())}</option> }
                    }).collect_view()}
                </select>
            </td>
            <td>
                <select aria-label=named("Вид меры") on:change=set(F_MEASURE_KIND)>
                    {MEASURE_KINDS.iter().map(|(k, label)| view! { <option value=*k selected=move || kind.get() == *k>{*label}</option> }).collect_view()}
                </select>
            </td>
            <td>
                <TextInput id=format!("plan-measure-{n}") label=named("Мероприятие") value=value(F_MEASURE) parse=text_parser(1_000) set=setter(F_MEASURE) disabled=Signal::derive(|| false) multiline=true max_len=1_000u32/>
            </td>
            <td>
                <TextInput id=format!("plan-deadline-{n}") label=named("Срок") value=value(F_DEADLINE) parse=date_parser() set=setter(F_DEADLINE) disabled=Signal::derive(|| false) date=true/>
                {move || overdue.get().then(|| view! { <strong class="overdue-mark">" срок прошёл"</strong> })}
            </td>
            <td>
                <TextInput id=format!("plan-responsible-{n}") label=named("Ответственный") value=value(F_RESPONSIBLE) parse=text_parser(200) set=setter(F_RESPONSIBLE) disabled=Signal::derive(|| false) max_len=200u32/>
            </td>
            <td>
                <select aria-label=named("Состояние") id=format!("plan-status-{n}") on:change=set(F_STATUS)>
                    {STATUSES.iter().map(|(k, label)| view! { <option value=*k selected=move || status.get() == *k>{*label}</option> }).collect_view()}
                </select>
                " "
                <button type="button" class="button-link plan-delete" id=format!("plan-delete-{n}")
                    aria-label=move || {
                        let measure = text(F_MEASURE).get();
                        let measure = if measure.trim().is_empty() { "без названия".to_owned() } else { measure };
                        format!("Удалить пункт плана {}: {measure}", place.get())
                    }
                    on:click=remove>"Удалить"</button>
                <SaveError error=error/>
            </td>
        </tr>
    }
}
