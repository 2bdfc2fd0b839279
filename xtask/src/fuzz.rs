//! `cargo xtask fuzz`: mutation fuzzing of the generator (see
//! `stackai_codegen::tools::mutate`), with a table of outcomes.
//!
//! The mutants run in a worker process (this program, `fuzz-worker`), so that a crash the
//! generator cannot catch (a stack overflow, an abort) is counted against the mutant that
//! caused it and the run goes on with the next one. With `--compile K`, the generated code of
//! K accepted mutants, spread over the run, goes into scratch copies of the client crate
//! under `target/fuzz-compile/`, which are `cargo check`ed there with one shared target
//! directory: a document the generator accepts must give code that compiles.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use stackai_codegen::tools::mutate::{self, Outcome};

use super::{repo_root, scratch};

struct Args {
    mutants: u64,
    seed: u64,
    only: Option<u64>,
    compile: usize,
    inputs: Vec<PathBuf>,
    verbose: bool,
}

fn parse(args: &[&str]) -> Result<Args, String> {
    let mut out = Args {
        mutants: 1000,
        seed: 1,
        only: None,
        compile: 0,
        inputs: Vec::new(),
        verbose: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> Result<String, String> {
            it.next()
                .map(|s| s.to_string())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.parse()
                .map_err(|_| format!("{name} takes a number, not {v:?}"))
        };
        match *arg {
            "--mutants" => out.mutants = number("--mutants", value("--mutants")?)?,
            "--seed" => out.seed = number("--seed", value("--seed")?)?,
            "--only" => out.only = Some(number("--only", value("--only")?)?),
            "--compile" => out.compile = number("--compile", value("--compile")?)? as usize,
            "--input" => out.inputs.push(PathBuf::from(value("--input")?)),
            "--verbose" | "-v" => out.verbose = true,
            other => return Err(format!("unknown argument {other:?} for `fuzz`")),
        }
    }
    Ok(out)
}

/// One mutant's result, as the worker reports it.
struct Row {
    index: u64,
    kind: String,
    class: String,
    detail: String,
}

