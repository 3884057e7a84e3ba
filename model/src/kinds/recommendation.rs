//! Targeted recommendations (адресные рекомендации, 002 §4.6, §7.2) from a mentor to a school.
//! The mentor drafts them (read by the school's advisers and the centre only); once sent they
//! reach the school's management team and are final. The server stamps the author's name.

use serde_json::json;

use super::{Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, ServerWrite, Who, text};
use crate::access::ReadKey;
use crate::forms::recommendation as rec;
use crate::record::{DELETED, Record, Scope};

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
    ],
    server_fields: &[rec::F_AUTHOR],
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
            ty: FieldType::Check(check_state),
        },
        text(rec::F_AUTHOR, "Автор", 200),
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

fn check(ctx: &Ctx) -> Result<(), String> {
    if ctx.before.is_some_and(sent) {
        return Err("Рекомендации уже отправлены школе и больше не меняются.".into());
    }
    Ok(())
}

fn follow(ctx: &Ctx) -> Vec<ServerWrite> {
    if ctx.before.is_some() {
        return Vec::new();
    }
    vec![ServerWrite::to(
        ctx.after,
        SPEC.name,
        &[(rec::F_AUTHOR, json!(ctx.actor.name))],
    )]
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

fn check_state(v: &serde_json::Value) -> Result<(), String> {
    match v.as_str() {
        Some("draft" | "sent") => Ok(()),
        _ => Err("«черновик» или «отправлено»".into()),
    }
}
