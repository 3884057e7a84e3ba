//! Answers the school already gave in another form that asks the same questions
//! (`Template::shared_with`: the self-analysis card and the context profile share the school's
//! counts) in the same school year: offered to carry over with one button, so a figure is
//! typed once and both forms hold the same value.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use model::forms::{self, Answers, Template};
use model::record::{Record, Scope};
use serde_json::Value;

use crate::store::use_store;
use crate::templates::template_of;

/// When the record was last changed on any device (the newest of its fields).
fn last_edit(r: &Record) -> u64 {
    r.fields.values().map(|f| f.hlc.wall_ms).max().unwrap_or(0)
}

#[component]
pub fn SharedAnswers(
    /// The campaign this response answers: answers are taken from the same school year only.
    school_year: i32,
    template: Arc<Template>,
    scope: Scope,
    answers: Memo<Answers>,
    locked: Signal<bool>,
    take: Callback<BTreeMap<String, Value>>,
) -> impl IntoView {
    let store = use_store();
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    let templates = store.watch_kind(forms::TEMPLATE_KIND);
    let t = template.clone();
    // The school's latest response to a form this one shares questions with, and what of it
    // would fill questions still empty here.
    let offer = Memo::new(move |_| {
        if t.shared_with.is_empty() {
            return None;
        }
        // Of the same school year (last year's counts are not this year's); a sent response
        // before a draft, then the latest.
        let same_year = |r: &Record| {
            let id = model::kinds::response::campaign_id(r);
            campaigns.with(|l| {
                l.iter()
                    .find(|c| Some(c.id) == id)
                    .and_then(forms::Campaign::from_record)
                    .is_some_and(|c| c.school_year() == school_year)
            })
        };
        let (code, other) = responses.with(|l| {
            l.iter()
                .filter(|r| r.scope == scope)
                .filter(|r| forms::template_of(r).is_some_and(|(c, _)| t.shared_with.contains(&c)))
                .filter(|r| same_year(r))
                .max_by_key(|r| (forms::status_of(r) != forms::Status::Draft, last_edit(r)))
                .and_then(|r| Some((forms::template_of(r)?.0, forms::answers_of(r))))
        })?;
        let fields = answers.with(|mine| forms::shared_answers(&t, mine, &other));
        let questions: Vec<String> = t
            .questions()
            .filter(|q| {
                let field = forms::answer_field(&q.id);
                fields
                    .keys()
                    .any(|k| *k == field || k.starts_with(&format!("{field}.")))
            })
            .map(|q| q.text.clone())
            .collect();
        (!fields.is_empty()).then_some((code, questions, fields))
    });
    let title_of = move |code: &str| {
        templates.with(|l| {
            l.iter()
                .filter_map(template_of)
                .find(|t| t.code == code)
                .map_or_else(|| crate::format::FORM_NOT_HERE.to_owned(), |t| t.title)
        })
    };
    move || {
        let (code, questions, fields) = offer.get().filter(|_| !locked.get())?;
        let n = questions.len();
        Some(view! {
            <div class="alert alert-info" id="shared-answers" role="status">
                <p>
                    {format!(
                        "В форме «{}» школа уже ответила на {}, которые есть и здесь:",
                        title_of(&code),
                        forms::answer::count_ru(n as u32, "вопрос", "вопроса", "вопросов")
                    )}
                </p>
                <ul>{questions.into_iter().map(|q| view! { <li>{q}</li> }).collect_view()}</ul>
                <button type="button" id="shared-take" on:click=move |_| take.run(fields.clone())>
                    "Перенести эти ответы"
                </button>
            </div>
        })
    }
}
