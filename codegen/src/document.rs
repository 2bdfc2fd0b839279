//! The OpenAPI vocabulary every stage shares, kept below them all so that no stage has to
//! import another for it.

use serde_json::Value;

use crate::error::push_pointer;

/// The HTTP methods a path item may hold, in the order OpenAPI lists them.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of `document` as (path, HTTP method, operation), in document order and
/// [`METHODS`] order within a path item.
pub fn operations(document: &Value) -> impl Iterator<Item = (&str, &'static str, &Value)> {
    document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |verb| Some((path.as_str(), *verb, item.get(*verb)?)))
        })
}

/// The JSON pointer of the operation whose (normalized) operationId is `method`, for
/// messages; empty when there is none.
pub(crate) fn operation_pointer(document: &Value, method: &str) -> String {
    operations(document)
        .find(|(_, _, op)| op.get("operationId").and_then(Value::as_str) == Some(method))
        .map(|(path, verb, _)| push_pointer(&push_pointer("/paths", path), verb))
        .unwrap_or_default()
}

/// The JSON type of a value, as a noun ("a string"), for messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether `value` is of the JSON Schema type `ty` (`"integer"` takes whole floats too).
pub(crate) fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => false,
    }
}
