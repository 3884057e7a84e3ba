//! The demo's management personnel reserve (002 §V): nominees of three schools at every stage —
//! a draft, a nomination on the commission's desk, one declined for a reason, one in training,
//! one recommended, two in the registry (one of them appointed) — written by the schools'
//! teams and the centre head, with a portfolio attached to a nomination; and a draft withdrawn
//! on one computer of a school while another changed it, awaiting a decision.

use model::UserProfile;
use model::files;
use model::kinds::candidate::{COURSE_FIELDS, CRITERIA_FIELDS};
use model::record::Scope;
use model::reserve as r;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::desk::{Desk, day_from_today, id_at};
use crate::storage::Db;

/// A nominee: school index, name, position, experience, birth year, how far they got.
struct Nominee {
    school: usize,
    name: &'static str,
    position: &'static str,
    experience: i64,
    birth_year: i64,
    stage: r::Stage,
}

const NOMINEES: [Nominee; 7] = [
    Nominee {
        school: 0,
        name: "Карпенко Ольга Викторовна",
        position: "учитель русского языка и литературы, руководитель ШМО",
        experience: 14,
        birth_year: 1984,
        stage: r::Stage::Draft,
    },
    Nominee {
        school: 0,
        name: "Мельников Андрей Юрьевич",
        position: "учитель физики",
        experience: 9,
        birth_year: 1990,
        stage: r::Stage::Nominated,
    },
    Nominee {
        school: 2,
        name: "Садыкова Лилия Рашидовна",
        position: "педагог-организатор",
        experience: 3,
        birth_year: 1998,
        stage: r::Stage::Declined,
    },
    Nominee {
        school: 1,
        name: "Ткаченко Игорь Николаевич",
        position: "учитель истории, советник директора по воспитанию",
        experience: 11,
        birth_year: 1987,
        stage: r::Stage::Training,
    },
    Nominee {
        school: 1,
        name: "Власова Наталья Сергеевна",
        position: "учитель начальных классов, руководитель ШМО",
        experience: 17,
        birth_year: 1981,
        stage: r::Stage::Recommended,
    },
    Nominee {
        school: 0,
        name: "Зайцева Марина Александровна",
        position: "учитель математики",
        experience: 12,
        birth_year: 1986,
        stage: r::Stage::Registry,
    },
    Nominee {
        school: 2,
        name: "Лысенко Виктор Павлович",
        position: "учитель информатики",
        experience: 15,
        birth_year: 1983,
        stage: r::Stage::Registry,
    },
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn load(
    db: &Db,
    head: &UserProfile,
    teams: [&UserProfile; 3],
    schools: &[Uuid],
) -> anyhow::Result<()> {
    let mut centre = Desk::new(db, head, "reserve").await?;
    let mut desks = Vec::new();
    for team in teams {
        desks.push(Desk::new(db, team, "reserve").await?);
    }
    let mut appointed = None;
    for (n, c) in NOMINEES.iter().enumerate() {
        let scope = Scope::School(schools[c.school]);
        let id = id_at(150 - n as u64 * 5, 0x70 + n as u8);
        let place = (id, r::CANDIDATE_KIND, &scope, None);
        let school = &mut desks[c.school];
        school
            .write(
                150 - n as u64 * 5,
                place,
                &[
                    (r::F_NAME, json!(c.name)),
                    (r::F_POSITION, json!(c.position)),
                    (r::F_EXPERIENCE, json!(c.experience)),
                    (r::F_BIRTH_YEAR, json!(c.birth_year)),
                    (r::F_MANAGEMENT_YEARS, json!(c.experience / 4)),
                    (r::F_EDUCATION, json!("высшее педагогическое")),
                    (r::F_CAREER, json!("учитель — руководитель школьного методического объединения")),
                    (r::F_APPLICATION, json!("Педагог с эффективным опытом: стабильные результаты обучающихся, ведёт методическую работу, стремится к административной деятельности.")),
                    (r::F_REFERENCE, json!("Ответственный, инициативный, умеет организовать коллег; пользуется уважением педагогов и родителей.")),
                    (r::F_RELOCATION, json!(if n % 2 == 0 { "municipality" } else { "region" })),
                    (r::F_PHONE, json!(format!("+7 918 555-{:02}-{:02}", 10 + n, 30 + n))),
                    (r::F_STAGE, json!("draft")),
                ],
            )
            .await?;
        if n == 1 {
            // A portfolio attached to the nomination.
            let bytes = super::practices::spreadsheet(
                &["Раздел портфолио", "Содержание"],
                &[
                    &[
                        "Результаты обучающихся",
                        "ОГЭ по физике: средний балл выше муниципального три года подряд",
                    ],
                    &[
                        "Методическая работа",
                        "Руководство ШМО естественно-научного цикла",
                    ],
                    &[
                        "Повышение квалификации",
                        "Курсы по функциональной грамотности, 72 ч",
                    ],
                ],
            )?;
            let sha256 = hex(&Sha256::digest(&bytes));
            db.put_file_chunk(
                teams[c.school].id,
                &sha256,
                (bytes.len() as u64, 0),
                &bytes,
                u64::MAX,
            )
            .await?;
            school
                .write(
                    149 - n as u64 * 5,
                    (
                        id_at(149 - n as u64 * 5, 0x90),
                        files::ATTACHMENT_KIND,
                        &scope,
                        Some(id),
                    ),
                    &[
                        (files::F_NAME, json!("Портфолио Мельникова А. Ю.xlsx")),
                        (files::F_MIME, json!(files::mime_of("a.xlsx"))),
                        (files::F_SIZE, json!(bytes.len())),
                        (files::F_SHA256, json!(sha256)),
                    ],
                )
                .await?;
        }
        if c.stage == r::Stage::Draft {
            continue;
        }
        school
            .write(
                148 - n as u64 * 5,
                place,
                &[(r::F_STAGE, json!("nominated"))],
            )
            .await?;
        if c.stage == r::Stage::Nominated {
            continue;
        }
        let mut verdicts: Vec<(&str, Value)> = Vec::new();
        for (i, (v, reason)) in CRITERIA_FIELDS.iter().enumerate() {
            let fail = c.stage == r::Stage::Declined && i == 0;
            verdicts.push((v, json!(if fail { "fail" } else { "pass" })));
            verdicts.push((
                reason,
                json!(if fail {
                    "Педагогический стаж 3 года при требуемых не менее 5 лет."
                } else {
                    "Соответствует."
                }),
            ));
        }
        verdicts.push((r::F_QUALITIES, json!("pass")));
        if c.stage == r::Stage::Declined {
            verdicts.push((
                r::F_CENTRE_NOTE,
                json!("Стаж меньше пяти лет: направьте кандидата повторно, когда требование будет выполнено."),
            ));
        }
        verdicts.push((r::F_QUALITIES_NOTE, json!("По характеристике и собеседованию: лидерские качества, готовность к ответственности.")));
        verdicts.push((
            r::F_STAGE,
            json!(if c.stage == r::Stage::Declined {
                "declined"
            } else {
                "training"
            }),
        ));
        centre.write(140 - n as u64 * 5, place, &verdicts).await?;
        if c.stage == r::Stage::Declined || c.stage == r::Stage::Training {
            if c.stage == r::Stage::Training {
                centre
                    .write(
                        130 - n as u64 * 5,
                        place,
                        &[
                            (r::F_TRAINING_FROM, json!(day_from_today(-100))),
                            (r::F_GAMES, json!(true)),
                            (COURSE_FIELDS[0], json!("№ 0412 от 15.03, 72 ч")),
                        ],
                    )
                    .await?;
            }
            continue;
        }
        centre
            .write(
                60,
                place,
                &[
                    (r::F_TRAINING_FROM, json!(day_from_today(-110))),
                    (r::F_TRAINING_TO, json!(day_from_today(-30))),
                    (r::F_GAMES, json!(true)),
                    (r::F_TRAININGS, json!(true)),
                    (COURSE_FIELDS[0], json!(format!("№ 04{n}2, 72 ч"))),
                    (COURSE_FIELDS[1], json!(format!("№ 05{n}7, 72 ч"))),
                    (COURSE_FIELDS[2], json!(format!("№ 06{n}1, 36 ч"))),
                    (r::F_INTERNSHIP, json!("МАОУ гимназия № 2 г. Светлоречье, 5 дней")),
                    (r::F_RECOMMENDATION, json!("Успешно прошёл(шла) обучение; рекомендуется к включению в резерв на должность заместителя директора.")),
                    (r::F_STAGE, json!("recommended")),
                ],
            )
            .await?;
        if c.stage == r::Stage::Recommended {
            continue;
        }
        centre
            .write(25, place, &[(r::F_STAGE, json!("registry"))])
            .await?;
        if c.school == 0 {
            appointed = Some(id);
            centre
                .write(
                    5,
                    place,
                    &[
                        (
                            r::F_APPOINTED_POST,
                            json!("заместитель директора по учебной работе"),
                        ),
                        (r::F_APPOINTED_SCHOOL, json!("МБОУ ООШ № 12 с. Заречное")),
                        (r::F_APPOINTED_ON, json!(day_from_today(-5))),
                    ],
                )
                .await?;
        }
    }
    // A draft withdrawn on the school's laptop while its office computer, which had not heard
    // of it, corrected the position: it waits for the school (or the head) to decide.
    let mut laptop = Desk::new(db, teams[0], "reserve-laptop").await?;
    let id = id_at(20, 0x7f);
    let scope = Scope::School(schools[0]);
    let place = (id, r::CANDIDATE_KIND, &scope, None);
    let office = &mut desks[0];
    office
        .write(
            20,
            place,
            &[
                (r::F_NAME, json!("Гончарова Елена Ивановна")),
                (r::F_POSITION, json!("учитель биологии")),
                (r::F_EXPERIENCE, json!(8)),
                (r::F_BIRTH_YEAR, json!(1991)),
                (r::F_STAGE, json!("draft")),
            ],
        )
        .await?;
    let withdrawn = Desk::deletion_seeing(&[office]);
    laptop
        .write(3, place, &[(model::record::DELETED, withdrawn)])
        .await?;
    office
        .write(
            1,
            place,
            &[(r::F_POSITION, json!("учитель биологии и химии"))],
        )
        .await?;
    // The management posts that became vacant this year: one filled from the reserve, one
    // otherwise, one still open.
    let vacancies = [
        (
            "заместитель директора по учебной работе",
            "МБОУ ООШ № 12 с. Заречное",
            40,
            Some(5),
            appointed,
            "",
        ),
        (
            "директор",
            "МБОУ СОШ № 9 ст. Луговой",
            70,
            Some(20),
            None,
            "Гордеев Сергей Иванович",
        ),
        (
            "заместитель директора по воспитательной работе",
            "МБОУ СОШ № 7 пос. Каменный Брод",
            15,
            None,
            None,
            "",
        ),
    ];
    for (n, (post, place, opened, filled, candidate, appointee)) in
        vacancies.into_iter().enumerate()
    {
        let place_id = (
            id_at(opened, 0xa0 + n as u8),
            r::VACANCY_KIND,
            &Scope::Centre,
            None,
        );
        centre
            .write(
                opened,
                place_id,
                &[
                    (r::V_POST, json!(post)),
                    (r::V_PLACE, json!(place)),
                    (r::V_OPENED_ON, json!(day_from_today(-(opened as i64)))),
                ],
            )
            .await?;
        if let Some(days) = filled {
            let mut fields = vec![(r::V_FILLED_ON, json!(day_from_today(-(days as i64))))];
            if let Some(c) = candidate {
                fields.push((r::V_CANDIDATE, json!(c)));
            } else {
                fields.push((r::V_APPOINTEE, json!(appointee)));
            }
            centre.write(days, place_id, &fields).await?;
        }
    }
    Ok(())
}
