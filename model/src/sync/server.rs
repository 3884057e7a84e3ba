//! The server's half of a sync, without I/O: given what the database holds for this device and
//! for the records a batch touches, decide every acknowledgement, every change, the server's own
//! writes that follow, and who may read each. The server then writes the plan in one
//! transaction. Nothing here names a kind: each change is checked against its kind's
//! declaration (`crate::kinds`).
//!
//! What a device says is not trusted: the kind must know it; the id must be the kind's derived
//! id or a fresh UUIDv7; the person must stand in a relation the kind grants for creating the
//! record and for every field written; the server's own fields (stamped names, rounds) are
//! refused; a clock value more than [`crate::hlc::MAX_AHEAD_MS`] ahead of the server is re-stamped to the
//! server's time (the edit is kept); an anonymous record is re-stamped so that no device id or
//! time of day stays with it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use uuid::Uuid;

use super::protocol::{Change, Mutation, Outcome, Refusal, Restamp};
use crate::access::{Actor, ReadKey};
use crate::error::ErrorCode;
use crate::hlc::{Clock, DeviceId, Hlc, too_far_ahead};
use crate::kinds::{self, Ctx, IdRule, KindSpec, Lookup, MAX_VALUE_BYTES, Need, ServerWrite};
use crate::record::{DELETED, Record, bound_deletion};

/// A mutation the server took in for the first time (applied or refused), to remember.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    pub seq: u64,
    /// Of the mutation as sent (0 for anonymous records: nothing that could match them).
    pub fingerprint: u64,
    pub outcome: Outcome,
}

/// A change to put in the log, with the keys of the people who receive it.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub change: Change,
    pub keys: Vec<ReadKey>,
    /// The device's number for it, if the requesting device made it (else the server did).
    pub device_seq: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The highest seq of the batch: everything up to it is settled.
    pub acked_upto: u64,
    pub refused: Vec<Refusal>,
    /// Applied mutations whose clock value the server replaced.
    pub restamped: Vec<Restamp>,
    pub taken: Vec<Taken>,
    /// Records whose merged state changed and must be saved, with their read keys.
    pub touched: BTreeMap<Uuid, Vec<ReadKey>>,
    /// The changes to log, in order.
    pub log: Vec<Logged>,
    pub last_seq: u64,
    /// Records the batch wrote that the person may not read (their grants changed meanwhile).
    pub unreadable: Vec<Uuid>,
    /// How many new records of each [`kinds::counted`] kind the batch made: the server adds
    /// them to the person's count of the day.
    pub made: BTreeMap<String, u32>,
    /// How many bytes the batch's accepted changes add to the log ([`logged_bytes`] of each
    /// entry they log): the server adds them to the person's count of the day.
    pub written: u64,
}

/// A server write that cannot land: the whole batch fails (and is logged), nothing is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

/// What the server remembers of one mutation it took earlier.
#[derive(Debug, Clone, PartialEq)]
pub struct Remembered {
    pub fingerprint: u64,
    pub outcome: Outcome,
}

/// One batch of one device, with what the server knows.
pub struct Batch<'a> {
    pub actor: &'a Actor,
    pub device: &'a DeviceId,
    /// The server's time (ms).
    pub now_ms: u64,
    /// The highest seq of this device the server took in before.
    pub last_seq: u64,
    /// For mutations of this device with `seq <= last_seq` that the batch repeats: what was
    /// decided then.
    pub remembered: &'a HashMap<u64, Remembered>,
    pub lookup: &'a dyn Lookup,
}

type Refuse = (ErrorCode, String);

/// The longest refusal, in characters. A refusal may quote what the device sent (a kind's
/// name, a field's name or value), and it is remembered for as long as the device may send the
/// same mutation again, logged and sent back: its size must not be the device's to choose.
pub const MAX_REFUSAL_CHARS: usize = 400;

