//! The management personnel reserve (002 §V): a school nominates, the centre's commission
//! decides in two stages, the training and the recommendation lead to the registry with the
//! §5.6 fields; a school sees its own nominees only and the registry is the centre's.

mod common;

use calamine::{Reader, Xlsx};
use common::{Device, municipality};
use model::record::{Record, Scope};
use model::reserve::{self as r, Stage};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

fn refused_with(d: &Device, words: &str) -> bool {
    d.refused_messages().iter().any(|m| m.contains(words))
}

#[tokio::test]
async fn a_nominee_goes_from_the_school_to_the_registry() {
    let m = municipality().await;
    let app = &m.app;
    let scope = Scope::School(m.school);
    let id = Uuid::now_v7();

    // The school writes the nomination; sending it half-written is refused in words.
    let mut school = Device::new(&m.team.token, 1);
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_NAME: "Соколова Анна Петровна", r::F_POSITION: "учитель математики", r::F_STAGE: "draft" }),
    );
    school.sync(app).await;
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_STAGE: "nominated" }),
    );
    school.sync(app).await;
    assert!(
        refused_with(&school, "Заполните: стаж, заявка, характеристика"),
        "{:?}",
        school.refused_messages()
    );
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({
            r::F_EXPERIENCE: 12,
            r::F_MANAGEMENT_YEARS: 3,
            r::F_BIRTH_YEAR: 1988,
            r::F_APPLICATION: "Руководит ШМО математиков, результаты ОГЭ её классов выше средних по округу.",
            r::F_REFERENCE: "Инициативна, пользуется уважением коллег.",
            r::F_RELOCATION: "municipality",
            r::F_PHONE: "+7 918 000-00-00",
        }),
    );
    school.sync(app).await;
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_STAGE: "nominated" }),
    );
    school.sync(app).await;
    assert_eq!(school.refused.len(), 1, "{:?}", school.refused_messages());
    let sent = &school.records[&id];
    assert_eq!(r::stage_of(sent), Stage::Nominated);
    assert!(
        sent.text(r::F_NOMINATED_BY)
            .contains(&m.team.profile.full_name)
    );
    assert!(!sent.text(r::F_NOMINATED_ON).is_empty());
    // Sent: the school no longer changes it.
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_EXPERIENCE: 30 }),
    );
    school.sync(app).await;
    assert!(refused_with(&school, "уже направлена"));
    // Nor its files.
    school.edit_child(
        Uuid::now_v7(),
        model::files::ATTACHMENT_KIND,
        &scope,
        Some(id),
        json!({
            model::files::F_NAME: "Ещё одна характеристика.pdf",
            model::files::F_MIME: "application/pdf",
            model::files::F_SIZE: 100,
            model::files::F_SHA256: "ab".repeat(32),
        }),
    );
    school.sync(app).await;
    assert!(refused_with(&school, "её файлы может изменить центр"));

    // Nobody else at the school, no other school, no mentor sees the nominee.
    let other_team = app
        .add_user("team2", model::Role::SchoolTeam, Some(m.other))
        .await;
    for (n, token) in [&m.teacher.token, &m.mentor.token, &other_team.token]
        .into_iter()
        .enumerate()
    {
        let mut d = Device::new(token, 10 + n as u8);
        d.sync(app).await;
        assert!(!d.records.contains_key(&id));
        assert_eq!(app.record(token, id).await.status(), StatusCode::NOT_FOUND);
    }
    // Another school's team cannot write it either.
    let mut other = Device::new(&other_team.token, 8);
    other.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_NAME: "Подмена" }),
    );
    other.sync(app).await;
    assert_eq!(other.refused.len(), 1);

    // The commission: training only after both stages are passed.
    let mut head = Device::new(&m.head.token, 2);
    head.sync(app).await;
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_STAGE: "training" }),
    );
    head.sync(app).await;
    assert!(refused_with(&head, "прошедшие оба этапа"));
    let mut verdicts = serde_json::Map::new();
    for (c, _) in r::CRITERIA {
        verdicts.insert(format!("sel.{c}"), json!("pass"));
        verdicts.insert(
            format!("sel.{c}.reason"),
            json!("Соответствует требованиям положения."),
        );
    }
    verdicts.insert(r::F_QUALITIES.into(), json!("pass"));
    verdicts.insert(r::F_STAGE.into(), json!("training"));
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        serde_json::Value::Object(verdicts),
    );
    head.sync(app).await;
    assert_eq!(head.refused.len(), 1, "{:?}", head.refused_messages());

    // The recommendation needs the three courses' certificates; the registry, a recommendation.
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_RECOMMENDATION: "Рекомендуется.", "course.gmu": "№ 12 от 10.03.2026", r::F_STAGE: "recommended" }),
    );
    head.sync(app).await;
    assert!(refused_with(&head, "всех трёх курсов"));
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({
            "course.gmu": "№ 12 от 10.03.2026",
            "course.management": "№ 44 от 14.04.2026",
            "course.hr": "№ 71 от 20.05.2026",
            r::F_GAMES: true,
            r::F_TRAININGS: true,
            r::F_INTERNSHIP: "МАОУ гимназия № 2, 13.04–17.04.2026",
            r::F_TRAINING_FROM: "2026-02-01",
            r::F_TRAINING_TO: "2026-05-29",
            r::F_RECOMMENDATION: "Рекомендуется к включению в резерв на должность заместителя директора.",
            r::F_STAGE: "recommended",
        }),
    );
    head.sync(app).await;
    assert_eq!(head.refused.len(), 2, "{:?}", head.refused_messages());
    // A training does not end before it began.
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_TRAINING_TO: "2026-01-15" }),
    );
    head.sync(app).await;
    assert!(
        refused_with(
            &head,
            "«Окончание обучения» (15.01.2026) не может быть раньше"
        ),
        "{:?}",
        head.refused_messages()
    );
    head.refused.pop();
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_APPOINTED_POST: "заместитель директора", r::F_APPOINTED_ON: "2026-09-01" }),
    );
    head.sync(app).await;
    assert!(refused_with(&head, "кандидатам из реестра"));
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_STAGE: "registry" }),
    );
    head.sync(app).await;
    assert_eq!(head.refused.len(), 3, "{:?}", head.refused_messages());
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({
            r::F_APPOINTED_POST: "заместитель директора по УВР",
            r::F_APPOINTED_SCHOOL: "МБОУ СОШ № 9",
            r::F_APPOINTED_ON: "2026-09-01",
        }),
    );
    head.sync(app).await;
    assert_eq!(head.refused.len(), 3, "{:?}", head.refused_messages());
    let stored: Record = app.record(&m.head.token, id).await.json().await.unwrap();
    assert_eq!(r::stage_of(&stored), Stage::Registry);
    let entered = stored.text(r::F_REGISTRY_ON);
    assert!(!entered.is_empty(), "the server stamps the day of entry");

    // The programme's indicator computes itself: one entered that year, one appointed.
    let year: i64 = entered[..4].parse().unwrap();
    assert_eq!(
        model::workplan::indicators::computed(
            "reserve_appointed",
            year,
            std::slice::from_ref(&stored)
        ),
        Some((100.0, "1 из 1".to_owned()))
    );

    // The registry as a spreadsheet: the §5.6 columns, the school's full name; the centre's only.
    let res = app
        .http
        .get(format!("{}/api/reserve.xlsx", app.base))
        .bearer_auth(&m.head.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Реестр резерва").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0], r::REGISTRY_COLUMNS.map(str::to_owned).to_vec());
    assert_eq!(rows.len(), 2);
    let row = &rows[1];
    assert_eq!(row[0], "Соколова Анна Петровна");
    assert_eq!(row[1], "Школа поддержки");
    assert_eq!(row[2], "12");
    assert_eq!(row[3], "01.02.2026 — 29.05.2026");
    assert!(row[4].contains("«Менеджмент»: № 44 от 14.04.2026"));
    assert!(row[5].contains("мини-стажировка: МАОУ гимназия № 2"));
    assert_eq!(row[6], "согласен(на) в пределах муниципалитета");
    assert_eq!(row[7], "+7 918 000-00-00");
    assert!(row[8].contains("МБОУ СОШ № 9, с 01.09.2026"));
    for token in [&m.team.token, &m.mentor.token] {
        let res = app
            .http
            .get(format!("{}/api/reserve.xlsx", app.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
}

/// A declined nominee is declined for a reason written beside the criterion; a teacher or a
/// mentor nominates nobody.
#[tokio::test]
async fn a_decline_names_its_criterion_and_only_a_school_team_nominates() {
    let m = municipality().await;
    let app = &m.app;
    let scope = Scope::School(m.school);
    for (n, token) in [&m.teacher.token, &m.mentor.token].into_iter().enumerate() {
        let mut d = Device::new(token, 20 + n as u8);
        d.edit(
            Uuid::now_v7(),
            r::CANDIDATE_KIND,
            &scope,
            json!({ r::F_NAME: "Сам себя", r::F_STAGE: "draft" }),
        );
        d.sync(app).await;
        assert_eq!(d.refused.len(), 1);
    }
    let id = Uuid::now_v7();
    let mut head = Device::new(&m.head.token, 2);
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({
            r::F_NAME: "Иванов Пётр Сергеевич",
            r::F_POSITION: "учитель истории",
            r::F_EXPERIENCE: 2,
            r::F_APPLICATION: "Молодой активный педагог.",
            r::F_REFERENCE: "Исполнителен.",
            r::F_STAGE: "nominated",
        }),
    );
    head.sync(app).await;
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_STAGE: "declined" }),
    );
    head.sync(app).await;
    assert!(refused_with(&head, "какому требованию"));
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({
            "sel.experience": "fail",
            "sel.experience.reason": "Стаж 2 года при требуемых 5.",
            r::F_STAGE: "declined",
        }),
    );
    head.sync(app).await;
    assert_eq!(head.refused.len(), 1, "{:?}", head.refused_messages());
    // The school reads the decision with its reason.
    let mut school = Device::new(&m.team.token, 1);
    school.sync(app).await;
    let got = &school.records[&id];
    assert_eq!(r::stage_of(got), Stage::Declined);
    assert_eq!(r::criterion(got, "experience"), Some(false));
    assert!(got.text("sel.experience.reason").contains("Стаж 2 года"));
}

