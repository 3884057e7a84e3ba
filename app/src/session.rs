//! Who is signed in. The session (token and profile) lives in localStorage, so the app opens
//! signed in with no network at all; it ends only by signing out or when the server says the
//! token is no longer valid. When the server says the centre disabled the account, the app also
//! deletes that account's database from this computer, since a shared school computer should
//! not keep it — unless it holds edits never sent, which stay for the day the account is enabled
//! again.
//!
//! Besides the session, localStorage keeps the accounts that signed in on this computer, each
//! with the sign-in key the server gave it (see [`SessionCtx::sign_in_with_password`]). The only
//! other things kept there are a person's: copies of server answers
//! ([`Cache`], removed at sign-out) and the last visit of the inbox (kept until the account's
//! data is deleted), each under `nastavnik.<user>.<name>`. Pages reach them only through here.

use std::future::Future;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use model::UserProfile;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::{self, Failure};
use crate::local_db::LocalDb;

const SESSION_KEY: &str = "nastavnik.session";
/// Tokens of sessions ended while offline: revoked on the server once it is reachable.
const REVOKE_KEY: &str = "nastavnik.revoke";
/// The accounts that signed in on this computer (login and id), so that a sign-in refused
/// because the account is disabled can find that account's database, each with the sign-in key
/// the server gave this computer for it.
const ACCOUNTS_KEY: &str = "nastavnik.accounts";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct KnownAccount {
    login: String,
    id: Uuid,
    /// Brought back at the next sign-in of this login: the server then counts wrong passwords
    /// typed here apart from those a stranger sends for the same login, so a stranger cannot
    /// keep the person out on this computer. Kept after sign-out (it opens nothing by itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sign_in_key: Option<String>,
}

fn known_accounts() -> Vec<KnownAccount> {
    LocalStorage::get(ACCOUNTS_KEY).unwrap_or_default()
}

/// Remembers that `profile` signed in here, with a new sign-in key or the one it had.
fn remember_account(profile: &UserProfile, sign_in_key: Option<String>) {
    let mut known = known_accounts();
    let kept = known
        .iter()
        .find(|a| a.id == profile.id && a.login == profile.login)
        .and_then(|a| a.sign_in_key.clone());
    known.retain(|a| a.id != profile.id && a.login != profile.login);
    known.push(KnownAccount {
        login: profile.login.clone(),
        id: profile.id,
        sign_in_key: sign_in_key.or(kept),
    });
    let _ = LocalStorage::set(ACCOUNTS_KEY, &known);
}

/// The sign-in key this computer keeps for `login` (as typed), if it signed in here before.
fn sign_in_key(login: &str) -> Option<String> {
    let login = model::user::validate_login(login).ok()?;
    known_accounts()
        .into_iter()
        .find(|a| a.login == login)
        .and_then(|a| a.sign_in_key)
}

/// Deletes what this computer keeps of a disabled account: its database, its caches and
/// marks, and its entry among the known accounts. A database that still holds edits never sent
/// (or cannot be read) is kept instead, for the day the account is enabled again: nothing typed
/// is lost by a disabling. Returns what to tell the person.
///
/// Reading a database is code of the chunk `work` (see `routes.rs`), which a computer where
/// nobody has signed in yet need not download before the login is usable: this is a split
/// point of its own, declared here because the session comes before the routes. Without that
/// chunk only the caches go.
async fn forget_account(db: LocalDb, id: Uuid) -> &'static str {
    type Forgetting = std::pin::Pin<Box<dyn Future<Output = &'static str>>>;
    #[leptos::wasm_split::wasm_split(work, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn forgetting(
        db: LocalDb,
        id: Uuid,
    ) -> Result<Forgetting, leptos::wasm_split::SplitLoaderError> {
        Ok(Box::pin(async move {
            if db.unsent(id).await != Some(0) {
                return UNSENT_KEPT;
            }
            let mut known = known_accounts();
            known.retain(|a| a.id != id);
            let _ = LocalStorage::set(ACCOUNTS_KEY, &known);
            LocalStorage::delete(user_key(id, INBOX_SEEN));
            forget_marks(&user_key(id, TEST_CLOSES));
            if let Err(e) = db.delete(id).await {
                web_sys::console::warn_1(
                    &format!("deleting the local database failed: {e}").into(),
                );
            }
            DATA_DELETED
        }))
    }
    clear_user_caches(id);
    match forgetting(db, id).await {
        Ok(forgetting) => forgetting.await,
        Err(_) => DATA_KEPT_FOR_NOW,
    }
}

