//! The centre's plan of work over real HTTP (002 appendix, 003): the head plans, the person
//! responsible reports (state, text, documents) and nothing else; the spreadsheet is laid out
//! as the 003 report (directions in order, items numbered within each, the report column with
//! the documents cited and the figures of what an item is linked to) and keeps to the chosen
//! months; the annual report on a school (004 stage 3) holds its programme, visits,
//! consultations and recommendations and is nobody else's; the demo has a plan with reports.

mod common;

use std::collections::BTreeMap;

use common::{Device, TestApp};
use model::forms::recommendation as rec;
use model::record::Scope;
use model::support::consultation as c;
use model::support::programme as p;
use model::support::visit as v;
use model::workplan::{self as w, indicators as ind};
use model::{Role, forms};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

struct World {
    app: TestApp,
    school: Uuid,
    other: Uuid,
    team: String,
    other_team: String,
    teacher: String,
    mentor: (String, Uuid),
    head: String,
}

async fn world() -> World {
    let m = common::municipality().await;
    let other_team = m
        .app
        .add_user("team2", Role::SchoolTeam, Some(m.other))
        .await;
    World {
        school: m.school,
        other: m.other,
        team: m.team.token,
        other_team: other_team.token,
        teacher: m.teacher.token,
        mentor: (m.mentor.token, m.mentor.profile.id),
        head: m.head.token,
        app: m.app,
    }
}

