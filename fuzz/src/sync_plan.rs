//! The `sync_plan` target: a sync body decoded and routed as `POST /api/sync` does, planned
//! against the [`World`](crate::World) as the server plans it, and every rule the server relies
//! on checked.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::sync::LazyLock;

use model::hlc::{Clock, DeviceId, Hlc, MAX_AHEAD_MS};
use model::kinds::{self, Lookup};
use model::record::{DELETED, Record};
use model::sync::server::{self, Batch, Plan, PlanError, Remembered};
use model::sync::{MAX_PUSH, Mutation, Outcome, PROTOCOL_VERSION, SyncRequest};
use serde_json::Value;
use uuid::Uuid;

use crate::world::{DAY_MS, NOW_MS, SYNC_BODY_LIMIT, World, world};

/// A sync body as the server reads it: JSON, or gzip-compressed JSON (bounded like the server).
pub fn decode(body: &[u8]) -> Option<SyncRequest> {
    if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body)
            .take(SYNC_BODY_LIMIT as u64 + 1)
            .read_to_end(&mut out)
            .ok()?;
        if out.len() > SYNC_BODY_LIMIT {
            return None;
        }
        return serde_json::from_slice(&out).ok();
    }
    serde_json::from_slice(body).ok()
}

/// An input the route would plan: the person, the request and what the server remembers of
/// the device.
struct Routed {
    actor: usize,
    req: SyncRequest,
    last_seq: u64,
    remembered: &'static HashMap<u64, Remembered>,
}

static NO_MEMORY: LazyLock<HashMap<u64, Remembered>> = LazyLock::new(HashMap::new);

/// Decodes an input and refuses what `POST /api/sync` refuses before planning: another protocol,
/// too many changes, a device registered to somebody else.
fn route(data: &[u8]) -> Option<Routed> {
    let (&who, body) = data.split_first()?;
    let req = decode(body)?;
    if req.protocol != PROTOCOL_VERSION || req.changes.len() > 2 * MAX_PUSH {
        return None;
    }
    let w = world();
    let actor = usize::from(who) % w.actors.len();
    let (last_seq, remembered) = match w.devices.get(&req.device) {
        Some(d) if d.actor != actor => return None,
        Some(d) => (d.last_seq, &d.remembered),
        None => (0, &*NO_MEMORY),
    };
    Some(Routed {
        actor,
        req,
        last_seq,
        remembered,
    })
}

/// A batch planned against the world: the plan, and the records and clock it left.
struct Planned {
    plan: Result<Plan, PlanError>,
    records: HashMap<Uuid, Record>,
    clock: Clock,
}

impl Routed {
    /// Plans the batch with `records` loaded and `lookup` knowing the forms.
    fn plan(
        &self,
        mutations: &[Mutation],
        mut records: HashMap<Uuid, Record>,
        lookup: &dyn Lookup,
    ) -> Planned {
        let w = world();
        let batch = Batch {
            actor: &w.actors[self.actor],
            device: &self.req.device,
            now_ms: NOW_MS,
            last_seq: self.last_seq,
            remembered: self.remembered,
            lookup,
        };
        let mut clock = w.clock.clone();
        let plan = server::plan(&batch, &mut clock, &mut records, mutations);
        Planned {
            plan,
            records,
            clock,
        }
    }

    /// Plans as the server does: with only the records and forms it loads.
    fn plan_as_server(&self, mutations: &[Mutation]) -> Planned {
        let (records, forms) = world().load(mutations);
        self.plan(mutations, records, &forms)
    }
}

/// The `sync_plan` target: decode, refuse what the route refuses, plan as the server does and
/// once more with the whole world loaded (the two must agree, or the server's loading missed
/// something a kind needs), and check the plan.
pub fn sync_plan(data: &[u8]) {
    let Some(routed) = route(data) else {
        return;
    };
    let w = world();
    let mutations = routed.req.mutations();
    let server = routed.plan_as_server(&mutations);
    let all = routed.plan(&mutations, w.records.clone(), &w.forms);
    assert_eq!(
        server.plan, all.plan,
        "planning with what the server loads differs from planning with every record"
    );
    let plan = match server.plan {
        Ok(plan) => plan,
        Err(PlanError(e)) => panic!("a device's batch failed as a whole: {e}"),
    };
    for id in plan.touched.keys() {
        assert_eq!(
            server.records.get(id),
            all.records.get(id),
            "the server's loading missed a record the batch needs: {id}"
        );
    }
    assert_eq!(server.clock, all.clock);
    check_plan(
        w,
        &routed.req.device,
        routed.last_seq,
        &mutations,
        &plan,
        &server.records,
        &server.clock,
    );
}

