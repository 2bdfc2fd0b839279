//! Several success statuses with different bodies (`200 Job` / `202 JobAccepted`, a JSON
//! body at 200 and none at 204): one enum of responses keyed by status.
//!
//! Progenitor gives an operation one success type and asserts that the document agrees. For
//! such an operation this module:
//!
//! - keeps every status's schema typed: a body that is a reference to
//!   `#/components/schemas/X` stays `X`; an inline schema is moved to
//!   `components/schemas` under a stable name, `<Method><Variant>Body`
//!   (`UpsertRecordCreatedBody`), so that progenitor generates its type;
//! - records the statuses on the operation under [`STATUSES_MARKER`]:
//!   `{"200": {"$ref": "#/components/schemas/Job"}, "204": null}` (a reference for a typed
//!   body, `{}` for a body of any JSON, `null` for no body; references are `$ref` objects,
//!   so that tools following references from the operations find these schemas);
//! - shows progenitor one success type it accepts: untyped JSON at every status.
//!
//! The `statuses` pass (`passes/statuses.rs`) then generates the enum from the marker, and
//! the `runtime_calls` pass makes `send()` decode the body by the status it was answered with.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

use super::{is_json_media, resolve};
use crate::error::{Error, push_pointer};

/// The extension on an operation whose successes are an enum keyed by status.
pub const STATUSES_MARKER: &str = "x-stackai-statuses";

/// The extension on an operation that documents error bodies: its error statuses keyed
/// the same way, read by [`errors`].
pub const ERRORS_MARKER: &str = "x-stackai-errors";

/// The prefix of a reference to a component schema.
const SCHEMAS: &str = "#/components/schemas/";

/// The enum variant for a status: its reason phrase (`Ok`, `Created`, `Accepted`,
/// `NoContent`; `NotFound`, `Conflict`, `UnprocessableEntity`), or `Status<code>` for a
/// code without one.
pub fn variant_name(status: u16) -> String {
    let phrase = match status {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        226 => "ImUsed",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        407 => "ProxyAuthenticationRequired",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        414 => "UriTooLong",
        415 => "UnsupportedMediaType",
        416 => "RangeNotSatisfiable",
        417 => "ExpectationFailed",
        418 => "ImATeapot",
        421 => "MisdirectedRequest",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        425 => "TooEarly",
        426 => "UpgradeRequired",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        431 => "RequestHeaderFieldsTooLarge",
        451 => "UnavailableForLegalReasons",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        505 => "HttpVersionNotSupported",
        506 => "VariantAlsoNegotiates",
        507 => "InsufficientStorage",
        508 => "LoopDetected",
        510 => "NotExtended",
        511 => "NetworkAuthenticationRequired",
        _ => return format!("Status{status}"),
    };
    phrase.to_string()
}

/// The statuses recorded under [`STATUSES_MARKER`]: (status, the component schema's name
/// for a typed body, or `Body::Json` / `Body::Empty`), in status order.
pub fn statuses(operation: &Value) -> Option<Vec<(u16, Body)>> {
    keyed(operation, STATUSES_MARKER)
}

/// The error statuses recorded under [`ERRORS_MARKER`], as [`statuses`] reads successes.
pub fn errors(operation: &Value) -> Option<Vec<(u16, Body)>> {
    keyed(operation, ERRORS_MARKER)
}

fn keyed(operation: &Value, key: &str) -> Option<Vec<(u16, Body)>> {
    let marker = operation.get(key)?.as_object()?;
    let mut out: Vec<(u16, Body)> = marker
        .iter()
        .filter_map(|(status, body)| {
            let status = status.parse().ok()?;
            let body = match body {
                Value::Null => Body::Empty,
                Value::Object(o) => match o.get("$ref").and_then(Value::as_str) {
                    Some(r) => Body::Schema(r.strip_prefix(SCHEMAS)?.to_string()),
                    None => Body::Json,
                },
                _ => return None,
            };
            Some((status, body))
        })
        .collect();
    out.sort_by_key(|(status, _)| *status);
    Some(out)
}

/// What one status answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A JSON body of the component schema of this name.
    Schema(String),
    /// A JSON body of any shape.
    Json,
    /// No body.
    Empty,
}

