//! Forms over real HTTP against SQLite: templates reach devices without the answer key,
//! responses are checked against their template on every change and on submit, a submitted
//! test is scored per competency area, and templates are uploaded by the centre head only.
//! Each test makes its own small municipality (`common::municipality`).

mod common;

use std::collections::BTreeMap;

use common::{Device, TestApp};
use model::Role;
use model::forms::template::{Cell, Kind};
use model::forms::{self, Answers, Key, Template};
use model::record::Scope;
use model::sync::SyncRequest;
use model::sync::client;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

fn builtin(name: &str) -> (Template, Key) {
    let path = format!("{}/../templates/{name}.json", env!("CARGO_MANIFEST_DIR"));
    Template::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A valid answer to every question (hidden ones too: they only have to fit their kind).
pub fn full_answers(t: &Template) -> Answers {
    fn one(kind: &Kind) -> Option<Value> {
        Some(match kind {
            Kind::Single { options } => json!(options[0].id),
            Kind::Multiple { options, .. } => json!([options[0].id]),
            Kind::Scale { min, .. } => json!(min),
            Kind::Number(r) => json!(r.min.unwrap_or(0.0).max(0.0).ceil() as i64),
            Kind::Percent => json!(50),
            Kind::Text { .. } => json!("ответ"),
            Kind::LongText { .. } => json!("подробный ответ"),
            Kind::Date => json!("2025-01-15"),
            Kind::YesNo => json!(true),
            Kind::Table { rows, columns } => {
                let row: serde_json::Map<String, Value> = columns
                    .iter()
                    .map(|c| {
                        let v = match &c.cell {
                            Cell::Number(r) => json!(r.min.unwrap_or(0.0).max(0.0).ceil() as i64),
                            Cell::Percent => json!(10),
                            Cell::Text { .. } => json!("т"),
                            Cell::Single { options } => json!(options[0].id),
                            Cell::YesNo => json!(false),
                        };
                        (c.id.clone(), v)
                    })
                    .collect();
                Value::Object(
                    rows.iter()
                        .map(|r| (r.id.clone(), Value::Object(row.clone())))
                        .collect(),
                )
            }
            Kind::Group {
                questions,
                min_items,
                ..
            } => {
                let item: serde_json::Map<String, Value> = questions
                    .iter()
                    .filter_map(|q| one(&q.kind).map(|v| (q.id.clone(), v)))
                    .collect();
                json!(vec![Value::Object(item); (*min_items).max(1) as usize])
            }
            Kind::Computed(_) => return None,
        })
    }
    t.questions()
        .filter_map(|q| one(&q.kind).map(|v| (q.id.clone(), v)))
        .collect()
}

fn pins(campaign: Uuid, t: &Template) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("campaign".into(), json!(campaign));
    m.insert("template".into(), json!(t.code));
    m.insert("version".into(), json!(t.version));
    m
}

/// A test sent with no item answered, only the position it requires.
fn sent_blank_test(campaign: Uuid, t: &Template) -> serde_json::Map<String, Value> {
    let mut fields = pins(campaign, t);
    fields.insert("status".into(), json!("submitted"));
    if let Some(q) = t.test.as_ref().and_then(|x| x.position.as_ref()) {
        fields.insert(forms::answer_field(q), json!("director"));
    }
    fields
}

fn answers_json(t: &Template, a: &Answers) -> Value {
    Value::Object(forms::answer_fields(t, a).into_iter().collect())
}

/// The head sends a template to every school; returns the campaign id.
async fn send_campaign(app: &TestApp, code: &str, version: u32, roles: &[&str]) -> Uuid {
    let head = app.login("head1").await;
    let schools: model::api::SchoolList = app
        .http
        .get(format!("{}/api/schools", app.base))
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<Uuid> = schools.schools.iter().map(|s| s.id).collect();
    let mut d = Device::new(&head.token, 90);
    let id = Uuid::now_v7();
    d.edit(
        id,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"title": "Тестовая рассылка", "template": code, "version": version,
               "deadline": "2027-01-31", "schools": ids, "roles": roles}),
    );
    d.sync(app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused);
    id
}

#[tokio::test]
async fn templates_reach_devices_without_the_key() {
    let town = common::municipality().await;
    let app = &town.app;
    let leader = town.team.clone();
    // The raw answer to a first sync holds every built-in template.
    let req = client::request(
        &mut model::sync::client::DeviceState::new(model::hlc::DeviceId::from_random([7; 8])),
        &[],
    );
    let raw = app
        .http
        .post(format!("{}/api/sync", app.base))
        .bearer_auth(&leader.token)
        .json(&req)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (public, key) = builtin("leader_test");
    assert!(key.0.len() >= 40);
    assert!(
        raw.contains(&public.title),
        "the leader test did not arrive"
    );
    assert!(
        !raw.contains("\"correct\""),
        "a sync payload holds correct answers"
    );
    assert!(!raw.contains(&serde_json::to_string(&key).unwrap()));
    let resp: model::sync::SyncResponse = serde_json::from_str(&raw).unwrap();
    let body = resp
        .changes
        .iter()
        .find(|c| c.record == forms::template_id("leader_test", public.version))
        .and_then(|c| c.fields.get("body"))
        .unwrap();
    let got: Template = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(got, public);
    let _: SyncRequest = req;
}

