//! `GET /api/live`: the websocket that pushes a tenant's new rows.
//!
//! Protocol (all text frames are JSON objects with a `type`):
//! - connect with `?token=<token>` (browsers cannot set headers on websockets; an
//!   `Authorization: Bearer` header works too) and optionally `&after=<seq>` to resume;
//! - the server says `{"type":"hello","seq":<last seq>,"heartbeat_secs":n}`;
//! - the client sends `{"type":"subscribe","tables":[{"table":"events","from":"2026-08-01","to":null}]}`
//!   (optionally with `"after"`), answered by `{"type":"subscribed","seq":…}`; a later subscribe
//!   replaces the set;
//! - rows arrive as a text header `{"type":"rows","seq":…,"table":…,"partitions":[…],"rows":n}`
//!   immediately followed by one binary frame: an Arrow IPC stream of those rows (all columns);
//! - `{"type":"fell_behind","through_seq":s,"partitions":[…]}`: rows of these partitions up to
//!   `s` were dropped for this client: reload them (their `x-quiver-live-seq` header says which
//!   pushed rows the reload already holds);
//! - `{"type":"resync","reason":"too_old"|"unknown_seq","seq":s}`: `after` cannot be resumed
//!   from; reload the subscribed tables; the push goes on from `s`.
//!
//! Sequence numbers are the log's: increasing, shared by all tables and tenants, so not dense.

use super::Live;
use super::hub::{Outgoing, ResumeGap, Subscription};
use crate::api::params::QueryParams;
use crate::auth::{AuthError, Caller};
use crate::error::ApiError;
use crate::state::AppState;
use crate::warehouse::DateRange;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use quiver_shared::partition::parse_api_date;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// `GET /api/live?token=&after=`.
pub(crate) async fn connect(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    caller: Option<Caller>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(query.as_deref(), &["token", "after"])?;
    // The same credentials as every data route (a token in the query, a bearer header or the
    // session cookie), with the same row rules and dashboard scope.
    let caller = match params.get("token") {
        Some(token) => crate::access::bearer(&state, token.trim()).await?,
        None => caller.ok_or(AuthError::Missing)?,
    };
    let after = params
        .get("after")
        .map(|a| {
            a.parse::<u64>()
                .map_err(|_| ApiError::bad("invalid_after", "after", format!("'{a}' is not a sequence number")))
        })
        .transpose()?;
    let live = state.live.clone().ok_or_else(super::super::ingest::route::live_disabled)?;
    Ok(upgrade.on_upgrade(move |socket| run(socket, live, caller, after)))
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientMessage {
    Subscribe {
        tables: Vec<TableSub>,
        #[serde(default)]
        after: Option<u64>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSub {
    table: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

fn parse_subs(tables: Vec<TableSub>) -> Result<Vec<Subscription>, String> {
    tables
        .into_iter()
        .map(|t| {
            let date = |s: Option<String>| {
                s.map(|s| parse_api_date(&s).ok_or_else(|| format!("'{s}' is not a date YYYY-MM-DD"))).transpose()
            };
            Ok(Subscription { table: t.table, range: DateRange { from: date(t.from)?, to: date(t.to)? } })
        })
        .collect()
}

async fn run(mut socket: WebSocket, live: Arc<Live>, caller: Caller, mut after: Option<u64>) {
    let tenant = caller.tenant().clone();
    let (slot, mut rx) = live.hub.connect(&tenant);
    let heartbeat = live.config.heartbeat;
    let hello = json!({"type": "hello", "seq": live.hub.last_seq(), "heartbeat_secs": heartbeat.as_secs()});
    if socket.send(Message::Text(hello.to_string().into())).await.is_err() {
        return;
    }
    let mut ping = tokio::time::interval(heartbeat);
    ping.tick().await;
    let mut last_heard = Instant::now();
    loop {
        let out = tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { break };
                last_heard = Instant::now();
                match message {
                    Message::Text(text) => Some(Outgoing::Control(handle(&live, &caller, &slot, &text, &mut after))),
                    Message::Close(_) => break,
                    _ => None,
                }
            }
            queued = rx.recv() => match queued {
                Some(out) => Some(out),
                None => break,
            },
            () = slot.wake.notified() => None,
            _ = ping.tick() => {
                if last_heard.elapsed() > heartbeat * 2 {
                    tracing::debug!(%tenant, "websocket silent for two heartbeats; closing");
                    break;
                }
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
                None
            }
        };
        if let Some(out) = out
            && send(&mut socket, &slot, &caller, out).await.is_err()
        {
            break;
        }
        // Tell a client that fell behind once everything queued before the gap is sent.
        if rx.is_empty()
            && let Some(behind) = slot.take_behind()
        {
            let message = json!({
                "type": "fell_behind",
                "through_seq": behind.through_seq,
                "partitions": behind.partitions,
            });
            if socket.send(Message::Text(message.to_string().into())).await.is_err() {
                break;
            }
        }
    }
}

fn handle(
    live: &Live,
    caller: &Caller,
    slot: &super::hub::ClientSlot,
    text: &str,
    after: &mut Option<u64>,
) -> serde_json::Value {
    let message: ClientMessage = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => return json!({"type": "error", "message": format!("not a client message: {e}")}),
    };
    let ClientMessage::Subscribe { tables, after: resume } = message;
    let subs = match parse_subs(tables) {
        Ok(s) => s,
        Err(e) => return json!({"type": "error", "message": e}),
    };
    let names: Vec<String> = subs.iter().map(|s| s.table.clone()).collect();
    // An embed token or share link reads only its dashboard's tables, pushed rows included.
    if let Some(error) = names.iter().find_map(|t| caller.check_table(t).err()) {
        return json!({"type": "error", "message": error.to_string()});
    }
    match live.hub.subscribe(caller.tenant(), slot, subs, resume.or(after.take())) {
        Ok(seq) => json!({"type": "subscribed", "tables": names, "seq": seq}),
        Err(gap) => {
            let reason = match gap {
                ResumeGap::TooOld => "too_old",
                ResumeGap::Unknown => "unknown_seq",
            };
            json!({"type": "resync", "reason": reason, "seq": live.hub.last_seq(), "tables": names})
        }
    }
}

async fn send(
    socket: &mut WebSocket,
    slot: &super::hub::ClientSlot,
    caller: &Caller,
    out: Outgoing,
) -> Result<(), axum::Error> {
    match out {
        Outgoing::Control(value) => socket.send(Message::Text(value.to_string().into())).await,
        Outgoing::Frame(frame) => {
            let Some(range) = slot.range_of(&frame.table) else { return Ok(()) };
            // Row rules apply to pushed rows as to every other data path.
            let rules = crate::row_rules::rules_for(&caller.rules, &frame.table);
            let message = frame.message_for(&range, &rules).unwrap_or_else(|error| {
                tracing::error!(%error, table = %frame.table, "cannot apply row rules to pushed rows; not sent");
                None
            });
            let Some((header, ipc)) = message else { return Ok(()) };
            socket.send(Message::Text(header.into())).await?;
            socket.send(Message::Binary(ipc)).await
        }
    }
}
