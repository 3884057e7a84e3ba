//! "О приложении": the version, where the data is kept and whether the browser promised to
//! keep it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::connectivity::{Net, use_connectivity};
use crate::storage_info::{self, StorageInfo, format_bytes};
use crate::store::{DbState, use_store};

/// The build id written into index.html by the bundler.
fn build_id() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=nastavnik-build]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_else(|| "неизвестна".into())
}

#[component]
pub fn AboutPage() -> impl IntoView {
    let store = use_store();
    super::set_title("О приложении");
    let info = RwSignal::new(None::<StorageInfo>);
    let refresh = move || {
        spawn_local(async move {
            let persisted = storage_info::request_persistence().await;
            let mut read = storage_info::read().await;
            read.persisted = read.persisted.or(persisted);
            info.set(Some(read));
        })
    };
    refresh();
    let db = store.db_state();
    let net = use_connectivity();

    view! {
        <section class="page" id="about">
            <h1>"О приложении"</h1>
            <p>
                "«Наставник» хранит всё, что вы вводите, на этом компьютере и отправляет на сервер, "
                "когда есть связь. Работать можно и без интернета."
            </p>
            <dl class="facts">
                <dt>"Версия"</dt>
                <dd>{env!("CARGO_PKG_VERSION")} " (сборка " {build_id()} ")"</dd>
                <dt>"Связь с сервером"</dt>
                <dd>
                    {move || match net.status() {
                        Net::Online => "есть",
                        Net::Offline => "нет — данные сохраняются на компьютере",
                        Net::Checking => "проверяется",
                    }}
                </dd>
                <dt>"Хранилище на этом компьютере"</dt>
                <dd id="db-state">
                    {move || match db.get() {
                        DbState::Ready { name, .. } => format!("открыто ({name})"),
                        DbState::Opening => "открывается…".into(),
                        DbState::Closed => "закрыто".into(),
                        DbState::Failed { message } => message,
                    }}
                </dd>
                <dt>"Постоянное хранение"</dt>
                <dd id="persisted">
                    {move || match info.get().and_then(|i| i.persisted) {
                        Some(true) => "разрешено: браузер не удалит данные при нехватке места".to_owned(),
                        Some(false) => "не разрешено: при нехватке места браузер может удалить данные, \
                            которые ещё не отправлены. Добавьте сайт в закладки или установите его как приложение, \
                            чтобы браузер разрешил постоянное хранение."
                            .to_owned(),
                        None if info.with(Option::is_some) => "браузер не поддерживает".to_owned(),
                        None => "проверяется…".to_owned(),
                    }}
                </dd>
                <dt>"Занято места"</dt>
                <dd id="storage-used">
                    {move || {
                        info.get()
                            .map(|i| match (i.usage_bytes, i.quota_bytes) {
                                (Some(u), Some(q)) => {
                                    format!("{} из доступных {}", format_bytes(u), format_bytes(q))
                                }
                                (Some(u), None) => format_bytes(u),
                                _ => "неизвестно".into(),
                            })
                            .unwrap_or_else(|| "проверяется…".into())
                    }}
                </dd>
            </dl>
            <button type="button" class="button-secondary" on:click=move |_| refresh()>
                "Обновить сведения"
            </button>
        </section>
    }
}