#[tokio::test]
async fn responses_are_checked_on_every_change_and_locked_once_submitted() {
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("self_analysis");
    let campaign = send_campaign(app, "self_analysis", t.version, &["school_team"]).await;
    // The card as a campaign due by 31.01.2027 asks it: the school years before 2026/27.
    let t = t.for_school_year(2026);
    let school = town.team.clone();
    let scope = Scope::School(school.profile.school_id.unwrap());
    let (rid, rscope) = forms::response_target(
        t.respondent,
        campaign,
        school.profile.school_id,
        school.profile.id,
    )
    .unwrap();
    assert_eq!(rscope, scope);
    let mut d = Device::new(&school.token, 1);
    d.sync(app).await;
    assert!(
        d.records.contains_key(&campaign),
        "the campaign reached the school"
    );

    // A value that breaks its rule is refused with the rule; the others are kept.
    let number_q = t
        .questions()
        .find_map(|q| match &q.kind {
            Kind::Number(r) if r.max.is_some() => Some((q.clone(), r.max.unwrap())),
            _ => None,
        })
        .unwrap();
    let mut first = pins(campaign, &t);
    first.insert(forms::answer_field(&number_q.0.id), json!(number_q.1 + 1.0));
    d.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(first));
    d.sync(app).await;
    assert_eq!(d.refused.len(), 1);
    assert!(
        d.refused[0].message.contains(&number_q.0.text),
        "{}",
        d.refused[0].message
    );
    d.refused.clear();

    // Submitting half a card is refused, naming a missing answer.
    let all = full_answers(&t);
    let half: Answers = all
        .iter()
        .take(3)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut fields = pins(campaign, &t);
    fields.extend(answers_json(&t, &half).as_object().unwrap().clone());
    d.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    d.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({"status": "submitted"}),
    );
    d.sync(app).await;
    assert_eq!(d.refused.len(), 1, "{:?}", d.refused);
    assert!(
        d.refused[0].message.starts_with("Форма не отправлена: «"),
        "{}",
        d.refused[0].message
    );
    assert!(d.refused[0].message.contains("обязательный вопрос"));
    d.refused.clear();

    // The whole card goes through, and then it is locked.
    d.edit(rid, forms::RESPONSE_KIND, &scope, answers_json(&t, &all));
    d.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({"status": "submitted"}),
    );
    d.sync(app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused);
    let stored: model::record::Record = app.record(&school.token, rid).await.json().await.unwrap();
    assert_eq!(forms::status_of(&stored), forms::Status::Submitted);
    assert_eq!(forms::answers_of(&stored), all);
    let (qid, _) = all.iter().next().unwrap();
    d.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({ forms::answer_field(qid): Value::Null }),
    );
    d.sync(app).await;
    assert_eq!(d.refused.len(), 1);
    assert!(
        d.refused[0].message.contains("«отправлено»"),
        "{}",
        d.refused[0].message
    );

    // A mentor cannot answer for the school, nor accept for now.
    let mentor = town.mentor.clone();
    let mut m = Device::new(&mentor.token, 2);
    m.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({"status": "accepted"}),
    );
    m.sync(app).await;
    assert_eq!(m.refused.len(), 1);
    assert_eq!(m.refused[0].code, model::ErrorCode::Forbidden);
}

#[tokio::test]
async fn a_submitted_test_is_scored_per_area_and_the_leader_receives_the_result() {
    let town = common::municipality().await;
    let app = &town.app;
    let (t, key) = builtin("leader_test");
    let campaign = send_campaign(app, "leader_test", t.version, &["school_team"]).await;
    let leader = town.team.clone();
    let (rid, scope) = forms::response_target(
        t.respondent,
        campaign,
        leader.profile.school_id,
        leader.profile.id,
    )
    .unwrap();
    let test = t.test.as_ref().unwrap();
    let good_area = &test.areas[0].id;
    // Right answers in the first area, wrong ones elsewhere.
    let mut a = Answers::new();
    for q in t.questions() {
        // The position is asked, not scored.
        let Some(correct) = key.0.get(&q.id) else {
            if let Kind::Single { options } = &q.kind {
                a.insert(q.id.clone(), json!(options[0].id));
            }
            continue;
        };
        let correct: Vec<String> = correct.iter().cloned().collect();
        let opts: Vec<String> = match &q.kind {
            Kind::Single { options } | Kind::Multiple { options, .. } => {
                options.iter().map(|o| o.id.clone()).collect()
            }
            _ => unreachable!(),
        };
        let wrong = opts.iter().find(|o| !correct.contains(o)).unwrap().clone();
        let v = match (&q.kind, q.area.as_ref() == Some(good_area)) {
            (Kind::Single { .. }, true) => json!(correct[0]),
            (Kind::Single { .. }, false) => json!(wrong),
            (_, true) => json!(correct),
            (_, false) => json!([wrong]),
        };
        a.insert(q.id.clone(), v);
    }
    let mut d = Device::new(&leader.token, 3);
    let mut fields = pins(campaign, &t);
    fields.extend(answers_json(&t, &a).as_object().unwrap().clone());
    d.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    d.sync(app).await;
    assert!(
        !d.records.contains_key(&forms::result_id(rid)),
        "scored before submit"
    );
    d.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({"status": "submitted"}),
    );
    d.sync(app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused);
    assert_eq!(
        d.records[&rid].text("respondent"),
        leader.profile.full_name,
        "the server stamps who answered"
    );
    // The result came back in the same sync (the server wrote it in the same transaction).
    d.sync(app).await;
    let result = d
        .records
        .get(&forms::result_id(rid))
        .expect("the result reached the leader");
    assert_eq!(result.scope, scope);
    let areas: Vec<forms::AreaScore> =
        serde_json::from_value(result.get("areas").unwrap().clone()).unwrap();
    assert_eq!(areas.len(), test.areas.len());
    assert_eq!(areas[0].percent, 100);
    assert_eq!(areas[0].level, forms::Level::NoDeficit);
    assert!(
        areas[1..]
            .iter()
            .all(|s| s.points == 0.0 && s.level == forms::Level::Deficit)
    );
    let deficits = result.get("deficits").unwrap().as_array().unwrap();
    assert_eq!(deficits.len(), test.areas.len() - 1);
    // The export of the test holds each area's score and level.
    let head = town.head.clone();
    let bytes = app
        .http
        .get(format!("{}/api/campaigns/{campaign}/export.xlsx", app.base))
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = xlsx_text(&bytes);
    assert!(
        text.contains(&format!("{}: баллы, %", test.areas[0].title)),
        "no area columns"
    );
    assert!(text.contains("дефицит") && text.contains(&leader.profile.full_name));
    // Nobody writes a result but the server.
    let mut forged = Device::new(&leader.token, 4);
    forged.edit(
        forms::result_id(rid),
        forms::RESULT_KIND,
        &scope,
        json!({"areas": []}),
    );
    forged.sync(app).await;
    assert_eq!(forged.refused.len(), 1);
}

