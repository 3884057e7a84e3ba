//! A section of an anti-risk programme: one risk factor with its level, goal and tasks
//! (`crate::support::programme`). Its id is derived from the programme and the factor, so the
//! pre-fill from the self-analysis card on two computers makes one section.

use super::{Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, text};
use crate::record::{DELETED, Scope};
use crate::support::programme::{self as p, F_COMMENT, F_FACTOR, F_GOAL, F_LEVEL, F_TASKS};

pub const SPEC: KindSpec = KindSpec {
    name: p::SECTION_KIND,
    label: "Раздел антирисковой программы",
    scope: ScopeRule::School,
    id: IdRule::Derived(derive),
    parents: &[p::PROGRAMME_KIND],
    rules: &[
        Rule {
            who: Who::Team,
            create: true,
            fields: &[F_FACTOR, F_LEVEL, F_GOAL, F_TASKS, DELETED],
        },
        Rule {
            who: Who::Adviser,
            create: true,
            fields: &[F_FACTOR, F_LEVEL, F_GOAL, F_TASKS, F_COMMENT, DELETED],
        },
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*", DELETED],
        },
    ],
    server_fields: &[],
    fields: &[
        FieldSpec {
            name: F_FACTOR,
            label: "Фактор риска",
            ty: FieldType::Choice(p::check_factor, crate::support::factor_words),
        },
        FieldSpec {
            name: F_LEVEL,
            label: "Уровень риска",
            ty: FieldType::Choice(p::check_level, |v| super::word_of(&p::LEVELS, v)),
        },
        text(F_GOAL, "Цель", 2_000),
        text(F_TASKS, "Задачи", 5_000),
        text(F_COMMENT, "Комментарий наставника", 5_000),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience: super::school_circle,
    needs: super::no_needs,
    check,
    follow: super::no_follow,
};

fn derive(ctx: &Ctx) -> Option<(uuid::Uuid, Scope)> {
    let programme = ctx.after.parent?;
    let factor = ctx.after.get(F_FACTOR)?.as_str()?;
    Some((p::section_id(programme, factor), ctx.after.scope.clone()))
}

fn check(ctx: &Ctx) -> Result<(), String> {
    super::fixed(ctx, F_FACTOR, "Фактор риска")
}
