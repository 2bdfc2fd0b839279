//! The comparison of two normalized documents, change by change.
//!
//! Every rule is stated twice in effect: what the change means on the wire, given whether the
//! schema travels in requests, responses or both; and what it does to the generated Rust.
//! Where the Rust types of both sides are known, a change that alters the type a user writes
//! or matches on is breaking whatever the wire says, and a change that leaves it alone is
//! judged on the wire alone (see [`Cmp::adjust`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::rust::{RustView, sanitize};
use super::{Change, Class};
use crate::document::METHODS;
use crate::error::push_pointer;

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

    // ---- operations -------------------------------------------------------------------

    fn operations(&mut self) {
        let old_ops = operations(self.old.value);
        let new_ops = operations(self.new.value);
        let mut matched: Vec<(String, String)> = Vec::new();
        let mut rename_targets = BTreeSet::new();
        for (method, old_op) in &old_ops {
            if new_ops.contains_key(method) {
                matched.push((method.clone(), method.clone()));
                continue;
            }
            let renamed = new_ops.iter().find(|(m, op)| {
                !old_ops.contains_key(*m) && op.path == old_op.path && op.verb == old_op.verb
            });
            let place = Place {
                api: format!("`{} {}`", old_op.verb.to_uppercase(), old_op.path),
                pointer: old_op.pointer.clone(),
                item: format!("Client::{method}"),
                ..Place::default()
            };
            match renamed {
                Some((new_method, _)) => {
                    rename_targets.insert(new_method.clone());
                    let place = Place {
                        pointer: new_ops[new_method].pointer.clone(),
                        ..place
                    };
                    self.push(
                        Class::Breaking,
                        "operation-renamed",
                        &place,
                        format!("the method name changed from `{method}` to `{new_method}` (a new operationId)"),
                        format!(
                            "`Client::{method}` is now `Client::{new_method}` (and its builder type is renamed); \
                             to keep the old name, pin it in `openapi/overrides.json`: \
                             `\"operations\": {{\"{}\": \"{method}\"}}`",
                            new_method
                        ),
                    );
                    matched.push((method.clone(), new_method.clone()));
                }
                None => self.push(
                    Class::Breaking,
                    "operation-removed",
                    &place,
                    "the operation was removed".into(),
                    format!("`Client::{method}` no longer exists; calls to it do not compile"),
                ),
            }
        }
        for (method, new_op) in &new_ops {
            if old_ops.contains_key(method) || rename_targets.contains(method) {
                continue;
            }
            let place = Place {
                api: format!("`{} {}`", new_op.verb.to_uppercase(), new_op.path),
                pointer: new_op.pointer.clone(),
                item: format!("Client::{method}"),
                ..Place::default()
            };
            self.push(
                Class::Compatible,
                "operation-added",
                &place,
                "a new operation".into(),
                format!("new method `Client::{method}`"),
            );
        }
        for (old_method, new_method) in matched {
            self.operation(&old_ops[&old_method], &new_ops[&new_method], &new_method);
        }
    }

    fn operation(&mut self, o: &Operation<'a>, n: &Operation<'a>, method: &str) {
        let base = Place {
            api: format!("`{} {}`", n.verb.to_uppercase(), n.path),
            pointer: n.pointer.clone(),
            item: format!("Client::{method}"),
            ..Place::default()
        };
        if o.path != n.path || o.verb != n.verb {
            self.push(
                Class::Breaking,
                "operation-moved",
                &base,
                format!(
                    "the path or HTTP method changed: `{} {}` → `{} {}`",
                    o.verb.to_uppercase(),
                    o.path,
                    n.verb.to_uppercase(),
                    n.path
                ),
                format!(
                    "`Client::{method}` keeps its signature but sends a different request; \
                     earlier versions of the crate stop working against the new server"
                ),
            );
        }
        let (oo, no) = (o.op, n.op);
        let old_rust = self
            .old
            .rust
            .and_then(|r| r.methods.get(&o.method))
            .cloned();
        let new_rust = self.new.rust.and_then(|r| r.methods.get(method)).cloned();

        // Documentation and flags.
        for key in DOC_KEYS {
            if oo.get(key) != no.get(key) {
                self.push(
                    Class::Compatible,
                    "description-changed",
                    &base,
                    format!("the operation's `{key}` changed"),
                    format!("the documentation of `Client::{method}` changes"),
                );
            }
        }
        self.deprecation(&base, oo, no);
        for key in ["tags"] {
            if oo.get(key) != no.get(key) {
                self.push(
                    Class::Compatible,
                    "documentation-changed",
                    &base,
                    format!("the operation's `{key}` changed"),
                    "no change in Rust".into(),
                );
            }
        }
        for key in ["security", "servers"] {
            if oo.get(key) != no.get(key) {
                self.push(
                    Class::PossiblyBreaking,
                    if key == "security" {
                        "security-changed"
                    } else {
                        "servers-changed"
                    },
                    &base,
                    format!("the operation's `{key}` changed"),
                    "the Rust call is unchanged; requests may need other credentials or go elsewhere".into(),
                );
            }
        }
        let handled = [
            "operationId",
            "parameters",
            "requestBody",
            "responses",
            "description",
            "summary",
            "example",
            "externalDocs",
            "deprecated",
            "tags",
            "security",
            "servers",
        ];
        for key in object_keys(oo)
            .chain(object_keys(no))
            .collect::<BTreeSet<_>>()
        {
            if handled.contains(&key.as_str()) || oo.get(key) == no.get(key) {
                continue;
            }
            self.push(
                Class::PossiblyBreaking,
                "operation-changed",
                &Place {
                    pointer: push_pointer(&base.pointer, key),
                    ..base.clone()
                },
                format!("the operation's `{key}` changed"),
                "not compared in detail; check the generated code".into(),
            );
        }

        self.parameters(&base, o, n, old_rust.as_ref(), new_rust.as_ref());
        self.request_body(&base, o, n, old_rust.as_ref(), new_rust.as_ref());
        self.responses(&base, o, n, old_rust.as_ref(), new_rust.as_ref());
    }

    fn deprecation(&mut self, place: &Place, old: &Value, new: &Value) {
        let (a, b) = (
            is_true(old.get("deprecated")),
            is_true(new.get("deprecated")),
        );
        if a != b {
            self.push(
                Class::Compatible,
                if b { "deprecated" } else { "undeprecated" },
                place,
                if b {
                    "now deprecated".into()
                } else {
                    "no longer deprecated".into()
                },
                "nothing changes in Rust beyond the documentation; plan to move off it".into(),
            );
        }
    }

    fn parameters(
        &mut self,
        base: &Place,
        o: &Operation<'a>,
        n: &Operation<'a>,
        old_rust: Option<&super::rust::RustMethod>,
        new_rust: Option<&super::rust::RustMethod>,
    ) {
        let old_params = o.parameters(self.old.value);
        let new_params = n.parameters(self.new.value);
        let (old_view, new_view) = (self.old.rust, self.new.rust);
        let place_for = |name: &str, pointer: &str, op: Option<&Param>, np: Option<&Param>| {
            let rust_name = sanitize(name, false);
            // The setter takes the type without the `Option` an optional parameter's field has.
            let setter = |rust: Option<&super::rust::RustMethod>, p: Option<&Param>| {
                let ty = rust?.fields.get(&rust_name)?.clone();
                let p = p?;
                Some(if p.required {
                    ty
                } else {
                    ty.strip_prefix("Option<")
                        .and_then(|t| t.strip_suffix('>'))
                        .map(str::to_string)
                        .unwrap_or(ty)
                })
            };
            let old_ty = setter(old_rust, op);
            let new_ty = setter(new_rust, np);
            let location = np.or(op).map(|p| p.location.as_str()).unwrap_or("query");
            Place {
                api: format!("{} {location} parameter `{name}`", base.api),
                pointer: pointer.to_string(),
                item: base.item.clone(),
                member: Some(format!("parameter `{rust_name}`")),
                old_model: old_ty.as_deref().and_then(|t| old_view?.named_inner(t)),
                new_model: new_ty.as_deref().and_then(|t| new_view?.named_inner(t)),
                old_ty,
                new_ty,
                ..Place::default()
            }
        };
        for (name, op) in &old_params {
            if new_params.contains_key(name) {
                continue;
            }
            let place = place_for(name, &op.pointer, Some(op), None);
            let rust_name = sanitize(name, false);
            self.push(
                Class::Breaking,
                "parameter-removed",
                &place,
                format!(
                    "the {} parameter `{name}` was removed",
                    if op.required { "required" } else { "optional" }
                ),
                format!("the builder method `.{rust_name}(..)` no longer exists; calls to it do not compile"),
            );
        }
        for (name, np) in &new_params {
            let rust_name = sanitize(name, false);
            let Some(op) = old_params.get(name) else {
                let place = place_for(name, &np.pointer, None, Some(np));
                if np.required {
                    self.push(
                        Class::Breaking,
                        "parameter-added-required",
                        &place,
                        format!("a new required {} parameter `{name}`", np.location),
                        format!(
                            "every call must now set `.{rust_name}(..)`; without it `send()` returns an error \
                             (the compiler does not catch this)"
                        ),
                    );
                } else {
                    self.push(
                        Class::Compatible,
                        "parameter-added",
                        &place,
                        format!("a new optional {} parameter `{name}`", np.location),
                        format!(
                            "new builder method `.{rust_name}(..)`; existing calls are unaffected"
                        ),
                    );
                }
                continue;
            };
            let place = place_for(name, &np.pointer, Some(op), Some(np));
            if op.location != np.location {
                self.push(
                    Class::Breaking,
                    "parameter-location-changed",
                    &place,
                    format!(
                        "`{name}` moved from the {} to the {}",
                        op.location, np.location
                    ),
                    "the Rust call is unchanged, but earlier versions of the crate send it in the wrong place".into(),
                );
            }
            match (op.required, np.required) {
                (false, true) => self.push(
                    Class::Breaking,
                    "parameter-became-required",
                    &place,
                    format!("`{name}` became required"),
                    format!(
                        "every call must now set `.{rust_name}(..)`; without it `send()` returns an error"
                    ),
                ),
                (true, false) => self.push(
                    Class::Compatible,
                    "parameter-became-optional",
                    &place,
                    format!("`{name}` became optional"),
                    format!("`.{rust_name}(..)` may now be left out; existing calls are unaffected"),
                ),
                _ => {}
            }
            for key in DOC_KEYS {
                if op.value.get(key) != np.value.get(key) {
                    self.push(
                        Class::Compatible,
                        "description-changed",
                        &place,
                        format!("the parameter's `{key}` changed"),
                        "documentation only".into(),
                    );
                }
            }
            self.deprecation(&place, op.value, np.value);
            let handled = [
                "name",
                "in",
                "required",
                "schema",
                "description",
                "summary",
                "example",
                "externalDocs",
                "deprecated",
                "examples",
            ];
            for key in object_keys(op.value)
                .chain(object_keys(np.value))
                .collect::<BTreeSet<_>>()
            {
                if handled.contains(&key.as_str()) || op.value.get(key) == np.value.get(key) {
                    continue;
                }
                let class = self.adjust(&place, Class::PossiblyBreaking, Class::PossiblyBreaking);
                self.push(
                    class,
                    "parameter-changed",
                    &place,
                    format!("the parameter's `{key}` changed"),
                    self.rust_note(&place),
                );
            }
            let null = Value::Null;
            let (os, ns) = (
                op.value.get("schema").unwrap_or(&null),
                np.value.get("schema").unwrap_or(&null),
            );
            let schema_place = Place {
                pointer: push_pointer(&place.pointer, "schema"),
                ..place
            };
            self.schema(&schema_place, os, ns, Dir::Request);
        }
    }

    fn request_body(
        &mut self,
        base: &Place,
        o: &Operation<'a>,
        n: &Operation<'a>,
        old_rust: Option<&super::rust::RustMethod>,
        new_rust: Option<&super::rust::RustMethod>,
    ) {
        let ob =
            o.op.get("requestBody")
                .and_then(|b| resolve(self.old.value, b, "requestBodies"));
        let nb =
            n.op.get("requestBody")
                .and_then(|b| resolve(self.new.value, b, "requestBodies"));
        let old_ty = old_rust.and_then(|r| r.fields.get("body").cloned());
        let new_ty = new_rust.and_then(|r| r.fields.get("body").cloned());
        let place = Place {
            api: format!("{} request body", base.api),
            pointer: push_pointer(&base.pointer, "requestBody"),
            item: base.item.clone(),
            member: Some("body".into()),
            old_model: old_ty
                .as_deref()
                .and_then(|t| self.old.rust?.named_inner(t)),
            new_model: new_ty
                .as_deref()
                .and_then(|t| self.new.rust?.named_inner(t)),
            old_ty,
            new_ty,
            ..Place::default()
        };
        let required = |b: &Value| is_true(b.get("required"));
        match (ob, nb) {
            (None, None) => {}
            (Some(_), None) => self.push(
                Class::Breaking,
                "request-body-removed",
                &place,
                "the request body was removed".into(),
                "the builder method `.body(..)` no longer exists; calls to it do not compile"
                    .into(),
            ),
            (None, Some(b)) => {
                let (class, kind, impact) = if required(b) {
                    (
                        Class::Breaking,
                        "request-body-added-required",
                        "every call must now set `.body(..)`; without it `send()` returns an error",
                    )
                } else {
                    (
                        Class::Compatible,
                        "request-body-added",
                        "new builder method `.body(..)`; existing calls are unaffected",
                    )
                };
                self.push(
                    class,
                    kind,
                    &place,
                    "a request body was added".into(),
                    impact.into(),
                );
            }
            (Some(ob), Some(nb)) => {
                match (required(ob), required(nb)) {
                    (false, true) => self.push(
                        Class::Breaking,
                        "request-body-became-required",
                        &place,
                        "the request body became required".into(),
                        "every call must now set `.body(..)`".into(),
                    ),
                    (true, false) => self.push(
                        Class::Compatible,
                        "request-body-became-optional",
                        &place,
                        "the request body became optional".into(),
                        "existing calls are unaffected".into(),
                    ),
                    _ => {}
                }
                if ob.get("description") != nb.get("description") {
                    self.push(
                        Class::Compatible,
                        "description-changed",
                        &place,
                        "the request body's description changed".into(),
                        "documentation only".into(),
                    );
                }
                self.content(
                    &place,
                    ob,
                    nb,
                    Dir::Request,
                    "request-body-media-type-changed",
                );
            }
        }
    }

    /// Compares the `content` of a request body or response: its media types, and the JSON
    /// schema.
    fn content(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir, kind: &str) {
        let null = Value::Null;
        let oc = old.get("content").unwrap_or(&null);
        let nc = new.get("content").unwrap_or(&null);
        let om: Vec<&String> = object_keys(oc).collect();
        let nm: Vec<&String> = object_keys(nc).collect();
        if om != nm {
            let class = self.adjust(place, Class::Breaking, Class::PossiblyBreaking);
            let list = |m: &[&String]| {
                if m.is_empty() {
                    "no body".to_string()
                } else {
                    m.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            self.push(
                class,
                kind,
                place,
                format!("media types changed: {} → {}", list(&om), list(&nm)),
                self.rust_note(place),
            );
        }
        if let (Some((om, os)), Some((nm, ns))) = (json_media(oc), json_media(nc))
            && om == nm
        {
            let ptr = push_pointer(&push_pointer(&place.pointer, "content"), nm);
            let schema_place = Place {
                pointer: push_pointer(&ptr, "schema"),
                ..place.clone()
            };
            self.schema(
                &schema_place,
                os.get("schema").unwrap_or(&null),
                ns.get("schema").unwrap_or(&null),
                dir,
            );
        }
    }

    fn responses(
        &mut self,
        base: &Place,
        o: &Operation<'a>,
        n: &Operation<'a>,
        old_rust: Option<&super::rust::RustMethod>,
        new_rust: Option<&super::rust::RustMethod>,
    ) {
        let empty = serde_json::Map::new();
        let or =
            o.op.get("responses")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
        let nr =
            n.op.get("responses")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
        let statuses: BTreeSet<&String> = or.keys().chain(nr.keys()).collect();
        for status in statuses {
            let success = !(status.starts_with('4') || status.starts_with('5'));
            let ty = |r: Option<&super::rust::RustMethod>| {
                r.and_then(|r| {
                    if success {
                        r.success.clone()
                    } else {
                        r.error.clone()
                    }
                })
            };
            let (old_ty, new_ty) = (ty(old_rust), ty(new_rust));
            let what = if success {
                "response"
            } else {
                "error response"
            };
            let place = Place {
                api: format!("{} {what} `{status}`", base.api),
                pointer: push_pointer(&push_pointer(&base.pointer, "responses"), status),
                item: base.item.clone(),
                member: Some(if success {
                    "success type (`ResponseValue<T>`)".into()
                } else {
                    "error type (`Error<E>`)".into()
                }),
                old_model: old_ty
                    .as_deref()
                    .and_then(|t| self.old.rust?.named_inner(t)),
                new_model: new_ty
                    .as_deref()
                    .and_then(|t| self.new.rust?.named_inner(t)),
                old_ty,
                new_ty,
                ..Place::default()
            };
            let orr = or
                .get(status)
                .and_then(|r| resolve(self.old.value, r, "responses"));
            let nrr = nr
                .get(status)
                .and_then(|r| resolve(self.new.value, r, "responses"));
            match (orr, nrr) {
                (None, None) => {}
                (Some(_), None) => {
                    let wire = if success {
                        Class::PossiblyBreaking
                    } else {
                        Class::Compatible
                    };
                    let class = self.adjust(&place, wire, wire);
                    self.push(
                        class,
                        "response-status-removed",
                        &place,
                        format!("the {what} `{status}` was removed"),
                        if success {
                            format!(
                                "code that checks for status {status} must change; {}",
                                self.rust_note(&place)
                            )
                        } else {
                            self.rust_note(&place)
                        },
                    );
                }
                (None, Some(_)) => {
                    let class = self.adjust(&place, Class::Compatible, Class::Compatible);
                    self.push(
                        class,
                        "response-status-added",
                        &place,
                        format!("a new {what} `{status}`"),
                        self.rust_note(&place),
                    );
                }
                (Some(a), Some(b)) => {
                    if a.get("description") != b.get("description") {
                        self.push(
                            Class::Compatible,
                            "description-changed",
                            &place,
                            format!("the {what}'s description changed"),
                            "documentation only".into(),
                        );
                    }
                    if a.get("headers") != b.get("headers") {
                        let removed = object_keys(a.get("headers").unwrap_or(&Value::Null))
                            .any(|h| b.get("headers").and_then(|hs| hs.get(h)).is_none());
                        self.push(
                            if removed {
                                Class::PossiblyBreaking
                            } else {
                                Class::Compatible
                            },
                            "response-headers-changed",
                            &place,
                            format!("the {what}'s headers changed"),
                            "headers are read from `ResponseValue::headers()`; no Rust type changes".into(),
                        );
                    }
                    self.content(&place, a, b, Dir::Response, "response-media-type-changed");
                }
            }
        }
    }

    // ---- component schemas -------------------------------------------------------------

    fn detect_renames(&mut self) {
        let (os, ns) = (schemas(self.old.value), schemas(self.new.value));
        let removed: Vec<&String> = os.keys().filter(|k| !ns.contains_key(*k)).collect();
        let added: Vec<&String> = ns.keys().filter(|k| !os.contains_key(*k)).collect();
        for r in removed {
            let same: Vec<&&String> = added.iter().filter(|a| ns[**a] == os[r]).collect();
            if let [only] = same.as_slice() {
                self.renames.insert(r.clone(), (**only).clone());
            }
        }
    }

    fn usage(&self, old_name: Option<&str>, new_name: Option<&str>) -> Option<Dir> {
        let mut request = false;
        let mut response = false;
        for (map, name) in [(&self.old_usage, old_name), (&self.new_usage, new_name)] {
            if let Some((q, s)) = name.and_then(|n| map.get(n)) {
                request |= q;
                response |= s;
            }
        }
        match (request, response) {
            (true, false) => Some(Dir::Request),
            (false, true) => Some(Dir::Response),
            (true, true) => Some(Dir::Both),
            (false, false) => None,
        }
    }

    fn components(&mut self) {
        let (old_doc, new_doc) = (self.old.value, self.new.value);
        let (os, ns) = (schemas(old_doc), schemas(new_doc));
        let renamed_to: BTreeSet<String> = self.renames.values().cloned().collect();
        let type_place = |cmp: &Self, old: Option<&str>, new: Option<&str>| {
            let old_rust = old.map(|n| sanitize(n, true));
            let new_rust = new.map(|n| sanitize(n, true));
            let name = new.or(old).unwrap_or_default();
            let side_ptr = push_pointer("/components/schemas", name);
            Place {
                api: format!("schema `{name}`"),
                pointer: side_ptr,
                item: format!(
                    "types::{}",
                    new_rust
                        .as_deref()
                        .or(old_rust.as_deref())
                        .unwrap_or_default()
                ),
                member: None,
                old_ty: old_rust.as_deref().and_then(|n| cmp.old.rust?.signature(n)),
                new_ty: new_rust.as_deref().and_then(|n| cmp.new.rust?.signature(n)),
                old_model: old_rust
                    .filter(|n| cmp.old.rust.is_some_and(|r| r.types.contains_key(n))),
                new_model: new_rust
                    .filter(|n| cmp.new.rust.is_some_and(|r| r.types.contains_key(n))),
                ..Place::default()
            }
        };
        for name in os.keys() {
            if ns.contains_key(name) {
                continue;
            }
            let dir = self.usage(Some(name), None);
            if let Some(to) = self.renames.get(name).cloned() {
                let place = type_place(self, Some(name), Some(&to));
                self.push(
                    Class::Breaking,
                    "type-renamed",
                    &place,
                    format!("schema `{name}` was renamed to `{to}` (same definition)"),
                    format!(
                        "`types::{}` is now `types::{}`; to keep the old name, pin it in `openapi/overrides.json`: \
                         `\"schemas\": {{\"{to}\": \"{name}\"}}`",
                        sanitize(name, true),
                        sanitize(&to, true)
                    ),
                );
                continue;
            }
            let place = type_place(self, Some(name), None);
            self.push(
                Class::Breaking,
                "type-removed",
                &place,
                format!(
                    "schema `{name}` was removed{}",
                    dir.map(|d| format!(" (it was {})", d.text()))
                        .unwrap_or_default()
                ),
                format!(
                    "`types::{}` no longer exists; code naming it does not compile",
                    sanitize(name, true)
                ),
            );
        }
        for name in ns.keys() {
            if os.contains_key(name) || renamed_to.contains(name) {
                continue;
            }
            let place = type_place(self, None, Some(name));
            self.push(
                Class::Compatible,
                "type-added",
                &place,
                format!("new schema `{name}`"),
                format!("new type `types::{}`", sanitize(name, true)),
            );
        }
        for (name, old_schema) in os.iter() {
            if !ns.contains_key(name) {
                continue;
            }
            let new_schema = &ns[name];
            if old_schema == new_schema {
                continue;
            }
            let place = type_place(self, Some(name), Some(name));
            let dir = self.usage(Some(name), Some(name)).unwrap_or(Dir::Both);
            self.schema(&place, old_schema, new_schema, dir);
        }
    }

    // ---- schemas ----------------------------------------------------------------------

    fn schema(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
        if old == new {
            return;
        }
        // Documentation.
        for key in DOC_KEYS.into_iter().chain(["examples"]) {
            if old.get(key) != new.get(key) {
                let kind = if key.starts_with("example") {
                    "example-changed"
                } else {
                    "description-changed"
                };
                self.push(
                    Class::Compatible,
                    kind,
                    place,
                    format!("`{key}` changed"),
                    "documentation only".into(),
                );
            }
        }
        self.deprecation(place, old, new);

        // The shape: a reference, or a type and format; and nullability.
        let (ok, nk) = (self.kind(old, true), self.kind(new, false));
        if ok != nk {
            let class = self.adjust(place, Class::Breaking, Class::PossiblyBreaking);
            let impact = match (&place.old_ty, &place.new_ty) {
                (Some(a), Some(b)) if a == b => format!(
                    "the Rust type stays `{a}`, but the values it holds mean something else"
                ),
                _ => self.rust_note(place),
            };
            self.push(
                class,
                "type-changed",
                place,
                format!("the type changed from {ok} to {nk} ({})", dir.text()),
                impact,
            );
            return;
        }
        let (on, nn) = (is_true(old.get("nullable")), is_true(new.get("nullable")));
        if on != nn {
            let (wire, kind, change) = if nn {
                (
                    if dir.response() {
                        Class::Breaking
                    } else {
                        Class::Compatible
                    },
                    "became-nullable",
                    format!("may now be null ({})", dir.text()),
                )
            } else {
                (
                    if dir.request() {
                        Class::Breaking
                    } else {
                        Class::Compatible
                    },
                    "no-longer-nullable",
                    format!("may no longer be null ({})", dir.text()),
                )
            };
            let class = self.adjust(place, wire, Class::Compatible);
            self.push(class, kind, place, change, self.rust_note(place));
        }

        self.enum_values(place, old, new, dir);
        if old.get("default") != new.get("default") {
            let show = |v: Option<&Value>| v.map(|v| format!("`{v}`")).unwrap_or("none".into());
            let class = self.adjust(place, Class::PossiblyBreaking, Class::PossiblyBreaking);
            self.push(
                class,
                "default-changed",
                place,
                format!(
                    "the default changed from {} to {}",
                    show(old.get("default")),
                    show(new.get("default"))
                ),
                format!(
                    "a value left out now means {} instead of {}; {}",
                    show(new.get("default")),
                    show(old.get("default")),
                    self.rust_note(place)
                ),
            );
        }
        self.limits(place, old, new, dir);

        if ok.starts_with("schema ") {
            // A reference to the same component: it is compared once, as a component. The
            // reference's own siblings were compared above; anything else left is generic.
            self.leftovers(place, old, new, &["allOf"]);
            return;
        }

        self.properties(place, old, new, dir);
        for key in ["items", "additionalProperties"] {
            match (old.get(key), new.get(key)) {
                (Some(a), Some(b)) if a.is_object() && b.is_object() => {
                    let sub = Place {
                        pointer: push_pointer(&place.pointer, key),
                        api: format!(
                            "{} ({})",
                            place.api,
                            if key == "items" {
                                "items"
                            } else {
                                "map values"
                            }
                        ),
                        ..place.clone()
                    };
                    self.schema(&sub, a, b, dir);
                }
                (a, b) if a == b => {}
                _ => {
                    let class = self.adjust(place, Class::Breaking, Class::PossiblyBreaking);
                    self.push(
                        class,
                        "schema-changed",
                        &place.below(key),
                        format!("`{key}` changed"),
                        self.rust_note(place),
                    );
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            match (
                old.get(key).and_then(Value::as_array),
                new.get(key).and_then(Value::as_array),
            ) {
                (Some(a), Some(b)) if a.len() == b.len() => {
                    for (i, (x, y)) in a.iter().zip(b).enumerate() {
                        let sub = place.below(key).below(&i.to_string());
                        self.schema(&sub, x, y, dir);
                    }
                }
                _ if old.get(key) == new.get(key) => {}
                _ => {
                    let class = self.adjust(place, Class::Breaking, Class::PossiblyBreaking);
                    self.push(
                        class,
                        "alternatives-changed",
                        &place.below(key),
                        format!("the `{key}` alternatives changed"),
                        self.rust_note(place),
                    );
                }
            }
        }
        self.leftovers(
            place,
            old,
            new,
            &["additionalProperties", "allOf", "anyOf", "oneOf"],
        );
    }

    /// Keywords no rule above covers.
    fn leftovers(&mut self, place: &Place, old: &Value, new: &Value, also_handled: &[&str]) {
        let keys: BTreeSet<&String> = object_keys(old).chain(object_keys(new)).collect();
        for key in keys {
            if SCHEMA_HANDLED.contains(&key.as_str())
                || also_handled.contains(&key.as_str())
                || old.get(key) == new.get(key)
            {
                continue;
            }
            let class = self.adjust(place, Class::PossiblyBreaking, Class::PossiblyBreaking);
            self.push(
                class,
                "schema-changed",
                &place.below(key),
                format!("`{key}` changed"),
                self.rust_note(place),
            );
        }
    }

    /// A schema's shape in words: "schema `X`" for a reference, else its type and format.
    fn kind(&self, schema: &Value, old_side: bool) -> String {
        if let Some(name) = reference(schema) {
            let name = if old_side {
                self.renames.get(name).map(String::as_str).unwrap_or(name)
            } else {
                name
            };
            return format!("schema `{name}`");
        }
        let ty = match schema.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(other) => other.to_string(),
            None if schema.get("properties").is_some() => "object".into(),
            None if schema.get("items").is_some() => "array".into(),
            None if schema.get("anyOf").is_some() => "anyOf".into(),
            None if schema.get("oneOf").is_some() => "oneOf".into(),
            None if schema.get("allOf").is_some() => "allOf".into(),
            None if schema.is_null() => "nothing (no schema)".into(),
            None if schema.get("x-rust-type").is_some() => {
                crate::rust_shapes::describe(schema).unwrap_or_else(|| "any value".into())
            }
            None => "any value".into(),
        };
        match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("`{ty}` (format `{format}`)"),
            None => format!("`{ty}`"),
        }
    }

    fn enum_values(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
        let values = |s: &Value| -> Option<Vec<Value>> {
            Some(
                s.get("enum")?
                    .as_array()?
                    .iter()
                    .filter(|v| !v.is_null())
                    .cloned()
                    .collect(),
            )
        };
        let (ov, nv) = (values(old), values(new));
        match (ov, nv) {
            (Some(ov), Some(nv)) => {
                for v in ov.iter().filter(|v| !nv.contains(v)) {
                    let variant = self.variant(true, &place.old_model, v);
                    let mut impact = match &variant {
                        Some(path) => format!(
                            "the variant `{path}` no longer exists; code naming it does not compile"
                        ),
                        None => "the value can no longer be used".into(),
                    };
                    if dir.request() {
                        impact.push_str("; the server no longer accepts the value");
                    }
                    self.push(
                        Class::Breaking,
                        "enum-value-removed",
                        &place.for_variant(variant.as_deref()),
                        format!("enum value `{v}` was removed ({})", dir.text()),
                        impact,
                    );
                }
                for v in nv.iter().filter(|v| !ov.contains(v)) {
                    let variant = self.variant(false, &place.new_model, v);
                    let name = variant
                        .clone()
                        .unwrap_or_else(|| format!("(variant for {v})"));
                    let open = self.non_exhaustive(false, &place.new_model);
                    let (class, impact) = if dir.response() {
                        (
                            Class::PossiblyBreaking,
                            if open {
                                format!(
                                    "new variant `{name}`: the value no longer arrives through the catch-all \
                                     (`_` or `Unknown`) arm, so code that handled it there behaves differently"
                                )
                            } else {
                                format!(
                                    "new variant `{name}`: exhaustive `match`es on the enum must handle it"
                                )
                            },
                        )
                    } else {
                        (
                            Class::Compatible,
                            format!("new variant `{name}`, a value requests may now carry"),
                        )
                    };
                    self.push(
                        class,
                        "enum-value-added",
                        &place.for_variant(variant.as_deref()),
                        format!("new enum value `{v}` ({})", dir.text()),
                        impact,
                    );
                }
            }
            (None, Some(_)) => {
                let wire = if dir.request() {
                    Class::Breaking
                } else {
                    Class::Compatible
                };
                let class = self.adjust(place, wire, wire);
                self.push(
                    class,
                    "enum-added",
                    place,
                    format!("the values are now restricted to an enum ({})", dir.text()),
                    self.rust_note(place),
                );
            }
            (Some(_), None) => {
                let wire = if dir.response() {
                    Class::PossiblyBreaking
                } else {
                    Class::Compatible
                };
                let class = self.adjust(place, wire, wire);
                self.push(
                    class,
                    "enum-removed",
                    place,
                    format!(
                        "the values are no longer restricted to an enum ({})",
                        dir.text()
                    ),
                    self.rust_note(place),
                );
            }
            (None, None) => {}
        }
    }

    /// Whether a model is `#[non_exhaustive]` on one side.
    fn non_exhaustive(&self, old_side: bool, model: &Option<String>) -> bool {
        let view = if old_side {
            self.old.rust
        } else {
            self.new.rust
        };
        match (view, model) {
            (Some(view), Some(model)) => view.non_exhaustive.contains(model),
            _ => false,
        }
    }

    /// `types::E::Variant` for an enum value, if the enum is a known model.
    fn variant(&self, old_side: bool, model: &Option<String>, value: &Value) -> Option<String> {
        let view = if old_side {
            self.old.rust
        } else {
            self.new.rust
        }?;
        let model = model.as_deref()?;
        let wire = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        view.variant(model, &wire)
            .map(|v| format!("types::{model}::{v}"))
    }

    fn limits(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
        let num = |s: &Value, k: &str| s.get(k).and_then(Value::as_f64);
        let mut verdicts: Vec<(String, bool)> = Vec::new(); // (description, tightened)
        for key in LOWER_BOUNDS.into_iter().chain(UPPER_BOUNDS) {
            let (a, b) = (num(old, key), num(new, key));
            if a == b {
                continue;
            }
            let lower = LOWER_BOUNDS.contains(&key);
            let tightened = match (a, b) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => {
                    if lower {
                        b > a
                    } else {
                        b < a
                    }
                }
                (None, None) => continue,
            };
            let show = |v: Option<f64>| {
                v.map(|v| format!("`{}`", fmt_num(v)))
                    .unwrap_or_else(|| "none".into())
            };
            verdicts.push((format!("`{key}` {} → {}", show(a), show(b)), tightened));
        }
        for key in ["exclusiveMinimum", "exclusiveMaximum", "uniqueItems"] {
            let (a, b) = (is_true(old.get(key)), is_true(new.get(key)));
            if a != b {
                verdicts.push((format!("`{key}` {a} → {b}"), b));
            }
        }
        for key in ["pattern", "multipleOf"] {
            let (a, b) = (old.get(key), new.get(key));
            if a != b {
                let show = |v: Option<&Value>| v.map(|v| format!("`{v}`")).unwrap_or("none".into());
                verdicts.push((format!("`{key}` {} → {}", show(a), show(b)), b.is_some()));
            }
        }
        for (what, tightened) in verdicts {
            let (wire, kind, impact) = if tightened {
                (
                    if dir.request() {
                        Class::PossiblyBreaking
                    } else {
                        Class::Compatible
                    },
                    "limit-tightened",
                    if dir.request() {
                        "values that were accepted may now be rejected"
                    } else {
                        "responses stay within the old limits"
                    },
                )
            } else {
                (
                    if dir.response() {
                        Class::PossiblyBreaking
                    } else {
                        Class::Compatible
                    },
                    "limit-loosened",
                    if dir.response() {
                        "responses may now hold values outside the old limits"
                    } else {
                        "requests may carry more values than before"
                    },
                )
            };
            let class = self.adjust(place, wire, wire);
            self.push(
                class,
                kind,
                place,
                format!(
                    "a limit was {}: {what} ({})",
                    if tightened { "tightened" } else { "loosened" },
                    dir.text()
                ),
                format!("{impact}; {}", self.rust_note(place)),
            );
        }
    }

    fn properties(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
        let empty = serde_json::Map::new();
        let op = old
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let np = new
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (oreq, nreq) = (required(old), required(new));
        let names: BTreeSet<&String> = op.keys().chain(np.keys()).collect();
        for name in names {
            let sub = self.field_place(place, name);
            match (op.get(name), np.get(name)) {
                (Some(_), None) => {
                    let field = sub.member.clone().unwrap_or_default();
                    self.push(
                        Class::Breaking,
                        "property-removed",
                        &sub,
                        format!(
                            "the {} property `{name}` was removed ({})",
                            if oreq.contains(name) { "required" } else { "optional" },
                            dir.text()
                        ),
                        format!("the {field} no longer exists; code reading or setting it does not compile"),
                    );
                }
                (None, Some(_)) => {
                    let is_required = nreq.contains(name);
                    let field = sub.member.clone().unwrap_or_default();
                    let ty = sub
                        .new_ty
                        .as_ref()
                        .map(|t| format!(" (`{t}`)"))
                        .unwrap_or_default();
                    let model = place.new_model.as_deref().unwrap_or("the model");
                    let (class, kind, impact) = match (dir.request(), is_required) {
                        (true, true) => (
                            Class::Breaking,
                            "property-added-required",
                            format!(
                                "a new required {field}{ty}: requests must now carry it, and code building `{model}` must set it"
                            ),
                        ),
                        (true, false) if self.non_exhaustive(false, &place.new_model) => (
                            Class::Compatible,
                            "property-added",
                            format!(
                                "a new {field}{ty}; `{model}` is `#[non_exhaustive]`, so no code outside \
                                 the crate builds it with a struct literal and nothing breaks"
                            ),
                        ),
                        (true, false) => (
                            Class::PossiblyBreaking,
                            "property-added-optional",
                            format!(
                                "a new {field}{ty}: code building `{model}` with a struct literal must add it \
                                 (`types::{model}::builder()` is unaffected)"
                            ),
                        ),
                        (false, _) => (
                            Class::Compatible,
                            "property-added",
                            format!("a new {field}{ty} to read"),
                        ),
                    };
                    self.push(
                        class,
                        kind,
                        &sub,
                        format!(
                            "a new {} property `{name}` ({})",
                            if is_required { "required" } else { "optional" },
                            dir.text()
                        ),
                        impact,
                    );
                }
                (Some(a), Some(b)) => {
                    match (oreq.contains(name), nreq.contains(name)) {
                        (false, true) => {
                            let wire = if dir.request() {
                                Class::Breaking
                            } else {
                                Class::Compatible
                            };
                            let class = self.adjust(&sub, wire, wire);
                            self.push(
                                class,
                                "property-became-required",
                                &sub,
                                format!("`{name}` became required ({})", dir.text()),
                                self.rust_note(&sub),
                            );
                        }
                        (true, false) => {
                            let wire = if dir.response() {
                                Class::Breaking
                            } else {
                                Class::Compatible
                            };
                            let class = self.adjust(&sub, wire, Class::Compatible);
                            self.push(
                                class,
                                "property-became-optional",
                                &sub,
                                format!("`{name}` became optional ({})", dir.text()),
                                self.rust_note(&sub),
                            );
                        }
                        _ => {}
                    }
                    self.schema(&sub, a, b, dir);
                }
                (None, None) => {}
            }
        }
    }

    fn field_place(&self, parent: &Place, wire: &str) -> Place {
        let of = parent
            .old_model
            .as_deref()
            .and_then(|m| self.old.rust?.field(m, wire));
        let nf = parent
            .new_model
            .as_deref()
            .and_then(|m| self.new.rust?.field(m, wire));
        let rust_name = nf
            .or(of)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| sanitize(wire, false));
        let item = parent
            .new_model
            .as_ref()
            .or(parent.old_model.as_ref())
            .map(|m| format!("types::{m}"))
            .unwrap_or_else(|| parent.item.clone());
        let schema_api = if parent.props.is_empty() {
            parent.api.clone()
        } else {
            parent.schema_api.clone()
        };
        let props = if parent.props.is_empty() {
            wire.to_string()
        } else {
            format!("{}.{wire}", parent.props)
        };
        let api = format!("{schema_api}, property `{props}`");
        let old_ty = of.map(|f| f.ty.clone());
        let new_ty = nf.map(|f| f.ty.clone());
        Place {
            api,
            schema_api,
            props,
            pointer: push_pointer(&push_pointer(&parent.pointer, "properties"), wire),
            item,
            member: Some(format!("field `{rust_name}`")),
            old_model: old_ty
                .as_deref()
                .and_then(|t| self.old.rust?.named_inner(t)),
            new_model: new_ty
                .as_deref()
                .and_then(|t| self.new.rust?.named_inner(t)),
            old_ty,
            new_ty,
        }
    }
}

