//! Deterministic simulation of sync: several devices and the server, a network that drops,
//! delays, duplicates and reorders messages, a server that crashes between commit and answer,
//! devices that crash between edit and sync and whose clocks are skewed by days and jump back.
//! No real clock, no real network: everything follows from the seed.
//!
//! `SIM_SEEDS=N` sets how many seeds run (default 2000); `SIM_SEED=S` replays one seed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use model::access::Actor;
use model::hlc::{Clock, DeviceId, Hlc};
use model::kinds::NoLookup;
use model::record::{Record, Scope};
use model::role::Role;
use model::sync::client::{self, DeviceState, OutboxOp, Refused};
use model::sync::server::{self, Remembered};
use model::sync::{Change, Mutation, PROTOCOL_VERSION, SyncRequest, SyncResponse};
use serde_json::json;
use uuid::Uuid;

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const FIELDS: [&str; 3] = ["title", "text", "state"];
const KIND: &str = "recommendation";

struct Server {
    actor: Actor,
    records: HashMap<Uuid, Record>,
    /// The change log: (server seq, device, device seq (0: the server's own), change).
    log: Vec<(u64, DeviceId, u64, Change)>,
    devices: HashMap<DeviceId, (u64, HashMap<u64, Remembered>)>,
    clock: Clock,
    page: usize,
}

impl Server {
    fn handle(&mut self, req: &SyncRequest, now: u64) -> SyncResponse {
        assert_eq!(req.protocol, PROTOCOL_VERSION);
        let (last_seq, remembered) = self.devices.entry(req.device.clone()).or_default();
        // The same planning code as the real server, on a copy: the commit is all or nothing.
        let mut records = self.records.clone();
        let batch = server::Batch {
            actor: &self.actor,
            device: &req.device,
            now_ms: now,
            last_seq: *last_seq,
            remembered,
            lookup: &NoLookup,
        };
        let plan = server::plan(&batch, &mut self.clock, &mut records, &req.mutations())
            .expect("no server write fails");
        self.records = records;
        *last_seq = plan.last_seq;
        for t in &plan.taken {
            remembered.insert(
                t.seq,
                Remembered {
                    fingerprint: t.fingerprint,
                    outcome: t.outcome.clone(),
                },
            );
        }
        for l in &plan.log {
            let seq = self.log.len() as u64 + 1;
            let (device, dseq) = match l.device_seq {
                Some(n) => (req.device.clone(), n),
                None => (DeviceId::server(), 0),
            };
            self.log.push((seq, device, dseq, l.change.clone()));
        }
        let key = self.actor.grants_key();
        let from = if req.scopes_key == key { req.cursor } else { 0 };
        let mut changes = Vec::new();
        let mut cursor = from;
        for (seq, device, _, change) in self.log.iter().filter(|e| e.0 > from) {
            if changes.len() == self.page {
                break;
            }
            cursor = *seq;
            if device != &req.device {
                changes.push(change.clone());
            }
        }
        let last = self.log.last().map_or(0, |e| e.0);
        SyncResponse {
            protocol: PROTOCOL_VERSION,
            acked_upto: plan.acked_upto,
            refused: plan.refused,
            restamped: plan.restamped,
            unreadable: plan.unreadable,
            reset: false,
            changes,
            more: cursor < last,
            remaining: last - cursor,
            cursor: cursor.max(from),
            scopes_key: key,
            server_time_ms: now,
        }
    }
}

/// What survives a crash of a device: its IndexedDB.
struct Durable {
    state: DeviceState,
    records: HashMap<Uuid, Record>,
    outbox: Vec<Mutation>,
    refused: Vec<Refused>,
}

struct Device {
    durable: Durable,
    /// The request in flight (lost when the device crashes) and when to give up on it.
    in_flight: Option<(u64, u64)>,
    skew_ms: i64,
}

impl Device {
    fn now(&self, time: u64) -> u64 {
        (time as i64 + self.skew_ms).max(0) as u64
    }

