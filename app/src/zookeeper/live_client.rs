//! The explorer's side of live updates: one websocket per page, reference-
//! counted watches (a path watched by the tree and the node panel is one
//! server-side watch), and a change counter per path that resources read.

use super::logic::parent;
use super::model::{LiveCommand, LiveEvent, live_ws_path};
use leptos::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Copy)]
pub struct LiveZk {
    ticks: StoredValue<HashMap<String, RwSignal<u32>>>,
    /// The explorer's owner: tick signals live as long as the page, not as
    /// long as the tree level that first asked for them.
    owner: StoredValue<Owner>,
    /// Last refusal from the server (watch budget), shown on the page.
    pub notice: RwSignal<Option<String>>,
    pub connected: RwSignal<bool>,
    /// The running (or last) name search: its matches and progress.
    pub search: SearchState,
    #[cfg(feature = "hydrate")]
    conn: StoredValue<send_wrapper::SendWrapper<std::rc::Rc<browser::Conn>>>,
}

impl LiveZk {
    /// Creates the channel for `cluster` and provides it as context.
    pub fn provide(cluster: &str) -> LiveZk {
        let live = LiveZk {
            ticks: StoredValue::new(HashMap::new()),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            notice: RwSignal::new(None),
            connected: RwSignal::new(false),
            search: SearchState::new(),
            #[cfg(feature = "hydrate")]
            conn: StoredValue::new(send_wrapper::SendWrapper::new(browser::Conn::new())),
        };
        #[cfg(feature = "hydrate")]
        browser::start(live, live_ws_path(cluster));
        #[cfg(not(feature = "hydrate"))]
        let _ = live_ws_path(cluster);
        provide_context(live);
        live
    }

