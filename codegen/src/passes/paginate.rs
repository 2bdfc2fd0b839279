//! Auto-pagination, emitted from the parameter conventions an operation follows.
//!
//! * **Offset**: query parameters `limit` and `offset`, and a response that is a list, or
//!   an object whose `data` is a list (and whose `total`, if any, counts all items). The
//!   next offset is the current one plus the items received; the last page is the one with
//!   fewer items than `limit` (the document's default when not set), or that reaches `total`.
//! * **Cursor**: a query parameter `cursor`, and a response object with a `data` list and
//!   a `next_cursor`; a null or empty `next_cursor` marks the last page.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::passes::link::Models;
use crate::syntax::{Success, generic_arg, param_ident, type_text};

/// `stream()` and `page()` for the builder, when the operation paginates.
pub(crate) fn methods(
    params: &[&Value],
    builder_fields: &BTreeMap<String, syn::Type>,
    success: &Success,
    models: &Models,
) -> Option<Vec<TokenStream>> {
    let Success::Json(response) = success else {
        return None;
    };
    let query = |name: &str| {
        params.iter().copied().find(|p| {
            param_ident(p) == name && p.get("in").and_then(Value::as_str) == Some("query")
        })
    };
    let envelope = model_of(response)
        .filter(|name| models.has(name))
        .map(|name| Envelope { models, name });
    let fetch = if query("cursor").is_some() {
        // The next cursor is a string, set as it came; a cursor of another type is not paged.
        if field_scalar(builder_fields, "cursor")?.1 != "String" {
            return None;
        }
        let envelope = envelope?;
        // A required cursor is a `String`, an optional one an `Option<String>`.
        let next_cursor = match type_text(&envelope.get("next_cursor")?).as_str() {
            "Option<String>" => quote!(page.next_cursor),
            "String" => quote!(Some(page.next_cursor)),
            _ => return None,
        };
        let item = item_type(&envelope.get("data")?)?;
        let body = quote! {
            let builder = match next {
                Some(crate::pagination::NextPage::Cursor(cursor)) => builder.cursor(cursor),
                _ => builder,
            };
            let page = builder.send().await?.into_inner();
            let next = #next_cursor
                .filter(|cursor| !cursor.is_empty())
                .map(crate::pagination::NextPage::Cursor);
            Ok(crate::pagination::Page::new(page.data, next, None))
        };
        (item, body, "cursor")
    } else if let (Some(limit), Some(_)) = (query("limit"), query("offset")) {
        let default_limit = limit
            .pointer("/schema/default")
            .and_then(Value::as_i64)
            .unwrap_or(i64::MAX);
        let (read_limit, read_offset) = (
            read_integer(builder_fields, "limit")?,
            read_integer(builder_fields, "offset")?,
        );
        // The next offset is set from an `i64`, which the setter converts to any primitive
        // integer; a `NonZero` offset (`minimum: 1`) cannot take the first page's 0.
        if field_scalar(builder_fields, "offset")?
            .1
            .starts_with("NonZero")
        {
            return None;
        }
        let (item, items, total) = match (generic_arg(response, "Vec"), envelope) {
            (Some(item), _) => (item, quote!(response), quote!(None)),
            (None, Some(envelope)) => {
                let item = item_type(&envelope.get("data")?)?;
                let total = envelope
                    .get("total")
                    .map_or(quote!(None), |t| total_expr(&t));
                (item, quote!(response.data), total)
            }
            _ => return None,
        };
        let body = quote! {
            let offset: i64 = match next {
                Some(crate::pagination::NextPage::Offset(offset)) => offset,
                _ => #read_offset.unwrap_or(0),
            };
            let limit: i64 = #read_limit.unwrap_or(#default_limit);
            let response = builder.offset(offset).send().await?.into_inner();
            let total: Option<i64> = #total;
            let items = #items;
            let fetched = items.len() as i64;
            let last = fetched == 0
                || match total {
                    Some(total) => offset + fetched >= total,
                    None => fetched < limit,
                };
            let next = (!last).then_some(crate::pagination::NextPage::Offset(offset + fetched));
            Ok(crate::pagination::Page::new(items, next, total))
        };
        (item, body, "offset")
    } else {
        return None;
    };
    let (item, body, style) = fetch;
    let stream_doc = format!(
        "Every item of every page, fetched lazily one page at a time ({style} pagination; see [`crate::Paginated`])."
    );
    let page_doc = format!(
        "Fetches one page, with where the next one starts ([`crate::Page::next`], by {style})."
    );
    Some(vec![
        quote! {
            #[doc = #stream_doc]
            pub fn stream(self) -> crate::pagination::Paginated<'a, #item> {
                crate::pagination::Paginated::new(self, |builder, next| {
                    Box::pin(async move { #body })
                })
            }
        },
        quote! {
            #[doc = #page_doc]
            pub async fn page(self) -> Result<crate::pagination::Page<#item>, Error> {
                let builder = self;
                let next: Option<crate::pagination::NextPage> = None;
                #body
            }
        },
    ])
}

