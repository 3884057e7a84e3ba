//! The access matrix, generated from the kinds' declarations: every role × every kind ×
//! the person's own school / a school assigned to them / a foreign school (or the centre, for
//! the centre's kinds) × read / create / edit. The expected answer of each cell is worked out
//! from `model::kinds` (read keys against grants; the id rule, the create and field rules and
//! the kind's checks); the real server is then asked over HTTP — reads through a full sync of
//! a fresh device and through `GET /api/records/{id}`, writes through sync (every write goes
//! through sync) — and the test prints the matrix and fails on any cell that differs.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use common::{Device, TestApp};
use model::access::Actor;
use model::forms::{self, Template};
use model::hlc::DeviceId;
use model::kinds::{self, Ctx, IdRule, KindSpec, Lookup};
use model::record::{Record, Scope};
use model::support::programme as prog;
use model::support::{consultation, visit};
use model::sync::Change;
use model::sync::client::DeviceState;
use model::workplan::{self as wp, indicators as ind};
use model::{NewUser, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::Db;
use uuid::Uuid;

/// A small form everybody may be sent, filled per person.
const PERSON_FORM: &str = r#"{"code": "matrix_person", "version": 1, "title": "Анкета",
  "respondent": "person", "audience": ["school_team", "teacher", "mentor", "curator", "head", "moderator"],
  "sections": [{"id": "s", "title": "Раздел", "questions": [
    {"id": "q1", "text": "Вопрос", "type": "text", "required": true}]}]}"#;
/// A small form filled once per school by its management team.
const SCHOOL_FORM: &str = r#"{"code": "matrix_school", "version": 1, "title": "Карточка",
  "respondent": "school", "audience": ["school_team"],
  "sections": [{"id": "s", "title": "Раздел", "questions": [
    {"id": "q1", "text": "Вопрос", "type": "text", "required": true}]}]}"#;

/// The year of the sample programme (edited in its text), and of the one given a verdict.
const PROGRAMME_YEAR: i64 = 2030;
const VERDICT_YEAR: i64 = 2031;
/// The school year of the sample plan of work and the year of the indicator's value.
const WORK_YEAR: i64 = 2030;

/// The version a form is sent in: the matrix forms are the test's own, the others built in.
fn version_of(code: &str) -> u32 {
    match code {
        "matrix_person" | "matrix_school" => 1,
        built_in => builtin(built_in).0.version,
    }
}

fn builtin(name: &str) -> (Template, forms::Key) {
    let path = format!("{}/../templates/{name}.json", env!("CARGO_MANIFEST_DIR"));
    Template::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The rows of the matrix: a kind, in the state that matters for who reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Row {
    Profile,
    Template,
    Campaign,
    SchoolResponse,
    PersonalResponse,
    Anonymous,
    TestResult,
    Review,
    DraftRecommendation,
    SentRecommendation,
    /// A sent recommendation, edited with the school's answer (acknowledged).
    AnsweredRecommendation,
    PlanItem,
    /// The programme of a year, edited in its text.
    Programme,
    /// The programme of another year, given the presentation's date and the verdict.
    ProgrammeVerdict,
    ProgrammeSection,
    /// Edited with a quarterly actual (the school's).
    ProgrammeIndicator,
    /// Edited with an adviser's comment.
    ProgrammeMeasure,
    /// A request to the school's advisers, edited in its topic (the school's, while new).
    Consultation,
    /// A request addressed to the mentor, edited with an agreed date (the specialists').
    AddressedConsultation,
    Visit,
    /// An item of the centre's plan of work with nobody responsible, edited in its content.
    WorkItem,
    /// An item the mentor is responsible for, edited with their report (status, text,
    /// documents).
    AddressedWorkItem,
    /// An item naming a teacher responsible (the field takes any person's id; only a mentor,
    /// curator or the head reports), edited with a report.
    IndicatorValue,
}

impl Row {
    const ALL: [Row; 23] = [
        Row::Profile,
        Row::Template,
        Row::Campaign,
        Row::SchoolResponse,
        Row::PersonalResponse,
        Row::Anonymous,
        Row::TestResult,
        Row::Review,
        Row::DraftRecommendation,
        Row::SentRecommendation,
        Row::AnsweredRecommendation,
        Row::PlanItem,
        Row::Programme,
        Row::ProgrammeVerdict,
        Row::ProgrammeSection,
        Row::ProgrammeIndicator,
        Row::ProgrammeMeasure,
        Row::Consultation,
        Row::AddressedConsultation,
        Row::Visit,
        Row::WorkItem,
        Row::AddressedWorkItem,
        Row::IndicatorValue,
    ];

    fn label(self) -> &'static str {
        match self {
            Row::Profile => "school_profile",
            Row::Template => "form_template",
            Row::Campaign => "campaign",
            Row::SchoolResponse => "response (school)",
            Row::PersonalResponse => "response (personal)",
            Row::Anonymous => "anonymous_response",
            Row::TestResult => "test_result",
            Row::Review => "review",
            Row::DraftRecommendation => "recommendation (draft)",
            Row::SentRecommendation => "recommendation (sent)",
            Row::AnsweredRecommendation => "recommendation (ack)",
            Row::PlanItem => "plan_item",
            Row::Programme => "programme",
            Row::ProgrammeVerdict => "programme (verdict)",
            Row::ProgrammeSection => "programme_section",
            Row::ProgrammeIndicator => "programme_indicator (q1)",
            Row::ProgrammeMeasure => "programme_measure (comment)",
            Row::Consultation => "consultation",
            Row::AddressedConsultation => "consultation (addressed)",
            Row::Visit => "visit",
            Row::WorkItem => "work_item",
            Row::AddressedWorkItem => "work_item (mentor's)",
            Row::IndicatorValue => "indicator_value",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Row::Profile => kinds::school_profile::KIND,
            Row::Template => forms::TEMPLATE_KIND,
            Row::Campaign => forms::CAMPAIGN_KIND,
            Row::SchoolResponse | Row::PersonalResponse => forms::RESPONSE_KIND,
            Row::Anonymous => kinds::anonymous_response::KIND,
            Row::TestResult => forms::RESULT_KIND,
            Row::Review => forms::review::REVIEW_KIND,
            Row::DraftRecommendation | Row::SentRecommendation | Row::AnsweredRecommendation => {
                forms::recommendation::RECOMMENDATION_KIND
            }
            Row::PlanItem => forms::plan::PLAN_ITEM_KIND,
            Row::Programme | Row::ProgrammeVerdict => prog::PROGRAMME_KIND,
            Row::ProgrammeSection => prog::SECTION_KIND,
            Row::ProgrammeIndicator => prog::INDICATOR_KIND,
            Row::ProgrammeMeasure => prog::MEASURE_KIND,
            Row::Consultation | Row::AddressedConsultation => consultation::KIND,
            Row::Visit => visit::KIND,
            Row::WorkItem | Row::AddressedWorkItem => wp::KIND,
            Row::IndicatorValue => ind::KIND,
        }
    }

    /// Kinds of the centre have one place, not a school.
    fn in_centre(self) -> bool {
        matches!(
            self,
            Row::Template
                | Row::Campaign
                | Row::Anonymous
                | Row::WorkItem
                | Row::AddressedWorkItem
                | Row::IndicatorValue
        )
    }
}

