//! Text responses (`text/plain`, `text/html`, `text/csv`, ...): the body decoded into a
//! `String` with the charset its `Content-Type` names, UTF-8 when it names none. Sending,
//! retries, timeouts and errors are those of every other operation (`transport.rs`).

use progenitor_client::ResponseValue;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use crate::Client;
use crate::error::Error;
use crate::transport::{Operation, RequestOptions, execute};

/// Sends `request` and decodes its text body.
#[doc(hidden)]
pub async fn send_text(
    client: &Client,
    operation: &'static Operation,
    request: reqwest::RequestBuilder,
    options: RequestOptions,
) -> Result<ResponseValue<String>, Error> {
    let ok = execute(client, operation, request, options).await?;
    match decode(&ok.headers, &ok.body) {
        Ok(text) => Ok(ResponseValue::new(text, ok.status, ok.headers)),
        Err(e) => Err(
            Error::decode(operation.id, ok.status, ok.headers, &ok.body, e)
                .with_attempts(ok.attempts),
        ),
    }
}

/// The `charset` parameter of a `Content-Type` value, lowercased and unquoted.
fn charset(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    value.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
    })
}

/// Decodes `body` by the charset in `headers`: UTF-8 (the default; a leading byte-order
/// mark is dropped), US-ASCII, or ISO-8859-1. Any other charset, or bytes the charset
/// does not allow, is an error rather than a lossy string.
fn decode(headers: &HeaderMap, body: &[u8]) -> Result<String, String> {
    let charset = charset(headers).unwrap_or_else(|| "utf-8".into());
    match charset.as_str() {
        "utf-8" | "utf8" => {
            let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
            String::from_utf8(body.to_vec())
                .map_err(|e| format!("the body is not valid UTF-8: {e}"))
        }
        "us-ascii" | "ascii" => match body.iter().position(|b| !b.is_ascii()) {
            None => Ok(body.iter().map(|&b| char::from(b)).collect()),
            Some(at) => Err(format!(
                "the body is declared US-ASCII but byte {at} is {:#04x}",
                body[at]
            )),
        },
        "iso-8859-1" | "latin1" | "iso_8859-1" | "l1" => {
            Ok(body.iter().map(|&b| char::from(b)).collect())
        }
        other => Err(format!(
            "the body's charset {other:?} is not supported (UTF-8, US-ASCII and ISO-8859-1 are)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, content_type.parse().unwrap());
        h
    }

    #[test]
    fn charsets() {
        assert_eq!(decode(&HeaderMap::new(), "é".as_bytes()).unwrap(), "é");
        assert_eq!(decode(&HeaderMap::new(), b"\xEF\xBB\xBFhi").unwrap(), "hi");
        assert_eq!(
            decode(&headers("text/plain;Charset=US-ASCII"), b"plain").unwrap(),
            "plain"
        );
        assert_eq!(
            decode(&headers("text/plain; charset=\"ISO-8859-1\""), b"caf\xe9").unwrap(),
            "café"
        );
        assert!(decode(&headers("text/plain; charset=us-ascii"), b"caf\xe9").is_err());
        assert!(decode(&headers("text/plain"), b"caf\xe9").is_err());
        let err = decode(&headers("text/plain; charset=shift_jis"), b"x").unwrap_err();
        assert!(err.contains("shift_jis"), "{err}");
    }
}
