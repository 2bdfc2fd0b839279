//! Header and cookie parameters.
//!
//! * Cookie parameters, which progenitor rejects: each becomes a header parameter carrying
//!   [`COOKIE_MARKER`], so that progenitor gives it a typed builder setter like any header,
//!   and the `runtime_calls` pass sends the marked ones together in one `Cookie` header
//!   (`name=value; name=value`) instead of as headers of their own.
//! * An optional header or cookie that FastAPI spells `str | None` is nullable as well as
//!   optional, which progenitor turns into `Option<Option<String>>`. HTTP has no null
//!   header, so absent is the only null: the `nullable` is dropped.
//! * A required path parameter that may be null (`int | None`, or 3.0's `nullable: true`
//!   in any document) would be an `Option` formatted into the URL. A path segment cannot
//!   be null, so the `nullable` is dropped with a warning: the setter takes the value.
//! * A parameter of several scalar types (`UUID | str`, `int | str`, or a list of them)
//!   gets a component of its own, named after the operation and the parameter
//!   (`GetItemIdOrName`), as a `oneOf` (typify reads an `anyOf` of overlapping members,
//!   such as a UUID and a string, as "any combination" and makes a struct of it), marked
//!   with [`UNION_MARKER`]; one already a component is marked where it is.
//!   `passes::parameter_unions` gives the enum typify makes of it the wire format of each
//!   member (`Display`) and `From<&str>`.
//! * An optional query, header or cookie parameter whose value has no text spelling (an
//!   object, an array of objects: Letta's `search` filters) is left out of the builder,
//!   with a warning saying how to send it by hand; a required one is rejected by
//!   `validate` (the request cannot be made without it).

use std::path::Path;

use serde_json::{Map, Value, json};

use super::unions::USE_SITE;
use crate::document::METHODS;
use crate::error::{Warning, push_pointer};
use crate::validate::parameters::{droppable, spelling};

/// Leaves out of each parameter list (path items' and operations') the optional
/// parameters `validate` let through without a text spelling ([`droppable`]), each with a
/// warning at the parameter. Runs first, on the document as written, where `validate`
/// looked.
pub(crate) fn drop_unspellable(file: &Path, doc: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let snapshot = doc.clone();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return warnings;
    };
    for (path, item) in paths.iter_mut() {
        let item_ptr = push_pointer("/paths", path);
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for key in std::iter::once("parameters").chain(METHODS) {
            let (owner, list) = if key == "parameters" {
                (item_ptr.clone(), item.get_mut("parameters"))
            } else {
                let op = item.get_mut(key);
                (
                    push_pointer(&item_ptr, key),
                    op.and_then(|op| op.get_mut("parameters")),
                )
            };
            let Some(Value::Array(list)) = list else {
                continue;
            };
            let list_ptr = push_pointer(&owner, "parameters");
            let mut index = 0;
            list.retain(|param| {
                let at = push_pointer(&list_ptr, &index.to_string());
                index += 1;
                let (param, param_ptr) = resolved(&snapshot, param, &at);
                if !droppable(param) {
                    return true;
                }
                let Err(error) = spelling(file, &snapshot, &param_ptr, param) else {
                    return true;
                };
                let name = param
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
                let by_hand = if location == "header" || location == "cookie" {
                    format!("`.extra_header(\"{name}\", ..)`")
                } else {
                    format!("`.extra_query(\"{name}\", ..)`")
                };
                warnings.push(Warning {
                    pointer: at,
                    message: format!(
                        "{}: the builder has no setter for this optional parameter and sends \
                         the request without it; {by_hand} sends it in the spelling the server \
                         reads",
                        error.message
                    ),
                });
                false
            });
        }
    }
    warnings
}

/// A parameter or a `$ref` to `#/components/parameters/...`, followed, with its pointer.
fn resolved<'a>(doc: &'a Value, param: &'a Value, at: &str) -> (&'a Value, String) {
    let mut param = param;
    let mut ptr = at.to_string();
    for _ in 0..16 {
        let Some(target) = param
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        else {
            break;
        };
        match doc.pointer(target) {
            Some(found) => {
                param = found;
                ptr = target.to_string();
            }
            None => break,
        }
    }
    (param, ptr)
}

/// The extension a cookie parameter carries once it is spelled as a header parameter.
pub const COOKIE_MARKER: &str = "x-stackai-cookie";

/// Whether a (normalized) parameter is a cookie.
pub fn is_cookie(param: &Value) -> bool {
    param.get(COOKIE_MARKER) == Some(&Value::Bool(true))
}

