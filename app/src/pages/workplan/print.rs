//! `/centre/plan/print?year=Y&from=M&to=M`: the plan with its execution report in the layout of
//! 003 (the report approved by order № 877 of 04.06.2021): № · Содержание работы · Сроки ·
//! Место проведения · Ответственный, привлечённые специалисты · Отчёт о выполнении мероприятий /
//! источники, grouped by direction and numbered within each; printed landscape.

use leptos::prelude::*;
use model::kinds::addressee;
use model::workplan::{self as w, F_CONTENT, F_PEOPLE, F_PLACE, F_STATUS, STATUSES};

use super::{period_words, plan_query, query, watch_linked};
use crate::lists::specialists;
use crate::session::use_session;
use crate::store::use_store;

pub const COLUMNS: [&str; 6] = [
    "№",
    "Содержание работы",
    "Сроки",
    "Место проведения",
    "Ответственный, привлечённые специалисты",
    "Отчёт о выполнении мероприятий / источники",
];

#[component]
pub fn PlanPrint() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("План работы: печать");
    let session = use_session();
    let people = specialists(session);
    let (year, period) = plan_query();
    let items = store.watch_kind(w::KIND);
    let linked = watch_linked();
    view! {
        <article class="page print-view landscape" id="plan-print-view">
            <p class="no-print">
                <button type="button" class="button-primary" on:click=|_| {
                    if let Some(w) = web_sys::window() { let _ = w.print(); }
                }>"Печать"</button>
                " "
                <a href=format!("/centre/plan{}", query(year, period))>"Вернуться к плану"</a>
            </p>
            <h1>{format!("Отчёт о выполнении плана работы муниципального наставнического центра{} ({}/{} учебный год)", period_words(period), year, year + 1)}</h1>
            <table class="results plan-report-table">
                <thead><tr>{COLUMNS.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {move || {
                        let all = linked.get();
                        let names = people.get();
                        items.with(|l| w::grouped(l, year, period)).into_iter().map(|(direction, list)| view! {
                            <tr class="plan-direction-row"><th colspan="6" scope="rowgroup">{direction}</th></tr>
                            {list.into_iter().enumerate().map(|(i, r)| {
                                let mut who = r.text(F_PEOPLE);
                                if let Some(p) = addressee(&r).and_then(|p| names.iter().find(|x| x.id == p)) {
                                    who = if who.is_empty() { p.full_name.clone() } else { format!("{}; {who}", p.full_name) };
                                }
                                let mut report = w::report_text(&r, &w::figures(&r, &all));
                                let status = w::label(&STATUSES, &r.text(F_STATUS));
                                if !status.is_empty() {
                                    report = format!("{report}\n({status})").trim().to_owned();
                                }
                                view! {
                                    <tr>
                                        <td>{format!("{}.", i + 1)}</td>
                                        <td>{r.text(F_CONTENT)}</td>
                                        <td>{w::period_label(&r)}</td>
                                        <td>{r.text(F_PLACE)}</td>
                                        <td>{who}</td>
                                        <td class="recommendation-text">{report}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </article>
    }
}
