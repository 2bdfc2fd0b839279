//! The generator's side of issue 11: which operations get dynamic filters (an
//! `x-dynamic-filters` extension, a description that says so, or `openapi/overrides.json`),
//! what a bad declaration is reported as, and that the typed mocks are emitted behind the
//! `mock` feature. The runtime behaviour is tested over HTTP in `client_filters.rs` and
//! `mock_example_app.rs`.

use std::path::Path;

use serde_json::{Value, json};
use stackai_codegen::tools::import::{Overrides, run_value_with_overrides};
use stackai_codegen::{Output, run_on_value};

fn list_operation(id: &str) -> Value {
    json!({
        "operationId": id,
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "array", "items": {"type": "string"}}}}}}
    })
}

fn document(things: Value) -> Value {
    let mut items = list_operation("list_items");
    items["description"] = json!("Lists items.\n\nSupports dynamic field__operator filters.");
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {"get": items},
            "/things": {"get": things},
            "/plain": {"get": list_operation("list_plain")}
        }
    })
}

fn file<'o>(output: &'o Output, name: &str) -> &'o str {
    &output
        .files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .contents
}

/// The text of `impl<'a> Builder<'a> { ... }` in builder.rs.
fn builder_impl<'o>(output: &'o Output, builder: &str) -> &'o str {
    let text = file(output, "builder.rs");
    let start = text
        .find(&format!("impl<'a> {builder}<'a> {{"))
        .unwrap_or_else(|| panic!("no impl of {builder}"));
    let end = text[start + 1..]
        .find("\nimpl")
        .map_or(text.len(), |e| start + 1 + e);
    &text[start..end]
}

#[test]
fn the_extension_the_description_and_nothing() {
    let mut things = list_operation("list_things");
    things["x-dynamic-filters"] = json!({"fields": ["name", "created_at"], "operators": ["eq"]});
    let output = run_on_value(Path::new("doc.json"), "doc.json", document(things)).unwrap();

    let typed = builder_impl(&output, "ListThings");
    assert!(
        typed.contains("field: types::ListThingsFilterField"),
        "{typed}"
    );
    assert!(typed.contains("`x-dynamic-filters`"), "{typed}");
    let types = file(&output, "types.rs");
    assert!(types.contains("pub enum ListThingsFilterField"), "{types}");
    assert!(
        types.contains("Self::CreatedAt => \"created_at\""),
        "{types}"
    );

    let untyped = builder_impl(&output, "ListItems");
    assert!(
        untyped.contains("field: impl crate::filters::FilterField"),
        "{untyped}"
    );
    assert!(untyped.contains("description"), "{untyped}");
    assert!(!types.contains("ListItemsFilterField"));

    let plain = builder_impl(&output, "ListPlain");
    assert!(!plain.contains("pub fn filter("), "{plain}");
    assert!(plain.contains("pub fn extra_header("), "{plain}");
}

#[test]
fn bad_declarations_are_reported_at_their_place() {
    for (declaration, pointer, words) in [
        (json!({"fields": ["a__b"]}), "/fields/0", "not a name"),
        (json!({"fields": "name"}), "/fields", "list of names"),
        (json!({"fields": ["other"]}), "/fields/0", "Other(String)"),
        (json!({"fields": ["a_b", "aB"]}), "/fields/1", "both become"),
        (json!({"operators": ["eq", "eq"]}), "/operators/1", "twice"),
        (json!({"colour": []}), "/colour", "unknown key"),
        (json!(["name"]), "", "must be an object"),
    ] {
        let mut things = list_operation("list_things");
        things["x-dynamic-filters"] = declaration.clone();
        let error = run_on_value(Path::new("doc.json"), "doc.json", document(things))
            .expect_err("a bad declaration is an error");
        assert_eq!(
            error.pointer,
            format!("/paths/~1things/get/x-dynamic-filters{pointer}"),
            "{declaration}: {error}"
        );
        assert!(error.message.contains(words), "{declaration}: {error}");
    }
}

#[test]
fn overrides_declare_filters_for_a_document_that_does_not() {
    let overrides_file = Path::new("overrides.json");
    let overrides = Overrides::from_value(
        overrides_file,
        &json!({"dynamic_filters": {
            "list_plain": {"fields": ["status"]},
            "no_such_operation": {}
        }}),
    )
    .unwrap();
    let things = list_operation("list_things");
    let output = run_value_with_overrides(
        Path::new("doc.json"),
        "doc.json",
        document(things),
        &overrides,
    )
    .unwrap();
    let plain = builder_impl(&output, "ListPlain");
    assert!(
        plain.contains("field: types::ListPlainFilterField"),
        "{plain}"
    );
    assert!(plain.contains("`openapi/overrides.json`"), "{plain}");
    assert!(
        output
            .warnings
            .iter()
            .any(|w| w.message.contains("dynamic_filters/no_such_operation")),
        "{:?}",
        output.warnings
    );

    let error = Overrides::from_value(
        overrides_file,
        &json!({"dynamic_filters": {"list_plain": {"fields": ["bad name"]}}}),
    )
    .expect_err("a bad field name");
    assert_eq!(error.pointer, "/dynamic_filters/list_plain/fields/0");
}

