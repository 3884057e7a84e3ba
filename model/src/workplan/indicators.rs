//! The programme's indicators (000 §6, «Основные показатели (индикаторы)»): each with its
//! target where 000 names one, computed from what the system holds where it can be (the schools'
//! self-analysis cards) and otherwise entered by the centre head per year as an
//! `indicator_value` record (its id derived from the indicator and the year), with the source.

use serde_json::Value;
use uuid::Uuid;

use crate::forms::{self, Status};
use crate::record::{Record, stable_id};

pub const KIND: &str = "indicator_value";
pub const F_CODE: &str = "code";
pub const F_YEAR: &str = "year";
pub const F_VALUE: &str = "value";
/// Where the figure comes from (an order, a report, a count).
pub const F_SOURCE: &str = "source";

pub struct Indicator {
    pub code: &'static str,
    pub title: &'static str,
    /// The target in per cent, where 000 names one.
    pub target: Option<f64>,
    /// How the system computes it, if it can.
    pub computed: Option<&'static str>,
}

pub const INDICATORS: [Indicator; 6] = [
    Indicator {
        code: "staffing",
        title: "Укомплектованность общеобразовательных организаций педагогическими кадрами, %",
        target: None,
        computed: Some(
            "по картам самоанализа: педагоги / (педагоги + незакрытые вакансии), по всем школам",
        ),
    },
    Indicator {
        code: "retraining",
        title: "Доля педагогов, охваченных переподготовкой и повышением квалификации, %",
        target: Some(20.0),
        computed: Some(
            "по картам самоанализа: доля педагогов, прошедших повышение квалификации за три \
             года, средняя по школам с учётом числа педагогов",
        ),
    },
    Indicator {
        code: "reserve_appointed",
        title: "Доля лиц, назначенных из резерва управленческих кадров, от числа включённых в \
                резерв за календарный год, %",
        target: None,
        computed: Some(
            "по реестру кадрового резерва: из включённых в реестр за год — назначенные из резерва",
        ),
    },
    Indicator {
        code: "reserve_vacancies",
        title: "Доля целевых должностей, на которые назначены лица из резерва, от числа ставших \
                вакантными целевых должностей за календарный год, %",
        target: None,
        computed: Some(
            "по учёту вакантных руководящих должностей: ставшие вакантными за год — замещённые из резерва",
        ),
    },
    Indicator {
        code: "reserve_projects",
        title: "Доля лиц из резерва управленческих кадров, участвовавших в приоритетных \
                региональных проектах за календарный год, %",
        target: None,
        computed: None,
    },
    Indicator {
        code: "reserve_share",
        title: "Доля назначений из резерва от общего числа назначений на руководящие \
                должности, %",
        target: None,
        computed: Some("по учёту вакантных руководящих должностей: назначения за год — из резерва"),
    },
];

pub fn indicator(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.code == code)
}

/// The record of an indicator's value for a year.
pub fn value_id(code: &str, year: i64) -> Uuid {
    stable_id(&format!("{KIND}/{code}/{year}"))
}

pub fn check_code(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if indicator(s).is_some() => Ok(()),
        _ => Err("один из показателей программы".into()),
    }
}

/// A value computed from the records, for the calendar year `year`, with what it was computed
/// from; `None` when the indicator is not computed or there are no data.
pub fn computed(code: &str, year: i64, records: &[Record]) -> Option<(f64, String)> {
    indicator(code)?.computed?;
    let counted = |found: Option<(f64, usize, usize)>| {
        found.map(|(share, part, whole)| (share, format!("{part} из {whole}")))
    };
    match code {
        "reserve_appointed" => return counted(crate::reserve::appointed_share(year, records)),
        "reserve_vacancies" => {
            return counted(crate::reserve::vacancies_filled_share(year, records));
        }
        "reserve_share" => return counted(crate::reserve::appointments_share(year, records)),
        _ => {}
    }
    // The latest self-analysis card of each school written in that year.
    let mut cards: std::collections::BTreeMap<String, &Record> = Default::default();
    for r in records.iter().filter(|r| {
        r.kind == forms::RESPONSE_KIND
            && !r.is_deleted()
            && forms::template_of(r).is_some_and(|(c, _)| c == "self_analysis")
            && matches!(forms::status_of(r), Status::Submitted | Status::Accepted)
    }) {
        // Dated by when it was sent (a verdict given in the next January leaves it in its year).
        let sent = forms::review::submitted_at(r);
        let day = forms::answer::iso_day(sent);
        if day.get(0..4).and_then(|y| y.parse::<i64>().ok()) != Some(year) {
            continue;
        }
        let key = r.scope.to_string();
        if cards
            .get(&key)
            .is_none_or(|c| forms::review::submitted_at(c) < sent)
        {
            cards.insert(key, r);
        }
    }
    let num = |r: &Record, q: &str| forms::answers_of(r).get(q).and_then(Value::as_f64);
    let (mut a, mut b, mut n) = (0.0, 0.0, 0);
    for card in cards.values() {
        let Some(teachers) = num(card, "teachers_total") else {
            continue;
        };
        match code {
            "staffing" => {
                let Some(vacancies) = num(card, "vacancies") else {
                    continue;
                };
                a += teachers;
                b += teachers + vacancies;
            }
            _ => {
                let Some(share) = num(card, "pd_share") else {
                    continue;
                };
                a += share * teachers;
                b += teachers;
            }
        }
        n += 1;
    }
    (b > 0.0).then(|| {
        (
            (a / b * 1000.0).round() / 10.0,
            format!("по картам самоанализа {n} шк."),
        )
    })
}
