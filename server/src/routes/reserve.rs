//! `GET /api/reserve.xlsx`: the registry of the management personnel reserve (002 §5.6) as a
//! spreadsheet, for the centre head: one row per person in the registry with exactly the
//! fields §5.6 makes mandatory, and the appointment from the reserve.

use axum::extract::State;
use axum::response::Response;
use model::forms::answer::ru_date;
use model::record::Scope;
use model::{Role, reserve};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::support::{header, line};
use crate::AppState;
use crate::error::AppResult;

pub async fn registry(
    State(state): State<AppState>,
    super::Exporting { user, .. }: super::Exporting,
) -> AppResult<Response> {
    user.require(&[Role::Head])?;
    let actor = state.db.actor(&user.profile).await?;
    let candidates = state
        .db
        .readable_records(&actor, reserve::CANDIDATE_KIND)
        .await?;
    let schools = state.db.all_schools().await?;
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold().set_text_wrap();
        let wrap = Format::new().set_text_wrap();
        let sheet = book.add_worksheet();
        sheet.set_name("Реестр резерва")?;
        header(sheet, &reserve::REGISTRY_COLUMNS, &bold)?;
        for (i, r) in reserve::registry(&candidates).into_iter().enumerate() {
            let school = match r.scope {
                Scope::School(s) => schools
                    .iter()
                    .find(|x| x.id == s)
                    .map_or("", |x| x.name.as_str()),
                _ => "",
            };
            line(
                sheet,
                i as u32 + 1,
                &reserve::registry_row(r, school, ru_date),
                &wrap,
            )?;
        }
        book.save_to_buffer()
    };
    let bytes = super::spreadsheet(build).await?;
    Ok(super::exports::xlsx("reserve-registry", bytes))
}
