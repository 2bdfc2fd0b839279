//! Tracing of server-sent events over loopback HTTP (issue 9, item 7): an event stream is
//! read in a `stackai.stream` span, a child of the `stackai.request` span of the attempt
//! that got it, which stays open until the body ends, fails or is dropped, and records the
//! bytes, the events and the outcome. (Downloads share the span: `download.rs`.)
//!
//! A binary of its own: every test here installs a subscriber as its thread's default. With
//! untraced tests in the same binary, a thread without a subscriber can register a callsite
//! as uninteresting while another thread installs one, and a span goes missing.

mod sse_server;

use std::time::Duration;

use sse_server::{CHAT_EVENTS, End, client, guard, sse_server};

/// A minimal `tracing` subscriber keeping every span (name, parent, fields, whether it is
/// closed) in memory. Like `tracing-subscriber`'s registry, a child keeps its parent open.
mod spans {
    use std::collections::BTreeMap;
    use std::fmt::Debug;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Debug, Clone)]
    pub struct Span {
        pub name: &'static str,
        pub parent: Option<usize>,
        pub fields: BTreeMap<String, String>,
        pub closed: bool,
        refs: usize,
    }

    #[derive(Default)]
    struct State {
        spans: Vec<Span>,
        stack: Vec<usize>,
    }

    #[derive(Clone, Default)]
    pub struct Recorder(Arc<Mutex<State>>);

    impl Recorder {
        pub fn spans(&self) -> Vec<Span> {
            self.0.lock().unwrap().spans.clone()
        }
    }

    struct Fields<'a>(&'a mut BTreeMap<String, String>);

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            self.0.insert(field.name().into(), format!("{value:?}"));
        }

        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().into(), value.into());
        }
    }

    fn release(state: &mut State, index: usize) {
        let span = &mut state.spans[index];
        span.refs -= 1;
        if span.refs == 0 {
            span.closed = true;
            if let Some(parent) = span.parent {
                release(state, parent);
            }
        }
    }

    impl Subscriber for Recorder {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }

        fn new_span(&self, attributes: &Attributes<'_>) -> Id {
            let mut fields = BTreeMap::new();
            attributes.record(&mut Fields(&mut fields));
            let mut state = self.0.lock().unwrap();
            let parent = match attributes.parent() {
                Some(id) => Some(id.into_u64() as usize - 1),
                None if attributes.is_contextual() => state.stack.last().copied(),
                None => None,
            };
            if let Some(parent) = parent {
                state.spans[parent].refs += 1;
            }
            state.spans.push(Span {
                name: attributes.metadata().name(),
                parent,
                fields,
                closed: false,
                refs: 1,
            });
            Id::from_u64(state.spans.len() as u64)
        }

        fn record(&self, span: &Id, values: &Record<'_>) {
            let mut state = self.0.lock().unwrap();
            let span = &mut state.spans[span.into_u64() as usize - 1];
            values.record(&mut Fields(&mut span.fields));
        }

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, _: &Event<'_>) {}

        fn enter(&self, span: &Id) {
            self.0
                .lock()
                .unwrap()
                .stack
                .push(span.into_u64() as usize - 1);
        }

        fn exit(&self, _: &Id) {
            self.0.lock().unwrap().stack.pop();
        }

        fn clone_span(&self, id: &Id) -> Id {
            self.0.lock().unwrap().spans[id.into_u64() as usize - 1].refs += 1;
            id.clone()
        }

        fn try_close(&self, id: Id) -> bool {
            let mut state = self.0.lock().unwrap();
            let index = id.into_u64() as usize - 1;
            release(&mut state, index);
            state.spans[index].closed
        }
    }
}

/// The `stackai.stream` span and its parent, the `stackai.request` span.
fn stream_span(recorder: &spans::Recorder) -> (spans::Span, spans::Span) {
    let spans = recorder.spans();
    let streams: Vec<&spans::Span> = spans
        .iter()
        .filter(|s| s.name == "stackai.stream")
        .collect();
    assert_eq!(streams.len(), 1, "{spans:#?}");
    let parent = &spans[streams[0].parent.expect("the stream span has a parent")];
    assert_eq!(parent.name, "stackai.request");
    (streams[0].clone(), parent.clone())
}

#[tokio::test]
async fn an_event_stream_is_read_in_a_span_under_its_request_span() {
    let recorder = spans::Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let pieces = CHAT_EVENTS.chunks(16).map(<[u8]>::to_vec).collect();
    let (url, _) = sse_server(pieces, Duration::from_millis(2), End::Complete).await;
    let mut stream = guard(client(&url).stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    guard(stream.next())
        .await
        .expect("an event")
        .expect("decodes");
    let (open, request) = stream_span(&recorder);
    assert!(
        !open.closed && !request.closed,
        "both open while the body is read"
    );
    assert_eq!(request.fields["operation"], "stream_chat_events");
    assert_eq!(request.fields["status"], "200");
    assert_eq!(open.fields["kind"], "event stream");
    while let Some(event) = guard(stream.next()).await {
        event.expect("decodes");
    }
    drop(stream);
    let (done, request) = stream_span(&recorder);
    assert!(done.closed && request.closed, "{done:?} {request:?}");
    assert_eq!(done.fields["operation"], "stream_chat_events");
    assert_eq!(done.fields["outcome"], "complete");
    assert_eq!(done.fields["events"], "3");
    assert_eq!(done.fields["bytes"], CHAT_EVENTS.len().to_string());
}

#[tokio::test]
async fn a_stream_cut_short_or_dropped_says_so_on_its_span() {
    let recorder = spans::Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let pieces = vec![b"data: {\"delta\": \"a\"}\n\n".to_vec()];
    let (url, _) = sse_server(pieces, Duration::ZERO, End::Cut).await;
    let stream = guard(client(&url).stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    guard(stream.collect_events()).await.expect_err("cut short");
    let (span, _) = stream_span(&recorder);
    assert!(span.closed);
    assert_eq!(span.fields["outcome"], "error");

    let recorder = spans::Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let pieces = vec![b"data: {\"delta\": \"a\"}\n\n".to_vec()];
    let (url, _) = sse_server(pieces, Duration::ZERO, End::Stall).await;
    let mut stream = guard(client(&url).stream_chat_events().chat_id(1).send())
        .await
        .expect("the stream starts")
        .into_inner();
    guard(stream.next())
        .await
        .expect("an event")
        .expect("decodes");
    drop(stream);
    let (span, _) = stream_span(&recorder);
    assert!(span.closed);
    assert_eq!(span.fields["outcome"], "dropped");
    assert_eq!(span.fields["events"], "1");
}

#[tokio::test]
async fn a_download_is_read_in_the_same_kind_of_span() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let recorder = spans::Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/corpus/files/5/download"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(vec![5u8; 3000], "application/octet-stream"),
        )
        .mount(&server)
        .await;
    let body = guard(async {
        let response = client(&server.uri())
            .download_file()
            .file_id(5)
            .send()
            .await;
        response.expect("starts").into_inner().bytes().await
    })
    .await
    .expect("the body arrives");
    assert_eq!(body.len(), 3000);
    let (span, request) = stream_span(&recorder);
    assert!(span.closed && request.closed);
    assert_eq!(request.fields["operation"], "download_file");
    assert_eq!(span.fields["kind"], "download");
    assert_eq!(span.fields["bytes"], "3000");
    assert_eq!(span.fields["outcome"], "complete");
    assert!(!span.fields.contains_key("events"));
}
