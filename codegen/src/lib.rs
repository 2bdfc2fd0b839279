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
pub mod load;
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

pub use error::{Error, Warning};
pub use render::GeneratedFile;

/// Everything one run of the pipeline produces.
#[derive(Clone)]
pub struct Output {
    /// The files of the generated module, `mod.rs` first.
    pub files: Vec<GeneratedFile>,
    /// Information the normalizer had to drop.
    pub warnings: Vec<Warning>,
    /// The generated code before formatting, for the reviewer's views below; without the
    /// mocks, which were generated on another thread from `mock`.
    file: syn::File,
    mock: mock::Inputs,
    /// The normalized document it was generated from.
    document: serde_json::Value,
}

impl Output {
    /// The generated code in reviewable pieces (see [`render::pieces`]). Computed on
    /// demand: `cargo xtask regen` never needs it, the snapshot tests do.
    pub fn pieces(&self) -> BTreeMap<String, String> {
        // The mocks are built again here: the ones `run_on_normalized` built went to
        // another thread's formatting, and a tree cannot come back from there.
        let mock = mock::generate_from(&self.mock, &self.document)
            .expect("generated from the same inputs once already");
        render::pieces(&self.file, &[mock])
    }

    /// The compact API surface (see [`surface::api_surface`]), computed on demand.
    pub fn surface(&self) -> String {
        surface::api_surface(&self.document, &self.file)
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
    let mut file = generate::generate(path, &normalized.document)?;
    passes::apply(path, &mut file, &normalized.document)?;
    let mock = mock::inputs(&file);
    let files = mock_and_render(path, &mut file, &mock, &normalized.document, source)?;
    Ok(Output {
        files,
        warnings: normalized.warnings,
        file,
        mock,
        document: normalized.document,
    })
}

/// Stages 4½ and 5 on both cores: a second thread generates the mocks from `mock` (plain
/// data: syn's trees cannot cross threads) and formats `mock.rs`, while this one formats
/// the tree (`mod.rs`, `types.rs`, `builder.rs`). The files and errors are those of the
/// stages one after the other: the mocks' module is the last item of the tree, its
/// declaration the last of `mod.rs`. A panic on the second thread is resumed on this one.
pub fn mock_and_render(
    path: &Path,
    file: &mut syn::File,
    mock: &mock::Inputs,
    document: &serde_json::Value,
    source: &str,
) -> Result<Vec<GeneratedFile>, Error> {
    let (mut files, mocks) = std::thread::scope(|scope| {
        let mocks = scope.spawn(|| {
            let module = mock::generate_from(mock, document)?;
            Ok(render::render_module(module, source).expect("mock::generate returns a module"))
        });
        let files = render::render_files(file, source);
        match mocks.join() {
            Ok(mocks) => (files, mocks),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let (declaration, mocks) = mocks.map_err(|(method, message): (String, String)| {
        Error::new(
            path,
            document::operation_pointer(document, &method),
            message,
        )
    })?;
    render::append_declaration(&mut files, &declaration);
    files.push(mocks);
    Ok(files)
}
