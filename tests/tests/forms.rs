//! Forms end to end in real Chromium: the whole self-analysis card filled with the server away,
//! submitted, and found on the server with every answer; the leader test up to its per-area
//! results; and no answer key anywhere in the app bundle.

use std::time::Duration;

use e2e::{Api, Browser, DEMO_PASSWORD, Server, builtin_template};
use model::forms::template::{Cell, Kind, Question};
use model::forms::{self, Answers};
use serde_json::{Value, json};
use uuid::Uuid;

const LONG: Duration = Duration::from_secs(60);

/// Sets an input the browser draws itself (date, select) and tells the app, as a pick does.
async fn pick(b: &Browser, id: &str, value: &str) -> anyhow::Result<()> {
    b.eval(&format!(
        "(() => {{ const e = document.getElementById({id:?}); e.value = {value:?}; \
         e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"
    ))
    .await?;
    Ok(())
}

async fn shown(b: &Browser, id: &str) -> anyhow::Result<bool> {
    Ok(b.eval(&format!("!!document.getElementById({id:?})"))
        .await?
        == Value::Bool(true))
}

/// Answers one question through the page the way a person would; returns the stored value
/// expected, or None when it takes no answer.
async fn answer(b: &Browser, q: &Question, dom: &str) -> anyhow::Result<Option<Value>> {
    Ok(Some(match &q.kind {
        Kind::Single { options } => {
            b.click(&format!("#{dom}-0")).await?;
            json!(options[0].id)
        }
        Kind::Multiple { options, .. } => {
            b.click(&format!("#{dom}-0")).await?;
            json!([options[0].id])
        }
        Kind::Scale { max, .. } => {
            // The last point of the scale.
            let n = b
                .eval(&format!("document.querySelectorAll('#{dom} input').length"))
                .await?
                .as_u64()
                .unwrap_or(1);
            b.click(&format!("#{dom}-{}", n - 1)).await?;
            json!(max)
        }
        Kind::YesNo => {
            b.click(&format!("#{dom}-0")).await?;
            json!(true)
        }
        Kind::Number(rule) => {
            let n = rule.min.unwrap_or(0.0).max(0.0).ceil() as i64 + 1;
            let n = rule.max.map_or(n, |m| n.min(m as i64));
            b.fill(&format!("#{dom}"), &n.to_string()).await?;
            json!(n)
        }
        Kind::Percent => {
            b.fill(&format!("#{dom}"), "12,5").await?;
            json!(12.5)
        }
        Kind::Text { .. } => {
            b.fill(&format!("#{dom}"), "Ответ школы").await?;
            json!("Ответ школы")
        }
        Kind::LongText { .. } => {
            b.fill(&format!("#{dom}"), "Подробный ответ школы.").await?;
            json!("Подробный ответ школы.")
        }
        Kind::Date => {
            // Typed as people type a date in Russia.
            b.fill(&format!("#{dom}"), "14.03.2025").await?;
            json!("2025-03-14")
        }
        Kind::Table { rows, columns } => {
            let mut table = serde_json::Map::new();
            for r in rows {
                let mut row = serde_json::Map::new();
                for c in columns {
                    let id = format!("{dom}-{}-{}", r.id, c.id);
                    let v = match &c.cell {
                        Cell::Number(rule) => {
                            let n = rule.min.unwrap_or(0.0).max(0.0).ceil() as i64 + 2;
                            let n = rule.max.map_or(n, |m| n.min(m as i64));
                            b.fill(&format!("#{id}"), &n.to_string()).await?;
                            json!(n)
                        }
                        Cell::Percent => {
                            b.fill(&format!("#{id}"), "7").await?;
                            json!(7)
                        }
                        Cell::Text { .. } => {
                            b.fill(&format!("#{id}"), "т").await?;
                            json!("т")
                        }
                        Cell::Single { options } => {
                            pick(b, &id, &options[0].id).await?;
                            json!(options[0].id)
                        }
                        Cell::YesNo => {
                            pick(b, &id, "true").await?;
                            json!(true)
                        }
                    };
                    row.insert(c.id.clone(), v);
                }
                table.insert(r.id.clone(), Value::Object(row));
            }
            Value::Object(table)
        }
        Kind::Group { questions, .. } => {
            b.click(&format!("#{dom} .add-item")).await?;
            b.wait_js(
                &format!("!!document.querySelector('#{dom} .group-item')"),
                Duration::from_secs(10),
            )
            .await?;
            // A row's inputs are named by its item, not its place.
            let row = b
                .eval(&format!(
                    "document.querySelector('#{dom} .group-item').dataset.item"
                ))
                .await?;
            let row = row.as_str().unwrap_or_default().to_owned();
            let mut item = Answers::new();
            for iq in questions {
                let id = format!("{dom}-{row}-{}", iq.id);
                if !forms::answer::visible_in_item(iq, &Answers::new(), &item) {
                    continue;
                }
                b.wait_js(
                    &format!("!!document.getElementById({id:?})"),
                    Duration::from_secs(10),
                )
                .await?;
                if let Some(v) = Box::pin(answer(b, iq, &id)).await? {
                    item.insert(iq.id.clone(), v);
                }
            }
            json!([item])
        }
        Kind::Computed(_) => return Ok(None),
    }))
}

