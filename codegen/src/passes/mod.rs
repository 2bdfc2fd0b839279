//! Stage 4: syn passes over progenitor's output, for what its settings cannot express.
//! Each pass is a module of its own and says why it exists; [`apply`] runs them in the
//! order they depend on each other.
//!
//! 1. [`rewrite`]: drop what progenitor emits that the API does not define;
//! 2. [`runtime_calls`]: every `send()` goes through the hand-written runtime, and the
//!    builders gain per-request options and, through [`paginate`], `stream()`/`page()`;
//! 3. the model shapes typify cannot express or gets wrong for a client: [`shapes`]
//!    (tuples and string formats), [`unions`] (tagged by their discriminator),
//!    [`int_enums`] and [`closed_models`];
//! 4. [`compat`]: forward compatibility and redaction of the models;
//! 5. [`docs`]: every public item documented from the document.

pub mod closed_models;
pub mod compat;
pub mod docs;
pub mod int_enums;
pub mod paginate;
pub mod rewrite;
pub mod runtime_calls;
pub mod shapes;
pub mod unions;

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
    shapes::apply(file).map_err(|message| Error::new(path, "", message))?;
    unions::apply(file, document)
        .map_err(|(pointer, message)| Error::new(path, pointer, message))?;
    int_enums::apply(file);
    closed_models::apply(file);
    compat::apply(file);
    docs::document(file, document);
    Ok(())
}