fn today() -> String {
    model::forms::answer::iso_day(common::now())
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_plan_is_reported_by_the_person_responsible_and_printed_as_the_003_report() {
    let w = world().await;
    let year = w::school_year_of(&today()).unwrap();
    let cal: i64 = today()[..4].parse().unwrap();
    let scope = Scope::School(w.school);
    let mut head = Device::new(&w.head, 1);
    let mut mentor = Device::new(&w.mentor.0, 2);
    let mut team = Device::new(&w.team, 3);

    // The head sends the self-analysis card to the school; the school starts filling it.
    let campaign = Uuid::now_v7();
    head.edit(
        campaign,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"title": "Карта самоанализа", "template": "self_analysis", "version": common::builtin_version("self_analysis"),
               "deadline": format!("{cal}-12-31"), "schools": [w.school], "roles": ["school_team"]}),
    );
    head.sync(&w.app).await;
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());
    team.sync(&w.app).await;
    let response = forms::response_id(campaign, &scope);
    team.edit(
        response,
        forms::RESPONSE_KIND,
        &scope,
        json!({"campaign": campaign.to_string(), "template": "self_analysis", "version": common::builtin_version("self_analysis"), "status": "draft"}),
    );
    // …and asks its mentor for a consultation, which is held.
    let consultation = Uuid::now_v7();
    team.edit(
        consultation,
        c::KIND,
        &scope,
        json!({"topic": "ВСОКО и ВПР", "format": "remote", "state": "new"}),
    );
    team.sync(&w.app).await;
    assert!(team.refused.is_empty(), "{:?}", team.refused_messages());
    mentor.sync(&w.app).await;
    mentor.edit(
        consultation,
        c::KIND,
        &scope,
        json!({"meeting_on": today(), "state": "agreed"}),
    );
    mentor.sync(&w.app).await;
    mentor.edit(
        consultation,
        c::KIND,
        &scope,
        json!({"outcome": "Разобрали положение о ВСОКО.", "state": "held"}),
    );
    mentor.sync(&w.app).await;
    assert!(mentor.refused.is_empty(), "{:?}", mentor.refused_messages());

    // The head plans: two research items (February, March–May), one in October (outside
    // February–June), the card's campaign, and the consultations on request.
    let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
    let responsible = w.mentor.1.to_string();
    let items = [
        json!({"direction": "research", "content": "Тестирование руководителей ШНОР",
               "period": "month", "months": [2], "place": "МНЦ", "addressee": responsible,
               "people": "Белова И. В., наставник"}),
        json!({"direction": "research", "content": "Анализ управленческих дефицитов",
               "period": "months", "months": [3, 4, 5], "place": "МНЦ"}),
        json!({"direction": "research", "content": "Установочная встреча в октябре",
               "period": "month", "months": [10]}),
        json!({"direction": "monitoring", "content": "Самоанализ ШНОР по карте",
               "period": "months", "months": [2, 3], "link": format!("campaign:{campaign}")}),
        json!({"direction": "consulting", "content": "Консультации для администраций ШНОР по запросу",
               "period": "on_request", "link": "consultations", "addressee": responsible}),
    ];
    for (id, fields) in ids.iter().zip(items) {
        let mut fields = fields;
        fields["year"] = json!(year);
        fields["status"] = json!("planned");
        head.edit(*id, w::KIND, &Scope::Centre, fields);
    }
    head.sync(&w.app).await;
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());
    // An item keeps what it is filed under in the plan: its direction cannot be taken away,
    // nor an item made without one.
    head.edit(ids[2], w::KIND, &Scope::Centre, json!({"direction": null}));
    head.sync(&w.app).await;
    head.edit(ids[2], w::KIND, &Scope::Centre, json!({"status": null}));
    head.sync(&w.app).await;
    head.edit(
        Uuid::now_v7(),
        w::KIND,
        &Scope::Centre,
        json!({"year": year, "content": "Без направления", "period": "during_year", "status": "planned"}),
    );
    head.sync(&w.app).await;
    let refused = head.refused_messages();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused[0].contains("Укажите направление"), "{refused:?}");
    assert!(refused[1].contains("Укажите состояние"), "{refused:?}");
    assert!(refused[2].contains("Укажите направление"), "{refused:?}");
    head.refused.clear();
    let kept = w
        .app
        .record(&w.head, ids[2])
        .await
        .json::<model::record::Record>()
        .await
        .unwrap();
    assert_eq!(
        (kept.text("direction"), kept.text("status")),
        ("research".into(), "planned".into())
    );

    // The mentor reads the plan and reports on their items, but cannot rewrite them or report
    // on somebody else's.
    mentor.sync(&w.app).await;
    assert_eq!(
        mentor
            .records
            .values()
            .filter(|r| r.kind == w::KIND)
            .count(),
        5
    );
    mentor.edit(ids[0], w::KIND, &Scope::Centre, json!({
        "status": "done",
        "report": "Тестирование прошли 4 руководителя.",
        "evidence": [{"kind": "letter", "number": "1457/21-21-10", "date": format!("{}-02-19", year + 1)},
                     {"kind": "order", "number": "618", "date": format!("{}-02-01", year + 1), "title": "О тестировании"}]
    }));
    mentor.edit(
        ids[4],
        w::KIND,
        &Scope::Centre,
        json!({"status": "in_progress", "report": "Консультации по запросам школ."}),
    );
    mentor.sync(&w.app).await;
    assert!(mentor.refused.is_empty(), "{:?}", mentor.refused_messages());
    mentor.edit(
        ids[0],
        w::KIND,
        &Scope::Centre,
        json!({"content": "Другое содержание"}),
    );
    mentor.edit(ids[1], w::KIND, &Scope::Centre, json!({"status": "done"}));
    mentor.edit(
        Uuid::now_v7(),
        w::KIND,
        &Scope::Centre,
        json!({"year": year, "direction": "research", "content": "Своё"}),
    );
    mentor.sync(&w.app).await;
    assert_eq!(mentor.refused.len(), 3, "{:?}", mentor.refused_messages());
    mentor.refused.clear();
    // A document must be one of the kinds, with a real date.
    mentor.edit(
        ids[0],
        w::KIND,
        &Scope::Centre,
        json!({"evidence": [{"kind": "letter", "date": "19.02.2027"}]}),
    );
    mentor.sync(&w.app).await;
    assert!(
        mentor.refused_messages()[0].contains("ГГГГ-ММ-ДД"),
        "{:?}",
        mentor.refused_messages()
    );
    head.sync(&w.app).await;
    assert_eq!(
        head.records[&ids[0]].text(w::F_CONTENT),
        "Тестирование руководителей ШНОР"
    );
    assert_eq!(head.records[&ids[0]].text(w::F_STATUS), "done");

    // The report for February–June, as 003 lays it out.
    let path = format!("/api/workplan.xlsx?year={year}&from=2&to=6");
    let res = get(&w.app, &w.head, &path).await;
    assert_eq!(res.status(), StatusCode::OK);
    let rows = xlsx_rows(&res.bytes().await.unwrap(), "sheet1");
    let all = rows
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        rows[0][0],
        format!(
            "План работы муниципального наставнического центра на {year}/{} учебный год",
            year + 1
        )
    );
    assert!(
        rows[1][0].starts_with(&format!(
            "Отчёт о выполнении мероприятий за февраль–июнь {} года",
            year + 1
        )),
        "{:?}",
        rows[1]
    );
    assert_eq!(
        rows[2],
        [
            "№",
            "Содержание работы",
            "Сроки",
            "Место проведения",
            "Ответственный, привлечённые специалисты",
            "Отчёт о выполнении мероприятий / источники",
            "Состояние"
        ]
    );
    let layout: Vec<(String, String)> = rows[3..]
        .iter()
        .map(|r| (r[0].clone(), r.get(1).cloned().unwrap_or_default()))
        .collect();
    let expected = [
        ("Исследовательская деятельность", ""),
        ("1", "Тестирование руководителей ШНОР"),
        ("2", "Анализ управленческих дефицитов"),
        ("Консультационная деятельность", ""),
        ("1", "Консультации для администраций ШНОР по запросу"),
        ("Мониторинговая деятельность", ""),
        ("1", "Самоанализ ШНОР по карте"),
    ]
    .map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(layout, expected);
    let tested = &rows[4];
    assert_eq!(tested[2], "февраль");
    assert_eq!(tested[4], "Белова И. В., наставник");
    assert_eq!(
        tested[5],
        format!(
            "Тестирование прошли 4 руководителя.\nИсточники: письмо от 19.02.{y} № 1457/21-21-10; \
             приказ от 01.02.{y} № 618 «О тестировании».",
            y = year + 1
        )
    );
    assert_eq!(tested[6], "выполнено");
    assert_eq!(rows[5][2], "март–май");
    assert_eq!(rows[5][6], "запланировано");
    // No people named: the responsible person's name; the figures of the consultations.
    let asked = &rows[7];
    assert_eq!(asked[4], "Тестовый пользователь mentor1");
    assert!(
        asked[5].starts_with("Консультации по запросам школ.\nПо данным системы: запросов на консультации: 1; проведено консультаций: 1."),
        "{:?}",
        asked[5]
    );
    assert_eq!(asked[6], "выполняется");
    assert!(
        rows[9][5]
            .contains("форма «Карта самоанализа» направлена школам: 1; ответов отправлено: 0"),
        "{:?}",
        rows[9]
    );
    assert!(!all.contains("в октябре"), "outside February–June");

    // The whole year has it; so does the mentor's copy; nobody else reads the plan.
    let res = get(
        &w.app,
        &w.mentor.0,
        &format!("/api/workplan.xlsx?year={year}"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rows = xlsx_rows(&res.bytes().await.unwrap(), "sheet1");
    assert!(rows[1][0].starts_with("Отчёт о выполнении мероприятий по состоянию на"));
    assert!(rows.iter().any(|r| {
        r.get(1)
            .is_some_and(|s| s == "Установочная встреча в октябре")
    }));
    for token in [&w.teacher, &w.team] {
        let res = get(&w.app, token, &format!("/api/workplan.xlsx?year={year}")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    let res = get(
        &w.app,
        &w.head,
        &format!("/api/workplan.xlsx?year={year}&from=6&to=2"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("позже"),
        "{body}"
    );
    // No year, or one no plan can be for: a request to name a year, not an empty spreadsheet.
    for path in [
        "/api/workplan.xlsx",
        "/api/workplan.xlsx?year=99999999999",
        "/api/workplan.xlsx?year=1999",
    ] {
        let res = get(&w.app, &w.head, path).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("Укажите учебный год"),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn the_annual_report_on_a_school_holds_its_support_and_is_nobody_elses() {
    let w = world().await;
    let cal: i64 = today()[..4].parse().unwrap();
    let scope = Scope::School(w.school);
    let mut head = Device::new(&w.head, 1);
    let mut mentor = Device::new(&w.mentor.0, 2);
    let mut team = Device::new(&w.team, 3);

    let campaign = Uuid::now_v7();
    head.edit(
        campaign,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"title": "Карта самоанализа", "template": "self_analysis", "version": common::builtin_version("self_analysis"),
               "deadline": format!("{cal}-12-31"), "schools": [w.school, w.other], "roles": ["school_team"]}),
    );
    head.sync(&w.app).await;
    assert!(head.refused.is_empty(), "{:?}", head.refused_messages());
    team.sync(&w.app).await;
    team.edit(
        forms::response_id(campaign, &scope),
        forms::RESPONSE_KIND,
        &scope,
        json!({"campaign": campaign.to_string(), "template": "self_analysis", "version": common::builtin_version("self_analysis"), "status": "draft"}),
    );
    // The programme of this year, with a measure past its deadline.
    let pid = p::programme_id(w.school, cal);
    let sid = p::section_id(pid, "failure");
    team.edit(
        pid,
        p::PROGRAMME_KIND,
        &scope,
        json!({"year": cal, "title": "Программа школы поддержки"}),
    );
    team.edit_child(
        sid,
        p::SECTION_KIND,
        &scope,
        Some(pid),
        json!({"factor": "failure"}),
    );
    team.edit_child(
        Uuid::now_v7(),
        p::MEASURE_KIND,
        &scope,
        Some(sid),
        json!({"content": "Консультации по математике", "support": "methodical",
               "status": "planned", "deadline": model::forms::answer::iso_day(common::now() - 86_400_000)}),
    );
    let consultation = Uuid::now_v7();
    team.edit(
        consultation,
        c::KIND,
        &scope,
        json!({"topic": "Работа с группой риска", "format": "remote", "state": "new"}),
    );
    team.sync(&w.app).await;
    assert!(team.refused.is_empty(), "{:?}", team.refused_messages());

    mentor.sync(&w.app).await;
    let visit = Uuid::now_v7();
    mentor.edit(
        visit,
        v::KIND,
        &scope,
        json!({"type": "lesson", "date": today(), "subject": "Математика", "grade": "7 «А»",
               "findings": "Нет дифференцированных заданий."}),
    );
    let r = Uuid::now_v7();
    mentor.edit(
        r,
        rec::RECOMMENDATION_KIND,
        &scope,
        json!({
            "title": "Дифференциация заданий", "text": "Разноуровневые задания", "state": "draft",
            "source": "visit", "source_id": visit.to_string(), "factor": "failure"
        }),
    );
    mentor.sync(&w.app).await;
    mentor.edit(
        r,
        rec::RECOMMENDATION_KIND,
        &scope,
        json!({"state": "sent"}),
    );
    // A draft stays out of the report.
    mentor.edit(
        Uuid::now_v7(),
        rec::RECOMMENDATION_KIND,
        &scope,
        json!({"title": "Черновик рекомендации", "text": "…", "state": "draft", "source": "other"}),
    );
    mentor.sync(&w.app).await;
    assert!(mentor.refused.is_empty(), "{:?}", mentor.refused_messages());
    team.sync(&w.app).await;
    team.edit(
        r,
        rec::RECOMMENDATION_KIND,
        &scope,
        json!({"acknowledged": true}),
    );
    team.sync(&w.app).await;
    assert!(team.refused.is_empty(), "{:?}", team.refused_messages());

    let path = format!("/api/schools/{}/annual-report.xlsx?year={cal}", w.school);
    for token in [&w.team, &w.head, &w.mentor.0] {
        let res = get(&w.app, token, &path).await;
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap();
        let summary = xlsx_rows(&bytes, "sheet1");
        let pairs: BTreeMap<String, String> = summary
            .iter()
            .filter(|r| r.len() >= 2)
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        assert_eq!(pairs["Школа"], "Школа поддержки");
        assert_eq!(pairs["Антирисковая программа"], "Программа школы поддержки");
        assert_eq!(pairs["Решение по программе"], "публично не представлена");
        assert_eq!(pairs["Мероприятий программы"], "1");
        assert_eq!(pairs["Просрочено мероприятий"], "1");
        assert_eq!(pairs["Показателей, отстающих от плана"], "0");
        assert_eq!(pairs["Посещений и мероприятий"], "1");
        assert_eq!(pairs["Консультаций"], "запросов: 1; проведено: 0");
        assert_eq!(
            pairs["Рекомендаций направлено"],
            "1; с ними ознакомились: 1"
        );
        let diagnostics = xlsx_rows(&bytes, "sheet2");
        assert_eq!(diagnostics[1][0], "Карта самоанализа");
        assert_eq!(
            diagnostics[1][1],
            model::forms::answer::ru_date(&format!("{cal}-12-31"))
        );
        assert_eq!(diagnostics[1][3], "черновик");
        let visits = xlsx_rows(&bytes, "sheet3");
        assert_eq!(visits[1][1], "Посещение урока");
        assert_eq!(visits[1][2], "Тестовый пользователь mentor1");
        assert_eq!(visits[1][4], "7 «А», Математика");
        assert_eq!(visits[1][5], "Нет дифференцированных заданий.");
        let consultations = xlsx_rows(&bytes, "sheet4");
        assert_eq!(consultations[0], c::LOG_COLUMNS);
        assert_eq!(consultations[1][2], "Работа с группой риска");
        let recommendations = xlsx_rows(&bytes, "sheet5");
        assert_eq!(recommendations.len(), 2, "the draft is left out");
        let line = &recommendations[1];
        assert_eq!(line[0], "Дифференциация заданий");
        assert!(
            line[1].starts_with("по итогам посещения (посещение урока"),
            "{line:?}"
        );
        assert_eq!(line[5], model::forms::answer::ru_date(&today()));
        assert!(
            line[6].starts_with("ознакомлены: Тестовый пользователь team1"),
            "{line:?}"
        );
    }

    // Another school's team, a teacher, an unknown school.
    let res = get(&w.app, &w.other_team, &path).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("Школа"),
        "{body}"
    );
    assert_eq!(
        get(&w.app, &w.teacher, &path).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = get(
        &w.app,
        &w.mentor.0,
        &format!("/api/schools/{}/annual-report.xlsx?year={cal}", w.other),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "not the mentor's school"
    );
    // The other school's own report has nothing of the first one.
    let res = get(
        &w.app,
        &w.other_team,
        &format!("/api/schools/{}/annual-report.xlsx?year={cal}", w.other),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let text: String = (1..=5)
        .flat_map(|n| xlsx_rows(&bytes, &format!("sheet{n}")))
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("ответа нет"), "{text}");
    for foreign in [
        "Программа школы поддержки",
        "Работа с группой риска",
        "Дифференциация",
    ] {
        assert!(!text.contains(foreign), "{foreign}");
    }
}

#[tokio::test]
async fn the_demo_has_a_plan_of_work_with_reports_and_the_reserve_indicators() {
    let app = TestApp::start().await;
    let head = app.login("rukovoditel").await;
    let mut d = Device::new(&head.token, 9);
    d.sync(&app).await;
    let year = w::school_year_of(&today()).unwrap();
    let items: Vec<_> = d.records.values().filter(|r| r.kind == w::KIND).collect();
    assert!(items.len() >= 12, "{}", items.len());
    assert!(
        items
            .iter()
            .all(|r| r.get(w::F_YEAR).and_then(|v| v.as_i64()) == Some(year))
    );
    let directions: std::collections::BTreeSet<String> =
        items.iter().map(|r| r.text(w::F_DIRECTION)).collect();
    assert_eq!(directions.len(), 6, "{directions:?}");
    assert!(
        items
            .iter()
            .any(|r| r.text(w::F_STATUS) == "done" && !w::documents(r).is_empty()),
        "some items are reported with their documents"
    );
    assert!(items.iter().any(|r| r.text(w::F_STATUS) == "planned"));
    for link in ["consultations", "visits", "programmes"] {
        assert!(items.iter().any(|r| r.text(w::F_LINK) == link), "{link}");
    }
    let values = d.records.values().filter(|r| r.kind == ind::KIND).count();
    assert_eq!(values, 12, "four reserve indicators for three years");
    // Every indicator is a share in per cent: 250 or −5 is refused with the rule.
    for wrong in [250.0, -5.0] {
        d.edit(
            ind::value_id("reserve_projects", 2020),
            ind::KIND,
            &Scope::Centre,
            json!({ ind::F_CODE: "reserve_projects", ind::F_YEAR: 2020, ind::F_VALUE: wrong }),
        );
        d.sync(&app).await;
        assert_eq!(d.refused.len(), 1, "{:?}", d.refused_messages());
        assert!(d.refused_messages()[0].contains("процент от 0 до 100"));
        d.refused.clear();
    }

    // The mentor reads it and reported on their own items; the spreadsheet opens.
    let mentor = app.login("nastavnik").await;
    let mut m = Device::new(&mentor.token, 8);
    m.sync(&app).await;
    assert!(
        m.records
            .values()
            .any(|r| r.kind == w::KIND && !r.text(w::F_REPORT).is_empty())
    );
    let res = get(
        &app,
        &mentor.token,
        &format!("/api/workplan.xlsx?year={year}"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rows = xlsx_rows(&res.bytes().await.unwrap(), "sheet1");
    assert!(rows.iter().any(|r| {
        r.first()
            .is_some_and(|s| s == "Организационная деятельность")
    }));
    assert!(
        rows.iter()
            .any(|r| r.get(5).is_some_and(|s| s.contains("По данным системы"))),
        "linked items show figures"
    );
}

/// The cells of a sheet as text, row by row (numbers as written, empty cells as "").
fn xlsx_rows(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut read = |name: &str| {
        let mut s = String::new();
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_string(&mut s).unwrap();
        }
        s
    };
    let strings: Vec<String> = read("xl/sharedStrings.xml")
        .split("<si>")
        .skip(1)
        .map(|si| {
            let si = si.split("</si>").next().unwrap_or("");
            let mut text = String::new();
            for part in si.split("<t").skip(1) {
                let body = part.split_once('>').map_or("", |(_, b)| b);
                text.push_str(body.split("</t>").next().unwrap_or(""));
            }
            unescape(&text)
        })
        .collect();
    let xml = read(&format!("xl/worksheets/{sheet}.xml"));
    let mut rows: Vec<Vec<String>> = Vec::new();
    for row in xml.split("<row ").skip(1) {
        let row = row.split("</row>").next().unwrap_or("");
        let n: usize = attr(row.split('>').next().unwrap_or(""), "r")
            .parse()
            .unwrap();
        let mut cells = Vec::new();
        for cell in row.split("<c ").skip(1) {
            let (head, body) = cell.split_once('>').unwrap_or((cell, ""));
            let col = attr(head, "r")
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .fold(0usize, |acc, ch| {
                    acc * 26 + (ch as usize - 'A' as usize + 1)
                })
                - 1;
            let value = if head.ends_with('/') {
                String::new()
            } else {
                let v = body
                    .split("<v>")
                    .nth(1)
                    .and_then(|v| v.split("</v>").next())
                    .unwrap_or("");
                if attr(head, "t") == "s" {
                    strings[v.parse::<usize>().unwrap()].clone()
                } else {
                    v.to_owned()
                }
            };
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = value;
        }
        if rows.len() < n {
            rows.resize(n, Vec::new());
        }
        rows[n - 1] = cells;
    }
    rows
}

/// The value of an attribute in an XML tag's text.
fn attr(tag: &str, name: &str) -> String {
    tag.strip_prefix(&format!("{name}=\""))
        .or_else(|| tag.split(&format!(" {name}=\"")).nth(1))
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_owned()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
