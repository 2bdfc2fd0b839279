//! The public API of a crate, read from rustdoc's JSON output, and the changes between two
//! of them, classified by what they do to code that uses the crate.
//!
//! This is a small cousin of cargo-semver-checks (which is not assumed to be installed): it
//! walks the crate's public items from the root module, following `pub use` re-exports,
//! and gives every public path an [`Entry`] with a rendered signature. Two maps are then
//! compared path by path:
//!
//! - a path that disappears is **breaking**;
//! - a changed signature is **breaking**, as is a type that gains `#[non_exhaustive]` or a
//!   private field, a trait method that loses its default, and a request-builder setter
//!   that becomes required;
//! - a new path is **compatible**, except where it breaks code that names every member: a
//!   field added to a struct users can build with a literal (no `#[non_exhaustive]`, no
//!   private fields), a variant added to an enum without `#[non_exhaustive]`, a method
//!   without a default added to a trait, and a setter of a request builder (`builder::*`)
//!   documented as `Required`, which code that never calls it still compiles against but
//!   fails with when the request is sent (progenitor's builders check required values at
//!   `send()`, not in the type system).
//!
//! Paths are given without the crate's name: `Client::get_thing`, `types::Thing::id`,
//! `types::Thing: Clone` for a trait implementation.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use stackai_codegen::tools::spec_diff::Class;

/// One public item, at one of its paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// `struct`, `field`, `enum`, `variant`, `method`, `fn`, `trait`, `impl`, `mod`, ...
    pub kind: &'static str,
    /// What users depend on, rendered: a function's signature, a field's type, ...
    pub signature: String,
    /// The path of the item this one belongs to (a field's struct, a method's type).
    pub parent: Option<String>,
    /// `#[non_exhaustive]` (structs, enums, variants).
    pub non_exhaustive: bool,
    /// Users can name every member: a struct literal or an exhaustive `match` compiles. A
    /// struct or variant without private fields and `#[non_exhaustive]`, an enum without
    /// `#[non_exhaustive]`, any trait (implementors write every required method).
    pub closed: bool,
    /// A trait method with a default body.
    pub provided: bool,
    /// A method documented as `Required` (the generator's setters say so).
    pub required: bool,
    /// Hand-written (the runtime), not generated: its source is outside `generated_sdk/`.
    /// Not part of the API: an item that moves between the two is not a change.
    pub runtime: bool,
}

impl Entry {
    /// The same promise to users, wherever its source lives.
    fn same(&self, other: &Entry) -> bool {
        Entry {
            runtime: other.runtime,
            ..self.clone()
        } == *other
    }
}

/// Every public path of a crate.
pub(crate) type Api = BTreeMap<String, Entry>;

/// What happened to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum What {
    Removed,
    Changed,
    Added,
}

/// One change of the public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiChange {
    /// [`Class::Breaking`] or [`Class::Compatible`]; the compiled API has no "possibly".
    pub class: Class,
    pub what: What,
    pub path: String,
    pub kind: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
    /// Why it is breaking, when it is.
    pub why: Option<String>,
    /// A change of the hand-written runtime rather than of the generated code.
    pub runtime: bool,
}

/// Reads rustdoc's JSON (`--output-format json`) into the crate's public API.
pub(crate) fn read(doc: &Value) -> Result<Api, String> {
    let index = doc
        .get("index")
        .and_then(Value::as_object)
        .ok_or("not rustdoc JSON: no `index`")?;
    let root = doc.get("root").ok_or("not rustdoc JSON: no `root`")?;
    let mut walker = Walker {
        index,
        api: Api::new(),
        modules: Vec::new(),
        runtime: false,
    };
    walker.module(&id_key(root), "");
    Ok(walker.api)
}

fn id_key(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct Walker<'a> {
    index: &'a serde_json::Map<String, Value>,
    api: Api,
    /// The modules being walked, against cycles of glob re-exports.
    modules: Vec<String>,
    /// Whether the item being visited is the runtime's (see [`Entry::runtime`]).
    runtime: bool,
}

/// Whether an item's source is hand-written: anywhere but `generated_sdk/`.
fn is_runtime(item: &Value) -> bool {
    item["span"]["filename"]
        .as_str()
        .is_some_and(|f| !f.contains("generated_sdk"))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}::{name}")
    }
}

fn inner(item: &Value) -> Option<(&str, &Value)> {
    item.get("inner")?
        .as_object()?
        .iter()
        .next()
        .map(|(k, v)| (k.as_str(), v))
}

fn has_attr(item: &Value, name: &str) -> bool {
    item.get("attrs")
        .and_then(Value::as_array)
        .is_some_and(|attrs| attrs.iter().any(|a| a.to_string().contains(name)))
}