/// A nomination sent back to the school says what to improve, and a candidate declined during
/// training says why, in the centre's note the school reads (the commission's verdicts, which
/// admitted the candidate, stay as they were).
#[tokio::test]
async fn a_nomination_sent_back_or_declined_in_training_tells_the_school_why() {
    let m = municipality().await;
    let app = &m.app;
    let scope = Scope::School(m.school);
    let id = Uuid::now_v7();
    let mut head = Device::new(&m.head.token, 2);
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({
            r::F_NAME: "Орлова Мария Игоревна",
            r::F_POSITION: "учитель биологии",
            r::F_EXPERIENCE: 9,
            r::F_APPLICATION: "Руководит методическим объединением.",
            r::F_REFERENCE: "Ответственна.",
            r::F_STAGE: "nominated",
        }),
    );
    head.sync(app).await;
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_STAGE: "draft" }),
    );
    head.sync(app).await;
    assert!(
        refused_with(&head, "что доработать"),
        "{:?}",
        head.refused_messages()
    );
    head.refused.clear();
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_CENTRE_NOTE: "Приложите характеристику, подписанную директором.", r::F_STAGE: "draft" }),
    );
    head.sync(app).await;
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());
    let mut school = Device::new(&m.team.token, 1);
    school.sync(app).await;
    let got = &school.records[&id];
    assert_eq!(r::stage_of(got), Stage::Draft);
    assert!(got.text(r::F_CENTRE_NOTE).contains("характеристику"));
    // The school cannot write the centre's note.
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_CENTRE_NOTE: "Всё хорошо." }),
    );
    school.sync(app).await;
    assert_eq!(school.refused.len(), 1, "{:?}", school.refused_messages());

    // Admitted to training on both stages, then declined there: the note is the reason.
    let mut admit = serde_json::Map::new();
    for (c, _) in r::CRITERIA {
        admit.insert(format!("sel.{c}"), json!("pass"));
    }
    admit.insert(r::F_QUALITIES.into(), json!("pass"));
    admit.insert(r::F_STAGE.into(), json!("nominated"));
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        serde_json::Value::Object(admit),
    );
    head.sync(app).await;
    // Sent on again, the note that sent it back is done with: the next return needs its own.
    assert!(head.records[&id].text(r::F_CENTRE_NOTE).is_empty());
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_STAGE: "draft" }),
    );
    head.sync(app).await;
    assert!(
        refused_with(&head, "что доработать"),
        "{:?}",
        head.refused_messages()
    );
    head.refused.clear();
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_STAGE: "training" }),
    );
    head.sync(app).await;
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_CENTRE_NOTE: "", r::F_STAGE: "declined" }),
    );
    head.sync(app).await;
    assert!(
        refused_with(&head, "почему кандидату отказано"),
        "{:?}",
        head.refused_messages()
    );
    head.refused.clear();
    head.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_CENTRE_NOTE: "Не завершила курс «Менеджмент».", r::F_STAGE: "declined" }),
    );
    head.sync(app).await;
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());
    school.sync(app).await;
    assert_eq!(r::stage_of(&school.records[&id]), Stage::Declined);
}

