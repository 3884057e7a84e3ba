//! The fixed world every `sync_plan` input meets: the server's records, clock, forms and
//! memory of devices after the batches that built it (planned like the server plans them), and
//! what the server loads for a batch.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};

use model::access::Actor;
use model::forms::template::{Cell, Choice};
use model::forms::{self, Key, Kind, Template};
use model::hlc::{Clock, DeviceId};
use model::kinds::{self, Lookup, Need};
use model::record::{Record, Scope, stable_id};
use model::role::Role;
use model::sync::server::{self, Batch, Remembered};
use model::sync::{Change, Mutation, PROTOCOL_VERSION, SyncRequest};
use serde_json::{Value, json};
use uuid::Uuid;

pub const DAY_MS: u64 = 86_400_000;
/// The server's time for every fuzzed batch (2026-01-09 23:06:40 UTC).
pub const NOW_MS: u64 = 1_768_000_000_000;
/// The decompressed size limit of a sync body (as `server/src/routes/sync.rs`).
pub const SYNC_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The people of the world, by index (the first byte of a `sync_plan` input, modulo their
/// number, picks one).
pub const HEAD: usize = 0;
pub const TEAM_A: usize = 1;
pub const TEAM_B: usize = 2;
pub const TEAM_C: usize = 3;
pub const TEACHER: usize = 4;
pub const MENTOR: usize = 5;
pub const CURATOR: usize = 6;
pub const MODERATOR: usize = 7;

pub const SCHOOL_1: Uuid = Uuid::from_u128(0x5c01);
pub const SCHOOL_2: Uuid = Uuid::from_u128(0x5c02);

/// The built-in templates the world knows (the files the server compiles in).
const TEMPLATES: [&str; 3] = [
    include_str!("../../templates/self_analysis.json"),
    include_str!("../../templates/leader_test.json"),
    include_str!("../../templates/survey_mentor_satisfaction.json"),
];

/// The device each person syncs from in the world.
pub fn device_of(actor: usize) -> DeviceId {
    DeviceId::from_random([actor as u8 + 1; 8])
}

/// The server's keyed hash for anonymous ids (any fixed function will do here).
pub fn anonymous_id(campaign: Uuid, user: Uuid) -> Uuid {
    stable_id(&format!("anonymous-key/{campaign}/{user}"))
}

/// A fresh UUIDv7 made at `ms`, as a device makes one.
pub fn fresh_id(ms: u64, salt: u8) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(ms, &[salt; 10]).into_uuid()
}

/// What the server knows besides records: the templates with their keys, and when timed tests
/// started online.
#[derive(Clone, Default)]
pub struct Forms {
    templates: HashMap<(String, u32), (Arc<Template>, Arc<Key>)>,
    starts: HashMap<Uuid, u64>,
}

impl Lookup for Forms {
    fn template(&self, code: &str, version: u32) -> Option<Arc<Template>> {
        self.templates
            .get(&(code.to_owned(), version))
            .map(|(t, _)| t.clone())
    }

    fn answer_key(&self, code: &str, version: u32) -> Option<Arc<Key>> {
        self.templates
            .get(&(code.to_owned(), version))
            .map(|(_, k)| k.clone())
    }

    fn test_started_at(&self, response: Uuid) -> Option<u64> {
        self.starts.get(&response).copied()
    }

    fn anonymous_id(&self, campaign: Uuid, user: Uuid) -> Option<Uuid> {
        Some(anonymous_id(campaign, user))
    }
}

impl Forms {
    /// Only what the server loads for a batch with these needs (`server/src/storage/sync.rs`).
    fn only(&self, needs: &BTreeSet<Need>) -> Forms {
        let mut out = Forms::default();
        for need in needs {
            match need {
                Need::Template(code, version) => {
                    let key = (code.clone(), *version);
                    if let Some(entry) = self.templates.get(&key) {
                        out.templates.insert(key, entry.clone());
                    }
                }
                Need::TestStart(id) => {
                    if let Some(at) = self.starts.get(id) {
                        out.starts.insert(*id, *at);
                    }
                }
                Need::Record(_) | Need::Person(_) | Need::Children(_) => {}
            }
        }
        out
    }

