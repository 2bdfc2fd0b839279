//! Stage 4b: documentation for every public item progenitor and typify leave bare.
//!
//! Where the document describes the thing (a parameter's or property's `description`),
//! that text is used; otherwise the doc states what the document says of it: where it
//! goes on the wire, whether it is required or nullable, its default and its limits. The
//! client crate denies `missing_docs` on the generated module, so nothing slips through.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use serde_json::Value;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Item, ItemImpl, Visibility};

use crate::document::operations;
use crate::syntax::{
    builder_names, doc_attr, impl_name, is_self_type, module_named, param_ident, serde_rename,
    type_text,
};

/// Adds the missing docs to `file`, generated from the normalized `document`.
pub fn document(file: &mut syn::File, document: &Value) {
    document_from_source(file, document);
    // Whatever is left (a shape this pass has not met before) gets a plain line rather
    // than a build failure.
    Fallback.visit_file_mut(file);
}

/// Everything [`document`] does but the fallback walk, which `passes::apply` runs in its
/// one walk over the whole tree (see [`Fallback`]).
pub(crate) fn document_from_source(file: &mut syn::File, document: &Value) {
    let operations = operations_by_builder(file, document);
    let schemas = schemas_by_type_name(document);
    let mut field_docs: BTreeMap<(String, String), Vec<Attribute>> = BTreeMap::new();

    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        let Some((_, items)) = &mut m.content else {
            continue;
        };
        if m.ident == "types" {
            // Models first, so that their builders can copy the field docs.
            for inner in items.iter_mut() {
                if let Item::Struct(s) = inner {
                    document_model(s, schemas.get(&s.ident.to_string()), &mut field_docs);
                }
            }
            for inner in items.iter_mut() {
                match inner {
                    Item::Impl(imp) if imp.trait_.is_none() => {
                        for f in impl_fns(imp) {
                            if f.sig.ident == "builder" {
                                add_doc(&mut f.attrs, "Starts a builder for this type.");
                            }
                        }
                    }
                    Item::Mod(sub) if sub.ident == "builder" => {
                        document_model_builders(sub, &field_docs);
                    }
                    _ => {}
                }
            }
        } else if m.ident == "builder" {
            for inner in items.iter_mut() {
                let Item::Impl(imp) = inner else { continue };
                let op = impl_name(imp).and_then(|name| operations.get(&name).copied());
                document_operation_builder(imp, op);
            }
        }
    }
    compile_examples(file);
}

/// Builder struct name → the normalized operation it sends.
fn operations_by_builder<'a>(file: &syn::File, document: &'a Value) -> BTreeMap<String, &'a Value> {
    let by_method: BTreeMap<String, &Value> = operations(document)
        .filter_map(|(_, _, op)| Some((op.get("operationId")?.as_str()?.to_string(), op)))
        .collect();
    builder_names(file)
        .into_iter()
        .filter_map(|(builder, method)| Some((builder, *by_method.get(&method)?)))
        .collect()
}

/// Rust type name (as typify spells it) → component schema.
fn schemas_by_type_name(document: &Value) -> BTreeMap<String, &Value> {
    document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, schema)| (name.to_upper_camel_case(), schema))
        .collect()
}

