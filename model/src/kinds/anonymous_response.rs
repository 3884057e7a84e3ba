//! Answers to an anonymous form (mentors' satisfaction, 002 §4.5 monitoring). The id is a keyed
//! hash of the campaign and the person that only the server can make (so a retry or a second
//! computer finds the same record, and nobody can go from a person to the answers); the record
//! lives in the centre's scope, carries no owner or name, is never logged and reaches nobody by
//! sync. Its results are shown only in aggregate, when at least [`MIN_ANSWERS`] people answered.
//! The server also re-stamps every write with a clock of the record's own at the start of the
//! day, so neither a device id nor the time of day stays with the answers.

use uuid::Uuid;

use super::{Ctx, IdRule, KindSpec, Rule, ScopeRule, Who};
use crate::access::ReadKey;
use crate::record::{Record, Scope};

pub const KIND: &str = "anonymous_response";

/// Results of an anonymous form are shown only when at least this many people answered.
pub const MIN_ANSWERS: usize = 3;

pub const SPEC: KindSpec = KindSpec {
    name: KIND,
    label: "Анонимный ответ",
    scope: ScopeRule::Centre,
    id: IdRule::Derived(derive),
    parents: &[],
    rules: &[Rule {
        who: Who::Respondent,
        create: true,
        fields: super::response::ANSWERING,
    }],
    server_fields: &[],
    fields: &[],
    anonymous: true,
    owner: super::no_owner,
    audience: nobody,
    needs: super::response::needs,
    check,
    follow: super::no_follow,
};

fn derive(ctx: &Ctx) -> Option<(Uuid, Scope)> {
    let campaign = super::response::campaign_id(ctx.after)?;
    let id = ctx.lookup.anonymous_id(campaign, ctx.actor.user_id)?;
    Some((id, Scope::Centre))
}

fn nobody(_: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    Vec::new()
}

fn check(ctx: &Ctx) -> Result<(), String> {
    super::response::check_answers(ctx, true)
}
