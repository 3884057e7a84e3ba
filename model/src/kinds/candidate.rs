//! A nominee of the management personnel reserve ([`crate::reserve`], 002 §V): the school's
//! team writes the nomination and sends it; from then on the centre head records the
//! commission's two stages, the training, the recommendation, the registry and an appointment.
//! Read by the nominating school's team and the centre (a school never sees another school's
//! nominees). The server stamps who sent the nomination and when, and the day of entry in the
//! registry.

use serde_json::{Value, json};

use super::{Ctx, FieldSpec, FieldType, IdRule, KindSpec, Rule, ScopeRule, ServerWrite, Who, text};
use crate::access::ReadKey;
use crate::record::{DELETED, Record, Scope};
use crate::reserve::{
    self as r, CANDIDATE_KIND, F_APPLICATION, F_APPOINTED_ON, F_APPOINTED_POST, F_APPOINTED_SCHOOL,
    F_BIRTH_YEAR, F_CAREER, F_EDUCATION, F_EMAIL, F_EXPERIENCE, F_GAMES, F_INTERNSHIP,
    F_MANAGEMENT_YEARS, F_NAME, F_NOMINATED_BY, F_NOMINATED_ON, F_OTHER_EVENTS, F_PHONE,
    F_POSITION, F_QUALITIES, F_QUALITIES_NOTE, F_RECOMMENDATION, F_REFERENCE, F_REGISTRY_ON,
    F_RELOCATION, F_STAGE, F_TRAINING_FROM, F_TRAINING_TO, F_TRAININGS, Stage,
};

/// What the school writes: the nomination, sending it, and withdrawing a draft.
const SCHOOL: &[&str] = &[
    F_NAME,
    F_POSITION,
    F_BIRTH_YEAR,
    F_EXPERIENCE,
    F_MANAGEMENT_YEARS,
    F_CAREER,
    F_EDUCATION,
    F_APPLICATION,
    F_REFERENCE,
    F_RELOCATION,
    F_PHONE,
    F_EMAIL,
    F_STAGE,
    DELETED,
];

/// The selective stage's fields, per criterion of [`crate::reserve::CRITERIA`] (a test keeps
/// the two lists alike).
pub const CRITERIA_FIELDS: [(&str, &str); 4] = [
    ("sel.experience", "sel.experience.reason"),
    ("sel.age", "sel.age.reason"),
    ("sel.career", "sel.career.reason"),
    ("sel.education", "sel.education.reason"),
];
/// The certificates of the courses of [`crate::reserve::COURSES`].
pub const COURSE_FIELDS: [&str; 3] = ["course.gmu", "course.management", "course.hr"];

const fn verdict(name: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Choice(check_verdict, |v| super::word_of(&r::VERDICTS, v)),
    }
}

const fn int(name: &'static str, label: &'static str, min: i64, max: i64) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Integer { min, max },
    }
}

const fn date(name: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Check(super::check_date),
    }
}

const fn yes(name: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        label,
        ty: FieldType::Check(check_bool),
    }
}

pub const SPEC: KindSpec = KindSpec {
    name: CANDIDATE_KIND,
    label: "Кандидат в кадровый резерв",
    scope: ScopeRule::School,
    id: IdRule::Fresh,
    parents: &[],
    rules: &[
        Rule {
            who: Who::Team,
            create: true,
            fields: SCHOOL,
        },
        Rule {
            who: Who::Centre,
            create: true,
            fields: &["*", DELETED],
        },
    ],
    server_fields: &[F_NOMINATED_BY, F_NOMINATED_ON, F_REGISTRY_ON],
    fields: &[
        text(F_NAME, "ФИО", 300),
        text(F_POSITION, "Должность", 300),
        int(F_BIRTH_YEAR, "Год рождения", 1940, 2010),
        int(F_EXPERIENCE, "Педагогический стаж, лет", 0, 60),
        int(F_MANAGEMENT_YEARS, "Стаж в управлении, лет", 0, 60),
        text(F_CAREER, "Должностные продвижения", 2_000),
        text(F_EDUCATION, "Образование", 1_000),
        text(F_APPLICATION, "Заявка школы", 5_000),
        text(F_REFERENCE, "Характеристика-ходатайство", 10_000),
        FieldSpec {
            name: F_RELOCATION,
            label: "Согласие на переезд",
            ty: FieldType::Choice(check_relocation, |v| super::word_of(&r::RELOCATION, v)),
        },
        text(F_PHONE, "Телефон", 50),
        text(F_EMAIL, "Электронная почта", 200),
        FieldSpec {
            name: F_STAGE,
            label: "Этап",
            ty: FieldType::Choice(check_stage, |v| Stage::parse(v).map(Stage::label)),
        },
        verdict(CRITERIA_FIELDS[0].0, "Педагогический стаж"),
        text(
            CRITERIA_FIELDS[0].1,
            "Педагогический стаж: обоснование",
            1_000,
        ),
        verdict(CRITERIA_FIELDS[1].0, "Возраст"),
        text(CRITERIA_FIELDS[1].1, "Возраст: обоснование", 1_000),
        verdict(CRITERIA_FIELDS[2].0, "Должностные продвижения"),
        text(
            CRITERIA_FIELDS[2].1,
            "Должностные продвижения: обоснование",
            1_000,
        ),
        verdict(CRITERIA_FIELDS[3].0, "Образование"),
        text(CRITERIA_FIELDS[3].1, "Образование: обоснование", 1_000),
        FieldSpec {
            name: r::F_ACCOUNT,
            label: "Учётная запись кандидата",
            ty: FieldType::Check(super::check_uuid),
        },
        verdict(F_QUALITIES, "Личностные качества"),
        text(F_QUALITIES_NOTE, "Личностные качества: заключение", 5_000),
        date(F_TRAINING_FROM, "Начало обучения"),
        date(F_TRAINING_TO, "Окончание обучения"),
        yes(F_GAMES, "Деловые игры"),
        yes(F_TRAININGS, "Психологические тренинги"),
        text(
            COURSE_FIELDS[0],
            "Сертификат: Государственное и муниципальное управление",
            300,
        ),
        text(COURSE_FIELDS[1], "Сертификат: Менеджмент", 300),
        text(COURSE_FIELDS[2], "Сертификат: Управление персоналом", 300),
        text(F_INTERNSHIP, "Мини-стажировка (школа, сроки)", 500),
        text(F_OTHER_EVENTS, "Иные обучающие мероприятия", 2_000),
        text(F_RECOMMENDATION, "Рекомендация центра", 5_000),
        text(r::F_CENTRE_NOTE, "Пояснение для школы", 2_000),
        date(F_REGISTRY_ON, "Включён в реестр"),
        text(F_APPOINTED_POST, "Назначен на должность", 300),
        text(F_APPOINTED_SCHOOL, "Место назначения", 300),
        date(F_APPOINTED_ON, "Дата назначения"),
        text(F_NOMINATED_BY, "Кто направил", 200),
        date(F_NOMINATED_ON, "Дата направления"),
    ],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs: super::no_needs,
    check,
    follow,
};