#[tokio::test]
async fn anonymous_surveys_take_no_name_and_are_shown_only_in_aggregate() {
    use model::kinds::anonymous_response::{KIND, MIN_ANSWERS};
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("survey_mentor_satisfaction");
    assert!(t.anonymous);
    let campaign = send_campaign(app, &t.code, t.version, &["mentor", "curator"]).await;
    let mentor = town.mentor.clone();
    let ticket = |token: String| {
        let app = &app;
        async move {
            let res = app
                .http
                .post(format!("{}/api/campaigns/{campaign}/anonymous", app.base))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<model::api::AnonymousTicket>().await.unwrap()
        }
    };
    let first = ticket(mentor.token.clone()).await;
    assert!(!first.sent, "nothing sent yet");
    let rid = first.response;
    assert_eq!(
        rid,
        ticket(mentor.token.clone()).await.response,
        "the same every time"
    );
    // A named response to an anonymous form is refused, whatever its id.
    let (named, scope) =
        forms::response_target(t.respondent, campaign, None, mentor.profile.id).unwrap();
    let mut d = Device::new(&mentor.token, 5);
    d.edit(
        named,
        forms::RESPONSE_KIND,
        &scope,
        Value::Object(pins(campaign, &t)),
    );
    d.sync(app).await;
    assert_eq!(d.refused.len(), 1);
    assert!(
        d.refused[0].message.contains("анонимная"),
        "{}",
        d.refused[0].message
    );
    // The anonymous one takes no name, and only under the server's id.
    let mut fields = pins(campaign, &t);
    fields.extend(
        answers_json(&t, &full_answers(&t))
            .as_object()
            .unwrap()
            .clone(),
    );
    fields.insert("status".into(), json!("submitted"));
    let mut named_fields = fields.clone();
    named_fields.insert("respondent".into(), json!(mentor.profile.full_name));
    let mut e = Device::new(&mentor.token, 6);
    e.edit(rid, KIND, &Scope::Centre, Value::Object(named_fields));
    e.edit(
        Uuid::now_v7(),
        KIND,
        &Scope::Centre,
        Value::Object(fields.clone()),
    );
    e.sync(app).await;
    assert_eq!(e.refused.len(), 2, "{:?}", e.refused);
    let mut f = Device::new(&mentor.token, 7);
    f.edit(rid, KIND, &Scope::Centre, Value::Object(fields.clone()));
    f.sync(app).await;
    assert!(f.refused.is_empty(), "{:?}", f.refused);
    // Sent: another computer of the person is told so, and fills nothing again.
    let again = ticket(mentor.token.clone()).await;
    assert_eq!((again.response, again.sent), (rid, true));
    // Nobody receives it or reads it, the head neither.
    let head = town.head.clone();
    let mut h = Device::new(&head.token, 8);
    h.sync(app).await;
    assert!(h.records.values().all(|r| r.kind != KIND));
    assert_eq!(
        app.record(&head.token, rid).await.status(),
        StatusCode::NOT_FOUND
    );
    // Results only in aggregate, and only once enough people answered.
    let summary = |app: &TestApp| {
        let http = app.http.clone();
        let url = format!("{}/api/campaigns/{campaign}/summary", app.base);
        let token = head.token.clone();
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<model::api::CampaignSummary>()
                .await
                .unwrap()
        }
    };
    let s = summary(app).await;
    assert_eq!((s.answered, s.summary.is_none()), (1, true));
    let export = app
        .http
        .get(format!("{}/api/campaigns/{campaign}/export.xlsx", app.base))
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::CONFLICT);
    let curator = app.add_user("curator1", Role::Mentor, None).await;
    let mut c = Device::new(&curator.token, 9);
    let cid = ticket(curator.token.clone()).await.response;
    assert_ne!(cid, rid);
    c.edit(cid, KIND, &Scope::Centre, Value::Object(fields.clone()));
    c.sync(app).await;
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    assert_eq!(summary(app).await.answered, 2);
    // A third person (a mentor account made for the test) makes the results visible.
    let third = app.add_user("nastavnik3", Role::Mentor, None).await;
    let mut t3 = Device::new(&third.token, 10);
    let tid = ticket(third.token.clone()).await.response;
    t3.edit(tid, KIND, &Scope::Centre, Value::Object(fields));
    t3.sync(app).await;
    assert!(t3.refused.is_empty(), "{:?}", t3.refused);
    let s = summary(app).await;
    assert_eq!(s.answered, MIN_ANSWERS);
    let whole = s.summary.expect("shown in aggregate");
    let comfort = whole.questions.iter().find(|q| q.id == "comfort").unwrap();
    assert_eq!(comfort.answered, 3);
    let export = app
        .http
        .get(format!("{}/api/campaigns/{campaign}/export.xlsx", app.base))
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    let text = xlsx_text(&export.bytes().await.unwrap());
    assert!(text.contains("без имён"), "{text}");
    for name in [&mentor.profile.full_name, &curator.profile.full_name] {
        assert!(!text.contains(name.as_str()));
    }
    // A mentor may not see the results, and a teacher gets no ticket for a form not sent to
    // teachers' schools... (the campaign was sent to mentors and curators only).
    let res = app
        .http
        .get(format!("{}/api/campaigns/{campaign}/summary", app.base))
        .bearer_auth(&mentor.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let teacher = town.teacher.clone();
    let res = app
        .http
        .post(format!("{}/api/campaigns/{campaign}/anonymous", app.base))
        .bearer_auth(&teacher.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "not sent to teachers");
}

