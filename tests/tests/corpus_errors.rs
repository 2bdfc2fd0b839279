//! Loopback HTTP tests for documented error bodies (`openapi/corpus/errors.py`, issue 17
//! idiom 5): an error status's body decodes, through `Error::body_as`, into the variant of
//! the operation's error enum and the model the document gives for that status; an
//! undocumented status, a body that is not its model and a body larger than the 64 KiB an
//! error keeps are `Other`; an error that is not an error status, or the enum of another
//! operation, gives `None`; the 422 is also `Error::validation_errors`, as before; the
//! body the error keeps to decode never shows in `Display` or `Debug`; the typed mocks
//! answer a typed error body.

use std::time::Duration;

use serde_json::{Value, json};
use stackai_corpus::types::{self, CreateAccountError, GetAccountError, ListAccountsError};
use stackai_corpus::{Client, ErrorKind, RetryPolicy};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(RetryPolicy::default().with_max_retries(0))
        .build()
        .expect("a loopback client builds")
}

/// A server answering `verb route` with `template`.
async fn serve(verb: &str, route: &str, template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

/// `get_account(9)` against a server answering `status` with `body` (JSON).
async fn get_account_error(status: u16, body: Value) -> stackai_corpus::Error {
    let server = serve(
        "GET",
        "/corpus/accounts/9",
        ResponseTemplate::new(status).set_body_json(body),
    )
    .await;
    client(&server)
        .get_account()
        .account_id(9)
        .send()
        .await
        .expect_err("an error status")
}

#[tokio::test]
async fn each_documented_status_decodes_into_its_variant_and_model() {
    for (status, kind) in [
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
    ] {
        let error = get_account_error(status, json!({"detail": format!("status {status}")})).await;
        assert_eq!(error.kind(), kind);
        let body = error
            .body_as::<GetAccountError>()
            .expect("an error status has a body");
        assert_eq!(body.status(), status);
        let model = match (status, body) {
            (401, GetAccountError::Unauthorized(m))
            | (403, GetAccountError::Forbidden(m))
            | (404, GetAccountError::NotFound(m)) => m,
            (_, other) => panic!("{status} decoded into the wrong variant: {other:?}"),
        };
        assert_eq!(model.detail, format!("status {status}"));
    }
}

#[tokio::test]
async fn a_status_with_a_model_of_its_own_decodes_into_that_model() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/corpus/accounts"))
        .and(body_json(json!({"handle": "ada"})))
        .respond_with(
            ResponseTemplate::new(409)
                .set_body_json(json!({"detail": "the handle is taken", "existing_id": 1})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let account: types::AccountCreate =
        serde_json::from_value(json!({"handle": "ada"})).expect("an account");
    let error = client(&server)
        .create_account()
        .body(account)
        .send()
        .await
        .expect_err("409");
    assert_eq!(error.kind(), ErrorKind::Conflict);
    match error.body_as::<CreateAccountError>() {
        Some(CreateAccountError::Conflict(conflict)) => {
            assert_eq!(conflict.detail, "the handle is taken");
            assert_eq!(conflict.existing_id, 1);
        }
        other => panic!("409 is `Conflict(AccountConflict)`, got {other:?}"),
    }
}

#[tokio::test]
async fn an_operation_whose_errors_share_one_model_has_the_enum_too() {
    let server = serve(
        "GET",
        "/corpus/accounts",
        ResponseTemplate::new(403).set_body_json(json!({"detail": "read-only key"})),
    )
    .await;
    let error = client(&server)
        .list_accounts()
        .send()
        .await
        .expect_err("403");
    match error.body_as::<ListAccountsError>() {
        Some(ListAccountsError::Forbidden(m)) => assert_eq!(m.detail, "read-only key"),
        other => panic!("403 is `Forbidden`, got {other:?}"),
    }
}

#[tokio::test]
async fn the_422_is_a_variant_and_still_the_validation_errors() {
    let body = json!({"detail": [{
        "type": "int_parsing",
        "loc": ["path", "account_id"],
        "msg": "Input should be a valid integer",
        "input": "x",
    }]});
    let error = get_account_error(422, body).await;
    assert_eq!(error.kind(), ErrorKind::Validation);
    let listed = error.validation_errors().expect("FastAPI's 422");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].msg, "Input should be a valid integer");
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::UnprocessableEntity(v)) => assert_eq!(v.detail.len(), 1),
        other => panic!("422 is `UnprocessableEntity`, got {other:?}"),
    }
}

#[tokio::test]
async fn an_undocumented_status_is_other_with_its_body_as_json() {
    let error = get_account_error(418, json!({"teapot": true})).await;
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus);
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::Other { status, body }) => {
            assert_eq!(status, 418);
            assert_eq!(body, json!({"teapot": true}));
        }
        other => panic!("418 is `Other`, got {other:?}"),
    }
}

