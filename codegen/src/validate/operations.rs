//! Path items and operations: request bodies, responses and the media
//! types that carry their schemas.

use serde_json::Value;

use super::{Context, json_type, schemas, show};
use crate::document::METHODS;
use crate::error::{Error, push_pointer};

pub(super) fn check(cx: &Context) -> Result<(), Error> {
    let paths = cx.doc["paths"].as_object().into_iter().flatten();
    for (path, item) in paths {
        let ptr = push_pointer("/paths", path);
        path_template(cx, &ptr, path)?;
        let Some(item) = item.as_object() else {
            return Err(cx.error(&ptr, "a path item must be an object"));
        };
        if item.contains_key("$ref") {
            return Err(cx.error(
                &push_pointer(&ptr, "$ref"),
                "path items defined by reference are not supported",
            ));
        }
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_ptr = push_pointer(&ptr, method);
            if !op.is_object() {
                return Err(cx.error(&op_ptr, "an operation must be an object"));
            }
            operation(cx, &op_ptr, op)?;
        }
    }
    let components = cx.doc.get("components");
    for (name, response) in section(components, "responses") {
        let ptr = push_pointer("/components/responses", name);
        self::response(cx, &ptr, response)?;
    }
    for (name, body) in section(components, "requestBodies") {
        let ptr = push_pointer("/components/requestBodies", name);
        request_body(cx, &ptr, body)?;
    }
    Ok(())
}

