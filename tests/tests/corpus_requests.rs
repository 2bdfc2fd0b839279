//! Loopback HTTP tests for the request shapes of the feature corpus (`openapi/corpus/requests.py`):
//! each test calls an operation of the corpus client (`stackai-corpus`) against a server on
//! 127.0.0.1 and checks the request on the wire and the decoded response.

use serde_json::json;
use stackai_corpus::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "corpus-token";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .build()
        .expect("a loopback client builds")
}

/// The corpus keeps the Connections API: its operations work through the same runtime.
#[tokio::test]
async fn connections_operations_are_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections/available"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let available = client(&server)
        .get_available_connections()
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert!(available.is_empty());
}