    fn edit(
        &mut self,
        time: u64,
        record_id: Uuid,
        scope: &Scope,
        fields: BTreeMap<String, serde_json::Value>,
    ) -> OutboxOp {
        let now = self.now(time);
        let d = &mut self.durable;
        let mut record = d
            .records
            .get(&record_id)
            .cloned()
            .unwrap_or_else(|| Record::new(record_id, KIND, scope.clone(), None));
        let pending = d.outbox.iter().rev().find(|m| m.change.record == record_id);
        let op = client::edit(&mut d.state, now, &mut record, fields, pending);
        match &op {
            OutboxOp::Append(m) => d.outbox.push(m.clone()),
            OutboxOp::Replace(m) => {
                let slot = d
                    .outbox
                    .iter_mut()
                    .find(|x| x.seq == m.seq)
                    .expect("pending entry");
                *slot = m.clone();
            }
        }
        d.records.insert(record_id, record);
        op
    }

    fn take(&mut self, time: u64, resp: &SyncResponse) {
        let now = self.now(time);
        let d = &mut self.durable;
        let taken = client::take_response(&mut d.state, now, &d.outbox, &mut d.records, resp);
        d.outbox.retain(|m| !taken.acked.contains(&m.seq));
        d.refused.extend(taken.refused);
        self.in_flight = None;
    }
}

enum Msg {
    Request {
        device: usize,
        id: u64,
        req: SyncRequest,
    },
    Response {
        device: usize,
        id: u64,
        resp: SyncResponse,
    },
}

struct World {
    rng: Rng,
    time: u64,
    server: Server,
    devices: Vec<Device>,
    net: Vec<Msg>,
    next_msg: u64,
    /// Clock values of every edit that must reach everyone (coalesced ones are replaced).
    expected: BTreeSet<Hlc>,
    record_ids: Vec<Uuid>,
    scope: Scope,
    stats: Stats,
}

