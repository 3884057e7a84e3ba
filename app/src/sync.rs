//! The sync client. It runs at start, when the connection comes back, shortly after edits, on a
//! timer and on the "Синхронизировать" button; failures back off exponentially with jitter.
//! After the records, the files attached here go (`files.rs`).
//! Only one tab of a user syncs at a time (Web Locks). Every answer is stored (changes, cursor,
//! acknowledgements) in one transaction before the next request, so a dropped connection costs
//! at most one page again.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Failure};
use crate::browser::LockWait;
use crate::connectivity::{Connectivity, Net};
use crate::local_db::DbState;
use crate::session::SessionCtx;
use crate::store::Store;

/// The sync client as pages reach it: made and provided once, at the app's start
/// ([`provide_sync`]), and taken with [`use_sync`]. What the header shows, and the pages' ways
/// to ask for a sync.
#[derive(Clone, Copy)]
pub struct SyncCtx {
    pub pending: RwSignal<u32>,
    pub refused: RwSignal<usize>,
    pub last_sync_ms: RwSignal<Option<u64>>,
    pub running: RwSignal<bool>,
    /// (received in this sync, still to receive) while a multi-page sync runs.
    pub progress: RwSignal<Option<(usize, u64)>>,
    pub error: RwSignal<Option<String>>,
    /// Records the last full pass took off this computer (access taken away), until read.
    pub dropped: RwSignal<u64>,
    /// The file being sent: (name, bytes the server has, size).
    pub upload: RwSignal<Option<(String, u64, u64)>>,
    /// Another tab of this person was syncing at the last attempt.
    pub other_tab: RwSignal<bool>,
    /// The part of the app that syncs (the chunk `work`) has not arrived yet.
    pub work_missing: RwSignal<bool>,
    /// The chunk `work` is here (its code has run once: nothing is written before).
    pub work_loaded: RwSignal<bool>,
    /// The sync loop runs (it is started once, at the first sign-in).
    started: StoredValue<bool>,
    /// A sync is wanted as soon as possible.
    now: StoredValue<bool>,
    /// When the last edit was saved, until the sync it calls for starts.
    edited_at: StoredValue<Option<f64>>,
    /// The size of a file's piece the link last carried (or had to fall back to): the next
    /// upload starts there, so a bad link is not found again with large pieces at every sync.
    piece: StoredValue<Option<u64>>,
    store: Store,
}

/// Makes the sync client's state (idle) and provides it to every page.
pub fn provide_sync(store: Store) -> SyncCtx {
    let sync = SyncCtx {
        pending: RwSignal::new(0),
        refused: RwSignal::new(0),
        last_sync_ms: RwSignal::new(None),
        running: RwSignal::new(false),
        progress: RwSignal::new(None),
        error: RwSignal::new(None),
        dropped: RwSignal::new(0),
        upload: RwSignal::new(None),
        other_tab: RwSignal::new(false),
        work_missing: RwSignal::new(false),
        work_loaded: RwSignal::new(false),
        started: StoredValue::new(false),
        now: StoredValue::new(false),
        edited_at: StoredValue::new(None),
        piece: StoredValue::new(None),
        store,
    };
    provide_context(sync);
    sync
}

/// The sync client, from a component (or an event handler) under the app.
pub fn use_sync() -> SyncCtx {
    expect_context::<SyncCtx>()
}

impl SyncCtx {
    /// Sync as soon as possible (the button, the connection coming back).
    pub fn sync_now(self) {
        self.now.try_set_value(true);
    }

    /// An edit was saved: sync shortly, once typing pauses.
    pub fn edited(self) {
        self.edited_at.try_set_value(Some(js_sys::Date::now()));
    }

    /// The piece size the last upload ended with, if there was one.
    pub fn piece_size(self) -> Option<u64> {
        self.piece.try_get_value().flatten()
    }

    /// Remembers the piece size the link carries now, for the next upload.
    pub fn remember_piece_size(self, size: u64) {
        self.piece.try_set_value(Some(size));
    }

