//! Stages 3 to 5 on both cores: progenitor's output in two halves, each generated, parsed,
//! passed over and formatted on a thread of its own, and the mocks in two shares: on a
//! third thread, and on whichever half's thread is done first.
//!
//! Parsing progenitor's output is the largest single cost of a regen, and syn's trees
//! cannot cross threads (proc_macro2's tokens, outside a proc macro, are reference-counted
//! without atomics). So each half's thread runs progenitor itself (a fraction of the cost
//! of parsing), cuts the tokens without parsing them ([`generate::split`]) and parses only
//! its half: the `types` module (→ `types.rs`), or the rest (→ `mod.rs` and `builder.rs`).
//! Each runs every pass on its half ([`passes::apply`]); what a pass needs of the other half
//! crosses as plain data ([`passes::link`]). The mocks are built from plain data the two
//! halves send ([`mock::builder_inputs`], [`mock::model_inputs`]).
//!
//! The output is byte-identical to the stages run one after the other on one tree, and so
//! are the errors: of two halves' errors, the one the passes would meet first is reported
//! ([`passes::Failure`]). A panic on any thread is resumed on the caller's. Each thread
//! hands its files back before freeing its tree, which it then does in the background;
//! [`Cleanup`] waits for that when dropped.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use serde_json::Value;

use crate::document::operation_pointer;
use crate::error::Error;
use crate::generate::{self, Locate};
use crate::passes::runtime_calls::OptionSetters;
use crate::passes::{self, Failure, Half};
use crate::render::{self, GeneratedFile};
use crate::{mock, surface};

/// When each thread finished each of its steps, for `cargo xtask bench regen`.
#[derive(Debug, Default)]
pub struct Trace {
    events: Mutex<Vec<(&'static str, &'static str, Instant)>>,
}

impl Trace {
    /// (thread, step, when it finished), in the order they were recorded.
    pub fn events(&self) -> Vec<(&'static str, &'static str, Instant)> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }

    fn record(trace: &Option<Arc<Trace>>, thread: &'static str, step: &'static str) {
        if let Some(trace) = trace
            && let Ok(mut events) = trace.events.lock()
        {
            events.push((thread, step, Instant::now()));
        }
    }
}

/// The threads still freeing their trees after handing back their files; dropping this
/// waits for them (`cargo xtask regen` leaks it instead, as the process exits).
#[derive(Debug, Default)]
pub struct Cleanup(Vec<JoinHandle<()>>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for handle in self.0.drain(..) {
            let _ = handle.join();
        }
    }
}

/// The steps of the mocks' thread count after every pass, for [`Failure::step`].
const MOCK_STEP: usize = 1000;

/// What [`generate_files`] produces.
#[derive(Debug)]
pub struct Generated {
    /// `mod.rs`, `types.rs`, `builder.rs`, `mock.rs`.
    pub files: Vec<GeneratedFile>,
    /// The reviewer's views, if asked for: [`render::pieces`] and [`surface::api_surface`]
    /// of the whole module, each put together from the threads' parts.
    pub views: Option<(BTreeMap<String, String>, String)>,
    /// The threads, still freeing their trees.
    pub cleanup: Cleanup,
}

/// A thread's formatted share, and its part of the views.
struct Share<T> {
    rendered: T,
    pieces: BTreeMap<String, String>,
    surface: String,
}