/// Rewrites every `in: cookie` parameter of the document (operations, path items and
/// `components/parameters`) into a marked header parameter, and makes optional headers
/// and cookies non-nullable.
pub(crate) fn header_parameters(doc: &mut Value) {
    if let Some(shared) = doc
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        shared.values_mut().for_each(mark_cookie);
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        if let Some(list) = item.get_mut("parameters") {
            mark_all(list);
        }
        for method in METHODS {
            if let Some(list) = item.get_mut(method).and_then(|op| op.get_mut("parameters")) {
                mark_all(list);
            }
        }
    }
}

fn mark_all(list: &mut Value) {
    if let Some(params) = list.as_array_mut() {
        params.iter_mut().for_each(mark_cookie);
    }
}

fn mark_cookie(param: &mut Value) {
    let Some(param) = param.as_object_mut() else {
        return;
    };
    let location = param.get("in").and_then(Value::as_str);
    if !matches!(location, Some("cookie" | "header")) {
        return;
    }
    if location == Some("cookie") {
        param.insert("in".into(), Value::String("header".into()));
        param.insert(COOKIE_MARKER.into(), Value::Bool(true));
    }
    if param.get("required") != Some(&Value::Bool(true))
        && let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut)
    {
        schema.remove("nullable");
    }
}

/// The extension that marks a component schema as the type of a parameter of several
/// scalar types.
pub const UNION_MARKER: &str = "x-stackai-parameter-union";

/// A parameter as the two rewrites below see it: where it is, and the method whose
/// name a union it holds is named after (the first operation of its path item, for a
/// parameter shared by the path item's operations; the component's own name, for one in
/// `components/parameters`).
struct Site {
    pointer: String,
    owner: String,
    /// The parameter's `name` and `in` (a cookie is `header` by now, see [`is_cookie`]).
    name: String,
    location: String,
    cookie: bool,
}

/// Every parameter object of the document (not the `$ref`s to shared ones), with where
/// it is and its owner's name.
fn parameter_sites(doc: &Value) -> Vec<Site> {
    let mut sites = Vec::new();
    let shared = doc
        .pointer("/components/parameters")
        .and_then(Value::as_object);
    for name in shared.into_iter().flat_map(|m| m.keys()) {
        sites.extend(site(
            doc,
            push_pointer("/components/parameters", name),
            name.clone(),
        ));
    }
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let p_ptr = push_pointer("/paths", path);
        let methods: Vec<(&str, String)> = METHODS
            .iter()
            .filter_map(|m| {
                let id = item.get(*m)?.get("operationId")?.as_str()?;
                Some((*m, id.to_string()))
            })
            .collect();
        let mut lists = Vec::new();
        if let Some((_, first)) = methods.first() {
            lists.push((push_pointer(&p_ptr, "parameters"), first.clone()));
        }
        for (method, id) in methods {
            lists.push((
                push_pointer(&push_pointer(&p_ptr, method), "parameters"),
                id,
            ));
        }
        for (l_ptr, owner) in lists {
            let count = doc
                .pointer(&l_ptr)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..count {
                sites.extend(site(
                    doc,
                    push_pointer(&l_ptr, &i.to_string()),
                    owner.clone(),
                ));
            }
        }
    }
    sites
}

/// The parameter at `pointer`, unless it is a `$ref` to a shared one (visited where it is).
fn site(doc: &Value, pointer: String, owner: String) -> Option<Site> {
    let param = doc.pointer(&pointer)?;
    let text = |key: &str| param.get(key).and_then(Value::as_str).map(str::to_string);
    Some(Site {
        name: text("name")?,
        location: text("in")?,
        cookie: is_cookie(param),
        pointer,
        owner,
    })
}

/// The schema of the parameter at `site`, to rewrite.
fn schema_at<'a>(doc: &'a mut Value, site: &Site) -> Option<&'a mut Value> {
    doc.pointer_mut(&push_pointer(&site.pointer, "schema"))
}

/// Drops `nullable` from the schema of every path parameter, with a warning: a path
/// segment cannot be null, so the setter takes the value rather than an `Option`.
pub(crate) fn path_parameters_not_null(doc: &mut Value, warnings: &mut Vec<Warning>) {
    for site in parameter_sites(doc) {
        if site.location != "path" {
            continue;
        }
        let Some(schema) = schema_at(doc, &site).and_then(Value::as_object_mut) else {
            continue;
        };
        if schema.remove("nullable") != Some(Value::Bool(true)) {
            continue;
        }
        super::shapes::unwrap_nullable_marker(schema);
        warnings.push(Warning {
            pointer: push_pointer(&site.pointer, "schema"),
            message: format!(
                "path parameter `{}` may be null, but a path segment cannot be: its \
                 setter takes the value itself, not an `Option` (acknowledge this warning \
                 in overrides.json)",
                site.name
            ),
        });
    }
}

