//! Mutation fuzzing of the generator: documents derived from a valid one by one small,
//! seeded change, and the generator's answer to each, classified.
//!
//! A mutant is a pure function of the base document, the seed and its index, so any mutant
//! a run reports can be rebuilt alone (`cargo xtask fuzz --seed S --only I`). The generator
//! must answer every mutant with generated code or with an [`Error`] located in the document;
//! a progenitor panic (caught in [`crate::generate`]) or a panic anywhere else is a bug.
//!
//! The mutations are the ones a hand edit or an upstream change makes: delete a node, replace
//! a value with a value of another JSON type, retype a schema (including a misspelled type),
//! break a `$ref`, give two operations the same operationId, empty an enum.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::document::{METHODS, json_type};
use crate::error::{Error, push_pointer};
use crate::tools::import::{Overrides, run_value_with_overrides};

/// Where the upstream feature corpus keeps its OpenAPI documents, if the tree has it.
pub const CORPUS_DIRS: [&str; 2] = ["openapi/corpus", "tests/corpus"];

/// The documents mutants are derived from: the project's document, then every JSON or YAML
/// OpenAPI document under [`CORPUS_DIRS`] that exists. The one list both `cargo xtask fuzz`
/// and the bounded test use.
pub fn inputs(root: &Path) -> Vec<PathBuf> {
    let mut found = vec![root.join("openapi/connections.json")];
    let mut corpus = Vec::new();
    for dir in CORPUS_DIRS {
        collect_documents(&root.join(dir), &mut corpus);
    }
    corpus.sort();
    found.extend(corpus);
    found
}

fn collect_documents(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && !path.ends_with("target") {
            collect_documents(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "yaml" | "yml")
        ) && is_openapi_document(&path)
        {
            out.push(path);
        }
    }
}

/// Corpus directories may hold other JSON (expected outputs, request logs); only documents
/// with an `openapi` field are mutated.
fn is_openapi_document(path: &Path) -> bool {
    crate::load::load(path).is_ok_and(|d| d.get("openapi").is_some())
}

/// A tiny xorshift64* generator: deterministic on every platform, no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for mutant `index` of a run seeded with `seed`.
    pub fn for_mutant(seed: u64, index: u64) -> Rng {
        // splitmix64 of the pair, so that neighbouring indices give unrelated streams.
        let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(z | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The kinds of mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// Remove an object member or an array element.
    DeleteNode,
    /// Replace a value with a value of another JSON type.
    ReplaceType,
    /// Change a schema's `type` to another type name, or to a misspelled one.
    RetypeSchema,
    /// Point a `$ref` at nothing.
    BreakRef,
    /// Give an operation the operationId of another.
    DuplicateOperationId,
    /// Replace an `enum` with the empty list.
    EmptyEnum,
}

impl Kind {
    /// Every kind, in the order mutants cycle through them.
    pub const ALL: [Kind; 6] = [
        Kind::DeleteNode,
        Kind::ReplaceType,
        Kind::RetypeSchema,
        Kind::BreakRef,
        Kind::DuplicateOperationId,
        Kind::EmptyEnum,
    ];

    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Kind::DeleteNode => "delete node",
            Kind::ReplaceType => "replace type",
            Kind::RetypeSchema => "retype schema",
            Kind::BreakRef => "break $ref",
            Kind::DuplicateOperationId => "duplicate operationId",
            Kind::EmptyEnum => "empty enum",
        }
    }
}

/// One derived document.
#[derive(Debug, Clone)]
pub struct Mutant {
    /// Its index in the run.
    pub index: u64,
    /// What was done.
    pub kind: Kind,
    /// Where (an RFC 6901 pointer into the base document).
    pub pointer: String,
    /// What was done, in words.
    pub description: String,
    /// The mutated document.
    pub document: Value,
}

/// Keys whose values are most likely to trip the generator; a replacement picks one of them
/// half the time, any node otherwise.
const INTERESTING: [&str; 16] = [
    "type",
    "format",
    "default",
    "enum",
    "example",
    "examples",
    "items",
    "required",
    "properties",
    "schema",
    "content",
    "$ref",
    "additionalProperties",
    "anyOf",
    "parameters",
    "responses",
];

