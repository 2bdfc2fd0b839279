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