#[tokio::test]
async fn the_whole_self_analysis_card_filled_offline_reaches_the_server() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let (t, _) = builtin_template("self_analysis");
    let town = server.own_town("kartochka").await?;
    let school = Api::login(&base, &town.team).await?;
    let cid = town
        .head
        .send_campaign(&t, school.profile.school_id.unwrap(), "2027-01-31")
        .await?;
    // The card as a campaign due by 31.01.2027 asks it: the three school years before 2026/27.
    let t = t.for_school_year(2026);
    let b = Browser::start().await?;
    b.open_task(&base, &town.team, cid).await?;
    b.wait_net("online", LONG).await?;
    let header = b.text("#q-vpr_fail").await?;
    assert!(
        header.contains("2023/24") && header.contains("2025/26") && !header.contains("2022/23"),
        "{header}"
    );

    server.kill();
    // Every input has a name a screen reader reads; every group of choices its question.
    let unnamed = b
        .eval(
            "[...document.querySelectorAll('#form input, #form textarea, #form select')]\
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))\
             .map(e => e.id)",
        )
        .await?;
    assert_eq!(unnamed, json!([]), "inputs without a label");
    let unlabelled = b
        .eval(
            "[...document.querySelectorAll('#form [role=radiogroup], #form [role=group]')]\
             .filter(g => !document.getElementById(g.getAttribute('aria-labelledby') || '-'))\
             .map(g => g.id)",
        )
        .await?;
    assert_eq!(unlabelled, json!([]), "groups without a label");
    // Sending an empty card lists what is missing and moves to the first question.
    b.click("#form-submit").await?;
    b.wait_for("#form-problems[role=alert]").await?;
    let first = t.questions().find(|q| q.required).unwrap();
    let focused = b.eval("document.activeElement && document.activeElement.closest('.question') && document.activeElement.closest('.question').dataset.q").await?;
    assert_eq!(
        focused,
        json!(first.id),
        "focus goes to the first missing answer"
    );
    let mut expected = Answers::new();
    for q in t.questions() {
        let dom = format!("q-{}-input", q.id);
        // Questions shown only for some answers appear as the answers are given, exactly
        // when the rules of the template say.
        let block = format!("q-{}", q.id);
        if !forms::visible(&t, q, &expected) {
            assert!(
                !shown(&b, &block).await?,
                "{block} is shown against its show-if"
            );
            continue;
        }
        b.wait_js(
            &format!("!!document.getElementById({block:?})"),
            Duration::from_secs(10),
        )
        .await?;
        if let Some(v) = answer(&b, q, &dom).await? {
            expected.insert(q.id.clone(), v);
        }
    }
    // Computed values show what the model computes from the answers given.
    for q in t.questions() {
        if let Kind::Computed(f) = &q.kind {
            let want = forms::compute(f, &expected)
                .map(model::forms::answer::fmt_num)
                .unwrap();
            b.wait_js(
                &format!(
                    "document.getElementById('q-{}-input').innerText.startsWith({want:?})",
                    q.id
                ),
                Duration::from_secs(10),
            )
            .await?;
        }
    }
    let (done, total) = forms::progress(&t, &expected);
    assert_eq!(done, total, "every shown question was answered");
    b.wait_js(
        &format!("document.getElementById('form-progress').innerText.includes('Заполнено {total} из {total}')"),
        LONG,
    )
    .await?;
    b.click("#form-submit").await?;
    b.wait_js(
        "document.getElementById('form-state').innerText.includes('отправлено')",
        LONG,
    )
    .await?;
    assert!(b.pending().await? >= 1, "the card waits in the outbox");

    server.resume().await?;
    b.wait_net("online", LONG).await?;
    b.wait_all_sent(LONG).await?;
    let (rid, _) = forms::response_target(
        t.respondent,
        cid,
        school.profile.school_id,
        school.profile.id,
    )
    .unwrap();
    let head = &town.head;
    let stored = head.record(rid).await?;
    assert_eq!(forms::status_of(&stored), forms::Status::Submitted);
    let got = forms::answers_of(&stored);
    for (q, v) in &expected {
        assert_eq!(got.get(q), Some(v), "answer to {q}");
    }
    // A list's items are fields of their own, never the list written whole.
    for q in t.questions() {
        if matches!(q.kind, Kind::Group { .. }) && expected.contains_key(&q.id) {
            assert!(
                stored.get(&forms::answer_field(&q.id)).is_none(),
                "{} written whole",
                q.id
            );
        }
    }
    assert_eq!(got.len(), expected.len());
    assert!(forms::validate(&t, &got).is_empty());
    assert!(b.eval("!!document.getElementById('form-locked')").await? == Value::Bool(true));
    // The print view shows the answers as a document.
    b.click("#form-print").await?;
    b.wait_js(
        "(document.getElementById('print-view') || {innerText: ''}).innerText.includes('Подробный ответ школы.')",
        LONG,
    )
    .await?;
    let printed = b.text("#print-view").await?;
    assert!(
        printed.contains(&t.title) && printed.contains("отправлено"),
        "{printed}"
    );
    b.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_leader_test_is_scored_by_the_server_and_the_leader_sees_the_deficits()
-> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let base = server.url("");
    let (t, key) = builtin_template("leader_test");
    let town = server.own_town("lider").await?;
    let leader = Api::login(&base, &town.team).await?;
    let cid = town
        .head
        .send_campaign(&t, leader.profile.school_id.unwrap(), "2027-01-31")
        .await?;
    let b = Browser::start().await?;
    // Opened, the test is not begun: its questions wait for «Начать тест».
    b.sign_in(&base, &town.team, DEMO_PASSWORD).await?;
    b.wait_for("#home-school").await?;
    let link = format!("#tasks [data-campaign='{cid}'] a");
    b.wait_for(&link).await?;
    b.click(&link).await?;
    b.wait_for("#test-start").await?;
    assert_eq!(
        b.eval("document.querySelector('form.form').hidden").await?,
        Value::Bool(true)
    );
    // With no server, «Начать тест» says why it cannot start, and the questions stay hidden:
    // a test begun offline would have no clock.
    server.kill();
    b.click("#test-start").await?;
    b.wait_js(
        "document.getElementById('test-start-panel').innerText.includes('только при подключении к сети')",
        LONG,
    )
    .await?;
    assert_eq!(
        b.eval("document.querySelector('form.form').hidden").await?,
        Value::Bool(true)
    );
    server.resume().await?;
    b.wait_net("online", LONG).await?;
    b.begin_if_timed().await?;
    b.wait_js(
        "document.getElementById('time-limit').innerText.includes('Осталось')",
        LONG,
    )
    .await?;
    // The first half of the areas answered right, the rest wrong.
    let test = t.test.as_ref().unwrap();
    let good: Vec<&str> = test.areas[..test.areas.len() / 2]
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    let mut given = Answers::new();
    for q in t.questions() {
        let options = match &q.kind {
            Kind::Single { options } | Kind::Multiple { options, .. } => options,
            _ => unreachable!(),
        };
        // The position (not scored): the first one.
        let Some(area) = q.area.as_deref() else {
            b.click(&format!("#q-{}-input-0", q.id)).await?;
            given.insert(q.id.clone(), json!(options[0].id));
            continue;
        };
        let right = &key.0[&q.id];
        let pick_right = good.contains(&area);
        let chosen: Vec<usize> = if pick_right {
            options
                .iter()
                .enumerate()
                .filter(|(_, o)| right.contains(&o.id))
                .map(|(i, _)| i)
                .collect()
        } else {
            vec![options.iter().position(|o| !right.contains(&o.id)).unwrap()]
        };
        for i in &chosen {
            b.click(&format!("#q-{}-input-{i}", q.id)).await?;
        }
        let ids: Vec<Value> = chosen.iter().map(|i| json!(options[*i].id)).collect();
        given.insert(
            q.id.clone(),
            if matches!(q.kind, Kind::Single { .. }) {
                ids[0].clone()
            } else {
                Value::Array(ids)
            },
        );
    }
    // Reloaded with no network, the test still shows the time left, as the server said it.
    server.kill();
    b.client.refresh().await?;
    b.wait_js(
        "(document.getElementById('time-limit') || {innerText: ''}).innerText.includes('Осталось')",
        LONG,
    )
    .await?;
    server.resume().await?;
    b.wait_net("online", LONG).await?;
    b.click("#form-submit").await?;
    b.wait_js("!!document.getElementById('test-result')", LONG)
        .await?;
    let scores = forms::score(&t, &key, &given).unwrap();
    for s in &scores {
        let row = b
            .text(&format!("#test-result tr[data-area='{}']", s.area))
            .await?;
        assert!(row.contains(&format!("{} %", s.percent)), "{row}");
        assert!(row.contains(s.level.label()), "{row}");
    }
    assert!(scores.iter().any(|s| s.level == forms::Level::Deficit));
    let deficits = b.text("#deficits").await?;
    for s in scores.iter().filter(|s| s.level == forms::Level::Deficit) {
        assert!(deficits.contains(&s.title), "{deficits}");
    }
    // The debrief names each missed item with its norm; the rule of the levels is stated.
    assert!(b.text("#test-rule").await?.contains("дефицит"));
    let missed = forms::scoring::missed(&t, &key, &given);
    assert!(!missed.is_empty());
    b.eval("document.getElementById('debrief').open = true")
        .await?;
    for id in &missed {
        let item = b
            .text(&format!("#debrief .missed-item[data-question='{id}']"))
            .await?;
        let q = t.question(id).unwrap();
        assert!(
            item.contains(&q.text) && item.contains(&q.reference),
            "{item}"
        );
    }
    // The chart draws one bar per area.
    let bars = b
        .eval("document.querySelectorAll('#test-chart rect').length")
        .await?;
    assert_eq!(bars, json!(scores.len()));

    // The centre head sees the deficits counted by area and school.
    let h = Browser::start().await?;
    h.sign_in(&base, &town.head.profile.login, DEMO_PASSWORD)
        .await?;
    h.wait_for("#home-centre").await?;
    h.click("#link-results").await?;
    for s in &scores {
        let want = if s.level == forms::Level::Deficit {
            "1 из 1"
        } else {
            "0 из 1"
        };
        h.wait_js(
            &format!(
                "(document.querySelector(\"#deficit-table tr[data-area='{}']\") || {{innerText: ''}}).innerText.includes('{want}')",
                s.area
            ),
            LONG,
        )
        .await?;
    }
    h.close().await?;

    // The mentor drafts targeted recommendations from the deficits with the library, sends
    // them, and the school finds them on its home page.
    let (rid, _) = forms::response_target(
        t.respondent,
        cid,
        leader.profile.school_id,
        leader.profile.id,
    )
    .unwrap();
    let lib = model::forms::recommendation::library();
    let deficit = scores
        .iter()
        .find(|s| s.level == forms::Level::Deficit)
        .unwrap();
    let expected = &lib.areas[&deficit.area][0].title;
    let m = Browser::start().await?;
    m.sign_in_synced(&base, &town.mentor, "#home-mentor")
        .await?;
    m.client.goto(&format!("{base}/review/{rid}")).await?;
    m.wait_js("!!document.getElementById('recommend')", LONG)
        .await?;
    // A plan item with a deadline already past stands out.
    m.click("#plan-add").await?;
    m.wait_js(
        "!!document.querySelector('#deficit-plan tr[data-item]')",
        LONG,
    )
    .await?;
    let item: Uuid = serde_json::from_value(
        m.eval("document.querySelector('#deficit-plan tr[data-item]').dataset.item")
            .await?,
    )?;
    let n = item.simple().to_string();
    // An item added by mistake is deleted (after a confirmation) and leaves the plan.
    m.click("#plan-add").await?;
    m.wait_js(
        "document.querySelectorAll('#deficit-plan tr[data-item]').length === 2",
        LONG,
    )
    .await?;
    let extra: Uuid = serde_json::from_value(
        m.eval(&format!("[...document.querySelectorAll('#deficit-plan tr[data-item]')].map(tr => tr.dataset.item).find(id => id !== '{item}')"))
            .await?,
    )?;
    // Two rows: every control has a name of its own (a screen reader says which row).
    let names = m
        .eval(
            "[...document.querySelectorAll('#deficit-plan tr[data-item] :is(input, textarea, select, button)')]\
             .map(e => e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText) || e.innerText)",
        )
        .await?;
    let names: Vec<String> = serde_json::from_value(names)?;
    let unique: std::collections::BTreeSet<&String> = names.iter().collect();
    assert!(names.len() >= 14, "{names:?}");
    assert_eq!(unique.len(), names.len(), "the same name twice: {names:?}");
    m.click(&format!("#plan-delete-{}", extra.simple())).await?;
    m.client.accept_alert().await?;
    m.wait_js(
        "document.querySelectorAll('#deficit-plan tr[data-item]').length === 1",
        LONG,
    )
    .await?;
    pick(&m, &format!("plan-deadline-{n}"), "2020-01-31").await?;
    m.wait_js(
        &format!(
            "document.querySelector(\"tr[data-item='{item}']\").classList.contains('overdue')"
        ),
        LONG,
    )
    .await?;
    m.wait_all_sent(LONG).await?;
    m.click("#recommend").await?;
    m.wait_for("#rec-text").await?;
    let text = m.value("#rec-text").await?;
    assert!(text.contains(expected.as_str()), "{text}");
    m.click("#rec-send").await?;
    m.wait_for("#rec-sent").await?;
    m.wait_all_sent(LONG).await?;
    m.close().await?;
    // The leader sees the plan item, overdue, and marks it done.
    b.client.goto(&format!("{base}/forms/{cid}")).await?;
    b.wait_js(
        &format!("!!document.querySelector(\"tr[data-item='{item}'].overdue\")"),
        LONG,
    )
    .await?;
    b.wait_value(&format!("#plan-deadline-{n}"), "31.01.2020", LONG)
        .await?;
    b.fill(
        &format!("#plan-responsible-{n}"),
        "Заместитель директора по УВР",
    )
    .await?;
    pick(&b, &format!("plan-status-{n}"), "done").await?;
    b.wait_js(
        &format!(
            "!document.querySelector(\"tr[data-item='{item}']\").classList.contains('overdue')"
        ),
        LONG,
    )
    .await?;
    b.wait_all_sent(LONG).await?;
    let stored = town.head.record(item).await?;
    assert_eq!(stored.text("status"), "done");
    assert_eq!(stored.text("deadline"), "2020-01-31");
    assert_eq!(stored.text("responsible"), "Заместитель директора по УВР");
    b.client.goto(&format!("{base}/school")).await?;
    b.wait_js(
        &format!("(document.getElementById('recommendations') || {{innerText: ''}}).innerText.includes({expected:?})"),
        LONG,
    )
    .await?;
    b.close().await?;
    Ok(())
}

