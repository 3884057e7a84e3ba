//! `/centre/plan?year=Y&from=M&to=M`: the plan of work of a school year grouped by direction.
//! The head adds items and edits everything; the person responsible for an item writes its
//! status, report and documents; everybody sees the figures of what an item is linked to.

use std::collections::BTreeMap;

use leptos::prelude::*;
use model::api::Specialist;
use model::forms::{self, Campaign};
use model::kinds::addressee;
use model::record::{Record, Scope};
use model::workplan::{
    self as w, DIRECTIONS, DOCUMENT_KINDS, Document, F_CONTENT, F_DIRECTION, F_EVIDENCE, F_LINK,
    F_MONTHS, F_PEOPLE, F_PERIOD, F_PLACE, F_REPORT, F_RESPONSIBLE, F_SCHOOLS, F_STATUS, F_YEAR,
    PERIODS, SCHOOL_MONTHS, STATUSES,
};
use model::{Role, School};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{period_words, plan_query, query, watch_linked};
use crate::components::download::DownloadButton;
use crate::components::record_field::{
    Checklist, Field, Input, SaveError, delete, one, save, save_now,
};
use crate::components::text_input::DateInput;
use crate::lists::{known_schools, specialists};
use crate::session::use_session;
use crate::store::{Target, use_store};