fn documented_required(item: &Value) -> bool {
    item.get("docs")
        .and_then(Value::as_str)
        .is_some_and(|d| d.lines().any(|l| l.trim_start().starts_with("Required")))
}

impl Walker<'_> {
    fn item(&self, id: &str) -> Option<&Value> {
        self.index.get(id)
    }

    fn insert(&mut self, path: String, mut entry: Entry) {
        entry.runtime = self.runtime;
        self.api.entry(path).or_insert(entry);
    }

    fn plain(kind: &'static str, signature: String, parent: Option<&str>) -> Entry {
        Entry {
            kind,
            signature,
            parent: parent.map(str::to_string),
            non_exhaustive: false,
            closed: false,
            provided: false,
            required: false,
            runtime: false,
        }
    }

    /// The public items of a module, at `prefix`.
    fn module(&mut self, id: &str, prefix: &str) {
        if self.modules.iter().any(|m| m == id) {
            return;
        }
        let Some(items) = self
            .item(id)
            .and_then(inner)
            .and_then(|(_, m)| m.get("items"))
            .and_then(Value::as_array)
            .cloned()
        else {
            return;
        };
        self.modules.push(id.to_string());
        for child in items {
            let child = id_key(&child);
            let Some(item) = self.item(&child).cloned() else {
                continue;
            };
            if item.get("visibility").and_then(Value::as_str) != Some("public") {
                continue;
            }
            match inner(&item) {
                Some(("use", u)) => self.reexport(u, prefix),
                Some(("impl", _)) => {}
                _ => {
                    if let Some(name) = item.get("name").and_then(Value::as_str) {
                        self.visit(&child, &item, &join(prefix, name));
                    }
                }
            }
        }
        self.modules.pop();
    }

    fn reexport(&mut self, u: &Value, prefix: &str) {
        let target = u.get("id").filter(|v| !v.is_null()).map(id_key);
        let local = target.as_deref().and_then(|t| self.item(t).cloned());
        let glob = u.get("is_glob").and_then(Value::as_bool) == Some(true);
        let source = u.get("source").and_then(Value::as_str).unwrap_or("?");
        match (glob, local, target) {
            (true, Some(item), Some(target)) => {
                if matches!(inner(&item), Some(("module", _))) {
                    self.module(&target, prefix);
                }
                // A glob of an enum's variants adds no path of the crate's own.
            }
            (false, Some(item), Some(target)) => {
                let name = u.get("name").and_then(Value::as_str).unwrap_or(source);
                self.visit(&target, &item, &join(prefix, name));
            }
            (_, _, _) => {
                let name = u.get("name").and_then(Value::as_str).unwrap_or(source);
                let path = if glob {
                    join(prefix, &format!("{source}::*"))
                } else {
                    join(prefix, name)
                };
                self.insert(
                    path,
                    Self::plain("re-export", format!("pub use {source}"), None),
                );
            }
        }
    }

    fn visit(&mut self, id: &str, item: &Value, path: &str) {
        let Some((kind, body)) = inner(item) else {
            return;
        };
        self.runtime = is_runtime(item);
        let non_exhaustive = has_attr(item, "non_exhaustive");
        match kind {
            "module" => {
                self.insert(path.to_string(), Self::plain("mod", String::new(), None));
                self.module(id, path);
            }
            "struct" | "union" => self.structure(kind, body, path, non_exhaustive),
            "enum" => self.enumeration(body, path, non_exhaustive),
            "function" => {
                let name = item.get("name").and_then(Value::as_str).unwrap_or("");
                self.insert(
                    path.to_string(),
                    Self::plain("fn", function(name, body), None),
                );
            }
            "trait" => self.trait_(body, path),
            "type_alias" => {
                let signature = format!(
                    "type{} = {}",
                    generics(&body["generics"]),
                    ty(&body["type"])
                );
                self.insert(path.to_string(), Self::plain("type", signature, None));
            }
            "constant" => {
                let signature = format!("const: {}", ty(&body["type"]));
                self.insert(path.to_string(), Self::plain("const", signature, None));
            }
            "static" => {
                let mutable = if body["is_mutable"] == Value::Bool(true) {
                    "mut "
                } else {
                    ""
                };
                let signature = format!("static {mutable}: {}", ty(&body["type"]));
                self.insert(path.to_string(), Self::plain("static", signature, None));
            }
            "macro" | "proc_macro" => {
                self.insert(
                    format!("{path}!"),
                    Self::plain("macro", String::new(), None),
                );
            }
            other => {
                let kind = match other {
                    "trait_alias" => "trait alias",
                    "primitive" => "primitive",
                    _ => "item",
                };
                self.insert(path.to_string(), Self::plain(kind, String::new(), None));
            }
        }
    }

    fn field_entries(&mut self, ids: &[Value], parent: &str) -> (Vec<String>, bool) {
        let mut tuple = Vec::new();
        let mut stripped = false;
        for (position, id) in ids.iter().enumerate() {
            if id.is_null() {
                stripped = true;
                tuple.push("_".to_string());
                continue;
            }
            let Some(field) = self.item(&id_key(id)).cloned() else {
                stripped = true;
                continue;
            };
            if field.get("visibility").and_then(Value::as_str) == Some("public")
                || field.get("visibility").and_then(Value::as_str) == Some("default")
            {
                let Some(("struct_field", t)) = inner(&field) else {
                    continue;
                };
                let name = field
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| position.to_string(), str::to_string);
                tuple.push(ty(t));
                self.insert(
                    format!("{parent}::{name}"),
                    Self::plain("field", ty(t), Some(parent)),
                );
            } else {
                stripped = true;
                tuple.push("_".to_string());
            }
        }
        (tuple, stripped)
    }

    fn structure(&mut self, kind: &str, body: &Value, path: &str, non_exhaustive: bool) {
        let generics = generics(&body["generics"]);
        let (shape, stripped) = match inner_kind(&body["kind"]) {
            ("plain", fields) => {
                let ids = fields["fields"].as_array().cloned().unwrap_or_default();
                let (_, stripped) = self.field_entries(&ids, path);
                let hidden = fields["has_stripped_fields"] == Value::Bool(true);
                ("{ .. }".to_string(), stripped || hidden)
            }
            ("tuple", fields) => {
                let ids = fields.as_array().cloned().unwrap_or_default();
                let (types, stripped) = self.field_entries(&ids, path);
                (format!("({})", types.join(", ")), stripped)
            }
            _ => (";".to_string(), false),
        };
        let keyword = if kind == "union" { "union" } else { "struct" };
        self.insert(
            path.to_string(),
            Entry {
                non_exhaustive,
                closed: !non_exhaustive && !stripped,
                ..Self::plain(keyword, format!("{keyword}{generics} {shape}"), None)
            },
        );
        self.impls(&body["impls"], path);
    }

    fn enumeration(&mut self, body: &Value, path: &str, non_exhaustive: bool) {
        let stripped = body["has_stripped_variants"] == Value::Bool(true);
        self.insert(
            path.to_string(),
            Entry {
                non_exhaustive,
                closed: !non_exhaustive && !stripped,
                ..Self::plain("enum", format!("enum{}", generics(&body["generics"])), None)
            },
        );
        for id in body["variants"].as_array().cloned().unwrap_or_default() {
            let Some(variant) = self.item(&id_key(&id)).cloned() else {
                continue;
            };
            let Some(name) = variant.get("name").and_then(Value::as_str) else {
                continue;
            };
            let Some(("variant", v)) = inner(&variant) else {
                continue;
            };
            let variant_path = format!("{path}::{name}");
            let variant_non_exhaustive = has_attr(&variant, "non_exhaustive");
            let (shape, stripped) = match inner_kind(&v["kind"]) {
                ("tuple", fields) => {
                    let ids = fields.as_array().cloned().unwrap_or_default();
                    let (types, stripped) = self.field_entries(&ids, &variant_path);
                    (format!("({})", types.join(", ")), stripped)
                }
                ("struct", fields) => {
                    let ids = fields["fields"].as_array().cloned().unwrap_or_default();
                    let (_, stripped) = self.field_entries(&ids, &variant_path);
                    let hidden = fields["has_stripped_fields"] == Value::Bool(true);
                    ("{ .. }".to_string(), stripped || hidden)
                }
                _ => (String::new(), false),
            };
            self.insert(
                variant_path,
                Entry {
                    non_exhaustive: variant_non_exhaustive,
                    closed: !variant_non_exhaustive && !stripped,
                    ..Self::plain("variant", format!("{name}{shape}"), Some(path))
                },
            );
        }
        self.impls(&body["impls"], path);
    }

    fn trait_(&mut self, body: &Value, path: &str) {
        let mut signature = String::new();
        if body["is_unsafe"] == Value::Bool(true) {
            signature.push_str("unsafe ");
        }
        if body["is_auto"] == Value::Bool(true) {
            signature.push_str("auto ");
        }
        signature.push_str("trait");
        signature.push_str(&generics(&body["generics"]));
        let supertraits = bounds(&body["bounds"]);
        if !supertraits.is_empty() {
            signature.push_str(": ");
            signature.push_str(&supertraits);
        }
        self.insert(
            path.to_string(),
            Entry {
                closed: true,
                ..Self::plain("trait", signature, None)
            },
        );
        for id in body["items"].as_array().cloned().unwrap_or_default() {
            let Some(item) = self.item(&id_key(&id)).cloned() else {
                continue;
            };
            let Some(name) = item.get("name").and_then(Value::as_str) else {
                continue;
            };
            let (kind, signature, provided) = match inner(&item) {
                Some(("function", f)) => (
                    "trait method",
                    function(name, f),
                    f["has_body"] == Value::Bool(true),
                ),
                Some(("assoc_type", t)) => (
                    "associated type",
                    format!("type{}: {}", generics(&t["generics"]), bounds(&t["bounds"])),
                    !t["type"].is_null(),
                ),
                Some(("assoc_const", c)) => (
                    "associated const",
                    format!("const: {}", ty(&c["type"])),
                    !c["value"].is_null(),
                ),
                _ => continue,
            };
            self.insert(
                format!("{path}::{name}"),
                Entry {
                    provided,
                    ..Self::plain(kind, signature, Some(path))
                },
            );
        }
    }

    /// A type's inherent methods and associated items, and the traits it implements.
    fn impls(&mut self, ids: &Value, path: &str) {
        for id in ids.as_array().cloned().unwrap_or_default() {
            let Some(item) = self.item(&id_key(&id)).cloned() else {
                continue;
            };
            let Some(("impl", imp)) = inner(&item) else {
                continue;
            };
            // A generated type's methods may be written by hand in the runtime, and the
            // reverse: each impl block says whose it is.
            self.runtime = is_runtime(&item);
            if !imp["blanket_impl"].is_null() {
                // `impl<T> Any for T` and the like: std's, not the crate's promise.
                continue;
            }
            if !imp["trait"].is_null() {
                let negative = if imp["is_negative"] == Value::Bool(true) {
                    "!"
                } else {
                    ""
                };
                let name = format!("{negative}{}", path_of(&imp["trait"]));
                let signature = format!(
                    "impl{} {name} for {}",
                    generics(&imp["generics"]),
                    ty(&imp["for"])
                );
                self.insert(
                    format!("{path}: {name}"),
                    Self::plain("impl", signature, Some(path)),
                );
                continue;
            }
            for member in imp["items"].as_array().cloned().unwrap_or_default() {
                let Some(m) = self.item(&id_key(&member)).cloned() else {
                    continue;
                };
                if m.get("visibility").and_then(Value::as_str) != Some("public") {
                    continue;
                }
                let Some(name) = m.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let (kind, signature) = match inner(&m) {
                    Some(("function", f)) => ("method", function(name, f)),
                    Some(("assoc_const", c)) => {
                        ("associated const", format!("const: {}", ty(&c["type"])))
                    }
                    Some(("assoc_type", t)) => ("associated type", ty(&t["type"])),
                    _ => continue,
                };
                let mut entry = Self::plain(kind, signature, Some(path));
                entry.required = kind == "method" && documented_required(&m);
                self.insert(format!("{path}::{name}"), entry);
            }
        }
    }
}

