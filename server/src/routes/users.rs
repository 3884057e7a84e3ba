//! Accounts and assignments of mentors and curators to schools. The centre head and the
//! moderator manage accounts, each only the roles [`Role::may_manage`] gives it (the moderator:
//! school staff and teachers); only the centre head assigns. Disabling an account ends its
//! sessions at once and keeps everything it wrote.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use model::api::{PasswordReset, UserSummary};
use model::{ApiError, ErrorCode, NewUser, Role, UserProfile};

use super::parse_id;
use crate::AppState;
use crate::auth::{CurrentUser, hash_password_blocking};
use crate::error::{ApiJson, AppResult};

const ACCOUNT_MANAGERS: &[Role] = &[Role::Head, Role::Moderator];

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<UserSummary>>> {
    user.require(ACCOUNT_MANAGERS)?;
    // Each sees the accounts it manages: the moderator, school staff and teachers, and not
    // the centre's logins and assignments.
    let mut users = state.db.list_users().await?;
    users.retain(|u| user.profile.role.may_manage(u.profile.role));
    Ok(Json(users))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<UserSummary>)> {
    user.require(ACCOUNT_MANAGERS)?;
    may_manage(&user.profile, new.role, "создавать учётные записи")?;
    let new = new.validated()?;
    if let Some(school_id) = new.school_id
        && !state.db.school_exists(school_id).await?
    {
        return Err(ApiError::validation("school_id", "Выбранная школа не найдена.").into());
    }
    let hash = hash_password_blocking(new.password.clone()).await?;
    let profile = state
        .db
        .insert_user(&new, &hash)
        .await?
        .ok_or_else(|| ApiError {
            field: Some("login".into()),
            ..ApiError::conflict(format!("Логин «{}» уже занят. Выберите другой.", new.login))
        })?;
    state
        .db
        .audit(
            Some(user.profile.id),
            "user.create",
            &serde_json::json!({ "id": profile.id, "login": profile.login, "role": profile.role }),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(UserSummary {
            profile,
            assigned_school_ids: Vec::new(),
            disabled: false,
        }),
    ))
}

/// Sets a new password for an account the person manages (its owner forgot it): every session
/// and known computer of the account ends, so whoever knew the old one is out. One's own
/// password is changed on the account page, with the current one.
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(user_id): Path<String>,
    ApiJson(reset): ApiJson<PasswordReset>,
) -> AppResult<StatusCode> {
    let target = managed_target(
        &state,
        &user,
        &user_id,
        "менять пароли учётных записей",
        "Свой пароль меняют на странице «Учётная запись», указав текущий.",
    )
    .await?;
    let reset = reset.validated()?;
    let hash = hash_password_blocking(reset.password).await?;
    let ended = state.db.set_password(target.id, &hash, "").await?;
    // Whoever forgot their password has usually made their login wait: the new one works now.
    let now = crate::storage::now_ms();
    state
        .db
        .clear_login_attempts(
            &[crate::storage::Counter::Login(&crate::auth::login_key(
                &target.login,
            ))],
            now,
            crate::auth::THROTTLE.quiet_ms,
        )
        .await?;
    state
        .db
        .audit(
            Some(user.profile.id),
            "user.password",
            &serde_json::json!({ "id": target.id, "login": target.login, "sessions_ended": ended }),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account `user_id` names, when the caller is one of the account managers and may manage
/// its role; never the caller's own (`own` says in words what to do instead). `what` is what
/// the caller tries, as in «не может {what} с ролью …».
async fn managed_target(
    state: &AppState,
    user: &CurrentUser,
    user_id: &str,
    what: &str,
    own: &'static str,
) -> AppResult<UserProfile> {
    user.require(ACCOUNT_MANAGERS)?;
    let user_id = parse_id(user_id, "пользователя")?;
    let target = state
        .db
        .user_by_id(user_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if target.id == user.profile.id {
        return Err(ApiError::new(ErrorCode::Forbidden, own).into());
    }
    may_manage(&user.profile, target.role, what)?;
    Ok(target)
}

/// Refuses (403, in words) when `actor` may not manage accounts of `role`; `what` is what it
/// tried («создавать учётные записи», «отключать учётные записи», …).
fn may_manage(actor: &UserProfile, role: Role, what: &str) -> Result<(), ApiError> {
    if actor.role.may_manage(role) {
        return Ok(());
    }
    let allowed: Vec<&str> = actor
        .role
        .manageable()
        .into_iter()
        .map(|r| r.label())
        .collect();
    let mut message = format!(
        "Роль «{}» не может {what} с ролью «{}».",
        actor.role.label(),
        role.label()
    );
    if !allowed.is_empty() {
        message.push_str(&format!(" Доступные роли: {}.", allowed.join(", ")));
    }
    message.push_str(" Обратитесь к руководителю МНЦ.");
    Err(ApiError::new(ErrorCode::Forbidden, message))
}

pub async fn disable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(user_id): Path<String>,
) -> AppResult<StatusCode> {
    set_disabled(&state, &user, &user_id, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(user_id): Path<String>,
) -> AppResult<StatusCode> {
    set_disabled(&state, &user, &user_id, false).await
}

/// Disables or enables an account the caller may manage, never the caller's own. Doing it twice
/// changes nothing and is not an error.
async fn set_disabled(
    state: &AppState,
    user: &CurrentUser,
    user_id: &str,
    disabled: bool,
) -> AppResult<StatusCode> {
    let target = managed_target(
        state,
        user,
        user_id,
        if disabled {
            "отключать учётные записи"
        } else {
            "включать учётные записи"
        },
        "Нельзя отключить или включить собственную учётную запись. Обратитесь к другому \
         руководителю МНЦ.",
    )
    .await?;
    let changed = state
        .db
        .set_disabled(target.id, disabled, crate::storage::now_ms())
        .await?;
    if changed {
        state
            .db
            .audit(
                Some(user.profile.id),
                if disabled {
                    "user.disable"
                } else {
                    "user.enable"
                },
                &serde_json::json!({ "id": target.id, "login": target.login, "role": target.role }),
            )
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Checks that `user_id` is a mentor or curator and `school_id` exists.
async fn check_assignment(
    state: &AppState,
    user_id: &str,
    school_id: &str,
) -> AppResult<(uuid::Uuid, uuid::Uuid)> {
    let user_id = parse_id(user_id, "пользователя")?;
    let school_id = parse_id(school_id, "школы")?;
    let target = state
        .db
        .user_by_id(user_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !target.role.is_assignable() {
        return Err(ApiError::validation(
            "user_id",
            "Закрепить школу можно только за наставником или куратором.",
        )
        .into());
    }
    if !state.db.school_exists(school_id).await? {
        return Err(ApiError::not_found().into());
    }
    Ok((user_id, school_id))
}

pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((user_id, school_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    user.require(&[Role::Head])?;
    let (user_id, school_id) = check_assignment(&state, &user_id, &school_id).await?;
    state.db.assign(user_id, school_id).await?;
    state
        .db
        .audit(
            Some(user.profile.id),
            "assignment.add",
            &serde_json::json!({ "user_id": user_id, "school_id": school_id }),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unassign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((user_id, school_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    user.require(&[Role::Head])?;
    let (user_id, school_id) = check_assignment(&state, &user_id, &school_id).await?;
    state.db.unassign(user_id, school_id).await?;
    state
        .db
        .audit(
            Some(user.profile.id),
            "assignment.remove",
            &serde_json::json!({ "user_id": user_id, "school_id": school_id }),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
