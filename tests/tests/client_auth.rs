//! Authentication (issue 3, point 2), over loopback HTTP: the static bearer token, the
//! OAuth2 password flow (form POST, caching, expiry, one refresh on a 401), and secrets
//! kept out of `Debug` output and error messages.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use stackai_connections::{Client, Credentials, ErrorKind, types};
use support::{
    PROVIDER_SECRET, TOKEN, connection_id, connection_json, connection_request, fast_retries,
    header, json_response, received,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const USERNAME: &str = "ada@example.com";
/// A password with characters that form encoding must escape.
const PASSWORD: &str = "p@ss w&rd=+%é";

/// The token endpoint: answers `tok-1`, `tok-2`, ... with `expires_in` when given.
struct TokenEndpoint {
    issued: AtomicUsize,
    expires_in: Option<u64>,
}

impl TokenEndpoint {
    fn new(expires_in: Option<u64>) -> Self {
        TokenEndpoint {
            issued: AtomicUsize::new(0),
            expires_in,
        }
    }
}

impl Respond for TokenEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let mut body = json!({"access_token": format!("tok-{n}"), "token_type": "bearer"});
        if let Some(seconds) = self.expires_in {
            body["expires_in"] = json!(seconds);
        }
        json_response(200, body)
    }
}

async fn mount_token_endpoint(server: &MockServer, at: &str, expires_in: Option<u64>) {
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(TokenEndpoint::new(expires_in))
        .mount(server)
        .await;
}

async fn mount_connections_list(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(json_response(200, json!([])))
        .mount(server)
        .await;
}

fn password_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .password(USERNAME, PASSWORD)
        .retry_policy(fast_retries())
        .build()
        .expect("client")
}

/// `(path, authorization)` of each request, in order.
async fn exchanges(server: &MockServer) -> Vec<(String, Option<String>)> {
    received(server)
        .await
        .iter()
        .map(|r| {
            (
                r.url.path().to_string(),
                header(r, "authorization").map(str::to_string),
            )
        })
        .collect()
}

fn form(request: &Request) -> Vec<(String, String)> {
    url_decode_pairs(std::str::from_utf8(&request.body).expect("UTF-8 form"))
}

/// Decodes `application/x-www-form-urlencoded` without another dependency.
fn url_decode_pairs(body: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("hex"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("UTF-8")
    };
    body.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').expect("key=value");
            (decode(k), decode(v))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Static bearer token.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn static_bearer_goes_on_authenticated_operations_only() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections/available"))
        .respond_with(json_response(200, json!([])))
        .mount(&server)
        .await;
    mount_connections_list(&server).await;
    Mock::given(method("POST"))
        .and(path("/connections"))
        .respond_with(json_response(
            200,
            connection_json(support::CONNECTION_ID, "n"),
        ))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;

    let client = support::client(&server);
    client
        .get_available_connections()
        .send()
        .await
        .expect("200");
    client.get_connections().send().await.expect("200");
    client
        .create_connection()
        .body(connection_request())
        .send()
        .await
        .expect("200");
    client
        .delete_connection()
        .connection_id(connection_id())
        .send()
        .await
        .expect("204");

    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        exchanges(&server).await,
        [
            // The document marks `get_available_connections` as needing no credentials.
            ("/connections/available".to_string(), None),
            ("/connections".to_string(), Some(bearer.clone())),
            ("/connections".to_string(), Some(bearer.clone())),
            (
                format!("/connections/{}", support::CONNECTION_ID),
                Some(bearer)
            ),
        ]
    );
}

#[tokio::test]
async fn a_401_with_a_static_token_is_unauthorized_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json_response(401, json!({"detail": "Invalid token"})))
        .mount(&server)
        .await;

    let err = support::client(&server)
        .get_connections()
        .send()
        .await
        .expect_err("401");

    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(err.attempts(), 1);
    assert!(!err.is_retryable());
    assert_eq!(
        received(&server).await.len(),
        1,
        "a fixed token cannot be refreshed"
    );
}

