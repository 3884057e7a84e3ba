//! Helpers for the end-to-end tests: the real `nastavnik` binary on a free port with its own
//! database, and a real headless Chromium driven through ChromeDriver (each browser with its own
//! profile, like a separate computer).

pub mod front;
pub mod proxy;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

pub const DEMO_PASSWORD: &str = "nastavnik2026";

/// Ports handed out below the kernel's ephemeral range (Linux: 32768–60999 by default).
const PORTS: std::ops::Range<u16> = 20_000..32_000;

/// A free port below the ephemeral range. A server that is killed and started again must get its
/// port back (the browser's data belongs to its origin); a port from the ephemeral range can be
/// taken meanwhile by any outgoing connection on the machine, and the restart then fails with
/// "address already in use". Each test process starts at its own place in the range and never
/// hands out a port twice.
fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = u32::from(PORTS.end - PORTS.start);
    let base = std::process::id().wrapping_mul(7_919) % span;
    for _ in 0..span {
        let step = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = PORTS.start + ((base + step) % span) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {PORTS:?}")
}

/// The server binary: `NASTAVNIK_BIN` (set by `cargo xtask test`) or the release build.
pub fn server_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("NASTAVNIK_BIN") {
        return PathBuf::from(bin);
    }
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/nastavnik");
    assert!(
        bin.exists(),
        "the server binary is missing: run the end-to-end tests with `cargo xtask test`"
    );
    bin
}

/// The app's bundle the server binary embeds: `NASTAVNIK_DIST` (set by `cargo xtask test`) or
/// `target/dist`.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("NASTAVNIK_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/dist"))
}

/// A built-in template from `templates/`, with its answer key.
pub fn builtin_template(name: &str) -> (model::forms::Template, model::forms::Key) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../templates/{name}.json"));
    let json = std::fs::read_to_string(&path).expect("a built-in template");
    model::forms::Template::parse(&json).expect("built-in templates are valid")
}

/// The fields of a response to `campaign` that picks the first option of every choice
/// question of `t` and is sent (a leader's test as a device would write it).
pub fn first_choices_submitted(
    t: &model::forms::Template,
    campaign: uuid::Uuid,
) -> serde_json::Map<String, Value> {
    use model::forms::template::Kind;
    let mut fields = serde_json::Map::new();
    fields.insert("campaign".into(), json!(campaign));
    fields.insert("template".into(), json!(t.code));
    fields.insert("version".into(), json!(t.version));
    for q in t.questions() {
        match &q.kind {
            Kind::Single { options } => {
                fields.insert(model::forms::answer_field(&q.id), json!(options[0].id));
            }
            Kind::Multiple { options, .. } => {
                fields.insert(model::forms::answer_field(&q.id), json!([options[0].id]));
            }
            _ => {}
        }
    }
    fields.insert("status".into(), json!("submitted"));
    fields
}

/// A scanned document of `n` bytes (a PDF header, then bytes no compression shrinks), as a
/// person attaches it.
pub fn scanned_document(n: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while bytes.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push(x as u8);
    }
    bytes
}

/// The SHA-256 of bytes in lowercase hex (the name of an attached file).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A `nastavnik serve` process on a database of its own: empty but for the built-in templates
/// (tests make their own people: [`Server::own_town`]), or with the demo municipality
/// ([`Server::start_demo`], for the tests of the demo itself).
pub struct Server {
    pub port: u16,
    /// Whether it was started with `--demo`.
    demo: bool,
    _db_dir: tempfile::TempDir,
    /// An SQLite file in `_db_dir`, or a PostgreSQL database of the test's own when
    /// `NASTAVNIK_TEST_POSTGRES` names a server.
    db: String,
    child: Option<Child>,
}

impl Server {
    /// A server on an empty database.
    pub async fn start() -> anyhow::Result<Server> {
        Self::start_with(false).await
    }

    /// A server with the demo municipality loaded.
    pub async fn start_demo() -> anyhow::Result<Server> {
        Self::start_with(true).await
    }

