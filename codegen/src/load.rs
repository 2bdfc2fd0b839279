//! Stage 1: read the document from disk into a JSON value, whatever its syntax.

use std::path::Path;

use serde_json::Value;

use crate::Error;
use crate::error::push_pointer;

/// Reads a JSON or YAML OpenAPI document.
///
/// The syntax is chosen by the file extension (`.json`, `.yaml`, `.yml`); anything else is
/// sniffed: a document whose first non-blank character is `{` is JSON.
pub fn load(path: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::new(path, "", format!("cannot read the file: {e}")))?;
    parse(path, &text)
}

/// Parses document text; `path` is used for the syntax choice and for error messages only.
pub fn parse(path: &Path, text: &str) -> Result<Value, Error> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let is_json = match ext {
        "json" => true,
        "yaml" | "yml" => false,
        _ => text.trim_start().starts_with('{'),
    };
    let value = if is_json {
        serde_json::from_str::<Value>(text).map_err(|e| {
            Error::new(
                path,
                "",
                format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?
    } else {
        let yaml = serde_norway::from_str::<serde_norway::Value>(text)
            .map_err(|e| Error::new(path, "", format!("not valid YAML: {e}")))?;
        yaml_to_json(path, "", yaml)?
    };
    if !value.is_object() {
        return Err(Error::new(
            path,
            "",
            "an OpenAPI document must be an object at the top level",
        ));
    }
    Ok(value)
}

/// YAML allows keys that are not strings (`200:` is an integer); OpenAPI means them as
/// strings, so they are converted rather than rejected.
fn yaml_to_json(path: &Path, pointer: &str, value: serde_norway::Value) -> Result<Value, Error> {
    use serde_norway::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Error::new(path, pointer, format!("{f} is not a number JSON can hold"))
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| yaml_to_json(path, &push_pointer(pointer, &i.to_string()), v))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::new(
                            path,
                            pointer,
                            format!("a mapping key must be a string, found {other:?}"),
                        ));
                    }
                };
                let child = push_pointer(pointer, &key);
                out.insert(key, yaml_to_json(path, &child, v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(path, pointer, tagged.value)?,
    })
}
