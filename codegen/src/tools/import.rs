//! Bringing an upstream document in: the canonical form of `openapi/connections.json`, and
//! the overrides file that pins Rust names across upstream renames.
//!
//! # Canonical form
//!
//! Pretty JSON with a two-space indent and a trailing newline, every object's keys sorted
//! (by their UTF-8 bytes), arrays left exactly as they are. The same document therefore always
//! gives the same bytes, whatever key order or whitespace upstream used, and a change upstream
//! shows up as a small diff at a predictable place.
//!
//! Which orders carry meaning? In OpenAPI and JSON Schema, only arrays': `enum` (the order of
//! a Rust enum's variants), `allOf`/`anyOf`/`oneOf` (the order serde tries an untagged enum's
//! variants in), `parameters`, `servers` (the first is the default), `required`, `security`,
//! `tags`. Those are never reordered. Object members (`paths`, `properties`, `responses`,
//! `components/schemas`, ...) are maps whose order the specifications leave undefined, and
//! this generator does not depend on it either: typify sorts a model's fields and progenitor a
//! builder's parameters; only the order of methods inside the generated files follows
//! `paths`, and sorting makes that order stable too. (FastAPI's `properties` follow the
//! Pydantic model's declaration order, which Swagger UI shows; the canonical document trades
//! that for immunity to reorderings, which would otherwise show up as diffs that change
//! nothing.)
//!
//! # Overrides
//!
//! `openapi/overrides.json` (beside the document) pins Rust names when upstream renames an
//! operation or a schema without changing the API on the wire:
//!
//! ```json
//! {
//!   "$comment": "why the file exists",
//!   "operations": { "list_connections_connections_get": "get_connections" },
//!   "schemas": { "ConnectionOut": "Connection" }
//! }
//! ```
//!
//! `operations` maps an upstream operationId (or the method name the generator would derive
//! from it) to the method name to keep; `schemas` maps an upstream schema name to the schema
//! name to keep (the Rust type is named after it as usual). They are applied to the
//! *normalized* document, as a step of their own: operationIds, component schema keys and
//! every `$ref` to a renamed schema are rewritten. An entry that matches nothing is reported
//! as a warning, since upstream may have renamed the thing back.
//!
//! `dynamic_filters` maps an operation (upstream operationId or method name) to the
//! `x-dynamic-filters` extension it should carry (`{"fields": [...], "operators": [...]}`),
//! for an operation that takes `field__operator` filters without its document listing them;
//! see [`crate::passes::filters`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::document::METHODS;
use crate::error::{Error, Warning, push_pointer};
use crate::normalize::{Normalized, naming};
use crate::passes::filters;
use crate::rust_names::KEYWORDS;
use crate::{Output, load, normalize, validate};

/// The overrides file's name; it lives beside the document it applies to.
pub const OVERRIDES_FILE: &str = "overrides.json";

/// Names pinned by `openapi/overrides.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Where the overrides came from, for messages.
    pub file: PathBuf,
    /// Upstream operationId (or derived method name) → method name to keep.
    pub operations: BTreeMap<String, String>,
    /// Upstream schema name → schema name to keep.
    pub schemas: BTreeMap<String, String>,
    /// Warnings the maintainer has read and accepted (see [`super::acknowledge`]).
    pub acknowledged: Vec<super::acknowledge::Acknowledgement>,
    /// Upstream operationId (or method name) → the `x-dynamic-filters` to give it, for an
    /// operation whose document does not declare its filters (see `passes::filters`).
    pub dynamic_filters: BTreeMap<String, Value>,
}

impl Overrides {
    /// `overrides.json` beside `document`.
    pub fn path_beside(document: &Path) -> PathBuf {
        document
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join(OVERRIDES_FILE)
    }

