//! `POST /api/sync` over real HTTP against SQLite: idempotent pushes, refusals that never block
//! the queue, pulls limited to the caller's schools, pages, compression, deletion conflicts.
//! Each test makes its own small municipality (`common::municipality`).

use std::io::{Read, Write};

use model::api::LoginResponse;
use model::record::{DELETED, Record, Scope};
use model::sync::SyncResponse;
use model::sync::client::{self};
use model::{ErrorCode, Role};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

mod common;

use common::{Device, TestApp};

/// The records of a kind a device holds.
const REC: &str = "recommendation";

/// The one profile record of a school.
fn profile_id(scope: &Scope) -> Uuid {
    match scope {
        Scope::School(s) => model::kinds::school_profile::id(*s),
        _ => unreachable!(),
    }
}

async fn school_scope(app: &TestApp, session: &LoginResponse) -> Scope {
    let _ = app;
    Scope::School(session.profile.school_id.unwrap())
}

#[tokio::test]
async fn a_push_reaches_other_devices_in_scope_only() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&school.token, 1);
    let id = profile_id(&scope);
    a.edit(
        id,
        "school_profile",
        &scope,
        json!({ "director": "Лебедева Т. А.", "students": 212 }),
    );
    assert_eq!(a.sync(app).await, 1, "push and pull in one request");
    assert!(a.outbox.is_empty() && a.refused.is_empty());

    // On the server, with the merged fields.
    let res = app.record(&school.token, id).await;
    let record: Record = res.json().await.unwrap();
    assert_eq!(record.text("director"), "Лебедева Т. А.");
    assert_eq!(record.get("students"), Some(&json!(212)));

    // The head (all schools) and the assigned mentor receive it; the other curator does not.
    let curator = app.add_user("curator1", Role::Mentor, None).await;
    for (login, s, n, sees) in [
        ("head", &town.head, 2, true),
        ("mentor", &town.mentor, 3, true),
        ("curator", &curator, 4, false),
    ] {
        let mut d = Device::new(&s.token, n);
        d.sync(app).await;
        assert_eq!(d.records.contains_key(&id), sees, "{login}");
        if sees {
            assert_eq!(d.records[&id], record, "{login} has the server's copy");
        }
        let res = app.record(&s.token, id).await;
        assert_eq!(
            res.status() == StatusCode::OK,
            sees,
            "{login}: GET /api/records"
        );
    }
}

#[tokio::test]
async fn a_retried_batch_is_acknowledged_not_applied_twice() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&school.token, 1);
    let id = profile_id(&scope);
    a.edit(
        id,
        "school_profile",
        &scope,
        json!({ "phone": "8 (800) 000-00-00" }),
    );
    let req = client::request(&mut a.state, &a.outbox);
    let first: SyncResponse = app.post_sync(&a.token, &req).await.json().await.unwrap();
    // The answer was lost; the device sends the same batch again.
    let second: SyncResponse = app.post_sync(&a.token, &req).await.json().await.unwrap();
    assert_eq!(first.acked_upto, second.acked_upto);
    assert_eq!(first.refused, second.refused);
    assert_eq!((first.acked_upto, first.refused.len()), (1, 0), "applied");

    let head = &town.head;
    let mut h = Device::new(&head.token, 2);
    let resp = h.sync_once(app).await;
    let profiles = resp.changes.iter().filter(|c| c.kind == "school_profile");
    assert_eq!(profiles.count(), 1, "one change, not two");

    // The same number with different content is a conflict, never an overwrite.
    let mut forged = req.clone();
    forged.changes[0]
        .fields
        .insert("phone".into(), json!("другой"));
    let third: SyncResponse = app.post_sync(&a.token, &forged).await.json().await.unwrap();
    assert_eq!(third.refused[0].code, ErrorCode::Conflict);
    let record: Record = app.record(&school.token, id).await.json().await.unwrap();
    assert_eq!(record.text("phone"), "8 (800) 000-00-00");
}

