//! School support after the diagnostics (002 §4.3–§4.6; 003, the Славянский report; 004 stage 2):
//! the school's anti-risk programme ([`programme`]), consultations on the school's request
//! ([`consultation`]) and the mentors' visits and events ([`visit`]). Targeted recommendations,
//! which may follow any of them, are in [`crate::forms::recommendation`].
//!
//! These are pure rules shared by the app and the server; the record kinds that carry them
//! (and who may write what) are declared in `crate::kinds`.

pub mod consultation;
pub mod programme;
pub mod visit;

/// The risk factors of a school, as the self-analysis card names them (its question
/// `risk_priority`; the twelve risk profiles of the federal monitoring of ШНОР).
pub const RISK_FACTORS: [(&str, &str); 12] = [
    ("equipment", "Низкий уровень оснащения школы"),
    ("staff_shortage", "Дефицит педагогических кадров"),
    (
        "competence",
        "Недостаточная предметная и методическая компетентность педагогических работников",
    ),
    ("adaptivity", "Риски низкой адаптивности учебного процесса"),
    (
        "inservice",
        "Несформированность внутришкольной системы повышения квалификации",
    ),
    (
        "language",
        "Низкое качество преодоления языковых и культурных барьеров",
    ),
    (
        "environment",
        "Пониженный уровень качества школьной образовательной и воспитательной среды",
    ),
    (
        "failure",
        "Высокая доля обучающихся с рисками учебной неуспешности",
    ),
    ("discipline", "Низкий уровень дисциплины в классе"),
    ("motivation", "Низкая учебная мотивация обучающихся"),
    ("ovz", "Высокая доля обучающихся с ОВЗ"),
    ("parents", "Низкий уровень вовлечённости родителей"),
];

/// The section of a programme for measures outside the risk factors (e.g. from a
/// recommendation that names no factor).
pub const GENERAL: &str = "general";

/// The name of a risk factor (or of the general section); the id itself when unknown.
pub fn factor_label(id: &str) -> &str {
    factor_words(id).unwrap_or(id)
}

/// The name of a risk factor or of the general section.
pub fn factor_words(id: &str) -> Option<&'static str> {
    if id == GENERAL {
        return Some("Общие меры (вне факторов риска)");
    }
    crate::words::word_of(&RISK_FACTORS, id)
}

/// Is `id` a risk factor or the general section?
pub fn is_factor(id: &str) -> bool {
    id == GENERAL || RISK_FACTORS.iter().any(|(f, _)| *f == id)
}

/// The year and the quarter (1–4) of a date `YYYY-MM-DD`.
pub fn quarter_of(date: &str) -> Option<(i32, u8)> {
    let year = date.get(0..4)?.parse().ok()?;
    let month: u8 = date.get(5..7)?.parse().ok()?;
    (1..=12)
        .contains(&month)
        .then(|| (year, (month - 1) / 3 + 1))
}

/// How many quarters of `year` have ended by `today` (0–4).
pub fn quarters_ended(year: i32, today: &str) -> u8 {
    match quarter_of(today) {
        Some((y, _)) if y > year => 4,
        Some((y, q)) if y == year => q - 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters() {
        assert_eq!(quarter_of("2027-01-31"), Some((2027, 1)));
        assert_eq!(quarter_of("2027-04-01"), Some((2027, 2)));
        assert_eq!(quarter_of("2027-12-31"), Some((2027, 4)));
        assert_eq!(quarter_of("2027-13-01"), None);
        assert_eq!(quarter_of("завтра"), None);
        assert_eq!(quarters_ended(2027, "2027-03-31"), 0);
        assert_eq!(quarters_ended(2027, "2027-04-01"), 1);
        assert_eq!(quarters_ended(2027, "2027-12-31"), 3);
        assert_eq!(quarters_ended(2027, "2028-01-01"), 4);
        assert_eq!(quarters_ended(2027, "2026-12-31"), 0);
    }

    #[test]
    fn factors() {
        assert!(is_factor("staff_shortage"));
        assert!(is_factor(GENERAL));
        assert!(!is_factor("weather"));
        assert_eq!(factor_label("ovz"), "Высокая доля обучающихся с ОВЗ");
        assert_eq!(factor_label("x"), "x");
    }
}

#[cfg(test)]
mod day_tests {
    use crate::forms::answer::iso_day;

    #[test]
    fn days_in_moscow_time() {
        assert_eq!(iso_day(0), "1970-01-01");
        // 2026-12-03 20:59:59 UTC is 23:59:59 in Moscow; a second later it is the 4th there.
        assert_eq!(iso_day(1_796_331_599_000), "2026-12-03");
        assert_eq!(iso_day(1_796_331_600_000), "2026-12-04");
        assert_eq!(iso_day(951_782_400_000), "2000-02-29");
        assert_eq!(iso_day(4_107_542_400_000), "2100-03-01");
    }
}
