//! The passport of a school (basic facts kept by its team): one record per school, under an id
//! derived from the school, so two computers of the school fill one record.

use uuid::Uuid;

use super::{FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, text};
use crate::access::ReadKey;
use crate::record::{Record, Scope, singleton_id};

pub const KIND: &str = "school_profile";

/// The one profile record of a school.
pub fn id(school: Uuid) -> Uuid {
    singleton_id(KIND, &Scope::School(school))
}

pub const SPEC: KindSpec = KindSpec {
    name: KIND,
    label: "Сведения о школе",
    scope: ScopeRule::School,
    id: IdRule::Derived(|ctx| {
        Some((
            singleton_id(KIND, &ctx.after.scope),
            ctx.after.scope.clone(),
        ))
    }),
    parents: &[],
    rules: &[
        Rule {
            who: Who::Team,
            create: true,
            fields: &["*"],
        },
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*"],
        },
    ],
    server_fields: &[],
    fields: &[
        text("director", "Директор (ФИО)", 200),
        text("phone", "Телефон", 50),
        text("email", "Электронная почта", 100),
        text("address", "Адрес", 300),
        FieldSpec {
            name: "students",
            label: "Число обучающихся",
            ty: FieldType::Integer {
                min: 0,
                max: 10_000,
            },
        },
        FieldSpec {
            name: "teachers",
            label: "Число педагогов",
            ty: FieldType::Integer { min: 0, max: 1_000 },
        },
        text("internet", "Скорость интернета", 100),
        text("note", "Примечание", 2_000),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs: super::no_needs,
    check: super::no_check,
    follow: super::no_follow,
};

/// The whole staff (teachers too), the school's advisers and the centre.
fn audience(r: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    match r.scope {
        Scope::School(s) => vec![ReadKey::Staff(s), ReadKey::Advisers(s), ReadKey::Centre],
        _ => vec![ReadKey::Centre],
    }
}
