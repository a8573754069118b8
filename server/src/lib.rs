//! Quiver's server: the warehouse catalogue, Arrow IPC partition streaming scoped to the
//! caller's tenant, and the built browser app.
//!
//! **Architecture Invariant:** the server never sends a row of one tenant to a token of another.
//! The tenant always comes from the verified token (see [`auth`]), never from the request, and
//! every [`warehouse::Warehouse`] call takes it as an argument.

pub mod access;
pub mod api;
pub mod app_files;
pub mod auth;
pub mod config;
pub mod demo_users;
pub mod error;
pub mod ingest;
pub mod ipc;
pub mod live;
pub mod password;
pub mod row_rules;
pub mod scoped_tokens;
pub mod state;
pub mod store;
pub mod warehouse;

pub use api::router;
pub use state::AppState;