/// `("plain", {...})` from `{"plain": {...}}`; a bare string (`"unit"`) gives `("unit", null)`.
fn inner_kind(value: &Value) -> (&str, &Value) {
    static NULL: Value = Value::Null;
    match value {
        Value::String(s) => (s.as_str(), &NULL),
        Value::Object(map) => map
            .iter()
            .next()
            .map_or(("", &NULL), |(k, v)| (k.as_str(), v)),
        _ => ("", &NULL),
    }
}

/// A function's signature: qualifiers, generics, argument types, return type.
fn function(name: &str, f: &Value) -> String {
    let header = &f["header"];
    let mut out = String::new();
    for (flag, word) in [
        ("is_const", "const "),
        ("is_async", "async "),
        ("is_unsafe", "unsafe "),
    ] {
        if header[flag] == Value::Bool(true) {
            out.push_str(word);
        }
    }
    let sig = &f["sig"];
    let inputs: Vec<String> = sig["inputs"]
        .as_array()
        .map(|inputs| {
            inputs
                .iter()
                .map(|pair| {
                    let (name, t) = (pair[0].as_str().unwrap_or(""), &pair[1]);
                    let t = ty(t);
                    if name == "self" {
                        match t.as_str() {
                            "Self" => "self".to_string(),
                            "&Self" => "&self".to_string(),
                            "&mut Self" => "&mut self".to_string(),
                            _ => format!("self: {t}"),
                        }
                    } else {
                        t
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let (params, clauses) = generics_parts(&f["generics"]);
    out.push_str(&format!("fn {name}{params}({})", inputs.join(", ")));
    if !sig["output"].is_null() {
        out.push_str(" -> ");
        out.push_str(&ty(&sig["output"]));
    }
    out.push_str(&clauses);
    out
}

fn generics(g: &Value) -> String {
    let (params, clauses) = generics_parts(g);
    format!("{params}{clauses}")
}

/// `<'a, T: Bound>` and ` where ...`, from rustdoc's generics.
fn generics_parts(g: &Value) -> (String, String) {
    let params: Vec<String> = g["params"]
        .as_array()
        .map(|params| {
            params
                .iter()
                .filter_map(|p| {
                    let name = p["name"].as_str().unwrap_or("");
                    match inner_kind(&p["kind"]) {
                        ("lifetime", l) => {
                            let outlives: Vec<&str> = l["outlives"]
                                .as_array()
                                .map(|o| o.iter().filter_map(Value::as_str).collect())
                                .unwrap_or_default();
                            Some(if outlives.is_empty() {
                                name.to_string()
                            } else {
                                format!("{name}: {}", outlives.join(" + "))
                            })
                        }
                        ("type", t) if t["is_synthetic"] == Value::Bool(true) => None,
                        ("type", t) => {
                            let b = bounds(&t["bounds"]);
                            let mut s = name.to_string();
                            if !b.is_empty() {
                                s.push_str(&format!(": {b}"));
                            }
                            if !t["default"].is_null() {
                                s.push_str(&format!(" = {}", ty(&t["default"])));
                            }
                            Some(s)
                        }
                        ("const", c) => Some(format!("const {name}: {}", ty(&c["type"]))),
                        _ => Some(name.to_string()),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let clauses: Vec<String> = g["where_predicates"]
        .as_array()
        .map(|preds| {
            preds
                .iter()
                .map(|p| match inner_kind(p) {
                    ("bound_predicate", b) => {
                        format!("{}: {}", ty(&b["type"]), bounds(&b["bounds"]))
                    }
                    ("lifetime_predicate", l) => format!(
                        "{}: {}",
                        l["lifetime"].as_str().unwrap_or(""),
                        l["outlives"]
                            .as_array()
                            .map(|o| o
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(" + "))
                            .unwrap_or_default()
                    ),
                    ("eq_predicate", e) => {
                        format!("{} = {}", ty(&e["lhs"]), term(&e["rhs"]))
                    }
                    _ => p.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let params = if params.is_empty() {
        String::new()
    } else {
        format!("<{}>", params.join(", "))
    };
    let clauses = if clauses.is_empty() {
        String::new()
    } else {
        format!(" where {}", clauses.join(", "))
    };
    (params, clauses)
}

fn term(t: &Value) -> String {
    match inner_kind(t) {
        ("type", t) => ty(t),
        ("constant", c) => c["expr"].as_str().unwrap_or("_").to_string(),
        _ => t.to_string(),
    }
}

fn bounds(list: &Value) -> String {
    list.as_array()
        .map(|bounds| {
            bounds
                .iter()
                .map(|b| match inner_kind(b) {
                    ("trait_bound", t) => {
                        let modifier = match t["modifier"].as_str() {
                            Some("maybe") => "?",
                            Some("maybe_const") => "~const ",
                            _ => "",
                        };
                        format!("{modifier}{}", path_of(&t["trait"]))
                    }
                    ("outlives", l) => l.as_str().unwrap_or("").to_string(),
                    ("use", _) => "use<..>".to_string(),
                    _ => b.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .unwrap_or_default()
}

/// A path's last segment and its generic arguments: `Option<String>`, however it was
/// spelled (`::std::option::Option<...>` or `Option<...>`).
fn path_of(p: &Value) -> String {
    let full = p["path"].as_str().unwrap_or("?");
    let last = full.rsplit("::").next().unwrap_or(full);
    format!("{last}{}", generic_args(&p["args"]))
}

fn generic_args(args: &Value) -> String {
    match inner_kind(args) {
        ("angle_bracketed", a) => {
            let mut parts: Vec<String> = a["args"]
                .as_array()
                .map(|args| {
                    args.iter()
                        .map(|arg| match inner_kind(arg) {
                            ("lifetime", l) => l.as_str().unwrap_or("'_").to_string(),
                            ("type", t) => ty(t),
                            ("const", c) => c["expr"].as_str().unwrap_or("_").to_string(),
                            _ => "_".to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            for c in a["constraints"].as_array().into_iter().flatten() {
                let name = format!(
                    "{}{}",
                    c["name"].as_str().unwrap_or("?"),
                    generic_args(&c["args"])
                );
                parts.push(match inner_kind(&c["binding"]) {
                    ("equality", t) => format!("{name} = {}", term(t)),
                    ("constraint", b) => format!("{name}: {}", bounds(b)),
                    _ => name,
                });
            }
            if parts.is_empty() {
                String::new()
            } else {
                format!("<{}>", parts.join(", "))
            }
        }
        ("parenthesized", p) => {
            let inputs: Vec<String> = p["inputs"]
                .as_array()
                .map(|i| i.iter().map(ty).collect())
                .unwrap_or_default();
            let output = if p["output"].is_null() {
                String::new()
            } else {
                format!(" -> {}", ty(&p["output"]))
            };
            format!("({}){output}", inputs.join(", "))
        }
        _ => String::new(),
    }
}

/// A type as Rust spells it, paths shortened to their last segment.
fn ty(t: &Value) -> String {
    match inner_kind(t) {
        ("resolved_path", p) => path_of(p),
        ("generic", g) | ("primitive", g) => g.as_str().unwrap_or("?").to_string(),
        ("borrowed_ref", r) => {
            let lifetime = r["lifetime"]
                .as_str()
                .map(|l| format!("{l} "))
                .unwrap_or_default();
            let mutable = if r["is_mutable"] == Value::Bool(true) {
                "mut "
            } else {
                ""
            };
            format!("&{lifetime}{mutable}{}", ty(&r["type"]))
        }
        ("raw_pointer", r) => {
            let mutable = if r["is_mutable"] == Value::Bool(true) {
                "mut"
            } else {
                "const"
            };
            format!("*{mutable} {}", ty(&r["type"]))
        }
        ("tuple", items) => {
            let items: Vec<String> = items
                .as_array()
                .map(|i| i.iter().map(ty).collect())
                .unwrap_or_default();
            format!("({})", items.join(", "))
        }
        ("slice", inner) => format!("[{}]", ty(inner)),
        ("array", a) => format!("[{}; {}]", ty(&a["type"]), a["len"].as_str().unwrap_or("_")),
        ("pat", p) => ty(&p["type"]),
        ("impl_trait", b) => format!("impl {}", bounds(b)),
        ("dyn_trait", d) => {
            let mut parts: Vec<String> = d["traits"]
                .as_array()
                .map(|traits| traits.iter().map(|t| path_of(&t["trait"])).collect())
                .unwrap_or_default();
            if let Some(l) = d["lifetime"].as_str() {
                parts.push(l.to_string());
            }
            format!("dyn {}", parts.join(" + "))
        }
        ("function_pointer", f) => {
            let inputs: Vec<String> = f["sig"]["inputs"]
                .as_array()
                .map(|i| i.iter().map(|pair| ty(&pair[1])).collect())
                .unwrap_or_default();
            let output = if f["sig"]["output"].is_null() {
                String::new()
            } else {
                format!(" -> {}", ty(&f["sig"]["output"]))
            };
            format!("fn({}){output}", inputs.join(", "))
        }
        ("qualified_path", q) => {
            let name = q["name"].as_str().unwrap_or("?");
            // `T::Error` has a trait rustdoc leaves unnamed.
            if q["trait"].is_null() || q["trait"]["path"].as_str().is_none_or(str::is_empty) {
                format!("{}::{name}", ty(&q["self_type"]))
            } else {
                format!(
                    "<{} as {}>::{name}",
                    ty(&q["self_type"]),
                    path_of(&q["trait"])
                )
            }
        }
        ("infer", _) => "_".to_string(),
        _ => t.to_string(),
    }
}

/// The changes from `old` to `new`, removals first. Members of an item that is itself
/// added or removed are not listed again.
pub(crate) fn compare(old: &Api, new: &Api) -> Vec<ApiChange> {
    let mut changes = Vec::new();
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let parent_gone =
        |entry: &Entry, map: &Api| entry.parent.as_ref().is_some_and(|p| !map.contains_key(p));
    for path in paths {
        match (old.get(path), new.get(path)) {
            (Some(o), None) => {
                if parent_gone(o, new) {
                    continue;
                }
                changes.push(ApiChange {
                    class: Class::Breaking,
                    what: What::Removed,
                    path: path.clone(),
                    kind: o.kind,
                    old: Some(o.signature.clone()),
                    new: None,
                    why: Some("code that uses it no longer compiles".to_string()),
                    runtime: o.runtime,
                });
            }
            (None, Some(n)) => {
                if parent_gone(n, old) {
                    continue;
                }
                let parent = n.parent.as_ref().and_then(|p| old.get(p).map(|e| (p, e)));
                let why = added_breaks(n, parent, path);
                changes.push(ApiChange {
                    class: if why.is_some() {
                        Class::Breaking
                    } else {
                        Class::Compatible
                    },
                    what: What::Added,
                    path: path.clone(),
                    kind: n.kind,
                    old: None,
                    new: Some(n.signature.clone()),
                    why,
                    runtime: n.runtime,
                });
            }
            (Some(o), Some(n)) if !o.same(n) => {
                let why = changed_breaks(o, n);
                changes.push(ApiChange {
                    class: if why.is_some() {
                        Class::Breaking
                    } else {
                        Class::Compatible
                    },
                    what: What::Changed,
                    path: path.clone(),
                    kind: n.kind,
                    old: Some(describe(o)),
                    new: Some(describe(n)),
                    why,
                    runtime: n.runtime,
                });
            }
            _ => {}
        }
    }
    changes.sort_by_key(|c| (c.class, c.what));
    changes
}

/// Why adding `entry` to an item that existed before breaks users, if it does.
fn added_breaks(entry: &Entry, parent: Option<(&String, &Entry)>, path: &str) -> Option<String> {
    let (parent_path, parent) = parent?;
    match (entry.kind, parent.kind) {
        ("field", "struct") if parent.closed => Some(format!(
            "`{parent_path}` has no `#[non_exhaustive]` and no private fields: struct literals and patterns that name every field no longer compile"
        )),
        ("field", "variant") if parent.closed => Some(format!(
            "`{parent_path}` has no `#[non_exhaustive]`: variant literals and patterns that name every field no longer compile"
        )),
        ("variant", "enum") if parent.closed => Some(format!(
            "`{parent_path}` has no `#[non_exhaustive]`: exhaustive `match`es no longer compile"
        )),
        ("trait method" | "associated type" | "associated const", "trait") if !entry.provided => {
            Some(format!(
                "it has no default: implementations of `{parent_path}` outside the crate no longer compile"
            ))
        }
        ("method", _) if entry.required && is_request_builder(path) => Some(
            "a required value of the request builder: code that does not set it compiles, but its requests fail at `send()`".to_string(),
        ),
        _ => None,
    }
}

/// Why changing `old` into `new` breaks users, if it does.
fn changed_breaks(old: &Entry, new: &Entry) -> Option<String> {
    if old.kind != new.kind {
        return Some(format!("a {} became a {}", old.kind, new.kind));
    }
    if old.signature != new.signature {
        return Some("its signature changed".to_string());
    }
    if !old.non_exhaustive && new.non_exhaustive {
        return Some("it became `#[non_exhaustive]`".to_string());
    }
    if old.closed && !new.closed {
        return Some("users can no longer name all its members".to_string());
    }
    if old.provided && !new.provided {
        return Some(
            "it lost its default: implementations outside the crate no longer compile".to_string(),
        );
    }
    if !old.required && new.required {
        return Some(
            "it became required: requests that do not set it fail at `send()`".to_string(),
        );
    }
    None
}

/// The setters of the operations' request builders (`builder::GetThing::limit`), not the
/// models' builders (`types::builder::Thing`), which also build response models.
fn is_request_builder(path: &str) -> bool {
    path.starts_with("builder::")
}

fn describe(entry: &Entry) -> String {
    let mut out = entry.signature.clone();
    for (flag, word) in [
        (entry.non_exhaustive, "#[non_exhaustive]"),
        (entry.required, "required"),
        (entry.provided, "provided"),
    ] {
        if flag {
            out = format!("{word} {out}");
        }
    }
    out
}

impl ApiChange {
    /// One line for a changelog or a report: the path, its kind, the signatures.
    pub(crate) fn line(&self) -> String {
        let origin = if self.runtime { ", runtime" } else { "" };
        let mut line = format!("`{}` ({}{origin})", self.path, self.kind);
        match (&self.old, &self.new, self.what) {
            (Some(o), Some(n), What::Changed) => line.push_str(&format!(": `{o}` → `{n}`")),
            (_, Some(n), _) | (Some(n), None, _) if !n.is_empty() && n.len() <= 160 => {
                line.push_str(&format!(": `{n}`"))
            }
            _ => {}
        }
        if let Some(why) = &self.why {
            line.push_str(&format!(" — {why}"));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A tiny crate in rustdoc's JSON shape: a root module with a struct, an enum and a
    /// function, enough to exercise the walk and the rules without running rustdoc.
    fn krate(field_extra: bool, variant_extra: bool, non_exhaustive: bool, fn_arg: &str) -> Value {
        let attrs = if non_exhaustive {
            json!(["non_exhaustive"])
        } else {
            json!([])
        };
        let mut fields = vec![json!(10)];
        let mut variants = vec![json!(20)];
        if field_extra {
            fields.push(json!(11));
        }
        if variant_extra {
            variants.push(json!(21));
        }
        let string =
            json!({"resolved_path": {"path": "::std::string::String", "id": 99, "args": null}});
        json!({
            "root": 0,
            "index": {
                "0": {"name": "k", "visibility": "public", "attrs": [],
                      "inner": {"module": {"items": [1, 2, 3, 4]}}},
                "1": {"name": "Thing", "visibility": "public", "attrs": attrs,
                      "inner": {"struct": {"kind": {"plain": {"fields": fields, "has_stripped_fields": false}},
                                           "generics": {"params": [], "where_predicates": []}, "impls": []}}},
                "10": {"name": "id", "visibility": "public", "attrs": [], "inner": {"struct_field": string}},
                "11": {"name": "color", "visibility": "public", "attrs": [], "inner": {"struct_field": string}},
                "2": {"name": "Status", "visibility": "public", "attrs": attrs,
                      "inner": {"enum": {"variants": variants, "has_stripped_variants": false,
                                         "generics": {"params": [], "where_predicates": []}, "impls": []}}},
                "20": {"name": "Active", "visibility": "default", "attrs": [], "inner": {"variant": {"kind": "plain", "discriminant": null}}},
                "21": {"name": "Deleted", "visibility": "default", "attrs": [], "inner": {"variant": {"kind": "plain", "discriminant": null}}},
                "3": {"name": "get", "visibility": "public", "attrs": [],
                      "inner": {"function": {"sig": {"inputs": [["id", {"primitive": fn_arg}]], "output": string, "is_c_variadic": false},
                                             "generics": {"params": [], "where_predicates": []},
                                             "header": {"is_const": false, "is_unsafe": false, "is_async": true, "abi": "Rust"},
                                             "has_body": true}}},
                "4": {"name": null, "visibility": "public", "attrs": [],
                      "inner": {"use": {"source": "reqwest", "name": "reqwest", "id": 500, "is_glob": false}}}
            }
        })
    }

    fn changes(old: Value, new: Value) -> Vec<ApiChange> {
        compare(&read(&old).unwrap(), &read(&new).unwrap())
    }

    #[test]
    fn reads_paths_and_signatures() {
        let api = read(&krate(false, false, true, "u64")).unwrap();
        let paths: Vec<&str> = api.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "Status",
                "Status::Active",
                "Thing",
                "Thing::id",
                "get",
                "reqwest"
            ]
        );
        assert_eq!(api["get"].signature, "async fn get(u64) -> String");
        assert_eq!(api["Thing::id"].signature, "String");
        assert!(api["Thing"].non_exhaustive && !api["Thing"].closed);
        assert_eq!(api["reqwest"].signature, "pub use reqwest");
    }

    #[test]
    fn the_same_crate_has_no_changes() {
        assert!(
            changes(
                krate(false, false, true, "u64"),
                krate(false, false, true, "u64")
            )
            .is_empty()
        );
    }

    #[test]
    fn additions_to_non_exhaustive_types_are_compatible() {
        let found = changes(
            krate(false, false, true, "u64"),
            krate(true, true, true, "u64"),
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found
                .iter()
                .all(|c| c.class == Class::Compatible && c.what == What::Added)
        );
    }

    #[test]
    fn additions_to_exhaustive_types_break() {
        let found = changes(
            krate(false, false, false, "u64"),
            krate(true, true, false, "u64"),
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found.iter().all(|c| c.class == Class::Breaking),
            "{found:?}"
        );
    }

    #[test]
    fn removals_and_signature_changes_break() {
        let found = changes(
            krate(true, false, true, "u64"),
            krate(false, false, true, "i64"),
        );
        let kinds: Vec<(What, &str)> = found.iter().map(|c| (c.what, c.path.as_str())).collect();
        assert_eq!(
            kinds,
            [(What::Removed, "Thing::color"), (What::Changed, "get")]
        );
        assert!(found.iter().all(|c| c.class == Class::Breaking));
        assert!(
            found[1]
                .line()
                .contains("`async fn get(u64) -> String` → `async fn get(i64) -> String`"),
            "{}",
            found[1].line()
        );
    }

    #[test]
    fn becoming_non_exhaustive_breaks_and_the_reverse_does_not() {
        let found = changes(
            krate(false, false, false, "u64"),
            krate(false, false, true, "u64"),
        );
        assert!(found.iter().all(|c| c.class == Class::Breaking) && found.len() == 2);
        let found = changes(
            krate(false, false, true, "u64"),
            krate(false, false, false, "u64"),
        );
        assert!(found.iter().all(|c| c.class == Class::Compatible) && found.len() == 2);
    }
}