// ---------------------------------------------------------------------------------------
// OAuth2 password flow.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn password_flow_posts_a_form_to_the_token_url_and_caches_the_token() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server, "/token", None).await;
    mount_connections_list(&server).await;

    let client = password_client(&server);
    for _ in 0..3 {
        client.get_connections().send().await.expect("200");
    }
    // A clone shares the cached token.
    client.clone().get_connections().send().await.expect("200");

    let requests = received(&server).await;
    let token_requests: Vec<&Request> = requests
        .iter()
        .filter(|r| r.url.path() == "/token")
        .collect();
    assert_eq!(token_requests.len(), 1, "4 API calls, 1 token request");
    let token_request = token_requests[0];
    assert_eq!(token_request.method.as_str(), "POST");
    assert_eq!(
        header(token_request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header(token_request, "authorization"), None);
    let mut fields = form(token_request);
    fields.sort();
    assert_eq!(
        fields,
        [
            ("grant_type".to_string(), "password".to_string()),
            ("password".to_string(), PASSWORD.to_string()),
            ("username".to_string(), USERNAME.to_string()),
        ]
    );

    let api: Vec<_> = exchanges(&server).await.into_iter().skip(1).collect();
    assert_eq!(api.len(), 4);
    for (p, authorization) in api {
        assert_eq!(p, "/connections");
        assert_eq!(authorization.as_deref(), Some("Bearer tok-1"));
    }
}

#[tokio::test]
async fn password_flow_fetches_no_token_for_an_unauthenticated_operation() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server, "/token", None).await;
    Mock::given(method("GET"))
        .and(path("/connections/available"))
        .respond_with(json_response(200, json!([])))
        .mount(&server)
        .await;

    password_client(&server)
        .get_available_connections()
        .send()
        .await
        .expect("200");

    assert_eq!(
        exchanges(&server).await,
        [("/connections/available".to_string(), None)]
    );
}

#[tokio::test]
async fn token_url_defaults_to_the_base_url_path_and_can_be_set() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server, "/prefix/token", None).await;
    mount_token_endpoint(&server, "/oauth/issue", None).await;
    Mock::given(method("GET"))
        .and(path("/prefix/connections"))
        .respond_with(json_response(200, json!([])))
        .mount(&server)
        .await;

    // The document's relative `token` URL resolves against the base URL, prefix included.
    Client::builder()
        .base_url(format!("{}/prefix", server.uri()))
        .password(USERNAME, PASSWORD)
        .build()
        .expect("client")
        .get_connections()
        .send()
        .await
        .expect("200");
    // An explicit token URL wins.
    Client::builder()
        .base_url(format!("{}/prefix", server.uri()))
        .credentials(Credentials::Password {
            username: USERNAME.into(),
            password: PASSWORD.into(),
        })
        .token_url(format!("{}/oauth/issue", server.uri()))
        .build()
        .expect("client")
        .get_connections()
        .send()
        .await
        .expect("200");

    let paths: Vec<String> = exchanges(&server)
        .await
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        paths,
        [
            "/prefix/token",
            "/prefix/connections",
            "/oauth/issue",
            "/prefix/connections"
        ]
    );
}

/// A token is renewed 30 s before it expires: one that lives 30 s or less is never
/// reused, so every call fetches a new one.
#[tokio::test]
async fn a_token_within_the_expiry_margin_is_fetched_again() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server, "/token", Some(30)).await;
    mount_connections_list(&server).await;

    let client = password_client(&server);
    for _ in 0..3 {
        client.get_connections().send().await.expect("200");
    }

    let api: Vec<Option<String>> = exchanges(&server)
        .await
        .into_iter()
        .filter(|(p, _)| p == "/connections")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(
        api,
        [
            Some("Bearer tok-1".into()),
            Some("Bearer tok-2".into()),
            Some("Bearer tok-3".into())
        ]
    );
}

