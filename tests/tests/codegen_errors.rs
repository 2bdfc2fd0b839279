//! The generator's answer to broken documents: an [`Error`] naming the file, an exact JSON
//! pointer and the problem, and never a panic.
//!
//! Each document in `tests/fixtures/broken/` is small and broken in one way. The table below
//! says, for each, where the problem is and a few words the message must contain.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde_json::json;
use stackai_codegen::{Error, Output};

fn broken(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/broken")
        .join(name)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// Runs the whole pipeline; `Err` holds the message of a panic.
fn run_catching(path: &Path) -> Result<Result<Output, Error>, String> {
    catch_unwind(AssertUnwindSafe(|| stackai_codegen::run(path, "fixture")))
        .map_err(|payload| panic_message(&*payload))
}

/// Runs the whole pipeline, turning a panic into a test failure that names the document.
fn run_no_panic(path: &Path) -> Result<Output, Error> {
    run_catching(path)
        .unwrap_or_else(|message| panic!("the generator panicked on {}: {message}", path.display()))
}

/// One broken document and what the generator must say about it.
struct Case {
    /// File name under `tests/fixtures/broken/`.
    file: &'static str,
    /// The exact RFC 6901 pointer of the offending value.
    pointer: &'static str,
    /// Whether a pointer further into `pointer` is also right (errors from openapiv3's
    /// deserializer, whose depth depends on serde's view of the types).
    within: bool,
    /// Fragments the message must contain (compared case-insensitively).
    says: &'static [&'static str],
}

const fn case(file: &'static str, pointer: &'static str, says: &'static [&'static str]) -> Case {
    Case {
        file,
        pointer,
        within: false,
        says,
    }
}

/// A case whose pointer may go deeper than `pointer`, but not elsewhere.
const fn case_within(
    file: &'static str,
    pointer: &'static str,
    says: &'static [&'static str],
) -> Case {
    Case {
        file,
        pointer,
        within: true,
        says,
    }
}

