//! Loopback HTTP tests for the parameter shapes of the feature corpus
//! (`openapi/corpus/shapes.py`, issue 17 idioms 2 and 3): each member of each parameter of
//! several types is sent and checked on the wire (path segment, query string, header), and
//! required path parameters the document says may be null take the plain value.

use serde_json::{Value, json};
use stackai_corpus::{Client, types};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("corpus-token")
        .build()
        .expect("a loopback client builds")
}

/// A server answering any GET once with a `ShapeEcho`.
async fn serve() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"values": {"ok": true}})))
        .expect(1)
        .mount(&server)
        .await;
    server
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request reaches the server");
    requests.remove(0)
}

fn decoded(echo: &types::ShapeEcho) -> &Value {
    &echo.values["ok"]
}

/// The path segment of a `UUID | str` path parameter: the UUID hyphenated, the string
/// percent-encoded.
#[tokio::test]
async fn a_path_parameter_of_two_types_sends_each_member() {
    let id: uuid::Uuid = ID.parse().expect("a UUID");
    for (value, wire) in [
        (
            types::GetShapeItemIdOrName::from(id),
            format!("/corpus/shapes/items/{ID}"),
        ),
        (
            "blue widget".into(),
            "/corpus/shapes/items/blue%20widget".to_string(),
        ),
        (
            types::GetShapeItemIdOrName::from(String::from("w-1")),
            "/corpus/shapes/items/w-1".to_string(),
        ),
    ] {
        let server = serve().await;
        let echo = client(&server)
            .get_shape_item()
            .id_or_name(value.clone())
            .send()
            .await
            .expect("the request succeeds")
            .into_inner();
        assert_eq!(decoded(&echo), &json!(true));
        let request = only_request(&server).await;
        assert_eq!(request.url.path(), wire, "{value:?}");
    }
    // The setter also takes a member directly.
    let server = serve().await;
    client(&server)
        .get_shape_item()
        .id_or_name(id)
        .send()
        .await
        .expect("the request succeeds");
    assert_eq!(
        only_request(&server).await.url.path(),
        format!("/corpus/shapes/items/{ID}")
    );
}

/// `Display` is each member's wire format; the enum compares and clones.
#[test]
fn the_enums_display_their_wire_format() {
    let id: uuid::Uuid = ID.parse().expect("a UUID");
    assert_eq!(types::GetShapeItemIdOrName::from(id).to_string(), ID);
    assert_eq!(
        types::GetShapeItemIdOrName::from("name").to_string(),
        "name"
    );
    assert_eq!(types::SearchShapesKey::from(-42).to_string(), "-42");
    assert_eq!(types::SearchShapesKey::from("a\"b").to_string(), "a\"b");
    assert_eq!(
        types::GetShapeRevisionXRevision::from(true).to_string(),
        "true"
    );
    assert_eq!(types::GetShapeRevisionXRevision::from(7).to_string(), "7");
    let key = types::SearchShapesKey::from("slug");
    assert_eq!(key.clone(), types::SearchShapesKey::String("slug".into()));
    assert_ne!(key, types::SearchShapesKey::Integer(1));
}

/// Query parameters `int | str` (required, optional, and a list of them), each member
/// as the bare value.
#[tokio::test]
async fn query_parameters_of_two_types_send_each_member() {
    let server = serve().await;
    client(&server)
        .search_shapes()
        .key(42)
        .after("cursor-9")
        .keys(vec![
            types::SearchShapesKeysItem::from(1),
            types::SearchShapesKeysItem::from("two"),
        ])
        .send()
        .await
        .expect("the request succeeds");
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/corpus/shapes/search");
    assert_eq!(
        request.url.query(),
        Some("after=cursor-9&key=42&keys=1&keys=two")
    );

    let server = serve().await;
    client(&server)
        .search_shapes()
        .key("slug one")
        .after(7)
        .send()
        .await
        .expect("the request succeeds");
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("after=7&key=slug+one"));
}

/// A header `int | bool`: the integer as digits, the boolean as FastAPI parses it.
#[tokio::test]
async fn a_header_of_two_types_sends_each_member() {
    for (value, wire) in [
        (types::GetShapeRevisionXRevision::from(12), "12"),
        (types::GetShapeRevisionXRevision::from(true), "true"),
        (types::GetShapeRevisionXRevision::from(false), "false"),
    ] {
        let server = serve().await;
        client(&server)
            .get_shape_revision()
            .x_revision(value)
            .send()
            .await
            .expect("the request succeeds");
        let request = only_request(&server).await;
        let header = request
            .headers
            .get("x-revision")
            .expect("the header is sent");
        assert_eq!(header.to_str().expect("ASCII"), wire);
    }
    // Without a string member, typify's `TryFrom<&str>` parses a member out of text.
    let server = serve().await;
    client(&server)
        .get_shape_revision()
        .x_revision("34")
        .send()
        .await
        .expect("the request succeeds");
    let request = only_request(&server).await;
    assert_eq!(
        request.headers.get("x-revision").map(|v| v.as_bytes()),
        Some(&b"34"[..])
    );
}

/// Required path parameters the document says may be null (`int | None`, and 3.0's
/// `nullable: true` in the 3.1 document) take the plain value and send it.
#[tokio::test]
async fn nullable_path_parameters_take_the_value() {
    let server = MockServer::start().await;
    for route in ["/corpus/shapes/versions/3", "/corpus/shapes/pages/-2"] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"values": {"ok": true}})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let version: i64 = 3;
    let echo = client
        .get_shape_version()
        .version(version)
        .send()
        .await
        .expect("the version request succeeds")
        .into_inner();
    assert_eq!(decoded(&echo), &json!(true));
    let page: i64 = -2;
    client
        .get_shape_page()
        .page(page)
        .send()
        .await
        .expect("the page request succeeds");
    server.verify().await;
}
