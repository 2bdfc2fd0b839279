//! The example `generated/examples/quickstart.rs` (issue 3, point 9), run against a stateful
//! loopback server: its own code (`quickstart::tour`), not a copy, so CI proves the tour works.
//!
//! The server keeps connections and their resources in memory and implements what the tour
//! calls: the available connection types, create, read, rename, list by offset, list root
//! resources by cursor, and delete. Both listings span several pages, so the tour's streams
//! follow offsets and cursors. The tests check the tour's printed output, what happened to
//! the connection on the server, and every request the client sent.

mod support;

#[path = "../../generated/examples/quickstart.rs"]
#[allow(dead_code, reason = "the example's `main` is not called here")]
mod quickstart;

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use support::{TOKEN, client, header, json_response, nth_connection, received};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The connections the server holds before the tour: with the tour's, one more than the
/// tour's page of 100, so that listing them takes two pages.
const SEEDED: usize = 100;
/// The resources at the root of a new connection: three pages of the default 50.
const RESOURCES: usize = 120;
/// The default `page_size` of `get_children_resources`, as the document gives it.
const DEFAULT_PAGE_SIZE: usize = 50;
/// The id the server gives the connection the tour creates.
const CREATED_ID: &str = "c0ffee00-0000-4000-8000-000000000001";
/// When the server says it created it.
const CREATED_AT: &str = "2025-11-10T10:49:18+00:00";

/// What happened to connections on the server, in order.
#[derive(Debug, Clone, PartialEq)]
enum Event {
    Created {
        id: String,
        name: String,
        provider_id: String,
        connection_type_id: String,
        provider_data: Value,
    },
    Renamed {
        id: String,
        name: String,
    },
    Deleted {
        id: String,
    },
}

#[derive(Default)]
struct State {
    /// In creation order, as `GET /connections` lists them.
    connections: Vec<Value>,
    events: Vec<Event>,
    /// Answer `GET .../resources/children` with 403, to make the tour fail midway.
    refuse_resources: bool,
}

/// The stateful server: answers every request from [`State`].
#[derive(Clone, Default)]
struct Api(Arc<Mutex<State>>);

impl Api {
    fn seeded() -> Self {
        let api = Api::default();
        api.state().connections = (0..SEEDED).map(nth_connection).collect();
        api
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .expect("no test thread panicked holding the state")
    }

    async fn start(&self) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(self.clone())
            .mount(&server)
            .await;
        server
    }
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state();
        let path = request.url.path().to_string();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let authorized = header(request, "authorization") == Some(&*format!("Bearer {TOKEN}"));
        match (request.method.as_str(), segments.as_slice()) {
            // The one public operation.
            ("GET", ["connections", "available"]) => json_response(200, available()),
            _ if !authorized => json_response(401, json!({"detail": "Not authenticated"})),
            ("GET", ["connections"]) => {
                let offset = query_usize(request, "offset").unwrap_or(0);
                let limit = query_usize(request, "limit").unwrap_or(1000);
                let page: Vec<Value> = state
                    .connections
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .cloned()
                    .collect();
                json_response(200, Value::Array(page))
            }
            ("POST", ["connections"]) => create(&mut state, request),
            ("GET", ["connections", id]) => match find(&state, id) {
                Some(i) => json_response(200, state.connections[i].clone()),
                None => not_found(),
            },
            ("PATCH", ["connections", id]) => {
                let Some(i) = find(&state, id) else {
                    return not_found();
                };
                let Some(name) = body(request)["name"].as_str().map(str::to_string) else {
                    return invalid("body.name is required");
                };
                state.connections[i]["name"] = json!(name);
                state.events.push(Event::Renamed {
                    id: id.to_string(),
                    name,
                });
                json_response(200, state.connections[i].clone())
            }
            ("DELETE", ["connections", id]) => match find(&state, id) {
                Some(i) => {
                    state.connections.remove(i);
                    state.events.push(Event::Deleted { id: id.to_string() });
                    ResponseTemplate::new(204)
                }
                None => not_found(),
            },
            ("GET", ["connections", id, "resources", "children"]) => {
                if find(&state, id).is_none() {
                    return not_found();
                }
                if state.refuse_resources {
                    return json_response(403, json!({"detail": "Not allowed to browse"}));
                }
                children(request)
            }
            _ => not_found(),
        }
    }
}

/// An OAuth type first, so the tour has to look for the first `credentials` one; that one
/// has required params of each type and an optional one, which the tour must leave out.
fn available() -> Value {
    json!([
        {
            "connection_type_id": "gdrive-oauth", "provider_id": "gdrive",
            "name": "Google Drive", "connection_type": "oauth", "params": []
        },
        {
            "connection_type_id": "postgres-credentials", "provider_id": "postgres",
            "name": "PostgreSQL", "connection_type": "credentials",
            "params": [
                {"name": "host", "label": "Host", "type": "string", "required": true,
                 "placeholder": "db.example.com"},
                {"name": "port", "label": "Port", "type": "number", "required": true},
                {"name": "ssl", "label": "TLS", "type": "boolean", "required": true},
                {"name": "username", "label": "User", "type": "string", "required": true},
                {"name": "schema", "label": "Schema", "type": "string", "required": false}
            ]
        },
        {
            "connection_type_id": "confluence-credentials", "provider_id": "confluence",
            "name": "Confluence", "connection_type": "credentials", "params": []
        }
    ])
}

