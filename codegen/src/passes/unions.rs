//! Stage 4c: discriminated unions become enums told apart by their tag field.
//!
//! typify reads a `oneOf` of references as an untagged enum: decoding tries each member
//! in turn, and a member the server adds later fails the whole response. For a union
//! with a `discriminator` and a `mapping` (`normalize::unions` gives each one a component
//! of its own), the enum keeps typify's variants (each holds the whole member model, tag
//! field included) and gains:
//!
//! * decoding by the tag: the value of the discriminator field picks the variant, and a
//!   member that does not match its variant's model is an error naming the tag;
//! * `Unknown(serde_json::Value)`, for a tag this crate does not know: the raw JSON is
//!   kept, and sent back unchanged;
//! * encoding as the member itself.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::Item;

/// A union from the document: its tag field, and the member component of each tag.
struct Union {
    property: String,
    /// `(tag, index of the member in oneOf)`, in the mapping's order.
    tags: Vec<(String, usize)>,
}

/// Rewrites each discriminated union's enum; an error names the union it cannot find.
pub fn apply(file: &mut syn::File, document: &Value) -> Result<(), (String, String)> {
    let unions = discriminated_unions(document);
    if unions.is_empty() {
        return Ok(());
    }
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        let Some((_, items)) = &mut m.content else {
            continue;
        };
        for (component, union) in &unions {
            let rust_name = component.to_upper_camel_case();
            rewrite(items, &rust_name, union).map_err(|message| {
                (
                    crate::error::push_pointer("/components/schemas", component),
                    message,
                )
            })?;
        }
    }
    Ok(())
}

/// Components holding a `oneOf` of references with a `discriminator.mapping`.
fn discriminated_unions(document: &Value) -> BTreeMap<String, Union> {
    let mut out = BTreeMap::new();
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        let (Some(members), Some(discriminator)) = (
            schema.get("oneOf").and_then(Value::as_array),
            schema.get("discriminator"),
        ) else {
            continue;
        };
        let Some(property) = discriminator.get("propertyName").and_then(Value::as_str) else {
            continue;
        };
        let Some(mapping) = discriminator.get("mapping").and_then(Value::as_object) else {
            continue;
        };
        if members.len() < 2 {
            continue;
        }
        let refs: Vec<Option<&str>> = members
            .iter()
            .map(|m| m.get("$ref").and_then(Value::as_str))
            .collect();
        let tags: Option<Vec<(String, usize)>> = mapping
            .iter()
            .map(|(tag, target)| {
                let target = target.as_str()?;
                let index = refs.iter().position(|r| *r == Some(target))?;
                Some((tag.clone(), index))
            })
            .collect();
        if let Some(tags) = tags {
            out.insert(
                name.clone(),
                Union {
                    property: property.to_string(),
                    tags,
                },
            );
        }
    }
    out
}

fn rewrite(items: &mut Vec<Item>, name: &str, union: &Union) -> Result<(), String> {
    let Some(Item::Enum(e)) = items
        .iter_mut()
        .find(|i| matches!(i, Item::Enum(e) if e.ident == name))
    else {
        return Err(format!(
            "the discriminated union `{name}` was not generated as an enum; this is a generator bug"
        ));
    };
    let mut variants = Vec::new();
    for v in &e.variants {
        let syn::Fields::Unnamed(fields) = &v.fields else {
            return Err(format!(
                "the variant `{name}::{}` does not hold one model",
                v.ident
            ));
        };
        if fields.unnamed.len() != 1 {
            return Err(format!(
                "the variant `{name}::{}` does not hold one model",
                v.ident
            ));
        }
        variants.push(v.ident.clone());
    }
    let unknown = if variants.iter().any(|v| v == "Unknown") {
        format_ident!("UnknownTag")
    } else {
        format_ident!("Unknown")
    };
    let property = &union.property;
    e.attrs.retain(|a| !a.path().is_ident("serde"));
    remove_serde_derives(&mut e.attrs);
    let doc = format!(
        "A `{property}` this version of the crate does not know, with the whole value as the server sent it; it is sent back unchanged."
    );
    e.variants.push(syn::parse_quote! {
        #[doc = #doc]
        #unknown(::serde_json::Value)
    });
    let ident = e.ident.clone();
    let arms = union.tags.iter().map(|(tag, index)| {
        let variant = &variants[*index];
        let context = format!("{name} with `{property}` {tag:?}");
        quote! {
            #tag => ::serde_json::from_value(value).map(Self::#variant).map_err(|e| {
                <D::Error as ::serde::de::Error>::custom(format!("{}: {e}", #context))
            }),
        }
    });
    let missing = format!(
        "{name}: the `{property}` field that tells its variants apart is missing or not a string"
    );
    items.push(syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = match value.get(#property) {
                    Some(::serde_json::Value::String(tag)) => tag.clone(),
                    _ => return Err(<D::Error as ::serde::de::Error>::custom(#missing)),
                };
                match tag.as_str() {
                    #(#arms)*
                    _ => Ok(Self::#unknown(value)),
                }
            }
        }
    });
    items.push(syn::parse_quote! {
        impl ::serde::Serialize for #ident {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: ::serde::Serializer,
            {
                match self {
                    #(Self::#variants(value) => value.serialize(serializer),)*
                    Self::#unknown(value) => value.serialize(serializer),
                }
            }
        }
    });
    Ok(())
}

/// Drops from the `#[derive(...)]` lists the serde traits (implemented by hand) and those
/// `serde_json::Value`, held by the unknown variant, lacks.
fn remove_serde_derives(attrs: &mut [syn::Attribute]) {
    for attr in attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| {
                let last = p.segments.last().map(|s| s.ident.to_string());
                !matches!(
                    last.as_deref(),
                    Some("Serialize" | "Deserialize" | "Copy" | "Hash" | "PartialOrd" | "Ord")
                )
            })
            .collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}
