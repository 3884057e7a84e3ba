//! The app opens and keeps the user signed in with no server at all.

use std::time::Duration;

use e2e::{Browser, DEMO_PASSWORD, Server};

#[tokio::test]
async fn app_opens_signed_in_without_the_server_and_notices_its_return() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let (_, school) = server.own_school("offlain").await?;
    let browser = Browser::start().await?;

    // A wrong password is a clear error in the page.
    browser
        .sign_in(&server.url(""), "offlain", "wrong-password")
        .await?;
    browser
        .wait_js(
            "document.body.innerText.includes('Неверный логин или пароль')",
            Duration::from_secs(20),
        )
        .await?;

    // The right one lands the school user on the school's home page.
    browser
        .sign_in(&server.url(""), "offlain", DEMO_PASSWORD)
        .await?;
    browser.wait_for("#home-school").await?;
    assert!(
        browser
            .text("#user-name")
            .await?
            .contains("Тестовый пользователь offlain")
    );
    assert!(browser.text("#main").await?.contains(&school.name));
    browser.wait_net("online", Duration::from_secs(20)).await?;
    // The service worker has taken the page and precached the shell.
    browser
        .wait_js(
            "!!navigator.serviceWorker.controller",
            Duration::from_secs(30),
        )
        .await?;

    // The server goes away; a reload still opens the app, signed in, saying it is offline.
    server.kill();
    browser.client.refresh().await?;
    browser.wait_for("#home-school").await?;
    assert!(
        browser
            .text("#user-name")
            .await?
            .contains("Тестовый пользователь offlain")
    );
    browser.wait_net("offline", Duration::from_secs(20)).await?;
    assert_eq!(browser.text("#net-status").await?, "Нет связи");

    // Other pages open offline too, with the user's local database.
    browser.client.goto(&server.url("/about")).await?;
    browser.wait_for("#about").await?;
    browser
        .wait_js(
            "document.getElementById('db-state').innerText.startsWith('открыто')",
            Duration::from_secs(20),
        )
        .await?;

    // The server comes back: the header notices by itself.
    server.resume().await?;
    browser.wait_net("online", Duration::from_secs(30)).await?;
    assert_eq!(browser.text("#net-status").await?, "В сети");

    browser.close().await?;
    Ok(())
}
