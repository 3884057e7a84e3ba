//! `POST /api/templates`: the centre head uploads a form template (the JSON of a template file).
//! Devices receive templates by sync, never from here.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use model::api::TemplateInstalled;
use model::{ApiError, Role};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiBytes, AppResult};
use crate::storage::{InstallError, Installed};

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiBytes(body): ApiBytes,
) -> AppResult<(StatusCode, Json<TemplateInstalled>)> {
    user.require(&[Role::Head])?;
    let json = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("Шаблон не принят: файл не в кодировке UTF-8."))?;
    let (entry, installed) = state.db.install_template(json).await.map_err(|e| match e {
        InstallError::Malformed(_) => ApiError::validation("template", e.to_string()).into(),
        InstallError::VersionTaken(..) => ApiError::conflict(e.to_string()).into(),
        InstallError::Db(e) => crate::error::AppError::from(e),
        InstallError::Write(e) => crate::error::AppError::Internal(e),
    })?;
    let t = &entry.template;
    let created = installed == Installed::New;
    if created {
        state
            .db
            .audit(
                Some(user.profile.id),
                "template.upload",
                &serde_json::json!({"code": t.code, "version": t.version}),
            )
            .await?;
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(TemplateInstalled {
            code: t.code.clone(),
            version: t.version,
            title: t.title.clone(),
            created,
        }),
    ))
}