/// The JSON media type of a `content` map, or else its first one.
fn json_media(content: &Value) -> Option<(&String, &Value)> {
    let map = content.as_object()?;
    map.iter()
        .find(|(m, _)| m.as_str() == "application/json" || m.starts_with("application/json;"))
        .or_else(|| map.iter().next())
}

fn tail(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn is_true(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool).unwrap_or(false)
}

fn object_keys(v: &Value) -> impl Iterator<Item = &String> {
    v.as_object().into_iter().flat_map(|m| m.keys())
}

fn changed_keys(a: Option<&Value>, b: Option<&Value>) -> Vec<String> {
    let null = Value::Null;
    let (a, b) = (a.unwrap_or(&null), b.unwrap_or(&null));
    let keys: BTreeSet<&String> = object_keys(a).chain(object_keys(b)).collect();
    let changed: Vec<String> = keys
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("`{k}`"))
        .collect();
    if changed.is_empty() {
        vec!["replaced".into()]
    } else {
        changed
    }
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The component a schema refers to: `$ref`, or a lone `allOf: [{$ref}]` (the normalizer's
/// spelling of a reference with siblings).
fn reference(schema: &Value) -> Option<&str> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.strip_prefix("#/components/schemas/");
    }
    match schema.get("allOf").and_then(Value::as_array)?.as_slice() {
        [only] if only.as_object().is_some_and(|o| o.len() == 1) => only
            .get("$ref")
            .and_then(Value::as_str)?
            .strip_prefix("#/components/schemas/"),
        _ => None,
    }
}