/// A candidate taken off keeps the stage it had: a school cannot move its draft to the
/// registry while it is deleted and then put it back.
#[tokio::test]
async fn a_deleted_candidate_moves_no_stage_the_living_one_could_not() {
    let m = municipality().await;
    let app = &m.app;
    let scope = Scope::School(m.school);
    let id = Uuid::now_v7();
    let mut school = Device::new(&m.team.token, 1);
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ r::F_NAME: "Петров Олег Иванович", r::F_POSITION: "учитель физики", r::F_STAGE: "draft" }),
    );
    school.sync(app).await;
    let deletion = school.records[&id].deletion_value();
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ model::record::DELETED: deletion }),
    );
    school.sync(app).await;
    assert!(school.refused.is_empty(), "{:?}", school.refused_messages());
    for stage in ["registry", "training", "nominated"] {
        school.edit(id, r::CANDIDATE_KIND, &scope, json!({ r::F_STAGE: stage }));
        school.sync(app).await;
    }
    school.edit(
        id,
        r::CANDIDATE_KIND,
        &scope,
        json!({ model::record::DELETED: {"deleted": false} }),
    );
    school.sync(app).await;
    assert_eq!(school.refused.len(), 3, "{:?}", school.refused_messages());
    let stored: Record = app.record(&m.head.token, id).await.json().await.unwrap();
    assert!(!stored.is_deleted());
    assert_eq!(r::stage_of(&stored), Stage::Draft);
    assert!(stored.text(r::F_REGISTRY_ON).is_empty());
}

