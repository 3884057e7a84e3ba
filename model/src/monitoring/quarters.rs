//! Quarterly monitoring of results (003: «мониторинг результатов ШНОР по итогам четвертей»,
//! the dynamics over three years): each school reports at the end of every quarter (and of the
//! school year) on the built-in form `quarter_report` — for each level of education the pupils
//! assessed, those passing, those with «4» and «5», and those at risk of failing. The shares
//! are computed here from the counts (успеваемость = passing / assessed, качество знаний =
//! «4» and «5» / assessed), so they can be checked and added up across levels and schools.
//! Only sent and accepted reports count; of several for one school and period, the latest.

use std::collections::BTreeMap;

use serde_json::Value;
use uuid::Uuid;

use crate::forms::{self, Status};
use crate::record::{Record, Scope};

/// The code of the built-in form.
pub const TEMPLATE: &str = "quarter_report";
pub const Q_SCHOOL_YEAR: &str = "school_year";
pub const Q_PERIOD: &str = "quarter";
pub const Q_LEVELS: &str = "levels";

/// The levels of education, the rows of the form's table.
pub const LEVELS: [(&str, &str); 3] = [
    ("noo", "начальное общее"),
    ("ooo", "основное общее"),
    ("soo", "среднее общее"),
];

/// The periods of a school year in order, with their short labels.
pub const PERIODS: [(&str, &str); 5] = [
    ("q1", "I четв."),
    ("q2", "II четв."),
    ("q3", "III четв."),
    ("q4", "IV четв."),
    ("year", "год"),
];

/// The counts of one level (or of the whole school) for one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pupils: u32,
    pub passed: u32,
    pub good: u32,
    pub at_risk: u32,
}

impl Counts {
    /// Успеваемость, per cent (none when nobody was assessed).
    pub fn progress(&self) -> Option<f64> {
        share(self.passed, self.pupils)
    }

    /// Качество знаний, per cent.
    pub fn quality(&self) -> Option<f64> {
        share(self.good, self.pupils)
    }

    /// What does not add up: more passing (or with «4» and «5») than assessed, more «4» and
    /// «5» than passing.
    pub fn problem(&self) -> Option<&'static str> {
        if self.passed > self.pupils {
            Some("успевающих больше, чем аттестованных")
        } else if self.good > self.passed {
            Some("на «4» и «5» больше, чем успевающих")
        } else if self.at_risk > self.pupils {
            Some("под риском больше, чем аттестованных")
        } else {
            None
        }
    }
}

/// The counts of several levels together.
impl std::ops::Add for Counts {
    type Output = Counts;

    fn add(self, other: Counts) -> Counts {
        Counts {
            pupils: self.pupils + other.pupils,
            passed: self.passed + other.passed,
            good: self.good + other.good,
            at_risk: self.at_risk + other.at_risk,
        }
    }
}

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

/// One school's report for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub school: Uuid,
    /// The year the school year begins (2025 for 2025/26).
    pub school_year: i32,
    /// The place of the period in [`PERIODS`].
    pub period: usize,
    /// The counts of each level of [`LEVELS`], where the school has it (a level with nobody
    /// assessed — zeros in the form — is one the school does not have).
    pub levels: [Option<Counts>; 3],
    pub response: Uuid,
}

impl Report {
    /// The whole school: the levels added up.
    pub fn total(&self) -> Option<Counts> {
        self.levels.iter().flatten().copied().reduce(|a, b| a + b)
    }

    /// «2025/26, II четв.»
    pub fn label(&self) -> String {
        format!(
            "{}, {}",
            crate::forms::answer::school_year_label(self.school_year).0,
            PERIODS[self.period].1
        )
    }

    /// The order of periods in time.
    pub fn key(&self) -> (i32, usize) {
        (self.school_year, self.period)
    }
}

fn count(cells: &serde_json::Map<String, Value>, column: &str) -> Option<u32> {
    cells
        .get(column)?
        .as_f64()
        .filter(|v| *v >= 0.0)
        .map(|v| v as u32)
}