/// What happened in a run, to prove the faults were really exercised.
#[derive(Default, Clone, Copy)]
struct Stats {
    edits: u64,
    coalesced: u64,
    dropped: u64,
    duplicated: u64,
    server_crashes: u64,
    device_crashes: u64,
    clock_jumps: u64,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.edits += o.edits;
        self.coalesced += o.coalesced;
        self.dropped += o.dropped;
        self.duplicated += o.duplicated;
        self.server_crashes += o.server_crashes;
        self.device_crashes += o.device_crashes;
        self.clock_jumps += o.clock_jumps;
    }
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = Rng(seed);
        let school = Uuid::from_u128(0x5c0);
        let n_devices = 3 + rng.below(3) as usize;
        let devices = (0..n_devices)
            .map(|_| {
                let device = DeviceId::from_random(rng.next().to_le_bytes());
                let day = 86_400_000i64;
                let skew = rng.below(6 * day as u64) as i64 - 3 * day;
                Device {
                    durable: Durable {
                        state: DeviceState::new(device),
                        records: HashMap::new(),
                        outbox: Vec::new(),
                        refused: Vec::new(),
                    },
                    in_flight: None,
                    skew_ms: skew,
                }
            })
            .collect();
        let record_ids = (0..1 + rng.below(4))
            .map(|i| {
                uuid::Builder::from_unix_timestamp_millis(1_600_000_000_000 + i, &[7; 10])
                    .into_uuid()
            })
            .collect();
        let page = 1 + rng.below(6) as usize;
        World {
            server: Server {
                actor: Actor {
                    user_id: Uuid::nil(),
                    name: "Наставник".into(),
                    role: Role::Mentor,
                    school: None,
                    assigned: vec![school],
                },
                records: HashMap::new(),
                log: Vec::new(),
                devices: HashMap::new(),
                clock: Clock::new(DeviceId::server()),
                page,
            },
            rng,
            time: 1_700_000_000_000,
            devices,
            net: Vec::new(),
            next_msg: 0,
            expected: BTreeSet::new(),
            record_ids,
            scope: Scope::School(school),
            stats: Stats::default(),
        }
    }

    fn random_edit(&mut self, d: usize) {
        let record = self.record_ids[self.rng.below(self.record_ids.len() as u64) as usize];
        let mut fields = BTreeMap::new();
        for _ in 0..1 + self.rng.below(2) {
            let f = FIELDS[self.rng.below(FIELDS.len() as u64) as usize];
            let v = if f == "state" {
                json!("draft")
            } else {
                json!(format!("v{}", self.rng.below(1000)))
            };
            fields.insert(f.to_owned(), v);
        }
        let scope = self.scope.clone();
        let before: Option<Mutation> = self.devices[d]
            .durable
            .outbox
            .iter()
            .rev()
            .find(|m| m.change.record == record)
            .cloned();
        match self.devices[d].edit(self.time, record, &scope, fields) {
            OutboxOp::Append(m) => {
                self.stats.edits += 1;
                self.expected.insert(m.change.hlc);
            }
            OutboxOp::Replace(m) => {
                self.stats.edits += 1;
                self.stats.coalesced += 1;
                let old = before.expect("replaced a pending entry");
                self.expected.remove(&old.change.hlc);
                self.expected.insert(m.change.hlc);
            }
        }
    }

    fn send(&mut self, d: usize, deadline: u64) {
        let dev = &mut self.devices[d];
        let req = client::request(&mut dev.durable.state, &dev.durable.outbox);
        let id = self.next_msg;
        self.next_msg += 1;
        dev.in_flight = Some((id, self.time + deadline));
        self.net.push(Msg::Request { device: d, id, req });
    }

    /// Delivers one message; `faults` turns on drops, duplicates and server crashes.
    fn deliver(&mut self, index: usize, faults: bool) {
        let msg = self.net.remove(index);
        if faults && self.rng.chance(10) {
            self.stats.dropped += 1;
            return;
        }
        let dup = faults && self.rng.chance(5);
        self.stats.duplicated += u64::from(dup);
        match msg {
            Msg::Request { device, id, req } => {
                let resp = self.server.handle(&req, self.time);
                if dup {
                    self.net.push(Msg::Request { device, id, req });
                }
                if faults && self.rng.chance(5) {
                    // The server crashed after the commit, before answering.
                    self.stats.server_crashes += 1;
                    return;
                }
                self.net.push(Msg::Response { device, id, resp });
            }
            Msg::Response { device, id, resp } => {
                let dev = &mut self.devices[device];
                // Only the answer to the request in flight counts (a late duplicate of an old
                // answer is what a closed connection would have dropped).
                if dev.in_flight.map(|(f, _)| f) == Some(id) {
                    // Writes stamped too far ahead were re-stamped by the server: the edit is
                    // now known by its new clock value.
                    for r in &resp.restamped {
                        if let Some(m) = dev.durable.outbox.iter().find(|m| m.seq == r.seq) {
                            self.expected.remove(&m.change.hlc);
                            self.expected.insert(r.hlc.clone());
                        }
                    }
                    dev.take(self.time, &resp);
                }
                if dup {
                    self.net.push(Msg::Response { device, id, resp });
                }
            }
        }
    }

    fn step(&mut self) {
        self.time += 1 + self.rng.below(2_000);
        let d = self.rng.below(self.devices.len() as u64) as usize;
        match self.rng.below(100) {
            0..=39 => self.random_edit(d),
            40..=64 => {
                let dev = &self.devices[d];
                let timed_out = dev.in_flight.is_some_and(|(_, until)| self.time > until);
                if dev.in_flight.is_none() || timed_out {
                    self.send(d, 20_000);
                }
            }
            65..=89 => {
                if !self.net.is_empty() {
                    let i = self.rng.below(self.net.len() as u64) as usize;
                    self.deliver(i, true);
                }
            }
            90..=94 => {
                // The device crashes: whatever was in memory is gone, IndexedDB stays.
                self.devices[d].in_flight = None;
                self.stats.device_crashes += 1;
            }
            _ => {
                // Its clock jumps back by up to an hour.
                self.devices[d].skew_ms -= self.rng.below(3_600_000) as i64;
                self.stats.clock_jumps += 1;
            }
        }
    }

    /// The network heals: every device syncs until nothing is left to send or receive.
    fn settle(&mut self) {
        self.net.clear();
        for d in &mut self.devices {
            d.in_flight = None;
        }
        for _round in 0..50 {
            let mut busy = false;
            for d in 0..self.devices.len() {
                for _ in 0..1_000 {
                    self.time += 10;
                    self.send(d, 1_000);
                    self.deliver(0, false);
                    self.deliver(0, false);
                    let dev = &self.devices[d];
                    let more = dev.durable.state.cursor < self.server.log.last().map_or(0, |e| e.0);
                    if dev.durable.outbox.is_empty() && !more {
                        break;
                    }
                    busy = true;
                }
            }
            if !busy {
                return;
            }
        }
        panic!("the system did not settle");
    }

    fn check(&self) -> Result<(), String> {
        // Nothing applied twice.
        let mut seen = BTreeSet::new();
        for (_, device, seq, _) in self.server.log.iter().filter(|e| e.2 > 0) {
            if !seen.insert((device.clone(), *seq)) {
                return Err(format!(
                    "mutation {seq} of device {} applied twice",
                    device.as_str()
                ));
            }
        }
        let holds = |records: &HashMap<Uuid, Record>, hlc: &Hlc| {
            records
                .values()
                .any(|r| r.fields.values().any(|f| f.writes().any(|w| &w.hlc == hlc)))
        };
        for hlc in &self.expected {
            if !holds(&self.server.records, hlc) {
                return Err(format!("edit {hlc} never reached the server"));
            }
        }
        for (i, d) in self.devices.iter().enumerate() {
            if !d.durable.outbox.is_empty() {
                return Err(format!(
                    "device {i} still has {} unsent edits",
                    d.durable.outbox.len()
                ));
            }
            if !d.durable.refused.is_empty() {
                return Err(format!("device {i}: refused {:?}", d.durable.refused[0]));
            }
            for hlc in &self.expected {
                if !holds(&d.durable.records, hlc) {
                    return Err(format!("edit {hlc} missing on device {i}"));
                }
            }
            if d.durable.records != self.server.records {
                for (id, r) in &self.server.records {
                    if d.durable.records.get(id) != Some(r) {
                        let mine = d.durable.records.get(id);
                        let writes = |r: Option<&Record>| -> BTreeSet<String> {
                            r.into_iter()
                                .flat_map(|r| {
                                    r.fields.iter().flat_map(|(n, f)| {
                                        f.writes()
                                            .map(move |w| format!("{n} {} {}", w.hlc, w.value))
                                    })
                                })
                                .collect()
                        };
                        let (a, b) = (writes(mine), writes(Some(r)));
                        return Err(format!(
                            "device {i} differs from the server on {id}: only on the device {:?}, only on the server {:?}",
                            a.difference(&b).collect::<Vec<_>>(),
                            b.difference(&a).collect::<Vec<_>>()
                        ));
                    }
                }
                return Err(format!("device {i} holds records the server does not"));
            }
        }
        Ok(())
    }
}

