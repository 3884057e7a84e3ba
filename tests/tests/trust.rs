//! Trust end to end, in Chromium against the real server: a device stamping writes far in the
//! future does not stop another computer of the school from syncing and editing, and a
//! teacher's browser never holds the leaders' tests, results, plans, reviews or
//! recommendations, a disabled account leaves the computer, and a stranger's wrong passwords do
//! not keep a person out of the computer they signed in on before.

use std::time::Duration;

use e2e::{Api, Browser, DEMO_PASSWORD, Server, builtin_template};
use model::forms;
use model::hlc::MAX_WALL;
use model::record::Scope;
use serde_json::{Value, json};

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_far_future_write_does_not_stop_another_computer_of_the_school() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("doverie").await?;
    let b = Browser::start().await?;
    b.sign_in_synced(&base, &town.team, "#home-school").await?;
    b.client.goto(&format!("{base}/school/profile")).await?;
    b.wait_for("#field-note").await?;

    // Another device of the school writes with the largest clock value there is.
    let hostile = Api::login(&base, &town.team).await?;
    let scope = Scope::School(hostile.profile.school_id.unwrap());
    let id = hostile.school_profile_id();
    hostile
        .write_as(
            id,
            "school_profile",
            scope.clone(),
            None,
            json!({"phone": "8 (86137) 9-99-99", "note": "с неверными часами"}),
            Some(MAX_WALL),
        )
        .await?;
    // This computer receives it, shows it, and goes on working: its own edit is saved, sent
    // and wins.
    b.click("#sync-now").await?;
    b.wait_value("#field-phone", "8 (86137) 9-99-99", LONG)
        .await?;
    b.fill("#field-note", "Правка после чужих часов").await?;
    b.wait_saved(1).await?;
    b.click("#sync-now").await?;
    b.wait_all_sent(LONG).await?;
    let error = b
        .eval("document.querySelector('#sync-error') ? document.querySelector('#sync-error').innerText : ''")
        .await?;
    assert_eq!(error, Value::String(String::new()), "no sync error");
    let record = hostile.record(id).await?;
    assert_eq!(record.text("note"), "Правка после чужих часов");
    assert_eq!(record.text("phone"), "8 (86137) 9-99-99");
    let limit = e2e_now() + model::hlc::MAX_AHEAD_MS;
    assert!(
        record
            .fields
            .values()
            .flat_map(|f| f.writes())
            .all(|w| w.hlc.wall_ms <= limit),
        "no clock value past the server's time"
    );
    // After a reload the value is still there (it was stored, not only shown).
    b.client.goto(&format!("{base}/school/profile")).await?;
    b.wait_value("#field-note", "Правка после чужих часов", LONG)
        .await?;
    b.close().await?;
    Ok(())
}