/// A builder field as `(optional, inner type)`: `Result<Option<u64>, String>` → `(true, "u64")`.
fn field_scalar(
    builder_fields: &BTreeMap<String, syn::Type>,
    field: &str,
) -> Option<(bool, String)> {
    let held = generic_arg(builder_fields.get(field)?, "Result")?;
    Some(match generic_arg(&held, "Option") {
        Some(inner) => (true, type_text(&inner)),
        None => (false, type_text(&held)),
    })
}

const INTEGERS: [&str; 10] = [
    "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "isize", "usize",
];

/// The builder's `limit` or `offset` as an `Option<i64>`, whatever integer type typify gave
/// it (`u64` for `ge=0`, `NonZeroU64` for `ge=1`); `None` for a field of another type, which
/// is then not paged.
fn read_integer(builder_fields: &BTreeMap<String, syn::Type>, field: &str) -> Option<TokenStream> {
    let (optional, inner) = field_scalar(builder_fields, field)?;
    let ident = quote::format_ident!("{}", field);
    let read = if optional {
        quote!(builder.#ident.clone().ok().flatten())
    } else {
        quote!(builder.#ident.clone().ok())
    };
    // `NonZeroU64` → its `u64` first.
    let (primitive, value) = match inner.strip_prefix("NonZero") {
        Some(rest) => (rest.to_ascii_lowercase(), quote!(v.get())),
        None => (inner.clone(), quote!(v)),
    };
    // `From` where it exists (clippy flags a fallible conversion that cannot fail).
    Some(if inner == "i64" {
        read
    } else if ["i8", "i16", "i32", "u8", "u16", "u32"].contains(&primitive.as_str()) {
        if inner == primitive {
            quote!(#read.map(i64::from))
        } else {
            quote!(#read.map(|v| i64::from(#value)))
        }
    } else if INTEGERS.contains(&primitive.as_str()) {
        quote!(#read.and_then(|v| i64::try_from(#value).ok()))
    } else {
        return None;
    })
}

/// The page model of a paginated response, whose fields are looked up by name.
struct Envelope<'m> {
    models: &'m Models,
    name: String,
}

impl Envelope<'_> {
    fn get(&self, field: &str) -> Option<syn::Type> {
        self.models.field(&self.name, field)
    }
}

/// The page's `total` as an `Option<i64>`, from the field as typify typed it: required or
/// optional, any integer type; a `total` of another type is not used.
fn total_expr(ty: &syn::Type) -> TokenStream {
    let text = type_text(ty);
    let (optional, inner) = match text
        .strip_prefix("Option<")
        .and_then(|t| t.strip_suffix('>'))
    {
        Some(inner) => (true, inner),
        None => (false, text.as_str()),
    };
    let integer = INTEGERS.contains(&inner);
    match (integer, optional, inner == "i64") {
        (false, _, _) => quote!(None),
        (true, false, true) => quote!(Some(response.total)),
        (true, true, true) => quote!(response.total),
        (true, false, false) => quote!(i64::try_from(response.total).ok()),
        (true, true, false) => quote!(response.total.and_then(|t| i64::try_from(t).ok())),
    }
}

/// `types::CursorPageResource` → `CursorPageResource`.
fn model_of(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let segments: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.as_slice() {
        [types, name] if types == "types" => Some(name.clone()),
        _ => None,
    }
}

/// A model's `Vec<Item>` field → `types::Item` as the builder module names it.
fn item_type(field: &syn::Type) -> Option<syn::Type> {
    let item = generic_arg(field, "Vec")?;
    match &item {
        syn::Type::Path(p) if p.path.segments.len() == 1 && p.path.leading_colon.is_none() => {
            let ident = &p.path.segments[0].ident;
            Some(syn::parse_quote!(types::#ident))
        }
        _ => Some(item),
    }
}
