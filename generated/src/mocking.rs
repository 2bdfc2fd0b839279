//! The runtime of the generated typed mocks (feature `mock`): a loopback HTTP server
//! ([`wiremock`]) that answers the API's operations as the tests set them up, and fails the
//! test on a request no mock matches.
//!
//! The generator emits, for each operation, a mock builder (`mock::GetConnectionById` for
//! `get_connection_by_id`) with one typed matcher per parameter, `body`, and typed answers;
//! what is shared lives here: matching a request against an operation's path template and
//! conditions, recording unmatched requests, and serving a list as pages.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use wiremock::{Match, Mock, Request, Respond, ResponseTemplate};

use crate::redact::{REDACTED, body_excerpt, is_sensitive_name};
use crate::{Client, ClientBuilder, RetryPolicy};

/// The bearer token of [`MockServer::client`] (the mocks do not check credentials).
pub const MOCK_TOKEN: &str = "mock-token";

/// The status a request gets when no mock of the operation matches it. 501 is not retried,
/// so the application sees it once, as an [`crate::ErrorKind`] `Server` error whose body
/// says what was sent.
pub const UNMATCHED_STATUS: u16 = 501;

/// What the generated code knows of an operation, for matching.
#[derive(Debug)]
#[doc(hidden)]
pub struct MockOperation {
    /// The client method's name.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template (`/connections/{connection_id}`).
    pub path: &'static str,
    /// The status of a documented success.
    pub success: u16,
}

impl MockOperation {
    /// The path parameters of `path`, if it matches the template.
    fn path_params(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let template: Vec<&'static str> = self.path.trim_matches('/').split('/').collect();
        let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
        if template.len() != actual.len() {
            return None;
        }
        let mut params = Vec::new();
        for (t, a) in template.iter().zip(actual) {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                if a.is_empty() {
                    return None;
                }
                let decoded = percent_decode(a);
                params.push((name, decoded));
            } else if *t != a {
                return None;
            }
        }
        Some(params)
    }

    /// Whether `request` is for this operation: its method, and a path the template matches
    /// with no other operation's template matching it more literally
    /// (`/connections/available` is not `/connections/{connection_id}`).
    fn matches_route(&'static self, request: &Request) -> bool {
        route_of(request).is_some_and(|op| std::ptr::eq(op, self))
    }

    fn literal_segments(&self) -> usize {
        self.path.split('/').filter(|s| !s.starts_with('{')).count()
    }
}

/// The operation a request is for, if any.
fn route_of(request: &Request) -> Option<&'static MockOperation> {
    crate::mock::OPERATIONS
        .iter()
        .filter(|op| {
            request.method.as_str() == op.method && op.path_params(request.url.path()).is_some()
        })
        .max_by_key(|op| op.literal_segments())
}

impl MockOperation {}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value as it appears in a path, query or header: strings bare, everything else as JSON.
#[doc(hidden)]
pub fn wire_text<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<unserializable: {e}>"),
    }
}

/// A `text/event-stream` body: one event per item, its lines as `data` lines.
#[doc(hidden)]
#[allow(dead_code)] // used by the mocks of APIs with operations answering server-sent events
pub fn event_stream_body(data: impl IntoIterator<Item = String>) -> String {
    let mut body = String::new();
    for data in data {
        for line in data.split('\n') {
            body.push_str("data: ");
            body.push_str(line);
            body.push('\n');
        }
        body.push('\n');
    }
    body
}

/// A model as JSON, for a mock's answer or matcher.
#[doc(hidden)]
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value)
        .unwrap_or_else(|e| panic!("a mock's value does not serialize to JSON: {e}"))
}

