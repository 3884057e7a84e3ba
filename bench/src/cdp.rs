//! The Chrome DevTools protocol spoken directly over the browser's WebSocket (flat sessions),
//! for what ChromeDriver's `goog/cdp/execute` cannot do: receive events and reach other targets
//! than the page, the service worker above all.
//!
//! [`Link`] emulates one network link on every target of the browser: it auto-attaches to each
//! target as it starts (the browser holds a new one until told to run), sets the same network
//! conditions on it before it makes a request, and logs every request each target makes with
//! the bytes it received.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

/// A DevTools event: its session (none for the browser's own) and method.
pub struct Event {
    pub session: Option<String>,
    pub method: String,
    pub params: Value,
}

/// One connection to the browser's DevTools endpoint.
pub struct Cdp {
    out: mpsc::UnboundedSender<String>,
    pending: Pending,
    next: AtomicU64,
}

impl Cdp {
    /// Connects to `debugger` (`host:port`, as ChromeDriver reports it in
    /// `goog:chromeOptions.debuggerAddress`); the events arrive on the receiver.
    pub async fn connect(
        debugger: &str,
    ) -> anyhow::Result<(Arc<Cdp>, mpsc::UnboundedReceiver<Event>)> {
        let version: Value = reqwest::get(format!("http://{debugger}/json/version"))
            .await?
            .json()
            .await?;
        let ws_url = version["webSocketDebuggerUrl"]
            .as_str()
            .context("no webSocketDebuggerUrl")?;
        let (ws, _) = tokio_tungstenite::connect_async(ws_url).await?;
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(text) = out_rx.recv().await {
                if sink.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let (events, events_rx) = mpsc::unbounded_channel();
        let waiting = pending.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                if let Some(id) = v["id"].as_u64() {
                    let reply = match v.get("error") {
                        Some(e) => Err(e.to_string()),
                        None => Ok(v["result"].clone()),
                    };
                    if let Some(tx) = waiting.lock().expect("pending").remove(&id) {
                        let _ = tx.send(reply);
                    }
                } else if let Some(method) = v["method"].as_str() {
                    let _ = events.send(Event {
                        session: v["sessionId"].as_str().map(str::to_owned),
                        method: method.to_owned(),
                        params: v["params"].clone(),
                    });
                }
            }
            // The browser is gone: every call still waiting fails.
            waiting.lock().expect("pending").clear();
        });
        Ok((
            Arc::new(Cdp {
                out,
                pending,
                next: AtomicU64::new(1),
            }),
            events_rx,
        ))
    }

    /// Sends a command (to a target's session, or to the browser) and waits for its answer.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Value> {
        self.send(session, method, params)?.await
    }

    /// Sends a command now; the answer is awaited later (commands sent one after another reach
    /// the target in that order).
    pub fn send(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> anyhow::Result<impl Future<Output = anyhow::Result<Value>> + use<>> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().expect("pending").insert(id, tx);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.out.send(message.to_string())?;
        let method = method.to_owned();
        Ok(async move {
            match tokio::time::timeout(Duration::from_secs(120), rx).await {
                Ok(Ok(Ok(result))) => Ok(result),
                Ok(Ok(Err(e))) => bail!("{method}: {e}"),
                Ok(Err(_)) => bail!("{method}: the browser closed the connection"),
                Err(_) => bail!("{method}: no answer in 120 s"),
            }
        })
    }

    /// Evaluates a JS expression in a page and returns its value (`null` when it threw).
    pub async fn eval(&self, session: &str, expression: &str) -> anyhow::Result<Value> {
        let r = self
            .call(
                Some(session),
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
            )
            .await?;
        if r.get("exceptionDetails").is_some() {
            return Ok(Value::Null);
        }
        Ok(r["result"]["value"].clone())
    }
}

/// Network conditions, as `Network.emulateNetworkConditions` takes them.
#[derive(Clone, Copy, Debug)]
pub struct Conditions {
    pub offline: bool,
    /// Round trip added to each request, ms.
    pub latency_ms: f64,
    /// Bits per second.
    pub down_bits: f64,
    pub up_bits: f64,
}

impl Conditions {
    fn params(self) -> Value {
        json!({
            "offline": self.offline,
            "latency": self.latency_ms,
            "downloadThroughput": self.down_bits / 8.0,
            "uploadThroughput": self.up_bits / 8.0,
            "connectionType": "cellular2g",
        })
    }
}

