//! The tasks of a person: the campaigns addressed to them, what is still to do first (nearest
//! deadline first, then what is sent, the latest first), with how much is filled; overdue ones
//! stand out.

use std::sync::Arc;

use leptos::prelude::*;
use model::forms::{self, Campaign, Status, Template, answer};
use model::kinds::anonymous_response;
use model::record::Record;

use crate::format;
use crate::session::use_session;
use crate::store::use_store;
use crate::templates::template_of;

struct Task {
    campaign: Campaign,
    template: Option<Arc<Template>>,
    status: Status,
    progress: Option<(usize, usize)>,
}

#[component]
pub fn TaskList() -> impl IntoView {
    let store = use_store();
    let session = use_session();
    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    let templates = store.watch_kind(forms::TEMPLATE_KIND);
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let anonymous = store.watch_kind(anonymous_response::KIND);
    let tasks = Signal::derive(move || {
        let Some(p) = session.profile() else {
            return Vec::new();
        };
        let templates: Vec<Arc<Template>> =
            templates.with(|list| list.iter().filter_map(template_of).map(Arc::new).collect());
        let mut out: Vec<Task> = campaigns.with(|list| {
            list.iter()
                .filter_map(Campaign::from_record)
                .filter_map(|c| {
                    let t = templates
                        .iter()
                        .find(|t| t.code == c.template && t.version == c.version)
                        .cloned();
                    let audience = t.as_ref().map(|t| t.audience.clone()).unwrap_or_default();
                    if !c.addressed_to(p.role, p.school_id, &audience) {
                        return None;
                    }
                    let response: Option<Record> = t.as_ref().and_then(|t| {
                        if t.anonymous {
                            // Only this person's own anonymous answers are on this computer.
                            let id = c.id.to_string();
                            return anonymous.with(|r| {
                                r.iter()
                                    .find(|r| {
                                        r.get(forms::F_CAMPAIGN).and_then(|v| v.as_str())
                                            == Some(id.as_str())
                                    })
                                    .cloned()
                            });
                        }
                        let (id, _) =
                            forms::response_target(t.respondent, c.id, p.school_id, p.id)?;
                        responses.with(|r| r.iter().find(|r| r.id == id).cloned())
                    });
                    let status = response.as_ref().map_or(Status::Draft, forms::status_of);
                    let progress = t.as_ref().map(|t| {
                        let a = response.as_ref().map(forms::answers_of).unwrap_or_default();
                        answer::progress(t, &a)
                    });
                    Some(Task {
                        campaign: c,
                        template: t,
                        status,
                        progress,
                    })
                })
                .collect()
        });
        // What is still to do first, by deadline; then what is sent, the latest first.
        let done = |t: &Task| matches!(t.status, Status::Submitted | Status::Accepted);
        out.sort_by(|a, b| match (done(a), done(b)) {
            (false, false) => a.campaign.deadline.cmp(&b.campaign.deadline),
            (true, true) => b.campaign.deadline.cmp(&a.campaign.deadline),
            (x, y) => x.cmp(&y),
        });
        out.into_iter().map(Arc::new).collect::<Vec<_>>()
    });
    let today = format::today();
    move || {
        let list = tasks.get();
        if list.is_empty() {
            return view! {
                <p class="empty">
                    "Заданий пока нет. Когда наставнический центр направит карточку самоанализа, "
                    "контекстные характеристики или анкету, они появятся здесь и будут доступны без интернета."
                </p>
            }
            .into_any();
        }
        let today = today.clone();
        view! {
            <ul class="tasks" id="tasks">
                {list.into_iter().map(|t| {
                    let c = &t.campaign;
                    let done = matches!(t.status, Status::Submitted | Status::Accepted);
                    let overdue = !done && c.overdue(&today);
                    let title = t.template.as_ref().map_or_else(|| c.title.clone(), |tpl| if c.title.is_empty() { tpl.title.clone() } else { c.title.clone() });
                    view! {
                        <li class="task" class:overdue=overdue class:done=done data-campaign=c.id.to_string()>
                            <a href=format!("/forms/{}", c.id)>{title}</a>
                            <span class="task-deadline">
                                "Срок: " {format::date(&c.deadline)}
                                {overdue.then(|| view! { <strong class="overdue-mark">" — срок прошёл"</strong> })}
                            </span>
                            <span class="task-progress">
                                {match t.progress {
                                    Some((d, total)) => format!("заполнено {d} из {total}"),
                                    None => "форма ещё не получена".to_owned(),
                                }}
                                ", " {t.status.label()}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    }
}