    /// Bumped whenever the server reports a change to `path`.
    pub fn tick(&self, path: &str) -> RwSignal<u32> {
        if let Some(t) = self.ticks.with_value(|m| m.get(path).copied()) {
            return t;
        }
        let t = self.owner.with_value(|o| o.with(|| RwSignal::new(0)));
        self.ticks.update_value(|m| {
            m.insert(path.to_string(), t);
        });
        t
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn bump(&self, path: &str) {
        if let Some(t) = self.ticks.with_value(|m| m.get(path).copied()) {
            t.update(|n| *n += 1);
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn on_event(&self, ev: LiveEvent) {
        match ev {
            LiveEvent::Changed { path, what } => {
                self.bump(&path);
                if matches!(what.as_str(), "created" | "deleted") {
                    if let Some(p) = parent(&path) {
                        self.bump(p);
                    }
                }
            }
            LiveEvent::Refused { reason, .. } => self.notice.set(Some(reason)),
            LiveEvent::SearchHits { id, paths } if id == self.search.id.get_untracked() => {
                self.search.hits.update(|h| h.extend(paths));
            }
            LiveEvent::SearchProgress {
                id,
                visited,
                hits,
                elapsed_ms,
                done,
                stopped,
            } if id == self.search.id.get_untracked() => {
                self.search.progress.set(Some(SearchProgress {
                    visited,
                    hits,
                    elapsed_ms,
                    done,
                    stopped,
                }));
            }
            LiveEvent::SearchFailed { id, reason } if id == self.search.id.get_untracked() => {
                self.search.error.set(Some(reason));
            }
            // Results of a search that was replaced by a newer one.
            LiveEvent::SearchHits { .. }
            | LiveEvent::SearchProgress { .. }
            | LiveEvent::SearchFailed { .. } => {}
        }
    }

    /// Starts a server-side name search under `path`; results stream into `self.search`.
    pub fn start_search(&self, path: String, pattern: String, regex: bool) {
        let id = self.search.id.get_untracked() + 1;
        self.search.id.set(id);
        self.search.hits.set(Vec::new());
        self.search.progress.set(None);
        self.search.error.set(None);
        #[cfg(feature = "hydrate")]
        self.conn.with_value(|c| {
            c.send(&LiveCommand::Search {
                id,
                path,
                pattern,
                regex,
            })
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (path, pattern, regex);
    }

    /// Watches `path` while the calling component lives.
    pub fn follow(&self, path: String) {
        #[cfg(feature = "hydrate")]
        {
            let conn = self.conn;
            conn.with_value(|c| c.add(&path));
            on_cleanup(move || {
                conn.try_with_value(|c| c.remove(&path));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = path;
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
pub struct SearchProgress {
    pub visited: usize,
    pub hits: usize,
    pub elapsed_ms: u64,
    pub done: bool,
    pub stopped: Option<String>,
}

#[derive(Clone, Copy)]
pub struct SearchState {
    id: RwSignal<u32>,
    pub hits: RwSignal<Vec<String>>,
    pub progress: RwSignal<Option<SearchProgress>>,
    pub error: RwSignal<Option<String>>,
}

impl SearchState {
    fn new() -> Self {
        SearchState {
            id: RwSignal::new(0),
            hits: RwSignal::new(Vec::new()),
            progress: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn encode(cmd: &LiveCommand) -> String {
    serde_json::to_string(cmd).unwrap_or_default()
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{LiveCommand, LiveEvent, LiveZk, encode};
    use crate::components::{retry_delay, ws_url};
    use leptos::prelude::*;
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{MessageEvent, WebSocket};

    pub struct Conn {
        socket: RefCell<Option<WebSocket>>,
        counts: RefCell<HashMap<String, usize>>,
        alive: Cell<bool>,
        attempt: Cell<u32>,
    }

    impl Conn {
        pub fn new() -> Rc<Conn> {
            Rc::new(Conn {
                socket: RefCell::new(None),
                counts: RefCell::new(HashMap::new()),
                alive: Cell::new(true),
                attempt: Cell::new(0),
            })
        }

        pub fn send(&self, cmd: &LiveCommand) {
            if let Some(ws) = self.socket.borrow().as_ref() {
                if ws.ready_state() == WebSocket::OPEN {
                    let _ = ws.send_with_str(&encode(cmd));
                }
            }
        }

        pub fn add(&self, path: &str) {
            let first = {
                let mut c = self.counts.borrow_mut();
                let n = c.entry(path.to_string()).or_insert(0);
                *n += 1;
                *n == 1
            };
            if first {
                self.send(&LiveCommand::Watch(path.to_string()));
            }
        }

        pub fn remove(&self, path: &str) {
            let last = {
                let mut c = self.counts.borrow_mut();
                match c.get_mut(path) {
                    Some(n) if *n > 1 => {
                        *n -= 1;
                        false
                    }
                    Some(_) => {
                        c.remove(path);
                        true
                    }
                    None => false,
                }
            };
            if last {
                self.send(&LiveCommand::Unwatch(path.to_string()));
            }
        }
    }

    pub fn start(live: LiveZk, path: String) {
        let conn = live.conn.with_value(|c| Rc::clone(c));
        open(live, path, conn.clone());
        let conn = send_wrapper::SendWrapper::new(conn);
        on_cleanup(move || {
            conn.alive.set(false);
            if let Some(ws) = conn.socket.borrow_mut().take() {
                let _ = ws.close();
            }
        });
    }

    fn open(live: LiveZk, path: String, conn: Rc<Conn>) {
        if !conn.alive.get() {
            return;
        }
        let Some(ws) = ws_url(&path).and_then(|u| WebSocket::new(&u).ok()) else {
            return retry(live, path, conn);
        };
        let c = conn.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            c.attempt.set(0);
            live.connected.set(true);
            // (Re)announce everything on screen; after a reconnect re-read it all,
            // since changes may have happened while the socket was down.
            let paths: Vec<String> = c.counts.borrow().keys().cloned().collect();
            for p in paths {
                c.send(&LiveCommand::Watch(p.clone()));
                live.bump(&p);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                if let Ok(event) = serde_json::from_str::<LiveEvent>(&text) {
                    live.on_event(event);
                }
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let c = conn.clone();
        let p = path.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            live.connected.set(false);
            retry(live, p.clone(), c.clone());
        });
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();
        *conn.socket.borrow_mut() = Some(ws);
    }

    fn retry(live: LiveZk, path: String, conn: Rc<Conn>) {
        if !conn.alive.get() {
            return;
        }
        let n = conn.attempt.get() + 1;
        conn.attempt.set(n);
        let delay = retry_delay(n);
        let conn = send_wrapper::SendWrapper::new(conn);
        set_timeout(move || open(live, path, conn.take()), delay);
    }
}
