//! Auto-pagination (issue 3, point 5), over loopback HTTP: lazy streams over the offset
//! operations (`get_connections`, `get_paginated_connections`) and the cursor operations
//! (`get_children_resources`, `search_resources`), single pages with where the next one
//! starts, and errors in the middle of a stream.

mod support;

use std::collections::HashMap;

use futures_util::StreamExt;
use serde_json::{Value, json};
use stackai_connections::{ErrorKind, NextPage, types};
use support::{connection_id, json_response, nth_connection, received, resource_json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn query(request: &Request) -> HashMap<String, String> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn query_of(request: &Request, key: &str) -> Option<String> {
    query(request).remove(key)
}

/// `GET /connections`: `total` connections served by `offset` and `limit` as a bare list.
struct ConnectionList {
    total: usize,
}

impl Respond for ConnectionList {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let offset: usize = query_of(request, "offset").map_or(0, |v| v.parse().unwrap());
        let limit: usize = query_of(request, "limit").map_or(1000, |v| v.parse().unwrap());
        let items: Vec<Value> = (offset..(offset + limit).min(self.total))
            .map(nth_connection)
            .collect();
        json_response(200, Value::Array(items))
    }
}

/// `GET /api/v1/connections`: the same, in the envelope that reports `total`.
struct PaginatedConnections {
    total: usize,
}

impl Respond for PaginatedConnections {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let offset: usize = query_of(request, "offset").map_or(0, |v| v.parse().unwrap());
        let limit: usize = query_of(request, "limit").map_or(10, |v| v.parse().unwrap());
        let items: Vec<Value> = (offset..(offset + limit).min(self.total))
            .map(nth_connection)
            .collect();
        json_response(
            200,
            json!({
                "status_code": 200,
                "response_code": "ok",
                "data": items,
                "offset": offset,
                "limit": limit,
                "total": self.total,
            }),
        )
    }
}

/// A cursor operation: the page for each cursor (`""` for the first page) and its next
/// cursor.
struct CursorPages {
    pages: HashMap<&'static str, (Vec<&'static str>, Option<&'static str>)>,
}

impl CursorPages {
    fn new(pages: &[(&'static str, &[&'static str], Option<&'static str>)]) -> Self {
        CursorPages {
            pages: pages
                .iter()
                .map(|(c, ids, next)| (*c, (ids.to_vec(), *next)))
                .collect(),
        }
    }
}

impl Respond for CursorPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let cursor = query_of(request, "cursor").unwrap_or_default();
        let Some((ids, next)) = self.pages.get(cursor.as_str()) else {
            return json_response(404, json!({"detail": format!("no page {cursor}")}));
        };
        json_response(
            200,
            json!({
                "data": ids.iter().map(|id| resource_json(id)).collect::<Vec<_>>(),
                "next_cursor": next,
                "current_cursor": if cursor.is_empty() { Value::Null } else { json!(cursor) },
            }),
        )
    }
}

fn children_path() -> String {
    format!("/connections/{}/resources/children", support::CONNECTION_ID)
}

fn search_path() -> String {
    format!("/connections/{}/resources/search", support::CONNECTION_ID)
}

async fn mount(server: &MockServer, at: &str, responder: impl Respond + 'static) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(responder)
        .mount(server)
        .await;
}

fn names(connections: &[types::Connection]) -> Vec<String> {
    connections.iter().map(|c| c.name.clone()).collect()
}

fn expected_names(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("conn-{n}")).collect()
}

fn resource_ids(resources: &[types::Resource]) -> Vec<String> {
    resources.iter().map(|r| r.resource_id.clone()).collect()
}