/// One thing a request must have for a mock to answer it.
#[derive(Clone)]
enum Condition {
    PathParam(&'static str, String),
    Query(String, String),
    Header(String, String),
    Cookie(String, String),
    Body(Value),
    BodyPartial(Value),
}

impl Condition {
    fn holds(&self, operation: &MockOperation, request: &Request) -> bool {
        match self {
            Condition::PathParam(name, value) => operation
                .path_params(request.url.path())
                .is_some_and(|params| params.iter().any(|(n, v)| n == name && v == value)),
            Condition::Query(name, value) => request
                .url
                .query_pairs()
                .any(|(n, v)| n == name.as_str() && v == value.as_str()),
            Condition::Header(name, value) => request
                .headers
                .get_all(name.as_str())
                .iter()
                .any(|v| v.to_str().is_ok_and(|v| v == value)),
            Condition::Cookie(name, value) => request
                .headers
                .get_all("cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .any(|pair| pair.trim().split_once('=') == Some((name.as_str(), value.as_str()))),
            Condition::Body(expected) => {
                serde_json::from_slice::<Value>(&request.body).is_ok_and(|b| &b == expected)
            }
            Condition::BodyPartial(expected) => {
                serde_json::from_slice::<Value>(&request.body).is_ok_and(|b| contains(&b, expected))
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Condition::PathParam(name, value) => format!("path {name} = {value}"),
            Condition::Query(name, value) if is_sensitive_name(name) => {
                format!("query {name} = {REDACTED}")
            }
            Condition::Query(name, value) => format!("query {name} = {value}"),
            Condition::Header(name, _) if is_sensitive_name(name) => {
                format!("header {name} = {REDACTED}")
            }
            Condition::Header(name, value) => format!("header {name} = {value}"),
            Condition::Cookie(name, _) if is_sensitive_name(name) => {
                format!("cookie {name} = {REDACTED}")
            }
            Condition::Cookie(name, value) => format!("cookie {name} = {value}"),
            Condition::Body(body) => {
                format!("body = {}", body_excerpt(body.to_string().as_bytes(), 300))
            }
            Condition::BodyPartial(body) => {
                format!(
                    "body contains {}",
                    body_excerpt(body.to_string().as_bytes(), 300)
                )
            }
        }
    }
}

/// Whether `actual` has every member of `expected` (objects recursively, anything else equal).
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        _ => actual == expected,
    }
}

/// The conditions of one mock of an operation; built by the generated mock builders.
/// `Debug` shows them as the unmatched report does, secrets redacted.
#[derive(Clone)]
#[doc(hidden)]
pub struct Conditions {
    operation: &'static MockOperation,
    conditions: Vec<Condition>,
    times: Option<u64>,
}

impl Conditions {
    pub fn new(operation: &'static MockOperation) -> Self {
        Conditions {
            operation,
            conditions: Vec::new(),
            times: None,
        }
    }

    pub fn path_param<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.conditions
            .push(Condition::PathParam(name, wire_text(value)));
        self
    }

    /// A list matches when every item is among the parameter's repeated values.
    pub fn query<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        match serde_json::to_value(value) {
            Ok(Value::Array(items)) => {
                for item in items {
                    self.conditions
                        .push(Condition::Query(name.to_string(), wire_text(&item)));
                }
            }
            _ => self
                .conditions
                .push(Condition::Query(name.to_string(), wire_text(value))),
        }
        self
    }

    pub fn query_text(mut self, name: String, value: String) -> Self {
        self.conditions.push(Condition::Query(name, value));
        self
    }

    pub fn header<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.conditions.push(Condition::Header(
            name.to_ascii_lowercase(),
            wire_text(value),
        ));
        self
    }

    pub fn cookie<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.conditions
            .push(Condition::Cookie(name.to_string(), wire_text(value)));
        self
    }

    pub fn body<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        let body = serde_json::to_value(body).unwrap_or(Value::Null);
        self.conditions.push(Condition::Body(body));
        self
    }

    pub fn body_partial(mut self, body: Value) -> Self {
        self.conditions.push(Condition::BodyPartial(body));
        self
    }

    pub fn filter(self, filter: &crate::filters::Filter) -> Self {
        match filter.query_pair() {
            Ok((name, value)) => self.query_text(name, value),
            Err(e) => panic!("mock of {}: {e}", self.operation.id),
        }
    }

    pub fn times(mut self, times: u64) -> Self {
        self.times = Some(times);
        self
    }

    fn describe(&self) -> String {
        if self.conditions.is_empty() {
            return "any request".into();
        }
        self.conditions
            .iter()
            .map(Condition::describe)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Debug for Conditions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conditions")
            .field("operation", &self.operation.id)
            .field("expects", &self.describe())
            .field("times", &self.times)
            .finish()
    }
}

