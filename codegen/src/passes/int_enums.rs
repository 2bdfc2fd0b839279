//! Stage 4c: integer enums (pydantic's `IntEnum`, and integer `Literal`/`const` values)
//! become Rust enums with a variant for values this crate does not know, like the string
//! enums of `compat`.
//!
//! typify emits such a schema as a newtype over an integer whose `TryFrom` refuses other
//! values, so a value the server adds later fails the whole response. The newtype becomes
//! `enum Name { V1, V5, V10, Unknown(i64) }`: variants named by value (the document has
//! no names for them), conversions from and to the integer infallible, and sent as the
//! bare integer.

use std::collections::BTreeMap;

use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Item, ItemStruct};

/// Rewrites every integer-enum newtype in the `types` module.
pub fn apply(file: &mut syn::File) {
    let mut converted = BTreeMap::new();
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        let Some((_, items)) = &mut m.content else {
            continue;
        };
        let found: Vec<(String, syn::Type, Vec<i128>)> = items
            .iter()
            .filter_map(|item| int_enum(items, item))
            .collect();
        for (name, int, values) in found {
            let default = default_value(items, &name);
            // The enum takes the newtype's place; every impl typify wrote for it goes.
            let at = items
                .iter()
                .position(|item| matches!(item, Item::Struct(s) if s.ident == name))
                .expect("found above");
            items.retain(|item| !belongs_to(item, &name));
            let at = at.min(items.len());
            items.splice(at..at, enum_items(&name, &int, &values, default));
            converted.insert(name, ());
        }
    }
    if !converted.is_empty() {
        ConstructorCalls(&converted).visit_file_mut(file);
    }
}

/// The newtype itself, and impls for it or converting from it (`impl From<Name> for i64`).
fn belongs_to(item: &Item, name: &str) -> bool {
    match item {
        Item::Struct(s) => s.ident == name,
        Item::Impl(imp) => {
            crate::syntax::is_self_type(imp, name)
                || imp.trait_.as_ref().is_some_and(|(path, _)| {
                    quote!(#path).to_string().contains(&format!("< {name} >"))
                })
        }
        _ => false,
    }
}

/// `(name, integer type, allowed values)` for a newtype typify emitted for an integer
/// `enum`: `struct Name(iN)` with a `TryFrom<iN>` that checks `[..].contains(&value)`.
fn int_enum(items: &[Item], item: &Item) -> Option<(String, syn::Type, Vec<i128>)> {
    let Item::Struct(ItemStruct {
        ident,
        fields: syn::Fields::Unnamed(fields),
        ..
    }) = item
    else {
        return None;
    };
    let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let int = field.ty.clone();
    let int_text = quote!(#int).to_string();
    if !["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"].contains(&int_text.as_str()) {
        return None;
    }
    let name = ident.to_string();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        let is_try_from = imp
            .trait_
            .as_ref()
            .is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == "TryFrom"));
        if !is_try_from || !crate::syntax::is_self_type(imp, &name) {
            continue;
        }
        let mut finder = ContainsArray(None);
        finder.visit_item_impl_mut(&mut imp.clone());
        return finder.0.map(|values| (name, int, values));
    }
    None
}

/// Finds `[1_i64, 5_i64].contains(&value)` and reads the literals.
struct ContainsArray(Option<Vec<i128>>);

impl VisitMut for ContainsArray {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if call.method == "contains"
            && let syn::Expr::Array(array) = &*call.receiver
        {
            let values: Option<Vec<i128>> = array.elems.iter().map(int_literal).collect();
            if values.is_some() {
                self.0 = values;
            }
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

fn int_literal(expr: &syn::Expr) -> Option<i128> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => int_literal(expr).map(|v| -v),
        _ => None,
    }
}

/// The value of typify's `impl Default for Name { fn default() -> Self { Name(2_i64) } }`.
fn default_value(items: &[Item], name: &str) -> Option<i128> {
    items.iter().find_map(|item| {
        let Item::Impl(imp) = item else { return None };
        let is_default = imp
            .trait_
            .as_ref()
            .is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == "Default"));
        if !is_default || !crate::syntax::is_self_type(imp, name) {
            return None;
        }
        let text = quote!(#imp).to_string();
        let start = text.find(&format!("{name} ("))? + name.len() + 2;
        let inner: String = text[start..].chars().take_while(|c| *c != ')').collect();
        let inner = inner.replace(' ', "");
        let digits = inner.split('_').next()?;
        digits.parse().ok()
    })
}

