//! Loopback HTTP tests for server-sent events in the feature corpus
//! (`openapi/corpus/responses.py`, issue 9 items 3 and 4): `stream_chat_events` (typed
//! `data`), `stream_log` (raw `data`) and `chat` (JSON from `send()`, events from
//! `send_events()`): events split across TCP writes at every byte, errors in the middle of
//! a stream, the timeout rule, retries before the headers, and the typed mocks.
//!
//! Most tests use `sse_server::sse_server`, a hand-rolled HTTP/1.1 server that answers with
//! a chunked body written piece by piece (each piece one HTTP chunk, flushed), so that the
//! client really receives the events in pieces. The tracing spans of event streams are
//! tested in `corpus_events_tracing.rs`, a binary of its own (see there).

mod sse_server;

use std::time::Duration;

use serde_json::json;
use sse_server::{CHAT_EVENTS, End, check_chat_events, chunk, client, guard, sse_server};
use stackai_corpus::{Client, ErrorKind, EventStream, RetryPolicy, types};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn typed_events_arrive_decoded_and_accept_asks_for_an_event_stream() {
    let pieces = CHAT_EVENTS.chunks(20).map(<[u8]>::to_vec).collect();
    let (url, request) = sse_server(pieces, Duration::from_millis(5), End::Complete).await;
    let response = guard(client(&url).stream_chat_events().chat_id(42).send())
        .await
        .expect("the stream starts");
    assert_eq!(response.status(), 200);
    let stream: EventStream<types::ChatChunk> = response.into_inner();
    fn can_move_to_another_task<T: Send + 'static>(_: &T) {}
    can_move_to_another_task(&stream);
    let events = guard(stream.collect_events())
        .await
        .expect("every event decodes");
    check_chat_events(&events);
    let request = request.await.expect("the server saw the request");
    assert!(
        request.starts_with("GET /corpus/chats/42/events HTTP/1.1"),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("accept: text/event-stream"),
        "{request}"
    );
}

#[tokio::test]
async fn events_split_into_one_byte_tcp_writes_arrive_whole() {
    // Every byte its own HTTP chunk, written and flushed on its own: every split point of
    // the sample is a chunk boundary the parser sees (the parser's unit tests also split
    // it at every pair of points without HTTP in between).
    let pieces = CHAT_EVENTS.iter().map(|b| vec![*b]).collect();
    let (url, _) = sse_server(pieces, Duration::ZERO, End::Complete).await;
    let mut stream = guard(client(&url).stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    let mut events = Vec::new();
    while let Some(event) = guard(stream.next()).await {
        events.push(event.expect("every event decodes"));
    }
    check_chat_events(&events);
    assert_eq!(stream.last_event_id(), Some("7"));
    assert_eq!(stream.retry(), Some(Duration::from_millis(2500)));
}

#[tokio::test]
async fn events_are_handed_over_before_the_stream_ends() {
    // The second event is sent only 300 ms after the first; the first must be readable
    // before that (the guard of 10 s is far longer; a client that buffered the whole body
    // would still pass, so the server also waits for the client to say it has the first).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (got_first, wait_for_first) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = socket.read(&mut buf).await.unwrap();
        let first = b"data: {\"delta\": \"a\"}\n\n";
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n",
            first.len()
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(first).await.unwrap();
        socket.write_all(b"\r\n").await.unwrap();
        socket.flush().await.unwrap();
        wait_for_first
            .await
            .expect("the client reports the first event");
        let second = b"data: {\"delta\": \"b\"}\n\n";
        let tail = format!("{:x}\r\n", second.len());
        socket.write_all(tail.as_bytes()).await.unwrap();
        socket.write_all(second).await.unwrap();
        socket.write_all(b"\r\n0\r\n\r\n").await.unwrap();
        socket.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    });
    let mut stream = guard(client(&url).stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    let first = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("the first event arrives while the server holds back the second")
        .expect("an event")
        .expect("it decodes");
    assert_eq!(first.data.delta, "a");
    got_first.send(()).unwrap();
    let second = guard(stream.next())
        .await
        .expect("an event")
        .expect("it decodes");
    assert_eq!(second.data.delta, "b");
    assert!(guard(stream.next()).await.is_none(), "then the stream ends");
}

