//! The classification of schools end to end in real Chromium (002 §II): the head uploads a file
//! of indices on the centre's page — a bad file is refused with every bad row and column named
//! and nothing stored, a good one is previewed and imported — and the table, the chart and the
//! filters show the types, the marks with their reasons, and a suggested flag the head accepts.

use std::time::Duration;

use e2e::{Api, Browser, Server};
use fantoccini::Locator;
use model::monitoring as m;

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn the_head_uploads_indices_and_sees_the_classification() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let head = server.own_head("klassifikaciya.head").await?;
    // Four schools of the test's own, over three years of its own (no other school has them).
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let mut schools = Vec::new();
    for n in 1..=4 {
        schools.push(head.create_school(&format!("Школа {n} ({tag})")).await?);
    }
    let dir = tempfile::tempdir()?;
    let header = "school;year;ior;isbsh;gia;vpr;evening_share;advanced\n";
    let bad = dir.path().join("плохой.csv");
    std::fs::write(
        &bad,
        format!(
            "{header}{};2090;0,5;0,5;;;;\n{};2090;1,7;0,5;;;;\nНет такой школы;2090;0,5;0,5;;;;\n",
            schools[0].name, schools[1].name
        ),
    )?;
    // ИОР rises with the school's number; ИСБШ is low for odd numbers: school 4 is effective
    // and stably high, school 3 resilient, school 1 not coping and stably low.
    let mut good = String::from(header);
    for (i, s) in schools.iter().enumerate() {
        for year in 2088..=2090 {
            let ior = 0.3 + 0.1 * i as f64;
            let isbsh = if i % 2 == 0 { 0.3 } else { 0.7 };
            good.push_str(&format!(
                "{};{year};{};{};0,6;0,55;0;нет\n",
                s.name,
                format!("{ior:.2}").replace('.', ","),
                format!("{isbsh:.2}").replace('.', ",")
            ));
        }
    }
    let good_file = dir.path().join("индексы.csv");
    std::fs::write(&good_file, good)?;

    let h = Browser::start().await?;
    h.sign_in_synced(&base, &head.profile.login, "#home-centre")
        .await?;
    h.click("#link-classification").await?;
    h.wait_for("#indices-file").await?;

    // A bad file: every bad row and column named, nothing stored.
    h.client
        .find(Locator::Css("#indices-file"))
        .await?
        .send_keys(bad.to_str().unwrap())
        .await?;
    h.wait_for("#indices-problems").await?;
    let problems = h.text("#indices-problems").await?;
    assert!(problems.contains("Строка 3, столбец ior"), "{problems}");
    assert!(problems.contains("Строка 4, столбец school"), "{problems}");
    assert!(problems.contains("Ничего не изменено"), "{problems}");
    assert!(
        h.eval("!document.querySelector('#indices-import')")
            .await?
            .as_bool()
            == Some(true)
    );
    let id = m::indices_id(schools[0].id, 2090);
    assert!(
        head.record(id).await.is_err(),
        "nothing stored from a bad file"
    );

    // A good file chosen while the server cannot be reached is kept, and checked again on a
    // press once it can: previewed, then imported.
    server.kill();
    h.client
        .find(Locator::Css("#indices-file"))
        .await?
        .send_keys(good_file.to_str().unwrap())
        .await?;
    h.wait_for("#indices-retry").await?;
    assert!(h.text("#indices-retry").await?.contains("индексы.csv"));
    server.resume().await?;
    h.click("#indices-retry").await?;
    h.wait_for("#indices-preview").await?;
    assert!(h.text("#indices-preview").await?.contains("строк — 12"));
    h.click("#indices-import").await?;
    h.wait_js(
        "(document.getElementById('indices-message') || {innerText: ''}).innerText.includes('Загружено строк: 12')",
        LONG,
    )
    .await?;
    assert_eq!(
        head.record(id).await?.get(m::F_IOR),
        Some(&serde_json::json!(0.3))
    );

    // The classification of 2090 arrives by sync: the test's four schools only.
    h.wait_js(
        "!!document.querySelector('#class-year option[value=\"2090\"]')",
        LONG,
    )
    .await?;
    h.choose("#class-year", "2090").await?;
    let row = |s: &model::School| format!("#classification-table tr[data-school='{}']", s.id);
    h.wait_for(&row(&schools[3])).await?;
    assert_eq!(
        h.eval("document.querySelectorAll('#classification-table tbody tr[data-school]').length")
            .await?,
        4
    );
    let best = h.text(&row(&schools[3])).await?;
    assert!(best.contains("эффективная"), "{best}");
    assert!(best.contains("стабильно высокие"), "{best}");
    assert!(best.contains("квартиль 4"), "{best}");
    let worst = h.text(&row(&schools[0])).await?;
    assert!(worst.contains("несправляющаяся"), "{worst}");
    assert!(worst.contains("стабильно низкие"), "{worst}");
    assert!(
        worst.contains("0,300"),
        "the reason names the figures: {worst}"
    );
    let third = h.text(&row(&schools[2])).await?;
    assert!(third.contains("резильентная"), "{third}");
    // Every school with both indices is a point of the chart.
    assert_eq!(
        h.eval("document.querySelectorAll('#quadrant-chart circle.point').length")
            .await?,
        4
    );

    // The filter: resilient schools only.
    h.choose("#class-type", "resilient").await?;
    h.wait_js(
        "document.querySelectorAll('#classification-table tbody tr[data-school]').length === 1",
        LONG,
    )
    .await?;
    h.choose("#class-type", "").await?;

    // School 4 is suggested as a mentor school; the head accepts and the server keeps it.
    h.wait_js(
        &format!(
            "(document.querySelector(\"{} .flags-suggested\") || {{innerText: ''}}).innerText.includes('школа-наставник')",
            row(&schools[3])
        ),
        LONG,
    )
    .await?;
    h.click(&format!("{} .accept-flags", row(&schools[3])))
        .await?;
    h.wait_js(
        &format!(
            "(document.querySelector(\"{}\") || {{innerText: ''}}).innerText.includes('совпадает с классификацией')",
            row(&schools[3])
        ),
        LONG,
    )
    .await?;
    let now = head.schools().await?;
    let s4 = now.iter().find(|s| s.id == schools[3].id).unwrap();
    assert!(s4.mentor_school && !s4.low_results && !s4.hard_conditions);

    // Offline after a reload, the page still knows the flag was accepted.
    h.wait_js("!!navigator.serviceWorker.controller", LONG)
        .await?;
    server.kill();
    h.client.refresh().await?;
    h.wait_for(&row(&schools[3])).await?;
    h.wait_js(
        &format!(
            "(document.querySelector(\"{}\") || {{innerText: ''}}).innerText.includes('совпадает с классификацией')",
            row(&schools[3])
        ),
        LONG,
    )
    .await?;
    h.close().await?;
    Ok(())
}

