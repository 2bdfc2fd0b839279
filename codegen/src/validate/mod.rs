//! Stage 1½: check the whole document, as written, before anything rewrites it.
//!
//! Progenitor and typify assert, `todo!` or render nonsense on shapes they do not expect
//! (a misspelled `type`, a `default` of the wrong JSON type, a media type without a schema),
//! and their messages name no place in the document. Every structure they would trip on is
//! checked here, and reported as `<file>: at <exact JSON pointer>: <what is wrong>`. The
//! caught progenitor panic in [`crate::generate`] stays as a last line of defence; the
//! mutation fuzzer ([`crate::tools::mutate`]) checks that it is never what a user sees.
//!
//! One file per family of checks:
//!
//! - [`document`]: the version, `info`, `paths` and `components`;
//! - [`operations`]: path items, operations, unique operationIds, request bodies, responses
//!   and their media types;
//! - [`parameters`]: parameter objects, and path parameters declared and used;
//! - [`schemas`]: every schema, wherever it sits: keyword types, `type` names, `format`,
//!   `enum`/`default`/`const` values against the type, `required` names, `items`;
//! - [`references`]: every `$ref` is local and points at something.
//!
//! The checks accept both OpenAPI 3.0 and 3.1 spellings; the normalizer ([`crate::normalize`])
//! rewrites what they accept, so they also accept its output.

mod document;
mod operations;
pub(crate) mod parameters;
mod references;
mod schemas;

use std::path::Path;

use serde_json::Value;

use crate::document::json_type;
use crate::error::{Error, push_pointer};

/// Checks `doc`, read from `file`; the first problem found is the error.
pub fn validate(file: &Path, doc: &Value) -> Result<(), Error> {
    let cx = Context { file, doc };
    document::check(&cx)?;
    operations::check(&cx)?;
    parameters::check(&cx)?;
    schemas::check_components(&cx)?;
    references::check(&cx, doc, "")?;
    Ok(())
}

/// What every check needs: the document and where it came from.
struct Context<'a> {
    file: &'a Path,
    doc: &'a Value,
}

impl<'a> Context<'a> {
    fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::new(self.file, pointer, message)
    }

    /// Follows `$ref`s to `#/components/<kind>/...` (a parameter to a parameter, say) to the
    /// object they name, returning it and its pointer. `value` is at `ptr`. A reference that
    /// is not a string, points elsewhere, dangles or loops is an error at that `$ref`.
    fn resolve(
        &self,
        ptr: &str,
        value: &'a Value,
        kind: &str,
    ) -> Result<(&'a Value, String), Error> {
        let prefix = format!("#/components/{kind}/");
        let (mut value, mut ptr) = (value, ptr.to_string());
        for _ in 0..=self.component_count(kind) {
            let Some(reference) = value.get("$ref") else {
                return Ok((value, ptr));
            };
            let r_ptr = push_pointer(&ptr, "$ref");
            let Some(reference) = reference.as_str() else {
                return Err(self.error(&r_ptr, "`$ref` must be a string"));
            };
            if !reference.starts_with(&prefix) {
                return Err(self.error(
                    &r_ptr,
                    format!("this reference must point into `{prefix}`, found {reference:?}"),
                ));
            }
            let target = &reference[1..];
            match self.doc.pointer(target) {
                Some(next) => {
                    value = next;
                    ptr = target.to_string();
                }
                None => {
                    return Err(self.error(
                        &r_ptr,
                        format!("{reference:?} does not point at anything in the document"),
                    ));
                }
            }
        }
        Err(self.error(
            &push_pointer(&ptr, "$ref"),
            "the references loop without reaching an object",
        ))
    }

    /// Whether the document is OpenAPI 3.0 (3.1 is JSON Schema 2020-12 underneath).
    fn is_30(&self) -> bool {
        self.doc
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.trim().starts_with("3.0."))
    }

    fn component_count(&self, kind: &str) -> usize {
        self.doc
            .get("components")
            .and_then(|c| c.get(kind))
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())
    }
}

/// A short, readable form of a JSON value for messages.
fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}
