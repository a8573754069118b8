//! Partition manifests and partition ids.
//!
//! A partition id names one stored file of one tenant's table: `<tenant>.<date>.<n>` for
//! date-partitioned tables and `<tenant>.all.<n>` for dimension tables. The tenant is part of the
//! id so that an id copied from one tenant is simply unknown to another (the server answers 404,
//! exactly as for an id that never existed).

use crate::tenant::TenantId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// `GET /api/tables/{table}/partitions`: the partitions of one table the caller may read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionManifest {
    /// The table.
    pub table: String,
    /// Partitions, oldest date first.
    pub partitions: Vec<PartitionInfo>,
}

impl PartitionManifest {
    /// Rows over all partitions.
    pub fn total_rows(&self) -> u64 {
        self.partitions.iter().map(|p| p.rows).sum()
    }

    /// Stored bytes over all partitions.
    pub fn total_bytes(&self) -> u64 {
        self.partitions.iter().map(|p| p.bytes).sum()
    }
}

/// One partition in a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionInfo {
    /// The id to fetch it by.
    pub id: PartitionId,
    /// The day it holds, for date-partitioned tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Rows stored.
    pub rows: u64,
    /// Bytes stored (compressed, on the warehouse side).
    pub bytes: u64,
    /// Changes whenever the partition's content changes; part of its `ETag`.
    pub version: String,
}

/// Identifies one partition of one tenant's table; see the module docs for the format.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartitionId {
    /// The owning tenant.
    pub tenant: TenantId,
    /// The day, or `None` for undated (dimension) tables.
    pub date: Option<NaiveDate>,
    /// The file number within that day.
    pub part: u32,
}

/// Why a string is not a partition id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("partition id must look like '<tenant>.<YYYY-MM-DD>.<n>' or '<tenant>.all.<n>'")]
pub struct InvalidPartitionId;

impl fmt::Display for PartitionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.date {
            Some(d) => write!(f, "{}.{}.{}", self.tenant, d.format("%Y-%m-%d"), self.part),
            None => write!(f, "{}.all.{}", self.tenant, self.part),
        }
    }
}

impl FromStr for PartitionId {
    type Err = InvalidPartitionId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut it = s.split('.');
        let (Some(tenant), Some(date), Some(part), None) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(InvalidPartitionId);
        };
        let tenant = TenantId::new(tenant).map_err(|_| InvalidPartitionId)?;
        let date = match date {
            "all" => None,
            d if d.len() == 10 => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| InvalidPartitionId)?),
            _ => return Err(InvalidPartitionId),
        };
        // Only plain decimal digits: no sign, no leading '+', bounded length.
        if part.is_empty() || part.len() > 6 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidPartitionId);
        }
        let part = part.parse().map_err(|_| InvalidPartitionId)?;
        Ok(Self { tenant, date, part })
    }
}

impl TryFrom<String> for PartitionId {
    type Error = InvalidPartitionId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<PartitionId> for String {
    fn from(value: PartitionId) -> Self {
        value.to_string()
    }
}

/// Parses a `YYYY-MM-DD` date as the API accepts it in `from` and `to`.
pub fn parse_api_date(s: &str) -> Option<NaiveDate> {
    (s.len() == 10).then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(s: &str, expected: Option<&str>) {
        let parsed = s.parse::<PartitionId>().ok().map(|p| p.to_string());
        assert_eq!(parsed.as_deref(), expected, "{s}");
    }

    #[test]
    fn partition_ids_round_trip_and_reject_junk() {
        check("acme.2026-08-01.0", Some("acme.2026-08-01.0"));
        check("acme.all.3", Some("acme.all.3"));
        check("acme.2026-02-30.0", None);
        check("acme.2026-8-1.0", None);
        check("acme.2026-08-01.-1", None);
        check("acme.2026-08-01.+1", None);
        check("acme.2026-08-01", None);
        check("acme.2026-08-01.0.1", None);
        check("../x.2026-08-01.0", None);
        check("ACME.all.0", None);
        check("acme.all.9999999", None);
    }

    #[test]
    fn api_dates_are_strict() {
        assert!(parse_api_date("2026-08-01").is_some());
        assert!(parse_api_date("2026-8-01").is_none());
        assert!(parse_api_date("2026-13-01").is_none());
        assert!(parse_api_date("yesterday").is_none());
    }
}
