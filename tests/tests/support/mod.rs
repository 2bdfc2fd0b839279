//! Helpers shared by the loopback tests of the client runtime (`client_*.rs`): clients
//! with tiny retry delays, response bodies, a responder that answers a scripted sequence,
//! and a raw TCP server that drops connections.
#![allow(
    dead_code,
    reason = "each test file uses a different subset of the helpers"
)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};
use stackai_connections::{Client, ClientBuilder, RetryPolicy, types};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// The static bearer token of [`client`].
pub const TOKEN: &str = "sk-live-T0kenN0tForL0gs";
/// A secret inside `connection_provider_data`.
pub const PROVIDER_SECRET: &str = "gdrive-client-secret-4f9b2c";
/// The connection id used by single-connection tests.
pub const CONNECTION_ID: &str = "123e4567-e89b-12d3-a456-426614174000";

pub fn connection_id() -> uuid::Uuid {
    uuid::Uuid::parse_str(CONNECTION_ID).expect("valid uuid")
}

/// The default policy with millisecond delays, so that retry tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().with_delays(Duration::from_millis(1), Duration::from_millis(5))
}

/// A builder for `server` with [`TOKEN`] and [`fast_retries`] (still two retries).
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
}

/// [`builder`], built.
pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("client builds")
}

/// A connection as the API returns it.
pub fn connection_json(id: &str, name: &str) -> Value {
    json!({
        "connection_id": id,
        "name": name,
        "org_id": "org-1",
        "provider_id": "gdrive",
        "connection_type_id": "oauth",
        "created_at": "2025-11-10T10:49:18.436394+00:00",
        "updated_at": "2025-11-10T10:49:18.436438+00:00",
        "connection_provider_data": {"client_id": "public-id"}
    })
}

/// The `n`-th connection of a listing: a distinct id and the name `conn-<n>`.
pub fn nth_connection(n: usize) -> Value {
    connection_json(
        &format!("00000000-0000-4000-8000-{n:012}"),
        &format!("conn-{n}"),
    )
}

/// A resource as the API returns it.
pub fn resource_json(id: &str) -> Value {
    json!({
        "resource_id": id,
        "inode_type": "file",
        "inode_path": {"path": format!("docs/{id}.pdf")}
    })
}

/// Provider data holding [`PROVIDER_SECRET`].
pub fn secret_provider_data() -> Map<String, Value> {
    match json!({"client_id": "public-id", "client_secret": PROVIDER_SECRET}) {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// A complete `ConnectionRequest` body builder, with [`secret_provider_data`].
pub fn connection_request() -> types::builder::ConnectionRequest {
    types::ConnectionRequest::builder()
        .name("Team Drive")
        .provider_id("gdrive")
        .connection_type_id("oauth")
        .connection_provider_data(secret_provider_data())
}

/// A `ConnectionPatchRequest` body builder that renames a connection.
pub fn rename(name: &str) -> types::builder::ConnectionPatchRequest {
    types::ConnectionPatchRequest::builder().name(name.to_string())
}

/// A JSON response.
pub fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// Every request `server` received, in order.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

/// The value of header `name` of `request`, if any.
pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("ASCII header"))
}

/// Answers the n-th request with the n-th response; the last one repeats.
pub struct Sequence {
    responses: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Sequence {
    pub fn new(responses: Vec<ResponseTemplate>) -> Self {
        assert!(!responses.is_empty());
        Sequence {
            responses,
            next: AtomicUsize::new(0),
        }
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        self.responses[n.min(self.responses.len() - 1)].clone()
    }
}

/// Runs `future`, failing the test if it takes longer than 10 s. Tests that set the
/// backoff to minutes use it to show that a shorter, server-requested wait replaced the
/// backoff: without that, the call would take the full backoff and hit this guard.
pub async fn within_guard<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .expect("the call waited for the full backoff instead of the server's shorter wait")
}

/// A retry policy whose computed backoff is far longer than any test may take.
pub fn glacial_retries() -> RetryPolicy {
    RetryPolicy::default().with_delays(Duration::from_secs(60), Duration::from_secs(60))
}

/// A URL on which nothing listens: connecting is refused, so no request is ever sent.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A raw HTTP/1.1 server that reads each request in full and then closes the connection
/// without answering, for the first `drop_first` connections; later connections get
/// `answer` (or are dropped too when there is none).
pub struct DroppingServer {
    pub url: String,
    accepts: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
    task: tokio::task::JoinHandle<()>,
}

/// A complete response carrying an empty JSON list.
pub const EMPTY_LIST_RESPONSE: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]";

impl DroppingServer {
    pub async fn start(drop_first: usize, answer: Option<&'static str>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let accepts = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (counter, log) = (accepts.clone(), requests.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let log = log.clone();
                tokio::spawn(async move {
                    let request = read_request(&mut socket).await;
                    log.lock().unwrap().push(request);
                    if n >= drop_first
                        && let Some(answer) = answer
                    {
                        let _ = socket.write_all(answer.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    }
                    // Otherwise the socket is dropped here: closed with no response.
                });
            }
        });
        DroppingServer {
            url,
            accepts,
            requests,
            task,
        }
    }

    /// How many connections were accepted.
    pub fn accepts(&self) -> usize {
        self.accepts.load(Ordering::SeqCst)
    }

    /// The raw requests read, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect()
    }
}

impl Drop for DroppingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request: its head, then `content-length` bytes of body.
/// Reads one whole request (head and `content-length` body) from `socket`; what arrived
/// when the client closes first.
pub async fn read_request(socket: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return buf;
            }
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return buf,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}
