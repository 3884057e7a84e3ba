//! One question of a form, of any kind, as accessible inputs: a label tied to each input,
//! radio and check boxes grouped under a legend, errors announced and tied to the input.
//! Every widget reports a whole new value of its question; the page checks and stores it.

use std::sync::Arc;

use leptos::prelude::*;
use model::forms::answer::{self, Answers, fmt_num};
use model::forms::template::{Cell, Choice, Column, Kind, Question};
use serde_json::{Map, Value};

use crate::components::text_input::{
    Note, TextInput, date_parser, number_parser, percent_parser, text_parser,
};

/// What a question widget needs from the page.
#[derive(Clone)]
pub struct Ctx {
    /// The current answer of this question.
    pub value: Signal<Value>,
    /// Every answer (for show-if inside groups and computed values).
    pub answers: Signal<Answers>,
    pub set: Callback<Value>,
    /// Writes one field of the answer (a table cell, a group's item).
    pub set_field: Callback<(String, Value)>,
    /// The ids of a group's items, in the order of its answer (`None`: an item of a list
    /// stored whole, see `forms::group_items`).
    pub items: Signal<Vec<Option<String>>>,
    pub disabled: Signal<bool>,
    /// The ids of the question's help and problem texts, for `aria-describedby`; `invalid`
    /// when a problem is shown.
    pub note: Signal<Note>,
}

/// The input(s) of one question: `dom_id` is the id of its first input (the label's target).
#[component]
pub fn QuestionInput(q: Arc<Question>, dom_id: String, ctx: Ctx) -> impl IntoView {
    let Ctx {
        value,
        answers,
        set,
        set_field,
        items,
        disabled,
        note,
    } = ctx;
    match q.kind.clone() {
        Kind::Single { options } => view! {
            {choice_list(&dom_id, options, false, value, set, disabled)}
            {clear_button(&dom_id, value, set, disabled)}
        }
        .into_any(),
        Kind::Multiple { options, .. } => {
            choice_list(&dom_id, options, true, value, set, disabled).into_any()
        }
        Kind::YesNo => {
            let options = vec![
                Choice {
                    id: "true".into(),
                    text: "Да".into(),
                    years: None,
                },
                Choice {
                    id: "false".into(),
                    text: "Нет".into(),
                    years: None,
                },
            ];
            let as_choice = Signal::derive(move || match value.get() {
                Value::Bool(b) => Value::String(b.to_string()),
                _ => Value::Null,
            });
            let set_bool = Callback::new(move |v: Value| {
                set.run(v.as_str().map_or(Value::Null, |s| Value::Bool(s == "true")));
            });
            view! {
                {choice_list(&dom_id, options, false, as_choice, set_bool, disabled)}
                {clear_button(&dom_id, value, set, disabled)}
            }
            .into_any()
        }
        Kind::Scale {
            min,
            max,
            min_label,
            max_label,
        } => {
            let options: Vec<Choice> = (min..=max)
                .map(|n| Choice {
                    id: n.to_string(),
                    text: n.to_string(),
                    years: None,
                })
                .collect();
            let as_choice = Signal::derive(move || match value.get() {
                Value::Number(n) => Value::String(n.to_string()),
                _ => Value::Null,
            });
            let set_num = Callback::new(move |v: Value| {
                set.run(
                    v.as_str()
                        .and_then(|s| s.parse::<i64>().ok())
                        .map_or(Value::Null, Value::from),
                );
            });
            view! {
                <div class="scale">
                    <span class="scale-end" aria-hidden="true">{min_label.clone()}</span>
                    {choice_list(&dom_id, options, false, as_choice, set_num, disabled)}
                    <span class="scale-end" aria-hidden="true">{max_label.clone()}</span>
                </div>
                {clear_button(&dom_id, value, set, disabled)}
                {(!min_label.is_empty() || !max_label.is_empty()).then(|| view! {
                    <p class="muted">{format!("{min} — {min_label}; {max} — {max_label}")}</p>
                })}
            }
            .into_any()
        }
        Kind::Number(rule) => {
            let unit = rule.unit.clone();
            view! {
                <span class="with-unit">
                    <TextInput id=dom_id value=value parse=number_parser(rule) set=set disabled=disabled numeric=true note=note/>
                    {(!unit.is_empty()).then(|| view! { <span class="unit">{unit}</span> })}
                </span>
            }
            .into_any()
        }
        Kind::Percent => view! {
            <span class="with-unit">
                <TextInput id=dom_id value=value parse=percent_parser() set=set disabled=disabled numeric=true note=note/>
                <span class="unit">"%"</span>
            </span>
        }
        .into_any(),
        Kind::Text { max_len } => view! {
            <TextInput id=dom_id value=value parse=text_parser(max_len) set=set disabled=disabled max_len=max_len note=note/>
        }
        .into_any(),
        Kind::LongText { max_len } => view! {
            <TextInput id=dom_id value=value parse=text_parser(max_len) set=set disabled=disabled multiline=true max_len=max_len note=note/>
        }
        .into_any(),
        Kind::Date => view! {
            <TextInput id=dom_id value=value parse=date_parser() set=set disabled=disabled note=note date=true/>
        }
        .into_any(),
        Kind::Table { rows, columns } => {
            table(&dom_id, &q.id, rows, columns, value, set_field, disabled).into_any()
        }
        Kind::Group {
            questions,
            max_items,
            item_label,
            ..
        } => group(
            &dom_id,
            q.text.clone(),
            questions,
            max_items,
            item_label,
            GroupCtx {
                question: q.id.clone(),
                value,
                items,
                answers,
                set,
                set_field,
                disabled,
            },
        )
        .into_any(),
        Kind::Computed(f) => {
            let unit = f.unit.clone();
            view! {
                <output id=dom_id class="computed" aria-live="polite">
                    {move || answers.with(|a| answer::compute(&f, a)).map_or_else(
                        || "— (появится, когда будут введены исходные данные)".to_owned(),
                        |n| format!("{}{}", fmt_num(n), if unit.is_empty() { String::new() } else { format!(" {unit}") }),
                    )}
                </output>
            }
            .into_any()
        }
    }
}

