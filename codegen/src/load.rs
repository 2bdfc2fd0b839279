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
        parse_json(path, text)?
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
                if out.contains_key(&key) {
                    return Err(Error::new(
                        path,
                        child,
                        format!(
                            "the key {key:?} appears twice (as a string and as a number or boolean)"
                        ),
                    ));
                }
                out.insert(key, yaml_to_json(path, &child, v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(path, pointer, tagged.value)?,
    })
}

/// JSON text to a value, rejecting repeated keys: serde_json would keep the last one and
/// drop the others (a whole response, say) without a word.
fn parse_json(path: &Path, text: &str) -> Result<Value, Error> {
    let duplicate = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = CheckedValue {
        pointer: String::new(),
        duplicate: &duplicate,
    };
    let result = serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    result.map_err(|e| match duplicate.take() {
        Some(pointer) => Error::new(
            path,
            pointer,
            format!("the same key appears twice in one object ({e})"),
        ),
        None => Error::new(
            path,
            "",
            format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        ),
    })
}

/// A `serde_json::Value` seed that knows where it is, so a duplicate key can be reported
/// with its JSON pointer.
struct CheckedValue<'a> {
    pointer: String,
    duplicate: &'a std::cell::RefCell<Option<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for CheckedValue<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for CheckedValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = CheckedValue {
                pointer: push_pointer(&self.pointer, &items.len().to_string()),
                duplicate: self.duplicate,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = push_pointer(&self.pointer, &key);
            if out.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(child);
                return Err(serde::de::Error::custom(format!("duplicate key {key:?}")));
            }
            let seed = CheckedValue {
                pointer: child,
                duplicate: self.duplicate,
            };
            let value = map.next_value_seed(seed)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}
