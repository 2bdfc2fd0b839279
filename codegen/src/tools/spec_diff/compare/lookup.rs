//! Reading a normalized document: its operations, parameters, schemas and where each
//! schema is used.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::document::METHODS;
use crate::error::push_pointer;

/// The JSON media type of a `content` map, or else its first one.
pub(super) fn json_media(content: &Value) -> Option<(&String, &Value)> {
    let map = content.as_object()?;
    map.iter()
        .find(|(m, _)| m.as_str() == "application/json" || m.starts_with("application/json;"))
        .or_else(|| map.iter().next())
}

pub(super) fn tail(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

pub(super) fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub(super) fn is_true(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool).unwrap_or(false)
}

pub(super) fn object_keys(v: &Value) -> impl Iterator<Item = &String> {
    v.as_object().into_iter().flat_map(|m| m.keys())
}

pub(super) fn changed_keys(a: Option<&Value>, b: Option<&Value>) -> Vec<String> {
    let null = Value::Null;
    let (a, b) = (a.unwrap_or(&null), b.unwrap_or(&null));
    let keys: BTreeSet<&String> = object_keys(a).chain(object_keys(b)).collect();
    let changed: Vec<String> = keys
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("`{k}`"))
        .collect();
    if changed.is_empty() {
        vec!["replaced".into()]
    } else {
        changed
    }
}

pub(super) fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The component a schema refers to: `$ref`, or a lone `allOf: [{$ref}]` (the normalizer's
/// spelling of a reference with siblings).
pub(super) fn reference(schema: &Value) -> Option<&str> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.strip_prefix("#/components/schemas/");
    }
    match schema.get("allOf").and_then(Value::as_array)?.as_slice() {
        [only] if only.as_object().is_some_and(|o| o.len() == 1) => only
            .get("$ref")
            .and_then(Value::as_str)?
            .strip_prefix("#/components/schemas/"),
        _ => None,
    }
}

pub(super) fn schemas(doc: &Value) -> &serde_json::Map<String, Value> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new))
}

/// Follows a local `#/components/<kind>/<name>` reference chain.
pub(super) fn resolve<'v>(doc: &'v Value, value: &'v Value, kind: &str) -> Option<&'v Value> {
    let mut value = value;
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            None => return Some(value),
            Some(r) => {
                let name = r.strip_prefix(&format!("#/components/{kind}/"))?;
                value = doc.get("components")?.get(kind)?.get(name)?;
            }
        }
    }
    None
}

pub(super) struct Operation<'a> {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) verb: String,
    pub(super) pointer: String,
    pub(super) op: &'a Value,
    pub(super) item: &'a Value,
}

pub(super) struct Param<'a> {
    pub(super) location: String,
    pub(super) required: bool,
    pub(super) pointer: String,
    pub(super) value: &'a Value,
}

impl<'a> Operation<'a> {
    /// Path-level parameters, overridden by operation-level ones of the same name and place,
    /// by name.
    pub(super) fn parameters(&self, doc: &'a Value) -> BTreeMap<String, Param<'a>> {
        let mut out = BTreeMap::new();
        let item_ptr = self.pointer[..self.pointer.rfind('/').unwrap_or(0)].to_string();
        for (list, ptr) in [
            (
                self.item.get("parameters"),
                push_pointer(&item_ptr, "parameters"),
            ),
            (
                self.op.get("parameters"),
                push_pointer(&self.pointer, "parameters"),
            ),
        ] {
            for (i, p) in list
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(p) = resolve(doc, p, "parameters") else {
                    continue;
                };
                let Some(name) = p.get("name").and_then(Value::as_str) else {
                    continue;
                };
                out.insert(
                    name.to_string(),
                    Param {
                        location: p
                            .get("in")
                            .and_then(Value::as_str)
                            .unwrap_or("query")
                            .to_string(),
                        required: is_true(p.get("required")),
                        pointer: push_pointer(&ptr, &i.to_string()),
                        value: p,
                    },
                );
            }
        }
        out
    }
}

pub(super) fn operations(doc: &Value) -> BTreeMap<String, Operation<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for verb in METHODS {
            let Some(op) = item.get(verb) else { continue };
            let pointer = push_pointer(&push_pointer("/paths", path), verb);
            let method = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{verb} {path}"));
            out.insert(
                method.clone(),
                Operation {
                    method,
                    path: path.clone(),
                    verb: verb.to_string(),
                    pointer,
                    op,
                    item,
                },
            );
        }
    }
    out
}

/// For each component schema: whether requests carry it, and whether responses do,
/// following references transitively.
pub(super) fn schema_usage(doc: &Value) -> BTreeMap<String, (bool, bool)> {
    let mut direct: [BTreeSet<String>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for op in operations(doc).values() {
        for p in op
            .item
            .get("parameters")
            .into_iter()
            .chain(op.op.get("parameters"))
            .filter_map(Value::as_array)
            .flatten()
        {
            if let Some(p) = resolve(doc, p, "parameters") {
                collect_refs(p, &mut direct[0]);
            }
        }
        if let Some(b) = op
            .op
            .get("requestBody")
            .and_then(|b| resolve(doc, b, "requestBodies"))
        {
            collect_refs(b, &mut direct[0]);
        }
        for r in op
            .op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.values())
        {
            if let Some(r) = resolve(doc, r, "responses") {
                collect_refs(r, &mut direct[1]);
            }
        }
        // The bodies of an operation keyed by status, and its documented errors (see
        // `normalize/statuses.rs`).
        for key in [
            crate::normalize::statuses::STATUSES_MARKER,
            crate::normalize::statuses::ERRORS_MARKER,
        ] {
            if let Some(marker) = op.op.get(key) {
                collect_refs(marker, &mut direct[1]);
            }
        }
    }
    let all = schemas(doc);
    let mut out: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for (side, roots) in direct.into_iter().enumerate() {
        let mut seen = BTreeSet::new();
        let mut work: Vec<String> = roots.into_iter().collect();
        while let Some(name) = work.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let entry = out.entry(name.clone()).or_default();
            if side == 0 {
                entry.0 = true;
            } else {
                entry.1 = true;
            }
            if let Some(schema) = all.get(&name) {
                let mut next = BTreeSet::new();
                collect_refs(schema, &mut next);
                work.extend(next);
            }
        }
    }
    out
}

pub(super) fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref"
                    && let Some(name) = v
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.insert(name.to_string());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
