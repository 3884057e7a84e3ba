//! Pieces shared by several pages.

pub mod download;
pub mod field;
pub mod header;
pub mod protected;
pub mod refused;
pub mod sync_status;