/// Builds mutant `index` of the run seeded with `seed`. The kind cycles through
/// [`Kind::ALL`]; a kind with nothing to act on in `base` (no enum to empty, say) falls back
/// to deleting a node, so every mutant differs from the base.
pub fn mutant(base: &Value, seed: u64, index: u64) -> Mutant {
    let mut rng = Rng::for_mutant(seed, index);
    let kind = Kind::ALL[(index % Kind::ALL.len() as u64) as usize];
    let mut nodes = Vec::new();
    collect_nodes(base, "", &mut nodes);
    let mut document = base.clone();
    let done = match kind {
        Kind::DeleteNode => None,
        Kind::ReplaceType => replace_type(&mut document, &nodes, &mut rng),
        Kind::RetypeSchema => retype_schema(&mut document, &nodes, &mut rng),
        Kind::BreakRef => break_ref(&mut document, &nodes, &mut rng),
        Kind::DuplicateOperationId => duplicate_operation_id(&mut document, &mut rng),
        Kind::EmptyEnum => empty_enum(&mut document, &nodes, &mut rng),
    };
    let (kind, (pointer, description)) = match done {
        Some(done) => (kind, done),
        None => (
            Kind::DeleteNode,
            delete_node(&mut document, &nodes, &mut rng),
        ),
    };
    Mutant {
        index,
        kind,
        pointer,
        description,
        document,
    }
}

/// Every node below the root: (pointer, last key).
fn collect_nodes(value: &Value, ptr: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let p = push_pointer(ptr, key);
                out.push((p.clone(), key.clone()));
                collect_nodes(child, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let p = push_pointer(ptr, &i.to_string());
                out.push((p.clone(), i.to_string()));
                collect_nodes(child, &p, out);
            }
        }
        _ => {}
    }
}

fn split_parent(ptr: &str) -> (&str, String) {
    let at = ptr.rfind('/').unwrap_or(0);
    let token = ptr[at + 1..].replace("~1", "/").replace("~0", "~");
    (&ptr[..at], token)
}

fn delete_node(doc: &mut Value, nodes: &[(String, String)], rng: &mut Rng) -> (String, String) {
    let (ptr, _) = rng.pick(nodes).clone();
    let (parent, token) = split_parent(&ptr);
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&token);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = token.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
    (ptr, "deleted".to_string())
}

/// A value of a JSON type other than `current`'s.
fn other_type_value(current: &Value, rng: &mut Rng) -> Value {
    let candidates = [
        Value::Null,
        json!(true),
        json!(7),
        json!(-1.5),
        json!("strnig"),
        json!([]),
        json!(["x", 1]),
        json!({}),
        json!({"type": "string"}),
    ];
    let same = |v: &Value| std::mem::discriminant(v) == std::mem::discriminant(current);
    let others: Vec<&Value> = candidates.iter().filter(|v| !same(v)).collect();
    (*rng.pick(&others)).clone()
}

fn replace_type(
    doc: &mut Value,
    nodes: &[(String, String)],
    rng: &mut Rng,
) -> Option<(String, String)> {
    let interesting: Vec<&(String, String)> = nodes
        .iter()
        .filter(|(_, key)| INTERESTING.contains(&key.as_str()))
        .collect();
    let (ptr, _) = if !interesting.is_empty() && rng.below(2) == 0 {
        (*rng.pick(&interesting)).clone()
    } else {
        rng.pick(nodes).clone()
    };
    let slot = doc.pointer_mut(&ptr)?;
    let new = other_type_value(slot, rng);
    let description = format!("replaced {} with {new}", json_type(slot));
    *slot = new;
    Some((ptr, description))
}

fn retype_schema(
    doc: &mut Value,
    nodes: &[(String, String)],
    rng: &mut Rng,
) -> Option<(String, String)> {
    // `type` members holding a type name or a list of them (not properties named `type`).
    let types: Vec<&(String, String)> = nodes
        .iter()
        .filter(|(ptr, key)| {
            key == "type"
                && !ptr.ends_with("/properties/type")
                && doc
                    .pointer(ptr)
                    .is_some_and(|v| v.is_string() || v.is_array())
        })
        .collect();
    if types.is_empty() {
        return None;
    }
    let (ptr, _) = (*rng.pick(&types)).clone();
    // Security schemes have a `type` too; retyping one is as good a mutation.
    let names = [
        "string", "integer", "number", "boolean", "array", "object", "null", "strnig", "",
    ];
    let slot = doc.pointer_mut(&ptr)?;
    let new = loop {
        let candidate = json!(rng.pick(&names));
        if candidate != *slot {
            break candidate;
        }
    };
    let description = format!("retyped {slot} as {new}");
    *slot = new;
    Some((ptr, description))
}

fn break_ref(
    doc: &mut Value,
    nodes: &[(String, String)],
    rng: &mut Rng,
) -> Option<(String, String)> {
    let refs: Vec<&(String, String)> = nodes.iter().filter(|(_, key)| key == "$ref").collect();
    if refs.is_empty() {
        return None;
    }
    let (ptr, _) = (*rng.pick(&refs)).clone();
    let slot = doc.pointer_mut(&ptr)?;
    let old = slot.as_str().unwrap_or_default().to_string();
    let new = match rng.below(3) {
        0 => format!("{old}Missing"),
        1 => "#/components/schemas/DoesNotExist".to_string(),
        _ => old.replacen("#/components/", "#/component/", 1),
    };
    let description = format!("retargeted {old:?} to {new:?}");
    *slot = Value::String(new);
    Some((ptr, description))
}

