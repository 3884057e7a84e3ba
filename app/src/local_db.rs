//! The user's database on this device (IndexedDB, one per user, so people sharing a school
//! computer never see each other's data): records, the outbox of edits not yet acknowledged by
//! the server, refused edits, the device's sync state, and attached files kept here.

use std::cell::RefCell;

use indexed_db_futures::KeyPath;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use leptos::prelude::*;
use uuid::Uuid;

const VERSION: u32 = 3;
pub const META: &str = "meta";
pub const RECORDS: &str = "records";
pub const OUTBOX: &str = "outbox";
pub const REFUSED: &str = "refused";
/// Attached files kept on this computer (their bytes as a Blob), by SHA-256.
pub const FILES: &str = "files";

#[derive(Clone, PartialEq, Eq)]
pub enum DbState {
    Closed,
    Opening,
    Ready { name: String, user: Uuid },
    Failed { message: String },
}

/// The handle of the signed-in person's database, made once at the app's start (it is part of
/// the store's context, [`crate::store::Store`]); a copy is as good as the original.
#[derive(Clone, Copy)]
pub struct LocalDb {
    db: StoredValue<Option<Database>, LocalStorage>,
    state: RwSignal<DbState>,
    /// Whose database this is while it is open or being opened (again); none once it is
    /// closed or was found deleted.
    owner: StoredValue<Option<Uuid>>,
}

pub fn db_name(user_id: Uuid) -> String {
    format!("nastavnik-{user_id}")
}

impl LocalDb {
    /// A closed database handle (owned by the reactive owner it is made under: the app's root).
    pub fn closed() -> LocalDb {
        LocalDb {
            db: StoredValue::new_local(None),
            state: RwSignal::new(DbState::Closed),
            owner: StoredValue::new(None),
        }
    }

    /// Whose database is open, or is being opened (again).
    pub fn owner(self) -> Option<Uuid> {
        self.owner.try_get_value().flatten()
    }

    /// Whether the database is open, and whose it is.
    pub fn state(self) -> RwSignal<DbState> {
        self.state
    }

    /// The open database, if any.
    pub fn db(self) -> Option<Database> {
        self.db.try_with_value(Option::clone).flatten()
    }

    /// Opens (creating or upgrading) the user's database; while it cannot be opened (a full
    /// disk), tries again every few seconds until it opens or the person signs out.
    pub async fn open(self, user_id: Uuid) {
        self.keep_opening(user_id, Fresh::Allowed).await;
    }

    /// Opens the user's database; with [`Fresh::Refused`], one that is no longer there is not
    /// made anew (the state then says so). Returns whether it was gone.
    async fn open_as(self, user_id: Uuid, fresh: Fresh) -> bool {
        let state = self.state;
        self.owner.try_set_value(Some(user_id));
        // A failure stays said while it is tried again (no flicker every few seconds).
        if !matches!(state.get_untracked(), DbState::Failed { .. }) {
            state.set(DbState::Opening);
        }
        let name = db_name(user_id);
        // Opened under a lock that a page put aside keeps: when the person leaves a page while its
        // open (on a new computer, the creation of the stores) is unfinished, the browser could
        // keep that page frozen with the creation half done, and every later open would wait
        // behind it. Wanting the lock makes the browser evict such a page instead. (Not waited
        // for long: after that the open goes ahead anyway.)
        let slot = std::rc::Rc::new(RefCell::new(None));
        let filled = slot.clone();
        let opening = name.clone();
        crate::browser::with_lock(
            &format!("nastavnik-open-{user_id}"),
            crate::browser::LockWait::Up(OPEN_LOCK_WAIT_MS),
            crate::browser::WhenHidden::Keep,
            async move {
                *filled.borrow_mut() = Some(open_retrying(&opening, fresh, Some(state)).await);
            },
        )
        .await;
        let taken = slot.borrow_mut().take();
        let result = match taken {
            Some(result) => result,
            None => open_retrying(&name, fresh, Some(state)).await,
        };
        // Signed out (and maybe someone else in) while it opened, which may take long when
        // another tab holds the storage: not wanted any more.
        if self.owner() != Some(user_id) {
            if let Ok(db) = result {
                db.close();
            }
            return false;
        }
        match result {
            Ok(db) => {
                self.reopen_when_closed(&db, user_id);
                self.let_go_when_asked(&db, user_id);
                self.db.set_value(Some(db));
                state.set(DbState::Ready {
                    name,
                    user: user_id,
                });
            }
            Err(Unopened::Gone) => {
                self.owner.try_set_value(None);
                state.set(DbState::Failed {
                    message: "Данные приложения на этом компьютере удалены из браузера (например, \
                              при очистке истории). Введённое сейчас не сохраняется: обновите \
                              страницу, и приложение снова получит данные с сервера."
                        .into(),
                });
                return true;
            }
            Err(Unopened::Failed(e)) => {
                web_sys::console::warn_1(&format!("IndexedDB open failed: {e}").into());
                state.set(DbState::Failed {
                    message: "Не удалось открыть хранилище на этом компьютере. Пока оно закрыто, \
                              введённое запоминается только в этой вкладке: освободите место на \
                              диске и проверьте, что браузер не в режиме «инкогнито». Приложение \
                              попробует открыть хранилище снова само и запишет запомненное."
                        .into(),
                })
            }
        }
        false
    }
}

