//! "Рассылка форм": the centre head sends a template to chosen schools (and roles) with a
//! deadline, and sees how far each school has got. A campaign is a record, so it is made
//! offline too and reaches schools with the next sync.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::forms::{self, Campaign, Status, Template};
use model::record::{Record, Scope};
use model::{Role, School};
use serde_json::json;
use uuid::Uuid;

use crate::components::download::DownloadButton;
use crate::components::record_field::{Field, Input, SaveError, one};
use crate::components::refused::RefusedList;
use crate::components::text_input::{DateInput, TextInput, date_parser};
use crate::format;
use crate::lists::known_schools;
use crate::session::use_session;
use crate::store::{Target, use_store};
use crate::sync::use_sync;
use crate::templates::template_of;

const ROLES: [Role; 4] = [Role::SchoolTeam, Role::Teacher, Role::Mentor, Role::Curator];

#[component]
pub fn CentreCampaigns() -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    crate::pages::set_title("Рассылка форм");
    let session = use_session();
    let schools = known_schools(session);
    let template_records = store.watch_kind(forms::TEMPLATE_KIND);
    let campaign_records = store.watch_kind(forms::CAMPAIGN_KIND);
    let responses = store.watch_kind(forms::RESPONSE_KIND);
    let templates = Memo::new(move |_| {
        let mut list: Vec<Arc<Template>> =
            template_records.with(|l| l.iter().filter_map(template_of).map(Arc::new).collect());
        list.sort_by(|a, b| a.title.cmp(&b.title).then(b.version.cmp(&a.version)));
        list
    });

    // The campaigns sent, latest deadline first.
    let listed = Memo::new(move |_| {
        let mut list: Vec<Campaign> =
            campaign_records.with(|l| l.iter().filter_map(Campaign::from_record).collect());
        list.sort_by(|a, b| b.deadline.cmp(&a.deadline).then(a.id.cmp(&b.id)));
        list.into_iter().map(|c| c.id).collect::<Vec<_>>()
    });

    let chosen = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let picked_schools = RwSignal::new(Vec::<uuid::Uuid>::new());
    let picked_roles = RwSignal::new(Vec::<Role>::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);

    let selected = move || {
        chosen.with(|c| {
            templates.with(|l| {
                l.iter()
                    .find(|t| format!("{}@{}", t.code, t.version) == *c)
                    .cloned()
            })
        })
    };
    // Choosing a template proposes its title and audience (only when the choice changes, so
    // a sync never overwrites what the head typed).
    Effect::new(move |previous: Option<String>| {
        let now = chosen.get();
        if previous.as_ref() != Some(&now)
            && let Some(t) = untrack(selected)
        {
            title.set(t.title.clone());
            picked_roles.set(t.audience.clone());
        }
        now
    });
    // Only the roles the form is made for can be asked to fill it.
    let audience = move || selected().map_or_else(|| ROLES.to_vec(), |t| t.audience.clone());

    // While the campaign is being written, a second press sends no second one to the schools.
    let sending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        done.set(None);
        let Some(t) = selected() else {
            error.set(Some("Выберите форму.".into()));
            return;
        };
        let d = deadline.get_untracked();
        if !forms::answer::is_date(&d) {
            error.set(Some(
                "Укажите срок — дату, до которой форму нужно заполнить.".into(),
            ));
            return;
        }
        let schools_list = picked_schools.get_untracked();
        let roles = picked_roles.get_untracked();
        if roles.is_empty() {
            error.set(Some("Отметьте, кто заполняет форму.".into()));
            return;
        }
        let needs_schools = roles.iter().any(|r| r.belongs_to_school());
        if needs_schools && schools_list.is_empty() {
            error.set(Some("Отметьте хотя бы одну школу.".into()));
            return;
        }
        error.set(None);
        let fields = BTreeMap::from([
            // (With its title erased, a campaign is named as its form.)
            (
                "title".to_owned(),
                json!(
                    Some(title.get_untracked().trim().to_owned())
                        .filter(|x| !x.is_empty())
                        .unwrap_or_else(|| t.title.clone())
                ),
            ),
            ("template".to_owned(), json!(t.code)),
            ("version".to_owned(), json!(t.version)),
            ("deadline".to_owned(), json!(d)),
            ("schools".to_owned(), json!(schools_list)),
            (
                "roles".to_owned(),
                json!(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
            ),
            ("note".to_owned(), json!(note.get_untracked())),
        ]);
        let target = Target {
            id: store.new_id(),
            kind: forms::CAMPAIGN_KIND,
            scope: Scope::Centre,
            parent: None,
        };
        sending.set(true);
        spawn_local(async move {
            let result = store.edit_now(&target, fields).await;
            sending.try_set(false);
            match result {
                Ok(()) => {
                    done.set(Some(
                        "Форма направлена. Школы получат её при следующей синхронизации.".into(),
                    ));
                    picked_schools.set(Vec::new());
                    sync.edited();
                }
                Err(e) => error.set(Some(format!("Рассылка не сохранена: {}", e.0))),
            }
        });
    };

    view! {
        <section class="page" id="centre-campaigns">
            <h1>"Рассылка форм"</h1>
            <p class="lead">"Направьте школам карточку самоанализа, контекстные характеристики, тест руководителей или анкету и укажите срок."</p>
            <RefusedList/>
            <form class="form" id="campaign-form" on:submit=submit novalidate=true>
                <div class="field">
                    <label for="campaign-template">"Форма *"</label>
                    <select id="campaign-template" on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">"— выберите —"</option>
                        {move || templates.get().into_iter().map(|t| view! {
                            <option value=format!("{}@{}", t.code, t.version)>{format!("{} (версия {})", t.title, t.version)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="campaign-title">"Название"</label>
                    <input id="campaign-title" type="text" maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="campaign-deadline">"Срок *"</label>
                    <DateInput id="campaign-deadline".to_owned() value=deadline/>
                </div>
                <fieldset class="field">
                    <legend>"Кто заполняет *"</legend>
                    {move || audience().into_iter().map(|r| view! {
                        <label class="choice">
                            <input type="checkbox" value=r.as_str()
                                prop:checked=move || picked_roles.with(|l| l.contains(&r))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    picked_roles.update(|l| { l.retain(|x| *x != r); if on { l.push(r); } });
                                }/>
                            <span>{r.label()}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <fieldset class="field" id="campaign-schools">
                    <legend>"Школы"</legend>
                    {move || schools.get().into_iter().map(|s: School| {
                        let id = s.id;
                        view! {
                            <label class="choice">
                                <input type="checkbox" value=id.to_string()
                                    prop:checked=move || picked_schools.with(|l| l.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        picked_schools.update(|l| { l.retain(|x| *x != id); if on { l.push(id); } });
                                    }/>
                                <span>{s.name.clone()} <span class="muted">{format!(" {}", s.flags_label())}</span></span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="campaign-note">"Пояснение для школ"</label>
                    <textarea id="campaign-note" rows="3" maxlength="2000" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                {move || done.get().map(|m| view! { <p class="alert alert-ok" role="status">{m}</p> })}
                <button type="submit" class="button-primary" id="campaign-send" disabled=move || sending.get()>"Направить"</button>
            </form>

            <TemplateUpload/>

            <h2>"Направленные формы"</h2>
            {move || listed.with(Vec::is_empty).then(|| view! { <p class="empty">"Пока ничего не направлено."</p> })}
            <table class="results" id="campaign-list" hidden=move || listed.with(Vec::is_empty)>
                <thead><tr><th scope="col">"Форма"</th><th scope="col">"Срок"</th><th scope="col">"Ответы: черновик / отправлено / принято"</th><th scope="col">"Выгрузка"</th></tr></thead>
                <tbody>
                    // Keyed rows: a change of one campaign (its title typed in its editor) does
                    // not redraw the others, nor its own editor.
                    <For each=move || listed.get() key=|id| *id let:id>
                        <CampaignRow id=id schools=schools templates=templates responses=responses/>
                    </For>
                </tbody>
            </table>
        </section>
    }
}

/// A campaign sent: its progress, its download, and its editor (title, deadline, schools,
/// note; the form and who fills it are fixed), with deletion while nobody has answered.
#[component]
fn CampaignRow(
    id: Uuid,
    schools: RwSignal<Vec<School>>,
    templates: Memo<Vec<Arc<Template>>>,
    responses: ReadSignal<Vec<Record>>,
) -> impl IntoView {
    let store = use_store();
    let record = store.watch_record(id);
    let record_s: Signal<Option<Record>> = record.into();
    let campaign = Memo::new(move |_| record.with(|r| r.as_ref().and_then(Campaign::from_record)));
    let made = move || Target {
        id,
        kind: forms::CAMPAIGN_KIND,
        scope: Scope::Centre,
        parent: None,
    };
    let target = Signal::derive(move || Some(made()));
    let error = RwSignal::new(None::<String>);
    let counts = Memo::new(move |_| {
        let (mut drafts, mut sent, mut accepted) = (0, 0, 0);
        let key = id.to_string();
        responses.with(|rs| {
            for r in rs
                .iter()
                .filter(|r| !r.is_deleted() && r.text(forms::F_CAMPAIGN) == key)
            {
                match forms::status_of(r) {
                    Status::Draft | Status::Returned => drafts += 1,
                    Status::Submitted => sent += 1,
                    Status::Accepted => accepted += 1,
                }
            }
        });
        (drafts, sent, accepted)
    });
    let title = move || campaign.with(|c| c.as_ref().map(|c| c.title.clone()).unwrap_or_default());
    let names = move || {
        let ids = campaign.with(|c| c.as_ref().map(|c| c.schools.clone()).unwrap_or_default());
        schools.with(|all| {
            ids.iter()
                .filter_map(|id| all.iter().find(|s| s.id == *id).map(|s| s.name.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    // The school years of a form's tables are its campaign's: a new deadline stays in the
    // school year of the first one when the form asks for years (the kind's rule).
    let bound_year = Memo::new(move |_| {
        campaign.with(|c| {
            c.as_ref().and_then(|c| {
                let has_years = templates.with(|l| {
                    l.iter()
                        .any(|t| t.code == c.template && t.version == c.version && t.has_years())
                });
                has_years.then(|| forms::answer::school_year_of(&c.deadline))
            })
        })
    });
    let deadline: Signal<serde_json::Value> = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .and_then(|r| r.get("deadline").cloned())
                .unwrap_or(serde_json::Value::Null)
        })
    })
    .into();
    // The deadline's rules are read with what is typed and said beside the field, where no
    // other save clears them.
    let deadline_rule: crate::components::text_input::Rule = Arc::new(move |v| {
        let Some(day) = v.as_str() else {
            return Err("У рассылки должен быть срок: введите дату.".into());
        };
        if let Some(year) = bound_year.try_get_untracked().flatten()
            && forms::answer::school_year_of(day) != year
        {
            return Err(format!(
                "Срок можно перенести только в пределах {}/{} учебного года: учебные годы в таблицах формы заданы рассылкой. Для другого года создайте новую рассылку.",
                year,
                year + 1
            ));
        }
        Ok(())
    });
    let set_deadline = Callback::new(move |v: serde_json::Value| {
        if v.is_string() {
            crate::components::record_field::save(made(), one("deadline", v), error);
        }
    });
    // Why a school's box went back: its own notice, under the list.
    let schools_said = RwSignal::new(None::<String>);
    // Anonymous answers reach no computer: such a campaign always looks unanswered here.
    let anonymous = Memo::new(move |_| {
        campaign.with(|c| {
            c.as_ref().is_some_and(|c| {
                templates.with(|l| {
                    l.iter()
                        .any(|t| t.code == c.template && t.version == c.version && t.anonymous)
                })
            })
        })
    });
    let unanswered = Memo::new(move |_| counts.get() == (0, 0, 0) && !anonymous.get());
    // A school is taken off only while it has not answered (its answers would be refused from
    // then on), and a form for school staff keeps at least one school.
    let toggle_school = move |ev: leptos::ev::Event, school: Uuid, on: bool| {
        let Some(c) = campaign.get_untracked() else {
            return;
        };
        let mut list = c.schools.clone();
        let refused = if on {
            if !list.contains(&school) {
                list.push(school);
            }
            None
        } else {
            let key = id.to_string();
            let answered = responses.with(|rs| {
                rs.iter().any(|r| {
                    !r.is_deleted()
                        && r.text(forms::F_CAMPAIGN) == key
                        && r.scope == Scope::School(school)
                })
            });
            list.retain(|x| *x != school);
            let for_schools = c.roles.is_empty() || c.roles.iter().any(|r| r.belongs_to_school());
            if answered {
                let name = schools.with(|l| {
                    l.iter()
                        .find(|s| s.id == school)
                        .map(|s| s.name.clone())
                        .unwrap_or_default()
                });
                Some(format!(
                    "«{name}» уже отвечает на эту рассылку: убрать школу нельзя, её ответы перестали бы приниматься."
                ))
            } else if list.is_empty() && for_schools {
                Some("Рассылке нужна хотя бы одна школа: иначе форму некому заполнять.".to_owned())
            } else {
                None
            }
        };
        match refused {
            Some(message) => {
                schools_said.set(Some(message));
                // The box goes back to what is stored.
                if let Some(input) = ev.target().and_then(|t| {
                    wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()
                }) {
                    input.set_checked(!on);
                }
            }
            None => {
                schools_said.set(None);
                crate::components::record_field::save(made(), one("schools", json!(list)), error);
            }
        }
    };
    let remove = move |_| {
        let Some(r) = record.get_untracked() else {
            return;
        };
        let question = format!(
            "Удалить рассылку «{}»? Форма пропадёт из задач школ, и черновики, которые они ещё не отправили, приниматься не будут.",
            title()
        );
        crate::components::record_field::delete(&question, made(), &r, error);
    };
    let n = id.simple().to_string();
    let today = format::today();
    view! {
        <tr class:overdue=move || campaign.with(|c| c.as_ref().is_some_and(|c| c.overdue(&today))) data-campaign=id.to_string()>
            <td>
                {title}<br/><span class="muted">{names}</span>
                <details class="no-print campaign-edit">
                    <summary>"Изменить"</summary>
                    <SaveError error=error/>
                    <Field record=record_s target=target name="title" label="Название" input=Input::Text(200) editable=true error=error id=format!("campaign-{n}-title") required=Signal::derive(|| Some("Укажите название рассылки."))/>
                    <div class="field">
                        <TextInput id=format!("campaign-{n}-deadline") label="Срок" value=deadline parse=date_parser() rule=deadline_rule.clone() set=set_deadline disabled=Signal::derive(|| false) date=true/>
                    </div>
                    <fieldset class="field">
                        <legend>"Школы"</legend>
                        {move || schools.get().into_iter().map(|s: School| {
                            let sid = s.id;
                            view! {
                                <label class="choice">
                                    <input type="checkbox" id=format!("campaign-{}-school-{}", id.simple(), sid.simple())
                                        prop:checked=move || campaign.with(|c| c.as_ref().is_some_and(|c| c.schools.contains(&sid)))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            toggle_school(ev, sid, on);
                                        }/>
                                    <span>{s.name.clone()}</span>
                                </label>
                            }
                        }).collect_view()}
                        {move || schools_said.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    </fieldset>
                    <Field record=record_s target=target name="note" label="Пояснение для школ" input=Input::Long(2_000) editable=true error=error id=format!("campaign-{n}-note")/>
                    <p class="hint">"Форму и тех, кто её заполняет, после рассылки изменить нельзя: для этого создайте новую рассылку."</p>
                    {move || if unanswered.get() {
                        view! { <button type="button" class="button-link" id=format!("campaign-{n}-delete") on:click=remove>"Удалить рассылку"</button> }.into_any()
                    } else if anonymous.get() {
                        view! { <p class="hint">"Анонимную анкету удалить нельзя: ответы на неё есть только на сервере, и их итоги пропали бы вместе с рассылкой."</p> }.into_any()
                    } else {
                        view! { <p class="hint">"Рассылку, на которую уже отвечают, удалить нельзя: ответы школ остаются при ней."</p> }.into_any()
                    }}
                </details>
            </td>
            <td>{move || campaign.with(|c| c.as_ref().map(|c| format::date(&c.deadline)).unwrap_or_default())}</td>
            <td>{move || { let (d, s, a) = counts.get(); format!("{d} / {s} / {a}") }}</td>
            <td>{move || view! { <DownloadButton path=format!("/campaigns/{id}/export.xlsx") file=format!("{}.xlsx", title()) named=format!("Скачать ответы в Excel: {}", title())/> }}</td>
        </tr>
    }
}

/// Publishing a new form (or a new version of one) from a template file; needs a connection.
#[component]
fn TemplateUpload() -> impl IntoView {
    let sync = use_sync();
    let session = use_session();
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        let Some(token) = session.token() else { return };
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            let result = match text {
                None => Err("Файл не удалось прочитать.".to_owned()),
                Some(text) => crate::api::upload_template(&token, text)
                    .await
                    .map_err(|f| {
                        session.handle(&token, &f);
                        f.message()
                    }),
            };
            busy.set(false);
            message.set(Some(match result {
                Ok(t) if t.created => (
                    true,
                    format!(
                        "Форма «{}» (версия {}) опубликована и придёт всем при синхронизации.",
                        t.title, t.version
                    ),
                ),
                Ok(t) => (
                    true,
                    format!(
                        "Форма «{}» версии {} уже была опубликована.",
                        t.title, t.version
                    ),
                ),
                Err(m) => (false, m),
            }));
            sync.sync_now();
        });
    };
    view! {
        <section class="upload" aria-labelledby="upload-title">
            <h2 id="upload-title">"Новая форма из файла"</h2>
            <p class="muted">"Шаблон формы — файл JSON в формате шаблонов Наставника (образцы — в папке templates). Нужна связь с сервером."</p>
            <div class="field">
                <label for="template-file">"Файл шаблона"</label>
                <input id="template-file" type="file" accept=".json,application/json" disabled=move || busy.get() on:change=on_file/>
            </div>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "alert alert-ok" } else { "alert alert-error" } role="alert">{m}</p>
            })}
        </section>
    }
}
