//! Reading one record as the person's devices hold it (merged fields, with the writes of their
//! histories that were logged for the person).

use axum::Json;
use axum::extract::{Path, State};
use model::record::Record;

use super::parse_id;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;

pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Record>> {
    let id = parse_id(&id, "записи")?;
    let actor = state.db.actor(&user.profile).await?;
    Ok(Json(state.db.record_as_held_by(&actor, id).await?))
}