    async fn start_with(demo: bool) -> anyhow::Result<Server> {
        let db_dir = tempfile::tempdir()?;
        let db = server::storage::scratch_database(db_dir.path()).await?;
        let mut server = Server {
            port: free_port(),
            demo,
            _db_dir: db_dir,
            db,
            child: None,
        };
        server.resume().await?;
        Ok(server)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Starts the process again on the same port and database.
    pub async fn resume(&mut self) -> anyhow::Result<()> {
        let db = self.db_url();
        let child = Command::new(server_binary())
            .arg("serve")
            .args(self.demo.then_some("--demo"))
            .args(["--addr", &format!("127.0.0.1:{}", self.port), "--db", &db])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .context("starting nastavnik")?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        let http = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("the server stopped as it started ({status}); its error is above");
            }
            if let Ok(res) = http.get(self.url("/api/health")).send().await
                && res.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not answer within 30 s")
    }

    fn db_url(&self) -> String {
        self.db.clone()
    }

    /// An account made with `nastavnik user add` while the server runs, with the password
    /// [`DEMO_PASSWORD`]; `school` for the roles of a school.
    pub fn add_user(
        &self,
        login: &str,
        role: model::Role,
        school: Option<uuid::Uuid>,
    ) -> anyhow::Result<()> {
        let mut command = Command::new(server_binary());
        command
            .args(["user", "add", "--db", &self.db_url(), "--login", login])
            .args(["--name", &format!("Тестовый пользователь {login}")])
            .args(["--role", role.as_str()])
            .env("NASTAVNIK_PASSWORD", DEMO_PASSWORD)
            .env("RUST_LOG", "warn");
        if let Some(school) = school {
            command.args(["--school", &school.to_string()]);
        }
        let out = command.output()?;
        anyhow::ensure!(out.status.success(), "user add failed: {out:?}");
        Ok(())
    }

    /// A centre head of the test's own, made with `nastavnik user add`, signed in.
    pub async fn own_head(&self, login: &str) -> anyhow::Result<Api> {
        self.add_user(login, model::Role::Head, None)?;
        Api::login(&self.url(""), login).await
    }

    /// A school of the test's own with its team's account `team`, made through the API by a
    /// head of the test's own (`<team>.head`); returns the head's client and the school.
    pub async fn own_school(&self, team: &str) -> anyhow::Result<(Api, model::School)> {
        let head = self.own_head(&format!("{team}.head")).await?;
        let school = head.create_school(&format!("Школа {team}")).await?;
        head.create_user(team, model::Role::SchoolTeam, Some(school.id))
            .await?;
        Ok((head, school))
    }

    /// A small municipality of the test's own, its logins starting with `tag`: a school with its
    /// team and a teacher, a mentor assigned to it, and the head.
    pub async fn own_town(&self, tag: &str) -> anyhow::Result<Town> {
        let (team, teacher, mentor) = (
            format!("{tag}.team"),
            format!("{tag}.teacher"),
            format!("{tag}.mentor"),
        );
        let (head, school) = self.own_school(&team).await?;
        head.create_user(&teacher, model::Role::Teacher, Some(school.id))
            .await?;
        let assigned = head.create_user(&mentor, model::Role::Mentor, None).await?;
        head.assign(assigned.id, school.id).await?;
        Ok(Town {
            head,
            school,
            team,
            teacher,
            mentor,
        })
    }

    /// `nastavnik backup FILE` while the server runs.
    pub fn backup(&self, file: &std::path::Path) -> anyhow::Result<()> {
        let out = Command::new(server_binary())
            .args(["backup", "--db", &self.db_url()])
            .arg(file)
            .env("RUST_LOG", "warn")
            .output()?;
        anyhow::ensure!(out.status.success(), "backup failed: {out:?}");
        Ok(())
    }

    /// `nastavnik restore --yes FILE` (stop the server first).
    pub fn restore(&self, file: &std::path::Path) -> anyhow::Result<()> {
        let out = Command::new(server_binary())
            .args(["restore", "--yes", "--db", &self.db_url()])
            .arg(file)
            .env("RUST_LOG", "warn")
            .output()?;
        anyhow::ensure!(out.status.success(), "restore failed: {out:?}");
        Ok(())
    }

