//! The pivot in the address: `?view=pivot&pivot=<spec as JSON>`, next to whatever else the
//! address holds.
//!
//! Reload, back/forward and a copied link all go through [`read`], so that they restore the same
//! view; every change the user makes goes through [`write`].

use crate::state::Mode;
use quiver_shared::pivot::{PivotSpec, SpecError};

/// The parameter naming the workspace mode (`pivot`, an analysis kind; absent for Explore).
pub(crate) const VIEW_PARAM: &str = "view";
/// The parameter holding the pivot spec as JSON (absent for the empty pivot).
const PIVOT_PARAM: &str = "pivot";

/// The mode and the spec an address describes. A spec that does not parse is an error naming
/// the offending part; the mode is read regardless.
pub(crate) fn read(params: &[(String, String)]) -> (Mode, Result<PivotSpec, SpecError>) {
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mode = match param(VIEW_PARAM) {
        Some("pivot") => Mode::Pivot,
        Some("dashboards") => Mode::Dashboards,
        Some("admin") => Mode::Admin,
        Some(kind) if quiver_shared::analysis::KINDS.contains(&kind) => Mode::Analyze,
        _ => Mode::Explore,
    };
    let spec = match param(PIVOT_PARAM) {
        None | Some("") => Ok(PivotSpec::default()),
        Some(json) => PivotSpec::from_json(json),
    };
    (mode, spec)
}

/// The address's parameters with the mode and spec replaced; the others are kept, in order.
pub(crate) fn write(params: &[(String, String)], mode: Mode, spec: &PivotSpec) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        params.iter().filter(|(k, _)| k != VIEW_PARAM && k != PIVOT_PARAM).cloned().collect();
    if mode == Mode::Pivot {
        out.push((VIEW_PARAM.to_owned(), "pivot".to_owned()));
    }
    if mode == Mode::Dashboards {
        out.push((VIEW_PARAM.to_owned(), "dashboards".to_owned()));
    }
    if mode == Mode::Admin {
        out.push((VIEW_PARAM.to_owned(), "admin".to_owned()));
    }
    // The spec stays in the address in Explore too, so that going back to Pivot finds it.
    if *spec != PivotSpec::default() {
        out.push((PIVOT_PARAM.to_owned(), spec.to_json()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::url;
    use quiver_shared::pivot::{
        Agg, DateRange, DateSpan, Field, Filter, FilterOp, ShowAs, Sort, TimeGrain, TopN, Value, ViewKind,
    };
    use wasm_bindgen_test::wasm_bindgen_test;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    /// Writes `mode` and `spec` into an address holding `others`, takes it through a real
    /// query string, and reads it back: the same mode, the same spec, the others untouched.
    #[track_caller]
    fn check(others: &[(&str, &str)], mode: Mode, spec: PivotSpec) {
        let written = write(&params(others), mode, &spec);
        let query = url::encode(&written);
        let back = url::decode(&query);
        let (read_mode, read_spec) = read(&back);
        assert_eq!(read_mode, mode, "{query}");
        assert_eq!(read_spec.as_ref(), Ok(&spec), "{query}");
        let kept: Vec<_> = back.iter().filter(|(k, _)| k != VIEW_PARAM && k != PIVOT_PARAM).cloned().collect();
        assert_eq!(kept, params(others), "{query}");
    }

    fn full_spec() -> PivotSpec {
        PivotSpec {
            table: "events".to_owned(),
            rows: vec![Field::plain("channel"), Field::time("ts", TimeGrain::Week)],
            columns: vec![Field::plain("event_name")],
            values: vec![
                Value { agg: Agg::CountDistinct, column: Some("user_id".to_owned()), show_as: ShowAs::PercentOfRow },
                Value::count_rows(),
            ],
            filters: vec![
                Filter {
                    column: "channel".to_owned(),
                    op: FilterOp::In { values: vec![Some("a&b=c #1 %20".to_owned()), Some("渠道".to_owned()), None] },
                },
                Filter { column: "price".to_owned(), op: FilterOp::Range { min: Some("1.5".to_owned()), max: None } },
                Filter { column: "note".to_owned(), op: FilterOp::Contains { text: "\"quoted\" + plus".to_owned() } },
                Filter { column: "note".to_owned(), op: FilterOp::IsNull },
            ],
            date_range: Some(DateRange { column: "ts".to_owned(), span: DateSpan::Last { days: 30 } }),
            sort: Sort::Value { index: 1, descending: true },
            top_n: Some(TopN { n: 5, other: true }),
            view: ViewKind::StackedBar,
            color_scale: true,
        }
    }

    #[wasm_bindgen_test]
    fn the_view_round_trips_through_the_address() {
        check(&[], Mode::Explore, PivotSpec::default());
        check(&[], Mode::Pivot, PivotSpec::default());
        check(&[], Mode::Pivot, full_spec());
        // Explore keeps the spec for the way back.
        check(&[("lang", "zh"), ("x", "a b")], Mode::Explore, full_spec());
        check(&[("x", "1")], Mode::Pivot, PivotSpec { table: "leads".to_owned(), ..PivotSpec::default() });
    }

    #[wasm_bindgen_test]
    fn an_empty_pivot_leaves_the_address_alone() {
        assert_eq!(write(&params(&[("a", "1")]), Mode::Explore, &PivotSpec::default()), params(&[("a", "1")]));
        assert_eq!(
            write(&params(&[("view", "pivot"), ("a", "1")]), Mode::Explore, &PivotSpec::default()),
            params(&[("a", "1")])
        );
    }

    #[wasm_bindgen_test]
    fn a_bad_spec_is_an_error_and_keeps_the_mode() {
        let (mode, spec) = read(&params(&[("view", "pivot"), ("pivot", "{\"rows\": 3}")]));
        assert_eq!(mode, Mode::Pivot);
        let error = spec.expect_err("rows must be a list");
        assert_eq!(error.field, "rows", "the error names the bad part of the link: {error:?}");
        assert!(!error.reason.is_empty(), "{error:?}");
        let (mode, spec) = read(&params(&[("view", "nonsense"), ("pivot", "not json")]));
        assert_eq!(mode, Mode::Explore);
        assert!(spec.is_err());
    }
}
