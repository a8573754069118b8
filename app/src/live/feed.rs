//! The live protocol's messages and the sequence bookkeeping, as pure logic: which pushed rows
//! to apply, which to drop because a load already holds them, and which tables to reload.
//!
//! Rules (the server's side is in `server/src/live/socket.rs`):
//! - a `rows` text header is followed by exactly one binary frame with its rows;
//! - sequence numbers increase but are not dense; a frame at or below the last one applied to
//!   its table is a duplicate (a resume replays from `after`);
//! - a load records, per partition, the `x-quiver-live-seq` of its download: a frame whose
//!   partitions all have a floor at or above its seq is already in the table and is dropped; one
//!   whose partitions all lie below is applied; a frame split between both cannot be cut by
//!   partition here, so the table is reloaded;
//! - `fell_behind` and `resync` reload the tables they name;
//! - a partition's floor is at least the last seq heard when its load started: the server
//!   accepted those rows before the download began, so the download holds them. This matters for
//!   downloads answered from the browser's cache (a `304`): they carry the seq of the first
//!   download, which may be older than what the server still keeps for a resume; taken as is, the
//!   resume would fail as `too_old`, reload, and fail again.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A text frame from the server.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ServerMessage {
    /// The greeting, with the last sequence number accepted.
    Hello {
        /// The server's last sequence number.
        seq: u64,
    },
    /// The answer to `subscribe`.
    Subscribed {
        /// The server's last sequence number.
        seq: u64,
    },
    /// Rows follow in the next (binary) frame.
    Rows(RowsHeader),
    /// Rows of these partitions up to `through_seq` were dropped for this client.
    FellBehind {
        /// The last sequence number dropped.
        through_seq: u64,
        /// The partitions whose rows were dropped.
        partitions: Vec<String>,
    },
    /// `after` cannot be resumed from: reload the subscribed tables.
    Resync {
        /// Why (`too_old`, `unknown_seq`).
        reason: String,
        /// The push goes on after this sequence number.
        seq: u64,
    },
    /// The server could not read our message: our bug.
    Error {
        /// The server's explanation.
        message: String,
    },
}

/// The header of pushed rows.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub(crate) struct RowsHeader {
    /// The ingest request's sequence number.
    pub(crate) seq: u64,
    /// The table.
    pub(crate) table: String,
    /// The partitions the rows belong to.
    pub(crate) partitions: Vec<String>,
    /// How many rows.
    pub(crate) rows: u64,
}

/// `{"type":"subscribe",…}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Subscribe {
    #[serde(rename = "type")]
    kind: &'static str,
    tables: Vec<TableRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<u64>,
}

/// One subscribed table and its days (inclusive, `None` for no bound).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct TableRange {
    /// The table.
    pub(crate) table: String,
    /// First day, `YYYY-MM-DD`.
    pub(crate) from: Option<String>,
    /// Last day.
    pub(crate) to: Option<String>,
}

/// What the session should do with a frame.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Action {
    /// Nothing (a control message, or rows already held).
    Nothing,
    /// Append these rows (the IPC bytes) to their table.
    Apply(RowsHeader, Vec<u8>),
    /// Reload these tables (all their loaded days and columns).
    Reload(BTreeSet<String>),
    /// The server refused something we sent: show it.
    Report(String),
}

/// What a table holds, in sequence numbers.
#[derive(Clone, Debug, Default, PartialEq)]
struct TableSeqs {
    /// Per partition, the `x-quiver-live-seq` of the download that loaded it.
    floors: BTreeMap<String, u64>,
    /// The last frame appended since the load.
    applied: u64,
}

impl TableSeqs {
    /// The highest seq below which every pushed row of the table is in the engine.
    fn held_through(&self) -> u64 {
        self.floors.values().copied().min().unwrap_or(0).max(self.applied)
    }
}

/// The bookkeeping of one live session (kept across reconnects).
#[derive(Clone, Debug, Default)]
pub(crate) struct Feed {
    /// The last sequence number the server told us about (hello, subscribed, rows).
    last_seen: Option<u64>,
    tables: BTreeMap<String, TableSeqs>,
    /// The header whose binary frame comes next.
    pending: Option<RowsHeader>,
    /// Tables being reloaded: the last seq heard when the load started, and the frames that
    /// wait until the load says what it holds.
    reloading: BTreeMap<String, Reloading>,
}

/// A table being (re)loaded.
#[derive(Clone, Debug, Default)]
struct Reloading {
    /// The last seq heard when the load started: the load holds every row up to it.
    seen_at_start: u64,
    waiting: Vec<(RowsHeader, Vec<u8>)>,
}