/// One request as a target made it.
#[derive(Clone, Debug)]
pub struct Transfer {
    /// The target's type: `page`, `service_worker`, …
    pub target: String,
    pub url: String,
    pub started: Instant,
    pub finished: Option<Instant>,
    /// Bytes received for it, headers included, compressed as they came
    /// (`Network.loadingFinished.encodedDataLength`).
    pub bytes: u64,
    /// Answered by the service worker (its own request, if it made one, is logged apart).
    pub by_worker: bool,
    /// Answered from the browser's HTTP cache.
    pub cached: bool,
    pub failed: Option<String>,
}

impl Transfer {
    /// Whether its bytes crossed the network: finished, not from a cache or the service worker.
    pub fn on_wire(&self) -> bool {
        self.finished.is_some() && self.failed.is_none() && !self.by_worker && !self.cached
    }
}

struct Attached {
    target_id: String,
    kind: String,
    /// Set up: its requests are logged and go through the link.
    ready: bool,
}

/// The emulated link: every target of the browser under the same conditions, every request
/// logged.
pub struct Link {
    pub cdp: Arc<Cdp>,
    conditions: Mutex<Conditions>,
    /// `false`: the page alone is emulated (to see what that does to the service worker).
    workers_too: bool,
    sessions: Mutex<HashMap<String, Attached>>,
    log: Mutex<Vec<Transfer>>,
    index: Mutex<HashMap<(String, String), usize>>,
}

/// The target types whose requests go through the link. (The browser's auto-attach reaches
/// the top-level ones: pages and service workers; a page's frames and dedicated workers would
/// need the page's own auto-attach, and this app has none.)
const NETWORK_TARGETS: [&str; 5] = [
    "page",
    "iframe",
    "service_worker",
    "shared_worker",
    "worker",
];

