//! Form templates as this computer has them: read from the local database (`store.rs`), and
//! as a campaign asks them.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::forms::{Campaign, Template, template_id};
use model::record::Record;

use crate::store::use_store;

/// A template, read once it is on this computer (templates never change once published).
pub fn load_template(code: String, version: u32) -> RwSignal<Option<Arc<Template>>> {
    let store = use_store();
    let t = RwSignal::new(None::<Arc<Template>>);
    let id = template_id(&code, version);
    Effect::new(move |_| {
        store.revision().track();
        store.db_state().track();
        if t.with_untracked(Option::is_some) {
            return;
        }
        spawn_local(async move {
            if let Ok(Some(r)) = store.get(id).await
                && let Some(parsed) = template_of(&r)
            {
                t.set(Some(Arc::new(parsed)));
            }
        });
    });
    t
}

/// A campaign's form as it asks it: its template with the school years of the campaign (see
/// `Template::for_school_year`).
pub fn load_form(c: &Campaign) -> Memo<Option<Arc<Template>>> {
    let template = load_template(c.template.clone(), c.version);
    let c = c.clone();
    Memo::new(move |_| {
        template.get().map(|t| match c.form(&t) {
            std::borrow::Cow::Owned(form) => Arc::new(form),
            std::borrow::Cow::Borrowed(_) => t,
        })
    })
}

/// The template a record of a published template holds (None if it does not read as one).
pub fn template_of(r: &Record) -> Option<Template> {
    model::kinds::form_template::template_of(r).ok()
}