    /// The world's one version of a built-in template.
    pub fn get(&self, code: &str) -> Arc<Template> {
        self.templates
            .iter()
            .find(|((c, _), _)| c == code)
            .map(|(_, (t, _))| t.clone())
            .expect("a built-in template")
    }
}

/// What the server remembers of one device.
#[derive(Clone)]
pub struct Device {
    /// The person it belongs to (index into [`World::actors`]).
    pub actor: usize,
    pub last_seq: u64,
    pub remembered: HashMap<u64, Remembered>,
    /// The device's own clock (for building requests).
    pub clock: Clock,
}

/// The ids of the world's records, for seeds.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    pub campaign_self_analysis: Uuid,
    pub campaign_leader_test: Uuid,
    pub campaign_survey: Uuid,
    pub profile_1: Uuid,
    pub profile_2: Uuid,
    pub self_analysis_1: Uuid,
    pub self_analysis_2: Uuid,
    pub leader_a: Uuid,
    pub leader_b: Uuid,
    pub leader_c: Uuid,
    pub plan_item_b: Uuid,
    pub draft_1: Uuid,
    pub sent_1: Uuid,
    pub draft_2: Uuid,
    pub anonymous_teacher: Uuid,
}

/// One change a device makes, before it is numbered and stamped.
pub struct Edit {
    pub record: Uuid,
    pub kind: &'static str,
    pub scope: Scope,
    pub parent: Option<Uuid>,
    pub fields: BTreeMap<String, Value>,
}

/// A change's fields from name and value pairs.
pub fn fields(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// The fixed world every fuzzed batch meets: the server's records, clock, forms and memory
/// of devices, after the batches that built it.
#[derive(Clone)]
pub struct World {
    pub actors: Vec<Actor>,
    pub records: HashMap<Uuid, Record>,
    pub clock: Clock,
    pub forms: Forms,
    pub devices: HashMap<DeviceId, Device>,
    /// Every batch the world was built from, with its person: seeds retry some of them.
    pub history: Vec<(usize, SyncRequest)>,
    pub ids: Ids,
}

static WORLD: LazyLock<World> = LazyLock::new(World::build);

pub fn world() -> &'static World {
    &WORLD
}

fn actor(n: u128, name: &str, role: Role, school: Option<Uuid>, assigned: &[Uuid]) -> Actor {
    Actor {
        user_id: Uuid::from_u128(0x1000 + n),
        name: name.to_owned(),
        role,
        school,
        assigned: assigned.to_vec(),
        school_name: String::new(),
    }
}

impl World {
    fn build() -> World {
        let actors = vec![
            actor(0, "Руководитель Центра", Role::Head, None, &[]),
            actor(1, "Директор Первой", Role::SchoolTeam, Some(SCHOOL_1), &[]),
            actor(
                2,
                "Заместитель Первой",
                Role::SchoolTeam,
                Some(SCHOOL_1),
                &[],
            ),
            actor(3, "Директор Второй", Role::SchoolTeam, Some(SCHOOL_2), &[]),
            actor(4, "Учитель Первой", Role::Teacher, Some(SCHOOL_1), &[]),
            actor(5, "Наставник", Role::Mentor, None, &[SCHOOL_1]),
            actor(6, "Куратор", Role::Curator, None, &[SCHOOL_2]),
            actor(7, "Модератор", Role::Moderator, None, &[]),
        ];
        let mut forms = Forms::default();
        for text in TEMPLATES {
            let (t, key) = Template::parse(text).expect("a built-in template parses");
            forms
                .templates
                .insert((t.code.clone(), t.version), (Arc::new(t), Arc::new(key)));
        }
        let devices = (0..actors.len())
            .map(|a| {
                let device = device_of(a);
                let memory = Device {
                    actor: a,
                    last_seq: 0,
                    remembered: HashMap::new(),
                    clock: Clock::new(device.clone()),
                };
                (device, memory)
            })
            .collect();
        let mut w = World {
            actors,
            records: HashMap::new(),
            clock: Clock::new(DeviceId::server()),
            forms,
            devices,
            history: Vec::new(),
            ids: Ids::default(),
        };
        w.populate();
        w
    }

