//! Stage 3: hand the normalized document to progenitor and get Rust tokens back.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Once;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::document::METHODS;
use crate::error::{Error, push_pointer};

/// The total-request timeout progenitor writes into its own constructor, which the
/// rewrite stage removes; the client crate's constructors set the real ones.
const TIMEOUT_SECS: u64 = 60;

/// Parses the normalized document as OpenAPI 3.0 and runs progenitor on it, as one tree.
/// The pipeline itself parses the two halves of [`split`] on two threads instead.
pub fn generate(file: &Path, document: &Value) -> Result<syn::File, Error> {
    let tokens = tokens(file, document, Locate::Yes)?;
    parse(file, tokens)
}

/// Whether an error of progenitor's is located in the document (which runs progenitor
/// again per operation): only one of the two threads that run it needs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locate {
    Yes,
    No,
}

/// Progenitor's output for the normalized document, as tokens.
pub(crate) fn tokens(
    file: &Path,
    document: &Value,
    locate: Locate,
) -> Result<proc_macro2::TokenStream, Error> {
    let spec = parse_openapi(file, document)?;
    run_progenitor(&spec).map_err(|message| {
        // Progenitor's messages name no place in the document; find the operation.
        let pointer = match locate {
            Locate::Yes => failing_operation(document).unwrap_or_default(),
            Locate::No => String::new(),
        };
        Error::new(file, pointer, message)
    })
}

/// Parses (part of) progenitor's output.
pub(crate) fn parse(file: &Path, tokens: proc_macro2::TokenStream) -> Result<syn::File, Error> {
    syn::parse2::<syn::File>(tokens).map_err(|e| {
        Error::new(
            file,
            "",
            format!("progenitor produced code that does not parse: {e}"),
        )
    })
}

/// Cuts progenitor's output, without parsing it, into its `types` module (with its
/// attributes) and everything else, where the module stays as a declaration
/// (`pub mod types;`) in its place. Parsing is most of the cost of the generate stage,
/// and the halves can be parsed on two threads; syn's trees cannot cross threads, but
/// each thread can run progenitor itself and keep its half. `None` if the output has no
/// inline `types` module.
pub(crate) fn split(
    tokens: proc_macro2::TokenStream,
) -> Option<(proc_macro2::TokenStream, proc_macro2::TokenStream)> {
    use proc_macro2::{Delimiter, TokenTree};
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let at = trees.windows(3).position(|w| {
        matches!(
            (&w[0], &w[1], &w[2]),
            (TokenTree::Ident(m), TokenTree::Ident(name), TokenTree::Group(g))
                if m == "mod" && name == "types" && g.delimiter() == Delimiter::Brace
        )
    })?;
    // Back over the visibility and the outer attributes (`#` then `[...]`).
    let mut start = at;
    if start > 0 && matches!(&trees[start - 1], TokenTree::Ident(v) if v == "pub") {
        start -= 1;
    }
    while start >= 2
        && matches!(&trees[start - 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket)
        && matches!(&trees[start - 2], TokenTree::Punct(p) if p.as_char() == '#')
    {
        start -= 2;
    }
    let end = at + 3;
    let module: proc_macro2::TokenStream = trees[start..end].iter().cloned().collect();
    let semi = TokenTree::Punct(proc_macro2::Punct::new(';', proc_macro2::Spacing::Alone));
    let mut rest: Vec<TokenTree> = trees[..end - 1]
        .iter()
        .cloned()
        .chain(std::iter::once(semi))
        .chain(trees[end..].iter().cloned())
        .collect();
    if let Some(builder) = rest.windows(3).position(|w| {
        matches!(
            (&w[0], &w[1], &w[2]),
            (TokenTree::Ident(m), TokenTree::Ident(name), TokenTree::Group(g))
                if m == "mod" && name == "builder" && g.delimiter() == Delimiter::Brace
        )
    }) && let TokenTree::Group(g) = &rest[builder + 2]
    {
        rest[builder + 2] = TokenTree::Group(proc_macro2::Group::new(
            Delimiter::Brace,
            prune_sends(g.stream()),
        ));
    }
    Some((module, rest.into_iter().collect()))
}

/// The `builder` module's tokens with every `send`'s body cut after the statement that
/// takes the builder apart (`let Self { client, .. } = self;`), which is all the passes
/// read of it: `passes::runtime_calls` writes a new `send` from the document. Parsing
/// progenitor's bodies, then freeing them, was a fifth of the work on the rest's half.
fn prune_sends(module: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    module
        .into_iter()
        .map(|item| match item {
            TokenTree::Group(body) if body.delimiter() == Delimiter::Brace => {
                let mut members: Vec<TokenTree> = body.stream().into_iter().collect();
                let Some(at) = members.windows(3).position(|w| {
                    matches!(
                        (&w[0], &w[1], &w[2]),
                        (TokenTree::Ident(f), TokenTree::Ident(name), TokenTree::Group(args))
                            if f == "fn" && name == "send" && args.delimiter() == Delimiter::Parenthesis
                    )
                }) else {
                    return TokenTree::Group(body);
                };
                let Some(send) = (at + 3..members.len()).find(|&i| {
                    matches!(&members[i], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
                }) else {
                    return TokenTree::Group(body);
                };
                if let TokenTree::Group(old) = &members[send]
                    && let Some(kept) = destructuring_prefix(old.stream())
                {
                    members[send] = TokenTree::Group(Group::new(Delimiter::Brace, kept));
                }
                let mut pruned = Group::new(Delimiter::Brace, members.into_iter().collect());
                pruned.set_span(body.span());
                TokenTree::Group(pruned)
            }
            other => other,
        })
        .collect()
}

/// The statements of a body up to and including `let Self { .. } = self;`, if it has one.
fn destructuring_prefix(body: proc_macro2::TokenStream) -> Option<proc_macro2::TokenStream> {
    use proc_macro2::TokenTree;
    let trees: Vec<TokenTree> = body.into_iter().collect();
    let at = trees.windows(2).position(|w| {
        matches!((&w[0], &w[1]), (TokenTree::Ident(l), TokenTree::Ident(s)) if l == "let" && s == "Self")
    })?;
    let semi = (at..trees.len())
        .find(|&i| matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == ';'))?;
    Some(trees[..=semi].iter().cloned().collect())
}

/// The settings progenitor runs with. Public so that `cargo xtask bench regen` can run
/// progenitor's own pipeline (the raw baseline) with exactly these.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_timeout(TIMEOUT_SECS)
        // The client crate's runtime (credentials, retries, timeouts) rides in `Client`.
        .with_inner_type(quote::quote!(crate::transport::Runtime))
        // Placeholders for the shapes typify cannot express; `passes::shapes` replaces them.
        .with_crate(crate::rust_shapes::CRATE, progenitor::CrateVers::Any, None);
    settings
}

