//! Who is signed in. The session (token and profile) lives in localStorage, so the app opens
//! signed in with no network at all; it ends only by signing out or when the server says the
//! token is no longer valid.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use model::UserProfile;
use serde::{Deserialize, Serialize};

use crate::api::{self, Failure};
use crate::local_db;

const SESSION_KEY: &str = "nastavnik.session";
/// Tokens of sessions ended while offline: revoked on the server once it is reachable.
const REVOKE_KEY: &str = "nastavnik.revoke";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub profile: UserProfile,
}

/// The current session (`None` when signed out) and a notice for the login page.
#[derive(Clone, Copy)]
pub struct SessionCtx {
    pub current: RwSignal<Option<Session>>,
    pub notice: RwSignal<Option<String>>,
}

pub fn provide_session() -> SessionCtx {
    let ctx = SessionCtx {
        current: RwSignal::new(LocalStorage::get::<Session>(SESSION_KEY).ok()),
        notice: RwSignal::new(None),
    };
    provide_context(ctx);
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

    pub fn sign_in(&self, session: Session) {
        if LocalStorage::set(SESSION_KEY, &session).is_err() {
            self.notice.set(Some(
                "Браузер не позволил сохранить вход: без связи приложение попросит войти снова. \
                 Проверьте, что для этого сайта не запрещено хранение данных."
                    .into(),
            ));
        }
        self.notice.set(None);
        self.current.set(Some(session));
    }

    /// Ends the session on this device; the server is told now or, if offline, later.
    pub fn sign_out(&self, notice: Option<String>) {
        if let Some(token) = self.token() {
            let mut pending: Vec<String> = LocalStorage::get(REVOKE_KEY).unwrap_or_default();
            pending.push(token);
            let _ = LocalStorage::set(REVOKE_KEY, &pending);
        }
        LocalStorage::delete(SESSION_KEY);
        local_db::close();
        self.notice.set(notice);
        self.current.set(None);
        leptos::task::spawn_local(revoke_pending());
    }

    /// Reacts to a failed call: an ended session signs the user out with an explanation.
    pub fn handle(&self, failure: &Failure) {
        if failure.is_unauthorized() {
            self.sign_out(Some(failure.message()));
        }
    }

    /// Refreshes the profile from the server when online (names and schools may change).
    pub async fn refresh(self) {
        let Some(token) = self.token() else { return };
        match api::me(&token).await {
            Ok(profile) => {
                let session = Session { token, profile };
                if self.current.get_untracked().as_ref() != Some(&session) {
                    let _ = LocalStorage::set(SESSION_KEY, &session);
                    self.current.set(Some(session));
                }
            }
            Err(failure) => self.handle(&failure),
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
            Err(f) if f.is_unauthorized() => {}
            Err(_) => left.push(token),
        }
    }
    if left.is_empty() {
        LocalStorage::delete(REVOKE_KEY);
    } else {
        let _ = LocalStorage::set(REVOKE_KEY, &left);
    }
}
