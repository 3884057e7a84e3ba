//! The demo municipality shows the product working: its sign-in page says the data are made
//! up, and each demo person's first screen lists real items, not an empty-state message —
//! among them work returned for revision and overdue. (This test is about the demo itself;
//! every other test makes its own data.)

use std::time::Duration;

use e2e::{Browser, Server};

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn each_demo_role_opens_to_real_items() -> anyhow::Result<()> {
    let server = Server::start_demo().await?;
    let base = server.url("");
    let b = Browser::start().await?;
    b.client.goto(&format!("{base}/login")).await?;
    b.wait_for("#demo-notice").await?;
    assert!(b.text("#demo-notice").await?.contains("вымышлены"));
    b.close().await?;
    for (login, home, items) in [
        ("shkola", "#home-school", "#tasks .task"),
        ("shkola2", "#home-school", "#tasks .task"),
        (
            "moderator",
            "#home-moderator",
            "#school-accounts .school-accounts-row",
        ),
        ("pedagog", "#home-teacher", "#tasks .task"),
        ("nastavnik", "#home-mentor", ".school-card"),
        ("kurator", "#home-mentor", ".school-card"),
        ("rukovoditel", "#home-centre", "#centre-today li"),
    ] {
        let b = Browser::start().await?;
        b.sign_in_synced(&base, login, home).await?;
        b.wait_js(&format!("!!document.querySelector({items:?})"), LONG)
            .await
            .map_err(|e| anyhow::anyhow!("{login}: {e}"))?;
        // The screen's own lists are not empty (a school card may still say it has no
        // visits yet: that is a fact about the school).
        let text = b.text(home).await?;
        for empty in [
            "Заданий пока нет",
            "Формы ещё не направлялись",
            "Нет отправленных форм",
        ] {
            assert!(!text.contains(empty), "{login} sees «{empty}»");
        }
        // The demo school's work in other states: a form returned with comments, a task overdue.
        if login == "shkola" {
            b.wait_js(
                "document.querySelector('#tasks').innerText.includes('возвращено на доработку')",
                LONG,
            )
            .await?;
            b.wait_for("#tasks .task.overdue").await?;
        }
        b.close().await?;
    }
    Ok(())
}
