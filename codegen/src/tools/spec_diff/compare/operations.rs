//! Operations: paths, methods, parameters, request bodies and responses.

// The impl continues `Cmp` from `mod.rs`; it shares that module's vocabulary.
use super::lookup::*;
use super::*;

impl<'a> Cmp<'a> {
    pub(super) fn operations(&mut self) {
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

    pub(super) fn operation(&mut self, o: &Operation<'a>, n: &Operation<'a>, method: &str) {
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
            crate::normalize::statuses::STATUSES_MARKER,
            crate::normalize::statuses::ERRORS_MARKER,
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
        self.status_variants(&base, o, n);
    }

    pub(super) fn deprecation(&mut self, place: &Place, old: &Value, new: &Value) {
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

    pub(super) fn parameters(
        &mut self,
        base: &Place,
        o: &Operation<'a>,
        n: &Operation<'a>,
        old_rust: Option<&crate::tools::spec_diff::rust::RustMethod>,
        new_rust: Option<&crate::tools::spec_diff::rust::RustMethod>,
    ) {
        let old_params = o.parameters(self.old.value);
        let new_params = n.parameters(self.new.value);
        let (old_view, new_view) = (self.old.rust, self.new.rust);
        let place_for = |name: &str, pointer: &str, op: Option<&Param>, np: Option<&Param>| {
            let rust_name = sanitize(name, false);
            // The setter takes the type without the `Option` an optional parameter's field has.
            let setter = |rust: Option<&crate::tools::spec_diff::rust::RustMethod>,
                          p: Option<&Param>| {
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

    pub(super) fn request_body(
        &mut self,
        base: &Place,
        o: &Operation<'a>,
        n: &Operation<'a>,
        old_rust: Option<&crate::tools::spec_diff::rust::RustMethod>,
        new_rust: Option<&crate::tools::spec_diff::rust::RustMethod>,
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
    pub(super) fn content(
        &mut self,
        place: &Place,
        old: &Value,
        new: &Value,
        dir: Dir,
        kind: &str,
    ) {
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
        self.event_data(place, oc, nc, dir);
    }

    /// Server-sent events on both sides: the schema of each event's `data`, the `T` of
    /// `EventStream<T>` (as `passes/responses.rs` reads it: FastAPI's `itemSchema`, or a
    /// `schema` that is a `$ref`; neither is the raw `String`).
    fn event_data(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
        const MEDIA: &str = "text/event-stream";
        const ITEM_DATA: &str = "/itemSchema/properties/data/contentSchema";
        fn data(content: &Value) -> Option<Option<(&'static str, &Value)>> {
            let media = content.get(MEDIA)?;
            Some(match media.pointer(ITEM_DATA) {
                Some(schema) => Some((ITEM_DATA, schema)),
                None => media
                    .get("schema")
                    .filter(|s| s.get("$ref").is_some())
                    .map(|s| ("/schema", s)),
            })
        }
        let (Some(od), Some(nd)) = (data(old), data(new)) else {
            return;
        };
        let ptr = push_pointer(&place.pointer, "content");
        let ptr = push_pointer(&ptr, MEDIA);
        match (od, nd) {
            (None, None) => {}
            (Some((_, os)), Some((at, ns))) => {
                let schema_place = Place {
                    pointer: format!("{ptr}{at}"),
                    ..place.clone()
                };
                self.schema(&schema_place, os, ns, dir);
            }
            (od, _) => {
                let (from, to) = if od.is_some() {
                    ("typed", "the raw `String`")
                } else {
                    ("the raw `String`", "typed")
                };
                self.push(
                    Class::Breaking,
                    "event-data-type-changed",
                    &Place {
                        pointer: ptr,
                        ..place.clone()
                    },
                    format!("the events' `data` changed from {from} to {to}"),
                    "the `T` of `EventStream<T>` changes".into(),
                );
            }
        }
    }

    pub(super) fn responses(
        &mut self,
        base: &Place,
        o: &Operation<'a>,
        n: &Operation<'a>,
        old_rust: Option<&crate::tools::spec_diff::rust::RustMethod>,
        new_rust: Option<&crate::tools::spec_diff::rust::RustMethod>,
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
            let ty = |r: Option<&crate::tools::spec_diff::rust::RustMethod>| {
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
}
