//! The warehouse catalogue as the API describes it to a signed-in tenant.

use crate::tenant::TenantId;
use serde::{Deserialize, Serialize};

/// `GET /api/catalog`: the caller's tenant and the tables it may read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// The caller's tenant.
    pub tenant: TenantInfo,
    /// Tables, sorted by name.
    pub tables: Vec<TableInfo>,
}

/// A tenant as users see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantInfo {
    /// The tenant's id.
    pub id: TenantId,
    /// The display name.
    pub name: String,
    /// The IANA time zone calendar buckets and dates are shown in, e.g. `Asia/Shanghai`.
    pub time_zone: String,
}

/// One table of the warehouse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    /// The table name, e.g. `events`.
    pub name: String,
    /// Columns in storage order.
    pub columns: Vec<ColumnInfo>,
    /// Keys the table is partitioned by, outermost first (`tenant`, then `date` for fact tables).
    pub partition_keys: Vec<String>,
    /// Rows of the caller's tenant.
    pub rows: u64,
    /// Stored bytes of the caller's tenant.
    pub bytes: u64,
    /// The first and last partition date, for date-partitioned tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_range: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

impl TableInfo {
    /// Whether the table is split into one partition per day.
    pub fn is_dated(&self) -> bool {
        self.partition_keys.iter().any(|k| k == "date")
    }

    /// Whether the column holds a partition key's value (`tenant_id` for `tenant`, `date` for
    /// `date`): one value for everything a tenant can see, so grouping by it says nothing and the
    /// pivot's field list leaves it out.
    pub fn is_partition_column(&self, name: &str) -> bool {
        self.partition_keys.iter().any(|k| name == k || name.strip_suffix("_id") == Some(k.as_str()))
    }

    /// The column with this name, if any.
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// The column name.
    pub name: String,
    /// The Arrow data type, as Arrow displays it (e.g. `Utf8`, `Int64`, `Timestamp(µs, "UTC")`).
    pub data_type: String,
    /// Whether the column may hold nulls.
    pub nullable: bool,
    /// How the column is used in analysis.
    pub role: ColumnRole,
}

/// How a column is used in analysis, as BI tools classify fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// Something to group and filter by (channel, country).
    Dimension,
    /// Something to aggregate (price, duration).
    Measure,
    /// A point in time to bucket by (ts, created_at).
    Time,
    /// An identifier: counted distinct, joined on, rarely grouped by (user_id, lead_id).
    Key,
}

impl ColumnRole {
    /// The role named in a schema's field metadata (`quiver.role`), if it is one.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "dimension" => Some(Self::Dimension),
            "measure" => Some(Self::Measure),
            "time" => Some(Self::Time),
            "key" => Some(Self::Key),
            _ => None,
        }
    }

    /// The name used in metadata and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dimension => "dimension",
            Self::Measure => "measure",
            Self::Time => "time",
            Self::Key => "key",
        }
    }

    /// A best guess for columns that carry no role in their metadata (tables not written by
    /// Quiver): timestamps and dates are time, `id` / `*_id` are keys, other numbers are
    /// measures and everything else is a dimension.
    pub fn infer(column_name: &str, data_type: &str) -> Self {
        let dt = data_type.to_ascii_lowercase();
        if dt.starts_with("timestamp") || dt.starts_with("date") {
            Self::Time
        } else if column_name == "id" || column_name.ends_with("_id") {
            Self::Key
        } else if dt.starts_with("int")
            || dt.starts_with("uint")
            || dt.starts_with("float")
            || dt.starts_with("decimal")
        {
            Self::Measure
        } else {
            Self::Dimension
        }
    }
}

/// A table for tests: nullable columns given as (name, Arrow type, role), no partition keys.
#[cfg(test)]
pub(crate) fn test_table(name: &str, columns: &[(&str, &str, ColumnRole)]) -> TableInfo {
    TableInfo {
        name: name.to_owned(),
        columns: columns
            .iter()
            .map(|(name, data_type, role)| ColumnInfo {
                name: (*name).to_owned(),
                data_type: (*data_type).to_owned(),
                nullable: true,
                role: *role,
            })
            .collect(),
        partition_keys: vec![],
        rows: 0,
        bytes: 0,
        date_range: None,
    }
}

/// The metadata key under which Quiver stores a column's role in Arrow/Parquet schemas.
pub const ROLE_METADATA_KEY: &str = "quiver.role";

#[cfg(test)]
mod tests {
    use super::ColumnRole::{self, *};

    #[track_caller]
    fn check(name: &str, data_type: &str, expected: ColumnRole) {
        assert_eq!(ColumnRole::infer(name, data_type), expected, "{name}: {data_type}");
    }

    #[test]
    fn infers_roles_for_columns_without_metadata() {
        check("ts", "Timestamp(Microsecond, Some(\"UTC\"))", Time);
        check("day", "Date32", Time);
        check("user_id", "Utf8", Key);
        check("lead_id", "Int64", Key);
        check("price", "Float64", Measure);
        check("duration_s", "Int32", Measure);
        check("amount", "Decimal128(18, 2)", Measure);
        check("channel", "Utf8", Dimension);
        check("is_new", "Boolean", Dimension);
    }

    #[test]
    fn role_names_round_trip() {
        for role in [Dimension, Measure, Time, Key] {
            assert_eq!(ColumnRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(ColumnRole::parse("metric"), None);
    }
}
