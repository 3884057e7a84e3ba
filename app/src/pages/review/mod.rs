//! Review by mentors, curators and the centre head: the inbox of submitted responses of their
//! schools, and the review of one response with a comment beside each answer and a verdict.
//! Works offline from synced data; comments and verdicts sync like every edit.

mod inbox;
mod plan;
mod recommendations;
mod school_responses;

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use model::forms::review;
use model::forms::{self, Status, Template, answer};
use model::record::Record;
use serde_json::{Value, json};
use uuid::Uuid;

pub use inbox::InboxPage;
pub use plan::DeficitPlan;
pub use recommendations::{
    NewRecommendationButton, ReceivedRecommendations, RecommendationPage, WrittenRecommendations,
};
pub use school_responses::SchoolResponses;

use crate::components::answer::render;
use crate::components::record_field::say_not_saved;
use crate::components::refused::RefusedList;
use crate::components::test_result::TestResult;
use crate::components::undecided::UndecidedList;
use crate::store::{Target, use_store};
use crate::sync::use_sync;
use crate::templates::{load_form, load_template};

/// The reviews of a response, oldest round first.
pub fn reviews_of(all: &[Record], response: Uuid) -> Vec<Record> {
    let mut list: Vec<Record> = all
        .iter()
        .filter(|r| r.parent == Some(response))
        .cloned()
        .collect();
    list.sort_by_key(|r| r.get(review::F_ROUND).and_then(Value::as_u64).unwrap_or(0));
    list
}

/// `/review/:id`: one response, read-only, with the reviewer's comments beside the answers.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let store = use_store();
    super::set_title("Проверка ответа");
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let record = store.watch_record(id.unwrap_or_default());
    let campaigns = store.watch_kind(forms::CAMPAIGN_KIND);
    // The campaign the response answers: its form, with the campaign's school years.
    let campaign = Memo::new(move |_| {
        let id = record.with(|r| r.as_ref().and_then(model::kinds::response::campaign_id))?;
        campaigns.with(|l| {
            l.iter()
                .find(|c| c.id == id)
                .and_then(forms::Campaign::from_record)
        })
    });
    let pinned = Memo::new(move |_| record.with(|r| r.as_ref().and_then(forms::template_of)));
    move || {
        // The form as its campaign asks it; the pinned template if the campaign was deleted.
        let template = match (campaign.get(), pinned.get()) {
            (Some(c), _) => load_form(&c),
            (None, Some((code, version))) => {
                let t = load_template(code, version);
                Memo::new(move |_| t.get())
            }
            (None, None) => {
                return view! { <p class="empty" role="status">"Ответ ещё не получен на этот компьютер: дождитесь синхронизации."</p> }.into_any();
            }
        };
        view! {
            {move || template.get().map(|t| view! { <Review template=t record=record/> })}
        }
        .into_any()
    }
}

