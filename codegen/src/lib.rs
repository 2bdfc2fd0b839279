//! The code generator behind the `stackai-connections` crate.
//!
//! The data path is one straight line, one module per stage:
//!
//! 1. [`load`]: read a JSON or YAML OpenAPI 3.0/3.1 document;
//!    then [`validate`]: check every structure the later stages would trip on, with the
//!    exact place of the problem;
//! 2. [`normalize`]: rewrite it into the OpenAPI 3.0.3 subset progenitor reads safely,
//!    naming each operation's method ([`normalize::naming`]);
//! 3. [`generate`]: run progenitor;
//! 4. [`passes`]: syn passes for what progenitor's settings cannot express; then [`mock`]
//!    adds the typed mocks (the client crate's `mock` feature);
//! 5. [`render`]: format with prettyplease and split into files with a generated-code header.
//!
//! Stages 3 to 5 run on both cores, progenitor's output cut into two halves ([`halves`]).
//!
//! Below the stages, [`document`] and [`syntax`] hold the vocabulary they share (of the
//! OpenAPI document and of progenitor's output), so that no stage imports another sideways;
//! `rust_shapes` is the vocabulary `normalize` and `passes` share for the Rust shapes
//! typify cannot express (tuples, formats with helper types), and `rust_names` the names
//! Rust allows (keywords, typify's `sanitize`).
//! Beside them, [`tools`] holds what maintainers run on documents (`import`, `spec_diff`),
//! and [`surface`] summarizes the result for reviewers. Every failure is an [`Error`] naming the
//! file, a JSON pointer and the problem; nothing here panics on a bad document.

pub mod document;
pub mod error;
pub mod generate;
pub mod halves;
pub mod load;
pub mod members;
pub mod mock;
pub mod normalize;
pub mod passes;
pub mod render;
pub(crate) mod rust_names;
pub(crate) mod rust_shapes;
pub mod surface;
pub mod syntax;
pub mod tools;
pub mod validate;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

pub use error::{Error, Warning};
pub use render::GeneratedFile;

/// Everything one run of the pipeline produces.
#[derive(Clone)]
pub struct Output {
    /// The files of the generated module, `mod.rs` first.
    pub files: Vec<GeneratedFile>,
    /// Information the normalizer had to drop.
    pub warnings: Vec<Warning>,
    /// What the reviewer's views are made from.
    run: Arc<Rerun>,
    /// The reviewer's views, computed on first use.
    views: Arc<OnceLock<(BTreeMap<String, String>, String)>>,
    /// The generator's threads, still freeing their trees.
    _cleanup: Arc<halves::Cleanup>,
}

/// A run's inputs, to run it again for the reviewer's views.
struct Rerun {
    path: std::path::PathBuf,
    source: String,
    document: Arc<serde_json::Value>,
}

impl Output {
    /// The generated code in reviewable pieces (see [`render::pieces`]). Computed on
    /// demand: `cargo xtask regen` never needs it, the snapshot tests do.
    pub fn pieces(&self) -> BTreeMap<String, String> {
        self.views().0.clone()
    }

    /// The client crate's optional features the generated code needs (today only
    /// `multipart`, for upload operations): without them it does not compile, and says so.
    pub fn features(&self) -> Vec<&'static str> {
        let mut features = Vec::new();
        if passes::multipart::needs_feature(&self.run.document) {
            features.push(passes::multipart::FEATURE);
        }
        features
    }

    /// The compact API surface (see [`surface::api_surface`]), computed on demand.
    pub fn surface(&self) -> String {
        self.views().1.clone()
    }

    /// The views come from the trees, which lived on the generator's threads (see
    /// [`halves`]) and are gone: the first view asked for runs the generation again, with
    /// the views (the same input gives the same output).
    fn views(&self) -> &(BTreeMap<String, String>, String) {
        self.views.get_or_init(|| {
            let run = &self.run;
            let again = halves::generate_files(
                &run.path,
                Arc::clone(&run.document),
                &run.source,
                true,
                None,
            )
            .expect("the same document generated once already");
            again.views.expect("asked for")
        })
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("files", &self.files)
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

/// Runs the whole pipeline on the document at `path`. `source` is how the generated files'
/// header names the document (a path relative to the repository root).
pub fn run(path: &Path, source: &str) -> Result<Output, Error> {
    let document = load::load(path)?;
    run_on_value(path, source, document)
}

/// Runs the pipeline on a document already loaded; `path` is used in messages.
pub fn run_on_value(
    path: &Path,
    source: &str,
    document: serde_json::Value,
) -> Result<Output, Error> {
    validate::validate(path, &document)?;
    let normalized = normalize::normalize(path, document)?;
    run_on_normalized(path, source, normalized)
}

/// The stages after normalization, for callers that adjust the normalized document first
/// (`import` applies the name overrides there).
pub fn run_on_normalized(
    path: &Path,
    source: &str,
    normalized: normalize::Normalized,
) -> Result<Output, Error> {
    run_on_normalized_traced(path, source, normalized, None)
}

/// [`run_on_normalized`], recording when each thread finished each step in `trace`
/// (`cargo xtask bench regen`).
pub fn run_on_normalized_traced(
    path: &Path,
    source: &str,
    normalized: normalize::Normalized,
    trace: Option<Arc<halves::Trace>>,
) -> Result<Output, Error> {
    let mut normalized = normalized;
    let renamed = members::rename(&mut normalized.document);
    normalized.warnings.extend(renamed);
    let document = Arc::new(normalized.document);
    let generated = halves::generate_files(path, Arc::clone(&document), source, false, trace)?;
    Ok(Output {
        files: generated.files,
        warnings: normalized.warnings,
        run: Arc::new(Rerun {
            path: path.to_path_buf(),
            source: source.to_string(),
            document,
        }),
        views: Arc::default(),
        _cleanup: Arc::new(generated.cleanup),
    })
}