fn create(state: &mut State, request: &Request) -> ResponseTemplate {
    let body = body(request);
    let (Some(name), Some(provider_id), Some(connection_type_id), Some(data)) = (
        body["name"].as_str(),
        body["provider_id"].as_str(),
        body["connection_type_id"].as_str(),
        body["connection_provider_data"].as_object(),
    ) else {
        return invalid("name, provider_id, connection_type_id and connection_provider_data");
    };
    let connection = json!({
        "connection_id": CREATED_ID,
        "name": name,
        "org_id": "org-1",
        "provider_id": provider_id,
        "connection_type_id": connection_type_id,
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "connection_provider_data": data,
    });
    state.connections.push(connection.clone());
    state.events.push(Event::Created {
        id: CREATED_ID.to_string(),
        name: name.to_string(),
        provider_id: provider_id.to_string(),
        connection_type_id: connection_type_id.to_string(),
        provider_data: Value::Object(data.clone()),
    });
    json_response(200, connection)
}

/// A page of the root resources: `page_size` of them from the position the cursor
/// (`at-<n>`) names.
fn children(request: &Request) -> ResponseTemplate {
    let start = match query(request, "cursor") {
        None => 0,
        Some(cursor) => match cursor.strip_prefix("at-").and_then(|n| n.parse().ok()) {
            Some(start) => start,
            None => return invalid("bad cursor"),
        },
    };
    let page_size = query_usize(request, "page_size").unwrap_or(DEFAULT_PAGE_SIZE);
    let end = (start + page_size).min(RESOURCES);
    let data: Vec<Value> = (start..end).map(resource).collect();
    let next_cursor = (end < RESOURCES).then(|| format!("at-{end}"));
    json_response(
        200,
        json!({"data": data, "next_cursor": next_cursor, "current_cursor": query(request, "cursor")}),
    )
}

/// The `n`-th root resource: every tenth is a directory.
fn resource(n: usize) -> Value {
    json!({
        "resource_id": resource_id(n),
        "inode_type": if is_directory(n) { "directory" } else { "file" },
        "inode_path": {"path": format!("item-{n}")},
    })
}

fn is_directory(n: usize) -> bool {
    n.is_multiple_of(10)
}

fn resource_id(n: usize) -> String {
    format!("res-{n:03}")
}

fn find(state: &State, id: &str) -> Option<usize> {
    state
        .connections
        .iter()
        .position(|c| c["connection_id"] == id)
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap_or(Value::Null)
}

fn query(request: &Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn query_usize(request: &Request, key: &str) -> Option<usize> {
    query(request, key).and_then(|v| v.parse().ok())
}

fn not_found() -> ResponseTemplate {
    json_response(404, json!({"detail": "Not Found"}))
}

fn invalid(msg: &str) -> ResponseTemplate {
    json_response(
        422,
        json!({"detail": [{"loc": ["body"], "msg": msg, "type": "value_error"}]}),
    )
}

/// Runs the tour against `server`, returning its result and what it printed.
async fn run_tour(server: &MockServer) -> (Result<(), String>, String) {
    let mut out = Vec::new();
    let result = quickstart::tour(&client(server), &mut out).await;
    let printed = String::from_utf8(out).expect("the tour prints UTF-8");
    (result.map_err(|e| e.to_string()), printed)
}

/// Each request as `METHOD /path?sorted&query`, the query decoded.
fn request_lines(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            let mut query: Vec<String> = r
                .url
                .query_pairs()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            query.sort();
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{}", query.join("&"))
            };
            format!("{} {}{query}", r.method, r.url.path())
        })
        .collect()
}

/// The tour's output up to and including step 4.
fn expected_steps_1_to_4() -> String {
    format!(
        "1. available connection types
   gdrive / gdrive-oauth: Google Drive (oauth)
   postgres / postgres-credentials: PostgreSQL (credentials)
   confluence / confluence-credentials: Confluence (credentials)
2. create a PostgreSQL connection
   created {CREATED_ID}
3. read it back
   quickstart example created at 2025-11-10 10:49:18 UTC
4. rename it
   now called quickstart example (renamed)
"
    )
}

