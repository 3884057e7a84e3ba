//! The anti-risk programme of a school (программа перехода в эффективный режим работы, 002
//! §4.3.2; "антирисковые программы" by risk factor, 003): one per school and calendar year, a
//! section per priority risk factor with its goal and tasks, indicators (baseline, target and
//! the actual value at the end of each quarter) and measures (one of the five kinds of support of
//! 004 stage 2, a deadline, who is responsible, the status and the evidence). The school team
//! drafts it with its mentor or curator; the mentor comments beside any part; the centre head
//! records its public presentation and the verdict (002 §4.3.2–§4.3.3); at the end of the year
//! the school writes the analysis for the correction.
//!
//! Each part is a record so two computers merge it field by field: the programme (id derived
//! from the school and the year), its sections (id derived from the programme and the factor,
//! so a section pre-filled on two computers is one record), and the indicators and measures
//! (fresh ids) whose parent is a section.

use std::collections::BTreeMap;

use serde_json::Value;
use uuid::Uuid;

use super::{GENERAL, RISK_FACTORS, quarters_ended};
use crate::record::{Record, stable_id};

pub const PROGRAMME_KIND: &str = "programme";
pub const SECTION_KIND: &str = "programme_section";
pub const INDICATOR_KIND: &str = "programme_indicator";
pub const MEASURE_KIND: &str = "programme_measure";

// The programme.
pub const F_YEAR: &str = "year";
pub const F_TITLE: &str = "title";
/// The end-of-year analysis of execution, for the correction of next year's programme.
pub const F_ANALYSIS: &str = "analysis";
pub const F_PRESENTED_ON: &str = "presented_on";
/// Who attended the public presentation (002 §4.3.2: the ИРО curator, the head of the education
/// department or a deputy, the centre head, the school's administration).
pub const F_PRESENTED_WHO: &str = "presented_who";
pub const F_VERDICT: &str = "verdict";
/// The mentor's (or the centre's) comment beside any part: every part record has one.
pub const F_COMMENT: &str = "comment";

// A section.
pub const F_FACTOR: &str = "factor";
/// The factor's level in the self-analysis card (high / medium / low).
pub const F_LEVEL: &str = "level";
pub const F_GOAL: &str = "goal";
pub const F_TASKS: &str = "tasks";

// An indicator.
pub const F_NAME: &str = "name";
pub const F_UNIT: &str = "unit";
pub const F_BASELINE: &str = "baseline";
pub const F_TARGET: &str = "target";
/// The actual value at the end of each quarter of the year.
pub const F_QUARTERS: [&str; 4] = ["q1", "q2", "q3", "q4"];

// A measure.
pub const F_CONTENT: &str = "content";
/// One of the five kinds of support (`crate::forms::plan::MEASURE_KINDS`).
pub const F_SUPPORT: &str = "support";
pub const F_DEADLINE: &str = "deadline";
pub const F_RESPONSIBLE: &str = "responsible";
pub const F_PARTICIPANTS: &str = "participants";
pub const F_STATUS: &str = "status";
pub const F_EVIDENCE: &str = "evidence";
/// The recommendation a measure was made from (its id).
pub const F_SOURCE: &str = "source";

/// The verdicts after the public presentation (002 §4.3.2–§4.3.3).
pub const VERDICTS: [(&str, &str); 3] = [
    ("approved", "одобрена"),
    ("revise", "направлена на доработку"),
    (
        "recommended",
        "рекомендована для включения в программу развития школы",
    ),
];

pub const MEASURE_STATUSES: [(&str, &str); 5] = [
    ("planned", "запланировано"),
    ("in_progress", "выполняется"),
    ("done", "выполнено"),
    ("moved", "перенесено"),
    ("cancelled", "отменено"),
];

pub const LEVELS: [(&str, &str); 3] = [
    ("high", "высокий"),
    ("medium", "средний"),
    ("low", "низкий"),
];

/// The programme of a school for a year.
pub fn programme_id(school: Uuid, year: i64) -> Uuid {
    stable_id(&format!("{PROGRAMME_KIND}/{school}/{year}"))
}

/// The section of a programme for one risk factor.
pub fn section_id(programme: Uuid, factor: &str) -> Uuid {
    stable_id(&format!("{SECTION_KIND}/{programme}/{factor}"))
}

