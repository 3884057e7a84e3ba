//! Pieces shared by several pages.

pub mod answer;
pub mod attachments;
pub mod download;
pub mod field;
pub mod header;
pub mod material_links;
pub mod protected;
pub mod record_field;
pub mod refused;
pub mod results_chart;
pub mod sync_status;
pub mod test_result;
pub mod text_input;
pub mod undecided;
