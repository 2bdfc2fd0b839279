//! Loopback HTTP tests for the request shapes of the feature corpus
//! (`openapi/corpus/requests.py`, issue 8 features 1-4, 13, 15 and 16's enum path parameters):
//! each test calls an operation of the corpus client (`stackai-corpus`) against a server on
//! 127.0.0.1 and checks the request on the wire (method, path, headers, cookies,
//! content type, body bytes or multipart parts) and the decoded response.

use serde_json::{Value, json};
use stackai_corpus::multipart::FilePart;
use stackai_corpus::{Client, ErrorKind, types};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "corpus-token";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .build()
        .expect("a loopback client builds")
}

/// A server answering `verb path` once with `status` and `body`.
async fn serve(verb: &str, route: &str, status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    server
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request reaches the server");
    requests.remove(0)
}

fn header(request: &Request, name: &str) -> Option<String> {
    let values: Vec<&str> = request
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("ASCII header"))
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn echo(values: Value) -> Value {
    json!({ "values": values })
}

// ---------------------------------------------------------------------------------------
// 1. multipart/form-data
// ---------------------------------------------------------------------------------------

/// One part of a multipart body, parsed from the bytes the server received.
#[derive(Debug)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

fn parts(request: &Request) -> Vec<Part> {
    let content_type = header(request, "content-type").expect("a content type");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {content_type}"));
    let delimiter = format!("--{boundary}");
    let body = &request.body;
    let mut out = Vec::new();
    let mut sections = split(body, delimiter.as_bytes());
    sections.remove(0); // the preamble
    for section in sections {
        if section.starts_with(b"--") {
            break; // the closing delimiter
        }
        let section = section
            .strip_prefix(b"\r\n")
            .expect("CRLF after the delimiter");
        let end = find(section, b"\r\n\r\n").expect("headers end");
        let headers = String::from_utf8(section[..end].to_vec()).expect("UTF-8 headers");
        let data = section[end + 4..]
            .strip_suffix(b"\r\n")
            .expect("CRLF before the delimiter");
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            data: data.to_vec(),
        };
        for line in headers.split("\r\n") {
            let (key, value) = line.split_once(": ").expect("a header line");
            match key.to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    for attr in value.split("; ").skip(1) {
                        let (k, v) = attr.split_once('=').expect("an attribute");
                        let v = v.trim_matches('"').to_string();
                        match k {
                            "name" => part.name = v,
                            "filename" => part.file_name = Some(v),
                            other => panic!("unexpected attribute {other}"),
                        }
                    }
                }
                "content-type" => part.content_type = Some(value.to_string()),
                other => panic!("unexpected part header {other}"),
            }
        }
        out.push(part);
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut haystack: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(at) = find(haystack, needle) {
        out.push(&haystack[..at]);
        haystack = &haystack[at + needle.len()..];
    }
    out.push(haystack);
    out
}

fn text_parts(parts: &[Part]) -> Vec<(String, String)> {
    parts
        .iter()
        .filter(|p| p.file_name.is_none())
        .map(|p| {
            (
                p.name.clone(),
                String::from_utf8(p.data.clone()).expect("UTF-8"),
            )
        })
        .collect()
}

fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("stackai-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("a temporary file");
    path
}

