//! One demo person's computer: the demo's records are written through the same batch step as
//! every device's edits (so the kinds' rules check them), each by the person who would have
//! made it, dated a number of days before today; a refusal fails the demo loudly.

use std::collections::BTreeMap;

use model::UserProfile;
use model::forms::answer::iso_day;
use model::hlc::{DeviceId, Hlc};
use model::record::Scope;
use model::sync::{Change, Mutation};
use serde_json::Value;
use uuid::Uuid;

use crate::storage::{Db, now_ms};

pub const DAY_MS: u64 = 86_400_000;

/// Days since 1970-01-01 of a day `YYYY-MM-DD` (H. Hinnant's algorithm).
pub fn day_number(date: &str) -> i64 {
    let num = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<i64>().ok());
    let (y, m, d) = (
        num(0..4).unwrap_or(1970),
        num(5..7).unwrap_or(1),
        num(8..10).unwrap_or(1),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// How many days ago `date` was (0 for today or a day still to come).
pub fn days_ago(date: &str) -> u64 {
    let today = day_number(&iso_day(now_ms() as u64));
    (today - day_number(date)).max(0) as u64
}

/// A UUIDv7 dated `days_ago` days ago (ids of new records are made so on devices).
pub fn id_at(days_ago: u64, n: u8) -> Uuid {
    let ms = now_ms() as u64 - days_ago * DAY_MS;
    uuid::Builder::from_unix_timestamp_millis(ms, &[n; 10]).into_uuid()
}

/// The day `days` from today (negative: in the past), `YYYY-MM-DD`.
pub fn day_from_today(days: i64) -> String {
    iso_day((now_ms() + days * DAY_MS as i64) as u64)
}

/// A record to write: its id, kind, scope and parent.
pub type Place<'s> = (Uuid, &'s str, &'s Scope, Option<Uuid>);

pub struct Desk<'a> {
    db: &'a Db,
    actor: model::access::Actor,
    device: DeviceId,
    seq: u64,
    /// The clock value of its last write.
    last: Option<Hlc>,
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
            last: None,
        })
    }

    /// The mark of a deletion made on a computer that had seen what `desks` wrote so far, and
    /// nothing later: a write of theirs after it is one the deletion did not see.
    pub fn deletion_seeing(desks: &[&Desk]) -> Value {
        let seen: BTreeMap<String, String> = desks
            .iter()
            .filter_map(|d| d.last.as_ref())
            .map(|h| (h.device.as_str().to_owned(), h.to_string()))
            .collect();
        serde_json::json!({ "deleted": true, "seen": seen })
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
        let hlc = Hlc {
            wall_ms: now_ms() as u64 - days_ago * DAY_MS,
            counter: self.seq as u16,
            device: self.device.clone(),
        };
        self.last = Some(hlc.clone());
        let change = Change {
            record,
            kind: kind.to_owned(),
            scope: scope.clone(),
            parent,
            hlc,
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
                vec![Mutation {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_agree_with_the_calendar() {
        for ms in [0u64, 951_782_400_000, 1_788_220_800_000, 1_800_000_000_000] {
            let day = iso_day(ms);
            assert_eq!(iso_day(day_number(&day) as u64 * DAY_MS), day, "{day}");
        }
    }
}