fn e2e_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test]
async fn a_teachers_browser_holds_nothing_of_the_leaders() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("uchitel").await?;
    let head = &town.head;
    let leader = Api::login(&base, &town.team).await?;
    let mentor = Api::login(&base, &town.mentor).await?;
    let school = leader.profile.school_id.unwrap();
    let scope = Scope::School(school);
    // The school's passport (teachers read it), the leader's submitted test (scored by the
    // server), the mentor's review of it, a plan item, recommendations sent and drafted.
    leader
        .write(
            leader.school_profile_id(),
            "school_profile",
            scope.clone(),
            json!({"director": "Лебедева Т. А."}),
        )
        .await?;
    let (t, _) = builtin_template("leader_test");
    let campaign = head.send_campaign(&t, school, "2030-02-28").await?;
    let (response, rscope) =
        forms::response_target(t.respondent, campaign, Some(school), leader.profile.id).unwrap();
    let fields = e2e::first_choices_submitted(&t, campaign);
    leader
        .write(
            response,
            forms::RESPONSE_KIND,
            rscope.clone(),
            Value::Object(fields),
        )
        .await?;
    mentor
        .write_as(
            forms::review::review_id(response, 1),
            forms::review::REVIEW_KIND,
            rscope.clone(),
            Some(response),
            json!({"round": 1, "overall": "Обсудим на встрече"}),
            None,
        )
        .await?;
    mentor
        .write_as(
            uuid::Uuid::now_v7(),
            forms::plan::PLAN_ITEM_KIND,
            rscope.clone(),
            Some(response),
            json!({"area": "law", "measure_kind": "methodical", "measure": "Семинар"}),
            None,
        )
        .await?;
    for state in ["sent", "draft"] {
        mentor
            .write(
                uuid::Uuid::now_v7(),
                "recommendation",
                scope.clone(),
                json!({"title": "Рекомендации", "text": "Текст", "state": state}),
            )
            .await?;
    }
    // The leader's own browser holds them (the control); the teacher's does not.
    let lb = Browser::start().await?;
    lb.sign_in_synced(&base, &town.team, "#home-school").await?;
    let held = lb.local_records(leader.profile.id).await?;
    let kinds: Vec<&str> = held.iter().map(|r| r.1.as_str()).collect();
    for kind in [
        "review",
        "test_result",
        "plan_item",
        "recommendation",
        "school_profile",
    ] {
        assert!(
            kinds.contains(&kind),
            "the leader holds a {kind}: {kinds:?}"
        );
    }
    lb.close().await?;

    let tb = Browser::start().await?;
    tb.sign_in(&base, &town.teacher, DEMO_PASSWORD).await?;
    tb.wait_for("#home-teacher").await?;
    tb.wait_first_sync().await?;
    let teacher = Api::login(&base, &town.teacher).await?;
    let held = tb.local_records(teacher.profile.id).await?;
    let kinds: Vec<&str> = held.iter().map(|r| r.1.as_str()).collect();
    assert!(kinds.contains(&"school_profile"), "{kinds:?}");
    for kind in [
        "review",
        "test_result",
        "plan_item",
        "recommendation",
        "response",
    ] {
        assert!(
            !kinds.contains(&kind),
            "a teacher's browser holds a {kind}: {held:?}"
        );
    }
    assert!(
        held.iter().all(|r| r.0 != response.to_string()),
        "not the leader's test"
    );
    // Nor can it be had by asking: the leader's test is "not found" for the teacher.
    assert!(teacher.record(response).await.is_err());
    tb.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_disabled_account_leaves_the_computer_at_its_next_sync() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("otkluchen").await?;
    let head = &town.head;
    let teacher = Api::login(&base, &town.teacher).await?;
    let b = Browser::start().await?;
    b.sign_in(&base, &town.teacher, DEMO_PASSWORD).await?;
    b.wait_for("#home-teacher").await?;
    b.wait_first_sync().await?;
    let name = format!("nastavnik-{}", teacher.profile.id);
    let has_db = "(window.__dbs = null, indexedDB.databases().then(l => window.__dbs = l.map(d => d.name)), true)";
    b.eval(has_db).await?;
    b.wait_js(
        &format!("Array.isArray(window.__dbs) && window.__dbs.includes('{name}')"),
        LONG,
    )
    .await?;
    // A mark of the person's own (when a timed test of theirs closes) goes with the account.
    let mark = format!(
        "nastavnik.{}.test-closes.{}",
        teacher.profile.id,
        uuid::Uuid::nil()
    );
    b.eval(&format!("localStorage.setItem('{mark}', '1') || true"))
        .await?;
    head.disable(teacher.profile.id).await?;
    b.click("#sync-now").await?;
    // Signed out with the reason, and the account's data is gone from this computer.
    b.wait_js(
        "document.body.innerText.includes('Учётная запись отключена') && document.body.innerText.includes('удалены с этого компьютера')",
        LONG,
    )
    .await?;
    let gone = format!(
        "(indexedDB.databases().then(l => window.__gone = !l.some(d => d.name === '{name}')), window.__gone === true)"
    );
    b.wait_js(&gone, LONG).await?;
    assert_eq!(
        b.eval(&format!("localStorage.getItem('{mark}')")).await?,
        Value::Null,
        "the mark is gone"
    );
    b.close().await?;
    Ok(())
}

/// The page says that the disabled account's unsent work is kept, and its database `name` is
/// still on the computer.
async fn said_kept(b: &Browser, name: &str) -> anyhow::Result<()> {
    b.wait_js(
        "document.body.innerText.includes('Учётная запись отключена') && document.body.innerText.includes('не отправленные на сервер: они сохранены')",
        LONG,
    )
    .await?;
    b.eval(&format!(
        "(window.__kept = null, indexedDB.databases().then(l => window.__kept = l.some(d => d.name === '{name}')), true)"
    ))
    .await?;
    b.wait_js("window.__kept !== null", LONG).await?;
    assert_eq!(
        b.eval("window.__kept").await?,
        json!(true),
        "the database stays"
    );
    Ok(())
}

/// Edits made on the computer and never sent are not deleted with a disabled account: the
/// computer keeps them, says so, and sends them once the account is enabled and signs in again.
#[tokio::test]
async fn a_disabled_account_keeps_what_it_never_sent() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (head, _) = server.own_school("otkl2").await?;
    let team = Api::login(&server.url(""), "otkl2").await?;
    // The computer reaches the server through a link that can fail.
    let link = e2e::proxy::Proxy::start(server.port).await?;
    let base = link.url("");
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "otkl2", "#home-school").await?;
    b.client.goto(&link.url("/reserve")).await?;
    b.wait_for("#reserve-nominate").await?;
    // The link fails; meanwhile the account is disabled, and a nomination is begun here.
    link.cut_answers_after(1);
    b.wait_net("offline", LONG).await?;
    head.disable(team.profile.id).await?;
    b.click("#reserve-nominate").await?;
    b.wait_for("#candidate-name").await?;
    let id = b
        .eval("location.pathname.split('/').pop()")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    b.fill("#candidate-name", "Неотправленная Заявка").await?;
    b.wait_js(
        "(document.querySelector('main h1') || {innerText: ''}).innerText.includes('Неотправленная Заявка')",
        LONG,
    )
    .await?;
    // The link is back: the sync that would send it is refused.
    link.cut_answers_after(0);
    let name = format!("nastavnik-{}", team.profile.id);
    said_kept(&b, &name).await?;

    // Enabled again: the next sign-in on this computer sends the nomination.
    head.enable(team.profile.id).await?;
    b.wait_for("#login").await?;
    b.sign_in_synced(&base, "otkl2", "#home-school").await?;
    b.sync_all(LONG).await?;
    let uuid: uuid::Uuid = id.parse()?;
    let stored = head.record(uuid).await?;
    assert_eq!(
        stored.fields.get(model::reserve::F_NAME).map(|f| &f.value),
        Some(&json!("Неотправленная Заявка"))
    );
    b.close().await?;
    Ok(())
}

