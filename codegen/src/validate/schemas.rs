//! Schemas, wherever they sit: the JSON type of every keyword's value, `type` names, where a
//! `format` applies, `enum`, `const` and `default` values against the schema's type,
//! `required` names against `properties`, `items` on arrays, and schema `$ref`s.
//!
//! Each rule is here because typify (through progenitor) panics, or generates code that does
//! not compile, on a schema that breaks it; the mutation fuzzer found most of them.

use serde_json::{Map, Value};

use super::operations::section;
use super::{Context, json_type, show};
use crate::document::has_type;
use crate::error::{Error, push_pointer};

/// The JSON Schema type names (`null` is 3.1's; the normalizer rewrites it for 3.0).
const TYPES: [&str; 7] = [
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// What a keyword's value must be.
#[derive(Clone, Copy)]
enum Expect {
    String,
    Number,
    NumberOrBoolean,
    Count,
    Boolean,
    Array,
    Object,
    Schema,
    SchemaOrArray,
}

impl Expect {
    fn accepts(self, value: &Value) -> bool {
        match self {
            Expect::String => value.is_string(),
            Expect::Number => value.is_number(),
            Expect::NumberOrBoolean => value.is_number() || value.is_boolean(),
            Expect::Count => value.is_u64(),
            Expect::Boolean => value.is_boolean(),
            Expect::Array => value.is_array(),
            Expect::Object => value.is_object(),
            Expect::Schema => value.is_object() || value.is_boolean(),
            Expect::SchemaOrArray => value.is_object() || value.is_boolean() || value.is_array(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Expect::String => "a string",
            Expect::Number => "a number",
            Expect::NumberOrBoolean => "a number (3.1) or a boolean (3.0)",
            Expect::Count => "a non-negative integer",
            Expect::Boolean => "a boolean",
            Expect::Array => "an array",
            Expect::Object => "an object",
            Expect::Schema => "a schema (an object or a boolean)",
            Expect::SchemaOrArray => "a schema (an object or a boolean)",
        }
    }
}

/// The keywords whose values the generator reads, and what each must be. (`title` and
/// other annotations the normalizer drops are not checked: they cannot break generation.)
const KEYWORDS: [(&str, Expect); 27] = [
    ("format", Expect::String),
    ("pattern", Expect::String),
    ("description", Expect::String),
    ("minimum", Expect::Number),
    ("maximum", Expect::Number),
    ("multipleOf", Expect::Number),
    ("exclusiveMinimum", Expect::NumberOrBoolean),
    ("exclusiveMaximum", Expect::NumberOrBoolean),
    ("minLength", Expect::Count),
    ("maxLength", Expect::Count),
    ("minItems", Expect::Count),
    ("maxItems", Expect::Count),
    ("minProperties", Expect::Count),
    ("maxProperties", Expect::Count),
    ("nullable", Expect::Boolean),
    ("readOnly", Expect::Boolean),
    ("writeOnly", Expect::Boolean),
    ("deprecated", Expect::Boolean),
    ("uniqueItems", Expect::Boolean),
    ("enum", Expect::Array),
    ("required", Expect::Array),
    ("properties", Expect::Object),
    ("patternProperties", Expect::Object),
    ("discriminator", Expect::Object),
    ("additionalProperties", Expect::Schema),
    ("not", Expect::Schema),
    ("items", Expect::SchemaOrArray),
];

/// Every schema under `components/schemas` (the others are checked where they sit).
pub(super) fn check_components(cx: &Context) -> Result<(), Error> {
    for (name, schema) in section(cx.doc.get("components"), "schemas") {
        check(cx, &push_pointer("/components/schemas", name), schema)?;
    }
    Ok(())
}

/// Whether a schema can only mean "null" (3.1's `{type: null}`, or a `null` const or enum).
pub(super) fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").is_some_and(|t| t == "null")
        || schema
            .get("enum")
            .is_some_and(|e| e == &serde_json::json!([null]))
        || schema.get("const").is_some_and(Value::is_null)
}

/// Checks the schema `schema` at `ptr` and every schema inside it.
pub(super) fn check(cx: &Context, ptr: &str, schema: &Value) -> Result<(), Error> {
    let obj = match schema {
        Value::Bool(_) => return Ok(()),
        Value::Object(obj) => obj,
        other => {
            return Err(cx.error(
                ptr,
                format!("a schema must be an object or a boolean, found {other}"),
            ));
        }
    };
    if let Some(reference) = obj.get("$ref") {
        self::reference(cx, &push_pointer(ptr, "$ref"), reference)?;
    }
    for (key, expect) in KEYWORDS {
        if let Some(value) = obj.get(key)
            && !expect.accepts(value)
        {
            return Err(cx.error(
                &push_pointer(ptr, key),
                format!(
                    "`{key}` must be {}, found {}",
                    expect.describe(),
                    json_type(value)
                ),
            ));
        }
    }
    let types = type_names(cx, ptr, obj)?;
    format(cx, ptr, obj, types.as_deref())?;
    values(cx, ptr, obj, types.as_deref())?;
    required(cx, ptr, obj)?;
    items(cx, ptr, obj, types.as_deref())?;
    if let Some(discriminator) = obj.get("discriminator")
        && !discriminator
            .get("propertyName")
            .is_some_and(Value::is_string)
    {
        return Err(cx.error(
            &push_pointer(ptr, "discriminator"),
            "a discriminator needs a `propertyName` string",
        ));
    }

    for key in ["properties", "patternProperties"] {
        let k_ptr = push_pointer(ptr, key);
        for (name, sub) in obj
            .get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            check(cx, &push_pointer(&k_ptr, name), sub)?;
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = obj.get(key).filter(|s| !s.is_array()) {
            check(cx, &push_pointer(ptr, key), sub)?;
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        let Some(list) = obj.get(key) else { continue };
        let l_ptr = push_pointer(ptr, key);
        let Some(list) = list.as_array() else {
            return Err(cx.error(&l_ptr, "must be an array of schemas"));
        };
        for (i, sub) in list.iter().enumerate() {
            check(cx, &push_pointer(&l_ptr, &i.to_string()), sub)?;
        }
    }
    Ok(())
}

/// A schema reference must name a schema of this document.
fn reference(cx: &Context, r_ptr: &str, reference: &Value) -> Result<(), Error> {
    let Some(reference) = reference.as_str() else {
        return Err(cx.error(r_ptr, "`$ref` must be a string"));
    };
    let Some(name) = reference.strip_prefix("#/components/schemas/") else {
        return Err(cx.error(
            r_ptr,
            format!(
                "only references to `#/components/schemas/...` are supported, found {reference:?}"
            ),
        ));
    };
    if name.contains('/') {
        return Err(cx.error(
            r_ptr,
            format!(
                "{reference:?} points inside a schema; a reference must name a whole schema of `#/components/schemas/`"
            ),
        ));
    }
    let exists = cx
        .doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(|s| s.pointer(&format!("/{name}")))
        .is_some();
    if !exists {
        return Err(cx.error(
            r_ptr,
            format!("{reference:?} does not point at anything in the document"),
        ));
    }
    Ok(())
}

/// The schema's type names (`type: X` or 3.1's `type: [X, ...]`); `None` when it has none.
fn type_names(
    cx: &Context,
    ptr: &str,
    obj: &Map<String, Value>,
) -> Result<Option<Vec<String>>, Error> {
    let Some(ty) = obj.get("type") else {
        return Ok(None);
    };
    let t_ptr = push_pointer(ptr, "type");
    let names: Vec<&Value> = match ty {
        Value::String(_) => vec![ty],
        Value::Array(list) => list.iter().collect(),
        other => {
            return Err(cx.error(
                &t_ptr,
                format!(
                    "`type` must be a type name or a list of them, found {}",
                    json_type(other)
                ),
            ));
        }
    };
    let mut out = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let at = if ty.is_array() {
            push_pointer(&t_ptr, &i.to_string())
        } else {
            t_ptr.clone()
        };
        let Some(name) = name.as_str() else {
            // The normalizer's wording, which tests rely on.
            return Err(cx.error(&t_ptr, format!("each type must be a string, found {name}")));
        };
        if !TYPES.contains(&name) {
            return Err(cx.error(
                &at,
                format!(
                    "{name:?} is not a type; expected one of {}",
                    TYPES.join(", ")
                ),
            ));
        }
        out.push(name.to_string());
    }
    Ok(Some(out))
}

/// Keywords that only constrain numbers, or only strings: typify reads them from the schema
/// of that type, and reaches a `todo!` on a schema that has them but no type.
const NUMBER_KEYWORDS: [&str; 5] = [
    "minimum",
    "maximum",
    "multipleOf",
    "exclusiveMinimum",
    "exclusiveMaximum",
];
const STRING_KEYWORDS: [&str; 3] = ["minLength", "maxLength", "pattern"];

/// Typify reads `format` on strings and numbers only (anywhere else it hits a `todo!`), and
/// numeric or string limits only beside a `type`.
fn format(
    cx: &Context,
    ptr: &str,
    obj: &Map<String, Value>,
    types: Option<&[String]>,
) -> Result<(), Error> {
    let composed = ["$ref", "allOf", "anyOf", "oneOf", "enum", "const"]
        .iter()
        .any(|k| obj.contains_key(*k));
    if let Some(types) = types
        && types.is_empty()
    {
        return Err(cx.error(
            &push_pointer(ptr, "type"),
            "`type` must name at least one type",
        ));
    }
    if types.is_none() && !composed {
        let limit = NUMBER_KEYWORDS
            .iter()
            .map(|k| (k, "integer or number"))
            .chain(STRING_KEYWORDS.iter().map(|k| (k, "string")))
            .find(|(k, _)| obj.contains_key(**k));
        if let Some((key, ty)) = limit {
            return Err(cx.error(
                &push_pointer(ptr, key),
                format!("`{key}` needs a `type` ({ty}) beside it"),
            ));
        }
    }
    let Some(format) = obj.get("format").and_then(Value::as_str) else {
        return Ok(());
    };
    let f_ptr = push_pointer(ptr, "format");
    match types {
        None if composed => Ok(()),
        None => Err(cx.error(
            &f_ptr,
            format!("the format {format:?} needs a `type` (string, integer or number) beside it"),
        )),
        Some(types) => {
            let wrong: Vec<&str> = types
                .iter()
                .map(String::as_str)
                .filter(|t| !matches!(*t, "string" | "integer" | "number" | "null"))
                .collect();
            if wrong.is_empty() {
                Ok(())
            } else {
                Err(cx.error(
                    &f_ptr,
                    format!(
                        "the format {format:?} applies to strings and numbers, not to type {}",
                        wrong.join(", ")
                    ),
                ))
            }
        }
    }
}

/// `enum`, `const` and `default` values must be of the schema's type: typify renders them
/// as Rust values of that type and panics when it cannot.
fn values(
    cx: &Context,
    ptr: &str,
    obj: &Map<String, Value>,
    types: Option<&[String]>,
) -> Result<(), Error> {
    if let Some(Value::Array(values)) = obj.get("enum")
        && values.is_empty()
    {
        return Err(cx.error(
            &push_pointer(ptr, "enum"),
            "an `enum` needs at least one value (with none, no value is valid)",
        ));
    }
    let Some(types) = types else {
        return Ok(());
    };
    let nullable = obj.get("nullable") == Some(&Value::Bool(true));
    let fits =
        |value: &Value| (value.is_null() && nullable) || types.iter().any(|t| has_type(value, t));
    let expected = types.join(" or ");
    for (i, value) in obj
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if !fits(value) {
            return Err(cx.error(
                &push_pointer(&push_pointer(ptr, "enum"), &i.to_string()),
                format!(
                    "the enum value {} is not of the schema's type {expected}",
                    show(value)
                ),
            ));
        }
    }
    // A `default` of another type is dropped with a warning by `normalize` (real documents
    // have them, e.g. `list[X] = Body({})`); a `const` of another type means nothing.
    for key in ["const"] {
        if let Some(value) = obj.get(key)
            && !fits(value)
        {
            return Err(cx.error(
                &push_pointer(ptr, key),
                format!(
                    "the {key} {} is not of the schema's type {expected}",
                    show(value)
                ),
            ));
        }
    }
    Ok(())
}