    pub fn user(&self, actor: usize) -> Uuid {
        self.actors[actor].user_id
    }

    /// A response's id and scope for a person, as the device derives it.
    fn response(&self, actor: usize, campaign: Uuid, code: &str) -> (Uuid, Scope) {
        let a = &self.actors[actor];
        let t = self.forms.get(code);
        forms::response_target(t.respondent, campaign, a.school, a.user_id)
            .expect("the person answers this form")
    }

    /// The fields of a response to `campaign` answered in full (see [`answers_for`]).
    pub fn answered(&self, campaign: Uuid, code: &str, status: &str) -> BTreeMap<String, Value> {
        let t = self.forms.get(code);
        // The form as the campaign asks it (its school years).
        let form = self
            .records
            .get(&campaign)
            .and_then(forms::Campaign::from_record)
            .map_or_else(|| (*t).clone(), |c| c.form(&t).into_owned());
        let mut out = forms::answer_fields(&form, &answers_for(&form));
        out.extend(fields(&[
            (forms::F_CAMPAIGN, json!(campaign)),
            (forms::F_TEMPLATE, json!(code)),
            (forms::F_VERSION, json!(t.version)),
            (forms::F_STATUS, json!(status)),
        ]));
        out
    }

    /// The world's history: each batch is planned like the server does and must be accepted whole.
    fn populate(&mut self) {
        let day = |n: u64| NOW_MS - n * DAY_MS;
        let s1 = Scope::School(SCHOOL_1);
        let s2 = Scope::School(SCHOOL_2);

        // The centre sends three forms and fills the second school's profile.
        let (c_sa, c_lt, c_an) = (
            fresh_id(day(20), 1),
            fresh_id(day(20), 2),
            fresh_id(day(20), 3),
        );
        let forms = self.forms.clone();
        let campaign =
            |code: &str, title: &str, deadline: &str, schools: &[Uuid], roles: &[&str]| {
                fields(&[
                    ("title", json!(title)),
                    ("template", json!(code)),
                    ("version", json!(forms.get(code).version)),
                    ("deadline", json!(deadline)),
                    ("schools", json!(schools)),
                    ("roles", json!(roles)),
                    ("note", json!("Срок — до конца месяца.")),
                ])
            };
        let profile_2 = forms_profile_id(SCHOOL_2);
        self.push(
            HEAD,
            day(20),
            vec![
                edit(
                    c_sa,
                    forms::CAMPAIGN_KIND,
                    Scope::Centre,
                    None,
                    campaign(
                        "self_analysis",
                        "Самоанализ 2026",
                        "2026-01-31",
                        &[SCHOOL_1, SCHOOL_2],
                        &["school_team"],
                    ),
                ),
                edit(
                    c_lt,
                    forms::CAMPAIGN_KIND,
                    Scope::Centre,
                    None,
                    campaign(
                        "leader_test",
                        "Диагностика руководителей",
                        "2026-02-28",
                        &[SCHOOL_1, SCHOOL_2],
                        &["school_team"],
                    ),
                ),
                edit(
                    c_an,
                    forms::CAMPAIGN_KIND,
                    Scope::Centre,
                    None,
                    campaign(
                        "survey_mentor_satisfaction",
                        "Удовлетворённость наставничеством",
                        "2026-01-20",
                        &[SCHOOL_1],
                        &["mentor", "curator", "school_team", "teacher"],
                    ),
                ),
                edit(
                    profile_2,
                    "school_profile",
                    s2.clone(),
                    None,
                    fields(&[
                        ("director", json!("Иванова Мария Петровна")),
                        ("students", json!(180)),
                    ]),
                ),
            ],
        );

        // The first school: its profile, its self-analysis submitted, a leader's test submitted.
        let profile_1 = forms_profile_id(SCHOOL_1);
        let (sa_1, _) = self.response(TEAM_A, c_sa, "self_analysis");
        let (leader_a, _) = self.response(TEAM_A, c_lt, "leader_test");
        let sa_fields = self.answered(c_sa, "self_analysis", "submitted");
        self.push(
            TEAM_A,
            day(15),
            vec![
                edit(
                    profile_1,
                    "school_profile",
                    s1.clone(),
                    None,
                    fields(&[
                        ("director", json!("Петров Пётр Петрович")),
                        ("phone", json!("+7 900 000-00-01")),
                        ("students", json!(420)),
                        ("teachers", json!(35)),
                    ]),
                ),
                edit(sa_1, forms::RESPONSE_KIND, s1.clone(), None, sa_fields),
            ],
        );
        let lt_draft = self.answered(c_lt, "leader_test", "draft");
        self.push(
            TEAM_A,
            day(14),
            vec![
                edit(leader_a, forms::RESPONSE_KIND, s1.clone(), None, lt_draft),
                edit(
                    leader_a,
                    forms::RESPONSE_KIND,
                    s1.clone(),
                    None,
                    fields(&[(forms::F_STATUS, json!("submitted"))]),
                ),
            ],
        );

        // The mentor accepts the self-analysis and returns the leader's test.
        let review_sa = forms::review::review_id(sa_1, 1);
        let review_a = forms::review::review_id(leader_a, 1);
        self.push(
            MENTOR,
            day(12),
            vec![
                edit(
                    review_sa,
                    "review",
                    s1.clone(),
                    Some(sa_1),
                    fields(&[
                        ("round", json!(1)),
                        ("overall", json!("Карточка заполнена полно.")),
                        ("c.locality", json!("Уточните, пожалуйста.")),
                        ("verdict", json!("accepted")),
                    ]),
                ),
                edit(
                    review_a,
                    "review",
                    s1.clone(),
                    Some(leader_a),
                    fields(&[
                        ("round", json!(1)),
                        ("overall", json!("Пройдите тест ещё раз.")),
                        ("verdict", json!("returned")),
                    ]),
                ),
            ],
        );

        // A deputy takes the test online and submits it, then plans for a deficit.
        let (leader_b, _) = self.response(TEAM_B, c_lt, "leader_test");
        self.forms.starts.insert(leader_b, day(10) - 30 * 60_000);
        let lt_b = self.answered(c_lt, "leader_test", "submitted");
        self.push(
            TEAM_B,
            day(10),
            vec![edit(leader_b, forms::RESPONSE_KIND, s1.clone(), None, lt_b)],
        );
        let plan_item_b = fresh_id(day(9), 4);
        self.push(
            TEAM_B,
            day(9),
            vec![edit(
                plan_item_b,
                "plan_item",
                s1.clone(),
                Some(leader_b),
                fields(&[
                    ("area", json!("law")),
                    ("measure_kind", json!("methodical")),
                    ("measure", json!("Семинар по локальным актам")),
                    ("deadline", json!("2026-03-01")),
                    ("responsible", json!("Заместитель Первой")),
                    ("status", json!("planned")),
                ]),
            )],
        );

        // Recommendations: a draft and a sent one for the first school, a draft for the second.
        let (draft_1, sent_1, draft_2) = (
            fresh_id(day(8), 5),
            fresh_id(day(8), 6),
            fresh_id(day(6), 7),
        );
        let rec = |title: &str, state: &str| {
            fields(&[
                ("title", json!(title)),
                ("text", json!("Провести педсовет по итогам ВПР.")),
                ("areas", json!(["law", "process"])),
                ("state", json!(state)),
            ])
        };
        self.push(
            MENTOR,
            day(8),
            vec![
                edit(
                    draft_1,
                    "recommendation",
                    s1.clone(),
                    None,
                    rec("Черновик", "draft"),
                ),
                edit(
                    sent_1,
                    "recommendation",
                    s1.clone(),
                    None,
                    rec("Рекомендации", "sent"),
                ),
            ],
        );
        self.push(
            CURATOR,
            day(6),
            vec![edit(
                draft_2,
                "recommendation",
                s2.clone(),
                None,
                rec("Черновик", "draft"),
            )],
        );

        // A teacher answers the anonymous survey.
        let anonymous_teacher = anonymous_id(c_an, self.user(TEACHER));
        let survey = self.answered(c_an, "survey_mentor_satisfaction", "submitted");
        self.push(
            TEACHER,
            day(7),
            vec![edit(
                anonymous_teacher,
                "anonymous_response",
                Scope::Centre,
                None,
                survey,
            )],
        );

        // The second school's team has begun its self-analysis.
        let (sa_2, _) = self.response(TEAM_C, c_sa, "self_analysis");
        let mut sa_2_fields = self.answered(c_sa, "self_analysis", "draft");
        sa_2_fields.retain(|k, _| {
            !k.starts_with("a.")
                || ["a.locality", "a.pupils_total", "a.measures_taken"].contains(&k.as_str())
                || k.starts_with("a.vpr_fail.")
        });
        sa_2_fields.insert("a.ovz_share".into(), json!(12.5));
        self.push(
            TEAM_C,
            day(5),
            vec![edit(
                sa_2,
                forms::RESPONSE_KIND,
                s2.clone(),
                None,
                sa_2_fields,
            )],
        );

        // The second school's director opened the test online half an hour ago.
        let (leader_c, _) = self.response(TEAM_C, c_lt, "leader_test");
        self.forms.starts.insert(leader_c, NOW_MS - 30 * 60_000);

        self.ids = Ids {
            campaign_self_analysis: c_sa,
            campaign_leader_test: c_lt,
            campaign_survey: c_an,
            profile_1,
            profile_2,
            self_analysis_1: sa_1,
            self_analysis_2: sa_2,
            leader_a,
            leader_b,
            leader_c,
            plan_item_b,
            draft_1,
            sent_1,
            draft_2,
            anonymous_teacher,
        };
    }

