//! A school's indices for one year (`crate::monitoring`): ИОР, ИСБШ, the ГИА and ВПР results,
//! the share of evening students and whether the school is of an advanced level, as the regional
//! assessment centre publishes them (002 §II). One record per school and year (id derived from
//! both, so a second import of the same school and year replaces the first), written by the
//! centre, read by the school's team, its advisers and the centre.

use super::{Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, text};
use crate::monitoring::{
    self as m, F_ADVANCED, F_EVENING, F_GIA, F_IOR, F_ISBSH, F_SOURCE, F_VPR, F_YEAR,
};
use crate::record::Scope;

const fn share(name: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Check(m::check_share),
    }
}

pub const SPEC: KindSpec = KindSpec {
    name: m::KIND,
    label: "Индексы школы за год",
    scope: ScopeRule::School,
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
            name: F_YEAR,
            label: "Год",
            ty: FieldType::Integer {
                min: m::YEARS.0,
                max: m::YEARS.1,
            },
        },
        share(F_IOR, "ИОР"),
        share(F_ISBSH, "ИСБШ"),
        share(F_GIA, "Результат ГИА"),
        share(F_VPR, "Результат ВПР"),
        share(F_EVENING, "Доля обучающихся вечерней формы"),
        FieldSpec {
            name: F_ADVANCED,
            label: "Школа повышенного уровня",
            ty: FieldType::Check(m::check_flag),
        },
        text(F_SOURCE, "Источник", 500),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience: super::school_circle,
    needs: super::no_needs,
    check,
    follow: super::no_follow,
};

fn derive(ctx: &Ctx) -> Option<(uuid::Uuid, Scope)> {
    let year = ctx.after.get(F_YEAR)?.as_i64()?;
    let Scope::School(school) = ctx.after.scope else {
        return None;
    };
    Some((m::indices_id(school, year), ctx.after.scope.clone()))
}

fn check(ctx: &Ctx) -> Result<(), String> {
    super::fixed(ctx, F_YEAR, "Год")
}
