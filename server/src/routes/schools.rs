//! Schools: everyone lists the schools they may see; the centre head creates them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use model::api::SchoolList;
use model::{ApiError, NewSchool, Role, School};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiJson, AppResult};

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
        sqlx::Error::Database(d) if d.is_unique_violation() => ApiError::conflict(format!(
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
