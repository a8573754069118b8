//! Everything that touches the network or the browser's APIs.
//!
//! **Architecture Invariant:** only this folder calls `web_sys`, `js_sys` or `gloo_net`; the
//! state, the load pipeline and the views reach the browser through these functions, which keeps
//! them readable as plain Rust and makes the browser surface easy to audit.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod bench_hook;
pub(crate) mod browser;
pub(crate) mod clipboard;
pub(crate) mod clock;
pub(crate) mod dashboards;
pub(crate) mod dnd;
pub(crate) mod download;
pub(crate) mod format;
pub(crate) mod frame;
pub(crate) mod live;
pub(crate) mod session;
pub(crate) mod url;