/// `(offset, limit)` of each request.
async fn offsets(server: &MockServer) -> Vec<(Option<String>, Option<String>)> {
    received(server)
        .await
        .iter()
        .map(|r| (query_of(r, "offset"), query_of(r, "limit")))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Offset pagination.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_connections_stream_yields_every_item_in_order_and_stops_after_a_short_page() {
    let server = MockServer::start().await;
    mount(&server, "/connections", ConnectionList { total: 5 }).await;

    let items: Vec<types::Connection> = support::client(&server)
        .get_connections()
        .connection_provider("gdrive")
        .limit(2)
        .stream()
        .map(|item| item.expect("item"))
        .collect()
        .await;

    assert_eq!(names(&items), expected_names(0..5));
    let requests = received(&server).await;
    assert_eq!(
        requests.len(),
        3,
        "pages of 2, 2 and 1; the short page is the last"
    );
    for (request, offset) in requests.iter().zip(["0", "2", "4"]) {
        assert_eq!(
            request.url.query(),
            Some(format!("connection_provider=gdrive&limit=2&offset={offset}").as_str()),
            "the other parameters are kept on every page"
        );
    }
}

#[tokio::test]
async fn get_connections_stream_starts_at_the_given_offset() {
    let server = MockServer::start().await;
    mount(&server, "/connections", ConnectionList { total: 7 }).await;

    let client = support::client(&server);
    let mut stream = client.get_connections().limit(3).offset(2).stream();
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.expect("item"));
    }

    assert_eq!(names(&items), expected_names(2..7));
    assert_eq!(
        offsets(&server).await,
        [
            (Some("2".into()), Some("3".into())),
            (Some("5".into()), Some("3".into())),
        ]
    );
}

/// Without a total, a full last page needs one more request to see that nothing follows.
#[tokio::test]
async fn get_connections_stream_ends_on_an_empty_page_after_a_full_one() {
    let server = MockServer::start().await;
    mount(&server, "/connections", ConnectionList { total: 4 }).await;

    let items: Vec<_> = support::client(&server)
        .get_connections()
        .limit(2)
        .stream()
        .collect()
        .await;

    assert_eq!(items.len(), 4);
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn get_paginated_connections_stream_stops_at_the_total_and_reports_it() {
    let server = MockServer::start().await;
    mount(
        &server,
        "/api/v1/connections",
        PaginatedConnections { total: 4 },
    )
    .await;

    let client = support::client(&server);
    let mut stream = client
        .get_paginated_connections()
        .limit(2)
        .sort_by(types::ConnectionSortBy::Name)
        .sort_dir(types::SortDirection::Asc)
        .stream();
    assert_eq!(stream.total(), None, "nothing fetched yet");
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.expect("item"));
        assert_eq!(stream.total(), Some(4));
    }

    assert_eq!(names(&items), expected_names(0..4));
    let requests = received(&server).await;
    assert_eq!(
        requests.len(),
        2,
        "offset + items reached the total: no third request"
    );
    for (request, offset) in requests.iter().zip(["0", "2"]) {
        assert_eq!(
            request.url.query(),
            Some(format!("limit=2&offset={offset}&sort_by=name&sort_dir=asc").as_str())
        );
    }
}

#[tokio::test]
async fn get_paginated_connections_stream_with_the_default_limit() {
    let server = MockServer::start().await;
    mount(
        &server,
        "/api/v1/connections",
        PaginatedConnections { total: 23 },
    )
    .await;

    let items: Vec<_> = support::client(&server)
        .get_paginated_connections()
        .stream()
        .collect()
        .await;

    assert_eq!(items.len(), 23);
    assert_eq!(received(&server).await.len(), 3, "10 + 10 + 3");
}

#[tokio::test]
async fn an_offset_page_comes_with_the_next_offset_and_the_total() {
    let server = MockServer::start().await;
    mount(
        &server,
        "/api/v1/connections",
        PaginatedConnections { total: 5 },
    )
    .await;
    mount(&server, "/connections", ConnectionList { total: 5 }).await;
    let client = support::client(&server);

    let page = client
        .get_paginated_connections()
        .limit(2)
        .offset(1)
        .page()
        .await
        .expect("page");
    assert_eq!(names(&page.items), expected_names(1..3));
    assert_eq!(page.next, Some(NextPage::Offset(3)));
    assert_eq!(page.total, Some(5));

    let last = client
        .get_paginated_connections()
        .limit(2)
        .offset(3)
        .page()
        .await
        .expect("page");
    assert_eq!(names(&last.items), expected_names(3..5));
    assert_eq!(last.next, None, "3 + 2 items reach the total of 5");

    let page = client
        .get_connections()
        .limit(2)
        .page()
        .await
        .expect("page");
    assert_eq!(names(&page.items), expected_names(0..2));
    assert_eq!(page.next, Some(NextPage::Offset(2)));
    assert_eq!(page.total, None, "this operation reports no total");

    let short = client
        .get_connections()
        .limit(2)
        .offset(4)
        .page()
        .await
        .expect("page");
    assert_eq!(names(&short.items), expected_names(4..5));
    assert_eq!(short.next, None, "a short page is the last");

    assert_eq!(received(&server).await.len(), 4, "one request per page()");
}