/// Where a record is: school A (the people's own or assigned school), school B (foreign to
/// all but the head), or the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Place {
    A,
    B,
    Centre,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Op {
    Read,
    Create,
    Edit,
}

/// The people of the matrix, one per role, with their sessions.
struct Person {
    role: Role,
    token: String,
    actor: Actor,
}

/// What the server holds that the declarations need (templates with their keys).
struct Known {
    templates: HashMap<(String, u32), (Arc<Template>, Arc<forms::Key>)>,
    db: Db,
    /// The role of every account of the world.
    roles: HashMap<Uuid, model::Role>,
}

impl Lookup for Known {
    fn template(&self, code: &str, version: u32) -> Option<Arc<Template>> {
        self.templates
            .get(&(code.to_owned(), version))
            .map(|t| t.0.clone())
    }
    fn answer_key(&self, code: &str, version: u32) -> Option<Arc<forms::Key>> {
        self.templates
            .get(&(code.to_owned(), version))
            .map(|t| t.1.clone())
    }
    fn anonymous_id(&self, campaign: Uuid, user: Uuid) -> Option<Uuid> {
        Some(self.db.anonymous_id(campaign, user))
    }
    fn role_of(&self, user: Uuid) -> Option<model::Role> {
        self.roles.get(&user).copied()
    }
}

/// One world: two schools, a person of every role (and the colleagues who wrote the samples),
/// campaigns, and a sample record of every row in every place.
struct World {
    app: TestApp,
    schools: [Uuid; 2],
    people: Vec<Person>,
    /// Sample records by row and place (their ids; the records are read back from the server).
    samples: BTreeMap<(Row, Place), Uuid>,
    campaigns: BTreeMap<&'static str, Uuid>,
    known: Known,
    /// Devices made so far (each gets an id of its own).
    next_device: u64,
}

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| server::auth::hash_password(server::demo::DEMO_PASSWORD).unwrap())
}

