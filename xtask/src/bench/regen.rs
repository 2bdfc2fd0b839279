//! Part 1: how long regeneration takes, stage by stage, how it grows with the document,
//! and how it compares with raw progenitor's own pipeline (issue 12).
//!
//! The stages are the public functions `stackai_codegen::tools::import::run_project` (what `cargo
//! xtask regen` runs) calls: `load`, `import::normalize_with_overrides`, then the stages of
//! `stackai_codegen::run_on_normalized`, which runs generation, the passes, the mocks and
//! formatting on three threads (`codegen/src/halves.rs`); its trace gives each thread's
//! steps. Before timing, the staged output is checked to be byte-for-byte what
//! `run_project` produces. The output is written, as `regen`
//! does (compare, then write), into a fresh directory under the system's temporary
//! directory instead of `generated/`. Each timed run of ours is followed by one of raw
//! progenitor (`raw_progenitor.rs`) on the same normalized document, and the `RATIO` lines
//! compare their medians.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use stackai_codegen::tools::import;
use std::sync::Arc;

use stackai_codegen::halves::Trace;
use stackai_codegen::load;

use super::stats::{Clock, growth_exponent, median, ms, spread};
use super::{Goal, Options, raw_progenitor, synth};

/// The stages, in pipeline order.
const STAGES: [&str; 7] = [
    "load",
    "normalize",
    "threads",
    "pieces",
    "surface",
    "write",
    "free",
];

/// What each stage is, for the report.
const STAGE_NOTES: [&str; 7] = [
    "read + parse JSON, overrides.json",
    "3.1 -> 3.0.3 rewrite, method names, overrides",
    "run_on_normalized: progenitor, parse, passes, format per half + the mocks, on 3 threads",
    "Output::pieces: the files parsed back, cut into pieces (snapshots; not in regen)",
    "Output::surface (snapshots; not in regen)",
    "compare with disk and write 4 files",
    "drop the output, waiting for the threads to free their trees (regen skips it)",
];

/// Whether `cargo xtask regen` runs the stage: `pieces` and `surface` feed only the
/// snapshot tests, and regen leaks its output instead of freeing it (`xtask/src/main.rs`).
const IN_REGEN: [bool; 7] = [true, true, true, false, false, true, false];

/// Target operation counts of the synthetic documents.
const SIZES: [usize; 3] = [20, 200, 2000];

/// The goals for the largest synthetic document, in release: issue 12's step, and issue
/// 5's final goal.
const GOAL_2000_MS: f64 = 2000.0;
const FINAL_GOAL_2000_MS: f64 = 1000.0;
/// Issue 12: regen at most this many times raw progenitor's pipeline.
const RATIO_GOAL: f64 = 1.3;
/// Issue 12: the real document in dev.
const GOAL_REAL_DEV_MS: f64 = 50.0;
/// Growth from 200 to 2,000 operations counts as linear up to this exponent.
const LINEAR_EXPONENT: f64 = 1.1;

type Times = [f64; STAGES.len()];

/// One run of ours and one of raw progenitor, back to back.
struct Run {
    /// Wall milliseconds per stage.
    stages: Times,
    /// On-CPU milliseconds per stage.
    stages_cpu: Times,
    /// Each thread's steps of the `threads` stage: (thread, step, wall ms).
    steps: Steps,
    /// Wall milliseconds per step of raw progenitor.
    raw: [f64; raw_progenitor::STEPS.len()],
    /// On-CPU milliseconds of raw progenitor.
    raw_cpu: f64,
}

impl Run {
    /// What `cargo xtask regen` pays.
    fn regen(&self) -> f64 {
        regen_total(&self.stages)
    }
    fn regen_cpu(&self) -> f64 {
        regen_total(&self.stages_cpu)
    }
    fn raw(&self) -> f64 {
        self.raw.iter().sum()
    }
}

fn regen_total(stages: &Times) -> f64 {
    stages
        .iter()
        .zip(IN_REGEN)
        .filter(|(_, r)| *r)
        .map(|(t, _)| t)
        .sum()
}

