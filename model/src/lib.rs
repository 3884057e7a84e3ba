//! Pure domain types shared by the app (wasm32) and the server: roles, schools, users, the API
//! error vocabulary and the request/response shapes. No I/O lives here, so everything compiles to
//! both targets and is tested on the host.

pub mod api;
pub mod error;
pub mod role;
pub mod school;
pub mod user;

pub use error::{ApiError, ErrorCode};
pub use role::Role;
pub use school::{Locality, NewSchool, School};
pub use user::{NewUser, UserProfile};