/// Every rule the server relies on after planning a batch `mutations` of `device` (which had
/// reached `last_seq` before): `records` and `clock` are as the plan left them.
pub fn check_plan(
    w: &World,
    device: &DeviceId,
    last_seq: u64,
    mutations: &[Mutation],
    plan: &Plan,
    records: &HashMap<Uuid, Record>,
    clock: &Clock,
) {
    let bound = NOW_MS + MAX_AHEAD_MS;
    assert!(
        clock.last_wall_ms <= bound,
        "the server's clock ran ahead: {}",
        clock.last_wall_ms
    );
    if let Some(max) = mutations.iter().map(|m| m.seq).max() {
        assert_eq!(plan.acked_upto, max, "every mutation is settled");
        assert_eq!(plan.last_seq, max.max(last_seq));
    }

    // Every saved record parses again (server and browser read the same JSON), holds no clock
    // value past the bound, and is stored with the read keys its kind gives it now.
    for (id, keys) in &plan.touched {
        let r = records
            .get(id)
            .unwrap_or_else(|| panic!("touched record {id} is not in the records"));
        assert_eq!(r.id, *id);
        round_trip(r);
        for (name, state) in &r.fields {
            for write in state.writes() {
                check_hlc(&write.hlc, bound, &format!("{id}.{name}"));
                if name == DELETED {
                    check_seen(&write.value, &write.hlc, &format!("{id}.{name}"));
                }
            }
        }
        let parent = r.parent.and_then(|p| records.get(&p));
        assert_eq!(
            keys,
            &kinds::audience(r, parent),
            "the read keys stored with {id} are not the ones its kind gives"
        );
        if is_anonymous(&r.kind) {
            assert!(r.owner.is_none(), "an anonymous record has an owner");
            for (name, state) in &r.fields {
                for write in state.writes() {
                    assert_ne!(
                        &write.hlc.device, device,
                        "an anonymous record keeps the device id ({name})"
                    );
                    assert_eq!(
                        write.hlc.wall_ms % DAY_MS,
                        0,
                        "an anonymous record keeps a time of day ({name})"
                    );
                }
            }
        }
    }

    // Every logged change parses again, is bounded, is about a saved record, reaches somebody,
    // and is never of an anonymous kind.
    for l in &plan.log {
        let c = &l.change;
        round_trip(c);
        check_hlc(&c.hlc, bound, &format!("logged change of {}", c.record));
        if let Some(v) = c.fields.get(DELETED) {
            check_seen(v, &c.hlc, &format!("logged deletion of {}", c.record));
        }
        assert!(
            plan.touched.contains_key(&c.record),
            "a change to {} is logged but the record is not saved",
            c.record
        );
        assert!(!is_anonymous(&c.kind), "an anonymous change is logged");
        assert!(!l.keys.is_empty(), "a logged change reaches nobody");
    }
    for r in &plan.restamped {
        // Re-stamps come from the server's own clock, whose values no device write can take.
        assert_eq!(
            r.hlc.device,
            model::hlc::DeviceId::server(),
            "a re-stamp is not the server's clock value"
        );
        check_hlc(&r.hlc, bound, "re-stamp");
    }

    // What was accepted is in the records; what was not (refused, or a retry) left no write.
    let outcomes: HashMap<u64, &Outcome> = plan.taken.iter().map(|t| (t.seq, &t.outcome)).collect();
    let mut accepted: BTreeSet<(Uuid, &str, Hlc)> = BTreeSet::new();
    for m in mutations {
        let c = &m.change;
        let hlc = match outcomes.get(&m.seq) {
            Some(Outcome::Applied) if !is_anonymous(&c.kind) => c.hlc.clone(),
            Some(Outcome::Restamped { hlc }) => hlc.clone(),
            _ => continue,
        };
        for name in c.fields.keys() {
            let kept = records
                .get(&c.record)
                .and_then(|r| r.fields.get(name))
                .is_some_and(|s| s.writes().any(|w| w.hlc == hlc));
            assert!(
                kept,
                "accepted write {}.{name} at {hlc} is not in the record",
                c.record
            );
            accepted.insert((c.record, name.as_str(), hlc.clone()));
        }
    }
    let applied_seqs: BTreeSet<u64> = plan
        .taken
        .iter()
        .filter(|t| t.outcome.applied())
        .map(|t| t.seq)
        .collect();
    for l in &plan.log {
        if let Some(seq) = l.device_seq {
            assert!(
                applied_seqs.contains(&seq),
                "mutation {seq} is logged but was not applied now"
            );
        }
    }
    for m in mutations {
        if applied_seqs.contains(&m.seq) && m.seq > last_seq {
            continue;
        }
        let c = &m.change;
        for name in c.fields.keys() {
            let key = (c.record, name.as_str(), c.hlc.clone());
            let had = |r: Option<&Record>| {
                r.and_then(|r| r.fields.get(name))
                    .is_some_and(|s| s.writes().any(|w| w.hlc == c.hlc))
            };
            if had(records.get(&c.record)) && !had(w.records.get(&c.record)) {
                assert!(
                    accepted.contains(&key),
                    "mutation {} was not applied but its write {}.{name} is in the record",
                    m.seq,
                    c.record
                );
            }
        }
    }
}