impl Match for Conditions {
    fn matches(&self, request: &Request) -> bool {
        self.operation.matches_route(request)
            && self
                .conditions
                .iter()
                .all(|c| c.holds(self.operation, request))
    }
}

/// A loopback server answering the API's operations as the test mounts mocks on it.
///
/// Each operation has a method of the same name returning its mock builder: set what the
/// request must carry (parameters, body, filters), then how to answer (`ok`, `error`,
/// `status`, or `pages` for a paginated operation). A request that no mock matches gets a
/// 501 whose body names the operation and shows the request, and dropping the server then
/// fails the test with the same report (unless [`MockServer::take_unmatched`] took it).
pub struct MockServer {
    server: wiremock::MockServer,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    unmatched: Vec<String>,
    /// (operation, what the mock checks), for the unmatched report.
    mounted: Vec<(&'static str, String)>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.server.uri())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a server on a loopback port, with no mock mounted.
    pub async fn start() -> Self {
        let server = wiremock::MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        for operation in crate::mock::OPERATIONS {
            Mock::given(Conditions::new(operation))
                .respond_with(Unmatched {
                    operation: Some(operation),
                    state: state.clone(),
                })
                .with_priority(u8::MAX - 1)
                .named(format!("{} (unmatched)", operation.id))
                .mount(&server)
                .await;
        }
        Mock::given(wiremock::matchers::any())
            .respond_with(Unmatched {
                operation: None,
                state: state.clone(),
            })
            .with_priority(u8::MAX)
            .named("no operation (unmatched)")
            .mount(&server)
            .await;
        MockServer { server, state }
    }

    /// The server's base URL.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// A client builder for this server: its base URL, the bearer token [`MOCK_TOKEN`], and
    /// the default retry policy with millisecond delays.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .base_url(self.uri())
            .bearer_token(MOCK_TOKEN)
            .retry_policy(
                RetryPolicy::default()
                    .with_delays(Duration::from_millis(1), Duration::from_millis(5)),
            )
    }

    /// [`MockServer::client_builder`], built.
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .expect("a client for a loopback URL with a static token always builds")
    }

    /// The reports of the requests no mock matched so far, which the server then no longer
    /// fails the test for.
    pub fn take_unmatched(&self) -> Vec<String> {
        std::mem::take(&mut lock(&self.state).unmatched)
    }

    /// Mounts a mock; used by the generated builders.
    #[doc(hidden)]
    pub async fn mount(&self, conditions: Conditions, respond: impl Respond + 'static) {
        let description = conditions.describe();
        let operation = conditions.operation;
        let mut mock = Mock::given(conditions.clone())
            .respond_with(respond)
            .named(format!("{}: {description}", operation.id));
        if let Some(times) = conditions.times {
            mock = mock.expect(times);
        }
        lock(&self.state).mounted.push((operation.id, description));
        mock.mount(&self.server).await;
    }

    /// Mounts a mock answering `status` with `body` as JSON (no body for `None`).
    #[doc(hidden)]
    pub async fn mount_json(&self, conditions: Conditions, status: u16, body: Option<Value>) {
        let mut template = ResponseTemplate::new(status);
        if let Some(body) = body {
            template = template.set_body_json(body);
        }
        self.mount(conditions, template).await;
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let unmatched = std::mem::take(&mut lock(&self.state).unmatched);
        if !unmatched.is_empty() && !std::thread::panicking() {
            panic!(
                "{} request(s) reached the mock server that no mock matched:\n\n{}",
                unmatched.len(),
                unmatched.join("\n\n")
            );
        }
    }
}

/// Answers and records a request no mock matched.
struct Unmatched {
    operation: Option<&'static MockOperation>,
    state: Arc<Mutex<State>>,
}

