//! Form fields as name/value text pairs, the way FastAPI reads `Form` parameters: a list is
//! one pair per item under the same name, `true`/`false` and numbers are their JSON text,
//! an object is JSON text, and a null (an unset optional) is left out. Used by the generated
//! code of `application/x-www-form-urlencoded` bodies (serde_urlencoded alone cannot encode
//! a list) and by the text parts of `multipart/form-data` bodies.

use serde::Serialize;
use serde_json::Value;

/// The pairs of a form model (a struct with named fields).
#[doc(hidden)]
pub fn pairs(fields: &impl Serialize) -> Result<Vec<(String, String)>, String> {
    let value = serde_json::to_value(fields)
        .map_err(|e| format!("the form fields cannot be encoded: {e}"))?;
    let Value::Object(fields) = value else {
        return Err("the form fields are not an object".into());
    };
    let mut out = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        let items = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            let text = match item {
                Value::Null => continue,
                Value::String(s) => s,
                other => other.to_string(),
            };
            out.push((name.clone(), text));
        }
    }
    Ok(out)
}
