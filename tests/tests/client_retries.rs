//! Retries (issue 3, point 3), over loopback HTTP: which statuses and failures are
//! retried, how many times, the policy for non-idempotent requests, and the server's
//! `Retry-After` / `retry-after-ms`.
//!
//! Backoff delays are set to milliseconds ([`support::fast_retries`]); the tests assert
//! request counts and error kinds, never durations. Where a server-requested wait must
//! replace the backoff, the backoff is set to a minute and the call must finish within
//! [`support::within_guard`].

mod support;

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use stackai_connections::{Client, ErrorKind, RequestOptions, RetryPolicy};
use support::{
    DroppingServer, EMPTY_LIST_RESPONSE, Sequence, TOKEN, connection_id, connection_json,
    connection_request, fast_retries, glacial_retries, header, json_response, received,
    within_guard,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn status(code: u16) -> ResponseTemplate {
    json_response(code, json!({"detail": format!("status {code}")}))
}

fn ok_list() -> ResponseTemplate {
    json_response(200, json!([]))
}

fn ok_connection() -> ResponseTemplate {
    json_response(200, connection_json(support::CONNECTION_ID, "n"))
}

/// Mounts `responses` in sequence on every route.
async fn serve(server: &MockServer, responses: Vec<ResponseTemplate>) {
    Mock::given(wiremock::matchers::any())
        .respond_with(Sequence::new(responses))
        .mount(server)
        .await;
}

async fn count(server: &MockServer) -> usize {
    received(server).await.len()
}

#[test]
fn the_default_policy_is_two_retries_from_half_a_second_to_eight() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.max_retries, 2);
    assert_eq!(policy.base_delay, Duration::from_millis(500));
    assert_eq!(policy.max_delay, Duration::from_secs(8));
    assert_eq!(policy.max_retry_after, Duration::from_secs(60));
    assert_eq!(RetryPolicy::never().max_retries, 0);
}

#[tokio::test]
async fn a_burst_of_503_is_retried_until_success() {
    let server = MockServer::start().await;
    serve(&server, vec![status(503), status(503), ok_list()]).await;

    let response = support::client(&server)
        .get_connections()
        .send()
        .await
        .expect("200");

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(count(&server).await, 3, "2 retries + the first attempt");
}

/// The default client (no policy set) retries twice; `retry-after-ms` keeps it fast.
#[tokio::test]
async fn the_default_client_gives_up_after_two_retries_with_the_attempt_count() {
    let server = MockServer::start().await;
    serve(
        &server,
        vec![status(503).insert_header("retry-after-ms", "1")],
    )
    .await;
    let client = Client::with_bearer_token(&server.uri(), TOKEN).expect("client");

    let err = within_guard(client.get_connections().send())
        .await
        .expect_err("503");

    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(count(&server).await, 3);
}

#[tokio::test]
async fn max_retries_is_set_per_client_and_overridden_per_request() {
    let server = MockServer::start().await;
    serve(&server, vec![status(503)]).await;
    let client = support::builder(&server)
        .max_retries(4)
        .build()
        .expect("client");

    let err = client.get_connections().send().await.expect_err("503");
    assert_eq!(
        (err.attempts(), count(&server).await),
        (5, 5),
        "per client: 4 retries"
    );

    let err = client
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect_err("503");
    assert_eq!(
        (err.attempts(), count(&server).await),
        (1, 6),
        "per request: none"
    );

    let err = client
        .get_connections()
        .with_options(RequestOptions::new().max_retries(1))
        .send()
        .await
        .expect_err("503");
    assert_eq!(
        (err.attempts(), count(&server).await),
        (2, 8),
        "per request: one"
    );

    let never = support::builder(&server)
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let err = never.get_connections().send().await.expect_err("503");
    assert_eq!(
        (err.attempts(), count(&server).await),
        (1, 9),
        "RetryPolicy::never"
    );
}

#[tokio::test]
async fn every_retryable_status_is_retried_and_no_other() {
    for code in [408, 409, 429, 500, 502, 503, 504] {
        let server = MockServer::start().await;
        serve(&server, vec![status(code), ok_list()]).await;
        support::client(&server)
            .get_connections()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{code} then 200: {e}"));
        assert_eq!(count(&server).await, 2, "{code} is retried");
    }
    for code in [400, 401, 403, 404, 418, 422, 501] {
        let server = MockServer::start().await;
        serve(&server, vec![status(code), ok_list()]).await;
        let err = support::client(&server)
            .get_connections()
            .send()
            .await
            .expect_err("error");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
        assert_eq!(err.attempts(), 1, "{code}");
        assert_eq!(count(&server).await, 1, "{code} is not retried");
    }
}

