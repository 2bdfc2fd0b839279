//! Stage 4: syn passes over progenitor's output, for the few things its settings cannot
//! express. Each pass is small and says why it exists.

use syn::visit_mut::VisitMut;

use crate::syntax::is_self_type;

/// Applies every pass. (`passes::apply` runs the same two steps, the first in its one walk
/// over the tree.)
pub fn rewrite(file: &mut syn::File) {
    DropApiVersionHeader.visit_file_mut(file);
    drop_panicking_constructor(file);
}

/// Progenitor sends `api-version: <info.version>` on every request. The Stack AI API
/// defines no such header, so it is removed rather than leaked to the server.
struct DropApiVersionHeader;

impl VisitMut for DropApiVersionHeader {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        drop_api_version_header(block);
        syn::visit_mut::visit_block_mut(self, block);
    }
}

/// [`DropApiVersionHeader`]'s work on one block (not the blocks inside it).
pub(crate) fn drop_api_version_header(block: &mut syn::Block) {
    {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !is_api_version_append(stmt));
        if block.stmts.len() != before {
            let appends_remain = block.stmts.iter().any(|stmt| {
                quote::quote!(#stmt)
                    .to_string()
                    .contains("header_map . append")
            });
            if !appends_remain {
                // Without the header, an operation with no header parameters never
                // mutates the map; keep the generated code free of `unused_mut`.
                for stmt in &mut block.stmts {
                    if let syn::Stmt::Local(local) = stmt
                        && let syn::Pat::Ident(ident) = &mut local.pat
                        && ident.ident == "header_map"
                    {
                        ident.mutability = None;
                    }
                }
            }
        }
    }
}

/// `header_map.append(HeaderName::from_static("api-version"), ...);`, recognised by its
/// shape before its text, so that the thousands of other statements are not printed.
fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    let receiver_is_map =
        matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("header_map"));
    receiver_is_map
        && call.method == "append"
        && call
            .args
            .first()
            .is_some_and(|name| quote::quote!(#name).to_string().contains("\"api-version\""))
}

/// Progenitor's `Client::new` builds its `reqwest::Client` with `.unwrap()` and a TLS
/// setup the crate does not use. The client crate's hand-written `client.rs` provides the
/// constructors instead.
pub(crate) fn drop_panicking_constructor(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_self_type(imp, "Client") {
            continue;
        }
        imp.items
            .retain(|member| !matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
    }
}

/// typify adds its generic `defaults::default_i64` for a float field's non-zero default as
/// well, which then uses a function of its own: a document with `temperature: float = 0.7`
/// and no negative integer default got a crate that warned `default_i64` is never used.
pub(crate) fn allow_unused_default_i64(file: &mut syn::File) {
    let Some(types) = crate::syntax::module_named_mut(file, "types") else {
        return;
    };
    for item in types {
        let syn::Item::Mod(m) = item else { continue };
        if m.ident != "defaults" {
            continue;
        }
        for inner in m.content.iter_mut().flat_map(|(_, items)| items) {
            if let syn::Item::Fn(f) = inner
                && f.sig.ident == "default_i64"
            {
                f.attrs.push(syn::parse_quote!(
                    #[allow(dead_code, reason = "typify adds it for float defaults too, which do not call it")]
                ));
            }
        }
    }
}
