//! Stage 4 pass: dynamic `field__operator=value` filters.
//!
//! An operation takes them when
//! * it carries the extension `x-dynamic-filters: {fields: [...], operators: [...]}` (both
//!   lists optional), which `openapi/overrides.json` can also add (its `dynamic_filters`); or
//! * its description says it "supports dynamic field__operator filters" (FastAPI services
//!   that read filters off the raw query say so in the docstring), with no field list.
//!
//! Its request builder gains a `dynamic_filters` field, a `filter(field, op, value)` method,
//! and a `send()` that adds the filters to the query through the runtime
//! (`crate::filters::apply`); a builder is cloned for each page of `stream()`, so the filters
//! go with every page. Where the fields are listed, `types::<Operation>FilterField` names
//! them (with an `Other(String)` for the rest). Operators and value encoding are the
//! runtime's (`generated/src/filters.rs`).

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{Item, visit_mut::VisitMut};

use crate::document::METHODS;
use crate::syntax::builder_names;

/// The extension that declares dynamic filters on an operation.
pub const EXTENSION: &str = "x-dynamic-filters";

/// The `$comment` the overrides put on the extension they add, so that the docs can say
/// where the declaration came from.
pub const OVERRIDES_COMMENT: &str = "declared by overrides.json";

/// The builder field holding the filters.
pub const FIELD: &str = "dynamic_filters";

/// What an operation declares about its filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// The fields that filter, if the document lists them.
    pub fields: Option<Vec<String>>,
    /// The operators, if the document lists them.
    pub operators: Option<Vec<String>>,
    /// Where the declaration came from, for the docs.
    pub source: &'static str,
}

/// Reads an `x-dynamic-filters` value; errors name the place below the extension.
pub fn parse_extension(value: &Value) -> Result<Declaration, (String, String)> {
    let Some(object) = value.as_object() else {
        return Err((
            String::new(),
            "must be an object with optional `fields` and `operators` lists of names".into(),
        ));
    };
    let mut out = Declaration {
        fields: None,
        operators: None,
        source: "the operation's `x-dynamic-filters`",
    };
    for (key, list) in object {
        let target = match key.as_str() {
            "fields" => &mut out.fields,
            "operators" => &mut out.operators,
            "$comment" if list.as_str() == Some(OVERRIDES_COMMENT) => {
                out.source = "`openapi/overrides.json` (its `dynamic_filters`)";
                continue;
            }
            k if k.starts_with("$comment") || k == "description" => continue,
            _ => {
                return Err((
                    format!("/{key}"),
                    "unknown key; expected `fields` or `operators`".into(),
                ));
            }
        };
        let Some(items) = list.as_array() else {
            return Err((format!("/{key}"), "must be a list of names".into()));
        };
        let mut names = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let name = item.as_str().unwrap_or_default();
            let valid = !name.is_empty()
                && !name.contains("__")
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err((
                    format!("/{key}/{i}"),
                    format!("{item} is not a name (letters, digits and single underscores)"),
                ));
            }
            if names.iter().any(|n| n == name) {
                return Err((format!("/{key}/{i}"), format!("`{name}` is listed twice")));
            }
            names.push(name.to_string());
        }
        *target = Some(names);
    }
    if let Some(fields) = &out.fields {
        let mut variants = BTreeMap::new();
        for (i, field) in fields.iter().enumerate() {
            let variant = field.to_upper_camel_case();
            if variant == "Other" {
                return Err((
                    format!("/fields/{i}"),
                    "`other` collides with the field enum's `Other(String)`".into(),
                ));
            }
            if let Some(first) = variants.insert(variant.clone(), field) {
                return Err((
                    format!("/fields/{i}"),
                    format!("`{field}` and `{first}` both become the variant `{variant}`"),
                ));
            }
        }
    }
    Ok(out)
}

