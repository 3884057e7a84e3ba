//! `/centre/monitoring`: the results of the schools by the end of each quarter (003: «мониторинг
//! результатов ШНОР по итогам четвертей», the dynamics over three years). The latest report of
//! each school with the change since its previous one, and for each school its quarters over
//! the last three school years and its ИОР as line charts. From the local database: works
//! offline.

use leptos::prelude::*;
use model::forms::RESPONSE_KIND;
use model::forms::answer::fmt_num;
use model::monitoring::quarters::{self as q, Report};

use crate::components::results_chart::{ResultsOf, current_school_year, pct};
use crate::lists::known_schools;
use crate::session::use_session;
use crate::store::use_store;

/// «+2,5» / «−1» / «0» percentage points; empty without both values.
fn change(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(a), Some(b)) => {
            let d = ((a - b) * 10.0).round() / 10.0;
            if d > 0.0 {
                format!(" (+{})", fmt_num(d))
            } else if d < 0.0 {
                format!(" (−{})", fmt_num(-d))
            } else {
                " (без изменений)".into()
            }
        }
        _ => String::new(),
    }
}

#[component]
pub fn MonitoringPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Мониторинг результатов");
    let session = use_session();
    let schools = known_schools(session);
    let responses = store.watch_kind(RESPONSE_KIND);
    let indices = store.watch_kind(model::monitoring::KIND);
    let current = current_school_year();
    let reports = Memo::new(move |_| responses.with(|l| q::reports(l, current)));
    view! {
        <section class="page" id="monitoring">
            <h1>"Мониторинг результатов"</h1>
            <p class="lead">
                "Итоги четвертей по отчётам школ (форма «Итоги четверти»: успеваемость, качество знаний, обучающиеся под риском неуспеваемости) "
                "и динамика за три года вместе с ИОР. В скобках — изменение с предыдущего отчёта школы, в процентных пунктах."
            </p>
            {move || {
                let all = reports.get();
                if all.is_empty() {
                    return view! {
                        <p class="empty" id="monitoring-empty">
                            "Отчётов об итогах четвертей пока нет. Направьте школам форму «Итоги четверти» в разделе "
                            <a href="/centre/campaigns">"«Рассылка форм и сроки»"</a> "."
                        </p>
                    }.into_any();
                }
                let names = schools.get();
                // Each school once, by name.
                let unique: std::collections::BTreeSet<uuid::Uuid> = all.iter().map(|r| r.school).collect();
                let mut ids: Vec<uuid::Uuid> = unique.into_iter().collect();
                ids.sort_by_key(|id| (names.iter().find(|s| s.id == *id).map(|s| s.name.clone()).unwrap_or_default(), *id));
                let name = move |id: uuid::Uuid| names.iter().find(|s| s.id == id).map_or_else(|| "школа не из списка".to_owned(), |s| s.name.clone());
                view! {
                    <div class="table-wrap">
                        <table class="results" id="monitoring-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Школа"</th>
                                    <th scope="col">"Последний отчёт"</th>
                                    <th scope="col">"Успеваемость"</th>
                                    <th scope="col">"Качество знаний"</th>
                                    <th scope="col">"Под риском неуспеваемости"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {ids.iter().map(|id| {
                                    let mine: Vec<&Report> = all.iter().filter(|r| r.school == *id).collect();
                                    let last = mine[mine.len() - 1];
                                    let before = mine.len().checked_sub(2).map(|i| mine[i]);
                                    let (t, b) = (last.total(), before.and_then(Report::total));
                                    let at_risk = t.map_or_else(|| "—".into(), |t| {
                                        let was = b.map(|b| format!(" (было {})", b.at_risk)).unwrap_or_default();
                                        format!("{}{was}", t.at_risk)
                                    });
                                    view! {
                                        <tr data-school=id.to_string()>
                                            <th scope="row"><a href=format!("#school-{id}")>{name(*id)}</a></th>
                                            <td>
                                                {last.label()}
                                                // What the change is counted against, and a report whose counts do not add up.
                                                {before.map(|b| view! { <br/><span class="muted">{format!("изменение — к {}", b.label())}</span> })}
                                                {last.levels.iter().flatten().find_map(|c| c.problem()).map(|p| view! { <br/><span class="field-error">{format!("Проверьте отчёт: {p}")}</span> })}
                                            </td>
                                            <td>{pct(t.and_then(|t| t.progress()))}{change(t.and_then(|t| t.progress()), b.and_then(|b| b.progress()))}</td>
                                            <td>{pct(t.and_then(|t| t.quality()))}{change(t.and_then(|t| t.quality()), b.and_then(|b| b.quality()))}</td>
                                            <td>{at_risk}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {ids.iter().map(|id| view! {
                        <section class="school-dynamics" id=format!("school-{id}")>
                            <h2>{name(*id)}</h2>
                            <ResultsOf school=*id reports=reports indices=indices/>
                        </section>
                    }).collect_view()}
                }.into_any()
            }}
        </section>
    }
}
