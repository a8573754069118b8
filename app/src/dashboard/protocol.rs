//! The `postMessage` protocol between an embedded dashboard and the page framing it, as pure
//! parsing and formatting (the window side is `infra::frame`).
//!
//! Host → frame: `{"type":"quiver:set-filters","filters":{…DashboardFilters}}`,
//! `{"type":"quiver:token","token":"qe_…"}`.
//! Frame → host: `{"type":"quiver:ready"}`, `{"type":"quiver:need-token","expires_at":N}`,
//! `{"type":"quiver:height","height":N}`, `{"type":"quiver:token-expired"}`.

use quiver_shared::dashboard::DashboardFilters;
use serde::Deserialize;

/// A message from the host page that passed every check.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum HostMessage {
    /// Apply these filters to every tile.
    SetFilters(DashboardFilters),
    /// Use this embed token from now on.
    Token(String),
}

/// Why a message was ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// It came from another origin than the framing page's.
    WrongOrigin,
    /// Not a Quiver message (other scripts post messages too): ignored silently.
    NotOurs,
    /// A Quiver message with a bad shape, with the reason.
    Malformed(String),
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Wire {
    #[serde(rename = "quiver:set-filters")]
    SetFilters { filters: DashboardFilters },
    #[serde(rename = "quiver:token")]
    Token { token: String },
}

/// Checks and reads a message event: `origin` must be exactly `allowed` (the framing page's
/// origin); the data must be one of the host messages, with filters that validate and an embed
/// token (`qe_…`) of sane size.
pub(crate) fn parse(origin: &str, allowed: Option<&str>, data: &str) -> Result<HostMessage, Refused> {
    if allowed != Some(origin) {
        return Err(Refused::WrongOrigin);
    }
    let value: serde_json::Value = serde_json::from_str(data).map_err(|_| Refused::NotOurs)?;
    let is_ours = value.get("type").and_then(|t| t.as_str()).is_some_and(|t| t.starts_with("quiver:"));
    if !is_ours {
        return Err(Refused::NotOurs);
    }
    match serde_json::from_value::<Wire>(value).map_err(|e| Refused::Malformed(e.to_string()))? {
        Wire::SetFilters { filters } => {
            filters.validate("filters").map_err(|e| Refused::Malformed(format!("{}: {}", e.field, e.reason)))?;
            Ok(HostMessage::SetFilters(filters))
        }
        Wire::Token { token } => {
            let ok = token.starts_with("qe_")
                && token.len() < 8192
                && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
            if ok { Ok(HostMessage::Token(token)) } else { Err(Refused::Malformed("not an embed token".into())) }
        }
    }
}

/// `{"type":"quiver:ready"}`.
pub(crate) fn ready() -> String {
    r#"{"type":"quiver:ready"}"#.to_owned()
}

/// `{"type":"quiver:need-token","expires_at":N}`.
pub(crate) fn need_token(expires_at: i64) -> String {
    format!(r#"{{"type":"quiver:need-token","expires_at":{expires_at}}}"#)
}

/// `{"type":"quiver:height","height":N}`.
pub(crate) fn height(height: u32) -> String {
    format!(r#"{{"type":"quiver:height","height":{height}}}"#)
}

/// `{"type":"quiver:token-expired"}`.
pub(crate) fn token_expired() -> String {
    r#"{"type":"quiver:token-expired"}"#.to_owned()
}

/// Seconds before expiry at which the frame asks for a new token: a fifth of the token's life,
/// between 5 s and 60 s, so short tokens are renewed in time and long ones not too early.
pub(crate) fn renew_lead_secs(issued_for_secs: i64) -> i64 {
    (issued_for_secs / 5).clamp(5, 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const HOST: &str = "http://localhost:4000";

    #[track_caller]
    fn check(origin: &str, data: &str, expected: Result<HostMessage, Refused>) {
        assert_eq!(parse(origin, Some(HOST), data), expected, "{data}");
    }

    #[wasm_bindgen_test]
    fn host_messages_are_read() {
        check(HOST, r#"{"type":"quiver:token","token":"qe_abc.def-1"}"#, Ok(HostMessage::Token("qe_abc.def-1".into())));
        let filters = DashboardFilters { from: Some("2026-08-01".parse().unwrap()), ..Default::default() };
        check(
            HOST,
            r#"{"type":"quiver:set-filters","filters":{"from":"2026-08-01"}}"#,
            Ok(HostMessage::SetFilters(filters)),
        );
    }

    #[wasm_bindgen_test]
    fn messages_from_other_origins_or_shapes_are_refused() {
        let token = r#"{"type":"quiver:token","token":"qe_abc"}"#;
        check("http://evil.test", token, Err(Refused::WrongOrigin));
        check("http://localhost:4000.evil.test", token, Err(Refused::WrongOrigin));
        assert_eq!(parse(HOST, None, token), Err(Refused::WrongOrigin), "no known host: nothing is accepted");
        check(HOST, r#"{"type":"other"}"#, Err(Refused::NotOurs));
        check(HOST, "not json", Err(Refused::NotOurs));
        assert!(matches!(
            parse(HOST, Some(HOST), r#"{"type":"quiver:token","token":"qs_share"}"#),
            Err(Refused::Malformed(_))
        ));
        assert!(matches!(
            parse(HOST, Some(HOST), r#"{"type":"quiver:token","token":"qe_a\"<b>"}"#),
            Err(Refused::Malformed(_))
        ));
        let backwards = r#"{"type":"quiver:set-filters","filters":{"from":"2026-09-01","to":"2026-08-01"}}"#;
        assert!(matches!(parse(HOST, Some(HOST), backwards), Err(Refused::Malformed(_))));
        assert!(matches!(
            parse(HOST, Some(HOST), r#"{"type":"quiver:set-filters","filters":{"x":1}}"#),
            Err(Refused::Malformed(_))
        ));
    }

    #[wasm_bindgen_test]
    fn outgoing_messages_are_json() {
        for text in [ready(), need_token(17), height(640), token_expired()] {
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(value["type"].as_str().unwrap().starts_with("quiver:"));
        }
        assert_eq!(renew_lead_secs(20), 5);
        assert_eq!(renew_lead_secs(600), 60);
    }
}
