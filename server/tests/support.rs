//! School support over real HTTP (002 §4.3–§4.6): a consultation moves between its states only
//! by the side whose move it is and reaches the specialist asked; a sent recommendation is
//! acknowledged by the school (the server stamps who) and made a measure of its programme; the
//! programme's parts take each person's fields only; the exports hold what the caller reads;
//! the demo municipality shows all of it.

mod common;

use common::{Device, TestApp};
use model::Role;
use model::forms::recommendation as rec;
use model::kinds::ADDRESSEE;
use model::record::Scope;
use model::support::consultation as c;
use model::support::programme as p;
use model::support::visit as v;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

struct World {
    app: TestApp,
    school: Uuid,
    other: Uuid,
    team: String,
    teacher: String,
    teacher_id: Uuid,
    mentor: String,
    specialist: (String, Uuid),
    head: String,
}

async fn world() -> World {
    let m = common::municipality().await;
    // A specialist of the centre not assigned to the school.
    let specialist = m.app.add_user("expert1", Role::Curator, None).await;
    World {
        school: m.school,
        other: m.other,
        team: m.team.token,
        teacher: m.teacher.token,
        teacher_id: m.teacher.profile.id,
        mentor: m.mentor.token,
        specialist: (specialist.token, specialist.profile.id),
        head: m.head.token,
        app: m.app,
    }
}

