//! Answers and their rules: what value each kind of question takes, which questions are shown,
//! what is required, what is computed, and how much is filled. [`validate`] is the one check of
//! a whole response, run by the filler as the user types and by the server on submit.

use std::collections::BTreeMap;

use serde_json::Value;

use super::template::{Cell, Condition, Formula, FormulaOp, Kind, NumberRule, Question, Template};

/// Answers by question id (a group's answer is a list of items, each answers by inner id).
pub type Answers = BTreeMap<String, Value>;

/// One thing wrong with a response: the question (`id`, or `group[2].inner`) and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub question: String,
    pub message: String,
    /// Something is not answered yet (as opposed to an answer that breaks a rule).
    pub missing: bool,
}

/// Nothing answered: null, blank text, an empty list or table.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

/// Does `value` fit a question of `kind`? `null` (no answer) always fits. The message names the
/// rule in plain Russian, without the question (callers add it).
pub fn check_kind(kind: &Kind, value: &Value) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    match kind {
        Kind::Single { options } => {
            let id = value.as_str().ok_or("выберите один вариант")?;
            if options.iter().any(|o| o.id == id) {
                Ok(())
            } else {
                Err(format!("варианта «{id}» нет в списке"))
            }
        }
        Kind::Multiple {
            options,
            max_choices,
        } => {
            let list = value.as_array().ok_or("ожидается список вариантов")?;
            let mut seen = Vec::new();
            for v in list {
                let id = v.as_str().ok_or("ожидается список вариантов")?;
                if !options.iter().any(|o| o.id == id) {
                    return Err(format!("варианта «{id}» нет в списке"));
                }
                if seen.contains(&id) {
                    return Err(format!("вариант «{id}» выбран дважды"));
                }
                seen.push(id);
            }
            match max_choices {
                Some(m) if list.len() > *m as usize => Err(format!(
                    "не больше {}",
                    count_ru(*m, "варианта", "вариантов", "вариантов")
                )),
                _ => Ok(()),
            }
        }
        Kind::Scale { min, max, .. } => match value.as_i64() {
            Some(n) if (*min..=*max).contains(&n) => Ok(()),
            _ => Err(format!("оценка — целое число от {min} до {max}")),
        },
        Kind::Number(rule) => check_number(rule, value),
        Kind::Percent => check_percent(value),
        Kind::Text { max_len } | Kind::LongText { max_len } => check_text(*max_len, value),
        Kind::Date => {
            let s = value.as_str().ok_or("дата в виде ГГГГ-ММ-ДД")?;
            if s.is_empty() || is_date(s) {
                Ok(())
            } else {
                Err("дата в виде ГГГГ-ММ-ДД, существующая в календаре".into())
            }
        }
        Kind::YesNo => {
            if value.is_boolean() {
                Ok(())
            } else {
                Err("ответ «да» или «нет»".into())
            }
        }
        Kind::Table { rows, columns } => {
            let table = value.as_object().ok_or("ожидается таблица")?;
            for (row_id, row) in table {
                let Some(r) = rows.iter().find(|r| &r.id == row_id) else {
                    return Err(format!("строки «{row_id}» нет в таблице"));
                };
                let cells = row.as_object().ok_or("ожидается строка таблицы")?;
                for (col_id, cell) in cells {
                    let Some(c) = columns.iter().find(|c| &c.id == col_id) else {
                        return Err(format!("столбца «{col_id}» нет в таблице"));
                    };
                    check_cell(&c.cell, cell).map_err(|rule| {
                        format!("строка «{}», столбец «{}»: {rule}", r.text, c.text)
                    })?;
                }
            }
            Ok(())
        }
        Kind::Group {
            questions,
            max_items,
            ..
        } => {
            let items = value.as_array().ok_or("ожидается список")?;
            if items.len() > *max_items as usize {
                return Err(format!(
                    "не больше {}",
                    count_ru(*max_items, "записи", "записей", "записей")
                ));
            }
            for (i, item) in items.iter().enumerate() {
                check_item(questions, item).map_err(|rule| format!("запись {}{rule}", i + 1))?;
            }
            Ok(())
        }
        Kind::Computed(_) => Err("значение вычисляется автоматически и не вводится".into()),
    }
}