/// Removes every mark whose key begins with `prefix` (one for each timed test, say).
fn forget_marks(prefix: &str) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(prefix))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

/// A copy of a server answer kept on this computer for one person, so a page has it with no
/// network. Removed at sign-out (the next sign-in is online and fetches it again).
#[derive(Clone, Copy)]
pub enum Cache {
    /// The schools the person may see (`GET /api/schools`).
    Schools,
    /// The centre's specialists a school may ask (`GET /api/specialists`).
    Specialists,
    /// The accounts the person manages (`GET /api/users`).
    Accounts,
}

impl Cache {
    const ALL: [Cache; 3] = [Cache::Schools, Cache::Specialists, Cache::Accounts];

    fn name(self) -> &'static str {
        match self {
            Cache::Schools => "schools",
            Cache::Specialists => "specialists",
            Cache::Accounts => "accounts",
        }
    }
}

/// When the person last opened the inbox: their own mark, not a copy, so it outlives a sign-out.
const INBOX_SEEN: &str = "inbox-seen";
/// When a timed test of theirs closes (followed by the response's id): their own mark too.
const TEST_CLOSES: &str = "test-closes";

/// The localStorage key of something kept for one person.
fn user_key(user: Uuid, name: &str) -> String {
    format!("nastavnik.{user}.{name}")
}

/// Removes every cache of a person from this computer (at sign-out), also under the names
/// earlier versions used.
pub fn clear_user_caches(user: Uuid) {
    for cache in Cache::ALL {
        LocalStorage::delete(user_key(user, cache.name()));
    }
    for old in [
        "nastavnik.schools".to_owned(),
        format!("nastavnik.schools.{user}"),
        format!("nastavnik.specialists.{user}"),
    ] {
        LocalStorage::delete(old);
    }
}

const DATA_DELETED: &str = "Данные этой учётной записи удалены с этого компьютера.";
const DATA_KEPT_FOR_NOW: &str = "Данные этой учётной записи пока остаются на этом компьютере: \
                                 не загрузилась часть приложения, которая проверяет, все ли \
                                 изменения отправлены (нет связи или приложение обновилось). \
                                 Проверка повторится при следующей попытке входа.";
const UNSENT_KEPT: &str = "На этом компьютере остались изменения этой учётной записи, не \
                           отправленные на сервер: они сохранены и будут отправлены, если \
                           учётную запись снова включат. Обратитесь в наставнический центр.";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub profile: UserProfile,
}

/// The current session (`None` when signed out) and a notice for the login page; made and
/// provided once, at the app's start ([`provide_session`]), and taken with [`use_session`].
#[derive(Clone, Copy)]
pub struct SessionCtx {
    pub current: RwSignal<Option<Session>>,
    pub notice: RwSignal<Option<String>>,
    /// The person's database on this computer: closed at sign-out, deleted with a disabled
    /// account.
    db: LocalDb,
}

/// Reads the session kept on this computer and provides it to every page.
pub fn provide_session(db: LocalDb) -> SessionCtx {
    let stored = LocalStorage::get::<Session>(SESSION_KEY).ok();
    if let Some(session) = &stored {
        // Sessions opened before accounts were remembered.
        remember_account(&session.profile, None);
    }
    let ctx = SessionCtx {
        current: RwSignal::new(stored),
        notice: RwSignal::new(None),
        db,
    };
    provide_context(ctx);
    ctx.follow_other_tabs();
    ctx
}

pub fn use_session() -> SessionCtx {
    expect_context::<SessionCtx>()
}

impl SessionCtx {
    pub fn profile(&self) -> Option<UserProfile> {
        self.current.with(|s| s.as_ref().map(|s| s.profile.clone()))
    }