#[component]
fn Review(template: Arc<Template>, record: ReadSignal<Option<Record>>) -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    let all_reviews = store.watch_kind(review::REVIEW_KIND);
    let response = Memo::new(move |_| record.get());
    let rid = response
        .with_untracked(|r| r.as_ref().map(|r| r.id))
        .unwrap_or_default();
    let reviews = Memo::new(move |_| all_reviews.with(|all| reviews_of(all, rid)));
    let round = Memo::new(move |_| response.with(|r| r.as_ref().map_or(0, review::round_of)));
    let status =
        Memo::new(move |_| response.with(|r| r.as_ref().map_or(Status::Draft, forms::status_of)));
    let current = Memo::new(move |_| {
        let n = round.get();
        reviews.with(|l| {
            l.iter()
                .find(|r| r.get(review::F_ROUND).and_then(Value::as_u64) == Some(n))
                .cloned()
        })
    });
    let decided = Memo::new(move |_| current.with(|c| c.as_ref().and_then(review::verdict_of)));
    // Comments are written while the round awaits a verdict.
    let open = Signal::derive(move || status.get() == Status::Submitted && decided.get().is_none());
    let answers = Memo::new(move |_| {
        response.with(|r| r.as_ref().map(forms::answers_of).unwrap_or_default())
    });
    let error = RwSignal::new(None::<String>);

    let write = Callback::new(move |fields: BTreeMap<String, Value>| {
        let Some(r) = response.get_untracked() else {
            return;
        };
        let n = review::round_of(&r);
        let mut fields = fields;
        fields.insert(review::F_ROUND.to_owned(), json!(n));
        let target = Target {
            id: review::review_id(r.id, n),
            kind: review::REVIEW_KIND,
            scope: r.scope.clone(),
            parent: Some(r.id),
        };
        spawn_local(async move {
            match store.edit(&target, fields).await {
                Ok(()) => sync.edited(),
                Err(e) => say_not_saved(store, &e, error),
            }
        });
    });
    let verdict = move |v: Status| {
        write.run(BTreeMap::from([(
            review::F_VERDICT.to_owned(),
            json!(v.as_str()),
        )]));
    };

    let t = template.clone();
    let for_result = template.clone();
    let template_is_test = template.test.is_some();
    view! {
        <section class="page review-page" id="review">
            <h1>{template.title.clone()}</h1>
            <p class="lead">
                {move || response.get().map(|r| r.text(forms::F_RESPONDENT)).filter(|s| !s.is_empty()).map(|s| format!("{s}. "))}
                "Версия ответа: " {move || round.get()} ". Состояние: "
                <strong id="review-state">{move || status.get().label()}</strong>
            </p>
            <RefusedList/>
            <UndecidedList/>
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <History reviews=reviews.into() round=round.into() question=None/>
            {move || response.get().filter(|_| template_is_test).map(|r| view! { <TestResult id=forms::result_id(r.id) template=for_result.clone()/> })}
            {move || response.get().filter(|_| template_is_test).map(|r| view! { <recommendations::DraftFromResult response=r.id scope=r.scope.clone()/> })}
            {move || response.get().filter(|_| template_is_test).map(|r| view! { <DeficitPlan response=r.id scope=r.scope.clone()/> })}
            {t.sections.iter().map(|s| {
                let s = s.clone();
                let t = t.clone();
                view! {
                    <section class="review-section">
                        <h2>{s.title.clone()}</h2>
                        {s.questions.into_iter().map(|q| {
                            let t = t.clone();
                            let q = Arc::new(q);
                            let q2 = q.clone();
                            let q3 = q.clone();
                            let shown = move || answers.with(|a| answer::visible(&t, &q2, a));
                            let t2 = template.clone();
                            let field = review::comment_field(&q.id);
                            let field2 = field.clone();
                            let comment = Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.text(&field2)).unwrap_or_default()));
                            let input_id = format!("comment-{}", q.id);
                            view! {
                                <Show when=shown.clone()>
                                    <div class="review-item" data-q=q3.id.clone()>
                                        <div class="review-answer">
                                            <p class="question-text">{q3.text.clone()}</p>
                                            {let (t2, q4) = (t2.clone(), q3.clone()); move || answers.with(|a| render(&t2, &q4, a))}
                                        </div>
                                        <div class="review-comment">
                                            <History reviews=reviews.into() round=round.into() question=Some(q3.id.clone())/>
                                            {
                                                let field = field.clone();
                                                let input_id = input_id.clone();
                                                move || open.get().then(|| {
                                                    let field = field.clone();
                                                    view! {
                                                        <label for=input_id.clone()>"Комментарий наставника"</label>
                                                        <textarea id=input_id.clone() rows="2" maxlength="2000"
                                                            prop:value=comment.get_untracked()
                                                            on:input=move |ev| {
                                                                let text = event_target_value(&ev);
                                                                let v = if text.trim().is_empty() { Value::Null } else { Value::String(text) };
                                                                write.run(BTreeMap::from([(field.clone(), v)]));
                                                            }></textarea>
                                                    }
                                                })
                                            }
                                        </div>
                                    </div>
                                </Show>
                            }
                        }).collect_view()}
                    </section>
                }
            }).collect_view()}
            {move || open.get().then(|| {
                let overall = Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.text(review::F_OVERALL)).unwrap_or_default()));
                view! {
                    <div class="field">
                        <label for="review-overall">"Общий комментарий"</label>
                        <textarea id="review-overall" rows="3" maxlength="5000" prop:value=overall.get_untracked()
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                let v = if text.trim().is_empty() { Value::Null } else { Value::String(text) };
                                write.run(BTreeMap::from([(review::F_OVERALL.to_owned(), v)]));
                            }></textarea>
                    </div>
                    <div class="form-actions">
                        // A test is scored once: there is nothing to revise (its answers never change).
                        {(!template_is_test).then(|| view! {
                            <button type="button" id="review-return" class="button-secondary" on:click=move |_| verdict(Status::Returned)>"Вернуть на доработку"</button>
                        })}
                        <button type="button" id="review-accept" on:click=move |_| verdict(Status::Accepted)>"Принять"</button>
                    </div>
                }
            })}
            {move || decided.get().map(|v| view! {
                <p class="alert alert-info" id="review-decided" role="status">
                    {format!("Решение по версии {}: {}. Школа увидит его после синхронизации.", round.get(), v.label())}
                </p>
            })}
        </section>
    }
}

/// The comments of every round (for one question, or the overall ones), with their verdicts:
/// nothing said in a review is ever hidden.
#[component]
pub fn History(
    reviews: Signal<Vec<Record>>,
    round: Signal<u64>,
    question: Option<String>,
) -> impl IntoView {
    let field = question
        .as_deref()
        .map_or_else(|| review::F_OVERALL.to_owned(), review::comment_field);
    let overall = question.is_none();
    move || {
        let items: Vec<(u64, String, Option<Status>, String)> = reviews.with(|l| {
            l.iter()
                .rev()
                .filter_map(|r| {
                    let n = r.get(review::F_ROUND).and_then(Value::as_u64).unwrap_or(0);
                    let text = r.text(&field);
                    let verdict = review::verdict_of(r);
                    // Overall: every decided round; per question: rounds with a comment.
                    let show = !text.is_empty() || (overall && verdict.is_some());
                    show.then(|| (n, text, verdict, r.text(review::F_REVIEWER)))
                })
                .collect()
        });
        let current = round.get();
        (!items.is_empty()).then(|| {
            view! {
                <ul class=if overall { "review-history overall" } else { "review-history" }>
                    {items.into_iter().map(|(n, text, verdict, who)| {
                        let head = match (overall, verdict) {
                            (true, Some(v)) => format!("Версия {n}: {}", v.label()),
                            _ if n == current => format!("Версия {n}"),
                            _ => format!("Версия {n} (ранее)"),
                        };
                        view! {
                            <li class="review-comment-item">
                                <span class="muted">{head}{(!who.is_empty()).then(|| format!(", {who}"))}": "</span>
                                <span class="comment-text">{text}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// Whether a response is new since `since_ms`: sent after it (by the server's clock) and
/// waiting for a verdict.
pub fn changed_after(r: &Record, since_ms: u64) -> bool {
    forms::status_of(r) == forms::Status::Submitted && forms::review::submitted_at(r) > since_ms
}
