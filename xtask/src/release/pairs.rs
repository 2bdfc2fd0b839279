//! The cross-check of the two verdicts on document pairs (issue 21, item 2).
//!
//! Each pair is a fixture of `tests/fixtures/diff/` (an `old.json` and a `new.json` that
//! differ in one way, whose document-diff classification `tests/tests/spec_diff.rs` checks).
//! Both documents are generated into scratch copies of the client crate, rustdoc writes
//! their JSON in one `cargo doc` run (all of them in the sweep's target directory, whose
//! dependencies are check-built once), and the public API diff of each pair is compared
//! with its document diff by [`super::cross_check`].

use std::path::Path;

use stackai_codegen::tools::spec_diff::{self, Class};

use super::{CrossCheck, api, cross_check, rustdoc};
use crate::{repo_root, scratch};

/// Where the scratch crates live.
const SCRATCH_DIR: &str = "target/api-pairs";

/// What the two verdicts must say about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// They agree, and the compiled API's class is this one.
    Agree(Class),
    /// They differ for a documented reason ([`super::cross_check`]); the API's class.
    Legitimate(Class),
}

/// The pairs: the kinds of change the issue names, and both sides of each rule.
const PAIRS: [(&str, Expect); 9] = [
    // `Client::get_thing` and its builder are gone.
    ("operation-removed", Expect::Agree(Class::Breaking)),
    // A new setter on the request builder, documented `Required`: requests that do not set
    // it fail at `send()` (see `api::added_breaks`).
    ("parameter-added-required", Expect::Agree(Class::Breaking)),
    // `types::Thing::note` is gone.
    ("response-field-removed", Expect::Agree(Class::Breaking)),
    ("operation-added", Expect::Agree(Class::Compatible)),
    // The generated structs are `#[non_exhaustive]`: a new field breaks no literal.
    ("response-field-added", Expect::Agree(Class::Compatible)),
    ("parameter-added-optional", Expect::Agree(Class::Compatible)),
    ("request-enum-value-added", Expect::Agree(Class::Compatible)),
    // Possibly breaking on the wire, a compatible addition to a `#[non_exhaustive]` enum.
    (
        "response-enum-value-added",
        Expect::Legitimate(Class::Compatible),
    ),
    // The request model's builder checks the new required field when it is built: the
    // compiler sees only a new setter (the models' builders also build response models,
    // so their `Required` setters are not taken as breaking).
    (
        "request-field-added-required",
        Expect::Legitimate(Class::Compatible),
    ),
];

fn crate_name(pair: &str, side: &str) -> String {
    format!("api-pair-{pair}-{side}")
}

/// Generates every pair's two crates and returns nothing but errors.
fn write_crates(root: &Path) -> Result<(), String> {
    let scratch_dir = root.join(SCRATCH_DIR);
    for (pair, _) in PAIRS {
        for side in ["old", "new"] {
            let document = root.join(format!("tests/fixtures/diff/{pair}/{side}.json"));
            let output = stackai_codegen::tools::import::run_project(&document, "fixture")
                .map_err(|e| format!("{pair}/{side}.json: {e}"))?;
            let name = crate_name(pair, side);
            scratch::client_crate(
                &root.join("generated"),
                &scratch_dir.join(&name),
                &name,
                &output.files,
            )?;
        }
    }
    scratch::workspace(root, &scratch_dir, &["api-pair-*".to_string()])
}

#[test]
fn the_document_diff_and_the_compiled_api_agree_on_the_pairs() {
    let root = repo_root();
    write_crates(&root).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = PAIRS
        .iter()
        .flat_map(|(pair, _)| [crate_name(pair, "old"), crate_name(pair, "new")])
        .collect();
    let packages: Vec<&str> = names.iter().map(String::as_str).collect();
    let docs = rustdoc::document(
        &root.join(SCRATCH_DIR).join("Cargo.toml"),
        &packages,
        &["mock", "multipart"],
        &root.join(rustdoc::TARGET_DIR),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let mut failures = Vec::new();
    for (i, (pair, expect)) in PAIRS.iter().enumerate() {
        let dir = root.join("tests/fixtures/diff").join(pair);
        let report = spec_diff::diff_files(&dir.join("old.json"), &dir.join("new.json"))
            .unwrap_or_else(|e| panic!("{pair}: {e}"));
        let old = api::read(&docs[2 * i]).unwrap();
        let new = api::read(&docs[2 * i + 1]).unwrap();
        let changes = api::compare(&old, &new);
        let verdict = cross_check(&report, &changes);
        let found = match (&verdict.cross_check, verdict.api) {
            (CrossCheck::Agree, Some(class)) => Some(Expect::Agree(class)),
            (CrossCheck::Legitimate(_), Some(class)) => Some(Expect::Legitimate(class)),
            _ => None,
        };
        if found != Some(*expect) {
            failures.push(format!(
                "{pair}: expected {expect:?}, found {:?} (document: {:?}, API: {:?})\n  {}",
                verdict.cross_check,
                verdict.document,
                verdict.api,
                changes
                    .iter()
                    .map(|c| format!("{:?} {}", c.class, c.line()))
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