#[test]
fn no_byte_of_the_bundle_holds_the_key_or_the_test() {
    let Some(dir) = std::env::var_os("NASTAVNIK_DIST") else {
        panic!("NASTAVNIK_DIST is not set: run the tests with `cargo xtask test`");
    };
    let (t, key) = builtin_template("leader_test");
    let key_json = serde_json::to_string(&key).unwrap();
    let mut needles: Vec<String> = vec![key_json, "\"correct\"".into()];
    needles.extend(t.questions().map(|q| q.text.clone()));
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut checked = Vec::new();
    for path in files {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !matches!(ext, "wasm" | "js" | "html" | "css" | "json" | "webmanifest") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for n in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                "{} holds {n:?}",
                path.display()
            );
        }
        checked.push(ext.to_owned());
    }
    assert!(
        checked.iter().any(|e| e == "wasm") && checked.iter().any(|e| e == "js"),
        "the bundle was not found: {checked:?}"
    );
}

#[tokio::test]
async fn the_head_sends_forms_and_the_school_sees_its_tasks_by_deadline() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    // A school of the test's own, with its team's account: its tasks are only the test's.
    let login = "zadaniya";
    let (api, school) = server.own_school(login).await?;
    let school_id = school.id;
    let head = Browser::start().await?;
    head.sign_in_synced(&base, &api.profile.login, "#home-centre")
        .await?;
    head.client
        .goto(&format!("{base}/centre/campaigns"))
        .await?;
    let (profile, _) = builtin_template("context_profile");
    let (card, _) = builtin_template("self_analysis");
    // Two forms for this school: one overdue already, one due later.
    for (t, deadline) in [(&card, "2030-01-31"), (&profile, "2020-09-30")] {
        let option = format!("{}@{}", t.code, t.version);
        head.wait_js(
            &format!("!!document.querySelector('#campaign-template option[value=\"{option}\"]')"),
            LONG,
        )
        .await?;
        pick(&head, "campaign-template", &option).await?;
        head.wait_value("#campaign-title", &t.title, LONG).await?;
        pick(&head, "campaign-deadline", deadline).await?;
        let tick = format!("#campaign-schools input[value='{school_id}']");
        head.wait_for(&tick).await?;
        head.click(&tick).await?;
        head.click("#campaign-send").await?;
        head.wait_js(
            "!!document.querySelector('#centre-campaigns .alert-ok')",
            LONG,
        )
        .await?;
    }
    head.wait_all_sent(LONG).await?;
    // Corrected after sending: the card's campaign is renamed and its deadline moved within
    // its school year; a deadline in another school year (the card's tables ask for years) is
    // refused at once.
    let row = format!(
        "[...document.querySelectorAll('#campaign-list tr[data-campaign]')].find(tr => tr.innerText.includes({:?}))",
        card.title
    );
    head.wait_js(&format!("!!{row}"), LONG).await?;
    let cid = head.eval(&format!("{row}.dataset.campaign")).await?;
    let n = uuid::Uuid::parse_str(cid.as_str().unwrap_or_default())?
        .simple()
        .to_string();
    head.eval(&format!("{row}.querySelector('details').open = true"))
        .await?;
    // Nobody has answered it yet: it may still be deleted.
    head.wait_for(&format!("#campaign-{n}-delete")).await?;
    pick(&head, &format!("campaign-{n}-deadline"), "2030-09-30").await?;
    head.wait_js(
        &format!("{row}.innerText.includes('только в пределах 2029/2030 учебного года')"),
        LONG,
    )
    .await?;
    pick(&head, &format!("campaign-{n}-deadline"), "2030-05-31").await?;
    head.fill(
        &format!("#campaign-{n}-title"),
        &format!("{} (уточнено)", card.title),
    )
    .await?;
    head.wait_js(
        &format!(
            "{row}.innerText.includes('31.05.2030') && {row}.innerText.includes('(уточнено)')"
        ),
        LONG,
    )
    .await?;
    // Its only school is not taken off: the box stays ticked and the reason is said.
    let only = format!("#campaign-{n}-school-{}", school_id.simple());
    head.click(&only).await?;
    head.wait_js(
        &format!("{row}.innerText.includes('хотя бы одна школа') && document.querySelector('{only}').checked"),
        LONG,
    )
    .await?;
    head.wait_all_sent(LONG).await?;
    head.close().await?;

    let b = Browser::start().await?;
    b.sign_in(&base, login, DEMO_PASSWORD).await?;
    b.wait_for("#home-school").await?;
    b.wait_js(
        "document.querySelectorAll('#tasks .task').length === 2",
        LONG,
    )
    .await?;
    let first = b.text("#tasks .task:nth-child(1)").await?;
    let second = b.text("#tasks .task:nth-child(2)").await?;
    assert!(
        first.contains(&profile.title) && first.contains("срок прошёл"),
        "{first}"
    );
    let (_, total) = forms::progress(&profile, &Answers::new());
    assert!(
        first.contains(&format!("заполнено 0 из {total}")),
        "{first}"
    );
    assert!(
        second.contains(&card.title) && !second.contains("срок прошёл"),
        "{second}"
    );
    assert!(
        second.contains("(уточнено)") && second.contains("31.05.2030"),
        "{second}"
    );
    assert_eq!(
        b.eval("document.querySelector('#tasks .task:nth-child(1)').classList.contains('overdue')")
            .await?,
        Value::Bool(true)
    );
    // One answer, and the home page counts it.
    b.click("#tasks .task:nth-child(1) a").await?;
    b.wait_for(".question").await?;
    let q = profile.questions().next().unwrap();
    b.fill(&format!("#q-{}-input", q.id), "12").await?;
    b.wait_js(
        &format!(
            "document.getElementById('form-progress').innerText.includes('Заполнено 1 из {total}')"
        ),
        LONG,
    )
    .await?;
    // Stored on this computer (as the page says) before the page is left.
    b.wait_js(
        "document.getElementById('form').innerText.includes('Сохранено на этом компьютере')",
        LONG,
    )
    .await?;
    // Coming back to it later, text that is not a number typed over it is said to be wrong
    // and takes nothing: not even the empty field it passed through on the way (the answer
    // stays 12).
    b.eval("document.activeElement.blur() || true").await?;
    b.fill(&format!("#q-{}-input", q.id), "двенадцать").await?;
    b.wait_for(&format!("#q-{}-input-rule", q.id)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    b.wait_js(
        &format!(
            "document.getElementById('form-progress').innerText.includes('Заполнено 1 из {total}')"
        ),
        LONG,
    )
    .await?;
    b.client.goto(&format!("{base}/school")).await?;
    b.wait_js(
        &format!("(document.querySelector('#tasks .task') || {{innerText: ''}}).innerText.includes('заполнено 1 из {total}')"),
        LONG,
    )
    .await?;
    b.close().await?;
    Ok(())
}