    /// A request of `actor`'s device at `at_ms`: the next seqs, stamped by its clock.
    pub fn request(&mut self, actor: usize, at_ms: u64, edits: Vec<Edit>) -> SyncRequest {
        let device = device_of(actor);
        let memory = self
            .devices
            .get_mut(&device)
            .expect("a device of the world");
        let changes = edits
            .into_iter()
            .map(|e| Change {
                record: e.record,
                kind: e.kind.to_owned(),
                scope: e.scope,
                parent: e.parent,
                hlc: memory.clock.tick(at_ms),
                fields: e.fields,
            })
            .collect();
        SyncRequest {
            protocol: PROTOCOL_VERSION,
            device,
            cursor: 0,
            scopes_key: String::new(),
            full: false,
            first_seq: memory.last_seq + 1,
            changes,
            epoch: String::new(),
        }
    }

    /// Sends a batch and keeps its outcome as the server would; every change must be applied.
    fn push(&mut self, actor: usize, at_ms: u64, edits: Vec<Edit>) {
        let req = self.request(actor, at_ms, edits);
        let mutations = req.mutations();
        let device = &self.devices[&req.device];
        let batch = Batch {
            actor: &self.actors[actor],
            device: &req.device,
            now_ms: at_ms,
            last_seq: device.last_seq,
            remembered: &device.remembered,
            lookup: &self.forms,
        };
        let plan = server::plan(&batch, &mut self.clock, &mut self.records, &mutations)
            .expect("the world's batches plan");
        assert!(
            plan.refused.is_empty(),
            "a batch of the world was refused: {:?}",
            plan.refused
        );
        let device = self.devices.get_mut(&req.device).expect("a device");
        device.last_seq = plan.last_seq;
        for t in plan.taken {
            device.remembered.insert(
                t.seq,
                Remembered {
                    fingerprint: t.fingerprint,
                    outcome: t.outcome,
                },
            );
        }
        self.history.push((actor, req));
    }

