//! Cancellation safety of the streamed responses (issue 18 item 4), over loopback HTTP:
//! a `Download` or an `EventStream` dropped in the middle of its body, and a pagination
//! stream dropped while its next page is on the way, leave the client fully usable: the
//! next request on the same client succeeds (on a new connection where the old one was
//! left mid-body). `client_concurrency.rs` drops `send()` itself at each stage.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use stackai_corpus::Client;
use tokio::io::AsyncWriteExt;

/// A server on 127.0.0.1: `GET /connections` answers `[]`; any other request gets `head`
/// and `first` (the start of a body) and then nothing more for 30 s.
async fn stalling_body_server(
    head: &'static str,
    first: &'static [u8],
) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let request = support::read_request(&mut socket).await;
                if request.is_empty() {
                    return;
                }
                let head_line = String::from_utf8_lossy(&request)
                    .lines()
                    .next()
                    .map(str::to_owned);
                let head_line = head_line.unwrap_or_default();
                if head_line.starts_with("GET /api/v1/connections") {
                    if head_line.contains("offset=10") {
                        // The second page never comes.
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    let page = first_page();
                    let _ = socket
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                                 content-length: {}\r\n\r\n{page}",
                                page.len()
                            )
                            .as_bytes(),
                        )
                        .await;
                    let _ = socket.shutdown().await;
                    return;
                }
                if request.starts_with(b"GET /connections ") {
                    let _ = socket
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                              content-length: 2\r\n\r\n[]",
                        )
                        .await;
                    let _ = socket.shutdown().await;
                    return;
                }
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(first).await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    (url, connections)
}

/// The first page of ten of a listing of twenty connections.
fn first_page() -> String {
    let items: Vec<String> = (0..10)
        .map(|i| {
            format!(
                concat!(
                    r#"{{"connection_id":"00000000-0000-4000-8000-{:012}","name":"c","org_id":"o","#,
                    r#""provider_id":"p","connection_type_id":"t","#,
                    r#""created_at":"2025-11-10T10:49:18.436394+00:00","#,
                    r#""updated_at":"2025-11-10T10:49:18.436438+00:00","connection_provider_data":{{}}}}"#
                ),
                i
            )
        })
        .collect();
    format!(
        r#"{{"data":[{}],"limit":10,"offset":0,"total":20,"response_code":"ok","status_code":200}}"#,
        items.join(",")
    )
}

fn client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .bearer_token("t")
        .build()
        .expect("a loopback client builds")
}

async fn guard<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .expect("nothing hangs")
}

/// The client's next request succeeds.
async fn still_usable(client: &Client) {
    let list = guard(client.get_connections().send())
        .await
        .expect("the request after the dropped stream succeeds");
    assert!(list.into_inner().is_empty());
}

#[tokio::test]
async fn a_download_dropped_mid_body_leaves_the_client_usable() {
    let (url, connections) = stalling_body_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n",
        b"0123456789",
    )
    .await;
    let client = client(&url);
    let mut download = guard(client.download_file().file_id(1).send())
        .await
        .expect("the download starts")
        .into_inner();
    let first = guard(download.chunk())
        .await
        .expect("a chunk")
        .expect("not the end");
    assert_eq!(&first[..], b"0123456789");
    // Waiting for the next chunk, which never comes: cancelled there, then dropped.
    assert!(
        tokio::time::timeout(Duration::from_millis(50), download.chunk())
            .await
            .is_err()
    );
    drop(download);
    still_usable(&client).await;
    assert_eq!(connections.load(Ordering::SeqCst), 2, "a new connection");
}

#[tokio::test]
async fn an_event_stream_dropped_mid_body_leaves_the_client_usable() {
    let (url, connections) = stalling_body_server(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n",
        b"29\r\ndata: {\"delta\": \"hello\", \"done\": false}\n\n\r\n",
    )
    .await;
    let client = client(&url);
    let mut events = guard(client.stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    let event = guard(events.next())
        .await
        .expect("an event")
        .expect("it decodes");
    assert_eq!(event.data.delta, "hello");
    assert!(
        tokio::time::timeout(Duration::from_millis(50), events.next())
            .await
            .is_err()
    );
    drop(events);
    still_usable(&client).await;
    assert_eq!(connections.load(Ordering::SeqCst), 2, "a new connection");
}

#[tokio::test]
async fn a_send_dropped_while_the_body_arrives_leaves_the_client_usable() {
    let (url, connections) = stalling_body_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n",
        b"",
    )
    .await;
    let client = client(&url);
    // `send()` of a download returns at the headers; the stall is in the body, so the
    // whole read is dropped while it waits for bytes.
    let read = async {
        let download = client.download_file().file_id(1).send().await?;
        download.into_inner().bytes().await
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(100), read)
            .await
            .is_err()
    );
    still_usable(&client).await;
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_pagination_stream_dropped_while_a_page_is_on_the_way_leaves_the_client_usable() {
    let (url, connections) = stalling_body_server("", b"").await;
    let client = client(&url);
    let mut stream = client.get_paginated_connections().limit(10).stream();
    for _ in 0..10 {
        guard(stream.next())
            .await
            .expect("an item of the first page")
            .expect("it decodes");
    }
    // The eleventh item needs the second page, which stalls: dropped while it is awaited.
    assert!(
        tokio::time::timeout(Duration::from_millis(100), stream.next())
            .await
            .is_err()
    );
    drop(stream);
    still_usable(&client).await;
    assert_eq!(
        connections.load(Ordering::SeqCst),
        3,
        "page 1, page 2, then the list"
    );
}
