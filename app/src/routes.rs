//! Pages whose code is loaded only when someone opens them.
//!
//! Sign-in and the app's shell (router, header, session, API client) are in the main module,
//! which every computer downloads first; everything else lives in wasm chunks of four areas,
//! cut out of the module by the build's splitter (`cargo xtask dist`) at the split points
//! declared here (and one in `session.rs`, forgetting a disabled account):
//! - `work` — what every signed-in person needs: the local database and the sync client
//!   ([`begin_work`]), the homes, the filler, printing a form, the account pages;
//! - `support` — the school support pages (programme, consultations, visits, reports);
//! - `review` — reviewing responses, recommendations, the plan of work and its indicators;
//! - `centre` — the centre's own pages.
//!
//! Code that several areas use is in shared chunks the splitter makes. A chunk is fetched the
//! first time one of its pages opens; right after sign-in the service worker is asked to keep
//! every chunk of the person's role, now and after each update ([`precache_for`]), so that a
//! school computer never downloads the centre's pages and has its own with no network. A chunk
//! that cannot be fetched gives a page that says so in words instead of a broken app.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::{Lazy, LazyRoute};
use model::Role;
use uuid::Uuid;

use crate::components::protected::Protected;
use crate::connectivity::use_connectivity;
use crate::local_db::LocalDb;
use crate::session::SessionCtx;
use crate::store::{Store, use_store};
use crate::sync::{SyncCtx, use_sync};

/// The chunk of a page could not be fetched.
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// The roles of the people a page is for.
type Roles = &'static [Role];

const HEAD: Roles = &[Role::Head];
const MANAGERS: Roles = &[Role::Head, Role::Moderator];
const REVIEWERS: Roles = &[Role::Mentor, Role::Curator, Role::Head];
/// The people of school support: the school's team, its mentors and curators, the head.
const SUPPORT: Roles = &[Role::SchoolTeam, Role::Mentor, Role::Curator, Role::Head];
const SCHOOL: Roles = &[Role::SchoolTeam];
/// The management reserve: the nominating schools and the centre head.
const RESERVE: Roles = &[Role::SchoolTeam, Role::Head];
/// Anyone signed in.
const ANYONE: Roles = &Role::ALL;

/// Whether the signed-in person may open a page for `roles` (`None` when the session is not at
/// hand: the page's own guard then decides).
fn may_open(roles: Roles) -> Option<bool> {
    let session = use_context::<SessionCtx>()?;
    Some(
        session
            .current
            .with_untracked(|s| s.as_ref().is_some_and(|s| roles.contains(&s.profile.role))),
    )
}

/// Declares lazily loaded pages: for each, a route type for `<Route view=Lazy::<T>::new()>`
/// whose view is a split point in the chunk `$chunk`, guarded by `Protected` with `$roles`
/// (the module `$m` holds the split point and its preload).
macro_rules! lazy_pages {
    ($( $m:ident: $route:ident => $chunk:ident, $roles:expr, $page:path; )*) => {
        $(
            mod $m {
                use super::*;

                #[leptos::wasm_split::wasm_split(
                    $chunk,
                    wasm_split_path = ::leptos::wasm_split,
                    preload(preload),
                    fallible
                )]
                #[allow(non_snake_case)] // named after the route: the splitter's symbols must differ
                pub fn $route() -> Result<AnyView, NotLoaded> {
                    use $page as Page;
                    Ok(view! { <Protected roles=$roles><Page/></Protected> }.into_any())
                }
            }

            #[doc = concat!("The lazily loaded route of `", stringify!($page), "`.")]
            pub struct $route(Option<bool>);

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route(may_open($roles))
                }

                async fn view(this: Self) -> AnyView {
                    if this.0 == Some(false) {
                        // Not this person's page: said (or sent to sign-in) without its code.
                        return view! { <Protected roles=$roles><span></span></Protected> }.into_any();
                    }
                    match $m::$route().await {
                        Ok(view) => view,
                        Err(NotLoaded) => view! { <ChunkMissing/> }.into_any(),
                    }
                }

                // The router fetches a page's code while it gets the page ready: only for
                // those who may open it.
                async fn preload() {
                    if may_open($roles) != Some(false) {
                        let _ = $m::preload().await;
                    }
                }
            }
        )*

        /// Every lazy page: who may open it and the chunk it is in.
        const LAZY_PAGES: &[(Roles, &str)] = &[ $( ($roles, stringify!($chunk)), )* ];
    };
}

