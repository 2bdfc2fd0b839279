//! Reliability under concurrency (issue 18), over loopback HTTP: single-flight OAuth2
//! tokens (one fetch at a cold start, one per expiry, one re-login for a storm of 401s; a
//! failed fetch shared by its waiters and not cached; a dropped fetch not left "in
//! flight"), the client-wide retry budget, and requests dropped at each stage leaving the
//! client usable. Every test counts what the server saw, never how long anything took.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;
use stackai_connections::{Client, ErrorKind, RetryBudget, RetryPolicy};
use support::{fast_retries, json_response, read_request, received};
use tokio::io::AsyncWriteExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Concurrent requests per burst, as in the issue's report.
const BURST: usize = 32;

/// The token endpoint: `tok-1`, `tok-2`, ... (or a refusal), each answer delayed so that
/// the other requests of a burst arrive while a fetch is in flight.
struct TokenEndpoint {
    issued: Arc<AtomicUsize>,
    expires_in: Option<u64>,
    /// Answers 500 to the first `fail_first` requests.
    fail_first: usize,
    delay: Duration,
}

impl Respond for TokenEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= self.fail_first {
            return json_response(500, json!({"detail": "token service down"}))
                .set_delay(self.delay);
        }
        let mut body = json!({"access_token": format!("tok-{n}"), "token_type": "bearer"});
        if let Some(seconds) = self.expires_in {
            body["expires_in"] = json!(seconds);
        }
        json_response(200, body).set_delay(self.delay)
    }
}

/// A server with a token endpoint at `/token` and `GET /connections`, which refuses the
/// tokens in `refused` with 401. Returns the server and the token endpoint's counter.
async fn server_with_tokens(
    expires_in: Option<u64>,
    fail_first: usize,
    refused: &'static [&'static str],
) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(TokenEndpoint {
            issued: issued.clone(),
            expires_in,
            fail_first,
            delay: Duration::from_millis(50),
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(move |request: &Request| {
            let auth = request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if refused.iter().any(|t| auth == format!("Bearer {t}")) {
                json_response(401, json!({"detail": "token expired"}))
            } else {
                json_response(200, json!([]))
            }
        })
        .mount(&server)
        .await;
    (server, issued)
}

fn password_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .password("ada@example.com", "secret")
        .token_url(format!("{}/token", server.uri()))
        .retry_policy(fast_retries())
        .build()
        .expect("client")
}

/// Sends `BURST` requests at once, from clones of `client`; returns how many succeeded.
async fn burst(client: &Client) -> usize {
    let calls = (0..BURST).map(|_| {
        let client = client.clone();
        async move { client.get_connections().send().await }
    });
    join_all(calls).await.iter().filter(|r| r.is_ok()).count()
}

fn token_requests(requests: &[Request]) -> usize {
    requests.iter().filter(|r| r.url.path() == "/token").count()
}

#[tokio::test]
async fn a_cold_password_client_fetches_one_token_for_a_burst() {
    let (server, issued) = server_with_tokens(None, 0, &[]).await;
    let client = password_client(&server);
    assert_eq!(burst(&client).await, BURST);
    assert_eq!(
        issued.load(Ordering::SeqCst),
        1,
        "one token request at a cold start"
    );
    // Every request carried that one token.
    let requests = received(&server).await;
    let api: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path() == "/connections")
        .collect();
    assert_eq!(api.len(), BURST);
    assert!(
        api.iter()
            .all(|r| r.headers["authorization"] == "Bearer tok-1")
    );
}

#[tokio::test]
async fn a_burst_after_expiry_refreshes_once() {
    // `expires_in: 30` is within the 30 s refresh margin: the token is due for refresh as
    // soon as it arrives, so the second burst finds it expired without waiting.
    let (server, issued) = server_with_tokens(Some(30), 0, &[]).await;
    let client = password_client(&server);
    assert_eq!(burst(&client).await, BURST);
    assert_eq!(
        issued.load(Ordering::SeqCst),
        1,
        "the waiters share the fetch they waited on"
    );
    assert_eq!(burst(&client).await, BURST);
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "one refresh for the whole burst"
    );
    let requests = received(&server).await;
    assert_eq!(token_requests(&requests), 2);
}

