//! Mentors' visits and events with a school (002 §4.3.1; 003): a mentor or curator records one
//! offline — type, date, place, participants and findings (справка), and for a lesson visit a
//! short observation protocol — and may write targeted recommendations after it. The school's
//! team reads them.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::Role;
use model::record::{Record, Scope};
use model::support::visit::{
    self as v, F_AUTHOR, F_DATE, F_FINDINGS, F_GRADE, F_OBSERVED, F_PARTICIPANTS, F_PLACE,
    F_STRENGTHS, F_SUBJECT, F_TEACHER, F_TYPE, F_WEAKNESSES, LESSON, TYPES,
};
use serde_json::json;
use uuid::Uuid;

use super::{live, school_of};
use crate::components::record_field::{Field, Input, SaveError, delete, save_once};
use crate::components::text_input::DateInput;
use crate::format;
use crate::lists::known_schools;
use crate::recommendation::{Draft, start_draft};
use crate::session::use_session;
use crate::store::{Target, use_store};

fn target(r: &Record) -> Target {
    Target {
        id: r.id,
        kind: v::KIND,
        scope: r.scope.clone(),
        parent: None,
    }
}

/// "Записать посещение": the type and the date, then the page of the new record.
#[component]
pub fn NewVisitButton(
    school: Uuid,
    /// Names the inputs, repeated on every school's card.
    school_name: String,
) -> impl IntoView {
    let store = use_store();
    let kind = RwSignal::new(TYPES[0].0.to_owned());
    let date = RwSignal::new(format::today());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let n = school.simple().to_string();
    let (kind_id, date_id) = (format!("visit-type-{n}"), format!("visit-date-{n}"));
    let busy = RwSignal::new(false);
    let add = move |_| {
        if date.get_untracked().is_empty() {
            error.set(Some("Укажите дату.".into()));
            return;
        }
        let id = store.new_id();
        let t = Target {
            id,
            kind: v::KIND,
            scope: Scope::School(school),
            parent: None,
        };
        let fields = BTreeMap::from([
            (F_TYPE.to_owned(), json!(kind.get_untracked())),
            (F_DATE.to_owned(), json!(date.get_untracked())),
        ]);
        let navigate = navigate.clone();
        save_once(t, fields, error, busy, move || {
            navigate(&format!("/visits/{id}"), Default::default())
        });
    };
    view! {
        <div class="visit-new no-print">
            <label for=kind_id.clone()>"Посещение или мероприятие"</label>
            <select id=kind_id aria-label=format!("Посещение или мероприятие: {school_name}") on:change=move |ev| kind.set(event_target_value(&ev))>
                {TYPES.iter().map(|(k, l)| view! { <option value=*k>{*l}</option> }).collect_view()}
            </select>
            <label for=date_id.clone()>"Дата"</label>
            <DateInput id=date_id value=date label=format!("Дата посещения: {school_name}")/>
            <button type="button" class="button-secondary visit-create" aria-label=format!("Записать посещение: {school_name}") disabled=move || busy.get() on:click=add>"Записать"</button>
            <SaveError error=error/>
        </div>
    }
}

