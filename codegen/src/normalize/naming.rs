//! Method names: each operation is named after its title in the documentation, which is
//! also the Python function name in the FastAPI service.
//!
//! FastAPI's generated operationIds are `<function>_<path with non-word characters replaced
//! by _>_<method>`, e.g. `get_connection_by_id_connections__connection_id__get`. That suffix
//! is stripped. Custom ids from FastAPI's `generate_unique_id_function` in its documented
//! form `<tag>-<function>` (e.g. `items-list_items`, where `items` is one of the operation's
//! tags) lose the tag prefix, which only made them unique across routers. Any other
//! operationId is kept as written (in snake_case). An operation without an operationId is
//! named from its summary.
//!
//! Names that collide are told apart, never rejected, by one rule that does not depend on
//! the order of the document ([`disambiguate`]): operations whose short names collide (or
//! take a name the client's own constructors use) keep their tag prefix
//! (`users-create_user` → `users_create_user`) when that name is theirs alone; otherwise
//! (identical operationIds, which FastAPI publishes when one function serves two routes)
//! the HTTP method and path are appended (`read_item_get_items_item_id`). Operations whose
//! names do not collide keep the short name. Each renamed operation gets a warning saying
//! how to pin another name in `openapi/overrides.json` (by operationId, method name, or
//! `"GET /items/{item_id}"`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::document::METHODS;
use crate::error::{Error, Warning, push_pointer};
use crate::rust_names::KEYWORDS;

/// The fragment every naming warning carries; `tools::import` withdraws these warnings for
/// the operations whose name `overrides.json` pins.
pub const PIN_HINT: &str = "to pin another name, add";

/// One operation's naming facts.
struct Named {
    path: String,
    verb: &'static str,
    /// Where its name came from (its `operationId` or `summary`).
    at: String,
    /// The short name (tag prefix and FastAPI suffix dropped), keywords with `_`.
    short: String,
    /// The name with the tag prefix kept, when the operationId had one.
    prefixed: Option<String>,
}

