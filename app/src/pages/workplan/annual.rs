//! `/report/school/:id?year=Y`: the annual report on one school (004 stage 3: the year closes
//! with targeted recommendations per school): its diagnostics, its anti-risk programme, the
//! mentors' visits, its consultations and the recommendations it received — from what is on
//! this computer, for printing, and as XLSX from the server.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use model::forms::recommendation as rec;
use model::forms::{self, Campaign};
use model::record::{Record, Scope};
use model::support::programme as p;
use model::support::{consultation as c, visit as v};
use uuid::Uuid;

use crate::components::download::DownloadButton;
use crate::components::results_chart::{CardYears, SchoolResults};
use crate::format;
use crate::lists::{known_schools, specialists};
use crate::session::use_session;
use crate::store::use_store;

fn in_year(date: &str, year: i64) -> bool {
    date.get(0..4).and_then(|y| y.parse::<i64>().ok()) == Some(year)
}

fn created_in(r: &Record, year: i64) -> bool {
    r.created_ms()
        .is_some_and(|ms| in_year(&forms::answer::iso_day(ms), year))
}

#[component]
pub fn SchoolReport() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Годовой отчёт по школе");
    let session = use_session();
    let schools = known_schools(session);
    let people = specialists(session);
    let Some(school) =
        use_params_map().with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()))
    else {
        return view! { <p class="empty">"Школа не найдена: проверьте ссылку."</p> }.into_any();
    };
    let year = crate::pages::year_param(crate::pages::support::this_year);
    let scope = Scope::School(school);
    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let visits = store.watch_kind(v::KIND);
    let consultations = store.watch_kind(c::KIND);
    let recommendations = store.watch_kind(rec::RECOMMENDATION_KIND);
    let name = move || {
        schools
            .with(|l| l.iter().find(|s| s.id == school).map(|s| s.name.clone()))
            .unwrap_or_default()
    };
    let scope = StoredValue::new(scope);
    let ours = move |r: &Record| scope.with_value(|s| &r.scope == s) && !r.is_deleted();
    view! {
        <article class="page print-view" id="annual-report">
            <p class="no-print">
                <button type="button" class="button-primary" on:click=|_| {
                    if let Some(w) = web_sys::window() { let _ = w.print(); }
                }>"Печать"</button>
                " "
                <DownloadButton path=format!("/schools/{school}/annual-report.xlsx?year={year}") file=format!("Годовой отчёт по школе за {year} год.xlsx") id="annual-xlsx"/>
                " "
                <a href=format!("/report/school/{school}?year={}", year - 1) rel="external">{format!("← {}", year - 1)}</a>
                " "
                <a href=format!("/report/school/{school}?year={}", year + 1) rel="external">{format!("{} →", year + 1)}</a>
            </p>
            <h1>"Годовой отчёт по школе"</h1>
            <p class="lead">{name} {format!(", {year} год")}</p>
            <h2>"Диагностика"</h2>
            <ul class="plain" id="annual-diagnostics">
                {move || {
                    let cs: Vec<Campaign> = campaigns.with(|l| l.iter().filter_map(Campaign::from_record).collect());
                    responses.with(|l| l.iter().filter(|r| ours(r) && created_in(r, year)).map(|r| {
                        let title = cs.iter().find(|c| c.id.to_string() == r.text(forms::F_CAMPAIGN)).map(|c| c.title.clone()).unwrap_or_else(|| crate::format::FORM_NOT_HERE.to_owned());
                        let who = r.text(forms::F_RESPONDENT);
                        view! { <li>{title} {(!who.is_empty()).then(|| format!(" ({who})"))} " — " {forms::status_of(r).label()}</li> }
                    }).collect_view())
                }}
            </ul>
            <h2>"Результаты: итоги четвертей и ИОР"</h2>
            <SchoolResults school=school/>
            <h3>"Карта самоанализа по годам"</h3>
            <CardYears school=school/>
            <h2>"Антирисковая программа"</h2>
            <ProgrammeStatusFor school=school year=year/>
            <h2>"Посещения и мероприятия наставников"</h2>
            <ul class="plain" id="annual-visits">
                {move || visits.with(|l| {
                    let mut list: Vec<&Record> = l.iter().filter(|r| ours(r) && in_year(&r.text(v::F_DATE), year)).collect();
                    list.sort_by_key(|r| r.text(v::F_DATE));
                    list.into_iter().map(|r| view! {
                        <li>{format!("{} — {}, {}. {}", format::date(&r.text(v::F_DATE)), v::type_label(&r.text(v::F_TYPE)), r.text(v::F_AUTHOR), r.text(v::F_FINDINGS))}</li>
                    }).collect_view()
                })}
            </ul>
            <h2>"Консультации"</h2>
            <ul class="plain" id="annual-consultations">
                {move || {
                    let names = people.get();
                    consultations.with(|l| l.iter().filter(|r| ours(r) && created_in(r, year)).map(|r| {
                        let asked = model::kinds::addressee(r).and_then(|id| names.iter().find(|x| x.id == id)).map(|x| x.full_name.clone());
                        let row = c::log_row(r, "", asked.as_deref());
                        view! { <li>{format!("{} — «{}», {}; {}", row[1], row[2], row[7], row[9])}</li> }
                    }).collect_view())
                }}
            </ul>
            <h2>"Адресные рекомендации"</h2>
            <ul class="plain" id="annual-recommendations">
                {move || recommendations.with(|l| l.iter().filter(|r| ours(r) && r.text(rec::F_STATE) == "sent" && created_in(r, year)).map(|r| {
                    let ack = if r.get(rec::F_ACK).is_some() { "принято к сведению" } else { "не подтверждено школой" };
                    view! { <li>{format!("{} ({}), {}", r.text(rec::F_TITLE), rec::source_label(&r.text(rec::F_SOURCE)), ack)}</li> }
                }).collect_view())}
            </ul>
        </article>
    }
    .into_any()
}

/// The programme of `year` in one line (the current year's status line is the same).
#[component]
fn ProgrammeStatusFor(school: Uuid, year: i64) -> impl IntoView {
    let outline = crate::pages::support::watch_outline(p::programme_id(school, year));
    let today = format::today();
    view! {
        <p id="annual-programme">
            <a href=format!("/programme/{school}?year={year}")>{format!("Программа на {year} год")}</a>
            {move || outline.with(|o| match &o.programme {
                None => ": нет.".to_owned(),
                Some(pr) => format!(
                    ": разделов — {}, мероприятий — {} (выполнено {}), с прошедшим сроком — {}, показателей отстаёт — {}; решение: {}.",
                    o.sections.len(),
                    o.measures().count(),
                    o.measures().filter(|m| m.text(p::F_STATUS) == "done").count(),
                    o.overdue(&today),
                    o.behind(&today),
                    { let v = p::label(&p::VERDICTS, &pr.text(p::F_VERDICT)); if v.is_empty() { "не представлена" } else { v } }
                ),
            })}
        </p>
    }
}
