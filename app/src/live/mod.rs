//! Live data in the browser: one websocket session per signed-in page, which appends pushed rows
//! to the loaded tables, reloads what it cannot patch, and tells the views which tables changed.
//!
//! The session subscribes to every table in the engine with the days it holds. Pushed rows are
//! sorted by [`feed::Feed`] (apply, drop as already held, or reload) and appended with
//! `Engine::append`; each append bumps the table's version in [`LiveState::versions`], which the
//! pivot and analysis views watch. Pausing closes the socket; resuming reconnects with
//! `?after=<the last seq every table holds>`, so the server replays what was missed (or, when it
//! no longer has it, answers `resync` and the tables are reloaded).

pub(crate) mod feed;

use crate::error::AppError;
use crate::infra::live::{LiveSocket, SocketEvent};
use crate::infra::{browser, clock};
use crate::load::load_table;
use crate::state::{AppState, Session};
use feed::{Action, Feed, TableRange};
use futures::StreamExt;
use leptos::prelude::*;
use leptos::task::spawn_local;
use quiver_engine::decode_ipc_stream;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// The first wait before reconnecting; doubled after each failed attempt up to [`MAX_BACKOFF_MS`].
const FIRST_BACKOFF_MS: i32 = 500;
/// The longest wait between reconnection attempts.
const MAX_BACKOFF_MS: i32 = 15_000;

/// Where the live connection stands (`data-state` of `#live-status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LiveStatus {
    /// Not started (signed out, or the catalogue is not in yet).
    Off,
    /// Opening the first connection.
    Connecting,
    /// Connected: pushed rows arrive.
    Connected,
    /// The connection dropped; trying again.
    Reconnecting,
    /// Paused by the user: no connection; resuming catches up.
    Paused,
}

impl LiveStatus {
    /// The `data-state` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LiveStatus::Off => "off",
            LiveStatus::Connecting => "connecting",
            LiveStatus::Connected => "connected",
            LiveStatus::Reconnecting => "reconnecting",
            LiveStatus::Paused => "paused",
        }
    }
}

/// A batch of pushed rows appended to a table, kept so that a view can fold just the new rows
/// into what it computed before (the pivot's incremental refresh).
#[derive(Clone, Debug)]
pub(crate) struct Delta {
    /// The table's version after this delta.
    pub(crate) version: u64,
    /// The rows, with exactly the table's columns.
    pub(crate) batches: Vec<quiver_engine::RecordBatch>,
}

/// Deltas kept per table: enough for a few seconds of heavy traffic between two view refreshes.
const KEPT_DELTAS: usize = 512;

/// The live session's state, in the app state.
#[derive(Clone, Copy)]
pub(crate) struct LiveState {
    /// The connection.
    pub(crate) status: RwSignal<LiveStatus>,
    /// When rows were last appended (microseconds since the epoch, the browser's clock).
    pub(crate) last_update: RwSignal<Option<i64>>,
    /// Rows appended since the page opened.
    pub(crate) rows_received: RwSignal<u64>,
    /// Per table, a number that changes whenever its rows change (appends and reloads).
    pub(crate) versions: RwSignal<BTreeMap<String, u64>>,
    /// Per table, the recent deltas, oldest first.
    deltas: StoredValue<BTreeMap<String, Vec<Delta>>>,
    feed: StoredValue<Feed>,
    socket: StoredValue<Option<Rc<LiveSocket>>, LocalStorage>,
    started: StoredValue<bool>,
}

impl LiveState {
    pub(crate) fn new() -> Self {
        Self {
            status: RwSignal::new(LiveStatus::Off),
            last_update: RwSignal::new(None),
            rows_received: RwSignal::new(0),
            versions: RwSignal::new(BTreeMap::new()),
            deltas: StoredValue::new(BTreeMap::new()),
            feed: StoredValue::new(Feed::default()),
            socket: StoredValue::new_local(None),
            started: StoredValue::new(false),
        }
    }

    /// The version of `table`'s rows (tracked).
    pub(crate) fn version(&self, table: &str) -> u64 {
        self.versions.with(|v| v.get(table).copied().unwrap_or(0))
    }

    /// The deltas of `table` after `version`, if every one of them is still kept and none was a
    /// reload (which changes the version without a delta); `None` means: recompute from the table.
    pub(crate) fn deltas_since(&self, table: &str, version: u64) -> Option<Vec<Delta>> {
        let current = self.versions.with_untracked(|v| v.get(table).copied().unwrap_or(0));
        self.deltas.with_value(|d| complete_since(d.get(table)?, current, version))
    }

