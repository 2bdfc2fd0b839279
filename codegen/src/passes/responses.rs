//! Success responses whose body is not JSON. Progenitor types every such body as a raw
//! `ByteStream`; this module decides, from the document's media types, what the client
//! returns instead and which runtime call decodes it:
//!
//! - `text/*` (`text/plain`, `text/html`, `text/csv`, ...): a `String`, decoded with the
//!   response's charset by `crate::text::send_text`;
//! - anything else (`application/octet-stream`, `image/*`, ...): a `Download`, the body
//!   streamed as it arrives, by `crate::download::send_download`;
//! - `text/event-stream`: an `EventStream` of server-sent events, by
//!   `crate::sse::send_events` (see [`event_data`] for the type of each event's `data`).
//!   Beside `application/json` in the same response (a chat endpoint answering either),
//!   `send()` keeps the JSON type and the builder gains `send_events()` ([`events_beside_json`]).
//!
//! Used by [`super::runtime_calls`] when it rewrites `send()`.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
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
    if media.iter().any(|m| essence(m) == EVENT_STREAM) {
        let others: Vec<&str> = media
            .iter()
            .filter(|m| essence(m) != EVENT_STREAM)
            .map(String::as_str)
            .collect();
        if !others.is_empty() {
            return Err(format!(
                "server-sent events (text/event-stream) can be offered beside JSON only, not beside {}",
                others.join(", ")
            ));
        }
        return Ok(Success::Events {
            data: event_stream_media(operation).and_then(event_data),
        });
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

/// The media type of server-sent events.
pub(crate) const EVENT_STREAM: &str = "text/event-stream";

/// The first `text/event-stream` media type object of the operation's success responses.
fn event_stream_media(operation: &Value) -> Option<&Value> {
    let responses = operation.get("responses").and_then(Value::as_object)?;
    responses
        .iter()
        .filter(|(status, _)| status.starts_with('2') || *status == "default")
        .filter_map(|(_, response)| response.get("content")?.as_object())
        .flatten()
        .find(|(media, _)| essence(media) == EVENT_STREAM)
        .map(|(_, m)| m)
}

/// For an operation whose success is JSON and also server-sent events (selected by
/// `Accept` or by a body flag), the events' `send_events()`: `Some` with the type of their
/// `data` (as in [`event_data`]).
pub(crate) fn events_beside_json(operation: &Value) -> Option<Success> {
    let media = success_media(operation);
    if !media.iter().any(|m| is_json(m)) {
        return None;
    }
    let events = event_stream_media(operation)?;
    Some(Success::Events {
        data: event_data(events),
    })
}

fn is_json(media: &str) -> bool {
    essence(media) == "application/json"
}

/// The Rust type of each event's `data`, from a `text/event-stream` media type object;
/// `None` for the raw `String`:
///
/// - FastAPI's `itemSchema` (OpenAPI 3.2's schema of one event): the `contentSchema` of its
///   `data` property when the data is JSON (`contentMediaType: application/json`, or none);
/// - a `schema` that is a `$ref` to a component: that component (the convention of
///   documents written by hand; a `string` schema describes the stream's text, so `data`
///   stays raw).
///
/// A component is its generated type; an inline `string`, `integer`, `number` or `boolean`
/// is `String`, `i64`, `f64` or `bool`; any other inline schema is `serde_json::Value`.
pub(crate) fn event_data(media: &Value) -> Option<Box<syn::Type>> {
    if let Some(data) = media.pointer("/itemSchema/properties/data") {
        let json = data
            .get("contentMediaType")
            .and_then(Value::as_str)
            .is_none_or(is_json);
        return data
            .get("contentSchema")
            .filter(|_| json)
            .map(|schema| Box::new(schema_type(schema)));
    }
    let schema = media.get("schema")?;
    schema.get("$ref")?;
    Some(Box::new(schema_type(schema)))
}

/// The Rust type of a schema of event data (see [`event_data`]).
fn schema_type(schema: &Value) -> syn::Type {
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        // A name that is no Rust identifier (progenitor would have renamed the type) is
        // left untyped rather than guessed.
        && let Ok(ident) = syn::parse_str::<syn::Ident>(&name.to_upper_camel_case())
    {
        return syn::parse_quote!(types::#ident);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => syn::parse_quote!(::std::string::String),
        Some("integer") => syn::parse_quote!(i64),
        Some("number") => syn::parse_quote!(f64),
        Some("boolean") => syn::parse_quote!(bool),
        _ => syn::parse_quote!(::serde_json::Value),
    }
}

/// What a typed mock of an operation whose success is not JSON answers with.
pub(crate) enum MockBody {
    /// A `&str`, sent as this `Content-Type` (with `charset=utf-8` unless the document
    /// names a charset).
    Text(String),
    /// A `&[u8]`, sent as this `Content-Type`.
    Bytes(String),
    /// Events whose `data` is this type as JSON (`&[T]`), or text (`&[&str]`) when `None`.
    Events(Option<Box<syn::Type>>),
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
        Ok(Success::Events { data }) => Some(MockBody::Events(data)),
        _ => None,
    }
}

/// `send_events()`, from the `send()` that [`events_beside_json`]'s `Success` gives. With
/// `stream_flag` (the body has a `stream: bool` field, the usual way a chat API selects
/// events), it also sends `"stream": true` in the body, through the request's extras.
pub(crate) fn send_events_method(
    send: TokenStream,
    stream_flag: bool,
) -> Result<syn::ImplItem, String> {
    let mut method: syn::ImplItemFn = syn::parse2(send).map_err(|e| format!("internal: {e}"))?;
    method.sig.ident = format_ident!("send_events");
    method.attrs.retain(|a| !a.path().is_ident("doc"));
    let mut doc = String::from(
        "Sends the same request with `Accept: text/event-stream` and hands over the \
         server-sent events of the answer (`send()` asks for the JSON answer).",
    );
    if stream_flag {
        doc.push_str(" The body's `stream` field is sent as `true`, whatever it was set to.");
        // Right after `let Self { .. } = self;`, which binds `request_options`.
        let at = method
            .block
            .stmts
            .iter()
            .position(|s| matches!(s, syn::Stmt::Local(l) if matches!(l.pat, syn::Pat::Struct(_))))
            .ok_or("internal: `send` does not destructure its builder")?;
        method.block.stmts.insert(
            at + 1,
            syn::parse_quote!(let request_options = request_options.extra_body("stream", true);),
        );
    }
    method.attrs.insert(0, crate::syntax::doc_attr(&doc));
    Ok(syn::ImplItem::Fn(method))
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
    fn other_media_types_are_downloads() {
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
    }

    fn type_of(data: Option<Box<syn::Type>>) -> String {
        data.map_or("raw".into(), |t| crate::syntax::type_text(&t))
    }

    #[test]
    fn event_streams_are_events_with_raw_data_for_a_string_schema() {
        let Ok(Success::Events { data }) = raw_success(&op(&["text/event-stream"])) else {
            panic!("text/event-stream is events");
        };
        assert_eq!(type_of(data), "raw");
        let err = raw_success(&op(&["text/event-stream", "text/plain"]))
            .err()
            .unwrap();
        assert!(
            err.contains("text/event-stream") && err.contains("beside JSON only"),
            "{err}"
        );
    }

    #[test]
    fn event_data_types_from_item_schemas_and_schemas() {
        let item =
            |data: Value| json!({"itemSchema": {"type": "object", "properties": {"data": data}}});
        let chunk = json!({"$ref": "#/components/schemas/chat_chunk"});
        let cases = [
            (
                item(
                    json!({"type": "string", "contentMediaType": "application/json", "contentSchema": chunk}),
                ),
                "types::ChatChunk",
            ),
            (
                item(json!({"type": "string", "contentSchema": {"type": "integer"}})),
                "i64",
            ),
            (
                item(json!({"type": "string", "contentSchema": {"type": "array"}})),
                "Value",
            ),
            (
                item(
                    json!({"type": "string", "contentMediaType": "text/plain", "contentSchema": {"type": "string"}}),
                ),
                "raw",
            ),
            (item(json!({"type": "string"})), "raw"),
            (json!({"schema": chunk}), "types::ChatChunk"),
            (
                json!({"schema": {"$ref": "#/components/schemas/1st"}}),
                "Value",
            ),
            (json!({"schema": {"type": "string"}}), "raw"),
            (json!({}), "raw"),
        ];
        for (media, expected) in cases {
            assert_eq!(type_of(event_data(&media)), expected, "{media}");
        }
    }

    #[test]
    fn events_beside_json_only_where_both_are_offered() {
        let both = json!({"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/event-stream": {"schema": {"$ref": "#/components/schemas/Chunk"}}}}}});
        let Some(Success::Events { data }) = events_beside_json(&both) else {
            panic!("JSON and events");
        };
        assert_eq!(type_of(data), "types::Chunk");
        assert!(events_beside_json(&op(&["application/json"])).is_none());
        assert!(events_beside_json(&op(&["text/event-stream"])).is_none());
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
        assert!(matches!(
            mock_body(&op(&["text/event-stream"])),
            Some(MockBody::Events(None))
        ));
    }
}