impl Respond for Unmatched {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut report = match self.operation {
            Some(op) => format!(
                "no mock of `{}` ({} {}) matched this request:",
                op.id, op.method, op.path
            ),
            None => "no operation of the API has this method and path:".to_string(),
        };
        let _ = write!(report, "\n  {} {}", request.method, request.url.path());
        if request.url.query().is_some() {
            let shown: Vec<String> = request
                .url
                .query_pairs()
                .map(|(k, v)| {
                    if is_sensitive_name(&k) {
                        format!("{k}={REDACTED}")
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect();
            let _ = write!(report, "?{}", shown.join("&"));
        }
        let mut headers: Vec<String> = request
            .headers
            .iter()
            .filter(|(name, _)| {
                !matches!(name.as_str(), "host" | "accept-encoding" | "content-length")
            })
            .map(|(name, value)| {
                let value = if is_sensitive_name(name.as_str()) {
                    REDACTED.to_string()
                } else {
                    value.to_str().unwrap_or("<binary>").to_string()
                };
                format!("{name}: {value}")
            })
            .collect();
        headers.sort();
        if !headers.is_empty() {
            let _ = write!(report, "\n  headers: {}", headers.join(", "));
        }
        if !request.body.is_empty() {
            let _ = write!(report, "\n  body: {}", body_excerpt(&request.body, 2000));
        }
        let mut state = lock(&self.state);
        if let Some(op) = self.operation {
            let mounted: Vec<&String> = state
                .mounted
                .iter()
                .filter(|(id, _)| *id == op.id)
                .map(|(_, d)| d)
                .collect();
            if mounted.is_empty() {
                let _ = write!(report, "\n  no mock of `{}` is mounted", op.id);
            } else {
                for d in mounted {
                    let _ = write!(report, "\n  mounted mock of `{}` expects: {d}", op.id);
                }
            }
        }
        state.unmatched.push(report.clone());
        ResponseTemplate::new(UNMATCHED_STATUS)
            .set_body_json(serde_json::json!({ "detail": format!("stackai mock: {report}") }))
    }
}

/// Where a paginated operation's request asks to start and how many items it wants.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
#[allow(dead_code, reason = "used only by the mocks of paginated operations")]
pub enum PageStyle {
    /// `offset` and `limit` query parameters.
    Offset {
        offset: &'static str,
        limit: &'static str,
        default_limit: u64,
    },
    /// `cursor` and a page-size query parameter; the mock's cursors are offsets.
    Cursor {
        cursor: &'static str,
        size: Option<&'static str>,
        default_size: u64,
    },
}

/// What a page's envelope may carry besides its items.
#[derive(Debug, Clone)]
#[doc(hidden)]
#[allow(dead_code, reason = "used only by the mocks of paginated operations")]
pub struct PageInfo {
    pub offset: u64,
    pub limit: u64,
    pub total: u64,
    pub cursor: Option<String>,
    pub next_cursor: Option<String>,
}

/// Serves a list as pages.
#[doc(hidden)]
#[allow(dead_code, reason = "used only by the mocks of paginated operations")]
pub struct Pages {
    pub items: Vec<Value>,
    pub style: PageStyle,
    pub status: u16,
    pub envelope: fn(Vec<Value>, PageInfo) -> Value,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.into_owned())
        };
        let number = |name: &str| query(name).and_then(|v| v.parse::<u64>().ok());
        let (offset, limit, cursor) = match self.style {
            PageStyle::Offset {
                offset,
                limit,
                default_limit,
            } => (
                number(offset).unwrap_or(0),
                number(limit).unwrap_or(default_limit),
                None,
            ),
            PageStyle::Cursor {
                cursor,
                size,
                default_size,
            } => {
                let at = query(cursor);
                (
                    at.as_deref().and_then(|c| c.parse().ok()).unwrap_or(0),
                    size.and_then(number).unwrap_or(default_size),
                    at,
                )
            }
        };
        let total = self.items.len() as u64;
        let start = offset.min(total) as usize;
        let end = offset.saturating_add(limit).min(total) as usize;
        let page = self.items[start..end].to_vec();
        let next_cursor = (matches!(self.style, PageStyle::Cursor { .. }) && (end as u64) < total)
            .then(|| end.to_string());
        let body = (self.envelope)(
            page,
            PageInfo {
                offset,
                limit,
                total,
                cursor,
                next_cursor,
            },
        );
        ResponseTemplate::new(self.status).set_body_json(body)
    }
}
