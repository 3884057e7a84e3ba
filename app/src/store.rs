//! The local store: the only code that reads and writes records in IndexedDB. One edit is one
//! transaction that updates the record and the outbox together, so a closed tab or a crash can
//! never keep one without the other. Pages read through [`watch_record`] and [`watch_kind`],
//! which re-read when anything changes here or in another tab of the same user.

use std::collections::{BTreeMap, HashMap};

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::hlc::DeviceId;
use model::record::{Record, Scope};
use model::sync::client::{self, DeviceState, OutboxOp, Refused};
use model::sync::{Mutation, SyncRequest, SyncResponse};
use serde_json::Value;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::local_db::{self, META, OUTBOX, RECORDS, REFUSED};

const DEVICE_KEY: &str = "device";

/// A failure of the local store, in words for the user.
#[derive(Clone, PartialEq)]
pub struct StoreError(pub String);

impl<E: std::fmt::Display> From<E> for StoreError {
    fn from(e: E) -> Self {
        let text = e.to_string();
        if text.contains("Quota") {
            StoreError(
                "На диске не хватает места: последнее изменение не сохранено. Освободите место \
                 на компьютере и повторите ввод."
                    .into(),
            )
        } else {
            StoreError(format!(
                "Не удалось сохранить на этом компьютере ({text}). Повторите ввод; если ошибка \
                 повторяется, перезапустите браузер."
            ))
        }
    }
}

type Result<T> = std::result::Result<T, StoreError>;

