//! The person's lists from the server, kept on this computer until sign-out (`session.rs`,
//! `Cache`): the schools they may see, the centre's specialists and the accounts they manage.

use leptos::prelude::*;
use model::School;
use model::api::{Specialist, UserSummary};

use crate::api;
use crate::session::{Cache, SessionCtx};

/// The schools the user may see: from the last time the server was reached (kept per person
/// on this computer until sign-out), refreshed now if it can be.
pub fn known_schools(session: SessionCtx) -> RwSignal<Vec<School>> {
    session.cached_list(
        Cache::Schools,
        |token| async move { api::schools(&token).await },
    )
}

/// The centre's specialists a school may ask: from the last time the server was reached (kept
/// per person on this computer until sign-out), refreshed now if it can be.
pub fn specialists(session: SessionCtx) -> RwSignal<Vec<Specialist>> {
    session.cached_list(Cache::Specialists, |token| async move {
        api::specialists(&token).await
    })
}

/// The accounts the person may see (the head and the moderator): from the last time the server
/// was reached (kept per person on this computer until sign-out), refreshed now if it can be.
pub fn accounts(session: SessionCtx) -> RwSignal<Vec<UserSummary>> {
    session.cached_list(
        Cache::Accounts,
        |token| async move { api::users(&token).await },
    )
}
