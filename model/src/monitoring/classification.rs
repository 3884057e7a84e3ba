//! The classification of the municipality's schools for one year by the order 002 §II
//! («Понятийный аппарат»): the ИОР level (quartile), the school type from the ИОР and ИСБШ,
//! stably high and stably low results, the four «зоны риска» groups, and the ШНОР / ШССУ /
//! школа-наставник flags these suggest (the centre head confirms each flag; nothing here
//! changes a school).
//!
//! # The definitions followed
//!
//! * ИОР levels: «В зависимости от значения ИОР организации принято классифицировать по уровню
//!   достигнутых результатов: высокий (четвертый квартиль), выше среднего (третий квартиль),
//!   ниже среднего (второй квартиль) и низкий (первый квартиль) уровень.» The quartile of a
//!   value among the schools of the year that have it: sort ascending, `r` is the 1-based
//!   position of the first equal value (equal values share the lowest position), `n` the number
//!   of values, quartile = 1 + ⌊4·(r − 1) / n⌋ (see [`quartiles`]). The ИСБШ, the share of
//!   evening students and the ИОР of earlier years are ranked the same way, each among the
//!   schools that have that value for that year.
//! * Types, with «высокое значение» read as quartile 3 or 4 and «низкое» as 1 or 2:
//!   «Эффективные школы — школы с одновременно высокими значениями ИСБШ и ИОР»;
//!   «Резильентные школы — школы с низким значением ИСБШ при одновременно высоком значении
//!   ИОР»; «Неэффективные школы — школы с высоким значением ИСБШ и одновременно низким значением
//!   ИОР»; «Несправляющиеся школы — с одновременно низким значением ИСБШ и ИОР».
//! * «Школы со стабильно высокими образовательными результатами — … входя на протяжении
//!   последних 3-х лет в состав высокого (четвертого) квартиля ИОР»; «…стабильно низкими… — …
//!   в состав низкого (первого) квартиля ИОР». The three years are Y−2, Y−1 and Y.
//! * «Школы „зоны риска“» ([`Risk`]):
//!   - «…в связи с неустойчивостью образовательных результатов за последние 3 года, которая
//!     определяется исходя из наличия существенных отклонений (более 1 %) среднегеометрического
//!     ИОР и средне-арифметического ИОР»: (A − G) / A > 0,01 over the ИОР of Y−2..Y;
//!   - «…в связи со значительной дифференциацией результатов ГИА и ВПР за текущий год —
//!     определяется по пороговому значению в 1,5 и более раза»: max / min ≥ 1,5;
//!   - «…в связи со значительным процентом обучающихся вечернего (очно-заочного, заочного)
//!     обучения (4-ый квартиль по значению данного показателя)»: a share above 0 in quartile 4;
//!   - «…для школ повышенного уровня при значении индекса образовательных результатов ниже
//!     среднего по совокупности обследуемых организаций»: ИОР below the arithmetic mean ИОР of
//!     the year's schools.
//! * Suggested flags. Mentors come from «эффективных и резильентных школ, а также школ со
//!   стабильно высокими образовательными результатами» (002 §3.2), so such a school is
//!   suggested as a школа-наставник; a school of the low (first) ИОР quartile as a ШНОР
//!   (школа с низкими образовательными результатами); a school of the first ИСБШ quartile as a
//!   ШССУ (школа, функционирующая в сложных социальных условиях). A школа-наставник is never
//!   suggested as a ШНОР or ШССУ.
//!
//! # Missing data
//!
//! A school without the data a rule needs is not in that group; its [`Reason`] has
//! `applies: None` and a text starting «нет данных:» that says what is missing. When the data
//! present already decide the answer (a school not of an advanced level, a ИОР quartile other
//! than 4 in one of the three years), the reason is `Some(false)` even if other data are
//! missing. Non-finite numbers (NaN, ±∞) are treated as missing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The indices of one school for one year, as the regional assessment centre publishes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indices {
    pub school: Uuid,
    pub year: i32,
    /// Индекс образовательных результатов, 0..1.
    pub ior: Option<f64>,
    /// Индекс социального благополучия школы, 0..1.
    pub isbsh: Option<f64>,
    /// The ГИА result, a share 0..1.
    pub gia: Option<f64>,
    /// The ВПР result, a share 0..1.
    pub vpr: Option<f64>,
    /// The share of evening (очно-заочного, заочного) students, 0..1.
    pub evening_share: Option<f64>,
    /// A school of an advanced level (гимназия, лицей, углублённое изучение); `None`: not known.
    pub advanced: Option<bool>,
}

/// The type of a school from its ИОР and ИСБШ (002 §II).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolType {
    /// High ИСБШ, high ИОР.
    Effective,
    /// Low ИСБШ, high ИОР.
    Resilient,
    /// High ИСБШ, low ИОР.
    Ineffective,
    /// Low ИСБШ, low ИОР.
    NotCoping,
}

impl SchoolType {
    pub const ALL: [SchoolType; 4] = [
        SchoolType::Effective,
        SchoolType::Resilient,
        SchoolType::Ineffective,
        SchoolType::NotCoping,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SchoolType::Effective => "effective",
            SchoolType::Resilient => "resilient",
            SchoolType::Ineffective => "ineffective",
            SchoolType::NotCoping => "not_coping",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SchoolType::Effective => "эффективная",
            SchoolType::Resilient => "резильентная",
            SchoolType::Ineffective => "неэффективная",
            SchoolType::NotCoping => "несправляющаяся",
        }
    }

    /// The type from the ИОР and ИСБШ quartiles: 3 and 4 are high, 1 and 2 low.
    fn of(ior_quartile: u8, isbsh_quartile: u8) -> SchoolType {
        match (isbsh_quartile >= 3, ior_quartile >= 3) {
            (true, true) => SchoolType::Effective,
            (false, true) => SchoolType::Resilient,
            (true, false) => SchoolType::Ineffective,
            (false, false) => SchoolType::NotCoping,
        }
    }
}

/// The «зоны риска» groups of 002 §II.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// The arithmetic and geometric mean ИОР over three years differ by more than 1 %.
    Unstable,
    /// The ГИА and ВПР results of the year differ 1.5 times or more.
    Differentiation,
    /// A share of evening students in the fourth quartile.
    Evening,
    /// A school of an advanced level with a ИОР below the mean.
    AdvancedBelowAverage,
}