pub fn check_cell(cell: &Cell, value: &Value) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    match cell {
        Cell::Number(rule) => check_number(rule, value),
        Cell::Percent => check_percent(value),
        Cell::Text { max_len } => check_text(*max_len, value),
        Cell::Single { options } => match value.as_str() {
            Some(id) if options.iter().any(|o| o.id == id) => Ok(()),
            _ => Err("выберите вариант из списка".into()),
        },
        Cell::YesNo => {
            if value.is_boolean() {
                Ok(())
            } else {
                Err("ответ «да» или «нет»".into())
            }
        }
    }
}

fn check_number(rule: &NumberRule, value: &Value) -> Result<(), String> {
    let n = value.as_f64().ok_or("ожидается число")?;
    if rule.integer && n.fract() != 0.0 {
        return Err("ожидается целое число".into());
    }
    let unit = if rule.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", rule.unit)
    };
    match (rule.min, rule.max) {
        (Some(min), Some(max)) if !(min..=max).contains(&n) => Err(format!(
            "число от {} до {}{unit}",
            fmt_num(min),
            fmt_num(max)
        )),
        (Some(min), None) if n < min => Err(format!("не меньше {}{unit}", fmt_num(min))),
        (None, Some(max)) if n > max => Err(format!("не больше {}{unit}", fmt_num(max))),
        _ => Ok(()),
    }
}

fn check_percent(value: &Value) -> Result<(), String> {
    match value.as_f64() {
        Some(n) if (0.0..=100.0).contains(&n) => Ok(()),
        _ => Err("процент — число от 0 до 100".into()),
    }
}

fn check_text(max_len: u32, value: &Value) -> Result<(), String> {
    let s = value.as_str().ok_or("ожидается текст")?;
    if s.chars().count() > max_len as usize {
        Err(format!("не более {max_len} символов"))
    } else {
        Ok(())
    }
}

/// Checks one item of a group whose questions are `questions`; the rule broken starts with
/// what follows the item's name (": …" or ", «question»: …").
pub fn check_item(questions: &[Question], item: &Value) -> Result<(), String> {
    let item = item.as_object().ok_or(": ожидается запись")?;
    for (id, v) in item {
        let Some(q) = questions.iter().find(|q| &q.id == id) else {
            return Err(format!(": нет вопроса «{id}»"));
        };
        check_kind(&q.kind, v).map_err(|rule| format!(", «{}»: {rule}", q.text))?;
    }
    Ok(())
}

/// "2 варианта", "5 вариантов", "21 варианта": the number with the word in the genitive after
/// "не больше" (`one` for 1, 21, 31…, `few` for 2–4, `many` otherwise).
pub fn count_ru(n: u32, one: &str, few: &str, many: &str) -> String {
    let word = match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    };
    format!("{n} {word}")
}

/// `YYYY-MM-DD`, a day that exists.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&y) && (1..=days).contains(&d)
}

/// A date as people type it — «05.03.2026», «5.3.2026», «05/03/2026», «05032026» — or as
/// stored («2026-03-05»), as `YYYY-MM-DD`; `None` when it is not a day that exists (or not
/// within 1900–2100).
pub fn parse_ru_date(text: &str) -> Option<String> {
    let t = text.trim();
    if is_date(t) {
        return Some(t.to_owned());
    }
    let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        vec![&t[0..2], &t[2..4], &t[4..8]]
    } else {
        t.split(['.', '/', '-', ' '])
            .filter(|p| !p.is_empty())
            .collect()
    };
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let (d, m, y): (u32, u32, u32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    if y < 1000 {
        return None;
    }
    let iso = format!("{y:04}-{m:02}-{d:02}");
    is_date(&iso).then_some(iso)
}

