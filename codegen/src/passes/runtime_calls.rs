//! Stage 4c: every operation's `send()` hands its request to the client crate's
//! hand-written runtime (`crate::transport`), which owns authentication, retries,
//! timeouts, tracing, error classification and decoding.
//!
//! Progenitor's own `send()` executes the request itself and returns its `Error<E>`; here
//! it is replaced by a body built from the document: validate the builder's fields, build
//! the URL and query, attach the body, and call `send_json` or `send_empty`. The builders
//! also gain per-request options and, where the parameters follow a known pagination
//! convention, `stream()` and `page()`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{Item, ItemImpl};

use super::stamps::Stamps;
use super::{multipart, paginate, responses, statuses};
use crate::document::METHODS;
use crate::normalize::{bodies, parameters};
use crate::passes::link::Models;
use crate::syntax::{Success, builder_names, generic_arg, impl_name, param_ident};

/// What went wrong, and for which operation (its method name).
pub type RewriteError = (String, String);

/// Rewrites every builder in `file`; `document` is the normalized document.
pub fn route_through_runtime(
    file: &mut syn::File,
    document: &Value,
    models: &Models,
) -> Result<(), RewriteError> {
    let operations = operations(document);
    let builders = builder_names(file);
    let global_security = document.get("security");
    let templates = Templates::parse()?;
    for item in &mut file.items {
        match item {
            Item::Use(u)
                if quote!(#u).to_string().contains("progenitor_client")
                    && quote!(#u).to_string().contains("Error") =>
            {
                // The generated code's `Error` is the runtime's, not progenitor's.
                *u = syn::parse_quote!(
                    #[allow(unused_imports)]
                    pub use progenitor_client::{ByteStream, ClientInfo, ResponseValue};
                );
            }
            _ => {}
        }
    }
    file.items.push(syn::parse_quote!(
        #[allow(unused_imports)]
        pub use crate::error::Error;
    ));
    file.items.push(token_url_const(document));

    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "builder" {
            continue;
        }
        let Some((_, items)) = &mut m.content else {
            continue;
        };
        let field_types: BTreeMap<String, BTreeMap<String, syn::Type>> = items
            .iter()
            .filter_map(|i| match i {
                Item::Struct(s) => Some((
                    s.ident.to_string(),
                    s.fields
                        .iter()
                        .filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone())))
                        .collect(),
                )),
                _ => None,
            })
            .collect();
        for inner in items.iter_mut() {
            match inner {
                Item::Struct(s) => {
                    if s.fields
                        .iter()
                        .any(|f| f.ident.as_ref().is_some_and(|i| i == "request_options"))
                    {
                        let method = builders
                            .get(&s.ident.to_string())
                            .cloned()
                            .unwrap_or_default();
                        return Err((method, "a parameter named `request_options` collides with the builder's own field".into()));
                    }
                    if let syn::Fields::Named(named) = &mut s.fields {
                        named.named.push(templates.options_field.clone());
                    }
                }
                Item::Impl(imp) => {
                    let Some(builder) = impl_name(imp) else {
                        continue;
                    };
                    let sends = imp
                        .items
                        .iter()
                        .any(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "send"));
                    // Progenitor's `send` bodies were cut short before parsing
                    // (`generate::split`): every one must be written anew here.
                    let unmatched = || {
                        let method = builders.get(&builder).cloned().unwrap_or_default();
                        (
                            method,
                            format!(
                                "internal: the builder `{builder}` matches no operation of the document"
                            ),
                        )
                    };
                    let Some(method) = builders.get(&builder) else {
                        if sends {
                            return Err(unmatched());
                        }
                        continue;
                    };
                    let Some(op) = operations.get(method.as_str()) else {
                        if sends {
                            return Err(unmatched());
                        }
                        continue;
                    };
                    let types = field_types.get(&builder).cloned().unwrap_or_default();
                    rewrite_builder(imp, method, op, global_security, models, &types, &templates)
                        .map_err(|message| (method.clone(), message))?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The code every builder gains unchanged, parsed once per run and cloned per builder:
/// parsing it anew for each of thousands of builders cost more than the clones.
struct Templates {
    /// `request_options: crate::transport::RequestOptions`, the builder's field.
    options_field: syn::Field,
    /// Its initializer in the builder's constructor.
    options_init: syn::FieldValue,
    /// The per-request option setters, by name.
    option_setters: Vec<(&'static str, syn::ImplItem)>,
    /// Where all of them go, in a builder that has no setter of theirs ([`OptionSetters`]).
    option_marker: syn::ImplItem,
    /// The statements `send()` repeats per parameter ([`send_stamps`]).
    stamps: Stamps,
}

/// The name of the marker that stands for the six option setters in a builder's `impl`.
const OPTION_MARKER: &str = "__stackai_option_setters";

fn option_marker() -> TokenStream {
    let ident = format_ident!("{}", OPTION_MARKER);
    // Documented, so that the docs passes leave it as it is.
    quote!(#[doc = #OPTION_MARKER] fn #ident() {})
}

/// The per-request option setters, the same in every builder and about a third of
/// `builder.rs`: `runtime_calls` puts a one-line marker in their place, and the formatted
/// text of the six replaces the marker's in the formatted file ([`OptionSetters::splice`]);
/// cloning and formatting them once per operation cost more. The reviewer's views, which
/// are built from the tree, get the methods themselves ([`OptionSetters::expand`]).
pub struct OptionSetters {
    marker: String,
    setters: String,
    parsed: Vec<syn::ImplItem>,
}

impl OptionSetters {
    pub fn new() -> OptionSetters {
        let inside_impl = |members: TokenStream| {
            crate::syntax::impl_members_text(quote!(impl<'a> Any<'a> { #members }))
        };
        let setters = option_setters();
        let all: TokenStream = setters.iter().map(|(_, tokens)| tokens.clone()).collect();
        OptionSetters {
            marker: inside_impl(option_marker()),
            setters: inside_impl(all),
            parsed: setters
                .into_iter()
                .map(|(_, tokens)| syn::parse2(tokens).expect("the option setters parse"))
                .collect(),
        }
    }

    /// Replaces the marker in the formatted `text` of an item by the setters.
    pub fn splice(&self, text: &mut String) {
        if text.contains(OPTION_MARKER) {
            *text = text.replace(&self.marker, &self.setters);
        }
    }

    /// Replaces the marker in every builder of `file` by the setters themselves.
    pub fn expand(&self, file: &mut syn::File) {
        let Some(items) = crate::syntax::module_named_mut(file, "builder") else {
            return;
        };
        for item in items {
            let Item::Impl(imp) = item else { continue };
            let Some(at) = imp
                .items
                .iter()
                .position(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == OPTION_MARKER))
            else {
                continue;
            };
            imp.items.splice(at..=at, self.parsed.iter().cloned());
        }
    }
}

impl Default for OptionSetters {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    fn parse() -> Result<Templates, RewriteError> {
        let internal = |e: syn::Error| (String::new(), format!("internal: {e}"));
        Ok(Templates {
            options_field: syn::parse_quote!(request_options: crate::transport::RequestOptions),
            options_init: syn::parse_quote!(request_options: ::std::default::Default::default()),
            option_setters: option_setters()
                .into_iter()
                .map(|(name, tokens)| Ok((name, syn::parse2(tokens).map_err(internal)?)))
                .collect::<Result<_, RewriteError>>()?,
            option_marker: syn::parse2(option_marker()).map_err(internal)?,
            stamps: Stamps::parse(send_stamps()).map_err(|e| (String::new(), e))?,
        })
    }
}

/// The statements `build_send` writes per parameter as `__stamp!` markers (see
/// [`super::stamps`]): `__field` is the builder field, `"__wire"` the parameter's name.
fn send_stamps() -> Vec<(&'static str, TokenStream)> {
    vec![
        (
            "check",
            quote! {
                let __field = __field.map_err(|e| Error::invalid_request(&OPERATION, e))?;
            },
        ),
        (
            "query",
            quote! {
                let request = request.query(&progenitor_client::QueryParam::new("__wire", &__field));
            },
        ),
        (
            // An unset optional parameter adds nothing to the URL, so it is not handed to
            // the query serializer at all (a measurable cost per request otherwise).
            "query_optional",
            quote! {
                let request = match &__field {
                    Some(value) => request.query(&progenitor_client::QueryParam::new("__wire", value)),
                    None => request,
                };
            },
        ),
    ]
}

/// The normalized operations by method name, with their path and HTTP method.
struct Op<'a> {
    path: &'a str,
    method: &'static str,
    operation: &'a Value,
    path_params: Vec<&'a Value>,
}

impl<'a> Op<'a> {
    /// The parameters of the path item and of the operation, in that order.
    fn parameters(&self) -> Vec<&'a Value> {
        let own = self.operation.get("parameters").and_then(Value::as_array);
        self.path_params
            .iter()
            .copied()
            .chain(own.into_iter().flatten())
            .collect()
    }
}

fn operations(document: &Value) -> BTreeMap<&str, Op<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        let shared: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            out.insert(
                id,
                Op {
                    path,
                    method,
                    operation: op,
                    path_params: shared.clone(),
                },
            );
        }
    }
    out
}

/// `pub const OAUTH2_TOKEN_URL`, from the first OAuth2 password flow in the document.
fn token_url_const(document: &Value) -> Item {
    let url = document
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .find_map(|(_, scheme)| scheme.pointer("/flows/password/tokenUrl")?.as_str())
        .unwrap_or("token");
    syn::parse_quote!(
        /// Where the OAuth2 password flow gets tokens, as the document's security scheme
        /// gives it; a relative URL is relative to the client's base URL.
        pub const OAUTH2_TOKEN_URL: &str = #url;
    )
}

fn rewrite_builder(
    imp: &mut ItemImpl,
    method: &str,
    op: &Op<'_>,
    global_security: Option<&Value>,
    models: &Models,
    field_types: &BTreeMap<String, syn::Type>,
    templates: &Templates,
) -> Result<(), String> {
    let mut setters = Vec::new();
    let mut send_index = None;
    let optional_body = optional_body(op, field_types);
    for (i, member) in imp.items.iter_mut().enumerate() {
        let syn::ImplItem::Fn(f) = member else {
            continue;
        };
        let name = f.sig.ident.to_string();
        match name.as_str() {
            "new" => {
                add_options_to_constructor(f, &templates.options_init);
                if optional_body {
                    body_defaults_to_none(f);
                }
            }
            "send" => send_index = Some(i),
            _ => setters.push(name),
        }
    }
    let send_index = send_index.ok_or("progenitor generated no `send`")?;
    let syn::ImplItem::Fn(send) = &imp.items[send_index] else {
        unreachable!()
    };
    let success = success_type(&send.sig.output, op.operation)?;
    let fields = destructured_fields(send)?;
    let new_send = build_send(method, op, global_security, &fields, field_types, &success)?;
    let mut new_send: syn::ImplItemFn =
        syn::parse2(new_send).map_err(|e| format!("internal: {e}"))?;
    templates.stamps.expand(&mut new_send.block)?;
    imp.items[send_index] = syn::ImplItem::Fn(new_send);
    if let Success::Json(_) = &success
        && let Some(events) = responses::events_beside_json(op.operation)
    {
        if setters.iter().any(|s| s == "send_events") {
            return Err("a parameter named `send_events` collides with the builder's method for the operation's server-sent events".into());
        }
        let send = build_send(method, op, global_security, &fields, field_types, &events)?;
        // A body model with a `stream: bool` field selects events by it too.
        let flag = field_types
            .get("body")
            .and_then(|ty| generic_arg(ty, "Result"))
            .and_then(|held| model_of_builder(&held))
            .and_then(|model| models.field(&model.to_string(), "stream"))
            .is_some_and(|ty| matches!(ty, syn::Type::Path(p) if p.path.is_ident("bool")));
        let mut send_events = responses::send_events_method(send, flag)?;
        if let syn::ImplItem::Fn(f) = &mut send_events {
            templates.stamps.expand(&mut f.block)?;
        }
        imp.items.push(send_events);
    }

    if templates
        .option_setters
        .iter()
        .all(|(name, _)| !setters.iter().any(|s| s == name))
    {
        imp.items.push(templates.option_marker.clone());
    } else {
        for (name, setter) in &templates.option_setters {
            if !setters.iter().any(|s| s == name) {
                imp.items.push(setter.clone());
            }
        }
    }
    let params = op.parameters();
    if let Some(pagination) = paginate::methods(&params, field_types, &success, models) {
        for tokens in pagination {
            imp.items
                .push(syn::parse2(tokens).map_err(|e| format!("internal: {e}"))?);
        }
    }
    Ok(())
}

/// Whether the body is optional (`Model | None = None`): not `required`, held as an `Option`.
fn optional_body(op: &Op<'_>, field_types: &BTreeMap<String, syn::Type>) -> bool {
    op.operation.pointer("/requestBody/required") != Some(&Value::Bool(true))
        && field_types
            .get("body")
            .and_then(|ty| generic_arg(ty, "Result"))
            .is_some_and(|held| generic_arg(&held, "Option").is_some())
}

/// Progenitor starts every body as "not initialized"; an optional one starts as `None`.
fn body_defaults_to_none(f: &mut syn::ImplItemFn) {
    struct Init;
    impl syn::visit_mut::VisitMut for Init {
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            if matches!(&field.member, syn::Member::Named(id) if id == "body") {
                field.expr = syn::parse_quote!(Ok(None));
            }
        }
    }
    syn::visit_mut::VisitMut::visit_impl_item_fn_mut(&mut Init, f);
}

