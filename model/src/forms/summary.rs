//! The results of a form in aggregate: how many chose each option, the mean of scales and
//! numbers, the written answers without their respondents. This is the only way the answers to
//! an anonymous form are shown, and only when at least
//! [`crate::kinds::anonymous_response::MIN_ANSWERS`] people answered.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::answer::{Answers, is_empty};
use super::template::{Kind, Template};

/// A label and which answers count for it.
type Counter = (String, Box<dyn Fn(&Value) -> bool>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How many responses were summed up.
    pub answered: usize,
    pub questions: Vec<QuestionSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSummary {
    pub id: String,
    pub text: String,
    /// How many gave an answer to it.
    pub answered: usize,
    pub detail: Detail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Detail {
    /// How many chose each option (or each value of a scale, or «да»/«нет»), in order.
    Counts {
        counts: Vec<(String, usize)>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mean: Option<f64>,
    },
    /// The mean, least and greatest of numbers.
    Numbers { mean: f64, min: f64, max: f64 },
    /// Written answers, sorted alphabetically so their order says nothing about who wrote them.
    Texts { texts: Vec<String> },
    /// Not summed up (tables, groups, dates).
    None,
}

/// What is said in place of the result of a question that `answered` people answered, fewer
/// than `min` but some (see [`summarize`]).
pub fn withheld(answered: usize, min: usize) -> Option<String> {
    (answered > 0 && answered < min).then(|| {
        format!(
            "Ответили меньше {min} человек: итог не показывается, чтобы ответ нельзя было узнать."
        )
    })
}

/// Sums up the answers of submitted responses; `None` when fewer than `min` people answered.
/// A question fewer than `min` of them answered (an optional one, or one shown only after
/// some answer) is not summed up either ([`Detail::None`]): one person's «да» would be theirs
/// to read.
pub fn summarize(t: &Template, responses: &[Answers], min: usize) -> Option<Summary> {
    if responses.len() < min {
        return None;
    }
    let questions = t
        .questions()
        .map(|q| {
            let given: Vec<&Value> = responses
                .iter()
                .filter_map(|a| a.get(&q.id))
                .filter(|v| !is_empty(v))
                .collect();
            let count = |labels: Vec<Counter>| {
                labels
                    .into_iter()
                    .map(|(label, hit)| {
                        let n = given.iter().filter(|v| hit(v)).count();
                        (label, n)
                    })
                    .collect::<Vec<_>>()
            };
            let numbers: Vec<f64> = given.iter().filter_map(|v| v.as_f64()).collect();
            let mean =
                (!numbers.is_empty()).then(|| numbers.iter().sum::<f64>() / numbers.len() as f64);
            let detail = match &q.kind {
                _ if given.len() < min => Detail::None,
                Kind::Single { options } | Kind::Multiple { options, .. } => Detail::Counts {
                    counts: count(
                        options
                            .iter()
                            .map(|o| {
                                let id = o.id.clone();
                                let hit: Box<dyn Fn(&Value) -> bool> =
                                    Box::new(move |v: &Value| match v {
                                        Value::String(s) => *s == id,
                                        Value::Array(l) => l.iter().any(|x| x == id.as_str()),
                                        _ => false,
                                    });
                                (o.text.clone(), hit)
                            })
                            .collect(),
                    ),
                    mean: None,
                },
                Kind::Scale { min, max, .. } => Detail::Counts {
                    counts: count(
                        (*min..=*max)
                            .map(|n| {
                                let hit: Box<dyn Fn(&Value) -> bool> =
                                    Box::new(move |v: &Value| v.as_i64() == Some(n));
                                (n.to_string(), hit)
                            })
                            .collect(),
                    ),
                    mean,
                },
                Kind::YesNo => Detail::Counts {
                    counts: count(vec![
                        (
                            "да".to_owned(),
                            Box::new(|v: &Value| v.as_bool() == Some(true)),
                        ),
                        (
                            "нет".to_owned(),
                            Box::new(|v: &Value| v.as_bool() == Some(false)),
                        ),
                    ]),
                    mean: None,
                },
                Kind::Number(_) | Kind::Percent | Kind::Computed(_) => match mean {
                    Some(mean) => Detail::Numbers {
                        mean,
                        min: numbers.iter().copied().fold(f64::INFINITY, f64::min),
                        max: numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    },
                    None => Detail::None,
                },
                Kind::Text { .. } | Kind::LongText { .. } => {
                    let mut texts: Vec<String> = given
                        .iter()
                        .filter_map(|v| v.as_str())
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect();
                    texts.sort();
                    Detail::Texts { texts }
                }
                _ => Detail::None,
            };
            QuestionSummary {
                id: q.id.clone(),
                text: q.text.clone(),
                answered: given.len(),
                detail,
            }
        })
        .collect();
    Some(Summary {
        answered: responses.len(),
        questions,
    })
}

/// The median of each figure (a number, a per cent or a computed value, top level) over the
/// responses that give it, where at least `min` do: what a school's own figure is set beside
/// (004 stage 1: a school's context against the municipality's).
pub fn medians(t: &Template, responses: &[Answers], min: usize) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for q in t.questions() {
        let mut values: Vec<f64> = responses
            .iter()
            .filter_map(|a| match &q.kind {
                Kind::Number(_) | Kind::Percent => a.get(&q.id).and_then(Value::as_f64),
                Kind::Computed(f) => super::answer::compute(f, a),
                _ => None,
            })
            .filter(|v| v.is_finite())
            .collect();
        if values.len() < min.max(1) {
            continue;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        out.insert(q.id.clone(), (median * 100.0).round() / 100.0);
    }
    out
}
