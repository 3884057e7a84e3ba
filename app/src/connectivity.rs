//! Online or offline, as the header shows it. The browser's `navigator.onLine` only knows about
//! the network cable, not whether our server answers, so the truth is the last request: every
//! API call reports its outcome here, and a light health check runs every few seconds while
//! offline (every minute while online) and at once when the browser says the network is back.

use std::cell::{Cell, RefCell};

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    Checking,
    Online,
    Offline,
}

thread_local! {
    static STATUS: RefCell<Option<RwSignal<Net>>> = const { RefCell::new(None) };
    static CHECK_NOW: Cell<bool> = const { Cell::new(false) };
}

const ONLINE_EVERY_SECS: u32 = 60;
const OFFLINE_EVERY_SECS: u32 = 3;

/// The connection status, for the header and for pages that need the server.
pub fn status() -> RwSignal<Net> {
    STATUS.with(|s| {
        *s.borrow_mut()
            .get_or_insert_with(|| RwSignal::new(Net::Checking))
    })
}

/// Called by the API layer after every request.
pub fn report(reachable: bool) {
    let next = if reachable { Net::Online } else { Net::Offline };
    let status = status();
    if status.get_untracked() != next {
        status.set(next);
    }
}

/// Starts watching the connection (once, at app start).
pub fn start() {
    let status = status();
    if web_sys::window().is_some_and(|w| !w.navigator().on_line()) {
        status.set(Net::Offline);
    }
    let _ = window_event_listener(leptos::ev::offline, move |_| status.set(Net::Offline));
    let _ = window_event_listener(leptos::ev::online, move |_| CHECK_NOW.with(|c| c.set(true)));
    spawn_local(async move {
        loop {
            let _ = api::health().await;
            // The pause is re-read every second: when a request fails meanwhile, the next
            // check comes within seconds, not at the end of the long online pause.
            let mut waited = 0;
            loop {
                TimeoutFuture::new(1_000).await;
                waited += 1;
                let every = match status.get_untracked() {
                    Net::Online => ONLINE_EVERY_SECS,
                    _ => OFFLINE_EVERY_SECS,
                };
                if waited >= every || CHECK_NOW.with(|c| c.replace(false)) {
                    break;
                }
            }
        }
    });
}
