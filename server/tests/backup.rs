//! `nastavnik backup FILE` while the server runs: a consistent copy with every acknowledged
//! change, which opens as a database of its own and only its owner reads; an existing file is
//! never overwritten, a missing database never created. `nastavnik restore FILE` with the
//! server stopped: devices notice the new epoch and send again what the copy lacks.

mod common;

use common::{Device, TestApp, serve};
use model::Role;
use model::record::Scope;
use serde_json::json;
use server::Db;
use uuid::Uuid;

fn backup(url: &str, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nastavnik"))
        .arg("backup")
        .arg(file)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_while_serving_holds_every_acknowledged_change() {
    let town = common::municipality().await;
    let (app, school) = (&town.app, &town.team);
    let scope = Scope::School(school.profile.school_id.unwrap());
    let mut d = Device::new(&school.token, 70);
    let id = Uuid::now_v7();
    d.edit(
        id,
        "consultation",
        &scope,
        json!({"topic": "Резервная копия", "question": "Всё ли сохранится?", "format": "remote", "state": "new"}),
    );
    d.sync(app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused_messages());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let out = backup(&app.db_url(), &file);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Копия базы записана"));
    let live = app.db().await;
    let copy_url = if std::env::var_os(server::storage::TEST_POSTGRES).is_some() {
        // A dump of PostgreSQL (pg_dump's custom format), read back into a database of its own.
        let url = server::storage::scratch_database(dir.path()).await.unwrap();
        let out = std::process::Command::new("pg_restore")
            .args(["--no-owner", "--dbname", &url])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        url
    } else {
        format!("sqlite://{}", file.display())
    };
    let copy = Db::connect(&copy_url).await.unwrap();
    for kind in ["consultation", "campaign", "response", "test_result"] {
        assert_eq!(
            copy.all_records(kind).await.unwrap().len(),
            live.all_records(kind).await.unwrap().len(),
            "{kind}"
        );
    }
    assert!(
        copy.all_records("consultation")
            .await
            .unwrap()
            .iter()
            .any(|r| r.id == id)
    );
    assert_eq!(
        copy.list_users().await.unwrap().len(),
        live.list_users().await.unwrap().len()
    );
    // Readable by its owner only: it holds the server's secrets.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    // The same file again: refused, the copy untouched.
    let before = std::fs::metadata(&file).unwrap().len();
    let out = backup(&app.db_url(), &file);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("уже есть"));
    assert_eq!(std::fs::metadata(&file).unwrap().len(), before);

    // A database that is not there is not created (a cron job in the wrong folder fails).
    let missing = dir.path().join("none.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nastavnik"))
        .arg("backup")
        .arg(dir.path().join("copy2.db"))
        .env("DATABASE_URL", format!("sqlite://{}", missing.display()))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("базы данных"));
    assert!(!missing.exists() && !dir.path().join("copy2.db").exists());
}

