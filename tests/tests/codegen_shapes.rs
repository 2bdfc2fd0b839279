//! Shapes of real FastAPI documents (issue 17 idioms 2 and 3), on small hand-written
//! documents:
//!
//! - the dialects mixed: 3.0's `nullable` inside a 3.1 document and 3.1's `type: [X,
//!   "null"]` inside a 3.0 one, for properties and parameters, each honoured;
//! - a required path parameter that may be null takes the plain value, with a located
//!   warning;
//! - parameters of several scalar types become enums, named after the operation and the
//!   parameter, or after their component;
//! - the parameter shapes still rejected, each with a located error.

use std::path::Path;

use serde_json::{Value, json};
use stackai_codegen::Output;

fn document(version: &str, parameters: Value, schemas: Value) -> Value {
    json!({
        "openapi": version,
        "info": {"title": "Shapes", "version": "1"},
        "paths": {"/things/{id}": {"get": {
            "operationId": "get_thing",
            "parameters": parameters,
            "responses": {"200": {
                "description": "The thing",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
            }}
        }}},
        "components": {"schemas": schemas}
    })
}

fn run(doc: Value) -> Result<Output, stackai_codegen::Error> {
    stackai_codegen::run_on_value(Path::new("shapes.json"), "shapes.json", doc)
}

fn path_id(schema: Value) -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": schema})
}

const PARAM: &str = "/paths/~1things~1{id}/get/parameters";

/// Both nullable spellings in both versions: properties and query or header parameters
/// become `Option`, the path parameter takes the plain value and says so.
#[test]
fn nullable_spellings_are_honoured_in_either_version() {
    for version in ["3.0.3", "3.1.0"] {
        for (style, nullable_int, nullable_str) in [
            (
                "nullable",
                json!({"type": "integer", "nullable": true}),
                json!({"type": "string", "nullable": true}),
            ),
            (
                "type list",
                json!({"type": ["integer", "null"]}),
                json!({"type": ["string", "null"]}),
            ),
        ] {
            let case = format!("{version} with {style}");
            let doc = document(
                version,
                json!([
                    path_id(nullable_int.clone()),
                    {"name": "q", "in": "query", "required": true, "schema": nullable_str.clone()},
                    {"name": "x-tag", "in": "header", "required": true, "schema": nullable_str.clone()}
                ]),
                json!({"Thing": {
                    "type": "object",
                    "properties": {"count": nullable_int, "label": nullable_str},
                    "required": ["count", "label"]
                }}),
            );
            let output = run(doc).unwrap_or_else(|e| panic!("{case}: {e}"));
            let surface = output.surface();
            for line in [
                "  param id: i64 (required)\n",
                "  param q: Option<String>\n",
                "  param x_tag: Option<String>\n",
                "  count: Option<i64>\n",
                "  label: Option<String>\n",
            ] {
                assert!(surface.contains(line), "{case}: no `{line}` in\n{surface}");
            }
            let warnings: Vec<String> = output.warnings.iter().map(|w| w.to_string()).collect();
            assert_eq!(
                warnings,
                [format!(
                    "at {PARAM}/0/schema: path parameter `id` may be null, but a path segment \
                     cannot be: its setter takes the value itself, not an `Option` \
                     (acknowledge this warning in overrides.json)"
                )],
                "{case}"
            );
        }
    }
}

