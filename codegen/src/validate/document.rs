//! The top of the document: the version, `info`, `paths` and `components`.

use serde_json::Value;

use super::{Context, json_type};
use crate::error::{Error, push_pointer};

/// The members of `components` that hold maps of named objects.
const COMPONENT_KINDS: [&str; 10] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
];

pub(super) fn check(cx: &Context) -> Result<(), Error> {
    let doc = cx.doc;
    let version = match doc.get("openapi") {
        Some(Value::String(v)) => v.trim().to_string(),
        Some(other) => {
            return Err(cx.error(
                "/openapi",
                format!("the OpenAPI version must be a string, found {other}"),
            ));
        }
        None if doc.get("swagger").is_some() => {
            return Err(cx.error(
                "/swagger",
                "Swagger 2.0 documents are not supported; convert to OpenAPI 3 first",
            ));
        }
        None => return Err(cx.error("", "missing the `openapi` version field")),
    };
    if !(version.starts_with("3.0.") || version.starts_with("3.1.")) {
        return Err(cx.error(
            "/openapi",
            format!("unsupported OpenAPI version {version:?}; expected 3.0.x or 3.1.x"),
        ));
    }
    for field in ["info", "paths"] {
        match doc.get(field) {
            Some(Value::Object(_)) => {}
            Some(_) => return Err(cx.error(&format!("/{field}"), "must be an object")),
            None => return Err(cx.error("", format!("missing the required `{field}` field"))),
        }
    }
    // openapiv3 requires both; progenitor writes them into the generated crate.
    for field in ["title", "version"] {
        match doc["info"].get(field) {
            Some(Value::String(_)) => {}
            Some(other) => {
                return Err(cx.error(
                    &format!("/info/{field}"),
                    format!("must be a string, found {}", json_type(other)),
                ));
            }
            None => {
                return Err(cx.error("/info", format!("missing the required `{field}` field")));
            }
        }
    }
    if let Some(description) = doc["info"].get("description")
        && !description.is_string()
    {
        return Err(cx.error("/info/description", "must be a string"));
    }
    for field in ["servers", "security", "tags"] {
        if let Some(value) = doc.get(field)
            && !value.is_array()
        {
            return Err(cx.error(
                &format!("/{field}"),
                format!("must be an array, found {}", json_type(value)),
            ));
        }
    }
    for (i, server) in doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let ptr = push_pointer("/servers", &i.to_string());
        if !server.get("url").is_some_and(Value::is_string) {
            return Err(cx.error(&ptr, "a server needs a `url` string"));
        }
    }
    if let Some(components) = doc.get("components") {
        let Some(components) = components.as_object() else {
            return Err(cx.error("/components", "must be an object"));
        };
        for kind in COMPONENT_KINDS {
            if let Some(section) = components.get(kind)
                && !section.is_object()
            {
                return Err(cx.error(
                    &push_pointer("/components", kind),
                    "must be an object mapping names to definitions",
                ));
            }
        }
    }
    Ok(())
}
