//! Pure domain types shared by the app (wasm32) and the server: roles, schools, users, the API
//! error vocabulary and the request/response shapes. No I/O lives here, so everything compiles to
//! both targets and is tested on the host. Records, the hybrid logical clock, field merge and
//! the sync logic live here too, so the app, the server and the simulation run the same code.

pub mod access;
pub mod api;
pub mod error;
pub mod files;
pub mod fingerprint;
pub mod forms;
pub mod hlc;
pub mod kinds;
pub mod monitoring;
pub mod practices;
pub mod record;
pub mod reserve;
pub mod role;
pub mod school;
pub mod support;
pub mod sync;
pub mod user;
pub mod words;
pub mod workplan;

/// The years the centre's plans of work, programmes and annual reports may be for: what their
/// year fields accept, and what the pages and spreadsheets that take a year answer for.
pub const WORK_YEARS: std::ops::RangeInclusive<i64> = 2020..=2100;

pub use error::{ApiError, ErrorCode};
pub use role::Role;
pub use school::{Locality, NewSchool, School, SchoolFlags};
pub use user::{NewUser, UserProfile};