/// Checks one case; `Err` describes every way the generator's answer is wrong.
fn check(case: &Case) -> Result<(), String> {
    let path = broken(case.file);
    assert!(path.is_file(), "missing fixture {}", path.display());
    let err = match run_catching(&path) {
        Err(message) => return Err(format!("{}: PANICKED: {message}", case.file)),
        Ok(Ok(output)) => {
            return Err(format!(
                "{}: accepted (Ok) but should fail at {:?}; warnings: {:?}",
                case.file, case.pointer, output.warnings
            ));
        }
        Ok(Err(err)) => err,
    };
    let mut problems = Vec::new();
    if err.file != path {
        problems.push(format!(
            "file is {} instead of {}",
            err.file.display(),
            path.display()
        ));
    }
    let deeper = case.within && err.pointer.starts_with(&format!("{}/", case.pointer));
    if err.pointer != case.pointer && !deeper {
        let want = if case.within { "at or into " } else { "" };
        problems.push(format!(
            "pointer is {:?}, expected {want}{:?}",
            err.pointer, case.pointer
        ));
    }
    let lower = err.message.to_lowercase();
    for fragment in case.says {
        if !lower.contains(&fragment.to_lowercase()) {
            problems.push(format!("message lacks {fragment:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\n    got: pointer {:?}, message {:?}",
            case.file,
            problems.join("; "),
            err.pointer,
            err.message
        ))
    }
}

fn check_all(cases: &[Case]) {
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} broken documents were not reported as expected:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

/// Documents that are not OpenAPI 3 at all.
#[test]
fn unreadable_and_non_openapi_documents() {
    check_all(&[
        case(
            "syntax-error.json",
            "",
            &["not valid JSON", "line 6", "EOF while parsing"],
        ),
        case("syntax-error.yaml", "", &["not valid YAML"]),
        case(
            "top-level-array.json",
            "",
            &["must be an object at the top level"],
        ),
        case(
            "top-level-scalar.yaml",
            "",
            &["must be an object at the top level"],
        ),
        case("missing-openapi.yaml", "", &["missing", "`openapi`"]),
        case(
            "swagger-2.json",
            "/swagger",
            &["Swagger 2.0", "not supported"],
        ),
        case(
            "version-4.yaml",
            "/openapi",
            &["unsupported OpenAPI version", "\"4.0.0\""],
        ),
        case(
            "version-not-string.yaml",
            "/openapi",
            &["must be a string", "3.1"],
        ),
        case("missing-paths.json", "", &["missing", "`paths`"]),
        case("paths-not-object.yaml", "/paths", &["must be an object"]),
        case("info-not-object.json", "/info", &["must be an object"]),
        case(
            "yaml-key-not-scalar.yaml",
            "/paths/~1things/get/responses",
            &["key must be a string"],
        ),
        case(
            "yaml-infinite-number.yaml",
            "/components/schemas/Big/maximum",
            &["not a number JSON can hold"],
        ),
    ]);
}

/// Operations the generator cannot turn into one Rust method each.
#[test]
fn operations_that_cannot_be_generated() {
    check_all(&[
        case(
            "operation-not-object.yaml",
            "/paths/~1things/get",
            &["must be an object"],
        ),
        case(
            "path-item-ref.yaml",
            "/paths/~1things/$ref",
            &["by reference", "not supported"],
        ),
        case(
            "unnamed-operation.yaml",
            "/paths/~1things/get",
            &["neither an operationId nor a summary"],
        ),
        case(
            "operation-id-not-string.yaml",
            "/paths/~1things/get/operationId",
            &["must be a string", "42"],
        ),
        case(
            "undeclared-path-parameter.yaml",
            "/paths/~1things~1{id}/get/parameters",
            &["`{id}`", "no path parameter declares it"],
        ),
        case(
            "optional-path-parameter.json",
            "/paths/~1things~1{id}/get/parameters/0/required",
            &["`id`", "required: true"],
        ),
        case(
            "shared-path-parameter-optional.yaml",
            "/paths/~1things~1{id}/parameters/0/required",
            &["`id`", "required: true"],
        ),
        case(
            "parameter-without-in.yaml",
            "/paths/~1things/get/parameters/0",
            &["`in`"],
        ),
        case(
            "cookie-list.yaml",
            "/paths/~1things/get",
            &["cookie parameter `ids`", "list", "not supported"],
        ),
        case(
            "multipart-body-not-object.yaml",
            "/paths/~1things/post/requestBody/content/multipart~1form-data/schema",
            &["multipart body", "object"],
        ),
        case(
            "parameter-content.yaml",
            "/paths/~1things/get/parameters/0",
            &["`content`", "not supported"],
        ),
        case(
            "parameter-ref-missing.yaml",
            "/paths/~1things/get/parameters/0/$ref",
            &["#/components/parameters/", "does not point at anything"],
        ),
        case(
            "missing-responses.json",
            "/paths/~1things/get",
            &["needs `responses`"],
        ),
        case(
            "response-ref-missing.yaml",
            "/paths/~1things/get/responses/200/$ref",
            &["#/components/responses/", "does not point at anything"],
        ),
        case(
            "mixed-success-bodies.yaml",
            "/paths/~1things/post/responses",
            &["success responses 200, 201", "mix JSON", "one success type"],
        ),
        case(
            "event-stream-beside-text.yaml",
            "/paths/~1events/get",
            &["text/event-stream", "beside JSON only", "text/plain"],
        ),
        case(
            "response-encoding.json",
            "/paths/~1things/get/responses/200/content/multipart~1form-data/encoding",
            &["`encoding`", "not supported"],
        ),
    ]);
}

/// Schemas with no faithful OpenAPI 3.0 / Rust form.
#[test]
fn schemas_that_cannot_be_generated() {
    check_all(&[
        case(
            "ref-external.yaml",
            "/paths/~1things/get/responses/200/content/application~1json/schema/$ref",
            &["#/components/schemas/", "\"other.yaml#/X\""],
        ),
        case(
            "schema-false.json",
            "/components/schemas/Nothing",
            &["`false`", "cannot be generated"],
        ),
        case(
            "schema-number.json",
            "/paths/~1things/get/responses/200/content/application~1json/schema",
            &["object or a boolean", "found 42"],
        ),
        case(
            "prefix-items.yaml",
            "/components/schemas/Pair/prefixItems",
            &["tuple", "optional"],
        ),
        case(
            "tuple-items.yaml",
            "/components/schemas/Pair/items",
            &["tuple"],
        ),
        case(
            "defs.json",
            "/components/schemas/Outer/$defs",
            &["`$defs` is not supported"],
        ),
        case(
            "type-list-not-strings.json",
            "/components/schemas/Odd/type",
            &["must be a string", "found 7"],
        ),
        case(
            "empty-any-of.yaml",
            "/components/schemas/Nothing/anyOf",
            &["at least one schema"],
        ),
        // Once left to openapiv3's deserializer (whose pointer was only "within" the
        // schema); validation now names the keyword.
        case(
            "schema-wrong-field-type.json",
            "/components/schemas/Thing/required",
            &["`required` must be an array", "found a string"],
        ),
    ]);
}

/// Checks of `stackai_codegen::validate`, which runs before anything rewrites the document:
/// each of these once reached progenitor, which panicked ("progenitor panicked on this
/// document") at the first operation, accepted the document, or failed without a place.
#[test]
fn validation_points_at_the_exact_node() {
    check_all(&[
        case(
            "schema-type-misspelled.yaml",
            "/components/schemas/Thing/properties/name/type",
            &["\"strnig\" is not a type", "string, number, integer"],
        ),
        case(
            "schema-type-not-a-name.yaml",
            "/components/schemas/Thing/properties/name/type",
            &["`type` must be a type name", "found a number"],
        ),
        case(
            "schema-format-not-string.yaml",
            "/components/schemas/Thing/properties/created_at/format",
            &["`format` must be a string", "found a number"],
        ),
        case(
            "schema-format-on-object.yaml",
            "/components/schemas/Thing/properties/created_at/format",
            &["\"date-time\"", "not to type object"],
        ),
        case(
            "schema-format-without-type.yaml",
            "/components/schemas/Thing/properties/id/format",
            &["\"uuid\"", "needs a `type`"],
        ),
        case(
            "schema-enum-wrong-type.yaml",
            "/components/schemas/Thing/enum/1",
            &["the enum value 2", "type string"],
        ),
        case(
            "schema-enum-empty.yaml",
            "/components/schemas/Thing/enum",
            &["at least one value"],
        ),
        case(
            "schema-const-wrong-type.yaml",
            "/components/schemas/Thing/const",
            &["the const \"one\"", "type integer"],
        ),
        case(
            "schema-ref-in-property-missing.yaml",
            "/components/schemas/Thing/properties/owner/$ref",
            &["#/components/schemas/User", "does not point at anything"],
        ),
        case(
            "response-without-description.json",
            "/paths/~1things/get/responses/204",
            &["needs a `description`"],
        ),
        case(
            "response-status-invalid.yaml",
            "/paths/~1things/get/responses/2O0",
            &["\"2O0\" is not a status code"],
        ),
        case(
            "request-body-without-content.yaml",
            "/paths/~1things/post/requestBody",
            &["needs `content`"],
        ),
        case(
            "parameter-without-schema.yaml",
            "/paths/~1things/get/parameters/0",
            &["`limit` needs a `schema`"],
        ),
        case(
            "path-parameter-not-in-path.yaml",
            "/paths/~1things/get/parameters/0",
            &["path parameter `id`", "does not appear in the path"],
        ),
        case(
            "array-without-items-3.0.yaml",
            "/paths/~1things/get/responses/200/content/application~1json/schema",
            &["needs `items` in OpenAPI 3.0"],
        ),
        case(
            "info-without-title.json",
            "/info",
            &["missing the required `title` field"],
        ),
    ]);
}

// ---------------------------------------------------------------------------------------
// Generator bugs found while writing these tests. Each is its own test so that `cargo test`
// names it; the expected behaviour is the same as for the table above.

/// A `$ref` to a schema that does not exist is not checked by the normalizer; it reaches
/// progenitor, which fails without a pointer.
#[test]
fn dangling_schema_reference_points_at_the_ref() {
    check_all(&[case(
        "ref-missing.yaml",
        "/paths/~1things/get/responses/200/content/application~1json/schema/$ref",
        &["#/components/schemas/Missing"],
    )]);
}

/// openapiv3 reads `paths` through `#[serde(flatten)]`, so serde_path_to_error lost the
/// path below `/paths`: a wrong type in any operation was reported at `/paths`. Validation
/// now points at the keyword itself.
#[test]
fn wrong_field_type_inside_an_operation_points_into_it() {
    check_all(&[case(
        "nested-schema-wrong-field-type.yaml",
        "/paths/~1things/get/parameters/0/schema/maxLength",
        &[
            "`maxLength` must be a non-negative integer",
            "found a string",
        ],
    )]);
}

/// Same for a request body reference.
#[test]
fn dangling_request_body_reference_points_at_the_ref() {
    check_all(&[case(
        "request-body-ref-missing.json",
        "/paths/~1things/post/requestBody/$ref",
        &["#/components/requestBodies/Missing"],
    )]);
}

/// Two JSON success responses with different schemas, one of whose media type objects is not
/// an object: the widening step indexes into it.
#[test]
fn media_type_that_is_not_an_object_is_an_error() {
    check_all(&[case(
        "media-type-not-object.json",
        "/paths/~1things/post/responses/201/content/application~1json",
        &["must be an object"],
    )]);
}

/// `200` and `"200"` are two keys in YAML but one status code in OpenAPI; converting keys to
/// strings must not silently drop one of the two responses.
#[test]
fn yaml_keys_that_collide_as_strings_are_an_error() {
    check_all(&[case(
        "yaml-keys-collide.yaml",
        "/paths/~1things/get/responses/200",
        &["200"],
    )]);
}

/// A JSON object with a repeated key: serde_json keeps the last value and drops the first
/// response without a word.
#[test]
fn json_duplicate_keys_are_an_error() {
    check_all(&[case(
        "json-duplicate-key.json",
        "/paths/~1things/get/responses/200",
        &["200"],
    )]);
}

/// The normalizer follows a response `$ref` once; through two references a JSON body looks
/// like no body, the JSON/text mix goes unnoticed and progenitor's assertion fires instead
/// (reported at `/` as "progenitor panicked ... response_types.len() <= 1").
#[test]
fn chained_response_references_are_followed() {
    check_all(&[case(
        "response-ref-chain.yaml",
        "/paths/~1things/get/responses",
        &["success responses", "mix JSON"],
    )]);
}

/// Valid documents progenitor cannot handle: it panics or rejects the whole document, and
/// the error says `at /` with progenitor's words ("internal error: entered unreachable
/// code", "missing path name mapping id"). The pointer should at least name the operation.
#[test]
fn progenitor_failures_point_at_the_operation() {
    check_all(&[
        case(
            "query-parameter-object.yaml",
            "/paths/~1things/get/parameters/0/schema",
            &["`filter`", "object"],
        ),
        case(
            "validation-error-envelope.yaml",
            "/components/schemas/HTTPValidationError",
            &["422", "`detail`", "array of `ValidationError`"],
        ),
        case(
            "path-parameter-null.yaml",
            "/paths/~1jobs~1{job_id}/get/parameters/0/schema",
            &["`job_id`", "only be null"],
        ),
        case_within(
            "same-name-path-and-query.json",
            "/paths/~1things~1{id}/get",
            &["id"],
        ),
    ]);
}

/// `match` passes the identifier check; progenitor names the method `match_`, and the
/// surface, looking for `match`, reports "(no builder generated)". Either reject the name
/// or show the method that exists.
#[test]
fn keyword_method_names_are_rejected_or_shown() {
    let path = broken("method-name-keyword.json");
    match run_no_panic(&path) {
        Err(err) => assert_eq!(err.pointer, "/paths/~1matches/get/operationId", "{err}"),
        Ok(output) => assert!(
            !output.surface().contains("(no builder generated)"),
            "the surface lost the operation:\n{}",
            output.surface()
        ),
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let path = broken("no-such-document.yaml");
    let err = run_no_panic(&path).expect_err("a missing file cannot succeed");
    assert_eq!(err.file, path);
    assert_eq!(err.pointer, "");
    assert!(
        err.message.contains("cannot read the file"),
        "{}",
        err.message
    );
    assert!(
        err.to_string().contains("no-such-document.yaml"),
        "the Display form names the file: {err}"
    );
}

#[test]
fn display_is_file_at_pointer_message() {
    let path = broken("parameter-content.yaml");
    let err = run_no_panic(&path).expect_err("parameters by `content` are rejected");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: at /paths/~1things/get/parameters/0: parameters described by `content` are not supported; use `schema`",
            path.display()
        )
    );
    // The whole document is shown as `/`, not as an empty pointer.
    let path = broken("missing-openapi.yaml");
    let err = run_no_panic(&path).expect_err("no version");
    assert_eq!(err.pointer, "");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: at /: missing the `openapi` version field",
            path.display()
        )
    );
}