/// Whether an open may make the database anew when it is not there.
#[derive(Clone, Copy, PartialEq)]
enum Fresh {
    Allowed,
    /// Opened again after the browser closed it: when it is gone, the browser's data were
    /// cleared on purpose, and making an empty one would bring back what the person removed.
    Refused,
}

/// Why the database did not open.
#[derive(Debug)]
enum Unopened {
    /// It is no longer there, and [`Fresh::Refused`] kept it from being made anew.
    Gone,
    Failed(String),
}

impl LocalDb {
    /// The browser closes a database by itself when it cannot write it (a full disk, a disk
    /// error) or when its data are cleared: every later transaction would fail until the page
    /// is loaded again. It is opened again instead, so that saving works as soon as there is
    /// room — unless it was deleted, which the header then says.
    fn reopen_when_closed(self, db: &Database, user: Uuid) {
        use indexed_db_futures::internals::SystemRepr;
        use wasm_bindgen::JsCast;
        let on_close = wasm_bindgen::closure::Closure::once_into_js(move || {
            web_sys::console::warn_1(
                &"IndexedDB was closed by the browser: opening it again".into(),
            );
            let ours = matches!(
                self.state.try_get_untracked(),
                Some(DbState::Ready { user: open, .. }) if open == user
            );
            if ours {
                self.db.try_set_value(None);
                leptos::task::spawn_local(self.keep_opening(user, Fresh::Refused));
            }
        });
        let target: &web_sys::EventTarget = db.as_sys().unchecked_ref();
        let _ = target.add_event_listener_with_callback("close", on_close.unchecked_ref());
    }

    /// Another tab opens this database in a newer version (the app was updated there) or
    /// deletes it (the account was disabled there): this tab lets go of it at once, so that
    /// the other is not kept waiting behind it, and says what to do. Edits typed here meanwhile
    /// are held in the tab, as with any closed storage.
    fn let_go_when_asked(self, db: &Database, user: Uuid) {
        use indexed_db_futures::internals::SystemRepr;
        use wasm_bindgen::JsCast;
        let connection = db.as_sys().clone();
        let on_change = wasm_bindgen::closure::Closure::once_into_js(
            move |ev: web_sys::IdbVersionChangeEvent| {
                web_sys::console::warn_1(&"IndexedDB is wanted by another tab: closing it".into());
                connection.close();
                let ours = matches!(
                    self.state.try_get_untracked(),
                    Some(DbState::Ready { user: open, .. }) if open == user
                );
                if ours {
                    self.db.try_set_value(None);
                    let message = if ev.new_version().is_some() {
                        NEWER_ELSEWHERE
                    } else {
                        DELETED_ELSEWHERE
                    };
                    self.state.try_set(DbState::Failed {
                        message: message.into(),
                    });
                }
            },
        );
        let target: &web_sys::EventTarget = db.as_sys().unchecked_ref();
        let _ = target.add_event_listener_with_callback("versionchange", on_change.unchecked_ref());
    }

