//! Timeouts (issue 3, point 4), over loopback HTTP: a response slower than the client's
//! timeout fails as `ErrorKind::Timeout`, and a request can shorten or lengthen it.

mod support;

use std::time::Duration;

use serde_json::json;
use stackai_connections::{
    Client, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, ErrorKind, RequestOptions,
};
use support::{connection_request, json_response, received};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

/// The server answers every request after `delay`.
async fn slow_server(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_response(200, json!([])).set_delay(delay))
        .mount(&server)
        .await;
    server
}

fn client_with_timeout(server: &MockServer, timeout: Option<Duration>) -> Client {
    support::builder(server)
        .timeout(timeout)
        .build()
        .expect("client")
}

#[test]
fn the_defaults_are_documented_constants() {
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(60));
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
}

#[tokio::test]
async fn a_response_slower_than_the_client_timeout_is_a_timeout_error() {
    let server = slow_server(Duration::from_millis(800)).await;
    let client = client_with_timeout(&server, Some(Duration::from_millis(100)));

    let err = client
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect_err("too slow");

    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert_eq!(err.operation(), "get_connections");
    assert!(err.status().is_none());
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn a_timed_out_get_is_retried_with_a_fresh_timeout_per_attempt() {
    let server = slow_server(Duration::from_millis(800)).await;
    let client = client_with_timeout(&server, Some(Duration::from_millis(100)));

    let err = client
        .get_connections()
        .max_retries(1)
        .send()
        .await
        .expect_err("too slow");

    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.attempts(), 2);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_timed_out_create_connection_is_not_repeated() {
    let server = slow_server(Duration::from_millis(800)).await;
    let client = client_with_timeout(&server, Some(Duration::from_millis(100)));

    let err = client
        .create_connection()
        .body(connection_request())
        .send()
        .await
        .expect_err("too slow");

    // The server received it and may be creating the connection.
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.attempts(), 1);
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn a_per_request_timeout_overrides_the_client_default() {
    let server = slow_server(Duration::from_millis(800)).await;
    // The client keeps the 60 s default.
    let client = support::client(&server);

    let err = client
        .get_connections()
        .max_retries(0)
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .expect_err("per-request timeout");
    assert_eq!(err.kind(), ErrorKind::Timeout);

    let err = client
        .get_available_connections()
        .with_options(
            RequestOptions::new()
                .timeout(Duration::from_millis(100))
                .max_retries(0),
        )
        .send()
        .await
        .expect_err("per-request options");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.operation(), "get_available_connections");
}

#[tokio::test]
async fn a_longer_per_request_timeout_succeeds_where_the_client_timeout_fails() {
    let server = slow_server(Duration::from_millis(300)).await;
    let client = client_with_timeout(&server, Some(Duration::from_millis(100)));

    let err = client
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect_err("client timeout");
    assert_eq!(err.kind(), ErrorKind::Timeout);

    let response = client
        .get_connections()
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("the longer per-request timeout lets it finish");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn no_timeout_waits_for_a_slow_response() {
    let server = slow_server(Duration::from_millis(300)).await;

    client_with_timeout(&server, None)
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect("no limit");
}