#[tokio::test]
async fn a_consultation_goes_from_the_school_to_the_specialist_and_back() {
    let w = world().await;
    let scope = Scope::School(w.school);
    let mut team = Device::new(&w.team, 1);
    let mut mentor = Device::new(&w.mentor, 2);
    let mut expert = Device::new(&w.specialist.0, 3);
    let mut teacher = Device::new(&w.teacher, 4);

    // The school asks its mentor; it cannot agree its own request.
    let id = Uuid::now_v7();
    team.edit(
        id,
        c::KIND,
        &scope,
        json!({"topic": "ВСОКО", "format": "remote", "state": "new"}),
    );
    team.sync(&w.app).await;
    assert!(team.refused.is_empty(), "{:?}", team.refused_messages());
    team.edit(
        id,
        c::KIND,
        &scope,
        json!({"state": "agreed", "meeting_on": "2027-02-01"}),
    );
    team.sync(&w.app).await;
    assert_eq!(
        team.refused.len(),
        1,
        "the school cannot agree its own request"
    );
    team.refused.clear();

    // The mentor sees it, agrees a date (a date is needed first), holds it.
    mentor.sync(&w.app).await;
    let r = mentor
        .records
        .get(&id)
        .expect("the mentor reads the request");
    assert_eq!(
        r.text(c::F_REQUESTER),
        "Тестовый пользователь team1",
        "stamped by the server"
    );
    mentor.edit(id, c::KIND, &scope, json!({"state": "agreed"}));
    mentor.sync(&w.app).await;
    assert!(
        mentor.refused_messages()[0].contains("дату"),
        "{:?}",
        mentor.refused_messages()
    );
    mentor.refused.clear();
    mentor.edit(
        id,
        c::KIND,
        &scope,
        json!({"meeting_on": "2027-02-01", "place": "https://vk.example/1", "state": "agreed"}),
    );
    mentor.sync(&w.app).await;
    assert!(mentor.refused.is_empty(), "{:?}", mentor.refused_messages());
    // The school may no longer change the question once it is agreed.
    team.sync(&w.app).await;
    assert_eq!(team.records[&id].text(c::F_STATE), "agreed");
    team.edit(id, c::KIND, &scope, json!({"topic": "Другое"}));
    team.sync(&w.app).await;
    assert!(
        team.refused_messages()[0].contains("новый запрос"),
        "{:?}",
        team.refused_messages()
    );
    team.refused.clear();
    mentor.edit(id, c::KIND, &scope, json!({"outcome": "Разобрали положение о ВСОКО.", "advice": "Дополнить положение", "state": "held"}));
    mentor.sync(&w.app).await;
    assert!(mentor.refused.is_empty(), "{:?}", mentor.refused_messages());
    team.sync(&w.app).await;
    assert_eq!(
        team.records[&id].text(c::F_HANDLER),
        "Тестовый пользователь mentor1"
    );
    team.edit(id, c::KIND, &scope, json!({"state": "closed"}));
    team.sync(&w.app).await;
    assert!(team.refused.is_empty(), "{:?}", team.refused_messages());
    // Closed is final, for everybody.
    mentor.sync(&w.app).await;
    mentor.edit(id, c::KIND, &scope, json!({"advice": "Ещё совет"}));
    mentor.sync(&w.app).await;
    assert!(
        mentor.refused_messages()[0].contains("закрыта"),
        "{:?}",
        mentor.refused_messages()
    );

    // A specialist not assigned to the school sees only what is asked of them.
    expert.sync(&w.app).await;
    assert!(!expert.records.contains_key(&id));
    let asked = Uuid::now_v7();
    team.edit(
        asked,
        c::KIND,
        &scope,
        json!({"topic": "Наставничество", "state": "new", ADDRESSEE: w.specialist.1.to_string()}),
    );
    team.sync(&w.app).await;
    assert!(team.refused.is_empty(), "{:?}", team.refused_messages());
    expert.sync(&w.app).await;
    assert!(
        expert.records.contains_key(&asked),
        "the specialist asked reads it"
    );
    assert!(!expert.records.contains_key(&id));
    // Not assigned to the school, they learn its name from the request: the server stamped it,
    // and no device may write it.
    assert_eq!(expert.records[&asked].text(c::F_SCHOOL), "Школа поддержки");
    team.edit(
        asked,
        c::KIND,
        &scope,
        json!({ c::F_SCHOOL: "Образцовая школа" }),
    );
    team.sync(&w.app).await;
    assert_eq!(team.refused.len(), 1, "{:?}", team.refused_messages());
    team.refused.clear();
    let res = w
        .app
        .http
        .get(format!("{}/api/consultations.xlsx", w.app.base))
        .bearer_auth(&w.specialist.0)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = xlsx_text(&res.bytes().await.unwrap(), &["sheet1"]);
    assert!(
        text.contains("Школа поддержки") && text.contains("Наставничество"),
        "{text}"
    );
    expert.edit(
        asked,
        c::KIND,
        &scope,
        json!({"decline_reason": "В отпуске до марта", "state": "declined"}),
    );
    expert.sync(&w.app).await;
    assert!(expert.refused.is_empty(), "{:?}", expert.refused_messages());
    // Only a specialist of the centre can be asked by name (a teacher would read the request).
    let to_teacher = Uuid::now_v7();
    team.edit(
        to_teacher,
        c::KIND,
        &scope,
        json!({"topic": "Чужими руками", "state": "new", ADDRESSEE: w.teacher_id.to_string()}),
    );
    team.sync(&w.app).await;
    assert!(
        team.refused_messages()[0].contains("Такого специалиста центра нет"),
        "{:?}",
        team.refused_messages()
    );
    team.refused.clear();
    // Teachers do not see the school's requests.
    teacher.sync(&w.app).await;
    assert!(!teacher.records.values().any(|r| r.kind == c::KIND));

    // The log: the head's has both, as a spreadsheet; a teacher gets none.
    let res = w
        .app
        .http
        .get(format!("{}/api/consultations.xlsx", w.app.base))
        .bearer_auth(&w.head)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = xlsx_text(&res.bytes().await.unwrap(), &["sheet1"]);
    assert!(
        text.contains("ВСОКО") && text.contains("Наставничество"),
        "{text}"
    );
    assert!(text.contains("В отпуске до марта"));
    let res = w
        .app
        .http
        .get(format!("{}/api/consultations.xlsx", w.app.base))
        .bearer_auth(&w.teacher)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_sent_recommendation_is_acknowledged_and_becomes_a_measure_of_the_programme() {
    let w = world().await;
    let scope = Scope::School(w.school);
    let mut team = Device::new(&w.team, 1);
    let mut mentor = Device::new(&w.mentor, 2);
    let visit = Uuid::now_v7();
    mentor.edit(
        visit,
        v::KIND,
        &scope,
        json!({"type": "lesson", "date": "2027-01-20", "subject": "Математика"}),
    );
    let r = Uuid::now_v7();
    mentor.edit(r, rec::RECOMMENDATION_KIND, &scope, json!({
        "title": "Дифференциация", "text": "Разноуровневые задания", "state": "draft",
        "source": "visit", "source_id": visit.to_string(), "factor": "failure", "deadline": "2027-03-01"
    }));
    mentor.sync(&w.app).await;
    assert!(mentor.refused.is_empty(), "{:?}", mentor.refused_messages());

    // A draft: the school neither reads nor acknowledges it.
    team.sync(&w.app).await;
    assert!(!team.records.contains_key(&r));
    assert!(
        team.records.contains_key(&visit),
        "the school reads the visit"
    );
    team.edit(
        r,
        rec::RECOMMENDATION_KIND,
        &scope,
        json!({"acknowledged": true}),
    );
    team.sync(&w.app).await;
    assert_eq!(team.refused.len(), 1);
    team.refused.clear();
    team.records.remove(&r);

    mentor.edit(
        r,
        rec::RECOMMENDATION_KIND,
        &scope,
        json!({"state": "sent"}),
    );
    mentor.sync(&w.app).await;
    team.sync(&w.app).await;
    assert!(team.records.contains_key(&r));

    // The school makes it a measure of this year's programme, in one go.
    let year = 2027;
    let pid = p::programme_id(w.school, year);
    let sid = p::section_id(pid, "failure");
    let mid = Uuid::now_v7();
    team.edit(pid, p::PROGRAMME_KIND, &scope, json!({"year": year}));
    team.edit_child(
        sid,
        p::SECTION_KIND,
        &scope,
        Some(pid),
        json!({"factor": "failure"}),
    );
    team.edit_child(mid, p::MEASURE_KIND, &scope, Some(sid), json!({
        "content": "Дифференциация", "support": "methodical", "status": "planned", "source": r.to_string()
    }));
    team.edit(
        r,
        rec::RECOMMENDATION_KIND,
        &scope,
        json!({"acknowledged": true, "measure": mid.to_string()}),
    );
    team.sync(&w.app).await;
    assert!(team.refused.is_empty(), "{:?}", team.refused_messages());
    assert_eq!(
        team.records[&r].text(rec::F_ACK_BY),
        "Тестовый пользователь team1"
    );
    assert!(model::forms::answer::is_date(
        &team.records[&r].text(rec::F_ACK_ON)
    ));
    // …but it cannot change the mentor's text.
    team.edit(
        r,
        rec::RECOMMENDATION_KIND,
        &scope,
        json!({"text": "Свой текст"}),
    );
    team.sync(&w.app).await;
    assert!(
        team.refused_messages()[0].contains("Нет права"),
        "{:?}",
        team.refused_messages()
    );

    mentor.sync(&w.app).await;
    assert_eq!(mentor.records[&mid].text(p::F_SOURCE), r.to_string());
}

#[tokio::test]
async fn each_person_writes_only_their_part_of_a_programme() {
    let w = world().await;
    let scope = Scope::School(w.school);
    let mut team = Device::new(&w.team, 1);
    let mut team2 = Device::new(&w.team, 5);
    let mut mentor = Device::new(&w.mentor, 2);
    let mut head = Device::new(&w.head, 3);
    let year = 2027;
    let pid = p::programme_id(w.school, year);

    // The wrong id for the year is refused; the right one is one record on two computers.
    team.edit(
        Uuid::now_v7(),
        p::PROGRAMME_KIND,
        &scope,
        json!({"year": year}),
    );
    team.sync(&w.app).await;
    assert_eq!(team.refused.len(), 1);
    team.refused.clear();
    team.edit(
        pid,
        p::PROGRAMME_KIND,
        &scope,
        json!({"year": year, "title": "Программа"}),
    );
    team2.edit(
        pid,
        p::PROGRAMME_KIND,
        &scope,
        json!({"year": year, "analysis": "Итоги года"}),
    );
    let sid = p::section_id(pid, "parents");
    team.edit_child(
        sid,
        p::SECTION_KIND,
        &scope,
        Some(pid),
        json!({"factor": "parents", "goal": "Вовлечь родителей"}),
    );
    team2.edit_child(
        sid,
        p::SECTION_KIND,
        &scope,
        Some(pid),
        json!({"factor": "parents", "level": "high", "tasks": "Родительский клуб"}),
    );
    team.sync(&w.app).await;
    team2.sync(&w.app).await;
    team.sync(&w.app).await;
    assert!(
        team.refused.is_empty() && team2.refused.is_empty(),
        "{:?} {:?}",
        team.refused_messages(),
        team2.refused_messages()
    );
    let s = &team.records[&sid];
    assert_eq!(
        (s.text(p::F_GOAL).as_str(), s.text(p::F_TASKS).as_str()),
        ("Вовлечь родителей", "Родительский клуб")
    );
    assert_eq!(team.records[&pid].text(p::F_ANALYSIS), "Итоги года");

    // The team writes neither the mentor's comment nor the verdict; the year never changes.
    team.edit(
        pid,
        p::PROGRAMME_KIND,
        &scope,
        json!({"comment": "сами себе"}),
    );
    team.edit(
        pid,
        p::PROGRAMME_KIND,
        &scope,
        json!({"verdict": "approved", "presented_on": "2027-03-01"}),
    );
    team.edit_child(
        sid,
        p::SECTION_KIND,
        &scope,
        Some(pid),
        json!({"factor": "ovz"}),
    );
    team.sync(&w.app).await;
    assert_eq!(team.refused.len(), 3, "{:?}", team.refused_messages());

    // The mentor comments but does not enter the school's quarterly actuals.
    let ind = Uuid::now_v7();
    mentor.sync(&w.app).await;
    mentor.edit(pid, p::PROGRAMME_KIND, &scope, json!({"comment": "Хорошо"}));
    mentor.edit_child(
        ind,
        p::INDICATOR_KIND,
        &scope,
        Some(sid),
        json!({"name": "Доля родителей на собраниях", "baseline": 30, "target": 60}),
    );
    mentor.sync(&w.app).await;
    assert!(mentor.refused.is_empty(), "{:?}", mentor.refused_messages());
    mentor.edit_child(ind, p::INDICATOR_KIND, &scope, Some(sid), json!({"q1": 40}));
    mentor.sync(&w.app).await;
    assert_eq!(mentor.refused.len(), 1);
    team.sync(&w.app).await;
    team.edit_child(ind, p::INDICATOR_KIND, &scope, Some(sid), json!({"q1": 40}));
    team.sync(&w.app).await;
    assert!(team.refused.len() == 3, "{:?}", team.refused_messages());

    // The head records the presentation: a verdict needs its date.
    head.edit(
        pid,
        p::PROGRAMME_KIND,
        &scope,
        json!({"verdict": "approved"}),
    );
    head.sync(&w.app).await;
    assert!(
        head.refused_messages()[0].contains("дату"),
        "{:?}",
        head.refused_messages()
    );
    head.refused.clear();
    head.edit(pid, p::PROGRAMME_KIND, &scope, json!({"verdict": "recommended", "presented_on": "2027-03-01", "presented_who": "Куратор ИРО"}));
    head.sync(&w.app).await;
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());

    // The spreadsheet: the programme, its indicators and measures; nothing for a foreign school.
    let get = |token: &str, school: Uuid| {
        let url = format!(
            "{}/api/schools/{school}/programme.xlsx?year={year}",
            w.app.base
        );
        let http = w.app.http.clone();
        let token = token.to_owned();
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let res = get(&w.team, w.school).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = xlsx_text(&res.bytes().await.unwrap(), &["sheet1", "sheet2"]);
    assert!(text.contains("Вовлечь родителей"), "{text}");
    assert!(text.contains("Доля родителей на собраниях"));
    assert!(text.contains("рекомендована"));
    assert_eq!(get(&w.team, w.other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get(&w.teacher, w.school).await.status(),
        StatusCode::NOT_FOUND,
        "teachers do not read the programme"
    );
}

#[tokio::test]
async fn a_section_takes_a_bounded_number_of_measures() {
    let w = world().await;
    let scope = Scope::School(w.school);
    let mut team = Device::new(&w.team, 1);
    let pid = p::programme_id(w.school, 2027);
    let (sid, other) = (p::section_id(pid, "failure"), p::section_id(pid, "parents"));
    team.edit(pid, p::PROGRAMME_KIND, &scope, json!({"year": 2027}));
    for (s, factor) in [(sid, "failure"), (other, "parents")] {
        team.edit_child(
            s,
            p::SECTION_KIND,
            &scope,
            Some(pid),
            json!({ "factor": factor }),
        );
    }
    team.sync(&w.app).await;
    assert!(team.refused.is_empty(), "{:?}", team.refused_messages());

    // One more measure than a section takes, in one go: the last one is refused.
    let measure = |n: usize| json!({"content": format!("Мероприятие {n}"), "support": "methodical", "status": "planned"});
    let ids: Vec<Uuid> = (0..=model::kinds::MAX_CHILDREN)
        .map(|_| Uuid::now_v7())
        .collect();
    for (n, id) in ids.iter().enumerate() {
        team.edit_child(*id, p::MEASURE_KIND, &scope, Some(sid), measure(n));
    }
    team.sync(&w.app).await;
    let refused = team.refused_messages();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("больше нельзя"), "{refused:?}");
    team.refused.clear();

    // Later, too; another section still takes its own.
    let (late, elsewhere) = (Uuid::now_v7(), Uuid::now_v7());
    team.edit_child(late, p::MEASURE_KIND, &scope, Some(sid), measure(0));
    team.edit_child(elsewhere, p::MEASURE_KIND, &scope, Some(other), measure(0));
    team.sync(&w.app).await;
    assert_eq!(team.refused.len(), 1, "{:?}", team.refused_messages());
    let fresh = {
        let mut d = Device::new(&w.team, 2);
        d.sync(&w.app).await;
        d
    };
    let under = |s: Uuid| {
        fresh
            .records
            .values()
            .filter(|r| r.parent == Some(s))
            .count()
    };
    assert_eq!(under(sid), model::kinds::MAX_CHILDREN);
    assert_eq!(under(other), 1);
    assert!(!fresh.records.contains_key(&late));
    assert!(!fresh.records.contains_key(&ids[model::kinds::MAX_CHILDREN]));
}

#[tokio::test]
async fn a_school_lists_the_specialists_it_may_ask_its_own_first() {
    let w = world().await;
    let res = w
        .app
        .http
        .get(format!("{}/api/specialists", w.app.base))
        .bearer_auth(&w.team)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list: model::api::SpecialistList = res.json().await.unwrap();
    let names: Vec<(&str, bool)> = list
        .specialists
        .iter()
        .map(|s| (s.full_name.as_str(), s.assigned))
        .collect();
    assert_eq!(names[0], ("Тестовый пользователь mentor1", true));
    assert!(names.contains(&("Тестовый пользователь expert1", false)));
    assert!(
        names
            .iter()
            .all(|(n, _)| !n.contains("team1") && !n.contains("teacher1"))
    );
}

#[tokio::test]
async fn the_demo_shows_programmes_consultations_visits_and_recommendations() {
    let app = TestApp::start().await;
    let head = app.login("rukovoditel").await;
    let mut d = Device::new(&head.token, 9);
    d.sync(&app).await;
    let count = |kind: &str| d.records.values().filter(|r| r.kind == kind).count();
    assert_eq!(count(p::PROGRAMME_KIND), 2);
    assert!(count(p::MEASURE_KIND) >= 5 && count(p::INDICATOR_KIND) >= 3);
    assert!(count(v::KIND) >= 3);
    let states: std::collections::BTreeSet<String> = d
        .records
        .values()
        .filter(|r| r.kind == c::KIND)
        .map(|r| r.text(c::F_STATE))
        .collect();
    assert_eq!(states, ["agreed", "closed", "new"].map(String::from).into());
    assert!(
        d.records
            .values()
            .any(|r| r.kind == rec::RECOMMENDATION_KIND && r.get(rec::F_ACK).is_some())
    );
    let today = model::forms::answer::iso_day(common::now());
    let overdue = d
        .records
        .values()
        .filter(|r| r.kind == p::MEASURE_KIND && p::measure_overdue(r, &today))
        .count();
    assert!(overdue >= 1, "the demo shows an overdue measure");
}

fn xlsx_text(bytes: &[u8], sheets: &[&str]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut out = String::new();
    let mut names = vec!["xl/sharedStrings.xml".to_owned()];
    names.extend(sheets.iter().map(|s| format!("xl/worksheets/{s}.xml")));
    for name in names {
        if let Ok(mut f) = zip.by_name(&name) {
            f.read_to_string(&mut out).unwrap();
        }
    }
    out
}

/// A person whose spreadsheet is under way gets no second one at once: it is refused in words
/// before anything is read, and the next is built once the first is done. Another person's is
/// built meanwhile.
#[tokio::test]
async fn one_person_builds_one_spreadsheet_at_a_time() {
    let mut turns = None;
    let m = common::municipality_with(|state| {
        turns = Some(state.exports_by_person.clone());
        state
    })
    .await;
    let turns = turns.unwrap();
    let ask = |token: &str| {
        m.app
            .http
            .get(format!("{}/api/consultations.xlsx", m.app.base))
            .bearer_auth(token)
            .send()
    };
    // The head's export is under way.
    let under_way = turns.begin(m.head.profile.id, 1).unwrap();
    let res = ask(&m.head.token).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let e: model::ApiError = res.json().await.unwrap();
    assert!(
        e.message.contains("Предыдущая выгрузка ещё готовится"),
        "{e:?}"
    );
    assert_eq!(ask(&m.mentor.token).await.unwrap().status(), StatusCode::OK);
    drop(under_way);
    assert_eq!(ask(&m.head.token).await.unwrap().status(), StatusCode::OK);
    // An export answered leaves no turn behind.
    assert!(turns.begin(m.head.profile.id, 1).is_some());
}
