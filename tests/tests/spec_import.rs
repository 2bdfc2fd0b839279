//! `cargo xtask import`: the canonical form of the document, the overrides file, failures
//! that leave the document alone, and a realistic upstream change taken end to end
//! (import, regenerate, diff).
//!
//! Everything runs in temporary directories; the project's own `openapi/` and `generated/`
//! are only read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use stackai_codegen::tools::import::{self, Overrides};
use stackai_codegen::tools::spec_diff::{self, Class, RenderOptions, Version};

const SOURCE: &str = "openapi/connections.json";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives one level below the repository root")
        .to_path_buf()
}

/// The document exactly as the FastAPI service publishes it (`openapi/upstream/app.py`).
fn upstream_text() -> String {
    std::fs::read_to_string(repo_root().join(SOURCE)).expect("the project's document")
}

/// A scratch copy of the repository's layout: `openapi/` and `generated/src/generated_sdk/`.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let root =
            std::env::temp_dir().join(format!("stackai-spec-import-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("openapi")).unwrap();
        std::fs::create_dir_all(root.join("generated/src/generated_sdk")).unwrap();
        Scratch { root }
    }

    fn document(&self) -> PathBuf {
        self.root.join(SOURCE)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn import(&self, input: &Path, text: &str) -> Result<import::Imported, stackai_codegen::Error> {
        import::import(input, text, &self.document(), SOURCE)
    }

    /// What `cargo xtask regen` does, in the scratch tree: returns the files it changed.
    fn regen(&self) -> Vec<String> {
        let output =
            import::run_project(&self.document(), SOURCE).unwrap_or_else(|e| panic!("{e}"));
        let dir = self.root.join("generated/src/generated_sdk");
        let mut changed = Vec::new();
        for file in &output.files {
            let path = dir.join(&file.name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
                std::fs::write(&path, &file.contents).unwrap();
                changed.push(file.name.clone());
            }
        }
        changed
    }

    fn generated(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.join("generated/src/generated_sdk").join(name)).unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Reverses every object's key order, to stand for an upstream that orders keys differently.
fn reverse_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map.iter().rev() {
                out.insert(k.clone(), reverse_keys(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(reverse_keys).collect()),
        other => other.clone(),
    }
}

/// Lines of `new` not matched in `old` plus lines of `old` not matched in `new` (a multiset
/// difference: an upper bound of what a line diff shows, for documents without repeated
/// blocks moving around).
fn changed_lines(old: &str, new: &str) -> usize {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for line in old.lines() {
        *counts.entry(line).or_default() += 1;
    }
    for line in new.lines() {
        *counts.entry(line).or_default() -= 1;
    }
    counts.values().map(|c| c.unsigned_abs() as usize).sum()
}

#[test]
fn the_canonical_form_is_independent_of_upstream_formatting() {
    let text = upstream_text();
    let value: Value = serde_json::from_str(&text).unwrap();
    let canonical = import::canonicalize(Path::new("upstream.json"), &text).unwrap();

    let variants = [
        serde_json::to_string(&value).unwrap(),
        serde_json::to_string_pretty(&reverse_keys(&value)).unwrap(),
        serde_json::to_string(&reverse_keys(&value)).unwrap() + "\n\n",
    ];
    for variant in variants {
        let again = import::canonicalize(Path::new("upstream.json"), &variant).unwrap();
        assert!(
            again.text == canonical.text,
            "the canonical text depends on the input's formatting"
        );
    }
    // Idempotent.
    let twice = import::canonicalize(Path::new("c.json"), &canonical.text).unwrap();
    assert_eq!(twice.text, canonical.text);

    // Two-space indent, sorted keys, a trailing newline; arrays keep their order.
    assert!(canonical.text.ends_with("}\n") && !canonical.text.ends_with("\n\n"));
    assert!(
        canonical
            .text
            .starts_with("{\n  \"components\": {\n    \"schemas\": {")
    );
    let sort_by = &canonical.document["components"]["schemas"]["ConnectionSortBy"]["enum"];
    assert_eq!(sort_by, &json!(["created_at", "updated_at", "name"]));
    let keys: Vec<&String> = canonical.document["paths"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let params = &canonical.document["paths"]["/connections/{connection_id}/resources/children"]["get"]
        ["parameters"];
    let names: Vec<&str> = params
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "connection_id",
            "resource_id",
            "cursor",
            "page_size",
            "refresh_oauth_tokens"
        ],
        "parameter order is the document's, not sorted"
    );
}

/// "A second import of the same file changes nothing", and importing the FastAPI document
/// gives exactly the committed generated code, which is what `cargo xtask check` checks.
#[test]
fn importing_the_published_document_matches_the_committed_crate_and_is_stable() {
    let scratch = Scratch::new("stable");
    // The committed crate is generated with the project's overrides (dynamic filters).
    std::fs::copy(
        repo_root().join("openapi/overrides.json"),
        scratch.path("openapi/overrides.json"),
    )
    .unwrap();
    let upstream = scratch.write("upstream.json", &upstream_text());

    let first = scratch.import(&upstream, &upstream_text()).unwrap();
    assert!(first.changed);
    let written = std::fs::read_to_string(scratch.document()).unwrap();
    scratch.regen();

    let second = scratch.import(&upstream, &upstream_text()).unwrap();
    assert!(!second.changed, "a second import rewrote the document");
    assert_eq!(
        std::fs::read_to_string(scratch.document()).unwrap(),
        written
    );
    assert!(
        scratch.regen().is_empty(),
        "a second import changed generated code"
    );

    // The same API in another key order and layout is the same document.
    let value: Value = serde_json::from_str(&upstream_text()).unwrap();
    let shuffled = serde_json::to_string(&reverse_keys(&value)).unwrap();
    let third = scratch.import(&upstream, &shuffled).unwrap();
    assert!(!third.changed);

    let committed = repo_root().join("generated/src/generated_sdk");
    for file in &first.output.files {
        let ours = scratch.generated(&file.name);
        let theirs = std::fs::read_to_string(committed.join(&file.name)).unwrap();
        assert!(
            ours == theirs,
            "importing {SOURCE} does not reproduce generated/src/generated_sdk/{}; \
             run `cargo xtask import {SOURCE}`",
            file.name
        );
    }
}

/// The committed document is already in canonical form.
#[test]
fn the_committed_document_is_canonical() {
    let canonical = import::canonicalize(Path::new(SOURCE), &upstream_text()).unwrap();
    assert!(
        canonical.text == upstream_text(),
        "{SOURCE} is not in canonical form; run `cargo xtask import {SOURCE}`"
    );
}

/// Normalizing a normalized document changes nothing the generator sees, so a document
/// that `diff` or `import` has already normalized generates the same code.
#[test]
fn normalizing_is_idempotent_for_the_project_document() {
    let path = repo_root().join(SOURCE);
    let document = stackai_codegen::load::load(&path).unwrap();
    let direct = stackai_codegen::run_on_value(&path, SOURCE, document.clone()).unwrap();
    let normalized = stackai_codegen::normalize::normalize(&path, document).unwrap();
    let again = stackai_codegen::run_on_value(&path, SOURCE, normalized.document).unwrap();
    assert_eq!(direct.files, again.files);
}

#[test]
fn bad_input_is_a_clear_error_and_leaves_the_document_alone() {
    let scratch = Scratch::new("bad");
    let upstream = scratch.write("upstream.json", &upstream_text());
    scratch.import(&upstream, &upstream_text()).unwrap();
    let before = std::fs::read(scratch.document()).unwrap();

    // A parameter described by `content` rather than `schema`: not supported.
    let mut content = serde_json::from_str::<Value>(&upstream_text()).unwrap();
    content["paths"]["/connections"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "filter", "in": "query",
                     "content": {"application/json": {"schema": {"type": "string"}}}}));
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "not-json.json",
            "{\"openapi\": \"3.1.0\",".into(),
            "",
            "not valid JSON",
        ),
        ("array.json", "[1, 2]".into(), "", "object at the top level"),
        (
            "swagger.json",
            r#"{"swagger": "2.0", "info": {}, "paths": {}}"#.into(),
            "/swagger",
            "Swagger 2.0",
        ),
        (
            "openapi-2.json",
            r#"{"openapi": "2.0", "info": {}, "paths": {}}"#.into(),
            "/openapi",
            "unsupported OpenAPI version",
        ),
        (
            "no-paths.json",
            r#"{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}}"#.into(),
            "",
            "`paths`",
        ),
        (
            "content-parameter.json",
            serde_json::to_string(&content).unwrap(),
            "/paths/~1connections/get/parameters/3",
            "described by `content`",
        ),
    ];
    for (name, text, pointer, message) in cases {
        let input = scratch.write(name, &text);
        let err = scratch
            .import(&input, &text)
            .expect_err(&format!("{name} must be rejected"));
        let shown = err.to_string();
        assert!(
            shown.contains(name),
            "{name}: the message must name the file: {shown}"
        );
        assert_eq!(err.pointer, pointer, "{name}: {shown}");
        assert!(shown.contains(message), "{name}: {shown}");
        assert_eq!(
            std::fs::read(scratch.document()).unwrap(),
            before,
            "{name}: the document was touched"
        );
    }
}

