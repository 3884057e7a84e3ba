//! `/forms/:id/print`: the response as a plain document, every question with its answer, for
//! printing or saving as PDF from the browser.

use leptos::prelude::*;
use model::forms::answer::{self, Answers, fmt_num};
use model::forms::template::{Cell, Kind, Question};
use model::forms::{self, Template};
use serde_json::Value;

use super::{load_template, response_target, use_campaign};
use crate::format;
use crate::session::use_session;
use crate::store;

#[component]
pub fn PrintPage() -> impl IntoView {
    super::super::set_title("Печать формы");
    let (_, campaign) = use_campaign();
    let session = use_session();
    // An anonymous form's answers live under an id only this computer knows (from the server).
    let anonymous = RwSignal::new(None::<uuid::Uuid>);
    let asked = StoredValue::new(false);
    let page = move || {
        let c = campaign.get()?;
        let template = load_template(c.template.clone(), c.version);
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
                        if let Some(found) = super::local_anonymous(campaign).await {
                            anonymous.set(Some(found.id));
                        }
                    });
                }
                anonymous.get()?
            } else {
                response_target(&t, c.id)?.id
            };
            let record = store::watch_record(id);
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

/// An answer as text (tables as tables).
pub fn render(t: &Template, q: &Question, a: &Answers) -> AnyView {
    let v = a.get(&q.id).cloned().unwrap_or(Value::Null);
    match &q.kind {
        Kind::Table { rows, columns } => view! {
            <table class="answer-table">
                <thead><tr><th></th>{columns.iter().map(|c| view! { <th scope="col">{c.text.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.iter().map(|r| view! {
                        <tr>
                            <th scope="row">{r.text.clone()}</th>
                            {columns.iter().map(|c| {
                                let cell = v.get(&r.id).and_then(|row| row.get(&c.id)).cloned().unwrap_or(Value::Null);
                                let text = match (&c.cell, &cell) {
                                    (_, Value::Null) => "—".to_owned(),
                                    (Cell::Single { options }, Value::String(s)) => options.iter().find(|o| &o.id == s).map_or(s.clone(), |o| o.text.clone()),
                                    (Cell::YesNo, Value::Bool(b)) => if *b { "да" } else { "нет" }.to_owned(),
                                    (_, other) => plain(other),
                                };
                                view! { <td>{text}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
        Kind::Group { questions, .. } => {
            let items = v.as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                return "—".into_any();
            }
            view! {
                <ol>
                    {items.into_iter().map(|item| {
                        let inner: Answers = item.as_object().map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
                        let parts: Vec<String> = questions.iter().filter_map(|iq| {
                            let v = inner.get(&iq.id)?;
                            Some(format!("{}: {}", iq.text, text_of(&iq.kind, v)))
                        }).collect();
                        view! { <li>{parts.join("; ")}</li> }
                    }).collect_view()}
                </ol>
            }
            .into_any()
        }
        Kind::Computed(f) => answer::compute(f, a)
            .map_or_else(|| "—".to_owned(), fmt_num)
            .into_any(),
        kind => {
            let _ = t;
            text_of(kind, &v).into_any()
        }
    }
}

fn text_of(kind: &Kind, v: &Value) -> String {
    if answer::is_empty(v) {
        return "—".to_owned();
    }
    let option = |id: &str, options: &[model::forms::template::Choice]| {
        options
            .iter()
            .find(|o| o.id == id)
            .map_or(id.to_owned(), |o| o.text.clone())
    };
    match (kind, v) {
        (Kind::Single { options }, Value::String(s)) => option(s, options),
        (Kind::Multiple { options, .. }, Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|s| option(s, options))
            .collect::<Vec<_>>()
            .join("; "),
        (Kind::YesNo, Value::Bool(b)) => if *b { "да" } else { "нет" }.to_owned(),
        (Kind::Number(rule), other) if !rule.unit.is_empty() => {
            format!("{} {}", plain(other), rule.unit)
        }
        (Kind::Percent, other) => format!("{} %", plain(other)),
        (Kind::Date, Value::String(s)) => format::date(s),
        (_, other) => plain(other),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), fmt_num),
        Value::Bool(b) => if *b { "да" } else { "нет" }.to_owned(),
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}
