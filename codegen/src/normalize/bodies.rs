//! Request bodies FastAPI publishes that progenitor cannot take as they are.
//!
//! * `multipart/form-data` (`UploadFile`, `list[UploadFile]`, `Form` fields): progenitor
//!   rejects the media type. The body's schema is split: its file properties are recorded on
//!   the operation under [`MULTIPART_MARKER`] (the `multipart` pass gives the builder a
//!   setter for each, taking a `crate::multipart::FilePart`), and the remaining form fields
//!   stay a typed model that progenitor builds like a JSON body. The `runtime_calls` pass
//!   sends both as one multipart form.
//! * Text bodies (`text/plain`, any `text/*`; a FastAPI route reading `await
//!   request.body()` documents one with any schema through `openapi_extra`): progenitor
//!   takes only a `type: string` schema for them, which is what a text body is; any other
//!   schema is replaced by it ([`text_bodies`]), with a warning where it said more, and an
//!   optional one is made required (the builder has no unset text).
//! * Embedded bodies (`Body(embed=True)`, several body parameters, and the form models of
//!   `Form`/`File` parameters), which FastAPI names `Body_<operationId>`, e.g.
//!   `Body_move_item_corpus_items__item_id__move_post`, are renamed after the operation's
//!   method: `MoveItemBody`.

use std::path::Path;

use serde_json::{Value, json};

use crate::document::METHODS;
use crate::error::{Error, Warning, push_pointer};

/// The extension on an operation whose body is `multipart/form-data`:
/// `{"files": [{"name": ..., "list": bool, "required": bool}]}`.
pub const MULTIPART_MARKER: &str = "x-stackai-multipart";

const MULTIPART: &str = "multipart/form-data";

/// A file property of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileField {
    /// The form field's name, as the document spells it.
    pub name: String,
    /// `list[UploadFile]`: any number of parts under the same name.
    pub list: bool,
    /// Whether the request needs it (for a list: at least one part).
    pub required: bool,
}

/// The file properties of an operation's multipart body, if it has one.
pub fn file_fields(operation: &Value) -> Option<Vec<FileField>> {
    let files = operation.get(MULTIPART_MARKER)?.get("files")?.as_array()?;
    Some(
        files
            .iter()
            .map(|f| FileField {
                name: f["name"].as_str().unwrap_or_default().to_string(),
                list: f["list"] == Value::Bool(true),
                required: f["required"] == Value::Bool(true),
            })
            .collect(),
    )
}

/// Splits every multipart body into its form-field model and its file properties (see the
/// module documentation). Runs on the document as written (JSON Schema 2020-12 shapes).
pub(crate) fn split_multipart(file: &Path, doc: &mut Value) -> Result<(), Error> {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if item
                .pointer(&format!("/{method}/requestBody/content"))
                .and_then(Value::as_object)
                .is_some_and(|c| c.len() == 1 && c.contains_key(MULTIPART))
            {
                operations.push(push_pointer(&push_pointer("/paths", path), method));
            }
        }
    }
    for op_ptr in operations {
        let content_ptr = push_pointer(&push_pointer(&op_ptr, "requestBody"), "content");
        let media_ptr = push_pointer(&content_ptr, MULTIPART);
        let schema_ptr = push_pointer(&media_ptr, "schema");
        // The form model: a component (FastAPI's `Body_...`) or inline.
        let target_ptr = match doc.pointer(&schema_ptr).and_then(|s| s.get("$ref")) {
            Some(Value::String(r)) if r.starts_with("#/components/schemas/") => {
                r.trim_start_matches('#').to_string()
            }
            Some(_) => {
                return Err(Error::new(
                    file,
                    push_pointer(&schema_ptr, "$ref"),
                    "a multipart body's schema must be an object or a reference to one in components/schemas",
                ));
            }
            None => schema_ptr.clone(),
        };
        let Some(schema) = doc.pointer_mut(&target_ptr).and_then(Value::as_object_mut) else {
            return Err(Error::new(
                file,
                schema_ptr,
                "a multipart body needs a schema",
            ));
        };
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            return Err(Error::new(
                file,
                target_ptr,
                "a multipart body must be an object whose properties are its form fields and files",
            ));
        };
        let mut files = Vec::new();
        for (name, property) in properties.iter() {
            if let Some(list) = file_kind(property) {
                files.push(json!({
                    "name": name,
                    "list": list,
                    "required": required.contains(name),
                }));
            }
        }
        for f in &files {
            properties.remove(f["name"].as_str().unwrap_or_default());
        }
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|r| !files.iter().any(|f| f["name"] == *r));
        }
        // The form fields travel as a typed model through progenitor, like a JSON body;
        // the marker tells the passes to send them as parts.
        let content = doc
            .pointer_mut(&content_ptr)
            .and_then(Value::as_object_mut)
            .expect("found above");
        let media = content.remove(MULTIPART).expect("found above");
        content.insert("application/json".into(), media);
        let op = doc.pointer_mut(&op_ptr).and_then(Value::as_object_mut);
        op.expect("found above")
            .insert(MULTIPART_MARKER.into(), json!({ "files": files }));
    }
    Ok(())
}

