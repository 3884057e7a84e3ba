//! Sync end to end: the real server, real Chromium, two browser profiles (two computers of one
//! school), the server taken away and brought back, and a 2G link that cuts connections.

use std::collections::BTreeSet;
use std::time::Duration;

use e2e::front::Front;
use e2e::proxy::Proxy;
use e2e::{Api, Browser, DEMO_PASSWORD, Server, dist_dir};

const LONG: Duration = Duration::from_secs(60);

/// The login of the school team each test makes for itself (`Server::own_school`).
const TEAM: &str = "komanda";

/// Signs in as the school's team and opens the profile form, with the app cached for offline
/// use.
async fn open_profile(browser: &Browser, base: &str) -> anyhow::Result<()> {
    browser.sign_in(base, TEAM, DEMO_PASSWORD).await?;
    browser.wait_for("#home-school").await?;
    browser
        .wait_js(
            "!!navigator.serviceWorker.controller",
            Duration::from_secs(30),
        )
        .await?;
    browser.wait_first_sync().await?;
    browser
        .client
        .goto(&format!("{base}/school/profile"))
        .await?;
    browser.wait_for("#field-director").await?;
    Ok(())
}

#[tokio::test]
async fn offline_edits_survive_a_closed_tab_and_reach_the_server_and_another_computer()
-> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let (head, _) = server.own_school(TEAM).await?;
    let base = server.url("");
    let a = Browser::start().await?;
    open_profile(&a, &base).await?;
    a.wait_net("online", LONG).await?;

    // The server goes away; the school keeps working.
    server.kill();
    a.fill("#field-director", "Иванова Ирина Ивановна").await?;
    a.fill("#field-students", "321").await?;
    a.fill("#field-internet", "2 Мбит/с").await?;
    a.wait_saved(3).await?;
    assert!(a.pending().await? >= 1, "the edits wait in the outbox");

    // The tab is closed and the app opened again in a new one: everything is still there.
    let old = a.client.window().await?;
    let new = a.client.new_window(true).await?;
    a.client.switch_to_window(new.handle).await?;
    a.client.switch_to_window(old).await?;
    a.client.close_window().await?;
    let handles = a.client.windows().await?;
    a.client.switch_to_window(handles[0].clone()).await?;
    a.client.goto(&format!("{base}/school/profile")).await?;
    a.wait_value("#field-director", "Иванова Ирина Ивановна", LONG)
        .await?;
    a.wait_value("#field-students", "321", LONG).await?;
    assert!(a.pending().await? >= 1);

    // The server comes back: the edits go out by themselves.
    server.resume().await?;
    a.wait_net("online", LONG).await?;
    a.wait_all_sent(LONG).await?;
    let school = Api::login(&base, TEAM).await?;
    let record = head.record(school.school_profile_id()).await?;
    assert_eq!(record.text("director"), "Иванова Ирина Ивановна");
    assert_eq!(record.get("students"), Some(&serde_json::json!(321)));
    assert_eq!(record.text("internet"), "2 Мбит/с");

    // Another computer of the same school receives them.
    let b = Browser::start().await?;
    open_profile(&b, &base).await?;
    b.wait_value("#field-director", "Иванова Ирина Ивановна", LONG)
        .await?;
    b.wait_value("#field-internet", "2 Мбит/с", LONG).await?;

    a.close().await?;
    b.close().await?;
    Ok(())
}

