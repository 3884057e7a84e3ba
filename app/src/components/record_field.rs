//! The inputs of one field of a record, stored on this computer as they are changed: texts keep
//! what is typed while focused and follow the other person's edits otherwise; a failed save is
//! said in words beside the part.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::record::{DELETED, Record};
use serde_json::{Value, json};

use crate::components::asked;
use crate::components::text_input::{
    Rule, TextInput, any_number_parser, date_parser, integer_parser, text_parser,
};
use crate::format;
use crate::store::{Target, use_store};
use crate::sync::use_sync;

/// Stores `fields` of the record `target`; a failure is put in `error`.
pub fn save(target: Target, fields: BTreeMap<String, Value>, error: RwSignal<Option<String>>) {
    let store = use_store();
    let sync = use_sync();
    // The part may be gone by the time the write ends (a sync made the record read-only while
    // the person typed): its `error` is then no longer there to be set.
    spawn_local(async move {
        match store.edit(&target, fields).await {
            Ok(()) => {
                error.try_set(None);
                sync.edited();
            }
            Err(e) => say_not_saved(store, &e, error),
        }
    });
}

/// Says a failed save in `error` («Не сохранено: …»); a held edit's message is taken back once
/// it is written.
pub fn say_not_saved(
    store: crate::store::Store,
    failure: &crate::store::StoreError,
    error: RwSignal<Option<String>>,
) {
    let said = format!("Не сохранено: {}", failure.0);
    error.try_set(Some(said.clone()));
    took_back_when_written(store, failure, error, said, || ());
}

/// A "not saved" said in `error` for an edit the store held is taken back once the store has
/// written every edit it held (the storage opened again), and `then` runs: the edit it was
/// about is saved by then.
pub fn took_back_when_written(
    store: crate::store::Store,
    failure: &crate::store::StoreError,
    error: RwSignal<Option<String>>,
    said: String,
    then: impl FnOnce() + 'static,
) {
    if !failure.held() {
        return;
    }
    store.when_written(move || {
        if error.try_get_untracked().flatten().as_ref() == Some(&said) {
            error.try_set(None);
            then();
        }
    });
}

/// Stores `fields` of the record `target` at once or not at all (nothing is held when the
/// storage is closed): for a record a button makes, or a list read from the record and changed
/// by a button, where a held edit would be made twice or lost under the next one built on the
/// stale list. `then` runs once it is saved (it may clear what was typed for it).
pub fn save_now(
    target: Target,
    fields: BTreeMap<String, Value>,
    error: RwSignal<Option<String>>,
    then: impl FnOnce() + 'static,
) {
    write_at_once(target, fields, error, None, then);
}

/// Stores `fields` at once (as [`save_now`]) unless the write of the same button is under way:
/// `busy` is set while it is written, so a second press of its button (a double click on a slow
/// computer) makes no second record and takes no decision twice — the button shows it with
/// `disabled`. `then` runs once it is saved (it may go to a new record's page).
pub fn save_once(
    target: Target,
    fields: BTreeMap<String, Value>,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    then: impl FnOnce() + 'static,
) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    write_at_once(target, fields, error, Some(busy), then);
}

/// [`save_now`] and [`save_once`]: `busy`, if any, is set back once the write is done.
fn write_at_once(
    target: Target,
    fields: BTreeMap<String, Value>,
    error: RwSignal<Option<String>>,
    busy: Option<RwSignal<bool>>,
    then: impl FnOnce() + 'static,
) {
    let store = use_store();
    let sync = use_sync();
    spawn_local(async move {
        let result = store.edit_now(&target, fields).await;
        if let Some(busy) = busy {
            busy.try_set(false);
        }
        match result {
            Ok(()) => {
                error.try_set(None);
                sync.edited();
                then();
            }
            Err(e) => {
                error.try_set(Some(format!("Не сохранено: {}", e.0)));
            }
        }
    });
}

