//! A measure of a section of an anti-risk programme: what is done, which of the five kinds of
//! support it is (004 stage 2), the deadline, who is responsible, the participants, the status
//! and the evidence of execution (`crate::support::programme`); a measure may come from a
//! targeted recommendation (its `source`).

use super::{
    FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, check_date, check_uuid, text,
};
use crate::forms::plan;
use crate::record::DELETED;
use crate::support::programme::{
    self as p, F_COMMENT, F_CONTENT, F_DEADLINE, F_EVIDENCE, F_PARTICIPANTS, F_RESPONSIBLE,
    F_SOURCE, F_STATUS, F_SUPPORT,
};

const SCHOOL_FIELDS: &[&str] = &[
    F_CONTENT,
    F_SUPPORT,
    F_DEADLINE,
    F_RESPONSIBLE,
    F_PARTICIPANTS,
    F_STATUS,
    F_EVIDENCE,
    F_SOURCE,
    crate::practices::F_MATERIALS,
    DELETED,
];

pub const SPEC: KindSpec = KindSpec {
    name: p::MEASURE_KIND,
    label: "Мероприятие антирисковой программы",
    scope: ScopeRule::School,
    id: IdRule::Fresh,
    parents: &[p::SECTION_KIND],
    rules: &[
        Rule {
            who: Who::Team,
            create: true,
            fields: SCHOOL_FIELDS,
        },
        Rule {
            who: Who::Adviser,
            create: true,
            fields: SCHOOL_FIELDS,
        },
        Rule {
            who: Who::Adviser,
            create: true,
            fields: &[F_COMMENT],
        },
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*", DELETED],
        },
    ],
    server_fields: &[],
    fields: &[
        text(F_CONTENT, "Мероприятие", 2_000),
        FieldSpec {
            name: F_SUPPORT,
            label: "Вид поддержки",
            ty: FieldType::Choice(plan::check_measure_kind, |v| {
                super::word_of(&plan::MEASURE_KINDS, v)
            }),
        },
        FieldSpec {
            name: F_DEADLINE,
            label: "Срок",
            ty: FieldType::Check(check_date),
        },
        text(F_RESPONSIBLE, "Ответственный", 300),
        text(F_PARTICIPANTS, "Участники", 1_000),
        FieldSpec {
            name: F_STATUS,
            label: "Состояние",
            ty: FieldType::Choice(p::check_status, |v| super::word_of(&p::MEASURE_STATUSES, v)),
        },
        text(F_EVIDENCE, "Подтверждение выполнения", 5_000),
        FieldSpec {
            name: crate::practices::F_MATERIALS,
            label: "Материалы банка практик",
            ty: FieldType::Check(crate::practices::check_links),
        },
        FieldSpec {
            name: F_SOURCE,
            label: "Из рекомендации",
            ty: FieldType::Check(check_uuid),
        },
        text(F_COMMENT, "Комментарий наставника", 5_000),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience: super::school_circle,
    needs: super::no_needs,
    check: super::no_check,
    follow: super::no_follow,
};