impl Link {
    /// Attaches to every target of the browser, present and future, and sets `conditions` on
    /// each before it runs.
    pub async fn start(
        cdp: Arc<Cdp>,
        mut events: mpsc::UnboundedReceiver<Event>,
        conditions: Conditions,
        workers_too: bool,
    ) -> anyhow::Result<Arc<Link>> {
        let link = Arc::new(Link {
            cdp,
            conditions: Mutex::new(conditions),
            workers_too,
            sessions: Mutex::default(),
            log: Mutex::default(),
            index: Mutex::default(),
        });
        let watcher = link.clone();
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                watcher.on_event(event);
            }
        });
        link.cdp
            .call(
                None,
                "Target.setAutoAttach",
                json!({ "autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true }),
            )
            .await?;
        Ok(link)
    }

    fn on_event(self: &Arc<Self>, e: Event) {
        let p = &e.params;
        match e.method.as_str() {
            "Target.attachedToTarget" => {
                let session = p["sessionId"].as_str().unwrap_or_default().to_owned();
                let target_id = p["targetInfo"]["targetId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let kind = p["targetInfo"]["type"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let waiting = p["waitingForDebugger"].as_bool().unwrap_or(false);
                // A target attached twice (it should not be, with the browser's auto-attach
                // alone) is logged once.
                let first = {
                    let mut sessions = self.sessions.lock().expect("sessions");
                    let first = !sessions.values().any(|a| a.target_id == target_id);
                    sessions.insert(
                        session.clone(),
                        Attached {
                            target_id,
                            kind: kind.clone(),
                            ready: false,
                        },
                    );
                    first
                };
                let link = self.clone();
                tokio::spawn(async move {
                    match link.set_up(&session, &kind, waiting, first).await {
                        Ok(()) => {
                            if let Some(a) =
                                link.sessions.lock().expect("sessions").get_mut(&session)
                            {
                                a.ready = true;
                            }
                        }
                        Err(err) => {
                            eprintln!("  (DevTools: setting up a {kind} target failed: {err})")
                        }
                    }
                });
            }
            "Target.detachedFromTarget" => {
                if let Some(s) = p["sessionId"].as_str() {
                    self.sessions.lock().expect("sessions").remove(s);
                }
            }
            "Network.requestWillBeSent" => {
                let url = p["request"]["url"].as_str().unwrap_or_default();
                if !url.starts_with("http") {
                    return;
                }
                let Some(key) = key(&e) else { return };
                let target = self
                    .sessions
                    .lock()
                    .expect("sessions")
                    .get(&key.0)
                    .map(|a| a.kind.clone())
                    .unwrap_or_default();
                let mut log = self.log.lock().expect("log");
                let mut index = self.index.lock().expect("index");
                // A redirect reuses the request's id: its first leg ends here.
                if let Some(&i) = index.get(&key) {
                    let t = &mut log[i];
                    if t.finished.is_none() {
                        t.finished = Some(Instant::now());
                        t.bytes = p["redirectResponse"]["encodedDataLength"]
                            .as_u64()
                            .unwrap_or(0);
                    }
                }
                index.insert(key, log.len());
                log.push(Transfer {
                    target,
                    url: url.to_owned(),
                    started: Instant::now(),
                    finished: None,
                    bytes: 0,
                    by_worker: false,
                    cached: false,
                    failed: None,
                });
            }
            "Network.requestServedFromCache" => {
                self.update(&e, |t| t.cached = true);
            }
            "Network.responseReceived" => {
                let r = &p["response"];
                let by_worker = r["fromServiceWorker"].as_bool().unwrap_or(false);
                let cached = r["fromDiskCache"].as_bool().unwrap_or(false)
                    || r["fromPrefetchCache"].as_bool().unwrap_or(false);
                self.update(&e, |t| {
                    t.by_worker |= by_worker;
                    t.cached |= cached;
                });
            }
            "Network.loadingFinished" => {
                let bytes = p["encodedDataLength"].as_f64().unwrap_or(0.0) as u64;
                self.update(&e, |t| {
                    t.finished = Some(Instant::now());
                    t.bytes = bytes;
                });
            }
            "Network.loadingFailed" => {
                let error = p["errorText"].as_str().unwrap_or("failed").to_owned();
                self.update(&e, |t| {
                    t.finished = Some(Instant::now());
                    t.failed = Some(error);
                });
            }
            _ => {}
        }
    }

    fn update(&self, e: &Event, f: impl FnOnce(&mut Transfer)) {
        let Some(key) = key(e) else { return };
        let i = self.index.lock().expect("index").get(&key).copied();
        if let Some(i) = i {
            f(&mut self.log.lock().expect("log")[i]);
        }
    }

    /// Enables the network log of a new target and sets the link's conditions on it, then lets
    /// it run (each command answered before the next is sent: sent all at once, the worker
    /// sometimes started before its conditions took effect and fetched at full speed).
    async fn set_up(
        &self,
        session: &str,
        kind: &str,
        waiting: bool,
        first: bool,
    ) -> anyhow::Result<()> {
        let s = Some(session);
        let network = NETWORK_TARGETS.contains(&kind);
        if network && first {
            self.cdp.call(s, "Network.enable", json!({})).await?;
        }
        if network && (kind == "page" || self.workers_too) {
            let conditions = *self.conditions.lock().expect("conditions");
            self.cdp
                .call(s, "Network.emulateNetworkConditions", conditions.params())
                .await?;
        }
        if waiting {
            self.cdp
                .call(s, "Runtime.runIfWaitingForDebugger", json!({}))
                .await?;
        }
        Ok(())
    }

    /// Sets new conditions on every target now attached and on those to come.
    pub async fn set(&self, conditions: Conditions) -> anyhow::Result<()> {
        *self.conditions.lock().expect("conditions") = conditions;
        let sessions: Vec<(String, String)> = self
            .sessions
            .lock()
            .expect("sessions")
            .iter()
            .map(|(s, a)| (s.clone(), a.kind.clone()))
            .collect();
        for (session, kind) in sessions {
            if kind == "page" {
                self.cdp
                    .call(
                        Some(&session),
                        "Network.emulateNetworkConditions",
                        conditions.params(),
                    )
                    .await?;
            } else if self.workers_too && NETWORK_TARGETS.contains(&kind.as_str()) {
                // A worker may have stopped meanwhile; the one that starts next is attached
                // and held anew, and gets the new conditions then.
                let _ = self
                    .cdp
                    .call(
                        Some(&session),
                        "Network.emulateNetworkConditions",
                        conditions.params(),
                    )
                    .await;
            }
        }
        Ok(())
    }

    /// The session of the (first) page.
    pub async fn page(&self) -> anyhow::Result<String> {
        for _ in 0..100 {
            let page = self
                .sessions
                .lock()
                .expect("sessions")
                .iter()
                .find(|(_, a)| a.kind == "page" && a.ready)
                .map(|(s, _)| s.clone());
            if let Some(page) = page {
                return Ok(page);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("no page target")
    }

    /// The types of the targets attached now.
    pub fn target_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self
            .sessions
            .lock()
            .expect("sessions")
            .values()
            .map(|a| a.kind.clone())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Transfer> {
        self.log.lock().expect("log").clone()
    }
}

fn key(e: &Event) -> Option<(String, String)> {
    Some((
        e.session.clone()?,
        e.params["requestId"].as_str()?.to_owned(),
    ))
}