/// The filters `operation` declares, if any.
pub fn declaration(operation: &Value) -> Result<Option<Declaration>, (String, String)> {
    if let Some(extension) = operation.get(EXTENSION) {
        return parse_extension(extension)
            .map(Some)
            .map_err(|(at, message)| (format!("/{EXTENSION}{at}"), message));
    }
    let described = ["description", "summary"].iter().any(|key| {
        operation
            .get(*key)
            .and_then(Value::as_str)
            .is_some_and(|text| text.to_ascii_lowercase().contains("field__operator filter"))
    });
    Ok(described.then_some(Declaration {
        fields: None,
        operators: None,
        source: "the operation's description (\"field__operator filters\")",
    }))
}

/// A declaration that cannot be read: the operation's method, the place below the operation
/// (`/x-dynamic-filters/fields/0`) and what is wrong.
pub type DeclarationError = (String, String, String);

/// Every operation's declaration, by method name (the normalized operationId).
pub fn declarations(document: &Value) -> Result<BTreeMap<String, Declaration>, DeclarationError> {
    let mut out = BTreeMap::new();
    for (_, item) in document["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if let Some(found) =
                declaration(op).map_err(|(at, message)| (id.to_string(), at, message))?
            {
                out.insert(id.to_string(), found);
            }
        }
    }
    Ok(out)
}

/// The name of the field enum of `method`'s filters.
pub fn field_enum_name(method: &str) -> syn::Ident {
    format_ident!("{}FilterField", method.to_upper_camel_case())
}