fn add_options_to_constructor(f: &mut syn::ImplItemFn, init: &syn::FieldValue) {
    struct AddField<'a>(&'a syn::FieldValue);
    impl syn::visit_mut::VisitMut for AddField<'_> {
        fn visit_expr_struct_mut(&mut self, s: &mut syn::ExprStruct) {
            s.fields.push(self.0.clone());
        }
    }
    syn::visit_mut::VisitMut::visit_impl_item_fn_mut(&mut AddField(init), f);
}

fn option_setters() -> Vec<(&'static str, TokenStream)> {
    vec![
        (
            "with_options",
            quote! {
                /// Overrides the client's retry and timeout settings for this request.
                pub fn with_options(mut self, options: crate::transport::RequestOptions) -> Self {
                    self.request_options = options;
                    self
                }
            },
        ),
        (
            "max_retries",
            quote! {
                /// Retries this request at most `max_retries` times (the client's policy otherwise).
                pub fn max_retries(mut self, max_retries: u32) -> Self {
                    self.request_options.max_retries = Some(max_retries);
                    self
                }
            },
        ),
        (
            "timeout",
            quote! {
                /// Gives each attempt of this request at most `timeout` (the client's otherwise).
                pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                    self.request_options.timeout = Some(timeout);
                    self
                }
            },
        ),
        (
            "extra_header",
            quote! {
                /// Sets a header the document does not describe on this request (every attempt
                /// and every page), replacing one of the same name.
                pub fn extra_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                    self.request_options = self.request_options.extra_header(name, value);
                    self
                }
            },
        ),
        (
            "extra_query",
            quote! {
                /// Appends a query parameter the document does not describe to this request
                /// (every attempt and every page).
                pub fn extra_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                    self.request_options = self.request_options.extra_query(name, value);
                    self
                }
            },
        ),
        (
            "extra_body",
            quote! {
                /// Sets a top-level body field the document does not describe (replacing one of
                /// the same name); an error at `send()` for a request without a JSON or form body.
                pub fn extra_body(mut self, name: impl Into<String>, value: impl Into<::serde_json::Value>) -> Self {
                    self.request_options = self.request_options.extra_body(name, value);
                    self
                }
            },
        ),
    ]
}

