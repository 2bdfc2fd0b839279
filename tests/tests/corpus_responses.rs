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

// ---------------------------------------------------------------------------------------
// Binary responses: `Download`
// ---------------------------------------------------------------------------------------

/// A loopback server that answers one request with `200`, `application/octet-stream`, a
/// `Content-Length` of `total` bytes, and the body written by `write` (which may pause).
async fn raw_server<F, Fut>(total: usize, write: F) -> String
where
    F: FnOnce(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("a client connects");
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.expect("read request");
            if n == 0 {
                return;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {total}\r\n\r\n"
        );
        socket
            .write_all(response.as_bytes())
            .await
            .expect("write head");
        write(socket).await;
    });
    url
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn base_client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .build()
        .expect("a loopback client builds")
}

#[tokio::test]
async fn a_download_hands_over_chunks_before_the_body_is_complete() {
    // 8 MiB, far more than a chunk: the server sends the first half, then waits until the
    // client has read a chunk before sending the rest. A client that held the whole body
    // before handing any of it over would never see that chunk (the guard below fails it).
    const TOTAL: usize = 8 << 20;
    let body = pattern(TOTAL);
    let (first_read, wait_for_read) = tokio::sync::oneshot::channel::<()>();
    let sent = body.clone();
    let url = raw_server(TOTAL, move |mut socket| async move {
        use tokio::io::AsyncWriteExt;
        socket
            .write_all(&sent[..TOTAL / 2])
            .await
            .expect("first half");
        wait_for_read.await.expect("the client reads a chunk");
        socket
            .write_all(&sent[TOTAL / 2..])
            .await
            .expect("second half");
    })
    .await;
    let guard = Duration::from_secs(30);
    let response = tokio::time::timeout(guard, base_client(&url).download_file().file_id(1).send())
        .await
        .expect("headers arrive")
        .expect("the download starts");
    assert_eq!(response.status(), 200);
    let mut download = response.into_inner();
    assert_eq!(download.content_type(), Some("application/octet-stream"));
    assert_eq!(download.content_length(), Some(TOTAL as u64));
    let first = tokio::time::timeout(guard, download.chunk())
        .await
        .expect("a chunk arrives while the server holds back half the body")
        .expect("no error")
        .expect("a chunk");
    assert!(
        first.len() < TOTAL / 2,
        "a chunk, not the body: {}",
        first.len()
    );
    first_read.send(()).expect("the server waits");

    let mut received = first.to_vec();
    let mut chunks = 1;
    use futures_util::StreamExt;
    while let Some(chunk) = tokio::time::timeout(guard, download.next())
        .await
        .expect("the rest arrives")
    {
        let chunk = chunk.expect("no error");
        assert!(chunk.len() < TOTAL / 2);
        received.extend_from_slice(&chunk);
        chunks += 1;
    }
    assert!(chunks > 2, "{chunks} chunks");
    assert!(received == body, "the bytes arrive whole and in order");
}