// ---------------------------------------------------------------------------------------
// Cursor pagination.
// ---------------------------------------------------------------------------------------

fn three_pages() -> CursorPages {
    CursorPages::new(&[
        ("", &["r1", "r2"], Some("c2")),
        ("c2", &["r3", "r4"], Some("c3")),
        ("c3", &["r5"], None),
    ])
}

#[tokio::test]
async fn children_stream_follows_the_cursor_and_keeps_the_other_parameters() {
    let server = MockServer::start().await;
    mount(&server, &children_path(), three_pages()).await;

    let items: Vec<types::Resource> = support::client(&server)
        .get_children_resources()
        .connection_id(connection_id())
        .resource_id("folder/1")
        .page_size(std::num::NonZeroU64::new(2).unwrap())
        .stream()
        .map(|item| item.expect("item"))
        .collect()
        .await;

    assert_eq!(resource_ids(&items), ["r1", "r2", "r3", "r4", "r5"]);
    let requests = received(&server).await;
    assert_eq!(requests.len(), 3, "a null next_cursor ends the stream");
    let queries: Vec<Option<&str>> = requests.iter().map(|r| r.url.query()).collect();
    assert_eq!(
        queries,
        [
            Some("page_size=2&resource_id=folder%2F1"),
            Some("cursor=c2&page_size=2&resource_id=folder%2F1"),
            Some("cursor=c3&page_size=2&resource_id=folder%2F1"),
        ]
    );
}

#[tokio::test]
async fn search_stream_keeps_the_query_skips_empty_pages_and_stops_at_the_last() {
    let server = MockServer::start().await;
    mount(
        &server,
        &search_path(),
        CursorPages::new(&[
            ("", &["a"], Some("p2")),
            // A page with no items but a next cursor does not end the stream.
            ("p2", &[], Some("p3")),
            // An empty next cursor is the end, like a null one.
            ("p3", &["b", "c"], Some("")),
        ]),
    )
    .await;

    let items: Vec<_> = support::client(&server)
        .search_resources()
        .connection_id(connection_id())
        .query("q&a report")
        .page_size(std::num::NonZeroU64::new(25).unwrap())
        .stream()
        .map(|item| item.expect("item").resource_id)
        .collect()
        .await;

    assert_eq!(items, ["a", "b", "c"]);
    let requests = received(&server).await;
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(query_of(request, "query").as_deref(), Some("q&a report"));
        assert_eq!(query_of(request, "page_size").as_deref(), Some("25"));
        assert!(request.url.query().unwrap().contains("query=q%26a+report"));
    }
    let cursors: Vec<Option<String>> = requests.iter().map(|r| query_of(r, "cursor")).collect();
    assert_eq!(cursors, [None, Some("p2".into()), Some("p3".into())]);
}

