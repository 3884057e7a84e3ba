//! The server's disk fills up: changes sent meanwhile are refused with a plain message and stay
//! on the device, nothing acknowledged is lost, the server keeps serving, and once there is
//! room again the same device sends everything and it all lands once.
//!
//! The disk is a real one of 4 MiB ([`SmallDisk`]); the server runs inside its namespace.

mod common;

use common::{Device, TestApp};
use model::Role;
use model::record::Scope;
use reqwest::StatusCode;
use serde_json::json;
use server::Db;
use server::storage::SmallDisk;
use uuid::Uuid;

/// `nastavnik serve` inside the disk's namespace, on the database `file` of the disk.
fn serve_on(disk: &SmallDisk, file: &str) -> (common::Served, String) {
    let mut cmd = disk.command(env!("CARGO_BIN_EXE_nastavnik"));
    cmd.args(["serve", "--addr", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", disk.inside().join(file).display()),
        )
        // What refuses here is the disk, not a person's allowances of the day (given as the
        // command's options, which the other tests leave at their defaults).
        .args(["--records-per-day", &u32::MAX.to_string()])
        .args(["--megabytes-per-day", &(u64::MAX >> 20).to_string()]);
    common::serve_by(cmd)
}

fn consultation(topic: &str) -> serde_json::Value {
    json!({
        "topic": topic,
        "question": "Как выстроить работу с родителями? ".repeat(40),
        "format": "remote",
        "state": "new",
    })
}

#[tokio::test]
async fn a_full_disk_refuses_changes_in_words_and_loses_none() {
    if std::env::var_os(server::storage::TEST_POSTGRES).is_some() {
        // The disk of a PostgreSQL server is its administrator's; this is about the SQLite file.
        eprintln!("the full disk is tried on SQLite only");
        return;
    }
    let mount = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(mount.path(), "4m").unwrap();
    // The database is made beside, copied onto the disk whole, and served from there.
    let made = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", made.path().join("made.db").display());
    let db = Db::connect(&url).await.unwrap();
    let school = common::insert_school(&db, "Школа на маленьком диске").await;
    common::insert_user(&db, "team1", Role::SchoolTeam, Some(school)).await;
    let mentor_id = common::insert_user(&db, "mentor1", Role::Mentor, None).await;
    db.assign(mentor_id, school).await.unwrap();
    drop(db);
    Db::backup(&url, &made.path().join("copy.db"))
        .await
        .unwrap();
    std::fs::copy(
        made.path().join("copy.db"),
        disk.outside().join("nastavnik.db"),
    )
    .unwrap();
    let (mut served, base) = serve_on(&disk, "nastavnik.db");
    let app = TestApp::at(base, String::new());
    let team = app.login("team1").await;
    let scope = Scope::School(school);

    // Before the disk is full: one consultation goes through.
    let mut d = Device::new(&team.token, 91);
    let first = Uuid::now_v7();
    d.edit(
        first,
        "consultation",
        &scope,
        consultation("До заполнения диска"),
    );
    d.sync(&app).await;
    assert!(d.outbox.is_empty());

    disk.fill().unwrap();
    // The log of the database reuses room it already has, so some changes may still fit:
    // the device goes on writing until the server has no room left.
    let mut written = vec![(first, "До заполнения диска".to_owned())];
    let mut refusal = None;
    for round in 0..200 {
        for i in 0..10 {
            let (id, topic) = (Uuid::now_v7(), format!("Запрос {round}.{i}"));
            d.edit(id, "consultation", &scope, consultation(&topic));
            written.push((id, topic));
        }
        let req = model::sync::client::request(&mut d.state, &d.outbox);
        let res = app.post_sync(&d.token, &req).await;
        if res.status() == StatusCode::OK {
            d.take(&res.json().await.unwrap());
            continue;
        }
        refusal = Some(res);
        break;
    }
    let waiting = d.outbox.len();
    assert!(
        refusal.is_some() && waiting > 0,
        "the server took 2,000 consultations on a full 4 MiB disk"
    );
    // Sent while the disk is full: refused in words, kept on the device, tried again later.
    for attempt in 0..3 {
        let res = match (attempt, refusal.take()) {
            (0, Some(res)) => res,
            _ => {
                let req = model::sync::client::request(&mut d.state, &d.outbox);
                app.post_sync(&d.token, &req).await
            }
        };
        let status = res.status();
        let retry = res.headers().get("retry-after").cloned();
        let text = res.text().await.unwrap();
        assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{text:.600}");
        let body: model::ApiError = serde_json::from_str(&text).unwrap();
        assert!(body.message.contains("место"), "{}", body.message);
        assert!(retry.is_some(), "the device is told when to try again");
        assert_eq!(d.outbox.len(), waiting, "nothing is taken off the device");
    }
    // The server still answers what it already has.
    assert_eq!(
        app.record(&team.token, first).await.status(),
        StatusCode::OK
    );

    // Room again: the same device sends everything, and it all lands once.
    disk.empty().unwrap();
    d.sync(&app).await;
    assert!(d.outbox.is_empty());
    assert!(d.refused.is_empty(), "{:?}", d.refused_messages());

    // After a restart of the server, another person's fresh device sees every change once.
    served.stop();
    let (mut served, base) = serve_on(&disk, "nastavnik.db");
    let app = TestApp::at(base, String::new());
    let mentor = app.login("mentor1").await;
    let mut fresh = Device::new(&mentor.token, 92);
    fresh.sync(&app).await;
    for (id, topic) in &written {
        let record = fresh
            .records
            .get(id)
            .expect("every change reached the server");
        assert_eq!(record.fields["topic"].value, json!(topic));
    }
    let consultations = fresh.records.values().filter(|r| r.kind == "consultation");
    assert_eq!(
        consultations.count(),
        written.len(),
        "none twice, none made up"
    );
    // And the file is whole (checked on a copy, with the server stopped).
    served.stop();
    for suffix in ["", "-wal"] {
        let from = disk.outside().join(format!("nastavnik.db{suffix}"));
        if from.exists() {
            std::fs::copy(from, made.path().join(format!("after.db{suffix}"))).unwrap();
        }
    }
    sqlx::any::install_default_drivers();
    let after = format!("sqlite://{}", made.path().join("after.db").display());
    let pool = sqlx::AnyPool::connect(&after).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
}
