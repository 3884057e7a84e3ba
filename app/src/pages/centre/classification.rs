//! `/centre/classification`: the classification of the municipality's schools by 002 §II —
//! the type from the ИОР and ИСБШ quartiles, stably high and stably low results, the four risk
//! zone groups — each mark with its reason, a 2×2 chart of ИСБШ against ИОР, filters, and the
//! ШНОР / ШССУ / школа-наставник flags it suggests (the head confirms each). The indices arrive
//! by sync, so the table and the chart work offline; importing a file of indices (preview with
//! every problem by row and column, then all or nothing) needs the server.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::monitoring::classification::{
    self as c, Classification, Flags, Mark, Risk, SchoolType, quartile_label,
};
use model::monitoring::import::{Parsed, header_line};
use model::monitoring::{self as m};
use model::{School, SchoolFlags};

use super::NeedsConnection;
use crate::api;
use crate::lists::known_schools;
use crate::session::{Cache, use_session};
use crate::store::use_store;
use crate::sync::use_sync;

/// An index as a methodist writes it, or «нет данных».
fn index(v: Option<f64>) -> String {
    v.map_or_else(|| "нет данных".into(), c::index)
}

fn flags_of(f: Flags) -> SchoolFlags {
    SchoolFlags {
        low_results: f.low_results,
        hard_conditions: f.hard_conditions,
        mentor_school: f.mentor_school,
    }
}

fn flags_label(f: SchoolFlags) -> String {
    let label = f.label();
    if label.is_empty() {
        "без отметок".into()
    } else {
        label
    }
}

fn type_class(t: Option<SchoolType>) -> &'static str {
    t.map_or("type-none", |t| match t {
        SchoolType::Effective => "type-effective",
        SchoolType::Resilient => "type-resilient",
        SchoolType::Ineffective => "type-ineffective",
        SchoolType::NotCoping => "type-not-coping",
    })
}

