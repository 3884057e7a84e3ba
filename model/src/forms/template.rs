//! The template format: a form is data (sections of typed questions), so the centre can add a
//! survey without a new release. Templates are written as JSON files (see `templates/` at the
//! root of the repository) or uploaded by the centre head; [`Template::parse`] refuses a
//! malformed one with a message that names the place and the rule.
//!
//! A test question may carry its correct options (`correct`) in the file. [`Template::parse`]
//! takes them out into a [`Key`] that stays on the server: the template that reaches devices
//! never holds them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::role::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Stable name of the form across versions: lowercase latin letters, digits and `_`.
    pub code: String,
    /// Increases with every change; a response pins the version it was made with.
    pub version: u32,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// One response per school (a card the team fills together) or per person (a survey).
    pub respondent: Respondent,
    /// The roles that fill it (a campaign may narrow this down).
    pub audience: Vec<Role>,
    /// Who answered is neither stored with the answers nor shown.
    #[serde(default)]
    pub anonymous: bool,
    /// A scored test: competency areas and the thresholds of a deficit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<TestSpec>,
    /// Forms that ask some of the same questions (the same id, the same meaning): a question
    /// answered in one is pre-filled in the other, so a school types it once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<String>,
    /// Show the municipal median beside each figure once enough schools answered.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub medians: bool,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Respondent {
    School,
    Person,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    pub areas: Vec<Area>,
    /// Below this share of points (percent) an area is a deficit.
    pub deficit_below: u8,
    /// Below this share (and not a deficit) an area is a partial deficit.
    pub partial_below: u8,
    /// Minutes the test may take once started online (the server enforces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_min: Option<u32>,
    /// The question (single choice, not scored) that asks the respondent's position, so the
    /// results are reported per position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// A short management case read before the question (tests).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub case: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// The competency area a test question scores in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// The correct options of a test question; taken out by [`Template::parse`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<Vec<String>>,
    /// The norm or source a test item checks, shown in the debrief of a missed item (never the
    /// right option).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    /// A consent (to the processing of personal data, 152-ФЗ): a yes/no question the response
    /// cannot be sent without «да».
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub consent: bool,
    #[serde(flatten)]
    pub kind: Kind,
}

/// The kinds of questions, with their own rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    Single {
        options: Vec<Choice>,
    },
    Multiple {
        options: Vec<Choice>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_choices: Option<u32>,
    },
    Scale {
        min: i64,
        max: i64,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        min_label: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        max_label: String,
    },
    Number(NumberRule),
    Percent,
    Text {
        #[serde(default = "short_text_max")]
        max_len: u32,
    },
    LongText {
        #[serde(default = "long_text_max")]
        max_len: u32,
    },
    Date,
    YesNo,
    /// Fixed rows × typed columns, e.g. results by subject and year.
    Table {
        rows: Vec<Choice>,
        columns: Vec<Column>,
    },
    /// A group of questions answered any number of times (e.g. each partner organisation).
    Group {
        questions: Vec<Question>,
        #[serde(default)]
        min_items: u32,
        #[serde(default = "group_max")]
        max_items: u32,
        /// What one item is called ("организация").
        #[serde(default, skip_serializing_if = "String::is_empty")]
        item_label: String,
    },
    /// A value computed from other answers, shown read-only and never stored.
    Computed(Formula),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default)]
    pub integer: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub text: String,
    /// In a table's rows: stands for this many school years before the campaign's, one row
    /// each, titled «2023/24» followed by `text` (see [`Template::for_school_year`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub id: String,
    pub text: String,
    /// Stands for this many school years before the campaign's, one column each, titled
    /// «2023/24» (see [`Template::for_school_year`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u8>,
    #[serde(flatten)]
    pub cell: Cell,
}

/// The type of a table cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cell {
    Number(NumberRule),
    Percent,
    Text {
        #[serde(default = "short_text_max")]
        max_len: u32,
    },
    Single {
        options: Vec<Choice>,
    },
    YesNo,
}

