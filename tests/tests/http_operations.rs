//! Loopback HTTP tests for every operation of the generated client.
//!
//! Each test starts a [`MockServer`] on 127.0.0.1, points a [`Client`] at it, calls one
//! operation, and checks both sides of the exchange:
//!
//! * the request on the wire: method, exact path, raw query string, headers (`accept`,
//!   `content-type`, `user-agent`, no `api-version`) and the JSON body;
//! * the decoding of the response, using the example bodies of the API documentation
//!   (`/work/shared/seeds/000_ccd520bebc64ecfc.txt`), the 204 responses, the documented 422
//!   `HTTPValidationError`, and undocumented statuses.
//!
//! Mocks are mounted with `.expect(1)`, which the server verifies when it is dropped.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use stackai_connections::{Client, Error, ErrorKind, ResponseValue, types};
use uuid::Uuid;
use wiremock::matchers::{any, header, method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, Request, ResponseTemplate};

// ---------------------------------------------------------------------------------------
// Identifiers and instants used throughout.
// ---------------------------------------------------------------------------------------

/// The connection id of every documentation example.
const CONNECTION_ID: &str = "123e4567-e89b-12d3-a456-426614174000";
/// A second id, so that a subject is not mistaken for the connection.
const SUBJECT_ID: &str = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("valid uuid literal")
}

fn connection_id() -> Uuid {
    uuid(CONNECTION_ID)
}

/// A UTC instant with microsecond precision.
fn utc_micros(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_micro_opt(h, mi, s, micro))
        .expect("valid instant literal")
        .and_utc()
}

/// `2025-11-10T10:49:18.436394+00:00`, the documented `created_at`.
fn documented_created_at() -> DateTime<Utc> {
    utc_micros(2025, 11, 10, 10, 49, 18, 436_394)
}

/// `2025-11-10T10:49:18.436438+00:00`, the documented `updated_at`.
fn documented_updated_at() -> DateTime<Utc> {
    utc_micros(2025, 11, 10, 10, 49, 18, 436_438)
}

/// `2025-11-28T01:31:40.235Z`, the documented resource timestamps.
fn documented_resource_instant() -> DateTime<Utc> {
    utc_micros(2025, 11, 28, 1, 31, 40, 235_000)
}

// ---------------------------------------------------------------------------------------
// Example bodies, copied from the API documentation.
// ---------------------------------------------------------------------------------------

fn example_user() -> Value {
    json!({
        "avatar_url": "text",
        "full_name": "text",
        "has_completed_onboarding": true,
        "last_signed_in": "text",
        "updated_at": "text",
        "id": "text",
        "email": "text"
    })
}

/// The `Connection` example shared by every operation that returns a connection.
fn example_connection() -> Value {
    json!({
        "connection_id": CONNECTION_ID,
        "created_by": example_user(),
        "created_at": "2025-11-10T10:49:18.436394+00:00",
        "updated_by": example_user(),
        "updated_at": "2025-11-10T10:49:18.436438+00:00",
        "name": "Unnamed connection",
        "org_id": "text",
        "provider_id": "text",
        "connection_type_id": "text",
        "connection_provider_data": {
            "ANY_ADDITIONAL_PROPERTY": "anything"
        }
    })
}

/// [`example_connection`] with some fields replaced (`Value::Null` included) and the
/// fields named in `remove` left out.
fn connection_with(overrides: Value, remove: &[&str]) -> Value {
    let mut connection = example_connection();
    let object = connection.as_object_mut().expect("example is an object");
    for (key, value) in as_map(overrides) {
        object.insert(key, value);
    }
    for key in remove {
        object.remove(*key);
    }
    connection
}

/// A connection with no users, `Z` timestamps, no `name` (which has a default) and
/// provider data of every JSON kind.
fn sparse_connection() -> Value {
    connection_with(
        json!({
            "created_by": null,
            "updated_by": null,
            "created_at": "2025-11-28T01:31:40.235Z",
            "updated_at": "2025-11-28T01:31:40.235Z",
            "connection_provider_data": rich_provider_data(),
            "a_field_added_later": {"clients": "must ignore it"}
        }),
        &["name"],
    )
}

/// The `Resource` example of `GET /connections/{connection_id}/resources`.
fn example_resource() -> Value {
    json!({
        "knowledge_base_id": "123e4567-e89b-12d3-a456-426614174000",
        "created_at": "2025-11-28T01:31:40.235Z",
        "modified_at": "2025-11-28T01:31:40.235Z",
        "indexed_at": "2025-11-28T01:31:40.235Z",
        "inode_type": "file",
        "resource_id": "text",
        "inode_path": {
            "ANY_ADDITIONAL_PROPERTY": "text"
        },
        "dataloader_metadata": {
            "^[^\\t\\n\\r\\f\\v]+$": null
        },
        "user_metadata": {
            "^[^\\t\\n\\r\\f\\v]+$": null
        },
        "inode_id": "123e4567-e89b-12d3-a456-426614174000",
        "content_hash": "text",
        "content_mime": "text",
        "size": 1,
        "status": "resource",
        "supabase_signed_url": "text"
    })
}

/// A directory with every optional field null or absent.
fn sparse_resource() -> Value {
    json!({
        "resource_id": "folder-1",
        "inode_type": "directory",
        "inode_path": {"path": "Shared/Reports"},
        "knowledge_base_id": null,
        "created_at": null,
        "modified_at": null,
        "indexed_at": null,
        "inode_id": null,
        "content_hash": null,
        "content_mime": null,
        "size": null,
        "status": null,
        "supabase_signed_url": null
    })
}

/// A cursor page, the shape the OpenAPI document gives `CursorPage[Resource]`.
fn cursor_page(next_cursor: Value) -> Value {
    json!({
        "data": [example_resource(), sparse_resource()],
        "next_cursor": next_cursor,
        "current_cursor": null
    })
}

/// The documented `GET /api/v1/connections` envelope.
fn example_paginated_connections() -> Value {
    json!({
        "status_code": 200,
        "response_code": "text",
        "meta": {
            "ANY_ADDITIONAL_PROPERTY": "anything"
        },
        "data": [example_connection()],
        "offset": 0,
        "limit": 50,
        "total": 0
    })
}

/// The documented `ConnectionRbacInfo`, with a second subject so that lists are checked.
fn example_rbac_info() -> Value {
    json!({
        "org_level_role": "text",
        "user_roles": {
            "ANY_ADDITIONAL_PROPERTY": [
                "123e4567-e89b-12d3-a456-426614174000",
                SUBJECT_ID
            ]
        },
        "group_roles": {
            "ANY_ADDITIONAL_PROPERTY": [
                "123e4567-e89b-12d3-a456-426614174000"
            ]
        },
        "current_user_effective_role": "text"
    })
}

