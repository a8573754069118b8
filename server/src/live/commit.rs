//! Group commit: one writer thread takes every append request queued at the moment, writes
//! their records, fsyncs once, applies them (hot rows, labels, websocket frames) and only then
//! answers them all.

use super::hot::PartKey;
use super::hub::{self, Frame};
use super::wal::{self, RecordHeader, Segment};
use super::{LabelEntry, Live, LiveError};
use arrow_array::RecordBatch;
use chrono::NaiveDate;
use quiver_shared::tenant::TenantId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Weak};
use tokio::sync::oneshot;

/// Most requests in one group: bounds the latency a huge queue adds to its first request.
const MAX_GROUP: usize = 1024;

/// How a request ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Committed {
    /// Written and durable now; the answer.
    Accepted(serde_json::Value),
    /// The label was accepted before for this body; the original answer, nothing written.
    Replayed(serde_json::Value),
}

/// Group-commit counters since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitStats {
    /// fsyncs of the log.
    pub groups: u64,
    /// Records written.
    pub records: u64,
    /// Rows written.
    pub rows: u64,
    /// The most records one fsync covered.
    pub largest_group: u64,
}

/// Where a request's outcome goes.
type Reply = oneshot::Sender<Result<Committed, LiveError>>;

/// A request's rows split by partition day.
type DayParts = Vec<(Option<NaiveDate>, RecordBatch)>;

/// One request to append.
pub(crate) struct Append {
    pub(crate) tenant: TenantId,
    pub(crate) table: String,
    pub(crate) label: Option<String>,
    pub(crate) digest: String,
    pub(crate) batch: RecordBatch,
    pub(crate) parts: DayParts,
    pub(crate) reply: Reply,
}

pub(crate) enum Command {
    Append(Append),
    /// Start a new segment; answers the last lsn of the old ones.
    Rotate(oneshot::Sender<Result<u64, LiveError>>),
}

/// The sending side, held by [`Live`].
pub(crate) struct Committer {
    tx: mpsc::Sender<Command>,
    groups: Arc<[AtomicU64; 4]>,
}

impl Committer {
    pub(crate) fn new() -> (Self, Receiver) {
        let (tx, rx) = mpsc::channel();
        let groups: Arc<[AtomicU64; 4]> = Arc::new(Default::default());
        (Self { tx, groups: groups.clone() }, Receiver { rx, groups })
    }

    pub(crate) fn stats(&self) -> CommitStats {
        let g = &self.groups;
        CommitStats {
            groups: g[0].load(Ordering::Relaxed),
            records: g[1].load(Ordering::Relaxed),
            rows: g[2].load(Ordering::Relaxed),
            largest_group: g[3].load(Ordering::Relaxed),
        }
    }

    pub(crate) fn send(&self, command: Command) -> Result<(), LiveError> {
        self.tx.send(command).map_err(|_| LiveError::Stopped)
    }
}

/// The writer thread's end.
pub(crate) struct Receiver {
    rx: mpsc::Receiver<Command>,
    groups: Arc<[AtomicU64; 4]>,
}

/// Starts the writer thread. It ends when the [`Live`] is dropped.
pub(crate) fn spawn_writer(
    live: Weak<Live>,
    receiver: Receiver,
    segment: Segment,
    next_lsn: u64,
) -> std::io::Result<()> {
    let mut writer = Writer { live, segment, next_lsn, stopped: false, groups: receiver.groups };
    std::thread::Builder::new().name("quiver-wal".into()).spawn(move || {
        while let Ok(first) = receiver.rx.recv() {
            let mut commands = vec![first];
            while commands.len() < MAX_GROUP {
                match receiver.rx.try_recv() {
                    Ok(c) => commands.push(c),
                    Err(_) => break,
                }
            }
            let mut group = Vec::new();
            for command in commands {
                match command {
                    Command::Append(a) => group.push(a),
                    Command::Rotate(reply) => {
                        writer.commit(std::mem::take(&mut group));
                        let _ = reply.send(writer.rotate());
                    }
                }
            }
            writer.commit(group);
        }
    })?;
    Ok(())
}

struct Writer {
    live: Weak<Live>,
    segment: Segment,
    next_lsn: u64,
    /// Set after a failed write: what is on disk is uncertain, so nothing more is accepted.
    stopped: bool,
    groups: Arc<[AtomicU64; 4]>,
}

impl Writer {
    fn rotate(&mut self) -> Result<u64, LiveError> {
        if self.stopped {
            return Err(LiveError::Stopped);
        }
        let dir = self.segment.path.parent().expect("segments live in a directory").to_path_buf();
        self.segment = Segment::open(&dir, self.next_lsn)?;
        Ok(self.next_lsn - 1)
    }