impl Risk {
    pub const ALL: [Risk; 4] = [
        Risk::Unstable,
        Risk::Differentiation,
        Risk::Evening,
        Risk::AdvancedBelowAverage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Unstable => "unstable",
            Risk::Differentiation => "differentiation",
            Risk::Evening => "evening",
            Risk::AdvancedBelowAverage => "advanced_below_average",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Risk::Unstable => "неустойчивые результаты",
            Risk::Differentiation => "дифференциация ГИА и ВПР",
            Risk::Evening => "вечернее обучение",
            Risk::AdvancedBelowAverage => "повышенный уровень, ИОР ниже среднего",
        }
    }
}

/// What a mark is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    Type,
    StablyHigh,
    StablyLow,
    Risk(Risk),
}

/// Why a mark applies or does not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub mark: Mark,
    /// `Some(true)`: the mark applies; `Some(false)`: checked, does not apply; `None`: нет
    /// данных.
    pub applies: Option<bool>,
    /// In Russian, e.g. «ИОР: 0,412 / 0,405 / 0,471 — средние 0,429 и 0,428 (расхождение
    /// 0,2 %)» or «нет данных: нет ИОР за 2024 год».
    pub text: String,
}

/// The flags the classification suggests for a school (the centre head confirms them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags {
    /// ШНОР: the first (low) ИОР quartile.
    pub low_results: bool,
    /// ШССУ: the first ИСБШ quartile, and not a mentor school.
    pub hard_conditions: bool,
    /// Школа-наставник: effective, resilient or stably high.
    pub mentor_school: bool,
}

/// The classification of one school for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub school: Uuid,
    pub year: i32,
    pub ior: Option<f64>,
    pub isbsh: Option<f64>,
    pub ior_quartile: Option<u8>,
    pub isbsh_quartile: Option<u8>,
    pub school_type: Option<SchoolType>,
    pub stably_high: bool,
    pub stably_low: bool,
    /// In the order of [`Risk::ALL`].
    pub risk: Vec<Risk>,
    /// One reason for each of: Type, StablyHigh, StablyLow and each Risk of [`Risk::ALL`]
    /// (7 in all), in that order.
    pub reasons: Vec<Reason>,
    pub suggested: Flags,
}

impl Classification {
    /// The reason of a mark.
    pub fn reason(&self, mark: Mark) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.mark == mark)
    }
}

/// The level of a quartile: «высокий» (4), «выше среднего» (3), «ниже среднего» (2), «низкий»
/// (1); an empty string for anything else.
pub fn quartile_label(q: u8) -> &'static str {
    match q {
        4 => "высокий",
        3 => "выше среднего",
        2 => "ниже среднего",
        1 => "низкий",
        _ => "",
    }
}

/// The quartile (1..=4) of each value among `values` (same order as given): with the values
/// sorted ascending, `r` the 1-based position of the first value equal to it and `n` the
/// number of values, 1 + ⌊4·(r − 1) / n⌋. Values are compared by [`f64::total_cmp`] (with −0
/// taken as 0), so non-finite values do not panic.
pub fn quartiles(values: &[f64]) -> Vec<u8> {
    // -0.0 == 0.0, but total_cmp orders them: make them one value.
    let key = |v: f64| if v == 0.0 { 0.0 } else { v };
    let mut sorted: Vec<f64> = values.iter().map(|&v| key(v)).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    values
        .iter()
        .map(|&v| {
            let v = key(v);
            // r - 1: how many values are below this one.
            let below = sorted.partition_point(|s| s.total_cmp(&v).is_lt());
            // below < n, so the quotient is at most 3.
            1 + (4 * below / n) as u8
        })
        .collect()
}

/// Years present in rows, newest first, deduplicated.
pub fn years(rows: &[Indices]) -> Vec<i32> {
    let set: BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
    set.into_iter().rev().collect()
}

/// Classification of every school with at least one row for `year`, sorted by school id. If
/// `rows` holds several rows for the same school and year, the last one wins.
pub fn classify(rows: &[Indices], year: i32) -> Vec<Classification> {
    let by_year = by_year(rows);
    let Some(now) = by_year.get(&year) else {
        return Vec::new();
    };
    let window = [i64::from(year) - 2, i64::from(year) - 1, i64::from(year)];
    let history = window.map(|y| {
        i32::try_from(y)
            .ok()
            .and_then(|y| by_year.get(&y))
            .map(|schools| ranked(schools, |r| r.ior))
            .unwrap_or_default()
    });
    // Summed in the order of the school ids, so the mean does not depend on the row order.
    let iors: Vec<f64> = history[2].values().map(|&(v, _)| v).collect();
    let mean_ior = (!iors.is_empty()).then(|| iors.iter().sum::<f64>() / iors.len() as f64);
    let year_data = Year {
        window,
        ior: history,
        isbsh: ranked(now, |r| r.isbsh),
        evening: ranked(now, |r| r.evening_share),
        mean_ior,
    };
    now.values().map(|r| year_data.classify(r)).collect()
}

/// One row per school for each year, the last given winning.
fn by_year(rows: &[Indices]) -> BTreeMap<i32, BTreeMap<Uuid, &Indices>> {
    let mut out: BTreeMap<i32, BTreeMap<Uuid, &Indices>> = BTreeMap::new();
    for r in rows {
        out.entry(r.year).or_default().insert(r.school, r);
    }
    out
}

/// A value that counts as data: present and finite.
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// Each school's value and its quartile among the schools that have the value.
fn ranked(
    schools: &BTreeMap<Uuid, &Indices>,
    value: impl Fn(&Indices) -> Option<f64>,
) -> BTreeMap<Uuid, (f64, u8)> {
    let present: Vec<(Uuid, f64)> = schools
        .iter()
        .filter_map(|(id, r)| Some((*id, finite(value(r))?)))
        .collect();
    let values: Vec<f64> = present.iter().map(|&(_, v)| v).collect();
    present
        .into_iter()
        .zip(quartiles(&values))
        .map(|((id, v), q)| (id, (v, q)))
        .collect()
}

/// What the rules need to know about the year classified and the two before it.
struct Year {
    /// Y−2, Y−1, Y.
    window: [i64; 3],
    /// ИОР and its quartile, for each year of the window.
    ior: [BTreeMap<Uuid, (f64, u8)>; 3],
    /// ИСБШ and its quartile in Y.
    isbsh: BTreeMap<Uuid, (f64, u8)>,
    /// The share of evening students and its quartile in Y.
    evening: BTreeMap<Uuid, (f64, u8)>,
    /// The mean ИОР of the schools of Y.
    mean_ior: Option<f64>,
}

impl Year {
    fn year(&self) -> i64 {
        self.window[2]
    }

    /// «2022–2024».
    fn span(&self) -> String {
        format!("{}–{}", self.window[0], self.window[2])
    }

