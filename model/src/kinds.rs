//! The record kinds the system knows, with who may write them and how their fields are checked.
//! Adding a kind here is all it takes for it to sync; the server refuses kinds it does not know.

use serde_json::Value;

use crate::forms;
use crate::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRule {
    /// Records of one school.
    School,
    /// Records of the centre.
    Centre,
    /// Answers: in the school of the person answering, or in the person's own scope.
    Respondent,
}

#[derive(Debug, Clone, Copy)]
pub enum FieldType {
    Text {
        max_chars: usize,
    },
    Integer {
        min: i64,
        max: i64,
    },
    /// A rule of its own; the message says what is expected.
    Check(fn(&Value) -> Result<(), String>),
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
}

#[derive(Debug)]
pub struct KindSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub scope: ScopeRule,
    /// The roles that may create and edit records of this kind (within their scopes).
    pub writers: &'static [Role],
    /// Written only by the server (scores, keys); devices may read, never write.
    pub server_only: bool,
    pub fields: &'static [FieldSpec],
}

/// The largest value of any field, in bytes of JSON.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Basic facts about a school, kept by its team (the passport of the school).
pub const SCHOOL_PROFILE: KindSpec = KindSpec {
    name: "school_profile",
    label: "Сведения о школе",
    scope: ScopeRule::School,
    writers: &[Role::SchoolTeam, Role::Head],
    server_only: false,
    fields: &[
        FieldSpec {
            name: "director",
            label: "Директор (ФИО)",
            ty: FieldType::Text { max_chars: 200 },
        },
        FieldSpec {
            name: "phone",
            label: "Телефон",
            ty: FieldType::Text { max_chars: 50 },
        },
        FieldSpec {
            name: "email",
            label: "Электронная почта",
            ty: FieldType::Text { max_chars: 100 },
        },
        FieldSpec {
            name: "address",
            label: "Адрес",
            ty: FieldType::Text { max_chars: 300 },
        },
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
        FieldSpec {
            name: "internet",
            label: "Скорость интернета",
            ty: FieldType::Text { max_chars: 100 },
        },
        FieldSpec {
            name: "note",
            label: "Примечание",
            ty: FieldType::Text { max_chars: 2_000 },
        },
    ],
};

/// A form template, one record per code and version; written by the server only (the answer
/// key of a test stays in a server table and never enters the record).
pub const FORM_TEMPLATE: KindSpec = KindSpec {
    name: forms::TEMPLATE_KIND,
    label: "Шаблон формы",
    scope: ScopeRule::Centre,
    writers: &[],
    server_only: true,
    fields: &[],
};

/// A template sent by the centre head to schools and roles, with a deadline.
pub const CAMPAIGN: KindSpec = KindSpec {
    name: forms::CAMPAIGN_KIND,
    label: "Рассылка формы",
    scope: ScopeRule::Centre,
    writers: &[Role::Head],
    server_only: false,
    fields: &[
        FieldSpec {
            name: "title",
            label: "Название",
            ty: FieldType::Text { max_chars: 200 },
        },
        FieldSpec {
            name: "template",
            label: "Форма",
            ty: FieldType::Text { max_chars: 40 },
        },
        FieldSpec {
            name: "version",
            label: "Версия формы",
            ty: FieldType::Integer {
                min: 1,
                max: 1_000_000,
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
        FieldSpec {
            name: "note",
            label: "Пояснение",
            ty: FieldType::Text { max_chars: 2_000 },
        },
    ],
};

/// Answers to a campaign's form; each change is checked against the template it pins
/// (`forms::check_response_change`).
pub const RESPONSE: KindSpec = KindSpec {
    name: forms::RESPONSE_KIND,
    label: "Ответ на форму",
    scope: ScopeRule::Respondent,
    writers: &[Role::SchoolTeam, Role::Teacher, Role::Mentor, Role::Curator],
    server_only: false,
    fields: &[],
};

/// The per-area scores of a test, written by the server when the test is submitted.
pub const TEST_RESULT: KindSpec = KindSpec {
    name: forms::RESULT_KIND,
    label: "Результат теста",
    scope: ScopeRule::Respondent,
    writers: &[],
    server_only: true,
    fields: &[],
};

/// A mentor's review of one round of a response: comments beside answers and a verdict
/// (`forms::review::check_review_change`).
pub const REVIEW: KindSpec = KindSpec {
    name: forms::review::REVIEW_KIND,
    label: "Отзыв наставника",
    scope: ScopeRule::School,
    writers: &[Role::Mentor, Role::Curator, Role::Head],
    server_only: false,
    fields: &[],
};

/// A mentor's targeted recommendations to a school (`forms::recommendation`).
pub const RECOMMENDATION: KindSpec = KindSpec {
    name: forms::recommendation::RECOMMENDATION_KIND,
    label: "Адресные рекомендации",
    scope: ScopeRule::School,
    writers: &[Role::Mentor, Role::Curator, Role::Head],
    server_only: false,
    fields: &[
        FieldSpec {
            name: forms::recommendation::F_TITLE,
            label: "Заголовок",
            ty: FieldType::Text { max_chars: 200 },
        },
        FieldSpec {
            name: forms::recommendation::F_TEXT,
            label: "Текст рекомендаций",
            ty: FieldType::Text { max_chars: 20_000 },
        },
        FieldSpec {
            name: forms::recommendation::F_AREAS,
            label: "Области",
            ty: FieldType::Check(check_id_list),
        },
        FieldSpec {
            name: forms::recommendation::F_STATE,
            label: "Состояние",
            ty: FieldType::Check(check_recommendation_state),
        },
        FieldSpec {
            name: forms::recommendation::F_AUTHOR,
            label: "Автор",
            ty: FieldType::Text { max_chars: 200 },
        },
    ],
};

fn check_id_list(v: &Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|l| {
        l.len() <= 50
            && l.iter()
                .all(|x| x.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 40))
    });
    if ok {
        Ok(())
    } else {
        Err("список областей".into())
    }
}

