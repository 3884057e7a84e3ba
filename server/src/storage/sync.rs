//! Sync storage: the merged records, the change log (also the audit history), devices and what
//! was decided for each of their mutations. A push is planned by `model::sync::server::plan` and
//! written here in one `BEGIN IMMEDIATE` transaction.

use std::collections::{BTreeSet, HashMap};

use model::access::{Actor, Scopes};
use model::forms;
use model::hlc::DeviceId;
use model::record::Record;
use model::sync::server::Plan;
use model::sync::server::{self, Remembered};
use model::sync::{Mutation, Outcome};
use model::{ApiError, Role, UserProfile};
use sqlx::{QueryBuilder, Row, Sqlite};
use uuid::Uuid;

use super::{Db, now_ms};
use crate::error::{AppError, AppResult};
use crate::forms::Loaded;

/// Rows per multi-row INSERT (well under SQLite's limit of bound variables).
const INSERT_CHUNK: usize = 200;

/// One entry of the change log, as sent to devices.
pub struct LoggedChange {
    pub seq: u64,
    pub device_id: String,
    /// The change's JSON.
    pub body: String,
}

impl Db {
    /// The actor behind a profile: with the schools assigned to a mentor or curator.
    pub async fn actor(&self, profile: &UserProfile) -> Result<Actor, sqlx::Error> {
        let assigned = if matches!(profile.role, Role::Mentor | Role::Curator) {
            let rows: Vec<String> =
                sqlx::query_scalar("SELECT school_id FROM assignments WHERE user_id = ?")
                    .bind(profile.id.to_string())
                    .fetch_all(&self.pool)
                    .await?;
            rows.iter()
                .filter_map(|s| Uuid::parse_str(s).ok())
                .collect()
        } else {
            Vec::new()
        };
        Ok(Actor {
            user_id: profile.id,
            role: profile.role,
            school: profile.school_id,
            assigned,
        })
    }

    /// Applies a batch of a device's mutations, idempotently, in one transaction.
    pub async fn sync_push(
        &self,
        actor: &Actor,
        device: &DeviceId,
        mutations: &[Mutation],
    ) -> AppResult<Plan> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let row = sqlx::query("SELECT user_id, last_seq FROM devices WHERE device_id = ?")
            .bind(device.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let last_seq = match row {
            Some(row) => {
                let owner: String = row.try_get("user_id")?;
                if owner != actor.user_id.to_string() {
                    return Err(ApiError::forbidden().into());
                }
                row.try_get::<i64, _>("last_seq")? as u64
            }
            None => 0,
        };

        let retried: Vec<u64> = mutations
            .iter()
            .map(|m| m.seq)
            .filter(|s| *s <= last_seq)
            .collect();
        let mut remembered = HashMap::new();
        if let (Some(lo), Some(hi)) = (retried.iter().min(), retried.iter().max()) {
            let rows = sqlx::query(
                "SELECT seq, fingerprint, outcome FROM device_mutations \
                 WHERE device_id = ? AND seq BETWEEN ? AND ?",
            )
            .bind(device.as_str())
            .bind(*lo as i64)
            .bind(*hi as i64)
            .fetch_all(&mut *tx)
            .await?;
            for row in rows {
                let outcome: String = row.try_get("outcome")?;
                remembered.insert(
                    row.try_get::<i64, _>("seq")? as u64,
                    Remembered {
                        fingerprint: row.try_get::<i64, _>("fingerprint")? as u64,
                        outcome: serde_json::from_str(&outcome).map_err(anyhow::Error::from)?,
                    },
                );
            }
        }

        // The records the batch names, and the responses its reviews and plan items are about.
        let ids: BTreeSet<Uuid> = mutations
            .iter()
            .flat_map(|m| {
                let with_parent = [forms::review::REVIEW_KIND, forms::plan::PLAN_ITEM_KIND];
                let parent = with_parent
                    .contains(&m.change.kind.as_str())
                    .then_some(m.change.parent)
                    .flatten();
                std::iter::once(m.change.record).chain(parent)
            })
            .collect();
        let ids: Vec<Uuid> = ids.into_iter().collect();
        let mut records: HashMap<Uuid, Record> = HashMap::new();
        for chunk in ids.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new("SELECT state FROM records WHERE id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id.to_string());
            }
            q.push(")");
            for row in q.build().fetch_all(&mut *tx).await? {
                let state: String = row.try_get("state")?;
                let record: Record = serde_json::from_str(&state).map_err(anyhow::Error::from)?;
                records.insert(record.id, record);
            }
        }

