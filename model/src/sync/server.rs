//! The server's half of a sync, without I/O: given what the database holds for this device and
//! for the records a batch touches, decide every acknowledgement and every change. The server
//! then writes the plan in one transaction.

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use super::protocol::{Change, Mutation, Outcome, Refusal};
use crate::access::Actor;
use crate::error::ErrorCode;
use crate::forms::{self, Template};
use crate::hlc::DeviceId;
use crate::kinds::{self, MAX_VALUE_BYTES};
use crate::record::{DELETED, Record};

/// A mutation the server took in for the first time (applied or refused), to remember.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    pub seq: u64,
    pub fingerprint: u64,
    pub outcome: Outcome,
    /// The writes to log and send to other devices (applied mutations only).
    pub change: Option<Change>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The highest seq of the batch: everything up to it is settled.
    pub acked_upto: u64,
    pub refused: Vec<Refusal>,
    pub taken: Vec<Taken>,
    /// Records whose merged state changed and must be saved.
    pub touched: BTreeSet<Uuid>,
    pub last_seq: u64,
    /// Responses submitted by this batch (tests among them are scored next).
    pub submitted: Vec<Uuid>,
    /// Verdicts given by this batch: the response and its new status.
    pub verdicts: Vec<(Uuid, forms::Status)>,
}

/// The form templates the server knows, for checking responses.
pub trait Forms {
    fn template(&self, code: &str, version: u32) -> Option<std::sync::Arc<Template>>;
    /// When a timed test started online stops taking answers (server time, ms), if it does.
    fn answers_close_at(&self, _response: Uuid) -> Option<u64> {
        None
    }
    /// The server's time now (ms).
    fn now_ms(&self) -> u64 {
        0
    }
    /// A campaign, as the server holds it.
    fn campaign(&self, _id: Uuid) -> Option<forms::Campaign> {
        None
    }
}

/// No templates at all (every response is refused).
pub struct NoForms;

impl Forms for NoForms {
    fn template(&self, _: &str, _: u32) -> Option<std::sync::Arc<Template>> {
        None
    }
}

/// What the server remembers of one mutation it took earlier.
#[derive(Debug, Clone, PartialEq)]
pub struct Remembered {
    pub fingerprint: u64,
    pub outcome: Outcome,
}

/// Plans a batch. `records` holds the current state of every record the batch names (absent:
/// new); it is updated in place. `remembered` holds, for mutations of this device with
/// `seq <= last_seq` that the batch repeats, what was decided then.
pub fn plan(
    actor: &Actor,
    forms: &dyn Forms,
    device: &DeviceId,
    last_seq: u64,
    remembered: &HashMap<u64, Remembered>,
    records: &mut HashMap<Uuid, Record>,
    mutations: &[Mutation],
) -> Plan {
    let mut plan = Plan {
        last_seq,
        ..Plan::default()
    };
    for m in mutations {
        if m.seq <= plan.last_seq {
            // A retry: answer as the first time, unless the content differs.
            let outcome = match remembered.get(&m.seq) {
                Some(r) if r.fingerprint == m.fingerprint() => r.outcome.clone(),
                Some(_) => Outcome::Rejected {
                    code: ErrorCode::Conflict,
                    message: "Изменение с этим номером уже было принято с другим содержимым; \
                              повторная отправка отклонена."
                        .into(),
                },
                None => Outcome::Applied,
            };
            plan.settle(m.seq, outcome);
            continue;
        }
        plan.last_seq = m.seq;
        let mut verdict = None;
        let checked = check(actor, device, records.get(&m.change.record), m)
            .and_then(|()| check_form(actor, forms, records.get(&m.change.record), m))
            .and_then(|()| check_plan_item(records, m))
            .and_then(|()| check_recommendation(records, m))
            .and_then(|()| {
                verdict = check_review(records, m)?;
                Ok(())
            });
        let outcome = match checked {
            Err((code, message)) => Outcome::Rejected { code, message },
            Ok(()) => {
                let record = records
                    .entry(m.change.record)
                    .or_insert_with(|| m.change.new_record());
                let was = forms::status_of(record);
                if m.change.apply_to(record) {
                    plan.touched.insert(m.change.record);
                }
                if let Some(v) = verdict {
                    plan.verdicts.push(v);
                }
                // Scored once per submission: when the merged state becomes "submitted".
                if m.change.kind == forms::RESPONSE_KIND
                    && was != forms::Status::Submitted
                    && forms::status_of(record) == forms::Status::Submitted
                {
                    plan.submitted.push(m.change.record);
                }
                Outcome::Applied
            }
        };
        plan.taken.push(Taken {
            seq: m.seq,
            fingerprint: m.fingerprint(),
            change: (outcome == Outcome::Applied).then(|| m.change.clone()),
            outcome: outcome.clone(),
        });
        plan.settle(m.seq, outcome);
    }
    plan
}