pub(crate) fn fuzz(args: &[&str]) -> Result<(), String> {
    let args = parse(args)?;
    let root = repo_root();
    let inputs = if args.inputs.is_empty() {
        mutate::inputs(&root)
    } else {
        args.inputs.clone()
    };
    let range = match args.only {
        Some(i) => (i, i + 1),
        None => (0, args.mutants),
    };
    let started = Instant::now();
    let mut total: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut accepted: Vec<(PathBuf, u64)> = Vec::new();
    for input in &inputs {
        let rows = run_workers(input, args.seed, range)?;
        for row in rows {
            *total.entry(row.class.clone()).or_default() += 1;
            *by_kind
                .entry(row.kind.clone())
                .or_default()
                .entry(row.class.clone())
                .or_default() += 1;
            let good = row.class == "accepted" || row.class == "rejected";
            if args.verbose || args.only.is_some() || !good {
                let line = format!(
                    "{} #{} ({}): {}: {}",
                    relative(&root, input),
                    row.index,
                    row.kind,
                    row.class,
                    row.detail
                );
                if good {
                    println!("{line}");
                } else {
                    failures.push(line);
                }
            }
            if row.class == "accepted" {
                accepted.push((input.clone(), row.index));
            }
        }
    }
    let elapsed = started.elapsed();
    // The sample is spread over the whole run, not its first accepted mutants.
    let accepted_samples: Vec<(PathBuf, u64)> = (0..args.compile.min(accepted.len()))
        .map(|i| accepted[i * accepted.len() / args.compile.min(accepted.len())].clone())
        .collect();

    let mut compile_failures = Vec::new();
    let compiled = if args.compile > 0 {
        compile_check(&root, args.seed, &accepted_samples, &mut compile_failures)?
    } else {
        0
    };

    for line in &failures {
        println!("{line}");
    }
    let classes = [
        "accepted",
        "rejected",
        "unlocated",
        "progenitor panic",
        "panicked",
        "crashed",
    ];
    println!();
    println!(
        "mutation fuzzing: seed {}, {} mutants of each of {} document(s), {:.1} s",
        args.seed,
        range.1 - range.0,
        inputs.len(),
        elapsed.as_secs_f64()
    );
    println!();
    println!(
        "| mutation | {} |",
        classes
            .iter()
            .map(|c| {
                if *c == "rejected" {
                    "rejected with a location"
                } else {
                    c
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("| --- |{}", " ---: |".repeat(classes.len()));
    let row = |name: &str, counts: &BTreeMap<String, u64>| {
        let cells: Vec<String> = classes
            .iter()
            .map(|c| counts.get(*c).copied().unwrap_or(0).to_string())
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    };
    for (kind, counts) in &by_kind {
        row(kind, counts);
    }
    row("**all**", &total);
    if args.compile > 0 {
        println!();
        println!(
            "accepted mutants compiled: {compiled} of {} checked",
            accepted_samples.len()
        );
        for failure in &compile_failures {
            println!("  {failure}");
        }
    }
    let bad: u64 = classes[2..]
        .iter()
        .map(|c| total.get(*c).copied().unwrap_or(0))
        .sum();
    if bad > 0 || !compile_failures.is_empty() {
        return Err(format!(
            "{bad} mutant(s) were not answered with code or a located error, {} accepted mutant(s) did not compile",
            compile_failures.len()
        ));
    }
    Ok(())
}

/// Runs the mutants `range` of `input` in worker processes, restarting after a crash.
fn run_workers(input: &Path, seed: u64, range: (u64, u64)) -> Result<Vec<Row>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?;
    let mut rows = Vec::new();
    let mut next = range.0;
    while next < range.1 {
        let mut child = Command::new(&exe)
            .arg("fuzz-worker")
            .arg(input)
            .arg(seed.to_string())
            .arg(next.to_string())
            .arg(range.1.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start a fuzz worker: {e}"))?;
        let stdout = child.stdout.take().expect("piped");
        let mut started: Option<(u64, String)> = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("reading the fuzz worker: {e}"))?;
            let mut fields = line.splitn(5, '\t');
            match (fields.next(), fields.next(), fields.next()) {
                (Some("start"), Some(i), Some(kind)) => {
                    started = Some((i.parse().unwrap_or(next), kind.to_string()));
                }
                (Some("done"), Some(i), Some(kind)) => {
                    let index = i.parse().unwrap_or(next);
                    rows.push(Row {
                        index,
                        kind: kind.to_string(),
                        class: fields.next().unwrap_or_default().to_string(),
                        detail: fields.next().unwrap_or_default().to_string(),
                    });
                    started = None;
                    next = index + 1;
                }
                (Some("error"), Some(message), _) => {
                    let _ = child.kill();
                    return Err(message.to_string());
                }
                _ => {}
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("waiting for the fuzz worker: {e}"))?;
        if let Some((index, kind)) = started {
            rows.push(Row {
                index,
                kind,
                class: "crashed".into(),
                detail: format!("the worker process died ({status})"),
            });
            next = index + 1;
        } else if !status.success() && next < range.1 {
            return Err(format!("the fuzz worker failed ({status})"));
        }
    }
    Ok(rows)
}

/// `cargo xtask fuzz-worker INPUT SEED FROM TO`: runs mutants FROM..TO, one line each.
pub(crate) fn worker(args: &[&str]) -> Result<(), String> {
    let [input, seed, from, to] = args else {
        return Err("fuzz-worker takes INPUT SEED FROM TO".into());
    };
    let number = |v: &str| v.parse::<u64>().map_err(|_| format!("not a number: {v}"));
    let (seed, from, to) = (number(seed)?, number(from)?, number(to)?);
    let input = Path::new(input);
    let out = std::io::stdout();
    let mut out = out.lock();
    let base = match stackai_codegen::load::load(input) {
        Ok(base) => base,
        Err(e) => {
            let _ = writeln!(out, "error\t{e}\t");
            return Ok(());
        }
    };
    for index in from..to {
        let m = mutate::mutant(&base, seed, index);
        let kind = m.kind.name();
        // Written before running, so that the parent can blame a crash on this mutant.
        let _ = writeln!(out, "start\t{index}\t{kind}");
        let _ = out.flush();
        let (outcome, _) = mutate::classify(input, m.document);
        let detail = match &outcome {
            Outcome::Accepted => format!("{} {}", m.pointer, m.description),
            other => format!("{} {} -> {other}", m.pointer, m.description),
        };
        let detail = detail.replace(['\n', '\t'], " ");
        let _ = writeln!(out, "done\t{index}\t{kind}\t{}\t{detail}", outcome.class());
        let _ = out.flush();
    }
    Ok(())
}

/// Regenerates each sample into a scratch copy of the client crate and `cargo check`s it.
/// Returns how many compiled; describes the others in `failures`.
fn compile_check(
    root: &Path,
    seed: u64,
    samples: &[(PathBuf, u64)],
    failures: &mut Vec<String>,
) -> Result<usize, String> {
    let scratch = root.join("target/fuzz-compile");
    let _ = std::fs::remove_dir_all(scratch.join("crates"));
    let mut members = Vec::new();
    for (n, (input, index)) in samples.iter().enumerate() {
        let base = stackai_codegen::load::load(input).map_err(|e| e.to_string())?;
        let m = mutate::mutant(&base, seed, *index);
        let (_, output) = mutate::classify(input, m.document);
        let Some(output) = output else {
            return Err(format!("mutant #{index} was accepted, then rejected"));
        };
        let name = format!("m{n}");
        let dir = scratch.join("crates").join(&name);
        scratch::client_crate(
            &root.join("generated"),
            &dir,
            &format!("fuzz-mutant-{n}"),
            &output.files,
        )?;
        members.push((name, input.clone(), *index));
    }
    let list: Vec<String> = members
        .iter()
        .map(|(n, _, _)| format!("crates/{n}"))
        .collect();
    scratch::workspace(root, &scratch, &list)?;
    let mut ok = 0;
    for (n, (name, input, index)) in members.iter().enumerate() {
        let status = Command::new(env!("CARGO"))
            // Every optional part of the runtime a document may need (uploads), and the
            // generated mocks, are checked too.
            .args([
                "check",
                "--quiet",
                "--lib",
                "--features",
                "multipart,mock",
                "-p",
            ])
            .arg(format!("fuzz-mutant-{n}"))
            .env("CARGO_TARGET_DIR", scratch.join("target"))
            .current_dir(&scratch)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("cannot run cargo check: {e}"))?;
        if status.status.success() {
            ok += 1;
        } else {
            let stderr = String::from_utf8_lossy(&status.stderr);
            let first = stderr
                .lines()
                .skip_while(|l| !l.starts_with("error"))
                .take(4)
                .collect::<Vec<_>>()
                .join(" / ");
            failures.push(format!(
                "{} #{index} ({name}) does not compile: {first} \
                 (reproduce: cargo xtask fuzz --seed {seed} --only {index} --compile 1)",
                relative(root, input)
            ));
        }
    }
    Ok(ok)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
