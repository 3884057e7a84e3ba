//! Deterministic simulation of the whole trust model over sync. Two schools and every role —
//! the centre head, two leaders (management team) of school A, a teacher of A, a team member of
//! school B, a mentor assigned to A, a curator assigned to B, a moderator — each with one to
//! three devices, and a server that runs `model::sync::server::plan` and files every change under
//! its read keys the way `server/src/storage/sync.rs` and `server/src/routes/sync.rs` do (pulls by
//! grants, `reset` when the grants change, `full` passes, re-stamps, bounded pages).
//!
//! People act on what their devices hold: the head sends campaigns of four small forms (a school
//! card, a scored leader test, a named teacher survey, an anonymous survey), the school fills and
//! submits them, the server numbers rounds and scores tests, advisers and the head review, write
//! recommendations and plan items, things get deleted and restored, several devices edit the same
//! records. The school's support runs beside it: the team and its adviser draft the anti-risk
//! programme of a year (sections, indicators with quarterly actuals, measures), the advisers
//! comment, the head records the presentation and the verdict; the team asks for consultations
//! (some addressed to one specialist, who may advise another school) that both sides move through
//! their states as `support::consultation::may_move` allows; advisers and the head record visits;
//! the team acknowledges sent recommendations and makes programme measures of them. The head plans
//! the centre's work for the school year (items naming a specialist responsible, who reports on
//! them with a status, a text and documents; now and then another specialist, nobody, or someone of
//! a school, whom the item must never reach) and enters the values of the programme's indicators.
//! Some devices are careless or hostile: clocks days or a year off, writes stamped with the largest
//! clock value, squatted ids, writes to server-only fields, to a foreign school or to the team's
//! data by people who are not the team, fields the kind's rules grant to none of the person's
//! relations (a team's verdict or comment, a mentor's request), records their relations never
//! create, consultation moves the model never allows, edits of a finished consultation, a school
//! answering a recommendation still a draft, the person responsible for an item of the plan
//! rewriting it or handing it on, a specialist reporting on an item not theirs, plans or
//! indicators' values made by anyone but the head, evidence and months the declaration refuses, an
//! indicator's value moved to another indicator or year. Midway the head takes school A away from
//! the mentor and (usually) gives it back. The network drops, duplicates and reorders messages, the
//! server crashes after a commit before answering, devices crash (memory lost, storage kept) and
//! their clocks jump. No real clock, no real network: everything follows from the seed.
//!
//! Checked after every delivered answer: nothing a person may not read reaches their device, no
//! anonymous record travels, no clock value past the server's time plus `MAX_AHEAD_MS` is sent or
//! stored; when a pass that received everything again ends, nothing is left on the device that
//! its person may not read (unless an edit of it waits or was refused). Checked once the network
//! heals and everyone has synced: convergence (each device holds the server's records its person
//! may read, with the server's values — of a record deleted before the device began to read it,
//! the deletion alone —; of their histories, exactly what was logged for its person while the
//! person's grants stayed the same, and never a write not logged for it; a school's team none of
//! a recommendation's drafts), zero loss (every edit is on the server and, while it is a field's
//! value of a record that is not gone, on every reader's device, or refused and shown),
//! nothing applied twice, the read keys on file are each record's audience,
//! hostile writes refused, far-ahead writes re-stamped.
//!
//! `SIM_SEEDS=N` sets how many seeds run (default 2000; from 1000 on, every counted path must
//! have been exercised); `SIM_SEED=S` replays one seed and prints its figures, `SIM_TRACE=1`
//! with it prints every edit, request and answer; `SIM_KEEP_GOING=1` runs every seed and lists
//! all that fail.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use model::access::{Actor, ReadKey};
use model::files;
use model::forms::{self, Campaign, Key, Kind, Respondent, Status, Template, review};
use model::hlc::{Clock, DeviceId, Hlc, MAX_AHEAD_MS, MAX_WALL};
use model::kinds::{self, KindSpec, Lookup, Need, Who, anonymous_response, school_profile};
use model::monitoring as mon;
use model::practices;
use model::record::{DELETED, KEPT_IN_ALL, KEPT_PER_DEVICE, Record, Scope, stable_id};
use model::reserve;
use model::role::Role;
use model::support::consultation::{self as cons, Side, State, may_move, state_of};
use model::support::{self, programme as prog, visit as vis};
use model::sync::client::{self, DeviceState, OutboxOp, Refused};
use model::sync::server::{self, Batch, Plan, Remembered};
use model::sync::{Change, Mutation, PROTOCOL_VERSION, SyncRequest, SyncResponse};
use model::workplan::{self as wp, indicators as ind};
use serde_json::{Value, json};
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
    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.below(items.len() as u64) as usize].clone())
        }
    }
}

const DAY_MS: i64 = 86_400_000;
const YEAR_MS: i64 = 365 * DAY_MS;

// ---- schools, people, forms ----

const SCHOOL_A: Uuid = Uuid::from_u128(0x5c00_000a);
const SCHOOL_B: Uuid = Uuid::from_u128(0x5c00_000b);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Person {
    Head,
    Leader1,
    Leader2,
    Teacher,
    TeamB,
    Mentor,
    Curator,
    Moderator,
}

const PEOPLE: [Person; 8] = [
    Person::Head,
    Person::Leader1,
    Person::Leader2,
    Person::Teacher,
    Person::TeamB,
    Person::Mentor,
    Person::Curator,
    Person::Moderator,
];
const HEAD: usize = 0;
const MENTOR: usize = 5;
const CURATOR: usize = 6;

impl Person {
    fn actor(self, index: usize) -> Actor {
        let (name, role, school, assigned) = match self {
            Person::Head => ("Руководитель центра", Role::Head, None, vec![]),
            Person::Leader1 => ("Директор А", Role::SchoolTeam, Some(SCHOOL_A), vec![]),
            Person::Leader2 => ("Завуч А", Role::SchoolTeam, Some(SCHOOL_A), vec![]),
            Person::Teacher => ("Учитель А", Role::Teacher, Some(SCHOOL_A), vec![]),
            Person::TeamB => ("Директор Б", Role::SchoolTeam, Some(SCHOOL_B), vec![]),
            Person::Mentor => ("Наставник", Role::Mentor, None, vec![SCHOOL_A]),
            Person::Curator => ("Куратор", Role::Curator, None, vec![SCHOOL_B]),
            Person::Moderator => ("Модератор", Role::Moderator, None, vec![]),
        };
        Actor {
            user_id: Uuid::from_u128(0x1000 + index as u128),
            name: name.into(),
            role,
            school,
            assigned,
            school_name: String::new(),
        }
    }
}

const CARD: &str = "school_card";
const TEST: &str = "leader_test";
const NEEDS: &str = "teacher_needs";
const MOOD: &str = "satisfaction";

const TEMPLATES: [&str; 4] = [
    r#"{"code": "school_card", "version": 1, "title": "Карта школы",
        "respondent": "school", "audience": ["school_team"],
        "sections": [{"id": "main", "title": "Основное", "questions": [
            {"id": "goal", "text": "Цель на год", "type": "text", "required": true},
            {"id": "staff", "text": "Педагогов", "type": "number", "min": 0, "max": 500,
             "integer": true},
            {"id": "ready", "text": "План утверждён?", "type": "yes_no"}]}]}"#,
    r#"{"code": "leader_test", "version": 1, "title": "Тест руководителя",
        "respondent": "person", "audience": ["school_team"],
        "test": {"areas": [{"id": "plan", "title": "Планирование"},
                           {"id": "people", "title": "Работа с кадрами"}],
                 "deficit_below": 50, "partial_below": 80},
        "sections": [{"id": "test", "title": "Тест", "questions": [
            {"id": "t1", "text": "Вопрос 1", "type": "single", "area": "plan", "required": true,
             "correct": ["a"], "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}]},
            {"id": "t2", "text": "Вопрос 2", "type": "single", "area": "plan",
             "correct": ["b"], "options": [{"id": "a", "text": "А"}, {"id": "b", "text": "Б"}]},
            {"id": "t3", "text": "Вопрос 3", "type": "multiple", "area": "people",
             "correct": ["x", "y"], "options": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"},
                                                {"id": "z", "text": "Z"}]}]}]}"#,
    r#"{"code": "teacher_needs", "version": 1, "title": "Потребности педагога",
        "respondent": "person", "audience": ["teacher"],
        "sections": [{"id": "main", "title": "Анкета", "questions": [
            {"id": "need", "text": "Что нужно", "type": "long_text", "required": true},
            {"id": "years", "text": "Стаж", "type": "number", "min": 0, "max": 60,
             "integer": true}]}]}"#,
    r#"{"code": "satisfaction", "version": 1, "title": "Удовлетворённость",
        "respondent": "person", "anonymous": true,
        "audience": ["teacher", "school_team", "mentor", "curator"],
        "sections": [{"id": "main", "title": "Анкета", "questions": [
            {"id": "score", "text": "Оценка", "type": "scale", "min": 1, "max": 5,
             "required": true},
            {"id": "comment", "text": "Комментарий", "type": "text"}]}]}"#,
];

struct Form {
    template: Arc<Template>,
    key: Arc<Key>,
}

/// The templates, parsed once (which takes the answer key out).
fn forms_by_code() -> &'static BTreeMap<String, Form> {
    static FORMS: OnceLock<BTreeMap<String, Form>> = OnceLock::new();
    FORMS.get_or_init(|| {
        TEMPLATES
            .iter()
            .map(|json| {
                let (t, key) = Template::parse(json).expect("a sim template parses");
                (
                    t.code.clone(),
                    Form {
                        template: Arc::new(t),
                        key: Arc::new(key),
                    },
                )
            })
            .collect()
    })
}

fn template(code: &str) -> Arc<Template> {
    forms_by_code()[code].template.clone()
}

/// What the server knows besides records: the templates and their keys, and the secret of
/// anonymous ids.
struct SimLookup {
    secret: u64,
    /// The role of each person (every account is enabled here).
    roles: HashMap<Uuid, Role>,
}

impl SimLookup {
    /// A keyed hash of the campaign and the person.
    fn anonymous(&self, campaign: Uuid, user: Uuid) -> Uuid {
        stable_id(&format!("{:016x}/{campaign}/{user}", self.secret))
    }
}

impl Lookup for SimLookup {
    fn template(&self, code: &str, version: u32) -> Option<Arc<Template>> {
        forms_by_code()
            .get(code)
            .filter(|f| f.template.version == version)
            .map(|f| f.template.clone())
    }
    fn answer_key(&self, code: &str, version: u32) -> Option<Arc<Key>> {
        forms_by_code()
            .get(code)
            .filter(|f| f.template.version == version)
            .map(|f| f.key.clone())
    }
    fn anonymous_id(&self, campaign: Uuid, user: Uuid) -> Option<Uuid> {
        Some(self.anonymous(campaign, user))
    }
    fn role_of(&self, user: Uuid) -> Option<Role> {
        self.roles.get(&user).copied()
    }
}

/// A campaign the head sends at the start.
struct CampaignSpec {
    code: &'static str,
    roles: &'static [Role],
    schools: &'static [Uuid],
}

const CAMPAIGNS: [CampaignSpec; 4] = [
    CampaignSpec {
        code: CARD,
        roles: &[Role::SchoolTeam],
        schools: &[SCHOOL_A, SCHOOL_B],
    },
    CampaignSpec {
        code: TEST,
        roles: &[Role::SchoolTeam],
        schools: &[SCHOOL_A, SCHOOL_B],
    },
    CampaignSpec {
        code: NEEDS,
        roles: &[Role::Teacher],
        schools: &[SCHOOL_A],
    },
    CampaignSpec {
        code: MOOD,
        roles: &[Role::Teacher, Role::SchoolTeam, Role::Mentor, Role::Curator],
        schools: &[SCHOOL_A, SCHOOL_B],
    },
];

/// Marks the campaigns the head sends at the start (the others are extra, and get deleted).
const MAIN: &str = "main";
const EXTRA: &str = "extra";

fn campaign_fields(spec: &CampaignSpec, note: &str) -> BTreeMap<String, Value> {
    let schools: Vec<String> = spec.schools.iter().map(ToString::to_string).collect();
    let roles: Vec<&str> = spec.roles.iter().map(|r| r.as_str()).collect();
    fields(&[
        ("title", json!(format!("Рассылка {}", spec.code))),
        ("template", json!(spec.code)),
        ("version", json!(1)),
        ("deadline", json!("2031-03-31")),
        ("schools", json!(schools)),
        ("roles", json!(roles)),
        ("note", json!(note)),
    ])
}

fn fields(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// One answer to a question of `t`, most often a required one not answered yet; a careless
/// person sometimes types a number out of range (the server refuses it).
fn random_answer(t: &Template, answered: &Record, rng: &mut Rng) -> (String, Value) {
    let questions: Vec<_> = t.questions().collect();
    let missing: Vec<_> = questions
        .iter()
        .filter(|q| q.required && answered.get(&forms::answer_field(&q.id)).is_none())
        .collect();
    let q = if !missing.is_empty() && rng.chance(70) {
        missing[rng.below(missing.len() as u64) as usize]
    } else {
        questions[rng.below(questions.len() as u64) as usize]
    };
    let value = match &q.kind {
        Kind::Single { options } => json!(options[rng.below(options.len() as u64) as usize].id),
        Kind::Multiple { options, .. } => {
            let chosen: Vec<&str> = options
                .iter()
                .filter(|_| rng.chance(50))
                .map(|o| o.id.as_str())
                .collect();
            json!(chosen)
        }
        Kind::Scale { min, max, .. } => json!(min + rng.below((max - min + 1) as u64) as i64),
        Kind::Number(rule) => {
            let lo = rule.min.unwrap_or(0.0) as i64;
            let hi = rule.max.unwrap_or(100.0) as i64;
            if rng.chance(3) {
                json!(hi + 1)
            } else {
                json!(lo + rng.below((hi - lo + 1) as u64) as i64)
            }
        }
        Kind::YesNo => json!(rng.chance(50)),
        _ => json!(format!("ответ {}", rng.below(1000))),
    };
    (forms::answer_field(&q.id), value)
}

// ---- school support: what the declarations grant ----

/// The years of the programmes people draft (two, so that both sides meet on the same ones).
const YEARS: [i64; 2] = [2030, 2031];
/// The risk factors the sections are drafted for (few, so that sections pre-filled on two
/// computers meet under one derived id).
const FACTORS: [&str; 3] = ["staff_shortage", "parents", support::GENERAL];
/// The title of a recommendation the mentor keeps as a draft (never sent): a school answering it
/// must be refused whatever else happens meanwhile.
const KEPT_DRAFT: &str = "Заметки наставника";

/// The support kinds (and recommendations, which the school answers), for hostile writes.
const SUPPORT_KINDS: [&str; 7] = [
    prog::PROGRAMME_KIND,
    prog::SECTION_KIND,
    prog::INDICATOR_KIND,
    prog::MEASURE_KIND,
    cons::KIND,
    vis::KIND,
    forms::recommendation::RECOMMENDATION_KIND,
];

/// The kinds of the centre's plan of work, for hostile writes.
const WORKPLAN_KINDS: [&str; 2] = [wp::KIND, ind::KIND];
/// The kinds only the head writes, checked for refused hostile writes with the others.
const HEAD_ONLY_KINDS: [&str; 1] = [mon::KIND];
/// The bank of practices, the files attached to its materials, the management reserve.
const PRACTICE_KINDS: [&str; 4] = [
    practices::MATERIAL_KIND,
    files::ATTACHMENT_KIND,
    reserve::CANDIDATE_KIND,
    reserve::VACANCY_KIND,
];
/// The content of an item of the plan the head keeps for themself: its responsible person is
/// the head, named when it is planned and never changed, so a mentor or curator reporting on it
/// must be refused whatever else happens meanwhile.
const HEAD_OWN: &str = "Отчёт центра перед управлением образования";
/// What the plan of work holds, as 003 writes it.
const WORK_CONTENTS: [&str; 6] = [
    "Мониторинг укомплектованности школ педагогическими кадрами",
    "Семинар для руководителей школ с низкими результатами",
    "Консультации по запросам школ",
    "Посещение уроков молодых педагогов",
    "Публикация опыта наставнических пар",
    "Совещание с кураторами школ",
];

/// The declared fields of a kind, and its deletion mark.
fn field_names(spec: &KindSpec) -> Vec<&'static str> {
    spec.fields
        .iter()
        .map(|f| f.name)
        .chain([DELETED])
        .collect()
}

/// The fields (and the deletion mark) some rule of the kind grants to one of the relations
/// `who` (only rules that create, if `creating`), besides those only the server writes.
fn granted(spec: &KindSpec, who: &[Who], creating: bool) -> Vec<&'static str> {
    field_names(spec)
        .into_iter()
        .filter(|name| !spec.server_fields.contains(name))
        .filter(|name| {
            spec.rules.iter().any(|r| {
                who.contains(&r.who)
                    && (r.create || !creating)
                    && r.fields.iter().any(|p| kinds::covers(p, name))
            })
        })
        .collect()
}

/// Every relation a person could stand in to a record of `school`, whatever the server holds
/// meanwhile (an assignment given back, a request addressed to them, a record they own).
fn possible(actor: &Actor, school: Uuid) -> Vec<Who> {
    let mut who = vec![Who::Owner, Who::ParentOwner, Who::Respondent];
    match actor.role {
        Role::Head => who.extend([Who::Centre, Who::Addressee]),
        Role::Mentor | Role::Curator => who.extend([Who::Adviser, Who::Addressee]),
        Role::SchoolTeam if actor.school == Some(school) => who.push(Who::Team),
        _ => {}
    }
    who
}

/// The fields a person may never write in a record of the kind at `school`: granted to none of
/// the relations they could hold, or written by the server only.
fn never_granted(spec: &KindSpec, actor: &Actor, school: Uuid) -> Vec<&'static str> {
    let may = granted(spec, &possible(actor, school), false);
    field_names(spec)
        .into_iter()
        .filter(|n| !may.contains(n))
        .collect()
}

