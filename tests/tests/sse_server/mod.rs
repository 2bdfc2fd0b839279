//! What the loopback tests of server-sent events share (`corpus_events.rs`,
//! `corpus_events_tracing.rs`): a hand-rolled HTTP/1.1 server answering with a chunked
//! event stream written piece by piece (each piece one HTTP chunk, flushed), so that the
//! client really receives the events in pieces, and a sample stream.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::time::Duration;

use stackai_corpus::{Client, types};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the server ends the body after its pieces.
#[derive(Clone, Copy, PartialEq)]
pub enum End {
    /// The chunked body's terminator: a complete response.
    Complete,
    /// The connection closes without the terminator: a body cut short.
    Cut,
    /// Nothing more is sent for a long time.
    Stall,
}

/// A loopback server answering one request with `200 text/event-stream` and a chunked body:
/// each piece is one chunk, flushed, `pause` apart. Returns the base URL and the request's
/// head and body as the server read them.
pub async fn sse_server(
    pieces: Vec<Vec<u8>>,
    pause: Duration,
    end: End,
) -> (String, tokio::sync::oneshot::Receiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let (request_tx, request_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("a client connects");
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.expect("read request");
            if n == 0 {
                return;
            }
            request.extend_from_slice(&buf[..n]);
        }
        let _ = request_tx.send(String::from_utf8_lossy(&request).into_owned());
        socket
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                  transfer-encoding: chunked\r\ncache-control: no-cache\r\n\r\n",
            )
            .await
            .expect("write head");
        for piece in pieces {
            if piece.is_empty() {
                continue;
            }
            let mut chunk = format!("{:x}\r\n", piece.len()).into_bytes();
            chunk.extend_from_slice(&piece);
            chunk.extend_from_slice(b"\r\n");
            if socket.write_all(&chunk).await.is_err() {
                return;
            }
            socket.flush().await.expect("flush");
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
        }
        match end {
            End::Complete => {
                let _ = socket.write_all(b"0\r\n\r\n").await;
                let _ = socket.flush().await;
                // Let the client read the end before the socket goes.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            End::Cut => {}
            End::Stall => tokio::time::sleep(Duration::from_secs(10)).await,
        }
    });
    (url, request_rx)
}

pub fn client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .build()
        .expect("a loopback client builds")
}

/// Fails the test instead of hanging it.
pub async fn guard<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("the test finishes within its guard")
}

pub fn chunk(delta: &str, done: bool) -> types::ChatChunk {
    types::ChatChunk::try_from(types::builder::ChatChunk::default().delta(delta).done(done))
        .expect("a complete chunk")
}

/// Three events of `stream_chat_events`, with a comment, CRLF and CR line endings, an id,
/// a retry, an event type, and JSON `data` over two lines.
pub const CHAT_EVENTS: &[u8] = b": connected\r\n\
    event: delta\r\n\
    id: 7\r\n\
    retry: 2500\r\n\
    data: {\"delta\": \"hel\"}\r\n\
    \r\n\
    data: {\"delta\":\r\
    data:  \"lo\", \"done\": false}\r\r\
    event: end\n\
    data: {\"delta\": \"\", \"done\": true}\n\
    \n";

pub fn check_chat_events(events: &[stackai_corpus::Event<types::ChatChunk>]) {
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0].event, "delta");
    assert_eq!(events[0].id.as_deref(), Some("7"));
    assert_eq!(events[0].retry, Some(Duration::from_millis(2500)));
    assert_eq!(events[0].data.delta, "hel");
    assert_eq!(events[1].event, "message");
    assert_eq!(
        events[1].id.as_deref(),
        Some("7"),
        "the last id carries over"
    );
    assert_eq!(events[1].retry, None);
    assert_eq!(
        (events[1].data.delta.as_str(), events[1].data.done),
        ("lo", false)
    );
    assert_eq!(events[2].event, "end");
    assert!(events[2].data.done);
}