/// The ratio line issue 12 asks for, and the same for on-CPU time; returns both ratios.
fn print_ratio(ops: usize, runs: &[Run]) -> (f64, f64) {
    let ours = median(&runs.iter().map(Run::regen).collect::<Vec<_>>());
    let raw = median(&runs.iter().map(Run::raw).collect::<Vec<_>>());
    let ratio = ours / raw;
    println!(
        "RATIO regen/raw-progenitor at {ops} operations: {ratio:.2} (ours {} ms, raw {} ms)",
        ms(ours),
        ms(raw)
    );
    let steps: Vec<String> = raw_progenitor::STEPS
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let column: Vec<f64> = runs.iter().map(|r| r.raw[i]).collect();
            format!("{step} {}", ms(median(&column)))
        })
        .collect();
    println!(
        "  raw progenitor at {ops} operations, median ms: {}",
        steps.join(", ")
    );
    let ours_cpu = median(&runs.iter().map(Run::regen_cpu).collect::<Vec<_>>());
    let raw_cpu = median(&runs.iter().map(|r| r.raw_cpu).collect::<Vec<_>>());
    println!(
        "  on-CPU time of the same runs: ratio {:.2} (ours {} ms, raw {} ms)",
        ours_cpu / raw_cpu,
        ms(ours_cpu),
        ms(raw_cpu)
    );
    (ratio, ours_cpu / raw_cpu)
}

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
    println!(
        "each run: our pipeline stage by stage, then raw progenitor (openapiv3 parse, \
         generate_tokens, syn::parse2, prettyplease::unparse) on the same normalized document \
         with the same settings (xtask/src/bench/raw_progenitor.rs)"
    );

    // The project's own document.
    let document = root.join(crate::DOCUMENT);
    check_equivalence(&document, crate::DOCUMENT)?;
    let real = timed_runs(&document, crate::DOCUMENT, &scratch, options.runs)?;
    let real_total: Vec<f64> = real.iter().map(Run::regen).collect();
    let real_ops = synth::census(&load::load(&document).map_err(|e| e.to_string())?)?.operations;
    println!(
        "\n{} ({real_ops} operations): regen total {} ms (min {} / max {})",
        crate::DOCUMENT,
        ms(median(&real_total)),
        ms(spread(&real_total).0),
        ms(spread(&real_total).1)
    );
    print_stage_table(&real);
    print_steps(real_ops, &real);
    let real_ratio = print_ratio(real_ops, &real);

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
        let runs = timed_runs(&path, &source, &scratch, options.runs)?;
        rows.push((census.operations, runs));
    }

    println!(
        "\n{:>6} {:>10} {:>9} {:>10} | per stage, median ms (* = not in regen)",
        "ops", "regen ms", "ms/op", "cpu ms"
    );
    print!("{:>6} {:>10} {:>9} {:>10} |", "", "", "", "");
    for (stage, in_regen) in STAGES.iter().zip(IN_REGEN) {
        let label = if in_regen {
            stage.to_string()
        } else {
            format!("{stage}*")
        };
        print!(" {label:>9}");
    }
    println!();
    let mut medians = Vec::new();
    for (ops, runs) in &rows {
        let totals: Vec<f64> = runs.iter().map(Run::regen).collect();
        let total = median(&totals);
        let cpu = median(&runs.iter().map(Run::regen_cpu).collect::<Vec<_>>());
        print!(
            "{ops:>6} {:>10} {:>9.3} {:>10} |",
            ms(total),
            total / *ops as f64,
            ms(cpu)
        );
        let stage_medians = stage_medians(runs);
        for m in &stage_medians {
            print!(" {:>9}", ms(*m));
        }
        println!();
        medians.push((*ops as f64, total, stage_medians));
    }

    println!(
        "\neach thread's steps in the threads stage (median wall ms since the thread's previous \
         step; steps that wait for another thread include the wait):"
    );
    for (ops, runs) in &rows {
        print_steps(*ops, runs);
    }

    println!("\nagainst raw progenitor, measured in the same runs:");
    let mut ratios = Vec::new();
    // The ~20 document is one copy of the real one (19 operations, renamed); the real
    // document's line above stands for that size.
    for (ops, runs) in rows.iter().skip(1) {
        ratios.push((*ops, print_ratio(*ops, runs)));
    }

    // Growth: exponents between the sizes, whole pipeline and per stage.
    let (n_mid, t_mid, s_mid) = &medians[1];
    let (n_big, t_big, s_big) = &medians[2];
    let (n_small, t_small, _) = &medians[0];
    let exponent = growth_exponent(*n_mid, *t_mid, *n_big, *t_big);
    println!(
        "\ngrowth exponent of regen (1 = linear): {:.2} from {} to {} operations, {:.2} from {} to {}",
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
                stage,
                growth_exponent(*n_mid, s_mid[i], *n_big, s_big[i])
            );
        }
    }
    println!();
    let (dominant, share) = s_big
        .iter()
        .enumerate()
        .filter(|(i, _)| IN_REGEN[*i])
        .map(|(i, t)| (STAGES[i], t / t_big))
        .fold(("", 0.0), |best, x| if x.1 > best.1 { x } else { best });
    println!(
        "largest stage of regen at {n_big} operations: {dominant} ({:.0} % of regen)",
        share * 100.0
    );
    let stage = |name: &str| STAGES.iter().position(|s| *s == name).expect("a stage");
    let extra = s_big[stage("pieces")] + s_big[stage("surface")];
    println!(
        "the snapshot tests also pay pieces and surface: {} ms more at {n_big} operations",
        ms(extra)
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
    let (big_ops, big_ratio) = *ratios.last().expect("three sizes");
    for (ops, (ratio, cpu_ratio)) in [(real_ops, real_ratio), (big_ops, big_ratio)] {
        goals.push(Goal::new(
            format!("regen / raw progenitor at {ops} operations ({profile})"),
            format!("{ratio:.2} (on-CPU time: {cpu_ratio:.2}); goal <= {RATIO_GOAL}"),
            Some(ratio <= RATIO_GOAL),
        ));
    }
    if profile == "release" {
        goals.push(Goal::new(
            "regen of ~2,000 operations in release under 2 s",
            format!("{n_big} operations in {} ms", ms(*t_big)),
            Some(*t_big < GOAL_2000_MS),
        ));
        goals.push(Goal::new(
            "regen of ~2,000 operations in release under 1 s (the final goal)",
            format!("{n_big} operations in {} ms", ms(*t_big)),
            Some(*t_big < FINAL_GOAL_2000_MS),
        ));
        goals.push(Goal::info(
            "regen of the real document (release)",
            format!("{} ms", ms(median(&real_total))),
        ));
    } else {
        goals.push(Goal::new(
            "regen of the real document in dev under 50 ms",
            format!("{} ms", ms(median(&real_total))),
            Some(median(&real_total) < GOAL_REAL_DEV_MS),
        ));
    }
    Ok(goals)
}

