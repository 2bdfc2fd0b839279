//! Tracing (issue 3, point 8), over loopback HTTP: one `stackai.request` span per
//! attempt with the operation id, method, path template, attempt number, status and
//! latency, a `retrying` event between attempts, and no secret anywhere.
//!
//! The spans are captured by [`Recorder`], a minimal `tracing::Subscriber` installed as
//! the thread's default; `#[tokio::test]` runs everything on the test's thread.

mod support;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use stackai_connections::{Client, ErrorKind};
use support::{PROVIDER_SECRET, Sequence, connection_id, connection_request, json_response};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A span, with every field recorded on it so far.
#[derive(Debug, Clone)]
struct SpanRecord {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

/// An event, with the span it happened in.
#[derive(Debug, Clone)]
struct EventRecord {
    span: Option<usize>,
    level: tracing::Level,
    fields: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct Recorded {
    /// Indexed by span id - 1.
    spans: Vec<SpanRecord>,
    events: Vec<EventRecord>,
    /// The spans entered on this thread, innermost last.
    stack: Vec<usize>,
}

/// A `tracing` subscriber that keeps everything in memory.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Recorded>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = BTreeMap::new();
        attributes.record(&mut Fields(&mut fields));
        let mut recorded = self.0.lock().unwrap();
        recorded.spans.push(SpanRecord {
            name: attributes.metadata().name(),
            fields,
        });
        Id::from_u64(recorded.spans.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut recorded = self.0.lock().unwrap();
        let index = span.into_u64() as usize - 1;
        values.record(&mut Fields(&mut recorded.spans[index].fields));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let mut recorded = self.0.lock().unwrap();
        let span = match event.parent() {
            Some(id) => Some(id.into_u64() as usize - 1),
            None if event.is_contextual() => recorded.stack.last().copied(),
            None => None,
        };
        recorded.events.push(EventRecord {
            span,
            level: *event.metadata().level(),
            fields,
        });
    }

    fn enter(&self, span: &Id) {
        self.0
            .lock()
            .unwrap()
            .stack
            .push(span.into_u64() as usize - 1);
    }

    fn exit(&self, span: &Id) {
        let mut recorded = self.0.lock().unwrap();
        let index = span.into_u64() as usize - 1;
        if let Some(at) = recorded.stack.iter().rposition(|s| *s == index) {
            recorded.stack.remove(at);
        }
    }
}

impl Recorder {
    /// Installs a recorder as this thread's default subscriber until the guard drops.
    fn install() -> (Self, tracing::subscriber::DefaultGuard) {
        let recorder = Recorder::default();
        let guard = tracing::subscriber::set_default(recorder.clone());
        (recorder, guard)
    }

    /// The `stackai.request` spans, in creation order, with their index.
    fn request_spans(&self) -> Vec<(usize, BTreeMap<String, String>)> {
        self.0
            .lock()
            .unwrap()
            .spans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name == "stackai.request")
            .map(|(i, s)| (i, s.fields.clone()))
            .collect()
    }

    fn events(&self) -> Vec<EventRecord> {
        self.0.lock().unwrap().events.clone()
    }

    /// Everything recorded, as text.
    fn dump(&self) -> String {
        format!("{:?}", self.0.lock().unwrap())
    }
}

fn field<'f>(fields: &'f BTreeMap<String, String>, name: &str) -> Option<&'f str> {
    fields.get(name).map(String::as_str)
}

#[tokio::test]
async fn one_span_per_attempt_with_operation_method_path_template_attempt_status_latency() {
    let (recorder, _guard) = Recorder::install();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(503),
            ResponseTemplate::new(502),
            json_response(200, support::connection_json(support::CONNECTION_ID, "n")),
        ]))
        .mount(&server)
        .await;

    support::client(&server)
        .get_connection_by_id()
        .connection_id(connection_id())
        .send()
        .await
        .expect("200 on the third attempt");

    let spans = recorder.request_spans();
    assert_eq!(spans.len(), 3, "{spans:#?}");
    for ((_, fields), (attempt, status)) in
        spans.iter().zip([("1", "503"), ("2", "502"), ("3", "200")])
    {
        assert_eq!(field(fields, "operation"), Some("get_connection_by_id"));
        assert_eq!(field(fields, "method"), Some("GET"));
        assert_eq!(field(fields, "path"), Some("/connections/{connection_id}"));
        assert_eq!(field(fields, "attempt"), Some(attempt));
        assert_eq!(field(fields, "status"), Some(status));
        let latency = field(fields, "latency_ms").expect("latency recorded");
        latency
            .parse::<u64>()
            .expect("latency in whole milliseconds");
    }
    assert!(
        !recorder.dump().contains(support::CONNECTION_ID),
        "the path template is recorded, not the filled-in path"
    );

    // A `retrying` event inside each of the two failed attempts' spans.
    let retrying: Vec<EventRecord> = recorder
        .events()
        .into_iter()
        .filter(|e| field(&e.fields, "message") == Some("retrying"))
        .collect();
    assert_eq!(retrying.len(), 2, "{retrying:#?}");
    for (event, (span, _)) in retrying.iter().zip(&spans) {
        assert_eq!(
            event.span,
            Some(*span),
            "the event belongs to the attempt it follows"
        );
        assert_eq!(event.level, tracing::Level::DEBUG);
        field(&event.fields, "delay_ms")
            .expect("delay")
            .parse::<u64>()
            .expect("ms");
        assert!(
            field(&event.fields, "error").is_some_and(|e| e.contains("50")),
            "{event:?}"
        );
    }
}

