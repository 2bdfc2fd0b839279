//! The one error type every operation returns.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::redact;
use crate::transport::Operation;

/// How many bytes of a response body an error keeps for diagnosis.
const BODY_EXCERPT_LIMIT: usize = 2048;

/// How many bytes of an error response's body an error keeps, unredacted and never shown,
/// to decode it into the operation's documented model ([`Error::body_as`]).
const DOCUMENTED_BODY_LIMIT: usize = 64 * 1024;

/// What kind of failure an [`Error`] is; match on this rather than on status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request could not be built: a required parameter was not set, or a value could
    /// not be converted or encoded. Nothing was sent.
    InvalidRequest,
    /// 401: the credentials were missing, wrong or expired (after one refresh).
    Unauthorized,
    /// 403: the credentials do not allow this.
    Forbidden,
    /// 404: no such connection or resource.
    NotFound,
    /// 409: the request conflicts with the current state.
    Conflict,
    /// 422: the server rejected a parameter or the body; see [`Error::validation_errors`].
    Validation,
    /// 429: too many requests; see [`Error::retry_after`].
    RateLimited,
    /// 5xx: the server failed.
    Server,
    /// Any other status the operation does not document as a success.
    UnexpectedStatus,
    /// The server could not be reached, or the connection broke.
    Connection,
    /// The request took longer than its timeout.
    Timeout,
    /// A success response whose body is not what the API documents.
    Decode,
    /// Fetching an OAuth2 token failed.
    Authentication,
}

