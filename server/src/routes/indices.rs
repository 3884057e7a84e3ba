//! The regional indices (002 §II): the centre head uploads a CSV or XLSX table, sees every
//! row and every problem (`POST /api/indices/preview`), and imports it (`POST
//! /api/indices/import`), all or nothing. The body is the file itself; `?name=` its name, kept
//! as the source of the figures. Both answer with the rows read, the problems (by row and
//! column) and how many rows were written. Devices receive the indices by sync.

use axum::Json;
use axum::extract::State;
use model::Role;
use model::monitoring::import::Parsed;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiBytes, ApiQuery, AppResult};
use crate::indices;

#[derive(Deserialize)]
pub struct FileName {
    #[serde(default)]
    name: String,
}

pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(file): ApiQuery<FileName>,
    ApiBytes(body): ApiBytes,
) -> AppResult<Json<Parsed>> {
    user.require(&[Role::Head])?;
    Ok(Json(
        indices::import(&state.db, &user.profile, &file.name, &body, false).await?,
    ))
}

pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(file): ApiQuery<FileName>,
    ApiBytes(body): ApiBytes,
) -> AppResult<Json<Parsed>> {
    user.require(&[Role::Head])?;
    Ok(Json(
        indices::import(&state.db, &user.profile, &file.name, &body, true).await?,
    ))
}
