//! How fast a live pivot refresh folds new rows in (`IncrementalPivot`: the delta's partials
//! merged into the kept leaf, then combined), with 50 and with 50,000 groups, next to a full
//! run over the table. A measurement, not a test: run it with
//! `cargo test -p quiver-engine --test live_pivot_speed -- --ignored --nocapture` (add
//! `--release` on a machine where a release build is allowed).

#![cfg(not(target_arch = "wasm32"))]

use datafusion::arrow::array::{Float64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field as ArrowField, Schema};
use quiver_engine::Engine;
use quiver_shared::catalog::{ColumnInfo, ColumnRole, TableInfo};
use quiver_shared::pivot::{Agg, DELTA_TABLE, Field, LEAF_TABLE, PivotSpec, PlanContext, Value, plan_incremental};
use std::sync::Arc;
use std::time::Instant;

const LOADED: usize = 1_000_000;

/// `rows` rows: `g` one of `groups` labels, one of 50k users, a price.
fn rows(rows: usize, groups: usize, seed: u64) -> RecordBatch {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut g = Vec::with_capacity(rows);
    let mut users = Vec::with_capacity(rows);
    let mut prices = Vec::with_capacity(rows);
    for _ in 0..rows {
        g.push(format!("g{}", next() % groups as u64));
        users.push(format!("u{}", next() % 50_000));
        prices.push((next() % 10_000) as f64 / 100.0);
    }
    let schema = Arc::new(Schema::new(vec![
        ArrowField::new("g", DataType::Utf8, true),
        ArrowField::new("user_id", DataType::Utf8, true),
        ArrowField::new("price", DataType::Float64, true),
    ]));
    RecordBatch::try_new(
        schema,
        vec![Arc::new(StringArray::from(g)), Arc::new(StringArray::from(users)), Arc::new(Float64Array::from(prices))],
    )
    .unwrap()
}

fn info() -> TableInfo {
    let column = |name: &str, data_type: &str, role| ColumnInfo {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        nullable: true,
        role,
    };
    TableInfo {
        name: "events".to_owned(),
        columns: vec![
            column("g", "Utf8", ColumnRole::Dimension),
            column("user_id", "Utf8", ColumnRole::Key),
            column("price", "Float64", ColumnRole::Measure),
        ],
        partition_keys: vec![],
        rows: 0,
        bytes: 0,
        date_range: None,
    }
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn live_pivot_refresh_speed() {
    let info = info();
    let spec = PivotSpec {
        table: "events".to_owned(),
        rows: vec![Field::plain("g")],
        values: vec![Value::count_rows(), Value::of(Agg::Sum, "price"), Value::of(Agg::CountDistinct, "user_id")],
        ..PivotSpec::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let (planned, incremental) =
        plan_incremental(&spec, PlanContext { table: &info, time_zone: "UTC", today }).unwrap();
    let incremental = incremental.unwrap();
    for groups in [50, 50_000] {
        let engine = Engine::new().unwrap();
        let loaded = rows(LOADED, groups, 7);
        engine.register("events", loaded.schema(), vec![loaded]).unwrap();
        let started = Instant::now();
        engine.sql(&planned.sql).unwrap();
        let full = started.elapsed();
        let leaf = engine.sql(&incremental.full_leaf_sql).unwrap();
        let mut leaf_rows: usize = leaf.batches.iter().map(RecordBatch::num_rows).sum();
        let mut compacted_rows = leaf_rows;
        engine.register(LEAF_TABLE, leaf.schema, leaf.batches).unwrap();
        engine.sql_keeping_ids(&incremental.combine_sql).unwrap();
        for delta_rows in [1_000, 10_000, 100_000] {
            let rounds = 10;
            let started = Instant::now();
            let (mut t_leaf, mut t_merge, mut t_combine) = (0.0, 0.0, 0.0);
            for round in 0..rounds {
                let delta = rows(delta_rows, groups, 1000 + round);
                let appended = engine.append("events", &[delta]).unwrap();
                engine.register(DELTA_TABLE, appended[0].schema(), appended).unwrap();
                let t = Instant::now();
                let d = engine.sql_keeping_ids(&incremental.delta_leaf_sql).unwrap();
                engine.append(LEAF_TABLE, &d.batches).unwrap();
                t_leaf += t.elapsed().as_secs_f64() * 100.0;
                // As the app does: compact once appended partial rows reach the groups' number.
                leaf_rows += d.batches.iter().map(RecordBatch::num_rows).sum::<usize>();
                if leaf_rows > 2 * compacted_rows + 1024 {
                    let t = Instant::now();
                    let m = engine.sql_keeping_ids(&incremental.compact_sql).unwrap();
                    compacted_rows = m.batches.iter().map(RecordBatch::num_rows).sum();
                    leaf_rows = compacted_rows;
                    engine.register(LEAF_TABLE, m.schema, m.batches).unwrap();
                    t_merge += t.elapsed().as_secs_f64() * 100.0;
                }
                let t = Instant::now();
                engine.sql_keeping_ids(&incremental.combine_sql).unwrap();
                t_combine += t.elapsed().as_secs_f64() * 100.0;
            }
            println!("  per refresh: delta leaf {t_leaf:.1} ms, compaction {t_merge:.1} ms, combine {t_combine:.1} ms");
            let per = started.elapsed() / rounds as u32;
            println!(
                "{groups:>6} groups, 1M rows loaded: full run {:>6.1} ms; refresh with {delta_rows:>6} new rows {:>6.1} ms \
                 = {:>9.0} rows/s",
                full.as_secs_f64() * 1000.0,
                per.as_secs_f64() * 1000.0,
                delta_rows as f64 / per.as_secs_f64()
            );
        }
    }
}
