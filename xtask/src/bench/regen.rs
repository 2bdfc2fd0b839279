//! Part 1: how long regeneration takes, stage by stage, and how it grows with the document.
//!
//! The stages are the public functions `stackai_codegen::run_on_value` calls, called here in
//! the same order and timed one by one; before timing, the staged output is checked to be
//! byte-for-byte what `stackai_codegen::import::run_project` (what `cargo xtask regen` runs)
//! produces. The output is written, as `regen` does, into a fresh directory under the
//! system's temporary directory instead of `generated/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use stackai_codegen::{
    compat, docs, generate, import, load, normalize, render, rewrite, runtime_calls, surface,
};

use super::stats::{growth_exponent, median, ms, spread};
use super::{Goal, Options, synth};

/// The stages, in pipeline order.
const STAGES: [&str; 11] = [
    "load",
    "normalize",
    "generate",
    "rewrite",
    "runtime_calls",
    "compat",
    "docs",
    "format",
    "pieces",
    "surface",
    "write",
];

/// What each stage is, for the report.
const STAGE_NOTES: [&str; 11] = [
    "read + parse JSON, overrides.json",
    "3.1 -> 3.0.3 rewrite, method names",
    "openapiv3 parse + progenitor + syn::parse2",
    "syn pass: api-version, constructors",
    "syn pass: sends through the runtime, pagination",
    "syn pass: compatibility shims",
    "syn pass: doc comments from the document",
    "render_files: prettyplease, split in 3 files",
    "render::pieces: prettyplease per piece (snapshots)",
    "surface::api_surface (snapshots)",
    "compare with disk and write 3 files",
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
    println!("\n== Regen, {profile} profile ({asserts}); median of {} runs ==", options.runs);

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
        rows.push((census.operations, times));
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
    for (ops, times) in &rows {
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
        goals.push(Goal::new(
            "regen of the real document (release)",
            format!("{} ms, informational", ms(median(&real_total))),
            None,
        ));
    } else {
        goals.push(Goal::new(
            "regen of the real document (dev, as `cargo xtask regen`)",
            format!("{} ms, informational", ms(median(&real_total))),
            None,
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

/// One warm-up run, then `runs` timed ones.
fn timed_runs(path: &Path, source: &str, scratch: &Path, runs: usize) -> Result<Vec<Times>, String> {
    let out_dir = scratch.join("out");
    staged_run(path, source, &out_dir)?;
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
    // `run_project`: with overrides, normalize and apply them, then `run_on_value`, which
    // normalizes again; without, `run_on_value` alone.
    let normalized = if overrides.is_empty() {
        normalize::normalize(path, document).map_err(err)?
    } else {
        let first = import::normalize_with_overrides(path, document, &overrides).map_err(err)?;
        normalize::normalize(path, first.document).map_err(err)?
    };
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
    docs::document(&mut file, &normalized.document);
    lap(6, &mut times);
    let files = render::render_files(&file, source);
    lap(7, &mut times);
    let pieces = render::pieces(&file);
    lap(8, &mut times);
    let surface = surface::api_surface(&normalized.document, &file);
    lap(9, &mut times);
    write_like_regen(out_dir, &files)?;
    lap(10, &mut times);
    std::hint::black_box((pieces, surface));
    Ok((times, files))
}

/// `cargo xtask regen`'s write: compare each file with what is on disk, write if different.
fn write_like_regen(out_dir: &Path, files: &[stackai_codegen::GeneratedFile]) -> Result<(), String> {
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
    println!("staged pipeline checked: byte-identical to stackai_codegen::import::run_project");
    Ok(())
}

/// Runs the pipeline once on a synthetic document and checks that every method is there.
fn check_methods(path: &Path, source: &str, methods: &[String]) -> Result<(), String> {
    let output = import::run_project(path, source).map_err(|e| e.to_string())?;
    let all: String = output.files.iter().map(|f| f.contents.as_str()).collect();
    for method in methods {
        if !all.contains(&format!("pub fn {method}(")) {
            return Err(format!("{}: no method {method} was generated", path.display()));
        }
    }
    Ok(())
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
            _ => return Err(format!("usage: bench regen-profile [--ops N] [--iterations K], got {args:?}")),
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
