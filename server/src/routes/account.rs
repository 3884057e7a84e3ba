//! Signing in and out, who I am, and changing the own password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use model::api::{LoginRequest, LoginResponse, PasswordChange};
use model::{ApiError, ErrorCode, UserProfile};

use crate::AppState;
use crate::auth::{self, ClientAddr, CurrentUser};
use crate::error::{ApiJson, AppResult};
use crate::storage::Counter;

pub async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Json<LoginResponse>> {
    let signed_in = auth::login(
        &state.db,
        &state.checking_passwords,
        &req.login,
        &req.password,
        req.sign_in_key.as_deref(),
        addr,
    )
    .await?;
    Ok(Json(LoginResponse {
        token: signed_in.token,
        sign_in_key: Some(signed_in.sign_in_key),
        profile: signed_in.profile,
    }))
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

/// `POST /api/me/password`: the current password is checked like a sign-in (counted for the
/// session), the new one must follow the rules of a new account. Every other session of the
/// person ends (a device that may have seen the old password is signed out); the one that made
/// the change stays. The [`auth::FREE_FAILURES`]th wrong current password in a row ends the
/// session that sent it: whoever took a signed-in computer or its token cannot go on guessing
/// the password, while the person signs in again with it.
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    ApiJson(req): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    let req = req.validated()?;
    let checked = auth::check_password(
        &state.db,
        &state.checking_passwords,
        &user.profile.login,
        addr,
        auth::Asker::Session {
            token_hash: &user.token_hash,
        },
        &req.current,
    )
    .await?;
    if checked.is_none_or(|c| c.credentials.profile.id != user.profile.id) {
        let counted = Counter::Session(&user.token_hash);
        if state.db.failed_attempts(counted).await? >= auth::FREE_FAILURES {
            state.db.delete_session(&user.token_hash).await?;
            state
                .db
                .audit(
                    Some(user.profile.id),
                    "password.guessed",
                    &serde_json::json!({ "session_ended": true }),
                )
                .await?;
            return Err(ApiError::new(
                ErrorCode::Unauthorized,
                format!(
                    "Текущий пароль указан неверно {} раз подряд, поэтому на этом компьютере \
                     выполнен выход. Войдите снова со своим паролем; если вы его не помните, \
                     обратитесь в наставнический центр.",
                    auth::FREE_FAILURES
                ),
            )
            .into());
        }
        return Err(ApiError::validation(
            "current",
            "Текущий пароль указан неверно. Проверьте раскладку клавиатуры и Caps Lock.",
        )
        .into());
    }
    let hash = auth::hash_password_blocking(req.new).await?;
    let ended = state
        .db
        .set_password(user.profile.id, &hash, &user.token_hash)
        .await?;
    state
        .db
        .audit(
            Some(user.profile.id),
            "password.change",
            &serde_json::json!({ "other_sessions_ended": ended }),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