/// Takes a step on the record `id` as stored on this computer (what was typed a moment ago is
/// in it): `step` says what to write where, or why the record does not allow the step yet.
/// It is written at once; what stops it, or why it was not saved, is said in `said` — the
/// step's own notice beside its buttons, which no save of a field clears. `busy` is set while
/// it is done, so a second press (a double click on a slow computer) takes no second step.
pub fn step_checked(
    id: uuid::Uuid,
    step: impl FnOnce(&Record) -> Result<(Target, BTreeMap<String, Value>), String> + 'static,
    said: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    let store = use_store();
    let sync = use_sync();
    spawn_local(async move {
        let result = match store.get(id).await {
            Ok(Some(stored)) => match step(&stored) {
                Ok((target, fields)) => store
                    .edit_now(&target, fields)
                    .await
                    .map(|()| true)
                    .map_err(|e| format!("Не сохранено: {}", e.0)),
                Err(why) => Err(why),
            },
            // Deleted from this computer meanwhile: its page says so.
            Ok(None) => Ok(false),
            Err(e) => Err(format!("Не сохранено: {}", e.0)),
        };
        busy.try_set(false);
        match result {
            Ok(written) => {
                said.try_set(None);
                if written {
                    sync.edited();
                }
            }
            Err(why) => {
                said.try_set(Some(why));
            }
        }
    });
}

/// Takes a step's notice away once the record's `state` changes (here or on another
/// computer): what stopped the step was about the record as it was.
pub fn said_until_changed<T: PartialEq + Clone + Send + Sync + 'static>(
    said: RwSignal<Option<String>>,
    state: Memo<T>,
) {
    Effect::new(move |seen: Option<()>| {
        state.track();
        if seen.is_some() {
            said.set(None);
        }
    });
}

/// One field.
pub fn one(name: &str, value: Value) -> BTreeMap<String, Value> {
    BTreeMap::from([(name.to_owned(), value)])
}

/// Asks `question`, and when the person confirms marks the record deleted (what it had seen, so
/// a later edit elsewhere is not lost).
pub fn delete(question: &str, target: Target, record: &Record, error: RwSignal<Option<String>>) {
    if asked(question) {
        save(target, one(DELETED, record.deletion_value()), error);
    }
}

/// Asks `question`, and when the person confirms marks the record deleted at once, then runs
/// `then` (leaving its page); a failure is said in `error` and the page stays, so the person
/// sees why the record is still there.
pub fn delete_then(
    question: &str,
    target: Target,
    record: &Record,
    error: RwSignal<Option<String>>,
    then: impl FnOnce() + 'static,
) {
    if asked(question) {
        save_now(target, one(DELETED, record.deletion_value()), error, then);
    }
}

/// The kind's declared rule for the field `name` of the target's record (a field the kind does
/// not declare, or no record yet: no rule here).
fn kind_rule(target: Signal<Option<Target>>, name: &str, value: &Value) -> Result<(), String> {
    let t = target.try_get_untracked().flatten();
    match t
        .and_then(|t| model::kinds::spec(t.kind))
        .and_then(|k| k.field(name))
    {
        Some(rule) => rule.check(value),
        None => Ok(()),
    }
}

