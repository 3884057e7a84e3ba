//! Review end to end in real Chromium with two browser profiles: the school submits a form; the
//! mentor returns it with a comment on one answer; the school, offline after a sync, sees the
//! comment, edits and resubmits; back online, the mentor accepts; the school sees "принято".
//! And a save the browser's storage fails, in a leader's deficit plan or in recommendations,
//! is said in words beside what the mentor did.

use std::time::Duration;

use e2e::{Api, Browser, Server, builtin_template};
use model::forms;
use model::forms::template::Kind;
use model::record::Scope;
use serde_json::{Value, json};

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn return_with_a_comment_then_accept() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let (t, _) = builtin_template("context_profile");
    let town = server.own_town("proverka").await?;
    let school = Api::login(&base, &town.team).await?;
    let head = &town.head;
    let cid = head
        .send_campaign(&t, school.profile.school_id.unwrap(), "2030-01-31")
        .await?;
    let (rid, _) = forms::response_target(
        t.respondent,
        cid,
        school.profile.school_id,
        school.profile.id,
    )
    .unwrap();

    // The school fills the form and sends it.
    let s = Browser::start().await?;
    s.open_task(&base, &town.team, cid).await?;
    // The counts (the indicators are computed from them; the partners are not required).
    let mut given = forms::Answers::new();
    for q in t.questions() {
        let Kind::Number(r) = &q.kind else { continue };
        let v = r.min.unwrap_or(0.0).max(0.0) as i64 + 1;
        s.fill(&format!("#q-{}-input", q.id), &v.to_string())
            .await?;
        given.insert(q.id.clone(), serde_json::json!(v));
    }
    let (done, total) = forms::progress(&t, &given);
    s.wait_js(
        &format!("document.getElementById('form-progress').innerText.includes('Заполнено {done} из {total}')"),
        LONG,
    )
    .await?;
    s.click("#form-submit").await?;
    s.wait_js(
        "document.getElementById('form-state').innerText.includes('отправлено')",
        LONG,
    )
    .await?;
    s.wait_all_sent(LONG).await?;

    // The mentor finds it in the inbox, marked new, comments on one answer and returns it.
    let m = Browser::start().await?;
    m.sign_in_synced(&base, &town.mentor, "#home-mentor")
        .await?;
    m.wait_js(
        "!!navigator.serviceWorker.controller",
        Duration::from_secs(30),
    )
    .await?;
    m.click("#link-inbox").await?;
    let row = format!("#inbox-list tr[data-response='{rid}']");
    m.wait_js(&format!("!!document.querySelector({row:?})"), LONG)
        .await?;
    assert!(m.text(&row).await?.contains("новое"));
    m.click(&format!("{row} a")).await?;
    let q = t.questions().next().unwrap();
    let comment = format!("#comment-{}", q.id);
    m.wait_for(&comment).await?;
    m.fill(&comment, "Проверьте число: по отчёту ОО-1 оно другое.")
        .await?;
    m.click("#review-return").await?;
    m.wait_for("#review-decided").await?;
    m.wait_all_sent(LONG).await?;

    // The school syncs, then loses the connection: the comment is there, the form editable.
    s.click("#sync-now").await.ok();
    s.wait_js("!!document.getElementById('form-returned')", LONG)
        .await?;
    server.kill();
    s.wait_js(
        &format!("document.querySelector('.question[data-q={}]').innerText.includes('по отчёту ОО-1 оно другое')", q.id),
        LONG,
    )
    .await?;
    s.fill(&format!("#q-{}-input", q.id), "7").await?;
    s.click("#form-submit").await?;
    s.wait_js(
        "document.getElementById('form-state').innerText.includes('отправлено')",
        LONG,
    )
    .await?;
    assert!(
        s.pending().await? >= 1,
        "the resubmission waits for the connection"
    );

    // Back online: the new version reaches the mentor, who accepts it.
    server.resume().await?;
    s.wait_net("online", LONG).await?;
    s.wait_all_sent(LONG).await?;
    m.client.goto(&format!("{base}/review/{rid}")).await?;
    m.wait_js("(document.getElementById('review-state') || {innerText: ''}).innerText.includes('отправлено')", LONG).await?;
    m.wait_js(
        "document.getElementById('review').innerText.includes('Версия 1 (ранее)')",
        LONG,
    )
    .await?;
    m.click("#review-accept").await?;
    m.wait_for("#review-decided").await?;
    m.wait_all_sent(LONG).await?;

    // The school sees "принято"; every round's comment is still there.
    s.client.refresh().await?;
    s.wait_js(
        "(document.getElementById('form-state') || {innerText: ''}).innerText.includes('принято')",
        LONG,
    )
    .await?;
    let page = s.text("#form").await?;
    assert!(page.contains("по отчёту ОО-1 оно другое"), "{page}");
    assert!(
        page.contains("Версия 2: принято") && page.contains("Версия 1: возвращено"),
        "{page}"
    );
    let stored = head.record(rid).await?;
    assert_eq!(forms::status_of(&stored), forms::Status::Accepted);
    assert_eq!(forms::answers_of(&stored)[&q.id], json!(7));
    // The school's home lists all it sent, with the status and the mentor's remarks.
    s.client.goto(&format!("{base}/school")).await?;
    s.wait_js(
        "(document.getElementById('school-responses') || {innerText: ''}).innerText.includes('принято, версия 2')",
        LONG,
    )
    .await?;
    s.close().await?;
    m.close().await?;
    Ok(())
}

