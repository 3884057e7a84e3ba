//! Where school support stands: a programme's status line (on the school's and the mentor's
//! homes) and the centre's table of every school's programme with its presentation verdict,
//! overdue measures and indicators behind target, open consultation requests and the last visit.

use leptos::prelude::*;
use model::support::consultation::{self as c, state_of};
use model::support::programme::{self as p, F_PRESENTED_ON, F_VERDICT, Outline};
use model::support::visit as v;
use uuid::Uuid;

use super::programme::watch_outline;
use super::{live, school_of, this_year};
use crate::format;
use crate::lists::known_schools;
use crate::session::use_session;
use crate::store::use_store;

fn verdict(o: &Outline) -> String {
    o.programme.as_ref().map_or_else(String::new, |pr| {
        let v = p::label(&p::VERDICTS, &pr.text(F_VERDICT));
        if v.is_empty() {
            "не представлена".to_owned()
        } else {
            format!("{v} ({})", format::date(&pr.text(F_PRESENTED_ON)))
        }
    })
}

/// One line about a school's programme for this year, with a link to it (named with the
/// school, `school_name`, where several schools' links stand on one page).
#[component]
pub fn ProgrammeStatus(
    school: Uuid,
    #[prop(optional)] school_name: Option<String>,
) -> impl IntoView {
    let year = this_year();
    let outline = watch_outline(p::programme_id(school, year));
    let today = format::today();
    let href = format!("/programme/{school}?year={year}");
    view! {
        <p class="programme-status">
            <a href=href class="programme-link" aria-label=school_name.map(|n| format!("Антирисковая программа на {year} год: {n}"))>{format!("Антирисковая программа на {year} год")}</a>
            {move || outline.with(|o| {
                if o.programme.is_none() {
                    return ": ещё не начата.".to_owned();
                }
                format!(
                    ": разделов — {}, мероприятий — {}, с прошедшим сроком — {}, показателей отстаёт — {}; решение: {}.",
                    o.sections.len(),
                    o.measures().count(),
                    o.overdue(&today),
                    o.behind(&today),
                    verdict(o)
                )
            })}
        </p>
    }
}

/// `/centre/programmes`: every school's programme for a year, its support this year.
#[component]
pub fn CentreProgrammes() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Поддержка школ");
    let session = use_session();
    let schools = known_schools(session);
    let year = crate::pages::year_param(this_year);
    let programmes = store.watch_kind(p::PROGRAMME_KIND);
    let sections = store.watch_kind(p::SECTION_KIND);
    let indicators = store.watch_kind(p::INDICATOR_KIND);
    let measures = store.watch_kind(p::MEASURE_KIND);
    let consultations = store.watch_kind(c::KIND);
    let visits = store.watch_kind(v::KIND);
    let today = format::today();
    view! {
        <section class="page" id="centre-programmes">
            <h1>"Поддержка школ: антирисковые программы"</h1>
            <nav class="year-nav" aria-label="Год">
                <a href=format!("/centre/programmes?year={}", year - 1) rel="external">{format!("← {}", year - 1)}</a>
                " " <strong>{format!("{year} год")}</strong> " "
                <a href=format!("/centre/programmes?year={}", year + 1) rel="external">{format!("{} →", year + 1)}</a>
                " " <a href="/consultations">"Журнал консультаций"</a>
            </nav>
            <div class="table-wrap">
                <table class="results" id="programmes-table">
                    <thead>
                        <tr>
                            <th scope="col">"Школа"</th>
                            <th scope="col">"Программа"</th>
                            <th scope="col">"Представление и решение"</th>
                            <th scope="col">"Мероприятий"</th>
                            <th scope="col">"Срок прошёл"</th>
                            <th scope="col">"Показателей отстаёт"</th>
                            <th scope="col">"Открытых запросов"</th>
                            <th scope="col">"Последнее посещение"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let mut all = programmes.get();
                            all.extend(sections.get());
                            all.extend(indicators.get());
                            all.extend(measures.get());
                            let cons = consultations.get();
                            let vis = visits.get();
                            schools.get().into_iter().filter(|s| s.low_results || s.hard_conditions).map(|s| {
                                let o = Outline::of(p::programme_id(s.id, year), &all);
                                let open = live(&cons).filter(|r| school_of(r) == Some(s.id) && state_of(r).open()).count();
                                let last = live(&vis).filter(|r| school_of(r) == Some(s.id)).map(|r| r.text(v::F_DATE)).max();
                                let started = o.programme.is_some();
                                let late = o.overdue(&today) > 0;
                                view! {
                                    <tr data-school=s.id.to_string() class:overdue=late>
                                        <th scope="row">{s.name.clone()} <span class="muted">{format!(" {}", s.flags_label())}</span></th>
                                        <td>
                                            <a href=format!("/programme/{}?year={year}", s.id) aria-label=format!("Программа: {}, {}", s.name, if started { "открыть" } else { "не начата" })>{if started { "открыть" } else { "не начата" }}</a>
                                            " · " <a href=format!("/report/school/{}?year={year}", s.id) aria-label=format!("Годовой отчёт: {}", s.name)>"годовой отчёт"</a>
                                        </td>
                                        <td>{verdict(&o)}</td>
                                        <td>{o.measures().count()}</td>
                                        <td>{o.overdue(&today)}</td>
                                        <td>{o.behind(&today)}</td>
                                        <td>{open}</td>
                                        <td>{last.map(|d| format::date(&d)).unwrap_or_else(|| "—".to_owned())}</td>
                                    </tr>
                                }
                            }).collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
