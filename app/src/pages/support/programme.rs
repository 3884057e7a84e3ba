//! `/programme/:school?year=Y`: a school's anti-risk programme for a year (002 §4.3.2; 003),
//! drafted by the school team with its mentor or curator on any computer, offline, merging field
//! by field: sections per priority risk factor (pre-filled from the self-analysis card), goals and
//! tasks, indicators with quarterly actuals, measures with their status and evidence; the
//! mentor's comment beside each part; the public presentation and its verdict, recorded by the
//! centre head; the end-of-year analysis. Overdue measures and indicators behind target stand
//! out. `/programme/:school/print?year=Y` is the same as a document.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use model::Role;
use model::forms;
use model::forms::plan::MEASURE_KINDS;
use model::forms::recommendation as rec;
use model::record::{DELETED, Record, Scope};
use model::support::programme::{
    self as p, F_ANALYSIS, F_BASELINE, F_COMMENT, F_CONTENT, F_DEADLINE, F_EVIDENCE, F_FACTOR,
    F_GOAL, F_LEVEL, F_NAME, F_PARTICIPANTS, F_PRESENTED_ON, F_PRESENTED_WHO, F_QUARTERS,
    F_RESPONSIBLE, F_SOURCE, F_STATUS, F_SUPPORT, F_TARGET, F_TASKS, F_TITLE, F_UNIT, F_VERDICT,
    F_YEAR, Outline, Progress,
};
use model::support::{GENERAL, RISK_FACTORS, factor_label};
use serde_json::{Value, json};
use uuid::Uuid;

use super::this_year;
use crate::components::download::DownloadButton;
use crate::components::material_links::MaterialLinks;
use crate::components::record_field::{Field, Input, SaveError, delete, one, save_once};
use crate::format;
use crate::lists::known_schools;
use crate::session::use_session;
use crate::store::{Store, StoreError, Target, use_store};
use crate::sync::{SyncCtx, use_sync};

fn programme_target(school: Uuid, year: i64) -> Target {
    Target {
        id: p::programme_id(school, year),
        kind: p::PROGRAMME_KIND,
        scope: Scope::School(school),
        parent: None,
    }
}

fn section_target(school: Uuid, programme: Uuid, factor: &str) -> Target {
    Target {
        id: p::section_id(programme, factor),
        kind: p::SECTION_KIND,
        scope: Scope::School(school),
        parent: Some(programme),
    }
}

fn part_target(r: &Record) -> Target {
    let kind = match r.kind.as_str() {
        p::PROGRAMME_KIND => p::PROGRAMME_KIND,
        p::SECTION_KIND => p::SECTION_KIND,
        p::INDICATOR_KIND => p::INDICATOR_KIND,
        _ => p::MEASURE_KIND,
    };
    Target {
        id: r.id,
        kind,
        scope: r.scope.clone(),
        parent: r.parent,
    }
}

/// Every part of every programme on this computer, kept current.
fn watch_parts() -> Signal<Vec<Record>> {
    let store = use_store();
    let kinds = [
        store.watch_kind(p::PROGRAMME_KIND),
        store.watch_kind(p::SECTION_KIND),
        store.watch_kind(p::INDICATOR_KIND),
        store.watch_kind(p::MEASURE_KIND),
    ];
    Signal::derive(move || kinds.iter().flat_map(|k| k.get()).collect())
}

/// The outline of the programme `id`, kept current.
pub fn watch_outline(id: Uuid) -> Memo<Outline> {
    let parts = watch_parts();
    Memo::new(move |_| parts.with(|all| Outline::of(id, all)))
}

/// Creates the school's programme for `year` if this computer has none (the same record on
/// every computer: its id is derived from the school and the year).
async fn ensure_programme(store: Store, school: Uuid, year: i64) -> Result<(), StoreError> {
    let t = programme_target(school, year);
    // The year only: a title typed on another computer is never overwritten by a default.
    if store.get(t.id).await?.is_none() {
        store.edit_now(&t, one(F_YEAR, json!(year))).await?;
    }
    Ok(())
}

