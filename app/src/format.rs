//! Dates and times as people here write them: DD.MM.YYYY, 24-hour clock.

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
