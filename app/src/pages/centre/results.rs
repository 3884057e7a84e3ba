//! "Итоги": for the municipality, each school's status on each campaign, and how many leaders
//! have each deficit, by competency area and school and by position (from the test results the
//! server wrote).

use std::collections::BTreeMap;

use leptos::prelude::*;
use model::forms::{self, AreaScore, Campaign, Level, Respondent, Status};
use model::record::Scope;

use crate::format;
use crate::lists::known_schools;
use crate::session::use_session;
use crate::store::use_store;
use crate::templates::template_of;

#[component]
pub fn CentreResults() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Итоги");
    let session = use_session();
    let schools = known_schools(session);
    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    let templates = store.watch_kind(forms::TEMPLATE_KIND);
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let results = store.watch_kind(forms::RESULT_KIND);
    let today = format::today();
    // This school year's campaigns (or still open) by default: three years of quarterly
    // reports would make the table too wide to read or print.
    let year_start = format!(
        "{:04}-09-01",
        model::monitoring::quarters::school_year_of(&today)
    );
    let show_past = RwSignal::new(false);

    let status_table = move || {
        let schools = schools.get();
        let templates: Vec<_> = templates.with(|l| l.iter().filter_map(template_of).collect());
        let mut list: Vec<Campaign> =
            campaigns.with(|l| l.iter().filter_map(Campaign::from_record).collect());
        list.sort_by(|a, b| a.deadline.cmp(&b.deadline));
        if list.is_empty() {
            return view! { <p class="empty">"Формы ещё не направлялись."</p> }.into_any();
        }
        let past = list
            .iter()
            .filter(|c| c.deadline < year_start && c.overdue(&today))
            .count();
        if !show_past.get() {
            list.retain(|c| !(c.deadline < year_start && c.overdue(&today)));
        }
        let toggle = (past > 0).then(|| view! {
            <label class="choice no-print">
                <input type="checkbox" id="show-past" prop:checked=move || show_past.get() on:change=move |ev| show_past.set(event_target_checked(&ev))/>
                {format!(" Показать рассылки прошлых учебных лет ({past})")}
            </label>
        });
        if list.is_empty() {
            return view! { {toggle}<p class="empty">"В этом учебном году формы ещё не направлялись."</p> }.into_any();
        }
        let today = today.clone();
        view! {
            {toggle}
            <div class="table-wrap">
                <table class="results" id="status-table">
                    <thead>
                        <tr>
                            <th scope="col">"Школа"</th>
                            {list.iter().map(|c| view! { <th scope="col">{c.title.clone()}<br/><span class="muted">{format!("до {}", format::date(&c.deadline))}</span></th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {schools.into_iter().map(|s| {
                            let cells = list.iter().map(|c| {
                                if !c.schools.contains(&s.id) {
                                    return view! { <td class="muted">"—"</td> }.into_any();
                                }
                                let per_person = templates.iter().find(|t| t.code == c.template && t.version == c.version).is_some_and(|t| t.respondent == Respondent::Person);
                                let statuses: Vec<Status> = responses.with(|rs| rs.iter()
                                    .filter(|r| r.scope == Scope::School(s.id) && r.get(forms::F_CAMPAIGN).and_then(|v| v.as_str()) == Some(c.id.to_string().as_str()))
                                    .map(forms::status_of).collect());
                                let text = if per_person {
                                    let sent = statuses.iter().filter(|x| matches!(x, Status::Submitted | Status::Accepted)).count();
                                    format!("отправили: {sent}")
                                } else {
                                    statuses.first().map_or("не начато", |x| x.label()).to_owned()
                                };
                                let done = statuses.iter().any(|x| matches!(x, Status::Submitted | Status::Accepted));
                                let late = !done && c.overdue(&today);
                                view! { <td class:overdue=late>{text}{late.then_some(" (срок прошёл)")}</td> }.into_any()
                            }).collect_view();
                            view! { <tr><th scope="row">{s.name.clone()}</th>{cells}</tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any()
    };

    // The test campaigns, newest first; the table counts one campaign, so nobody counts twice.
    let test_campaigns = Memo::new(move |_| {
        let tests: Vec<(String, u32)> = templates.with(|l| {
            l.iter()
                .filter_map(template_of)
                .filter(|t| t.test.is_some())
                .map(|t| (t.code, t.version))
                .collect()
        });
        let mut list: Vec<Campaign> = campaigns.with(|l| {
            l.iter()
                .filter_map(Campaign::from_record)
                .filter(|c| tests.contains(&(c.template.clone(), c.version)))
                .collect()
        });
        list.sort_by(|a, b| b.deadline.cmp(&a.deadline));
        list
    });
    let chosen = RwSignal::new(None::<uuid::Uuid>);
    let selected = move || {
        chosen
            .get()
            .or_else(|| test_campaigns.with(|l| l.first().map(|c| c.id)))
    };
    let deficit_table = move || {
        let schools = schools.get();
        let Some(campaign) = selected() else {
            return view! { <p class="empty">"Тест руководителей ещё не направлялся."</p> }
                .into_any();
        };
        let of_campaign: Vec<uuid::Uuid> = responses.with(|rs| {
            rs.iter()
                .filter(|r| {
                    r.get(forms::F_CAMPAIGN).and_then(|v| v.as_str())
                        == Some(campaign.to_string().as_str())
                })
                .map(|r| r.id)
                .collect()
        });
        // The areas in the test's order (id, title), and per area and school: leaders with a
        // deficit / tested.
        let mut titles: Vec<(String, String)> = Vec::new();
        let mut counts: BTreeMap<(String, Scope), (usize, usize)> = BTreeMap::new();
        results.with(|rs| {
            for r in rs
                .iter()
                .filter(|r| r.parent.is_some_and(|p| of_campaign.contains(&p)))
            {
                let areas: Vec<AreaScore> = r
                    .get("areas")
                    .cloned()
                    .and_then(|v| serde_json::from_value(v).ok())
                    .unwrap_or_default();
                for a in areas {
                    if !titles.iter().any(|(id, _)| *id == a.area) {
                        titles.push((a.area.clone(), a.title.clone()));
                    }
                    let e = counts.entry((a.area.clone(), r.scope.clone())).or_default();
                    e.1 += 1;
                    if a.level == Level::Deficit {
                        e.0 += 1;
                    }
                }
            }
        });
        if titles.is_empty() {
            return view! { <p class="empty">"Результатов тестирования руководителей пока нет."</p> }.into_any();
        }
        // A column for each school whose leaders took the test.
        let schools: Vec<_> = schools
            .into_iter()
            .filter(|s| {
                counts
                    .keys()
                    .any(|(_, scope)| *scope == Scope::School(s.id))
            })
            .collect();
        view! {
            <div class="table-wrap">
                <table class="results" id="deficit-table">
                    <thead>
                        <tr>
                            <th scope="col">"Область"</th>
                            {schools.iter().map(|s| view! { <th scope="col">{s.name.clone()}</th> }).collect_view()}
                            <th scope="col">"Всего с дефицитом"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {titles.into_iter().map(|(area, title)| {
                            let mut total = (0, 0);
                            let cells = schools.iter().map(|s| {
                                let (d, n) = counts.get(&(area.clone(), Scope::School(s.id))).copied().unwrap_or_default();
                                total.0 += d;
                                total.1 += n;
                                let has = d > 0;
                                view! { <td class:level-deficit=has>{if n == 0 { "—".to_owned() } else { format!("{d} из {n}") }}</td> }
                            }).collect_view();
                            view! {
                                <tr data-area=area>
                                    <th scope="row">{title}</th>
                                    {cells}
                                    <td>{format!("{} из {}", total.0, total.1)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any()
    };

    // The same test by position (director, deputies…): where the template asks it.
    let position_table = move || {
        let campaign = selected()?;
        let c = campaigns.with(|l| {
            l.iter()
                .find(|r| r.id == campaign)
                .and_then(Campaign::from_record)
        })?;
        let template = templates.with(|l| {
            l.iter()
                .filter_map(template_of)
                .find(|t| t.code == c.template && t.version == c.version)
        })?;
        let question = template.test.as_ref()?.position.clone()?;
        let positions: Vec<(String, String)> = match template.question(&question).map(|q| &q.kind) {
            Some(forms::Kind::Single { options }) => options
                .iter()
                .map(|o| (o.id.clone(), o.text.clone()))
                .collect(),
            _ => return None,
        };
        let of_campaign: Vec<uuid::Uuid> = responses.with(|rs| {
            rs.iter()
                .filter(|r| model::kinds::response::campaign_id(r) == Some(campaign))
                .map(|r| r.id)
                .collect()
        });
        let scored: Vec<(String, Vec<AreaScore>)> = results.with(|rs| {
            rs.iter()
                .filter(|r| r.parent.is_some_and(|p| of_campaign.contains(&p)))
                .map(|r| {
                    let areas = r
                        .get("areas")
                        .cloned()
                        .and_then(|v| serde_json::from_value(v).ok())
                        .unwrap_or_default();
                    (r.text("position"), areas)
                })
                .collect()
        });
        let tally =
            forms::scoring::by_position(scored.iter().map(|(p, a)| (p.as_str(), a.as_slice())));
        let shown: Vec<(String, String)> = positions
            .into_iter()
            .filter(|(id, _)| tally.keys().any(|(_, p)| p == id))
            .collect();
        if shown.is_empty() {
            return None;
        }
        let areas: Vec<(String, String)> = template
            .test
            .as_ref()
            .map(|t| {
                t.areas
                    .iter()
                    .map(|a| (a.id.clone(), a.title.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Some(view! {
            <h3>"По должностям"</h3>
            <p class="muted">"В ячейке — сколько прошедших тест в этой должности показали дефицит в области, и средняя доля баллов."</p>
            <div class="table-wrap">
                <table class="results" id="position-table">
                    <thead>
                        <tr>
                            <th scope="col">"Область"</th>
                            {shown.iter().map(|(_, label)| view! { <th scope="col">{label.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {areas.into_iter().map(|(area, title)| {
                            let cells = shown.iter().map(|(p, _)| {
                                let t = tally.get(&(area.clone(), p.clone())).copied().unwrap_or_default();
                                let has = t.deficits > 0;
                                view! {
                                    <td class:level-deficit=has>
                                        {if t.tested == 0 { "—".to_owned() } else { format!("{} из {}, {} %", t.deficits, t.tested, t.mean_percent()) }}
                                    </td>
                                }
                            }).collect_view();
                            view! { <tr data-area=area><th scope="row">{title}</th>{cells}</tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })
    };

    view! {
        <section class="page" id="centre-results">
            <h1>"Итоги по муниципалитету"</h1>
            <p class="lead">"Данные с последней синхронизации этого компьютера."</p>
            <h2>"Состояние форм по школам"</h2>
            {status_table}
            <h2>"Дефициты руководителей по областям"</h2>
            {move || (test_campaigns.with(Vec::len) > 1).then(|| view! {
                <div class="field">
                    <label for="results-campaign">"Тестирование"</label>
                    <select id="results-campaign" on:change=move |ev| chosen.set(uuid::Uuid::parse_str(&event_target_value(&ev)).ok())>
                        {test_campaigns.get().into_iter().map(|c| view! { <option value=c.id.to_string()>{format!("{} (до {})", c.title, format::date(&c.deadline))}</option> }).collect_view()}
                    </select>
                </div>
            })}
            <p class="muted">"В ячейке — сколько руководителей школы показали дефицит в области, из числа прошедших тест."</p>
            {deficit_table}
            {position_table}
            <h2>"Анонимные анкеты"</h2>
            <p class="muted">"Ответы анонимных анкет хранятся только на сервере, без имён; итоги показываются в целом по анкете."</p>
            <super::anonymous::AnonymousSummaries/>
        </section>
    }
}
