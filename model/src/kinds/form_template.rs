//! A form template, one record per code and version, written by the server only (the answer key
//! of a test stays in a server table and never enters the record). Read by the roles that fill
//! it, by every mentor and curator (who review the answers) and by the centre.

use super::{IdRule, KindSpec, ScopeRule};
use crate::access::ReadKey;
use crate::forms;
use crate::record::Record;
use crate::role::Role;

pub const SPEC: KindSpec = KindSpec {
    name: forms::TEMPLATE_KIND,
    label: "Шаблон формы",
    scope: ScopeRule::Centre,
    id: IdRule::Server,
    parents: &[],
    rules: &[],
    server_fields: &[],
    fields: &[],
    anonymous: false,
    owner: super::no_owner,
    audience,
    needs: super::no_needs,
    check: super::no_check,
    follow: super::no_follow,
};

/// The template a template record holds.
pub fn template_of(r: &Record) -> Result<forms::Template, String> {
    if r.kind != SPEC.name {
        return Err(format!("the record is a {}, not a template", r.kind));
    }
    let body = r.get("body").cloned().unwrap_or_default();
    serde_json::from_value(body).map_err(|e| e.to_string())
}

fn audience(r: &Record, _: Option<&Record>) -> Vec<ReadKey> {
    let fill: Vec<Role> = r
        .get("body")
        .and_then(|b| b.get("audience"))
        .and_then(|a| serde_json::from_value(a.clone()).ok())
        .unwrap_or_default();
    let mut keys = vec![
        ReadKey::Centre,
        ReadKey::Role(Role::Mentor),
        ReadKey::Role(Role::Curator),
    ];
    keys.extend(fill.into_iter().map(ReadKey::Role));
    keys
}
