//! Operations whose successes are an enum keyed by status (`x-stackai-statuses`, see
//! `normalize/statuses.rs`), and operations whose documented errors are one
//! (`x-stackai-errors`). Progenitor sees untyped JSON at each of their statuses, so the
//! response schemas compared in [`super::operations`] say nothing about them: here the
//! statuses' bodies are compared, variant by variant. An operation that becomes keyed by
//! status (or stops being) changes the Rust type `send()` returns, which the responses'
//! comparison already reports as breaking; an error enum that appears is compatible (a new
//! type), one that disappears breaking (code naming it no longer compiles).

// The impl continues `Cmp` from `mod.rs`; it shares that module's vocabulary.
use super::lookup::Operation;
use super::*;
use crate::normalize::statuses::{
    Body, ERRORS_MARKER, STATUSES_MARKER, errors, statuses, variant_name,
};
use crate::passes::statuses::{enum_ident, error_enum_ident};

impl<'a> Cmp<'a> {
    pub(super) fn status_variants(&mut self, base: &Place, o: &Operation<'a>, n: &Operation<'a>) {
        self.keyed_variants(base, o, n, false);
        self.keyed_variants(base, o, n, true);
    }

    /// The variants of the success enum, or with `error` of the error enum.
    fn keyed_variants(&mut self, base: &Place, o: &Operation<'a>, n: &Operation<'a>, error: bool) {
        let (old, new, marker, name, group) = if error {
            let marker = ERRORS_MARKER;
            match (error_enum_ident(o.op), error_enum_ident(n.op)) {
                (Some(old), None) => self.push(
                    Class::Breaking,
                    "error-enum-removed",
                    &Place {
                        pointer: push_pointer(&base.pointer, marker),
                        ..base.clone()
                    },
                    "the operation documents no error body beyond the 422 any more".into(),
                    format!("the enum `{old}` is gone; code naming it no longer compiles"),
                ),
                (None, Some(new)) => self.push(
                    Class::Compatible,
                    "error-enum-added",
                    &Place {
                        pointer: push_pointer(&base.pointer, marker),
                        ..base.clone()
                    },
                    "the operation documents error bodies".into(),
                    format!("a new enum `{new}`, read with `Error::body_as`"),
                ),
                _ => {}
            }
            (
                errors(o.op),
                errors(n.op),
                marker,
                error_enum_ident(n.op),
                "error",
            )
        } else {
            let (old, new) = (statuses(o.op), statuses(n.op));
            (old, new, STATUSES_MARKER, enum_ident(n.op), "success")
        };
        let (Some(old), Some(new)) = (old, new) else {
            return;
        };
        let enum_name = name.map(|e| e.to_string()).unwrap_or_default();
        let codes: BTreeSet<u16> = old.iter().chain(&new).map(|(s, _)| *s).collect();
        for status in codes {
            let find = |side: &[(u16, Body)]| {
                side.iter()
                    .find(|(s, _)| *s == status)
                    .map(|(_, b)| b.clone())
            };
            let (a, b) = (find(&old), find(&new));
            let variant = variant_name(status);
            let place = Place {
                api: format!("{} response `{status}`", base.api),
                pointer: push_pointer(&push_pointer(&base.pointer, marker), &status.to_string()),
                item: base.item.clone(),
                member: Some(format!("variant `{enum_name}::{variant}`")),
                old_ty: a.as_ref().map(rust_body),
                new_ty: b.as_ref().map(rust_body),
                ..Place::default()
            };
            match (a, b) {
                (Some(a), Some(b)) => {
                    let renamed = matches!((&a, &b), (Body::Schema(x), Body::Schema(y))
                        if self.renames.get(x) == Some(y));
                    if a == b || renamed {
                        continue;
                    }
                    self.push(
                        Class::Breaking,
                        "response-status-type-changed",
                        &place,
                        format!(
                            "the body of status `{status}` changed: `{}` → `{}`",
                            rust_body(&a),
                            rust_body(&b)
                        ),
                        format!("`{enum_name}::{variant}` holds another type; code matching on it must change"),
                    );
                }
                (Some(_), None) => self.push(
                    Class::Breaking,
                    "response-status-removed",
                    &place,
                    format!("the {group} status `{status}` is no longer documented"),
                    format!(
                        "the variant `{enum_name}::{variant}` is gone (a {status} answer is now `Other`); code naming it no longer compiles"
                    ),
                ),
                (None, Some(_)) => self.push(
                    Class::PossiblyBreaking,
                    "response-status-added",
                    &place,
                    format!("a new {group} status `{status}`"),
                    format!(
                        "a new variant `{enum_name}::{variant}`: matches still compile (the enum is `#[non_exhaustive]`), but a {status} answer that was `Other` is now `{variant}`"
                    ),
                ),
                (None, None) => {}
            }
        }
    }
}

/// The Rust type a status's variant holds (`()` for a variant without data).
fn rust_body(body: &Body) -> String {
    match body {
        Body::Schema(name) => format!("types::{}", sanitize(name, true)),
        Body::Json => "serde_json::Value".into(),
        Body::Empty => "()".into(),
    }
}
