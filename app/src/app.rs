//! The root component: contexts, start-up work and the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use uuid::Uuid;

use crate::components::header::AppHeader;
use crate::components::protected::Protected;
use crate::connectivity::{self, Net};
use crate::pages::homes::HomeRedirect;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::routes::{self, lazy};
use crate::{session, storage_info, store, sync};

#[component]
pub fn App() -> impl IntoView {
    // The app's state, made once and reached by every page through its context.
    let net = connectivity::provide_connectivity();
    let store = store::provide_store();
    sync::provide_sync(store);
    let session = session::provide_session(store.local_db());
    let owner = Owner::current().expect("the app has an owner");
    // Closing the page while an edit is being written, or is held until the storage opens
    // again, asks first, so no keystroke is lost.
    let _ = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if store.held().get_untracked() > 0 {
            ev.prevent_default();
            ev.set_return_value(
                "Введённое ещё не записано на этом компьютере: если закрыть вкладку, оно пропадёт.",
            );
        } else if store.saving() > 0 {
            ev.prevent_default();
            ev.set_return_value("Изменения ещё сохраняются. Подождите секунду.");
        }
    });

    // A page the browser puts aside (back-forward cache) lets go of its database, so it can
    // never hold up the page that replaces it; it opens the database again if brought back.
    let _ = window_event_listener(leptos::ev::pagehide, move |_| store.local_db().close());
    let _ = window_event_listener(leptos::ev::pageshow, move |ev| {
        if ev.persisted()
            && let Some(id) = session
                .current
                .with_untracked(|s| s.as_ref().map(|s| s.profile.id))
        {
            routes::reopen_database(store.local_db(), id);
        }
    });

    // The signed-in user's local database opens at start and at every sign-in.
    Effect::new(move |previous: Option<Option<Uuid>>| {
        let user = session.current.with(|s| s.as_ref().map(|s| s.profile.id));
        if user != previous.flatten()
            && let Some(id) = user
        {
            routes::begin_work(session, owner.clone(), id);
            spawn_local(async {
                storage_info::request_persistence().await;
            });
        }
        user
    });

    // Back online: refresh the profile and revoke sessions ended while offline.
    Effect::new(move |_| {
        if net.status() == Net::Online {
            spawn_local(session.refresh());
            spawn_local(session::revoke_pending());
        }
    });

    // Online and signed in: the pages of the person's role are fetched once, so that they
    // open with no network later (the service worker keeps them).
    let role = Memo::new(move |_| session.current.with(|s| s.as_ref().map(|s| s.profile.role)));
    Effect::new(move |_| {
        let role = role.get();
        if net.status() == Net::Online
            && let Some(role) = role
        {
            spawn_local(async move {
                if routes::precache_for(role).await {
                    // Marks the page for tools that measure how soon a computer can work
                    // offline (`cargo xtask bench`).
                    if let Some(root) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.document_element())
                    {
                        let _ = root.set_attribute("data-pages-ready", role.as_str());
                    }
                }
            });
        }
    });

    view! {
        <Router>
            <AppHeader/>
            <main id="main">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/") view=|| view! { <Protected><HomeRedirect/></Protected> }/>
                    <Route
                        path=path!("/school")
                        view={lazy::<routes::SchoolHome>()}
                    />
                    <Route
                        path=path!("/school/profile")
                        view={lazy::<routes::SchoolProfile>()}
                    />
                    <Route path=path!("/forms/:id") view={lazy::<routes::Form>()}/>
                    <Route path=path!("/forms/:id/print") view={lazy::<routes::FormPrint>()}/>
                    <Route
                        path=path!("/centre/results")
                        view={lazy::<routes::CentreResults>()}
                    />
                    <Route
                        path=path!("/centre/campaigns")
                        view={lazy::<routes::CentreCampaigns>()}
                    />
                    <Route
                        path=path!("/inbox")
                        view={lazy::<routes::Inbox>()}
                    />
                    <Route
                        path=path!("/review/:id")
                        view={lazy::<routes::Review>()}
                    />
                    <Route
                        path=path!("/recommendations/:id")
                        view={lazy::<routes::Recommendation>()}
                    />
                    <Route
                        path=path!("/programme/:school")
                        view={lazy::<routes::Programme>()}
                    />
                    <Route
                        path=path!("/programme/:school/print")
                        view={lazy::<routes::ProgrammePrint>()}
                    />
                    <Route
                        path=path!("/consultations")
                        view={lazy::<routes::Consultations>()}
                    />
                    <Route
                        path=path!("/consultations/print")
                        view={lazy::<routes::ConsultationsPrint>()}
                    />
                    <Route
                        path=path!("/consultations/:id")
                        view={lazy::<routes::Consultation>()}
                    />
                    <Route
                        path=path!("/visits/:id")
                        view={lazy::<routes::Visit>()}
                    />
                    <Route
                        path=path!("/centre/programmes")
                        view={lazy::<routes::CentreProgrammes>()}
                    />
                    <Route
                        path=path!("/centre/plan")
                        view={lazy::<routes::Plan>()}
                    />
                    <Route
                        path=path!("/centre/plan/print")
                        view={lazy::<routes::PlanPrint>()}
                    />
                    <Route
                        path=path!("/centre/monitoring")
                        view={lazy::<routes::Monitoring>()}
                    />
                    <Route
                        path=path!("/centre/classification")
                        view={lazy::<routes::Classify>()}
                    />
                    <Route
                        path=path!("/centre/indicators")
                        view={lazy::<routes::Indicators>()}
                    />
                    <Route
                        path=path!("/report/school/:id")
                        view={lazy::<routes::SchoolReport>()}
                    />
                    <Route path=path!("/refused") view={lazy::<routes::Refused>()}/>
                    <Route path=path!("/practices") view={lazy::<routes::Practices>()}/>
                    <Route path=path!("/reserve") view={lazy::<routes::Reserve>()}/>
                    <Route path=path!("/reserve/registry") view={lazy::<routes::Registry>()}/>
                    <Route path=path!("/reserve/:id") view={lazy::<routes::Candidate>()}/>
                    <Route path=path!("/practices/:id") view={lazy::<routes::Material>()}/>
                    <Route
                        path=path!("/teacher")
                        view={lazy::<routes::TeacherHome>()}
                    />
                    <Route
                        path=path!("/mentor")
                        view={lazy::<routes::MentorHome>()}
                    />
                    <Route
                        path=path!("/centre")
                        view={lazy::<routes::CentreHome>()}
                    />
                    <Route
                        path=path!("/centre/schools")
                        view={lazy::<routes::CentreSchools>()}
                    />
                    <Route
                        path=path!("/centre/users")
                        view={lazy::<routes::CentreUsers>()}
                    />
                    <Route
                        path=path!("/moderator")
                        view={lazy::<routes::ModeratorHome>()}
                    />
                    <Route path=path!("/about") view={lazy::<routes::About>()}/>
                    <Route path=path!("/help") view={lazy::<routes::Help>()}/>
                    <Route path=path!("/account") view={lazy::<routes::Account>()}/>
                </Routes>
            </main>
        </Router>
    }
}
