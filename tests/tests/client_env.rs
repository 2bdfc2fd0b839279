//! `Client::from_env` (issue 3, point 1), over loopback HTTP.
//!
//! Alone in its own test binary: it changes the process environment, which no other
//! thread may read meanwhile (reqwest reads proxy variables whenever a client is built).

use stackai_connections::{BuildError, Client, ClientInfo};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn from_env_reads_the_api_key_and_the_base_url() {
    const KEY: &str = "STACKAI_API_KEY";
    const URL: &str = "STACKAI_BASE_URL";
    let saved = (std::env::var_os(KEY), std::env::var_os(URL));
    let restore = |name: &str, value: Option<std::ffi::OsString>| match value {
        // SAFETY: this is the only test of this binary, and no other thread of it reads
        // the environment.
        Some(value) => unsafe { std::env::set_var(name, value) },
        None => unsafe { std::env::remove_var(name) },
    };

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .and(header("authorization", "Bearer env-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;

    // SAFETY: as above.
    unsafe {
        std::env::set_var(KEY, "env-token");
        std::env::set_var(URL, server.uri());
    }
    let from_env = Client::from_env();
    // Without STACKAI_BASE_URL, the default base URL.
    unsafe { std::env::remove_var(URL) };
    let default_url = Client::from_env();
    // Without STACKAI_API_KEY, an error naming it.
    unsafe { std::env::remove_var(KEY) };
    let missing = Client::from_env();
    restore(KEY, saved.0);
    restore(URL, saved.1);

    let client = from_env.expect("client from the environment");
    assert_eq!(client.baseurl(), server.uri());
    client
        .get_connections()
        .send()
        .await
        .expect("200 with the env token");

    assert_eq!(
        default_url.expect("client").baseurl(),
        Client::DEFAULT_BASE_URL
    );
    let err = missing.expect_err("no API key");
    assert!(
        matches!(err, BuildError::MissingEnv("STACKAI_API_KEY")),
        "{err:?}"
    );
    assert!(err.to_string().contains("STACKAI_API_KEY"));
}
