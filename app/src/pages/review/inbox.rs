//! The inbox of a mentor, curator or the centre head: the submitted responses of their schools,
//! newest first, with filters, and what is new since the last visit marked.

use leptos::prelude::*;
use model::forms::review::submitted_at;
use model::forms::{self, Campaign, Status};
use model::record::{Record, Scope};

use super::changed_after;
use crate::components::text_input::DateInput;
use crate::format;
use crate::lists::known_schools;
use crate::session::use_session;
use crate::store::use_store;
use crate::templates::template_of;

#[component]
pub fn InboxPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Входящие");
    let session = use_session();
    let schools = known_schools(session);
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    let templates = store.watch_kind(forms::TEMPLATE_KIND);
    // The last visit before this one: what changed since is "новое". This visit is noted now.
    let since = session.note_inbox_visit();

    let school_filter = RwSignal::new(String::new());
    let form_filter = RwSignal::new(String::new());
    let status_filter = RwSignal::new(String::new());
    let from_filter = RwSignal::new(String::new());

    let titles = Memo::new(move |_| {
        templates.with(|l| {
            l.iter()
                .filter_map(template_of)
                .map(|t| (t.code.clone(), t.title.clone()))
                .collect::<std::collections::BTreeMap<_, _>>()
        })
    });
    let rows = Memo::new(move |_| {
        let mut list: Vec<Record> = responses.with(|l| {
            l.iter()
                // Reviews are of schools' responses (a person's own surveys are not reviewed).
                .filter(|r| {
                    matches!(r.scope, Scope::School(_)) && forms::status_of(r) != Status::Draft
                })
                .cloned()
                .collect()
        });
        // Newest first: by when it was last sent, as the list shows.
        list.sort_by_key(|r| std::cmp::Reverse(submitted_at(r)));
        list
    });

    view! {
        <section class="page" id="inbox">
            <h1>"Входящие"</h1>
            <p class="lead">"Отправленные школами формы. Доступны и без связи — с последней синхронизации."</p>
            <div class="filters" role="search">
                <div class="field">
                    <label for="filter-school">"Школа"</label>
                    <select id="filter-school" on:change=move |ev| school_filter.set(event_target_value(&ev))>
                        <option value="">"все"</option>
                        {move || schools.get().into_iter().map(|s| view! { <option value=s.id.to_string()>{s.name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-form">"Форма"</label>
                    <select id="filter-form" on:change=move |ev| form_filter.set(event_target_value(&ev))>
                        <option value="">"все"</option>
                        {move || titles.get().into_iter().map(|(code, title)| view! { <option value=code>{title}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-status">"Состояние"</label>
                    <select id="filter-status" on:change=move |ev| status_filter.set(event_target_value(&ev))>
                        <option value="">"все"</option>
                        {[Status::Submitted, Status::Returned, Status::Accepted].into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-from">"Не раньше"</label>
                    <DateInput id="filter-from".to_owned() value=from_filter/>
                </div>
            </div>
            {move || {
                let school = school_filter.get();
                let form = form_filter.get();
                let status = status_filter.get();
                let from = from_filter.get();
                let names = schools.get();
                let titles = titles.get();
                let camp: Vec<Campaign> = campaigns.with(|l| l.iter().filter_map(Campaign::from_record).collect());
                let list: Vec<Record> = rows.get().into_iter().filter(|r| {
                    let school_ok = school.is_empty() || r.scope.to_string() == format!("school:{school}");
                    let form_ok = form.is_empty() || forms::template_of(r).is_some_and(|(c, _)| c == form);
                    let status_ok = status.is_empty() || forms::status_of(r).as_str() == status;
                    let when = submitted_at(r);
                    let from_ok = from.is_empty() || format::iso_date(when) >= from;
                    school_ok && form_ok && status_ok && from_ok
                }).collect();
                if list.is_empty() {
                    return view! { <p class="empty">"Нет отправленных форм."</p> }.into_any();
                }
                view! {
                    <table class="results" id="inbox-list">
                        <thead><tr><th scope="col">"Форма"</th><th scope="col">"Школа"</th><th scope="col">"Отправлено"</th><th scope="col">"Состояние"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|r| {
                                let code = forms::template_of(&r).map(|(c, _)| c).unwrap_or_default();
                                let title = titles.get(&code).cloned().unwrap_or_else(|| crate::format::FORM_NOT_HERE.to_owned());
                                let deadline = r.get(forms::F_CAMPAIGN).and_then(|v| v.as_str()).and_then(|id| camp.iter().find(|c| c.id.to_string() == id)).map(|c| format!("срок {}", format::date(&c.deadline)));
                                let school = match &r.scope {
                                    Scope::School(id) => names.iter().find(|s| s.id == *id).map_or_else(|| "школа".to_owned(), |s| s.name.clone()),
                                    _ => "лично".to_owned(),
                                };
                                let who = r.text(forms::F_RESPONDENT);
                                let when = submitted_at(&r);
                                let new = changed_after(&r, since);
                                view! {
                                    <tr class:new=new data-response=r.id.to_string()>
                                        <td>
                                            <a href=format!("/review/{}", r.id)>{title}</a>
                                            {new.then(|| view! { <strong class="badge-new">" новое"</strong> })}
                                            <br/><span class="muted">{deadline}</span>
                                        </td>
                                        <td>{school}{(!who.is_empty()).then(|| format!(", {who}"))}</td>
                                        <td>{format::date_time(when)}</td>
                                        <td>{forms::status_of(&r).label()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
