//! Every page prints cleanly: laid out for print (Chrome's print media), no header, navigation
//! or buttons show, and nothing is wider than the page.

use std::time::Duration;

use e2e::{Api, Browser, Server, builtin_template};
use model::forms;

const LONG: Duration = Duration::from_secs(60);

async fn signed_in(base: &str, login: &str, home: &str) -> anyhow::Result<Browser> {
    let b = Browser::start().await?;
    b.sign_in_synced(base, login, home).await?;
    Ok(b)
}

async fn check(b: &Browser, base: &str, path: &str, ready: &str) -> anyhow::Result<()> {
    b.client.goto(&format!("{base}{path}")).await?;
    b.wait_js(&format!("!!document.querySelector({ready:?})"), LONG)
        .await?;
    let problems = b.print_problems().await?;
    assert!(
        problems.is_empty(),
        "{path} does not print cleanly: {problems:?}"
    );
    Ok(())
}

#[tokio::test]
async fn every_page_prints_cleanly() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let (t, _) = builtin_template("self_analysis");
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

    let s = signed_in(&base, "shkola", "#home-school").await?;
    check(&s, &base, "/school", "#tasks").await?;
    check(&s, &base, &format!("/forms/{cid}"), ".question").await?;
    // One answer makes the response exist, for the print view and the mentor.
    s.click(&format!("#q-{}-input-0", t.questions().next().unwrap().id))
        .await?;
    let deadline = std::time::Instant::now() + LONG;
    while head.record(rid).await.is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the answer never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    check(&s, &base, &format!("/forms/{cid}/print"), "#print-view").await?;
    check(&s, &base, "/school/profile", "#field-director").await?;
    check(&s, &base, "/about", "main h1").await?;
    let sid = school.profile.school_id.unwrap();
    check(&s, &base, &format!("/programme/{sid}"), "#programme").await?;
    check(
        &s,
        &base,
        &format!("/programme/{sid}/print"),
        "#programme-print-view h1",
    )
    .await?;
    check(&s, &base, "/consultations", "#consultation-new").await?;
    s.close().await?;

    let h = signed_in(&base, "rukovoditel", "#home-centre").await?;
    check(&h, &base, "/centre", "#home-centre").await?;
    check(&h, &base, "/centre/campaigns", "#campaign-list").await?;
    check(&h, &base, "/centre/results", "#status-table").await?;
    check(&h, &base, "/centre/schools", "main h1").await?;
    check(&h, &base, "/inbox", "#inbox").await?;
    check(&h, &base, &format!("/review/{rid}"), "#review").await?;
    let sid = school.profile.school_id.unwrap();
    check(
        &h,
        &base,
        "/centre/programmes",
        "#programmes-table tbody tr",
    )
    .await?;
    check(&h, &base, "/centre/plan", "li.plan-item").await?;
    check(&h, &base, "/centre/plan/print", "#plan-print-view tbody tr").await?;
    check(&h, &base, "/centre/indicators", "#indicators-table").await?;
    check(
        &h,
        &base,
        "/consultations/print",
        "#consultations-print-view tbody tr",
    )
    .await?;
    check(
        &h,
        &base,
        &format!("/report/school/{sid}"),
        "#annual-visits li",
    )
    .await?;
    h.close().await?;
    Ok(())
}
