//! `/centre/indicators`: the programme's indicators of 000 §6 over the years — computed from the
//! schools' self-analysis cards where the system can, entered by the head otherwise, each with
//! its target and source — as a table and an SVG line chart per indicator.

use std::collections::BTreeMap;

use leptos::prelude::*;
use model::Role;
use model::forms::answer::fmt_num;
use model::record::{Record, Scope};
use model::workplan::indicators::{
    self as ind, F_CODE, F_SOURCE, F_VALUE, F_YEAR, INDICATORS, Indicator,
};
use serde_json::{Value, json};

use crate::components::record_field::{SaveError, save};
use crate::components::text_input::{TextInput, any_number_parser, kind_rule};
use crate::format;
use crate::session::use_session;
use crate::store::{Target, use_store};

/// The value of an indicator in a year: computed, or entered, with its source.
fn value_of(
    i: &Indicator,
    year: i64,
    entered: &[Record],
    cards: &[Record],
) -> Option<(f64, String)> {
    ind::computed(i.code, year, cards).or_else(|| {
        let r = entered
            .iter()
            .find(|r| r.id == ind::value_id(i.code, year))?;
        let v = r.get(F_VALUE)?.as_f64()?;
        Some((v, r.text(F_SOURCE)))
    })
}

#[component]
pub fn IndicatorsPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Показатели программы");
    let session = use_session();
    let head = session.profile().is_some_and(|p| p.role == Role::Head);
    let now: i64 = format::today()[..4].parse().unwrap_or(2026);
    let years: Vec<i64> = (now - 3..=now).collect();
    let entered = store.watch_kind(ind::KIND);
    let responses = store.watch_kind(model::forms::RESPONSE_KIND);
    let candidates = store.watch_kind(model::reserve::CANDIDATE_KIND);
    let vacancies = store.watch_kind(model::reserve::VACANCY_KIND);
    // What the computed indicators count: the schools' cards, the reserve's registry and the
    // vacant management posts.
    let cards = Memo::new(move |_| {
        let mut all = responses.get();
        all.extend(candidates.get());
        all.extend(vacancies.get());
        all
    });
    let error = RwSignal::new(None::<String>);
    let years2 = years.clone();
    view! {
        <section class="page" id="indicators">
            <h1>"Показатели программы"</h1>
            <p class="lead">"Основные показатели (индикаторы) программы (000, раздел 6): рассчитанные по картам самоанализа школ, реестру кадрового резерва и учёту вакантных должностей и внесённые руководителем центра."</p>
            {(!head).then(|| view! {
                <p class="hint" id="indicators-scope">"Рассчитанные значения здесь — по школам, данные которых есть у вас (закреплённым за вами); показатели по всему округу — у руководителя центра."</p>
            })}
            <SaveError error=error/>
            <div class="table-wrap">
                <table class="results" id="indicators-table">
                    <thead>
                        <tr>
                            <th scope="col">"Показатель"</th>
                            <th scope="col">"Цель"</th>
                            {years.iter().map(|y| view! { <th scope="col">{*y}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {INDICATORS.iter().map(|i| {
                            let years = years2.clone();
                            view! {
                                <tr data-code=i.code>
                                    <th scope="row">
                                        {i.title}
                                        <span class="muted">{format!(" ({})", i.computed.unwrap_or("вносится руководителем центра"))}</span>
                                    </th>
                                    <td>{i.target.map(|t| format!("{} %", fmt_num(t))).unwrap_or_else(|| "—".into())}</td>
                                    {years.into_iter().map(|y| view! {
                                        <td><Cell i=i year=y entered=entered cards=cards head=head error=error/></td>
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h2>"Динамика"</h2>
            <div class="charts">
                {INDICATORS.iter().map(|i| {
                    let years = years.clone();
                    view! {
                        <figure class="chart">
                            {move || {
                                let (e, c) = (entered.get(), cards.get());
                                let points: Vec<(i64, f64)> = years.iter().filter_map(|y| value_of(i, *y, &e, &c).map(|(v, _)| (*y, v))).collect();
                                chart(&points, &years, i.target)
                            }}
                            <figcaption>{i.title}</figcaption>
                        </figure>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn Cell(
    i: &'static Indicator,
    year: i64,
    entered: ReadSignal<Vec<Record>>,
    cards: Memo<Vec<Record>>,
    head: bool,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    // What the system can compute is shown; the head enters the others, and a computed
    // indicator for a year the system cannot compute (before it was in use).
    let computable = Memo::new(move |_| cards.with(|c| ind::computed(i.code, year, c).is_some()));
    move || {
        if !head || computable.get() {
            view! {
                <span>{move || {
                    let (e, c) = (entered.get(), cards.get());
                    let mut shown = match value_of(i, year, &e, &c) {
                        Some((v, source)) => format!("{} ({source})", fmt_num(v)).replace(" ()", ""),
                        None => "нет данных".to_owned(),
                    };
                    // A figure the head entered before the system could compute it stays in
                    // sight beside the computed one.
                    if computable.get()
                        && let Some(r) = e.iter().find(|r| r.id == ind::value_id(i.code, year))
                        && let Some(v) = r.get(F_VALUE).and_then(Value::as_f64)
                    {
                        let source = r.text(F_SOURCE);
                        shown.push_str(&format!("; внесено руководителем: {} ({source})", fmt_num(v)).replace(" ()", ""));
                    }
                    shown
                }}</span>
            }
            .into_any()
        } else {
            entry(i, year, entered, error)
        }
    }
}

/// The head's inputs of an indicator's value in a year and its source.
fn entry(
    i: &'static Indicator,
    year: i64,
    entered: ReadSignal<Vec<Record>>,
    error: RwSignal<Option<String>>,
) -> AnyView {
    let id = ind::value_id(i.code, year);
    let value: Signal<Value> = Memo::new(move |_| {
        entered.with(|l| {
            l.iter()
                .find(|r| r.id == id)
                .and_then(|r| r.get(F_VALUE).cloned())
                .unwrap_or(Value::Null)
        })
    })
    .into();
    let write = move |name: &str, v: Value| {
        let t = Target {
            id,
            kind: ind::KIND,
            scope: Scope::Centre,
            parent: None,
        };
        save(
            t,
            BTreeMap::from([
                (F_CODE.to_owned(), json!(i.code)),
                (F_YEAR.to_owned(), json!(year)),
                (name.to_owned(), v),
            ]),
            error,
        );
    };
    let source: Signal<Value> = Memo::new(move |_| {
        entered.with(|l| {
            l.iter()
                .find(|r| r.id == id)
                .and_then(|r| r.get(F_SOURCE).cloned())
                .unwrap_or(Value::Null)
        })
    })
    .into();
    let off = Signal::derive(|| false);
    view! {
        <TextInput id=format!("ind-{}-{year}", i.code) label=format!("{}: {year}", i.title) value=value parse=any_number_parser() rule=kind_rule(model::workplan::indicators::KIND, F_VALUE) set=Callback::new(move |v| write(F_VALUE, v)) disabled=off numeric=true/>
        <TextInput id=format!("ind-{}-{year}-source", i.code) label=format!("Источник: {year}") value=source parse=crate::components::text_input::text_parser(1_000) set=Callback::new(move |v| write(F_SOURCE, v)) disabled=off max_len=1_000u32/>
    }
    .into_any()
}

/// A line chart of the values over the years (per cent, 0–100), with the target as a dashed
/// line; drawn as SVG so it prints and reads without scripts.
fn chart(points: &[(i64, f64)], years: &[i64], target: Option<f64>) -> AnyView {
    let (w, h, pad) = (320.0, 160.0, 28.0);
    let first = years.first().copied().unwrap_or(0);
    let span = (years.len().max(2) - 1) as f64;
    let x = move |y: i64| pad + (y - first) as f64 / span * (w - 2.0 * pad);
    let y = move |v: f64| h - pad - v.clamp(0.0, 100.0) / 100.0 * (h - 2.0 * pad);
    let line: String = points
        .iter()
        .map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v)))
        .collect::<Vec<_>>()
        .join(" ");
    let label = if points.is_empty() {
        "нет данных".to_owned()
    } else {
        points
            .iter()
            .map(|(yr, v)| format!("{yr}: {} %", fmt_num(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <svg viewBox=format!("0 0 {w} {h}") width=w height=h role="img" aria-label=label>
            <line x1=pad y1=h - pad x2=w - pad y2=h - pad stroke="#94a3b8"/>
            <line x1=pad y1=pad x2=pad y2=h - pad stroke="#94a3b8"/>
            <text x=4 y=pad + 4.0 font-size="10">"100"</text>
            <text x=10 y=h - pad + 4.0 font-size="10">"0"</text>
            {target.map(|t| view! { <line x1=pad y1=y(t) x2=w - pad y2=y(t) stroke="#b91c1c" stroke-dasharray="4 3"/> })}
            {years.iter().map(|yr| view! { <text x=x(*yr) - 12.0 y=h - 8.0 font-size="10">{*yr}</text> }).collect_view()}
            <polyline points=line fill="none" stroke="#1f4e79" stroke-width="2"/>
            {points.iter().map(|(yr, v)| view! {
                <circle cx=x(*yr) cy=y(*v) r="3" fill="#1f4e79"/>
                <text x=x(*yr) - 8.0 y=y(*v) - 6.0 font-size="10">{fmt_num(*v)}</text>
            }).collect_view()}
        </svg>
    }
    .into_any()
}
