//! Stage 4c: closed models (`additionalProperties: false`, pydantic's `extra="forbid"`).
//!
//! typify gives them no `extra` map, which is right: the client never sends a field the
//! model does not declare. It also marks them `#[serde(deny_unknown_fields)]`, which would
//! make a response fail to decode as soon as the server adds a field, against the
//! forward compatibility every other model has. `forbid` is the server's rule for what it
//! accepts; the client drops unknown fields of a closed model instead of failing.

use syn::Item;

/// Removes `deny_unknown_fields` from the models of the `types` module.
pub fn apply(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        for item in m.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
            if let Item::Struct(s) = item {
                s.attrs.retain(|a| {
                    !(a.path().is_ident("serde")
                        && quote::quote!(#a)
                            .to_string()
                            .contains("deny_unknown_fields"))
                });
            }
        }
    }
}
