//! Records deleted on one computer while someone changed them on another
//! ([`Record::deletion_conflict`]): nothing is lost and nothing comes back by itself. Every list
//! of the app leaves deleted records out, so they are shown here, with what was changed after
//! the deletion, and the person who may decide puts the record back or deletes it together
//! with those changes. Shown beside the edits the server did not accept.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::Actor;
use model::kinds::{self, FieldType};
use model::record::{DELETED, Record, Scope};
use model::role::Role;
use model::user::UserProfile;

use crate::components::record_field::{SaveError, one, save_once};
use crate::format;
use crate::session::use_session;
use crate::store::{Target, use_store};

#[component]
pub fn UndecidedList() -> impl IntoView {
    let store = use_store();
    let session = use_session();
    let list = RwSignal::new(Vec::<(Record, Option<Record>)>::new());
    Effect::new(move |_| {
        store.revision().track();
        store.db_state().track();
        spawn_local(async move {
            if let Ok(found) = store.undecided().await {
                list.try_set(found);
            }
        });
    });
    move || {
        let items = list.get();
        let profile = session.profile();
        (!items.is_empty()).then(|| {
            view! {
                <section class="undecided" id="undecided" aria-labelledby="undecided-title">
                    <h2 id="undecided-title">"Удалено, но изменено на другом компьютере"</h2>
                    <p>"Эти записи удалили, а на другом компьютере тем временем внесли в них изменения. Ничего не потеряно: решите, вернуть запись или удалить её вместе с этими изменениями."</p>
                    <ul>
                        {items.into_iter().map(|(record, parent)| {
                            view! { <UndecidedItem record parent profile=profile.clone()/> }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[component]
fn UndecidedItem(
    record: Record,
    parent: Option<Record>,
    profile: Option<UserProfile>,
) -> impl IntoView {
    let spec = kinds::spec(&record.kind);
    let what = spec.map_or("Запись", |s| s.label);
    let name = title(&record);
    let heading = match &name {
        Some(n) => format!("{what}: «{n}»"),
        None => what.to_owned(),
    };
    let unseen = record.unseen_by_deletion();
    let when = unseen.iter().map(|(_, f)| f.hlc.wall_ms).max();
    let changed: std::collections::BTreeMap<String, serde_json::Value> = unseen
        .iter()
        .map(|(name, f)| ((*name).to_owned(), f.value.clone()))
        .collect();
    let changed = format::fields_in_words(spec, &changed);
    let back = one(DELETED, Record::restoration_value());
    let again = one(DELETED, record.deletion_value());
    let now = js_sys::Date::now() as u64;
    let may = |fields| match (&profile, spec) {
        (Some(p), Some(_)) => {
            kinds::may_change(&actor(p, &record), now, &record, parent.as_ref(), fields)
        }
        _ => Err("Войдите в систему, чтобы решить.".to_owned()),
    };
    let (may_back, may_delete) = (may(&back), may(&again));
    let target = spec.map(|s| Target {
        id: record.id,
        kind: s.name,
        scope: record.scope.clone(),
        parent: record.parent,
    });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let question = format!(
        "Удалить {} вместе с изменениями, внесёнными после удаления?",
        name.as_deref()
            .map_or("эту запись".to_owned(), |n| format!("«{n}»"))
    );
    let why_not = match (&may_back, &may_delete) {
        (Err(e), Err(_)) => Some(format!("Решить здесь вы не можете. {e}")),
        _ => None,
    };
    let id = record.id;
    let restore = {
        let (target, back) = (target.clone(), back.clone());
        move |_| {
            if let Some(t) = target.clone() {
                save_once(t, back.clone(), error, busy, || {});
            }
        }
    };
    let remove = move |_| {
        let ok = web_sys::window()
            .and_then(|w| w.confirm_with_message(&question).ok())
            .unwrap_or(false);
        if let (true, Some(t)) = (ok, target.clone()) {
            save_once(t, again.clone(), error, busy, || {});
        }
    };
    view! {
        <li class="undecided-item" data-record=id.to_string()>
            <p><strong>{heading}</strong></p>
            <p class="muted">
                "Изменено после удаления"
                {when.map(|ms| format!(" ({})", format::date_time(ms)))}
                ": " {changed.join("; ")}
            </p>
            {may_back.is_ok().then(|| view! {
                <button type="button" class="undecided-restore" disabled=move || busy.get() on:click=restore>
                    "Вернуть запись"
                </button>
            })}
            {may_delete.is_ok().then(|| view! {
                <button type="button" class="undecided-delete button-secondary" disabled=move || busy.get() on:click=remove>
                    "Удалить окончательно"
                </button>
            })}
            {why_not.map(|w| view! { <p class="undecided-why">{w}</p> })}
            <SaveError error=error/>
        </li>
    }
}

/// What names the record to a person: its first text field that holds something (a
/// candidate's name, a material's title, a file's name), shortened.
fn title(record: &Record) -> Option<String> {
    let spec = kinds::spec(&record.kind)?;
    spec.fields
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Text { .. }))
        .map(|f| record.text(f.name))
        .find(|t| !t.trim().is_empty())
        .map(|t| {
            let t = t.trim();
            if t.chars().count() > 120 {
                format!("{}…", t.chars().take(120).collect::<String>())
            } else {
                t.to_owned()
            }
        })
}

/// The person as the rules see them, from what this computer knows: a mentor or curator who
/// holds a school's record is one assigned to that school (only they receive it).
fn actor(p: &UserProfile, record: &Record) -> Actor {
    let assigned = match (&record.scope, p.role) {
        (Scope::School(s), Role::Mentor | Role::Curator) => vec![*s],
        _ => Vec::new(),
    };
    Actor {
        user_id: p.id,
        name: p.full_name.clone(),
        role: p.role,
        school: p.school_id,
        assigned,
    }
}
