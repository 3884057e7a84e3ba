//! Scoring of a test, on the server only (the key never leaves it): a point for each question
//! with one right option answered right; for a question with several right options, the share
//! of them chosen less the share of wrong ones chosen (partial credit, never below 0); a share of
//! points per competency area, and the level of each area by the template's thresholds
//! ([`rule`] says it in words). The items not fully right are listed for the debrief.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use std::collections::{BTreeMap, BTreeSet};

use super::answer::Answers;
use super::template::{Key, Question, Template, TestSpec};

/// The level of one competency area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Deficit,
    Partial,
    NoDeficit,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Deficit => "дефицит",
            Level::Partial => "частичный дефицит",
            Level::NoDeficit => "дефицита нет",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaScore {
    pub area: String,
    pub title: String,
    /// Points scored: whole or, with partial credit, fractional.
    pub points: f64,
    pub max: u32,
    /// Share of points, whole percent (rounded down).
    pub percent: u32,
    pub level: Level,
}

/// The credit of one item, 0 to 1: a single-choice item all or nothing; a multiple-choice one
/// (right chosen − wrong chosen) / right, not below 0.
pub fn credit(correct: &BTreeSet<String>, given: &[&str]) -> f64 {
    if correct.is_empty() {
        return 0.0;
    }
    let right = given.iter().filter(|g| correct.contains(**g)).count() as f64;
    let wrong = given.len() as f64 - right;
    if correct.len() == 1 {
        return if right == 1.0 && wrong == 0.0 {
            1.0
        } else {
            0.0
        };
    }
    ((right - wrong) / correct.len() as f64).max(0.0)
}

fn given(answers: &Answers, id: &str) -> Vec<String> {
    match answers.get(id) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The credit of every scored item answered, by question id.
fn credits<'t>(t: &'t Template, key: &Key, answers: &Answers) -> Vec<(&'t Question, f64)> {
    t.questions()
        .filter(|q| q.area.is_some())
        .filter_map(|q| {
            let correct = key.0.get(&q.id)?;
            let given = given(answers, &q.id);
            let given: Vec<&str> = given.iter().map(String::as_str).collect();
            Some((q, credit(correct, &given)))
        })
        .collect()
}

/// Scores answers; `None` if the template is not a test.
pub fn score(t: &Template, key: &Key, answers: &Answers) -> Option<Vec<AreaScore>> {
    let test = t.test.as_ref()?;
    let credits = credits(t, key, answers);
    let mut out = Vec::new();
    for area in &test.areas {
        let mut points = 0.0;
        let mut max: u32 = 0;
        for (_, c) in credits
            .iter()
            .filter(|(q, _)| q.area.as_ref() == Some(&area.id))
        {
            max += 1;
            points += c;
        }
        // Rounded to hundredths, so 1/3 + 2/3 is a whole point.
        let points = (points * 100.0).round() / 100.0;
        let percent = if max == 0 {
            0
        } else {
            (points * 100.0 / f64::from(max) + 1e-9).floor() as u32
        };
        let level = if percent < u32::from(test.deficit_below) {
            Level::Deficit
        } else if percent < u32::from(test.partial_below) {
            Level::Partial
        } else {
            Level::NoDeficit
        };
        out.push(AreaScore {
            area: area.id.clone(),
            title: area.title.clone(),
            points,
            max,
            percent,
            level,
        });
    }
    Some(out)
}

/// The items not fully right (ids, in the template's order): the mentor's debrief names them
/// with their norms, never their right options.
pub fn missed(t: &Template, key: &Key, answers: &Answers) -> Vec<String> {
    credits(t, key, answers)
        .into_iter()
        .filter(|(_, c)| *c < 1.0)
        .map(|(q, _)| q.id.clone())
        .collect()
}

/// The rule of the levels, in words, for the result pages.
pub fn rule(test: &TestSpec) -> String {
    format!(
        "Балл области — доля набранных баллов. Вопрос с одним верным ответом даёт 1 балл за верный \
         ответ; вопрос с несколькими верными ответами — долю выбранных верных вариантов за вычетом \
         доли выбранных неверных (не меньше 0). Меньше {d} % — дефицит, от {d} % и меньше {p} % — \
         частичный дефицит, {p} % и больше — дефицита нет.",
        d = test.deficit_below,
        p = test.partial_below
    )
}

/// How the people of one position did in one area: how many were tested, how many show a
/// deficit, and the mean share of points.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub tested: usize,
    pub deficits: usize,
    percent_sum: u64,
}

impl Tally {
    /// The mean share of points, whole percent.
    pub fn mean_percent(&self) -> u32 {
        (self.percent_sum / self.tested.max(1) as u64) as u32
    }
}

/// The results of a test per area and position (the answer to the template's position
/// question; `""` where none was given), for the per-position report.
pub fn by_position<'a>(
    results: impl IntoIterator<Item = (&'a str, &'a [AreaScore])>,
) -> BTreeMap<(String, String), Tally> {
    let mut out: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for (position, areas) in results {
        for a in areas {
            let t = out
                .entry((a.area.clone(), position.to_owned()))
                .or_default();
            t.tested += 1;
            t.percent_sum += u64::from(a.percent);
            if a.level == Level::Deficit {
                t.deficits += 1;
            }
        }
    }
    out
}