    /// Kills the process (no graceful shutdown), as a power cut or a lost link would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What [`Server::own_town`] made: the head's client, the school, and the other logins (all
/// with the password [`DEMO_PASSWORD`]).
pub struct Town {
    pub head: Api,
    pub school: model::School,
    pub team: String,
    pub teacher: String,
    pub mentor: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A headless Chromium with a fresh profile, driven by its own ChromeDriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> anyhow::Result<Browser> {
        Browser::start_in(None, None).await
    }

    /// A Chromium whose language is `lang` (e.g. `en-US`): its interface, `navigator.language`
    /// and its own date inputs follow it.
    pub async fn start_with_lang(lang: &str) -> anyhow::Result<Browser> {
        Browser::start_in(Some(lang), None).await
    }

    /// A Chromium whose profile (its IndexedDB among it) is on `disk`, a computer whose disk
    /// the test fills up.
    pub async fn start_on(disk: &server::storage::SmallDisk) -> anyhow::Result<Browser> {
        Browser::start_in(None, Some(disk)).await
    }

    async fn start_in(
        lang: Option<&str>,
        disk: Option<&server::storage::SmallDisk>,
    ) -> anyhow::Result<Browser> {
        let port = free_port();
        let profile = tempfile::tempdir()?;
        let (mut driver, profile_dir) = match disk {
            Some(disk) => {
                std::fs::create_dir(disk.outside().join("profile"))?;
                (disk.command("chromedriver"), disk.inside().join("profile"))
            }
            None => (Command::new("chromedriver"), profile.path().to_owned()),
        };
        let driver = driver
            .arg(format!("--port={port}"))
            // Its own process group, with the Chromium it starts: see `Drop`.
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context(
                "starting chromedriver (install chromium-driver, or use `cargo xtask test`)",
            )?;
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or("/usr/bin/chromium");
        let mut caps = serde_json::Map::new();
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile_dir.display()),
        ];
        let mut options = json!({ "binary": chromium });
        if let Some(lang) = lang {
            args.push(format!("--lang={lang}"));
            options["prefs"] = json!({ "intl.accept_languages": lang });
        }
        options["args"] = json!(args);
        caps.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => bail!("chromedriver did not start: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Ok(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Runs a JS expression and returns its value.
    pub async fn eval(&self, expression: &str) -> anyhow::Result<Value> {
        Ok(self
            .client
            .execute(&format!("return ({expression});"), vec![])
            .await?)
    }

    /// Waits until a JS expression is truthy.
    pub async fn wait_js(&self, expression: &str, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.eval(expression).await.unwrap_or(Value::Null);
            if value.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let body = self
                    .eval("document.body ? document.body.innerText : ''")
                    .await
                    .unwrap_or_default();
                let console = self.console().await.join("\n");
                bail!(
                    "timed out after {timeout:?} waiting for `{expression}`; page text:\n{body}\n\
                     browser console:\n{console}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The records the signed-in person's IndexedDB holds: `(id, kind, scope, parent)`.
    pub async fn local_records(
        &self,
        user: uuid::Uuid,
    ) -> anyhow::Result<Vec<(String, String, String, Option<String>)>> {
        let script = r#"
            const done = arguments[arguments.length - 1];
            const req = indexedDB.open(arguments[0]);
            req.onerror = () => done(null);
            req.onsuccess = () => {
                const db = req.result;
                const all = db.transaction('records').objectStore('records').getAll();
                all.onerror = () => { db.close(); done(null); };
                all.onsuccess = () => {
                    db.close();
                    done(all.result.map(r => [r.id, r.kind, r.scope, r.parent || null]));
                };
            };
        "#;
        let value = self
            .client
            .execute_async(script, vec![json!(format!("nastavnik-{user}"))])
            .await?;
        Ok(serde_json::from_value(value)?)
    }

    /// What the page wrote to the browser console since the last call.
    pub async fn console(&self) -> Vec<String> {
        match self.client.issue_cmd(GetLog).await {
            Ok(Value::Array(entries)) => entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["level"].as_str().unwrap_or(""),
                        e["message"].as_str().unwrap_or("")
                    )
                })
                .collect(),
            Ok(other) => vec![other.to_string()],
            Err(e) => vec![format!("(console not available: {e})")],
        }
    }

