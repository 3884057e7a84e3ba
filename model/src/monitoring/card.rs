//! A school's self-analysis cards compared over the years (003: the dynamics over three
//! years): every table of a card whose columns are school years («2022/23») row by row, or
//! whose rows are school years column by column, with the value of each year taken from the
//! school's cards — a later card's figure for a year replaces an earlier card's, so cards of
//! several years read as one series.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::forms::template::{Cell, Kind};
use crate::forms::{self, Status, Template};
use crate::record::Record;

/// The code of the built-in self-analysis card.
pub const CARD: &str = "self_analysis";

/// The newest version of the card among a school's responses (`None`: no card yet).
pub fn card_version<'a>(responses: impl IntoIterator<Item = &'a Record>) -> Option<u32> {
    responses
        .into_iter()
        .filter_map(forms::template_of)
        .filter(|(code, _)| code == CARD)
        .map(|(_, v)| v)
        .max()
}

/// One row of a card's table over the years.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The question's text.
    pub question: String,
    /// The row's text (a subject).
    pub row: String,
    /// The value of each school year («2022/23»), the years in order.
    pub values: BTreeMap<String, f64>,
    /// Per cent (the column type), for the unit shown.
    pub percent: bool,
}

/// Is a column's title a school year, «2022/23»?
fn is_school_year(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 7 && b[4] == b'/' && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
}

/// The lines of the school's sent `cards` (responses to `t`'s form, any order) that have a
/// value in at least one year.
pub fn over_years(t: &Template, cards: &[&Record]) -> Vec<Line> {
    let mut sent: Vec<&&Record> = cards
        .iter()
        .filter(|r| {
            forms::template_of(r).is_some_and(|(code, _)| code == t.code)
                && matches!(forms::status_of(r), Status::Submitted | Status::Accepted)
        })
        .collect();
    sent.sort_by_key(|r| super::quarters::sent_at(r));
    let answers: Vec<_> = sent.iter().map(|r| forms::answers_of(r)).collect();
    let mut out = Vec::new();
    for q in t.questions() {
        let Kind::Table { rows, columns } = &q.kind else {
            continue;
        };
        // School years as rows: each figure column is a line over the years.
        if rows.iter().any(|r| r.years.is_some()) {
            for c in columns {
                let mut values = BTreeMap::new();
                for a in &answers {
                    let Some(table) = a.get(&q.id).and_then(Value::as_object) else {
                        continue;
                    };
                    for (row, cells) in table {
                        let v = cells.get(&c.id).and_then(Value::as_f64);
                        if let (Some(label), Some(v)) = (year_of_id(row), v) {
                            values.insert(label, v);
                        }
                    }
                }
                if !values.is_empty() {
                    out.push(Line {
                        question: q.text.clone(),
                        row: c.text.clone(),
                        values,
                        percent: matches!(c.cell, Cell::Percent),
                    });
                }
            }
            continue;
        }
        // Years fixed in the card («2022/23»), or school years the campaign fixes (`years`).
        if !columns
            .iter()
            .all(|c| c.years.is_some() || is_school_year(&c.text))
        {
            continue;
        }
        let any_year = columns.iter().any(|c| c.years.is_some());
        let percent = columns.iter().all(|c| matches!(c.cell, Cell::Percent));
        for row in rows {
            let mut values = BTreeMap::new();
            for a in &answers {
                let Some(cells) = a
                    .get(&q.id)
                    .and_then(|t| t.get(&row.id))
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                for (id, v) in cells {
                    // A fixed column's title is its year («2022/23»); a campaign's year has it
                    // in its id (`y2023`).
                    let fixed = columns.iter().find(|c| &c.id == id && c.years.is_none());
                    let label = match fixed {
                        Some(c) => Some(c.text.clone()),
                        None if any_year => year_of_id(id),
                        None => None,
                    };
                    if let (Some(label), Some(v)) = (label, v.as_f64()) {
                        values.insert(label, v);
                    }
                }
            }
            if !values.is_empty() {
                out.push(Line {
                    question: q.text.clone(),
                    row: row.text.clone(),
                    values,
                    percent,
                });
            }
        }
    }
    out
}

/// The school year of a year cell's id: `y2024` → «2023/24».
fn year_of_id(id: &str) -> Option<String> {
    let end: i32 = id
        .strip_prefix('y')
        .filter(|y| y.len() == 4)?
        .parse()
        .ok()?;
    Some(forms::answer::school_year_label(end - 1).0)
}

/// Every school year the lines hold, in order.
pub fn years(lines: &[Line]) -> Vec<String> {
    let mut all: Vec<String> = lines
        .iter()
        .flat_map(|l| l.values.keys().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_years_are_recognised() {
        assert!(is_school_year("2022/23"));
        assert!(!is_school_year("2022"));
        assert!(!is_school_year("Русский"));
        assert_eq!(year_of_id("y2024").as_deref(), Some("2023/24"));
        assert_eq!(year_of_id("y2000").as_deref(), Some("1999/00"));
        assert_eq!(year_of_id("rus"), None);
    }

    #[test]
    fn school_years_as_rows_read_column_by_column() {
        use crate::record::{Record, Scope, Write};
        let (t, _) = Template::parse(
            &serde_json::json!({
                "code": "card", "version": 1, "title": "Карта", "respondent": "school",
                "audience": ["school_team"],
                "sections": [{"id": "s", "title": "Раздел", "questions": [
                    {"id": "oge_math", "text": "ОГЭ по математике", "type": "table",
                     "rows": [{"id": "years", "text": "учебный год", "years": 3}],
                     "columns": [
                        {"id": "n", "text": "Участников", "type": "number", "min": 0, "max": 500},
                        {"id": "fail", "text": "Не преодолели порог", "type": "percent"}]}
                ]}]
            })
            .to_string(),
        )
        .unwrap();
        let mut card = Record::new(
            uuid::Uuid::from_u128(1),
            forms::RESPONSE_KIND,
            Scope::School(uuid::Uuid::from_u128(2)),
            None,
        );
        let hlc = crate::hlc::Hlc {
            wall_ms: 5,
            counter: 0,
            device: crate::hlc::DeviceId::from_random([3; 8]),
        };
        for (name, value) in [
            (forms::F_TEMPLATE.to_owned(), serde_json::json!("card")),
            (forms::F_VERSION.to_owned(), serde_json::json!(1)),
            (forms::F_STATUS.to_owned(), serde_json::json!("submitted")),
            (
                forms::cell_field("oge_math", "y2025", "n"),
                serde_json::json!(12),
            ),
            (
                forms::cell_field("oge_math", "y2026", "n"),
                serde_json::json!(9),
            ),
            (
                forms::cell_field("oge_math", "y2026", "fail"),
                serde_json::json!(11.1),
            ),
        ] {
            card.apply(
                &name,
                Write {
                    hlc: hlc.clone(),
                    value,
                },
            );
        }
        let lines = over_years(&t, &[&card]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].row, "Участников");
        assert_eq!(
            lines[0]
                .values
                .iter()
                .map(|(y, v)| (y.as_str(), *v))
                .collect::<Vec<_>>(),
            [("2024/25", 12.0), ("2025/26", 9.0)]
        );
        assert!(lines[1].percent && lines[1].values["2025/26"] == 11.1);
    }
}