/// Waits until the element `css` says that a save failed, and says where.
async fn shows_save_error(b: &Browser, css: &str) -> anyhow::Result<()> {
    b.wait_js(
        &format!(
            "(document.querySelector({css:?}) || {{innerText: ''}}).innerText.includes('Не сохранено')"
        ),
        LONG,
    )
    .await?;
    let said = b.text(css).await?;
    assert!(said.contains("на этом компьютере"), "{said}");
    Ok(())
}

#[tokio::test]
async fn a_failed_save_in_the_deficit_plan_or_the_recommendations_is_shown() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("sboi").await?;
    let head = &town.head;
    let leader = Api::login(&base, &town.team).await?;
    let mentor = Api::login(&base, &town.mentor).await?;
    let school = leader.profile.school_id.unwrap();

    // The leader's test, submitted (the server scores it), and a draft of recommendations.
    let (t, _) = builtin_template("leader_test");
    let campaign = head.send_campaign(&t, school, "2030-02-28").await?;
    let (rid, rscope) =
        forms::response_target(t.respondent, campaign, Some(school), leader.profile.id).unwrap();
    let fields = e2e::first_choices_submitted(&t, campaign);
    leader
        .write(rid, forms::RESPONSE_KIND, rscope, Value::Object(fields))
        .await?;
    let draft = uuid::Uuid::now_v7();
    mentor
        .write(
            draft,
            "recommendation",
            Scope::School(school),
            json!({"title": "Рекомендации", "text": "Текст", "state": "draft"}),
        )
        .await?;

    let m = Browser::start().await?;
    m.sign_in_synced(&base, &town.mentor, "#home-mentor")
        .await?;

    // The recommendations: the browser loses its storage, "Отправить школе" is not stored and
    // the page says so (and does not say it was sent).
    m.client
        .goto(&format!("{base}/recommendations/{draft}"))
        .await?;
    m.wait_for("#rec-send").await?;
    m.delete_site_databases(&base).await?;
    // The app does not make an empty one behind the person's back: the header says what
    // happened and what to do.
    m.wait_for("#store-error").await?;
    let said = m.text("#store-error").await?;
    assert!(
        said.contains("удалены") && said.contains("обновите страницу"),
        "{said}"
    );
    m.click("#rec-send").await?;
    shows_save_error(&m, "#recommendation .alert-error").await?;
    assert!(
        m.text("#rec-sent").await?.is_empty(),
        "a send that was not stored is not said to be sent"
    );

    // Loaded again, the app makes a new database and brings everything back from the server.
    m.client.goto(&format!("{base}/review/{rid}")).await?;
    m.wait_first_sync().await?;
    m.wait_js(
        "!!document.getElementById('recommend') && !!document.getElementById('plan-add')",
        LONG,
    )
    .await?;
    m.click("#plan-add").await?;
    m.wait_js(
        "!!document.querySelector('#deficit-plan tr[data-item]')",
        LONG,
    )
    .await?;
    let item: uuid::Uuid = serde_json::from_value(
        m.eval("document.querySelector('#deficit-plan tr[data-item]').dataset.item")
            .await?,
    )?;
    // It reaches the server before the storage goes again.
    let deadline = std::time::Instant::now() + LONG;
    while mentor.record(item).await.is_err() {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the new plan item did not reach the server"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The deficit plan: the storage goes again; a changed state is said not stored in its row,
    // a new item under the table.
    m.delete_site_databases(&base).await?;
    m.choose(&format!("#plan-status-{}", item.simple()), "done")
        .await?;
    shows_save_error(&m, &format!("tr[data-item='{item}'] .alert-error")).await?;
    m.click("#plan-add").await?;
    shows_save_error(&m, "#deficit-plan > .alert-error").await?;

    // A draft from the deficits is not stored: said beside the button, and the page stays.
    m.click("#recommend").await?;
    shows_save_error(&m, "#recommend + .alert-error").await?;
    assert_eq!(
        m.eval("location.pathname").await?,
        json!(format!("/review/{rid}"))
    );
    // Nothing of it reached the server.
    assert_eq!(mentor.record(item).await?.text("status"), "planned");
    assert_eq!(mentor.record(draft).await?.text("state"), "draft");
    m.close().await?;
    Ok(())
}
