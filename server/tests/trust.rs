//! What a device says is not trusted, over real HTTP: clock values far in the future are
//! re-stamped (the edit is kept), ids cannot be squatted, names are stamped by the server, and a
//! person who loses access has the records dropped from their devices at the next sync.

mod common;

use common::{Device, now};
use model::ErrorCode;
use model::hlc::{Hlc, MAX_AHEAD_MS, MAX_WALL};
use model::kinds::school_profile;
use model::record::{Record, Scope};
use model::support::programme as prog;
use model::sync::Mutation;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

fn profile(scope: &Scope) -> Uuid {
    match scope {
        Scope::School(s) => school_profile::id(*s),
        _ => unreachable!(),
    }
}

/// Puts a write stamped with `wall` into a device's outbox, as a hostile or broken device would.
fn forge(d: &mut Device, id: Uuid, scope: &Scope, wall: u64, fields: serde_json::Value) {
    d.edit(id, school_profile::KIND, scope, fields);
    let m: &mut Mutation = d.outbox.last_mut().unwrap();
    let forged = Hlc {
        wall_ms: wall,
        ..m.change.hlc.clone()
    };
    let record = d.records.get_mut(&id).unwrap();
    for (name, value) in &m.change.fields {
        record.retract(name, &m.change.hlc);
        record.apply(
            name,
            model::record::Write {
                hlc: forged.clone(),
                value: value.clone(),
            },
        );
    }
    m.change.hlc = forged;
}

fn clock_values(r: &Record) -> Vec<Hlc> {
    r.fields
        .values()
        .flat_map(|f| f.writes())
        .map(|w| w.hlc)
        .collect()
}

#[tokio::test]
async fn a_far_future_write_is_kept_at_the_servers_time_and_stops_nobody() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let scope = Scope::School(school.profile.school_id.unwrap());
    let id = profile(&scope);
    let mut hostile = Device::new(&school.token, 1);
    let mut other = Device::new(&school.token, 2);
    hostile.sync(app).await;
    other.sync(app).await;
    // The largest clock value there is, and a clock a year ahead.
    forge(
        &mut hostile,
        id,
        &scope,
        MAX_WALL,
        json!({"phone": "8 800 000-00-00"}),
    );
    let year = 365 * 86_400_000;
    forge(
        &mut hostile,
        id,
        &scope,
        now() + year,
        json!({"note": "из будущего"}),
    );
    let resp = hostile.sync_once(app).await;
    assert_eq!(resp.restamped.len(), 2, "both kept, at the server's time");
    assert!(hostile.refused.is_empty(), "{:?}", hostile.refused);
    let limit = now() + MAX_AHEAD_MS;
    let stored: Record = app.record(&school.token, id).await.json().await.unwrap();
    assert_eq!(stored.text("phone"), "8 800 000-00-00");
    assert_eq!(stored.text("note"), "из будущего");
    assert!(clock_values(&stored).iter().all(|h| h.wall_ms <= limit));
    assert_eq!(
        hostile.records[&id], stored,
        "the device re-stamped its copy too"
    );
    assert!(
        hostile.state.clock.last_wall_ms <= limit,
        "its clock came back"
    );
    // The other computer of the school receives it, edits after it and wins, and so does
    // the hostile device when it edits again.
    other.sync(app).await;
    assert!(
        clock_values(&other.records[&id])
            .iter()
            .all(|h| h.wall_ms <= limit)
    );
    other.edit(
        id,
        school_profile::KIND,
        &scope,
        json!({"note": "правка с другого компьютера"}),
    );
    other.sync(app).await;
    assert!(other.refused.is_empty(), "{:?}", other.refused);
    hostile.sync(app).await;
    let stored: Record = app.record(&school.token, id).await.json().await.unwrap();
    assert_eq!(stored.text("note"), "правка с другого компьютера");
    assert_eq!(hostile.records[&id], stored);
    hostile.edit(
        id,
        school_profile::KIND,
        &scope,
        json!({"note": "снова с первого"}),
    );
    hostile.sync(app).await;
    other.sync(app).await;
    assert_eq!(other.records[&id].text("note"), "снова с первого");
    assert_eq!(hostile.records[&id], other.records[&id]);
    // Every clock value anyone received is bounded.
    let head = &town.head;
    let mut h = Device::new(&head.token, 3);
    h.sync(app).await;
    for r in h.records.values() {
        assert!(
            clock_values(r)
                .iter()
                .all(|v| v.wall_ms <= now() + MAX_AHEAD_MS)
        );
    }
}

