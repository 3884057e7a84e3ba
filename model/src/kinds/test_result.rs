//! The per-area scores of a submitted test (002 §4.2: the leader test finds managerial
//! deficits), written by the server only, beside the response and read by exactly the people
//! who read the response.

use serde_json::json;

use super::{IdRule, KindSpec, ScopeRule, ServerWrite};
use crate::forms::{self, Key, Level, Template};
use crate::record::Record;

pub const SPEC: KindSpec = KindSpec {
    name: forms::RESULT_KIND,
    label: "Результат теста",
    scope: ScopeRule::Respondent,
    id: IdRule::Server,
    parents: &[forms::RESPONSE_KIND],
    rules: &[],
    server_fields: &[],
    fields: &[],
    anonymous: false,
    owner: super::no_owner,
    audience: super::inherit,
    needs: super::no_needs,
    check: super::no_check,
    follow: super::no_follow,
};

/// The result of a submitted test, `None` if the template is not a test.
pub fn scored(t: &Template, key: &Key, response: &Record, now_ms: u64) -> Option<ServerWrite> {
    let answers = forms::answers_of(response);
    let areas = forms::score(t, key, &answers)?;
    let missed = forms::scoring::missed(t, key, &answers);
    let position = t
        .test
        .as_ref()
        .and_then(|test| test.position.as_ref())
        .and_then(|q| answers.get(q))
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let deficits: Vec<&str> = areas
        .iter()
        .filter(|a| a.level == Level::Deficit)
        .map(|a| a.area.as_str())
        .collect();
    Some(ServerWrite {
        record: forms::result_id(response.id),
        kind: SPEC.name,
        scope: response.scope.clone(),
        parent: Some(response.id),
        fields: [
            ("response".to_owned(), json!(response.id)),
            ("template".to_owned(), json!(t.code)),
            ("version".to_owned(), json!(t.version)),
            ("areas".to_owned(), json!(areas)),
            ("deficits".to_owned(), json!(deficits)),
            // The items not fully right, for the debrief (never the right options).
            ("missed".to_owned(), json!(missed)),
            ("position".to_owned(), position),
            ("scored_at".to_owned(), json!(now_ms)),
        ]
        .into(),
    })
}
