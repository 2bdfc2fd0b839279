//! Unions.
//!
//! * A discriminated union (`oneOf` of references with a `discriminator`, pydantic's
//!   `Annotated[A | B, Field(discriminator=...)]`) written inline is moved into
//!   `components/schemas` under a name made of its members (`CircleOrRectangle`), one
//!   type however many fields use it. `passes::unions` turns it into an enum told apart
//!   by the tag field, with a variant for tags this crate does not know.
//! * An undiscriminated `anyOf` with a model among its members (`A | B`) becomes `oneOf`:
//!   typify reads `anyOf` of models that may overlap as "any combination" and emits a
//!   struct of flattened optional parts (`subtype_0`, `subtype_1`), where a client wants an
//!   untagged enum that decodes the first member that fits. (Of scalars, `int | str`,
//!   typify already emits that enum.)

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Normalizer;
use crate::error::push_pointer;

/// Inline discriminated unions moved into `components/schemas`, by the name they got.
#[derive(Debug, Default)]
pub(super) struct Hoisted {
    /// Component names in the document as written, which a new name must avoid.
    taken: Vec<String>,
    schemas: BTreeMap<String, Value>,
}

/// Keys that describe the use of a union rather than the union: they stay where it was.
pub(super) const USE_SITE: [&str; 6] = [
    "description",
    "default",
    "nullable",
    "deprecated",
    "readOnly",
    "writeOnly",
];

impl Normalizer<'_> {
    /// Runs on every schema after its 3.1 rewrites (so `nullable` is already split off).
    pub(super) fn unions(&mut self, ptr: &str, obj: &mut Map<String, Value>) {
        let of_models = obj.get("anyOf").and_then(Value::as_array).is_some_and(|l| {
            l.len() > 1
                && l.iter().any(|m| {
                    ["$ref", "allOf", "properties"]
                        .iter()
                        .any(|k| m.get(*k).is_some())
                        || m.get("type").is_some_and(|t| t == "object")
                })
        });
        if of_models && !obj.contains_key("oneOf") {
            let members = obj.remove("anyOf").expect("checked above");
            obj.insert("oneOf".into(), members);
        }
        let Some(key) = ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| obj.contains_key(*k))
        else {
            return;
        };
        if !obj.contains_key("discriminator") {
            return;
        }
        if key == "anyOf" {
            let members = obj.remove("anyOf").expect("found above");
            obj.insert("oneOf".into(), members);
        }
        // A union of one member is that member to typify, not an enum to tag.
        let Some(members) = member_names(obj).filter(|m| m.len() > 1) else {
            return;
        };
        // A component is a named type already.
        let parent = ptr.rsplit_once('/').map_or("", |(p, _)| p);
        if parent == "/components/schemas" {
            return;
        }
        let mut union = Map::new();
        let mut site = Map::new();
        for (k, v) in std::mem::take(obj) {
            if USE_SITE.contains(&k.as_str()) {
                site.insert(k, v);
            } else {
                union.insert(k, v);
            }
        }
        let property = union
            .get("discriminator")
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let names: Vec<String> = members
            .iter()
            .map(|m| {
                format!(
                    "`{}`",
                    heck::ToUpperCamelCase::to_upper_camel_case(m.as_str())
                )
            })
            .collect();
        union.insert(
            "description".into(),
            Value::String(format!(
                "One of {}, told apart by their `{property}` field.",
                names.join(", ")
            )),
        );
        let name = self.hoisted.name_for(&members, Value::Object(union));
        let reference = json!({ "$ref": push_pointer("#/components/schemas", &name) });
        if site.is_empty() {
            obj.insert("$ref".into(), reference["$ref"].clone());
        } else {
            site.insert("allOf".into(), json!([reference]));
            *obj = site;
        }
    }
}

impl Hoisted {
    pub(super) fn new(doc: &Value) -> Hoisted {
        let taken = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        Hoisted {
            taken,
            schemas: BTreeMap::new(),
        }
    }

    /// Adds the moved unions to `components/schemas`.
    pub(super) fn insert_into(&mut self, doc: &mut Value) {
        if self.schemas.is_empty() {
            return;
        }
        let Some(root) = doc.as_object_mut() else {
            return;
        };
        let components = root.entry("components").or_insert_with(|| json!({}));
        let Some(components) = components.as_object_mut() else {
            return;
        };
        let schemas = components.entry("schemas").or_insert_with(|| json!({}));
        if let Some(schemas) = schemas.as_object_mut() {
            schemas.extend(std::mem::take(&mut self.schemas));
        }
    }

    /// `AOrB` for members `A` and `B`; the same name for the same union, another for a
    /// different union that would get the same name.
    fn name_for(&mut self, members: &[String], union: Value) -> String {
        let base: String = members
            .iter()
            .map(|m| heck::ToUpperCamelCase::to_upper_camel_case(m.as_str()))
            .collect::<Vec<_>>()
            .join("Or");
        for n in 1.. {
            let name = if n == 1 {
                base.clone()
            } else {
                format!("{base}{n}")
            };
            if self.taken.contains(&name) {
                continue;
            }
            match self.schemas.get(&name) {
                Some(existing) if *existing == union => return name,
                Some(_) => continue,
                None => {
                    self.schemas.insert(name.clone(), union);
                    return name;
                }
            }
        }
        unreachable!("the loop above returns")
    }
}

/// The component names of a `oneOf` whose members are all plain references.
fn member_names(obj: &Map<String, Value>) -> Option<Vec<String>> {
    obj.get("oneOf")?
        .as_array()?
        .iter()
        .map(|m| {
            let m = m.as_object()?;
            if m.len() != 1 {
                return None;
            }
            let r = m.get("$ref")?.as_str()?;
            r.strip_prefix("#/components/schemas/").map(str::to_string)
        })
        .collect()
}
