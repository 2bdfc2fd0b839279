//! Stage 4½: typed mocks for the application's own tests, generated as the module
//! `mock` (behind the client crate's `mock` feature, rendered to `mock.rs`).
//!
//! For each operation it emits a mock builder named like the request builder, reached
//! through `MockServer::<method>()`: one matcher per parameter (typed as the request
//! builder's setter), `body` (the typed model, compared as JSON) and `body_partial`, `filter`
//! where the operation takes dynamic filters, then typed answers: `ok(&T)` with the
//! documented success status, `error(status, &body)`, `status(status)`, `respond_with`, and
//! `pages(items)` for an operation with `stream()`. A parameter named like one of these
//! (`crate::members::MOCK`) is matched by `<name>_<location>` (`status_query`), and an
//! operation named like `MockServer`'s own methods is mocked as `<method>_operation`: only
//! the mocks yield, the request builders keep their names. Cookie parameters are matched in the
//! `Cookie` header; form bodies (URL-encoded, multipart) and file parts are not matched, only
//! the operation's parameters. The server, matching, the unmatched
//! report and paging live in the client crate's hand-written `mocking.rs`.
//!
//! Why not progenitor's own `Generator::httpmock`: it extends `httpmock::MockServer` from the
//! raw document, so it knows nothing of what the passes add (dynamic filters, the runtime's
//! query encoding: it writes query values with `Display`, where the client sends serde's
//! names), has no way to serve a list as pages, and leaves an unmatched request as
//! httpmock's anonymous 404, which names no operation. Generating on wiremock (already the
//! tests' server) lets the matchers reuse the client's own encoders and the report name the
//! operation.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::Item;

use crate::document::operations;
use crate::normalize::bodies::MULTIPART_MARKER;
use crate::normalize::parameters::COOKIE_MARKER;
use crate::passes::{filters, responses, statuses};
use crate::syntax::{
    builder_names, generic_arg, module_named, param_ident, serde_rename, type_text,
};

/// What the mocks read from the tree after the passes (the builders' fields and `send`
/// and `stream` types, the models' fields), with every type as its tokens' text: syn's
/// trees cannot cross threads, and the mocks are generated on threads of their own
/// (`crate::halves`) from [`builder_inputs`] and [`model_inputs`].
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Builder name → its operation's method.
    builders: BTreeMap<String, String>,
    /// Builder name → its fields (name, type).
    structs: BTreeMap<String, Vec<(String, String)>>,
    /// Builder name → the type `send` succeeds with (none for `()`), the item of `stream`.
    shapes: BTreeMap<String, (Option<String>, Option<String>)>,
    models: BTreeMap<String, Fields>,
}

/// The models' part of the [`Inputs`]: their fields, read from the `types` module.
#[derive(Debug, Clone, Default)]
pub struct ModelInputs(BTreeMap<String, Fields>);

/// The [`ModelInputs`] of `file` (the `types` half of the tree is enough).
pub fn model_inputs(file: &syn::File) -> ModelInputs {
    ModelInputs(models(file))
}

impl Inputs {
    /// These inputs with the models' part replaced.
    pub fn with_models(mut self, models: ModelInputs) -> Inputs {
        self.models = models.0;
        self
    }
}

