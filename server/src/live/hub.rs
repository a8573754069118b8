//! Fan-out of accepted rows to websocket clients: one feed per tenant with a bounded ring of
//! recent frames (for resuming), and one bounded queue per client.
//!
//! Publishing never waits for a client: a full queue marks the client as behind (remembering
//! which partitions it missed) and the client's own task tells it so once it has drained what
//! was queued. So one slow client can neither stall the log writer nor any other client.

use crate::warehouse::DateRange;
use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;
use bytes::Bytes;
use chrono::NaiveDate;
use quiver_shared::partition::PartitionId;
use quiver_shared::tenant::TenantId;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use tokio::sync::{Notify, mpsc};

/// The rows one accepted request added to one table, as pushed to clients.
#[derive(Debug)]
pub(crate) struct Frame {
    /// The request's log sequence number: increasing, not dense (other tenants' and tables'
    /// requests take numbers too).
    pub(crate) seq: u64,
    pub(crate) table: String,
    /// The rows by partition.
    pub(crate) parts: Vec<(PartitionId, RecordBatch)>,
    full: OnceLock<(String, Bytes)>,
}

impl Frame {
    pub(crate) fn new(seq: u64, table: String, parts: Vec<(PartitionId, RecordBatch)>) -> Self {
        Self { seq, table, parts, full: OnceLock::new() }
    }

    /// What a client subscribed to `range` is sent: the JSON header and the rows of the
    /// partitions inside `range` as an Arrow IPC stream; `None` if none are inside. The common
    /// case (all of them) is encoded once and shared by every client.
    pub(crate) fn message(&self, range: &DateRange) -> Option<(String, Bytes)> {
        let inside: Vec<&(PartitionId, RecordBatch)> =
            self.parts.iter().filter(|(p, _)| range.contains(p.date)).collect();
        if inside.is_empty() {
            return None;
        }
        let build = || {
            let ids: Vec<String> = inside.iter().map(|(p, _)| p.to_string()).collect();
            let rows: usize = inside.iter().map(|(_, b)| b.num_rows()).sum();
            let header = serde_json::json!({
                "type": "rows",
                "seq": self.seq,
                "table": self.table,
                "partitions": ids,
                "rows": rows,
            });
            (header.to_string(), encode(inside.iter().map(|(_, b)| b)))
        };
        if inside.len() == self.parts.len() { Some(self.full.get_or_init(build).clone()) } else { Some(build()) }
    }

    /// [`Frame::message`] for a client whose row rules (on this table) are `rules`: its rows
    /// filtered by them, encoded for this client alone; `None` when no row is left.
    pub(crate) fn message_for(
        &self,
        range: &DateRange,
        rules: &[&crate::row_rules::RowRule],
    ) -> Result<Option<(String, Bytes)>, arrow_schema::ArrowError> {
        if rules.is_empty() {
            return Ok(self.message(range));
        }
        let mut kept = Vec::new();
        for (partition, batch) in self.parts.iter().filter(|(p, _)| range.contains(p.date)) {
            let batch = crate::row_rules::restrict(batch, rules)?;
            if batch.num_rows() > 0 {
                kept.push((partition.to_string(), batch));
            }
        }
        if kept.is_empty() {
            return Ok(None);
        }
        let header = serde_json::json!({
            "type": "rows",
            "seq": self.seq,
            "table": self.table,
            "partitions": kept.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
            "rows": kept.iter().map(|(_, b)| b.num_rows()).sum::<usize>(),
        });
        Ok(Some((header.to_string(), encode(kept.iter().map(|(_, b)| b)))))
    }

    fn touches(&self, range: &DateRange) -> Vec<String> {
        self.parts.iter().filter(|(p, _)| range.contains(p.date)).map(|(p, _)| p.to_string()).collect()
    }
}

fn encode<'a>(batches: impl Iterator<Item = &'a RecordBatch>) -> Bytes {
    let mut batches = batches.peekable();
    let Some(first) = batches.peek() else { return Bytes::new() };
    let mut out = Vec::new();
    let mut writer = StreamWriter::try_new(&mut out, &first.schema()).expect("a batch's own schema encodes");
    for batch in batches {
        writer.write(batch).expect("in-memory IPC writes cannot fail");
    }
    writer.finish().expect("in-memory IPC writes cannot fail");
    drop(writer);
    Bytes::from(out)
}

/// What a client subscribed to: a table and a range of partition days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subscription {
    pub(crate) table: String,
    pub(crate) range: DateRange,
}

/// What a client's task sends next.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Rows.
    Frame(Arc<Frame>),
    /// A control message (JSON text frame).
    Control(serde_json::Value),
}

/// Frames a client missed because its queue was full.
#[derive(Debug, Default)]
pub(crate) struct Behind {
    pub(crate) partitions: BTreeSet<String>,
    pub(crate) through_seq: u64,
}

/// One connected websocket.
#[derive(Debug)]
pub(crate) struct ClientSlot {
    subs: Mutex<Vec<Subscription>>,
    tx: mpsc::Sender<Outgoing>,
    behind: Mutex<Option<Behind>>,
    /// Wakes the client's task when it falls behind (its queue may be empty by then).
    pub(crate) wake: Notify,
}

impl ClientSlot {
    /// The client's subscription to `table`, if any.
    pub(crate) fn range_of(&self, table: &str) -> Option<DateRange> {
        self.subs.lock().expect("poisoned").iter().find(|s| s.table == table).map(|s| s.range)
    }

    /// Takes the record of missed frames, if the client fell behind.
    pub(crate) fn take_behind(&self) -> Option<Behind> {
        self.behind.lock().expect("poisoned").take()
    }