/// `of[0] / of[1] × factor`, rounded to `digits`; or the sum of `of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formula {
    pub op: FormulaOp,
    pub of: Vec<String>,
    #[serde(default = "one")]
    pub factor: f64,
    #[serde(default = "one_digit")]
    pub digits: u8,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormulaOp {
    Ratio,
    Sum,
    /// The number of items of a group.
    Count,
}

/// Shown only when an earlier answer is (one of) the given value(s), or answered at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<Value>,
}

fn short_text_max() -> u32 {
    300
}
fn long_text_max() -> u32 {
    5_000
}
fn group_max() -> u32 {
    50
}
fn one() -> f64 {
    1.0
}
fn one_digit() -> u8 {
    1
}

/// The answer key of a test: question id → its correct options. Stays on the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Key(pub BTreeMap<String, BTreeSet<String>>);

/// A malformed template: where, and which rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {rule}")]
pub struct TemplateError {
    pub place: String,
    pub rule: String,
}

/// The largest template accepted, in bytes of JSON.
pub const MAX_TEMPLATE_BYTES: usize = 512 * 1024;

/// The highest version number of a form (a campaign names its form's version within it).
pub const MAX_VERSION: u32 = 1_000_000;

impl Template {
    /// Reads a template file, checks every rule and takes the answer key out.
    pub fn parse(json: &str) -> Result<(Template, Key), TemplateError> {
        if json.len() > MAX_TEMPLATE_BYTES {
            return Err(err(
                "шаблон",
                format!("не больше {} КБ", MAX_TEMPLATE_BYTES / 1024),
            ));
        }
        let at = |e: serde_json::Error| TemplateError {
            place: format!("строка {}, позиция {}", e.line(), e.column()),
            rule: json_rule(&e),
        };
        let raw: Value = serde_json::from_str(json).map_err(at)?;
        let mut t: Template = serde_json::from_str(json).map_err(at)?;
        // serde cannot refuse unknown fields next to flattened ones: compare with what was read.
        let read = serde_json::to_value(&t).map_err(|e| err("шаблон", e.to_string()))?;
        unknown_fields(&raw, &read, "шаблон")?;
        t.check()?;
        let key = t.take_key();
        Ok((t, key))
    }

