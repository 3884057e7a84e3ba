//! `/forms/:id/print`: the response as a plain document, every question with its answer, for
//! printing or saving as PDF from the browser.

use leptos::prelude::*;
use model::forms;
use model::forms::answer::{self, Answers};

use super::{response_target, use_campaign};
use crate::components::answer::render;
use crate::format;
use crate::session::use_session;
use crate::store::use_store;
use crate::templates::load_form;

#[component]
pub fn PrintPage() -> impl IntoView {
    let store = use_store();
    super::super::set_title("Печать формы");
    let (_, campaign) = use_campaign();
    let session = use_session();
    // An anonymous form's answers live under an id only this computer knows (from the server).
    let anonymous = RwSignal::new(None::<uuid::Uuid>);
    let asked = StoredValue::new(false);
    let page = move || {
        let c = campaign.get()?;
        let template = load_form(&c);
        let who = session
            .profile()
            .map(|p| p.school_name.unwrap_or(p.full_name));
        Some(move || {
            let t = template.get()?;
            let id = if t.anonymous {
                if !asked.get_value() {
                    asked.set_value(true);
                    let campaign = c.id;
                    leptos::task::spawn_local(async move {
                        if let Some(found) = super::local_anonymous(store, campaign).await {
                            anonymous.set(Some(found.id));
                        }
                    });
                }
                anonymous.get()?
            } else {
                response_target(&t, c.id)?.id
            };
            let record = store.watch_record(id);
            let t2 = t.clone();
            let deadline = c.deadline.clone();
            // Nobody's name on an anonymous form.
            let who = if t.anonymous {
                Some("Анонимная анкета".to_owned())
            } else {
                who.clone()
            };
            Some(view! {
                <article class="page print-view" id="print-view">
                    <p class="no-print">
                        <button type="button" class="button-primary" on:click=|_| {
                            if let Some(w) = web_sys::window() { let _ = w.print(); }
                        }>"Печать"</button>
                        " "
                        <a href=format!("/forms/{}", c.id)>"Вернуться к форме"</a>
                    </p>
                    <h1>{t.title.clone()}</h1>
                    <p>{who} {format!(". Срок: {}.", format::date(&deadline))}</p>
                    {move || {
                        let r = record.get();
                        let a: Answers = r.as_ref().map(forms::answers_of).unwrap_or_default();
                        let status = r.as_ref().map_or(forms::Status::Draft, forms::status_of);
                        view! {
                            <p>"Состояние: " {status.label()}</p>
                            {t2.sections.iter().map(|s| view! {
                                <section class="print-section">
                                    <h2>{s.title.clone()}</h2>
                                    <dl>
                                        {s.questions.iter().filter(|q| answer::visible(&t2, q, &a)).map(|q| view! {
                                            <dt>{q.text.clone()}</dt>
                                            <dd>{render(&t2, q, &a)}</dd>
                                        }).collect_view()}
                                    </dl>
                                </section>
                            }).collect_view()}
                        }
                    }}
                </article>
            })
        })
    };
    view! {
        {page}
        {move || campaign.with(Option::is_none).then(|| view! {
            <p class="empty" role="status">
                "Форма ещё не получена на этот компьютер. Она появится после синхронизации с сервером."
            </p>
        })}
    }
}
