//! The members the generator emits beside the document's names, one list per surface, and
//! the rule that gives a parameter or property another Rust name when it would collide with
//! one of them or with another parameter or property.
//!
//! The rule: the document's name keeps its wire spelling, and only its Rust name changes,
//! by a suffix that says what it is: a parameter gets `_<location>` (`status` in the query
//! is `status_query`, `user-id` in a header beside a `user_id` query parameter is
//! `user_id_header`), a model property `_field` (`extra` beside the forward-compatibility
//! map is `extra_field`), then `_2`, `_3`, ... while that is taken too. Which name stays
//! does not depend on the document's order: a name equal to its wire spelling keeps it,
//! then the first by location and wire name. Each renaming is a warning at the parameter
//! or property. The generator's own members never change: the Connections crate's names,
//! and every option setter, are the same for every document.
//!
//! The typed mocks are a surface of their own (`crate::mock`): a parameter named like a mock
//! builder's method (`status`, `error`, ...) keeps its name on the request builder, and only
//! its matcher on the mock builder is renamed by the same suffix rule, so the request API
//! never changes because of an optional test feature.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::document::METHODS;
use crate::error::{Warning, push_pointer};
use crate::normalize::bodies;
use crate::normalize::parameters;
use crate::passes::{filters, responses};
use crate::rust_names::sanitize;

/// The extension that keeps a renamed parameter's wire name (its `name` is the Rust name).
pub const WIRE_NAME: &str = "x-stackai-wire-name";

/// Every request builder's own members: progenitor's `new`, `send` and `client`, its body
/// setters `body` and `body_map` (the passes read a field named `body` as the request body,
/// so a parameter never takes it, body or not), and the per-request options
/// `passes::runtime_calls` adds.
pub const BUILDER: &[&str] = &[
    "new",
    "send",
    "client",
    "body",
    "body_map",
    "request_options",
    "with_options",
    "timeout",
    "max_retries",
    "extra_header",
    "extra_query",
    "extra_body",
];

/// Members of the builders of operations answering JSON or events (`passes::responses`).
pub const BUILDER_EVENTS: &[&str] = &["send_events"];

/// Members of the builders of operations with pagination parameters (`passes::paginate`).
pub const BUILDER_PAGES: &[&str] = &["stream", "page"];

/// Members of the builders of operations with dynamic filters (`passes::filters`).
pub const BUILDER_FILTERS: &[&str] = &["filter", filters::FIELD];

/// Members of the builders of uploads (`passes::multipart`; its file setters yield to
/// parameters themselves, as `<name>_file`).
pub const BUILDER_FILES: &[&str] = &["file_parts"];

/// The mock builders' own methods (`crate::mock`); a parameter's matcher yields to them.
pub const MOCK: &[&str] = &[
    "body",
    "body_partial",
    "times",
    "ok",
    "ok_events",
    "error",
    "status",
    "respond_with",
    "pages",
    "filter",
];

/// `MockServer`'s own methods; an operation's mock yields to them as `<method>_operation`.
pub const MOCK_SERVER: &[&str] = &[
    "start",
    "uri",
    "client",
    "client_builder",
    "take_unmatched",
    "mount",
    "mount_json",
];

/// Model members: the forward-compatibility map that typify emits on open objects.
pub const MODEL: &[&str] = &["extra"];

/// The builder members `op` has, by the lists above.
fn builder_members(op: &Value, params: &[Value]) -> BTreeSet<&'static str> {
    let mut out: BTreeSet<&str> = BUILDER.iter().copied().collect();
    let query = |name: &str| {
        params.iter().any(|p| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("in").and_then(Value::as_str) == Some("query")
        })
    };
    if responses::events_beside_json(op).is_some() {
        out.extend(BUILDER_EVENTS);
    }
    if query("cursor") || (query("limit") && query("offset")) {
        out.extend(BUILDER_PAGES);
    }
    if filters::declaration(op).is_ok_and(|d| d.is_some()) {
        out.extend(BUILDER_FILTERS);
    }
    if bodies::file_fields(op).is_some() {
        out.extend(BUILDER_FILES);
    }
    out
}

