//! What the generated crate looks like, read off progenitor's output: the models with their
//! fields (by wire name) and variants, and each method's parameters, body and result.
//! The diff uses it to say what a change means in Rust, with the exact types.

use std::collections::{BTreeMap, BTreeSet};

use syn::Item;

use crate::render::GeneratedFile;
pub(crate) use crate::rust_names::sanitize;
use crate::syntax::{builder_names, item_name, module_items, serde_rename, type_text};

/// A model in `types`.
#[derive(Debug, Clone)]
pub(crate) enum RustType {
    /// A struct with named fields, by wire name.
    Struct(BTreeMap<String, RustField>),
    /// An enum: (wire value or variant name, variant name).
    Enum(Vec<(String, String)>),
    /// A newtype (`struct X(T)`) or alias (`type X = T`), with the inner type.
    Newtype(String),
    Alias(String),
}

#[derive(Debug, Clone)]
pub(crate) struct RustField {
    pub name: String,
    pub ty: String,
}

/// A client method, from its builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct RustMethod {
    /// Builder field (setter) name → the field's type (`Option<T>` for optional parameters).
    pub fields: BTreeMap<String, String>,
    /// The success type `T` of `send() -> Result<ResponseValue<T>, Error<E>>`.
    pub success: Option<String>,
    /// The error type `E`.
    pub error: Option<String>,
}

/// The generated crate's public shape.
#[derive(Debug, Clone, Default)]
pub(crate) struct RustView {
    pub types: BTreeMap<String, RustType>,
    /// Models marked `#[non_exhaustive]`: users cannot build them with struct literals or
    /// match them exhaustively, so adding to them breaks nobody.
    pub non_exhaustive: BTreeSet<String>,
    pub methods: BTreeMap<String, RustMethod>,
}

impl RustView {
    /// Reads the generated module back from its rendered files (`mod.rs` with `types.rs`
    /// and `builder.rs`): the code exactly as users get it, after every rewrite.
    pub(crate) fn from_files(files: &[GeneratedFile]) -> Result<RustView, String> {
        let parse = |f: &GeneratedFile| {
            syn::parse_file(&f.contents).map_err(|e| format!("{} does not parse: {e}", f.name))
        };
        let root = files
            .iter()
            .find(|f| f.name == "mod.rs")
            .ok_or("no mod.rs was generated")?;
        let mut file = parse(root)?;
        for item in &mut file.items {
            if let Item::Mod(m) = item
                && m.content.is_none()
                && let Some(sub) = files.iter().find(|f| f.name == format!("{}.rs", m.ident))
            {
                m.content = Some((Default::default(), parse(sub)?.items));
                m.semi = None;
            }
        }
        Ok(RustView::read(&file))
    }

    pub(crate) fn read(file: &syn::File) -> RustView {
        let mut view = RustView::default();
        let builder_to_method = builder_names(file);
        for item in &file.items {
            let Item::Mod(m) = item else { continue };
            if m.ident == "types" {
                for inner in module_items(m) {
                    view.read_type(inner);
                }
            } else if m.ident == "builder" {
                for inner in module_items(m) {
                    let Some(method) = item_name(inner).and_then(|n| builder_to_method.get(&n))
                    else {
                        continue;
                    };
                    let entry = view.methods.entry(method.clone()).or_default();
                    read_builder(entry, inner);
                }
            }
        }
        view
    }

    fn read_type(&mut self, item: &Item) {
        let attrs = match item {
            Item::Struct(s) => &s.attrs,
            Item::Enum(e) => &e.attrs,
            _ => return self.read_alias(item),
        };
        if attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
            && let Some(name) = item_name(item)
        {
            self.non_exhaustive.insert(name);
        }
        match item {
            Item::Struct(s) => {
                let ty = match &s.fields {
                    syn::Fields::Named(named) => RustType::Struct(
                        named
                            .named
                            .iter()
                            .filter_map(|f| {
                                let name = f.ident.as_ref()?.to_string();
                                let wire = serde_rename(&f.attrs).unwrap_or_else(|| name.clone());
                                Some((
                                    wire,
                                    RustField {
                                        name,
                                        ty: type_text(&f.ty),
                                    },
                                ))
                            })
                            .collect(),
                    ),
                    syn::Fields::Unnamed(fields) => RustType::Newtype(
                        fields
                            .unnamed
                            .iter()
                            .map(|f| type_text(&f.ty))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    syn::Fields::Unit => RustType::Struct(BTreeMap::new()),
                };
                self.types.insert(s.ident.to_string(), ty);
            }
            Item::Enum(e) => {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| {
                        let ident = v.ident.to_string();
                        let wire = serde_rename(&v.attrs).unwrap_or_else(|| ident.clone());
                        (wire, ident)
                    })
                    .collect();
                self.types
                    .insert(e.ident.to_string(), RustType::Enum(variants));
            }
            _ => {}
        }
    }