#[test]
fn parse_chooses_the_syntax_by_extension_or_content() {
    use stackai_codegen::load::parse;
    let yaml = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
    let json = r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#;
    let want = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}});
    assert_eq!(parse(Path::new("a.yaml"), yaml).unwrap(), want);
    assert_eq!(parse(Path::new("a.yml"), yaml).unwrap(), want);
    assert_eq!(parse(Path::new("a.json"), json).unwrap(), want);
    // No known extension: sniffed.
    assert_eq!(parse(Path::new("openapi"), yaml).unwrap(), want);
    assert_eq!(parse(Path::new("openapi.txt"), json).unwrap(), want);
    // YAML is a superset of JSON, but a `.json` file is read strictly as JSON.
    let err = parse(Path::new("a.json"), yaml).unwrap_err();
    assert_eq!(err.file, Path::new("a.json"));
    assert!(err.message.contains("not valid JSON"), "{}", err.message);
    // Integer and boolean YAML keys become strings.
    let keys = parse(Path::new("k.yaml"), "200: a\ntrue: b\n").unwrap();
    assert_eq!(keys, json!({"200": "a", "true": "b"}));
}

fn minimal(paths: serde_json::Value) -> serde_json::Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": {
            "Thing": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
            "Other": {"type": "object", "properties": {"n": {"type": "integer"}}}
        }}
    })
}