impl Plan {
    fn settle(&mut self, seq: u64, outcome: Outcome) {
        self.acked_upto = self.acked_upto.max(seq);
        if let Outcome::Rejected { code, message } = outcome {
            self.refused.push(Refusal { seq, code, message });
        }
    }
}

/// Recommendations sent to a school are final.
fn check_recommendation(
    records: &HashMap<Uuid, Record>,
    m: &Mutation,
) -> Result<(), (ErrorCode, String)> {
    let sent = records
        .get(&m.change.record)
        .is_some_and(|r| r.text(forms::recommendation::F_STATE) == "sent");
    if m.change.kind == forms::recommendation::RECOMMENDATION_KIND && sent {
        return Err((
            ErrorCode::Validation,
            "Рекомендации уже отправлены школе и больше не меняются.".into(),
        ));
    }
    Ok(())
}

/// A plan item belongs to a response of the same school.
fn check_plan_item(
    records: &HashMap<Uuid, Record>,
    m: &Mutation,
) -> Result<(), (ErrorCode, String)> {
    if m.change.kind != forms::plan::PLAN_ITEM_KIND {
        return Ok(());
    }
    let parent = m.change.parent.and_then(|p| records.get(&p));
    match parent {
        Some(r) if r.kind == forms::RESPONSE_KIND && r.scope == m.change.scope => Ok(()),
        _ => Err((
            ErrorCode::Validation,
            "Пункт плана относится к результату теста, которого нет.".into(),
        )),
    }
}

/// A review must be of the latest round of a response in the same scope.
fn check_review(
    records: &HashMap<Uuid, Record>,
    m: &Mutation,
) -> Result<Option<(Uuid, forms::Status)>, (ErrorCode, String)> {
    if m.change.kind != forms::review::REVIEW_KIND {
        return Ok(None);
    }
    let response = m
        .change
        .parent
        .and_then(|p| records.get(&p))
        .filter(|r| r.scope == m.change.scope);
    forms::review::check_review_change(
        response,
        m.change.record,
        records.get(&m.change.record),
        &m.change.fields,
    )
    .map(|v| v.zip(m.change.parent).map(|(v, p)| (p, v)))
    .map_err(|e| (ErrorCode::Validation, e))
}