/// Turns the success responses of `op` (at `op_ptr`) into statuses of an enum, when they
/// can be: every status a code in 200..=299 (not `default` or `2XX`), and every body JSON or
/// empty. `kinds` groups the statuses by what progenitor would make of their body. Inline
/// schemas go to `hoisted`, to be added to `components/schemas`. Returns whether it did.
pub(super) fn key_by_status(
    file: &std::path::Path,
    op_ptr: &str,
    op: &mut Value,
    kinds: &BTreeMap<String, Vec<String>>,
    components: &Value,
    hoisted: &mut Map<String, Value>,
) -> Result<bool, Error> {
    let eligible = kinds
        .iter()
        .all(|(kind, _)| kind.starts_with("json:") || kind == "none")
        && kinds.values().flatten().all(|status| {
            status
                .parse::<u16>()
                .is_ok_and(|code| (200..300).contains(&code))
        });
    if !eligible {
        return Ok(false);
    }
    let op_id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut statuses: Vec<&String> = kinds.values().flatten().collect();
    statuses.sort();
    let mut marker = Map::new();
    let responses = op
        .get_mut("responses")
        .and_then(Value::as_object_mut)
        .expect("checked by the caller");
    for status in statuses {
        let code: u16 = status.parse().expect("checked above");
        let r_ptr = push_pointer(&push_pointer(op_ptr, "responses"), status);
        let response = responses.get_mut(status.as_str()).expect("grouped above");
        if response.get("$ref").is_some() {
            *response = resolve(response, components, "responses")
                .cloned()
                .expect("resolved by the caller");
        }
        let entry = marker_entry(file, &r_ptr, &op_id, code, response, components, hoisted)?;
        let Some(obj) = response.as_object_mut() else {
            return Err(Error::new(file, &r_ptr, "a response must be an object"));
        };
        // Progenitor sees untyped JSON at every status; the enum has the types.
        let content = obj
            .entry("content")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("checked in schemas_everywhere");
        match content.keys().find(|m| is_json_media(m)).cloned() {
            Some(media) => content[&media]["schema"] = json!({}),
            None => {
                content.insert("application/json".into(), json!({ "schema": {} }));
            }
        }
        marker.insert(status.clone(), entry);
    }
    op[STATUSES_MARKER] = Value::Object(marker);
    Ok(true)
}

/// Records the error statuses of `op` (at `op_ptr`) under [`ERRORS_MARKER`], when it
/// documents an error body that is not only FastAPI's 422: some exact status in 400..=599
/// other than 422 answers JSON. Every exact error status is recorded (422 too), as
/// [`key_by_status`] records successes; inline schemas go to `hoisted`. The responses are
/// left as they are. Returns whether it did.
pub(super) fn key_errors_by_status(
    file: &std::path::Path,
    op_ptr: &str,
    op: &mut Value,
    components: &Value,
    hoisted: &mut Map<String, Value>,
) -> Result<bool, Error> {
    let op_id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut codes: Vec<(u16, Value)> = Vec::new();
    for (status, response) in op["responses"].as_object().into_iter().flatten() {
        let Some(code) = status
            .parse::<u16>()
            .ok()
            .filter(|c| (400..600).contains(c))
        else {
            continue;
        };
        let r_ptr = push_pointer(&push_pointer(op_ptr, "responses"), status);
        let response = resolve(response, components, "responses")
            .ok_or_else(|| Error::new(file, &r_ptr, "unresolvable response reference"))?;
        codes.push((code, response.clone()));
    }
    let documented = codes.iter().any(|(code, response)| {
        *code != 422
            && response
                .get("content")
                .and_then(Value::as_object)
                .is_some_and(|c| c.keys().any(|m| is_json_media(m)))
    });
    if !documented {
        return Ok(false);
    }
    let mut marker = Map::new();
    for (code, response) in codes {
        let r_ptr = push_pointer(&push_pointer(op_ptr, "responses"), &code.to_string());
        let entry = marker_entry(file, &r_ptr, &op_id, code, &response, components, hoisted)?;
        marker.insert(code.to_string(), entry);
    }
    op[ERRORS_MARKER] = Value::Object(marker);
    Ok(true)
}