#[tokio::test]
async fn ids_cannot_be_squatted_and_refusals_do_not_tell_what_exists() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let a = school.profile.school_id.unwrap();
    let b = town.other;
    let other = app
        .add_user("chuzhaya.shkola", model::Role::SchoolTeam, Some(b))
        .await;
    let (scope_a, scope_b) = (Scope::School(a), Scope::School(b));
    // School B takes A's profile id: in A's scope it has no right, in its own the id is wrong.
    let mut d = Device::new(&other.token, 1);
    d.edit(
        profile(&scope_a),
        school_profile::KIND,
        &scope_a,
        json!({"note": "x"}),
    );
    d.sync(app).await;
    // (A fresh device, so that the record is not the one the first attempt made.)
    let mut d2 = Device::new(&other.token, 5);
    d2.edit(
        profile(&scope_a),
        school_profile::KIND,
        &scope_b,
        json!({"note": "x"}),
    );
    d2.sync(app).await;
    d.refused.append(&mut d2.refused);
    // A fresh-looking id that is not a UUIDv7, and a v7 id a record of another kind holds.
    let mentor = &town.mentor;
    let mut m = Device::new(&mentor.token, 2);
    let taken = Uuid::now_v7();
    m.edit(
        taken,
        "recommendation",
        &scope_a,
        json!({"title": "настоящая"}),
    );
    m.sync(app).await;
    assert!(m.refused.is_empty(), "{:?}", m.refused);
    d.edit(
        Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef),
        "recommendation",
        &scope_b,
        json!({"title": "x"}),
    );
    d.edit(taken, school_profile::KIND, &scope_b, json!({"note": "x"}));
    // A never-used v7 id for a profile (whose id is derived).
    d.edit(
        Uuid::now_v7(),
        school_profile::KIND,
        &scope_b,
        json!({"note": "x"}),
    );
    d.sync(app).await;
    let codes: Vec<(ErrorCode, &str)> = d
        .refused
        .iter()
        .map(|r| (r.code, r.message.as_str()))
        .collect();
    let refused: Vec<(u64, Uuid, &str)> = d
        .refused
        .iter()
        .map(|r| {
            (
                r.mutation.seq,
                r.mutation.change.record,
                r.mutation.change.kind.as_str(),
            )
        })
        .collect();
    assert_eq!(codes.len(), 5, "{codes:?} {refused:?} {:?}", d.outbox);
    // No right in A's scope, someone else's derived id, an id a record of another kind holds, a
    // fresh id for a kind whose id is derived: one and the same answer for the same kind, which
    // tells nothing of what exists.
    assert!(
        codes.iter().all(|c| c.0 == ErrorCode::Forbidden),
        "{codes:?}"
    );
    for i in [1, 3, 4] {
        assert_eq!(codes[i], codes[0], "{codes:?}");
    }
    assert!(codes[0].1.contains("«Сведения о школе»"), "{}", codes[0].1);
    assert!(
        codes[2].1.contains("«Адресные рекомендации»"),
        "{}",
        codes[2].1
    );
    // Nothing was taken: A writes its profile, B its own.
    let mut s = Device::new(&school.token, 3);
    s.edit(
        profile(&scope_a),
        school_profile::KIND,
        &scope_a,
        json!({"note": "наш"}),
    );
    s.sync(app).await;
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    let mut d2 = Device::new(&other.token, 4);
    d2.edit(
        profile(&scope_b),
        school_profile::KIND,
        &scope_b,
        json!({"note": "свой"}),
    );
    d2.sync(app).await;
    assert!(d2.refused.is_empty(), "{:?}", d2.refused);
    let rec: Record = app.record(&mentor.token, taken).await.json().await.unwrap();
    assert_eq!(rec.kind, "recommendation");

    // A child put under a record of another school: the answer is the same whether that
    // record exists (B's programme section) or not (a section B does not have).
    let year = 2027;
    let programme = prog::programme_id(b, year);
    let section = prog::section_id(programme, "failure");
    d2.edit(
        programme,
        prog::PROGRAMME_KIND,
        &scope_b,
        json!({"year": year}),
    );
    d2.edit_child(
        section,
        prog::SECTION_KIND,
        &scope_b,
        Some(programme),
        json!({"factor": "failure"}),
    );
    d2.sync(app).await;
    assert!(d2.refused.is_empty(), "{:?}", d2.refused);
    let mut probe = Device::new(&school.token, 6);
    for parent in [section, prog::section_id(programme, "staff_shortage")] {
        probe.edit_child(
            Uuid::now_v7(),
            prog::MEASURE_KIND,
            &scope_b,
            Some(parent),
            json!({"content": "x"}),
        );
    }
    probe.sync(app).await;
    let answers: Vec<(ErrorCode, &str)> = probe
        .refused
        .iter()
        .map(|r| (r.code, r.message.as_str()))
        .collect();
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, ErrorCode::Forbidden);
}

