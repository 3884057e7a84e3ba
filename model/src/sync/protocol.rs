//! The versioned wire types of `POST /api/sync`: one round trip pushes a batch of the device's
//! mutations and pulls the changes after its cursor.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::ErrorCode;
use crate::hlc::{DeviceId, Hlc};
use crate::record::{Record, Scope, Write};

pub const PROTOCOL_VERSION: u32 = 2;
/// The most mutations a device sends in one request.
pub const MAX_PUSH: usize = 500;
/// A request's JSON is kept under this size by the device (the server accepts up to twice).
pub const MAX_PUSH_BYTES: usize = 1024 * 1024;

/// One edit of one record on one device: some fields written at one clock time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// The device's own number for it, increasing; with the device id it makes retries safe.
    pub seq: u64,
    pub change: Change,
}

/// A set of field writes to one record, as devices send them and receive them back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub record: Uuid,
    pub kind: String,
    pub scope: Scope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Uuid>,
    pub hlc: Hlc,
    pub fields: BTreeMap<String, Value>,
}

impl Change {
    /// Merges the writes into `record` (which must be the same record).
    pub fn apply_to(&self, record: &mut Record) -> bool {
        let mut changed = false;
        for (name, value) in &self.fields {
            changed |= record.apply(
                name,
                Write {
                    hlc: self.hlc.clone(),
                    value: value.clone(),
                },
            );
        }
        changed
    }

    /// A new, empty record this change belongs to.
    pub fn new_record(&self) -> Record {
        Record::new(self.record, &self.kind, self.scope.clone(), self.parent)
    }
}

/// The length in bytes of a value's JSON, counted without keeping the text (the size a change
/// or a field takes on the wire).
pub fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Counting cannot fail, and serialising these types does not either.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

impl Mutation {
    /// A stable fingerprint of the content: a retried mutation must be byte-for-byte the same.
    pub fn fingerprint(&self) -> u64 {
        crate::fingerprint::fnv1a_of_json(self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub protocol: u32,
    pub device: DeviceId,
    /// The server sequence number up to which this device has everything.
    pub cursor: u64,
    /// The fingerprint of the grants the cursor was reached with ("" at first).
    #[serde(default)]
    pub scopes_key: String,
    /// The device is receiving everything again (its grants changed) and wants its own changes
    /// too, to know which records it may keep.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub full: bool,
    /// The seq of the first change; the others follow one by one (the outbox is contiguous),
    /// so the numbers need not travel.
    #[serde(default)]
    pub first_seq: u64,
    #[serde(default)]
    pub changes: Vec<Change>,
    /// The epoch of the server's database this device last saw ("" before its first answer).
    /// When the database has another one (it was restored from a copy), the server takes none
    /// of the changes: the device learns the new epoch and sends all it wrote again.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub epoch: String,
}

impl SyncRequest {
    /// The pushed changes with their seqs. Changes whose number would pass `u64::MAX` are left
    /// out (no device counts that far; a request that claims to is not taken further).
    pub fn mutations(&self) -> Vec<Mutation> {
        self.changes
            .iter()
            .zip(self.first_seq..=u64::MAX)
            .map(|(change, seq)| Mutation {
                seq,
                change: change.clone(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    /// Applied with the server's clock value instead of the device's (which was too far ahead).
    Restamped {
        hlc: Hlc,
    },
    /// Not accepted: kept on the device and shown as "не принято: <message>".
    Rejected {
        code: ErrorCode,
        message: String,
    },
}

impl Outcome {
    pub fn applied(&self) -> bool {
        !matches!(self, Outcome::Rejected { .. })
    }
}

/// An applied mutation whose clock value the server replaced: the device replaces it too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Restamp {
    pub seq: u64,
    pub hlc: Hlc,
}

/// A mutation of the request that was not accepted, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    pub seq: u64,
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub protocol: u32,
    /// Every mutation of the request up to this seq is settled: applied, or listed in
    /// `refused`. The device may drop them from its outbox.
    pub acked_upto: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refusal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restamped: Vec<Restamp>,
    /// Records the request wrote that the person may not read (their grants changed
    /// meanwhile): the device takes them off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<Uuid>,
    /// The changes start again from the beginning (the grants changed): once this pass ends
    /// (`more: false`), the device drops every record it did not receive in it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
    pub changes: Vec<Change>,
    /// The new cursor: store it together with the changes.
    pub cursor: u64,
    /// More changes are waiting: sync again at once.
    pub more: bool,
    /// Every change up to the new cursor that this page holds, across pages: for progress.
    #[serde(default)]
    pub remaining: u64,
    pub scopes_key: String,
    pub server_time_ms: u64,
    /// The database's epoch: it changes when the database is restored from a copy. A device
    /// that sees a new one sends again what it wrote (the copy may lack it) and receives
    /// everything from the start (its cursor points into the old log).
    #[serde(default)]
    pub epoch: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_len_is_the_length_of_the_json_text() {
        let value = serde_json::json!({"директор": "Кузнецова О. П.", "n": [1, 2.5, null]});
        assert_eq!(json_len(&value), serde_json::to_vec(&value).unwrap().len());
        assert_eq!(json_len(&Value::Null), 4);
    }

    /// Numbering a request never overflows: a first seq at the very end numbers what fits.
    #[test]
    fn seqs_stop_at_the_largest_number() {
        let change = Change {
            record: Uuid::nil(),
            kind: "school_profile".into(),
            scope: Scope::Centre,
            parent: None,
            hlc: Hlc {
                wall_ms: 1,
                counter: 0,
                device: DeviceId::server(),
            },
            fields: BTreeMap::new(),
        };
        let mut req = SyncRequest {
            protocol: PROTOCOL_VERSION,
            device: DeviceId::server(),
            cursor: 0,
            scopes_key: String::new(),
            full: false,
            first_seq: 7,
            changes: vec![change.clone(), change],
            epoch: String::new(),
        };
        let seqs = |r: &SyncRequest| r.mutations().iter().map(|m| m.seq).collect::<Vec<_>>();
        assert_eq!(seqs(&req), [7, 8]);
        req.first_seq = u64::MAX;
        assert_eq!(seqs(&req), [u64::MAX]);
    }
}
