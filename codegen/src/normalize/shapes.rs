//! Schemas whose Rust type progenitor's OpenAPI 3.0 reader cannot carry: tuples
//! (`prefixItems`), pydantic's `Decimal`, and the string formats `duration`, `time` and
//! `byte`/`base64`. Each becomes a marker for `passes::shapes` (see [`crate::rust_shapes`]).
//!
//! Also here: `pattern`, which the client leaves to the server (see [`drop_pattern`]).

use serde_json::{Map, Value};

use super::Normalizer;
use crate::error::{Error, push_pointer};
use crate::rust_shapes::{Shape, marker};

/// Keys a marker keeps from the schema it replaces: what documents the value, not what
/// it is.
const KEPT: [&str; 7] = [
    "description",
    "nullable",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "example",
];

impl Normalizer<'_> {
    /// Rewrites `obj` into a marker when it is one of the shapes above. Runs after the
    /// 3.1 rewrites of `obj` itself and before its subschemas are visited.
    pub(super) fn rust_shapes(
        &mut self,
        ptr: &str,
        obj: &mut Map<String, Value>,
    ) -> Result<(), Error> {
        if obj.contains_key("x-rust-type") {
            // A marker merged into a nullable parent (`Optional[tuple[...]]`): wrap it.
            // (`nullable` stays, for the docs; progenitor ignores it beside a marker.)
            let nullable_marker =
                format!("{}::{}", crate::rust_shapes::CRATE, Shape::Nullable.name());
            let wrapped = obj
                .get("x-rust-type")
                .and_then(|m| m.get("path"))
                .and_then(Value::as_str)
                == Some(nullable_marker.as_str());
            if obj.get("nullable") == Some(&Value::Bool(true))
                && !wrapped
                && let Some(inner) = obj.remove("x-rust-type")
            {
                obj.insert(
                    "x-rust-type".into(),
                    marker(
                        Shape::Nullable,
                        vec![serde_json::json!({ "x-rust-type": inner })],
                    ),
                );
            }
            return Ok(());
        }
        if let Some(shape_and_params) = self.tuple(ptr, obj)? {
            replace_with_marker(obj, shape_and_params.0, shape_and_params.1);
        } else if is_decimal(obj) {
            replace_with_marker(obj, Shape::Decimal, Vec::new());
        } else if obj.get("type").is_some_and(|t| t == "string") {
            let shape = match obj.get("format").and_then(Value::as_str) {
                Some("duration") => Some(Shape::Duration),
                Some("time") => Some(Shape::Time),
                Some("byte" | "base64") => Some(Shape::Base64),
                _ => None,
            };
            match shape {
                Some(shape) => replace_with_marker(obj, shape, Vec::new()),
                None => self.drop_pattern(ptr, obj),
            }
        }
        Ok(())
    }

    /// `prefixItems` (2020-12) or an `items` list (draft 4 to 2019-09): a fixed-length
    /// tuple becomes a Rust tuple of its items' types.
    fn tuple(
        &mut self,
        ptr: &str,
        obj: &mut Map<String, Value>,
    ) -> Result<Option<(Shape, Vec<Value>)>, Error> {
        let (key, rest_key) = if obj.contains_key("prefixItems") {
            ("prefixItems", "items")
        } else if obj.get("items").is_some_and(Value::is_array) {
            ("items", "additionalItems")
        } else {
            return Ok(None);
        };
        let l_ptr = push_pointer(ptr, key);
        let Some(Value::Array(items)) = obj.get(key).cloned() else {
            return Err(self.error(&l_ptr, "must be an array of schemas"));
        };
        if items.is_empty() {
            return Err(self.error(&l_ptr, "a tuple needs at least one item schema"));
        }
        let len = items.len() as u64;
        let open_ended = !matches!(obj.get(rest_key), None | Some(Value::Bool(false)));
        let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = obj.get("maxItems").and_then(Value::as_u64);
        if open_ended || max.is_some_and(|m| m > len) {
            return Err(self.error(
                &l_ptr,
                "a tuple followed by more items (variable length) is not supported; \
                 only fixed-length tuples (pydantic `tuple[A, B]`) have a Rust shape",
            ));
        }
        if min < len {
            return Err(self.error(
                &l_ptr,
                format!("a tuple whose trailing items are optional (minItems {min} < {len} items) is not supported"),
            ));
        }
        let mut params = Vec::with_capacity(items.len());
        for (i, mut item) in items.into_iter().enumerate() {
            self.schema(&push_pointer(&l_ptr, &i.to_string()), &mut item)?;
            params.push(item);
        }
        Ok(Some((Shape::Tuple, params)))
    }

    /// The client does not check `pattern`; the server does. A regular expression in the
    /// document is written for the server's engine (pydantic-core uses Rust's `regex`,
    /// falling back to Python's `re` for look-around), and checking it here with another
    /// engine could refuse values the server accepts, or fail to decode a response the
    /// server sent. Progenitor's own check would also need the `regress` crate in every
    /// generated crate. The field stays a plain `String`.
    fn drop_pattern(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
        if obj.remove("pattern").is_some() {
            self.warn(
                &push_pointer(ptr, "pattern"),
                "the client does not check `pattern`; the server does",
            );
        }
    }
}

/// pydantic's `Decimal` in validation mode: `anyOf: [{type: number}, {type: string,
/// pattern}]` (the string with its digits pattern). A plain `float | str` has no pattern.
fn is_decimal(obj: &Map<String, Value>) -> bool {
    let Some(Value::Array(members)) = obj.get("anyOf") else {
        // In serialization mode (`-Output` schemas) pydantic publishes only the string.
        return obj.get("type").is_some_and(|t| t == "string")
            && obj.get("pattern").and_then(Value::as_str) == Some(DECIMAL_PATTERN);
    };
    let is = |m: &Value, t: &str| m.get("type").is_some_and(|x| x == t);
    // The string member may have been rewritten already (where `Optional[Decimal]` had
    // its members normalized before they were merged): then it is a Decimal marker.
    let decimal_marker = marker(Shape::Decimal, Vec::new());
    members.len() == 2
        && members.iter().any(|m| is(m, "number"))
        && members.iter().any(|m| {
            (is(m, "string") && m.get("pattern").is_some())
                || m.get("x-rust-type") == Some(&decimal_marker)
        })
}

/// The pattern pydantic gives a `Decimal`'s string form.
const DECIMAL_PATTERN: &str = r"^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$";

fn replace_with_marker(obj: &mut Map<String, Value>, shape: Shape, params: Vec<Value>) {
    let nullable = obj.get("nullable") == Some(&Value::Bool(true));
    obj.retain(|k, _| KEPT.contains(&k.as_str()));
    let mut m = marker(shape, params);
    if nullable {
        // progenitor drops `nullable` beside `x-rust-type`; the pass turns this wrapper
        // into `Option`.
        m = marker(
            Shape::Nullable,
            vec![serde_json::json!({ "x-rust-type": m })],
        );
    }
    obj.insert("x-rust-type".into(), m);
}