fn target(r: &Record) -> Target {
    Target {
        id: r.id,
        kind: w::KIND,
        scope: Scope::Centre,
        parent: None,
    }
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("План работы центра");
    let session = use_session();
    let me = session.profile();
    let head = me.as_ref().is_some_and(|p| p.role == Role::Head);
    let me_id = me.map(|p| p.id);
    // Fetched once for the page (each item uses them).
    let people = specialists(session);
    let schools = known_schools(session);
    let (year, period) = plan_query();
    let items = store.watch_kind(w::KIND);
    let linked = watch_linked();
    let groups = Memo::new(move |_| items.with(|l| w::grouped(l, year, period)));
    let ids = Memo::new(move |_| {
        groups.with(|g| {
            g.iter()
                .map(|(d, l)| (*d, l.iter().map(|r| r.id).collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        })
    });
    let error = RwSignal::new(None::<String>);
    let (direction, content) = (
        RwSignal::new(DIRECTIONS[0].0.to_owned()),
        RwSignal::new(String::new()),
    );
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = content.get_untracked();
        if text.trim().is_empty() {
            error.set(Some("Опишите содержание работы.".into()));
            return;
        }
        let t = Target {
            id: store.new_id(),
            kind: w::KIND,
            scope: Scope::Centre,
            parent: None,
        };
        // The text is cleared once the item is saved: a failure keeps what was typed.
        save_now(
            t,
            BTreeMap::from([
                (F_YEAR.to_owned(), json!(year)),
                (F_DIRECTION.to_owned(), json!(direction.get_untracked())),
                (F_CONTENT.to_owned(), json!(text.trim())),
                (F_PERIOD.to_owned(), json!("during_year")),
                (F_STATUS.to_owned(), json!("planned")),
            ]),
            error,
            move || content.set(String::new()),
        );
    };
    let month_options = move |selected: Option<u8>| {
        SCHOOL_MONTHS
            .iter()
            .map(|m| {
                view! { <option value=m.to_string() selected=selected == Some(*m)>{w::month_name(*m)}</option> }
            })
            .collect_view()
    };
    // Keyed lists, so a sync that adds an item does not redraw (and close) the others.
    let directions = move || ids.get().into_iter().map(|(d, _)| d).collect::<Vec<_>>();
    let items_of = move |d: &'static str| {
        ids.with(|g| {
            g.iter()
                .find(|(x, _)| *x == d)
                .map(|(_, l)| l.clone())
                .unwrap_or_default()
        })
    };
    let from = RwSignal::new(period.map_or(9, |p| p.0));
    let to = RwSignal::new(period.map_or(8, |p| p.1));
    view! {
        <section class="page" id="workplan">
            <h1>{format!("План работы наставнического центра на {}/{} учебный год{}", year, year + 1, period_words(period))}</h1>
            <nav class="year-nav no-print" aria-label="Учебный год и период">
                <a href=format!("/centre/plan?year={}", year - 1) rel="external">{format!("← {}/{}", year - 1, year)}</a>
                <a href=format!("/centre/plan?year={}", year + 1) rel="external">{format!("{}/{} →", year + 1, year + 2)}</a>
                <label for="period-from">"Период: с"</label>
                <select id="period-from" on:change=move |ev| from.set(event_target_value(&ev).parse().unwrap_or(9))>{month_options(Some(from.get_untracked()))}</select>
                <label for="period-to">"по"</label>
                <select id="period-to" on:change=move |ev| to.set(event_target_value(&ev).parse().unwrap_or(8))>{month_options(Some(to.get_untracked()))}</select>
                {move || if w::school_index(from.get()) <= w::school_index(to.get()) {
                    view! { <a id="period-apply" href=format!("/centre/plan{}", query(year, Some((from.get(), to.get())))) rel="external">"Показать"</a> }.into_any()
                } else {
                    view! { <span class="field-error" id="period-apply" role="alert">"Начало периода позже его конца: учебный год идёт с сентября по август."</span> }.into_any()
                }}
                <a href=format!("/centre/plan{}", query(year, None)) rel="external">"Весь год"</a>
                <a id="plan-print" href=format!("/centre/plan/print{}", query(year, period))>"Версия для печати"</a>
                <DownloadButton path=format!("/workplan.xlsx{}", query(year, period)) file=format!("План работы центра на {}-{} учебный год.xlsx", year, year + 1) id="plan-xlsx"/>
            </nav>
            <SaveError error=error/>
            {head.then(|| view! {
                <form class="card-form no-print" id="plan-new" on:submit=add>
                    <h2>"Новое мероприятие"</h2>
                    <div class="field">
                        <label for="new-direction">"Направление"</label>
                        <select id="new-direction" on:change=move |ev| direction.set(event_target_value(&ev))>
                            {DIRECTIONS.iter().map(|(k, l)| view! { <option value=*k>{*l}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="new-content">"Содержание работы"</label>
                        <textarea id="new-content" rows="3" maxlength="2000" prop:value=move || content.get() on:input=move |ev| content.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit" id="new-add">"Добавить в план"</button>
                </form>
            })}
            {move || ids.with(Vec::is_empty).then(|| view! { <p class="empty">"В плане на этот год мероприятий пока нет."</p> })}
            <For each=directions key=|d| *d let:d>
                <section class="plan-direction">
                    <h2>{d}</h2>
                    <ol class="plan-items">
                        <For
                            each=move || items_of(d)
                            key=|id| *id
                            let:id
                        >
                            <PlanItem id=id items=items linked=linked head=head me=me_id people=people schools=schools/>
                        </For>
                    </ol>
                </section>
            </For>
        </section>
    }
}

#[component]
fn PlanItem(
    id: Uuid,
    items: ReadSignal<Vec<Record>>,
    linked: Signal<Vec<Record>>,
    head: bool,
    me: Option<Uuid>,
    people: RwSignal<Vec<Specialist>>,
    schools: RwSignal<Vec<School>>,
) -> impl IntoView {
    let record = Memo::new(move |_| items.with(|l| l.iter().find(|r| r.id == id).cloned()));
    let record_s: Signal<Option<Record>> = record.into();
    let t = Signal::derive(move || record.with(|r| r.as_ref().map(target)));
    let error = RwSignal::new(None::<String>);
    let responsible = Memo::new(move |_| record.with(|r| r.as_ref().and_then(addressee)));
    let reporter = Signal::derive(move || head || (me.is_some() && responsible.get() == me));
    let figures = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| linked.with(|all| w::figures(r, all)))
                .unwrap_or_default()
        })
    });
    let n = id.simple().to_string();
    let text = move |name: &'static str| {
        move || record.with(|r| r.as_ref().map(|r| r.text(name)).unwrap_or_default())
    };
    let who = move || {
        let mut s = record.with(|r| r.as_ref().map(|r| r.text(F_PEOPLE)).unwrap_or_default());
        if let Some(p) = responsible.get() {
            // (The list holds enabled accounts only: a person whose account was disabled is
            // still named as responsible, not dropped.)
            let x = people.with(|l| match l.iter().find(|x| x.id == p) {
                Some(x) => x.full_name.clone(),
                // (An empty list is one not yet read: nobody is said to be missing from it.)
                None if l.is_empty() => String::new(),
                None => DISABLED_RESPONSIBLE.to_owned(),
            });
            if !x.is_empty() {
                s = if s.is_empty() { x } else { format!("{x}; {s}") };
            }
        }
        s
    };
    let remove = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        delete("Удалить мероприятие из плана?", target(&r), &r, error);
    };
    view! {
        <li class="plan-item" data-item=id.to_string() data-status=text(F_STATUS)>
            <p class="plan-line">
                <strong>{text(F_CONTENT)}</strong>
                <span class="muted">
                    {move || record.with(|r| r.as_ref().map(w::period_label))}
                    {move || { let p = text(F_PLACE)(); (!p.is_empty()).then(|| format!(" · {p}")) }}
                    {move || { let p = who(); (!p.is_empty()).then(|| format!(" · {p}")) }}
                    {move || {
                        let ids = record.with(|r| r.as_ref().and_then(|r| r.get(F_SCHOOLS).and_then(Value::as_array).cloned()).unwrap_or_default());
                        (!ids.is_empty()).then(|| {
                            let names = schools.with(|l| ids.iter().filter_map(|v| v.as_str()).filter_map(|s| l.iter().find(|x| x.id.to_string() == s).map(|x| x.name.clone())).collect::<Vec<_>>());
                            format!(" · {}", names.join(", "))
                        })
                    }}
                    " · " {move || w::label(&STATUSES, &text(F_STATUS)()).to_owned()}
                </span>
            </p>
            {move || { let f = figures.get(); (!f.is_empty()).then(|| view! { <p class="plan-figures">"По данным системы: " {f.join("; ")} "."</p> }) }}
            {move || { let r = text(F_REPORT)(); (!r.is_empty()).then(|| view! { <p class="recommendation-text plan-report">{r}</p> }) }}
            <details class="no-print" open=false>
                <summary>{if head { "Изменить и отчитаться" } else { "Отчёт о выполнении" }}</summary>
                <SaveError error=error/>
                <div class="field-row">
                    <Field record=record_s target=t name=F_DIRECTION label="Направление" input=Input::Required(&DIRECTIONS) editable=head error=error id=format!("direction-{n}")/>
                    <Field record=record_s target=t name=F_STATUS label="Состояние" input=Input::Required(&STATUSES) editable=reporter error=error id=format!("status-{n}")/>
                </div>
                <Field record=record_s target=t name=F_CONTENT label="Содержание работы" input=Input::Long(2_000) editable=head error=error id=format!("content-{n}")/>
                <div class="field-row">
                    <Field record=record_s target=t name=F_PERIOD label="Сроки" input=Input::Required(&PERIODS) editable=head error=error id=format!("period-{n}")/>
                    <Field record=record_s target=t name=F_PLACE label="Место проведения" input=Input::Text(300) editable=head error=error id=format!("place-{n}")/>
                </div>
                <Checklist
                    record=record_s target=t name=F_MONTHS error=error editable=head
                    legend="Месяцы (для сроков «месяц», «несколько месяцев», «два раза в год»)"
                    options=month_options(&n)
                />
                <div class="field-row">
                    <ResponsibleSelect record=record_s target=t editable=head error=error n=n.clone() people=people/>
                    <Field record=record_s target=t name=F_PEOPLE label="Ответственный, привлечённые специалисты (как в плане)" input=Input::Text(1_000) editable=head error=error id=format!("people-{n}")/>
                </div>
                <Checklist
                    record=record_s target=t name=F_SCHOOLS error=error editable=head
                    legend="Школы (не отмечено ни одной — все школы)"
                    options=school_options(schools, n.clone())
                />
                <LinkSelect record=record_s target=t editable=head error=error n=n.clone()/>
                <Field record=record_s target=t name=F_REPORT label="Отчёт о выполнении" input=Input::Long(20_000) editable=reporter error=error id=format!("report-{n}")/>
                <Evidence record=record_s target=t editable=reporter error=error n=n.clone()/>
                {head.then(|| view! { <button type="button" class="button-link" on:click=remove>"Удалить из плана"</button> })}
            </details>
        </li>
    }
}

