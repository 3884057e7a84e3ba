//! The first load on a rural 2G link: a new computer opens the app, a school's team member signs
//! in and waits until the app can work offline, then the app is opened again with no network.
//!
//! Headless Chromium started as the end-to-end tests start it (`e2e::Browser`: ChromeDriver, a
//! fresh profile), with the DevTools network emulation on every target of the browser (see
//! [`cdp::Link`]): the page and the service worker each get the same conditions before they run,
//! since the page's emulation does not reach the requests the service worker makes itself.
//! Bytes are those each target received (`Network.loadingFinished.encodedDataLength`: headers
//! and compressed bodies); a request the service worker answers is counted where the worker got
//! it from the network, once. Times come from the page's own clock (`performance.now()` since
//! the navigation began), marked by a script the page runs before its own.

use std::collections::{BTreeMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use serde_json::{Value, json};

use crate::cdp::{Cdp, Conditions, Link, Transfer};
use crate::{PASSWORD, ServerProcess, kb};

const HEAD: &str = "bench-head";
const SCHOOL: &str = "bench-school";

/// A rural 2G link.
const TWO_G: Conditions = Conditions {
    offline: false,
    latency_ms: 600.0,
    down_bits: 250_000.0,
    up_bits: 100_000.0,
};

/// Aims: the login form usable, the school team's app ready offline, a restart with no network.
const AIM_LOGIN_SECS: f64 = 8.0;
const AIM_LOGIN_KB: f64 = 200.0;
const AIM_READY_KB: f64 = 250.0;
const AIM_RESTART_SECS: f64 = 1.0;

/// How many files each list shows.
const TOP: usize = 15;

/// Run in every document before its own scripts: marks (ms since the navigation began) when the
/// login form is usable (its fields and button present, the static `#boot` placeholder gone:
/// the app has mounted), the school's home shows, the pages of the role are all fetched
/// (`data-pages-ready` on `<html>`) and the first sync has finished (as the e2e helper
/// `wait_first_sync` reads it).
const MARKS_JS: &str = r#"(() => {
  if (window.__benchMarks) return;
  const m = { origin: performance.timeOrigin };
  window.__benchMarks = m;
  const byId = (id) => document.getElementById(id);
  const check = () => {
    const t = performance.now();
    if (m.login === undefined && byId('login') && byId('password') && byId('login-submit')
        && !byId('boot')) m.login = t;
    if (m.school === undefined && byId('home-school')) m.school = t;
    if (m.pages === undefined && document.documentElement
        && document.documentElement.hasAttribute('data-pages-ready')) m.pages = t;
    const s = byId('sync-last');
    if (m.sync === undefined && s && s.textContent.trim().startsWith('Синхронизировано')) m.sync = t;
  };
  new MutationObserver(check).observe(document,
    { subtree: true, childList: true, attributes: true, characterData: true });
  check();
})();"#;

#[derive(Default, Debug, Clone, Copy)]
struct Marks {
    origin: f64,
    login: Option<f64>,
    school: Option<f64>,
    pages: Option<f64>,
    sync: Option<f64>,
}

impl Marks {
    fn from(v: &Value) -> Option<Marks> {
        Some(Marks {
            origin: v["origin"].as_f64()?,
            login: v["login"].as_f64(),
            school: v["school"].as_f64(),
            pages: v["pages"].as_f64(),
            sync: v["sync"].as_f64(),
        })
    }
}

struct Page {
    cdp: Arc<Cdp>,
    session: String,
}

impl Page {
    async fn marks(&self) -> Option<Marks> {
        let v = self
            .cdp
            .eval(&self.session, "window.__benchMarks || null")
            .await
            .ok()?;
        Marks::from(&v)
    }

