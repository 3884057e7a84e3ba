//! The centre's plan of work and its execution report (002, appendix «План работы
//! муниципального наставнического центра»; 003, the report approved by order № 877 of
//! 04.06.2021, with the columns № · Содержание работы · Сроки · Место проведения ·
//! Ответственный, привлечённые специалисты · Отчёт о выполнении мероприятий / источники,
//! grouped by direction). Each item is a `work_item` record of the centre for a school year:
//! the head plans it; the person responsible for it reports on it (text, status and the
//! documents that prove it, cited by kind, number and date as 003 does), offline like every
//! edit. An item may be linked to what the system already knows — a campaign, the
//! consultations, the visits, the programmes — and then shows their figures beside the report.
//! The programme's indicators (000 §6) are in [`indicators`].

pub mod indicators;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::forms::{self, Campaign, Status};
use crate::record::Record;
use crate::support::{consultation, programme, visit};
use crate::words::word_of;

pub const KIND: &str = "work_item";

/// The school year it belongs to: 2026 for 2026/2027 (September to August).
pub const F_YEAR: &str = "year";
pub const F_DIRECTION: &str = "direction";
pub const F_CONTENT: &str = "content";
pub const F_PERIOD: &str = "period";
/// The calendar months (1–12) of a period of one or several months.
pub const F_MONTHS: &str = "months";
pub const F_PLACE: &str = "place";
/// The person responsible (a user id): they report on the item. The field every kind names
/// the one person a record is addressed to by (`kinds::ADDRESSEE`, checked there).
pub const F_RESPONSIBLE: &str = "addressee";
/// The responsible and involved people as the plan names them, outsiders too ("главный
/// специалист УО, координатор").
pub const F_PEOPLE: &str = "people";
/// The schools it is addressed to (ids); empty: every school.
pub const F_SCHOOLS: &str = "schools";
pub const F_STATUS: &str = "status";
pub const F_REPORT: &str = "report";
/// The documents proving execution: a list of [`Document`].
pub const F_EVIDENCE: &str = "evidence";
/// What the system knows about it: [`Link`] as text.
pub const F_LINK: &str = "link";

pub const DIRECTIONS: [(&str, &str); 6] = [
    ("research", "Исследовательская деятельность"),
    ("project", "Проектная деятельность"),
    ("consulting", "Консультационная деятельность"),
    ("information", "Информационная деятельность"),
    ("monitoring", "Мониторинговая деятельность"),
    ("organisational", "Организационная деятельность"),
];

pub const PERIODS: [(&str, &str); 6] = [
    ("month", "месяц"),
    ("months", "несколько месяцев"),
    ("quarterly", "ежеквартально"),
    ("twice_a_year", "два раза в год"),
    ("during_year", "в течение года"),
    ("on_request", "по запросу"),
];

pub const STATUSES: [(&str, &str); 5] = [
    ("planned", "запланировано"),
    ("in_progress", "выполняется"),
    ("done", "выполнено"),
    ("moved", "перенесено на следующий год"),
    ("not_done", "не выполнено"),
];

pub const DOCUMENT_KINDS: [(&str, &str); 6] = [
    ("order", "приказ"),
    ("letter", "письмо"),
    ("protocol", "протокол"),
    ("report", "справка"),
    ("publication", "публикация"),
    ("other", "документ"),
];

/// Months in the order of a school year.
pub const SCHOOL_MONTHS: [u8; 12] = [9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8];

const MONTH_NAMES: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

