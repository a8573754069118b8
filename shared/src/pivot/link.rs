//! The spec as it travels in a link: JSON, and the field a broken link got wrong.

use super::{PivotSpec, SpecError};

impl PivotSpec {
    /// The spec as compact JSON, for the URL. Defaults are left out, so links stay short.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a PivotSpec always serializes: its maps have string keys")
    }

    /// A spec from a link's JSON. A malformed link is refused with the path of the field that
    /// is wrong (`rows[0].grain`), not just a position in the text.
    pub fn from_json(s: &str) -> Result<Self, SpecError> {
        let mut de = serde_json::Deserializer::from_str(s);
        let spec = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            // The root (`.`) or no position at all (`?`, a truncated link): the spec as a whole.
            let field = if matches!(path.as_str(), "." | "?" | "") { "spec".to_owned() } else { path };
            SpecError::new(field, e.into_inner().to_string())
        })?;
        de.end().map_err(|e| SpecError::new("spec", e.to_string()))?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use crate::pivot::{
        Agg, DateRange, DateSpan, Field, Filter, FilterOp, PivotSpec, ShowAs, Sort, TimeGrain, TopN, Value, ViewKind,
    };
    use insta::assert_snapshot;

    #[track_caller]
    fn check_err(json: &str, field: &str, reason: &str) {
        let e = PivotSpec::from_json(json).unwrap_err();
        assert_eq!(e.field, field, "{json}: {e}");
        assert!(e.reason.contains(reason), "{json}: `{}` does not contain `{reason}`", e.reason);
    }

    fn full() -> PivotSpec {
        PivotSpec {
            table: "events".to_owned(),
            rows: vec![Field::time("ts", TimeGrain::Week), Field::plain("channel")],
            columns: vec![Field::plain("platform")],
            values: vec![
                Value::count_rows(),
                Value { agg: Agg::P90, column: Some("price".to_owned()), show_as: ShowAs::PercentOfRow },
            ],
            filters: vec![
                Filter {
                    column: "country".to_owned(),
                    op: FilterOp::NotIn { values: vec![Some("CN".to_owned()), None] },
                },
                Filter { column: "price".to_owned(), op: FilterOp::Range { min: Some("1".to_owned()), max: None } },
            ],
            date_range: Some(DateRange { column: "ts".to_owned(), span: DateSpan::Last { days: 30 } }),
            sort: Sort::Value { index: 1, descending: true },
            top_n: Some(TopN { n: 10, other: true }),
            view: ViewKind::StackedBar,
            color_scale: true,
        }
    }

    #[test]
    fn specs_round_trip_through_json() {
        for spec in [PivotSpec::default(), full()] {
            assert_eq!(PivotSpec::from_json(&spec.to_json()).unwrap(), spec);
        }
    }

    #[test]
    fn links_leave_defaults_out() {
        let spec =
            PivotSpec { table: "events".to_owned(), rows: vec![Field::plain("channel")], ..PivotSpec::default() };
        assert_snapshot!(spec.to_json(), @r#"
            {"table":"events","rows":[{"column":"channel"}]}
            "#);
        assert_snapshot!(full().to_json(), @r#"
            {"table":"events","rows":[{"column":"ts","grain":"week"},{"column":"channel"}],"columns":[{"column":"platform"}],"values":[{"agg":"count"},{"agg":"p90","column":"price","show_as":"percent_of_row"}],"filters":[{"column":"country","op":"not_in","values":["CN",null]},{"column":"price","op":"range","min":"1"}],"date_range":{"column":"ts","kind":"last","days":30},"sort":{"by":"value","index":1,"descending":true},"top_n":{"n":10,"other":true},"view":"stacked_bar","color_scale":true}
            "#);
    }

    #[test]
    fn a_broken_link_names_the_field() {
        check_err(
            r#"{"table":"events","rows":[{"column":"ts","grain":"fortnight"}]}"#,
            "rows[0].grain",
            "unknown variant `fortnight`",
        );
        check_err(
            r#"{"values":[{"agg":"count"},{"agg":"mode","column":"x"}]}"#,
            "values[1].agg",
            "unknown variant `mode`",
        );
        check_err(r#"{"filters":[{"column":"x","op":"between"}]}"#, "filters[0]", "unknown variant `between`");
        check_err(r#"{"top_n":{"n":-1}}"#, "top_n.n", "invalid value");
        check_err(
            r#"{"date_range":{"column":"ts","kind":"between","from":"2024-02-30","to":"2024-03-01"}}"#,
            "date_range",
            "input is out of range",
        );
        check_err(r#"{"rows":[{"column":"a"}]"#, "spec", "EOF");
        check_err(r#"{} trailing"#, "spec", "trailing characters");
    }
}