/// Radio buttons cannot be unchecked: this takes a chosen answer back (described by its
/// question's text, so that a screen reader tells one such button from another).
fn clear_button(
    dom_id: &str,
    value: Signal<Value>,
    set: Callback<Value>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let question = format!("{dom_id}-label");
    move || {
        (!value.with(Value::is_null) && !disabled.get()).then(|| {
            view! {
                <button type="button" class="button-link clear-answer" aria-describedby=question.clone() on:click=move |_| set.run(Value::Null)>
                    "Сбросить ответ"
                </button>
            }
        })
    }
}

/// Radio buttons (one answer) or check boxes (several), each with its own label.
fn choice_list(
    dom_id: &str,
    options: Vec<Choice>,
    multiple: bool,
    value: Signal<Value>,
    set: Callback<Value>,
    disabled: Signal<bool>,
) -> impl IntoView + use<> {
    let name = dom_id.to_owned();
    view! {
        <div class="choices" id=dom_id.to_owned() role=if multiple { "group" } else { "radiogroup" } aria-labelledby=format!("{dom_id}-label") aria-describedby=format!("{dom_id}-help {}", dom_id.replace("-input", "-error"))>
            {options.into_iter().enumerate().map(|(i, o)| {
                let input_id = format!("{name}-{i}");
                let for_id = input_id.clone();
                let oid = o.id.clone();
                let oid2 = o.id.clone();
                let checked = move || value.with(|v| match v {
                    Value::Array(list) => list.iter().any(|x| x.as_str() == Some(oid.as_str())),
                    Value::String(s) => *s == oid,
                    _ => false,
                });
                let on_change = move |ev: leptos::ev::Event| {
                    let on = event_target_checked(&ev);
                    if multiple {
                        let mut list: Vec<Value> = value.get_untracked().as_array().cloned().unwrap_or_default();
                        list.retain(|x| x.as_str() != Some(oid2.as_str()));
                        if on {
                            list.push(Value::String(oid2.clone()));
                        }
                        set.run(Value::Array(list));
                    } else if on {
                        set.run(Value::String(oid2.clone()));
                    }
                };
                view! {
                    <label class="choice" for=for_id>
                        <input
                            id=input_id
                            type=if multiple { "checkbox" } else { "radio" }
                            name=name.clone()
                            value=o.id.clone()
                            prop:checked=checked
                            disabled=move || disabled.get()
                            on:change=on_change
                        />
                        <span>{o.text.clone()}</span>
                    </label>
                }
            }).collect_view()}
        </div>
    }
}

