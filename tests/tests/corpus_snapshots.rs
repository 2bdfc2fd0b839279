//! The feature corpus's generated crate (`tests/corpus/`) is its own snapshot: the committed
//! `tests/corpus/src/generated_sdk/` must be exactly what the generator produces from
//! `openapi/corpus/corpus.json`, and compiling it (with warnings denied) is part of every
//! `cargo test --workspace`. The API-surface summary is a small reviewable view of it.

use std::path::PathBuf;

const DOCUMENT: &str = "openapi/corpus/corpus.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn output() -> stackai_codegen::Output {
    stackai_codegen::tools::import::run_project(&root().join(DOCUMENT), DOCUMENT)
        .unwrap_or_else(|e| panic!("the feature corpus must generate: {e}"))
}

#[test]
fn committed_corpus_crate_is_fresh_and_surface_reviewed() {
    let output = output();
    for file in &output.files {
        let path = root()
            .join("tests/corpus/src/generated_sdk")
            .join(&file.name);
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(
            committed == file.contents,
            "{} is stale; run `cargo xtask regen`",
            path.display()
        );
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("corpus_api_surface", output.surface()));
}

/// The corpus crate compiles the published crate's runtime files rather than copying them;
/// a runtime module added to `generated/src/lib.rs` must be added to `tests/corpus/src/lib.rs`
/// too (this says which, before the compiler's less direct complaint).
#[test]
fn corpus_crate_reuses_every_runtime_module() {
    let published = std::fs::read_to_string(root().join("generated/src/lib.rs")).unwrap();
    let corpus = std::fs::read_to_string(root().join("tests/corpus/src/lib.rs")).unwrap();
    let modules: Vec<String> = published
        .lines()
        .filter_map(|line| {
            let name = line
                .trim()
                .trim_start_matches("pub ")
                .strip_prefix("mod ")?;
            Some(name.strip_suffix(';')?.to_string())
        })
        .filter(|m| m != "generated_sdk")
        .collect();
    assert!(modules.contains(&"transport".to_string()), "{modules:?}");
    for module in modules {
        let path = format!("#[path = \"../../../generated/src/{module}.rs\"]");
        assert!(
            corpus.contains(&path),
            "tests/corpus/src/lib.rs lacks the runtime module `{module}` ({path})"
        );
    }
}
