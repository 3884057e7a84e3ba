//! The demo's leader tests (002 §4.2: diagnostics of the managerial deficits of a school's
//! management team): the leaders of the three schools have taken the test, each with deficits in
//! other areas, and the server scored them as it scores every test. From school 0's result the
//! mentor has sent targeted recommendations and, with the director, drawn up a personal deficit
//! plan (004, stage 2) whose first items are already overdue; for school 1 the mentor has begun a
//! draft. Fictional.

use model::UserProfile;
use model::forms::template::Kind;
use model::forms::{self, Key, Template, plan, recommendation as rec};
use serde_json::{Value, json};
use uuid::Uuid;

use super::desk::{Desk, day_from_today, id_at};
use crate::storage::Db;

/// How many items of each area a leader answers right, the first ones (the others all right;
/// an area has 6–7 items, below half is a deficit): school 0 lacks ВСОКО and personnel,
/// school 1 law and finance, school 2 the educational process; each has partial deficits too.
const RIGHT: [&[(&str, usize)]; 3] = [
    &[("vsoko", 2), ("personnel", 1), ("strategy", 4), ("law", 4)],
    &[("law", 2), ("finance", 1), ("upbringing", 4), ("safety", 5)],
    &[("process", 1), ("safety", 4), ("vsoko", 5)],
];

/// Days ago each leader sent the test.
const SENT: [u64; 3] = [40, 35, 12];

/// The answers of a leader who gets `right` items of an area right (the first ones); the
/// others wrong: a wrong option, or only part of the right ones where several are right.
fn answers(t: &Template, key: &Key, right: &[(&str, usize)]) -> Vec<(String, Value)> {
    let mut seen: std::collections::HashMap<&str, usize> = Default::default();
    let mut out = Vec::new();
    for q in t.questions() {
        let (Some(area), Some(correct)) = (q.area.as_deref(), key.0.get(&q.id)) else {
            continue;
        };
        let n = seen.entry(area).or_default();
        *n += 1;
        let good = right
            .iter()
            .find(|(a, _)| *a == area)
            .is_none_or(|(_, k)| *n <= *k);
        let value = match (&q.kind, good) {
            (Kind::Multiple { .. }, true) => json!(correct.iter().collect::<Vec<_>>()),
            (Kind::Multiple { .. }, false) => json!(correct.iter().take(1).collect::<Vec<_>>()),
            (_, true) => json!(correct.iter().next()),
            (Kind::Single { options }, false) => json!(
                options
                    .iter()
                    .map(|o| &o.id)
                    .find(|o| !correct.contains(*o))
            ),
            _ => continue,
        };
        out.push((forms::answer_field(&q.id), value));
    }
    out
}

