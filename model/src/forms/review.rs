//! Review of a submitted response by a mentor, curator or the centre head: a comment beside any
//! answer, an overall comment, and a verdict — return for revision or accept. One review record
//! per round (each submission is a round), so all rounds and their comments are kept.
//! The verdict is the reviewer's; the response's status follows it, written by the server.

use uuid::Uuid;

use super::{RESPONSE_KIND, Status, Template};
use crate::record::{Record, stable_id};

pub const REVIEW_KIND: &str = "review";
/// The round (submission number) a review is about.
pub const F_ROUND: &str = "round";
/// `returned` or `accepted`; set once per round.
pub const F_VERDICT: &str = "verdict";
pub const F_OVERALL: &str = "overall";
/// The name of the reviewer.
pub const F_REVIEWER: &str = "reviewer";
/// A comment's field is this prefix and the question id.
pub const COMMENT_PREFIX: &str = "c.";

pub fn comment_field(question: &str) -> String {
    format!("{COMMENT_PREFIX}{question}")
}

/// The review of one round of a response (the same id on every device).
pub fn review_id(response: Uuid, round: u64) -> Uuid {
    stable_id(&format!("{REVIEW_KIND}/{response}/{round}"))
}

/// Does a school's response wait for a mentor's verdict? (A person's own surveys are not
/// reviewed.)
pub fn awaits_review(response: &Record) -> bool {
    !response.is_deleted()
        && matches!(response.scope, crate::record::Scope::School(_))
        && super::status_of(response) == Status::Submitted
}

/// The round a response is in: how many times it was submitted (written by the server).
pub fn round_of(response: &Record) -> u64 {
    response
        .get(F_ROUND)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
}

/// When a response was last sent, by the server's clock: the time of the round the server
/// stamped then (a verdict and a later edit leave it; a device's clock never sets it). A
/// response stored before rounds were stamped falls back to its status's time.
pub fn submitted_at(response: &Record) -> u64 {
    response
        .fields
        .get(F_ROUND)
        .or_else(|| response.fields.get(super::F_STATUS))
        .map_or(0, |f| f.hlc.wall_ms)
}

pub fn verdict_of(review: &Record) -> Option<Status> {
    match review.get(F_VERDICT).and_then(serde_json::Value::as_str) {
        Some("returned") => Some(Status::Returned),
        Some("accepted") => Some(Status::Accepted),
        _ => None,
    }
}

/// The checks of one change to a review: `response` is the response it reviews, `template`
/// the form that response answers (a comment sits beside one of its questions).
pub fn check_review_change(
    response: Option<&Record>,
    template: Option<&Template>,
    review_id_given: Uuid,
    before: Option<&Record>,
    fields: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<Option<Status>, String> {
    let Some(response) = response.filter(|r| r.kind == RESPONSE_KIND) else {
        return Err("Отзыв относится к ответу, которого нет.".into());
    };
    let round = round_of(response);
    if round == 0 || review_id_given != review_id(response.id, round) {
        return Err("Отзыв можно написать только к последней отправленной версии ответа.".into());
    }
    if before.and_then(verdict_of).is_some() {
        return Err("Решение по этой версии ответа уже принято: отзыв больше не меняется.".into());
    }
    let mut verdict = None;
    for (name, value) in fields {
        match name.as_str() {
            F_ROUND => {
                if value.as_u64() != Some(round) {
                    return Err("Неверный номер круга проверки.".into());
                }
            }
            F_VERDICT => {
                let v = match value.as_str() {
                    Some("returned") => Status::Returned,
                    Some("accepted") => Status::Accepted,
                    _ => return Err("Решение — «вернуть» или «принять».".into()),
                };
                if before.and_then(verdict_of).is_some() {
                    return Err("Решение по этой версии ответа уже принято.".into());
                }
                if super::status_of(response) != Status::Submitted {
                    return Err("Решение можно принять только по отправленному ответу.".into());
                }
                verdict = Some(v);
            }
            F_OVERALL | F_REVIEWER => {
                if !value.is_null() && value.as_str().is_none_or(|s| s.chars().count() > 5_000) {
                    return Err("Комментарий — текст до 5000 символов.".into());
                }
            }
            other if other.starts_with(COMMENT_PREFIX) => {
                let question = &other[COMMENT_PREFIX.len()..];
                if template.is_none_or(|t| t.question(question).is_none()) {
                    return Err(format!(
                        "В форме нет вопроса «{question}»: комментарий не к чему прикрепить."
                    ));
                }
                if !value.is_null() && value.as_str().is_none_or(|s| s.chars().count() > 2_000) {
                    return Err("Комментарий к ответу — текст до 2000 символов.".into());
                }
            }
            other => return Err(format!("У отзыва нет поля «{other}».")),
        }
    }
    Ok(verdict)
}