#[test]
fn overrides_pin_method_and_type_names_across_an_upstream_rename() {
    let scratch = Scratch::new("overrides");
    let upstream = scratch.write("upstream.json", &upstream_text());
    scratch.import(&upstream, &upstream_text()).unwrap();
    scratch.regen();
    let baseline_doc = scratch.write(
        "baseline.json",
        &std::fs::read_to_string(scratch.document()).unwrap(),
    );
    let baseline: Vec<String> = ["mod.rs", "types.rs", "builder.rs"]
        .iter()
        .map(|f| scratch.generated(f))
        .collect();

    // Upstream renames the function behind GET /connections and the Connection model.
    let renamed = upstream_text()
        .replace(
            "get_connections_connections_get",
            "list_connections_connections_get",
        )
        .replace("\"Connection\":", "\"ConnectionOut\":")
        .replace(
            "#/components/schemas/Connection\"",
            "#/components/schemas/ConnectionOut\"",
        );
    assert_ne!(renamed, upstream_text());
    let renamed_path = scratch.write("renamed.json", &renamed);

    // Without overrides, the names change, and the diff says so.
    let unpinned = scratch.import(&renamed_path, &renamed).unwrap();
    assert!(unpinned.changed);
    assert!(
        unpinned
            .output
            .surface()
            .contains("list_connections: GET /connections")
    );
    assert!(unpinned.output.surface().contains("struct ConnectionOut"));
    let report = spec_diff::diff_files(&baseline_doc, &scratch.document()).unwrap();
    let kinds: Vec<&str> = report.changes.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["operation-renamed", "type-renamed"], "{report:#?}");

    // Pinned, nothing generated changes.
    std::fs::write(
        scratch.path("openapi/overrides.json"),
        serde_json::to_string_pretty(&json!({
            "$comment": "Names kept across upstream renames.",
            "operations": {"list_connections_connections_get": "get_connections"},
            "schemas": {"ConnectionOut": "Connection"}
        }))
        .unwrap(),
    )
    .unwrap();
    scratch.import(&renamed_path, &renamed).unwrap();
    scratch.regen();
    for (file, before) in ["mod.rs", "types.rs", "builder.rs"].iter().zip(&baseline) {
        assert!(
            &scratch.generated(file) == before,
            "{file} changed although the overrides pin every name"
        );
    }
    // The diff of the old document (no overrides beside it) and the new one (pinned) is empty.
    let report = spec_diff::diff(
        spec_diff::Side::load(&baseline_doc).unwrap(),
        spec_diff::Side::load(&scratch.document()).unwrap(),
    )
    .unwrap();
    assert!(report.changes.is_empty(), "{report:#?}");
}

