//! The live websocket (`GET /api/live`): opening it, and its frames as a stream.
//!
//! The browser answers the server's pings itself, which is all the heartbeat asks of a client.
//! Binary frames arrive as `ArrayBuffer`s (not `Blob`s), so that reading them needs no promise.

use super::session::Token;
use futures::channel::mpsc;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// What the socket reports.
#[derive(Debug)]
pub(crate) enum SocketEvent {
    /// The connection is open.
    Open,
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// The connection is closed (or could not open), with the close code and reason.
    Closed(u16, String),
}

/// An open (or opening) websocket. Dropping it closes the connection.
pub(crate) struct LiveSocket {
    socket: WebSocket,
    // Kept alive as long as the socket may call them.
    _handlers: [Closure<dyn FnMut(web_sys::Event)>; 4],
}

impl LiveSocket {
    /// Opens `/api/live[?token=…][&after=…]` on the page's own host (`wss:` under `https:`).
    pub(crate) fn open(
        token: &Token,
        after: Option<u64>,
    ) -> Result<(Self, mpsc::UnboundedReceiver<SocketEvent>), String> {
        let location = web_sys::window().ok_or("no window")?.location();
        let scheme = if location.protocol().map_err(|_| "no protocol")? == "https:" { "wss" } else { "ws" };
        let host = location.host().map_err(|_| "no host")?;
        // A signed-in user's session cookie goes with the upgrade request by itself (same
        // origin); only bearer tokens (links, embeds) go in the query.
        let mut params = Vec::new();
        if !token.is_cookie() {
            params.push(format!("token={}", String::from(js_sys::encode_uri_component(token.as_str()))));
        }
        if let Some(after) = after {
            params.push(format!("after={after}"));
        }
        let mut url = format!("{scheme}://{host}/api/live");
        if !params.is_empty() {
            url.push('?');
            url.push_str(&params.join("&"));
        }
        let socket = WebSocket::new(&url).map_err(|e| format!("cannot open the live connection: {e:?}"))?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        let (tx, rx) = mpsc::unbounded();
        let on_open = {
            let tx = tx.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                let _ = tx.unbounded_send(SocketEvent::Open);
            })
        };
        let on_message = {
            let tx = tx.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let Ok(event) = event.dyn_into::<MessageEvent>() else { return };
                let data = event.data();
                let message = if let Some(text) = data.as_string() {
                    SocketEvent::Text(text)
                } else if let Ok(buffer) = data.dyn_into::<ArrayBuffer>() {
                    SocketEvent::Binary(Uint8Array::new(&buffer).to_vec())
                } else {
                    return;
                };
                // The receiver is gone only when the session has ended.
                let _ = tx.unbounded_send(message);
            })
        };
        let on_close = {
            let tx = tx.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let (code, reason) =
                    event.dyn_into::<CloseEvent>().map(|e| (e.code(), e.reason())).unwrap_or((0, String::new()));
                let _ = tx.unbounded_send(SocketEvent::Closed(code, reason));
            })
        };
        // An error is always followed by a close event, which carries what there is to say.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {});
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok((Self { socket, _handlers: [on_open, on_message, on_close, on_error] }, rx))
    }

    /// Sends a text frame; false when the socket is not open.
    pub(crate) fn send(&self, text: &str) -> bool {
        self.socket.send_with_str(text).is_ok()
    }
}

impl Drop for LiveSocket {
    fn drop(&mut self) {
        for clear in [WebSocket::set_onopen, WebSocket::set_onmessage, WebSocket::set_onclose, WebSocket::set_onerror] {
            clear(&self.socket, None);
        }
        // Closing an already closed socket is a no-op.
        let _ = self.socket.close();
    }
}