/// A value of a field as the app would write it; it passes the field's declared check.
fn value_for(spec: &KindSpec, name: &str, rng: &mut Rng) -> Value {
    use forms::recommendation as rec;
    let n = rng.below(1000);
    let pick = |list: &[(&str, &str)], rng: &mut Rng| json!(rng.pick(list).unwrap().0);
    let date = |rng: &mut Rng| {
        json!(format!(
            "2031-{:02}-{:02}",
            1 + rng.below(12),
            1 + rng.below(28)
        ))
    };
    let v = match (spec.name, name) {
        (_, DELETED) => json!({"deleted": true}),
        (_, prog::F_YEAR) => json!(rng.pick(&YEARS).unwrap()),
        (_, prog::F_FACTOR) => json!(rng.pick(&FACTORS).unwrap()),
        (_, prog::F_LEVEL) => pick(&prog::LEVELS, rng),
        (_, prog::F_VERDICT) => pick(&prog::VERDICTS, rng),
        (_, prog::F_SUPPORT) => pick(&forms::plan::MEASURE_KINDS, rng),
        (prog::MEASURE_KIND, prog::F_STATUS) => pick(&prog::MEASURE_STATUSES, rng),
        (rec::RECOMMENDATION_KIND, rec::F_SOURCE) => pick(&rec::SOURCES, rng),
        (rec::RECOMMENDATION_KIND, rec::F_STATE) => json!("draft"),
        (rec::RECOMMENDATION_KIND, rec::F_AREAS) => json!(["plan"]),
        (rec::RECOMMENDATION_KIND, rec::F_ACK) => json!(true),
        (_, practices::F_MATERIALS) => json!([Uuid::from_u128(u128::from(n) + 1)]),
        (cons::KIND, cons::F_STATE) => json!(State::New.as_str()),
        (cons::KIND, cons::F_FORMAT) => pick(&cons::FORMATS, rng),
        (vis::KIND, vis::F_TYPE) => pick(&vis::TYPES, rng),
        (wp::KIND, wp::F_DIRECTION) => pick(&wp::DIRECTIONS, rng),
        (wp::KIND, wp::F_PERIOD) => pick(&wp::PERIODS, rng),
        (wp::KIND, wp::F_STATUS) => pick(&wp::STATUSES, rng),
        (wp::KIND, wp::F_MONTHS) => {
            let from = rng.below(12) as usize;
            let months: Vec<u8> = (from..(from + 1 + rng.below(3) as usize).min(12))
                .map(|i| wp::SCHOOL_MONTHS[i])
                .collect();
            json!(months)
        }
        (wp::KIND, wp::F_SCHOOLS) => {
            let all = [SCHOOL_A, SCHOOL_B];
            json!(all[..1 + rng.below(2) as usize])
        }
        (wp::KIND, wp::F_EVIDENCE) => {
            let docs: Vec<wp::Document> = (0..1 + rng.below(3))
                .map(|_| {
                    let kind = rng.pick(&wp::DOCUMENT_KINDS).unwrap().0.to_owned();
                    let date = if rng.chance(80) {
                        date(rng).as_str().unwrap().to_owned()
                    } else {
                        String::new()
                    };
                    wp::Document {
                        kind,
                        number: format!("{}/21-10", rng.below(2000)),
                        date,
                        title: format!("О проведении мероприятия {n}"),
                    }
                })
                .collect();
            serde_json::to_value(docs).unwrap()
        }
        (wp::KIND, wp::F_LINK) => {
            let campaign = format!("campaign:{}", Uuid::from_u128(0xc000 + u128::from(n)));
            json!(
                rng.pick(&[campaign.as_str(), "consultations", "visits", "programmes"])
                    .unwrap()
            )
        }
        (wp::KIND, wp::F_CONTENT) => json!(rng.pick(&WORK_CONTENTS).unwrap()),
        (ind::KIND, ind::F_CODE) => {
            json!(ind::INDICATORS[rng.below(ind::INDICATORS.len() as u64) as usize].code)
        }
        (ind::KIND, ind::F_VALUE) => json!(n as f64 / 10.0),
        (ind::KIND, ind::F_SOURCE) => json!(format!("Приказ УО от 10.01.2031 № {n}")),
        (_, "deadline" | "presented_on" | "meeting_on" | "date" | rec::F_ACK_ON) => date(rng),
        (_, "source" | "source_id" | "measure" | kinds::ADDRESSEE) => {
            json!(Uuid::from_u128(0xa000 + u128::from(n)))
        }
        (_, "q1" | "q2" | "q3" | "q4" | "baseline" | "target") => json!(n as f64 / 10.0),
        _ => match spec.field(name).map(|f| f.ty) {
            Some(kinds::FieldType::Integer { min, .. }) => json!(min),
            Some(kinds::FieldType::Text { max_chars }) => {
                json!(
                    format!("{name} {n}")
                        .chars()
                        .take(max_chars)
                        .collect::<String>()
                )
            }
            _ => panic!("the simulation has no value for {}.{name}", spec.name),
        },
    };
    if let Some(f) = spec.field(name) {
        assert!(
            f.check(&v).is_ok(),
            "the simulation's value for {}.{name} breaks its declaration: {v}",
            spec.name
        );
    }
    v
}

/// A record with fields merged as the latest writes (what an edit would make of it).
fn merged(r: &Record, f: &BTreeMap<String, Value>) -> Record {
    let mut after = r.clone();
    for (name, value) in f {
        after.apply(
            name,
            model::record::Write {
                hlc: Hlc {
                    wall_ms: MAX_WALL,
                    counter: 0,
                    device: DeviceId::server(),
                },
                value: value.clone(),
            },
        );
    }
    after
}

// ---- the server ----

/// One entry of the change log, filed under the keys of its readers.
struct Entry {
    change: Change,
    keys: Vec<ReadKey>,
    /// The device that made it (the server's id for the server's own writes).
    device: DeviceId,
    /// The device's number for it (0: the server's own write).
    device_seq: u64,
}

#[derive(Default)]
struct Memo {
    last_seq: u64,
    remembered: HashMap<u64, Remembered>,
}

/// An answer with what the server knew when it made it.
struct Answer {
    resp: SyncResponse,
    grants: Vec<ReadKey>,
    assigned: Vec<Uuid>,
}

struct Server {
    /// The people as the server knows them now (assignments change).
    actors: Vec<Actor>,
    records: HashMap<Uuid, Record>,
    /// The read keys stored beside each record.
    keys: HashMap<Uuid, Vec<ReadKey>>,
    /// The change log; `log[i]` has seq `i + 1`.
    log: Vec<Entry>,
    /// Seqs of the log filed under each key, ascending (the `change_keys` index).
    by_key: HashMap<ReadKey, Vec<u64>>,
    devices: HashMap<DeviceId, Memo>,
    clock: Clock,
    /// Log rows per answer.
    page: usize,
    lookup: SimLookup,
}

impl Server {
    fn load(&self, ids: impl IntoIterator<Item = Uuid>, into: &mut HashMap<Uuid, Record>) {
        for id in ids {
            if let Some(r) = self.records.get(&id) {
                into.entry(id).or_insert_with(|| r.clone());
            }
        }
    }

    /// Writes a plan: the touched records with their keys, the log filed under its keys.
    fn write_plan(
        &mut self,
        plan: &Plan,
        records: &HashMap<Uuid, Record>,
        device: Option<&DeviceId>,
        now: u64,
    ) -> Result<(), String> {
        for (id, keys) in &plan.touched {
            let r = records[id].clone();
            for (name, state) in &r.fields {
                for w in state.writes() {
                    if w.hlc.wall_ms > now + MAX_AHEAD_MS {
                        return Err(format!(
                            "the server stored {id}.{name} with clock {} past its time {now}",
                            w.hlc
                        ));
                    }
                }
            }
            self.keys.insert(*id, keys.clone());
            self.records.insert(*id, r);
        }
        for l in &plan.log {
            if kinds::spec(&l.change.kind).is_none_or(|s| s.anonymous) {
                return Err(format!(
                    "a change of kind {} was logged ({})",
                    l.change.kind, l.change.record
                ));
            }
            let seq = self.log.len() as u64 + 1;
            for k in &l.keys {
                self.by_key.entry(k.clone()).or_default().push(seq);
            }
            let (device, device_seq) = match (l.device_seq, device) {
                (Some(n), Some(d)) => (d.clone(), n),
                _ => (DeviceId::server(), 0),
            };
            self.log.push(Entry {
                change: l.change.clone(),
                keys: l.keys.clone(),
                device,
                device_seq,
            });
        }
        Ok(())
    }

    /// Installs the templates as records, as the server does at start.
    fn install_templates(&mut self, now: u64) -> Result<(), String> {
        let writes = forms_by_code()
            .values()
            .map(|f| {
                let t = &f.template;
                kinds::ServerWrite {
                    record: forms::template_id(&t.code, t.version),
                    kind: forms::TEMPLATE_KIND,
                    scope: Scope::Centre,
                    parent: None,
                    fields: fields(&[
                        ("code", json!(t.code)),
                        ("version", json!(t.version)),
                        ("title", json!(t.title)),
                        ("body", serde_json::to_value(&**t).unwrap()),
                    ]),
                }
            })
            .collect();
        let mut records = HashMap::new();
        let plan = server::server_writes(now, &mut self.clock, &mut records, writes)
            .map_err(|e| e.to_string())?;
        self.write_plan(&plan, &records, None, now)
    }

    /// May a person with these grants read the record (by its kind's audience now)?
    fn readable(&self, grants: &[ReadKey], r: &Record) -> bool {
        let parent = r.parent.and_then(|p| self.records.get(&p));
        kinds::audience(r, parent)
            .iter()
            .any(|k| grants.contains(k))
    }

    /// Up to `limit` log seqs after `from` filed under any of the grants, ascending.
    fn rows_after(&self, grants: &[ReadKey], from: u64, limit: usize) -> Vec<u64> {
        let mut all = Vec::new();
        for k in grants {
            if let Some(seqs) = self.by_key.get(k) {
                let at = seqs.partition_point(|s| *s <= from);
                all.extend(seqs[at..].iter().take(limit));
            }
        }
        all.sort_unstable();
        all.dedup();
        all.truncate(limit);
        all
    }

    /// `POST /api/sync`: the push planned and written in one step, then a page of changes.
    fn handle(&mut self, person: usize, req: &SyncRequest, now: u64) -> Result<Answer, String> {
        assert_eq!(req.protocol, PROTOCOL_VERSION);
        let actor = self.actors[person].clone();
        let mutations = req.mutations();
        // Load what the batch names, then what its kinds need (as storage/sync.rs does).
        let mut records = HashMap::new();
        self.load(server::named_ids(&mutations), &mut records);
        let mut needed: Vec<Uuid> = Vec::new();
        for n in server::needs(&records, &mutations) {
            match n {
                Need::Record(id) => needed.push(id),
                Need::Children(id) => needed.extend(
                    self.records
                        .values()
                        .filter(|r| r.parent == Some(id))
                        .map(|r| r.id),
                ),
                _ => {}
            }
        }
        self.load(needed, &mut records);
        let memo = self.devices.entry(req.device.clone()).or_default();
        let batch = Batch {
            actor: &actor,
            device: &req.device,
            now_ms: now,
            last_seq: memo.last_seq,
            remembered: &memo.remembered,
            lookup: &self.lookup,
        };
        let plan = server::plan(&batch, &mut self.clock, &mut records, &mutations)
            .map_err(|e| format!("a batch failed: {e}"))?;
        memo.last_seq = plan.last_seq;
        for t in &plan.taken {
            memo.remembered.insert(
                t.seq,
                Remembered {
                    fingerprint: t.fingerprint,
                    outcome: t.outcome.clone(),
                },
            );
        }
        self.write_plan(&plan, &records, Some(&req.device), now)?;
        let scopes_key = actor.grants_key();

        // The pull, as routes/sync.rs: from the start when the grants changed, the device's own
        // changes only when it receives everything again.
        let grants = actor.grants();
        let reset = !req.scopes_key.is_empty() && req.scopes_key != scopes_key;
        let from = if req.scopes_key == scopes_key {
            req.cursor
        } else {
            0
        };
        let with_own = reset || req.full;
        let rows = self.rows_after(&grants, from, self.page + 1);
        let complete = rows.len() <= self.page;
        let mut cursor = from;
        let mut changes = Vec::new();
        for seq in rows.iter().take(self.page) {
            cursor = *seq;
            let e = &self.log[*seq as usize - 1];
            if !with_own && e.device == req.device {
                continue;
            }
            changes.push(e.change.clone());
        }
        let remaining =
            if complete {
                0
            } else {
                let mut after: BTreeSet<u64> = BTreeSet::new();
                for k in &grants {
                    if let Some(seqs) = self.by_key.get(k) {
                        let at = seqs.partition_point(|s| *s <= cursor);
                        after.extend(seqs[at..].iter().filter(|s| {
                            with_own || self.log[**s as usize - 1].device != req.device
                        }));
                    }
                }
                after.len() as u64
            };
        Ok(Answer {
            resp: SyncResponse {
                protocol: PROTOCOL_VERSION,
                acked_upto: plan.acked_upto,
                refused: plan.refused,
                restamped: plan.restamped,
                unreadable: plan.unreadable,
                reset,
                changes,
                cursor,
                more: !complete && remaining > 0,
                remaining,
                scopes_key,
                server_time_ms: now,
                epoch: "sim".into(),
            },
            grants,
            assigned: actor.assigned.clone(),
        })
    }
}

// ---- devices ----

/// What survives a crash of a device: its IndexedDB.
struct Durable {
    state: DeviceState,
    records: HashMap<Uuid, Record>,
    outbox: Vec<Mutation>,
    refused: Vec<Refused>,
    /// The schools its person works with, as the server last said.
    assigned: Vec<Uuid>,
}

struct Device {
    person: usize,
    durable: Durable,
    /// The request in flight (lost when the device crashes) and when to give up on it.
    in_flight: Option<(u64, u64)>,
    skew_ms: i64,
    /// The last answer taken: how many changes it brought, and whether more wait.
    last: (usize, bool),
    /// Every read key an answer it took was made for.
    ever_keys: BTreeSet<ReadKey>,
    /// It took a pass that began again because its person's grants changed.
    regranted: bool,
}

impl Device {
    fn now(&self, time: u64) -> u64 {
        (time as i64 + self.skew_ms).clamp(0, i64::MAX) as u64
    }

    /// The device's time corrected by what the server said (how fresh ids are dated).
    fn corrected(&self, time: u64) -> u64 {
        (self.now(time) as i64)
            .saturating_add(self.durable.state.clock.offset_ms)
            .clamp(0, MAX_WALL as i64) as u64
    }

    /// Takes an answer in as `app/src/store.rs` does, in one step: the changes, the cursor,
    /// the refusals, the acknowledged edits, and after a pass that received everything again,
    /// the records it did not bring (unless an edit of them waits or was refused).
    /// Returns how many records it dropped, if a pass ended.
    fn take(&mut self, time: u64, resp: &SyncResponse, assigned: &[Uuid]) -> Option<usize> {
        let now = self.now(time);
        let d = &mut self.durable;
        let taken = client::take_response(&mut d.state, now, &d.outbox, &mut d.records, resp);
        d.outbox.retain(|m| !taken.acked.contains(&m.seq));
        d.refused.extend(taken.refused);
        d.assigned = assigned.to_vec();
        self.in_flight = None;
        self.last = (resp.changes.len(), resp.more);
        let pending: BTreeSet<Uuid> = d
            .outbox
            .iter()
            .map(|m| m.change.record)
            .chain(d.refused.iter().map(|r| r.mutation.change.record))
            .collect();
        // What it wrote but may not read now leaves the device, as after a pass.
        for id in taken.unreadable.iter().filter(|id| !pending.contains(id)) {
            if d.records.remove(id).is_some() {
                d.state.dropped += 1;
            }
        }
        let pass = taken.sweep?;
        let before = d.records.len();
        d.records.retain(|_, r| client::keep(r, pass, &pending));
        let dropped = before - d.records.len();
        d.state.dropped += dropped as u64;
        Some(dropped)
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
        answer: Arc<Answer>,
        built_at: u64,
    },
}

/// What a write is expected to meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// An honest edit: accepted, or refused for a reason the person is shown.
    Any,
    /// A hostile write: must be refused.
    Refused,
    /// Stamped far ahead: must be accepted with the server's time.
    Restamped,
}

/// The final content of one (device, seq), with what it must meet.
struct Edit {
    change: Change,
    expect: Expect,
    restamped: bool,
}

/// What happened in a run, to prove the faults and the rules were really exercised.
#[derive(Default, Clone)]
struct Stats {
    edits: u64,
    coalesced: u64,
    deletions: u64,
    refused_honest: u64,
    hostile: u64,
    hostile_refused: u64,
    max_wall: u64,
    restamped: u64,
    resets: u64,
    swept: u64,
    access_changes: u64,
    dropped: u64,
    timed_out: u64,
    duplicated: u64,
    server_crashes: u64,
    device_crashes: u64,
    clock_jumps: u64,
    /// Copies of a record that is gone holding its deletion without its values (their device
    /// began to read it after it was deleted).
    gone_unseen: u64,
    /// Late edits to a record that stayed gone, filed for no reader.
    filed_for_nobody: u64,
    /// Copies of records still awaiting a person's decision at the end (each listed by its
    /// device for the app to show).
    undecided: u64,
    /// Records on the server at the end, per kind (in `kinds::KINDS` order).
    kinds: Vec<u64>,
    /// What the school's support reached on the server at the end (a verdict, quarterly
    /// actuals, consultations per state …).
    support: BTreeMap<String, u64>,
}

impl Stats {
    fn counts(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = [
            ("edits", self.edits),
            ("coalesced edits", self.coalesced),
            ("deletions", self.deletions),
            ("honest edits refused", self.refused_honest),
            ("hostile writes", self.hostile),
            ("hostile writes refused", self.hostile_refused),
            ("writes stamped with the largest clock", self.max_wall),
            ("re-stamped writes", self.restamped),
            ("reset passes", self.resets),
            ("records dropped after access loss", self.swept),
            ("access changes", self.access_changes),
            ("dropped messages", self.dropped),
            ("messages that waited too long", self.timed_out),
            ("duplicated messages", self.duplicated),
            ("server crashes", self.server_crashes),
            ("device crashes", self.device_crashes),
            ("clock jumps", self.clock_jumps),
            (
                "deleted records received without their values",
                self.gone_unseen,
            ),
            (
                "late edits to gone records filed for no reader",
                self.filed_for_nobody,
            ),
            ("copies awaiting a decision at the end", self.undecided),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for (spec, n) in kinds::KINDS.iter().zip(&self.kinds) {
            out.push((format!("{} records", spec.name), *n));
        }
        for (what, n) in &self.support {
            out.push((what.clone(), *n));
        }
        out
    }

    fn add(&mut self, o: &Stats) {
        self.edits += o.edits;
        self.coalesced += o.coalesced;
        self.deletions += o.deletions;
        self.refused_honest += o.refused_honest;
        self.hostile += o.hostile;
        self.hostile_refused += o.hostile_refused;
        self.max_wall += o.max_wall;
        self.restamped += o.restamped;
        self.resets += o.resets;
        self.swept += o.swept;
        self.access_changes += o.access_changes;
        self.dropped += o.dropped;
        self.timed_out += o.timed_out;
        self.duplicated += o.duplicated;
        self.server_crashes += o.server_crashes;
        self.device_crashes += o.device_crashes;
        self.clock_jumps += o.clock_jumps;
        self.gone_unseen += o.gone_unseen;
        self.undecided += o.undecided;
        self.filed_for_nobody += o.filed_for_nobody;
        self.kinds.resize(kinds::KINDS.len(), 0);
        for (a, b) in self.kinds.iter_mut().zip(&o.kinds) {
            *a += b;
        }
        for (what, n) in &o.support {
            *self.support.entry(what.clone()).or_default() += n;
        }
    }
}

struct World {
    rng: Rng,
    time: u64,
    server: Server,
    devices: Vec<Device>,
    /// Messages on their way, with when they were sent.
    net: Vec<(u64, Msg)>,
    next_msg: u64,
    edits: BTreeMap<(usize, u64), Edit>,
    /// Anonymous records each device wrote (no other device may ever hold them).
    anonymous_written: BTreeSet<(usize, Uuid)>,
    /// The steps at which the head takes school A from the mentor or gives it back.
    access_changes: Vec<u64>,
    /// The first broken rule seen while running.
    violation: Option<String>,
    stats: Stats,
    /// `SIM_TRACE=1` prints what happens (with `SIM_SEED`).
    trace: bool,
}

impl World {
    fn new(seed: u64) -> Result<World, String> {
        let mut rng = Rng(seed);
        let time = 1_700_000_000_000;
        let mut devices = Vec::new();
        for (person, _) in PEOPLE.iter().enumerate() {
            for _ in 0..1 + rng.below(3) {
                let id = DeviceId::from_random(rng.next().to_le_bytes());
                let skew = match rng.below(10) {
                    0 => YEAR_MS + rng.below(DAY_MS as u64) as i64,
                    1 => -YEAR_MS - rng.below(DAY_MS as u64) as i64,
                    2..=4 => rng.below(6 * DAY_MS as u64) as i64 - 3 * DAY_MS,
                    _ => rng.below(60_000) as i64 - 30_000,
                };
                devices.push(Device {
                    person,
                    durable: Durable {
                        state: DeviceState::new(id),
                        records: HashMap::new(),
                        outbox: Vec::new(),
                        refused: Vec::new(),
                        assigned: PEOPLE[person].actor(person).assigned,
                    },
                    in_flight: None,
                    skew_ms: skew,
                    last: (0, false),
                    ever_keys: BTreeSet::new(),
                    regranted: false,
                });
            }
        }
        let actors: Vec<Actor> = PEOPLE.iter().enumerate().map(|(i, p)| p.actor(i)).collect();
        let roles = actors.iter().map(|a| (a.user_id, a.role)).collect();
        let mut server = Server {
            actors,
            records: HashMap::new(),
            keys: HashMap::new(),
            log: Vec::new(),
            by_key: HashMap::new(),
            devices: HashMap::new(),
            clock: Clock::new(DeviceId::server()),
            page: 1 + rng.below(12) as usize,
            lookup: SimLookup {
                secret: rng.next(),
                roles,
            },
        };
        server.install_templates(time)?;
        // Taken away, usually given back, sometimes taken away again.
        let mut access_changes = vec![10 + rng.below(250)];
        for _ in 0..rng.below(3) {
            let last = access_changes[access_changes.len() - 1];
            access_changes.push(last + 5 + rng.below(200));
        }
        let mut world = World {
            rng,
            time,
            server,
            devices,
            net: Vec::new(),
            next_msg: 0,
            edits: BTreeMap::new(),
            anonymous_written: BTreeSet::new(),
            access_changes,
            violation: None,
            stats: Stats::default(),
            trace: std::env::var("SIM_TRACE").is_ok(),
        };
        // The head's first device sends the campaigns.
        world.ensure_campaigns(0);
        Ok(world)
    }