/// The [`Inputs`] of the mocks of `file` but the models' (the rest of the tree, without
/// `types`, is enough).
pub fn builder_inputs(file: &syn::File) -> Inputs {
    let text = |ty: &syn::Type| quote!(#ty).to_string();
    let (structs, shapes) = builder_shapes(file);
    Inputs {
        builders: builder_names(file),
        structs: structs
            .into_iter()
            .map(|(name, fields)| {
                let fields = fields.iter().map(|(f, ty)| (f.clone(), text(ty))).collect();
                (name, fields)
            })
            .collect(),
        shapes: shapes
            .into_iter()
            .map(|(name, s)| {
                (
                    name,
                    (
                        s.success.as_ref().map(text),
                        s.stream_item.as_ref().map(text),
                    ),
                )
            })
            .collect(),
        models: BTreeMap::new(),
    }
}

impl Inputs {
    /// The builders' fields and shapes with their types parsed again.
    #[allow(clippy::type_complexity)]
    fn parsed<'b>(
        &self,
        only: impl Iterator<Item = &'b String>,
    ) -> Result<
        (
            BTreeMap<String, Vec<(String, syn::Type)>>,
            BTreeMap<String, Shape>,
        ),
        (String, String),
    > {
        let parse = |text: &str| {
            syn::parse_str::<syn::Type>(text)
                .map_err(|e| (String::new(), format!("internal: the type `{text}`: {e}")))
        };
        let only: std::collections::BTreeSet<&String> = only.collect();
        let mut structs = BTreeMap::new();
        for (name, fields) in self.structs.iter().filter(|(n, _)| only.contains(n)) {
            let fields = fields
                .iter()
                .map(|(f, ty)| Ok((f.clone(), parse(ty)?)))
                .collect::<Result<_, (String, String)>>()?;
            structs.insert(name.clone(), fields);
        }
        let mut shapes = BTreeMap::new();
        for (name, (success, stream_item)) in self.shapes.iter().filter(|(n, _)| only.contains(n)) {
            let shape = Shape {
                success: success.as_deref().map(parse).transpose()?,
                stream_item: stream_item.as_deref().map(parse).transpose()?,
            };
            shapes.insert(name.clone(), shape);
        }
        Ok((structs, shapes))
    }
}

/// Which mock builders [`generate_share`] generates: the mocks of a large document are
/// cut in two, generated and formatted on two threads (`crate::halves`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    /// The `mock` module with the first half of the operations' mock builders.
    Head,
    /// The other half's mock builders, the items that follow [`Share::Head`]'s in the module.
    Tail,
}

/// Where [`Share::Head`] ends: the head also holds what every operation shares (the
/// table, `MockServer`'s methods).
fn head_len(operations: usize) -> usize {
    operations * 3 / 5
}