/// Dates are typed and shown ДД.ММ.ГГГГ in a Chromium whose language is English (whose own
/// date inputs would say mm/dd/yyyy): the head types a campaign's deadline the Russian way, a
/// day that does not exist is refused in words, and the server stores the day typed.
#[tokio::test]
async fn dates_are_russian_in_an_english_browser() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let api = server.own_head("daty.head").await?;
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let school = api.create_school(&format!("Школа дат {tag}")).await?.id;
    let b = Browser::start_with_lang("en-US").await?;
    b.sign_in(&base, &api.profile.login, DEMO_PASSWORD).await?;
    b.wait_for("#home-centre").await?;
    assert_eq!(b.eval("navigator.language").await?, json!("en-US"));
    b.client.goto(&format!("{base}/centre/campaigns")).await?;
    b.wait_for("#campaign-deadline").await?;
    assert_eq!(
        b.eval("document.querySelectorAll('input[type=date]').length")
            .await?,
        json!(0),
        "no date input of the browser's own"
    );
    assert_eq!(
        b.eval("document.getElementById('campaign-deadline').placeholder")
            .await?,
        json!("ДД.ММ.ГГГГ")
    );
    let (t, _) = builtin_template("context_profile");
    let option = format!("{}@{}", t.code, t.version);
    b.wait_js(
        &format!("!!document.querySelector('#campaign-template option[value=\"{option}\"]')"),
        LONG,
    )
    .await?;
    pick(&b, "campaign-template", &option).await?;
    b.fill("#campaign-title", &format!("Профиль {tag}")).await?;
    // A day that does not exist: said in words, nothing taken.
    b.fill("#campaign-deadline", "31.02.2031").await?;
    b.click("#campaign-title").await?;
    b.wait_js(
        "[...document.querySelectorAll('.field-error')].some(e => e.innerText.includes('ДД.ММ.ГГГГ'))",
        LONG,
    )
    .await?;
    // Nothing is sent with a date the person did not mean.
    b.click("#campaign-send").await?;
    b.wait_js("document.body.innerText.includes('Укажите срок')", LONG)
        .await?;
    b.fill("#campaign-deadline", "5.3.2031").await?;
    b.click("#campaign-title").await?;
    b.wait_value("#campaign-deadline", "05.03.2031", LONG)
        .await?;
    let tick = format!("#campaign-schools input[value='{school}']");
    b.wait_for(&tick).await?;
    b.click(&tick).await?;
    b.click("#campaign-send").await?;
    b.wait_js(
        "!!document.querySelector('#centre-campaigns .alert-ok')",
        LONG,
    )
    .await?;
    b.wait_all_sent(LONG).await?;
    let stored = api
        .all_changes()
        .await?
        .into_iter()
        .filter(|c| c.kind == model::forms::CAMPAIGN_KIND)
        .find(|c| c.fields.get("title") == Some(&json!(format!("Профиль {tag}"))))
        .expect("the campaign reached the server");
    assert_eq!(stored.fields.get("deadline"), Some(&json!("2031-03-05")));
    b.close().await?;
    Ok(())
}

