//! What the two halves of the tree tell each other while the passes run (see
//! `crate::halves`): the thread holding `types` and the thread holding the rest (`Client`,
//! `builder`) each run every pass on their half, and a few passes need a fact from the
//! other half. syn's trees cannot cross threads, so the facts travel as plain data, each
//! on a channel of its own, and a half waits for one only where its document needs it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc::{Receiver, Sender, channel};

use syn::{Item, ItemStruct};

use quote::ToTokens;

use crate::syntax::module_named;

/// Model name → field name → the field's type as text, as typify emitted them (before the
/// passes), for the fields of [`Models::READ`] only: the rest's pagination reads the page
/// models' fields (`paginate`), `runtime_calls` a body's `stream` flag; printing every
/// field's type cost the `types` thread more than all the lookups. A type is parsed only
/// when looked up.
#[derive(Debug, Default)]
pub struct Models(BTreeMap<String, BTreeMap<String, String>>);

impl Models {
    /// The fields the rest looks up; [`Models::field`] of another is a generator bug.
    pub(crate) const READ: &[&str] = &["data", "next_cursor", "total", "stream"];

    /// The models of the `types` module of `file`.
    pub(crate) fn of(file: &syn::File) -> Models {
        let mut out = BTreeMap::new();
        for inner in module_named(file, "types") {
            let Item::Struct(ItemStruct { ident, fields, .. }) = inner else {
                continue;
            };
            let fields = fields
                .iter()
                .filter_map(|f| {
                    let name = f.ident.as_ref()?.to_string();
                    Models::READ
                        .contains(&name.as_str())
                        .then(|| (name, f.ty.to_token_stream().to_string()))
                })
                .collect();
            out.insert(ident.to_string(), fields);
        }
        Models(out)
    }

    /// Whether the model `name` exists.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The type of field `field` of model `model`.
    pub(crate) fn field(&self, model: &str, field: &str) -> Option<syn::Type> {
        debug_assert!(
            Models::READ.contains(&field),
            "Models::READ lacks `{field}`"
        );
        let text = self.0.get(model)?.get(field)?;
        syn::parse_str(text).ok()
    }
}

/// A half's ends of the channels; see [`pair`].
pub struct Link {
    models: End<Models>,
    /// The placeholder shapes the rest uses (`shapes` emits the helpers of both halves'
    /// into `types`).
    shapes: End<BTreeSet<&'static str>>,
}

enum End<T> {
    Send(Sender<T>),
    Receive(Receiver<T>),
}

/// The other half stopped (an error or a panic, which its thread reports) before it sent
/// what this half waits for.
#[derive(Debug)]
pub struct Stopped;

/// The ends for the `types` half and for the rest.
pub fn pair() -> (Link, Link) {
    let (models_tx, models_rx) = channel();
    let (shapes_tx, shapes_rx) = channel();
    let types = Link {
        models: End::Send(models_tx),
        shapes: End::Receive(shapes_rx),
    };
    let rest = Link {
        models: End::Receive(models_rx),
        shapes: End::Send(shapes_tx),
    };
    (types, rest)
}

impl<T> End<T> {
    fn send(&self, value: T) {
        if let End::Send(tx) = self {
            // A closed channel means the other half stopped, which it reports itself.
            let _ = tx.send(value);
        }
    }

    fn receive(&self) -> Result<T, Stopped> {
        match self {
            End::Receive(rx) => rx.recv().map_err(|_| Stopped),
            End::Send(_) => Err(Stopped),
        }
    }
}

impl Link {
    pub(crate) fn send_models(&self, models: Models) {
        self.models.send(models);
    }

    pub(crate) fn models(&self) -> Result<Models, Stopped> {
        self.models.receive()
    }

    pub(crate) fn send_shapes(&self, used: BTreeSet<&'static str>) {
        self.shapes.send(used);
    }

    pub(crate) fn shapes(&self) -> Result<BTreeSet<&'static str>, Stopped> {
        self.shapes.receive()
    }
}
