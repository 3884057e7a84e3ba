//! A school nominates a teacher to the management reserve with no server at all — the
//! nomination and its portfolio are kept on the computer — and once the server is back both
//! reach the centre intact; the head takes the nominee on and sees the registry.

use std::time::Duration;

use e2e::{Api, Browser, Server, scanned_document, sha256_hex};
use fantoccini::Locator;

#[tokio::test]
async fn a_nomination_made_offline_reaches_the_centre_with_its_portfolio() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let (head, _) = server.own_school("rezerv").await?;
    let dir = tempfile::tempdir()?;
    let bytes = scanned_document(300 * 1024);
    let sha = sha256_hex(&bytes);
    let path = dir.path().join("Портфолио.pdf");
    std::fs::write(&path, &bytes)?;

    let school = Browser::start().await?;
    school
        .sign_in_synced(&server.url(""), "rezerv", "#home-school")
        .await?;
    school
        .wait_js(
            "!!navigator.serviceWorker.controller",
            Duration::from_secs(30),
        )
        .await?;
    school.client.goto(&server.url("/reserve")).await?;
    school.wait_for("#reserve-nominate").await?;

    // No server from here on.
    server.kill();
    school.wait_net("offline", Duration::from_secs(30)).await?;
    school.click("#reserve-nominate").await?;
    school.wait_for("#candidate-name").await?;
    let id = school
        .eval("location.pathname.split('/').pop()")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    school
        .fill("#candidate-name", "Соколова Анна Петровна")
        .await?;
    school
        .fill("#candidate-position", "учитель математики")
        .await?;
    // A year the kind's rule refuses is said at once and not saved.
    school.fill("#candidate-birth", "85").await?;
    school.fill("#candidate-experience", "12").await?;
    school
        .wait_js(
            "(document.getElementById('candidate-birth-rule') || {innerText: ''}).innerText.includes('от 1940 до 2010')",
            Duration::from_secs(10),
        )
        .await?;
    school.fill("#candidate-birth", "1985").await?;
    school
        .fill("#candidate-application", "Руководит ШМО математиков.")
        .await?;
    school
        .fill(
            "#candidate-reference",
            "Инициативна, пользуется уважением коллег.",
        )
        .await?;
    school.fill("#candidate-phone", "+7 918 000-00-00").await?;
    school
        .client
        .find(Locator::Css("#candidate-files-input"))
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    school
        .wait_js(
            &format!("(document.querySelector(\"li.attachment[data-sha256='{sha}']\") || {{dataset: {{}}}}).dataset.here === 'waiting'"),
            Duration::from_secs(30),
        )
        .await?;
    school.click("#candidate-send").await?;
    school
        .wait_js(
            "document.getElementById('candidate-stage').innerText.includes('экспертизе')",
            Duration::from_secs(20),
        )
        .await?;
    // A reload with no server: the nomination and the file are still here.
    school.client.refresh().await?;
    // Sent, the nomination reads as text: the school no longer changes it.
    school
        .wait_js(
            "(document.getElementById('candidate-name') || {innerText: ''}).innerText === 'Соколова Анна Петровна' \
             && document.getElementById('candidate-name').tagName === 'P'",
            Duration::from_secs(20),
        )
        .await?;
    school
        .wait_js(
            &format!("!!document.querySelector(\"li.attachment[data-sha256='{sha}']\")"),
            Duration::from_secs(20),
        )
        .await?;

    // The server is back: the nomination and then the file go.
    server.resume().await?;
    school.wait_net("online", Duration::from_secs(60)).await?;
    school.sync_all(Duration::from_secs(120)).await?;
    school
        .wait_js(
            &format!("(document.querySelector(\"li.attachment[data-sha256='{sha}']\") || {{dataset: {{}}}}).dataset.here === 'sent'"),
            Duration::from_secs(120),
        )
        .await?;

    // At the centre: the nomination as sent, stamped by the server, and the portfolio intact.
    let record = head.record(id.parse()?).await?;
    assert_eq!(record.text("stage"), "nominated");
    assert_eq!(record.text("full_name"), "Соколова Анна Петровна");
    assert_eq!(record.get("experience"), Some(&serde_json::json!(12)));
    assert!(
        record
            .text("nominated_by")
            .contains("Тестовый пользователь rezerv")
    );
    let attachment = school
        .eval(&format!(
            "document.querySelector(\"li.attachment[data-sha256='{sha}']\").dataset.id"
        ))
        .await?;
    let file = reqwest::Client::new()
        .get(server.url(&format!(
            "/api/records/{}/file",
            attachment.as_str().unwrap_or_default()
        )))
        .bearer_auth(head.token())
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    assert!(
        file.as_ref() == bytes.as_slice(),
        "the portfolio arrived changed"
    );

    // The head sees the nominee and the registry page.
    let centre = Browser::start().await?;
    centre
        .sign_in_synced(&server.url(""), &head.profile.login, "#home-centre")
        .await?;
    centre
        .client
        .goto(&server.url(&format!("/reserve/{id}")))
        .await?;
    centre.wait_for("#candidate-admit").await?;
    // Every step the centre may take from here is offered, and only those: the nomination
    // goes back to the school for more work.
    let offered = centre
        .eval(
            "Array.from(document.querySelectorAll('#candidate-moves button')).map(b => b.id).join(' ')",
        )
        .await?;
    assert_eq!(
        offered.as_str(),
        Some("candidate-admit candidate-decline candidate-return candidate-delete")
    );
    // Sent back without a word is refused beside the buttons; with what to improve, taken.
    centre.click("#candidate-return").await?;
    centre
        .wait_js(
            "(document.getElementById('candidate-move-said') || {innerText: ''}).innerText.includes('что доработать')",
            Duration::from_secs(10),
        )
        .await?;
    centre
        .fill(
            "#candidate-centre-note",
            "Приложите характеристику за подписью директора.",
        )
        .await?;
    centre.click("#candidate-return").await?;
    centre
        .wait_js(
            "document.getElementById('candidate-stage').innerText.includes('готовится') \
             && !!document.getElementById('candidate-accept')",
            Duration::from_secs(10),
        )
        .await?;
    centre.sync_all(Duration::from_secs(60)).await?;
    assert_eq!(head.record(id.parse()?).await?.text("stage"), "draft");
    // The school may write and send it again.
    school.sync_all(Duration::from_secs(60)).await?;
    school
        .wait_js(
            "!!document.getElementById('candidate-send') && document.getElementById('candidate-name').tagName === 'INPUT'",
            Duration::from_secs(30),
        )
        .await?;
    assert!(
        school
            .text("#candidate-centre-said")
            .await?
            .contains("характеристику за подписью"),
        "the school reads what to improve"
    );
    centre.client.goto(&server.url("/reserve/registry")).await?;
    centre.wait_for("#registry-xlsx").await?;

    school.close().await?;
    centre.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_draft_nomination_deleted_leaves_the_list() -> anyhow::Result<()> {
    let server = Server::start().await?;
    server.own_school("rezerv2").await?;
    let school = Browser::start().await?;
    school
        .sign_in_synced(&server.url(""), "rezerv2", "#home-school")
        .await?;
    school.client.goto(&server.url("/reserve")).await?;
    school.wait_for("#reserve-nominate").await?;
    school.click("#reserve-nominate").await?;
    school.wait_for("#candidate-name").await?;
    school.fill("#candidate-name", "Черновая Заявка").await?;
    // Saved: the page's heading reads the record.
    school
        .wait_js(
            "(document.querySelector('main h1') || {innerText: ''}).innerText.includes('Черновая Заявка')",
            Duration::from_secs(20),
        )
        .await?;
    school.click("#candidate-delete").await?;
    school.client.accept_alert().await?;
    // Written, then the list: the draft is no longer in it.
    school
        .wait_js("location.pathname === '/reserve'", Duration::from_secs(20))
        .await?;
    school.wait_for("#reserve-nominate").await?;
    let page = school.text("main").await?;
    assert!(!page.contains("Черновая Заявка"), "{page}");
    school.close().await?;
    Ok(())
}