#[tokio::test]
async fn refused_mutations_are_explained_and_never_block_the_queue() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let mentor = &town.mentor;
    let scope = school_scope(app, school).await;

    // A mentor may read the school but not write its profile.
    let mut m = Device::new(&mentor.token, 9);
    m.edit(
        profile_id(&scope),
        "school_profile",
        &scope,
        json!({ "note": "чужая правка" }),
    );
    m.sync(app).await;
    assert_eq!(m.refused.len(), 1);
    assert_eq!(m.refused[0].code, ErrorCode::Forbidden);
    assert!(
        m.refused[0].message.contains("Нет права"),
        "{}",
        m.refused[0].message
    );
    assert!(
        m.records
            .values()
            .filter(|r| r.kind == "school_profile")
            .all(|r| r.fields.is_empty()),
        "the refused write is taken back"
    );

    // Bad values and unknown kinds are refused with the rule; the good edit after them passes.
    let mut a = Device::new(&school.token, 1);
    let good = profile_id(&scope);
    a.edit(good, "school_profile", &scope, json!({ "teachers": -5 }));
    a.edit(Uuid::now_v7(), "no_such_kind", &scope, json!({ "x": 1 }));
    a.edit(good, "school_profile", &scope, json!({ "students": 5 }));
    a.sync(app).await;
    assert_eq!(a.refused.len(), 2);
    assert!(
        a.refused[0].message.contains("от 0 до 1000"),
        "{}",
        a.refused[0].message
    );
    assert!(
        a.refused[1].message.contains("Неизвестный вид"),
        "{}",
        a.refused[1].message
    );
    assert!(a.outbox.is_empty());
    let record: Record = app.record(&school.token, good).await.json().await.unwrap();
    assert_eq!(record.get("students"), Some(&json!(5)));

    // A school cannot write into another school.
    let mut b = Device::new(&school.token, 5);
    let foreign = Scope::School(town.other);
    b.edit(
        profile_id(&foreign),
        "school_profile",
        &foreign,
        json!({ "note": "x" }),
    );
    b.sync(app).await;
    assert_eq!(b.refused[0].code, ErrorCode::Forbidden);
}

/// A refusal that quotes what the device sent stays short, in the answer and in what the
/// server remembers for retries: a device cannot make the server keep a megabyte per mutation.
#[tokio::test]
async fn a_refusal_quoting_a_huge_name_is_short_and_remembered_short() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&school.token, 7);
    let huge = "я".repeat(1_000_000);
    a.edit(Uuid::now_v7(), &huge, &scope, json!({ "x": 1 }));
    let request = client::request(&mut a.state, &a.outbox);
    let first: SyncResponse = app
        .post_sync(&a.token, &request)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first.refused.len(), 1);
    let message = &first.refused[0].message;
    assert!(
        message.chars().count() <= model::sync::server::MAX_REFUSAL_CHARS,
        "{} characters",
        message.chars().count()
    );
    assert!(
        message.starts_with("Неизвестный вид данных «яяя"),
        "{message}"
    );
    assert!(message.ends_with("»: обновите приложение."), "{message}");
    // Sent again (the answer was lost): the same short answer, from what was remembered.
    let again: SyncResponse = app
        .post_sync(&a.token, &request)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again.refused.len(), 1);
    assert_eq!(&again.refused[0].message, message);
    let pool = app.pool().await;
    let longest: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(length(outcome)), 0) FROM device_mutations")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        longest < 1_000,
        "an outcome of {longest} characters is kept"
    );
}

/// The answers the server keeps for retries do not grow with every change a device ever made:
/// those below the oldest change the device still sends are forgotten, and a retry of what it
/// still sends is answered as the first time.
#[tokio::test]
async fn the_answers_kept_for_retries_are_forgotten_once_the_device_moved_on() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&school.token, 8);
    let pool = app.pool().await;
    // Refused changes (of a kind the server does not know) are remembered like accepted ones.
    for _ in 0..12 {
        for _ in 0..300 {
            a.edit(Uuid::now_v7(), "нет такого вида", &scope, json!({ "x": 1 }));
        }
        a.sync(app).await;
    }
    assert_eq!(a.refused.len(), 3_600);
    let after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM device_mutations WHERE device_id = $1")
            .bind(a.state.device.as_str())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        (1..=1_500).contains(&after),
        "{after} answers kept for 3,600 changes"
    );
    // The last push again, as if its answer was lost: answered from what is kept.
    a.edit(Uuid::now_v7(), "нет такого вида", &scope, json!({ "x": 1 }));
    let request = client::request(&mut a.state, &a.outbox);
    let first: SyncResponse = app
        .post_sync(&a.token, &request)
        .await
        .json()
        .await
        .unwrap();
    let again: SyncResponse = app
        .post_sync(&a.token, &request)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first.refused.len(), 1);
    assert_eq!(again.refused, first.refused);
}