#[tokio::test]
async fn templates_are_uploaded_by_the_head_and_refused_with_the_place_and_the_rule() {
    let town = common::municipality().await;
    let app = &town.app;
    let head = town.head.clone();
    let school = town.team.clone();
    let upload = |token: String, body: String| {
        let http = app.http.clone();
        let url = format!("{}/api/templates", app.base);
        async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let good = json!({
        "code": "quick_poll", "version": 1, "title": "Короткий опрос", "respondent": "person",
        "audience": ["teacher"], "sections": [{"id": "s", "title": "Раздел", "questions": [
            {"id": "q1", "text": "Удобно ли?", "type": "yes_no", "required": true}]}]
    });
    let (s, body) = upload(school.token.clone(), good.to_string()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = upload(head.token.clone(), good.to_string()).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, _) = upload(head.token.clone(), good.to_string()).await;
    assert_eq!(s, StatusCode::OK);
    let mut changed = good.clone();
    changed["title"] = json!("Другой опрос");
    let (s, body) = upload(head.token.clone(), changed.to_string()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("увеличьте номер версии")
    );
    let mut bad = good.clone();
    bad["sections"][0]["questions"][0]["show_if"] = json!({"question": "q0"});
    let (s, body) = upload(head.token.clone(), bad.to_string()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Шаблон не принят: раздел 1 «Раздел», вопрос «q1»: show_if"),
        "{msg}"
    );
    // A date typed as a version is refused: no campaign could name it.
    let mut dated = good.clone();
    dated["version"] = json!(20260115);
    let (s, body) = upload(head.token.clone(), dated.to_string()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("не больше 1000000"),
        "{body}"
    );
    let (s, body) = upload(head.token.clone(), "{\"code\": ".into()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("строка 1"),
        "{body}"
    );
    // The uploaded template syncs to a teacher.
    let teacher = town.teacher.clone();
    let mut d = Device::new(&teacher.token, 6);
    d.sync(app).await;
    assert!(d.records.contains_key(&forms::template_id("quick_poll", 1)));
    let _ = BTreeMap::<String, Value>::new();
}

#[tokio::test]
async fn a_timed_test_takes_no_answers_after_its_time() {
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("leader_test");
    let minutes = t
        .test
        .as_ref()
        .unwrap()
        .time_limit_min
        .expect("the leader test is timed");
    let campaign = send_campaign(app, "leader_test", t.version, &["school_team"]).await;
    let leader = town.team.clone();
    let (rid, scope) = forms::response_target(
        t.respondent,
        campaign,
        leader.profile.school_id,
        leader.profile.id,
    )
    .unwrap();
    let start_of = |token: String, campaign: uuid::Uuid| {
        let http = app.http.clone();
        let url = format!("{}/api/tests/start", app.base);
        let body = json!({"campaign": campaign, "template": t.code, "version": t.version});
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let start = |token: String| start_of(token, campaign);
    // A campaign that is not there starts no clock, and leaves nothing behind.
    let made_up = uuid::Uuid::now_v7();
    assert_eq!(
        start_of(leader.token.clone(), made_up).await.status(),
        StatusCode::NOT_FOUND
    );
    let pool = app.pool().await;
    let starts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM test_starts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(starts, 0);
    let started: model::api::TestStarted = start(leader.token.clone()).await.json().await.unwrap();
    assert_eq!(
        started.closes_at_ms - started.started_at_ms,
        i64::from(minutes) * 60_000
    );
    // Opening it again does not restart the clock.
    let again: model::api::TestStarted = start(leader.token.clone()).await.json().await.unwrap();
    assert_eq!(again.started_at_ms, started.started_at_ms);
    // A teacher is not the audience of the leader test.
    let teacher = town.teacher.clone();
    assert_eq!(
        start(teacher.token.clone()).await.status(),
        StatusCode::FORBIDDEN
    );

    let q = t.questions().next().unwrap();
    let first = match &q.kind {
        Kind::Single { options } => json!(options[0].id),
        _ => json!([]),
    };
    let mut d = Device::new(&leader.token, 8);
    let mut fields = pins(campaign, &t);
    fields.insert(forms::answer_field(&q.id), first.clone());
    d.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    d.sync(app).await;
    assert!(d.refused.is_empty(), "in time: {:?}", d.refused);

    // The time (and its grace) is over: move the start back rather than wait.
    let back = (i64::from(minutes) + 2) * 60_000;
    sqlx::query("UPDATE test_starts SET started_at = started_at - $1")
        .bind(back)
        .execute(&pool)
        .await
        .unwrap();
    let q2 = t.questions().nth(1).unwrap();
    let v2 = match &q2.kind {
        Kind::Single { options } => json!(options[0].id),
        Kind::Multiple { options, .. } => json!([options[0].id]),
        _ => unreachable!(),
    };
    d.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({ forms::answer_field(&q2.id): v2 }),
    );
    d.sync(app).await;
    assert_eq!(d.refused.len(), 1);
    assert!(
        d.refused[0].message.contains("истекло"),
        "{}",
        d.refused[0].message
    );
    // Submitting is still possible; the late answer is not in what was scored.
    d.refused.clear();
    d.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({"status": "submitted"}),
    );
    d.sync(app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused);
    let stored: model::record::Record = app.record(&leader.token, rid).await.json().await.unwrap();
    let answers = forms::answers_of(&stored);
    assert_eq!(answers.get(&q.id), Some(&first));
    assert!(!answers.contains_key(&q2.id));
    assert!(d.records.contains_key(&forms::result_id(rid)));
}

#[tokio::test]
async fn a_response_is_ones_own_answer_to_a_campaign_sent_to_one() {
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("leader_test");
    let campaign = send_campaign(app, "leader_test", t.version, &["school_team"]).await;
    let leader = town.team.clone();
    let school = leader.profile.school_id;
    let (rid, scope) =
        forms::response_target(t.respondent, campaign, school, leader.profile.id).unwrap();
    let q = t.questions().next().unwrap();
    let answer = |fields: &mut serde_json::Map<String, Value>| {
        if let Kind::Single { options } = &q.kind {
            fields.insert(forms::answer_field(&q.id), json!(options[0].id));
        }
    };
    let try_write =
        |token: String, id: Uuid, scope: Scope, fields: serde_json::Map<String, Value>, n: u8| {
            let app = &app;
            async move {
                let mut d = Device::new(&token, n);
                d.edit(id, forms::RESPONSE_KIND, &scope, Value::Object(fields));
                d.sync(app).await;
                d.refused.first().map(|r| (r.code, r.message.clone()))
            }
        };
    let mut fields = pins(campaign, &t);
    answer(&mut fields);
    // Under another id, or for a colleague: refused.
    let other = forms::response_target(t.respondent, campaign, school, Uuid::now_v7())
        .unwrap()
        .0;
    for (n, id) in [(10, Uuid::now_v7()), (20, other)] {
        let (code, msg) = try_write(leader.token.clone(), id, scope.clone(), fields.clone(), n)
            .await
            .expect("refused");
        assert_eq!(code, model::ErrorCode::Forbidden, "{msg}");
        assert!(msg.contains("Нет права изменять «Ответ на форму»"), "{msg}");
    }
    // To a campaign that does not exist, or with another form than the campaign's: refused.
    let ghost_id = Uuid::now_v7();
    let mut ghost = pins(ghost_id, &t);
    answer(&mut ghost);
    let gid = forms::response_target(t.respondent, ghost_id, school, leader.profile.id)
        .unwrap()
        .0;
    let (_, msg) = try_write(leader.token.clone(), gid, scope.clone(), ghost, 11)
        .await
        .expect("refused");
    assert!(msg.contains("ни к одной рассылке"), "{msg}");
    let (card, _) = builtin("self_analysis");
    let wrong = pins(campaign, &card);
    let (wid, wscope) =
        forms::response_target(card.respondent, campaign, school, leader.profile.id).unwrap();
    let (_, msg) = try_write(leader.token.clone(), wid, wscope, wrong, 12)
        .await
        .expect("refused");
    assert!(msg.contains("не по той форме"), "{msg}");
    // A teacher was not sent the leader test.
    let teacher = town.teacher.clone();
    let (tid, tscope) = forms::response_target(
        t.respondent,
        campaign,
        teacher.profile.school_id,
        teacher.profile.id,
    )
    .unwrap();
    let (_, msg) = try_write(teacher.token.clone(), tid, tscope, fields.clone(), 13)
        .await
        .expect("refused");
    assert!(msg.contains("не направлялась вам"), "{msg}");
    // The own answer goes through; submitting twice is scored once.
    fields.insert("status".into(), json!("submitted"));
    assert_eq!(
        try_write(leader.token.clone(), rid, scope.clone(), fields, 14).await,
        None
    );
    let again: serde_json::Map<String, Value> = [("status".to_owned(), json!("submitted"))]
        .into_iter()
        .collect();
    assert_eq!(
        try_write(leader.token.clone(), rid, scope.clone(), again, 15).await,
        None
    );
    let head = town.head.clone();
    let mut h = Device::new(&head.token, 16);
    let mut results = 0;
    loop {
        let resp = h.sync_once(app).await;
        results += resp
            .changes
            .iter()
            .filter(|c| c.record == forms::result_id(rid))
            .count();
        if !resp.more {
            break;
        }
    }
    assert_eq!(results, 1, "scored once");
}