impl World {
    /// A world with every sample but those of `skip` (so that a create of that row is a
    /// create, not an edit).
    async fn new(skip: Option<Row>) -> World {
        let app = TestApp::start_empty().await;
        let db = app.db().await;
        let mut schools = [Uuid::nil(); 2];
        for (i, name) in ["МБОУ СОШ № 1 (А)", "МБОУ СОШ № 2 (Б)"].iter().enumerate()
        {
            schools[i] = common::insert_school(&db, name).await;
        }
        let [a, b] = schools;
        // (login, role, school, assigned): one person per role, and the colleagues who wrote
        // the samples (a second leader of A, a leader of B).
        let accounts: [(&str, Role, Option<Uuid>, &[Uuid]); 8] = [
            ("m.head", Role::Head, None, &[]),
            ("m.moderator", Role::Moderator, None, &[]),
            ("m.team", Role::SchoolTeam, Some(a), &[]),
            ("m.teacher", Role::Teacher, Some(a), &[]),
            ("m.mentor", Role::Mentor, None, &[a]),
            ("m.curator", Role::Curator, None, &[a]),
            ("m.colleague", Role::SchoolTeam, Some(a), &[]),
            ("m.teamb", Role::SchoolTeam, Some(b), &[]),
        ];
        let mut sessions = HashMap::new();
        for (login, role, school, assigned) in accounts {
            let user = NewUser {
                login: login.into(),
                full_name: format!("Участник {login}"),
                role,
                school_id: school,
                password: server::demo::DEMO_PASSWORD.into(),
            }
            .validated()
            .unwrap();
            let profile = db
                .insert_user(&user, password_hash())
                .await
                .unwrap()
                .unwrap();
            for s in assigned {
                db.assign(profile.id, *s).await.unwrap();
            }
            let session = app.login(login).await;
            let actor = db.actor(&session.profile).await.unwrap();
            sessions.insert(login, (role, session.token, actor));
        }
        let mut known = Known {
            templates: HashMap::new(),
            db,
            roles: sessions
                .values()
                .map(|(role, _, actor)| (actor.user_id, *role))
                .collect(),
        };
        for json in [PERSON_FORM.to_owned(), SCHOOL_FORM.to_owned()] {
            let (t, key) = Template::parse(&json).unwrap();
            let head = &sessions["m.head"].1;
            let res = app
                .http
                .post(format!("{}/api/templates", app.base))
                .bearer_auth(head)
                .header("content-type", "application/json")
                .body(json)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            known
                .templates
                .insert((t.code.clone(), t.version), (Arc::new(t), Arc::new(key)));
        }
        for name in ["leader_test", "survey_mentor_satisfaction"] {
            let (t, key) = builtin(name);
            known
                .templates
                .insert((t.code.clone(), t.version), (Arc::new(t), Arc::new(key)));
        }
        let mut world = World {
            app,
            schools,
            people: Vec::new(),
            samples: BTreeMap::new(),
            campaigns: BTreeMap::new(),
            known,
            next_device: 1,
        };
        // The head sends the forms.
        for (name, code, roles) in [
            ("person", "matrix_person", json!(Role::ALL)),
            ("school", "matrix_school", json!(["school_team"])),
            ("review", "matrix_school", json!(["school_team"])),
            ("test", "leader_test", json!(["school_team"])),
            (
                "anonymous",
                "survey_mentor_satisfaction",
                json!(["school_team", "teacher", "mentor", "curator"]),
            ),
        ] {
            let id = Uuid::now_v7();
            let head = sessions["m.head"].1.clone();
            world
                .write(
                    &head,
                    id,
                    forms::CAMPAIGN_KIND,
                    Scope::Centre,
                    None,
                    json!({"title": name, "template": code, "version": version_of(code),
                           "deadline": "2030-01-31", "schools": [a, b], "roles": roles}),
                )
                .await;
            world.campaigns.insert(name, id);
        }
        world
            .samples
            .insert((Row::Campaign, Place::Centre), world.campaigns["school"]);
        world.samples.insert(
            (Row::Template, Place::Centre),
            forms::template_id("matrix_school", 1),
        );

        // The samples, written by the people whose they are.
        let tok = |login: &str| sessions[login].1.clone();
        let id_of = |login: &str| sessions[login].2.user_id;
        for (place, school, leader, colleague_or_leader, writer) in [
            (Place::A, a, "m.team", "m.colleague", "m.mentor"),
            (Place::B, b, "m.teamb", "m.teamb", "m.head"),
        ] {
            let scope = Scope::School(school);
            if skip != Some(Row::Profile) {
                let id = kinds::school_profile::id(school);
                world
                    .write(
                        &tok(leader),
                        id,
                        kinds::school_profile::KIND,
                        scope.clone(),
                        None,
                        json!({"note": "паспорт"}),
                    )
                    .await;
                world.samples.insert((Row::Profile, place), id);
            }
            // A draft card of the school.
            if skip != Some(Row::SchoolResponse) {
                let id = forms::response_id(world.campaigns["school"], &scope);
                world
                    .write(&tok(leader), id, forms::RESPONSE_KIND, scope.clone(), None,
                        json!({"campaign": world.campaigns["school"], "template": "matrix_school", "version": 1, "a.q1": "ответ"}))
                    .await;
                world.samples.insert((Row::SchoolResponse, place), id);
            }
            // A colleague's personal answer.
            if skip != Some(Row::PersonalResponse) {
                let id = forms::response_id(
                    world.campaigns["person"],
                    &Scope::Person(id_of(colleague_or_leader)),
                );
                world
                    .write(&tok(colleague_or_leader), id, forms::RESPONSE_KIND, scope.clone(), None,
                        json!({"campaign": world.campaigns["person"], "template": "matrix_person", "version": 1, "a.q1": "личный ответ"}))
                    .await;
                world.samples.insert((Row::PersonalResponse, place), id);
            }
            // A submitted card to review (a campaign of its own).
            let reviewed = forms::response_id(world.campaigns["review"], &scope);
            world
                .write(&tok(leader), reviewed, forms::RESPONSE_KIND, scope.clone(), None,
                    json!({"campaign": world.campaigns["review"], "template": "matrix_school", "version": 1,
                           "a.q1": "ответ", "status": "submitted"}))
                .await;
            if skip != Some(Row::Review) {
                let id = forms::review::review_id(reviewed, 1);
                world
                    .write(
                        &tok(writer),
                        id,
                        forms::review::REVIEW_KIND,
                        scope.clone(),
                        Some(reviewed),
                        json!({"round": 1, "c.q1": "замечание"}),
                    )
                    .await;
                world.samples.insert((Row::Review, place), id);
            }
            // A colleague's submitted leader test, its result and a plan item.
            let (t, _) = builtin("leader_test");
            let test = forms::response_id(
                world.campaigns["test"],
                &Scope::Person(id_of(colleague_or_leader)),
            );
            let mut fields = serde_json::Map::new();
            fields.insert("campaign".into(), json!(world.campaigns["test"]));
            fields.insert("template".into(), json!("leader_test"));
            fields.insert("version".into(), json!(version_of("leader_test")));
            for q in t.questions() {
                if let forms::Kind::Single { options } | forms::Kind::Multiple { options, .. } =
                    &q.kind
                {
                    let v = if matches!(q.kind, forms::Kind::Single { .. }) {
                        json!(options[0].id)
                    } else {
                        json!([options[0].id])
                    };
                    fields.insert(forms::answer_field(&q.id), v);
                }
            }
            fields.insert("status".into(), json!("submitted"));
            world
                .write(
                    &tok(colleague_or_leader),
                    test,
                    forms::RESPONSE_KIND,
                    scope.clone(),
                    None,
                    Value::Object(fields),
                )
                .await;
            world
                .samples
                .insert((Row::TestResult, place), forms::result_id(test));
            if skip != Some(Row::PlanItem) {
                let id = Uuid::now_v7();
                world
                    .write(
                        &tok(writer),
                        id,
                        forms::plan::PLAN_ITEM_KIND,
                        scope.clone(),
                        Some(test),
                        json!({"area": "law", "measure_kind": "methodical", "measure": "Семинар"}),
                    )
                    .await;
                world.samples.insert((Row::PlanItem, place), id);
            }
            for (row, state) in [
                (Row::DraftRecommendation, "draft"),
                (Row::SentRecommendation, "sent"),
                (Row::AnsweredRecommendation, "sent"),
            ] {
                let id = Uuid::now_v7();
                world
                    .write(
                        &tok(writer),
                        id,
                        forms::recommendation::RECOMMENDATION_KIND,
                        scope.clone(),
                        None,
                        json!({"title": "Рекомендации", "text": "Текст", "state": state}),
                    )
                    .await;
                world.samples.insert((row, place), id);
            }
            world
                .support_samples(
                    skip,
                    place,
                    scope.clone(),
                    [leader, writer, colleague_or_leader],
                    id_of("m.mentor"),
                    &tok,
                )
                .await;
        }
        // The centre's plan of work (an item with nobody responsible, one the mentor is
        // responsible for, one naming a teacher) and an indicator's value, by the head.
        let head = tok("m.head");
        for (row, addressee) in [
            (Row::WorkItem, None),
            (Row::AddressedWorkItem, Some(id_of("m.mentor"))),
        ] {
            if skip != Some(row) {
                let id = Uuid::now_v7();
                let mut fields = json!({"year": WORK_YEAR, "direction": "consulting",
                    "content": "Семинар для руководителей", "period": "months", "months": [10, 11],
                    "place": "УО", "status": "planned", "link": "consultations"});
                if let Some(a) = addressee {
                    fields["addressee"] = json!(a);
                }
                world
                    .write(&head, id, wp::KIND, Scope::Centre, None, fields)
                    .await;
                world.samples.insert((row, Place::Centre), id);
            }
        }
        if skip != Some(Row::IndicatorValue) {
            let id = ind::value_id("reserve_appointed", WORK_YEAR);
            world
                .write(
                    &head,
                    id,
                    ind::KIND,
                    Scope::Centre,
                    None,
                    json!({"code": "reserve_appointed", "year": WORK_YEAR, "value": 12.5,
                           "source": "Приказ УО № 5"}),
                )
                .await;
            world
                .samples
                .insert((Row::IndicatorValue, Place::Centre), id);
        }
        // A teacher's anonymous answer.
        let teacher = &sessions["m.teacher"];
        let anon = world
            .known
            .db
            .anonymous_id(world.campaigns["anonymous"], teacher.2.user_id);
        if skip != Some(Row::Anonymous) {
            let mut f = serde_json::Map::new();
            f.insert("campaign".into(), json!(world.campaigns["anonymous"]));
            f.insert("template".into(), json!("survey_mentor_satisfaction"));
            f.insert(
                "version".into(),
                json!(version_of("survey_mentor_satisfaction")),
            );
            f.insert("a.comfort".into(), json!(8));
            world
                .write(
                    &teacher.1.clone(),
                    anon,
                    kinds::anonymous_response::KIND,
                    Scope::Centre,
                    None,
                    Value::Object(f),
                )
                .await;
            world.samples.insert((Row::Anonymous, Place::Centre), anon);
        }
        for login in [
            "m.head",
            "m.moderator",
            "m.team",
            "m.teacher",
            "m.mentor",
            "m.curator",
        ] {
            let (role, token, actor) = sessions.remove(login).unwrap();
            world.people.push(Person { role, token, actor });
        }
        world
    }

