//! The enums of responses keyed by status, for operations whose success statuses answer
//! different bodies (`200 Job` / `202 JobAccepted`, JSON at 200 and nothing at 204).
//!
//! Normalization (`normalize/statuses.rs`) records such an operation's statuses on it under
//! `x-stackai-statuses` and shows progenitor untyped JSON; this pass adds to `types`, for
//! each, an enum named after the method (`create_job` → `CreateJobResponse`):
//!
//! - one variant per documented status, named by its reason phrase (`Ok(Job)`,
//!   `Accepted(JobAccepted)`, `NoContent`; `Status299` for a code without one);
//! - `Other { status, body }` for a 2xx the document does not list (the server did what
//!   was asked; its body is kept as untyped JSON, `null` when empty), and
//!   `#[non_exhaustive]`, since upstream may document more statuses;
//! - `status()`, and `crate::statuses::ByStatus`, which decodes a body by its status.
//!
//! [`super::runtime_calls`] makes such a `send()` return the enum through
//! `crate::statuses::send_by_status`, and the mock generator gives its `ok` the enum
//! ([`mock_ok`]).

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use serde_json::Value;

use crate::document::operations;
use crate::normalize::statuses::{Body, errors, statuses, variant_name};
use crate::rust_names::sanitize;
use crate::syntax::{item_name, module_named_mut};

/// The enum's name for an operation keyed by status (`CreateJobResponse`), or `None` for
/// an operation with one success type.
pub(crate) fn enum_ident(operation: &Value) -> Option<syn::Ident> {
    statuses(operation)?;
    named(operation, "Response")
}

/// The name of the enum of an operation's documented errors (`GetAccountError`), or `None`
/// for an operation that documents no error body beyond FastAPI's 422.
pub(crate) fn error_enum_ident(operation: &Value) -> Option<syn::Ident> {
    errors(operation)?;
    named(operation, "Error")
}

fn named(operation: &Value, suffix: &str) -> Option<syn::Ident> {
    let method = operation.get("operationId")?.as_str()?;
    Some(format_ident!("{}{suffix}", method.to_upper_camel_case()))
}

/// The two enums keyed by status: successes (`<Method>Response`) and errors
/// (`<Method>Error`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Successes,
    Errors,
}

