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

use crate::connectivity::{self, Net};

#[component]
pub fn CentreHome() -> impl IntoView {
    super::set_title("Наставнический центр");
    view! {
        <section class="page" id="home-centre">
            <h1>"Наставнический центр"</h1>
            <p class="lead">"Управление муниципальной системой наставничества."</p>
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

/// A notice shown on pages that need the server while it is unreachable.
#[component]
fn NeedsConnection() -> impl IntoView {
    let status = connectivity::status();
    move || {
        (status.get() == Net::Offline).then(|| {
            view! {
                <p class="alert alert-info" role="status">
                    "Нет связи с сервером. Изменения на этой странице сохраняются только на сервере — "
                    "дождитесь связи. Введённое в формы не пропадёт."
                </p>
            }
        })
    }
}
