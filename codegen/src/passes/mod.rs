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
//!    [`int_enums`], [`parameter_unions`] (parameters of several types) and
//!    [`closed_models`];
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
pub mod link;
pub mod multipart;
pub mod paginate;
pub mod parameter_unions;
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
use link::{Link, Models};

/// Which half of progenitor's output a thread holds (see `crate::halves`): the `types`
/// module, or everything else (`Client`, its methods, the `builder` module, the top-level
/// items the passes add).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Half {
    Types,
    Rest,
}

/// Why a half stopped: its error, or `None` when it stopped because the other half did
/// (which reports its own). `step` is the pass it stopped in, so that of two errors, the
/// one the passes run one after the other on the whole tree meet first is reported.
#[derive(Debug)]
pub struct Failure {
    pub step: usize,
    pub error: Option<Error>,
}

impl Failure {
    /// The other half (or the mocks' thread) stopped first; it reports its own error.
    pub(crate) fn stopped() -> Failure {
        Failure {
            step: usize::MAX,
            error: None,
        }
    }
}

impl From<link::Stopped> for Failure {
    fn from(_: link::Stopped) -> Failure {
        Failure::stopped()
    }
}

/// Runs every pass over `file`, one `half` of the output generated from the normalized
/// `document` read from `path`; the other half runs beside it on another thread, and
/// `link` carries what each needs of the other. `done(pass)` is called as each pass
/// finishes: `cargo xtask bench regen` times them through it. `settled(file)` is called
/// once the half's items, fields and types are final, before the passes that only document
/// them (the mocks read what they need there).
///
/// Each pass runs on both halves, and most find their module in only one; a pass that
/// adds top-level items adds them on the rest, where the top level is kept.
pub fn apply(
    path: &Path,
    half: Half,
    file: &mut syn::File,
    document: &Value,
    link: &Link,
    done: &mut dyn FnMut(&'static str),
    settled: &mut dyn FnMut(&syn::File),
) -> Result<(), Failure> {
    let mut step = 0;
    let mut finish = |pass: &'static str, step: &mut usize| {
        done(pass);
        *step += 1;
    };
    let fail = |step: usize| {
        move |error: Error| Failure {
            step,
            error: Some(error),
        }
    };
    let types = half == Half::Types;

    rewrite::drop_panicking_constructor(file);
    if types {
        rewrite::allow_unused_default_i64(file);
    }
    finish("rewrite", &mut step);
    if types {
        link.send_models(Models::of(file));
    } else {
        let models = link.models()?;
        runtime_calls::route_through_runtime(file, document, &models)
            .map_err(|(method, message)| {
                Error::new(path, operation_pointer(document, &method), message)
            })
            .map_err(fail(step))?;
        multipart::add_file_setters(file, document);
    }
    finish("runtime_calls+multipart", &mut step);
    if crate::rust_shapes::used_in(document) {
        let located = |message| Error::new(path, "", message);
        let mut used = shapes::replace(file).map_err(located).map_err(fail(step))?;
        if types {
            used.extend(link.shapes()?);
            shapes::add_helpers(file, &used)
                .map_err(located)
                .map_err(fail(step))?;
        } else {
            link.send_shapes(used);
        }
    }
    finish("shapes", &mut step);
    if types {
        unions::apply(file, document)
            .map_err(|(pointer, message)| Error::new(path, pointer, message))
            .map_err(fail(step))?;
        int_enums::apply(file);
        parameter_unions::apply(file, document);
        closed_models::apply(file);
        compat::apply(file);
    } else {
        compat::secret_fields(file);
    }
    finish("unions+int_enums+closed_models+compat", &mut step);
    let declared = filters::declarations(document)
        .map_err(|(method, below, message)| {
            Error::new(path, operation_pointer(document, &method) + &below, message)
        })
        .map_err(fail(step))?;
    if types {
        filters::add_field_enums(file, document, &declared);
    } else {
        filters::extend_builders(file, &declared)
            .map_err(|(method, below, message)| {
                Error::new(path, operation_pointer(document, &method) + &below, message)
            })
            .map_err(fail(step))?;
    }
    finish("filters", &mut step);
    if types {
        statuses::apply(file, document)
            .map_err(|(method, message)| {
                Error::new(path, operation_pointer(document, &method), message)
            })
            .map_err(fail(step))?;
    }
    finish("statuses", &mut step);
    // What remains adds documentation and attributes only.
    settled(file);
    docs::document_from_source(file, document);
    if types {
        crate::members::decode_renames(file);
    }
    finish("docs", &mut step);
    OneWalk.visit_file_mut(file);
    finish("whole-tree walk", &mut step);
    if !types {
        deprecations::mark(file, document);
    }
    finish("deprecations", &mut step);
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