/// A body that is not the model of its status (a newer server's shape, a gateway's page)
/// is `Other`, never a failure: the caller is already handling an error.
#[tokio::test]
async fn a_body_that_is_not_its_model_is_other() {
    let error = get_account_error(404, json!({"message": "gone"})).await;
    assert_eq!(error.kind(), ErrorKind::NotFound);
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::Other { status: 404, body }) => {
            assert_eq!(body, json!({"message": "gone"}))
        }
        other => panic!("a 404 without `detail` is `Other`, got {other:?}"),
    }

    let page = "<html><body>Bad gateway</body></html>";
    let server = serve(
        "GET",
        "/corpus/accounts/9",
        ResponseTemplate::new(404).set_body_raw(page, "text/html"),
    )
    .await;
    let error = client(&server)
        .get_account()
        .account_id(9)
        .send()
        .await
        .expect_err("404");
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::Other { status: 404, body }) => assert_eq!(body, json!(page)),
        other => panic!("an HTML 404 is `Other` with the text, got {other:?}"),
    }

    let server = serve("GET", "/corpus/accounts/9", ResponseTemplate::new(404)).await;
    let error = client(&server)
        .get_account()
        .account_id(9)
        .send()
        .await
        .expect_err("404");
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::Other { status: 404, body }) => assert_eq!(body, Value::Null),
        other => panic!("an empty 404 is `Other` with `null`, got {other:?}"),
    }
}

#[tokio::test]
async fn a_large_body_decodes_up_to_64_kib_and_the_excerpt_stays_2_kib() {
    let detail = "x".repeat(60_000);
    let error = get_account_error(404, json!({"detail": detail})).await;
    assert!(error.body_excerpt().expect("an excerpt").len() <= 2100);
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::NotFound(m)) => assert_eq!(m.detail, detail),
        other => panic!("a 60 KB model decodes whole, got {other:?}"),
    }

    let error = get_account_error(404, json!({"detail": "y".repeat(70_000)})).await;
    assert!(
        error
            .body_excerpt()
            .expect("an excerpt")
            .starts_with(r#"{"detail":"yyy"#)
    );
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::Other { status: 404, body }) => assert_eq!(body, Value::Null),
        other => panic!("a body over 64 KiB is not kept: `Other` with `null`, got {other:?}"),
    }
}

#[tokio::test]
async fn secrets_of_the_kept_body_never_show_in_display_or_debug() {
    let error = get_account_error(
        404,
        json!({"detail": "no such account", "access_token": "sk-live-4242"}),
    )
    .await;
    for shown in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        assert!(!shown.contains("sk-live-4242"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
    // The typed body is the body the server sent.
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::NotFound(m)) => {
            assert_eq!(m.detail, "no such account");
            assert_eq!(m.extra["access_token"], "sk-live-4242");
        }
        other => panic!("404 is `NotFound`, got {other:?}"),
    }
}

#[tokio::test]
async fn no_body_for_other_operations_or_failures_without_an_error_status() {
    let error = get_account_error(404, json!({"detail": "no"})).await;
    assert!(
        error.body_as::<CreateAccountError>().is_none(),
        "another operation's enum"
    );

    // A success whose body does not decode.
    let server = serve(
        "GET",
        "/corpus/accounts/9",
        ResponseTemplate::new(200).set_body_json(json!({"detail": "not an account"})),
    )
    .await;
    let error = client(&server)
        .get_account()
        .account_id(9)
        .send()
        .await
        .expect_err("a bad success body");
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.body_as::<GetAccountError>().is_none());

    // A timeout.
    let server = serve(
        "GET",
        "/corpus/accounts/9",
        ResponseTemplate::new(404)
            .set_body_json(json!({"detail": "late"}))
            .set_delay(Duration::from_secs(5)),
    )
    .await;
    let error = client(&server)
        .get_account()
        .account_id(9)
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .expect_err("a timeout");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.body_as::<GetAccountError>().is_none());
}

#[tokio::test]
async fn the_typed_mock_answers_a_documented_error_model() {
    let server = stackai_corpus::mock::MockServer::start().await;
    let not_found: types::HttpExceptionResponse =
        serde_json::from_value(json!({"detail": "no such account"})).expect("a model");
    server
        .get_account()
        .account_id(9)
        .error(404, &not_found)
        .await;
    let error = server
        .client()
        .get_account()
        .account_id(9)
        .send()
        .await
        .expect_err("the mock answers 404");
    match error.body_as::<GetAccountError>() {
        Some(GetAccountError::NotFound(m)) => assert_eq!(m.detail, "no such account"),
        other => panic!("404 is `NotFound`, got {other:?}"),
    }
}
