//! Schema keywords that OpenAPI 3.0 cannot carry or that typify cannot read, rewritten
//! one schema at a time (called from `Normalizer::schema`): `$ref` siblings, 3.1 type lists
//! and null alternatives, defaults of another type, required names without a property,
//! enum values Rust cannot name apart, annotations, `patternProperties` and exclusive
//! bounds. Each rewrite that loses something says so in a warning.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::Normalizer;
use crate::error::{Error, push_pointer};

impl Normalizer<'_> {
    /// In 3.1 a `$ref` may have siblings (a description, `nullable` in 3.0 practice). 3.0 readers
    /// drop them, so the reference moves into an `allOf` and the siblings survive.
    pub(super) fn reference_with_siblings(
        &self,
        ptr: &str,
        obj: &mut Map<String, Value>,
    ) -> Result<(), Error> {
        let Some(reference) = obj.get("$ref") else {
            return Ok(());
        };
        let Some(reference) = reference.as_str() else {
            return Err(self.error(&push_pointer(ptr, "$ref"), "`$ref` must be a string"));
        };
        if !reference.starts_with("#/components/schemas/") {
            return Err(self.error(
                &push_pointer(ptr, "$ref"),
                format!(
                    "only references to `#/components/schemas/...` are supported, found {reference:?}"
                ),
            ));
        }
        if obj.len() > 1 {
            let reference = obj.remove("$ref").expect("checked above");
            obj.remove("title");
            obj.insert("allOf".into(), json!([{ "$ref": reference }]));
        }
        Ok(())
    }

    /// A `default` that is not of the schema's `type` (pydantic writes what the Python
    /// default serializes to, e.g. `{}` for `list[X] = Body({})`) cannot be a Rust default
    /// of the field's type: it is dropped, and the server applies its own when the field is
    /// left out.
    pub(super) fn default_of_another_type(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
        let (Some(default), Some(ty)) = (obj.get("default"), obj.get("type")) else {
            return;
        };
        let types: Vec<&str> = match ty {
            Value::String(t) => vec![t.as_str()],
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        // `3.0` is an integer to JSON Schema but not to typify, which panics on it.
        if types.contains(&"integer")
            && let Some(whole) = default
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            && !default.is_i64()
            && !default.is_u64()
        {
            obj.insert("default".into(), json!(whole as i64));
            return;
        }
        let nullable = obj.get("nullable") == Some(&Value::Bool(true));
        if (default.is_null() && nullable)
            || types.iter().any(|t| crate::document::has_type(default, t))
        {
            return;
        }
        let message = format!(
            "the default {default} is not of the schema's type {}: dropped (the Rust field has \
             no default, and the server applies its own when the field is left out)",
            types.join(" or ")
        );
        obj.remove("default");
        self.warn(&push_pointer(ptr, "default"), message);
    }

    /// A name in `required` that `properties` lacks (pydantic publishes one for a field
    /// excluded from the schema, as Letta's `UserCreate.organization_id`): the object must
    /// still hold it, so it becomes a required field of any JSON value.
    pub(super) fn required_without_property(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
        let Some(Value::Array(names)) = obj.get("required") else {
            return;
        };
        let Some(properties) = obj.get("properties").and_then(Value::as_object) else {
            return;
        };
        let missing: Vec<(usize, String)> = names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.as_str().map(|n| (i, n.to_string())))
            .filter(|(_, n)| !properties.contains_key(n))
            .collect();
        for (i, name) in missing {
            if let Some(Value::Object(properties)) = obj.get_mut("properties") {
                properties.insert(name.clone(), json!({}));
            }
            self.warn(
                &push_pointer(&push_pointer(ptr, "required"), &i.to_string()),
                format!(
                    "`{name}` is required but `properties` has no `{name}`: the Rust field is \
                     a `serde_json::Value` (any JSON); give it a schema upstream to type it"
                ),
            );
        }
    }

    /// String enums whose values typify cannot name apart, where it would panic: a value
    /// listed twice (ansys's `PowerUnit`: `"hp"`, `"hp"`) is listed once; values that
    /// differ only in what a Rust name cannot spell (`"MJ"` and `"mJ"`, both `Mj`) leave
    /// the schema a plain string. Each with a warning.
    pub(super) fn enum_values(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
        let Some(Value::Array(values)) = obj.get_mut("enum") else {
            return;
        };
        let mut seen: Vec<Value> = Vec::with_capacity(values.len());
        let mut twice = Vec::new();
        for value in values.drain(..) {
            if seen.contains(&value) {
                twice.push(value.to_string());
            } else {
                seen.push(value);
            }
        }
        *values = seen;
        if !twice.is_empty() {
            self.warn(
                &push_pointer(ptr, "enum"),
                format!(
                    "the enum lists {} more than once: each is one variant",
                    twice.join(", ")
                ),
            );
        }
        let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        if strings.len() != values.iter().filter(|v| !v.is_null()).count() {
            return;
        }
        // typify's two attempts at variant names (`TypeEntryEnum::from_metadata`).
        let unique = |names: Vec<String>| {
            let set: BTreeSet<&String> = names.iter().collect();
            set.len() == names.len()
        };
        let plain = strings
            .iter()
            .map(|v| crate::rust_names::sanitize(v, true))
            .collect();
        let spelled = strings
            .iter()
            .map(|v| {
                let x: String = v
                    .chars()
                    .map(|c| {
                        if c == '_' || !(c.is_alphanumeric()) {
                            'X'
                        } else {
                            c
                        }
                    })
                    .collect();
                crate::rust_names::sanitize(&x, true)
            })
            .collect();
        if unique(plain) || unique(spelled) {
            return;
        }
        let listed = strings
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        obj.remove("enum");
        obj.entry("type").or_insert_with(|| json!("string"));
        self.warn(
            &push_pointer(ptr, "enum"),
            format!(
                "the values {listed} cannot all be told apart as Rust variant names (they \
                 differ only in case or punctuation): the Rust type is a `String`, which takes \
                 and shows the values as the document spells them"
            ),
        );
    }

    pub(super) fn drop_annotations(
        &mut self,
        ptr: &str,
        obj: &mut Map<String, Value>,
    ) -> Result<(), Error> {
        // pydantic's `Json[T]` validates a string holding JSON text: `contentMediaType:
        // application/json` with the text's schema as `contentSchema`, which typify does not
        // read. (The events of `text/event-stream` bodies say the same, and `passes::responses`
        // reads their `contentSchema` from `itemSchema`.)
        if obj
            .get("contentMediaType")
            .is_some_and(|m| m == "application/json")
            && obj.contains_key("contentSchema")
            && !ptr.contains("/itemSchema/")
        {
            self.warn(
                &push_pointer(ptr, "contentSchema"),
                "a string holding JSON text (pydantic's `Json[...]`) is a `String` in Rust and \
                 the client does not check the text against `contentSchema`: write it with \
                 `serde_json::to_string`; acknowledge this warning in overrides.json",
            );
        }
        // FastAPI derives every `title` from a name the Rust code already has; typify would
        // otherwise turn them into doc lines and, for inline objects, type names.
        for key in [
            "title",
            "$schema",
            "$id",
            "$anchor",
            "$comment",
            "contentMediaType",
            "contentEncoding",
        ] {
            obj.remove(key);
        }
        for key in [
            "propertyNames",
            "unevaluatedProperties",
            "unevaluatedItems",
            "dependentRequired",
            "dependentSchemas",
            "contains",
            "minContains",
            "maxContains",
            "if",
            "then",
            "else",
        ] {
            if obj.remove(key).is_some() {
                self.warn(
                    &push_pointer(ptr, key),
                    format!("`{key}` only constrains values further; the client does not check it"),
                );
            }
        }
        for key in ["$defs", "$dynamicRef", "$dynamicAnchor"] {
            if obj.contains_key(key) {
                return Err(self.error(
                    &push_pointer(ptr, key),
                    format!("`{key}` is not supported; define the schema under components/schemas"),
                ));
            }
        }
        Ok(())
    }

    /// `type: [X, "null"]` (3.1) becomes `type: X, nullable: true` (3.0).
    pub(super) fn type_list(&self, ptr: &str, obj: &mut Map<String, Value>) -> Result<(), Error> {
        let Some(Value::Array(types)) = obj.get("type") else {
            return Ok(());
        };
        let mut names = Vec::new();
        for t in types {
            match t.as_str() {
                Some(s) => names.push(s.to_string()),
                None => {
                    return Err(self.error(
                        &push_pointer(ptr, "type"),
                        format!("each type must be a string, found {t}"),
                    ));
                }
            }
        }
        let nullable = names.iter().any(|t| t == "null");
        names.retain(|t| t != "null");
        obj.remove("type");
        if nullable {
            obj.insert("nullable".into(), Value::Bool(true));
        }
        match names.as_slice() {
            [] if nullable => {
                obj.insert("enum".into(), json!([null]));
            }
            [] => {}
            [one] => {
                obj.insert("type".into(), Value::String(one.clone()));
            }
            many => {
                let alternatives = many.iter().map(|t| json!({ "type": t })).collect();
                obj.insert("anyOf".into(), Value::Array(alternatives));
            }
        }
        Ok(())
    }

    /// `anyOf: [X, {type: null}]`, FastAPI's spelling of `Optional[X]`, becomes X with
    /// `nullable: true`. Progenitor panics on the original form.
    pub(super) fn null_alternatives(
        &mut self,
        ptr: &str,
        obj: &mut Map<String, Value>,
        key: &str,
    ) -> Result<(), Error> {
        let Some(Value::Array(members)) = obj.get(key) else {
            return Ok(());
        };
        if !members.iter().any(is_null_schema) {
            return Ok(());
        }
        let Some(Value::Array(members)) = obj.remove(key) else {
            unreachable!("matched above")
        };
        let mut rest = Vec::new();
        for (i, mut member) in members.into_iter().enumerate() {
            if is_null_schema(&member) {
                continue;
            }
            // The member is about to be merged into its parent, past the rewrites the
            // parent has already had; give it the same rewrites first.
            self.schema(
                &push_pointer(&push_pointer(ptr, key), &i.to_string()),
                &mut member,
            )?;
            rest.push(member);
        }
        obj.insert("nullable".into(), Value::Bool(true));
        match rest.len() {
            0 => {
                obj.insert("enum".into(), json!([null]));
            }
            1 => {
                let only = rest.pop().expect("one member");
                let Value::Object(only) = only else {
                    return Err(self.error(
                        &push_pointer(ptr, key),
                        "the non-null alternative must be a schema object",
                    ));
                };
                if only.contains_key("$ref") && only.len() == 1 {
                    // A bare reference cannot carry `nullable`; wrap it.
                    push_all_of(obj, Value::Object(only));
                } else {
                    // The outer object holds annotations (description, default) and the
                    // member holds the type; the outer annotations win.
                    for (k, v) in only {
                        if k == "allOf" && obj.contains_key("allOf") {
                            for item in v.as_array().into_iter().flatten() {
                                push_all_of(obj, item.clone());
                            }
                        } else {
                            obj.entry(k).or_insert(v);
                        }
                    }
                    // The merged member may itself need 3.1 rewrites (its `type` list, say).
                    self.type_list(ptr, obj)?;
                }
            }
            _ => {
                obj.insert(key.into(), Value::Array(rest));
            }
        }
        Ok(())
    }

    /// Pydantic publishes `dict[constr(pattern=...), V]` as `patternProperties`, which 3.0
    /// lacks. The value schema becomes `additionalProperties`; the key pattern is dropped.
    pub(super) fn pattern_properties(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
        let Some(patterns) = obj.remove("patternProperties") else {
            return;
        };
        let values: Vec<Value> = patterns
            .as_object()
            .map(|p| p.values().cloned().collect())
            .unwrap_or_default();
        let value_schema = match values.as_slice() {
            [one] => one.clone(),
            _ => json!({}),
        };
        match obj.get("additionalProperties") {
            None | Some(Value::Bool(true)) => {
                obj.insert("additionalProperties".into(), value_schema);
            }
            _ => {}
        }
        self.warn(
            &push_pointer(ptr, "patternProperties"),
            "key patterns are not checked by the client; the values' schema is kept as `additionalProperties`",
        );
    }
}

pub(super) fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").is_some_and(|t| t == "null")
        || schema.get("enum").is_some_and(|e| e == &json!([null]))
        || schema.get("const").is_some_and(Value::is_null)
}

pub(super) fn push_all_of(obj: &mut Map<String, Value>, item: Value) {
    match obj.get_mut("allOf") {
        Some(Value::Array(list)) => list.push(item),
        _ => {
            obj.insert("allOf".into(), Value::Array(vec![item]));
        }
    }
}

/// 3.1's numeric `exclusiveMinimum: 0` is 3.0's `minimum: 0, exclusiveMinimum: true`.
pub(super) fn exclusive_bounds(obj: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    let Some(Value::Number(bound)) = obj.get(exclusive).cloned() else {
        return;
    };
    let tighter = match (obj.get(inclusive).and_then(Value::as_f64), bound.as_f64()) {
        (Some(inc), Some(exc)) if exclusive == "exclusiveMinimum" => exc >= inc,
        (Some(inc), Some(exc)) => exc <= inc,
        _ => true,
    };
    if tighter {
        obj.insert(inclusive.into(), Value::Number(bound));
        obj.insert(exclusive.into(), Value::Bool(true));
    } else {
        obj.remove(exclusive);
    }
}
