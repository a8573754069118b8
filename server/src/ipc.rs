//! Turns a stream of record batches into an Arrow IPC stream of bytes, one chunk per batch, so
//! a partition is never held whole in memory.

use crate::warehouse::{PartitionScan, WarehouseError};
use arrow_ipc::writer::StreamWriter;
use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};

/// The media type of the Arrow IPC streaming format.
pub const ARROW_STREAM_MEDIA_TYPE: &str = "application/vnd.apache.arrow.stream";

/// Encodes `scan` as Arrow IPC: the schema message first, then one chunk per batch, then the
/// end-of-stream marker. A read error mid-way ends the byte stream with that error, so the
/// client sees a broken transfer rather than a silently short table.
pub fn encode(scan: PartitionScan) -> BoxStream<'static, Result<Bytes, WarehouseError>> {
    let writer = match StreamWriter::try_new(Vec::new(), &scan.schema) {
        Ok(w) => w,
        Err(e) => return stream::once(async move { Err(WarehouseError::Format(e.to_string())) }).boxed(),
    };
    let state = Some((writer, scan.batches));
    stream::unfold(state, |state| async move {
        let (mut writer, mut batches) = state?;
        // The schema message is already in the buffer on the first call; each call adds one
        // batch (or the end marker) and hands out everything written so far.
        let outcome = match batches.next().await {
            Some(Ok(batch)) => writer.write(&batch).map(|()| true),
            Some(Err(e)) => return Some((Err(e), None)),
            None => writer.finish().map(|()| false),
        };
        match outcome {
            Ok(more) => {
                let chunk = Bytes::from(std::mem::take(writer.get_mut()));
                Some((Ok(chunk), more.then_some((writer, batches))))
            }
            Err(e) => Some((Err(WarehouseError::Format(e.to_string())), None)),
        }
    })
    // Compression layers may poll a finished body once more; a fused stream answers `None`
    // again instead of panicking.
    .fuse()
    .boxed()
}
