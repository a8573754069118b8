//! Stand-in for `quiver_shared::pivot::default_chart`, which another part of issue 3 is writing,
//! so that the builder compiles before it lands: delete this file and switch the call site then.

use quiver_shared::catalog::TableInfo;
use quiver_shared::pivot::{PivotSpec, ViewKind};

/// Stand-in for `quiver_shared::pivot::default_chart`: bars when there is something to group.
pub(crate) fn default_chart(spec: &PivotSpec, _table: &TableInfo) -> ViewKind {
    if spec.rows.is_empty() && spec.columns.is_empty() { ViewKind::Table } else { ViewKind::Bar }
}