    /// The school's support at a place: its programme of a year with a section, an indicator
    /// and a measure (the team and its adviser write them), the programme of another year with
    /// the head's verdict, a request to the school's advisers and one addressed to the mentor
    /// (by the leader's colleague), and a visit of the adviser.
    async fn support_samples(
        &mut self,
        skip: Option<Row>,
        place: Place,
        scope: Scope,
        [leader, writer, colleague]: [&str; 3],
        mentor: Uuid,
        tok: &impl Fn(&str) -> String,
    ) {
        let Scope::School(school) = scope else {
            unreachable!("support records are a school's")
        };
        let wanted = |row: Row| skip != Some(row);
        let programme = prog::programme_id(school, PROGRAMME_YEAR);
        if wanted(Row::Programme) {
            self.write(
                &tok(leader),
                programme,
                prog::PROGRAMME_KIND,
                scope.clone(),
                None,
                json!({"year": PROGRAMME_YEAR, "title": "Антирисковая программа"}),
            )
            .await;
            self.samples.insert((Row::Programme, place), programme);
            let section = prog::section_id(programme, "staff_shortage");
            if wanted(Row::ProgrammeSection) {
                self.write(
                    &tok(writer),
                    section,
                    prog::SECTION_KIND,
                    scope.clone(),
                    Some(programme),
                    json!({"factor": "staff_shortage", "level": "high", "goal": "Укомплектовать штат"}),
                )
                .await;
                self.samples.insert((Row::ProgrammeSection, place), section);
                for (row, by, fields) in [
                    (
                        Row::ProgrammeIndicator,
                        leader,
                        json!({"name": "Доля вакансий", "unit": "%", "baseline": 12, "target": 4}),
                    ),
                    (
                        Row::ProgrammeMeasure,
                        writer,
                        json!({"content": "Целевое обучение", "support": "staff", "status": "planned"}),
                    ),
                ] {
                    if wanted(row) {
                        let id = Uuid::now_v7();
                        let kind = row.kind();
                        self.write(&tok(by), id, kind, scope.clone(), Some(section), fields)
                            .await;
                        self.samples.insert((row, place), id);
                    }
                }
            }
        }
        if wanted(Row::ProgrammeVerdict) {
            let id = prog::programme_id(school, VERDICT_YEAR);
            self.write(
                &tok("m.head"),
                id,
                prog::PROGRAMME_KIND,
                scope.clone(),
                None,
                json!({"year": VERDICT_YEAR, "title": "Программа", "presented_on": "2030-12-20",
                       "verdict": "revise"}),
            )
            .await;
            self.samples.insert((Row::ProgrammeVerdict, place), id);
        }
        for (row, addressee) in [
            (Row::Consultation, None),
            (Row::AddressedConsultation, Some(mentor)),
        ] {
            if wanted(row) {
                let id = Uuid::now_v7();
                let mut fields = json!({"topic": "ВСОКО", "question": "Как выстроить?",
                                        "format": "remote", "state": "new"});
                if let Some(a) = addressee {
                    fields["addressee"] = json!(a);
                }
                self.write(
                    &tok(colleague),
                    id,
                    consultation::KIND,
                    scope.clone(),
                    None,
                    fields,
                )
                .await;
                self.samples.insert((row, place), id);
            }
        }
        if wanted(Row::Visit) {
            let id = Uuid::now_v7();
            self.write(
                &tok(writer),
                id,
                visit::KIND,
                scope.clone(),
                None,
                json!({"type": "seminar", "date": "2030-02-01", "findings": "Справка"}),
            )
            .await;
            self.samples.insert((Row::Visit, place), id);
        }
    }

