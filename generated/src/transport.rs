//! Sending one operation's request: authentication, timeouts, retries and tracing, then
//! decoding. Every generated `send()` ends here, so this is the only place these live.

use std::time::{Duration, Instant};

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::Client;
use crate::error::{Error, ErrorKind};
use crate::retry::{Outcome, RetryPolicy, should_retry};

/// What the generated code knows about an operation.
#[derive(Debug)]
#[doc(hidden)]
pub struct Operation {
    /// The client method's name.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, as in the document (`/connections/{connection_id}`).
    pub path: &'static str,
    /// Whether sending the request twice has the effect of sending it once (GET, PUT, DELETE).
    pub idempotent: bool,
    /// Whether the document requires credentials for it.
    pub authenticated: bool,
}

/// Settings for one request, overriding the client's, and the extras it sends beyond what
/// the document describes (see `extras.rs`). `Debug` redacts the values of extras whose
/// names look secret.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// The total time one attempt may take.
    pub timeout: Option<Duration>,
    /// Headers to set on the request, replacing any of the same name.
    pub extra_headers: Vec<(String, String)>,
    /// Query parameters to append to the URL.
    pub extra_query: Vec<(String, String)>,
    /// Fields to merge into the top level of the request body.
    pub extra_body: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::redact::is_sensitive_name;
        let pairs = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| {
                    let v = if is_sensitive_name(k) {
                        crate::redact::REDACTED.to_string()
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect()
        };
        let mut body = serde_json::Value::Object(self.extra_body.clone());
        crate::redact::redact_json(&mut body);
        if let serde_json::Value::Object(map) = &mut body {
            for (key, value) in map.iter_mut() {
                if is_sensitive_name(key) {
                    *value = serde_json::Value::String(crate::redact::REDACTED.into());
                }
            }
        }
        f.debug_struct("RequestOptions")
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("extra_headers", &pairs(&self.extra_headers))
            .field("extra_query", &pairs(&self.extra_query))
            .field("extra_body", &body)
            .finish()
    }
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Retry this request at most `max_retries` times.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// Give each attempt of this request at most `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Set the header `name: value` on this request (replacing one of the same name).
    pub fn extra_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into()));
        self
    }

    /// Append the query parameter `name=value` to this request's URL.
    pub fn extra_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_query.push((name.into(), value.into()));
        self
    }

    /// Set the top-level field `name` of this request's body to `value`.
    pub fn extra_body(
        mut self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.extra_body.insert(name.into(), value.into());
        self
    }
}

/// The client's behaviour beyond plain HTTP: credentials, retries and timeouts. Held by
/// [`Client`] and cheap to clone.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct Runtime {
    pub(crate) auth: crate::auth::Auth,
    pub(crate) retry: RetryPolicy,
    /// What is left of the retry policy's budget, shared by the client's clones.
    pub(crate) retry_tokens: std::sync::Arc<crate::retry::RetryTokens>,
    pub(crate) timeout: Option<Duration>,
    /// Whether `Client::client` was built by [`crate::ClientBuilder`], with the timeout and
    /// User-Agent set on it, rather than handed in by the application.
    pub(crate) own_http_client: bool,
}

/// A response the operation documents as a success: status, headers and body.
pub(crate) struct Success {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: bytes::Bytes,
    /// How many times the request was sent, so that a decode error can report it.
    pub(crate) attempts: u32,
}

/// Sends `request` and decodes a JSON body into `T`.
#[doc(hidden)]
pub async fn send_json<T: DeserializeOwned>(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
) -> Result<ResponseValue<T>, Error> {
    let ok = execute(client, operation, request, options).await?;
    match decode_json::<T>(&ok.body) {
        Ok(value) => Ok(ResponseValue::new(value, ok.status, ok.headers)),
        // `attempts` too: the request was sent (`Error::attempts` is 0 only when it was not).
        Err(e) => Err(
            Error::decode(operation.id, ok.status, ok.headers, &ok.body, e)
                .with_attempts(ok.attempts),
        ),
    }
}

/// Decodes a JSON body. An empty one is JSON's `null`: the two RBAC writes answer 200 with
/// "no content" although the document types the body as any JSON value.
pub(crate) fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(if body.is_empty() { b"null" } else { body })
}

/// Sends `request` for an operation whose success has no body (204).
#[doc(hidden)]
#[allow(
    dead_code,
    reason = "called only by the generated code of operations without a body"
)]
pub async fn send_empty(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
) -> Result<ResponseValue<()>, Error> {
    let ok = execute(client, operation, request, options).await?;
    Ok(ResponseValue::new((), ok.status, ok.headers))
}

pub(crate) async fn execute(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
) -> Result<Success, Error> {
    match execute_as(client, operation, request, options, false).await? {
        Received::Buffered(ok) => Ok(ok),
        // Only `stream: true` leaves a body unread; never reached, and no panic if it were.
        Received::Streaming(_, attempts, _) => Err(Error::new(
            ErrorKind::Decode,
            operation.id,
            "internal: a response expected whole was left unread",
        )
        .with_attempts(attempts)),
    }
}

/// A success as [`execute_as`] hands it over: read whole, or with its body still unread.
pub(crate) enum Received {
    Buffered(Success),
    /// The response (status and headers read, body not), the number of attempts, and the
    /// span of the attempt that got it (the body's span is its child, see `download.rs`).
    Streaming(reqwest::Response, u32, tracing::Span),
}

/// Why one attempt failed before the status was known.
enum AttemptError {
    Http(reqwest::Error),
    /// No response headers within the timeout (streamed responses, see [`execute_as`]).
    Timeout(Duration),
}