/// Vacant management posts are the centre's: the head records them and how they were filled,
/// and two indicators of the programme count them; nobody else writes or reads them.
#[tokio::test]
async fn vacant_posts_are_the_centres_and_the_shares_count_themselves() {
    use model::workplan::indicators::computed;
    let m = municipality().await;
    let app = &m.app;
    let mut head = Device::new(&m.head.token, 2);
    let reserve_person = registry_candidate(&mut head, app, m.school).await;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    head.edit(
        a,
        r::VACANCY_KIND,
        &Scope::Centre,
        json!({ r::V_POST: "директор", r::V_PLACE: "МБОУ СОШ № 9", r::V_OPENED_ON: "2026-06-30",
                r::V_FILLED_ON: "2026-09-01", r::V_CANDIDATE: reserve_person }),
    );
    head.edit(
        b,
        r::VACANCY_KIND,
        &Scope::Centre,
        json!({ r::V_POST: "заместитель директора", r::V_PLACE: "МБОУ ООШ № 3", r::V_OPENED_ON: "2026-05-15",
                r::V_FILLED_ON: "2026-08-20", r::V_APPOINTEE: "Гордеев С. И." }),
    );
    // Someone who is not in the registry is not appointed «from the reserve».
    head.edit(
        Uuid::now_v7(),
        r::VACANCY_KIND,
        &Scope::Centre,
        json!({ r::V_POST: "директор", r::V_OPENED_ON: "2026-03-01", r::V_CANDIDATE: Uuid::now_v7() }),
    );
    head.sync(app).await;
    assert_eq!(head.refused.len(), 1, "{:?}", head.refused_messages());
    assert!(refused_with(&head, "кандидата из реестра"));
    // A post is not filled before it fell vacant.
    head.refused.clear();
    head.edit(
        Uuid::now_v7(),
        r::VACANCY_KIND,
        &Scope::Centre,
        json!({ r::V_POST: "директор", r::V_OPENED_ON: "2026-03-01", r::V_FILLED_ON: "2026-02-01" }),
    );
    head.sync(app).await;
    assert!(
        refused_with(
            &head,
            "«Замещена» (01.02.2026) не может быть раньше, чем «Вакантна с» (01.03.2026)"
        ),
        "{:?}",
        head.refused_messages()
    );
    let all: Vec<Record> = head.records.values().cloned().collect();
    assert_eq!(
        computed("reserve_vacancies", 2026, &all),
        Some((50.0, "1 из 2".to_owned()))
    );
    assert_eq!(
        computed("reserve_share", 2026, &all),
        Some((50.0, "1 из 2".to_owned()))
    );
    assert_eq!(computed("reserve_share", 2025, &all), None);
    for (n, token) in [&m.team.token, &m.mentor.token, &m.teacher.token]
        .into_iter()
        .enumerate()
    {
        let mut d = Device::new(token, 30 + n as u8);
        d.edit(
            Uuid::now_v7(),
            r::VACANCY_KIND,
            &Scope::Centre,
            json!({ r::V_POST: "директор" }),
        );
        d.sync(app).await;
        assert_eq!(d.refused.len(), 1);
        assert!(!d.records.contains_key(&a));
    }
}

