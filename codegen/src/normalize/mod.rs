//! Stage 2: rewrite any OpenAPI 3.0 or 3.1 document into the 3.0.3 subset that progenitor
//! reads without panicking.
//!
//! FastAPI publishes 3.1 (JSON Schema 2020-12); progenitor only reads 3.0 and has
//! `todo!`/`assert!` on some shapes. Each rewrite here keeps the meaning for a Rust client;
//! where a rewrite has to drop a validation rule it is reported as a [`Warning`], and where
//! no faithful rewrite exists the document is rejected with an [`Error`] that points at it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::document::METHODS;
use crate::error::{Error, Warning, push_pointer};
pub mod bodies;
pub mod naming;
pub mod parameters;
mod runtime_schemas;
mod shapes;
pub mod statuses;
mod unions;

/// The outcome of normalization.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The document in OpenAPI 3.0.3 form, operationIds replaced by method names.
    pub document: Value,
    /// What was lost on the way, for the maintainer to read.
    pub warnings: Vec<Warning>,
}

/// Normalizes `doc`, read from `file`.
pub fn normalize(file: &Path, mut doc: Value) -> Result<Normalized, Error> {
    let mut n = Normalizer {
        file,
        warnings: Vec::new(),
        hoisted: unions::Hoisted::new(&doc),
        status_bodies: Map::new(),
    };
    n.version(&mut doc);
    n.drop_31_only_fields(&mut doc);
    runtime_schemas::ensure(file, &mut doc)?;
    bodies::split_multipart(file, &mut doc)?;
    n.schemas_everywhere(&mut doc)?;
    n.warnings.extend(bodies::text_bodies(&mut doc));
    n.hoisted.insert_into(&mut doc);
    let naming = naming::assign_method_names(file, &mut doc)?;
    n.warnings.extend(naming);
    bodies::name_embedded_bodies(&mut doc);
    n.check_paths(&mut doc)?;
    n.insert_status_bodies(&mut doc);
    parameters::header_parameters(&mut doc);
    parameters::path_parameters_not_null(&mut doc, &mut n.warnings);
    parameters::scalar_unions(&mut doc);
    Ok(Normalized {
        document: doc,
        warnings: n.warnings,
    })
}

struct Normalizer<'a> {
    file: &'a Path,
    warnings: Vec<Warning>,
    hoisted: unions::Hoisted,
    /// Inline schemas of success statuses keyed by status, for `components/schemas`.
    status_bodies: Map<String, Value>,
}

