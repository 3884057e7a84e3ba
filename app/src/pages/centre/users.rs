//! Accounts: the list with each mentor's schools and whether the account is disabled, a form to
//! add an account, disabling and enabling accounts, and assigning schools to mentors and
//! curators. The page offers only what the signed-in role may do ([`Role::may_manage`]: the
//! moderator manages school staff and teachers only); the server checks the same rule.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::api::{Assignment, UserSummary};
use model::{NewUser, Role, School};
use uuid::Uuid;

use super::NeedsConnection;
use crate::api::{self, Failure};
use crate::components::field::{FormStatus, TextField, field_error};
use crate::session::use_session;

#[component]
pub fn CentreUsers() -> impl IntoView {
    crate::pages::set_title("Пользователи");
    let session = use_session();
    let users = RwSignal::new(Vec::<UserSummary>::new());
    let schools = RwSignal::new(Vec::<School>::new());
    let load_error = RwSignal::new(None::<String>);
    let action_error = RwSignal::new(None::<String>);
    let action_done = RwSignal::new(None::<String>);
    let can_assign = move || session.profile().is_some_and(|p| p.role == Role::Head);
    // Whom the signed-in person may disable or enable: roles it manages, never itself.
    let may_switch = move |target: &model::UserProfile| {
        session
            .profile()
            .is_some_and(|me| me.id != target.id && me.role.may_manage(target.role))
    };

    let load = move || {
        let Some(token) = session.token() else { return };
        spawn_local(async move {
            let result = async {
                let u = api::users(&token).await?;
                let s = api::schools(&token).await?;
                Ok::<_, Failure>((u, s))
            }
            .await;
            match result {
                Ok((u, s)) => {
                    users.set(u);
                    schools.set(s);
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

    let school_name = move |id: Uuid| {
        schools.with(|list| {
            list.iter()
                .find(|s| s.id == id)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| "школа не найдена".into())
        })
    };

    let set_assignment = move |user_id: Uuid, school_id: Uuid, on: bool| {
        let Some(token) = session.token() else { return };
        action_error.set(None);
        spawn_local(async move {
            match api::set_assignment(&token, &Assignment { user_id, school_id }, on).await {
                Ok(()) => users.update(|list| {
                    if let Some(u) = list.iter_mut().find(|u| u.profile.id == user_id) {
                        u.assigned_school_ids.retain(|s| *s != school_id);
                        if on {
                            u.assigned_school_ids.push(school_id);
                        }
                    }
                }),
                Err(f) => {
                    session.handle(&token, &f);
                    action_error.set(Some(f.message()));
                }
            }
        });
    };

    let set_disabled = move |target: model::UserProfile, disabled: bool| {
        let question = if disabled {
            format!(
                "Отключить учётную запись «{}» ({})? Пользователь сразу выйдет на всех устройствах \
                 и не сможет войти, пока запись не включат снова. Отправленные им данные \
                 сохранятся; неотправленные останутся на его компьютере и дойдут до сервера, \
                 если запись включат.",
                target.full_name, target.login
            )
        } else {
            format!(
                "Включить учётную запись «{}» ({})? Пользователь снова сможет входить со своим паролем.",
                target.full_name, target.login
            )
        };
        if !crate::components::asked(&question) {
            return;
        }
        let Some(token) = session.token() else { return };
        action_error.set(None);
        action_done.set(None);
        spawn_local(async move {
            match api::set_disabled(&token, target.id, disabled).await {
                Ok(()) => {
                    users.update(|list| {
                        if let Some(u) = list.iter_mut().find(|u| u.profile.id == target.id) {
                            u.disabled = disabled;
                        }
                    });
                    action_done.set(Some(format!(
                        "Учётная запись «{}» {}.",
                        target.full_name,
                        if disabled {
                            "отключена"
                        } else {
                            "включена"
                        }
                    )));
                }
                Err(f) => {
                    session.handle(&token, &f);
                    action_error.set(Some(f.message()));
                }
            }
        });
    };

    view! {
        <section class="page" id="centre-users">
            <h1>"Пользователи"</h1>
            <NeedsConnection/>
            {move || load_error.get().map(|e| view! {
                <p class="alert alert-error" role="alert">
                    {e} " "
                    <button type="button" class="button-secondary" on:click=move |_| load()>"Повторить"</button>
                </p>
            })}
            {move || action_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <div aria-live="polite">
                {move || action_done.get().map(|m| view! { <p class="alert alert-ok">{m}</p> })}
            </div>
            <table class="table">
                <caption>"Всего учётных записей: " {move || users.with(Vec::len)}</caption>
                <thead>
                    <tr><th scope="col">"ФИО"</th><th scope="col">"Логин"</th><th scope="col">"Роль"</th><th scope="col">"Школа / закреплённые школы"</th><th scope="col">"Состояние"</th></tr>
                </thead>
                <tbody>
                    {move || users.get().into_iter().map(|u| {
                        let p = u.profile.clone();
                        let user_id = p.id;
                        let schools_cell = if p.role.is_assignable() {
                            let assigned = u.assigned_school_ids.clone();
                            let select_id = format!("assign-{user_id}");
                            let assign_label = format!("Закрепить школу за: {}", p.full_name);
                            let choice = RwSignal::new(String::new());
                            view! {
                                <ul class="plain">
                                    {assigned.iter().map(|&sid| view! {
                                        <li>
                                            {school_name(sid)} " "
                                            <Show when=can_assign>
                                                <button type="button" class="button-link"
                                                    aria-label=format!("Открепить школу: {}", school_name(sid))
                                                    on:click=move |_| set_assignment(user_id, sid, false)>
                                                    "открепить"
                                                </button>
                                            </Show>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <Show when=can_assign>
                                    <div class="inline-form">
                                        <label class="visually-hidden" for=select_id.clone()>{assign_label.clone()}</label>
                                        <select id=select_id.clone() on:change=move |ev| choice.set(event_target_value(&ev))>
                                            <option value="">"— выберите школу —"</option>
                                            {schools.get().into_iter()
                                                .filter(|s| !assigned.contains(&s.id))
                                                .map(|s| view! { <option value=s.id.to_string()>{s.name}</option> })
                                                .collect_view()}
                                        </select>
                                        <button type="button" class="button-secondary" on:click=move |_| {
                                            if let Ok(sid) = Uuid::parse_str(&choice.get_untracked()) {
                                                set_assignment(user_id, sid, true);
                                            } else {
                                                action_error.set(Some("Выберите школу, которую нужно закрепить.".into()));
                                            }
                                        }>"Закрепить"</button>
                                    </div>
                                </Show>
                            }.into_any()
                        } else {
                            p.school_name.clone().unwrap_or_default().into_any()
                        };
                        let disabled = u.disabled;
                        let switch = may_switch(&p).then(|| {
                            let target = p.clone();
                            let label = if disabled { "Включить" } else { "Отключить" };
                            let described = format!("{label} учётную запись: {}", p.full_name);
                            view! {
                                " "
                                <button type="button" class="button-secondary" aria-label=described
                                    on:click=move |_| set_disabled(target.clone(), !disabled)>
                                    {label}
                                </button>
                            }
                        });
                        view! {
                            <tr class:muted=disabled>
                                <td>{p.full_name.clone()}</td>
                                <td>{p.login.clone()}</td>
                                <td>{p.role.label()}</td>
                                <td>{schools_cell}</td>
                                <td>
                                    {if disabled { "отключена" } else { "активна" }}
                                    {switch}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <NewUserForm users=users schools=schools/>
            <PasswordResetForm users=users/>
        </section>
    }
}

#[component]
fn NewUserForm(users: RwSignal<Vec<UserSummary>>, schools: RwSignal<Vec<School>>) -> impl IntoView {
    let session = use_session();
    let login = RwSignal::new(String::new());
    let full_name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::SchoolTeam);
    let school = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<(String, String)>);
    let failure = RwSignal::new(None::<String>);
    let success = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The account of a press whose answer did not arrive: the server may have made it.
    let unanswered = StoredValue::new(None::<NewUser>);

    // Only the roles the signed-in person may create are offered.
    let creatable = move || {
        session
            .profile()
            .map(|p| p.role.manageable())
            .unwrap_or_default()
    };
    Effect::new(move |_| {
        let roles = creatable();
        if !roles.contains(&role.get())
            && let Some(first) = roles.first()
        {
            role.set(*first);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(None);
        failure.set(None);
        success.set(None);
        let new = NewUser {
            login: login.get_untracked(),
            full_name: full_name.get_untracked(),
            role: role.get_untracked(),
            school_id: Uuid::parse_str(&school.get_untracked()).ok(),
            password: password.get_untracked(),
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
            match api::create_user(&token, &new).await {
                Ok(user) => {
                    success.set(Some(format!(
                        "Учётная запись «{}» создана. Сообщите пользователю логин и пароль.",
                        user.profile.login
                    )));
                    login.set(String::new());
                    full_name.set(String::new());
                    password.set(String::new());
                    users.update(|list| list.push(user));
                }
                Err(f @ Failure::Api(_)) if f.field().is_some() => {
                    // A press whose answer the link lost made the account already: then the
                    // login is "taken" by it. The list read again says so.
                    let retried = unanswered.with_value(|u| {
                        u.as_ref().is_some_and(|u| {
                            u.login == new.login
                                && u.full_name == new.full_name
                                && u.role == new.role
                                && u.password == new.password
                        })
                    });
                    let made = match api::users(&token).await {
                        Ok(list) => {
                            let made = retried
                                && list.iter().any(|u| {
                                    u.profile.login == new.login
                                        && u.profile.full_name == new.full_name
                                        && u.profile.role == new.role
                                });
                            users.set(list);
                            made
                        }
                        Err(_) => false,
                    };
                    if made && f.field() == Some("login") {
                        success.set(Some(format!(
                            "Учётная запись «{}» уже создана (ответ сервера в прошлый раз не \
                             дошёл). Сообщите пользователю логин и пароль.",
                            new.login
                        )));
                        login.set(String::new());
                        full_name.set(String::new());
                        password.set(String::new());
                    } else {
                        errors.set(Some((
                            f.field().unwrap_or_default().to_owned(),
                            f.message(),
                        )));
                    }
                }
                Err(f) => {
                    if f == Failure::Offline {
                        unanswered.set_value(Some(new.clone()));
                    }
                    session.handle(&token, &f);
                    failure.set(Some(f.message()));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <h2>"Новая учётная запись"</h2>
        <form class="form" on:submit=submit novalidate=true>
            <TextField id="user-full-name" label="ФИО" value=full_name error=field_error(errors, "full_name") required=true/>
            <TextField id="user-login" label="Логин (латиницей)" value=login error=field_error(errors, "login") required=true/>
            <div class="field">
                <label for="user-role">"Роль"</label>
                <select id="user-role" on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                        role.set(r);
                    }
                }>
                    {move || creatable().into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || role.get() == r>{r.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <Show when=move || role.get().belongs_to_school()>
                <div class="field">
                    <label for="user-school">"Школа *"</label>
                    <select
                        id="user-school"
                        on:change=move |ev| school.set(event_target_value(&ev))
                        aria-invalid=move || if field_error(errors, "school_id").with(Option::is_some) { "true" } else { "false" }
                    >
                        <option value="">"— выберите школу —"</option>
                        {move || schools.get().into_iter().map(|s| {
                            let id = s.id.to_string();
                            let selected = id == school.get_untracked();
                            view! { <option value=id selected=selected>{s.name}</option> }
                        }).collect_view()}
                    </select>
                    {move || field_error(errors, "school_id").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </div>
            </Show>
            <TextField id="user-password" label="Пароль (не короче 8 символов)" kind="password" autocomplete="new-password" value=password error=field_error(errors, "password") required=true/>
            <FormStatus error=failure success=success/>
            <button type="submit" disabled=move || busy.get()>
                {move || if busy.get() { "Сохранение…" } else { "Создать учётную запись" }}
            </button>
        </form>
    }
}

/// A new password for an account the person manages, when its owner forgot theirs: chosen from
/// the list, set on the server, and every computer of that account signs in again with it.
#[component]
fn PasswordResetForm(users: RwSignal<Vec<UserSummary>>) -> impl IntoView {
    let session = use_session();
    let account = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<(String, String)>);
    let failure = RwSignal::new(None::<String>);
    let success = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Accounts the person manages, never their own (changed on the account page).
    let choices = move || {
        let me = session.profile();
        users.with(|list| {
            list.iter()
                .filter(|u| {
                    me.as_ref().is_some_and(|me| {
                        me.id != u.profile.id && me.role.may_manage(u.profile.role)
                    })
                })
                .map(|u| {
                    (
                        u.profile.id,
                        format!("{} ({})", u.profile.full_name, u.profile.login),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(None);
        failure.set(None);
        success.set(None);
        let Ok(target) = Uuid::parse_str(&account.get_untracked()) else {
            errors.set(Some(("account".into(), "Выберите учётную запись.".into())));
            return;
        };
        let reset = match (model::api::PasswordReset {
            password: password.get_untracked(),
        })
        .validated()
        {
            Ok(r) => r,
            Err(e) => {
                errors.set(Some((e.field.clone().unwrap_or_default(), e.message)));
                return;
            }
        };
        let name = choices()
            .into_iter()
            .find(|(id, _)| *id == target)
            .map(|(_, name)| name)
            .unwrap_or_default();
        let Some(token) = session.token() else { return };
        busy.set(true);
        spawn_local(async move {
            match api::reset_password(&token, target, &reset).await {
                Ok(()) => {
                    password.set(String::new());
                    success.set(Some(format!(
                        "Пароль учётной записи {name} изменён. Сообщите его сотруднику: на всех \
                         его компьютерах нужно будет войти заново, неотправленные изменения \
                         уйдут на сервер после входа."
                    )));
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
    let account_error = field_error(errors, "account");
    view! {
        <h2>"Новый пароль сотрудника"</h2>
        <p>"Если сотрудник забыл пароль, задайте ему новый. Свой пароль меняйте на странице «Учётная запись»."</p>
        <form class="form" on:submit=submit novalidate=true>
            <div class="field">
                <label for="reset-account">"Учётная запись *"</label>
                <select
                    id="reset-account"
                    on:change=move |ev| account.set(event_target_value(&ev))
                    aria-invalid=move || if account_error.with(Option::is_some) { "true" } else { "false" }
                    aria-describedby=move || account_error.with(Option::is_some).then_some("reset-account-error")
                >
                    <option value="">"— выберите учётную запись —"</option>
                    {move || choices().into_iter().map(|(id, name)| {
                        let id = id.to_string();
                        let selected = id == account.get_untracked();
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
                {move || account_error.get().map(|e| view! { <p id="reset-account-error" class="field-error" role="alert">{e}</p> })}
            </div>
            <TextField id="reset-password" label="Новый пароль (не короче 8 символов)" kind="password" autocomplete="new-password" value=password error=field_error(errors, "password") required=true/>
            <FormStatus error=failure success=success/>
            <button type="submit" id="reset-submit" disabled=move || busy.get()>
                {move || if busy.get() { "Сохранение…" } else { "Задать пароль" }}
            </button>
        </form>
    }
}