fn open_db() -> Result<Database> {
    local_db::db().ok_or_else(|| {
        StoreError(
            "Хранилище на этом компьютере ещё не открыто. Подождите несколько секунд.".into(),
        )
    })
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    } else {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

// ---- change notifications ----

thread_local! {
    static REVISION: RwSignal<u64> = RwSignal::new(0);
    static CHANNEL: std::cell::RefCell<Option<web_sys::BroadcastChannel>> = const { std::cell::RefCell::new(None) };
}

/// Bumped whenever records or the outbox change, here or in another tab.
pub fn revision() -> RwSignal<u64> {
    REVISION.with(|r| *r)
}

fn announce() {
    revision().update(|r| *r += 1);
    CHANNEL.with(|c| {
        if let Some(c) = c.borrow().as_ref() {
            let _ = c.post_message(&"changed".into());
        }
    });
}

/// Listens to the other tabs of this user (called when the database opens).
pub fn listen_to_other_tabs(user: Uuid) {
    let Ok(channel) = web_sys::BroadcastChannel::new(&format!("nastavnik-{user}")) else {
        return;
    };
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
        revision().update(|r| *r += 1);
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    CHANNEL.with(|c| {
        if let Some(old) = c.borrow_mut().replace(channel) {
            old.close();
        }
    });
}

/// A record, kept current: re-read on every change.
pub fn watch_record(id: Uuid) -> ReadSignal<Option<Record>> {
    let (value, set) = signal(None);
    Effect::new(move |_| {
        revision().track();
        local_db::state().track();
        spawn_local(async move {
            if let Ok(r) = get(id).await {
                set.set(r);
            }
        });
    });
    value
}

/// All records of a kind, kept current.
pub fn watch_kind(kind: &'static str) -> ReadSignal<Vec<Record>> {
    let (value, set) = signal(Vec::new());
    Effect::new(move |_| {
        revision().track();
        local_db::state().track();
        spawn_local(async move {
            if let Ok(r) = by_kind(kind).await {
                set.set(r);
            }
        });
    });
    value
}

// ---- reads ----

pub async fn get(id: Uuid) -> Result<Option<Record>> {
    let db = open_db()?;
    let tx = db.transaction(RECORDS).build()?;
    let store = tx.object_store(RECORDS)?;
    Ok(store.get(id.to_string()).serde()?.await?)
}

pub async fn by_kind(kind: &str) -> Result<Vec<Record>> {
    let db = open_db()?;
    let tx = db.transaction(RECORDS).build()?;
    let store = tx.object_store(RECORDS)?;
    let index = store.index("kind")?;
    let iter = index.get_all().with_query(kind.to_owned()).serde()?.await?;
    Ok(iter.collect::<std::result::Result<Vec<Record>, _>>()?)
}

/// Edits not yet acknowledged by the server.
pub async fn pending_count() -> Result<u32> {
    let db = open_db()?;
    let tx = db.transaction(OUTBOX).build()?;
    Ok(tx.object_store(OUTBOX)?.count().await?)
}

pub async fn refused() -> Result<Vec<Refused>> {
    let db = open_db()?;
    let tx = db.transaction(REFUSED).build()?;
    let iter = tx.object_store(REFUSED)?.get_all().serde()?.await?;
    Ok(iter.collect::<std::result::Result<Vec<Refused>, _>>()?)
}

/// Removes a refused edit from view once a person has read it.
pub async fn dismiss_refused(seq: u64) -> Result<()> {
    let db = open_db()?;
    let tx = db
        .transaction(REFUSED)
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    tx.object_store(REFUSED)?.delete(seq as f64).await?;
    tx.commit().await?;
    announce();
    Ok(())
}

async fn device_state(
    meta: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<DeviceState> {
    let state: Option<DeviceState> = meta.get(DEVICE_KEY).serde()?.await?;
    Ok(state.unwrap_or_else(|| DeviceState::new(DeviceId::from_random(random_bytes::<8>()))))
}

pub async fn load_device_state() -> Result<DeviceState> {
    let db = open_db()?;
    let tx = db.transaction(META).build()?;
    device_state(&tx.object_store(META)?).await
}

// ---- writes ----

/// Which record an edit goes to (created on its first edit).
#[derive(Clone)]
pub struct Target {
    pub id: Uuid,
    pub kind: &'static str,
    pub scope: Scope,
    pub parent: Option<Uuid>,
}

thread_local! {
    static SAVING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Edits being written right now: closing the page must wait for them.
pub fn saving() -> u32 {
    SAVING.with(|s| s.get())
}

struct SavingGuard;

impl SavingGuard {
    fn new() -> SavingGuard {
        SAVING.with(|s| s.set(s.get() + 1));
        SavingGuard
    }
}

impl Drop for SavingGuard {
    fn drop(&mut self) {
        SAVING.with(|s| s.set(s.get().saturating_sub(1)));
    }
}

/// Writes fields of a record: one transaction over the record, the outbox and the device
/// state. When it returns Ok, the edit is durable on this computer.
pub async fn edit(target: &Target, fields: BTreeMap<String, Value>) -> Result<()> {
    let _saving = SavingGuard::new();
    let db = open_db()?;
    let tx = db
        .transaction([META, RECORDS, OUTBOX])
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let meta = tx.object_store(META)?;
    let records = tx.object_store(RECORDS)?;
    let outbox = tx.object_store(OUTBOX)?;
    let mut state = device_state(&meta).await?;
    let mut record: Record = records
        .get(target.id.to_string())
        .serde()?
        .await?
        .unwrap_or_else(|| {
            Record::new(target.id, target.kind, target.scope.clone(), target.parent)
        });
    let pending: Option<Mutation> = outbox
        .index("record")?
        .get_all()
        .with_query(target.id.to_string())
        .serde()?
        .await?
        .filter_map(|m: std::result::Result<Mutation, _>| m.ok())
        .max_by_key(|m| m.seq);
    let op = client::edit(&mut state, now_ms(), &mut record, fields, pending.as_ref());
    let m = match op {
        OutboxOp::Append(m) | OutboxOp::Replace(m) => m,
    };
    outbox.put(&m).serde()?.await?;
    records.put(&record).serde()?.await?;
    meta.put(&state)
        .with_key(DEVICE_KEY.to_owned())
        .serde()?
        .await?;
    tx.commit().await?;
    announce();
    Ok(())
}

/// The next sync request. The "sent" mark is stored before the request leaves, so a later edit
/// never changes a mutation the server may already have.
pub async fn prepare_request() -> Result<SyncRequest> {
    let db = open_db()?;
    let tx = db
        .transaction([META, OUTBOX])
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let meta = tx.object_store(META)?;
    let mut state = device_state(&meta).await?;
    let outbox: Vec<Mutation> = tx
        .object_store(OUTBOX)?
        .get_all()
        .with_limit(model::sync::MAX_PUSH as u32)
        .serde()?
        .await?
        .collect::<std::result::Result<_, _>>()?;
    let request = client::request(&mut state, &outbox);
    meta.put(&state)
        .with_key(DEVICE_KEY.to_owned())
        .serde()?
        .await?;
    tx.commit().await?;
    Ok(request)
}

/// Takes a server answer in, in one transaction: the pulled changes, the new cursor, the
/// refused edits, and only then the removal of acknowledged edits from the outbox.
/// Returns how many changes it brought.
pub async fn take_response(response: &SyncResponse) -> Result<usize> {
    let db = open_db()?;
    let tx = db
        .transaction([META, RECORDS, OUTBOX, REFUSED])
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let meta = tx.object_store(META)?;
    let records_store = tx.object_store(RECORDS)?;
    let outbox_store = tx.object_store(OUTBOX)?;
    let refused_store = tx.object_store(REFUSED)?;
    let mut state = device_state(&meta).await?;

    let mut outbox = Vec::new();
    for ack in &response.acks {
        if let Some(m) = outbox_store.get(ack.seq as f64).serde()?.await? {
            outbox.push(m);
        }
    }
    let mut records: HashMap<Uuid, Record> = HashMap::new();
    for id in client::records_needed(&outbox, response) {
        if let Some(r) = records_store.get(id.to_string()).serde()?.await? {
            records.insert(id, r);
        }
    }
    let taken = client::take_response(&mut state, now_ms(), &outbox, &mut records, response);
    for id in &taken.changed {
        if let Some(r) = records.get(id) {
            records_store.put(r).serde()?.await?;
        }
    }
    for r in &taken.refused {
        refused_store.put(r).serde()?.await?;
    }
    for seq in &taken.acked {
        outbox_store.delete(*seq as f64).await?;
    }
    meta.put(&state)
        .with_key(DEVICE_KEY.to_owned())
        .serde()?
        .await?;
    tx.commit().await?;
    if !taken.changed.is_empty() || !taken.acked.is_empty() {
        announce();
    }
    Ok(response.changes.len())
}
