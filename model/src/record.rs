//! Records: everything a user creates is a record `{id, kind, scope, parent, fields}`. Each
//! field keeps its winning write (the one with the latest clock) and the losing writes in its
//! history, so merging is a union of writes: commutative, associative and idempotent.
//!
//! The history is bounded: a field keeps its first write and each device's latest
//! [`KEPT_PER_DEVICE`] writes, and of those the latest [`KEPT_IN_ALL`]. A text typed over a
//! morning is synced at every pause, and each sync would otherwise add a whole copy of it to
//! every copy of the record, on every computer, without end; and a person may sign in on any
//! number of new devices (or make up their ids), so a bound per device alone bounds nothing.
//! Which writes are kept depends only on the set of writes seen, not on the order they arrived
//! in, so merging stays a union (of the latest writes). Every write is
//! still in the server's change log (the audit history, with who and when): what a record lets
//! go is an old draft of one device, never the last word of anyone.
//!
//! Deletion is the field [`DELETED`]. A deletion remembers which writes its device had seen;
//! a field whose value is a write the deleting device had not seen makes the record a
//! *deletion conflict* that a person resolves (restore or delete for good) — never a silent
//! resurrection or a silent loss.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::hlc::{DeviceId, Hlc};

/// The field that marks a record deleted: `{"deleted": bool, "seen": {device: hlc}}`.
pub const DELETED: &str = "_deleted";

/// Where a record belongs; access is decided per scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The whole municipality (the centre's own records).
    Centre,
    School(Uuid),
    /// One person's own records (e.g. the surveys of a mentor, who has no school).
    Person(Uuid),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Centre => f.write_str("centre"),
            Scope::School(id) => write!(f, "school:{id}"),
            Scope::Person(id) => write!(f, "person:{id}"),
        }
    }
}

impl FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "centre" {
            return Ok(Scope::Centre);
        }
        let id = |prefix: &str| {
            s.strip_prefix(prefix)
                .and_then(|id| Uuid::parse_str(id).ok())
        };
        id("school:")
            .map(Scope::School)
            .or_else(|| id("person:").map(Scope::Person))
            .ok_or_else(|| format!("bad scope {s:?}"))
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The id of the one record of `kind` a scope has (e.g. the profile of a school): the same on
/// every device, so two devices filling it offline fill one record.
pub fn singleton_id(kind: &str, scope: &Scope) -> Uuid {
    stable_id(&format!("{kind}/{scope}"))
}

/// A record id derived from a key: the same on every device and on the server.
pub fn stable_id(key: &str) -> Uuid {
    let hi = crate::fingerprint::fnv1a(key.as_bytes());
    let lo = crate::fingerprint::fnv1a(format!("{key}/2").as_bytes());
    // Version 8 ("custom") and the RFC 4122 variant.
    let bytes = ((u128::from(hi) << 64 | u128::from(lo)) & !(0xf << 76) & !(0x3 << 62))
        | (0x8 << 76)
        | (0x2 << 62);
    Uuid::from_u128(bytes)
}

/// A deletion cannot have seen a write later than itself: every "seen" clock value of a
/// deletion mark later than `hlc` (or unreadable) becomes `hlc`. Returns whether it changed.
pub fn bound_deletion(value: &mut Value, hlc: &Hlc) -> bool {
    let Some(seen) = value.get_mut("seen").and_then(Value::as_object_mut) else {
        return false;
    };
    let mut changed = false;
    for v in seen.values_mut() {
        let later = v
            .as_str()
            .and_then(|s| s.parse::<Hlc>().ok())
            .is_none_or(|h| &h > hlc);
        if later {
            *v = Value::String(hlc.to_string());
            changed = true;
        }
    }
    changed
}

/// One write of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Write {
    pub hlc: Hlc,
    pub value: Value,
}

/// How many of one device's writes of a field a record keeps (its latest; the field's first
/// write is kept besides): enough to see and take back the last edits, few enough that a
/// field edited all day does not grow without end.
pub const KEPT_PER_DEVICE: usize = 10;