/// The name of the typed mock's matcher for the parameter whose builder field is `field`
/// (in `location`), among an operation's parameters `fields`: the field's own name, unless a
/// mock builder's method has it ([`MOCK`]); then `<field>_<location>`, `_2`, ...
pub fn mock_matcher(field: &str, location: &str, fields: &BTreeSet<String>) -> String {
    if !MOCK.contains(&field) {
        return field.to_string();
    }
    let mut taken = fields.clone();
    taken.extend(MOCK.iter().map(|m| m.to_string()));
    free_name(format!("{field}_{location}"), &taken)
}

/// The name of `MockServer`'s method for the operation `method`: the method's own, unless
/// `MockServer` has it ([`MOCK_SERVER`]); then `<method>_operation`.
pub fn mock_server_method(method: &str) -> String {
    if MOCK_SERVER.contains(&method) {
        format!("{method}_operation")
    } else {
        method.to_string()
    }
}

/// The location a parameter's suffix names: `path`, `query`, `header` or `cookie`.
pub(crate) fn location(param: &Value) -> &str {
    if parameters::is_cookie(param) {
        "cookie"
    } else {
        param.get("in").and_then(Value::as_str).unwrap_or("query")
    }
}

/// The first of `base`, `base_2`, `base_3`, ... that `taken` does not hold.
pub(crate) fn free_name(base: String, taken: &BTreeSet<String>) -> String {
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|k| format!("{base}_{k}"))
        .find(|c| !taken.contains(c))
        .expect("some suffix is free")
}

/// Renames, in the normalized document, every operation's parameter whose Rust name would
/// collide with its builder's own members or with another parameter of the operation (the
/// wire name is kept as [`WIRE_NAME`]), and every model property whose Rust name would
/// collide with a model member or another property (the wire name is kept by typify's
/// `serde(rename)`, see [`property_key`]). A path parameter is renamed only when it collides
/// with a builder member (never for another parameter: it keeps its name), and then in the
/// path template too, for every operation of the path.
pub fn rename(doc: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut moved = Vec::new();
    for (path, item) in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        let mut template = BTreeMap::new();
        for verb in METHODS {
            let Some(op) = item.get_mut(verb) else {
                continue;
            };
            let op_ptr = push_pointer(&push_pointer("/paths", path), verb);
            template.extend(rename_parameters(op, &op_ptr, &mut warnings));
            mock_warnings(op, &op_ptr, &mut warnings);
        }
        if template.is_empty() {
            continue;
        }
        // A renamed path parameter is renamed in the template and in every operation of the
        // path (the template's names are not on the wire).
        for verb in METHODS {
            for p in item
                .get_mut(verb)
                .and_then(|op| op.get_mut("parameters"))
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let old = p.get("name").and_then(Value::as_str).unwrap_or("");
                if p.get("in").and_then(Value::as_str) == Some("path")
                    && let Some(new) = template.get(old)
                {
                    p["name"] = Value::String(new.clone());
                }
            }
        }
        let mut new_path = path.clone();
        for (old, new) in &template {
            new_path = new_path.replace(&format!("{{{old}}}"), &format!("{{{new}}}"));
        }
        moved.push((path.clone(), new_path));
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (old, new) in moved {
            if let Some(item) = paths.remove(&old) {
                paths.insert(new, item);
            }
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let ptr = push_pointer("/components/schemas", name);
            rename_properties(schema, &ptr, &mut warnings);
        }
    }
    warnings
}

