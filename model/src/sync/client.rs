//! The device's half of a sync, without I/O: making an edit (record + outbox entry, with
//! coalescing of repeated edits), building a request, and taking an answer in. The app runs
//! these inside IndexedDB transactions; the simulation runs them in memory.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::protocol::{
    Change, MAX_PUSH, MAX_PUSH_BYTES, Mutation, PROTOCOL_VERSION, SyncRequest, SyncResponse,
};
use crate::error::ErrorCode;
use crate::hlc::{Clock, DeviceId};
use crate::record::Record;

/// What a device keeps about its syncing (one per user database).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceState {
    pub device: DeviceId,
    pub clock: Clock,
    /// The seq of the next new mutation.
    pub next_seq: u64,
    /// The highest seq ever put in a request: those mutations are frozen (never coalesced).
    pub sent_upto: u64,
    pub cursor: u64,
    pub scopes_key: String,
    /// Unix ms of the last sync that completed.
    #[serde(default)]
    pub last_sync_ms: Option<u64>,
    /// The number of the pass that receives everything again after the person's access changed,
    /// while it runs; each record it delivers is marked with it ([`Record::pass`]).
    #[serde(default)]
    pub pass: Option<u64>,
    /// The number of the last such pass.
    #[serde(default)]
    pub passes: u64,
    /// How many records the last pass took off this device (access taken away), to tell the
    /// person; cleared when they have read it.
    #[serde(default)]
    pub dropped: u64,
    /// The epoch of the server's database at the last answer (`None` before the first).
    #[serde(default)]
    pub epoch: Option<String>,
    /// The records held here that await a person's decision: deleted on one computer while
    /// edited on another ([`Record::deletion_conflict`]). Kept as records change here, so that
    /// the app finds them without reading every record; it may still name records decided or
    /// taken off since (readers check each). `None` in a state stored before it was kept: the
    /// app then looks through the records once ([`DeviceState::note_decisions`]).
    #[serde(default)]
    pub undecided: Option<BTreeSet<Uuid>>,
}

impl DeviceState {
    pub fn new(device: DeviceId) -> DeviceState {
        DeviceState {
            clock: Clock::new(device.clone()),
            device,
            next_seq: 1,
            sent_upto: 0,
            cursor: 0,
            scopes_key: String::new(),
            last_sync_ms: None,
            pass: None,
            passes: 0,
            dropped: 0,
            epoch: None,
            undecided: Some(BTreeSet::new()),
        }
    }

    /// Notes whether each of `records` awaits a decision now ([`DeviceState::undecided`]);
    /// with no list kept yet, `records` must be every record held here, and start it.
    pub fn note_decisions<'a>(&mut self, records: impl IntoIterator<Item = &'a Record>) {
        let undecided = self.undecided.get_or_insert_default();
        for r in records {
            if r.deletion_conflict() {
                undecided.insert(r.id);
            } else {
                undecided.remove(&r.id);
            }
        }
    }
}

/// A mutation the server refused, kept on the device until a person dismisses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub mutation: Mutation,
    pub code: ErrorCode,
    pub message: String,
}

/// What an edit does to the outbox.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxOp {
    Append(Mutation),
    /// The pending (unsent) mutation with this seq is replaced by the new content.
    Replace(Mutation),
}

/// Makes an edit: writes `fields` into `record` at a new clock time and returns the outbox
/// operation. `pending` is the newest outbox entry of the same record, if any; when it has not
/// been sent and the new edit overwrites all its fields, it is replaced (its writes taken back
/// out of the record), so typing in a field does not queue one mutation per keystroke.
pub fn edit(
    state: &mut DeviceState,
    now_ms: u64,
    record: &mut Record,
    fields: BTreeMap<String, Value>,
    pending: Option<&Mutation>,
) -> OutboxOp {
    let hlc = state.clock.tick(now_ms);
    let change = Change {
        record: record.id,
        kind: record.kind.clone(),
        scope: record.scope.clone(),
        parent: record.parent,
        hlc,
        fields,
    };
    let replace = pending.filter(|p| {
        p.seq > state.sent_upto
            && p.change.record == record.id
            && p.change
                .fields
                .keys()
                .all(|k| change.fields.contains_key(k))
    });
    let op = match replace {
        Some(p) => {
            for name in p.change.fields.keys() {
                record.retract(name, &p.change.hlc);
            }
            OutboxOp::Replace(Mutation { seq: p.seq, change })
        }
        None => {
            let seq = state.next_seq;
            state.next_seq += 1;
            OutboxOp::Append(Mutation { seq, change })
        }
    };
    let m = match &op {
        OutboxOp::Append(m) | OutboxOp::Replace(m) => m,
    };
    m.change.apply_to(record);
    // An edit of a record another tab deleted meanwhile makes it one to decide; putting it back
    // or deleting it again decides it.
    if state.undecided.is_some() {
        state.note_decisions([&*record]);
    }
    op
}

