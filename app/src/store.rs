//! The local store: the only code that reads and writes records in IndexedDB. One edit is one
//! transaction that updates the record and the outbox together, so a closed tab or a crash can
//! never keep one without the other. Pages read through [`Store::watch_record`] and
//! [`Store::watch_kind`],
//! which re-read when anything changes here or in another tab of the same user.

use std::collections::{BTreeMap, HashMap};

use indexed_db_futures::KeyRange;
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
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

pub use crate::local_db::DbState;
use crate::local_db::{FILES, LocalDb, META, OUTBOX, RECORDS, REFUSED};

const DEVICE_KEY: &str = "device";
/// How often edits held in the tab are tried again while the storage stays open.
const HELD_RETRY_MS: u32 = 5_000;

/// A failure of the local store, in words for the user, and what kind of failure it is.
#[derive(Clone, PartialEq)]
pub struct StoreError(pub String, Trouble);

#[derive(Clone, PartialEq)]
enum Trouble {
    Other,
    /// The browser could not write because the storage is closed or cannot grow (a full disk):
    /// what happened, without advice. An edit that meets it is held ([`Store::edit`]).
    Storage(String),
    /// The edit was held, to be written when the storage opens again.
    Held,
}

impl StoreError {
    /// A failure said in these words.
    pub fn new(text: impl Into<String>) -> StoreError {
        StoreError(text.into(), Trouble::Other)
    }

    /// The edit is held in this tab and will be written once the storage opens again.
    pub fn held(&self) -> bool {
        self.1 == Trouble::Held
    }
}

