//! The bank of practices (002 §4.5): materials for the transition to effective work —
//! descriptions of management practices, typical management decisions, methodical materials and
//! normative documents — with their files. Everybody signed in browses and searches them with no
//! network once synced; a school sees first what suits it (the risk factors of its programme and
//! its leaders' deficits, «подходит вам»). The moderator and the centre head write and publish
//! them.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::Role;
use model::practices::{
    self as p, AREAS, F_AREAS, F_AUTHOR, F_FACTORS, F_PUBLISHED_ON, F_SCHOOL, F_SOURCE, F_STATE,
    F_SUMMARY, F_TITLE, F_TYPE, MATERIAL_KIND, TYPES,
};
use model::record::{Record, Scope};
use model::support::{RISK_FACTORS, factor_label};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::components::attachments::Attachments;
use crate::components::record_field::{
    Checklist, Field, Input, SaveError, delete_then, one, said_until_changed, save, save_once,
    step_checked,
};
use crate::format;
use crate::lists::known_schools;
use crate::session::use_session;
use crate::store::{Target, use_store};

fn target(r: &Record) -> Target {
    Target {
        id: r.id,
        kind: MATERIAL_KIND,
        scope: Scope::Centre,
        parent: None,
    }
}

/// The moderator and the head write materials.
fn writes_materials(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Moderator | Role::Head))
}

fn labels(r: &Record) -> Vec<String> {
    p::factors(r)
        .iter()
        .map(|f| factor_label(f).to_owned())
        .chain(p::areas(r).iter().map(|a| p::area_label(a).to_owned()))
        .collect()
}