/// An edit the server refuses is shown to the person in words — what was refused and why, the
/// record, what they typed under the field's label — and the field goes back to what the
/// server keeps; the person hides it once read.
#[tokio::test]
async fn an_edit_the_server_refuses_is_shown_in_words() -> anyhow::Result<()> {
    use model::reserve as r;
    let server = Server::start().await?;
    let (_, school) = server.own_school("otkaz").await?;
    let team = Api::login(&server.url(""), "otkaz").await?;
    let id = uuid::Uuid::now_v7();
    let scope = model::record::Scope::School(school.id);
    team.write(
        id,
        r::CANDIDATE_KIND,
        scope.clone(),
        serde_json::json!({
            r::F_NAME: "Соколова Анна Петровна",
            r::F_POSITION: "учитель математики",
            r::F_EXPERIENCE: 12,
            r::F_MANAGEMENT_YEARS: 3,
            r::F_BIRTH_YEAR: 1988,
            r::F_APPLICATION: "Руководит ШМО математиков.",
            r::F_REFERENCE: "Инициативна, пользуется уважением коллег.",
            r::F_RELOCATION: "municipality",
            r::F_PHONE: "+7 918 000-00-00",
            r::F_STAGE: "draft",
        }),
    )
    .await?;

    let desk = Browser::start().await?;
    desk.sign_in_synced(&server.url(""), "otkaz", "#home-school")
        .await?;
    // Within the app (a page loaded anew would sync at its start).
    desk.click("a[href='/reserve']").await?;
    desk.wait_for(&format!("a[href='/reserve/{id}']")).await?;
    desk.click(&format!("a[href='/reserve/{id}']")).await?;
    desk.wait_value(
        "#candidate-position",
        "учитель математики",
        Duration::from_secs(20),
    )
    .await?;
    // The first sync is over, and the next comes with the edit below.
    // Meanwhile another computer of the school sends the nomination to the centre; this one
    // learns it at its next sync, which also carries its edit of the draft.
    team.write(
        id,
        r::CANDIDATE_KIND,
        scope,
        serde_json::json!({ r::F_STAGE: "nominated" }),
    )
    .await?;
    desk.fill("#candidate-position", "учитель физики").await?;
    desk.wait_js(
        "!!document.querySelector('#sync-refused')",
        Duration::from_secs(30),
    )
    .await?;
    // The record is the centre's now: the field the person was typing in became text, and the
    // app goes on (it once stopped here with «Внутренняя ошибка»).
    desk.wait_js(
        "!!document.querySelector('p#candidate-position')",
        Duration::from_secs(20),
    )
    .await?;
    assert_eq!(
        desk.text("#candidate-position").await?,
        "учитель математики"
    );
    let crashed = desk
        .eval("!!document.querySelector('.crash-banner')")
        .await?;
    assert_eq!(
        crashed,
        serde_json::json!(false),
        "{:?}",
        desk.console().await
    );
    desk.click("#sync-refused").await?;
    desk.wait_for(".refused-item").await?;
    let item = desk.text(".refused-item").await?;
    assert!(item.contains("Заявка уже направлена"), "{item}");
    assert!(
        item.contains("Кандидат в кадровый резерв, изменение от"),
        "{item}"
    );
    assert!(item.contains("Должность: учитель физики"), "{item}");
    assert!(
        !item.contains(r::F_POSITION),
        "a field's name instead of its label: {item}"
    );
    // The record keeps what the server has.
    assert_eq!(
        team.record(id).await?.text(r::F_POSITION),
        "учитель математики"
    );
    desk.click(".refused-item button").await?;
    desk.wait_js(
        "!document.querySelector('.refused-item') && !document.querySelector('#sync-refused')",
        Duration::from_secs(20),
    )
    .await?;
    desk.close().await?;
    Ok(())
}
