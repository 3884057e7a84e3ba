//! The schools of the municipality: the list, and a form to add one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::{Locality, NewSchool, School};

use super::NeedsConnection;
use crate::api::{self, Failure};
use crate::components::field::{CheckField, FormStatus, TextField, field_error};
use crate::session::use_session;

#[component]
pub fn CentreSchools() -> impl IntoView {
    crate::pages::set_title("Школы");
    let session = use_session();
    let schools = RwSignal::new(Vec::<School>::new());
    let load_error = RwSignal::new(None::<String>);

    let name = RwSignal::new(String::new());
    let municipality = RwSignal::new(String::new());
    let rural = RwSignal::new(true);
    let low_results = RwSignal::new(false);
    let hard_conditions = RwSignal::new(false);
    let mentor_school = RwSignal::new(false);
    let errors = RwSignal::new(None::<(String, String)>);
    let failure = RwSignal::new(None::<String>);
    let success = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let load = move || {
        let Some(token) = session.token() else { return };
        spawn_local(async move {
            match api::schools(&token).await {
                Ok(list) => {
                    // (The person may have left the page while the list came.)
                    if municipality
                        .try_get_untracked()
                        .is_some_and(|m| m.is_empty())
                        && let Some(first) = list.first()
                    {
                        municipality.set(first.municipality.clone());
                    }
                    schools.set(list);
                    load_error.set(None);
                }
                Err(f) => {
                    session.handle(&token, &f);
                    load_error.set(Some(f.message()));
                }
            }
        });
    };
    load();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(None);
        failure.set(None);
        success.set(None);
        let new = NewSchool {
            name: name.get_untracked(),
            municipality: municipality.get_untracked(),
            locality: if rural.get_untracked() {
                Locality::Rural
            } else {
                Locality::Urban
            },
            low_results: low_results.get_untracked(),
            hard_conditions: hard_conditions.get_untracked(),
            mentor_school: mentor_school.get_untracked(),
        };
        let new = match new.validated() {
            Ok(n) => n,
            Err(e) => {
                errors.set(Some((e.field.clone().unwrap_or_default(), e.message)));
                return;
            }
        };
        let Some(token) = session.token() else { return };
        busy.set(true);
        spawn_local(async move {
            match api::create_school(&token, &new).await {
                Ok(school) => {
                    success.set(Some(format!("Школа «{}» добавлена.", school.name)));
                    name.set(String::new());
                    low_results.set(false);
                    hard_conditions.set(false);
                    mentor_school.set(false);
                    schools.update(|list| {
                        list.push(school);
                        list.sort_by(|a, b| a.name.cmp(&b.name));
                    });
                }
                Err(f @ Failure::Api(_)) if f.field().is_some() => {
                    errors.set(Some((
                        f.field().unwrap_or_default().to_owned(),
                        f.message(),
                    )));
                }
                Err(f) => {
                    session.handle(&token, &f);
                    failure.set(Some(f.message()));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <section class="page" id="centre-schools">
            <h1>"Школы муниципалитета"</h1>
            <NeedsConnection/>
            {move || load_error.get().map(|e| view! {
                <p class="alert alert-error" role="alert">
                    {e} " "
                    <button type="button" class="button-secondary" on:click=move |_| load()>"Повторить"</button>
                </p>
            })}
            <table class="table">
                <caption>"Всего школ: " {move || schools.with(Vec::len)}</caption>
                <thead>
                    <tr><th scope="col">"Название"</th><th scope="col">"Муниципалитет"</th><th scope="col">"Местность"</th><th scope="col">"Статус"</th></tr>
                </thead>
                <tbody>
                    {move || schools.get().into_iter().map(|s| {
                        let flags = s.flags_label();
                        view! {
                            <tr>
                                <td>{s.name}</td>
                                <td>{s.municipality}</td>
                                <td>{s.locality.label()}</td>
                                <td>{flags}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>

            <h2>"Добавить школу"</h2>
            <form class="form" on:submit=submit novalidate=true>
                <TextField id="school-name" label="Название школы" value=name error=field_error(errors, "name") required=true/>
                <TextField id="school-municipality" label="Муниципалитет" value=municipality error=field_error(errors, "municipality") required=true/>
                <fieldset class="field">
                    <legend>"Местность"</legend>
                    <label class="inline">
                        <input type="radio" name="locality" prop:checked=move || rural.get() on:change=move |_| rural.set(true)/>
                        " сельская"
                    </label>
                    <label class="inline">
                        <input type="radio" name="locality" prop:checked=move || !rural.get() on:change=move |_| rural.set(false)/>
                        " городская"
                    </label>
                </fieldset>
                <fieldset class="field">
                    <legend>"Статус школы"</legend>
                    <CheckField id="school-low-results" label="ШНОР — школа с низкими образовательными результатами" value=low_results/>
                    <CheckField id="school-hard-conditions" label="ШССУ — школа, функционирующая в сложных социальных условиях" value=hard_conditions/>
                    <CheckField id="school-mentor" label="Школа-наставник" value=mentor_school/>
                    {move || field_error(errors, "mentor_school").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </fieldset>
                <FormStatus error=failure success=success/>
                <button type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Сохранение…" } else { "Добавить школу" }}
                </button>
            </form>
        </section>
    }
}
