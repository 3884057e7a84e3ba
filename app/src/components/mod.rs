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

/// Asks the person `question` in the browser's own dialog (which screen readers announce and
/// the keyboard answers): true when they confirm. Every deletion and every step that cannot be
/// taken back asks through here.
pub fn asked(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}
