//! Records deleted on one computer while someone changed them on another
//! ([`Record::deletion_conflict`]): nothing is lost and nothing comes back by itself. Every list
//! of the app leaves deleted records out, so they are shown here, with what was changed on the
//! other computer, and the person who may decide puts the record back or deletes it together
//! with those changes. Shown beside the edits the server did not accept, and counted in the
//! header («Ждут решения»). Only people with a right over such a record see it (a teacher who
//! reads a published material is not asked about it).

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::Actor;
use model::hlc::{DeviceId, Hlc};
use model::kinds::{self, FieldType};
use model::record::{DELETED, Record, Scope};
use model::role::Role;
use model::user::UserProfile;
use serde_json::Value;

use crate::components::record_field::{SaveError, one, save_once};
use crate::format;
use crate::session::use_session;
use crate::store::{Store, Target, Undecided, use_store};

/// The records awaiting a decision that concern the signed-in person, each with what they may
/// do, kept current.
fn watch(store: Store) -> RwSignal<Vec<Item>> {
    let session = use_session();
    let items = RwSignal::new(Vec::<Item>::new());
    Effect::new(move |_| {
        store.revision().track();
        store.db_state().track();
        let profile = session.profile();
        spawn_local(async move {
            let Ok(found) = store.undecided().await else {
                return;
            };
            let now = js_sys::Date::now() as u64;
            let mine: Vec<Item> = profile
                .map(|p| Item::all(&found, &p, now))
                .unwrap_or_default();
            // An unchanged list does not draw the items anew (a decision under way keeps its
            // button disabled, and the keyboard focus stays where it is).
            if items.try_with_untracked(|i| i != &mine) == Some(true) {
                items.try_set(mine);
            }
        });
    });
    items
}

/// One record awaiting a decision, as the person sees it.
#[derive(Clone, PartialEq)]
struct Item {
    record: Record,
    /// The latest write of its parent (what may be decided can depend on it).
    parent_latest: Option<Hlc>,
    /// What names it («Кандидат в кадровый резерв: «Иванова М. П.»»).
    heading: String,
    name: Option<String>,
    /// What was changed on another computer, unseen by the deletion, in words, and when.
    changed: Vec<String>,
    when: Option<u64>,
    /// Whether the person may put it back, and delete it with the changes (`Err`: why not).
    restore: Result<(), String>,
    delete: Result<(), String>,
}

impl Item {
    fn all(found: &Undecided, profile: &UserProfile, now_ms: u64) -> Vec<Item> {
        found
            .records
            .iter()
            .filter_map(|(record, parent)| {
                Item::of(record, parent.as_ref(), &found.device, profile, now_ms)
            })
            .collect()
    }

    /// `None` when the record is none of the person's concern (no right over it at all).
    fn of(
        record: &Record,
        parent: Option<&Record>,
        device: &DeviceId,
        profile: &UserProfile,
        now_ms: u64,
    ) -> Option<Item> {
        let actor = actor(profile, record);
        let (known, parent) = (
            as_known_here(record, device, profile),
            parent.map(|p| as_known_here(p, device, profile)),
        );
        if !kinds::concerns(&actor, now_ms, &known, parent.as_ref()) {
            return None;
        }
        let may = |value: Value| {
            kinds::may_change(
                &actor,
                now_ms,
                &known,
                parent.as_ref(),
                &one(DELETED, value),
            )
        };
        let spec = kinds::spec(&record.kind);
        let what = spec.map_or("Запись", |s| s.label);
        let name = title(record);
        let unseen = record.unseen_by_deletion();
        let changed: std::collections::BTreeMap<String, Value> = unseen
            .iter()
            .map(|(name, f)| ((*name).to_owned(), f.value.clone()))
            .collect();
        Some(Item {
            heading: match &name {
                Some(n) => format!("{what}: «{n}»"),
                None => what.to_owned(),
            },
            name,
            changed: format::fields_in_words(spec, &changed),
            when: unseen.iter().map(|(_, f)| f.hlc.wall_ms).max(),
            restore: may(Record::restoration_value()),
            delete: may(record.deletion_value()),
            parent_latest: parent.as_ref().and_then(Record::latest).cloned(),
            record: record.clone(),
        })
    }

    /// What the item is drawn from: a row stays as it is (its decision under way, the keyboard
    /// focus in it) until one of these changes.
    fn key(&self) -> (uuid::Uuid, Option<Hlc>, Option<Hlc>, bool, bool) {
        (
            self.record.id,
            self.record.latest().cloned(),
            self.parent_latest.clone(),
            self.restore.is_ok(),
            self.delete.is_ok(),
        )
    }
}

/// «Ждут решения: N» in the header, for the records the person may decide; a link to them.
#[component]
pub fn UndecidedBadge() -> impl IntoView {
    let items = watch(use_store());
    let count = move || {
        items.with(|i| {
            i.iter()
                .filter(|i| i.restore.is_ok() || i.delete.is_ok())
                .count()
        })
    };
    move || {
        (count() > 0).then(|| {
            view! {
                <a id="sync-undecided" class="badge-bad" href="/refused#undecided">
                    "Ждут решения: " {count}
                </a>
            }
        })
    }
}