/// Visits on this computer, newest first; of one school, or all; at most `limit` (0: all).
#[component]
pub fn VisitList(
    #[prop(optional)] school: Option<Uuid>,
    #[prop(optional)] limit: usize,
) -> impl IntoView {
    let store = use_store();
    let session = use_session();
    // Names are needed only for a list of every school's visits.
    let schools = if school.is_none() {
        known_schools(session)
    } else {
        RwSignal::new(Vec::new())
    };
    let records = store.watch_kind(v::KIND);
    move || {
        let mut list: Vec<Record> = records.with(|l| {
            live(l)
                .filter(|r| school.is_none() || school_of(r) == school)
                .cloned()
                .collect()
        });
        list.sort_by_key(|r| std::cmp::Reverse((r.text(F_DATE), r.id)));
        if limit > 0 {
            list.truncate(limit);
        }
        if list.is_empty() {
            return view! { <p class="empty">"Посещений пока нет."</p> }.into_any();
        }
        let names = schools.get();
        view! {
            <ul class="plain visit-list">
                {list.into_iter().map(|r| {
                    let place = if school.is_some() { String::new() } else {
                        school_of(&r).and_then(|s| names.iter().find(|x| x.id == s)).map(|s| format!(", {}", s.name)).unwrap_or_default()
                    };
                    view! {
                        <li>
                            <a href=format!("/visits/{}", r.id)>{v::type_label(&r.text(F_TYPE))}</a>
                            {format!(" — {}{place}, {}", format::date(&r.text(F_DATE)), r.text(F_AUTHOR))}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any()
    }
}

#[component]
pub fn VisitPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Посещение");
    let session = use_session();
    let profile = session.profile();
    let adviser = matches!(
        profile.as_ref().map(|p| p.role),
        Some(Role::Mentor | Role::Curator | Role::Head)
    );
    let head = profile.as_ref().is_some_and(|p| p.role == Role::Head);
    let my_name = profile.map(|p| p.full_name).unwrap_or_default();
    let schools = known_schools(session);
    let id =
        use_params_map().with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let record = store.watch_record(id.unwrap_or_default());
    let record_s: Signal<Option<Record>> = record.into();
    let t = Signal::derive(move || record.with(|r| r.as_ref().map(target)));
    let error = RwSignal::new(None::<String>);
    let lesson =
        Memo::new(move |_| record.with(|r| r.as_ref().is_some_and(|r| r.text(F_TYPE) == LESSON)));
    let loaded = Memo::new(move |_| record.with(|r| r.as_ref().is_some_and(|r| !r.is_deleted())));
    // Another mentor of the school reads a visit, and may write recommendations from it; only
    // its author and the head change it (`model::kinds::visit`). A device is not told the
    // author's account: a visit written to from here is the person's (the server took it from
    // its author only), and so is one not yet stamped (the server stamps every visit it takes,
    // so it was made here) or one whose stamped author has the person's name (their other
    // computer; a namesake is offered it too, and the server refuses the namesake's edits).
    let device = store.watch_device();
    let editable = Memo::new(move |_| {
        adviser
            && (head
                || record.with(|r| {
                    r.as_ref().is_some_and(|r| {
                        let author = r.text(F_AUTHOR);
                        author.is_empty()
                            || author == my_name
                            || device.with(|d| d.as_ref().is_some_and(|d| r.written_by(d)))
                    })
                }))
    });
    let navigate = use_navigate();
    let drafting = RwSignal::new(false);
    let recommend = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        let mut text = r.text(F_FINDINGS);
        let weak = r.text(F_WEAKNESSES);
        if !weak.is_empty() {
            text = format!("{text}\n\nЧто улучшить: {weak}").trim().to_owned();
        }
        let title = format!(
            "Рекомендации по итогам: {}, {}",
            v::type_label(&r.text(F_TYPE)).to_lowercase(),
            format::date(&r.text(F_DATE))
        );
        start_draft(
            r.scope.clone(),
            Draft {
                title: &title,
                text: &text,
                source: "visit",
                source_id: Some(r.id),
            },
            error,
            drafting,
            navigate.clone(),
        );
    };
    let recommend = StoredValue::new(recommend);
    let remove = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        delete("Удалить запись о посещении?", target(&r), &r, error);
    };
    let school_name = move || {
        let s = record.with(|r| r.as_ref().and_then(school_of));
        schools
            .with(|l| l.iter().find(|x| Some(x.id) == s).map(|x| x.name.clone()))
            .unwrap_or_default()
    };
    move || {
        if !loaded.get() {
            return view! { <p class="empty" role="status">"Запись о посещении не найдена на этом компьютере: дождитесь синхронизации."</p> }.into_any();
        }
        view! {
            <section class="page" id="visit">
                <h1>{move || record.with(|r| r.as_ref().map(|r| v::type_label(&r.text(F_TYPE))))}</h1>
                <p class="lead">{school_name} {move || record.with(|r| r.as_ref().map(|r| { let a = r.text(F_AUTHOR); if a.is_empty() { String::new() } else { format!(". Записал(а): {a}") } }))}</p>
                <SaveError error=error/>
                <div class="field-row">
                    <Field record=record_s target=t name=F_TYPE label="Вид" input=Input::Required(&TYPES) editable=editable error=error id="visit-type".into()/>
                    <Field record=record_s target=t name=F_DATE label="Дата" input=Input::Date editable=editable error=error id="visit-date".into()/>
                </div>
                <Field record=record_s target=t name=F_PLACE label="Место" input=Input::Text(300) editable=editable error=error id="visit-place".into()/>
                <Field record=record_s target=t name=F_PARTICIPANTS label="Участники" input=Input::Long(2_000) editable=editable error=error id="visit-participants".into()/>
                {move || lesson.get().then(|| view! {
                    <fieldset class="lesson-protocol">
                        <legend>"Протокол наблюдения урока"</legend>
                        <div class="field-row">
                            <Field record=record_s target=t name=F_GRADE label="Класс" input=Input::Text(20) editable=editable error=error id="visit-grade".into()/>
                            <Field record=record_s target=t name=F_SUBJECT label="Предмет" input=Input::Text(100) editable=editable error=error id="visit-subject".into()/>
                            <Field record=record_s target=t name=F_TEACHER label="Учитель" input=Input::Text(200) editable=editable error=error id="visit-teacher".into()/>
                        </div>
                        <Field record=record_s target=t name=F_OBSERVED label="Что наблюдали" input=Input::Long(5_000) editable=editable error=error id="visit-observed".into()/>
                        <Field record=record_s target=t name=F_STRENGTHS label="Сильные стороны" input=Input::Long(5_000) editable=editable error=error id="visit-strengths".into()/>
                        <Field record=record_s target=t name=F_WEAKNESSES label="Слабые стороны" input=Input::Long(5_000) editable=editable error=error id="visit-weaknesses".into()/>
                    </fieldset>
                })}
                <Field record=record_s target=t name=F_FINDINGS label="Справка по итогам" input=Input::Long(20_000) editable=editable error=error id="visit-findings".into()/>
                <div class="actions no-print">
                    <button type="button" class="button-secondary" on:click=|_| {
                        if let Some(w) = web_sys::window() { let _ = w.print(); }
                    }>"Печать"</button>
                    {adviser.then(|| view! {
                        <button type="button" class="button-secondary" id="visit-recommend" disabled=move || drafting.get() on:click=move |ev| recommend.with_value(|f| f(ev))>"Написать адресные рекомендации"</button>
                    })}
                    {move || editable.get().then(|| view! {
                        <button type="button" class="button-link" id="visit-delete" on:click=remove>"Удалить запись"</button>
                    })}
                </div>
            </section>
        }.into_any()
    }
}
