//! Stage 4 (last): `#[deprecated]` on what the document deprecates, with its text.
//!
//! An operation with `deprecated: true` marks its `Client` method, and a parameter with
//! `deprecated: true` (FastAPI's `Query(deprecated=True)`) marks its builder setter. The note
//! is the document's description of the operation or parameter (else its summary, else a
//! plain "deprecated by the API"), so the compiler warning says what the document says.

use std::collections::BTreeMap;

use serde_json::Value;
use syn::{ImplItem, Item};

use crate::document::METHODS;
use crate::syntax::{builder_names, is_self_type, item_name, param_ident};

/// Adds the attributes; `document` is the normalized document.
pub fn mark(file: &mut syn::File, document: &Value) {
    let mut operations: BTreeMap<String, String> = BTreeMap::new();
    let mut parameters: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for item in document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, i)| i)
    {
        let shared = item.get("parameters").and_then(Value::as_array);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if is_deprecated(op) {
                operations.insert(id.to_string(), note(op));
            }
            let own = op.get("parameters").and_then(Value::as_array);
            for p in shared.into_iter().chain(own).flatten() {
                if is_deprecated(p) || p.get("schema").is_some_and(is_deprecated) {
                    let text = p.get("description").map_or_else(
                        || note(p.get("schema").unwrap_or(&Value::Null)),
                        |_| note(p),
                    );
                    parameters
                        .entry(id.to_string())
                        .or_default()
                        .insert(param_ident(p), text);
                }
            }
        }
    }
    if operations.is_empty() && parameters.is_empty() {
        return;
    }
    let builders = builder_names(file);
    for item in &mut file.items {
        match item {
            Item::Impl(imp) if imp.trait_.is_none() && is_self_type(imp, "Client") => {
                for member in &mut imp.items {
                    if let ImplItem::Fn(f) = member
                        && let Some(text) = operations.get(&f.sig.ident.to_string())
                    {
                        f.attrs.push(syn::parse_quote!(#[deprecated(note = #text)]));
                    }
                }
            }
            Item::Mod(m) if m.ident == "builder" => {
                let Some((_, items)) = &mut m.content else {
                    continue;
                };
                for inner in items.iter_mut() {
                    let deprecated = item_name(inner)
                        .and_then(|name| builders.get(&name))
                        .and_then(|method| parameters.get(method));
                    let (Some(deprecated), Item::Impl(imp)) = (deprecated, inner) else {
                        continue;
                    };
                    if imp.trait_.is_some() {
                        continue;
                    }
                    for member in &mut imp.items {
                        if let ImplItem::Fn(f) = member
                            && let Some(text) = deprecated.get(&f.sig.ident.to_string())
                        {
                            f.attrs.push(syn::parse_quote!(#[deprecated(note = #text)]));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_deprecated(value: &Value) -> bool {
    value.get("deprecated") == Some(&Value::Bool(true))
}

fn note(value: &Value) -> String {
    ["description", "summary"]
        .iter()
        .find_map(|key| value.get(key).and_then(Value::as_str))
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .unwrap_or("deprecated by the API")
        .to_string()
}
