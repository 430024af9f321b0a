//! A tab's live views, browser side: one websocket (`/ws/live`) for all of
//! them, opened with the first view and closed with the last. Each view keeps
//! a bounded ring of rows and its exact counters; rows reach the screen at
//! most once per animation frame, and each frame grants the server credit
//! for the rows it rendered — a tab that cannot keep up (or is hidden and
//! gets no frames) is sent fewer rows, never a backlog. After a reconnect
//! each view resubscribes from the positions it had reached, and the server
//! reports any gap.

use crate::error::AppError;
use crate::live::logic::ring::{RING_ROWS, RateWindow, Ring};
use crate::live::model::{Counters, LiveFilter, LiveRow, LiveSource};
use leptos::prelude::*;

/// Where a view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewState {
    /// Server-rendered, or waiting for the server's first batch.
    Opening,
    Live,
    Paused,
    /// The socket dropped; it reconnects and resumes where it was.
    Reconnecting,
    /// The server refused or ended the view (its error says why).
    Failed,
    /// The sign-in ended: log in again.
    SessionEnded,
}

impl ViewState {
    pub fn label(self) -> &'static str {
        match self {
            ViewState::Opening => "starting",
            ViewState::Live => "live",
            ViewState::Paused => "paused: counting, not showing",
            ViewState::Reconnecting => "reconnecting (resumes where it was)",
            ViewState::Failed => "stopped",
            ViewState::SessionEnded => "session ended: log in again",
        }
    }
}

/// Messages a resumed view could not get back (retention removed them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub topic: String,
    pub partition: i32,
    pub missed: i64,
}

/// A RabbitMQ tap as bound: zkmq's queue and its (exchange, binding key)s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tapping {
    pub queue: String,
    pub bindings: Vec<(String, String)>,
}

/// One live view, as the page reads it.
#[derive(Clone, Copy)]
pub struct LiveView {
    id: u32,
    pub counters: RwSignal<Counters>,
    pub state: RwSignal<ViewState>,
    pub error: RwSignal<Option<AppError>>,
    pub gaps: RwSignal<Vec<Gap>>,
    /// A RabbitMQ view's tap, once bound.
    pub tapping: RwSignal<Option<Tapping>>,
    /// A flow view's latest graph.
    pub graph: RwSignal<Option<crate::live::model::FlowGraph>>,
    /// Bumped once per animation frame in which rows arrived (or on clear).
    pub version: RwSignal<u64>,
    rows: StoredValue<Ring<LiveRow>>,
    rate: StoredValue<RateWindow>,
    tab: LiveTab,
}

impl LiveView {
    /// Reads the rows (newest first); tracks `version`.
    pub fn with_rows<R>(&self, f: impl FnOnce(&Ring<LiveRow>) -> R) -> R {
        self.version.track();
        self.rows.with_value(f)
    }

    /// Reads the rate history (messages per second).
    pub fn with_rate<R>(&self, f: impl FnOnce(&RateWindow) -> R) -> R {
        self.rate.with_value(f)
    }

    /// Paused views keep counting on the server; no rows are sent.
    pub fn pause(&self, paused: bool) {
        self.state.set(if paused {
            ViewState::Paused
        } else {
            ViewState::Live
        });
        self.tab.pause(self.id, paused);
    }

    /// Empties the rows kept (counters are the server's and keep running).
    pub fn clear(&self) {
        self.rows.update_value(Ring::clear);
        self.version.update(|v| *v += 1);
    }
}

/// The tab's live connection; provided once by the app shell.
#[derive(Clone, Copy)]
pub struct LiveTab {
    next_id: StoredValue<u32>,
    #[cfg(feature = "hydrate")]
    conn: StoredValue<send_wrapper::SendWrapper<std::rc::Rc<browser::Conn>>>,
}

impl LiveTab {
    pub fn provide() {
        provide_context(LiveTab {
            next_id: StoredValue::new(0),
            #[cfg(feature = "hydrate")]
            conn: StoredValue::new(send_wrapper::SendWrapper::new(browser::Conn::new())),
        });
    }