/// The documented `AvailableConnection` example, then one that relies on every default.
fn example_available_connections() -> Value {
    json!([
        {
            "connection_type_id": "text",
            "provider_id": "text",
            "name": "text",
            "description": "text",
            "labels": ["text"],
            "params": [
                {
                    "label": "text",
                    "type": "string",
                    "placeholder": "text",
                    "default": 1,
                    "help": "text",
                    "url": "text",
                    "required": true,
                    "name": "text"
                }
            ],
            "minimum_plan": "text",
            "color": "#A3A3A3",
            "is_marketing_stunt": false,
            "connection_type": "credentials"
        },
        {
            "connection_type_id": "oauth",
            "provider_id": "gdrive",
            "name": "Google Drive",
            "connection_type": "oauth",
            "description": null,
            "minimum_plan": null
        }
    ])
}

/// A FastAPI validation error: the documented shape, with a string and an integer `loc`.
fn example_validation_error() -> Value {
    json!({
        "detail": [
            {
                "loc": ["query", "page_size"],
                "msg": "Input should be less than or equal to 1000",
                "type": "less_than_equal",
                "input": "5000",
                "ctx": {"le": 1000}
            },
            {
                "loc": ["body", "connection_provider_data", 0],
                "msg": "Field required",
                "type": "missing"
            }
        ]
    })
}

/// Provider data exercising every JSON kind, to show it is sent and received verbatim.
fn rich_provider_data() -> Value {
    json!({
        "client_id": "abc123",
        "scopes": ["drive.readonly", "userinfo.email"],
        "nested": {"depth": 2, "ratio": 0.5, "enabled": true, "nothing": null},
        "unicode": "résumé ✓"
    })
}

fn as_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("expected a JSON object, got {other}"),
    }
}

/// The `ConnectionRequest` body used by create/update/oauth operations...
fn connection_request() -> types::ConnectionRequest {
    types::ConnectionRequest::builder()
        .name("Team Drive")
        .provider_id("gdrive")
        .connection_type_id("oauth")
        .connection_provider_data(as_map(rich_provider_data()))
        .try_into()
        .expect("complete request")
}

/// ...and the JSON it must put on the wire.
fn connection_request_json() -> Value {
    json!({
        "name": "Team Drive",
        "provider_id": "gdrive",
        "connection_type_id": "oauth",
        "connection_provider_data": rich_provider_data()
    })
}

// ---------------------------------------------------------------------------------------
// Server, mocks and request inspection.
// ---------------------------------------------------------------------------------------

async fn start() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::new(&server.uri()).expect("client builds");
    (server, client)
}

/// Whether the operation behind `verb` answers with a JSON value on success: all do but
/// the two DELETEs, whose success is an empty 204.
fn expects_json(verb: &str) -> bool {
    verb != "DELETE"
}

/// A mock matching one method, one exact path, and `accept: application/json` when the
/// operation's success has a JSON body.
fn route(verb: &str, exact_path: &str) -> MockBuilder {
    let mock = Mock::given(method(verb)).and(path(exact_path));
    if expects_json(verb) {
        mock.and(header("accept", "application/json"))
    } else {
        mock
    }
}

/// Mounts `mock` so that it must be hit exactly once.
async fn mount_once(server: &MockServer, mock: MockBuilder, response: ResponseTemplate) {
    mock.respond_with(response).expect(1).mount(server).await;
}

/// Mounts [`route`]`(verb, exact_path)`, to be hit exactly once.
async fn mount(server: &MockServer, verb: &str, exact_path: &str, response: ResponseTemplate) {
    mount_once(server, route(verb, exact_path), response).await;
}

fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

fn ok(body: Value) -> ResponseTemplate {
    json_response(200, body)
}

fn header_str<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("header is ASCII"))
}

/// Checks the headers every request must carry (and the one none may carry).
fn assert_common_headers(request: &Request) {
    // An operation with a JSON success asks for JSON; a 204-only one has nothing to
    // negotiate and keeps reqwest's `*/*`.
    let accept = if expects_json(request.method.as_str()) {
        "application/json"
    } else {
        "*/*"
    };
    assert_eq!(header_str(request, "accept"), Some(accept));
    let user_agent = header_str(request, "user-agent").expect("user-agent is sent");
    assert!(
        user_agent.starts_with("stackai-connections/"),
        "user-agent {user_agent:?}"
    );
    assert_eq!(user_agent, Client::USER_AGENT);
    assert!(
        request.headers.get("api-version").is_none(),
        "no api-version header may be sent, got {:?}",
        request.headers.get("api-version")
    );
}

/// The only request `server` received, after [`assert_common_headers`] and a check of
/// its method and path.
async fn the_request(server: &MockServer, verb: &str, exact_path: &str) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "requests: {requests:#?}");
    let request = requests.remove(0);
    assert_eq!(request.method.as_str(), verb);
    assert_eq!(request.url.path(), exact_path);
    assert_common_headers(&request);
    request
}

/// The request carries exactly `expected` as JSON.
fn assert_json_body(request: &Request, expected: &Value) {
    assert_eq!(
        header_str(request, "content-type"),
        Some("application/json")
    );
    let sent: Value = serde_json::from_slice(&request.body).expect("body is JSON");
    assert_eq!(&sent, expected);
}

/// The request has no body (and so no content type).
fn assert_no_body(request: &Request) {
    assert!(
        request.body.is_empty(),
        "unexpected body {:?}",
        request.body
    );
    assert_eq!(header_str(request, "content-type"), None);
}

/// The raw (still percent-encoded) query string.
fn raw_query(request: &Request) -> Option<&str> {
    request.url.query()
}

fn connection_path(suffix: &str) -> String {
    format!("/connections/{CONNECTION_ID}{suffix}")
}

fn v1_connection_path(suffix: &str) -> String {
    format!("/api/v1/connections/{CONNECTION_ID}{suffix}")
}

// ---------------------------------------------------------------------------------------
// Decoded-value assertions.
// ---------------------------------------------------------------------------------------

fn assert_example_user(user: Option<&types::User>) {
    let user = user.expect("user present");
    assert_eq!(user.id, "text");
    assert_eq!(user.email.as_deref(), Some("text"));
    assert_eq!(user.full_name.as_deref(), Some("text"));
    assert_eq!(user.avatar_url.as_deref(), Some("text"));
    assert_eq!(user.has_completed_onboarding, Some(true));
    assert_eq!(user.last_signed_in.as_deref(), Some("text"));
    assert_eq!(user.updated_at.as_deref(), Some("text"));
}

/// `connection` is [`example_connection`] decoded.
fn assert_example_connection(connection: &types::Connection) {
    assert_eq!(connection.connection_id, connection_id());
    assert_eq!(connection.created_at, documented_created_at());
    assert_eq!(connection.updated_at, documented_updated_at());
    assert_eq!(connection.name, "Unnamed connection");
    assert_eq!(connection.org_id, "text");
    assert_eq!(connection.provider_id, "text");
    assert_eq!(connection.connection_type_id, "text");
    assert_eq!(
        connection.connection_provider_data,
        as_map(json!({"ANY_ADDITIONAL_PROPERTY": "anything"}))
    );
    assert_example_user(connection.created_by.as_ref());
    assert_example_user(connection.updated_by.as_ref());
}