#[tokio::test]
async fn each_request_gets_its_own_span_with_its_own_operation() {
    let (recorder, _guard) = Recorder::install();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connections"))
        .respond_with(json_response(
            200,
            support::connection_json(support::CONNECTION_ID, "n"),
        ))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = support::client(&server);

    client
        .create_connection()
        .body(connection_request())
        .send()
        .await
        .expect("200");
    client
        .delete_connection()
        .connection_id(connection_id())
        .send()
        .await
        .expect("204");

    let spans: Vec<Vec<Option<String>>> = recorder
        .request_spans()
        .iter()
        .map(|(_, f)| {
            ["operation", "method", "path", "attempt", "status"]
                .iter()
                .map(|n| field(f, n).map(str::to_string))
                .collect()
        })
        .collect();
    let some = |v: &[&str]| v.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
    assert_eq!(
        spans,
        [
            some(&["create_connection", "POST", "/connections", "1", "200"]),
            some(&[
                "delete_connection",
                "DELETE",
                "/connections/{connection_id}",
                "1",
                "204"
            ]),
        ]
    );
}

#[tokio::test]
async fn a_failed_connection_has_spans_without_status() {
    let (recorder, _guard) = Recorder::install();
    let client = Client::builder()
        .base_url(support::refused_url())
        .retry_policy(support::fast_retries())
        .max_retries(1)
        .build()
        .expect("client");

    let err = client
        .get_available_connections()
        .send()
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Connection);

    let spans = recorder.request_spans();
    assert_eq!(spans.len(), 2);
    for ((_, fields), attempt) in spans.iter().zip(["1", "2"]) {
        assert_eq!(field(fields, "attempt"), Some(attempt));
        assert_eq!(field(fields, "status"), None, "no response, no status");
        assert!(field(fields, "latency_ms").is_some());
    }
}

#[tokio::test]
async fn a_token_refresh_replay_is_the_next_attempt() {
    let (recorder, _guard) = Recorder::install();
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(
            |request: &Request| match support::header(request, "authorization") {
                Some("Bearer tok-1") => ResponseTemplate::new(401),
                _ => json_response(200, json!([])),
            },
        )
        .mount(&server)
        .await;

    password_client(&server)
        .get_connections()
        .send()
        .await
        .expect("200 after refresh");

    let spans: Vec<(Option<String>, Option<String>)> = recorder
        .request_spans()
        .iter()
        .map(|(_, f)| {
            (
                field(f, "attempt").map(Into::into),
                field(f, "status").map(Into::into),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            (Some("1".into()), Some("401".into())),
            (Some("2".into()), Some("200".into())),
        ]
    );
}

const PASSWORD: &str = "hunter2-Pa55w0rd";

/// Tokens `tok-1`, `tok-2`, ...
async fn mount_tokens(server: &MockServer) {
    let issued = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(move |_: &Request| {
            let n = issued.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            json_response(200, json!({"access_token": format!("tok-{n}")}))
        })
        .mount(server)
        .await;
}

fn password_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .password("ada@example.com", PASSWORD)
        .retry_policy(support::fast_retries())
        .build()
        .expect("client")
}

/// Echoes the request body and its `Authorization` in an error body, as a careless
/// server might: 401 for `tok-1`, then 429, then 422.
struct EchoingServer {
    calls: std::sync::atomic::AtomicUsize,
}

impl wiremock::Respond for EchoingServer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let authorization = support::header(request, "authorization");
        let status = if authorization == Some("Bearer tok-1") {
            401
        } else if self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            429
        } else {
            422
        };
        let sent: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        json_response(
            status,
            json!({
                "detail": [{"loc": ["body"], "msg": "echo", "type": "t", "input": sent}],
                "access_token": authorization,
                "debug": {"Authorization": authorization, "password": PASSWORD}
            }),
        )
        .insert_header("retry-after-ms", "1")
    }
}

#[tokio::test]
async fn no_secret_is_ever_recorded() {
    let (recorder, _guard) = Recorder::install();
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    Mock::given(method("POST"))
        .and(path("/connections"))
        .respond_with(EchoingServer {
            calls: Default::default(),
        })
        .mount(&server)
        .await;

    let err = password_client(&server)
        .create_connection()
        .body(connection_request())
        .send()
        .await
        .expect_err("422");
    assert_eq!(err.kind(), ErrorKind::Validation);

    let dump = recorder.dump();
    // Not vacuous: the refresh (401), the 429 with its retry, and the 422 were recorded.
    let statuses: Vec<Option<String>> = recorder
        .request_spans()
        .iter()
        .map(|(_, f)| field(f, "status").map(Into::into))
        .collect();
    assert_eq!(
        statuses,
        [Some("401".into()), Some("429".into()), Some("422".into())],
        "{dump}"
    );
    assert!(dump.contains("retrying") && dump.contains("echo"), "{dump}");
    for secret in [PASSWORD, "tok-1", "tok-2", PROVIDER_SECRET] {
        assert!(!dump.contains(secret), "{secret:?} was recorded: {dump}");
    }
}
