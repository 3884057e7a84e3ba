//! Signing in and out, and who I am.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use model::UserProfile;
use model::api::{LoginRequest, LoginResponse};

use crate::AppState;
use crate::auth::{self, CurrentUser};
use crate::error::{ApiJson, AppResult};

pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Json<LoginResponse>> {
    let (token, profile) = auth::login(&state.db, &req.login, &req.password).await?;
    Ok(Json(LoginResponse { token, profile }))
}

/// Revokes the session of the request's token.
pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> AppResult<StatusCode> {
    state.db.delete_session(&user.token_hash).await?;
    state
        .db
        .audit(Some(user.profile.id), "logout", &serde_json::json!({}))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(user: CurrentUser) -> Json<UserProfile> {
    Json(user.profile)
}
