//! The demo's school support (002 §4.3–§4.6): anti-risk programmes of two schools, consultations
//! in every state, mentors' visits and targeted recommendations from them — written through the
//! same batch step as every device's edits (so the kinds' rules check them), each by the person
//! who would have made it, dated relative to today so the demo never goes stale.

use model::UserProfile;
use model::forms::recommendation as rec;
use model::record::Scope;
use model::support::consultation as c;
use model::support::programme::{self as p};
use model::support::visit as v;
use serde_json::{Value, json};
use uuid::Uuid;

use super::desk::{Desk, day_from_today, id_at};
use crate::storage::{Db, now_ms};

fn date(days_from_today: i64) -> Value {
    json!(day_from_today(days_from_today))
}

/// The people: the head, the mentor (schools 0 and 1), the curator (1 and 2), school 0's team.
pub struct People<'a> {
    pub head: &'a UserProfile,
    pub mentor: &'a UserProfile,
    pub curator: &'a UserProfile,
    pub team: &'a UserProfile,
}

pub async fn load(db: &Db, people: People<'_>, schools: &[Uuid]) -> anyhow::Result<()> {
    let mut head = Desk::new(db, people.head, "support").await?;
    let mut mentor = Desk::new(db, people.mentor, "support").await?;
    let mut curator = Desk::new(db, people.curator, "support").await?;
    let mut team = Desk::new(db, people.team, "support").await?;
    let s0 = Scope::School(schools[0]);
    let s1 = Scope::School(schools[1]);
    let year = i64::from(
        model::forms::answer::iso_day(now_ms() as u64)[..4]
            .parse::<i32>()
            .unwrap_or(2026),
    );

    // ---- school 0: a programme drafted with the mentor, presented and approved ----
    let pid = p::programme_id(schools[0], year);
    let prog = (pid, p::PROGRAMME_KIND, &s0, None);
    team.write(
        300,
        prog,
        &[
            (p::F_YEAR, json!(year)),
            (
                p::F_TITLE,
                json!(format!("Антирисковая программа МБОУ СОШ № 4 на {year} год")),
            ),
        ],
    )
    .await?;
    let staff = p::section_id(pid, "staff_shortage");
    let motivation = p::section_id(pid, "motivation");
    let sec = |id| (id, p::SECTION_KIND, &s0, Some(pid));
    team.write(299, sec(staff), &[
        (p::F_FACTOR, json!("staff_shortage")),
        (p::F_LEVEL, json!("high")),
        (p::F_GOAL, json!("Обеспечить школу учителями математики и русского языка и снизить нагрузку на работающих педагогов.")),
        (p::F_TASKS, json!("1. Закрыть вакансии учителя математики и учителя русского языка.\n2. Привлечь выпускников педагогического колледжа по целевому обучению.\n3. Организовать наставничество для молодых педагогов.")),
    ]).await?;
    team.write(299, sec(motivation), &[
        (p::F_FACTOR, json!("motivation")),
        (p::F_LEVEL, json!("medium")),
        (p::F_GOAL, json!("Повысить учебную мотивацию обучающихся 5–9 классов.")),
        (p::F_TASKS, json!("1. Ввести проектную деятельность в 7–8 классах.\n2. Проводить профориентационные встречи с предприятиями округа.")),
    ]).await?;
    mentor.write(290, sec(staff), &[
        (p::F_COMMENT, json!("Задачи реалистичны. Добавьте показатель по доле уроков, которые ведут учителя не по профилю.")),
    ]).await?;
    let indicators = [
        (
            staff,
            1,
            "Число вакансий педагогов",
            "чел.",
            3.0,
            1.0,
            [3.0, 2.0, 2.0],
        ),
        (
            staff,
            2,
            "Доля уроков, которые ведут учителя не по профилю",
            "%",
            18.0,
            5.0,
            [16.0, 12.0, 9.0],
        ),
        (
            motivation,
            3,
            "Доля обучающихся 5–9 классов, участвующих в проектах",
            "%",
            12.0,
            40.0,
            [15.0, 20.0, 22.0],
        ),
    ];
    for (section, n, name, unit, base, target, q) in indicators {
        let id = id_at(288, n);
        team.write(
            288,
            (id, p::INDICATOR_KIND, &s0, Some(section)),
            &[
                (p::F_NAME, json!(name)),
                (p::F_UNIT, json!(unit)),
                (p::F_BASELINE, json!(base)),
                (p::F_TARGET, json!(target)),
            ],
        )
        .await?;
        // The quarters that have ended this year get their actuals.
        let ended = model::support::quarters_ended(
            year as i32,
            &model::forms::answer::iso_day(now_ms() as u64),
        );
        for (i, value) in q.iter().enumerate().take(usize::from(ended)) {
            team.write(
                200 - 60 * i as u64,
                (id, p::INDICATOR_KIND, &s0, Some(section)),
                &[(p::F_QUARTERS[i], json!(value))],
            )
            .await?;
        }
    }
    let measures = [
        (
            staff,
            11,
            "Заключить договоры о целевом обучении с двумя выпускниками педагогического колледжа",
            "staff",
            -200,
            "done",
            "Договоры № 14 и № 15 от 12.03 заключены.",
        ),
        (
            staff,
            12,
            "Курсы переподготовки «Математика» для учителя физики",
            "qualification",
            -20,
            "in_progress",
            "",
        ),
        (
            staff,
            13,
            "Школа молодого педагога: наставничество для учителей со стажем до 3 лет",
            "methodical",
            60,
            "planned",
            "",
        ),
        (
            motivation,
            14,
            "Проектная неделя в 7–8 классах с защитой проектов",
            "methodical",
            -90,
            "done",
            "Защищено 14 проектов, приказ № 88 от 20.04.",
        ),
        (
            motivation,
            15,
            "Профориентационные встречи с агрохолдингом «Кубань-Зерно»",
            "management",
            -10,
            "planned",
            "",
        ),
    ];
    for (section, n, content, support, deadline, status, evidence) in measures {
        let id = id_at(287, n);
        let mut fields = vec![
            (p::F_CONTENT, json!(content)),
            (p::F_SUPPORT, json!(support)),
            (p::F_DEADLINE, date(deadline)),
            (
                p::F_RESPONSIBLE,
                json!("Лебедева Т. А., заместитель директора по УВР"),
            ),
            (p::F_STATUS, json!(status)),
        ];
        if !evidence.is_empty() {
            fields.push((p::F_EVIDENCE, json!(evidence)));
        }
        team.write(287, (id, p::MEASURE_KIND, &s0, Some(section)), &fields)
            .await?;
    }
    head.write(270, prog, &[
        (p::F_PRESENTED_ON, date(-270)),
        (p::F_PRESENTED_WHO, json!("Куратор ИРО; заместитель начальника управления образования; руководитель МНЦ Соколова М. П.; директор и заместители директора школы.")),
        (p::F_VERDICT, json!("approved")),
    ]).await?;

    // ---- school 1: a programme just started with the curator ----
    let pid1 = p::programme_id(schools[1], year);
    curator
        .write(
            40,
            (pid1, p::PROGRAMME_KIND, &s1, None),
            &[
                (p::F_YEAR, json!(year)),
                (
                    p::F_TITLE,
                    json!(format!(
                        "Антирисковая программа МБОУ ООШ № 12 на {year} год"
                    )),
                ),
            ],
        )
        .await?;
    let failure = p::section_id(pid1, "failure");
    curator
        .write(
            40,
            (failure, p::SECTION_KIND, &s1, Some(pid1)),
            &[
                (p::F_FACTOR, json!("failure")),
                (p::F_LEVEL, json!("high")),
                (
                    p::F_GOAL,
                    json!("Снизить долю обучающихся с рисками учебной неуспешности."),
                ),
            ],
        )
        .await?;

    // ---- visits ----
    let lesson = id_at(45, 21);
    mentor.write(45, (lesson, v::KIND, &s0, None), &[
        (v::F_TYPE, json!(v::LESSON)),
        (v::F_DATE, date(-45)),
        (v::F_PLACE, json!("МБОУ СОШ № 4, кабинет 12")),
        (v::F_PARTICIPANTS, json!("Белова И. В. (наставник), Лебедева Т. А. (заместитель директора)")),
        (v::F_GRADE, json!("7 «А»")),
        (v::F_SUBJECT, json!("Математика")),
        (v::F_TEACHER, json!("Петренко Н. Г.")),
        (v::F_OBSERVED, json!("Урок открытия новых знаний «Линейная функция». Работа в парах, самопроверка по образцу.")),
        (v::F_STRENGTHS, json!("Чёткая постановка цели, доброжелательная атмосфера, работа в парах.")),
        (v::F_WEAKNESSES, json!("Нет дифференцированных заданий для слабых обучающихся; рефлексия формальная.")),
        (v::F_FINDINGS, json!("Рекомендовано включить разноуровневые задания и обсудить приёмы рефлексии на методическом объединении.")),
    ]).await?;
    mentor.write(60, (id_at(60, 22), v::KIND, &s0, None), &[
        (v::F_TYPE, json!("interview")),
        (v::F_DATE, date(-60)),
        (v::F_PARTICIPANTS, json!("Директор, заместители директора по УВР и ВР")),
        (v::F_FINDINGS, json!("Обсуждены итоги самоанализа и дефициты управленческой команды; согласован график посещений уроков.")),
    ]).await?;
    curator.write(20, (id_at(20, 23), v::KIND, &s1, None), &[
        (v::F_TYPE, json!("documents")),
        (v::F_DATE, date(-20)),
        (v::F_FINDINGS, json!("Изучены положение о ВСОКО и план внутришкольного контроля: контроль уроков не связан с анализом результатов ВПР.")),
    ]).await?;

    // ---- consultations: closed, agreed, new to a chosen specialist ----
    let closed = id_at(80, 31);
    let cons = |id| (id, c::KIND, &s0, None);
    team.write(80, cons(closed), &[
        (c::F_TOPIC, json!("Анализ результатов ВПР по математике")),
        (c::F_QUESTION, json!("Как выстроить работу с обучающимися, не справившимися с ВПР, до конца четверти?")),
        (c::F_FORMAT, json!("remote")),
        (c::F_WISHED, json!("любой день после 14:00")),
        (c::F_STATE, json!("new")),
    ]).await?;
    mentor
        .write(
            78,
            cons(closed),
            &[
                (c::F_MEETING_ON, date(-75)),
                (c::F_MEETING_AT, json!("15:00")),
                (c::F_PLACE, json!("Видеосвязь: ссылка в письме")),
                (c::F_STATE, json!("agreed")),
            ],
        )
        .await?;
    mentor.write(75, cons(closed), &[
        (c::F_OUTCOME, json!("Разобраны типичные ошибки по заданиям 6, 9 и 12; составлен список обучающихся группы риска.")),
        (c::F_ADVICE, json!("Организовать консультации два раза в неделю; использовать банк заданий ФИПИ для отработки.")),
        (c::F_STATE, json!("held")),
    ]).await?;
    team.write(74, cons(closed), &[(c::F_STATE, json!("closed"))])
        .await?;
    let agreed = id_at(6, 32);
    team.write(
        6,
        cons(agreed),
        &[
            (
                c::F_TOPIC,
                json!("Подготовка к публичному отчёту о выполнении программы"),
            ),
            (c::F_FORMAT, json!("in_person")),
            (c::F_WISHED, json!("на следующей неделе")),
            (c::F_STATE, json!("new")),
        ],
    )
    .await?;
    mentor
        .write(
            5,
            cons(agreed),
            &[
                (c::F_MEETING_ON, date(5)),
                (c::F_MEETING_AT, json!("10:00")),
                (c::F_PLACE, json!("МБОУ СОШ № 4, кабинет директора")),
                (c::F_STATE, json!("agreed")),
            ],
        )
        .await?;
    team.write(2, cons(id_at(2, 33)), &[
        (c::F_TOPIC, json!("Наставничество для молодых педагогов")),
        (c::F_QUESTION, json!("Нужен пример положения о наставничестве и плана работы пары «наставник — молодой педагог».")),
        (c::F_FORMAT, json!("remote")),
        (model::kinds::ADDRESSEE, json!(people.curator.id.to_string())),
        (c::F_STATE, json!("new")),
    ]).await?;

    // ---- recommendations: from the visit (included in the programme), from the consultation ----
    let from_visit = id_at(44, 41);
    let r0 = |id| (id, rec::RECOMMENDATION_KIND, &s0, None);
    mentor.write(44, r0(from_visit), &[
        (rec::F_TITLE, json!("Дифференциация заданий на уроках математики")),
        (rec::F_TEXT, json!("Включать в каждый урок разноуровневые задания; на методическом объединении разобрать приёмы рефлексии; посетить повторно уроки в 7 «А» через месяц.")),
        (rec::F_SOURCE, json!("visit")),
        (rec::F_SOURCE_ID, json!(lesson.to_string())),
        (rec::F_FACTOR, json!("failure")),
        (rec::F_PERSON, json!("Петренко Н. Г., учитель математики")),
        (rec::F_DEADLINE, date(30)),
        (rec::F_STATE, json!("sent")),
    ]).await?;
    let from_visit_measure = id_at(40, 42);
    let failure0 = p::section_id(pid, "failure");
    team.write(
        40,
        (failure0, p::SECTION_KIND, &s0, Some(pid)),
        &[(p::F_FACTOR, json!("failure"))],
    )
    .await?;
    team.write(40, (from_visit_measure, p::MEASURE_KIND, &s0, Some(failure0)), &[
        (p::F_CONTENT, json!("Дифференциация заданий на уроках математики: разноуровневые задания в каждом уроке, разбор приёмов рефлексии на МО.")),
        (p::F_SUPPORT, json!("methodical")),
        (p::F_DEADLINE, date(30)),
        (p::F_STATUS, json!("in_progress")),
        (p::F_SOURCE, json!(from_visit.to_string())),
    ]).await?;
    team.write(
        40,
        r0(from_visit),
        &[
            (rec::F_ACK, json!(true)),
            (rec::F_MEASURE, json!(from_visit_measure.to_string())),
        ],
    )
    .await?;
    mentor.write(73, r0(id_at(73, 43)), &[
        (rec::F_TITLE, json!("Работа с обучающимися группы риска по математике")),
        (rec::F_TEXT, json!("Консультации два раза в неделю по расписанию; отработка заданий по банку ФИПИ; ежемесячный мониторинг результатов группы.")),
        (rec::F_SOURCE, json!("consultation")),
        (rec::F_SOURCE_ID, json!(closed.to_string())),
        (rec::F_FACTOR, json!("failure")),
        (rec::F_DEADLINE, date(-10)),
        (rec::F_STATE, json!("sent")),
    ]).await?;
    curator.write(15, (id_at(15, 44), rec::RECOMMENDATION_KIND, &s1, None), &[
        (rec::F_TITLE, json!("Связать внутришкольный контроль с результатами ВПР")),
        (rec::F_TEXT, json!("Черновик: дополнить план ВШК посещениями уроков в классах с низкими результатами ВПР.")),
        (rec::F_SOURCE, json!("visit")),
        (rec::F_STATE, json!("draft")),
    ]).await?;
    Ok(())
}