/// The report a response holds: `None` for another form, a draft or a report being corrected,
/// or one without its period.
pub fn report_of(r: &Record) -> Option<Report> {
    let Scope::School(school) = r.scope else {
        return None;
    };
    if r.kind != forms::RESPONSE_KIND || r.is_deleted() {
        return None;
    }
    if forms::template_of(r)?.0 != TEMPLATE
        || !matches!(forms::status_of(r), Status::Submitted | Status::Accepted)
    {
        return None;
    }
    let answers = forms::answers_of(r);
    let school_year = i32::try_from(answers.get(Q_SCHOOL_YEAR)?.as_i64()?).ok()?;
    let period_id = answers.get(Q_PERIOD)?.as_str()?;
    let period = PERIODS.iter().position(|(id, _)| *id == period_id)?;
    let table = answers.get(Q_LEVELS).and_then(Value::as_object);
    let levels = LEVELS.map(|(row, _)| {
        let cells = table?.get(row)?.as_object()?;
        let c = Counts {
            pupils: count(cells, "pupils")?,
            passed: count(cells, "passed").unwrap_or(0),
            good: count(cells, "good").unwrap_or(0),
            at_risk: count(cells, "at_risk").unwrap_or(0),
        };
        (c.pupils > 0).then_some(c)
    });
    Some(Report {
        school,
        school_year,
        period,
        levels,
        response: r.id,
    })
}

/// When a response was last sent ([`forms::review::submitted_at`]): what orders reports and
/// cards, so a reviewer's verdict or a late edit does not make an older one the newest.
pub fn sent_at(r: &Record) -> u64 {
    forms::review::submitted_at(r)
}

pub use crate::forms::answer::school_year_of;

/// Every school's reports up to the school year `current` (a report for a year still to come
/// is a mistyped year and counts nowhere), one per school and period (the latest sent), in
/// time order.
pub fn reports(records: &[Record], current: i32) -> Vec<Report> {
    let mut latest: BTreeMap<(Uuid, i32, usize), (u64, Report)> = BTreeMap::new();
    for r in records {
        let Some(report) = report_of(r).filter(|x| x.school_year <= current) else {
            continue;
        };
        let when = sent_at(r);
        let key = (report.school, report.school_year, report.period);
        if latest.get(&key).is_none_or(|(w, _)| when >= *w) {
            latest.insert(key, (when, report));
        }
    }
    let mut out: Vec<Report> = latest.into_values().map(|(_, r)| r).collect();
    out.sort_by_key(|r| (r.key(), r.school));
    out
}

