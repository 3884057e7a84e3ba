//! `cargo xtask bench`: the figures we steer sync by, measured against the real `nastavnik`
//! binary on loopback with devices that speak exactly like the app (same client logic, gzip
//! request bodies, gzip answers).
//!
//! The first load of the app on a rural 2G link, in headless Chromium: see [`first_load`].
//!
//! Usage: `bench <path to nastavnik> [--only sync|throughput|first-load] [--smoke]`; every
//! section when no `--only` is given. `--smoke` runs every section at a twentieth of its sizes,
//! to show the bench still works (`bench/tests/smoke.rs`), not to measure.

mod cdp;
mod first_load;

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use model::hlc::DeviceId;
use model::record::{Record, Scope};
use model::sync::client::{self, DeviceState, OutboxOp};
use model::sync::{Mutation, SyncResponse};
use serde_json::{Value, json};
use uuid::Uuid;

const PASSWORD: &str = "nastavnik2026";

/// What the sizes are divided by (`--smoke`: 20).
static SCALE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// A size of the full bench, as this run takes it.
fn sized(n: u64) -> u64 {
    (n / SCALE.get().copied().unwrap_or(1)).max(1)
}

/// Traffic of one device, as it would cross the network.
#[derive(Default, Clone, Copy)]
struct Traffic {
    requests: u64,
    up: u64,
    down: u64,
}