pub fn label(list: &'static [(&'static str, &'static str)], id: &str) -> &'static str {
    crate::words::word_of(list, id).unwrap_or("")
}

pub fn check_verdict(v: &Value) -> Result<(), String> {
    one_of(
        v,
        &VERDICTS,
        "«одобрена», «на доработку» или «рекомендована»",
    )
}

pub fn check_status(v: &Value) -> Result<(), String> {
    one_of(v, &MEASURE_STATUSES, "одно из состояний мероприятия")
}

pub fn check_level(v: &Value) -> Result<(), String> {
    one_of(v, &LEVELS, "«высокий», «средний» или «низкий»")
}

pub fn check_factor(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if super::is_factor(s) => Ok(()),
        _ => Err("один из факторов риска карты самоанализа".into()),
    }
}

fn one_of(v: &Value, list: &[(&str, &str)], expected: &str) -> Result<(), String> {
    match v.as_str() {
        Some(s) if list.iter().any(|(k, _)| *k == s) => Ok(()),
        _ => Err(expected.into()),
    }
}

/// A measure past its deadline that is neither done, moved nor cancelled, on `today`
/// (`YYYY-MM-DD`).
pub fn measure_overdue(measure: &Record, today: &str) -> bool {
    let deadline = measure.text(F_DEADLINE);
    let status = measure.text(F_STATUS);
    !deadline.is_empty()
        && deadline.as_str() < today
        && matches!(status.as_str(), "" | "planned" | "in_progress")
}

fn number(r: &Record, name: &str) -> Option<f64> {
    r.get(name).and_then(Value::as_f64)
}

/// How an indicator stands on `today` in a programme of `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Nothing to judge yet (no quarter has ended, or baseline or target missing).
    Open,
    /// The actual of the last ended quarter covers its share of the way from baseline to target.
    OnTrack,
    /// Short of that share: marked "отстаёт".
    Behind,
    /// A quarter has ended and its actual is not entered.
    Missing(u8),
}

/// The indicator's progress: after quarter q (of 4) the actual should have covered at least
/// q/4 of the way from the baseline to the target (in the target's direction; an indicator to
/// be kept at its level must not fall below it). The last ended quarter is judged.
pub fn progress(indicator: &Record, year: i64, today: &str) -> Progress {
    let ended = quarters_ended(year as i32, today);
    if ended == 0 {
        return Progress::Open;
    }
    let (Some(base), Some(target)) = (number(indicator, F_BASELINE), number(indicator, F_TARGET))
    else {
        return Progress::Open;
    };
    let Some(actual) = number(indicator, F_QUARTERS[usize::from(ended) - 1]) else {
        return Progress::Missing(ended);
    };
    let due = base + (target - base) * f64::from(ended) / 4.0;
    let behind = if target >= base {
        actual < due - 1e-9
    } else {
        actual > due + 1e-9
    };
    if behind {
        Progress::Behind
    } else {
        Progress::OnTrack
    }
}

