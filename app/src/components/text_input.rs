//! The text input of a typed value (a form's number, percent, text or date question, a
//! record's field): it keeps what is typed while it has focus and says the rule the text
//! breaks; and the parsers that read what was typed. Dates are typed and shown as ДД.ММ.ГГГГ
//! whatever the browser's language (the browser's own date input follows its language), and
//! stored as `YYYY-MM-DD`.

use std::sync::Arc;

use leptos::prelude::*;
use model::forms::answer::{self, fmt_num};
use model::forms::template::{Kind, NumberRule};
use serde_json::Value;

/// What describes a question's inputs to a screen reader.
#[derive(Clone, Default, PartialEq)]
pub struct Note {
    pub ids: Option<String>,
    pub invalid: bool,
}

/// Reads what was typed into a value, or says which rule it breaks.
pub(crate) type Parser = Arc<dyn Fn(&str) -> Result<Value, String> + Send + Sync>;

/// A rule a value read well must keep besides its type (the kind's rule for the field, an
/// order of dates): a breach is said beside the input and nothing is stored, not even a clear.
pub(crate) type Rule = Arc<dyn Fn(&Value) -> Result<(), String> + Send + Sync>;

/// The text an input shows for a stored number or text.
pub fn shown(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), fmt_num),
        other => other.to_string(),
    }
}

/// The text an input shows for a stored date: ДД.ММ.ГГГГ.
fn shown_date(v: &Value) -> String {
    v.as_str().map_or_else(String::new, answer::ru_date)
}

/// Reads a number typed the Russian way ("12,5") or the other way ("12.5").
fn parse_number(text: &str, integer: bool) -> Result<Value, String> {
    let t: String = text.trim().chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Ok(Value::Null);
    }
    let t = t.replace(',', ".");
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() => {
            if integer && n.fract() != 0.0 {
                return Err("введите целое число".into());
            }
            // A whole number is kept as one (45, not 45.0), as it reads back from storage:
            // the page then knows the stored value for the one typed.
            if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
                Ok(Value::from(n as i64))
            } else {
                Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
            }
        }
        _ => Err("введите число цифрами, например 12 или 12,5".into()),
    }
}

fn parse_text(text: &str) -> Value {
    if text.trim().is_empty() {
        Value::Null
    } else {
        Value::String(text.to_owned())
    }
}