    fn device(&mut self, token: &str) -> Device {
        // Not `Device::new`, whose ids run out after 255 devices: the matrix makes more.
        self.next_device += 1;
        let id = (0xacce_55ed_u64 << 32) | self.next_device;
        Device {
            token: token.to_owned(),
            state: DeviceState::new(DeviceId::from_random(id.to_be_bytes())),
            records: HashMap::new(),
            outbox: Vec::new(),
            refused: Vec::new(),
        }
    }

    /// Writes through sync as a legitimate writer; must be accepted.
    async fn write(
        &mut self,
        token: &str,
        id: Uuid,
        kind: &str,
        scope: Scope,
        parent: Option<Uuid>,
        fields: Value,
    ) {
        let mut d = self.device(token);
        d.edit_child(id, kind, &scope, parent, fields);
        d.sync(&self.app).await;
        assert!(d.refused.is_empty(), "setting up {kind}: {:?}", d.refused);
    }

    /// Every record on the server, as the head's REST reads them (and the anonymous one as its
    /// author's device holds it).
    async fn record(&self, id: Uuid) -> Option<Record> {
        let head = &self.people[0].token;
        let res = self.app.record(head, id).await;
        (res.status() == StatusCode::OK).then_some(())?;
        Some(res.json().await.unwrap())
    }

    /// Every sample, campaign and parent as the server holds them (what the declarations see).
    async fn everything(&self) -> HashMap<Uuid, Record> {
        let mut records: HashMap<Uuid, Record> = HashMap::new();
        let mut ids: Vec<Uuid> = self.samples.values().copied().collect();
        ids.extend(self.campaigns.values().copied());
        for place in [Place::A, Place::B] {
            ids.push(forms::response_id(
                self.campaigns["review"],
                &self.scope(place),
            ));
        }
        for id in ids {
            if let Some(r) = self.record(id).await {
                if let Some(p) = r.parent
                    && let Some(pr) = self.record(p).await
                {
                    records.insert(pr.id, pr);
                }
                records.insert(r.id, r);
            }
        }
        records
    }