fn document_model(
    s: &mut syn::ItemStruct,
    schema: Option<&&Value>,
    field_docs: &mut BTreeMap<(String, String), Vec<Attribute>>,
) {
    let type_name = s.ident.to_string();
    add_doc(&mut s.attrs, &format!("The API's `{type_name}` object."));
    let required: Vec<&str> = schema
        .and_then(|s| s.get("required"))
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for field in s.fields.iter_mut() {
        let Some(ident) = &field.ident else { continue };
        let ident = ident.to_string();
        let wire = serde_rename(&field.attrs)
            .unwrap_or_else(|| ident.trim_start_matches("r#").to_string());
        let flattened = field.attrs.iter().any(|a| {
            a.path().is_ident("serde") && quote::quote!(#a).to_string().contains("flatten")
        });
        if flattened && ident == "extra" {
            add_doc(
                &mut field.attrs,
                "Fields the API sent that this version of the crate does not know; they are sent back unchanged.",
            );
        } else if matches!(field.vis, Visibility::Public(_)) {
            let property = schema
                .and_then(|s| s.get("properties"))
                .and_then(|p| p.get(&wire));
            // A renamed field's key carries its wire name (`crate::members`).
            let shown = crate::members::decode_key(&wire).unwrap_or_else(|| wire.clone());
            let text = match property {
                Some(p) => {
                    let fallback = format!("The `{shown}` field.");
                    described(p, None, &fallback, required.contains(&wire.as_str()))
                }
                None => format!("The `{shown}` field."),
            };
            add_doc(&mut field.attrs, &text);
        }
        let docs: Vec<Attribute> = field
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        field_docs.insert((type_name.clone(), ident), docs);
    }
}

/// typify's `types::builder::X` setters: each gets its field's doc.
fn document_model_builders(
    m: &mut syn::ItemMod,
    field_docs: &BTreeMap<(String, String), Vec<Attribute>>,
) {
    let Some((_, items)) = &mut m.content else {
        return;
    };
    for item in items.iter_mut() {
        match item {
            Item::Struct(s) => {
                let text = format!("A builder for [`super::{}`], field by field.", s.ident);
                add_doc(&mut s.attrs, &text);
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let Some(type_name) = impl_name(imp) else {
                    continue;
                };
                for f in impl_fns(imp) {
                    let key = (type_name.clone(), f.sig.ident.to_string());
                    match field_docs.get(&key) {
                        Some(docs) if !docs.is_empty() && !has_doc(&f.attrs) => {
                            f.attrs.splice(0..0, docs.iter().cloned());
                        }
                        _ => add_doc(&mut f.attrs, &format!("Sets `{}`.", f.sig.ident)),
                    }
                }
            }
            _ => {}
        }
    }
}

/// Progenitor's per-operation builders: `new`, one setter per parameter, `body`, `body_map`.
fn document_operation_builder(imp: &mut ItemImpl, op: Option<&Value>) {
    let params: Vec<&Value> = op
        .and_then(|o| o.get("parameters"))
        .and_then(Value::as_array)
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    for f in impl_fns(imp) {
        let name = f.sig.ident.to_string();
        let text = match name.as_str() {
            "new" => "Starts the request; `Client`'s method of the same name is the usual way in."
                .to_string(),
            "body" => body_doc(op, "Sets the request body."),
            "body_map" => body_doc(
                op,
                "Edits the request body through its builder, starting from the fields set so far.",
            ),
            _ => match params.iter().find(|p| param_ident(p) == name) {
                Some(p) => {
                    let wire = crate::members::wire_name(p).unwrap_or(&name);
                    let location = if crate::normalize::parameters::is_cookie(p) {
                        "cookie"
                    } else {
                        p.get("in").and_then(Value::as_str).unwrap_or("query")
                    };
                    let required = p.get("required") == Some(&Value::Bool(true));
                    let fallback = format!("The `{wire}` {location} parameter.");
                    let schema = p.get("schema").unwrap_or(&Value::Null);
                    // FastAPI repeats a parameter's description inside its schema.
                    let lead = p.get("description").and_then(Value::as_str);
                    described(schema, lead, &fallback, required)
                }
                None => format!("Sets `{name}`."),
            },
        };
        add_doc(&mut f.attrs, &text);
    }
}

fn body_doc(op: Option<&Value>, lead: &str) -> String {
    let description = op
        .and_then(|o| o.pointer("/requestBody/description"))
        .and_then(Value::as_str);
    match description {
        Some(d) => format!("{lead}\n\n{d}"),
        None => lead.to_string(),
    }
}

/// `preferred` text, else the description of the schema, else `fallback`, followed by the facts a
/// caller needs: required or optional, nullable, default, bounds.
fn described(schema: &Value, preferred: Option<&str>, fallback: &str, required: bool) -> String {
    let mut facts = Vec::new();
    facts.push(if required {
        "Required".to_string()
    } else {
        "Optional".to_string()
    });
    match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => facts.push("a UUID".into()),
        Some("date-time") => facts.push("an RFC 3339 date-time".into()),
        _ => {}
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        facts.push("may be null".into());
    }
    if let Some(default) = schema.get("default") {
        facts.push(format!("defaults to `{default}`"));
    }
    if let Some(min) = schema.get("minimum") {
        facts.push(format!("at least {min}"));
    }
    if let Some(max) = schema.get("maximum") {
        facts.push(format!("at most {max}"));
    }
    let lead = preferred
        .or_else(|| schema.get("description").and_then(Value::as_str))
        .map(str::trim)
        .unwrap_or(fallback);
    format!("{lead}\n\n{}.", facts.join("; "))
}

