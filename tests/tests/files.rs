//! Files attached on one computer reach another intact: the moderator publishes a material with
//! a file over a 2G link that keeps cutting connections (the upload resumes where the server
//! stopped and the bytes arrive once, whole), and a school computer that kept the file opens it
//! with no network.

use std::time::Duration;

use e2e::proxy::Proxy;
use e2e::{Api, Browser, Server, scanned_document, sha256_hex};
use fantoccini::Locator;

#[tokio::test]
async fn a_file_crosses_a_cut_link_whole_and_opens_offline_elsewhere() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let proxy = Proxy::start(server.port).await?;
    let (head, _) = server.own_school("fail").await?;
    server.add_user("fail.moderator", model::Role::Moderator, None)?;
    let dir = tempfile::tempdir()?;
    let bytes = scanned_document(24 * 1024);
    let sha = sha256_hex(&bytes);
    let path = dir.path().join("Положение о наставничестве.pdf");
    std::fs::write(&path, &bytes)?;

    // The moderator writes a material and attaches the file: kept on the computer at once.
    let desk = Browser::start().await?;
    desk.sign_in_synced(&proxy.url(""), "fail.moderator", "#home-moderator")
        .await?;
    desk.client.goto(&proxy.url("/practices")).await?;
    desk.wait_for("#practice-new-title").await?;
    desk.fill(
        "#practice-new-title",
        "Положение о наставничестве: пример школы",
    )
    .await?;
    desk.click("#practice-create").await?;
    desk.wait_for("#material").await?;
    let material = desk
        .eval("location.pathname.split('/').pop()")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    desk.wait_for("#material-files-input").await?;
    proxy.set_bad(true);
    desk.client
        .find(Locator::Css("#material-files-input"))
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    desk.wait_js(
        &format!("!!document.querySelector(\"li.attachment[data-sha256='{sha}']\")"),
        Duration::from_secs(30),
    )
    .await?;
    desk.click("#material-publish").await?;

    // Over the bad link the file goes piece by piece: the server holds more and more of the
    // moderator's upload while connections keep being cut. Then the link gets better and the
    // upload goes on from there.
    let http = reqwest::Client::new();
    let moderator = Api::login(&server.url(""), "fail.moderator").await?;
    let received = || async {
        let p: serde_json::Value = http
            .get(server.url(&format!("/api/files/{sha}")))
            .bearer_auth(moderator.token())
            .send()
            .await?
            .json()
            .await?;
        anyhow::Ok(p["received"].as_u64().unwrap_or(0))
    };
    let cuts_before = proxy.cuts.load(std::sync::atomic::Ordering::SeqCst);
    // A 2G link that cuts every few kilobytes lets a piece through now and then: the first
    // one is enough to show the upload going on from it. The moderator presses «Синхронизировать»
    // now and then, as people on such a link do, rather than wait out the pause after failures.
    let started = std::time::Instant::now();
    let mut partial = 0;
    let mut polls = 0;
    while partial == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "no piece got through the bad link in 10 minutes"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        polls += 1;
        if polls % 5 == 0 {
            desk.click("#sync-now").await.ok();
        }
        partial = received().await?;
    }
    eprintln!(
        "first piece through the bad link after {:.0} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        partial < bytes.len() as u64,
        "the whole file went in one piece"
    );
    proxy.set_bad(false);
    desk.click("#sync-now").await.ok();
    desk.wait_js(
        &format!(
            "(document.querySelector(\"li.attachment[data-sha256='{sha}']\") || {{dataset: {{}}}}).dataset.here === 'sent'"
        ),
        Duration::from_secs(240),
    )
    .await?;
    let cuts = proxy.cuts.load(std::sync::atomic::Ordering::SeqCst) - cuts_before;
    assert!(
        cuts > 0,
        "the link never cut a connection during the upload"
    );
    desk.wait_all_sent(Duration::from_secs(120)).await?;

    // On the server: the file's bytes, whole and once (pieces are only ever appended where the
    // server stopped), and the same bytes to anyone who reads the material.
    assert_eq!(received().await?, bytes.len() as u64);
    let file = http
        .get(server.url(&format!(
            "/api/records/{}/file",
            desk.eval(&format!(
                "document.querySelector(\"li.attachment[data-sha256='{sha}']\").dataset.id"
            ))
            .await?
            .as_str()
            .unwrap_or_default()
        )))
        .bearer_auth(head.token())
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    assert_eq!(file.as_ref(), bytes.as_slice());
    let record = head.record(material.parse()?).await?;
    assert_eq!(record.text("state"), "published");

    // A school computer keeps the material's files for work with no network.
    let school = Browser::start().await?;
    school
        .sign_in_synced(&proxy.url(""), "fail", "#home-school")
        .await?;
    school
        .wait_js(
            "!!navigator.serviceWorker.controller",
            Duration::from_secs(30),
        )
        .await?;
    school.client.goto(&proxy.url("/practices")).await?;
    school.wait_for("#practices").await?;
    school
        .wait_js(
            &format!("!!document.querySelector(\"a[href='/practices/{material}']\")"),
            Duration::from_secs(60),
        )
        .await?;
    school
        .click(&format!("a[href='/practices/{material}']"))
        .await?;
    school.wait_for("#material-files-keep").await?;
    // The school's link never carries more than 8 KB in one go: the file (24 KB) comes in
    // parts, each going on where the last one ended.
    let cuts_before = proxy.cuts.load(std::sync::atomic::Ordering::SeqCst);
    proxy.cut_answers_after(8 * 1024);
    school.click("#material-files-keep").await?;
    school
        .wait_js(
            &format!(
                "(document.querySelector(\"li.attachment[data-sha256='{sha}']\") || {{dataset: {{}}}}).dataset.here === 'sent'"
            ),
            Duration::from_secs(120),
        )
        .await?;
    proxy.cut_answers_after(0);
    assert!(
        proxy.cuts.load(std::sync::atomic::Ordering::SeqCst) > cuts_before,
        "no answer was cut while the file came"
    );
    // The bytes in the school computer's database are the file's.
    let user = Api::login(&server.url(""), "fail").await?.profile.id;
    let script = r#"
        const done = arguments[arguments.length - 1];
        const req = indexedDB.open(arguments[0]);
        req.onerror = () => done(null);
        req.onsuccess = () => {
            const db = req.result;
            const get = db.transaction('files').objectStore('files').get(arguments[1]);
            get.onerror = () => { db.close(); done(null); };
            get.onsuccess = async () => {
                db.close();
                if (!get.result) return done(null);
                const digest = await crypto.subtle.digest('SHA-256', await get.result.blob.arrayBuffer());
                done(Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join(''));
            };
        };
    "#;
    let kept = school
        .client
        .execute_async(
            script,
            vec![
                serde_json::json!(format!("nastavnik-{user}")),
                serde_json::json!(sha),
            ],
        )
        .await?;
    assert_eq!(kept.as_str(), Some(sha.as_str()));

    // No server: the material and its file still open.
    server.kill();
    school.client.refresh().await?;
    school.wait_for("#material").await?;
    school
        .wait_js(
            &format!(
                "(document.querySelector(\"li.attachment[data-sha256='{sha}']\") || {{dataset: {{}}}}).dataset.here === 'sent'"
            ),
            Duration::from_secs(30),
        )
        .await?;
    school.click("li.attachment .attachment-open").await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(school.text("#material .alert-error").await?, "");

    desk.close().await?;
    school.close().await?;
    Ok(())
}

