//! Parameters: each one well-formed, path parameters declared and used, and one builder
//! method per name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::operations::section;
use super::{Context, json_type, schemas};
use crate::document::METHODS;
use crate::error::{Error, push_pointer};

const LOCATIONS: [&str; 4] = ["query", "header", "path", "cookie"];

pub(super) fn check(cx: &Context) -> Result<(), Error> {
    let paths = cx.doc["paths"].as_object().into_iter().flatten();
    for (path, item) in paths {
        let ptr = push_pointer("/paths", path);
        let shared = list(
            cx,
            &push_pointer(&ptr, "parameters"),
            item.get("parameters"),
        )?;
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_ptr = push_pointer(&ptr, method);
            let own = list(
                cx,
                &push_pointer(&op_ptr, "parameters"),
                op.get("parameters"),
            )?;
            operation(cx, path, &op_ptr, &shared, &own)?;
        }
    }
    let components = cx.doc.get("components");
    for (name, param) in section(components, "parameters") {
        parameter(cx, &push_pointer("/components/parameters", name), param)?;
    }
    for (name, header) in section(components, "headers") {
        self::header(cx, &push_pointer("/components/headers", name), header)?;
    }
    Ok(())
}

/// A parameter as declared: where its declaration is, its name and its location.
struct Declared<'a> {
    ptr: String,
    name: &'a str,
    location: &'a str,
}

/// The parameters of one list (a path item's or an operation's), each checked.
fn list<'a>(
    cx: &Context<'a>,
    ptr: &str,
    params: Option<&'a Value>,
) -> Result<Vec<Declared<'a>>, Error> {
    let Some(params) = params else {
        return Ok(Vec::new());
    };
    let Some(params) = params.as_array() else {
        return Err(cx.error(ptr, "`parameters` must be an array"));
    };
    let mut out: Vec<Declared> = Vec::new();
    for (i, param) in params.iter().enumerate() {
        let p_ptr = push_pointer(ptr, &i.to_string());
        let (name, location) = parameter(cx, &p_ptr, param)?;
        if let Some(first) = out
            .iter()
            .find(|d| d.name == name && d.location == location)
        {
            return Err(cx.error(
                &p_ptr,
                format!(
                    "the {location} parameter `{name}` is declared twice (first at {})",
                    first.ptr
                ),
            ));
        }
        out.push(Declared {
            ptr: p_ptr,
            name,
            location,
        });
    }
    Ok(out)
}

/// Checks one parameter (following a `$ref`); returns its name and location.
fn parameter<'a>(
    cx: &Context<'a>,
    ptr: &str,
    param: &'a Value,
) -> Result<(&'a str, &'a str), Error> {
    let (param, at) = cx.resolve(ptr, param, "parameters")?;
    if !param.is_object() {
        return Err(cx.error(&at, "a parameter must be an object"));
    }
    let (Some(name), Some(location)) = (param.get("name"), param.get("in")) else {
        return Err(cx.error(&at, "a parameter needs a `name` and an `in`"));
    };
    let Some(name) = name.as_str() else {
        return Err(cx.error(
            &push_pointer(&at, "name"),
            format!("must be a string, found {}", json_type(name)),
        ));
    };
    let Some(location) = location.as_str().filter(|l| LOCATIONS.contains(l)) else {
        return Err(cx.error(
            &push_pointer(&at, "in"),
            format!("must be one of {}, found {location}", LOCATIONS.join(", ")),
        ));
    };
    for field in ["required", "deprecated", "allowEmptyValue", "explode"] {
        if let Some(value) = param.get(field)
            && !value.is_boolean()
        {
            return Err(cx.error(
                &push_pointer(&at, field),
                format!("must be a boolean, found {}", json_type(value)),
            ));
        }
    }
    match (param.get("schema"), param.get("content")) {
        (Some(schema), _) => {
            let s_ptr = push_pointer(&at, "schema");
            schemas::check(cx, &s_ptr, schema)?;
            let spelled = single_value(cx, &s_ptr, name, location, schema);
            // An optional one is left out of the builder by `normalize`, with a warning.
            if !droppable(param) {
                spelled?;
            }
        }
        (None, Some(_)) => {
            return Err(cx.error(
                &at,
                "parameters described by `content` are not supported; use `schema`",
            ));
        }
        (None, None) => {
            return Err(cx.error(
                &at,
                format!("parameter `{name}` needs a `schema` saying what its value is"),
            ));
        }
    }
    if location == "path" && param.get("required") != Some(&Value::Bool(true)) {
        // Reported where the maintainer wrote it: the `required` of a shared parameter is
        // on the path item, that of a component on the component.
        return Err(cx.error(
            &push_pointer(&at, "required"),
            format!("path parameter `{name}` must be `required: true`"),
        ));
    }
    Ok((name, location))
}

