//! Every page whose code is a lazily loaded chunk opens on the release build, online and then
//! with the server gone, for the people who may open it; a school computer keeps its own pages'
//! chunks and never downloads the centre's, not even when a centre address is opened on it.

use std::time::Duration;

use e2e::{Api, Browser, DEMO_PASSWORD, Server, Town};

/// The pages of a role, as a person would open them by address (`{school}` is the person's
/// school, `{id}` an id of nothing: the page still loads and says it found nothing).
const SCHOOL: &[&str] = &[
    "/school",
    "/school/profile",
    "/forms/{id}",
    "/forms/{id}/print",
    "/programme/{school}",
    "/programme/{school}/print",
    "/consultations",
    "/consultations/print",
    "/consultations/{id}",
    "/visits/{id}",
    "/report/school/{school}",
    "/practices",
    "/practices/{id}",
    "/reserve",
    "/reserve/{id}",
    "/refused",
    "/about",
    "/help",
    "/account",
    // Not the school's: «Нет доступа», without downloading the page's code.
    "/centre/results",
    "/reserve/registry",
    "/inbox",
];

const HEAD: &[&str] = &[
    "/centre",
    "/centre/results",
    "/centre/campaigns",
    "/centre/schools",
    "/centre/users",
    "/centre/programmes",
    "/centre/plan",
    "/centre/plan/print",
    "/centre/indicators",
    "/centre/classification",
    "/centre/monitoring",
    "/inbox",
    "/review/{id}",
    "/recommendations/{id}",
    "/programme/{school}",
    "/consultations",
    "/consultations/{id}",
    "/visits/{id}",
    "/report/school/{school}",
    "/forms/{id}/print",
    "/practices",
    "/practices/{id}",
    "/reserve",
    "/reserve/{id}",
    "/reserve/registry",
    "/refused",
    "/about",
    "/help",
    "/account",
];

const TEACHER: &[&str] = &[
    "/teacher",
    "/forms/{id}",
    "/practices",
    "/practices/{id}",
    "/about",
    "/help",
    "/account",
    // Not the teacher's: «Нет доступа», without downloading the page's code.
    "/programme/{school}",
];

/// Opens `path` by address and waits for its page: text in the main area, the start-up
/// placeholder gone, and no "page not loaded" notice.
async fn open(browser: &Browser, url: &str) -> anyhow::Result<()> {
    browser.client.goto(url).await?;
    browser
        .wait_js(
            "!document.getElementById('boot') && \
             document.getElementById('main').innerText.trim().length > 0",
            Duration::from_secs(30),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{url} did not open: {e}"))?;
    let missing = browser
        .eval("!!document.getElementById('chunk-missing')")
        .await?;
    anyhow::ensure!(
        missing == serde_json::Value::Bool(false),
        "{url}: the page's code was not loaded"
    );
    Ok(())
}

/// Every file the service worker keeps, as `path content-type`.
async fn kept_files(browser: &Browser) -> anyhow::Result<Vec<String>> {
    browser
        .eval(
            "(window.__kept = null, (async () => { const out = []; \
             for (const key of await caches.keys()) { const cache = await caches.open(key); \
             for (const request of await cache.keys()) { const response = await cache.match(request); \
             out.push(new URL(request.url).pathname + ' ' + response.headers.get('content-type')); } } \
             window.__kept = out; })(), true)",
        )
        .await?;
    browser
        .wait_js("Array.isArray(window.__kept)", Duration::from_secs(10))
        .await?;
    let kept = browser.eval("window.__kept").await?;
    Ok(serde_json::from_value(kept)?)
}

/// Opens every page of `pages` as the person of a small town of the test's own whom `who`
/// picks (by login), online and then offline; `check_kept` looks at what the computer keeps.
async fn every_page_online_then_offline(
    who: impl Fn(&Town) -> String,
    pages: &[&str],
    check_kept: impl Fn(&[String]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let town = server.own_town("pages").await?;
    let login = &who(&town);
    let api = Api::login(&server.url(""), login).await?;
    let school = api
        .profile
        .school_id
        .map(|s| s.to_string())
        .unwrap_or_else(|| uuid::Uuid::nil().to_string());
    let id = uuid::Uuid::now_v7().to_string();
    let urls: Vec<String> = pages
        .iter()
        .map(|p| server.url(&p.replace("{school}", &school).replace("{id}", &id)))
        .collect();

    let browser = Browser::start().await?;
    browser
        .sign_in(&server.url(""), login, DEMO_PASSWORD)
        .await?;
    browser.wait_first_sync().await?;
    // Right after sign-in the service worker keeps every chunk of the role.
    browser
        .wait_js(
            "document.documentElement.hasAttribute('data-pages-ready')",
            Duration::from_secs(60),
        )
        .await?;
    let kept = kept_files(&browser).await?;
    for file in kept.iter().filter(|f| f.contains(".wasm ")) {
        assert!(
            file.ends_with(" application/wasm"),
            "a chunk is kept without its type: {file}"
        );
    }

    for url in &urls {
        open(&browser, url).await?;
    }
    // What this computer keeps after the role's pages, and others' addresses, were opened.
    check_kept(&kept_files(&browser).await?)?;

    // With the server gone and the browser's HTTP cache emptied, every page opens from what
    // the service worker keeps.
    server.kill();
    browser.clear_http_cache().await?;
    for url in &urls {
        open(&browser, url).await?;
    }
    browser.wait_net("offline", Duration::from_secs(20)).await?;
    browser.close().await?;
    Ok(())
}

fn kept<'a>(files: &'a [String], chunk: &str) -> Option<&'a String> {
    files
        .iter()
        .find(|f| f.contains(&format!("/{chunk}.wasm ")))
}