#[component]
pub fn PracticesPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Банк практик");
    let session = use_session();
    let role = session.profile().map(|p| p.role);
    let writer = writes_materials(role);
    let materials = store.watch_kind(MATERIAL_KIND);
    let sections = store.watch_kind(model::support::programme::SECTION_KIND);
    let results = store.watch_kind(model::forms::RESULT_KIND);
    let needs = Memo::new(move |_| {
        sections.with(|s| results.with(|r| p::needs_of(s.iter().chain(r.iter()))))
    });
    let query = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let factor = RwSignal::new(String::new());
    // A school sees what suits it first, and may show only that.
    let only_fitting = RwSignal::new(false);
    let shown = Memo::new(move |_| {
        let needs = needs.get();
        let (q, k, f, only) = (query.get(), kind.get(), factor.get(), only_fitting.get());
        let mut list: Vec<Record> = materials.with(|l| {
            l.iter()
                .filter(|r| !r.is_deleted() && !r.fields.is_empty())
                .filter(|r| writer || p::is_published(r))
                .filter(|r| p::matches(r, &q))
                .filter(|r| k.is_empty() || r.text(F_TYPE) == k)
                .filter(|r| f.is_empty() || p::factors(r).contains(&f))
                .filter(|r| !only || needs.fit(r) > 0)
                .cloned()
                .collect()
        });
        p::order(&mut list, &needs);
        list
    });
    let total = Memo::new(move |_| {
        materials.with(|l| {
            l.iter()
                .filter(|r| !r.is_deleted() && (writer || p::is_published(r)))
                .count()
        })
    });
    view! {
        <section class="page" id="practices">
            <h1>"Банк практик"</h1>
            <p class="lead">
                "Описания управленческих практик эффективных школ, типовые управленческие решения, "
                "методические материалы и нормативные документы. Материалы, уже полученные этим "
                "компьютером, открываются и без связи."
            </p>
            {writer.then(|| view! { <NewMaterial/> })}
            <div class="filters no-print" role="search">
                <div class="field">
                    <label for="practice-search">"Поиск"</label>
                    <input type="search" id="practice-search" placeholder="Например: родители, ВСОКО"
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="practice-type">"Вид"</label>
                    <select id="practice-type" on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="">"Все виды"</option>
                        {TYPES.iter().map(|(k, l)| view! { <option value=*k>{*l}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="practice-factor">"Фактор риска"</label>
                    <select id="practice-factor" on:change=move |ev| factor.set(event_target_value(&ev))>
                        <option value="">"Любой"</option>
                        {RISK_FACTORS.iter().map(|(k, l)| view! { <option value=*k>{*l}</option> }).collect_view()}
                    </select>
                </div>
                {move || (!needs.with(p::Needs::is_empty)).then(|| view! {
                    <div class="field checkbox">
                        <input type="checkbox" id="practice-fitting"
                            prop:checked=move || only_fitting.get()
                            on:change=move |ev| only_fitting.set(event_target_checked(&ev))/>
                        <label for="practice-fitting">"Только то, что подходит вашей школе"</label>
                    </div>
                })}
            </div>
            <p role="status" class="muted" id="practice-count">
                {move || format!("Найдено: {} из {}", shown.with(Vec::len), total.get())}
            </p>
            {move || {
                let list = shown.get();
                if list.is_empty() {
                    let text = if total.get() == 0 {
                        "Материалов пока нет: они появятся здесь после синхронизации."
                    } else {
                        "Ничего не найдено: измените условия поиска."
                    };
                    return view! { <p class="empty">{text}</p> }.into_any();
                }
                let needs = needs.get();
                view! {
                    <ul class="plain practice-list">
                        {list.into_iter().map(|r| {
                            let fit = needs.fit(&r);
                            let tags = labels(&r).join(" · ");
                            view! {
                                <li class="practice" data-fit=fit.to_string()>
                                    <a href=format!("/practices/{}", r.id)>{r.text(F_TITLE)}</a>
                                    {(!p::is_published(&r)).then(|| view! { " " <span class="badge">"черновик"</span> })}
                                    {(fit > 0).then(|| view! { " " <span class="badge-good">"подходит вам"</span> })}
                                    <div class="muted">{p::type_label(&r.text(F_TYPE)).to_owned()}
                                        {(!r.text(F_SOURCE).is_empty()).then(|| format!(" — {}", r.text(F_SOURCE)))}
                                    </div>
                                    {(!tags.is_empty()).then(|| view! { <div class="muted small">{tags}</div> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// «Новый материал»: its name and kind, then its page.
#[component]
fn NewMaterial() -> impl IntoView {
    let store = use_store();
    let title = RwSignal::new(String::new());
    let kind = RwSignal::new(TYPES[0].0.to_owned());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let add = move |_| {
        let name = title.get_untracked().trim().to_owned();
        if name.is_empty() {
            error.set(Some("Введите название материала.".into()));
            return;
        }
        let id = store.new_id();
        let t = Target {
            id,
            kind: MATERIAL_KIND,
            scope: Scope::Centre,
            parent: None,
        };
        let fields = BTreeMap::from([
            (F_TITLE.to_owned(), json!(name)),
            (F_TYPE.to_owned(), json!(kind.get_untracked())),
            (F_STATE.to_owned(), json!("draft")),
        ]);
        let navigate = navigate.clone();
        save_once(t, fields, error, busy, move || {
            navigate(&format!("/practices/{id}"), Default::default())
        });
    };
    view! {
        <fieldset class="practice-new no-print">
            <legend>"Новый материал"</legend>
            <div class="field-row">
                <div class="field">
                    <label for="practice-new-title">"Название"</label>
                    <input type="text" id="practice-new-title" maxlength="300"
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="practice-new-type">"Вид"</label>
                    <select id="practice-new-type" on:change=move |ev| kind.set(event_target_value(&ev))>
                        {TYPES.iter().map(|(k, l)| view! { <option value=*k>{*l}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <button type="button" id="practice-create" disabled=move || busy.get() on:click=add>"Создать черновик"</button>
            <SaveError error=error/>
        </fieldset>
    }
}

#[component]
pub fn MaterialPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Материал банка практик");
    let session = use_session();
    let editable = writes_materials(session.profile().map(|p| p.role));
    let schools = known_schools(session);
    let id =
        use_params_map().with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let record = store.watch_record(id.unwrap_or_default());
    let record_s: Signal<Option<Record>> = record.into();
    let t = Signal::derive(move || record.with(|r| r.as_ref().map(target)));
    let error = RwSignal::new(None::<String>);
    let loaded = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .is_some_and(|r| !r.is_deleted() && r.kind == MATERIAL_KIND)
        })
    });
    let published = Memo::new(move |_| record.with(|r| r.as_ref().is_some_and(p::is_published)));
    let navigate = use_navigate();
    // Checked on the stored record (a title typed a moment ago is in it); what stops it is said
    // beside the button, where no save of a field clears it.
    let unpublishable = RwSignal::new(None::<String>);
    said_until_changed(unpublishable, published);
    let publishing = RwSignal::new(false);
    let publish = move |_| {
        let Some(id) = record.with_untracked(|r| r.as_ref().map(|r| r.id)) else {
            return;
        };
        step_checked(
            id,
            |r| {
                if r.text(F_TITLE).trim().is_empty() {
                    Err("Введите название, чтобы опубликовать материал.".to_owned())
                } else if r.text(F_TYPE).is_empty() {
                    Err("Выберите вид материала, чтобы его опубликовать.".to_owned())
                } else {
                    Ok((target(r), one(F_STATE, json!("published"))))
                }
            },
            unpublishable,
            publishing,
        );
    };
    let remove = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        let navigate = navigate.clone();
        delete_then(
            "Удалить материал? Он исчезнет у всех пользователей.",
            target(&r),
            &r,
            error,
            move || navigate("/practices", Default::default()),
        );
    };
    let remove = StoredValue::new(remove);
    let factor_options = Signal::derive(|| {
        RISK_FACTORS
            .iter()
            .map(|(k, l)| (json!(k), (*l).to_owned(), format!("practice-factor-{k}")))
            .collect::<Vec<_>>()
    });
    let area_options = Signal::derive(|| {
        AREAS
            .iter()
            .map(|(k, l)| (json!(k), (*l).to_owned(), format!("practice-area-{k}")))
            .collect::<Vec<_>>()
    });
    let school_name = move || {
        let s = record.with(|r| {
            r.as_ref()
                .and_then(|r| r.get(F_SCHOOL).and_then(Value::as_str).map(str::to_owned))
        });
        s.and_then(|s| {
            schools.with(|l| {
                l.iter()
                    .find(|x| x.id.to_string() == s)
                    .map(|x| x.name.clone())
            })
        })
    };
    let meta = move || {
        record.with(|r| {
            let Some(r) = r else { return String::new() };
            let mut parts = vec![p::type_label(&r.text(F_TYPE)).to_owned()];
            if let Some(s) = school_name() {
                parts.push(s);
            }
            if !r.text(F_SOURCE).is_empty() {
                parts.push(r.text(F_SOURCE));
            }
            if !r.text(F_PUBLISHED_ON).is_empty() {
                parts.push(format!(
                    "опубликовано {}",
                    format::date(&r.text(F_PUBLISHED_ON))
                ));
            }
            if editable && !r.text(F_AUTHOR).is_empty() {
                parts.push(format!("автор: {}", r.text(F_AUTHOR)));
            }
            parts.join(" · ")
        })
    };
    let text_of = move |field: &'static str| {
        move || record.with(|r| r.as_ref().map(|r| r.text(field)).unwrap_or_default())
    };
    let tags = move || record.with(|r| r.as_ref().map(labels).unwrap_or_default());
    // The page is built once the material is here; its parts follow its changes (a rebuild
    // would take the focus from what is being typed).
    move || {
        if !loaded.get() {
            return view! { <p class="empty" role="status">"Материал не найден на этом компьютере: дождитесь синхронизации."</p> }.into_any();
        }
        view! {
            <section class="page" id="material">
                <p class="no-print"><a href="/practices">"← Банк практик"</a></p>
                <h1>{text_of(F_TITLE)}</h1>
                <p class="lead">{meta}</p>
                {move || (!published.get()).then(|| view! {
                    <p class="alert alert-info" id="material-draft">"Черновик: его видят только модератор и руководитель центра."</p>
                })}
                <SaveError error=error/>
                {if editable {
                    let schools_choice = move || {
                        let current = record.with(|r| r.as_ref().map(|r| r.text(F_SCHOOL)).unwrap_or_default());
                        view! {
                            <div class="field">
                                <label for="material-school">"Школа, чей это опыт"</label>
                                <select id="material-school" on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    if let Some(t) = t.get_untracked() {
                                        save(t, one(F_SCHOOL, if v.is_empty() { Value::Null } else { json!(v) }), error);
                                    }
                                }>
                                    <option value="" selected=current.is_empty()>"— не из школ округа —"</option>
                                    {schools.get().into_iter().map(|s| {
                                        let v = s.id.to_string();
                                        let sel = v == current;
                                        view! { <option value=v selected=sel>{s.name}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                        }
                    };
                    view! {
                        <Field record=record_s target=t name=F_TITLE label="Название" input=Input::Text(300) editable=true error=error id="material-title".into()/>
                        <Field record=record_s target=t name=F_TYPE label="Вид" input=Input::Required(&TYPES) editable=true error=error id="material-type".into()/>
                        <Field record=record_s target=t name=F_SUMMARY label="Краткое содержание" input=Input::Long(10_000) editable=true error=error id="material-summary".into()/>
                        {schools_choice}
                        <Field record=record_s target=t name=F_SOURCE label="Источник (школа другого округа, автор, ведомство)" input=Input::Text(300) editable=true error=error id="material-source".into()/>
                        <Checklist record=record_s target=t name=F_FACTORS legend="Факторы риска, на которые направлен" options=factor_options editable=true error=error/>
                        <Checklist record=record_s target=t name=F_AREAS legend="Области управленческих компетенций" options=area_options editable=true error=error/>
                    }.into_any()
                } else {
                    view! {
                        <div class="material-summary">{text_of(F_SUMMARY)}</div>
                        {move || { let tags = tags(); (!tags.is_empty()).then(|| view! {
                            <p><strong>"Для чего: "</strong>{tags.join(" · ")}</p>
                        })}}
                    }.into_any()
                }}
                <Attachments parent=record_s editable=editable id="material-files"/>
                {editable.then(|| view! {
                    <div class="actions no-print">
                        {move || (!published.get()).then(|| view! {
                            <button type="button" id="material-publish" disabled=move || publishing.get() on:click=publish>"Опубликовать"</button>
                        })}
                        {move || unpublishable.get().map(|e| view! { <p class="alert alert-error" id="material-unpublishable" role="alert">{e}</p> })}
                        <button type="button" class="button-link" id="material-delete" on:click=move |ev| remove.with_value(|f| f(ev))>"Удалить материал"</button>
                    </div>
                })}
            </section>
        }.into_any()
    }
}