/// `connection` is [`sparse_connection`] decoded.
fn assert_sparse_connection(connection: &types::Connection) {
    assert_eq!(connection.connection_id, connection_id());
    assert_eq!(connection.created_at, documented_resource_instant());
    assert_eq!(connection.updated_at, documented_resource_instant());
    assert!(connection.created_by.is_none());
    assert!(connection.updated_by.is_none());
    assert_eq!(connection.name, "Unnamed connection", "documented default");
    assert_eq!(
        connection.connection_provider_data,
        as_map(rich_provider_data())
    );
}

/// `resource` is [`example_resource`] decoded.
fn assert_example_resource(resource: &types::Resource) {
    assert_eq!(resource.resource_id, "text");
    assert_eq!(resource.inode_type, types::InodeType::File);
    assert_eq!(resource.knowledge_base_id, Some(connection_id()));
    assert_eq!(resource.inode_id, Some(connection_id()));
    assert_eq!(resource.created_at, Some(documented_resource_instant()));
    assert_eq!(resource.modified_at, Some(documented_resource_instant()));
    assert_eq!(resource.indexed_at, Some(documented_resource_instant()));
    assert_eq!(
        resource
            .inode_path
            .get("ANY_ADDITIONAL_PROPERTY")
            .map(String::as_str),
        Some("text")
    );
    assert_eq!(
        resource.dataloader_metadata,
        as_map(json!({"^[^\\t\\n\\r\\f\\v]+$": null}))
    );
    assert_eq!(
        resource.user_metadata,
        as_map(json!({"^[^\\t\\n\\r\\f\\v]+$": null}))
    );
    assert_eq!(resource.content_hash.as_deref(), Some("text"));
    assert_eq!(resource.content_mime.as_deref(), Some("text"));
    assert_eq!(resource.size, Some(1));
    assert_eq!(resource.status, Some(types::ResourceStatus::Resource));
    assert_eq!(resource.supabase_signed_url.as_deref(), Some("text"));
}

/// `resource` is [`sparse_resource`] decoded.
fn assert_sparse_resource(resource: &types::Resource) {
    assert_eq!(resource.resource_id, "folder-1");
    assert_eq!(resource.inode_type, types::InodeType::Directory);
    assert_eq!(
        resource.inode_path.get("path").map(String::as_str),
        Some("Shared/Reports")
    );
    assert!(resource.knowledge_base_id.is_none());
    assert!(resource.created_at.is_none());
    assert!(resource.modified_at.is_none());
    assert!(resource.indexed_at.is_none());
    assert!(resource.inode_id.is_none());
    assert!(resource.content_hash.is_none());
    assert!(resource.size.is_none());
    assert!(resource.status.is_none());
    assert!(resource.dataloader_metadata.is_empty());
    assert!(resource.user_metadata.is_empty());
}

/// `page` is [`cursor_page`] decoded.
fn assert_cursor_page(page: &types::CursorPageResource, next_cursor: Option<&str>) {
    assert_eq!(page.data.len(), 2);
    assert_example_resource(&page.data[0]);
    assert_sparse_resource(&page.data[1]);
    assert_eq!(page.next_cursor.as_deref(), next_cursor);
    assert_eq!(page.current_cursor, None);
}

/// `result` is the documented 422: an [`ErrorKind::Validation`] error whose
/// [`Error::validation_errors`] are the parsed `HTTPValidationError` detail.
fn assert_validation_error<T: std::fmt::Debug>(result: Result<ResponseValue<T>, Error>) {
    let error = match result {
        Err(error) if error.kind() == ErrorKind::Validation => error,
        other => panic!("expected an ErrorKind::Validation error, got {other:?}"),
    };
    assert_eq!(error.status().map(|s| s.as_u16()), Some(422));
    assert_validation_detail(&error.validation_errors().expect("parsed detail"));
}

/// `result` failed before sending with [`ErrorKind::InvalidRequest`], naming `what`.
fn invalid_request_naming<T>(result: &Result<T, Error>, what: &str) -> bool {
    matches!(result, Err(e) if e.kind() == ErrorKind::InvalidRequest
        && e.to_string().contains(what)
        && e.attempts() == 0
        && e.status().is_none())
}

fn assert_validation_detail(detail: &[types::ValidationError]) {
    assert_eq!(detail.len(), 2);
    let first = &detail[0];
    let loc: Vec<String> = first.loc.iter().map(ToString::to_string).collect();
    assert_eq!(loc, ["query", "page_size"]);
    assert!(matches!(&first.loc[0], types::ValidationErrorLocItem::String(s) if s == "query"));
    assert_eq!(first.msg, "Input should be less than or equal to 1000");
    assert_eq!(first.type_, "less_than_equal");
    assert_eq!(first.input, Some(json!("5000")));
    assert_eq!(first.ctx, as_map(json!({"le": 1000})));
    let second = &detail[1];
    assert!(matches!(
        second.loc[2],
        types::ValidationErrorLocItem::Integer(0)
    ));
    assert_eq!(second.type_, "missing");
    assert!(second.input.is_none());
    assert!(second.ctx.is_empty());
}

// ---------------------------------------------------------------------------------------
// GET /connections/available
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_available_connections_decodes_documented_list() {
    let (server, client) = start().await;
    mount(
        &server,
        "GET",
        "/connections/available",
        ok(example_available_connections()),
    )
    .await;

    let response = client
        .get_available_connections()
        .send()
        .await
        .expect("200");
    assert_eq!(response.status().as_u16(), 200);
    let available = response.into_inner();

    let request = the_request(&server, "GET", "/connections/available").await;
    assert_eq!(raw_query(&request), None);
    assert_no_body(&request);

    assert_eq!(available.len(), 2);
    let documented = &available[0];
    assert_eq!(documented.connection_type_id, "text");
    assert_eq!(documented.provider_id, "text");
    assert_eq!(documented.name, "text");
    assert_eq!(documented.description.as_deref(), Some("text"));
    assert_eq!(documented.labels, ["text"]);
    assert_eq!(documented.minimum_plan.as_deref(), Some("text"));
    assert_eq!(documented.color, "#A3A3A3");
    assert!(!documented.is_marketing_stunt);
    assert_eq!(documented.connection_type, "credentials");
    assert_eq!(documented.params.len(), 1);
    let param = &documented.params[0];
    assert_eq!(param.label, "text");
    assert_eq!(param.type_, "string");
    assert_eq!(param.placeholder.as_deref(), Some("text"));
    assert_eq!(param.default, Some(json!(1)));
    assert_eq!(param.help.as_deref(), Some("text"));
    assert_eq!(param.url.as_deref(), Some("text"));
    assert!(param.required);
    assert_eq!(param.name, "text");

    // Absent fields take the documented defaults; explicit nulls become None.
    let minimal = &available[1];
    assert_eq!(minimal.provider_id, "gdrive");
    assert_eq!(minimal.color, "#A3A3A3");
    assert!(!minimal.is_marketing_stunt);
    assert!(minimal.labels.is_empty());
    assert!(minimal.params.is_empty());
    assert!(minimal.description.is_none());
    assert!(minimal.minimum_plan.is_none());
}