fn restore(url: &str, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nastavnik"))
        .args(["restore", "--yes"])
        .arg(file)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn after_a_restore_every_edit_still_on_a_device_is_back_on_the_server_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = server::storage::scratch_database(dir.path()).await.unwrap();
    let (mut first, base) = serve(&url, false);
    let app = TestApp::at(base, url.clone());
    let school = app.add_school("Школа с резервной копией").await;
    let school = app.add_user("team1", Role::SchoolTeam, Some(school)).await;
    let scope = Scope::School(school.profile.school_id.unwrap());
    let mut a = Device::new(&school.token, 71);
    let mut b = Device::new(&school.token, 72);
    let (early, late) = (Uuid::now_v7(), Uuid::now_v7());
    a.edit(
        early,
        "consultation",
        &scope,
        json!({"topic": "До копии", "question": "Как вести журнал?", "format": "remote", "state": "new"}),
    );
    // A request the centre agreed to before the copy: its creation, sent again after the
    // restore, would no longer pass the rules (the school may not change an agreed request).
    let settled = Uuid::now_v7();
    a.edit(
        settled,
        "consultation",
        &scope,
        json!({"topic": "Согласовано до копии", "question": "Как провести педсовет?", "format": "remote", "state": "new"}),
    );
    a.sync(&app).await;
    let head = app.add_user("head1", Role::Head, None).await;
    let mut centre = Device::new(&head.token, 74);
    centre.sync(&app).await;
    centre.edit(
        settled,
        "consultation",
        &scope,
        json!({"state": "agreed", "meeting_on": "2026-12-10"}),
    );
    centre.sync(&app).await;
    assert!(centre.refused.is_empty(), "{:?}", centre.refused_messages());
    a.sync(&app).await;
    b.sync(&app).await;

    let copy = dir.path().join("copy.db");
    let out = backup(&url, &copy);
    assert!(out.status.success(), "{out:?}");

    // After the copy: a new record, an edit of the old one, and another computer's edit.
    a.edit(
        late,
        "consultation",
        &scope,
        json!({"topic": "После копии", "question": "Что с отчётом?", "format": "in_person", "state": "new"}),
    );
    a.edit(
        early,
        "consultation",
        &scope,
        json!({"topic": "До копии, уточнено"}),
    );
    a.sync(&app).await;
    b.sync(&app).await;
    b.edit(
        late,
        "consultation",
        &scope,
        json!({"question": "Что с отчётом за четверть?"}),
    );
    b.sync(&app).await;
    assert!(
        a.refused.is_empty() && b.refused.is_empty(),
        "{:?} {:?}",
        a.refused_messages(),
        b.refused_messages()
    );

    // Not while the server runs: nothing changes.
    let out = restore(&url, &copy);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("остановите"),
        "{out:?}"
    );
    // Not from a file that is not a copy.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let out = restore(&url, &junk);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("не копия"),
        "{out:?}"
    );

    first.stop();
    // An edit made while the server is down waits in the outbox through the restore: the
    // restored server does not judge it against its copy, the device sends it with the rest.
    a.edit(
        early,
        "consultation",
        &scope,
        json!({"question": "Изменено, пока сервер стоял"}),
    );
    let out = restore(&url, &copy);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("Прежняя база сохранена"), "{said}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("before-restore")),
        "the replaced database is kept"
    );

    let (mut second, base) = serve(&url, false);
    let app = TestApp::at(base, url.clone());
    a.sync(&app).await;
    b.sync(&app).await;
    // What `b` sent again reaches `a` at its next sync.
    a.sync(&app).await;
    assert!(
        a.refused.is_empty() && b.refused.is_empty(),
        "{:?} {:?}",
        a.refused_messages(),
        b.refused_messages()
    );
    // A computer that signs in afresh gets everything from the server alone.
    let school = app.login("team1").await;
    let mut fresh = Device::new(&school.token, 73);
    fresh.sync(&app).await;
    let got = |d: &Device, id: Uuid, field: &str| {
        d.records[&id].fields[field]
            .value
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(got(&fresh, early, "topic"), "До копии, уточнено");
    assert_eq!(
        got(&fresh, early, "question"),
        "Изменено, пока сервер стоял"
    );
    assert_eq!(got(&fresh, late, "topic"), "После копии");
    assert_eq!(got(&fresh, late, "question"), "Что с отчётом за четверть?");
    assert_eq!(got(&fresh, settled, "state"), "agreed");
    assert_eq!(got(&a, settled, "topic"), "Согласовано до копии");
    // None twice: each write once in a field's history, and every computer alike.
    for id in [early, late] {
        for field in fresh.records[&id].fields.values() {
            let mut clocks: Vec<_> = field.history.iter().map(|w| w.hlc.clone()).collect();
            clocks.push(field.hlc.clone());
            let n = clocks.len();
            clocks.sort();
            clocks.dedup();
            assert_eq!(clocks.len(), n, "{field:?}");
        }
        // Every computer alike: each field's value and the write it came from. (A history
        // may keep a server stamp the copy lost; the server stamped the field again.)
        let winning = |d: &Device| {
            d.records[&id]
                .fields
                .iter()
                .map(|(name, f)| (name.clone(), f.value.clone(), f.hlc.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(winning(&a), winning(&fresh));
        assert_eq!(winning(&b), winning(&fresh));
    }
    second.stop();
}

#[tokio::test]
async fn a_restore_from_a_copy_cut_short_fails_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = server::storage::scratch_database(dir.path()).await.unwrap();
    let (mut serving, base) = serve(&url, false);
    let app = TestApp::at(base, url.clone());
    let school = app.add_school("Школа с резервной копией").await;
    let school = app.add_user("team1", Role::SchoolTeam, Some(school)).await;
    let scope = Scope::School(school.profile.school_id.unwrap());
    let mut d = Device::new(&school.token, 75);
    let (before, after) = (Uuid::now_v7(), Uuid::now_v7());
    d.edit(
        before,
        "consultation",
        &scope,
        json!({"topic": "До копии", "question": "Как вести журнал?", "format": "remote", "state": "new"}),
    );
    d.sync(&app).await;
    let copy = dir.path().join("copy.db");
    let out = backup(&url, &copy);
    assert!(out.status.success(), "{out:?}");
    d.edit(
        after,
        "consultation",
        &scope,
        json!({"topic": "После копии", "question": "Что с отчётом?", "format": "remote", "state": "new"}),
    );
    d.sync(&app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused_messages());
    serving.stop();

    // The copy, cut short on its way to the server (a full disk, a dropped transfer): its
    // beginning looks right, its end is missing.
    let whole = std::fs::read(&copy).unwrap();
    let cut = dir.path().join("cut.db");
    std::fs::write(&cut, &whole[..whole.len() * 3 / 5]).unwrap();
    let out = restore(&url, &cut);
    assert!(!out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("не восстановлена") || said.contains("не копия"),
        "{said}"
    );
    assert!(!said.contains("NOTICE"), "{said}");

    // Nothing changed: what was written after the copy is still there, on the same epoch.
    let db = Db::connect(&url).await.unwrap();
    let ids: Vec<Uuid> = db
        .all_records("consultation")
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert!(ids.contains(&before) && ids.contains(&after), "{ids:?}");
    let epoch = db.epoch().to_owned();
    drop(db);
    let (_again, base) = serve(&url, false);
    let app = TestApp::at(base, url.clone());
    let mut fresh = Device::new(&school.token, 76);
    fresh.sync(&app).await;
    assert!(fresh.records.contains_key(&after));
    assert_eq!(
        fresh.state.epoch.as_deref(),
        Some(epoch.as_str()),
        "the database was not replaced"
    );
}