/// Generates, passes over and formats the normalized `document` read from `path`; `source`
/// names it in the files' headers. With `views`, also the reviewer's views.
pub fn generate_files(
    path: &Path,
    document: Arc<Value>,
    source: &str,
    views: bool,
    trace: Option<Arc<Trace>>,
) -> Result<Generated, Error> {
    let (types_link, rest_link) = passes::link::pair();
    let (builders_tx, builders_rx) = channel::<mock::Inputs>();
    let (models_tx, models_rx) = channel();
    let (tail_models_tx, tail_models_rx) = channel::<mock::ModelInputs>();
    let (tail_builders_tx, tail_builders_rx) = channel::<mock::Inputs>();
    // The mocks' second share goes to whichever half's thread is done first.
    let tail_claim = Arc::new(AtomicBool::new(false));
    let tail_claim_rest = Arc::clone(&tail_claim);
    let (types_tx, types_rx) = channel();
    let (rest_tx, rest_rx) = channel();
    let (mocks_tx, mocks_rx) = channel();
    let stopped = |_| Failure::stopped();

    let context = (
        path.to_path_buf(),
        Arc::clone(&document),
        source.to_string(),
    );
    let types = spawn("types", &trace, move |done| {
        let (path, document, source) = context;
        let mut kept = (None, None, None);
        let result = (|| {
            let mut models = None;
            let settled = &mut |file: &syn::File| {
                models = Some(send_both(
                    mock::model_inputs(file),
                    &models_tx,
                    &tail_models_tx,
                ));
            };
            let halved = half(&path, &document, Half::Types, types_link, done, settled);
            drop((models_tx, tail_models_tx));
            let (mut file, other) = halved?;
            kept.1 = Some(other);
            let (pieces, surface) = match views {
                true => (render::pieces(&file, &[]), surface::models_surface(&file)),
                false => Default::default(),
            };
            let unexpected = || Failure {
                step: 0,
                error: Some(missing_types(&path)),
            };
            let module = file.items.first_mut().ok_or_else(unexpected)?;
            let (_, types_rs) = render::render_module(module, &source).ok_or_else(unexpected)?;
            done("format");
            kept.0 = Some(file);
            let mut pieces = pieces;
            let inputs = || {
                let builders = tail_builders_rx.recv().map_err(stopped)?;
                Ok(builders.with_models(models.take().unwrap_or_default()))
            };
            let second = SecondShare {
                claim: &tail_claim,
                path: &path,
                document: &document,
                views,
            };
            let (tail_rs, tail) = second.take(inputs, &mut pieces, done)?.unzip();
            kept.2 = tail;
            Ok(Share {
                rendered: (types_rs, tail_rs),
                pieces,
                surface,
            })
        })();
        let _ = types_tx.send(result);
        drop(kept);
    });

    let context = (
        path.to_path_buf(),
        Arc::clone(&document),
        source.to_string(),
    );
    let rest = spawn("rest", &trace, move |done| {
        let (path, document, source) = context;
        let mut kept = (None, None, None);
        let result = (|| {
            let mut builders = None;
            let settled = &mut |file: &syn::File| {
                let inputs = mock::builder_inputs(file);
                builders = Some(send_both(inputs, &builders_tx, &tail_builders_tx));
            };
            let halved = half(&path, &document, Half::Rest, rest_link, done, settled);
            drop((builders_tx, tail_builders_tx));
            let (mut file, other) = halved?;
            kept.1 = Some(other);
            let setters = OptionSetters::new();
            let (pieces, surface) = match views {
                true => {
                    setters.expand(&mut file);
                    (
                        render::pieces(&file, &[]),
                        surface::operations_surface(&document, &file),
                    )
                }
                false => Default::default(),
            };
            let files = render::render_files(&mut file, &source, &|_, text| setters.splice(text));
            done("format");
            kept.0 = Some(file);
            let mut pieces = pieces;
            let inputs = || {
                let models = tail_models_rx.recv().map_err(stopped)?;
                Ok(builders.take().unwrap_or_default().with_models(models))
            };
            let second = SecondShare {
                claim: &tail_claim_rest,
                path: &path,
                document: &document,
                views,
            };
            let (tail_rs, tail) = second.take(inputs, &mut pieces, done)?.unzip();
            kept.2 = tail;
            Ok(Share {
                rendered: (files, tail_rs),
                pieces,
                surface,
            })
        })();
        let _ = rest_tx.send(result);
        drop(kept);
    });

    let context = (
        path.to_path_buf(),
        Arc::clone(&document),
        source.to_string(),
    );
    let mocks = spawn("mocks", &trace, move |done| {
        let (path, document, source) = context;
        let mut kept = None;
        let result = (|| {
            let inputs = builders_rx.recv().map_err(stopped)?;
            let models = models_rx.recv().map_err(stopped)?;
            done("wait for inputs");
            let mut items = mock::generate_share(
                &inputs.with_models(models),
                &document,
                mock::Share::Head,
                views,
            )
            .map_err(|failure| mock_failure(MOCK_STEP, &path, &document, failure))?;
            done("mocks (first share)");
            let module = items.first_mut().expect("the head share is the module");
            let pieces = match views {
                true => render::pieces(&empty(), std::slice::from_ref(module)),
                false => BTreeMap::new(),
            };
            let rendered = render::render_module_with(module, &source, &common_methods(views))
                .expect("a module");
            done("format");
            kept = Some(items);
            Ok(Share {
                rendered,
                pieces,
                surface: String::new(),
            })
        })();
        let _ = mocks_tx.send(result);
        drop(kept);
    });

    let handles = [types, rest, mocks]
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::new(path, "", format!("cannot start a thread: {e}")))?;
    let [types_handle, rest_handle, mocks_handle]: [JoinHandle<()>; 3] =
        handles.try_into().expect("three threads");
    let (types, types_handle) = receive(types_rx, types_handle);
    let (rest, rest_handle) = receive(rest_rx, rest_handle);
    let (mocks, mocks_handle) = receive(mocks_rx, mocks_handle);
    let cleanup = Cleanup(vec![types_handle, rest_handle, mocks_handle]);

    match (types, rest, mocks) {
        (Ok(types), Ok(rest), Ok(mocks)) => {
            let (types_rs, types_tail) = types.rendered;
            let (mut files, rest_tail) = rest.rendered;
            let tail_rs = types_tail.or(rest_tail).unwrap_or_default();
            // `render_files` would have put `types.rs` first among the modules, as the
            // `types` module comes before `builder` in the tree.
            files.insert(1, types_rs);
            let (declaration, mut mock_rs) = mocks.rendered;
            if !tail_rs.is_empty() {
                mock_rs.contents.push('\n');
                mock_rs.contents.push_str(&tail_rs);
            }
            render::append_declaration(&mut files, &declaration);
            files.push(mock_rs);
            let views = views.then(|| {
                let mut pieces = rest.pieces;
                merge(&mut pieces, types.pieces);
                merge(&mut pieces, mocks.pieces);
                (pieces, rest.surface + &types.surface)
            });
            Ok(Generated {
                files,
                views,
                cleanup,
            })
        }
        (types, rest, mocks) => {
            let failures = [types.err(), rest.err(), mocks.err()];
            let first = failures
                .into_iter()
                .flatten()
                .filter_map(|f| Some((f.step, f.error?)))
                .min_by_key(|(step, _)| *step);
            Err(first.map(|(_, e)| e).unwrap_or_else(|| {
                Error::new(
                    path,
                    "",
                    "internal: the generator's threads stopped without an error",
                )
            }))
        }
    }
}