#[tokio::test]
async fn raw_data_is_the_text_as_sent() {
    let body = b"event: log\nid: 1\ndata: first line\ndata: second line\n\n\
                 data: {\"not\": \"decoded\"}\n\n"
        .to_vec();
    let (url, request) = sse_server(vec![body], Duration::ZERO, End::Complete).await;
    let events = guard(async {
        client(&url)
            .stream_log()
            .lines(2)
            .send()
            .await
            .expect("the stream starts")
            .into_inner()
            .collect_events()
            .await
    })
    .await
    .expect("raw data never fails to decode");
    let data: Vec<(&str, Option<&str>, &str)> = events
        .iter()
        .map(|e| (e.event.as_str(), e.id.as_deref(), e.data.as_str()))
        .collect();
    assert_eq!(
        data,
        [
            ("log", Some("1"), "first line\nsecond line"),
            ("message", Some("1"), "{\"not\": \"decoded\"}"),
        ]
    );
    let request = request.await.unwrap();
    assert!(request.contains("/corpus/events/log?lines=2"), "{request}");
}

#[tokio::test]
async fn a_final_event_without_its_blank_line_is_dispatched_at_the_normal_end() {
    // The body ends completely (chunked terminator) after `data: ...` with no line end:
    // the documented rule dispatches it (a browser would discard it).
    let body = b"data: {\"delta\": \"a\"}\n\ndata: {\"delta\": \"last\", \"done\": true}".to_vec();
    let (url, _) = sse_server(vec![body], Duration::ZERO, End::Complete).await;
    let events = guard(async {
        let stream = client(&url).stream_chat_events().chat_id(1).send().await;
        stream.expect("starts").into_inner().collect_events().await
    })
    .await
    .expect("decodes");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].data.delta, "last");
}