#[tokio::test]
async fn a_mentor_returns_with_comments_then_accepts_and_every_round_is_kept() {
    use model::forms::review;
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("context_profile");
    let campaign = send_campaign(app, &t.code, t.version, &["school_team"]).await;
    let school = town.team.clone();
    let (rid, scope) = forms::response_target(
        t.respondent,
        campaign,
        school.profile.school_id,
        school.profile.id,
    )
    .unwrap();
    let mut s = Device::new(&school.token, 30);
    let all = full_answers(&t);
    let mut fields = pins(campaign, &t);
    fields.extend(answers_json(&t, &all).as_object().unwrap().clone());
    fields.insert("status".into(), json!("submitted"));
    s.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    s.sync(app).await;
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    assert_eq!(
        review::round_of(&s.records[&rid]),
        1,
        "the server numbered the round"
    );

    let mentor = town.mentor.clone();
    let mut m = Device::new(&mentor.token, 31);
    m.sync(app).await;
    assert!(
        m.records.contains_key(&rid),
        "the mentor of the school received the response"
    );
    let q = t.questions().next().unwrap();
    let first = review::review_id(rid, 1);
    let review_write = |d: &mut Device, id: Uuid, fields: Value| {
        d.edit_child(id, review::REVIEW_KIND, &scope, Some(rid), fields);
    };
    // A comment beside a question the form does not have is refused, and nothing is kept.
    review_write(
        &mut m,
        first,
        json!({ "round": 1, review::comment_field("нет_такого_вопроса"): "текст" }),
    );
    m.sync(app).await;
    assert_eq!(m.refused.len(), 1, "{:?}", m.refused);
    assert!(
        m.refused[0]
            .message
            .contains("нет вопроса «нет_такого_вопроса»"),
        "{}",
        m.refused[0].message
    );
    assert_eq!(
        app.record(&mentor.token, first).await.status(),
        StatusCode::NOT_FOUND
    );
    m.refused.clear();
    review_write(
        &mut m,
        first,
        json!({ "round": 1, review::comment_field(&q.id): "Проверьте, пожалуйста, это число.", "verdict": "returned" }),
    );
    m.sync(app).await;
    assert!(m.refused.is_empty(), "{:?}", m.refused);

    // The school sees the comment and the returned status, edits and sends again.
    s.sync(app).await;
    assert_eq!(forms::status_of(&s.records[&rid]), forms::Status::Returned);
    assert_eq!(
        s.records[&first].text(&review::comment_field(&q.id)),
        "Проверьте, пожалуйста, это число."
    );
    s.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({ forms::answer_field(&q.id): 3, "status": "submitted" }),
    );
    s.sync(app).await;
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    assert_eq!(review::round_of(&s.records[&rid]), 2);

    // A verdict on the old round is refused; another curator's is refused; the new one counts.
    m.sync(app).await;
    review_write(&mut m, first, json!({ "overall": "ещё раз" }));
    let second = review::review_id(rid, 2);
    review_write(
        &mut m,
        second,
        json!({ "round": 2, "verdict": "accepted", "overall": "Принято, спасибо." }),
    );
    m.sync(app).await;
    assert_eq!(m.refused.len(), 1, "{:?}", m.refused);
    assert!(
        m.refused[0].message.contains("последней отправленной"),
        "{}",
        m.refused[0].message
    );
    let curator = app.add_user("curator1", Role::Mentor, None).await;
    let mut c = Device::new(&curator.token, 32);
    review_write(
        &mut c,
        review::review_id(rid, 2),
        json!({ "overall": "чужая школа" }),
    );
    c.sync(app).await;
    assert_eq!(c.refused.len(), 1);
    assert_eq!(c.refused[0].code, model::ErrorCode::Forbidden);

    s.sync(app).await;
    assert_eq!(forms::status_of(&s.records[&rid]), forms::Status::Accepted);
    assert_eq!(
        review::verdict_of(&s.records[&first]),
        Some(forms::Status::Returned)
    );
    assert_eq!(
        review::verdict_of(&s.records[&second]),
        Some(forms::Status::Accepted)
    );
    s.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({ forms::answer_field(&q.id): 4 }),
    );
    s.sync(app).await;
    assert!(s.refused.last().unwrap().message.contains("принята"));
    // A decided review is final.
    m.refused.clear();
    m.sync(app).await;
    review_write(&mut m, second, json!({ "overall": "передумал" }));
    m.sync(app).await;
    assert!(
        m.refused
            .last()
            .unwrap()
            .message
            .contains("больше не меняется"),
        "{:?}",
        m.refused
    );
}