/// The context profile and the card ask some of the same counts: a school that sent its
/// profile is offered them in the card with one button; and once three schools sent the
/// profile, each sees the municipality's median beside its figures.
#[tokio::test]
async fn shared_counts_carry_over_and_the_municipal_medians_show() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let head = server.own_head("mediany.head").await?;
    let tag = Uuid::now_v7().simple().to_string();
    let mut teams = Vec::new();
    for n in 0..3 {
        let school = head
            .create_school(&format!("Школа профиля {n} {tag}"))
            .await?
            .id;
        let login = format!("profil{n}{}", &tag[tag.len() - 8..]);
        head.create_user(&login, model::Role::SchoolTeam, Some(school))
            .await?;
        teams.push((login, school));
    }
    let (profile, _) = builtin_template("context_profile");
    let (card, _) = builtin_template("self_analysis");
    let send = |t: &model::forms::Template, schools: Vec<Uuid>| {
        let id = Uuid::now_v7();
        let fields = json!({"title": t.title, "template": t.code, "version": t.version,
            "deadline": "2030-01-31", "schools": schools, "roles": ["school_team"]});
        let head = &head;
        async move {
            head.write(
                id,
                forms::CAMPAIGN_KIND,
                model::record::Scope::Centre,
                fields,
            )
            .await
            .map(|_| id)
        }
    };
    let pc = send(&profile, teams.iter().map(|t| t.1).collect()).await?;
    let cc = send(&card, vec![teams[0].1]).await?;
    // The three schools send their profiles (214, 96 and 380 pupils).
    for ((login, school), (pupils, teachers)) in teams.iter().zip([(214, 19), (96, 11), (380, 27)])
    {
        let team = Api::login(&base, login).await?;
        let scope = model::record::Scope::School(*school);
        team.write(
            forms::response_id(pc, &scope),
            forms::RESPONSE_KIND,
            scope,
            json!({"campaign": pc, "template": profile.code, "version": profile.version,
                   "status": "submitted", "a.pupils_total": pupils, "a.teachers_total": teachers,
                   "a.highest_category_count": 2, "a.computers": 20, "a.inschool_extra_pupils": 40,
                   "a.outschool_extra_pupils": 10, "a.second_shift_pupils": 0,
                   "a.advanced_programs_pupils": 0, "a.profile_classes_pupils": 0,
                   "a.tutors": 0, "a.internet_speed": 10}),
        )
        .await?;
    }
    let b = Browser::start().await?;
    b.sign_in_synced(&base, &teams[0].0, "#home-school").await?;
    b.client.goto(&format!("{base}/forms/{pc}")).await?;
    b.wait_js(
        "[...document.querySelectorAll('.median')].some(m => m.innerText.includes('Медиана по школам рассылки: 214 чел.'))",
        LONG,
    )
    .await?;
    // The card offers the counts the profile holds; one button carries them over.
    b.client.goto(&format!("{base}/forms/{cc}")).await?;
    b.wait_for("#shared-answers").await?;
    let offer = b.text("#shared-answers").await?;
    assert!(offer.contains(&profile.title), "{offer}");
    b.click("#shared-take").await?;
    b.wait_js(
        "(document.getElementById('q-pupils_total-input') || {}).value === '214'",
        LONG,
    )
    .await?;
    b.wait_js("!document.getElementById('shared-answers')", LONG)
        .await?;
    b.wait_all_sent(LONG).await?;
    let scope = model::record::Scope::School(teams[0].1);
    let stored = head.record(forms::response_id(cc, &scope)).await?;
    assert_eq!(stored.get("a.pupils_total"), Some(&json!(214)));
    assert_eq!(stored.get("a.teachers_total"), Some(&json!(19)));
    b.close().await?;
    Ok(())
}