#[tokio::test]
async fn a_download_that_keeps_making_progress_outlives_the_timeout() {
    // 20 pieces, 50 ms apart: the whole body takes about 1 s, five times the 200 ms
    // timeout, which bounds each wait rather than the download.
    const PIECE: usize = 1000;
    let url = raw_server(PIECE * 20, |mut socket| async move {
        use tokio::io::AsyncWriteExt;
        for piece in pattern(PIECE * 20).chunks(PIECE) {
            socket.write_all(piece).await.expect("a piece");
            socket.flush().await.expect("flush");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let client = Client::builder()
        .base_url(&url)
        .timeout(Some(Duration::from_millis(200)))
        .build()
        .expect("client");
    let download = client
        .download_file()
        .file_id(1)
        .send()
        .await
        .expect("headers arrive")
        .into_inner();
    let body = download
        .bytes()
        .await
        .expect("a slow but steady body completes");
    assert!(body[..] == pattern(PIECE * 20)[..]);
}

#[tokio::test]
async fn a_stalled_download_times_out_with_the_operation() {
    let url = raw_server(2000, |mut socket| async move {
        use tokio::io::AsyncWriteExt;
        socket.write_all(&[7u8; 1000]).await.expect("half");
        socket.flush().await.expect("flush");
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let mut download = base_client(&url)
        .download_file()
        .file_id(1)
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect("headers arrive")
        .into_inner();
    let mut received = 0;
    let err = loop {
        match download.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => panic!("a stalled body must not end as if complete"),
            Err(e) => break e,
        }
    };
    assert_eq!(received, 1000);
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.operation(), "download_file");
}

#[tokio::test]
async fn a_truncated_download_is_an_error_not_a_short_body() {
    // The server announces 2000 bytes and closes after 1000.
    let url = raw_server(2000, |mut socket| async move {
        use tokio::io::AsyncWriteExt;
        socket.write_all(&[1u8; 1000]).await.expect("half");
    })
    .await;
    let err = base_client(&url)
        .download_file()
        .file_id(1)
        .send()
        .await
        .expect("headers arrive")
        .into_inner()
        .bytes()
        .await
        .expect_err("a body cut short is an error");
    assert_eq!(err.kind(), ErrorKind::Connection);
    assert_eq!(err.operation(), "download_file");
}

#[tokio::test]
async fn range_requests_go_through_the_header_parameter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/files/9/download"))
        .and(wiremock::matchers::header("range", "bytes=2-5"))
        .respond_with(
            ResponseTemplate::new(206)
                .insert_header("content-range", "bytes 2-5/10")
                .set_body_raw(b"2345".to_vec(), "application/octet-stream"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .download_file()
        .file_id(9)
        .range("bytes=2-5")
        .send()
        .await
        .expect("206 is a documented success");
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-range"], "bytes 2-5/10");
    let mut file = Vec::new();
    let written = response
        .into_inner()
        .write_to(&mut file)
        .await
        .expect("written");
    assert_eq!(written, 4);
    assert_eq!(file, b"2345");
    let request = only_request(&server).await;
    assert_eq!(request.headers["accept"], "application/octet-stream");
}

#[tokio::test]
async fn downloads_are_retried_before_the_body_starts_and_errors_are_typed() {
    let server = MockServer::start().await;
    let seen = Arc::new(AtomicUsize::new(0));
    struct FailThenImage(Arc<AtomicUsize>);
    impl Respond for FailThenImage {
        fn respond(&self, _: &Request) -> ResponseTemplate {
            match self.0.fetch_add(1, Ordering::SeqCst) {
                0 => ResponseTemplate::new(503).set_body_string("busy"),
                1 => ResponseTemplate::new(200).set_body_raw(b"\x89PNG".to_vec(), "image/png"),
                _ => {
                    ResponseTemplate::new(404).set_body_json(serde_json::json!({"detail": "gone"}))
                }
            }
        }
    }
    Mock::given(method("GET"))
        .and(path("/corpus/images/3"))
        .respond_with(FailThenImage(seen.clone()))
        .mount(&server)
        .await;
    let image = client(&server)
        .get_image()
        .image_id(3)
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(
        &image.into_inner().bytes().await.expect("bytes")[..],
        b"\x89PNG"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 2);

    let err = client(&server)
        .get_image()
        .image_id(3)
        .send()
        .await
        .expect_err("404 is an error");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.operation(), "get_image");
    assert!(err.body_excerpt().is_some_and(|b| b.contains("gone")));
}

#[tokio::test]
async fn typed_mocks_answer_bytes_with_their_media_type() {
    let server = stackai_corpus::mock::MockServer::start().await;
    server.download_file().file_id(4).ok(b"\x00\x01\x02").await;
    let download = server
        .client()
        .download_file()
        .file_id(4)
        .send()
        .await
        .expect("the mock answers")
        .into_inner();
    assert_eq!(download.content_type(), Some("application/octet-stream"));
    assert_eq!(&download.bytes().await.expect("bytes")[..], b"\x00\x01\x02");
}
