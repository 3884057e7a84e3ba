//! The management personnel reserve (002 §V). A school's team nominates its teachers (the
//! application, the reference and the files of the portfolio) and follows their way; the
//! centre head records the commission's two stages (§5.5.2), the training (§5.5.3), the
//! recommendation and the registry (§5.5.4, §5.6), and an appointment from the reserve. The
//! registry prints and exports to Excel. Everything works from this computer's database.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::Role;
use model::record::{Record, Scope};
use model::reserve::{
    self as r, COURSES, CRITERIA, F_APPLICATION, F_APPOINTED_ON, F_APPOINTED_POST,
    F_APPOINTED_SCHOOL, F_BIRTH_YEAR, F_CAREER, F_EDUCATION, F_EMAIL, F_EXPERIENCE, F_GAMES,
    F_INTERNSHIP, F_MANAGEMENT_YEARS, F_NAME, F_NOMINATED_BY, F_NOMINATED_ON, F_OTHER_EVENTS,
    F_PHONE, F_POSITION, F_QUALITIES, F_QUALITIES_NOTE, F_RECOMMENDATION, F_REFERENCE,
    F_REGISTRY_ON, F_RELOCATION, F_STAGE, F_TRAINING_FROM, F_TRAINING_TO, F_TRAININGS, RELOCATION,
    Stage, VERDICTS,
};
use serde_json::json;
use uuid::Uuid;

use crate::components::asked;
use crate::components::attachments::Attachments;
use crate::components::download::DownloadButton;
use crate::components::record_field::{
    Field, Input, SaveError, delete, delete_then, one, said_until_changed, save, save_once,
    step_checked,
};
use crate::format;
use crate::lists::known_schools;
use crate::session::use_session;
use crate::store::{Target, use_store};

fn target(rec: &Record) -> Target {
    Target {
        id: rec.id,
        kind: r::CANDIDATE_KIND,
        scope: rec.scope.clone(),
        parent: None,
    }
}

fn school_of(rec: &Record) -> Option<Uuid> {
    match rec.scope {
        Scope::School(s) => Some(s),
        _ => None,
    }
}

