//! A websocket client of `/api/live` against the app served on a real port, for the live tests
//! and the live benchmark.

use super::*;
use arrow_array::RecordBatch;
use futures::{SinkExt, StreamExt};
use quiver_shared::auth::Role;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Serves `app` on a real port.
pub async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

#[derive(Debug)]
pub enum Event {
    Rows { seq: u64, partitions: Vec<String>, batch: RecordBatch },
    Control(Value),
}

pub struct Client {
    pub ws: Socket,
    pub hello: Value,
}

impl Client {
    pub async fn connect(addr: SocketAddr, tenant: &str, after: Option<u64>) -> Self {
        let mut url = format!("ws://{addr}/api/live?token={}", token(tenant, Role::Viewer));
        if let Some(after) = after {
            url.push_str(&format!("&after={after}"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut client = Self { ws, hello: Value::Null };
        let Event::Control(hello) = client.next().await else { panic!("hello first") };
        assert_eq!(hello["type"], "hello");
        client.hello = hello;
        client
    }

    pub async fn subscribe(&mut self, table: &str) -> Value {
        let message = json!({"type": "subscribe", "tables": [{"table": table, "from": "2026-08-01", "to": null}]});
        self.ws.send(Message::Text(message.to_string().into())).await.unwrap();
        let Event::Control(answer) = self.next().await else { panic!("subscribe is answered first") };
        answer
    }

    pub async fn next(&mut self) -> Event {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.ws.next())
                .await
                .expect("a message within 20 s")
                .expect("socket open")
                .unwrap();
            let Message::Text(text) = message else { continue };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] != "rows" {
                return Event::Control(value);
            }
            let Message::Binary(bytes) = self.ws.next().await.unwrap().unwrap() else {
                panic!("rows header without rows")
            };
            let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes.to_vec()), None).unwrap();
            let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
            let batch = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap();
            assert_eq!(value["rows"].as_u64().unwrap() as usize, batch.num_rows());
            let partitions =
                value["partitions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
            return Event::Rows { seq: value["seq"].as_u64().unwrap(), partitions, batch };
        }
    }

    /// The next rows frame: (seq, user ids).
    pub async fn rows(&mut self) -> (u64, Vec<String>) {
        match self.next().await {
            Event::Rows { seq, batch, .. } => (seq, strings(&[batch], "user_id")),
            Event::Control(v) => panic!("expected rows, got {v}"),
        }
    }
}

/// Ingests `n` events on day 2 for `tenant` with users `<base>-<i>`; returns the seq.
pub async fn ingest(app: &TestApp, tenant: &str, n: usize, base: &str) -> u64 {
    let answer = app.ingest_json(tenant, "events", None, &event_lines(2, n, base)).await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    answer.value()["seq"].as_u64().unwrap()
}
