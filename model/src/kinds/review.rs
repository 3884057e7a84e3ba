//! A mentor's review of one round of a response (002 §4.2, §4.6): comments beside answers
//! (`c.<question>`), an overall comment and a verdict. One record per round, under an id derived
//! from the response and the round, so only the latest round can be reviewed. The server stamps
//! the reviewer's name and, when a verdict arrives, sets the response's status. Read by the
//! people who read the response (the school's team or the person, the advisers, the centre) —
//! not by teachers.

use serde_json::json;
use uuid::Uuid;

use super::{Ctx, IdRule, KindSpec, Rule, ScopeRule, ServerWrite, Who};
use crate::forms::{self, review};
use crate::record::Scope;

pub const SPEC: KindSpec = KindSpec {
    name: review::REVIEW_KIND,
    label: "Отзыв наставника",
    scope: ScopeRule::Respondent,
    id: IdRule::Derived(derive),
    parents: &[forms::RESPONSE_KIND],
    rules: &[
        Rule {
            who: Who::Adviser,
            create: true,
            fields: REVIEWING,
        },
        Rule {
            who: Who::Centre,
            create: true,
            fields: REVIEWING,
        },
    ],
    server_fields: &[review::F_REVIEWER],
    fields: &[],
    anonymous: false,
    owner: super::no_owner,
    audience: super::inherit,
    needs: super::no_needs,
    check,
    follow,
};

const REVIEWING: &[&str] = &[review::F_ROUND, review::F_VERDICT, review::F_OVERALL, "c.*"];

/// The review of the response's latest round.
fn derive(ctx: &Ctx) -> Option<(Uuid, Scope)> {
    let response = ctx.parent?;
    let round = review::round_of(response);
    (round > 0).then(|| {
        (
            review::review_id(response.id, round),
            response.scope.clone(),
        )
    })
}

fn check(ctx: &Ctx) -> Result<(), String> {
    let template = ctx
        .parent
        .and_then(crate::forms::template_of)
        .and_then(|(code, version)| ctx.lookup.template(&code, version));
    review::check_review_change(
        ctx.parent,
        template.as_deref(),
        ctx.after.id,
        ctx.before,
        ctx.fields,
    )
    .map(|_| ())
}

fn follow(ctx: &Ctx) -> Vec<ServerWrite> {
    let mut out = Vec::new();
    if ctx.before.is_none() {
        out.push(ServerWrite::to(
            ctx.after,
            SPEC.name,
            &[(review::F_REVIEWER, json!(ctx.actor.name))],
        ));
    }
    if let (Some(verdict), Some(response)) = (review::verdict_of(ctx.after), ctx.parent)
        && ctx.fields.contains_key(review::F_VERDICT)
    {
        out.push(ServerWrite::to(
            response,
            forms::RESPONSE_KIND,
            &[(forms::F_STATUS, json!(verdict.as_str()))],
        ));
    }
    out
}
