//! Server-sent events (`text/event-stream`): an [`EventStream`] of [`Event`]s, parsed as the
//! body arrives and never held whole.
//!
//! Parsing follows the WHATWG "parse an event stream" rules: lines end with CR, LF or CRLF
//! (also when a CR ends one network chunk and its LF starts the next); a leading UTF-8
//! byte-order mark is dropped; `data` lines of one event are joined with `\n`; a line
//! starting with `:` is a comment; a field without a colon has an empty value, and one space
//! after the colon is dropped; `id` sets the last event ID (kept for later events, ignored
//! when it holds NUL); `retry` sets the reconnection time only when it is all ASCII digits;
//! unknown fields are ignored; a blank line dispatches the event, unless it has no `data`
//! line at all; an event's type is `message` unless an `event` field names another.
//!
//! One rule differs from the browser's, on purpose: at the *normal* end of the body (the
//! server finished the response), a last event without its trailing blank line, even a
//! last line without its line ending, is dispatched rather than discarded. Browsers
//! discard it because their `EventSource` reconnects and the server resends; an API client
//! does not reconnect, and the body's end is a complete response, so discarding would lose
//! data silently. A body that is cut short (the connection broke, or HTTP framing says the
//! body is incomplete) is an `ErrorKind::Connection` error instead, and the partial event is
//! not dispatched.
//!
//! Errors in the middle of a stream are items of the stream, each naming the operation:
//! an event whose `data` is not the documented JSON, or a line that is not UTF-8, is an
//! `ErrorKind::Decode` error for that event, and the stream goes on with the next one; a
//! broken connection (`ErrorKind::Connection`), a stall (`ErrorKind::Timeout`) or an event
//! larger than 16 MiB (`ErrorKind::Decode`; the parser's memory is bounded) ends it.
//!
//! Timeouts, retries and tracing are those of downloads (see `download.rs`): the request's
//! timeout bounds each wait (for the response headers, then for each chunk of the body),
//! not the whole stream, so a stream that keeps sending (events or `:` keep-alive comments)
//! is never cut; only the wait for the response headers is retried; the body is read in a
//! `stackai.stream` span (`kind = "event stream"`), which also records the number of
//! `events` handed over (decode errors included).

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::de::DeserializeOwned;

use crate::Client;
use crate::download::{Download, send_download};
use crate::error::Error;
use crate::transport::{Operation, RequestOptions};

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event<T> {
    /// The event's type: its `event` field, or `message` when it has none.
    pub event: String,
    /// The last event ID: set by an `id` field of this event or of an earlier one (as a
    /// browser's `lastEventId`); `None` until the stream sends one, or after an empty `id`
    /// field resets it.
    pub id: Option<String>,
    /// The reconnection time a `retry` field of this event asks for, if it has one.
    pub retry: Option<Duration>,
    /// The event's data: its `data` lines joined with `\n`, decoded into the type the API
    /// documents (a `String` as it is sent when the API documents none).
    pub data: T,
}

/// A stream of server-sent events, read as they arrive. Also a `futures_core::Stream` of
/// `Result<Event<T>, Error>`.
pub struct EventStream<T> {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
    /// The body, `None` once it has ended or failed.
    body: Option<Download>,
    parser: Parser,
    ready: VecDeque<Parsed>,
    decode: fn(&str) -> Result<T, serde_json::Error>,
    /// The body's `stackai.stream` span, which records how many events were handed over.
    span: tracing::Span,
    events: u64,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("last_event_id", &self.parser.last_id)
            .field("ended", &(self.body.is_none() && self.ready.is_empty()))
            .finish_non_exhaustive()
    }
}

/// Sends `request` and hands over its events, with `data` decoded from JSON into `T`.
#[doc(hidden)]
pub async fn send_events<T: DeserializeOwned>(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
) -> Result<ResponseValue<EventStream<T>>, Error> {
    open(client, operation, request, options, |data| {
        serde_json::from_str(data)
    })
    .await
}

