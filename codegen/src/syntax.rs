//! The vocabulary of progenitor's output that every pass, the renderer and the reviewer's
//! views share: where the builders are, what an item is called, how a type reads. It sits
//! below them all so that no pass has to import another.

use std::collections::BTreeMap;

use serde_json::Value;
use syn::{Item, ItemMod};

use crate::normalize::naming::snake_case;

/// What a successful response decodes into.
#[derive(Clone)]
pub(crate) enum Success {
    /// No body (204).
    Empty,
    /// A JSON body of this type.
    Json(Box<syn::Type>),
    /// A text body (`text/*`), decoded into a `String`; `accept` lists its media types.
    Text { accept: String },
    /// Any other body that is not JSON, streamed as a `Download`; `accept` lists its
    /// media types.
    Download { accept: String },
    /// Server-sent events (`text/event-stream`), an `EventStream` whose `data` is decoded
    /// from JSON into this type, or is the raw `String` when `None`.
    Events { data: Option<Box<syn::Type>> },
    /// JSON bodies whose type depends on the status (and perhaps no body at some), decoded
    /// into the enum of this name in `types` (see `passes::statuses`).
    ByStatus(syn::Ident),
}

/// `T` in `Outer<T>`, when `ty` is an `Outer` (by its last path segment).
pub(crate) fn generic_arg(ty: &syn::Type, outer: &str) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != outer {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// Progenitor names a parameter's setter and field after the parameter in snake_case, with
/// a trailing `_` for a keyword (a query parameter `where`, as SQLMesh has, is `where_`).
pub(crate) fn param_ident(param: &Value) -> String {
    let mut name = snake_case(
        param
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    );
    if crate::rust_names::KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Builder struct name → client method name, read off `pub fn m(&self) -> builder::B`.
pub(crate) fn builder_names(file: &syn::File) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for item in &file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_self_type(imp, "Client") {
            continue;
        }
        for member in &imp.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if let syn::ReturnType::Type(_, ty) = &f.sig.output
                && let syn::Type::Path(p) = &**ty
                && p.path.segments.len() == 2
                && p.path.segments[0].ident == "builder"
            {
                out.insert(
                    p.path.segments[1].ident.to_string(),
                    f.sig.ident.to_string(),
                );
            }
        }
    }
    out
}

/// The items of the inline module `name` of `file` (`types`, `builder`), or none.
pub(crate) fn module_named<'a>(file: &'a syn::File, name: &str) -> &'a [Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => Some(module_items(m)),
            _ => None,
        })
        .unwrap_or(&[])
}

/// The items of the top-level inline module `name`, to add to; `None` when there is none.
pub(crate) fn module_named_mut<'a>(
    file: &'a mut syn::File,
    name: &str,
) -> Option<&'a mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The items of an inline module (progenitor emits `types` and `builder` inline).
pub(crate) fn module_items(m: &ItemMod) -> &[Item] {
    m.content
        .as_ref()
        .map(|(_, items)| items.as_slice())
        .unwrap_or(&[])
}

/// The type an item defines or implements, by its last path segment.
pub(crate) fn item_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Impl(imp) => impl_name(imp),
        _ => None,
    }
}

/// The type an impl implements, by its last path segment ([`item_name`] of an impl,
/// without wrapping the impl in an `Item`, which would copy it).
pub(crate) fn impl_name(imp: &syn::ItemImpl) -> Option<String> {
    let syn::Type::Path(p) = &*imp.self_ty else {
        return None;
    };
    // `impl From<Local> for ::serde_json::Map<..>` belongs with `Local`.
    if p.path.leading_colon.is_some()
        && let Some((trait_path, _)) = &imp.trait_
        && let Some(last) = trait_path.segments.last()
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(syn::Type::Path(local))) = args.args.first()
    {
        return local.path.segments.last().map(|s| s.ident.to_string());
    }
    p.path.segments.last().map(|s| s.ident.to_string())
}

/// `impl ... for name`, by the self type's bare identifier.
pub(crate) fn is_self_type(imp: &syn::ItemImpl, name: &str) -> bool {
    matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident(name))
}

/// The wire name in `#[serde(rename = "...")]`, if any.
pub(crate) fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    for attr in attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut found = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                found = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// A type as a reader would write it: `Option<Vec<String>>`, not
/// `:: std :: option :: Option < :: std :: vec :: Vec < :: std :: string :: String > >`.
pub(crate) fn type_text(ty: &syn::Type) -> String {
    // Token spacing carries no meaning in the types progenitor emits (no `dyn`, `impl` or
    // lifetimes outside the builders' `client` field, which is skipped).
    let compact: String = quote::quote!(#ty).to_string().split_whitespace().collect();
    let mut s = compact.replace(",>", ">").replace(',', ", ");
    for prefix in [
        "::std::option::",
        "::std::string::",
        "::std::vec::",
        "::std::collections::",
        "::std::num::",
        "::serde_json::",
        "::chrono::offset::",
        "::chrono::",
        "::uuid::",
        "std::num::",
        "crate::types::",
    ] {
        s = s.replace(prefix, "");
    }
    // A body field holds the model's builder; its setter takes the model itself.
    s = s.replace("types::builder::", "types::");
    s.replace("<::", "<").trim_start_matches("::").to_string()
}

/// `#[doc = "text"]`, built directly: the same attribute `parse_quote!(#[doc = #text])`
/// gives, without printing and re-parsing tokens for each of the thousands of docs.
pub(crate) fn doc_attr(text: &str) -> syn::Attribute {
    let span = proc_macro2::Span::call_site();
    syn::Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta: syn::Meta::NameValue(syn::MetaNameValue {
            path: syn::Ident::new("doc", span).into(),
            eq_token: Default::default(),
            value: syn::Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::Lit::Str(syn::LitStr::new(text, span)),
            }),
        }),
    }
}

/// The members of `imp` (an `impl` block's tokens) formatted as prettyplease formats them
/// inside a top-level `impl`: the text between its first line and its closing brace, to
/// splice into the formatted text of other `impl`s (code every builder repeats, added once
/// as text instead of once per builder as a tree).
pub fn impl_members_text(imp: proc_macro2::TokenStream) -> String {
    let file: syn::File = syn::parse2(imp).expect("an impl block the generator wrote parses");
    let text = prettyplease::unparse(&file);
    text.split_once('\n')
        .and_then(|(_, rest)| rest.strip_suffix("}\n"))
        .unwrap_or_default()
        .to_string()
}