/// An operation's parameters: the path item's, overridden by the operation's own of the
/// same name and location.
fn operation(
    cx: &Context,
    path: &str,
    op_ptr: &str,
    shared: &[Declared],
    own: &[Declared],
) -> Result<(), Error> {
    let mut effective: Vec<&Declared> = shared
        .iter()
        .filter(|s| {
            !own.iter()
                .any(|o| o.name == s.name && o.location == s.location)
        })
        .collect();
    effective.extend(own);
    let mut by_name: BTreeMap<&str, &Declared> = BTreeMap::new();
    let mut declared = BTreeSet::new();
    for d in &effective {
        if let Some(first) = by_name.insert(d.name, d) {
            // Progenitor gives the builder one method per parameter name.
            return Err(cx.error(
                &d.ptr,
                format!(
                    "`{}` is both a {} parameter (at {}) and a {} parameter; \
                     the client needs one name per parameter",
                    d.name, first.location, first.ptr, d.location
                ),
            ));
        }
        if d.location == "path" {
            if !path.contains(&format!("{{{}}}", d.name)) {
                return Err(cx.error(
                    &d.ptr,
                    format!(
                        "path parameter `{}` does not appear in the path {path:?}",
                        d.name
                    ),
                ));
            }
            declared.insert(d.name);
        }
    }
    for segment in path.split('{').skip(1) {
        let Some(name) = segment.split('}').next() else {
            continue;
        };
        if !declared.contains(name) {
            return Err(cx.error(
                &push_pointer(op_ptr, "parameters"),
                format!("the path has `{{{name}}}` but no path parameter declares it"),
            ));
        }
    }
    Ok(())
}

/// A response header or a `components/headers` entry: a parameter without name and `in`.
pub(super) fn header(cx: &Context, ptr: &str, header: &Value) -> Result<(), Error> {
    let (header, at) = cx.resolve(ptr, header, "headers")?;
    if !header.is_object() {
        return Err(cx.error(&at, "a header must be an object"));
    }
    if let Some(schema) = header.get("schema") {
        schemas::check(cx, &push_pointer(&at, "schema"), schema)?;
    }
    Ok(())
}

/// Whether a parameter whose value has no text spelling may be left out of the builder
/// instead of rejecting the document: it is optional and not in the path, so the request
/// can be sent without it (the runtime's `extra_query`/`extra_header` send it by hand).
pub(crate) fn droppable(param: &Value) -> bool {
    param.get("in").and_then(Value::as_str) != Some("path")
        && param.get("required") != Some(&Value::Bool(true))
}

/// `Err` when the parameter `param` (at `ptr`, `$ref`s resolved) has no text spelling: the
/// check `validate` makes, for `normalize` to leave out the optional ones it let through.
pub(crate) fn spelling(file: &Path, doc: &Value, ptr: &str, param: &Value) -> Result<(), Error> {
    let cx = Context { file, doc };
    let (Some(name), Some(location), Some(schema)) = (
        param.get("name").and_then(Value::as_str),
        param.get("in").and_then(Value::as_str),
        param.get("schema"),
    ) else {
        return Ok(());
    };
    single_value(&cx, &push_pointer(ptr, "schema"), name, location, schema)
}