/// A text input that keeps what is typed while it has focus (a save never moves the cursor) and
/// shows the rule the text breaks; it reports only values that parse.
#[component]
pub(crate) fn TextInput(
    id: String,
    value: Signal<Value>,
    parse: Parser,
    set: Callback<Value>,
    disabled: Signal<bool>,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] numeric: bool,
    /// The input's name when no label names it (a cell of a row says its row).
    #[prop(optional, into)]
    label: Option<Signal<String>>,
    #[prop(optional)] max_len: Option<u32>,
    #[prop(optional, into)] note: Option<Signal<Note>>,
    /// A date: shown and typed as ДД.ММ.ГГГГ (parse with [`date_parser`]).
    #[prop(optional)]
    date: bool,
    #[prop(optional)] rule: Option<Rule>,
) -> impl IntoView {
    let rule = StoredValue::new(rule);
    let breaks = move |v: &Value| rule.with_value(|r| r.as_ref().and_then(|r| r(v).err()));
    let shown = move |v: &Value| if date { shown_date(v) } else { shown(v) };
    let draft = RwSignal::new(String::new());
    let editing = RwSignal::new(false);
    let local_error = RwSignal::new(None::<String>);
    // The value when the person began typing, and whether what they typed since was stored:
    // each keystroke that reads well is saved, so «150» in a field of 0–100 has saved «15» on
    // the way. Text that breaks a rule puts the value back as it was before the typing.
    let before = StoredValue::new(None::<Value>);
    let wrote = StoredValue::new(false);
    // A date typed since the focus that no change event has taken yet.
    let typed = StoredValue::new(false);
    let begin = move || {
        typed.set_value(false);
        editing.set(true);
        before.set_value(Some(value.get_untracked()));
        wrote.set_value(false);
    };
    let undo = move || {
        if wrote.get_value()
            && let Some(v) = before.get_value()
        {
            wrote.set_value(false);
            set.run(v);
        }
    };
    Effect::new(move |_| {
        let v = value.get();
        if !editing.get_untracked() && local_error.get_untracked().is_none() {
            draft.set(shown(&v));
        }
    });
    let parse_date = parse.clone();
    let parse_whole_date = parse.clone();
    let on_text = Callback::new(move |text: String| {
        draft.set(text.clone());
        match parse(&text) {
            Err(rule) => {
                local_error.set(Some(rule));
                undo();
            }
            Ok(v) => match breaks(&v) {
                Some(rule) => {
                    local_error.set(Some(rule));
                    undo();
                }
                None => {
                    local_error.set(None);
                    wrote.set_value(true);
                    set.run(v);
                }
            },
        }
    });
    // A date is taken when the person leaves the field (or presses Enter), never halfway:
    // «3.04.2026» on the way from «30.04» to «31.04» is a day too. A date that does not exist
    // clears the stored one (the form then says the date is missing) and keeps the text typed.
    let on_date = Callback::new(move |text: String| {
        draft.set(text.clone());
        match parse_date(&text) {
            Err(rule) => {
                local_error.set(Some(rule));
                if !value.get_untracked().is_null() {
                    set.run(Value::Null);
                }
            }
            Ok(v) => match breaks(&v) {
                Some(rule) => {
                    local_error.set(Some(rule));
                    // A date kept on the way (see below) gives way to the one before the typing.
                    undo();
                }
                None => {
                    local_error.set(None);
                    if value.get_untracked() != v {
                        set.run(v);
                    }
                }
            },
        }
    });
    // A date typed to its last digit (ДД.ММ.ГГГГ, ten characters: no longer halfway) is kept at
    // once, so a tab closed before the person leaves the field loses nothing; what it breaks
    // is said when they leave it.
    let on_date_typed = move |text: String| {
        typed.set_value(true);
        draft.set(text.clone());
        if text.trim().chars().count() == 10
            && let Ok(v) = parse_whole_date(&text)
            && !v.is_null()
            && breaks(&v).is_none()
        {
            local_error.set(None);
            if value.get_untracked() != v {
                wrote.set_value(true);
                set.run(v);
            }
        }
    };
    // Also called when the input is taken away while it has the focus (a sync made the record
    // read-only as the person typed), by then without its signals: nothing is left to do.
    let on_blur = move |_| {
        // The browser sends no change when the text is back to what it was at the focus (a
        // date typed, kept at once, then erased): what the field shows is taken all the same.
        if date
            && typed.try_get_value() == Some(true)
            && let Some(text) = draft.try_get_untracked()
        {
            typed.try_set_value(false);
            on_date.try_run(text);
        }
        editing.try_set(false);
        if local_error.try_get_untracked().flatten().is_none()
            && let Some(v) = value.try_get_untracked()
        {
            draft.try_set(shown(&v));
        }
    };
    let error_id = format!("{id}-rule");
    let note = note.unwrap_or_else(|| Signal::derive(Note::default));
    // Its own rule (what was typed) and the question's help and problems.
    let described = {
        let own = error_id.clone();
        move || {
            let mut ids: Vec<String> = note.with(|n| n.ids.clone()).into_iter().collect();
            if local_error.with(Option::is_some) {
                ids.push(own.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || {
        if local_error.with(Option::is_some) || note.with(|n| n.invalid) {
            "true"
        } else {
            "false"
        }
    };
    let described2 = described.clone();
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                rows="4"
                maxlength=max_len.map(|m| m.to_string())
                aria-label=move || label.map(|l| l.get()).filter(|l| !l.is_empty())
                prop:value=move || draft.get()
                disabled=move || disabled.get()
                on:focus=move |_| begin()
                on:blur=on_blur
                on:input=move |ev| on_text.run(event_target_value(&ev))
                aria-invalid=invalid
                aria-describedby=described
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type="text"
                inputmode=if numeric { "decimal" } else if date { "numeric" } else { "text" }
                placeholder=date.then_some("ДД.ММ.ГГГГ")
                autocomplete=date.then_some("off")
                maxlength=if date { Some("10".to_owned()) } else { max_len.map(|m| m.to_string()) }
                aria-label=move || label.map(|l| l.get()).filter(|l| !l.is_empty())
                prop:value=move || draft.get()
                disabled=move || disabled.get()
                on:focus=move |_| begin()
                on:blur=on_blur
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    if date {
                        on_date_typed(text);
                    } else {
                        on_text.run(text);
                    }
                }
                on:change=move |ev| {
                    // Also fired as the input is taken away (see `on_blur`): then nothing runs.
                    let text = event_target_value(&ev);
                    if date {
                        typed.try_set_value(false);
                        on_date.try_run(text);
                    } else if draft.try_get_untracked().is_some_and(|d| d != text) {
                        on_text.try_run(text);
                    }
                }
                aria-invalid=invalid
                aria-describedby=described2
            />
        }
        .into_any()
    };
    view! {
        {input}
        {move || local_error.get().map(|e| view! { <p id=error_id.clone() class="field-error" role="alert">{e}</p> })}
    }
}

pub(crate) fn number_parser(rule: NumberRule) -> Parser {
    Arc::new(move |text: &str| {
        let v = parse_number(text, rule.integer)?;
        answer::check_kind(&Kind::Number(rule.clone()), &v).map(|()| v)
    })
}

pub(crate) fn percent_parser() -> Parser {
    Arc::new(|text: &str| {
        let v = parse_number(text, false)?;
        answer::check_kind(&Kind::Percent, &v).map(|()| v)
    })
}

/// Any number (a decimal comma or point), or nothing.
pub(crate) fn any_number_parser() -> Parser {
    Arc::new(|text: &str| {
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        parse_number(text, false)
    })
}

/// A whole number, or nothing.
pub(crate) fn integer_parser() -> Parser {
    Arc::new(|text: &str| {
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        parse_number(text, true)
    })
}

/// A date typed as ДД.ММ.ГГГГ (or as people also type it: «5.3.2026», «05032026»), stored as
/// `YYYY-MM-DD`; nothing typed is no date.
pub(crate) fn date_parser() -> Parser {
    Arc::new(|text: &str| {
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        answer::parse_ru_date(text)
            .map(Value::String)
            .ok_or_else(|| "введите дату в виде ДД.ММ.ГГГГ, например 05.03.2026".into())
    })
}

/// A date input over a plain text signal holding `YYYY-MM-DD` (or nothing): typed and shown
/// as ДД.ММ.ГГГГ.
#[component]
pub(crate) fn DateInput(
    id: String,
    value: RwSignal<String>,
    #[prop(optional, into)] label: Option<String>,
    #[prop(optional, into)] disabled: Option<Signal<bool>>,
) -> impl IntoView {
    let stored = Signal::derive(move || {
        let v = value.get();
        if v.is_empty() {
            Value::Null
        } else {
            Value::String(v)
        }
    });
    let set = Callback::new(move |v: Value| {
        value.set(v.as_str().unwrap_or_default().to_owned());
    });
    let disabled = disabled.unwrap_or_else(|| Signal::derive(|| false));
    match label {
        Some(label) => view! {
            <TextInput id=id value=stored parse=date_parser() set=set disabled=disabled label=label date=true/>
        }
        .into_any(),
        None => view! {
            <TextInput id=id value=stored parse=date_parser() set=set disabled=disabled date=true/>
        }
        .into_any(),
    }
}

/// The rule the kind `kind` declares for its field `field`: a value the server would refuse is
/// said beside the input.
pub(crate) fn kind_rule(kind: &'static str, field: &'static str) -> Rule {
    let spec = model::kinds::spec(kind).and_then(|k| k.field(field));
    Arc::new(move |v: &Value| spec.map_or(Ok(()), |s| s.check(v)))
}

pub(crate) fn text_parser(max_len: u32) -> Parser {
    Arc::new(move |text: &str| {
        let v = parse_text(text);
        answer::check_kind(&Kind::Text { max_len }, &v).map(|()| v)
    })
}
