//! A management post that became vacant (a target post of 000 §6: director, deputy director of
//! a school) and how it was filled: from the reserve (the candidate named) or otherwise. The
//! centre head keeps them; two of the programme's indicators count them (the share of vacant
//! target posts filled from the reserve, the share of appointments made from it). The centre's
//! own records.

use serde_json::Value;
use uuid::Uuid;

use super::{
    Ctx, FieldSpec, FieldType, IdRule, KindSpec, Need, Rule, ScopeRule, Who, check_date,
    check_uuid, text,
};
use crate::access::ReadKey;
use crate::record::{DELETED, Record};
use crate::reserve::{
    V_APPOINTEE, V_CANDIDATE, V_FILLED_ON, V_OPENED_ON, V_PLACE, V_POST, VACANCY_KIND,
};

pub const SPEC: KindSpec = KindSpec {
    name: VACANCY_KIND,
    label: "Вакантная руководящая должность",
    scope: ScopeRule::Centre,
    id: IdRule::Fresh,
    parents: &[],
    rules: &[Rule {
        who: Who::Centre,
        create: true,
        fields: &["*", DELETED],
    }],
    server_fields: &[],
    fields: &[
        text(V_POST, "Должность", 300),
        text(V_PLACE, "Образовательная организация", 300),
        FieldSpec {
            name: V_OPENED_ON,
            label: "Вакантна с",
            ty: FieldType::Check(check_date),
        },
        FieldSpec {
            name: V_FILLED_ON,
            label: "Замещена",
            ty: FieldType::Check(check_date),
        },
        FieldSpec {
            name: V_CANDIDATE,
            label: "Назначен из резерва",
            ty: FieldType::Check(check_uuid),
        },
        text(V_APPOINTEE, "Назначен (не из резерва)", 300),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs,
    check,
    follow: super::no_follow,
};

fn audience(_: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    vec![ReadKey::Centre]
}

fn candidate(r: &Record) -> Option<Uuid> {
    r.get(V_CANDIDATE)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// The candidate it names, to check they are in the registry.
fn needs(r: &Record) -> Vec<Need> {
    candidate(r).map(Need::Record).into_iter().collect()
}

fn check(ctx: &Ctx) -> Result<(), String> {
    super::check_order(ctx, &SPEC, V_OPENED_ON, V_FILLED_ON)?;
    if !ctx.fields.contains_key(V_CANDIDATE) {
        return Ok(());
    }
    let Some(id) = candidate(ctx.after) else {
        return Ok(());
    };
    let in_registry = ctx.record(id).is_some_and(|c| {
        c.kind == crate::reserve::CANDIDATE_KIND
            && !c.is_deleted()
            && crate::reserve::stage_of(c) == crate::reserve::Stage::Registry
    });
    if in_registry {
        Ok(())
    } else {
        Err("Из резерва назначают кандидата из реестра: выберите его из списка.".into())
    }
}