#[tokio::test]
async fn a_mentor_never_receives_forms_of_a_school_not_assigned() {
    use model::forms::review;
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("leader_test");
    let campaign = send_campaign(app, "leader_test", t.version, &["school_team"]).await;
    let school = town.team.clone();
    let (rid, scope) = forms::response_target(
        t.respondent,
        campaign,
        school.profile.school_id,
        school.profile.id,
    )
    .unwrap();
    let mut s = Device::new(&school.token, 40);
    let fields = sent_blank_test(campaign, &t);
    s.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    s.sync(app).await;
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    let mentor = town.mentor.clone();
    let mut m = Device::new(&mentor.token, 41);
    m.sync(app).await;
    m.edit_child(
        review::review_id(rid, 1),
        review::REVIEW_KIND,
        &scope,
        Some(rid),
        json!({"round": 1, "overall": "Хорошо"}),
    );
    m.sync(app).await;
    assert!(m.refused.is_empty(), "{:?}", m.refused);

    // The curator of other schools: not in any payload, not by id.
    let curator = app.add_user("curator1", Role::Mentor, None).await;
    let mut c = Device::new(&curator.token, 42);
    c.sync(app).await;
    let school_scope = scope.to_string();
    // (A consultation the school asked of this curator by name is theirs to read.)
    let leaked: Vec<_> = c
        .records
        .values()
        .filter(|r| r.scope.to_string() == school_scope)
        .filter(|r| model::kinds::addressee(r) != Some(curator.profile.id))
        .map(|r| r.kind.clone())
        .collect();
    assert!(leaked.is_empty(), "the curator received {leaked:?}");
    for id in [rid, forms::result_id(rid), review::review_id(rid, 1)] {
        assert_eq!(
            app.record(&curator.token, id).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    // The assigned mentor has all three.
    m.sync(app).await;
    for id in [rid, forms::result_id(rid), review::review_id(rid, 1)] {
        assert!(m.records.contains_key(&id), "{id}");
    }
}

/// The text of an XLSX file's shared strings and first sheet.
fn xlsx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut out = String::new();
    for name in ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] {
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_string(&mut out).unwrap();
        }
    }
    out
}