    /// The records and forms the server loads for a batch (`server/src/storage/sync.rs`): the
    /// records the batch names and their parents, then what their kinds need.
    pub fn load(&self, mutations: &[Mutation]) -> (HashMap<Uuid, Record>, Forms) {
        let mut records = HashMap::new();
        let take = |id: Uuid, into: &mut HashMap<Uuid, Record>| {
            if let Some(r) = self.records.get(&id) {
                into.insert(id, r.clone());
            }
        };
        for id in server::named_ids(mutations) {
            take(id, &mut records);
        }
        let needs = server::needs(&records, mutations);
        for need in &needs {
            match need {
                Need::Record(id) => take(*id, &mut records),
                Need::Children(id) => {
                    let children: Vec<Uuid> = self
                        .records
                        .values()
                        .filter(|r| r.parent == Some(*id))
                        .map(|r| r.id)
                        .collect();
                    for c in children {
                        take(c, &mut records);
                    }
                }
                _ => {}
            }
        }
        (records, self.forms.only(&needs))
    }
}

fn forms_profile_id(school: Uuid) -> Uuid {
    kinds::school_profile::id(school)
}

pub fn edit(
    record: Uuid,
    kind: &'static str,
    scope: Scope,
    parent: Option<Uuid>,
    fields: BTreeMap<String, Value>,
) -> Edit {
    Edit {
        record,
        kind,
        scope,
        parent,
        fields,
    }
}