impl From<reqwest::Error> for AttemptError {
    fn from(e: reqwest::Error) -> Self {
        AttemptError::Http(e)
    }
}

/// How long a streamed response may last at most: practically unbounded, since its
/// timeout is enforced per wait instead (see [`execute_as`]).
const STREAM_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Sends `request` with authentication, retries and tracing. With `stream`, a success is
/// handed over with its body unread, and the timeout applies to each wait rather than to
/// the whole exchange: the response headers must arrive within it (the attempt is retried
/// like any other timeout), and then each chunk of the body (see `download.rs`), so a long
/// download that keeps making progress is never cut.
pub(crate) async fn execute_as(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
    stream: bool,
) -> Result<Received, Error> {
    let runtime = &client.inner;
    let request = request
        .build()
        .map_err(|e| Error::transport(operation.id, e))?;
    let request = crate::extras::apply(request, &options)
        .map_err(|message| Error::new(ErrorKind::InvalidRequest, operation.id, message))?;
    let max_retries = options.max_retries.unwrap_or(runtime.retry.max_retries);
    let timeout = options.timeout.or(runtime.timeout);
    // A body that cannot be copied (a streamed multipart upload) is sent once, as it is,
    // and never retried.
    let mut request = Some(request);
    let mut attempt = 0u32;
    // The replay after a token refresh is a new attempt (it is sent, gets its own span and
    // counts in `Error::attempts`) but not a retry: it does not use up `max_retries`.
    let mut refreshed_token = false;
    // Retry tokens this request took from the client's budget, refunded on success.
    let mut spent = 0u32;
    loop {
        attempt += 1;
        let copy = request.as_ref().and_then(reqwest::Request::try_clone);
        let Some(mut attempt_request) = copy.or_else(|| request.take()) else {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                operation.id,
                "the request body cannot be replayed",
            ));
        };
        let mut sent_token = None;
        if operation.authenticated
            && let Some(header) = runtime.auth.header(&client.client, operation.id).await?
        {
            sent_token = Some(header.clone());
            attempt_request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, header);
        }
        if !runtime.own_http_client {
            // An application's own `reqwest::Client` knows neither the client's timeout
            // nor its User-Agent; ours has both built in, which costs nothing per request.
            *attempt_request.timeout_mut() = timeout;
            attempt_request.headers_mut().insert(
                reqwest::header::USER_AGENT,
                reqwest::header::HeaderValue::from_static(Client::USER_AGENT),
            );
        } else if options.timeout.is_some() {
            *attempt_request.timeout_mut() = options.timeout;
        }
        if stream {
            *attempt_request.timeout_mut() = Some(STREAM_LIFETIME);
        }

        let span = tracing::info_span!(
            "stackai.request",
            operation = operation.id,
            method = operation.method,
            path = operation.path,
            attempt,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = async {
            let sent = client.client.execute(attempt_request);
            let mut response = match timeout.filter(|_| stream) {
                Some(limit) => tokio::time::timeout(limit, sent)
                    .await
                    .map_err(|_| AttemptError::Timeout(limit))??,
                None => sent.await?,
            };
            let status = response.status();
            if stream && status.is_success() {
                return Ok(Err(response));
            }
            let headers = std::mem::take(response.headers_mut());
            let body = response.bytes().await?;
            Ok::<_, AttemptError>(Ok((status, headers, body)))
        }
        .instrument(span.clone())
        .await;
        span.record("latency_ms", started.elapsed().as_millis() as u64);

        let (outcome, failure) = match result {
            Ok(Err(response)) => {
                span.record("status", response.status().as_u16());
                runtime.retry_tokens.succeeded(spent);
                return Ok(Received::Streaming(response, attempt, span));
            }
            Ok(Ok((status, headers, body))) => {
                span.record("status", status.as_u16());
                if status.is_success() {
                    runtime.retry_tokens.succeeded(spent);
                    return Ok(Received::Buffered(Success {
                        status,
                        headers,
                        body,
                        attempts: attempt,
                    }));
                }
                if status == StatusCode::UNAUTHORIZED
                    && runtime.auth.can_refresh()
                    && !refreshed_token
                    && request.is_some()
                    && let Some(refused) = &sent_token
                {
                    // A cached token the server no longer accepts: fetch a new one, once.
                    refreshed_token = true;
                    runtime.auth.invalidate(refused);
                    continue;
                }
                let error = Error::from_status(operation.id, status, headers, &body);
                (Outcome::Status(status), error)
            }
            Err(AttemptError::Http(e)) if e.is_connect() => {
                (Outcome::ConnectFailed, Error::transport(operation.id, e))
            }
            Err(AttemptError::Http(e)) => {
                (Outcome::SentThenFailed, Error::transport(operation.id, e))
            }
            Err(AttemptError::Timeout(limit)) => (
                Outcome::SentThenFailed,
                Error::new(
                    ErrorKind::Timeout,
                    operation.id,
                    format!("no response within {limit:?}"),
                ),
            ),
        };
        let retries_so_far = attempt - 1 - u32::from(refreshed_token);
        if request.is_none()
            || retries_so_far >= max_retries
            || !should_retry(&outcome, operation.idempotent)
        {
            return Err(failure.with_attempts(attempt));
        }
        let timed_out = failure.kind() == ErrorKind::Timeout;
        let Some(cost) = runtime.retry_tokens.spend(timed_out) else {
            return Err(failure.with_attempts(attempt).budget_exhausted());
        };
        spent = spent.saturating_add(cost);
        let delay = runtime.retry.delay(retries_so_far + 1, failure.headers());
        span.in_scope(|| {
            tracing::debug!(delay_ms = delay.as_millis() as u64, error = %failure, "retrying");
        });
        tokio::time::sleep(delay).await;
    }
}
