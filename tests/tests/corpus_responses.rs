//! Loopback HTTP tests for the response shapes of the feature corpus
//! (`openapi/corpus/responses.py`, issue 9): text responses (`text/plain`, `text/html`,
//! `text/csv`) decoded into a `String` with the charset of their `Content-Type`, with the
//! retries, timeouts and typed errors of every other operation, and their typed mocks.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use stackai_corpus::{Client, ErrorKind, RetryPolicy};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(
            RetryPolicy::default().with_delays(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .expect("a loopback client builds")
}

/// A server answering `GET route` with `template`, once.
async fn serve(route: &str, template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn text(body: impl Into<Vec<u8>>, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into(), content_type)
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request reaches the server");
    requests.remove(0)
}

#[tokio::test]
async fn plain_text_is_a_utf8_string_and_accept_names_the_media_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/text/plain"))
        .and(query_param("name", "zoë"))
        .respond_with(text("hello, zoë ✓", "text/plain; charset=utf-8"))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .get_plain_text()
        .name("zoë")
        .send()
        .await
        .expect("text decodes");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(response.into_inner(), "hello, zoë ✓");
    let request = only_request(&server).await;
    assert_eq!(request.headers["accept"], "text/plain");
}

#[tokio::test]
async fn html_is_decoded_with_the_charset_of_its_content_type() {
    // "café" in ISO-8859-1 is not valid UTF-8: only the declared charset decodes it.
    let server = serve(
        "/corpus/text/html",
        text(
            b"<p>caf\xe9</p>".to_vec(),
            "text/html; charset=\"ISO-8859-1\"",
        ),
    )
    .await;
    let page = client(&server)
        .get_html_page()
        .send()
        .await
        .expect("latin-1 decodes");
    assert_eq!(page.into_inner(), "<p>café</p>");
    assert_eq!(only_request(&server).await.headers["accept"], "text/html");
}

#[tokio::test]
async fn csv_without_a_charset_is_utf8() {
    let body = "id,name\n1,Ærø\n";
    let server = serve("/corpus/text/csv", text(body, "text/csv")).await;
    let report = client(&server)
        .get_csv_report()
        .send()
        .await
        .expect("csv decodes");
    assert_eq!(report.into_inner(), body);
}

#[tokio::test]
async fn bytes_the_charset_does_not_allow_are_a_decode_error_with_an_excerpt() {
    let server = serve(
        "/corpus/text/plain",
        text(b"caf\xe9 au lait".to_vec(), "text/plain; charset=utf-8"),
    )
    .await;
    let err = client(&server)
        .get_plain_text()
        .send()
        .await
        .expect_err("invalid UTF-8 is refused, not replaced");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.operation(), "get_plain_text");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.attempts(), 1);
    assert!(
        err.body_excerpt().is_some_and(|b| b.contains("au lait")),
        "{err:?}"
    );
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[tokio::test]
async fn an_unsupported_charset_is_named_in_the_error() {
    let server = serve(
        "/corpus/text/csv",
        text("a,b\n", "text/csv; charset=Shift_JIS"),
    )
    .await;
    let err = client(&server)
        .get_csv_report()
        .send()
        .await
        .expect_err("an unknown charset is refused");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("shift_jis"), "{err}");
}

/// 503 for the first `failures` requests, then `text/plain` "ok".
struct FailThenText {
    failures: usize,
    seen: Arc<AtomicUsize>,
}

impl Respond for FailThenText {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.seen.fetch_add(1, Ordering::SeqCst) < self.failures {
            ResponseTemplate::new(503).set_body_string("busy")
        } else {
            text("ok", "text/plain")
        }
    }
}

#[tokio::test]
async fn text_operations_are_retried_like_json_ones() {
    let server = MockServer::start().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path("/corpus/text/plain"))
        .respond_with(FailThenText {
            failures: 2,
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    let response = client(&server)
        .get_plain_text()
        .send()
        .await
        .expect("the third attempt succeeds");
    assert_eq!(response.into_inner(), "ok");
    assert_eq!(seen.load(Ordering::SeqCst), 3);

    // With retries off, the first 503 is a typed server error carrying the body.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/text/plain"))
        .respond_with(FailThenText {
            failures: 1,
            seen: Arc::new(AtomicUsize::new(0)),
        })
        .mount(&server)
        .await;
    let err = client(&server)
        .get_plain_text()
        .max_retries(0)
        .send()
        .await
        .expect_err("503 without retries is an error");
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.body_excerpt(), Some("busy"));
}

#[tokio::test]
async fn error_statuses_of_text_operations_are_typed() {
    let server = serve(
        "/corpus/text/plain",
        ResponseTemplate::new(422).set_body_json(serde_json::json!({
            "detail": [{"loc": ["query", "name"], "msg": "too long", "type": "value_error"}]
        })),
    )
    .await;
    let err = client(&server)
        .get_plain_text()
        .send()
        .await
        .expect_err("422 is an error");
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(err.operation(), "get_plain_text");
    assert_eq!(err.validation_errors().map(|v| v.len()), Some(1));
}

#[tokio::test]
async fn a_slow_text_response_times_out() {
    let server = serve(
        "/corpus/text/csv",
        text("late", "text/csv").set_delay(Duration::from_secs(5)),
    )
    .await;
    let err = client(&server)
        .get_csv_report()
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .send()
        .await
        .expect_err("the attempt times out");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.operation(), "get_csv_report");
}

#[tokio::test]
async fn typed_mocks_answer_text_with_its_media_type() {
    let server = stackai_corpus::mock::MockServer::start().await;
    server.get_plain_text().name("ann").ok("hello, ann").await;
    server.get_csv_report().ok("id\n1\n").await;
    let client = server.client();
    let greeting = client
        .get_plain_text()
        .name("ann")
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(
        greeting.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(greeting.into_inner(), "hello, ann");
    let report = client
        .get_csv_report()
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(report.into_inner(), "id\n1\n");
}
