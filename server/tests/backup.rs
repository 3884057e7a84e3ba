//! `nastavnik backup FILE` while the server runs: a consistent copy with every acknowledged
//! change, which opens as a database of its own and only its owner reads; an existing file is
//! never overwritten, a missing database never created.

mod common;

use common::{Device, TestApp};
use model::record::Scope;
use serde_json::json;
use server::Db;
use uuid::Uuid;

fn backup(app: &TestApp, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nastavnik"))
        .arg("backup")
        .arg(file)
        .env("DATABASE_URL", app.db_url())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_while_serving_holds_every_acknowledged_change() {
    let app = TestApp::start().await;
    let school = app.login("shkola").await;
    let scope = Scope::School(school.profile.school_id.unwrap());
    let mut d = Device::new(&school.token, 70);
    let id = Uuid::now_v7();
    d.edit(
        id,
        "consultation",
        &scope,
        json!({"topic": "Резервная копия", "question": "Всё ли сохранится?", "format": "remote", "state": "new"}),
    );
    d.sync(&app).await;
    assert!(d.refused.is_empty(), "{:?}", d.refused_messages());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let out = backup(&app, &file);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Копия базы записана"));
    let live = app.db().await;
    let copy = Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
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
    let out = backup(&app, &file);
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