// ---------------------------------------------------------------------------------------
// GET /connections
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_connections_without_filters_sends_no_query() {
    let (server, client) = start().await;
    mount(
        &server,
        "GET",
        "/connections",
        ok(json!([example_connection(), sparse_connection()])),
    )
    .await;

    let connections = client
        .get_connections()
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", "/connections").await;
    assert_eq!(
        raw_query(&request),
        None,
        "unset optional parameters are not sent"
    );
    assert_no_body(&request);

    assert_eq!(connections.len(), 2);
    assert_example_connection(&connections[0]);
    assert_sparse_connection(&connections[1]);
}

#[tokio::test]
async fn get_connections_sends_provider_limit_and_offset() {
    let (server, client) = start().await;
    mount_once(
        &server,
        route("GET", "/connections")
            .and(query_param("connection_provider", "google drive"))
            .and(query_param("limit", "5"))
            .and(query_param("offset", "10")),
        ok(json!([])),
    )
    .await;

    let connections = client
        .get_connections()
        .connection_provider("google drive")
        .limit(5)
        .offset(10)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert!(connections.is_empty());

    let request = the_request(&server, "GET", "/connections").await;
    assert_eq!(
        raw_query(&request),
        Some("connection_provider=google+drive&limit=5&offset=10")
    );
}

// ---------------------------------------------------------------------------------------
// POST /connections
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn create_connection_posts_connection_request() {
    let (server, client) = start().await;
    mount(&server, "POST", "/connections", ok(example_connection())).await;

    let created = client
        .create_connection()
        .body(connection_request())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "POST", "/connections").await;
    assert_eq!(raw_query(&request), None);
    assert_json_body(&request, &connection_request_json());
    assert_example_connection(&created);
}

#[tokio::test]
async fn create_connection_sends_default_name_and_empty_provider_data() {
    let (server, client) = start().await;
    mount(&server, "POST", "/connections", ok(example_connection())).await;

    // The documented request example: name left to its default, empty provider data.
    client
        .create_connection()
        .body_map(|body| {
            body.provider_id("text")
                .connection_type_id("text")
                .connection_provider_data(Map::new())
        })
        .send()
        .await
        .expect("200");

    let request = the_request(&server, "POST", "/connections").await;
    assert_json_body(
        &request,
        &json!({
            "name": "Unnamed connection",
            "provider_id": "text",
            "connection_type_id": "text",
            "connection_provider_data": {}
        }),
    );
}

#[tokio::test]
async fn create_connection_with_incomplete_body_fails_before_sending() {
    let (server, client) = start().await;

    let result = client
        .create_connection()
        .body_map(|body| body.provider_id("gdrive"))
        .send()
        .await;

    match result {
        Err(error) if error.kind() == ErrorKind::InvalidRequest => {
            let message = error.to_string();
            assert!(message.contains("connection_provider_data"), "{message}");
            assert_eq!(error.operation(), "create_connection");
            assert_eq!(error.attempts(), 0, "nothing was sent");
        }
        other => panic!("expected ErrorKind::InvalidRequest, got {other:?}"),
    }
    let requests = server.received_requests().await.expect("recording is on");
    assert!(requests.is_empty(), "nothing may be sent: {requests:#?}");
}

// ---------------------------------------------------------------------------------------
// GET /connections/{connection_id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_connection_by_id_decodes_documented_connection() {
    let (server, client) = start().await;
    let path = connection_path("");
    mount(&server, "GET", &path, ok(example_connection())).await;

    let connection = client
        .get_connection_by_id()
        .connection_id(connection_id())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(
        raw_query(&request),
        None,
        "refresh_oauth_tokens unset, not sent"
    );
    assert_no_body(&request);
    assert_example_connection(&connection);
}

#[tokio::test]
async fn get_connection_by_id_refreshes_tokens_and_decodes_nulls_and_zulu_times() {
    let (server, client) = start().await;
    let path = connection_path("");
    mount_once(
        &server,
        route("GET", &path).and(query_param("refresh_oauth_tokens", "true")),
        ok(sparse_connection()),
    )
    .await;

    let connection = client
        .get_connection_by_id()
        .connection_id(connection_id())
        .refresh_oauth_tokens(true)
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(raw_query(&request), Some("refresh_oauth_tokens=true"));
    assert_sparse_connection(&connection);
}

#[tokio::test]
async fn get_connection_by_id_without_id_fails_before_sending() {
    let (server, client) = start().await;

    let result = client.get_connection_by_id().send().await;

    assert!(
        invalid_request_naming(&result, "connection_id"),
        "{result:?}"
    );
    let requests = server.received_requests().await.expect("recording is on");
    assert!(requests.is_empty());
}

// ---------------------------------------------------------------------------------------
// PUT / DELETE / PATCH /connections/{connection_id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn update_connection_puts_connection_request() {
    let (server, client) = start().await;
    let path = connection_path("");
    mount(&server, "PUT", &path, ok(example_connection())).await;

    let updated = client
        .update_connection()
        .connection_id(connection_id())
        .body(connection_request())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "PUT", &path).await;
    assert_eq!(raw_query(&request), None);
    assert_json_body(&request, &connection_request_json());
    assert_example_connection(&updated);
}

#[tokio::test]
async fn delete_connection_accepts_204_with_empty_body() {
    let (server, client) = start().await;
    let path = connection_path("");
    mount(&server, "DELETE", &path, ResponseTemplate::new(204)).await;

    let response = client
        .delete_connection()
        .connection_id(connection_id())
        .send()
        .await
        .expect("204 is success");
    assert_eq!(response.status().as_u16(), 204);
    let () = response.into_inner();

    let request = the_request(&server, "DELETE", &path).await;
    assert_eq!(raw_query(&request), None);
    assert_no_body(&request);
}

#[tokio::test]
async fn patch_connection_sends_only_the_name() {
    let (server, client) = start().await;
    let path = connection_path("");
    let renamed = connection_with(json!({"name": "Quarterly reports"}), &[]);
    mount(&server, "PATCH", &path, ok(renamed)).await;

    let connection = client
        .patch_connection()
        .connection_id(connection_id())
        .body_map(|body| body.name("Quarterly reports"))
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "PATCH", &path).await;
    assert_eq!(raw_query(&request), None);
    assert_json_body(&request, &json!({"name": "Quarterly reports"}));
    assert_eq!(connection.name, "Quarterly reports");
    assert_eq!(connection.created_at, documented_created_at());
}

// ---------------------------------------------------------------------------------------
// GET /connections/{connection_id}/health
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_connection_health_preserves_arbitrary_object() {
    let (server, client) = start().await;
    let path = connection_path("/health");
    let health = json!({
        "ANY_ADDITIONAL_PROPERTY": "anything",
        "healthy": true,
        "checked": {"latency_ms": 12, "errors": []}
    });
    mount(&server, "GET", &path, ok(health.clone())).await;

    let decoded = client
        .get_connection_health()
        .connection_id(connection_id())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(raw_query(&request), None);
    assert_no_body(&request);
    assert_eq!(decoded, as_map(health));
}