fn run(seed: u64) -> Result<Stats, String> {
    let mut world = World::new(seed);
    let steps = 100 + world.rng.below(400);
    for _ in 0..steps {
        world.step();
    }
    world.settle();
    world.check().map(|()| world.stats)
}

#[test]
fn sync_converges_with_zero_loss_under_faults() {
    if let Ok(seed) = std::env::var("SIM_SEED") {
        let seed: u64 = seed.parse().expect("SIM_SEED is a number");
        if let Err(e) = run(seed) {
            panic!("seed {seed}: {e}");
        }
        return;
    }
    let seeds: u64 = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let mut total = Stats::default();
    for seed in 0..seeds {
        let result = std::panic::catch_unwind(|| run(seed));
        match result {
            Ok(Ok(stats)) => total += stats,
            Ok(Err(e)) => panic!(
                "seed {seed} failed: {e}\nreplay: SIM_SEED={seed} cargo test -p model --test sim"
            ),
            Err(_) => panic!(
                "seed {seed} panicked\nreplay: SIM_SEED={seed} cargo test -p model --test sim"
            ),
        }
    }
    eprintln!(
        "simulated {seeds} seeds: {} edits ({} coalesced), {} messages dropped, {} duplicated, \
         {} server crashes, {} device crashes, {} clock jumps",
        total.edits,
        total.coalesced,
        total.dropped,
        total.duplicated,
        total.server_crashes,
        total.device_crashes,
        total.clock_jumps
    );
    if seeds >= 100 {
        for (what, n) in [
            ("edits", total.edits),
            ("coalesced edits", total.coalesced),
            ("dropped messages", total.dropped),
            ("duplicated messages", total.duplicated),
            ("server crashes", total.server_crashes),
            ("device crashes", total.device_crashes),
            ("clock jumps", total.clock_jumps),
        ] {
            assert!(n > 0, "the simulation never exercised {what}");
        }
    }
}
