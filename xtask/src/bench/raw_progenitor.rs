//! The raw baseline of issue 12: progenitor's own pipeline, as a progenitor user runs it
//! (cargo-progenitor, or the `build.rs` of progenitor's README): read the document into
//! `openapiv3::OpenAPI`, `Generator::generate_tokens`, `syn::parse2`, then
//! `prettyplease::unparse` into one string.
//!
//! It runs on the same normalized document our generate stage sees (handed over as JSON
//! text, made once outside the clock), with the same `GenerationSettings`
//! (`stackai_codegen::generate::settings`). The tree and the text are dropped after the
//! clock stops, as `cargo xtask regen` skips its own drop (see `xtask/src/main.rs`).

use super::stats::Clock;

/// The raw pipeline's steps, in order.
pub(crate) const STEPS: [&str; 4] = [
    "openapiv3 parse",
    "generate_tokens",
    "syn::parse2",
    "prettyplease",
];

/// The normalized document as a progenitor user would hand it over: JSON text.
pub(crate) fn input(document: &serde_json::Value) -> String {
    serde_json::to_string(document).expect("a serde_json::Value always serializes")
}

/// One run of the raw pipeline: each step's wall milliseconds, the on-CPU milliseconds of
/// the whole, and the formatted code.
pub(crate) fn run(json: &str) -> Result<([f64; 4], f64, String), String> {
    let mut times = [0.0; 4];
    let mut cpu = 0.0;
    let mut clock = Clock::start();
    let mut lap = |slot: usize| {
        let (wall, on_cpu) = clock.lap();
        times[slot] = wall;
        cpu += on_cpu;
    };
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(json).map_err(|e| format!("raw progenitor: {e}"))?;
    lap(0);
    let settings = stackai_codegen::generate::settings();
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("raw progenitor: {e}"))?;
    lap(1);
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("raw progenitor: {e}"))?;
    lap(2);
    let text = prettyplease::unparse(&file);
    lap(3);
    // Not timed, like our pipeline's drop in `cargo xtask regen`.
    drop((spec, file));
    Ok((times, cpu, text))
}