fn is_anonymous(kind: &str) -> bool {
    kinds::spec(kind).is_some_and(|s| s.anonymous)
}

/// Serializes to JSON and parses back to an equal value.
pub(crate) fn round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).expect("serializes to JSON");
    let back: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("does not parse again ({e}): {text}"));
    assert_eq!(&back, value, "parses again to something else: {text}");
}

/// No later than `bound`, and the text form parses back to the same value.
fn check_hlc(h: &Hlc, bound: u64, what: &str) {
    assert!(
        h.wall_ms <= bound,
        "{what}: clock value {h} is {} ms past the bound",
        h.wall_ms - bound
    );
    let text = h.to_string();
    assert_eq!(
        text.parse::<Hlc>().as_ref(),
        Ok(h),
        "{what}: the text form {text} does not parse back"
    );
}

/// The writes a deletion had seen are clock values no later than the deletion, in their
/// canonical text form.
fn check_seen(value: &Value, hlc: &Hlc, what: &str) {
    let Some(seen) = value.get("seen").and_then(Value::as_object) else {
        return;
    };
    for (device, v) in seen {
        let text = v.as_str().unwrap_or_default();
        let parsed: Hlc = text
            .parse()
            .unwrap_or_else(|e| panic!("{what}: seen[{device}] is not a clock value: {e}"));
        assert!(
            &parsed <= hlc,
            "{what}: seen[{device}] is later than the deletion"
        );
        assert_eq!(
            parsed.to_string(),
            text,
            "{what}: seen[{device}] is not in the canonical text form"
        );
    }
}

/// The outcome of each mutation of an input the route would plan (`None` if it would not), as
/// a label (`applied <kind>`, `re-stamped <kind>`, `retry`, `refused <code>`) and the message.
pub fn outcomes(data: &[u8]) -> Option<Vec<(String, String)>> {
    let routed = route(data)?;
    let mutations = routed.req.mutations();
    let plan = match routed.plan_as_server(&mutations).plan {
        Ok(plan) => plan,
        Err(e) => return Some(vec![("batch failed".into(), e.0)]),
    };
    Some(
        mutations
            .iter()
            .map(|m| {
                let kind = &m.change.kind;
                match plan
                    .taken
                    .iter()
                    .find(|t| t.seq == m.seq)
                    .map(|t| &t.outcome)
                {
                    None => match plan.refused.iter().find(|r| r.seq == m.seq) {
                        Some(r) => (format!("retry refused {:?}", r.code), r.message.clone()),
                        None => ("retry".into(), String::new()),
                    },
                    Some(Outcome::Applied) => (format!("applied {kind}"), String::new()),
                    Some(Outcome::Restamped { hlc }) => {
                        (format!("re-stamped {kind}"), hlc.to_string())
                    }
                    Some(Outcome::Rejected { code, message }) => {
                        (format!("refused {code:?}"), format!("{kind}: {message}"))
                    }
                }
            })
            .collect(),
    )
}
