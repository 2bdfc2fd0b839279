//! Stage 2: rewrite any OpenAPI 3.0 or 3.1 document into the 3.0.3 subset that progenitor
//! reads without panicking.
//!
//! FastAPI publishes 3.1 (JSON Schema 2020-12); progenitor only reads 3.0 and has
//! `todo!`/`assert!` on some shapes. Each rewrite here keeps the meaning for a Rust client;
//! where a rewrite has to drop a validation rule it is reported as a [`Warning`], and where
//! no faithful rewrite exists the document is rejected with an [`Error`] that points at it.
//!
//! This file walks the document and every schema in it; the rewrites live beside it:
//! `keywords` (one schema's keywords), `shapes` (Rust shapes typify cannot express),
//! `unions`, `parameters`, `bodies`, `responses` (one success and one error type per
//! operation), `statuses` (success enums), `naming` (method names) and `runtime_schemas`.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::document::METHODS;
use crate::error::{Error, Warning, push_pointer};
pub mod bodies;
mod keywords;
pub mod naming;
pub mod parameters;
mod responses;
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
    n.warnings
        .extend(parameters::drop_unspellable(file, &mut doc));
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
        keywords::exclusive_bounds(obj, "exclusiveMinimum", "minimum");
        keywords::exclusive_bounds(obj, "exclusiveMaximum", "maximum");
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
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    Parameter,
    Content,
    Response,
}

fn is_json_media(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
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