    /// The text of the first element matching a CSS selector ("" when absent).
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        let v = self
            .eval(&format!(
                "(document.querySelector({css:?}) || {{innerText: ''}}).innerText"
            ))
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    pub async fn wait_for(&self, css: &str) -> anyhow::Result<()> {
        self.wait_js(
            &format!("!!document.querySelector({css:?})"),
            Duration::from_secs(20),
        )
        .await
    }

    /// Types into an input, replacing its value, the way a person does (select all, delete,
    /// type), so the app sees every keystroke.
    pub async fn fill(&self, css: &str, value: &str) -> anyhow::Result<()> {
        let field = self.client.find(Locator::Css(css)).await?;
        field.click().await?;
        // Ctrl+A (the second Control releases the key), Backspace, then the text.
        field.send_keys("\u{E009}a\u{E009}\u{E003}").await?;
        field.send_keys(value).await?;
        Ok(())
    }

    /// Waits until `n` fields say their value is saved on this computer.
    pub async fn wait_saved(&self, n: usize) -> anyhow::Result<()> {
        self.wait_js(
            &format!(
                "[...document.querySelectorAll('.field-note')].filter(e => e.innerText.includes('Сохранено')).length >= {n}"
            ),
            Duration::from_secs(20),
        )
        .await
    }

