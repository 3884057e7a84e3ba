//! The demo's diagnostics under way (002 §4.2): the head has sent the self-analysis card, the
//! context profile and the leader test to the ШНОР and ШССУ, the survey of teachers' needs
//! to their teachers and the satisfaction survey to the mentors and curators — the profile and
//! the test already past their deadlines, the others still open. The schools' context profiles
//! stand in every state of review: one returned with comments, one accepted, one waiting for
//! its reviewer; the demo school has begun its card. Written through the same batch step as
//! every device's edits, dated relative to today, so each role's first screen lists real
//! tasks. Fictional.

use model::UserProfile;
use model::forms::{self, review};
use model::record::Scope;
use serde_json::{Value, json};
use uuid::Uuid;

use super::desk::{Desk, Place, day_from_today, id_at};
use crate::storage::Db;

/// (form, who fills it, days from today to the deadline, days ago it was sent); each in the
/// version the server ships.
const SENT: [(&str, &[&str], i64, u64); 5] = [
    ("context_profile", &["school_team"], -14, 40),
    ("self_analysis", &["school_team"], 45, 10),
    ("leader_test", &["school_team"], -7, 50),
    ("survey_teacher_needs", &["teacher"], 20, 5),
    // The centre's own people: no school.
    ("survey_mentor_satisfaction", &["mentor", "curator"], 25, 3),
];

/// The people of the diagnostics: the head, the mentor (schools 0 and 1), the curator (1 and 2)
/// and the leader of each of the three schools.
pub struct People<'a> {
    pub head: &'a UserProfile,
    pub mentor: &'a UserProfile,
    pub curator: &'a UserProfile,
    pub leaders: [&'a UserProfile; 3],
}

/// The campaigns the other demo parts answer.
pub struct Sent {
    pub leader_test: Uuid,
}

/// The context profile of each school (12 figures, in the template's order).
const PROFILES: [[f64; 12]; 3] = [
    [
        11.3, 8.0, 0.0, 9.0, 3.0, 1.0, 45.0, 12.0, 0.0, 0.0, 0.0, 10.0,
    ],
    [8.7, 5.0, 0.0, 12.0, 2.0, 1.0, 60.0, 5.0, 0.0, 0.0, 0.0, 2.0],
    [
        14.2, 12.0, 1.0, 7.5, 5.0, 2.0, 52.0, 20.0, 18.0, 0.0, 6.0, 25.0,
    ],
];

pub async fn load(db: &Db, people: &People<'_>, schools: &[Uuid]) -> anyhow::Result<Sent> {
    let mut centre = Desk::new(db, people.head, "forms").await?;
    let mut card = None;
    let mut profile = None;
    let mut leader_test = None;
    for (n, (code, roles, deadline, sent)) in SENT.into_iter().enumerate() {
        let (title, version) = crate::forms::builtin(code)
            .map(|t| (t.title, t.version))
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
        match code {
            "self_analysis" => card = Some(id),
            "context_profile" => profile = Some(id),
            "leader_test" => leader_test = Some(id),
            _ => {}
        }
    }
    let mut leaders = Vec::new();
    for leader in people.leaders {
        leaders.push(Desk::new(db, leader, "forms").await?);
    }
    if let Some(campaign) = profile {
        profiles(db, people, &mut leaders, campaign, schools).await?;
    }
    let school = &mut leaders[0];
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
            (
                forms::F_VERSION.to_owned(),
                json!(crate::forms::builtin("self_analysis").map_or(1, |t| t.version)),
            ),
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
    Ok(Sent {
        leader_test: leader_test.ok_or_else(|| anyhow::anyhow!("no leader test sent"))?,
    })
}

/// A response of a school to a campaign: its place.
fn response<'s>(campaign: Uuid, scope: &'s Scope) -> Place<'s> {
    (
        forms::response_id(campaign, scope),
        forms::RESPONSE_KIND,
        scope,
        None,
    )
}

/// The context profiles: school 0's returned by its mentor with comments, school 1's accepted
/// by its curator, school 2's sent three days ago and waiting for the curator.
async fn profiles(
    db: &Db,
    people: &People<'_>,
    leaders: &mut [Desk<'_>],
    campaign: Uuid,
    schools: &[Uuid],
) -> anyhow::Result<()> {
    let template = crate::forms::builtin("context_profile")
        .ok_or_else(|| anyhow::anyhow!("no built-in context profile"))?;
    let questions: Vec<String> = template.questions().map(|q| q.id.clone()).collect();
    let mut mentor = Desk::new(db, people.mentor, "forms").await?;
    let mut curator = Desk::new(db, people.curator, "forms").await?;
    for (n, ((desk, school), figures)) in leaders.iter_mut().zip(schools).zip(PROFILES).enumerate()
    {
        let scope = Scope::School(*school);
        let sent: u64 = [30, 20, 3][n];
        let mut fields: Vec<(String, Value)> = vec![
            (forms::F_CAMPAIGN.to_owned(), json!(campaign)),
            (forms::F_TEMPLATE.to_owned(), json!("context_profile")),
            (forms::F_VERSION.to_owned(), json!(template.version)),
            (forms::F_STATUS.to_owned(), json!("submitted")),
        ];
        fields.extend(
            questions
                .iter()
                .zip(figures)
                .map(|(q, v)| (forms::answer_field(q), json!(v))),
        );
        let fields: Vec<(&str, Value)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let place = response(campaign, &scope);
        desk.write(sent, place, &fields).await?;
        let review = (
            review::review_id(place.0, 1),
            review::REVIEW_KIND,
            &scope,
            Some(place.0),
        );
        match n {
            0 => {
                mentor
                    .write(25, review, &[
                        (review::F_ROUND, json!(1)),
                        (
                            review::comment_field("pupils_per_teacher").as_str(),
                            json!("В карте самоанализа указано 23 педагога, здесь получается 19. Считайте только основных работников, без внешних совместителей, как в карте."),
                        ),
                        (
                            review::comment_field("internet_speed").as_str(),
                            json!("Укажите скорость по договору с провайдером, в Мбит/с."),
                        ),
                        (
                            review::F_OVERALL,
                            json!("Профиль заполнен полностью, спасибо. Уточните два показателя и отправьте снова."),
                        ),
                        (review::F_VERDICT, json!("returned")),
                    ])
                    .await?
            }
            1 => {
                curator
                    .write(15, review, &[
                        (review::F_ROUND, json!(1)),
                        (
                            review::F_OVERALL,
                            json!("Принято. Низкая скорость интернета учтена в плане оснащения."),
                        ),
                        (review::F_VERDICT, json!("accepted")),
                    ])
                    .await?
            }
            _ => {}
        }
    }
    Ok(())
}
