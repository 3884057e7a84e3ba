//! An indicator of a section of an anti-risk programme: its baseline, its target and the actual
//! value at the end of each quarter, which the school enters (`crate::support::programme`).

use super::{FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, check_number, text};
use crate::record::DELETED;
use crate::support::programme::{
    self as p, F_BASELINE, F_COMMENT, F_NAME, F_QUARTERS, F_TARGET, F_UNIT,
};

const fn number(name: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Check(check_number),
    }
}

pub const SPEC: KindSpec = KindSpec {
    name: p::INDICATOR_KIND,
    label: "Показатель антирисковой программы",
    scope: ScopeRule::School,
    id: IdRule::Fresh,
    parents: &[p::SECTION_KIND],
    rules: &[
        Rule {
            who: Who::Team,
            create: true,
            fields: &[
                F_NAME, F_UNIT, F_BASELINE, F_TARGET, "q1", "q2", "q3", "q4", DELETED,
            ],
        },
        Rule {
            who: Who::Adviser,
            create: true,
            fields: &[F_NAME, F_UNIT, F_BASELINE, F_TARGET, F_COMMENT, DELETED],
        },
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*", DELETED],
        },
    ],
    server_fields: &[],
    fields: &[
        text(F_NAME, "Показатель", 500),
        text(F_UNIT, "Единица измерения", 50),
        number(F_BASELINE, "Исходное значение"),
        number(F_TARGET, "Целевое значение"),
        number(F_QUARTERS[0], "Факт на конец I квартала"),
        number(F_QUARTERS[1], "Факт на конец II квартала"),
        number(F_QUARTERS[2], "Факт на конец III квартала"),
        number(F_QUARTERS[3], "Факт на конец IV квартала"),
        text(F_COMMENT, "Комментарий наставника", 5_000),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience: super::school_circle,
    needs: super::no_needs,
    check: super::no_check,
    follow: super::no_follow,
};
