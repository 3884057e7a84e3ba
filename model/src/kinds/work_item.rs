//! An item of the centre's plan of work for a school year, with its execution report
//! (`crate::workplan`). The centre head plans it and may change anything; the person
//! responsible for it (named in its `addressee` field) reports on it: status, report text and
//! evidence. The centre's mentors and curators read the plan (the person responsible is one
//! of them, or the head).

use super::{FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, Who, check_uuid, text};
use crate::access::ReadKey;
use crate::record::{DELETED, Record};
use crate::role::Role;
use crate::workplan::{
    self as w, F_CONTENT, F_DIRECTION, F_EVIDENCE, F_LINK, F_MONTHS, F_PEOPLE, F_PERIOD, F_PLACE,
    F_REPORT, F_RESPONSIBLE, F_SCHOOLS, F_STATUS, F_YEAR,
};

const fn check(
    name: &'static str,
    label: &'static str,
    rule: fn(&serde_json::Value) -> Result<(), String>,
) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Check(rule),
    }
}

const fn choice(
    name: &'static str,
    label: &'static str,
    rule: fn(&serde_json::Value) -> Result<(), String>,
    words: fn(&str) -> Option<&'static str>,
) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Choice(rule, words),
    }
}

pub const SPEC: KindSpec = KindSpec {
    name: w::KIND,
    label: "Мероприятие плана работы центра",
    scope: ScopeRule::Centre,
    id: IdRule::Fresh,
    parents: &[],
    rules: &[
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*", DELETED],
        },
        Rule {
            who: Who::Addressee,
            create: false,
            fields: &[F_STATUS, F_REPORT, F_EVIDENCE],
        },
    ],
    server_fields: &[],
    fields: &[
        FieldSpec {
            name: F_YEAR,
            label: "Учебный год",
            ty: FieldType::Integer {
                min: *crate::WORK_YEARS.start(),
                max: *crate::WORK_YEARS.end(),
            },
        },
        choice(
            F_DIRECTION,
            "Направление",
            w::check_direction,
            |v| super::word_of(&w::DIRECTIONS, v),
        ),
        text(F_CONTENT, "Содержание работы", 2_000),
        choice(F_PERIOD, "Сроки", w::check_period, |v| {
            super::word_of(&w::PERIODS, v)
        }),
        check(F_MONTHS, "Месяцы", w::check_months),
        text(F_PLACE, "Место проведения", 300),
        check(F_RESPONSIBLE, "Ответственный", check_uuid),
        text(F_PEOPLE, "Ответственный, привлечённые специалисты", 1_000),
        check(F_SCHOOLS, "Школы", w::check_ids),
        choice(F_STATUS, "Состояние", w::check_status, |v| {
            super::word_of(&w::STATUSES, v)
        }),
        text(F_REPORT, "Отчёт о выполнении", 20_000),
        check(F_EVIDENCE, "Источники", w::check_evidence),
        check(F_LINK, "Данные системы", w::check_link),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs: super::addressee_needs,
    check: check_item,
    follow: super::no_follow,
};

/// The fields every list, print view and table of the plan files an item under: an item
/// without its direction is in none of them.
const FILED_BY: [(&str, &str); 3] = [
    (F_DIRECTION, "направление"),
    (F_PERIOD, "сроки"),
    (F_STATUS, "состояние"),
];

fn check_item(ctx: &super::Ctx) -> Result<(), String> {
    super::addressee_is_specialist(ctx)?;
    if ctx.only_deletes() {
        return Ok(());
    }
    for (field, what) in FILED_BY {
        let given = ctx.before.is_none() || ctx.fields.contains_key(field);
        if given && ctx.after.get(field).is_none_or(serde_json::Value::is_null) {
            return Err(format!(
                "Укажите {what} мероприятия: по ним оно стоит в плане работы и в отчёте."
            ));
        }
    }
    Ok(())
}

/// The centre and its specialists. The person responsible is always one of them (only a
/// mentor, curator or the head may act as `Who::Addressee`), so no `person:` key: it would
/// show the item to anyone else the field names, and when the head names another person the
/// changes filed under the old key would still reach the one named before, and their
/// computers would keep the item (sync takes records back only when a person's grants change).
fn audience(_: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    vec![
        ReadKey::Centre,
        ReadKey::Role(Role::Mentor),
        ReadKey::Role(Role::Curator),
    ]
}
