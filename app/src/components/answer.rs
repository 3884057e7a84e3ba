//! An answer of a form as text (tables as tables): the print view of a response and the
//! mentor's review show answers so.

use leptos::prelude::*;
use model::forms::Template;
use model::forms::answer::{self, Answers, fmt_num};
use model::forms::template::{Cell, Kind, Question};
use serde_json::Value;

use crate::format;

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