/// The mocks of `share` (for [`Share::Head`], one item, the module), generated from their
/// [`Inputs`] and the normalized `document`. Errors name the operation (its method) and the
/// problem; an error of the head's comes before any of the tail's in the document's order.
///
/// With `common` false, the mock builders lack the methods every one of them has
/// ([`common_methods`]); [`CommonMethods::append`] adds them to the formatted text instead,
/// which costs a fraction of cloning and formatting them once per operation.
pub fn generate_share(
    inputs: &Inputs,
    document: &Value,
    share: Share,
    common: bool,
) -> Result<Vec<Item>, (String, String)> {
    let builders = &inputs.builders;
    let declared = filters::declarations(document)
        .map_err(|(method, at, message)| (method, format!("at {at}: {message}")))?;
    let models = &inputs.models;
    let builder_of: BTreeMap<&String, &String> = builders.iter().map(|(b, m)| (m, b)).collect();
    let mocked: Vec<(&str, &str, &Value, &str, &String)> = operations(document)
        .filter_map(|(path, verb, op)| {
            let method = op.get("operationId").and_then(Value::as_str)?;
            let builder = builder_of.get(&method.to_string())?;
            Some((path, verb, op, method, *builder))
        })
        .collect();
    let head = head_len(mocked.len());
    let built = match share {
        Share::Head => 0..head,
        Share::Tail => head..mocked.len(),
    };
    let (structs, impls) = inputs.parsed(mocked[built.clone()].iter().map(|m| m.4))?;

    let mut table = Vec::new();
    let mut server_methods = Vec::new();
    let mut items = Vec::new();
    for (index, &(path, verb, op, method, builder)) in mocked.iter().enumerate() {
        let fail = |message: String| (method.to_string(), message);
        let success = proc_macro2::Literal::u16_unsuffixed(success_status(op));
        let http = verb.to_uppercase();
        let name = format_ident!("{}", builder);
        if share != Share::Tail {
            table.push(quote! {
                crate::mocking::MockOperation {
                    id: #method,
                    method: #http,
                    path: #path,
                    success: #success,
                }
            });
            let method_ident = format_ident!("{}", crate::members::mock_server_method(method));
            let server_doc = format!(
                "Mocks [`crate::Client::{method}`] (`{http} {path}`): set what the request must carry, then how to answer."
            );
            server_methods.push(quote! {
                #[doc = #server_doc]
                pub fn #method_ident(&self) -> #name<'_> {
                    #name {
                        server: self,
                        conditions: crate::mocking::Conditions::new(&OPERATIONS[#index]),
                    }
                }
            });
        }
        if !built.contains(&index) {
            continue;
        }
        let fields = structs.get(builder).cloned().unwrap_or_default();
        let shape = impls.get(builder).cloned().unwrap_or_default();

        let params: Vec<&Value> = item_parameters(document, path, op);
        let fields_of_params: std::collections::BTreeSet<String> =
            params.iter().map(|p| param_ident(p)).collect();
        let mut methods = Vec::new();
        for (field, ty) in &fields {
            // File parts are streamed and may not be replayable: mocks match uploads by their
            // parameters only.
            if matches!(field.as_str(), "client" | "request_options" | "file_parts")
                || field == filters::FIELD
            {
                continue;
            }
            if field == "body" {
                // Form bodies (URL-encoded, multipart) are not JSON: mocks match them by
                // their parameters only.
                if !has_json_body(op) {
                    continue;
                }
                let model = body_type(ty);
                methods.push(quote! {
                    /// Matches only requests whose JSON body equals `body`.
                    pub fn body(mut self, body: &#model) -> Self {
                        self.conditions = self.conditions.body(body);
                        self
                    }
                    /// Matches only requests whose JSON body has the members of `body` (objects
                    /// compared member by member, recursively; anything else must be equal).
                    pub fn body_partial(mut self, body: ::serde_json::Value) -> Self {
                        self.conditions = self.conditions.body_partial(body);
                        self
                    }
                });
                continue;
            }
            let Some(param) = params.iter().find(|p| param_ident(p) == *field) else {
                return Err(fail(format!("no parameter for builder field `{field}`")));
            };
            let wire = crate::members::wire_name(param).unwrap_or(field);
            let location = param.get("in").and_then(Value::as_str).unwrap_or("query");
            let inner = setter_type(ty);
            let ident = format_ident!(
                "{}",
                crate::members::mock_matcher(
                    field,
                    crate::members::location(param),
                    &fields_of_params
                )
            );
            let cookie = param.get(COOKIE_MARKER) == Some(&Value::Bool(true));
            let call = match location {
                "path" => quote!(path_param(#wire, &value)),
                "header" if cookie => quote!(cookie(#wire, &value)),
                "header" => quote!(header(#wire, &value)),
                "query" => quote!(query(#wire, &value)),
                other => {
                    return Err(fail(format!(
                        "parameters in {other:?} are not supported by the mocks"
                    )));
                }
            };
            let location = if cookie { "cookie" } else { location };
            let doc =
                format!("Matches only requests whose `{wire}` {location} parameter is `value`.");
            methods.push(quote! {
                #[doc = #doc]
                pub fn #ident(mut self, value: impl Into<#inner>) -> Self {
                    let value: #inner = value.into();
                    self.conditions = self.conditions.#call;
                    self
                }
            });
        }
        if let Some(declaration) = declared.get(method) {
            let field = match &declaration.fields {
                Some(_) => {
                    let e = filters::field_enum_name(method);
                    quote!(types::#e)
                }
                None => quote!(impl crate::filters::FilterField),
            };
            methods.push(quote! {
                /// Matches only requests carrying this dynamic filter, encoded as the client
                /// encodes it.
                pub fn filter(
                    mut self,
                    field: #field,
                    op: crate::filters::FilterOp,
                    value: impl Into<crate::filters::FilterValue>,
                ) -> Self {
                    self.conditions = self
                        .conditions
                        .filter(&crate::filters::Filter::new(field, op, value));
                    self
                }
            });
        }
        let raw = shape.success.as_ref().and(responses::mock_body(op));
        let ok = match (&shape.success, raw) {
            (Some(_), _) if statuses::enum_ident(op).is_some() => {
                statuses::mock_ok(op).expect("keyed by status")
            }
            (None, _) => {
                let doc = format!("Answers {success} with no body.");
                quote! {
                    #[doc = #doc]
                    pub async fn ok(self) {
                        self.server.mount_json(self.conditions, #success, None).await;
                    }
                }
            }
            (Some(_), Some(responses::MockBody::Text(media))) => {
                let doc = format!("Answers {success} with `text` as the body, as `{media}`.");
                quote! {
                    #[doc = #doc]
                    pub async fn ok(self, text: &str) {
                        let response = ::wiremock::ResponseTemplate::new(#success)
                            .set_body_raw(text.to_owned(), #media);
                        self.server.mount(self.conditions, response).await;
                    }
                }
            }
            (Some(_), Some(responses::MockBody::Bytes(media))) => {
                let doc = format!("Answers {success} with `body` as `{media}`.");
                quote! {
                    #[doc = #doc]
                    pub async fn ok(self, body: &[u8]) {
                        let response = ::wiremock::ResponseTemplate::new(#success)
                            .set_body_raw(body.to_vec(), #media);
                        self.server.mount(self.conditions, response).await;
                    }
                }
            }
            (Some(_), Some(responses::MockBody::Events(data))) => {
                events_answer("ok", &success, data)
            }
            (Some(ty), None) => {
                let doc = format!("Answers {success} with `value` as JSON.");
                quote! {
                    #[doc = #doc]
                    pub async fn ok(self, value: &#ty) {
                        let body = crate::mocking::to_json(&value);
                        self.server.mount_json(self.conditions, #success, Some(body)).await;
                    }
                }
            }
        };
        methods.push(ok);
        if let Some(crate::syntax::Success::Events { data }) = responses::events_beside_json(op) {
            methods.push(events_answer("ok_events", &success, data));
        }
        if let (Some(item), Some(response)) = (&shape.stream_item, &shape.success)
            && let Some(pages) = pages_method(document, path, op, item, response, models)
        {
            methods.push(pages);
        }

        let doc = format!(
            "A mock of [`crate::Client::{method}`] (`{http} {path}`), from [`MockServer::{}`]. \
             Nothing is mounted until an answer (`ok`, `error`, `status`, `respond_with`{}) is awaited.",
            crate::members::mock_server_method(method),
            if shape.stream_item.is_some() {
                ", `pages`"
            } else {
                ""
            }
        );
        items.push(quote! {
            #[doc = #doc]
            #[derive(Debug)]
            #[must_use = "a mock is mounted only when an answer such as `.ok(..).await` is awaited"]
            pub struct #name<'a> {
                server: &'a MockServer,
                conditions: crate::mocking::Conditions,
            }

            impl<'a> #name<'a> {
                #(#methods)*
            }
        });
    }
    let internal = |e: syn::Error| (String::new(), format!("internal: {e}"));
    let mut items: Vec<Item> = if share == Share::Tail {
        syn::parse2::<syn::File>(quote!(#(#items)*))
            .map_err(internal)?
            .items
    } else {
        vec![syn::parse2(module(&table, &server_methods, &items)).map_err(internal)?]
    };
    if !common {
        return Ok(items);
    }
    // Every mock builder's own methods follow its operation's: parsed once, cloned into
    // each (parsing them anew per operation cost more than the clones).
    let common: syn::ItemImpl = syn::parse2(common_methods()).map_err(internal)?;
    let builder_impls = match items.as_mut_slice() {
        [
            Item::Mod(syn::ItemMod {
                content: Some((_, inner)),
                ..
            }),
        ] if share != Share::Tail => inner,
        _ => &mut items,
    };
    for item in builder_impls {
        if let Item::Impl(imp) = item
            && !imp.generics.params.is_empty()
        {
            imp.items.extend(common.items.iter().cloned());
        }
    }
    Ok(items)
}

/// The `mock` module around the operations' `table`, `MockServer`'s methods and the mock
/// builders.
fn module(
    table: &[TokenStream],
    server_methods: &[TokenStream],
    items: &[TokenStream],
) -> TokenStream {
    quote! {
        /// Typed mocks of every operation, for testing code that uses the client (feature
        /// `mock`): start a [`MockServer`](mock::MockServer), mount mocks through its
        /// methods (one per operation), and point the code under test at
        /// [`MockServer::client`](mock::MockServer::client).
        #[cfg(feature = "mock")]
        pub mod mock {
            #[allow(unused_imports)]
            use super::types;
            pub use crate::mocking::{MOCK_TOKEN, MockServer, UNMATCHED_STATUS};

            /// Every operation's method, path template and success status, for matching.
            #[doc(hidden)]
            pub static OPERATIONS: &[crate::mocking::MockOperation] = &[#(#table),*];

            impl MockServer {
                #(#server_methods)*
            }

            #(#items)*
        }
    }
}

/// The methods every mock builder has ([`common_methods`]), formatted once, to follow each
/// mock builder's own in the formatted text of a share generated without them.
pub struct CommonMethods(String);

impl CommonMethods {
    /// Formats the methods as prettyplease formats them inside a builder's `impl`.
    pub fn format() -> CommonMethods {
        CommonMethods(crate::syntax::impl_members_text(common_methods()))
    }

    /// Appends the methods to the formatted `text` of `item`, if it is a mock builder's
    /// `impl` (the only generic ones in the module).
    pub fn append(&self, item: &Item, text: &mut String) {
        let Item::Impl(imp) = item else { return };
        if imp.generics.params.is_empty() {
            return;
        }
        if let Some(open) = text.strip_suffix("{}\n") {
            *text = format!("{open}{{\n{}}}\n", self.0);
        } else if let Some(body) = text.strip_suffix("}\n") {
            *text = format!("{body}{}}}\n", self.0);
        }
    }
}

/// The methods every mock builder has, whatever its operation (in an `impl` to parse).
fn common_methods() -> TokenStream {
    quote! {
        impl<'a> Any<'a> {
            /// Fails the test (when the server is dropped) unless exactly `times` requests
            /// matched this mock.
            pub fn times(mut self, times: u64) -> Self {
                self.conditions = self.conditions.times(times);
                self
            }

            /// Answers `status` with `body` as JSON: an error the API documents (its
            /// validation error, say) or any other.
            pub async fn error(self, status: u16, body: &impl ::serde::Serialize) {
                let body = crate::mocking::to_json(body);
                self.server.mount_json(self.conditions, status, Some(body)).await;
            }

            /// Answers `status` with no body.
            pub async fn status(self, status: u16) {
                self.server.mount_json(self.conditions, status, None).await;
            }

            /// Answers with any response (headers, delays, raw bodies).
            pub async fn respond_with(self, response: ::wiremock::ResponseTemplate) {
                self.server.mount(self.conditions, response).await;
            }
        }
    }
}

/// `ok` (or `ok_events`) of an operation answering server-sent events: each item is one
/// event's `data`, as JSON (typed data) or as it is (raw text).
fn events_answer(
    name: &str,
    success: &proc_macro2::Literal,
    data: Option<Box<syn::Type>>,
) -> TokenStream {
    let name = quote::format_ident!("{}", name);
    let (param, encode, what) = match data {
        Some(ty) => (
            quote!(&[#ty]),
            quote!(crate::mocking::to_json(e).to_string()),
            "as JSON",
        ),
        None => (quote!(&[&str]), quote!((*e).to_owned()), "as it is"),
    };
    let doc = format!(
        "Answers {success} with server-sent events (`text/event-stream`): one event per item, \
         its `data` the item {what}."
    );
    quote! {
        #[doc = #doc]
        pub async fn #name(self, events: #param) {
            let body = crate::mocking::event_stream_body(events.iter().map(|e| #encode));
            let response = ::wiremock::ResponseTemplate::new(#success)
                .set_body_raw(body, "text/event-stream");
            self.server.mount(self.conditions, response).await;
        }
    }
}

/// The operation's parameters, the path item's first.
fn item_parameters<'a>(document: &'a Value, path: &str, op: &'a Value) -> Vec<&'a Value> {
    let shared = document["paths"][path]
        .get("parameters")
        .and_then(Value::as_array);
    let own = op.get("parameters").and_then(Value::as_array);
    shared
        .into_iter()
        .flatten()
        .chain(own.into_iter().flatten())
        .collect()
}

/// The documented success status (the first 2xx, 200 when none is given exactly).
fn success_status(op: &Value) -> u16 {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(code, _)| code.parse::<u16>().ok())
        .filter(|code| (200..300).contains(code))
        .min()
        .unwrap_or(200)
}

/// `Result<Option<T>, String>` or `Result<T, String>` → `T`.
fn setter_type(ty: &syn::Type) -> syn::Type {
    let inner = generic_arg(ty, "Result").unwrap_or_else(|| ty.clone());
    generic_arg(&inner, "Option").unwrap_or(inner)
}

/// The type a body matcher takes, from the builder's body field: `types::X` for
/// `Result<types::builder::X, String>`, `T` for `Result<Option<T>, String>` (an absent
/// optional body is matched by not setting `body`), else the field's own type (`Vec<_>`,
/// a JSON map).
fn body_type(ty: &syn::Type) -> syn::Type {
    let inner = generic_arg(ty, "Result").unwrap_or_else(|| ty.clone());
    if let syn::Type::Path(p) = &inner
        && p.path.segments.len() == 3
        && p.path.segments[0].ident == "types"
        && p.path.segments[1].ident == "builder"
    {
        let last = &p.path.segments[2].ident;
        return syn::parse_quote!(types::#last);
    }
    generic_arg(&inner, "Option").unwrap_or(inner)
}

/// Whether the operation's request body is JSON (what `body` and `body_partial` compare).
fn has_json_body(op: &Value) -> bool {
    // Multipart form fields travel through progenitor as a JSON body, with a marker.
    op.get(MULTIPART_MARKER).is_none()
        && op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            .is_some_and(|content| {
                content
                    .keys()
                    .any(|media| media == "application/json" || media.ends_with("+json"))
            })
}

#[derive(Clone, Default)]
struct Shape {
    /// The success body's type; `None` for no body.
    success: Option<syn::Type>,
    /// The item type of `stream()`, for a paginated operation.
    stream_item: Option<syn::Type>,
}

/// Builder name → its fields (name, type), and → the shape of its methods.
#[allow(clippy::type_complexity)]
fn builder_shapes(
    file: &syn::File,
) -> (
    BTreeMap<String, Vec<(String, syn::Type)>>,
    BTreeMap<String, Shape>,
) {
    let mut structs = BTreeMap::new();
    let mut shapes: BTreeMap<String, Shape> = BTreeMap::new();
    for inner in module_named(file, "builder") {
        match inner {
            Item::Struct(s) => {
                let fields = s
                    .fields
                    .iter()
                    .filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone())))
                    .collect();
                structs.insert(s.ident.to_string(), fields);
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let syn::Type::Path(p) = &*imp.self_ty else {
                    continue;
                };
                let Some(name) = p.path.segments.last().map(|s| s.ident.to_string()) else {
                    continue;
                };
                for member in &imp.items {
                    let syn::ImplItem::Fn(f) = member else {
                        continue;
                    };
                    let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                        continue;
                    };
                    if f.sig.ident == "send" {
                        let body = generic_arg(ty, "Result")
                            .and_then(|r| generic_arg(&r, "ResponseValue"));
                        let shape = shapes.entry(name.clone()).or_default();
                        shape.success = body
                            .filter(|t| !matches!(t, syn::Type::Tuple(t) if t.elems.is_empty()));
                    } else if f.sig.ident == "stream" {
                        shapes.entry(name.clone()).or_default().stream_item =
                            generic_arg(ty, "Paginated");
                    }
                }
            }
            _ => {}
        }
    }
    (structs, shapes)
}

/// Model name → its fields: (Rust name, wire name, type text, has a serde default).
type Fields = Vec<(String, String, String, bool)>;

fn models(file: &syn::File) -> BTreeMap<String, Fields> {
    let mut out = BTreeMap::new();
    for inner in module_named(file, "types") {
        let Item::Struct(s) = inner else { continue };
        let fields = s
            .fields
            .iter()
            .filter_map(|f| {
                let name = f.ident.as_ref()?.to_string();
                let wire = serde_rename(&f.attrs).unwrap_or_else(|| name.clone());
                let defaulted = f.attrs.iter().any(|a| {
                    let syn::Meta::List(list) = &a.meta else {
                        return false;
                    };
                    list.path.is_ident("serde")
                        && mentions(&list.tokens, &|text| {
                            text.contains("default") || text.contains("flatten")
                        })
                });
                Some((name, wire, type_text(&f.ty), defaulted))
            })
            .collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// Whether a token of `tokens` (an identifier or a literal, at any depth) reads as `wanted`
/// says; without printing the whole stream, which cost more than the rest of the models'
/// inputs together.
fn mentions(tokens: &TokenStream, wanted: &dyn Fn(&str) -> bool) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => wanted(&ident.to_string()),
        proc_macro2::TokenTree::Literal(literal) => wanted(&literal.to_string()),
        proc_macro2::TokenTree::Group(group) => mentions(&group.stream(), wanted),
        proc_macro2::TokenTree::Punct(_) => false,
    })
}

/// `pages(items)`: the operation's pagination served from a list.
fn pages_method(
    document: &Value,
    path: &str,
    op: &Value,
    item: &syn::Type,
    response: &syn::Type,
    models: &BTreeMap<String, Fields>,
) -> Option<TokenStream> {
    let params = item_parameters(document, path, op);
    let query = |name: &str| {
        params.iter().copied().find(|p| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("in").and_then(Value::as_str) == Some("query")
        })
    };
    let default_of = |p: Option<&Value>, fallback: u64| {
        p.and_then(|p| p.pointer("/schema/default"))
            .and_then(Value::as_u64)
            .unwrap_or(fallback)
    };
    let style = if query("cursor").is_some() {
        let size = ["page_size", "limit"]
            .into_iter()
            .find(|n| query(n).is_some());
        let default = proc_macro2::Literal::u64_unsuffixed(default_of(size.and_then(query), 50));
        let size = match size {
            Some(s) => quote!(Some(#s)),
            None => quote!(None),
        };
        quote!(crate::mocking::PageStyle::Cursor { cursor: "cursor", size: #size, default_size: #default })
    } else {
        let default = proc_macro2::Literal::u64_unsuffixed(default_of(query("limit"), u64::MAX));
        quote!(crate::mocking::PageStyle::Offset { offset: "offset", limit: "limit", default_limit: #default })
    };
    let envelope = if generic_arg(response, "Vec").is_some() {
        quote!(|items, _page| ::serde_json::Value::Array(items))
    } else {
        let syn::Type::Path(p) = response else {
            return None;
        };
        let model = p.path.segments.last()?.ident.to_string();
        let mut inserts = Vec::new();
        for (name, wire, ty, defaulted) in models.get(&model)? {
            let value = match name.as_str() {
                "data" => quote!(::serde_json::Value::Array(::std::mem::take(&mut items))),
                "total" => quote!(::serde_json::Value::from(page.total)),
                "limit" => quote!(::serde_json::Value::from(page.limit)),
                "offset" => quote!(::serde_json::Value::from(page.offset)),
                "next_cursor" => quote!(::serde_json::Value::from(page.next_cursor.clone())),
                "current_cursor" => quote!(::serde_json::Value::from(page.cursor.clone())),
                _ if *defaulted || ty.starts_with("Option<") => continue,
                _ if ty == "String" => quote!(::serde_json::Value::from("")),
                _ if ty.starts_with('i') || ty.starts_with('u') => {
                    quote!(::serde_json::Value::from(0))
                }
                _ if ty == "bool" => quote!(::serde_json::Value::from(false)),
                _ if ty.starts_with("Vec<") => quote!(::serde_json::Value::Array(Vec::new())),
                _ => return None,
            };
            inserts.push(quote!(object.insert(#wire.to_string(), #value);));
        }
        quote!(|mut items, page| {
            let mut object = ::serde_json::Map::new();
            #(#inserts)*
            let _ = (&items, &page);
            ::serde_json::Value::Object(object)
        })
    };
    let success = proc_macro2::Literal::u16_unsuffixed(success_status(op));
    let item_text = type_text(item);
    let doc = format!(
        "Serves `items` as the pages the client's `stream()` and `page()` ask for (by the \
         request's {}), answering {success}; combine it with matchers (filters) to check \
         what every page request carries. `{item_text}` values are sent as JSON.",
        if query("cursor").is_some() {
            "cursor and page size"
        } else {
            "offset and limit"
        }
    );
    Some(quote! {
        #[doc = #doc]
        pub async fn pages(self, items: ::std::vec::Vec<#item>) {
            let items = items.iter().map(crate::mocking::to_json).collect();
            let pages = crate::mocking::Pages {
                items,
                style: #style,
                status: #success,
                envelope: #envelope,
            };
            self.server.mount(self.conditions, pages).await;
        }
    })
}