    fn scope(&self, place: Place) -> Scope {
        match place {
            Place::A => Scope::School(self.schools[0]),
            Place::B => Scope::School(self.schools[1]),
            Place::Centre => Scope::Centre,
        }
    }
}

/// The fields a person would write into a row (to create or to edit it).
fn fields_for(row: Row, w: &World, creating: bool) -> Value {
    match row {
        Row::Profile => json!({"note": "правка"}),
        Row::Template => json!({"title": "подделка"}),
        Row::Campaign if creating => {
            json!({"title": "Новая", "template": "matrix_person", "version": 1,
            "deadline": "2030-02-01", "schools": w.schools, "roles": ["teacher"]})
        }
        Row::Campaign => json!({"note": "правка"}),
        Row::SchoolResponse if creating => {
            json!({"campaign": w.campaigns["school"], "template": "matrix_school", "version": 1, "a.q1": "мой ответ"})
        }
        Row::PersonalResponse if creating => {
            json!({"campaign": w.campaigns["person"], "template": "matrix_person", "version": 1, "a.q1": "мой ответ"})
        }
        Row::SchoolResponse | Row::PersonalResponse => json!({"a.q1": "правка"}),
        Row::Anonymous => {
            json!({"campaign": w.campaigns["anonymous"], "template": "survey_mentor_satisfaction", "version": version_of("survey_mentor_satisfaction"), "a.comfort": 3})
        }
        Row::TestResult => json!({"areas": []}),
        Row::Review if creating => json!({"round": 1, "c.q1": "замечание"}),
        Row::Review => json!({"c.q1": "ещё замечание"}),
        Row::DraftRecommendation | Row::SentRecommendation | Row::AnsweredRecommendation
            if creating =>
        {
            json!({"title": "Мои рекомендации", "text": "Текст", "state": "draft"})
        }
        Row::DraftRecommendation | Row::SentRecommendation => json!({"text": "правка"}),
        Row::AnsweredRecommendation => json!({"acknowledged": true}),
        Row::PlanItem => json!({"measure": "Консультация"}),
        Row::Programme if creating => {
            json!({"year": PROGRAMME_YEAR, "title": "Новая программа"})
        }
        Row::Programme => json!({"title": "правка"}),
        Row::ProgrammeVerdict if creating => {
            json!({"year": VERDICT_YEAR, "title": "Программа", "presented_on": "2030-12-20",
                   "verdict": "approved"})
        }
        Row::ProgrammeVerdict => json!({"presented_on": "2030-12-21", "verdict": "approved"}),
        Row::ProgrammeSection if creating => json!({"factor": "parents", "goal": "Вовлечь"}),
        Row::ProgrammeSection => json!({"goal": "правка"}),
        Row::ProgrammeIndicator if creating => {
            json!({"name": "Родительские собрания", "baseline": 2, "target": 6})
        }
        Row::ProgrammeIndicator => json!({"q1": 10.5}),
        Row::ProgrammeMeasure if creating => {
            json!({"content": "Семинар", "support": "methodical", "status": "planned"})
        }
        Row::ProgrammeMeasure => json!({"comment": "Уточнить сроки"}),
        Row::Consultation if creating => {
            json!({"topic": "Мой запрос", "question": "Вопрос", "state": "new"})
        }
        Row::Consultation => json!({"topic": "уточнение"}),
        Row::AddressedConsultation if creating => {
            let mentor = w.people.iter().find(|p| p.role == Role::Mentor).unwrap();
            json!({"topic": "Мой запрос", "state": "new", "addressee": mentor.actor.user_id})
        }
        Row::AddressedConsultation => {
            json!({"state": "agreed", "meeting_on": "2030-02-10", "place": "каб. 5"})
        }
        Row::Visit if creating => {
            json!({"type": "lesson", "date": "2030-02-02", "subject": "Математика",
                   "observed": "Работа в группах"})
        }
        Row::Visit => json!({"findings": "правка"}),
        Row::WorkItem | Row::AddressedWorkItem if creating => {
            let mut f = json!({"year": WORK_YEAR, "direction": "project",
                               "content": "Новое мероприятие", "period": "month", "months": [3],
                               "status": "planned"});
            let named = match row {
                Row::AddressedWorkItem => Some(Role::Mentor),
                _ => None,
            };
            if let Some(role) = named {
                let p = w.people.iter().find(|p| p.role == role).unwrap();
                f["addressee"] = json!(p.actor.user_id);
            }
            f
        }
        Row::WorkItem => json!({"content": "правка"}),
        Row::AddressedWorkItem => {
            json!({"status": "done", "report": "Проведено",
                   "evidence": [{"kind": "order", "number": "12", "date": "2030-11-20",
                                 "title": "Об итогах семинара"}]})
        }
        Row::IndicatorValue if creating => {
            json!({"code": "reserve_projects", "year": WORK_YEAR + 1, "value": 40,
                   "source": "Отчёт УО"})
        }
        Row::IndicatorValue => json!({"value": 14.5, "source": "уточнено"}),
    }
}