    /// Opens a live view for as long as the calling owner lives. In server
    /// rendering it stays `Opening` and empty: live views start once hydrated.
    pub fn open(&self, source: LiveSource, filter: LiveFilter) -> LiveView {
        let id = self.next_id.with_value(|n| n + 1);
        self.next_id.set_value(id);
        let view = LiveView {
            id,
            counters: RwSignal::new(Counters::default()),
            state: RwSignal::new(ViewState::Opening),
            error: RwSignal::new(None),
            gaps: RwSignal::new(Vec::new()),
            tapping: RwSignal::new(None),
            graph: RwSignal::new(None),
            version: RwSignal::new(0),
            rows: StoredValue::new(Ring::new(RING_ROWS)),
            rate: StoredValue::new(RateWindow::default()),
            tab: *self,
        };
        #[cfg(feature = "hydrate")]
        {
            let conn = self.conn;
            conn.with_value(|c| browser::Conn::add(c, view, source, filter));
            on_cleanup(move || {
                conn.try_with_value(|c| c.remove(id));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (source, filter);
        view
    }

    fn pause(&self, id: u32, paused: bool) {
        #[cfg(feature = "hydrate")]
        self.conn.with_value(|c| c.pause(id, paused));
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, paused);
    }
}

/// The tab's live connection (provided by the app shell).
pub fn use_live_tab() -> LiveTab {
    expect_context::<LiveTab>()
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Gap, LiveView, Tapping, ViewState};
    use crate::components::{SESSION_ENDED_CODE, retry_delay, ws_url};
    use crate::live::logic::ring::INITIAL_CREDIT;
    use crate::live::model::{
        LIVE_WS_PATH, LiveFilter, LiveFrame, LiveRequest, LiveSource, Position,
    };
    use leptos::prelude::*;
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    struct Entry {
        view: LiveView,
        source: LiveSource,
        filter: LiveFilter,
        /// How far the view has read: where it resumes after a reconnect.
        positions: Vec<Position>,
        paused: bool,
        /// Rows received since the last animation frame.
        unrendered: u32,
    }

    pub struct Conn {
        socket: RefCell<Option<WebSocket>>,
        views: RefCell<HashMap<u32, Entry>>,
        attempt: Cell<u32>,
        /// A frame is already requested.
        frame: Cell<bool>,
    }

    impl Conn {
        pub fn new() -> Rc<Conn> {
            Rc::new(Conn {
                socket: RefCell::new(None),
                views: RefCell::new(HashMap::new()),
                attempt: Cell::new(0),
                frame: Cell::new(false),
            })
        }

        fn send(&self, req: &LiveRequest) {
            if let Some(ws) = self.socket.borrow().as_ref()
                && ws.ready_state() == WebSocket::OPEN
                && let Ok(text) = serde_json::to_string(req)
            {
                let _ = ws.send_with_str(&text);
            }
        }

        pub fn add(this: &Rc<Conn>, view: LiveView, source: LiveSource, filter: LiveFilter) {
            let entry = Entry {
                view,
                source,
                filter,
                positions: Vec::new(),
                paused: false,
                unrendered: 0,
            };
            let open = this
                .socket
                .borrow()
                .as_ref()
                .is_some_and(|ws| ws.ready_state() == WebSocket::OPEN);
            if open {
                this.subscribe(view.id, &entry);
            }
            this.views.borrow_mut().insert(view.id, entry);
            if this.socket.borrow().is_none() {
                open_socket(this.clone());
            }
        }

        fn subscribe(&self, id: u32, e: &Entry) {
            self.send(&LiveRequest::Subscribe {
                id,
                source: e.source.clone(),
                filter: e.filter.clone(),
                resume: e.positions.clone(),
            });
            self.send(&LiveRequest::Credit {
                id,
                rows: INITIAL_CREDIT,
            });
            if e.paused {
                self.send(&LiveRequest::Pause { id, paused: true });
            }
        }

        pub fn remove(&self, id: u32) {
            let last = {
                let mut v = self.views.borrow_mut();
                v.remove(&id);
                v.is_empty()
            };
            self.send(&LiveRequest::Unsubscribe { id });
            if last && let Some(ws) = self.socket.borrow_mut().take() {
                // No views left: no socket either (its close ends no view).
                let _ = ws.close();
            }
        }

        pub fn pause(&self, id: u32, paused: bool) {
            if let Some(e) = self.views.borrow_mut().get_mut(&id) {
                e.paused = paused;
            }
            self.send(&LiveRequest::Pause { id, paused });
        }

        fn on_frame(this: &Rc<Conn>, frame: LiveFrame) {
            match frame {
                LiveFrame::Batch {
                    id,
                    rows,
                    counters,
                    positions,
                } => {
                    let mut views = this.views.borrow_mut();
                    let Some(e) = views.get_mut(&id) else { return };
                    e.positions = positions;
                    e.unrendered += rows.len() as u32;
                    let v = e.view;
                    if !rows.is_empty() {
                        v.rows.update_value(|r| r.push_all(rows));
                    }
                    let now = js_sys::Date::now() as i64;
                    v.rate.update_value(|w| w.record(now, counters.seen));
                    v.counters.set(counters);
                    if matches!(
                        v.state.get_untracked(),
                        ViewState::Opening | ViewState::Reconnecting
                    ) {
                        v.state.set(if e.paused {
                            ViewState::Paused
                        } else {
                            ViewState::Live
                        });
                    }
                    drop(views);
                    Conn::request_frame(this);
                }
                LiveFrame::Gap {
                    id,
                    topic,
                    partition,
                    missed,
                } => {
                    if let Some(e) = this.views.borrow().get(&id) {
                        e.view.gaps.update(|g| {
                            g.push(Gap {
                                topic,
                                partition,
                                missed,
                            })
                        });
                    }
                }
                LiveFrame::Error { id, error } => {
                    if let Some(e) = this.views.borrow().get(&id) {
                        e.view.error.set(Some(error));
                        // Refused at the start: nothing runs. Mid-stream errors
                        // (a broker hiccup) leave the view running.
                        if e.view.state.get_untracked() == ViewState::Opening {
                            e.view.state.set(ViewState::Failed);
                        }
                    }
                }
                LiveFrame::Tapping {
                    id,
                    queue,
                    bindings,
                } => {
                    if let Some(e) = this.views.borrow().get(&id) {
                        e.view.tapping.set(Some(Tapping { queue, bindings }));
                    }
                }
                LiveFrame::Flows { id, graph } => {
                    if let Some(e) = this.views.borrow().get(&id) {
                        e.view.graph.set(Some(graph));
                        e.view.error.set(None);
                        if e.view.state.get_untracked() != ViewState::Live {
                            e.view.state.set(ViewState::Live);
                        }
                    }
                }
                LiveFrame::KeepAlive => {}
            }
        }

        /// Renders what arrived, once per animation frame, and grants the
        /// server credit for it.
        fn request_frame(this: &Rc<Conn>) {
            if this.frame.replace(true) {
                return;
            }
            let c = send_wrapper::SendWrapper::new(this.clone());
            request_animation_frame(move || {
                let c = c.take();
                c.frame.set(false);
                let mut grants = Vec::new();
                for (id, e) in c.views.borrow_mut().iter_mut() {
                    if e.unrendered > 0 {
                        e.view.version.update(|v| *v += 1);
                        grants.push((*id, std::mem::take(&mut e.unrendered)));
                    }
                }
                for (id, rows) in grants {
                    c.send(&crate::live::model::LiveRequest::Credit { id, rows });
                }
            });
        }
    }

    fn open_socket(conn: Rc<Conn>) {
        if conn.views.borrow().is_empty() {
            return;
        }
        let Some(ws) = ws_url(LIVE_WS_PATH).and_then(|u| WebSocket::new(&u).ok()) else {
            return retry(conn);
        };
        let c = conn.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            c.attempt.set(0);
            let views = c.views.borrow();
            // A refused view stays refused: asking again would only be refused again.
            for (id, e) in views
                .iter()
                .filter(|(_, e)| e.view.state.get_untracked() != ViewState::Failed)
            {
                c.subscribe(*id, e);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let c = conn.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string()
                && let Ok(frame) = serde_json::from_str::<LiveFrame>(&text)
            {
                Conn::on_frame(&c, frame);
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let c = conn.clone();
        let mine = ws.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            // Only this socket's close: a newer one may have replaced it.
            let current = c.socket.borrow().as_ref().is_some_and(|s| *s == mine);
            if !current {
                return;
            }
            c.socket.borrow_mut().take();
            let ended = ev.code() == SESSION_ENDED_CODE;
            for e in c.views.borrow().values() {
                if e.view.state.get_untracked() != ViewState::Failed {
                    e.view.state.set(if ended {
                        ViewState::SessionEnded
                    } else {
                        ViewState::Reconnecting
                    });
                }
            }
            if !ended {
                retry(c.clone());
            }
        });
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();
        *conn.socket.borrow_mut() = Some(ws);
    }

    fn retry(conn: Rc<Conn>) {
        let n = conn.attempt.get() + 1;
        conn.attempt.set(n);
        let conn = send_wrapper::SendWrapper::new(conn);
        set_timeout(
            move || {
                let conn = conn.take();
                if conn.socket.borrow().is_none() {
                    open_socket(conn);
                }
            },
            retry_delay(n),
        );
    }
}
