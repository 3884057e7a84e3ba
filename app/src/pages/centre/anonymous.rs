//! The results of anonymous surveys, for the centre head: only in aggregate, fetched from the
//! server (no device holds anyone's anonymous answers), and only once enough people answered.

use std::sync::Arc;

use leptos::prelude::*;
use model::api::CampaignSummary;
use model::forms::answer::fmt_num;
use model::forms::summary::{self, Detail};
use model::forms::{self, Campaign};

use crate::api;
use crate::format;
use crate::session::use_session;
use crate::store::use_store;
use crate::templates::template_of;

#[component]
pub fn AnonymousSummaries() -> impl IntoView {
    let store = use_store();
    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    let templates = store.watch_kind(forms::TEMPLATE_KIND);
    let list = Memo::new(move |_| {
        let anonymous: Vec<(String, u32)> = templates.with(|l| {
            l.iter()
                .filter_map(template_of)
                .filter(|t| t.anonymous)
                .map(|t| (t.code, t.version))
                .collect()
        });
        let mut list: Vec<Campaign> = campaigns.with(|l| {
            l.iter()
                .filter_map(Campaign::from_record)
                .filter(|c| anonymous.contains(&(c.template.clone(), c.version)))
                .collect()
        });
        list.sort_by(|a, b| b.deadline.cmp(&a.deadline));
        list
    });
    move || {
        let list = list.get();
        if list.is_empty() {
            return view! { <p class="empty">"Анонимные анкеты ещё не направлялись."</p> }
                .into_any();
        }
        view! {
            <ul class="plain" id="anonymous-summaries">
                {list.into_iter().map(|c| view! { <li><OneSummary campaign=Arc::new(c)/></li> }).collect_view()}
            </ul>
        }
        .into_any()
    }
}

#[component]
fn OneSummary(campaign: Arc<Campaign>) -> impl IntoView {
    let session = use_session();
    let loaded = RwSignal::new(None::<Result<CampaignSummary, String>>);
    let busy = RwSignal::new(false);
    let id = campaign.id;
    let load = move |_| {
        let Some(token) = session.token() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = api::campaign_summary(&token, id)
                .await
                .map_err(|e| e.message());
            loaded.set(Some(r));
            busy.set(false);
        });
    };
    view! {
        <h3>{format!("{} (до {})", campaign.title, format::date(&campaign.deadline))}</h3>
        <button type="button" class="button-secondary" data-summary=id.to_string() on:click=load
            aria-busy=move || if busy.get() { "true" } else { "false" }>
            "Показать итоги"
        </button>
        {move || loaded.get().map(|r| match r {
            Err(msg) => view! { <p class="alert alert-error" role="alert">{msg}</p> }.into_any(),
            Ok(s) => match s.summary {
                Some(sum) => {
                    let min = s.min_answers;
                    view! {
                        <p>{format!("Ответов: {}. Имена не сохраняются.", sum.answered)}</p>
                        <dl class="summary">
                            {sum.questions.into_iter().map(|q| view! {
                                <dt>{q.text}</dt>
                                <dd>{summary::withheld(q.answered, min).unwrap_or_else(|| describe(&q.detail))}</dd>
                            }).collect_view()}
                        </dl>
                    }.into_any()
                }
                None => view! {
                    <p class="empty" role="status">{format!(
                        "Ответов: {}. Итоги анонимной анкеты показываются, когда ответят не менее {} человек — так ответ одного человека нельзя узнать.",
                        s.answered, s.min_answers
                    )}</p>
                }.into_any(),
            },
        })}
    }
}

fn describe(d: &Detail) -> String {
    match d {
        Detail::Counts { counts, mean } => {
            let mut parts: Vec<String> = counts.iter().map(|(l, n)| format!("{l} — {n}")).collect();
            if let Some(m) = mean {
                parts.push(format!("среднее — {}", fmt_num(*m)));
            }
            parts.join("; ")
        }
        Detail::Numbers { mean, min, max } => format!(
            "среднее — {}, от {} до {}",
            fmt_num(*mean),
            fmt_num(*min),
            fmt_num(*max)
        ),
        Detail::Texts { texts } if texts.is_empty() => "—".to_owned(),
        Detail::Texts { texts } => texts.join(" • "),
        Detail::None => "—".to_owned(),
    }
}
