//! The plan of work end to end in real Chromium (002 appendix; 003): the head plans an item
//! linked to a campaign and names the mentor responsible; the mentor, offline, reports on it
//! with a document; back online, the printed report shows the report text, the document and the
//! campaign's figures. The indicators page and a school's annual report open.

use std::time::Duration;

use e2e::{Api, Browser, Server, builtin_template};
use model::workplan as w;

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn the_head_plans_the_mentor_reports_offline_the_printed_report_shows_both()
-> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("plan").await?;
    let head = &town.head;
    let mentor = Api::login(&base, &town.mentor).await?;
    let school = Api::login(&base, &town.team).await?;
    let sid = school.profile.school_id.unwrap();
    let (t, _) = builtin_template("leader_test");
    let cid = head.send_campaign(&t, sid, "2030-02-28").await?;
    let content = format!(
        "Тестирование руководителей ШНОР {}",
        uuid::Uuid::now_v7().simple()
    );

    // The head plans the item, links it to the campaign and names the mentor responsible.
    let h = Browser::start().await?;
    h.sign_in_synced(&base, &head.profile.login, "#home-centre")
        .await?;
    h.click("#link-plan").await?;
    h.wait_for("#new-content").await?;
    h.choose("#new-direction", "research").await?;
    h.fill("#new-content", &content).await?;
    h.click("#new-add").await?;
    let find = format!(
        "[...document.querySelectorAll('li.plan-item')].find(li => li.innerText.includes({content:?}))"
    );
    h.wait_js(&format!("!!{find}"), LONG).await?;
    let id = h.eval(&format!("{find}.dataset.item")).await?;
    let id = uuid::Uuid::parse_str(id.as_str().unwrap())?;
    let n = id.simple().to_string();
    h.eval(&format!("{find}.querySelector('details').open = true"))
        .await?;
    h.choose(&format!("#link-{n}"), &format!("campaign:{cid}"))
        .await?;
    h.choose(&format!("#responsible-{n}"), &mentor.profile.id.to_string())
        .await?;
    h.choose(&format!("#period-{n}"), "month").await?;
    h.click(&format!("#month-{n}-2")).await?;
    // Addressed to the school the form went to: the figure counts that school.
    h.click(&format!("#school-{n}-{}", sid.simple())).await?;
    h.wait_js(
        &format!("{find}.innerText.includes('февраль') && {find}.innerText.includes('направлена школам: 1')"),
        LONG,
    )
    .await?;
    h.sync_all(LONG).await?;

    // The mentor, offline, reports with a document.
    let m = Browser::start().await?;
    m.sign_in_synced(&base, &town.mentor, "#home-mentor")
        .await?;
    m.wait_js(
        "!!navigator.serviceWorker.controller",
        Duration::from_secs(30),
    )
    .await?;
    m.click("#link-plan").await?;
    m.wait_for(&format!("#report-{n}")).await?;
    // Not the mentor's to change: the content is shown, not offered.
    assert!(
        m.eval(&format!("!document.querySelector('textarea#content-{n}')"))
            .await?
            .as_bool()
            == Some(true),
        "the content is the head's"
    );
    server.kill();
    m.eval(&format!(
        "document.querySelector('li[data-item=\"{id}\"] details').open = true"
    ))
    .await?;
    m.fill(
        &format!("#report-{n}"),
        "Тестирование проведено, выявлены дефициты в двух областях.",
    )
    .await?;
    m.choose(&format!("#status-{n}"), "done").await?;
    m.choose(&format!("#doc-kind-{n}"), "letter").await?;
    m.fill(&format!("#doc-number-{n}"), "1457/21-21-10").await?;
    // A date that does not exist is said, and the document is not added without it.
    m.fill(&format!("#doc-date-{n}"), "31.02.2026").await?;
    // (Leaving the field shows its rule under it first, as a person sees it before pressing.)
    m.eval("document.activeElement.blur()").await?;
    m.wait_for(&format!("#doc-date-{n}-rule")).await?;
    m.click(&format!("li[data-item='{id}'] .doc-add")).await?;
    m.wait_js(
        &format!("document.querySelector('li[data-item=\"{id}\"]').innerText.includes('«31.02.2026» введена неверно')"),
        LONG,
    )
    .await?;
    assert!(
        !m.text(&format!("li[data-item='{id}'] .evidence ul"))
            .await?
            .contains("1457/21-21-10"),
        "added without its date"
    );
    m.choose(&format!("#doc-date-{n}"), "2026-05-19").await?;
    m.click(&format!("li[data-item='{id}'] .doc-add")).await?;
    m.wait_js(
        &format!("document.querySelector('li[data-item=\"{id}\"]').innerText.includes('письмо от 19.05.2026 № 1457/21-21-10')"),
        LONG,
    )
    .await?;
    m.wait_js(
        "Number((document.getElementById('sync-pending') || {dataset: {pending: '0'}}).dataset.pending) > 0",
        LONG,
    )
    .await?;

    server.resume().await?;
    m.sync_all(LONG).await?;
    let stored = head.record(id).await?;
    assert_eq!(stored.text(w::F_STATUS), "done");
    assert_eq!(w::documents(&stored).len(), 1);
    assert_eq!(stored.get(w::F_MONTHS), Some(&serde_json::json!([2])));
    assert_eq!(
        stored.get(w::F_SCHOOLS),
        Some(&serde_json::json!([sid.to_string()]))
    );

    // The printed report: grouped by direction, numbered, the report, the source, the figures.
    h.client.goto(&format!("{base}/centre/plan/print")).await?;
    h.click("#sync-now").await.ok();
    h.wait_js(
        "(document.getElementById('plan-print-view') || {innerText: ''}).innerText.includes('Тестирование проведено')",
        LONG,
    )
    .await?;
    let text = h.text("#plan-print-view").await?;
    assert!(text.contains("Исследовательская деятельность"), "{text}");
    assert!(
        text.contains("письмо от 19.05.2026 № 1457/21-21-10"),
        "{text}"
    );
    assert!(text.contains("направлена школам: 1"), "{text}");
    assert!(text.contains(&mentor.profile.full_name), "{text}");
    assert!(text.contains("февраль"), "{text}");

    // The indicators and a school's annual report open.
    h.client.goto(&format!("{base}/centre/indicators")).await?;
    h.wait_for("#indicators-table tr[data-code=reserve_appointed]")
        .await?;
    // A year the system has no cards of: the head enters the computed indicator's value.
    let this_year: i64 = model::forms::answer::iso_day(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as u64,
    )[..4]
        .parse()?;
    h.wait_for(&format!("input#ind-staffing-{}", this_year - 3))
        .await?;
    h.client
        .goto(&format!("{base}/report/school/{sid}"))
        .await?;
    h.wait_js(
        "(document.getElementById('annual-programme') || {innerText: ''}).innerText.includes('Программа на')",
        LONG,
    )
    .await?;
    h.close().await?;
    m.close().await?;
    Ok(())
}