#[tokio::test]
async fn a_campaign_exports_to_xlsx_with_a_row_per_respondent_and_only_what_the_caller_reads() {
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("context_profile");
    let campaign = send_campaign(app, &t.code, t.version, &["school_team"]).await;
    let school = town.team.clone();
    let (rid, scope) = forms::response_target(
        t.respondent,
        campaign,
        school.profile.school_id,
        school.profile.id,
    )
    .unwrap();
    let mut s = Device::new(&school.token, 50);
    let mut fields = pins(campaign, &t);
    fields.extend(
        answers_json(&t, &full_answers(&t))
            .as_object()
            .unwrap()
            .clone(),
    );
    fields.insert("status".into(), json!("submitted"));
    s.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    s.sync(app).await;
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    let export = |token: String| {
        let http = app.http.clone();
        let url = format!("{}/api/campaigns/{campaign}/export.xlsx", app.base);
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let head = town.head.clone();
    let res = export(head.token.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let text = xlsx_text(&res.bytes().await.unwrap());
    let school_name = school.profile.school_name.clone().unwrap();
    for needle in [
        "Школа",
        "Состояние",
        "отправлено",
        &t.questions().next().unwrap().text,
        &school_name,
    ] {
        assert!(text.contains(needle), "the export lacks «{needle}»");
    }
    // A curator of other schools gets the sheet without this school's row; a school gets 403.
    let curator = app.add_user("curator1", Role::Mentor, None).await;
    let res = export(curator.token.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = xlsx_text(&res.bytes().await.unwrap());
    assert!(text.contains("Школа") && !text.contains(&school_name));
    assert_eq!(
        export(school.token.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn plan_items_belong_to_a_response_of_the_same_school() {
    use model::forms::plan;
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("leader_test");
    let campaign = send_campaign(app, "leader_test", t.version, &["school_team"]).await;
    let leader = town.team.clone();
    let (rid, scope) = forms::response_target(
        t.respondent,
        campaign,
        leader.profile.school_id,
        leader.profile.id,
    )
    .unwrap();
    let mut d = Device::new(&leader.token, 60);
    let fields = sent_blank_test(campaign, &t);
    d.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    d.sync(app).await;
    let item = json!({
        "area": t.test.as_ref().unwrap().areas[0].id, "measure_kind": "methodical",
        "measure": "Посещение уроков с разбором", "deadline": "2027-03-01",
        "responsible": "Заместитель директора", "status": "planned"
    });
    for (parent, ok) in [(rid, true), (Uuid::now_v7(), false)] {
        d.edit_child(
            Uuid::now_v7(),
            plan::PLAN_ITEM_KIND,
            &scope,
            Some(parent),
            item.clone(),
        );
        d.sync(app).await;
        assert_eq!(
            d.refused.is_empty(),
            ok,
            "parent ok = {ok}: {:?}",
            d.refused
        );
        d.refused.clear();
    }
    // A bad measure kind is refused with the rule.
    d.edit_child(
        Uuid::now_v7(),
        plan::PLAN_ITEM_KIND,
        &scope,
        Some(rid),
        json!({"measure_kind": "other"}),
    );
    d.sync(app).await;
    assert!(d.refused[0].message.contains("пяти мер"), "{:?}", d.refused);
}

/// A new version of a form leaves the responses to the old one as they were filled: each
/// campaign is answered, checked and exported by its own version.
#[tokio::test]
async fn responses_keep_the_version_they_were_filled_with() {
    let town = common::municipality().await;
    let app = &town.app;
    let head = town.head.clone();
    let upload = |body: Value| {
        let http = app.http.clone();
        let url = format!("{}/api/templates", app.base);
        let token = head.token.clone();
        async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED, "{:?}", r.text().await);
        }
    };
    let version = |v: u32, extra: bool| {
        let mut questions = vec![
            json!({"id": "q1", "text": "Сколько учителей в школе?", "type": "number", "required": true, "min": 0, "max": 500}),
        ];
        if extra {
            questions.push(json!({"id": "q2", "text": "Сколько из них совместители?", "type": "number", "required": true, "min": 0, "max": 500}));
        }
        json!({"code": "staff_count", "version": v, "title": "Кадры", "respondent": "school",
               "audience": ["school_team"], "sections": [{"id": "s", "title": "Раздел", "questions": questions}]})
    };
    let school = town.team.clone();
    let mut centre = Device::new(&head.token, 53);
    let mut send = |v: u32| {
        let id = Uuid::now_v7();
        centre.edit(
            id,
            forms::CAMPAIGN_KIND,
            &Scope::Centre,
            json!({"title": format!("Кадры, версия {v}"), "template": "staff_count", "version": v,
                   "deadline": "2027-01-31", "schools": [school.profile.school_id], "roles": ["school_team"]}),
        );
        id
    };
    upload(version(1, false)).await;
    let old = send(1);
    upload(version(2, true)).await;
    let new = send(2);
    let third = send(2);
    centre.sync(app).await;
    assert!(centre.refused.is_empty(), "{:?}", centre.refused);
    let mut s = Device::new(&school.token, 51);
    let scope = Scope::School(school.profile.school_id.unwrap());
    for (campaign, v, answers) in [
        (old, 1, json!({"a.q1": 23})),
        (new, 2, json!({"a.q1": 23, "a.q2": 4})),
    ] {
        let mut fields = json!({"campaign": campaign, "template": "staff_count", "version": v, "status": "submitted"});
        fields
            .as_object_mut()
            .unwrap()
            .extend(answers.as_object().unwrap().clone());
        s.edit(
            forms::response_id(campaign, &scope),
            forms::RESPONSE_KIND,
            &scope,
            fields,
        );
    }
    s.sync(app).await;
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    // Version 1 without the question of version 2 is complete; version 2 without it is not.
    let mut d = Device::new(&school.token, 52);
    d.edit(
        forms::response_id(third, &scope),
        forms::RESPONSE_KIND,
        &scope,
        json!({"campaign": third, "template": "staff_count", "version": 2, "status": "submitted", "a.q1": 5}),
    );
    d.sync(app).await;
    assert_eq!(
        d.refused.len(),
        1,
        "the newer version's required question is asked"
    );
    let export = |campaign: Uuid| {
        let http = app.http.clone();
        let url = format!("{}/api/campaigns/{campaign}/export.xlsx", app.base);
        let token = head.token.clone();
        async move {
            let res = http.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            xlsx_text(&res.bytes().await.unwrap())
        }
    };
    let first = export(old).await;
    assert!(first.contains("Сколько учителей") && !first.contains("совместители"));
    let second = export(new).await;
    assert!(second.contains("Сколько учителей") && second.contains("совместители"));
}

/// A form that shows medians gives each school the municipality's median of every figure once
/// three schools sent it, and nothing before; a form that does not show them says so. Only the
/// schools it is sent to count.
#[tokio::test]
async fn the_municipal_medians_appear_once_three_schools_answered() {
    let town = common::municipality().await;
    let app = &town.app;
    let head = town.head.clone();
    let form = json!({"code": "context_counts", "version": 1, "title": "Профиль", "respondent": "school",
    "audience": ["school_team"], "medians": true, "sections": [{"id": "s", "title": "Раздел", "questions": [
        {"id": "pupils_total", "text": "Обучающихся", "type": "number", "min": 0, "max": 5000, "integer": true},
        {"id": "teachers_total", "text": "Педагогов", "type": "number", "min": 0, "max": 500, "integer": true},
        {"id": "ppt", "text": "Учащихся на одного учителя", "type": "computed", "op": "ratio", "of": ["pupils_total", "teachers_total"]}
    ]}]});
    let res = app
        .http
        .post(format!("{}/api/templates", app.base))
        .bearer_auth(&head.token)
        .json(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let mut teams = Vec::new();
    for n in 0..3 {
        let school = app.add_school(&format!("Школа медиан № {n}")).await;
        let tag = Uuid::now_v7().simple().to_string();
        let login = format!("mediana{}", &tag[tag.len() - 8..]);
        teams.push(
            app.add_user(&login, model::Role::SchoolTeam, Some(school))
                .await,
        );
    }
    let campaign = Uuid::now_v7();
    let mut centre = Device::new(&head.token, 54);
    let schools: Vec<Uuid> = teams.iter().filter_map(|t| t.profile.school_id).collect();
    centre.edit(
        campaign,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"title": "Профиль", "template": "context_counts", "version": 1,
               "deadline": "2027-01-31", "schools": schools, "roles": ["school_team"]}),
    );
    centre.sync(app).await;
    assert!(centre.refused.is_empty(), "{:?}", centre.refused);
    let medians = |token: String| {
        let http = app.http.clone();
        let url = format!("{}/api/campaigns/{campaign}/medians", app.base);
        async move {
            let r = http.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<model::api::Medians>().await.unwrap()
        }
    };
    for (n, (team, (pupils, teachers))) in teams
        .iter()
        .zip([(100, 10), (300, 20), (200, 25)])
        .enumerate()
    {
        let before = medians(team.token.clone()).await;
        assert_eq!(before.answered, n);
        assert!(
            before.medians.is_empty(),
            "a median of {n} schools is shown"
        );
        let scope = Scope::School(team.profile.school_id.unwrap());
        let mut d = Device::new(&team.token, 55 + n as u8);
        d.edit(
            forms::response_id(campaign, &scope),
            forms::RESPONSE_KIND,
            &scope,
            json!({"campaign": campaign, "template": "context_counts", "version": 1,
                   "status": "submitted", "a.pupils_total": pupils, "a.teachers_total": teachers}),
        );
        d.sync(app).await;
        assert!(d.refused.is_empty(), "{:?}", d.refused);
    }
    let after = medians(teams[0].token.clone()).await;
    assert_eq!(after.answered, 3);
    assert_eq!(after.medians.get("pupils_total"), Some(&200.0));
    assert_eq!(after.medians.get("ppt"), Some(&10.0));
    // A school the campaign was not sent to, or a mentor of none of its schools, reads
    // nothing of it; a mentor of one of them does. A form without medians says so.
    let status = |token: String| {
        let http = app.http.clone();
        let url = format!("{}/api/campaigns/{campaign}/medians", app.base);
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(status(town.team.token.clone()).await, StatusCode::NOT_FOUND);
    assert_eq!(
        status(town.mentor.token.clone()).await,
        StatusCode::NOT_FOUND
    );
    app.db()
        .await
        .assign(town.mentor.profile.id, schools[1])
        .await
        .unwrap();
    assert_eq!(status(town.mentor.token.clone()).await, StatusCode::OK);
    let (card, _) = builtin("leader_test");
    let other = send_campaign(app, &card.code, card.version, &["school_team"]).await;
    let res = app
        .http
        .get(format!("{}/api/campaigns/{other}/medians", app.base))
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A school taken off the campaign is no longer among the schools of its medians.
    centre.edit(
        campaign,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({ "schools": &schools[..2] }),
    );
    centre.sync(app).await;
    assert!(centre.refused.is_empty(), "{:?}", centre.refused);
    let fewer = medians(head.token.clone()).await;
    assert_eq!(fewer.answered, 2);
    assert!(fewer.medians.is_empty(), "{:?}", fewer.medians);
}

/// The card's years are its campaign's: a deadline moved within the school year is taken, one
/// moved into another school year is refused (answers given would not fit the new years).
#[tokio::test]
async fn a_card_campaign_keeps_its_school_year() {
    let town = common::municipality().await;
    let app = &town.app;
    let head = town.head.clone();
    let (card, _) = builtin("self_analysis");
    let mut d = Device::new(&head.token, 56);
    let id = Uuid::now_v7();
    d.edit(
        id,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"title": "Карта", "template": card.code, "version": card.version,
               "deadline": "2027-01-31", "schools": [], "roles": ["school_team"]}),
    );
    d.sync(app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused);
    d.edit(
        id,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"deadline": "2027-03-01"}),
    );
    d.sync(app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused);
    d.edit(
        id,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"deadline": "2027-10-01"}),
    );
    d.sync(app).await;
    assert_eq!(d.refused.len(), 1);
    assert!(d.refused_messages()[0].contains("другой учебный год"));
    // A form for school teams keeps a school once it has one.
    d.refused.clear();
    let school = town.school.to_string();
    d.edit(
        id,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"schools": [school]}),
    );
    d.sync(app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused);
    d.edit(
        id,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"schools": []}),
    );
    d.sync(app).await;
    assert_eq!(d.refused.len(), 1, "{:?}", d.refused);
    assert!(d.refused_messages()[0].contains("хотя бы одна школа"));
}

