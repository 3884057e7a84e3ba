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

/// Eight computers of one school edit the same records and make their own, each sync going to
/// one of three instances at random, all at once. Every computer ends with every change (none
/// passed over though others committed around its pulls), alike on all, and the log holds
/// each computer's write once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn devices_sent_to_instances_at_random_end_with_every_change_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = server::storage::scratch_database(dir.path()).await.unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nastavnik"))
        .arg("demo")
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut served = Vec::new();
    let mut apps = Vec::new();
    for _ in 0..INSTANCES {
        let (process, base) = serve(&url, false);
        served.push(process);
        apps.push(TestApp::at(base, url.clone()));
    }
    let apps = Arc::new(apps);

    let school = apps[0].login("shkola").await;
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

    for round in 0..ROUNDS {
        let mut tasks = Vec::new();
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
    }
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
    // Each write of each computer is in the log once, and in each field's history once.
    let pool = apps[0].pool().await;
    let twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT device_id, device_seq FROM changes WHERE device_seq > 0 \
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
