//! The scores of a submitted test, written by the server and received with the next sync.

use leptos::prelude::*;
use model::forms::{AreaScore, Level};
use uuid::Uuid;

use crate::store;

#[component]
pub fn TestResult(id: Uuid) -> impl IntoView {
    let record = store::watch_record(id);
    move || {
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
            view! {
                <section class="test-result" id="test-result" aria-labelledby="test-result-title">
                    <h2 id="test-result-title">"Результаты теста"</h2>
                    <table class="results">
                        <thead><tr><th scope="col">"Область"</th><th scope="col">"Баллы"</th><th scope="col">"Доля"</th><th scope="col">"Вывод"</th></tr></thead>
                        <tbody>
                            {areas.into_iter().map(|a| view! {
                                <tr class=format!("level-{}", match a.level { Level::Deficit => "deficit", Level::Partial => "partial", Level::NoDeficit => "none" }) data-area=a.area.clone()>
                                    <th scope="row">{a.title}</th>
                                    <td>{format!("{} из {}", a.points, a.max)}</td>
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
                </section>
            }
        })
    }
}