    fn person(&self, d: usize) -> Person {
        PEOPLE[self.devices[d].person]
    }

    fn user(&self, d: usize) -> Uuid {
        self.server.actors[self.devices[d].person].user_id
    }

    fn role(&self, d: usize) -> Role {
        self.server.actors[self.devices[d].person].role
    }

    /// The person's own school (staff only).
    fn school(&self, d: usize) -> Option<Uuid> {
        self.server.actors[self.devices[d].person].school
    }

    /// The schools the device believes its person works with.
    fn my_schools(&self, d: usize) -> Vec<Uuid> {
        match self.role(d) {
            Role::Head => vec![SCHOOL_A, SCHOOL_B],
            Role::SchoolTeam | Role::Teacher => self.school(d).into_iter().collect(),
            Role::Mentor | Role::Curator => self.devices[d].durable.assigned.clone(),
            Role::Moderator => Vec::new(),
        }
    }

    fn fail(&mut self, message: String) {
        if self.violation.is_none() {
            self.violation = Some(message);
        }
    }

    /// Ids of the device's records that match, sorted (so choices follow the seed only).
    fn local_ids(&self, d: usize, keep: impl Fn(&Record) -> bool) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.devices[d]
            .durable
            .records
            .values()
            .filter(|r| keep(r))
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    }