/// `message` within [`MAX_REFUSAL_CHARS`]: its beginning and its end (where a refusal says
/// what to do) with "…" between.
fn shortened(message: String) -> String {
    let chars = message.chars().count();
    if chars <= MAX_REFUSAL_CHARS {
        return message;
    }
    let tail = 120;
    let head: String = message.chars().take(MAX_REFUSAL_CHARS - tail - 1).collect();
    let end: String = message.chars().skip(chars - tail).collect();
    format!("{head}…{end}")
}

fn validation<T>(message: impl Into<String>) -> Result<T, Refuse> {
    Err((ErrorCode::Validation, message.into()))
}

/// One and the same answer whether the person has no right here, the id is malformed or
/// derived for someone else, or a record elsewhere holds it: a refusal never tells whether a
/// record exists. (The kind named is the one the change says.)
fn forbidden<T>(spec: &KindSpec) -> Result<T, Refuse> {
    Err((
        ErrorCode::Forbidden,
        format!(
            "Нет права изменять «{}» здесь или создавать такую запись: изменение не принято. \
             Если это нужно для работы, обратитесь в наставнический центр.",
            spec.label
        ),
    ))
}

/// The records (besides the batch's own and their parents) and the server data a batch needs,
/// given the batch's records as loaded so far.
pub fn needs(records: &HashMap<Uuid, Record>, mutations: &[Mutation]) -> BTreeSet<Need> {
    let mut out = BTreeSet::new();
    for m in mutations {
        // A stored record's own parent (a change may name another, or be refused): its readers
        // are derived from it.
        out.extend(
            records
                .get(&m.change.record)
                .and_then(|r| r.parent)
                .map(Need::Record),
        );
        // A parent's readers may change with it: its children follow (see `refile_children`).
        if records.contains_key(&m.change.record) && kinds::has_children(&m.change.kind) {
            out.insert(Need::Children(m.change.record));
        }
        // A new child is counted with its siblings (`MAX_CHILDREN`).
        if let Some(p) = m.change.parent
            && !records.contains_key(&m.change.record)
        {
            out.insert(Need::Children(p));
        }
        let Some(spec) = kinds::spec(&m.change.kind) else {
            continue;
        };
        let mut after = records
            .get(&m.change.record)
            .cloned()
            .unwrap_or_else(|| m.change.new_record());
        m.change.apply_to(&mut after);
        out.extend((spec.needs)(&after));
        // A record's checks may read its parent, and so what the parent's own checks need (a
        // review's comments name the questions of the form its response answers).
        if let Some(parent) = after.parent.and_then(|p| records.get(&p))
            && let Some(parent_spec) = kinds::spec(&parent.kind)
        {
            out.extend((parent_spec.needs)(parent));
        }
    }
    out
}

/// The ids a batch names: its records and their parents (load these first).
pub fn named_ids(mutations: &[Mutation]) -> BTreeSet<Uuid> {
    mutations
        .iter()
        .flat_map(|m| std::iter::once(m.change.record).chain(m.change.parent))
        .collect()
}