struct Device {
    http: reqwest::Client,
    base: String,
    token: String,
    state: DeviceState,
    records: HashMap<Uuid, Record>,
    outbox: Vec<Mutation>,
    traffic: Traffic,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

impl Device {
    async fn new(base: &str, login: &str, n: u64) -> anyhow::Result<Device> {
        let http = reqwest::Client::builder().no_gzip().build()?;
        let res: Value = http
            .post(format!("{base}/api/auth/login"))
            .json(&json!({ "login": login, "password": PASSWORD }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = res["token"].as_str().context("token")?.to_owned();
        Ok(Device {
            http,
            base: base.to_owned(),
            token,
            state: DeviceState::new(DeviceId::from_random(n.to_le_bytes())),
            records: HashMap::new(),
            outbox: Vec::new(),
            traffic: Traffic::default(),
        })
    }

    fn edit(&mut self, id: Uuid, scope: &Scope, fields: BTreeMap<String, Value>) {
        let mut record = self
            .records
            .remove(&id)
            .unwrap_or_else(|| Record::new(id, KIND, scope.clone(), None));
        let pending = self.outbox.iter().rev().find(|m| m.change.record == id);
        match client::edit(&mut self.state, now_ms(), &mut record, fields, pending) {
            OutboxOp::Append(m) => self.outbox.push(m),
            OutboxOp::Replace(m) => {
                if let Some(slot) = self.outbox.iter_mut().find(|x| x.seq == m.seq) {
                    *slot = m;
                }
            }
        }
        self.records.insert(id, record);
    }

    /// One round trip, counted as it crosses the wire (bodies compressed, headers included).
    async fn round_trip(&mut self) -> anyhow::Result<SyncResponse> {
        let req = client::request(&mut self.state, &self.outbox);
        let body = gzip(&serde_json::to_vec(&req)?);
        let res = self
            .http
            .post(format!("{}/api/sync", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .header("accept-encoding", "gzip")
            .body(body.clone())
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("sync failed: {} {}", res.status(), res.text().await?);
        }
        // Request line and headers as a browser sends them, roughly.
        let up_headers = 330;
        let down_headers: usize = 17
            + res
                .headers()
                .iter()
                .map(|(k, v)| k.as_str().len() + v.len() + 4)
                .sum::<usize>();
        let gz = res.headers().get("content-encoding").is_some();
        let raw = res.bytes().await?;
        let mut json = Vec::new();
        if gz {
            flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut json)?;
        } else {
            json = raw.to_vec();
        }
        self.traffic.requests += 1;
        self.traffic.up += (body.len() + up_headers) as u64;
        self.traffic.down += (raw.len() + down_headers) as u64;
        let resp: SyncResponse = serde_json::from_slice(&json)?;
        let taken = client::take_response(
            &mut self.state,
            now_ms(),
            &self.outbox,
            &mut self.records,
            &resp,
        );
        let acked: std::collections::HashSet<u64> = taken.acked.iter().copied().collect();
        self.outbox.retain(|m| !acked.contains(&m.seq));
        if !taken.refused.is_empty() {
            bail!("refused: {}", taken.refused[0].message);
        }
        Ok(resp)
    }

    async fn sync(&mut self) -> anyhow::Result<()> {
        loop {
            let resp = self.round_trip().await?;
            if self.outbox.is_empty() && !resp.more {
                return Ok(());
            }
        }
    }
}

/// The kind the figures are measured with: a mentor's recommendations to a school (a fresh
/// record each time; the server stamps the author on each).
const KIND: &str = "recommendation";
/// Who writes them: a mentor of the demo school.
const WRITER: &str = "nastavnik";

/// A form-like record of about 290 bytes of JSON.
fn record_fields(i: u64) -> BTreeMap<String, Value> {
    let areas = ["law", "strategy", "process", "vsoko", "personnel"];
    BTreeMap::from([
        (
            "title".into(),
            json!(format!("Рекомендации по итогам посещения № {}", i % 500)),
        ),
        (
            "text".into(),
            json!(format!(
                "Провести разбор {} уроков с учителями математики; составить план ВСОКО до {:02}.{:02}.",
                2 + i % 7,
                1 + i % 28,
                1 + i % 12
            )),
        ),
        ("areas".into(), json!([areas[(i % 5) as usize]])),
        ("state".into(), json!("draft")),
    ])
}

struct ServerProcess {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

/// Which database the bench's servers use: PostgreSQL when `NASTAVNIK_TEST_POSTGRES` names a
/// server (as `cargo xtask bench` does for its second pass), otherwise SQLite.
fn backend() -> &'static str {
    if std::env::var_os(server::storage::TEST_POSTGRES).is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

impl ServerProcess {
    /// The server with the demo municipality in a database of its own.
    async fn start(bin: &str) -> anyhow::Result<ServerProcess> {
        let dir = tempfile::tempdir()?;
        let db = ServerProcess::database(dir.path()).await?;
        ServerProcess::start_in(bin, dir, &db, true).await
    }

    /// A new database for a bench server whose folder is `dir`.
    async fn database(dir: &std::path::Path) -> anyhow::Result<String> {
        server::storage::scratch_database(dir).await
    }

    /// The server on the database `db` (see [`ServerProcess::database`]), with the demo
    /// municipality loaded into it or not.
    async fn start_in(
        bin: &str,
        dir: tempfile::TempDir,
        db: &str,
        demo: bool,
    ) -> anyhow::Result<ServerProcess> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut cmd = Command::new(bin);
        cmd.arg("serve");
        if demo {
            cmd.arg("--demo");
        }
        let child = cmd
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(["--db", db])
            // The figures are of many new recommendations and edits by a few mentors, far beyond
            // what a person makes by hand in a day.
            .args(["--records-per-day", &u32::MAX.to_string()])
            .args(["--megabytes-per-day", &(u64::MAX >> 20).to_string()])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?;
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..300 {
            if reqwest::get(format!("{base}/api/health")).await.is_ok() {
                return Ok(ServerProcess {
                    child,
                    base,
                    _dir: dir,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not start")
    }

    /// Peak resident memory (VmHWM) of the server process, in MB.
    fn peak_memory_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }

    /// Processor time the server has used so far (user and system, all threads), in seconds.
    fn cpu_secs(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // After the command's name in parentheses: state, then utime and stime at 12 and 13.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        // Clock ticks of /proc: USER_HZ, 100 on every Linux this runs on.
        Some(ticks / 100.0)
    }

    /// Prints the processor time the server used since `before` (from [`Self::cpu_secs`]) per
    /// 1,000 of the `mutations` it applied meanwhile.
    fn print_cpu_per_mutation(&self, before: Option<f64>, mutations: u64, note: &str) {
        if let (Some(before), Some(after)) = (before, self.cpu_secs()) {
            println!(
                "server: processor time {:.0} ms per 1000 of those mutations{note}",
                (after - before) * 1_000_000.0 / mutations as f64
            );
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// Time on a slow link: every request pays the round trip, every byte the bandwidth.
fn on_link(t: Traffic, kbit: f64, rtt_ms: f64) -> f64 {
    t.requests as f64 * rtt_ms / 1000.0 + (t.up + t.down) as f64 * 8.0 / (kbit * 1000.0)
}

async fn school_scope(base: &str) -> anyhow::Result<Scope> {
    let res: Value = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "login": "shkola", "password": PASSWORD }))
        .send()
        .await?
        .json()
        .await?;
    let id: Uuid = serde_json::from_value(res["profile"]["school_id"].clone())?;
    Ok(Scope::School(id))
}

async fn transfer(bin: &str, n: u64) -> anyhow::Result<()> {
    let server = ServerProcess::start(bin).await?;
    let scope = school_scope(&server.base).await?;
    // Both devices are in use already (they hold the form templates every device receives on
    // its first sync, ~25 KB gzip), so what is measured is the records alone.
    let mut a = Device::new(&server.base, WRITER, 1).await?;
    a.sync().await?;
    a.traffic = Traffic::default();
    let mut b = Device::new(&server.base, "rukovoditel", 2).await?;
    b.sync().await?;
    if n == sized(100) {
        let first = b.traffic;
        println!(
            "  first sync of a new device (the form templates): {} request(s), down {}, {:.1} s at 128 kbit/s + 800 ms RTT",
            first.requests,
            kb(first.down),
            on_link(first, 128.0, 800.0)
        );
    }
    b.traffic = Traffic::default();
    let before = b.records.len() as u64;
    let mut plain = Vec::new();
    for i in 0..n {
        let id = Uuid::now_v7();
        let fields = record_fields(i);
        plain.push(json!({ "id": id, "kind": KIND, "scope": scope, "fields": fields }));
        a.edit(id, &scope, fields);
    }
    let records_json = serde_json::to_vec(&plain)?;
    let baseline = gzip(&records_json).len() as u64;

    let t = Instant::now();
    a.sync().await?;
    let push_time = t.elapsed();
    let push = a.traffic;

    let t = Instant::now();
    b.sync().await?;
    let pull_time = t.elapsed();
    let pull = b.traffic;
    assert_eq!(
        b.records.len() as u64 - before,
        n,
        "the second device received every record"
    );
    assert!(
        b.records
            .values()
            .filter(|r| r.kind == KIND)
            .all(|r| r.text("author").len() > 1),
        "with the author the server stamped"
    );

    b.traffic = Traffic::default();
    b.sync().await?;
    let idle = b.traffic;

    println!(
        "{n:>6} records ({} of JSON, {} gzip)",
        kb(records_json.len() as u64),
        kb(baseline)
    );
    for (what, t, time) in [("push", push, push_time), ("pull", pull, pull_time)] {
        let wire = t.up + t.down;
        println!(
            "       {what}: {:>3} requests, up {:>9}, down {:>9}, {:>5.2}× gzip JSON, {:>7.0} ms on loopback, {:>6.1} s at 128 kbit/s + 800 ms RTT",
            t.requests,
            kb(t.up),
            kb(t.down),
            wire as f64 / baseline as f64,
            time.as_secs_f64() * 1000.0,
            on_link(t, 128.0, 800.0)
        );
    }
    println!(
        "       nothing new: {} request, {} bytes up, {} bytes down, {:.1} s at 128 kbit/s + 800 ms RTT",
        idle.requests,
        idle.up,
        idle.down,
        on_link(idle, 128.0, 800.0)
    );
    Ok(())
}

async fn throughput(bin: &str) -> anyhow::Result<()> {
    let server = ServerProcess::start(bin).await?;
    let scope = school_scope(&server.base).await?;
    let mut a = Device::new(&server.base, WRITER, 1).await?;
    let total = sized(20_000);
    for i in 0..total {
        a.edit(Uuid::now_v7(), &scope, record_fields(i));
    }
    let cpu = server.cpu_secs();
    let t = Instant::now();
    a.sync().await?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "server: {total} mutations in {} requests of up to {}: {:.0} mutations/s applied ({}, one transaction per request, gzip both ways)",
        a.traffic.requests,
        model::sync::MAX_PUSH,
        total as f64 / secs,
        backend()
    );
    server.print_cpu_per_mutation(
        cpu,
        total,
        " (the device waits for each answer, so server and device take turns)",
    );
    if let Some(mb) = server.peak_memory_mb() {
        println!("server: peak memory so far {mb:.1} MB (VmHWM)");
    }

    // 200 devices working with one school syncing at once, each a few edits per round: ten
    // mentors of the school on twenty computers each (an account keeps 30 sessions).
    let devices = sized(200);
    let Scope::School(school) = scope else {
        bail!("the writer's scope is a school")
    };
    let people = mentors_of(&server, |_| vec![school; 10]).await?;
    let mut signed_in = Vec::new();
    // The people sign in first, one after another (as a school does over its first minutes).
    for d in 0..devices {
        let (login, scope) = &people[d as usize % people.len()];
        signed_in.push((
            Device::new(&server.base, login, 100 + d).await?,
            scope.clone(),
        ));
    }
    if let Some(mb) = server.peak_memory_mb() {
        println!("server: peak memory after {devices} logins {mb:.1} MB (VmHWM)");
    }
    many_at_once(
        &server,
        signed_in,
        "of one school, each receiving every other's",
    )
    .await?;
    drop(server);

    // The same 200 devices spread over the municipality's schools: a mentor per school (made and
    // assigned by the head through the API), each mentor's devices writing
    // into that school and receiving that school's records only.
    let server = ServerProcess::start(bin).await?;
    let people = mentors_of_every_school(&server).await?;
    let mut signed_in = Vec::new();
    for d in 0..devices {
        let (login, scope) = &people[d as usize % people.len()];
        signed_in.push((
            Device::new(&server.base, login, 100 + d).await?,
            scope.clone(),
        ));
    }
    let label = format!("over {} schools, each receiving its school's", people.len());
    many_at_once(&server, signed_in, &label).await?;
    drop(server);
    mutations_at_once(bin, 4).await
}

/// The same 20,000 new records from `n` computers at once, each a mentor's writing into a school
/// of its own (so each receives only its own school's): what the server applies when devices'
/// syncs overlap, as they do in a municipality, instead of waiting for one device at a time.
async fn mutations_at_once(bin: &str, n: usize) -> anyhow::Result<()> {
    let server = ServerProcess::start(bin).await?;
    let people = mentors_of_every_school(&server).await?;
    ensure!(people.len() >= n, "fewer schools than devices");
    let each = sized(20_000) / n as u64;
    let mut devices = Vec::new();
    for (k, (login, scope)) in people.iter().take(n).enumerate() {
        let mut d = Device::new(&server.base, login, 10 + k as u64).await?;
        d.sync().await?;
        for i in 0..each {
            d.edit(Uuid::now_v7(), scope, record_fields(i));
        }
        devices.push(d);
    }
    let cpu = server.cpu_secs();
    let t = Instant::now();
    let tasks: Vec<_> = devices
        .into_iter()
        .map(|mut d| tokio::spawn(async move { d.sync().await }))
        .collect();
    for task in tasks {
        task.await??;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "server: {} mutations from {n} devices of {n} schools at once, {each} each: {:.0} mutations/s applied ({})",
        each * n as u64,
        (each * n as u64) as f64 / secs,
        backend()
    );
    server.print_cpu_per_mutation(cpu, each * n as u64, "");
    Ok(())
}

/// A mentor for each school of the demo municipality, made and assigned by the head through the
/// API: their logins and schools.
async fn mentors_of_every_school(server: &ServerProcess) -> anyhow::Result<Vec<(String, Scope)>> {
    mentors_of(server, |schools| schools.iter().map(|s| s.id).collect()).await
}

/// Mentors made and assigned by the head through the API, one for each school `choose` names
/// from the municipality's list: their logins and schools.
async fn mentors_of(
    server: &ServerProcess,
    choose: impl FnOnce(&[model::School]) -> Vec<Uuid>,
) -> anyhow::Result<Vec<(String, Scope)>> {
    let http = reqwest::Client::new();
    let token = |login: &'static str| {
        let http = http.clone();
        let base = server.base.clone();
        async move {
            let res: Value = http
                .post(format!("{base}/api/auth/login"))
                .json(&json!({ "login": login, "password": PASSWORD }))
                .send()
                .await?
                .json()
                .await?;
            anyhow::Ok(res["token"].as_str().context("no token")?.to_owned())
        }
    };
    let head = token("rukovoditel").await?;
    let schools: model::api::SchoolList = http
        .get(format!("{}/api/schools", server.base))
        .bearer_auth(&head)
        .send()
        .await?
        .json()
        .await?;
    let mut people = Vec::new();
    for (k, school) in choose(&schools.schools).into_iter().enumerate() {
        let login = format!("bench{k}");
        let made: Value = http
            .post(format!("{}/api/users", server.base))
            .bearer_auth(&head)
            .json(&json!({ "login": login, "full_name": format!("Наставник {k}"), "role": "mentor", "password": PASSWORD }))
            .send()
            .await?
            .json()
            .await?;
        let id = made["id"]
            .as_str()
            .with_context(|| format!("user not made: {made}"))?
            .to_owned();
        let res = http
            .put(format!("{}/api/users/{id}/schools/{}", server.base, school))
            .bearer_auth(&head)
            .send()
            .await?;
        ensure!(res.status().is_success(), "assignment refused");
        people.push((login, Scope::School(school)));
    }
    Ok(people)
}

/// Every device syncs once (it has been in use), then all at once 20 rounds of five new
/// records up and the others' down; prints latency, rate and the server's peak memory.
async fn many_at_once(
    server: &ServerProcess,
    signed_in: Vec<(Device, Scope)>,
    label: &str,
) -> anyhow::Result<()> {
    let devices = signed_in.len();
    let rounds = 20;
    let latencies = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let ready = Arc::new(tokio::sync::Barrier::new(devices + 1));
    let mut tasks = Vec::new();
    for (d, (mut dev, scope)) in signed_in.into_iter().enumerate() {
        let d = d as u64;
        let latencies = latencies.clone();
        let ready = ready.clone();
        tasks.push(tokio::spawn(async move {
            // A device that has been in use: it already has what is on the server. (Every task
            // reaches the barrier, even one that failed, so that a failure is reported.)
            let first = dev.sync().await;
            ready.wait().await;
            first?;
            for r in 0..rounds {
                for k in 0..5 {
                    dev.edit(Uuid::now_v7(), &scope, record_fields(d * 1000 + r * 10 + k));
                }
                let t = Instant::now();
                dev.sync().await?;
                latencies.lock().await.push(t.elapsed());
            }
            // Dropped once every device is done: 200 devices' teardown in this one process
            // would take the processor from the devices still syncing, and their last round
            // would measure the bench, not the server.
            anyhow::Ok(dev)
        }));
    }
    ready.wait().await;
    if let Some(mb) = server.peak_memory_mb() {
        println!("server: peak memory after {devices} logins and first syncs {mb:.1} MB (VmHWM)");
    }
    let t = Instant::now();
    let mut finished = Vec::new();
    for task in tasks {
        finished.push(task.await??);
    }
    let wall = t.elapsed().as_secs_f64();
    drop(finished);
    let mut l = latencies.lock().await.clone();
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "server: {devices} devices at once {label} × {rounds} syncs each (5 new records up, the others' down): p50 {:.0} ms, p99 {:.0} ms, {:.0} syncs/s ({})",
        pct(0.50),
        pct(0.99),
        l.len() as f64 / wall,
        backend()
    );
    if let Some(mb) = server.peak_memory_mb() {
        println!("server: peak memory {mb:.1} MB (VmHWM)");
    }
    Ok(())
}

const USAGE: &str = "usage: bench <path to nastavnik> [--only sync|throughput|first-load] \
                     [--page-only-emulation] [--smoke]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut bin = None;
    let mut only = None;
    let mut page_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--only" => only = Some(args.next().context(USAGE)?),
            // What the page's emulation alone does to the service worker's requests.
            "--page-only-emulation" => page_only = true,
            "--smoke" => {
                let _ = SCALE.set(20);
            }
            _ if arg.starts_with("--") => bail!("unknown option {arg}; {USAGE}"),
            _ => bin = Some(arg),
        }
    }
    let bin = bin.context(USAGE)?;
    let run = |section: &str| only.as_deref().is_none_or(|o| o == section);
    if let Some(o) = &only
        && !["sync", "throughput", "first-load"].contains(&o.as_str())
    {
        bail!("unknown section {o}; {USAGE}");
    }
    if run("sync") {
        println!("Sync over loopback with the real server (bytes include HTTP headers):");
        for n in [100, 1_000, 10_000] {
            transfer(&bin, sized(n)).await?;
        }
        println!();
    }
    if run("throughput") {
        throughput(&bin).await?;
        println!();
    }
    if run("first-load") {
        first_load::first_load(&bin, page_only).await?;
    }
    Ok(())
}