fn check_recommendation_state(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some("draft" | "sent") => Ok(()),
        _ => Err("«черновик» или «отправлено»".into()),
    }
}

/// One item of a leader's personal deficit plan (`forms::plan`).
pub const PLAN_ITEM: KindSpec = KindSpec {
    name: forms::plan::PLAN_ITEM_KIND,
    label: "Пункт плана восполнения дефицитов",
    scope: ScopeRule::School,
    writers: &[Role::SchoolTeam, Role::Mentor, Role::Curator, Role::Head],
    server_only: false,
    fields: &[
        FieldSpec {
            name: forms::plan::F_AREA,
            label: "Дефицит",
            ty: FieldType::Text { max_chars: 40 },
        },
        FieldSpec {
            name: forms::plan::F_MEASURE_KIND,
            label: "Вид меры",
            ty: FieldType::Check(forms::plan::check_measure_kind),
        },
        FieldSpec {
            name: forms::plan::F_MEASURE,
            label: "Мероприятие",
            ty: FieldType::Text { max_chars: 1_000 },
        },
        FieldSpec {
            name: forms::plan::F_DEADLINE,
            label: "Срок",
            ty: FieldType::Check(check_date),
        },
        FieldSpec {
            name: forms::plan::F_RESPONSIBLE,
            label: "Ответственный",
            ty: FieldType::Text { max_chars: 200 },
        },
        FieldSpec {
            name: forms::plan::F_STATUS,
            label: "Состояние",
            ty: FieldType::Check(forms::plan::check_status),
        },
    ],
};

pub const KINDS: &[&KindSpec] = &[
    &SCHOOL_PROFILE,
    &FORM_TEMPLATE,
    &CAMPAIGN,
    &RESPONSE,
    &TEST_RESULT,
    &REVIEW,
    &RECOMMENDATION,
    &PLAN_ITEM,
];

fn check_date(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if forms::answer::is_date(s) => Ok(()),
        _ => Err("дата в виде ГГГГ-ММ-ДД".into()),
    }
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
        list.iter()
            .all(|x| x.as_str().and_then(Role::parse).is_some())
    });
    if ok {
        Ok(())
    } else {
        Err("список ролей".into())
    }
}

pub fn spec(kind: &str) -> Option<&'static KindSpec> {
    KINDS.iter().copied().find(|k| k.name == kind)
}

impl KindSpec {
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

impl FieldSpec {
    /// Checks one value; `null` always clears a field. The message names the field and the rule.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        if value.is_null() {
            return Ok(());
        }
        match self.ty {
            FieldType::Text { max_chars } => match value.as_str() {
                Some(s) if s.chars().count() <= max_chars => Ok(()),
                Some(_) => Err(format!(
                    "Поле «{}»: не более {max_chars} символов.",
                    self.label
                )),
                None => Err(format!("Поле «{}» должно быть текстом.", self.label)),
            },
            FieldType::Integer { min, max } => match value.as_i64() {
                Some(n) if (min..=max).contains(&n) => Ok(()),
                Some(_) => Err(format!(
                    "Поле «{}»: целое число от {min} до {max}.",
                    self.label
                )),
                None => Err(format!("Поле «{}» должно быть целым числом.", self.label)),
            },
            FieldType::Check(rule) => {
                rule(value).map_err(|r| format!("Поле «{}»: {r}.", self.label))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_rules() {
        let students = SCHOOL_PROFILE.field("students").unwrap();
        assert!(students.check(&json!(120)).is_ok());
        assert!(students.check(&Value::Null).is_ok());
        assert!(
            students
                .check(&json!(-1))
                .unwrap_err()
                .contains("от 0 до 10000")
        );
        assert!(
            students
                .check(&json!("много"))
                .unwrap_err()
                .contains("целым числом")
        );
        let phone = SCHOOL_PROFILE.field("phone").unwrap();
        assert!(
            phone
                .check(&json!("x".repeat(51)))
                .unwrap_err()
                .contains("«Телефон»")
        );
        assert!(spec("nope").is_none());
    }
}