    /// Clicks an element; if the page draws it anew between finding and clicking (a list
    /// refreshed by a sync), finds it again.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let mut attempt = 0;
        loop {
            let result = match self.client.find(Locator::Css(css)).await {
                Ok(el) => el.click().await.map(|_| ()),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => return Ok(()),
                Err(e) if attempt < 5 && e.to_string().contains("stale") => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Signs in through the login page of the app at `base` (the server or a proxy).
    pub async fn sign_in(&self, base: &str, login: &str, password: &str) -> anyhow::Result<()> {
        self.client.goto(&format!("{base}/login")).await?;
        self.wait_for("#login").await?;
        self.fill("#login", login).await?;
        self.fill("#password", password).await?;
        self.click("#login-submit").await?;
        Ok(())
    }

    /// The value of an input.
    pub async fn value(&self, css: &str) -> anyhow::Result<String> {
        let v = self
            .eval(&format!(
                "(document.querySelector({css:?}) || {{value: ''}}).value"
            ))
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until an input holds `expected`.
    pub async fn wait_value(
        &self,
        css: &str,
        expected: &str,
        timeout: Duration,
    ) -> anyhow::Result<()> {
        self.wait_js(
            &format!("(document.querySelector({css:?}) || {{value: null}}).value === {expected:?}"),
            timeout,
        )
        .await
    }

    /// Waits until the first sync of this browser has completed (its local database is set up
    /// and holds what the server had).
    pub async fn wait_first_sync(&self) -> anyhow::Result<()> {
        self.wait_js(
            "(document.getElementById('sync-last') || {innerText: ''}).innerText.startsWith('Синхронизировано')",
            Duration::from_secs(60),
        )
        .await
    }

    /// Signs in, waits for the role's home page (`home`, a CSS selector) and the first sync.
    pub async fn sign_in_synced(&self, base: &str, login: &str, home: &str) -> anyhow::Result<()> {
        self.sign_in(base, login, DEMO_PASSWORD).await?;
        self.wait_for(home).await?;
        self.wait_first_sync().await
    }

    /// As the school's team `login`, opens the form of a campaign from the task list, with the
    /// app cached for offline use.
    pub async fn open_task(
        &self,
        base: &str,
        login: &str,
        campaign: uuid::Uuid,
    ) -> anyhow::Result<()> {
        self.sign_in(base, login, DEMO_PASSWORD).await?;
        self.wait_for("#home-school").await?;
        self.wait_js(
            "!!navigator.serviceWorker.controller",
            Duration::from_secs(30),
        )
        .await?;
        let link = format!("#tasks [data-campaign='{campaign}'] a");
        self.wait_js(
            &format!("!!document.querySelector({link:?})"),
            Duration::from_secs(60),
        )
        .await?;
        self.click(&link).await?;
        self.wait_for("#form-progress").await?;
        self.begin_if_timed().await?;
        self.wait_for(".question").await
    }

    /// Presses «Начать тест» when the open form is a timed test not begun yet (its questions
    /// are hidden until then), and waits for them.
    pub async fn begin_if_timed(&self) -> anyhow::Result<()> {
        if self
            .eval("!!document.getElementById('test-start')")
            .await?
            .as_bool()
            == Some(true)
        {
            self.click("#test-start").await?;
            self.wait_js(
                "!document.querySelector('form.form').hidden",
                Duration::from_secs(30),
            )
            .await?;
        }
        Ok(())
    }

    /// Sets a `<select>` or a date input the way a person's choice does (the value, then
    /// `change`).
    pub async fn choose(&self, css: &str, value: &str) -> anyhow::Result<()> {
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({css:?}); e.value = {value:?}; \
             e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"
        ))
        .await?;
        Ok(())
    }

    /// Asks the app to sync now and waits until nothing is left to send.
    pub async fn sync_all(&self, timeout: Duration) -> anyhow::Result<()> {
        self.click("#sync-now").await.ok();
        self.wait_all_sent(timeout).await
    }

    /// Waits until the header says nothing is left to send.
    pub async fn wait_all_sent(&self, timeout: Duration) -> anyhow::Result<()> {
        self.wait_js(
            "(document.getElementById('sync-pending') || {dataset: {}}).dataset.pending === '0'",
            timeout,
        )
        .await
    }

    /// Number of edits waiting to be sent, as the header shows it.
    pub async fn pending(&self) -> anyhow::Result<u64> {
        let v = self
            .eval("(document.getElementById('sync-pending') || {dataset: {pending: '0'}}).dataset.pending")
            .await?;
        Ok(v.as_str().and_then(|s| s.parse().ok()).unwrap_or(0))
    }

    /// Waits for the header's connection status ("online", "offline").
    pub async fn wait_net(&self, state: &str, timeout: Duration) -> anyhow::Result<()> {
        self.wait_js(
            &format!(
                "(document.getElementById('net-status') || {{dataset: {{}}}}).dataset.state === {state:?}"
            ),
            timeout,
        )
        .await
    }

    pub async fn close(self) -> anyhow::Result<()> {
        let client = self.client.clone();
        client.close().await?;
        // `Drop` stops ChromeDriver.
        Ok(())
    }
}

impl Drop for Browser {
    /// A test that fails before `close` still takes its Chromium down: killing ChromeDriver
    /// alone would leave the browser running, slowing every later test.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A direct client of the server's API, to check what reached it.
pub struct Api {
    base: String,
    token: String,
    http: reqwest::Client,
    pub profile: model::UserProfile,
}

impl Api {
    pub async fn login(base: &str, login: &str) -> anyhow::Result<Api> {
        let http = reqwest::Client::new();
        let res: Value = http
            .post(format!("{base}/api/auth/login"))
            .json(&json!({ "login": login, "password": DEMO_PASSWORD }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(Api {
            base: base.to_owned(),
            token: res["token"].as_str().unwrap_or_default().to_owned(),
            http,
            profile: serde_json::from_value(res["profile"].clone())?,
        })
    }

    /// The session token (for calls the helpers here do not make).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Registers a rural school with low results (ШНОР), as the centre supports (the head
    /// only); returns it.
    pub async fn create_school(&self, name: &str) -> anyhow::Result<model::School> {
        Ok(self
            .http
            .post(format!("{}/api/schools", self.base))
            .bearer_auth(&self.token)
            .json(&json!({
                "name": name, "municipality": "Тестовый округ", "locality": "rural",
                "low_results": true,
            }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Creates an account (the head only) with the demo password; returns its profile.
    pub async fn create_user(
        &self,
        login: &str,
        role: model::Role,
        school: Option<uuid::Uuid>,
    ) -> anyhow::Result<model::UserProfile> {
        let created: model::api::UserSummary = self
            .http
            .post(format!("{}/api/users", self.base))
            .bearer_auth(&self.token)
            .json(&json!({
                "login": login, "full_name": format!("Тестовый пользователь {login}"),
                "role": role, "school_id": school, "password": DEMO_PASSWORD,
            }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(created.profile)
    }

    /// The schools the user may see, as the server holds them.
    pub async fn schools(&self) -> anyhow::Result<Vec<model::School>> {
        let list: model::api::SchoolList = self
            .http
            .get(format!("{}/api/schools", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(list.schools)
    }

    /// The id of the profile record of the user's school.
    pub fn school_profile_id(&self) -> uuid::Uuid {
        let school = self.profile.school_id.expect("a school user");
        model::record::singleton_id("school_profile", &model::record::Scope::School(school))
    }

    /// A record as the server holds it.
    pub async fn record(&self, id: uuid::Uuid) -> anyhow::Result<model::record::Record> {
        Ok(self
            .http
            .get(format!("{}/api/records/{id}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Writes one record as a device of this user would (one mutation, one sync); fails if the
    /// server refuses it.
    pub async fn write(
        &self,
        id: uuid::Uuid,
        kind: &str,
        scope: model::record::Scope,
        fields: Value,
    ) -> anyhow::Result<()> {
        self.write_as(id, kind, scope, None, fields, None).await
    }

    /// Writes one record with a parent, and, when `wall` is given, stamped with that clock
    /// value whatever the time is (as a device with a broken or hostile clock would). Returns
    /// the answer.
    pub async fn write_as(
        &self,
        id: uuid::Uuid,
        kind: &str,
        scope: model::record::Scope,
        parent: Option<uuid::Uuid>,
        fields: Value,
        wall: Option<u64>,
    ) -> anyhow::Result<()> {
        use model::sync::client;
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&uuid::Uuid::now_v7().as_bytes()[8..]);
        let mut state = client::DeviceState::new(model::hlc::DeviceId::from_random(bytes));
        let mut record = model::record::Record::new(id, kind, scope, parent);
        let fields = serde_json::from_value(fields)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as u64;
        let client::OutboxOp::Append(mut m) =
            client::edit(&mut state, now, &mut record, fields, None)
        else {
            bail!("a first edit appends");
        };
        if let Some(wall) = wall {
            m.change.hlc.wall_ms = wall;
        }
        let req = client::request(&mut state, &[m]);
        let resp: model::sync::SyncResponse = self
            .http
            .post(format!("{}/api/sync", self.base))
            .bearer_auth(&self.token)
            .json(&req)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if let Some(r) = resp.refused.first() {
            bail!("refused: {}", r.message);
        }
        Ok(())
    }

    /// Assigns a mentor to a school (the head only).
    pub async fn assign(&self, user: uuid::Uuid, school: uuid::Uuid) -> anyhow::Result<()> {
        self.http
            .put(format!("{}/api/users/{user}/schools/{school}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// As the centre head or a moderator, disables an account.
    pub async fn disable(&self, user: uuid::Uuid) -> anyhow::Result<()> {
        self.http
            .post(format!("{}/api/users/{user}/disable", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// As the centre head or a moderator, enables a disabled account again.
    pub async fn enable(&self, user: uuid::Uuid) -> anyhow::Result<()> {
        self.http
            .post(format!("{}/api/users/{user}/enable", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// As the centre head, sends a template to one school's management team; returns the
    /// campaign's id.
    pub async fn send_campaign(
        &self,
        t: &model::forms::Template,
        school: uuid::Uuid,
        deadline: &str,
    ) -> anyhow::Result<uuid::Uuid> {
        let id = uuid::Uuid::now_v7();
        self.write(
            id,
            model::forms::CAMPAIGN_KIND,
            model::record::Scope::Centre,
            json!({"title": t.title, "template": t.code, "version": t.version,
                   "deadline": deadline, "schools": [school], "roles": ["school_team"]}),
        )
        .await?;
        Ok(id)
    }

    /// Every change in the caller's scopes, pulled from the start as a fresh device would.
    pub async fn all_changes(&self) -> anyhow::Result<Vec<model::sync::Change>> {
        let device = model::hlc::DeviceId::from_random(*b"e2eaudit");
        let mut cursor = 0;
        let mut scopes_key = String::new();
        let mut all = Vec::new();
        loop {
            let req = model::sync::SyncRequest {
                protocol: model::sync::PROTOCOL_VERSION,
                device: device.clone(),
                cursor,
                scopes_key: scopes_key.clone(),
                full: false,
                first_seq: 0,
                changes: vec![],
                epoch: String::new(),
            };
            let resp: model::sync::SyncResponse = self
                .http
                .post(format!("{}/api/sync", self.base))
                .bearer_auth(&self.token)
                .json(&req)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            all.extend(resp.changes);
            cursor = resp.cursor;
            scopes_key = resp.scopes_key;
            if !resp.more {
                return Ok(all);
            }
        }
    }
}

/// A Chrome DevTools command through ChromeDriver (e.g. print media emulation).
#[derive(Debug)]
struct Cdp(Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

impl Browser {
    /// Lays the page out as for printing (`true`) or for the screen again.
    pub async fn emulate_print(&self, on: bool) -> anyhow::Result<()> {
        let media = if on { "print" } else { "" };
        self.client
            .issue_cmd(Cdp(
                json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": media}}),
            ))
            .await?;
        Ok(())
    }

    /// Deletes the site's IndexedDB databases while the app is open, as "delete site data" in
    /// the browser's settings does (DevTools `Storage.clearDataForOrigin`, `base` being the
    /// site's origin): the browser deletes them and closes the app's open connection, so each
    /// later local read or write of this page fails ("The database connection is closing") until
    /// the app is loaded again. A real failure of the browser's storage; nothing in the app is
    /// made to fail on purpose.
    pub async fn delete_site_databases(&self, base: &str) -> anyhow::Result<()> {
        self.client
            .issue_cmd(Cdp(json!({
                "cmd": "Storage.clearDataForOrigin",
                "params": {"origin": base, "storageTypes": "indexeddb"},
            })))
            .await?;
        self.eval("window.__no_databases = false").await?;
        self.wait_js(
            "(indexedDB.databases().then(l => window.__no_databases = l.length === 0), \
             window.__no_databases === true)",
            Duration::from_secs(20),
        )
        .await
    }

    /// Empties the browser's HTTP cache (DevTools `Network.clearBrowserCache`), so that what
    /// the app has afterwards with no network comes from its service worker alone.
    pub async fn clear_http_cache(&self) -> anyhow::Result<()> {
        self.client
            .issue_cmd(Cdp(
                json!({"cmd": "Network.clearBrowserCache", "params": {}}),
            ))
            .await?;
        Ok(())
    }

    /// Why Chromium would not offer to install the app from the page now open (its own
    /// words, `Page.getInstallabilityErrors`); empty when it would.
    pub async fn installability_errors(&self) -> anyhow::Result<Vec<String>> {
        let v = self
            .client
            .issue_cmd(Cdp(
                json!({"cmd": "Page.getInstallabilityErrors", "params": {}}),
            ))
            .await?;
        Ok(v["installabilityErrors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["errorId"].as_str().unwrap_or_default().to_owned())
            .collect())
    }

    /// What spoils a printed page: the app's header, buttons, or content wider than the page.
    pub async fn print_problems(&self) -> anyhow::Result<Vec<String>> {
        self.emulate_print(true).await?;
        let v = self
            .eval(
                "(() => { const out = []; \
                 const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'; \
                 document.querySelectorAll('header, nav, button, .sync-status').forEach(e => { if (shown(e)) out.push(e.tagName + ' ' + (e.id || e.className || e.innerText.slice(0, 30))); }); \
                 if (document.documentElement.scrollWidth > window.innerWidth + 2) out.push('wider than the page: ' + document.documentElement.scrollWidth); \
                 return out; })()",
            )
            .await?;
        self.emulate_print(false).await?;
        Ok(serde_json::from_value(v)?)
    }
}

/// ChromeDriver's command for the browser console log.
#[derive(Debug)]
struct GetLog;

impl fantoccini::wd::WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}
