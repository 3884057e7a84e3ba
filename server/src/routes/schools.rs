//! Schools: everyone lists the schools they may see; the centre head creates them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use model::api::SchoolList;
use model::{ApiError, NewSchool, Role, School, SchoolFlags};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiJson, AppResult};
use crate::storage::StoreError;

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<SchoolList>> {
    let schools = state.db.schools_visible_to(&user.profile).await?;
    Ok(Json(SchoolList { schools }))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewSchool>,
) -> AppResult<(StatusCode, Json<School>)> {
    user.require(&[Role::Head])?;
    let new = new.validated()?;
    let school = state.db.insert_school(&new).await.map_err(|e| match e {
        StoreError::Conflict => ApiError::conflict(format!(
            "Школа «{}» в муниципалитете «{}» уже есть в списке.",
            new.name, new.municipality
        ))
        .into(),
        other => crate::error::AppError::from(other),
    })?;
    state
        .db
        .audit(
            Some(user.profile.id),
            "school.create",
            &serde_json::to_value(&school).unwrap_or_default(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(school)))
}

/// `PUT /api/schools/{id}/flags`: the centre head sets a school's ШНОР, ШССУ and
/// школа-наставник flags (the classification page suggests them).
pub async fn set_flags(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(flags): ApiJson<SchoolFlags>,
) -> AppResult<Json<SchoolFlags>> {
    user.require(&[Role::Head])?;
    let id = super::parse_id(&id, "школы")?;
    let flags = flags.validated()?;
    state
        .db
        .set_school_flags(
            id,
            flags.low_results,
            flags.hard_conditions,
            flags.mentor_school,
        )
        .await?;
    state
        .db
        .audit(
            Some(user.profile.id),
            "school.flags",
            &serde_json::json!({ "school": id, "flags": flags }),
        )
        .await?;
    Ok(Json(flags))
}
