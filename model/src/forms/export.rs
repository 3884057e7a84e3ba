//! A response as a row of a table: one column per question (a table question gives one column
//! per cell), each answer as a number or a text people read (option texts, «да»/«нет»).
//! Used by the XLSX exports.

use serde_json::Value;

use super::answer::{self, Answers, fmt_num};
use super::template::{Cell, Choice, Kind, Question, Template};

/// One column of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    question: String,
    cell: Option<(String, String)>,
}

/// A value for a spreadsheet cell.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Number(f64),
    Text(String),
}

/// The columns of a template, in its order (a section's title is not repeated).
pub fn columns(t: &Template) -> Vec<Column> {
    let mut out = Vec::new();
    for q in t.questions() {
        match &q.kind {
            Kind::Table { rows, columns } => {
                for r in rows {
                    for c in columns {
                        out.push(Column {
                            header: format!("{} — {} — {}", q.text, r.text, c.text),
                            question: q.id.clone(),
                            cell: Some((r.id.clone(), c.id.clone())),
                        });
                    }
                }
            }
            _ => out.push(Column {
                header: q.text.clone(),
                question: q.id.clone(),
                cell: None,
            }),
        }
    }
    out
}

/// The value of one column for a response's answers.
pub fn value(t: &Template, column: &Column, answers: &Answers) -> CellValue {
    let Some(q) = t.question(&column.question) else {
        return CellValue::Empty;
    };
    if let (Kind::Table { columns, .. }, Some((r, c))) = (&q.kind, &column.cell) {
        let v = answers
            .get(&q.id)
            .and_then(|t| t.get(r))
            .and_then(|row| row.get(c))
            .cloned()
            .unwrap_or(Value::Null);
        let cell = columns.iter().find(|x| &x.id == c).map(|x| &x.cell);
        return match (cell, &v) {
            (_, Value::Null) => CellValue::Empty,
            (_, Value::Number(n)) => n.as_f64().map_or(CellValue::Empty, CellValue::Number),
            (Some(Cell::Single { options }), Value::String(s)) => {
                CellValue::Text(option(options, s))
            }
            (_, Value::Bool(b)) => CellValue::Text(yes_no(*b)),
            (_, other) => CellValue::Text(plain(other)),
        };
    }
    if let Kind::Computed(f) = &q.kind {
        return answer::compute(f, answers).map_or(CellValue::Empty, CellValue::Number);
    }
    let v = answers.get(&q.id).cloned().unwrap_or(Value::Null);
    if answer::is_empty(&v) {
        return CellValue::Empty;
    }
    match (&q.kind, &v) {
        (Kind::Number(_) | Kind::Percent | Kind::Scale { .. }, Value::Number(n)) => {
            n.as_f64().map_or(CellValue::Empty, CellValue::Number)
        }
        _ => CellValue::Text(text(q, &v)),
    }
}

/// An answer as people read it.
pub fn text(q: &Question, v: &Value) -> String {
    match (&q.kind, v) {
        (Kind::Single { options }, Value::String(s)) => option(options, s),
        (Kind::Multiple { options, .. }, Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|s| option(options, s))
            .collect::<Vec<_>>()
            .join("; "),
        (Kind::YesNo, Value::Bool(b)) => yes_no(*b),
        (Kind::Group { questions, .. }, Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let parts: Vec<String> = questions
                    .iter()
                    .filter_map(|iq| {
                        let v = item.get(&iq.id)?;
                        (!answer::is_empty(v)).then(|| format!("{}: {}", iq.text, text(iq, v)))
                    })
                    .collect();
                format!("{}) {}", i + 1, parts.join("; "))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        (_, other) => plain(other),
    }
}

fn option(options: &[Choice], id: &str) -> String {
    options
        .iter()
        .find(|o| o.id == id)
        .map_or_else(|| id.to_owned(), |o| o.text.clone())
}

fn yes_no(b: bool) -> String {
    if b { "да" } else { "нет" }.to_owned()
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), fmt_num),
        Value::Bool(b) => yes_no(*b),
        other => other.to_string(),
    }
}