    /// Ids of the server's records that match, sorted (what an attacker could guess or learn).
    fn server_ids(&self, keep: impl Fn(&Record) -> bool) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .server
            .records
            .values()
            .filter(|r| keep(r))
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    }

    fn local(&self, d: usize, id: Uuid) -> Option<&Record> {
        self.devices[d].durable.records.get(&id)
    }

    /// A fresh UUIDv7 dated by the device's corrected clock.
    fn fresh_id(&mut self, d: usize) -> Uuid {
        let ms = self.devices[d].corrected(self.time);
        let mut random = [0u8; 10];
        random.copy_from_slice(&self.rng.next().to_le_bytes().repeat(2)[..10]);
        uuid::Builder::from_unix_timestamp_millis(ms, &random).into_uuid()
    }

    /// An honest edit through `client::edit`, as the app makes it.
    fn write(
        &mut self,
        d: usize,
        id: Uuid,
        kind: &str,
        scope: Scope,
        parent: Option<Uuid>,
        fields: BTreeMap<String, Value>,
    ) {
        if fields.is_empty() {
            return;
        }
        let time = self.time;
        let dev = &mut self.devices[d];
        let now = dev.now(time);
        let dur = &mut dev.durable;
        let mut record = dur
            .records
            .get(&id)
            .cloned()
            .unwrap_or_else(|| Record::new(id, kind, scope.clone(), parent));
        if record.kind != kind || record.scope != scope || record.parent != parent {
            return;
        }
        // The newest waiting edit of the record, unless a hostile client put it there (it
        // would not let the app replace it).
        let edits = &self.edits;
        let pending = dur
            .outbox
            .iter()
            .rev()
            .find(|m| m.change.record == id)
            .filter(|m| {
                edits
                    .get(&(d, m.seq))
                    .is_some_and(|e| e.expect == Expect::Any)
            });
        let deletion = fields.contains_key(DELETED);
        let op = client::edit(&mut dur.state, now, &mut record, fields, pending);
        let m = match op {
            OutboxOp::Append(m) => {
                dur.outbox.push(m.clone());
                m
            }
            OutboxOp::Replace(m) => {
                let slot = dur
                    .outbox
                    .iter_mut()
                    .find(|x| x.seq == m.seq)
                    .expect("pending entry");
                *slot = m.clone();
                self.stats.coalesced += 1;
                m
            }
        };
        dur.records.insert(id, record);
        if self.trace {
            eprintln!(
                "{} edit d{d} seq {} {kind} {id} {:?}",
                self.time, m.seq, m.change.fields
            );
        }
        self.stats.edits += 1;
        self.stats.deletions += u64::from(deletion);
        if kinds::spec(kind).is_some_and(|s| s.anonymous) {
            self.anonymous_written.insert((d, id));
        }
        self.edits.insert(
            (d, m.seq),
            Edit {
                change: m.change,
                expect: Expect::Any,
                restamped: false,
            },
        );
    }

    /// A mutation put straight into the outbox, as a modified or broken client would, with the
    /// given clock value (else a tick of the device's clock). Only a far-ahead write (honest
    /// content) is applied to the device's own copy too.
    #[allow(clippy::too_many_arguments)]
    fn inject(
        &mut self,
        d: usize,
        id: Uuid,
        kind: &str,
        scope: Scope,
        parent: Option<Uuid>,
        fields: BTreeMap<String, Value>,
        hlc: Option<Hlc>,
        expect: Expect,
    ) {
        let time = self.time;
        let dev = &mut self.devices[d];
        let now = dev.now(time);
        let dur = &mut dev.durable;
        let hlc = hlc.unwrap_or_else(|| dur.state.clock.tick(now));
        let change = Change {
            record: id,
            kind: kind.to_owned(),
            scope,
            parent,
            hlc,
            fields,
        };
        let seq = dur.state.next_seq;
        dur.state.next_seq += 1;
        if expect == Expect::Restamped {
            // The client holds what it wrote (its clock never saw that value).
            let r = dur.records.entry(id).or_insert_with(|| change.new_record());
            change.apply_to(r);
            self.stats.max_wall += 1;
        } else {
            self.stats.hostile += 1;
        }
        if self.trace {
            eprintln!(
                "{} inject d{d} seq {seq} {expect:?} {kind} {id} {:?}",
                self.time, change.fields
            );
        }
        dur.outbox.push(Mutation {
            seq,
            change: change.clone(),
        });
        self.edits.insert(
            (d, seq),
            Edit {
                change,
                expect,
                restamped: false,
            },
        );
    }

    // ---- what people do ----

    fn act(&mut self, d: usize) {
        let hostile = match self.person(d) {
            Person::Moderator => 60,
            _ => 7,
        };
        if self.rng.chance(hostile) {
            self.hostile(d);
            return;
        }
        match self.person(d) {
            Person::Head => match self.rng.below(20) {
                0..=1 => self.ensure_campaigns(d),
                2 => self.extra_campaign(d),
                3 => self.profile(d),
                4..=6 => self.review(d),
                7 => self.recommendation(d),
                8..=9 => self.plan_item(d),
                10..=11 => self.programme(d),
                12 => self.consult(d),
                13 => self.visit(d),
                14..=15 => self.work_plan(d),
                16 => self.report(d),
                17 => self.school_indices(d),
                18 if self.rng.chance(30) => self.material(d),
                18 if self.rng.chance(50) => self.reserve(d),
                _ => self.indicator(d),
            },
            Person::Leader1 | Person::Leader2 | Person::TeamB => match self.rng.below(15) {
                0..=1 => self.profile(d),
                2..=6 => self.answer(d),
                7..=8 => self.plan_item(d),
                9..=10 => self.programme(d),
                11..=12 => self.ask(d),
                13 if self.rng.chance(40) => self.nominate(d),
                _ => self.answer_recommendation(d),
            },
            Person::Teacher => self.answer(d),
            Person::Mentor | Person::Curator => match self.rng.below(17) {
                0..=5 => self.review(d),
                6..=7 => self.recommendation(d),
                8 => self.plan_item(d),
                9 => self.answer(d),
                10..=11 => self.programme(d),
                12..=13 => self.consult(d),
                14 => self.visit(d),
                _ => self.report(d),
            },
            Person::Moderator => self.material(d),
        }
    }

    /// The head (first device) sends each campaign it does not hold yet (again, if refused).
    fn ensure_campaigns(&mut self, d: usize) {
        let first_head = self
            .devices
            .iter()
            .position(|x| PEOPLE[x.person] == Person::Head);
        if first_head != Some(d) {
            return;
        }
        for spec in &CAMPAIGNS {
            let held = self.devices[d].durable.records.values().any(|r| {
                r.kind == forms::CAMPAIGN_KIND
                    && r.text("template") == spec.code
                    && r.text("note") == MAIN
            });
            if !held {
                let id = self.fresh_id(d);
                self.write(
                    d,
                    id,
                    forms::CAMPAIGN_KIND,
                    Scope::Centre,
                    None,
                    campaign_fields(spec, MAIN),
                );
            }
        }
    }

    /// The head sends an extra survey, changes a deadline, or deletes an extra campaign.
    fn extra_campaign(&mut self, d: usize) {
        let extras = self.local_ids(d, |r| {
            r.kind == forms::CAMPAIGN_KIND && r.text("note") == EXTRA && !r.is_deleted()
        });
        match self.rng.below(4) {
            0 if extras.len() < 2 => {
                let id = self.fresh_id(d);
                let f = campaign_fields(&CAMPAIGNS[2], EXTRA);
                self.write(d, id, forms::CAMPAIGN_KIND, Scope::Centre, None, f);
            }
            1 => {
                let all = self.local_ids(d, |r| r.kind == forms::CAMPAIGN_KIND);
                if let Some(id) = self.rng.pick(&all) {
                    let day = 10 + self.rng.below(18);
                    // Now and then a careless attempt to change who fills it (refused).
                    let f = if self.rng.chance(20) {
                        fields(&[("roles", json!(["teacher", "school_team"]))])
                    } else {
                        fields(&[("deadline", json!(format!("2031-04-{day}")))])
                    };
                    self.write(d, id, forms::CAMPAIGN_KIND, Scope::Centre, None, f);
                }
            }
            _ => {
                if let Some(id) = self.rng.pick(&extras) {
                    let del = self.local(d, id).unwrap().deletion_value();
                    self.write(
                        d,
                        id,
                        forms::CAMPAIGN_KIND,
                        Scope::Centre,
                        None,
                        fields(&[(DELETED, del)]),
                    );
                }
            }
        }
    }

    /// The school's passport, by its team (or the head).
    fn profile(&mut self, d: usize) {
        let Some(school) = self.rng.pick(&self.my_schools(d)) else {
            return;
        };
        if self.role(d) == Role::Teacher {
            return;
        }
        let mut f = BTreeMap::new();
        for _ in 0..1 + self.rng.below(2) {
            let n = self.rng.below(1000);
            let (name, value) = match self.rng.below(4) {
                0 => ("director", json!(format!("Директор {n}"))),
                1 => ("phone", json!(format!("+7 900 {n:03}"))),
                // A careless number now and then (refused).
                2 => (
                    "students",
                    json!(if self.rng.chance(5) { -1 } else { n as i64 }),
                ),
                _ => ("note", json!(format!("заметка {n}"))),
            };
            f.insert(name.to_owned(), value);
        }
        let id = school_profile::id(school);
        self.write(d, id, school_profile::KIND, Scope::School(school), None, f);
    }

    /// The campaigns this device holds that are addressed to its person, with their forms.
    fn my_campaigns(&self, d: usize) -> Vec<(Campaign, Arc<Template>)> {
        let (role, school) = (self.role(d), self.school(d));
        let mut out: Vec<(Campaign, Arc<Template>)> = self.devices[d]
            .durable
            .records
            .values()
            .filter(|r| r.kind == forms::CAMPAIGN_KIND)
            .filter_map(Campaign::from_record)
            .filter_map(|c| {
                let t = self.server.lookup.template(&c.template, c.version)?;
                // The form itself must have reached the device.
                let held = self.devices[d]
                    .durable
                    .records
                    .contains_key(&forms::template_id(&c.template, c.version));
                (held && c.addressed_to(role, school, &t.audience)).then_some((c, t))
            })
            .collect();
        out.sort_by_key(|(c, _)| c.id);
        out
    }

    /// Fills a form addressed to the person, and sometimes submits it.
    fn answer(&mut self, d: usize) {
        let Some((c, t)) = self.rng.pick(&self.my_campaigns(d)) else {
            return;
        };
        let user = self.user(d);
        let (id, scope, kind) = if t.anonymous {
            // The ticket: the server tells a person the id of their anonymous response.
            let id = self.server.lookup.anonymous(c.id, user);
            (id, Scope::Centre, anonymous_response::KIND)
        } else {
            let Some((id, scope)) =
                forms::response_target(t.respondent, c.id, self.school(d), user)
            else {
                return;
            };
            (id, scope, forms::RESPONSE_KIND)
        };
        let local = self.local(d, id).cloned();
        if !local
            .as_ref()
            .map_or(Status::Draft, forms::status_of)
            .editable()
        {
            return;
        }
        let mut f = BTreeMap::new();
        if local
            .as_ref()
            .and_then(|r| r.get(forms::F_CAMPAIGN))
            .is_none()
        {
            f.insert(forms::F_CAMPAIGN.to_owned(), json!(c.id));
            f.insert(forms::F_TEMPLATE.to_owned(), json!(c.template));
            f.insert(forms::F_VERSION.to_owned(), json!(c.version));
        }
        let mut after = local.unwrap_or_else(|| Record::new(id, kind, scope.clone(), None));
        for _ in 0..1 + self.rng.below(2) {
            let (name, value) = random_answer(&t, &after, &mut self.rng);
            f.insert(name, value);
        }
        if self.rng.chance(50) {
            // Submitted only when the filler's own check passes.
            for (name, value) in &f {
                after.apply(
                    name,
                    model::record::Write {
                        hlc: Hlc {
                            wall_ms: MAX_WALL,
                            counter: 0,
                            device: DeviceId::server(),
                        },
                        value: value.clone(),
                    },
                );
            }
            if forms::validate(&t, &forms::answers_of(&after)).is_empty() {
                f.insert(forms::F_STATUS.to_owned(), json!("submitted"));
            }
        }
        self.write(d, id, kind, scope, None, f);
    }

    /// A review of the latest round of a submitted response of the person's schools.
    fn review(&mut self, d: usize) {
        let schools = self.my_schools(d);
        let candidates = self.local_ids(d, |r| {
            r.kind == forms::RESPONSE_KIND
                && matches!(r.scope, Scope::School(s) if schools.contains(&s))
                && forms::status_of(r) == Status::Submitted
                && review::round_of(r) > 0
        });
        let Some(rid) = self.rng.pick(&candidates) else {
            return;
        };
        let response = self.local(d, rid).unwrap().clone();
        let round = review::round_of(&response);
        let id = review::review_id(rid, round);
        let before = self.local(d, id);
        if before.and_then(review::verdict_of).is_some() {
            return;
        }
        let mut f = BTreeMap::new();
        if before.is_none() {
            f.insert(review::F_ROUND.to_owned(), json!(round));
        }
        if let Some(t) = forms::template_of(&response).map(|(code, _)| template(&code)) {
            let qs: Vec<String> = t.questions().map(|q| q.id.clone()).collect();
            let q = self.rng.pick(&qs).unwrap();
            let n = self.rng.below(1000);
            f.insert(review::comment_field(&q), json!(format!("замечание {n}")));
        }
        if self.rng.chance(40) {
            f.insert(review::F_OVERALL.to_owned(), json!("в целом"));
        }
        if self.rng.chance(45) {
            let verdict = if self.rng.chance(60) {
                "returned"
            } else {
                "accepted"
            };
            f.insert(review::F_VERDICT.to_owned(), json!(verdict));
        }
        self.write(
            d,
            id,
            review::REVIEW_KIND,
            response.scope.clone(),
            Some(rid),
            f,
        );
    }

    /// Recommendations to a school: drafted, edited, sent (final) or deleted while a draft.
    fn recommendation(&mut self, d: usize) {
        use forms::recommendation as rec;
        let schools = self.my_schools(d);
        let mine = self.local_ids(d, |r| {
            r.kind == rec::RECOMMENDATION_KIND
                && matches!(r.scope, Scope::School(s) if schools.contains(&s))
                && r.text(rec::F_STATE) != "sent"
                && !r.fields.is_empty()
        });
        let choice = self.rng.below(10);
        if choice < 4 || mine.is_empty() {
            let Some(school) = self.rng.pick(&schools) else {
                return;
            };
            let id = self.fresh_id(d);
            let n = self.rng.below(1000);
            // Now and then notes the mentor keeps as a draft (never sent).
            let title = if self.rng.chance(15) {
                KEPT_DRAFT.to_owned()
            } else {
                format!("Рекомендации {n}")
            };
            let mut f = fields(&[
                (rec::F_TITLE, json!(title)),
                (rec::F_TEXT, json!("Провести педсовет.")),
                (rec::F_AREAS, json!(["plan"])),
                (rec::F_STATE, json!("draft")),
            ]);
            // What it follows (a visit or a consultation of the school, if one is held), whom
            // and which risk factor it is about, and a deadline.
            let spec = kinds::spec(rec::RECOMMENDATION_KIND).unwrap();
            if self.rng.chance(60) {
                let source = value_for(spec, rec::F_SOURCE, &mut self.rng);
                let of = |kind: &'static str| {
                    move |r: &Record| r.kind == kind && r.scope == Scope::School(school)
                };
                let basis = match source.as_str() {
                    Some("visit") => self.local_ids(d, of(vis::KIND)),
                    Some("consultation") => self.local_ids(d, of(cons::KIND)),
                    _ => Vec::new(),
                };
                if let Some(b) = self.rng.pick(&basis) {
                    f.insert(rec::F_SOURCE_ID.to_owned(), json!(b));
                }
                f.insert(rec::F_SOURCE.to_owned(), source);
            }
            if self.rng.chance(60) {
                let factor = self.rng.pick(&FACTORS[..2]).unwrap();
                f.insert(rec::F_FACTOR.to_owned(), json!(factor));
            }
            if self.rng.chance(40) {
                f.insert(rec::F_PERSON.to_owned(), json!("Заместитель директора"));
            }
            if self.rng.chance(50) {
                let deadline = value_for(spec, rec::F_DEADLINE, &mut self.rng);
                f.insert(rec::F_DEADLINE.to_owned(), deadline);
            }
            self.write(
                d,
                id,
                rec::RECOMMENDATION_KIND,
                Scope::School(school),
                None,
                f,
            );
            return;
        }
        let id = self.rng.pick(&mine).unwrap();
        let r = self.local(d, id).unwrap().clone();
        let f = if r.deletion_conflict() {
            // Someone edited what was deleted: a person decides.
            if self.rng.chance(50) {
                fields(&[(DELETED, Record::restoration_value())])
            } else {
                fields(&[(DELETED, r.deletion_value())])
            }
        } else if r.is_deleted() {
            return;
        } else {
            match choice {
                // Sent as it is, or with a last edit of the text in the same change (which
                // another adviser's later edit may replace before it arrives).
                7..=8 if r.text(rec::F_TITLE) != KEPT_DRAFT => {
                    if self.rng.chance(50) {
                        fields(&[(rec::F_STATE, json!("sent"))])
                    } else {
                        fields(&[
                            (rec::F_STATE, json!("sent")),
                            (
                                rec::F_TEXT,
                                json!(format!("Итоговый текст {}", self.rng.below(1000))),
                            ),
                        ])
                    }
                }
                4..=8 => fields(&[(
                    rec::F_TEXT,
                    json!(format!("Текст {}", self.rng.below(1000))),
                )]),
                _ => fields(&[(DELETED, r.deletion_value())]),
            }
        };
        self.write(d, id, rec::RECOMMENDATION_KIND, r.scope, None, f);
    }

    /// Items of a leader's deficit plan: by the leader on their own test, by advisers and the
    /// head on the tests of their schools.
    fn plan_item(&mut self, d: usize) {
        use forms::plan;
        let parents: Vec<Uuid> = if self.role(d) == Role::SchoolTeam {
            let user = self.user(d);
            let school = self.school(d);
            self.my_campaigns(d)
                .iter()
                .filter(|(c, _)| c.template == TEST)
                .filter_map(|(c, _)| {
                    forms::response_target(Respondent::Person, c.id, school, user).map(|t| t.0)
                })
                .filter(|id| self.local(d, *id).is_some())
                .collect()
        } else {
            let schools = self.my_schools(d);
            self.local_ids(d, |r| {
                r.kind == forms::RESPONSE_KIND
                    && r.text(forms::F_TEMPLATE) == TEST
                    && matches!(r.scope, Scope::School(s) if schools.contains(&s))
            })
        };
        let items = self.local_ids(d, |r| {
            r.kind == plan::PLAN_ITEM_KIND && r.parent.is_some_and(|p| parents.contains(&p))
        });
        let choice = self.rng.below(10);
        if choice < 4 || items.is_empty() {
            let Some(parent) = self.rng.pick(&parents) else {
                return;
            };
            let scope = self.local(d, parent).unwrap().scope.clone();
            let id = self.fresh_id(d);
            let f = fields(&[
                (plan::F_AREA, json!("plan")),
                (plan::F_MEASURE_KIND, json!("methodical")),
                (plan::F_MEASURE, json!("Курсы")),
                (plan::F_DEADLINE, json!("2031-05-20")),
                (plan::F_STATUS, json!("planned")),
            ]);
            self.write(d, id, plan::PLAN_ITEM_KIND, scope, Some(parent), f);
            return;
        }
        let id = self.rng.pick(&items).unwrap();
        let r = self.local(d, id).unwrap().clone();
        let f = if r.deletion_conflict() {
            if self.rng.chance(50) {
                fields(&[(DELETED, Record::restoration_value())])
            } else {
                fields(&[(DELETED, r.deletion_value())])
            }
        } else if r.is_deleted() {
            return;
        } else {
            match choice {
                4..=5 => fields(&[(plan::F_STATUS, json!("in_progress"))]),
                6 => fields(&[(plan::F_STATUS, json!("done"))]),
                7..=8 => fields(&[(
                    plan::F_RESPONSIBLE,
                    json!(format!("Ответственный {}", self.rng.below(100))),
                )]),
                _ => fields(&[(DELETED, r.deletion_value())]),
            }
        };
        self.write(d, id, plan::PLAN_ITEM_KIND, r.scope, r.parent, f);
    }

    // ---- school support ----

    /// The relation in which the person works on a school's support records.
    fn relation(&self, d: usize) -> Option<Who> {
        match self.role(d) {
            Role::SchoolTeam => Some(Who::Team),
            Role::Mentor | Role::Curator => Some(Who::Adviser),
            Role::Head => Some(Who::Centre),
            Role::Teacher | Role::Moderator => None,
        }
    }

    /// The anti-risk programme of a year: started by the team, an adviser or the head (one
    /// record under the id derived from the school and the year), its sections (one per factor,
    /// derived ids), indicators and measures (fresh ids); each part edited with the fields the
    /// kind grants to the person's relation (the team's quarterly actuals, an adviser's comment,
    /// the head's presentation and verdict).
    fn programme(&mut self, d: usize) {
        let Some(who) = self.relation(d) else {
            return;
        };
        let Some(school) = self.rng.pick(&self.my_schools(d)) else {
            return;
        };
        let scope = Scope::School(school);
        let year = self.rng.pick(&YEARS).unwrap();
        let pid = prog::programme_id(school, year);
        if self.local(d, pid).is_none_or(|r| r.fields.is_empty()) {
            let f = fields(&[
                (prog::F_YEAR, json!(year)),
                (prog::F_TITLE, json!(format!("Программа на {year} год"))),
            ]);
            self.write(d, pid, prog::PROGRAMME_KIND, scope, None, f);
            return;
        }
        let sections = self.local_ids(d, |r| {
            r.kind == prog::SECTION_KIND && r.parent == Some(pid) && !r.is_deleted()
        });
        let choice = self.rng.below(10);
        match choice {
            0 => self.edit_part(d, pid, who),
            1..=2 => {
                let factor = self.rng.pick(&FACTORS).unwrap();
                let sid = prog::section_id(pid, factor);
                if self.local(d, sid).is_some_and(|r| !r.fields.is_empty()) {
                    self.edit_part(d, sid, who);
                    return;
                }
                let spec = kinds::spec(prog::SECTION_KIND).unwrap();
                let level = value_for(spec, prog::F_LEVEL, &mut self.rng);
                let f = fields(&[
                    (prog::F_FACTOR, json!(factor)),
                    (prog::F_LEVEL, level),
                    (prog::F_GOAL, json!("Снизить риск")),
                ]);
                self.write(d, sid, prog::SECTION_KIND, scope, Some(pid), f);
            }
            _ => {
                let Some(section) = self.rng.pick(&sections) else {
                    return;
                };
                let kind = if choice < 7 {
                    prog::INDICATOR_KIND
                } else {
                    prog::MEASURE_KIND
                };
                let parts = self.local_ids(d, |r| {
                    r.kind == kind && r.parent.is_some_and(|p| sections.contains(&p))
                });
                if !parts.is_empty() && self.rng.chance(70) {
                    let id = self.rng.pick(&parts).unwrap();
                    self.edit_part(d, id, who);
                    return;
                }
                let spec = kinds::spec(kind).unwrap();
                let names: &[&str] = if kind == prog::INDICATOR_KIND {
                    &[prog::F_NAME, prog::F_UNIT, prog::F_BASELINE, prog::F_TARGET]
                } else {
                    &[
                        prog::F_CONTENT,
                        prog::F_SUPPORT,
                        prog::F_DEADLINE,
                        prog::F_RESPONSIBLE,
                        prog::F_STATUS,
                    ]
                };
                let f: BTreeMap<String, Value> = names
                    .iter()
                    .map(|n| ((*n).to_owned(), value_for(spec, n, &mut self.rng)))
                    .collect();
                let id = self.fresh_id(d);
                self.write(d, id, kind, scope, Some(section), f);
            }
        }
    }

    /// An edit of a record the device holds, with a field its kind grants to the person's
    /// relation (now and then its deletion); a deletion conflict is resolved by a person.
    fn edit_part(&mut self, d: usize, id: Uuid, who: Who) {
        let Some(r) = self.local(d, id).cloned() else {
            return;
        };
        let spec = kinds::spec(&r.kind).unwrap();
        let f = if r.deletion_conflict() {
            if self.rng.chance(50) {
                fields(&[(DELETED, Record::restoration_value())])
            } else {
                fields(&[(DELETED, r.deletion_value())])
            }
        } else if r.is_deleted() {
            return;
        } else {
            let may = granted(spec, &[who], false);
            // The keys of derived ids are fixed, and a measure's recommendation is set once.
            let names: Vec<&str> = may
                .iter()
                .copied()
                .filter(|n| ![prog::F_YEAR, prog::F_FACTOR, prog::F_SOURCE, DELETED].contains(n))
                .collect();
            if may.contains(&DELETED) && self.rng.chance(8) {
                fields(&[(DELETED, r.deletion_value())])
            } else {
                // The quarterly actuals, where granted, are what the school enters most.
                let quarters: Vec<&str> = names
                    .iter()
                    .copied()
                    .filter(|n| prog::F_QUARTERS.contains(n))
                    .collect();
                let pool = if !quarters.is_empty() && self.rng.chance(50) {
                    quarters
                } else {
                    names
                };
                let Some(name) = self.rng.pick(&pool) else {
                    return;
                };
                let mut f = fields(&[(name, value_for(spec, name, &mut self.rng))]);
                // The verdict follows the public presentation (the kind's check asks for its
                // date); now and then the head forgets it and is told so.
                if name == prog::F_VERDICT
                    && r.get(prog::F_PRESENTED_ON).is_none()
                    && self.rng.chance(80)
                {
                    for n in [prog::F_PRESENTED_ON, prog::F_PRESENTED_WHO] {
                        f.insert(n.to_owned(), value_for(spec, n, &mut self.rng));
                    }
                }
                f
            }
        };
        let kind = r.kind.clone();
        self.write(d, id, &kind, r.scope.clone(), r.parent, f);
    }

    /// The specialists a school may address a request to: the head, the mentor, the curator.
    fn specialists(&self) -> [Uuid; 3] {
        [HEAD, MENTOR, CURATOR].map(|i| self.server.actors[i].user_id)
    }

    /// People of a school, whom a careless head may name responsible for an item of the plan.
    fn outsiders(&self) -> [Uuid; 3] {
        [Person::Leader1, Person::Teacher, Person::TeamB].map(|p| {
            let i = PEOPLE.iter().position(|x| *x == p).unwrap();
            self.server.actors[i].user_id
        })
    }

    /// The school team asks for a consultation (now and then of one specialist, perhaps one who
    /// does not advise the school), edits the request while it is new, and moves it where the
    /// model lets the school (closing it once held).
    fn ask(&mut self, d: usize) {
        let Some(school) = self.school(d) else {
            return;
        };
        let scope = Scope::School(school);
        let mine = self.local_ids(d, |r| r.kind == cons::KIND && r.scope == scope);
        let choice = self.rng.below(10);
        let spec = kinds::spec(cons::KIND).unwrap();
        if choice < 2 || mine.is_empty() {
            let n = self.rng.below(1000);
            let format = value_for(spec, cons::F_FORMAT, &mut self.rng);
            let mut f = fields(&[
                (cons::F_TOPIC, json!(format!("Тема {n}"))),
                (cons::F_QUESTION, json!("Как выстроить ВСОКО?")),
                (cons::F_FORMAT, format),
                (cons::F_WISHED, json!("после 15-го")),
                (cons::F_STATE, json!(State::New.as_str())),
            ]);
            if self.rng.chance(50) {
                let to = self.rng.pick(&self.specialists()).unwrap();
                f.insert(kinds::ADDRESSEE.to_owned(), json!(to));
            }
            let id = self.fresh_id(d);
            self.write(d, id, cons::KIND, scope, None, f);
            return;
        }
        let id = self.rng.pick(&mine).unwrap();
        let r = self.local(d, id).unwrap().clone();
        let from = state_of(&r);
        let f = if from == State::New && choice < 7 {
            // The request, while it is new (the specialist asked is named once, when it is made).
            let name = self
                .rng
                .pick(&[
                    cons::F_TOPIC,
                    cons::F_QUESTION,
                    cons::F_WISHED,
                    cons::F_FORMAT,
                ])
                .unwrap();
            fields(&[(name, value_for(spec, name, &mut self.rng))])
        } else {
            let moves: Vec<State> = State::ALL
                .into_iter()
                .filter(|to| *to != from && may_move(Some(from), *to, Side::School))
                .collect();
            let Some(to) = self.rng.pick(&moves) else {
                return;
            };
            fields(&[(cons::F_STATE, json!(to.as_str()))])
        };
        self.write(d, id, cons::KIND, r.scope, None, f);
    }

    /// A specialist answers a request they hold (of a school they advise, addressed to them, or
    /// any, for the head): a move the model lets their side make, with what the new state needs
    /// (`support::consultation::complete`) — or a new date for an agreed one.
    fn consult(&mut self, d: usize) {
        let me = self.user(d);
        let head = self.role(d) == Role::Head;
        let schools = self.my_schools(d);
        let open = self.local_ids(d, |r| {
            r.kind == cons::KIND
                && !state_of(r).finished()
                && (head
                    || kinds::addressee(r) == Some(me)
                    || matches!(r.scope, Scope::School(s) if schools.contains(&s)))
        });
        let Some(id) = self.rng.pick(&open) else {
            return;
        };
        let r = self.local(d, id).unwrap().clone();
        let from = state_of(&r);
        let moves: Vec<State> = State::ALL
            .into_iter()
            .filter(|to| may_move(Some(from), *to, Side::Centre))
            .collect();
        let Some(to) = self.rng.pick(&moves) else {
            return;
        };
        let n = self.rng.below(1000);
        let spec = kinds::spec(cons::KIND).unwrap();
        let mut f = match to {
            State::Agreed => fields(&[
                (
                    cons::F_MEETING_ON,
                    value_for(spec, cons::F_MEETING_ON, &mut self.rng),
                ),
                (cons::F_MEETING_AT, json!("15:00")),
                (cons::F_PLACE, json!(format!("кабинет {n}"))),
            ]),
            State::Held => fields(&[
                (cons::F_OUTCOME, json!(format!("Итоги {n}"))),
                (cons::F_ADVICE, json!("Пересмотреть план ВСОКО")),
            ]),
            State::Declined => fields(&[(cons::F_DECLINE_REASON, json!("Не наш профиль"))]),
            State::New | State::Closed => BTreeMap::new(),
        };
        if to != from {
            f.insert(cons::F_STATE.to_owned(), json!(to.as_str()));
            // The app moves a request only with what the new state needs filled in.
            if cons::complete(&merged(&r, &f)).is_err() {
                f.remove(cons::F_STATE);
            }
        }
        self.write(d, id, cons::KIND, r.scope, None, f);
    }

    /// A visit or event recorded by an adviser or the head (a lesson with its protocol), later
    /// completed or deleted.
    fn visit(&mut self, d: usize) {
        let Some(who) = self.relation(d) else {
            return;
        };
        let schools = self.my_schools(d);
        let Some(school) = self.rng.pick(&schools) else {
            return;
        };
        let held = self.local_ids(d, |r| {
            r.kind == vis::KIND && matches!(r.scope, Scope::School(s) if schools.contains(&s))
        });
        if !held.is_empty() && self.rng.chance(50) {
            let id = self.rng.pick(&held).unwrap();
            self.edit_part(d, id, who);
            return;
        }
        let spec = kinds::spec(vis::KIND).unwrap();
        let mut names = vec![vis::F_TYPE, vis::F_DATE, vis::F_PLACE, vis::F_FINDINGS];
        let mut f: BTreeMap<String, Value> = BTreeMap::new();
        if self.rng.chance(40) {
            f.insert(vis::F_TYPE.to_owned(), json!(vis::LESSON));
            names.extend(vis::LESSON_FIELDS);
        }
        for n in names {
            if !f.contains_key(n) {
                f.insert(n.to_owned(), value_for(spec, n, &mut self.rng));
            }
        }
        let id = self.fresh_id(d);
        self.write(d, id, vis::KIND, Scope::School(school), None, f);
    }

    /// The school team answers a sent recommendation: acknowledges it, then makes a measure of
    /// its programme from it (in the section of its risk factor, or the general one).
    fn answer_recommendation(&mut self, d: usize) {
        use forms::recommendation as rec;
        let Some(school) = self.school(d) else {
            return;
        };
        let scope = Scope::School(school);
        let sent = self.local_ids(d, |r| {
            r.kind == rec::RECOMMENDATION_KIND
                && r.scope == scope
                && r.text(rec::F_STATE) == "sent"
                && !r.is_deleted()
        });
        let Some(id) = self.rng.pick(&sent) else {
            return;
        };
        let r = self.local(d, id).unwrap().clone();
        if r.get(rec::F_ACK) != Some(&json!(true)) || self.rng.chance(10) {
            let f = fields(&[(rec::F_ACK, json!(true))]);
            self.write(d, id, rec::RECOMMENDATION_KIND, scope, None, f);
            return;
        }
        if r.get(rec::F_MEASURE).is_some() {
            return;
        }
        let year = self.rng.pick(&YEARS).unwrap();
        let pid = prog::programme_id(school, year);
        if self.local(d, pid).is_none_or(|p| p.fields.is_empty()) {
            let f = fields(&[
                (prog::F_YEAR, json!(year)),
                (prog::F_TITLE, json!(format!("Программа на {year} год"))),
            ]);
            self.write(d, pid, prog::PROGRAMME_KIND, scope.clone(), None, f);
        }
        let factor = prog::section_for(&r.text(rec::F_FACTOR)).to_owned();
        let sid = prog::section_id(pid, &factor);
        if self.local(d, sid).is_none_or(|p| p.fields.is_empty()) {
            let f = fields(&[(prog::F_FACTOR, json!(factor))]);
            self.write(d, sid, prog::SECTION_KIND, scope.clone(), Some(pid), f);
        }
        let mid = self.fresh_id(d);
        let mut f = fields(&[
            (prog::F_CONTENT, json!(r.text(rec::F_TITLE))),
            (prog::F_SUPPORT, json!("management")),
            (prog::F_STATUS, json!("planned")),
            (prog::F_SOURCE, json!(id)),
        ]);
        if let Some(deadline) = r.get(rec::F_DEADLINE) {
            f.insert(prog::F_DEADLINE.to_owned(), deadline.clone());
        }
        self.write(d, mid, prog::MEASURE_KIND, scope.clone(), Some(sid), f);
        let f = fields(&[(rec::F_MEASURE, json!(mid))]);
        self.write(d, id, rec::RECOMMENDATION_KIND, scope, None, f);
    }

    // ---- the centre's plan of work ----

    /// The head plans the centre's work for a school year: an item with its direction, content,
    /// period (and months), place, people and schools, sometimes linked to a campaign or to what
    /// the system counts, and often a specialist responsible for it (the centre's own report
    /// to the education office names the head, for good); later changes any of it, names
    /// another specialist or nobody, or deletes an item.
    fn work_plan(&mut self, d: usize) {
        let spec = kinds::spec(wp::KIND).unwrap();
        let items = self.local_ids(d, |r| r.kind == wp::KIND && !r.fields.is_empty());
        let choice = self.rng.below(10);
        if choice < 4 || items.is_empty() {
            let year = self.rng.pick(&YEARS).unwrap();
            let period = value_for(spec, wp::F_PERIOD, &mut self.rng);
            let mut f = fields(&[
                (wp::F_YEAR, json!(year)),
                (
                    wp::F_DIRECTION,
                    value_for(spec, wp::F_DIRECTION, &mut self.rng),
                ),
                (wp::F_CONTENT, value_for(spec, wp::F_CONTENT, &mut self.rng)),
                (wp::F_PLACE, json!("МКУ «Управление образования»")),
                (
                    wp::F_PEOPLE,
                    json!("главный специалист УО, координатор центра"),
                ),
                (wp::F_STATUS, json!("planned")),
            ]);
            // The months of a period of months, or of twice a year.
            let months = match period.as_str() {
                Some("month") => Some(json!([wp::SCHOOL_MONTHS[self.rng.below(12) as usize]])),
                Some("months") => Some(value_for(spec, wp::F_MONTHS, &mut self.rng)),
                Some("twice_a_year") => Some(json!([12, 5])),
                _ => None,
            };
            if let Some(m) = months {
                f.insert(wp::F_MONTHS.to_owned(), m);
            }
            f.insert(wp::F_PERIOD.to_owned(), period);
            if self.rng.chance(30) {
                let schools = value_for(spec, wp::F_SCHOOLS, &mut self.rng);
                f.insert(wp::F_SCHOOLS.to_owned(), schools);
            }
            if self.rng.chance(40) {
                // A campaign the head sent, or what the system counts.
                let campaigns = self.local_ids(d, |r| r.kind == forms::CAMPAIGN_KIND);
                let link = match self.rng.pick(&campaigns) {
                    Some(c) if self.rng.chance(40) => json!(wp::Link::Campaign(c).as_string()),
                    _ => value_for(spec, wp::F_LINK, &mut self.rng),
                };
                f.insert(wp::F_LINK.to_owned(), link);
            }
            let responsible = match self.rng.below(10) {
                0..=1 => {
                    f.insert(wp::F_CONTENT.to_owned(), json!(HEAD_OWN));
                    Some(self.server.actors[HEAD].user_id)
                }
                2..=6 => self.rng.pick(&self.specialists()),
                7 if self.rng.chance(30) => self.rng.pick(&self.outsiders()),
                _ => None,
            };
            if let Some(p) = responsible {
                f.insert(wp::F_RESPONSIBLE.to_owned(), json!(p));
            }
            let id = self.fresh_id(d);
            self.write(d, id, wp::KIND, Scope::Centre, None, f);
            return;
        }
        let id = self.rng.pick(&items).unwrap();
        let r = self.local(d, id).unwrap().clone();
        let own = r.text(wp::F_CONTENT) == HEAD_OWN;
        let f = if r.deletion_conflict() {
            if self.rng.chance(50) {
                fields(&[(DELETED, Record::restoration_value())])
            } else {
                fields(&[(DELETED, r.deletion_value())])
            }
        } else if r.is_deleted() {
            return;
        } else {
            match choice {
                // Another specialist responsible, or nobody.
                4..=5 if !own => {
                    let mut to: Vec<Value> = self.specialists().iter().map(|u| json!(u)).collect();
                    to.push(Value::Null);
                    // Now and then someone of a school: refused (only a specialist of the centre
                    // may be named), so the one named before keeps the item.
                    if self.rng.chance(10) {
                        to = self.outsiders().iter().map(|u| json!(u)).collect();
                    }
                    let to = self.rng.pick(&to).unwrap();
                    fields(&[(wp::F_RESPONSIBLE, to)])
                }
                9 => fields(&[(DELETED, r.deletion_value())]),
                _ => {
                    // Anything the head is granted (the centre's own report stays the head's).
                    let names: Vec<&str> = granted(spec, &[Who::Centre], false)
                        .into_iter()
                        .filter(|n| ![DELETED, wp::F_RESPONSIBLE].contains(n))
                        .filter(|n| !own || *n != wp::F_CONTENT)
                        .collect();
                    let name = self.rng.pick(&names).unwrap();
                    fields(&[(name, value_for(spec, name, &mut self.rng))])
                }
            }
        };
        self.write(d, id, wp::KIND, Scope::Centre, None, f);
    }

    /// The person responsible for an item of the plan the device holds reports on it: its
    /// status, the report text, the documents that prove it (added to those already cited).
    fn report(&mut self, d: usize) {
        let me = self.user(d);
        let spec = kinds::spec(wp::KIND).unwrap();
        let mine = self.local_ids(d, |r| {
            r.kind == wp::KIND && !r.is_deleted() && kinds::addressee(r) == Some(me)
        });
        let Some(id) = self.rng.pick(&mine) else {
            return;
        };
        let r = self.local(d, id).unwrap().clone();
        let may = granted(spec, &[Who::Addressee], false);
        let mut f = BTreeMap::new();
        for _ in 0..1 + self.rng.below(3) {
            let name = self.rng.pick(&may).unwrap();
            let value = match name {
                wp::F_REPORT => json!(format!(
                    "Проведено мероприятий: {}, участников: {}.",
                    1 + self.rng.below(5),
                    10 + self.rng.below(90)
                )),
                wp::F_EVIDENCE => {
                    let mut docs = wp::documents(&r);
                    let more = value_for(spec, wp::F_EVIDENCE, &mut self.rng);
                    docs.extend(serde_json::from_value::<Vec<wp::Document>>(more).unwrap());
                    docs.truncate(50);
                    serde_json::to_value(docs).unwrap()
                }
                _ => value_for(spec, name, &mut self.rng),
            };
            f.insert(name.to_owned(), value);
        }
        self.write(d, id, wp::KIND, Scope::Centre, None, f);
    }

    /// The head enters the value of an indicator the system cannot compute, for a year, with its
    /// source (one record per indicator and year, whichever computer makes it); later corrects
    /// it, or clears a value entered by mistake.
    fn indicator(&mut self, d: usize) {
        let spec = kinds::spec(ind::KIND).unwrap();
        let by_hand: Vec<&str> = ind::INDICATORS
            .iter()
            .filter(|i| i.computed.is_none())
            .map(|i| i.code)
            .collect();
        let code = self.rng.pick(&by_hand).unwrap();
        let year = self.rng.pick(&YEARS).unwrap();
        let id = ind::value_id(code, year);
        let f = if self.local(d, id).is_none_or(|r| r.fields.is_empty()) {
            fields(&[
                (ind::F_CODE, json!(code)),
                (ind::F_YEAR, json!(year)),
                (ind::F_VALUE, value_for(spec, ind::F_VALUE, &mut self.rng)),
                (ind::F_SOURCE, value_for(spec, ind::F_SOURCE, &mut self.rng)),
            ])
        } else {
            match self.rng.below(10) {
                0 => fields(&[(ind::F_VALUE, Value::Null)]),
                1..=3 => fields(&[(ind::F_SOURCE, value_for(spec, ind::F_SOURCE, &mut self.rng))]),
                _ => fields(&[(ind::F_VALUE, value_for(spec, ind::F_VALUE, &mut self.rng))]),
            }
        };
        self.write(d, id, ind::KIND, Scope::Centre, None, f);
    }

    /// The head enters a school's regional indices for a year (one record per school and year,
    /// whichever computer makes it), as an import would: every field, null where there is no
    /// figure; later corrects one figure.
    fn school_indices(&mut self, d: usize) {
        let school = self.rng.pick(&[SCHOOL_A, SCHOOL_B]).unwrap();
        let year = self.rng.pick(&YEARS).unwrap();
        let id = mon::indices_id(school, year);
        let n = self.rng.below(1001);
        let share = |k: u64| json!(((n + k) % 1001) as f64 / 1000.0);
        let f = if self.local(d, id).is_none_or(|r| r.fields.is_empty()) {
            let row = mon::classification::Indices {
                school,
                year: year as i32,
                ior: Some(n as f64 / 1000.0),
                isbsh: self
                    .rng
                    .chance(90)
                    .then(|| ((n * 7) % 1001) as f64 / 1000.0),
                gia: None,
                vpr: self
                    .rng
                    .chance(50)
                    .then(|| ((n * 3) % 1001) as f64 / 1000.0),
                evening_share: Some(0.0),
                advanced: self.rng.chance(50).then_some(n.is_multiple_of(2)),
            };
            mon::fields_of(&row, "индексы РЦОКО")
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
        } else {
            fields(&[(mon::F_IOR, share(13))])
        };
        self.write(d, id, mon::KIND, Scope::School(school), None, f);
    }

    /// Indices written by someone who may not (anyone but the head: a school's own team
    /// improving its figures, a mentor), or by the head out of range: refused.
    fn hostile_indices(&mut self, d: usize) {
        let person = self.person(d);
        let school = self
            .school(d)
            .unwrap_or_else(|| self.rng.pick(&[SCHOOL_A, SCHOOL_B]).unwrap());
        let year = self.rng.pick(&YEARS).unwrap();
        let id = mon::indices_id(school, year);
        let f = if person == Person::Head {
            fields(&[(mon::F_YEAR, json!(year)), (mon::F_IOR, json!(1.5))])
        } else {
            fields(&[(mon::F_YEAR, json!(year)), (mon::F_IOR, json!(0.99))])
        };
        self.inject(
            d,
            id,
            mon::KIND,
            Scope::School(school),
            None,
            f,
            None,
            Expect::Refused,
        );
    }

    /// The moderator or the head writes a material of the bank of practices (a draft, then
    /// published), attaches a file to one, renames or removes a file they attached.
    fn material(&mut self, d: usize) {
        use practices as p;
        let mine = self.local_ids(d, |r| r.kind == p::MATERIAL_KIND && !r.fields.is_empty());
        let n = self.rng.below(1000);
        match self.rng.below(6) {
            0..=1 => {
                let id = self.fresh_id(d);
                let factor = self.rng.pick(&support::RISK_FACTORS).unwrap().0;
                let state = if self.rng.chance(60) {
                    "published"
                } else {
                    "draft"
                };
                let f = fields(&[
                    (p::F_TITLE, json!(format!("Практика {n}"))),
                    (
                        p::F_SUMMARY,
                        json!("Как школа наладила работу с родителями."),
                    ),
                    (p::F_TYPE, json!(self.rng.pick(&p::TYPES).unwrap().0)),
                    (p::F_FACTORS, json!([factor])),
                    (p::F_AREAS, json!(["vsoko"])),
                    (p::F_STATE, json!(state)),
                ]);
                self.write(d, id, p::MATERIAL_KIND, Scope::Centre, None, f);
            }
            2 => {
                let Some(id) = self.rng.pick(&mine) else {
                    return;
                };
                let f = fields(&[
                    (p::F_STATE, json!("published")),
                    (p::F_SUMMARY, json!(format!("Дополнено {n}"))),
                ]);
                self.write(d, id, p::MATERIAL_KIND, Scope::Centre, None, f);
            }
            3..=4 => {
                let Some(parent) = self.rng.pick(&mine) else {
                    return;
                };
                let id = self.fresh_id(d);
                let sha = format!("{:064x}", n);
                let f = fields(&[
                    (files::F_NAME, json!(format!("практика-{n}.pdf"))),
                    (files::F_MIME, json!("application/pdf")),
                    (files::F_SIZE, json!(1000 + n)),
                    (files::F_SHA256, json!(sha)),
                ]);
                self.write(
                    d,
                    id,
                    files::ATTACHMENT_KIND,
                    Scope::Centre,
                    Some(parent),
                    f,
                );
            }
            _ => {
                // Devices never learn who owns a record: the server's copies tell which files
                // this person attached.
                let me = self.user(d);
                let theirs =
                    self.server_ids(|r| r.kind == files::ATTACHMENT_KIND && r.owner == Some(me));
                let attached = self.local_ids(d, |r| {
                    r.kind == files::ATTACHMENT_KIND && theirs.binary_search(&r.id).is_ok()
                });
                let Some(id) = self.rng.pick(&attached) else {
                    return;
                };
                let Some(r) = self.local(d, id).cloned() else {
                    return;
                };
                let parent = r.parent;
                let f = if r.is_deleted() {
                    // Taken off by mistake: put back.
                    fields(&[(DELETED, Record::restoration_value())])
                } else if self.rng.chance(50) {
                    fields(&[(files::F_NAME, json!(format!("переименован-{n}.pdf")))])
                } else {
                    if self.rng.chance(80) {
                        // Renamed, then taken off: a rename made offline elsewhere loses to
                        // this one, and arrives after the file is gone.
                        let f = fields(&[(files::F_NAME, json!(format!("последний-{n}.pdf")))]);
                        self.write(d, id, files::ATTACHMENT_KIND, Scope::Centre, parent, f);
                    }
                    let Some(r) = self.local(d, id) else {
                        return;
                    };
                    // As the app deletes: with what the copy has seen.
                    fields(&[(DELETED, r.deletion_value())])
                };
                self.write(d, id, files::ATTACHMENT_KIND, Scope::Centre, parent, f);
            }
        }
    }

    /// The bank of practices written by someone who may not: a material made by anyone but the
    /// moderator and the head, a file attached to a material by them, a file whose type does
    /// not match its name, an attached file's content changed.
    fn hostile_practices(&mut self, d: usize) {
        use practices as p;
        let person = self.person(d);
        let refuse = Expect::Refused;
        let centre = matches!(person, Person::Head | Person::Moderator);
        let n = self.rng.below(1000);
        let file = |name: &str, mime: &str| {
            fields(&[
                (files::F_NAME, json!(name)),
                (files::F_MIME, json!(mime)),
                (files::F_SIZE, json!(10)),
                (files::F_SHA256, json!(format!("{:064x}", 7))),
            ])
        };
        let materials = self.server_ids(|r| r.kind == p::MATERIAL_KIND && p::is_published(r));
        if self.rng.chance(40) {
            self.hostile_reserve(d);
            return;
        }
        match self.rng.below(3) {
            0 if !centre => {
                let id = self.fresh_id(d);
                let f = fields(&[
                    (p::F_TITLE, json!(format!("Своя практика {n}"))),
                    (p::F_TYPE, json!("practice")),
                    (p::F_STATE, json!("published")),
                ]);
                self.inject(
                    d,
                    id,
                    p::MATERIAL_KIND,
                    Scope::Centre,
                    None,
                    f,
                    None,
                    refuse,
                );
            }
            0 | 1 => {
                let Some(parent) = self.rng.pick(&materials) else {
                    return;
                };
                let id = self.fresh_id(d);
                let f = if centre {
                    file("страница.pdf", "text/html")
                } else {
                    file("портфолио.pdf", "application/pdf")
                };
                self.inject(
                    d,
                    id,
                    files::ATTACHMENT_KIND,
                    Scope::Centre,
                    Some(parent),
                    f,
                    None,
                    refuse,
                );
            }
            _ => {
                let attached = self.server_ids(|r| r.kind == files::ATTACHMENT_KIND);
                let Some(id) = self.rng.pick(&attached) else {
                    return;
                };
                let parent = self.server.records[&id].parent;
                let f = fields(&[(files::F_SHA256, json!(format!("{:064x}", 1_000_000 + n)))]);
                self.inject(
                    d,
                    id,
                    files::ATTACHMENT_KIND,
                    Scope::Centre,
                    parent,
                    f,
                    None,
                    refuse,
                );
            }
        }
    }

    /// A school's team nominates a teacher to the management reserve: writes the nomination,
    /// then sends it to the centre.
    fn nominate(&mut self, d: usize) {
        use reserve as rs;
        let Some(school) = self.school(d) else {
            return;
        };
        let drafts = self.local_ids(d, |r| {
            r.kind == rs::CANDIDATE_KIND
                && r.scope == Scope::School(school)
                && rs::stage_of(r) == rs::Stage::Draft
                && !r.fields.is_empty()
        });
        let n = self.rng.below(1000);
        if let (Some(id), true) = (self.rng.pick(&drafts), self.rng.chance(60)) {
            let f = fields(&[(rs::F_STAGE, json!("nominated"))]);
            self.write(d, id, rs::CANDIDATE_KIND, Scope::School(school), None, f);
            return;
        }
        let id = self.fresh_id(d);
        let f = fields(&[
            (rs::F_NAME, json!(format!("Кандидат {n}"))),
            (rs::F_POSITION, json!("учитель математики")),
            (rs::F_EXPERIENCE, json!(5 + n % 20)),
            (
                rs::F_APPLICATION,
                json!("Руководит методическим объединением."),
            ),
            (rs::F_REFERENCE, json!("Ответственный, инициативный.")),
            (rs::F_RELOCATION, json!("municipality")),
            (rs::F_PHONE, json!("+7 900 000-00-00")),
            (rs::F_STAGE, json!("draft")),
        ]);
        self.write(d, id, rs::CANDIDATE_KIND, Scope::School(school), None, f);
    }

    /// The head takes a nominee one step on: the commission's verdicts, the training and its
    /// certificates, the recommendation, the registry, an appointment.
    fn reserve(&mut self, d: usize) {
        use reserve as rs;
        if self.rng.chance(30) {
            self.vacancy(d);
            return;
        }
        let ids = self.local_ids(d, |r| r.kind == rs::CANDIDATE_KIND && !r.fields.is_empty());
        let Some(id) = self.rng.pick(&ids) else {
            return;
        };
        let r = self.local(d, id).cloned().unwrap();
        let pass = |ok: bool| json!(if ok { "pass" } else { "fail" });
        let ok = self.rng.chance(80);
        let f = match rs::stage_of(&r) {
            rs::Stage::Draft | rs::Stage::Declined => return,
            rs::Stage::Nominated => {
                let mut f = fields(&[(rs::F_QUALITIES, pass(ok))]);
                for (c, _) in kinds::candidate::CRITERIA_FIELDS {
                    f.insert(c.to_owned(), json!("pass"));
                }
                f.insert(
                    rs::F_STAGE.to_owned(),
                    json!(if ok { "training" } else { "declined" }),
                );
                f
            }
            rs::Stage::Training => {
                let mut f = fields(&[
                    (rs::F_TRAINING_FROM, json!("2031-02-01")),
                    (rs::F_TRAINING_TO, json!("2031-05-30")),
                    (rs::F_GAMES, json!(true)),
                    (
                        rs::F_RECOMMENDATION,
                        json!("Рекомендуется к включению в резерв."),
                    ),
                    (rs::F_STAGE, json!("recommended")),
                ]);
                for c in kinds::candidate::COURSE_FIELDS {
                    f.insert(c.to_owned(), json!("№ 123 от 01.04.2031"));
                }
                f
            }
            rs::Stage::Recommended => fields(&[(rs::F_STAGE, json!("registry"))]),
            rs::Stage::Registry => fields(&[
                (rs::F_APPOINTED_POST, json!("заместитель директора")),
                (rs::F_APPOINTED_SCHOOL, json!("МБОУ СОШ № 1")),
                (rs::F_APPOINTED_ON, json!("2031-09-01")),
            ]),
        };
        self.write(d, id, rs::CANDIDATE_KIND, r.scope.clone(), None, f);
    }

    /// The head records a management post that became vacant, then how it was filled (from the
    /// registry, or otherwise).
    fn vacancy(&mut self, d: usize) {
        use reserve as rs;
        let open = self.local_ids(d, |r| {
            r.kind == rs::VACANCY_KIND && !r.fields.is_empty() && r.text(rs::V_FILLED_ON).is_empty()
        });
        let n = self.rng.below(1000);
        if let (Some(id), true) = (self.rng.pick(&open), self.rng.chance(60)) {
            let registry = self.local_ids(d, |r| {
                r.kind == rs::CANDIDATE_KIND && rs::stage_of(r) == rs::Stage::Registry
            });
            let mut f = fields(&[(rs::V_FILLED_ON, json!("2031-09-01"))]);
            match self.rng.pick(&registry) {
                Some(c) => f.insert(rs::V_CANDIDATE.to_owned(), json!(c)),
                None => f.insert(
                    rs::V_APPOINTEE.to_owned(),
                    json!(format!("Назначенный {n}")),
                ),
            };
            self.write(d, id, rs::VACANCY_KIND, Scope::Centre, None, f);
            return;
        }
        let id = self.fresh_id(d);
        let f = fields(&[
            (rs::V_POST, json!("директор")),
            (rs::V_PLACE, json!(format!("МБОУ СОШ № {}", n % 40))),
            (rs::V_OPENED_ON, json!("2031-06-30")),
        ]);
        self.write(d, id, rs::VACANCY_KIND, Scope::Centre, None, f);
    }

    /// The reserve written by someone who may not: a nominee of another school, a sent
    /// nomination changed by the school, a nomination by a teacher or a mentor, a verdict of
    /// the commission that is not one.
    fn hostile_reserve(&mut self, d: usize) {
        use reserve as rs;
        let person = self.person(d);
        let refuse = Expect::Refused;
        let n = self.rng.below(1000);
        let mine = self
            .school(d)
            .filter(|_| matches!(person, Person::Leader1 | Person::Leader2 | Person::TeamB));
        let others: Vec<Uuid> = self.server_ids(|r| {
            r.kind == rs::CANDIDATE_KIND && mine.is_none_or(|s| r.scope != Scope::School(s))
        });
        match (person, mine) {
            (Person::Head, _) => {
                // A verdict that is neither «соответствует» nor «не соответствует».
                let Some(id) = self.rng.pick(&others) else {
                    return;
                };
                let scope = self.server.records[&id].scope.clone();
                let f = fields(&[(kinds::candidate::CRITERIA_FIELDS[1].0, json!("возможно"))]);
                self.inject(d, id, rs::CANDIDATE_KIND, scope, None, f, None, refuse);
            }
            (_, Some(school)) => {
                let sent = self.server_ids(|r| {
                    r.kind == rs::CANDIDATE_KIND
                        && r.scope == Scope::School(school)
                        && rs::stage_of(r) != rs::Stage::Draft
                });
                if let (Some(id), true) = (self.rng.pick(&sent), self.rng.chance(50)) {
                    let f = fields(&[(rs::F_EXPERIENCE, json!(40))]);
                    self.inject(
                        d,
                        id,
                        rs::CANDIDATE_KIND,
                        Scope::School(school),
                        None,
                        f,
                        None,
                        refuse,
                    );
                } else if let Some(id) = self.rng.pick(&others) {
                    let scope = self.server.records[&id].scope.clone();
                    let f = fields(&[(rs::F_NAME, json!(format!("Подмена {n}")))]);
                    self.inject(d, id, rs::CANDIDATE_KIND, scope, None, f, None, refuse);
                }
            }
            _ if self.rng.chance(30) => {
                let id = self.fresh_id(d);
                let f = fields(&[(rs::V_POST, json!(format!("директор {n}")))]);
                self.inject(
                    d,
                    id,
                    rs::VACANCY_KIND,
                    Scope::Centre,
                    None,
                    f,
                    None,
                    refuse,
                );
            }
            _ => {
                let school = self.rng.pick(&[SCHOOL_A, SCHOOL_B]).unwrap();
                let id = self.fresh_id(d);
                let f = fields(&[
                    (rs::F_NAME, json!(format!("Сам себя {n}"))),
                    (rs::F_STAGE, json!("draft")),
                ]);
                self.inject(
                    d,
                    id,
                    rs::CANDIDATE_KIND,
                    Scope::School(school),
                    None,
                    f,
                    None,
                    refuse,
                );
            }
        }
    }

    // ---- hostile and careless clients ----

    fn server_campaign(&self, code: &str) -> Option<Uuid> {
        self.server_ids(|r| r.kind == forms::CAMPAIGN_KIND && r.text("template") == code)
            .first()
            .copied()
    }

    /// A write that must be refused, or (stamped with the largest clock) re-stamped.
    fn hostile(&mut self, d: usize) {
        let person = self.person(d);
        let user = self.user(d);
        let refuse = Expect::Refused;
        let note = |n: u64| fields(&[("note", json!(format!("чужое {n}")))]);
        let n = self.rng.below(1000);
        let rec_fields = fields(&[
            ("title", json!("Взлом")),
            ("text", json!("…")),
            ("state", json!("draft")),
        ]);
        match self.rng.below(17) {
            // A write stamped with the largest clock value, honest content: re-stamped.
            0..=1 => {
                let school = match person {
                    Person::Head => Some(self.rng.pick(&[SCHOOL_A, SCHOOL_B]).unwrap()),
                    Person::Leader1 | Person::Leader2 | Person::TeamB => self.school(d),
                    _ => None,
                };
                if let Some(s) = school {
                    let hlc = Hlc {
                        wall_ms: MAX_WALL,
                        counter: self.rng.below(65_536) as u16,
                        device: self.devices[d].durable.state.device.clone(),
                    };
                    self.inject(
                        d,
                        school_profile::id(s),
                        school_profile::KIND,
                        Scope::School(s),
                        None,
                        fields(&[("note", json!(format!("далёкое будущее {n}")))]),
                        Some(hlc),
                        Expect::Restamped,
                    );
                    return;
                }
                // Others write school A's passport (not their data).
                if person != Person::Mentor && person != Person::Curator {
                    self.inject(
                        d,
                        school_profile::id(SCHOOL_A),
                        school_profile::KIND,
                        Scope::School(SCHOOL_A),
                        None,
                        note(n),
                        None,
                        refuse,
                    );
                }
            }
            // A record under an existing id of another kind (or another school).
            2 => {
                let ids = self.server_ids(|_| true);
                let Some(id) = self.rng.pick(&ids) else {
                    return;
                };
                let target = self.server.records[&id].clone();
                let (kind, f) = if target.kind == "recommendation" {
                    ("plan_item", fields(&[("measure", json!("x"))]))
                } else {
                    ("recommendation", rec_fields)
                };
                let scope = if self.rng.chance(50) {
                    target.scope
                } else {
                    Scope::School(SCHOOL_B)
                };
                self.inject(d, id, kind, scope, None, f, None, refuse);
            }
            // A record with an id that is not a fresh UUIDv7.
            3 => {
                let mut bytes = [0u8; 16];
                bytes.copy_from_slice(&self.rng.next().to_le_bytes().repeat(2));
                let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
                let school = self.my_schools(d).first().copied().unwrap_or(SCHOOL_A);
                let (kind, scope, f) = if person == Person::Head {
                    (
                        forms::CAMPAIGN_KIND,
                        Scope::Centre,
                        campaign_fields(&CAMPAIGNS[2], EXTRA),
                    )
                } else {
                    ("recommendation", Scope::School(school), rec_fields)
                };
                self.inject(d, id, kind, scope, None, f, None, refuse);
            }
            // A change signed with another device's id, or of a kind nobody knows.
            4 => {
                let other = DeviceId::from_random(self.rng.next().to_le_bytes());
                let now = self.devices[d].now(self.time);
                let mut hlc = self.devices[d].durable.state.clock.tick(now);
                let (id, kind) = if self.rng.chance(50) {
                    hlc.device = other;
                    (school_profile::id(SCHOOL_A), school_profile::KIND)
                } else {
                    (self.fresh_id(d), "grades")
                };
                self.inject(
                    d,
                    id,
                    kind,
                    Scope::School(SCHOOL_A),
                    None,
                    note(n),
                    Some(hlc),
                    refuse,
                );
            }
            // Someone else's anonymous answers (the id leaked).
            5 => {
                let lookup = &self.server.lookup;
                let ids = self.server_ids(|r| {
                    r.kind == anonymous_response::KIND
                        && kinds::response::campaign_id(r)
                            .is_none_or(|c| lookup.anonymous(c, user) != r.id)
                });
                if let Some(id) = self.rng.pick(&ids) {
                    self.inject(
                        d,
                        id,
                        anonymous_response::KIND,
                        Scope::Centre,
                        None,
                        fields(&[("a.comment", json!("подмена"))]),
                        None,
                        refuse,
                    );
                }
            }
            12..=13 => self.hostile_support(d),
            14 if self.rng.chance(50) => self.hostile_indices(d),
            14 => self.hostile_practices(d),
            15.. => self.hostile_workplan(d),
            _ => self.hostile_by_role(d, person, user, n),
        }
    }

    fn hostile_by_role(&mut self, d: usize, person: Person, user: Uuid, n: u64) {
        let refuse = Expect::Refused;
        let rec_fields = fields(&[
            ("title", json!("Взлом")),
            ("text", json!("…")),
            ("state", json!("draft")),
        ]);
        let a_responses = self
            .server_ids(|r| r.kind == forms::RESPONSE_KIND && r.scope == Scope::School(SCHOOL_A));
        match person {
            Person::TeamB => match self.rng.below(3) {
                // School A's passport under its derived id.
                0 => self.inject(
                    d,
                    school_profile::id(SCHOOL_A),
                    school_profile::KIND,
                    Scope::School(SCHOOL_A),
                    None,
                    fields(&[("director", json!("Самозванец"))]),
                    None,
                    refuse,
                ),
                // School A's card under its derived id.
                1 => {
                    if let Some(c) = self.server_campaign(CARD) {
                        let id = forms::response_id(c, &Scope::School(SCHOOL_A));
                        let f = fields(&[
                            (forms::F_CAMPAIGN, json!(c)),
                            (forms::F_TEMPLATE, json!(CARD)),
                            (forms::F_VERSION, json!(1)),
                            ("a.goal", json!("чужая цель")),
                        ]);
                        self.inject(
                            d,
                            id,
                            forms::RESPONSE_KIND,
                            Scope::School(SCHOOL_A),
                            None,
                            f,
                            None,
                            refuse,
                        );
                    }
                }
                // A plan item on a leader of A's test.
                _ => {
                    if let Some(p) = self.rng.pick(&a_responses) {
                        let id = self.fresh_id(d);
                        self.inject(
                            d,
                            id,
                            "plan_item",
                            Scope::School(SCHOOL_A),
                            Some(p),
                            fields(&[("measure", json!("чужой план"))]),
                            None,
                            refuse,
                        );
                    }
                }
            },
            Person::Teacher | Person::Moderator => match self.rng.below(4) {
                // The team's card of school A.
                0 => {
                    if let Some(c) = self.server_campaign(CARD) {
                        let id = forms::response_id(c, &Scope::School(SCHOOL_A));
                        let f = fields(&[
                            (forms::F_CAMPAIGN, json!(c)),
                            (forms::F_TEMPLATE, json!(CARD)),
                            (forms::F_VERSION, json!(1)),
                            ("a.goal", json!(format!("не моя цель {n}"))),
                        ]);
                        self.inject(
                            d,
                            id,
                            forms::RESPONSE_KIND,
                            Scope::School(SCHOOL_A),
                            None,
                            f,
                            None,
                            refuse,
                        );
                    }
                }
                // A review of a response of A.
                1 => {
                    if let Some(p) = self.rng.pick(&a_responses) {
                        let round = review::round_of(&self.server.records[&p]).max(1);
                        let f = fields(&[
                            (review::F_ROUND, json!(round)),
                            (review::F_VERDICT, json!("accepted")),
                        ]);
                        self.inject(
                            d,
                            review::review_id(p, round),
                            review::REVIEW_KIND,
                            Scope::School(SCHOOL_A),
                            Some(p),
                            f,
                            None,
                            refuse,
                        );
                    }
                }
                // A campaign of the centre.
                2 => {
                    let id = self.fresh_id(d);
                    self.inject(
                        d,
                        id,
                        forms::CAMPAIGN_KIND,
                        Scope::Centre,
                        None,
                        campaign_fields(&CAMPAIGNS[0], EXTRA),
                        None,
                        refuse,
                    );
                }
                // Recommendations to A.
                _ => {
                    let id = self.fresh_id(d);
                    self.inject(
                        d,
                        id,
                        "recommendation",
                        Scope::School(SCHOOL_A),
                        None,
                        rec_fields,
                        None,
                        refuse,
                    );
                }
            },
            Person::Leader1 | Person::Leader2 => match self.rng.below(4) {
                // Server-only fields of the leader's own test.
                0 | 1 => {
                    if let Some(c) = self.server_campaign(TEST) {
                        let (id, scope) =
                            forms::response_target(Respondent::Person, c, Some(SCHOOL_A), user)
                                .unwrap();
                        let f = if self.rng.chance(50) {
                            fields(&[(forms::F_RESPONDENT, json!("Кто-то другой"))])
                        } else {
                            fields(&[(review::F_ROUND, json!(7))])
                        };
                        self.inject(d, id, forms::RESPONSE_KIND, scope, None, f, None, refuse);
                    }
                }
                // Recommendations to their own school (only advisers write them).
                2 => {
                    let id = self.fresh_id(d);
                    self.inject(
                        d,
                        id,
                        "recommendation",
                        Scope::School(SCHOOL_A),
                        None,
                        rec_fields,
                        None,
                        refuse,
                    );
                }
                // Deleting the school's passport.
                _ => {
                    let id = school_profile::id(SCHOOL_A);
                    let del = self
                        .local(d, id)
                        .map_or(json!({"deleted": true}), Record::deletion_value);
                    self.inject(
                        d,
                        id,
                        school_profile::KIND,
                        Scope::School(SCHOOL_A),
                        None,
                        fields(&[(DELETED, del)]),
                        None,
                        refuse,
                    );
                }
            },
            Person::Mentor | Person::Curator => {
                let recs = self.local_ids(d, |r| r.kind == "recommendation");
                let reviews = self.local_ids(d, |r| r.kind == review::REVIEW_KIND);
                match self.rng.below(3) {
                    // The stamped author of a recommendation.
                    0 => {
                        if let Some(id) = self.rng.pick(&recs) {
                            let scope = self.local(d, id).unwrap().scope.clone();
                            let f = fields(&[("author", json!("Не я"))]);
                            self.inject(d, id, "recommendation", scope, None, f, None, refuse);
                        }
                    }
                    // The stamped reviewer of a review.
                    1 => {
                        if let Some(id) = self.rng.pick(&reviews) {
                            let r = self.local(d, id).unwrap().clone();
                            let f = fields(&[(review::F_REVIEWER, json!("Не я"))]);
                            self.inject(
                                d,
                                id,
                                review::REVIEW_KIND,
                                r.scope,
                                r.parent,
                                f,
                                None,
                                refuse,
                            );
                        }
                    }
                    // Recommendations to a school that is not theirs.
                    _ => {
                        let school = if person == Person::Mentor {
                            SCHOOL_B
                        } else {
                            SCHOOL_A
                        };
                        let id = self.fresh_id(d);
                        self.inject(
                            d,
                            id,
                            "recommendation",
                            Scope::School(school),
                            None,
                            rec_fields,
                            None,
                            refuse,
                        );
                    }
                }
            }
            Person::Head => {
                // The round of a response (the server numbers rounds).
                if let Some(p) = self.rng.pick(&a_responses) {
                    let r = self.server.records[&p].clone();
                    let f = fields(&[(review::F_ROUND, json!(99))]);
                    self.inject(d, p, forms::RESPONSE_KIND, r.scope, None, f, None, refuse);
                }
            }
        }
    }

    /// Writes to the school's support records that must be refused whatever the server holds
    /// meanwhile, as the kinds' declarations and the model's rules say.
    fn hostile_support(&mut self, d: usize) {
        use forms::recommendation as rec;
        let actor = self.server.actors[self.devices[d].person].clone();
        let refuse = Expect::Refused;
        let team_school = (actor.role == Role::SchoolTeam)
            .then_some(actor.school)
            .flatten();
        let choice = self.rng.below(8);
        match (choice, team_school) {
            // A record of a kind none of the person's relations may create (a visit by the
            // team, a consultation by a mentor or the head, a measure in a foreign school).
            (2, _) => {
                let kind = self
                    .rng
                    .pick(&[
                        vis::KIND,
                        cons::KIND,
                        prog::INDICATOR_KIND,
                        prog::MEASURE_KIND,
                    ])
                    .unwrap();
                let spec = kinds::spec(kind).unwrap();
                let school = self.rng.pick(&[SCHOOL_A, SCHOOL_B]).unwrap();
                let who = possible(&actor, school);
                if spec.creators().any(|c| who.contains(&c)) {
                    return;
                }
                let parent = if spec.parents.is_empty() {
                    None
                } else {
                    let sections = self.server_ids(|r| {
                        r.kind == prog::SECTION_KIND && r.scope == Scope::School(school)
                    });
                    let Some(p) = self.rng.pick(&sections) else {
                        return;
                    };
                    Some(p)
                };
                // What the creators themselves would write.
                let creators: Vec<Who> = spec.creators().collect();
                let f: BTreeMap<String, Value> = granted(spec, &creators, true)
                    .into_iter()
                    .filter(|n| *n != DELETED && *n != kinds::ADDRESSEE)
                    .map(|n| (n.to_owned(), value_for(spec, n, &mut self.rng)))
                    .collect();
                let id = self.fresh_id(d);
                self.inject(d, id, kind, Scope::School(school), parent, f, None, refuse);
            }
            // The team asks in a state the model never starts a request in (agreed already …).
            (3, Some(school)) => {
                let starts: Vec<State> = State::ALL
                    .into_iter()
                    .filter(|to| !may_move(None, *to, Side::School))
                    .collect();
                let Some(to) = self.rng.pick(&starts) else {
                    return;
                };
                let f = fields(&[
                    (cons::F_TOPIC, json!("Сразу согласовано")),
                    (cons::F_STATE, json!(to.as_str())),
                ]);
                let id = self.fresh_id(d);
                self.inject(
                    d,
                    id,
                    cons::KIND,
                    Scope::School(school),
                    None,
                    f,
                    None,
                    refuse,
                );
            }
            // The team moves its request where no state lets the school move it (declines it
            // itself), agrees it with a date, which only the specialist writes, or asks another
            // specialist (named once, when the request is made: its readers never shrink).
            (4, Some(school)) => {
                let ids =
                    self.server_ids(|r| r.kind == cons::KIND && r.scope == Scope::School(school));
                let Some(id) = self.rng.pick(&ids) else {
                    return;
                };
                let never: Vec<State> = State::ALL
                    .into_iter()
                    .filter(|to| {
                        State::ALL
                            .into_iter()
                            .all(|from| !may_move(Some(from), *to, Side::School))
                    })
                    .collect();
                let spec = kinds::spec(cons::KIND).unwrap();
                let asked = self.server.records[&id].get(kinds::ADDRESSEE).cloned();
                let mut others: Vec<Value> = self.specialists().iter().map(|u| json!(u)).collect();
                others.push(Value::Null);
                others.retain(|v| Some(v) != asked.as_ref());
                let (f, hlc) = match self.rng.pick(&never) {
                    // The kind judges the state the record ends in: a move stamped earlier than
                    // the record's latest state loses the merge and changes nothing. Stamped with
                    // the largest clock value (re-stamped to the server's time, after every
                    // write the record holds), the move is what the record would end in.
                    Some(to) if self.rng.chance(40) => {
                        let hlc = Hlc {
                            wall_ms: MAX_WALL,
                            counter: self.rng.below(65_536) as u16,
                            device: self.devices[d].durable.state.device.clone(),
                        };
                        (fields(&[(cons::F_STATE, json!(to.as_str()))]), Some(hlc))
                    }
                    _ if self.rng.chance(40) => {
                        let to = self.rng.pick(&others).unwrap();
                        (fields(&[(kinds::ADDRESSEE, to)]), None)
                    }
                    _ => {
                        let date = value_for(spec, cons::F_MEETING_ON, &mut self.rng);
                        let f = fields(&[
                            (cons::F_STATE, json!(State::Agreed.as_str())),
                            (cons::F_MEETING_ON, date),
                        ]);
                        (f, None)
                    }
                };
                self.inject(
                    d,
                    id,
                    cons::KIND,
                    Scope::School(school),
                    None,
                    f,
                    hlc,
                    refuse,
                );
            }
            // A finished request (closed or declined on the server) changed by either side.
            (5, _) => {
                let ids = self.server_ids(|r| r.kind == cons::KIND && state_of(r).finished());
                let Some(id) = self.rng.pick(&ids) else {
                    return;
                };
                let r = self.server.records[&id].clone();
                let spec = kinds::spec(cons::KIND).unwrap();
                let name = if actor.in_team_of(&r.scope) {
                    cons::F_TOPIC
                } else {
                    cons::F_OUTCOME
                };
                let f = fields(&[(name, value_for(spec, name, &mut self.rng))]);
                self.inject(d, id, cons::KIND, r.scope, None, f, None, refuse);
            }
            // The school answers a recommendation the mentor keeps as a draft, or acknowledges
            // a sent one with "no" or takes its acknowledgement back (only "yes" is taken).
            (6, Some(school)) => {
                let drafts = self.server_ids(|r| {
                    r.kind == rec::RECOMMENDATION_KIND
                        && r.scope == Scope::School(school)
                        && r.text(rec::F_TITLE) == KEPT_DRAFT
                });
                let sent = self.server_ids(|r| {
                    r.kind == rec::RECOMMENDATION_KIND
                        && r.scope == Scope::School(school)
                        && r.text(rec::F_STATE) == "sent"
                });
                let spec = kinds::spec(rec::RECOMMENDATION_KIND).unwrap();
                let (id, f) = if let Some(id) = self.rng.pick(&drafts)
                    && self.rng.chance(70)
                {
                    let name = self.rng.pick(&[rec::F_ACK, rec::F_MEASURE]).unwrap();
                    (id, fields(&[(name, value_for(spec, name, &mut self.rng))]))
                } else if let Some(id) = self.rng.pick(&sent) {
                    let no = json!(false);
                    assert!(spec.field(rec::F_ACK).unwrap().check(&no).is_err());
                    // Or takes the acknowledgement back (a cleared field).
                    let no = if self.rng.chance(50) { no } else { Value::Null };
                    (id, fields(&[(rec::F_ACK, no)]))
                } else {
                    return;
                };
                let scope = Scope::School(school);
                self.inject(
                    d,
                    id,
                    rec::RECOMMENDATION_KIND,
                    scope,
                    None,
                    f,
                    None,
                    refuse,
                );
            }
            // A field none of the person's relations is granted in a support record (a team's
            // verdict or comment, a mentor's request or verdict, a name the server stamps).
            _ => {
                let kind = self.rng.pick(&SUPPORT_KINDS).unwrap();
                let spec = kinds::spec(kind).unwrap();
                let ids = self.server_ids(|r| r.kind == kind);
                let Some(id) = self.rng.pick(&ids) else {
                    return;
                };
                let r = self.server.records[&id].clone();
                let Scope::School(school) = r.scope else {
                    return;
                };
                let Some(name) = self.rng.pick(&never_granted(spec, &actor, school)) else {
                    return;
                };
                let value = if name == DELETED {
                    r.deletion_value()
                } else {
                    value_for(spec, name, &mut self.rng)
                };
                let f = fields(&[(name, value)]);
                self.inject(d, id, kind, r.scope, r.parent, f, None, refuse);
            }
        }
    }

    /// Writes to the centre's plan of work and to the indicators' values that must be refused
    /// whatever the server holds meanwhile, as the kinds' declarations and checks say.
    fn hostile_workplan(&mut self, d: usize) {
        let actor = self.server.actors[self.devices[d].person].clone();
        let me = actor.user_id;
        let refuse = Expect::Refused;
        // The centre's records belong to no school: nobody is their team.
        let who = possible(&actor, Uuid::nil());
        match self.rng.below(5) {
            // A record of the plan or an indicator's value made by a person none of whose
            // relations creates one: a team member, a teacher, the moderator, a mentor or
            // curator naming themself responsible.
            0 => {
                let kind = self.rng.pick(&WORKPLAN_KINDS).unwrap();
                let spec = kinds::spec(kind).unwrap();
                if spec.creators().any(|c| who.contains(&c)) {
                    return;
                }
                // What the creators themselves would write.
                let creators: Vec<Who> = spec.creators().collect();
                let mut f: BTreeMap<String, Value> = granted(spec, &creators, true)
                    .into_iter()
                    .filter(|n| *n != DELETED)
                    .map(|n| (n.to_owned(), value_for(spec, n, &mut self.rng)))
                    .collect();
                let id = if kind == wp::KIND {
                    f.insert(wp::F_RESPONSIBLE.to_owned(), json!(me));
                    self.fresh_id(d)
                } else {
                    let code = f[ind::F_CODE].as_str().unwrap().to_owned();
                    ind::value_id(&code, f[ind::F_YEAR].as_i64().unwrap())
                };
                self.inject(d, id, kind, Scope::Centre, None, f, None, refuse);
            }
            // A field none of the person's relations is granted: the content of an item or
            // its responsible person, written by the one responsible; anything, by the
            // school's people or the moderator; an indicator's value by anyone but the head;
            // deleting an indicator's value (nobody does).
            1 => {
                let kind = self.rng.pick(&WORKPLAN_KINDS).unwrap();
                let spec = kinds::spec(kind).unwrap();
                let named = self.server_ids(|r| r.kind == kind && kinds::addressee(r) == Some(me));
                let pool = if !named.is_empty() && self.rng.chance(70) {
                    named
                } else {
                    self.server_ids(|r| r.kind == kind)
                };
                let Some(id) = self.rng.pick(&pool) else {
                    return;
                };
                let r = self.server.records[&id].clone();
                let Some(name) = self.rng.pick(&never_granted(spec, &actor, Uuid::nil())) else {
                    return;
                };
                let value = match name {
                    DELETED => r.deletion_value(),
                    // Handing the item to someone else, or taking it over.
                    wp::F_RESPONSIBLE => {
                        let mut to: Vec<Value> =
                            self.specialists().iter().map(|u| json!(u)).collect();
                        to.push(Value::Null);
                        self.rng.pick(&to).unwrap()
                    }
                    _ => value_for(spec, name, &mut self.rng),
                };
                let f = fields(&[(name, value)]);
                self.inject(d, id, kind, Scope::Centre, None, f, None, refuse);
            }
            // A mentor or curator reports on an item they are not responsible for: the centre's
            // own report (the head's, for good).
            2 => {
                if !matches!(actor.role, Role::Mentor | Role::Curator) {
                    return;
                }
                let spec = kinds::spec(wp::KIND).unwrap();
                let ids =
                    self.server_ids(|r| r.kind == wp::KIND && r.text(wp::F_CONTENT) == HEAD_OWN);
                let Some(id) = self.rng.pick(&ids) else {
                    return;
                };
                let name = self
                    .rng
                    .pick(&granted(spec, &[Who::Addressee], false))
                    .unwrap();
                let f = fields(&[(name, value_for(spec, name, &mut self.rng))]);
                self.inject(d, id, wp::KIND, Scope::Centre, None, f, None, refuse);
            }
            // Values the declaration refuses: evidence that is not a list of documents of the
            // known kinds with proper dates and sizes, months outside 1–12, a status, direction,
            // period, link or school that is not one — by the head, or by the person responsible
            // (in what they may write).
            3 => {
                let spec = kinds::spec(wp::KIND).unwrap();
                let head = actor.role == Role::Head;
                let ids = self.server_ids(|r| {
                    r.kind == wp::KIND && (head || kinds::addressee(r) == Some(me))
                });
                let Some(id) = self.rng.pick(&ids) else {
                    return;
                };
                let may = granted(spec, &who, false);
                let bad: Vec<(&str, Value)> = [
                    (wp::F_EVIDENCE, json!("приказ № 5 от 19.05.2021")),
                    (wp::F_EVIDENCE, json!([{"kind": "decree", "number": "5"}])),
                    (
                        wp::F_EVIDENCE,
                        json!([{"kind": "order", "date": "19.05.2021"}]),
                    ),
                    (wp::F_EVIDENCE, json!([{"number": "1457/21-21-10"}])),
                    (
                        wp::F_EVIDENCE,
                        json!([{"kind": "letter", "title": "т".repeat(501)}]),
                    ),
                    (wp::F_EVIDENCE, json!(vec![json!({"kind": "other"}); 51])),
                    (wp::F_STATUS, json!("cancelled")),
                    (wp::F_STATUS, json!(2)),
                    (wp::F_MONTHS, json!([0])),
                    (wp::F_MONTHS, json!([9, 13])),
                    (wp::F_MONTHS, json!(["сентябрь"])),
                    (
                        wp::F_MONTHS,
                        json!((1..=13).map(|m| m.min(12)).collect::<Vec<_>>()),
                    ),
                    (wp::F_DIRECTION, json!("sport")),
                    (wp::F_PERIOD, json!("weekly")),
                    (wp::F_LINK, json!("campaign:42")),
                    (wp::F_LINK, json!("tests")),
                    (wp::F_SCHOOLS, json!(["МБОУ СОШ № 1"])),
                ]
                .into_iter()
                .filter(|(n, _)| may.contains(n))
                .collect();
                let Some((name, value)) = self.rng.pick(&bad) else {
                    return;
                };
                assert!(
                    spec.field(name).unwrap().check(&value).is_err(),
                    "the simulation's bad value for {}.{name} passes its declaration: {value}",
                    wp::KIND
                );
                let f = fields(&[(name, value)]);
                self.inject(d, id, wp::KIND, Scope::Centre, None, f, None, refuse);
            }
            // The head changes an indicator value's indicator or year (the key of its id), writes
            // one under the id of another indicator or year, or enters an indicator that is not
            // the programme's.
            _ => {
                if actor.role != Role::Head {
                    return;
                }
                let spec = kinds::spec(ind::KIND).unwrap();
                let codes: Vec<&str> = ind::INDICATORS.iter().map(|i| i.code).collect();
                let ids = self.server_ids(|r| r.kind == ind::KIND);
                let stored = self
                    .rng
                    .pick(&ids)
                    .map(|id| self.server.records[&id].clone());
                let (id, f) = match (stored, self.rng.below(3)) {
                    (Some(r), 0) => {
                        let others: Vec<&str> = codes
                            .iter()
                            .copied()
                            .filter(|c| *c != r.text(ind::F_CODE))
                            .collect();
                        let code = self.rng.pick(&others).unwrap();
                        (r.id, fields(&[(ind::F_CODE, json!(code))]))
                    }
                    (Some(r), 1) => {
                        let year = r.get(ind::F_YEAR).and_then(Value::as_i64).unwrap();
                        (r.id, fields(&[(ind::F_YEAR, json!(year + 1))]))
                    }
                    _ => {
                        let year = self.rng.pick(&YEARS).unwrap();
                        let (code, under) = if self.rng.chance(30) {
                            ("happy_teachers", self.rng.pick(&codes).unwrap())
                        } else {
                            let code = self.rng.pick(&codes).unwrap();
                            let others: Vec<&str> =
                                codes.iter().copied().filter(|c| *c != code).collect();
                            (code, self.rng.pick(&others).unwrap())
                        };
                        let f = fields(&[
                            (ind::F_CODE, json!(code)),
                            (ind::F_YEAR, json!(year)),
                            (ind::F_VALUE, value_for(spec, ind::F_VALUE, &mut self.rng)),
                        ]);
                        (ind::value_id(under, year), f)
                    }
                };
                // The model refuses it as the server holds the record now (and the keys of a
                // derived id never change, so it does whenever it arrives): a value that is not
                // an indicator, a key changed, or an id that is not the key's.
                let before = self.server.records.get(&id).cloned();
                let bad_value = f
                    .iter()
                    .any(|(n, v)| spec.field(n).is_none_or(|s| s.check(v).is_err()));
                let after = merged(
                    &before
                        .clone()
                        .unwrap_or_else(|| Record::new(id, ind::KIND, Scope::Centre, None)),
                    &f,
                );
                let records = HashMap::new();
                let cx = kinds::Ctx {
                    actor: &actor,
                    now_ms: self.time,
                    before: before.as_ref(),
                    after: &after,
                    fields: &f,
                    parent: None,
                    records: &records,
                    lookup: &kinds::NoLookup,
                };
                let refused_by_model = bad_value
                    || match (before.is_some(), spec.id) {
                        (true, _) => (spec.check)(&cx).is_err(),
                        (false, kinds::IdRule::Derived(derive)) => {
                            derive(&cx) != Some((id, Scope::Centre))
                        }
                        _ => false,
                    };
                assert!(
                    refused_by_model,
                    "the model takes a changed key of {}: {f:?}",
                    ind::KIND
                );
                self.inject(d, id, ind::KIND, Scope::Centre, None, f, None, refuse);
            }
        }
    }

    // ---- the network ----

    fn post(&mut self, msg: Msg) {
        self.net.push((self.time, msg));
    }

    fn send(&mut self, d: usize, deadline: u64) -> bool {
        let dev = &mut self.devices[d];
        let req = client::request(&mut dev.durable.state, &dev.durable.outbox);
        let pushed = !req.changes.is_empty();
        let id = self.next_msg;
        self.next_msg += 1;
        dev.in_flight = Some((id, self.time + deadline));
        self.post(Msg::Request { device: d, id, req });
        pushed
    }

    /// Nothing a person may not read, nothing anonymous, no clock value far ahead.
    fn check_answer(&mut self, d: usize, answer: &Answer, built_at: u64) {
        let limit = built_at + MAX_AHEAD_MS;
        for c in &answer.resp.changes {
            let Some(spec) = kinds::spec(&c.kind) else {
                return self.fail(format!("device {d} received a change of kind {}", c.kind));
            };
            if spec.anonymous {
                return self.fail(format!("device {d} received anonymous record {}", c.record));
            }
            let readable = self
                .server
                .records
                .get(&c.record)
                .is_some_and(|r| self.server.readable(&answer.grants, r));
            if !readable {
                return self.fail(format!(
                    "device {d} ({:?}) received a change of {} {} it may not read",
                    self.person(d),
                    c.kind,
                    c.record
                ));
            }
            if c.hlc.wall_ms > limit {
                return self.fail(format!(
                    "device {d} received clock {} past the server's time {built_at}",
                    c.hlc
                ));
            }
        }
        for r in &answer.resp.restamped {
            if r.hlc.wall_ms > limit {
                return self.fail(format!("device {d} was re-stamped to {}", r.hlc));
            }
        }
    }

    /// Delivers one message; `faults` turns on drops, duplicates and server crashes.
    fn deliver(&mut self, index: usize, faults: bool) {
        let (_, msg) = self.net.remove(index);
        if faults && self.rng.chance(10) {
            self.stats.dropped += 1;
            return;
        }
        let dup = faults && self.rng.chance(5);
        self.stats.duplicated += u64::from(dup);
        match msg {
            Msg::Request { device, id, req } => {
                let person = self.devices[device].person;
                if self.trace {
                    eprintln!(
                        "{} request d{device} first {} n {} cursor {} full {}",
                        self.time,
                        req.first_seq,
                        req.changes.len(),
                        req.cursor,
                        req.full
                    );
                }
                let answer = match self.server.handle(person, &req, self.time) {
                    Ok(a) => Arc::new(a),
                    Err(e) => return self.fail(e),
                };
                if dup {
                    self.post(Msg::Request { device, id, req });
                }
                if faults && self.rng.chance(5) {
                    // The server crashed after the commit, before answering.
                    self.stats.server_crashes += 1;
                    return;
                }
                self.post(Msg::Response {
                    device,
                    id,
                    answer,
                    built_at: self.time,
                });
            }
            Msg::Response {
                device,
                id,
                answer,
                built_at,
            } => {
                self.check_answer(device, &answer, built_at);
                // Only the answer to the request in flight counts (a late duplicate of an old
                // answer is what a closed connection would have dropped).
                if self.devices[device].in_flight.map(|(f, _)| f) == Some(id) {
                    self.take(device, &answer);
                    // More changes wait: the app syncs again at once.
                    if faults && answer.resp.more {
                        self.send(device, 20_000);
                    }
                }
                if dup {
                    self.post(Msg::Response {
                        device,
                        id,
                        answer,
                        built_at,
                    });
                }
            }
        }
    }

    fn take(&mut self, d: usize, answer: &Answer) {
        let resp = &answer.resp;
        let dev = &self.devices[d];
        // Writes stamped too far ahead were re-stamped: the edit is now known by its new clock.
        for r in &resp.restamped {
            if dev.durable.outbox.iter().any(|m| m.seq == r.seq)
                && let Some(e) = self.edits.get_mut(&(d, r.seq))
            {
                e.change.hlc = r.hlc.clone();
                e.restamped = true;
                self.stats.restamped += 1;
            }
        }
        self.stats.resets += u64::from(resp.reset);
        if self.trace {
            eprintln!(
                "{} take d{d} acked {} refused {:?} restamped {:?} reset {} changes {:?} more {} cursor {}",
                self.time,
                resp.acked_upto,
                resp.refused
                    .iter()
                    .map(|r| (r.seq, &r.message))
                    .collect::<Vec<_>>(),
                resp.restamped.iter().map(|r| r.seq).collect::<Vec<_>>(),
                resp.reset,
                resp.changes
                    .iter()
                    .map(|c| (
                        c.kind.as_str(),
                        c.record,
                        c.fields.keys().collect::<Vec<_>>()
                    ))
                    .collect::<Vec<_>>(),
                resp.more,
                resp.cursor
            );
        }
        let time = self.time;
        let dev = &mut self.devices[d];
        dev.ever_keys.extend(answer.grants.iter().cloned());
        dev.regranted |= resp.reset;
        let Some(dropped) = dev.take(time, resp, &answer.assigned) else {
            return;
        };
        self.stats.swept += dropped as u64;
        // The pass ended: what is left is readable, or kept for an edit still waiting or refused.
        let dur = &self.devices[d].durable;
        let pending: BTreeSet<Uuid> = dur
            .outbox
            .iter()
            .map(|m| m.change.record)
            .chain(dur.refused.iter().map(|r| r.mutation.change.record))
            .collect();
        let mut ids: Vec<Uuid> = dur.records.keys().copied().collect();
        ids.sort();
        for id in ids {
            let r = &self.devices[d].durable.records[&id];
            let readable = self
                .server
                .records
                .get(&id)
                .is_some_and(|s| self.server.readable(&answer.grants, s));
            let anonymous = kinds::spec(&r.kind).is_some_and(|s| s.anonymous);
            if !readable && !anonymous && !pending.contains(&id) {
                let kind = r.kind.clone();
                return self.fail(format!(
                    "device {d} ({:?}) kept {kind} {id} it may no longer read after its pass",
                    self.person(d)
                ));
            }
        }
    }

    fn step(&mut self, n: u64) {
        self.time += 1 + self.rng.below(2_000);
        if self.access_changes.contains(&n) {
            // The head changes the mentor's schools (a server-side action).
            let mentor = &mut self.server.actors[MENTOR];
            mentor.assigned = if mentor.assigned.is_empty() {
                vec![SCHOOL_A]
            } else {
                Vec::new()
            };
            self.stats.access_changes += 1;
            if self.trace {
                eprintln!("{} mentor assigned {:?}", self.time, mentor.assigned);
            }
        }
        let d = self.rng.below(self.devices.len() as u64) as usize;
        match self.rng.below(100) {
            0..=39 => self.act(d),
            40..=64 => {
                let dev = &self.devices[d];
                let timed_out = dev.in_flight.is_some_and(|(_, until)| self.time > until);
                if dev.in_flight.is_none() || timed_out {
                    self.send(d, 20_000);
                }
            }
            65..=89 => {
                // What waited longer than a connection lives is lost.
                let time = self.time;
                let before = self.net.len();
                self.net.retain(|(sent, _)| time - sent <= 30_000);
                self.stats.timed_out += (before - self.net.len()) as u64;
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
                // Its clock jumps: back by up to an hour, ahead by days, or a year either way.
                let jump = match self.rng.below(10) {
                    0..=5 => -(self.rng.below(3_600_000) as i64),
                    6..=7 => (1 + self.rng.below(5) as i64) * DAY_MS,
                    8 => YEAR_MS,
                    _ => -YEAR_MS,
                };
                self.devices[d].skew_ms += jump;
                self.stats.clock_jumps += 1;
            }
        }
    }

    /// The network heals: every device syncs until nothing is left to send or receive.
    fn settle(&mut self) -> Result<(), String> {
        self.net.clear();
        for d in &mut self.devices {
            d.in_flight = None;
        }
        for _round in 0..20 {
            let mut busy = false;
            for d in 0..self.devices.len() {
                let mut exchanges = 0;
                loop {
                    exchanges += 1;
                    if exchanges > 50_000 {
                        return Err(format!("device {d} did not settle"));
                    }
                    self.time += 10;
                    busy |= self.send(d, 1_000);
                    self.deliver(0, false);
                    self.deliver(0, false);
                    if let Some(v) = &self.violation {
                        return Err(v.clone());
                    }
                    let dev = &self.devices[d];
                    busy |= dev.last.0 > 0;
                    if dev.durable.outbox.is_empty()
                        && !dev.last.1
                        && dev.durable.state.pass.is_none()
                    {
                        break;
                    }
                }
            }
            if !busy {
                return Ok(());
            }
        }
        Err("the system did not settle".into())
    }

    // ---- the checks at the end ----

    fn check(&mut self) -> Result<(), String> {
        self.check_server()?;
        self.check_edits()?;
        self.check_devices()?;
        let mut per_kind = vec![0; kinds::KINDS.len()];
        for r in self.server.records.values() {
            if let Some(i) = kinds::KINDS.iter().position(|k| k.name == r.kind) {
                per_kind[i] += 1;
            }
        }
        self.stats.kinds = per_kind;
        self.stats.support = self.support_figures();
        Ok(())
    }

    /// What the school's support reached on the server: proof the operations were exercised.
    fn support_figures(&self) -> BTreeMap<String, u64> {
        use forms::recommendation as rec;
        let mut out: BTreeMap<String, u64> = State::ALL
            .iter()
            .map(|st| (format!("consultations {}", st.as_str()), 0))
            .collect();
        let mut count = |what: String, yes: bool| {
            *out.entry(what).or_default() += u64::from(yes);
        };
        // The plan of work: who reported, and the figures of what items are linked to.
        let all: Vec<Record> = self.server.records.values().cloned().collect();
        let advisers: Vec<Uuid> = [MENTOR, CURATOR]
            .map(|i| self.server.actors[i].user_id)
            .to_vec();
        let advisers_devices: BTreeSet<DeviceId> = self
            .devices
            .iter()
            .filter(|dev| [MENTOR, CURATOR].contains(&dev.person))
            .map(|dev| dev.durable.state.device.clone())
            .collect();
        for year in YEARS {
            let printed: usize = wp::grouped(&all, year, None)
                .iter()
                .map(|(_, l)| l.len())
                .sum();
            count("work items in the printed plan".into(), printed > 0);
        }
        for r in self.server.records.values() {
            let has = |name: &str| r.get(name).is_some_and(|v| !v.is_null());
            match r.kind.as_str() {
                prog::PROGRAMME_KIND => {
                    count("programmes with a verdict".into(), has(prog::F_VERDICT));
                    count("programmes with an analysis".into(), has(prog::F_ANALYSIS));
                }
                prog::INDICATOR_KIND => count(
                    "indicators with quarterly actuals".into(),
                    prog::F_QUARTERS.iter().any(|q| has(q)),
                ),
                prog::MEASURE_KIND => count(
                    "programme measures made from a recommendation".into(),
                    has(prog::F_SOURCE),
                ),
                cons::KIND => {
                    count(format!("consultations {}", state_of(r).as_str()), true);
                    count(
                        "consultations addressed to one specialist".into(),
                        kinds::addressee(r).is_some(),
                    );
                    // The curator advises school B only: answering A, they are the addressee.
                    let curator = &self.server.actors[CURATOR];
                    count(
                        "consultations handled by the addressee from outside the school".into(),
                        r.text(cons::F_HANDLER) == curator.name
                            && !matches!(r.scope, Scope::School(s) if curator.assigned.contains(&s)),
                    );
                }
                vis::KIND => count(
                    "visits with a lesson protocol".into(),
                    r.text(vis::F_TYPE) == vis::LESSON && has(vis::F_OBSERVED),
                ),
                wp::KIND => {
                    count(
                        "work items a mentor or curator is responsible for".into(),
                        kinds::addressee(r).is_some_and(|p| advisers.contains(&p)),
                    );
                    let named: BTreeSet<String> = r
                        .fields
                        .get(wp::F_RESPONSIBLE)
                        .into_iter()
                        .flat_map(|f| f.writes().map(|w| w.value.to_string()))
                        .collect();
                    // Someone of a school is never named: the server checks the role.
                    assert!(
                        !kinds::addressee(r).is_some_and(|p| self.outsiders().contains(&p)),
                        "a work item names someone of a school responsible"
                    );
                    count(
                        "work items given to another responsible person".into(),
                        named.len() > 1,
                    );
                    count(
                        "work items reported on by the mentor or curator responsible".into(),
                        [wp::F_STATUS, wp::F_REPORT, wp::F_EVIDENCE]
                            .iter()
                            .any(|n| {
                                r.fields.get(*n).is_some_and(|f| {
                                    f.writes().any(|w| advisers_devices.contains(&w.hlc.device))
                                })
                            }),
                    );
                    count(
                        "work items with documents as evidence".into(),
                        !wp::documents(r).is_empty(),
                    );
                    count(
                        "work items with figures of linked records".into(),
                        !wp::figures(r, &all).is_empty(),
                    );
                }
                ind::KIND => {
                    count("indicator values entered".into(), has(ind::F_VALUE));
                    count("indicator values with a source".into(), has(ind::F_SOURCE));
                }
                rec::RECOMMENDATION_KIND => {
                    count(
                        "recommendations acknowledged by the school".into(),
                        has(rec::F_ACK_BY),
                    );
                    count(
                        "recommendations made into a programme measure".into(),
                        has(rec::F_MEASURE),
                    );
                }
                _ => {}
            }
            if SUPPORT_KINDS[..4].contains(&r.kind.as_str()) {
                count(
                    "programme parts with an adviser's comment".into(),
                    has(prog::F_COMMENT),
                );
            }
        }
        // Hostile writes per support kind (`check_edits` has seen each of them refused).
        let watched: Vec<&str> = SUPPORT_KINDS
            .iter()
            .chain(&WORKPLAN_KINDS)
            .chain(&HEAD_ONLY_KINDS)
            .chain(&PRACTICE_KINDS)
            .copied()
            .collect();
        for kind in &watched {
            out.insert(format!("hostile writes to {kind} refused"), 0);
        }
        for ((d, seq), e) in &self.edits {
            if e.expect == Expect::Refused
                && watched.contains(&e.change.kind.as_str())
                && self.refused(*d, *seq).is_some()
            {
                *out.entry(format!("hostile writes to {} refused", e.change.kind))
                    .or_default() += 1;
            }
        }
        out
    }

    /// Nothing applied twice, nothing anonymous logged, every change logged for someone but
    /// late edits to a record that stays gone, and the keys on file beside each record are its
    /// audience.
    fn check_server(&mut self) -> Result<(), String> {
        let server = &self.server;
        let mut filed_for_nobody = 0;
        // A change to a record that stays gone may be filed in two: what won for the readers,
        // what lost for nobody, with the same clock value and no field in both.
        let mut rows: HashMap<(&DeviceId, u64), Vec<&Entry>> = HashMap::new();
        for e in server.log.iter().filter(|e| e.device_seq > 0) {
            rows.entry((&e.device, e.device_seq)).or_default().push(e);
        }
        for ((device, seq), rows) in &rows {
            let halves = |a: &Entry, b: &Entry| {
                !a.keys.is_empty()
                    && b.keys.is_empty()
                    && a.change.hlc == b.change.hlc
                    && a.change.record == b.change.record
                    && b.change
                        .fields
                        .keys()
                        .all(|n| !a.change.fields.contains_key(n))
            };
            let once = match rows.as_slice() {
                [_] => true,
                [a, b] => halves(a, b) || halves(b, a),
                _ => false,
            };
            if !once {
                return Err(format!(
                    "mutation {seq} of device {} applied twice",
                    device.as_str()
                ));
            }
        }
        for e in &server.log {
            if kinds::spec(&e.change.kind).is_none_or(|s| s.anonymous) {
                return Err(format!("{} logged", e.change.kind));
            }
            // What is filed for nobody lost to a later write of each of its fields, on a
            // record deleted: no deletion, no value.
            let r = &server.records[&e.change.record];
            let lost = |name: &String| {
                name != DELETED && r.fields.get(name).is_some_and(|f| f.hlc > e.change.hlc)
            };
            if e.keys.is_empty()
                && !(r.fields.contains_key(DELETED) && e.change.fields.keys().all(lost))
            {
                return Err(format!("a change of {} logged for nobody", e.change.record));
            }
            if e.keys.is_empty() {
                filed_for_nobody += 1;
            }
        }
        for (id, r) in &server.records {
            let parent = r.parent.and_then(|p| server.records.get(&p));
            let audience = kinds::audience(r, parent);
            if server.keys.get(id) != Some(&audience) {
                return Err(format!(
                    "{} {id} is filed under {:?}, its audience is {audience:?}",
                    r.kind,
                    server.keys.get(id)
                ));
            }
        }
        self.stats.filed_for_nobody = filed_for_nobody;
        Ok(())
    }

    fn refused(&self, d: usize, seq: u64) -> Option<&Refused> {
        self.devices[d]
            .durable
            .refused
            .iter()
            .find(|r| r.mutation.seq == seq)
    }

    /// Zero loss: every edit is refused and shown, or on the server and on every device of
    /// every person who may read it; hostile writes are refused, far-ahead ones re-stamped.
    fn check_edits(&mut self) -> Result<(), String> {
        let server = &self.server;
        let (mut hostile_refused, mut refused_honest) = (0, 0);
        for ((d, seq), e) in &self.edits {
            let what = || {
                format!(
                    "device {d} ({:?}) seq {seq}{}: {} {} {:?}",
                    self.person(*d),
                    if e.restamped { " (re-stamped)" } else { "" },
                    e.change.kind,
                    e.change.record,
                    e.change.fields
                )
            };
            let refused = self.refused(*d, *seq);
            match (e.expect, refused) {
                (Expect::Refused, Some(_)) => hostile_refused += 1,
                (Expect::Refused, None) => {
                    return Err(format!("a hostile write was accepted: {}", what()));
                }
                (Expect::Restamped, Some(r)) => {
                    return Err(format!(
                        "a far-ahead write was refused ({}): {}",
                        r.message,
                        what()
                    ));
                }
                (Expect::Restamped, None) if !e.restamped => {
                    return Err(format!("a far-ahead write was not re-stamped: {}", what()));
                }
                (Expect::Any, Some(r)) => {
                    refused_honest += 1;
                    if self.trace {
                        eprintln!(
                            "refused {:?} {}: {}",
                            self.person(*d),
                            e.change.kind,
                            r.message
                        );
                    }
                }
                _ => {}
            }
            let c = &e.change;
            if refused.is_some() {
                continue;
            }
            let anonymous = kinds::spec(&c.kind).is_some_and(|s| s.anonymous);
            let Some(r) = server.records.get(&c.record) else {
                return Err(format!("never reached the server: {}", what()));
            };
            // Every field written, with its value (and clock value, except anonymous answers,
            // which the server re-stamps with a clock of their own).
            // A write the field's history let go had as many newer ones kept (see
            // `model::record::KEPT_PER_DEVICE`): a field re-stamped many times.
            let let_go = |f: &model::record::FieldState| {
                let newer = |same: bool| {
                    f.writes()
                        .filter(|w| w.hlc > c.hlc && (!same || w.hlc.device == c.hlc.device))
                        .count()
                };
                newer(true) >= KEPT_PER_DEVICE || newer(false) >= KEPT_IN_ALL
            };
            let holds = |r: &Record, exact: bool| {
                c.fields.iter().all(|(name, value)| {
                    r.fields.get(name).is_some_and(|f| {
                        f.writes().any(|w| {
                            if exact && w.hlc != c.hlc {
                                return false;
                            }
                            if &w.value == value {
                                return true;
                            }
                            // A re-stamped deletion cannot have seen writes later than its new
                            // clock value: both ends bound it so.
                            if name == DELETED && e.restamped && w.value == bounded(value, &w.hlc) {
                                return true;
                            }
                            false
                        }) || (exact && let_go(f))
                    })
                })
            };
            if !holds(r, !anonymous) {
                return Err(format!(
                    "the server lost {} (clock {}): {:?}",
                    what(),
                    c.hlc,
                    r.fields
                ));
            }
            if anonymous {
                continue;
            }
            // What is still the record's value reaches every reader. What was replaced before
            // a reader could read it (a draft) does not: `check_devices` holds each device to
            // what was logged for its person.
            // Of a record that is gone, only its deletion (see `same_deletion`).
            let current = |mine: &Record| {
                c.fields.keys().all(|name| match r.fields.get(name) {
                    _ if r.is_gone() && name != DELETED => true,
                    Some(f) if f.hlc == c.hlc => mine
                        .fields
                        .get(name)
                        .is_some_and(|m| m.hlc == f.hlc && m.value == f.value),
                    _ => true,
                })
            };
            for (i, other) in self.devices.iter().enumerate() {
                let grants = server.actors[other.person].grants();
                let mine = other.durable.records.get(&c.record);
                if server.readable(&grants, r) && !mine.is_some_and(current) {
                    return Err(format!(
                        "device {i} lacks {} (clock {}); it holds {:?}, the server {:?}",
                        what(),
                        c.hlc,
                        mine.map(|m| &m.fields),
                        r.fields
                    ));
                }
            }
        }
        self.stats.hostile_refused = hostile_refused;
        self.stats.refused_honest = refused_honest;
        Ok(())
    }

    /// Convergence: each device holds exactly the records its person may read, with the
    /// server's values, besides those it keeps for a refused edit not yet dismissed; of their
    /// histories, only writes logged for its person, and (while the person's grants stayed the
    /// same) all of them; anonymous answers only on the devices that wrote them; nothing left
    /// to send, no pass unfinished.
    fn check_devices(&mut self) -> Result<(), String> {
        let server = &self.server;
        let mut gone_unseen = 0;
        let mut undecided_held = 0;
        let mut logged: HashMap<Uuid, Vec<&Entry>> = HashMap::new();
        for e in &server.log {
            logged.entry(e.change.record).or_default().push(e);
        }
        for (i, dev) in self.devices.iter().enumerate() {
            let actor = &server.actors[dev.person];
            let grants = actor.grants();
            let d = &dev.durable;
            if !d.outbox.is_empty() {
                return Err(format!(
                    "device {i} still has {} unsent edits",
                    d.outbox.len()
                ));
            }
            if d.state.scopes_key != actor.grants_key() || d.state.pass.is_some() {
                return Err(format!("device {i} did not finish receiving its grants"));
            }
            // Every record awaiting a decision is listed, for the app to show.
            let undecided = d.state.undecided.clone().unwrap_or_default();
            for r in d.records.values().filter(|r| r.deletion_conflict()) {
                if !undecided.contains(&r.id) {
                    return Err(format!(
                        "device {i} does not list {} {} as awaiting a decision",
                        r.kind, r.id
                    ));
                }
                undecided_held += 1;
            }
            for (id, r) in &server.records {
                let anonymous = kinds::spec(&r.kind).is_some_and(|s| s.anonymous);
                if anonymous || !server.readable(&grants, r) {
                    continue;
                }
                let expected = as_device_sees(r);
                let Some(mine) = d
                    .records
                    .get(id)
                    .filter(|mine| same_values(mine, &expected) || same_deletion(mine, &expected))
                else {
                    return Err(differs(i, id, d.records.get(id), &expected));
                };
                if r.is_gone() && mine.fields.len() < r.fields.len() {
                    gone_unseen += 1;
                }
                let entries = logged.get(id).map(Vec::as_slice).unwrap_or_default();
                // Its own late edits to a record that stayed gone it holds, logged for nobody.
                let own = |e: &Entry| e.keys.is_empty() && e.device == d.state.device;
                let allowed: BTreeSet<(&str, &Hlc)> = entries
                    .iter()
                    .filter(|e| own(e) || e.keys.iter().any(|k| dev.ever_keys.contains(k)))
                    .flat_map(|e| e.change.fields.keys().map(|n| (n.as_str(), &e.change.hlc)))
                    .collect();
                for (name, f) in &mine.fields {
                    if let Some(w) = f.writes().find(|w| !allowed.contains(&(name, &w.hlc))) {
                        return Err(format!(
                            "device {i} ({:?}) holds {name} {} of {} {id}, never logged for it",
                            self.person(i),
                            w.hlc,
                            r.kind
                        ));
                    }
                }
                if let Some(name) = school_sees_a_draft(r, mine, &dev.ever_keys) {
                    return Err(format!(
                        "device {i} ({:?}) holds a draft of {name} of recommendation {id}",
                        self.person(i)
                    ));
                }
                if dev.regranted {
                    continue;
                }
                let mut folded: Option<Record> = None;
                for e in entries
                    .iter()
                    .filter(|e| own(e) || e.keys.iter().any(|k| grants.contains(k)))
                {
                    e.change
                        .apply_to(folded.get_or_insert_with(|| e.change.new_record()));
                }
                if folded.as_ref() != Some(mine) {
                    return Err(format!(
                        "not what was logged for it: {}",
                        differs(i, id, Some(mine), folded.as_ref().unwrap_or(&expected))
                    ));
                }
            }
            let pending: BTreeSet<Uuid> =
                d.refused.iter().map(|r| r.mutation.change.record).collect();
            for (id, r) in &d.records {
                if kinds::spec(&r.kind).is_some_and(|s| s.anonymous) {
                    if !self.anonymous_written.contains(&(i, *id)) {
                        return Err(format!("device {i} holds another's anonymous record {id}"));
                    }
                    continue;
                }
                let readable = server
                    .records
                    .get(id)
                    .is_some_and(|s| server.readable(&grants, s));
                if readable || pending.contains(id) {
                    continue;
                }
                return Err(format!(
                    "device {i} ({:?}) holds {} {id} it may not read",
                    self.person(i),
                    r.kind
                ));
            }
        }
        self.stats.gone_unseen = gone_unseen;
        self.stats.undecided = undecided_held;
        Ok(())
    }
}

