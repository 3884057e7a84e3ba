//! The seed inputs of `sync_plan`, written by `examples/seeds.rs`.

use model::forms::{self, Kind, Template};
use model::hlc::DeviceId;
use model::record::{DELETED, Scope};
use model::sync::SyncRequest;
use serde_json::{Value, json};

use crate::world::*;

/// The seed inputs of `sync_plan`: one batch per person, each meeting real checks of the world
/// (accepted and refused edits, a resubmitted test, reviews, deletions, a retry, a clock far
/// ahead, a gzip body). A seed is the person's byte (an ASCII digit) and the JSON body.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut w = world().clone();
    let ids = w.ids.clone();
    let s1 = Scope::School(SCHOOL_1);
    let s2 = Scope::School(SCHOOL_2);
    let at = NOW_MS - 60_000;
    let mut out: Vec<(String, usize, SyncRequest)> = Vec::new();

    let req = w.request(
        HEAD,
        at,
        vec![
            edit(
                ids.campaign_self_analysis,
                forms::CAMPAIGN_KIND,
                Scope::Centre,
                None,
                fields(&[
                    ("deadline", json!("2026-02-10")),
                    ("note", json!("Срок продлён.")),
                ]),
            ),
            edit(
                fresh_id(at, 9),
                forms::CAMPAIGN_KIND,
                Scope::Centre,
                None,
                fields(&[
                    ("title", json!("Повторная диагностика")),
                    ("template", json!("leader_test")),
                    ("version", json!(w.forms.get("leader_test").version)),
                    ("deadline", json!("2026-03-31")),
                    ("schools", json!([SCHOOL_2])),
                    ("roles", json!(["school_team"])),
                ]),
            ),
            edit(
                ids.campaign_leader_test,
                forms::CAMPAIGN_KIND,
                Scope::Centre,
                None,
                fields(&[("template", json!("self_analysis"))]),
            ),
        ],
    );
    out.push(("head_campaigns".into(), HEAD, req));

    let seen = w.records[&ids.draft_2].deletion_value();
    let req = w.request(
        HEAD,
        at,
        vec![
            edit(
                ids.draft_2,
                "recommendation",
                s2.clone(),
                None,
                fields(&[(DELETED, seen)]),
            ),
            edit(
                ids.profile_2,
                "school_profile",
                s2.clone(),
                None,
                fields(&[("teachers", json!(21)), ("internet", json!("10 Мбит/с"))]),
            ),
        ],
    );
    out.push(("head_delete".into(), HEAD, req));

    let anonymous_a = anonymous_id(ids.campaign_survey, w.user(TEAM_A));
    let survey = w.answered(ids.campaign_survey, "survey_mentor_satisfaction", "draft");
    let req = w.request(
        TEAM_A,
        at,
        vec![
            edit(
                ids.profile_1,
                "school_profile",
                s1.clone(),
                None,
                fields(&[
                    ("phone", json!("+7 900 000-00-02")),
                    ("students", json!(431)),
                    ("note", Value::Null),
                ]),
            ),
            edit(
                ids.self_analysis_1,
                forms::RESPONSE_KIND,
                s1.clone(),
                None,
                fields(&[("a.locality", json!("town"))]),
            ),
            edit(
                anonymous_a,
                "anonymous_response",
                Scope::Centre,
                None,
                survey,
            ),
        ],
    );
    out.push(("team_a_profile_survey".into(), TEAM_A, req));

    let req = w.request(
        TEAM_A,
        at,
        vec![
            edit(
                ids.leader_a,
                forms::RESPONSE_KIND,
                s1.clone(),
                None,
                fields(&[(
                    "a.law_frp_history",
                    json!(first_option(&w.forms.get("leader_test"), 1)),
                )]),
            ),
            edit(
                ids.leader_a,
                forms::RESPONSE_KIND,
                s1.clone(),
                None,
                fields(&[(forms::F_STATUS, json!("submitted"))]),
            ),
        ],
    );
    out.push(("team_a_resubmit_test".into(), TEAM_A, req));

    let req = w.request(
        TEAM_B,
        at,
        vec![
            edit(
                ids.plan_item_b,
                "plan_item",
                s1.clone(),
                Some(ids.leader_b),
                fields(&[("status", json!("in_progress"))]),
            ),
            edit(
                fresh_id(at, 10),
                "plan_item",
                s1.clone(),
                Some(ids.leader_b),
                fields(&[
                    ("area", json!("finance")),
                    ("measure_kind", json!("qualification")),
                    ("measure", json!("Курсы по бюджету")),
                    ("status", json!("planned")),
                ]),
            ),
            edit(
                ids.leader_b,
                forms::RESPONSE_KIND,
                s1.clone(),
                None,
                fields(&[("a.law_frp_history", Value::Null)]),
            ),
        ],
    );
    out.push(("team_b_plan".into(), TEAM_B, req));

    let mut test_c = w.answered(ids.campaign_leader_test, "leader_test", "draft");
    test_c.retain(|k, _| !k.starts_with("a.") || k.starts_with("a.law"));
    let req = w.request(
        TEAM_C,
        at,
        vec![
            edit(ids.leader_c, forms::RESPONSE_KIND, s2.clone(), None, test_c),
            edit(
                ids.leader_c,
                forms::RESPONSE_KIND,
                s2.clone(),
                None,
                fields(&[(forms::F_STATUS, json!("submitted"))]),
            ),
        ],
    );
    out.push(("team_c_test".into(), TEAM_C, req));

    // The card as its campaign asks it (the campaign's school years).
    let sa = w.forms.get("self_analysis");
    let sa = w
        .records
        .get(&ids.campaign_self_analysis)
        .and_then(forms::Campaign::from_record)
        .map_or_else(|| (*sa).clone(), |c| c.form(&sa).into_owned());
    let oge = forms::answer_fields(
        &sa,
        &[(
            "oge_math".to_owned(),
            answer_of(&sa.question("oge_math").expect("a table").kind).expect("cells"),
        )]
        .into(),
    );
    let (oge_cell, _) = oge.into_iter().next().expect("a cell");
    let req = w.request(
        TEAM_C,
        at,
        vec![
            edit(
                ids.self_analysis_2,
                forms::RESPONSE_KIND,
                s2.clone(),
                None,
                fields(&[
                    ("a.non_native_share", json!(3.75)),
                    (&oge_cell, json!(4.2)),
                    ("a.has_senior", json!(false)),
                    ("a.lesson_visits", json!(24)),
                    ("a.measures_taken", Value::Null),
                ]),
            ),
            edit(
                ids.self_analysis_2,
                forms::RESPONSE_KIND,
                s2.clone(),
                None,
                fields(&[(forms::F_STATUS, json!("submitted"))]),
            ),
        ],
    );
    out.push(("team_c_self_analysis".into(), TEAM_C, req));

    let req = w.request(
        TEACHER,
        at,
        vec![
            edit(
                ids.anonymous_teacher,
                "anonymous_response",
                Scope::Centre,
                None,
                fields(&[(forms::F_STATUS, json!("draft"))]),
            ),
            edit(
                ids.profile_1,
                "school_profile",
                s1.clone(),
                None,
                fields(&[("phone", json!("112"))]),
            ),
        ],
    );
    out.push(("teacher".into(), TEACHER, req));

    let review_b = forms::review::review_id(ids.leader_b, 1);
    let req = w.request(
        MENTOR,
        at,
        vec![
            edit(
                review_b,
                "review",
                s1.clone(),
                Some(ids.leader_b),
                fields(&[
                    ("round", json!(1)),
                    ("c.law_frp_history", json!("Верно.")),
                    ("overall", json!("Хороший результат.")),
                    ("verdict", json!("accepted")),
                ]),
            ),
            edit(
                ids.draft_1,
                "recommendation",
                s1.clone(),
                None,
                fields(&[("state", json!("sent"))]),
            ),
            edit(
                ids.sent_1,
                "recommendation",
                s1.clone(),
                None,
                fields(&[("title", json!("Исправлено"))]),
            ),
        ],
    );
    out.push(("mentor_review".into(), MENTOR, req));

    let req = w.request(
        CURATOR,
        at,
        vec![
            edit(
                fresh_id(at, 11),
                "recommendation",
                s2.clone(),
                None,
                fields(&[
                    ("title", json!("Рекомендации")),
                    ("text", json!("Наладить ВСОКО.")),
                    ("state", json!("sent")),
                ]),
            ),
            edit(
                review_b,
                "review",
                s1.clone(),
                Some(ids.leader_b),
                fields(&[("overall", json!("Чужая школа."))]),
            ),
        ],
    );
    out.push(("curator".into(), CURATOR, req));

    let req = w.request(
        MODERATOR,
        at,
        vec![edit(
            fresh_id(at, 12),
            forms::CAMPAIGN_KIND,
            Scope::Centre,
            None,
            fields(&[("title", json!("Не моя рассылка"))]),
        )],
    );
    out.push(("moderator".into(), MODERATOR, req));

    // A retry of the world's second batch of the first director: one mutation as sent, one
    // with other content under the same number.
    let (_, mut retry) = w
        .history
        .iter()
        .filter(|(a, _)| *a == TEAM_A)
        .nth(1)
        .cloned()
        .expect("the first director sent two batches");
    if let Some(c) = retry.changes.get_mut(1) {
        c.fields.insert(forms::F_STATUS.into(), json!("draft"));
    }
    out.push(("team_a_retry".into(), TEAM_A, retry));

    let mut req = w.request(
        TEAM_A,
        at,
        vec![edit(
            ids.profile_1,
            "school_profile",
            s1.clone(),
            None,
            fields(&[("internet", json!("100 Мбит/с"))]),
        )],
    );
    req.changes[0].hlc.wall_ms = NOW_MS + 3 * DAY_MS;
    out.push(("team_a_clock_ahead".into(), TEAM_A, req));

    let seen = w.records[&ids.draft_1].deletion_value();
    let req = w.request(
        MENTOR,
        at,
        vec![edit(
            ids.draft_1,
            "recommendation",
            s1.clone(),
            None,
            fields(&[(DELETED, seen)]),
        )],
    );
    out.push(("mentor_delete".into(), MENTOR, req));

    let mut req = w.request(
        TEAM_A,
        at,
        vec![edit(
            ids.profile_1,
            "school_profile",
            s1.clone(),
            None,
            fields(&[("email", json!("school1@example.org"))]),
        )],
    );
    let other = DeviceId::try_from("00000000000000aa".to_owned()).expect("a device id");
    req.device = other.clone();
    req.first_seq = 1;
    req.changes[0].hlc.device = other;
    out.push(("team_a_new_device".into(), TEAM_A, req));

    // Numbers at the very end: the first seq of a device that claims to have counted to the
    // largest number.
    let (_, _, delete) = &out[1];
    let mut last = delete.clone();
    last.device = device_of(HEAD);
    last.first_seq = u64::MAX;
    out.push(("head_last_seq".into(), HEAD, last));

    let mut seeds: Vec<(String, Vec<u8>)> = out
        .into_iter()
        .enumerate()
        .map(|(i, (name, actor, req))| {
            let mut bytes = vec![b'0' + actor as u8];
            bytes.extend(serde_json::to_vec(&req).expect("a request serializes"));
            (format!("seed_{:02}_{name}", i + 1), bytes)
        })
        .collect();
    // The same body gzip-compressed, as the browser sends it.
    let (_, plain) = &seeds[2];
    let mut gz = flate2::write::GzEncoder::new(vec![plain[0]], flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &plain[1..]).expect("gzip in memory");
    let gz = gz.finish().expect("gzip in memory");
    seeds.push((format!("seed_{:02}_gzip", seeds.len() + 1), gz));
    seeds
}

/// The id of option `n` of the first question of a template.
fn first_option(t: &Template, n: usize) -> String {
    match t.questions().next().map(|q| &q.kind) {
        Some(Kind::Single { options } | Kind::Multiple { options, .. }) => {
            options[n.min(options.len() - 1)].id.clone()
        }
        _ => String::new(),
    }
}