/// A response must fit the template it pins (the same check the device makes as it is typed).
fn check_form(
    actor: &Actor,
    forms: &dyn Forms,
    existing: Option<&Record>,
    m: &Mutation,
) -> Result<(), (ErrorCode, String)> {
    if m.change.kind != forms::RESPONSE_KIND {
        return Ok(());
    }
    let mut after = existing.cloned().unwrap_or_else(|| m.change.new_record());
    m.change.apply_to(&mut after);
    let refuse = |message: String| Err((ErrorCode::Validation, message));
    let Some((code, version)) = forms::template_of(&after) else {
        return refuse("В ответе не указана форма.".into());
    };
    let Some(template) = forms.template(&code, version) else {
        return refuse(format!(
            "Форма «{code}» версии {version} на сервере не найдена."
        ));
    };
    // A response answers a campaign sent to this person, in the one record and scope that
    // campaign has for them (so nobody fills in for someone else or outside a campaign).
    let campaign = after
        .get(forms::F_CAMPAIGN)
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
        .and_then(|id| forms.campaign(id));
    let Some(campaign) = campaign else {
        return refuse("Ответ не относится ни к одной рассылке центра.".into());
    };
    if campaign.template != code || campaign.version != version {
        return refuse("Ответ заполнен не по той форме, что указана в рассылке.".into());
    }
    if !campaign.addressed_to(actor.role, actor.school, &template.audience) {
        return Err((
            ErrorCode::Forbidden,
            format!("Форма «{}» не направлялась вам.", template.title),
        ));
    }
    let own = forms::response_target(
        template.respondent,
        campaign.id,
        actor.school,
        actor.user_id,
    );
    if own.as_ref() != Some(&(m.change.record, m.change.scope.clone())) {
        return Err((
            ErrorCode::Forbidden,
            "Ответ можно давать только от своего имени (или от своей школы).".into(),
        ));
    }
    let touches_answers = m
        .change
        .fields
        .keys()
        .any(|k| k.starts_with(forms::ANSWER_PREFIX));
    if touches_answers
        && let Some(close) = forms.answers_close_at(m.change.record)
        && forms.now_ms() > close
    {
        let minutes = template
            .test
            .as_ref()
            .and_then(|t| t.time_limit_min)
            .unwrap_or(0);
        return refuse(format!(
            "Время теста ({minutes} мин) истекло: ответ, данный после окончания времени, не засчитан."
        ));
    }
    forms::check_response_change(&template, actor.role, existing, &m.change.fields, &after)
        .or_else(refuse)
}

/// Every rule a mutation must pass; the error says which, in plain Russian.
fn check(
    actor: &Actor,
    device: &DeviceId,
    existing: Option<&Record>,
    m: &Mutation,
) -> Result<(), (ErrorCode, String)> {
    let c = &m.change;
    let validation = |msg: String| Err((ErrorCode::Validation, msg));
    let Some(spec) = kinds::spec(&c.kind) else {
        return validation(format!(
            "Неизвестный вид данных «{}»: обновите приложение.",
            c.kind
        ));
    };
    if &c.hlc.device != device {
        return validation("Изменение подписано другим устройством.".into());
    }
    if !actor.can_write(spec, &c.scope) {
        return Err((
            ErrorCode::Forbidden,
            format!(
                "Нет права изменять «{}» в этой области: изменение не принято.",
                spec.label
            ),
        ));
    }
    if let Some(r) = existing
        && (r.kind != c.kind || r.scope != c.scope || r.parent != c.parent)
    {
        return validation("Запись не может сменить вид, школу или родительскую запись.".into());
    }
    if c.fields.is_empty() {
        return validation("Изменение не содержит ни одного поля.".into());
    }
    for (name, value) in &c.fields {
        if serde_json::to_vec(value).map_or(usize::MAX, |v| v.len()) > MAX_VALUE_BYTES {
            return validation(format!(
                "Значение поля «{name}» больше {} КБ.",
                MAX_VALUE_BYTES / 1024
            ));
        }
        if name == DELETED {
            if value.get("deleted").and_then(|d| d.as_bool()).is_none() {
                return validation("Неверная отметка удаления.".into());
            }
            continue;
        }
        if !spec.fields.is_empty() {
            let Some(field) = spec.field(name) else {
                return validation(format!("У «{}» нет поля «{name}».", spec.label));
            };
            field.check(value).or_else(validation)?;
        } else if name.is_empty() || name.len() > 128 || name.starts_with('_') {
            return validation(format!("Недопустимое имя поля «{name}»."));
        }
    }
    Ok(())
}