fn schemas(doc: &Value) -> &serde_json::Map<String, Value> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new))
}

/// Follows a local `#/components/<kind>/<name>` reference chain.
fn resolve<'v>(doc: &'v Value, value: &'v Value, kind: &str) -> Option<&'v Value> {
    let mut value = value;
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            None => return Some(value),
            Some(r) => {
                let name = r.strip_prefix(&format!("#/components/{kind}/"))?;
                value = doc.get("components")?.get(kind)?.get(name)?;
            }
        }
    }
    None
}

struct Operation<'a> {
    method: String,
    path: String,
    verb: String,
    pointer: String,
    op: &'a Value,
    item: &'a Value,
}

struct Param<'a> {
    location: String,
    required: bool,
    pointer: String,
    value: &'a Value,
}

impl<'a> Operation<'a> {
    /// Path-level parameters, overridden by operation-level ones of the same name and place,
    /// by name.
    fn parameters(&self, doc: &'a Value) -> BTreeMap<String, Param<'a>> {
        let mut out = BTreeMap::new();
        let item_ptr = self.pointer[..self.pointer.rfind('/').unwrap_or(0)].to_string();
        for (list, ptr) in [
            (
                self.item.get("parameters"),
                push_pointer(&item_ptr, "parameters"),
            ),
            (
                self.op.get("parameters"),
                push_pointer(&self.pointer, "parameters"),
            ),
        ] {
            for (i, p) in list
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(p) = resolve(doc, p, "parameters") else {
                    continue;
                };
                let Some(name) = p.get("name").and_then(Value::as_str) else {
                    continue;
                };
                out.insert(
                    name.to_string(),
                    Param {
                        location: p
                            .get("in")
                            .and_then(Value::as_str)
                            .unwrap_or("query")
                            .to_string(),
                        required: is_true(p.get("required")),
                        pointer: push_pointer(&ptr, &i.to_string()),
                        value: p,
                    },
                );
            }
        }
        out
    }
}