/// Runs progenitor, turning both its errors and its panics into messages.
///
/// Normalization removes every shape progenitor is known to panic on; should a new one
/// turn up, the maintainer gets an error naming the document instead of a crash.
fn run_progenitor(spec: &openapiv3::OpenAPI) -> Result<proc_macro2::TokenStream, String> {
    let settings = settings();
    quiet_panics();
    IN_GENERATOR.with(|flag| flag.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings).generate_tokens(spec)
    }));
    IN_GENERATOR.with(|flag| flag.set(false));
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(format!("progenitor rejected the document: {e}")),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Err(format!("progenitor panicked on this document: {message}"))
        }
    }
}

thread_local! {
    static IN_GENERATOR: Cell<bool> = const { Cell::new(false) };
}

/// A caught progenitor panic becomes an `Error`; the default hook would also print it to
/// stderr as if the program had crashed. Panics elsewhere are printed as usual.
fn quiet_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_GENERATOR.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// The pointer of the first operation progenitor fails on when given alone, if any.
fn failing_operation(document: &Value) -> Option<String> {
    let paths = document.get("paths")?.as_object()?;
    for (path, item) in paths {
        for method in METHODS {
            if item.get(method).is_none() {
                continue;
            }
            let mut single = document.clone();
            let mut only_item = item.clone();
            if let Some(obj) = only_item.as_object_mut() {
                obj.retain(|k, _| k == method || !METHODS.contains(&k.as_str()));
            }
            single["paths"] = serde_json::json!({ path.clone(): only_item });
            let fails = match serde_json::from_value::<openapiv3::OpenAPI>(single) {
                Ok(spec) => run_progenitor(&spec).is_err(),
                Err(_) => true,
            };
            if fails {
                return Some(push_pointer(&push_pointer("/paths", path), method));
            }
        }
    }
    None
}

fn parse_openapi(file: &Path, document: &Value) -> Result<openapiv3::OpenAPI, Error> {
    // Tracking the path costs about half again as much as reading the document; only a
    // document that fails is read again to find where.
    if let Ok(spec) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(document) {
        return Ok(spec);
    }
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(document).map_err(|e| {
        let pointer = pointer_of(e.path());
        // openapiv3 reads path items and schemas through `#[serde(flatten)]`, which hides
        // the place of an error below them; parsing them one at a time finds it.
        let (pointer, message) = localize(document).unwrap_or((pointer, e.inner().to_string()));
        Error::new(
            file,
            pointer,
            format!("not a valid OpenAPI document: {message}"),
        )
    })
}

fn localize(document: &Value) -> Option<(String, String)> {
    let paths = document.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let base = push_pointer("/paths", path);
        for method in METHODS {
            if let Some(op) = item.get(method)
                && let Err(e) = serde_path_to_error::deserialize::<_, openapiv3::Operation>(op)
            {
                let base = push_pointer(&base, method);
                let inner = failing_schema(op, &base)
                    .unwrap_or_else(|| (join(&base, &pointer_of(e.path())), e.inner().to_string()));
                return Some(inner);
            }
        }
        if let Err(e) = serde_path_to_error::deserialize::<_, openapiv3::PathItem>(item) {
            return Some((join(&base, &pointer_of(e.path())), e.inner().to_string()));
        }
    }
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        type SchemaOrRef = openapiv3::ReferenceOr<openapiv3::Schema>;
        if let Err(e) = serde_path_to_error::deserialize::<_, SchemaOrRef>(schema) {
            let base = push_pointer("/components/schemas", name);
            return Some((join(&base, &pointer_of(e.path())), e.inner().to_string()));
        }
    }
    None
}

/// The first `schema` under `value` that does not parse, with the place inside it.
fn failing_schema(value: &Value, base: &str) -> Option<(String, String)> {
    type SchemaOrRef = openapiv3::ReferenceOr<openapiv3::Schema>;
    match value {
        Value::Object(map) => map.iter().find_map(|(key, child)| {
            let at = push_pointer(base, key);
            if key == "schema"
                && let Err(e) = serde_path_to_error::deserialize::<_, SchemaOrRef>(child)
            {
                return Some((join(&at, &pointer_of(e.path())), e.inner().to_string()));
            }
            failing_schema(child, &at)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, child)| failing_schema(child, &push_pointer(base, &i.to_string()))),
        _ => None,
    }
}

fn join(base: &str, inner: &str) -> String {
    format!("{base}{inner}")
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer = match segment {
            Segment::Seq { index } => push_pointer(&pointer, &index.to_string()),
            Segment::Map { key } => push_pointer(&pointer, key),
            Segment::Enum { .. } | Segment::Unknown => pointer,
        };
    }
    pointer
}