/// Makes sure the programme has the section of `factor`: creates it, or restores it if it was
/// deleted (its id is the factor's, so a deleted one would otherwise hide whatever is added).
async fn ensure_section(
    store: Store,
    school: Uuid,
    programme: Uuid,
    factor: &str,
    level: Option<String>,
) -> Result<Uuid, StoreError> {
    let t = section_target(school, programme, factor);
    let stored = store.get(t.id).await?;
    if stored.as_ref().is_some_and(|r| !r.is_deleted()) {
        return Ok(t.id);
    }
    let mut fields = one(F_FACTOR, json!(factor));
    if stored.is_some() {
        fields.insert(DELETED.to_owned(), Record::restoration_value());
    }
    if let Some(l) = level {
        fields.insert(F_LEVEL.to_owned(), json!(l));
    }
    store.edit_now(&t, fields).await?;
    Ok(t.id)
}

/// The school's latest self-analysis card on this computer, as answers.
fn card_answers(responses: &[Record], school: Uuid) -> Option<forms::Answers> {
    responses
        .iter()
        .filter(|r| {
            r.scope == Scope::School(school)
                && forms::template_of(r).is_some_and(|(code, _)| code == "self_analysis")
        })
        .max_by_key(|r| r.latest().cloned())
        .map(forms::answers_of)
}

/// "Включить в программу": a sent recommendation becomes a measure of this year's programme
/// of its school, in the section of its risk factor (or the general one); the recommendation
/// is marked acknowledged and points to the measure. All on this computer, in order.
pub async fn measure_from_recommendation(
    store: Store,
    sync: SyncCtx,
    r: &Record,
) -> Result<Uuid, StoreError> {
    let Scope::School(school) = r.scope else {
        return Err(StoreError::new("Рекомендации не относятся к школе."));
    };
    let year = this_year();
    ensure_programme(store, school, year).await?;
    let programme = p::programme_id(school, year);
    let factor = p::section_for(&r.text(rec::F_FACTOR)).to_owned();
    let section = ensure_section(store, school, programme, &factor, None).await?;
    let id = store.new_id();
    let mut content = r.text(rec::F_TITLE);
    let text = r.text(rec::F_TEXT);
    if !text.is_empty() {
        content = format!("{content}. {text}");
    }
    let content: String = content.chars().take(2_000).collect();
    let mut fields = BTreeMap::from([
        (F_CONTENT.to_owned(), json!(content)),
        (F_SUPPORT.to_owned(), json!("management")),
        (F_STATUS.to_owned(), json!("planned")),
        (F_SOURCE.to_owned(), json!(r.id.to_string())),
    ]);
    let deadline = r.text(rec::F_DEADLINE);
    if !deadline.is_empty() {
        fields.insert(F_DEADLINE.to_owned(), json!(deadline));
    }
    // The materials the mentor pointed to go with the measure.
    if let Some(materials) = r.get(model::practices::F_MATERIALS) {
        fields.insert(model::practices::F_MATERIALS.to_owned(), materials.clone());
    }
    let measure = Target {
        id,
        kind: p::MEASURE_KIND,
        scope: r.scope.clone(),
        parent: Some(section),
    };
    store.edit_now(&measure, fields).await?;
    let target = Target {
        id: r.id,
        kind: rec::RECOMMENDATION_KIND,
        scope: r.scope.clone(),
        parent: None,
    };
    store
        .edit_now(
            &target,
            BTreeMap::from([
                (rec::F_ACK.to_owned(), json!(true)),
                (rec::F_MEASURE.to_owned(), json!(id.to_string())),
            ]),
        )
        .await?;
    sync.edited();
    Ok(id)
}

/// Who may write what, by role, as the kinds declare it (`model::kinds::programme*`).
#[derive(Clone, Copy)]
struct Rights {
    /// Draft the programme (team, advisers, the head).
    draft: bool,
    /// Comment beside any part (advisers, the head).
    comment: bool,
    /// Quarterly actuals (the team, the head).
    actuals: bool,
    /// Record the presentation and the verdict (the head).
    verdict: bool,
}