/// The nominating school's team and the centre.
fn audience(rec: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    match rec.scope {
        Scope::School(s) => vec![ReadKey::Team(s), ReadKey::Centre],
        _ => vec![ReadKey::Centre],
    }
}

fn check(ctx: &Ctx) -> Result<(), String> {
    let school = ctx.actor.in_team_of(&ctx.after.scope);
    let from = ctx.before.map_or(Stage::Draft, r::stage_of);
    let to = r::stage_of(ctx.after);
    if school {
        let nomination = ctx.fields.keys().any(|f| f != F_STAGE);
        if from != Stage::Draft && nomination {
            return Err(
                "Заявка уже направлена в наставнический центр: изменить её может центр.".into(),
            );
        }
    }
    // Deleted or not: a candidate put back has the stage it was moved to meanwhile.
    if ctx.fields.contains_key(F_STAGE) {
        r::check_move(ctx.after, from, to, school)?;
    }
    super::check_order(ctx, &SPEC, F_TRAINING_FROM, F_TRAINING_TO)?;
    let appointing = [F_APPOINTED_POST, F_APPOINTED_SCHOOL, F_APPOINTED_ON]
        .iter()
        .any(|f| ctx.fields.get(*f).is_some_and(|v| !v.is_null()));
    if appointing && to != Stage::Registry {
        return Err("Назначение из резерва записывают кандидатам из реестра.".into());
    }
    Ok(())
}

fn follow(ctx: &Ctx) -> Vec<ServerWrite> {
    let today = json!(crate::forms::answer::iso_day(ctx.now_ms));
    let mut writes = Vec::new();
    if ctx.became(F_STAGE, Stage::Nominated.as_str()) {
        writes.push((F_NOMINATED_BY, json!(ctx.actor.name)));
        writes.push((F_NOMINATED_ON, today.clone()));
    }
    if ctx.became(F_STAGE, Stage::Registry.as_str()) {
        writes.push((F_REGISTRY_ON, today));
    }
    // The centre's note answered a nomination sent back or declined: once it is sent again or
    // admitted, the note is done, and the next return or decline needs a word of its own.
    let moved_on = [Stage::Nominated, Stage::Training]
        .iter()
        .any(|s| ctx.became(F_STAGE, s.as_str()));
    if moved_on && !ctx.after.text(r::F_CENTRE_NOTE).is_empty() {
        writes.push((r::F_CENTRE_NOTE, Value::Null));
    }
    if writes.is_empty() {
        return Vec::new();
    }
    vec![ServerWrite::to(ctx.after, SPEC.name, &writes)]
}

fn check_verdict(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some("pass" | "fail") => Ok(()),
        _ => Err("«соответствует» или «не соответствует»".into()),
    }
}

fn check_bool(v: &Value) -> Result<(), String> {
    if v.is_boolean() {
        Ok(())
    } else {
        Err("да или нет".into())
    }
}

fn check_relocation(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if r::RELOCATION.iter().any(|(k, _)| *k == s) => Ok(()),
        _ => Err("один из вариантов согласия на переезд".into()),
    }
}

fn check_stage(v: &Value) -> Result<(), String> {
    match v.as_str().and_then(Stage::parse) {
        Some(_) => Ok(()),
        None => Err("один из этапов работы с кандидатом".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_follow_the_criteria_and_the_courses() {
        for ((c, _), (verdict, reason)) in r::CRITERIA.iter().zip(CRITERIA_FIELDS) {
            assert_eq!(verdict, format!("{}{c}", r::SEL_PREFIX));
            assert_eq!(reason, format!("{}{c}.reason", r::SEL_PREFIX));
        }
        for ((c, _), field) in r::COURSES.iter().zip(COURSE_FIELDS) {
            assert_eq!(field, format!("{}{c}", r::COURSE_PREFIX));
        }
    }
}
