//! The mentor's recommendations as records, for every page that starts one: the review pages
//! (from a test result, or from scratch) and the support pages (after a visit or a consultation).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::forms::recommendation::{
    self as rec, F_SOURCE, F_STATE, F_TEXT, F_TITLE, RECOMMENDATION_KIND,
};
use model::record::Scope;
use serde_json::json;
use uuid::Uuid;

use crate::store::{Target, use_store};
use crate::sync::use_sync;

/// Where the recommendation record `id` lives.
pub fn recommendation_target(id: Uuid, scope: Scope) -> Target {
    Target {
        id,
        kind: RECOMMENDATION_KIND,
        scope,
        parent: None,
    }
}

/// What a new draft starts with: the title, the text, the ground (`source`) and the record it
/// follows (`source_id`).
pub struct Draft<'a> {
    pub title: &'a str,
    pub text: &'a str,
    pub source: &'a str,
    pub source_id: Option<Uuid>,
}

/// A new draft of recommendations for the school of `scope`, on this computer, then its page
/// (see [`save_draft`] for `error` and `busy`).
pub fn start_draft(
    scope: Scope,
    Draft {
        title,
        text,
        source,
        source_id,
    }: Draft,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
) {
    let mut fields = BTreeMap::from([
        (
            F_TITLE.to_owned(),
            json!(title.chars().take(200).collect::<String>()),
        ),
        (
            F_TEXT.to_owned(),
            json!(text.chars().take(20_000).collect::<String>()),
        ),
        (F_STATE.to_owned(), json!("draft")),
        (F_SOURCE.to_owned(), json!(source)),
    ]);
    if let Some(s) = source_id {
        fields.insert(rec::F_SOURCE_ID.to_owned(), json!(s.to_string()));
    }
    save_draft(scope, fields, error, busy, navigate);
}

/// Stores a new recommendation record with `fields` for the school of `scope` on this
/// computer, then opens its page; a failed save is put in `error`. `busy` is set while it is
/// written, so a second press of its button (shown `disabled`) makes no second draft.
pub fn save_draft(
    scope: Scope,
    fields: BTreeMap<String, serde_json::Value>,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    let store = use_store();
    let sync = use_sync();
    let id = store.new_id();
    let t = recommendation_target(id, scope);
    spawn_local(async move {
        match store.edit_now(&t, fields).await {
            Ok(()) => {
                sync.edited();
                navigate(&format!("/recommendations/{id}"), Default::default());
            }
            Err(e) => {
                busy.try_set(false);
                error.set(Some(format!("Не сохранено: {}", e.0)));
            }
        }
    });
}