#[tokio::test]
async fn two_computers_offline_different_fields_both_kept_same_field_later_wins_with_history()
-> anyhow::Result<()> {
    let mut server = Server::start().await?;
    server.own_school(TEAM).await?;
    let base = server.url("");
    let a = Browser::start().await?;
    let b = Browser::start().await?;
    open_profile(&a, &base).await?;
    open_profile(&b, &base).await?;

    // The server goes away (the header notices at its next check; the edits do not wait).
    server.kill();
    a.fill("#field-phone", "8 (86137) 1-11-11").await?;
    b.fill("#field-address", "х. Ольховый, ул. Школьная, 4")
        .await?;
    a.fill("#field-note", "Версия первого компьютера").await?;
    a.wait_saved(2).await?;
    b.wait_saved(1).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.fill("#field-note", "Версия второго компьютера").await?;
    b.wait_saved(2).await?;

    server.resume().await?;
    a.wait_all_sent(LONG).await?;
    b.wait_all_sent(LONG).await?;
    let school = Api::login(&base, TEAM).await?;
    let record = school.record(school.school_profile_id()).await?;
    assert_eq!(record.text("phone"), "8 (86137) 1-11-11", "A's field kept");
    assert_eq!(
        record.text("address"),
        "х. Ольховый, ул. Школьная, 4",
        "B's field kept"
    );
    assert_eq!(
        record.text("note"),
        "Версия второго компьютера",
        "the later edit wins"
    );
    let history: Vec<String> = record.fields["note"]
        .history
        .iter()
        .map(|w| w.value.as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        history,
        vec!["Версия первого компьютера"],
        "the earlier one is kept"
    );

    // Both computers show the same, and the earlier value in the field's history.
    for browser in [&a, &b] {
        browser
            .wait_value("#field-phone", "8 (86137) 1-11-11", LONG)
            .await?;
        browser
            .wait_value("#field-address", "х. Ольховый, ул. Школьная, 4", LONG)
            .await?;
        browser
            .wait_value("#field-note", "Версия второго компьютера", LONG)
            .await?;
        browser.click("[data-field=note] details summary").await?;
        browser
            .wait_js(
                "document.querySelector('[data-field=note] details').innerText.includes('Версия первого компьютера')",
                LONG,
            )
            .await?;
    }
    a.close().await?;
    b.close().await?;
    Ok(())
}

#[tokio::test]
async fn over_a_2g_link_that_cuts_connections_everything_arrives_once() -> anyhow::Result<()> {
    let server = Server::start().await?;
    server.own_school(TEAM).await?;
    let proxy = Proxy::start(server.port).await?;
    let base = proxy.url("");
    let a = Browser::start().await?;
    open_profile(&a, &base).await?;
    a.wait_all_sent(LONG).await?;

    // Now the link is 2G and cuts connections at random points. The school fills the form
    // three times over, each round syncing through the bad link.
    proxy.set_bad(true);
    let fields = [
        "#field-director",
        "#field-phone",
        "#field-email",
        "#field-address",
        "#field-students",
        "#field-teachers",
        "#field-internet",
        "#field-note",
    ];
    let value = |field: &str, round: usize| match field {
        "#field-students" => format!("{}", 180 + round),
        "#field-teachers" => format!("{}", 17 + round),
        _ => format!("{} — вариант {round}", &field[7..]),
    };
    for round in 1..=3 {
        for field in fields {
            a.fill(field, &value(field, round)).await?;
        }
        a.wait_saved(fields.len()).await?;
        a.wait_all_sent(Duration::from_secs(240)).await?;
    }
    let cuts = proxy.cuts.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        cuts > 0,
        "the link never cut a connection: the test proved nothing"
    );

    // Everything arrived...
    proxy.set_bad(false);
    let school = Api::login(&server.url(""), TEAM).await?;
    let record = school.record(school.school_profile_id()).await?;
    for field in fields {
        let name = &field[7..];
        let expected = value(field, 3);
        match record.get(name) {
            Some(serde_json::Value::Number(n)) => assert_eq!(n.to_string(), expected, "{name}"),
            _ => assert_eq!(record.text(name), expected, "{name}"),
        }
    }
    // ...and nothing twice: every write is in the change log exactly once.
    let changes = school.all_changes().await?;
    let mut seen = BTreeSet::new();
    for c in &changes {
        assert!(
            seen.insert((c.record, c.hlc.clone())),
            "applied twice: {}",
            c.hlc
        );
    }
    eprintln!(
        "2G run: {cuts} connections cut, {} changes logged",
        changes.len()
    );
    a.close().await?;
    Ok(())
}

#[tokio::test]
async fn another_tab_of_the_same_browser_sees_edits_at_once() -> anyhow::Result<()> {
    let server = Server::start().await?;
    server.own_school(TEAM).await?;
    let base = server.url("");
    let a = Browser::start().await?;
    open_profile(&a, &base).await?;
    let first = a.client.window().await?;
    let second = a.client.new_window(true).await?;
    a.client.switch_to_window(second.handle.clone()).await?;
    a.client.goto(&format!("{base}/school/profile")).await?;
    a.wait_for("#field-director").await?;

    a.client.switch_to_window(first).await?;
    a.fill("#field-director", "Соловьёва Елена Викторовна")
        .await?;
    a.wait_saved(1).await?;

    // The other tab re-reads the store when told, with no server involved.
    a.client.switch_to_window(second.handle).await?;
    a.wait_value("#field-director", "Соловьёва Елена Викторовна", LONG)
        .await?;
    a.close().await?;
    Ok(())
}

