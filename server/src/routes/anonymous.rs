//! Forms in aggregate. Anonymous forms: the id of one's own anonymous response
//! (`POST /api/campaigns/{id}/anonymous`) and the results in aggregate
//! (`GET /api/campaigns/{id}/summary`), the only way the answers to an anonymous form are ever
//! shown — and only when enough people answered. Named forms that show them: the municipal
//! medians of their figures (`GET /api/campaigns/{id}/medians`).

use axum::Json;
use axum::extract::{Path, State};
use model::api::{AnonymousTicket, CampaignSummary, Medians};
use model::forms::{self, Campaign, summary};
use model::kinds::anonymous_response::{self, MIN_ANSWERS};
use model::record::Scope;
use model::{ApiError, Role};

use super::parse_id;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::forms::Entry;

/// A campaign the caller may read, with its template (also for the export).
pub(super) async fn campaign(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> AppResult<(Campaign, std::sync::Arc<Entry>, model::access::Actor)> {
    let id = parse_id(id, "рассылки")?;
    let actor = state.db.actor(&user.profile).await?;
    let record = state.db.record_for(&actor, id).await?;
    let campaign = Campaign::from_record(&record).ok_or_else(ApiError::not_found)?;
    let entry = state
        .db
        .template_entry(&campaign.template, campaign.version)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((campaign, entry, actor))
}

pub async fn ticket(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<AnonymousTicket>> {
    let (campaign, entry, actor) = campaign(&state, &user, &id).await?;
    let t = &entry.template;
    if !t.anonymous {
        return Err(ApiError::bad_request("Эта форма не анонимная.").into());
    }
    if !campaign.addressed_to(actor.role, actor.school, &t.audience) {
        return Err(ApiError::forbidden().into());
    }
    let response = state.db.anonymous_id(campaign.id, actor.user_id);
    let sent = state
        .db
        .anonymous_record(response)
        .await?
        .is_some_and(|r| forms::status_of(&r) != forms::Status::Draft);
    Ok(Json(AnonymousTicket { response, sent }))
}

pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<CampaignSummary>> {
    user.require(&[Role::Head])?;
    let (campaign, entry, _) = campaign(&state, &user, &id).await?;
    let answers = submitted_answers(&state, &campaign, Answering::of(&entry.template)).await?;
    Ok(Json(CampaignSummary {
        answered: answers.len(),
        min_answers: MIN_ANSWERS,
        summary: summary::summarize(&campaign.form(&entry.template), &answers, MIN_ANSWERS),
    }))
}

/// The fewest schools whose figures make a median (fewer would show a school's own figure).
pub const MIN_FOR_MEDIANS: usize = 3;

/// The municipal medians of a form that shows them (`Template::medians`), for anyone who reads
/// the campaign: a school sets its figures beside them.
pub async fn medians(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Medians>> {
    let (campaign, entry, actor) = campaign(&state, &user, &id).await?;
    // The schools it was sent to, their advisers and the centre (every mentor reads the
    // campaign; with three schools, a median is one school's own figure).
    let allowed = match actor.school {
        Some(s) => campaign.schools.contains(&s),
        None if actor.role.is_assignable() => {
            actor.assigned.iter().any(|s| campaign.schools.contains(s))
        }
        None => true,
    };
    if !allowed {
        return Err(ApiError::not_found().into());
    }
    if !entry.template.medians || entry.template.anonymous {
        return Err(ApiError::bad_request("Эта форма не показывает медианы.").into());
    }
    // Only the rows of the schools it was sent to are read, not every response in the region.
    let answers = submitted_answers(&state, &campaign, Answering::SentSchools).await?;
    let medians = if answers.len() >= MIN_FOR_MEDIANS {
        summary::medians(&campaign.form(&entry.template), &answers, MIN_FOR_MEDIANS)
    } else {
        Default::default()
    };
    Ok(Json(Medians {
        answered: answers.len(),
        min_answers: MIN_FOR_MEDIANS,
        medians,
    }))
}

/// Whose answers to a campaign are read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Answering {
    /// Everyone's, anonymous (each person's own record).
    Anonymous,
    /// Everyone's, named.
    Everyone,
    /// The schools' it is sent to now, named (a school taken off it, or a mentor who answered,
    /// is not among them).
    SentSchools,
}

impl Answering {
    pub fn of(template: &forms::Template) -> Answering {
        if template.anonymous {
            Answering::Anonymous
        } else {
            Answering::Everyone
        }
    }
}

/// The answers of the submitted responses to a campaign (the head reads them all).
pub async fn submitted_answers(
    state: &AppState,
    campaign: &Campaign,
    whose: Answering,
) -> AppResult<Vec<forms::Answers>> {
    let head = model::access::Actor {
        user_id: uuid::Uuid::nil(),
        name: String::new(),
        role: Role::Head,
        school: None,
        assigned: Vec::new(),
        school_name: String::new(),
    };
    let records = match whose {
        Answering::Anonymous => state.db.anonymous_records(anonymous_response::KIND).await?,
        Answering::Everyone => {
            state
                .db
                .readable_records(&head, forms::RESPONSE_KIND)
                .await?
        }
        Answering::SentSchools => {
            let scopes: Vec<Scope> = campaign
                .schools
                .iter()
                .copied()
                .map(Scope::School)
                .collect();
            state
                .db
                .readable_records_in(&head, forms::RESPONSE_KIND, &scopes)
                .await?
        }
    };
    let id = campaign.id.to_string();
    Ok(records
        .iter()
        .filter(|r| r.get(forms::F_CAMPAIGN).and_then(|v| v.as_str()) == Some(id.as_str()))
        .filter(|r| forms::status_of(r) != forms::Status::Draft)
        .map(forms::answers_of)
        .collect())
}
