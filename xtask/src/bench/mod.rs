//! `cargo xtask bench`: the project's performance figures, each the median of several runs,
//! every baseline measured in the same run. See `BENCHMARKS.md` for the figures and how to
//! read them.
//!
//! Parts (`cargo xtask bench [PART ...] [OPTIONS]`, all of them by default):
//!
//! * `regen`: the generator's stages on `openapi/connections.json` and on synthetic documents
//!   of about 20, 200 and 2,000 operations, in the dev profile `cargo xtask regen` uses (in
//!   this process) and in release (a child `cargo run --release -p xtask -- bench regen-worker`).
//! * `build`: clean debug builds of the generated crate (both TLS choices) and of
//!   openapi-generator's `rust` client for the same document, in fresh target directories.
//!   With `--scale`: the crate's own unit only, at ~200 and ~2,000 operations and on the
//!   feature corpus, against raw progenitor's and openapi-generator's crates (`scale.rs`).
//! * `client`: `get_connection_by_id` through the generated client and through plain
//!   `reqwest`, against one loopback server (`tests/examples/bench_client.rs`, release).
//! * `pagination`: 100,000 resources streamed page by page, peak heap and items per second
//!   (`tests/examples/bench_pagination.rs`, release).
//! * `load`: one password-flow client, ten rounds of 1,000 concurrent requests against a
//!   server injecting latency, 503s, 429s and resets, then a full 503 outage: pending
//!   requests, token fetches, load amplification, memory (`tests/examples/bench_load.rs`,
//!   release).
//!
//! The part programs that run in a child process print their human-readable report and
//! `@goal name|figure|met` lines, which this process collects into the final summary.

mod build;
mod raw_progenitor;
mod regen;
mod scale;
mod stats;
mod synth;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

pub(crate) const BENCH_USAGE: &str = "\
usage: cargo xtask bench [regen|build|client|pagination|load|all ...] [--runs N] [--build-runs N] [--quick] [--scale]

  Prints the benchmark figures of BENCHMARKS.md; all parts by default.
  --runs N        runs per figure, the median is printed (default 5)
  --build-runs N  clean builds per crate configuration (default 3)
  --quick         fewer and shorter runs, to check that the harness works
  --scale         `build` measures instead the crate's own build and check at ~200 and
                  ~2,000 operations and on the corpus, against raw progenitor and
                  openapi-generator (median of --runs, default 3)";

/// Settings shared by every part.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Runs per figure (the median is printed).
    pub runs: usize,
    /// Clean builds per configuration.
    pub build_runs: usize,
    /// Shorter client and pagination runs, to check that the harness works.
    pub quick: bool,
    /// `build` measures the crate's own unit at scale (issue 19) instead of clean builds.
    pub scale: bool,
}

/// A goal from the issue, with the figure that decides it, or a figure for information.
#[derive(Debug, Clone)]
pub(crate) struct Goal {
    pub name: String,
    pub figure: String,
    /// `None` when it could not be measured in this run.
    pub met: Option<bool>,
    /// A figure without a goal, listed with the goals.
    pub info: bool,
}

impl Goal {
    pub fn new(name: impl Into<String>, figure: impl Into<String>, met: Option<bool>) -> Self {
        Goal {
            name: name.into(),
            figure: figure.into(),
            met,
            info: false,
        }
    }

    /// A figure listed in the summary that decides no goal.
    pub fn info(name: impl Into<String>, figure: impl Into<String>) -> Self {
        Goal {
            info: true,
            ..Goal::new(name, figure, None)
        }
    }

    /// The line a child process prints for its parent to collect.
    pub fn to_line(&self) -> String {
        let met = match (self.info, self.met) {
            (true, _) => "info",
            (false, Some(true)) => "met",
            (false, Some(false)) => "missed",
            (false, None) => "unmeasured",
        };
        format!("@goal {}|{}|{met}", self.name, self.figure)
    }

    fn from_line(line: &str) -> Option<Goal> {
        let rest = line.strip_prefix("@goal ")?;
        let mut parts = rest.splitn(3, '|');
        let name = parts.next()?;
        let figure = parts.next()?;
        let met = match parts.next()? {
            "info" => return Some(Goal::info(name, figure)),
            "met" => Some(true),
            "missed" => Some(false),
            _ => None,
        };
        Some(Goal::new(name, figure, met))
    }
}

const PARTS: [&str; 5] = ["regen", "build", "client", "pagination", "load"];

