//! School support after the diagnostics (002 §4.3–§4.6): the school's anti-risk programme, its
//! consultation requests, the mentors' visits and events, and the centre's overview. Every page
//! works from the local database with no connection; each change is stored on this computer as
//! it is made (a failed save is said in words beside the part) and synced later.

mod consultations;
mod overview;
mod programme;
mod visits;

use model::record::{Record, Scope};
use uuid::Uuid;

pub use consultations::{ConsultationPage, ConsultationsPage, ConsultationsPrint, OpenRequests};
pub use overview::{CentreProgrammes, ProgrammeStatus};
pub use programme::{ProgrammePage, ProgrammePrint, measure_from_recommendation, watch_outline};
pub use visits::{NewVisitButton, VisitList, VisitPage};

/// The current calendar year on this computer: a programme runs over a calendar year (the
/// centre's cycle starts with the self-analysis in January, 002 plan).
pub fn this_year() -> i64 {
    i64::from(js_sys::Date::new_0().get_full_year())
}

/// The school of a school-scoped record.
pub fn school_of(r: &Record) -> Option<Uuid> {
    match r.scope {
        Scope::School(s) => Some(s),
        _ => None,
    }
}

/// Live records of a kind (not deleted).
pub fn live(list: &[Record]) -> impl Iterator<Item = &Record> {
    list.iter().filter(|r| !r.is_deleted())
}