/// Gives each parameter of several scalar types (or list of them) a marked component
/// of its own; marks the component a parameter of several types refers to.
pub(crate) fn scalar_unions(doc: &mut Value) {
    let mut taken: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut hoisted = Map::new();
    let mut marked = Vec::new();
    for site in parameter_sites(doc) {
        if site.cookie {
            continue;
        }
        let name = site.name.as_str();
        let Some(mut schema) = schema_at(doc, &site) else {
            continue;
        };
        let mut suffix = "";
        if schema.get("type").is_some_and(|t| t == "array") && schema.get("items").is_some() {
            schema = &mut schema["items"];
            suffix = "Item";
        }
        // An inline schema wrapped in a one-member `allOf` (beside annotations) is the
        // parameter's type all the same.
        while schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|l| l.len() == 1 && l[0].get("$ref").is_none())
        {
            schema = &mut schema["allOf"][0];
        }
        if let Some(reference) = referred(schema) {
            marked.push(reference);
            continue;
        }
        let Some(obj) = schema.as_object_mut() else {
            continue;
        };
        if !is_union(obj) {
            continue;
        }
        let base = format!(
            "{}{}{suffix}",
            heck::ToUpperCamelCase::to_upper_camel_case(site.owner.as_str()),
            heck::ToUpperCamelCase::to_upper_camel_case(name)
        );
        let component = (1..)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}{n}")
                }
            })
            .find(|n| !taken.contains(n))
            .expect("some number is free");
        taken.push(component.clone());
        let mut union = Map::new();
        let mut use_site = Map::new();
        for (k, v) in std::mem::take(obj) {
            if USE_SITE.contains(&k.as_str()) || k == "example" {
                use_site.insert(k, v);
            } else {
                union.insert(k, v);
            }
        }
        mark(&mut union);
        let what = if suffix.is_empty() {
            "The"
        } else {
            "An item of the"
        };
        union.insert(
            "description".into(),
            Value::String(format!(
                "{what} `{name}` parameter of `{}`: one of several types, each sent \
                 in its own wire format.",
                site.owner
            )),
        );
        hoisted.insert(component.clone(), Value::Object(union));
        let reference = Value::String(push_pointer("#/components/schemas", &component));
        if use_site.is_empty() {
            obj.insert("$ref".into(), reference);
        } else {
            use_site.insert("allOf".into(), json!([{ "$ref": reference }]));
            *obj = use_site;
        }
    }
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root.entry("components").or_insert_with(|| json!({}));
    let Some(schemas) = components
        .as_object_mut()
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for name in marked {
        if let Some(schema) = schemas.get_mut(&name).and_then(Value::as_object_mut)
            && is_union(schema)
        {
            mark(schema);
        }
    }
    schemas.append(&mut hoisted);
}

/// The component a parameter's schema names (`$ref`, or `allOf: [$ref]` beside
/// annotations).
fn referred(schema: &Value) -> Option<String> {
    let reference =
        schema
            .get("$ref")
            .or_else(|| match schema.get("allOf")?.as_array()?.as_slice() {
                [only] => only.get("$ref"),
                _ => None,
            })?;
    reference
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_string)
}

/// An `anyOf` or `oneOf` of several members (null is `nullable` by now).
fn is_union(obj: &Map<String, Value>) -> bool {
    ["anyOf", "oneOf"].iter().any(|k| {
        obj.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|l| l.len() > 1)
    })
}

/// Spells the union as a `oneOf` and marks it.
fn mark(union: &mut Map<String, Value>) {
    if let Some(members) = union.remove("anyOf") {
        union.insert("oneOf".into(), members);
    }
    union.insert(UNION_MARKER.into(), Value::Bool(true));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cookies_become_marked_headers_and_optional_ones_lose_nullable() {
        let mut doc = json!({"paths": {"/x": {"get": {"parameters": [
            {"name": "session", "in": "cookie", "required": true, "schema": {"type": "string"}},
            {"name": "Range", "in": "header", "schema": {"type": "string", "nullable": true}},
            {"name": "q", "in": "query", "schema": {"type": "string", "nullable": true}}
        ]}}}});
        header_parameters(&mut doc);
        let params = &doc["paths"]["/x"]["get"]["parameters"];
        assert_eq!(params[0]["in"], "header");
        assert!(is_cookie(&params[0]));
        assert!(!is_cookie(&params[1]));
        assert_eq!(params[1]["schema"], json!({"type": "string"}));
        assert_eq!(
            params[2]["schema"]["nullable"], true,
            "queries are left alone"
        );
    }
}
