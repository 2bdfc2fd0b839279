//! Mutation fuzzing of the generator, bounded for `cargo test`: a few hundred seeded mutants
//! of `openapi/connections.json` (and a few of each document of the upstream feature corpus,
//! when the tree has one: `mutate::CORPUS_DIRS`), each answered with generated code or with
//! an error located in the mutated document, never with a panic. `cargo xtask fuzz` runs any
//! number, and checks that accepted mutants compile; RELIABILITY.md has the figures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stackai_codegen::tools::mutate::{self, Kind, Outcome};

/// Mutants of the project's document, and of each corpus document.
const MUTANTS: u64 = 240;
const CORPUS_MUTANTS: u64 = 40;
/// Not the default seed of `cargo xtask fuzz`, so that the two cover different mutants.
const SEED: u64 = 20_261_129;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is below the root")
        .to_path_buf()
}

/// Runs mutants `from..to` of the project's document (and the same share of each corpus
/// document's [`CORPUS_MUTANTS`]); panics listing every mutant not answered as promised.
fn run_share(from: u64, to: u64) {
    let inputs = mutate::inputs(&root());
    assert!(inputs[0].ends_with("openapi/connections.json"));
    let mut failures = Vec::new();
    let mut counts: BTreeMap<(Kind, &'static str), u64> = BTreeMap::new();
    for (n, input) in inputs.iter().enumerate() {
        let base = stackai_codegen::load::load(input).unwrap_or_else(|e| panic!("{e}"));
        let range = if n == 0 {
            from..to
        } else {
            from * CORPUS_MUTANTS / MUTANTS..to * CORPUS_MUTANTS / MUTANTS
        };
        for index in range {
            let m = mutate::mutant(&base, SEED, index);
            assert_ne!(m.document, base, "mutant #{index} changed nothing");
            let (outcome, _) = mutate::classify(input, m.document);
            *counts.entry((m.kind, outcome.class())).or_default() += 1;
            if !outcome.is_good() {
                failures.push(format!(
                    "{} #{index} ({}, {} {}): {outcome}",
                    input.display(),
                    m.kind.name(),
                    m.pointer,
                    m.description
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mutant(s) were not answered with code or a located error \
         (reproduce one with `cargo xtask fuzz --seed {SEED} --only N`):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    // The run is not vacuous: every kind of mutation happened, and both outcomes occurred.
    for kind in Kind::ALL {
        assert!(
            counts.keys().any(|(k, _)| *k == kind),
            "no {} mutant: {counts:?}",
            kind.name()
        );
    }
    for class in ["accepted", "rejected"] {
        assert!(
            counts.keys().any(|(_, c)| *c == class),
            "no mutant was {class}: {counts:?}"
        );
    }
}

// Four shares, so that the test harness runs them in parallel.
#[test]
fn mutants_first_quarter() {
    run_share(0, MUTANTS / 4);
}

#[test]
fn mutants_second_quarter() {
    run_share(MUTANTS / 4, MUTANTS / 2);
}

#[test]
fn mutants_third_quarter() {
    run_share(MUTANTS / 2, 3 * MUTANTS / 4);
}

#[test]
fn mutants_fourth_quarter() {
    run_share(3 * MUTANTS / 4, MUTANTS);
}

/// The classes the generator's promise rules out are recognised as such: a document the
/// validator does not catch but progenitor panics on would be counted, not hidden. (A
/// schema typify reaches `todo!` on, once validation is bypassed by calling the later
/// stages directly.)
#[test]
fn a_progenitor_panic_is_classified_as_a_failure() {
    let document = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/things": {"get": {
            "operationId": "list_things",
            "responses": {"200": {"description": "ok", "content": {"application/json": {}}}}
        }}}
    });
    let path = Path::new("inline.json");
    let Err(err) = stackai_codegen::generate::generate(path, &document) else {
        panic!("a JSON response without a schema reaches progenitor's todo!");
    };
    assert!(err.message.contains("progenitor panicked"), "{err}");
    // Through the whole pipeline, normalization gives the media type `{}` (any JSON, with
    // a warning) before progenitor sees it.
    let (outcome, _) = mutate::classify(path, document);
    assert!(
        matches!(outcome, Outcome::Accepted),
        "expected it accepted, got {outcome}"
    );
}

#[test]
fn mutants_are_reproducible_from_seed_and_index() {
    let input = root().join("openapi/connections.json");
    let base = stackai_codegen::load::load(&input).unwrap_or_else(|e| panic!("{e}"));
    for index in [0, 1, 5, 17, 123] {
        let a = mutate::mutant(&base, SEED, index);
        let b = mutate::mutant(&base, SEED, index);
        assert_eq!(a.document, b.document, "mutant #{index}");
        assert_eq!((a.kind, &a.pointer), (b.kind, &b.pointer));
    }
    let other_seed = mutate::mutant(&base, SEED + 1, 0);
    let first = mutate::mutant(&base, SEED, 0);
    assert!(
        other_seed.pointer != first.pointer || other_seed.document != first.document,
        "another seed gives other mutants"
    );
}

#[test]
fn a_location_is_a_node_or_a_missing_member_of_an_object() {
    let doc = serde_json::json!({"paths": {"/a": {"get": {}}}, "list": [1]});
    assert!(mutate::is_located(&doc, "/paths/~1a/get"));
    assert!(mutate::is_located(&doc, "/paths/~1a/get/responses"));
    assert!(!mutate::is_located(&doc, "/paths/~1b/get"));
    assert!(!mutate::is_located(&doc, "/list/3"));
    // A missing top-level field is located at the root.
    assert!(mutate::is_located(&doc, ""));
}
