//! One item of a leader's personal deficit plan (персонифицированный план восполнения
//! профессиональных дефицитов, 002 §4.2; the five kinds of support measures of 004, stage 2).
//! Its parent is the leader's test response: the leader and the school's advisers (and the
//! centre) write it, and it is read by exactly the people who read that response.

use super::{FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, check_date, text};
use crate::forms::{self, plan};
use crate::record::DELETED;

pub const SPEC: KindSpec = KindSpec {
    name: plan::PLAN_ITEM_KIND,
    label: "Пункт плана восполнения дефицитов",
    scope: ScopeRule::Respondent,
    id: IdRule::Fresh,
    parents: &[forms::RESPONSE_KIND],
    rules: &[
        Rule {
            who: Who::ParentOwner,
            create: true,
            fields: &["*", DELETED],
        },
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
    server_fields: &[],
    fields: &[
        text(plan::F_AREA, "Дефицит", 40),
        FieldSpec {
            name: plan::F_MEASURE_KIND,
            label: "Вид меры",
            ty: FieldType::Choice(plan::check_measure_kind, |v| {
                super::word_of(&plan::MEASURE_KINDS, v)
            }),
        },
        text(plan::F_MEASURE, "Мероприятие", 1_000),
        FieldSpec {
            name: plan::F_DEADLINE,
            label: "Срок",
            ty: FieldType::Check(check_date),
        },
        text(plan::F_RESPONSIBLE, "Ответственный", 200),
        FieldSpec {
            name: plan::F_STATUS,
            label: "Состояние",
            ty: FieldType::Choice(plan::check_status, |v| super::word_of(&plan::STATUSES, v)),
        },
    ],
    anonymous: false,
    owner: super::no_owner,
    audience: super::inherit,
    needs: super::no_needs,
    check: super::no_check,
    follow: super::no_follow,
};
