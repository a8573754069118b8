//! The sign-in token: taken from the sign-in link once, then kept in `sessionStorage`.
//!
//! sessionStorage (not localStorage) on purpose: the token dies with the tab, and a link opened in
//! another tab signs that tab in independently.

use std::fmt;

const STORAGE_KEY: &str = "quiver.token";
const URL_PARAM: &str = "token";

/// A bearer token. `Debug` does not print it, so that it never lands in logs or panic messages.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Token(String);

impl Token {
    /// The session cookie stands for the user: requests carry no `Authorization` header, the
    /// browser sends the HttpOnly cookie itself (same origin).
    pub(crate) fn cookie() -> Self {
        Token(String::new())
    }

    /// A token held in memory only, never stored (embed tokens: the page must keep working with
    /// third-party storage and cookies blocked, and the token dies with the frame).
    pub(crate) fn in_memory(value: String) -> Self {
        Token(value)
    }

    /// Whether this stands for the session cookie rather than a bearer token.
    pub(crate) fn is_cookie(&self) -> bool {
        self.0.is_empty()
    }

    /// The token as sent in the `Authorization` header.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// The token to start with: one from the sign-in link (which is then stored and removed from the
/// address bar), else the one stored by an earlier visit in this tab.
pub(crate) fn initial_token() -> Option<Token> {
    match take_token_from_url() {
        Some(token) => {
            store_token(&token);
            Some(token)
        }
        None => stored_token(),
    }
}

/// Forgets the stored token (after the server refused it).
pub(crate) fn clear_token() {
    if let Some(storage) = storage() {
        // A failure here only means the token stays until the tab closes; nothing to show.
        let _ = storage.remove_item(STORAGE_KEY);
    }
}

fn stored_token() -> Option<Token> {
    let value = storage()?.get_item(STORAGE_KEY).ok()??;
    (!value.is_empty()).then_some(Token(value))
}

fn store_token(token: &Token) {
    if token.is_cookie() {
        return;
    }
    if let Some(storage) = storage() {
        // Without storage (private modes may refuse it) the token still works for this page view.
        let _ = storage.set_item(STORAGE_KEY, token.as_str());
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Reads `?token=` from the address and removes it with `history.replaceState`, keeping the
/// rest of the address, so that the token is neither bookmarked nor shared by copying the URL.
pub(crate) fn take_token_from_url() -> Option<Token> {
    let window = web_sys::window()?;
    let href = window.location().href().ok()?;
    let url = web_sys::Url::new(&href).ok()?;
    let params = url.search_params();
    let token = params.get(URL_PARAM)?;
    // `search_params` is live: deleting from it rewrites the URL's query string.
    params.delete(URL_PARAM);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
    (!token.is_empty()).then_some(Token(token))
}
