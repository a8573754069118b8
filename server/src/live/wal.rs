//! The write-ahead log: segment files `<data>/wal/wal-<first lsn>.log` of framed records.
//!
//! A record is `[payload length: u32 LE][crc32 of payload: u32 LE][payload]`, and a payload is
//! `[header length: u32 LE][header JSON][Arrow IPC stream of the rows]`. Records are only ever
//! appended and fsynced before any request they hold is answered, so after a crash only the last
//! record of the last segment can be incomplete: replay truncates it, never fails on it.

use arrow_array::RecordBatch;
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::StreamWriter;
use quiver_shared::tenant::TenantId;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What a record says besides its rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RecordHeader {
    /// The log sequence number: strictly increasing over the server's whole life.
    pub(crate) lsn: u64,
    /// Whose rows.
    pub(crate) tenant: TenantId,
    /// Which table.
    pub(crate) table: String,
    /// The request's idempotency label, if it had one.
    pub(crate) label: Option<String>,
    /// sha256 of the table name and body, to tell a retry from a conflicting reuse of a label.
    pub(crate) digest: String,
    /// The answer the request got, returned again to retries.
    pub(crate) response: serde_json::Value,
    /// When it was accepted (Unix seconds), for label expiry.
    pub(crate) at: i64,
}

/// One decoded record.
pub(crate) struct Record {
    pub(crate) header: RecordHeader,
    pub(crate) batch: RecordBatch,
}

/// Encodes one framed record.
pub(crate) fn encode(header: &RecordHeader, batch: &RecordBatch) -> io::Result<Vec<u8>> {
    let header = serde_json::to_vec(header)?;
    let mut payload = Vec::with_capacity(header.len() + 256 + batch.get_array_memory_size());
    payload.extend_from_slice(&(header.len() as u32).to_le_bytes());
    payload.extend_from_slice(&header);
    let mut writer = StreamWriter::try_new(&mut payload, &batch.schema()).map_err(io::Error::other)?;
    writer.write(batch).map_err(io::Error::other)?;
    writer.finish().map_err(io::Error::other)?;
    drop(writer);
    let mut framed = Vec::with_capacity(payload.len() + 8);
    framed.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    framed.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    framed.extend_from_slice(&payload);
    Ok(framed)
}

fn decode_payload(payload: &[u8]) -> Result<Record, String> {
    let header_len = u32::from_le_bytes(payload.get(..4).ok_or("short payload")?.try_into().expect("4 bytes")) as usize;
    let header = payload.get(4..4 + header_len).ok_or("short header")?;
    let header: RecordHeader = serde_json::from_slice(header).map_err(|e| e.to_string())?;
    let reader =
        StreamReader::try_new(std::io::Cursor::new(&payload[4 + header_len..]), None).map_err(|e| e.to_string())?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    let batch = arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| e.to_string())?;
    Ok(Record { header, batch })
}

/// The segments in `dir`, oldest first, with the first lsn each may hold.
pub(crate) fn segments(dir: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if let Some(first) = name.to_str().and_then(|n| n.strip_prefix("wal-")?.strip_suffix(".log")?.parse().ok()) {
            out.push((first, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Reads every whole, intact record of a segment. If the segment ends in a torn or corrupt
/// record, the file is truncated to the last good record (and the truncation fsynced).
pub(crate) fn read_segment(path: &Path) -> io::Result<Vec<Record>> {
    let bytes = std::fs::read(path)?;
    let mut records = Vec::new();
    let mut at = 0;
    let bad = loop {
        let Some(frame) = bytes.get(at..at + 8) else { break at < bytes.len() };
        let len = u32::from_le_bytes(frame[..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(frame[4..].try_into().expect("4 bytes"));
        let Some(payload) = bytes.get(at + 8..at + 8 + len) else { break true };
        if crc32fast::hash(payload) != crc {
            break true;
        }
        match decode_payload(payload) {
            Ok(record) => records.push(record),
            Err(e) => {
                tracing::warn!(path = %path.display(), offset = at, error = %e, "undecodable WAL record");
                break true;
            }
        }
        at += 8 + len;
    };
    if bad {
        tracing::warn!(path = %path.display(), kept = at, dropped = bytes.len() - at, "truncating a torn WAL tail");
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(at as u64)?;
        file.sync_all()?;
    }
    Ok(records)
}

/// The segment being appended to.
pub(crate) struct Segment {
    file: File,
    /// Where it is.
    pub(crate) path: PathBuf,
}

impl Segment {
    /// Opens (creating if needed) the segment whose first lsn is `first`, for appending.
    pub(crate) fn open(dir: &Path, first: u64) -> io::Result<Self> {
        let path = dir.join(format!("wal-{first:020}.log"));
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        sync_dir(dir)?;
        Ok(Self { file, path })
    }

    /// Appends framed records and makes them durable (one fsync for all of them).
    pub(crate) fn append(&mut self, framed: &[u8]) -> io::Result<()> {
        self.file.write_all(framed)?;
        self.file.sync_data()
    }
}

/// Makes a directory's entries (new, renamed, removed files) durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes `bytes` to `path` atomically and durably: temp file, fsync, rename, fsync directory.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}