    /// Whether the user has paused live updates (tracked).
    pub(crate) fn is_paused(&self) -> bool {
        self.status.get() == LiveStatus::Paused
    }

    /// Pauses: closes the connection. Rows pushed meanwhile are not received; resuming asks the
    /// server for them (`?after=`), or reloads the tables if it no longer has them.
    pub(crate) fn pause(&self) {
        self.status.set(LiveStatus::Paused);
        self.socket.set_value(None);
    }

    /// Resumes after [`LiveState::pause`].
    pub(crate) fn resume(&self) {
        if self.status.get_untracked() == LiveStatus::Paused {
            self.status.set(LiveStatus::Reconnecting);
        }
    }

    /// A load of `table` has started: hold its pushed rows until the load says what it holds.
    pub(crate) fn load_started(&self, table: &str) {
        self.feed.update_value(|f| f.reloading(table));
    }

    /// A load of `table` has ended: `live_seqs` are its partitions' `x-quiver-live-seq` on success
    /// (`None` when it failed or found nothing, and the table stays as it was).
    pub(crate) fn load_ended(&self, state: AppState, table: &str, live_seqs: Option<BTreeMap<String, u64>>) {
        let registered = live_seqs.is_some();
        let mut actions = Vec::new();
        self.feed.update_value(|f| {
            actions = match live_seqs {
                Some(seqs) => f.loaded(table, seqs),
                None => f.load_failed(table),
            }
        });
        if registered {
            // The table was replaced: views recompute from it, not from deltas.
            self.deltas.update_value(|d| {
                d.remove(table);
            });
            self.versions.update(|v| *v.entry(table.to_owned()).or_default() += 1);
        }
        for action in actions {
            handle(state, action);
        }
        subscribe(state);
    }
}

/// The deltas after `version` when they lead exactly to `current`: versions go up by one per
/// delta, so a gap is a reload (which bumps the version without a delta) or deltas no longer kept.
fn complete_since(kept: &[Delta], current: u64, version: u64) -> Option<Vec<Delta>> {
    let since: Vec<Delta> = kept.iter().filter(|d| d.version > version).cloned().collect();
    let complete = since.len() as u64 == current.checked_sub(version)?
        && since.iter().zip(version + 1..).all(|(d, v)| d.version == v);
    complete.then_some(since)
}

/// Starts the session once per page view (after the catalogue is in).
pub(crate) fn start(state: AppState) {
    let live = state.live;
    if live.started.get_value() {
        return;
    }
    live.started.set_value(true);
    spawn_local(run(state));
}

async fn run(state: AppState) {
    let live = state.live;
    let mut backoff = FIRST_BACKOFF_MS;
    let mut ever_connected = false;
    loop {
        let Session::SignedIn(token) = state.session.get_untracked() else {
            live.status.set(LiveStatus::Off);
            live.started.set_value(false);
            return;
        };
        if live.status.get_untracked() == LiveStatus::Paused {
            clock::sleep(200).await;
            continue;
        }
        live.status.set(if ever_connected { LiveStatus::Reconnecting } else { LiveStatus::Connecting });
        let after = live.feed.with_value(Feed::resume_after);
        let (socket, mut events) = match LiveSocket::open(&token, after) {
            Ok(opened) => opened,
            Err(error) => {
                state.fail(AppError::Live(error));
                return;
            }
        };
        live.socket.set_value(Some(Rc::new(socket)));
        let mut opened = false;
        // Ends when the socket closes, or when a pause drops it (which ends this stream).
        while let Some(event) = events.next().await {
            match event {
                SocketEvent::Open => {
                    opened = true;
                    ever_connected = true;
                    backoff = FIRST_BACKOFF_MS;
                    live.status.set(LiveStatus::Connected);
                    if state.error.with_untracked(|e| matches!(e, Some(AppError::Live(_)))) {
                        state.error.set(None);
                    }
                    subscribe(state);
                }
                SocketEvent::Text(text) => {
                    let mut action = Action::Nothing;
                    live.feed.update_value(|f| action = f.text(&text));
                    handle(state, action);
                }
                SocketEvent::Binary(bytes) => {
                    let mut action = Action::Nothing;
                    live.feed.update_value(|f| action = f.binary(bytes));
                    handle(state, action);
                }
                SocketEvent::Closed(code, reason) => {
                    if live.status.get_untracked() == LiveStatus::Connected {
                        let why = if reason.is_empty() { format!("code {code}") } else { format!("{reason} ({code})") };
                        state.fail(AppError::Live(format!("the live connection closed: {why}; reconnecting")));
                    }
                    break;
                }
            }
        }
        live.socket.set_value(None);
        live.feed.update_value(Feed::disconnected);
        if live.status.get_untracked() == LiveStatus::Paused {
            continue;
        }
        if !opened {
            if backoff == FIRST_BACKOFF_MS {
                state.fail(AppError::Live("the live connection could not be opened; retrying".to_owned()));
            }
            clock::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF_MS);
        } else {
            clock::sleep(FIRST_BACKOFF_MS).await;
        }
    }
}

