//! Guards a page: signed-out users go to the login page; a role that may not see the page gets
//! a clear explanation instead.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use model::Role;

use crate::session::use_session;

#[component]
pub fn Protected(
    /// The roles allowed; any signed-in user when omitted.
    #[prop(optional)]
    roles: Option<&'static [Role]>,
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    let role = Memo::new(move |_| session.current.with(|s| s.as_ref().map(|s| s.profile.role)));
    move || match role.get() {
        None => view! { <Redirect path="/login"/> }.into_any(),
        Some(r) if roles.is_some_and(|allowed| !allowed.contains(&r)) => view! {
            <section class="page">
                <h1>"Нет доступа"</h1>
                <p>"Эта страница недоступна для роли «" {r.label()} "»."</p>
                <p><a href=r.home_path()>"Перейти на свою главную страницу"</a></p>
            </section>
        }
        .into_any(),
        Some(_) => children().into_any(),
    }
}