/// Sends `request` and hands over its events, with `data` as the text the server sent.
#[doc(hidden)]
pub async fn send_raw_events(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
) -> Result<ResponseValue<EventStream<String>>, Error> {
    open(client, operation, request, options, |data| {
        Ok(data.to_owned())
    })
    .await
}

/// How many bytes of a body that is not an event stream an error keeps.
const EXCERPT: usize = 2048;

async fn open<T>(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
    decode: fn(&str) -> Result<T, serde_json::Error>,
) -> Result<ResponseValue<EventStream<T>>, Error> {
    let response = send_download(client, operation, request, options).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = response.into_inner().described_as("event stream");
    let attempts = body.attempts();
    // A server that ignores `Accept` and answers JSON (or anything else) must not be read
    // as an empty stream: say what came instead. No `Content-Type` at all is let through.
    if let Some(media) = headers.get(CONTENT_TYPE) {
        let essence = media.to_str().unwrap_or("").split(';').next().unwrap_or("");
        if !essence.trim().eq_ignore_ascii_case("text/event-stream") {
            let mut excerpt = Vec::new();
            while excerpt.len() < EXCERPT {
                match body.chunk().await {
                    Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                    Ok(None) | Err(_) => break,
                }
            }
            let why = format!(
                "expected an event stream (text/event-stream), got {:?}",
                media.to_str().unwrap_or("a Content-Type that is not text")
            );
            return Err(
                Error::decode(operation.id, status, headers, &excerpt, why).with_attempts(attempts)
            );
        }
    }
    let span = body.span().clone();
    let stream = EventStream {
        span,
        events: 0,
        operation: operation.id,
        status,
        headers: headers.clone(),
        attempts,
        body: Some(body),
        parser: Parser::default(),
        ready: VecDeque::new(),
        decode,
    };
    Ok(ResponseValue::new(stream, status, headers))
}

impl<T> EventStream<T> {
    /// The response's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The last event ID the stream has set so far (what a reconnecting client would send
    /// as `Last-Event-ID`).
    pub fn last_event_id(&self) -> Option<&str> {
        self.parser.last_id.as_deref()
    }

    /// The reconnection time the stream asked for last, if any.
    pub fn retry(&self) -> Option<Duration> {
        self.parser.reconnection
    }

    /// The next event as it arrives; `None` at the end of the stream. Cancel-safe: an event
    /// being waited for when the future is dropped is returned by the next call.
    pub async fn next(&mut self) -> Option<Result<Event<T>, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every remaining event, collected in memory; the first error ends the collection.
    /// (Named so as not to hide `StreamExt::collect` of `futures`.)
    pub async fn collect_events(mut self) -> Result<Vec<Event<T>>, Error> {
        let mut events = Vec::new();
        while let Some(event) = self.next().await {
            events.push(event?);
        }
        Ok(events)
    }

    // `Error` is the crate's one error type, returned by value everywhere.
    #[allow(clippy::result_large_err)]
    fn convert(&self, parsed: Parsed) -> Result<Event<T>, Error> {
        let decode_error = |body: &[u8], e: Box<dyn std::error::Error + Send + Sync>| {
            Error::decode(self.operation, self.status, self.headers.clone(), body, e)
                .with_attempts(self.attempts)
        };
        match parsed {
            Parsed::Event(raw) => match (self.decode)(&raw.data) {
                Ok(data) => Ok(Event {
                    event: raw.event,
                    id: raw.id,
                    retry: raw.retry,
                    data,
                }),
                Err(e) => Err(decode_error(raw.data.as_bytes(), Box::new(e))),
            },
            Parsed::NotUtf8(line, e) => Err(decode_error(
                &line,
                format!("a line of the event stream is not UTF-8: {e}").into(),
            )),
            Parsed::TooLarge(limit, start) => Err(decode_error(
                &start,
                format!(
                    "an event of the stream holds more than {limit} bytes; the stream is abandoned"
                )
                .into(),
            )),
        }
    }
}

