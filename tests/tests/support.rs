//! School support end to end in real Chromium with two browser profiles (002 §4.3–§4.4): the
//! school drafts its anti-risk programme offline on one computer while its mentor comments on
//! another, both sync and nothing is lost; a consultation request goes from the school to the
//! mentor and back as held, with recommendations the school acknowledges and adds to its
//! programme in one step; the mentor records a visit; the print views and the centre's overview
//! open.

use std::time::Duration;

use e2e::{Api, Browser, Server};
use model::forms::recommendation as rec;
use model::support::consultation as c;
use model::support::programme as p;
use uuid::Uuid;

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_programme_drafted_offline_by_the_school_and_commented_by_the_mentor_loses_nothing()
-> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("programma").await?;
    let school = Api::login(&base, &town.team).await?;
    let sid = school.profile.school_id.unwrap();
    // Next year's programme.
    let year = i64::from(chrono_year()) + 1;
    let pid = p::programme_id(sid, year);
    let section = p::section_id(pid, "parents");
    let n = section.simple().to_string();
    let page = format!("{base}/programme/{sid}?year={year}");

    let s = Browser::start().await?;
    s.sign_in_synced(&base, &town.team, "#home-school").await?;
    s.wait_js(
        "!!navigator.serviceWorker.controller",
        Duration::from_secs(30),
    )
    .await?;
    s.client.goto(&page).await?;
    s.wait_for("#programme-start").await?;
    s.click("#programme-start").await?;
    s.wait_for("#programme-title").await?;
    s.choose("#section-factor", "parents").await?;
    s.click("#section-add").await?;
    s.wait_for(&format!("#goal-{n}")).await?;
    s.sync_all(LONG).await?;

    let m = Browser::start().await?;
    m.sign_in_synced(&base, &town.mentor, "#home-mentor")
        .await?;
    m.wait_js(
        "!!navigator.serviceWorker.controller",
        Duration::from_secs(30),
    )
    .await?;
    m.client.goto(&page).await?;
    m.wait_for(&format!("#comment-{n}")).await?;

    // The link goes; both keep working on their own computers.
    server.kill();
    s.fill(&format!("#goal-{n}"), "Вовлечь родителей в жизнь школы")
        .await?;
    s.click(&format!("#measure-add-{n}")).await?;
    s.wait_for(".measure textarea[id^=content-]").await?;
    s.fill(
        ".measure textarea[id^=content-]",
        "Родительский клуб раз в месяц",
    )
    .await?;
    s.fill("#programme-title", "Программа «Школа для всех»")
        .await?;
    m.fill(
        &format!("#comment-{n}"),
        "Добавьте показатель посещаемости собраний",
    )
    .await?;
    m.fill("#programme-comment", "Программа согласована с наставником")
        .await?;
    for b in [&s, &m] {
        b.wait_js(
            "Number((document.getElementById('sync-pending') || {dataset: {pending: '0'}}).dataset.pending) > 0",
            LONG,
        )
        .await?;
    }

    server.resume().await?;
    s.sync_all(LONG).await?;
    m.sync_all(LONG).await?;
    let head = &town.head;
    let stored = head.record(section).await?;
    assert_eq!(stored.text(p::F_GOAL), "Вовлечь родителей в жизнь школы");
    assert_eq!(
        stored.text(p::F_COMMENT),
        "Добавьте показатель посещаемости собраний"
    );
    let programme = head.record(pid).await?;
    assert_eq!(programme.text(p::F_TITLE), "Программа «Школа для всех»");
    assert_eq!(
        programme.text(p::F_COMMENT),
        "Программа согласована с наставником"
    );

    // Each computer shows the other's work.
    s.client.goto(&page).await?;
    s.wait_js(
        &format!("(document.getElementById('comment-{n}') || {{innerText: ''}}).innerText.includes('посещаемости собраний')"),
        LONG,
    )
    .await?;
    m.client.goto(&page).await?;
    m.wait_value(
        &format!("#goal-{n}"),
        "Вовлечь родителей в жизнь школы",
        LONG,
    )
    .await?;
    m.wait_js(
        "[...document.querySelectorAll('.measure textarea')].some(t => t.value === 'Родительский клуб раз в месяц')",
        LONG,
    )
    .await?;
    // The print view holds the same, offline too.
    server.kill();
    m.client
        .goto(&format!("{base}/programme/{sid}/print?year={year}"))
        .await?;
    m.wait_js(
        "(document.getElementById('programme-print-view') || {innerText: ''}).innerText.includes('Родительский клуб раз в месяц')",
        LONG,
    )
    .await?;
    s.close().await?;
    m.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_consultation_held_with_recommendations_that_the_school_adds_to_its_programme()
-> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let town = server.own_town("konsultaciya").await?;
    let school = Api::login(&base, &town.team).await?;
    let sid = school.profile.school_id.unwrap();
    let topic = format!("Положение о ВСОКО {}", Uuid::now_v7().simple());

    // The school asks its mentor.
    let s = Browser::start().await?;
    s.sign_in_synced(&base, &town.team, "#home-school").await?;
    s.click("#link-consultations").await?;
    s.wait_for("#c-topic").await?;
    s.fill("#c-topic", &topic).await?;
    s.fill("#c-question", "Как связать ВСОКО с анализом ВПР?")
        .await?;
    s.click("#c-send").await?;
    s.wait_js(
        &format!("document.getElementById('consultations').innerText.includes({topic:?})"),
        LONG,
    )
    .await?;
    s.sync_all(LONG).await?;
    // Not taken yet: the school corrects its question.
    let own = s
        .eval(&format!(
            "[...document.querySelectorAll('.consultation-list a')].find(a => a.innerText === {topic:?}).getAttribute('href')"
        ))
        .await?;
    s.client
        .goto(&format!("{base}{}", own.as_str().unwrap_or_default()))
        .await?;
    s.wait_for("#c-edit-question").await?;
    s.fill(
        "#c-edit-question",
        "Как связать ВСОКО с анализом ВПР и ОГЭ?",
    )
    .await?;
    s.wait_all_sent(LONG).await?;

    // The mentor sees it among open requests, agrees a date, holds it, writes recommendations.
    let m = Browser::start().await?;
    m.sign_in_synced(&base, &town.mentor, "#home-mentor")
        .await?;
    m.wait_js(
        &format!("document.getElementById('open-requests-title').parentElement.innerText.includes({topic:?})"),
        LONG,
    )
    .await?;
    m.client.goto(&format!("{base}/consultations")).await?;
    m.wait_for(".consultation-list li.open a").await?;
    let link = m
        .eval(&format!(
            "[...document.querySelectorAll('.consultation-list a')].find(a => a.innerText === {topic:?}).getAttribute('href')"
        ))
        .await?;
    m.client
        .goto(&format!("{base}{}", link.as_str().unwrap()))
        .await?;
    m.wait_for("#c-agree").await?;
    m.wait_js(
        "document.getElementById('consultation').innerText.includes('ВПР и ОГЭ')",
        LONG,
    )
    .await?;
    let named = m
        .eval("document.getElementById('consultation-school').innerText")
        .await?;
    assert_eq!(named.as_str(), Some(town.school.name.as_str()));
    m.click("#c-agree").await?;
    m.wait_js(
        "(document.getElementById('c-move-said') || {innerText: ''}).innerText.includes('дату')",
        LONG,
    )
    .await?;
    m.choose("#c-meeting-on", "2030-02-10").await?;
    m.fill("#c-place", "https://vcs.example/room/7").await?;
    m.click("#c-agree").await?;
    m.wait_js(
        "document.getElementById('consultation').dataset.state === 'agreed' \
         && !document.getElementById('c-move-said')",
        LONG,
    )
    .await?;
    // Agreed, it keeps its date: emptying it is said at once and not saved.
    m.choose("#c-meeting-on", "").await?;
    m.wait_js(
        "(document.getElementById('c-meeting-on-rule') || {innerText: ''}).innerText.includes('не может быть пустым')",
        LONG,
    )
    .await?;
    m.fill("#c-outcome", "Разобрали положение о ВСОКО и план ВШК.")
        .await?;
    m.fill(
        "#c-advice",
        "Включить в план ВШК посещение уроков по итогам ВПР.",
    )
    .await?;
    m.click("#c-held").await?;
    m.wait_js(
        "document.getElementById('consultation').dataset.state === 'held'",
        LONG,
    )
    .await?;
    m.click("#c-recommend").await?;
    m.wait_for("#rec-text").await?;
    m.wait_value(
        "#rec-text",
        "Включить в план ВШК посещение уроков по итогам ВПР.",
        LONG,
    )
    .await?;
    m.choose("#rec-factor", "competence").await?;
    m.click("#rec-send").await?;
    m.wait_for("#rec-sent").await?;
    m.sync_all(LONG).await?;
    let consultation = Uuid::parse_str(link.as_str().unwrap().rsplit('/').next().unwrap())?;

    // The school sees it held, closes it, acknowledges the recommendations into its programme.
    s.client
        .goto(&format!("{base}/consultations/{consultation}"))
        .await?;
    s.click("#sync-now").await.ok();
    s.wait_js(
        "(document.getElementById('consultation') || {dataset: {}}).dataset.state === 'held'",
        LONG,
    )
    .await?;
    assert!(
        s.text("#consultation")
            .await?
            .contains("посещение уроков по итогам ВПР")
    );
    s.click("#c-close").await?;
    s.wait_js(
        "document.getElementById('consultation').dataset.state === 'closed'",
        LONG,
    )
    .await?;
    s.client.goto(&format!("{base}/school")).await?;
    let article = "#recommendations article";
    s.wait_js(
        &format!("[...document.querySelectorAll({article:?})].some(a => a.innerText.includes('консультации') && a.querySelector('.rec-to-programme'))"),
        LONG,
    )
    .await?;
    s.eval(&format!(
        "[...document.querySelectorAll({article:?})].find(a => a.innerText.includes({topic:?})).querySelector('.rec-to-programme').click() || true"
    ))
    .await?;
    s.wait_js(
        &format!("[...document.querySelectorAll({article:?})].find(a => a.innerText.includes({topic:?})).innerText.includes('Включено в антирисковую программу')"),
        LONG,
    )
    .await?;
    s.sync_all(LONG).await?;

    let head = &town.head;
    let changes = head.all_changes().await?;
    let r = changes
        .iter()
        .rev()
        .find(|ch| ch.kind == rec::RECOMMENDATION_KIND && ch.fields.contains_key(rec::F_MEASURE))
        .expect("the acknowledged recommendation");
    let recommendation = head.record(r.record).await?;
    assert_eq!(
        recommendation.text(rec::F_ACK_BY),
        school.profile.full_name,
        "stamped with the name of the school's account"
    );
    assert_eq!(
        recommendation.text(rec::F_SOURCE_ID),
        consultation.to_string()
    );
    let measure = Uuid::parse_str(&recommendation.text(rec::F_MEASURE))?;
    let measure = head.record(measure).await?;
    assert_eq!(measure.text(p::F_SOURCE), r.record.to_string());
    assert!(
        measure
            .text(p::F_CONTENT)
            .contains("посещение уроков по итогам ВПР")
    );
    let closed = head.record(consultation).await?;
    assert_eq!(closed.text(c::F_STATE), "closed");
    let mentor = Api::login(&base, &town.mentor).await?;
    assert_eq!(closed.text(c::F_HANDLER), mentor.profile.full_name);

    // The programme shows the new measure under its risk factor.
    s.client.goto(&format!("{base}/programme/{sid}")).await?;
    s.wait_js(
        "[...document.querySelectorAll('.programme-section[data-factor=competence] .measure textarea')].some(t => t.value.includes('посещение уроков по итогам ВПР'))",
        LONG,
    )
    .await?;

    // The mentor records a visit to the school from the home page; the head sees the overview
    // and the consultation log.
    m.client.goto(&format!("{base}/mentor")).await?;
    m.wait_for(".visit-create").await?;
    m.click(".visit-create").await?;
    m.wait_for("#visit-findings").await?;
    m.fill(
        "#visit-findings",
        "Посещены уроки математики в 5–7 классах.",
    )
    .await?;
    m.wait_for("#visit-teacher").await?;
    // Leaving a page while its reads run (the home before this one) breaks nothing.
    let console = m.console().await;
    assert!(
        !console.iter().any(|l| l.contains("panicked")),
        "{console:?}"
    );
    m.sync_all(LONG).await?;
    let h = Browser::start().await?;
    h.sign_in_synced(&base, &town.head.profile.login, "#home-centre")
        .await?;
    h.click("#link-programmes").await?;
    h.wait_js(
        &format!("!!document.querySelector('#programmes-table tr[data-school=\"{sid}\"]')"),
        LONG,
    )
    .await?;
    h.client
        .goto(&format!("{base}/consultations/print"))
        .await?;
    h.wait_js(
        &format!(
            "document.getElementById('consultations-print-view').innerText.includes({topic:?})"
        ),
        LONG,
    )
    .await?;
    s.close().await?;
    m.close().await?;
    h.close().await?;
    Ok(())
}