lazy_pages! {
    school_home: SchoolHome => work, SCHOOL, crate::pages::homes::SchoolHome;
    teacher_home: TeacherHome => work, &[Role::Teacher], crate::pages::homes::TeacherHome;
    mentor_home: MentorHome => work, &[Role::Mentor, Role::Curator], crate::pages::homes::MentorHome;
    centre_home: CentreHome => work, HEAD, crate::pages::centre::CentreHome;
    moderator_home: ModeratorHome => work, &[Role::Moderator], crate::pages::homes::ModeratorHome;
    form: Form => work, ANYONE, crate::pages::forms::FormPage;
    school_profile: SchoolProfile => support, SCHOOL, crate::pages::school_profile::SchoolProfilePage;
    form_print: FormPrint => work, ANYONE, crate::pages::forms::PrintPage;
    centre_results: CentreResults => centre, HEAD, crate::pages::centre::CentreResults;
    centre_campaigns: CentreCampaigns => centre, HEAD, crate::pages::centre::CentreCampaigns;
    centre_schools: CentreSchools => centre, HEAD, crate::pages::centre::CentreSchools;
    centre_users: CentreUsers => centre, MANAGERS, crate::pages::centre::CentreUsers;
    centre_programmes: CentreProgrammes => centre, HEAD, crate::pages::support::CentreProgrammes;
    classification: Classify => centre, HEAD, crate::pages::centre::ClassificationPage;
    monitoring: Monitoring => centre, HEAD, crate::pages::centre::MonitoringPage;
    inbox: Inbox => review, REVIEWERS, crate::pages::review::InboxPage;
    review: Review => review, REVIEWERS, crate::pages::review::ReviewPage;
    recommendation: Recommendation => review, REVIEWERS, crate::pages::review::RecommendationPage;
    programme: Programme => support, SUPPORT, crate::pages::support::ProgrammePage;
    programme_print: ProgrammePrint => support, SUPPORT, crate::pages::support::ProgrammePrint;
    consultations: Consultations => support, SUPPORT, crate::pages::support::ConsultationsPage;
    consultations_print: ConsultationsPrint => support, SUPPORT, crate::pages::support::ConsultationsPrint;
    consultation: Consultation => support, SUPPORT, crate::pages::support::ConsultationPage;
    visit: Visit => support, SUPPORT, crate::pages::support::VisitPage;
    school_report: SchoolReport => support, SUPPORT, crate::pages::workplan::SchoolReport;
    plan: Plan => review, REVIEWERS, crate::pages::workplan::PlanPage;
    plan_print: PlanPrint => review, REVIEWERS, crate::pages::workplan::PlanPrint;
    indicators: Indicators => review, REVIEWERS, crate::pages::workplan::IndicatorsPage;
    reserve: Reserve => support, RESERVE, crate::pages::reserve::ReservePage;
    candidate: Candidate => support, RESERVE, crate::pages::reserve::CandidatePage;
    registry: Registry => centre, HEAD, crate::pages::reserve::RegistryPage;
    practices: Practices => work, ANYONE, crate::pages::practices::PracticesPage;
    material: Material => work, ANYONE, crate::pages::practices::MaterialPage;
    refused: Refused => work, ANYONE, crate::pages::refused::RefusedPage;
    about: About => work, ANYONE, crate::pages::about::AboutPage;
    help: Help => work, ANYONE, crate::pages::help::HelpPage;
    account: Account => work, ANYONE, crate::pages::account::AccountPage;
}

/// Starts the work of the signed-in `user` on this computer: opens their local database,
/// follows the other tabs and syncs; the first time, also starts the sync client under `owner`
/// (the app's root). Lives in the chunk `work` with the homes and the filler, so a computer
/// where nobody has signed in yet does not download any of it.
pub fn begin_work(session: SessionCtx, owner: Owner, user: Uuid) {
    #[leptos::wasm_split::wasm_split(
        work,
        wasm_split_path = ::leptos::wasm_split,
        preload(preload_work),
        fallible
    )]
    fn begin(session: SessionCtx, owner: Owner, user: Uuid) -> Result<(), NotLoaded> {
        let (store, sync, net) = owner.with(|| (use_store(), use_sync(), use_connectivity()));
        // Signed out (and maybe someone else in) while the chunk was on its way: not theirs.
        if session
            .current
            .with_untracked(|s| s.as_ref().map(|s| s.profile.id))
            != Some(user)
        {
            return Ok(());
        }
        owner.with(|| sync.start_once(session, net));
        spawn_local(async move {
            store.local_db().open(user).await;
            store.listen_to_other_tabs(user);
            sync.sync_now();
        });
        Ok(())
    }
    // A chunk that did not arrive (a link that dropped) is asked for again, less and less
    // often, for as long as the same person is signed in.
    let (missing, loaded) = owner.with(|| {
        let sync = use_sync();
        (sync.work_missing, sync.work_loaded)
    });
    spawn_local(async move {
        let mut wait_ms = 2_000;
        while begin(session, owner.clone(), user).await.is_err() {
            missing.try_set(true);
            gloo_timers::future::TimeoutFuture::new(wait_ms).await;
            wait_ms = (wait_ms * 2).min(60_000);
            let still = session
                .current
                .with_untracked(|s| s.as_ref().map(|s| s.profile.id));
            if still != Some(user) {
                return;
            }
        }
        missing.try_set(false);
        loaded.try_set(true);
    });
}