/// Replaces every operationId with the Rust method name it should produce, checking that
/// the names are valid, and telling colliding ones apart (with a warning each).
pub(crate) fn assign_method_names(file: &Path, doc: &mut Value) -> Result<Vec<Warning>, Error> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(Vec::new());
    };
    let mut named = Vec::new();
    let mut unusable = Vec::new();
    for (path, item) in paths.iter() {
        for verb in METHODS {
            let Some(op) = item.get(verb).and_then(Value::as_object) else {
                continue;
            };
            let op_ptr = push_pointer(&push_pointer("/paths", path), verb);
            let (short, prefixed, source) = match op.get("operationId") {
                Some(Value::String(id)) => {
                    let short_id = without_tag_prefix(id, op.get("tags"));
                    let short = method_name_from_operation_id(short_id, path, verb);
                    let prefixed = (short_id.len() != id.len())
                        .then(|| method_name_from_operation_id(id, path, verb))
                        .filter(|p| is_identifier(p) && *p != short);
                    (short, prefixed, "operationId")
                }
                Some(other) => {
                    return Err(Error::new(
                        file,
                        push_pointer(&op_ptr, "operationId"),
                        format!("operationId must be a string, found {other}"),
                    ));
                }
                None => match op.get("summary").and_then(Value::as_str) {
                    Some(summary) => (snake_case(summary), None, "summary"),
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
            let short = if is_identifier(&short) {
                short
            } else {
                let fallback = identifier_fallback(&short, path, verb);
                unusable.push(Warning {
                    pointer: at.clone(),
                    message: format!(
                        "gives no Rust method name ({short:?}): this operation's method is \
                         `{fallback}`. {PIN_HINT} \"operations\": {{\"{} {path}\": \"<name>\"}} \
                         to openapi/overrides.json",
                        verb.to_uppercase()
                    ),
                });
                fallback
            };
            named.push(Named {
                path: path.clone(),
                verb,
                at,
                short: keyword_safe(short),
                prefixed: prefixed.map(keyword_safe),
            });
        }
    }
    let (names, mut warnings) = disambiguate(&named);
    warnings.extend(unusable);
    for (n, name) in named.iter().zip(names) {
        if let Some(op) = paths
            .get_mut(&n.path)
            .and_then(|item| item.get_mut(n.verb))
            .and_then(Value::as_object_mut)
        {
            op.insert("operationId".into(), Value::String(name));
        }
    }
    Ok(warnings)
}

/// A method name for an operation whose operationId or summary gives none (`3rd-party
/// things`, non-ASCII letters, punctuation only): the HTTP method before the name when
/// that makes one (`get_3rd_party_things`), else the method and the path's ASCII words.
fn identifier_fallback(short: &str, path: &str, verb: &str) -> String {
    let ascii = |text: &str| -> String {
        snake_case(&text.replace(|c: char| !c.is_ascii_alphanumeric(), " "))
    };
    [
        format!("{verb}_{}", ascii(short)),
        format!("{verb}_{}", ascii(path)),
    ]
    .into_iter()
    .map(|n| n.trim_end_matches('_').to_string())
    .find(|n| is_identifier(n) && n.len() > verb.len())
    .unwrap_or_else(|| verb.to_string())
}

/// Progenitor appends `_` to keywords (`match` → `match_`); doing it here keeps every later
/// stage, and the collision check, on the name the client really has.
fn keyword_safe(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// The method name of each of `named` (in its order), and a warning for each operation
/// whose short name was not kept. The outcome depends only on the set of operations, not
/// on their order: collisions are counted over all of them first, and the renamed ones are
/// visited by path and method.
fn disambiguate(named: &[Named]) -> (Vec<String>, Vec<Warning>) {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for n in named {
        *count.entry(n.short.as_str()).or_default() += 1;
    }
    let renamed = |n: &Named| count[n.short.as_str()] > 1 || RESERVED.contains(&n.short.as_str());
    // Names that stay: every short name that collides with nothing.
    let mut taken: BTreeSet<String> = named
        .iter()
        .filter(|n| !renamed(n))
        .map(|n| n.short.clone())
        .collect();
    // A tag-prefixed name is used only when no other renamed operation would want it too.
    let mut prefixed_count: BTreeMap<&str, usize> = BTreeMap::new();
    for n in named.iter().filter(|n| renamed(n)) {
        if let Some(p) = &n.prefixed {
            *prefixed_count.entry(p.as_str()).or_default() += 1;
        }
    }
    let mut order: Vec<usize> = (0..named.len()).filter(|&i| renamed(&named[i])).collect();
    order.sort_by_key(|&i| (named[i].path.as_str(), method_rank(named[i].verb)));
    let mut names: Vec<String> = named.iter().map(|n| n.short.clone()).collect();
    let mut warnings = Vec::new();
    for i in order {
        let n = &named[i];
        let free = |name: &str, taken: &BTreeSet<String>| {
            !taken.contains(name) && !RESERVED.contains(&name) && !KEYWORDS.contains(&name)
        };
        let by_route = format!("{}_{}_{}", n.short, n.verb, snake_case(&n.path));
        let by_route = by_route.trim_end_matches('_').to_string();
        let name = n
            .prefixed
            .iter()
            .filter(|p| prefixed_count[p.as_str()] == 1)
            .chain([&by_route])
            .find(|c| free(c, &taken))
            .cloned()
            .unwrap_or_else(|| {
                (2..)
                    .map(|k| format!("{by_route}_{k}"))
                    .find(|c| free(c, &taken))
                    .expect("some suffix is free")
            });
        taken.insert(name.clone());
        let others: Vec<String> = named
            .iter()
            .filter(|o| o.short == n.short && !std::ptr::eq(*o, n))
            .map(|o| format!("{} {}", o.verb.to_uppercase(), o.path))
            .collect();
        let why = if others.is_empty() {
            "which the client's own constructors use".to_string()
        } else {
            format!("which {} also gets", others.join(", "))
        };
        warnings.push(Warning {
            pointer: n.at.clone(),
            message: format!(
                "gives the method name `{short}`, {why}; this operation's method is `{name}`. \
                 {PIN_HINT} \"operations\": {{\"{verb} {path}\": \"<name>\"}} to openapi/overrides.json",
                short = n.short,
                verb = n.verb.to_uppercase(),
                path = n.path,
            ),
        });
        names[i] = name;
    }
    (names, warnings)
}

/// The position of `verb` in [`METHODS`], so that operations sort by path, then method.
fn method_rank(verb: &str) -> usize {
    METHODS
        .iter()
        .position(|m| *m == verb)
        .unwrap_or(usize::MAX)
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

#[cfg(test)]
mod collision_tests {
    use super::*;
    use serde_json::json;

    fn names(doc: &Value) -> (BTreeMap<String, String>, Vec<Warning>) {
        let mut doc = doc.clone();
        let warnings = assign_method_names(Path::new("t.json"), &mut doc).unwrap();
        let mut out = BTreeMap::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (verb, op) in item.as_object().unwrap() {
                out.insert(
                    format!("{} {path}", verb.to_uppercase()),
                    op["operationId"].as_str().unwrap().to_string(),
                );
            }
        }
        (out, warnings)
    }

    fn op(id: &str, tag: &str) -> Value {
        json!({"operationId": id, "tags": [tag]})
    }

    /// The paths in reverse order: a `serde_json::Map` that keeps insertion order would
    /// otherwise visit them in the document's order.
    fn reversed(doc: &Value) -> Value {
        let paths: Vec<(String, Value)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        json!({"paths": serde_json::Map::from_iter(paths)})
    }

    #[test]
    fn colliding_tag_prefixed_ids_keep_their_prefix_and_others_do_not() {
        let doc = json!({"paths": {
            "/users": {"post": op("users-create_user", "users")},
            "/private/users": {"post": op("private-create_user", "private")},
            "/users/list": {"get": op("users-list_users", "users")},
        }});
        let (got, warnings) = names(&doc);
        assert_eq!(got["POST /users"], "users_create_user");
        assert_eq!(got["POST /private/users"], "private_create_user");
        assert_eq!(got["GET /users/list"], "list_users");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        let w = warnings
            .iter()
            .find(|w| w.pointer == "/paths/~1users/post/operationId")
            .unwrap();
        assert!(w.message.contains("`users_create_user`"), "{w:?}");
        assert!(w.message.contains("POST /private/users"), "{w:?}");
        assert!(w.message.contains(r#"{"POST /users": "<name>"}"#), "{w:?}");
        assert_eq!(names(&reversed(&doc)).0, got);
    }

    #[test]
    fn identical_ids_are_told_apart_by_method_and_path() {
        let doc = json!({"paths": {
            "/items/{item_id}": {"get": op("read_item", "items")},
            "/things/{item_id}": {"get": op("read_item", "items"), "head": op("read_item", "items")},
        }});
        let (got, warnings) = names(&doc);
        assert_eq!(got["GET /items/{item_id}"], "read_item_get_items_item_id");
        assert_eq!(got["GET /things/{item_id}"], "read_item_get_things_item_id");
        assert_eq!(
            got["HEAD /things/{item_id}"],
            "read_item_head_things_item_id"
        );
        assert_eq!(warnings.len(), 3);
        assert_eq!(names(&reversed(&doc)).0, got);
    }

    #[test]
    fn identical_tag_prefixed_ids_do_not_share_the_prefixed_name() {
        let doc = json!({"paths": {
            "/a": {"get": op("items-read", "items")},
            "/b": {"get": op("items-read", "items")},
        }});
        let (got, _) = names(&doc);
        assert_eq!(got["GET /a"], "read_get_a");
        assert_eq!(got["GET /b"], "read_get_b");
    }

    /// The prefixed name of a colliding operation is another operation's short name: it is
    /// not taken, and the method and path tell it apart instead.
    #[test]
    fn a_disambiguated_name_never_collides_with_another() {
        let doc = json!({"paths": {
            "/a": {"post": op("users-create_user", "users")},
            "/b": {"post": op("private-create_user", "private")},
            "/c": {"get": {"operationId": "users_create_user"}},
            "/d": {"get": {"operationId": "create_user_post_b"}},
        }});
        let (got, _) = names(&doc);
        assert_eq!(got["GET /c"], "users_create_user");
        assert_eq!(got["POST /a"], "create_user_post_a");
        assert_eq!(got["POST /b"], "private_create_user");
        assert_eq!(got["GET /d"], "create_user_post_b");
        let unique: BTreeSet<&String> = got.values().collect();
        assert_eq!(unique.len(), got.len(), "{got:?}");
        assert_eq!(names(&reversed(&doc)).0, got);
    }

    #[test]
    fn operation_ids_that_give_no_rust_name_fall_back_to_method_and_path() {
        let doc = json!({"paths": {
            "/things": {"get": {"operationId": "3rd-party things"}},
            "/名前/list": {"get": {"operationId": "名前"}},
        }});
        let (got, warnings) = names(&doc);
        assert_eq!(got["GET /things"], "get_3rd_party_things");
        assert_eq!(got["GET /名前/list"], "get_list");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn names_the_client_reserves_are_renamed() {
        let doc = json!({"paths": {"/things": {"post": {"operationId": "new"}}}});
        let (got, warnings) = names(&doc);
        assert_eq!(got["POST /things"], "new_post_things");
        assert!(warnings[0].message.contains("constructors"), "{warnings:?}");
    }
}