/// The server's copy as a device holds it: devices never learn a record's owner.
fn as_device_sees(r: &Record) -> Record {
    let mut r = r.clone();
    r.owner = None;
    r
}

/// A school's team reads a recommendation once it is sent, as it was sent: of the fields only
/// the mentors write, none of the drafts before it (a field with a history). Which field shows
/// one on a device that never read as an adviser or the centre.
fn school_sees_a_draft(r: &Record, mine: &Record, ever: &BTreeSet<ReadKey>) -> Option<String> {
    use forms::recommendation as rec;
    let Scope::School(s) = r.scope else {
        return None;
    };
    if r.kind != rec::RECOMMENDATION_KIND
        || [ReadKey::Advisers(s), ReadKey::Centre]
            .iter()
            .any(|k| ever.contains(k))
    {
        return None;
    }
    let school = [rec::F_ACK, rec::F_ACK_BY, rec::F_ACK_ON, rec::F_MEASURE];
    mine.fields
        .iter()
        .find(|(name, f)| !school.contains(&name.as_str()) && !f.history.is_empty())
        .map(|(name, _)| name.clone())
}

/// Of a record that is gone (deleted, nothing to decide), a reader who began to read it
/// afterwards holds the deletion alone, and the values written since: the same deletion, and
/// each value it holds the server's.
fn same_deletion(mine: &Record, server: &Record) -> bool {
    let deletion = |r: &Record| {
        r.fields
            .get(DELETED)
            .map(|f| (f.hlc.clone(), f.value.clone()))
    };
    server.is_gone()
        && mine.is_gone()
        && deletion(mine) == deletion(server)
        && held_values_agree(mine, server)
}