impl<T> Stream for EventStream<T> {
    type Item = Result<Event<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(parsed) = this.ready.pop_front() {
                if matches!(parsed, Parsed::TooLarge(..)) {
                    // Nothing after it is read (dropping the body closes the connection).
                    this.body = None;
                    this.ready.clear();
                }
                this.events += 1;
                this.span.record("events", this.events);
                return Poll::Ready(Some(this.convert(parsed)));
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match std::task::ready!(Pin::new(body).poll_next(cx)) {
                Some(Ok(chunk)) => this.parser.feed(&chunk, &mut this.ready),
                Some(Err(e)) => {
                    // Cut short: the partial event is not dispatched.
                    this.body = None;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    this.body = None;
                    this.parser.finish(&mut this.ready);
                }
            }
        }
    }
}

/// An event before its data is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawEvent {
    event: String,
    id: Option<String>,
    retry: Option<Duration>,
    data: String,
}

/// What the parser hands over: an event, or the event whose line was not UTF-8.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    Event(RawEvent),
    NotUtf8(Vec<u8>, std::str::Utf8Error),
    /// An event (or a line) grew past the limit (its size limit, its first bytes): the
    /// stream is abandoned rather than held in memory without bound.
    TooLarge(usize, Vec<u8>),
}

/// The WHATWG event-stream parser as a state machine fed bytes in chunks of any size.
#[derive(Debug, Default)]
struct Parser {
    /// The bytes of the line being read.
    line: Vec<u8>,
    /// The last byte fed was a CR: an LF right after it ends no new line.
    after_cr: bool,
    /// Whether a line has been completed yet (the byte-order mark is dropped from the first).
    started: bool,
    /// The data buffer: every `data` line of this event, each followed by LF.
    data: String,
    /// The event type buffer.
    event: String,
    /// The last event ID buffer (kept across events).
    last_id: Option<String>,
    /// The `retry` of the event being read.
    event_retry: Option<Duration>,
    /// The last `retry` of the stream.
    reconnection: Option<Duration>,
    /// The first line of this event that was not UTF-8.
    broken: Option<(Vec<u8>, std::str::Utf8Error)>,
    /// The most bytes one event may hold ([`MAX_EVENT_BYTES`] unless a test sets it).
    limit: Option<usize>,
    /// An event outgrew the limit: everything after it is ignored.
    overflowed: bool,
}

/// The most bytes one event (its pending line and its data) may hold: 16 MiB. A stream that
/// sends more without a blank line fails with `ErrorKind::Decode` instead of exhausting
/// memory.
const MAX_EVENT_BYTES: usize = 16 << 20;

impl Parser {
    /// Reads `bytes`, appending every event they complete to `out`.
    fn feed(&mut self, mut bytes: &[u8], out: &mut VecDeque<Parsed>) {
        if bytes.is_empty() || self.overflowed {
            return;
        }
        if self.after_cr && bytes.first() == Some(&b'\n') {
            bytes = &bytes[1..];
        }
        self.after_cr = false;
        while let Some(end) = bytes.iter().position(|&b| b == b'\r' || b == b'\n') {
            self.line.extend_from_slice(&bytes[..end]);
            let line = std::mem::take(&mut self.line);
            self.process(&line, out);
            if self.check_size(out) {
                return;
            }
            let crlf = bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n');
            if bytes[end] == b'\r' && end + 1 == bytes.len() {
                self.after_cr = true;
            }
            bytes = &bytes[end + if crlf { 2 } else { 1 }..];
        }
        self.line.extend_from_slice(bytes);
        self.check_size(out);
    }