    /// Polls the page's marks until `done` says so (`None` after `timeout`).
    async fn wait(&self, timeout: Duration, mut done: impl FnMut(&Marks) -> bool) -> Option<Marks> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(m) = self.marks().await
                && done(&m)
            {
                return Some(m);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// Types into a field as a keyboard does (focus, then text input events).
    async fn type_into(&self, id: &str, text: &str) -> anyhow::Result<()> {
        let focused = self
            .cdp
            .eval(
                &self.session,
                &format!("(() => {{ const e = document.getElementById({id:?}); e.focus(); return document.activeElement === e; }})()"),
            )
            .await?;
        ensure!(focused == json!(true), "the field #{id} cannot be focused");
        self.cdp
            .call(
                Some(&self.session),
                "Input.insertText",
                json!({ "text": text }),
            )
            .await?;
        Ok(())
    }
}

/// A head of the centre (made with the CLI), a rural school and a member of its team (made
/// through the API, as the head would), in a fresh database.
async fn fresh_server(bin: &str) -> anyhow::Result<ServerProcess> {
    let dir = tempfile::tempdir()?;
    let db = ServerProcess::database(dir.path()).await?;
    let status = Command::new(bin)
        .args(["user", "add", "--login", HEAD, "--role", "head"])
        .args(["--name", "Руководитель центра (бенчмарк)"])
        .args(["--db", &db])
        .env("NASTAVNIK_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .context("nastavnik user add")?;
    ensure!(status.success(), "nastavnik user add failed");
    let server = ServerProcess::start_in(bin, dir, &db, false).await?;
    let http = reqwest::Client::new();
    let res: Value = http
        .post(format!("{}/api/auth/login", server.base))
        .json(&json!({ "login": HEAD, "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = res["token"].as_str().context("token")?;
    let school: Value = http
        .post(format!("{}/api/schools", server.base))
        .bearer_auth(token)
        .json(&json!({
            "name": "МБОУ «Сельская СОШ» (бенчмарк)",
            "municipality": "Бенчмарк",
            "locality": "rural",
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    http.post(format!("{}/api/users", server.base))
        .bearer_auth(token)
        .json(&json!({
            "login": SCHOOL,
            "full_name": "Завуч сельской школы",
            "role": "school_team",
            "school_id": school["id"],
            "password": PASSWORD,
        }))
        .send()
        .await?
        .error_for_status()?;
    Ok(server)
}

/// Whether the bundle the server sends marks `data-pages-ready` (a bundle built before the
/// pages were split does not).
async fn bundle_marks_pages(base: &str) -> anyhow::Result<bool> {
    let index = reqwest::get(format!("{base}/")).await?.text().await?;
    let build = index
        .split("name=\"nastavnik-build\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .context("no build in index.html")?;
    let wasm = reqwest::get(format!("{base}/assets/{build}/app_bg.wasm"))
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    Ok(wasm.windows(16).any(|w| w == b"data-pages-ready"))
}

/// The bytes of `/sw.js` as the server sends it to Chromium (brotli), headers included: the
/// browser fetches the worker's script before the worker has a DevTools target, so no target
/// logs it.
async fn worker_script_bytes(base: &str) -> anyhow::Result<u64> {
    let res = reqwest::Client::new()
        .get(format!("{base}/sw.js"))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await?
        .error_for_status()?;
    let headers: usize = 17
        + res
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>();
    Ok(headers as u64 + res.bytes().await?.len() as u64)
}

/// A request's address without the origin, the build folder shortened.
fn short(url: &str) -> String {
    let path = url
        .split_once("//")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or(path);
    match path
        .strip_prefix("/assets/")
        .and_then(|rest| rest.split_once('/'))
    {
        Some((_, file)) => format!("/assets/…/{file}"),
        None => path.to_owned(),
    }
}

fn who(t: &Transfer) -> &'static str {
    match t.target.as_str() {
        "page" => "page",
        "service_worker" => "service worker",
        _ => "other",
    }
}

fn total(transfers: &[&Transfer]) -> u64 {
    transfers.iter().map(|t| t.bytes).sum()
}

fn kbf(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

/// The heaviest files, a line each (the same file fetched twice is one line, "×2").
fn print_top(transfers: &[&Transfer]) {
    let mut files: BTreeMap<(String, &str), (u64, u32)> = BTreeMap::new();
    for t in transfers {
        let e = files.entry((short(&t.url), who(t))).or_default();
        e.0 += t.bytes;
        e.1 += 1;
    }
    let mut files: Vec<_> = files.into_iter().collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.1.0));
    for ((path, who), (bytes, n)) in files.iter().take(TOP) {
        let times = if *n > 1 {
            format!(" ×{n}")
        } else {
            String::new()
        };
        println!("        {:>9}  {path}{times}  ({who})", kb(*bytes));
    }
    if files.len() > TOP {
        let rest: u64 = files[TOP..].iter().map(|f| f.1.0).sum();
        println!("        {:>9}  {} more files", kb(rest), files.len() - TOP);
    }
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// The effective speed of the largest download a target type made, to show whether the link
/// slowed it: `(path, bytes, kbit/s)`.
fn speed_of_largest(log: &[Transfer], target: &str) -> Option<(String, u64, f64)> {
    let t = log
        .iter()
        .filter(|t| t.target == target && t.on_wire())
        .max_by_key(|t| t.bytes)?;
    let secs = t.finished?.duration_since(t.started).as_secs_f64();
    Some((short(&t.url), t.bytes, t.bytes as f64 * 8.0 / secs / 1000.0))
}

pub async fn first_load(bin: &str, page_only: bool) -> anyhow::Result<()> {
    println!(
        "First load on a rural 2G link (headless Chromium, DevTools network emulation: {:.0} kbit/s down, {:.0} kbit/s up, {:.0} ms round trip):",
        TWO_G.down_bits / 1000.0,
        TWO_G.up_bits / 1000.0,
        TWO_G.latency_ms
    );
    let server = fresh_server(bin).await?;
    let base = server.base.clone();
    let marks_pages = bundle_marks_pages(&base).await?;
    let worker_script = worker_script_bytes(&base).await?;

    let browser = e2e::Browser::start().await?;
    let debugger = browser
        .client
        .capabilities()
        .and_then(|c| c.get("goog:chromeOptions"))
        .and_then(|o| o["debuggerAddress"].as_str())
        .context("ChromeDriver gave no debuggerAddress")?
        .to_owned();
    let (cdp, events) = Cdp::connect(&debugger).await?;
    let link = Link::start(cdp.clone(), events, TWO_G, !page_only).await?;
    let page = Page {
        cdp: cdp.clone(),
        session: link.page().await?,
    };
    cdp.call(Some(&page.session), "Page.enable", json!({}))
        .await?;
    cdp.call(
        Some(&page.session),
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": MARKS_JS }),
    )
    .await?;

    let result = measure(&link, &page, &base, marks_pages, page_only, worker_script).await;
    drop(page);
    let _ = browser.close().await;
    drop(server);
    result
}

async fn measure(
    link: &Link,
    page: &Page,
    base: &str,
    marks_pages: bool,
    page_only: bool,
    worker_script: u64,
) -> anyhow::Result<()> {
    // (a) A new computer opens /login.
    let t0 = Instant::now();
    link.cdp
        .call(
            Some(&page.session),
            "Page.navigate",
            json!({ "url": format!("{base}/login") }),
        )
        .await?;
    let Some(a) = page
        .wait(Duration::from_secs(180), |m| m.login.is_some())
        .await
    else {
        println!(
            "  (a) new computer: the login form was not usable within 180 s; nothing more measured"
        );
        return Ok(());
    };
    let log_a = link.log();
    let counted_a: HashSet<usize> = (0..log_a.len()).filter(|&i| log_a[i].on_wire()).collect();
    let wire_a: Vec<&Transfer> = counted_a.iter().map(|&i| &log_a[i]).collect();
    let login_secs = a.login.unwrap_or(0.0) / 1000.0;
    let login_bytes = total(&wire_a);

    // (b) A member of the school's team signs in and waits until the app can work offline.
    page.type_into("login", SCHOOL).await?;
    page.type_into("password", PASSWORD).await?;
    let signed_in_ms = page
        .cdp
        .eval(
            &page.session,
            "(document.getElementById('login-submit').click(), performance.now())",
        )
        .await?
        .as_f64()
        .context("sign-in click")?;
    // A bundle that does not mark its pages: the first sync and then 5 s with nothing on the
    // network instead.
    let quiet = Duration::from_secs(5);
    let ready = |m: &Marks| {
        if m.sync.is_none() {
            return false;
        }
        if marks_pages {
            return m.pages.is_some();
        }
        link.log()
            .iter()
            .all(|t| t.finished.is_some_and(|f| f.elapsed() >= quiet))
    };
    let b = page.wait(Duration::from_secs(300), ready).await;
    let log_b = link.log();
    let wire_b: Vec<&Transfer> = log_b.iter().filter(|t| t.on_wire()).collect();
    let after: Vec<&Transfer> = (0..log_b.len())
        .filter(|&i| log_b[i].on_wire() && !counted_a.contains(&i))
        .map(|i| &log_b[i])
        .collect();
    let ready_ms = b.map(|m| {
        if marks_pages {
            m.pages.unwrap_or(0.0).max(m.sync.unwrap_or(0.0))
        } else {
            let last = log_b
                .iter()
                .filter_map(|t| t.finished)
                .max()
                .map(|f| f.duration_since(t0).as_secs_f64() * 1000.0)
                .unwrap_or(0.0);
            last.max(m.sync.unwrap_or(0.0))
        }
    });

    // (c) The network is switched off and the app opened again.
    link.set(Conditions {
        offline: true,
        ..TWO_G
    })
    .await?;
    let before_c = link.log().len();
    let origin = page
        .marks()
        .await
        .context("the page's marks before the reload")?
        .origin;
    let t1 = Instant::now();
    link.cdp
        .call(Some(&page.session), "Page.reload", json!({}))
        .await?;
    let c = page
        .wait(Duration::from_secs(30), |m| {
            m.origin != origin && m.school.is_some()
        })
        .await;
    let c_wall = t1.elapsed().as_secs_f64();
    let online = page
        .cdp
        .eval(&page.session, "navigator.onLine")
        .await
        .unwrap_or(Value::Null);
    let log_c = link.log();
    let tried_c: Vec<&Transfer> = log_c[before_c..]
        .iter()
        .filter(|t| !t.by_worker && !t.cached)
        .collect();
    let reached_c = tried_c.iter().filter(|t| t.on_wire()).count();

    // The figures.
    if page_only {
        println!(
            "  emulation: on the page only (--page-only-emulation), to see what it does to the service worker"
        );
    } else {
        println!(
            "  emulation: Network.emulateNetworkConditions on every DevTools target — the page, and the service worker on its own target (auto-attached by the browser and held until its conditions were set; targets seen: {})",
            link.target_kinds().join(", ")
        );
    }
    match speed_of_largest(&log_b, "service_worker") {
        Some((path, bytes, kbits)) => println!(
            "  check: the service worker's largest download ({path}, {}) came at {kbits:.0} kbit/s: {}",
            kb(bytes),
            if kbits <= TWO_G.down_bits / 1000.0 * 1.1 {
                "throttled like the page"
            } else {
                "NOT throttled (the page's emulation does not reach the requests the service worker makes)"
            }
        ),
        None => println!("  check: the service worker downloaded nothing"),
    }
    println!(
        "  (a) new computer, /login usable: {login_secs:.1} s, {} received in {} requests — aims ≤ {AIM_LOGIN_SECS:.0} s: {}, ≈ ≤ {AIM_LOGIN_KB:.0} KB: {}",
        kb(login_bytes),
        wire_a.len(),
        met(login_secs <= AIM_LOGIN_SECS),
        met(kbf(login_bytes) <= AIM_LOGIN_KB),
    );
    one_link(login_bytes, login_secs);
    let in_flight: Vec<String> = log_a
        .iter()
        .filter(|t| t.finished.is_none())
        .map(|t| format!("{} ({})", short(&t.url), who(t)))
        .collect();
    if !in_flight.is_empty() {
        println!("      still downloading then: {}", in_flight.join(", "));
    }
    print_top(&wire_a);
    println!(
        "      not in the figures: /sw.js, {} (the browser fetches the worker's script before the worker has a DevTools target)",
        kb(worker_script)
    );
    let ready_what = if marks_pages {
        "data-pages-ready and the first sync"
    } else {
        "this bundle does not set data-pages-ready: the first sync and 5 s with nothing on the network"
    };
    let bytes_b = total(&wire_b);
    match ready_ms {
        Some(ms) => {
            println!(
                "  (b) school user offline-ready ({ready_what}): {:.1} s since (a) began ({:.1} s after sign-in), {} received in {} requests since (a) began, {} of it after sign-in — aim ≤ {AIM_READY_KB:.0} KB: {}",
                ms / 1000.0,
                (ms - signed_in_ms) / 1000.0,
                kb(bytes_b),
                wire_b.len(),
                kb(total(&after)),
                met(kbf(bytes_b) <= AIM_READY_KB),
            );
            one_link(bytes_b, ms / 1000.0);
        }
        None => println!(
            "  (b) school user offline-ready ({ready_what}): not reached within 300 s of sign-in; {} received so far, {} of it after sign-in — aim ≤ {AIM_READY_KB:.0} KB: MISSED",
            kb(bytes_b),
            kb(total(&after)),
        ),
    }
    println!("      after sign-in:");
    print_top(&after);
    match c {
        Some(m) => {
            let secs = m.school.unwrap_or(0.0) / 1000.0;
            println!(
                "  (c) restart offline (DevTools offline on every target, then a reload), school home shown: {secs:.2} s ({c_wall:.2} s as the bench saw it) — aim ≤ {AIM_RESTART_SECS:.0} s: {}",
                met(secs <= AIM_RESTART_SECS)
            );
        }
        None => println!(
            "  (c) restart offline (DevTools offline on every target, then a reload): the school home did not show within 30 s — aim ≤ {AIM_RESTART_SECS:.0} s: MISSED"
        ),
    }
    let quirk = if online == json!(true) {
        " (navigator.onLine says true after the reload: Chromium keeps a page's emulated offline state only until the page loads again; its requests fail all the same)"
    } else {
        ""
    };
    println!(
        "      {} requests tried the network and {reached_c} got through; everything else came from the service worker's cache{quirk}",
        tried_c.len()
    );
    if b.is_none() || c.is_none() {
        // Figures, not a verdict: the bench goes on, and shows what the page said.
        let text = page
            .cdp
            .eval(
                &page.session,
                "document.body ? document.body.innerText.slice(0, 400) : ''",
            )
            .await
            .unwrap_or_default();
        println!("      page text: {text}");
    }
    Ok(())
}

/// Each DevTools target is throttled on its own: when the page and the service worker download
/// at once, each gets the full bandwidth. Says so when the bytes could not have crossed one link
/// in the time measured.
fn one_link(bytes: u64, secs: f64) {
    let least = bytes as f64 * 8.0 / TWO_G.down_bits;
    if least > secs {
        println!(
            "      (on one {:.0} kbit/s link these bytes alone take ≥ {least:.1} s: Chromium throttles each target on its own, and the page and the service worker downloaded at the same time)",
            TWO_G.down_bits / 1000.0
        );
    }
}
