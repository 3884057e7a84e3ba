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

/// A school's router that lost its uplink keeps requests open with no answer and no error. The
/// app does not wait for them for ever: the header says «Нет связи», the edit waits on the
/// computer, and once the link carries again it reaches the server.
#[tokio::test]
async fn a_link_that_stops_answering_is_noticed_and_the_edit_goes_when_it_answers_again()
-> anyhow::Result<()> {
    let server = Server::start().await?;
    let (head, _) = server.own_school("zavis").await?;
    let link = e2e::proxy::Proxy::start(server.port).await?;
    let base = link.url("");
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "zavis", "#home-school").await?;
    b.client.goto(&link.url("/school/profile")).await?;
    b.wait_for("#field-director").await?;
    b.wait_net("online", Duration::from_secs(20)).await?;

    link.set_stalled(true);
    b.fill("#field-director", "Петрова Анна Сергеевна").await?;
    b.wait_saved(1).await?;
    // The sync it starts, and the connection checks, get no answer: given up on in time.
    b.wait_net("offline", Duration::from_secs(150)).await?;
    assert!(b.pending().await? >= 1, "the edit waits on the computer");

    link.set_stalled(false);
    b.wait_net("online", Duration::from_secs(60)).await?;
    b.wait_all_sent(Duration::from_secs(90)).await?;
    let changes = head.all_changes().await?;
    assert!(
        changes
            .iter()
            .any(|c| c.fields.values().any(|v| v == "Петрова Анна Сергеевна")),
        "the edit reached the server"
    );
    b.close().await?;
    Ok(())
}

/// Signing out in one tab signs out every tab of the app: a tab left open on a shared computer
/// does not go on showing the person's work. Signing in again in one tab signs the others in.
#[tokio::test]
async fn signing_out_in_one_tab_signs_out_the_others() -> anyhow::Result<()> {
    let server = Server::start().await?;
    server.own_school("vkladki").await?;
    let base = server.url("");
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "vkladki", "#home-school").await?;
    let first = b.client.window().await?;
    let second = b.client.new_window(true).await?;
    b.client.switch_to_window(second.handle.clone()).await?;
    b.client.goto(&format!("{base}/school")).await?;
    b.wait_for("#home-school").await?;

    b.client.switch_to_window(first.clone()).await?;
    b.click("#sign-out").await?;
    b.wait_for("#login").await?;
    b.client.switch_to_window(second.handle.clone()).await?;
    b.wait_for("#login").await?;
    b.wait_js(
        "document.body.innerText.includes('Вы вышли из системы в другой вкладке')",
        Duration::from_secs(20),
    )
    .await?;

    // Signed in again in the first: the second follows.
    b.client.switch_to_window(first).await?;
    b.sign_in(&base, "vkladki", DEMO_PASSWORD).await?;
    b.wait_for("#home-school").await?;
    b.client.switch_to_window(second.handle).await?;
    b.wait_for("#home-school").await?;
    b.close().await?;
    Ok(())
}

/// A newer version of the app, opened in another tab, takes over this computer's storage: the
/// tab of the older version lets go of it at once (the newer one would otherwise wait behind it
/// for as long as the tab stays open) and says to reload.
#[tokio::test]
async fn a_newer_version_in_another_tab_is_not_kept_waiting() -> anyhow::Result<()> {
    let server = Server::start().await?;
    server.own_school("novaya.versiya").await?;
    let base = server.url("");
    let me = e2e::Api::login(&base, "novaya.versiya").await?;
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "novaya.versiya", "#home-school")
        .await?;
    let upgrade = r#"
        const done = arguments[arguments.length - 1];
        const req = indexedDB.open(arguments[0], 99);
        const stuck = setTimeout(() => done('stuck'), 10000);
        req.onupgradeneeded = () => {};
        req.onsuccess = () => { clearTimeout(stuck); req.result.close(); done('opened'); };
        req.onerror = () => { clearTimeout(stuck); done('error'); };
    "#;
    let db = format!("nastavnik-{}", me.profile.id);
    let got = b
        .client
        .execute_async(upgrade, vec![serde_json::json!(db)])
        .await?;
    assert_eq!(got, serde_json::json!("opened"), "the newer version opens");
    b.wait_js(
        "(document.getElementById('store-error') || {innerText: ''}).innerText.includes('новая версия приложения')",
        Duration::from_secs(20),
    )
    .await?;
    b.close().await?;
    Ok(())
}

/// «Выйти» with edits not sent yet asks first; the person may stay. Signed out all the same,
/// the edits wait in their storage on this computer and go at their next sign-in.
#[tokio::test]
async fn signing_out_with_unsent_edits_asks_and_keeps_them() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let (t, _) = e2e::builtin_template("context_profile");
    let (head, school) = server.own_school("vyhod.neotpr").await?;
    let cid = head.send_campaign(&t, school.id, "2027-01-31").await?;
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "vyhod.neotpr", "#home-school")
        .await?;
    b.client.goto(&format!("{base}/forms/{cid}")).await?;
    b.wait_for(".question").await?;
    server.kill();
    let q = t.questions().next().unwrap();
    b.fill(&format!("#q-{}-input", q.id), "12").await?;
    b.wait_saved(1).await?;
    b.wait_js(
        "(document.getElementById('sync-pending') || {dataset: {}}).dataset.pending === '1'",
        Duration::from_secs(20),
    )
    .await?;

    b.click("#sign-out").await?;
    let question = b.client.get_alert_text().await?;
    assert!(
        question.contains("неотправленные изменения: 1"),
        "asked: {question}"
    );
    b.client.dismiss_alert().await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        b.eval("!!document.getElementById('user-name')").await? == serde_json::json!(true),
        "still signed in"
    );

    b.click("#sign-out").await?;
    b.client.accept_alert().await?;
    b.wait_for("#login").await?;
    server.resume().await?;
    b.sign_in(&base, "vyhod.neotpr", DEMO_PASSWORD).await?;
    b.wait_for("#home-school").await?;
    b.wait_all_sent(Duration::from_secs(60)).await?;
    let response = model::forms::response_id(cid, &model::record::Scope::School(school.id));
    // A draft is the school's own: read as its team.
    let team = e2e::Api::login(&base, "vyhod.neotpr").await?;
    let stored = model::forms::answers_of(&team.record(response).await?);
    assert_eq!(
        stored.get(&q.id),
        Some(&serde_json::json!(12)),
        "the answer reached the server"
    );
    b.close().await?;
    Ok(())
}