/// How many writes of a field a record keeps in all, the winner included (the field's first
/// write is kept besides): the latest of each device's kept ones.
pub const KEPT_IN_ALL: usize = 30;

/// A field: the winning write, and the other writes kept (see [`KEPT_PER_DEVICE`]), oldest
/// first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldState {
    pub value: Value,
    pub hlc: Hlc,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Write>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: Uuid,
    pub kind: String,
    pub scope: Scope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Uuid>,
    /// The person the record belongs to (a personal response), stamped by the server when the
    /// record is created; never taken from a device, never sent in a change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Uuid>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldState>,
    /// On a device only: the sync pass that last delivered this record whole, after the
    /// person's access changed (see `sync::client::keep`). The server never sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<u64>,
}

/// Two copies of a record are equal when they hold the same writes (a device's pass mark is
/// bookkeeping, not content).
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        (
            &self.id,
            &self.kind,
            &self.scope,
            &self.parent,
            &self.owner,
            &self.fields,
        ) == (
            &other.id,
            &other.kind,
            &other.scope,
            &other.parent,
            &other.owner,
            &other.fields,
        )
    }
}

impl Record {
    pub fn new(id: Uuid, kind: &str, scope: Scope, parent: Option<Uuid>) -> Record {
        Record {
            id,
            kind: kind.to_owned(),
            scope,
            parent,
            owner: None,
            fields: BTreeMap::new(),
            pass: None,
        }
    }

    /// Merges one write of `field`; returns whether the record changed.
    pub fn apply(&mut self, field: &str, write: Write) -> bool {
        let Some(state) = self.fields.get_mut(field) else {
            self.fields.insert(
                field.to_owned(),
                FieldState {
                    value: write.value,
                    hlc: write.hlc,
                    history: Vec::new(),
                },
            );
            return true;
        };
        if state.holds(&write.hlc) {
            return false;
        }
        let hlc = write.hlc.clone();
        if write.hlc > state.hlc {
            let old = Write {
                hlc: std::mem::replace(&mut state.hlc, write.hlc),
                value: std::mem::replace(&mut state.value, write.value),
            };
            insert_sorted(&mut state.history, old);
        } else {
            insert_sorted(&mut state.history, write);
        }
        state.bound();
        // Unchanged when the write is an old one of its device, let go at once.
        state.holds(&hlc)
    }

    /// Merges every write of `other` (same id) into this record.
    pub fn merge(&mut self, other: &Record) -> bool {
        let mut changed = false;
        for (name, state) in &other.fields {
            for w in state.writes() {
                changed |= self.apply(name, w.clone());
            }
        }
        changed
    }

