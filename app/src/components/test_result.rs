//! The scores of a submitted test, written by the server and received with the next sync, on
//! the filler and on the review page: the level of each area, the rule of the levels, and the
//! items missed with their norms (for the mentor's debrief).

use std::sync::Arc;

use leptos::prelude::*;
use model::forms::answer::fmt_num;
use model::forms::{AreaScore, Level, Question, Template, scoring};
use uuid::Uuid;

use crate::store::use_store;

#[component]
pub fn TestResult(id: Uuid, template: Arc<Template>) -> impl IntoView {
    let store = use_store();
    let record = store.watch_record(id);
    let test = template.test.as_ref();
    let (deficit_below, partial_below) =
        test.map_or((50, 75), |t| (t.deficit_below, t.partial_below));
    let rule = test.map(scoring::rule).unwrap_or_default();
    move || {
        let template = template.clone();
        let rule = rule.clone();
        record.get().map(|r| {
            let areas: Vec<AreaScore> = r
                .get("areas")
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            let deficits: Vec<String> = areas
                .iter()
                .filter(|a| a.level == Level::Deficit)
                .map(|a| a.title.clone())
                .collect();
            // Results scored before the debrief existed have no list: no debrief then.
            let missed: Option<Vec<String>> = r
                .get("missed")
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok());
            view! {
                <section class="test-result" id="test-result" aria-labelledby="test-result-title">
                    <h2 id="test-result-title">"Результаты теста"</h2>
                    {chart(&areas, deficit_below, partial_below)}
                    <table class="results">
                        <thead><tr><th scope="col">"Область"</th><th scope="col">"Баллы"</th><th scope="col">"Доля"</th><th scope="col">"Вывод"</th></tr></thead>
                        <tbody>
                            {areas.iter().map(|a| view! {
                                <tr class=format!("level-{}", match a.level { Level::Deficit => "deficit", Level::Partial => "partial", Level::NoDeficit => "none" }) data-area=a.area.clone()>
                                    <th scope="row">{a.title.clone()}</th>
                                    <td>{format!("{} из {}", fmt_num(a.points), a.max)}</td>
                                    <td>{format!("{} %", a.percent)}</td>
                                    <td>{a.level.label()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p id="deficits">
                        {if deficits.is_empty() {
                            "Дефицитов не выявлено.".to_owned()
                        } else {
                            format!("Выявлены дефициты: {}.", deficits.join("; "))
                        }}
                    </p>
                    <p class="muted" id="test-rule">{rule}</p>
                    {missed.map(|missed| view! { <Debrief template=template missed=missed areas=areas/> })}
                </section>
            }
        })
    }
}

/// The items not fully right, by area, with the norm each checks: what the mentor goes
/// through with the leader. The right options are not here (they never leave the server).
#[component]
fn Debrief(template: Arc<Template>, missed: Vec<String>, areas: Vec<AreaScore>) -> impl IntoView {
    if missed.is_empty() {
        return view! { <p id="debrief">"Все вопросы теста решены верно."</p> }.into_any();
    }
    let groups: Vec<(String, Vec<Question>)> = areas
        .iter()
        .filter_map(|a| {
            let items: Vec<Question> = missed
                .iter()
                .filter_map(|id| template.question(id))
                .filter(|q| q.area.as_deref() == Some(a.area.as_str()))
                .cloned()
                .collect();
            (!items.is_empty()).then(|| (a.title.clone(), items))
        })
        .collect();
    view! {
        <details class="debrief" id="debrief">
            <summary>{format!("Вопросы, решённые неверно или не полностью: {}", missed.len())}</summary>
            <p class="muted">"Для разбора с наставником: вопрос и норма, на знание которой он проверяет. Верные ответы не показываются."</p>
            {groups.into_iter().map(|(title, items)| view! {
                <h3>{title}</h3>
                <ol>
                    {items.into_iter().map(|q| view! {
                        <li class="missed-item" data-question=q.id.clone()>
                            {(!q.case.is_empty()).then(|| view! { <p class="case">{q.case.clone()}</p> })}
                            <p>{q.text.clone()}</p>
                            {(!q.reference.is_empty()).then(|| view! { <p class="muted reference">"Норма: " {q.reference.clone()}</p> })}
                        </li>
                    }).collect_view()}
                </ol>
            }).collect_view()}
        </details>
    }
    .into_any()
}

/// Per-area scores as horizontal bars, with the thresholds drawn: the table below says the same
/// in words for screen readers and print.
pub fn chart(areas: &[AreaScore], deficit_below: u8, partial_below: u8) -> impl IntoView + use<> {
    const LABEL: f64 = 260.0;
    const BAR: f64 = 300.0;
    const ROW: f64 = 26.0;
    let height = ROW * areas.len() as f64 + 24.0;
    let x = |percent: f64| LABEL + BAR * percent / 100.0;
    let rows = areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let y = 4.0 + ROW * i as f64;
            let class = match a.level {
                Level::Deficit => "bar bar-deficit",
                Level::Partial => "bar bar-partial",
                Level::NoDeficit => "bar bar-ok",
            };
            let title: String = a.title.chars().take(38).collect();
            view! {
                <g>
                    <text x=LABEL - 8.0 y=y + 15.0 text-anchor="end" class="chart-label">{title}</text>
                    <rect x=LABEL y=y width=(BAR * f64::from(a.percent) / 100.0).max(1.0) height=ROW - 8.0 class=class></rect>
                    <text x=x(f64::from(a.percent)) + 6.0 y=y + 15.0 class="chart-value">{format!("{} %", a.percent)}</text>
                </g>
            }
        })
        .collect_view();
    let marks = [deficit_below, partial_below].map(|p| {
        let px = x(f64::from(p));
        view! {
            <line x1=px x2=px y1="0" y2=height - 18.0 class="chart-threshold"></line>
            <text x=px y=height - 4.0 text-anchor="middle" class="chart-value">{format!("{p} %")}</text>
        }
    });
    view! {
        <svg class="chart" id="test-chart" role="img" aria-label="Баллы по областям, в процентах; подробно — в таблице ниже"
            viewBox=format!("0 0 {} {height}", LABEL + BAR + 60.0) width="100%">
            {rows}
            {marks.into_iter().collect_view()}
        </svg>
    }
}