    fn classify(&self, row: &Indices) -> Classification {
        let school = row.school;
        let ior = self.ior[2].get(&school).copied();
        let isbsh = self.isbsh.get(&school).copied();

        let (school_type, type_reason) = self.school_type(ior, isbsh);
        let high = self.stability(school, 4);
        let low = self.stability(school, 1);
        let risks = [
            self.unstable(school),
            self.differentiation(row),
            self.evening(school),
            self.advanced_below_average(row, ior.map(|(v, _)| v)),
        ];
        let risk: Vec<Risk> = Risk::ALL
            .into_iter()
            .zip(&risks)
            .filter(|(_, r)| r.applies == Some(true))
            .map(|(risk, _)| risk)
            .collect();

        let stably_high = high.applies == Some(true);
        let stably_low = low.applies == Some(true);
        let mentor_school = matches!(
            school_type,
            Some(SchoolType::Effective | SchoolType::Resilient)
        ) || stably_high;
        let suggested = Flags {
            low_results: !mentor_school && ior.is_some_and(|(_, q)| q == 1),
            hard_conditions: !mentor_school && isbsh.is_some_and(|(_, q)| q == 1),
            mentor_school,
        };

        let mut reasons = vec![type_reason, high, low];
        reasons.extend(risks);
        Classification {
            school,
            year: row.year,
            ior: ior.map(|(v, _)| v),
            isbsh: isbsh.map(|(v, _)| v),
            ior_quartile: ior.map(|(_, q)| q),
            isbsh_quartile: isbsh.map(|(_, q)| q),
            school_type,
            stably_high,
            stably_low,
            risk,
            reasons,
            suggested,
        }
    }

    fn school_type(
        &self,
        ior: Option<(f64, u8)>,
        isbsh: Option<(f64, u8)>,
    ) -> (Option<SchoolType>, Reason) {
        let reason = |applies, text| Reason {
            mark: Mark::Type,
            applies,
            text,
        };
        match (ior, isbsh) {
            (Some((ior, ior_q)), Some((isbsh, isbsh_q))) => (
                Some(SchoolType::of(ior_q, isbsh_q)),
                reason(
                    Some(true),
                    format!(
                        "ИОР {} — квартиль {ior_q} ({}), ИСБШ {} — квартиль {isbsh_q} ({})",
                        index(ior),
                        quartile_label(ior_q),
                        index(isbsh),
                        quartile_label(isbsh_q)
                    ),
                ),
            ),
            (ior, isbsh) => {
                let missing: Vec<&str> = [("ИОР", ior.is_none()), ("ИСБШ", isbsh.is_none())]
                    .into_iter()
                    .filter_map(|(name, missing)| missing.then_some(name))
                    .collect();
                let what = format!("{} {}", missing.join(" и "), for_years(&[self.year()]));
                (None, reason(None, no_data(&what)))
            }
        }
    }

    /// Stably high (`target` 4) or stably low (`target` 1): the ИОР quartile `target` in each
    /// year of the window.
    fn stability(&self, school: Uuid, target: u8) -> Reason {
        let mark = if target == 4 {
            Mark::StablyHigh
        } else {
            Mark::StablyLow
        };
        let quartiles = self.ior.each_ref().map(|y| y.get(&school).map(|&(_, q)| q));
        let missing: Vec<i64> = self
            .window
            .into_iter()
            .zip(quartiles)
            .filter_map(|(y, q)| q.is_none().then_some(y))
            .collect();
        let applies = if quartiles.iter().any(|q| q.is_some_and(|q| q != target)) {
            Some(false)
        } else if missing.is_empty() {
            Some(true)
        } else {
            None
        };
        let text = if applies.is_none() {
            no_data(&format!("ИОР {}", for_years(&missing)))
        } else {
            let list: Vec<String> = quartiles
                .iter()
                .map(|q| q.map_or_else(|| "нет данных".to_owned(), |q| q.to_string()))
                .collect();
            format!("квартили ИОР за {}: {}", self.span(), list.join(", "))
        };
        Reason {
            mark,
            applies,
            text,
        }
    }

    /// (a) Unstable: (A − G) / A > 0.01 over the ИОР of the window.
    fn unstable(&self, school: Uuid) -> Reason {
        let reason = |applies, text| Reason {
            mark: Mark::Risk(Risk::Unstable),
            applies,
            text,
        };
        let values = self.ior.each_ref().map(|y| y.get(&school).map(|&(v, _)| v));
        let [Some(a), Some(b), Some(c)] = values else {
            let missing: Vec<i64> = self
                .window
                .into_iter()
                .zip(values)
                .filter_map(|(y, v)| v.is_none().then_some(y))
                .collect();
            return reason(None, no_data(&format!("ИОР {}", for_years(&missing))));
        };
        let list = format!("{} / {} / {}", index(a), index(b), index(c));
        let arithmetic = (a + b + c) / 3.0;
        if arithmetic <= 0.0 {
            return reason(
                None,
                format!(
                    "нет данных: средний ИОР за {} равен нулю ({list}), расхождение средних \
                     не определено",
                    self.span()
                ),
            );
        }
        let geometric = (a * b * c).cbrt();
        let relative = (arithmetic - geometric) / arithmetic;
        let applies = relative > 0.01;
        let percent = agreeing(relative * 100.0, 1, applies, |p| p > 1.0);
        reason(
            Some(applies),
            format!(
                "ИОР: {list} — средние {} и {} (расхождение {percent} %)",
                index(arithmetic),
                index(geometric)
            ),
        )
    }

    /// (b) Differentiation: the ГИА and ВПР results of the year differ 1.5 times or more.
    fn differentiation(&self, row: &Indices) -> Reason {
        /// The ratio 1.5 is compared with this tolerance, so that e.g. 0.6 / 0.4 (which is
        /// 1.4999999999999998 in binary floating point) counts as 1.5.
        const TOLERANCE: f64 = 1e-9;
        let reason = |applies, text| Reason {
            mark: Mark::Risk(Risk::Differentiation),
            applies,
            text,
        };
        let (gia, vpr) = (finite(row.gia), finite(row.vpr));
        let (Some(g), Some(v)) = (gia, vpr) else {
            let missing: Vec<&str> = [("ГИА", gia.is_none()), ("ВПР", vpr.is_none())]
                .into_iter()
                .filter_map(|(name, missing)| missing.then_some(name))
                .collect();
            return reason(
                None,
                no_data(&format!(
                    "результатов {} {}",
                    missing.join(" и "),
                    for_years(&[self.year()])
                )),
            );
        };
        let both = format!("ГИА {}, ВПР {}", index(g), index(v));
        let (max, min) = (g.max(v), g.min(v));
        if max <= 0.0 {
            return reason(Some(false), format!("{both} — оба результата нулевые"));
        }
        if min <= 0.0 {
            let zero = if g <= 0.0 { "ГИА" } else { "ВПР" };
            return reason(Some(true), format!("{both} — результат {zero} нулевой"));
        }
        let ratio = max / min;
        let applies = ratio >= 1.5 - TOLERANCE;
        let shown = agreeing(ratio, 2, applies, |r| r >= 1.5);
        reason(Some(applies), format!("{both} — в {shown} раза"))
    }

