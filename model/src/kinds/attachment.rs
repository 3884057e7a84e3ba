//! A file attached to a record (see [`crate::files`]): a portfolio to a nomination, a
//! certificate to a reserve member's training, the materials of a practice. It lives where its
//! record lives and is read by exactly the people who read that record; whoever may change the
//! record may attach a file to it, and the person who attached it (or the centre head) may
//! rename or remove it. Its content (SHA-256, type, size) never changes: another file is another
//! attachment. The server stamps who attached it.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, ServerWrite, Who, text};
use crate::files::{self, ATTACHMENT_KIND, F_AUTHOR, F_MIME, F_NAME, F_SHA256, F_SIZE};
use crate::record::DELETED;

pub const SPEC: KindSpec = KindSpec {
    name: ATTACHMENT_KIND,
    label: "Прикреплённый файл",
    scope: ScopeRule::Any,
    id: IdRule::Fresh,
    parents: &[
        crate::practices::MATERIAL_KIND,
        crate::reserve::CANDIDATE_KIND,
    ],
    rules: &[
        // Who may attach is decided by the record it belongs to (`check`).
        Rule {
            who: Who::Centre,
            create: true,
            fields: ALL,
        },
        Rule {
            who: Who::Moderator,
            create: true,
            fields: CONTENT,
        },
        Rule {
            who: Who::Team,
            create: true,
            fields: CONTENT,
        },
        Rule {
            who: Who::Adviser,
            create: true,
            fields: CONTENT,
        },
        Rule {
            who: Who::Owner,
            create: false,
            fields: ALL,
        },
    ],
    server_fields: &[F_AUTHOR],
    fields: &[
        text(F_NAME, "Имя файла", 200),
        text(F_MIME, "Тип файла", 100),
        FieldSpec {
            name: F_SIZE,
            label: "Размер",
            ty: FieldType::Integer {
                min: 1,
                max: files::MAX_FILE_BYTES as i64,
            },
        },
        FieldSpec {
            name: F_SHA256,
            label: "Контрольная сумма",
            ty: FieldType::Check(check_sha256),
        },
    ],
    anonymous: false,
    owner,
    audience: super::inherit,
    needs: super::no_needs,
    check,
    follow,
};

const CONTENT: &[&str] = &[F_NAME, F_MIME, F_SIZE, F_SHA256];
const ALL: &[&str] = &[F_NAME, F_MIME, F_SIZE, F_SHA256, DELETED];

fn owner(ctx: &Ctx) -> Option<Uuid> {
    Some(ctx.actor.user_id)
}

fn check_sha256(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if files::is_sha256(s) => Ok(()),
        _ => Err("64 шестнадцатеричные цифры".into()),
    }
}

fn check(ctx: &Ctx) -> Result<(), String> {
    let head = ctx.actor.role == crate::role::Role::Head;
    let parent = ctx
        .parent
        .ok_or("Файл прикрепляют к записи: изменение не принято.")?;
    if ctx.before.is_none() && !may_change(ctx, parent) {
        return Err("Прикрепить файл может тот, кто может изменить эту запись.".into());
    }
    // Renamed or removed by the person who attached it, or the head.
    if ctx.before.is_some() && !head && ctx.after.owner != Some(ctx.actor.user_id) {
        return Err("Переименовать или удалить файл может тот, кто его прикрепил.".into());
    }
    // A nomination's files are the school's only while it is a draft (002 §5.5.1: what the
    // commission examines does not change under it).
    if parent.kind == crate::reserve::CANDIDATE_KIND
        && !head
        && crate::reserve::stage_of(parent) != crate::reserve::Stage::Draft
    {
        return Err(
            "Заявка уже направлена в наставнический центр: её файлы может изменить центр.".into(),
        );
    }
    for f in [F_SHA256, F_SIZE, F_MIME] {
        super::fixed(ctx, f, "Содержимое файла")?;
    }
    if ctx.only_deletes() {
        return Ok(());
    }
    let name = ctx.after.text(F_NAME);
    let size = ctx.after.get(F_SIZE).and_then(Value::as_u64).unwrap_or(0);
    let mime = files::check_file(&name, size)?;
    if ctx.after.get(F_MIME).and_then(Value::as_str) != Some(mime) {
        return Err(format!(
            "Тип файла «{name}» не совпадает с его именем: прикрепите файл заново."
        ));
    }
    if ctx.after.get(F_SHA256).is_none() {
        return Err("У файла нет контрольной суммы: прикрепите его заново.".into());
    }
    Ok(())
}

/// May the person change the record `parent` (as its own kind's rules say)?
fn may_change(ctx: &Ctx, parent: &crate::record::Record) -> bool {
    let Some(spec) = super::spec(&parent.kind) else {
        return false;
    };
    let none = std::collections::BTreeMap::new();
    let as_parent = Ctx {
        actor: ctx.actor,
        now_ms: ctx.now_ms,
        before: Some(parent),
        after: parent,
        fields: &none,
        parent: parent.parent.and_then(|p| ctx.records.get(&p)),
        records: ctx.records,
        lookup: ctx.lookup,
    };
    !parent.is_deleted() && spec.may_edit(&as_parent)
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