fn cell_input(
    id: String,
    label: String,
    column: &Column,
    value: Signal<Value>,
    set: Callback<Value>,
    disabled: Signal<bool>,
) -> AnyView {
    match column.cell.clone() {
        Cell::Number(rule) => view! {
            <TextInput id=id label=label value=value parse=number_parser(rule) set=set disabled=disabled numeric=true/>
        }
        .into_any(),
        Cell::Percent => view! {
            <TextInput id=id label=label value=value parse=percent_parser() set=set disabled=disabled numeric=true/>
        }
        .into_any(),
        Cell::Text { max_len } => view! {
            <TextInput id=id label=label value=value parse=text_parser(max_len) set=set disabled=disabled max_len=max_len/>
        }
        .into_any(),
        Cell::YesNo => select(id, label, vec![("true".into(), "да".into()), ("false".into(), "нет".into())], Signal::derive(move || match value.get() {
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }), Callback::new(move |s: Option<String>| set.run(s.map_or(Value::Null, |s| Value::Bool(s == "true")))), disabled),
        Cell::Single { options } => select(id, label, options.into_iter().map(|o| (o.id, o.text)).collect(), Signal::derive(move || value.get().as_str().map(str::to_owned)), Callback::new(move |s: Option<String>| set.run(s.map_or(Value::Null, Value::String))), disabled),
    }
}

