//! Sync storage: the merged records with their read keys, the change log (also the audit
//! history) filed under the keys of its readers, devices and what was decided for each of their
//! mutations. A push is load → `model::sync::server::plan` → write, in one writing transaction
//! (`Dialect::begin_write`: pushes take turns, and those that wait at the same time are written
//! together, one savepoint each, under one commit); nothing here knows one kind from another (a
//! kind's declaration says whether its records are anonymous, and what they need loaded).

use std::collections::{BTreeSet, HashMap, HashSet};

use model::access::{Actor, ReadKey};
use model::hlc::{DeviceId, Hlc};
use model::kinds::{self, Need};
use model::record::{DELETED, Record, Scope};
use model::sync::server::{self, Batch, Plan, Remembered};
use model::sync::{Change, Mutation};
use model::{ApiError, UserProfile};
use sqlx::AnyConnection;
use sqlx::Row;
use tokio::sync::oneshot::error::TryRecvError;
use uuid::Uuid;

use super::dialect::{Dialect, Held, Turn};
use super::{DAY_MS, Db, now_ms};
use crate::error::{AppError, AppResult};
use crate::forms::Loaded;

/// Rows per multi-row INSERT (well under SQLite's limit of bound variables).
const INSERT_CHUNK: usize = 200;

/// How many of a device's changes pass between two clearings of the answers it will not ask
/// for again (`device_mutations` below its oldest change still unanswered).
const FORGET_EVERY: u64 = 1_000;

/// Pushes waiting for the turn to write, to be written together (see [`Db::sync_push`]).
#[derive(Default)]
pub(super) struct PushQueue(std::sync::Mutex<Vec<QueuedPush>>);

impl PushQueue {
    fn add(&self, push: QueuedPush) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(push);
    }

    fn take(&self) -> Vec<QueuedPush> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

struct QueuedPush {
    actor: Actor,
    device: DeviceId,
    mutations: Vec<Mutation>,
    reply: tokio::sync::oneshot::Sender<AppResult<Plan>>,
}

/// A push written with others that failed when one of them could not be: the device sends it
/// again at its next sync.
fn interrupted() -> AppError {
    AppError::Internal(anyhow::anyhow!(
        "the write of a group of pushes was interrupted"
    ))
}

/// Why the write of a group of pushes ended without its commit, for each of them.
struct Broken {
    message: String,
    disk_full: bool,
}

impl From<sqlx::Error> for Broken {
    fn from(e: sqlx::Error) -> Broken {
        Broken {
            disk_full: super::dialect::disk_full(&e),
            message: e.to_string(),
        }
    }
}

fn failed(e: &Broken) -> AppError {
    AppError::Internal(if e.disk_full {
        super::dialect::DiskFull(e.message.clone()).into()
    } else {
        anyhow::anyhow!("a group of pushes was not written: {}", e.message)
    })
}

/// Entries of the change log, as sent to devices, oldest first: their bodies are kept one after
/// another in one text.
#[derive(Default)]
pub struct ChangePage {
    bodies: String,
    /// Each change's number and where its JSON is in `bodies`; none for a change of the device
    /// left out (see [`Db::changes_after`]).
    changes: Vec<(u64, Option<std::ops::Range<usize>>)>,
}

impl ChangePage {
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Each change's number and JSON.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Option<&str>)> {
        self.changes
            .iter()
            .map(|(seq, body)| (*seq, body.clone().map(|b| &self.bodies[b])))
    }
}

