//! The open dashboard in the address: `?view=dashboards&dashboard=<id>&filters=<JSON>`, next to
//! whatever else the address holds, so that reload, back/forward and a copied link reopen the
//! same dashboard with the same filters.

use quiver_shared::dashboard::DashboardFilters;

/// The parameter naming the open dashboard.
const DASHBOARD_PARAM: &str = "dashboard";
/// The parameter holding the global filters as JSON (absent when none are set).
const FILTERS_PARAM: &str = "filters";

/// What the address says about dashboards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DashboardAddress {
    /// The open dashboard, if one is.
    pub(crate) id: Option<String>,
    /// The filters applied to it; `None` when the address sets none (the saved ones apply).
    pub(crate) filters: Option<DashboardFilters>,
}

/// Reads the address. Filters that do not parse or validate are ignored (the saved ones apply):
/// a hand-edited link should still open the dashboard.
pub(crate) fn read(params: &[(String, String)]) -> DashboardAddress {
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let id = param(DASHBOARD_PARAM).filter(|id| !id.is_empty()).map(str::to_owned);
    let filters = param(FILTERS_PARAM)
        .and_then(|json| serde_json::from_str::<DashboardFilters>(json).ok())
        .filter(|f| f.validate("filters").is_ok());
    DashboardAddress { id, filters }
}

/// The address's parameters with the dashboard and its filters replaced; the others are kept,
/// in order.
pub(crate) fn write(params: &[(String, String)], address: &DashboardAddress) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        params.iter().filter(|(k, _)| k != DASHBOARD_PARAM && k != FILTERS_PARAM).cloned().collect();
    if let Some(id) = &address.id {
        out.push((DASHBOARD_PARAM.to_owned(), id.clone()));
        if let Some(filters) = &address.filters {
            let json = serde_json::to_string(filters).unwrap_or_default();
            out.push((FILTERS_PARAM.to_owned(), json));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::url;
    use quiver_shared::dashboard::DimensionFilter;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn filters() -> DashboardFilters {
        DashboardFilters {
            from: Some("2026-08-01".parse().unwrap()),
            to: Some("2026-08-31".parse().unwrap()),
            dimensions: vec![DimensionFilter { column: "channel".into(), values: vec!["ads".into(), "é & =".into()] }],
        }
    }

    /// Written into an address holding `others`, through a real query string, and read back.
    #[track_caller]
    fn check(others: &[(&str, &str)], address: DashboardAddress) {
        let written = write(&params(others), &address);
        let query = url::encode(&written);
        let back = url::decode(&query);
        assert_eq!(read(&back), address, "through {query}");
        for (k, v) in others {
            assert!(back.iter().any(|(bk, bv)| bk == k && bv == v), "{k} kept");
        }
    }

    #[wasm_bindgen_test]
    fn the_open_dashboard_and_its_filters_survive_the_address() {
        check(&[], DashboardAddress::default());
        check(&[("view", "dashboards")], DashboardAddress { id: Some("d1".into()), filters: None });
        check(
            &[("view", "dashboards"), ("lang", "zh")],
            DashboardAddress { id: Some("d1".into()), filters: Some(filters()) },
        );
    }

    #[wasm_bindgen_test]
    fn bad_filters_fall_back_to_the_saved_ones() {
        let backwards = r#"{"from":"2026-09-01","to":"2026-08-01"}"#;
        for raw in ["{", r#"{"bogus":1}"#, backwards] {
            let address = read(&params(&[("dashboard", "d1"), ("filters", raw)]));
            assert_eq!(address, DashboardAddress { id: Some("d1".into()), filters: None }, "{raw}");
        }
    }

    #[wasm_bindgen_test]
    fn closing_a_dashboard_drops_its_filters() {
        let written =
            write(&params(&[("dashboard", "d1"), ("filters", "{}"), ("a", "1")]), &DashboardAddress::default());
        assert_eq!(written, params(&[("a", "1")]));
    }
}