    /// Whether the event being read has outgrown the limit (reported to `out` once).
    fn check_size(&mut self, out: &mut VecDeque<Parsed>) -> bool {
        let limit = self.limit.unwrap_or(MAX_EVENT_BYTES);
        if self.line.len() + self.data.len() > limit {
            self.overflowed = true;
            let held = if self.data.is_empty() {
                std::mem::take(&mut self.line)
            } else {
                std::mem::take(&mut self.data).into_bytes()
            };
            out.push_back(Parsed::TooLarge(
                limit,
                held[..held.len().min(2048)].to_vec(),
            ));
            self.line = Vec::new();
            self.data = String::new();
        }
        self.overflowed
    }

    /// The body ended normally: a last line without its line ending is a line, and a last
    /// event without its blank line is dispatched (see the module's documentation).
    fn finish(&mut self, out: &mut VecDeque<Parsed>) {
        if self.overflowed {
            return;
        }
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.process(&line, out);
        }
        self.process(b"", out);
    }

    fn process(&mut self, mut line: &[u8], out: &mut VecDeque<Parsed>) {
        if !self.started {
            self.started = true;
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => {
                self.broken.get_or_insert((line.to_vec(), e));
                return;
            }
        };
        if text.starts_with(':') {
            return;
        }
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text, ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => {
                self.last_id = (!value.is_empty()).then(|| value.to_owned());
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // More digits than a u64 holds is a time no one waits for: the maximum.
                let ms = value.parse().unwrap_or(u64::MAX);
                self.event_retry = Some(Duration::from_millis(ms));
                self.reconnection = self.event_retry;
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut VecDeque<Parsed>) {
        let mut data = std::mem::take(&mut self.data);
        let event = std::mem::take(&mut self.event);
        let retry = self.event_retry.take();
        if let Some((line, e)) = self.broken.take() {
            out.push_back(Parsed::NotUtf8(line, e));
            return;
        }
        // No `data` line: nothing to dispatch. Otherwise the last LF goes.
        if data.pop().is_none() {
            return;
        }
        out.push_back(Parsed::Event(RawEvent {
            event: if event.is_empty() {
                "message".to_owned()
            } else {
                event
            },
            id: self.last_id.clone(),
            retry,
            data,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule the parser follows, in one body: a byte-order mark, a comment, CRLF, CR
    /// and LF endings, multi-line data, a persistent id, `retry` valid and not, a field
    /// without a colon, an event without data, an id holding NUL, non-ASCII text, and a
    /// last event with neither its blank line nor its line ending.
    const SAMPLE: &[u8] = b"\xEF\xBB\xBF: keep-alive\r\n\
        event: greet\r\n\
        id: 1\r\n\
        data: line one\r\
        data:line two\n\
        retry: 1500\n\
        \n\
        data: {\"n\": 2}\r\n\
        retry: 12a\r\n\
        unknown: field\r\n\
        \r\n\
        id\n\
        data\n\
        \n\
        event: no-data\n\
        \n\
        data: \xC3\xA9t\xC3\xA9\n\
        id: bad\0id\n\
        data: last";

    fn expected() -> Vec<Parsed> {
        let event = |event: &str, id: Option<&str>, retry: Option<u64>, data: &str| {
            Parsed::Event(RawEvent {
                event: event.into(),
                id: id.map(Into::into),
                retry: retry.map(Duration::from_millis),
                data: data.into(),
            })
        };
        vec![
            event("greet", Some("1"), Some(1500), "line one\nline two"),
            event("message", Some("1"), None, "{\"n\": 2}"),
            event("message", None, None, ""),
            event("message", None, None, "été\nlast"),
        ]
    }

    fn parse(chunks: &[&[u8]]) -> Vec<Parsed> {
        let mut parser = Parser::default();
        let mut out = VecDeque::new();
        for chunk in chunks {
            parser.feed(chunk, &mut out);
        }
        parser.finish(&mut out);
        out.into()
    }

    #[test]
    fn the_sample_in_one_chunk() {
        assert_eq!(parse(&[SAMPLE]), expected());
    }

    #[test]
    fn the_sample_split_at_every_point_and_every_pair_of_points() {
        let expected = expected();
        for i in 0..=SAMPLE.len() {
            let (a, b) = SAMPLE.split_at(i);
            assert_eq!(parse(&[a, b]), expected, "split at {i}");
            for j in i..=SAMPLE.len() {
                let (b, c) = SAMPLE[i..].split_at(j - i);
                assert_eq!(parse(&[a, b, c]), expected, "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn the_sample_byte_by_byte_with_empty_chunks_between() {
        let mut chunks: Vec<&[u8]> = Vec::new();
        for i in 0..SAMPLE.len() {
            chunks.push(&SAMPLE[i..i + 1]);
            chunks.push(b"");
        }
        assert_eq!(parse(&chunks), expected());
    }

    #[test]
    fn a_cr_then_an_lf_in_the_next_chunk_is_one_line_end() {
        // Two line ends (CR, then LF) would be a blank line and dispatch twice.
        let events = parse(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
        assert_eq!(events.len(), 1, "{events:?}");
        let Parsed::Event(e) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(e.data, "a\nb");
    }

    #[test]
    fn a_byte_order_mark_is_dropped_only_at_the_start() {
        let events = parse(&[b"data: a\n\n\xEF\xBB\xBFdata: b\n\ndata: c\n\n"]);
        let data: Vec<&str> = events
            .iter()
            .map(|p| match p {
                Parsed::Event(e) => e.data.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        // `<BOM>data` is an unknown field, ignored, so its event has no data.
        assert_eq!(data, ["a", "c"]);
    }

    #[test]
    fn a_line_that_is_not_utf8_fails_its_event_only() {
        let events = parse(&[b"data: ok\n\ndata: \xFF\ndata: more\n\ndata: next\n\n"]);
        assert_eq!(events.len(), 3, "{events:?}");
        assert!(matches!(&events[1], Parsed::NotUtf8(line, _) if line == b"data: \xFF"));
        assert!(matches!(&events[2], Parsed::Event(e) if e.data == "next"));
    }

    #[test]
    fn retry_needs_digits_and_persists_on_the_stream_only() {
        let mut parser = Parser::default();
        let mut out = VecDeque::new();
        parser.feed(
            b"retry: 10\n\nretry: -5\nretry: 1e3\nretry:\ndata: x\n\n",
            &mut out,
        );
        assert_eq!(parser.reconnection, Some(Duration::from_millis(10)));
        // The first block had no data: no event; the second has no valid retry.
        assert_eq!(out.len(), 1);
        assert!(matches!(&out[0], Parsed::Event(e) if e.retry.is_none() && e.data == "x"));
    }

    #[test]
    fn an_event_past_the_size_limit_is_reported_once_and_ends_the_parse() {
        for body in [
            &b"data: 0123456789\ndata: more\n"[..],
            b"data: 01234567890123456789",
        ] {
            let mut parser = Parser {
                limit: Some(16),
                ..Parser::default()
            };
            let mut out = VecDeque::new();
            parser.feed(b"data: ok\n\n", &mut out);
            for byte in body {
                parser.feed(std::slice::from_ref(byte), &mut out);
            }
            parser.feed(b"\n\ndata: ignored\n\n", &mut out);
            parser.finish(&mut out);
            assert_eq!(out.len(), 2, "{out:?}");
            assert!(matches!(&out[0], Parsed::Event(e) if e.data == "ok"));
            assert!(matches!(&out[1], Parsed::TooLarge(16, start) if start.len() <= 17));
        }
    }

    #[test]
    fn a_body_that_ends_after_a_complete_event_dispatches_nothing_more() {
        assert_eq!(parse(&[b"data: a\n\n"]).len(), 1);
        assert_eq!(parse(&[b"data: a\r\n\r\n", b""]).len(), 1);
        assert!(parse(&[b": only a comment"]).is_empty());
        assert!(parse(&[b""]).is_empty());
    }
}
