//! The error type (issue 3, point 6), over loopback HTTP: each failure maps to its
//! `ErrorKind`, with the operation, status, headers, a body excerpt, the attempts, and
//! `is_retryable()`; on success, the status and headers are reachable too.

mod support;

use std::time::Duration;

use serde_json::json;
use stackai_connections::{Client, ErrorKind, types};
use support::{DroppingServer, connection_id, connection_json, json_response, received};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Answers every request with `status`, a JSON body naming it, and an `x-request-id`.
async fn server_answering(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            json_response(status, json!({"detail": format!("failure {status}")}))
                .insert_header("x-request-id", format!("req-{status}").as_str()),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn each_error_status_maps_to_its_kind_with_operation_status_headers_and_excerpt() {
    let table = [
        (400, ErrorKind::UnexpectedStatus, false),
        (401, ErrorKind::Unauthorized, false),
        (403, ErrorKind::Forbidden, false),
        (404, ErrorKind::NotFound, false),
        (408, ErrorKind::UnexpectedStatus, true),
        (409, ErrorKind::Conflict, true),
        (418, ErrorKind::UnexpectedStatus, false),
        (422, ErrorKind::Validation, false),
        (429, ErrorKind::RateLimited, true),
        (500, ErrorKind::Server, true),
        (501, ErrorKind::Server, false),
        (502, ErrorKind::Server, true),
        (503, ErrorKind::Server, true),
        (504, ErrorKind::Server, true),
        (302, ErrorKind::UnexpectedStatus, false),
    ];
    for (status, kind, retryable) in table {
        let server = server_answering(status).await;
        let err = support::client(&server)
            .get_connection_by_id()
            .connection_id(connection_id())
            .max_retries(0)
            .send()
            .await
            .expect_err("an error status");

        assert_eq!(err.kind(), kind, "{status}: {err:?}");
        assert_eq!(err.operation(), "get_connection_by_id", "{status}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        let headers = err.headers().expect("response headers");
        assert_eq!(
            headers.get("x-request-id").and_then(|v| v.to_str().ok()),
            Some(format!("req-{status}").as_str())
        );
        assert_eq!(
            err.body_excerpt(),
            Some(format!(r#"{{"detail":"failure {status}"}}"#).as_str()),
            "{status}"
        );
        assert_eq!(err.is_retryable(), retryable, "{status}");
        assert_eq!(err.attempts(), 1);
        let shown = err.to_string();
        assert!(shown.starts_with("get_connection_by_id: "), "{shown}");
        assert!(shown.contains(&status.to_string()), "{shown}");
        assert_eq!(received(&server).await.len(), 1);
    }
}

#[tokio::test]
async fn a_422_carries_the_parsed_validation_errors() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_response(
            422,
            json!({"detail": [
                {"loc": ["query", "limit"], "msg": "must be positive", "type": "greater_than", "input": "-1", "ctx": {"gt": 0}},
                {"loc": ["body", "name", 0], "msg": "Field required", "type": "missing"}
            ]}),
        ))
        .mount(&server)
        .await;

    let err = support::client(&server)
        .get_connections()
        .limit(-1)
        .send()
        .await
        .expect_err("422");

    assert_eq!(err.kind(), ErrorKind::Validation);
    let detail = err.validation_errors().expect("parsed detail");
    assert_eq!(detail.len(), 2);
    assert_eq!(detail[0].msg, "must be positive");
    assert_eq!(detail[0].type_, "greater_than");
    assert_eq!(detail[0].input, Some(json!("-1")));
    let loc: Vec<String> = detail[1].loc.iter().map(ToString::to_string).collect();
    assert_eq!(loc, ["body", "name", "0"]);
    assert!(matches!(
        detail[1].loc[2],
        types::ValidationErrorLocItem::Integer(0)
    ));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn validation_errors_are_only_for_a_422_with_the_documented_body() {
    let server = server_answering(400).await;
    let err = support::client(&server)
        .get_connections()
        .send()
        .await
        .expect_err("400");
    assert!(err.validation_errors().is_none());

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(422).set_body_string("<html>bad</html>"))
        .mount(&server)
        .await;
    let err = support::client(&server)
        .get_connections()
        .send()
        .await
        .expect_err("422");
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(
        err.validation_errors().is_none(),
        "an HTML 422 has no parsed detail"
    );
    assert_eq!(err.body_excerpt(), Some("<html>bad</html>"));
}

#[tokio::test]
async fn a_429_reports_how_long_the_server_asked_to_wait() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .mount(&server)
        .await;
    let err = support::client(&server)
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect_err("429");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after-ms", "1500"))
        .mount(&server)
        .await;
    let err = support::client(&server)
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect_err("429");
    assert_eq!(err.retry_after(), Some(Duration::from_millis(1500)));

    let server = server_answering(503).await;
    let err = support::client(&server)
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect_err("503");
    assert_eq!(err.retry_after(), None);
}

#[tokio::test]
async fn a_refused_connection_is_a_connection_error() {
    let client = Client::builder()
        .base_url(support::refused_url())
        .retry_policy(support::fast_retries())
        .max_retries(0)
        .build()
        .expect("client");

    let err = client
        .get_available_connections()
        .send()
        .await
        .expect_err("refused");

    assert_eq!(err.kind(), ErrorKind::Connection);
    assert_eq!(err.operation(), "get_available_connections");
    assert!(err.status().is_none() && err.headers().is_none() && err.body_excerpt().is_none());
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 1);
    assert!(
        std::error::Error::source(&err).is_some(),
        "the transport error is the source"
    );
}