fn select(
    id: String,
    label: String,
    options: Vec<(String, String)>,
    value: Signal<Option<String>>,
    set: Callback<Option<String>>,
    disabled: Signal<bool>,
) -> AnyView {
    view! {
        <select
            id=id
            aria-label=label
            disabled=move || disabled.get()
            on:change=move |ev| {
                let v = event_target_value(&ev);
                set.run((!v.is_empty()).then_some(v));
            }
        >
            <option value="" selected=move || value.with(Option::is_none)>"—"</option>
            {options.into_iter().map(|(v, text)| {
                let v2 = v.clone();
                view! { <option value=v selected=move || value.with(|x| x.as_deref() == Some(v2.as_str()))>{text}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}

/// Rows × columns of inputs; each cell has an accessible name "row, column".
fn table(
    dom_id: &str,
    question: &str,
    rows: Vec<Choice>,
    columns: Vec<Column>,
    value: Signal<Value>,
    set_field: Callback<(String, Value)>,
    disabled: Signal<bool>,
) -> impl IntoView + use<> {
    let question = question.to_owned();
    let head = columns.clone();
    let base = dom_id.to_owned();
    view! {
        <div class="table-wrap" id=dom_id.to_owned() tabindex="-1" role="group" aria-labelledby=format!("{dom_id}-label") aria-describedby=format!("{dom_id}-help {}", dom_id.replace("-input", "-error"))>
            <table class="answer-table">
                <thead>
                    <tr>
                        <th scope="col"></th>
                        {head.into_iter().map(|c| view! { <th scope="col">{c.text}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let cells = columns.clone().into_iter().map(|c| {
                            let (rid, cid) = (r.id.clone(), c.id.clone());
                            let field = model::forms::cell_field(&question, &r.id, &c.id);
                            let cell_value: Signal<Value> = Memo::new(move |_| value.with(|t| t.get(&rid).and_then(|row| row.get(&cid)).cloned().unwrap_or(Value::Null))).into();
                            // Each cell is its own field: two computers merge cell by cell.
                            let set_cell = Callback::new(move |v: Value| set_field.run((field.clone(), v)));
                            let id = format!("{base}-{}-{}", r.id, c.id);
                            let label = format!("{}, {}", r.text, c.text);
                            view! { <td>{cell_input(id, label, &c, cell_value, set_cell, disabled)}</td> }
                        }).collect_view();
                        view! {
                            <tr>
                                <th scope="row">{r.text.clone()}</th>
                                {cells}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[derive(Clone)]
struct GroupCtx {
    question: String,
    value: Signal<Value>,
    items: Signal<Vec<Option<String>>>,
    answers: Signal<Answers>,
    set: Callback<Value>,
    set_field: Callback<(String, Value)>,
    disabled: Signal<bool>,
}

/// The item a row of a group shows: one of a field of its own (by its id), or the `i`th of a
/// list stored whole (older answers, listed first) of `n` items — a list that changes length
/// draws its rows again, since its items have no ids to follow.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Row {
    Own(String),
    Whole(usize, usize),
}

impl Row {
    fn of(items: &[Option<String>]) -> Vec<Row> {
        let n = items.iter().filter(|id| id.is_none()).count();
        items
            .iter()
            .enumerate()
            .map(|(i, id)| id.clone().map_or(Row::Whole(i, n), Row::Own))
            .collect()
    }

    /// Where its item is now in the group's answer (items added or removed on another computer
    /// move it).
    fn position(&self, items: &[Option<String>]) -> Option<usize> {
        match self {
            Row::Own(id) => items.iter().position(|x| x.as_deref() == Some(id)),
            Row::Whole(i, _) => items.get(*i).is_some_and(Option::is_none).then_some(*i),
        }
    }

    /// The part of its inputs' ids that names it (an item id has only `0-9a-f-`).
    fn token(&self) -> String {
        match self {
            Row::Own(id) => id.clone(),
            Row::Whole(i, _) => format!("w{i}"),
        }
    }
}

/// Writes the row's item as `item` (`Null`: removes it). An item of its own field is written
/// alone, so items added or changed on another computer stay; an item of a list stored whole is
/// written with that list.
fn write_item(g: &GroupCtx, row: &Row, item: Value) {
    match row {
        Row::Own(id) => g
            .set_field
            .run((model::forms::item_field(&g.question, id), item)),
        Row::Whole(i, _) => {
            let ids = g.items.get_untracked();
            if !ids.get(*i).is_some_and(Option::is_none) {
                return;
            }
            let whole = ids.iter().filter(|id| id.is_none()).count();
            let mut list = g
                .value
                .get_untracked()
                .as_array()
                .cloned()
                .unwrap_or_default();
            list.truncate(whole);
            if item.is_null() {
                list.remove(*i);
            } else {
                list[*i] = item;
            }
            g.set.run(Value::Array(list));
        }
    }
}

/// A list of items, each answering the group's questions; items are added and removed with
/// buttons. Each new item is a field of its own (`forms::item_field`). A row is drawn once per
/// item and follows it: an item added or removed on another computer neither moves the person
/// typing to another item nor takes the cursor out of the field.
fn group(
    dom_id: &str,
    title: String,
    questions: Vec<Question>,
    max_items: u32,
    item_label: String,
    g: GroupCtx,
) -> impl IntoView + use<> {
    let GroupCtx {
        value,
        items,
        answers,
        disabled,
        ..
    } = g.clone();
    let g = StoredValue::new(g);
    let store = crate::store::use_store();
    let count = Memo::new(move |_| items.with(Vec::len));
    let item_name = if item_label.is_empty() {
        "запись".to_owned()
    } else {
        item_label
    };
    let base = dom_id.to_owned();
    let questions = Arc::new(questions);
    let add_label = format!("Добавить: {item_name}");
    let (item_name, item_title) = (
        Arc::new(item_name.clone()),
        Arc::new(capitalised(&item_name)),
    );
    let title = Arc::new(title);
    let row_view = move |row: Row| {
        let questions = questions.clone();
        let row = Arc::new(row);
        let at = {
            let row = row.clone();
            Memo::new(move |_| items.with(|l| row.position(l)))
        };
        let item = Signal::derive(move || {
            at.get()
                .and_then(|i| value.with(|v| v.get(i).and_then(Value::as_object).cloned()))
                .map(|o| o.into_iter().collect::<Answers>())
                .unwrap_or_default()
        });
        let number = move || at.get().map_or(0, |i| i + 1);
        let (name, title) = (item_title.clone(), title.clone());
        let legend = move || format!("{name} {}: {title}", number());
        let name = item_name.clone();
        let remove_label = move || format!("Удалить: {name} {}", number());
        let asked_label = remove_label.clone();
        let token = row.token();
        let base = base.clone();
        let row_r = row.clone();
        view! {
            <fieldset class="group-item" data-item=token.clone()>
                <legend>{legend}</legend>
                {questions.iter().cloned().map(|iq| {
                    let iq = Arc::new(iq);
                    let iq2 = iq.clone();
                    let shown_now = move || answers.with(|a| item.with(|it| {
                        answer::visible_in_item(&iq2, a, it)
                    }));
                    let qid = iq.id.clone();
                    let qid2 = iq.id.clone();
                    let inner_value = Signal::derive(move || item.with(|it| it.get(&qid).cloned().unwrap_or(Value::Null)));
                    let row = row.clone();
                    let inner_set = Callback::new(move |v: Value| {
                        let Some(i) = at.get_untracked() else { return };
                        if let Some(Value::Object(mut o)) = value.with_untracked(|l| l.get(i).cloned()) {
                            if v.is_null() { o.remove(&qid2); } else { o.insert(qid2.clone(), v); }
                            g.with_value(|g| write_item(g, &row, Value::Object(o)));
                        }
                    });
                    let id = format!("{base}-{token}-{}", iq.id);
                    let ctx = Ctx { value: inner_value, answers, set: inner_set, set_field: Callback::new(|_| {}), items: Signal::derive(Vec::new), disabled, note: Signal::derive(Note::default) };
                    view! {
                        <Show when=shown_now.clone()>
                            <div class="question inner" data-q=iq.id.clone()>
                                {label(&iq, &id)}
                                <QuestionInput q=iq.clone() dom_id=id.clone() ctx=ctx.clone()/>
                            </div>
                        </Show>
                    }
                }).collect_view()}
                <button type="button" class="button-secondary" disabled=move || disabled.get()
                    on:click={
                        move |_| {
                            // A removal cannot be taken back: asked first.
                            if crate::components::asked(&format!("{}?", asked_label())) {
                                g.with_value(|g| write_item(g, &row_r, Value::Null));
                            }
                        }
                    }>
                    {remove_label}
                </button>
            </fieldset>
        }
    };
    view! {
        <div class="group" id=dom_id.to_owned() tabindex="-1" role="group" aria-labelledby=format!("{dom_id}-label") aria-describedby=format!("{dom_id}-help {}", dom_id.replace("-input", "-error"))>
            <For each=move || items.with(|l| Row::of(l)) key=Row::clone children=row_view/>
            <button type="button" class="button-secondary add-item"
                disabled=move || { let full = count.get() >= max_items as usize; disabled.get() || full }
                on:click=move |ev| g.with_value(|g| {
                    // The second click of a double click makes no second empty item.
                    if ev.detail() > 1 {
                        return;
                    }
                    let id = store.new_id().to_string();
                    g.set_field.run((model::forms::item_field(&g.question, &id), Value::Object(Map::new())));
                })>
                {add_label}
            </button>
        </div>
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The label of a question: tied to its input, or a legend-like heading for groups of inputs.
pub fn label(q: &Question, for_id: &str) -> impl IntoView + use<> {
    let grouped = matches!(
        q.kind,
        Kind::Single { .. }
            | Kind::Multiple { .. }
            | Kind::YesNo
            | Kind::Scale { .. }
            | Kind::Table { .. }
            | Kind::Group { .. }
    );
    let text = q.text.clone();
    let required = q.required;
    let mark = required.then(|| {
        view! { <span class="required" aria-hidden="true">" *"</span><span class="visually-hidden">" (обязательный вопрос)"</span> }
    });
    let help = (!q.help.is_empty())
        .then(|| view! { <p class="help" id=format!("{for_id}-help")>{q.help.clone()}</p> });
    let case = (!q.case.is_empty()).then(|| view! { <p class="case">{q.case.clone()}</p> });
    let head = if grouped {
        view! { <p class="question-text" id=format!("{for_id}-label")>{text}{mark}</p> }.into_any()
    } else {
        view! { <label class="question-text" for=for_id.to_owned()>{text}{mark}</label> }.into_any()
    };
    view! { {case}{head}{help} }
}
