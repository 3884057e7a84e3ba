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

/// The counts of each school's context profile (004 stage 1): pupils, teachers, of them with
/// the highest category, computers, pupils in in-school and out-of-school extra education, in
/// the second shift, on advanced programmes, in profile classes, tutors, internet speed.
const PROFILES: [[(&str, f64); 11]; 3] = [
    [
        ("pupils_total", 214.0),
        ("teachers_total", 19.0),
        ("highest_category_count", 2.0),
        ("computers", 24.0),
        ("inschool_extra_pupils", 96.0),
        ("outschool_extra_pupils", 26.0),
        ("second_shift_pupils", 0.0),
        ("advanced_programs_pupils", 0.0),
        ("profile_classes_pupils", 0.0),
        ("tutors", 0.0),
        ("internet_speed", 10.0),
    ],
    [
        ("pupils_total", 96.0),
        ("teachers_total", 11.0),
        ("highest_category_count", 1.0),
        ("computers", 8.0),
        ("inschool_extra_pupils", 58.0),
        ("outschool_extra_pupils", 5.0),
        ("second_shift_pupils", 0.0),
        ("advanced_programs_pupils", 0.0),
        ("profile_classes_pupils", 0.0),
        ("tutors", 0.0),
        ("internet_speed", 2.0),
    ],
    [
        ("pupils_total", 380.0),
        ("teachers_total", 27.0),
        ("highest_category_count", 3.0),
        ("computers", 51.0),
        ("inschool_extra_pupils", 198.0),
        ("outschool_extra_pupils", 76.0),
        ("second_shift_pupils", 68.0),
        ("advanced_programs_pupils", 0.0),
        ("profile_classes_pupils", 23.0),
        ("tutors", 1.0),
        ("internet_speed", 25.0),
    ],
];

/// A school's partners or the support it received: (organisation, kind, what exactly).
type Orgs = &'static [(&'static str, &'static str, &'static str)];

const PARTNERS: [Orgs; 3] = [
    &[
        (
            "ГБПОУ «Светлореченский педагогический колледж»",
            "methodical",
            "практика студентов, целевое обучение",
        ),
        (
            "МБУ ДО «Дом детского творчества»",
            "extra_education",
            "два кружка на базе школы",
        ),
        (
            "Агрохолдинг «Кубань-Нива»",
            "career",
            "экскурсии на предприятие для 8–9 классов",
        ),
    ],
    &[
        (
            "Сельский дом культуры с. Заречное",
            "upbringing",
            "совместные праздники и выставки",
        ),
        (
            "МАОУ гимназия № 2 г. Светлоречье",
            "network",
            "сетевая реализация курса информатики",
        ),
    ],
    &[
        (
            "ГБПОУ «Светлореченский аграрный техникум»",
            "career",
            "профпробы для 9 классов",
        ),
        (
            "МБУ ДО «Детско-юношеская спортивная школа»",
            "extra_education",
            "секции волейбола и лёгкой атлетики",
        ),
        (
            "Библиотека пос. Каменный Брод",
            "upbringing",
            "читательские конференции",
        ),
        (
            "ООО «Каменнобродский элеватор»",
            "career",
            "шефская помощь, экскурсии",
        ),
        (
            "МБОУ лицей № 1 г. Светлоречье",
            "methodical",
            "методическое объединение учителей математики",
        ),
    ],
];

const SUPPORT: [Orgs; 3] = [
    &[(
        "Управление образования администрации округа",
        "equipment",
        "12 ноутбуков для кабинета информатики",
    )],
    &[
        (
            "ГБОУ ИРО Краснодарского края",
            "qualification",
            "курсы для учителей русского языка",
        ),
        (
            "Управление образования администрации округа",
            "staffing",
            "подвоз учителя физики из соседней школы",
        ),
    ],
    &[
        (
            "Муниципальный наставнический центр",
            "methodical",
            "консультации по подготовке к ОГЭ",
        ),
        (
            "Управление образования администрации округа",
            "financial",
            "ремонт спортивного зала",
        ),
    ],
];

/// Organisations as the items of a group question.
fn orgs(list: Orgs, keys: [&str; 3]) -> Value {
    json!(
        list.iter()
            .map(|(name, kind, what)| json!({keys[0]: name, keys[1]: kind, keys[2]: what}))
            .collect::<Vec<_>>()
    )
}

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
            "self_analysis" => card = Some((id, version)),
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
    if let (Some((campaign, card_version)), Some(first)) = (card, schools.first()) {
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
            (forms::F_VERSION.to_owned(), json!(card_version)),
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
            figures
                .into_iter()
                .map(|(q, v)| (forms::answer_field(q), json!(v))),
        );
        fields.push((
            forms::answer_field("partners"),
            orgs(
                PARTNERS[n],
                ["partner_name", "partner_kind", "partner_what"],
            ),
        ));
        fields.push((
            forms::answer_field("support"),
            orgs(SUPPORT[n], ["support_name", "support_kind", "support_what"]),
        ));
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
                            review::comment_field("teachers_total").as_str(),
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