#[tokio::test]
async fn upload_file_sends_typed_fields_and_files_from_bytes_and_path() {
    let server = serve(
        "POST",
        "/corpus/files",
        200,
        echo(json!({"filename": "report.csv", "size": 9})),
    )
    .await;
    let thumbnail = temp_file("thumb.png", b"\x89PNG fake");
    let echoed = client(&server)
        .upload_file()
        .body(
            types::UploadFileBody::builder()
                .description("quarterly report")
                .tags(vec!["finance".to_string(), "q3".to_string()])
                .overwrite(true),
        )
        .file(
            FilePart::bytes(&b"a,b\n1,2\n\n"[..])
                .file_name("report.csv")
                .content_type("text/csv"),
        )
        .thumbnail(FilePart::path(&thumbnail).content_type("image/png"))
        .send()
        .await
        .expect("the upload succeeds")
        .into_inner();
    assert_eq!(echoed.values["filename"], "report.csv");
    assert_eq!(echoed.values["size"], 9);

    let request = only_request(&server).await;
    let parts = parts(&request);
    // Typed fields: a list is one part per item, a bool is `true`/`false`.
    let mut fields = text_parts(&parts);
    fields.sort();
    assert_eq!(
        fields,
        [
            ("description", "quarterly report"),
            ("overwrite", "true"),
            ("tags", "finance"),
            ("tags", "q3"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    let file = parts
        .iter()
        .find(|p| p.name == "file")
        .expect("the file part");
    assert_eq!(file.file_name.as_deref(), Some("report.csv"));
    assert_eq!(file.content_type.as_deref(), Some("text/csv"));
    assert_eq!(file.data, b"a,b\n1,2\n\n");
    // From a path: the file name is the path's, the bytes are the file's.
    let thumb = parts
        .iter()
        .find(|p| p.name == "thumbnail")
        .expect("the thumbnail");
    assert_eq!(thumb.file_name.as_deref(), Some("thumb.png"));
    assert_eq!(thumb.content_type.as_deref(), Some("image/png"));
    assert_eq!(thumb.data, b"\x89PNG fake");
    std::fs::remove_file(thumbnail).ok();
}

/// An async reader that produces `len` bytes (`i % 251`) without holding them.
struct Counting {
    at: usize,
    len: usize,
}

impl tokio::io::AsyncRead for Counting {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let n = buf.remaining().min(self.len - self.at).min(10_000);
        let start = self.at;
        let chunk: Vec<u8> = (start..start + n).map(|i| (i % 251) as u8).collect();
        buf.put_slice(&chunk);
        self.at += n;
        std::task::Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn upload_files_streams_a_list_of_files_from_readers() {
    let server = serve(
        "POST",
        "/corpus/files/batch",
        200,
        echo(json!({"count": 2})),
    )
    .await;
    const LEN: usize = 3 * 1024 * 1024 + 7;
    let echoed = client(&server)
        .upload_files()
        .body(types::UploadFilesBody::builder())
        .files([
            FilePart::reader(Counting { at: 0, len: LEN }).file_name("big.bin"),
            FilePart::reader(std::io::Cursor::new(b"small".to_vec())),
        ])
        .send()
        .await
        .expect("the upload succeeds")
        .into_inner();
    assert_eq!(echoed.values["count"], 2);

    let request = only_request(&server).await;
    // A reader's length is unknown: the body is streamed with chunked transfer encoding.
    assert_eq!(header(&request, "content-length"), None);
    let parts = parts(&request);
    // The unset optional `folder` sends no part at all.
    assert!(text_parts(&parts).is_empty(), "{parts:?}");
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].name, "files");
    assert_eq!(parts[0].file_name.as_deref(), Some("big.bin"));
    assert_eq!(
        parts[0].content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(parts[0].data.len(), LEN);
    assert!(
        parts[0]
            .data
            .iter()
            .enumerate()
            .all(|(i, b)| *b == (i % 251) as u8)
    );
    // Without a file name, the field's name stands in (FastAPI needs one to see a file).
    assert_eq!(parts[1].name, "files");
    assert_eq!(parts[1].file_name.as_deref(), Some("files"));
    assert_eq!(parts[1].data, b"small");
}

#[tokio::test]
async fn a_missing_required_file_is_refused_before_sending() {
    let server = MockServer::start().await;
    let err = client(&server)
        .upload_file()
        .body(types::UploadFileBody::builder().description("no file"))
        .send()
        .await
        .expect_err("the file is required");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(
        err.to_string().contains("the file part `file` is required"),
        "{err}"
    );
    let err = client(&server)
        .upload_files()
        .body(types::UploadFilesBody::builder())
        .files([])
        .send()
        .await
        .expect_err("at least one file is required");
    assert!(err.to_string().contains("`files`"), "{err}");
    let err = client(&server)
        .upload_file()
        .body(types::UploadFileBody::builder().description("missing path"))
        .file(FilePart::path("/nonexistent/stackai-corpus.bin"))
        .send()
        .await
        .expect_err("the file does not exist");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(
        err.to_string().contains("/nonexistent/stackai-corpus.bin"),
        "{err}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A streamed body cannot be replayed: an upload is sent once, even where the client's
/// policy would retry, and a reader cannot be sent twice.
#[tokio::test]
async fn uploads_are_sent_once() {
    let server = serve(
        "POST",
        "/corpus/files/batch",
        503,
        json!({"detail": "busy"}),
    )
    .await;
    let client = client(&server);
    let request = client
        .upload_files()
        .body(types::UploadFilesBody::builder().folder("inbox".to_string()))
        .files([FilePart::reader(std::io::Cursor::new(b"once".to_vec()))])
        .max_retries(3);
    let err = request.clone().send().await.expect_err("503");
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.attempts(), 1);
    let sent = only_request(&server).await;
    assert_eq!(
        text_parts(&parts(&sent)),
        [("folder".to_string(), "inbox".to_string())]
    );
    let again = request.send().await.expect_err("the reader was consumed");
    assert_eq!(again.kind(), ErrorKind::InvalidRequest);
    assert!(again.to_string().contains("already sent"), "{again}");
}

// ---------------------------------------------------------------------------------------
// 2. application/x-www-form-urlencoded
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn login_form_sends_a_typed_urlencoded_body() {
    let server = serve(
        "POST",
        "/corpus/login",
        200,
        echo(json!({"username": "ada"})),
    )
    .await;
    let echoed = client(&server)
        .login_form()
        .body(
            types::LoginFormBody::builder()
                .username("ada")
                .password("p&ss w=rd")
                .remember(true)
                .scopes(vec!["read".to_string(), "write".to_string()]),
        )
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert_eq!(echoed.values["username"], "ada");
    let request = only_request(&server).await;
    assert_eq!(
        header(&request, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    // Every field typed and encoded, a list as one pair per item; the unset optional
    // `scope` is left out.
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        "attempts=1&password=p%26ss+w%3Drd&remember=true&scopes=read&scopes=write&username=ada"
    );
}

// ---------------------------------------------------------------------------------------
// 3. header and cookie parameters
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn headers_and_cookies_are_sent_under_the_documents_names() {
    let server = serve(
        "GET",
        "/corpus/items/7/content",
        200,
        echo(json!({"item_id": 7})),
    )
    .await;
    let echoed = client(&server)
        .get_item_content()
        .item_id(7)
        .idempotency_key("key-1")
        .range("bytes=0-99")
        .x_request_id("req-42")
        .x_retry_count(2)
        .x_tag(vec!["red".to_string(), "blue".to_string()])
        .session_id("s3ss10n")
        .theme("dark")
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert_eq!(echoed.values["item_id"], 7);
    let request = only_request(&server).await;
    assert_eq!(
        header(&request, "idempotency-key").as_deref(),
        Some("key-1")
    );
    assert_eq!(header(&request, "range").as_deref(), Some("bytes=0-99"));
    assert_eq!(header(&request, "x-request-id").as_deref(), Some("req-42"));
    assert_eq!(header(&request, "x-retry-count").as_deref(), Some("2"));
    // `list[str]`: one header line per item.
    let tags: Vec<&str> = request
        .headers
        .get_all("x-tag")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(tags, ["red", "blue"]);
    // Cookies travel together in one `Cookie` header, not as headers of their own.
    assert_eq!(
        header(&request, "cookie").as_deref(),
        Some("session_id=s3ss10n; theme=dark")
    );
    assert_eq!(header(&request, "session_id"), None);
}

#[tokio::test]
async fn unset_optional_headers_and_cookies_are_not_sent() {
    let server = serve("GET", "/corpus/items/8/content", 200, echo(json!({}))).await;
    client(&server)
        .get_item_content()
        .item_id(8)
        .idempotency_key("key-2")
        .session_id("only")
        .send()
        .await
        .expect("the call succeeds");
    let request = only_request(&server).await;
    assert_eq!(
        header(&request, "idempotency-key").as_deref(),
        Some("key-2")
    );
    for absent in ["range", "x-request-id", "x-retry-count", "x-tag"] {
        assert_eq!(header(&request, absent), None, "{absent}");
    }
    assert_eq!(
        header(&request, "cookie").as_deref(),
        Some("session_id=only")
    );
}

#[tokio::test]
async fn missing_required_headers_and_bad_cookie_values_are_refused() {
    let server = MockServer::start().await;
    let err = client(&server)
        .get_item_content()
        .item_id(1)
        .session_id("s")
        .send()
        .await
        .expect_err("Idempotency-Key is required");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("idempotency_key"), "{err}");
    let err = client(&server)
        .get_item_content()
        .item_id(1)
        .idempotency_key("k")
        .session_id("a; admin=1")
        .send()
        .await
        .expect_err("a cookie value cannot hold `;`");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("cookie `session_id`"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------
// 4. array, optional, free-form and embedded bodies
// ---------------------------------------------------------------------------------------

fn json_body(request: &Request) -> Value {
    assert_eq!(
        header(request, "content-type").as_deref(),
        Some("application/json")
    );
    serde_json::from_slice(&request.body).expect("a JSON body")
}

#[tokio::test]
async fn an_array_body_is_sent_as_a_json_array() {
    let items = json!([{"name": "hammer", "quantity": 2}, {"name": "saw", "quantity": 1}]);
    let server = serve("POST", "/corpus/items/batch", 200, items.clone()).await;
    let created = client(&server)
        .create_items()
        .body(vec![
            types::Item::builder()
                .name("hammer")
                .quantity(2)
                .try_into()
                .unwrap(),
            types::Item::builder().name("saw").try_into().unwrap(),
        ])
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].name, "hammer");
    assert_eq!(created[1].quantity, 1);
    assert_eq!(json_body(&only_request(&server).await), items);
}

#[tokio::test]
async fn an_optional_body_is_sent_when_set_and_left_out_when_not() {
    let server = serve(
        "PUT",
        "/corpus/items/3/note",
        200,
        echo(json!({"note": "fragile"})),
    )
    .await;
    let echoed = client(&server)
        .set_item_note()
        .item_id(3)
        .body(Some(
            types::Note::builder().text("fragile").try_into().unwrap(),
        ))
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert_eq!(echoed.values["note"], "fragile");
    assert_eq!(
        json_body(&only_request(&server).await),
        json!({"text": "fragile"})
    );

    let server = serve(
        "PUT",
        "/corpus/items/3/note",
        200,
        echo(json!({"note": null})),
    )
    .await;
    client(&server)
        .set_item_note()
        .item_id(3)
        .send()
        .await
        .expect("no body is needed");
    let request = only_request(&server).await;
    assert!(request.body.is_empty(), "no body, not `null`");
    assert_eq!(header(&request, "content-type"), None);
}

#[tokio::test]
async fn a_free_form_body_is_sent_as_given() {
    let metadata = json!({"owner": "ada", "labels": ["a", "b"], "nested": {"x": 1.5}});
    let server = serve("POST", "/corpus/metadata", 200, metadata.clone()).await;
    let Value::Object(map) = metadata.clone() else {
        unreachable!()
    };
    let merged = client(&server)
        .merge_metadata()
        .body(map)
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert_eq!(Value::Object(merged), metadata);
    assert_eq!(json_body(&only_request(&server).await), metadata);
}

#[tokio::test]
async fn an_embedded_body_has_a_readable_model() {
    let server = serve(
        "POST",
        "/corpus/items/5/move",
        200,
        json!({"name": "5@shelf:3", "quantity": 1}),
    )
    .await;
    // FastAPI's `Body_move_item_corpus_items__item_id__move_post` is `MoveItemBody`.
    let moved = client(&server)
        .move_item()
        .item_id(5)
        .body(
            types::MoveItemBody::builder()
                .destination("shelf")
                .position(3),
        )
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert_eq!(moved.name, "5@shelf:3");
    assert_eq!(
        json_body(&only_request(&server).await),
        json!({"destination": "shelf", "position": 3})
    );
}

// ---------------------------------------------------------------------------------------
// 13. deprecated operations and parameters
// ---------------------------------------------------------------------------------------

#[tokio::test]
#[allow(deprecated)]
async fn deprecated_operations_still_work() {
    let server = serve("GET", "/corpus/legacy/items", 200, json!([])).await;
    let items = client(&server)
        .list_legacy_items()
        .page(2)
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert!(items.is_empty());
    assert_eq!(only_request(&server).await.url.query(), Some("page=2"));
}

/// The attributes carry the document's text (a use of either is a compiler warning, which
/// `#[allow(deprecated)]` above silences).
#[test]
fn deprecations_carry_the_documents_text() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/src/generated_sdk");
    let client = std::fs::read_to_string(root.join("mod.rs")).unwrap();
    let builders = std::fs::read_to_string(root.join("builder.rs")).unwrap();
    let document: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/corpus/corpus.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let op = &document["paths"]["/corpus/legacy/items"]["get"];
    let text = op["description"].as_str().unwrap();
    assert!(
        client.contains(&format!(
            "#[deprecated(\n        note = {text:?}\n    )]\n    pub fn list_legacy_items"
        )),
        "the method carries `#[deprecated]` with {text:?}"
    );
    let param = op["parameters"][0]["description"].as_str().unwrap();
    assert!(
        builders.contains(&format!(
            "#[deprecated(note = {param:?})]\n    pub fn page<"
        )),
        "the setter carries `#[deprecated]` with {param:?}"
    );
}

// ---------------------------------------------------------------------------------------
// 15. custom operationIds, 16. enums as path parameters
// ---------------------------------------------------------------------------------------

/// `generate_unique_id_function` gave `corpus-requests-list_archived_items`; the method is
/// `list_archived_items`.
#[tokio::test]
async fn custom_operation_ids_give_clean_method_names() {
    let server = serve(
        "GET",
        "/corpus/archive/items",
        200,
        json!([{"name": "old"}]),
    )
    .await;
    let items = client(&server)
        .list_archived_items()
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert_eq!(items[0].name, "old");
    assert_eq!(items[0].quantity, 1, "the default fills the missing field");

    let server = serve(
        "POST",
        "/corpus/archive/items/9/restore",
        200,
        json!({"name": "9", "quantity": 1}),
    )
    .await;
    let item = client(&server)
        .restore_item()
        .item_id(9)
        .send()
        .await
        .expect("the call succeeds")
        .into_inner();
    assert_eq!(item.name, "9");
}

#[tokio::test]
async fn enums_are_path_parameters_by_their_wire_value() {
    for (kind, wire) in [
        (types::ItemKind::Tool, "tool"),
        (types::ItemKind::Unknown("gadget".into()), "gadget"),
    ] {
        let route = format!("/corpus/kinds/{wire}/items");
        let server = serve("GET", &route, 200, json!([])).await;
        let items = client(&server)
            .list_items_of_kind()
            .kind(kind)
            .send()
            .await
            .expect("the call succeeds")
            .into_inner();
        assert!(items.is_empty());
        assert_eq!(only_request(&server).await.url.path(), route);
    }
}

/// The corpus keeps the Connections API: its operations work through the same runtime.
#[tokio::test]
async fn connections_operations_are_kept() {
    const ID: &str = "123e4567-e89b-12d3-a456-426614174000";
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/connections/{ID}")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .delete_connection()
        .connection_id(uuid::Uuid::parse_str(ID).unwrap())
        .send()
        .await
        .expect("the call succeeds");
    assert_eq!(
        header(&only_request(&server).await, "authorization").as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

/// Code generated for an API with uploads names the runtime feature it needs, instead of
/// failing on a missing `crate::multipart`; the Connections crate, without uploads, does not.
#[test]
fn uploads_require_the_multipart_feature_by_name() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let guard = "#[cfg(not(feature = \"multipart\"))]\ncompile_error!(";
    let corpus = std::fs::read_to_string(root.join("tests/corpus/src/generated_sdk/mod.rs"));
    assert!(corpus.unwrap().contains(guard));
    let connections = std::fs::read_to_string(root.join("generated/src/generated_sdk/mod.rs"));
    assert!(!connections.unwrap().contains("multipart"));
}

// ---------------------------------------------------------------------------------------
// A text body documented through `openapi_extra` (a real service's shape: any schema)
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_text_body_is_sent_as_text_plain_under_any_schema() {
    let server = serve(
        "POST",
        "/corpus/config/raw",
        200,
        echo(json!({"text": "a: 1"})),
    )
    .await;
    let config = "mode: fast\nlevels: [1, 2]\n";
    let echoed = client(&server)
        .save_raw_config()
        .body(config)
        .send()
        .await
        .expect("the server answers 200")
        .into_inner();
    assert_eq!(echoed.values["text"], "a: 1");
    let request = only_request(&server).await;
    assert_eq!(
        header(&request, "content-type").as_deref(),
        Some("text/plain")
    );
    assert_eq!(String::from_utf8_lossy(&request.body), config);
}
