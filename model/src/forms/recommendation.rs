//! Targeted recommendations (адресные рекомендации) from a mentor to a school, optionally tied
//! to competency areas; a draft can be made from a leader's test deficits with the built-in
//! library of texts (`templates/library/recommendations.json`, written for this product).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::scoring::{AreaScore, Level};

pub const RECOMMENDATION_KIND: &str = "recommendation";
pub const F_TITLE: &str = "title";
pub const F_TEXT: &str = "text";
/// The competency areas it is about (ids of the leader test's areas).
pub const F_AREAS: &str = "areas";
/// `draft` while the mentor writes it, `sent` once the school is to see it.
pub const F_STATE: &str = "state";
pub const F_AUTHOR: &str = "author";
/// What it follows: one of [`SOURCES`].
pub const F_SOURCE: &str = "source";
/// The record it follows (a visit, a consultation, a test response), if any.
pub const F_SOURCE_ID: &str = "source_id";
/// The person it is addressed to within the school, if one (free text).
pub const F_PERSON: &str = "person";
/// The risk factor it is about (`crate::support::RISK_FACTORS`), if one.
pub const F_FACTOR: &str = "factor";
pub const F_DEADLINE: &str = "deadline";
/// `true` once the school has acknowledged it (the school's team writes it).
pub const F_ACK: &str = "acknowledged";
/// Stamped by the server when the school acknowledges: who and on which day.
pub const F_ACK_BY: &str = "acknowledged_by";
pub const F_ACK_ON: &str = "acknowledged_on";
/// The programme measure the school made of it.
pub const F_MEASURE: &str = "measure";

/// What a recommendation may follow (002 §4.6: after monitoring, visits and consultations).
pub const SOURCES: [(&str, &str); 5] = [
    ("test", "по итогам тестирования руководителя"),
    ("visit", "по итогам посещения"),
    ("consultation", "по итогам консультации"),
    ("card", "по карте самоанализа"),
    ("other", "по итогам мониторинга"),
];

pub fn source_label(id: &str) -> &'static str {
    SOURCES
        .iter()
        .find(|(k, _)| *k == id)
        .map_or("", |(_, l)| l)
}

/// One text of the library.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Item {
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Library {
    pub version: u32,
    /// Competency area id → its recommendations.
    pub areas: BTreeMap<String, Vec<Item>>,
}

/// The built-in library.
pub fn library() -> Library {
    serde_json::from_str(include_str!(
        "../../../templates/library/recommendations.json"
    ))
    .expect("templates/library/recommendations.json is checked by the model's tests")
}

/// A draft from a leader's scores: the texts for every area with a deficit, then for partial
/// ones. Returns the title, the text and the areas. The scores themselves stay out of it: the
/// school's whole management team reads a recommendation, and a leader's test is the
/// leader's, the advisers' and the centre's only.
pub fn draft_from_scores(lib: &Library, scores: &[AreaScore]) -> (String, String, Vec<String>) {
    let mut areas = Vec::new();
    let mut text = String::new();
    for level in [Level::Deficit, Level::Partial] {
        for s in scores.iter().filter(|s| s.level == level) {
            let Some(items) = lib.areas.get(&s.area) else {
                continue;
            };
            areas.push(s.area.clone());
            text.push_str(&format!("{}\n", s.title));
            for item in items {
                text.push_str(&format!("— {}. {}\n", item.title, item.text));
            }
            text.push('\n');
        }
    }
    let title = if areas.is_empty() {
        "Рекомендации по итогам тестирования".to_owned()
    } else {
        "Адресные рекомендации по итогам тестирования руководителя".to_owned()
    };
    (title, text.trim_end().to_owned(), areas)
}