/// Sends the subscription for every loaded table, if connected.
fn subscribe(state: AppState) {
    let Some(socket) = state.live.socket.get_value() else { return };
    let tables: Vec<TableRange> = state.loaded.with_untracked(|loaded| {
        loaded
            .iter()
            .map(|t| TableRange {
                table: t.name.clone(),
                from: t.days.0.map(|d| d.format("%Y-%m-%d").to_string()),
                to: t.days.1.map(|d| d.format("%Y-%m-%d").to_string()),
            })
            .collect()
    });
    let message = state.live.feed.with_value(|f| f.subscribe(tables));
    if let Ok(text) = serde_json::to_string(&message) {
        // A closed socket reconnects and subscribes again on open.
        socket.send(&text);
    }
}

fn handle(state: AppState, action: Action) {
    match action {
        Action::Nothing => {}
        Action::Apply(header, bytes) => {
            if let Err(error) = apply(state, &header.table, &bytes) {
                state.fail(error);
            }
        }
        Action::Reload(tables) => reload(state, tables),
        Action::Report(message) => state.fail(AppError::Live(message)),
    }
}

fn apply(state: AppState, table: &str, bytes: &[u8]) -> Result<(), AppError> {
    let decoded =
        decode_ipc_stream(bytes).map_err(|e| AppError::Decode { table: table.to_owned(), detail: e.to_string() })?;
    let engine = state.engine()?;
    let batches = engine.append(table, &decoded.batches).map_err(|e| AppError::Engine(e.to_string()))?;
    let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
    let live = state.live;
    let mut version = 0;
    live.versions.update(|v| {
        let entry = v.entry(table.to_owned()).or_default();
        *entry += 1;
        version = *entry;
    });
    live.deltas.update_value(|d| {
        let kept = d.entry(table.to_owned()).or_default();
        kept.push(Delta { version, batches });
        if kept.len() > KEPT_DELTAS {
            kept.drain(..kept.len() - KEPT_DELTAS);
        }
    });
    // `state.loaded` keeps the loaded row count: updating it on every delta would re-run
    // everything that watches the loaded tables (filter value lists, …) 20 times a second.
    live.rows_received.update(|n| *n += rows);
    live.last_update.set(Some(browser::wall_clock_micros()));
    Ok(())
}

/// Reloads `tables` one after the other (one load at a time, as the load panel shows one).
fn reload(state: AppState, tables: BTreeSet<String>) {
    let requests: Vec<_> = state.loaded.with_untracked(|loaded| {
        loaded.iter().filter(|t| tables.contains(&t.name)).map(|t| t.reload.clone()).collect()
    });
    for request in &requests {
        state.live.load_started(&request.table);
    }
    spawn_local(async move {
        for request in requests {
            while state.is_loading_untracked() {
                clock::sleep(100).await;
            }
            load_table(state, request).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{Delta, complete_since};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[track_caller]
    fn check(kept: &[u64], current: u64, version: u64, expected: Option<&[u64]>) {
        let kept: Vec<Delta> = kept.iter().map(|&version| Delta { version, batches: Vec::new() }).collect();
        let got = complete_since(&kept, current, version).map(|d| d.iter().map(|d| d.version).collect::<Vec<_>>());
        assert_eq!(got.as_deref(), expected, "kept {kept:?}, current {current}, since {version}");
    }

    #[wasm_bindgen_test]
    fn a_refresh_folds_deltas_only_when_none_is_missing() {
        check(&[3, 4, 5], 5, 2, Some(&[3, 4, 5]));
        check(&[3, 4, 5], 5, 4, Some(&[5]));
        check(&[3, 4, 5], 5, 5, Some(&[]));
        // Delta 3 is no longer kept.
        check(&[4, 5], 5, 2, None);
        // A reload bumped the version to 6 without a delta.
        check(&[3, 4, 5], 6, 2, None);
        // After a reload (6) the deltas start again at 7.
        check(&[7, 8], 8, 6, Some(&[7, 8]));
        // A view newer than the table (cannot happen, but must not fold).
        check(&[3], 3, 4, None);
    }
}
