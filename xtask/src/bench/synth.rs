//! Synthetic documents for the scaling benchmark: the real document replicated under new
//! names. Copy `i` (from 1) has
//!
//! * every path prefixed with `/copy<i>` (`/copy3/connections/{connection_id}`);
//! * every operationId renamed the FastAPI way, so that the generator derives the method
//!   `<method>_copy<i>` (`get_connection_by_id_copy3_copy3_connections__connection_id__get`
//!   → `get_connection_by_id_copy3`);
//! * every schema renamed `<Name>Copy<i>`, and every `$ref` inside the copy pointing at the
//!   copy's own schemas.
//!
//! Nothing of the original is kept but `info`, tags and security schemes, so a document of
//! `k` copies has `k` times the original's operations and schemas.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const SCHEMA_REF: &str = "#/components/schemas/";

/// `copies` renamed copies of `real`.
pub(crate) fn replicate(real: &Value, copies: usize) -> Value {
    let empty = Map::new();
    let paths = real["paths"].as_object().unwrap_or(&empty);
    let schemas = real
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out_paths = Map::new();
    let mut out_schemas = Map::new();
    for i in 1..=copies {
        let suffix = format!("Copy{i}");
        for (name, schema) in schemas {
            let mut schema = schema.clone();
            rename_refs(&mut schema, &suffix);
            out_schemas.insert(format!("{name}{suffix}"), schema);
        }
        for (path, item) in paths {
            let new_path = format!("/copy{i}{path}");
            let mut item = item.clone();
            rename_refs(&mut item, &suffix);
            for verb in METHODS {
                let Some(op) = item.get_mut(verb).and_then(Value::as_object_mut) else {
                    continue;
                };
                let function = match op.get("operationId").and_then(Value::as_str) {
                    Some(id) => id
                        .strip_suffix(&format!("{}_{verb}", fastapi_path_part(path)))
                        .filter(|f| !f.is_empty())
                        .unwrap_or(id)
                        .to_string(),
                    None => format!("{verb}{}", fastapi_path_part(path)),
                };
                let id = format!("{function}_copy{i}{}_{verb}", fastapi_path_part(&new_path));
                op.insert("operationId".into(), Value::String(id));
            }
            out_paths.insert(new_path, item);
        }
    }
    let mut doc = real.clone();
    doc["paths"] = Value::Object(out_paths);
    doc["components"]["schemas"] = Value::Object(out_schemas);
    doc
}

/// FastAPI's `re.sub(r"\W", "_", path)`, as in the generator's naming.
fn fastapi_path_part(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn rename_refs(value: &mut Value, suffix: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref"
                    && let Some(name) = v.as_str().and_then(|r| r.strip_prefix(SCHEMA_REF))
                {
                    *v = Value::String(format!("{SCHEMA_REF}{name}{suffix}"));
                } else {
                    rename_refs(v, suffix);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, suffix)),
        _ => {}
    }
}

/// What a synthetic document holds, checked.
#[derive(Debug, Clone)]
pub(crate) struct Census {
    pub operations: usize,
    pub schemas: usize,
    pub refs: usize,
    /// The method names the generator will derive, one per operation.
    pub methods: Vec<String>,
}

/// Counts the operations, schemas and `$ref`s of `doc`, failing when two operations share
/// an operationId or a `$ref` points at no schema.
pub(crate) fn census(doc: &Value) -> Result<Census, String> {
    let empty = Map::new();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut ids = BTreeSet::new();
    let mut methods = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap_or(&empty) {
        for verb in METHODS {
            let Some(op) = item.get(verb) else { continue };
            let id = op["operationId"]
                .as_str()
                .ok_or_else(|| format!("{verb} {path} has no operationId"))?;
            if !ids.insert(id.to_string()) {
                return Err(format!("operationId {id} appears twice"));
            }
            methods.push(
                stackai_codegen::normalize::naming::method_name_from_operation_id(id, path, verb),
            );
        }
    }
    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    for r in &refs {
        let Some(name) = r.strip_prefix(SCHEMA_REF) else {
            continue;
        };
        if !schemas.contains_key(name) {
            return Err(format!("$ref {r} points at no schema"));
        }
    }
    let distinct: BTreeSet<&String> = methods.iter().collect();
    if distinct.len() != methods.len() {
        return Err("two operations derive the same method name".into());
    }
    Ok(Census {
        operations: ids.len(),
        schemas: schemas.len(),
        refs: refs.len(),
        methods,
    })
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tiny() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/things/{id}": {"get": {
                    "operationId": "get_thing_things__id__get",
                    "responses": {"200": {"description": "ok", "content": {"application/json":
                        {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
                }}
            },
            "components": {"schemas": {
                "Thing": {"type": "object", "properties": {"part": {"$ref": "#/components/schemas/Part"}}},
                "Part": {"type": "string"}
            }}
        })
    }

    #[test]
    fn copies_are_renamed_consistently() {
        let doc = replicate(&tiny(), 3);
        let census = census(&doc).expect("a consistent document");
        assert_eq!(census.operations, 3);
        assert_eq!(census.schemas, 6);
        assert_eq!(census.refs, 6);
        assert!(census.methods.contains(&"get_thing_copy2".to_string()));
        assert_eq!(
            doc["components"]["schemas"]["ThingCopy3"]["properties"]["part"]["$ref"],
            "#/components/schemas/PartCopy3"
        );
        assert_eq!(
            doc["paths"]["/copy3/things/{id}"]["get"]["operationId"],
            "get_thing_copy3_copy3_things__id__get"
        );
    }
}
