//! Forms: templates (data, not code), answers with their rules, and the scoring of tests.
//! Templates, campaigns and responses are records, so they sync like everything else:
//!
//! - `form_template` (centre scope, written by the server): one per code and version;
//! - `campaign` (centre scope, written by the centre head): a template sent to schools and roles
//!   with a deadline;
//! - `response` (the school's scope, or the person's for people without a school): the answers,
//!   one field per question (`a.<id>`), so two people filling one card merge answer by answer;
//! - `test_result` (the response's scope, written by the server): per-area scores of a test.

pub mod answer;
pub mod campaign;
pub mod export;
pub mod plan;
pub mod recommendation;
pub mod review;
pub mod scoring;
pub mod summary;
pub mod template;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub use answer::{Answers, Problem, check_kind, compute, is_empty, progress, validate, visible};
pub use campaign::Campaign;
pub use scoring::{AreaScore, Level, score};
pub use template::{Key, Kind, Question, Respondent, Template, TemplateError};

use crate::record::{Record, Scope, stable_id};
use crate::role::Role;

pub const TEMPLATE_KIND: &str = "form_template";
pub const CAMPAIGN_KIND: &str = "campaign";
pub const RESPONSE_KIND: &str = "response";
pub const RESULT_KIND: &str = "test_result";

/// Fields of a response record.
pub const F_CAMPAIGN: &str = "campaign";
pub const F_TEMPLATE: &str = "template";
pub const F_VERSION: &str = "version";
pub const F_STATUS: &str = "status";
/// The name of who answered (absent on anonymous forms).
pub const F_RESPONDENT: &str = "respondent";
/// An answer's field is this prefix and the question id.
pub const ANSWER_PREFIX: &str = "a.";

/// Answers to a timed test are still taken this long after its time is up (a slow link).
pub const TIME_LIMIT_GRACE_MS: u64 = 60_000;

/// Where a response stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Returned,
    Accepted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Draft,
            Status::Submitted,
            Status::Returned,
            Status::Accepted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "черновик",
            Status::Submitted => "отправлено",
            Status::Returned => "возвращено на доработку",
            Status::Accepted => "принято",
        }
    }

    /// May the respondent change answers?
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
}

pub fn answer_field(question: &str) -> String {
    format!("{ANSWER_PREFIX}{question}")
}

/// The id of the template record of one code and version (the same everywhere).
pub fn template_id(code: &str, version: u32) -> Uuid {
    stable_id(&format!("{TEMPLATE_KIND}/{code}/{version}"))
}

/// The id of the response to a campaign by one school or one person: the same on every device,
/// so two computers of one school fill one card.
pub fn response_id(campaign: Uuid, respondent: &Scope) -> Uuid {
    stable_id(&format!("{RESPONSE_KIND}/{campaign}/{respondent}"))
}

/// The response a person fills for a campaign: its id (per school or per person, as the
/// template says) and its scope (the person's school, or the person's own scope).
pub fn response_target(
    respondent: Respondent,
    campaign: Uuid,
    school: Option<Uuid>,
    user: Uuid,
) -> Option<(Uuid, Scope)> {
    let scope = respondent_scope(respondent, school, user)?;
    let who = match respondent {
        Respondent::School => scope.clone(),
        Respondent::Person => Scope::Person(user),
    };
    Some((response_id(campaign, &who), scope))
}

/// The id of the result of a scored response.
pub fn result_id(response: Uuid) -> Uuid {
    stable_id(&format!("{RESULT_KIND}/{response}"))
}

/// Where a person's responses live: their school, or their own scope.
pub fn respondent_scope(respondent: Respondent, school: Option<Uuid>, user: Uuid) -> Option<Scope> {
    match (respondent, school) {
        (_, Some(s)) => Some(Scope::School(s)),
        (Respondent::Person, None) => Some(Scope::Person(user)),
        (Respondent::School, None) => None,
    }
}

