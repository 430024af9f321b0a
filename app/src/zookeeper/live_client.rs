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
    /// Per path, (mzxid, pzxid) when the server placed its watch, and what
    /// the page's reads saw: a read older than the watch missed a change.
    armed: StoredValue<HashMap<String, Stamp>>,
    read: StoredValue<HashMap<(String, Reader), Stamp>>,
    #[cfg(feature = "hydrate")]
    conn: StoredValue<send_wrapper::SendWrapper<std::rc::Rc<browser::Conn>>>,
}

impl LiveZk {
    /// Creates the channel and provides it as context; [`LiveZk::connect`]
    /// opens its socket once the cluster is known to exist.
    pub fn provide() -> LiveZk {
        let live = LiveZk {
            ticks: StoredValue::new(HashMap::new()),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            notice: RwSignal::new(None),
            connected: RwSignal::new(false),
            search: SearchState::new(),
            armed: StoredValue::new(HashMap::new()),
            read: StoredValue::new(HashMap::new()),
            #[cfg(feature = "hydrate")]
            conn: StoredValue::new(send_wrapper::SendWrapper::new(browser::Conn::new())),
        };
        provide_context(live);
        live
    }

    /// Opens the socket to `cluster`'s live endpoint, for as long as the
    /// page lives (its owner, whichever effect calls this). Only for a
    /// configured cluster: an unknown one has no endpoint, and the browser
    /// would log every refused handshake as an error.
    pub fn connect(&self, cluster: &str) {
        #[cfg(feature = "hydrate")]
        {
            let live = *self;
            let path = live_ws_path(cluster);
            self.owner
                .with_value(|o| o.with(|| browser::start(live, path)));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = live_ws_path(cluster);
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

    /// A tree level (`Reader::Children`, only its pzxid matters) or the
    /// znode panel (`Reader::Node`) read `path` at these zxids (0, 0: absent).
    pub fn read_at(&self, path: &str, reader: Reader, mzxid: i64, pzxid: i64) {
        let key = (path.to_string(), reader);
        self.read.update_value(|m| {
            m.insert(key, Stamp { mzxid, pzxid });
        });
        self.reread_if_stale(path);
    }

    /// Re-reads `path` when a read of it is older than its watch: a change
    /// fell between the read and the watch, and no event will report it.
    fn reread_if_stale(&self, path: &str) {
        let Some(armed) = self.armed.with_value(|m| m.get(path).copied()) else {
            return;
        };
        let stale = [Reader::Children, Reader::Node].into_iter().any(|r| {
            self.read
                .with_value(|m| m.get(&(path.to_string(), r)).copied())
                .is_some_and(|seen| missed_change(r, seen, armed))
        });
        if stale {
            self.bump(path);
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn on_event(&self, ev: LiveEvent) {
        match ev {
            LiveEvent::Watching { path, mzxid, pzxid } => {
                self.armed.update_value(|m| {
                    m.insert(path.clone(), Stamp { mzxid, pzxid });
                });
                self.reread_if_stale(&path);
            }
            LiveEvent::Changed { path, what } => {
                self.bump(&path);
                if matches!(what.as_str(), "created" | "deleted")
                    && let Some(p) = parent(&path)
                {
                    self.bump(p);
                }
            }
            LiveEvent::Refused { reason, .. } => self.notice.set(Some(reason)),
            LiveEvent::SearchHits { id, paths } if id == self.search.id.get_untracked() => {
                // Hits arrive as the walk finds them; shown in path order.
                self.search.hits.update(|h| {
                    h.extend(paths);
                    h.sort_unstable();
                    h.dedup();
                });
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

/// Who read a znode: what a change must be newer than to concern it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reader {
    Children,
    Node,
}

#[derive(Debug, Clone, Copy)]
struct Stamp {
    mzxid: i64,
    pzxid: i64,
}

/// Whether a read at `seen` is older than the watch placed at `armed`, in
/// what concerns `reader`: a tree level shows children (pzxid), the panel
/// data and stat (mzxid and pzxid). zxids only grow.
fn missed_change(reader: Reader, seen: Stamp, armed: Stamp) -> bool {
    match reader {
        Reader::Children => seen.pzxid < armed.pzxid,
        Reader::Node => seen.mzxid < armed.mzxid || seen.pzxid < armed.pzxid,
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
        /// Opened before: the next open is a reconnect.
        opened: Cell<bool>,
    }

    impl Conn {
        pub fn new() -> Rc<Conn> {
            Rc::new(Conn {
                socket: RefCell::new(None),
                counts: RefCell::new(HashMap::new()),
                alive: Cell::new(true),
                attempt: Cell::new(0),
                opened: Cell::new(false),
            })
        }

        pub fn send(&self, cmd: &LiveCommand) {
            if let Some(ws) = self.socket.borrow().as_ref()
                && ws.ready_state() == WebSocket::OPEN
            {
                let _ = ws.send_with_str(&encode(cmd));
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
            // Announce everything on screen. After a reconnect re-read it all,
            // since changes may have happened while the socket was down; on the
            // first open the server's `Watching` stamps tell which reads (made
            // before the watches existed) missed a change.
            let reconnect = c.opened.replace(true);
            let paths: Vec<String> = c.counts.borrow().keys().cloned().collect();
            for p in paths {
                c.send(&LiveCommand::Watch(p.clone()));
                if reconnect {
                    live.bump(&p);
                }
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string()
                && let Ok(event) = serde_json::from_str::<LiveEvent>(&text)
            {
                live.on_event(event);
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let c = conn.clone();
        let p = path.clone();
        let on_close =
            Closure::<dyn FnMut(web_sys::CloseEvent)>::new(move |ev: web_sys::CloseEvent| {
                live.connected.set(false);
                if ev.code() == crate::components::SESSION_ENDED_CODE {
                    // Retrying would only be refused: say why instead.
                    live.notice
                        .set(Some("your session ended: log in again".into()));
                    return;
                }
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
        if !conn.opened.get() && n > crate::components::UNOPENED_ATTEMPTS {
            live.notice.set(Some(
                "no live updates: the server did not accept the live connection".into(),
            ));
            return;
        }
        conn.attempt.set(n);
        let delay = retry_delay(n);
        let conn = send_wrapper::SendWrapper::new(conn);
        set_timeout(move || open(live, path, conn.take()), delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(mzxid: i64, pzxid: i64) -> Stamp {
        Stamp { mzxid, pzxid }
    }

    #[test]
    fn a_read_older_than_the_watch_missed_a_change() {
        // Same zxids: nothing happened between the read and the watch.
        assert!(!missed_change(Reader::Node, at(5, 7), at(5, 7)));
        assert!(!missed_change(Reader::Children, at(0, 7), at(5, 7)));
        // Data changed in between: the panel re-reads, the tree level does not.
        assert!(missed_change(Reader::Node, at(5, 7), at(9, 7)));
        assert!(!missed_change(Reader::Children, at(0, 7), at(9, 7)));
        // A child came or went: both re-read.
        assert!(missed_change(Reader::Children, at(0, 7), at(5, 8)));
        assert!(missed_change(Reader::Node, at(5, 7), at(5, 8)));
        // Read while absent (0, 0), created before the watch: re-read.
        assert!(missed_change(Reader::Node, at(0, 0), at(9, 9)));
        // A read newer than the watch (it came back after the watch): fine.
        assert!(!missed_change(Reader::Node, at(9, 9), at(5, 7)));
    }
}
