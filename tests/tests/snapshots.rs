//! Snapshot tests of the generated code.
//!
//! The output is cut into one snapshot per model and one per operation (see
//! `stackai_codegen::render::pieces`), so a change to one schema or operation in
//! `openapi/connections.json` shows up as a small diff in one or two `.snap` files. The
//! API-surface snapshot summarizes the whole public API in a few hundred lines.
//!
//! Review changes with `cargo insta review`.

use std::path::PathBuf;

fn output() -> stackai_codegen::Output {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let document = root.join("openapi/connections.json");
    stackai_codegen::tools::import::run_project(&document, "openapi/connections.json")
        .unwrap_or_else(|e| panic!("the project's own document must generate: {e}"))
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

#[test]
fn api_surface() {
    settings().bind(|| insta::assert_snapshot!("api_surface", output().surface()));
}

/// Guards the list of pieces itself, so that a model or operation that disappears is
/// reported too (its old snapshot file would otherwise just stop being checked).
#[test]
fn piece_index() {
    let index: Vec<String> = output().pieces().keys().cloned().collect();
    settings().bind(|| insta::assert_snapshot!("piece_index", index.join("\n")));
}

#[test]
fn generated_code_by_piece() {
    let out = output();
    settings().bind(|| {
        for (name, code) in &out.pieces() {
            let snapshot_name = format!("code__{}", name.replace('/', "__"));
            insta::assert_snapshot!(snapshot_name, code);
        }
    });
}

/// The committed crate must be exactly what the generator produces now; this is what
/// `cargo xtask check` checks too, but a test run should not need a second command to notice.
#[test]
fn committed_crate_is_fresh() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for file in output().files {
        let path = root.join("generated/src/generated_sdk").join(&file.name);
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(
            committed == file.contents,
            "{} is stale; run `cargo xtask regen`",
            path.display()
        );
    }
}