/// Two computers of one school add measures to the card's list while apart: each item is a
/// field of its own, so both are kept, on the server and on both computers; a bad answer inside
/// an item, an id no device makes, and an item beyond the question's most are refused with
/// their rule.
#[tokio::test]
async fn items_added_to_a_list_on_two_computers_are_both_kept() {
    let town = common::municipality().await;
    let app = &town.app;
    let (t, _) = builtin("self_analysis");
    let campaign = send_campaign(app, "self_analysis", t.version, &["school_team"]).await;
    let school = town.team.clone();
    let (rid, scope) = forms::response_target(
        t.respondent,
        campaign,
        school.profile.school_id,
        school.profile.id,
    )
    .unwrap();
    let mut a = Device::new(&school.token, 31);
    let mut b = Device::new(&school.token, 32);
    a.sync(app).await;
    b.sync(app).await;
    let first = Uuid::now_v7().to_string();
    let second = Uuid::now_v7().to_string();
    let mut fields = pins(campaign, &t);
    fields.insert(
        forms::item_field("measures_taken", &first),
        json!({"measure": "Педсовет по результатам ВПР"}),
    );
    a.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    let mut fields = pins(campaign, &t);
    fields.insert(
        forms::item_field("measures_taken", &second),
        json!({"measure": "Консультации для девятиклассников", "measure_date": "2026-10-01"}),
    );
    b.edit(rid, forms::RESPONSE_KIND, &scope, Value::Object(fields));
    a.sync(app).await;
    b.sync(app).await;
    a.sync(app).await;
    assert!(
        a.refused.is_empty() && b.refused.is_empty(),
        "{:?} {:?}",
        a.refused,
        b.refused
    );
    let texts = |r: &model::record::Record| -> Vec<String> {
        forms::answers_of(r)["measures_taken"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["measure"].as_str().unwrap().to_owned())
            .collect()
    };
    let want = [
        "Педсовет по результатам ВПР",
        "Консультации для девятиклассников",
    ];
    let stored: model::record::Record = app.record(&school.token, rid).await.json().await.unwrap();
    assert_eq!(texts(&stored), want);
    assert_eq!(texts(&a.records[&rid]), want);
    assert_eq!(texts(&b.records[&rid]), want);

    // One of them removed, on one computer: gone everywhere, the other stays.
    b.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({ forms::item_field("measures_taken", &first): Value::Null }),
    );
    b.sync(app).await;
    a.sync(app).await;
    assert_eq!(texts(&a.records[&rid]), [want[1]]);

    // A bad answer inside an item, and an item with an id no device makes, are refused.
    let third = Uuid::now_v7().to_string();
    a.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({ forms::item_field("measures_taken", &third): {"measure_date": "вчера"} }),
    );
    a.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({ "a.measures_taken.Х": {"measure": "м"} }),
    );
    a.sync(app).await;
    let said = a.refused_messages();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said[0].contains("«Меры, уже принятые школой», запись, «Когда»"),
        "{said:?}"
    );
    assert!(said[1].contains("нет поля"), "{said:?}");
    let stored: model::record::Record = app.record(&school.token, rid).await.json().await.unwrap();
    assert_eq!(texts(&stored), [want[1]]);

    // The question's most is 30 measures: with the one kept, 29 more fill it, and the next is
    // refused, whichever computer sends it.
    for n in 0..29 {
        let id = Uuid::now_v7().to_string();
        a.edit(
            rid,
            forms::RESPONSE_KIND,
            &scope,
            json!({ forms::item_field("measures_taken", &id): {"measure": format!("Мера {n}")} }),
        );
    }
    a.sync(app).await;
    assert_eq!(a.refused.len(), 2, "{:?}", a.refused_messages());
    b.sync(app).await;
    let over = Uuid::now_v7().to_string();
    b.edit(
        rid,
        forms::RESPONSE_KIND,
        &scope,
        json!({ forms::item_field("measures_taken", &over): {"measure": "Ещё одна мера"} }),
    );
    b.sync(app).await;
    let said = b.refused_messages();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("не больше 30 записей"), "{said:?}");
    let stored: model::record::Record = app.record(&school.token, rid).await.json().await.unwrap();
    assert_eq!(texts(&stored).len(), 30);
}

/// A form whose answers do not fit one sheet of Excel (a table of 17,000 cells) is not exported
/// half-way: the head is told why, in words.
#[tokio::test]
async fn an_export_wider_than_a_sheet_is_refused_in_words() {
    let town = common::municipality().await;
    let app = &town.app;
    let head = town.head.clone();
    let rows: Vec<Value> = (0..170)
        .map(|i| json!({"id": format!("r{i}"), "text": format!("Строка {i}")}))
        .collect();
    let columns: Vec<Value> = (0..100)
        .map(|i| json!({"id": format!("c{i}"), "text": format!("Столбец {i}"), "type": "number", "min": 0, "max": 10}))
        .collect();
    let form = json!({"code": "wide_table", "version": 1, "title": "Широкая таблица", "respondent": "school",
    "audience": ["school_team"], "sections": [{"id": "s", "title": "Раздел", "questions": [
        {"id": "t", "type": "table", "text": "Таблица", "rows": rows, "columns": columns}
    ]}]});
    let res = app
        .http
        .post(format!("{}/api/templates", app.base))
        .bearer_auth(&head.token)
        .json(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let campaign = send_campaign(app, "wide_table", 1, &["school_team"]).await;
    let res = app
        .http
        .get(format!("{}/api/campaigns/{campaign}/export.xlsx", app.base))
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let e: model::ApiError = res.json().await.unwrap();
    assert!(
        e.message
            .contains("не умещаются на один лист Excel: столбцов — 17004"),
        "{}",
        e.message
    );
}