    /// Every question, groups' inner questions included, in order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    /// A top-level question by id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().find(|q| q.id == id)
    }

    /// Is `id` a question inside a group?
    fn is_inner(&self, id: &str) -> bool {
        self.questions().any(|q| match &q.kind {
            Kind::Group { questions, .. } => questions.iter().any(|iq| iq.id == id),
            _ => false,
        })
    }

    fn take_key(&mut self) -> Key {
        let mut key = Key::default();
        for s in &mut self.sections {
            for q in &mut s.questions {
                if let Some(correct) = q.correct.take() {
                    key.0.insert(q.id.clone(), correct.into_iter().collect());
                }
            }
        }
        key
    }

    /// Does a table of the form have school-year rows or columns, which a campaign fixes?
    pub fn has_years(&self) -> bool {
        self.questions().any(|q| match &q.kind {
            Kind::Table { rows, columns } => {
                rows.iter().any(|r| r.years.is_some()) || columns.iter().any(|c| c.years.is_some())
            }
            _ => false,
        })
    }

    /// The form as a campaign of the school year starting in `year` asks it: every school-year
    /// row or column becomes the school years before that one, oldest first («2023/24»,
    /// «2024/25», «2025/26» for a campaign of 2026/27, whose own results are not in yet), with
    /// the ids `y2024`, `y2025`, `y2026`, so a card of any year needs no new release and the
    /// same year has the same id in every card.
    pub fn for_school_year(&self, year: i32) -> Template {
        let mut t = self.clone();
        let years = |n: u8| (year - i32::from(n)..year).map(super::answer::school_year_label);
        for s in &mut t.sections {
            for q in &mut s.questions {
                let Kind::Table { rows, columns } = &mut q.kind else {
                    continue;
                };
                *rows = std::mem::take(rows)
                    .into_iter()
                    .flat_map(|r| match r.years {
                        Some(n) => years(n)
                            .map(|(label, id)| Choice {
                                id,
                                text: format!("{label} {}", r.text).trim_end().to_owned(),
                                years: None,
                            })
                            .collect(),
                        None => vec![r],
                    })
                    .collect();
                *columns = std::mem::take(columns)
                    .into_iter()
                    .flat_map(|c| match c.years {
                        Some(n) => years(n)
                            .map(|(label, id)| Column {
                                id,
                                text: label,
                                years: None,
                                cell: c.cell.clone(),
                            })
                            .collect(),
                        None => vec![c],
                    })
                    .collect();
            }
        }
        t
    }

    fn check(&self) -> Result<(), TemplateError> {
        check_id(&self.code, "code")?;
        if self.version == 0 {
            return Err(err("version", "номер версии начинается с 1"));
        }
        if self.version > MAX_VERSION {
            return Err(err(
                "version",
                format!("номер версии — не больше {MAX_VERSION}: версии нумеруют 1, 2, 3…"),
            ));
        }
        not_blank(&self.title, "title")?;
        if self.audience.is_empty() {
            return Err(err("audience", "укажите хотя бы одну роль"));
        }
        // A form for the whole school is the management team's (they read it back together);
        // an anonymous one is each person's own.
        if self.respondent == Respondent::School
            && self.audience.iter().any(|r| *r != Role::SchoolTeam)
        {
            return Err(err(
                "audience",
                "форму за всю школу (respondent: school) заполняет управленческая команда: school_team",
            ));
        }
        if self.anonymous && self.respondent != Respondent::Person {
            return Err(err(
                "anonymous",
                "анонимной может быть только анкета, которую каждый заполняет сам (respondent: person)",
            ));
        }
        if self.sections.is_empty() {
            return Err(err("sections", "в шаблоне нет ни одного раздела"));
        }
        for code in &self.shared_with {
            check_id(code, "shared_with")?;
            if *code == self.code {
                return Err(err("shared_with", "форма не делит вопросы сама с собой"));
            }
        }
        if let Some(test) = &self.test {
            if test.areas.is_empty() {
                return Err(err("test.areas", "у теста нет ни одной области"));
            }
            if test.deficit_below > test.partial_below || test.partial_below > 100 {
                return Err(err(
                    "test",
                    "пороги: 0 ≤ deficit_below ≤ partial_below ≤ 100",
                ));
            }
            let mut ids = BTreeSet::new();
            for (i, a) in test.areas.iter().enumerate() {
                let place = format!("test.areas[{i}]");
                check_id(&a.id, &place)?;
                not_blank(&a.title, &place)?;
                if !ids.insert(&a.id) {
                    return Err(err(place, format!("область «{}» указана дважды", a.id)));
                }
            }
        }
        let mut seen: BTreeMap<&str, &Question> = BTreeMap::new();
        let mut section_ids = BTreeSet::new();
        for (si, s) in self.sections.iter().enumerate() {
            let place = format!("раздел {} «{}»", si + 1, s.title);
            check_id(&s.id, &place)?;
            not_blank(&s.title, &place)?;
            if !section_ids.insert(&s.id) {
                return Err(err(place, format!("раздел «{}» указан дважды", s.id)));
            }
            if s.questions.is_empty() {
                return Err(err(place, "в разделе нет вопросов"));
            }
            for q in &s.questions {
                self.check_question(q, &place, &mut seen, true)?;
            }
        }
        if let Some(test) = &self.test {
            for a in &test.areas {
                if !self.questions().any(|q| q.area.as_ref() == Some(&a.id)) {
                    return Err(err(
                        format!("test.areas «{}»", a.id),
                        "в области нет ни одного вопроса",
                    ));
                }
            }
            if let Some(id) = &test.position {
                let ok = self.questions().any(|q| {
                    &q.id == id && q.area.is_none() && matches!(q.kind, Kind::Single { .. })
                });
                if !ok {
                    return Err(err(
                        "test.position",
                        format!("«{id}» — не вопрос с одним ответом вне областей теста"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_question<'a>(
        &self,
        q: &'a Question,
        parent: &str,
        seen: &mut BTreeMap<&'a str, &'a Question>,
        top: bool,
    ) -> Result<(), TemplateError> {
        let place = format!("{parent}, вопрос «{}»", q.id);
        check_id(&q.id, &place)?;
        not_blank(&q.text, &place)?;
        if seen.contains_key(q.id.as_str()) {
            return Err(err(place, "такой id уже есть в шаблоне"));
        }
        if let Some(c) = &q.show_if {
            if top && self.is_inner(&c.question) {
                return Err(err(
                    &place,
                    format!(
                        "show_if ссылается на «{}» внутри группы: так вопрос не появится никогда",
                        c.question
                    ),
                ));
            }
            let Some(target) = seen.get(c.question.as_str()) else {
                return Err(err(
                    &place,
                    format!(
                        "show_if ссылается на «{}», а это не более ранний вопрос",
                        c.question
                    ),
                ));
            };
            if c.equals.is_none() && c.any_of.is_empty() {
                // "answered at all" is allowed.
            }
            for v in c.equals.iter().chain(c.any_of.iter()) {
                // A multiple-choice answer shows the question when it includes the option.
                let as_answer = match target.kind {
                    Kind::Multiple { .. } => Value::Array(vec![v.clone()]),
                    _ => v.clone(),
                };
                if let Err(rule) = check_value(&target.kind, &as_answer) {
                    return Err(err(
                        &place,
                        format!(
                            "show_if: значение {v} не подходит к вопросу «{}» ({rule})",
                            c.question
                        ),
                    ));
                }
            }
        }
        if q.reference.chars().count() > 300 {
            return Err(err(&place, "reference: не длиннее 300 символов"));
        }
        if q.consent && !matches!(q.kind, Kind::YesNo) {
            return Err(err(&place, "consent: согласие — вопрос «да/нет» (yes_no)"));
        }
        if !top && (q.area.is_some() || q.correct.is_some()) {
            return Err(err(&place, "вопрос теста не может быть внутри группы"));
        }
        match (&self.test, &q.area) {
            (Some(test), Some(area)) => {
                if !test.areas.iter().any(|a| &a.id == area) {
                    return Err(err(&place, format!("области «{area}» нет в test.areas")));
                }
                if !matches!(q.kind, Kind::Single { .. } | Kind::Multiple { .. }) {
                    return Err(err(
                        &place,
                        "вопрос теста — с одним или несколькими вариантами",
                    ));
                }
                let Some(correct) = &q.correct else {
                    return Err(err(&place, "у вопроса теста нет верного ответа (correct)"));
                };
                let options = options_of(&q.kind);
                if correct.is_empty() {
                    return Err(err(&place, "correct: нужен хотя бы один вариант"));
                }
                if matches!(q.kind, Kind::Single { .. }) && correct.len() != 1 {
                    return Err(err(
                        &place,
                        "correct: у вопроса с одним ответом — один вариант",
                    ));
                }
                for c in correct {
                    if !options.iter().any(|o| &o.id == c) {
                        return Err(err(&place, format!("correct: варианта «{c}» нет")));
                    }
                }
            }
            (None, Some(_)) => {
                return Err(err(&place, "area указана, но шаблон не тест (нет test)"));
            }
            (_, None) if q.correct.is_some() => {
                return Err(err(&place, "correct без area: вопрос не отнесён к области"));
            }
            _ => {}
        }
        match &q.kind {
            Kind::Single { options } | Kind::Multiple { options, .. } => {
                check_choices(options, &place, "options")?;
                if let Kind::Multiple {
                    max_choices: Some(m),
                    ..
                } = q.kind
                    && (m == 0 || m as usize > options.len())
                {
                    return Err(err(&place, "max_choices: от 1 до числа вариантов"));
                }
            }
            Kind::Scale { min, max, .. } => {
                if min >= max || max - min > 100 {
                    return Err(err(&place, "шкала: min < max, не больше 100 делений"));
                }
            }
            Kind::Number(rule) => check_number(rule, &place)?,
            Kind::Percent | Kind::Date | Kind::YesNo => {}
            Kind::Text { max_len } | Kind::LongText { max_len } => {
                if *max_len == 0 || *max_len > 20_000 {
                    return Err(err(&place, "max_len: от 1 до 20000"));
                }
            }
            Kind::Table { rows, columns } => {
                check_choices(rows, &place, "rows")?;
                if columns.is_empty() {
                    return Err(err(&place, "в таблице нет столбцов"));
                }
                let year_rows = rows.iter().filter_map(|r| r.years);
                let year_columns = columns.iter().filter_map(|c| c.years);
                let all: Vec<u8> = year_rows.clone().chain(year_columns.clone()).collect();
                if all.iter().any(|n| *n == 0 || *n > 10) {
                    return Err(err(&place, "years: от 1 до 10 учебных лет"));
                }
                if year_rows.count() > 1 || year_columns.count() > 1 {
                    return Err(err(
                        &place,
                        "years: учебные годы — одной строкой или одним столбцом",
                    ));
                }
                if all.len() > 1 {
                    return Err(err(
                        &place,
                        "years: учебные годы — либо в строках, либо в столбцах",
                    ));
                }
                let fixed = |id: &str| {
                    id.len() == 5
                        && id.starts_with('y')
                        && id[1..].bytes().all(|b| b.is_ascii_digit())
                };
                if !all.is_empty()
                    && (rows.iter().any(|r| r.years.is_none() && fixed(&r.id))
                        || columns.iter().any(|c| c.years.is_none() && fixed(&c.id)))
                {
                    return Err(err(&place, "id вида y2024 занят учебными годами (years)"));
                }
                let mut ids = BTreeSet::new();
                for c in columns {
                    let cplace = format!("{place}, столбец «{}»", c.id);
                    check_id(&c.id, &cplace)?;
                    not_blank(&c.text, &cplace)?;
                    if !ids.insert(&c.id) {
                        return Err(err(cplace, "столбец указан дважды"));
                    }
                    match &c.cell {
                        Cell::Number(rule) => check_number(rule, &cplace)?,
                        Cell::Single { options } => check_choices(options, &cplace, "options")?,
                        Cell::Text { max_len } if *max_len == 0 || *max_len > 2_000 => {
                            return Err(err(cplace, "max_len: от 1 до 2000"));
                        }
                        _ => {}
                    }
                }
            }
            Kind::Group {
                questions,
                min_items,
                max_items,
                ..
            } => {
                if !top {
                    return Err(err(&place, "группа внутри группы не допускается"));
                }
                if questions.is_empty() {
                    return Err(err(&place, "в группе нет вопросов"));
                }
                if min_items > max_items || *max_items == 0 || *max_items > 500 {
                    return Err(err(&place, "min_items ≤ max_items, max_items от 1 до 500"));
                }
                // Inner questions see the earlier top-level ones and each other.
                let mut inner = seen.clone();
                for iq in questions {
                    if matches!(iq.kind, Kind::Table { .. }) {
                        return Err(err(&place, "таблица внутри группы не допускается"));
                    }
                    self.check_question(iq, &place, &mut inner, false)?;
                }
                for iq in questions {
                    seen.insert(iq.id.as_str(), iq);
                }
            }
            Kind::Computed(f) => {
                let need = match f.op {
                    FormulaOp::Ratio => f.of.len() == 2,
                    FormulaOp::Sum => !f.of.is_empty(),
                    FormulaOp::Count => f.of.len() == 1,
                };
                if !need {
                    return Err(err(
                        &place,
                        "формула: ratio — два вопроса, sum — хотя бы один, count — одна группа",
                    ));
                }
                if f.digits > 6 {
                    return Err(err(&place, "digits: не больше 6"));
                }
                for id in &f.of {
                    match (f.op, seen.get(id.as_str()).map(|q| &q.kind)) {
                        (FormulaOp::Count, Some(Kind::Group { .. })) => {}
                        (FormulaOp::Count, _) => {
                            return Err(err(
                                &place,
                                format!("формула count: «{id}» должен быть более ранней группой"),
                            ));
                        }
                        (_, Some(Kind::Number(_) | Kind::Percent | Kind::Scale { .. })) => {}
                        _ => {
                            return Err(err(
                                &place,
                                format!(
                                    "формула: «{id}» должен быть более ранним числовым вопросом"
                                ),
                            ));
                        }
                    }
                }
                if q.required {
                    return Err(err(&place, "вычисляемое значение не бывает обязательным"));
                }
            }
        }
        seen.insert(q.id.as_str(), q);
        Ok(())
    }
}

impl Kind {
    /// The kind's name, as templates spell it (`"type"`).
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Single { .. } => "single",
            Kind::Multiple { .. } => "multiple",
            Kind::Scale { .. } => "scale",
            Kind::Number(_) => "number",
            Kind::Percent => "percent",
            Kind::Text { .. } => "text",
            Kind::LongText { .. } => "long_text",
            Kind::Date => "date",
            Kind::YesNo => "yes_no",
            Kind::Table { .. } => "table",
            Kind::Group { .. } => "group",
            Kind::Computed(_) => "computed",
        }
    }
}

pub(crate) fn options_of(kind: &Kind) -> &[Choice] {
    match kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => options,
        _ => &[],
    }
}

fn check_choices(list: &[Choice], place: &str, what: &str) -> Result<(), TemplateError> {
    if list.is_empty() {
        return Err(err(place, format!("{what}: список пуст")));
    }
    let mut ids = BTreeSet::new();
    for c in list {
        check_id(&c.id, &format!("{place}, {what}"))?;
        not_blank(&c.text, &format!("{place}, {what} «{}»", c.id))?;
        if !ids.insert(&c.id) {
            return Err(err(place, format!("{what}: «{}» указан дважды", c.id)));
        }
        if c.years.is_some() && what != "rows" {
            return Err(err(
                place,
                format!("{what}: years — только у строк таблицы"),
            ));
        }
    }
    Ok(())
}

fn check_number(rule: &NumberRule, place: &str) -> Result<(), TemplateError> {
    if let (Some(min), Some(max)) = (rule.min, rule.max)
        && min > max
    {
        return Err(err(place, "min не больше max"));
    }
    Ok(())
}

fn check_id(id: &str, place: &str) -> Result<(), TemplateError> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(err(
            place,
            format!(
                "идентификатор «{id}»: латинские строчные буквы, цифры и _, с буквы, до 40 знаков"
            ),
        ))
    }
}

