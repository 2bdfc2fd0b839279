//! Response fuzzing: for every operation whose success has a body, seeded arbitrary JSON,
//! mutated and truncated valid bodies, non-JSON bytes and bodies of the wrong content type go
//! through the real decoding path, over HTTP on loopback (one server, many cases).
//!
//! Whatever the body, the client never panics; when it cannot decode, the error is a
//! `Decode` error naming the operation, with the 200 status and a bounded body excerpt in
//! which the secrets of a JSON body are redacted. The cases are a pure function of the seed.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use stackai_codegen::tools::mutate::Rng;
use stackai_connections::{Client, Error, ErrorKind, types};
use support::{PROVIDER_SECRET, TOKEN, connection_id, connection_json, resource_json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Cases per operation, and the seed they derive from.
const CASES: u64 = 120;
const SEED: u64 = 10;
/// A secret under a key the runtime redacts.
const TOKEN_SECRET: &str = "tok-SECRET-4e1d9a";

type Call = fn(Client) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

macro_rules! operation {
    ($name:ident, |$builder:ident| $setup:expr) => {
        (stringify!($name), {
            fn call(client: Client) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>> {
                Box::pin(async move {
                    let $builder = client.$name();
                    $setup.send().await.map(|_| ())
                })
            }
            call as Call
        })
    };
}

/// Every operation with a JSON success body, how to call it, and a valid body for it.
fn operations() -> Vec<(&'static str, Call, Value)> {
    let connection = || {
        let mut c = connection_json(support::CONNECTION_ID, "Team Drive");
        c["connection_provider_data"] =
            json!({"client_id": "id", "client_secret": PROVIDER_SECRET});
        c
    };
    let page = json!({"items": [resource_json("r1"), resource_json("r2")], "next_cursor": "c2"});
    vec![
        (
            operation!(create_connection, |b| b.body(support::connection_request())),
            connection(),
        ),
        (
            operation!(create_connection_from_callback, |b| b
                .code("code")
                .body(support::connection_request())),
            connection(),
        ),
        (
            operation!(get_available_connections, |b| b),
            json!([{"provider_id": "gdrive", "name": "Drive", "color": "#fff", "connection_type": "oauth",
                    "connection_type_id": "oauth", "is_marketing_stunt": false, "labels": [], "params": []}]),
        ),
        (
            operation!(get_children_resources, |b| b.connection_id(connection_id())),
            page.clone(),
        ),
        (
            operation!(get_connection_by_id, |b| b.connection_id(connection_id())),
            connection(),
        ),
        (
            operation!(get_connection_health, |b| b.connection_id(connection_id())),
            json!({"status": "ok", "access_token": TOKEN_SECRET}),
        ),
        (
            operation!(get_connection_rbac, |b| b.connection_id(connection_id())),
            json!({"connection_id": support::CONNECTION_ID, "subjects": []}),
        ),
        (
            operation!(get_connection_resources, |b| b
                .connection_id(connection_id())),
            json!({"r1": resource_json("r1")}),
        ),
        (
            operation!(get_connections, |b| b),
            json!([connection()]),
        ),
        (
            operation!(get_oauth_url, |b| b.body(support::connection_request())),
            json!("https://accounts.example.com/o/oauth2/auth?state=x"),
        ),
        (
            operation!(get_paginated_connections, |b| b),
            json!({"items": [connection()], "total": 1, "limit": 10, "offset": 0, "status_code": 200}),
        ),
        (
            operation!(patch_connection, |b| b
                .connection_id(connection_id())
                .body(types::ConnectionPatchRequest::builder().name("n".to_string()))),
            connection(),
        ),
        (
            operation!(search_resources, |b| b
                .connection_id(connection_id())
                .query("q")),
            page,
        ),
        (
            operation!(update_connection, |b| b
                .connection_id(connection_id())
                .body(support::connection_request())),
            connection(),
        ),
        (
            operation!(update_connection_from_callback, |b| b
                .connection_id(connection_id())
                .code("code")
                .body(support::connection_request())),
            connection(),
        ),
        (
            operation!(update_connection_organization_role, |b| b
                .connection_id(connection_id())
                .body_map(|body| body.role(Some("viewer".to_string())))),
            json!({"org_level_role": "viewer", "access_token": TOKEN_SECRET}),
        ),
        (
            operation!(update_connection_rbac, |b| b
                .connection_id(connection_id())
                .body_map(|body| body
                    .subject_type(types::RbacSubjectType::User)
                    .role("editor")
                    .subject_id(connection_id()))),
            json!({"message": "updated", "access_token": TOKEN_SECRET}),
        ),
    ]
    .into_iter()
    .map(|((name, call), body)| (name, call, body))
    .collect()
}

/// What the loopback server answers next.
#[derive(Clone, Default)]
struct Reply {
    content_type: String,
    body: Vec<u8>,
}

/// A raw HTTP/1.1 server that answers every request with the current [`Reply`] and a 200,
/// keeping connections open.
async fn serve(reply: Arc<Mutex<Reply>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let reply = reply.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    // One request: its head, then `content-length` bytes of body.
                    let end = loop {
                        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break end;
                        }
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    while buf.len() < end + 4 + length {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..end + 4 + length);
                    let Reply { content_type, body } = reply.lock().unwrap().clone();
                    let mut response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    response.extend_from_slice(&body);
                    if socket.write_all(&response).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// A random JSON value, at most `depth` levels deep.
fn arbitrary(rng: &mut Rng, depth: u32) -> Value {
    let kinds = if depth == 0 { 4 } else { 6 };
    match rng.below(kinds) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => match rng.below(3) {
            0 => json!(rng.next_u64() as i64),
            1 => json!((rng.below(2000) as f64 - 1000.0) / 7.0),
            _ => json!(rng.below(10)),
        },
        3 => json!(*rng.pick(&[
            "",
            "x",
            "2025-11-10T10:49:18Z",
            support::CONNECTION_ID,
            "not-a-uuid",
            "é\u{0}\"",
        ])),
        4 => Value::Array(
            (0..rng.below(4))
                .map(|_| arbitrary(rng, depth - 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "items",
                "name",
                "connection_id",
                "next_cursor",
                "access_token",
                "status",
                "inode_type",
                "z",
            ];
            let mut map = serde_json::Map::new();
            for _ in 0..rng.below(5) {
                let key = rng.pick(&keys).to_string();
                let value = if key == "access_token" {
                    json!(TOKEN_SECRET)
                } else {
                    arbitrary(rng, depth - 1)
                };
                map.insert(key, value);
            }
            Value::Object(map)
        }
    }
}

/// Every node of `value` below the root, as JSON pointers.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (token, child) in children {
        let p = format!("{at}/{token}");
        out.push(p.clone());
        pointers(child, &p, out);
    }
}

