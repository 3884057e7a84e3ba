//! Targeted recommendations (адресные рекомендации, 002 §4.6, §7.2) from a mentor to a school,
//! after a test result, a visit, a consultation, the self-analysis card or monitoring; tied to
//! the school and optionally a person, a risk factor or competency areas, and a deadline. The
//! mentor drafts them (read by the school's advisers and the centre only); once sent they reach
//! the school's management team and their text is final: the team acknowledges them and may
//! make a measure of its anti-risk programme from one. The server stamps the author's name and
//! who acknowledged them, and when.

use serde_json::json;

use super::{
    Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, ServerWrite, Who, check_date,
    check_uuid, text,
};
use crate::access::ReadKey;
use crate::forms::recommendation::{
    self as rec, F_ACK, F_ACK_BY, F_ACK_ON, F_AUTHOR, F_DEADLINE, F_FACTOR, F_MEASURE, F_PERSON,
    F_SOURCE, F_SOURCE_ID,
};
use crate::record::{DELETED, Record, Scope};
use crate::support::programme::check_factor;

pub const SPEC: KindSpec = KindSpec {
    name: rec::RECOMMENDATION_KIND,
    label: "Адресные рекомендации",
    scope: ScopeRule::School,
    id: IdRule::Fresh,
    parents: &[],
    rules: &[
        Rule {
            who: Who::Adviser,
            create: true,
            fields: &["*", DELETED],
        },
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*", DELETED],
        },
        Rule {
            who: Who::Team,
            create: false,
            fields: &[F_ACK, F_MEASURE],
        },
    ],
    server_fields: &[F_AUTHOR, F_ACK_BY, F_ACK_ON],
    fields: &[
        text(rec::F_TITLE, "Заголовок", 200),
        text(rec::F_TEXT, "Текст рекомендаций", 20_000),
        FieldSpec {
            name: rec::F_AREAS,
            label: "Области",
            ty: FieldType::Check(check_id_list),
        },
        FieldSpec {
            name: rec::F_STATE,
            label: "Состояние",
            ty: FieldType::Choice(check_state, |v| super::word_of(&STATES, v)),
        },
        text(F_AUTHOR, "Автор", 200),
        FieldSpec {
            name: F_SOURCE,
            label: "Основание",
            ty: FieldType::Choice(check_source, |v| super::word_of(&rec::SOURCES, v)),
        },
        FieldSpec {
            name: F_SOURCE_ID,
            label: "Запись-основание",
            ty: FieldType::Check(check_uuid),
        },
        text(F_PERSON, "Кому в школе", 200),
        FieldSpec {
            name: F_FACTOR,
            label: "Фактор риска",
            ty: FieldType::Choice(check_factor, crate::support::factor_words),
        },
        FieldSpec {
            name: F_DEADLINE,
            label: "Срок",
            ty: FieldType::Check(check_date),
        },
        FieldSpec {
            name: F_ACK,
            label: "Принято к сведению",
            ty: FieldType::Check(check_true),
        },
        text(F_ACK_BY, "Кто принял", 200),
        FieldSpec {
            name: F_ACK_ON,
            label: "Когда принято",
            ty: FieldType::Check(check_date),
        },
        FieldSpec {
            name: crate::practices::F_MATERIALS,
            label: "Материалы банка практик",
            ty: FieldType::Check(crate::practices::check_links),
        },
        FieldSpec {
            name: F_MEASURE,
            label: "Мероприятие программы",
            ty: FieldType::Check(check_uuid),
        },
    ],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs: super::no_needs,
    check,
    follow,
};

fn sent(r: &Record) -> bool {
    r.text(rec::F_STATE) == "sent"
}

/// A draft is the advisers' and the centre's; sent, it reaches the school's team too.
fn audience(r: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    let Scope::School(s) = r.scope else {
        return vec![ReadKey::Centre];
    };
    let mut keys = vec![ReadKey::Advisers(s), ReadKey::Centre];
    if sent(r) {
        keys.push(ReadKey::Team(s));
    }
    keys
}

/// The school's answer to a sent recommendation.
const SCHOOL_FIELDS: [&str; 2] = [F_ACK, F_MEASURE];

fn check(ctx: &Ctx) -> Result<(), String> {
    let answering = ctx
        .fields
        .keys()
        .any(|f| SCHOOL_FIELDS.contains(&f.as_str()));
    let others = ctx
        .fields
        .keys()
        .any(|f| !SCHOOL_FIELDS.contains(&f.as_str()));
    let was_sent = ctx.before.is_some_and(sent);
    if was_sent && others {
        return Err("Рекомендации уже отправлены школе и больше не меняются.".into());
    }
    if answering && !was_sent {
        return Err("Школа отвечает только на отправленные ей рекомендации.".into());
    }
    if answering && !ctx.actor.in_team_of(&ctx.after.scope) {
        return Err("Принимает рекомендации к сведению сама школа.".into());
    }
    // Acknowledged is for good: `null` (which clears any field) would take it back and leave
    // the stamped name and day behind.
    if ctx
        .fields
        .get(F_ACK)
        .is_some_and(serde_json::Value::is_null)
    {
        return Err("Отметка «принято к сведению» не снимается.".into());
    }
    Ok(())
}

fn follow(ctx: &Ctx) -> Vec<ServerWrite> {
    if ctx.before.is_none() {
        return vec![ServerWrite::to(
            ctx.after,
            SPEC.name,
            &[(F_AUTHOR, json!(ctx.actor.name))],
        )];
    }
    let acknowledged_now = ctx.fields.get(F_ACK) == Some(&json!(true))
        && ctx.before.and_then(|b| b.get(F_ACK)) != Some(&json!(true));
    if acknowledged_now {
        return vec![ServerWrite::to(
            ctx.after,
            SPEC.name,
            &[
                (F_ACK_BY, json!(ctx.actor.name)),
                (F_ACK_ON, json!(crate::forms::answer::iso_day(ctx.now_ms))),
            ],
        )];
    }
    Vec::new()
}

fn check_id_list(v: &serde_json::Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|l| {
        l.len() <= 50
            && l.iter()
                .all(|x| x.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 40))
    });
    if ok {
        Ok(())
    } else {
        Err("список областей".into())
    }
}

const STATES: [(&str, &str); 2] = [("draft", "черновик"), ("sent", "отправлено")];

fn check_state(v: &serde_json::Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if STATES.iter().any(|(k, _)| *k == s) => Ok(()),
        _ => Err("«черновик» или «отправлено»".into()),
    }
}

fn check_source(v: &serde_json::Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if rec::SOURCES.iter().any(|(k, _)| *k == s) => Ok(()),
        _ => Err("одно из оснований рекомендаций".into()),
    }
}

fn check_true(v: &serde_json::Value) -> Result<(), String> {
    if v.as_bool() == Some(true) {
        Ok(())
    } else {
        Err("только «да»".into())
    }
}