impl<E: std::fmt::Display> From<E> for StoreError {
    fn from(e: E) -> Self {
        // The browser's own words (in English) go to the console, not to the person.
        let text = e.to_string();
        web_sys::console::warn_1(&format!("local storage: {text}").into());
        if text.contains("Quota") {
            StoreError(
                "На диске не хватает места: последнее изменение не сохранено. Освободите место \
                 на компьютере и повторите ввод."
                    .into(),
                Trouble::Storage("На диске этого компьютера не хватает места.".into()),
            )
        } else if ["AbortError", "UnknownError", "connection is closing"]
            .iter()
            .any(|s| text.contains(s))
        {
            // What Chromium says when it cannot write its files (a full disk): it aborts the
            // transaction and closes the database, which is then opened again by itself.
            let cause = "Браузер не смог записать на диск этого компьютера — скорее всего, на \
                         нём кончилось место."
                .to_owned();
            StoreError(
                format!(
                    "{cause} Последнее изменение не сохранено: освободите место на диске и \
                     повторите ввод."
                ),
                Trouble::Storage(cause),
            )
        } else {
            StoreError::new(
                "Не удалось сохранить на этом компьютере. Повторите ввод; если ошибка \
                 повторяется, перезапустите браузер.",
            )
        }
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// A value as IndexedDB keeps it: a plain object made from the value's JSON, so the same serde
/// code serves the wire and the store.
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue> {
    let json = serde_json::to_string(value)?;
    js_sys::JSON::parse(&json).map_err(js_error)
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T> {
    let json: String = js_sys::JSON::stringify(&value).map_err(js_error)?.into();
    Ok(serde_json::from_str(&json)?)
}

fn js_error(e: JsValue) -> StoreError {
    StoreError::from(e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

/// Every value of an iterator of stored objects.
fn all<T: serde::de::DeserializeOwned, E: std::fmt::Display>(
    iter: impl Iterator<Item = std::result::Result<JsValue, E>>,
) -> Result<Vec<T>> {
    iter.map(|v| from_js(v?)).collect()
}

/// The local store as pages reach it: made and provided once, at the app's start
/// ([`provide_store`]), and taken with [`use_store`]. Its parts are handles owned by the app's
/// root, so a copy is as good as the original and can go into event handlers and tasks.
#[derive(Clone, Copy)]
pub struct Store {
    db: LocalDb,
    /// Bumped whenever records or the outbox change, here or in another tab.
    revision: RwSignal<u64>,
    /// Tells the person's other tabs that something changed.
    channel: StoredValue<Option<web_sys::BroadcastChannel>, LocalStorage>,
    /// The server's time minus this computer's, as last learnt (for dating new ids).
    offset_ms: StoredValue<i64>,
    /// Edits being written right now: closing the page must wait for them.
    saving: StoredValue<u32>,
    /// Edits the browser could not write because its storage was closed or full, kept while
    /// the tab lives and written as soon as the person's storage is open again.
    holding: StoredValue<Holding, LocalStorage>,
    /// How many records have edits held (the header says so, and closing the page asks first).
    held_count: RwSignal<usize>,
    /// Told once every held edit is written (fields then take back their "not saved").
    on_written: StoredValue<Vec<Box<dyn FnOnce()>>, LocalStorage>,
}

/// Edits held in this tab, and what orders them.
#[derive(Default)]
struct Holding {
    /// The number of the next edit: edits are numbered as they are made, and may fail or
    /// succeed in another order (they are written concurrently).
    next: u64,
    held: Vec<Held>,
    /// The number of the latest edit written to each field since edits began to be held, so
    /// that an earlier edit failing later is never written over it.
    written: HashMap<(Uuid, String), u64>,
}

impl Holding {
    /// Holds the fields of an edit numbered `number`: one entry per record, where a field keeps
    /// the value of its latest edit.
    fn hold(&mut self, user: Uuid, target: &Target, fields: BTreeMap<String, (u64, Value)>) {
        let at = match self
            .held
            .iter()
            .position(|h| h.user == user && h.target.id == target.id)
        {
            Some(at) => at,
            None => {
                self.held.push(Held {
                    user,
                    target: target.clone(),
                    fields: BTreeMap::new(),
                });
                self.held.len() - 1
            }
        };
        for (name, (number, value)) in fields {
            if self
                .written
                .get(&(target.id, name.clone()))
                .is_some_and(|&w| w > number)
            {
                continue;
            }
            let kept = &mut self.held[at].fields;
            if kept.get(&name).is_none_or(|(n, _)| *n < number) {
                kept.insert(name, (number, value));
            }
        }
        self.held.retain(|h| !h.fields.is_empty());
    }

    fn wrote(&mut self, target: &Target, fields: impl Iterator<Item = (String, u64)>) {
        for (name, number) in fields {
            let w = self.written.entry((target.id, name)).or_default();
            *w = (*w).max(number);
        }
    }
}

/// Edits of one record not yet written on this computer, and whose they are: each field with
/// the number of the edit that gave its value.
struct Held {
    user: Uuid,
    target: Target,
    fields: BTreeMap<String, (u64, Value)>,
}

/// Makes the store (its database closed) and provides it to every page.
pub fn provide_store() -> Store {
    let store = Store {
        db: LocalDb::closed(),
        revision: RwSignal::new(0),
        channel: StoredValue::new_local(None),
        offset_ms: StoredValue::new(0),
        saving: StoredValue::new(0),
        holding: StoredValue::new_local(Holding::default()),
        held_count: RwSignal::new(0),
        on_written: StoredValue::new_local(Vec::new()),
    };
    provide_context(store);
    store
}

/// The store, from a component (or an event handler) under the app.
pub fn use_store() -> Store {
    expect_context::<Store>()
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

impl Store {
    /// The person's database on this computer (opened at sign-in, closed at sign-out).
    pub fn local_db(self) -> LocalDb {
        self.db
    }

    /// Whether the database is open, and whose it is.
    pub fn db_state(self) -> RwSignal<DbState> {
        self.db.state()
    }

    /// The open database if it is `user`'s.
    fn open_db_of(self, user: Uuid) -> Result<Database> {
        if self.db.owner() != Some(user) {
            return Err(StoreError::new(
                "На этом компьютере вошёл другой человек: обмен прежнего остановлен.",
            ));
        }
        self.open_db()
    }

    /// Whose database is open, if any.
    pub fn owner(self) -> Option<Uuid> {
        self.db.owner()
    }

    fn open_db(self) -> Result<Database> {
        self.db
            .db()
            .ok_or_else(|| match self.db.state().get_untracked() {
                // Why it did not open, and what to do.
                DbState::Failed { message } => StoreError(
                    message,
                    Trouble::Storage("Хранилище на этом компьютере закрыто.".into()),
                ),
                _ => StoreError(
                    "Хранилище на этом компьютере ещё не открыто. Подождите несколько секунд."
                        .into(),
                    Trouble::Storage("Хранилище на этом компьютере ещё не открыто.".into()),
                ),
            })
    }

    fn remember_offset(self, state: &DeviceState) {
        self.offset_ms.try_set_value(state.clock.offset_ms);
    }

    /// A new record id: UUIDv7 (time-ordered), made on this device and dated by its clock
    /// corrected by the server's time (a computer whose clock runs fast still makes ids the
    /// server takes).
    pub fn new_id(self) -> Uuid {
        let offset = self.offset_ms.try_get_value().unwrap_or(0);
        let now = (now_ms() as i64).saturating_add(offset).max(0) as u64;
        uuid::Builder::from_unix_timestamp_millis(now, &random_bytes::<10>()).into_uuid()
    }

    // ---- change notifications ----

    /// Bumped whenever records or the outbox change, here or in another tab.
    pub fn revision(self) -> RwSignal<u64> {
        self.revision
    }

    fn announce(self) {
        self.revision.try_update(|r| *r += 1);
        self.channel.with_value(|c| {
            if let Some(c) = c {
                let _ = c.post_message(&"changed".into());
            }
        });
    }

    /// Listens to the other tabs of this user (called when the database opens).
    pub fn listen_to_other_tabs(self, user: Uuid) {
        let Ok(channel) = web_sys::BroadcastChannel::new(&format!("nastavnik-{user}")) else {
            return;
        };
        let revision = self.revision;
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
            revision.try_update(|r| *r += 1);
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        if let Some(old) = self
            .channel
            .try_update_value(|c| c.replace(channel))
            .flatten()
        {
            old.close();
        }
    }

    /// A record, kept current: re-read on every change.
    pub fn watch_record(self, id: Uuid) -> ReadSignal<Option<Record>> {
        self.watch(None, move |store| store.get(id))
    }

    /// This device's id, once the person's storage is open: whose writes a record holds were
    /// made here (a device is not told who owns a record, but what it wrote is its person's).
    pub fn watch_device(self) -> ReadSignal<Option<model::hlc::DeviceId>> {
        self.watch(None, move |store| store.device())
    }

    /// All records of a kind, kept current.
    pub fn watch_kind(self, kind: &'static str) -> ReadSignal<Vec<Record>> {
        self.watch(Vec::new(), move |store| store.by_kind(kind))
    }

    /// What `read` gives, read again whenever anything changes here or in another tab.
    fn watch<T, F>(self, initial: T, read: impl Fn(Store) -> F + Copy + 'static) -> ReadSignal<T>
    where
        T: PartialEq + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T>> + 'static,
    {
        let (value, set) = signal(initial);
        Effect::new(move |_| {
            self.revision.track();
            self.db.state().track();
            spawn_local(async move {
                // An unchanged value does not wake the page (most changes are to other
                // records). The page may have been left while this read ran: then nobody is
                // told.
                if let Ok(r) = read(self).await
                    && value.try_with_untracked(|v| v != &r) == Some(true)
                {
                    set.try_set(r);
                }
            });
        });
        value
    }
}

// ---- reads ----

impl Store {
    pub async fn get(self, id: Uuid) -> Result<Option<Record>> {
        let db = self.open_db()?;
        let tx = db.transaction(RECORDS).build()?;
        let store = tx.object_store(RECORDS)?;
        let value: Option<JsValue> = store.get(id.to_string()).primitive()?.await?;
        value.map(from_js).transpose()
    }

    pub async fn by_kind(self, kind: &str) -> Result<Vec<Record>> {
        let db = self.open_db()?;
        let tx = db.transaction(RECORDS).build()?;
        let store = tx.object_store(RECORDS)?;
        let index = store.index("kind")?;
        all(index
            .get_all()
            .with_query(kind.to_owned())
            .primitive()?
            .await?)
    }

    /// This device's id (whose writes a record holds were made here); `None` before its first
    /// edit or sync, when nothing here was written by it.
    pub async fn device(self) -> Result<Option<model::hlc::DeviceId>> {
        let db = self.open_db()?;
        let tx = db.transaction(META).build()?;
        let stored: Option<JsValue> = tx.object_store(META)?.get(DEVICE_KEY).primitive()?.await?;
        Ok(stored
            .map(from_js::<DeviceState>)
            .transpose()?
            .map(|s| s.device))
    }

    /// Edits not yet acknowledged by the server.
    pub async fn pending_count(self) -> Result<u32> {
        let db = self.open_db()?;
        let tx = db.transaction(OUTBOX).build()?;
        Ok(tx.object_store(OUTBOX)?.count().await?)
    }

    pub async fn refused(self) -> Result<Vec<Refused>> {
        let db = self.open_db()?;
        let tx = db.transaction(REFUSED).build()?;
        all(tx.object_store(REFUSED)?.get_all().primitive()?.await?)
    }

    /// The records held here that await a person's decision — deleted on one computer while
    /// edited on another ([`Record::deletion_conflict`]) — each with its parent (what may be
    /// decided can depend on it), and this device's id (whose records it made). Read through
    /// the list the device state keeps; a state stored before that list was kept has it made
    /// once, from every record held here.
    pub async fn undecided(self) -> Result<Undecided> {
        let db = self.open_db()?;
        let (device, listed) = {
            let tx = db.transaction(META).build()?;
            let state = device_state(&tx.object_store(META)?).await?;
            (state.device, state.undecided)
        };
        let ids = match listed {
            Some(ids) => ids,
            None => self.list_undecided().await?,
        };
        let tx = db.transaction(RECORDS).build()?;
        let records = tx.object_store(RECORDS)?;
        let mut found = Vec::new();
        for id in ids {
            let stored: Option<JsValue> = records.get(id.to_string()).primitive()?.await?;
            let Some(record) = stored.map(from_js::<Record>).transpose()? else {
                continue;
            };
            if !record.deletion_conflict() {
                continue;
            }
            let parent = match record.parent {
                Some(p) => {
                    let stored: Option<JsValue> = records.get(p.to_string()).primitive()?.await?;
                    stored.map(from_js::<Record>).transpose()?
                }
                None => None,
            };
            found.push((record, parent));
        }
        Ok(Undecided {
            device,
            records: found,
        })
    }

    /// Makes the device state's list of records awaiting a decision from every record held
    /// here (once: a state stored before the list was kept).
    async fn list_undecided(self) -> Result<std::collections::BTreeSet<Uuid>> {
        let db = self.open_db()?;
        let tx = db
            .transaction([META, RECORDS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let mut state = device_state(&meta).await?;
        if state.undecided.is_none() {
            // A record this version cannot read is passed over, not a reason to look through
            // everything again at every change.
            let held: Vec<Record> = tx
                .object_store(RECORDS)?
                .get_all()
                .primitive()?
                .await?
                .filter_map(|v| v.ok().and_then(|v| from_js(v).ok()))
                .collect();
            state.note_decisions(held.iter());
            meta.put(to_js(&state)?)
                .with_key(DEVICE_KEY.to_owned())
                .primitive()?
                .await?;
        }
        tx.commit().await?;
        Ok(state.undecided.unwrap_or_default())
    }

    /// Removes a refused edit from view once a person has read it.
    pub async fn dismiss_refused(self, seq: u64) -> Result<()> {
        let db = self.open_db()?;
        let tx = db
            .transaction(REFUSED)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(REFUSED)?.delete(seq as f64).await?;
        tx.commit().await?;
        self.announce();
        Ok(())
    }
}

/// Records awaiting a person's decision ([`Store::undecided`]).
#[derive(Clone, PartialEq)]
pub struct Undecided {
    /// This device: a record whose first write is its own was made here.
    pub device: model::hlc::DeviceId,
    /// Each record with its parent, if held.
    pub records: Vec<(Record, Option<Record>)>,
}

/// Marks every file kept here as not yet sent, so the next sync offers each to the server again
/// (the server says what it has and what it needs).
async fn offer_again(files: &indexed_db_futures::object_store::ObjectStore<'_>) -> Result<()> {
    let kept: Vec<JsValue> = files
        .get_all()
        .primitive()?
        .await?
        .collect::<std::result::Result<_, _>>()?;
    for f in kept {
        js_sys::Reflect::set(&f, &"uploaded".into(), &false.into()).map_err(js_error)?;
        files.put(f).primitive()?.await?;
    }
    Ok(())
}

async fn device_state(
    meta: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<DeviceState> {
    let state: Option<JsValue> = meta.get(DEVICE_KEY).primitive()?.await?;
    match state {
        Some(v) => from_js(v),
        None => Ok(DeviceState::new(DeviceId::from_random(random_bytes::<8>()))),
    }
}

impl Store {
    /// This device's sync state; made (with a new device id) and stored on first use, so the id
    /// is the same for every reader from then on.
    pub async fn load_device_state(self) -> Result<DeviceState> {
        let db = self.open_db()?;
        let tx = db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let stored: Option<JsValue> = meta.get(DEVICE_KEY).primitive()?.await?;
        let state = match stored {
            Some(v) => from_js(v)?,
            None => {
                let state = DeviceState::new(DeviceId::from_random(random_bytes::<8>()));
                meta.put(to_js(&state)?)
                    .with_key(DEVICE_KEY.to_owned())
                    .primitive()?
                    .await?;
                state
            }
        };
        tx.commit().await?;
        self.remember_offset(&state);
        Ok(state)
    }
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

/// Counts an edit being written for as long as it lives.
struct SavingGuard(StoredValue<u32>);

impl SavingGuard {
    fn new(saving: StoredValue<u32>) -> SavingGuard {
        saving.try_update_value(|s| *s += 1);
        SavingGuard(saving)
    }
}

impl Drop for SavingGuard {
    fn drop(&mut self) {
        self.0.try_update_value(|s| *s = s.saturating_sub(1));
    }
}

impl Store {
    /// Edits being written right now: closing the page must wait for them.
    pub fn saving(self) -> u32 {
        self.saving.try_get_value().unwrap_or(0)
    }

    /// Edits written on this computer's storage only in memory so far, waiting for it to open.
    pub fn held(self) -> RwSignal<usize> {
        self.held_count
    }

    /// From now on, writes the held edits as soon as their person's storage opens (again).
    /// Called once, by the sync loop's start (so that the writing lives in the chunk of the
    /// work, not in the sign-in page's).
    pub fn write_held_when_open(self) {
        Effect::new(move |_| {
            if let DbState::Ready { user, .. } = self.db_state().get() {
                spawn_local(async move {
                    let _ = self.write_edits(user, None).await;
                });
            }
        });
        // A full disk does not always close the storage: the browser may refuse a write
        // ("quota") and keep the database open. The held edits are then tried again every few
        // seconds, and go in once there is room.
        spawn_local(async move {
            loop {
                gloo_timers::future::TimeoutFuture::new(HELD_RETRY_MS).await;
                if self.held_count.try_get_untracked().unwrap_or(0) == 0 {
                    continue;
                }
                if let Some(DbState::Ready { user, .. }) = self.db_state().try_get_untracked() {
                    let _ = self.write_edits(user, None).await;
                }
            }
        });
    }

    /// Calls `done` once every held edit is written (at once when none is held).
    pub fn when_written(self, done: impl FnOnce() + 'static) {
        if self.held_count.get_untracked() == 0 {
            done();
        } else {
            self.on_written.update_value(|w| w.push(Box::new(done)));
        }
    }

    /// Writes fields of a record: one transaction over the record, the outbox and the device
    /// state. When it returns Ok, the edit is durable on this computer.
    ///
    /// When the browser cannot write because the person's storage is closed or full, the edit
    /// is held in memory and the error says so: it is written, after the edits held before it,
    /// when the storage opens again, and nothing typed is lost unless the tab is closed first
    /// (which then asks). An edit made while others are held is written after them. A button
    /// that makes a new record uses [`Store::edit_now`] instead.
    pub async fn edit(self, target: &Target, fields: BTreeMap<String, Value>) -> Result<()> {
        // Nobody's edit (no storage being opened) is never held: the nil user stands for it.
        let user = self.db.owner().unwrap_or(Uuid::nil());
        self.write_edits(user, Some((target, fields))).await
    }

    /// Writes fields of a record at once, or fails and holds nothing: for a record a button
    /// makes, which the person would press again after a failure (a held one would then be
    /// written twice).
    pub async fn edit_now(self, target: &Target, fields: BTreeMap<String, Value>) -> Result<()> {
        let _saving = SavingGuard::new(self.saving);
        self.write_now(&[(target, fields)]).await
    }

    /// Writes the edits held for `user`, then `new`, in one transaction; when the storage cannot
    /// take them, they are all held (again).
    async fn write_edits(
        self,
        user: Uuid,
        new: Option<(&Target, BTreeMap<String, Value>)>,
    ) -> Result<()> {
        let _saving = SavingGuard::new(self.saving);
        let (number, earlier) = self
            .holding
            .try_update_value(|h| {
                let number = h.next;
                h.next += 1;
                let (mine, others) = std::mem::take(&mut h.held)
                    .into_iter()
                    .partition::<Vec<_>, _>(|h| h.user == user);
                h.held = others;
                (number, mine)
            })
            .unwrap_or_default();
        if earlier.is_empty() && new.is_none() {
            return Ok(());
        }
        let plain = |fields: &BTreeMap<String, (u64, Value)>| -> BTreeMap<String, Value> {
            fields
                .iter()
                .map(|(k, (_, v))| (k.clone(), v.clone()))
                .collect()
        };
        let mut edits: Vec<(&Target, BTreeMap<String, Value>)> = earlier
            .iter()
            .map(|h| (&h.target, plain(&h.fields)))
            .collect();
        edits.extend(new.as_ref().map(|(t, f)| (*t, f.clone())));
        let mut result = self.write_now(&edits).await;
        let mut earlier_written = result.is_ok();
        if let (Err(StoreError(_, Trouble::Other)), false, Some((target, fields))) =
            (&result, earlier.is_empty(), &new)
        {
            // Not the storage but one of the edits failed (a record unreadable here): the new
            // edit alone may still go in; the held ones wait for the next opening.
            result = self.write_now(&[(*target, fields.clone())]).await;
            earlier_written = false;
        }
        let kept = match &result {
            Err(StoreError(_, Trouble::Storage(_))) => {
                new.is_some() && !user.is_nil() && self.db.owner() == Some(user)
            }
            _ => false,
        };
        let count = self
            .holding
            .try_update_value(|h| {
                for e in earlier {
                    if earlier_written {
                        h.wrote(
                            &e.target,
                            e.fields.iter().map(|(k, (n, _))| (k.clone(), *n)),
                        );
                    } else {
                        h.hold(e.user, &e.target, e.fields);
                    }
                }
                if let Some((target, fields)) = &new {
                    let numbered = fields.iter().map(|(k, v)| (k.clone(), (number, v.clone())));
                    if result.is_ok() {
                        h.wrote(target, fields.keys().map(|k| (k.clone(), number)));
                    } else if kept {
                        h.hold(user, target, numbered.collect());
                    }
                }
                // Nothing held and nothing else being written: no order left to keep.
                if h.held.is_empty() && self.saving() <= 1 {
                    h.written.clear();
                }
                h.held.len()
            })
            .unwrap_or(0);
        self.held_count.try_set(count);
        if count == 0 {
            for done in self
                .on_written
                .try_update_value(std::mem::take)
                .unwrap_or_default()
            {
                done();
            }
        }
        result.map_err(|e| match &e.1 {
            Trouble::Storage(cause) if kept => StoreError(
                format!(
                    "{cause} Введённое не потеряно: оно запомнено в этой вкладке и запишется \
                     само, как только хранилище откроется снова (освободите место на диске). \
                     Не закрывайте эту вкладку до тех пор."
                ),
                Trouble::Held,
            ),
            _ => e,
        })
    }

    /// One transaction over the records, the outbox and the device state with `edits`, in order.
    async fn write_now(self, edits: &[(&Target, BTreeMap<String, Value>)]) -> Result<()> {
        let db = self.open_db()?;
        let tx = db
            .transaction([META, RECORDS, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let mut state = device_state(&meta).await?;
        for (target, fields) in edits {
            let stored: Option<JsValue> = records.get(target.id.to_string()).primitive()?.await?;
            let mut record: Record = match stored {
                Some(v) => from_js(v)?,
                None => Record::new(target.id, target.kind, target.scope.clone(), target.parent),
            };
            let pending: Option<Mutation> = all::<Mutation, _>(
                outbox
                    .index("record")?
                    .get_all()
                    .with_query(target.id.to_string())
                    .primitive()?
                    .await?,
            )?
            .into_iter()
            .max_by_key(|m| m.seq);
            let op = client::edit(
                &mut state,
                now_ms(),
                &mut record,
                (*fields).clone(),
                pending.as_ref(),
            );
            let m = match op {
                OutboxOp::Append(m) | OutboxOp::Replace(m) => m,
            };
            outbox.put(to_js(&m)?).primitive()?.await?;
            records.put(to_js(&record)?).primitive()?.await?;
        }
        meta.put(to_js(&state)?)
            .with_key(DEVICE_KEY.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        self.announce();
        Ok(())
    }

    /// The next sync request. The "sent" mark is stored before the request leaves, so a later edit
    /// never changes a mutation the server may already have.
    /// Made only from `user`'s own database: the one open may be another person's, who signed
    /// in here while this sync was on its way.
    pub async fn prepare_request(self, user: Uuid) -> Result<SyncRequest> {
        let db = self.open_db_of(user)?;
        let tx = db
            .transaction([META, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let mut state = device_state(&meta).await?;
        let outbox: Vec<Mutation> = all(tx
            .object_store(OUTBOX)?
            .get_all()
            .with_limit(model::sync::MAX_PUSH as u32)
            .primitive()?
            .await?)?;
        let request = client::request(&mut state, &outbox);
        meta.put(to_js(&state)?)
            .with_key(DEVICE_KEY.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(request)
    }

    /// Takes a server answer in, in one transaction: the pulled changes, the new cursor, the
    /// refused edits, and only then the removal of acknowledged edits from the outbox.
    /// Taken only into `user`'s own database, whose sync asked for it.
    pub async fn take_response(self, user: Uuid, response: &SyncResponse) -> Result<Took> {
        let db = self.open_db_of(user)?;
        let tx = db
            .transaction([META, RECORDS, OUTBOX, REFUSED, FILES])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let records_store = tx.object_store(RECORDS)?;
        let outbox_store = tx.object_store(OUTBOX)?;
        let refused_store = tx.object_store(REFUSED)?;
        let mut state = device_state(&meta).await?;

        // The settled part of the outbox (a request always takes its oldest entries).
        let outbox: Vec<Mutation> = all(outbox_store
            .get_all()
            // Spelled out: `..=x` turns into an *open* upper bound in indexed_db_futures 0.6.
            .with_query::<f64, KeyRange<f64>>(KeyRange::UpperBound(
                response.acked_upto as f64,
                false,
            ))
            .primitive()?
            .await?)?;
        let mut records: HashMap<Uuid, Record> = HashMap::new();
        for id in client::records_needed(&outbox, response) {
            let stored: Option<JsValue> = records_store.get(id.to_string()).primitive()?.await?;
            if let Some(r) = stored {
                records.insert(id, from_js(r)?);
            }
        }
        let taken = client::take_response(&mut state, now_ms(), &outbox, &mut records, response);
        for id in &taken.changed {
            if let Some(r) = records.get(id) {
                records_store.put(to_js(r)?).primitive()?.await?;
            }
        }
        for r in &taken.refused {
            refused_store.put(to_js(r)?).primitive()?.await?;
        }
        for seq in &taken.acked {
            outbox_store.delete(*seq as f64).await?;
        }
        // The server's database was restored from a copy: what this computer wrote goes again,
        // and every file kept here is offered again (the server says what it already has).
        if taken.restored {
            let held: Vec<Record> = all(records_store.get_all().primitive()?.await?)?;
            outbox_store.clear()?.await?;
            for m in client::resend(&mut state, &held) {
                outbox_store.put(to_js(&m)?).primitive()?.await?;
            }
            offer_again(&tx.object_store(FILES)?).await?;
        }
        // What the person may no longer read leaves this computer: after a pass that received
        // everything again (their access changed), what it did not bring; and what this device
        // wrote but may not read now. Records with edits still waiting or refused stay, shown.
        if taken.sweep.is_some() || !taken.unreadable.is_empty() {
            let mut pending: std::collections::BTreeSet<Uuid> = std::collections::BTreeSet::new();
            let waiting: Vec<Mutation> = all(outbox_store.get_all().primitive()?.await?)?;
            pending.extend(waiting.iter().map(|m| m.change.record));
            let refused: Vec<Refused> = all(refused_store.get_all().primitive()?.await?)?;
            pending.extend(refused.iter().map(|r| r.mutation.change.record));
            let mut gone = Vec::new();
            for id in taken.unreadable.iter().filter(|id| !pending.contains(id)) {
                records_store.delete(id.to_string()).await?;
                gone.push(*id);
            }
            if let Some(pass) = taken.sweep {
                let held: Vec<Record> = all(records_store.get_all().primitive()?.await?)?;
                for r in held.iter().filter(|r| !client::keep(r, pass, &pending)) {
                    records_store.delete(r.id.to_string()).await?;
                    gone.push(r.id);
                }
            }
            let dropped = gone.len() as u64;
            if let Some(undecided) = &mut state.undecided {
                for id in &gone {
                    undecided.remove(id);
                }
            }
            state.dropped += dropped;
        }
        meta.put(to_js(&state)?)
            .with_key(DEVICE_KEY.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        self.remember_offset(&state);
        if !taken.changed.is_empty()
            || !taken.acked.is_empty()
            || taken.sweep.is_some()
            || !taken.unreadable.is_empty()
        {
            self.announce();
        }
        Ok(Took {
            changes: response.changes.len(),
            settled: taken.acked.len(),
            again: taken.restored,
        })
    }
}

/// What taking an answer in brought.
pub struct Took {
    pub changes: usize,
    /// Edits of this request the server answered (taken or refused), now off the outbox.
    pub settled: usize,
    /// Sync again at once (the server's database was restored: everything from the start).
    pub again: bool,
}

impl Store {
    /// The person has read the notice about records taken off this computer.
    pub async fn dismiss_dropped(self) -> Result<()> {
        let db = self.open_db()?;
        let tx = db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let mut state = device_state(&meta).await?;
        state.dropped = 0;
        meta.put(to_js(&state)?)
            .with_key(DEVICE_KEY.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        self.announce();
        Ok(())
    }
}

// ---- attached files ----

/// An attached file kept on this computer: its bytes and whether the server has them all.
#[derive(Clone)]
pub struct LocalFile {
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub blob: web_sys::Blob,
    /// The server holds the whole file (it came from there, or its upload finished).
    pub uploaded: bool,
}

fn file_to_js(f: &LocalFile) -> Result<JsValue> {
    let o = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&o, &k.into(), v).map_err(js_error);
    set("sha256", &f.sha256.as_str().into())?;
    set("name", &f.name.as_str().into())?;
    set("size", &(f.size as f64).into())?;
    set("blob", &f.blob)?;
    set("uploaded", &f.uploaded.into())?;
    Ok(o.into())
}

fn file_from_js(v: &JsValue) -> Option<LocalFile> {
    let get = |k: &str| js_sys::Reflect::get(v, &k.into()).ok();
    Some(LocalFile {
        sha256: get("sha256")?.as_string()?,
        name: get("name")?.as_string().unwrap_or_default(),
        size: get("size")?.as_f64()? as u64,
        blob: get("blob")?.dyn_into().ok()?,
        uploaded: get("uploaded")?.as_bool().unwrap_or(false),
    })
}

impl Store {
    /// Keeps a file on this computer (a file already kept stays as it is, uploaded or not).
    pub async fn put_file(self, file: &LocalFile) -> Result<()> {
        let _saving = SavingGuard::new(self.saving);
        let db = self.open_db()?;
        let tx = db
            .transaction(FILES)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(FILES)?;
        let known: Option<JsValue> = store.get(file.sha256.clone()).primitive()?.await?;
        let keep_uploaded = known
            .as_ref()
            .and_then(file_from_js)
            .is_some_and(|k| k.uploaded);
        let mut file = file.clone();
        file.uploaded |= keep_uploaded;
        store.put(file_to_js(&file)?).primitive()?.await?;
        tx.commit().await?;
        self.announce();
        Ok(())
    }

    /// A file kept on this computer, if it is.
    pub async fn file(self, sha256: &str) -> Result<Option<LocalFile>> {
        let db = self.open_db()?;
        let tx = db.transaction(FILES).build()?;
        let value: Option<JsValue> = tx
            .object_store(FILES)?
            .get(sha256.to_owned())
            .primitive()?
            .await?;
        Ok(value.as_ref().and_then(file_from_js))
    }

    /// Every file kept here: (SHA-256, uploaded), without reading their bytes.
    pub async fn kept_files(self) -> Result<Vec<(String, bool)>> {
        let db = self.open_db()?;
        let tx = db.transaction(FILES).build()?;
        let all: Vec<JsValue> = tx
            .object_store(FILES)?
            .get_all()
            .primitive()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(all
            .iter()
            .filter_map(file_from_js)
            .map(|f| (f.sha256, f.uploaded))
            .collect())
    }

    /// Offers every file kept here to the server again, once per `mark`: for when the server
    /// came to need something of files it already has (since files are given out only through
    /// attachments whose author holds them, a file this computer attached while the server had
    /// it, or fetched, is shown to the server again; the server says what it needs).
    pub async fn offer_files_again_once(self, mark: &str) -> Result<()> {
        let db = self.open_db()?;
        let tx = db
            .transaction([META, FILES])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(META)?;
        let done: Option<JsValue> = meta.get(mark).primitive()?.await?;
        if done.is_none() {
            offer_again(&tx.object_store(FILES)?).await?;
            meta.put(JsValue::TRUE)
                .with_key(mark.to_owned())
                .primitive()?
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The server has the whole file now.
    pub async fn mark_uploaded(self, sha256: &str) -> Result<()> {
        let Some(mut f) = self.file(sha256).await? else {
            return Ok(());
        };
        f.uploaded = true;
        self.put_file(&f).await
    }
}