/// `/reserve`: a school's nominees, or (for the head) every nominee by stage.
#[component]
pub fn ReservePage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Кадровый резерв");
    let session = use_session();
    let profile = session.profile();
    let head = profile.as_ref().is_some_and(|p| p.role == Role::Head);
    let my_school = profile.as_ref().and_then(|p| p.school_id);
    let schools = known_schools(session);
    let all = store.watch_kind(r::CANDIDATE_KIND);
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let nominate = move |_| {
        let Some(school) = my_school else { return };
        let id = store.new_id();
        let t = Target {
            id,
            kind: r::CANDIDATE_KIND,
            scope: Scope::School(school),
            parent: None,
        };
        let navigate = navigate.clone();
        let fields = BTreeMap::from([(F_STAGE.to_owned(), json!("draft"))]);
        save_once(t, fields, error, busy, move || {
            navigate(&format!("/reserve/{id}"), Default::default())
        });
    };
    view! {
        <section class="page" id="reserve">
            <h1>"Кадровый управленческий резерв"</h1>
            <p class="lead">
                "Школа направляет педагогов в школу кадрового резерва; центр проводит экспертизу в два "
                "этапа, обучение, даёт рекомендацию и включает лучших в реестр (положение о "
                "наставническом центре, раздел V)."
            </p>
            <SaveError error=error/>
            {(!head).then(|| view! {
                <button type="button" id="reserve-nominate" disabled=move || busy.get() on:click=nominate>"Новая заявка"</button>
            })}
            {head.then(|| view! {
                <p class="actions no-print">
                    <a href="/reserve/registry" id="reserve-registry-link">"Реестр кадрового резерва"</a>
                </p>
            })}
            {move || {
                let mut list: Vec<Record> = all.with(|l| l.iter().filter(|x| !x.is_deleted() && !x.fields.is_empty()).cloned().collect());
                list.sort_by_key(|x| (r::stage_of(x), x.text(F_NAME)));
                if list.is_empty() {
                    return view! { <p class="empty">"Заявок пока нет."</p> }.into_any();
                }
                let names = schools.get();
                view! {
                    <div class="table-wrap">
                        <table class="results" id="reserve-list">
                            <thead><tr>
                                <th scope="col">"ФИО"</th>
                                <th scope="col">"Должность"</th>
                                {head.then(|| view! { <th scope="col">"Школа"</th> })}
                                <th scope="col">"Этап"</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|x| {
                                    let school = school_of(&x).and_then(|s| names.iter().find(|n| n.id == s)).map(|s| s.name.clone()).unwrap_or_default();
                                    let name = if x.text(F_NAME).is_empty() { "(без имени)".to_owned() } else { x.text(F_NAME) };
                                    view! {
                                        <tr data-stage=r::stage_of(&x).as_str()>
                                            <td><a href=format!("/reserve/{}", x.id)>{name}</a></td>
                                            <td>{x.text(F_POSITION)}</td>
                                            {head.then(|| view! { <td>{school}</td> })}
                                            <td>{r::stage_of(&x).label()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// A yes/no field of the record as a checkbox.
#[component]
fn Tick(
    record: Signal<Option<Record>>,
    target: Signal<Option<Target>>,
    name: &'static str,
    label: &'static str,
    editable: bool,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let id = format!("candidate-{}", name.replace('.', "-"));
    let on = move || record.with(|x| x.as_ref().and_then(|x| x.get(name)) == Some(&json!(true)));
    view! {
        <div class="field checkbox">
            <input type="checkbox" id=id.clone() prop:checked=on disabled=!editable on:change=move |ev| {
                if let Some(t) = target.get_untracked() {
                    save(t, one(name, json!(event_target_checked(&ev))), error);
                }
            }/>
            <label for=id>{label}</label>
        </div>
    }
}

/// `/reserve/:id`: one nominee, from the nomination to the registry.
#[component]
pub fn CandidatePage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Кандидат в кадровый резерв");
    let session = use_session();
    let head = session.profile().is_some_and(|p| p.role == Role::Head);
    let schools = known_schools(session);
    let id =
        use_params_map().with_untracked(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let record = store.watch_record(id.unwrap_or_default());
    let rec_s: Signal<Option<Record>> = record.into();
    let t = Signal::derive(move || record.with(|x| x.as_ref().map(target)));
    let error = RwSignal::new(None::<String>);
    let loaded = Memo::new(move |_| {
        record.with(|x| {
            x.as_ref()
                .is_some_and(|x| !x.is_deleted() && x.kind == r::CANDIDATE_KIND)
        })
    });
    let stage = Memo::new(move |_| record.with(|x| x.as_ref().map_or(Stage::Draft, r::stage_of)));
    // The school writes the nomination while it is a draft; the head at any time.
    let nomination_open = Signal::derive(move || head || stage.get() == Stage::Draft);
    // A move the server would refuse (a decline with no requirement marked unmet) is said at
    // once, by the rule the server applies, and not made.
    // One move per press: the buttons wait for the write, and the second click of a double
    // click (which would land on the next stage's button, drawn in the same place) is ignored.
    // The move is checked on the stored record (a date typed a moment ago is in it), and what
    // stops it is said beside the buttons, where no save of a field clears it.
    let moving = RwSignal::new(false);
    let said = RwSignal::new(None::<String>);
    said_until_changed(
        said,
        Memo::new(move |_| record.with(|x| x.as_ref().map(r::stage_of))),
    );
    let move_to = move |to: Stage, clicks: i32| {
        if clicks > 1 || moving.get_untracked() {
            return;
        }
        let Some(x) = record.get_untracked() else {
            return;
        };
        // The head taking a draft the school has not sent locks the school out of it.
        if head
            && r::stage_of(&x) == Stage::Draft
            && to == Stage::Nominated
            && !asked(
                "Школа ещё не направила эту заявку и, возможно, дописывает её. Принять на экспертизу сейчас? После этого школа не сможет её изменить.",
            )
        {
            return;
        }
        step_checked(
            x.id,
            move |stored| {
                r::check_move(stored, r::stage_of(stored), to, !head)?;
                Ok((target(stored), one(F_STAGE, json!(to.as_str()))))
            },
            said,
            moving,
        );
    };
    let said_here = move || {
        said.get().map(|e| view! { <p class="alert alert-error" id="candidate-move-said" role="alert">{e}</p> })
    };
    let navigate = use_navigate();
    let remove = move |_| {
        let Some(x) = record.get_untracked() else {
            return;
        };
        let navigate = navigate.clone();
        delete_then(
            "Удалить заявку? Она пропадёт из кадрового резерва у школы и у центра.",
            target(&x),
            &x,
            error,
            move || navigate("/reserve", Default::default()),
        );
    };
    let remove = StoredValue::new(remove);
    let text_of = move |f: &'static str| {
        move || record.with(|x| x.as_ref().map(|x| x.text(f)).unwrap_or_default())
    };
    let school_name = move || {
        let s = record.with(|x| x.as_ref().and_then(school_of));
        schools
            .with(|l| l.iter().find(|x| Some(x.id) == s).map(|x| x.name.clone()))
            .unwrap_or_default()
    };
    move || {
        if !loaded.get() {
            return view! { <p class="empty" role="status">"Заявка не найдена на этом компьютере: дождитесь синхронизации."</p> }.into_any();
        }
        let commission_seen =
            head || stage.get() != Stage::Draft && stage.get() != Stage::Nominated;
        view! {
            <section class="page" id="candidate">
                <p class="no-print"><a href="/reserve">"← Кадровый резерв"</a></p>
                <h1>{move || { let n = text_of(F_NAME)(); if n.is_empty() { "Заявка в кадровый резерв".to_owned() } else { n } }}</h1>
                <p class="lead">
                    {school_name} " · " <span id="candidate-stage">{move || stage.get().label()}</span>
                    {move || { let by = text_of(F_NOMINATED_BY)(); (!by.is_empty()).then(|| format!(" · направлена {} ({by})", format::date(&text_of(F_NOMINATED_ON)()))) }}
                    {move || { let on = text_of(F_REGISTRY_ON)(); (!on.is_empty()).then(|| format!(" · в реестре с {}", format::date(&on))) }}
                </p>
                <SaveError error=error/>
                // What the centre wrote on a nomination it sent back or declined.
                {move || {
                    let note = text_of(r::F_CENTRE_NOTE)();
                    (!head && matches!(stage.get(), Stage::Draft | Stage::Declined) && !note.trim().is_empty()).then(|| view! {
                        <p class="alert alert-info" id="candidate-centre-said" role="status"><strong>"Наставнический центр: "</strong>{note}</p>
                    })
                }}

                <h2>"Заявка школы"</h2>
                <div class="field-row">
                    <Field record=rec_s target=t name=F_NAME label="ФИО" input=Input::Text(300) editable=nomination_open error=error id="candidate-name".into()/>
                    <Field record=rec_s target=t name=F_POSITION label="Должность" input=Input::Text(300) editable=nomination_open error=error id="candidate-position".into()/>
                </div>
                <div class="field-row">
                    <Field record=rec_s target=t name=F_BIRTH_YEAR label="Год рождения" input=Input::Integer editable=nomination_open error=error id="candidate-birth".into()/>
                    <Field record=rec_s target=t name=F_EXPERIENCE label="Педагогический стаж, лет" input=Input::Integer editable=nomination_open error=error id="candidate-experience".into()/>
                    <Field record=rec_s target=t name=F_MANAGEMENT_YEARS label="Стаж в управлении, лет" input=Input::Integer editable=nomination_open error=error id="candidate-management".into()/>
                </div>
                <Field record=rec_s target=t name=F_EDUCATION label="Образование" input=Input::Long(1_000) editable=nomination_open error=error id="candidate-education".into()/>
                <Field record=rec_s target=t name=F_CAREER label="Должностные продвижения" input=Input::Long(2_000) editable=nomination_open error=error id="candidate-career".into()/>
                <Field record=rec_s target=t name=F_APPLICATION label="Заявка: эффективный педагогический опыт, стремление к продвижению" input=Input::Long(5_000) editable=nomination_open error=error id="candidate-application".into()/>
                <Field record=rec_s target=t name=F_REFERENCE label="Характеристика-ходатайство с места работы" input=Input::Long(10_000) editable=nomination_open error=error id="candidate-reference".into()/>
                <div class="field-row">
                    <Field record=rec_s target=t name=F_RELOCATION label="Согласие на переезд" input=Input::Choice(&RELOCATION) editable=nomination_open error=error id="candidate-relocation".into()/>
                    <Field record=rec_s target=t name=F_PHONE label="Телефон" input=Input::Text(50) editable=nomination_open error=error id="candidate-phone".into()/>
                    <Field record=rec_s target=t name=F_EMAIL label="Электронная почта" input=Input::Text(200) editable=nomination_open error=error id="candidate-email".into()/>
                </div>
                <p class="hint">"Прикрепите заявку, портфолио и характеристику (сканы или документы)."</p>
                <Attachments parent=rec_s editable=nomination_open id="candidate-files"/>
                {move || (!head && stage.get() == Stage::Draft).then(|| view! {
                    <div class="actions no-print">
                        <button type="button" id="candidate-send" disabled=move || moving.get() on:click=move |ev| move_to(Stage::Nominated, ev.detail())>"Направить в наставнический центр"</button>
                        <button type="button" class="button-link" id="candidate-delete" on:click=move |ev| remove.with_value(|f| f(ev))>"Удалить заявку"</button>
                    </div>
                    {said_here}
                })}

                {commission_seen.then(|| view! {
                    <h2>"Экспертиза"</h2>
                    <fieldset>
                        <legend>"Селективный этап: формальные требования"</legend>
                        {CRITERIA.iter().map(|(c, l)| {
                            let (verdict, reason) = kinds_fields(c);
                            view! {
                                <div class="field-row">
                                    <Field record=rec_s target=t name=verdict label=l input=Input::Choice(&VERDICTS) editable=head error=error id=format!("candidate-sel-{c}")/>
                                    <Field record=rec_s target=t name=reason label=label_of(reason) input=Input::Text(1_000) editable=head error=error id=format!("candidate-sel-{c}-reason")/>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                    <fieldset>
                        <legend>"Квалитативный этап: личностные качества"</legend>
                        <Readiness record=record head=head error=error/>
                        <Field record=rec_s target=t name=F_QUALITIES label="Личностные качества" input=Input::Choice(&VERDICTS) editable=head error=error id="candidate-qualities".into()/>
                        <Field record=rec_s target=t name=F_QUALITIES_NOTE label="Заключение (по характеристике и собеседованию)" input=Input::Long(5_000) editable=head error=error id="candidate-qualities-note".into()/>
                    </fieldset>
                })}

                {move || (stage.get() >= Stage::Training && stage.get() != Stage::Declined).then(|| view! {
                    <h2>"Обучение в школе резерва"</h2>
                    <div class="field-row">
                        <Field record=rec_s target=t name=F_TRAINING_FROM label="Начало обучения" input=Input::Date editable=head error=error id="candidate-from".into() not_after=F_TRAINING_TO/>
                        <Field record=rec_s target=t name=F_TRAINING_TO label="Окончание обучения" input=Input::Date editable=head error=error id="candidate-to".into() not_before=F_TRAINING_FROM/>
                    </div>
                    <Tick record=rec_s target=t name=F_GAMES label="Деловые игры" editable=head error=error/>
                    <Tick record=rec_s target=t name=F_TRAININGS label="Психологические тренинги" editable=head error=error/>
                    {COURSES.iter().zip(model::kinds::candidate::COURSE_FIELDS).map(|((c, _), field)| view! {
                        <Field record=rec_s target=t name=field label=label_of(field) input=Input::Text(300) editable=head error=error id=format!("candidate-course-{c}")/>
                    }).collect_view()}
                    <Field record=rec_s target=t name=F_INTERNSHIP label="Прототипирование процессов (мини-стажировка): школа и сроки" input=Input::Text(500) editable=head error=error id="candidate-internship".into()/>
                    <Field record=rec_s target=t name=F_OTHER_EVENTS label="Иные обучающие мероприятия" input=Input::Long(2_000) editable=head error=error id="candidate-other".into()/>
                    <Field record=rec_s target=t name=F_RECOMMENDATION label="Рекомендация центра" input=Input::Long(5_000) editable=head error=error id="candidate-recommendation".into()/>
                })}

                {move || (stage.get() == Stage::Registry).then(|| view! {
                    <h2>"Назначение из резерва"</h2>
                    <div class="field-row">
                        <Field record=rec_s target=t name=F_APPOINTED_POST label="Должность" input=Input::Text(300) editable=head error=error id="candidate-appointed-post".into()/>
                        <Field record=rec_s target=t name=F_APPOINTED_SCHOOL label="Образовательная организация" input=Input::Text(300) editable=head error=error id="candidate-appointed-school".into()/>
                        <Field record=rec_s target=t name=F_APPOINTED_ON label="Дата назначения" input=Input::Date editable=head error=error id="candidate-appointed-on".into()/>
                    </div>
                })}

                {head.then(|| view! {
                    <h2>"Решение центра"</h2>
                    <Field record=rec_s target=t name=r::F_CENTRE_NOTE label="Пояснение для школы: что доработать в заявке или почему отказано" input=Input::Long(2_000) editable=head error=error id="candidate-centre-note".into()/>
                    <div class="actions no-print" id="candidate-moves">
                        {move || {
                            let from = stage.get();
                            r::CENTRE_MOVES
                                .iter()
                                .filter(|(f, _)| *f == from)
                                .map(|(_, to)| {
                                    let to = *to;
                                    let (label, id, secondary) = centre_move(from, to);
                                    view! {
                                        <button type="button" id=id class=secondary.then_some("button-secondary") disabled=move || moving.get() on:click=move |ev| move_to(to, ev.detail())>{label}</button>
                                    }
                                })
                                .collect_view()
                        }}
                        <button type="button" class="button-link" id="candidate-delete" on:click=move |ev| remove.with_value(|f| f(ev))>"Удалить заявку"</button>
                    </div>
                    {said_here}
                })}
            </section>
        }.into_any()
    }
}

/// A field's label as the kind names it («Возраст: обоснование», «Сертификат: Менеджмент»), so
/// each input of a repeated group has a name of its own.
fn label_of(field: &str) -> &'static str {
    model::kinds::candidate::SPEC
        .field(field)
        .map_or("", |f| f.label)
}

/// The words and id of the head's button for a step of [`r::CENTRE_MOVES`], and whether it is a
/// secondary one (a step back or a refusal).
fn centre_move(from: Stage, to: Stage) -> (&'static str, &'static str, bool) {
    match (from, to) {
        (Stage::Draft, Stage::Nominated) => ("Принять на экспертизу", "candidate-accept", false),
        (Stage::Nominated, Stage::Training) => ("Допустить к обучению", "candidate-admit", false),
        (Stage::Training, Stage::Recommended) => ("Рекомендовать", "candidate-recommend", false),
        (Stage::Recommended, Stage::Registry) => {
            ("Включить в реестр", "candidate-to-registry", false)
        }
        (Stage::Declined, Stage::Nominated) => {
            ("Рассмотреть заявку снова", "candidate-reexamine", true)
        }
        (_, Stage::Declined) => ("Отказать", "candidate-decline", true),
        (_, Stage::Draft) => ("Вернуть школе на доработку", "candidate-return", true),
        (Stage::Recommended, Stage::Training) => {
            ("Отозвать рекомендацию", "candidate-unrecommend", true)
        }
        (Stage::Registry, _) => ("Исключить из реестра", "candidate-from-registry", true),
        _ => ("Перевести на другой этап", "candidate-move", true),
    }
}

/// The verdict and reason fields of a criterion.
fn kinds_fields(criterion: &str) -> (&'static str, &'static str) {
    model::kinds::candidate::CRITERIA_FIELDS
        .iter()
        .zip(CRITERIA)
        .find(|(_, (c, _))| *c == criterion)
        .map_or(("", ""), |(f, _)| *f)
}

/// `/reserve/registry`: the registry with the §5.6 fields, to print or export.
#[component]
pub fn RegistryPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Реестр кадрового резерва");
    let session = use_session();
    let schools = known_schools(session);
    let all = store.watch_kind(r::CANDIDATE_KIND);
    view! {
        <section class="page" id="reserve-registry">
            <p class="no-print"><a href="/reserve">"← Кадровый резерв"</a></p>
            <h1>"Реестр кадрового управленческого резерва"</h1>
            <p class="lead">"Обязательные поля по п. 5.6 положения о наставническом центре."</p>
            <div class="actions no-print">
                <button type="button" class="button-secondary" on:click=|_| {
                    if let Some(w) = web_sys::window() { let _ = w.print(); }
                }>"Печать"</button>
                <DownloadButton path="/reserve.xlsx".into() file="Реестр кадрового резерва.xlsx".into() id="registry-xlsx"/>
            </div>
            {move || {
                let names = schools.get();
                all.with(|l| {
                    let list = r::registry(l);
                    if list.is_empty() {
                        return view! { <p class="empty">"В реестре пока никого нет."</p> }.into_any();
                    }
                    view! {
                        <div class="table-wrap">
                            <table class="results" id="registry-table">
                                <thead><tr>
                                    {r::REGISTRY_COLUMNS.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|x| {
                                        let school = school_of(x).and_then(|s| names.iter().find(|n| n.id == s)).map(|s| s.name.clone()).unwrap_or_default();
                                        let row = r::registry_row(x, &school, format::date);
                                        view! { <tr>{row.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                })
            }}
            <Vacancies/>
        </section>
    }
}

fn vacancy_target(id: Uuid) -> Target {
    Target {
        id,
        kind: r::VACANCY_KIND,
        scope: Scope::Centre,
        parent: None,
    }
}

/// The management posts that became vacant and how they were filled: two of the programme's
/// indicators (000 §6) count them.
#[component]
fn Vacancies() -> impl IntoView {
    let store = use_store();
    let vacancies = store.watch_kind(r::VACANCY_KIND);
    let candidates = store.watch_kind(r::CANDIDATE_KIND);
    let error = RwSignal::new(None::<String>);
    let ids = Memo::new(move |_| {
        // The latest recorded first, in an order no edit changes (a moved field loses focus).
        let mut list: Vec<Uuid> = vacancies.with(|l| {
            l.iter()
                .filter(|v| !v.is_deleted() && !v.fields.is_empty())
                .map(|v| v.id)
                .collect()
        });
        list.sort_by(|a, b| b.cmp(a));
        list
    });
    let adding = RwSignal::new(false);
    let add = move |_| {
        let fields = BTreeMap::from([
            (r::V_POST.to_owned(), json!("директор")),
            (r::V_OPENED_ON.to_owned(), json!(format::today())),
        ]);
        save_once(vacancy_target(store.new_id()), fields, error, adding, || ());
    };
    view! {
        <h2 id="vacancies-title">"Вакантные руководящие должности"</h2>
        <p class="hint">"Учёт нужен для показателей программы: доля должностей, замещённых из резерва, и доля назначений из резерва."</p>
        <SaveError error=error/>
        // Keyed by id: a vacancy being typed in is never drawn anew (the cursor stays).
        <For each=move || ids.get() key=|id| *id children=move |id| {
            let n = id.simple().to_string();
            let rec: Signal<Option<Record>> = Signal::derive(move || vacancies.with(|l| l.iter().find(|x| x.id == id).cloned()));
            let t = Signal::stored(Some(vacancy_target(id)));
            let text = move |f: &'static str| rec.with(|x| x.as_ref().map(|x| x.text(f)).unwrap_or_default());
            view! {
                <fieldset class="vacancy" data-id=id.to_string()>
                    <legend>{move || {
                        let (post, place) = (text(r::V_POST), text(r::V_PLACE));
                        if place.is_empty() { post } else { format!("{post} — {place}") }
                    }}</legend>
                    <div class="field-row">
                        <Field record=rec target=t name=r::V_POST label="Должность" input=Input::Text(300) editable=true error=error id=format!("vacancy-post-{n}")/>
                        <Field record=rec target=t name=r::V_PLACE label="Образовательная организация" input=Input::Text(300) editable=true error=error id=format!("vacancy-place-{n}")/>
                        <Field record=rec target=t name=r::V_OPENED_ON label="Вакантна с" input=Input::Date editable=true error=error id=format!("vacancy-opened-{n}") not_after=r::V_FILLED_ON/>
                    </div>
                    <div class="field-row">
                        <Field record=rec target=t name=r::V_FILLED_ON label="Замещена" input=Input::Date editable=true error=error id=format!("vacancy-filled-{n}") not_before=r::V_OPENED_ON/>
                        <div class="field">
                            <label for=format!("vacancy-candidate-{n}")>"Назначен из резерва"</label>
                            <select id=format!("vacancy-candidate-{n}") on:change=move |ev| {
                                let v = event_target_value(&ev);
                                save(vacancy_target(id), one(r::V_CANDIDATE, if v.is_empty() { serde_json::Value::Null } else { json!(v) }), error);
                            }>
                                <option value="">"— не из резерва —"</option>
                                {move || {
                                    let chosen = text(r::V_CANDIDATE);
                                    candidates.with(|l| {
                                        let registry = r::registry(l);
                                        // One appointed from the registry and later taken out of it is
                                        // still named (the vacancy counts as filled from the reserve).
                                        let gone = (!chosen.is_empty() && !registry.iter().any(|c| c.id.to_string() == chosen)).then(|| {
                                            let name = l.iter().find(|c| c.id.to_string() == chosen).map(|c| c.text(F_NAME)).unwrap_or_default();
                                            view! { <option value=chosen.clone() selected=true>{format!("{name} (исключён(а) из реестра)")}</option> }
                                        });
                                        let listed = registry.into_iter().map(|c| {
                                            let v = c.id.to_string();
                                            let sel = v == chosen;
                                            view! { <option value=v selected=sel>{c.text(F_NAME)}</option> }
                                        }).collect_view();
                                        view! { {gone} {listed} }
                                    })
                                }}
                            </select>
                        </div>
                        <Field record=rec target=t name=r::V_APPOINTEE label="Назначен (не из резерва)" input=Input::Text(300) editable=true error=error id=format!("vacancy-appointee-{n}")/>
                    </div>
                    <button type="button" class="button-link no-print" id=format!("vacancy-delete-{n}")
                        aria-label=move || {
                            let place = text(r::V_PLACE);
                            let place = if place.is_empty() { String::new() } else { format!(" — {place}") };
                            let opened = text(r::V_OPENED_ON);
                            let opened = if opened.is_empty() { String::new() } else { format!(", вакантна с {}", format::date(&opened)) };
                            format!("Удалить вакансию: {}{place}{opened}", text(r::V_POST))
                        }
                        on:click=move |_| {
                            if let Some(x) = rec.get_untracked() {
                                delete("Удалить вакантную должность? Она перестанет учитываться в показателях программы.", vacancy_target(id), &x, error);
                            }
                        }>"Удалить"</button>
                </fieldset>
            }
        }/>
        <button type="button" class="button-secondary no-print" id="vacancy-add" disabled=move || adding.get() on:click=add>"Добавить вакантную должность"</button>
    }
}

/// The candidate's own account and their answers to the survey of readiness for administrative
/// work (the qualitative stage reads them, §5.5.2): the head names the account among the
/// school's; the answers open on the review page.
#[component]
fn Readiness(
    record: ReadSignal<Option<Record>>,
    head: bool,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let store = use_store();
    let session = use_session();
    let accounts = if head {
        crate::lists::accounts(session)
    } else {
        RwSignal::new(Vec::new())
    };
    let responses = store.watch_kind(model::forms::RESPONSE_KIND);
    let choose = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if let Some(x) = record.get_untracked() {
            let value = if v.is_empty() {
                serde_json::Value::Null
            } else {
                json!(v)
            };
            save(target(&x), one(r::F_ACCOUNT, value), error);
        }
    };
    view! {
        {head.then(|| view! {
            <div class="field">
                <label for="candidate-account">"Учётная запись кандидата (для его ответов на опрос о готовности к административной деятельности)"</label>
                <select id="candidate-account" on:change=choose>
                    <option value="">"— нет учётной записи —"</option>
                    {move || {
                        let (school, chosen) = record.with(|x| (x.as_ref().and_then(school_of), x.as_ref().map(|x| x.text(r::F_ACCOUNT)).unwrap_or_default()));
                        accounts.get().into_iter()
                            .filter(|a| a.profile.school_id == school && school.is_some())
                            .map(|a| {
                                let v = a.profile.id.to_string();
                                let sel = v == chosen;
                                view! { <option value=v selected=sel>{a.profile.full_name.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
        })}
        {move || {
            let answers: Vec<(Uuid, String)> = record.with(|x| {
                let Some(x) = x else { return Vec::new() };
                responses.with(|l| {
                    r::readiness_answers(x, l)
                        .into_iter()
                        .map(|resp| (resp.id, resp.latest().map(|h| format::date_time(h.wall_ms)).unwrap_or_default()))
                        .collect()
                })
            });
            let named = record.with(|x| x.as_ref().is_some_and(|x| !x.text(r::F_ACCOUNT).is_empty()));
            if answers.is_empty() {
                // (The school never receives the candidate's answers: said to the head only.)
                return (named && head).then(|| view! {
                    <p class="muted" id="candidate-readiness">"Ответов кандидата на опрос о готовности к административной деятельности на этом компьютере нет."</p>
                }.into_any());
            }
            Some(view! {
                <ul class="plain" id="candidate-readiness">
                    {answers.into_iter().map(|(id, when)| view! {
                        <li><a href=format!("/review/{id}")>{format!("Ответы на опрос «Готовность к административной деятельности», {when}")}</a></li>
                    }).collect_view()}
                </ul>
            }.into_any())
        }}
    }
}