// ---------------------------------------------------------------------------------------
// OAuth: /connections/oauth/start, /connections/oauth/callback[/{connection_id}]
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_oauth_url_decodes_json_string() {
    let (server, client) = start().await;
    let url = "https://accounts.example.com/o/oauth2/auth?client_id=abc&state=x%2By";
    mount(&server, "POST", "/connections/oauth/start", ok(json!(url))).await;

    let decoded = client
        .get_oauth_url()
        .body(connection_request())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "POST", "/connections/oauth/start").await;
    assert_eq!(raw_query(&request), None);
    assert_json_body(&request, &connection_request_json());
    assert_eq!(decoded, url);
}

/// An OAuth code typical of Google: `/` and `=` must not reach the server raw.
const OAUTH_CODE: &str = "4/0Ab+cD_e==";
const OAUTH_CODE_ENCODED: &str = "4%2F0Ab%2BcD_e%3D%3D";

#[tokio::test]
async fn create_connection_from_callback_sends_code_and_body() {
    let (server, client) = start().await;
    mount_once(
        &server,
        route("POST", "/connections/oauth/callback").and(query_param("code", OAUTH_CODE)),
        ok(example_connection()),
    )
    .await;

    let connection = client
        .create_connection_from_callback()
        .code(OAUTH_CODE)
        .body(connection_request())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "POST", "/connections/oauth/callback").await;
    assert_eq!(
        raw_query(&request),
        Some(format!("code={OAUTH_CODE_ENCODED}").as_str())
    );
    assert_json_body(&request, &connection_request_json());
    assert_example_connection(&connection);
}

#[tokio::test]
async fn update_connection_from_callback_sends_code_and_body() {
    let (server, client) = start().await;
    let path = format!("/connections/oauth/callback/{CONNECTION_ID}");
    mount_once(
        &server,
        route("PUT", &path).and(query_param("code", OAUTH_CODE)),
        ok(sparse_connection()),
    )
    .await;

    let connection = client
        .update_connection_from_callback()
        .connection_id(connection_id())
        .code(OAUTH_CODE)
        .body(connection_request())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "PUT", &path).await;
    assert_eq!(
        raw_query(&request),
        Some(format!("code={OAUTH_CODE_ENCODED}").as_str())
    );
    assert_json_body(&request, &connection_request_json());
    assert_sparse_connection(&connection);
}

// ---------------------------------------------------------------------------------------
// GET /connections/{connection_id}/resources[/children|/search]
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_connection_resources_repeats_resource_ids_and_decodes_map() {
    let (server, client) = start().await;
    let path = connection_path("/resources");
    mount_once(
        &server,
        route("GET", &path)
            .and(query_param("resource_ids", "a"))
            .and(query_param("resource_ids", "b"))
            .and(query_param("refresh_oauth_tokens", "false")),
        ok(json!({
            "ANY_ADDITIONAL_PROPERTY": example_resource(),
            "folder-1": sparse_resource()
        })),
    )
    .await;

    let resources = client
        .get_connection_resources()
        .connection_id(connection_id())
        .refresh_oauth_tokens(false)
        .resource_ids(vec!["a".to_string(), "b".to_string()])
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(
        raw_query(&request),
        Some("refresh_oauth_tokens=false&resource_ids=a&resource_ids=b"),
        "an array is sent as repeated keys (form, explode=true)"
    );
    assert_no_body(&request);

    assert_eq!(resources.len(), 2);
    assert_example_resource(&resources["ANY_ADDITIONAL_PROPERTY"]);
    assert_sparse_resource(&resources["folder-1"]);
}

#[tokio::test]
async fn get_connection_resources_without_ids_sends_no_query() {
    let (server, client) = start().await;
    let path = connection_path("/resources");
    mount(&server, "GET", &path, ok(json!({}))).await;

    let resources = client
        .get_connection_resources()
        .connection_id(connection_id())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(raw_query(&request), None);
    assert!(resources.is_empty());
}

/// A cursor with every character that form encoding must escape.
const CURSOR: &str = "a+b/c==";
const CURSOR_ENCODED: &str = "a%2Bb%2Fc%3D%3D";

#[tokio::test]
async fn get_children_resources_encodes_cursor_and_decodes_page() {
    let (server, client) = start().await;
    let path = connection_path("/resources/children");
    mount_once(
        &server,
        // wiremock decodes the query: it must give back the cursor unchanged.
        route("GET", &path)
            .and(query_param("cursor", CURSOR))
            .and(query_param("page_size", "100"))
            .and(query_param("resource_id", "folder/1")),
        ok(cursor_page(json!("ZXhhbXBsZV9jdXJzb3I="))),
    )
    .await;

    let page = client
        .get_children_resources()
        .connection_id(connection_id())
        .cursor(CURSOR)
        .page_size(std::num::NonZeroU64::new(100).expect("non-zero"))
        .refresh_oauth_tokens(true)
        .resource_id("folder/1")
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(
        raw_query(&request),
        Some(
            format!(
                "cursor={CURSOR_ENCODED}&page_size=100&refresh_oauth_tokens=true\
                 &resource_id=folder%2F1"
            )
            .as_str()
        )
    );
    assert_no_body(&request);
    assert_cursor_page(&page, Some("ZXhhbXBsZV9jdXJzb3I="));
}

#[tokio::test]
async fn get_children_resources_at_root_sends_no_query() {
    let (server, client) = start().await;
    let path = connection_path("/resources/children");
    mount(&server, "GET", &path, ok(cursor_page(Value::Null))).await;

    let page = client
        .get_children_resources()
        .connection_id(connection_id())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(raw_query(&request), None);
    assert_cursor_page(&page, None);
}

#[tokio::test]
async fn get_children_resources_page_size_above_maximum_yields_422() {
    let (server, client) = start().await;
    let path = connection_path("/resources/children");
    mount(
        &server,
        "GET",
        &path,
        json_response(422, example_validation_error()),
    )
    .await;

    // The document says `maximum: 1000`; the client does not check it, the server does.
    let result = client
        .get_children_resources()
        .connection_id(connection_id())
        .page_size(std::num::NonZeroU64::new(5000).expect("non-zero"))
        .send()
        .await;

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(raw_query(&request), Some("page_size=5000"));
    assert_validation_error(result);
}

#[tokio::test]
async fn search_resources_sends_query_and_cursor() {
    let (server, client) = start().await;
    let path = connection_path("/resources/search");
    mount_once(
        &server,
        route("GET", &path)
            .and(query_param("query", "Q3 report & notes"))
            .and(query_param("cursor", CURSOR)),
        ok(cursor_page(json!(CURSOR))),
    )
    .await;

    let page = client
        .search_resources()
        .connection_id(connection_id())
        .query("Q3 report & notes")
        .cursor(CURSOR)
        .page_size(std::num::NonZeroU64::MIN)
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(
        raw_query(&request),
        Some(format!("cursor={CURSOR_ENCODED}&page_size=1&query=Q3+report+%26+notes").as_str()),
        "refresh_oauth_tokens unset, not sent"
    );
    assert_no_body(&request);
    assert_cursor_page(&page, Some(CURSOR));
}

