//! `POST /api/tests/start`: a timed test opened online starts its clock on the server; answers
//! that arrive after the time (and a short grace for slow links) are refused by sync.

use axum::Json;
use axum::extract::State;
use model::api::{TestStart, TestStarted};
use model::{ApiError, forms};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiJson, AppResult};
use crate::storage::now_ms;

pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<TestStart>,
) -> AppResult<Json<TestStarted>> {
    let entry = state
        .db
        .template_entry(&req.template, req.version)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let t = &entry.template;
    let Some(minutes) = t.test.as_ref().and_then(|x| x.time_limit_min) else {
        return Err(ApiError::bad_request("У этого теста нет ограничения времени.").into());
    };
    if !t.audience.contains(&user.profile.role) {
        return Err(ApiError::forbidden().into());
    }
    // Only a campaign the person can read, of this test, addressed to them, starts a clock
    // (a made-up campaign id would leave a start behind for good).
    let actor = state.db.actor(&user.profile).await?;
    let campaign = state.db.record_for(&actor, req.campaign).await?;
    let asked = forms::Campaign::from_record(&campaign).is_some_and(|c| {
        campaign.kind == forms::CAMPAIGN_KIND
            && c.template == req.template
            && c.version == req.version
            && c.addressed_to(user.profile.role, user.profile.school_id, &t.audience)
    });
    if !asked {
        return Err(ApiError::not_found().into());
    }
    let (response, _) = forms::response_target(
        t.respondent,
        req.campaign,
        user.profile.school_id,
        user.profile.id,
    )
    .ok_or_else(ApiError::forbidden)?;
    let started = state.db.start_test(response, user.profile.id).await?;
    Ok(Json(TestStarted {
        started_at_ms: started,
        closes_at_ms: started + i64::from(minutes) * 60_000,
        server_time_ms: now_ms(),
    }))
}