/// A plausible answer to every question a person types into (the first option, the smallest
/// number, every table cell, one item of a group); computed values are left out.
pub fn answers_for(t: &Template) -> forms::Answers {
    t.questions()
        .filter_map(|q| answer_of(&q.kind).map(|v| (q.id.clone(), v)))
        .collect()
}

pub(crate) fn answer_of(kind: &Kind) -> Option<Value> {
    let first = |options: &[Choice]| json!(options[0].id);
    let number = |min: Option<f64>| json!(min.unwrap_or(0.0).ceil() as i64);
    Some(match kind {
        Kind::Single { options } => first(options),
        Kind::Multiple { options, .. } => json!([options[0].id]),
        Kind::Scale { min, .. } => json!(min),
        Kind::Number(rule) => number(rule.min),
        Kind::Percent => json!(10),
        Kind::Text { .. } | Kind::LongText { .. } => json!("Ответ"),
        Kind::Date => json!("2025-12-01"),
        Kind::YesNo => json!(true),
        Kind::Table { rows, columns } => {
            let row: serde_json::Map<String, Value> = columns
                .iter()
                .map(|c| {
                    let v = match &c.cell {
                        Cell::Number(rule) => number(rule.min),
                        Cell::Percent => json!(10),
                        Cell::Text { .. } => json!("нет"),
                        Cell::Single { options } => first(options),
                        Cell::YesNo => json!(false),
                    };
                    (c.id.clone(), v)
                })
                .collect();
            Value::Object(
                rows.iter()
                    .map(|r| (r.id.clone(), Value::Object(row.clone())))
                    .collect(),
            )
        }
        Kind::Group { questions, .. } => {
            let item: serde_json::Map<String, Value> = questions
                .iter()
                .filter_map(|q| answer_of(&q.kind).map(|v| (q.id.clone(), v)))
                .collect();
            json!([item])
        }
        Kind::Computed(_) => return None,
    })
}
