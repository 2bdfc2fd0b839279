//! Stage 4c: the types of parameters of several scalar types (`UUID | str`, `int | str`),
//! which `normalize::parameters` made marked components.
//!
//! typify makes each an untagged enum (`Uuid(uuid::Uuid)`, `String(String)`) with `From`
//! for each member but `String`, and a `Display` of each member's own `Display` only when
//! every member has one. A parameter is written into a path or a header with `Display`
//! (progenitor's `encode_path(&x.to_string())`, `x.to_string()`) and into a query string
//! with `Serialize`, so the two must agree, and be what the server parses: the member's
//! JSON spelling without the quotes (a UUID hyphenated, integers as digits, booleans as
//! `true`/`false`, a date-time as RFC 3339, which chrono's `Display` is not). This pass
//! replaces typify's `Display` with that one, derives `PartialEq`, and adds `From<&str>`
//! and `From<String>` where a member is a string, so that `id_or_name("widget")` works
//! beside `id_or_name(uuid)`.

use quote::format_ident;
use serde_json::Value;
use syn::Item;

use crate::normalize::parameters::UNION_MARKER;
use crate::syntax::{is_self_type, module_named_mut, type_text};

/// Rewrites the enums of every marked component in the `types` module.
pub fn apply(file: &mut syn::File, document: &Value) {
    let names: Vec<String> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema.get(UNION_MARKER) == Some(&Value::Bool(true)))
        .map(|(name, _)| crate::rust_names::sanitize(name, true))
        .collect();
    if names.is_empty() {
        return;
    }
    let Some(items) = module_named_mut(file, "types") else {
        return;
    };
    for name in names {
        let Some(at) = items
            .iter()
            .position(|item| matches!(item, Item::Enum(e) if e.ident == name))
        else {
            continue;
        };
        let Item::Enum(e) = &mut items[at] else {
            unreachable!("found above")
        };
        derive_partial_eq(e);
        let string_variant = e.variants.iter().find_map(|v| {
            let syn::Fields::Unnamed(fields) = &v.fields else {
                return None;
            };
            let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            (type_text(&field.ty) == "String").then(|| v.ident.clone())
        });
        items.retain(|item| !is_display_of(item, &name));
        let ident = format_ident!("{name}");
        let mut added: Vec<Item> = vec![syn::parse_quote! {
            /// The value as the server reads it from a path segment, a query string or a
            /// header: the member's JSON spelling, strings without their quotes.
            impl ::std::fmt::Display for #ident {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match ::serde_json::to_value(self) {
                        Ok(::serde_json::Value::String(text)) => f.write_str(&text),
                        Ok(value) => ::std::fmt::Display::fmt(&value, f),
                        Err(_) => Err(::std::fmt::Error),
                    }
                }
            }
        }];
        if let Some(variant) = string_variant {
            added.push(syn::parse_quote! {
                impl ::std::convert::From<&str> for #ident {
                    fn from(value: &str) -> Self {
                        Self::#variant(value.to_string())
                    }
                }
            });
            added.push(syn::parse_quote! {
                impl ::std::convert::From<::std::string::String> for #ident {
                    fn from(value: ::std::string::String) -> Self {
                        Self::#variant(value)
                    }
                }
            });
        }
        let after = at + 1;
        items.splice(after..after, added);
    }
}

/// `impl Display for name` (typify's, made of each member's own `Display`).
fn is_display_of(item: &Item, name: &str) -> bool {
    let Item::Impl(imp) = item else { return false };
    is_self_type(imp, name)
        && imp
            .trait_
            .as_ref()
            .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "Display"))
}

/// Adds `PartialEq` to typify's derives (a parameter's value is compared in tests and by
/// the typed mocks' matchers).
fn derive_partial_eq(e: &mut syn::ItemEnum) {
    type Paths = syn::punctuated::Punctuated<syn::Path, syn::Token![,]>;
    for attr in &mut e.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(mut paths) = attr.parse_args_with(Paths::parse_terminated) else {
            continue;
        };
        if !paths.iter().any(|p| p.is_ident("PartialEq")) {
            paths.push(syn::parse_quote!(PartialEq));
            *attr = syn::parse_quote!(#[derive(#paths)]);
        }
        return;
    }
    e.attrs.push(syn::parse_quote!(#[derive(PartialEq)]));
}