/// What the marker records for one status's `response` (at `r_ptr`, already resolved):
/// `null` for no JSON body, `{}` for a body of any JSON, or a reference to the body's
/// component schema; an inline schema is moved to `hoisted` as `<Method><Variant>Body`.
/// Reads `response` only.
fn marker_entry(
    file: &std::path::Path,
    r_ptr: &str,
    op_id: &str,
    code: u16,
    response: &Value,
    components: &Value,
    hoisted: &mut Map<String, Value>,
) -> Result<Value, Error> {
    let content = response.get("content").and_then(Value::as_object);
    let Some((media, body)) = content
        .into_iter()
        .flatten()
        .find(|(media, _)| is_json_media(media))
    else {
        return Ok(Value::Null);
    };
    let schema = body.get("schema").cloned().unwrap_or_else(|| json!({}));
    Ok(match schema.get("$ref").and_then(Value::as_str) {
        Some(r) if schema.as_object().is_some_and(|o| o.len() == 1) => json!({ "$ref": r }),
        _ if schema.as_object().is_some_and(Map::is_empty) => json!({}),
        _ => {
            let name = format!("{}{}Body", op_id.to_upper_camel_case(), variant_name(code));
            let taken = components
                .get("schemas")
                .and_then(|s| s.get(&name))
                .is_some()
                || hoisted.contains_key(&name);
            if taken {
                return Err(Error::new(
                    file,
                    push_pointer(&push_pointer(r_ptr, "content"), media),
                    format!(
                        "the {code} body's schema would be named `{name}` (statuses of \
                         different types each get a type), but a schema of that name exists"
                    ),
                ));
            }
            let mut schema = schema;
            if let Some(obj) = schema.as_object_mut() {
                obj.entry("description").or_insert_with(|| {
                    Value::String(format!("The body of `{op_id}`'s {code} response."))
                });
            }
            hoisted.insert(name.clone(), schema);
            json!({ "$ref": format!("{SCHEMAS}{name}") })
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn json_response(schema: Value) -> Value {
        json!({"description": "ok", "content": {"application/json": {"schema": schema}}})
    }

    /// A document with one operation, `create_job`, answering `successes`.
    fn document(successes: Value, schemas: Value) -> Value {
        let mut responses = successes;
        responses["422"] = json_response(json!({"type": "object"}));
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/jobs": {"post": {"operationId": "create_job", "responses": responses}}},
            "components": {"schemas": schemas},
        })
    }

    fn normalize(doc: Value) -> Result<super::super::Normalized, Error> {
        super::super::normalize(Path::new("doc.json"), doc)
    }

    fn job() -> Value {
        json!({"type": "object", "properties": {"id": {"type": "string"}}})
    }

    #[test]
    fn different_successes_are_keyed_by_status_with_inline_schemas_hoisted() {
        let doc = document(
            json!({
                "200": json_response(json!({"$ref": "#/components/schemas/Job"})),
                "202": json_response(json!({"type": "object", "properties": {"position": {"type": "integer"}}})),
                "204": {"description": "nothing to do"},
            }),
            json!({"Job": job()}),
        );
        let out = normalize(doc).expect("normalizes");
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let op = &out.document["paths"]["/jobs"]["post"];
        assert_eq!(
            op[STATUSES_MARKER],
            json!({
                "200": {"$ref": "#/components/schemas/Job"},
                "202": {"$ref": "#/components/schemas/CreateJobAcceptedBody"},
                "204": null,
            })
        );
        // Progenitor sees one success type: untyped JSON at every status.
        for status in ["200", "202", "204"] {
            assert_eq!(
                op["responses"][status]["content"],
                json!({"application/json": {"schema": {}}}),
                "{status}"
            );
        }
        let hoisted = &out.document["components"]["schemas"]["CreateJobAcceptedBody"];
        assert_eq!(hoisted["properties"]["position"]["type"], "integer");
        assert_eq!(
            hoisted["description"],
            "The body of `create_job`'s 202 response."
        );
        // The error group is untouched.
        assert_eq!(
            op["responses"]["422"]["content"]["application/json"]["schema"]["type"],
            "object"
        );
    }

    #[test]
    fn successes_of_one_type_are_left_alone() {
        let reference = json!({"$ref": "#/components/schemas/Job"});
        let out = normalize(document(
            json!({"200": json_response(reference.clone()), "202": json_response(reference.clone())}),
            json!({"Job": job()}),
        ))
        .expect("normalizes");
        let op = &out.document["paths"]["/jobs"]["post"];
        assert!(op.get(STATUSES_MARKER).is_none());
        assert_eq!(
            op["responses"]["202"]["content"]["application/json"]["schema"],
            reference
        );
    }

    #[test]
    fn default_among_the_successes_is_still_widened_with_a_warning() {
        let out = normalize(document(
            json!({
                "200": json_response(json!({"$ref": "#/components/schemas/Job"})),
                "default": json_response(json!({"type": "string"})),
            }),
            json!({"Job": job()}),
        ))
        .expect("normalizes");
        let op = &out.document["paths"]["/jobs"]["post"];
        assert!(op.get(STATUSES_MARKER).is_none());
        assert!(
            out.warnings
                .iter()
                .any(|w| w.message.starts_with("the success responses 200, default")),
            "{:?}",
            out.warnings
        );
    }

    #[test]
    fn json_and_a_non_json_body_are_still_an_error() {
        let err = normalize(document(
            json!({
                "200": json_response(json!({"$ref": "#/components/schemas/Job"})),
                "201": {"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}},
            }),
            json!({"Job": job()}),
        ))
        .expect_err("JSON and text cannot share an enum");
        assert_eq!(err.pointer, "/paths/~1jobs/post/responses");
        assert!(
            err.message.contains("mix JSON, other and empty bodies"),
            "{err}"
        );
    }

    #[test]
    fn a_hoisted_name_that_is_taken_is_an_error_at_the_body() {
        let err = normalize(document(
            json!({
                "200": json_response(json!({"$ref": "#/components/schemas/Job"})),
                "202": json_response(json!({"type": "object", "properties": {"p": {"type": "integer"}}})),
            }),
            json!({"Job": job(), "CreateJobAcceptedBody": job()}),
        ))
        .expect_err("the name is taken");
        assert_eq!(
            err.pointer,
            "/paths/~1jobs/post/responses/202/content/application~1json"
        );
        assert!(err.message.contains("`CreateJobAcceptedBody`"), "{err}");
    }

    #[test]
    fn documented_errors_are_recorded_and_progenitor_sees_one_error_body() {
        let mut doc = document(
            json!({"200": json_response(json!({"$ref": "#/components/schemas/Job"}))}),
            json!({"Job": job(), "Problem": job()}),
        );
        let responses = &mut doc["paths"]["/jobs"]["post"]["responses"];
        responses["401"] = json!({"description": "no body"});
        responses["404"] = json_response(json!({"$ref": "#/components/schemas/Problem"}));
        responses["409"] =
            json_response(json!({"type": "object", "properties": {"id": {"type": "integer"}}}));
        let out = normalize(doc).expect("errors of different kinds are not an error");
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let op = &out.document["paths"]["/jobs"]["post"];
        assert_eq!(
            op[ERRORS_MARKER],
            json!({
                "401": null,
                "404": {"$ref": "#/components/schemas/Problem"},
                "409": {"$ref": "#/components/schemas/CreateJobConflictBody"},
                "422": {"$ref": "#/components/schemas/CreateJobUnprocessableEntityBody"},
            })
        );
        assert_eq!(
            errors(op).unwrap()[0],
            (401, Body::Empty),
            "read back in status order"
        );
        for status in ["401", "404", "409", "422"] {
            assert_eq!(
                op["responses"][status]["content"],
                json!({"application/json": {"schema": {}}}),
                "{status}"
            );
        }
        // The successes are untouched.
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Job"})
        );
    }

    #[test]
    fn with_default_the_errors_show_progenitor_its_body() {
        let mut doc = document(
            json!({
                "200": json_response(json!({"$ref": "#/components/schemas/Job"})),
                "default": json_response(json!({"$ref": "#/components/schemas/Job"})),
            }),
            json!({"Job": job(), "Problem": job()}),
        );
        doc["paths"]["/jobs"]["post"]["responses"]["404"] =
            json_response(json!({"$ref": "#/components/schemas/Problem"}));
        let out = normalize(doc).expect("normalizes");
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let op = &out.document["paths"]["/jobs"]["post"];
        let default = &op["responses"]["default"]["content"];
        assert_eq!(
            default["application/json"]["schema"]["$ref"],
            "#/components/schemas/Job"
        );
        assert_eq!(&op["responses"]["404"]["content"], default);
        assert_eq!(&op["responses"]["422"]["content"], default);
        assert_eq!(
            op[ERRORS_MARKER]["404"],
            json!({"$ref": "#/components/schemas/Problem"})
        );
    }

    #[test]
    fn only_a_422_is_not_recorded() {
        let out = normalize(document(
            json!({"200": json_response(json!({"$ref": "#/components/schemas/Job"}))}),
            json!({"Job": job()}),
        ))
        .expect("normalizes");
        assert!(
            out.document["paths"]["/jobs"]["post"]
                .get(ERRORS_MARKER)
                .is_none()
        );
    }

    #[test]
    fn variants_are_named_by_reason_phrase() {
        assert_eq!(variant_name(200), "Ok");
        assert_eq!(variant_name(202), "Accepted");
        assert_eq!(variant_name(204), "NoContent");
        assert_eq!(variant_name(299), "Status299");
        assert_eq!(variant_name(404), "NotFound");
        assert_eq!(variant_name(422), "UnprocessableEntity");
        assert_eq!(variant_name(499), "Status499");
    }

    #[test]
    fn the_marker_reads_back_in_status_order() {
        let op = json!({ STATUSES_MARKER: {
            "204": null,
            "200": {"$ref": "#/components/schemas/Job"},
            "201": {},
        }});
        assert_eq!(
            statuses(&op).unwrap(),
            vec![
                (200, Body::Schema("Job".into())),
                (201, Body::Json),
                (204, Body::Empty),
            ]
        );
        assert!(statuses(&json!({})).is_none());
    }
}