/// Plans a batch. `records` holds the current state of every record the batch names, their
/// parents and what [`needs`] asked for (absent: new); it is updated in place. `clock` is the
/// server's own clock, for its writes.
pub fn plan(
    batch: &Batch,
    clock: &mut Clock,
    records: &mut HashMap<Uuid, Record>,
    mutations: &[Mutation],
) -> Result<Plan, PlanError> {
    let mut plan = Plan {
        last_seq: batch.last_seq,
        ..Plan::default()
    };
    for m in mutations {
        if m.seq == 0 {
            // Devices number their changes from 1.
            plan.settle(
                0,
                Outcome::Rejected {
                    code: ErrorCode::Validation,
                    message: "Неверный номер изменения: обновите страницу.".into(),
                },
            );
            continue;
        }
        if m.seq <= plan.last_seq {
            // A retry: answer as the first time, unless the content differs.
            let outcome = match batch.remembered.get(&m.seq) {
                Some(r) if r.fingerprint == m.fingerprint() || r.fingerprint == 0 => {
                    r.outcome.clone()
                }
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
        let anonymous = kinds::spec(&m.change.kind).is_some_and(|s| s.anonymous);
        if already_held(batch, records, m) {
            // Sent again after the database was restored from a copy that has it: nothing to
            // check, merge or log (the rules judge a change once, when it is first made).
            plan.taken.push(Taken {
                seq: m.seq,
                fingerprint: m.fingerprint(),
                outcome: Outcome::Applied,
            });
            plan.settle(m.seq, Outcome::Applied);
            continue;
        }
        let outcome = match decide(batch, clock, records, m).and_then(|a| plan.allow(batch, a)) {
            Err((code, message)) => Outcome::Rejected {
                code,
                message: shortened(message),
            },
            Ok(accepted) => plan.commit(batch.now_ms, clock, records, m.seq, accepted)?,
        };
        plan.taken.push(Taken {
            seq: m.seq,
            fingerprint: if anonymous { 0 } else { m.fingerprint() },
            outcome: outcome.clone(),
        });
        plan.settle(m.seq, outcome);
    }
    // What the device wrote but may not read now (its grants changed meanwhile, perhaps
    // unseen by it): it takes those records off.
    for m in mutations {
        let applied = plan.refused.iter().all(|r| r.seq != m.seq);
        let Some(r) = records.get(&m.change.record) else {
            continue;
        };
        let anonymous = kinds::spec(&r.kind).is_none_or(|s| s.anonymous);
        let parent = r.parent.and_then(|p| records.get(&p));
        if applied
            && r.kind == m.change.kind
            && !anonymous
            && !batch.actor.may_read(&kinds::audience(r, parent))
            && !plan.unreadable.contains(&r.id)
        {
            plan.unreadable.push(r.id);
        }
    }
    Ok(plan)
}

/// What the server keeps of a change, in bytes, counted toward its person's allowance of the
/// day ([`Lookup::bytes_per_day`]): its fields' names and values as JSON, and
/// [`CHANGE_ROW_BYTES`] for the rest of its row in the log. The log keeps every change, so
/// without a bound one account could fill the disk by editing one field in a loop.
pub fn logged_bytes(change: &Change) -> u64 {
    let fields = super::protocol::json_len(&change.fields);
    u64::try_from(fields)
        .unwrap_or(u64::MAX)
        .saturating_add(CHANGE_ROW_BYTES)
}

/// What a change's row in the log takes besides its fields (the record's id, scope and parent,
/// clock, device, person, time, its readers' keys): about this many bytes.
pub const CHANGE_ROW_BYTES: u64 = 300;

/// A change that passed every rule, ready to be merged.
struct Accepted {
    spec: &'static KindSpec,
    change: Change,
    after: Record,
    follow: Vec<ServerWrite>,
    restamped: Option<Hlc>,
    existed: bool,
}

impl Plan {
    fn settle(&mut self, seq: u64, outcome: Outcome) {
        self.acked_upto = self.acked_upto.max(seq);
        match outcome {
            Outcome::Rejected { code, message } => {
                self.refused.push(Refusal { seq, code, message })
            }
            Outcome::Restamped { hlc } => self.restamped.push(Restamp { seq, hlc }),
            Outcome::Applied => {}
        }
    }

    /// A change counts toward its person's allowances of the day: its bytes in the log, and a
    /// new record of a [`kinds::counted`] kind one record of its kind. Beyond either, it is
    /// refused.
    fn allow(&mut self, batch: &Batch, a: Accepted) -> Result<Accepted, Refuse> {
        let counted = !a.existed && kinds::counted(a.spec);
        if let Some(per_day) = batch.lookup.records_per_day()
            && counted
            && batch
                .lookup
                .made_today(a.spec.name)
                .saturating_add(self.made.get(a.spec.name).copied().unwrap_or(0))
                >= per_day
        {
            return validation(format!(
                "Сегодня создано столько записей вида «{}», сколько можно за сутки (предел — \
                 {per_day}): эта запись не принята. Если она нужна, создайте её завтра или \
                 обратитесь в наставнический центр.",
                a.spec.label
            ));
        }
        // What the change itself adds; `commit` counts all it logs (values handed to new
        // readers, the server's writes that follow). Anonymous answers are not logged (their
        // records keep bounded histories), and their size is not kept by person.
        if let Some(per_day) = batch.lookup.bytes_per_day()
            && !a.spec.anonymous
            && batch
                .lookup
                .written_today()
                .saturating_add(self.written)
                .saturating_add(logged_bytes(&a.change))
                > per_day
        {
            return validation(format!(
                "Сегодня с вашей учётной записи сохранено столько изменений, сколько можно за \
                 сутки (предел — {} МБ): это изменение не принято. Если оно нужно, внесите его \
                 завтра или обратитесь в наставнический центр.",
                per_day.div_ceil(1 << 20)
            ));
        }
        if counted {
            *self.made.entry(a.spec.name.to_owned()).or_default() += 1;
        }
        Ok(a)
    }

    /// Merges an accepted change and the server's writes that follow it, with their read keys.
    fn commit(
        &mut self,
        now_ms: u64,
        clock: &mut Clock,
        records: &mut HashMap<Uuid, Record>,
        seq: u64,
        a: Accepted,
    ) -> Result<Outcome, PlanError> {
        let logged_before = self.log.len();
        let (before_keys, was_gone) = if a.existed {
            let before = &records[&a.change.record];
            let keys = kinds::audience(before, before.parent.and_then(|p| records.get(&p)));
            (keys, before.is_gone())
        } else {
            (Vec::new(), false)
        };
        let after_keys = kinds::audience(&a.after, a.after.parent.and_then(|p| records.get(&p)));
        let old = records.insert(a.after.id, a.after);
        if let Some(old) = old.filter(|_| before_keys != after_keys) {
            self.refile_children(&old, records);
        }
        self.touched.insert(a.change.record, after_keys.clone());
        if !a.spec.anonymous {
            let seq = Some(seq);
            self.log_change(a.change, &before_keys, &after_keys, seq, was_gone, records);
        }
        for w in a.follow {
            self.server_write(now_ms, clock, records, w)?;
        }
        if !a.spec.anonymous {
            let logged: u64 = self.log[logged_before..]
                .iter()
                .map(|l| logged_bytes(&l.change))
                .sum();
            self.written = self.written.saturating_add(logged);
        }
        Ok(match a.restamped {
            Some(hlc) if !a.spec.anonymous => Outcome::Restamped { hlc },
            _ => Outcome::Applied,
        })
    }

    /// A record's readers changed (`old` is it before): its children (loaded by
    /// [`Need::Children`]) whose readers follow it are filed under their new keys, and their new
    /// readers receive their current values (not their histories). One level down: no kind
    /// with children inherits from a kind whose readers change that way.
    fn refile_children(&mut self, old: &Record, records: &HashMap<Uuid, Record>) {
        let new = &records[&old.id];
        let mut children: Vec<&Record> = records
            .values()
            .filter(|r| r.parent == Some(old.id))
            .collect();
        children.sort_by_key(|r| r.id);
        for child in children {
            let before = kinds::audience(child, Some(old));
            let after = kinds::audience(child, Some(new));
            if before == after || kinds::spec(&child.kind).is_none_or(|s| s.anonymous) {
                continue;
            }
            self.touched.insert(child.id, after.clone());
            let gained: Vec<ReadKey> = after
                .iter()
                .filter(|k| !before.contains(k))
                .cloned()
                .collect();
            if gained.is_empty() {
                continue;
            }
            for (hlc, fields) in child.current_writes() {
                self.log.push(Logged {
                    change: Change {
                        record: child.id,
                        kind: child.kind.clone(),
                        scope: child.scope.clone(),
                        parent: child.parent,
                        hlc,
                        fields,
                    },
                    keys: gained.clone(),
                    device_seq: None,
                });
            }
        }
    }

    /// Logs a change for the readers before and after it. Readers it brings (who could not
    /// read the record before) receive the record's current values instead: not the drafts
    /// before them, nor a field of the change itself that an earlier-arrived, later write
    /// replaced. A change that brings back a record that was gone (`was_gone`:
    /// [`Record::is_gone`]) hands its values to every reader, since those who began to read it
    /// while it was gone received its deletion only. Of a change that leaves it gone, the
    /// writes that lost (a late edit beaten by one the deletion saw) are filed for no reader: a
    /// reader holding the deletion alone would otherwise hold a value the deletion never saw,
    /// and count it a deletion to decide while every other copy does not.
    fn log_change(
        &mut self,
        change: Change,
        before: &[ReadKey],
        after: &[ReadKey],
        device_seq: Option<u64>,
        was_gone: bool,
        records: &HashMap<Uuid, Record>,
    ) {
        let id = change.record;
        let new: Vec<ReadKey> = after
            .iter()
            .filter(|k| !before.contains(k))
            .cloned()
            .collect();
        let gained = !before.is_empty() && !new.is_empty();
        // Readers who lose the record receive the change that takes it from them.
        let mut keys: Vec<ReadKey> = if gained {
            before.to_vec()
        } else {
            before.iter().chain(after).cloned().collect()
        };
        keys.sort();
        keys.dedup();
        let r = &records[&id];
        if was_gone && r.is_gone() {
            // The writes that lost (a field's value stays another, later write) go to nobody;
            // the deletion and the writes that won go to the readers. A write that won on a
            // record still gone is one its deletion saw, so a reader holding the deletion alone
            // still finds it gone, and every copy holds the server's values.
            let mut change = change;
            let all = std::mem::take(&mut change.fields);
            let (won, lost): (BTreeMap<String, Value>, BTreeMap<String, Value>) =
                all.into_iter().partition(|(name, _)| {
                    name == DELETED || r.fields.get(name).is_some_and(|f| f.hlc == change.hlc)
                });
            for (fields, keys) in [(won, keys), (lost, Vec::new())] {
                if !fields.is_empty() {
                    self.log.push(Logged {
                        change: Change {
                            fields,
                            ..change.clone()
                        },
                        keys,
                        device_seq,
                    });
                }
            }
        } else {
            self.log.push(Logged {
                change,
                keys,
                device_seq,
            });
        }
        let handed = if was_gone && !r.is_gone() {
            after.to_vec()
        } else if gained {
            new
        } else {
            return;
        };
        for (hlc, fields) in r.current_writes() {
            self.log.push(Logged {
                change: Change {
                    record: r.id,
                    kind: r.kind.clone(),
                    scope: r.scope.clone(),
                    parent: r.parent,
                    hlc,
                    fields,
                },
                keys: handed.clone(),
                device_seq: None,
            });
        }
    }

    /// A write by the server itself: it lands in a record of its declared kind and place, or the
    /// whole batch fails — never a silent skip.
    fn server_write(
        &mut self,
        now_ms: u64,
        clock: &mut Clock,
        records: &mut HashMap<Uuid, Record>,
        w: ServerWrite,
    ) -> Result<(), PlanError> {
        let existing = records.get(&w.record);
        if let Some(r) = existing
            && (r.kind != w.kind || r.scope != w.scope || r.parent != w.parent)
        {
            return Err(PlanError(format!(
                "server write to {} ({}) refused: the id holds a {} record in {}",
                w.record, w.kind, r.kind, r.scope
            )));
        }
        let parent = w.parent.and_then(|p| records.get(&p));
        let before_keys = existing.map_or_else(Vec::new, |r| kinds::audience(r, parent));
        let was_gone = existing.is_some_and(Record::is_gone);
        let mut record = existing.cloned().unwrap_or_else(|| {
            crate::record::Record::new(w.record, w.kind, w.scope.clone(), w.parent)
        });
        if let Some(latest) = record.latest() {
            clock.observe_bounded(latest, now_ms);
        }
        let change = Change {
            record: w.record,
            kind: w.kind.to_owned(),
            scope: w.scope,
            parent: w.parent,
            hlc: clock.tick(now_ms),
            fields: w.fields,
        };
        change.apply_to(&mut record);
        let after_keys = kinds::audience(&record, parent);
        let existed = existing.is_some();
        let old = records.insert(record.id, record);
        if let Some(old) = old.filter(|_| before_keys != after_keys) {
            self.refile_children(&old, records);
        }
        self.touched.insert(change.record, after_keys.clone());
        let before = if existed { before_keys } else { Vec::new() };
        self.log_change(change, &before, &after_keys, None, was_gone, records);
        Ok(())
    }
}

/// Plans writes the server makes on its own (a template installed at start): merged into
/// `records` (which must hold their targets, if they exist) and logged for their readers.
pub fn server_writes(
    now_ms: u64,
    clock: &mut Clock,
    records: &mut HashMap<Uuid, Record>,
    writes: Vec<ServerWrite>,
) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    for w in writes {
        plan.server_write(now_ms, clock, records, w)?;
    }
    Ok(plan)
}

/// The record already holds every write of this change, as the winning value or in a field's
/// history: the device made it before and sends it again (`client::resend`). Only the device's
/// own clock values count (a device cannot claim another's writes), and never for an anonymous
/// kind (the server re-dates those writes, so a copy never holds the device's clock value).
fn already_held(batch: &Batch, records: &HashMap<Uuid, Record>, m: &Mutation) -> bool {
    let c = &m.change;
    &c.hlc.device == batch.device
        && !c.fields.is_empty()
        && records.get(&c.record).is_some_and(|r| {
            r.kind == c.kind
                && r.scope == c.scope
                && r.parent == c.parent
                && c.fields.keys().all(|name| {
                    r.fields
                        .get(name)
                        .is_some_and(|f| f.hlc == c.hlc || f.history.iter().any(|w| w.hlc == c.hlc))
                })
        })
}

/// Every rule one mutation must pass; the error says which, in plain Russian.
fn decide(
    batch: &Batch,
    clock: &mut Clock,
    records: &HashMap<Uuid, Record>,
    m: &Mutation,
) -> Result<Accepted, Refuse> {
    let c = &m.change;
    let Some(spec) = kinds::spec(&c.kind) else {
        return validation(format!(
            "Неизвестный вид данных «{}»: обновите приложение.",
            c.kind
        ));
    };
    if &c.hlc.device != batch.device {
        return validation("Изменение подписано другим устройством.");
    }
    check_shape(spec, c)?;
    let before = records.get(&c.record);
    if let Some(r) = before
        && (r.kind != c.kind || r.scope != c.scope || r.parent != c.parent)
    {
        return forbidden(spec);
    }
    if !spec.scope.fits(&c.scope) {
        return forbidden(spec);
    }
    // A parent that is missing, of another kind or elsewhere is refused as having no right:
    // another answer would tell whether a record exists somewhere else (another school's
    // programme section, a leader's test).
    let parent = match (spec.parents.is_empty(), c.parent) {
        (true, None) => None,
        (false, Some(p)) => match records
            .get(&p)
            .filter(|r| spec.parents.contains(&r.kind.as_str()) && r.scope == c.scope)
        {
            Some(parent) => Some(parent),
            None => return forbidden(spec),
        },
        _ => return forbidden(spec),
    };

    // The clock: far ahead → the server's time; anonymous → a clock of the record's own.
    let mut change = c.clone();
    let mut restamped = None;
    if spec.anonymous {
        let mut own = Clock::new(anonymous_device(c.record));
        if let Some(latest) = before.and_then(Record::latest) {
            own.observe(latest);
        }
        change.hlc = own.tick(batch.now_ms - batch.now_ms % DAY_MS);
    } else if too_far_ahead(&c.hlc, batch.now_ms) {
        // The server's own clock: its values are unique (no write of any device can take one)
        // and, after the record's latest write, keep the order of this device's writes.
        if let Some(latest) = before.and_then(Record::latest) {
            clock.observe_bounded(latest, batch.now_ms);
        }
        change.hlc = clock.tick(batch.now_ms);
        restamped = Some(change.hlc.clone());
    }
    if let Some(v) = change.fields.get_mut(DELETED) {
        // A deletion cannot have seen a write later than itself; a re-stamped one is bounded
        // by its new clock value (the device does the same when it hears of it).
        if bound_deletion(v, &change.hlc) && restamped.is_none() {
            return validation("Неверная отметка удаления.");
        }
    }

    let mut after = before.cloned().unwrap_or_else(|| change.new_record());
    change.apply_to(&mut after);
    fn ctx<'a>(
        batch: &'a Batch,
        before: Option<&'a Record>,
        after: &'a Record,
        fields: &'a BTreeMap<String, Value>,
        parent: Option<&'a Record>,
        records: &'a HashMap<Uuid, Record>,
    ) -> Ctx<'a> {
        Ctx {
            actor: batch.actor,
            now_ms: batch.now_ms,
            before,
            after,
            fields,
            parent,
            records,
            lookup: batch.lookup,
        }
    }
    let fields = &change.fields;

    if before.is_none() {
        let owner = (spec.owner)(&ctx(batch, before, &after, fields, parent, records));
        after.owner = owner;
        let id_ok = match spec.id {
            IdRule::Fresh => kinds::fresh_id(c.record, batch.now_ms),
            IdRule::Derived(derive) => {
                derive(&ctx(batch, before, &after, fields, parent, records))
                    == Some((c.record, c.scope.clone()))
            }
            IdRule::Server => false,
        };
        if !id_ok {
            return forbidden(spec);
        }
        if !spec.may_create(&ctx(batch, before, &after, fields, parent, records)) {
            return forbidden(spec);
        }
        if let Some(p) = parent
            && records
                .values()
                .filter(|r| r.parent == Some(p.id) && r.kind == c.kind)
                .count()
                >= kinds::MAX_CHILDREN
        {
            return validation(format!(
                "К записи «{}» уже добавлено {} записей «{}» — больше нельзя: изменение не \
                 принято. Если нужно больше, обратитесь в наставнический центр.",
                kinds::spec(&p.kind).map_or(p.kind.as_str(), |s| s.label),
                kinds::MAX_CHILDREN,
                spec.label
            ));
        }
    }
    let cx = ctx(batch, before, &after, fields, parent, records);
    for name in change.fields.keys() {
        if spec.server_fields.contains(&name.as_str()) {
            return Err((
                ErrorCode::Forbidden,
                format!("Поле «{name}» заполняет сервер: изменение не принято."),
            ));
        }
        if !spec.may_write(name, &cx) {
            return forbidden(spec);
        }
    }
    (spec.check)(&cx).or_else(validation)?;
    let follow = (spec.follow)(&cx);
    Ok(Accepted {
        spec,
        existed: before.is_some(),
        change,
        after,
        follow,
        restamped,
    })
}