fn impl_fns(imp: &mut ItemImpl) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    imp.items.iter_mut().filter_map(|member| match member {
        syn::ImplItem::Fn(f) if matches!(f.vis, Visibility::Public(_)) => Some(f),
        _ => None,
    })
}

fn has_doc(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

/// Adds `text` as the doc comment unless there already is one.
fn add_doc(attrs: &mut Vec<Attribute>, text: &str) {
    if !has_doc(attrs) {
        attrs.insert(0, doc_attr(text));
    }
}

/// The last resort: a plain doc line on every public item, method, field and variant the
/// document-driven docs above left bare. Its work on each node is in the `fallback_*`
/// functions, which `passes::apply` calls from its one walk over the tree.
struct Fallback;

impl VisitMut for Fallback {
    fn visit_item_mut(&mut self, item: &mut Item) {
        fallback_item(item);
        syn::visit_mut::visit_item_mut(self, item);
    }

    fn visit_item_impl_mut(&mut self, imp: &mut ItemImpl) {
        fallback_impl(imp);
        syn::visit_mut::visit_item_impl_mut(self, imp);
    }

    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        fallback_field(field);
    }

    fn visit_variant_mut(&mut self, variant: &mut syn::Variant) {
        fallback_variant(variant);
        syn::visit_mut::visit_variant_mut(self, variant);
    }
}

/// [`Fallback`] on one item (not the items inside it).
pub(crate) fn fallback_item(item: &mut Item) {
    let (attrs, public) = match item {
        Item::Struct(i) => (&mut i.attrs, matches!(i.vis, Visibility::Public(_))),
        Item::Enum(i) => (&mut i.attrs, matches!(i.vis, Visibility::Public(_))),
        Item::Type(i) => (&mut i.attrs, matches!(i.vis, Visibility::Public(_))),
        Item::Fn(i) => (&mut i.attrs, matches!(i.vis, Visibility::Public(_))),
        Item::Mod(i) => (&mut i.attrs, matches!(i.vis, Visibility::Public(_))),
        Item::Const(i) => (&mut i.attrs, matches!(i.vis, Visibility::Public(_))),
        _ => return,
    };
    if public {
        add_doc(attrs, "Generated from the API's OpenAPI document.");
    }
}

/// [`Fallback`] on the methods of an inherent impl.
pub(crate) fn fallback_impl(imp: &mut ItemImpl) {
    if imp.trait_.is_none() {
        for f in impl_fns(imp) {
            add_doc(
                &mut f.attrs,
                &format!(
                    "`{}`, generated from the API's OpenAPI document.",
                    f.sig.ident
                ),
            );
        }
    }
}

/// [`Fallback`] on one field.
pub(crate) fn fallback_field(field: &mut syn::Field) {
    if matches!(field.vis, Visibility::Public(_)) {
        add_doc(
            &mut field.attrs,
            "Generated from the API's OpenAPI document.",
        );
    }
}