/// The next request: the oldest pending mutations, bounded in count and size. Marks them sent
/// (the caller must store `state` before sending).
pub fn request(state: &mut DeviceState, outbox: &[Mutation]) -> SyncRequest {
    let mut size = 0;
    let mut changes = Vec::new();
    let first_seq = outbox.first().map_or(0, |m| m.seq);
    for (i, m) in outbox.iter().take(MAX_PUSH).enumerate() {
        let len = super::protocol::json_len(&m.change);
        // Only a run of consecutive seqs can travel without its numbers.
        if m.seq != first_seq + i as u64 || (!changes.is_empty() && size + len > MAX_PUSH_BYTES) {
            break;
        }
        size += len;
        changes.push(m.change.clone());
    }
    if !changes.is_empty() {
        state.sent_upto = state.sent_upto.max(first_seq + changes.len() as u64 - 1);
    }
    SyncRequest {
        protocol: PROTOCOL_VERSION,
        device: state.device.clone(),
        cursor: state.cursor,
        scopes_key: state.scopes_key.clone(),
        full: state.pass.is_some(),
        first_seq,
        changes,
        epoch: state.epoch.clone().unwrap_or_default(),
    }
}

/// What taking an answer in changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taken {
    /// Seqs to remove from the outbox.
    pub acked: Vec<u64>,
    pub refused: Vec<Refused>,
    /// Records changed (to save and to announce).
    pub changed: Vec<Uuid>,
    /// A pass that received everything again has ended: drop every record [`keep`] refuses.
    pub sweep: Option<u64>,
    /// Records this device wrote but may no longer read: drop them unless an edit of them
    /// waits or was refused.
    pub unreadable: Vec<Uuid>,
    /// The server's database was restored from a copy: put [`resend`] of every record held
    /// here in the outbox and sync again (the cursor went back to the start).
    pub restored: bool,
}

/// After the pass `pass` ended, may the device keep this record? Only if the pass delivered
/// it, or an edit of it is still waiting or was refused (`pending`): what the person may no
/// longer read leaves the device; nothing typed is dropped unseen.
pub fn keep(record: &Record, pass: u64, pending: &std::collections::BTreeSet<Uuid>) -> bool {
    record.pass == Some(pass) || pending.contains(&record.id)
}

/// Takes a response in: merges the changes into `records` (which must hold every record the
/// changes and the refused mutations name, absent ones are created), moves the cursor, learns
/// the server's time, and lists acknowledged and refused mutations. `outbox` must hold at
/// least the outbox entries up to `response.acked_upto`.
pub fn take_response(
    state: &mut DeviceState,
    now_ms: u64,
    outbox: &[Mutation],
    records: &mut HashMap<Uuid, Record>,
    response: &SyncResponse,
) -> Taken {
    let mut taken = Taken::default();
    let mut changed = std::collections::BTreeSet::new();
    taken.acked = outbox
        .iter()
        .map(|m| m.seq)
        .filter(|seq| *seq <= response.acked_upto)
        .collect();
    for refusal in &response.refused {
        if let Some(m) = outbox.iter().find(|m| m.seq == refusal.seq) {
            if let Some(r) = records.get_mut(&m.change.record) {
                for name in m.change.fields.keys() {
                    r.retract(name, &m.change.hlc);
                }
                changed.insert(r.id);
            }
            taken.refused.push(Refused {
                mutation: m.clone(),
                code: refusal.code,
                message: refusal.message.clone(),
            });
        }
    }
    // The server replaced clock values that were too far ahead: so does the device, so that
    // every copy holds the same writes; its clock comes back to the server's time, past the
    // values the server gave (so no later write of this device can take one of them again).
    state.clock.rewind_if_ahead(response.server_time_ms);
    for r in &response.restamped {
        state.clock.observe(&r.hlc);
        let Some(m) = outbox.iter().find(|m| m.seq == r.seq) else {
            continue;
        };
        if let Some(record) = records.get_mut(&m.change.record) {
            for (name, value) in &m.change.fields {
                let mut value = value.clone();
                if name == crate::record::DELETED {
                    crate::record::bound_deletion(&mut value, &r.hlc);
                }
                record.retract(name, &m.change.hlc);
                record.apply(
                    name,
                    crate::record::Write {
                        hlc: r.hlc.clone(),
                        value,
                    },
                );
            }
            changed.insert(record.id);
        }
    }
    taken.unreadable = response.unreadable.clone();
    if response.reset {
        state.passes += 1;
        state.pass = Some(state.passes);
    }
    for c in &response.changes {
        state.clock.observe(&c.hlc);
        let record = records.entry(c.record).or_insert_with(|| c.new_record());
        if c.apply_to(record) {
            changed.insert(c.record);
        }
        if let Some(pass) = state.pass
            && record.pass != Some(pass)
        {
            record.pass = Some(pass);
            changed.insert(c.record);
        }
    }
    state.clock.set_offset(response.server_time_ms, now_ms);
    if state.undecided.is_some() {
        state.note_decisions(changed.iter().filter_map(|id| records.get(id)));
    }
    let restored = !response.epoch.is_empty()
        && state
            .epoch
            .as_ref()
            .is_some_and(|seen| *seen != response.epoch);
    if !response.epoch.is_empty() {
        state.epoch = Some(response.epoch.clone());
    }
    if restored {
        // The log this cursor points into is gone: everything again from the start, as one
        // pass, so what the restored copy does not hold (and nobody sends again) leaves too.
        state.cursor = 0;
        state.scopes_key = String::new();
        state.passes += 1;
        state.pass = Some(state.passes);
        taken.restored = true;
        taken.changed = changed.into_iter().collect();
        return taken;
    }
    state.cursor = response.cursor;
    state.scopes_key = response.scopes_key.clone();
    if !response.more {
        state.last_sync_ms = Some(now_ms);
        taken.sweep = state.pass.take();
    }
    taken.changed = changed.into_iter().collect();
    taken
}