/// The parent a new record of the row has at a place (the sample's parent there).
async fn parent_for(row: Row, place: Place, w: &World) -> Option<Uuid> {
    match row {
        Row::Review => {
            let scope = w.scope(place);
            Some(forms::response_id(w.campaigns["review"], &scope))
        }
        Row::PlanItem | Row::TestResult => {
            let result = w.samples.get(&(Row::TestResult, place))?;
            w.record(*result).await.and_then(|r| r.parent)
        }
        Row::ProgrammeSection => w.samples.get(&(Row::Programme, place)).copied(),
        Row::ProgrammeIndicator | Row::ProgrammeMeasure => {
            w.samples.get(&(Row::ProgrammeSection, place)).copied()
        }
        _ => None,
    }
}

/// The id a person would give a new record of the row at a place: the kind's derived id for
/// them, or a fresh one.
fn id_for(spec: &KindSpec, ctx: &Ctx) -> Uuid {
    match spec.id {
        IdRule::Derived(derive) => derive(ctx).map_or_else(Uuid::now_v7, |(id, _)| id),
        _ => Uuid::now_v7(),
    }
}

/// What the declarations say about one cell.
fn expected_write(
    spec: &'static KindSpec,
    actor: &Actor,
    before: Option<&Record>,
    change: &Change,
    parent: Option<&Record>,
    records: &HashMap<Uuid, Record>,
    known: &Known,
) -> bool {
    let now = common::now();
    let mut after = before.cloned().unwrap_or_else(|| change.new_record());
    change.apply_to(&mut after);
    let ctx = |after: &Record| -> bool {
        let cx = Ctx {
            actor,
            now_ms: now,
            before,
            after,
            fields: &change.fields,
            parent,
            records,
            lookup: known,
        };
        if before.is_none() {
            let id_ok = match spec.id {
                IdRule::Fresh => true,
                IdRule::Derived(derive) => {
                    derive(&cx) == Some((change.record, change.scope.clone()))
                }
                IdRule::Server => false,
            };
            if !id_ok || !spec.may_create(&cx) {
                return false;
            }
        }
        spec.scope.fits(&change.scope)
            && change.fields.keys().all(|f| spec.may_write(f, &cx))
            && (spec.check)(&cx).is_ok()
    };
    if before.is_none() {
        let owner = {
            let cx = Ctx {
                actor,
                now_ms: now,
                before,
                after: &after,
                fields: &change.fields,
                parent,
                records,
                lookup: known,
            };
            (spec.owner)(&cx)
        };
        after.owner = owner;
    }
    ctx(&after)
}