/// Renames `op`'s colliding parameters; returns the path parameters renamed (old → new),
/// whose names the caller renames in the path template.
fn rename_parameters(
    op: &mut Value,
    op_ptr: &str,
    warnings: &mut Vec<Warning>,
) -> BTreeMap<String, String> {
    let mut template = BTreeMap::new();
    let params: Vec<Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if params.is_empty() {
        return template;
    }
    let members = builder_members(op, &params);
    let rust = |p: &Value| sanitize(p.get("name").and_then(Value::as_str).unwrap_or(""), false);
    // Who keeps each Rust name: a parameter spelled exactly so, then the first by location
    // and wire name. A path parameter always keeps its own.
    let rank = |p: &Value| {
        let wire = p.get("name").and_then(Value::as_str).unwrap_or("");
        (
            wire != rust(p),
            location(p) != "path",
            ["path", "query", "header", "cookie"]
                .iter()
                .position(|l| *l == location(p)),
            wire.to_string(),
        )
    };
    let mut order: Vec<usize> = (0..params.len()).collect();
    order.sort_by_key(|&i| rank(&params[i]));
    let mut taken: BTreeSet<String> = members.iter().map(|m| m.to_string()).collect();
    let mut renames = BTreeMap::new();
    for &i in &order {
        let p = &params[i];
        let name = rust(p);
        if !taken.contains(&name) || (location(p) == "path" && !members.contains(name.as_str())) {
            taken.insert(name);
            continue;
        }
        let new = free_name(format!("{name}_{}", location(p)), &taken);
        let why = if members.contains(name.as_str()) {
            format!("the request builder's own `{name}`")
        } else {
            format!("another parameter's `{name}`")
        };
        warnings.push(Warning {
            pointer: push_pointer(&push_pointer(op_ptr, "parameters"), &i.to_string()),
            message: format!(
                "the Rust name `{name}` would collide with {why}: its setter is `{new}` \
                 (sent as `{}` all the same)",
                p.get("name").and_then(Value::as_str).unwrap_or("")
            ),
        });
        taken.insert(new.clone());
        renames.insert(i, new);
    }
    let Some(list) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return template;
    };
    for (i, new) in renames {
        let Some(p) = list.get_mut(i).and_then(Value::as_object_mut) else {
            continue;
        };
        if p.get("in").and_then(Value::as_str) == Some("path") {
            // Renamed with the template, which carries no name on the wire.
            if let Some(old) = p.get("name").and_then(Value::as_str) {
                template.insert(old.to_string(), new);
            }
            continue;
        }
        if let Some(wire) = p.insert("name".into(), Value::String(new)) {
            p.insert(WIRE_NAME.into(), wire);
        }
    }
    template
}

/// Warnings for the typed mock's names that differ from the request builder's.
fn mock_warnings(op: &Value, op_ptr: &str, warnings: &mut Vec<Warning>) {
    if let Some(method) = op.get("operationId").and_then(Value::as_str)
        && mock_server_method(method) != method
    {
        warnings.push(Warning {
            pointer: push_pointer(op_ptr, "operationId"),
            message: format!(
                "the method `{method}` is also `MockServer`'s own: its typed mock is \
                 `MockServer::{}()` (the client's method keeps its name)",
                mock_server_method(method)
            ),
        });
    }
    let params = op.get("parameters").and_then(Value::as_array);
    let fields: BTreeSet<String> = params
        .into_iter()
        .flatten()
        .map(crate::syntax::param_ident)
        .collect();
    for (i, p) in params.into_iter().flatten().enumerate() {
        let field = crate::syntax::param_ident(p);
        let matcher = mock_matcher(&field, location(p), &fields);
        if matcher != field {
            warnings.push(Warning {
                pointer: push_pointer(&push_pointer(op_ptr, "parameters"), &i.to_string()),
                message: format!(
                    "`{field}` is also a typed mock's own method: the mock matches this \
                     parameter with `{matcher}(..)` (the request builder keeps `{field}(..)`)"
                ),
            });
        }
    }
}

/// A parameter's name on the wire (its document name, unless [`rename`] changed its Rust
/// name).
pub fn wire_name(param: &Value) -> Option<&str> {
    param
        .get(WIRE_NAME)
        .or_else(|| param.get("name"))
        .and_then(Value::as_str)
}

/// The character that starts a renamed property's wire spelling in its key (see
/// [`property_key`]); a private-use character, which no document spells.
const KEY_MARK: char = '\u{F8FF}';

/// The key that makes typify name a property `rust` and serialize it as `wire`: `rust`, then
/// the wire name spelled in private-use characters. typify's `sanitize` turns every
/// character that is not alphanumeric into a separator and drops trailing separators, so the
/// field is `rust`, and the key (as typify's `serde(rename)`) is decoded back into `wire` by
/// [`decode_key`] in the models pass.
fn property_key(rust: &str, wire: &str) -> String {
    let mut key = format!("{rust}{KEY_MARK}");
    for b in wire.bytes() {
        key.push(char::from_u32(0xF700 + u32::from(b)).expect("a private-use character"));
    }
    key
}