impl Normalizer<'_> {
    fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::new(self.file, pointer, message)
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    /// Adds the schemas [`statuses::key_by_status`] moved out of responses to
    /// `components/schemas`.
    fn insert_status_bodies(&mut self, doc: &mut Value) {
        if self.status_bodies.is_empty() {
            return;
        }
        let root = doc
            .as_object_mut()
            .expect("load checks the root is an object");
        let components = root.entry("components").or_insert_with(|| json!({}));
        if let Some(components) = components.as_object_mut() {
            let schemas = components.entry("schemas").or_insert_with(|| json!({}));
            if let Some(schemas) = schemas.as_object_mut() {
                schemas.append(&mut self.status_bodies);
            }
        }
    }

    /// The version, `info` and `paths` were checked by [`crate::validate`]; progenitor reads
    /// 3.0.3, which is what the rewrites below produce.
    fn version(&self, doc: &mut Value) {
        if let Some(root) = doc.as_object_mut() {
            root.insert("openapi".into(), Value::String("3.0.3".into()));
        }
    }

    /// Top-level 3.1 additions with no 3.0 counterpart. None of them shapes the client.
    fn drop_31_only_fields(&mut self, doc: &mut Value) {
        let root = doc
            .as_object_mut()
            .expect("load checks the root is an object");
        root.remove("jsonSchemaDialect");
        if let Some(webhooks) = root.remove("webhooks")
            && webhooks.as_object().is_some_and(|w| !w.is_empty())
        {
            self.warn(
                "/webhooks",
                "webhooks are requests the server sends, not the client: ignored",
            );
        }
        if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
            info.remove("summary");
            if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
                license.remove("identifier");
            }
        }
        if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut)
            && components.remove("pathItems").is_some()
        {
            self.warn(
                "/components/pathItems",
                "reusable path items are not supported: ignored",
            );
        }
    }

    /// Visits every place the document holds a schema and normalizes it.
    fn schemas_everywhere(&mut self, doc: &mut Value) -> Result<(), Error> {
        if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
            if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
                for (name, schema) in schemas.iter_mut() {
                    let ptr = push_pointer("/components/schemas", name);
                    self.schema(&ptr, schema)?;
                }
            }
            for (kind, holder) in [
                ("parameters", Holder::Parameter),
                ("headers", Holder::Parameter),
                ("requestBodies", Holder::Content),
                ("responses", Holder::Response),
            ] {
                if let Some(items) = components.get_mut(kind).and_then(Value::as_object_mut) {
                    for (name, item) in items.iter_mut() {
                        let ptr = push_pointer(&push_pointer("/components", kind), name);
                        self.holder(&ptr, item, holder)?;
                    }
                }
            }
        }
        let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
            return Ok(());
        };
        for (path, item) in paths.iter_mut() {
            let ptr = push_pointer("/paths", path);
            let Some(item) = item.as_object_mut() else {
                return Err(self.error(&ptr, "a path item must be an object"));
            };
            self.parameter_list(
                &push_pointer(&ptr, "parameters"),
                item.get_mut("parameters"),
            )?;
            for method in METHODS {
                let Some(op) = item.get_mut(method) else {
                    continue;
                };
                let op_ptr = push_pointer(&ptr, method);
                let Some(op) = op.as_object_mut() else {
                    return Err(self.error(&op_ptr, "an operation must be an object"));
                };
                self.parameter_list(
                    &push_pointer(&op_ptr, "parameters"),
                    op.get_mut("parameters"),
                )?;
                if let Some(body) = op.get_mut("requestBody") {
                    self.holder(&push_pointer(&op_ptr, "requestBody"), body, Holder::Content)?;
                }
                if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    for (status, response) in responses.iter_mut() {
                        let r_ptr = push_pointer(&push_pointer(&op_ptr, "responses"), status);
                        self.holder(&r_ptr, response, Holder::Response)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn parameter_list(&mut self, ptr: &str, list: Option<&mut Value>) -> Result<(), Error> {
        let Some(list) = list else { return Ok(()) };
        let Some(list) = list.as_array_mut() else {
            return Err(self.error(ptr, "`parameters` must be an array"));
        };
        for (i, param) in list.iter_mut().enumerate() {
            self.holder(&push_pointer(ptr, &i.to_string()), param, Holder::Parameter)?;
        }
        Ok(())
    }

    /// A parameter, request body or response: the things that hold schemas.
    fn holder(&mut self, ptr: &str, value: &mut Value, kind: Holder) -> Result<(), Error> {
        let Some(obj) = value.as_object_mut() else {
            return Err(self.error(ptr, "must be an object"));
        };
        if obj.contains_key("$ref") {
            return Ok(());
        }
        if let Some(content) = obj.get("content")
            && !content.is_object()
        {
            return Err(self.error(&push_pointer(ptr, "content"), "`content` must be an object"));
        }
        if kind == Holder::Parameter {
            if let Some(schema) = obj.get_mut("schema") {
                self.schema(&push_pointer(ptr, "schema"), schema)?;
            }
            shapes::optional_parameter(obj);
            // 3.1 lets a parameter's `examples` be a list; 3.0 wants a map of Example objects.
            if obj.get("examples").is_some_and(Value::is_array) {
                let examples = obj.remove("examples");
                if let Some(first) = examples.and_then(|e| e.as_array()?.first().cloned()) {
                    obj.entry("example").or_insert(first);
                }
            }
        }
        if let Some(content) = obj.get_mut("content").and_then(Value::as_object_mut) {
            for (media, media_obj) in content.iter_mut() {
                let m_ptr = push_pointer(&push_pointer(ptr, "content"), media);
                if !media_obj.is_object() {
                    return Err(self.error(&m_ptr, "a media type must be an object"));
                }
                if let Some(schema) = media_obj.get_mut("schema") {
                    self.schema(&push_pointer(&m_ptr, "schema"), schema)?;
                } else if is_json_media(media) {
                    // Validation let a JSON media type without a schema through: any JSON.
                    media_obj["schema"] = json!({});
                    self.warn(
                        &m_ptr,
                        format!(
                            "{media} has no `schema`: the body is any JSON value \
                             (`serde_json::Value`); add a schema upstream for a typed body, \
                             or acknowledge this warning"
                        ),
                    );
                }
            }
        }
        if kind == Holder::Response
            && let Some(headers) = obj.get_mut("headers").and_then(Value::as_object_mut)
        {
            for (name, header) in headers.iter_mut() {
                let h_ptr = push_pointer(&push_pointer(ptr, "headers"), name);
                self.holder(&h_ptr, header, Holder::Parameter)?;
            }
        }
        Ok(())
    }

    /// Rewrites one JSON Schema (2020-12 or OpenAPI 3.0 dialect) into the 3.0 dialect.
    fn schema(&mut self, ptr: &str, schema: &mut Value) -> Result<(), Error> {
        match schema {
            Value::Bool(true) => {
                *schema = json!({});
                return Ok(());
            }
            Value::Bool(false) => {
                return Err(self.error(
                    ptr,
                    "the schema `false` (no value is valid) cannot be generated",
                ));
            }
            Value::Object(_) => {}
            other => {
                return Err(self.error(
                    ptr,
                    format!("a schema must be an object or a boolean, found {other}"),
                ));
            }
        }
        let obj = schema.as_object_mut().expect("matched above");

        self.reference_with_siblings(ptr, obj)?;
        if obj.contains_key("$ref") {
            return Ok(());
        }
        self.drop_annotations(ptr, obj)?;
        self.default_of_another_type(ptr, obj);
        self.required_without_property(ptr, obj);
        self.type_list(ptr, obj)?;
        self.null_alternatives(ptr, obj, "anyOf")?;
        self.null_alternatives(ptr, obj, "oneOf")?;
        exclusive_bounds(obj, "exclusiveMinimum", "minimum");
        exclusive_bounds(obj, "exclusiveMaximum", "maximum");
        if let Some(Value::Array(examples)) = obj.remove("examples")
            && let Some(first) = examples.into_iter().next()
        {
            obj.entry("example").or_insert(first);
        }
        if let Some(c) = obj.remove("const") {
            obj.entry("enum").or_insert_with(|| Value::Array(vec![c]));
        }
        self.enum_values(ptr, obj);
        self.pattern_properties(ptr, obj);
        // pydantic's `IPvAnyAddress` is `format: ipvanyaddress`; typify's name for an IPv4
        // or IPv6 address (`std::net::IpAddr`, written as pydantic writes it) is `ip`.
        if obj.get("format").is_some_and(|f| f == "ipvanyaddress") {
            obj.insert("format".into(), json!("ip"));
        }
        self.rust_shapes(ptr, obj)?;
        self.unions(ptr, obj);
        // JSON Schema lets an object without `additionalProperties` hold any other field;
        // saying so explicitly makes typify keep such fields in an `extra` map, so that a
        // field the server adds later survives decoding and re-encoding.
        // pydantic's `extra="allow"` says `additionalProperties: true` beside its fields,
        // which typify reads as a closed struct (the extra fields were lost on decoding and
        // could not be sent): `{}` says the same and keeps them in the `extra` map. A map
        // without named fields (`properties: {}`) stays a map.
        let named_fields = obj
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        let open = obj.get("additionalProperties");
        if (obj.contains_key("properties") && open.is_none())
            || (named_fields && open == Some(&Value::Bool(true)))
        {
            obj.insert("additionalProperties".into(), json!({}));
        }
        // 3.1 reads an array without `items` as an array of anything; 3.0 requires `items`.
        if obj.get("type").is_some_and(|t| t == "array") && !obj.contains_key("items") {
            obj.insert("items".into(), json!({}));
        }
        if obj.get("type").is_some_and(|t| t == "null") {
            // 3.0 has no null type; an always-null value is a nullable schema with one value.
            obj.remove("type");
            obj.insert("nullable".into(), Value::Bool(true));
            obj.insert("enum".into(), json!([null]));
        }

        // Recurse into subschemas.
        for key in ["properties"] {
            if let Some(props) = obj.get_mut(key) {
                let p_ptr = push_pointer(ptr, key);
                let Some(props) = props.as_object_mut() else {
                    return Err(self.error(&p_ptr, "must be an object of schemas"));
                };
                for (name, sub) in props.iter_mut() {
                    self.schema(&push_pointer(&p_ptr, name), sub)?;
                }
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            match obj.get_mut(key) {
                Some(Value::Bool(_)) if key == "additionalProperties" => {}
                Some(Value::Array(_)) if key == "items" => {
                    return Err(self.error(
                        &push_pointer(ptr, key),
                        "tuple `items` (an array of schemas) is not supported",
                    ));
                }
                Some(sub) => self.schema(&push_pointer(ptr, key), sub)?,
                None => {}
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(list) = obj.get_mut(key) {
                let l_ptr = push_pointer(ptr, key);
                let Some(list) = list.as_array_mut() else {
                    return Err(self.error(&l_ptr, "must be an array of schemas"));
                };
                if list.is_empty() {
                    return Err(self.error(&l_ptr, "must hold at least one schema"));
                }
                for (i, sub) in list.iter_mut().enumerate() {
                    self.schema(&push_pointer(&l_ptr, &i.to_string()), sub)?;
                }
            }
        }
        Ok(())
    }

    /// In 3.1 a `$ref` may have siblings (a description, `nullable` in 3.0 practice). 3.0 readers
    /// drop them, so the reference moves into an `allOf` and the siblings survive.
    fn reference_with_siblings(
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
    fn default_of_another_type(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
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
    fn required_without_property(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
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
    fn enum_values(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
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

    fn drop_annotations(&mut self, ptr: &str, obj: &mut Map<String, Value>) -> Result<(), Error> {
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
    fn type_list(&self, ptr: &str, obj: &mut Map<String, Value>) -> Result<(), Error> {
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
    fn null_alternatives(
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
    fn pattern_properties(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
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

    /// Checks the things progenitor asserts instead of reporting, and makes each operation's
    /// responses fit its one-success-type, one-error-type model.
    fn check_paths(&mut self, doc: &mut Value) -> Result<(), Error> {
        let components = doc.get("components").cloned().unwrap_or(Value::Null);
        let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
            return Ok(());
        };
        for (path, item) in paths.iter_mut() {
            let ptr = push_pointer("/paths", path);
            let item = item.as_object_mut().expect("checked in schemas_everywhere");
            for method in METHODS {
                let Some(op) = item.get_mut(method) else {
                    continue;
                };
                let op_ptr = push_pointer(&ptr, method);
                self.one_body_media_type(&op_ptr, op, &components)?;
                self.check_media_types(&op_ptr, op)?;
                self.unify_responses(&op_ptr, op, &components)?;
            }
        }
        Ok(())
    }

    /// Progenitor takes one media type per request body. Where JSON is among several, the
    /// client sends JSON (with a warning); several others are an error.
    fn one_body_media_type(
        &mut self,
        op_ptr: &str,
        op: &mut Value,
        components: &Value,
    ) -> Result<(), Error> {
        let body_ptr = push_pointer(op_ptr, "requestBody");
        let Some(body) = op.get_mut("requestBody") else {
            return Ok(());
        };
        let media: Vec<String> = resolve(body, components, "requestBodies")
            .and_then(|b| b.get("content"))
            .and_then(Value::as_object)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        if media.len() <= 1 {
            return Ok(());
        }
        let Some(json) = media.iter().find(|m| is_json_media(m)).cloned() else {
            return Err(self.error(
                &push_pointer(&body_ptr, "content"),
                format!("the request body offers {}; the client can send only one kind of body, and none is JSON", media.join(", ")),
            ));
        };
        if body.get("$ref").is_some() {
            *body = resolve(body, components, "requestBodies")
                .cloned()
                .unwrap_or_default();
        }
        if let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) {
            content.retain(|m, _| *m == json);
        }
        let others: Vec<&str> = media
            .iter()
            .filter(|m| **m != json)
            .map(String::as_str)
            .collect();
        self.warn(
            &push_pointer(&body_ptr, "content"),
            format!(
                "the body can also be sent as {}; the client sends {json} only",
                others.join(", ")
            ),
        );
        Ok(())
    }

    fn check_media_types(&self, op_ptr: &str, op: &Value) -> Result<(), Error> {
        let responses = op.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            let content = response.get("content").and_then(Value::as_object);
            for (media, m) in content.into_iter().flatten() {
                if m.get("encoding")
                    .and_then(Value::as_object)
                    .is_some_and(|e| !e.is_empty())
                {
                    let ptr = push_pointer(
                        &push_pointer(
                            &push_pointer(&push_pointer(op_ptr, "responses"), status),
                            "content",
                        ),
                        media,
                    );
                    return Err(self.error(
                        &push_pointer(&ptr, "encoding"),
                        "`encoding` on a response media type is not supported",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Progenitor gives an operation one success type and one error type, and asserts that
    /// the document agrees. Success statuses (2xx codes) whose bodies are JSON of different
    /// types, or JSON and empty, become an enum keyed by status ([`statuses`]). Where JSON
    /// successes otherwise disagree (with `default` or a range), the group is widened to
    /// untyped JSON (`serde_json::Value`), with a warning; other disagreements are errors.
    /// Errors: see [`Self::unify_errors`].
    fn unify_responses(
        &mut self,
        op_ptr: &str,
        op: &mut Value,
        components: &Value,
    ) -> Result<(), Error> {
        if !op.get("responses").is_some_and(Value::is_object) {
            return Err(self.error(op_ptr, "an operation needs `responses`"));
        }
        self.unify_successes(op_ptr, op, components)?;
        self.unify_errors(op_ptr, op, components)
    }

    /// The success statuses: keyed by status, or widened to untyped JSON with a warning
    /// where they cannot be (`default` or a range among them).
    fn unify_successes(
        &mut self,
        op_ptr: &str,
        op: &mut Value,
        components: &Value,
    ) -> Result<(), Error> {
        let responses = op["responses"].as_object().expect("checked by the caller");
        let mut kinds: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (status, response) in responses.iter() {
            if !is_success_status(status) {
                continue;
            }
            let r_ptr = push_pointer(&push_pointer(op_ptr, "responses"), status);
            let response = resolve(response, components, "responses")
                .ok_or_else(|| self.error(&r_ptr, "unresolvable response reference"))?;
            kinds
                .entry(response_kind(response))
                .or_default()
                .push(status.clone());
        }
        if kinds.len() <= 1
            || statuses::key_by_status(
                self.file,
                op_ptr,
                op,
                &kinds,
                components,
                &mut self.status_bodies,
            )?
        {
            return Ok(());
        }
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            unreachable!("checked above")
        };
        let all_json = kinds.keys().all(|k| k.starts_with("json:"));
        let mut statuses: Vec<String> = kinds.values().flatten().cloned().collect();
        statuses.sort();
        if !all_json {
            return Err(self.error(
                &push_pointer(op_ptr, "responses"),
                format!(
                    "the success responses {} mix JSON, other and empty bodies; \
                     one operation can only have one success type",
                    statuses.join(", ")
                ),
            ));
        }
        for status in &statuses {
            let response = responses.get_mut(status).expect("collected above");
            if response.get("$ref").is_some() {
                let resolved = resolve(response, components, "responses").cloned();
                *response = resolved.expect("resolved above");
            }
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                for (media, m) in content.iter_mut() {
                    if is_json_media(media) {
                        m["schema"] = json!({});
                    }
                }
            }
        }
        self.warn(
            &push_pointer(op_ptr, "responses"),
            format!(
                "the success responses {} have different JSON types; they are all decoded as \
                 untyped JSON (`serde_json::Value`). Document exact 2xx statuses instead of \
                 `default` or a range to have them keyed by status, one type each",
                statuses.join(", ")
            ),
        );
        Ok(())
    }

    /// The error statuses. The runtime's `Error` is one type for every operation, so the
    /// error type progenitor derives is never used; the bodies the document gives are typed
    /// by the operation's error enum instead ([`statuses::key_errors_by_status`], read by
    /// `Error::body_as`). Where error responses disagree (`404 HTTPExceptionResponse`, `422
    /// HTTPValidationError`), or an enum types them, progenitor is shown one body for all
    /// of them: `default`'s when there is one (which is among the successes too), else
    /// untyped JSON. Nothing is
    /// lost, so nothing is warned about, except a model on a range (`4XX`), which no variant
    /// carries.
    fn unify_errors(
        &mut self,
        op_ptr: &str,
        op: &mut Value,
        components: &Value,
    ) -> Result<(), Error> {
        let keyed = statuses::key_errors_by_status(
            self.file,
            op_ptr,
            op,
            components,
            &mut self.status_bodies,
        )?;
        let responses = op["responses"].as_object().expect("checked by the caller");
        let mut kinds = BTreeMap::new();
        let mut ranges = Vec::new();
        for (status, response) in responses {
            if !is_error_status(status) {
                continue;
            }
            let r_ptr = push_pointer(&push_pointer(op_ptr, "responses"), status);
            let response = resolve(response, components, "responses")
                .ok_or_else(|| self.error(&r_ptr, "unresolvable response reference"))?;
            let kind = response_kind(response);
            if status.ends_with("XX") && kind.starts_with("json:") && kind != "json:{}" {
                ranges.push(status.clone());
            }
            kinds.insert(kind, status.clone());
        }
        if !ranges.is_empty() {
            let carried = if keyed {
                "its body is in `Error::body_excerpt`, and `body_as` gives it as the error \
                 enum's `Other` (untyped JSON)"
            } else {
                "its body is in `Error::body_excerpt` only"
            };
            self.warn(
                &push_pointer(op_ptr, "responses"),
                format!(
                    "the error responses {} give a model to a range of statuses, and only \
                     exact statuses are typed: {carried}. Document the statuses the service \
                     answers (`responses={{404: {{\"model\": ...}}}}`) to have them typed",
                    ranges.join(", ")
                ),
            );
        }
        // With the enum, the error bodies are shown as one even where they agree, so that
        // `cargo xtask diff` compares them once, as the enum's variants.
        if kinds.len() <= 1 && !keyed {
            return Ok(());
        }
        let uniform = match responses.get("default") {
            Some(default) => resolve(default, components, "responses")
                .and_then(|d| d.get("content"))
                .cloned()
                .unwrap_or_else(|| json!({})),
            None => json!({ "application/json": { "schema": {} } }),
        };
        let responses = op["responses"].as_object_mut().expect("checked above");
        for (status, response) in responses.iter_mut() {
            if status == "default" || !is_error_status(status) {
                continue;
            }
            if response.get("$ref").is_some() {
                *response = resolve(response, components, "responses")
                    .cloned()
                    .expect("resolved above");
            }
            if let Some(obj) = response.as_object_mut() {
                obj.insert("content".into(), uniform.clone());
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    Parameter,
    Content,
    Response,
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").is_some_and(|t| t == "null")
        || schema.get("enum").is_some_and(|e| e == &json!([null]))
        || schema.get("const").is_some_and(Value::is_null)
}

fn push_all_of(obj: &mut Map<String, Value>, item: Value) {
    match obj.get_mut("allOf") {
        Some(Value::Array(list)) => list.push(item),
        _ => {
            obj.insert("allOf".into(), Value::Array(vec![item]));
        }
    }
}

/// 3.1's numeric `exclusiveMinimum: 0` is 3.0's `minimum: 0, exclusiveMinimum: true`.
fn exclusive_bounds(obj: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
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

fn is_json_media(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}

/// Success and error groups as progenitor forms them; `default` belongs to both.
fn is_success_status(status: &str) -> bool {
    status == "default" || status.starts_with('2') || status == "101"
}

fn is_error_status(status: &str) -> bool {
    status == "default" || status.starts_with('4') || status.starts_with('5')
}

/// What progenitor would make of a response body: a JSON type (keyed by its schema), a raw
/// stream, or nothing.
fn response_kind(response: &Value) -> String {
    let content = response.get("content").and_then(Value::as_object);
    match content {
        Some(content) if !content.is_empty() => {
            match content.iter().find(|(media, _)| is_json_media(media)) {
                Some((_, m)) => format!("json:{}", m.get("schema").unwrap_or(&Value::Null)),
                None => "raw".into(),
            }
        }
        _ => "none".into(),
    }
}

/// Follows local `#/components/<kind>/<name>` references to the object they name; `None`
/// for a reference elsewhere, a dangling one, or a cycle.
fn resolve<'a>(mut value: &'a Value, components: &'a Value, kind: &str) -> Option<&'a Value> {
    let prefix = format!("#/components/{kind}/");
    // A chain longer than the number of components must loop.
    let limit = components
        .get(kind)
        .and_then(Value::as_object)
        .map_or(0, |m| m.len());
    for _ in 0..=limit {
        match value.get("$ref").and_then(Value::as_str) {
            None => return Some(value),
            Some(reference) => {
                let name = reference.strip_prefix(&prefix)?;
                value = components.get(kind)?.get(name)?;
            }
        }
    }
    None
}
