//! Browser-side live feeds: a websocket that delivers JSON snapshots, with
//! reconnect and a visible state, and a ticker for periodic refetches.
//! Both only run once hydrated and stop when their owner is cleaned up.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    /// Server-rendered, not hydrated yet: values are as of page load.
    Static,
    Connecting,
    Live,
    /// The socket closed; retrying.
    Reconnecting,
    /// The server never accepted the socket (an unknown cluster): no retries.
    Unavailable,
    /// The server closed the socket because the session or token ended
    /// ([`SESSION_ENDED_CODE`]): no retries until the user logs in again.
    SessionEnded,
}

/// The websocket close code zkmq sends when the socket's session or token
/// ended (logout, expiry, a disabled account, a revoked token).
pub const SESSION_ENDED_CODE: u16 = 4401;

impl LiveState {
    pub fn label(self) -> &'static str {
        match self {
            LiveState::Static => "snapshot",
            LiveState::Connecting => "connecting",
            LiveState::Live => "live",
            LiveState::Reconnecting => "reconnecting",
            LiveState::Unavailable => "no live updates",
            LiveState::SessionEnded => "session ended: log in again",
        }
    }
}

/// Opens a websocket to `path` and writes each JSON text frame, decoded as
/// `T`, into the returned signal. Reconnects with backoff.
pub fn use_live_json<T>(path: impl Into<String>) -> (ReadSignal<Option<T>>, ReadSignal<LiveState>)
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let (value, set_value) = signal(None::<T>);
    let (state, set_state) = signal(LiveState::Static);
    #[cfg(feature = "hydrate")]
    browser::start(path.into(), set_value, set_state);
    #[cfg(not(feature = "hydrate"))]
    let _ = (path.into(), set_value, set_state);
    (value, state)
}

/// A counter that increments every `ms` milliseconds in the browser; read it
/// in a resource's source to refetch periodically.
pub fn use_ticker(ms: u64) -> ReadSignal<u64> {
    let (tick, set_tick) = signal(0u64);
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || set_tick.update(|t| *t += 1),
            std::time::Duration::from_millis(ms),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ms, set_tick);
    tick
}

/// Attempts after which a socket that never opened is given up: the server
/// refuses the upgrade only for a cluster it does not know, which retrying
/// cannot fix (a socket that was open once retries for as long as the page).
pub const UNOPENED_ATTEMPTS: u32 = 3;

/// Delay before reconnect attempt `n` (1-based): 0.5 s, 1 s, 2 s … capped at
/// 5 s, so a restarted server is picked up quickly.
#[cfg(feature = "hydrate")]
pub fn retry_delay(n: u32) -> std::time::Duration {
    std::time::Duration::from_millis((250u64 << n.min(5)).min(5_000))
}

#[cfg(feature = "hydrate")]
pub use browser::ws_url;

#[cfg(feature = "hydrate")]
mod browser {
    use super::LiveState;
    use super::retry_delay;
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use serde::de::DeserializeOwned;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    struct Conn {
        path: String,
        alive: Cell<bool>,
        attempt: Cell<u32>,
        /// The server accepted this socket at least once.
        opened: Cell<bool>,
        socket: RefCell<Option<WebSocket>>,
    }

    pub fn start<T>(
        path: String,
        set_value: WriteSignal<Option<T>>,
        set_state: WriteSignal<LiveState>,
    ) where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let conn = Rc::new(Conn {
            path,
            alive: Cell::new(true),
            attempt: Cell::new(0),
            opened: Cell::new(false),
            socket: RefCell::new(None),
        });
        open(conn.clone(), set_value, set_state);
        let conn = SendWrapper::new(conn);
        on_cleanup(move || {
            conn.alive.set(false);
            if let Some(ws) = conn.socket.borrow_mut().take() {
                let _ = ws.close();
            }
        });
    }

    /// The websocket URL for a path on this server (ws or wss as the page).
    pub fn ws_url(path: &str) -> Option<String> {
        let loc = window().location();
        let scheme = if loc.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        Some(format!("{scheme}://{}{path}", loc.host().ok()?))
    }

    fn open<T>(conn: Rc<Conn>, set_value: WriteSignal<Option<T>>, set_state: WriteSignal<LiveState>)
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        if !conn.alive.get() {
            return;
        }
        set_state.set(if conn.attempt.get() == 0 {
            LiveState::Connecting
        } else {
            LiveState::Reconnecting
        });
        let Some(ws) = ws_url(&conn.path).and_then(|u| WebSocket::new(&u).ok()) else {
            retry(conn, set_value, set_state);
            return;
        };
        let c = conn.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                // Keep-alive frames are empty; anything else is a snapshot.
                if text.is_empty() {
                    return;
                }
                if let Ok(v) = serde_json::from_str::<T>(&text) {
                    c.attempt.set(0);
                    c.opened.set(true);
                    set_value.set(Some(v));
                    set_state.set(LiveState::Live);
                }
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let c = conn.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            if ev.code() == super::SESSION_ENDED_CODE {
                // Retrying would only be refused: say why instead.
                set_state.set(LiveState::SessionEnded);
                return;
            }
            if c.alive.get() {
                retry(c.clone(), set_value, set_state);
            }
        });
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();
        *conn.socket.borrow_mut() = Some(ws);
    }

    fn retry<T>(
        conn: Rc<Conn>,
        set_value: WriteSignal<Option<T>>,
        set_state: WriteSignal<LiveState>,
    ) where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        if !conn.alive.get() {
            return;
        }
        let n = conn.attempt.get() + 1;
        if !conn.opened.get() && n > super::UNOPENED_ATTEMPTS {
            set_state.set(LiveState::Unavailable);
            return;
        }
        set_state.set(LiveState::Reconnecting);
        conn.attempt.set(n);
        let delay = retry_delay(n);
        let conn = SendWrapper::new(conn);
        set_timeout(move || open(conn.take(), set_value, set_state), delay);
    }
}
