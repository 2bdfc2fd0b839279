//! Stage 4 (after `runtime_calls`): the file parts of `multipart/form-data` bodies.
//!
//! `normalize::bodies` split each multipart body into a typed model of its form fields, which
//! progenitor builds like any body (`body(...)`/`body_map(...)`), and the file properties it
//! recorded on the operation. Here each such builder gains a `file_parts` field and one
//! setter per file property, taking a `crate::multipart::FilePart` (bytes, a file path or an
//! async reader, the last two streamed), or any number of them for `list[UploadFile]`;
//! `runtime_calls` sends fields and files as one form through [`form_expr`].

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::Item;

use crate::document::METHODS;
use crate::normalize::bodies::{self, FileField};
use crate::syntax::{builder_names, item_name};

/// The statement of `send()` that turns the checked form model `body` and the builder's
/// `file_parts` into a `reqwest::multipart::Form` (also named `body`).
pub(crate) fn form_expr(files: &[FileField]) -> TokenStream {
    let required: Vec<&str> = files
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name.as_str())
        .collect();
    quote! {
        let body = crate::multipart::form(&OPERATION, &body, file_parts, &[#(#required),*]).await?;
    }
}

/// The client crate's optional feature that upload operations need (its `multipart.rs`).
pub const FEATURE: &str = "multipart";

/// The file properties of each multipart operation of the normalized `document`, by method.
fn files_by_method(document: &Value) -> BTreeMap<String, Vec<FileField>> {
    let mut files_by_method = BTreeMap::new();
    for (_, item) in document["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            if let (Some(id), Some(files)) = (
                op.get("operationId").and_then(Value::as_str),
                bodies::file_fields(op),
            ) {
                files_by_method.insert(id.to_string(), files);
            }
        }
    }
    files_by_method
}

/// Whether the code generated from the normalized `document` needs the [`FEATURE`]: it has
/// upload operations, and refuses to compile without it.
pub fn needs_feature(document: &Value) -> bool {
    !files_by_method(document).is_empty()
}

/// Adds the `file_parts` field and the file setters to every multipart operation's builder.
pub fn add_file_setters(file: &mut syn::File, document: &Value) {
    let builders = builder_names(file);
    let files_by_method = files_by_method(document);
    if !files_by_method.is_empty() {
        file.items.push(syn::parse_quote! {
            #[cfg(not(feature = "multipart"))]
            compile_error!(
                "this API has multipart/form-data operations: enable the client crate's `multipart` feature"
            );
        });
    }
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "builder" {
            continue;
        }
        let Some((_, items)) = &mut m.content else {
            continue;
        };
        for inner in items.iter_mut() {
            let Some(name) = item_name(inner) else {
                continue;
            };
            let Some(files) = builders
                .get(&name)
                .and_then(|method| files_by_method.get(method))
            else {
                continue;
            };
            match inner {
                Item::Struct(s) => {
                    if let syn::Fields::Named(named) = &mut s.fields {
                        named
                            .named
                            .push(syn::parse_quote!(file_parts: crate::multipart::FileParts));
                    }
                }
                Item::Impl(imp) if imp.trait_.is_none() => {
                    for member in &mut imp.items {
                        if let syn::ImplItem::Fn(f) = member
                            && f.sig.ident == "new"
                        {
                            init_in_constructor(f);
                        }
                    }
                    let taken: Vec<String> = imp
                        .items
                        .iter()
                        .filter_map(|m| match m {
                            syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                            _ => None,
                        })
                        .collect();
                    for field in files {
                        imp.items.push(setter(field, &taken));
                    }
                }
                _ => {}
            }
        }
    }
}

fn init_in_constructor(f: &mut syn::ImplItemFn) {
    struct AddField;
    impl syn::visit_mut::VisitMut for AddField {
        fn visit_expr_struct_mut(&mut self, s: &mut syn::ExprStruct) {
            s.fields
                .push(syn::parse_quote!(file_parts: ::std::default::Default::default()));
        }
    }
    syn::visit_mut::VisitMut::visit_impl_item_fn_mut(&mut AddField, f);
}

/// The setter's name: the field's, in snake_case, unless that is not an identifier (a
/// keyword, nothing left) or the builder already has such a method (`body`, `send`, a
/// parameter): then `<name>_file`.
fn setter_ident(wire: &str, taken: &[String]) -> syn::Ident {
    let name = crate::normalize::naming::snake_case(wire);
    let usable = syn::parse_str::<syn::Ident>(&name).is_ok()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && !taken.contains(&name);
    if usable {
        format_ident!("{}", name)
    } else {
        let name = if name.is_empty() { "file".into() } else { name };
        let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
            format!("file_{name}")
        } else {
            format!("{name}_file")
        };
        format_ident!("{}", name)
    }
}

fn setter(field: &FileField, taken: &[String]) -> syn::ImplItem {
    let wire = field.name.as_str();
    let ident = setter_ident(wire, taken);
    let required = if field.required {
        "Required"
    } else {
        "Optional"
    };
    if field.list {
        let doc = format!(
            "The files of the `{wire}` form field, one part each (replacing any set before). \
             {required}{}.",
            if field.required { ": at least one" } else { "" }
        );
        syn::parse_quote! {
            #[doc = #doc]
            pub fn #ident<I>(mut self, parts: I) -> Self
            where
                I: ::std::iter::IntoIterator<Item = crate::multipart::FilePart>,
            {
                self.file_parts.set_all(#wire, parts);
                self
            }
        }
    } else {
        let doc = format!("The file of the `{wire}` form field. {required}.");
        syn::parse_quote! {
            #[doc = #doc]
            pub fn #ident(mut self, part: crate::multipart::FilePart) -> Self {
                self.file_parts.set(#wire, part);
                self
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setter_names_never_clash() {
        let taken = vec!["body".to_string(), "send".to_string()];
        for (wire, want) in [
            ("file", "file"),
            ("Upload-File", "upload_file"),
            ("body", "body_file"),
            ("type", "type_file"),
            ("2nd", "file_2nd"),
            ("---", "file_file"),
        ] {
            assert_eq!(setter_ident(wire, &taken).to_string(), want, "{wire}");
        }
    }
}