pub(crate) fn bench(args: &[&str]) -> Result<(), String> {
    // Hidden entry points: the release half of `regen`, and a loop for profilers.
    match args {
        ["regen-worker", rest @ ..] => {
            let options = parse_options(rest)?.1;
            for goal in regen::measure_all(&options, "release")? {
                println!("{}", goal.to_line());
            }
            return Ok(());
        }
        ["regen-profile", rest @ ..] => return regen::profile_loop(rest),
        ["help" | "--help" | "-h"] => {
            println!("{BENCH_USAGE}");
            return Ok(());
        }
        _ => {}
    }
    let (mut parts, options) = parse_options(args)?;
    if parts.is_empty() || parts.iter().any(|p| p == "all") {
        parts = PARTS.iter().map(|p| p.to_string()).collect();
    }
    let root = crate::repo_root();
    print_machine(&root);
    let mut goals = Vec::new();
    for part in PARTS {
        if !parts.iter().any(|p| p == part) {
            continue;
        }
        let started = std::time::Instant::now();
        let part_goals = match part {
            "regen" => regen::run(&root, &options)?,
            "build" if options.scale => scale::run(&root, &options)?,
            "build" => build::run(&root, &options)?,
            "client" => run_example(&root, "bench_client", &options)?,
            "pagination" => run_example(&root, "bench_pagination", &options)?,
            "load" => run_example(&root, "bench_load", &options)?,
            _ => unreachable!("PARTS lists the parts"),
        };
        println!(
            "\n({part} took {:.0} s of wall time)",
            started.elapsed().as_secs_f64()
        );
        goals.extend(part_goals);
    }
    println!("\n== Goals ==");
    for goal in &goals {
        let verdict = match (goal.info, goal.met) {
            (true, _) => "INFO",
            (false, Some(true)) => "MET",
            (false, Some(false)) => "MISSED",
            (false, None) => "NOT MEASURED",
        };
        println!("{verdict:>12}  {}: {}", goal.name, goal.figure);
    }
    Ok(())
}

fn parse_options(args: &[&str]) -> Result<(Vec<String>, Options), String> {
    let mut parts = Vec::new();
    let mut options = Options {
        runs: 5,
        build_runs: 3,
        quick: false,
        scale: false,
    };
    let mut runs = None;
    let mut build_runs = None;
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "--quick" => options.quick = true,
            "--scale" => options.scale = true,
            flag @ ("--runs" | "--build-runs") => {
                let value: usize = args
                    .get(i + 1)
                    .and_then(|v| v.parse().ok())
                    .filter(|v| *v > 0)
                    .ok_or_else(|| format!("{flag} needs a positive number"))?;
                if flag == "--runs" {
                    runs = Some(value);
                } else {
                    build_runs = Some(value);
                }
                i += 1;
            }
            part if PARTS.contains(&part) || part == "all" => parts.push(part.to_string()),
            other => {
                return Err(format!("unknown bench argument {other:?}\n\n{BENCH_USAGE}"));
            }
        }
        i += 1;
    }
    if options.quick || options.scale {
        options.runs = 3;
        options.build_runs = 1;
    }
    options.runs = runs.unwrap_or(options.runs);
    options.build_runs = build_runs.unwrap_or(options.build_runs);
    Ok((parts, options))
}

/// What the figures were measured on.
fn print_machine(root: &Path) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or("unknown memory".into(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        });
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let rustc = command_line(root, "rustc", &["--version"]);
    println!("== Machine ==");
    println!("cpu: {cpu}, {cores} cores, {memory}; load average at start: {load}");
    println!("{rustc}");
}

/// The first line a command prints, or a note that it could not run.
pub(crate) fn command_line(dir: &Path, program: &str, args: &[&str]) -> String {
    match Command::new(program).args(args).current_dir(dir).output() {
        Ok(out) => {
            let text = if out.stdout.is_empty() {
                out.stderr
            } else {
                out.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        }
        Err(e) => format!("{program}: cannot run ({e})"),
    }
}

/// The `cargo` that runs this program.
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs `command`, echoing its output and collecting its `@goal` lines.
pub(crate) fn run_collecting(mut command: Command, what: &str) -> Result<Vec<Goal>, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut goals = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading {what}'s output: {e}"))?;
        match Goal::from_line(&line) {
            Some(goal) => goals.push(goal),
            None => println!("{line}"),
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {what}: {e}"))?;
    if !status.success() {
        return Err(format!("{what} failed ({status})"));
    }
    Ok(goals)
}

/// Builds and runs a benchmark example of `stackai-tests` in release.
fn run_example(root: &Path, example: &str, options: &Options) -> Result<Vec<Goal>, String> {
    println!("\n== {example} (tests/examples/{example}.rs, release) ==");
    let build = Command::new(cargo())
        .args(["build", "--quiet", "--release", "-p", "stackai-tests"])
        .args(["--example", example])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !build.success() {
        return Err(format!("building the {example} example failed"));
    }
    let mut command = Command::new(cargo());
    command
        .args(["run", "--quiet", "--release", "-p", "stackai-tests"])
        .args(["--example", example, "--", "--runs"])
        .arg(options.runs.to_string())
        .current_dir(root);
    if options.quick {
        command.arg("--quick");
    }
    println!(
        "command: cargo run --release -p stackai-tests --example {example} -- --runs {}{}",
        options.runs,
        if options.quick { " --quick" } else { "" }
    );
    run_collecting(command, example)
}

#[cfg(test)]
mod tests {
    use super::Goal;

    #[test]
    fn goal_lines_round_trip() {
        for goal in [
            Goal::new("a", "1 s", Some(true)),
            Goal::new("b", "2 s", Some(false)),
            Goal::new("c", "n/a", None),
            Goal::info("d", "4 ms"),
        ] {
            let back = Goal::from_line(&goal.to_line()).expect("a goal line");
            assert_eq!(
                (back.name, back.figure, back.met, back.info),
                (goal.name, goal.figure, goal.met, goal.info)
            );
        }
        assert!(Goal::from_line("regen took 3 s").is_none());
    }
}
