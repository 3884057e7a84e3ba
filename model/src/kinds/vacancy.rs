//! A management post that became vacant (a target post of 000 §6: director, deputy director of
//! a school) and how it was filled: from the reserve (the candidate named) or otherwise. The
//! centre head keeps them; two of the programme's indicators count them (the share of vacant
//! target posts filled from the reserve, the share of appointments made from it). The centre's
//! own records.

use super::{
    FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, check_date, check_uuid, text,
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
    needs: super::no_needs,
    check: super::no_check,
    follow: super::no_follow,
};

fn audience(_: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    vec![ReadKey::Centre]
}