/// After the server's database was restored from a copy: every write this device made that
/// its records still hold (winning or in a field's history), as new outbox entries, oldest
/// first, one per record and clock time as they were first made. They **replace** the outbox
/// (whatever waited in it is among them; the server took none of it, see
/// [`SyncRequest::epoch`]), and no later edit merges into them. The server takes them as any
/// edit (checked, stamped with the person); what the copy already holds it settles without a
/// check. Writes of other people are not sent: only their own devices may write them; nor
/// writes the server re-dated (their clock values are no longer this device's).
pub fn resend<'a>(
    state: &mut DeviceState,
    records: impl IntoIterator<Item = &'a Record>,
) -> Vec<Mutation> {
    let mut changes: BTreeMap<(crate::hlc::Hlc, Uuid), Change> = BTreeMap::new();
    for record in records {
        for (name, field) in &record.fields {
            let writes = std::iter::once((&field.hlc, &field.value))
                .chain(field.history.iter().map(|w| (&w.hlc, &w.value)));
            for (hlc, value) in writes.filter(|(hlc, _)| hlc.device == state.device) {
                changes
                    .entry((hlc.clone(), record.id))
                    .or_insert_with(|| Change {
                        record: record.id,
                        kind: record.kind.clone(),
                        scope: record.scope.clone(),
                        parent: record.parent,
                        hlc: hlc.clone(),
                        fields: BTreeMap::new(),
                    })
                    .fields
                    .insert(name.clone(), value.clone());
            }
        }
    }
    let again: Vec<Mutation> = changes
        .into_values()
        .map(|change| {
            let seq = state.next_seq;
            state.next_seq += 1;
            Mutation { seq, change }
        })
        .collect();
    state.sent_upto = state.next_seq - 1;
    again
}