    /// Reads an overrides file.
    pub fn load(path: &Path) -> Result<Overrides, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(path, "", format!("cannot read the overrides file: {e}")))?;
        Overrides::parse(path, &text)
    }

    /// Reads the overrides file beside `document`; no file means no overrides.
    pub fn load_beside(document: &Path) -> Result<Overrides, Error> {
        let path = Overrides::path_beside(document);
        if path.exists() {
            Overrides::load(&path)
        } else {
            Ok(Overrides {
                file: path,
                ..Overrides::default()
            })
        }
    }

    /// Parses overrides from JSON text; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Overrides, Error> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            Error::new(
                path,
                "",
                format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        Overrides::from_value(path, &value)
    }

    /// Reads overrides from a JSON value; `path` is used in messages.
    pub fn from_value(path: &Path, value: &Value) -> Result<Overrides, Error> {
        let Some(root) = value.as_object() else {
            return Err(Error::new(
                path,
                "",
                "the overrides file must hold a JSON object",
            ));
        };
        let mut out = Overrides {
            file: path.to_path_buf(),
            ..Overrides::default()
        };
        for (key, section) in root {
            let ptr = push_pointer("", key);
            let target = match key.as_str() {
                "$comment" | "$schema" | "description" => continue,
                "acknowledged" => {
                    out.acknowledged = super::acknowledge::parse(path, section)?;
                    continue;
                }
                "operations" => &mut out.operations,
                "schemas" => &mut out.schemas,
                "dynamic_filters" => {
                    out.dynamic_filters = dynamic_filters_section(path, &ptr, section)?;
                    continue;
                }
                _ => {
                    return Err(Error::new(
                        path,
                        ptr,
                        "unknown key; expected `operations`, `schemas`, `acknowledged`, `dynamic_filters`, `$comment` or `description`",
                    ));
                }
            };
            let Some(entries) = section.as_object() else {
                return Err(Error::new(
                    path,
                    ptr,
                    "must be an object mapping upstream names to the names to keep",
                ));
            };
            for (from, to) in entries {
                if from.starts_with("$comment") {
                    continue;
                }
                let e_ptr = push_pointer(&ptr, from);
                let Some(to) = to.as_str() else {
                    return Err(Error::new(path, e_ptr, "the name to keep must be a string"));
                };
                let problem = if key == "operations" {
                    method_name_problem(to)
                } else {
                    schema_name_problem(to)
                };
                if let Some(problem) = problem {
                    return Err(Error::new(path, e_ptr, format!("{to:?} {problem}")));
                }
                target.insert(from.clone(), to.to_string());
            }
        }
        let mut seen = BTreeMap::new();
        for (from, to) in &out.schemas {
            if let Some(first) = seen.insert(to, from) {
                return Err(Error::new(
                    path,
                    push_pointer("/schemas", from),
                    format!("pins the name `{to}`, which the entry for `{first}` pins too"),
                ));
            }
        }
        Ok(out)
    }

    /// Whether the overrides change nothing.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.schemas.is_empty() && self.dynamic_filters.is_empty()
    }
}

/// `dynamic_filters`: operation → an `x-dynamic-filters` value, checked as the generator
/// reads it and marked as coming from the overrides.
fn dynamic_filters_section(
    path: &Path,
    ptr: &str,
    section: &Value,
) -> Result<BTreeMap<String, Value>, Error> {
    let Some(entries) = section.as_object() else {
        return Err(Error::new(
            path,
            ptr,
            "must be an object mapping operations to their filters ({\"fields\": [...], \"operators\": [...]})",
        ));
    };
    let mut out = BTreeMap::new();
    for (operation, declaration) in entries {
        if operation.starts_with("$comment") {
            continue;
        }
        let e_ptr = push_pointer(ptr, operation);
        filters::parse_extension(declaration)
            .map_err(|(at, message)| Error::new(path, format!("{e_ptr}{at}"), message))?;
        let mut marked = declaration.clone();
        if let Some(object) = marked.as_object_mut() {
            object.insert(
                "$comment".into(),
                Value::String(filters::OVERRIDES_COMMENT.into()),
            );
        }
        out.insert(operation.clone(), marked);
    }
    Ok(out)
}

fn method_name_problem(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    let valid = matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name != "_";
    if !valid {
        Some("is not a snake_case Rust method name")
    } else if naming::RESERVED.contains(&name) {
        Some("is a method the client itself defines")
    } else if KEYWORDS.contains(&name) {
        Some("is a Rust keyword")
    } else {
        None
    }
}

fn schema_name_problem(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    let valid = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    if valid {
        None
    } else {
        Some(
            "is not a schema name (ASCII letters, digits, `_`, `-` and `.`, starting with a letter)",
        )
    }
}