pub fn month_name(m: u8) -> &'static str {
    MONTH_NAMES
        .get(usize::from(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("")
}

pub fn label(list: &'static [(&'static str, &'static str)], id: &str) -> &'static str {
    crate::words::word_of(list, id).unwrap_or("")
}

/// A document cited as evidence: "письмо УО от 19.05.2021 № 1457/21-21-10".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: String,
    #[serde(default)]
    pub number: String,
    /// `YYYY-MM-DD`, or empty.
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub title: String,
}

impl Document {
    /// As 003 cites it: "письмо от 19.05.2021 № 1457/21-21-10 «…»".
    pub fn cite(&self) -> String {
        let mut s = label(&DOCUMENT_KINDS, &self.kind).to_owned();
        if !self.date.is_empty() {
            s.push_str(&format!(" от {}", forms::answer::ru_date(&self.date)));
        }
        if !self.number.is_empty() {
            s.push_str(&format!(" № {}", self.number));
        }
        if !self.title.is_empty() {
            s.push_str(&format!(" «{}»", self.title));
        }
        s
    }
}

pub fn documents(r: &Record) -> Vec<Document> {
    r.get(F_EVIDENCE)
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// What a work item is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Campaign(Uuid),
    Consultations,
    Visits,
    Programmes,
}

impl Link {
    pub fn parse(s: &str) -> Option<Link> {
        match s {
            "consultations" => Some(Link::Consultations),
            "visits" => Some(Link::Visits),
            "programmes" => Some(Link::Programmes),
            _ => s
                .strip_prefix("campaign:")
                .and_then(|id| Uuid::parse_str(id).ok())
                .map(Link::Campaign),
        }
    }

    pub fn as_string(&self) -> String {
        match self {
            Link::Campaign(id) => format!("campaign:{id}"),
            Link::Consultations => "consultations".into(),
            Link::Visits => "visits".into(),
            Link::Programmes => "programmes".into(),
        }
    }
}

// ---- checks of field values ----

fn one_of(v: &Value, list: &[(&str, &str)], expected: &str) -> Result<(), String> {
    match v.as_str() {
        Some(s) if list.iter().any(|(k, _)| *k == s) => Ok(()),
        _ => Err(expected.into()),
    }
}

pub fn check_direction(v: &Value) -> Result<(), String> {
    one_of(v, &DIRECTIONS, "одно из шести направлений")
}

pub fn check_period(v: &Value) -> Result<(), String> {
    one_of(v, &PERIODS, "один из видов сроков")
}

pub fn check_status(v: &Value) -> Result<(), String> {
    one_of(v, &STATUSES, "одно из состояний мероприятия")
}

pub fn check_months(v: &Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|l| {
        l.len() <= 12
            && l.iter()
                .all(|m| m.as_u64().is_some_and(|m| (1..=12).contains(&m)))
    });
    if ok {
        Ok(())
    } else {
        Err("месяцы от 1 до 12".into())
    }
}

pub fn check_ids(v: &Value) -> Result<(), String> {
    let ok = v.as_array().is_some_and(|l| {
        l.len() <= 500
            && l.iter()
                .all(|x| x.as_str().is_some_and(|s| Uuid::parse_str(s).is_ok()))
    });
    if ok {
        Ok(())
    } else {
        Err("список школ".into())
    }
}

pub fn check_evidence(v: &Value) -> Result<(), String> {
    let docs: Vec<Document> = serde_json::from_value(v.clone())
        .map_err(|_| "список документов: вид, номер, дата, название".to_owned())?;
    if docs.len() > 50 {
        return Err("не более 50 документов".into());
    }
    for d in &docs {
        if !DOCUMENT_KINDS.iter().any(|(k, _)| *k == d.kind) {
            return Err(
                "вид документа: приказ, письмо, протокол, справка, публикация или документ".into(),
            );
        }
        if !d.date.is_empty() && !forms::answer::is_date(&d.date) {
            return Err("дата документа в виде ГГГГ-ММ-ДД".into());
        }
        if d.number.chars().count() > 100 || d.title.chars().count() > 500 {
            return Err("номер — до 100 символов, название — до 500".into());
        }
    }
    Ok(())
}

pub fn check_link(v: &Value) -> Result<(), String> {
    match v.as_str().and_then(Link::parse) {
        Some(_) => Ok(()),
        None => Err("кампания, консультации, посещения или программы".into()),
    }
}

// ---- periods ----

fn months_of(r: &Record) -> Vec<u8> {
    r.get(F_MONTHS)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|m| m.as_u64())
                .map(|m| m as u8)
                .collect()
        })
        .unwrap_or_default()
}

/// A month's place in the school year (September 0 … August 11).
pub fn school_index(m: u8) -> usize {
    SCHOOL_MONTHS.iter().position(|x| *x == m).unwrap_or(0)
}