    /// (c) Evening: a share of evening students above 0 in the fourth quartile.
    fn evening(&self, school: Uuid) -> Reason {
        let reason = |applies, text| Reason {
            mark: Mark::Risk(Risk::Evening),
            applies,
            text,
        };
        let Some(&(share, q)) = self.evening.get(&school) else {
            return reason(
                None,
                no_data(&format!(
                    "доли обучающихся вечерней (очно-заочной, заочной) формы {}",
                    for_years(&[self.year()])
                )),
            );
        };
        if share <= 0.0 {
            return reason(
                Some(false),
                "обучающихся вечерней (очно-заочной, заочной) формы нет".to_owned(),
            );
        }
        let percent = agreeing(share * 100.0, 1, true, |p| p > 0.0);
        reason(Some(q == 4), format!("доля {percent} % — квартиль {q}"))
    }

    /// (d) A school of an advanced level with a ИОР below the mean of the year.
    fn advanced_below_average(&self, row: &Indices, ior: Option<f64>) -> Reason {
        let reason = |applies, text: String| Reason {
            mark: Mark::Risk(Risk::AdvancedBelowAverage),
            applies,
            text,
        };
        match (row.advanced, ior, self.mean_ior) {
            (None, _, _) => reason(
                None,
                "нет данных: не указано, повышенного ли уровня школа".to_owned(),
            ),
            (Some(false), _, _) => reason(Some(false), "школа не повышенного уровня".to_owned()),
            (Some(true), Some(ior), Some(mean)) => {
                let below = ior < mean;
                let (a, m) = agreeing_pair(ior, mean);
                let verdict = if below { "ниже" } else { "не ниже" };
                reason(Some(below), format!("ИОР {a} {verdict} среднего {m}"))
            }
            (Some(true), _, _) => {
                reason(None, no_data(&format!("ИОР {}", for_years(&[self.year()]))))
            }
        }
    }
}

/// «нет данных: нет …».
fn no_data(what: &str) -> String {
    format!("нет данных: нет {what}")
}

/// «за 2022 год», «за 2022 и 2023 годы», «за 2022, 2023 и 2024 годы».
fn for_years(years: &[i64]) -> String {
    match years {
        [] => String::new(),
        [y] => format!("за {y} год"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(i64::to_string).collect();
            format!("за {} и {last} годы", init.join(", "))
        }
    }
}

/// An index as a methodist writes it: three decimals, a decimal comma.
pub fn index(x: f64) -> String {
    fixed(x, 3)
}

