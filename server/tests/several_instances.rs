//! Several `nastavnik serve` processes on one database, as a region runs them behind a reverse
//! proxy: a device may reach any of them at each sync. On PostgreSQL when
//! `NASTAVNIK_TEST_POSTGRES` names a server (as `cargo xtask test` does), otherwise on one
//! SQLite file.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::{Device, TestApp, serve};
use model::record::Scope;
use serde_json::json;
use uuid::Uuid;

/// A small generator of choices, the same in every run.
fn pick(seed: &mut u64, n: usize) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed % n as u64) as usize
}

const INSTANCES: usize = 3;
const DEVICES: usize = 8;
const ROUNDS: usize = 6;
/// Computers of a second school, writing while a mentor of both schools reads.
const SECOND_DEVICES: usize = 2;

/// Eight computers of one school edit the same records and make their own, each sync going to
/// one of three instances at random, all at once, while a second school writes and a mentor of
/// both reads. Every computer ends with every change (none passed over though others committed
/// around its pulls), alike on all, the mentor's too, and the log holds each computer's write
/// once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn devices_sent_to_instances_at_random_end_with_every_change_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = server::storage::scratch_database(dir.path()).await.unwrap();
    let mut served = Vec::new();
    let mut apps = Vec::new();
    for _ in 0..INSTANCES {
        let (process, base) = serve(&url, false);
        served.push(process);
        apps.push(TestApp::at(base, url.clone()));
    }
    let apps = Arc::new(apps);

    let first_school = apps[0].add_school("Первая школа").await;
    let school = apps[0]
        .add_user("komanda1", model::Role::SchoolTeam, Some(first_school))
        .await;
    let scope = Scope::School(school.profile.school_id.unwrap());
    let shared: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    let mut first = Device::new(&school.token, 1);
    for (i, id) in shared.iter().enumerate() {
        first.edit(
            *id,
            "consultation",
            &scope,
            json!({"topic": format!("Общая тема {i}"), "question": "-", "format": "remote", "state": "new"}),
        );
    }
    first.sync(&apps[0]).await;
    assert!(first.refused.is_empty(), "{:?}", first.refused_messages());

    let mut devices = vec![first];
    for n in 2..=DEVICES as u8 {
        devices.push(Device::new(&school.token, n));
    }

    // A second school writes at the same time, and a mentor of both schools reads: the
    // mentor's changes come filed under two read keys, each read along its own range.
    let second = apps[0].add_school("Вторая школа").await;
    let second_scope = Scope::School(second);
    let team = apps[0]
        .add_user("komanda2", model::Role::SchoolTeam, Some(second))
        .await;
    let mentor = apps[0]
        .add_user("nastavnik2", model::Role::Mentor, None)
        .await;
    let db = apps[0].db().await;
    db.assign(mentor.profile.id, second).await.unwrap();
    db.assign(mentor.profile.id, school.profile.school_id.unwrap())
        .await
        .unwrap();
    let mut others: Vec<Device> = (1..=SECOND_DEVICES as u8)
        .map(|n| Device::new(&team.token, 40 + n))
        .collect();
    let mut reader = Device::new(&mentor.token, 60);

    for round in 0..ROUNDS {
        let mut tasks = Vec::new();
        let mut second_tasks = Vec::new();
        for (n, mut device) in others.drain(..).enumerate() {
            let apps = apps.clone();
            let scope = second_scope.clone();
            second_tasks.push(tokio::spawn(async move {
                let mut seed = 0x51_7cc1_b727_220a ^ ((n as u64 + 1) << 24) ^ round as u64;
                device.edit(
                    Uuid::now_v7(),
                    "consultation",
                    &scope,
                    json!({"topic": format!("Вторая школа {n}-{round}"), "question": "?", "format": "remote", "state": "new"}),
                );
                for _ in 0..2 {
                    device.sync(&apps[pick(&mut seed, apps.len())]).await;
                }
                device
            }));
        }
        let reading = {
            let apps = apps.clone();
            tokio::spawn(async move {
                let mut seed = 0x2545_f491_4f6c_dd1d ^ round as u64;
                for _ in 0..3 {
                    reader.sync(&apps[pick(&mut seed, apps.len())]).await;
                }
                reader
            })
        };
        for (n, mut device) in devices.drain(..).enumerate() {
            let apps = apps.clone();
            let scope = scope.clone();
            let shared = shared.clone();
            tasks.push(tokio::spawn(async move {
                let mut seed = 0x9e37_79b9_7f4a_7c15 ^ ((n as u64 + 1) << 20) ^ round as u64;
                let record = shared[pick(&mut seed, shared.len())];
                device.edit(
                    record,
                    "consultation",
                    &scope,
                    json!({"question": format!("Вопрос компьютера {n}, круг {round}")}),
                );
                device.edit(
                    Uuid::now_v7(),
                    "consultation",
                    &scope,
                    json!({"topic": format!("Тема {n}-{round}"), "question": "?", "format": "remote", "state": "new"}),
                );
                // Two syncs, each to an instance of its own choosing.
                for _ in 0..2 {
                    device.sync(&apps[pick(&mut seed, apps.len())]).await;
                }
                device
            }));
        }
        for task in tasks {
            devices.push(task.await.unwrap());
        }
        for task in second_tasks {
            others.push(task.await.unwrap());
        }
        reader = reading.await.unwrap();
    }
    for (n, device) in others.iter_mut().enumerate() {
        device.sync(&apps[n % INSTANCES]).await;
        assert!(device.refused.is_empty(), "{:?}", device.refused_messages());
    }
    reader.sync(&apps[0]).await;
    for (n, device) in devices.iter_mut().enumerate() {
        device.sync(&apps[n % INSTANCES]).await;
        assert!(device.refused.is_empty(), "{:?}", device.refused_messages());
    }

    // A new computer sees what is on the server; every computer holds exactly that.
    let mut fresh = Device::new(&school.token, 99);
    fresh.sync(&apps[INSTANCES - 1]).await;
    let values = |d: &Device| -> BTreeMap<Uuid, BTreeMap<String, serde_json::Value>> {
        d.records
            .values()
            .filter(|r| r.kind == "consultation")
            .map(|r| {
                let fields = r
                    .fields
                    .iter()
                    .map(|(k, f)| (k.clone(), f.value.clone()))
                    .collect();
                (r.id, fields)
            })
            .collect()
    };
    let on_server = values(&fresh);
    let topics: BTreeSet<String> = fresh
        .records
        .values()
        .filter(|r| r.kind == "consultation")
        .map(|r| r.text("topic"))
        .collect();
    for n in 0..DEVICES {
        for round in 0..ROUNDS {
            assert!(topics.contains(&format!("Тема {n}-{round}")), "{n}-{round}");
        }
    }
    for (n, device) in devices.iter().enumerate() {
        assert!(
            values(device) == on_server,
            "computer {n} differs from the server"
        );
    }
    // The mentor's computer holds both schools' records, as a new computer of the mentor does.
    let mut fresh_reader = Device::new(&mentor.token, 98);
    fresh_reader.sync(&apps[1]).await;
    let seen: BTreeSet<String> = reader
        .records
        .values()
        .filter(|r| r.kind == "consultation")
        .map(|r| r.text("topic"))
        .collect();
    for round in 0..ROUNDS {
        for n in 0..SECOND_DEVICES {
            assert!(
                seen.contains(&format!("Вторая школа {n}-{round}")),
                "{n}-{round}"
            );
        }
        for n in 0..DEVICES {
            assert!(seen.contains(&format!("Тема {n}-{round}")), "{n}-{round}");
        }
    }
    assert!(
        values(&reader) == values(&fresh_reader),
        "the mentor's computer differs from the server"
    );
    // Each write of each computer is in the log once for its readers (what lost on a deleted
    // record is filed apart, for nobody), and in each field's history once.
    let pool = apps[0].pool().await;
    let twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT device_id, device_seq FROM changes c WHERE device_seq > 0 \
         AND EXISTS (SELECT 1 FROM change_keys k WHERE k.seq = c.seq) \
         GROUP BY device_id, device_seq HAVING COUNT(*) > 1) AS t",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(twice, 0, "a write logged twice");
    for r in fresh.records.values() {
        for (name, field) in &r.fields {
            let stamps: BTreeSet<_> = field.history.iter().map(|w| w.hlc.clone()).collect();
            assert_eq!(stamps.len(), field.history.len(), "{} {name}", r.id);
        }
    }
    drop(served);
}

/// Forty wrong passwords for one login at once, sent in turn to two instances: the instances
/// count on the one database, so no more reach the password check than the free attempts,
/// and each is counted once, for the login and for the address.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_attempts_spread_over_two_instances_are_counted_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = server::storage::scratch_database(dir.path()).await.unwrap();
    let (first, base) = serve(&url, false);
    let (second, other) = serve(&url, false);
    let apps = [
        TestApp::at(base, url.clone()),
        TestApp::at(other, url.clone()),
    ];
    apps[0].add_user("gonka", model::Role::Mentor, None).await;

    let http = reqwest::Client::new();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let request = http
                .post(format!("{}/api/auth/login", apps[i % 2].base))
                .json(&json!({ "login": "gonka", "password": format!("guess-{i:02}") }));
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    let (mut checked, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            reqwest::StatusCode::UNAUTHORIZED => checked += 1,
            reqwest::StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    let free = server::auth::FREE_FAILURES as usize;
    assert_eq!((checked, refused), (free, 40 - free));
    let pool = apps[0].pool().await;
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT kind, failures FROM login_attempts ORDER BY kind")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        counts,
        vec![
            ("address".to_owned(), free as i64),
            ("login".to_owned(), free as i64)
        ]
    );
    drop((first, second));
}
