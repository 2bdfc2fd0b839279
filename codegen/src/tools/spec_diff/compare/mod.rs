//! The comparison of two normalized documents, change by change.
//!
//! Every rule is stated twice in effect: what the change means on the wire, given whether the
//! schema travels in requests, responses or both; and what it does to the generated Rust.
//! Where the Rust types of both sides are known, a change that alters the type a user writes
//! or matches on is breaking whatever the wire says, and a change that leaves it alone is
//! judged on the wire alone (see [`Cmp::adjust`]).
//!
//! This file holds the comparison's state, how a change is recorded, and the document-level
//! keys; the rest is split by what is compared: [`operations`], [`components`] (schemas as
//! a whole) and [`schemas`] (one schema against its counterpart), [`statuses`] (the variants
//! of an operation keyed by status), with [`lookup`] for reading a document.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

mod components;
mod lookup;
mod operations;
mod schemas;
mod statuses;

use super::rust::{RustView, sanitize};
use super::{Change, Class};
use crate::error::push_pointer;
use lookup::{changed_keys, object_keys, schema_usage, tail};

/// One side of the comparison.
#[derive(Clone, Copy)]
pub(crate) struct Doc<'a> {
    pub value: &'a Value,
    pub rust: Option<&'a RustView>,
}

/// Which way a schema's values travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Request,
    Response,
    Both,
}

impl Dir {
    fn request(self) -> bool {
        matches!(self, Dir::Request | Dir::Both)
    }
    fn response(self) -> bool {
        matches!(self, Dir::Response | Dir::Both)
    }
    fn text(self) -> &'static str {
        match self {
            Dir::Request => "sent in requests",
            Dir::Response => "received in responses",
            Dir::Both => "sent and received",
        }
    }
}

/// Where a change is: in the document, and in the Rust crate.
#[derive(Debug, Clone, Default)]
struct Place {
    /// The API location in words, e.g. "`GET /things` query parameter `limit`".
    api: String,
    /// The location of the schema that properties are nested in, and the dotted path of
    /// properties below it ("`meta.level`"), to name nested properties.
    schema_api: String,
    props: String,
    /// A JSON pointer into the normalized document (the new one, or the old one for removals).
    pointer: String,
    /// The Rust item: `Client::method` or `types::Model`.
    item: String,
    /// The member of the item: "parameter `limit`", "field `name`", "body", "response 200".
    member: Option<String>,
    /// The Rust type of the member (or item) on each side, when known.
    old_ty: Option<String>,
    new_ty: Option<String>,
    /// The model that nested properties and enum values belong to, on each side.
    old_model: Option<String>,
    new_model: Option<String>,
}

impl Place {
    /// The same place, one JSON pointer token deeper.
    fn below(&self, token: &str) -> Place {
        Place {
            pointer: push_pointer(&self.pointer, token),
            ..self.clone()
        }
    }

    /// The same place, naming the enum variant as the member when no member is named yet.
    fn for_variant(&self, variant: Option<&str>) -> Place {
        Place {
            member: self
                .member
                .clone()
                .or_else(|| variant.map(|p| format!("variant `{}`", tail(p)))),
            ..self.clone()
        }
    }
}

const DOC_KEYS: [&str; 4] = ["description", "summary", "example", "externalDocs"];
const LOWER_BOUNDS: [&str; 4] = ["minimum", "minLength", "minItems", "minProperties"];
const UPPER_BOUNDS: [&str; 4] = ["maximum", "maxLength", "maxItems", "maxProperties"];
const SCHEMA_HANDLED: [&str; 29] = [
    "$ref",
    "type",
    "format",
    "nullable",
    "description",
    "summary",
    "example",
    "examples",
    "externalDocs",
    "title",
    "deprecated",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "pattern",
    "multipleOf",
    "uniqueItems",
    "properties",
    "required",
    "items",
];

pub(crate) struct Cmp<'a> {
    old: Doc<'a>,
    new: Doc<'a>,
    /// Old schema name → new schema name, for schemas upstream renamed.
    renames: BTreeMap<String, String>,
    old_usage: BTreeMap<String, (bool, bool)>,
    new_usage: BTreeMap<String, (bool, bool)>,
    pub changes: Vec<Change>,
}

impl<'a> Cmp<'a> {
    pub(crate) fn new(old: Doc<'a>, new: Doc<'a>) -> Self {
        Cmp {
            old,
            new,
            renames: BTreeMap::new(),
            old_usage: schema_usage(old.value),
            new_usage: schema_usage(new.value),
            changes: Vec::new(),
        }
    }