/// «Выйти» in the header, from the chunk `work`: asks first when edits would be lost or are
/// not sent yet, and lets an edit being written reach the person's storage before it is
/// closed; `leaving` is set meanwhile. The server is told now if it answers, otherwise at the
/// next connection; unsent edits stay in the person's database on this computer and go out at
/// their next sign-in. Before the chunk is here (its download may be stalled on a slow link),
/// this tab has written nothing, and the person is signed out at once.
pub fn sign_out_asking(session: SessionCtx, store: Store, sync: SyncCtx, leaving: RwSignal<bool>) {
    #[leptos::wasm_split::wasm_split(work, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn asking(
        session: SessionCtx,
        store: Store,
        sync: SyncCtx,
        leaving: RwSignal<bool>,
    ) -> Result<bool, NotLoaded> {
        let held = store.held().get_untracked();
        let pending = sync.pending.get_untracked();
        if held > 0 {
            let question = format!(
                "Изменения ({held}) ещё не записаны на этом компьютере: хранилище браузера \
                 недоступно. Если выйти, они пропадут. Всё равно выйти?"
            );
            if !crate::components::asked(&question) {
                return Ok(false);
            }
        } else if pending > 0 {
            let question = format!(
                "Есть неотправленные изменения: {pending}. Они сохранены на этом компьютере и \
                 будут отправлены, когда вы снова войдёте. Выйти?"
            );
            if !crate::components::asked(&question) {
                return Ok(false);
            }
        }
        spawn_local(async move {
            for _ in 0..100 {
                if store.saving() == 0 {
                    break;
                }
                gloo_timers::future::TimeoutFuture::new(50).await;
            }
            session.sign_out(None);
            leaving.try_set(false);
        });
        Ok(true)
    }
    if !sync.work_loaded.get_untracked() {
        session.sign_out(None);
        return;
    }
    leaving.set(true);
    spawn_local(async move {
        match asking(session, store, sync, leaving).await {
            // Cleared once the edits being written are in.
            Ok(true) => {}
            Ok(false) => {
                leaving.try_set(false);
            }
            Err(NotLoaded) => {
                session.sign_out(None);
                leaving.try_set(false);
            }
        }
    });
}

/// Opens the local database of `user` again (a page brought back from the back-forward cache).
pub fn reopen_database(db: LocalDb, user: Uuid) {
    #[leptos::wasm_split::wasm_split(work, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn reopen(db: LocalDb, user: Uuid) -> Result<(), NotLoaded> {
        spawn_local(db.open(user));
        Ok(())
    }
    spawn_local(async move {
        let _ = reopen(db, user).await;
    });
}

/// The sync part of the header, from the chunk `work`.
#[component]
pub fn SyncStatus() -> impl IntoView {
    #[leptos::wasm_split::wasm_split(work, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn sync_status() -> Result<AnyView, NotLoaded> {
        use crate::components::sync_status::SyncStatus;
        Ok(view! { <SyncStatus/> }.into_any())
    }
    let missing = use_sync().work_missing;
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async { sync_status().await.unwrap_or_else(|NotLoaded| ().into_any()) })}
        </Suspense>
        {move || missing.get().then(|| view! {
            <p class="sync-status" role="status" id="work-missing">
                "Часть приложения ещё не загружена: нет связи с сервером. Всё введённое сохранено; "
                "загрузка повторится сама."
            </p>
        })}
    }
}

/// A route for `<Route view=…>`.
pub fn lazy<T: LazyRoute + Send + Sync>() -> Lazy<T> {
    Lazy::new()
}

/// The chunks (areas) of the pages `role` may open.
pub fn areas_of(role: Role) -> Vec<&'static str> {
    let mut areas: Vec<&str> = LAZY_PAGES
        .iter()
        .filter(|(roles, _)| roles.contains(&role))
        .map(|(_, chunk)| *chunk)
        .collect();
    areas.sort_unstable();
    areas.dedup();
    areas
}

/// Has the service worker keep every chunk of the pages `role` may open, in this build and in
/// the builds it installs later, so that they open with no network. Returns whether all of
/// them are kept now.
pub async fn precache_for(role: Role) -> bool {
    crate::browser::keep_offline(&areas_of(role)).await
}

/// Said instead of a page whose code could not be fetched.
#[component]
fn ChunkMissing() -> impl IntoView {
    view! {
        <section class="page">
            <h1 id="chunk-missing">"Страница не загрузилась"</h1>
            <p class="alert alert-info" role="alert">
                "Этой страницы ещё нет на этом компьютере, а получить её с сервера сейчас не "
                "удалось: нет связи или приложение только что обновилось. Всё введённое сохранено. "
                "Проверьте подключение к интернету и нажмите «Попробовать снова»."
            </p>
            <p>
                <button type="button" on:click=|_| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }>"Попробовать снова"</button>
                " "
                <a href="/">"На главную"</a>
            </p>
        </section>
    }
}
