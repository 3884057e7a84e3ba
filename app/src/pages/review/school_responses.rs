//! Everything the school has sent: every response of the school (its cards and its people's
//! surveys, anonymous ones without names), with its status and round; the review comments and
//! plans open with the form.

use leptos::prelude::*;
use model::forms::{self, Status, review};
use model::record::Record;

use crate::format;
use crate::session::use_session;
use crate::store::use_store;
use crate::templates::template_of;

#[component]
pub fn SchoolResponses() -> impl IntoView {
    let store = use_store();
    let session = use_session();
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let templates = store.watch_kind(forms::TEMPLATE_KIND);
    let reviews = store.watch_kind(review::REVIEW_KIND);
    let me = session.profile().map(|p| p.id).unwrap_or_default();
    move || {
        let titles: Vec<(String, String, bool, forms::Respondent)> = templates.with(|l| {
            l.iter()
                .filter_map(template_of)
                .map(|t| (t.code, t.title, t.anonymous, t.respondent))
                .collect()
        });
        let mut list: Vec<Record> = responses.get();
        list.sort_by_key(|r| std::cmp::Reverse(r.latest().map_or(0, |h| h.wall_ms)));
        (!list.is_empty()).then(|| {
            view! {
                <section id="school-responses" aria-labelledby="school-responses-title">
                    <h2 id="school-responses-title">"Все ответы школы"</h2>
                    <table class="results">
                        <thead><tr><th scope="col">"Форма"</th><th scope="col">"Кто"</th><th scope="col">"Состояние"</th><th scope="col">"Замечаний наставника"</th><th scope="col">"Изменено"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|r| {
                                let code = forms::template_of(&r).map(|(c, _)| c).unwrap_or_default();
                                let t = titles.iter().find(|t| t.0 == code);
                                let title = t.map_or_else(|| crate::format::FORM_NOT_HERE.to_owned(), |t| t.1.clone());
                                let anonymous = t.is_some_and(|t| t.2);
                                let per_school = t.is_some_and(|t| t.3 == forms::Respondent::School);
                                let who = if per_school { "школа".to_owned() } else if anonymous { "анонимно".to_owned() } else { r.text(forms::F_RESPONDENT) };
                                let comments: usize = reviews.with(|l| l.iter().filter(|x| x.parent == Some(r.id)).map(|x| x.fields.iter().filter(|(k, f)| k.starts_with(review::COMMENT_PREFIX) && f.value.as_str().is_some_and(|s| !s.trim().is_empty())).count()).sum());
                                let campaign = r.text(forms::F_CAMPAIGN);
                                // One's own response (or the school's card) opens in the form.
                                let own = per_school || forms::response_id(uuid::Uuid::parse_str(&campaign).unwrap_or_default(), &model::record::Scope::Person(me)) == r.id;
                                let status = forms::status_of(&r);
                                view! {
                                    <tr class:returned=status == Status::Returned>
                                        <td>{if own { view! { <a href=format!("/forms/{campaign}")>{title}</a> }.into_any() } else { title.into_any() }}</td>
                                        <td>{who}</td>
                                        <td>{status.label()}{(review::round_of(&r) > 1).then(|| format!(", версия {}", review::round_of(&r)))}</td>
                                        <td>{comments}</td>
                                        <td>{r.latest().map(|h| format::date_time(h.wall_ms))}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })
    }
}