#[tokio::test]
async fn the_quickstart_tour_creates_renames_lists_browses_and_deletes_a_connection() {
    let api = Api::seeded();
    let server = api.start().await;

    let (result, printed) = run_tour(&server).await;
    assert_eq!(result, Ok(()), "the tour failed; it printed:\n{printed}");

    // What it printed: every step, every connection (two pages), every root resource
    // (three pages).
    let mut expected = expected_steps_1_to_4();
    expected.push_str("5. all connections\n");
    for n in 0..SEEDED {
        let id = nth_connection(n)["connection_id"]
            .as_str()
            .unwrap()
            .to_string();
        expected.push_str(&format!("   {id} conn-{n}\n"));
    }
    expected.push_str(&format!("   {CREATED_ID} quickstart example (renamed)\n"));
    expected.push_str(&format!("   {} in all\n", SEEDED + 1));
    expected.push_str("6. resources at the root\n");
    for n in 0..RESOURCES {
        let kind = if is_directory(n) { "Directory" } else { "File" };
        expected.push_str(&format!("   {kind} {}\n", resource_id(n)));
    }
    expected.push_str(&format!("   {RESOURCES} at the root\n"));
    expected.push_str(&format!("7. delete {CREATED_ID}\n"));
    assert_eq!(printed, expected);

    // What happened on the server: the connection was created for the first credentials
    // type with a placeholder of its type for each required param (and none for the
    // optional one), renamed, and deleted; the seeded connections are untouched.
    assert_eq!(
        api.state().events,
        vec![
            Event::Created {
                id: CREATED_ID.into(),
                name: "quickstart example".into(),
                provider_id: "postgres".into(),
                connection_type_id: "postgres-credentials".into(),
                provider_data: json!({
                    "host": "db.example.com",
                    "port": 0,
                    "ssl": false,
                    "username": "placeholder-username",
                }),
            },
            Event::Renamed {
                id: CREATED_ID.into(),
                name: "quickstart example (renamed)".into(),
            },
            Event::Deleted {
                id: CREATED_ID.into(),
            },
        ]
    );
    let seeded: Vec<Value> = (0..SEEDED).map(nth_connection).collect();
    assert_eq!(api.state().connections, seeded);

    // What the client sent: these requests, in this order, with the API key on every one
    // but the public `get_available_connections` (the client sends credentials only to
    // operations the document secures).
    let requests = received(&server).await;
    let connection = format!("/connections/{CREATED_ID}");
    let children = format!("{connection}/resources/children");
    assert_eq!(
        request_lines(&requests),
        vec![
            "GET /connections/available".to_string(),
            "POST /connections".to_string(),
            format!("GET {connection}"),
            format!("PATCH {connection}"),
            "GET /connections?limit=100&offset=0".to_string(),
            "GET /connections?limit=100&offset=100".to_string(),
            format!("GET {children}"),
            format!("GET {children}?cursor=at-50"),
            format!("GET {children}?cursor=at-100"),
            format!("DELETE {connection}"),
        ]
    );
    assert_eq!(header(&requests[0], "authorization"), None);
    let bearer = format!("Bearer {TOKEN}");
    for request in &requests[1..] {
        assert_eq!(
            header(request, "authorization"),
            Some(bearer.as_str()),
            "{} {}",
            request.method,
            request.url
        );
    }
}

#[tokio::test]
async fn the_quickstart_tour_fails_on_an_error_but_still_deletes_its_connection() {
    let api = Api::seeded();
    api.state().refuse_resources = true;
    let server = api.start().await;

    let (result, printed) = run_tour(&server).await;

    // The error ends the tour (and the example with a non-zero status) ...
    let error = result.expect_err("a 403 while browsing fails the tour");
    assert!(error.contains("403"), "{error}");
    // ... after the delete step, which still ran.
    assert!(
        printed.starts_with(&expected_steps_1_to_4()),
        "unexpected output:\n{printed}"
    );
    assert!(
        printed.ends_with(&format!(
            "   {} in all\n6. resources at the root\n7. delete {CREATED_ID}\n",
            SEEDED + 1
        )),
        "unexpected output:\n{printed}"
    );
    let state = api.state();
    assert!(
        matches!(state.events.last(), Some(Event::Deleted { id }) if id == CREATED_ID),
        "{:?}",
        state.events
    );
    assert_eq!(state.connections.len(), SEEDED);
}

#[tokio::test]
async fn the_quickstart_tour_refuses_without_a_credentials_connection_type() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_response(
            200,
            json!([{"connection_type_id": "gdrive-oauth", "provider_id": "gdrive",
                    "name": "Google Drive", "connection_type": "oauth"}]),
        ))
        .mount(&server)
        .await;

    let (result, printed) = run_tour(&server).await;

    assert_eq!(
        result,
        Err("no available connection type uses credentials".to_string())
    );
    assert_eq!(
        printed,
        "1. available connection types\n   gdrive / gdrive-oauth: Google Drive (oauth)\n"
    );
    assert_eq!(
        request_lines(&received(&server).await),
        vec!["GET /connections/available"],
        "nothing is created"
    );
}
