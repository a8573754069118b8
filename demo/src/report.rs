//! What a generation run produced: rows, files and bytes per table.

use std::collections::BTreeMap;

/// The summary of a [`generate`](crate::generate) run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenReport {
    /// Per table, sorted by name: `(table, rows, files)` over all tenants.
    pub tables: Vec<(String, u64, u64)>,
    /// Bytes of Parquet written over all tables.
    pub bytes: u64,
}

/// Running totals per table, kept by each job and merged at the end.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    tables: BTreeMap<&'static str, (u64, u64, u64)>,
}

impl Tally {
    /// Counts one written file.
    pub(crate) fn add(&mut self, table: &'static str, rows: u64, bytes: u64) {
        let entry = self.tables.entry(table).or_default();
        entry.0 += rows;
        entry.1 += 1;
        entry.2 += bytes;
    }

    /// Adds another job's totals to these.
    pub(crate) fn merge(&mut self, other: Tally) {
        for (table, (rows, files, bytes)) in other.tables {
            let entry = self.tables.entry(table).or_default();
            entry.0 += rows;
            entry.1 += files;
            entry.2 += bytes;
        }
    }

    pub(crate) fn into_report(self) -> GenReport {
        let bytes = self.tables.values().map(|t| t.2).sum();
        let tables = self.tables.into_iter().map(|(name, (rows, files, _))| (name.to_owned(), rows, files)).collect();
        GenReport { tables, bytes }
    }
}
