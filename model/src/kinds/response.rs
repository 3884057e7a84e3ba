//! Answers to a campaign's form (002 §4.2: self-analysis, testing, surveys), one field per
//! answer (`a.<question>`, a table cell by cell), so two people filling one card merge answer by
//! answer. A form filled for the whole school is one record per school, read by its management
//! team; a form filled by each person is that person's own record (the server stamps the owner
//! and the name), read by that person, the school's advisers and the centre — colleagues do
//! not see a leader's test. Answers to anonymous forms are a kind of their own
//! ([`super::anonymous_response`]).

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Ctx, IdRule, KindSpec, Need, Rule, ScopeRule, ServerWrite, Who};
use crate::access::ReadKey;
use crate::forms::{self, Campaign, Respondent, Status, Template};
use crate::record::{Record, Scope};

pub const SPEC: KindSpec = KindSpec {
    name: forms::RESPONSE_KIND,
    label: "Ответ на форму",
    scope: ScopeRule::Respondent,
    id: IdRule::Derived(derive),
    parents: &[],
    rules: &[Rule {
        who: Who::Respondent,
        create: true,
        fields: ANSWERING,
    }],
    server_fields: &[forms::F_RESPONDENT, forms::review::F_ROUND],
    fields: &[],
    anonymous: false,
    owner,
    audience,
    needs,
    check,
    follow,
};

/// What the person answering writes: the campaign and form it answers, the answers, the status.
pub const ANSWERING: &[&str] = &[
    forms::F_CAMPAIGN,
    forms::F_TEMPLATE,
    forms::F_VERSION,
    forms::F_STATUS,
    "a.*",
];

/// The campaign a response (or anonymous response) answers.
pub fn campaign_id(r: &Record) -> Option<Uuid> {
    r.get(forms::F_CAMPAIGN)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

fn template_of(ctx: &Ctx) -> Option<std::sync::Arc<Template>> {
    let (code, version) = forms::template_of(ctx.after)?;
    ctx.lookup.template(&code, version)
}

/// This person's response to the campaign: per school or per person, as the template says.
fn derive(ctx: &Ctx) -> Option<(Uuid, Scope)> {
    let t = template_of(ctx)?;
    let a = ctx.actor;
    forms::response_target(t.respondent, campaign_id(ctx.after)?, a.school, a.user_id)
}

fn owner(ctx: &Ctx) -> Option<Uuid> {
    template_of(ctx)
        .filter(|t| t.respondent == Respondent::Person)
        .map(|_| ctx.actor.user_id)
}

fn audience(r: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    let mut keys = vec![ReadKey::Centre];
    match (r.owner, &r.scope) {
        (Some(p), Scope::School(s)) => keys.extend([ReadKey::Person(p), ReadKey::Advisers(*s)]),
        (Some(p), _) => keys.push(ReadKey::Person(p)),
        (None, Scope::School(s)) => keys.extend([ReadKey::Team(*s), ReadKey::Advisers(*s)]),
        (None, _) => {}
    }
    keys
}

pub fn needs(r: &Record) -> Vec<Need> {
    // The test result a submission rescores: a server write merges into what is stored.
    let mut n = vec![Need::TestStart(r.id), Need::Record(forms::result_id(r.id))];
    n.extend(campaign_id(r).map(Need::Record));
    n.extend(forms::template_of(r).map(|(c, v)| Need::Template(c, v)));
    n
}

/// The checks shared by named and anonymous answers: a campaign addressed to this person, the
/// form it names, the time limit of a test, and every rule of the form itself.
pub fn check_answers(ctx: &Ctx, anonymous: bool) -> Result<(), String> {
    let Some((code, version)) = forms::template_of(ctx.after) else {
        return Err("В ответе не указана форма.".into());
    };
    let Some(template) = ctx.lookup.template(&code, version) else {
        return Err(format!(
            "Форма «{code}» версии {version} на сервере не найдена."
        ));
    };
    let campaign = campaign_id(ctx.after)
        .and_then(|id| ctx.record(id))
        .filter(|r| r.kind == forms::CAMPAIGN_KIND)
        .and_then(Campaign::from_record);
    let Some(campaign) = campaign else {
        return Err("Ответ не относится ни к одной рассылке центра.".into());
    };
    if campaign.template != code || campaign.version != version {
        return Err("Ответ заполнен не по той форме, что указана в рассылке.".into());
    }
    if template.anonymous != anonymous {
        return Err(if template.anonymous {
            "Анкета анонимная: ответ сохраняется без имени. Обновите страницу и заполните анкету снова."
        } else {
            "Эта форма не анонимная."
        }
        .into());
    }
    let a = ctx.actor;
    if !campaign.addressed_to(a.role, a.school, &template.audience) {
        return Err(format!("Форма «{}» не направлялась вам.", template.title));
    }
    let touches_answers = ctx
        .fields
        .keys()
        .any(|k| k.starts_with(forms::ANSWER_PREFIX));
    // A test is scored once: its answers never change after it was sent, even when it is
    // returned (else the list of missed items would give the key away item by item).
    if touches_answers
        && template.test.is_some()
        && ctx.before.is_some_and(|b| forms::review::round_of(b) > 0)
    {
        return Err("Ответы теста после отправки не меняются: результат уже посчитан.".into());
    }
    let minutes = template.test.as_ref().and_then(|t| t.time_limit_min);
    if touches_answers
        && let (Some(minutes), Some(started)) = (minutes, ctx.lookup.test_started_at(ctx.after.id))
        && ctx.now_ms > started + u64::from(minutes) * 60_000 + forms::TIME_LIMIT_GRACE_MS
    {
        return Err(format!(
            "Время теста ({minutes} мин) истекло: ответ, данный после окончания времени, не засчитан."
        ));
    }
    forms::check_response_change(
        &campaign.form(&template),
        a.role,
        ctx.before,
        ctx.fields,
        ctx.after,
    )
}

fn check(ctx: &Ctx) -> Result<(), String> {
    check_answers(ctx, false)
}

/// Was the response submitted by this change?
pub fn submitted_now(ctx: &Ctx) -> bool {
    forms::status_of(ctx.after) == Status::Submitted
        && ctx.before.map_or(Status::Draft, forms::status_of) != Status::Submitted
}

/// The server stamps the name of a person answering for themselves; each submission starts a
/// new round of review; a submitted test is scored with the key only the server holds.
fn follow(ctx: &Ctx) -> Vec<ServerWrite> {
    let mut out = Vec::new();
    if ctx.before.is_none() && ctx.after.owner.is_some() {
        out.push(ServerWrite::to(
            ctx.after,
            SPEC.name,
            &[(forms::F_RESPONDENT, json!(ctx.actor.name))],
        ));
    }
    if !submitted_now(ctx) {
        return out;
    }
    let round = forms::review::round_of(ctx.after) + 1;
    out.push(ServerWrite::to(
        ctx.after,
        SPEC.name,
        &[(forms::review::F_ROUND, json!(round))],
    ));
    if let Some((code, version)) = forms::template_of(ctx.after)
        && let (Some(t), Some(key)) = (
            ctx.lookup.template(&code, version),
            ctx.lookup.answer_key(&code, version),
        )
        && let Some(w) = super::test_result::scored(&t, &key, ctx.after, ctx.now_ms)
    {
        out.push(w);
    }
    out
}
