//! Every page prints cleanly: laid out for print (Chrome's print media), no header, navigation
//! or buttons show, and nothing is wider than the page.

use std::time::Duration;

use e2e::{Api, Browser, Server, builtin_template};
use model::forms;
use model::record::Scope;
use model::support::{consultation, programme, visit};
use model::workplan;
use serde_json::json;
use uuid::Uuid;

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

/// The year of the records the test makes, shown by the pages that take a year.
const YEAR: i64 = 2030;

#[tokio::test]
async fn every_page_prints_cleanly() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("print").await?;
    let head = &town.head;
    let sid = town.school.id;
    let school = Api::login(&base, &town.team).await?;
    let mentor = Api::login(&base, &town.mentor).await?;
    let (t, _) = builtin_template("self_analysis");
    let cid = head.send_campaign(&t, sid, "2030-01-31").await?;
    let (rid, _) = forms::response_target(t.respondent, cid, Some(sid), school.profile.id).unwrap();
    // What the pages show: the school's programme, a consultation it asked for, a mentor's
    // visit, an item of the centre's plan of work.
    school
        .write(
            programme::programme_id(sid, YEAR),
            programme::PROGRAMME_KIND,
            Scope::School(sid),
            json!({"year": YEAR, "title": "Антирисковая программа"}),
        )
        .await?;
    school
        .write(
            Uuid::now_v7(),
            consultation::KIND,
            Scope::School(sid),
            json!({"topic": "ВСОКО", "question": "Как выстроить внутреннюю оценку качества?",
                   "format": "remote", "state": "new"}),
        )
        .await?;
    mentor
        .write(
            Uuid::now_v7(),
            visit::KIND,
            Scope::School(sid),
            json!({"type": "seminar", "date": format!("{YEAR}-02-01"),
                   "findings": "Справка по итогам семинара"}),
        )
        .await?;
    head.write(
        Uuid::now_v7(),
        workplan::KIND,
        Scope::Centre,
        json!({"year": YEAR, "direction": "consulting", "content": "Консультации для школ",
               "period": "during_year", "addressee": mentor.profile.id, "status": "planned"}),
    )
    .await?;

    let s = signed_in(&base, &town.team, "#home-school").await?;
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
    check(
        &s,
        &base,
        &format!("/programme/{sid}?year={YEAR}"),
        "#programme",
    )
    .await?;
    check(
        &s,
        &base,
        &format!("/programme/{sid}/print?year={YEAR}"),
        "#programme-print-view h1",
    )
    .await?;
    check(&s, &base, "/consultations", "#consultation-new").await?;
    s.close().await?;

    let h = signed_in(&base, &head.profile.login, "#home-centre").await?;
    check(&h, &base, "/centre", "#home-centre").await?;
    check(&h, &base, "/centre/campaigns", "#campaign-list").await?;
    check(&h, &base, "/centre/results", "#status-table").await?;
    check(&h, &base, "/centre/schools", "main h1").await?;
    check(&h, &base, "/inbox", "#inbox").await?;
    check(&h, &base, &format!("/review/{rid}"), "#review").await?;
    check(
        &h,
        &base,
        "/centre/programmes",
        "#programmes-table tbody tr",
    )
    .await?;
    check(
        &h,
        &base,
        &format!("/centre/plan?year={YEAR}"),
        "li.plan-item",
    )
    .await?;
    check(
        &h,
        &base,
        &format!("/centre/plan/print?year={YEAR}"),
        "#plan-print-view tbody tr",
    )
    .await?;
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
        &format!("/report/school/{sid}?year={YEAR}"),
        "#annual-visits li",
    )
    .await?;
    h.close().await?;
    Ok(())
}
