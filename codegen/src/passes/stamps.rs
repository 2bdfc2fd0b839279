//! Statements that `runtime_calls` writes into every `send()` with only a builder field and
//! a wire name changed, parsed once per run and stamped where they are used.
//!
//! `syn::parse2` of the code a pass writes with `quote!` is most of what the passes cost
//! (BENCHMARKS.md §0). A statement written the same way for every parameter of every
//! operation is instead written as a short marker, `__stamp!(kind, field, "wire")`, which
//! costs little to parse; [`Stamps::expand`] then replaces each marker among a block's
//! statements by a clone of the template `kind`, with the identifier `__field` renamed to
//! `field` and the string literal `"__wire"` replaced by `"wire"`. The result is the tree
//! that parsing the statement written out would give. A new kind is one more entry in the
//! caller's list of templates.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::visit_mut::{self, VisitMut};

/// The name of the marker macro; no generated code defines or calls a macro of that name.
const MARKER: &str = "__stamp";
/// The identifier a template uses for the builder field.
const FIELD: &str = "__field";
/// The string literal a template uses for the wire name, as written.
const WIRE: &str = "\"__wire\"";

/// Templates by kind, each one statement, parsed once.
pub(crate) struct Stamps {
    templates: BTreeMap<&'static str, syn::Stmt>,
}

impl Stamps {
    /// Parses `templates`: `(kind, statement)`, the statement using `__field` and `"__wire"`.
    pub(crate) fn parse(templates: Vec<(&'static str, TokenStream)>) -> Result<Stamps, String> {
        let templates = templates
            .into_iter()
            .map(|(kind, tokens)| {
                syn::parse2::<syn::Stmt>(tokens)
                    .map(|stmt| (kind, stmt))
                    .map_err(|e| format!("internal: the template `{kind}`: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Stamps { templates })
    }

    /// The marker statement for the template `kind`, stamped with `field` and, if the
    /// template has one, the wire name `wire`.
    pub(crate) fn marker(kind: &str, field: &syn::Ident, wire: Option<&str>) -> TokenStream {
        let marker = format_ident!("{}", MARKER);
        let kind = format_ident!("{}", kind);
        match wire {
            Some(wire) => quote!(#marker!(#kind, #field, #wire);),
            None => quote!(#marker!(#kind, #field);),
        }
    }

    /// Replaces every marker among the statements of `block` (not nested deeper) by its
    /// stamped template.
    pub(crate) fn expand(&self, block: &mut syn::Block) -> Result<(), String> {
        for stmt in &mut block.stmts {
            let syn::Stmt::Macro(m) = stmt else { continue };
            if !m.mac.path.is_ident(MARKER) {
                continue;
            }
            let tokens: Vec<TokenTree> = m.mac.tokens.clone().into_iter().collect();
            let (kind, field, wire) = match tokens.as_slice() {
                [
                    TokenTree::Ident(kind),
                    TokenTree::Punct(_),
                    TokenTree::Ident(field),
                ] => (kind, field, None),
                [
                    TokenTree::Ident(kind),
                    TokenTree::Punct(_),
                    TokenTree::Ident(field),
                    TokenTree::Punct(_),
                    TokenTree::Literal(wire),
                ] => (kind, field, Some(wire)),
                _ => return Err(format!("internal: a malformed marker: {}", m.mac.tokens)),
            };
            let template = self
                .templates
                .get(kind.to_string().as_str())
                .ok_or_else(|| format!("internal: no template `{kind}`"))?;
            let mut stamped = template.clone();
            Stamp { field, wire }.visit_stmt_mut(&mut stamped);
            *stmt = stamped;
        }
        Ok(())
    }
}

/// Renames `__field` and replaces `"__wire"` in a template's clone.
struct Stamp<'a> {
    field: &'a proc_macro2::Ident,
    wire: Option<&'a Literal>,
}

impl VisitMut for Stamp<'_> {
    fn visit_ident_mut(&mut self, ident: &mut proc_macro2::Ident) {
        if ident == FIELD {
            *ident = self.field.clone();
        }
    }

    fn visit_lit_mut(&mut self, lit: &mut syn::Lit) {
        if let (syn::Lit::Str(s), Some(wire)) = (&*lit, self.wire)
            && s.token().to_string() == WIRE
        {
            *lit = syn::Lit::new(wire.clone());
            return;
        }
        visit_mut::visit_lit_mut(self, lit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamped_statement_is_the_statement_written_out() {
        let stamps = Stamps::parse(vec![(
            "query",
            quote!(let request = request.query(&Q::new("__wire", &__field));),
        )])
        .unwrap();
        let field = format_ident!("page_size");
        let marker = Stamps::marker("query", &field, Some("pageSize"));
        let mut block: syn::Block = syn::parse2(quote!({ let a = 1; #marker let b = 2; })).unwrap();
        stamps.expand(&mut block).unwrap();
        let written: syn::Block = syn::parse2(quote!({
            let a = 1;
            let request = request.query(&Q::new("pageSize", &page_size));
            let b = 2;
        }))
        .unwrap();
        assert_eq!(quote!(#block).to_string(), quote!(#written).to_string());
    }

    #[test]
    fn an_unknown_kind_is_an_error() {
        let stamps = Stamps::parse(Vec::new()).unwrap();
        let marker = Stamps::marker("check", &format_ident!("x"), None);
        let mut block: syn::Block = syn::parse2(quote!({ #marker })).unwrap();
        assert!(
            stamps
                .expand(&mut block)
                .unwrap_err()
                .contains("no template `check`")
        );
    }
}