    /// Opens the database until it opens (the disk may stay full for a while), unless it is
    /// gone or the person signs out meanwhile.
    async fn keep_opening(self, user: Uuid, fresh: Fresh) {
        let failed = move |db: Self| {
            db.owner() == Some(user)
                && matches!(db.state.try_get_untracked(), Some(DbState::Failed { .. }))
        };
        loop {
            if self.open_as(user, fresh).await || !failed(self) {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(REOPEN_EVERY_MS).await;
            if !failed(self) {
                return;
            }
        }
    }
}

/// Said while another tab keeps the storage in the version before an update.
const OLDER_ELSEWHERE: &str = "Хранилище на этом компьютере занято вкладкой с прежней версией \
                               приложения. Закройте другие вкладки «Наставника» или обновите их \
                               (клавиша F5): эта вкладка продолжит сама.";
/// Said by a tab whose storage a newer version of the app (in another tab) takes over.
const NEWER_ELSEWHERE: &str = "В другой вкладке открыта новая версия приложения, и хранилище \
                               этого компьютера перешло к ней. Обновите эту страницу (клавиша \
                               F5), чтобы продолжить работу: записанное на этом компьютере \
                               сохранится, а введённое после этого сообщения — нет.";
/// Said by a tab whose storage another tab deletes (the account was disabled there).
const DELETED_ELSEWHERE: &str = "В другой вкладке данные этой учётной записи удаляются с этого \
                                 компьютера. Обновите страницу (клавиша F5).";

/// How often a database is tried again while it cannot be opened.
const REOPEN_EVERY_MS: u32 = 3_000;

/// How long an open waits for another page's open to finish or be evicted.
const OPEN_LOCK_WAIT_MS: u32 = 10_000;

/// What a database holds that never reached the server: its edits not sent, and the files
/// attached here whose bytes were not uploaded while an attachment names them (the link may
/// drop between an attachment and its file).
async fn count_unsent(db: &Database) -> Option<u32> {
    let tx = db.transaction([OUTBOX, FILES, RECORDS]).build().ok()?;
    let edits: u32 = tx.object_store(OUTBOX).ok()?.count().await.ok()?;
    // Only files some attachment here still names are ever sent (as `files.rs` uploads them).
    let attachments: Vec<wasm_bindgen::JsValue> = tx
        .object_store(RECORDS)
        .ok()?
        .index("kind")
        .ok()?
        .get_all()
        .with_query(model::files::ATTACHMENT_KIND.to_owned())
        .primitive()
        .ok()?
        .await
        .ok()?
        .collect::<Result<_, _>>()
        .ok()?;
    let named: std::collections::BTreeSet<String> = attachments
        .into_iter()
        .filter_map(|v| {
            let json: String = js_sys::JSON::stringify(&v).ok()?.into();
            let record: model::record::Record = serde_json::from_str(&json).ok()?;
            model::files::file_of(&record).map(|f| f.sha256)
        })
        .collect();
    let files: Vec<wasm_bindgen::JsValue> = tx
        .object_store(FILES)
        .ok()?
        .get_all()
        .primitive()
        .ok()?
        .await
        .ok()?
        .collect::<Result<_, _>>()
        .ok()?;
    let not_uploaded = files
        .iter()
        .filter(|f| {
            let text = |name: &str| js_sys::Reflect::get(f, &name.into()).ok();
            text("uploaded").and_then(|v| v.as_bool()) != Some(true)
                && text("sha256")
                    .and_then(|v| v.as_string())
                    .is_some_and(|sha| named.contains(&sha))
        })
        .count();
    Some(edits + not_uploaded as u32)
}

/// Opens the database, trying a few times: a busy browser can fail an open now and then.
async fn open_retrying(
    name: &str,
    fresh: Fresh,
    state: Option<RwSignal<DbState>>,
) -> Result<Database, Unopened> {
    let mut result = open_inner(name, fresh, state).await;
    for attempt in 1..=4 {
        if !matches!(result, Err(Unopened::Failed(_))) {
            break;
        }
        web_sys::console::warn_1(
            &format!(
                "IndexedDB open failed (attempt {attempt}): {:?}",
                result.as_ref().err()
            )
            .into(),
        );
        gloo_timers::future::TimeoutFuture::new(500 * attempt).await;
        result = open_inner(name, fresh, state).await;
    }
    result
}

/// Opens the database; while another tab keeps an older version of it open (an app from
/// before an update), `state` says so in words, and the open goes on once that tab lets go.
async fn open_inner(
    name: &str,
    fresh: Fresh,
    state: Option<RwSignal<DbState>>,
) -> Result<Database, Unopened> {
    let gone = std::rc::Rc::new(std::cell::Cell::new(false));
    let found_gone = gone.clone();
    let opened = Database::open(name)
        .with_version(VERSION)
        .with_on_blocked(move |_| {
            web_sys::console::warn_1(&"IndexedDB upgrade waits for another tab to close".into());
            if let Some(state) = state {
                state.try_set(DbState::Failed {
                    message: OLDER_ELSEWHERE.into(),
                });
            }
            Ok(())
        })
        .with_on_upgrade_needed(move |event, db| {
            let old = event.old_version() as u32;
            if old < 1 && fresh == Fresh::Refused {
                // Failing the upgrade aborts it, and the browser drops the new database.
                found_gone.set(true);
                return Err(js_sys::Error::new("the database is gone").into());
            }
            if old < 1 {
                db.create_object_store(META).build()?;
            }
            if old < 2 {
                let records = db
                    .create_object_store(RECORDS)
                    .with_key_path(KeyPath::One("id"))
                    .build()?;
                records.create_index("kind", KeyPath::One("kind")).build()?;
                records
                    .create_index("scope", KeyPath::One("scope"))
                    .build()?;
                records
                    .create_index("parent", KeyPath::One("parent"))
                    .build()?;
                let outbox = db
                    .create_object_store(OUTBOX)
                    .with_key_path(KeyPath::One("seq"))
                    .build()?;
                outbox
                    .create_index("record", KeyPath::One("change.record"))
                    .build()?;
                db.create_object_store(REFUSED)
                    .with_key_path(KeyPath::One("mutation.seq"))
                    .build()?;
            }
            if old < 3 {
                db.create_object_store(FILES)
                    .with_key_path(KeyPath::One("sha256"))
                    .build()?;
            }
            Ok(())
        })
        .await;
    match opened {
        Ok(db) => Ok(db),
        Err(_) if gone.get() => Err(Unopened::Gone),
        Err(e) => Err(Unopened::Failed(e.to_string())),
    }
}

impl LocalDb {
    /// Deletes a user's database from this computer (the centre disabled the account), closing
    /// it first when it is the open one. The browser finishes the deletion once no other tab
    /// holds the database open.
    pub async fn delete(self, user_id: Uuid) -> Result<(), String> {
        if matches!(self.state.get_untracked(), DbState::Ready { user, .. } if user == user_id) {
            self.close();
        }
        Database::delete_by_name(&db_name(user_id))
            .map_err(|e| e.to_string())?
            .await
            .map_err(|e| e.to_string())
    }

    /// How many edits (and attached files) of `user`'s database never reached the server (0
    /// when there is no such database); `None` when it cannot be read.
    pub async fn unsent(self, user_id: Uuid) -> Option<u32> {
        if let Some(db) = self.db().filter(|_| self.owner() == Some(user_id)) {
            return count_unsent(&db).await;
        }
        match open_inner(&db_name(user_id), Fresh::Refused, None).await {
            Ok(db) => {
                let count = count_unsent(&db).await;
                db.close();
                count
            }
            Err(Unopened::Gone) => Some(0),
            Err(Unopened::Failed(_)) => None,
        }
    }

    pub fn close(self) {
        if let Some(db) = self.db.try_update_value(Option::take).flatten() {
            db.close();
        }
        self.owner.try_set_value(None);
        self.state.try_set(DbState::Closed);
    }
}
