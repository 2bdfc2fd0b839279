//! Operations whose success statuses answer different bodies (`200 Job` / `202
//! JobAccepted`, or JSON at 200 and nothing at 204): `send()` returns the operation's enum
//! of responses keyed by status, and the body is decoded by the status it was answered
//! with. Sending, retries, timeouts, tracing and error statuses are those of every other
//! operation (`transport.rs`).

use progenitor_client::ResponseValue;
use reqwest::StatusCode;

use crate::Client;
use crate::error::Error;
use crate::transport::{Operation, RequestOptions, decode_json, execute};

/// An enum of responses keyed by status, generated for one operation.
#[doc(hidden)]
pub trait ByStatus: Sized {
    /// Decodes `body`, answered with the success status `status`.
    fn decode(status: u16, body: &[u8]) -> Result<Self, serde_json::Error>;
}

/// Sends `request` and decodes its body by its status into `T`.
#[doc(hidden)]
pub async fn send_by_status<T: ByStatus>(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
) -> Result<ResponseValue<T>, Error> {
    let ok = execute(client, operation, request, options).await?;
    match T::decode(ok.status.as_u16(), &ok.body) {
        Ok(value) => Ok(ResponseValue::new(value, ok.status, ok.headers)),
        Err(source) => {
            let source = StatusBodyError {
                status: ok.status,
                source,
            };
            Err(
                Error::decode(operation.id, ok.status, ok.headers, &ok.body, source)
                    .with_attempts(ok.attempts),
            )
        }
    }
}

/// Decodes a JSON body; an empty one is JSON's `null` (as for every JSON operation).
#[doc(hidden)]
pub fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    decode_json(body)
}

/// A body that is not what the document gives for the status it was answered with.
#[derive(Debug)]
struct StatusBodyError {
    status: StatusCode,
    source: serde_json::Error,
}

impl std::fmt::Display for StatusBodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the body of status {} does not match its schema: {}",
            self.status.as_u16(),
            self.source
        )
    }
}

impl std::error::Error for StatusBodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_is_null_and_a_bad_one_an_error_naming_the_status() {
        assert_eq!(
            json::<serde_json::Value>(b"").unwrap(),
            serde_json::Value::Null
        );
        let source = json::<u32>(b"\"x\"").unwrap_err();
        let error = StatusBodyError {
            status: StatusCode::ACCEPTED,
            source,
        };
        assert!(
            error.to_string().starts_with("the body of status 202 "),
            "{error}"
        );
    }
}