/// Names the mocks use themselves never stop a document: an operation named like
/// `MockServer::uri` is mocked as `uri_operation`, and a parameter named like the mock
/// builder's `times` is matched by `times_query` (the request builder keeps `times`).
#[test]
fn names_the_mocks_use_themselves_are_renamed_on_the_mocks_only() {
    let colliding_method = list_operation("uri");
    let mut colliding_parameter = list_operation("list_things");
    colliding_parameter["parameters"] = json!([
        {"name": "times", "in": "query", "required": false, "schema": {"type": "integer"}}
    ]);
    for (things, mock, builder, pointer) in [
        (
            colliding_method,
            "pub fn uri_operation(&self)",
            "pub fn uri(&self)",
            "/paths/~1things/get/operationId",
        ),
        (
            colliding_parameter,
            "pub fn times_query(",
            "pub fn times<",
            "/paths/~1things/get/parameters/0",
        ),
    ] {
        let output = run_on_value(Path::new("doc.json"), "doc.json", document(things))
            .expect("names the mocks use are renamed, not an error");
        assert!(file(&output, "mock.rs").contains(mock), "{mock}");
        let client: String = output.pieces().into_values().collect();
        assert!(client.contains(builder), "{builder}");
        assert!(
            output.warnings.iter().any(|w| w.pointer == pointer),
            "{:?}",
            output.warnings
        );
    }
}

#[test]
fn mocks_are_a_generated_file_behind_the_mock_feature() {
    let output = run_on_value(
        Path::new("doc.json"),
        "doc.json",
        document(list_operation("list_things")),
    )
    .unwrap();
    let root = file(&output, "mod.rs");
    assert!(
        root.contains("#[cfg(feature = \"mock\")]\npub mod mock;"),
        "{root}"
    );
    let mock = file(&output, "mock.rs");
    assert!(
        mock.starts_with("// @generated by stackai-codegen"),
        "{mock}"
    );
    for expected in [
        "pub fn list_things(&self) -> ListThings<'_>",
        "pub async fn ok(self, value: &::std::vec::Vec<::std::string::String>)",
        "pub fn filter(",
        "path: \"/items\"",
    ] {
        assert!(mock.contains(expected), "{expected} not in {mock}");
    }
    let again = run_on_value(
        Path::new("doc.json"),
        "doc.json",
        document(list_operation("list_things")),
    )
    .unwrap();
    assert_eq!(file(&again, "mock.rs"), mock, "deterministic");
}

#[test]
fn the_client_crate_gains_no_dependency_without_the_mock_feature() {
    // What `cargo tree -p stackai-connections -e normal` shows with and without `mock`
    // follows from the manifest: wiremock is optional and only the `mock` feature enables it.
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/Cargo.toml"),
    )
    .unwrap();
    let wiremock: Vec<&str> = manifest
        .lines()
        .filter(|l| l.contains("wiremock") && !l.starts_with('#'))
        .collect();
    assert_eq!(
        wiremock,
        [
            "mock = [\"dep:wiremock\"]",
            "wiremock = { workspace = true, optional = true }"
        ],
        "{manifest}"
    );
    let default = manifest
        .lines()
        .find(|l| l.starts_with("default = "))
        .unwrap();
    assert!(!default.contains("mock"), "{default}");
}

/// The filter-field enums go into `types` on another thread than the builders
/// (`codegen/src/halves.rs`), in the document's order of operations, which must be the
/// builders' order: paths in order, and `get` before `post` on one path (the names are
/// chosen so that neither order is the alphabetical one).
#[test]
fn field_enums_follow_the_builders_order() {
    let declared = |id: &str| {
        let mut op = list_operation(id);
        op["x-dynamic-filters"] = json!({"fields": ["name"], "operators": ["eq"]});
        op
    };
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/zebras": {"post": declared("add_zebras"), "get": declared("list_zebras")},
            "/apples": {"get": declared("show_apples")}
        }
    });
    let output = run_on_value(Path::new("doc.json"), "doc.json", doc).unwrap();
    let position = |text: &str, needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in\n{text}"))
    };
    let (types, builders) = (file(&output, "types.rs"), file(&output, "builder.rs"));
    let names = ["AddZebras", "ListZebras", "ShowApples"];
    let mut by_enum = names.map(|name| {
        (
            position(types, &format!("pub enum {name}FilterField")),
            name,
        )
    });
    let mut by_builder =
        names.map(|name| (position(builders, &format!("pub struct {name}<'a>")), name));
    by_enum.sort();
    by_builder.sort();
    assert_eq!(
        by_enum.map(|(_, name)| name),
        by_builder.map(|(_, name)| name),
        "the enums' order in types.rs is not the builders' order in builder.rs"
    );
}