/// The same record with the same values, each from the same write (histories aside).
fn same_values(mine: &Record, server: &Record) -> bool {
    mine.fields.len() == server.fields.len() && held_values_agree(mine, server)
}

/// The same record, and each value the device holds from the same write as the server's.
fn held_values_agree(mine: &Record, server: &Record) -> bool {
    (&mine.id, &mine.kind, &mine.scope, &mine.parent, &mine.owner)
        == (
            &server.id,
            &server.kind,
            &server.scope,
            &server.parent,
            &server.owner,
        )
        && mine.fields.iter().all(|(name, m)| {
            server
                .fields
                .get(name)
                .is_some_and(|s| (&m.hlc, &m.value) == (&s.hlc, &s.value))
        })
}

/// A deletion's value bounded by its clock value, as both ends store a re-stamped deletion.
fn bounded(value: &Value, hlc: &Hlc) -> Value {
    let mut value = value.clone();
    model::record::bound_deletion(&mut value, hlc);
    value
}

/// Which writes differ between a device's copy of a record and the server's.
fn differs(device: usize, id: &Uuid, mine: Option<&Record>, server: &Record) -> String {
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
    let (a, b) = (writes(mine), writes(Some(server)));
    format!(
        "device {device} differs from the server on {} {id} (held: {}): only on the device {:?}, \
         only on the server {:?}",
        server.kind,
        mine.is_some(),
        a.difference(&b).collect::<Vec<_>>(),
        b.difference(&a).collect::<Vec<_>>()
    )
}