    fn commit(&mut self, group: Vec<Append>) {
        if group.is_empty() {
            return;
        }
        let Some(live) = self.live.upgrade() else { return };
        if self.stopped {
            for a in group {
                let _ = a.reply.send(Err(LiveError::Stopped));
            }
            return;
        }
        let now = chrono::Utc::now().timestamp();
        let mut framed = Vec::new();
        let mut replies: Vec<(Reply, Result<Committed, LiveError>)> = Vec::new();
        let mut accepted: Vec<(RecordHeader, DayParts)> = Vec::new();
        // Labels taken by earlier requests of this same group.
        let mut taken: HashMap<(TenantId, String), (String, serde_json::Value)> = HashMap::new();
        let mut rows = 0u64;
        for a in group {
            if let Some(label) = &a.label {
                let key = (a.tenant.clone(), label.clone());
                let earlier = taken.get(&key).map(|(d, r)| (d.clone(), r.clone())).or_else(|| {
                    live.labels.lock().expect("poisoned").get(&key).map(|e| (e.digest.clone(), e.response.clone()))
                });
                if let Some((digest, response)) = earlier {
                    let outcome = if digest == a.digest {
                        Ok(Committed::Replayed(response))
                    } else {
                        Err(LiveError::LabelConflict(label.clone()))
                    };
                    replies.push((a.reply, outcome));
                    continue;
                }
            }
            let lsn = self.next_lsn;
            let response = serde_json::json!({
                "table": a.table,
                "rows": a.batch.num_rows(),
                "label": a.label,
                "seq": lsn,
            });
            let header = RecordHeader {
                lsn,
                tenant: a.tenant.clone(),
                table: a.table.clone(),
                label: a.label.clone(),
                digest: a.digest.clone(),
                response: response.clone(),
                at: now,
            };
            match wal::encode(&header, &a.batch) {
                Ok(bytes) => framed.extend_from_slice(&bytes),
                Err(e) => {
                    replies.push((a.reply, Err(e.into())));
                    continue;
                }
            }
            self.next_lsn += 1;
            rows += a.batch.num_rows() as u64;
            if let Some(label) = &a.label {
                taken.insert((a.tenant.clone(), label.clone()), (a.digest.clone(), response.clone()));
            }
            replies.push((a.reply, Ok(Committed::Accepted(response))));
            accepted.push((header, a.parts));
        }
        if !accepted.is_empty() {
            if let Err(e) = self.segment.append(&framed) {
                tracing::error!(error = %e, "write-ahead log append failed; refusing further writes");
                self.stopped = true;
                for (reply, _) in replies {
                    let _ = reply.send(Err(LiveError::Stopped));
                }
                return;
            }
            let g = &self.groups;
            g[0].fetch_add(1, Ordering::Relaxed);
            g[1].fetch_add(accepted.len() as u64, Ordering::Relaxed);
            g[2].fetch_add(rows, Ordering::Relaxed);
            g[3].fetch_max(accepted.len() as u64, Ordering::Relaxed);
            live.apply(accepted);
        }
        for (reply, outcome) in replies {
            let _ = reply.send(outcome);
        }
    }
}

impl Live {
    /// Makes accepted records visible: hot rows, labels and websocket frames, under the view's
    /// write lock so a reader's `applied` always matches what it sees.
    fn apply(&self, accepted: Vec<(RecordHeader, DayParts)>) {
        let mut view = self.view.blocking_write();
        let mut labels = self.labels.lock().expect("poisoned");
        for (h, parts) in accepted {
            for (date, batch) in &parts {
                let key = PartKey { tenant: h.tenant.clone(), table: h.table.clone(), date: *date };
                view.hot.insert(key, h.lsn, batch.clone());
            }
            if let Some(label) = &h.label {
                labels.insert(
                    (h.tenant.clone(), label.clone()),
                    LabelEntry {
                        tenant: h.tenant.clone(),
                        label: label.clone(),
                        table: h.table.clone(),
                        digest: h.digest.clone(),
                        response: h.response.clone(),
                        at: h.at,
                    },
                );
            }
            view.applied = h.lsn;
            let parts = parts.into_iter().map(|(date, batch)| (hub::partition_id(&h.tenant, date), batch)).collect();
            self.hub.publish(&h.tenant, Frame::new(h.lsn, h.table.clone(), parts));
        }
    }

    /// Appends one validated batch of `tenant`'s `table` to the log (group commit) and waits
    /// until it is durable and visible. `digest` identifies the body for the idempotency label.
    pub async fn ingest(
        &self,
        tenant: &TenantId,
        table: &str,
        meta: &super::TableMeta,
        label: Option<String>,
        digest: String,
        batch: RecordBatch,
    ) -> Result<Committed, LiveError> {
        let parts = super::hot::split_by_day(&batch, meta.day_column).map_err(|e| LiveError::Format(e.to_string()))?;
        let (reply, rx) = oneshot::channel();
        let append = Append { tenant: tenant.clone(), table: table.to_owned(), label, digest, batch, parts, reply };
        self.commits.send(Command::Append(append))?;
        rx.await.map_err(|_| LiveError::Stopped)?
    }

    /// Starts a new log segment; returns the last lsn in the older ones.
    pub(crate) async fn rotate(&self) -> Result<u64, LiveError> {
        let (tx, rx) = oneshot::channel();
        self.commits.send(Command::Rotate(tx))?;
        rx.await.map_err(|_| LiveError::Stopped)?
    }
}