/// A fresh computer's first sync finishes within seconds even when the person moves from page
/// to page (by address, reloading the app each time) while it runs.
#[tokio::test]
async fn the_first_sync_of_a_new_computer_finishes_while_the_person_moves_between_pages()
-> anyhow::Result<()> {
    let server = Server::start_demo().await?;
    let base = server.url("");
    let browser = Browser::start().await?;
    let started = std::time::Instant::now();
    // The demo's school, with its records: the first sync of a school in use, not an empty one.
    browser.sign_in(&base, "shkola", DEMO_PASSWORD).await?;
    browser.wait_for("#home-school").await?;
    for path in [
        "/school/profile",
        "/consultations",
        "/school",
        "/about",
        "/school",
    ] {
        browser.client.goto(&format!("{base}{path}")).await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    if let Err(e) = browser
        .wait_js(
            "(document.getElementById('sync-last') || {innerText: ''}).innerText.startsWith('Синхронизировано')",
            Duration::from_secs(20),
        )
        .await
    {
        // What the page waits for, to tell a held lock from a database that does not open.
        let locks = browser
            .eval("navigator.locks.query().then(q => JSON.stringify(q))")
            .await;
        let databases = browser
            .eval(
                "indexedDB.databases().then(list => Promise.all(list.map(d => new Promise(done => { \
                 const q = indexedDB.open(d.name); \
                 q.onsuccess = () => { q.result.close(); done(d.name + ': opens'); }; \
                 q.onblocked = () => done(d.name + ': blocked'); \
                 q.onerror = () => done(d.name + ': ' + q.error); \
                 setTimeout(() => done(d.name + ': no answer in 3 s'), 3000); })))).then(JSON.stringify)",
            )
            .await;
        anyhow::bail!(
            "the first sync did not finish {:?} after sign-in: {e}; locks: {locks:?}; databases: {databases:?}",
            started.elapsed()
        );
    }
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_tab_that_never_lets_go_of_the_sync_does_not_stop_it_for_long() -> anyhow::Result<()> {
    let server = Server::start().await?;
    server.own_school(TEAM).await?;
    let base = server.url("");
    let a = Browser::start().await?;
    open_profile(&a, &base).await?;
    // Something of this person's (a frozen tab, a page stuck on the way out) holds the sync's
    // lock and never lets it go.
    a.eval(
        "(navigator.locks.request('nastavnik-sync-' + JSON.parse(localStorage.getItem('nastavnik.session')).profile.id, \
         () => new Promise(() => {})), true)",
    )
    .await?;
    a.fill("#field-director", "Петрова Анна Сергеевна").await?;
    a.wait_saved(1).await?;
    a.wait_js(
        "document.getElementById('sync-pending').dataset.pending !== '0'",
        Duration::from_secs(10),
    )
    .await?;
    a.wait_js(
        "!!document.getElementById('sync-other-tab')",
        Duration::from_secs(15),
    )
    .await?;
    // After half a minute the lock is taken back and the edit goes out.
    a.wait_all_sent(LONG).await?;
    let school = Api::login(&base, TEAM).await?;
    let record = school.record(school.school_profile_id()).await?;
    assert_eq!(record.text("director"), "Петрова Анна Сергеевна");
    a.wait_js(
        "!document.getElementById('sync-other-tab')",
        Duration::from_secs(10),
    )
    .await?;
    a.close().await?;
    Ok(())
}

#[tokio::test]
async fn after_the_server_is_restored_from_a_copy_the_computer_sends_again_what_the_copy_lacks()
-> anyhow::Result<()> {
    let mut server = Server::start().await?;
    server.own_school(TEAM).await?;
    let base = server.url("");
    let a = Browser::start().await?;
    open_profile(&a, &base).await?;
    a.fill("#field-director", "Кузнецова Ольга Петровна")
        .await?;
    a.wait_saved(1).await?;
    a.sync_all(LONG).await?;

    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("copy.db");
    server.backup(&copy)?;
    // Work after the copy reaches the server, then the server's disk is lost.
    a.fill("#field-students", "287").await?;
    a.fill("#field-internet", "10 Мбит/с").await?;
    a.wait_saved(2).await?;
    a.sync_all(LONG).await?;
    let school = Api::login(&base, TEAM).await?;
    let profile = school.school_profile_id();
    assert_eq!(school.record(profile).await?.text("internet"), "10 Мбит/с");

    server.kill();
    server.restore(&copy)?;
    server.resume().await?;
    // The session made after the copy is gone from the server: sign in anew for the checks.
    let school = Api::login(&base, TEAM).await?;
    let restored = school.record(profile).await?;
    assert_eq!(restored.text("director"), "Кузнецова Ольга Петровна");
    assert_eq!(
        restored.get("students"),
        None,
        "the copy lacks the later work"
    );

    // The computer's next sync puts it back, and the page keeps what was typed.
    a.wait_net("online", LONG).await?;
    a.click("#sync-now").await.ok();
    let deadline = std::time::Instant::now() + LONG;
    loop {
        let record = school.record(profile).await?;
        if record.get("students") == Some(&serde_json::json!(287)) {
            assert_eq!(record.text("internet"), "10 Мбит/с");
            assert_eq!(record.text("director"), "Кузнецова Ольга Петровна");
            break;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the computer did not send its work again: {record:?}"
        );
        a.click("#sync-now").await.ok();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    a.wait_all_sent(LONG).await?;
    a.client.goto(&format!("{base}/school/profile")).await?;
    a.wait_value("#field-students", "287", LONG).await?;
    a.wait_value("#field-internet", "10 Мбит/с", LONG).await?;
    a.close().await?;
    Ok(())
}

/// On a slow link the person goes on typing while a sync is on its way. When its answer comes,
/// more edits wait than were sent, and the exchange has still moved on: it goes on to send them
/// at once, with no error shown and no pause before the next attempt.
#[tokio::test]
async fn edits_typed_while_a_sync_is_on_its_way_follow_it_without_an_error() -> anyhow::Result<()> {
    let server = Server::start().await?;
    server.own_school("medlenno").await?;
    let front = Front::start(server.port, dist_dir()).await?;
    let base = front.url("");

    let a = Browser::start().await?;
    a.sign_in_synced(&base, "medlenno", "#home-school").await?;
    a.client.goto(&format!("{base}/school/profile")).await?;
    a.wait_for("#field-director").await?;
    // Every error the sync shows from now on is kept, however briefly it is shown.
    a.eval(
        "(() => { window.__syncErrors = []; const seen = () => { \
         const e = document.getElementById('sync-error'); \
         if (e && !window.__syncErrors.includes(e.innerText)) window.__syncErrors.push(e.innerText); }; \
         new MutationObserver(seen).observe(document.body, \
         {subtree: true, childList: true, characterData: true}); return true; })()",
    )
    .await?;

    front.hold_sync_answers(true);
    a.fill("#field-director", "Кузнецова Ольга Петровна")
        .await?;
    a.wait_saved(1).await?;
    let deadline = std::time::Instant::now() + LONG;
    while front.held_sync_answers() == 0 {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the edit was not sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The server has the first edit; the computer does not know it yet, and two more are typed.
    a.fill("#field-students", "287").await?;
    a.fill("#field-internet", "10 Мбит/с").await?;
    a.wait_saved(2).await?;
    a.wait_js(
        "Number(document.getElementById('sync-pending').dataset.pending) >= 2",
        LONG,
    )
    .await?;
    front.hold_sync_answers(false);

    a.wait_all_sent(LONG).await?;
    let school_api = Api::login(&server.url(""), "medlenno").await?;
    let record = school_api.record(school_api.school_profile_id()).await?;
    assert_eq!(record.text("director"), "Кузнецова Ольга Петровна");
    assert_eq!(record.get("students"), Some(&serde_json::json!(287)));
    assert_eq!(record.text("internet"), "10 Мбит/с");
    assert_eq!(
        a.eval("window.__syncErrors").await?,
        serde_json::json!([]),
        "the sync reported an error"
    );
    a.close().await?;
    Ok(())
}