        // The templates the batch's responses pin, for checking them (and scoring tests).
        let mut loaded = Loaded {
            now_ms: now as u64,
            ..Loaded::default()
        };
        for m in mutations
            .iter()
            .filter(|m| m.change.kind == forms::RESPONSE_KIND)
        {
            let pinned = records
                .get(&m.change.record)
                .and_then(forms::template_of)
                .or_else(|| {
                    let mut r = m.change.new_record();
                    m.change.apply_to(&mut r);
                    forms::template_of(&r)
                });
            let campaign = records
                .get(&m.change.record)
                .and_then(|r| r.get(forms::F_CAMPAIGN).cloned())
                .or_else(|| m.change.fields.get(forms::F_CAMPAIGN).cloned())
                .and_then(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()));
            if let Some(id) = campaign
                && !loaded.campaigns.contains_key(&id)
                && let Some(c) = self.campaign(&mut tx, id).await?
            {
                loaded.campaigns.insert(id, c);
            }
            let Some((code, version)) = pinned else {
                continue;
            };
            if !loaded.templates.contains_key(&(code.clone(), version))
                && let Some(entry) = self.template(&mut tx, &code, version).await?
            {
                loaded.templates.insert((code.clone(), version), entry);
            }
            let limit = loaded
                .templates
                .get(&(code, version))
                .and_then(|e| e.template.test.as_ref())
                .and_then(|t| t.time_limit_min);
            if let Some(minutes) = limit
                && !loaded.closes.contains_key(&m.change.record)
                && let Some(started) = self.test_started(&mut tx, m.change.record).await?
            {
                let close = started as u64
                    + u64::from(minutes) * 60_000
                    + crate::forms::TIME_LIMIT_GRACE_MS;
                loaded.closes.insert(m.change.record, close);
            }
        }

        let plan = server::plan(
            actor,
            &loaded,
            device,
            last_seq,
            &remembered,
            &mut records,
            mutations,
        );

        let touched: Vec<&Record> = plan
            .touched
            .iter()
            .filter_map(|id| records.get(id))
            .collect();
        for chunk in touched.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO records (id, kind, scope, parent, state, updated_at) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(r.id.to_string())
                    .push_bind(&r.kind)
                    .push_bind(r.scope.to_string())
                    .push_bind(r.parent.map(|p| p.to_string()))
                    .push_bind(serde_json::to_string(r).unwrap_or_default())
                    .push_bind(now);
            });
            q.push(" ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at");
            q.build().execute(&mut *tx).await?;
        }

        let applied: Vec<_> = plan
            .taken
            .iter()
            .filter_map(|t| t.change.as_ref().map(|c| (t.seq, c)))
            .collect();
        let user = actor.user_id.to_string();
        for chunk in applied.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO changes (record_id, scope, body, device_id, device_seq, user_id, at) ",
            );
            q.push_values(chunk, |mut b, (seq, c)| {
                b.push_bind(c.record.to_string())
                    .push_bind(c.scope.to_string())
                    .push_bind(serde_json::to_string(c).unwrap_or_default())
                    .push_bind(device.as_str())
                    .push_bind(*seq as i64)
                    .push_bind(&user)
                    .push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
        }
        for chunk in plan.taken.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO device_mutations (device_id, seq, fingerprint, outcome) ",
            );
            q.push_values(chunk, |mut b, t| {
                b.push_bind(device.as_str())
                    .push_bind(t.seq as i64)
                    .push_bind(t.fingerprint as i64)
                    .push_bind(serde_json::to_string(&t.outcome).unwrap_or_default());
            });
            q.build().execute(&mut *tx).await?;
        }
        for t in &plan.taken {
            if let Outcome::Rejected { message, .. } = &t.outcome {
                tracing::info!(device = device.as_str(), seq = t.seq, %message, "mutation refused");
            }
        }
        // Each submission starts a new round of review; submitted tests are scored; a verdict
        // sets the response's status. All in the same transaction.
        let mut results = Vec::new();
        for (id, status) in &plan.verdicts {
            if let Some(r) = records.get(id) {
                results.push(crate::forms::server_change(
                    r,
                    [(forms::F_STATUS, serde_json::json!(status.as_str()))],
                    self.forms.tick_after(r),
                ));
            }
        }
        for id in &plan.submitted {
            let Some(record) = records.get(id) else {
                continue;
            };
            let round = forms::review::round_of(record) + 1;
            results.push(crate::forms::server_change(
                record,
                [(forms::review::F_ROUND, serde_json::json!(round))],
                self.forms.tick_after(record),
            ));
            let Some(entry) = forms::template_of(record).and_then(|k| loaded.templates.get(&k))
            else {
                continue;
            };
            if entry.template.test.is_some()
                && let Some(c) = crate::forms::result_change(entry, record, self.forms.tick())
            {
                results.push(c);
            }
        }
        super::write_server_changes(&mut tx, &results).await?;
        sqlx::query(
            "INSERT INTO devices (device_id, user_id, last_seq, first_seen, last_seen) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET \
             last_seq = excluded.last_seq, last_seen = excluded.last_seen",
        )
        .bind(device.as_str())
        .bind(&user)
        .bind(plan.last_seq as i64)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// Up to `limit` changes after `cursor` in the actor's scopes, oldest first. Each scope is
    /// read along its own index range and the results merged, so a device of one school never
    /// makes the database sort other schools' changes.
    pub async fn changes_after(
        &self,
        actor: &Actor,
        cursor: u64,
        limit: usize,
    ) -> Result<Vec<LoggedChange>, sqlx::Error> {
        let scopes = match actor.scopes() {
            Scopes::All => {
                let rows = sqlx::query(
                    "SELECT seq, device_id, body FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                )
                .bind(cursor as i64)
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await?;
                return rows.iter().map(logged_change).collect();
            }
            Scopes::Only(scopes) => scopes,
        };
        let mut all = Vec::new();
        for scope in scopes {
            let rows = sqlx::query(
                "SELECT seq, device_id, body FROM changes WHERE scope = ? AND seq > ? \
                 ORDER BY seq LIMIT ?",
            )
            .bind(scope.to_string())
            .bind(cursor as i64)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                all.push(logged_change(row)?);
            }
        }
        all.sort_by_key(|c| c.seq);
        all.truncate(limit);
        Ok(all)
    }

    /// How many changes after `cursor` the actor has still to receive (not counting the
    /// device's own).
    pub async fn changes_remaining(
        &self,
        actor: &Actor,
        device: &DeviceId,
        cursor: u64,
    ) -> Result<u64, sqlx::Error> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM changes WHERE seq > ");
        q.push_bind(cursor as i64);
        q.push(" AND device_id != ").push_bind(device.as_str());
        push_scope_filter(&mut q, actor);
        let n: i64 = q.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    /// A record, if the actor may read it.
    pub async fn record_for(&self, actor: &Actor, id: Uuid) -> AppResult<Record> {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM records WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let record: Record = match state {
            Some(s) => serde_json::from_str(&s).map_err(|e| AppError::Internal(e.into()))?,
            None => return Err(ApiError::not_found().into()),
        };
        if !actor.can_read(&record.scope) {
            // Not "forbidden": a record of another school does not exist for this user.
            return Err(ApiError::not_found().into());
        }
        Ok(record)
    }
}

fn logged_change(row: &sqlx::sqlite::SqliteRow) -> Result<LoggedChange, sqlx::Error> {
    Ok(LoggedChange {
        seq: row.try_get::<i64, _>("seq")? as u64,
        device_id: row.try_get("device_id")?,
        body: row.try_get("body")?,
    })
}

pub(super) fn push_scope_filter(q: &mut QueryBuilder<'_, Sqlite>, actor: &Actor) {
    if let Scopes::Only(scopes) = actor.scopes() {
        q.push(" AND scope IN (");
        let mut sep = q.separated(", ");
        for s in scopes {
            sep.push_bind(s.to_string());
        }
        q.push(")");
    }
}
