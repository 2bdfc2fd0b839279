//! One schema against its counterpart: type, enum values, limits and properties.

// The impl continues `Cmp` from `mod.rs`; it shares that module's vocabulary.
use super::lookup::*;
use super::*;

impl<'a> Cmp<'a> {
    pub(super) fn schema(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
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
    pub(super) fn leftovers(
        &mut self,
        place: &Place,
        old: &Value,
        new: &Value,
        also_handled: &[&str],
    ) {
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
    pub(super) fn kind(&self, schema: &Value, old_side: bool) -> String {
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

    pub(super) fn enum_values(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
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
    pub(super) fn non_exhaustive(&self, old_side: bool, model: &Option<String>) -> bool {
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
    pub(super) fn variant(
        &self,
        old_side: bool,
        model: &Option<String>,
        value: &Value,
    ) -> Option<String> {
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

    pub(super) fn limits(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
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

    pub(super) fn properties(&mut self, place: &Place, old: &Value, new: &Value, dir: Dir) {
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

    pub(super) fn field_place(&self, parent: &Place, wire: &str) -> Place {
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