/// A measure added on another computer while a person types in their own neither moves them to
/// another item nor takes the cursor away: what they go on typing goes into their own item.
#[tokio::test]
async fn an_item_arriving_from_another_computer_leaves_the_one_typed_in() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let (t, _) = builtin_template("self_analysis");
    let town = server.own_town("spisok").await?;
    let school = Api::login(&base, &town.team).await?;
    let cid = town
        .head
        .send_campaign(&t, school.profile.school_id.unwrap(), "2027-01-31")
        .await?;
    let (rid, scope) = forms::response_target(
        t.respondent,
        cid,
        school.profile.school_id,
        school.profile.id,
    )
    .unwrap();
    // The other computer's item is made first, so it is listed first once it arrives.
    let theirs = Uuid::now_v7().to_string();
    let b = Browser::start().await?;
    b.open_task(&base, &town.team, cid).await?;
    let dom = "q-measures_taken-input";
    b.click(&format!("#{dom} .add-item")).await?;
    b.wait_for(&format!("#{dom} .group-item")).await?;
    let row = b
        .eval(&format!(
            "document.querySelector('#{dom} .group-item').dataset.item"
        ))
        .await?;
    let input = format!("{dom}-{}-measure", row.as_str().unwrap_or_default());
    b.fill(&format!("#{input}"), "Педсовет").await?;
    b.eval("document.getElementById('sync-now').click() || true")
        .await?;
    b.wait_all_sent(LONG).await?;
    school
        .write(
            rid,
            forms::RESPONSE_KIND,
            scope,
            json!({
                forms::F_CAMPAIGN: cid.to_string(),
                forms::F_TEMPLATE: t.code,
                forms::F_VERSION: t.version,
                forms::item_field("measures_taken", &theirs): {"measure": "Консультации для девятиклассников"},
            }),
        )
        .await?;
    // Brought by a sync started without leaving the field.
    b.eval("document.getElementById('sync-now').click() || true")
        .await?;
    b.wait_js(
        &format!("document.querySelectorAll('#{dom} .group-item').length === 2"),
        LONG,
    )
    .await?;
    let first = b
        .eval(&format!(
            "document.querySelector('#{dom} .group-item').dataset.item"
        ))
        .await?;
    assert_eq!(first.as_str(), Some(theirs.as_str()));
    let focused = b.eval("document.activeElement.id").await?;
    assert_eq!(focused.as_str(), Some(input.as_str()));
    b.client
        .active_element()
        .await?
        .send_keys(" по итогам ВПР")
        .await?;
    b.wait_value(&format!("#{input}"), "Педсовет по итогам ВПР", LONG)
        .await?;
    let want = json!([
        {"measure": "Консультации для девятиклассников"},
        {"measure": "Педсовет по итогам ВПР"},
    ]);
    let mut stored = Value::Null;
    for _ in 0..60 {
        b.eval("document.getElementById('sync-now').click() || true")
            .await?;
        b.wait_all_sent(LONG).await?;
        stored = forms::answers_of(&town.head.record(rid).await?)["measures_taken"].clone();
        if stored == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(stored, want);

    // Removing an item asks first: dismissed, it stays; confirmed, it goes.
    let remove = format!("#{dom} .group-item[data-item='{theirs}'] > button");
    b.click(&remove).await?;
    b.client.dismiss_alert().await?;
    assert_eq!(
        b.eval(&format!(
            "document.querySelectorAll('#{dom} .group-item').length"
        ))
        .await?,
        json!(2)
    );
    b.click(&remove).await?;
    b.client.accept_alert().await?;
    b.wait_js(
        &format!("document.querySelectorAll('#{dom} .group-item').length === 1"),
        LONG,
    )
    .await?;
    b.close().await?;
    Ok(())
}

/// A form sent to one school reaches every school's team (campaigns are the centre's), but only
/// the school it is sent to may fill it: another school's team opening its link is told so in
/// words, with nothing to type that the server would refuse later.
#[tokio::test]
async fn a_form_sent_to_another_school_cannot_be_filled() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let (t, _) = builtin_template("context_profile");
    let (head, school) = server.own_school("adresat").await?;
    server.own_school("neadresat").await?;
    let cid = head.send_campaign(&t, school.id, "2027-01-31").await?;
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "neadresat", "#home-school").await?;
    b.client.goto(&format!("{base}/forms/{cid}")).await?;
    b.wait_for("#form-not-yours").await?;
    assert!(
        b.text("#form-not-yours")
            .await?
            .contains("направлена не вам")
    );
    assert_eq!(
        b.eval("document.querySelectorAll('.question input').length")
            .await?,
        json!(0)
    );
    b.close().await?;
    Ok(())
}