const DAY_MS: u64 = 86_400_000;

/// The device id an anonymous record's writes carry: one of its own, unrelated to any device.
fn anonymous_device(record: Uuid) -> DeviceId {
    let h = crate::fingerprint::fnv1a(format!("anonymous/{record}").as_bytes());
    DeviceId::from_random(h.to_be_bytes())
}

/// The shape of a change: fields present, names and sizes within bounds, declared fields of
/// their types, a well-formed deletion mark.
fn check_shape(spec: &KindSpec, c: &Change) -> Result<(), Refuse> {
    if c.fields.is_empty() {
        return validation("Изменение не содержит ни одного поля.");
    }
    for (name, value) in &c.fields {
        if super::protocol::json_len(value) > MAX_VALUE_BYTES {
            return validation(format!(
                "Значение поля «{name}» больше {} КБ.",
                MAX_VALUE_BYTES / 1024
            ));
        }
        if name == DELETED {
            let well_formed = value.get("deleted").and_then(Value::as_bool).is_some()
                && value.get("seen").is_none_or(|s| {
                    s.as_object().is_some_and(|o| {
                        o.len() <= 10_000 && o.values().all(|h| h.as_str().is_some())
                    })
                });
            if !well_formed {
                return validation("Неверная отметка удаления.");
            }
            continue;
        }
        if name.is_empty() || name.len() > 128 || name.starts_with('_') {
            return validation(format!("Недопустимое имя поля «{name}»."));
        }
        if !spec.fields.is_empty() {
            let Some(field) = spec.field(name) else {
                return validation(format!("У «{}» нет поля «{name}».", spec.label));
            };
            field.check(value).or_else(validation)?;
        }
    }
    Ok(())
}