impl Feed {
    /// A table has been (re)loaded; `floors` are its partitions' `x-quiver-live-seq`. Frames that
    /// arrived while it was reloading are sorted out now and returned (in order) to apply.
    pub(crate) fn loaded(&mut self, table: &str, floors: BTreeMap<String, u64>) -> Vec<Action> {
        let Reloading { seen_at_start, waiting } = self.reloading.remove(table).unwrap_or_default();
        let floors = floors.into_iter().map(|(p, seq)| (p, seq.max(seen_at_start))).collect();
        self.tables.insert(table.to_owned(), TableSeqs { floors, applied: 0 });
        waiting.into_iter().map(|(header, bytes)| self.sort_rows(header, bytes)).collect()
    }

    /// A load of `table` failed or found nothing: the table is as it was, and the frames held
    /// meanwhile are sorted against what it held before (returned in order).
    pub(crate) fn load_failed(&mut self, table: &str) -> Vec<Action> {
        let waiting = self.reloading.remove(table).map(|r| r.waiting).unwrap_or_default();
        waiting.into_iter().map(|(header, bytes)| self.sort_rows(header, bytes)).collect()
    }

    /// A reload of `table` has started: hold its frames until [`Feed::loaded`].
    pub(crate) fn reloading(&mut self, table: &str) {
        let seen = self.last_seen.unwrap_or(0);
        self.reloading.entry(table.to_owned()).or_insert(Reloading { seen_at_start: seen, waiting: Vec::new() });
    }

    /// The connection dropped: a half-received rows message is forgotten (the resume replays it).
    pub(crate) fn disconnected(&mut self) {
        self.pending = None;
    }

    /// The `after` to resume from: the last seq every loaded table holds everything up to, and
    /// no later than what the server last told us. `None` before anything is known (a first
    /// connection: nothing to resume).
    pub(crate) fn resume_after(&self) -> Option<u64> {
        let held = self.tables.values().map(TableSeqs::held_through).min();
        match (held, self.last_seen) {
            (Some(held), Some(seen)) => Some(held.min(seen)),
            (Some(held), None) => Some(held),
            (None, seen) => seen,
        }
    }

    /// The subscribe message for `tables`, resuming from [`Feed::resume_after`].
    pub(crate) fn subscribe(&self, tables: Vec<TableRange>) -> Subscribe {
        Subscribe { kind: "subscribe", tables, after: self.resume_after() }
    }

    /// A text frame arrived.
    pub(crate) fn text(&mut self, text: &str) -> Action {
        let message: ServerMessage = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) => return Action::Report(format!("the live feed sent a message this app does not know: {e}")),
        };
        match message {
            ServerMessage::Hello { seq } | ServerMessage::Subscribed { seq } => {
                self.see(seq);
                Action::Nothing
            }
            ServerMessage::Rows(header) => {
                self.pending = Some(header);
                Action::Nothing
            }
            ServerMessage::FellBehind { through_seq, partitions } => {
                self.see(through_seq);
                let tables: BTreeSet<String> = self
                    .tables
                    .iter()
                    .filter(|(_, seqs)| partitions.iter().any(|p| seqs.floors.contains_key(p)))
                    .map(|(name, _)| name.clone())
                    .collect();
                // A partition the table did not have at load time (a new day) names no table:
                // reload every table then, rather than lose its rows.
                let tables = if tables.is_empty() { self.tables.keys().cloned().collect() } else { tables };
                Action::Reload(tables)
            }
            ServerMessage::Resync { seq, .. } => {
                self.see(seq);
                Action::Reload(self.tables.keys().cloned().collect())
            }
            ServerMessage::Error { message } => Action::Report(message),
        }
    }

    /// A binary frame arrived: the rows of the last header.
    pub(crate) fn binary(&mut self, bytes: Vec<u8>) -> Action {
        let Some(header) = self.pending.take() else {
            return Action::Report("the live feed sent rows without a header".to_owned());
        };
        self.see(header.seq);
        if let Some(reloading) = self.reloading.get_mut(&header.table) {
            reloading.waiting.push((header, bytes));
            return Action::Nothing;
        }
        self.sort_rows(header, bytes)
    }

    fn sort_rows(&mut self, header: RowsHeader, bytes: Vec<u8>) -> Action {
        let Some(seqs) = self.tables.get_mut(&header.table) else { return Action::Nothing };
        if header.seq <= seqs.applied {
            return Action::Nothing;
        }
        let held = |p: &String| seqs.floors.get(p).is_some_and(|floor| *floor >= header.seq);
        let all_held = header.partitions.iter().all(held);
        let none_held = !header.partitions.iter().any(held);
        if all_held {
            Action::Nothing
        } else if none_held {
            seqs.applied = header.seq;
            Action::Apply(header, bytes)
        } else {
            Action::Reload(BTreeSet::from([header.table]))
        }
    }

    fn see(&mut self, seq: u64) {
        self.last_seen = Some(self.last_seen.map_or(seq, |s| s.max(seq)));
    }
}

#[cfg(test)]
mod tests;
