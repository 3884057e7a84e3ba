//! What the server tests share: the real server on a temporary database, a small municipality of
//! the test's own ([`municipality`]; the demo only for the tests of the demo itself), and a
//! device in memory running the same client logic as the app.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};

use model::api::LoginResponse;
use model::hlc::DeviceId;
use model::record::{Record, Scope};
use model::sync::client::{self, DeviceState, OutboxOp};
use model::sync::{Mutation, SyncRequest, SyncResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::{AppState, Db, demo};
use uuid::Uuid;

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    /// The test's database: an SQLite file in `dir`, or a PostgreSQL database of its own when
    /// `NASTAVNIK_TEST_POSTGRES` names a server.
    url: String,
}

impl TestApp {
    /// The server on a fresh database with the demo municipality (for the tests of the demo).
    pub async fn start() -> TestApp {
        let app = TestApp::start_empty().await;
        demo::load(&app.db().await).await.unwrap();
        app
    }

    /// The server on a fresh database with nothing but the built-in templates.
    pub async fn start_empty() -> TestApp {
        TestApp::start_empty_with(|state| state).await
    }

    /// [`TestApp::start_empty`] with settings of the test's own.
    pub async fn start_empty_with(settings: impl FnOnce(AppState) -> AppState) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = server::storage::scratch_database(dir.path()).await.unwrap();
        let db = Db::connect(&url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(server::serve(
            listener,
            settings(AppState::new(db)),
            server::auth::Senders::Connection,
        ));
        TestApp {
            base,
            http: reqwest::Client::new(),
            dir,
            url,
        }
    }

    /// A server already running at `base` on the database at `url` (a `nastavnik serve`
    /// process of the test's own).
    pub fn at(base: String, url: String) -> TestApp {
        TestApp {
            base,
            http: reqwest::Client::new(),
            dir: tempfile::tempdir().unwrap(),
            url,
        }
    }

    /// Another connection to the test's database (for setting up what the API does not do).
    pub async fn db(&self) -> Db {
        Db::connect(&self.db_url()).await.unwrap()
    }

    /// A new account made straight in the database (password [`demo::DEMO_PASSWORD`]), signed in.
    pub async fn add_user(
        &self,
        login: &str,
        role: model::Role,
        school: Option<Uuid>,
    ) -> LoginResponse {
        insert_user(&self.db().await, login, role, school).await;
        self.login(login).await
    }

    /// A new rural ШНОР made straight in the database; returns its id.
    pub async fn add_school(&self, name: &str) -> Uuid {
        insert_school(&self.db().await, name).await
    }

    /// The test's database, for tests that must move time (a test's start) back.
    pub fn db_url(&self) -> String {
        self.url.clone()
    }