#[tokio::test]
async fn a_device_belongs_to_one_user() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let head = &town.head;
    let mut a = Device::new(&school.token, 1);
    a.sync(app).await;
    let mut stolen = Device::new(&head.token, 1);
    let req = client::request(&mut stolen.state, &stolen.outbox);
    let res = app.post_sync(&head.token, &req).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(Role::Head, head.profile.role);
}

/// The server's own device id is not a device's: a change signed with it could take the place
/// of one of the server's writes.
#[tokio::test]
async fn no_device_may_sign_as_the_server() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&school.token, 0);
    assert_eq!(a.state.device, model::hlc::DeviceId::server());
    a.edit(
        profile_id(&scope),
        "school_profile",
        &scope,
        json!({ "director": "Самозванец" }),
    );
    let request = client::request(&mut a.state, &a.outbox);
    let res = app.post_sync(&a.token, &request).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let mut fresh = Device::new(&school.token, 9);
    fresh.sync(app).await;
    assert!(!fresh.records.contains_key(&profile_id(&scope)));
}

#[tokio::test]
async fn large_pulls_come_in_pages_bounded_by_compressed_size() {
    let town = common::municipality_with(without_daily_allowance).await;
    let app = &town.app;
    let head = &town.head;
    let school = &town.team;
    let mentor = &town.mentor;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&mentor.token, 1);
    // About 1 MB of hard-to-compress recommendations.
    let mut seed = 7u64;
    for _ in 0..600 {
        let note: String = (0..1_500)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                char::from(b'a' + (seed >> 59) as u8 % 26)
            })
            .collect();
        a.edit(Uuid::now_v7(), REC, &scope, json!({ "text": note }));
    }
    let pushes = a.sync(app).await;
    assert_eq!(pushes, 2, "600 mutations go in two batches of at most 500");

    let mut h = Device::new(&head.token, 2);
    let mut pages = Vec::new();
    loop {
        let resp = h.sync_once(app).await;
        pages.push((resp.changes.len(), resp.remaining));
        if !resp.more {
            break;
        }
    }
    assert!(pages.len() >= 3, "several pages: {pages:?}");
    let own = h.records.values().filter(|r| r.kind == REC).count();
    assert_eq!(own, 600);
    assert_eq!(pages.last().unwrap().1, 0);
    assert!(pages[0].1 > pages[1].1, "remaining shrinks: {pages:?}");
}