#[tokio::test]
async fn streams_are_lazy_one_page_at_a_time() {
    let server = MockServer::start().await;
    mount(&server, &children_path(), three_pages()).await;
    let client = support::client(&server);

    let stream = client
        .get_children_resources()
        .connection_id(connection_id())
        .stream();
    assert_eq!(
        received(&server).await.len(),
        0,
        "creating a stream sends nothing"
    );

    let mut stream = stream;
    let first = stream.next().await.expect("an item").expect("ok");
    assert_eq!(first.resource_id, "r1");
    assert_eq!(received(&server).await.len(), 1, "one item needs one page");
    stream.next().await.expect("an item").expect("ok");
    assert_eq!(
        received(&server).await.len(),
        1,
        "the rest of the page is buffered"
    );
    let third = stream.next().await.expect("an item").expect("ok");
    assert_eq!(third.resource_id, "r3");
    assert_eq!(
        received(&server).await.len(),
        2,
        "the next page when this one is used up"
    );

    // `take` stops polling: no request beyond the page that held the last item taken.
    let server = MockServer::start().await;
    mount(&server, "/connections", ConnectionList { total: 50 }).await;
    let taken: Vec<_> = support::client(&server)
        .get_connections()
        .limit(10)
        .stream()
        .take(12)
        .collect()
        .await;
    assert_eq!(taken.len(), 12);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn next_page_returns_whole_pages_with_their_cursor() {
    let server = MockServer::start().await;
    mount(&server, &children_path(), three_pages()).await;

    let client = support::client(&server);
    let mut stream = client
        .get_children_resources()
        .connection_id(connection_id())
        .stream();
    let mut pages = Vec::new();
    while let Some(page) = stream.next_page().await {
        let page = page.expect("page");
        pages.push((resource_ids(&page.items), page.next));
    }

    assert_eq!(
        pages,
        [
            (
                vec!["r1".to_string(), "r2".into()],
                Some(NextPage::Cursor("c2".into()))
            ),
            (
                vec!["r3".to_string(), "r4".into()],
                Some(NextPage::Cursor("c3".into()))
            ),
            (vec!["r5".to_string()], None),
        ]
    );
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn a_cursor_page_comes_with_the_next_cursor() {
    let server = MockServer::start().await;
    mount(&server, &children_path(), three_pages()).await;
    mount(&server, &search_path(), three_pages()).await;
    let client = support::client(&server);

    let first = client
        .get_children_resources()
        .connection_id(connection_id())
        .page()
        .await
        .expect("page");
    assert_eq!(resource_ids(&first.items), ["r1", "r2"]);
    assert_eq!(first.next, Some(NextPage::Cursor("c2".into())));
    assert_eq!(first.total, None);

    let Some(NextPage::Cursor(cursor)) = first.next else {
        unreachable!()
    };
    let second = client
        .search_resources()
        .connection_id(connection_id())
        .query("x")
        .cursor(cursor)
        .page()
        .await
        .expect("page");
    assert_eq!(resource_ids(&second.items), ["r3", "r4"]);
    assert_eq!(second.next, Some(NextPage::Cursor("c3".into())));

    let last = client
        .get_children_resources()
        .connection_id(connection_id())
        .cursor("c3")
        .page()
        .await
        .expect("page");
    assert_eq!(resource_ids(&last.items), ["r5"]);
    assert_eq!(last.next, None);
}

// ---------------------------------------------------------------------------------------
// Errors and retries within a stream.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_error_mid_stream_is_yielded_and_ends_the_stream() {
    let server = MockServer::start().await;
    // The second page's cursor is unknown to the server: 404.
    mount(
        &server,
        &children_path(),
        CursorPages::new(&[("", &["r1", "r2"], Some("gone")), ("after", &["r9"], None)]),
    )
    .await;

    let results: Vec<_> = support::client(&server)
        .get_children_resources()
        .connection_id(connection_id())
        .stream()
        .collect()
        .await;

    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().expect("r1").resource_id, "r1");
    assert_eq!(results[1].as_ref().expect("r2").resource_id, "r2");
    let err = results[2].as_ref().expect_err("the failed page");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.operation(), "get_children_resources");
    assert_eq!(
        received(&server).await.len(),
        2,
        "nothing is fetched after the error"
    );
}

#[tokio::test]
async fn a_page_that_fails_transiently_is_retried_inside_the_stream() {
    let server = MockServer::start().await;
    // The second page fails once with a 503, then succeeds.
    Mock::given(method("GET"))
        .and(path("/connections"))
        .and(wiremock::matchers::query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount(&server, "/connections", ConnectionList { total: 3 }).await;

    let items: Vec<_> = support::client(&server)
        .get_connections()
        .limit(2)
        .stream()
        .map(|item| item.expect("retried page").name)
        .collect()
        .await;

    assert_eq!(items, expected_names(0..3));
    let offsets: Vec<Option<String>> = received(&server)
        .await
        .iter()
        .map(|r| query_of(r, "offset"))
        .collect();
    assert_eq!(
        offsets,
        [Some("0".into()), Some("2".into()), Some("2".into())]
    );
}
