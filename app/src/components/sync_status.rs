//! The sync part of the header: unsent changes, the last successful sync, the progress of a
//! long sync, any error in words, and the "Синхронизировать" button.

use leptos::prelude::*;

use crate::components::record_field::SaveError;
use crate::components::undecided::UndecidedBadge;
use crate::format;
use crate::store::{DbState, use_store};
use crate::sync::use_sync;

#[component]
pub fn SyncStatus() -> impl IntoView {
    let store = use_store();
    let v = use_sync();
    let dismiss_error = RwSignal::new(None::<String>);
    // The count of unsent edits is read from the storage: while it is closed, nobody knows.
    let ready = move || matches!(store.db_state().get(), DbState::Ready { .. });
    view! {
        // Only what is left to send and what went wrong are read out as they change: the time
        // of the last sync would be read every minute.
        <div class="sync-status">
            <span
                id="sync-pending"
                role="status"
                data-pending=move || if ready() { v.pending.get().to_string() } else { "unknown".to_owned() }
            >
                {move || match (ready(), v.pending.get()) {
                    (false, _) => "Сколько изменений не отправлено, неизвестно: хранилище на этом компьютере закрыто".to_owned(),
                    (true, 0) => "Все изменения отправлены".to_owned(),
                    (true, n) => format!("Не отправлено: {n}"),
                }}
            </span>
            <span id="sync-last" class="muted">
                {move || match v.last_sync_ms.get() {
                    Some(ms) => format!("Синхронизировано: {}", format::when(ms)),
                    None => "Ещё не синхронизировано".to_owned(),
                }}
            </span>
            {move || v.progress.get().map(|(got, left)| view! {
                <span id="sync-progress">"Получено " {got} ", осталось " {left}</span>
            })}
            {move || v.upload.get().map(|(name, sent, size)| view! {
                <span id="sync-upload">
                    {format!("Отправка файла «{name}»: {} %", sent * 100 / size.max(1))}
                </span>
            })}
            {move || v.other_tab.get().then(|| view! {
                <span id="sync-other-tab" class="muted">"Синхронизирует другая вкладка"</span>
            })}
            {move || (v.refused.get() > 0).then(|| view! {
                <a id="sync-refused" class="badge-bad" href="/refused">"Не принято: " {v.refused.get()}</a>
            })}
            <UndecidedBadge/>
            <button
                type="button"
                id="sync-now"
                class="button-secondary"
                aria-busy=move || if v.running.get() { "true" } else { "false" }
                // Pressed during a sync, it asks for one more right after.
                on:click=move |_| v.sync_now()
            >
                {move || if v.running.get() { "Синхронизация…" } else { "Синхронизировать" }}
            </button>
            <span role="status">
                {move || v.error.get().map(|e| view! { <span id="sync-error" class="sync-error">{e}</span> })}
            </span>
            {move || match store.db_state().get() {
                DbState::Failed { message } => Some(view! {
                    <span id="store-error" class="sync-error" role="alert">{message}</span>
                }),
                _ => None,
            }}
            {move || (store.held().get() > 0).then(|| view! {
                <span id="store-held" class="sync-error" data-held=move || store.held().get().to_string()>
                    "Введённое ещё не записано на этом компьютере: оно запомнено в этой вкладке и запишется само, как только хранилище откроется. Не закрывайте вкладку."
                </span>
            })}
            {move || (v.dropped.get() > 0).then(|| view! {
                <span id="sync-dropped" class="sync-error" role="alert">
                    {format!(
                        "Доступ изменился: с этого компьютера удалены записи, которые вам больше не положено видеть ({}). Например, школа больше не закреплена за вами. ",
                        v.dropped.get()
                    )}
                    <button type="button" class="button-secondary" on:click=move |_| {
                        leptos::task::spawn_local(async move {
                            match store.dismiss_dropped().await {
                                Ok(()) => dismiss_error.set(None),
                                Err(e) => dismiss_error.set(Some(format!("Не сохранено: {}", e.0))),
                            }
                            v.refresh_counts().await;
                        });
                    }>"Понятно"</button>
                </span>
                <SaveError error=dismiss_error/>
            })}
        </div>
    }
}
