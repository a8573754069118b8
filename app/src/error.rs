//! Every failure the app shows to the user, with the translated sentence that frames it.

use crate::i18n::{I18n, Msg};
use crate::infra::api::{ApiError, AuthFailure};

/// A failure to show in the error banner.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AppError {
    /// A call to the server failed; see [`ApiError`] for whose fault each case is.
    Api(ApiError),
    /// A downloaded partition is not valid Arrow IPC: the server's fault, or a truncated download.
    Decode {
        /// The table being loaded.
        table: String,
        /// The engine's explanation.
        detail: String,
    },
    /// The query is wrong (syntax, unknown column, type error): the user's input.
    Sql(String),
    /// The engine could not start or register a table: our bug or an unsupported browser.
    Engine(String),
    /// The pivot spec cannot be planned (a bad link, or a field the table lacks): the user's
    /// input, with the part of the spec named.
    Spec(quiver_shared::pivot::SpecError),
    /// The pivot's query output could not be shaped into a table: our bug.
    Shape(String),
    /// The live connection failed or sent something unexpected: the network or the server.
    Live(String),
    /// An export could not be written or handed to the browser: the browser's refusal or our bug.
    Export(String),
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        AppError::Api(e)
    }
}

impl AppError {
    /// The translated sentence saying what kind of thing failed.
    pub(crate) fn framing(&self, i18n: I18n) -> String {
        match self {
            AppError::Api(ApiError::Network(_)) => i18n.t(Msg::ErrNetwork).to_owned(),
            AppError::Api(ApiError::Unauthorized(failure)) => i18n.t(auth_message(*failure)).to_owned(),
            AppError::Api(ApiError::Http { status, .. }) => i18n.f(Msg::ErrHttp, &[&status.to_string()]),
            AppError::Api(ApiError::BadBody(_)) => i18n.t(Msg::ErrBadBody).to_owned(),
            AppError::Decode { table, .. } => i18n.f(Msg::ErrDecode, &[table]),
            AppError::Sql(_) => i18n.t(Msg::ErrSql).to_owned(),
            AppError::Engine(_) => i18n.t(Msg::ErrEngine).to_owned(),
            AppError::Spec(_) => i18n.t(Msg::ErrSpec).to_owned(),
            AppError::Shape(_) => i18n.t(Msg::ErrShape).to_owned(),
            AppError::Export(_) => i18n.t(Msg::ErrExport).to_owned(),
            AppError::Live(_) => i18n.t(Msg::ErrLive).to_owned(),
        }
    }

    /// The details in the words of whoever reported them (the server, the browser, DataFusion);
    /// these are not translated.
    pub(crate) fn detail(&self, i18n: I18n) -> Option<String> {
        match self {
            AppError::Api(ApiError::Network(d) | ApiError::BadBody(d)) => Some(d.clone()),
            AppError::Api(ApiError::Unauthorized(_)) => None,
            AppError::Api(ApiError::Http { code, message, incident, .. }) => {
                let parts = [
                    (!message.is_empty()).then(|| message.clone()),
                    code.as_ref().map(|code| format!("[{code}]")),
                    incident.as_ref().map(|incident| format!("({})", i18n.f(Msg::Incident, &[incident]))),
                ];
                let text = parts.into_iter().flatten().collect::<Vec<_>>().join(" ");
                (!text.is_empty()).then_some(text)
            }
            AppError::Decode { detail, .. }
            | AppError::Sql(detail)
            | AppError::Engine(detail)
            | AppError::Shape(detail)
            | AppError::Export(detail)
            | AppError::Live(detail) => Some(detail.clone()),
            AppError::Spec(error) => Some(error.to_string()),
        }
    }

    /// The reason to sign the user out, when the server refused the token.
    pub(crate) fn auth_failure(&self) -> Option<AuthFailure> {
        match self {
            AppError::Api(ApiError::Unauthorized(failure)) => Some(*failure),
            _ => None,
        }
    }
}

/// The banner sentence for a refused token.
pub(crate) fn auth_message(failure: AuthFailure) -> Msg {
    match failure {
        AuthFailure::Expired => Msg::ErrTokenExpired,
        AuthFailure::Invalid => Msg::ErrTokenInvalid,
        AuthFailure::Missing => Msg::ErrTokenMissing,
    }
}