#[tokio::test]
async fn search_resources_without_query_fails_before_sending() {
    let (server, client) = start().await;

    let result = client
        .search_resources()
        .connection_id(connection_id())
        .send()
        .await;

    assert!(invalid_request_naming(&result, "query"), "{result:?}");
    let requests = server.received_requests().await.expect("recording is on");
    assert!(requests.is_empty());
}

// ---------------------------------------------------------------------------------------
// GET /api/v1/connections
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_paginated_connections_sends_sorting_and_decodes_envelope() {
    let (server, client) = start().await;
    mount_once(
        &server,
        route("GET", "/api/v1/connections")
            .and(query_param("sort_by", "updated_at"))
            .and(query_param("sort_dir", "asc")),
        ok(example_paginated_connections()),
    )
    .await;

    let page = client
        .get_paginated_connections()
        .limit(50)
        .offset(0)
        .sort_by(types::ConnectionSortBy::UpdatedAt)
        .sort_dir(types::SortDirection::Asc)
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", "/api/v1/connections").await;
    assert_eq!(
        raw_query(&request),
        Some("limit=50&offset=0&sort_by=updated_at&sort_dir=asc")
    );
    assert_no_body(&request);

    assert_eq!(page.status_code, 200);
    assert_eq!(page.response_code, "text");
    assert_eq!(
        page.meta,
        as_map(json!({"ANY_ADDITIONAL_PROPERTY": "anything"}))
    );
    assert_eq!(page.offset, 0);
    assert_eq!(page.limit, 50);
    assert_eq!(page.total, 0);
    assert_eq!(page.data.len(), 1);
    assert_example_connection(&page.data[0]);
}

#[tokio::test]
async fn get_paginated_connections_defaults_and_totals() {
    let (server, client) = start().await;
    // No status_code and no meta: both have defaults. A total larger than the page.
    mount(
        &server,
        "GET",
        "/api/v1/connections",
        ok(json!({
            "response_code": "OK",
            "data": [sparse_connection()],
            "offset": 10,
            "limit": 1,
            "total": 42
        })),
    )
    .await;

    let page = client
        .get_paginated_connections()
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", "/api/v1/connections").await;
    assert_eq!(
        raw_query(&request),
        None,
        "unset optional parameters are not sent"
    );
    assert_eq!(page.status_code, 200, "documented default");
    assert!(page.meta.is_empty());
    assert_eq!((page.offset, page.limit, page.total), (10, 1, 42));
    assert_sparse_connection(&page.data[0]);
}

// ---------------------------------------------------------------------------------------
// /api/v1/connections/{connection_id}/rbac and /organization-role
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_connection_rbac_decodes_uuid_lists() {
    let (server, client) = start().await;
    let path = v1_connection_path("/rbac");
    mount(&server, "GET", &path, ok(example_rbac_info())).await;

    let rbac = client
        .get_connection_rbac()
        .connection_id(connection_id())
        .send()
        .await
        .expect("200")
        .into_inner();

    let request = the_request(&server, "GET", &path).await;
    assert_eq!(raw_query(&request), None);
    assert_no_body(&request);

    assert_eq!(rbac.org_level_role.as_deref(), Some("text"));
    assert_eq!(rbac.current_user_effective_role.as_deref(), Some("text"));
    assert_eq!(rbac.user_roles.len(), 1);
    assert_eq!(
        rbac.user_roles["ANY_ADDITIONAL_PROPERTY"],
        [connection_id(), uuid(SUBJECT_ID)]
    );
    assert_eq!(rbac.group_roles.len(), 1);
    assert_eq!(
        rbac.group_roles["ANY_ADDITIONAL_PROPERTY"],
        [connection_id()]
    );
}

#[tokio::test]
async fn get_connection_rbac_decodes_nulls_and_missing_maps() {
    let (server, client) = start().await;
    let path = v1_connection_path("/rbac");
    mount(
        &server,
        "GET",
        &path,
        ok(json!({"org_level_role": null, "current_user_effective_role": null})),
    )
    .await;

    let rbac = client
        .get_connection_rbac()
        .connection_id(connection_id())
        .send()
        .await
        .expect("200")
        .into_inner();

    assert!(rbac.org_level_role.is_none());
    assert!(rbac.current_user_effective_role.is_none());
    assert!(rbac.user_roles.is_empty());
    assert!(rbac.group_roles.is_empty());
}

#[tokio::test]
async fn update_connection_rbac_puts_subject_and_role() {
    let (server, client) = start().await;
    let path = v1_connection_path("/rbac");
    // The response schema is `{}` (any JSON); FastAPI sends `null` for a `None` result.
    mount(&server, "PUT", &path, ok(Value::Null)).await;

    let response = client
        .update_connection_rbac()
        .connection_id(connection_id())
        .body_map(|body| {
            body.subject_type(types::RbacSubjectType::User)
                .role("editor")
                .subject_id(uuid(SUBJECT_ID))
        })
        .send()
        .await
        .expect("200");
    assert_eq!(response.into_inner(), Value::Null);

    let request = the_request(&server, "PUT", &path).await;
    assert_eq!(raw_query(&request), None);
    assert_json_body(
        &request,
        &json!({"subject_type": "user", "role": "editor", "subject_id": SUBJECT_ID}),
    );
}

#[tokio::test]
async fn update_connection_rbac_preserves_any_json_response() {
    let (server, client) = start().await;
    let path = v1_connection_path("/rbac");
    let reply = json!({"message": "updated", "subjects": [SUBJECT_ID], "count": 1});
    mount(&server, "PUT", &path, ok(reply.clone())).await;

    let response = client
        .update_connection_rbac()
        .connection_id(connection_id())
        .body_map(|body| {
            body.subject_type(types::RbacSubjectType::Group)
                .role("viewer")
                .subject_id(uuid(SUBJECT_ID))
        })
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(response, reply);

    let request = the_request(&server, "PUT", &path).await;
    assert_json_body(
        &request,
        &json!({"subject_type": "group", "role": "viewer", "subject_id": SUBJECT_ID}),
    );
}

#[tokio::test]
async fn delete_connection_rbac_sends_subject_in_query_and_accepts_204() {
    let (server, client) = start().await;
    let path = v1_connection_path("/rbac");
    mount_once(
        &server,
        route("DELETE", &path)
            .and(query_param("subject_type", "group"))
            .and(query_param("subject_id", SUBJECT_ID)),
        ResponseTemplate::new(204),
    )
    .await;

    let response = client
        .delete_connection_rbac()
        .connection_id(connection_id())
        .subject_type(types::RbacSubjectType::Group)
        .subject_id(uuid(SUBJECT_ID))
        .send()
        .await
        .expect("204 is success");
    assert_eq!(response.status().as_u16(), 204);

    let request = the_request(&server, "DELETE", &path).await;
    assert_eq!(
        raw_query(&request),
        Some(format!("subject_id={SUBJECT_ID}&subject_type=group").as_str())
    );
    assert_no_body(&request);
}

