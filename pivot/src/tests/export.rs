//! Exports: CSV and TSV escaping, Parquet round trip.

use super::{output, spec};
use crate::export::{to_csv, to_parquet, to_tsv};
use arrow_array::RecordBatch;
use arrow_cast::pretty::pretty_format_batches;
use insta::assert_snapshot;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use quiver_shared::pivot::{Agg, Value};

/// Labels that need quoting or escaping, in one row field with a column field.
const AWKWARD: &[&str] = &[
    "plain|x|1",
    "a,b|x|2",
    "say \"hi\"|x|3",
    "two\nlines|x|4",
    "tab\there|x|0.1",
    "|x|10.1",
    "plain||1",
    "a,b||2",
    "say \"hi\"||3",
    "two\nlines||4",
    "tab\there||0.1",
    "||10.1",
];

#[test]
fn csv_quotes_commas_quotes_and_line_breaks_and_keeps_full_precision() {
    let out = output(spec(&["name"], &["kind"], vec![Value::of(Agg::Sum, "amount")]), AWKWARD);
    assert_snapshot!(to_csv(&out.table).replace("\r\n", "⏎\n"), @r#"
        name,x / sum(amount),Total / sum(amount)⏎
        "a,b",2,2⏎
        plain,1,1⏎
        "say ""hi""",3,3⏎
        tab	here,0.1,0.1⏎
        "two
        lines",4,4⏎
        Total,10.1,10.1⏎
        "#);
}

#[test]
fn tsv_escapes_tabs_and_line_breaks_so_each_row_is_one_line() {
    let out = output(spec(&["name"], &["kind"], vec![Value::of(Agg::Sum, "amount")]), AWKWARD);
    assert_snapshot!(to_tsv(&out.table).replace('\t', "→"), @r#"
        name→x / sum(amount)→Total / sum(amount)
        a,b→2→2
        plain→1→1
        say "hi"→3→3
        tab\there→0.1→0.1
        two\nlines→4→4
        Total→10.1→10.1
        "#);
}

#[test]
fn parquet_holds_the_leaf_cells_under_readable_names() {
    let values = vec![Value::of(Agg::CountDistinct, "user_id"), Value::of(Agg::CountDistinct, "user_id")];
    let out = output(
        spec(&["channel", "country"], &["device"], values),
        &[
            "web/us|desktop|5,5",
            "web/~|mobile|4,4",
            "web/us||7,7",
            "web||9,9",
            "*/us|mobile|1,1",
            "|desktop|7,7",
            "||11,11",
        ],
    );
    let bytes = to_parquet(&out).expect("writes");
    let reader =
        ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).expect("reads").build().expect("reader");
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().expect("batches");
    assert_snapshot!(pretty_format_batches(&batches).expect("formats").to_string(), @r"
        +---------+---------+---------+-------+-------------------------+----------------------------+
        | channel | country | device  | other | count_distinct(user_id) | count_distinct(user_id) #2 |
        +---------+---------+---------+-------+-------------------------+----------------------------+
        | web     | us      | desktop | false | 5.0                     | 5.0                        |
        | web     |         | mobile  | false | 4.0                     | 4.0                        |
        |         | us      | mobile  | true  | 1.0                     | 1.0                        |
        +---------+---------+---------+-------+-------------------------+----------------------------+
        ");
}