/// This year, as the browser and the server see it.
fn chrono_year() -> i32 {
    let today = model::forms::answer::iso_day(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64,
    );
    today[..4].parse().unwrap()
}

/// A visit is changed only by the mentor who recorded it (or the head): another mentor of the
/// school reads it and may write recommendations from it, but finds no field to type in.
#[tokio::test]
async fn another_mentor_reads_a_visit_its_author_changes() -> anyhow::Result<()> {
    use model::support::visit as v;
    let server = Server::start().await?;
    let town = server.own_town("poseshenie").await?;
    let second = town
        .head
        .create_user("poseshenie.mentor2", model::Role::Mentor, None)
        .await?;
    town.head.assign(second.id, town.school.id).await?;
    let author = Api::login(&server.url(""), &town.mentor).await?;
    let id = Uuid::now_v7();
    author
        .write(
            id,
            v::KIND,
            model::record::Scope::School(town.school.id),
            serde_json::json!({
                v::F_TYPE: "interview",
                v::F_DATE: "2026-11-20",
                v::F_FINDINGS: "План методической работы требует обновления.",
            }),
        )
        .await?;

    for (login, may) in [("poseshenie.mentor2", false), (town.mentor.as_str(), true)] {
        let b = Browser::start().await?;
        b.sign_in_synced(&server.url(""), login, "#home-mentor")
            .await?;
        b.client.goto(&server.url(&format!("/visits/{id}"))).await?;
        b.wait_for("#visit-findings").await?;
        let tag = b
            .eval("document.getElementById('visit-findings').tagName")
            .await?;
        assert_eq!(tag == "TEXTAREA", may, "{login}: {tag}");
        let (recommend, delete) = (
            b.eval("!!document.getElementById('visit-recommend')")
                .await?,
            b.eval("!!document.getElementById('visit-delete')").await?,
        );
        assert_eq!(
            (recommend.as_bool(), delete.as_bool()),
            (Some(true), Some(may))
        );
        b.close().await?;
    }
    Ok(())
}