#[tokio::test]
async fn names_are_stamped_by_the_server_not_taken_from_the_device() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let mentor = &town.mentor;
    let scope = Scope::School(school.profile.school_id.unwrap());
    let mut m = Device::new(&mentor.token, 1);
    let id = Uuid::now_v7();
    m.edit(
        id,
        "recommendation",
        &scope,
        json!({"title": "Рекомендации", "author": "Директор департамента"}),
    );
    m.sync(app).await;
    assert_eq!(m.refused.len(), 1);
    assert_eq!(m.refused[0].code, ErrorCode::Forbidden);
    assert!(
        m.refused[0].message.contains("заполняет сервер"),
        "{}",
        m.refused[0].message
    );
    m.refused.clear();
    m.edit(
        id,
        "recommendation",
        &scope,
        json!({"title": "Рекомендации"}),
    );
    m.sync(app).await;
    assert!(m.refused.is_empty());
    assert_eq!(m.records[&id].text("author"), mentor.profile.full_name);
    let stored: Record = app.record(&mentor.token, id).await.json().await.unwrap();
    assert_eq!(stored.text("author"), mentor.profile.full_name);
}

#[tokio::test]
async fn a_person_who_loses_access_has_the_records_dropped_from_their_devices() {
    let town = common::municipality().await;
    let app = &town.app;
    let head = &town.head;
    let school = &town.team;
    let mentor = &town.mentor;
    let a = school.profile.school_id.unwrap();
    let scope = Scope::School(a);
    let mut s = Device::new(&school.token, 1);
    s.edit(
        profile(&scope),
        school_profile::KIND,
        &scope,
        json!({"note": "паспорт"}),
    );
    s.sync(app).await;
    let mut m = Device::new(&mentor.token, 2);
    let draft = Uuid::now_v7();
    m.edit(
        draft,
        "recommendation",
        &scope,
        json!({"title": "Черновик"}),
    );
    m.sync(app).await;
    assert!(m.records.contains_key(&profile(&scope)));
    assert!(m.records.contains_key(&draft));
    let other_school: Vec<Uuid> = m
        .records
        .values()
        .filter(|r| matches!(r.scope, Scope::School(x) if x != a))
        .map(|r| r.id)
        .collect();
    // The mentor types, offline, then the head takes the school away.
    m.edit(
        draft,
        "recommendation",
        &scope,
        json!({"text": "набрано до отмены"}),
    );
    let url = format!("{}/api/users/{}/schools/{a}", app.base, mentor.profile.id);
    let res = app
        .http
        .delete(url)
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let first = m.sync_once(app).await;
    assert!(first.reset, "the grants changed: everything again");
    m.sync(app).await;
    assert!(
        !m.records.contains_key(&profile(&scope)),
        "the school's data left"
    );
    assert_eq!(
        m.refused.len(),
        1,
        "the edit typed before is refused and shown"
    );
    assert!(
        m.records.contains_key(&draft),
        "kept while its refused edit is shown"
    );
    for id in other_school {
        assert!(m.records.contains_key(&id), "what stays readable stays");
    }
    assert_eq!(m.state.pass, None);
    assert_eq!(
        app.record(&mentor.token, profile(&scope)).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// A recommendation is the advisers' while it is a draft; sent, the school reads it as sent.
/// The mentor's drafts before it reach no computer of the school, whether it was syncing all
/// along or is new, nor the school's reading of the record through the API.
#[tokio::test]
async fn a_school_reads_a_sent_recommendation_without_the_drafts_before_it() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let mentor = &town.mentor;
    let scope = Scope::School(school.profile.school_id.unwrap());
    let mut s = Device::new(&school.token, 1);
    s.sync(app).await;
    let mut m = Device::new(&mentor.token, 2);
    let id = Uuid::now_v7();
    for (title, text) in [
        ("Черновик: директор не справляется", "набросок первый"),
        ("Черновик второй", "набросок второй, резкий"),
        (
            "Планирование методической работы",
            "Составить план на полугодие.",
        ),
    ] {
        m.edit(
            id,
            "recommendation",
            &scope,
            json!({"title": title, "text": text, "state": "draft"}),
        );
        m.sync(app).await;
    }
    let mut received = Vec::new();
    loop {
        let page = s.sync_once(app).await;
        received.extend(page.changes);
        if !page.more {
            break;
        }
    }
    assert!(!s.records.contains_key(&id), "a draft is the advisers'");
    m.edit(id, "recommendation", &scope, json!({"state": "sent"}));
    m.sync(app).await;
    loop {
        let page = s.sync_once(app).await;
        received.extend(page.changes);
        if !page.more {
            break;
        }
    }
    let mut fresh = Device::new(&school.token, 3);
    fresh.sync(app).await;
    let api: Record = app.record(&school.token, id).await.json().await.unwrap();
    for (copy, r) in [
        ("the computer syncing all along", &s.records[&id]),
        ("a new computer", &fresh.records[&id]),
        ("the API", &api),
    ] {
        assert_eq!(r.text("text"), "Составить план на полугодие.", "{copy}");
        assert_eq!(r.text("state"), "sent", "{copy}");
        for (name, field) in &r.fields {
            assert!(
                field.history.is_empty(),
                "{copy}: {name} keeps {:?}",
                field.history
            );
        }
    }
    let bodies = serde_json::to_string(&received).unwrap();
    assert!(!bodies.contains("набросок"), "{bodies}");
    assert!(!bodies.contains("Черновик"), "{bodies}");
    // The mentor, who wrote them, still has the drafts in the history.
    let theirs: Record = app.record(&mentor.token, id).await.json().await.unwrap();
    assert_eq!(theirs.fields["text"].history.len(), 2);
    assert_eq!(m.records[&id].fields["text"].history.len(), 2);
}

#[tokio::test]
async fn a_write_whose_answer_was_lost_while_access_went_away_is_taken_off_the_device() {
    let town = common::municipality().await;
    let app = &town.app;
    let head = &town.head;
    let school = &town.team;
    let mentor = &town.mentor;
    let a = school.profile.school_id.unwrap();
    let scope = Scope::School(a);
    let mut m = Device::new(&mentor.token, 1);
    m.sync(app).await;
    let id = Uuid::now_v7();
    m.edit(id, "recommendation", &scope, json!({"title": "Черновик"}));
    // The write arrives; its answer is lost on the way back.
    let req = model::sync::client::request(&mut m.state, &m.outbox);
    assert_eq!(
        app.post_sync(&mentor.token, &req).await.status(),
        StatusCode::OK
    );
    // The head takes the school away and gives it back before the device hears anything,
    // then takes it away again: the device's grants look unchanged to it at the retry.
    let url = format!("{}/api/users/{}/schools/{a}", app.base, mentor.profile.id);
    for delete in [true, false, true] {
        let req = if delete {
            app.http.delete(&url)
        } else {
            app.http.put(&url)
        };
        let res = req.bearer_auth(&head.token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
    let resp = m.sync_once(app).await;
    assert!(resp.unreadable.contains(&id), "{resp:?}");
    assert!(
        !m.records.contains_key(&id),
        "what it may not read left the device"
    );
    m.sync(app).await;
    assert!(m.records.values().all(|r| r.scope != scope));
}

/// A person makes at most the server's allowance of new records a day of each kind nothing
/// else bounds, from every computer together; edits of what they made go on, others are not
/// held back, and a batch sent again after a lost answer is not counted twice.
#[tokio::test]
async fn a_person_makes_a_bounded_number_of_new_records_a_day() {
    common::within_one_day().await;
    let app = common::TestApp::start_empty_with(|s| server::AppState {
        db: s.db.clone().with_records_per_day(3),
        ..s
    })
    .await;
    let school = app.add_school("Школа").await;
    let mentor = app.add_user("mentor1", model::Role::Mentor, None).await;
    let other = app.add_user("mentor2", model::Role::Mentor, None).await;
    let db = app.db().await;
    for m in [&mentor, &other] {
        db.assign(m.profile.id, school).await.unwrap();
    }
    let scope = Scope::School(school);
    let recommend = |d: &mut Device, n: usize| {
        let id = Uuid::now_v7();
        d.edit(
            id,
            "recommendation",
            &scope,
            json!({"title": format!("Рекомендация {n}")}),
        );
        id
    };
    let mut m = Device::new(&mentor.token, 1);
    let made: Vec<Uuid> = (0..4).map(|n| recommend(&mut m, n)).collect();
    m.sync(&app).await;
    assert_eq!(m.refused.len(), 1, "{:?}", m.refused);
    let refusal = &m.refused[0];
    assert_eq!(refusal.mutation.change.record, made[3]);
    assert_eq!(refusal.code, model::ErrorCode::Validation);
    assert!(
        refusal.message.contains("за сутки (предел — 3)"),
        "{}",
        refusal.message
    );
    for id in &made[..3] {
        assert_eq!(
            app.record(&mentor.token, *id).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        app.record(&mentor.token, made[3]).await.status(),
        StatusCode::NOT_FOUND
    );
    // Editing what was made goes on; another computer of the same person makes no more.
    m.edit(
        made[0],
        "recommendation",
        &scope,
        json!({"text": "Дополнено"}),
    );
    m.sync(&app).await;
    assert_eq!(m.refused.len(), 1, "the edit is taken");
    let mut second = Device::new(&mentor.token, 2);
    let late = recommend(&mut second, 5);
    second.sync(&app).await;
    assert_eq!(second.refused.len(), 1);
    assert_eq!(second.refused[0].mutation.change.record, late);

    // Another mentor has an allowance of their own. Their batch sent twice (its answer was
    // lost) counts once: two, then one more, then no more.
    let mut o = Device::new(&other.token, 3);
    recommend(&mut o, 0);
    recommend(&mut o, 1);
    let req = model::sync::client::request(&mut o.state, &o.outbox);
    for _ in 0..2 {
        let res = app.post_sync(&other.token, &req).await;
        assert_eq!(res.status(), StatusCode::OK);
        let resp: model::sync::SyncResponse = res.json().await.unwrap();
        assert!(resp.refused.is_empty(), "{:?}", resp.refused);
    }
    o.sync(&app).await;
    assert!(o.refused.is_empty());
    recommend(&mut o, 2);
    let last = recommend(&mut o, 3);
    o.sync(&app).await;
    assert_eq!(o.refused.len(), 1, "{:?}", o.refused);
    assert_eq!(o.refused[0].mutation.change.record, last);
}

/// Three new recommendations, one sync: with 2 a day, the third is refused.
async fn make_three(d: &mut Device, app: &common::TestApp, scope: &Scope, day: usize) -> Vec<Uuid> {
    let made: Vec<Uuid> = (0..3)
        .map(|n| {
            let id = Uuid::now_v7();
            let title = format!("Рекомендация {day}.{n}");
            d.edit(id, "recommendation", scope, json!({ "title": title }));
            id
        })
        .collect();
    d.sync(app).await;
    made
}

/// Three edits of about 3.5 KB, one sync each: with 10,000 bytes a day, the third is refused.
async fn edit_three(d: &mut Device, app: &common::TestApp, scope: &Scope, id: Uuid, day: usize) {
    for n in 0..3 {
        let text = format!(
            "День {day}, версия {n}: {}",
            "обновить план работы. ".repeat(80)
        );
        d.edit(id, "recommendation", scope, json!({ "text": text }));
        d.sync(app).await;
    }
}

/// Both daily allowances start again on the next UTC day: what was made and written the day
/// before does not count. (The server keeps one day per person; the test moves it back.)
#[tokio::test]
async fn the_daily_allowances_start_again_the_next_day() {
    common::within_one_day().await;
    let m = common::municipality_with(|s| server::AppState {
        db: s
            .db
            .clone()
            .with_records_per_day(2)
            .with_bytes_per_day(10_000),
        ..s
    })
    .await;
    let app = &m.app;
    let scope = Scope::School(m.school);
    let mut d = Device::new(&m.mentor.token, 1);
    let refusals = |d: &mut Device| -> Vec<String> {
        std::mem::take(&mut d.refused)
            .into_iter()
            .map(|r| r.message)
            .collect()
    };
    let made = make_three(&mut d, app, &scope, 0).await;
    edit_three(&mut d, app, &scope, made[0], 0).await;
    let first = refusals(&mut d);
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(first[0].contains("за сутки (предел — 2)"), "{}", first[0]);
    assert!(first[1].contains("предел — 1 МБ"), "{}", first[1]);

    // The next day: as much again, and no more; the bytes first this time.
    let pool = app.pool().await;
    for table in ["records_made", "bytes_written"] {
        let moved = sqlx::query(&format!("UPDATE {table} SET day = day - 1"))
            .execute(&pool)
            .await
            .unwrap();
        assert!(moved.rows_affected() > 0, "{table} holds the day's count");
    }
    edit_three(&mut d, app, &scope, made[0], 1).await;
    make_three(&mut d, app, &scope, 1).await;
    let second = refusals(&mut d);
    assert_eq!(second.len(), 2, "{second:?}");
    assert!(second[0].contains("предел — 1 МБ"), "{}", second[0]);
    assert!(second[1].contains("за сутки (предел — 2)"), "{}", second[1]);
    let stored: Record = app
        .record(&m.mentor.token, made[0])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        stored.text("text").starts_with("День 1, версия 1:"),
        "{}",
        stored.text("text")
    );
}

/// A person's changes add at most the server's allowance of bytes to the log a day, from
/// every computer together: beyond it an edit is refused with a plain message, stays on the
/// device and leaves the record as it was; others are not held back, and a batch sent again
/// after a lost answer is not counted twice.
#[tokio::test]
async fn a_person_adds_a_bounded_number_of_bytes_to_the_log_a_day() {
    common::within_one_day().await;
    const LIMIT: u64 = 10_000;
    let app = common::TestApp::start_empty_with(|s| server::AppState {
        db: s.db.clone().with_bytes_per_day(LIMIT),
        ..s
    })
    .await;
    let school = app.add_school("Школа").await;
    let mentor = app.add_user("mentor1", model::Role::Mentor, None).await;
    let other = app.add_user("mentor2", model::Role::Mentor, None).await;
    let db = app.db().await;
    for m in [&mentor, &other] {
        db.assign(m.profile.id, school).await.unwrap();
    }
    let scope = Scope::School(school);
    // About 2 KB a version: the same field edited again and again.
    let text = |n: usize| format!("Версия {n}: {}", "обновить план работы. ".repeat(45));
    let id = Uuid::now_v7();
    let mut m = Device::new(&mentor.token, 1);
    m.edit(
        id,
        "recommendation",
        &scope,
        json!({"title": "Рекомендация", "text": text(0)}),
    );
    let mut written = model::sync::server::logged_bytes(&m.outbox[0].change);
    m.sync(&app).await;
    assert!(m.refused.is_empty(), "{:?}", m.refused);
    let mut n = 1;
    loop {
        m.edit(id, "recommendation", &scope, json!({"text": text(n)}));
        let cost = model::sync::server::logged_bytes(&m.outbox.last().unwrap().change);
        m.sync(&app).await;
        if written + cost > LIMIT {
            break;
        }
        assert!(m.refused.is_empty(), "edit {n}: {:?}", m.refused);
        written += cost;
        n += 1;
    }
    assert!(n >= 3, "several edits were taken before the bound");
    assert_eq!(m.refused.len(), 1, "{:?}", m.refused);
    let refusal = &m.refused[0];
    assert_eq!(refusal.code, model::ErrorCode::Validation);
    assert!(
        refusal
            .message
            .contains("сохранено столько изменений, сколько можно за сутки"),
        "{}",
        refusal.message
    );
    assert_eq!(refusal.mutation.change.fields["text"], json!(text(n)));
    let stored: Record = app.record(&mentor.token, id).await.json().await.unwrap();
    assert_eq!(
        stored.text("text"),
        text(n - 1),
        "the refused edit changed nothing"
    );
    // Another computer of the same person is held back too.
    let mut second = Device::new(&mentor.token, 2);
    second.sync(&app).await;
    second.edit(id, "recommendation", &scope, json!({"text": text(n + 1)}));
    second.sync(&app).await;
    assert_eq!(second.refused.len(), 1, "{:?}", second.refused);

    // Another mentor has an allowance of their own. Their batch of more than half of it, sent
    // twice (its answer was lost), counts once: a small edit after it is taken.
    let mut o = Device::new(&other.token, 3);
    o.sync(&app).await;
    let big = format!("{}{}{}", text(0), text(1), text(2));
    o.edit(id, "recommendation", &scope, json!({"text": big}));
    assert!(model::sync::server::logged_bytes(&o.outbox[0].change) > LIMIT / 2);
    let req = model::sync::client::request(&mut o.state, &o.outbox);
    for _ in 0..2 {
        let res = app.post_sync(&other.token, &req).await;
        assert_eq!(res.status(), StatusCode::OK);
        let resp: model::sync::SyncResponse = res.json().await.unwrap();
        assert!(resp.refused.is_empty(), "{:?}", resp.refused);
    }
    o.sync(&app).await;
    assert!(o.refused.is_empty());
    o.edit(id, "recommendation", &scope, json!({"title": "Уточнено"}));
    o.sync(&app).await;
    assert!(o.refused.is_empty(), "{:?}", o.refused);
    let stored: Record = app.record(&other.token, id).await.json().await.unwrap();
    assert_eq!(stored.text("title"), "Уточнено");
}

/// What a change makes the server log besides itself counts too: putting back a deleted
/// record hands its values to its readers again, so deleting and restoring in a loop is
/// bounded like editing.
#[tokio::test]
async fn restoring_in_a_loop_is_bounded_like_editing() {
    common::within_one_day().await;
    let municipality = common::municipality_with(|s| server::AppState {
        db: s.db.clone().with_bytes_per_day(10_000),
        ..s
    })
    .await;
    let app = municipality.app;
    let scope = Scope::School(municipality.school);
    let id = Uuid::now_v7();
    let mut m = Device::new(&municipality.mentor.token, 1);
    let text = "обновить план работы. ".repeat(100);
    m.edit(
        id,
        "recommendation",
        &scope,
        json!({"title": "Рекомендация", "text": text}),
    );
    m.sync(&app).await;
    assert!(m.refused.is_empty(), "{:?}", m.refused);
    let mut cycles = 0;
    while m.refused.is_empty() && cycles < 20 {
        let deletion = m.records[&id].deletion_value();
        m.edit(
            id,
            "recommendation",
            &scope,
            json!({ model::record::DELETED: deletion }),
        );
        m.sync(&app).await;
        m.edit(
            id,
            "recommendation",
            &scope,
            json!({ model::record::DELETED: {"deleted": false} }),
        );
        m.sync(&app).await;
        cycles += 1;
    }
    assert!(!m.refused.is_empty(), "never refused in {cycles} cycles");
    assert!(
        cycles <= 3,
        "each restore counts the values it hands back: {cycles} cycles"
    );
}
