//! `cargo xtask bench build --scale` (issue 19): what the crate's own code costs rustc as the
//! document grows, against raw progenitor's crate and openapi-generator's `rust` crate for
//! the same document.
//!
//! Documents: the synthetic ones of about 200 and 2,000 operations the regen bench makes
//! (`synth.rs`), and the feature corpus (`openapi/corpus/corpus.json`). Each is normalized
//! once (`import::normalize_with_overrides`); that normalized document feeds raw progenitor
//! (progenitor's default settings, its own runtime `progenitor-client`) and
//! openapi-generator (`library=reqwest`), and our generator runs on it as `regen` does.
//!
//! Only the crate's own unit is timed. The three crates live in one scratch workspace under
//! `target/bench-scale/` (openapi-generator's beside it, `target/bench-scale-openapi-generator/`, a workspace of its own as generated),
//! built with Cargo's default dev profile (`--config` below). Before each timed run
//! `cargo clean -p <crate>` removes the crate's own artifacts, fingerprints and incremental cache and nothing else,
//! so cargo finds every dependency fresh and compiles just the crate, from nothing, exactly
//! as a user's first build of it after its dependencies. (Touching a source file instead
//! would let incremental compilation reuse the previous run's work.) A run in which cargo
//! compiled more units than the crate's own (its `--message-format=json` says so: the
//! dependencies were not built yet) is not counted and is run again.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use stackai_codegen::load;
use stackai_codegen::tools::import;

use super::stats::median;
use super::{Goal, Options, synth};

/// Synthetic document sizes, as the regen bench makes them.
const SIZES: [usize; 2] = [200, 2000];

/// The goals hold at the largest synthetic document: ours at most this ratio of theirs.
const GOAL_RATIO: f64 = 1.0;

use super::build::DEFAULT_DEV_PROFILE;

const OURS: &str = "scale-ours";
const RAW: &str = "scale-raw-progenitor";
const THEIRS: &str = "stackai-openapi-generator";

/// One crate's figures for one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    pub build: Option<f64>,
    pub check: Option<f64>,
    pub lines: usize,
    /// Why it could not be measured.
    pub note: Option<String>,
}