/// The mocks' second share, for whichever of the two halves' threads claims it first.
struct SecondShare<'a> {
    claim: &'a AtomicBool,
    path: &'a Path,
    document: &'a Value,
    views: bool,
}

impl SecondShare<'_> {
    /// The share, formatted, and its tree, if this thread is the first to claim it; it
    /// then waits for the other half's `inputs`.
    fn take(
        &self,
        inputs: impl FnOnce() -> Result<mock::Inputs, Failure>,
        pieces: &mut BTreeMap<String, String>,
        done: &mut dyn FnMut(&'static str),
    ) -> Result<Option<(String, Vec<syn::Item>)>, Failure> {
        if self.claim.swap(true, Ordering::SeqCst) {
            return Ok(None);
        }
        let inputs = inputs()?;
        done("wait for the mocks' inputs");
        let share = tail_share(self.path, self.document, &inputs, self.views, pieces)?;
        done("mocks (second share)");
        Ok(Some(share))
    }
}

/// The mocks' second share ([`mock::Share::Tail`]), formatted, and its tree (to free after
/// the files are handed back); with `views`, its pieces are added to `pieces`.
fn tail_share(
    path: &Path,
    document: &Value,
    inputs: &mock::Inputs,
    views: bool,
    pieces: &mut BTreeMap<String, String>,
) -> Result<(String, Vec<syn::Item>), Failure> {
    let mut tail = mock::generate_share(inputs, document, mock::Share::Tail, views)
        .map_err(|failure| mock_failure(MOCK_STEP + 1, path, document, failure))?;
    if views {
        let mut module: syn::ItemMod = syn::parse_quote!(
            pub mod mock {}
        );
        module.content = Some((Default::default(), tail.clone()));
        merge(pieces, render::pieces(&empty(), &[syn::Item::Mod(module)]));
    }
    let text = render::render_items_with(&mut tail, &common_methods(views));
    Ok((text, tail))
}