/// `valid` with one node deleted or replaced by an arbitrary value.
fn mutated(valid: &Value, rng: &mut Rng) -> Value {
    let mut out = valid.clone();
    let mut nodes = Vec::new();
    pointers(valid, "", &mut nodes);
    if nodes.is_empty() {
        return arbitrary(rng, 2);
    }
    let target = rng.pick(&nodes).clone();
    if rng.below(2) == 0 {
        let (parent, token) = target.rsplit_once('/').expect("below the root");
        let token = token.replace("~1", "/").replace("~0", "~");
        match out.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.remove(&token);
            }
            Some(Value::Array(items)) => {
                items.remove(token.parse::<usize>().expect("an index"));
            }
            _ => {}
        }
    } else if let Some(slot) = out.pointer_mut(&target) {
        *slot = arbitrary(rng, 2);
    }
    out
}

/// Case `index` for an operation whose valid body is `valid`: what it is, and the reply.
fn case(valid: &Value, rng: &mut Rng, index: u64) -> (&'static str, Reply) {
    let json = |body: Vec<u8>| Reply {
        content_type: "application/json".into(),
        body,
    };
    let text = serde_json::to_vec(valid).expect("serializes");
    match index % 6 {
        0 => (
            "arbitrary JSON",
            json(serde_json::to_vec(&arbitrary(rng, 4)).unwrap()),
        ),
        1 => (
            "mutated body",
            json(serde_json::to_vec(&mutated(valid, rng)).unwrap()),
        ),
        2 => {
            let cut = rng.below(text.len().max(2) - 1) + 1;
            (
                "truncated body",
                json(text[..cut.min(text.len() - 1)].to_vec()),
            )
        }
        3 => {
            let len = rng.below(64) + 1;
            let bytes = (0..len).map(|_| rng.next_u64() as u8).collect();
            ("random bytes", json(bytes))
        }
        4 => (
            "HTML error page",
            Reply {
                content_type: "text/html; charset=utf-8".into(),
                body: b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
            },
        ),
        _ => (
            "valid body as text/plain",
            Reply {
                content_type: "text/plain".into(),
                body: text,
            },
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_success_body_decodes_or_is_a_located_decode_error() {
    let reply = Arc::new(Mutex::new(Reply::default()));
    let url = serve(reply.clone()).await;
    let client = Client::builder()
        .base_url(&url)
        .bearer_token(TOKEN)
        .max_retries(0)
        .build()
        .expect("client builds");

    let mut failures = Vec::new();
    let (mut tried, mut decoded, mut rejected) = (0u64, 0u64, 0u64);
    for (n, (name, call, valid)) in operations().into_iter().enumerate() {
        for index in 0..CASES {
            let mut rng = Rng::for_mutant(SEED + n as u64, index);
            let (what, this) = case(&valid, &mut rng, index);
            *reply.lock().unwrap() = this.clone();
            tried += 1;
            // A task of its own, so that a panic is reported against this case.
            let result = tokio::spawn(call(client.clone())).await;
            let body_text = String::from_utf8_lossy(&this.body);
            let describe = || format!("{name} / {what} #{index}: body {body_text:?}");
            let result = match result {
                Err(join) => {
                    failures.push(format!("{}: PANICKED: {join}", describe()));
                    continue;
                }
                Ok(result) => result,
            };
            let is_json = serde_json::from_slice::<Value>(&this.body).is_ok();
            let error = match result {
                Ok(()) if is_json => {
                    decoded += 1;
                    continue;
                }
                Ok(()) => {
                    failures.push(format!(
                        "{}: a body that is not JSON was accepted",
                        describe()
                    ));
                    continue;
                }
                Err(error) => error,
            };
            rejected += 1;
            let mut problems = Vec::new();
            if error.kind() != ErrorKind::Decode {
                problems.push(format!("kind {:?}, not Decode", error.kind()));
            }
            if error.operation() != name {
                problems.push(format!("names the operation {:?}", error.operation()));
            }
            if error.status().map(|s| s.as_u16()) != Some(200) {
                problems.push(format!("status {:?}", error.status()));
            }
            match error.body_excerpt() {
                None => problems.push("no body excerpt".into()),
                Some(excerpt) => {
                    if excerpt.is_empty() && !this.body.is_empty() {
                        problems.push("an empty excerpt of a non-empty body".into());
                    }
                    if excerpt.len() > 2048 + '…'.len_utf8() {
                        problems.push(format!("an excerpt of {} bytes", excerpt.len()));
                    }
                    // The runtime redacts JSON bodies, and the values of secret keys in
                    // text that reads like JSON (a body cut short, say).
                    if excerpt.contains(TOKEN_SECRET) || excerpt.contains(PROVIDER_SECRET) {
                        problems.push(format!("a secret in the excerpt {excerpt:?}"));
                    }
                }
            }
            if !error.to_string().starts_with(name) {
                problems.push(format!(
                    "Display does not start with the operation: {error}"
                ));
            }
            if !problems.is_empty() {
                failures.push(format!("{}: {}", describe(), problems.join("; ")));
            }
        }
    }
    println!(
        "response fuzzing: {tried} cases, {decoded} decoded, {rejected} Decode errors, {} failures",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {tried} response cases went wrong:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    // Both outcomes occur, so the assertions above were exercised.
    assert!(
        decoded > 0 && rejected > 0,
        "decoded {decoded}, rejected {rejected}"
    );
}