    /// Takes a write back out (the server refused it): the field falls back to the latest
    /// remaining write, or disappears if there is none. (A write of this device's that the
    /// taken one had pushed out of the history stays out: the server's copy, which never took
    /// the refused write, may keep one older draft more.)
    pub fn retract(&mut self, field: &str, hlc: &Hlc) {
        let Some(state) = self.fields.get_mut(field) else {
            return;
        };
        if &state.hlc == hlc {
            match state.history.pop() {
                Some(prev) => {
                    state.hlc = prev.hlc;
                    state.value = prev.value;
                }
                None => {
                    self.fields.remove(field);
                }
            }
        } else {
            state.history.retain(|w| &w.hlc != hlc);
        }
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).map(|s| &s.value)
    }

    pub fn text(&self, field: &str) -> String {
        match self.get(field) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    }

    pub fn is_deleted(&self) -> bool {
        self.get(DELETED)
            .and_then(|v| v.get("deleted"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// For each device, the latest of its writes this record holds (all fields, history too):
    /// what a deletion made now has "seen".
    pub fn seen(&self) -> BTreeMap<String, Hlc> {
        let mut seen: BTreeMap<String, Hlc> = BTreeMap::new();
        for (name, state) in &self.fields {
            if name == DELETED {
                continue;
            }
            for w in state.writes() {
                let entry = seen.entry(w.hlc.device.as_str().to_owned());
                match entry {
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(w.hlc.clone());
                    }
                    std::collections::btree_map::Entry::Occupied(mut o) => {
                        if &w.hlc > o.get() {
                            o.insert(w.hlc.clone());
                        }
                    }
                }
            }
        }
        seen
    }

    /// The value of a deletion write made now.
    pub fn deletion_value(&self) -> Value {
        serde_json::json!({ "deleted": true, "seen": self.seen() })
    }

    /// Deleted, but a field's value is a write the deleting device had not seen: a person must
    /// decide. Only the values count, not the histories: an unseen write that a seen one has
    /// since replaced shows nothing the deleting person did not see, and a reader who began to
    /// read the record late holds its values but not its earlier drafts, so every copy decides
    /// alike.
    pub fn deletion_conflict(&self) -> bool {
        !self.unseen_by_deletion().is_empty()
    }

    /// Of a deleted record, the fields whose value is a write the deletion had not seen (what
    /// was changed elsewhere meanwhile, for a person to look at before deciding); none when the
    /// record is not deleted.
    pub fn unseen_by_deletion(&self) -> Vec<(&str, &FieldState)> {
        if !self.is_deleted() {
            return Vec::new();
        }
        let seen: BTreeMap<String, Hlc> = self
            .get(DELETED)
            .and_then(|v| v.get("seen"))
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .unwrap_or_default();
        self.fields
            .iter()
            .filter(|(name, _)| name.as_str() != DELETED)
            .filter(|(_, state)| {
                seen.get(state.hlc.device.as_str())
                    .is_none_or(|s| &state.hlc > s)
            })
            .map(|(name, state)| (name.as_str(), state))
            .collect()
    }

    /// The value of a write that puts a deleted record back.
    pub fn restoration_value() -> Value {
        serde_json::json!({ "deleted": false })
    }

    /// Deleted, with nothing for a person to decide ([`Record::deletion_conflict`]): gone for
    /// its readers.
    pub fn is_gone(&self) -> bool {
        self.is_deleted() && !self.deletion_conflict()
    }

    /// Each field's value as the change that wrote it, one change per clock value, oldest
    /// first: how a record is handed to a reader who could not read it before. Its histories
    /// stay behind: what was written before the reader could read it (a mentor's drafts of a
    /// recommendation sent later) is not theirs to see. Of a record that is gone
    /// ([`Record::is_gone`]) only the deletion is handed: what it held was deleted before the
    /// reader could read it (a file taken off a draft material that is published later).
    pub fn current_writes(&self) -> Vec<(Hlc, BTreeMap<String, Value>)> {
        let mut by_hlc: BTreeMap<Hlc, BTreeMap<String, Value>> = BTreeMap::new();
        let gone = self.is_gone();
        for (name, state) in self.fields.iter().filter(|(n, _)| !gone || *n == DELETED) {
            by_hlc
                .entry(state.hlc.clone())
                .or_default()
                .insert(name.clone(), state.value.clone());
        }
        by_hlc.into_iter().collect()
    }

    /// The latest clock of any write in the record.
    /// When the record was first written (ms): its earliest write that is kept.
    pub fn created_ms(&self) -> Option<u64> {
        self.earliest().map(|h| h.wall_ms)
    }

    /// The clock of its earliest write that is kept (a field's first write always is).
    fn earliest(&self) -> Option<&Hlc> {
        self.fields
            .values()
            .flat_map(|s| std::iter::once(&s.hlc).chain(s.history.iter().map(|w| &w.hlc)))
            .min()
    }

    pub fn latest(&self) -> Option<&Hlc> {
        self.fields.values().map(|s| &s.hlc).max()
    }

    /// Does the record hold a write of `device` (a value or one kept in a field's history)?
    pub fn written_by(&self, device: &DeviceId) -> bool {
        self.fields
            .values()
            .any(|s| &s.hlc.device == device || s.history.iter().any(|w| &w.hlc.device == device))
    }

    /// Who wrote the winning value of a field.
    pub fn writer(&self, field: &str) -> Option<&DeviceId> {
        self.fields.get(field).map(|s| &s.hlc.device)
    }
}

impl FieldState {
    /// Whether the field holds the write with this clock value.
    fn holds(&self, hlc: &Hlc) -> bool {
        &self.hlc == hlc || self.history.iter().any(|w| &w.hlc == hlc)
    }

    /// Lets go of each device's writes older than its latest [`KEPT_PER_DEVICE`], and then of
    /// those left older than the latest [`KEPT_IN_ALL`], except the field's first write. The
    /// writes kept are those of the whole set ever seen (a device's latest stay its latest,
    /// and the latest of all stay the latest, whatever else arrives; a write let go had as many
    /// newer ones kept, which only newer ones ever push out), so copies that saw the same
    /// writes keep the same ones, in whatever order the writes came.
    fn bound(&mut self) {
        // (A device over its bound holds more than the bound besides the first write.)
        if self.history.len() <= KEPT_PER_DEVICE {
            return;
        }
        let mut counted: BTreeMap<&DeviceId, usize> = BTreeMap::new();
        counted.insert(&self.hlc.device, 1);
        let mut in_all = 1;
        let mut over = vec![false; self.history.len()];
        // Newest first; the oldest (index 0) is the field's first write and always kept.
        for (i, w) in self.history.iter().enumerate().skip(1).rev() {
            let n = counted.entry(&w.hlc.device).or_default();
            *n += 1;
            over[i] = *n > KEPT_PER_DEVICE;
            if !over[i] {
                in_all += 1;
                over[i] = in_all > KEPT_IN_ALL;
            }
        }
        if over.contains(&true) {
            let mut over = over.into_iter();
            self.history.retain(|_| !over.next().unwrap_or(false));
        }
    }

    /// Every write of the field: the history, then the winner.
    pub fn writes(&self) -> impl Iterator<Item = Write> + '_ {
        self.history.iter().cloned().chain(std::iter::once(Write {
            hlc: self.hlc.clone(),
            value: self.value.clone(),
        }))
    }
}

