//! What the fuzz targets run, shared with the examples that write the seeds and measure a
//! corpus.
//!
//! - [`sync_plan`]: the bytes after the first are a `POST /api/sync` body, decoded as the server
//!   decodes it (JSON, or gzip-compressed JSON); the first byte picks the person sending it.
//!   The batch is planned with `model::sync::server::plan` against a fixed [`World`] (two
//!   schools, people of every role, campaigns, school profiles, draft, submitted, reviewed and
//!   anonymous responses, a test result, a plan item, recommendations), built by planning real
//!   batches. Planning must not panic, and [`check_plan`] holds every rule the server relies on.
//! - [`template_parse`]: any text through `Template::parse`; an accepted template survives
//!   storage and a second parse with its key.

mod seeds;
mod sync_plan;
mod template_parse;
mod world;

pub use seeds::seeds;
pub use sync_plan::{check_plan, decode, outcomes, sync_plan};
pub use template_parse::template_parse;
pub use world::*;