#[tokio::test]
async fn bad_json_in_data_is_a_decode_error_for_that_event_and_the_stream_goes_on() {
    let body = b"data: {\"delta\": \"ok\"}\n\ndata: {\"delta\": 5}\n\ndata: not json\n\n\
                 data: {\"delta\": \"after\"}\n\n"
        .to_vec();
    let (url, _) = sse_server(vec![body], Duration::ZERO, End::Complete).await;
    let mut stream = guard(client(&url).stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    let mut items = Vec::new();
    while let Some(item) = guard(stream.next()).await {
        items.push(item);
    }
    assert_eq!(items.len(), 4);
    assert_eq!(items[0].as_ref().expect("decodes").data.delta, "ok");
    for bad in [&items[1], &items[2]] {
        let err = bad.as_ref().expect_err("not a ChatChunk");
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(err.operation(), "stream_chat_events");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
        assert!(std::error::Error::source(err).is_some(), "{err:?}");
    }
    assert_eq!(
        items[1].as_ref().unwrap_err().body_excerpt(),
        Some("{\"delta\":5}"),
        "the excerpt is the event's data (as JSON, with secrets redacted)"
    );
    assert_eq!(items[3].as_ref().expect("decodes").data.delta, "after");
}

#[tokio::test]
async fn a_connection_cut_mid_stream_is_a_connection_error_and_the_partial_event_is_dropped() {
    let pieces = vec![
        b"data: {\"delta\": \"a\"}\n\n".to_vec(),
        b"data: {\"delta\": \"half\"}\n".to_vec(),
    ];
    let (url, _) = sse_server(pieces, Duration::from_millis(10), End::Cut).await;
    let mut stream = guard(client(&url).stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    let first = guard(stream.next())
        .await
        .expect("an event")
        .expect("decodes");
    assert_eq!(first.data.delta, "a");
    let err = guard(stream.next())
        .await
        .expect("an error, not the end")
        .expect_err("the body was cut short");
    assert_eq!(err.kind(), ErrorKind::Connection);
    assert_eq!(err.operation(), "stream_chat_events");
    assert!(
        guard(stream.next()).await.is_none(),
        "the stream ends after it"
    );
}

#[tokio::test]
async fn a_stalled_stream_times_out_with_the_operation() {
    let pieces = vec![b"data: {\"delta\": \"a\"}\n\n".to_vec()];
    let (url, _) = sse_server(pieces, Duration::ZERO, End::Stall).await;
    let mut stream = guard(
        client(&url)
            .stream_chat_events()
            .chat_id(1)
            .timeout(Duration::from_millis(200))
            .send(),
    )
    .await
    .expect("the stream starts")
    .into_inner();
    assert_eq!(
        guard(stream.next())
            .await
            .expect("an event")
            .expect("ok")
            .data
            .delta,
        "a"
    );
    let err = guard(stream.next())
        .await
        .expect("an error, not the end")
        .expect_err("a stall is an error");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.operation(), "stream_chat_events");
    assert!(err.to_string().contains("event stream"), "{err}");
    assert!(guard(stream.next()).await.is_none());
}

#[tokio::test]
async fn a_stream_that_keeps_sending_outlives_the_timeout() {
    // 20 pieces (keep-alive comments and events), 50 ms apart: about 1 s in all, five
    // times the 200 ms timeout, which bounds each wait rather than the stream.
    let mut pieces = Vec::new();
    for n in 0..10 {
        pieces.push(b": keep-alive\n".to_vec());
        pieces.push(format!("data: {{\"delta\": \"{n}\"}}\n\n").into_bytes());
    }
    let (url, _) = sse_server(pieces, Duration::from_millis(50), End::Complete).await;
    let client = Client::builder()
        .base_url(&url)
        .timeout(Some(Duration::from_millis(200)))
        .build()
        .expect("client");
    let events = guard(async {
        let stream = client.stream_chat_events().chat_id(1).send().await;
        stream.expect("starts").into_inner().collect_events().await
    })
    .await
    .expect("a slow but steady stream completes");
    let deltas: Vec<String> = events.into_iter().map(|e| e.data.delta).collect();
    assert_eq!(deltas, (0..10).map(|n| n.to_string()).collect::<Vec<_>>());
}

#[tokio::test]
async fn chat_answers_json_from_send_and_events_from_send_events() {
    let server = MockServer::start().await;
    // Events only for `Accept: text/event-stream` with `stream: true` in the body.
    Mock::given(method("POST"))
        .and(path("/corpus/chat"))
        .and(header("accept", "text/event-stream"))
        .and(body_partial_json(
            json!({"message": "hi there", "stream": true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "data: {\"delta\": \"hi\"}\n\ndata: {\"delta\": \"there\", \"done\": true}\n\n",
            "text/event-stream",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/corpus/chat"))
        .and(header("accept", "application/json"))
        .and(body_partial_json(
            json!({"message": "hi there", "stream": false}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"text": "hi there"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let request =
        types::ChatRequest::try_from(types::builder::ChatRequest::default().message("hi there"))
            .expect("a complete request");

    let reply = client
        .chat()
        .body(request.clone())
        .send()
        .await
        .expect("JSON");
    assert_eq!(reply.into_inner().text, "hi there");

    let events = client
        .chat()
        .body(request)
        .send_events()
        .await
        .expect("events")
        .into_inner()
        .collect_events()
        .await
        .expect("they decode");
    let deltas: Vec<(&str, bool)> = events
        .iter()
        .map(|e| (e.data.delta.as_str(), e.data.done))
        .collect();
    assert_eq!(deltas, [("hi", false), ("there", true)]);
}

#[tokio::test]
async fn a_json_answer_to_send_events_is_a_decode_error_with_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/corpus/chat"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"text": "not events"})))
        .mount(&server)
        .await;
    let request =
        types::ChatRequest::try_from(types::builder::ChatRequest::default().message("x")).unwrap();
    let err = client(&server.uri())
        .chat()
        .body(request)
        .send_events()
        .await
        .expect_err("JSON is not an event stream");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.operation(), "chat");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert!(
        err.body_excerpt().is_some_and(|b| b.contains("not events")),
        "{err:?}"
    );
    assert!(err.to_string().contains("application/json"), "{err}");
}

#[tokio::test]
async fn streams_are_retried_before_the_headers_and_error_statuses_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/chats/1/events"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/corpus/chats/1/events"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "data: {\"delta\": \"after a retry\"}\n\n",
            "text/event-stream",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/corpus/chats/2/events"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "no chat 2"})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .retry_policy(
            RetryPolicy::default().with_delays(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let events = client
        .stream_chat_events()
        .chat_id(1)
        .send()
        .await
        .expect("the 503 is retried")
        .into_inner()
        .collect_events()
        .await
        .expect("decodes");
    assert_eq!(events[0].data.delta, "after a retry");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let err = client
        .stream_chat_events()
        .chat_id(2)
        .send()
        .await
        .expect_err("404");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.operation(), "stream_chat_events");
    assert!(err.body_excerpt().is_some_and(|b| b.contains("no chat 2")));
}

#[tokio::test]
async fn typed_mocks_serve_events() {
    use stackai_corpus::mock::MockServer;
    let server = MockServer::start().await;
    server
        .stream_chat_events()
        .chat_id(3)
        .ok(&[chunk("a", false), chunk("b", true)])
        .await;
    server.stream_log().ok(&["one", "two\nlines"]).await;
    server.chat().ok_events(&[chunk("streamed", true)]).await;
    let client = server.client();

    let events = client
        .stream_chat_events()
        .chat_id(3)
        .send()
        .await
        .expect("mocked")
        .into_inner()
        .collect_events()
        .await
        .expect("decodes");
    let deltas: Vec<&str> = events.iter().map(|e| e.data.delta.as_str()).collect();
    assert_eq!(deltas, ["a", "b"]);

    let log = client
        .stream_log()
        .send()
        .await
        .expect("mocked")
        .into_inner()
        .collect_events()
        .await
        .expect("raw");
    let lines: Vec<&str> = log.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(lines, ["one", "two\nlines"]);

    let request =
        types::ChatRequest::try_from(types::builder::ChatRequest::default().message("m")).unwrap();
    let chat = client
        .chat()
        .body(request)
        .send_events()
        .await
        .expect("mocked")
        .into_inner()
        .collect_events()
        .await
        .expect("decodes");
    assert_eq!(chat[0].data.delta, "streamed");
}

#[tokio::test]
async fn an_event_larger_than_16_mib_is_an_error_that_ends_the_stream() {
    // 17 MiB of `data` without a line end, then silence: the client gives up at 16 MiB
    // with a Decode error rather than holding the body, and does not wait for more.
    let mut pieces = vec![b"data: {\"delta\": \"ok\"}\n\ndata: ".to_vec()];
    pieces.extend((0..17).map(|_| vec![b'a'; 1 << 20]));
    let (url, _) = sse_server(pieces, Duration::ZERO, End::Stall).await;
    let mut stream = guard(client(&url).stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    let first = guard(stream.next())
        .await
        .expect("an event")
        .expect("decodes");
    assert_eq!(first.data.delta, "ok");
    let err = guard(stream.next())
        .await
        .expect("an error")
        .expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.operation(), "stream_chat_events");
    assert!(
        err.to_string().contains("more than 16777216 bytes"),
        "{err}"
    );
    assert!(guard(stream.next()).await.is_none(), "the stream ends");
}