/// A failed API call: what went wrong, in which operation, and what the server said.
///
/// The body excerpt is at most 2 KiB, and secrets (tokens, passwords, the contents of
/// `connection_provider_data`) are replaced by `"<redacted>"` before it is stored, so an
/// `Error` can be logged as it is.
///
/// For an error status, the error also keeps the body as it was sent, up to 64 KiB, to
/// decode it into the model the API documents for that status ([`Error::body_as`]). That
/// copy is private: `Display` and `Debug` never show it, and it is not redacted (the typed
/// models redact their own secret fields in `Debug`).
pub struct Error {
    kind: ErrorKind,
    operation: &'static str,
    status: Option<StatusCode>,
    headers: Option<HeaderMap>,
    body: Option<String>,
    /// The body of an error status, for [`Error::body_as`]; never shown.
    documented_body: DocumentedBody,
    message: String,
    attempts: u32,
    /// Whether a retry was due but the client's retry budget was spent.
    budget_exhausted: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Error {
            kind,
            operation,
            status: None,
            headers: None,
            body: None,
            documented_body: DocumentedBody::None,
            message: message.into(),
            attempts: 0,
            budget_exhausted: false,
            source: None,
        }
    }

    /// A request that could not be built; used by the generated builders.
    pub(crate) fn invalid_request(operation: &Operation, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidRequest, operation.id, message)
    }

    /// An error response, classified by its status.
    pub(crate) fn from_status(
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: &[u8],
    ) -> Self {
        let kind = match status.as_u16() {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            422 => ErrorKind::Validation,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::UnexpectedStatus,
        };
        let reason = status.canonical_reason().unwrap_or("unknown status");
        let documented_body = if body.len() <= DOCUMENTED_BODY_LIMIT {
            DocumentedBody::Kept(body.to_vec().into_boxed_slice())
        } else {
            DocumentedBody::TooLarge
        };
        Error {
            status: Some(status),
            headers: Some(headers),
            body: Some(redact::body_excerpt(body, BODY_EXCERPT_LIMIT)),
            documented_body,
            ..Error::new(
                kind,
                operation,
                format!("the server answered {} {reason}", status.as_u16()),
            )
        }
    }

    /// A success status whose body did not decode.
    pub(crate) fn decode(
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: &[u8],
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error {
            status: Some(status),
            headers: Some(headers),
            body: Some(redact::body_excerpt(body, BODY_EXCERPT_LIMIT)),
            source: Some(source.into()),
            ..Error::new(
                ErrorKind::Decode,
                operation,
                "the response body is not what the API documents",
            )
        }
    }

    /// A transport failure from reqwest.
    pub(crate) fn transport(operation: &'static str, source: reqwest::Error) -> Self {
        let (kind, message) = if source.is_timeout() {
            (ErrorKind::Timeout, "the request timed out")
        } else if source.is_builder() {
            (ErrorKind::InvalidRequest, "the request could not be built")
        } else {
            (ErrorKind::Connection, "the connection to the server failed")
        };
        Error {
            // reqwest's message names the URL, never headers, so it is safe to keep.
            source: Some(Box::new(source)),
            ..Error::new(kind, operation, message)
        }
    }

    /// The token endpoint's answer, reported as the authentication failure it is.
    pub(crate) fn into_authentication(mut self, message: String) -> Self {
        self.kind = ErrorKind::Authentication;
        self.message = message;
        // The token endpoint's body is no operation's documented error.
        self.documented_body = DocumentedBody::None;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// A copy of this failure for another request (`operation`) that waited on the same
    /// work, such as a shared token fetch. The source, which cannot be cloned, is kept as
    /// its message.
    pub(crate) fn shared_with(&self, operation: &'static str) -> Self {
        Error {
            kind: self.kind,
            operation,
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
            // Another request's body is not this operation's to decode.
            documented_body: DocumentedBody::None,
            message: self.message.clone(),
            attempts: self.attempts,
            budget_exhausted: self.budget_exhausted,
            source: self.source.as_ref().map(|s| s.to_string().into()),
        }
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// Marks a failure that was not retried because the retry budget was spent.
    pub(crate) fn budget_exhausted(mut self) -> Self {
        self.budget_exhausted = true;
        self
    }

    /// Whether this failure would have been retried but the client's retry budget
    /// ([`crate::RetryBudget`]) was spent: the service has been failing many requests, so
    /// the client stopped adding retries to its load. [`Error::attempts`] counts what was
    /// sent.
    pub fn retry_budget_exhausted(&self) -> bool {
        self.budget_exhausted
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The operation that failed, as the client method is named (`get_connection_by_id`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The response headers, when the server answered.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.headers.as_ref()
    }

    /// The start of the response body (secrets redacted), when the server answered.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// How many times the request was sent (0 when it could not be built).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// For a 422, the server's list of what is wrong with the request, as FastAPI reports it.
    pub fn validation_errors(&self) -> Option<Vec<crate::types::ValidationError>> {
        if self.kind != ErrorKind::Validation {
            return None;
        }
        let body = self.body.as_deref()?;
        let parsed: crate::types::HttpValidationError = serde_json::from_str(body).ok()?;
        Some(parsed.detail)
    }

    /// The body of this error's status, decoded into the model the API documents for it:
    /// `T` is the enum of the failed operation's documented errors (`types::GetAccountError`
    /// for `get_account`), one variant per status.
    ///
    /// `None` when the server did not answer with an error status (a timeout, a connection
    /// failure, a success that did not decode, a failed token request) or when `T` belongs
    /// to another operation. Otherwise the variant of the status, or `T`'s `Other { status,
    /// body }` when the status is not documented, or when the body is not the documented
    /// model (a gateway's HTML page, a newer server's shape): `body` is then the body as
    /// JSON, a JSON string when it is not JSON, `null` when it is empty or larger than the
    /// 64 KiB the error keeps ([`Error::body_excerpt`] still has its start).
    ///
    /// The 422 of FastAPI's request validation is also in [`Error::validation_errors`].
    pub fn body_as<T: ErrorBody>(&self) -> Option<T> {
        if self.operation != T::OPERATION {
            return None;
        }
        let status = self.status?.as_u16();
        let body = match &self.documented_body {
            DocumentedBody::None => return None,
            DocumentedBody::TooLarge => return Some(T::other(status, serde_json::Value::Null)),
            DocumentedBody::Kept(body) => body,
        };
        if let Some(value) = T::decode(status, body) {
            return Some(value);
        }
        let json = match crate::transport::decode_json(body) {
            Ok(json) => json,
            Err(_) => serde_json::Value::String(String::from_utf8_lossy(body).into_owned()),
        };
        Some(T::other(status, json))
    }

    /// How long the server asked the client to wait, from `retry-after-ms` or `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        crate::retry::retry_after(self.headers.as_ref()?)
    }

    /// Whether sending the same request again may succeed: connection failures, timeouts,
    /// 408, 409, 429 and 500/502/503/504. The client already retries these (see
    /// [`crate::RetryPolicy`]); this tells what is left once it gave up.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Connection | ErrorKind::Timeout => true,
            _ => self.status.is_some_and(crate::retry::is_retryable_status),
        }
    }
}

/// The body of an error status, as [`Error::body_as`] reads it.
enum DocumentedBody {
    /// Not an error status, or a body that is not the operation's (a token request's).
    None,
    /// The body as it was sent.
    Kept(Box<[u8]>),
    /// A body larger than [`DOCUMENTED_BODY_LIMIT`], not kept.
    TooLarge,
}

/// The errors one operation documents, keyed by status: the enum generated for it
/// (`types::GetAccountError`), read from an [`Error`] with [`Error::body_as`].
pub trait ErrorBody: Sized {
    /// The operation whose errors these are, as its client method is named.
    const OPERATION: &'static str;

    /// The variant of `status` decoded from `body`; `None` when the status is not
    /// documented or the body is not its model.
    #[doc(hidden)]
    fn decode(status: u16, body: &[u8]) -> Option<Self>;

    /// The variant for what [`ErrorBody::decode`] does not type.
    #[doc(hidden)]
    fn other(status: u16, body: serde_json::Value) -> Self;
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.message)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        if self.budget_exhausted {
            f.write_str(" (not retried: the client's retry budget is spent)")?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        if let Some(body) = self.body.as_deref().filter(|b| !b.is_empty()) {
            write!(f, "; body: {body}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("message", &self.message)
            .field("attempts", &self.attempts)
            .field("retry_budget_exhausted", &self.budget_exhausted)
            .field("body", &self.body)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}