#[test]
fn overrides_errors_point_into_the_overrides_file() {
    let scratch = Scratch::new("overrides-errors");
    let upstream = scratch.write("upstream.json", &upstream_text());
    scratch.import(&upstream, &upstream_text()).unwrap();
    let before = std::fs::read(scratch.document()).unwrap();
    let overrides = scratch.path("openapi/overrides.json");
    let cases = [
        (json!({"operation": {}}), "/operation", "unknown key"),
        (
            json!({"operations": {"x": "Get-It"}}),
            "/operations/x",
            "snake_case",
        ),
        (
            json!({"operations": {"x": "new"}}),
            "/operations/x",
            "client itself",
        ),
        (
            json!({"operations": {"x": 3}}),
            "/operations/x",
            "must be a string",
        ),
        (
            json!({"operations": {"get_connections_connections_get": "get_connection_by_id"}}),
            "/operations",
            "both have the method name `get_connection_by_id`",
        ),
        (
            json!({"schemas": {"User": "Connection"}}),
            "/schemas/User",
            "has a schema `Connection` too",
        ),
    ];
    for (value, pointer, message) in cases {
        std::fs::write(&overrides, value.to_string()).unwrap();
        let err = scratch.import(&upstream, &upstream_text()).unwrap_err();
        assert_eq!(err.file, overrides, "{err}");
        assert_eq!(err.pointer, pointer, "{err}");
        assert!(err.to_string().contains(message), "{err}");
        assert_eq!(std::fs::read(scratch.document()).unwrap(), before);
    }
    std::fs::write(&overrides, "{ not json").unwrap();
    let err = Overrides::load(&overrides).unwrap_err();
    assert!(err.to_string().contains("not valid JSON"), "{err}");
}

