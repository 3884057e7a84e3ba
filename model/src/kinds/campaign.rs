//! A campaign: a template sent by the centre head to schools and roles, with a deadline
//! (002, plan of work: self-analysis in January, leader testing in February …). Its form and the
//! roles it is addressed to are fixed when it is created, since they decide who reads it.

use serde_json::Value;

use super::{
    Ctx, FieldSpec, FieldType, IdRule, KindSpec, Need, Rule, ScopeRule, Who, check_date, text,
};
use crate::access::ReadKey;
use crate::forms;
use crate::record::{DELETED, Record};
use crate::role::Role;

pub const SPEC: KindSpec = KindSpec {
    name: forms::CAMPAIGN_KIND,
    label: "Рассылка формы",
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
        text("title", "Название", 200),
        text("template", "Форма", 40),
        FieldSpec {
            name: "version",
            label: "Версия формы",
            ty: FieldType::Integer {
                min: 1,
                max: forms::template::MAX_VERSION as i64,
            },
        },
        FieldSpec {
            name: "deadline",
            label: "Срок",
            ty: FieldType::Check(check_date),
        },
        FieldSpec {
            name: "schools",
            label: "Школы",
            ty: FieldType::Check(check_uuid_list),
        },
        FieldSpec {
            name: "roles",
            label: "Кто заполняет",
            ty: FieldType::Check(check_role_list),
        },
        text("note", "Пояснение", 2_000),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs,
    check,
    follow: super::no_follow,
};

/// Fixed once the campaign is created.
const FIXED: [&str; 3] = ["template", "version", "roles"];

fn roles(r: &Record) -> Vec<Role> {
    r.get("roles")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().and_then(Role::parse))
                .collect()
        })
        .unwrap_or_default()
}

/// The centre, every mentor and curator (who review the answers), and the roles it is sent to.
fn audience(r: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    let mut keys = vec![
        ReadKey::Centre,
        ReadKey::Role(Role::Mentor),
        ReadKey::Role(Role::Curator),
    ];
    keys.extend(roles(r).into_iter().map(ReadKey::Role));
    keys
}

fn needs(r: &Record) -> Vec<Need> {
    forms::template_of(r)
        .map(|(code, version)| vec![Need::Template(code, version)])
        .unwrap_or_default()
}

fn check(ctx: &Ctx) -> Result<(), String> {
    if let Some(before) = ctx.before {
        for name in FIXED {
            if ctx.fields.contains_key(name) && before.get(name) != ctx.fields.get(name) {
                return Err(
                    "Форму и адресатов рассылки после создания изменить нельзя: создайте новую рассылку."
                        .into(),
                );
            }
        }
        // A form for school staff keeps a school to fill it.
        let no_schools = ctx
            .after
            .get("schools")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty);
        if ctx.fields.contains_key("schools")
            && no_schools
            && roles(ctx.after).iter().any(|r| r.belongs_to_school())
        {
            return Err("Рассылке нужна хотя бы одна школа: иначе форму некому заполнять.".into());
        }
        // The school years a form's tables ask are the campaign's (of its deadline): a new
        // deadline stays in the same school year, or answers already given would not fit.
        let year = |r: &Record| {
            r.get("deadline")
                .and_then(Value::as_str)
                .map(forms::answer::school_year_of)
        };
        let has_years = forms::template_of(before)
            .and_then(|(code, version)| ctx.lookup.template(&code, version))
            .is_some_and(|t| t.has_years());
        if has_years && ctx.fields.contains_key("deadline") && year(before) != year(ctx.after) {
            return Err(
                "Срок нельзя перенести в другой учебный год: учебные годы в таблицах формы заданы рассылкой. \
                 Создайте новую рассылку."
                    .into(),
            );
        }
        return Ok(());
    }
    let Some((code, version)) = forms::template_of(ctx.after) else {
        return Err("В рассылке не указана форма.".into());
    };
    let Some(template) = ctx.lookup.template(&code, version) else {
        return Err(format!(
            "Форма «{code}» версии {version} на сервере не найдена."
        ));
    };
    let roles = roles(ctx.after);
    if roles.is_empty() {
        return Err("Отметьте, кто заполняет форму.".into());
    }
    if let Some(r) = roles.iter().find(|r| !template.audience.contains(r)) {
        return Err(format!(
            "Форму «{}» не заполняет роль «{}».",
            template.title,
            r.label()
        ));
    }
    if ctx.after.get("deadline").is_none() {
        return Err("Укажите срок рассылки.".into());
    }
    Ok(())
}

fn check_uuid_list(v: &Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|list| {
        list.len() <= 1_000
            && list
                .iter()
                .all(|x| x.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()))
    });
    if ok {
        Ok(())
    } else {
        Err("список идентификаторов школ".into())
    }
}

fn check_role_list(v: &Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|list| {
        list.len() <= Role::ALL.len()
            && list
                .iter()
                .all(|x| x.as_str().and_then(Role::parse).is_some())
    });
    if ok {
        Ok(())
    } else {
        Err("список ролей".into())
    }
}
