//! A mentor's visit or event with a school, with its findings and, for a lesson, the observation
//! protocol (`crate::support::visit`). Recorded by the school's mentors and curators or the
//! centre head, changed afterwards only by the one who recorded it or the head; read by the
//! school's management team too; the server stamps the author.

use serde_json::json;

use super::{
    Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, ServerWrite, Who, check_date,
    text,
};
use crate::record::DELETED;
use crate::support::visit::{
    self as v, F_AUTHOR, F_DATE, F_FINDINGS, F_GRADE, F_OBSERVED, F_PARTICIPANTS, F_PLACE,
    F_STRENGTHS, F_SUBJECT, F_TEACHER, F_TYPE, F_WEAKNESSES,
};

pub const SPEC: KindSpec = KindSpec {
    name: v::KIND,
    label: "Посещение или мероприятие наставника",
    scope: ScopeRule::School,
    id: IdRule::Fresh,
    parents: &[],
    rules: &[
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
    server_fields: &[F_AUTHOR],
    fields: &[
        FieldSpec {
            name: F_TYPE,
            label: "Вид",
            ty: FieldType::Choice(v::check_type, |t| super::word_of(&v::TYPES, t)),
        },
        FieldSpec {
            name: F_DATE,
            label: "Дата",
            ty: FieldType::Check(check_date),
        },
        text(F_PLACE, "Место", 300),
        text(F_PARTICIPANTS, "Участники", 2_000),
        text(F_FINDINGS, "Справка по итогам", 20_000),
        text(F_GRADE, "Класс", 20),
        text(F_SUBJECT, "Предмет", 100),
        text(F_TEACHER, "Учитель", 200),
        text(F_OBSERVED, "Что наблюдали", 5_000),
        text(F_STRENGTHS, "Сильные стороны", 5_000),
        text(F_WEAKNESSES, "Слабые стороны", 5_000),
        text(F_AUTHOR, "Автор", 200),
    ],
    anonymous: false,
    owner: |ctx| Some(ctx.actor.user_id),
    audience: super::school_circle,
    needs: super::no_needs,
    check,
    follow,
};

fn check(ctx: &Ctx) -> Result<(), String> {
    // Another mentor of the school may add visits of their own, not rewrite this one's.
    if ctx.before.is_some()
        && ctx.after.owner != Some(ctx.actor.user_id)
        && ctx.actor.role != crate::role::Role::Head
    {
        return Err(
            "Запись о посещении меняет только тот, кто её сделал, или руководитель центра.".into(),
        );
    }
    if ctx.after.text(F_TYPE).is_empty() {
        return Err("Укажите вид посещения или мероприятия.".into());
    }
    if ctx.after.text(F_DATE).is_empty() {
        return Err("Укажите дату.".into());
    }
    Ok(())
}

fn follow(ctx: &Ctx) -> Vec<ServerWrite> {
    if ctx.before.is_some() {
        return Vec::new();
    }
    vec![ServerWrite::to(
        ctx.after,
        SPEC.name,
        &[(F_AUTHOR, json!(ctx.actor.name))],
    )]
}