/// `expires_in: 31` is 1 s of use after the 30 s margin: reused at once, renewed after.
#[tokio::test]
async fn an_expired_token_is_fetched_again() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server, "/token", Some(31)).await;
    mount_connections_list(&server).await;

    let client = password_client(&server);
    client.get_connections().send().await.expect("200");
    client.get_connections().send().await.expect("200");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.get_connections().send().await.expect("200");

    assert_eq!(
        exchanges(&server).await,
        [
            ("/token".to_string(), None),
            ("/connections".to_string(), Some("Bearer tok-1".to_string())),
            ("/connections".to_string(), Some("Bearer tok-1".to_string())),
            ("/token".to_string(), None),
            ("/connections".to_string(), Some("Bearer tok-2".to_string())),
        ]
    );
}

/// Accepts only `Bearer tok-2` and later tokens; refuses `tok-1` with a 401.
struct RefusesFirstToken;

impl Respond for RefusesFirstToken {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match header(request, "authorization") {
            Some("Bearer tok-1") => json_response(401, json!({"detail": "token revoked"})),
            _ => json_response(200, json!([])),
        }
    }
}

#[tokio::test]
async fn a_401_fetches_a_new_token_once_and_replays_the_request_with_it() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server, "/token", None).await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(RefusesFirstToken)
        .mount(&server)
        .await;

    let client = password_client(&server);
    // Even with retries off: a refresh after a 401 is not a retry.
    client
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect("200 with the new token");
    client
        .get_connections()
        .send()
        .await
        .expect("200, cached new token");

    assert_eq!(
        exchanges(&server).await,
        [
            ("/token".to_string(), None),
            ("/connections".to_string(), Some("Bearer tok-1".to_string())),
            ("/token".to_string(), None),
            ("/connections".to_string(), Some("Bearer tok-2".to_string())),
            ("/connections".to_string(), Some("Bearer tok-2".to_string())),
        ]
    );
}

#[tokio::test]
async fn a_second_401_is_unauthorized_without_a_loop() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server, "/token", None).await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(json_response(401, json!({"detail": "account disabled"})))
        .mount(&server)
        .await;

    let err = password_client(&server)
        .get_connections()
        .send()
        .await
        .expect_err("401");

    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        err.attempts(),
        2,
        "sent with the first token, then with the second"
    );
    assert_eq!(
        exchanges(&server).await,
        [
            ("/token".to_string(), None),
            ("/connections".to_string(), Some("Bearer tok-1".to_string())),
            ("/token".to_string(), None),
            ("/connections".to_string(), Some("Bearer tok-2".to_string())),
        ]
    );
}

#[tokio::test]
async fn a_refused_token_request_is_an_authentication_error_and_no_api_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(json_response(
            400,
            json!({"error": "invalid_grant", "password": PASSWORD, "username": USERNAME}),
        ))
        .mount(&server)
        .await;

    let err = password_client(&server)
        .get_connections()
        .send()
        .await
        .expect_err("no token");

    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.operation(), "get_connections");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(shown.contains("invalid_grant"), "{shown}");
        assert!(!shown.contains(PASSWORD), "password leaked: {shown}");
    }
    assert_eq!(exchanges(&server).await, [("/token".to_string(), None)]);
}

#[tokio::test]
async fn a_token_response_without_access_token_is_an_authentication_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(json_response(200, json!({"token_type": "bearer"})))
        .mount(&server)
        .await;

    let err = password_client(&server)
        .get_connections()
        .send()
        .await
        .expect_err("no token");

    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(received(&server).await.len(), 1, "the API was not called");
}

// ---------------------------------------------------------------------------------------
// Secrets stay out of Debug output and error messages.
// ---------------------------------------------------------------------------------------

fn assert_hidden(what: &str, shown: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!shown.contains(secret), "{what} shows {secret:?}: {shown}");
    }
}