    /// A pool on the test's database, for what the API does not show.
    pub async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.url).await.unwrap()
    }

    pub async fn login(&self, login: &str) -> LoginResponse {
        self.http
            .post(format!("{}/api/auth/login", self.base))
            .json(&json!({ "login": login, "password": demo::DEMO_PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn post_sync(&self, token: &str, req: &SyncRequest) -> reqwest::Response {
        self.http
            .post(format!("{}/api/sync", self.base))
            .bearer_auth(token)
            .json(req)
            .send()
            .await
            .unwrap()
    }

    pub async fn record(&self, token: &str, id: Uuid) -> reqwest::Response {
        self.http
            .get(format!("{}/api/records/{id}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

/// The municipality of the schools the tests make.
pub const MUNICIPALITY: &str = "Тестовый округ";

/// A new rural ШНОР of the [`MUNICIPALITY`], made straight in the database; returns its id.
pub async fn insert_school(db: &Db, name: &str) -> Uuid {
    let school = model::NewSchool {
        name: name.into(),
        municipality: MUNICIPALITY.into(),
        locality: model::Locality::Rural,
        low_results: true,
        hard_conditions: false,
        mentor_school: false,
    }
    .validated()
    .unwrap();
    db.insert_school(&school).await.unwrap().id
}

/// A new account made straight in the database, with the password [`demo::DEMO_PASSWORD`] and
/// the name "Тестовый пользователь <login>"; returns its id.
pub async fn insert_user(db: &Db, login: &str, role: model::Role, school: Option<Uuid>) -> Uuid {
    // Hashed once per test process: each hash takes a good part of a second on purpose.
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = HASH.get_or_init(|| server::auth::hash_password(demo::DEMO_PASSWORD).unwrap());
    let user = model::NewUser {
        login: login.into(),
        full_name: format!("Тестовый пользователь {login}"),
        role,
        school_id: school,
        password: demo::DEMO_PASSWORD.into(),
    }
    .validated()
    .unwrap();
    db.insert_user(&user, hash).await.unwrap().unwrap().id
}

/// A small municipality for the school support tests, on an empty database: a school with its
/// team, a teacher and a mentor assigned to it, another school, and the head, all signed in.
pub struct Municipality {
    pub app: TestApp,
    pub school: Uuid,
    pub other: Uuid,
    pub team: LoginResponse,
    pub teacher: LoginResponse,
    pub mentor: LoginResponse,
    pub head: LoginResponse,
}

pub async fn municipality() -> Municipality {
    municipality_with(|state| state).await
}

/// [`municipality`] with settings of the test's own.
pub async fn municipality_with(settings: impl FnOnce(AppState) -> AppState) -> Municipality {
    let app = TestApp::start_empty_with(settings).await;
    let school = app.add_school("Школа поддержки").await;
    let other = app.add_school("Чужая школа").await;
    let team = app
        .add_user("team1", model::Role::SchoolTeam, Some(school))
        .await;
    let teacher = app
        .add_user("teacher1", model::Role::Teacher, Some(school))
        .await;
    let mentor = app.add_user("mentor1", model::Role::Mentor, None).await;
    app.db()
        .await
        .assign(mentor.profile.id, school)
        .await
        .unwrap();
    let head = app.add_user("head1", model::Role::Head, None).await;
    Municipality {
        app,
        school,
        other,
        team,
        teacher,
        mentor,
        head,
    }
}

/// A server process, stopped when dropped (also when a test fails half-way).
pub struct Served(std::process::Child);

impl Served {
    pub fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `nastavnik serve` on the database `url` (`--demo` when `demo`): the process and its address.
pub fn serve(url: &str, demo: bool) -> (Served, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_nastavnik"));
    cmd.args(["serve", "--addr", "127.0.0.1:0"])
        .args(demo.then_some("--demo"))
        .env("DATABASE_URL", url);
    serve_by(cmd)
}

/// A server started by `cmd` (a `nastavnik serve` on a free port, or a command that becomes
/// one): the process and its address once it listens.
pub fn serve_by(mut cmd: std::process::Command) -> (Served, String) {
    use std::io::BufRead;
    let mut child = cmd
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..].trim().to_owned();
        }
    };
    // The rest of what it prints is not read: keep the pipe drained.
    std::thread::spawn(move || for _ in lines {});
    (Served(child), base)
}

/// A device in memory, running the same client logic as the app.
pub struct Device {
    pub token: String,
    pub state: DeviceState,
    pub records: HashMap<Uuid, Record>,
    pub outbox: Vec<Mutation>,
    pub refused: Vec<client::Refused>,
}

impl Device {
    pub fn new(token: &str, n: u8) -> Device {
        Device {
            token: token.to_owned(),
            state: DeviceState::new(DeviceId::from_random([n; 8])),
            records: HashMap::new(),
            outbox: Vec::new(),
            refused: Vec::new(),
        }
    }

    /// What the server refused of this device's changes, in its words.
    pub fn refused_messages(&self) -> Vec<String> {
        self.refused.iter().map(|r| r.message.clone()).collect()
    }

    pub fn edit(&mut self, id: Uuid, kind: &str, scope: &Scope, fields: Value) {
        self.edit_child(id, kind, scope, None, fields);
    }

    /// Edits a record that belongs to another one (a review, a plan item).
    pub fn edit_child(
        &mut self,
        id: Uuid,
        kind: &str,
        scope: &Scope,
        parent: Option<Uuid>,
        fields: Value,
    ) {
        let fields: BTreeMap<String, Value> = serde_json::from_value(fields).unwrap();
        let mut record = self
            .records
            .get(&id)
            .cloned()
            .unwrap_or_else(|| Record::new(id, kind, scope.clone(), parent));
        let pending = self.outbox.iter().rev().find(|m| m.change.record == id);
        match client::edit(&mut self.state, now(), &mut record, fields, pending) {
            OutboxOp::Append(m) => self.outbox.push(m),
            OutboxOp::Replace(m) => {
                let seq = m.seq;
                *self.outbox.iter_mut().find(|x| x.seq == seq).unwrap() = m;
            }
        }
        self.records.insert(id, record);
    }

    /// Takes an answer in; `true` when the device must sync again at once.
    pub fn take(&mut self, resp: &SyncResponse) -> bool {
        let taken = client::take_response(
            &mut self.state,
            now(),
            &self.outbox,
            &mut self.records,
            resp,
        );
        self.outbox.retain(|m| !taken.acked.contains(&m.seq));
        self.refused.extend(taken.refused);
        // The server's database was restored from a copy: as the app does, send again.
        if taken.restored {
            self.outbox = client::resend(&mut self.state, self.records.values());
        }
        // A pass after the person's access changed has ended: as the app does, drop what it
        // did not bring (edits still waiting or refused keep their records).
        let pending: std::collections::BTreeSet<Uuid> = self
            .outbox
            .iter()
            .map(|m| m.change.record)
            .chain(self.refused.iter().map(|r| r.mutation.change.record))
            .collect();
        for id in taken.unreadable.iter().filter(|id| !pending.contains(id)) {
            self.records.remove(id);
        }
        if let Some(pass) = taken.sweep {
            self.records.retain(|_, r| client::keep(r, pass, &pending));
        }
        taken.restored
    }

    /// One round trip; returns the answer.
    pub async fn sync_once(&mut self, app: &TestApp) -> SyncResponse {
        let req = client::request(&mut self.state, &self.outbox);
        let res = app.post_sync(&self.token, &req).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        let mut resp: SyncResponse = res.json().await.unwrap();
        if self.take(&resp) {
            resp.more = true;
        }
        resp
    }

    /// Syncs until everything is sent and received; returns the number of requests.
    pub async fn sync(&mut self, app: &TestApp) -> usize {
        let mut requests = 0;
        loop {
            requests += 1;
            let resp = self.sync_once(app).await;
            if self.outbox.is_empty() && !resp.more {
                return requests;
            }
            assert!(requests < 1_000);
        }
    }
}

/// Waits, when UTC midnight is less than five minutes away (more than such a test takes on a
/// busy machine), until it has passed: a test of the daily allowances (`serve
/// --records-per-day`, `--megabytes-per-day`) must run within one day of the server's, or its
/// counts would start again halfway.
pub async fn within_one_day() {
    let day = server::storage::DAY_MS as u64;
    let left = day - now() % day;
    if left < 300_000 {
        tokio::time::sleep(std::time::Duration::from_millis(left + 1_000)).await;
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The version of a built-in form the server ships (the one installed in a new database).
pub fn builtin_version(code: &str) -> u32 {
    server::forms::builtin(code)
        .map(|t| t.version)
        .unwrap_or_else(|| panic!("no built-in form {code}"))
}