/// A candidate the head takes from a nomination to the registry; returns the id.
async fn registry_candidate(head: &mut Device, app: &common::TestApp, school: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    let scope = Scope::School(school);
    let mut verdicts = serde_json::Map::new();
    for (c, _) in r::CRITERIA {
        verdicts.insert(format!("sel.{c}"), json!("pass"));
    }
    verdicts.insert(r::F_QUALITIES.into(), json!("pass"));
    verdicts.insert(r::F_STAGE.into(), json!("training"));
    let steps = [
        json!({
            r::F_NAME: "Зайцева Марина Александровна", r::F_POSITION: "учитель математики",
            r::F_EXPERIENCE: 12, r::F_APPLICATION: "Руководит ШМО.", r::F_REFERENCE: "Инициативна.",
            r::F_STAGE: "nominated",
        }),
        serde_json::Value::Object(verdicts),
        json!({
            "course.gmu": "№ 1", "course.management": "№ 2", "course.hr": "№ 3",
            r::F_TRAINING_FROM: "2026-02-01", r::F_TRAINING_TO: "2026-05-29",
            r::F_RECOMMENDATION: "Рекомендуется.", r::F_RELOCATION: "no", r::F_PHONE: "+7 900 000-00-00",
            r::F_STAGE: "recommended",
        }),
        json!({ r::F_STAGE: "registry" }),
    ];
    for step in steps {
        head.edit(id, r::CANDIDATE_KIND, &scope, step);
        head.sync(app).await;
    }
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());
    id
}
