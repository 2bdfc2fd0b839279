//! Part 1: how long regeneration takes, stage by stage, and how it grows with the document.
//!
//! The stages are the public functions `stackai_codegen::tools::import::run_project` (what `cargo
//! xtask regen` runs) calls: `load`, `import::normalize_with_overrides`, then the stages of
//! `stackai_codegen::run_on_normalized`, called here in the same order and timed one by one.
//! Before timing, the staged output is checked to be byte-for-byte what `run_project`
//! produces, and the three steps the generate stage is split into are checked to produce
//! its tokens. The output is written, as `regen` does (compare, then write), into a fresh
//! directory under the system's temporary directory instead of `generated/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use stackai_codegen::passes::{compat, docs, filters, rewrite, runtime_calls};
use stackai_codegen::tools::import;
use stackai_codegen::{generate, load, mock, render, surface};

use super::stats::{growth_exponent, median, ms, spread};
use super::{Goal, Options, synth};

/// The stages, in pipeline order.
const STAGES: [&str; 14] = [
    "load",
    "normalize",
    "generate",
    "rewrite",
    "runtime_calls",
    "compat",
    "filters",
    "docs",
    "mock",
    "format",
    "pieces",
    "surface",
    "write",
    "free",
];

/// What each stage is, for the report.
const STAGE_NOTES: [&str; 14] = [
    "read + parse JSON, overrides.json",
    "3.1 -> 3.0.3 rewrite, method names, overrides",
    "openapiv3 parse + progenitor + syn::parse2",
    "syn pass: api-version, constructors",
    "syn pass: sends through the runtime, pagination",
    "syn pass: compatibility shims",
    "syn pass: dynamic filters",
    "syn pass: doc comments from the document",
    "typed mocks (feature `mock`)",
    "render_files: prettyplease, split in 4 files",
    "render::pieces: prettyplease per piece (snapshots)",
    "surface::api_surface (snapshots)",
    "compare with disk and write 4 files",
    "drop the syn tree, documents and pieces",
];

/// Target operation counts of the synthetic documents.
const SIZES: [usize; 3] = [20, 200, 2000];

/// The goal for the largest synthetic document, in release.
const GOAL_2000_MS: f64 = 1000.0;
/// Growth from 200 to 2,000 operations counts as linear up to this exponent.
const LINEAR_EXPONENT: f64 = 1.1;

type Times = [f64; STAGES.len()];