/// Applies `overrides` to `normalized`, the normalized form of `raw` (the document as read,
/// whose operationIds the `operations` entries may name). `warnings` holds the
/// normalizer's: the naming warnings of operations whose name is pinned are withdrawn, and a
/// warning is added for each entry that matches nothing.
pub fn apply_overrides(
    raw: &Value,
    normalized: &mut Value,
    overrides: &Overrides,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    if overrides.is_empty() {
        return Ok(());
    }
    let file = overrides.file.as_path();

    // Operations: find each operation's upstream operationId and its derived method name.
    let mut used = BTreeSet::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new(); // method name → pointer
    let mut renames: Vec<(String, String, String)> = Vec::new(); // (path, verb, new name)
    for (path, item) in normalized
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for verb in METHODS {
            let Some(op) = item.get(verb) else { continue };
            let method = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let upstream = raw
                .pointer(&push_pointer(&push_pointer("/paths", path), verb))
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str);
            let route = format!("{} {path}", verb.to_uppercase());
            let matches: Vec<&String> = overrides
                .operations
                .keys()
                .filter(|k| Some(k.as_str()) == upstream || **k == method || **k == route)
                .collect();
            let op_ptr = push_pointer(&push_pointer("/paths", path), verb);
            let name = match matches.as_slice() {
                [] => method,
                [key] => {
                    used.insert((*key).clone());
                    let name = overrides.operations[*key].clone();
                    // The name is pinned: the normalizer's warning about the name it chose
                    // is no longer news.
                    warnings.retain(|w| {
                        !(w.pointer.starts_with(&format!("{op_ptr}/"))
                            && w.message.contains(naming::PIN_HINT))
                    });
                    renames.push((path.clone(), verb.to_string(), name.clone()));
                    name
                }
                [first, second, ..] => {
                    return Err(Error::new(
                        file,
                        push_pointer("/operations", second),
                        format!(
                            "{op_ptr} is matched by both `{first}` and `{second}`; keep one entry"
                        ),
                    ));
                }
            };
            if let Some(other) = names.insert(name.clone(), op_ptr.clone()) {
                return Err(Error::new(
                    file,
                    "/operations",
                    format!(
                        "after the overrides, {other} and {op_ptr} both have the method name `{name}`"
                    ),
                ));
            }
        }
    }
    for (path, verb, name) in renames {
        if let Some(op) = normalized
            .get_mut("paths")
            .and_then(|p| p.get_mut(&path))
            .and_then(|i| i.get_mut(&verb))
            .and_then(Value::as_object_mut)
        {
            op.insert("operationId".into(), Value::String(name));
        }
    }
    for key in overrides.operations.keys() {
        if !used.contains(key) {
            warnings.push(Warning {
                pointer: "/paths".into(),
                message: format!(
                    "{}: the entry `operations/{key}` matches no operation (by operationId or method name); it has no effect",
                    file.display()
                ),
            });
        }
    }

    // Dynamic filters: declared on the operation as the document could have.
    let mut filters_used = BTreeSet::new();
    for (path, item) in normalized
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        for verb in METHODS {
            let Some(op) = item.get_mut(verb).and_then(Value::as_object_mut) else {
                continue;
            };
            let method = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let upstream = raw
                .pointer(&push_pointer(&push_pointer("/paths", path), verb))
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str);
            let found = overrides
                .dynamic_filters
                .iter()
                .find(|(k, _)| Some(k.as_str()) == upstream || k.as_str() == method);
            if let Some((key, declaration)) = found {
                filters_used.insert(key.clone());
                op.insert(filters::EXTENSION.into(), declaration.clone());
            }
        }
    }
    for key in overrides.dynamic_filters.keys() {
        if !filters_used.contains(key) {
            warnings.push(Warning {
                pointer: "/paths".into(),
                message: format!(
                    "{}: the entry `dynamic_filters/{key}` matches no operation (by operationId or method name); it has no effect",
                    file.display()
                ),
            });
        }
    }

    // Schemas: rename the component keys, then every reference to them.
    let mut refs: BTreeMap<String, String> = BTreeMap::new();
    if let Some(schemas) = normalized
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (from, to) in &overrides.schemas {
            if !schemas.contains_key(from) {
                warnings.push(Warning {
                    pointer: "/components/schemas".into(),
                    message: format!(
                        "{}: the entry `schemas/{from}` matches no schema; it has no effect",
                        file.display()
                    ),
                });
                continue;
            }
            if from != to && schemas.contains_key(to) && !overrides.schemas.contains_key(to) {
                return Err(Error::new(
                    file,
                    push_pointer("/schemas", from),
                    format!(
                        "cannot rename `{from}` to `{to}`: the document has a schema `{to}` too"
                    ),
                ));
            }
            refs.insert(
                format!("#/components/schemas/{from}"),
                format!("#/components/schemas/{to}"),
            );
        }
        let old = std::mem::take(schemas);
        for (name, schema) in old {
            let name = overrides.schemas.get(&name).cloned().unwrap_or(name);
            schemas.insert(name, schema);
        }
    } else {
        for from in overrides.schemas.keys() {
            warnings.push(Warning {
                pointer: "/components/schemas".into(),
                message: format!(
                    "{}: the entry `schemas/{from}` matches no schema; it has no effect",
                    file.display()
                ),
            });
        }
    }
    if !refs.is_empty() {
        rewrite_refs(normalized, &refs);
    }
    Ok(())
}