/// Starts `work` on a thread named after it, recording its steps in `trace`.
fn spawn(
    thread: &'static str,
    trace: &Option<Arc<Trace>>,
    work: impl FnOnce(&mut dyn FnMut(&'static str)) + Send + 'static,
) -> std::io::Result<JoinHandle<()>> {
    let trace = trace.clone();
    std::thread::Builder::new()
        .name(format!("codegen-{thread}"))
        .spawn(move || work(&mut |step| Trace::record(&trace, thread, step)))
}

/// A mock's error; the first share's (`step` [`MOCK_STEP`]) comes before the second's.
fn mock_failure(
    step: usize,
    path: &Path,
    document: &Value,
    (method, message): (String, String),
) -> Failure {
    Failure {
        step,
        error: Some(Error::new(
            path,
            operation_pointer(document, &method),
            message,
        )),
    }
}

/// How a share of the mocks gets the methods every mock builder has: in the tree when the
/// views are built from it (`views`), else added to the formatted text.
fn common_methods(views: bool) -> impl Fn(&syn::Item, &mut String) {
    let text = (!views).then(mock::CommonMethods::format);
    move |item, out| {
        if let Some(text) = &text {
            text.append(item, out);
        }
    }
}

fn empty() -> syn::File {
    syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items: Vec::new(),
    }
}

/// Adds `more` pieces to `pieces`; a piece both hold is the two texts one after the other,
/// as [`render::pieces`] joins the items of one piece.
fn merge(pieces: &mut BTreeMap<String, String>, more: BTreeMap<String, String>) {
    for (key, text) in more {
        match pieces.get_mut(&key) {
            Some(existing) => {
                existing.push('\n');
                existing.push_str(&text);
            }
            None => {
                pieces.insert(key, text);
            }
        }
    }
}

/// The mocks' inputs to the mocks' thread and to whichever half's thread takes the second
/// share; a copy stays with the caller, whose thread may be that one.
fn send_both<T: Clone>(inputs: T, mocks: &Sender<T>, second_share: &Sender<T>) -> T {
    // A closed channel means its thread stopped, which it reports itself.
    let _ = mocks.send(inputs.clone());
    let _ = second_share.send(inputs.clone());
    inputs
}

/// Runs progenitor, parses `half` of its output (see the module's docs) and runs the
/// passes on it (`link` to the other half, `settled` as [`passes::apply`] says). The other
/// half's tokens come back unparsed, for the caller to free after handing back its files
/// (freeing them costs about a tenth of parsing them).
fn half(
    path: &Path,
    document: &Value,
    half: Half,
    link: passes::link::Link,
    done: &mut dyn FnMut(&'static str),
    settled: &mut dyn FnMut(&syn::File),
) -> Result<(syn::File, proc_macro2::TokenStream), Failure> {
    let failed = |error| Failure {
        step: 0,
        error: Some(error),
    };
    // One thread locates a progenitor error in the document; the other's is the same.
    let locate = if half == Half::Types {
        Locate::Yes
    } else {
        Locate::No
    };
    let tokens = generate::tokens(path, document, locate).map_err(failed)?;
    done("progenitor");
    let (types, rest) = generate::split(tokens).ok_or_else(|| failed(missing_types(path)))?;
    let (tokens, other) = match half {
        Half::Types => (types, rest),
        Half::Rest => (rest, types),
    };
    let mut file = generate::parse(path, tokens).map_err(failed)?;
    done("parse");
    passes::apply(path, half, &mut file, document, &link, done, settled)?;
    Ok((file, other))
}

fn missing_types(path: &Path) -> Error {
    Error::new(
        path,
        "",
        "internal: progenitor's output has no inline `types` module",
    )
}

/// A thread's result, or its panic resumed here if it stopped without one.
fn receive<T>(
    rx: Receiver<Result<T, Failure>>,
    handle: JoinHandle<()>,
) -> (Result<T, Failure>, JoinHandle<()>) {
    match rx.recv() {
        Ok(result) => (result, handle),
        Err(_) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("every thread sends its result before it returns"),
        },
    }
}
