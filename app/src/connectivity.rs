//! Online or offline, as the header shows it. The browser's `navigator.onLine` only knows about
//! the network cable, not whether our server answers, so the truth is the last request: every
//! API call announces its outcome (the window event [`REACHABLE`], sent by `api.rs`), and a
//! light health check runs every few seconds while offline (every minute while online) and at
//! once when the browser says the network is back.
//!
//! Made and provided once, at the app's start ([`provide_connectivity`]); pages take it with
//! [`use_connectivity`].

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    Checking,
    Online,
    Offline,
}

/// The window event an API call sends when it learns whether the server answers (its detail:
/// `true` or `false`).
pub const REACHABLE: &str = "nastavnik-reachable";

/// The connection status and the checks that keep it true.
#[derive(Clone, Copy)]
pub struct Connectivity {
    status: RwSignal<Net>,
    /// Check at once rather than at the end of the pause (the browser saw the network return).
    check_now: StoredValue<bool>,
    /// Whether the server said, at its last health check, that it runs on made-up demo data.
    demo: RwSignal<bool>,
}

const ONLINE_EVERY_SECS: u32 = 60;
const OFFLINE_EVERY_SECS: u32 = 3;

impl Connectivity {
    /// The connection status (tracked).
    pub fn status(self) -> Net {
        self.status.get()
    }

    pub fn status_untracked(self) -> Net {
        self.status.get_untracked()
    }

    /// Whether the server runs on made-up demo data (tracked; false until it has answered).
    pub fn demo(self) -> bool {
        self.demo.get()
    }

    fn report(self, reachable: bool) {
        let next = if reachable { Net::Online } else { Net::Offline };
        if self.status.get_untracked() != next {
            self.status.set(next);
        }
    }
}

/// Makes the connection status, provides it to every page and starts watching the connection.
pub fn provide_connectivity() -> Connectivity {
    let net = Connectivity {
        status: RwSignal::new(Net::Checking),
        check_now: StoredValue::new(false),
        demo: RwSignal::new(false),
    };
    provide_context(net);
    let status = net.status;
    if web_sys::window().is_some_and(|w| !w.navigator().on_line()) {
        status.set(Net::Offline);
    }
    let _ = window_event_listener(leptos::ev::offline, move |_| status.set(Net::Offline));
    let _ = window_event_listener(leptos::ev::online, move |_| net.check_now.set_value(true));
    let _ = window_event_listener_untyped(REACHABLE, move |ev| {
        if let Some(reachable) = ev
            .dyn_ref::<web_sys::CustomEvent>()
            .and_then(|ev| ev.detail().as_bool())
        {
            net.report(reachable);
        }
    });
    spawn_local(async move {
        loop {
            if let Ok(health) = api::health().await
                && net.demo.get_untracked() != health.demo
            {
                net.demo.set(health.demo);
            }
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
                if waited >= every
                    || net
                        .check_now
                        .try_update_value(|c| std::mem::replace(c, false))
                        == Some(true)
                {
                    break;
                }
            }
        }
    });
    net
}

/// The connection status, from a component (or an event handler) under the app.
pub fn use_connectivity() -> Connectivity {
    expect_context::<Connectivity>()
}
