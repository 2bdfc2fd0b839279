//! Loopback HTTP tests for the names that collide (`openapi/corpus/names.py`, issue 17's
//! idioms 1 and 4): colliding method names told apart, parameters and properties renamed in
//! Rust and sent under their wire names, and the typed mocks matching parameters named like
//! their own methods.

use std::time::Duration;

use serde_json::{Value, json};
use stackai_corpus::FilterOp;
use stackai_corpus::mock::{MockServer as TypedMockServer, UNMATCHED_STATUS};
use stackai_corpus::multipart::FilePart;
use stackai_corpus::{Client, types};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("corpus-token")
        .build()
        .expect("a loopback client builds")
}

/// A server answering `verb route` once with `body`.
async fn serve(verb: &str, route: &str, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
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

fn query(request: &Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    pairs.sort();
    pairs
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.sort();
    pairs
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("ASCII"))
}

fn echo(values: Value) -> Value {
    json!({ "values": values })
}

/// `names-users-create_user` and `names-private-create_user` both clean to `create_user`:
/// each keeps its tag prefix, and the tag's other operation keeps its short name.
#[tokio::test]
async fn colliding_tag_prefixed_ids_keep_their_prefix() {
    for (route, router) in [
        ("/corpus/names/users", "users"),
        ("/corpus/names/private/users", "private"),
    ] {
        let server = serve("POST", route, echo(json!({"router": router}))).await;
        let user = types::NewUser::builder().name("ada");
        let client = client(&server);
        let echoed = if router == "users" {
            client.names_users_create_user().body(user).send().await
        } else {
            client.names_private_create_user().body(user).send().await
        }
        .expect("the request succeeds")
        .into_inner();
        assert_eq!(echoed.values["router"], router);
        let request = only_request(&server).await;
        assert_eq!(
            serde_json::from_slice::<Value>(&request.body).unwrap(),
            json!({"name": "ada"})
        );
    }
    let server = serve("GET", "/corpus/names/users", echo(json!({}))).await;
    client(&server).list_named_users().send().await.unwrap();
}

/// One function serving two routes publishes one operationId twice: the routes are told
/// apart by method and path, and `overrides.json` pins one of them by `GET /path`.
#[tokio::test]
async fn routes_sharing_an_operation_id_are_told_apart() {
    let server = serve("GET", "/corpus/names/items/3", echo(json!({"item_id": 3}))).await;
    let echoed = client(&server)
        .read_named_item_get_corpus_names_items_item_id()
        .item_id(3)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(echoed.values["item_id"], 3);

    let server = serve("GET", "/corpus/names/things/4", echo(json!({"item_id": 4}))).await;
    client(&server)
        .read_named_thing()
        .item_id(4)
        .send()
        .await
        .unwrap();
}

/// Parameters named like every builder's own members get `_<location>` setters, are sent
/// under their wire names, and the option setters they would have shadowed still work.
#[tokio::test]
async fn parameters_named_like_builder_members_keep_their_wire_names() {
    let server = serve("GET", "/corpus/names/builder-members", echo(json!({}))).await;
    client(&server)
        .builder_members()
        .new_query("n")
        .send_query("s")
        .client_query("c")
        .request_options_query("r")
        .with_options_query("w")
        .timeout_query(5)
        .max_retries_query(2)
        .extra_header_header("h")
        .extra_query_query("q")
        .extra_body_query("b")
        .user_id("query-user")
        .user_id_header("header-user")
        // The builder's own option setters, beside them.
        .timeout(Duration::from_secs(10))
        .max_retries(0)
        .extra_query("added", "1")
        .extra_header("x-added", "2")
        .send()
        .await
        .expect("the request succeeds");
    let request = only_request(&server).await;
    assert_eq!(
        query(&request),
        pairs(&[
            ("new", "n"),
            ("send", "s"),
            ("client", "c"),
            ("request_options", "r"),
            ("with_options", "w"),
            ("timeout", "5"),
            ("max_retries", "2"),
            ("extra_query", "q"),
            ("extra_body", "b"),
            ("user_id", "query-user"),
            ("added", "1"),
        ])
    );
    assert_eq!(header(&request, "extra-header"), Some("h"));
    assert_eq!(header(&request, "user-id"), Some("header-user"));
    assert_eq!(header(&request, "x-added"), Some("2"));
}