// ---------------------------------------------------------------------------------------
// Non-idempotent requests (POST, PATCH): retried only when the server cannot have acted.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_post_is_not_repeated_after_a_5xx_or_409() {
    for code in [409, 500, 502, 503, 504] {
        let server = MockServer::start().await;
        serve(&server, vec![status(code), ok_connection()]).await;
        let err = support::client(&server)
            .create_connection()
            .body(connection_request())
            .send()
            .await
            .expect_err("not retried");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
        assert_eq!(err.attempts(), 1, "{code}");
        assert_eq!(count(&server).await, 1, "POST after {code} is not repeated");
        assert!(err.is_retryable(), "the status itself is retryable");
    }
}

#[tokio::test]
async fn a_patch_is_not_repeated_after_a_503() {
    let server = MockServer::start().await;
    serve(&server, vec![status(503), ok_connection()]).await;

    let err = support::client(&server)
        .patch_connection()
        .connection_id(connection_id())
        .body(support::rename("renamed"))
        .send()
        .await
        .expect_err("not retried");

    assert_eq!(err.attempts(), 1);
    assert_eq!(count(&server).await, 1);
}

#[tokio::test]
async fn a_post_or_patch_is_retried_after_408_or_429_with_the_same_body() {
    for code in [408, 429] {
        let server = MockServer::start().await;
        serve(&server, vec![status(code), ok_connection()]).await;
        let client = support::client(&server);
        client
            .create_connection()
            .body(connection_request())
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST after {code}: {e}"));
        client
            .patch_connection()
            .connection_id(connection_id())
            .body(support::rename("renamed"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("PATCH after {code}: {e}"));

        let requests = received(&server).await;
        let sent: Vec<(&str, Value)> = requests
            .iter()
            .map(|r| {
                (
                    r.method.as_str(),
                    serde_json::from_slice(&r.body).expect("JSON body"),
                )
            })
            .collect();
        // The sequence answers only the very first request with `code`.
        assert_eq!(sent.len(), 3, "{code}: POST twice, PATCH once");
        assert_eq!(
            sent[0], sent[1],
            "{code}: the retried POST carries the same body"
        );
        assert_eq!(sent[0].0, "POST");
        assert_eq!(
            sent[0].1["connection_provider_data"]["client_secret"],
            support::PROVIDER_SECRET
        );
        assert_eq!(sent[2], ("PATCH", json!({"name": "renamed"})));
    }
    // And a PATCH that meets the 429 first.
    let server = MockServer::start().await;
    serve(&server, vec![status(429), ok_connection()]).await;
    support::client(&server)
        .patch_connection()
        .connection_id(connection_id())
        .body(support::rename("renamed"))
        .send()
        .await
        .expect("PATCH retried after 429");
    assert_eq!(count(&server).await, 2);
}

#[tokio::test]
async fn idempotent_put_and_delete_are_retried_after_a_503() {
    let server = MockServer::start().await;
    serve(&server, vec![status(503), status(503), ok_connection()]).await;
    support::client(&server)
        .update_connection()
        .connection_id(connection_id())
        .body(connection_request())
        .send()
        .await
        .expect("PUT retried");
    assert_eq!(count(&server).await, 3);

    let server = MockServer::start().await;
    serve(&server, vec![status(503), ResponseTemplate::new(204)]).await;
    support::client(&server)
        .delete_connection()
        .connection_id(connection_id())
        .send()
        .await
        .expect("DELETE retried");
    assert_eq!(count(&server).await, 2);
}

// ---------------------------------------------------------------------------------------
// Transport failures: dropped and refused connections.
// ---------------------------------------------------------------------------------------

fn client_for(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_get() {
    let server = DroppingServer::start(usize::MAX, None).await;

    let err = client_for(&server.url)
        .get_connections()
        .send()
        .await
        .expect_err("dropped");

    assert_eq!(err.kind(), ErrorKind::Connection, "{err:?}");
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    assert_eq!(server.accepts(), 3, "the GET was sent 3 times");
}

#[tokio::test]
async fn a_get_succeeds_after_a_dropped_connection() {
    let server = DroppingServer::start(1, Some(EMPTY_LIST_RESPONSE)).await;

    let list = client_for(&server.url)
        .get_connections()
        .send()
        .await
        .expect("200");

    assert!(list.into_inner().is_empty());
    assert_eq!(server.accepts(), 2);
}

#[tokio::test]
async fn a_create_connection_is_not_repeated_after_its_connection_dropped() {
    let server = DroppingServer::start(usize::MAX, None).await;

    let err = client_for(&server.url)
        .create_connection()
        .body(connection_request())
        .send()
        .await
        .expect_err("dropped");

    assert_eq!(err.kind(), ErrorKind::Connection, "{err:?}");
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        server.accepts(),
        1,
        "the server may have created it: sent once"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].starts_with("POST /connections "),
        "{}",
        requests[0]
    );
    assert!(
        requests[0].contains("\"provider_id\":\"gdrive\""),
        "the whole body was sent"
    );
}

