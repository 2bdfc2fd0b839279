//! Schemas whose Rust type progenitor's OpenAPI 3.0 reader cannot carry: tuples
//! (`prefixItems`), pydantic's `Decimal`, and the string formats `duration`, `time` and
//! `byte`/`base64`. Each becomes a marker for `passes::shapes` (see `crate::rust_shapes`).
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
        // (A document's own `x-rust-type`, naming a real crate, is left alone.)
        let ours = obj
            .get("x-rust-type")
            .and_then(|m| m.get("crate"))
            .is_some_and(|c| c == crate::rust_shapes::CRATE);
        if ours {
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

/// An optional parameter is already an `Option` in its builder; where its schema is also
/// nullable (`Optional[timedelta] = None`), null and absent mean the same to the server,
/// so the marker loses its `Nullable` wrapper rather than give `Option<Option<T>>`.
pub(super) fn optional_parameter(param: &mut Map<String, Value>) {
    if param.get("required") == Some(&Value::Bool(true)) {
        return;
    }
    if let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) {
        unwrap_nullable_marker(schema);
    }
}

/// A marker wrapped in a `Nullable` one becomes the inner marker (see
/// [`optional_parameter`]; a path parameter cannot be null either).
pub(super) fn unwrap_nullable_marker(schema: &mut Map<String, Value>) {
    let nullable_marker = format!("{}::{}", crate::rust_shapes::CRATE, Shape::Nullable.name());
    let is_nullable_marker = schema
        .get("x-rust-type")
        .and_then(|m| m.get("path"))
        .and_then(Value::as_str)
        == Some(nullable_marker.as_str());
    if !is_nullable_marker {
        return;
    }
    let inner = schema
        .get("x-rust-type")
        .and_then(|m| m.pointer("/parameters/0/x-rust-type"))
        .cloned();
    if let Some(inner) = inner {
        schema.insert("x-rust-type".into(), inner);
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    /// A document with one operation that sends and returns `Thing`.
    fn document(thing: Value, extra_schemas: Value) -> Value {
        let mut schemas = json!({ "Thing": thing });
        schemas
            .as_object_mut()
            .unwrap()
            .extend(extra_schemas.as_object().cloned().unwrap_or_default());
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"post": {
                "operationId": "make_thing",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
            }}},
            "components": {"schemas": schemas}
        })
    }

    fn run(doc: Value) -> Result<crate::Output, crate::Error> {
        crate::run_on_value(std::path::Path::new("doc.json"), "doc.json", doc)
    }

    fn code(output: &crate::Output) -> String {
        output
            .files
            .iter()
            .map(|f| f.contents.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn tuple(extra: Value) -> Value {
        let mut t = json!({"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "minItems": 2, "maxItems": 2});
        t.as_object_mut()
            .unwrap()
            .extend(extra.as_object().cloned().unwrap());
        json!({"type": "object", "properties": {"pair": t}, "required": ["pair"]})
    }

    #[test]
    fn fixed_tuples_become_rust_tuples() {
        let output = run(document(tuple(json!({})), json!({}))).unwrap();
        assert!(code(&output).contains("pub pair: (i64, ::std::string::String),"));
        let one = json!({"type": "object", "properties": {"one": {"type": "array", "prefixItems": [{"type": "boolean"}], "minItems": 1, "maxItems": 1}}});
        let output = run(document(one, json!({}))).unwrap();
        assert!(code(&output).contains("(bool,)"), "{}", code(&output));
        assert!(!code(&output).contains(crate::rust_shapes::CRATE));
    }

    #[test]
    fn variable_length_tuples_are_located_errors() {
        for (extra, words) in [
            (
                json!({"items": {"type": "integer"}, "maxItems": 5}),
                "variable length",
            ),
            (json!({"maxItems": 3}), "variable length"),
            (json!({"minItems": 1}), "trailing items are optional"),
            (json!({"prefixItems": []}), "at least one item"),
        ] {
            let err = run(document(tuple(extra.clone()), json!({}))).unwrap_err();
            assert_eq!(
                err.pointer, "/components/schemas/Thing/properties/pair/prefixItems",
                "{extra}"
            );
            assert!(err.message.contains(words), "{extra}: {err}");
        }
    }

    #[test]
    fn patterns_are_left_to_the_server_with_a_warning() {
        let thing = json!({"type": "object", "properties": {"code": {"type": "string", "pattern": "^[a-z]+$"}}});
        let output = run(document(thing, json!({}))).unwrap();
        assert!(!code(&output).contains("regress"));
        assert!(code(&output).contains("pub code: ::std::option::Option<::std::string::String>"));
        assert!(output.warnings.iter().any(|w| {
            w.pointer == "/components/schemas/Thing/properties/code/pattern"
                && w.message.contains("server")
        }));
    }

    #[test]
    fn a_float_or_string_without_a_pattern_is_not_a_decimal() {
        let thing = json!({"type": "object", "properties": {
            "either": {"anyOf": [{"type": "number"}, {"type": "string"}]},
            "money": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": "^\\d+$"}]}
        }});
        let text = code(&run(document(thing, json!({}))).unwrap());
        assert!(text.contains("pub money: ::std::option::Option<crate::types::formats::Decimal>"));
        assert!(
            !text.contains("pub either: ::std::option::Option<crate::types::formats::Decimal>")
        );
    }

    #[test]
    fn an_any_of_of_overlapping_models_is_an_untagged_enum() {
        let model = |field: &str| json!({"type": "object", "properties": {"name": {"type": "string"}, field: {"type": "string"}}});
        let thing = json!({"type": "object", "properties": {"either": {"anyOf": [
            {"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}
        ]}}});
        let output = run(document(
            thing,
            json!({"A": model("size"), "B": model("color")}),
        ))
        .unwrap();
        let text = code(&output);
        assert!(text.contains("pub enum ThingEither {"), "{text}");
        assert!(!text.contains("subtype_0"));
    }

    #[test]
    fn a_discriminated_union_of_one_member_is_that_member() {
        let member = json!({"type": "object", "properties": {"kind": {"const": "cat"}}, "required": ["kind"]});
        let one = json!({"oneOf": [{"$ref": "#/components/schemas/Cat"}],
            "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}}});
        let thing = json!({"type": "object", "properties": {"pet": one.clone()}});
        run(document(
            thing,
            json!({"Cat": member.clone(), "OnlyCat": one}),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn inline_discriminated_unions_get_one_named_type() {
        let member = |tag: &str| json!({"type": "object", "properties": {"kind": {"const": tag}}, "required": ["kind"]});
        let union = json!({
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}
        });
        let thing = json!({"type": "object", "properties": {
            "pet": union.clone(),
            "pets": {"type": "array", "items": union},
            // The same members told apart by another field: another type.
            "other": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "species", "mapping": {"c": "#/components/schemas/Cat", "d": "#/components/schemas/Dog"}}
            }
        }});
        // A component already named `CatOrDog` keeps its name.
        let schemas =
            json!({"Cat": member("cat"), "Dog": member("dog"), "CatOrDog": {"type": "string"}});
        let output = run(document(thing, schemas)).unwrap();
        let text = code(&output);
        assert!(
            text.contains("pub pet: ::std::option::Option<CatOrDog2>"),
            "{text}"
        );
        assert!(text.contains("pub pets: ::std::vec::Vec<CatOrDog2>"));
        assert!(text.contains("pub other: ::std::option::Option<CatOrDog3>"));
        // The component of that name is still the string it was.
        assert!(text.contains("impl ::std::convert::From<CatOrDog> for ::std::string::String"));
        assert!(text.contains("\"species\""));
    }
}