/// `Some(list)` when a property holds a file (`UploadFile`: a string with
/// `contentMediaType`, or `format: binary` in 3.0), or a list of them; nullable allowed.
fn file_kind(property: &Value) -> Option<bool> {
    let is_file = |s: &Value| {
        s.get("type").and_then(Value::as_str) == Some("string")
            && (s.get("contentMediaType").is_some()
                || s.get("format").and_then(Value::as_str) == Some("binary"))
    };
    let is_null = |s: &Value| s.get("type").and_then(Value::as_str) == Some("null");
    let one = |s: &Value| {
        if is_file(s) {
            Some(false)
        } else if s.get("type").and_then(Value::as_str) == Some("array")
            && s.get("items").is_some_and(is_file)
        {
            Some(true)
        } else {
            None
        }
    };
    if let Some(kind) = one(property) {
        return Some(kind);
    }
    let variants = property.get("anyOf").and_then(Value::as_array)?;
    let mut kinds = variants.iter().filter(|v| !is_null(v));
    match (kinds.next().and_then(one), kinds.next()) {
        (Some(kind), None) => Some(kind),
        _ => None,
    }
}

/// Renames FastAPI's `Body_<operationId>` schemas after the method (`MoveItemBody`); runs
/// after the methods are named. A name that is already taken keeps FastAPI's.
pub(crate) fn name_embedded_bodies(doc: &mut Value) {
    let mut renames = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, i)| i)
    {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let (Some(name), Some(content)) = (
                op.get("operationId").and_then(Value::as_str),
                op.pointer("/requestBody/content")
                    .and_then(Value::as_object),
            ) else {
                continue;
            };
            for media in content.values() {
                let Some(old) = media
                    .pointer("/schema/$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .filter(|n| n.starts_with("Body_"))
                else {
                    continue;
                };
                let new = format!("{}Body", heck::ToUpperCamelCase::to_upper_camel_case(name));
                renames.push((old.to_string(), new));
            }
        }
    }
    for (old, new) in renames {
        let Some(schemas) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        if schemas.contains_key(&new) {
            continue;
        }
        let Some(schema) = schemas.remove(&old) else {
            continue;
        };
        schemas.insert(new.clone(), schema);
        rewrite_refs(
            doc,
            &format!("#/components/schemas/{old}"),
            &format!("#/components/schemas/{new}"),
        );
    }
}

fn rewrite_refs(value: &mut Value, old: &str, new: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "$ref" && child.as_str() == Some(old) {
                    *child = Value::String(new.to_string());
                } else {
                    rewrite_refs(child, old, new);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_refs(i, old, new)),
        _ => {}
    }
}

/// Whether a request body's media type is text the client sends as a `String`.
pub fn is_text_media(media: &str) -> bool {
    media.starts_with("text/")
}