#[tokio::test]
async fn a_school_computer_keeps_its_pages_and_not_the_centres() -> anyhow::Result<()> {
    every_page_online_then_offline(
        |t| t.team.clone(),
        SCHOOL,
        |files| {
            for chunk in ["split_work", "split_support"] {
                anyhow::ensure!(
                    kept(files, chunk).is_some(),
                    "{chunk} is not kept: {files:?}"
                );
            }
            for chunk in ["split_centre", "split_review"] {
                anyhow::ensure!(
                    kept(files, chunk).is_none(),
                    "a school computer downloaded {chunk}"
                );
            }
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn the_head_opens_every_page_online_and_offline() -> anyhow::Result<()> {
    every_page_online_then_offline(
        |t| t.head.profile.login.clone(),
        HEAD,
        |files| {
            for chunk in [
                "split_work",
                "split_support",
                "split_review",
                "split_centre",
            ] {
                anyhow::ensure!(
                    kept(files, chunk).is_some(),
                    "{chunk} is not kept: {files:?}"
                );
            }
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn a_teacher_opens_the_filler_and_the_account_offline() -> anyhow::Result<()> {
    every_page_online_then_offline(
        |t| t.teacher.clone(),
        TEACHER,
        |files| {
            anyhow::ensure!(
                kept(files, "split_work").is_some(),
                "split_work is not kept"
            );
            anyhow::ensure!(
                kept(files, "split_support").is_none(),
                "a teacher's computer downloaded the school support pages"
            );
            Ok(())
        },
    )
    .await
}

/// A teacher forgot the password: the head sets a new one on the accounts page, and the teacher
/// signs in with it.
#[tokio::test]
async fn the_head_gives_a_teacher_a_new_password() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("zabyl").await?;
    let teacher = Api::login(&base, &town.teacher).await?;
    let h = Browser::start().await?;
    h.sign_in_synced(&base, &town.head.profile.login, "#home-centre")
        .await?;
    h.client.goto(&format!("{base}/centre/users")).await?;
    h.wait_for("#reset-account").await?;
    h.wait_js(
        &format!(
            "!!document.querySelector('#reset-account option[value=\"{}\"]')",
            teacher.profile.id
        ),
        Duration::from_secs(20),
    )
    .await?;
    // Too short first: said beside the field, nothing changes.
    h.choose("#reset-account", &teacher.profile.id.to_string())
        .await?;
    h.fill("#reset-password", "korotk").await?;
    h.click("#reset-submit").await?;
    h.wait_js(
        "document.body.innerText.includes('не менее 8 символов')",
        Duration::from_secs(20),
    )
    .await?;
    h.fill("#reset-password", "novyi-parol-1").await?;
    h.click("#reset-submit").await?;
    h.wait_js(
        "document.body.innerText.includes('изменён. Сообщите его сотруднику')",
        Duration::from_secs(20),
    )
    .await?;
    h.close().await?;

    let t = Browser::start().await?;
    t.sign_in(&base, &town.teacher, "novyi-parol-1").await?;
    t.wait_for("#home-teacher").await?;
    t.close().await?;
    Ok(())
}
