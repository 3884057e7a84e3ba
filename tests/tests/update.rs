//! An update of the server while a tab is open: the tab, still running the previous build, goes
//! on opening pages whose code it never loaded (the service worker keeps the previous build's
//! files), the new build is offered and taken, and nothing typed is lost on the way.

use std::time::Duration;

use e2e::front::{Front, build_id, next_build, same_build_again};
use e2e::{Api, Browser, Server, dist_dir};

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_tab_left_on_the_previous_build_keeps_working_and_takes_the_new_one_with_nothing_lost()
-> anyhow::Result<()> {
    let server = Server::start().await?;
    let first = dist_dir();
    let old = build_id(&first)?;
    let folder = tempfile::tempdir()?;
    let new = next_build(&first, folder.path())?;
    let front = Front::start(server.port, first.clone()).await?;
    let base = front.url("");

    // A school of the test's own.
    server.own_school("obnovlenie").await?;

    // Signed in on the first build: its service worker keeps the school's pages.
    let browser = Browser::start().await?;
    browser
        .sign_in_synced(&base, "obnovlenie", "#home-school")
        .await?;
    browser
        .wait_js(
            "document.documentElement.dataset.pagesReady === 'school_team' \
             && !!navigator.serviceWorker.controller",
            LONG,
        )
        .await?;
    let loaded = |build: &str| {
        format!(
            "performance.getEntriesByType('resource').some(e => e.name.includes('/assets/{build}/split_support'))"
        )
    };
    assert_eq!(
        browser.eval(&loaded(&old)).await?,
        serde_json::json!(false),
        "the tab has not loaded the school profile's code yet"
    );

    // The server is updated: the first build's files are gone from it.
    front.serve(folder.path().to_owned());
    let gone = reqwest::get(front.url(&format!("/assets/{old}/split_support.wasm"))).await?;
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);

    // The browser finds the new version (as it does on its own every half hour) and offers it.
    browser
        .eval(
            "(() => { window.__controllerChanged = false; \
             navigator.serviceWorker.addEventListener('controllerchange', () => window.__controllerChanged = true); \
             navigator.serviceWorker.getRegistration().then(r => r.update()); return true; })()",
        )
        .await?;
    browser.wait_for("#update-banner").await?;
    // Another tab takes it: this one, still on the first build, is now served by the new worker.
    browser
        .eval("(navigator.serviceWorker.getRegistration().then(r => r.waiting.postMessage('skipWaiting')), true)")
        .await?;
    browser
        .wait_js("window.__controllerChanged === true", LONG)
        .await?;

    // The old tab opens a page whose code it never loaded: the previous build's copy is kept
    // (not only in the browser's HTTP cache, which may drop it any time: that is emptied).
    browser.clear_http_cache().await?;
    browser
        .eval(
            "(() => { const a = document.createElement('a'); a.href = '/school/profile'; \
             document.body.append(a); a.click(); return true; })()",
        )
        .await?;
    browser.wait_for("#field-director").await?;
    assert_eq!(browser.eval(&loaded(&old)).await?, serde_json::json!(true));
    assert_eq!(
        browser
            .eval("!!document.getElementById('chunk-missing')")
            .await?,
        serde_json::json!(false)
    );
    browser
        .fill("#field-director", "Обновлённая Ольга Петровна")
        .await?;
    browser.wait_saved(1).await?;

    // Reloaded, the tab runs the new build, with what was typed.
    browser.client.refresh().await?;
    browser
        .wait_value("#field-director", "Обновлённая Ольга Петровна", LONG)
        .await?;
    assert_eq!(browser.eval(&loaded(&new)).await?, serde_json::json!(true));
    // The new build keeps the school's pages for offline use, under its own name.
    browser
        .wait_js(
            &format!(
                "(window.__kept = window.__kept || caches.open('nastavnik-{new}').then(c => c.keys()) \
                 .then(k => window.__keptNames = k.map(r => r.url))) && \
                 (window.__keptNames || []).some(u => u.includes('/assets/{new}/split_support'))"
            ),
            LONG,
        )
        .await?;
    // Sent to the server as usual.
    browser.wait_all_sent(LONG).await?;
    let team = Api::login(&server.url(""), "obnovlenie").await?;
    let profile = team.record(team.school_profile_id()).await?;
    assert_eq!(profile.text("director"), "Обновлённая Ольга Петровна");
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_worker_that_brings_the_same_build_is_not_offered_as_a_new_version() -> anyhow::Result<()>
{
    let server = Server::start().await?;
    let first = dist_dir();
    let folder = tempfile::tempdir()?;
    same_build_again(&first, folder.path())?;
    let front = Front::start(server.port, first).await?;

    let browser = Browser::start().await?;
    browser.client.goto(&front.url("/login")).await?;
    browser.wait_for("#login").await?;
    browser
        .wait_js("!!navigator.serviceWorker.controller", LONG)
        .await?;

    // The browser installs the worker again (its file differs), for the same build.
    front.serve(folder.path().to_owned());
    browser
        .eval("(navigator.serviceWorker.getRegistration().then(r => r.update()), true)")
        .await?;
    browser
        .wait_js(
            "(navigator.serviceWorker.getRegistration().then(r => window.__waiting = !!r.waiting), \
             window.__waiting === true)",
            LONG,
        )
        .await?;
    // The page asks the worker its build (an answer takes milliseconds; two seconds are
    // allowed) and offers nothing over the form being filled.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        browser
            .eval("!!document.getElementById('update-banner')")
            .await?,
        serde_json::json!(false),
        "a worker of the same build was offered as a new version"
    );
    browser.close().await?;
    Ok(())
}
