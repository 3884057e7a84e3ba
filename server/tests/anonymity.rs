//! Anonymous means anonymous: after several people answer an anonymous survey, every place
//! the database keeps is searched for a link back to a person — the record's id, its scope and
//! owner, the clock values of its writes (device ids, times of day), the change log, what is
//! remembered of each device's mutations, the audit history, and the export — and none is found.

mod common;

use common::Device;
use model::forms::{self, Template};
use model::kinds::anonymous_response::KIND;
use model::record::{Record, Scope, stable_id};
use serde_json::{Value, json};
use sqlx::Row;
use uuid::Uuid;

#[tokio::test]
async fn nothing_links_an_anonymous_answer_to_its_author() {
    let town = common::municipality().await;
    let app = &town.app;
    let path = format!(
        "{}/../templates/survey_mentor_satisfaction.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let (t, _) = Template::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let head = &town.head;
    let campaign = Uuid::now_v7();
    let mut h = Device::new(&head.token, 1);
    h.edit(
        campaign,
        forms::CAMPAIGN_KIND,
        &Scope::Centre,
        json!({"title": "Удовлетворённость", "template": t.code, "version": t.version,
               "deadline": "2030-06-30", "schools": [], "roles": ["mentor", "curator"]}),
    );
    h.sync(app).await;
    assert!(h.refused.is_empty(), "{:?}", h.refused);

    // Three people answer, each with a named edit in the same batch (to tempt a link).
    let mut people = Vec::new();
    for (i, login) in ["mentor1", "curator1", "mentor2"].into_iter().enumerate() {
        let session = if login == "mentor1" {
            town.mentor.clone()
        } else {
            app.add_user(login, model::Role::Mentor, None).await
        };
        let ticket: model::api::AnonymousTicket = app
            .http
            .post(format!("{}/api/campaigns/{campaign}/anonymous", app.base))
            .bearer_auth(&session.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut d = Device::new(&session.token, 10 + i as u8);
        d.edit(
            Uuid::now_v7(),
            "recommendation",
            &Scope::School(Uuid::nil()),
            json!({"title": "x"}),
        );
        let mut fields = serde_json::Map::new();
        fields.insert("campaign".into(), json!(campaign));
        fields.insert("template".into(), json!(t.code));
        fields.insert("version".into(), json!(t.version));
        for q in t.questions() {
            let v = match &q.kind {
                forms::Kind::Single { options } => json!(options[0].id),
                forms::Kind::Scale { min, .. } => json!(min + i as i64),
                forms::Kind::LongText { .. } => json!(format!("ответ {i}")),
                _ => continue,
            };
            fields.insert(forms::answer_field(&q.id), v);
        }
        fields.insert("status".into(), json!("submitted"));
        d.edit(ticket.response, KIND, &Scope::Centre, Value::Object(fields));
        d.sync(app).await;
        assert_eq!(
            d.refused.len(),
            1,
            "only the named edit into a school that does not exist"
        );
        people.push((session, ticket.response, d.state.device.clone()));
    }

    let pool = app.pool().await;
    for (session, id, device) in &people {
        let user = session.profile.id;
        let name = &session.profile.full_name;
        // The id is not derived from the person as named ids are.
        for derived in [
            forms::response_id(campaign, &Scope::Person(user)),
            stable_id(&format!("{KIND}/{campaign}/{user}")),
            stable_id(&format!("{KIND}/{campaign}/person:{user}")),
        ] {
            assert_ne!(*id, derived);
        }
        // The stored record: in the centre's scope, no owner, no name, no device, no time of day.
        let row = sqlx::query("SELECT kind, scope, state FROM anonymous_records WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
        let state: String = row.get("state");
        let record: Record = serde_json::from_str(&state).unwrap();
        assert_eq!(row.get::<String, _>("scope"), "centre");
        assert_eq!(record.owner, None);
        for needle in [
            user.to_string(),
            name.clone(),
            device.as_str().to_owned(),
            session.profile.login.clone(),
        ] {
            assert!(!state.contains(&needle), "the stored answer holds {needle}");
        }
        for w in record.fields.values().flat_map(|f| f.writes()) {
            assert_eq!(w.hlc.wall_ms % 86_400_000, 0, "only the day is kept");
            assert_ne!(&w.hlc.device, device);
        }
        // Not in the change log, not among the named records.
        let logged: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE record_id = $1 OR body LIKE $2")
                .bind(id.to_string())
                .bind(format!("%{id}%"))
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(logged, 0);
        let named: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(named, 0);
        // What the server remembers of the device's mutations holds nothing of the content.
        let remembered: Vec<(i64, String)> = sqlx::query_as(
            "SELECT fingerprint, outcome FROM device_mutations WHERE device_id = $1",
        )
        .bind(device.as_str())
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(
            remembered.iter().any(|(f, _)| *f == 0),
            "the anonymous one has no fingerprint"
        );
        for (_, outcome) in &remembered {
            assert!(!outcome.contains(&id.to_string()));
            let o: Value = serde_json::from_str(outcome).unwrap();
            assert!(
                o.get("hlc").is_none(),
                "no re-stamp of it is remembered: {o}"
            );
        }
    }
    // The audit history and every other table: no anonymous id anywhere but its own row.
    let list = match server::storage::Dialect::of_url(&app.db_url()) {
        // (The migrations' own table has types the test's pool does not read; it holds no ids.)
        Some(server::storage::Dialect::Postgres) => {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
             AND tablename NOT IN ('anonymous_records', '_sqlx_migrations')"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT IN ('anonymous_records', 'sqlite_sequence', '_sqlx_migrations')"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(list).fetch_all(&pool).await.unwrap();
    for table in tables {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in rows {
            let text: String = (0..row.len())
                .filter_map(|i| row.try_get::<String, _>(i).ok())
                .collect::<Vec<_>>()
                .join(" ");
            for (_, id, _) in &people {
                assert!(
                    !text.contains(&id.to_string()),
                    "{table} holds an anonymous id"
                );
            }
        }
    }
    // Nobody receives the answers, by sync or by id; results come only in aggregate.
    for (n, (session, id, _)) in people.iter().enumerate() {
        let mut d = Device::new(&session.token, 90 + n as u8);
        d.sync(app).await;
        assert!(d.records.values().all(|r| r.kind != KIND));
        assert_eq!(
            app.record(&head.token, *id).await.status(),
            reqwest::StatusCode::NOT_FOUND
        );
    }
    let summary: model::api::CampaignSummary = app
        .http
        .get(format!("{}/api/campaigns/{campaign}/summary", app.base))
        .bearer_auth(&head.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let s = summary.summary.expect("three answered");
    let texts = s.questions.iter().find(|q| q.id == "most_useful").unwrap();
    assert_eq!(
        texts.detail,
        forms::summary::Detail::Texts {
            texts: vec!["ответ 0".into(), "ответ 1".into(), "ответ 2".into()]
        },
        "written answers sorted, without who wrote them"
    );
}