/// A parameter travels as text in a path, a query string or a header: progenitor reaches
/// `unreachable!` on one whose type typify makes a struct of (an object), and there is no
/// standard way to spell one anyway. A parameter of several scalar types (`UUID | str`,
/// `int | str`) becomes an enum of its members (`normalize::parameters`), each written in
/// its own wire format; its members must be scalars, not objects, arrays or unions.
fn single_value(
    cx: &Context,
    ptr: &str,
    name: &str,
    location: &str,
    schema: &Value,
) -> Result<(), Error> {
    // A parameter that is an object or only null is reported at its schema (`ptr`); the
    // members of a union at the list that holds them (`here`, which follows `$ref`s).
    let mut schema = schema;
    let mut here = ptr.to_string();
    for _ in 0..=cx.component_count("schemas") + 4 {
        if let Some((target, at)) = follow(cx, schema) {
            schema = target;
            here = at.to_string();
            continue;
        }
        // typify makes `()` of a null-only schema, which cannot be written into a path,
        // a query or a header (and would carry nothing).
        if schemas::is_null_schema(schema) {
            return Err(cx.error(
                ptr,
                format!(
                    "{location} parameter `{name}` can only be null; a parameter must carry a value"
                ),
            ));
        }
        if is_object(schema) {
            return Err(cx.error(
                ptr,
                format!(
                    "{location} parameter `{name}` is an object; only scalars and arrays of scalars are supported"
                ),
            ));
        }
        // An array's items are values of the parameter too (`list[int | str]`), and an
        // item that is an object (Letta's `search: list[{field, operator, value} | ...]`)
        // has no spelling in a query string either.
        if schema.get("type").is_some_and(|t| t == "array")
            && let Some(items) = schema.get("items").filter(|i| i.is_object())
        {
            return single_value(cx, &push_pointer(&here, "items"), name, location, items);
        }
        let types: Vec<&Value> = schema
            .get("type")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|t| *t != "null")
            .collect();
        if types.len() > 1 {
            // `type: [integer, string]`: the normalizer spells it as an `anyOf`.
            return several_types(
                cx,
                &push_pointer(&here, "type"),
                name,
                location,
                &schema["type"],
            );
        }
        let mut next = None;
        for key in ["anyOf", "oneOf", "allOf"] {
            let members: Vec<(usize, &Value)> = schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .filter(|(_, m)| !schemas::is_null_schema(m))
                .collect();
            match members.as_slice() {
                [] => {}
                [(i, one)] => {
                    next = Some((
                        push_pointer(&push_pointer(&here, key), &i.to_string()),
                        *one,
                    ))
                }
                _ if key == "allOf" => {
                    return Err(cx.error(
                        &push_pointer(ptr, key),
                        format!(
                            "{location} parameter `{name}` combines several schemas with `allOf`; \
                             a parameter must be one scalar type or a union of scalar types"
                        ),
                    ));
                }
                _ => {
                    if location == "cookie" {
                        return Err(cx.error(
                            &push_pointer(ptr, key),
                            format!(
                                "cookie parameter `{name}` may be of several types; \
                                 a cookie must be of one type (besides null)"
                            ),
                        ));
                    }
                    return several_types(
                        cx,
                        &push_pointer(&here, key),
                        name,
                        location,
                        &schema[key],
                    );
                }
            }
        }
        match next {
            Some((at, member)) => {
                here = at;
                schema = member;
            }
            None => return Ok(()),
        }
    }
    Ok(())
}

/// The schema a local `$ref` names, if `schema` is one, and its pointer.
fn follow<'a>(cx: &Context<'a>, schema: &'a Value) -> Option<(&'a Value, &'a str)> {
    let at = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))?;
    Some((cx.doc.pointer(at)?, at))
}

fn is_object(schema: &Value) -> bool {
    schema.get("type").is_some_and(|t| {
        t == "object"
            || t.as_array()
                .is_some_and(|l| l.iter().any(|t| t == "object"))
    }) || schema.get("properties").is_some()
}

/// The JSON types a member of a parameter of several types may have: each is written
/// into the path, query or header as text.
const SCALARS: [&str; 4] = ["string", "integer", "number", "boolean"];

/// A parameter of several types (the `anyOf`/`oneOf` list or the `type` list `members`, at
/// `ptr`): each member not null must be a scalar, directly or through a `$ref`.
fn several_types<'a>(
    cx: &Context<'a>,
    ptr: &str,
    name: &str,
    location: &str,
    members: &'a Value,
) -> Result<(), Error> {
    let limit = cx.component_count("schemas") + 1;
    for (i, member) in members.as_array().into_iter().flatten().enumerate() {
        let m_ptr = push_pointer(ptr, &i.to_string());
        if member.is_string() {
            if member
                .as_str()
                .is_some_and(|t| !SCALARS.contains(&t) && t != "null")
            {
                return Err(not_scalar(
                    cx,
                    &m_ptr,
                    name,
                    location,
                    &format!("of type {member}"),
                ));
            }
            continue;
        }
        let mut member = member;
        for _ in 0..limit {
            match follow(cx, member) {
                Some((target, _)) => member = target,
                None => break,
            }
        }
        if schemas::is_null_schema(member) {
            continue;
        }
        let what = if is_object(member) {
            Some("an object".to_string())
        } else if let Some(nested) = ["anyOf", "oneOf", "allOf"]
            .into_iter()
            .find(|k| member.get(*k).is_some())
        {
            Some(format!("a union (`{nested}`)"))
        } else {
            match member.get("type") {
                Some(Value::String(t)) if SCALARS.contains(&t.as_str()) => None,
                None if member.get("enum").is_some() || member.get("const").is_some() => None,
                Some(t) => Some(format!("of type {t}")),
                None => Some("of any type".to_string()),
            }
        };
        if let Some(what) = what {
            return Err(not_scalar(cx, &m_ptr, name, location, &what));
        }
    }
    Ok(())
}

fn not_scalar(cx: &Context, ptr: &str, name: &str, location: &str, what: &str) -> Error {
    cx.error(
        ptr,
        format!(
            "{location} parameter `{name}` may be of several types, and this one is {what}; \
             each type of such a parameter must be a string, an integer, a number or a boolean"
        ),
    )
}