/// The field of one cell of a table question: each cell is its own field, so two people
/// filling one table on two computers merge cell by cell.
pub fn cell_field(question: &str, row: &str, column: &str) -> String {
    format!("{ANSWER_PREFIX}{question}.{row}.{column}")
}

/// The field of one item of a group question (a list of partners, of changes …): each item is
/// its own field under an id made where it was added, so two people adding items on two
/// computers both keep theirs, and an edit of one item never overwrites another. `null`
/// removes the item. (Answers stored before items had fields are one list in
/// [`answer_field`]; they are shown first and edited as that list.)
pub fn item_field(question: &str, item: &str) -> String {
    format!("{ANSWER_PREFIX}{question}.{item}")
}

/// The most item fields one group question may hold, removed items included (each removal
/// leaves its field): enough for any list a form asks, and a bound on a record's size.
pub const MAX_ITEM_FIELDS: usize = 500;

/// Is `item` an id a group item may have (a UUID's text, as the app makes them)?
pub fn is_item_id(item: &str) -> bool {
    (1..=36).contains(&item.len())
        && item
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-')
}

/// The items of the group question `question` in `fields`, in the order [`answers_of`] lists
/// them: those of the old whole list first (`None`: addressed by their place in it), then the
/// items of their own fields by id (ids made later sort later).
pub fn group_items<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a Value)>,
    question: &str,
) -> Vec<(Option<String>, Value)> {
    let whole = answer_field(question);
    let mut legacy = Vec::new();
    let mut items = BTreeMap::new();
    for (name, value) in fields {
        if name == whole {
            legacy = value.as_array().cloned().unwrap_or_default();
        } else if let Some(item) = name
            .strip_prefix(whole.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            .filter(|item| !item.contains('.'))
            && value.is_object()
        {
            items.insert(item.to_owned(), value.clone());
        }
    }
    legacy
        .into_iter()
        .map(|v| (None, v))
        .chain(items.into_iter().map(|(id, v)| (Some(id), v)))
        .collect()
}

/// How many items the group question `question` of `record` has (its whole list and its items).
fn group_len(record: &Record, question: &str) -> usize {
    answers_of(record)
        .get(question)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// The answers a response record holds.
pub fn answers_of(record: &Record) -> Answers {
    answers_from_fields(
        record
            .fields
            .iter()
            .map(|(name, state)| (name.as_str(), &state.value)),
    )
}

/// The fields that store `answers` (tables cell by cell).
pub fn answer_fields(t: &Template, answers: &Answers) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (q, v) in answers {
        match (t.question(q).map(|q| &q.kind), v) {
            (Some(Kind::Table { .. }), Value::Object(rows)) => {
                for (r, cells) in rows {
                    for (c, cell) in cells.as_object().into_iter().flatten() {
                        out.insert(cell_field(q, r, c), cell.clone());
                    }
                }
            }
            _ => {
                out.insert(answer_field(q), v.clone());
            }
        }
    }
    out
}

/// The answers of another form of the school (`Template::shared_with`) that fill questions
/// of `t` still empty: the top-level questions of the same id whose answer fits this form.
/// As answer fields (a table cell by cell), ready to write.
pub fn shared_answers(t: &Template, mine: &Answers, other: &Answers) -> BTreeMap<String, Value> {
    let taken: Answers = t
        .questions()
        .filter(|q| !matches!(q.kind, Kind::Computed(_)))
        .filter(|q| mine.get(&q.id).is_none_or(answer::is_empty))
        .filter_map(|q| {
            let v = other.get(&q.id).filter(|v| !answer::is_empty(v))?;
            answer::check_kind(&q.kind, v).ok()?;
            Some((q.id.clone(), v.clone()))
        })
        .collect();
    answer_fields(t, &taken)
}

/// Answers from answer fields: `a.<q>` is a whole answer, `a.<q>.<item>` one item of a group
/// (after those of a whole list, see [`group_items`]), `a.<q>.<row>.<col>` one table cell
/// (empty cells and removed items are left out).
pub fn answers_from_fields<'a>(fields: impl IntoIterator<Item = (&'a str, &'a Value)>) -> Answers {
    let mut answers = Answers::new();
    let mut items: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for (name, value) in fields {
        let Some(path) = name.strip_prefix(ANSWER_PREFIX) else {
            continue;
        };
        let mut parts = path.splitn(3, '.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(q), None, None) => {
                answers.insert(q.to_owned(), value.clone());
            }
            (Some(q), Some(item), None) if value.is_object() => {
                items
                    .entry(q.to_owned())
                    .or_default()
                    .insert(item.to_owned(), value.clone());
            }
            (Some(q), Some(row), Some(col)) => {
                if value.is_null() {
                    continue;
                }
                let table = answers
                    .entry(q.to_owned())
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Value::Object(t) = table {
                    let r = t
                        .entry(row.to_owned())
                        .or_insert_with(|| Value::Object(Default::default()));
                    if let Value::Object(r) = r {
                        r.insert(col.to_owned(), value.clone());
                    }
                }
            }
            _ => {}
        }
    }
    for (q, list) in items {
        let group = answers.entry(q).or_insert_with(|| Value::Array(Vec::new()));
        if !group.is_array() {
            *group = Value::Array(Vec::new());
        }
        if let Value::Array(all) = group {
            all.extend(list.into_values());
        }
    }
    answers
}

