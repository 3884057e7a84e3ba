//! Review end to end in real Chromium with two browser profiles: the school submits a form; the
//! mentor returns it with a comment on one answer; the school, offline after a sync, sees the
//! comment, edits and resubmits; back online, the mentor accepts; the school sees "принято".

use std::time::Duration;

use e2e::{Api, Browser, Server, builtin_template};
use model::forms;
use model::forms::template::Kind;
use serde_json::json;

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn return_with_a_comment_then_accept() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let (t, _) = builtin_template("context_profile");
    let school = Api::login(&base, "shkola").await?;
    let head = Api::login(&base, "rukovoditel").await?;
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
    s.open_task(&base, cid).await?;
    for q in t.questions() {
        let v = match &q.kind {
            Kind::Number(r) => (r.min.unwrap_or(0.0).max(0.0) as i64 + 1).to_string(),
            _ => "10".to_owned(),
        };
        s.fill(&format!("#q-{}-input", q.id), &v).await?;
    }
    s.wait_js(
        "document.getElementById('form-progress').innerText.includes('Заполнено 12 из 12')",
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
    m.sign_in_synced(&base, "nastavnik", "#home-mentor").await?;
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
