//! Success responses whose body is not JSON. Progenitor types every such body as a raw
//! `ByteStream`; this module decides, from the document's media types, what the client
//! returns instead and which runtime call decodes it:
//!
//! - `text/*` (`text/plain`, `text/html`, `text/csv`, ...): a `String`, decoded with the
//!   response's charset by `crate::text::send_text`;
//! - anything else (`application/octet-stream`, `image/*`, ...): a `Download`, the body
//!   streamed as it arrives, by `crate::download::send_download`;
//! - `text/event-stream`: not supported yet, an error naming the media type.
//!
//! Used by [`super::runtime_calls`] when it rewrites `send()`.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::syntax::Success;

/// The media types of the operation's success responses (2xx and `default`), in document
/// order and without duplicates.
fn success_media(operation: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let responses = operation.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        if !(status.starts_with('2') || status == "default") {
            continue;
        }
        let content = response.get("content").and_then(Value::as_object);
        for media in content.into_iter().flatten().map(|(m, _)| m) {
            if !out.contains(media) {
                out.push(media.clone());
            }
        }
    }
    out
}

/// The essence of a media type (`text/plain` of `text/plain; charset=utf-8`), lowercased.
fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// What a success whose body progenitor left raw becomes, by its media types.
pub(crate) fn raw_success(operation: &Value) -> Result<Success, String> {
    let media = success_media(operation);
    if media.is_empty() {
        return Err("a success response has a body but no media type".into());
    }
    if let Some(bad) = media
        .iter()
        .find(|m| !m.bytes().all(|b| b == b' ' || b.is_ascii_graphic()))
    {
        return Err(format!(
            "the media type {bad:?} cannot be sent in an `Accept` header"
        ));
    }
    if media.iter().any(|m| essence(m) == "text/event-stream") {
        return Err("server-sent events (text/event-stream) are not supported yet".into());
    }
    if media.iter().all(|m| essence(m).starts_with("text/")) {
        return Ok(Success::Text {
            accept: media.join(", "),
        });
    }
    Ok(Success::Download {
        accept: media.join(", "),
    })
}

/// What a typed mock of an operation whose success is not JSON answers with.
pub(crate) enum MockBody {
    /// A `&str`, sent as this `Content-Type` (with `charset=utf-8` unless the document
    /// names a charset).
    Text(String),
    /// A `&[u8]`, sent as this `Content-Type`.
    Bytes(String),
}

/// For an operation whose success is text or binary, what its mock's `ok` takes; its
/// first media type is the one answered.
pub(crate) fn mock_body(operation: &Value) -> Option<MockBody> {
    let media = success_media(operation);
    // Progenitor types the body by its JSON media type whenever there is one.
    if media
        .iter()
        .any(|m| m == "application/json" || m.starts_with("application/json;"))
    {
        return None;
    }
    let first = media.into_iter().next()?;
    match raw_success(operation) {
        Ok(Success::Text { .. }) => Some(MockBody::Text(
            if first.to_ascii_lowercase().contains("charset=") {
                first
            } else {
                format!("{first}; charset=utf-8")
            },
        )),
        Ok(Success::Download { .. }) => Some(MockBody::Bytes(first)),
        _ => None,
    }
}

/// The `Accept` header a text operation sends: the document's media types.
pub(crate) fn accept_header(accept: &str) -> TokenStream {
    quote! {
        .header(
            ::reqwest::header::ACCEPT,
            ::reqwest::header::HeaderValue::from_static(#accept),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn op(media: &[&str]) -> Value {
        let content: serde_json::Map<String, Value> = media
            .iter()
            .map(|m| (m.to_string(), json!({"schema": {"type": "string"}})))
            .collect();
        json!({"responses": {"200": {"description": "ok", "content": content},
                             "422": {"description": "bad", "content": {"application/json": {}}}}})
    }

    #[test]
    fn text_media_types_are_text() {
        let Ok(Success::Text { accept }) = raw_success(&op(&["text/csv"])) else {
            panic!("text/csv is text");
        };
        assert_eq!(accept, "text/csv");
        assert!(matches!(
            raw_success(&op(&["text/plain; charset=utf-8"])),
            Ok(Success::Text { .. })
        ));
    }

    #[test]
    fn other_media_types_are_downloads_and_event_streams_are_refused() {
        let Ok(Success::Download { accept }) = raw_success(&op(&["text/plain", "image/png"]))
        else {
            panic!("a body that is not all text is binary");
        };
        assert!(
            accept.contains("image/png") && accept.contains("text/plain"),
            "{accept}"
        );
        assert!(matches!(
            raw_success(&op(&["application/octet-stream"])),
            Ok(Success::Download { .. })
        ));
        let err = raw_success(&op(&["text/event-stream"])).err().unwrap();
        assert!(err.contains("text/event-stream"), "{err}");
    }

    #[test]
    fn mocks_answer_the_first_media_type_and_leave_json_alone() {
        assert!(matches!(
            mock_body(&op(&["text/csv"])),
            Some(MockBody::Text(m)) if m == "text/csv; charset=utf-8"
        ));
        assert!(matches!(
            mock_body(&op(&["image/png"])),
            Some(MockBody::Bytes(m)) if m == "image/png"
        ));
        assert!(mock_body(&op(&["application/json"])).is_none());
    }
}
