//! A record deleted on one computer while another changed it is neither lost nor brought back
//! by itself: the app lists it with what was changed, and the person who may decide puts it
//! back or deletes it for good; one who may not is told who may.

use std::time::Duration;

use e2e::{Api, Browser, Server};
use model::reserve as r;
use serde_json::json;

/// Waits for the item of `id` in the list of records awaiting a decision, and returns its text.
async fn item(browser: &Browser, id: uuid::Uuid) -> anyhow::Result<String> {
    let css = format!("#undecided li[data-record='{id}']");
    browser
        .wait_js(
            &format!("!!document.querySelector({css:?})"),
            Duration::from_secs(60),
        )
        .await?;
    browser.text(&css).await
}

async fn gone(browser: &Browser, id: uuid::Uuid) -> anyhow::Result<()> {
    browser
        .wait_js(
            &format!("!document.querySelector(\"#undecided li[data-record='{id}']\")"),
            Duration::from_secs(60),
        )
        .await
}

/// Deletes a draft nominee the way the school's team does, from its page.
async fn delete_draft(
    school: &Browser,
    server: &Server,
    id: uuid::Uuid,
    name: &str,
) -> anyhow::Result<()> {
    school
        .client
        .goto(&server.url(&format!("/reserve/{id}")))
        .await?;
    school
        .wait_js(
            &format!(
                "(document.querySelector('main h1') || {{innerText: ''}}).innerText.includes({name:?})"
            ),
            Duration::from_secs(30),
        )
        .await?;
    school.click("#candidate-delete").await?;
    school.client.accept_alert().await?;
    school
        .wait_js("location.pathname === '/reserve'", Duration::from_secs(20))
        .await
}

#[tokio::test]
async fn a_record_deleted_while_changed_elsewhere_waits_for_a_person_to_decide()
-> anyhow::Result<()> {
    let server = Server::start().await?;
    let (head, school) = server.own_school("reshenie").await?;
    let team = Api::login(&server.url(""), "reshenie").await?;
    let scope = model::record::Scope::School(school.id);
    let (kept, sent) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    for (id, name) in [(kept, "Черновая Заявка"), (sent, "Вторая Заявка")]
    {
        team.write(
            id,
            r::CANDIDATE_KIND,
            scope.clone(),
            json!({
                r::F_NAME: name,
                r::F_POSITION: "учитель математики",
                r::F_EXPERIENCE: 12,
                r::F_APPLICATION: "Руководит ШМО математиков.",
                r::F_REFERENCE: "Инициативна, пользуется уважением коллег.",
                r::F_STAGE: "draft",
            }),
        )
        .await?;
    }

    // The school's computer withdraws both drafts.
    let desk = Browser::start().await?;
    desk.sign_in_synced(&server.url(""), "reshenie", "#home-school")
        .await?;
    delete_draft(&desk, &server, kept, "Черновая Заявка").await?;
    delete_draft(&desk, &server, sent, "Вторая Заявка").await?;
    desk.sync_all(Duration::from_secs(60)).await?;
    assert!(team.record(kept).await?.is_gone());

    // Another computer of the school, which had not heard of it, edits one and sends the
    // other to the centre.
    team.write(
        kept,
        r::CANDIDATE_KIND,
        scope.clone(),
        json!({ r::F_POSITION: "учитель физики" }),
    )
    .await?;
    team.write(
        sent,
        r::CANDIDATE_KIND,
        scope,
        json!({ r::F_STAGE: "nominated" }),
    )
    .await?;

    // The desk hears of it: both await a decision, shown with what was changed; the header
    // counts the one the school may decide.
    desk.click("#sync-now").await?;
    desk.wait_js(
        "(document.getElementById('sync-undecided') || {innerText: ''}).innerText === 'Ждут решения: 1'",
        Duration::from_secs(60),
    )
    .await?;
    desk.click("#sync-undecided").await?;
    let text = item(&desk, kept).await?;
    assert!(
        text.contains("Кандидат в кадровый резерв: «Черновая Заявка»")
            && text.contains("Должность: учитель физики"),
        "{text}"
    );
    // The nominee is the centre's now: the school is told why it cannot decide.
    let text = item(&desk, sent).await?;
    assert!(
        text.contains("Решить здесь вы не можете") && text.contains("изменить её может центр"),
        "{text}"
    );
    let buttons = desk
        .eval(&format!(
            "document.querySelectorAll(\"#undecided li[data-record='{sent}'] button\").length"
        ))
        .await?;
    assert_eq!(buttons, json!(0));

    // Put back: the draft is in the list again, with the other computer's edit, everywhere.
    desk.click(&format!(
        "#undecided li[data-record='{kept}'] .undecided-restore"
    ))
    .await?;
    gone(&desk, kept).await?;
    let said = desk.text(".undecided-done").await?;
    assert_eq!(said, "Запись «Черновая Заявка» возвращена.");
    desk.sync_all(Duration::from_secs(60)).await?;
    let back = team.record(kept).await?;
    assert!(!back.is_deleted(), "{back:?}");
    assert_eq!(back.text(r::F_POSITION), "учитель физики");
    assert!(
        desk.eval("!document.getElementById('sync-undecided')")
            .await?
            .as_bool()
            .unwrap_or_default(),
        "nothing left for the school to decide"
    );
    item(&desk, sent).await?;

    // The head decides the other: deleted for good, with the nomination.
    let centre = Browser::start().await?;
    centre
        .sign_in_synced(&server.url(""), &head.profile.login, "#home-centre")
        .await?;
    centre.wait_for("#sync-undecided").await?;
    centre.click("#sync-undecided").await?;
    let text = item(&centre, sent).await?;
    assert!(text.contains("Этап: заявка на экспертизе"), "{text}");
    centre
        .click(&format!(
            "#undecided li[data-record='{sent}'] .undecided-delete"
        ))
        .await?;
    centre.client.accept_alert().await?;
    gone(&centre, sent).await?;
    centre.sync_all(Duration::from_secs(60)).await?;
    assert!(head.record(sent).await?.is_gone());

    // The school's computer hears of the decision: nothing waits any more, and the draft
    // put back is in the reserve's list.
    desk.click("#sync-now").await?;
    gone(&desk, sent).await?;
    desk.click("a[href='/reserve']").await?;
    desk.wait_for(&format!("a[href='/reserve/{kept}']")).await?;
    let list = desk.text("main").await?;
    assert!(!list.contains("Вторая Заявка"), "{list}");
    desk.close().await?;
    centre.close().await?;
    Ok(())
}