fn variant_ident(value: i128) -> syn::Ident {
    if value < 0 {
        format_ident!("Minus{}", value.unsigned_abs())
    } else {
        format_ident!("V{}", value.unsigned_abs())
    }
}

fn enum_items(name: &str, int: &syn::Type, values: &[i128], default: Option<i128>) -> Vec<Item> {
    let ident = format_ident!("{name}");
    let variants: Vec<syn::Ident> = values.iter().map(|v| variant_ident(*v)).collect();
    let literals: Vec<proc_macro2::Literal> = values
        .iter()
        .map(|v| proc_macro2::Literal::i128_unsuffixed(*v))
        .collect();
    let docs: Vec<String> = values
        .iter()
        .map(|v| format!("`{v}` on the wire."))
        .collect();
    let summary = format!("`{name}`: one of the integers the document lists.");
    let mut items: Vec<Item> = vec![
        syn::parse_quote! {
            #[doc = #summary]
            #[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
            pub enum #ident {
                #(
                    #[doc = #docs]
                    #variants,
                )*
                /// A value this version of the crate does not know; it round-trips unchanged.
                Unknown(#int),
            }
        },
        syn::parse_quote! {
            impl #ident {
                /// The value as it is sent on the wire.
                pub fn value(self) -> #int {
                    match self {
                        #(Self::#variants => #literals,)*
                        Self::Unknown(value) => value,
                    }
                }
            }
        },
        syn::parse_quote! {
            impl ::std::convert::From<#int> for #ident {
                fn from(value: #int) -> Self {
                    match value {
                        #(#literals => Self::#variants,)*
                        other => Self::Unknown(other),
                    }
                }
            }
        },
        syn::parse_quote! {
            impl ::std::convert::From<#ident> for #int {
                fn from(value: #ident) -> Self {
                    value.value()
                }
            }
        },
        syn::parse_quote! {
            impl ::std::fmt::Display for #ident {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    self.value().fmt(f)
                }
            }
        },
        syn::parse_quote! {
            impl ::serde::Serialize for #ident {
                fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
                where
                    S: ::serde::Serializer,
                {
                    ::serde::Serialize::serialize(&self.value(), serializer)
                }
            }
        },
        syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #ident {
                fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                {
                    <#int as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
                }
            }
        },
    ];
    if let Some(default) = default {
        let variant = variant_ident(default);
        let variant = if values.contains(&default) {
            quote!(Self::#variant)
        } else {
            let lit = proc_macro2::Literal::i128_unsuffixed(default);
            quote!(Self::Unknown(#lit))
        };
        items.push(syn::parse_quote! {
            impl ::std::default::Default for #ident {
                fn default() -> Self {
                    #variant
                }
            }
        });
    }
    items
}

/// typify's `defaults` functions build the newtype with `Name(2_i64)`; the enum is built
/// with `Name::from(2_i64)`.
struct ConstructorCalls<'a>(&'a BTreeMap<String, ()>);

impl VisitMut for ConstructorCalls<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::Call(call) = expr else { return };
        let syn::Expr::Path(path) = &*call.func else {
            return;
        };
        let Some(last) = path.path.segments.last() else {
            return;
        };
        if !self.0.contains_key(&last.ident.to_string()) || call.args.len() != 1 {
            return;
        }
        let func = &path.path;
        let arg = &call.args[0];
        *expr = syn::parse_quote!(#func::from(#arg));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn integer_enums_are_named_by_value_and_keep_unknown_values() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/levels": {"get": {
                "operationId": "get_level",
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Holder"}}}}}
            }}},
            "components": {"schemas": {
                "Level": {"type": "integer", "enum": [-1, 0, 3]},
                "Holder": {"type": "object", "properties": {
                    "level": {"$ref": "#/components/schemas/Level"},
                    "version": {"type": "integer", "const": 7, "default": 7}
                }}
            }}
        });
        let output = crate::run_on_value(std::path::Path::new("doc.json"), "doc.json", doc)
            .unwrap_or_else(|e| panic!("{e}"));
        let text: String = output.files.iter().map(|f| f.contents.as_str()).collect();
        for expected in [
            "pub enum Level {",
            "Minus1,",
            "V0,",
            "V3,",
            "Unknown(i64),",
            "-1 => Self::Minus1,",
            "pub enum HolderVersion {",
            "Self::V7",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(!text.contains("pub struct Level("));
    }
}