/// The wire name a key from [`property_key`] carries, or `None` for any other key.
pub fn decode_key(key: &str) -> Option<String> {
    let (_, encoded) = key.split_once(KEY_MARK)?;
    let bytes: Vec<u8> = encoded
        .chars()
        .map(|c| u8::try_from(u32::from(c).checked_sub(0xF700)?).ok())
        .collect::<Option<_>>()?;
    String::from_utf8(bytes).ok()
}

/// Replaces every `serde(rename = "<key>")` of a key from [`property_key`] with the wire
/// name it carries (the models' half, after the passes that read the document by key).
pub fn decode_renames(file: &mut syn::File) {
    struct Decode;
    impl syn::visit_mut::VisitMut for Decode {
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if !attr.path().is_ident("serde") {
                return;
            }
            if let syn::Meta::List(list) = &mut attr.meta {
                list.tokens = list
                    .tokens
                    .clone()
                    .into_iter()
                    .map(|tt| match &tt {
                        proc_macro2::TokenTree::Literal(lit) => {
                            match syn::parse_str::<syn::LitStr>(&lit.to_string())
                                .ok()
                                .and_then(|s| decode_key(&s.value()))
                            {
                                Some(wire) => proc_macro2::TokenTree::Literal(
                                    proc_macro2::Literal::string(&wire),
                                ),
                                None => tt,
                            }
                        }
                        _ => tt,
                    })
                    .collect();
            }
        }
    }
    syn::visit_mut::VisitMut::visit_file_mut(&mut Decode, file);
}

fn rename_properties(schema: &mut Value, ptr: &str, warnings: &mut Vec<Warning>) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    // Nested schemas first (their pointers are unaffected by renames at this level).
    for (key, value) in object.iter_mut() {
        match value {
            Value::Object(_) if key != "properties" && key != "example" && key != "default" => {
                rename_properties(value, &push_pointer(ptr, key), warnings);
            }
            Value::Array(items) if matches!(key.as_str(), "allOf" | "anyOf" | "oneOf") => {
                for (i, item) in items.iter_mut().enumerate() {
                    rename_properties(
                        item,
                        &push_pointer(&push_pointer(ptr, key), &i.to_string()),
                        warnings,
                    );
                }
            }
            _ => {}
        }
    }
    let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (key, value) in properties.iter_mut() {
        let at = push_pointer(&push_pointer(ptr, "properties"), key);
        rename_properties(value, &at, warnings);
    }
    let keys: Vec<String> = properties.keys().cloned().collect();
    let open = !matches!(
        object.get("additionalProperties"),
        None | Some(Value::Bool(_))
    );
    let mut taken: BTreeSet<String> = if open {
        MODEL.iter().map(|m| m.to_string()).collect()
    } else {
        BTreeSet::new()
    };
    let mut order = keys.clone();
    order.sort_by_key(|k| (*k != sanitize(k, false), k.clone()));
    let mut renames = Vec::new();
    for key in order {
        let name = sanitize(&key, false);
        if taken.insert(name.clone()) {
            continue;
        }
        let new = free_name(format!("{name}_field"), &taken);
        let why = if MODEL.contains(&name.as_str()) && open {
            format!("the model's own `{name}` (the map of fields this crate does not know)")
        } else {
            format!("another property's `{name}`")
        };
        warnings.push(Warning {
            pointer: push_pointer(&push_pointer(ptr, "properties"), &key),
            message: format!(
                "the Rust name `{name}` would collide with {why}: the field is `{new}` \
                 (sent and read as `{key}` all the same)"
            ),
        });
        taken.insert(new.clone());
        renames.push((key, new));
    }
    let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (key, new) in &renames {
        if let Some(value) = properties.remove(key) {
            properties.insert(property_key(new, key), value);
        }
    }
    if let Some(required) = object.get_mut("required").and_then(Value::as_array_mut) {
        for r in required.iter_mut() {
            if let Some((key, new)) = renames.iter().find(|(k, _)| Some(k.as_str()) == r.as_str()) {
                *r = Value::String(property_key(new, key));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_keys_round_trip_and_sanitize_to_the_rust_name() {
        for wire in ["extra", "userId", "user-id", "名前", "2fa"] {
            let key = property_key("some_field", wire);
            assert_eq!(decode_key(&key).as_deref(), Some(wire));
            assert_eq!(sanitize(&key, false), "some_field");
        }
        assert_eq!(decode_key("plain"), None);
    }
}