/// A file the server already has (someone else sent it) is not sent again: the computer shows
/// the server it has the same file, and whoever reads its attachment then gets the file.
#[tokio::test]
async fn a_file_the_server_has_is_shown_not_sent_again() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (head, _) = server.own_school("same").await?;
    server.add_user("same.moderator", model::Role::Moderator, None)?;
    let dir = tempfile::tempdir()?;
    let bytes = scanned_document(12 * 1024);
    let sha = sha256_hex(&bytes);
    let path = dir.path().join("Положение о наставничестве.pdf");
    std::fs::write(&path, &bytes)?;
    let http = reqwest::Client::new();
    let progress = |token: String| {
        let http = http.clone();
        let url = server.url(&format!("/api/files/{sha}"));
        async move {
            let p: model::files::FileProgress = http
                .get(url)
                .bearer_auth(token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            anyhow::Ok(p)
        }
    };

    // The head sent the same file before.
    http.post(server.url(&format!(
        "/api/files/{sha}/chunks?start=0&size={}",
        bytes.len()
    )))
    .bearer_auth(head.token())
    .body(bytes.clone())
    .send()
    .await?
    .error_for_status()?;
    let moderator = Api::login(&server.url(""), "same.moderator").await?;
    let before = progress(moderator.token().to_owned()).await?;
    assert!(before.complete && !before.held, "{before:?}");

    // The moderator attaches it to a material on their computer.
    let desk = Browser::start().await?;
    desk.sign_in_synced(&server.url(""), "same.moderator", "#home-moderator")
        .await?;
    desk.client.goto(&server.url("/practices")).await?;
    desk.wait_for("#practice-new-title").await?;
    desk.fill("#practice-new-title", "Положение о наставничестве")
        .await?;
    desk.click("#practice-create").await?;
    desk.wait_for("#material-files-input").await?;
    desk.client
        .find(Locator::Css("#material-files-input"))
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    let attachment = format!("li.attachment[data-sha256='{sha}']");
    desk.wait_js(
        &format!("(document.querySelector(\"{attachment}\") || {{dataset: {{}}}}).dataset.here === 'sent'"),
        Duration::from_secs(60),
    )
    .await?;
    desk.wait_all_sent(Duration::from_secs(60)).await?;

    // The computer showed it has the file, so the head reads it through the moderator's
    // attachment.
    assert!(progress(moderator.token().to_owned()).await?.held);
    let id = desk
        .eval(&format!(
            "document.querySelector(\"{attachment}\").dataset.id"
        ))
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let file = http
        .get(server.url(&format!("/api/records/{id}/file")))
        .bearer_auth(head.token())
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    assert_eq!(file.as_ref(), bytes.as_slice());
    assert_eq!(desk.text("#material .alert-error").await?, "");

    // The moderator takes the file off again: the one who attached it may (a device is not
    // told who owns a record, so this once offered it to the head alone).
    desk.click(&format!("{attachment} .attachment-delete"))
        .await?;
    desk.client.accept_alert().await?;
    desk.wait_js(
        &format!("!document.querySelector(\"{attachment}\")"),
        Duration::from_secs(20),
    )
    .await?;
    desk.wait_all_sent(Duration::from_secs(60)).await?;
    assert!(moderator.record(id.parse()?).await?.is_deleted());

    desk.close().await?;
    Ok(())
}