#[tokio::test]
async fn an_update_connection_put_is_retried_after_its_connection_dropped() {
    let server = DroppingServer::start(usize::MAX, None).await;

    let err = client_for(&server.url)
        .update_connection()
        .connection_id(connection_id())
        .body(connection_request())
        .send()
        .await
        .expect_err("dropped");

    assert_eq!(err.kind(), ErrorKind::Connection);
    assert_eq!((err.attempts(), server.accepts()), (3, 3));
}

#[tokio::test]
async fn a_post_is_retried_when_the_connection_is_refused() {
    let url = support::refused_url();

    let err = client_for(&url)
        .create_connection()
        .body(connection_request())
        .send()
        .await
        .expect_err("refused");

    // Nothing was sent, so repeating the POST is safe.
    assert_eq!(err.kind(), ErrorKind::Connection, "{err:?}");
    assert_eq!(err.attempts(), 3);
    assert!(err.status().is_none());
    assert!(err.is_retryable());
}

// ---------------------------------------------------------------------------------------
// Retry-After and retry-after-ms.
// ---------------------------------------------------------------------------------------

/// A client whose own backoff would wait a minute before each retry.
fn patient_client(server: &MockServer, policy: RetryPolicy) -> Client {
    support::builder(server)
        .retry_policy(policy)
        .build()
        .expect("client")
}

#[tokio::test]
async fn retry_after_ms_on_a_429_replaces_the_backoff() {
    let server = MockServer::start().await;
    let limited = status(429).insert_header("retry-after-ms", "20");
    serve(&server, vec![limited.clone(), limited, ok_list()]).await;

    within_guard(
        patient_client(&server, glacial_retries())
            .get_connections()
            .send(),
    )
    .await
    .expect("200 after two 429s");

    assert_eq!(count(&server).await, 3);
}

#[tokio::test]
async fn retry_after_in_seconds_replaces_the_backoff() {
    let server = MockServer::start().await;
    serve(
        &server,
        vec![status(503).insert_header("retry-after", "1"), ok_list()],
    )
    .await;

    within_guard(
        patient_client(&server, glacial_retries())
            .get_connections()
            .send(),
    )
    .await
    .expect("200 after waiting 1 s");

    assert_eq!(count(&server).await, 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_replaces_the_backoff() {
    let server = MockServer::start().await;
    let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_millis(500));
    serve(
        &server,
        vec![
            status(429).insert_header("retry-after", soon.as_str()),
            ok_list(),
        ],
    )
    .await;

    within_guard(
        patient_client(&server, glacial_retries())
            .get_connections()
            .send(),
    )
    .await
    .expect("200 after waiting until the date");

    assert_eq!(count(&server).await, 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_not_waited_for() {
    let server = MockServer::start().await;
    serve(
        &server,
        vec![status(429).insert_header("retry-after", "3600"), ok_list()],
    )
    .await;
    let policy = fast_retries().with_max_retry_after(Duration::from_millis(100));

    within_guard(patient_client(&server, policy).get_connections().send())
        .await
        .expect("retried after the usual short backoff, not an hour");

    assert_eq!(count(&server).await, 2);
}

#[tokio::test]
async fn a_retried_request_keeps_its_query_and_headers() {
    let server = MockServer::start().await;
    serve(&server, vec![status(503), status(502), ok_list()]).await;

    support::client(&server)
        .get_connections()
        .connection_provider("google drive & co/ü")
        .limit(5)
        .offset(10)
        .send()
        .await
        .expect("200");

    let requests = received(&server).await;
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(request.url.path(), "/connections");
        assert_eq!(
            request.url.query(),
            Some("connection_provider=google+drive+%26+co%2F%C3%BC&limit=5&offset=10")
        );
        assert_eq!(
            header(request, "authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(header(request, "accept"), Some("application/json"));
    }
}