fn success_type(output: &syn::ReturnType, operation: &Value) -> Result<Success, String> {
    // `Result<ResponseValue<T>, Error<E>>`
    let syn::ReturnType::Type(_, ty) = output else {
        return Err("`send` returns nothing".into());
    };
    let inner = generic_arg(ty, "Result")
        .and_then(|response| generic_arg(&response, "ResponseValue"))
        .ok_or("unexpected `send` return type")?;
    if let Some(name) = statuses::enum_ident(operation) {
        return Ok(Success::ByStatus(name));
    }
    match &inner {
        syn::Type::Tuple(t) if t.elems.is_empty() => Ok(Success::Empty),
        syn::Type::Path(p)
            if p.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "ByteStream") =>
        {
            responses::raw_success(operation)
        }
        _ => Ok(Success::Json(Box::new(inner))),
    }
}

/// The builder's fields, in the order progenitor's `send` destructures them.
fn destructured_fields(send: &syn::ImplItemFn) -> Result<Vec<String>, String> {
    for stmt in &send.block.stmts {
        if let syn::Stmt::Local(local) = stmt
            && let syn::Pat::Struct(pat) = &local.pat
        {
            return Ok(pat
                .fields
                .iter()
                .filter_map(|f| match &f.member {
                    syn::Member::Named(id) => Some(id.to_string()),
                    syn::Member::Unnamed(_) => None,
                })
                .filter(|name| name != "client")
                .collect());
        }
    }
    Err("progenitor's `send` does not destructure its builder".into())
}

