//! A school computer's disk fills up while a person types. What was typed stays on the screen
//! with a plain message, the app says its storage is closed and how many edits it holds in the
//! tab, nothing saved before is lost, and once there is room the app opens its storage again by
//! itself (no reload) and writes what it held, in the order typed, with no retyping; it all
//! reaches the server.
//!
//! The browser's profile is on a real disk of 96 MiB ([`SmallDisk`]) that the test fills up:
//! Chromium then aborts the write and closes the app's IndexedDB.

use std::time::Duration;

use e2e::{Api, Browser, DEMO_PASSWORD, Server};
use server::storage::SmallDisk;

const TEAM: &str = "komanda";
const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_full_disk_on_the_computer_keeps_what_was_typed_and_writes_it_once_there_is_room()
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

    // The disk fills up: the next edit cannot be written, and the person is told so in words:
    // it is held in the tab, and needs no retyping.
    disk.fill()?;
    b.fill("#field-students", "321").await?;
    let held_said = "[...document.querySelectorAll('.field-error')].filter(e => e.innerText.includes('кончилось место') && e.innerText.includes('запишется само')).length";
    b.wait_js(&format!("{held_said} == 1"), LONG).await?;
    assert_eq!(
        b.value("#field-students").await?,
        "321",
        "what was typed stays"
    );
    // The browser closed the storage; while the disk is full it cannot be opened again. The
    // header says so, and that what was typed is held in the tab.
    b.wait_js(
        "!!document.querySelector('#store-error') && !!document.querySelector('#store-held')",
        LONG,
    )
    .await?;
    let said = b.text("#store-error").await?;
    assert!(said.contains("освободите место"), "{said}");
    let held = b.text("#store-held").await?;
    assert!(held.contains("Не закрывайте вкладку"), "{held}");
    // More typed meanwhile: held after the first (or written, if the browser found room by
    // then), and the phone changed twice, the later to win.
    b.fill("#field-teachers", "27").await?;
    b.fill("#field-phone", "8 (861) 000-00-00").await?;
    b.fill("#field-phone", "8 (861) 234-56-78").await?;

    // Room again: the storage opens by itself and writes what it held, with no retyping; the
    // fields take back their "not saved".
    disk.empty()?;
    b.wait_js(
        "!document.querySelector('#store-error') && !document.querySelector('#store-held')",
        LONG,
    )
    .await?;
    b.wait_js(&format!("{held_said} == 0"), LONG).await?;
    assert_eq!(b.value("#field-students").await?, "321");
    assert_eq!(b.value("#field-phone").await?, "8 (861) 234-56-78");

    // All reach the server; what was saved before the disk filled was never lost.
    b.wait_all_sent(LONG).await?;
    let school = Api::login(&base, TEAM).await?;
    let record = head.record(school.school_profile_id()).await?;
    assert_eq!(record.text("director"), "Иванова Ирина Ивановна");
    assert_eq!(record.get("students"), Some(&serde_json::json!(321)));
    assert_eq!(record.get("teachers"), Some(&serde_json::json!(27)));
    assert_eq!(record.text("phone"), "8 (861) 234-56-78");
    b.close().await?;
    Ok(())
}
