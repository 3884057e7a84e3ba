//! A school's results over time (003: monitoring by the end of each quarter, the dynamics over
//! three years): успеваемость and качество знаний from its quarterly reports as SVG line
//! charts with a table of the same figures beside them (for screen readers and for print), and
//! its ИОР over the last three years from the regional indices. Drawn from the local database,
//! so it works offline.

use leptos::prelude::*;
use model::forms::RESPONSE_KIND;
use model::forms::answer::fmt_num;
use model::monitoring::card;
use model::monitoring::quarters::{self as q, LEVELS, Report};
use model::monitoring::{self as m};
use model::record::{Record, Scope};
use uuid::Uuid;

use crate::store::use_store;

/// A line chart of per-cent series over labelled points (0–100 %); each point's label has a
/// second line (the school year under its first period), empty where it repeats.
fn lines(
    labels: &[(String, String)],
    series: &[(&'static str, &'static str, Vec<Option<f64>>)],
) -> AnyView {
    let (w, h, pad) = (
        (80.0 + 52.0 * labels.len() as f64).clamp(320.0, 800.0),
        200.0,
        32.0,
    );
    let span = (labels.len().max(2) - 1) as f64;
    let x = move |i: usize| pad + i as f64 / span * (w - 2.0 * pad);
    let y = move |v: f64| h - pad - v.clamp(0.0, 100.0) / 100.0 * (h - 2.0 * pad);
    let aria = series
        .iter()
        .map(|(name, _, values)| {
            let points: Vec<String> = labels
                .iter()
                .zip(values)
                .filter_map(|((l, _), v)| v.map(|v| format!("{l}: {} %", fmt_num(v))))
                .collect();
            format!("{name} — {}", points.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <svg viewBox=format!("0 0 {w} {h}") width=w height=h role="img" aria-label=aria class="results-lines">
            <line x1=pad y1=h - pad x2=w - pad y2=h - pad stroke="#94a3b8"/>
            <line x1=pad y1=pad x2=pad y2=h - pad stroke="#94a3b8"/>
            <text x=4 y=pad + 4.0 font-size="10">"100 %"</text>
            <text x=14 y=h - pad + 4.0 font-size="10">"0"</text>
            {labels.iter().enumerate().map(|(i, (top, below))| view! {
                <text x=x(i) y=h - 18.0 font-size="9" text-anchor="middle">{top.clone()}</text>
                <text x=x(i) y=h - 6.0 font-size="9" text-anchor="middle">{below.clone()}</text>
            }).collect_view()}
            {series.iter().map(|(_, class, values)| {
                let points: String = values.iter().enumerate()
                    .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
                    .collect::<Vec<_>>().join(" ");
                view! {
                    <polyline points=points fill="none" class=format!("series {class}") stroke-width="2"/>
                    {values.iter().enumerate().filter_map(|(i, v)| v.map(|v| view! {
                        <circle cx=x(i) cy=y(v) r="3" class=format!("series-point {class}")/>
                        <text x=x(i) - 8.0 y=y(v) - 6.0 font-size="9">{fmt_num(v)}</text>
                    })).collect_view()}
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

/// The chart's axis: the period, and the school year under its first report.
fn axis(reports: &[&Report]) -> Vec<(String, String)> {
    let mut last = None;
    reports
        .iter()
        .map(|r| {
            let year = if last == Some(r.school_year) {
                String::new()
            } else {
                model::forms::answer::school_year_label(r.school_year).0
            };
            last = Some(r.school_year);
            (q::PERIODS[r.period].1.to_owned(), year)
        })
        .collect()
}

/// A share in per cent, or a dash without one.
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{} %", fmt_num(v)))
}

/// The quarterly reports of one school over the last three school years: the chart and the table.
pub fn quarter_view(reports: &[&Report]) -> AnyView {
    if reports.is_empty() {
        return view! {
            <p class="empty">"Отчётов об итогах четвертей пока нет: форма «Итоги четверти» направляется школам через рассылку форм."</p>
        }
        .into_any();
    }
    let labels = axis(reports);
    let totals: Vec<Option<q::Counts>> = reports.iter().map(|r| r.total()).collect();
    let progress: Vec<Option<f64>> = totals
        .iter()
        .map(|t| t.and_then(|t| t.progress()))
        .collect();
    let quality: Vec<Option<f64>> = totals.iter().map(|t| t.and_then(|t| t.quality())).collect();
    let chart = lines(
        &labels,
        &[
            ("Успеваемость", "series-progress", progress),
            ("Качество знаний", "series-quality", quality),
        ],
    );
    view! {
        <figure class="chart results-chart">
            {chart}
            <figcaption>
                <ul class="legend">
                    <li class="series-progress">"успеваемость, %"</li>
                    <li class="series-quality">"качество знаний, %"</li>
                </ul>
            </figcaption>
        </figure>
        <div class="table-wrap">
            <table class="results quarter-table">
                <thead>
                    <tr>
                        <th scope="col">"Период"</th>
                        <th scope="col">"Аттестовано"</th>
                        <th scope="col">"Успеваемость"</th>
                        <th scope="col">"Качество знаний"</th>
                        <th scope="col">"Под риском неуспеваемости"</th>
                        {LEVELS.iter().map(|(_, l)| view! { <th scope="col">{format!("{l}: успеваемость / качество")}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {reports.iter().map(|r| {
                        let t = r.total();
                        let problem = r.levels.iter().flatten().find_map(|c| c.problem());
                        view! {
                            <tr>
                                <th scope="row">{r.label()}</th>
                                <td>{t.map_or_else(|| "—".into(), |t| t.pupils.to_string())}</td>
                                <td>{pct(t.and_then(|t| t.progress()))}</td>
                                <td>{pct(t.and_then(|t| t.quality()))}</td>
                                <td>{t.map_or_else(|| "—".into(), |t| t.at_risk.to_string())}</td>
                                {r.levels.iter().map(|c| view! {
                                    <td>{c.map_or_else(|| "нет".into(), |c| format!("{} / {}", pct(c.progress()), pct(c.quality())))}</td>
                                }).collect_view()}
                            </tr>
                            {problem.map(|p| view! { <tr><td colspan="8" class="field-error">{format!("{}: {p} — проверьте отчёт школы.", r.label())}</td></tr> })}
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The school's ИОР over the years it has indices for (the last three).
pub fn ior_view(school: Uuid, indices: &[Record]) -> AnyView {
    let mut rows: Vec<m::classification::Indices> = indices
        .iter()
        .filter_map(m::from_record)
        .filter(|i| i.school == school && i.ior.is_some())
        .collect();
    rows.sort_by_key(|i| i.year);
    let keep = rows.len().saturating_sub(3);
    let rows = &rows[keep..];
    if rows.is_empty() {
        return view! { <p class="muted">"ИОР: нет данных."</p> }.into_any();
    }
    let labels: Vec<(String, String)> = rows
        .iter()
        .map(|i| (i.year.to_string(), String::new()))
        .collect();
    let values: Vec<Option<f64>> = rows.iter().map(|i| i.ior.map(|v| v * 100.0)).collect();
    let text = rows
        .iter()
        .map(|i| {
            format!(
                "{}: {}",
                i.year,
                m::classification::index(i.ior.unwrap_or(0.0))
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <figure class="chart results-chart">
            {lines(&labels, &[("ИОР × 100", "series-ior", values)])}
            <figcaption>{format!("Индекс образовательных результатов (ИОР, в сотых долях) — {text}")}</figcaption>
        </figure>
    }
    .into_any()
}

/// The school's self-analysis cards over the school years: each table of results row by row,
/// a column per year.
#[component]
pub fn CardYears(school: Uuid) -> impl IntoView {
    let store = use_store();
    let responses = store.watch_kind(RESPONSE_KIND);
    let ours = move |l: &Vec<Record>| -> Vec<Record> {
        l.iter()
            .filter(|r| r.scope == Scope::School(school))
            .cloned()
            .collect()
    };
    let version = Memo::new(move |_| responses.with(|l| card::card_version(&ours(l))));
    move || match version.get() {
        None => view! { <p class="muted">"Карт самоанализа школы пока нет."</p> }.into_any(),
        Some(v) => {
            let t = crate::templates::load_template(card::CARD.into(), v);
            (move || {
                let t = t.get()?;
                let cards = responses.with(|l| ours(l));
                let refs: Vec<&Record> = cards.iter().collect();
                let lines = card::over_years(&t, &refs);
                if lines.is_empty() {
                    return Some(view! { <p class="muted">"В отправленных картах самоанализа нет результатов по годам."</p> }.into_any());
                }
                let years = card::years(&lines);
                let mut last_question = String::new();
                Some(view! {
                    <div class="table-wrap">
                        <table class="results card-years">
                            <thead>
                                <tr>
                                    <th scope="col">"Показатель"</th>
                                    {years.iter().map(|y| view! { <th scope="col">{y.clone()}</th> }).collect_view()}
                                </tr>
                            </thead>
                            <tbody>
                                {lines.into_iter().map(|l| {
                                    let heading = (l.question != last_question).then(|| {
                                        last_question = l.question.clone();
                                        view! { <tr class="group"><th colspan=years.len() + 1 scope="colgroup">{l.question.clone()}</th></tr> }
                                    });
                                    let unit = if l.percent { " %" } else { "" };
                                    view! {
                                        {heading}
                                        <tr>
                                            <th scope="row">{l.row.clone()}</th>
                                            {years.iter().map(|y| view! {
                                                <td>{l.values.get(y).map_or_else(|| "—".into(), |v| format!("{}{unit}", fmt_num(*v)))}</td>
                                            }).collect_view()}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any())
            })
            .into_any()
        }
    }
}

/// The school year now, on this computer's calendar.
pub fn current_school_year() -> i32 {
    q::school_year_of(&crate::format::today())
}

/// The results of one school from lists the page already watches: its quarters over the
/// last three school years and its ИОР.
#[component]
pub fn ResultsOf(
    school: Uuid,
    /// Every school's reports ([`q::reports`]).
    reports: Memo<Vec<Report>>,
    /// The indices records.
    indices: ReadSignal<Vec<Record>>,
) -> impl IntoView {
    let current = current_school_year();
    view! {
        <div class="school-results" data-school=school.to_string()>
            {move || reports.with(|all| {
                let mine: Vec<&Report> = q::last_three_years(all, current)
                    .into_iter()
                    .filter(|r| r.school == school)
                    .collect();
                quarter_view(&mine)
            })}
            {move || indices.with(|l| ior_view(school, l))}
        </div>
    }
}

/// The results of one school, reading the local database itself (a page about one school).
#[component]
pub fn SchoolResults(school: Uuid) -> impl IntoView {
    let store = use_store();
    let responses = store.watch_kind(RESPONSE_KIND);
    let indices = store.watch_kind(m::KIND);
    let current = current_school_year();
    let reports = Memo::new(move |_| {
        responses.with(|l| {
            q::reports(l, current)
                .into_iter()
                .filter(|r| r.school == school)
                .collect::<Vec<_>>()
        })
    });
    view! { <ResultsOf school=school reports=reports indices=indices/> }
}