fn run_value_no_panic(doc: serde_json::Value) -> Result<Output, Error> {
    let path = Path::new("inline.json");
    catch_unwind(AssertUnwindSafe(|| {
        stackai_codegen::run_on_value(path, "inline.json", doc)
    }))
    .unwrap_or_else(|payload| panic!("the generator panicked: {}", panic_message(&*payload)))
}

/// Shapes of real documents that were rejected and are now generated, each with a warning
/// at its place saying what the Rust API does: a JSON media type without a schema (Letta's
/// document), a `default` of another type than its schema (R2R's `list[X] = Body({})`), a
/// property named `$ref` (docling's `RefItem`), which is a name, not a reference, a
/// required name without a property (Letta's `UserCreate`), and a text body whose schema is
/// not a string (frigate's configuration upload).
#[test]
fn real_documents_shapes_generate_with_warnings() {
    let mut doc = minimal(json!({
        "/config": {"put": {
            "operationId": "save_config",
            "requestBody": {"content": {"text/plain": {"schema": {"type": "integer"}}}},
            "responses": {"204": {"description": "Saved"}}
        }},
        "/things": {"post": {
            "operationId": "create_thing",
            "requestBody": {"required": true, "content": {"application/json": {}}},
            "responses": {
                "200": {"description": "Ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RefItem"}}}},
                "410": {"description": "Gone", "content": {"application/json": {}}}
            }
        }}
    }));
    doc["components"]["schemas"]["RefItem"] = json!({
        "type": "object",
        "properties": {
            "$ref": {"type": "string"},
            "chunks": {"type": "array", "items": {"type": "string"}, "default": {}},
            "retries": {"type": "integer", "default": 3.0}
        },
        "required": ["$ref", "organization_id"]
    });
    let output = run_value_no_panic(doc).expect("each shape generates");
    let warnings: Vec<(String, String)> = output
        .warnings
        .iter()
        .map(|w| (w.pointer.clone(), w.message.clone()))
        .collect();
    let at = |pointer: &str, words: &str| {
        assert!(
            warnings
                .iter()
                .any(|(p, m)| p == pointer && m.contains(words)),
            "no warning at {pointer} saying {words:?}: {warnings:#?}"
        );
    };
    at(
        "/paths/~1things/post/requestBody/content/application~1json",
        "has no `schema`: the body is any JSON value",
    );
    at(
        "/paths/~1things/post/responses/410/content/application~1json",
        "has no `schema`",
    );
    at(
        "/paths/~1config/put/requestBody/content/text~1plain/schema",
        "a text/plain body is text: the Rust body is a `String`",
    );
    at(
        "/paths/~1config/put/requestBody",
        "an optional text body is required in the client",
    );
    at(
        "/components/schemas/RefItem/properties/chunks/default",
        "the default {} is not of the schema's type array: dropped",
    );
    at(
        "/components/schemas/RefItem/required/1",
        "`organization_id` is required but `properties` has no `organization_id`: the Rust field is a `serde_json::Value`",
    );
    let surface = output.surface();
    assert!(surface.contains("create_thing: POST /things"), "{surface}");
    assert!(surface.contains("body: Value"), "{surface}");
    let types = &output
        .files
        .iter()
        .find(|f| f.name == "types.rs")
        .expect("types.rs")
        .contents;
    assert!(
        types.contains(r#"#[serde(rename = "$ref")]"#),
        "the wire name is kept"
    );
    // A required name without a property (Letta's `UserCreate`) is a field of any JSON.
    assert!(
        types.contains("pub organization_id: ::serde_json::Value"),
        "{types}"
    );
    // A whole float default of an integer is read as the integer (typify panicked on it).
    assert!(types.contains("default_u64::<i64, 3>"), "{types}");
}