/// Gives every `text/*` request body the schema `{type: string}` (see the module's doc).
/// A schema that said more than "any value" (a `type` other than string, properties, a
/// `$ref`) is reported, since the Rust body is a `String` whatever it said.
pub(crate) fn text_bodies(doc: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return warnings;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(request_body) = item
                .get_mut(method)
                .and_then(|op| op.get_mut("requestBody"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let text = request_body
                .get("content")
                .and_then(Value::as_object)
                .is_some_and(|c| c.keys().any(|m| is_text_media(m)));
            if text && request_body.get("required") != Some(&Value::Bool(true)) {
                // The builder holds the text as a `reqwest::Body`, which has no "unset".
                request_body.insert("required".into(), Value::Bool(true));
                warnings.push(Warning {
                    pointer: push_pointer(
                        &push_pointer(&push_pointer("/paths", path), method),
                        "requestBody",
                    ),
                    message: "an optional text body is required in the client: send an empty \
                              string for none"
                        .into(),
                });
            }
            let Some(content) = request_body
                .get_mut("content")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (media, media_obj) in content.iter_mut() {
                if !is_text_media(media) {
                    continue;
                }
                let string = json!({"type": "string"});
                let said = media_obj.get("schema").cloned().unwrap_or(json!({}));
                let any = said.as_object().is_some_and(|s| {
                    s.keys()
                        .all(|k| matches!(k.as_str(), "description" | "example" | "examples"))
                });
                if said.get("type") == Some(&json!("string")) {
                    continue;
                }
                media_obj["schema"] = string;
                if !any {
                    let op = push_pointer(&push_pointer("/paths", path), method);
                    let body = push_pointer(&push_pointer(&op, "requestBody"), "content");
                    let at = push_pointer(&body, media);
                    warnings.push(Warning {
                        pointer: push_pointer(&at, "schema"),
                        message: format!(
                            "a {media} body is text: the Rust body is a `String` whatever \
                             the schema says ({said}); acknowledge this warning"
                        ),
                    });
                }
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognized_in_31_and_30_spellings() {
        let file31 = json!({"type": "string", "contentMediaType": "application/octet-stream"});
        let file30 = json!({"type": "string", "format": "binary"});
        assert_eq!(file_kind(&file31), Some(false));
        assert_eq!(file_kind(&file30), Some(false));
        assert_eq!(
            file_kind(&json!({"type": "array", "items": file31})),
            Some(true)
        );
        assert_eq!(
            file_kind(&json!({"anyOf": [file30, {"type": "null"}]})),
            Some(false)
        );
        assert_eq!(file_kind(&json!({"type": "string"})), None);
        assert_eq!(
            file_kind(&json!({"anyOf": [file31, {"type": "integer"}]})),
            None
        );
    }

    #[test]
    fn a_multipart_body_splits_into_fields_and_files() {
        let mut doc = json!({
            "paths": {"/up": {"post": {
                "operationId": "up",
                "requestBody": {"content": {"multipart/form-data": {"schema": {
                    "type": "object",
                    "required": ["file", "note"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "more": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "note": {"type": "string"}
                    }
                }}}}
            }}}
        });
        split_multipart(Path::new("doc.json"), &mut doc).unwrap();
        let op = &doc["paths"]["/up"]["post"];
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(schema["properties"], json!({"note": {"type": "string"}}));
        assert_eq!(schema["required"], json!(["note"]));
        assert_eq!(
            file_fields(op).unwrap(),
            [
                FileField {
                    name: "file".into(),
                    list: false,
                    required: true
                },
                FileField {
                    name: "more".into(),
                    list: true,
                    required: false
                },
            ]
        );
    }

    #[test]
    fn embedded_bodies_are_named_after_the_method() {
        let mut doc = json!({
            "paths": {"/m": {"post": {
                "operationId": "move_item",
                "requestBody": {"content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Body_move_item_m_post"
                }}}}
            }}},
            "components": {"schemas": {"Body_move_item_m_post": {"type": "object"}}}
        });
        name_embedded_bodies(&mut doc);
        assert!(doc["components"]["schemas"]["MoveItemBody"].is_object());
        assert_eq!(
            doc.pointer("/paths/~1m/post/requestBody/content/application~1json/schema/$ref"),
            Some(&json!("#/components/schemas/MoveItemBody"))
        );
    }
}
