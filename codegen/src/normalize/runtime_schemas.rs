//! The schemas the hand-written runtime names. `Error::validation_errors` decodes a 422 body
//! into `types::HttpValidationError` and returns its `detail`, a `Vec<types::ValidationError>`.
//! FastAPI defines both in every document whose operations take a parameter or a body; a
//! document without them (an API without inputs, or an upstream that drops them) would
//! generate a crate that does not compile. So they are added, as FastAPI writes them, where
//! missing; an `HTTPValidationError` of another shape is a located error, since the runtime
//! could not read it.

use std::path::Path;

use serde_json::{Value, json};

use crate::error::Error;

const ENVELOPE: &str = "HTTPValidationError";
const ENTRY: &str = "ValidationError";
const ENTRY_REF: &str = "#/components/schemas/ValidationError";

/// Adds FastAPI's 422 schemas to `doc` where it lacks them; checks the envelope otherwise.
pub(super) fn ensure(file: &Path, doc: &mut Value) -> Result<(), Error> {
    let root = doc
        .as_object_mut()
        .expect("load checks the root is an object");
    let components = root.entry("components").or_insert_with(|| json!({}));
    let Some(components) = components.as_object_mut() else {
        return Err(Error::new(file, "/components", "must be an object"));
    };
    let schemas = components.entry("schemas").or_insert_with(|| json!({}));
    let Some(schemas) = schemas.as_object_mut() else {
        return Err(Error::new(file, "/components/schemas", "must be an object"));
    };
    match schemas.get(ENVELOPE) {
        Some(envelope) => check_envelope(file, envelope)?,
        None => {
            schemas.insert(ENVELOPE.into(), envelope());
        }
    }
    if !schemas.contains_key(ENTRY) {
        schemas.insert(ENTRY.into(), entry());
    }
    Ok(())
}

/// The runtime reads `detail` as a list of `ValidationError`: anything else would not compile.
fn check_envelope(file: &Path, envelope: &Value) -> Result<(), Error> {
    let detail = envelope.pointer("/properties/detail");
    let is_list = detail.is_some_and(|d| {
        d.get("type").is_some_and(|t| t == "array")
            && d.pointer("/items/$ref").is_some_and(|r| r == ENTRY_REF)
    });
    if is_list {
        return Ok(());
    }
    Err(Error::new(
        file,
        "/components/schemas/HTTPValidationError",
        "the client decodes a 422 body as FastAPI's `HTTPValidationError`, whose `detail` is an \
         array of `ValidationError`; this one is not (rename it if it is another schema)",
    ))
}

/// FastAPI's `HTTPValidationError` (fastapi/openapi/utils.py).
fn envelope() -> Value {
    json!({
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {
            "detail": {"title": "Detail", "type": "array", "items": {"$ref": ENTRY_REF}}
        }
    })
}

/// FastAPI's `ValidationError` (fastapi/openapi/utils.py).
fn entry() -> Value {
    json!({
        "title": "ValidationError",
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {
                "title": "Location",
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
            },
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"}
        }
    })
}
