//! The demo's diagnostics under way (002 §4.2): the head has sent the self-analysis card, the
//! context profile and the leader test to the ШНОР and ШССУ, the survey of teachers' needs
//! to their teachers and the satisfaction survey to the mentors and curators — the profile already overdue, the others still open — and the
//! demo school has begun its card. Written through the same batch step as every device's
//! edits, dated relative to today, so the school's and the teacher's first screens list real
//! tasks. Fictional.

use model::UserProfile;
use model::forms;
use model::record::Scope;
use serde_json::{Value, json};
use uuid::Uuid;

use super::desk::{Desk, day_from_today, id_at};
use crate::storage::Db;

/// (form, version, who fills it, days from today to the deadline, days ago it was sent).
const SENT: [(&str, u32, &[&str], i64, u64); 5] = [
    ("context_profile", 1, &["school_team"], -14, 40),
    ("self_analysis", 1, &["school_team"], 45, 10),
    ("leader_test", 1, &["school_team"], 30, 5),
    ("survey_teacher_needs", 2, &["teacher"], 20, 5),
    // The centre's own people: no school.
    (
        "survey_mentor_satisfaction",
        1,
        &["mentor", "curator"],
        25,
        3,
    ),
];

pub async fn load(
    db: &Db,
    head: &UserProfile,
    team: &UserProfile,
    schools: &[Uuid],
) -> anyhow::Result<()> {
    let mut centre = Desk::new(db, head, "forms").await?;
    let mut school = Desk::new(db, team, "forms").await?;
    let mut card = None;
    for (n, (code, version, roles, deadline, sent)) in SENT.into_iter().enumerate() {
        let title = crate::forms::builtin(code)
            .map(|t| t.title)
            .ok_or_else(|| anyhow::anyhow!("no built-in form {code}"))?;
        let id = id_at(sent, 0xd0 + n as u8);
        centre
            .write(
                sent,
                (id, forms::CAMPAIGN_KIND, &Scope::Centre, None),
                &[
                    ("title", json!(title)),
                    ("template", json!(code)),
                    ("version", json!(version)),
                    ("deadline", json!(day_from_today(deadline))),
                    (
                        "schools",
                        if roles.iter().any(|r| *r == "school_team" || *r == "teacher") {
                            json!(schools)
                        } else {
                            json!([])
                        },
                    ),
                    ("roles", json!(roles)),
                ],
            )
            .await?;
        if code == "self_analysis" {
            card = Some(id);
        }
    }
    // The school has begun its card: the general part.
    if let (Some(campaign), Some(first)) = (card, schools.first()) {
        let scope = Scope::School(*first);
        let answers: [(&str, Value); 5] = [
            ("locality", json!("village")),
            ("pupils_total", json!(214)),
            ("ovz_share", json!(6.5)),
            ("non_native_share", json!(3)),
            ("hard_life_share", json!(18)),
        ];
        let mut fields: Vec<(String, Value)> = vec![
            (forms::F_CAMPAIGN.to_owned(), json!(campaign)),
            (forms::F_TEMPLATE.to_owned(), json!("self_analysis")),
            (forms::F_VERSION.to_owned(), json!(1)),
        ];
        fields.extend(
            answers
                .into_iter()
                .map(|(q, v)| (forms::answer_field(q), v)),
        );
        let fields: Vec<(&str, Value)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        school
            .write(
                2,
                (
                    forms::response_id(campaign, &scope),
                    forms::RESPONSE_KIND,
                    &scope,
                    None,
                ),
                &fields,
            )
            .await?;
    }
    Ok(())
}
