//! A value of one of the programme's indicators for a year, entered by the centre head where
//! the system cannot compute it (`crate::workplan::indicators`): one record per indicator and
//! year (its id derived from both), read by the centre and its specialists.

use super::{Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, text};
use serde_json::Value;

use crate::access::ReadKey;
use crate::record::{Record, Scope};
use crate::role::Role;
use crate::workplan::indicators::{self as i, F_CODE, F_SOURCE, F_VALUE, F_YEAR};

pub const SPEC: KindSpec = KindSpec {
    name: i::KIND,
    label: "Значение показателя программы",
    scope: ScopeRule::Centre,
    id: IdRule::Derived(derive),
    parents: &[],
    rules: &[Rule {
        who: Who::Centre,
        create: true,
        fields: &["*"],
    }],
    server_fields: &[],
    fields: &[
        FieldSpec {
            name: F_CODE,
            label: "Показатель",
            ty: FieldType::Check(i::check_code),
        },
        FieldSpec {
            name: F_YEAR,
            label: "Год",
            ty: FieldType::Integer {
                min: 2000,
                max: 2100,
            },
        },
        FieldSpec {
            name: F_VALUE,
            label: "Значение, %",
            ty: FieldType::Check(check_percent),
        },
        text(F_SOURCE, "Источник", 1_000),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs: super::no_needs,
    check,
    follow: super::no_follow,
};

fn derive(ctx: &Ctx) -> Option<(uuid::Uuid, Scope)> {
    let code = ctx.after.get(F_CODE)?.as_str()?;
    let year = ctx.after.get(F_YEAR)?.as_i64()?;
    Some((i::value_id(code, year), Scope::Centre))
}

fn check(ctx: &Ctx) -> Result<(), String> {
    super::fixed(ctx, F_CODE, "Показатель")?;
    super::fixed(ctx, F_YEAR, "Год")
}

fn audience(_: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    vec![
        ReadKey::Centre,
        ReadKey::Role(Role::Mentor),
        ReadKey::Role(Role::Curator),
    ]
}

/// Every indicator of the programme is a share in per cent (`workplan::indicators`).
fn check_percent(v: &Value) -> Result<(), String> {
    match v.as_f64() {
        Some(n) if (0.0..=100.0).contains(&n) => Ok(()),
        _ => Err("процент от 0 до 100".into()),
    }
}