/// `UUID | str` in the path (3.1's `anyOf`, 3.0's `oneOf`), `int | str` as a query list,
/// `int | bool` as a header written as a 3.1 type list, and a component union used by a
/// parameter, and a union wrapped in a one-member `allOf`: each an enum with `Display`
/// and `From<&str>` where a member is a string.
#[test]
fn parameters_of_several_types_become_enums() {
    let doc = document(
        "3.1.0",
        json!([
            path_id(json!({"anyOf": [{"type": "string", "format": "uuid"}, {"type": "string"}]})),
            {"name": "keys", "in": "query", "schema": {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}},
            {"name": "x-revision", "in": "header", "required": true, "schema": {"type": ["integer", "boolean"]}},
            {"name": "owner", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/OwnerRef"}},
            {"name": "GetThingId", "in": "query", "schema": {"type": "string"}},
            {"name": "wrapped", "in": "query", "required": true, "schema": {"allOf": [{"anyOf": [{"type": "string", "format": "date"}, {"type": "string"}]}]}}
        ]),
        json!({
            "Thing": {"type": "object", "properties": {"name": {"type": "string"}}},
            "OwnerRef": {"anyOf": [{"type": "integer"}, {"type": "string", "format": "uuid"}]},
            "GetThingId": {"type": "string"}
        }),
    );
    let output = run(doc).unwrap_or_else(|e| panic!("{e}"));
    let surface = output.surface();
    for line in [
        // `GetThingId` is taken by a component: the next free name.
        "  param id: types::GetThingId2 (required)\n",
        "  param keys: Option<Vec<types::GetThingKeysItem>>\n",
        "  param x_revision: types::GetThingXRevision (required)\n",
        "  param owner: types::OwnerRef (required)\n",
        "  param wrapped: types::GetThingWrapped (required)\n",
    ] {
        assert!(surface.contains(line), "no `{line}` in\n{surface}");
    }
    let types = output
        .files
        .iter()
        .find(|file| file.name == "types.rs")
        .map(|file| file.contents.as_str())
        .expect("a types file");
    for name in [
        "GetThingId2",
        "GetThingKeysItem",
        "OwnerRef",
        "GetThingXRevision",
    ] {
        assert!(
            types.contains(&format!("impl ::std::fmt::Display for {name} {{")),
            "no Display for {name}"
        );
    }
    for name in ["GetThingId2", "GetThingKeysItem", "GetThingWrapped"] {
        assert!(
            types.contains(&format!("impl ::std::convert::From<&str> for {name} {{")),
            "no From<&str> for {name}"
        );
    }
    // Without a string member, typify's own `TryFrom<&str>` parses a member out of text.
    for name in ["OwnerRef", "GetThingXRevision"] {
        assert!(
            !types.contains(&format!("impl ::std::convert::From<&str> for {name}")),
            "no string member, no From<&str>"
        );
        assert!(types.contains(&format!("impl ::std::convert::TryFrom<&str> for {name} {{")));
    }
    assert!(
        types.contains("pub enum GetThingId2 {\n    ///`Uuid`.\n    Uuid(::uuid::Uuid),"),
        "{types}"
    );
}

/// The parameter shapes that stay rejected when the parameter is required, each at the
/// member that is wrong (an optional one is left out: see the next test).
#[test]
fn parameters_of_several_types_with_members_that_are_not_scalars_are_located_errors() {
    let cases = [
        (
            json!({"name": "q", "in": "query", "required": true, "schema": {"anyOf": [
                {"type": "integer"}, {"type": "object", "properties": {"a": {"type": "string"}}}
            ]}}),
            format!("{PARAM}/1/schema/anyOf/1"),
            "query parameter `q` may be of several types, and this one is an object",
        ),
        (
            json!({"name": "q", "in": "query", "required": true, "schema": {"anyOf": [
                {"type": "integer"}, {"type": "array", "items": {"type": "string"}}
            ]}}),
            format!("{PARAM}/1/schema/anyOf/1"),
            "this one is of type \"array\"",
        ),
        (
            json!({"name": "q", "in": "query", "required": true, "schema": {"anyOf": [
                {"type": "integer"}, {"$ref": "#/components/schemas/Nested"}
            ]}}),
            format!("{PARAM}/1/schema/anyOf/1"),
            "this one is a union (`anyOf`)",
        ),
        (
            json!({"name": "q", "in": "query", "required": true, "schema": {"type": ["integer", "array"], "items": {}}}),
            format!("{PARAM}/1/schema/type/1"),
            "this one is of type \"array\"",
        ),
        // An array whose items may be objects (Letta's `search` filters): the item member.
        (
            json!({"name": "search", "in": "query", "required": true, "schema": {"type": "array", "items": {"oneOf": [
                {"type": "string"},
                {"type": "object", "properties": {"field": {"type": "string"}}}
            ]}}}),
            format!("{PARAM}/1/schema/items/oneOf/1"),
            "query parameter `search` may be of several types, and this one is an object",
        ),
        (
            json!({"name": "search", "in": "query", "required": true, "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}),
            format!("{PARAM}/1/schema/items"),
            "query parameter `search` is an object",
        ),
        (
            json!({"name": "s", "in": "cookie", "required": true, "schema": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}),
            format!("{PARAM}/1/schema/anyOf"),
            "cookie parameter `s` may be of several types",
        ),
        (
            json!({"name": "q", "in": "query", "required": true, "schema": {"allOf": [{"type": "integer"}, {"type": "string"}]}}),
            format!("{PARAM}/1/schema/allOf"),
            "combines several schemas with `allOf`",
        ),
    ];
    for (param, pointer, says) in cases {
        let doc = document(
            "3.1.0",
            json!([path_id(json!({"type": "integer"})), param]),
            json!({
                "Thing": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Nested": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]}
            }),
        );
        let error = run(doc).err().unwrap_or_else(|| panic!("accepted: {says}"));
        assert_eq!(error.pointer, pointer, "{error}");
        assert!(error.message.contains(says), "{error}");
    }
}

/// The same shapes in optional query, header and cookie parameters (Letta's `search`
/// filters): the parameter is left out of the builder, with a warning at it saying how to
/// send it by hand, and the rest of the operation generates.
#[test]
fn optional_parameters_without_a_text_spelling_are_left_out_with_a_warning() {
    let cases = [
        (
            json!({"name": "search", "in": "query", "schema": {"type": "array", "items": {"oneOf": [
                {"type": "string"},
                {"type": "object", "properties": {"field": {"type": "string"}}}
            ]}}}),
            "`.extra_query(\"search\", ..)`",
        ),
        (
            json!({"name": "filter", "in": "query", "schema": {"$ref": "#/components/schemas/Thing"}}),
            "`.extra_query(\"filter\", ..)`",
        ),
        (
            json!({"name": "x-where", "in": "header", "schema": {"allOf": [{"type": "integer"}, {"type": "string"}]}}),
            "`.extra_header(\"x-where\", ..)`",
        ),
        (
            json!({"name": "s", "in": "cookie", "schema": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}),
            "`.extra_header(\"s\", ..)`",
        ),
    ];
    for (param, by_hand) in cases {
        let name = param["name"].as_str().expect("a name").to_string();
        let doc = document(
            "3.1.0",
            json!([path_id(json!({"type": "integer"})), param]),
            json!({"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}),
        );
        let output = run(doc).unwrap_or_else(|e| panic!("{name} rejected: {e}"));
        let warning = output
            .warnings
            .iter()
            .find(|w| w.pointer == format!("{PARAM}/1"))
            .unwrap_or_else(|| panic!("no warning at the parameter: {:?}", output.warnings));
        assert!(
            warning
                .message
                .contains("the builder has no setter for this optional parameter")
                && warning.message.contains(by_hand),
            "{warning}"
        );
        let surface = output.surface();
        assert!(surface.contains("get_thing: GET"), "{surface}");
        let setter = name.replace('-', "_");
        assert!(!surface.contains(&format!("param {setter}:")), "{surface}");
    }
}
