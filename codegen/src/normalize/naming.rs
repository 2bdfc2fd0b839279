//! Method names: each operation is named after its title in the documentation, which is
//! also the Python function name in the FastAPI service.
//!
//! FastAPI's generated operationIds are `<function>_<path with non-word characters replaced
//! by _>_<method>`, e.g. `get_connection_by_id_connections__connection_id__get`. That suffix
//! is stripped. Custom ids from FastAPI's `generate_unique_id_function` in its documented
//! form `<tag>-<function>` (e.g. `items-list_items`, where `items` is one of the operation's
//! tags) lose the tag prefix, which only made them unique across routers. Any other
//! operationId is kept as written (in snake_case). An operation without an operationId is
//! named from its summary. A collision is an error; `openapi/overrides.json` resolves it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::document::METHODS;
use crate::error::{Error, push_pointer};
use crate::rust_names::KEYWORDS;

/// Replaces every operationId with the Rust method name it should produce, checking that
/// the names are valid and unique.
pub(crate) fn assign_method_names(file: &Path, doc: &mut Value) -> Result<(), Error> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let op_ptr = push_pointer(&push_pointer("/paths", path), method);
            let (name, source) = match op.get("operationId") {
                Some(Value::String(id)) => (
                    method_name_from_operation_id(
                        without_tag_prefix(id, op.get("tags")),
                        path,
                        method,
                    ),
                    "operationId",
                ),
                Some(other) => {
                    return Err(Error::new(
                        file,
                        push_pointer(&op_ptr, "operationId"),
                        format!("operationId must be a string, found {other}"),
                    ));
                }
                None => match op.get("summary").and_then(Value::as_str) {
                    Some(summary) => (snake_case(summary), "summary"),
                    None => {
                        return Err(Error::new(
                            file,
                            op_ptr,
                            "the operation has neither an operationId nor a summary to name its method after",
                        ));
                    }
                },
            };
            let at = push_pointer(&op_ptr, source);
            if !is_identifier(&name) {
                return Err(Error::new(
                    file,
                    at,
                    format!("cannot make a Rust method name from it (got {name:?})"),
                ));
            }
            if RESERVED.contains(&name.as_str()) {
                return Err(Error::new(
                    file,
                    at,
                    format!(
                        "gives the method name `{name}`, which the client's own constructors use; \
                         give the operation another operationId"
                    ),
                ));
            }
            // Progenitor appends `_` to keywords (`match` → `match_`); doing it here keeps
            // every later stage, and the duplicate check, on the name the client really has.
            let name = if KEYWORDS.contains(&name.as_str()) {
                format!("{name}_")
            } else {
                name
            };
            if let Some(first) = seen.insert(name.clone(), op_ptr.clone()) {
                return Err(Error::new(
                    file,
                    at,
                    format!("gives the method name `{name}`, which {first} already has"),
                ));
            }
            op.insert("operationId".into(), Value::String(name));
        }
    }
    Ok(())
}

/// Inherent methods of `Client` that are not operations: progenitor's `new` and
/// `new_with_client`, and the hand-written constructors in the client crate.
pub const RESERVED: [&str; 6] = [
    "new",
    "new_with_client",
    "with_bearer_token",
    "reqwest_builder",
    "builder",
    "from_env",
];

/// `get_connection_by_id_connections__connection_id__get` on `GET /connections/{connection_id}`
/// gives `get_connection_by_id`.
pub fn method_name_from_operation_id(operation_id: &str, path: &str, method: &str) -> String {
    let suffix = format!("{}_{}", fastapi_path_part(path), method);
    match operation_id.strip_suffix(&suffix) {
        Some(function) if !function.is_empty() => snake_case(function),
        _ => snake_case(operation_id),
    }
}

/// `items-list_items` → `list_items` when `items` is one of the operation's `tags` (FastAPI's
/// `generate_unique_id_function` example, `f"{route.tags[0]}-{route.name}"`).
pub fn without_tag_prefix<'a>(operation_id: &'a str, tags: Option<&Value>) -> &'a str {
    let tags = tags.and_then(Value::as_array).into_iter().flatten();
    tags.filter_map(Value::as_str)
        .find_map(|tag| {
            operation_id
                .strip_prefix(tag)
                .and_then(|rest| rest.strip_prefix('-'))
                .filter(|rest| !rest.is_empty())
        })
        .unwrap_or(operation_id)
}

/// FastAPI's `re.sub(r"\W", "_", path)`.
fn fastapi_path_part(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `Get Connection By Id` → `get_connection_by_id`; `getConnectionById` → `get_connection_by_id`.
pub fn snake_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut prev: Option<char> = None;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            let boundary = match prev {
                Some(p) if c.is_uppercase() => {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_lowercase()))
                }
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        prev = Some(c);
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fastapi_suffixes_are_stripped() {
        let cases = [
            (
                "get_connection_by_id_connections__connection_id__get",
                "/connections/{connection_id}",
                "get",
                "get_connection_by_id",
            ),
            (
                "update_connection_organization_role_api_v1_connections__connection_id__organization_role_patch",
                "/api/v1/connections/{connection_id}/organization-role",
                "patch",
                "update_connection_organization_role",
            ),
            (
                "get_available_connections_connections_available_get",
                "/connections/available",
                "get",
                "get_available_connections",
            ),
            ("listThings", "/things", "get", "list_things"),
            // Only the exact suffix for this path and method is stripped.
            ("things_get", "/other", "get", "things_get"),
        ];
        for (id, path, method, want) in cases {
            assert_eq!(
                method_name_from_operation_id(id, path, method),
                want,
                "{id}"
            );
        }
    }

    #[test]
    fn tag_prefixes_of_custom_ids_are_stripped() {
        let tags = serde_json::json!(["corpus-requests", "archive"]);
        for (id, want) in [
            ("corpus-requests-list_items", "list_items"),
            ("archive-restore_item", "restore_item"),
            // Not a tag of this operation, or nothing after it: kept.
            ("other-list_items", "other-list_items"),
            ("archive-", "archive-"),
        ] {
            assert_eq!(without_tag_prefix(id, Some(&tags)), want, "{id}");
        }
        assert_eq!(without_tag_prefix("archive-x", None), "archive-x");
    }

    #[test]
    fn snake_case_of_titles() {
        assert_eq!(snake_case("Get Connection By Id"), "get_connection_by_id");
        assert_eq!(snake_case("Get Oauth Url"), "get_oauth_url");
        assert_eq!(snake_case("getHTTPStatus"), "get_http_status");
        assert_eq!(
            snake_case("Update  Connection - RBAC"),
            "update_connection_rbac"
        );
    }
}