fn print_stage_table(runs: &[Run]) {
    let medians = stage_medians(runs);
    let cpu: Vec<f64> = (0..STAGES.len())
        .map(|i| median(&runs.iter().map(|r| r.stages_cpu[i]).collect::<Vec<_>>()))
        .collect();
    let total = regen_total(&medians);
    println!(
        "{:<14} {:>10} {:>9} {:>8}  what",
        "stage", "median ms", "of regen", "cpu ms"
    );
    for (i, stage) in STAGES.iter().enumerate() {
        let share = if IN_REGEN[i] {
            format!("{:.1}%", medians[i] / total * 100.0)
        } else {
            "-".into()
        };
        println!(
            "{stage:<14} {:>10} {share:>9} {:>8}  {}",
            ms(medians[i]),
            ms(cpu[i]),
            STAGE_NOTES[i]
        );
    }
}

fn stage_medians(runs: &[Run]) -> Times {
    let mut out = [0.0; STAGES.len()];
    for (i, slot) in out.iter_mut().enumerate() {
        let column: Vec<f64> = runs.iter().map(|r| r.stages[i]).collect();
        *slot = median(&column);
    }
    out
}

/// `runs` timed runs, each ours then raw progenitor's on the same normalized document (the
/// caller's check has just run the pipeline once, which warms up).
fn timed_runs(path: &Path, source: &str, scratch: &Path, runs: usize) -> Result<Vec<Run>, String> {
    let out_dir = scratch.join("out");
    let raw_input = raw_progenitor::input(&normalized(path)?);
    raw_progenitor::run(&raw_input)?;
    (0..runs)
        .map(|_| {
            let (stages, stages_cpu, steps, _) = staged_run(path, source, &out_dir, true)?;
            let (raw, raw_cpu, _) = raw_progenitor::run(&raw_input)?;
            Ok(Run {
                stages,
                stages_cpu,
                steps,
                raw,
                raw_cpu,
            })
        })
        .collect()
}

/// Each thread's steps: (thread, step, wall milliseconds since its previous step, or
/// since the start of the `threads` stage).
type Steps = Vec<(&'static str, &'static str, f64)>;

