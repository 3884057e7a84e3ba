//! Mentors' visits and events with a school (002 §4.3.1: study of local acts and planning
//! documents, interviews with the administration and teachers, visits to lessons and events;
//! 002 plan and 003: round tables, seminars, master classes, internships at mentor schools, open
//! days, methodical visits). A mentor or curator records, offline, the type, date, place,
//! participants and findings (справка); a lesson visit adds a short observation protocol.

use serde_json::Value;

pub const KIND: &str = "visit";

pub const F_TYPE: &str = "type";
pub const F_DATE: &str = "date";
pub const F_PLACE: &str = "place";
pub const F_PARTICIPANTS: &str = "participants";
/// The findings (справка по итогам).
pub const F_FINDINGS: &str = "findings";
// The lesson observation protocol.
pub const F_GRADE: &str = "grade";
pub const F_SUBJECT: &str = "subject";
pub const F_TEACHER: &str = "teacher";
pub const F_OBSERVED: &str = "observed";
pub const F_STRENGTHS: &str = "strengths";
pub const F_WEAKNESSES: &str = "weaknesses";
/// Stamped by the server: who recorded it.
pub const F_AUTHOR: &str = "author";

pub const LESSON: &str = "lesson";

pub const TYPES: [(&str, &str); 9] = [
    (LESSON, "Посещение урока"),
    ("interview", "Собеседование с администрацией"),
    ("documents", "Изучение документов"),
    ("round_table", "Круглый стол"),
    ("seminar", "Семинар"),
    ("master_class", "Мастер-класс"),
    ("internship", "Стажировка в школе-наставнике"),
    ("open_day", "День открытых дверей"),
    ("methodical", "Методический выезд"),
];

/// The fields of the lesson observation protocol.
pub const LESSON_FIELDS: [&str; 6] = [
    F_GRADE,
    F_SUBJECT,
    F_TEACHER,
    F_OBSERVED,
    F_STRENGTHS,
    F_WEAKNESSES,
];

pub fn type_label(id: &str) -> &'static str {
    crate::words::word_of(&TYPES, id).unwrap_or("")
}

pub fn check_type(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if TYPES.iter().any(|(k, _)| *k == s) => Ok(()),
        _ => Err("один из видов посещения или мероприятия".into()),
    }
}
