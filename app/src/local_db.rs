//! The user's database on this device (IndexedDB, one per user, so people sharing a school
//! computer never see each other's data). Later parts keep records and the outbox here.

use std::cell::RefCell;

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use leptos::prelude::*;
use uuid::Uuid;

const VERSION: u32 = 1;
const META: &str = "meta";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbState {
    Closed,
    Opening,
    Ready { name: String },
    Failed { message: String },
}

thread_local! {
    static DB: RefCell<Option<Database>> = const { RefCell::new(None) };
    static STATE: RefCell<Option<RwSignal<DbState>>> = const { RefCell::new(None) };
}

pub fn state() -> RwSignal<DbState> {
    STATE.with(|s| {
        *s.borrow_mut()
            .get_or_insert_with(|| RwSignal::new(DbState::Closed))
    })
}

pub fn db_name(user_id: Uuid) -> String {
    format!("nastavnik-{user_id}")
}

/// Opens (creating or upgrading) the user's database and records when it was last opened.
pub async fn open(user_id: Uuid) {
    let state = state();
    state.set(DbState::Opening);
    let name = db_name(user_id);
    match open_inner(&name).await {
        Ok(db) => {
            DB.with(|d| *d.borrow_mut() = Some(db));
            state.set(DbState::Ready { name });
        }
        Err(e) => state.set(DbState::Failed {
            message: format!(
                "Не удалось открыть хранилище на этом компьютере ({e}). Без него данные не \
                 сохраняются: проверьте, что браузер не в режиме «инкогнито» и что на диске есть место."
            ),
        }),
    }
}

async fn open_inner(name: &str) -> Result<Database, String> {
    let db = Database::open(name)
        .with_version(VERSION)
        .with_on_upgrade_needed(|event, db| {
            if event.old_version() < 1.0 {
                db.create_object_store(META).build()?;
            }
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())?;
    let tx = db
        .transaction(META)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(|e| e.to_string())?;
    let store = tx.object_store(META).map_err(|e| e.to_string())?;
    store
        .put(js_sys::Date::now())
        .with_key("opened_at")
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(db)
}

pub fn close() {
    DB.with(|d| {
        if let Some(db) = d.borrow_mut().take() {
            db.close();
        }
    });
    state().set(DbState::Closed);
}