/// `related`: the person's own school (the team) or a school assigned to them (advisers);
/// the head is related to every school.
fn rights(role: Option<Role>, related: bool) -> Rights {
    let r = role.unwrap_or(Role::Teacher);
    let ours = related || r == Role::Head;
    Rights {
        draft: ours
            && matches!(
                r,
                Role::SchoolTeam | Role::Mentor | Role::Curator | Role::Head
            ),
        comment: ours && matches!(r, Role::Mentor | Role::Curator | Role::Head),
        actuals: ours && matches!(r, Role::SchoolTeam | Role::Head),
        verdict: r == Role::Head,
    }
}

fn year_param() -> i64 {
    crate::pages::year_param(this_year)
}

fn school_param() -> Option<Uuid> {
    use_params_map().with_untracked(|p| p.get("school").and_then(|s| Uuid::parse_str(&s).ok()))
}

#[component]
pub fn ProgrammePage() -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    crate::pages::set_title("Антирисковая программа");
    let session = use_session();
    let Some(school) = school_param() else {
        return view! { <p class="empty">"Школа не найдена: проверьте ссылку."</p> }.into_any();
    };
    let year = year_param();
    let schools = known_schools(session);
    let profile = session.profile();
    let related = profile
        .as_ref()
        .is_some_and(|p| p.school_id == Some(school))
        || schools.with_untracked(|l| l.iter().any(|s| s.id == school));
    let rights = rights(profile.map(|p| p.role), related);
    let school_name = Memo::new(move |_| {
        schools.with(|l| l.iter().find(|s| s.id == school).map(|s| s.name.clone()))
    });
    let pid = p::programme_id(school, year);
    let outline = watch_outline(pid);
    let programme = Signal::derive(move || outline.with(|o| o.programme.clone()));
    let has = move |name: &'static str| {
        outline.with(|o| {
            o.programme
                .as_ref()
                .is_some_and(|r| !r.text(name).trim().is_empty())
        })
    };
    let exists = Memo::new(move |_| outline.with(|o| o.programme.is_some()));
    let target = Signal::derive(move || Some(programme_target(school, year)));
    let error = RwSignal::new(None::<String>);
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let card = Memo::new(move |_| responses.with(|l| card_answers(l, school)));
    let today = format::today();
    let today2 = today.clone();

    let start = move |_| {
        spawn_local(async move {
            match ensure_programme(store, school, year).await {
                Ok(()) => sync.edited(),
                Err(e) => error.set(Some(format!("Не сохранено: {}", e.0))),
            }
        });
    };
    let prefill = move |_| {
        let Some(answers) = card.get_untracked() else {
            return;
        };
        let existing: Vec<String> = outline.with_untracked(|o| {
            o.sections
                .iter()
                .map(|s| s.section.text(F_FACTOR))
                .collect()
        });
        spawn_local(async move {
            for (factor, level) in p::sections_from_card(&answers) {
                if existing.iter().any(|f| f == factor) {
                    continue;
                }
                if let Err(e) = ensure_section(store, school, pid, factor, level).await {
                    error.set(Some(format!("Не сохранено: {}", e.0)));
                    return;
                }
            }
            sync.edited();
        });
    };
    let new_factor = RwSignal::new(String::new());
    let add_section = move |_| {
        let factor = new_factor.get_untracked();
        if factor.is_empty() {
            error.set(Some("Выберите фактор риска для нового раздела.".into()));
            return;
        }
        spawn_local(async move {
            match ensure_section(store, school, pid, &factor, None).await {
                Ok(_) => sync.edited(),
                Err(e) => error.set(Some(format!("Не сохранено: {}", e.0))),
            }
        });
        new_factor.set(String::new());
    };
    let section_ids = Memo::new(move |_| {
        outline.with(|o| o.sections.iter().map(|s| s.section.id).collect::<Vec<_>>())
    });
    let missing_factors = Memo::new(move |_| {
        let have: Vec<String> = outline.with(|o| {
            o.sections
                .iter()
                .map(|s| s.section.text(F_FACTOR))
                .collect()
        });
        RISK_FACTORS
            .iter()
            .map(|(f, _)| *f)
            .chain([GENERAL])
            .filter(|f| !have.iter().any(|h| h == f))
            .collect::<Vec<_>>()
    });
    let counts = Memo::new(move |_| outline.with(|o| (o.overdue(&today), o.behind(&today2))));

    view! {
        <section class="page programme-page" id="programme">
            <h1>"Антирисковая программа"</h1>
            <p class="lead">{move || school_name.get().unwrap_or_default()} {format!(" · {year} год")}</p>
            <nav class="year-nav no-print" aria-label="Год программы">
                <a href=format!("/programme/{school}?year={}", year - 1) rel="external">{format!("← {}", year - 1)}</a>
                " "
                <a href=format!("/programme/{school}?year={}", year + 1) rel="external">{format!("{} →", year + 1)}</a>
                " "
                <a href=format!("/programme/{school}/print?year={year}") id="programme-print">"Версия для печати"</a>
                " "
                <DownloadButton path=format!("/schools/{school}/programme.xlsx?year={year}") file=format!("Антирисковая программа {year}.xlsx") id="programme-xlsx"/>
            </nav>
            <SaveError error=error/>
            {move || if !exists.get() {
                view! {
                    <p class="empty" id="programme-none">{format!("Программы на {year} год на этом компьютере нет.")}</p>
                    {rights.draft.then(|| view! {
                        <button type="button" id="programme-start" on:click=start>{format!("Начать программу на {year} год")}</button>
                    })}
                }.into_any()
            } else {
                view! {
                    <p class="programme-summary" role="status">
                        {move || {
                            let (overdue, behind) = counts.get();
                            format!("Мероприятий с прошедшим сроком: {overdue}. Показателей, отстающих от плана: {behind}.")
                        }}
                    </p>
                    <Field record=programme target=target name=F_TITLE label="Название" input=Input::Text(300) editable=rights.draft error=error id="programme-title".into()/>
                    <Field record=programme target=target name=F_COMMENT label="Комментарий наставника к программе" input=Input::Long(5_000) editable=rights.comment error=error id="programme-comment".into()/>
                    {rights.draft.then(|| view! {
                        <div class="programme-tools no-print">
                            {move || match card.get() {
                                Some(_) => view! {
                                    <button type="button" class="button-secondary" id="programme-prefill" on:click=prefill>
                                        "Добавить разделы по карте самоанализа"
                                    </button>
                                }.into_any(),
                                None => view! { <p class="muted">"Карта самоанализа школы на этом компьютере не найдена: разделы можно добавить вручную."</p> }.into_any(),
                            }}
                            <label for="section-factor">"Новый раздел: фактор риска"</label>
                            <select id="section-factor" on:change=move |ev| new_factor.set(event_target_value(&ev))>
                                <option value="" selected=move || new_factor.get().is_empty()>"— выберите —"</option>
                                {move || missing_factors.get().into_iter().map(|f| view! {
                                    <option value=f>{factor_label(f).to_owned()}</option>
                                }).collect_view()}
                            </select>
                            <button type="button" class="button-secondary" id="section-add" on:click=add_section>"Добавить раздел"</button>
                        </div>
                    })}
                    <For each=move || section_ids.get() key=|id| *id let:id>
                        <SectionView id=id outline=outline year=year rights=rights/>
                    </For>
                    <section class="presentation" aria-labelledby="presentation-title">
                        <h2 id="presentation-title">"Публичное представление программы"</h2>
                        <p class="muted">"Перед куратором ИРО, руководителем или заместителем руководителя управления образования, руководителем МНЦ и администрацией школы (002, п. 4.3.2)."</p>
                        <Field record=programme target=target name=F_PRESENTED_ON label="Дата представления" input=Input::Date editable=rights.verdict error=error id="presented-on".into()
                            required=Signal::derive(move || has(F_VERDICT).then_some("Решение принято на представлении: укажите его дату."))/>
                        <Field record=programme target=target name=F_PRESENTED_WHO label="Присутствовали" input=Input::Long(2_000) editable=rights.verdict error=error id="presented-who".into()/>
                        // The verdict follows the presentation (the kind's rule): it is offered
                        // once its date is written.
                        <Field record=programme target=target name=F_VERDICT label="Решение" input=Input::Choice(&p::VERDICTS) editable=Signal::derive(move || rights.verdict && has(F_PRESENTED_ON)) error=error id="verdict".into()/>
                        {move || (rights.verdict && !has(F_PRESENTED_ON)).then(|| view! {
                            <p class="hint" id="verdict-hint">"Решение записывается после представления: сначала укажите его дату."</p>
                        })}
                    </section>
                    <Field record=programme target=target name=F_ANALYSIS label="Анализ выполнения за год (для корректировки программы)" input=Input::Long(20_000) editable=rights.draft error=error id="programme-analysis".into()/>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

#[component]
fn SectionView(id: Uuid, outline: Memo<Outline>, year: i64, rights: Rights) -> impl IntoView {
    let store = use_store();
    let part = Memo::new(move |_| {
        outline.with(|o| o.sections.iter().find(|s| s.section.id == id).cloned())
    });
    let section = Signal::derive(move || part.with(|s| s.as_ref().map(|s| s.section.clone())));
    let target = Signal::derive(move || section.with(|s| s.as_ref().map(part_target)));
    let error = RwSignal::new(None::<String>);
    let indicator_ids = Memo::new(move |_| {
        part.with(|s| {
            s.as_ref()
                .map(|s| s.indicators.iter().map(|r| r.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let measure_ids = Memo::new(move |_| {
        part.with(|s| {
            s.as_ref()
                .map(|s| s.measures.iter().map(|r| r.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    // While a part is being written, a second press of its button makes no second one.
    let adding = RwSignal::new(false);
    let child = move |kind: &'static str, fields: BTreeMap<String, Value>| {
        let Some(s) = section.get_untracked() else {
            return;
        };
        let t = Target {
            id: store.new_id(),
            kind,
            scope: s.scope.clone(),
            parent: Some(s.id),
        };
        save_once(t, fields, error, adding, || ());
    };
    let n = id.simple().to_string();
    let title = move || {
        section.with(|s| {
            s.as_ref().map(|s| {
                let f = s.text(F_FACTOR);
                let level = p::label(&p::LEVELS, &s.text(F_LEVEL));
                if level.is_empty() {
                    factor_label(&f).to_owned()
                } else {
                    format!("{} (уровень риска: {level})", factor_label(&f))
                }
            })
        })
    };
    let remove = move |_| {
        let Some(s) = section.get_untracked() else {
            return;
        };
        delete(
            "Удалить раздел программы вместе с его показателями и мероприятиями?",
            part_target(&s),
            &s,
            error,
        );
    };
    view! {
        <section class="programme-section" data-factor=move || section.with(|s| s.as_ref().map(|s| s.text(F_FACTOR)))>
            <h2>{title}</h2>
            <SaveError error=error/>
            <Field record=section target=target name=F_GOAL label="Цель" input=Input::Long(2_000) editable=rights.draft error=error id=format!("goal-{n}")/>
            <Field record=section target=target name=F_TASKS label="Задачи" input=Input::Long(5_000) editable=rights.draft error=error id=format!("tasks-{n}")/>
            <Field record=section target=target name=F_COMMENT label="Комментарий наставника" input=Input::Long(5_000) editable=rights.comment error=error id=format!("comment-{n}")/>
            <h3>"Показатели"</h3>
            <div class="table-wrap">
                <table class="results indicators">
                    <thead>
                        <tr>
                            <th scope="col">"Показатель"</th>
                            <th scope="col">"Ед. изм."</th>
                            <th scope="col">"Исходное"</th>
                            <th scope="col">"Целевое"</th>
                            <th scope="col">"I кв."</th>
                            <th scope="col">"II кв."</th>
                            <th scope="col">"III кв."</th>
                            <th scope="col">"IV кв."</th>
                            <th scope="col">"Оценка"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || indicator_ids.get() key=|id| *id let:iid>
                            <IndicatorRow id=iid section=id outline=outline year=year rights=rights/>
                        </For>
                    </tbody>
                </table>
            </div>
            {rights.draft.then(|| view! {
                <button type="button" class="button-secondary no-print" id=format!("indicator-add-{n}") disabled=move || adding.get() on:click=move |_| child(p::INDICATOR_KIND, one(F_NAME, json!("")))>"Добавить показатель"</button>
            })}
            <h3>"Мероприятия"</h3>
            <For each=move || measure_ids.get() key=|id| *id let:mid>
                <MeasureView id=mid section=id outline=outline rights=rights/>
            </For>
            {rights.draft.then(|| view! {
                <button type="button" class="button-secondary no-print" id=format!("measure-add-{n}") disabled=move || adding.get() on:click=move |_| child(p::MEASURE_KIND, BTreeMap::from([
                    (F_STATUS.to_owned(), json!("planned")),
                    (F_SUPPORT.to_owned(), json!(MEASURE_KINDS[0].0)),
                ]))>"Добавить мероприятие"</button>
                " "
                <button type="button" class="button-link no-print" on:click=remove>"Удалить раздел"</button>
            })}
        </section>
    }
}

fn child_of(outline: &Outline, section: Uuid, id: Uuid) -> Option<Record> {
    let s = outline.sections.iter().find(|s| s.section.id == section)?;
    s.indicators
        .iter()
        .chain(&s.measures)
        .find(|r| r.id == id)
        .cloned()
}

#[component]
fn IndicatorRow(
    id: Uuid,
    section: Uuid,
    outline: Memo<Outline>,
    year: i64,
    rights: Rights,
) -> impl IntoView {
    let record = Memo::new(move |_| outline.with(|o| child_of(o, section, id)));
    let record: Signal<Option<Record>> = record.into();
    let target = Signal::derive(move || record.with(|r| r.as_ref().map(part_target)));
    let error = RwSignal::new(None::<String>);
    let n = id.simple().to_string();
    let today = format::today();
    let progress = move || record.with(|r| r.as_ref().map(|r| p::progress(r, year, &today)));
    let remove = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        delete("Удалить показатель?", part_target(&r), &r, error);
    };
    // Each input of the row is named with the indicator («Целевое значение: Доля …»).
    let called = move || {
        record
            .with(|r| r.as_ref().map(|r| r.text(F_NAME)))
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "новый показатель".to_owned())
    };
    let cell = {
        let n = n.clone();
        move |name: &'static str, label: &'static str, input: Input, editable: bool| {
            let named = Signal::derive(move || {
                if name == F_NAME {
                    String::new()
                } else {
                    format!("{label}: {}", called())
                }
            });
            view! { <td><Field record=record target=target name=name label=label input=input editable=editable error=error id=format!("{name}-{n}") named=named/></td> }
        }
    };
    view! {
        <tr class="indicator" data-item=id.to_string()>
            {cell(F_NAME, "Показатель", Input::Long(500), rights.draft)}
            {cell(F_UNIT, "Ед. изм.", Input::Text(50), rights.draft)}
            {cell(F_BASELINE, "Исходное значение", Input::Number, rights.draft)}
            {cell(F_TARGET, "Целевое значение", Input::Number, rights.draft)}
            {cell(F_QUARTERS[0], "Факт на конец I квартала", Input::Number, rights.actuals)}
            {cell(F_QUARTERS[1], "Факт на конец II квартала", Input::Number, rights.actuals)}
            {cell(F_QUARTERS[2], "Факт на конец III квартала", Input::Number, rights.actuals)}
            {cell(F_QUARTERS[3], "Факт на конец IV квартала", Input::Number, rights.actuals)}
            <td>
                {move || match progress() {
                    Some(Progress::Behind) => view! { <strong class="overdue-mark">"отстаёт"</strong> }.into_any(),
                    Some(Progress::OnTrack) => view! { <span>"в плане"</span> }.into_any(),
                    Some(Progress::Missing(q)) => view! { <span class="muted">{format!("нет факта за {q} кв.")}</span> }.into_any(),
                    _ => view! { <span class="muted">"—"</span> }.into_any(),
                }}
                <Field record=record target=target name=F_COMMENT label="Комментарий наставника" input=Input::Long(5_000) editable=rights.comment error=error id=format!("icomment-{n}") named=Signal::derive(move || format!("Комментарий наставника: {}", called()))/>
                {rights.draft.then(|| view! {
                    <button type="button" class="button-link no-print indicator-delete"
                        aria-label=move || format!("Удалить показатель: {}", called())
                        on:click=remove>"Удалить показатель"</button>
                })}
                <SaveError error=error/>
            </td>
        </tr>
    }
}

#[component]
fn MeasureView(id: Uuid, section: Uuid, outline: Memo<Outline>, rights: Rights) -> impl IntoView {
    let record = Memo::new(move |_| outline.with(|o| child_of(o, section, id)));
    let record: Signal<Option<Record>> = record.into();
    let target = Signal::derive(move || record.with(|r| r.as_ref().map(part_target)));
    let error = RwSignal::new(None::<String>);
    let n = id.simple().to_string();
    let today = format::today();
    let overdue = Memo::new(move |_| {
        record.with(|r| r.as_ref().is_some_and(|r| p::measure_overdue(r, &today)))
    });
    let from_rec =
        move || record.with(|r| r.as_ref().is_some_and(|r| !r.text(F_SOURCE).is_empty()));
    let remove = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        delete("Удалить мероприятие?", part_target(&r), &r, error);
    };
    view! {
        <fieldset class="measure" class:overdue=overdue data-item=id.to_string()>
            <legend>
                // The fields inside are read with the legend: it says which measure they are of.
                {move || {
                    let content = record.with(|r| r.as_ref().map(|r| r.text(F_CONTENT))).unwrap_or_default();
                    if content.trim().is_empty() { "Мероприятие".to_owned() } else { format!("Мероприятие: {}", format::short(&content, 80)) }
                }}
                {move || overdue.get().then(|| view! { <strong class="overdue-mark">" срок прошёл"</strong> })}
                {move || from_rec().then(|| view! { <span class="muted">" (по рекомендации наставника)"</span> })}
            </legend>
            <SaveError error=error/>
            <Field record=record target=target name=F_CONTENT label="Содержание" input=Input::Long(2_000) editable=rights.draft error=error id=format!("content-{n}")/>
            <div class="field-row">
                <Field record=record target=target name=F_SUPPORT label="Вид поддержки" input=Input::Choice(&MEASURE_KINDS) editable=rights.draft error=error id=format!("support-{n}")/>
                <Field record=record target=target name=F_DEADLINE label="Срок" input=Input::Date editable=rights.draft error=error id=format!("deadline-{n}")/>
                <Field record=record target=target name=F_STATUS label="Состояние" input=Input::Choice(&p::MEASURE_STATUSES) editable=rights.draft error=error id=format!("status-{n}")/>
            </div>
            <div class="field-row">
                <Field record=record target=target name=F_RESPONSIBLE label="Ответственный" input=Input::Text(300) editable=rights.draft error=error id=format!("responsible-{n}")/>
                <Field record=record target=target name=F_PARTICIPANTS label="Участники" input=Input::Text(1_000) editable=rights.draft error=error id=format!("participants-{n}")/>
            </div>
            <Field record=record target=target name=F_EVIDENCE label="Подтверждение выполнения" input=Input::Long(5_000) editable=rights.draft error=error id=format!("evidence-{n}")/>
            <MaterialLinks record=record target=target editable=rights.draft error=error id=format!("materials-{n}")/>
            <Field record=record target=target name=F_COMMENT label="Комментарий наставника" input=Input::Long(5_000) editable=rights.comment error=error id=format!("mcomment-{n}")/>
            {rights.draft.then(|| view! { <button type="button" class="button-link no-print" aria-label=move || format!("Удалить мероприятие: {}", record.with(|r| r.as_ref().map(|r| r.text(F_CONTENT)).unwrap_or_default())) on:click=remove>"Удалить мероприятие"</button> })}
        </fieldset>
    }
}

/// `/programme/:school/print?year=Y`: the programme as a document.
#[component]
pub fn ProgrammePrint() -> impl IntoView {
    crate::pages::set_title("Печать программы");
    let session = use_session();
    let Some(school) = school_param() else {
        return view! { <p class="empty">"Школа не найдена: проверьте ссылку."</p> }.into_any();
    };
    let year = year_param();
    let schools = known_schools(session);
    let outline = watch_outline(p::programme_id(school, year));
    let today = format::today();
    view! {
        <article class="page print-view" id="programme-print-view">
            <p class="no-print">
                <button type="button" class="button-primary" on:click=|_| {
                    if let Some(w) = web_sys::window() { let _ = w.print(); }
                }>"Печать"</button>
                " "
                <a href=format!("/programme/{school}?year={year}")>"Вернуться к программе"</a>
            </p>
            {move || {
                let o = outline.get();
                let name = schools.with(|l| l.iter().find(|s| s.id == school).map(|s| s.name.clone())).unwrap_or_default();
                let Some(pr) = o.programme.clone() else {
                    return view! { <p class="empty">{format!("Программы на {year} год на этом компьютере нет.")}</p> }.into_any();
                };
                let today = today.clone();
                view! {
                    <h1>{ let t = pr.text(F_TITLE); if t.is_empty() { format!("Антирисковая программа на {year} год") } else { t } }</h1>
                    <p>{name} {format!(", {year} год.")}</p>
                    <p>
                        "Публичное представление: " {dash(format::date(&pr.text(F_PRESENTED_ON)))}
                        ". Решение: " {dash(p::label(&p::VERDICTS, &pr.text(F_VERDICT)).to_owned())} "."
                    </p>
                    {o.sections.into_iter().map(|s| {
                        let today = today.clone();
                        view! {
                            <section class="print-section">
                                <h2>{factor_label(&s.section.text(F_FACTOR)).to_owned()}</h2>
                                <dl>
                                    <dt>"Цель"</dt><dd>{dash(s.section.text(F_GOAL))}</dd>
                                    <dt>"Задачи"</dt><dd>{dash(s.section.text(F_TASKS))}</dd>
                                </dl>
                                <table class="results">
                                    <thead><tr>
                                        <th>"Показатель"</th><th>"Исходное"</th><th>"Целевое"</th>
                                        <th>"I кв."</th><th>"II кв."</th><th>"III кв."</th><th>"IV кв."</th>
                                    </tr></thead>
                                    <tbody>
                                        {s.indicators.iter().map(|i| view! {
                                            <tr>
                                                <td>{format!("{} {}", i.text(F_NAME), bracket(&i.text(F_UNIT)))}</td>
                                                <td>{p::number_text(i, F_BASELINE)}</td>
                                                <td>{p::number_text(i, F_TARGET)}</td>
                                                {F_QUARTERS.iter().map(|q| view! { <td>{p::number_text(i, q)}</td> }).collect_view()}
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <table class="results">
                                    <thead><tr>
                                        <th>"№"</th><th>"Мероприятие"</th><th>"Вид поддержки"</th><th>"Срок"</th>
                                        <th>"Ответственный"</th><th>"Состояние"</th><th>"Подтверждение"</th>
                                    </tr></thead>
                                    <tbody>
                                        {s.measures.iter().enumerate().map(|(i, m)| {
                                            let mut status = p::label(&p::MEASURE_STATUSES, &m.text(F_STATUS)).to_owned();
                                            if p::measure_overdue(m, &today) {
                                                status.push_str(" (срок прошёл)");
                                            }
                                            view! {
                                                <tr>
                                                    <td>{i + 1}</td>
                                                    <td>{m.text(F_CONTENT)}</td>
                                                    <td>{p::label(&MEASURE_KINDS, &m.text(F_SUPPORT)).to_owned()}</td>
                                                    <td>{format::date(&m.text(F_DEADLINE))}</td>
                                                    <td>{m.text(F_RESPONSIBLE)}</td>
                                                    <td>{status}</td>
                                                    <td>{m.text(F_EVIDENCE)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }
                    }).collect_view()}
                    <h2>"Анализ выполнения за год"</h2>
                    <p class="recommendation-text">{dash(pr.text(F_ANALYSIS))}</p>
                }.into_any()
            }}
        </article>
    }
    .into_any()
}

fn dash(s: String) -> String {
    if s.is_empty() { "—".to_owned() } else { s }
}

fn bracket(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!("({unit})")
    }
}
