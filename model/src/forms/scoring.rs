//! Scoring of a test, on the server only (the key never leaves it): a point for each question
//! answered exactly right, a share of points per competency area, and the level of each area.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::answer::Answers;
use super::template::{Key, Template};

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
    pub points: u32,
    pub max: u32,
    /// Share of points, whole percent (rounded down).
    pub percent: u32,
    pub level: Level,
}

/// Scores answers; `None` if the template is not a test.
pub fn score(t: &Template, key: &Key, answers: &Answers) -> Option<Vec<AreaScore>> {
    let test = t.test.as_ref()?;
    let mut out = Vec::new();
    for area in &test.areas {
        let mut points: u32 = 0;
        let mut max: u32 = 0;
        for q in t.questions().filter(|q| q.area.as_ref() == Some(&area.id)) {
            let Some(correct) = key.0.get(&q.id) else {
                continue;
            };
            max += 1;
            let given: Vec<&str> = match answers.get(&q.id) {
                Some(Value::String(s)) => vec![s.as_str()],
                Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let exact = given.len() == correct.len() && given.iter().all(|g| correct.contains(*g));
            if exact {
                points += 1;
            }
        }
        let percent = (points * 100).checked_div(max).unwrap_or(0);
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
