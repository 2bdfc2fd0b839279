//! The OpenAPI vocabulary every stage shares, kept below them all so that no stage has to
//! import another for it.

use serde_json::Value;

use crate::error::push_pointer;

/// The HTTP methods a path item may hold, in the order OpenAPI lists them.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The JSON pointer of the operation whose (normalized) operationId is `method`, for
/// messages; empty when there is none.
pub(crate) fn operation_pointer(document: &Value, method: &str) -> String {
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for verb in METHODS {
            if item
                .pointer(&format!("/{verb}/operationId"))
                .and_then(|v| v.as_str())
                == Some(method)
            {
                return push_pointer(&push_pointer("/paths", path), verb);
            }
        }
    }
    String::new()
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