fn fixed(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

/// `x` with at least `decimals` decimals, more (up to 6) when the rounded number would seem
/// to contradict the verdict (`test` of the shown number should equal `verdict`): a
/// difference of 1.04 % is shown as «1,04», not «1,0».
fn agreeing(x: f64, decimals: usize, verdict: bool, test: impl Fn(f64) -> bool) -> String {
    (decimals..=6)
        .map(|d| format!("{x:.d$}"))
        .find(|s| s.parse::<f64>().is_ok_and(|shown| test(shown) == verdict))
        .unwrap_or_else(|| format!("{x:.6}"))
        .replace('.', ",")
}

/// Two indices with three decimals, more (up to 6) when `a < b` but they would look equal.
fn agreeing_pair(a: f64, b: f64) -> (String, String) {
    let below = a < b;
    (3..=6)
        .map(|d| (format!("{a:.d$}"), format!("{b:.d$}")))
        .find(|(x, y)| match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => (x < y) == below,
            _ => false,
        })
        .map_or_else(
            || (fixed(a, 6), fixed(b, 6)),
            |(x, y)| (x.replace('.', ","), y.replace('.', ",")),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    /// A row with the two indices and nothing else.
    fn row(school: u128, year: i32, ior: Option<f64>, isbsh: Option<f64>) -> Indices {
        Indices {
            school: id(school),
            year,
            ior,
            isbsh,
            gia: None,
            vpr: None,
            evening_share: None,
            advanced: None,
        }
    }

    fn of(list: &[Classification], school: u128) -> &Classification {
        list.iter()
            .find(|c| c.school == id(school))
            .expect("school classified")
    }

    fn why(c: &Classification, mark: Mark) -> &Reason {
        c.reason(mark).expect("a reason for every mark")
    }

    #[test]
    fn quartiles_by_the_formula() {
        assert_eq!(quartiles(&[0.1, 0.2, 0.2, 0.3]), vec![1, 2, 2, 4]);
        // Eight distinct values, given out of order.
        let v = [0.8, 0.1, 0.7, 0.2, 0.6, 0.3, 0.5, 0.4];
        assert_eq!(quartiles(&v), vec![4, 1, 4, 1, 3, 2, 3, 2]);
        // Seven values: positions 1..7 give 1 + ⌊4(r−1)/7⌋ = 1, 1, 2, 2, 3, 3, 4.
        let v = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
        assert_eq!(quartiles(&v), vec![1, 1, 2, 2, 3, 3, 4]);
        // Equal values share the lowest position.
        assert_eq!(quartiles(&[0.5, 0.5, 0.5, 0.5]), vec![1, 1, 1, 1]);
        assert_eq!(
            quartiles(&[0.0, 0.0, 0.0, 0.0, 0.02, 0.05, 0.12, 0.3]),
            vec![1, 1, 1, 1, 3, 3, 4, 4]
        );
        assert_eq!(quartiles(&[0.3]), vec![1]);
        assert_eq!(quartiles(&[]), Vec::<u8>::new());
        // -0 and 0 are one value; non-finite values do not panic.
        assert_eq!(quartiles(&[-0.0, 0.0]), vec![1, 1]);
        let odd = quartiles(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.5]);
        assert!(odd.iter().all(|q| (1..=4).contains(q)));
        assert_eq!(odd[2], 1);
    }

    #[test]
    fn labels() {
        assert_eq!(quartile_label(4), "высокий");
        assert_eq!(quartile_label(3), "выше среднего");
        assert_eq!(quartile_label(2), "ниже среднего");
        assert_eq!(quartile_label(1), "низкий");
        assert_eq!(
            SchoolType::ALL.map(SchoolType::as_str),
            ["effective", "resilient", "ineffective", "not_coping"]
        );
        assert_eq!(
            Risk::ALL.map(Risk::as_str),
            [
                "unstable",
                "differentiation",
                "evening",
                "advanced_below_average"
            ]
        );
        // The serde names are the `as_str` names.
        for t in SchoolType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        for r in Risk::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
    }

    #[test]
    fn years_newest_first() {
        let rows = [
            row(1, 2023, None, None),
            row(2, 2024, None, None),
            row(1, 2022, None, None),
            row(3, 2024, None, None),
        ];
        assert_eq!(years(&rows), vec![2024, 2023, 2022]);
        assert!(years(&[]).is_empty());
    }

    /// School, ИОР, ИСБШ, ГИА, ВПР, evening share, advanced.
    type Row2024 = (u128, f64, f64, Option<f64>, Option<f64>, f64, Option<bool>);

    /// The hand-made municipality: schools 1..8 with both indices in 2024 (school 2 has no
    /// row for 2022), school 9 only in 2024 with no indices.
    ///
    /// ИОР 2022 (7 schools): 8 .21 q1, 7 .31 q1, 6 .41 q2, 5 .52 q2, 4 .61 q3, 3 .71 q3, 1 .87 q4.
    /// ИОР 2023 (8): 8 .20 q1, 6 .25 q1, 7 .40 q2, 5 .50 q2, 4 .62 q3, 3 .70 q3, 2 .86 q4, 1 .88 q4.
    /// ИОР 2024 (8): 8 .20 q1, 7 .30 q1, 6 .40 q2, 5 .50 q2, 4 .60 q3, 3 .70 q3, 2 .85 q4, 1 .90 q4.
    /// ИСБШ 2024: 8 .05 q1, 2 .10 q1, 6 .15 q2, 4 .20 q2, 7 .60 q3, 3 .70 q3, 1 .80 q4, 5 .90 q4.
    fn municipality() -> Vec<Indices> {
        let mut rows = Vec::new();
        for (s, ior) in [
            (1, 0.87),
            (3, 0.71),
            (4, 0.61),
            (5, 0.52),
            (6, 0.41),
            (7, 0.31),
            (8, 0.21),
        ] {
            rows.push(row(s, 2022, Some(ior), Some(0.5)));
        }
        for (s, ior) in [
            (1, 0.88),
            (2, 0.86),
            (3, 0.70),
            (4, 0.62),
            (5, 0.50),
            (6, 0.25),
            (7, 0.40),
            (8, 0.20),
        ] {
            rows.push(row(s, 2023, Some(ior), Some(0.5)));
        }
        let y2024: [Row2024; 8] = [
            (1, 0.90, 0.80, Some(0.80), Some(0.70), 0.0, Some(true)),
            (2, 0.85, 0.10, Some(0.70), None, 0.0, None),
            (3, 0.70, 0.70, Some(0.60), Some(0.40), 0.0, Some(false)),
            (4, 0.60, 0.20, Some(0.50), Some(0.0), 0.0, Some(false)),
            (5, 0.50, 0.90, Some(0.64), Some(0.38), 0.02, Some(true)),
            (6, 0.40, 0.15, Some(0.0), Some(0.0), 0.05, Some(false)),
            (7, 0.30, 0.60, None, Some(0.50), 0.12, Some(false)),
            (8, 0.20, 0.05, Some(0.55), Some(0.50), 0.30, None),
        ];
        for (s, ior, isbsh, gia, vpr, evening, advanced) in y2024 {
            rows.push(Indices {
                gia,
                vpr,
                evening_share: Some(evening),
                advanced,
                ..row(s, 2024, Some(ior), Some(isbsh))
            });
        }
        rows.push(Indices {
            gia: Some(0.5),
            vpr: Some(0.5),
            advanced: Some(true),
            ..row(9, 2024, None, None)
        });
        rows
    }

    #[test]
    fn types_and_quartiles_of_the_municipality() {
        let list = classify(&municipality(), 2024);
        assert_eq!(list.len(), 9);
        assert!(list.windows(2).all(|w| w[0].school < w[1].school));
        let expected = [
            (1, 4, 4, SchoolType::Effective),
            (2, 4, 1, SchoolType::Resilient),
            (3, 3, 3, SchoolType::Effective),
            (4, 3, 2, SchoolType::Resilient),
            (5, 2, 4, SchoolType::Ineffective),
            (6, 2, 2, SchoolType::NotCoping),
            (7, 1, 3, SchoolType::Ineffective),
            (8, 1, 1, SchoolType::NotCoping),
        ];
        for (s, ior_q, isbsh_q, t) in expected {
            let c = of(&list, s);
            assert_eq!(c.year, 2024);
            assert_eq!(c.ior_quartile, Some(ior_q), "school {s}");
            assert_eq!(c.isbsh_quartile, Some(isbsh_q), "school {s}");
            assert_eq!(c.school_type, Some(t), "school {s}");
            assert_eq!(why(c, Mark::Type).applies, Some(true));
            assert_eq!(c.reasons.len(), 7);
        }
        assert_eq!(
            why(of(&list, 2), Mark::Type).text,
            "ИОР 0,850 — квартиль 4 (высокий), ИСБШ 0,100 — квартиль 1 (низкий)"
        );
        assert_eq!(
            why(of(&list, 6), Mark::Type).text,
            "ИОР 0,400 — квартиль 2 (ниже среднего), ИСБШ 0,150 — квартиль 2 (ниже среднего)"
        );

        // School 9 has a row for 2024 but neither index.
        let c = of(&list, 9);
        assert_eq!(
            (c.ior, c.isbsh, c.ior_quartile, c.isbsh_quartile),
            (None, None, None, None)
        );
        assert_eq!(c.school_type, None);
        let r = why(c, Mark::Type);
        assert_eq!(r.applies, None);
        assert_eq!(r.text, "нет данных: нет ИОР и ИСБШ за 2024 год");

        // The order of the reasons.
        let marks: Vec<Mark> = of(&list, 1).reasons.iter().map(|r| r.mark).collect();
        assert_eq!(
            marks,
            vec![
                Mark::Type,
                Mark::StablyHigh,
                Mark::StablyLow,
                Mark::Risk(Risk::Unstable),
                Mark::Risk(Risk::Differentiation),
                Mark::Risk(Risk::Evening),
                Mark::Risk(Risk::AdvancedBelowAverage),
            ]
        );
    }

    #[test]
    fn stably_high_and_low() {
        let list = classify(&municipality(), 2024);
        let c = of(&list, 1);
        assert!(c.stably_high && !c.stably_low);
        assert_eq!(why(c, Mark::StablyHigh).applies, Some(true));
        assert_eq!(
            why(c, Mark::StablyHigh).text,
            "квартили ИОР за 2022–2024: 4, 4, 4"
        );
        assert_eq!(why(c, Mark::StablyLow).applies, Some(false));

        let c = of(&list, 8);
        assert!(c.stably_low && !c.stably_high);
        assert_eq!(
            why(c, Mark::StablyLow).text,
            "квартили ИОР за 2022–2024: 1, 1, 1"
        );

        // Quartile 1 in 2022 and 2024 but 2 in 2023.
        let c = of(&list, 7);
        assert!(!c.stably_low);
        assert_eq!(why(c, Mark::StablyLow).applies, Some(false));
        assert_eq!(
            why(c, Mark::StablyLow).text,
            "квартили ИОР за 2022–2024: 1, 2, 1"
        );

        // Quartile 4 in 2023 and 2024, but no row for 2022: not stably high, for want of data.
        let c = of(&list, 2);
        assert!(!c.stably_high);
        assert_eq!(why(c, Mark::StablyHigh).applies, None);
        assert_eq!(
            why(c, Mark::StablyHigh).text,
            "нет данных: нет ИОР за 2022 год"
        );
        // ...but it is certainly not stably low.
        assert_eq!(why(c, Mark::StablyLow).applies, Some(false));
        assert_eq!(
            why(c, Mark::StablyLow).text,
            "квартили ИОР за 2022–2024: нет данных, 4, 4"
        );

        let c = of(&list, 3);
        assert!(!c.stably_high && !c.stably_low);
        assert_eq!(
            why(c, Mark::StablyHigh).text,
            "квартили ИОР за 2022–2024: 3, 3, 3"
        );

        let c = of(&list, 9);
        assert_eq!(why(c, Mark::StablyHigh).applies, None);
        assert_eq!(
            why(c, Mark::StablyHigh).text,
            "нет данных: нет ИОР за 2022, 2023 и 2024 годы"
        );
    }

    #[test]
    fn unstable_results() {
        let list = classify(&municipality(), 2024);
        // 0.41, 0.25, 0.40: A = 0.3533, G = 0.3448, 2.4 %.
        let c = of(&list, 6);
        assert!(c.risk.contains(&Risk::Unstable));
        let r = why(c, Mark::Risk(Risk::Unstable));
        assert_eq!(r.applies, Some(true));
        assert_eq!(
            r.text,
            "ИОР: 0,410 / 0,250 / 0,400 — средние 0,353 и 0,345 (расхождение 2,4 %)"
        );
        // 0.87, 0.88, 0.90: steady.
        let c = of(&list, 1);
        assert!(!c.risk.contains(&Risk::Unstable));
        assert_eq!(why(c, Mark::Risk(Risk::Unstable)).applies, Some(false));
        // No 2022 row.
        let r = why(of(&list, 2), Mark::Risk(Risk::Unstable));
        assert_eq!(r.applies, None);
        assert_eq!(r.text, "нет данных: нет ИОР за 2022 год");

        // The example of the issue: within 1 %.
        let rows = [
            row(1, 2022, Some(0.412), None),
            row(1, 2023, Some(0.405), None),
            row(1, 2024, Some(0.471), None),
        ];
        let c = &classify(&rows, 2024)[0];
        let r = why(c, Mark::Risk(Risk::Unstable));
        assert_eq!(r.applies, Some(false));
        assert_eq!(
            r.text,
            "ИОР: 0,412 / 0,405 / 0,471 — средние 0,429 и 0,428 (расхождение 0,2 %)"
        );

        // A mean of zero: no meaningful data.
        let rows = [
            row(1, 2022, Some(0.0), None),
            row(1, 2023, Some(0.0), None),
            row(1, 2024, Some(0.0), None),
        ];
        let c = &classify(&rows, 2024)[0];
        let r = why(c, Mark::Risk(Risk::Unstable));
        assert_eq!(r.applies, None);
        assert!(r.text.starts_with("нет данных:"), "{}", r.text);
        assert!(c.risk.is_empty());

        // A zero among non-zero values: the geometric mean is 0, a 100 % difference.
        let rows = [
            row(1, 2022, Some(0.5), None),
            row(1, 2023, Some(0.0), None),
            row(1, 2024, Some(0.5), None),
        ];
        assert_eq!(classify(&rows, 2024)[0].risk, vec![Risk::Unstable]);
    }

    #[test]
    fn differentiation_of_gia_and_vpr() {
        let list = classify(&municipality(), 2024);
        let r = why(of(&list, 5), Mark::Risk(Risk::Differentiation));
        assert_eq!(r.applies, Some(true));
        assert_eq!(r.text, "ГИА 0,640, ВПР 0,380 — в 1,68 раза");
        // Exactly 1.5 counts.
        let r = why(of(&list, 3), Mark::Risk(Risk::Differentiation));
        assert_eq!(r.applies, Some(true));
        assert_eq!(r.text, "ГИА 0,600, ВПР 0,400 — в 1,50 раза");
        let r = why(of(&list, 1), Mark::Risk(Risk::Differentiation));
        assert_eq!(r.applies, Some(false));
        assert_eq!(r.text, "ГИА 0,800, ВПР 0,700 — в 1,14 раза");
        // A zero against a positive result: an infinite ratio.
        let r = why(of(&list, 4), Mark::Risk(Risk::Differentiation));
        assert_eq!(r.applies, Some(true));
        assert_eq!(r.text, "ГИА 0,500, ВПР 0,000 — результат ВПР нулевой");
        // Both zero: not in the group.
        let r = why(of(&list, 6), Mark::Risk(Risk::Differentiation));
        assert_eq!(r.applies, Some(false));
        // Missing results.
        let r = why(of(&list, 2), Mark::Risk(Risk::Differentiation));
        assert_eq!(r.applies, None);
        assert_eq!(r.text, "нет данных: нет результатов ВПР за 2024 год");
        let r = why(of(&list, 7), Mark::Risk(Risk::Differentiation));
        assert_eq!(r.text, "нет данных: нет результатов ГИА за 2024 год");
        assert!(!of(&list, 7).risk.contains(&Risk::Differentiation));

        // Just below the threshold, the ratio is shown with enough decimals not to read «1,50».
        let rows = [Indices {
            gia: Some(0.59985),
            vpr: Some(0.4),
            ..row(1, 2024, None, None)
        }];
        let r = why(&classify(&rows, 2024)[0], Mark::Risk(Risk::Differentiation)).clone();
        assert_eq!(r.applies, Some(false));
        assert_eq!(r.text, "ГИА 0,600, ВПР 0,400 — в 1,4996 раза");
    }

    #[test]
    fn evening_students() {
        // Shares 0, 0, 0, 0, .02, .05, .12, .30 → quartiles 1, 1, 1, 1, 3, 3, 4, 4.
        let list = classify(&municipality(), 2024);
        for s in [7, 8] {
            assert!(of(&list, s).risk.contains(&Risk::Evening), "school {s}");
        }
        let r = why(of(&list, 7), Mark::Risk(Risk::Evening));
        assert_eq!(r.applies, Some(true));
        assert_eq!(r.text, "доля 12,0 % — квартиль 4");
        let r = why(of(&list, 6), Mark::Risk(Risk::Evening));
        assert_eq!(r.applies, Some(false));
        assert_eq!(r.text, "доля 5,0 % — квартиль 3");
        let r = why(of(&list, 1), Mark::Risk(Risk::Evening));
        assert_eq!(r.applies, Some(false));
        assert_eq!(
            r.text,
            "обучающихся вечерней (очно-заочной, заочной) формы нет"
        );
        let r = why(of(&list, 9), Mark::Risk(Risk::Evening));
        assert_eq!(r.applies, None);
        assert!(r.text.starts_with("нет данных: нет доли"), "{}", r.text);
    }

    #[test]
    fn advanced_level_below_average() {
        // Mean ИОР 2024 = 4.45 / 8 = 0.55625.
        let list = classify(&municipality(), 2024);
        let r = why(of(&list, 5), Mark::Risk(Risk::AdvancedBelowAverage));
        assert_eq!(r.applies, Some(true));
        assert_eq!(r.text, "ИОР 0,500 ниже среднего 0,556");
        assert!(of(&list, 5).risk.contains(&Risk::AdvancedBelowAverage));
        let r = why(of(&list, 1), Mark::Risk(Risk::AdvancedBelowAverage));
        assert_eq!(r.applies, Some(false));
        assert_eq!(r.text, "ИОР 0,900 не ниже среднего 0,556");
        let r = why(of(&list, 3), Mark::Risk(Risk::AdvancedBelowAverage));
        assert_eq!(r.applies, Some(false));
        assert_eq!(r.text, "школа не повышенного уровня");
        let r = why(of(&list, 2), Mark::Risk(Risk::AdvancedBelowAverage));
        assert_eq!(r.applies, None);
        assert_eq!(
            r.text,
            "нет данных: не указано, повышенного ли уровня школа"
        );
        // Advanced, but no ИОР.
        let r = why(of(&list, 9), Mark::Risk(Risk::AdvancedBelowAverage));
        assert_eq!(r.applies, None);
        assert_eq!(r.text, "нет данных: нет ИОР за 2024 год");
        assert!(of(&list, 9).risk.is_empty());

        // Close to the mean, the numbers are shown with enough decimals to differ.
        let rows = [
            Indices {
                advanced: Some(true),
                ..row(1, 2024, Some(0.5550), None)
            },
            row(2, 2024, Some(0.5556), None),
        ];
        let r = why(
            &classify(&rows, 2024)[0],
            Mark::Risk(Risk::AdvancedBelowAverage),
        )
        .clone();
        assert_eq!(r.applies, Some(true));
        assert_eq!(r.text, "ИОР 0,5550 ниже среднего 0,5553");
    }

    #[test]
    fn risk_groups_in_order() {
        let list = classify(&municipality(), 2024);
        assert_eq!(
            of(&list, 5).risk,
            vec![Risk::Differentiation, Risk::AdvancedBelowAverage]
        );
        assert_eq!(of(&list, 6).risk, vec![Risk::Unstable]);
        assert_eq!(of(&list, 7).risk, vec![Risk::Evening]);
        assert_eq!(of(&list, 1).risk, vec![]);
    }

    #[test]
    fn suggested_flags() {
        let list = classify(&municipality(), 2024);
        let flags = |s| of(&list, s).suggested;
        let mentor = Flags {
            mentor_school: true,
            ..Flags::default()
        };
        // Effective and stably high.
        assert_eq!(flags(1), mentor);
        // Resilient with the lowest ИСБШ: a mentor school, so not a ШССУ.
        assert_eq!(flags(2), mentor);
        assert_eq!(flags(3), mentor);
        assert_eq!(flags(4), mentor);
        assert_eq!(flags(5), Flags::default());
        assert_eq!(flags(6), Flags::default());
        assert_eq!(
            flags(7),
            Flags {
                low_results: true,
                ..Flags::default()
            }
        );
        assert_eq!(
            flags(8),
            Flags {
                low_results: true,
                hard_conditions: true,
                mentor_school: false
            }
        );
        assert_eq!(flags(9), Flags::default());

        // Stably high without the ИСБШ: still a mentor school. (Quartile 4 needs at least
        // four schools: the top of n schools is in quartile 1 + ⌊4(n − 1)/n⌋.)
        let mut rows = Vec::new();
        for year in 2022..=2024 {
            for (s, ior) in [(1, 0.9), (2, 0.5), (3, 0.4), (4, 0.3)] {
                rows.push(row(s, year, Some(ior), None));
            }
        }
        let c = &classify(&rows, 2024)[0];
        assert!(c.stably_high && c.school_type.is_none());
        assert!(c.suggested.mentor_school);
    }

    #[test]
    fn missing_isbsh_gives_no_type() {
        let rows = [
            row(1, 2024, Some(0.3), None),
            row(2, 2024, Some(0.6), Some(0.4)),
        ];
        let list = classify(&rows, 2024);
        let c = of(&list, 1);
        assert_eq!(c.ior_quartile, Some(1));
        assert_eq!(c.isbsh_quartile, None);
        assert_eq!(c.school_type, None);
        let r = why(c, Mark::Type);
        assert_eq!(r.applies, None);
        assert_eq!(r.text, "нет данных: нет ИСБШ за 2024 год");
        // ШНОР is still suggested from the ИОР alone.
        assert!(c.suggested.low_results && !c.suggested.hard_conditions);
        // The other school is the only one with an ИСБШ: quartile 1.
        let c = of(&list, 2);
        assert_eq!((c.ior_quartile, c.isbsh_quartile), (Some(3), Some(1)));
        assert_eq!(c.school_type, Some(SchoolType::Resilient));
    }

    #[test]
    fn non_finite_values_are_missing() {
        let rows = [
            row(1, 2024, Some(f64::NAN), Some(f64::INFINITY)),
            row(2, 2024, Some(0.5), Some(0.5)),
        ];
        let list = classify(&rows, 2024);
        let c = of(&list, 1);
        assert_eq!((c.ior, c.isbsh, c.school_type), (None, None, None));
        assert_eq!(of(&list, 2).ior_quartile, Some(1));
    }

    #[test]
    fn last_row_wins_and_other_years_are_left_out() {
        let rows = [
            row(1, 2024, Some(0.1), Some(0.1)),
            row(2, 2024, Some(0.5), Some(0.5)),
            row(1, 2024, Some(0.9), Some(0.9)),
            row(3, 2023, Some(0.9), Some(0.9)),
        ];
        let list = classify(&rows, 2024);
        assert_eq!(list.len(), 2);
        assert_eq!(of(&list, 1).ior, Some(0.9));
        assert_eq!(of(&list, 1).school_type, Some(SchoolType::Effective));
        assert!(classify(&rows, 2021).is_empty());
        // Years at the edge of i32 do not overflow.
        assert_eq!(
            classify(&[row(1, i32::MIN, Some(0.5), None)], i32::MIN).len(),
            1
        );
    }

    #[test]
    fn serde_round_trip() {
        let list = classify(&municipality(), 2024);
        let json = serde_json::to_string(&list).unwrap();
        let back: Vec<Classification> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, list);
    }

    // --- Properties ---

    const YEARS: std::ops::RangeInclusive<i32> = 2020..=2024;

    /// A share with many ties, or any share, or none.
    fn share() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            1 => Just(None),
            3 => (0u8..=10).prop_map(|k| Some(f64::from(k) / 10.0)),
            2 => (0.0..=1.0f64).prop_map(Some),
        ]
    }

    /// Rows of up to 12 schools over 2020–2024, at most one per school and year.
    fn rows() -> impl Strategy<Value = Vec<Indices>> {
        let fields = (
            share(),
            share(),
            share(),
            share(),
            share(),
            proptest::option::of(any::<bool>()),
        );
        let years = YEARS.count();
        proptest::collection::vec(
            proptest::collection::vec(proptest::option::of(fields), years),
            1..12,
        )
        .prop_map(|schools| {
            let mut out = Vec::new();
            for (s, by_year) in schools.into_iter().enumerate() {
                for (year, f) in YEARS.zip(by_year) {
                    let Some((ior, isbsh, gia, vpr, evening_share, advanced)) = f else {
                        continue;
                    };
                    out.push(Indices {
                        school: Uuid::from_u128(s as u128 + 1),
                        year,
                        ior,
                        isbsh,
                        gia,
                        vpr,
                        evening_share,
                        advanced,
                    });
                }
            }
            out
        })
    }

    fn values() -> impl Strategy<Value = Vec<f64>> {
        proptest::collection::vec(
            prop_oneof![(0u8..=8).prop_map(|k| f64::from(k) / 8.0), -1e6..1e6f64],
            0..40,
        )
    }

    proptest! {
        #[test]
        fn quartiles_are_monotone_in_range_and_shared(v in values()) {
            let q = quartiles(&v);
            prop_assert_eq!(q.len(), v.len());
            for i in 0..v.len() {
                prop_assert!((1..=4).contains(&q[i]));
                for j in 0..v.len() {
                    if v[i] <= v[j] {
                        prop_assert!(q[i] <= q[j]);
                    }
                    if v[i] == v[j] {
                        prop_assert_eq!(q[i], q[j]);
                    }
                }
            }
            // The minimum is always in quartile 1.
            if let Some(min) = v.iter().copied().min_by(f64::total_cmp) {
                let i = v.iter().position(|&x| x == min).unwrap();
                prop_assert_eq!(q[i], 1);
            }
        }

        #[test]
        fn quartiles_never_panic(v in proptest::collection::vec(any::<f64>(), 0..20)) {
            prop_assert!(quartiles(&v).iter().all(|q| (1..=4).contains(q)));
        }

        #[test]
        fn classification_invariants(rows in rows()) {
            for year in YEARS {
                let list = classify(&rows, year);
                let expected: BTreeSet<Uuid> =
                    rows.iter().filter(|r| r.year == year).map(|r| r.school).collect();
                // Each school with data for the year exactly once, sorted.
                prop_assert!(list.windows(2).all(|w| w[0].school < w[1].school));
                let got: BTreeSet<Uuid> = list.iter().map(|c| c.school).collect();
                prop_assert_eq!(got, expected);
                for c in &list {
                    let r = rows.iter().find(|r| r.year == year && r.school == c.school).unwrap();
                    prop_assert_eq!(c.year, year);
                    prop_assert_eq!(c.reasons.len(), 7);
                    // A type exactly when both indices are there, agreeing with the quartiles.
                    prop_assert_eq!(c.school_type.is_some(), r.ior.is_some() && r.isbsh.is_some());
                    if let (Some(iq), Some(sq)) = (c.ior_quartile, c.isbsh_quartile) {
                        prop_assert_eq!(c.school_type, Some(SchoolType::of(iq, sq)));
                    }
                    prop_assert_eq!(why(c, Mark::Type).applies.is_some(), c.school_type.is_some());
                    if c.stably_high {
                        prop_assert_eq!(c.ior_quartile, Some(4));
                    }
                    if c.stably_low {
                        prop_assert_eq!(c.ior_quartile, Some(1));
                    }
                    prop_assert!(!(c.stably_high && c.stably_low));
                    let f = c.suggested;
                    prop_assert!(!(f.mentor_school && (f.low_results || f.hard_conditions)));
                    // Risk groups are exactly the reasons that apply, in order.
                    let applying: Vec<Risk> = Risk::ALL
                        .into_iter()
                        .filter(|k| why(c, Mark::Risk(*k)).applies == Some(true))
                        .collect();
                    prop_assert_eq!(&c.risk, &applying);
                    for reason in &c.reasons {
                        prop_assert_eq!(reason.applies.is_none(), reason.text.starts_with("нет данных"));
                    }
                }
            }
        }

        #[test]
        fn row_order_does_not_matter(
            (rows, shuffled) in rows().prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle()))
        ) {
            for year in YEARS {
                prop_assert_eq!(classify(&rows, year), classify(&shuffled, year));
            }
            prop_assert_eq!(years(&rows), years(&shuffled));
        }
    }
}
