//! Results monitoring (002 §II, 003): the yearly indices of each school that the regional
//! assessment centre publishes (ИОР, ИСБШ, ГИА and ВПР results, the share of evening and
//! part-time students, the advanced level), the school classification computed from them
//! ([`classification`]) and the reading of an imported table ([`import`]).
//!
//! The indices of one school for one year are one `school_indices` record (school scope, id
//! derived from the school and the year, so importing the same school and year again replaces
//! it), written by the centre and read by the school's team, its advisers and the centre.

pub mod card;
pub mod classification;
pub mod import;
pub mod quarters;

use serde_json::Value;
use uuid::Uuid;

use crate::record::{Record, Scope, stable_id};
use classification::Indices;

pub const KIND: &str = "school_indices";
pub const F_YEAR: &str = "year";
/// Индекс образовательных результатов, 0..1.
pub const F_IOR: &str = "ior";
/// Индекс социального благополучия школы, 0..1.
pub const F_ISBSH: &str = "isbsh";
/// The school's ГИА result for the year, a share 0..1.
pub const F_GIA: &str = "gia";
/// The school's ВПР result for the year, a share 0..1.
pub const F_VPR: &str = "vpr";
/// The share of evening (очно-заочного, заочного) students, 0..1.
pub const F_EVENING: &str = "evening_share";
/// A school of an advanced level (гимназия, лицей, углублённое изучение): true, false or null.
pub const F_ADVANCED: &str = "advanced";
/// Where the figures come from (the file imported and when).
pub const F_SOURCE: &str = "source";

/// The earliest and latest year the indices may be for.
pub const YEARS: (i64, i64) = (2000, 2100);

/// The record of a school's indices for a year.
pub fn indices_id(school: Uuid, year: i64) -> Uuid {
    stable_id(&format!("{KIND}/{school}/{year}"))
}

/// A share: a number from 0 to 1, or null (no data).
pub fn check_share(v: &Value) -> Result<(), String> {
    match v {
        Value::Null => Ok(()),
        Value::Number(n) if n.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x)) => Ok(()),
        _ => Err("число от 0 до 1 или пусто".into()),
    }
}

/// Yes, no, or null (not known).
pub fn check_flag(v: &Value) -> Result<(), String> {
    match v {
        Value::Null | Value::Bool(_) => Ok(()),
        _ => Err("да, нет или пусто".into()),
    }
}

/// The indices a record holds (`None` for a deleted record, another kind, or no year).
pub fn from_record(r: &Record) -> Option<Indices> {
    let Scope::School(school) = r.scope else {
        return None;
    };
    if r.kind != KIND || r.is_deleted() {
        return None;
    }
    let share = |f: &str| r.get(f).and_then(Value::as_f64);
    Some(Indices {
        school,
        year: i32::try_from(r.get(F_YEAR)?.as_i64()?).ok()?,
        ior: share(F_IOR),
        isbsh: share(F_ISBSH),
        gia: share(F_GIA),
        vpr: share(F_VPR),
        evening_share: share(F_EVENING),
        advanced: r.get(F_ADVANCED).and_then(Value::as_bool),
    })
}

/// The fields of a record holding `row` (every field written, null where there are no data,
/// so an import replaces what an earlier one wrote).
pub fn fields_of(row: &Indices, source: &str) -> Vec<(&'static str, Value)> {
    let num = |v: Option<f64>| v.map_or(Value::Null, |x| serde_json::json!(x));
    vec![
        (F_YEAR, serde_json::json!(row.year)),
        (F_IOR, num(row.ior)),
        (F_ISBSH, num(row.isbsh)),
        (F_GIA, num(row.gia)),
        (F_VPR, num(row.vpr)),
        (F_EVENING, num(row.evening_share)),
        (F_ADVANCED, row.advanced.map_or(Value::Null, Value::Bool)),
        (F_SOURCE, Value::String(source.to_owned())),
    ]
}