fn not_blank(text: &str, place: &str) -> Result<(), TemplateError> {
    if text.trim().is_empty() {
        Err(err(place, "текст не может быть пустым"))
    } else {
        Ok(())
    }
}

fn err(place: impl Into<String>, rule: impl Into<String>) -> TemplateError {
    TemplateError {
        place: place.into(),
        rule: rule.into(),
    }
}

/// The first field of `raw` that reading it did not keep (a typo, or a field of another kind).
fn unknown_fields(raw: &Value, read: &Value, place: &str) -> Result<(), TemplateError> {
    match (raw, read) {
        (Value::Object(r), Value::Object(k)) => {
            for (name, v) in r {
                match k.get(name) {
                    Some(kv) => unknown_fields(v, kv, &format!("{place}.{name}"))?,
                    None if is_default(v) => {}
                    None => {
                        return Err(err(place, format!("неизвестное поле «{name}»")));
                    }
                }
            }
            Ok(())
        }
        (Value::Array(r), Value::Array(k)) => {
            for (i, (rv, kv)) in r.iter().zip(k).enumerate() {
                unknown_fields(rv, kv, &format!("{place}[{i}]"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn is_default(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// serde_json's message, with its position (already in the place) cut off.
fn json_rule(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m)
        .to_owned();
    let kind = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            "синтаксическая ошибка JSON"
        }
        _ => "поле не по формату шаблона",
    };
    format!("{kind} ({msg})")
}

/// Does `value` fit a question of `kind`? The message names the rule (without the question).
pub(crate) fn check_value(kind: &Kind, value: &Value) -> Result<(), String> {
    crate::forms::answer::check_kind(kind, value)
}