/// The head edits a campaign (here its deadline) while a school types in its form: the change
/// arrives, and the cursor stays in the answer, so what the person goes on typing is kept.
#[tokio::test]
async fn a_campaign_edited_by_the_head_leaves_the_cursor_where_the_school_types()
-> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let (t, _) = builtin_template("context_profile");
    let (head, school) = server.own_school("pravka").await?;
    let team = Api::login(&base, "pravka").await?;
    let cid = head.send_campaign(&t, school.id, "2027-01-31").await?;
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "pravka", "#home-school").await?;
    b.client.goto(&format!("{base}/forms/{cid}")).await?;
    b.wait_for(".question").await?;
    let q = t.questions().next().unwrap();
    let input = format!("q-{}-input", q.id);
    b.fill(&format!("#{input}"), "12").await?;

    head.write(
        cid,
        forms::CAMPAIGN_KIND,
        model::record::Scope::Centre,
        json!({ "deadline": "2027-02-28" }),
    )
    .await?;
    b.eval("document.getElementById('sync-now').click() || true")
        .await?;
    let arrived = r#"
        const done = arguments[arguments.length - 1];
        const req = indexedDB.open(arguments[0]);
        req.onerror = () => done(null);
        req.onsuccess = () => {
            const db = req.result;
            const get = db.transaction('records').objectStore('records').get(arguments[1]);
            get.onsuccess = () => {
                db.close();
                const r = get.result;
                done(r && r.fields && r.fields.deadline ? r.fields.deadline.value : null);
            };
            get.onerror = () => { db.close(); done(null); };
        };
    "#;
    let db = format!("nastavnik-{}", team.profile.id);
    let mut deadline = Value::Null;
    for _ in 0..100 {
        deadline = b
            .client
            .execute_async(arrived, vec![json!(db), json!(cid.to_string())])
            .await?;
        if deadline == json!("2027-02-28") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(deadline, json!("2027-02-28"), "the head's change arrived");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        b.eval("document.activeElement && document.activeElement.id")
            .await?,
        json!(input),
        "the cursor stays in the answer"
    );
    b.client.active_element().await?.send_keys("3").await?;
    b.wait_value(&format!("#{input}"), "123", LONG).await?;
    b.wait_js(
        "document.getElementById('form-progress').innerText.includes('Заполнено 1 из')",
        LONG,
    )
    .await?;
    b.close().await?;
    Ok(())
}

/// A date typed to its last digit is kept on this computer at once: a tab closed before the
/// person leaves the field (when no change event comes) loses nothing.
#[tokio::test]
async fn a_date_typed_is_kept_before_the_person_leaves_the_field() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let base = server.url("");
    let (t, _) = builtin_template("self_analysis");
    let (head, school) = server.own_school("data.srazu").await?;
    let team = Api::login(&base, "data.srazu").await?;
    let cid = head.send_campaign(&t, school.id, "2027-01-31").await?;
    let b = Browser::start().await?;
    b.sign_in_synced(&base, "data.srazu", "#home-school")
        .await?;
    b.client.goto(&format!("{base}/forms/{cid}")).await?;
    b.wait_for("#q-measures_taken-input .add-item").await?;
    b.click("#q-measures_taken-input .add-item").await?;
    b.wait_for("#q-measures_taken-input .group-item").await?;
    let row = b
        .eval("document.querySelector('#q-measures_taken-input .group-item').dataset.item")
        .await?;
    let input = format!(
        "q-measures_taken-input-{}-measure_date",
        row.as_str().unwrap_or_default()
    );
    let kept = r#"
        const done = arguments[arguments.length - 1];
        const req = indexedDB.open(arguments[0]);
        req.onerror = () => done(false);
        req.onsuccess = () => {
            const db = req.result;
            const get = db.transaction('records').objectStore('records').get(arguments[1]);
            get.onsuccess = () => {
                db.close();
                const r = get.result;
                done(!!r && JSON.stringify(r.fields).includes('2025-03-14'));
            };
            get.onerror = () => { db.close(); done(false); };
        };
    "#;
    let db = format!("nastavnik-{}", team.profile.id);
    let response = forms::response_id(cid, &model::record::Scope::School(school.id));
    let stored_becomes = |want: bool| {
        let (b, db) = (&b, db.clone());
        async move {
            let mut stored = Value::Null;
            for _ in 0..50 {
                stored = b
                    .client
                    .execute_async(kept, vec![json!(db), json!(response.to_string())])
                    .await?;
                if stored == json!(want) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            anyhow::Ok(stored == json!(want))
        }
    };
    let focused = "document.activeElement && document.activeElement.id";
    b.fill(&format!("#{input}"), "14.03.2025").await?;
    assert!(
        stored_becomes(true).await?,
        "the date is kept on this computer"
    );
    assert_eq!(
        b.eval(focused).await?,
        json!(input),
        "the person has not left the field"
    );
    // Erased before leaving the field (the browser then tells no change): the date goes.
    b.fill(&format!("#{input}"), "").await?;
    b.eval("document.activeElement.blur() || true").await?;
    assert!(stored_becomes(false).await?, "the erased date is gone");
    b.fill(&format!("#{input}"), "14.03.2025").await?;
    assert!(stored_becomes(true).await?, "typed again, kept again");
    // The tab closed and opened again: the date is there.
    b.client.refresh().await?;
    b.wait_value(&format!("#{input}"), "14.03.2025", LONG)
        .await?;
    b.close().await?;
    Ok(())
}