/// "31.01.2027" for "2027-01-31"; anything else as it is.
pub fn ru_date(iso: &str) -> String {
    if is_date(iso) {
        format!("{}.{}.{}", &iso[8..10], &iso[5..7], &iso[0..4])
    } else {
        iso.to_owned()
    }
}

/// The school year a day (`YYYY-MM-DD`) is in: it begins in September.
pub fn school_year_of(day: &str) -> i32 {
    let year: i32 = day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let month: u32 = day.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(9);
    if month >= 9 { year } else { year - 1 }
}

/// The label and the id of the school year that starts in `start`: («2023/24», `y2024`).
pub fn school_year_label(start: i32) -> (String, String) {
    (
        format!("{start}/{:02}", (start + 1).rem_euclid(100)),
        format!("y{}", start + 1),
    )
}

/// The day (`YYYY-MM-DD`) of a Unix time in milliseconds, in Moscow time (UTC+3, the time of
/// the region's schools): the date the server stamps on what people do.
pub fn iso_day(ms: u64) -> String {
    let days = ((ms + 3 * 3_600_000) / 86_400_000) as i64;
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A number as people write it in Russian: no needless zeros, a decimal comma.
pub fn fmt_num(n: f64) -> String {
    let s = format!("{n}");
    s.replace('.', ",")
}

/// Is a top-level question shown, given the answers so far? (A question shown only after a
/// hidden one is hidden too.)
pub fn visible(t: &Template, q: &Question, answers: &Answers) -> bool {
    let Some(c) = &q.show_if else {
        return true;
    };
    if let Some(target) = t.question(&c.question)
        && !visible(t, target, answers)
    {
        return false;
    }
    matches_condition(c, answers.get(&c.question).unwrap_or(&Value::Null))
}

/// Is a question of a group item shown? Its condition reads the item first, then the
/// top-level answers.
pub fn visible_in_item(q: &Question, answers: &Answers, item: &Answers) -> bool {
    let Some(c) = &q.show_if else {
        return true;
    };
    let value = item.get(&c.question).or_else(|| answers.get(&c.question));
    matches_condition(c, value.unwrap_or(&Value::Null))
}

fn matches_condition(c: &Condition, value: &Value) -> bool {
    if is_empty(value) {
        return false;
    }
    let wanted: Vec<&Value> = c.equals.iter().chain(c.any_of.iter()).collect();
    if wanted.is_empty() {
        return true;
    }
    let hit = |w: &Value| match value {
        Value::Array(list) => list.contains(w),
        v => v == w,
    };
    wanted.into_iter().any(hit)
}

/// The value of a computed question, if every input is there (and a ratio's divisor is not 0).
pub fn compute(f: &Formula, answers: &Answers) -> Option<f64> {
    let nums = || -> Option<Vec<f64>> {
        f.of.iter()
            .map(|id| answers.get(id).and_then(Value::as_f64))
            .collect()
    };
    let raw = match f.op {
        FormulaOp::Ratio => {
            let nums = nums()?;
            if nums[1] == 0.0 {
                return None;
            }
            nums[0] / nums[1] * f.factor
        }
        FormulaOp::Sum => nums()?.iter().sum::<f64>() * f.factor,
        // A group with no items yet counts 0 (a school with no partners has none to list).
        FormulaOp::Count => {
            let items = answers.get(f.of.first()?).and_then(Value::as_array);
            items.map_or(0, Vec::len) as f64 * f.factor
        }
    };
    let p = 10f64.powi(i32::from(f.digits));
    Some((raw * p).round() / p)
}

/// The whole check of a response: every answer fits its question, every shown required
/// question is answered, no answer to a question that does not exist.
pub fn validate(t: &Template, answers: &Answers) -> Vec<Problem> {
    let mut problems = Vec::new();
    for id in answers.keys() {
        if t.question(id).is_none() {
            problems.push(Problem {
                question: id.clone(),
                message: format!("В форме нет вопроса «{id}»."),
                missing: false,
            });
        }
    }
    for q in t.questions() {
        let value = answers.get(&q.id).unwrap_or(&Value::Null);
        if let Err(rule) = check_kind(&q.kind, value) {
            problems.push(problem(&q.id, q, rule, false));
            continue;
        }
        if !visible(t, q, answers) {
            continue;
        }
        check_required(q, &q.id, value, answers, &mut problems);
    }
    problems
}

fn check_required(
    q: &Question,
    path: &str,
    value: &Value,
    answers: &Answers,
    problems: &mut Vec<Problem>,
) {
    match &q.kind {
        Kind::Group {
            questions,
            min_items,
            ..
        } => {
            let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
            let need = (*min_items).max(u32::from(q.required)) as usize;
            if items.len() < need {
                problems.push(problem(
                    path,
                    q,
                    if need == 1 {
                        "нужна хотя бы одна запись".to_owned()
                    } else {
                        format!("нужно не меньше {need} записей")
                    },
                    true,
                ));
            }
            for (i, item) in items.iter().enumerate() {
                let item: Answers = item
                    .as_object()
                    .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                for iq in questions {
                    if !visible_in_item(iq, answers, &item) {
                        continue;
                    }
                    let v = item.get(&iq.id).unwrap_or(&Value::Null);
                    let p = format!("{path}[{i}].{}", iq.id);
                    check_required(iq, &p, v, answers, problems);
                }
            }
        }
        Kind::Table { rows, columns } if q.required => {
            let filled = rows.iter().all(|r| {
                columns.iter().all(|c| {
                    value
                        .get(&r.id)
                        .and_then(|row| row.get(&c.id))
                        .is_some_and(|v| !is_empty(v))
                })
            });
            if !filled {
                problems.push(problem(
                    path,
                    q,
                    "заполните все ячейки таблицы".into(),
                    true,
                ));
            }
        }
        Kind::Computed(_) => {}
        _ if q.consent && value != &Value::Bool(true) => {
            problems.push(problem(
                path,
                q,
                "обязательный вопрос: без согласия анкету отправить нельзя".into(),
                true,
            ));
        }
        _ if q.required && is_empty(value) => {
            problems.push(problem(path, q, "обязательный вопрос".into(), true));
        }
        _ => {}
    }
}

fn problem(path: &str, q: &Question, rule: String, missing: bool) -> Problem {
    Problem {
        question: path.to_owned(),
        message: format!("«{}»: {rule}.", q.text),
        missing,
    }
}

/// How much of the form is filled: (answered, shown), counting shown top-level questions that
/// take an answer.
pub fn progress(t: &Template, answers: &Answers) -> (usize, usize) {
    let mut done = 0;
    let mut total = 0;
    for q in t.questions() {
        if matches!(q.kind, Kind::Computed(_)) || !visible(t, q, answers) {
            continue;
        }
        total += 1;
        if answers.get(&q.id).is_some_and(|v| !is_empty(v)) {
            done += 1;
        }
    }
    (done, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_people_type_them() {
        for (typed, iso) in [
            ("05.03.2026", Some("2026-03-05")),
            (" 5.3.2026 ", Some("2026-03-05")),
            ("05/03/2026", Some("2026-03-05")),
            ("05032026", Some("2026-03-05")),
            ("2026-03-05", Some("2026-03-05")),
            ("29.02.2024", Some("2024-02-29")),
            ("29.02.2026", None),
            ("31.04.2026", None),
            ("05.03.26", None),
            ("05.13.2026", None),
            ("завтра", None),
            ("", None),
        ] {
            assert_eq!(parse_ru_date(typed).as_deref(), iso, "{typed:?}");
        }
        assert_eq!(ru_date(&parse_ru_date("5.3.2026").unwrap()), "05.03.2026");
    }
}