pub(crate) fn run(root: &Path, options: &Options) -> Result<Vec<Goal>, String> {
    println!(
        "\n== Build cost at scale: the crate's own unit only (dependencies prebuilt), \
         Cargo's default dev profile, median of {} runs ==",
        options.runs
    );
    let scratch = root.join("target/bench-scale");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    crate::scratch::workspace(root, &scratch, &[OURS.to_string(), RAW.to_string()])?;
    // Outside the scratch workspace: a workspace of its own, as generated.
    let theirs_dir = root.join("target/bench-scale-openapi-generator");
    let jar = openapi_generator_jar();
    if let Err(why) = &jar {
        println!("NOTE: openapi-generator cannot be run: {why}");
    }

    let real_path = root.join(crate::DOCUMENT);
    let real = load::load(&real_path).map_err(|e| e.to_string())?;
    let real_ops = synth::census(&real)?.operations;
    let mut documents: Vec<(String, PathBuf)> = Vec::new();
    for target in SIZES {
        let copies = ((target as f64 / real_ops as f64).round() as usize).max(1);
        let path = scratch.join(format!("synthetic-{target}.json"));
        let doc = synth::replicate(&real, copies);
        let text = serde_json::to_string_pretty(&doc).expect("a Value serializes");
        crate::scratch::write_if_changed(&path, text.as_bytes())?;
        documents.push((format!("synthetic-{target}.json"), path));
    }
    documents.push((
        crate::CORPUS_DOCUMENT.to_string(),
        root.join(crate::CORPUS_DOCUMENT),
    ));

    let mut goals = Vec::new();
    for (name, path) in &documents {
        let document = load::load(path).map_err(|e| e.to_string())?;
        let ops = stackai_codegen::document::operations(&document).count();
        println!("\n-- {name}: {ops} operations --");
        let normalized = super::regen::normalized(path)?;
        let normalized_path = scratch.join(format!("normalized-{name}"));
        let text = serde_json::to_string_pretty(&normalized).expect("a Value serializes");
        crate::scratch::write_if_changed(&normalized_path, text.as_bytes())?;

        // Both crates of the scratch workspace are written before either is built: cargo
        // loads every member.
        let ours_lines = prepare_ours(root, &scratch, path, name);
        let raw_lines = prepare_raw(&scratch, &normalized);
        let ours = ours_lines
            .and_then(|(lines, features)| {
                measure(&scratch, OURS, &features, options.runs).map(|f| with_lines(f, lines))
            })
            .unwrap_or_else(unmeasured);
        let raw = raw_lines
            .and_then(|lines| {
                measure(&scratch, RAW, &[], options.runs).map(|f| with_lines(f, lines))
            })
            .unwrap_or_else(unmeasured);
        let theirs = match &jar {
            Err(why) => unmeasured(why.clone()),
            Ok(jar) => prepare_theirs(jar, &normalized_path, &theirs_dir)
                .and_then(|lines| {
                    measure(&theirs_dir, THEIRS, &[], options.runs).map(|f| with_lines(f, lines))
                })
                .unwrap_or_else(unmeasured),
        };
        println!(
            "{:<34} {:>9} {:>9} {:>9} {:>9}",
            "crate", "build s", "check s", "lines", "lines/op"
        );
        for (label, f) in [
            ("ours (stackai, default features)", &ours),
            ("raw progenitor (progenitor-client)", &raw),
            ("openapi-generator rust (reqwest)", &theirs),
        ] {
            println!("{}", figures_row(label, f, ops));
            if let Some(note) = &f.note {
                println!("    not measured: {note}");
            }
        }
        for (what, mine, raw_s, theirs_s) in [
            ("build", ours.build, raw.build, theirs.build),
            ("check", ours.check, raw.check, theirs.check),
        ] {
            for (who, other) in [("raw-progenitor", raw_s), ("openapi-generator", theirs_s)] {
                println!("{}", ratio_line(what, who, ops, mine, other));
            }
        }
        if name.as_str() == "synthetic-2000.json" {
            for (who, other) in [
                ("raw progenitor", raw.build),
                ("openapi-generator", theirs.build),
            ] {
                goals.push(goal(who, ops, ours.build, other));
            }
        }
    }
    println!(
        "\ncommands, in target/bench-scale (openapi-generator's crate: \
         target/bench-scale-openapi-generator), runs that compiled a dependency discarded:\n  \
         cargo clean -p CRATE && cargo build {profile} -p CRATE\n  \
         cargo clean -p CRATE && cargo check {profile} -p CRATE",
        profile = "--config 'profile.dev.package.\"*\".opt-level=0' --config profile.dev.debug=2"
    );
    Ok(goals)
}

fn unmeasured(note: String) -> Figures {
    Figures {
        note: Some(note),
        ..Figures::default()
    }
}

fn with_lines(mut figures: Figures, lines: usize) -> Figures {
    figures.lines = lines;
    figures
}

/// `RATIO build/raw-progenitor at N operations: X.XX (ours A s, theirs B s)`.
pub(crate) fn ratio_line(
    what: &str,
    who: &str,
    ops: usize,
    ours: Option<f64>,
    theirs: Option<f64>,
) -> String {
    match (ours, theirs) {
        (Some(a), Some(b)) if b > 0.0 => format!(
            "RATIO {what}/{who} at {ops} operations: {:.2} (ours {a:.1} s, theirs {b:.1} s)",
            a / b
        ),
        _ => format!(
            "RATIO {what}/{who} at {ops} operations: not measured (ours {}, theirs {})",
            seconds_or_dash(ours),
            seconds_or_dash(theirs)
        ),
    }
}

fn seconds_or_dash(s: Option<f64>) -> String {
    s.map_or("-".into(), |s| format!("{s:.1} s"))
}

