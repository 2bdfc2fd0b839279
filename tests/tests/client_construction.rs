//! The hand-written constructors of `stackai_connections::Client`, over loopback HTTP.

use stackai_connections::{BuildError, Client};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn bearer_token_is_sent_on_every_request_and_kept_out_of_debug_output() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections/available"))
        .and(header("authorization", "Bearer s3cret-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(2)
        .mount(&server)
        .await;

    let client = Client::with_bearer_token(&server.uri(), "s3cret-token").expect("client");
    for _ in 0..2 {
        let list = client
            .get_available_connections()
            .send()
            .await
            .expect("200");
        assert!(list.into_inner().is_empty());
    }
    let debug = format!("{client:?}");
    assert!(
        !debug.contains("s3cret-token"),
        "token leaked into Debug: {debug}"
    );
}

#[tokio::test]
async fn unauthenticated_client_sends_no_authorization_and_the_documented_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections/available"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::new(&server.uri()).expect("client");
    client
        .get_available_connections()
        .send()
        .await
        .expect("200");

    let requests = server.received_requests().await.expect("recording is on");
    let request = &requests[0];
    assert!(request.headers.get("authorization").is_none());
    let agent = request
        .headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok());
    assert_eq!(agent, Some(Client::USER_AGENT));
    assert!(Client::USER_AGENT.starts_with("stackai-connections/"));
}

#[test]
fn a_token_that_cannot_be_a_header_is_rejected_without_echoing_it() {
    let err = Client::with_bearer_token("http://127.0.0.1:1", "bad\ntoken-value").unwrap_err();
    assert!(matches!(err, BuildError::InvalidToken));
    assert!(!err.to_string().contains("token-value"));
}