fn operations(doc: &Value) -> BTreeMap<String, Operation<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for verb in METHODS {
            let Some(op) = item.get(verb) else { continue };
            let pointer = push_pointer(&push_pointer("/paths", path), verb);
            let method = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{verb} {path}"));
            out.insert(
                method.clone(),
                Operation {
                    method,
                    path: path.clone(),
                    verb: verb.to_string(),
                    pointer,
                    op,
                    item,
                },
            );
        }
    }
    out
}

/// For each component schema: whether requests carry it, and whether responses do,
/// following references transitively.
fn schema_usage(doc: &Value) -> BTreeMap<String, (bool, bool)> {
    let mut direct: [BTreeSet<String>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for op in operations(doc).values() {
        for p in op
            .item
            .get("parameters")
            .into_iter()
            .chain(op.op.get("parameters"))
            .filter_map(Value::as_array)
            .flatten()
        {
            if let Some(p) = resolve(doc, p, "parameters") {
                collect_refs(p, &mut direct[0]);
            }
        }
        if let Some(b) = op
            .op
            .get("requestBody")
            .and_then(|b| resolve(doc, b, "requestBodies"))
        {
            collect_refs(b, &mut direct[0]);
        }
        for r in op
            .op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.values())
        {
            if let Some(r) = resolve(doc, r, "responses") {
                collect_refs(r, &mut direct[1]);
            }
        }
    }
    let all = schemas(doc);
    let mut out: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for (side, roots) in direct.into_iter().enumerate() {
        let mut seen = BTreeSet::new();
        let mut work: Vec<String> = roots.into_iter().collect();
        while let Some(name) = work.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let entry = out.entry(name.clone()).or_default();
            if side == 0 {
                entry.0 = true;
            } else {
                entry.1 = true;
            }
            if let Some(schema) = all.get(&name) {
                let mut next = BTreeSet::new();
                collect_refs(schema, &mut next);
                work.extend(next);
            }
        }
    }
    out
}

fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref"
                    && let Some(name) = v
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.insert(name.to_string());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