    pub(crate) fn run(mut self) -> Vec<Change> {
        self.detect_renames();
        self.top_level();
        self.operations();
        self.components();
        self.changes
    }

    // ---- recording --------------------------------------------------------------------

    fn push(&mut self, class: Class, kind: &str, place: &Place, change: String, impact: String) {
        self.changes.push(Change {
            class,
            kind: kind.to_string(),
            api: place.api.clone(),
            pointer: place.pointer.clone(),
            change,
            rust_item: place.item.clone(),
            rust_member: place.member.clone(),
            old_type: place.old_ty.clone(),
            new_type: place.new_ty.clone(),
            impact,
        });
    }

    /// The class of a change whose wire meaning is `wire`: breaking if it changes the Rust
    /// type at `place`; `if_rust_same` if the Rust type is known to stay; `wire` if unknown.
    fn adjust(&self, place: &Place, wire: Class, if_rust_same: Class) -> Class {
        match (&place.old_ty, &place.new_ty) {
            (Some(a), Some(b)) if a != b => Class::Breaking,
            (Some(_), Some(_)) => if_rust_same,
            _ => wire,
        }
    }

    fn rust_note(&self, place: &Place) -> String {
        match (&place.old_ty, &place.new_ty) {
            (Some(a), Some(b)) if a != b => {
                format!("its Rust type changes from `{a}` to `{b}`, so code using it must change")
            }
            (Some(a), Some(_)) => format!("its Rust type stays `{a}`"),
            _ => "the Rust types are unknown (the document did not generate)".to_string(),
        }
    }

    // ---- document level ---------------------------------------------------------------

    fn top_level(&mut self) {
        let (old, new) = (self.old.value, self.new.value);
        let place = Place {
            api: "the document".into(),
            pointer: String::new(),
            item: "crate".into(),
            ..Place::default()
        };
        let keys: BTreeSet<&String> = object_keys(old).chain(object_keys(new)).collect();
        for key in keys {
            let (a, b) = (old.get(key), new.get(key));
            if a == b || matches!(key.as_str(), "paths" | "components" | "openapi") {
                continue;
            }
            let place = Place {
                pointer: push_pointer("", key),
                ..place.clone()
            };
            match key.as_str() {
                "info" => self.push(
                    Class::Compatible,
                    "info-changed",
                    &place,
                    format!("`info` changed ({})", changed_keys(a, b).join(", ")),
                    "the crate's documentation only".into(),
                ),
                "tags" | "externalDocs" => self.push(
                    Class::Compatible,
                    "documentation-changed",
                    &place,
                    format!("`{key}` changed"),
                    "no change in Rust".into(),
                ),
                "servers" => self.push(
                    Class::PossiblyBreaking,
                    "servers-changed",
                    &place,
                    "the servers changed".into(),
                    "the base URL users pass (and `Client::DEFAULT_BASE_URL`, written by hand) may need to change".into(),
                ),
                "security" => self.push(
                    Class::PossiblyBreaking,
                    "security-changed",
                    &place,
                    "the default security requirement changed".into(),
                    "requests may need other credentials; the Rust API is unchanged".into(),
                ),
                _ => self.push(
                    Class::PossiblyBreaking,
                    "document-changed",
                    &place,
                    format!("`{key}` changed"),
                    "not compared in detail; check the generated code".into(),
                ),
            }
        }
        let (oc, nc) = (
            old.get("components").unwrap_or(&Value::Null),
            new.get("components").unwrap_or(&Value::Null),
        );
        let keys: BTreeSet<&String> = object_keys(oc).chain(object_keys(nc)).collect();
        for key in keys {
            let (a, b) = (oc.get(key), nc.get(key));
            // Parameters, bodies, responses and headers are compared where operations use them.
            if a == b
                || matches!(
                    key.as_str(),
                    "schemas"
                        | "parameters"
                        | "requestBodies"
                        | "responses"
                        | "headers"
                        | "examples"
                )
            {
                continue;
            }
            let place = Place {
                pointer: push_pointer("/components", key),
                ..place.clone()
            };
            if key == "securitySchemes" {
                self.push(
                    Class::PossiblyBreaking,
                    "security-changed",
                    &place,
                    format!(
                        "security schemes changed ({})",
                        changed_keys(a, b).join(", ")
                    ),
                    "requests may need other credentials; the Rust API is unchanged".into(),
                );
            } else {
                self.push(
                    Class::PossiblyBreaking,
                    "document-changed",
                    &place,
                    format!("`components/{key}` changed"),
                    "not compared in detail; check the generated code".into(),
                );
            }
        }
    }
}
