//! The anti-risk programme of a school for a year (`crate::support::programme`): one record per
//! school and year, under an id derived from both, so the school and its mentor starting it on
//! two computers start one programme. The team and the advisers write it; the advisers and the
//! centre comment; the centre head records the public presentation and the verdict (002 §4.3.2).

use super::{Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, check_date, text};
use crate::record::Scope;
use crate::support::programme::{
    self as p, F_ANALYSIS, F_COMMENT, F_PRESENTED_ON, F_PRESENTED_WHO, F_TITLE, F_VERDICT, F_YEAR,
};

pub const SPEC: KindSpec = KindSpec {
    name: p::PROGRAMME_KIND,
    label: "Антирисковая программа школы",
    scope: ScopeRule::School,
    id: IdRule::Derived(derive),
    parents: &[],
    rules: &[
        Rule {
            who: Who::Team,
            create: true,
            fields: &[F_YEAR, F_TITLE, F_ANALYSIS],
        },
        Rule {
            who: Who::Adviser,
            create: true,
            fields: &[F_YEAR, F_TITLE, F_ANALYSIS, F_COMMENT],
        },
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*"],
        },
    ],
    server_fields: &[],
    fields: &[
        FieldSpec {
            name: F_YEAR,
            label: "Год",
            ty: FieldType::Integer {
                min: *crate::WORK_YEARS.start(),
                max: *crate::WORK_YEARS.end(),
            },
        },
        text(F_TITLE, "Название", 300),
        text(F_ANALYSIS, "Анализ выполнения за год", 20_000),
        text(F_COMMENT, "Комментарий наставника", 5_000),
        FieldSpec {
            name: F_PRESENTED_ON,
            label: "Дата публичного представления",
            ty: FieldType::Check(check_date),
        },
        text(F_PRESENTED_WHO, "Присутствовали", 2_000),
        FieldSpec {
            name: F_VERDICT,
            label: "Решение",
            ty: FieldType::Choice(p::check_verdict, |v| super::word_of(&p::VERDICTS, v)),
        },
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
    Some((p::programme_id(school, year), ctx.after.scope.clone()))
}

fn check(ctx: &Ctx) -> Result<(), String> {
    super::fixed(ctx, F_YEAR, "Год")?;
    if !ctx.after.text(F_VERDICT).is_empty() && ctx.after.text(F_PRESENTED_ON).is_empty() {
        return Err("Укажите дату публичного представления программы.".into());
    }
    Ok(())
}