/// `required` lists names. (A name with no property, as in Letta's `UserCreate`, is
/// normalized into a field of any JSON value, with a warning: see `normalize`.)
fn required(cx: &Context, ptr: &str, obj: &Map<String, Value>) -> Result<(), Error> {
    let Some(Value::Array(names)) = obj.get("required") else {
        return Ok(());
    };
    let r_ptr = push_pointer(ptr, "required");
    for (i, name) in names.iter().enumerate() {
        if !name.is_string() {
            return Err(cx.error(
                &push_pointer(&r_ptr, &i.to_string()),
                format!("a required name must be a string, found {}", show(name)),
            ));
        }
    }
    Ok(())
}

/// An array schema says what its items are: OpenAPI 3.0 requires `items` beside
/// `type: array` (3.1, being JSON Schema, reads a missing `items` as "anything").
fn items(
    cx: &Context,
    ptr: &str,
    obj: &Map<String, Value>,
    types: Option<&[String]>,
) -> Result<(), Error> {
    let is_array = types.is_some_and(|t| t.iter().any(|t| t == "array"));
    if is_array && cx.is_30() && !obj.contains_key("items") {
        return Err(cx.error(
            ptr,
            "an array schema needs `items` in OpenAPI 3.0 (use `items: {}` for any values)",
        ));
    }
    Ok(())
}