fn insert_sorted(history: &mut Vec<Write>, w: Write) {
    let at = history.partition_point(|x| x.hlc < w.hlc);
    history.insert(at, w);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn dev(n: u8) -> DeviceId {
        DeviceId::from_random([n; 8])
    }

    fn hlc(wall: u64, n: u8) -> Hlc {
        Hlc {
            wall_ms: wall,
            counter: 0,
            device: dev(n),
        }
    }

    fn rec() -> Record {
        Record::new(Uuid::nil(), "school_profile", Scope::Centre, None)
    }

    #[test]
    fn later_write_wins_and_the_loser_is_kept() {
        let mut r = rec();
        r.apply(
            "phone",
            Write {
                hlc: hlc(2, 1),
                value: json!("222"),
            },
        );
        r.apply(
            "phone",
            Write {
                hlc: hlc(1, 2),
                value: json!("111"),
            },
        );
        assert_eq!(r.text("phone"), "222");
        assert_eq!(
            r.fields["phone"].history,
            vec![Write {
                hlc: hlc(1, 2),
                value: json!("111")
            }]
        );
        assert!(
            !r.apply(
                "phone",
                Write {
                    hlc: hlc(1, 2),
                    value: json!("111")
                }
            ),
            "idempotent"
        );
    }

    #[test]
    fn retract_falls_back() {
        let mut r = rec();
        r.apply(
            "a",
            Write {
                hlc: hlc(1, 1),
                value: json!(1),
            },
        );
        r.apply(
            "a",
            Write {
                hlc: hlc(2, 1),
                value: json!(2),
            },
        );
        r.retract("a", &hlc(2, 1));
        assert_eq!(r.get("a"), Some(&json!(1)));
        r.retract("a", &hlc(1, 1));
        assert_eq!(r.get("a"), None);
    }

    #[test]
    fn deletion_conflict_only_for_unseen_writes() {
        let mut r = rec();
        r.apply(
            "a",
            Write {
                hlc: hlc(1, 1),
                value: json!("x"),
            },
        );
        // Device 2 deletes having seen device 1's write.
        let del = r.deletion_value();
        r.apply(
            DELETED,
            Write {
                hlc: hlc(5, 2),
                value: del,
            },
        );
        assert!(r.is_deleted());
        assert!(!r.deletion_conflict());
        // Device 1, offline, edits again: a conflict, and the edit is kept.
        r.apply(
            "a",
            Write {
                hlc: hlc(3, 1),
                value: json!("y"),
            },
        );
        assert!(r.deletion_conflict());
        assert_eq!(r.text("a"), "y");
        // Deleting for good (having seen everything) resolves it; so does restoring.
        let mut gone = r.clone();
        let del = gone.deletion_value();
        gone.apply(
            DELETED,
            Write {
                hlc: hlc(6, 2),
                value: del,
            },
        );
        assert!(gone.is_deleted() && !gone.deletion_conflict());
        r.apply(
            DELETED,
            Write {
                hlc: hlc(6, 2),
                value: json!({ "deleted": false }),
            },
        );
        assert!(!r.is_deleted() && !r.deletion_conflict());
    }

    #[test]
    fn an_unseen_write_since_replaced_by_a_seen_one_is_no_conflict() {
        let mut r = rec();
        let w = |ms, dev, v: &str| Write {
            hlc: hlc(ms, dev),
            value: json!(v),
        };
        // Device 1's write reaches device 2 late; device 3's later one reaches it first.
        r.apply("a", w(3, 3, "третий"));
        let del = r.deletion_value();
        r.apply(
            DELETED,
            Write {
                hlc: hlc(5, 2),
                value: del,
            },
        );
        r.apply("a", w(2, 1, "первый"));
        assert!(r.is_deleted());
        assert!(
            !r.deletion_conflict(),
            "the value is the one the deletion saw"
        );
        // A later unseen write is.
        r.apply("a", w(4, 1, "снова первый"));
        assert!(r.deletion_conflict());
    }

    #[test]
    fn a_new_reader_receives_values_not_drafts() {
        let mut r = rec();
        for (ms, v) in [(1, "черновик"), (2, "ещё черновик"), (3, "итог")] {
            r.apply(
                "text",
                Write {
                    hlc: hlc(ms, 1),
                    value: json!(v),
                },
            );
        }
        r.apply(
            "state",
            Write {
                hlc: hlc(3, 1),
                value: json!("sent"),
            },
        );
        let writes = r.current_writes();
        assert_eq!(writes.len(), 1, "{writes:?}");
        assert_eq!(writes[0].0, hlc(3, 1));
        assert_eq!(writes[0].1["text"], json!("итог"));
        assert_eq!(writes[0].1["state"], json!("sent"));
        let mut copy = Record::new(r.id, &r.kind, r.scope.clone(), None);
        for (h, fields) in writes {
            for (name, value) in fields {
                copy.apply(
                    &name,
                    Write {
                        hlc: h.clone(),
                        value,
                    },
                );
            }
        }
        assert_eq!(copy.text("text"), "итог");
        assert!(copy.fields["text"].history.is_empty());
    }

    #[test]
    fn singleton_ids_are_stable_and_distinct() {
        let a = Scope::School(Uuid::from_u128(1));
        let b = Scope::School(Uuid::from_u128(2));
        assert_eq!(
            singleton_id("school_profile", &a),
            singleton_id("school_profile", &a)
        );
        assert_ne!(
            singleton_id("school_profile", &a),
            singleton_id("school_profile", &b)
        );
        assert_eq!(singleton_id("school_profile", &a).get_version_num(), 8);
    }

    #[test]
    fn json_shape() {
        let mut r = rec();
        r.apply(
            "a",
            Write {
                hlc: hlc(1, 1),
                value: json!("x"),
            },
        );
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["scope"], "centre");
        assert_eq!(
            v["fields"]["a"]["hlc"],
            "000000000001.0000.0101010101010101"
        );
        assert!(v["fields"]["a"].get("history").is_none());
        assert_eq!(serde_json::from_value::<Record>(v).unwrap(), r);
        let s: Scope = "school:00000000-0000-0000-0000-000000000000"
            .parse()
            .unwrap();
        assert_eq!(s, Scope::School(Uuid::nil()));
        assert!("school:x".parse::<Scope>().is_err());
    }

    fn arb_writes() -> impl Strategy<Value = Vec<(String, Write)>> {
        proptest::collection::vec(
            (0u8..3, 0u64..20, 0u8..3, 0i64..5).prop_map(|(f, wall, d, v)| {
                (
                    format!("f{f}"),
                    Write {
                        hlc: hlc(wall, d),
                        value: json!(v),
                    },
                )
            }),
            0..25,
        )
    }

    /// Many writes of few fields by few devices: each device writes a field more often than
    /// the history keeps.
    fn arb_many_writes() -> impl Strategy<Value = Vec<(String, Write)>> {
        proptest::collection::vec(
            (0u8..2, 0u64..60, 0u8..2).prop_map(|(f, wall, d)| {
                (
                    format!("f{f}"),
                    Write {
                        hlc: hlc(wall, d),
                        value: json!(0),
                    },
                )
            }),
            0..90,
        )
    }

    /// Many writes of one field by many devices: more than the history keeps in all.
    fn arb_many_devices() -> impl Strategy<Value = Vec<(String, Write)>> {
        proptest::collection::vec(
            (0u64..200, 0u8..12).prop_map(|(wall, d)| {
                (
                    "f0".to_owned(),
                    Write {
                        hlc: hlc(wall, d),
                        value: json!(0),
                    },
                )
            }),
            0..160,
        )
    }

    /// Any kind of writes above.
    fn arb_any_writes() -> impl Strategy<Value = Vec<(String, Write)>> {
        prop_oneof![arb_writes(), arb_many_writes(), arb_many_devices()]
    }

    /// What a record must keep of these writes, per field: the first, and of each device's
    /// latest [`KEPT_PER_DEVICE`] the latest [`KEPT_IN_ALL`].
    fn kept(writes: &[(String, Write)]) -> BTreeMap<String, Vec<Hlc>> {
        let mut all: BTreeMap<String, Vec<Hlc>> = BTreeMap::new();
        for (f, w) in writes {
            all.entry(f.clone()).or_default().push(w.hlc.clone());
        }
        all.into_iter()
            .map(|(f, mut hlcs)| {
                hlcs.sort();
                hlcs.dedup();
                let first = hlcs[0].clone();
                let mut kept: Vec<Hlc> = hlcs[1..]
                    .iter()
                    .filter(|h| {
                        hlcs.iter()
                            .filter(|later| later.device == h.device && later > h)
                            .count()
                            < KEPT_PER_DEVICE
                    })
                    .cloned()
                    .collect();
                kept.drain(..kept.len().saturating_sub(KEPT_IN_ALL));
                if kept.first() != Some(&first) {
                    kept.insert(0, first);
                }
                (f, kept)
            })
            .collect()
    }

    #[test]
    fn a_field_edited_all_day_keeps_its_first_write_and_each_devices_latest() {
        let mut r = rec();
        // One device saves a text at each pause for 100 pauses; another wrote it once between.
        for i in 1..=100 {
            r.apply(
                "text",
                Write {
                    hlc: hlc(i * 1_000, 1),
                    value: json!(format!("черновик {i}")),
                },
            );
            if i == 50 {
                r.apply(
                    "text",
                    Write {
                        hlc: hlc(50_500, 2),
                        value: json!("с другого компьютера"),
                    },
                );
            }
        }
        let f = &r.fields["text"];
        assert_eq!(f.value, json!("черновик 100"));
        let walls: Vec<u64> = f.history.iter().map(|w| w.hlc.wall_ms).collect();
        // The first draft, the other computer's write, and this device's 9 before the winner.
        assert_eq!(
            walls,
            [
                1_000, 50_500, 91_000, 92_000, 93_000, 94_000, 95_000, 96_000, 97_000, 98_000,
                99_000
            ]
        );
        assert_eq!(r.created_ms(), Some(1_000));
        // A write older than the ten kept is let go at once: the record does not change.
        let before = r.clone();
        assert!(!r.apply(
            "text",
            Write {
                hlc: hlc(60_000, 1),
                value: json!("старый черновик"),
            },
        ));
        assert_eq!(r, before);
        // A history longer than the bound (stored before it) is cut at the next write.
        let mut long = rec();
        long.apply(
            "text",
            Write {
                hlc: hlc(1_000_000, 1),
                value: json!("x"),
            },
        );
        long.fields.get_mut("text").unwrap().history = (1..=40)
            .map(|i| Write {
                hlc: hlc(i, 1),
                value: json!(i),
            })
            .collect();
        long.apply(
            "text",
            Write {
                hlc: hlc(2_000_000, 1),
                value: json!("y"),
            },
        );
        assert_eq!(long.fields["text"].history.len(), KEPT_PER_DEVICE);
        assert_eq!(long.fields["text"].history[0].hlc.wall_ms, 1);
    }

    fn build(writes: &[(String, Write)]) -> Record {
        let mut r = rec();
        for (f, w) in writes {
            // Two writes with one clock are one write: keep the values consistent.
            let w = Write {
                value: json!(format!("{}", w.hlc)),
                ..w.clone()
            };
            r.apply(f, w);
        }
        r
    }

    proptest! {
        #[test]
        fn merge_is_commutative(a in arb_any_writes(), b in arb_any_writes()) {
            let (ra, rb) = (build(&a), build(&b));
            let mut ab = ra.clone();
            ab.merge(&rb);
            let mut ba = rb.clone();
            ba.merge(&ra);
            prop_assert_eq!(&ab, &ba);
            // The same as one copy that saw every write.
            prop_assert_eq!(ab, build(&[a, b].concat()));
        }

        #[test]
        fn merge_is_associative(a in arb_any_writes(), b in arb_any_writes(), c in arb_any_writes()) {
            let (ra, rb, rc) = (build(&a), build(&b), build(&c));
            let mut left = ra.clone();
            left.merge(&rb);
            left.merge(&rc);
            let mut bc = rb.clone();
            bc.merge(&rc);
            let mut right = ra.clone();
            right.merge(&bc);
            prop_assert_eq!(left, right);
        }

        #[test]
        fn merge_is_idempotent(a in arb_any_writes()) {
            let ra = build(&a);
            let mut twice = ra.clone();
            prop_assert!(!twice.merge(&ra));
            prop_assert_eq!(twice, ra);
        }

        /// Any delivery order (with repeats) of the same writes gives the same record.
        #[test]
        fn any_order_converges(a in arb_any_writes(), seed in any::<u64>()) {
            let reference = build(&a);
            let mut shuffled = a.clone();
            shuffled.extend(a.iter().take(seed as usize % (a.len() + 1)).cloned());
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(build(&shuffled), reference);
        }

        /// A record keeps exactly each field's first write and each device's latest writes (all
        /// of them, when no device wrote a field more often than the bound).
        #[test]
        fn a_record_keeps_the_first_and_the_latest_writes(a in arb_any_writes()) {
            let r = build(&a);
            for (f, hlcs) in kept(&a) {
                let held: Vec<Hlc> = r.fields[&f].writes().map(|w| w.hlc).collect();
                prop_assert_eq!(held, hlcs);
            }
        }
    }
}