    pub fn token(&self) -> Option<String> {
        self.current
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    /// Signs in with a login and password, bringing this computer's sign-in key for that
    /// login; on success the session is kept and every page sees it.
    pub async fn sign_in_with_password(&self, login: &str, password: &str) -> Result<(), Failure> {
        let res = api::login(login, password, sign_in_key(login)).await?;
        self.sign_in(
            Session {
                token: res.token,
                profile: res.profile,
            },
            res.sign_in_key,
        );
        Ok(())
    }

    fn sign_in(&self, session: Session, sign_in_key: Option<String>) {
        self.notice.set(None);
        if LocalStorage::set(SESSION_KEY, &session).is_err() {
            self.notice.set(Some(
                "Браузер не позволил сохранить вход: без связи приложение попросит войти снова. \
                 Проверьте, что для этого сайта не запрещено хранение данных."
                    .into(),
            ));
        }
        remember_account(&session.profile, sign_in_key);
        self.current.set(Some(session));
    }

    fn user(&self) -> Option<Uuid> {
        self.current
            .with_untracked(|s| s.as_ref().map(|s| s.profile.id))
    }

    /// A list the server gives, kept on this computer for the signed-in person: what was kept
    /// from the last time the server was reached, refreshed now by `fetch` (given the token) if
    /// it can be.
    pub fn cached_list<T, F>(
        &self,
        cache: Cache,
        fetch: impl FnOnce(String) -> F + 'static,
    ) -> RwSignal<Vec<T>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: Future<Output = Result<Vec<T>, Failure>> + 'static,
    {
        let Some(user) = self.user() else {
            return RwSignal::new(Vec::new());
        };
        let key = user_key(user, cache.name());
        let list = RwSignal::new(LocalStorage::get(&key).unwrap_or_default());
        let (session, token) = (*self, self.token());
        if let Some(token) = token {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = fetch(token).await {
                    // Not kept for someone who signed out while it was on its way.
                    if session.user() == Some(user) {
                        let _ = LocalStorage::set(&key, &fresh);
                    }
                    list.try_set(fresh);
                }
            });
        }
        list
    }

    /// Keeps a list the person changed through the server (a school's flags) in its copy on
    /// this computer, so it reads the same offline after a reload.
    pub fn keep_list<T: Serialize>(&self, cache: Cache, list: &[T]) {
        if let Some(user) = self.user() {
            let _ = LocalStorage::set(user_key(user, cache.name()), list);
        }
    }

    /// Notes that the signed-in person opens the inbox now; returns when they did it before
    /// (0 when never), so what changed since can be marked new.
    pub fn note_inbox_visit(&self) -> u64 {
        let Some(user) = self.user() else { return 0 };
        let key = user_key(user, INBOX_SEEN);
        let since = LocalStorage::get(&key)
            .or_else(|_| LocalStorage::get(format!("nastavnik.inbox.seen.{user}")))
            .unwrap_or(0);
        LocalStorage::delete(format!("nastavnik.inbox.seen.{user}"));
        let _ = LocalStorage::set(&key, js_sys::Date::now() as u64);
        since
    }

    /// When the timed test answered in `response` closes, by this computer's clock, as the
    /// server last told the signed-in person; kept so that the time left shows after a reload
    /// with no network.
    pub fn test_closes(&self, response: Uuid) -> Option<f64> {
        let user = self.user()?;
        LocalStorage::get(user_key(user, &format!("{TEST_CLOSES}.{response}"))).ok()
    }

    /// Keeps what the server said of when a timed test closes ([`Self::test_closes`]).
    pub fn keep_test_closes(&self, response: Uuid, at: f64) {
        if let Some(user) = self.user() {
            let _ = LocalStorage::set(user_key(user, &format!("{TEST_CLOSES}.{response}")), at);
        }
    }

    /// Every tab of the app has the session the others have: a sign-out in one signs all of
    /// them out, and a sign-in in one signs in a tab where nobody is signed in. (The browser
    /// tells the other tabs when `nastavnik.session` changes, never the tab that changed it.)
    fn follow_other_tabs(self) {
        use wasm_bindgen::JsCast;
        let _ = leptos::prelude::window_event_listener_untyped("storage", move |ev| {
            let Some(ev) = ev.dyn_ref::<web_sys::StorageEvent>() else {
                return;
            };
            if ev.key().as_deref() != Some(SESSION_KEY) {
                return;
            }
            let theirs: Option<Session> =
                ev.new_value().and_then(|v| serde_json::from_str(&v).ok());
            let ours = self.token();
            if theirs.as_ref().map(|s| &s.token) == ours.as_ref() {
                return;
            }
            if ours.is_some() {
                // Signed out there (or someone else signed in there after): here too, without
                // telling the server again.
                self.db.close();
                self.notice
                    .set(Some("Вы вышли из системы в другой вкладке.".into()));
                self.current.set(None);
            }
            if let Some(session) = theirs {
                self.notice.set(None);
                self.current.set(Some(session));
            }
        });
    }

    /// Ends the session on this device; the server is told now or, if offline, later. The
    /// person's caches leave this computer with it.
    pub fn sign_out(&self, notice: Option<String>) {
        if let Some(token) = self.token() {
            let mut pending: Vec<String> = LocalStorage::get(REVOKE_KEY).unwrap_or_default();
            pending.push(token);
            let _ = LocalStorage::set(REVOKE_KEY, &pending);
        }
        if let Some(user) = self.user() {
            clear_user_caches(user);
        }
        // Another tab may have signed someone else in meanwhile: theirs stays.
        let kept = LocalStorage::get::<Session>(SESSION_KEY)
            .ok()
            .map(|s| s.token);
        if kept.is_none() || kept == self.token() {
            LocalStorage::delete(SESSION_KEY);
        }
        self.db.close();
        self.notice.set(notice);
        self.current.set(None);
        leptos::task::spawn_local(revoke_pending());
    }

    /// Reacts to a failed call made with `token`: an ended session signs the user out with an
    /// explanation; a disabled account is signed out and its data deleted from this computer
    /// (unless some were never sent, or cannot be checked yet: [`forget_account`]). An answer
    /// for a session that has ended since (someone else may have signed in) changes nothing.
    pub fn handle(&self, token: &str, failure: &Failure) {
        if self.token().as_deref() != Some(token) {
            return;
        }
        if failure.is_account_disabled() {
            let id = self.user();
            let said = failure.message();
            self.sign_out(Some(said.clone()));
            if let Some(id) = id {
                let (db, notice) = (self.db, self.notice);
                leptos::task::spawn_local(async move {
                    let done = forget_account(db, id).await;
                    notice.try_set(Some(format!("{said} {done}")));
                });
            }
        } else if failure.is_unauthorized() {
            self.sign_out(Some(failure.message()));
        }
    }

    /// A sign-in was refused because the account is disabled: the account's data on this
    /// computer (if it ever signed in here) is deleted, unless some were never sent. Returns
    /// what to tell the person.
    pub async fn disabled_at_sign_in(&self, login: &str, failure: &Failure) -> String {
        let login = model::user::validate_login(login).unwrap_or_default();
        match known_accounts().into_iter().find(|a| a.login == login) {
            Some(account) => {
                let done = forget_account(self.db, account.id).await;
                format!("{} {done}", failure.message())
            }
            None => failure.message(),
        }
    }

    /// Refreshes the profile from the server when online (names and schools may change).
    pub async fn refresh(self) {
        let Some(token) = self.token() else { return };
        let answer = api::me(&token).await;
        // Signed out (and maybe someone else in) while it was on its way: not theirs.
        if self.token().as_deref() != Some(token.as_str()) {
            return;
        }
        match answer {
            Ok(profile) => {
                let session = Session { token, profile };
                if self.current.get_untracked().as_ref() != Some(&session) {
                    let _ = LocalStorage::set(SESSION_KEY, &session);
                    self.current.set(Some(session));
                }
            }
            Err(failure) => self.handle(&token, &failure),
        }
    }
}

/// Revokes on the server the sessions that were ended while offline.
pub async fn revoke_pending() {
    let pending: Vec<String> = LocalStorage::get(REVOKE_KEY).unwrap_or_default();
    if pending.is_empty() {
        return;
    }
    let mut left = Vec::new();
    for token in pending {
        match api::logout(&token).await {
            Ok(()) => {}
            // Already ended, or its account disabled (ended when it is enabled again).
            Err(f) if f.is_unauthorized() || f.is_account_disabled() => {}
            Err(_) => left.push(token),
        }
    }
    if left.is_empty() {
        LocalStorage::delete(REVOKE_KEY);
    } else {
        let _ = LocalStorage::set(REVOKE_KEY, &left);
    }
}