    fn read_alias(&mut self, item: &Item) {
        if let Item::Type(t) = item {
            self.types
                .insert(t.ident.to_string(), RustType::Alias(type_text(&t.ty)));
        }
    }

    /// The kind and shape of a model, as one line: `struct X`, `enum X`, `struct X(T)`,
    /// `type X = T`.
    pub(crate) fn signature(&self, name: &str) -> Option<String> {
        Some(match self.types.get(name)? {
            RustType::Struct(_) => format!("struct {name}"),
            RustType::Enum(_) => format!("enum {name}"),
            RustType::Newtype(inner) => format!("struct {name}({inner})"),
            RustType::Alias(inner) => format!("type {name} = {inner}"),
        })
    }

    pub(crate) fn field(&self, type_name: &str, wire: &str) -> Option<&RustField> {
        match self.types.get(type_name)? {
            RustType::Struct(fields) => fields.get(wire),
            _ => None,
        }
    }

    pub(crate) fn variant(&self, type_name: &str, wire: &str) -> Option<&str> {
        match self.types.get(type_name)? {
            RustType::Enum(variants) => {
                // Integer enums (`passes::int_enums`) name their variants by value.
                let by_value = wire.parse::<i128>().ok().map(|n| {
                    if n < 0 {
                        format!("Minus{}", n.unsigned_abs())
                    } else {
                        format!("V{n}")
                    }
                });
                variants
                    .iter()
                    .find(|(w, ident)| w == wire || by_value.as_deref() == Some(ident.as_str()))
                    .map(|(_, ident)| ident.as_str())
            }
            _ => None,
        }
    }

    /// The model a type is built on, through `Option`, `Vec`, maps and `Box`: `types::X`
    /// for `Option<Vec<types::X>>`. None for a type that is not one of the crate's models.
    pub(crate) fn named_inner(&self, ty: &str) -> Option<String> {
        let mut t = ty.trim();
        loop {
            let before = t;
            for wrapper in ["Option<", "Vec<", "Box<"] {
                if let Some(inner) = t.strip_prefix(wrapper).and_then(|r| r.strip_suffix('>')) {
                    t = inner.trim();
                }
            }
            for wrapper in ["HashMap<String, ", "BTreeMap<String, ", "Map<String, "] {
                if let Some(inner) = t.strip_prefix(wrapper).and_then(|r| r.strip_suffix('>')) {
                    t = inner.trim();
                }
            }
            if t == before {
                break;
            }
        }
        let t = t.strip_prefix("types::").unwrap_or(t);
        self.types.contains_key(t).then(|| t.to_string())
    }
}

fn read_builder(entry: &mut RustMethod, item: &Item) {
    match item {
        Item::Struct(s) => {
            for f in &s.fields {
                let Some(name) = f.ident.as_ref().map(ToString::to_string) else {
                    continue;
                };
                if name == "client" {
                    continue;
                }
                let ty = type_text(&f.ty);
                let inner = ty
                    .strip_prefix("Result<")
                    .and_then(|t| t.strip_suffix(", String>"))
                    .unwrap_or(&ty)
                    .to_string();
                entry.fields.insert(name, inner);
            }
        }
        Item::Impl(imp) => {
            for member in &imp.items {
                let syn::ImplItem::Fn(f) = member else {
                    continue;
                };
                if f.sig.ident != "send" {
                    continue;
                }
                if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                    let text = type_text(ty);
                    entry.success = generic_argument(&text, "ResponseValue<");
                    // `Error<E>` from progenitor; a plain `Error` when the client crate's
                    // runtime owns errors (the error body is then not a Rust type).
                    entry.error = generic_argument(&text, "Error<").or_else(|| {
                        text.rsplit_once(", ")
                            .map(|(_, e)| e.trim_end_matches('>').to_string())
                    });
                }
            }
        }
        _ => {}
    }
}

/// `T` in `...Prefix<T>...`, brackets balanced.
fn generic_argument(text: &str, prefix: &str) -> Option<String> {
    let mut start = None;
    let mut search = 0;
    while let Some(i) = text[search..].find(prefix) {
        let at = search + i;
        // A whole identifier, not the tail of a longer one (`ResponseValue<` inside `XResponseValue<`).
        let boundary = at == 0
            || !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if boundary {
            start = Some(at + prefix.len());
            break;
        }
        search = at + prefix.len();
    }
    let start = start?;
    let mut depth = 1;
    for (i, c) in text[start..].char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(text[start..start + i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_arguments() {
        let text = "Result<ResponseValue<Vec<types::A>>, Error<types::HttpValidationError>>";
        assert_eq!(
            generic_argument(text, "ResponseValue<").as_deref(),
            Some("Vec<types::A>")
        );
        assert_eq!(
            generic_argument(text, "Error<").as_deref(),
            Some("types::HttpValidationError")
        );
    }
}