/// The reports of the three school years up to `current` (the dynamics 003 asks for).
pub fn last_three_years(reports: &[Report], current: i32) -> Vec<&Report> {
    reports
        .iter()
        .filter(|r| (current - 2..=current).contains(&r.school_year))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::{DeviceId, Hlc};
    use crate::record::Write;
    use serde_json::json;

    fn response(school: Uuid, at: u64, status: &str, fields: &[(&str, Value)]) -> Record {
        let mut r = Record::new(
            Uuid::from_u128(u128::from(at)),
            forms::RESPONSE_KIND,
            Scope::School(school),
            None,
        );
        let hlc = Hlc {
            wall_ms: at,
            counter: 0,
            device: DeviceId::from_random([1; 8]),
        };
        let mut all = vec![
            (forms::F_TEMPLATE, json!(TEMPLATE)),
            (forms::F_VERSION, json!(1)),
            (forms::F_STATUS, json!(status)),
        ];
        all.extend(fields.iter().cloned());
        for (name, value) in all {
            r.apply(
                name,
                Write {
                    hlc: hlc.clone(),
                    value,
                },
            );
        }
        r
    }

    fn cells(level: &str, c: [u32; 4]) -> Vec<(String, Value)> {
        ["pupils", "passed", "good", "at_risk"]
            .iter()
            .zip(c)
            .map(|(col, v)| (forms::cell_field(Q_LEVELS, level, col), json!(v)))
            .collect()
    }

    fn report(school: Uuid, at: u64, status: &str, year: i32, period: &str) -> Record {
        let mut f: Vec<(String, Value)> = vec![
            (forms::answer_field(Q_SCHOOL_YEAR), json!(year)),
            (forms::answer_field(Q_PERIOD), json!(period)),
        ];
        f.extend(cells("noo", [40, 38, 20, 2]));
        f.extend(cells("ooo", [60, 54, 18, 6]));
        let f: Vec<(&str, Value)> = f.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        response(school, at, status, &f)
    }

    #[test]
    fn shares_are_computed_from_the_counts_and_add_up_across_levels() {
        let s = Uuid::from_u128(7);
        let r = report_of(&report(s, 10, "submitted", 2025, "q2")).unwrap();
        assert_eq!(r.label(), "2025/26, II четв.");
        assert_eq!(r.levels[0].unwrap().progress(), Some(95.0));
        assert_eq!(r.levels[1].unwrap().quality(), Some(30.0));
        assert_eq!(r.levels[2], None, "no senior classes");
        let total = r.total().unwrap();
        assert_eq!(total.pupils, 100);
        assert_eq!(total.progress(), Some(92.0));
        assert_eq!(total.quality(), Some(38.0));
        assert_eq!(total.at_risk, 8);
        assert_eq!(Counts::default().progress(), None);
        let bad = Counts {
            pupils: 10,
            passed: 12,
            good: 0,
            at_risk: 0,
        };
        assert!(bad.problem().is_some());
    }

    #[test]
    fn only_sent_reports_count_the_latest_per_period_in_time_order() {
        let s = Uuid::from_u128(7);
        let records = vec![
            report(s, 30, "submitted", 2025, "q1"),
            report(s, 10, "accepted", 2024, "year"),
            report(s, 20, "draft", 2025, "q2"),
            report(s, 25, "returned", 2025, "q3"),
            report(s, 40, "accepted", 2025, "q1"),
            report(s, 50, "submitted", 2021, "q4"),
        ];
        let mut records = records;
        // A year still to come is a mistyped one.
        records.push(report(s, 60, "submitted", 2052, "q1"));
        let all = reports(&records, 2025);
        let keys: Vec<(i32, usize)> = all.iter().map(Report::key).collect();
        assert_eq!(keys, vec![(2021, 3), (2024, 4), (2025, 0)]);
        assert_eq!(all[2].response, Uuid::from_u128(40), "the latest of q1");
        assert_eq!(school_year_of("2026-08-31"), 2025);
        assert_eq!(school_year_of("2026-09-01"), 2026);
        let recent: Vec<i32> = last_three_years(&all, 2025)
            .iter()
            .map(|r| r.school_year)
            .collect();
        assert_eq!(recent, vec![2024, 2025]);
    }

    /// A verdict rewrites a report's status later: it stays the older one, by the round the
    /// server stamped when it was sent.
    #[test]
    fn a_verdict_on_an_older_report_leaves_the_newer_one_latest() {
        let s = Uuid::from_u128(7);
        let round = |r: &mut Record, at: u64, n: u64| {
            let hlc = Hlc {
                wall_ms: at,
                counter: 0,
                device: DeviceId::server(),
            };
            r.apply(
                forms::review::F_ROUND,
                Write {
                    hlc,
                    value: json!(n),
                },
            );
        };
        let mut older = report(s, 30, "submitted", 2025, "q1");
        round(&mut older, 30, 1);
        let mut newer = report(s, 40, "submitted", 2025, "q1");
        round(&mut newer, 40, 1);
        let verdict = Hlc {
            wall_ms: 50,
            counter: 0,
            device: DeviceId::server(),
        };
        older.apply(
            forms::F_STATUS,
            Write {
                hlc: verdict,
                value: json!("accepted"),
            },
        );
        assert_eq!(sent_at(&older), 30);
        let all = reports(&[older, newer], 2025);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].response, Uuid::from_u128(40));
    }
}