/// Adds the enum of every operation keyed by status, and of every operation documenting
/// error bodies, to the `types` module of `file`. Errors name the operation (its method)
/// and the problem.
pub fn apply(file: &mut syn::File, document: &Value) -> Result<(), (String, String)> {
    let mut enums = Vec::new();
    for (_, _, op) in operations(document) {
        if let (Some(name), Some(list)) = (enum_ident(op), statuses(op)) {
            enums.push((op, Group::Successes, name, list));
        }
        if let (Some(name), Some(list)) = (error_enum_ident(op), errors(op)) {
            enums.push((op, Group::Errors, name, list));
        }
    }
    if enums.is_empty() {
        return Ok(());
    }
    let Some(types) = module_named_mut(file, "types") else {
        return Err((
            String::new(),
            "progenitor generated no `types` module".into(),
        ));
    };
    for (op, group, name, list) in enums {
        let method = op["operationId"].as_str().unwrap_or_default().to_string();
        let fail = |message: String| (method.clone(), message);
        let defined = |wanted: &str| {
            types
                .iter()
                .any(|i| item_name(i).as_deref() == Some(wanted))
        };
        if defined(&name.to_string()) {
            let what = match group {
                Group::Successes => "its successes differ by status and get",
                Group::Errors => "its documented errors get",
            };
            return Err(fail(format!(
                "{what} the enum `{name}`, but a type of that name exists"
            )));
        }
        let mut variants = Vec::new();
        let mut arms = Vec::new();
        let mut codes = Vec::new();
        for (status, body) in &list {
            let variant = format_ident!("{}", variant_name(*status));
            let code = proc_macro2::Literal::u16_unsuffixed(*status);
            let description = op
                .pointer(&format!("/responses/{status}/description"))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|d| !d.is_empty());
            let mut doc = format!("Status {status}");
            match description {
                Some(d) => doc.push_str(&format!(": {d}")),
                None => doc.push('.'),
            }
            if !doc.ends_with(['.', '!', '?']) {
                doc.push('.');
            }
            let payload = match body {
                Body::Schema(schema) => {
                    let ty = sanitize(schema, true);
                    if !defined(&ty) {
                        return Err(fail(format!(
                            "status {status}'s schema `{schema}` generated no type `{ty}`"
                        )));
                    }
                    Some(format_ident!("{}", ty).into_token_stream())
                }
                Body::Json => Some(quote!(::serde_json::Value)),
                Body::Empty => None,
            };
            match (payload, group) {
                (Some(ty), _) => {
                    variants.push(quote! { #[doc = #doc] #variant(#ty), });
                    arms.push(match group {
                        Group::Successes => {
                            quote! { #code => crate::statuses::json(body).map(Self::#variant), }
                        }
                        Group::Errors => {
                            quote! { #code => crate::statuses::json(body).ok().map(Self::#variant), }
                        }
                    });
                    codes.push(quote! { Self::#variant(_) => #code, });
                }
                (None, group) => {
                    let doc = match group {
                        Group::Successes => format!("{doc} No body."),
                        Group::Errors => format!("{doc} No body is documented."),
                    };
                    variants.push(quote! { #[doc = #doc] #variant, });
                    arms.push(match group {
                        Group::Successes => quote! { #code => Ok(Self::#variant), },
                        Group::Errors => quote! { #code => Some(Self::#variant), },
                    });
                    codes.push(quote! { Self::#variant => #code, });
                }
            }
        }
        let listed: Vec<String> = list.iter().map(|(s, _)| s.to_string()).collect();
        let (doc, other_doc, trait_impl) = match group {
            Group::Successes => (
                format!(
                    "What [`crate::Client::{method}`] answers, by status: {}. Match on the \
                     variant, with a `_` arm for statuses the API may document later.",
                    listed.join(", ")
                ),
                "A success status the document does not list; the server did what was asked, \
                 and its body is kept as untyped JSON (`null` when empty; a body that is not \
                 JSON is an `ErrorKind::Decode` error).",
                quote! {
                    impl crate::statuses::ByStatus for #name {
                        fn decode(status: u16, body: &[u8]) -> ::std::result::Result<Self, ::serde_json::Error> {
                            match status {
                                #(#arms)*
                                status => crate::statuses::json(body).map(|body| Self::Other { status, body }),
                            }
                        }
                    }
                },
            ),
            Group::Errors => (
                format!(
                    "The errors [`crate::Client::{method}`] documents, by status: {}. Read \
                     from its error with [`crate::Error::body_as`]; match on the variant, with \
                     a `_` arm for statuses the API may document later.",
                    listed.join(", ")
                ),
                "An error status the document does not list, or a body that is not its \
                 status's model: the body as JSON (a JSON string when it is not JSON; `null` \
                 when empty, or larger than the 64 KiB an error keeps).",
                quote! {
                    impl crate::error::ErrorBody for #name {
                        const OPERATION: &'static str = #method;

                        fn decode(status: u16, body: &[u8]) -> ::std::option::Option<Self> {
                            match status {
                                #(#arms)*
                                _ => None,
                            }
                        }

                        fn other(status: u16, body: ::serde_json::Value) -> Self {
                            Self::Other { status, body }
                        }
                    }
                },
            ),
        };
        let enum_item = quote! {
            #[doc = #doc]
            #[derive(Clone, Debug)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                #[doc = #other_doc]
                Other {
                    /// The status the server answered with.
                    status: u16,
                    /// The body, as JSON.
                    body: ::serde_json::Value,
                },
            }
        };
        let tokens = quote! {
            #enum_item

            impl #name {
                /// The HTTP status the server answered with.
                pub fn status(&self) -> u16 {
                    match self {
                        #(#codes)*
                        Self::Other { status, .. } => *status,
                    }
                }
            }

            #trait_impl
        };
        let file: syn::File = syn::parse2(tokens).map_err(|e| fail(format!("internal: {e}")))?;
        types.extend(file.items);
    }
    Ok(())
}

/// The mock's `ok` for an operation keyed by status: it takes the enum, and answers the
/// variant's status with its body as JSON (no body for a variant without data).
pub(crate) fn mock_ok(operation: &Value) -> Option<TokenStream> {
    let name = enum_ident(operation)?;
    let mut arms = Vec::new();
    for (status, body) in statuses(operation)? {
        let variant = format_ident!("{}", variant_name(status));
        let code = proc_macro2::Literal::u16_unsuffixed(status);
        arms.push(match body {
            Body::Empty => quote! { types::#name::#variant => (#code, None), },
            _ => quote! {
                types::#name::#variant(value) => (#code, Some(crate::mocking::to_json(value))),
            },
        });
    }
    Some(quote! {
        /// Answers with `response`: the status of its variant, and its body as JSON (no
        /// body for a variant without data).
        pub async fn ok(self, response: &types::#name) {
            let (status, body) = match response {
                #(#arms)*
                types::#name::Other { status, body } => (*status, Some(body.clone())),
            };
            self.server.mount_json(self.conditions, status, body).await;
        }
    })
}
