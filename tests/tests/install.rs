//! The app can be installed like a program (Chromium's own installability check through the
//! DevTools protocol): the manifest with the Russian name, the icons, the service worker; the
//! installed app's start page and the role's help open with no network.

use std::time::Duration;

use e2e::{Browser, Server};

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn chromium_would_install_the_app_and_its_start_page_opens_offline() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let b = Browser::start().await?;
    // The check says no to a page that is not an app.
    b.client.goto("data:text/html,<p>страница</p>").await?;
    assert!(
        !b.installability_errors().await?.is_empty(),
        "a plain page is not installable"
    );
    server.own_school("ustanovka").await?;
    b.sign_in_synced(&base, "ustanovka", "#home-school").await?;
    b.wait_js("!!navigator.serviceWorker.controller", LONG)
        .await?;
    let manifest: serde_json::Value = reqwest::get(server.url("/manifest.webmanifest"))
        .await?
        .json()
        .await?;
    assert_eq!(manifest["short_name"], "Наставник");
    assert_eq!(manifest["lang"], "ru");
    let mut errors = b.installability_errors().await?;
    for _ in 0..20 {
        if errors.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        errors = b.installability_errors().await?;
    }
    assert!(
        errors.is_empty(),
        "Chromium would not install the app: {errors:?}"
    );

    // The start page of the installed app, with the server gone.
    server.kill();
    let start = manifest["start_url"].as_str().unwrap_or("/");
    b.client.goto(&format!("{base}{start}")).await?;
    b.wait_for("#home-school").await?;
    // The help of the person's role is there too, with no network.
    b.client.goto(&format!("{base}/help")).await?;
    b.wait_for("#help-own").await?;
    let help = b.text("#help-own").await?;
    assert!(help.contains("Управленческая команда школы"), "{help}");
    assert!(help.contains("Карта самоанализа"), "{help}");
    b.close().await?;
    Ok(())
}