    /// Starts the sync loop, the first time only (it is then the app's for good).
    pub fn start_once(self, session: SessionCtx, net: Connectivity) {
        if !self
            .started
            .try_update_value(|s| std::mem::replace(s, true))
            .unwrap_or(true)
        {
            self.start(session, net);
        }
    }
}

const AFTER_EDIT_MS: f64 = 1_500.0;
const EVERY_MS: f64 = 60_000.0;
const BUSY_RETRY_MS: f64 = 3_000.0;
const LOCK_WAIT_MS: u32 = 3_000;
const STEAL_AFTER_MS: f64 = 30_000.0;
/// The longest pause after failed syncs (4, 8, 16 s, then this, each ±50 %). Edits wait for it
/// too, so it is short: a server that failed a few times in a row (a restart, an overloaded
/// moment) must not leave a person's work on the computer for minutes once it answers again.
/// While the server cannot be reached at all nothing is tried (the connection check sees it
/// come back and asks for a sync at once), so this does not add load to a server that is down.
const MAX_BACKOFF_MS: f64 = 30_000.0;

impl SyncCtx {
    /// Refreshes the counters from the store.
    pub async fn refresh_counts(self) {
        let (v, store) = (self, self.store);
        if let Ok(n) = store.pending_count().await {
            v.pending.set(n);
        }
        if let Ok(r) = store.refused().await {
            v.refused.set(r.len());
        }
        if let Ok(s) = store.load_device_state().await {
            v.last_sync_ms.set(s.last_sync_ms);
            v.dropped.set(s.dropped);
        }
    }

    /// Starts the sync loop.
    fn start(self, session: SessionCtx, net: Connectivity) {
        let store = self.store;
        // Edits held while the storage was closed are written when it opens, and sent soon
        // after.
        store.write_held_when_open();
        Effect::new(move |before: Option<usize>| {
            let held = store.held().get();
            if held < before.unwrap_or(0) {
                self.edited();
            }
            held
        });
        // Counters follow every change of the store, from any tab.
        Effect::new(move |_| {
            store.revision().track();
            if matches!(store.db_state().get(), DbState::Ready { .. }) {
                spawn_local(self.refresh_counts());
            }
        });
        // The connection came back: sync at once.
        Effect::new(move |was: Option<Net>| {
            let now = net.status();
            if now == Net::Online && was != Some(Net::Online) {
                self.sync_now();
            }
            now
        });
        spawn_local(async move {
            // The periodic sync, and the pause after a failure (edits wait for it too).
            let mut timer_at = 0.0;
            let mut backoff_until = 0.0;
            let mut failures: i32 = 0;
            let mut busy_since: Option<f64> = None;
            let v = self;
            loop {
                TimeoutFuture::new(250).await;
                let DbState::Ready { user, .. } = store.db_state().get_untracked() else {
                    continue;
                };
                let Some(token) = session.token() else {
                    continue;
                };
                let now = js_sys::Date::now();
                let edited_due = self
                    .edited_at
                    .try_get_value()
                    .flatten()
                    .is_some_and(|t| now - t >= AFTER_EDIT_MS);
                let asked = self
                    .now
                    .try_update_value(|n| std::mem::replace(n, false))
                    .unwrap_or(false);
                // While the server is known to be unreachable nothing is attempted (the connection
                // check notices its return): an attempt marks the outbox as sent, and edits made
                // after it can no longer be merged into it.
                let offline = net.status_untracked() == Net::Offline;
                let due =
                    asked || (!offline && now >= backoff_until && (edited_due || now >= timer_at));
                if !due {
                    continue;
                }
                self.edited_at.try_set_value(None);
                let sent_as = token.clone();
                let result = std::rc::Rc::new(std::cell::RefCell::new(None));
                let out = result.clone();
                // A holder that has not let go for long (a page stuck somewhere) is not waited
                // for any more: the exchange is safe to repeat, so two at once lose nothing.
                let wait = match busy_since {
                    Some(since) if now - since > STEAL_AFTER_MS => LockWait::Steal,
                    _ => LockWait::Up(LOCK_WAIT_MS),
                };
                let ran = crate::browser::with_lock(
                    &format!("nastavnik-sync-{user}"),
                    wait,
                    crate::browser::WhenHidden::LetGo,
                    async move {
                        // Records first (an attachment's record says what the file is), then the files.
                        let outcome = match self.run(&token, user).await {
                            Ok(()) => crate::files::upload_pending(store, self, user, &token).await,
                            failed => failed,
                        };
                        *out.borrow_mut() = Some(outcome);
                    },
                )
                .await;
                let outcome = result.borrow_mut().take();
                if ran {
                    busy_since = None;
                } else {
                    busy_since.get_or_insert(now);
                }
                v.other_tab.set(!ran);
                match (ran, outcome) {
                    (true, Some(Ok(()))) => {
                        failures = 0;
                        backoff_until = 0.0;
                        timer_at = js_sys::Date::now() + EVERY_MS;
                    }
                    (false, _) => {
                        // Another tab (or a page the browser keeps in its back-forward cache) holds
                        // the lock: look again shortly rather than at the next periodic sync.
                        timer_at = js_sys::Date::now() + BUSY_RETRY_MS;
                    }
                    (true, Some(Err(failure))) => {
                        // Only a failure of the session now signed in ends it: one that came
                        // back for someone who signed out meanwhile says nothing of the next.
                        session.handle(&sent_as, &failure);
                        failures += 1;
                        let base = (2_000.0 * 2f64.powi(failures.min(10))).min(MAX_BACKOFF_MS);
                        let jitter = 0.5 + js_sys::Math::random();
                        // No sooner than the server asked (its disk is full, it is busy).
                        let asked = match &failure {
                            Failure::Api(e) => e.retry_after_secs.unwrap_or(0) as f64 * 1000.0,
                            Failure::Offline => 0.0,
                        };
                        backoff_until = js_sys::Date::now() + (base * jitter).max(asked);
                        timer_at = backoff_until;
                    }
                    (true, None) => {}
                }
            }
        });
    }