/// [`Fallback`] on one enum variant, and on the fields of a struct-like one (typify's
/// untagged union of inline objects, as in Letta's document: public through the enum,
/// so `missing_docs` wants them documented too).
pub(crate) fn fallback_variant(variant: &mut syn::Variant) {
    let text = match serde_rename(&variant.attrs) {
        Some(wire) => format!("`{wire}` on the wire."),
        None => format!("`{}`.", variant.ident),
    };
    add_doc(&mut variant.attrs, &text);
    if let syn::Fields::Named(fields) = &mut variant.fields {
        for field in fields.named.iter_mut() {
            let Some(ident) = &field.ident else { continue };
            let flattened = field.attrs.iter().any(|a| {
                a.path().is_ident("serde") && quote::quote!(#a).to_string().contains("flatten")
            });
            let text = if flattened {
                "Fields the API sent that this version of the crate does not know; they are sent back unchanged.".to_string()
            } else {
                let shown = serde_rename(&field.attrs).unwrap_or_else(|| ident.to_string());
                format!("The `{shown}` field.")
            };
            add_doc(&mut field.attrs, &text);
        }
    }
}

/// Progenitor's method docs carry an ```` ```ignore ```` example that names undeclared
/// variables. Each becomes a `no_run` doctest whose variables are the parameters of a
/// hidden function, typed as the builder's setters take them, so the examples are compiled
/// and cannot drift from the API.
fn compile_examples(file: &mut syn::File) {
    let params = builder_parameters(file);
    // Method → builder (`builder_names` maps the other way), looked up once per method.
    let builder_of: BTreeMap<String, String> = builder_names(file)
        .into_iter()
        .map(|(builder, method)| (method, builder))
        .collect();
    for item in &mut file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_self_type(imp, "Client") {
            continue;
        }
        for f in impl_fns(imp) {
            let method = f.sig.ident.to_string();
            let Some(builder) = builder_of.get(&method) else {
                continue;
            };
            let args: Vec<String> =
                std::iter::once("client: &stackai_connections::Client".to_string())
                    .chain(
                        params
                            .get(builder)
                            .into_iter()
                            .flatten()
                            .map(|(name, ty)| format!("{name}: {ty}")),
                    )
                    .collect();
            let opening = format!("```no_run\n# async fn example({}) {{\n", args.join(", "));
            for attr in &mut f.attrs {
                let syn::Meta::NameValue(nv) = &mut attr.meta else {
                    continue;
                };
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) = &nv.value
                else {
                    continue;
                };
                let doc = text.value();
                let Some(start) = doc.find("```ignore\n") else {
                    continue;
                };
                let Some(end) = doc[start..].rfind("```").map(|e| start + e) else {
                    continue;
                };
                let body = &doc[start + "```ignore\n".len()..end];
                let rewritten = format!(
                    "{}{opening}{body}# }}\n```{}",
                    &doc[..start],
                    &doc[end + 3..]
                );
                nv.value = syn::parse_quote!(#rewritten);
            }
        }
    }
}

/// Builder struct → its setters' value types, as a caller writes them.
fn builder_parameters(file: &syn::File) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out = BTreeMap::new();
    for inner in module_named(file, "builder") {
        let Item::Struct(s) = inner else { continue };
        let fields = s
            .fields
            .iter()
            .filter_map(|f| {
                let name = f.ident.as_ref()?.to_string();
                // Fields the caller never sets by name: the client, the per-request
                // options, the filters and the upload's file parts (set per file).
                let internal = matches!(name.as_str(), "client" | "request_options" | "file_parts")
                    || name == super::filters::FIELD;
                (!internal).then(|| (name, setter_type(&f.ty)))
            })
            .collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// `Result<Option<T>, String>` → `T`; a body's `types::builder::X` → the model `X`; paths
/// into the crate made absolute.
fn setter_type(ty: &syn::Type) -> String {
    let text = type_text(ty);
    let inner = text
        .strip_prefix("Result<")
        .and_then(|t| t.strip_suffix(", String>"))
        .unwrap_or(&text);
    let inner = inner
        .strip_prefix("Option<")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(inner);
    let qualified = inner.replace("types::", "stackai_connections::types::");
    match qualified.as_str() {
        "Uuid" => "uuid::Uuid".into(),
        "NonZeroU64" => "std::num::NonZeroU64".into(),
        other => other
            .replace("Vec<Uuid>", "Vec<uuid::Uuid>")
            .replace("DateTime<Utc>", "chrono::DateTime<chrono::Utc>"),
    }
}
