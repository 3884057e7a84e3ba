//! The server's disk fills up: changes sent meanwhile are refused with a plain message and stay
//! on the device, nothing acknowledged is lost, the server keeps serving, and once there is
//! room again the same device sends everything and it all lands once.
//!
//! The disk is a real one of 4 MiB: a `tmpfs` in a mount namespace of its own, held by a
//! sleeping process, so nothing stays mounted if the test dies. The server runs inside that
//! namespace (`nsenter`); the test fills and empties the disk through the holder's
//! `/proc/<pid>/root`.

mod common;

use std::io::{BufRead, Write};

use common::{Device, TestApp};
use model::Role;
use model::record::Scope;
use reqwest::StatusCode;
use serde_json::json;
use server::Db;
use uuid::Uuid;

/// A small disk of the test's own, unmounted when dropped (its holder is killed).
struct SmallDisk {
    holder: std::process::Child,
    /// Whether the test runs as root (no user namespace needed).
    root: bool,
    /// Where the disk is mounted, inside the namespace.
    inside: std::path::PathBuf,
    /// The disk as the test sees it, from outside.
    outside: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn new(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let script = format!(
            "mount -t tmpfs -o size={size} tmpfs '{}' && echo mounted && exec sleep 3600",
            dir.path().display()
        );
        // As root a mount namespace is enough; otherwise a user namespace grants the mount.
        let root = std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
            .unwrap_or(false);
        let mut cmd = std::process::Command::new("unshare");
        if !root {
            cmd.args(["--user", "--map-root-user"]);
        }
        let mut holder = cmd
            .args(["--mount", "--propagation", "private", "sh", "-c", &script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("unshare (util-linux) runs");
        let mut line = String::new();
        std::io::BufReader::new(holder.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "mounted",
            "the small disk could not be mounted"
        );
        let outside = std::path::PathBuf::from(format!("/proc/{}/root", holder.id()))
            .join(dir.path().strip_prefix("/").unwrap());
        SmallDisk {
            holder,
            root,
            inside: dir.path().to_owned(),
            outside,
            _dir: dir,
        }
    }

    /// `nastavnik serve` in the disk's namespace, on the database `file` of the disk.
    fn serve(&self, file: &str) -> (common::Served, String) {
        let mut cmd = std::process::Command::new("nsenter");
        cmd.args(["--target", &self.holder.id().to_string()]);
        if !self.root {
            cmd.args(["--user", "--preserve-credentials"]);
        }
        cmd.args(["--mount", "--", env!("CARGO_BIN_EXE_nastavnik")])
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", self.inside.join(file).display()),
            );
        common::serve_by(cmd)
    }

    /// Fills what is left of the disk with a file of the test's own.
    fn fill(&self) {
        let mut file = std::fs::File::create(self.filler()).unwrap();
        let block = vec![7u8; 16 * 1024];
        loop {
            match file.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                Err(e) => panic!("{e}"),
            }
        }
        // What a partial block left free.
        while let Ok(n) = file.write(&[7u8; 512]) {
            if n == 0 {
                break;
            }
        }
        let _ = file.sync_all();
    }

    fn empty(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }

    fn filler(&self) -> std::path::PathBuf {
        self.outside.join("filler")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
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
    let disk = SmallDisk::new("4m");
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
        disk.outside.join("nastavnik.db"),
    )
    .unwrap();
    let (mut served, base) = disk.serve("nastavnik.db");
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

    disk.fill();
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
    assert!(waiting > 0);
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
    disk.empty();
    d.sync(&app).await;
    assert!(d.outbox.is_empty());
    assert!(d.refused.is_empty(), "{:?}", d.refused_messages());

    // After a restart of the server, another person's fresh device sees every change once.
    served.stop();
    let (mut served, base) = disk.serve("nastavnik.db");
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
        let from = disk.outside.join(format!("nastavnik.db{suffix}"));
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