#[tokio::test]
async fn update_connection_organization_role_sends_role() {
    let (server, client) = start().await;
    let path = v1_connection_path("/organization-role");
    mount(
        &server,
        "PATCH",
        &path,
        ok(json!({"org_level_role": "viewer"})),
    )
    .await;

    let response = client
        .update_connection_organization_role()
        .connection_id(connection_id())
        .body_map(|body| body.role(Some("viewer".to_string())))
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(response, json!({"org_level_role": "viewer"}));

    let request = the_request(&server, "PATCH", &path).await;
    assert_eq!(raw_query(&request), None);
    assert_json_body(&request, &json!({"role": "viewer"}));
}

#[tokio::test]
async fn update_connection_organization_role_sends_explicit_null() {
    let (server, client) = start().await;
    let path = v1_connection_path("/organization-role");
    mount(&server, "PATCH", &path, ok(Value::Null)).await;

    // `role` is required and nullable: removing org-level access means `"role": null`,
    // which must be on the wire, not left out.
    let response = client
        .update_connection_organization_role()
        .connection_id(connection_id())
        .body_map(|body| body.role(None::<String>))
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(response, Value::Null);

    let request = the_request(&server, "PATCH", &path).await;
    assert_json_body(&request, &json!({"role": null}));
    assert_eq!(request.body, br#"{"role":null}"#);
}

#[tokio::test]
async fn update_connection_organization_role_requires_role_to_be_chosen() {
    let (server, client) = start().await;

    // Not setting `role` at all is a builder error: it is required, even if null.
    let result = client
        .update_connection_organization_role()
        .connection_id(connection_id())
        .send()
        .await;

    assert!(invalid_request_naming(&result, "role"), "{result:?}");
    let requests = server.received_requests().await.expect("recording is on");
    assert!(requests.is_empty());
}

// ---------------------------------------------------------------------------------------
// Every operation at once: routes, 422 and undocumented statuses.
// ---------------------------------------------------------------------------------------

/// The outcome of one call, reduced to what the table tests compare.
#[derive(Debug)]
#[allow(
    dead_code,
    reason = "the payloads are read through Debug, in failure messages"
)]
enum Outcome {
    Success(u16),
    /// An error response: its kind, status, operation, attempts, and the parsed 422 detail.
    Failed {
        kind: ErrorKind,
        status: Option<u16>,
        operation: &'static str,
        attempts: u32,
        detail: Option<Vec<types::ValidationError>>,
        excerpt: Option<String>,
    },
}

fn outcome<T>(result: Result<ResponseValue<T>, Error>) -> Outcome {
    match result {
        Ok(response) => Outcome::Success(response.status().as_u16()),
        Err(error) => Outcome::Failed {
            kind: error.kind(),
            status: error.status().map(|s| s.as_u16()),
            operation: error.operation(),
            attempts: error.attempts(),
            detail: error.validation_errors(),
            excerpt: error.body_excerpt().map(str::to_string),
        },
    }
}

/// A client for `server` that sends every request exactly once (the default retries
/// idempotent requests on 5xx; the table tests count one request per operation).
fn client_without_retries(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .max_retries(0)
        .build()
        .expect("client builds")
}

/// Calls each of the 19 operations once, with every required argument, in the order of
/// the OpenAPI document.
async fn call_every_operation(client: &Client) -> Vec<(&'static str, Outcome)> {
    let id = connection_id();
    let subject = uuid(SUBJECT_ID);
    vec![
        (
            "get_available_connections",
            outcome(client.get_available_connections().send().await),
        ),
        (
            "get_connections",
            outcome(client.get_connections().send().await),
        ),
        (
            "create_connection",
            outcome(
                client
                    .create_connection()
                    .body(connection_request())
                    .send()
                    .await,
            ),
        ),
        (
            "get_connection_by_id",
            outcome(client.get_connection_by_id().connection_id(id).send().await),
        ),
        (
            "update_connection",
            outcome(
                client
                    .update_connection()
                    .connection_id(id)
                    .body(connection_request())
                    .send()
                    .await,
            ),
        ),
        (
            "delete_connection",
            outcome(client.delete_connection().connection_id(id).send().await),
        ),
        (
            "patch_connection",
            outcome(
                client
                    .patch_connection()
                    .connection_id(id)
                    .body_map(|b| b.name("n"))
                    .send()
                    .await,
            ),
        ),
        (
            "get_connection_health",
            outcome(
                client
                    .get_connection_health()
                    .connection_id(id)
                    .send()
                    .await,
            ),
        ),
        (
            "get_oauth_url",
            outcome(
                client
                    .get_oauth_url()
                    .body(connection_request())
                    .send()
                    .await,
            ),
        ),
        (
            "create_connection_from_callback",
            outcome(
                client
                    .create_connection_from_callback()
                    .code("c")
                    .body(connection_request())
                    .send()
                    .await,
            ),
        ),
        (
            "update_connection_from_callback",
            outcome(
                client
                    .update_connection_from_callback()
                    .connection_id(id)
                    .code("c")
                    .body(connection_request())
                    .send()
                    .await,
            ),
        ),
        (
            "get_connection_resources",
            outcome(
                client
                    .get_connection_resources()
                    .connection_id(id)
                    .send()
                    .await,
            ),
        ),
        (
            "get_children_resources",
            outcome(
                client
                    .get_children_resources()
                    .connection_id(id)
                    .send()
                    .await,
            ),
        ),
        (
            "search_resources",
            outcome(
                client
                    .search_resources()
                    .connection_id(id)
                    .query("q")
                    .send()
                    .await,
            ),
        ),
        (
            "get_paginated_connections",
            outcome(client.get_paginated_connections().send().await),
        ),
        (
            "get_connection_rbac",
            outcome(client.get_connection_rbac().connection_id(id).send().await),
        ),
        (
            "update_connection_rbac",
            outcome(
                client
                    .update_connection_rbac()
                    .connection_id(id)
                    .body_map(|b| {
                        b.subject_type(types::RbacSubjectType::User)
                            .role("r")
                            .subject_id(subject)
                    })
                    .send()
                    .await,
            ),
        ),
        (
            "delete_connection_rbac",
            outcome(
                client
                    .delete_connection_rbac()
                    .connection_id(id)
                    .subject_type(types::RbacSubjectType::User)
                    .subject_id(subject)
                    .send()
                    .await,
            ),
        ),
        (
            "update_connection_organization_role",
            outcome(
                client
                    .update_connection_organization_role()
                    .connection_id(id)
                    .body_map(|b| b.role(None::<String>))
                    .send()
                    .await,
            ),
        ),
    ]
}

/// `(METHOD, path)` of every operation in the OpenAPI document, with `{connection_id}`
/// filled in, sorted.
fn documented_routes() -> Vec<(String, String)> {
    let document: Value =
        serde_json::from_str(include_str!("../../openapi/connections.json")).expect("JSON");
    let mut routes = Vec::new();
    for (template, operations) in as_map(document["paths"].clone()) {
        for verb in as_map(operations).keys() {
            routes.push((
                verb.to_uppercase(),
                template.replace("{connection_id}", CONNECTION_ID),
            ));
        }
    }
    routes.sort();
    routes
}