#[component]
pub fn ClassificationPage() -> impl IntoView {
    let store = use_store();
    crate::pages::set_title("Классификация школ");
    let session = use_session();
    let records = store.watch_kind(m::KIND);
    let schools = known_schools(session);
    let rows = Memo::new(move |_| {
        records.with(|l| l.iter().filter_map(m::from_record).collect::<Vec<_>>())
    });
    let years = Memo::new(move |_| rows.with(|r| c::years(r)));
    let chosen = RwSignal::new(None::<i32>);
    let year = Memo::new(move |_| chosen.get().or_else(|| years.with(|y| y.first().copied())));
    let list = Memo::new(move |_| match year.get() {
        Some(y) => rows.with(|r| c::classify(r, y)),
        None => Vec::new(),
    });
    let type_filter = RwSignal::new(String::new());
    let risk_filter = RwSignal::new(String::new());
    let name_of = move |id: uuid::Uuid| {
        schools.with(|l| {
            l.iter()
                .find(|s| s.id == id)
                .map_or_else(|| "школа не из списка".to_owned(), |s| s.name.clone())
        })
    };
    let shown = Memo::new(move |_| {
        let (t, r) = (type_filter.get(), risk_filter.get());
        list.get()
            .into_iter()
            .filter(|c| {
                let type_ok = match t.as_str() {
                    "" => true,
                    "none" => c.school_type.is_none(),
                    "stably_high" => c.stably_high,
                    "stably_low" => c.stably_low,
                    t => c.school_type.is_some_and(|x| x.as_str() == t),
                };
                let risk_ok = match r.as_str() {
                    "" => true,
                    "any" => !c.risk.is_empty(),
                    r => c.risk.iter().any(|x| x.as_str() == r),
                };
                type_ok && risk_ok
            })
            .collect::<Vec<_>>()
    });

    view! {
        <section class="page" id="classification">
            <h1>"Классификация школ"</h1>
            <p class="lead">
                "По положению о наставническом центре (002, раздел II): тип школы по квартилям ИОР и ИСБШ, "
                "стабильно высокие и стабильно низкие результаты, группы «зоны риска». "
                "Отметки ШНОР, ШССУ и «школа-наставник» предлагаются по классификации — их подтверждает руководитель центра."
            </p>
            <IndicesImport/>
            {move || {
                if years.with(Vec::is_empty) {
                    return view! {
                        <p class="empty" id="classification-empty">
                            "Индексов пока нет. Загрузите файл региональных индексов (ИОР, ИСБШ) выше — классификация появится здесь."
                        </p>
                    }.into_any();
                }
                view! {
                    <div class="filters" role="search">
                        <div class="field">
                            <label for="class-year">"Год"</label>
                            <select id="class-year" on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                                {years.get().into_iter().map(|y| view! { <option value=y.to_string() selected=move || year.get() == Some(y)>{y}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="class-type">"Тип школы"</label>
                            <select id="class-type" prop:value=move || type_filter.get() on:change=move |ev| type_filter.set(event_target_value(&ev))>
                                <option value="">"все"</option>
                                {SchoolType::ALL.into_iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
                                <option value="stably_high">"стабильно высокие результаты"</option>
                                <option value="stably_low">"стабильно низкие результаты"</option>
                                <option value="none">"тип не определён (нет данных)"</option>
                            </select>
                        </div>
                        <div class="field">
                            <label for="class-risk">"Зона риска"</label>
                            <select id="class-risk" prop:value=move || risk_filter.get() on:change=move |ev| risk_filter.set(event_target_value(&ev))>
                                <option value="">"все школы"</option>
                                <option value="any">"в любой группе риска"</option>
                                {Risk::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                            </select>
                        </div>
                    </div>
                    <Summary list=list/>
                    <figure class="chart quadrant-chart">
                        {move || quadrant_chart(&list.get(), &name_of)}
                        <figcaption>
                            "ИСБШ (по горизонтали) и ИОР (по вертикали) за " {move || year.get()} " год: пунктир — граница 2-го и 3-го квартилей. Наведите указатель на точку, чтобы увидеть школу."
                            <ul class="legend">
                                {SchoolType::ALL.into_iter().map(|t| view! { <li class=type_class(Some(t))>{t.label()}</li> }).collect_view()}
                            </ul>
                        </figcaption>
                    </figure>
                    <div class="table-wrap">
                        <table class="results" id="classification-table">
                            <caption class="visually-hidden">"Классификация школ за выбранный год"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Школа"</th>
                                    <th scope="col">"ИОР"</th>
                                    <th scope="col">"ИСБШ"</th>
                                    <th scope="col">"Тип"</th>
                                    <th scope="col">"Стабильность результатов"</th>
                                    <th scope="col">"Зона риска"</th>
                                    <th scope="col">"Отметки школы"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {move || {
                                    let shown = shown.get();
                                    if shown.is_empty() {
                                        return view! { <tr><td colspan="7" class="empty">"Под выбранные условия не подходит ни одна школа."</td></tr> }.into_any();
                                    }
                                    // Flags follow the newest year's figures only.
                                    let newest = year.get() == years.with(|y| y.first().copied());
                                    shown.into_iter().map(|c| { let name = name_of(c.school); view! { <SchoolRow c=c schools=schools name=name newest=newest/> } }).collect_view().into_any()
                                }}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// How many schools of each type, and in the risk zone.
#[component]
fn Summary(list: Memo<Vec<Classification>>) -> impl IntoView {
    move || {
        let l = list.get();
        let mut parts: Vec<String> = SchoolType::ALL
            .iter()
            .map(|t| {
                let n = l.iter().filter(|c| c.school_type == Some(*t)).count();
                format!("{}: {n}", t.label())
            })
            .collect();
        parts.push(format!(
            "стабильно высокие: {}",
            l.iter().filter(|c| c.stably_high).count()
        ));
        parts.push(format!(
            "стабильно низкие: {}",
            l.iter().filter(|c| c.stably_low).count()
        ));
        parts.push(format!(
            "в зоне риска: {}",
            l.iter().filter(|c| !c.risk.is_empty()).count()
        ));
        view! { <p id="classification-summary">{format!("Школ: {}. По типам — {}.", l.len(), parts.join("; "))}</p> }
    }
}

/// The reason of a mark, as a line under it.
fn reason(c: &Classification, mark: Mark) -> AnyView {
    match c.reason(mark) {
        Some(r) => {
            let class = if r.applies.is_none() {
                "reason muted no-data"
            } else {
                "reason muted"
            };
            view! { <span class=class>{r.text.clone()}</span> }.into_any()
        }
        None => ().into_any(),
    }
}

#[component]
fn SchoolRow(
    c: Classification,
    schools: RwSignal<Vec<School>>,
    name: String,
    newest: bool,
) -> impl IntoView {
    // A suggestion needs both indices of the newest year; otherwise the flags stay as they are.
    let why_not = if !newest {
        Some("отметки предлагаются по последнему году")
    } else if c.ior_quartile.is_none() || c.isbsh_quartile.is_none() {
        Some("нет данных об ИОР или ИСБШ — отметки не меняются")
    } else {
        None
    };
    let quartile = |q: Option<u8>| {
        q.map_or_else(String::new, |q| {
            format!("квартиль {q} ({})", quartile_label(q))
        })
    };
    let stability = if c.stably_high {
        "стабильно высокие"
    } else if c.stably_low {
        "стабильно низкие"
    } else {
        "—"
    };
    let stability_mark = if c.stably_low {
        Mark::StablyLow
    } else {
        Mark::StablyHigh
    };
    let risks: Vec<AnyView> = Risk::ALL
        .iter()
        .filter_map(|r| {
            let why = c.reason(Mark::Risk(*r))?;
            match why.applies {
                Some(true) => Some(
                    view! { <li class="risk">{r.label()}": "<span class="reason">{why.text.clone()}</span></li> }
                        .into_any(),
                ),
                None => Some(
                    view! { <li class="muted no-data">{r.label()}": "{why.text.clone()}</li> }
                        .into_any(),
                ),
                Some(false) => None,
            }
        })
        .collect();
    view! {
        <tr data-school=c.school.to_string() class=type_class(c.school_type)>
            <th scope="row">{name}</th>
            <td>{index(c.ior)}<br/><span class="muted">{quartile(c.ior_quartile)}</span></td>
            <td>{index(c.isbsh)}<br/><span class="muted">{quartile(c.isbsh_quartile)}</span></td>
            <td class="school-type">
                <strong>{c.school_type.map_or("не определён", |t| t.label())}</strong><br/>
                {reason(&c, Mark::Type)}
            </td>
            <td class="stability"><strong>{stability}</strong><br/>{reason(&c, stability_mark)}</td>
            <td class="risk-zone">
                {if risks.is_empty() { view! { <span>"нет"</span> }.into_any() } else { view! { <ul class="plain">{risks}</ul> }.into_any() }}
            </td>
            <td><FlagsCell school=c.school suggested=flags_of(c.suggested) schools=schools why_not=why_not/></td>
        </tr>
    }
}

/// The school's flags now and, where the classification suggests others, a button to accept
/// them (needs the server).
#[component]
fn FlagsCell(
    school: uuid::Uuid,
    suggested: SchoolFlags,
    schools: RwSignal<Vec<School>>,
    /// Why nothing is suggested (an older year, missing indices).
    why_not: Option<&'static str>,
) -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let current =
        Memo::new(move |_| schools.with(|l| l.iter().find(|s| s.id == school).map(School::flags)));
    let accept = move |_| {
        let Some(token) = session.token() else { return };
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            match api::set_school_flags(&token, school, &suggested).await {
                Ok(f) => {
                    schools.update(|l| {
                        if let Some(s) = l.iter_mut().find(|s| s.id == school) {
                            s.low_results = f.low_results;
                            s.hard_conditions = f.hard_conditions;
                            s.mentor_school = f.mentor_school;
                        }
                    });
                    // (The person may have left the page while the answer came.)
                    schools.try_with_untracked(|l| session.keep_list(Cache::Schools, l));
                }
                Err(f) => {
                    session.handle(&token, &f);
                    failure.set(Some(f.message()));
                }
            }
            busy.set(false);
        });
    };
    move || {
        match current.get() {
        None => view! { <span class="muted">"школа не из списка"</span> }.into_any(),
        Some(now) if why_not.is_some() => view! {
            <span class="flags-now">{flags_label(now)}</span>
            <br/><span class="muted">{why_not}</span>
        }
        .into_any(),
        Some(now) if now == suggested => view! {
            <span class="flags-now">{flags_label(now)}</span>
            <br/><span class="muted">"совпадает с классификацией"</span>
        }
        .into_any(),
        Some(now) => view! {
            <span class="flags-now">{flags_label(now)}</span><br/>
            <span class="flags-suggested">"Предлагается: " {flags_label(suggested)}</span><br/>
            <button type="button" class="button-secondary accept-flags"
                aria-label=move || format!("Принять предложенное для школы: {}", schools.with(|l| l.iter().find(|s| s.id == school).map(|s| s.name.clone()).unwrap_or_default()))
                disabled=move || busy.get() on:click=accept>
                {move || if busy.get() { "Сохраняется…" } else { "Принять" }}
            </button>
            {move || failure.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        }
        .into_any(),
    }
    }
}

/// The boundary between quartiles 2 and 3 of the values (halfway between the highest «low»
/// and the lowest «high»), where there are both.
fn boundary(points: impl Iterator<Item = (f64, u8)>) -> Option<f64> {
    let (mut low, mut high) = (None::<f64>, None::<f64>);
    for (v, q) in points {
        if q <= 2 {
            low = Some(low.map_or(v, |l| l.max(v)));
        } else {
            high = Some(high.map_or(v, |h| h.min(v)));
        }
    }
    Some((low? + high?) / 2.0)
}

/// ИСБШ (x) against ИОР (y), every school with both a point coloured by its type; the dashed
/// lines split high from low, so the four quarters are the four types. SVG, so it prints.
fn quadrant_chart(list: &[Classification], name_of: &dyn Fn(uuid::Uuid) -> String) -> AnyView {
    let (size, pad) = (360.0_f64, 40.0_f64);
    let span = size - 2.0 * pad;
    let x = move |v: f64| pad + v.clamp(0.0, 1.0) * span;
    let y = move |v: f64| size - pad - v.clamp(0.0, 1.0) * span;
    let both: Vec<&Classification> = list
        .iter()
        .filter(|c| c.ior.is_some() && c.isbsh.is_some())
        .collect();
    let bx = boundary(
        both.iter()
            .filter_map(|c| Some((c.isbsh?, c.isbsh_quartile?))),
    );
    let by = boundary(both.iter().filter_map(|c| Some((c.ior?, c.ior_quartile?))));
    let label = format!(
        "Диаграмма ИСБШ и ИОР: {}. {}",
        model::forms::answer::count_ru(both.len() as u32, "школа", "школы", "школ"),
        SchoolType::ALL
            .iter()
            .map(|t| format!(
                "{}: {}",
                t.label(),
                both.iter().filter(|c| c.school_type == Some(*t)).count()
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let qx = bx.map_or(size / 2.0, x);
    view! {
        <svg viewBox=format!("0 0 {size} {size}") width=size height=size role="img" aria-label=label id="quadrant-chart">
            <rect x=pad y=pad width=span height=span fill="none" stroke="#94a3b8"/>
            {bx.map(|b| view! { <line x1=x(b) y1=pad x2=x(b) y2=size - pad stroke="#475569" stroke-dasharray="4 3"/> })}
            {by.map(|b| view! { <line x1=pad y1=y(b) x2=size - pad y2=y(b) stroke="#475569" stroke-dasharray="4 3"/> })}
            <text x=qx + 4.0 y=pad + 12.0 font-size="10" class="q-label">"эффективные"</text>
            <text x=pad + 4.0 y=pad + 12.0 font-size="10" class="q-label">"резильентные"</text>
            <text x=qx + 4.0 y=size - pad - 6.0 font-size="10" class="q-label">"неэффективные"</text>
            <text x=pad + 4.0 y=size - pad - 6.0 font-size="10" class="q-label">"несправляющиеся"</text>
            <text x=pad y=size - 12.0 font-size="10">"ИСБШ 0"</text>
            <text x=size - pad - 10.0 y=size - 12.0 font-size="10">"1"</text>
            <text x=4.0 y=size - pad font-size="10">"ИОР 0"</text>
            <text x=26.0 y=pad + 4.0 font-size="10">"1"</text>
            {both.iter().map(|c| {
                let (ix, iy) = (c.isbsh.unwrap_or(0.0), c.ior.unwrap_or(0.0));
                let title = format!("{}: ИСБШ {}, ИОР {} — {}", name_of(c.school), index(Some(ix)), index(Some(iy)), c.school_type.map_or("тип не определён", |t| t.label()));
                view! {
                    <circle cx=x(ix) cy=y(iy) r="5" class=format!("point {}", type_class(c.school_type)) data-school=c.school.to_string()>
                        <title>{title}</title>
                    </circle>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

/// Choosing a file of indices, its preview with every problem, and the import (all or nothing).
#[component]
fn IndicesImport() -> impl IntoView {
    let sync = use_sync();
    let session = use_session();
    let schools = known_schools(session);
    let file = StoredValue::new(None::<(String, Vec<u8>)>);
    let parsed = RwSignal::new(None::<Parsed>);
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);

    let send = move |commit: bool| {
        let Some(token) = session.token() else { return };
        let Some((name, bytes)) = file.get_value() else {
            return;
        };
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            match api::indices_file(&token, &name, bytes, commit).await {
                Ok(p) => {
                    if commit && p.imported > 0 {
                        message.set(Some((
                            true,
                            format!(
                                "Загружено строк: {}. Классификация обновится после синхронизации.",
                                p.imported
                            ),
                        )));
                        parsed.set(None);
                        file.set_value(None);
                        sync.sync_now();
                    } else {
                        parsed.set(Some(p));
                    }
                }
                Err(f) => {
                    session.handle(&token, &f);
                    message.set(Some((false, f.message())));
                }
            }
            busy.set(false);
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(chosen) = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        // The same file, corrected and chosen again, must be read again.
        if let Some(i) = &input {
            i.set_value("");
        }
        parsed.set(None);
        message.set(None);
        file.set_value(None);
        busy.set(true);
        spawn_local(async move {
            let read = wasm_bindgen_futures::JsFuture::from(chosen.array_buffer()).await;
            match read {
                Ok(buffer) => {
                    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                    file.set_value(Some((chosen.name(), bytes)));
                    busy.set(false);
                    send(false);
                }
                Err(_) => {
                    busy.set(false);
                    message.set(Some((
                        false,
                        "Файл не удалось прочитать: выберите его ещё раз.".into(),
                    )));
                }
            }
        });
    };
    let sample = move |_| {
        let year = crate::format::today()[..4].parse::<i32>().unwrap_or(2026) - 1;
        let mut text = format!("{}\n", header_line().replace(',', ";"));
        for s in schools.get_untracked() {
            // Quoted as CSV quotes: a name with «;» or «"» reads back whole.
            let name = if s.name.contains([';', '"']) {
                format!("\"{}\"", s.name.replace('"', "\"\""))
            } else {
                s.name.clone()
            };
            text.push_str(&format!("{name};{year};;;;;;\n"));
        }
        save_csv("индексы-образец.csv", &text);
    };

    view! {
        <section class="upload" aria-labelledby="indices-title">
            <h2 id="indices-title">"Загрузка индексов из файла"</h2>
            <p class="muted">
                "Файл CSV (или текст Юникод из Excel) либо XLSX со строкой заголовка «" {header_line()} "»: школа (название, как в списке школ), год, "
                "ИОР, ИСБШ, результаты ГИА и ВПР (доли от 0 до 1), доля обучающихся вечерней формы, школа повышенного уровня (да/нет). "
                "Дробные числа — с точкой или запятой, пустая ячейка — нет данных. Повторная загрузка той же школы за тот же год заменяет прежние значения. "
                "Нужна связь с сервером."
            </p>
            <NeedsConnection/>
            <div class="field">
                <label for="indices-file">"Файл индексов"</label>
                <input id="indices-file" type="file" accept=".csv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" disabled=move || busy.get() on:change=on_file/>
            </div>
            <button type="button" class="button-secondary" id="indices-sample" on:click=sample>"Скачать образец файла (CSV)"</button>
            {move || busy.get().then(|| view! { <p role="status" class="muted">"Файл проверяется…"</p> })}
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "alert alert-ok" } else { "alert alert-error" } role="alert" id="indices-message">{m}</p>
            })}
            // A file read but not checked (no connection then) is kept: checked again on a press,
            // without choosing it again.
            {move || (message.with(|m| m.as_ref().is_some_and(|(ok, _)| !ok)) && parsed.with(Option::is_none) && file.with_value(Option::is_some)).then(|| view! {
                <button type="button" id="indices-retry" disabled=move || busy.get() on:click=move |_| send(false)>
                    {move || file.with_value(|f| f.as_ref().map(|(name, _)| format!("Проверить файл «{name}» ещё раз")).unwrap_or_default())}
                </button>
            })}
            {move || parsed.get().map(|p| preview(&p, busy, send))}
        </section>
    }
}

/// What the server read of the file: every problem, or the rows and the button to import them.
fn preview(p: &Parsed, busy: RwSignal<bool>, send: impl Fn(bool) + Copy + 'static) -> AnyView {
    if !p.problems.is_empty() {
        let n = p.problems.len();
        return view! {
            <div class="alert alert-error" role="alert" id="indices-problems">
                <p>{format!("Файл не загружен: ошибок — {n}. Ничего не изменено. Исправьте эти строки и выберите файл снова.")}</p>
                <ul>{p.problems.iter().map(|x| view! { <li>{x.describe()}</li> }).collect_view()}</ul>
            </div>
        }
        .into_any();
    }
    let n = p.rows.len();
    view! {
        <div id="indices-preview">
            <p>{format!("Файл прочитан без ошибок: строк — {n}.")}</p>
            <div class="table-wrap">
                <table class="results">
                    <thead><tr>
                        <th scope="col">"Строка"</th><th scope="col">"Школа"</th><th scope="col">"Год"</th>
                        <th scope="col">"ИОР"</th><th scope="col">"ИСБШ"</th><th scope="col">"ГИА"</th>
                        <th scope="col">"ВПР"</th><th scope="col">"Вечерняя форма"</th><th scope="col">"Повышенный уровень"</th>
                    </tr></thead>
                    <tbody>
                        {p.rows.iter().map(|r| {
                            let i = &r.indices;
                            let cell = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), model::forms::answer::fmt_num);
                            view! { <tr>
                                <td>{r.line}</td><th scope="row">{r.school_name.clone()}</th><td>{i.year}</td>
                                <td>{cell(i.ior)}</td><td>{cell(i.isbsh)}</td><td>{cell(i.gia)}</td>
                                <td>{cell(i.vpr)}</td><td>{cell(i.evening_share)}</td>
                                <td>{i.advanced.map_or("—", |a| if a { "да" } else { "нет" })}</td>
                            </tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <button type="button" id="indices-import" disabled=move || busy.get() on:click=move |_| send(true)>
                {format!("Загрузить строк: {n}")}
            </button>
        </div>
    }
    .into_any()
}

/// Hands a CSV text to the browser to save (with the byte order mark Excel needs for UTF-8).
fn save_csv(name: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    let data = js_sys::encode_uri_component(&format!("\u{feff}{text}"));
    a.set_href(&format!("data:text/csv;charset=utf-8,{data}"));
    a.set_download(name);
    a.click();
}