pub(crate) fn figures_row(label: &str, f: &Figures, ops: usize) -> String {
    let cell = |s: Option<f64>| s.map_or("-".to_string(), |s| format!("{s:.1}"));
    let per_op = if ops == 0 || f.lines == 0 {
        "-".to_string()
    } else {
        format!("{:.0}", f.lines as f64 / ops as f64)
    };
    format!(
        "{label:<34} {:>9} {:>9} {:>9} {per_op:>9}",
        cell(f.build),
        cell(f.check),
        if f.lines == 0 {
            "-".to_string()
        } else {
            f.lines.to_string()
        }
    )
}

fn goal(who: &str, ops: usize, ours: Option<f64>, theirs: Option<f64>) -> Goal {
    let name = format!("debug build of the crate at ~2,000 operations at most 1.0x {who}'s");
    match (ours, theirs) {
        (Some(a), Some(b)) => Goal::new(
            name,
            format!("{ops} operations: {a:.1} s vs {b:.1} s, ratio {:.2}", a / b),
            Some(a / b <= GOAL_RATIO),
        ),
        _ => Goal::new(name, "not measured in this run", None),
    }
}

fn count_lines(text: &str) -> usize {
    text.lines().count()
}

/// Our generator's crate for `path`; returns the generated lines.
/// Our crate for the document; returns its lines and the optional features its code needs
/// (`multipart` for uploads, as `cargo xtask sweep` builds it).
fn prepare_ours(
    root: &Path,
    scratch: &Path,
    path: &Path,
    name: &str,
) -> Result<(usize, Vec<&'static str>), String> {
    let output = import::run_project(path, name).map_err(|e| e.to_string())?;
    crate::scratch::client_crate(
        &root.join("generated"),
        &scratch.join(OURS),
        OURS,
        &output.files,
    )?;
    let lines = output.files.iter().map(|f| count_lines(&f.contents)).sum();
    Ok((lines, output.features()))
}

/// Raw progenitor's crate: progenitor's default settings on the normalized document, one
/// `lib.rs`; returns its lines.
fn prepare_raw(scratch: &Path, normalized: &Value) -> Result<usize, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(normalized.clone())
        .map_err(|e| format!("raw progenitor cannot read the document: {e}"))?;
    let settings = progenitor::GenerationSettings::default();
    let tokens = std::panic::catch_unwind(|| {
        progenitor::Generator::new(&settings)
            .generate_tokens(&spec)
            .map_err(|e| e.to_string())
    })
    .map_err(|_| "progenitor panicked".to_string())?
    .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    let code = prettyplease::unparse(&file);
    let dir = scratch.join(RAW);
    let manifest = format!(
        "[package]\nname = \"{RAW}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nprogenitor-client.workspace = true\nreqwest.workspace = true\n\
         serde.workspace = true\nserde_json.workspace = true\nchrono.workspace = true\n\
         uuid.workspace = true\nbytes = \"1\"\nfutures-core = \"0.3\"\n"
    );
    crate::scratch::write_if_changed(&dir.join("Cargo.toml"), manifest.as_bytes())?;
    let lib = format!("#![allow(warnings)]\n{code}");
    crate::scratch::write_if_changed(&dir.join("src/lib.rs"), lib.as_bytes())?;
    Ok(count_lines(&code))
}

/// openapi-generator's `rust` crate (library=reqwest) for the normalized document in `dir`;
/// returns its lines of Rust.
fn prepare_theirs(jar: &Path, document: &Path, dir: &Path) -> Result<usize, String> {
    let _ = std::fs::remove_dir_all(dir.join("src"));
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["generate", "-g", "rust", "-i"])
        .arg(document)
        .arg("-o")
        .arg(dir)
        .arg(format!(
            "--additional-properties=library=reqwest,packageName={THEIRS}"
        ))
        .output()
        .map_err(|e| format!("cannot run java: {e}"))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        let last = text.lines().rev().find(|l| !l.trim().is_empty());
        return Err(format!(
            "openapi-generator failed ({}): {}",
            out.status,
            last.unwrap_or("")
        ));
    }
    // `target/` lies inside this repository's workspace: an empty `[workspace]` table keeps
    // the generated crate a workspace of its own.
    let manifest_path = dir.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path).map_err(|e| e.to_string())?;
    if !manifest.contains("\n[workspace]") {
        std::fs::write(&manifest_path, format!("{manifest}\n[workspace]\n"))
            .map_err(|e| e.to_string())?;
    }
    if !dir.join("Cargo.lock").exists() {
        quiet(
            Command::new(super::cargo())
                .arg("generate-lockfile")
                .current_dir(dir),
        )?;
    }
    Ok(rust_lines(&dir.join("src")))
}

fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| e.path())
        .map(|p| {
            if p.is_dir() {
                rust_lines(&p)
            } else if p.extension().is_some_and(|x| x == "rs") {
                std::fs::read_to_string(&p).map_or(0, |t| count_lines(&t))
            } else {
                0
            }
        })
        .sum()
}

/// Builds and checks `package` in the workspace at `dir`, dependencies prebuilt: median
/// seconds of `runs` each. A run in which cargo compiled more than the crate's own unit
/// (dependencies not yet built, the first time) is not counted and is run again.
fn measure(dir: &Path, package: &str, features: &[&str], runs: usize) -> Result<Figures, String> {
    let mut figures = Figures::default();
    for command in ["build", "check"] {
        let mut seconds = Vec::new();
        let mut attempts = 0;
        while seconds.len() < runs {
            quiet(
                Command::new(super::cargo())
                    .args(["clean", "-p", package])
                    .current_dir(dir),
            )?;
            let started = Instant::now();
            let units = cargo_step(dir, command, package, features)
                .map_err(|e| format!("cargo {command}: {e}"))?;
            let elapsed = started.elapsed().as_secs_f64();
            attempts += 1;
            if units <= 1 {
                seconds.push(elapsed);
            } else if attempts > runs + 1 {
                return Err(format!("cargo {command} keeps compiling {units} units"));
            }
        }
        let m = median(&seconds);
        println!("  {package}: cargo {command} {m:.1} s (runs: {seconds:.1?})");
        match command {
            "build" => figures.build = Some(m),
            _ => figures.check = Some(m),
        }
    }
    Ok(figures)
}

/// `cargo <command>` of the crate's library: how many units cargo compiled.
fn cargo_step(
    dir: &Path,
    command: &str,
    package: &str,
    features: &[&str],
) -> Result<usize, String> {
    let mut cargo = Command::new(super::cargo());
    cargo.arg(command).args(DEFAULT_DEV_PROFILE).args([
        "-p",
        package,
        "--lib",
        "--message-format=json",
    ]);
    if !features.is_empty() {
        cargo.arg("--features").arg(features.join(","));
    }
    let out = cargo
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        return Ok(stdout
            .lines()
            .filter(|l| {
                l.contains("\"reason\":\"compiler-artifact\"") && l.contains("\"fresh\":false")
            })
            .count());
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let first = text
        .lines()
        .find(|l| l.contains("error"))
        .unwrap_or("cargo failed");
    Err(first.to_string())
}

fn quiet(command: &mut Command) -> Result<(), String> {
    let out = command
        .stdout(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// The jar, when `java` runs; else why not.
fn openapi_generator_jar() -> Result<PathBuf, String> {
    if !super::build::java_runs() {
        return Err("no `java` on PATH".into());
    }
    super::build::find_jar().ok_or_else(|| {
        "jar not found; set OPENAPI_GENERATOR_JAR or `pip install openapi-generator-cli`".into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_lines_are_exact() {
        assert_eq!(
            ratio_line("build", "raw-progenitor", 2006, Some(30.0), Some(20.0)),
            "RATIO build/raw-progenitor at 2006 operations: 1.50 (ours 30.0 s, theirs 20.0 s)"
        );
        assert_eq!(
            ratio_line("check", "openapi-generator", 200, Some(3.0), None),
            "RATIO check/openapi-generator at 200 operations: not measured (ours 3.0 s, theirs -)"
        );
    }

    #[test]
    fn rows_show_lines_per_operation() {
        let f = Figures {
            build: Some(1.25),
            check: None,
            lines: 1000,
            note: None,
        };
        let row = figures_row("x", &f, 10);
        assert!(row.ends_with("1.2         -      1000       100"), "{row}");
    }
}