/// The whole part: this process (dev profile), then a release child.
pub(crate) fn run(root: &Path, options: &Options) -> Result<Vec<Goal>, String> {
    let mut goals = measure_all(options, "dev")?;

    println!("\n== Regen, release profile ==");
    let cargo = super::cargo();
    println!("building xtask in release (not timed) ...");
    let built = Command::new(&cargo)
        .args(["build", "--quiet", "--release", "-p", "xtask"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !built.success() {
        return Err("building xtask in release failed".into());
    }
    let mut command = Command::new(&cargo);
    command
        .args(["run", "--quiet", "--release", "-p", "xtask", "--"])
        .args(["bench", "regen-worker", "--runs"])
        .arg(options.runs.to_string())
        .current_dir(root);
    println!(
        "command: cargo run --release -p xtask -- bench regen-worker --runs {}",
        options.runs
    );
    goals.extend(super::run_collecting(command, "the release regen worker")?);
    Ok(goals)
}

/// Measures the real document and the synthetic ones in this process, printing tables.
/// `profile` names the build profile of this binary in the report.
pub(crate) fn measure_all(options: &Options, profile: &str) -> Result<Vec<Goal>, String> {
    let root = crate::repo_root();
    let scratch = scratch_dir()?;
    let asserts = if cfg!(debug_assertions) {
        "debug assertions on"
    } else {
        "debug assertions off"
    };
    println!(
        "\n== Regen, {profile} profile ({asserts}); median of {} runs ==",
        options.runs
    );

    // The project's own document.
    let document = root.join(crate::DOCUMENT);
    check_equivalence(&document, crate::DOCUMENT)?;
    let real = timed_runs(&document, crate::DOCUMENT, &scratch, options.runs)?;
    let real_total: Vec<f64> = real.iter().map(|t| t.iter().sum()).collect();
    let real_ops = synth::census(&load::load(&document).map_err(|e| e.to_string())?)?.operations;
    println!(
        "\n{} ({real_ops} operations): total {} ms (min {} / max {})",
        crate::DOCUMENT,
        ms(median(&real_total)),
        ms(spread(&real_total).0),
        ms(spread(&real_total).1)
    );
    print_stage_table(&real);
    check_split(&document)?;
    let split = split_runs(&document, options.runs)?;
    print_split(real_ops, &split);

    // Synthetic documents.
    let real_doc = load::load(&document).map_err(|e| e.to_string())?;
    println!(
        "\nsynthetic documents: the real one replicated under renamed paths, operationIds and \
         schemas (xtask/src/bench/synth.rs)"
    );
    let mut rows = Vec::new();
    for target in SIZES {
        let copies = ((target as f64 / real_ops as f64).round() as usize).max(1);
        let doc = synth::replicate(&real_doc, copies);
        let census = synth::census(&doc)?;
        let path = scratch.join(format!("synthetic-{target}.json"));
        write_json(&path, &doc)?;
        let source = format!("synthetic-{target}.json");
        check_methods(&path, &source, &census.methods)?;
        println!(
            "  ~{target}: {copies} copies, {} operations, {} schemas, {} $refs (all resolve), \
             {} bytes; generator accepts it and emits every method",
            census.operations,
            census.schemas,
            census.refs,
            std::fs::metadata(&path).map_or(0, |m| m.len())
        );
        let times = timed_runs(&path, &source, &scratch, options.runs)?;
        let split = split_runs(&path, options.runs)?;
        rows.push((census.operations, times, split));
    }

    println!(
        "\n{:>6} {:>10} {:>9} | per stage, median ms",
        "ops", "total ms", "ms/op"
    );
    print!("{:>6} {:>10} {:>9} |", "", "", "");
    for stage in STAGES {
        print!(" {:>9}", short(stage));
    }
    println!();
    let mut medians = Vec::new();
    for (ops, times, _) in &rows {
        let totals: Vec<f64> = times.iter().map(|t| t.iter().sum()).collect();
        let total = median(&totals);
        print!("{ops:>6} {:>10} {:>9.3} |", ms(total), total / *ops as f64);
        let stage_medians = stage_medians(times);
        for m in &stage_medians {
            print!(" {:>9}", ms(*m));
        }
        println!();
        medians.push((*ops as f64, total, stage_medians));
    }

    println!("\nthe generate stage, split (median ms, and ms per operation):");
    for (ops, _, split) in &rows {
        print_split(*ops, split);
    }

    // Growth: exponents between the sizes, whole pipeline and per stage.
    let (n_mid, t_mid, s_mid) = &medians[1];
    let (n_big, t_big, s_big) = &medians[2];
    let (n_small, t_small, _) = &medians[0];
    let exponent = growth_exponent(*n_mid, *t_mid, *n_big, *t_big);
    println!(
        "\ngrowth exponent (1 = linear): {:.2} from {} to {} operations, {:.2} from {} to {}",
        growth_exponent(*n_small, *t_small, *n_mid, *t_mid),
        n_small,
        n_mid,
        exponent,
        n_mid,
        n_big
    );
    print!("per stage, {n_mid} -> {n_big}:");
    for (i, stage) in STAGES.iter().enumerate() {
        if s_mid[i] > 0.05 && s_big[i] > 0.05 {
            print!(
                " {}={:.2}",
                short(stage),
                growth_exponent(*n_mid, s_mid[i], *n_big, s_big[i])
            );
        }
    }
    println!();
    let (dominant, share) = s_big
        .iter()
        .enumerate()
        .map(|(i, t)| (STAGES[i], t / t_big))
        .fold(("", 0.0), |best, x| if x.1 > best.1 { x } else { best });
    println!(
        "largest stage at {n_big} operations: {dominant} ({:.0} % of the total)",
        share * 100.0
    );
    let stage = |name: &str| STAGES.iter().position(|s| *s == name).expect("a stage");
    let snapshot_only = s_big[stage("pieces")] + s_big[stage("surface")];
    println!(
        "pieces and surface feed only the snapshot tests; without them {n_big} operations \
         take {} ms ({:.3} ms/op)",
        ms(t_big - snapshot_only),
        (t_big - snapshot_only) / n_big
    );

    let _ = std::fs::remove_dir_all(&scratch);
    let mut goals = vec![Goal::new(
        format!("regen grows linearly ({profile})"),
        format!(
            "exponent {exponent:.2} from {n_mid} to {n_big} operations ({:.3} -> {:.3} ms/op); goal <= {LINEAR_EXPONENT}",
            t_mid / n_mid,
            t_big / n_big
        ),
        Some(exponent <= LINEAR_EXPONENT),
    )];
    if profile == "release" {
        goals.push(Goal::new(
            "regen of ~2,000 operations in release under 1 s",
            format!("{n_big} operations in {} ms", ms(*t_big)),
            Some(*t_big < GOAL_2000_MS),
        ));
        goals.push(Goal::info(
            "regen of the real document (release)",
            format!("{} ms", ms(median(&real_total))),
        ));
    } else {
        goals.push(Goal::info(
            "regen of the real document (dev, as `cargo xtask regen`)",
            format!("{} ms", ms(median(&real_total))),
        ));
    }
    Ok(goals)
}

fn print_stage_table(runs: &[Times]) {
    let medians = stage_medians(runs);
    let total: f64 = medians.iter().sum();
    println!("{:<14} {:>10} {:>7}  what", "stage", "median ms", "share");
    for (i, stage) in STAGES.iter().enumerate() {
        println!(
            "{stage:<14} {:>10} {:>6.1}%  {}",
            ms(medians[i]),
            medians[i] / total * 100.0,
            STAGE_NOTES[i]
        );
    }
}

fn stage_medians(runs: &[Times]) -> Times {
    let mut out = [0.0; STAGES.len()];
    for (i, slot) in out.iter_mut().enumerate() {
        let column: Vec<f64> = runs.iter().map(|t| t[i]).collect();
        *slot = median(&column);
    }
    out
}

fn short(stage: &str) -> &str {
    match stage {
        "runtime_calls" => "runtime",
        "normalize" => "normalize",
        other => other,
    }
}

/// `runs` timed runs (the caller's check has just run the pipeline once, which warms up).
fn timed_runs(
    path: &Path,
    source: &str,
    scratch: &Path,
    runs: usize,
) -> Result<Vec<Times>, String> {
    let out_dir = scratch.join("out");
    (0..runs)
        .map(|_| staged_run(path, source, &out_dir).map(|(t, _)| t))
        .collect()
}

/// The pipeline, stage by stage, as `cargo xtask regen` runs it; the output goes to a fresh
/// `out_dir`. Returns each stage's milliseconds and the files.
fn staged_run(
    path: &Path,
    source: &str,
    out_dir: &Path,
) -> Result<(Times, Vec<stackai_codegen::GeneratedFile>), String> {
    let _ = std::fs::remove_dir_all(out_dir);
    let mut times = [0.0; STAGES.len()];
    let mut clock = Instant::now();
    let mut lap = |slot: usize, times: &mut Times| {
        let now = Instant::now();
        times[slot] = (now - clock).as_secs_f64() * 1000.0;
        clock = now;
    };
    let err = |e: stackai_codegen::Error| e.to_string();

    let overrides = import::Overrides::load_beside(path).map_err(err)?;
    let document = load::load(path).map_err(err)?;
    lap(0, &mut times);
    // `run_project`: normalize and apply the overrides, then `run_on_normalized`.
    let normalized = import::normalize_with_overrides(path, document, &overrides).map_err(err)?;
    lap(1, &mut times);
    let mut file = generate::generate(path, &normalized.document).map_err(err)?;
    lap(2, &mut times);
    rewrite::rewrite(&mut file);
    lap(3, &mut times);
    runtime_calls::route_through_runtime(&mut file, &normalized.document)
        .map_err(|(method, message)| format!("{method}: {message}"))?;
    lap(4, &mut times);
    compat::apply(&mut file);
    lap(5, &mut times);
    filters::apply(&mut file, &normalized.document)
        .map_err(|(method, at, message)| format!("{method}{at}: {message}"))?;
    lap(6, &mut times);
    docs::document(&mut file, &normalized.document);
    lap(7, &mut times);
    let mocks = mock::generate(&file, &normalized.document)
        .map_err(|(method, message)| format!("{method}: {message}"))?;
    file.items.push(mocks);
    lap(8, &mut times);
    let files = render::render_files(&file, source);
    lap(9, &mut times);
    let pieces = render::pieces(&file);
    lap(10, &mut times);
    let surface = surface::api_surface(&normalized.document, &file);
    lap(11, &mut times);
    write_like_regen(out_dir, &files)?;
    lap(12, &mut times);
    // `run_project` drops the tree and the normalized document before it returns, and
    // `regen` the pieces and surface it does not use.
    drop((file, normalized, pieces, surface));
    lap(13, &mut times);
    Ok((times, files))
}

/// `cargo xtask regen`'s write: compare each file with what is on disk, write if different.
fn write_like_regen(
    out_dir: &Path,
    files: &[stackai_codegen::GeneratedFile],
) -> Result<(), String> {
    for file in files {
        let path = out_dir.join(&file.name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        std::fs::create_dir_all(out_dir)
            .and_then(|()| std::fs::write(&path, &file.contents))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Fails unless the staged pipeline produces exactly what `run_project` does.
fn check_equivalence(path: &Path, source: &str) -> Result<(), String> {
    let expected = import::run_project(path, source).map_err(|e| e.to_string())?;
    let scratch = scratch_dir()?.join("check");
    let (_, files) = staged_run(path, source, &scratch)?;
    let _ = std::fs::remove_dir_all(&scratch);
    if files != expected.files {
        return Err(
            "the bench's staged pipeline no longer produces what run_project does; update \
             xtask/src/bench/regen.rs to follow codegen/src/lib.rs"
                .into(),
        );
    }
    println!(
        "staged pipeline checked: byte-identical to stackai_codegen::tools::import::run_project"
    );
    Ok(())
}

/// Runs the pipeline once on a synthetic document and checks that every method is there.
fn check_methods(path: &Path, source: &str, methods: &[String]) -> Result<(), String> {
    let output = import::run_project(path, source).map_err(|e| e.to_string())?;
    let all: String = output.files.iter().map(|f| f.contents.as_str()).collect();
    for method in methods {
        if !all.contains(&format!("pub fn {method}(")) {
            return Err(format!(
                "{}: no method {method} was generated",
                path.display()
            ));
        }
    }
    Ok(())
}

/// The parts of the generate stage: `codegen/src/generate.rs` step by step, same settings.
const SPLIT: [&str; 3] = ["openapiv3 parse", "progenitor", "syn::parse2"];

/// The normalized document the generate stage sees.
fn normalized(path: &Path) -> Result<Value, String> {
    let err = |e: stackai_codegen::Error| e.to_string();
    let overrides = import::Overrides::load_beside(path).map_err(err)?;
    let document = load::load(path).map_err(err)?;
    Ok(import::normalize_with_overrides(path, document, &overrides)
        .map_err(err)?
        .document)
}

/// The generate stage's three steps, timed; the parsed file comes back too.
fn generate_split(document: &Value) -> Result<([f64; 3], syn::File), String> {
    let started = Instant::now();
    let spec: openapiv3::OpenAPI =
        serde_path_to_error::deserialize(document).map_err(|e| e.to_string())?;
    let parsed = Instant::now();
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_timeout(60)
        .with_inner_type(quote::quote!(crate::transport::Runtime));
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| e.to_string())?;
    let generated = Instant::now();
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    let done = Instant::now();
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
    Ok((
        [
            ms(started, parsed),
            ms(parsed, generated),
            ms(generated, done),
        ],
        file,
    ))
}

fn split_runs(path: &Path, runs: usize) -> Result<[f64; 3], String> {
    let document = normalized(path)?;
    let samples = (0..runs)
        .map(|_| generate_split(&document).map(|(t, _)| t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = [0.0; 3];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = median(&samples.iter().map(|t| t[i]).collect::<Vec<_>>());
    }
    Ok(out)
}

/// Fails unless the split steps produce what the generate stage does.
fn check_split(path: &Path) -> Result<(), String> {
    use quote::ToTokens;
    let document = normalized(path)?;
    let staged = generate::generate(path, &document).map_err(|e| e.to_string())?;
    let (_, split) = generate_split(&document)?;
    if staged.to_token_stream().to_string() != split.to_token_stream().to_string() {
        return Err(
            "the bench's split of the generate stage no longer matches codegen/src/generate.rs"
                .into(),
        );
    }
    Ok(())
}

fn print_split(ops: usize, split: &[f64; 3]) {
    let parts: Vec<String> = SPLIT
        .iter()
        .zip(split)
        .map(|(name, t)| format!("{name} {} ms ({:.3}/op)", ms(*t), t / ops as f64))
        .collect();
    println!("  generate at {ops:>4} operations: {}", parts.join(", "));
}

fn scratch_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("stackai-bench-regen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn write_json(path: &Path, doc: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(doc).expect("a Value always serializes");
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `bench regen-profile [--ops N] [--iterations K]`: the pipeline on a synthetic document of
/// about N operations (the real document for 0), K times, for `perf record` or callgrind.
pub(crate) fn profile_loop(args: &[&str]) -> Result<(), String> {
    let mut ops = 2000usize;
    let mut iterations = 3usize;
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).and_then(|v| v.parse().ok());
        match (args[i], value) {
            ("--ops", Some(v)) => ops = v,
            ("--iterations", Some(v)) => iterations = v,
            _ => {
                return Err(format!(
                    "usage: bench regen-profile [--ops N] [--iterations K], got {args:?}"
                ));
            }
        }
        i += 2;
    }
    let root = crate::repo_root();
    let scratch = scratch_dir()?;
    let document = root.join(crate::DOCUMENT);
    let (path, source) = if ops == 0 {
        (document, crate::DOCUMENT.to_string())
    } else {
        let real = load::load(&document).map_err(|e| e.to_string())?;
        let real_ops = synth::census(&real)?.operations;
        let copies = ((ops as f64 / real_ops as f64).round() as usize).max(1);
        let path = scratch.join(format!("synthetic-{ops}.json"));
        write_json(&path, &synth::replicate(&real, copies))?;
        (path, format!("synthetic-{ops}.json"))
    };
    for _ in 0..iterations {
        let (times, _) = staged_run(&path, &source, &scratch.join("out"))?;
        let parts: Vec<String> = STAGES
            .iter()
            .zip(times)
            .map(|(s, t)| format!("{}={}", short(s), ms(t)))
            .collect();
        println!("total {} ms: {}", ms(times.iter().sum()), parts.join(" "));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