fn keys_text(keys: &[ReadKey]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn keys_of(text: &str) -> Vec<ReadKey> {
    text.split(' ').filter_map(|k| k.parse().ok()).collect()
}

/// The records of `rows` (state, audience) whose readers include the actor.
fn readable(actor: &Actor, rows: &[(String, String)]) -> Result<Vec<Record>, sqlx::Error> {
    let grants = actor.grants();
    rows.iter()
        .filter(|(_, audience)| keys_of(audience).iter().any(|k| grants.contains(k)))
        .map(|(state, _)| decode(state))
        .collect()
}

fn decode(state: &str) -> Result<Record, sqlx::Error> {
    serde_json::from_str(state).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Loads the records with these ids (from either table) into `into`.
pub(super) async fn load_records(
    dialect: Dialect,
    conn: &mut AnyConnection,
    ids: impl IntoIterator<Item = Uuid>,
    into: &mut HashMap<Uuid, Record>,
) -> Result<(), sqlx::Error> {
    let ids: Vec<Uuid> = ids
        .into_iter()
        .filter(|id| !into.contains_key(id))
        .collect();
    for chunk in ids.chunks(INSERT_CHUNK / 2) {
        let mut q = dialect.sql("SELECT state FROM records WHERE id IN (");
        q.list(chunk.iter().map(Uuid::to_string))
            .push(") UNION ALL SELECT state FROM anonymous_records WHERE id IN (")
            .list(chunk.iter().map(Uuid::to_string))
            .push(")");
        for row in q.fetch_all(&mut *conn).await? {
            let record = decode(row.try_get("state")?)?;
            into.insert(record.id, record);
        }
    }
    Ok(())
}

/// Writes a plan's records and log: records with their read keys (anonymous ones in their own
/// table), each logged change under the keys of its readers.
pub(super) async fn write_plan(
    dialect: Dialect,
    conn: &mut AnyConnection,
    plan: &Plan,
    records: &HashMap<Uuid, Record>,
    device: Option<(&DeviceId, Uuid)>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let (named, anonymous): (Vec<_>, Vec<_>) = plan
        .touched
        .iter()
        .filter_map(|(id, keys)| records.get(id).map(|r| (r, keys)))
        .partition(|(r, _)| !kinds::spec(&r.kind).is_some_and(|s| s.anonymous));
    // (The texts are bound borrowed: the `Any` driver copies every `String` it is given.)
    for chunk in named.chunks(INSERT_CHUNK / 2) {
        let states: Vec<String> = chunk
            .iter()
            .map(|(r, _)| serde_json::to_string(r).unwrap_or_default())
            .collect();
        let mut q = dialect.sql(
            "INSERT INTO records (id, kind, scope, parent, owner, audience, state, updated_at) ",
        );
        q.values(chunk.iter().zip(&states), |b, ((r, keys), state)| {
            b.bind(r.id.to_string())
                .bind(r.kind.as_str())
                .bind(r.scope.to_string())
                .bind(r.parent.map(|p| p.to_string()))
                .bind(r.owner.map(|p| p.to_string()))
                .bind(keys_text(keys))
                .bind(state.as_str())
                .bind(now);
        });
        q.push(
            " ON CONFLICT (id) DO UPDATE SET state = excluded.state, \
             audience = excluded.audience, updated_at = excluded.updated_at",
        );
        q.execute(&mut *conn).await?;
    }
    for (r, _) in anonymous {
        sqlx::query(
            "INSERT INTO anonymous_records (id, kind, scope, state) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET state = excluded.state",
        )
        .bind(r.id.to_string())
        .bind(&r.kind)
        .bind(r.scope.to_string())
        .bind(serde_json::to_string(r).unwrap_or_default())
        .execute(&mut *conn)
        .await?;
    }
    if plan.log.is_empty() {
        return Ok(());
    }
    // The transaction holds the write lock: the next numbers of the log are ours.
    let first = dialect.next_log_numbers(conn, plan.log.len()).await?;
    let numbered: Vec<(i64, &server::Logged)> = plan
        .log
        .iter()
        .enumerate()
        .map(|(i, l)| (first + i as i64, l))
        .collect();
    // Who made the device's changes, and the server's own writes: the same for every row.
    let server_device = DeviceId::server();
    let by_device = device.map(|(d, u)| (d.as_str(), u.to_string()));
    for chunk in numbered.chunks(INSERT_CHUNK / 2) {
        let bodies: Vec<String> = chunk
            .iter()
            .map(|(_, l)| serde_json::to_string(&l.change).unwrap_or_default())
            .collect();
        let mut q = dialect.sql(
            "INSERT INTO changes (seq, record_id, scope, body, device_id, device_seq, user_id, at) ",
        );
        q.values(chunk.iter().zip(&bodies), |b, ((seq, l), body)| {
            let (device_id, user) = match (l.device_seq, &by_device) {
                (Some(_), Some((d, u))) => (*d, u.as_str()),
                _ => (server_device.as_str(), "server"),
            };
            b.bind(*seq)
                .bind(l.change.record.to_string())
                .bind(l.change.scope.to_string())
                .bind(body.as_str())
                .bind(device_id)
                .bind(l.device_seq.unwrap_or(0) as i64)
                .bind(user)
                .bind(now);
        });
        q.execute(&mut *conn).await?;
    }
    let keyed: Vec<(String, i64)> = numbered
        .iter()
        .flat_map(|(seq, l)| l.keys.iter().map(move |k| (k.to_string(), *seq)))
        .collect();
    for chunk in keyed.chunks(INSERT_CHUNK) {
        let mut q = dialect.sql("INSERT INTO change_keys (key, seq) ");
        q.values(chunk, |b, (k, seq)| {
            b.bind(k.as_str()).bind(*seq);
        });
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Db {
    /// The actor behind a profile: with the schools assigned to a mentor or curator, and the
    /// name of a school's person's school.
    pub async fn actor(&self, profile: &UserProfile) -> Result<Actor, sqlx::Error> {
        let assigned = if profile.role.is_assignable() {
            let rows: Vec<String> =
                sqlx::query_scalar("SELECT school_id FROM assignments WHERE user_id = $1")
                    .bind(profile.id.to_string())
                    .fetch_all(&self.pool)
                    .await?;
            rows.iter()
                .filter_map(|s| Uuid::parse_str(s).ok())
                .collect()
        } else {
            Vec::new()
        };
        let school_name = match profile.school_id {
            Some(school) => sqlx::query_scalar("SELECT name FROM schools WHERE id = $1")
                .bind(school.to_string())
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or_default(),
            None => String::new(),
        };
        Ok(Actor {
            user_id: profile.id,
            name: profile.full_name.clone(),
            role: profile.role,
            school: profile.school_id,
            assigned,
            school_name,
        })
    }

    /// Loads what the batch needs, plans it with the kinds' declarations, and writes the plan,
    /// idempotently. A server write that cannot land fails the whole batch.
    ///
    /// Pushes that wait for their turn at the same time are written together, in one
    /// transaction, each in a savepoint of its own: the database makes one commit durable for
    /// all of them instead of one each (on disk, every commit waits for the disk). The first of
    /// them to get the turn writes them all, in a task of its own, so that a device hanging up
    /// does not interrupt the others' writes; each is answered once they are committed.
    pub async fn sync_push(
        &self,
        actor: &Actor,
        device: &DeviceId,
        mutations: Vec<Mutation>,
    ) -> AppResult<Plan> {
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        self.pushes.add(QueuedPush {
            actor: actor.clone(),
            device: device.clone(),
            mutations,
            reply,
        });
        let held = self.turns.wait(self.dialect, Turn::Writes).await;
        // Written by a push that had the turn before: it answered before giving the turn on.
        match answer.try_recv() {
            Ok(done) => return done,
            Err(TryRecvError::Closed) => return Err(interrupted()),
            Err(TryRecvError::Empty) => {}
        }
        let group = self.pushes.take();
        let db = self.clone();
        tokio::spawn(async move { db.write_group(held, group).await });
        answer.await.unwrap_or_else(|_| Err(interrupted()))
    }

    /// Writes the pushes of `group` in one transaction during the turn `held`, and answers each.
    async fn write_group(&self, held: Held, mut group: Vec<QueuedPush>) {
        if group.is_empty() {
            return;
        }
        let mut tx = match self
            .dialect
            .begin_held(&self.pool, held, Turn::Writes)
            .await
        {
            Ok(tx) => tx,
            Err(e) => {
                let broken = Broken::from(e);
                for push in group {
                    let _ = push.reply.send(Err(failed(&broken)));
                }
                return;
            }
        };
        let alone = group.len() == 1;
        let mut outcomes = Vec::with_capacity(group.len());
        let mut broken = None;
        for push in &mut group {
            if broken.is_some() {
                break;
            }
            let mutations = std::mem::take(&mut push.mutations);
            if alone {
                outcomes.push(
                    self.push_in(&mut tx, &push.actor, &push.device, &mutations, false)
                        .await,
                );
                continue;
            }
            if let Err(e) = sqlx::query("SAVEPOINT push").execute(&mut *tx).await {
                broken = Some(Broken::from(e));
                break;
            }
            let outcome = self
                .push_in(&mut tx, &push.actor, &push.device, &mutations, false)
                .await;
            let end = if outcome.is_ok() {
                "RELEASE SAVEPOINT push"
            } else {
                "ROLLBACK TO SAVEPOINT push"
            };
            if let Err(e) = sqlx::query(end).execute(&mut *tx).await {
                broken = Some(Broken::from(e));
                break;
            }
            if outcome.is_err() {
                // (ROLLBACK TO keeps the savepoint.)
                if let Err(e) = sqlx::query("RELEASE SAVEPOINT push")
                    .execute(&mut *tx)
                    .await
                {
                    broken = Some(Broken::from(e));
                    break;
                }
            }
            outcomes.push(outcome);
        }
        // The turn is kept until every push is answered.
        let (ended, _held) = match broken {
            Some(e) => {
                let (_, held) = tx.end_keeping_turn(false).await;
                (Err(e), held)
            }
            None => {
                let commit = !(alone && outcomes.first().is_some_and(Result::is_err));
                let (ended, held) = tx.end_keeping_turn(commit).await;
                if commit && ended.is_ok() && self.dialect == Dialect::Sqlite {
                    self.checkpoints.after_commit(&self.pool);
                }
                (ended.map_err(Broken::from), held)
            }
        };
        let mut outcomes = outcomes.into_iter();
        for push in group {
            let outcome = match (&ended, outcomes.next()) {
                (Ok(()), Some(outcome)) => outcome,
                // Not written: nothing of it was acknowledged, the device sends it again.
                (Ok(()), None) => Err(interrupted()),
                (Err(e), Some(Err(own))) if alone => {
                    tracing::warn!("a push's rollback failed: {}", e.message);
                    Err(own)
                }
                (Err(e), _) => Err(failed(e)),
            };
            let _ = push.reply.send(outcome);
        }
    }

    /// Like [`Db::sync_push`], but all or nothing: when the kinds' rules refuse any mutation,
    /// nothing is written and the refusals come back as one validation error (an import). The
    /// device is one-off, made for this push: no answer is kept for retries, and it is not
    /// registered.
    pub async fn push_whole(
        &self,
        actor: &Actor,
        device: &DeviceId,
        mutations: &[Mutation],
    ) -> AppResult<Plan> {
        let mut tx = self.dialect.begin_write(&self.pool, &self.turns).await?;
        match self.push_in(&mut tx, actor, device, mutations, true).await {
            Ok(plan) => {
                tx.commit().await?;
                Ok(plan)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    /// One push inside the writing transaction `tx`; on an error the caller rolls back what
    /// it wrote.
    async fn push_in(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        device: &DeviceId,
        mutations: &[Mutation],
        whole: bool,
    ) -> AppResult<Plan> {
        let now = now_ms();
        let row = sqlx::query("SELECT user_id, last_seq FROM devices WHERE device_id = $1")
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
                 WHERE device_id = $1 AND seq BETWEEN $2 AND $3",
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

        // Load: the records the batch names and their parents, then what their kinds need.
        let mut records: HashMap<Uuid, Record> = HashMap::new();
        load_records(
            self.dialect,
            &mut *tx,
            server::named_ids(mutations),
            &mut records,
        )
        .await?;
        let day = now.div_euclid(DAY_MS);
        let mut loaded = Loaded {
            anonymity: Some(self.anonymity.clone()),
            records_per_day: Some(self.records_per_day),
            made_today: self.made_today(&mut *tx, actor, day, mutations).await?,
            bytes_per_day: Some(self.bytes_per_day),
            written_today: self.written_today(&mut *tx, actor, day).await?,
            ..Loaded::default()
        };
        let mut ids = BTreeSet::new();
        for need in server::needs(&records, mutations) {
            match need {
                Need::Record(id) => {
                    ids.insert(id);
                }
                Need::Template(code, version) => {
                    if let Some(entry) = self.template(&mut *tx, &code, version).await? {
                        loaded.templates.insert((code, version), entry);
                    }
                }
                Need::TestStart(id) => {
                    if let Some(started) = self.test_started(&mut *tx, id).await? {
                        loaded.starts.insert(id, started as u64);
                    }
                }
                Need::Children(id) => {
                    let children: Vec<String> =
                        sqlx::query_scalar("SELECT id FROM records WHERE parent = $1")
                            .bind(id.to_string())
                            .fetch_all(&mut *tx)
                            .await?;
                    ids.extend(children.iter().filter_map(|c| Uuid::parse_str(c).ok()));
                }
                Need::Person(id) => {
                    let role: Option<String> = sqlx::query_scalar(
                        "SELECT role FROM users WHERE id = $1 AND disabled_at IS NULL",
                    )
                    .bind(id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(role) = role.as_deref().and_then(model::Role::parse) {
                        loaded.roles.insert(id, role);
                    }
                }
            }
        }
        load_records(self.dialect, &mut *tx, ids, &mut records).await?;

        // Plan (pure) …
        let plan = {
            let batch = Batch {
                actor,
                device,
                now_ms: now as u64,
                last_seq,
                remembered: &remembered,
                lookup: &loaded,
            };
            let mut clock = self.forms.clock();
            // A batch that makes the model panic fails alone, like any failed plan: it must not
            // end the task writing the group, which would send every other push of the group
            // back to be sent again, together with this one, each time.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                server::plan(&batch, &mut clock, &mut records, mutations)
            }))
            .unwrap_or_else(|_| Err(server::PlanError("the batch's plan panicked".into())))
        };
        let plan = plan.map_err(|e| {
            tracing::error!(device = device.as_str(), "sync batch failed: {e}");
            AppError::Internal(e.into())
        })?;

        if whole && !plan.refused.is_empty() {
            // Each different reason once, the first few, with how many were refused.
            let mut messages: Vec<&str> = Vec::new();
            for r in &plan.refused {
                if !messages.contains(&r.message.as_str()) {
                    messages.push(&r.message);
                }
            }
            messages.truncate(5);
            return Err(ApiError::validation(
                "file",
                format!(
                    "Ничего не записано: не принято строк — {}. {}",
                    plan.refused.len(),
                    messages.join("; ")
                ),
            )
            .into());
        }

        // … and write.
        write_plan(
            self.dialect,
            &mut *tx,
            &plan,
            &records,
            Some((device, actor.user_id)),
        )
        .await?;
        self.count_made(&mut *tx, actor, day, &plan).await?;
        self.count_written(&mut *tx, actor, day, &plan).await?;
        // An import's computer is one-off (`push_whole`): it never sends again, so nothing is
        // remembered of it for retries.
        if whole {
            return Ok(plan);
        }
        for chunk in plan.taken.chunks(INSERT_CHUNK) {
            let mut q = self
                .dialect
                .sql("INSERT INTO device_mutations (device_id, seq, fingerprint, outcome) ");
            q.values(chunk, |b, t| {
                b.bind(device.as_str())
                    .bind(t.seq as i64)
                    .bind(t.fingerprint as i64)
                    .bind(serde_json::to_string(&t.outcome).unwrap_or_default());
            });
            q.execute(&mut *tx).await?;
        }
        for r in &plan.refused {
            tracing::info!(device = device.as_str(), seq = r.seq, message = %r.message, "mutation refused");
        }
        // A device sends its changes oldest first, and drops each only once answered: below
        // the first one it sends now, it will never send one again, so their answers are
        // forgotten (in one statement per `FORGET_EVERY` of its changes, not one per push).
        if let Some(first) = mutations.iter().map(|m| m.seq).min()
            && plan.last_seq / FORGET_EVERY > last_seq / FORGET_EVERY
        {
            sqlx::query("DELETE FROM device_mutations WHERE device_id = $1 AND seq < $2")
                .bind(device.as_str())
                .bind(first as i64)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO devices (device_id, user_id, last_seq, first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device_id) DO UPDATE SET \
             last_seq = excluded.last_seq, last_seen = excluded.last_seen",
        )
        .bind(device.as_str())
        .bind(actor.user_id.to_string())
        .bind(plan.last_seq as i64)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(plan)
    }

    /// How many records of each counted kind the batch names the actor made on `day` (UTC days
    /// since 1970).
    async fn made_today(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        day: i64,
        mutations: &[Mutation],
    ) -> Result<HashMap<String, u32>, sqlx::Error> {
        let counted: BTreeSet<&str> = mutations
            .iter()
            .map(|m| m.change.kind.as_str())
            .filter(|k| kinds::spec(k).is_some_and(kinds::counted))
            .collect();
        if counted.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = self
            .dialect
            .sql("SELECT kind, made FROM records_made WHERE user_id = ");
        q.bind(actor.user_id.to_string())
            .push(" AND day = ")
            .bind(day)
            .push(" AND kind IN (")
            .list(counted.into_iter().map(str::to_owned))
            .push(")");
        let mut made = HashMap::new();
        for row in q.fetch_all(&mut *tx).await? {
            let n: i64 = row.try_get("made")?;
            made.insert(row.try_get("kind")?, u32::try_from(n).unwrap_or(u32::MAX));
        }
        Ok(made)
    }

    /// Adds the records a batch made to its person's counts of the day, and forgets their
    /// counts of earlier days.
    async fn count_made(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        day: i64,
        plan: &Plan,
    ) -> Result<(), sqlx::Error> {
        if plan.made.is_empty() {
            return Ok(());
        }
        let user = actor.user_id.to_string();
        sqlx::query("DELETE FROM records_made WHERE user_id = $1 AND day < $2")
            .bind(&user)
            .bind(day)
            .execute(&mut *tx)
            .await?;
        for (kind, n) in &plan.made {
            sqlx::query(
                "INSERT INTO records_made (user_id, kind, day, made) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, kind, day) DO UPDATE SET made = records_made.made + excluded.made",
            )
            .bind(&user)
            .bind(kind)
            .bind(day)
            .bind(i64::from(*n))
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }

    /// How many bytes the actor's changes added to the log on `day` (UTC days since 1970).
    async fn written_today(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        day: i64,
    ) -> Result<u64, sqlx::Error> {
        let written: Option<i64> =
            sqlx::query_scalar("SELECT bytes FROM bytes_written WHERE user_id = $1 AND day = $2")
                .bind(actor.user_id.to_string())
                .bind(day)
                .fetch_optional(&mut *tx)
                .await?;
        Ok(written.map_or(0, |b| u64::try_from(b).unwrap_or(0)))
    }

    /// Adds the bytes a batch logged to its person's count of the day, and forgets their
    /// counts of earlier days. (An instance whose clock is still on the day before adds
    /// nothing to a later day's count, and does not start it again.)
    async fn count_written(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        day: i64,
        plan: &Plan,
    ) -> Result<(), sqlx::Error> {
        if plan.written == 0 {
            return Ok(());
        }
        let user = actor.user_id.to_string();
        sqlx::query(
            "INSERT INTO bytes_written (user_id, day, bytes) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET \
             bytes = CASE WHEN bytes_written.day = excluded.day \
                 THEN bytes_written.bytes + excluded.bytes \
                 WHEN bytes_written.day > excluded.day THEN bytes_written.bytes \
                 ELSE excluded.bytes END, \
             day = CASE WHEN bytes_written.day > excluded.day \
                 THEN bytes_written.day ELSE excluded.day END",
        )
        .bind(&user)
        .bind(day)
        .bind(i64::try_from(plan.written).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// Up to `limit` changes after `cursor` filed under the actor's grants, oldest first. Each
    /// key is read along its own index range and the results merged, so a device of one school
    /// never makes the database sort other schools' changes; all keys in one statement, which
    /// reads one snapshot (a change committed between two reads could otherwise be passed over).
    ///
    /// The changes of `without` (the device asking, which holds them already) come with no
    /// body: their numbers still move the device's cursor on, but their text is neither copied
    /// out of the database nor sent.
    pub async fn changes_after(
        &self,
        actor: &Actor,
        without: Option<&DeviceId>,
        cursor: u64,
        limit: usize,
    ) -> Result<ChangePage, sqlx::Error> {
        // The rows come back joined into one (their numbers, their bodies' lengths and the
        // bodies one after another): on SQLite each row would otherwise be its own hand-off
        // from the connection's thread, most of a busy server's time in a pull. Lengths are
        // counted in characters, which do not depend on how a PostgreSQL database encodes its
        // text (bytes would, in a WIN1251 database).
        let join =
            |expression: &str, separator: &str| self.dialect.join_texts(expression, separator);
        let mut q = self.dialect.sql(&format!(
            "SELECT {} AS seqs, {} AS lengths, {} AS bodies FROM (",
            join("CAST(seq AS TEXT)", "','"),
            join("CAST(COALESCE(length(body), -1) AS TEXT)", "','"),
            join("body", "''"),
        ));
        for (i, key) in actor.grants().iter().enumerate() {
            if i > 0 {
                q.push(" UNION ALL ");
            }
            q.push("SELECT * FROM (SELECT c.seq, ");
            match without {
                Some(device) => {
                    q.push("CASE WHEN c.device_id = ")
                        .bind(device.as_str())
                        .push(" THEN NULL ELSE c.body END AS body");
                }
                None => {
                    q.push("c.body");
                }
            }
            q.push(" FROM change_keys k JOIN changes c ON c.seq = k.seq WHERE k.key = ")
                .bind(key.to_string())
                .push(" AND k.seq > ")
                .bind(cursor as i64)
                .push(" ORDER BY k.seq LIMIT ")
                .bind(limit as i64)
                .push(&format!(") AS by_key{i}"));
        }
        q.push(") AS page");
        let row = q
            .fetch_all(&self.pool)
            .await?
            .pop()
            .ok_or(sqlx::Error::RowNotFound)?;
        let mut page = joined_changes(
            row.try_get("seqs")?,
            row.try_get("lengths")?,
            row.try_get("bodies")?,
        )
        .map_err(|e| sqlx::Error::Decode(e.into()))?;
        // (Several keys may file the same change, each in its own order.)
        page.changes.sort_by_key(|(seq, _)| *seq);
        page.changes.dedup_by_key(|(seq, _)| *seq);
        page.changes.truncate(limit);
        Ok(page)
    }

    /// How many changes after `cursor` the actor has still to receive (not counting those of
    /// `other_than`, the device asking, unless it receives everything again).
    pub async fn changes_remaining(
        &self,
        actor: &Actor,
        other_than: Option<&DeviceId>,
        cursor: u64,
    ) -> Result<u64, sqlx::Error> {
        let mut q = self.dialect.sql(
            "SELECT COUNT(DISTINCT k.seq) FROM change_keys k JOIN changes c ON c.seq = k.seq \
             WHERE k.seq > ",
        );
        q.bind(cursor as i64);
        if let Some(device) = other_than {
            q.push(" AND c.device_id != ").bind(device.as_str());
        }
        q.push(" AND k.key IN (")
            .list(actor.grants().iter().map(ToString::to_string))
            .push(")");
        let n: i64 = q.fetch_scalar(&self.pool).await?;
        Ok(n as u64)
    }

    /// A record, if the actor may read it, for its values (its histories are the server's: see
    /// [`Db::record_as_held_by`]).
    pub async fn record_for(&self, actor: &Actor, id: Uuid) -> AppResult<Record> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT state, audience FROM records WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some((state, audience)) if actor.may_read(&keys_of(&audience)) => {
                decode(&state).map_err(|e| AppError::Internal(e.into()))
            }
            // Not "forbidden": what a person may not read does not exist for them.
            _ => Err(ApiError::not_found().into()),
        }
    }

    /// A record, if the actor may read it, as their devices hold it: its values, and of its
    /// fields' histories only the writes logged for the actor's keys (a school reading a sent
    /// recommendation does not see the mentors' drafts before it); of a record that is gone,
    /// only the values logged for them.
    pub async fn record_as_held_by(&self, actor: &Actor, id: Uuid) -> AppResult<Record> {
        let mut record = self.record_for(actor, id).await?;
        let gone = record.is_gone();
        if !gone && record.fields.values().all(|f| f.history.is_empty()) {
            return Ok(record);
        }
        let mut q = self
            .dialect
            .sql("SELECT c.body FROM changes c WHERE c.record_id = ");
        q.bind(id.to_string())
            .push(" AND EXISTS (SELECT 1 FROM change_keys k WHERE k.seq = c.seq AND k.key IN (")
            .list(actor.grants().iter().map(ToString::to_string))
            .push("))");
        let mut logged: HashSet<(String, Hlc)> = HashSet::new();
        for row in q.fetch_all(&self.pool).await? {
            let body: String = row.try_get("body")?;
            let change: Change =
                serde_json::from_str(&body).map_err(|e| AppError::Internal(e.into()))?;
            logged.extend(change.fields.into_keys().map(|f| (f, change.hlc.clone())));
        }
        for (name, field) in &mut record.fields {
            field
                .history
                .retain(|w| logged.contains(&(name.clone(), w.hlc.clone())));
        }
        // Of a record that was gone when the asker began to read it, they hold the deletion
        // only (`Record::current_writes`).
        if gone {
            record.fields.retain(|name, f| {
                name == DELETED || logged.contains(&(name.clone(), f.hlc.clone()))
            });
        }
        Ok(record)
    }

    /// The records of `kind` the actor may read (responses, results), for exports.
    pub async fn readable_records(
        &self,
        actor: &Actor,
        kind: &str,
    ) -> Result<Vec<Record>, sqlx::Error> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT state, audience FROM records WHERE kind = $1")
                .bind(kind)
                .fetch_all(&self.pool)
                .await?;
        readable(actor, &rows)
    }

    /// The records of `kind` in these scopes (some schools') the actor may read: only those
    /// scopes' rows are read (by the index on scope and kind), not the whole region's.
    pub async fn readable_records_in(
        &self,
        actor: &Actor,
        kind: &str,
        scopes: &[Scope],
    ) -> Result<Vec<Record>, sqlx::Error> {
        let mut rows: Vec<(String, String)> = Vec::new();
        for chunk in scopes.chunks(INSERT_CHUNK) {
            let mut q = self
                .dialect
                .sql("SELECT state, audience FROM records WHERE kind = ");
            q.bind(kind.to_owned())
                .push(" AND scope IN (")
                .list(chunk.iter().map(Scope::to_string))
                .push(")");
            for row in q.fetch_all(&self.pool).await? {
                rows.push((row.try_get("state")?, row.try_get("audience")?));
            }
        }
        readable(actor, &rows)
    }

    /// Every record of `kind`, whoever may read it (the command line's classification).
    pub async fn all_records(&self, kind: &str) -> Result<Vec<Record>, sqlx::Error> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT state FROM records WHERE kind = $1")
            .bind(kind)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|s| decode(s)).collect()
    }

    /// One anonymous record, for whether it was sent (never for its answers).
    pub async fn anonymous_record(&self, id: Uuid) -> Result<Option<Record>, sqlx::Error> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT state FROM anonymous_records WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        row.as_deref().map(decode).transpose()
    }

    /// Every anonymous record of `kind` (for results in aggregate only).
    pub async fn anonymous_records(&self, kind: &str) -> Result<Vec<Record>, sqlx::Error> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT state FROM anonymous_records WHERE kind = $1")
                .bind(kind)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|s| decode(s)).collect()
    }

    /// Files the records and changes stored before read keys existed under their keys (once,
    /// at start; does nothing when every record has its keys).
    pub async fn file_missing_read_keys(&self) -> anyhow::Result<()> {
        let mut tx = self.dialect.begin_write(&self.pool, &self.turns).await?;
        let missing: Vec<String> =
            sqlx::query_scalar("SELECT state FROM records WHERE audience = ''")
                .fetch_all(&mut *tx)
                .await?;
        if missing.is_empty() {
            tx.rollback().await?;
            return Ok(());
        }
        let mut records: HashMap<Uuid, Record> = HashMap::new();
        for s in &missing {
            let r = decode(s)?;
            records.insert(r.id, r);
        }
        let parents: Vec<Uuid> = records.values().filter_map(|r| r.parent).collect();
        load_records(self.dialect, &mut tx, parents, &mut records).await?;
        let mut filed = 0;
        for s in &missing {
            let r = decode(s)?;
            let keys = kinds::audience(&r, r.parent.and_then(|p| records.get(&p)));
            sqlx::query("UPDATE records SET audience = $1 WHERE id = $2")
                .bind(keys_text(&keys))
                .bind(r.id.to_string())
                .execute(&mut *tx)
                .await?;
            for k in &keys {
                sqlx::query(
                    "INSERT INTO change_keys (key, seq) \
                     SELECT $1, seq FROM changes WHERE record_id = $2 ON CONFLICT DO NOTHING",
                )
                .bind(k.to_string())
                .bind(r.id.to_string())
                .execute(&mut *tx)
                .await?;
            }
            filed += 1;
        }
        tx.commit().await?;
        tracing::info!(
            records = filed,
            "read keys filed for records stored before them"
        );
        Ok(())
    }
}

