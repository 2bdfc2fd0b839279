//! Per-request extras (issue 11, point 2), over loopback HTTP: headers, query parameters and
//! top-level body fields the document does not describe, on every attempt of a retried
//! request and on every page of a stream, redacted in `Debug`, and clear errors where they
//! cannot be applied.

mod support;

use futures_util::StreamExt;
use serde_json::{Value, json};
use stackai_connections::{ErrorKind, RequestOptions};
use support::{
    Sequence, client, connection_id, connection_json, header, json_response, nth_connection,
    received, rename,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn query_value(request: &Request, key: &str) -> Vec<String> {
    request
        .url
        .query_pairs()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .collect()
}

#[tokio::test]
async fn extras_go_with_every_attempt_of_a_retried_request() {
    let server = MockServer::start().await;
    let id = support::CONNECTION_ID;
    Mock::given(method("PATCH"))
        .and(path(format!("/connections/{id}")))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(429).insert_header("retry-after-ms", "1"),
            json_response(200, connection_json(id, "renamed")),
        ]))
        .mount(&server)
        .await;
    let connection = client(&server)
        .patch_connection()
        .connection_id(connection_id())
        .body(rename("renamed"))
        .extra_header("X-Trace-Tag", "t-1")
        .extra_query("dry_run", "false")
        .extra_body("labels", json!(["a", "b"]))
        .extra_body("name", "override")
        .max_retries(1)
        .send()
        .await
        .expect("the retry succeeds")
        .into_inner();
    assert_eq!(connection.name, "renamed");
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2, "one 429, one retry");
    for request in &requests {
        assert_eq!(header(request, "x-trace-tag"), Some("t-1"));
        assert_eq!(query_value(request, "dry_run"), ["false"]);
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["labels"], json!(["a", "b"]));
        assert_eq!(
            body["name"], "override",
            "an extra field replaces the model's"
        );
        assert_eq!(header(request, "content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn extras_go_with_every_page_and_through_request_options() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(|request: &Request| {
            let offset: usize = request
                .url
                .query_pairs()
                .find(|(k, _)| k == "offset")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let items: Vec<Value> = (offset..(offset + 2).min(3)).map(nth_connection).collect();
            json_response(200, Value::Array(items))
        })
        .mount(&server)
        .await;
    let options = RequestOptions::new()
        .extra_header("X-Tenant", "acme")
        .extra_query("include", "archived");
    let count = client(&server)
        .get_connections()
        .limit(2)
        .with_options(options)
        .extra_query("include", "shared")
        .stream()
        .count()
        .await;
    assert_eq!(count, 3);
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(header(request, "x-tenant"), Some("acme"));
        assert_eq!(query_value(request, "include"), ["archived", "shared"]);
    }
}

#[tokio::test]
async fn extras_that_cannot_be_applied_are_errors_not_silence() {
    let server = MockServer::start().await;
    let client = client(&server);
    let no_body = client
        .get_connection_by_id()
        .connection_id(connection_id())
        .extra_body("x", 1)
        .send()
        .await
        .expect_err("a GET has no body to add a field to");
    assert_eq!(no_body.kind(), ErrorKind::InvalidRequest);
    assert!(no_body.to_string().contains("`x`"), "{no_body}");

    let bad_header = client
        .get_connection_by_id()
        .connection_id(connection_id())
        .extra_header("bad header", "v")
        .send()
        .await
        .expect_err("a header name with a space is invalid");
    assert_eq!(bad_header.kind(), ErrorKind::InvalidRequest);
    assert!(
        bad_header.to_string().contains("bad header"),
        "{bad_header}"
    );
    assert!(received(&server).await.is_empty(), "nothing was sent");
}

#[test]
fn debug_redacts_secret_extras() {
    let options = RequestOptions::new()
        .extra_header("X-Api-Key", "k-123")
        .extra_header("X-Trace", "visible")
        .extra_query("access_token", "q-456")
        .extra_body("client_secret", "b-789")
        .extra_body("nested", json!({"password": "p-000", "name": "n"}));
    let shown = format!("{options:?}");
    for secret in ["k-123", "q-456", "b-789", "p-000"] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
    assert!(
        shown.contains("visible") && shown.contains("\"n\""),
        "{shown}"
    );

    let server_free_builder = format!(
        "{:?}",
        stackai_connections::Client::builder()
            .bearer_token("t")
            .build()
            .unwrap()
            .get_connections()
            .extra_header("Authorization", "Bearer sk-secret")
    );
    assert!(
        !server_free_builder.contains("sk-secret"),
        "{server_free_builder}"
    );
}
