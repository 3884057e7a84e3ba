//! Pages of the centre head (and the moderator, for accounts). They change data on the server
//! and so need a connection; without one they say so and keep what was typed.

mod anonymous;
mod campaigns;
mod classification;
mod monitoring;
mod results;
mod schools;
mod users;

use leptos::prelude::*;

pub use campaigns::CentreCampaigns;
pub use classification::ClassificationPage;
pub use monitoring::MonitoringPage;
pub use results::CentreResults;
pub use schools::CentreSchools;
pub use users::CentreUsers;

use crate::connectivity::{Net, use_connectivity};
use crate::store::use_store;

#[component]
pub fn CentreHome() -> impl IntoView {
    super::set_title("Наставнический центр");
    view! {
        <section class="page" id="home-centre">
            <h1>"Наставнический центр"</h1>
            <p class="lead">"Управление муниципальной системой наставничества."</p>
            <Today/>
            <ul class="cards">
                <li><a href="/centre/campaigns" id="link-campaigns">"Рассылка форм и сроки"</a></li>
                <li><a href="/inbox">"Входящие: отправленные школами формы"</a></li>
                <li><a href="/centre/plan" id="link-plan">"План работы центра и отчёт о выполнении"</a></li>
                <li><a href="/centre/indicators" id="link-indicators">"Показатели программы"</a></li>
                <li><a href="/centre/programmes" id="link-programmes">"Поддержка школ: антирисковые программы, посещения"</a></li>
                <li><a href="/consultations" id="link-consultations">"Консультации по запросам школ"</a></li>
                <li><a href="/centre/results" id="link-results">"Итоги: формы по школам и дефициты руководителей"</a></li>
                <li><a href="/centre/monitoring" id="link-monitoring">"Мониторинг результатов: итоги четвертей, динамика за три года"</a></li>
                <li><a href="/centre/classification" id="link-classification">"Классификация школ: ИОР, ИСБШ, зоны риска"</a></li>
                <li><a href="/centre/schools">"Школы муниципалитета"</a></li>
                <li><a href="/centre/users">"Пользователи и закрепление наставников"</a></li>
            </ul>
        </section>
    }
}

/// What needs the head's attention now, from the local database: forms waiting for review,
/// campaigns past their deadline with schools that have not sent, new requests for a
/// consultation.
#[component]
fn Today() -> impl IntoView {
    let store = use_store();
    use model::forms::{self, Campaign, Status};
    use model::record::Scope;
    use model::support::consultation as c;

    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    let templates = store.watch_kind(forms::TEMPLATE_KIND);
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let consultations = store.watch_kind(c::KIND);
    let today = crate::format::today();
    // This school year's campaigns: last year's late ones are history (on «Итоги»), not today's.
    let year_start = format!(
        "{:04}-09-01",
        model::monitoring::quarters::school_year_of(&today)
    );
    let items = move || {
        let waiting =
            responses.with(|l| l.iter().filter(|r| forms::review::awaits_review(r)).count());
        // Anonymous answers reach no computer: who has not answered is not known here.
        let anonymous: Vec<(String, u32)> = templates.with(|l| {
            l.iter()
                .filter_map(crate::templates::template_of)
                .filter(|t| t.anonymous)
                .map(|t| (t.code.clone(), t.version))
                .collect()
        });
        let late: Vec<(String, usize)> = campaigns.with(|l| {
            l.iter()
                .filter_map(Campaign::from_record)
                .filter(|camp| camp.overdue(&today) && camp.deadline >= year_start)
                .filter(|camp| {
                    !anonymous
                        .iter()
                        .any(|(code, v)| *code == camp.template && *v == camp.version)
                })
                .filter_map(|camp| {
                    let missing = responses.with(|rs| {
                        camp.schools
                            .iter()
                            .filter(|s| {
                                !rs.iter().any(|r| {
                                    r.scope == Scope::School(**s)
                                        && r.text(forms::F_CAMPAIGN) == camp.id.to_string()
                                        && matches!(
                                            forms::status_of(r),
                                            Status::Submitted | Status::Accepted
                                        )
                                })
                            })
                            .count()
                    });
                    (missing > 0).then(|| (camp.title.clone(), missing))
                })
                .collect()
        });
        let asked = consultations.with(|l| {
            l.iter()
                .filter(|r| !r.is_deleted() && c::state_of(r) == c::State::New)
                .count()
        });
        let mut out: Vec<AnyView> = Vec::new();
        if waiting > 0 {
            out.push(view! { <li><a href="/inbox">{format!("Ждут проверки: {waiting} — отправленные школами формы")}</a></li> }.into_any());
        }
        for (title, missing) in late {
            out.push(view! { <li><a href="/centre/results">{format!("Срок прошёл: «{title}» — не отправили школ: {missing}")}</a></li> }.into_any());
        }
        if asked > 0 {
            out.push(view! { <li><a href="/consultations">{format!("Новые запросы на консультацию: {asked}")}</a></li> }.into_any());
        }
        if out.is_empty() {
            view! { <p class="muted" id="centre-today-empty">"Сейчас нет форм на проверке, просроченных рассылок и новых запросов."</p> }.into_any()
        } else {
            view! { <ul class="today" id="centre-today">{out}</ul> }.into_any()
        }
    };
    view! {
        <section aria-labelledby="centre-today-title">
            <h2 id="centre-today-title">"На сегодня"</h2>
            {items}
        </section>
    }
}

/// A notice shown on pages that need the server while it is unreachable.
#[component]
fn NeedsConnection() -> impl IntoView {
    let net = use_connectivity();
    move || {
        (net.status() == Net::Offline).then(|| {
            view! {
                <p class="alert alert-info" role="status">
                    "Нет связи с сервером. Изменения на этой странице сохраняются только на сервере — "
                    "дождитесь связи. Введённое в формы не пропадёт."
                </p>
            }
        })
    }
}
