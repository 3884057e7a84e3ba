//! The personal deficit plan of a tested leader (персонифицированный план восполнения
//! профессиональных дефицитов): items with the deficit, a measure of one of the five kinds of
//! support (004, stage 2), a deadline, who is responsible and the status. Each item is a record
//! (kind `plan_item`) whose parent is the leader's test response; the leader and the mentor
//! both edit it.

use serde_json::Value;

use crate::record::Record;

pub const PLAN_ITEM_KIND: &str = "plan_item";
/// The competency area (id) the item addresses.
pub const F_AREA: &str = "area";
pub const F_MEASURE_KIND: &str = "measure_kind";
pub const F_MEASURE: &str = "measure";
pub const F_DEADLINE: &str = "deadline";
pub const F_RESPONSIBLE: &str = "responsible";
pub const F_STATUS: &str = "status";

/// The five kinds of support measures of 004, stage 2.
pub const MEASURE_KINDS: [(&str, &str); 5] = [
    ("methodical", "Методическая поддержка учителей"),
    ("qualification", "Повышение уровня квалификации педагогов"),
    ("staff", "Укрепление кадрового состава"),
    ("management", "Повышение качества управления школой"),
    ("equipment", "Улучшение технического оснащения"),
];

pub const STATUSES: [(&str, &str); 3] = [
    ("planned", "запланировано"),
    ("in_progress", "выполняется"),
    ("done", "выполнено"),
];

pub fn check_measure_kind(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if MEASURE_KINDS.iter().any(|(id, _)| *id == s) => Ok(()),
        _ => Err("одна из пяти мер поддержки".into()),
    }
}

pub fn check_status(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if STATUSES.iter().any(|(id, _)| *id == s) => Ok(()),
        _ => Err("«запланировано», «выполняется» или «выполнено»".into()),
    }
}

/// Past its deadline and not done, on `today` (`YYYY-MM-DD`).
pub fn overdue(item: &Record, today: &str) -> bool {
    let deadline = item.text(F_DEADLINE);
    !deadline.is_empty() && deadline.as_str() < today && item.text(F_STATUS) != "done"
}