#[tokio::test]
async fn secrets_never_appear_in_debug_output_or_errors() {
    let server = MockServer::start().await;
    mount_token_endpoint(&server, "/token", Some(3600)).await;
    Mock::given(method("GET"))
        .and(path(format!("/connections/{}", support::CONNECTION_ID)))
        .respond_with(json_response(200, {
            let mut c = connection_json(support::CONNECTION_ID, "Drive");
            c["connection_provider_data"] =
                json!({"client_secret": PROVIDER_SECRET, "refresh": "rt-0b5e55ed"});
            c
        }))
        .mount(&server)
        .await;
    // FastAPI's 422 echoes the request body, provider data included, in `input`.
    Mock::given(method("POST"))
        .and(path("/connections"))
        .respond_with(|request: &Request| {
            let sent: Value = serde_json::from_slice(&request.body).expect("JSON body");
            json_response(
                422,
                json!({"detail": [{
                    "loc": ["body", "name"],
                    "msg": "name taken",
                    "type": "value_error",
                    "input": sent,
                }]}),
            )
        })
        .mount(&server)
        .await;
    // A misbehaving server that echoes a token in an error body.
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(json_response(
            500,
            json!({"access_token": "tok-1", "debug": {"Authorization": "Bearer tok-1"}}),
        ))
        .mount(&server)
        .await;

    let client = password_client(&server);
    let secrets = [PASSWORD, "tok-1", PROVIDER_SECRET, "rt-0b5e55ed"];

    // Credentials, builder and client (after a token was fetched and cached).
    let connection = client
        .get_connection_by_id()
        .connection_id(connection_id())
        .send()
        .await
        .expect("200");
    assert_eq!(
        connection.connection_provider_data.get("client_secret"),
        Some(&json!(PROVIDER_SECRET)),
        "the value itself is kept, only its Debug is hidden"
    );
    assert_hidden("Client", &format!("{client:?}"), &secrets);
    assert_hidden(
        "ResponseValue<Connection>",
        &format!("{connection:?}"),
        &secrets,
    );
    assert_hidden(
        "Connection",
        &format!("{:?}", connection.into_inner()),
        &secrets,
    );
    let password = Credentials::Password {
        username: USERNAME.into(),
        password: PASSWORD.into(),
    };
    let shown = format!("{password:?}");
    assert_hidden("Credentials::Password", &shown, &secrets);
    assert!(
        shown.contains(USERNAME),
        "the username is not secret: {shown}"
    );
    assert_hidden(
        "Credentials::BearerToken",
        &format!("{:?}", Credentials::BearerToken("tok-1".into())),
        &secrets,
    );
    assert_hidden(
        "ClientBuilder",
        &format!(
            "{:?}",
            Client::builder()
                .password(USERNAME, PASSWORD)
                .bearer_token("tok-1")
        ),
        &secrets,
    );

    // Request bodies: the model, its builder, and the operation's request builder.
    let body: types::ConnectionRequest = connection_request().try_into().expect("complete body");
    assert_eq!(
        body.connection_provider_data.get("client_secret"),
        Some(&json!(PROVIDER_SECRET))
    );
    assert_hidden("ConnectionRequest", &format!("{body:?}"), &secrets);
    assert_hidden(
        "builder::ConnectionRequest",
        &format!("{:?}", connection_request()),
        &secrets,
    );
    let operation = client.create_connection().body(connection_request());
    let shown = format!("{operation:?}");
    assert_hidden("CreateConnection", &shown, &secrets);
    assert!(
        shown.contains("Team Drive"),
        "non-secret fields stay visible: {shown}"
    );

    // A 422 that echoes the provider data: Display, Debug, excerpt and parsed detail.
    let err = operation.send().await.expect_err("422");
    assert_eq!(err.kind(), ErrorKind::Validation);
    let detail = err.validation_errors().expect("parsed detail");
    assert_eq!(detail[0].msg, "name taken");
    assert_eq!(
        detail[0].input.as_ref().and_then(|i| i.get("name")),
        Some(&json!("Team Drive")),
        "only the secret parts of the echo are redacted"
    );
    assert_hidden("422 Display", &err.to_string(), &secrets);
    assert_hidden("422 Debug", &format!("{err:?}"), &secrets);
    assert_hidden(
        "422 excerpt",
        err.body_excerpt().expect("excerpt"),
        &secrets,
    );
    assert_hidden("422 detail", &format!("{detail:?}"), &secrets);

    // A 500 whose body echoes a token.
    let err = client
        .get_connections()
        .max_retries(0)
        .send()
        .await
        .expect_err("500");
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_hidden("500 Display", &err.to_string(), &secrets);
    assert_hidden("500 Debug", &format!("{err:?}"), &secrets);
}
