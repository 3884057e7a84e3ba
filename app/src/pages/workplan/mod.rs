//! The centre's plan of work and its execution report (002 appendix; 003), the programme's
//! indicators (000 §6) and the annual report on a school (004 stage 3). The head plans; the
//! person responsible for an item reports on it — status, text, documents — offline like every
//! edit; figures the system already knows stand beside the report.

mod annual;
mod indicators;
mod plan;
mod print;

pub use annual::SchoolReport;
pub use indicators::IndicatorsPage;
pub use plan::PlanPage;
pub use print::PlanPrint;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use model::forms;
use model::record::Record;
use model::support::{consultation, programme, visit};
use model::workplan;

use crate::format;
use crate::store::use_store;

/// The school year of today (2026 for 01.09.2026–31.08.2027).
pub fn this_school_year() -> i64 {
    workplan::school_year_of(&format::today()).unwrap_or(2026)
}

/// `?year=Y&from=M&to=M` of the page.
pub fn plan_query() -> (i64, Option<(u8, u8)>) {
    use_query_map().with_untracked(|q| {
        let year = q
            .get("year")
            .and_then(|y| y.parse().ok())
            .filter(|y| model::WORK_YEARS.contains(y))
            .unwrap_or_else(this_school_year);
        let month = |k: &str| {
            q.get(k)
                .and_then(|m| m.parse::<u8>().ok())
                .filter(|m| (1..=12).contains(m))
        };
        // (A period that ends before it starts in the school year is no period: the whole
        // year is shown, as the server's spreadsheet refuses it.)
        let period = month("from")
            .zip(month("to"))
            .filter(|(a, b)| workplan::school_index(*a) <= workplan::school_index(*b));
        (year, period)
    })
}

/// "за февраль–июнь" for a period, "" for the whole year.
pub fn period_words(period: Option<(u8, u8)>) -> String {
    period.map_or_else(String::new, |(a, b)| {
        if a == b {
            format!(" за {}", workplan::month_name(a))
        } else {
            format!(
                " за {}–{}",
                workplan::month_name(a),
                workplan::month_name(b)
            )
        }
    })
}

/// `?year=…&from=…&to=…` for links.
pub fn query(year: i64, period: Option<(u8, u8)>) -> String {
    match period {
        Some((a, b)) => format!("?year={year}&from={a}&to={b}"),
        None => format!("?year={year}"),
    }
}

/// The records the figures of linked items are taken from, kept current.
pub fn watch_linked() -> Signal<Vec<Record>> {
    let store = use_store();
    let kinds = [
        store.watch_kind(forms::CAMPAIGN_KIND),
        store.watch_kind(forms::RESPONSE_KIND),
        store.watch_kind(consultation::KIND),
        store.watch_kind(visit::KIND),
        store.watch_kind(programme::PROGRAMME_KIND),
    ];
    Signal::derive(move || kinds.iter().flat_map(|k| k.get()).collect())
}