/// A realistic upstream release: a new optional query parameter, a new response field and a
/// removed enum value, brought in with import, regenerated, and reported by diff.
#[test]
fn a_realistic_upstream_change_end_to_end() {
    let scratch = Scratch::new("e2e");
    let upstream = scratch.write("upstream-v1.json", &upstream_text());
    scratch.import(&upstream, &upstream_text()).unwrap();
    scratch.regen();
    let old_doc_text = std::fs::read_to_string(scratch.document()).unwrap();
    let old_doc = scratch.write("connections-v1.json", &old_doc_text);
    let old_output = import::run_project(&scratch.document(), SOURCE).unwrap();

    // Upstream v2, as FastAPI would publish it (one line, its own key order).
    let mut v2: Value = serde_json::from_str(&upstream_text()).unwrap();
    v2["paths"]["/connections"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "name": "include_deleted", "in": "query", "required": false,
            "schema": {"type": "boolean", "default": false, "title": "Include Deleted"}
        }));
    v2["components"]["schemas"]["Connection"]["properties"]["last_synced_at"] = json!({
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
        "title": "Last Synced At"
    });
    let sort_by = v2["components"]["schemas"]["ConnectionSortBy"]["enum"]
        .as_array_mut()
        .unwrap();
    sort_by.retain(|v| v != "name");
    let v2_text = serde_json::to_string(&v2).unwrap();
    let v2_path = scratch.write("upstream-v2.json", &v2_text);

    // Import: the document changes by a few lines only.
    let imported = scratch.import(&v2_path, &v2_text).unwrap();
    assert!(imported.changed);
    let new_doc_text = std::fs::read_to_string(scratch.document()).unwrap();
    let churn = changed_lines(&old_doc_text, &new_doc_text);
    assert!(
        (5..=30).contains(&churn),
        "the canonical document changed by {churn} lines"
    );

    // Regenerate: the three affected places change, in the generated files and the pieces.
    let changed = scratch.regen();
    assert!(changed.contains(&"types.rs".to_string()), "{changed:?}");
    assert!(changed.contains(&"builder.rs".to_string()), "{changed:?}");
    let types = scratch.generated("types.rs");
    assert!(types.contains("pub last_synced_at: ::std::option::Option<"));
    assert!(
        !old_output
            .files
            .iter()
            .any(|f| f.contents.contains("last_synced_at"))
    );
    assert!(scratch.generated("builder.rs").contains("include_deleted"));
    let new_output = import::run_project(&scratch.document(), SOURCE).unwrap();
    let (new_pieces, old_pieces) = (new_output.pieces(), old_output.pieces());
    let changed_pieces: Vec<&String> = new_pieces
        .iter()
        .filter(|(k, v)| old_pieces.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    for piece in [
        "types/Connection",
        "types/ConnectionSortBy",
        "operations/get_connections",
    ] {
        assert!(
            changed_pieces.iter().any(|p| *p == piece),
            "{piece} should change; changed: {changed_pieces:?}"
        );
    }
    assert!(
        changed_pieces.len() <= 5,
        "unrelated pieces changed: {changed_pieces:?}"
    );
    assert!(old_output.pieces()["types/ConnectionSortBy"].contains("\"name\""));
    assert!(!new_output.pieces()["types/ConnectionSortBy"].contains("\"name\""));
    assert!(
        new_output
            .surface()
            .contains("  param include_deleted: Option<bool>")
    );

    // Diff: one breaking change, two compatible ones, and a minor bump of 0.1.0.
    let report = spec_diff::diff_files(&old_doc, &scratch.document()).unwrap();
    let summary: Vec<(Class, &str, Option<&str>)> = report
        .changes
        .iter()
        .map(|c| (c.class, c.rust_item.as_str(), c.rust_member.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                Class::Breaking,
                "types::ConnectionSortBy",
                Some("variant `Name`")
            ),
            (
                Class::Compatible,
                "Client::get_connections",
                Some("parameter `include_deleted`")
            ),
            (
                Class::Compatible,
                "types::Connection",
                Some("field `last_synced_at`")
            ),
        ],
        "{report:#?}"
    );
    assert_eq!(report.changes[1].new_type.as_deref(), Some("bool"));
    assert_eq!(
        report.changes[2].new_type.as_deref(),
        Some("Option<DateTime<Utc>>")
    );
    let options = RenderOptions {
        old_label: "connections-v1.json",
        new_label: SOURCE,
        crate_name: "stackai-connections",
        version: Version::parse("0.1.0"),
        working_version: None,
    };
    let markdown = report.markdown(&options);
    for needle in [
        "**1 breaking, 0 possibly breaking, 2 compatible** changes.",
        "`types::ConnectionSortBy::Name` no longer exists",
        "new builder method `.include_deleted(..)`",
        "0.1.0 → **0.2.0**",
    ] {
        assert!(markdown.contains(needle), "{needle:?} missing:\n{markdown}");
    }
    assert!(report.has_at_least(Class::Breaking));
}
