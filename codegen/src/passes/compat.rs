//! Stage 4d: forward compatibility and secrecy of the models.
//!
//! * A string enum gains an `Unknown(String)` variant, so that a value the server adds
//!   after this crate was generated decodes (and serializes back unchanged) instead of
//!   failing the whole response. Its conversions from strings become infallible.
//! * Models are `#[non_exhaustive]`: upstream may add fields and variants, and a minor
//!   release of the crate must be able to follow. (Unknown fields themselves are kept in
//!   each model's `extra` map; see `normalize`, which makes objects explicitly open.)
//! * Fields that hold secrets (`connection_provider_data`, tokens, passwords) print as
//!   `<redacted>` in `Debug`, and so does a model used only as such a field's type.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Item, ItemEnum, ItemStruct};

/// Field names whose values are secrets. The list is also emitted into the generated
/// module as `SECRET_FIELDS`, where the client's runtime redacts response bodies with it,
/// so that the two cannot drift apart.
pub const SECRET_FIELDS: [&str; 9] = [
    "connection_provider_data",
    "password",
    "access_token",
    "refresh_token",
    "client_secret",
    "token",
    "api_key",
    "secret",
    "authorization",
];

/// Emits `SECRET_FIELDS` at the top level (beside `Client`).
pub fn secret_fields(file: &mut syn::File) {
    let secrets = SECRET_FIELDS;
    file.items.push(syn::parse_quote! {
        /// Keys whose values are secrets wherever they appear in a JSON body; the runtime
        /// replaces them with `<redacted>` in error excerpts.
        #[doc(hidden)]
        pub const SECRET_FIELDS: &[&str] = &[#(#secrets),*];
    });
}

/// Applies every rewrite to the `types` module.
pub fn apply(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        let Some((_, items)) = &mut m.content else {
            continue;
        };
        let opened = open_string_enums(items);
        parse_opened_members_last(items, &opened);
        let secret_types = secret_field_types(items);
        let mut debug_impls = Vec::new();
        for item in items.iter_mut() {
            match item {
                Item::Struct(s) => {
                    mark_non_exhaustive(&mut s.attrs);
                    debug_impls.extend(redact_debug(s, &secret_types));
                }
                Item::Enum(e) => mark_non_exhaustive(&mut e.attrs),
                Item::Mod(sub) if sub.ident == "builder" => {
                    let Some((_, builders)) = &mut sub.content else {
                        continue;
                    };
                    default_extra_to_empty(builders);
                    let mut builder_impls = Vec::new();
                    for b in builders.iter_mut() {
                        if let Item::Struct(s) = b {
                            builder_impls.extend(redact_debug(s, &BTreeSet::new()));
                        }
                    }
                    builders.extend(builder_impls);
                }
                _ => {}
            }
        }
        items.extend(debug_impls);
    }
}

/// typify's builders start every field as "not supplied", the `extra` map of unknown fields
/// included, so a body built from its known fields alone would fail to convert. An empty
/// map is the right default: no unknown fields.
fn default_extra_to_empty(builders: &mut [Item]) {
    struct EmptyExtra;
    impl syn::visit_mut::VisitMut for EmptyExtra {
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            let is_extra = matches!(&field.member, syn::Member::Named(i) if i == "extra");
            if is_extra
                && quote!(#field)
                    .to_string()
                    .contains("no value supplied for extra")
            {
                field.expr = syn::parse_quote!(Ok(::std::default::Default::default()));
            }
        }
    }
    for item in builders {
        if let Item::Impl(imp) = item
            && imp
                .trait_
                .as_ref()
                .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "Default"))
        {
            syn::visit_mut::VisitMut::visit_item_impl_mut(&mut EmptyExtra, imp);
        }
    }
}

