//! Binary responses (`application/octet-stream`, `image/*`, any media type that is neither
//! JSON nor text): a [`Download`] that hands the body over chunk by chunk as it arrives, so
//! that it is never held in memory whole, with conveniences that collect it or write it to
//! an `AsyncWrite`.
//!
//! Timeouts: the request's timeout (the client's, or `timeout()` on the builder) bounds
//! each wait, not the whole download: the response headers must arrive within it (an
//! attempt that times out there is retried like any other), and then each chunk of the
//! body. A download that keeps making progress is never cut, however long it takes; one
//! that stalls for longer than the timeout fails with `ErrorKind::Timeout`. Once the body
//! has started, a failure is never retried (the caller already has part of it).
//!
//! Tracing: the body is read in a `stackai.stream` span, a child of the `stackai.request`
//! span of the attempt that got the response, open until the body ends, fails or is
//! dropped; it records the `bytes` read and the `outcome` (`complete`, `error`, `dropped`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use crate::Client;
use crate::error::{Error, ErrorKind};
use crate::transport::{Operation, Received, RequestOptions, execute_as};

/// Sends `request` and hands over the success with its body unread.
#[doc(hidden)]
pub async fn send_download(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
) -> Result<ResponseValue<Download>, Error> {
    let timeout = options.timeout.or(client.inner.timeout);
    match execute_as(client, operation, request, options, true).await? {
        Received::Streaming(response, attempts, request_span) => {
            let status = response.status();
            let headers = response.headers().clone();
            let span = tracing::info_span!(
                parent: &request_span,
                "stackai.stream",
                operation = operation.id,
                kind = "download",
                bytes = tracing::field::Empty,
                events = tracing::field::Empty,
                outcome = tracing::field::Empty,
            );
            let download = Download {
                operation: operation.id,
                status,
                headers: headers.clone(),
                timeout,
                attempts,
                noun: "download",
                state: State::Idle(Some(response)),
                span,
                bytes: 0,
                ended: false,
            };
            Ok(ResponseValue::new(download, status, headers))
        }
        // Only a success is handed over, and a streamed one always with its body unread.
        Received::Buffered(ok) => Err(Error::new(
            ErrorKind::Decode,
            operation.id,
            "internal: a streamed response was read whole",
        )
        .with_attempts(ok.attempts)),
    }
}

type Pending =
    Pin<Box<dyn Future<Output = (reqwest::Response, Result<Option<Bytes>, Error>)> + Send>>;

enum State {
    /// Between chunks (`None` once the body has ended or failed).
    Idle(Option<reqwest::Response>),
    /// Waiting for the next chunk (used by the `Stream` implementation).
    Waiting(Pending),
}

/// A binary response body, read as it arrives. Also a `futures_core::Stream` of chunks.
///
/// The status and headers are here and on the `ResponseValue` that holds it.
pub struct Download {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    timeout: Option<Duration>,
    attempts: u32,
    /// What the body is, for messages ("download", "event stream").
    noun: &'static str,
    state: State,
    /// `stackai.stream`, a child of the `stackai.request` span of the attempt that got the
    /// response: open until the body ends, fails or is dropped, entered while it is read.
    span: tracing::Span,
    /// Bytes read so far.
    bytes: u64,
    /// Whether the body has ended or failed (its outcome is recorded).
    ended: bool,
}

impl Drop for Download {
    fn drop(&mut self) {
        if !self.ended {
            self.span.record("bytes", self.bytes);
            self.span.record("outcome", "dropped");
        }
    }
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}

/// The next chunk of `response`, within `timeout`; errors carry the operation.
async fn next_chunk(
    mut response: reqwest::Response,
    operation: &'static str,
    timeout: Option<Duration>,
    attempts: u32,
    noun: &'static str,
) -> (reqwest::Response, Result<Option<Bytes>, Error>) {
    let result = match timeout {
        Some(limit) => match tokio::time::timeout(limit, response.chunk()).await {
            Ok(chunk) => chunk.map_err(|e| Error::transport(operation, e)),
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                operation,
                format!("the {noun} made no progress for {limit:?}"),
            )),
        },
        None => response
            .chunk()
            .await
            .map_err(|e| Error::transport(operation, e)),
    };
    (response, result.map_err(|e| e.with_attempts(attempts)))
}

impl Download {
    /// The same body, named `noun` in its errors (an event stream reads its body as this).
    pub(crate) fn described_as(mut self, noun: &'static str) -> Self {
        self.noun = noun;
        self.span.record("kind", noun);
        self
    }

    /// The body's `stackai.stream` span (an event stream records its `events` on it).
    pub(crate) fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// How many times the request was sent.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The response's status (200, or 206 for part of a body).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Content-Type` header, if the server sent a readable one.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// The body's length in bytes, if the server announced it.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(reqwest::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }

    /// The next chunk of the body as it arrives; `None` at its end. Cancel-safe: a chunk
    /// being waited for when the future is dropped is returned by the next call.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx))
            .await
            .transpose()
    }

    /// The whole body, collected in memory (use [`Download::chunk`] or the `Stream` for
    /// bodies that should not be).
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = self.chunk().await? {
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    /// Writes the body to `writer` chunk by chunk, flushes it, and returns the number of
    /// bytes written. A failure to write is an `ErrorKind::Connection` error naming the
    /// operation, with the I/O error as its source.
    pub async fn write_to<W>(mut self, writer: &mut W) -> Result<u64, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt;
        let operation = self.operation;
        let io = |e: std::io::Error| {
            Error::new(
                ErrorKind::Connection,
                operation,
                "writing the download failed",
            )
            .with_source(e)
        };
        let mut written = 0u64;
        while let Some(chunk) = self.chunk().await? {
            writer.write_all(&chunk).await.map_err(io)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(io)?;
        Ok(written)
    }
}

impl Download {
    /// Records how the body ended on its span.
    fn finish(&mut self, outcome: &'static str, error: Option<&Error>) {
        self.ended = true;
        self.span.record("bytes", self.bytes);
        self.span.record("outcome", outcome);
        if let Some(error) = error {
            self.span
                .in_scope(|| tracing::debug!(error = %error, "the body failed"));
        }
    }
}

impl Stream for Download {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match &mut this.state {
                State::Idle(response) => {
                    let Some(response) = response.take() else {
                        return Poll::Ready(None);
                    };
                    this.state = State::Waiting(Box::pin(next_chunk(
                        response,
                        this.operation,
                        this.timeout,
                        this.attempts,
                        this.noun,
                    )));
                }
                State::Waiting(pending) => {
                    let (response, result) = {
                        let _entered = this.span.enter();
                        std::task::ready!(pending.as_mut().poll(cx))
                    };
                    let keep = matches!(result, Ok(Some(_)));
                    this.state = State::Idle(keep.then_some(response));
                    match &result {
                        Ok(Some(chunk)) => this.bytes += chunk.len() as u64,
                        Ok(None) => this.finish("complete", None),
                        Err(e) => this.finish("error", Some(e)),
                    }
                    return Poll::Ready(result.transpose());
                }
            }
        }
    }
}