/// The sections to pre-fill from a self-analysis card's answers (`risk_<factor>` levels and
/// `risk_priority`, the factors the school chose as priorities): each priority factor with its
/// level, in the card's order; if the card names no priority, every factor rated high.
pub fn sections_from_card(
    answers: &BTreeMap<String, Value>,
) -> Vec<(&'static str, Option<String>)> {
    let level = |f: &str| {
        answers
            .get(&format!("risk_{f}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let chosen: Vec<&str> = answers
        .get("risk_priority")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let picked: Vec<&'static str> = if chosen.is_empty() {
        RISK_FACTORS
            .iter()
            .map(|(f, _)| *f)
            .filter(|f| level(f).as_deref() == Some("high"))
            .collect()
    } else {
        RISK_FACTORS
            .iter()
            .map(|(f, _)| *f)
            .filter(|f| chosen.contains(f))
            .collect()
    };
    picked.into_iter().map(|f| (f, level(f))).collect()
}

/// The section a measure made from a recommendation goes to: the recommendation's factor, or
/// the general section.
pub fn section_for(factor: &str) -> &str {
    if super::is_factor(factor) {
        factor
    } else {
        GENERAL
    }
}

/// A programme with its parts in order, as the page, the print view and the export show it:
/// sections in the order of the card's risk factors (the general section last), indicators and
/// measures in the order they were added (their ids are time-ordered). Deleted parts are left
/// out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outline {
    pub programme: Option<Record>,
    pub sections: Vec<SectionOutline>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionOutline {
    pub section: Record,
    pub indicators: Vec<Record>,
    pub measures: Vec<Record>,
}

impl Outline {
    /// The programme `id` from any list of records (others are ignored).
    pub fn of<'a>(id: Uuid, records: impl IntoIterator<Item = &'a Record>) -> Outline {
        let mut programme = None;
        let mut sections = Vec::new();
        let mut children: BTreeMap<Uuid, Vec<Record>> = BTreeMap::new();
        for r in records {
            if r.is_deleted() {
                continue;
            }
            match r.kind.as_str() {
                PROGRAMME_KIND if r.id == id => programme = Some(r.clone()),
                SECTION_KIND if r.parent == Some(id) => sections.push(r.clone()),
                INDICATOR_KIND | MEASURE_KIND => {
                    if let Some(p) = r.parent {
                        children.entry(p).or_default().push(r.clone());
                    }
                }
                _ => {}
            }
        }
        let rank = |s: &Record| {
            let f = s.text(F_FACTOR);
            RISK_FACTORS
                .iter()
                .position(|(k, _)| *k == f)
                .unwrap_or(RISK_FACTORS.len())
        };
        sections.sort_by_key(|s| (rank(s), s.id));
        let sections = sections
            .into_iter()
            .map(|section| {
                let mut own = children.remove(&section.id).unwrap_or_default();
                own.sort_by_key(|r| r.id);
                let (indicators, measures) =
                    own.into_iter().partition(|r| r.kind == INDICATOR_KIND);
                SectionOutline {
                    section,
                    indicators,
                    measures,
                }
            })
            .collect();
        Outline {
            programme,
            sections,
        }
    }

    pub fn measures(&self) -> impl Iterator<Item = &Record> {
        self.sections.iter().flat_map(|s| s.measures.iter())
    }

    /// Measures overdue on `today`.
    pub fn overdue(&self, today: &str) -> usize {
        self.measures()
            .filter(|m| measure_overdue(m, today))
            .count()
    }

    /// Indicators behind their way to the target on `today`.
    pub fn behind(&self, today: &str) -> usize {
        let year = self
            .programme
            .as_ref()
            .and_then(|p| p.get(F_YEAR))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        self.sections
            .iter()
            .flat_map(|s| s.indicators.iter())
            .filter(|i| progress(i, year, today) == Progress::Behind)
            .count()
    }
}

/// A number as a person reads it (a decimal comma, no needless zeros), or "".
pub fn number_text(r: &Record, name: &str) -> String {
    number(r, name).map_or_else(String::new, crate::forms::answer::fmt_num)
}

#[cfg(test)]
mod outline_tests {
    use super::tests::rec;
    use super::*;
    use serde_json::json;

    fn part(kind: &str, id: u128, parent: Uuid, fields: &[(&str, Value)]) -> Record {
        let mut r = rec(fields);
        r.kind = kind.to_owned();
        r.id = Uuid::from_u128(id);
        r.parent = Some(parent);
        r
    }

    #[test]
    fn parts_in_order() {
        let pid = Uuid::from_u128(1);
        let mut programme = rec(&[(F_YEAR, json!(2027))]);
        programme.kind = PROGRAMME_KIND.to_owned();
        programme.id = pid;
        let general = part(SECTION_KIND, 10, pid, &[(F_FACTOR, json!(GENERAL))]);
        let parents = part(SECTION_KIND, 11, pid, &[(F_FACTOR, json!("parents"))]);
        let staff = part(
            SECTION_KIND,
            12,
            pid,
            &[(F_FACTOR, json!("staff_shortage"))],
        );
        let other = part(
            SECTION_KIND,
            13,
            Uuid::from_u128(2),
            &[(F_FACTOR, json!("ovz"))],
        );
        let m2 = part(
            MEASURE_KIND,
            21,
            staff.id,
            &[
                (F_DEADLINE, json!("2027-02-01")),
                (F_STATUS, json!("planned")),
            ],
        );
        let m1 = part(
            MEASURE_KIND,
            20,
            staff.id,
            &[(F_DEADLINE, json!("2027-09-01"))],
        );
        let mut gone = part(MEASURE_KIND, 22, staff.id, &[]);
        gone.apply(
            crate::record::DELETED,
            crate::record::Write {
                hlc: crate::hlc::Hlc {
                    wall_ms: 2,
                    counter: 0,
                    device: crate::hlc::DeviceId::server(),
                },
                value: json!({"deleted": true, "seen": {}}),
            },
        );
        let ind = part(
            INDICATOR_KIND,
            30,
            staff.id,
            &[
                (F_BASELINE, json!(2)),
                (F_TARGET, json!(0)),
                (F_QUARTERS[0], json!(2)),
            ],
        );
        let all = [programme, general, parents, staff, other, m2, m1, gone, ind];
        let o = Outline::of(pid, &all);
        let factors: Vec<String> = o
            .sections
            .iter()
            .map(|s| s.section.text(F_FACTOR))
            .collect();
        assert_eq!(factors, ["staff_shortage", "parents", GENERAL]);
        let ids: Vec<u128> = o.sections[0]
            .measures
            .iter()
            .map(|m| m.id.as_u128())
            .collect();
        assert_eq!(ids, [20, 21], "added order, the deleted one left out");
        assert_eq!(o.sections[0].indicators.len(), 1);
        assert_eq!(o.overdue("2027-03-01"), 1);
        assert_eq!(o.behind("2027-04-02"), 1);
        assert_eq!(o.behind("2027-03-31"), 0);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::record::Scope;
    use serde_json::json;

    pub(crate) fn rec(fields: &[(&str, Value)]) -> Record {
        let mut r = Record::new(Uuid::nil(), MEASURE_KIND, Scope::Centre, None);
        for (k, v) in fields {
            r.apply(
                k,
                crate::record::Write {
                    hlc: crate::hlc::Hlc {
                        wall_ms: 1,
                        counter: 0,
                        device: crate::hlc::DeviceId::server(),
                    },
                    value: v.clone(),
                },
            );
        }
        r
    }

    #[test]
    fn overdue_measures() {
        let m = |deadline: &str, status: &str| {
            rec(&[(F_DEADLINE, json!(deadline)), (F_STATUS, json!(status))])
        };
        assert!(measure_overdue(&m("2027-03-01", "planned"), "2027-03-02"));
        assert!(measure_overdue(
            &m("2027-03-01", "in_progress"),
            "2027-03-02"
        ));
        assert!(
            !measure_overdue(&m("2027-03-01", "planned"), "2027-03-01"),
            "on the day"
        );
        for done in ["done", "moved", "cancelled"] {
            assert!(!measure_overdue(&m("2027-03-01", done), "2027-04-01"));
        }
        assert!(!measure_overdue(
            &rec(&[(F_STATUS, json!("planned"))]),
            "2030-01-01"
        ));
    }

    #[test]
    fn indicator_progress() {
        let ind = |base: f64, target: f64, q: &[(usize, f64)]| {
            let mut f = vec![(F_BASELINE, json!(base)), (F_TARGET, json!(target))];
            for (i, v) in q {
                f.push((F_QUARTERS[*i], json!(v)));
            }
            rec(&f)
        };
        // From 40 % to 60 %: after two quarters at least 50.
        let up = ind(40.0, 60.0, &[(0, 46.0), (1, 49.0)]);
        assert_eq!(progress(&up, 2027, "2027-03-31"), Progress::Open);
        assert_eq!(progress(&up, 2027, "2027-04-01"), Progress::OnTrack);
        assert_eq!(progress(&up, 2027, "2027-07-01"), Progress::Behind);
        assert_eq!(progress(&up, 2027, "2027-10-01"), Progress::Missing(3));
        assert_eq!(
            progress(&ind(40.0, 60.0, &[(1, 50.0)]), 2027, "2027-07-01"),
            Progress::OnTrack
        );
        // Down from 12 failing pupils to 4: after the first quarter at most 10.
        let down = ind(12.0, 4.0, &[(0, 11.0)]);
        assert_eq!(progress(&down, 2027, "2027-05-01"), Progress::Behind);
        let down = ind(12.0, 4.0, &[(0, 10.0)]);
        assert_eq!(progress(&down, 2027, "2027-05-01"), Progress::OnTrack);
        // Kept at its level.
        assert_eq!(
            progress(&ind(5.0, 5.0, &[(3, 4.0)]), 2027, "2028-02-01"),
            Progress::Behind
        );
        assert_eq!(
            progress(&rec(&[(F_TARGET, json!(5))]), 2027, "2028-02-01"),
            Progress::Open
        );
    }

    #[test]
    fn prefill_from_card() {
        let answers: BTreeMap<String, Value> = [
            ("risk_priority", json!(["parents", "staff_shortage"])),
            ("risk_staff_shortage", json!("high")),
            ("risk_parents", json!("medium")),
            ("risk_ovz", json!("high")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(
            sections_from_card(&answers),
            vec![
                ("staff_shortage", Some("high".to_owned())),
                ("parents", Some("medium".to_owned()))
            ]
        );
        let mut no_priority = answers.clone();
        no_priority.remove("risk_priority");
        assert_eq!(
            sections_from_card(&no_priority),
            vec![
                ("staff_shortage", Some("high".to_owned())),
                ("ovz", Some("high".to_owned()))
            ]
        );
        assert!(sections_from_card(&BTreeMap::new()).is_empty());
    }

    #[test]
    fn ids() {
        let s = Uuid::from_u128(1);
        assert_eq!(programme_id(s, 2027), programme_id(s, 2027));
        assert_ne!(programme_id(s, 2027), programme_id(s, 2028));
        let p = programme_id(s, 2027);
        assert_ne!(section_id(p, "ovz"), section_id(p, "parents"));
        assert_eq!(section_for("ovz"), "ovz");
        assert_eq!(section_for(""), GENERAL);
    }
}
