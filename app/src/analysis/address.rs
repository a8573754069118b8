//! The analysis view in the address: `?view=<kind>&analysis=<spec as JSON>`, next to the pivot's
//! parameters and whatever else the address holds. The spec is left out while it is its kind's
//! default, so that a plain `?view=retention` opens a fresh retention view.

use crate::pivot::address::VIEW_PARAM;
use crate::state::Mode;
use quiver_shared::analysis::{AnalysisSpec, SpecError};

/// The parameter holding the analysis spec as JSON.
const ANALYSIS_PARAM: &str = "analysis";

/// The analysis spec an address describes: its JSON when present, else the default of the kind
/// the `view` parameter names, else an empty funnel. A spec that does not parse is an error
/// naming the offending part.
pub(crate) fn read(params: &[(String, String)]) -> Result<AnalysisSpec, SpecError> {
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    match param(ANALYSIS_PARAM) {
        None | Some("") => Ok(fresh(param(VIEW_PARAM).unwrap_or_default())),
        Some(json) => AnalysisSpec::from_json(json),
    }
}

/// The default spec of `kind`, or an empty funnel for anything else.
pub(crate) fn fresh(kind: &str) -> AnalysisSpec {
    AnalysisSpec::default_of(kind).unwrap_or_else(|| AnalysisSpec::Funnel(Default::default()))
}

/// The address's parameters with the analysis spec replaced, and, in Analyze, the view set to the
/// spec's kind. The others are kept, in order.
pub(crate) fn write(params: &[(String, String)], mode: Mode, spec: &AnalysisSpec) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != ANALYSIS_PARAM && !(mode == Mode::Analyze && k == VIEW_PARAM))
        .cloned()
        .collect();
    if mode == Mode::Analyze {
        out.push((VIEW_PARAM.to_owned(), spec.kind().to_owned()));
    }
    if AnalysisSpec::default_of(spec.kind()).as_ref() != Some(spec) {
        out.push((ANALYSIS_PARAM.to_owned(), spec.to_json()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::url;
    use quiver_shared::analysis::funnel::{FunnelMode, FunnelSpec, FunnelStep};
    use quiver_shared::analysis::retention::{RetentionPeriod, RetentionSpec};
    use quiver_shared::pivot::DateSpan;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn funnel() -> AnalysisSpec {
        let step = |event: &str| FunnelStep { event: Some(event.to_owned()), ..FunnelStep::default() };
        AnalysisSpec::Funnel(FunnelSpec {
            steps: vec![step("signup"), step("浏览 & 购买 #1")],
            window_secs: 3600,
            mode: FunnelMode::Strict,
            ..FunnelSpec::default()
        })
    }

    /// Through a real query string and back: the same spec, the same mode, the others kept.
    #[track_caller]
    fn check(others: &[(&str, &str)], mode: Mode, spec: AnalysisSpec) {
        let written = write(&params(others), mode, &spec);
        let back = url::decode(&url::encode(&written));
        assert_eq!(read(&back).as_ref(), Ok(&spec));
        assert_eq!(crate::pivot::address::read(&back).0, mode);
    }

    #[wasm_bindgen_test]
    fn specs_and_the_view_round_trip_through_the_address() {
        check(&[], Mode::Analyze, funnel());
        check(&[("lang", "zh")], Mode::Analyze, fresh("retention"));
        let weekly = RetentionSpec {
            period: RetentionPeriod::Week,
            date_range: DateSpan::Last { days: 84 },
            ..RetentionSpec::default()
        };
        check(&[("pivot", "{}")], Mode::Analyze, AnalysisSpec::Retention(weekly));
        // In Explore the spec stays in the address, so that going back to the view finds it.
        check(&[], Mode::Explore, funnel());
        assert_eq!(
            write(&params(&[("view", "pivot")]), Mode::Pivot, &funnel()).first(),
            Some(&("view".to_owned(), "pivot".to_owned()))
        );
    }

    #[wasm_bindgen_test]
    fn a_default_spec_is_left_out_and_a_bad_one_names_its_field() {
        assert_eq!(write(&[], Mode::Analyze, &fresh("ab")), params(&[("view", "ab")]));
        assert_eq!(read(&params(&[("view", "trend")])).map(|s| s.kind()), Ok("trend"));
        let error = read(&params(&[("view", "funnel"), ("analysis", r#"{"kind":"funnel","window_secs":"x"}"#)]))
            .expect_err("a text window is refused");
        assert_eq!(error.field, "window_secs");
    }
}