/// Splits the joined rows of [`Db::changes_after`]: numbers and lengths in characters separated
/// by commas (a length of -1 for a change without its body), the bodies one after another. None
/// of them for no rows.
fn joined_changes(
    seqs: Option<String>,
    lengths: Option<String>,
    bodies: Option<String>,
) -> Result<ChangePage, String> {
    let (Some(seqs), Some(lengths)) = (seqs, lengths) else {
        return Ok(ChangePage::default());
    };
    let bodies = bodies.unwrap_or_default();
    let mut at = 0;
    let mut changes = Vec::new();
    let mut lengths = lengths.split(',');
    for seq in seqs.split(',') {
        let seq = seq
            .parse()
            .map_err(|_| format!("a change's number «{seq}»"))?;
        let length: i64 = lengths
            .next()
            .and_then(|l| l.parse().ok())
            .ok_or("fewer lengths than changes")?;
        let body = match usize::try_from(length) {
            Ok(0) => Some(at..at),
            Ok(length) => {
                let (last, c) = bodies[at..]
                    .char_indices()
                    .nth(length - 1)
                    .ok_or_else(|| format!("the body of change {seq} is cut"))?;
                let end = at + last + c.len_utf8();
                let body = at..end;
                at = end;
                Some(body)
            }
            Err(_) => None,
        };
        changes.push((seq, body));
    }
    if lengths.next().is_some() || at != bodies.len() {
        return Err("more lengths or bodies than changes".into());
    }
    Ok(ChangePage { bodies, changes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(page: &ChangePage) -> Vec<(u64, Option<&str>)> {
        page.iter().collect()
    }

    #[test]
    fn joined_rows_split_back_into_changes() {
        let page = joined_changes(
            Some("7,9,12".into()),
            Some("9,-1,8".into()),
            Some(r#"{"a":"я"}{"b":[]}"#.into()),
        )
        .unwrap();
        assert_eq!(
            listed(&page),
            vec![
                (7, Some(r#"{"a":"я"}"#)),
                (9, None),
                (12, Some(r#"{"b":[]}"#))
            ]
        );
        assert!(joined_changes(None, None, None).unwrap().is_empty());
        // Lengths that do not fit the bodies (too long, too few, too short) are an error, never
        // a wrong split.
        for (lengths, bodies) in [
            ("9,-1,9", r#"{"a":"я"}{"b":[]}"#),
            ("9,-1", r#"{"a":"я"}{"b":[]}"#),
            // (lengths in bytes)
            ("10,-1,8", r#"{"a":"я"}{"b":[]}"#),
            ("2,-1,2", "{}{}{}"),
        ] {
            assert!(
                joined_changes(
                    Some("7,9,12".into()),
                    Some(lengths.into()),
                    Some(bodies.into())
                )
                .is_err(),
                "{lengths} over {bodies}"
            );
        }
    }
}