#[tokio::test]
async fn undocumented_500_is_a_server_error_for_every_operation() {
    let server = MockServer::start().await;
    let client = client_without_retries(&server);
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string("Internal Server Error")
                .insert_header("content-type", "text/plain"),
        )
        .expect(19)
        .mount(&server)
        .await;

    let outcomes = call_every_operation(&client).await;

    assert_eq!(outcomes.len(), 19);
    for (operation, outcome) in &outcomes {
        match outcome {
            Outcome::Failed {
                kind: ErrorKind::Server,
                status: Some(500),
                operation: reported,
                attempts: 1,
                detail: None,
                excerpt: Some(excerpt),
            } => {
                assert_eq!(reported, operation);
                assert_eq!(excerpt, "Internal Server Error");
            }
            other => panic!("{operation}: {other:?}"),
        }
    }

    // The 19 calls went to the 19 routes of the document, one each, with the same headers.
    let requests = server.received_requests().await.expect("recording is on");
    let mut sent: Vec<(String, String)> = requests
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_string()))
        .collect();
    sent.sort();
    assert_eq!(sent, documented_routes());
    for request in &requests {
        assert_common_headers(request);
    }
}

#[tokio::test]
async fn documented_422_is_a_validation_error_with_parsed_detail() {
    let server = MockServer::start().await;
    let client = client_without_retries(&server);
    Mock::given(any())
        .respond_with(json_response(422, example_validation_error()))
        .expect(19)
        .mount(&server)
        .await;

    let outcomes = call_every_operation(&client).await;

    assert_eq!(outcomes.len(), 19);
    for (operation, outcome) in outcomes {
        match outcome {
            // Every operation, `get_available_connections` (which documents no 422)
            // included: the error is classified by its status, and the FastAPI body parsed.
            Outcome::Failed {
                kind: ErrorKind::Validation,
                status: Some(422),
                operation: reported,
                attempts: 1,
                detail: Some(detail),
                ..
            } => {
                assert_eq!(reported, operation);
                assert_validation_detail(&detail);
            }
            other => panic!("{operation}: {other:?}"),
        }
    }
}

/// `delete_connection` documents 204 with no body. Its success has no value, so any 2xx
/// is a success (the body, if any, is not read as a value); status and headers stay
/// reachable on the `ResponseValue`.
#[tokio::test]
async fn other_success_status_of_an_empty_body_operation_is_a_success() {
    let (server, client) = start().await;
    let path = connection_path("");
    mount(
        &server,
        "DELETE",
        &path,
        ok(json!({"deleted": true})).insert_header("x-request-id", "req-7"),
    )
    .await;

    let response = client
        .delete_connection()
        .connection_id(connection_id())
        .send()
        .await
        .expect("a 2xx is a success");

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("req-7")
    );
    let () = response.into_inner();
    the_request(&server, "DELETE", &path).await;
}

#[tokio::test]
async fn malformed_success_body_is_a_decode_error_not_a_panic() {
    let (server, client) = start().await;
    let path = connection_path("");
    // A connection without its required `org_id`, and an unparseable timestamp.
    let broken = connection_with(json!({"created_at": "yesterday"}), &["org_id"]);
    mount(&server, "GET", &path, ok(broken)).await;

    let result = client
        .get_connection_by_id()
        .connection_id(connection_id())
        .send()
        .await;

    let error = result.expect_err("a body that is not a Connection");
    assert_eq!(error.kind(), ErrorKind::Decode, "{error:?}");
    assert_eq!(error.operation(), "get_connection_by_id");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert!(
        error
            .body_excerpt()
            .is_some_and(|b| b.contains("yesterday")),
        "{error:?}"
    );
    assert!(
        !error.is_retryable(),
        "a decode failure is not cured by resending"
    );
    assert_eq!(error.attempts(), 1, "sent once, and not retried");
}

// ---------------------------------------------------------------------------------------
// Client construction.
// ---------------------------------------------------------------------------------------

/// Builds a client for `server.uri()` + `base_suffix` and checks where
/// `get_paginated_connections` lands.
async fn paginated_list_lands_at(base_suffix: &str, expected_path: &str) {
    let server = MockServer::start().await;
    let client = Client::new(&format!("{}{base_suffix}", server.uri())).expect("client");
    mount(
        &server,
        "GET",
        expected_path,
        ok(example_paginated_connections()),
    )
    .await;

    client
        .get_paginated_connections()
        .send()
        .await
        .expect("200");

    the_request(&server, "GET", expected_path).await;
}

#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    paginated_list_lands_at("/gateway/stack", "/gateway/stack/api/v1/connections").await;
}

/// A base URL given with a trailing slash (`https://api.stack-ai.com/`) must not make
/// every path start with `//`, which many servers and proxies answer with 404.
#[tokio::test]
async fn base_url_trailing_slash_is_dropped() {
    paginated_list_lands_at("/", "/api/v1/connections").await;
}

// ---------------------------------------------------------------------------------------
// Responses the documentation describes as "No content" but the document types as JSON.
// ---------------------------------------------------------------------------------------

/// The documentation shows "No content" for the 200 responses of
/// `update_connection_rbac` and `update_connection_organization_role`, while the OpenAPI
/// document declares `application/json` with an any-schema (`{}`), so the client decodes
/// them as `serde_json::Value`. An empty 200 body is read as JSON's `null`, the value
/// FastAPI sends for a `None` result, rather than failing a call the server reported as
/// a success.
#[tokio::test]
async fn empty_200_body_of_any_json_operations_is_null() {
    let (server, client) = start().await;
    mount(
        &server,
        "PUT",
        &v1_connection_path("/rbac"),
        ResponseTemplate::new(200),
    )
    .await;
    mount(
        &server,
        "PATCH",
        &v1_connection_path("/organization-role"),
        ResponseTemplate::new(200),
    )
    .await;

    let rbac = client
        .update_connection_rbac()
        .connection_id(connection_id())
        .body_map(|b| {
            b.subject_type(types::RbacSubjectType::User)
                .role("editor")
                .subject_id(uuid(SUBJECT_ID))
        })
        .send()
        .await
        .expect("an empty 200 is a success");
    let role = client
        .update_connection_organization_role()
        .connection_id(connection_id())
        .body_map(|b| b.role(Some("viewer".to_string())))
        .send()
        .await
        .expect("an empty 200 is a success");

    for response in [rbac, role] {
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.into_inner(), Value::Null);
    }
}

/// An empty 200 where the operation documents a JSON object is still a decode error:
/// `null` is not a `Connection`.
#[tokio::test]
async fn empty_200_body_where_an_object_is_documented_is_a_decode_error() {
    let (server, client) = start().await;
    let path = connection_path("");
    mount(&server, "GET", &path, ResponseTemplate::new(200)).await;

    let error = client
        .get_connection_by_id()
        .connection_id(connection_id())
        .send()
        .await
        .expect_err("no connection in the body");

    assert_eq!(error.kind(), ErrorKind::Decode, "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.body_excerpt(), Some(""));
}