/// A file attached on the computer whose bytes never reached the server (the link dropped
/// between the attachment and its file) is kept like an unsent edit when the account is
/// disabled.
#[tokio::test]
async fn a_disabled_account_keeps_a_file_it_never_uploaded() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let (head, _) = server.own_school("otkl.fail").await?;
    server.add_user("otkl.fail.mod", model::Role::Moderator, None)?;
    let moderator = Api::login(&base, "otkl.fail.mod").await?;
    let dir = tempfile::tempdir()?;
    let bytes = e2e::scanned_document(4 * 1024);
    let sha = e2e::sha256_hex(&bytes);
    let path = dir.path().join("Положение.pdf");
    std::fs::write(&path, &bytes)?;
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "otkl.fail.mod", "#home-moderator")
        .await?;
    b.client.goto(&format!("{base}/practices")).await?;
    b.wait_for("#practice-new-title").await?;
    b.fill("#practice-new-title", "Положение о службе медиации")
        .await?;
    b.click("#practice-create").await?;
    b.wait_for("#material-files-input").await?;
    b.client
        .find(fantoccini::Locator::Css("#material-files-input"))
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    let attachment = format!("li.attachment[data-sha256='{sha}']");
    b.wait_js(
        &format!("(document.querySelector(\"{attachment}\") || {{dataset: {{}}}}).dataset.here === 'sent'"),
        LONG,
    )
    .await?;
    b.sync_all(LONG).await?;
    // As if the link had dropped before the file's bytes arrived: the attachment reached the
    // server, its file did not.
    let name = format!("nastavnik-{}", moderator.profile.id);
    let unsend = r#"
        const done = arguments[arguments.length - 1];
        const req = indexedDB.open(arguments[0]);
        req.onerror = () => done(false);
        req.onsuccess = () => {
            const db = req.result;
            const store = db.transaction('files', 'readwrite').objectStore('files');
            const get = store.get(arguments[1]);
            get.onsuccess = () => {
                const f = get.result;
                if (!f) { db.close(); done(false); return; }
                f.uploaded = false;
                const put = store.put(f);
                put.onsuccess = () => { db.close(); done(true); };
                put.onerror = () => { db.close(); done(false); };
            };
            get.onerror = () => { db.close(); done(false); };
        };
    "#;
    assert_eq!(
        b.client
            .execute_async(unsend, vec![json!(name), json!(sha)])
            .await?,
        json!(true)
    );
    head.disable(moderator.profile.id).await?;
    b.eval("document.getElementById('sync-now').click() || true")
        .await?;
    said_kept(&b, &name).await?;
    b.close().await?;
    Ok(())
}

/// Anybody may send wrong passwords for a teacher's login and make it wait; the computer the
/// teacher signed in on before still signs in at once, because the app brings back the key the
/// server gave it.
#[tokio::test]
async fn a_stranger_cannot_keep_a_teacher_out_of_their_computer() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("chuzhoy").await?;
    let b = Browser::start().await?;
    b.sign_in(&base, &town.teacher, DEMO_PASSWORD).await?;
    b.wait_for("#home-teacher").await?;
    b.wait_first_sync().await?;
    let kept_key = format!(
        "(JSON.parse(localStorage.getItem('nastavnik.accounts') || '[]')\
           .find(a => a.login === '{}') || {{}}).sign_in_key || null",
        town.teacher
    );
    let key = b.eval(&kept_key).await?;
    assert!(
        key.is_string(),
        "the computer keeps a key for the login: {key}"
    );
    b.click("#sign-out").await?;
    b.wait_for("#login").await?;
    assert_eq!(b.eval(&kept_key).await?, key, "kept after signing out");

    let http = reqwest::Client::new();
    let attempt = |password: &'static str| {
        http.post(format!("{base}/api/auth/login"))
            .json(&json!({ "login": town.teacher, "password": password }))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("guess-guess").await?.status(), 401);
    }
    assert_eq!(
        attempt(DEMO_PASSWORD).await?.status(),
        429,
        "the login waits for anybody without the key"
    );

    b.sign_in(&base, &town.teacher, DEMO_PASSWORD).await?;
    b.wait_for("#home-teacher").await?;
    // The server knew the key (a sign-in without one, say once the wait was over, would have
    // been given a new key).
    assert_eq!(
        b.eval(&kept_key).await?,
        key,
        "signed in as the known computer"
    );
    b.close().await?;
    Ok(())
}
