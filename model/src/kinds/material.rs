//! A material of the bank of practices ([`crate::practices`]): the moderator or the centre head
//! writes it as a draft and publishes it; published, every signed-in person reads it (and its
//! files). The server stamps the author and the day it was published.

use serde_json::{Value, json};

use super::{
    Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, ServerWrite, Who, check_uuid,
    text,
};
use crate::access::ReadKey;
use crate::practices::{
    self as p, F_AREAS, F_AUTHOR, F_FACTORS, F_PUBLISHED_ON, F_SCHOOL, F_SOURCE, F_STATE,
    F_SUMMARY, F_TITLE, F_TYPE,
};
use crate::record::{DELETED, Record};
use crate::role::Role;

pub const SPEC: KindSpec = KindSpec {
    name: p::MATERIAL_KIND,
    label: "Материал банка практик",
    scope: ScopeRule::Centre,
    id: IdRule::Fresh,
    parents: &[],
    rules: &[
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*", DELETED],
        },
        Rule {
            who: Who::Moderator,
            create: true,
            fields: &["*", DELETED],
        },
    ],
    server_fields: &[F_AUTHOR, F_PUBLISHED_ON],
    fields: &[
        text(F_TITLE, "Название", 300),
        text(F_SUMMARY, "Краткое содержание", 10_000),
        FieldSpec {
            name: F_TYPE,
            label: "Вид материала",
            ty: FieldType::Choice(check_type, |v| super::word_of(&p::TYPES, v)),
        },
        FieldSpec {
            name: F_SCHOOL,
            label: "Школа",
            ty: FieldType::Check(check_uuid),
        },
        text(F_SOURCE, "Источник", 300),
        FieldSpec {
            name: F_FACTORS,
            label: "Факторы риска",
            ty: FieldType::Check(check_factors),
        },
        FieldSpec {
            name: F_AREAS,
            label: "Области компетенций",
            ty: FieldType::Check(check_areas),
        },
        FieldSpec {
            name: F_STATE,
            label: "Состояние",
            ty: FieldType::Choice(check_state, |v| super::word_of(&STATES, v)),
        },
        text(F_AUTHOR, "Автор", 200),
        FieldSpec {
            name: F_PUBLISHED_ON,
            label: "Опубликовано",
            ty: FieldType::Check(super::check_date),
        },
    ],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs: super::no_needs,
    check,
    follow,
};

/// A draft is the centre's (the head and the moderator); published, it is everybody's.
fn audience(r: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    if p::is_published(r) {
        Role::ALL.iter().map(|role| ReadKey::Role(*role)).collect()
    } else {
        vec![ReadKey::Centre, ReadKey::Role(Role::Moderator)]
    }
}

fn check(ctx: &Ctx) -> Result<(), String> {
    // Readers who received it keep it: a material is withdrawn by deleting it, which reaches
    // them all.
    if ctx.before.is_some_and(p::is_published) && !p::is_published(ctx.after) {
        return Err(
            "Опубликованный материал не возвращается в черновики: чтобы убрать его, удалите \
             материал."
                .into(),
        );
    }
    if ctx.only_deletes() {
        return Ok(());
    }
    if p::is_published(ctx.after) {
        if ctx.after.text(F_TITLE).trim().is_empty() {
            return Err("У материала нет названия: его нельзя опубликовать.".into());
        }
        if ctx.after.text(F_TYPE).is_empty() {
            return Err("Укажите вид материала, чтобы его опубликовать.".into());
        }
    }
    Ok(())
}

fn follow(ctx: &Ctx) -> Vec<ServerWrite> {
    let mut writes = Vec::new();
    if ctx.before.is_none() {
        writes.push((F_AUTHOR, json!(ctx.actor.name)));
    }
    if ctx.became(F_STATE, "published") {
        writes.push((
            F_PUBLISHED_ON,
            json!(crate::forms::answer::iso_day(ctx.now_ms)),
        ));
    }
    if writes.is_empty() {
        return Vec::new();
    }
    vec![ServerWrite::to(ctx.after, SPEC.name, &writes)]
}

fn check_type(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if p::TYPES.iter().any(|(t, _)| *t == s) => Ok(()),
        _ => Err("один из видов материалов банка практик".into()),
    }
}

const STATES: [(&str, &str); 2] = [("draft", "черновик"), ("published", "опубликовано")];

fn check_state(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if STATES.iter().any(|(k, _)| *k == s) => Ok(()),
        _ => Err("«черновик» или «опубликовано»".into()),
    }
}

fn check_factors(v: &Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|l| {
        l.len() <= crate::support::RISK_FACTORS.len()
            && l.iter().all(|x| {
                x.as_str()
                    .is_some_and(|s| crate::support::RISK_FACTORS.iter().any(|(f, _)| *f == s))
            })
    });
    if ok {
        Ok(())
    } else {
        Err("список факторов риска карты самоанализа".into())
    }
}

fn check_areas(v: &Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|l| {
        l.len() <= 50
            && l.iter().all(|x| {
                x.as_str().is_some_and(|s| {
                    !s.is_empty()
                        && s.len() <= 40
                        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                })
            })
    });
    if ok {
        Ok(())
    } else {
        Err("список областей компетенций".into())
    }
}
