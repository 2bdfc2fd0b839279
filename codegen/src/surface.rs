//! The API surface: a compact, line-per-fact summary of what the generated crate offers.
//!
//! A reviewer reads this instead of hundreds of lines of generated code: every operation
//! with its method, parameters, body and result, and every model with its fields.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;
use syn::Item;

use crate::document::operations;
use crate::normalize::bodies;
use crate::syntax::{
    builder_names, item_name, module_items, module_named, serde_rename, type_text,
};

/// Renders the surface of `file`, generated from the normalized `document`.
pub fn api_surface(document: &Value, file: &syn::File) -> String {
    let mut out = operations_surface(document, file);
    out.push_str(&models_surface(file));
    out
}

/// The operations' part of [`api_surface`], read from the builders (the tree without
/// `types` is enough).
pub fn operations_surface(document: &Value, file: &syn::File) -> String {
    let mut out = String::new();
    let builders = builder_structs(file);
    let method_to_builder: BTreeMap<String, String> = builder_names(file)
        .into_iter()
        .map(|(builder, method)| (method, builder))
        .collect();

    out.push_str("# Operations\n");
    let mut ops = Vec::new();
    for (path, verb, op) in operations(document) {
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            ops.push((id.to_string(), verb.to_uppercase(), path.to_string(), op));
        }
    }
    ops.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    for (method, verb, path, op) in ops {
        let deprecated = if op.get("deprecated") == Some(&Value::Bool(true)) {
            " (deprecated)"
        } else {
            ""
        };
        let _ = writeln!(out, "\n{method}: {verb} {path}{deprecated}");
        let Some(builder) = method_to_builder.get(&method).and_then(|b| builders.get(b)) else {
            let _ = writeln!(out, "  (no builder generated)");
            continue;
        };
        for (name, ty) in &builder.fields {
            let (required, inner) = field_requirement(ty);
            if name == "body" {
                let _ = writeln!(out, "  body: {inner}{required}");
            } else {
                let _ = writeln!(out, "  param {name}: {inner}{required}");
            }
        }
        for file in bodies::file_fields(op).into_iter().flatten() {
            let ty = if file.list {
                "Vec<FilePart>"
            } else {
                "FilePart"
            };
            let required = if file.required { " (required)" } else { "" };
            let _ = writeln!(out, "  file {}: {ty}{required}", file.name);
        }
        if builder.filters {
            let _ = writeln!(out, "  filter(field, op, value): field__op=value");
        }
        let _ = writeln!(out, "  -> {}", builder.returns);
        if let Some(stream) = &builder.stream {
            let _ = writeln!(out, "  stream() -> {stream}; page()");
        }
        if let Some(events) = &builder.events {
            let _ = writeln!(out, "  send_events() -> {events}");
        }
    }

    out
}

/// The models' part of [`api_surface`] (the `types` module is enough).
pub fn models_surface(file: &syn::File) -> String {
    let mut out = String::from("\n# Models\n");
    for item in file.items.iter() {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        for inner in module_items(m) {
            describe_model(&mut out, inner);
        }
    }
    out
}

#[derive(Default)]
struct BuilderShape {
    fields: Vec<(String, String)>,
    returns: String,
    /// The item stream of a paginated operation.
    stream: Option<String>,
    /// Whether it takes dynamic filters.
    filters: bool,
    /// What `send_events()` returns, for an operation answering JSON or server-sent events.
    events: Option<String>,
}

fn builder_structs(file: &syn::File) -> BTreeMap<String, BuilderShape> {
    let mut out: BTreeMap<String, BuilderShape> = BTreeMap::new();
    for inner in module_named(file, "builder") {
        match inner {
            Item::Struct(s) => {
                let fields = s
                    .fields
                    .iter()
                    .filter_map(|f| Some((f.ident.as_ref()?.to_string(), type_text(&f.ty))))
                    .filter(|(name, _)| {
                        !matches!(name.as_str(), "client" | "request_options" | "file_parts")
                            && name != crate::passes::filters::FIELD
                    })
                    .collect();
                let shape = out.entry(s.ident.to_string()).or_default();
                shape.filters = s.fields.iter().any(|f| {
                    f.ident
                        .as_ref()
                        .is_some_and(|i| i == crate::passes::filters::FIELD)
                });
                shape.fields = fields;
            }
            Item::Impl(imp) => {
                let Some(name) = item_name(inner) else {
                    continue;
                };
                for member in &imp.items {
                    let syn::ImplItem::Fn(f) = member else {
                        continue;
                    };
                    if f.sig.ident == "stream"
                        && let syn::ReturnType::Type(_, ty) = &f.sig.output
                    {
                        let stream = type_text(ty).replace("crate::pagination::", "");
                        out.entry(name.clone()).or_default().stream =
                            Some(stream.replace("'a, ", ""));
                    }
                    if f.sig.ident == "send_events"
                        && let syn::ReturnType::Type(_, ty) = &f.sig.output
                    {
                        out.entry(name.clone()).or_default().events = Some(type_text(ty));
                    }
                    if f.sig.ident != "send" {
                        continue;
                    }
                    if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                        out.entry(name.clone()).or_default().returns = type_text(ty);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Builder fields are `Result<T, String>`; required ones start out as `Err`, and their type
/// is not an `Option`.
fn field_requirement(ty: &str) -> (&'static str, String) {
    let inner = ty
        .strip_prefix("Result<")
        .and_then(|t| t.strip_suffix(", String>"))
        .unwrap_or(ty);
    if inner.starts_with("Option<") {
        ("", inner.to_string())
    } else {
        (" (required)", inner.to_string())
    }
}

fn describe_model(out: &mut String, item: &Item) {
    match item {
        Item::Struct(s) => {
            let _ = writeln!(out, "\nstruct {}", s.ident);
            for f in &s.fields {
                let name = f
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "0".into());
                let _ = writeln!(out, "  {name}: {}", type_text(&f.ty));
            }
        }
        Item::Enum(e) => {
            let _ = writeln!(out, "\nenum {}", e.ident);
            for v in &e.variants {
                let wire = serde_rename(&v.attrs);
                match (&v.fields, wire) {
                    (syn::Fields::Unit, Some(w)) => {
                        let _ = writeln!(out, "  {} = {w:?}", v.ident);
                    }
                    (syn::Fields::Unit, None) => {
                        let _ = writeln!(out, "  {}", v.ident);
                    }
                    (syn::Fields::Named(fields), _) => {
                        let fields: Vec<String> = fields
                            .named
                            .iter()
                            .filter_map(|f| {
                                Some(format!("{}: {}", f.ident.as_ref()?, type_text(&f.ty)))
                            })
                            .collect();
                        let _ = writeln!(out, "  {} {{ {} }}", v.ident, fields.join(", "));
                    }
                    (fields, _) => {
                        let types: Vec<String> = fields.iter().map(|f| type_text(&f.ty)).collect();
                        let _ = writeln!(out, "  {}({})", v.ident, types.join(", "));
                    }
                }
            }
        }
        Item::Type(t) => {
            let _ = writeln!(out, "\ntype {} = {}", t.ident, type_text(&t.ty));
        }
        _ => {}
    }
}
