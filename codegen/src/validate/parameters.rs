//! Parameters: each one well-formed, path parameters declared and used, and one builder
//! method per name.

use std::collections::{BTreeMap, BTreeSet};

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
            single_value(cx, &s_ptr, name, location, schema)?;
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

/// A parameter travels as text in a path, a query string or a header: progenitor reaches
/// `unreachable!` on one whose type typify makes a struct of (an object, or an `anyOf` of
/// several non-null alternatives, which typify renders as a struct of optional members),
/// and there is no standard way to spell one anyway.
fn single_value(
    cx: &Context,
    ptr: &str,
    name: &str,
    location: &str,
    schema: &Value,
) -> Result<(), Error> {
    let mut schema = schema;
    for _ in 0..=cx.component_count("schemas") + 4 {
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|t| cx.doc.pointer(t))
        {
            schema = target;
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
        let is_object = schema.get("type").is_some_and(|t| {
            t == "object"
                || t.as_array()
                    .is_some_and(|l| l.iter().any(|t| t == "object"))
        }) || schema.get("properties").is_some();
        if is_object {
            return Err(cx.error(
                ptr,
                format!(
                    "{location} parameter `{name}` is an object; only scalars and arrays of scalars are supported"
                ),
            ));
        }
        let several_types = schema
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().filter(|t| *t != "null").count() > 1);
        let mut next = None;
        for key in ["anyOf", "oneOf", "allOf"] {
            let members: Vec<&Value> = schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|m| !schemas::is_null_schema(m))
                .collect();
            match members.as_slice() {
                [] => {}
                [one] => next = Some(*one),
                _ => {
                    return Err(cx.error(
                        &push_pointer(ptr, key),
                        format!(
                            "{location} parameter `{name}` may be of several types; \
                             only one type (besides null) is supported"
                        ),
                    ));
                }
            }
        }
        if several_types {
            return Err(cx.error(
                &push_pointer(ptr, "type"),
                format!(
                    "{location} parameter `{name}` may be of several types; \
                     only one type (besides null) is supported"
                ),
            ));
        }
        match next {
            Some(member) => schema = member,
            None => return Ok(()),
        }
    }
    Ok(())
}
