//! Auto-pagination over envelopes typed unlike the Connections API's: an offset page whose
//! `total` is optional (`Option<i64>`) and a cursor page whose `next_cursor` is required
//! (`String`, empty on the last page). Both once generated code that did not compile
//! (`cargo xtask fuzz --seed 3 --only 0 --compile 1` found the first); here the corpus crate
//! compiles them and the streams walk every page over loopback HTTP.

use futures_util::StreamExt;
use serde_json::json;
use stackai_corpus::Client;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("corpus-token")
        .build()
        .expect("a loopback client builds")
}

/// Answers `GET route?query` with `body`, exactly `times` times.
async fn page(
    server: &MockServer,
    route: &str,
    query: (&str, &str),
    body: serde_json::Value,
    times: u64,
) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(query_param(query.0, query.1))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(times)
        .mount(server)
        .await;
}

fn items(names: &[&str]) -> serde_json::Value {
    names.iter().map(|n| json!({"name": n})).collect()
}

#[tokio::test]
async fn offset_pages_without_a_total_end_at_a_short_page() {
    let server = MockServer::start().await;
    let route = "/corpus/pages/offset";
    page(
        &server,
        route,
        ("offset", "0"),
        json!({"data": items(&["a", "b"])}),
        1,
    )
    .await;
    page(
        &server,
        route,
        ("offset", "2"),
        json!({"data": items(&["c"]), "total": null}),
        1,
    )
    .await;
    let names: Vec<String> = client(&server)
        .list_loose_pages()
        .limit(2)
        .stream()
        .map(|item| item.expect("every page decodes").name)
        .collect()
        .await;
    assert_eq!(names, ["a", "b", "c"]);
}

#[tokio::test]
async fn offset_pages_with_a_total_end_when_it_is_reached() {
    let server = MockServer::start().await;
    let route = "/corpus/pages/offset";
    page(
        &server,
        route,
        ("offset", "0"),
        json!({"data": items(&["a", "b"]), "total": 4}),
        2,
    )
    .await;
    page(
        &server,
        route,
        ("offset", "2"),
        json!({"data": items(&["c", "d"]), "total": 4}),
        1,
    )
    .await;
    let first = client(&server)
        .list_loose_pages()
        .limit(2)
        .page()
        .await
        .expect("the first page");
    assert_eq!(first.total, Some(4));
    let all: Vec<_> = client(&server)
        .list_loose_pages()
        .limit(2)
        .stream()
        .collect()
        .await;
    assert_eq!(all.len(), 4);
}

#[tokio::test]
async fn a_required_cursor_ends_the_stream_when_empty() {
    let server = MockServer::start().await;
    let route = "/corpus/pages/cursor";
    Mock::given(method("GET"))
        .and(path(route))
        .and(|request: &wiremock::Request| request.url.query().is_none())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": items(&["a"]), "next_cursor": "c2"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    page(
        &server,
        route,
        ("cursor", "c2"),
        json!({"data": items(&["b"]), "next_cursor": ""}),
        1,
    )
    .await;
    let names: Vec<String> = client(&server)
        .list_strict_cursor_pages()
        .stream()
        .map(|item| item.expect("every page decodes").name)
        .collect()
        .await;
    assert_eq!(names, ["a", "b"]);
}
