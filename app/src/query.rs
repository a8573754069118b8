//! Running the SQL console's query, and the query the console suggests for a loaded table.

use crate::error::AppError;
use crate::infra::browser;
use crate::state::{AppState, QueryResult, QueryState};
use leptos::prelude::*;
use quiver_shared::catalog::{ColumnRole, TableInfo};
pub(crate) use quiver_shared::sql::quote_ident;
use std::sync::Arc;

/// Rows of a result the grid shows.
pub(crate) const GRID_ROWS: usize = 1_000;

/// Runs the console's SQL. The engine is synchronous and CPU-bound, so the "running…" state is
/// painted first; the time shown is the engine's alone, measured with `performance.now()`.
pub(crate) async fn run_query(state: AppState) {
    let sql = state.sql.get_untracked();
    if sql.trim().is_empty() || state.query.get_untracked() == QueryState::Running {
        return;
    }
    state.error.set(None);
    state.query.set(QueryState::Running);
    browser::next_frame().await;
    let outcome = state.engine().and_then(|engine| {
        let started = browser::now_ms();
        let output = engine.sql(&sql).map_err(|e| AppError::Sql(e.to_string()))?;
        let millis = browser::now_ms() - started;
        Ok(QueryResult { grid: Arc::new(output.to_grid(GRID_ROWS)), millis })
    });
    match outcome {
        Ok(result) => state.query.set(QueryState::Done(result)),
        Err(error) => {
            state.query.set(QueryState::Failed);
            state.fail(error);
        }
    }
}

/// A first query over a table: row counts per value of its first dimension (other than the
/// tenant's), with distinct counts of its first key and the sum of its first measure, biggest
/// groups first. Only columns in
/// `loaded` (when given) are used, since the others are not in the engine.
pub(crate) fn default_query(table: &TableInfo, loaded: Option<&[String]>) -> String {
    // The column of a partition key (`tenant_id` for `tenant`) holds one value for everything the
    // user can see: grouping by it says nothing.
    let partition_column = |name: &str| table.is_partition_column(name);
    let available = |role: ColumnRole| {
        table
            .columns
            .iter()
            .filter(move |c| c.role == role && !partition_column(&c.name))
            .find(|c| loaded.is_none_or(|names| names.contains(&c.name)))
            .map(|c| c.name.as_str())
    };
    let name = quote_ident(&table.name);
    // Group by a dimension, biggest groups first; failing that, by day, in time order.
    let (group_expr, group_by, order_by) = match (available(ColumnRole::Dimension), available(ColumnRole::Time)) {
        (Some(dimension), _) => (quote_ident(dimension), quote_ident(dimension), "row_count DESC"),
        (None, Some(time)) => (format!("date_trunc('day', {}) AS day_start", quote_ident(time)), "1".to_owned(), "1"),
        (None, None) => return format!("SELECT COUNT(*) AS row_count\nFROM {name}"),
    };
    let mut select = vec![group_expr, "COUNT(*) AS row_count".to_owned()];
    if let Some(key) = available(ColumnRole::Key) {
        // `distinct_user_ids`, not `distinct_user_id`: a name ending in `_id` reads as an identifier
        // (and the grid shows those without digit grouping).
        select.push(format!("COUNT(DISTINCT {}) AS {}", quote_ident(key), quote_ident(&format!("distinct_{key}s"))));
    }
    if let Some(measure) = available(ColumnRole::Measure) {
        select.push(format!("SUM({}) AS {}", quote_ident(measure), quote_ident(&format!("sum_{measure}"))));
    }
    format!("SELECT {}\nFROM {name}\nGROUP BY {group_by}\nORDER BY {order_by}", select.join(",\n       "))
}

#[cfg(test)]
mod tests {
    use super::default_query;
    use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn table(name: &str, columns: &[(&str, ColumnRole)]) -> TableInfo {
        TableInfo {
            name: name.to_owned(),
            columns: columns
                .iter()
                .map(|(name, role)| ColumnInfo {
                    name: (*name).to_owned(),
                    data_type: "Utf8".to_owned(),
                    nullable: false,
                    role: *role,
                })
                .collect(),
            partition_keys: vec!["tenant".to_owned()],
            rows: 0,
            bytes: 0,
            date_range: None,
        }
    }

    #[track_caller]
    fn check(table: &TableInfo, loaded: Option<&[&str]>, expected: &str) {
        let loaded: Option<Vec<String>> = loaded.map(|l| l.iter().map(|s| (*s).to_owned()).collect());
        assert_eq!(default_query(table, loaded.as_deref()), expected);
    }

    #[wasm_bindgen_test]
    fn the_suggested_query_groups_by_the_first_loaded_dimension() {
        use ColumnRole::*;
        let events = table(
            "events",
            &[("ts", Time), ("user_id", Key), ("event_name", Dimension), ("channel", Dimension), ("price", Measure)],
        );
        check(
            &events,
            None,
            "SELECT event_name,\n       COUNT(*) AS row_count,\n       COUNT(DISTINCT user_id) AS distinct_user_ids,\n       \
             SUM(price) AS sum_price\nFROM events\nGROUP BY event_name\nORDER BY row_count DESC",
        );
        check(
            &events,
            Some(&["channel", "price"]),
            "SELECT channel,\n       COUNT(*) AS row_count,\n       SUM(price) AS sum_price\nFROM events\nGROUP BY channel\n\
             ORDER BY row_count DESC",
        );
        check(
            &events,
            Some(&["ts"]),
            "SELECT date_trunc('day', ts) AS day_start,\n       COUNT(*) AS row_count\nFROM events\nGROUP BY 1\nORDER BY 1",
        );
        check(&events, Some(&["user_id"]), "SELECT COUNT(*) AS row_count\nFROM events");
        let mut tenant_events = table("events", &[("tenant_id", Dimension), ("ts", Time), ("platform", Dimension)]);
        tenant_events.partition_keys = vec!["tenant".to_owned(), "date".to_owned()];
        check(
            &tenant_events,
            None,
            "SELECT platform,\n       COUNT(*) AS row_count\nFROM events\nGROUP BY platform\nORDER BY row_count DESC",
        );
        check(
            &table("Leads", &[("Stage", Dimension)]),
            None,
            "SELECT \"Stage\",\n       COUNT(*) AS row_count\nFROM \"Leads\"\nGROUP BY \"Stage\"\nORDER BY row_count DESC",
        );
    }
}