fn build_send(
    method: &str,
    op: &Op<'_>,
    global_security: Option<&Value>,
    fields: &[String],
    field_types: &BTreeMap<String, syn::Type>,
    success: &Success,
) -> Result<TokenStream, String> {
    let id = method;
    let http_method = op.method.to_uppercase();
    let path = op.path;
    let idempotent = matches!(
        op.method,
        "get" | "head" | "put" | "delete" | "options" | "trace"
    );
    let security = op.operation.get("security").or(global_security);
    let authenticated = security.and_then(Value::as_array).is_some_and(|reqs| {
        !reqs.is_empty()
            && reqs
                .iter()
                .all(|r| r.as_object().is_some_and(|o| !o.is_empty()))
    });

    let params = op.parameters();
    let param_of = |field: &str| -> Option<&Value> {
        params.iter().copied().find(|p| param_ident(p) == field)
    };

    let field_idents: Vec<syn::Ident> = fields.iter().map(|f| format_ident!("{}", f)).collect();
    let mut checks = Vec::new();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut cookies = Vec::new();
    let mut body = None;
    for (name, ident) in fields.iter().zip(&field_idents) {
        if name == "body" {
            // A model body is held by its builder (`types::builder::X`) and checked here; an
            // array, optional or free-form body (`Vec<X>`, `Option<X>`, a JSON map) is held
            // as it is sent.
            let held = field_types
                .get("body")
                .and_then(|ty| generic_arg(ty, "Result"));
            checks.push(match held.as_ref().and_then(model_of_builder) {
                Some(model) => quote! {
                    let body = body
                        .and_then(|v| types::#model::try_from(v).map_err(|e| e.to_string()))
                        .map_err(|e| Error::invalid_request(&OPERATION, e))?;
                },
                None => quote! {
                    let body = body.map_err(|e| Error::invalid_request(&OPERATION, e))?;
                },
            });
            if let Some(files) = bodies::file_fields(op.operation) {
                checks.push(multipart::form_expr(&files));
                body = Some(quote!(.multipart(body)));
            } else if held
                .as_ref()
                .is_some_and(|held| generic_arg(held, "Option").is_some())
            {
                // An unset optional body is no body at all, not `null`.
                let call = body_call(op.operation)?;
                headers.push(quote! {
                    let request = match &body {
                        Some(body) => request #call,
                        None => request,
                    };
                });
            } else {
                let call = body_call(op.operation)?;
                if body_media(op.operation) == "application/x-www-form-urlencoded" {
                    // Through name/value pairs: serde_urlencoded cannot encode a list.
                    checks.push(quote! {
                        let body = crate::form_fields::pairs(&body)
                            .map_err(|e| Error::invalid_request(&OPERATION, e))?;
                    });
                }
                body = Some(call);
            }
            continue;
        }
        checks.push(Stamps::marker("check", ident, None));
        let param =
            param_of(name).ok_or_else(|| format!("no parameter for builder field `{name}`"))?;
        let wire = crate::members::wire_name(param).unwrap_or(name);
        match param.get("in").and_then(Value::as_str) {
            Some("query") => query.push(if is_optional(field_types.get(name)) {
                Stamps::marker("query_optional", ident, Some(wire))
            } else {
                Stamps::marker("query", ident, Some(wire))
            }),
            Some("header") if parameters::is_cookie(param) => {
                if is_list(field_types.get(name)) {
                    return Err(format!(
                        "cookie parameter `{wire}` is a list, which is not supported: a cookie holds one value"
                    ));
                }
                cookies.push(if is_optional(field_types.get(name)) {
                    quote! {
                        if let Some(value) = &#ident {
                            cookies.push(cookie_pair(#wire, value.to_string())?);
                        }
                    }
                } else {
                    quote! { cookies.push(cookie_pair(#wire, #ident.to_string())?); }
                });
            }
            Some("header") if is_list(field_types.get(name)) => {
                // `list[str]` headers: one header line per item (reqwest appends).
                headers.push(if is_optional(field_types.get(name)) {
                    quote! {
                        let mut request = request;
                        for value in #ident.iter().flatten() {
                            request = request.header(#wire, value.to_string());
                        }
                    }
                } else {
                    quote! {
                        let mut request = request;
                        for value in &#ident {
                            request = request.header(#wire, value.to_string());
                        }
                    }
                });
            }
            Some("header") => {
                // The builder field's type, not `required`, says whether it is an `Option`
                // (an optional header can also be nullable, or required and nullable).
                headers.push(if is_optional(field_types.get(name)) {
                    quote! {
                        let request = match &#ident {
                            Some(value) => request.header(#wire, value.to_string()),
                            None => request,
                        };
                    }
                } else {
                    quote! { let request = request.header(#wire, #ident.to_string()); }
                });
            }
            Some("path") => {}
            other => {
                return Err(format!(
                    "parameter `{wire}` is in {other:?}, which is not supported"
                ));
            }
        }
    }

    if !cookies.is_empty() {
        headers.push(cookie_header(&cookies));
    }
    let file_parts = bodies::file_fields(op.operation).map(|_| quote!(file_parts,));
    let url = url_expr(path, &params)?;
    let accept = match success {
        Success::Json(_) | Success::ByStatus(_) => {
            Some(responses::accept_header("application/json"))
        }
        Success::Text { accept } | Success::Download { accept } => {
            Some(responses::accept_header(accept))
        }
        Success::Events { .. } => Some(responses::accept_header(responses::EVENT_STREAM)),
        Success::Empty => None,
    };
    let (return_type, call) = match success {
        Success::Empty => (
            quote!(()),
            quote!(
                crate::transport::send_empty(client, &OPERATION, request, request_options).await
            ),
        ),
        Success::Json(ty) => (
            quote!(#ty),
            quote!(crate::transport::send_json::<#ty>(client, &OPERATION, request, request_options).await),
        ),
        Success::ByStatus(name) => (
            quote!(types::#name),
            quote!(
                crate::statuses::send_by_status(client, &OPERATION, request, request_options).await
            ),
        ),
        Success::Text { .. } => (
            quote!(::std::string::String),
            quote!(crate::text::send_text(client, &OPERATION, request, request_options).await),
        ),
        Success::Download { .. } => (
            quote!(crate::Download),
            quote!(
                crate::download::send_download(client, &OPERATION, request, request_options).await
            ),
        ),
        Success::Events { data: Some(ty) } => (
            quote!(crate::EventStream<#ty>),
            quote!(crate::sse::send_events::<#ty>(client, &OPERATION, request, request_options).await),
        ),
        Success::Events { data: None } => (
            quote!(crate::EventStream<::std::string::String>),
            quote!(crate::sse::send_raw_events(client, &OPERATION, request, request_options).await),
        ),
    };
    let doc = format!("Sends the `{http_method}` request to `{path}`.");
    let method_ident = format_ident!("{}", http_method);
    Ok(quote! {
        #[doc = #doc]
        pub async fn send(self) -> Result<ResponseValue<#return_type>, Error> {
            static OPERATION: crate::transport::Operation = crate::transport::Operation {
                id: #id,
                method: #http_method,
                path: #path,
                idempotent: #idempotent,
                authenticated: #authenticated,
            };
            let Self { client, #(#field_idents,)* #file_parts request_options } = self;
            #(#checks)*
            // The URL is not bound to a name: a parameter may be named `url` (frigate's).
            let request = client
                .client
                .request(::reqwest::Method::#method_ident, #url)
                #accept
                #body;
            #(#query)*
            #(#headers)*
            #call
        }
    })
}

/// The cookie parameters (`pushes` add `name=value` pairs to `cookies`) sent as one `Cookie`
/// header. A value a cookie cannot carry (RFC 6265 `cookie-octet`s: no controls, spaces,
/// `"`, `,`, `;` or `\`) is refused before sending rather than split or altered.
fn cookie_header(pushes: &[TokenStream]) -> TokenStream {
    quote! {
        let cookie_pair = |name: &str, value: String| -> Result<String, Error> {
            if value.bytes().any(|b| !matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)) {
                return Err(Error::invalid_request(
                    &OPERATION,
                    format!("cookie `{name}`: {value:?} holds characters a cookie value cannot carry"),
                ));
            }
            Ok(format!("{name}={value}"))
        };
        let mut cookies: Vec<String> = Vec::new();
        #(#pushes)*
        let request = if cookies.is_empty() {
            request
        } else {
            request.header(::reqwest::header::COOKIE, cookies.join("; "))
        };
    }
}

/// Whether a builder field holds a list (`Result<Vec<T>, String>`, or in an `Option`).
fn is_list(ty: Option<&syn::Type>) -> bool {
    let held = ty.and_then(|ty| generic_arg(ty, "Result"));
    let held = held.map(|h| generic_arg(&h, "Option").unwrap_or(h));
    held.is_some_and(|h| generic_arg(&h, "Vec").is_some())
}

/// Whether a builder field (`Result<Option<T>, String>`) holds an optional value.
fn is_optional(ty: Option<&syn::Type>) -> bool {
    ty.and_then(|ty| generic_arg(ty, "Result"))
        .is_some_and(|inner| generic_arg(&inner, "Option").is_some())
}

/// `format!("{}/connections/{}", client.baseurl, encode_path(&connection_id.to_string()))`.
fn url_expr(path: &str, params: &[&Value]) -> Result<TokenStream, String> {
    let mut template = String::from("{}");
    let mut args = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or("unclosed `{` in the path")? + open;
        template.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        template.push_str("{}");
        let name = &rest[open + 1..close];
        let param = params
            .iter()
            .find(|p| {
                p.get("name").and_then(Value::as_str) == Some(name)
                    && p.get("in").and_then(Value::as_str) == Some("path")
            })
            .ok_or_else(|| format!("no path parameter `{name}`"))?;
        let ident = format_ident!("{}", param_ident(param));
        args.push(quote!(encode_path(&#ident.to_string())));
        rest = &rest[close + 1..];
    }
    template.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    Ok(quote!(format!(#template, client.baseurl, #(#args),*)))
}

/// `X` for a builder field holding `types::builder::X`.
fn model_of_builder(ty: &syn::Type) -> Option<syn::Ident> {
    let syn::Type::Path(p) = ty else { return None };
    let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    match segments.as_slice() {
        [types, builder, model] if types.ident == "types" && builder.ident == "builder" => {
            Some(model.ident.clone())
        }
        _ => None,
    }
}

/// The (one, after normalization) media type of the request body.
fn body_media(operation: &Value) -> &str {
    operation
        .pointer("/requestBody/content")
        .and_then(Value::as_object)
        .and_then(|c| c.keys().next())
        .map(String::as_str)
        .unwrap_or("")
}

fn body_call(operation: &Value) -> Result<TokenStream, String> {
    let media = body_media(operation);
    if media == "application/json" || media.starts_with("application/json;") {
        Ok(quote!(.json(&body)))
    } else if media == "application/x-www-form-urlencoded" {
        Ok(quote!(.form(&body)))
    } else if bodies::is_text_media(media) {
        // `normalize` made the body a required `String`, which progenitor's builder holds as
        // a `reqwest::Body`; the media type is the document's.
        Ok(quote! {
            .header(::reqwest::header::CONTENT_TYPE, #media)
            .body(body)
        })
    } else {
        Err(format!(
            "request bodies of type {media:?} are not supported"
        ))
    }
}