    /// Queues `out` unless the client is behind or its queue is full; returns false once the
    /// client is gone.
    fn deliver(&self, out: Outgoing, missed: impl FnOnce() -> (Vec<String>, u64)) -> bool {
        let mut behind = self.behind.lock().expect("poisoned");
        if let Some(b) = behind.as_mut() {
            let (parts, seq) = missed();
            b.partitions.extend(parts);
            b.through_seq = b.through_seq.max(seq);
            return true;
        }
        match self.tx.try_send(out) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                let (parts, seq) = missed();
                *behind = Some(Behind { partitions: parts.into_iter().collect(), through_seq: seq });
                self.wake.notify_one();
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    fn offer(&self, frame: &Arc<Frame>) -> bool {
        let Some(range) = self.range_of(&frame.table) else { return true };
        let touched = frame.touches(&range);
        if touched.is_empty() {
            return true;
        }
        self.deliver(Outgoing::Frame(frame.clone()), || (touched, frame.seq))
    }
}

#[derive(Debug, Default)]
struct Feed {
    ring: VecDeque<Arc<Frame>>,
    /// Every frame of this tenant with a greater sequence number is in `ring`.
    floor: u64,
    clients: Vec<Weak<ClientSlot>>,
}

#[derive(Debug, Default)]
struct HubState {
    feeds: HashMap<TenantId, Feed>,
    /// The last sequence number published (of any tenant).
    last_seq: u64,
    /// The floor of feeds created from now on.
    floor: u64,
}

/// The fan-out of all tenants.
#[derive(Debug)]
pub(crate) struct Hub {
    state: Mutex<HubState>,
    ring_frames: usize,
    client_queue: usize,
}

/// Why a resume (`after`) cannot be served from the ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResumeGap {
    /// Frames after `after` were already dropped from the ring (or before a restart).
    TooOld,
    /// `after` is a number this server never gave out.
    Unknown,
}

impl Hub {
    /// A hub whose rings hold nothing at or below `floor` (the last sequence number before
    /// start-up that is not replayed into the rings).
    pub(crate) fn new(ring_frames: usize, client_queue: usize, floor: u64) -> Self {
        let state = HubState { floor, last_seq: floor, ..HubState::default() };
        Self { state: Mutex::new(state), ring_frames: ring_frames.max(1), client_queue: client_queue.max(1) }
    }

    /// The last sequence number published.
    pub(crate) fn last_seq(&self) -> u64 {
        self.state.lock().expect("poisoned").last_seq
    }

    /// Records that every sequence number up to `seq` was given out (records replayed at start
    /// whose rows were already compacted publish nothing).
    pub(crate) fn note_seq(&self, seq: u64) {
        let mut state = self.state.lock().expect("poisoned");
        state.last_seq = state.last_seq.max(seq);
    }

    /// Adds a frame to `tenant`'s ring and offers it to that tenant's clients only.
    pub(crate) fn publish(&self, tenant: &TenantId, frame: Frame) {
        let frame = Arc::new(frame);
        let mut state = self.state.lock().expect("poisoned");
        state.last_seq = state.last_seq.max(frame.seq);
        let floor = state.floor;
        let feed = state.feeds.entry(tenant.clone()).or_insert_with(|| Feed { floor, ..Feed::default() });
        feed.ring.push_back(frame.clone());
        while feed.ring.len() > self.ring_frames {
            if let Some(old) = feed.ring.pop_front() {
                feed.floor = feed.floor.max(old.seq);
            }
        }
        feed.clients.retain(|c| c.upgrade().is_some_and(|c| c.offer(&frame)));
    }

    /// A new client of `tenant`, and the receiving end of its queue.
    pub(crate) fn connect(&self, tenant: &TenantId) -> (Arc<ClientSlot>, mpsc::Receiver<Outgoing>) {
        let (tx, rx) = mpsc::channel(self.client_queue);
        let slot =
            Arc::new(ClientSlot { subs: Mutex::new(Vec::new()), tx, behind: Mutex::new(None), wake: Notify::new() });
        let mut state = self.state.lock().expect("poisoned");
        let floor = state.floor;
        let feed = state.feeds.entry(tenant.clone()).or_insert_with(|| Feed { floor, ..Feed::default() });
        feed.clients.push(Arc::downgrade(&slot));
        (slot, rx)
    }

    /// Sets a client's subscriptions and, with `after`, queues the ring's frames after it that
    /// match them. The hub's lock is held throughout, so no frame is skipped or queued twice
    /// between the replay and the live stream.
    pub(crate) fn subscribe(
        &self,
        tenant: &TenantId,
        slot: &ClientSlot,
        subs: Vec<Subscription>,
        after: Option<u64>,
    ) -> Result<u64, ResumeGap> {
        let mut state = self.state.lock().expect("poisoned");
        *slot.subs.lock().expect("poisoned") = subs;
        let last = state.last_seq;
        let floor = state.floor;
        let Some(after) = after else { return Ok(last) };
        if after > last {
            return Err(ResumeGap::Unknown);
        }
        let feed = state.feeds.entry(tenant.clone()).or_insert_with(|| Feed { floor, ..Feed::default() });
        if after < feed.floor {
            return Err(ResumeGap::TooOld);
        }
        for frame in feed.ring.iter().filter(|f| f.seq > after) {
            slot.offer(frame);
        }
        Ok(last)
    }
}

/// A frame's partition ids for `tenant`'s `parts` (day partitions are always part 0).
pub(crate) fn partition_id(tenant: &TenantId, date: Option<NaiveDate>) -> PartitionId {
    PartitionId { tenant: tenant.clone(), date, part: 0 }
}