/// The months of a period, in the order of the school year.
fn month_options(n: &str) -> Signal<Vec<(Value, String, String)>> {
    let options: Vec<_> = SCHOOL_MONTHS
        .iter()
        .map(|m| {
            (
                json!(m),
                w::month_name(*m).to_owned(),
                format!("month-{n}-{m}"),
            )
        })
        .collect();
    Signal::stored(options)
}

/// The schools an item can be addressed to.
fn school_options(
    schools: RwSignal<Vec<School>>,
    n: String,
) -> Signal<Vec<(Value, String, String)>> {
    Signal::derive(move || {
        schools.with(|l| {
            l.iter()
                .map(|s| {
                    (
                        json!(s.id.to_string()),
                        s.name.clone(),
                        format!("school-{n}-{}", s.id.simple()),
                    )
                })
                .collect()
        })
    })
}

/// Who is named as responsible when the person is not among the centre's enabled specialists.
const DISABLED_RESPONSIBLE: &str = "специалист, которого нет в списке (учётная запись отключена)";

/// The person responsible: one of the centre's specialists (they report on the item).
#[component]
fn ResponsibleSelect(
    record: Signal<Option<Record>>,
    target: Signal<Option<Target>>,
    editable: bool,
    error: RwSignal<Option<String>>,
    n: String,
    people: RwSignal<Vec<Specialist>>,
) -> impl IntoView {
    let current = Memo::new(move |_| record.with(|r| r.as_ref().and_then(addressee)));
    let id = format!("responsible-{n}");
    view! {
        <div class="field">
            <label for=id.clone()>"Ответственный (отчитывается о выполнении)"</label>
            <select id=id disabled=!editable on:change=move |ev| {
                let v = event_target_value(&ev);
                if let Some(t) = target.get_untracked() {
                    save(t, one(F_RESPONSIBLE, if v.is_empty() { Value::Null } else { json!(v) }), error);
                }
            }>
                <option value="" selected=move || current.get().is_none()>"— не назначен —"</option>
                {move || current.get().filter(|c| people.with(|l| !l.is_empty() && !l.iter().any(|p| p.id == *c))).map(|c| view! {
                    <option value=c.to_string() selected=true>{DISABLED_RESPONSIBLE}</option>
                })}
                {move || people.get().into_iter().map(|p| {
                    let pid = p.id;
                    view! { <option value=pid.to_string() selected=move || current.get() == Some(pid)>{format!("{} — {}", p.full_name, p.role.label())}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// What the system knows about the item: a campaign, the consultations, visits, programmes.
#[component]
fn LinkSelect(
    record: Signal<Option<Record>>,
    target: Signal<Option<Target>>,
    editable: bool,
    error: RwSignal<Option<String>>,
    n: String,
) -> impl IntoView {
    let store = use_store();
    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    let current =
        Memo::new(move |_| record.with(|r| r.as_ref().map(|r| r.text(F_LINK)).unwrap_or_default()));
    let id = format!("link-{n}");
    const FIXED: [(&str, &str); 3] = [
        ("consultations", "консультации по запросам школ"),
        ("visits", "посещения и мероприятия наставников"),
        ("programmes", "антирисковые программы школ"),
    ];
    view! {
        <div class="field">
            <label for=id.clone()>"Показывать данные системы"</label>
            <select id=id disabled=!editable on:change=move |ev| {
                let v = event_target_value(&ev);
                if let Some(t) = target.get_untracked() {
                    save(t, one(F_LINK, if v.is_empty() { Value::Null } else { json!(v) }), error);
                }
            }>
                <option value="" selected=move || current.get().is_empty()>"— нет —"</option>
                {FIXED.iter().map(|(k, l)| view! { <option value=*k selected=move || current.get() == *k>{*l}</option> }).collect_view()}
                {move || campaigns.get().iter().filter_map(Campaign::from_record).map(|c| {
                    let v = format!("campaign:{}", c.id);
                    let v2 = v.clone();
                    view! { <option value=v selected=move || current.get() == v2>{format!("рассылка формы «{}»", c.title)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// The documents that prove execution, cited as officials cite them.
#[component]
fn Evidence(
    record: Signal<Option<Record>>,
    target: Signal<Option<Target>>,
    #[prop(into)] editable: Signal<bool>,
    error: RwSignal<Option<String>>,
    n: String,
) -> impl IntoView {
    let docs =
        Memo::new(move |_| record.with(|r| r.as_ref().map(w::documents).unwrap_or_default()));
    let write = move |list: Vec<Document>, then: Box<dyn FnOnce()>| {
        if let Some(t) = target.get_untracked() {
            save_now(t, one(F_EVIDENCE, json!(list)), error, then);
        }
    };
    let (kind, number, date, title) = (
        RwSignal::new("letter".to_owned()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let date_id = StoredValue::new(format!("doc-date-{n}"));
    // What is wrong with the document being added: its own, so a save of another field
    // finishing meanwhile never clears it.
    let wrong = RwSignal::new(None::<String>);
    let add = move |_| {
        if number.get_untracked().trim().is_empty() && title.get_untracked().trim().is_empty() {
            wrong.set(Some("Укажите номер или название документа.".into()));
            return;
        }
        // A date that does not exist clears the stored one and keeps the text typed: the
        // document is not added without the date the person meant.
        let typed = date_id
            .with_value(|id| document().get_element_by_id(id))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok())
            .map(|i| i.value())
            .unwrap_or_default();
        if !typed.trim().is_empty() && date.get_untracked().is_empty() {
            wrong.set(Some(format!(
                "Дата документа «{}» введена неверно: исправьте её (ДД.ММ.ГГГГ) или оставьте поле пустым.",
                typed.trim()
            )));
            return;
        }
        wrong.set(None);
        let mut list = docs.get_untracked();
        list.push(Document {
            kind: kind.get_untracked(),
            number: number.get_untracked().trim().to_owned(),
            date: date.get_untracked(),
            title: title.get_untracked().trim().to_owned(),
        });
        // The inputs are cleared once the document is saved: a failure keeps what was typed.
        write(
            list,
            Box::new(move || {
                number.set(String::new());
                title.set(String::new());
                date.set(String::new());
            }),
        );
    };
    let ids = [
        format!("doc-kind-{n}"),
        format!("doc-number-{n}"),
        format!("doc-date-{n}"),
        format!("doc-title-{n}"),
    ];
    view! {
        <div class="field evidence">
            <span class="field-label">"Источники (документы)"</span>
            <ul class="plain">
                {move || docs.get().into_iter().enumerate().map(|(i, d)| {
                    let cited = d.cite();
                    let named = format!("Убрать документ: {cited}");
                    view! {
                        <li>
                            {cited}
                            {move || editable.get().then(|| view! {
                                " " <button type="button" class="button-link" aria-label=named.clone() on:click=move |_| {
                                    let mut list = docs.get_untracked();
                                    if i < list.len() { list.remove(i); }
                                    write(list, Box::new(|| ()));
                                }>"убрать"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || editable.get().then(|| view! {
                <div class="field-row doc-new">
                    <div class="field">
                        <label for=ids[0].clone()>"Вид"</label>
                        <select id=ids[0].clone() on:change=move |ev| kind.set(event_target_value(&ev))>
                            {DOCUMENT_KINDS.iter().map(|(k, l)| view! { <option value=*k selected=move || kind.get() == *k>{*l}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for=ids[1].clone()>"Номер"</label>
                        <input id=ids[1].clone() type="text" maxlength="100" prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for=ids[2].clone()>"Дата"</label>
                        <DateInput id=ids[2].clone() value=date/>
                    </div>
                    <div class="field">
                        <label for=ids[3].clone()>"Название"</label>
                        <input id=ids[3].clone() type="text" maxlength="500" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                    </div>
                    <button type="button" class="button-secondary doc-add" on:click=add>"Добавить документ"</button>
                </div>
                {move || wrong.get().map(|e| view! { <p class="alert alert-error doc-wrong" role="alert">{e}</p> })}
            })}
        </div>
    }
}