/// The record ids a response needs loaded before [`take_response`].
pub fn records_needed(outbox: &[Mutation], response: &SyncResponse) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = response.changes.iter().map(|c| c.record).collect();
    for seq in response
        .refused
        .iter()
        .map(|r| r.seq)
        .chain(response.restamped.iter().map(|r| r.seq))
    {
        if let Some(m) = outbox.iter().find(|m| m.seq == seq) {
            ids.push(m.change.record);
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Scope;
    use serde_json::json;

    fn answer(epoch: &str, cursor: u64) -> SyncResponse {
        SyncResponse {
            protocol: PROTOCOL_VERSION,
            acked_upto: 0,
            refused: Vec::new(),
            restamped: Vec::new(),
            unreadable: Vec::new(),
            reset: false,
            changes: Vec::new(),
            cursor,
            more: false,
            remaining: 0,
            scopes_key: "k".into(),
            server_time_ms: 1_000,
            epoch: epoch.into(),
        }
    }

    fn fields(v: serde_json::Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap()
    }

    /// The first answer only tells the epoch; a new one sends the cursor back to the start
    /// as a pass, and the device's own writes (winning or not) go again, oldest first, while
    /// another device's writes do not.
    #[test]
    fn a_restored_server_gets_this_devices_writes_again() {
        let mut state = DeviceState::new(DeviceId::from_random([1; 8]));
        let mut records = HashMap::new();
        let taken = take_response(&mut state, 1_000, &[], &mut records, &answer("a", 40));
        assert!(!taken.restored);
        assert_eq!((state.cursor, state.epoch.as_deref()), (40, Some("a")));
        let taken = take_response(&mut state, 1_000, &[], &mut records, &answer("a", 41));
        assert!(!taken.restored);

        let id = Uuid::from_u128(7);
        let mut record = Record::new(id, "consultation", Scope::Centre, None);
        edit(
            &mut state,
            2_000,
            &mut record,
            fields(json!({"topic": "Первая", "state": "new"})),
            None,
        );
        edit(
            &mut state,
            3_000,
            &mut record,
            fields(json!({"topic": "Вторая"})),
            None,
        );
        // Another person's later write wins the field; this device's stays in its history.
        let mut other = Clock::new(DeviceId::from_random([2; 8]));
        let theirs = other.tick(4_000);
        record.apply(
            "topic",
            crate::record::Write {
                hlc: theirs.clone(),
                value: json!("Их"),
            },
        );
        records.insert(id, record.clone());

        let taken = take_response(&mut state, 5_000, &[], &mut records, &answer("b", 3));
        assert!(taken.restored);
        assert_eq!(state.cursor, 0, "everything again from the start");
        assert!(
            state.pass.is_some(),
            "as a pass that drops what nobody sends again"
        );
        assert_eq!(state.epoch.as_deref(), Some("b"));
        let next = state.next_seq;
        let again = resend(&mut state, records.values());
        assert_eq!(again.len(), 2, "{again:?}");
        assert_eq!(again[0].seq, next);
        assert_eq!(again[1].seq, next + 1);
        assert!(again[0].change.hlc < again[1].change.hlc, "oldest first");
        assert_eq!(
            again[0].change.fields,
            fields(json!({"topic": "Первая", "state": "new"}))
        );
        assert_eq!(again[1].change.fields, fields(json!({"topic": "Вторая"})));
        assert!(again.iter().all(|m| m.change.hlc != theirs));
        // Taken in again elsewhere, they leave the record as it is.
        let mut copy = record.clone();
        for m in &again {
            assert!(!m.change.apply_to(&mut copy));
        }
    }

    /// A record deleted here and then edited elsewhere, or edited here after another tab
    /// deleted it, is listed for a person to decide; deleting it again or putting it back
    /// takes it off the list. A state stored before the list was kept starts it from every
    /// record it is given.
    #[test]
    fn records_awaiting_a_decision_are_listed_as_they_change() {
        let mut state = DeviceState::new(DeviceId::from_random([1; 8]));
        let id = Uuid::from_u128(7);
        let mut record = Record::new(id, "consultation", Scope::Centre, None);
        edit(
            &mut state,
            1_000,
            &mut record,
            fields(json!({"topic": "Первая"})),
            None,
        );
        let deletion = record.deletion_value();
        edit(
            &mut state,
            2_000,
            &mut record,
            fields(json!({ "_deleted": deletion })),
            None,
        );
        assert_eq!(
            state.undecided,
            Some(BTreeSet::new()),
            "a deletion that saw everything"
        );

        // Another computer, which had not heard of the deletion, changes the topic.
        let mut other = DeviceState::new(DeviceId::from_random([2; 8]));
        other.clock.observe(&record.fields["topic"].hlc);
        let mut theirs = Record::new(id, "consultation", Scope::Centre, None);
        let OutboxOp::Append(m) = edit(
            &mut other,
            3_000,
            &mut theirs,
            fields(json!({"topic": "Вторая"})),
            None,
        ) else {
            panic!("a first edit appends");
        };
        let mut records = HashMap::from([(id, record.clone())]);
        let mut response = answer("a", 1);
        response.changes.push(m.change.clone());
        take_response(&mut state, 4_000, &[], &mut records, &response);
        assert_eq!(state.undecided, Some(BTreeSet::from([id])));

        // Deleted again, having seen it: decided.
        let mut record = records[&id].clone();
        let deletion = record.deletion_value();
        edit(
            &mut state,
            5_000,
            &mut record,
            fields(json!({ "_deleted": deletion })),
            None,
        );
        assert_eq!(state.undecided, Some(BTreeSet::new()));
        // Edited here after the deletion (a page left open in another tab), then put back.
        edit(
            &mut state,
            6_000,
            &mut record,
            fields(json!({"topic": "Третья"})),
            None,
        );
        assert_eq!(state.undecided, Some(BTreeSet::from([id])));
        let back = BTreeMap::from([("_deleted".to_owned(), Record::restoration_value())]);
        edit(&mut state, 7_000, &mut record, back, None);
        assert_eq!(state.undecided, Some(BTreeSet::new()));

        // A state from before the list: nothing is noted until it is started from every record.
        other.undecided = None;
        let mut gone = record.clone();
        let deletion = json!({ "deleted": true, "seen": {} });
        edit(
            &mut other,
            8_000,
            &mut gone,
            fields(json!({ "_deleted": deletion })),
            None,
        );
        assert_eq!(other.undecided, None);
        other.note_decisions([&gone]);
        assert_eq!(other.undecided, Some(BTreeSet::from([id])));
    }
}