/// The pipeline, stage by stage, as `cargo xtask regen` runs it; the output goes to a fresh
/// `out_dir`. Returns each stage's milliseconds, the threads' steps and the files.
fn staged_run(
    path: &Path,
    source: &str,
    out_dir: &Path,
    views: bool,
) -> Result<(Times, Times, Steps, Vec<stackai_codegen::GeneratedFile>), String> {
    let _ = std::fs::remove_dir_all(out_dir);
    let mut times = [0.0; STAGES.len()];
    let mut cpu = [0.0; STAGES.len()];
    let mut clock = Clock::start();
    let mut lap = |slot: usize, times: &mut Times| {
        (times[slot], cpu[slot]) = clock.lap();
    };
    let err = |e: stackai_codegen::Error| e.to_string();

    let overrides = import::Overrides::load_beside(path).map_err(err)?;
    let document = load::load(path).map_err(err)?;
    lap(0, &mut times);
    // `run_project`: normalize and apply the overrides, then `run_on_normalized`.
    let normalized = import::normalize_with_overrides(path, document, &overrides).map_err(err)?;
    lap(1, &mut times);
    let started = Instant::now();
    let trace = Arc::new(Trace::default());
    let output =
        stackai_codegen::run_on_normalized_traced(path, source, normalized, Some(trace.clone()))
            .map_err(err)?;
    lap(2, &mut times);
    let pieces = views.then(|| output.pieces());
    lap(3, &mut times);
    let surface = views.then(|| output.surface());
    lap(4, &mut times);
    write_like_regen(out_dir, &output.files)?;
    lap(5, &mut times);
    let files = output.files.clone();
    // `regen` leaks the output instead (`xtask/src/main.rs`); the snapshot tests and every
    // other caller of `run_project` pay this, beside their own work.
    drop((output, pieces, surface));
    lap(6, &mut times);
    let mut last: std::collections::BTreeMap<&str, Instant> = Default::default();
    let steps = trace
        .events()
        .into_iter()
        .map(|(thread, step, at)| {
            let since = last.insert(thread, at).unwrap_or(started);
            (thread, step, (at - since).as_secs_f64() * 1000.0)
        })
        .collect();
    Ok((times, cpu, steps, files))
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
    let (_, _, _, files) = staged_run(path, source, &scratch, true)?;
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

/// The normalized document the generate stage sees.
pub(crate) fn normalized(path: &Path) -> Result<Value, String> {
    let err = |e: stackai_codegen::Error| e.to_string();
    let overrides = import::Overrides::load_beside(path).map_err(err)?;
    let document = load::load(path).map_err(err)?;
    Ok(import::normalize_with_overrides(path, document, &overrides)
        .map_err(err)?
        .document)
}

/// Each thread's steps, median milliseconds over `runs`, a line per thread, the steps in
/// the order the first run took them. A step a run did not take (the mocks' second share
/// goes to whichever thread is free first) counts as 0 in that run.
fn print_steps(ops: usize, runs: &[Run]) {
    let Some(first) = runs.first() else { return };
    let mut threads: Vec<&str> = Vec::new();
    for (thread, _, _) in &first.steps {
        if !threads.contains(thread) {
            threads.push(thread);
        }
    }
    for thread in threads {
        let mut steps: Vec<&str> = Vec::new();
        for run in runs {
            for (t, step, _) in &run.steps {
                if *t == thread && !steps.contains(step) {
                    steps.push(step);
                }
            }
        }
        let mut line = format!("  {ops:>4} operations, thread {thread}:");
        for step in steps {
            let column: Vec<f64> = runs
                .iter()
                .map(|r| {
                    r.steps
                        .iter()
                        .filter(|(t, s, _)| *t == thread && *s == step)
                        .fold(0.0, |sum, (_, _, ms)| sum + ms)
                })
                .collect();
            line.push_str(&format!(" {step} {}", ms(median(&column))));
        }
        println!("{line}");
    }
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

/// `bench regen-profile [--ops N] [--iterations K] [--no-views]`: the pipeline on a synthetic document of
/// about N operations (the real document for 0), K times, each followed by raw progenitor's
/// (`raw_progenitor::run`), for `perf record` or callgrind: on a shared machine, callgrind's
/// instruction counts of `staged_run`'s stages against `raw_progenitor::run` are the ratio
/// that load does not move.
pub(crate) fn profile_loop(args: &[&str]) -> Result<(), String> {
    let mut ops = 2000usize;
    let mut iterations = 3usize;
    // Without the reviewer's views (`Output::pieces` runs the generation again), the
    // profile holds what `cargo xtask regen` runs and nothing else.
    let views = !args.contains(&"--no-views");
    let args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--no-views")
        .collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).and_then(|v| v.parse().ok());
        match (args[i], value) {
            ("--ops", Some(v)) => ops = v,
            ("--iterations", Some(v)) => iterations = v,
            _ => {
                return Err(format!(
                    "usage: bench regen-profile [--ops N] [--iterations K] [--no-views], got {args:?}"
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
    let raw_input = raw_progenitor::input(&normalized(&path)?);
    for _ in 0..iterations {
        let (times, cpu, steps, _) = staged_run(&path, &source, &scratch.join("out"), views)?;
        let steps: Vec<String> = steps
            .iter()
            .map(|(thread, step, t)| format!("{thread}.{step}={}", ms(*t)))
            .collect();
        println!("threads' steps (wall ms): {}", steps.join(" "));
        let (raw, raw_cpu, _) = raw_progenitor::run(&raw_input)?;
        let parts: Vec<String> = STAGES
            .iter()
            .zip(times.iter().zip(cpu))
            .map(|(s, (t, c))| format!("{s}={}/{}", ms(*t), ms(c)))
            .collect();
        println!(
            "regen {} ms ({} ms on-CPU); raw progenitor {} ms ({} ms on-CPU); \
             stage=wall/on-CPU ms: {}",
            ms(regen_total(&times)),
            ms(regen_total(&cpu)),
            ms(raw.iter().sum()),
            ms(raw_cpu),
            parts.join(" ")
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