/// The named definitions in `components/<kind>`.
pub(super) fn section<'a>(
    components: Option<&'a Value>,
    kind: &str,
) -> impl Iterator<Item = (&'a String, &'a Value)> {
    components
        .and_then(|c| c.get(kind))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// `{name}` segments must close and name something; progenitor splits on the braces.
fn path_template(cx: &Context, ptr: &str, path: &str) -> Result<(), Error> {
    if !path.starts_with('/') {
        return Err(cx.error(ptr, format!("a path must start with `/`, found {path:?}")));
    }
    let mut open = false;
    let mut name = String::new();
    for c in path.chars() {
        match (c, open) {
            ('{', false) => {
                open = true;
                name.clear();
            }
            ('}', true) => {
                if name.is_empty() {
                    return Err(cx.error(ptr, "the path has an empty `{}` template"));
                }
                open = false;
            }
            ('{', true) | ('}', false) => {
                return Err(cx.error(ptr, "the path's `{` and `}` do not pair up"));
            }
            (c, true) => name.push(c),
            _ => {}
        }
    }
    if open {
        return Err(cx.error(ptr, "the path's `{` and `}` do not pair up"));
    }
    Ok(())
}

fn operation(cx: &Context, op_ptr: &str, op: &Value) -> Result<(), Error> {
    for field in ["operationId", "summary", "description"] {
        if let Some(value) = op.get(field)
            && !value.is_string()
        {
            return Err(cx.error(
                &push_pointer(op_ptr, field),
                format!("{field} must be a string, found {}", show(value)),
            ));
        }
    }
    if let Some(value) = op.get("deprecated")
        && !value.is_boolean()
    {
        return Err(cx.error(
            &push_pointer(op_ptr, "deprecated"),
            format!("must be a boolean, found {}", json_type(value)),
        ));
    }
    if let Some(tags) = op.get("tags") {
        let t_ptr = push_pointer(op_ptr, "tags");
        let Some(tags) = tags.as_array() else {
            return Err(cx.error(&t_ptr, "must be an array of strings"));
        };
        if let Some(i) = tags.iter().position(|t| !t.is_string()) {
            return Err(cx.error(
                &push_pointer(&t_ptr, &i.to_string()),
                "a tag must be a string",
            ));
        }
    }
    if let Some(security) = op.get("security")
        && !security.is_array()
    {
        return Err(cx.error(
            &push_pointer(op_ptr, "security"),
            "must be an array of security requirements",
        ));
    }
    if let Some(body) = op.get("requestBody") {
        request_body(cx, &push_pointer(op_ptr, "requestBody"), body)?;
    }
    let Some(responses) = op.get("responses") else {
        return Err(cx.error(op_ptr, "an operation needs `responses`"));
    };
    let r_ptr = push_pointer(op_ptr, "responses");
    let Some(responses) = responses.as_object() else {
        return Err(cx.error(&r_ptr, "`responses` must be an object keyed by status code"));
    };
    for (status, response) in responses {
        let s_ptr = push_pointer(&r_ptr, status);
        if !is_status_key(status) {
            return Err(cx.error(
                &s_ptr,
                format!("{status:?} is not a status code (`200`, `4XX` or `default`)"),
            ));
        }
        self::response(cx, &s_ptr, response)?;
    }
    Ok(())
}

fn is_status_key(status: &str) -> bool {
    let b = status.as_bytes();
    status == "default"
        || (b.len() == 3
            && (b'1'..=b'5').contains(&b[0])
            && ((b[1].is_ascii_digit() && b[2].is_ascii_digit()) || &b[1..] == b"XX"))
}

fn request_body(cx: &Context, ptr: &str, body: &Value) -> Result<(), Error> {
    let (body, ptr) = cx.resolve(ptr, body, "requestBodies")?;
    if body.get("$ref").is_some() {
        return Ok(());
    }
    let Some(obj) = body.as_object() else {
        return Err(cx.error(&ptr, "a request body must be an object"));
    };
    if let Some(required) = obj.get("required")
        && !required.is_boolean()
    {
        return Err(cx.error(
            &push_pointer(&ptr, "required"),
            format!("must be a boolean, found {}", json_type(required)),
        ));
    }
    let Some(content) = obj.get("content") else {
        return Err(cx.error(
            &ptr,
            "a request body needs `content` (a map of media types to schemas)",
        ));
    };
    let c_ptr = push_pointer(&ptr, "content");
    let Some(content) = content.as_object() else {
        return Err(cx.error(&c_ptr, "`content` must be an object"));
    };
    if content.is_empty() {
        return Err(cx.error(&c_ptr, "a request body needs at least one media type"));
    }
    media_types(cx, &c_ptr, content, true)
}

fn response(cx: &Context, ptr: &str, response: &Value) -> Result<(), Error> {
    let (response, ptr) = cx.resolve(ptr, response, "responses")?;
    let Some(obj) = response.as_object() else {
        return Err(cx.error(&ptr, "must be an object"));
    };
    match obj.get("description") {
        Some(Value::String(_)) => {}
        Some(other) => {
            return Err(cx.error(
                &push_pointer(&ptr, "description"),
                format!("must be a string, found {}", json_type(other)),
            ));
        }
        None => {
            return Err(cx.error(
                &ptr,
                "a response needs a `description` (OpenAPI requires one)",
            ));
        }
    }
    if let Some(content) = obj.get("content") {
        let c_ptr = push_pointer(&ptr, "content");
        let Some(content) = content.as_object() else {
            return Err(cx.error(&c_ptr, "`content` must be an object"));
        };
        media_types(cx, &c_ptr, content, false)?;
    }
    if let Some(headers) = obj.get("headers") {
        let h_ptr = push_pointer(&ptr, "headers");
        let Some(headers) = headers.as_object() else {
            return Err(cx.error(&h_ptr, "`headers` must be an object"));
        };
        for (name, header) in headers {
            super::parameters::header(cx, &push_pointer(&h_ptr, name), header)?;
        }
    }
    Ok(())
}

/// A request body's media type needs a schema, but a JSON one: progenitor has no type for a
/// body it knows nothing of. A JSON media type without one (FastAPI publishes
/// `responses={410: {"content": {"application/json": {}}}}` so) is given `{}`, any JSON
/// value, by `normalize`, with a warning. Other responses are read as bytes whatever their
/// schema.
fn media_types(
    cx: &Context,
    c_ptr: &str,
    content: &serde_json::Map<String, Value>,
    request: bool,
) -> Result<(), Error> {
    for (media, m) in content {
        let m_ptr = push_pointer(c_ptr, media);
        let Some(m) = m.as_object() else {
            return Err(cx.error(&m_ptr, "a media type must be an object"));
        };
        match m.get("schema") {
            Some(schema) => schemas::check(cx, &push_pointer(&m_ptr, "schema"), schema)?,
            None if !request || is_json_media(media) => {}
            None => {
                return Err(cx.error(
                    &m_ptr,
                    format!(
                        "the media type {media} needs a `schema`; \
                         use `{{}}` for a body of any JSON value"
                    ),
                ));
            }
        }
        if let Some(encoding) = m.get("encoding")
            && !encoding.is_object()
        {
            return Err(cx.error(&push_pointer(&m_ptr, "encoding"), "must be an object"));
        }
    }
    Ok(())
}

fn is_json_media(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}
