//! One demo person's computer: the demo's records are written through the same batch step as
//! every device's edits (so the kinds' rules check them), each by the person who would have
//! made it, dated a number of days before today; a refusal fails the demo loudly.

use std::collections::BTreeMap;

use model::UserProfile;
use model::hlc::{DeviceId, Hlc};
use model::record::Scope;
use model::sync::{Change, Mutation};
use serde_json::Value;
use uuid::Uuid;

use crate::storage::{Db, now_ms};

pub const DAY_MS: u64 = 86_400_000;

/// A record to write: its id, kind, scope and parent.
pub type Place<'s> = (Uuid, &'s str, &'s Scope, Option<Uuid>);

pub struct Desk<'a> {
    db: &'a Db,
    actor: model::access::Actor,
    device: DeviceId,
    seq: u64,
}

impl<'a> Desk<'a> {
    /// `part` names the demo part, so each part's computers number their changes apart.
    pub async fn new(db: &'a Db, who: &UserProfile, part: &str) -> anyhow::Result<Desk<'a>> {
        let h = model::fingerprint::fnv1a(format!("demo/{part}/{}", who.login).as_bytes());
        Ok(Desk {
            db,
            actor: db.actor(who).await?,
            device: DeviceId::from_random(h.to_be_bytes()),
            seq: 0,
        })
    }

    /// Writes `fields` of a record as this person did `days_ago` days ago (the demo writes each
    /// record's changes in the order they happened, so the dates are the clock values).
    pub async fn write(
        &mut self,
        days_ago: u64,
        (record, kind, scope, parent): Place<'_>,
        fields: &[(&str, Value)],
    ) -> anyhow::Result<()> {
        self.seq += 1;
        let change = Change {
            record,
            kind: kind.to_owned(),
            scope: scope.clone(),
            parent,
            hlc: Hlc {
                wall_ms: now_ms() as u64 - days_ago * DAY_MS,
                counter: self.seq as u16,
                device: self.device.clone(),
            },
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        };
        let plan = self
            .db
            .sync_push(
                &self.actor,
                &self.device,
                &[Mutation {
                    seq: self.seq,
                    change,
                }],
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo {kind}: {e:?}"))?;
        if let Some(r) = plan.refused.first() {
            anyhow::bail!("demo {kind} refused: {}", r.message);
        }
        Ok(())
    }
}
