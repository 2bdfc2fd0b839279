//! Stage 4: syn passes over progenitor's output, for what its settings cannot express.
//! Each pass is a module of its own and says why it exists; [`apply`] runs them in the
//! order they depend on each other.
//!
//! 1. [`rewrite`]: drop what progenitor emits that the API does not define;
//! 2. [`runtime_calls`]: every `send()` goes through the hand-written runtime, and the
//!    builders gain per-request options and, through [`paginate`], `stream()`/`page()`;
//!    [`multipart`] then adds the file setters of `multipart/form-data` bodies, and
//!    [`responses`] says what a success that is not JSON returns;
//! 3. the model shapes typify cannot express or gets wrong for a client: [`shapes`]
//!    (tuples and string formats), [`unions`] (tagged by their discriminator),
//!    [`int_enums`] and [`closed_models`];
//! 4. [`compat`]: forward compatibility and redaction of the models;
//!    then [`filters`]: `filter(field, op, value)` where an operation declares dynamic filters,
//!    and [`statuses`]: the enums of operations whose success types differ by status;
//! 5. [`docs`]: every public item documented from the document;
//! 6. [`deprecations`]: `#[deprecated]` on deprecated operations and parameters.
//!
//! Only two of these look at every node of the tree: `rewrite`'s removal of the
//! `api-version` header (in any block) and `docs`' fallback line (on any public item,
//! method, field and variant). [`apply`] does both in a single walk at the end, which gives
//! the same result as the passes one by one: no other pass reads or writes those
//! statements, and the fallback must see everything the other passes add. The header
//! removal thus runs after `runtime_calls` has replaced the `send` bodies that held the
//! header, instead of editing (and printing) code about to be thrown away. The rest of
//! each pass visits only the modules and items it changes, which costs little. A new
//! pass that must look at every node belongs in [`OneWalk`], not in a walk of its own.

pub mod closed_models;
pub mod compat;
pub mod deprecations;
pub mod docs;
pub mod filters;
pub mod int_enums;
pub mod multipart;
pub mod paginate;
pub mod responses;
pub mod rewrite;
pub mod runtime_calls;
pub mod shapes;
pub(crate) mod stamps;
pub mod statuses;
pub mod unions;

use std::path::Path;

use serde_json::Value;
use syn::visit_mut::{self, VisitMut};

use crate::document::operation_pointer;
use crate::error::Error;

/// Runs every pass over `file`, generated from the normalized `document` read from `path`.
pub fn apply(path: &Path, file: &mut syn::File, document: &Value) -> Result<(), Error> {
    apply_observed(path, file, document, &mut |_| {})
}

/// [`apply`], calling `done(pass)` as each pass finishes: `cargo xtask bench regen` times
/// the passes one by one through this, so that it never follows a copy of their order.
pub fn apply_observed(
    path: &Path,
    file: &mut syn::File,
    document: &Value,
    done: &mut dyn FnMut(&'static str),
) -> Result<(), Error> {
    rewrite::drop_panicking_constructor(file);
    done("rewrite");
    runtime_calls::route_through_runtime(file, document).map_err(|(method, message)| {
        Error::new(path, operation_pointer(document, &method), message)
    })?;
    done("runtime_calls");
    multipart::add_file_setters(file, document);
    done("multipart");
    if crate::rust_shapes::used_in(document) {
        shapes::apply(file).map_err(|message| Error::new(path, "", message))?;
    }
    done("shapes");
    unions::apply(file, document)
        .map_err(|(pointer, message)| Error::new(path, pointer, message))?;
    done("unions");
    int_enums::apply(file);
    closed_models::apply(file);
    done("int_enums+closed_models");
    compat::apply(file);
    done("compat");
    filters::apply(file, document).map_err(|(method, below, message)| {
        Error::new(path, operation_pointer(document, &method) + &below, message)
    })?;
    done("filters");
    statuses::apply(file, document).map_err(|(method, message)| {
        Error::new(path, operation_pointer(document, &method), message)
    })?;
    done("statuses");
    docs::document_from_source(file, document);
    done("docs");
    OneWalk.visit_file_mut(file);
    done("whole-tree walk");
    deprecations::mark(file, document);
    done("deprecations");
    Ok(())
}

/// The whole-tree parts of the passes, node by node, in one walk: each node gets what the
/// separate walks would have done to it, and the walk goes everywhere either went.
struct OneWalk;

impl VisitMut for OneWalk {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        rewrite::drop_api_version_header(block);
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        docs::fallback_item(item);
        visit_mut::visit_item_mut(self, item);
    }

    fn visit_item_impl_mut(&mut self, imp: &mut syn::ItemImpl) {
        docs::fallback_impl(imp);
        visit_mut::visit_item_impl_mut(self, imp);
    }

    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        docs::fallback_field(field);
        visit_mut::visit_field_mut(self, field);
    }

    fn visit_variant_mut(&mut self, variant: &mut syn::Variant) {
        docs::fallback_variant(variant);
        visit_mut::visit_variant_mut(self, variant);
    }
}
