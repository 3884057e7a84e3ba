//! The files attached to a record: each with its type, size and where it is (on this computer,
//! waiting to be sent, on the server); «Открыть» hands it to the browser, fetching it first if
//! this computer does not have it yet, and keeps it here for work with no network. People who
//! may change the record attach files (kept here at once, sent with the next sync) and remove
//! the ones they attached.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::Role;
use model::files::{self, ATTACHMENT_KIND, F_NAME, FileRef};
use model::record::Record;
use wasm_bindgen::JsCast;

use crate::components::record_field::{SaveError, delete};
use crate::session::use_session;
use crate::store::{Target, use_store};
use crate::sync::use_sync;

/// What the file input offers.
const ACCEPT: &str = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.doc,.xls,.odt,.ods";

fn target(r: &Record) -> Target {
    Target {
        id: r.id,
        kind: ATTACHMENT_KIND,
        scope: r.scope.clone(),
        parent: r.parent,
    }
}

/// The files kept on this computer: (SHA-256, sent to the server), re-read on every change.
fn kept_files() -> RwSignal<Vec<(String, bool)>> {
    let store = use_store();
    let kept = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        store.revision().track();
        store.db_state().track();
        spawn_local(async move {
            if let Ok(list) = store.kept_files().await {
                kept.set(list);
            }
        });
    });
    kept
}

#[component]
pub fn Attachments(
    parent: Signal<Option<Record>>,
    #[prop(into)] editable: Signal<bool>,
    /// The id of the list (and the prefix of its inputs).
    id: &'static str,
) -> impl IntoView {
    let sync = use_sync();
    let store = use_store();
    let session = use_session();
    let me = session.profile();
    let is_head = me.as_ref().is_some_and(|p| p.role == Role::Head);
    let my_id = me.map(|p| p.id);
    // A device does not receive owners: a file attached (or changed) here is the person's own
    // (only its owner and the head may change a file once attached).
    let device = store.watch_device();
    let all = store.watch_kind(ATTACHMENT_KIND);
    let kept = kept_files();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<String>);
    let list = Memo::new(move |_| {
        let parent = parent.with(|p| p.as_ref().map(|p| p.id));
        let mut list: Vec<(Record, FileRef)> = all.with(|l| {
            l.iter()
                .filter(|r| parent.is_some() && r.parent == parent)
                .filter_map(|r| files::file_of(r).map(|f| (r.clone(), f)))
                .collect()
        });
        list.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        list
    });
    let open = move |r: Record, save: bool| {
        let name = files::file_of(&r).map(|f| f.name).unwrap_or_default();
        busy.set(Some(name.clone()));
        error.set(None);
        spawn_local(async move {
            match crate::files::fetch(store, session.token(), &r).await {
                Ok(local) => {
                    if save {
                        crate::browser::save_blob(&local.blob, &local.name);
                    }
                }
                Err(e) => error.set(Some(format!("«{name}»: {e}"))),
            }
            busy.set(None);
        });
    };
    let keep_all = move |_| {
        let held = kept.get_untracked();
        for (r, f) in list.get_untracked() {
            if !held.iter().any(|(s, _)| *s == f.sha256) {
                open(r, false);
            }
        }
    };
    let input_id = format!("{id}-input");
    let on_choose = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(record) = parent.get_untracked() else {
            return;
        };
        let chosen: Vec<web_sys::File> = input
            .files()
            .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
            .unwrap_or_default();
        input.set_value("");
        error.set(None);
        spawn_local(async move {
            let mut problems = Vec::new();
            for file in chosen {
                busy.set(Some(file.name()));
                if let Err(e) = crate::files::attach(store, sync, file, &record).await {
                    problems.push(e);
                }
            }
            busy.set(None);
            if !problems.is_empty() {
                error.set(Some(problems.join(" ")));
            }
        });
    };
    view! {
        <section class="attachments" aria-labelledby=format!("{id}-title")>
            <h2 id=format!("{id}-title")>"Файлы"</h2>
            {move || {
                let items = list.get();
                if items.is_empty() {
                    return view! { <p class="empty">"Файлов пока нет."</p> }.into_any();
                }
                let held = kept.get();
                let missing = items.iter().filter(|(_, f)| !held.iter().any(|(s, _)| *s == f.sha256)).count();
                view! {
                    <ul class="plain attachment-list" id=id>
                        {items.into_iter().map(|(r, f)| {
                            let here = held.iter().find(|(s, _)| *s == f.sha256).map(|(_, up)| *up);
                            let state = match here {
                                Some(true) => "на этом компьютере",
                                Some(false) => "на этом компьютере, ждёт отправки на сервер",
                                None => "на сервере",
                            };
                            let mine = is_head
                                || (r.owner.is_some() && r.owner == my_id)
                                || device.with(|d| d.as_ref().is_some_and(|d| r.written_by(d)));
                            let (open_r, del_r) = (r.clone(), r.clone());
                            let label = format!("Открыть файл «{}»", f.name);
                            view! {
                                <li class="attachment" data-id=r.id.to_string() data-sha256=f.sha256.clone() data-here=here.map_or("no", |u| if u { "sent" } else { "waiting" })>
                                    <button type="button" class="button-link attachment-open" aria-label=label on:click=move |_| open(open_r.clone(), true)>{f.name.clone()}</button>
                                    <span class="muted">{format!(" — {}, {}; {state}", files::type_label(&f.mime), files::size_label(f.size))}</span>
                                    {(editable.get() && mine).then(|| view! {
                                        " "
                                        <button type="button" class="button-link attachment-delete" on:click=move |_| {
                                            let question = format!("Удалить файл «{}»?", del_r.text(F_NAME));
                                            delete(&question, target(&del_r), &del_r, error);
                                        }>"Удалить"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(missing > 0).then(|| view! {
                        <button type="button" class="button-secondary no-print" id=format!("{id}-keep") on:click=keep_all>
                            {format!("Сохранить на этом компьютере для работы без сети ({missing})")}
                        </button>
                    })}
                }.into_any()
            }}
            {move || busy.get().map(|name| view! { <p role="status" class="muted">{format!("Файл «{name}» готовится…")}</p> })}
            <SaveError error=error/>
            {move || editable.get().then(|| view! {
                <div class="field no-print">
                    <label for=input_id.clone()>"Прикрепить файлы"</label>
                    <input type="file" id=input_id.clone() multiple accept=ACCEPT on:change=on_choose aria-describedby=format!("{id}-hint")/>
                    <p class="hint" id=format!("{id}-hint")>
                        {format!("{}; до {} МБ каждый. Файл сохраняется на этом компьютере сразу и отправляется на сервер, когда есть связь.", files::TYPES_HINT, files::MAX_FILE_BYTES / (1024 * 1024))}
                    </p>
                </div>
            })}
        </section>
    }
}