/// Adds the filters to the builders of the operations that declare them ([`add_field_enums`]
/// adds the enums of their fields to `types`).
pub fn extend_builders(
    file: &mut syn::File,
    declared: &BTreeMap<String, Declaration>,
) -> Result<(), DeclarationError> {
    if declared.is_empty() {
        return Ok(());
    }
    let builders = builder_names(file);
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "builder" {
            continue;
        }
        let Some((_, items)) = &mut m.content else {
            continue;
        };
        for inner in items.iter_mut() {
            match inner {
                Item::Struct(s) => {
                    let Some(method) = builders.get(&s.ident.to_string()) else {
                        continue;
                    };
                    if !declared.contains_key(method) {
                        continue;
                    }
                    if s.fields
                        .iter()
                        .any(|f| f.ident.as_ref().is_some_and(|i| i == FIELD))
                    {
                        return Err((
                            method.clone(),
                            String::new(),
                            format!(
                                "a parameter named `{FIELD}` collides with the builder's own field"
                            ),
                        ));
                    }
                    if let syn::Fields::Named(named) = &mut s.fields {
                        named.named.push(syn::parse_quote!(
                            dynamic_filters: ::std::vec::Vec<crate::filters::Filter>
                        ));
                    }
                }
                Item::Impl(imp) if imp.trait_.is_none() => {
                    let syn::Type::Path(p) = &*imp.self_ty else {
                        continue;
                    };
                    let Some(name) = p.path.segments.last().map(|s| s.ident.to_string()) else {
                        continue;
                    };
                    let Some(method) = builders.get(&name) else {
                        continue;
                    };
                    let Some(declaration) = declared.get(method) else {
                        continue;
                    };
                    extend_builder(imp, method, declaration)
                        .map_err(|message| (method.clone(), String::new(), message))?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Adds to `types` the enums of the fields the operations declare, in the order of the
/// operations in the normalized `document`, which is the order of their builders
/// (progenitor reads the paths in order, and the methods of each in `METHODS`' order).
pub fn add_field_enums(
    file: &mut syn::File,
    document: &Value,
    declared: &BTreeMap<String, Declaration>,
) {
    let mut enums = Vec::new();
    for (_, _, op) in crate::document::operations(document) {
        let Some(method) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        if let Some(declaration) = declared.get(method)
            && let Some(fields) = &declaration.fields
        {
            enums.extend(field_enum(method, fields, declaration.source));
        }
    }
    if let Some(items) = crate::syntax::module_named_mut(file, "types") {
        items.append(&mut enums);
    }
}

fn extend_builder(
    imp: &mut syn::ItemImpl,
    method: &str,
    declaration: &Declaration,
) -> Result<(), String> {
    let mut sent = false;
    for member in imp.items.iter_mut() {
        let syn::ImplItem::Fn(f) = member else {
            continue;
        };
        if f.sig.ident == "new" {
            struct AddField;
            impl VisitMut for AddField {
                fn visit_expr_struct_mut(&mut self, s: &mut syn::ExprStruct) {
                    s.fields
                        .push(syn::parse_quote!(dynamic_filters: ::std::vec::Vec::new()));
                }
            }
            AddField.visit_impl_item_fn_mut(f);
        } else if f.sig.ident == "send" {
            let stmts = &mut f.block.stmts;
            let destructure = stmts.iter_mut().find_map(|stmt| match stmt {
                syn::Stmt::Local(local) => match &mut local.pat {
                    syn::Pat::Struct(pat) => Some(pat),
                    _ => None,
                },
                _ => None,
            });
            let Some(pat) = destructure else {
                return Err("the runtime's `send` does not destructure its builder".into());
            };
            let field = match syn::parse::Parser::parse2(
                syn::Pat::parse_single,
                quote!(Self { dynamic_filters }),
            ) {
                Ok(syn::Pat::Struct(extra)) => extra.fields.into_iter().next(),
                _ => None,
            };
            pat.fields
                .push(field.ok_or("internal: the field pattern does not parse")?);
            let apply: syn::Stmt = syn::parse_quote!(
                let request = crate::filters::apply(request, &dynamic_filters)
                    .map_err(|e| Error::invalid_request(&OPERATION, e))?;
            );
            let at = stmts.len().saturating_sub(1);
            stmts.insert(at, apply);
            sent = true;
        }
    }
    if !sent {
        return Err("the builder has no `send`".into());
    }
    imp.items.push(
        syn::parse2(filter_method(method, declaration)).map_err(|e| format!("internal: {e}"))?,
    );
    Ok(())
}

fn filter_method(method: &str, declaration: &Declaration) -> TokenStream {
    let list = |names: &Option<Vec<String>>, what: &str| match names {
        Some(names) => format!(
            "The {what} it lists: {}.",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!("It does not list the {what}."),
    };
    let doc = format!(
        "Adds the dynamic filter `<field>__<op>=<value>` to the query (kept on every page of \
         `stream()`); call it once per filter.\n\nDeclared by {}. {} {}\n\nValues are encoded by \
         [`crate::FilterValue`]: datetimes in RFC 3339, lists (for `in`/`nin`) joined by commas.",
        declaration.source,
        list(&declaration.fields, "fields"),
        list(&declaration.operators, "operators"),
    );
    let field = match &declaration.fields {
        Some(_) => {
            let name = field_enum_name(method);
            quote!(types::#name)
        }
        None => quote!(impl crate::filters::FilterField),
    };
    quote! {
        #[doc = #doc]
        pub fn filter(
            mut self,
            field: #field,
            op: crate::filters::FilterOp,
            value: impl Into<crate::filters::FilterValue>,
        ) -> Self {
            self.dynamic_filters.push(crate::filters::Filter::new(field, op, value));
            self
        }
    }
}

fn field_enum(method: &str, fields: &[String], source: &str) -> Vec<Item> {
    let name = field_enum_name(method);
    let variants: Vec<syn::Ident> = fields
        .iter()
        .map(|f| format_ident!("{}", f.to_upper_camel_case()))
        .collect();
    let docs: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    let doc = format!(
        "The fields [`super::Client::{method}`] filters on, as {source} lists them; `Other` \
         names any other."
    );
    vec![
        syn::parse_quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #(#[doc = #docs] #variants,)*
                /// A field the document does not list, sent as given.
                Other(::std::string::String),
            }
        },
        syn::parse_quote! {
            impl crate::filters::FilterField for #name {
                fn name(&self) -> &str {
                    match self {
                        #(Self::#variants => #fields,)*
                        Self::Other(name) => name,
                    }
                }
            }
        },
    ]
}
