//! [`PivotOutput`]: a spec, its planned query and the query's batches, shaped into a table.

use crate::table::PivotTable;
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use quiver_shared::pivot::{PivotSpec, PlannedPivot};

/// Why a query output cannot be shaped into a pivot table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// The output lacks a column the plan promises. Our bug: planner and shaper disagree.
    #[error("query output: column `{column}` is missing")]
    MissingColumn {
        /// The expected output column (`r0`, `__row_depth`, `v1`, …).
        column: String,
    },
    /// An output column has another type than the contract says. Our bug, as above.
    #[error("query output: column `{column}` should be {expected}, found {found}")]
    WrongType {
        /// The output column.
        column: String,
        /// What the contract says.
        expected: String,
        /// What the output has.
        found: String,
    },
    /// A depth outside `0..=fields`, or a null depth. Our bug, as above.
    #[error("query output: column `{column}` has depth {depth}, outside 0..={max}")]
    BadDepth {
        /// `__row_depth` or `__col_depth`.
        column: String,
        /// The value found (-1 for null).
        depth: i64,
        /// The number of fields on the shelf.
        max: usize,
    },
    /// Two output rows for the same row group and column group. Our bug, as above.
    #[error("query output: two rows for row group `{row}` and column group `{column}`")]
    Duplicate {
        /// The row group's labels.
        row: String,
        /// The column group's labels.
        column: String,
    },
    /// The spec asks for something the planned output cannot give. The caller's input.
    #[error("{field}: {reason}")]
    Spec {
        /// Where in the spec, e.g. `sort.index`.
        field: String,
        /// Why.
        reason: String,
    },
}

/// A pivot's result: the spec it was made for, the planned query, the query's output and that
/// output shaped into a [`PivotTable`].
#[derive(Clone, Debug)]
pub struct PivotOutput {
    /// The spec as shown (may differ from the planned one in what needs no new query: view,
    /// sort, colour scale, show as).
    pub spec: PivotSpec,
    /// The planned query whose output this is.
    pub plan: PlannedPivot,
    /// The output's schema.
    pub schema: SchemaRef,
    /// The output.
    pub batches: Vec<RecordBatch>,
    /// The output shaped for display.
    pub table: PivotTable,
}

impl PivotOutput {
    /// Shapes `batches` (the output of `plan`) for `spec`.
    pub fn new(
        spec: PivotSpec,
        plan: PlannedPivot,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<Self, ShapeError> {
        let table = PivotTable::build(&spec, &plan, &schema, &batches)?;
        Ok(Self { spec, plan, schema, batches, table })
    }

    /// The output of a new run of the same query for the same `spec` (a live refresh), shaped by
    /// reusing this one's header trees when the new output has exactly the same groups in the
    /// same order (the labels and depths are equal column by column): then only the numbers are
    /// read. Otherwise it is shaped from scratch, as [`PivotOutput::new`] does.
    pub fn refreshed(&self, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Self, ShapeError> {
        let same_groups = schema == self.schema
            && batches.len() == self.batches.len()
            && batches.iter().zip(&self.batches).all(|(new, old)| {
                new.num_rows() == old.num_rows()
                    && schema
                        .fields()
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| !self.plan.values.iter().any(|v| &v.output == f.name()))
                        .all(|(i, _)| new.column(i).as_ref() == old.column(i).as_ref())
            });
        if !same_groups {
            return Self::new(self.spec.clone(), self.plan.clone(), schema, batches);
        }
        let table = self.table.with_numbers(&self.spec, &self.plan, &schema, &batches)?;
        Ok(Self { spec: self.spec.clone(), plan: self.plan.clone(), schema, batches, table })
    }

    /// The same output shaped for `spec`, without a new query. Only valid for changes that keep
    /// the plan (view kind, sort, colour scale, show as): deciding that is the caller's job.
    pub fn reshape(&self, spec: PivotSpec) -> Result<Self, ShapeError> {
        // Batches share their buffers: cloning them copies no data.
        Self::new(spec, self.plan.clone(), self.schema.clone(), self.batches.clone())
    }
}
