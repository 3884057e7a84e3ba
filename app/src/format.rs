//! Dates and times as people here write them: DD.MM.YYYY, 24-hour clock; and stored values
//! in words.

use std::collections::BTreeMap;

use model::record::DELETED;
use model::{forms, kinds};
use serde_json::Value;

/// What a form is called whose template has not reached this computer yet (never its code).
pub const FORM_NOT_HERE: &str = "Форма (ещё не получена на этот компьютер)";

/// "23.11.2026 14:05" for a Unix time in milliseconds (local time zone).
pub fn date_time(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}.{:02}.{} {:02}:{:02}",
        d.get_date(),
        d.get_month() + 1,
        d.get_full_year(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// "14:05" today, otherwise the date and time.
pub fn when(ms: u64) -> String {
    let then = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let now = js_sys::Date::new_0();
    let full = date_time(ms);
    if then.to_date_string() == now.to_date_string() {
        full[11..].to_owned()
    } else {
        full
    }
}

/// "31.01.2027" for "2027-01-31"; anything else as it is.
pub fn date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) if iso.len() == 10 => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}

/// Today on this computer, as "YYYY-MM-DD".
pub fn today() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// "2026-11-23" for a Unix time in milliseconds (local time zone).
pub fn iso_date(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// A change's fields as a person reads them: each under its label (a form's answer is
/// «Ответ»), dates as ДД.ММ.ГГГГ, yes and no, lists; fields that only tie a record to others
/// (which campaign, which version) are left out.
pub fn fields_in_words(
    spec: Option<&kinds::KindSpec>,
    fields: &BTreeMap<String, Value>,
) -> Vec<String> {
    fields
        .iter()
        .filter_map(|(name, value)| {
            if name == DELETED {
                let deleted = value.get("deleted").and_then(Value::as_bool) == Some(true);
                return Some(
                    if deleted {
                        "удаление записи"
                    } else {
                        "возврат записи"
                    }
                    .to_owned(),
                );
            }
            let field = spec.and_then(|s| s.field(name));
            if let Some(f) = field
                && let Some(words) = f.words(value)
            {
                return Some(format!("{}: {words}", f.label));
            }
            if name == forms::F_STATUS
                && let Some(status) = value.as_str().and_then(forms::Status::parse)
            {
                return Some(format!("Состояние: {}", status.label()));
            }
            let label = match field {
                Some(f) => f.label,
                None if name.starts_with(forms::ANSWER_PREFIX) => "Ответ",
                None if name == forms::F_STATUS => "Состояние",
                None => return None,
            };
            Some(format!("{label}: {}", value_in_words(value)))
        })
        .collect()
}

fn value_in_words(value: &Value) -> String {
    let is_id = |v: &Value| v.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok());
    match value {
        // A choice of a person, a school or another record: its id says nothing to a person.
        v if is_id(v) => "выбор изменён".to_owned(),
        Value::Array(items) if !items.is_empty() && items.iter().all(is_id) => {
            format!("выбрано {}", items.len())
        }
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "да".to_owned(),
        Value::Bool(false) => "нет".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if forms::answer::is_date(s) => date(s),
        Value::String(s) => short(s, 200),
        Value::Array(items) => items
            .iter()
            .map(value_in_words)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => "…".to_owned(),
    }
}

/// At most `max` characters of `text`, with «…» when it was longer (a long text named in a
/// heading or a message).
pub fn short(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        format!("{}…", text.chars().take(max).collect::<String>())
    } else {
        text.to_owned()
    }
}