/// Documented success path: 2xx responses with different JSON schemas (one of them any JSON)
/// become an enum keyed by status (issue 9 item 5; loopback tests in `corpus_statuses.rs`),
/// with no warning.
#[test]
fn different_json_success_types_are_keyed_by_status() {
    let doc = minimal(json!({
        "/things": {"post": {
            "operationId": "create_thing",
            "responses": {
                "200": {"description": "Existing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}},
                "202": {"description": "Anything", "content": {"application/json": {"schema": {}}}}
            }
        }}
    }));
    let output = run_value_no_panic(doc).expect("an enum keyed by status is not an error");
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    let surface = output.surface();
    assert!(
        surface.contains(
            "create_thing: POST /things\n  -> Result<ResponseValue<types::CreateThingResponse>, Error>\n"
        ),
        "{surface}"
    );
    assert!(
        surface.contains(
            "enum CreateThingResponse\n  Ok(Thing)\n  Created(Other)\n  Accepted(Value)\n  Other { status: u16, body: Value }\n"
        ),
        "{surface}"
    );
}

/// With `default` among them (not a status an enum variant can be keyed by), success
/// responses of different JSON types are still widened to untyped JSON, with a warning
/// pointing at the responses.
#[test]
fn different_json_success_types_with_default_are_widened_with_a_warning() {
    let doc = minimal(json!({
        "/things": {"post": {
            "operationId": "create_thing",
            "responses": {
                "200": {"description": "Existing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "default": {"description": "Anything", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}}
            }
        }}
    }));
    let output = run_value_no_panic(doc).expect("widening is not an error");
    assert_eq!(output.warnings.len(), 1, "{:?}", output.warnings);
    let warning = &output.warnings[0];
    assert_eq!(warning.pointer, "/paths/~1things/post/responses");
    assert!(
        warning
            .message
            .starts_with("the success responses 200, default have different JSON types"),
        "{}",
        warning.message
    );
    assert!(
        warning.message.contains("untyped JSON"),
        "{}",
        warning.message
    );
    assert!(
        output
            .surface()
            .contains("create_thing: POST /things\n  -> Result<ResponseValue<Value>, Error>\n"),
        "{}",
        output.surface()
    );
}

/// Error responses of different JSON types, the shape of every FastAPI service that shares
/// an error model through `responses=` (issue 17 idiom 5): no warning, and an enum of the
/// documented errors keyed by status (loopback tests in `corpus_errors.rs`). A status
/// documented without a body is a variant without data; 422 is a variant too.
#[test]
fn different_json_error_types_are_keyed_by_status_without_a_warning() {
    let doc = minimal(json!({
        "/things": {"get": {
            "operationId": "list_things",
            "responses": {
                "200": {"description": "Ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "401": {"description": "Who?"},
                "404": {"description": "Missing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}},
                "409": {"description": "Taken", "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}}},
                "422": {"description": "Invalid", "content": {"application/json": {"schema": {"type": "string"}}}}
            }
        }}
    }));
    let output = run_value_no_panic(doc).expect("error models are not an error");
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    let surface = output.surface();
    assert!(
        surface.contains(
            "list_things: GET /things\n  -> Result<ResponseValue<types::Thing>, Error>\n"
        ),
        "{surface}"
    );
    assert!(
        surface.contains(
            "enum ListThingsError\n  Unauthorized\n  NotFound(Other)\n  Conflict(ListThingsConflictBody)\n  UnprocessableEntity(ListThingsUnprocessableEntityBody)\n  Other { status: u16, body: Value }\n"
        ),
        "{surface}"
    );
}

/// An operation whose only documented error is FastAPI's 422 gets no enum (the 422 is
/// `Error::validation_errors`), and a model given to a range of statuses, which no variant
/// carries, is the one error shape still warned about, saying what to do.
#[test]
fn only_a_422_gets_no_error_enum_and_a_model_on_a_range_is_warned_about() {
    let validation = json!({"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "array", "items": {}}}}}});
    let doc = minimal(json!({
        "/things": {"get": {
            "operationId": "list_things",
            "responses": {
                "200": {"description": "Ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "422": {"description": "Invalid", "content": validation}
            }
        }},
        "/others": {"get": {
            "operationId": "list_others",
            "responses": {
                "200": {"description": "Ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "404": {"description": "Missing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}},
                "5XX": {"description": "Down", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}
            }
        }}
    }));
    let output = run_value_no_panic(doc).expect("generates");
    let surface = output.surface();
    assert!(!surface.contains("enum ListThingsError"), "{surface}");
    assert!(
        surface.contains("enum ListOthersError\n  NotFound(Other)\n  Other {"),
        "{surface}"
    );
    assert_eq!(output.warnings.len(), 1, "{:?}", output.warnings);
    let warning = &output.warnings[0];
    assert_eq!(warning.pointer, "/paths/~1others/get/responses");
    for part in [
        "5XX",
        "only exact statuses are typed",
        "Document the statuses",
    ] {
        assert!(warning.message.contains(part), "{warning}");
    }
}

/// Identical success schemas (200 and 201 returning the same model) need no widening.
#[test]
fn identical_json_success_types_need_no_warning() {
    let same = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}});
    let doc = minimal(json!({
        "/things": {"put": {
            "operationId": "put_thing",
            "responses": {
                "200": {"description": "Replaced", "content": same.clone()},
                "201": {"description": "Created", "content": same}
            }
        }}
    }));
    let output = run_value_no_panic(doc).expect("one success type");
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    assert!(
        output
            .surface()
            .contains("put_thing: PUT /things\n  -> Result<ResponseValue<types::Thing>, Error>\n"),
        "{}",
        output.surface()
    );
}

/// A body offered as JSON and as text: the client sends JSON, and the maintainer is told
/// that the other form was left out.
#[test]
fn a_body_in_several_media_types_is_sent_as_json_with_a_warning() {
    let output = run_no_panic(&broken("request-body-two-media-types.json"))
        .expect("JSON among the media types is enough to generate");
    let warning = output
        .warnings
        .iter()
        .find(|w| w.pointer == "/paths/~1things/post/requestBody/content")
        .unwrap_or_else(|| panic!("no warning about the body: {:?}", output.warnings));
    assert!(warning.message.contains("text/plain"), "{warning}");
    assert!(
        output
            .surface()
            .contains("body: Map<String, Value> (required)"),
        "{}",
        output.surface()
    );
}

fn names_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/names")
        .join(name)
}

/// Method names that collide (FastAPI suffixes stripping to the same name, identical
/// operationIds, a name from a summary, names the client's constructors use), or that are
/// no Rust name at all (`3rd-party things`), are told apart by method and path, each with
/// a warning at the operation saying how to pin another name; none is an error.
#[test]
fn colliding_method_names_are_told_apart_with_a_located_warning() {
    let cases: [(&str, &[&str], Option<&str>); 6] = [
        (
            "operation-id-not-identifier.yaml",
            &["get_3rd_party_things"],
            Some("/paths/~1things/get/operationId"),
        ),
        (
            "duplicate-method-name.yaml",
            &["list_things_get_things", "list_things_get_other_things"],
            Some("/paths/~1other-things/get/operationId"),
        ),
        (
            "duplicate-operation-id.yaml",
            // Only `/things`'s own suffix is stripped: the ids give different names.
            &["list_things", "list_things_things_get"],
            None,
        ),
        (
            "duplicate-method-name-from-summary.json",
            &["list_things_get_things", "list_things_get_other"],
            Some("/paths/~1other/get/summary"),
        ),
        (
            "method-name-new.yaml",
            &["new_post_things"],
            Some("/paths/~1things/post/operationId"),
        ),
        (
            "method-name-new-with-client.yaml",
            &["new_with_client_post_things"],
            Some("/paths/~1things/post/operationId"),
        ),
    ];
    for (file, methods, pointer) in cases {
        let output = run_no_panic(&names_fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let code: String = output.pieces().into_values().collect();
        for method in methods {
            assert!(
                code.contains(&format!("pub fn {method}(")),
                "{file}: no method `{method}`"
            );
        }
        let Some(pointer) = pointer else {
            assert!(output.warnings.is_empty(), "{file}: {:?}", output.warnings);
            continue;
        };
        let warning = output
            .warnings
            .iter()
            .find(|w| w.pointer == pointer)
            .unwrap_or_else(|| panic!("{file}: no warning at {pointer}: {:?}", output.warnings));
        assert!(
            warning.message.contains("openapi/overrides.json"),
            "{file}: {warning}"
        );
    }
}

/// A parameter named like the builder's `send_events()` (an operation answering JSON or
/// events) gets the setter `send_events_query`, with a warning at the parameter.
#[test]
fn a_parameter_named_like_send_events_is_renamed() {
    let output = run_no_panic(&names_fixture("send-events-parameter.yaml")).unwrap();
    let code: String = output.pieces().into_values().collect();
    assert!(
        code.contains("pub fn send_events_query<"),
        "no renamed setter"
    );
    assert!(
        code.contains("pub async fn send_events("),
        "no send_events()"
    );
    let warning = output
        .warnings
        .iter()
        .find(|w| w.pointer == "/paths/~1chat/get/parameters/0")
        .unwrap_or_else(|| panic!("{:?}", output.warnings));
    assert!(warning.message.contains("`send_events_query`"), "{warning}");
}