fn run(seed: u64) -> Result<Stats, String> {
    let mut world = World::new(seed)?;
    let steps = 500 + world.rng.below(1000);
    for n in 0..steps {
        world.step(n);
        if let Some(v) = world.violation.take() {
            return Err(v);
        }
    }
    world.settle()?;
    world.check()?;
    Ok(world.stats)
}

#[test]
fn sync_keeps_the_trust_model_under_faults() {
    if let Ok(seed) = std::env::var("SIM_SEED") {
        let seed: u64 = seed.parse().expect("SIM_SEED is a number");
        match run(seed) {
            Ok(stats) => {
                for (what, n) in stats.counts() {
                    eprintln!("{what}: {n}");
                }
            }
            Err(e) => panic!("seed {seed}: {e}"),
        }
        return;
    }
    let seeds: u64 = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let keep_going = std::env::var("SIM_KEEP_GOING").is_ok();
    let mut failed = 0;
    let mut total = Stats::default();
    for seed in 0..seeds {
        let message = match std::panic::catch_unwind(|| run(seed)) {
            Ok(Ok(stats)) => {
                total.add(&stats);
                continue;
            }
            Ok(Err(e)) => format!("seed {seed} failed: {e}"),
            Err(_) => format!("seed {seed} panicked"),
        };
        if !keep_going {
            panic!("{message}\nreplay: SIM_SEED={seed} cargo test -p model --test sim");
        }
        eprintln!("{message}");
        failed += 1;
    }
    assert_eq!(failed, 0, "{failed} seeds failed");
    let counts = total.counts();
    let line: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    eprintln!("simulated {seeds} seeds: {}", line.join(", "));
    // The rarest paths (a late edit to a file deleted elsewhere: a few in a thousand seeds)
    // are required of runs as long as the default's half; shorter runs only print the counts.
    if seeds >= 1_000 {
        for (what, n) in counts {
            assert!(n > 0, "the simulation never exercised {what}");
        }
    }
}
