//! The root component: contexts, start-up work and the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use model::Role;
use uuid::Uuid;

use crate::components::header::AppHeader;
use crate::components::protected::Protected;
use crate::connectivity::{self, Net};
use crate::pages::about::AboutPage;
use crate::pages::account::AccountPage;
use crate::pages::centre::{
    CentreCampaigns, CentreHome, CentreResults, CentreSchools, CentreUsers,
};
use crate::pages::forms::{FormPage, PrintPage};
use crate::pages::homes::{HomeRedirect, MentorHome, ModeratorHome, SchoolHome, TeacherHome};
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::pages::refused::RefusedPage;
use crate::pages::review::{InboxPage, RecommendationPage, ReviewPage};
use crate::pages::school_profile::SchoolProfilePage;
use crate::pages::support::{
    CentreProgrammes, ConsultationPage, ConsultationsPage, ConsultationsPrint, ProgrammePage,
    ProgrammePrint, VisitPage,
};
use crate::pages::workplan::{IndicatorsPage, PlanPage, PlanPrint, SchoolReport};
use crate::{local_db, session, storage_info, store, sync};

const MANAGERS: &[Role] = &[Role::Head, Role::Moderator];
const REVIEWERS: &[Role] = &[Role::Mentor, Role::Curator, Role::Head];
/// The people of school support: the school's team, its mentors and curators, the head.
const SUPPORT: &[Role] = &[Role::SchoolTeam, Role::Mentor, Role::Curator, Role::Head];

#[component]
pub fn App() -> impl IntoView {
    let session = session::provide_session();
    connectivity::start();
    sync::start(session);
    // Closing the page while an edit is being written asks first, so no keystroke is lost.
    let _ = window_event_listener(leptos::ev::beforeunload, |ev| {
        if store::saving() > 0 {
            ev.prevent_default();
            ev.set_return_value("Изменения ещё сохраняются. Подождите секунду.");
        }
    });

    // A page the browser puts aside (back-forward cache) lets go of its database, so it can
    // never hold up the page that replaces it; it opens the database again if brought back.
    let _ = window_event_listener(leptos::ev::pagehide, |_| local_db::close());
    let _ = window_event_listener(leptos::ev::pageshow, move |ev| {
        if ev.persisted()
            && let Some(id) = session
                .current
                .with_untracked(|s| s.as_ref().map(|s| s.profile.id))
        {
            spawn_local(local_db::open(id));
        }
    });

    // The signed-in user's local database opens at start and at every sign-in.
    Effect::new(move |previous: Option<Option<Uuid>>| {
        let user = session.current.with(|s| s.as_ref().map(|s| s.profile.id));
        if user != previous.flatten()
            && let Some(id) = user
        {
            spawn_local(async move {
                local_db::open(id).await;
                store::listen_to_other_tabs(id);
                sync::sync_now();
            });
            spawn_local(async {
                storage_info::request_persistence().await;
            });
        }
        user
    });

    // Back online: refresh the profile and revoke sessions ended while offline.
    Effect::new(move |_| {
        if connectivity::status().get() == Net::Online {
            spawn_local(session.refresh());
            spawn_local(session::revoke_pending());
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
                        view=|| view! { <Protected roles=&[Role::SchoolTeam]><SchoolHome/></Protected> }
                    />
                    <Route
                        path=path!("/school/profile")
                        view=|| view! { <Protected roles=&[Role::SchoolTeam]><SchoolProfilePage/></Protected> }
                    />
                    <Route path=path!("/forms/:id") view=|| view! { <Protected><FormPage/></Protected> }/>
                    <Route path=path!("/forms/:id/print") view=|| view! { <Protected><PrintPage/></Protected> }/>
                    <Route
                        path=path!("/centre/results")
                        view=|| view! { <Protected roles=&[Role::Head]><CentreResults/></Protected> }
                    />
                    <Route
                        path=path!("/centre/campaigns")
                        view=|| view! { <Protected roles=&[Role::Head]><CentreCampaigns/></Protected> }
                    />
                    <Route
                        path=path!("/inbox")
                        view=|| view! { <Protected roles=REVIEWERS><InboxPage/></Protected> }
                    />
                    <Route
                        path=path!("/review/:id")
                        view=|| view! { <Protected roles=REVIEWERS><ReviewPage/></Protected> }
                    />
                    <Route
                        path=path!("/recommendations/:id")
                        view=|| view! { <Protected roles=REVIEWERS><RecommendationPage/></Protected> }
                    />
                    <Route
                        path=path!("/programme/:school")
                        view=|| view! { <Protected roles=SUPPORT><ProgrammePage/></Protected> }
                    />
                    <Route
                        path=path!("/programme/:school/print")
                        view=|| view! { <Protected roles=SUPPORT><ProgrammePrint/></Protected> }
                    />
                    <Route
                        path=path!("/consultations")
                        view=|| view! { <Protected roles=SUPPORT><ConsultationsPage/></Protected> }
                    />
                    <Route
                        path=path!("/consultations/print")
                        view=|| view! { <Protected roles=SUPPORT><ConsultationsPrint/></Protected> }
                    />
                    <Route
                        path=path!("/consultations/:id")
                        view=|| view! { <Protected roles=SUPPORT><ConsultationPage/></Protected> }
                    />
                    <Route
                        path=path!("/visits/:id")
                        view=|| view! { <Protected roles=SUPPORT><VisitPage/></Protected> }
                    />
                    <Route
                        path=path!("/centre/programmes")
                        view=|| view! { <Protected roles=&[Role::Head]><CentreProgrammes/></Protected> }
                    />
                    <Route
                        path=path!("/centre/plan")
                        view=|| view! { <Protected roles=REVIEWERS><PlanPage/></Protected> }
                    />
                    <Route
                        path=path!("/centre/plan/print")
                        view=|| view! { <Protected roles=REVIEWERS><PlanPrint/></Protected> }
                    />
                    <Route
                        path=path!("/centre/indicators")
                        view=|| view! { <Protected roles=REVIEWERS><IndicatorsPage/></Protected> }
                    />
                    <Route
                        path=path!("/report/school/:id")
                        view=|| view! { <Protected roles=SUPPORT><SchoolReport/></Protected> }
                    />
                    <Route path=path!("/refused") view=|| view! { <Protected><RefusedPage/></Protected> }/>
                    <Route
                        path=path!("/teacher")
                        view=|| view! { <Protected roles=&[Role::Teacher]><TeacherHome/></Protected> }
                    />
                    <Route
                        path=path!("/mentor")
                        view=|| view! { <Protected roles=&[Role::Mentor, Role::Curator]><MentorHome/></Protected> }
                    />
                    <Route
                        path=path!("/centre")
                        view=|| view! { <Protected roles=&[Role::Head]><CentreHome/></Protected> }
                    />
                    <Route
                        path=path!("/centre/schools")
                        view=|| view! { <Protected roles=&[Role::Head]><CentreSchools/></Protected> }
                    />
                    <Route
                        path=path!("/centre/users")
                        view=|| view! { <Protected roles=MANAGERS><CentreUsers/></Protected> }
                    />
                    <Route
                        path=path!("/moderator")
                        view=|| view! { <Protected roles=&[Role::Moderator]><ModeratorHome/></Protected> }
                    />
                    <Route path=path!("/about") view=|| view! { <Protected><AboutPage/></Protected> }/>
                    <Route path=path!("/account") view=|| view! { <Protected><AccountPage/></Protected> }/>
                </Routes>
            </main>
        </Router>
    }
}