fn mark_non_exhaustive(attrs: &mut Vec<syn::Attribute>) {
    if !attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        attrs.push(syn::parse_quote!(#[non_exhaustive]));
    }
}

/// Names of the models used as the type of a secret field: their whole `Debug` is redacted.
fn secret_field_types(items: &[Item]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        for field in &s.fields {
            let Some(name) = &field.ident else { continue };
            if SECRET_FIELDS.contains(&name.to_string().as_str())
                && let syn::Type::Path(p) = &field.ty
                && p.path.segments.len() == 1
            {
                out.insert(p.path.segments[0].ident.to_string());
            }
        }
    }
    out
}

/// For a struct holding a secret (or used as one), removes the derived `Debug` and returns
/// a hand-rolled one that prints `<redacted>` in the secret's place.
fn redact_debug(s: &mut ItemStruct, secret_types: &BTreeSet<String>) -> Option<Item> {
    let whole = secret_types.contains(&s.ident.to_string());
    let is_secret = |f: &syn::Field| {
        f.ident
            .as_ref()
            .is_some_and(|i| SECRET_FIELDS.contains(&i.to_string().as_str()))
    };
    if !whole && !s.fields.iter().any(is_secret) {
        return None;
    }
    remove_derive(&mut s.attrs, "Debug");
    let name = &s.ident;
    let label = name.to_string();
    let (impl_generics, ty_generics, where_clause) = s.generics.split_for_impl();
    let body: TokenStream = match &s.fields {
        syn::Fields::Named(named) if !whole => {
            let fields = named.named.iter().map(|field| {
                let ident = field.ident.as_ref().expect("named");
                let text = ident.to_string();
                if is_secret(field) {
                    quote! { .field(#text, &crate::redact::Redacted) }
                } else {
                    quote! { .field(#text, &self.#ident) }
                }
            });
            quote! { f.debug_struct(#label) #(#fields)* .finish() }
        }
        _ => quote! { f.debug_tuple(#label).field(&crate::redact::Redacted).finish() },
    };
    Some(syn::parse_quote! {
        impl #impl_generics ::std::fmt::Debug for #name #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #body
            }
        }
    })
}

/// Adds `Unknown(String)` to every enum whose variants are all plain strings, and replaces
/// typify's fallible string conversions with infallible ones. Returns the opened enums.
fn open_string_enums(items: &mut Vec<Item>) -> BTreeSet<String> {
    let templates = EnumTemplates::parse();
    let mut opened = BTreeSet::new();
    let mut new_impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let Some(values) = string_values(e) else {
            continue;
        };
        let unknown = if e.variants.iter().any(|v| v.ident == "Unknown") {
            format_ident!("UnknownValue")
        } else {
            format_ident!("Unknown")
        };
        let mut variant = templates.unknown.clone();
        variant.ident = unknown.clone();
        e.variants.push(variant);
        remove_derive(&mut e.attrs, "Copy");
        opened.insert(e.ident.to_string());
        new_impls.extend(string_impls(&e.ident, &values, &unknown, &templates));
    }
    // Drop typify's Display/FromStr/TryFrom impls for the opened enums.
    items.retain(|item| {
        let Item::Impl(imp) = item else { return true };
        let Some((trait_path, _)) = &imp.trait_ else {
            return true;
        };
        let self_name = crate::syntax::item_name(item).unwrap_or_default();
        if !opened.contains(&self_name) {
            return true;
        }
        let last = trait_path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        !matches!(last.as_str(), "Display" | "FromStr" | "TryFrom")
    });
    items.extend(new_impls);
    opened
}

/// typify parses a union of scalars from a string by trying its members in order:
/// `if let Ok(v) = value.parse() { Ok(Self::A(v)) } else if ...`. An opened string enum
/// parses every string, so its `if let` is irrefutable (a rustc warning, found in the real
/// documents of Phoenix and Prefect) and the members after it could never match. The
/// members that can fail are tried first, in their order, and the first opened one takes
/// whatever is left.
fn parse_opened_members_last(items: &mut [Item], opened: &BTreeSet<String>) {
    if opened.is_empty() {
        return;
    }
    // Union name → (variant → the opened enum it holds).
    let mut unions: std::collections::BTreeMap<String, Vec<(String, syn::Type)>> =
        Default::default();
    for item in items.iter() {
        let Item::Enum(e) = item else { continue };
        let holding: Vec<(String, syn::Type)> = e
            .variants
            .iter()
            .filter_map(|v| {
                let syn::Fields::Unnamed(f) = &v.fields else {
                    return None;
                };
                let [field] = f.unnamed.iter().collect::<Vec<_>>()[..] else {
                    return None;
                };
                let syn::Type::Path(p) = &field.ty else {
                    return None;
                };
                let last = p.path.segments.last()?.ident.to_string();
                opened
                    .contains(&last)
                    .then(|| (v.ident.to_string(), field.ty.clone()))
            })
            .collect();
        if !holding.is_empty() {
            unions.insert(e.ident.to_string(), holding);
        }
    }
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let is_from_str = imp
            .trait_
            .as_ref()
            .and_then(|(path, _)| path.segments.last())
            .is_some_and(|s| s.ident == "FromStr");
        if !is_from_str {
            continue;
        }
        let syn::Type::Path(self_ty) = &*imp.self_ty else {
            continue;
        };
        let Some(holding) = self_ty
            .path
            .segments
            .last()
            .and_then(|s| unions.get(&s.ident.to_string()))
        else {
            continue;
        };
        for member in &mut imp.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if let Some(body) = reorder_parse_chain(&f.block, holding) {
                f.block = body;
            }
        }
    }
}

/// The `if let Ok(v) = value.parse() { Ok(Self::V(v)) } else if ... else { Err(..) }` chain
/// rebuilt with the fallible members first and the first opened one as the final `else`;
/// `None` when the body is not such a chain.
fn reorder_parse_chain(block: &syn::Block, opened: &[(String, syn::Type)]) -> Option<syn::Block> {
    let [syn::Stmt::Expr(syn::Expr::If(first), None)] = &block.stmts[..] else {
        return None;
    };
    let mut tries: Vec<(syn::Expr, syn::Ident)> = Vec::new();
    let mut ends_in_else = false;
    let mut next = Some(first);
    while let Some(branch) = next.take() {
        let syn::Expr::Let(cond) = &*branch.cond else {
            return None;
        };
        let variant = ok_self_variant(&branch.then_branch)?;
        tries.push(((*cond.expr).clone(), variant));
        match &branch.else_branch {
            Some((_, e)) => match &**e {
                syn::Expr::If(inner) => next = Some(inner),
                syn::Expr::Block(_) => ends_in_else = true,
                _ => return None,
            },
            None => return None,
        }
    }
    if !ends_in_else {
        return None;
    }
    let is_opened = |v: &syn::Ident| opened.iter().find(|(name, _)| v == name).map(|(_, t)| t);
    let (last_variant, last_ty) = tries
        .iter()
        .find_map(|(_, v)| is_opened(v).map(|t| (v.clone(), t.clone())))?;
    let fallible: Vec<&(syn::Expr, syn::Ident)> = tries
        .iter()
        .filter(|(_, v)| is_opened(v).is_none())
        .collect();
    let final_else: syn::Expr = syn::parse_quote!(Ok(Self::#last_variant(#last_ty::from(value))));
    // The chain's final `Err(..)` is no longer reachable, and goes.
    let chain = fallible
        .iter()
        .rev()
        .fold(final_else, |rest, (parse, variant)| {
            let rest = match rest {
                syn::Expr::If(_) => quote!(#rest),
                _ => quote!({ #rest }),
            };
            syn::parse_quote! {
                if let Ok(v) = #parse {
                    Ok(Self::#variant(v))
                } else #rest
            }
        });
    Some(syn::parse_quote!({ #chain }))
}

/// `{ Ok(Self::V(v)) }` → `V`.
fn ok_self_variant(block: &syn::Block) -> Option<syn::Ident> {
    let [syn::Stmt::Expr(syn::Expr::Call(ok), None)] = &block.stmts[..] else {
        return None;
    };
    let [syn::Expr::Call(inner)] = &ok.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let syn::Expr::Path(p) = &*inner.func else {
        return None;
    };
    match &p.path.segments.iter().collect::<Vec<_>>()[..] {
        [this, variant] if this.ident == "Self" => Some(variant.ident.clone()),
        _ => None,
    }
}

/// `(variant, wire value)` for an enum of unit variants only.
fn string_values(e: &ItemEnum) -> Option<Vec<(syn::Ident, String)>> {
    e.variants
        .iter()
        .map(|v| {
            if !matches!(v.fields, syn::Fields::Unit) {
                return None;
            }
            let wire = crate::syntax::serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string());
            Some((v.ident.clone(), wire))
        })
        .collect::<Option<Vec<_>>>()
        .filter(|v| !v.is_empty())
}

/// Drops one trait from the item's `#[derive(...)]` lists.
fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths.iter().filter(|p| !p.is_ident(name)).collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}

/// What every opened enum gains with only its name changed, parsed once per run and
/// renamed per enum (parsing it anew per enum cost more than the clones).
struct EnumTemplates {
    /// The `Unknown(String)` variant (renamed when the enum already has an `Unknown`).
    unknown: syn::Variant,
    /// `Display`, `From<String>`, `From<&String>` and `FromStr`, for the enum `__Name`.
    display: Item,
    from_string: Item,
    from_string_ref: Item,
    from_str: Item,
}

impl EnumTemplates {
    fn parse() -> EnumTemplates {
        EnumTemplates {
            unknown: syn::parse_quote! {
                /// A value this version of the crate does not know; it round-trips unchanged.
                #[serde(untagged)]
                Unknown(::std::string::String)
            },
            display: syn::parse_quote! {
                impl ::std::fmt::Display for __Name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }
            },
            from_string: syn::parse_quote! {
                impl ::std::convert::From<::std::string::String> for __Name {
                    fn from(value: ::std::string::String) -> Self {
                        Self::from(value.as_str())
                    }
                }
            },
            from_string_ref: syn::parse_quote! {
                impl ::std::convert::From<&::std::string::String> for __Name {
                    fn from(value: &::std::string::String) -> Self {
                        Self::from(value.as_str())
                    }
                }
            },
            from_str: syn::parse_quote! {
                impl ::std::str::FromStr for __Name {
                    type Err = ::std::convert::Infallible;
                    fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                        Ok(Self::from(value))
                    }
                }
            },
        }
    }

    /// A clone of `template` for the enum `name`.
    fn for_enum(template: &Item, name: &syn::Ident) -> Item {
        struct Rename<'a>(&'a syn::Ident);
        impl syn::visit_mut::VisitMut for Rename<'_> {
            fn visit_ident_mut(&mut self, ident: &mut proc_macro2::Ident) {
                if ident == "__Name" {
                    *ident = self.0.clone();
                }
            }
        }
        let mut item = template.clone();
        syn::visit_mut::VisitMut::visit_item_mut(&mut Rename(name), &mut item);
        item
    }
}

fn string_impls(
    name: &syn::Ident,
    values: &[(syn::Ident, String)],
    unknown: &syn::Ident,
    templates: &EnumTemplates,
) -> Vec<Item> {
    let variants: Vec<&syn::Ident> = values.iter().map(|(v, _)| v).collect();
    let wires: Vec<&String> = values.iter().map(|(_, w)| w).collect();
    let renamed = |template: &Item| EnumTemplates::for_enum(template, name);
    vec![
        syn::parse_quote! {
            impl #name {
                /// The value as it is sent on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#variants => #wires,)*
                        Self::#unknown(value) => value.as_str(),
                    }
                }
            }
        },
        renamed(&templates.display),
        syn::parse_quote! {
            impl ::std::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #(#wires => Self::#variants,)*
                        other => Self::#unknown(other.to_string()),
                    }
                }
            }
        },
        renamed(&templates.from_string),
        renamed(&templates.from_string_ref),
        renamed(&templates.from_str),
    ]
}
