//! Every `$ref`, wherever it is: a string, within the document, pointing at something. The
//! references the other checks follow (schemas, parameters, responses, request bodies,
//! headers) are checked there with their kind; this catches the rest.

use serde_json::Value;

use super::Context;
use crate::error::{Error, push_pointer};

/// A dangling `$ref` would reach progenitor, which panics or fails without saying where.
pub(super) fn check(cx: &Context, value: &Value, ptr: &str) -> Result<(), Error> {
    match value {
        Value::Object(map) => {
            // In a map keyed by names (`properties`, `schemas`, ...) a key is a name, even
            // one spelled `default` or `$ref` (docling's `RefItem` has a property `$ref`);
            // elsewhere the data keys hold data, not OpenAPI.
            let keyed_by_name = ptr.ends_with("/properties")
                || ptr.ends_with("/schemas")
                || ptr.ends_with("/parameters")
                || ptr.ends_with("/responses")
                || ptr == "/paths";
            if let Some(reference) = map.get("$ref").filter(|_| !keyed_by_name) {
                let r_ptr = push_pointer(ptr, "$ref");
                let Some(reference) = reference.as_str() else {
                    return Err(cx.error(&r_ptr, "`$ref` must be a string"));
                };
                let Some(target) = reference.strip_prefix('#') else {
                    return Err(cx.error(
                        &r_ptr,
                        format!(
                            "only references within the document are supported, found {reference:?}"
                        ),
                    ));
                };
                if cx.doc.pointer(target).is_none() {
                    return Err(cx.error(
                        &r_ptr,
                        format!("{reference:?} does not point at anything in the document"),
                    ));
                }
            }
            for (key, child) in map {
                let is_data = matches!(
                    key.as_str(),
                    "example" | "examples" | "default" | "enum" | "const"
                );
                if is_data && !keyed_by_name {
                    continue;
                }
                check(cx, child, &push_pointer(ptr, key))?;
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check(cx, child, &push_pointer(ptr, &i.to_string()))?;
            }
        }
        _ => {}
    }
    Ok(())
}
