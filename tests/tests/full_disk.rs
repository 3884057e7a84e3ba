//! A school computer's disk fills up while a person types. What was typed stays on the screen
//! with a plain message, the app says its storage is closed, nothing saved before is lost, and
//! once there is room the app opens its storage again by itself (no reload) and the same field
//! saves and reaches the server.
//!
//! The browser's profile is on a real disk of 96 MiB ([`SmallDisk`]) that the test fills up:
//! Chromium then aborts the write and closes the app's IndexedDB.

use std::time::Duration;

use e2e::{Api, Browser, DEMO_PASSWORD, Server};
use server::storage::SmallDisk;

const TEAM: &str = "komanda";
const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_full_disk_on_the_computer_keeps_what_was_typed_and_saves_it_once_there_is_room()
-> anyhow::Result<()> {
    let server = Server::start().await?;
    let (head, _) = server.own_school(TEAM).await?;
    let base = server.url("");
    let mount = tempfile::tempdir()?;
    let disk = SmallDisk::mount(mount.path(), "96m")?;
    let b = Browser::start_on(&disk).await?;
    b.sign_in(&base, TEAM, DEMO_PASSWORD).await?;
    b.wait_for("#home-school").await?;
    b.wait_js("!!navigator.serviceWorker.controller", LONG)
        .await?;
    b.wait_first_sync().await?;
    b.client.goto(&format!("{base}/school/profile")).await?;
    b.wait_for("#field-director").await?;
    b.fill("#field-director", "Иванова Ирина Ивановна").await?;
    b.wait_saved(1).await?;

    // The disk fills up: the next edit is not saved, and the person is told so in words.
    disk.fill()?;
    b.fill("#field-students", "321").await?;
    b.wait_js(
        "[...document.querySelectorAll('.field-error')].some(e => e.innerText.includes('кончилось место'))",
        LONG,
    )
    .await?;
    assert_eq!(
        b.value("#field-students").await?,
        "321",
        "what was typed stays"
    );
    // The browser closed the storage; while the disk is full it cannot be opened again.
    b.wait_for("#store-error").await?;
    let said = b.text("#store-error").await?;
    assert!(said.contains("освободите место"), "{said}");

    // Room again: the storage opens by itself, and the same field saves.
    disk.empty()?;
    b.wait_js("!document.querySelector('#store-error')", LONG)
        .await?;
    assert_eq!(b.value("#field-students").await?, "321");
    b.fill("#field-students", "321").await?;
    b.wait_saved(2).await?;

    // Both reach the server; what was saved before the disk filled was never lost.
    b.wait_all_sent(LONG).await?;
    let school = Api::login(&base, TEAM).await?;
    let record = head.record(school.school_profile_id()).await?;
    assert_eq!(record.text("director"), "Иванова Ирина Ивановна");
    assert_eq!(record.get("students"), Some(&serde_json::json!(321)));
    b.close().await?;
    Ok(())
}