/// A school's quarterly report (003), sent as the filler sends it, is on the centre's
/// monitoring page with the shares computed from its counts, and on the school's annual report
/// as a chart with its table.
#[tokio::test]
async fn a_quarterly_report_reaches_the_monitoring_page_and_the_schools_report()
-> anyhow::Result<()> {
    use model::forms;
    use model::monitoring::quarters as q;

    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("monitoring").await?;
    let head = &town.head;
    let team = Api::login(&base, &town.team).await?;
    let sid = team.profile.school_id.unwrap();
    let (t, _) = e2e::builtin_template(q::TEMPLATE);
    let campaign = head.send_campaign(&t, sid, "2090-11-10").await?;
    let scope = model::record::Scope::School(sid);
    let cell = |row: &str, col: &str| forms::cell_field(q::Q_LEVELS, row, col);
    // The report of this whole school year: the school's latest.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as u64;
    let year = q::school_year_of(&forms::answer::iso_day(now_ms));
    let label = format!("{year}/{:02}, год", (year + 1) % 100);
    let mut fields = serde_json::json!({
        "campaign": campaign, "template": t.code, "version": t.version,
        forms::answer_field(q::Q_SCHOOL_YEAR): year,
        forms::answer_field(q::Q_PERIOD): "year",
    });
    // No senior classes: zeros, as the form asks.
    for (row, c) in [
        ("noo", [50, 45, 20, 5]),
        ("ooo", [150, 135, 40, 15]),
        ("soo", [0, 0, 0, 0]),
    ] {
        for (col, v) in ["pupils", "passed", "good", "at_risk"].iter().zip(c) {
            fields[cell(row, col)] = serde_json::json!(v);
        }
    }
    let id = forms::response_id(campaign, &scope);
    team.write(id, forms::RESPONSE_KIND, scope.clone(), fields)
        .await?;
    team.write(
        id,
        forms::RESPONSE_KIND,
        scope,
        serde_json::json!({ "status": "submitted" }),
    )
    .await?;

    let h = Browser::start().await?;
    h.sign_in_synced(&base, &head.profile.login, "#home-centre")
        .await?;
    h.click("#link-monitoring").await?;
    let row = format!("#monitoring-table tr[data-school='{sid}']");
    h.wait_for(&row).await?;
    let text = h.text(&row).await?;
    // 180 of 200 pass, 60 of 200 with «4» and «5», 20 at risk.
    assert!(text.contains(&label), "{text}");
    assert!(text.contains("90 %"), "{text}");
    assert!(text.contains("30 %"), "{text}");
    assert!(text.contains("20"), "{text}");

    h.client
        .goto(&format!("{base}/report/school/{sid}"))
        .await?;
    h.wait_for(".quarter-table").await?;
    let table = h.text(".quarter-table").await?;
    assert!(table.contains(&label), "{table}");
    assert!(
        h.eval("document.querySelectorAll('.school-results svg polyline').length >= 2")
            .await?
            .as_bool()
            == Some(true),
        "the chart draws both lines"
    );
    h.close().await?;
    Ok(())
}