pub async fn load(
    db: &Db,
    materials: &[super::practices::Published],
    mentor: &UserProfile,
    leaders: [&UserProfile; 3],
    campaign: Uuid,
) -> anyhow::Result<()> {
    let (template, key) = crate::forms::builtin_with_key("leader_test")
        .ok_or_else(|| anyhow::anyhow!("no built-in leader test"))?;
    let mut responses = Vec::new();
    for (n, leader) in leaders.into_iter().enumerate() {
        let mut desk = Desk::new(db, leader, "tests").await?;
        let school = leader
            .school_id
            .ok_or_else(|| anyhow::anyhow!("demo leader {} has no school", leader.login))?;
        let (id, scope) =
            forms::response_target(template.respondent, campaign, Some(school), leader.id)
                .ok_or_else(|| anyhow::anyhow!("no response for {}", leader.login))?;
        let mut fields = vec![
            (forms::F_CAMPAIGN.to_owned(), json!(campaign)),
            (forms::F_TEMPLATE.to_owned(), json!(template.code)),
            (forms::F_VERSION.to_owned(), json!(template.version)),
            (forms::F_STATUS.to_owned(), json!("submitted")),
        ];
        let given = answers(&template, &key, RIGHT[n]);
        let scores = forms::scoring::score(
            &template,
            &key,
            &given
                .iter()
                .map(|(f, v)| (f[forms::ANSWER_PREFIX.len()..].to_owned(), v.clone()))
                .collect(),
        );
        fields.extend(given);
        // The position, where the test asks it: two directors and a deputy.
        if let Some(q) = template.test.as_ref().and_then(|t| t.position.as_ref()) {
            let position = if n == 1 { "deputy_study" } else { "director" };
            fields.push((forms::answer_field(q), json!(position)));
        }
        let fields: Vec<(&str, Value)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        desk.write(SENT[n], (id, forms::RESPONSE_KIND, &scope, None), &fields)
            .await?;
        responses.push((id, scope, scores.unwrap_or_default(), desk));
    }
    let mut adviser = Desk::new(db, mentor, "tests").await?;
    let library = rec::library();

    // School 0: recommendations sent, and a personal plan drawn up with the director.
    let (response, scope, scores, leader) = &mut responses[0];
    let (title, text, areas) = rec::draft_from_scores(&library, scores);
    // The materials of the bank on the same areas, for the school to read.
    let linked: Vec<Uuid> = materials
        .iter()
        .filter(|m| m.days_ago > 36 && m.areas.iter().any(|a| areas.iter().any(|x| x == a)))
        .map(|m| m.id)
        .take(3)
        .collect();
    adviser
        .write(
            36,
            (id_at(36, 0x51), rec::RECOMMENDATION_KIND, scope, None),
            &[
                (rec::F_TITLE, json!(title)),
                (rec::F_TEXT, json!(text)),
                (rec::F_AREAS, json!(areas)),
                (model::practices::F_MATERIALS, json!(linked)),
                (rec::F_SOURCE, json!("test")),
                (rec::F_SOURCE_ID, json!(response.to_string())),
                (rec::F_PERSON, json!(leaders[0].full_name)),
                (rec::F_DEADLINE, json!(day_from_today(60))),
                (rec::F_STATE, json!("sent")),
            ],
        )
        .await?;
    // (area, measure kind, measure, days from today to the deadline, status, written by the
    // leader rather than the mentor)
    let items: [(&str, &str, &str, i64, &str, bool); 5] = [
        (
            "vsoko",
            "management",
            "Разработать и утвердить положение о ВСОКО с графиком оценочных процедур на год",
            -12,
            "in_progress",
            false,
        ),
        (
            "vsoko",
            "qualification",
            "Пройти курсы повышения квалификации «Управление качеством образования на основе данных» (36 ч)",
            -3,
            "planned",
            false,
        ),
        (
            "personnel",
            "staff",
            "Составить план закрытия вакансий учителей математики и русского языка с колледжем и управлением образования",
            -20,
            "done",
            true,
        ),
        (
            "personnel",
            "methodical",
            "Закрепить наставников за тремя молодыми педагогами; утвердить положение о наставничестве",
            25,
            "in_progress",
            true,
        ),
        (
            "strategy",
            "management",
            "Переформулировать цели программы развития по SMART с куратором (консультация)",
            45,
            "planned",
            false,
        ),
    ];
    for (i, (area, kind, measure, deadline, status, by_leader)) in items.into_iter().enumerate() {
        let desk = if by_leader {
            &mut *leader
        } else {
            &mut adviser
        };
        desk.write(
            34 - i as u64,
            (
                id_at(34 - i as u64, 0x60 + i as u8),
                plan::PLAN_ITEM_KIND,
                scope,
                Some(*response),
            ),
            &[
                (plan::F_AREA, json!(area)),
                (plan::F_MEASURE_KIND, json!(kind)),
                (plan::F_MEASURE, json!(measure)),
                (plan::F_DEADLINE, json!(day_from_today(deadline))),
                (
                    plan::F_RESPONSIBLE,
                    json!(if by_leader {
                        leaders[0].full_name.as_str()
                    } else {
                        "Директор и наставник"
                    }),
                ),
                (plan::F_STATUS, json!(status)),
            ],
        )
        .await?;
    }

    // School 1: the mentor has begun the recommendations (a draft the school does not see yet).
    let (response, scope, scores, _) = &responses[1];
    let (title, text, areas) = rec::draft_from_scores(&library, scores);
    adviser
        .write(
            2,
            (id_at(2, 0x52), rec::RECOMMENDATION_KIND, scope, None),
            &[
                (rec::F_TITLE, json!(title)),
                (rec::F_TEXT, json!(text)),
                (rec::F_AREAS, json!(areas)),
                (rec::F_SOURCE, json!("test")),
                (rec::F_SOURCE_ID, json!(response.to_string())),
                (rec::F_STATE, json!("draft")),
            ],
        )
        .await?;
    Ok(())
}
