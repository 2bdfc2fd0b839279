//! The typed mocks generated for the feature corpus's request shapes, used over loopback
//! HTTP: cookie parameters are matched in the `Cookie` header, array bodies are matched as
//! JSON, and an upload (a multipart body, which the mocks do not compare) is matched by its
//! parameters alone.

use stackai_corpus::mock::{MockServer, UNMATCHED_STATUS};
use stackai_corpus::multipart::FilePart;
use stackai_corpus::types;

#[tokio::test]
async fn cookies_are_matched_in_the_cookie_header() {
    let server = MockServer::start().await;
    server
        .get_item_content()
        .item_id(7)
        .session_id("s3ss10n")
        .theme("dark")
        .ok(
            &serde_json::from_value::<types::Echo>(serde_json::json!({"values": {"item_id": 7}}))
                .expect("an echo"),
        )
        .await;
    let client = server.client();

    let echoed = client
        .get_item_content()
        .item_id(7)
        .idempotency_key("key-1")
        .session_id("s3ss10n")
        .theme("dark")
        .send()
        .await
        .expect("the mock matches the cookies")
        .into_inner();
    assert_eq!(echoed.values["item_id"], 7);

    let error = client
        .get_item_content()
        .item_id(7)
        .idempotency_key("key-1")
        .session_id("someone-else")
        .theme("dark")
        .send()
        .await
        .expect_err("another cookie value does not match");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(UNMATCHED_STATUS));
    let report = server.take_unmatched().join("\n");
    assert!(report.contains("get_item_content"), "{report}");
    // `session_id` looks like a secret: the report names the cookie but not its value.
    assert!(report.contains("cookie session_id"), "{report}");
    assert!(!report.contains("someone-else"), "{report}");
}

#[tokio::test]
async fn array_bodies_are_matched_as_json() {
    let server = MockServer::start().await;
    let items: Vec<types::Item> = vec![types::Item::builder().name("saw").try_into().unwrap()];
    server.create_items().body(&items).ok(&items).await;
    let created = server
        .client()
        .create_items()
        .body(items.clone())
        .send()
        .await
        .expect("the mock matches the array body")
        .into_inner();
    assert_eq!(created[0].name, "saw");
    assert!(server.take_unmatched().is_empty());
}

#[tokio::test]
async fn uploads_are_matched_by_their_parameters() {
    let server = MockServer::start().await;
    let answer: types::Echo =
        serde_json::from_value(serde_json::json!({"values": {"filename": "notes.txt"}}))
            .expect("an echo");
    server.upload_file().ok(&answer).await;
    let echoed = server
        .client()
        .upload_file()
        .body(types::UploadFileBody::builder().description("notes"))
        .file(FilePart::bytes(&b"hello"[..]).file_name("notes.txt"))
        .send()
        .await
        .expect("the upload reaches the mock")
        .into_inner();
    assert_eq!(echoed.values["filename"], "notes.txt");
}