/// How a field is typed.
#[derive(Clone, Copy)]
pub enum Input {
    Text(u32),
    Long(u32),
    Number,
    /// A whole number (a count of years, a year).
    Integer,
    Date,
    Choice(&'static [(&'static str, &'static str)]),
    /// One of the values, which cannot be unset (what a record is filed under).
    Required(&'static [(&'static str, &'static str)]),
}

/// A labelled input for the field `name` of the record; read-only text when `editable` is
/// false (an empty read-only field shows a dash). A value that breaks the field's rules is not
/// saved: said beside a typed input, in `error` for a choice.
#[component]
pub fn Field(
    record: Signal<Option<Record>>,
    target: Signal<Option<Target>>,
    name: &'static str,
    label: &'static str,
    input: Input,
    #[prop(into)] editable: Signal<bool>,
    error: RwSignal<Option<String>>,
    id: String,
    /// What is said when the field is emptied while the record cannot be without it (the
    /// kind's rule for its state): the empty value is then not saved.
    #[prop(optional, into)]
    required: Option<Signal<Option<&'static str>>>,
    /// The input's name when the label alone is the same on every row of a list («Срок:
    /// Проведение педсовета»).
    #[prop(optional, into)]
    named: Option<Signal<String>>,
    /// A date field of the record this date may not come before (the kind's
    /// `kinds::check_order`: a training's end and its start).
    #[prop(optional)]
    not_before: Option<&'static str>,
    /// A date field of the record this date may not come after (the other end of `not_before`).
    #[prop(optional)]
    not_after: Option<&'static str>,
) -> impl IntoView {
    let named = named.unwrap_or_else(|| Signal::derive(String::new));
    let aria = move || Some(named.get()).filter(|n| !n.is_empty());
    let value: Signal<Value> = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .and_then(|r| r.get(name).cloned())
                .unwrap_or(Value::Null)
        })
    })
    .into();
    // The rules of the field: not emptied while the record needs it, and the kind's rule.
    let rule = move |v: &Value| -> Result<(), String> {
        if v.is_null()
            && let Some(message) = required.and_then(|r| r.try_get_untracked().flatten())
        {
            return Err(format!("{message} Поле не может быть пустым."));
        }
        let other = |field: &str| {
            record
                .try_with_untracked(|r| r.as_ref().map(|r| r.text(field)))
                .flatten()
                .filter(|f| model::forms::answer::is_date(f))
        };
        if let Some(day) = v.as_str() {
            if let Some(first) = not_before.and_then(other)
                && day < first.as_str()
            {
                return Err(format!(
                    "Дата не может быть раньше {}.",
                    model::forms::answer::ru_date(&first)
                ));
            }
            if let Some(last) = not_after.and_then(other)
                && day > last.as_str()
            {
                return Err(format!(
                    "Дата не может быть позже {}.",
                    model::forms::answer::ru_date(&last)
                ));
            }
        }
        kind_rule(target, name, v)
    };
    let set = Callback::new(move |v: Value| {
        if let Some(t) = target.try_get_untracked().flatten() {
            if let Err(e) = rule(&v) {
                error.set(Some(format!("Не сохранено. {e}")));
                return;
            }
            save(t, one(name, v), error);
        }
    });
    // What is typed is read by the input's parser, then by the field's rules, so a value the
    // server would refuse (a year of birth «85», an agreed date emptied) is said beside the
    // field, where no other save clears it, and not saved to vanish at the next sync.
    let rules: Rule = Arc::new(rule);
    let text = move || value.with(|v| v.as_str().map(str::to_owned).unwrap_or_default());
    let shown = move || match input {
        Input::Date => format::date(&text()),
        Input::Number | Input::Integer => value
            .with(|v| v.as_f64().map(model::forms::answer::fmt_num))
            .unwrap_or_default(),
        Input::Choice(list) | Input::Required(list) => list
            .iter()
            .find(|(k, _)| *k == text())
            .map_or_else(String::new, |(_, l)| (*l).to_owned()),
        _ => text(),
    };
    let input_id = id.clone();
    let label_id = format!("{id}-label");
    let named_by = label_id.clone();
    let control = move || {
        if !editable.get() {
            let s = shown();
            let s = if s.is_empty() { "—".to_owned() } else { s };
            return view! { <p class="field-value" id=input_id.clone() aria-labelledby=named_by.clone()>{s}</p> }.into_any();
        }
        let off = Signal::derive(|| false);
        match input {
            Input::Text(max) => view! {
                <TextInput id=input_id.clone() value=value parse=text_parser(max) rule=rules.clone() set=set disabled=off label=named max_len=max/>
            }
            .into_any(),
            Input::Long(max) => view! {
                <TextInput id=input_id.clone() value=value parse=text_parser(max) rule=rules.clone() set=set disabled=off label=named multiline=true max_len=max/>
            }
            .into_any(),
            Input::Number => view! {
                <TextInput id=input_id.clone() value=value parse=any_number_parser() rule=rules.clone() set=set disabled=off label=named numeric=true/>
            }
            .into_any(),
            Input::Integer => view! {
                <TextInput id=input_id.clone() value=value parse=integer_parser() rule=rules.clone() set=set disabled=off label=named numeric=true/>
            }
            .into_any(),
            Input::Date => view! {
                <TextInput id=input_id.clone() value=value parse=date_parser() rule=rules.clone() set=set disabled=off label=named date=true/>
            }
            .into_any(),
            Input::Choice(list) => view! {
                <select id=input_id.clone() aria-label=aria on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set.run(if v.is_empty() { Value::Null } else { json!(v) });
                }>
                    <option value="" selected=move || text().is_empty()>"— не выбрано —"</option>
                    {list.iter().map(|(k, l)| view! { <option value=*k selected=move || text() == *k>{*l}</option> }).collect_view()}
                </select>
            }
            .into_any(),
            Input::Required(list) => view! {
                <select id=input_id.clone() aria-label=aria required=true on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if !v.is_empty() {
                        set.run(json!(v));
                    }
                }>
                    {move || text().is_empty().then(|| view! { <option value="" selected=true disabled=true>"— выберите —"</option> })}
                    {list.iter().map(|(k, l)| view! { <option value=*k selected=move || text() == *k>{*l}</option> }).collect_view()}
                </select>
            }
            .into_any(),
        }
    };
    // A label names an input; a read-only value is named by the same text through
    // aria-labelledby.
    view! {
        <div class="field">
            {move || if editable.get() {
                view! { <label for=id.clone() id=label_id.clone()>{label}</label> }.into_any()
            } else {
                view! { <span class="field-label" id=label_id.clone()>{label}</span> }.into_any()
            }}
            {control}
        </div>
    }
}