    /// Syncs until nothing is left to send or receive.
    /// Only `user`'s database takes part: once another person signs in here, the exchange
    /// stops where it is (what it had sent is taken again by the next sync of `user`).
    async fn run(self, token: &str, user: uuid::Uuid) -> Result<(), Failure> {
        let (v, store) = (self, self.store);
        v.running.set(true);
        v.error.set(None);
        let mut received = 0usize;
        let result = async {
            loop {
                if store.owner() != Some(user) {
                    return Ok(());
                }
                let request = store.prepare_request(user).await.map_err(|e| {
                    Failure::Api(model::ApiError::new(model::ErrorCode::Internal, e.0))
                })?;
                let sent = request.changes.len();
                let response = api::sync(token, &request).await?;
                if store.owner() != Some(user) {
                    return Ok(());
                }
                let took = store.take_response(user, &response).await.map_err(|e| {
                    Failure::Api(model::ApiError::new(model::ErrorCode::Internal, e.0))
                })?;
                received += took.changes;
                if took.again {
                    continue;
                }
                if response.more {
                    v.progress.set(Some((received, response.remaining)));
                }
                let pending = store.pending_count().await.unwrap_or(0);
                if !response.more && (pending == 0 || sent == 0) {
                    return Ok(());
                }
                // Progress is what the server answered of this request, not the count left:
                // edits typed while the request was on its way are waiting now too, and on a
                // slow link they can outnumber what was sent.
                if sent > 0 && took.settled == 0 && !response.more {
                    // Nothing was settled: stop rather than send the same again and again.
                    return Err(Failure::Api(model::ApiError::new(
                        model::ErrorCode::Internal,
                        "обмен с сервером не продвигается; повторная попытка будет позже.",
                    )));
                }
            }
        }
        .await;
        v.running.set(false);
        v.progress.set(None);
        self.refresh_counts().await;
        match &result {
            Err(f) if store.owner() == Some(user) => v.error.set(Some(match f {
                Failure::Offline => {
                    "Нет связи с сервером: изменения сохранены на компьютере и будут \
                                     отправлены, когда связь появится."
                        .into()
                }
                other => format!("Синхронизация не удалась: {}", other.message()),
            })),
            _ => {}
        }
        result
    }
}
