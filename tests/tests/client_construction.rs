//! Building a `stackai_connections::Client` (issue 3, point 1), over loopback HTTP: the
//! builder, the User-Agent, default headers, and what `build` refuses (`from_env` is in
//! `client_env.rs`, alone in its binary because it changes the environment).

mod support;

use stackai_connections::{BuildError, Client, ClientInfo, reqwest};
use support::{Sequence, header as header_of, json_response, received};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn bearer_token_is_sent_on_every_request_and_kept_out_of_debug_output() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .and(header("authorization", "Bearer s3cret-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(2)
        .mount(&server)
        .await;

    let client = Client::with_bearer_token(&server.uri(), "s3cret-token").expect("client");
    for _ in 0..2 {
        let list = client.get_connections().send().await.expect("200");
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

#[test]
fn the_builder_starts_from_the_documented_base_url() {
    let client = Client::builder().build().expect("client");
    assert_eq!(client.baseurl(), "https://api.stack-ai.com");
    assert_eq!(Client::DEFAULT_BASE_URL, "https://api.stack-ai.com");
}

#[tokio::test]
async fn builder_with_base_url_and_credentials_sends_to_that_url_with_that_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gateway/v2/connections"))
        .and(header("authorization", "Bearer built-token"))
        .respond_with(json_response(200, serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::builder()
        .base_url(format!("{}/gateway/v2/", server.uri()))
        .bearer_token("built-token")
        .build()
        .expect("client");
    assert_eq!(client.baseurl(), format!("{}/gateway/v2", server.uri()));
    client.get_connections().send().await.expect("200");
}

#[tokio::test]
async fn every_request_carries_the_user_agent_and_the_default_headers_retries_included() {
    let server = MockServer::start().await;
    // A 503 first, so that a retried attempt is checked as well.
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(503),
            json_response(200, serde_json::json!([])),
        ]))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/connections/available"))
        .respond_with(json_response(200, serde_json::json!([])))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;

    let client = support::builder(&server)
        .default_header("x-team", "search")
        .default_header("x-trace-tenant", "acme")
        .build()
        .expect("client");
    client
        .get_connections()
        .send()
        .await
        .expect("200 after a retry");
    client
        .get_available_connections()
        .send()
        .await
        .expect("200");
    client
        .delete_connection()
        .connection_id(support::connection_id())
        .send()
        .await
        .expect("204");

    let requests = received(&server).await;
    assert_eq!(requests.len(), 4, "503, 200, available, delete");
    for request in &requests {
        assert_eq!(header_of(request, "user-agent"), Some(Client::USER_AGENT));
        assert_eq!(header_of(request, "x-team"), Some("search"));
        assert_eq!(header_of(request, "x-trace-tenant"), Some("acme"));
    }
    assert_eq!(
        Client::USER_AGENT,
        format!("stackai-connections/{}", client_crate_version())
    );
}

/// The `version` of `generated/Cargo.toml`.
fn client_crate_version() -> String {
    include_str!("../../generated/Cargo.toml")
        .lines()
        .find_map(|line| line.strip_prefix("version = "))
        .expect("a version line")
        .trim_matches('"')
        .to_string()
}

#[tokio::test]
async fn user_agent_is_set_even_with_an_application_supplied_http_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json_response(200, serde_json::json!([])))
        .mount(&server)
        .await;

    // Built after `Client::builder()`, which installs the TLS provider reqwest needs.
    let builder = support::builder(&server);
    let http = reqwest::Client::builder()
        .build()
        .expect("the application's own client");
    let client = builder.http_client(http).build().expect("client");
    client.get_connections().send().await.expect("200");
    client
        .get_available_connections()
        .send()
        .await
        .expect("200");

    // Even one that names the application in its own User-Agent.
    let builder = support::builder(&server);
    let http = reqwest::Client::builder()
        .user_agent("my-app/1.0")
        .build()
        .expect("the application's own client");
    let client = builder.http_client(http).build().expect("client");
    client.get_connections().send().await.expect("200");

    let requests = received(&server).await;
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(header_of(request, "user-agent"), Some(Client::USER_AGENT));
        assert_eq!(
            header_of(request, "authorization").is_some(),
            request.url.path() == "/connections"
        );
    }
}

#[test]
fn build_refuses_a_base_url_that_is_not_http() {
    for url in [
        "api.stack-ai.com",
        "ftp://api.stack-ai.com",
        "",
        "file:///etc",
    ] {
        let err = Client::builder().base_url(url).build().expect_err(url);
        assert!(
            matches!(&err, BuildError::InvalidBaseUrl(u) if u == url),
            "{url}: {err:?}"
        );
        assert!(err.to_string().contains("base URL"), "{err}");
    }
    assert!(Client::new("not a url").is_err());
}

#[test]
fn build_refuses_invalid_default_headers_naming_them() {
    let err = Client::builder()
        .default_header("bad header", "value")
        .build()
        .expect_err("space in a header name");
    assert!(
        matches!(&err, BuildError::InvalidHeader(name) if name == "bad header"),
        "{err:?}"
    );

    let err = Client::builder()
        .default_header("x-ok", "line\nbreak")
        .build()
        .expect_err("newline in a header value");
    assert!(
        matches!(&err, BuildError::InvalidHeader(name) if name == "x-ok"),
        "{err:?}"
    );
    assert!(err.to_string().contains("x-ok"));
}