/// "Сроки" as the plan writes them: "февраль", "февраль–июнь", "ноябрь, март", "ежеквартально",
/// "два раза в год (декабрь, май)", "в течение года", "по запросу".
pub fn period_label(r: &Record) -> String {
    let mut months = months_of(r);
    months.sort_by_key(|m| school_index(*m));
    months.dedup();
    let names = |ms: &[u8]| {
        let contiguous = ms.len() > 2
            && ms
                .windows(2)
                .all(|w| school_index(w[1]) == school_index(w[0]) + 1);
        if contiguous {
            format!("{}–{}", month_name(ms[0]), month_name(ms[ms.len() - 1]))
        } else {
            ms.iter()
                .map(|m| month_name(*m))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    match r.text(F_PERIOD).as_str() {
        "month" | "months" if !months.is_empty() => names(&months),
        "twice_a_year" if !months.is_empty() => format!("два раза в год ({})", names(&months)),
        p => label(&PERIODS, p).to_owned(),
    }
}

/// Does the item fall in the months `from`..=`to` of its school year (in school-year order)?
/// Items of the whole year (quarterly, twice a year without months, during the year, on
/// request) fall in every period.
pub fn in_period(r: &Record, from: u8, to: u8) -> bool {
    let (a, b) = (school_index(from), school_index(to));
    let months = months_of(r);
    match r.text(F_PERIOD).as_str() {
        "month" | "months" | "twice_a_year" if !months.is_empty() => {
            months.iter().any(|m| (a..=b).contains(&school_index(*m)))
        }
        _ => true,
    }
}

/// The school year of a date `YYYY-MM-DD`: 2026 for 01.09.2026–31.08.2027.
pub fn school_year_of(date: &str) -> Option<i64> {
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: u8 = date.get(5..7)?.parse().ok()?;
    Some(if m >= 9 { y } else { y - 1 })
}

/// Is the day `YYYY-MM-DD` in the school year `year`?
fn in_school_year(date: &str, year: i64) -> bool {
    school_year_of(date) == Some(year)
}

// ---- the plan as a document ----

/// The items of a year, grouped by direction (in [`DIRECTIONS`] order), each group in the order
/// the items were added; deleted items left out. Only items in the months `from..=to`.
pub fn grouped<'a>(
    items: impl IntoIterator<Item = &'a Record>,
    year: i64,
    period: Option<(u8, u8)>,
) -> Vec<(&'static str, Vec<Record>)> {
    let mut mine: Vec<&Record> = items
        .into_iter()
        .filter(|r| r.kind == KIND && !r.is_deleted())
        .filter(|r| r.get(F_YEAR).and_then(Value::as_i64) == Some(year))
        .filter(|r| period.is_none_or(|(a, b)| in_period(r, a, b)))
        .collect();
    mine.sort_by_key(|r| r.id);
    let of = |d: Option<&str>| {
        mine.iter()
            .filter(|r| match d {
                Some(d) => r.text(F_DIRECTION) == d,
                None => word_of(&DIRECTIONS, &r.text(F_DIRECTION)).is_none(),
            })
            .map(|r| (*r).clone())
            .collect::<Vec<_>>()
    };
    // (An item the rules let through without a direction, from before they required one, is
    // listed last rather than lost.)
    DIRECTIONS
        .iter()
        .map(|(d, label)| (*label, of(Some(d))))
        .chain([("Без направления", of(None))])
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

/// The execution report of an item as the last column of 003 shows it: the report text, then
/// the documents, then the figures the system knows.
pub fn report_text(r: &Record, figures: &[String]) -> String {
    let mut parts = Vec::new();
    let report = r.text(F_REPORT);
    if !report.trim().is_empty() {
        parts.push(report.trim().to_owned());
    }
    let docs: Vec<String> = documents(r).iter().map(Document::cite).collect();
    if !docs.is_empty() {
        parts.push(format!("Источники: {}.", docs.join("; ")));
    }
    if !figures.is_empty() {
        parts.push(format!("По данным системы: {}.", figures.join("; ")));
    }
    parts.join("\n")
}

// ---- figures from linked records ----

/// The figures of what an item is linked to, from the records the reader has, for its school
/// year: a campaign's addressees, answers sent and accepted; consultations asked and held;
/// visits by type; programmes, presented and approved.
pub fn figures(item: &Record, records: &[Record]) -> Vec<String> {
    let Some(link) = Link::parse(&item.text(F_LINK)) else {
        return Vec::new();
    };
    let year = item.get(F_YEAR).and_then(Value::as_i64).unwrap_or(0);
    // The item's schools (none: every school); a campaign names its own.
    let schools: Vec<String> = item
        .get(F_SCHOOLS)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let addressed = move |r: &Record| match &r.scope {
        crate::record::Scope::School(s) => schools.is_empty() || schools.contains(&s.to_string()),
        _ => schools.is_empty(),
    };
    let live = || records.iter().filter(|r| !r.is_deleted());
    match link {
        Link::Campaign(id) => {
            let Some(c) = live().find(|r| r.id == id).and_then(Campaign::from_record) else {
                return vec!["кампания недоступна на этом компьютере".into()];
            };
            let responses: Vec<Status> = live()
                .filter(|r| {
                    r.kind == forms::RESPONSE_KIND && r.text(forms::F_CAMPAIGN) == id.to_string()
                })
                .map(forms::status_of)
                .collect();
            let sent = responses
                .iter()
                .filter(|s| matches!(s, Status::Submitted | Status::Accepted | Status::Returned))
                .count();
            let accepted = responses.iter().filter(|s| **s == Status::Accepted).count();
            vec![
                format!("форма «{}» направлена школам: {}", c.title, c.schools.len()),
                format!("ответов отправлено: {sent}"),
                format!("принято: {accepted}"),
            ]
        }
        Link::Consultations => {
            let list: Vec<&Record> = live()
                .filter(|r| r.kind == consultation::KIND && addressed(r))
                .filter(|r| {
                    r.created_ms()
                        .is_some_and(|ms| in_school_year(&forms::answer::iso_day(ms), year))
                })
                .collect();
            let held = list
                .iter()
                .filter(|r| {
                    matches!(
                        consultation::state_of(r),
                        consultation::State::Held | consultation::State::Closed
                    )
                })
                .count();
            vec![
                format!("запросов на консультации: {}", list.len()),
                format!("проведено консультаций: {held}"),
            ]
        }
        Link::Visits => {
            let list: Vec<&Record> = live()
                .filter(|r| {
                    r.kind == visit::KIND
                        && addressed(r)
                        && in_school_year(&r.text(visit::F_DATE), year)
                })
                .collect();
            let mut out = vec![format!("посещений и мероприятий: {}", list.len())];
            for (t, l) in visit::TYPES {
                let n = list.iter().filter(|r| r.text(visit::F_TYPE) == t).count();
                if n > 0 {
                    out.push(format!("{}: {n}", l.to_lowercase()));
                }
            }
            out
        }
        Link::Programmes => {
            // Programmes run over calendar years: a school year touches two; each school is
            // counted once, by its programmes of either.
            let list: Vec<&Record> = live()
                .filter(|r| r.kind == programme::PROGRAMME_KIND && addressed(r))
                .filter(|r| {
                    r.get(programme::F_YEAR)
                        .and_then(Value::as_i64)
                        .is_some_and(|y| y == year || y == year + 1)
                })
                .collect();
            let schools_where = |pred: &dyn Fn(&Record) -> bool| {
                list.iter()
                    .filter(|r| pred(r))
                    .map(|r| r.scope.to_string())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            };
            let presented = schools_where(&|r| !r.text(programme::F_PRESENTED_ON).is_empty());
            let approved = schools_where(&|r| {
                matches!(
                    r.text(programme::F_VERDICT).as_str(),
                    "approved" | "recommended"
                )
            });
            let with_programme = schools_where(&|_| true);
            vec![
                format!("школ с антирисковой программой: {with_programme}"),
                format!("представлено публично: {presented}"),
                format!("одобрено: {approved}"),
            ]
        }
    }
}

#[cfg(test)]
mod tests;