fn duplicate_operation_id(doc: &mut Value, rng: &mut Rng) -> Option<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc.get("paths")?.as_object()? {
        for method in METHODS {
            if item.get(method).is_some_and(Value::is_object) {
                ops.push(push_pointer(&push_pointer("/paths", path), method));
            }
        }
    }
    if ops.len() < 2 {
        return None;
    }
    let from = rng.below(ops.len());
    let to = (from + 1 + rng.below(ops.len() - 1)) % ops.len();
    let id = doc
        .pointer(&push_pointer(&ops[from], "operationId"))
        .cloned()
        .unwrap_or_else(|| json!("duplicated_operation"));
    if doc
        .pointer(&push_pointer(&ops[from], "operationId"))
        .is_none()
    {
        doc.pointer_mut(&ops[from])?
            .as_object_mut()?
            .insert("operationId".into(), id.clone());
    }
    doc.pointer_mut(&ops[to])?
        .as_object_mut()?
        .insert("operationId".into(), id.clone());
    Some((
        push_pointer(&ops[to], "operationId"),
        format!("gave it the operationId {id} of {}", ops[from]),
    ))
}

fn empty_enum(
    doc: &mut Value,
    nodes: &[(String, String)],
    rng: &mut Rng,
) -> Option<(String, String)> {
    let enums: Vec<&(String, String)> = nodes
        .iter()
        .filter(|(ptr, key)| {
            key == "enum"
                && !ptr.ends_with("/properties/enum")
                && doc.pointer(ptr).is_some_and(Value::is_array)
        })
        .collect();
    if enums.is_empty() {
        return None;
    }
    let (ptr, _) = (*rng.pick(&enums)).clone();
    *doc.pointer_mut(&ptr)? = json!([]);
    Some((ptr, "emptied the enum".to_string()))
}

/// What the generator made of a mutant.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// It generated code.
    Accepted,
    /// It was rejected with an error whose pointer is in the mutated document (or names a
    /// member missing from an object that is).
    Rejected(Error),
    /// It was rejected, but the error does not say where (or progenitor rejected it, and
    /// the generator could only name the operation).
    Unlocated(Error),
    /// Progenitor panicked (caught by the generator, which reported it as an error).
    ProgenitorPanic(Error),
    /// The pipeline itself panicked.
    Panicked(String),
}

impl Outcome {
    /// A one-word class for tables.
    pub fn class(&self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Rejected(_) => "rejected",
            Outcome::Unlocated(_) => "unlocated",
            Outcome::ProgenitorPanic(_) => "progenitor panic",
            Outcome::Panicked(_) => "panicked",
        }
    }

    /// Whether the outcome is one the generator promises (accepted, or rejected with a place).
    pub fn is_good(&self) -> bool {
        matches!(self, Outcome::Accepted | Outcome::Rejected(_))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Accepted => f.write_str("accepted"),
            Outcome::Rejected(e) => write!(f, "rejected: {e}"),
            Outcome::Unlocated(e) => write!(f, "rejected without a location: {e}"),
            Outcome::ProgenitorPanic(e) => write!(f, "progenitor panicked: {e}"),
            Outcome::Panicked(m) => write!(f, "PANICKED: {m}"),
        }
    }
}

/// Runs the whole pipeline on `document` as `cargo xtask regen` does (with the
/// `overrides.json` beside `file`, if any) and classifies the answer. `file` names the
/// document in messages. On acceptance the generated files are returned too, for a compile
/// check.
pub fn classify(file: &Path, document: Value) -> (Outcome, Option<crate::Output>) {
    let probe = document.clone();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let overrides = Overrides::load_beside(file)?;
        run_value_with_overrides(file, "fuzz", document, &overrides)
    }));
    match result {
        Ok(Ok(output)) => (Outcome::Accepted, Some(output)),
        Ok(Err(error)) if error.message.contains("progenitor panicked") => {
            (Outcome::ProgenitorPanic(error), None)
        }
        // Progenitor's own errors name no place; the generator adds the operation's, which
        // is not where the problem is.
        Ok(Err(error)) if error.message.starts_with("progenitor ") => {
            (Outcome::Unlocated(error), None)
        }
        Ok(Err(error)) => {
            if is_located(&probe, &error.pointer) {
                (Outcome::Rejected(error), None)
            } else {
                (Outcome::Unlocated(error), None)
            }
        }
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(no message)".into());
            (Outcome::Panicked(message), None)
        }
    }
}

/// Whether `pointer` names a node of `document` (the root, `""`, for a missing top-level
/// field), or a member missing from an object that is (a deleted `schema`, say).
pub fn is_located(document: &Value, pointer: &str) -> bool {
    if document.pointer(pointer).is_some() {
        return true;
    }
    let (parent, _) = split_parent(pointer);
    document.pointer(parent).is_some_and(Value::is_object)
}