#[tokio::test]
async fn requests_and_answers_travel_gzip_compressed() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&school.token, 1);
    a.edit(
        profile_id(&scope),
        "school_profile",
        &scope,
        json!({ "address": "х. Ольховый, ул. Школьная, 1" }),
    );
    let req = client::request(&mut a.state, &a.outbox);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&serde_json::to_vec(&req).unwrap()).unwrap();
    // A client that leaves the answer compressed, to see it as it travels.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let res = raw
        .post(format!("{}/api/sync", app.base))
        .bearer_auth(&school.token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .header("accept-encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let mut json = String::new();
    flate2::read::GzDecoder::new(&res.bytes().await.unwrap()[..])
        .read_to_string(&mut json)
        .unwrap();
    let resp: SyncResponse = serde_json::from_str(&json).unwrap();
    assert_eq!((resp.acked_upto, resp.refused.len()), (1, 0));

    // A compressed bomb is stopped by the limit on the decompressed size.
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(b"{\"protocol\":2,\"device\":\"0101010101010101\",\"cursor\":0,\"changes\":[")
        .unwrap();
    bomb.write_all(&vec![b' '; 8 * 1024 * 1024]).unwrap();
    let res = app
        .http
        .post(format!("{}/api/sync", app.base))
        .bearer_auth(&school.token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(bomb.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// A device on a slow link takes no sync slot while its request is still arriving: with more
/// uploads under way than there are slots, another device is answered at once; an
/// uncompressed body over the limit is refused in words; a request with no session is
/// refused before its body is read.
#[tokio::test]
async fn devices_still_uploading_keep_nobody_waiting() {
    use tokio::io::AsyncWriteExt;
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut uploading = Vec::new();
    for _ in 0..server::routes::SYNC_SLOTS + 2 {
        let mut link = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /api/sync HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {}\r\n\
             content-type: application/json\r\ncontent-length: 100000\r\n\r\n{{\"protocol\":",
            school.token
        );
        link.write_all(head.as_bytes()).await.unwrap();
        uploading.push(link);
    }
    let mut device = Device::new(&school.token, 1);
    let answered = tokio::time::timeout(std::time::Duration::from_secs(10), device.sync(app)).await;
    assert!(
        answered.is_ok(),
        "a sync waited for devices still uploading"
    );
    drop(uploading);

    let res = app
        .http
        .post(format!("{}/api/sync", app.base))
        .bearer_auth(&school.token)
        .header("content-type", "application/json")
        .body(vec![b' '; server::routes::SYNC_BODY_LIMIT + 1])
        .send()
        .await
        .unwrap();
    let e: serde_json::Value = res.json().await.unwrap();
    assert_eq!(e["code"], "payload_too_large", "{e}");

    // Nobody unknown gets a body read: no session, an answer before any of the body is sent.
    use tokio::io::AsyncReadExt;
    let mut link = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/sync HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
         content-length: 4000000\r\n\r\n"
    );
    link.write_all(head.as_bytes()).await.unwrap();
    let mut answer = [0; 12];
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        link.read_exact(&mut answer),
    )
    .await
    .expect("a request with no session waited for its body")
    .unwrap();
    assert_eq!(&answer, b"HTTP/1.1 401");
}

/// Pushes that arrive together are written together, each in a savepoint of its own: one
/// refused whole (sent from a device of another person) changes nothing of the others, which
/// are all acknowledged and all on the server.
#[tokio::test]
async fn pushes_written_together_stand_or_fall_alone() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let mentor = &town.mentor;
    let scope = school_scope(app, school).await;
    let mut computers: Vec<Device> = (1..=6).map(|n| Device::new(&mentor.token, n)).collect();
    for c in &mut computers {
        c.sync(app).await;
    }
    for round in 0..5 {
        let mut made = Vec::new();
        let mut sent = tokio::task::JoinSet::new();
        for (k, c) in computers.iter_mut().enumerate() {
            let id = Uuid::now_v7();
            c.edit(id, REC, &scope, json!({ "text": format!("круг {round}") }));
            made.push(id);
            let post = send(
                app,
                &mentor.token,
                &client::request(&mut c.state, &c.outbox),
            );
            sent.spawn(async move { (Some(k), post.await.unwrap()) });
            // The school sends from the same computer's id: refused as a whole.
            let mut intruder = Device::new(&school.token, k as u8 + 1);
            intruder.edit(Uuid::now_v7(), REC, &scope, json!({ "text": "чужое" }));
            let req = client::request(&mut intruder.state, &intruder.outbox);
            let post = send(app, &school.token, &req);
            sent.spawn(async move { (None, post.await.unwrap()) });
        }
        while let Some(done) = sent.join_next().await {
            let (own, res) = done.unwrap();
            match own {
                Some(k) => {
                    assert_eq!(res.status(), StatusCode::OK, "round {round}");
                    let resp: SyncResponse = res.json().await.unwrap();
                    computers[k].take(&resp);
                }
                None => assert_eq!(res.status(), StatusCode::FORBIDDEN, "round {round}"),
            }
        }
        for c in &computers {
            assert!(
                c.outbox.is_empty(),
                "round {round}: an edit was not acknowledged"
            );
            assert!(
                c.refused.is_empty(),
                "round {round}: {:?}",
                c.refused_messages()
            );
        }
        for id in made {
            let res = app.record(&mentor.token, id).await;
            assert_eq!(
                res.status(),
                StatusCode::OK,
                "round {round}: {id} is missing"
            );
        }
    }
}

/// A sync request on its way, owning all it needs (so that several can be under way at once).
fn send(
    app: &TestApp,
    token: &str,
    req: &model::sync::SyncRequest,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static {
    app.http
        .post(format!("{}/api/sync", app.base))
        .bearer_auth(token)
        .json(req)
        .send()
}

#[tokio::test]
async fn an_edit_of_a_record_deleted_elsewhere_is_a_conflict_not_a_loss() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let mentor = &town.mentor;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&mentor.token, 1);
    let mut b = Device::new(&mentor.token, 2);
    let id = Uuid::now_v7();
    a.edit(id, REC, &scope, json!({ "text": "первая версия" }));
    a.sync(app).await;
    b.sync(app).await;
    // B, offline, edits; A deletes.
    b.edit(id, REC, &scope, json!({ "text": "правка B" }));
    let deletion = a.records[&id].deletion_value();
    a.edit(id, REC, &scope, json!({ DELETED: deletion }));
    a.sync(app).await;
    b.sync(app).await;
    a.sync(app).await;
    let record: Record = app.record(&mentor.token, id).await.json().await.unwrap();
    assert!(record.is_deleted());
    assert!(record.deletion_conflict(), "flagged for a person to decide");
    assert_eq!(record.text("text"), "правка B", "the edit is kept");
    assert_eq!(a.records[&id], record);
    assert_eq!(b.records[&id], record);
}

#[tokio::test]
async fn nothing_new_is_one_small_round_trip() {
    let town = common::municipality().await;
    let app = &town.app;
    let school = &town.team;
    let mut a = Device::new(&school.token, 1);
    a.sync(app).await;
    let req = client::request(&mut a.state, &a.outbox);
    let body = serde_json::to_vec(&req).unwrap();
    let res = app.post_sync(&a.token, &req).await;
    let answer = res.bytes().await.unwrap();
    assert!(body.len() < 200, "request {} bytes", body.len());
    assert!(answer.len() < 250, "answer {} bytes", answer.len());
}

/// For the tests of many new records by one person at once: the bounds on how many a person
/// makes and writes a day (tested in `trust.rs`) set aside.
fn without_daily_allowance(state: server::AppState) -> server::AppState {
    server::AppState {
        db: state
            .db
            .clone()
            .with_records_per_day(u32::MAX)
            .with_bytes_per_day(u64::MAX),
        ..state
    }
}

#[tokio::test]
async fn five_hundred_up_and_five_hundred_down_is_one_request() {
    let town = common::municipality_with(without_daily_allowance).await;
    let app = &town.app;
    let school = &town.team;
    let mentor = &town.mentor;
    let scope = school_scope(app, school).await;
    let mut a = Device::new(&mentor.token, 1);
    let mut b = Device::new(&mentor.token, 2);
    a.sync(app).await;
    for i in 0..500 {
        b.edit(
            Uuid::now_v7(),
            REC,
            &scope,
            json!({ "text": format!("с компьютера Б, {i}") }),
        );
        a.edit(
            Uuid::now_v7(),
            REC,
            &scope,
            json!({ "text": format!("с компьютера А, {i}") }),
        );
    }
    b.sync(app).await;
    let resp = a.sync_once(app).await;
    assert_eq!(resp.acked_upto, 500, "all 500 pushed");
    // B's 500 and the author's name the server stamps on each of the 1,000.
    assert_eq!(resp.changes.len(), 1_500, "all 500 pulled");
    assert!(!resp.more && a.outbox.is_empty(), "in one round trip");
    let own = a.records.values().filter(|r| r.kind == REC).count();
    assert_eq!(own, 1_000);
    assert!(
        a.records
            .values()
            .filter(|r| r.kind == REC && r.text("text").starts_with("с компьютера"))
            .all(|r| r.text("author") == mentor.profile.full_name),
        "the server stamps the author"
    );
}

/// SQLite's log is copied into the database file after the syncs' commits, by a background task
/// (`storage/checkpoint.rs`), not inside the commit of whichever sync crosses SQLite's threshold.
/// A few megabytes of log, well under the size at which a commit checkpoints by itself, must
/// reach the database file while the server runs. (PostgreSQL checkpoints on its own.)
#[tokio::test]
async fn the_log_reaches_the_database_file_in_the_background() {
    let m = common::municipality_with(without_daily_allowance).await;
    let Some(path) = m.app.db_url().strip_prefix("sqlite://").map(String::from) else {
        return;
    };
    let size = |p: &str| std::fs::metadata(p).map_or(0, |m| m.len());
    let before = size(&path);
    let scope = Scope::School(m.school);
    let mut mentor = Device::new(&m.mentor.token, 1);
    for i in 0..600 {
        let text = format!("Рекомендация № {i}: провести разбор уроков математики в 7–9 классах");
        mentor.edit(Uuid::now_v7(), REC, &scope, json!({ "text": text }));
    }
    mentor.sync(&m.app).await;
    assert!(mentor.refused.is_empty(), "{:?}", mentor.refused);
    let wal = size(&format!("{path}-wal"));
    assert!(
        wal > 1 << 20,
        "the pushes went to the log first ({wal} bytes)"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while size(&path) < before + (512 << 10) {
        assert!(
            std::time::Instant::now() < deadline,
            "the database file stayed at {} bytes (from {before}) with {wal} bytes of log",
            size(&path)
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A device is not sent its own changes back: its pull reads only their numbers, to move its
/// cursor past them. Another computer's change in the same stretch of the log still comes, and a
/// device receiving everything again gets its own too.
#[tokio::test]
async fn a_device_is_not_sent_its_own_changes_back() {
    let m = common::municipality().await;
    let scope = Scope::School(m.school);
    let id = profile_id(&scope);
    let mut a = Device::new(&m.team.token, 1);
    let mut b = Device::new(&m.team.token, 2);
    a.sync(&m.app).await;
    b.edit(id, "school_profile", &scope, json!({ "students": 212 }));
    b.sync(&m.app).await;
    a.edit(
        id,
        "school_profile",
        &scope,
        json!({ "director": "Лебедева Т. А." }),
    );
    let before = a.state.cursor;
    let resp = a.sync_once(&m.app).await;
    let from = |resp: &SyncResponse, d: &Device| {
        resp.changes
            .iter()
            .filter(|c| c.hlc.device == d.state.device)
            .count()
    };
    assert_eq!(from(&resp, &b), 1, "the other computer's change comes");
    assert_eq!(from(&resp, &a), 0, "nothing of its own comes back");
    assert!(a.outbox.is_empty() && a.refused.is_empty());
    assert!(resp.cursor > before && !resp.more);
    // Nothing is left behind the cursor for it.
    let again = a.sync_once(&m.app).await;
    assert!(again.changes.is_empty() && again.cursor == resp.cursor);

    // Receiving everything again: its own changes come too.
    let mut req = client::request(&mut a.state, &a.outbox);
    req.full = true;
    req.cursor = 0;
    let res = m.app.post_sync(&m.team.token, &req).await;
    assert_eq!(res.status(), StatusCode::OK);
    let all: SyncResponse = res.json().await.unwrap();
    assert_eq!(from(&all, &a), 1, "its own change comes with everything");
    assert_eq!(from(&all, &b), 1);
}

/// A text saved at every pause of a morning's typing keeps a bounded history in the record that
/// every device holds, while the change log (the audit history) keeps every write.
#[tokio::test]
async fn a_field_edited_many_times_keeps_a_bounded_history_and_a_full_log() {
    let town = common::municipality().await;
    let app = &town.app;
    let mentor = &town.mentor;
    let scope = school_scope(app, &town.team).await;
    let mut a = Device::new(&mentor.token, 1);
    let id = Uuid::now_v7();
    let edits = 3 * model::record::KEPT_PER_DEVICE;
    for i in 1..=edits {
        a.edit(id, REC, &scope, json!({ "text": format!("черновик {i}") }));
        a.sync(app).await;
        assert!(a.refused.is_empty(), "{:?}", a.refused);
    }
    let record: Record = app.record(&mentor.token, id).await.json().await.unwrap();
    let text = &record.fields["text"];
    assert_eq!(text.value, json!(format!("черновик {edits}")));
    let kept: Vec<String> = text.history.iter().map(|w| w.value.to_string()).collect();
    let mut expected = vec![json!("черновик 1").to_string()];
    expected.extend(
        (edits - model::record::KEPT_PER_DEVICE + 1..edits)
            .map(|i| json!(format!("черновик {i}")).to_string()),
    );
    assert_eq!(kept, expected, "the first draft and the device's latest");
    assert_eq!(a.records[&id], record, "the device holds the same");
    let mut b = Device::new(&mentor.token, 2);
    b.sync(app).await;
    assert_eq!(b.records[&id], record, "a new device receives the same");

    let pool = app.pool().await;
    let logged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE record_id = $1")
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    // Every draft, and the author the server stamped.
    assert_eq!(logged, edits as i64 + 1, "every write is in the log");

    // A person who makes up a new device for every few edits (ids cost nothing) still grows
    // the record only so far: the latest writes of all devices together are kept.
    let devices = 2 * model::record::KEPT_IN_ALL / model::record::KEPT_PER_DEVICE;
    for n in 0..devices {
        let mut d = Device::new(&mentor.token, 100 + n as u8);
        for i in 0..=model::record::KEPT_PER_DEVICE {
            d.edit(
                id,
                REC,
                &scope,
                json!({ "text": format!("устройство {n}, {i}") }),
            );
            d.sync(app).await;
        }
        assert!(d.refused.is_empty(), "{:?}", d.refused);
    }
    let record: Record = app.record(&mentor.token, id).await.json().await.unwrap();
    let text = &record.fields["text"];
    assert_eq!(
        text.history.len(),
        model::record::KEPT_IN_ALL,
        "the first draft and the latest"
    );
    assert_eq!(text.history[0].value, json!("черновик 1"));
}