/// `body`/`body_map`, `page`/`stream`, `filter`/`dynamic_filters`, `file_parts` and
/// `send_events` as parameters, beside the members of those names.
#[tokio::test]
async fn parameters_named_like_conditional_members_keep_their_wire_names() {
    let server = serve("POST", "/corpus/names/body-members", echo(json!({}))).await;
    client(&server)
        .body_members()
        .body(types::NewUser::builder().name("ada"))
        .body_query("b")
        .body_map_query("m")
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(query(&request), pairs(&[("body", "b"), ("body_map", "m")]));
    assert_eq!(
        serde_json::from_slice::<Value>(&request.body).unwrap(),
        json!({"name": "ada"})
    );

    let page = json!({"data": ["a"], "total": 1});
    let server = serve("GET", "/corpus/names/page-members", page).await;
    client(&server)
        .page_members()
        .limit(1)
        .page_query(7)
        .stream_query(true)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        query(&request),
        pairs(&[("limit", "1"), ("page", "7"), ("stream", "true")])
    );

    let server = serve("GET", "/corpus/names/filter-members", echo(json!({}))).await;
    client(&server)
        .filter_members()
        .filter_query("f")
        .dynamic_filters_query("d")
        .filter(types::FilterMembersFilterField::Name, FilterOp::Eq, "ada")
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        query(&request),
        pairs(&[
            ("dynamic_filters", "d"),
            ("filter", "f"),
            ("name__eq", "ada")
        ])
    );

    let server = serve("POST", "/corpus/names/file-members", echo(json!({}))).await;
    client(&server)
        .file_members()
        .file_parts_query("p")
        .body(serde_json::Map::new())
        .file(FilePart::bytes(b"hello".to_vec()).file_name("a.txt"))
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(query(&request), pairs(&[("file_parts", "p")]));
    assert!(
        String::from_utf8_lossy(&request.body).contains("hello"),
        "the file part is sent"
    );

    let server = serve("POST", "/corpus/names/event-members", json!({"text": "t"})).await;
    let chunk = client(&server)
        .event_members()
        .send_events_query("e")
        .body(types::NamesChunk::builder().text("t"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(chunk.text, "t");
    let request = only_request(&server).await;
    assert_eq!(query(&request), pairs(&[("send_events", "e")]));
}

/// Properties named like the model's `extra` map, properties that clean to the same Rust
/// name, keywords, a leading digit and names that are not ASCII: each is sent and read
/// under its wire name, and unknown fields still land in `extra`.
#[tokio::test]
async fn properties_round_trip_under_their_wire_names() {
    let wire = json!({
        "extra": "a property named extra",
        "builder": "b",
        "user_id": 1,
        "userId": 2,
        "user-id": 3,
        "type": "t",
        "match": "m",
        "2fa": true,
        "名前": "なまえ",
        "café": "crème",
    });
    let mut answered = wire.clone();
    answered["added_later"] = json!("unknown to this crate");
    let server = serve("POST", "/corpus/names/fields", answered).await;
    let sent = types::NamedFields::builder()
        .extra_field("a property named extra")
        .builder("b".to_string())
        .user_id(1)
        .user_id_field_2(2)
        .user_id_field(3)
        .type_("t".to_string())
        .match_("m".to_string())
        .x2fa(true)
        .名前("なまえ".to_string())
        .café("crème".to_string());
    let got = client(&server)
        .echo_named_fields()
        .body(sent)
        .send()
        .await
        .unwrap()
        .into_inner();
    let request = only_request(&server).await;
    assert_eq!(
        serde_json::from_slice::<Value>(&request.body).unwrap(),
        wire
    );

    assert_eq!(got.extra_field, "a property named extra");
    assert_eq!(got.user_id, 1);
    assert_eq!(got.user_id_field_2, Some(2), "userId");
    assert_eq!(got.user_id_field, Some(3), "user-id");
    assert_eq!(got.type_.as_deref(), Some("t"));
    assert_eq!(got.match_.as_deref(), Some("m"));
    assert_eq!(got.x2fa, Some(true));
    assert_eq!(got.名前.as_deref(), Some("なまえ"));
    assert_eq!(got.café.as_deref(), Some("crème"));
    assert_eq!(got.extra.len(), 1, "{:?}", got.extra);
    assert_eq!(got.extra["added_later"], "unknown to this crate");
}

/// `status` and `error` are parameters: the request builder keeps `status(..)` and
/// `error(..)`, and the typed mock matches them with `status_query(..)` and
/// `error_header(..)`, beside its own `status(..)` answer.
#[tokio::test]
async fn typed_mocks_match_parameters_named_like_their_own_methods() {
    let server = TypedMockServer::start().await;
    let answer: types::NamesEcho = serde_json::from_value(echo(json!({"matched": true}))).unwrap();
    server
        .mock_members()
        .status_query("active")
        .error_header("none")
        .ok_query(true)
        .times_query(3)
        .filter_query("f")
        .ok(&answer)
        .await;
    server.mock_members().status_query("gone").status(410).await;
    let client = server.client();

    let echoed = client
        .mock_members()
        .status("active")
        .error("none")
        .ok(true)
        .times(3)
        .filter("f")
        .body_query("b")
        .send()
        .await
        .expect("the mock matches")
        .into_inner();
    assert_eq!(echoed.values["matched"], true);

    let gone = client
        .mock_members()
        .status("gone")
        .send()
        .await
        .expect_err("answered 410");
    assert_eq!(gone.status().map(|s| s.as_u16()), Some(410));

    let unmatched = client
        .mock_members()
        .status("active")
        .error("other")
        .send()
        .await
        .expect_err("another header value does not match");
    assert_eq!(
        unmatched.status().map(|s| s.as_u16()),
        Some(UNMATCHED_STATUS)
    );
    assert!(server.take_unmatched().join("\n").contains("mock_members"));
}

/// An operation named like `MockServer`'s own methods is mocked as `<method>_operation`;
/// the client's method keeps its name.
#[tokio::test]
async fn operations_named_like_mock_server_methods() {
    let server = TypedMockServer::start().await;
    let answer: types::NamesEcho = serde_json::from_value(echo(json!({"op": "start"}))).unwrap();
    server.start_operation().ok(&answer).await;
    let got = server.client().start().send().await.unwrap().into_inner();
    assert_eq!(got.values["op"], "start");
}

/// Path parameters named like builder members: `send_path` and `timeout_path` fill the
/// path, and `timeout(..)` is still the request's timeout.
#[tokio::test]
async fn path_parameters_named_like_builder_members() {
    let server = serve("GET", "/corpus/names/path-members/go/30", echo(json!({}))).await;
    client(&server)
        .path_members()
        .send_path("go")
        .timeout_path(30)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("the path is built from the renamed setters");
    only_request(&server).await;
}