#[component]
pub fn UndecidedList() -> impl IntoView {
    let store = use_store();
    let items = watch(store);
    // What was just decided, said to a screen reader too (the item leaves the list).
    let done = RwSignal::new(None::<String>);
    // Reached by the header's link, the list is scrolled to once it has been read.
    Effect::new(move |scrolled: Option<bool>| {
        let any = items.with(|i| !i.is_empty());
        if scrolled != Some(true) && any {
            let wanted = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .is_some_and(|h| h == "#undecided");
            if wanted
                && let Some(e) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("undecided"))
            {
                e.scroll_into_view();
            }
            return true;
        }
        scrolled.unwrap_or(false)
    });
    // Drawn anew only when the list comes or goes, not at every change of it.
    let any = Memo::new(move |_| items.with(|i| !i.is_empty()));
    view! {
        <p class="undecided-done" role="status">{move || done.get()}</p>
        {move || any.get().then(|| view! {
            <section class="undecided" id="undecided" aria-labelledby="undecided-title">
                <h2 id="undecided-title">"Удалено, но изменено на другом компьютере"</h2>
                <p>"Эти записи удалили, а на другом компьютере тем временем внесли в них изменения. Ничего не потеряно: решите, вернуть запись или удалить её вместе с этими изменениями."</p>
                <ul>
                    <For
                        each=move || items.get()
                        key=Item::key
                        children=move |item| view! { <UndecidedItem item done/> }
                    />
                </ul>
            </section>
        })}
    }
}

#[component]
fn UndecidedItem(item: Item, done: RwSignal<Option<String>>) -> impl IntoView {
    let record = &item.record;
    let target = kinds::spec(&record.kind).map(|s| Target {
        id: record.id,
        kind: s.name,
        scope: record.scope.clone(),
        parent: record.parent,
    });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let called = item
        .name
        .as_deref()
        .map_or("Запись".to_owned(), |n| format!("Запись «{n}»"));
    let question = format!(
        "{called} будет удалена вместе с изменениями, сделанными на другом компьютере. Удалить?"
    );
    let restore = {
        let (target, called) = (target.clone(), called.clone());
        move |_| {
            if let Some(t) = target.clone() {
                let said = format!("{called} возвращена.");
                save_once(
                    t,
                    one(DELETED, Record::restoration_value()),
                    error,
                    busy,
                    move || done.set(Some(said)),
                );
            }
        }
    };
    let again = one(DELETED, record.deletion_value());
    let remove = move |_| {
        if let (true, Some(t)) = (crate::components::asked(&question), target.clone()) {
            let said = format!("{called} удалена.");
            save_once(t, again.clone(), error, busy, move || done.set(Some(said)));
        }
    };
    let changed = if item.changed.is_empty() {
        String::new()
    } else {
        format!(": {}", item.changed.join("; "))
    };
    let why_not = match (&item.restore, &item.delete) {
        (Err(e), Err(_)) => Some(format!("Решить здесь вы не можете. {e}")),
        (Err(e), Ok(())) => Some(format!("Вернуть запись вы не можете. {e}")),
        (Ok(()), Err(e)) => Some(format!("Удалить запись вы не можете. {e}")),
        (Ok(()), Ok(())) => None,
    };
    view! {
        <li class="undecided-item" data-record=record.id.to_string()>
            <p><strong>{item.heading.clone()}</strong></p>
            <p class="muted">
                "Изменено на другом компьютере"
                {item.when.map(|ms| format!(" ({})", format::date_time(ms)))}
                {changed}
            </p>
            {item.restore.is_ok().then(|| view! {
                <button type="button" class="undecided-restore" disabled=move || busy.get() on:click=restore>
                    "Вернуть запись"
                </button>
            })}
            {item.delete.is_ok().then(|| view! {
                <button type="button" class="undecided-delete button-secondary" disabled=move || busy.get() on:click=remove>
                    "Удалить окончательно"
                </button>
            })}
            {why_not.map(|w| view! { <p class="undecided-why">{w}</p> })}
            <SaveError error=error/>
        </li>
    }
}

/// What names the record to a person: its first text field written in words (a candidate's
/// name, a material's title, a plan item's measure) rather than a code (an area's id), or else
/// its first text field that holds something (a file's name), shortened.
fn title(record: &Record) -> Option<String> {
    let spec = kinds::spec(&record.kind)?;
    let texts: Vec<String> = spec
        .fields
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Text { .. }))
        .map(|f| record.text(f.name).trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let words = |t: &&String| t.chars().any(|c| c.is_whitespace() || !c.is_ascii());
    let t = texts.iter().find(words).or(texts.first())?;
    Some(crate::format::short(t, 120))
}

/// The person as the rules see them, from what this computer knows: a mentor or curator who
/// holds a school's record is one assigned to that school. (Only they receive the school's
/// records that may be deleted; a record addressed to one specialist, which another may hold,
/// is a consultation, which nobody deletes.)
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
        school_name: String::new(),
    }
}

/// The record with its owner as far as this computer knows it: a device does not receive
/// owners ([`Record::owner`]), but a record it wrote to is taken for the person's own. Where a
/// rule names the owner (a file attached, a visit recorded), only the owner and those with a
/// right of their own may change the record, so a write from here was the owner's or changes
/// nothing; where no rule names the owner, taking the person for it changes nothing either.
/// (A record the person made and changed only on other computers is not known as theirs
/// here; the server decides anyway.)
fn as_known_here(record: &Record, device: &DeviceId, profile: &UserProfile) -> Record {
    let mut known = record.clone();
    if known.owner.is_none() && known.written_by(device) {
        known.owner = Some(profile.id);
    }
    known
}