pub fn status_of(record: &Record) -> Status {
    record
        .get(F_STATUS)
        .and_then(Value::as_str)
        .and_then(Status::parse)
        .unwrap_or(Status::Draft)
}

/// The template (code, version) a response pins.
pub fn template_of(record: &Record) -> Option<(String, u32)> {
    let code = record.get(F_TEMPLATE)?.as_str()?.to_owned();
    let version = u32::try_from(record.get(F_VERSION)?.as_u64()?).ok()?;
    Some((code, version))
}

/// The checks of one change to a response, on the device before it is sent and on the server
/// before it is applied: `before` is the record as it was, `after` with the change merged.
pub fn check_response_change(
    t: &Template,
    role: Role,
    before: Option<&Record>,
    fields: &BTreeMap<String, Value>,
    after: &Record,
) -> Result<(), String> {
    if !t.audience.contains(&role) {
        return Err(format!("Форму «{}» заполняет не ваша роль.", t.title));
    }
    if let Some(before) = before {
        for pinned in [F_CAMPAIGN, F_TEMPLATE, F_VERSION] {
            if fields.contains_key(pinned)
                && before.get(pinned).is_some()
                && before.get(pinned) != fields.get(pinned)
            {
                return Err("Ответ не может сменить кампанию или версию формы.".into());
            }
        }
    }
    let was = before.map_or(Status::Draft, status_of);
    if was == Status::Accepted {
        return Err("Форма принята наставником: изменения больше не принимаются.".into());
    }
    let mut touches_answers = false;
    for (name, value) in fields {
        if let Some(path) = name.strip_prefix(ANSWER_PREFIX) {
            touches_answers = true;
            let mut parts = path.splitn(3, '.');
            let id = parts.next().unwrap_or_default();
            let Some(q) = t.question(id) else {
                return Err(format!("В форме «{}» нет вопроса «{id}».", t.title));
            };
            match (&q.kind, parts.next(), parts.next()) {
                (Kind::Table { rows, columns }, Some(row), Some(col)) => {
                    let (Some(r), Some(c)) = (
                        rows.iter().find(|r| r.id == row),
                        columns.iter().find(|c| c.id == col),
                    ) else {
                        return Err(format!("«{}»: в таблице нет ячейки {row}.{col}.", q.text));
                    };
                    answer::check_cell(&c.cell, value).map_err(|rule| {
                        format!(
                            "«{}», строка «{}», столбец «{}»: {rule}.",
                            q.text, r.text, c.text
                        )
                    })?;
                }
                (Kind::Table { .. }, None, None) => {
                    return Err(format!("«{}»: таблица заполняется по ячейкам.", q.text));
                }
                (
                    Kind::Group {
                        questions,
                        max_items,
                        ..
                    },
                    Some(item),
                    None,
                ) if is_item_id(item) => {
                    if !value.is_null() {
                        answer::check_item(questions, value)
                            .map_err(|rule| format!("«{}», запись{rule}.", q.text))?;
                    }
                    let whole = answer_field(id);
                    let fields_of_items = after
                        .fields
                        .keys()
                        .filter(|k| {
                            k.strip_prefix(whole.as_str())
                                .is_some_and(|r| r.starts_with('.'))
                        })
                        .count();
                    if fields_of_items > MAX_ITEM_FIELDS {
                        return Err(format!(
                            "«{}»: записи добавляли и удаляли слишком много раз ({MAX_ITEM_FIELDS}). Обратитесь в наставнический центр.",
                            q.text
                        ));
                    }
                    // Only a new item counts toward the most: one already there may be changed
                    // even in a list over its most (which `validate` refuses to send).
                    let new = before
                        .and_then(|b| b.get(name))
                        .is_none_or(|v| !v.is_object());
                    if new && !value.is_null() && group_len(after, id) > *max_items as usize {
                        return Err(format!(
                            "«{}»: не больше {}.",
                            q.text,
                            answer::count_ru(*max_items, "записи", "записей", "записей")
                        ));
                    }
                }
                (_, None, None) => {
                    check_kind(&q.kind, value).map_err(|rule| format!("«{}»: {rule}.", q.text))?;
                    // A list written whole counts with the items of their own fields.
                    if let Kind::Group { max_items, .. } = &q.kind {
                        let grows = value.as_array().map_or(0, Vec::len)
                            > before
                                .and_then(|b| b.get(name))
                                .and_then(Value::as_array)
                                .map_or(0, Vec::len);
                        if grows && group_len(after, id) > *max_items as usize {
                            return Err(format!(
                                "«{}»: не больше {}.",
                                q.text,
                                answer::count_ru(*max_items, "записи", "записей", "записей")
                            ));
                        }
                    }
                }
                _ => return Err(format!("В форме «{}» нет поля «{name}».", t.title)),
            }
            continue;
        }
        match name.as_str() {
            F_CAMPAIGN | F_TEMPLATE | F_VERSION => {}
            F_RESPONDENT => {
                if t.anonymous && !value.is_null() {
                    return Err("Анкета анонимная: имя с ответами не сохраняется.".into());
                }
                if !value.is_null() && value.as_str().is_none_or(|s| s.chars().count() > 200) {
                    return Err("Имя отвечающего — текст до 200 символов.".into());
                }
            }
            F_STATUS => {
                let to = value
                    .as_str()
                    .and_then(Status::parse)
                    .ok_or("Неизвестное состояние ответа.")?;
                match to {
                    Status::Submitted => {
                        let problems = validate(t, &answers_of(after));
                        if let Some(first) = problems.first() {
                            let more = problems.len() - 1;
                            let tail = if more > 0 {
                                format!(" (и ещё замечаний: {more})")
                            } else {
                                String::new()
                            };
                            return Err(format!("Форма не отправлена: {}{tail}", first.message));
                        }
                    }
                    Status::Draft if was == Status::Draft => {}
                    _ => {
                        return Err(
                            "Вернуть или принять ответ может только наставник или куратор.".into(),
                        );
                    }
                }
            }
            other => return Err(format!("У ответа нет поля «{other}».")),
        }
    }
    if touches_answers && !was.editable() {
        return Err(format!(
            "Состояние формы — «{}»: изменение ответа не принято. Изменить ответы можно, когда наставник вернёт форму.",
            was.label()
        ));
    }
    Ok(())
}
