//! Stage 4: syn passes over progenitor's output, for what its settings cannot express.
//! Each pass is a module of its own and says why it exists; [`apply`] runs them in the
//! order they depend on each other.
//!
//! 1. [`rewrite`]: drop what progenitor emits that the API does not define;
//! 2. [`runtime_calls`]: every `send()` goes through the hand-written runtime, and the
//!    builders gain per-request options and, through [`paginate`], `stream()`/`page()`;
//!    [`multipart`] then adds the file setters of `multipart/form-data` bodies;
//! 3. [`compat`]: forward compatibility and redaction of the models;
//! 4. [`docs`]: every public item documented from the document;
//! 5. [`deprecations`]: `#[deprecated]` on deprecated operations and parameters.

pub mod compat;
pub mod deprecations;
pub mod docs;
pub mod multipart;
pub mod paginate;
pub mod rewrite;
pub mod runtime_calls;

use std::path::Path;

use serde_json::Value;

use crate::document::operation_pointer;
use crate::error::Error;

/// Runs every pass over `file`, generated from the normalized `document` read from `path`.
pub fn apply(path: &Path, file: &mut syn::File, document: &Value) -> Result<(), Error> {
    rewrite::rewrite(file);
    runtime_calls::route_through_runtime(file, document).map_err(|(method, message)| {
        Error::new(path, operation_pointer(document, &method), message)
    })?;
    multipart::add_file_setters(file, document);
    compat::apply(file);
    docs::document(file, document);
    deprecations::mark(file, document);
    Ok(())
}