#[tokio::test]
async fn a_storm_of_401s_causes_one_login() {
    // The server stops accepting tok-1 after it was issued: every request of the burst
    // is refused once, and all of them replay with the one new token.
    let (server, issued) = server_with_tokens(None, 0, &["tok-1"]).await;
    let client = password_client(&server);
    assert_eq!(burst(&client).await, BURST);
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "one login, then one re-login"
    );
    let requests = received(&server).await;
    let with = |token: &str| {
        requests
            .iter()
            .filter(|r| {
                r.url.path() == "/connections"
                    && r.headers["authorization"] == format!("Bearer {token}").as_str()
            })
            .count()
    };
    assert_eq!(with("tok-1"), BURST, "each request was refused once");
    assert_eq!(with("tok-2"), BURST, "and replayed once with the new token");
}

#[tokio::test]
async fn a_failed_fetch_is_shared_by_its_waiters_and_not_cached() {
    let (server, issued) = server_with_tokens(None, 1, &[]).await;
    let client = password_client(&server);
    let calls = (0..BURST).map(|_| client.get_connections().send());
    let results = join_all(calls).await;
    assert_eq!(
        issued.load(Ordering::SeqCst),
        1,
        "one token request for the burst"
    );
    for result in &results {
        let error = result.as_ref().expect_err("the token service is down");
        assert_eq!(error.kind(), ErrorKind::Authentication, "{error}");
        assert_eq!(error.operation(), "get_connections");
    }
    // The failure was not cached: the next request tries again, and succeeds.
    client
        .get_connections()
        .send()
        .await
        .expect("the second fetch succeeds");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

/// A token endpoint that never answers its first request (it holds the connection open),
/// and answers later ones at once.
async fn stalling_token_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                if read_request(&mut socket).await.is_empty() {
                    return;
                }
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                if n == 1 {
                    // Hold the connection until the client drops it.
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                let body = format!(r#"{{"access_token":"tok-{n}","token_type":"bearer"}}"#);
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, seen)
}

/// Polls `count` until it reaches `at_least` (the server saw the request).
async fn until(count: &AtomicUsize, at_least: usize) {
    while count.load(Ordering::SeqCst) < at_least {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_dropped_token_fetch_leaves_nothing_in_flight() {
    let (token_url, seen) = stalling_token_server().await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(json_response(200, json!([])))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .password("ada@example.com", "secret")
        .token_url(format!("{token_url}/token"))
        .retry_policy(fast_retries())
        .build()
        .expect("client");

    // The first request fetches (and stalls); a second waits on that fetch.
    let fetching = tokio::spawn({
        let client = client.clone();
        async move { client.get_connections().send().await }
    });
    until(&seen, 1).await;
    let waiting = tokio::spawn({
        let client = client.clone();
        async move { client.get_connections().send().await }
    });
    // Cancel both: the waiter first (it must not stall anything), then the fetch.
    tokio::task::yield_now().await;
    waiting.abort();
    fetching.abort();
    assert!(fetching.await.expect_err("aborted").is_cancelled());

    // Nothing is stuck: the next request fetches a token of its own and succeeds.
    client
        .get_connections()
        .send()
        .await
        .expect("a request after the dropped fetch succeeds");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    let api = received(&server).await;
    assert_eq!(api.len(), 1);
    assert_eq!(api[0].headers["authorization"], "Bearer tok-2");
}

// ---------------------------------------------------------------------------------------
// The retry budget
// ---------------------------------------------------------------------------------------

async fn failing_server(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(json_response(status, json!({"detail": "down"})))
        .mount(&server)
        .await;
    server
}

fn budget_client(server: &MockServer, budget: Option<RetryBudget>) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("t")
        .retry_policy(fast_retries().with_budget(budget))
        .build()
        .expect("client")
}

#[test]
fn the_budget_is_on_by_default() {
    assert_eq!(RetryPolicy::default().budget, Some(RetryBudget::default()));
    assert_eq!(fast_retries().budget, Some(RetryBudget::default()));
}

#[tokio::test]
async fn an_outage_spends_the_budget_then_failures_are_not_retried() {
    let server = failing_server(503).await;
    // 50 tokens at 5 a retry: ten retries in all, for every clone of the client.
    let client = budget_client(&server, Some(RetryBudget::with_capacity(50)));
    let mut exhausted = 0;
    for i in 0..40 {
        let clone = client.clone();
        let error = clone
            .get_connections()
            .send()
            .await
            .expect_err("the service is down");
        assert_eq!(error.kind(), ErrorKind::Server);
        if error.retry_budget_exhausted() {
            exhausted += 1;
            assert_eq!(error.attempts(), 1, "request {i}: not retried");
            assert!(error.to_string().contains("retry budget"), "{error}");
        }
    }
    // Five requests used two retries each; the sixth got nothing, and so did the rest.
    assert_eq!(exhausted, 35);
    assert_eq!(
        received(&server).await.len(),
        40 + 10,
        "at most the budget's retries"
    );
}

#[tokio::test]
async fn successes_refill_the_budget() {
    let server = MockServer::start().await;
    // `/connections` fails; `/connections/available` succeeds.
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(json_response(503, json!({"detail": "down"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/connections/available"))
        .respond_with(json_response(200, json!([])))
        .mount(&server)
        .await;
    let client = budget_client(&server, Some(RetryBudget::with_capacity(10)));
    // Two retries spend the bucket.
    let error = client.get_connections().send().await.expect_err("down");
    assert_eq!(
        (error.attempts(), error.retry_budget_exhausted()),
        (3, false)
    );
    let error = client.get_connections().send().await.expect_err("down");
    assert_eq!(
        (error.attempts(), error.retry_budget_exhausted()),
        (1, true)
    );
    // Five first-attempt successes put back one retry's worth.
    for _ in 0..5 {
        client.get_available_connections().send().await.expect("up");
    }
    let error = client.get_connections().send().await.expect_err("down");
    assert_eq!(
        (error.attempts(), error.retry_budget_exhausted()),
        (2, true)
    );
}

#[tokio::test]
async fn without_a_budget_every_failure_is_retried() {
    let server = failing_server(503).await;
    let client = budget_client(&server, None);
    for _ in 0..40 {
        let error = client.get_connections().send().await.expect_err("down");
        assert_eq!(
            (error.attempts(), error.retry_budget_exhausted()),
            (3, false)
        );
    }
    assert_eq!(received(&server).await.len(), 120);
}

// ---------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------

/// A raw server whose first connection stalls at `stage` and whose later connections get
/// an empty JSON list.
#[derive(Clone, Copy, Debug)]
enum Stage {
    /// Accepts the connection and never reads or answers.
    Connect,
    /// Reads the request and never answers.
    Headers,
    /// Sends the headers and part of the body, then stalls.
    Body,
}

async fn stalling_server(stage: Stage) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if n == 0 && matches!(stage, Stage::Connect) {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                if read_request(&mut socket).await.is_empty() {
                    return;
                }
                let response: &[u8] = match (n, stage) {
                    (0, Stage::Headers) => {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    (0, _) => b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n[",
                    _ => support::EMPTY_LIST_RESPONSE.as_bytes(),
                };
                let _ = socket.write_all(response).await;
                if n == 0 {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn a_request_dropped_at_any_stage_leaves_the_client_usable() {
    for stage in [Stage::Connect, Stage::Headers, Stage::Body] {
        let (url, accepted) = stalling_server(stage).await;
        let client = Client::builder()
            .base_url(&url)
            .bearer_token("t")
            .retry_policy(fast_retries())
            .build()
            .expect("client");
        let stalled = tokio::spawn({
            let client = client.clone();
            async move { client.get_connections().send().await }
        });
        until(&accepted, 1).await;
        // Let it reach the stalled stage, then drop it there.
        tokio::time::sleep(Duration::from_millis(20)).await;
        stalled.abort();
        assert!(
            stalled.await.expect_err("aborted").is_cancelled(),
            "{stage:?}"
        );
        let list = client
            .get_connections()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{stage:?}: the next request fails: {e}"));
        assert!(list.into_inner().is_empty(), "{stage:?}");
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            2,
            "{stage:?}: a new connection"
        );
    }
}