#[tokio::test]
async fn a_dropped_connection_is_a_connection_error() {
    let server = DroppingServer::start(usize::MAX, None).await;
    let client = Client::builder()
        .base_url(&server.url)
        .max_retries(0)
        .build()
        .expect("client");

    let err = client
        .get_available_connections()
        .send()
        .await
        .expect_err("dropped");

    assert_eq!(err.kind(), ErrorKind::Connection);
    assert!(err.status().is_none());
    assert!(err.is_retryable());
    assert_eq!(server.accepts(), 1);
}

#[tokio::test]
async fn a_slow_response_is_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_response(200, json!([])).set_delay(Duration::from_millis(600)))
        .mount(&server)
        .await;

    let err = support::client(&server)
        .get_connections()
        .timeout(Duration::from_millis(50))
        .max_retries(0)
        .send()
        .await
        .expect_err("slow");

    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.status().is_none());
    assert!(err.is_retryable());
}

#[tokio::test]
async fn malformed_json_on_a_200_is_a_decode_error_with_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/connections/{}", support::CONNECTION_ID)))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(
                    r#"{"connection_id": "123e4567-e89b-12d3-a456-4266141"#,
                    "application/json",
                )
                .insert_header("x-request-id", "req-decode"),
        )
        .mount(&server)
        .await;

    let err = support::client(&server)
        .get_connection_by_id()
        .connection_id(connection_id())
        .send()
        .await
        .expect_err("truncated JSON");

    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.operation(), "get_connection_by_id");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(
        err.headers()
            .and_then(|h| h.get("x-request-id"))
            .and_then(|v| v.to_str().ok()),
        Some("req-decode")
    );
    assert_eq!(
        err.body_excerpt(),
        Some(r#"{"connection_id": "123e4567-e89b-12d3-a456-4266141"#)
    );
    assert!(!err.is_retryable());
    assert!(
        std::error::Error::source(&err).is_some(),
        "the JSON error is the source"
    );
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        received(&server).await.len(),
        1,
        "a decode error is not retried"
    );
}

#[tokio::test]
async fn a_long_error_body_is_cut_to_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_string("x".repeat(10_000)))
        .mount(&server)
        .await;

    let err = support::client(&server)
        .get_connections()
        .send()
        .await
        .expect_err("404");

    let excerpt = err.body_excerpt().expect("excerpt");
    assert!(excerpt.len() < 2100, "{} bytes kept", excerpt.len());
    assert!(excerpt.starts_with("xxxx") && excerpt.ends_with('…'));
}

#[tokio::test]
async fn on_success_the_status_and_headers_are_reachable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connections"))
        .respond_with(
            json_response(201, connection_json(support::CONNECTION_ID, "Created"))
                .insert_header("x-request-id", "req-ok")
                .insert_header("x-ratelimit-remaining", "41"),
        )
        .mount(&server)
        .await;

    let response = support::client(&server)
        .create_connection()
        .body(support::connection_request())
        .send()
        .await
        .expect("201");

    assert_eq!(response.status().as_u16(), 201);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("x-request-id"), Some("req-ok"));
    assert_eq!(header("x-ratelimit-remaining"), Some("41"));
    assert_eq!(header("content-type"), Some("application/json"));
    assert_eq!(response.into_inner().name, "Created");
}

#[tokio::test]
async fn a_request_that_cannot_be_built_is_invalid_and_never_sent() {
    let server = MockServer::start().await;

    let err = support::client(&server)
        .get_connection_by_id()
        .connection_id("not-a-uuid")
        .send()
        .await
        .expect_err("bad id");

    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.operation(), "get_connection_by_id");
    assert_eq!(err.attempts(), 0);
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("connection_id"), "{err}");
    assert!(received(&server).await.is_empty());
}