fn rewrite_refs(value: &mut Value, refs: &BTreeMap<String, String>) {
    match value {
        Value::Object(obj) => {
            for (key, v) in obj.iter_mut() {
                if key == "$ref"
                    && let Some(target) = v.as_str().and_then(|r| refs.get(r))
                {
                    *v = Value::String(target.clone());
                } else {
                    rewrite_refs(v, refs);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, refs)),
        _ => {}
    }
}

/// Normalizes `document` and applies `overrides`: the document exactly as the generator sees
/// it (OpenAPI 3.0.3, operationIds replaced by the method names).
pub fn normalize_with_overrides(
    path: &Path,
    document: Value,
    overrides: &Overrides,
) -> Result<Normalized, Error> {
    let raw = if overrides.is_empty() {
        Value::Null
    } else {
        document.clone()
    };
    validate::validate(path, &document)?;
    let mut normalized = normalize::normalize(path, document)?;
    apply_overrides(
        &raw,
        &mut normalized.document,
        overrides,
        &mut normalized.warnings,
    )?;
    Ok(normalized)
}

/// [`crate::run`] with overrides applied after normalization. With no overrides the output is
/// exactly [`crate::run`]'s.
pub fn run_with_overrides(
    path: &Path,
    source: &str,
    overrides: &Overrides,
) -> Result<Output, Error> {
    let document = load::load(path)?;
    run_value_with_overrides(path, source, document, overrides)
}

/// [`crate::run_on_value`] with overrides applied after normalization.
pub fn run_value_with_overrides(
    path: &Path,
    source: &str,
    document: Value,
    overrides: &Overrides,
) -> Result<Output, Error> {
    let normalized = normalize_with_overrides(path, document, overrides)?;
    crate::run_on_normalized(path, source, normalized)
}

/// What the project generates from the document at `path`: the pipeline with the
/// `overrides.json` beside the document, if there is one. This is what `cargo xtask regen`
/// and `cargo xtask check` run.
pub fn run_project(path: &Path, source: &str) -> Result<Output, Error> {
    let overrides = Overrides::load_beside(path)?;
    run_with_overrides(path, source, &overrides)
}

/// The canonical form of a JSON value: every object's keys sorted, arrays untouched.
pub fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(obj) => {
            let mut keys: Vec<&String> = obj.keys().collect();
            keys.sort();
            let mut out = Map::with_capacity(obj.len());
            for key in keys {
                out.insert(key.clone(), sort_keys(&obj[key]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// The canonical text of a document (see the module documentation).
pub fn canonical_text(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sort_keys(document))
        .expect("a serde_json::Value always serializes");
    text.push('\n');
    text
}

/// A document in canonical form.
#[derive(Debug, Clone)]
pub struct Canonical {
    /// The document, keys sorted.
    pub document: Value,
    /// Its canonical text.
    pub text: String,
}

/// Reads document text (`input` names it in messages) and puts it in canonical form. The text
/// must be an OpenAPI 3.0.x or 3.1.x document (JSON, or YAML); the check is the normalizer's.
pub fn canonicalize(input: &Path, text: &str) -> Result<Canonical, Error> {
    let document = load::parse(input, text)?;
    // The checks of the version and the required fields, with their pointers.
    validate::validate(input, &document)?;
    normalize::normalize(input, document.clone())?;
    let document = sort_keys(&document);
    let text = canonical_text(&document);
    Ok(Canonical { document, text })
}

/// The outcome of [`import`].
#[derive(Debug, Clone)]
pub struct Imported {
    /// Whether the document on disk changed.
    pub changed: bool,
    /// The pipeline's output for the imported document, overrides applied.
    pub output: Output,
}

/// Imports the document `text` (read from `input`, which names it in messages) as the
/// document at `document` (`source` is how generated files name it): canonical form, checked
/// by running the whole pipeline with the overrides beside `document`. The file is written
/// only when the new document generates, and only if its bytes change; the write goes through
/// a temporary file and a rename, so a failure never leaves half a document behind.
///
/// Writing the generated files is the caller's business (`cargo xtask import` runs `regen`).
pub fn import(input: &Path, text: &str, document: &Path, source: &str) -> Result<Imported, Error> {
    let canonical = canonicalize(input, text)?;
    let overrides = Overrides::load_beside(document)?;
    let output = run_value_with_overrides(input, source, canonical.document, &overrides)?;
    let current = std::fs::read(document).ok();
    let changed = current.as_deref() != Some(canonical.text.as_bytes());
    if changed {
        write_atomically(document, canonical.text.as_bytes())?;
    }
    Ok(Imported { changed, output })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let fail = |what: &str, e: std::io::Error| Error::new(path, "", format!("cannot {what}: {e}"));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail("create its directory", e))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".import-{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| fail("write the new document", e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail("replace the document", e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_arrays_kept() {
        let doc = json!({"b": {"z": 1, "a": [3, 1, {"y": 0, "x": 0}]}, "a": null});
        assert_eq!(
            canonical_text(&doc),
            "{\n  \"a\": null,\n  \"b\": {\n    \"a\": [\n      3,\n      1,\n      {\n        \"x\": 0,\n        \"y\": 0\n      }\n    ],\n    \"z\": 1\n  }\n}\n"
        );
    }

    #[test]
    fn overrides_reject_bad_names_with_pointers() {
        let file = Path::new("overrides.json");
        let err = Overrides::from_value(file, &json!({"operations": {"x_get": "Not-Snake"}}))
            .unwrap_err();
        assert_eq!(err.pointer, "/operations/x_get");
        let err = Overrides::from_value(file, &json!({"operation": {}})).unwrap_err();
        assert_eq!(err.pointer, "/operation");
        let err = Overrides::from_value(file, &json!({"operations": {"a": "new"}})).unwrap_err();
        assert!(err.message.contains("client itself"), "{err}");
        let ok = Overrides::from_value(
            file,
            &json!({"$comment": "x", "operations": {"a_get": "b"}, "schemas": {"X": "Y"}}),
        )
        .unwrap();
        assert_eq!(ok.operations["a_get"], "b");
        assert_eq!(ok.schemas["X"], "Y");
    }

    #[test]
    fn overrides_rename_operations_schemas_and_references() {
        let raw = json!({
            "paths": {"/things": {"get": {"operationId": "list_things_things_get"}}},
            "components": {"schemas": {
                "ThingOut": {"type": "object"},
                "Page": {"properties": {"items": {"items": {"$ref": "#/components/schemas/ThingOut"}}}}
            }}
        });
        let mut normalized = raw.clone();
        normalized["paths"]["/things"]["get"]["operationId"] = json!("list_things");
        let overrides = Overrides {
            file: "overrides.json".into(),
            operations: [(
                "list_things_things_get".to_string(),
                "get_things".to_string(),
            )]
            .into(),
            schemas: [
                ("ThingOut".to_string(), "Thing".to_string()),
                ("Gone".to_string(), "Old".to_string()),
            ]
            .into(),
            ..Overrides::default()
        };
        let mut warnings = Vec::new();
        apply_overrides(&raw, &mut normalized, &overrides, &mut warnings).unwrap();
        assert_eq!(
            normalized["paths"]["/things"]["get"]["operationId"],
            "get_things"
        );
        let schemas = normalized["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("Thing") && !schemas.contains_key("ThingOut"));
        assert_eq!(
            normalized["components"]["schemas"]["Page"]["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/Thing"
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("schemas/Gone"));
    }
}