#[tokio::test]
async fn every_role_kind_and_place_is_as_declared() {
    let mut w = World::new(None).await;
    // Everything on the server, for the declarations (the head reads all but anonymous ones).
    let mut records = w.everything().await;

    let mut cells: BTreeMap<(Row, usize, Place, Op), (bool, bool)> = BTreeMap::new();
    let people: Vec<(Role, String, Actor)> = w
        .people
        .iter()
        .map(|p| (p.role, p.token.clone(), p.actor.clone()))
        .collect();
    for (pi, (_, token, actor)) in people.iter().enumerate() {
        // Reads: a fresh device's full sync, and REST.
        let mut d = w.device(token);
        d.sync(&w.app).await;
        for (&(row, place), id) in &w.samples {
            let expected = match records.get(id) {
                Some(r) => {
                    actor.may_read(&kinds::audience(r, r.parent.and_then(|p| records.get(&p))))
                }
                // The anonymous answer: its kind gives it no readers.
                None => actor.may_read(&(kinds::spec(row.kind()).unwrap().audience)(
                    &Record::new(*id, row.kind(), Scope::Centre, None),
                    None,
                )),
            };
            let by_sync = d.records.contains_key(id);
            let by_rest = w.app.record(token, *id).await.status() == StatusCode::OK;
            assert_eq!(
                by_sync,
                by_rest,
                "{} {place:?}: sync and REST disagree for {:?}",
                row.label(),
                actor.role
            );
            cells.insert((row, pi, place, Op::Read), (expected, by_sync));
        }
        // Edits of the samples.
        for (&(row, place), id) in &w.samples.clone() {
            let Some(before) = records.get(id).cloned() else {
                // The anonymous sample: nobody but the server reads it; an edit is a write to
                // someone else's anonymous id.
                let spec = kinds::spec(row.kind()).unwrap();
                let change = Change {
                    record: *id,
                    kind: row.kind().into(),
                    scope: Scope::Centre,
                    parent: None,
                    hlc: d.state.clock.tick(common::now()),
                    fields: serde_json::from_value(fields_for(row, &w, false)).unwrap(),
                };
                let expected = expected_write(spec, actor, None, &change, None, &records, &w.known);
                let mut e = w.device(token);
                e.edit(*id, row.kind(), &Scope::Centre, fields_for(row, &w, false));
                e.sync(&w.app).await;
                cells.insert((row, pi, place, Op::Edit), (expected, e.refused.is_empty()));
                continue;
            };
            let spec = kinds::spec(&before.kind).unwrap();
            let fields = fields_for(row, &w, false);
            let change = Change {
                record: before.id,
                kind: before.kind.clone(),
                scope: before.scope.clone(),
                parent: before.parent,
                hlc: d.state.clock.tick(common::now()),
                fields: serde_json::from_value(fields.clone()).unwrap(),
            };
            let parent = before.parent.and_then(|p| records.get(&p));
            let expected = expected_write(
                spec,
                actor,
                Some(&before),
                &change,
                parent,
                &records,
                &w.known,
            );
            let mut e = w.device(token);
            e.edit_child(
                before.id,
                &before.kind,
                &before.scope,
                before.parent,
                fields,
            );
            e.sync(&w.app).await;
            let applied = e.refused.is_empty();
            cells.insert((row, pi, place, Op::Edit), (expected, applied));
            if applied {
                // Keep the server's state as the declarations see it.
                if let Some(r) = w.record(before.id).await {
                    records.insert(r.id, r);
                }
            }
        }
    }
    // Creates: each row in a world without its samples, so that a create is a create (and a
    // fresh world again after a record with a derived id was made, for the next person).
    for row in Row::ALL {
        let mut cw = World::new(Some(row)).await;
        let mut crecords = cw.everything().await;
        for place in [Place::A, Place::B, Place::Centre] {
            if row.in_centre() != (place == Place::Centre) {
                continue;
            }
            for pi in 0..people.len() {
                let (token, actor) = (cw.people[pi].token.clone(), cw.people[pi].actor.clone());
                let spec = kinds::spec(row.kind()).unwrap();
                let parent_id = parent_for(row, place, &cw).await;
                let parent = parent_id.and_then(|p| crecords.get(&p));
                let mut change = Change {
                    record: Uuid::nil(),
                    kind: row.kind().into(),
                    scope: cw.scope(place),
                    parent: parent_id,
                    hlc: model::hlc::Clock::new(model::hlc::DeviceId::from_random([9; 8]))
                        .tick(common::now()),
                    fields: serde_json::from_value(fields_for(row, &cw, true)).unwrap(),
                };
                let mut probe = change.new_record();
                change.apply_to(&mut probe);
                let id = {
                    let cx = Ctx {
                        actor: &actor,
                        now_ms: common::now(),
                        before: None,
                        after: &probe,
                        fields: &change.fields,
                        parent,
                        records: &crecords,
                        lookup: &cw.known,
                    };
                    id_for(spec, &cx)
                };
                change.record = id;
                let expected =
                    expected_write(spec, &actor, None, &change, parent, &crecords, &cw.known);
                let mut e = cw.device(&token);
                e.edit_child(
                    id,
                    row.kind(),
                    &change.scope,
                    parent_id,
                    fields_for(row, &cw, true),
                );
                e.sync(&cw.app).await;
                let applied = e.refused.is_empty();
                cells.insert((row, pi, place, Op::Create), (expected, applied));
                if applied && matches!(spec.id, IdRule::Derived(_)) {
                    cw = World::new(Some(row)).await;
                    crecords = cw.everything().await;
                }
            }
        }
    }

    // Print the matrix: R/C/E for what is allowed, · for what is not, ! where the server
    // differs from the declaration.
    let roles: Vec<Role> = people.iter().map(|p| p.0).collect();
    let mut out = String::from(
        "\naccess matrix (R read, C create, E edit; · refused; ! differs from the declaration)\n",
    );
    out.push_str(&format!("{:<31}", "kind, place \\ role"));
    for r in &roles {
        out.push_str(&format!("{:<15}", r.as_str()));
    }
    out.push('\n');
    let mut wrong = Vec::new();
    for row in Row::ALL {
        let places: &[Place] = if row.in_centre() {
            &[Place::Centre]
        } else {
            &[Place::A, Place::B]
        };
        for place in places {
            out.push_str(&format!("{:<31}", format!("{} {:?}", row.label(), place)));
            for (pi, role) in roles.iter().enumerate() {
                let mut cell = String::new();
                for (op, letter) in [(Op::Read, 'R'), (Op::Create, 'C'), (Op::Edit, 'E')] {
                    match cells.get(&(row, pi, *place, op)) {
                        Some((e, a)) if e == a => cell.push(if *a { letter } else { '·' }),
                        Some((e, a)) => {
                            cell.push('!');
                            wrong.push(format!(
                                "{} at {place:?}, {} {op:?}: declared {e}, server {a}",
                                row.label(),
                                role.as_str()
                            ));
                        }
                        None => cell.push(' '),
                    }
                }
                let relation = match (place, role) {
                    (Place::Centre, _) => "",
                    (Place::A, Role::SchoolTeam | Role::Teacher) => "own",
                    (Place::A, Role::Mentor | Role::Curator) => "assigned",
                    (Place::A, _) => "any",
                    (Place::B, Role::Head | Role::Moderator) => "any",
                    (Place::B, _) => "foreign",
                };
                out.push_str(&format!("{:<15}", format!("{cell} {relation}")));
            }
            out.push('\n');
        }
    }
    println!("{out}");
    assert!(
        wrong.is_empty(),
        "{out}\ncells that differ:\n{}",
        wrong.join("\n")
    );
    // The matrix is not trivially empty: each kind is read by someone and refused to someone.
    for row in Row::ALL {
        let reads: Vec<bool> = cells
            .iter()
            .filter(|((r, _, _, op), _)| *r == row && *op == Op::Read)
            .map(|(_, (_, a))| *a)
            .collect();
        if row == Row::Anonymous {
            assert!(reads.iter().all(|r| !r), "nobody reads an anonymous answer");
        } else {
            assert!(
                reads.iter().any(|r| *r) && reads.iter().any(|r| !*r),
                "{}: {reads:?}",
                row.label()
            );
        }
    }
}
