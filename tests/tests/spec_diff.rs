//! `cargo xtask diff`'s classification, checked against pairs of documents written by hand
//! from the rules in the issue, independently of the implementation.
//!
//! Each directory in `tests/fixtures/diff/` holds `old.json` and `new.json` (small
//! FastAPI-style OpenAPI 3.1 documents differing in one focused way), an optional
//! `overrides.json` (which, as in `openapi/`, applies to both documents beside it), and
//! `expected.json`:
//!
//! ```json
//! { "$comment": "what the case is", "highest": "breaking",
//!   "changes": [ { "class": "breaking", "rust_item": "Client::get_thing",
//!                  "rust_member": "parameter `limit`", "old_type": "NonZeroU64", "new_type": null } ] }
//! ```
//!
//! The report must hold exactly as many changes as `changes` lists, and each listed change
//! must match a different reported one on every field it gives (`null` means "absent").

use std::path::{Path, PathBuf};

use serde_json::Value;
use stackai_codegen::tools::spec_diff::{self, Change, Class, RenderOptions, Version};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff")
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/diff exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn options() -> RenderOptions<'static> {
    RenderOptions {
        old_label: "old.json",
        new_label: "new.json",
        crate_name: "stackai-connections",
        version: Version::parse("0.1.0"),
        working_version: None,
    }
}

fn field(change: &Change, name: &str) -> Value {
    let value = serde_json::to_value(change).expect("serializable");
    value.get(name).cloned().unwrap_or(Value::Null)
}

fn matches(change: &Change, expected: &Value) -> bool {
    expected
        .as_object()
        .expect("an expected change is an object")
        .iter()
        .all(|(k, v)| field(change, k) == *v)
}

fn check_case(dir: &Path) -> Result<(), String> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).map_err(|e| format!("{name}: {e}"))?,
    )
    .map_err(|e| format!("{name}: expected.json: {e}"))?;
    let report = spec_diff::diff_files(&dir.join("old.json"), &dir.join("new.json"))
        .map_err(|e| format!("{name}: {e}"))?;
    let markdown = report.markdown(&options());
    let fail = |why: String| Err(format!("{name}: {why}\n\n{markdown}"));

    if !report.notes.is_empty() {
        return fail(format!("the fixtures must generate: {:?}", report.notes));
    }
    let highest = report.highest().map(|c| c.as_str().to_string());
    if expected["highest"].as_str().map(str::to_string) != highest {
        return fail(format!(
            "highest class is {highest:?}, expected {}",
            expected["highest"]
        ));
    }
    let wanted = expected["changes"].as_array().expect("changes is an array");
    if wanted.len() != report.changes.len() {
        return fail(format!(
            "{} changes reported, {} expected",
            report.changes.len(),
            wanted.len()
        ));
    }
    let mut used = vec![false; report.changes.len()];
    for w in wanted {
        let found = report
            .changes
            .iter()
            .enumerate()
            .position(|(i, c)| !used[i] && matches(c, w));
        match found {
            Some(i) => used[i] = true,
            None => return fail(format!("no reported change matches {w}")),
        }
    }
    Ok(())
}

#[test]
fn every_fixture_pair_is_classified_as_expected() {
    let cases = cases();
    assert!(cases.len() >= 20, "the fixture pairs are missing");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|dir| check_case(dir).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n----\n\n")
    );
}

/// Every class of the issue is covered by some case.
#[test]
fn the_fixtures_cover_every_class() {
    let mut seen = [false; 3];
    for dir in cases() {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        for change in expected["changes"].as_array().unwrap() {
            match Class::parse(change["class"].as_str().unwrap()).unwrap() {
                Class::Breaking => seen[0] = true,
                Class::PossiblyBreaking => seen[1] = true,
                Class::Compatible => seen[2] = true,
            }
        }
    }
    assert_eq!(seen, [true; 3]);
}

/// A document compared with itself has no changes, and needs no release.
#[test]
fn the_project_document_against_itself() {
    let doc = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/connections.json");
    let report = spec_diff::diff_files(&doc, &doc).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.changes.is_empty(), "{:?}", report.changes);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let semver = report.semver(Version::parse("0.1.0").unwrap());
    assert_eq!(semver.next, Version::parse("0.1.0").unwrap());
}

/// The report names the Rust item, the member and both types, and ends with the bump.
#[test]
fn markdown_and_json_reports() {
    let dir = fixtures().join("format-changed");
    let report = spec_diff::diff_files(&dir.join("old.json"), &dir.join("new.json")).unwrap();
    let markdown = report.markdown(&options());
    for needle in [
        "## Breaking (1)",
        "**`types::Thing`, field `id`**",
        "`Uuid` → `String`",
        "/components/schemas/Thing/properties/id",
        "needs a **minor** bump: 0.1.0 → **0.2.0**",
        "for 0.x.y a breaking change bumps the minor version",
    ] {
        assert!(
            markdown.contains(needle),
            "{needle:?} missing from:\n{markdown}"
        );
    }
    let json: Value = serde_json::from_str(&report.json_text(&options())).unwrap();
    assert_eq!(json["highest"], "breaking");
    assert_eq!(json["summary"]["breaking"], 1);
    assert_eq!(json["semver"]["bump"], "minor");
    assert_eq!(json["semver"]["next"], "0.2.0");
    assert_eq!(json["changes"][0]["old_type"], "Uuid");
    assert_eq!(json["changes"][0]["new_type"], "String");
    assert!(report.has_at_least(Class::Breaking));
    assert!(report.has_at_least(Class::PossiblyBreaking));

    let dir = fixtures().join("response-enum-value-added");
    let report = spec_diff::diff_files(&dir.join("old.json"), &dir.join("new.json")).unwrap();
    assert!(!report.has_at_least(Class::Breaking));
    assert!(report.has_at_least(Class::PossiblyBreaking));
    assert!(
        report
            .markdown(&options())
            .contains("types::ThingStatus::Deleted"),
        "{}",
        report.markdown(&options())
    );

    let dir = fixtures().join("parameter-added-optional");
    let report = spec_diff::diff_files(&dir.join("old.json"), &dir.join("new.json")).unwrap();
    assert!(!report.has_at_least(Class::PossiblyBreaking));
    assert_eq!(
        report.semver(Version::parse("0.1.0").unwrap()).next,
        Version::parse("0.1.1").unwrap()
    );
}

/// Bad input is an error naming the file and a pointer, not a panic.
#[test]
fn a_document_that_is_not_openapi_is_an_error() {
    let dir = fixtures().join("operation-added");
    let bad = std::env::temp_dir().join(format!("spec-diff-bad-{}.json", std::process::id()));
    std::fs::write(&bad, r#"{"swagger": "2.0", "info": {}, "paths": {}}"#).unwrap();
    let err = spec_diff::diff_files(&dir.join("old.json"), &bad).unwrap_err();
    let _ = std::fs::remove_file(&bad);
    assert_eq!(err.pointer, "/swagger");
    assert!(err.to_string().contains("spec-diff-bad-"), "{err}");
}
