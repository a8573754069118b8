//! Strict parsing of query strings: unknown or repeated parameters are errors that name the
//! parameter, never silently ignored.

use crate::error::ApiError;
use chrono::NaiveDate;
use quiver_shared::partition::parse_api_date;
use std::collections::BTreeMap;

/// The parameters of one query string, each given at most once.
#[derive(Debug, Default)]
pub(crate) struct QueryParams(BTreeMap<String, String>);

impl QueryParams {
    /// Parses `raw`, allowing only the parameters in `allowed`.
    pub(crate) fn parse(raw: Option<&str>, allowed: &[&'static str]) -> Result<Self, ApiError> {
        let mut map = BTreeMap::new();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let Some(&param) = allowed.iter().find(|a| **a == key) else {
                return Err(ApiError::bad(
                    "unknown_parameter",
                    "query",
                    format!("unknown parameter '{key}'; this route takes: {}", allowed.join(", ")),
                ));
            };
            if map.insert(key.into_owned(), value.into_owned()).is_some() {
                return Err(ApiError::bad("repeated_parameter", param, format!("parameter '{param}' is given twice")));
            }
        }
        Ok(Self(map))
    }

    /// The raw value of `param`, if given.
    pub(crate) fn get(&self, param: &str) -> Option<&str> {
        self.0.get(param).map(String::as_str)
    }

    /// An optional `YYYY-MM-DD` date.
    pub(crate) fn date(&self, param: &'static str) -> Result<Option<NaiveDate>, ApiError> {
        self.0
            .get(param)
            .map(|v| {
                parse_api_date(v).ok_or_else(|| {
                    ApiError::bad(
                        "invalid_date",
                        param,
                        format!("'{v}' is not a date; use YYYY-MM-DD, e.g. 2026-08-01"),
                    )
                })
            })
            .transpose()
    }

    /// An optional comma-separated list of column names (each non-empty and given once).
    pub(crate) fn columns(&self, param: &'static str) -> Result<Option<Vec<String>>, ApiError> {
        let Some(raw) = self.0.get(param) else { return Ok(None) };
        let mut columns: Vec<String> = Vec::new();
        for name in raw.split(',').map(str::trim) {
            if name.is_empty() {
                return Err(ApiError::bad(
                    "invalid_columns",
                    param,
                    "column list has an empty name; use e.g. columns=ts,user_id",
                ));
            }
            if columns.iter().any(|c| c == name) {
                return Err(ApiError::bad("invalid_columns", param, format!("column '{name}' is listed twice")));
            }
            columns.push(name.to_owned());
        }
        Ok(Some(columns))
    }
}
