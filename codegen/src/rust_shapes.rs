//! Rust shapes that progenitor's OpenAPI 3.0 reader cannot carry to typify: tuples
//! (`prefixItems`), and string formats with a Rust type of their own (Decimal, ISO 8601
//! durations, times with an optional offset, base64 bytes).
//!
//! `normalize` replaces such a schema with a marker, typify's `x-rust-type` extension
//! naming a type of the placeholder crate [`CRATE`] (its `parameters` are the schemas of
//! a tuple's items, which typify converts like any other schema). `generate` lets typify
//! accept that crate, and `passes::shapes` replaces every use of a placeholder type with
//! the real Rust type, emitting the helper types the code then needs. No placeholder
//! reaches the generated code.

use serde_json::{Value, json};

/// The placeholder crate. Its name cannot clash with a real crate (a leading `__`).
pub(crate) const CRATE: &str = "__stackai_codegen";

/// The shapes a marker can name; the pass maps each to its Rust type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `(A, B, ...)`, from `prefixItems` with as many items as the tuple has.
    Tuple,
    /// pydantic's `Decimal`: `anyOf: [number, string with a pattern]`.
    Decimal,
    /// `format: duration` (pydantic's `timedelta`, ISO 8601).
    Duration,
    /// `format: time`.
    Time,
    /// `format: byte` / `base64` (pydantic's `Base64Bytes`).
    Base64,
    /// `Option<T>` around another marker: progenitor drops `nullable` beside one.
    Nullable,
}

impl Shape {
    pub(crate) const ALL: [Shape; 6] = [
        Shape::Tuple,
        Shape::Decimal,
        Shape::Duration,
        Shape::Time,
        Shape::Base64,
        Shape::Nullable,
    ];

    /// The placeholder type's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Shape::Tuple => "Tuple",
            Shape::Decimal => "Decimal",
            Shape::Duration => "Duration",
            Shape::Time => "Time",
            Shape::Base64 => "Base64",
            Shape::Nullable => "Nullable",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The `x-rust-type` extension that stands for `shape` (with these parameter schemas).
pub(crate) fn marker(shape: Shape, parameters: Vec<Value>) -> Value {
    json!({
        "crate": CRATE,
        "version": "*",
        "path": format!("{CRATE}::{}", shape.name()),
        "parameters": parameters,
    })
}

/// Whether `document` holds any marker: only then can the generated code hold a
/// placeholder, so `passes::shapes` (which must print the whole tree to prove that none
/// survives) is skipped for documents without one.
pub(crate) fn used_in(document: &Value) -> bool {
    match document {
        Value::Object(map) => {
            map.get("x-rust-type")
                .and_then(|marker| marker.get("crate"))
                .is_some_and(|name| name == CRATE)
                || map.values().any(used_in)
        }
        Value::Array(items) => items.iter().any(used_in),
        _ => false,
    }
}

/// A marker's shape in words for reports (`cargo xtask diff`): "tuple of 2",
/// "Decimal", ...; `None` when `schema` is not a marker.
pub(crate) fn describe(schema: &Value) -> Option<String> {
    let marker = schema.get("x-rust-type")?;
    let path = marker.get("path")?.as_str()?;
    let shape = Shape::from_name(path.strip_prefix(CRATE)?.strip_prefix("::")?)?;
    let params = marker.get("parameters").and_then(Value::as_array);
    Some(match shape {
        Shape::Tuple => format!("tuple of {}", params.map_or(0, Vec::len)),
        Shape::Nullable => format!(
            "nullable {}",
            params
                .and_then(|p| p.first())
                .and_then(describe)
                .unwrap_or_else(|| "value".into())
        ),
        other => other.name().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_at_any_depth_and_only_for_the_placeholder_crate() {
        let tuple = json!({"x-rust-type": marker(Shape::Tuple, vec![])});
        assert!(used_in(&json!({"a": [{"b": tuple}]})));
        assert!(!used_in(
            &json!({"x-rust-type": {"crate": "chrono", "path": "chrono::NaiveDate"}})
        ));
        assert!(!used_in(
            &json!({"components": {"schemas": {"A": {"type": "string"}}}})
        ));
    }
}