/// The error of a part, announced.
/// A list field of a record as checkboxes. Each option is (value, label, element id); the list
/// is stored at every change in the order of the options (values no option shows are kept).
#[component]
pub fn Checklist(
    record: Signal<Option<Record>>,
    target: Signal<Option<Target>>,
    name: &'static str,
    legend: &'static str,
    #[prop(into)] options: Signal<Vec<(Value, String, String)>>,
    #[prop(into)] editable: Signal<bool>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let chosen = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .and_then(|r| r.get(name).and_then(Value::as_array).cloned())
                .unwrap_or_default()
        })
    });
    let toggle = move |value: Value, on: bool| {
        let mut list = chosen.get_untracked();
        list.retain(|x| *x != value);
        if on {
            list.push(value);
        }
        let order = options.get_untracked();
        let place = |v: &Value| {
            order
                .iter()
                .position(|(o, _, _)| o == v)
                .unwrap_or(usize::MAX)
        };
        list.sort_by_key(place);
        if let Some(t) = target.get_untracked() {
            save_now(t, one(name, Value::Array(list)), error, || ());
        }
    };
    view! {
        <fieldset class="field months">
            <legend>{legend}</legend>
            {move || options.get().into_iter().map(|(value, label, id)| {
                let for_id = id.clone();
                let shown = value.clone();
                view! {
                    <label for=for_id class="month">
                        <input
                            type="checkbox"
                            id=id
                            disabled=move || !editable.get()
                            prop:checked=move || chosen.with(|l| l.contains(&shown))
                            on:change=move |ev| toggle(value.clone(), event_target_checked(&ev))
                        />
                        {label}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
pub fn SaveError(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })
    }
}
