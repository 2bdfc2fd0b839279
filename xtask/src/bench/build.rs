//! Part 2: what the generated crate costs to build, against openapi-generator's `rust` client
//! for the same document.
//!
//! Every build is a clean debug build of the library in a fresh `CARGO_TARGET_DIR` under the
//! system's temporary directory, after `cargo fetch`, so downloads are not timed. The
//! configurations are interleaved run by run so that a noisy minute hits them all alike.
//!
//! Our crate is built twice with the default dev profile (opt-level 0, full debug info), the
//! profile a project depending on it uses and the one openapi-generator's crate gets, and
//! once with this workspace's own dev profile (dependencies at opt-level 1), for reference.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::stats::{median, spread};
use super::{Goal, Options};

/// Ours at most this fraction of openapi-generator's clean build.
const GOAL_RATIO: f64 = 0.6;

/// `--config` arguments that put this workspace's dev profile back to Cargo's defaults.
pub(crate) const DEFAULT_DEV_PROFILE: [&str; 4] = [
    "--config",
    "profile.dev.package.\"*\".opt-level=0",
    "--config",
    "profile.dev.debug=2",
];

/// One crate configuration to build.
struct Config {
    label: &'static str,
    /// The directory cargo runs in.
    dir: PathBuf,
    /// Arguments after `cargo build` (and after `cargo tree`, minus the profile ones).
    select: Vec<String>,
    /// Extra arguments for `cargo build` only.
    profile: Vec<String>,
}

struct Measured {
    seconds: Vec<f64>,
    units: usize,
    deps: Result<usize, String>,
}

pub(crate) fn run(root: &Path, options: &Options) -> Result<Vec<Goal>, String> {
    println!(
        "\n== Build cost: clean debug builds, fresh target dirs, median of {} builds each ==",
        options.build_runs
    );
    let scratch = std::env::temp_dir().join(format!("stackai-bench-build-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    run_quiet(
        Command::new(super::cargo()).arg("fetch").current_dir(root),
        "cargo fetch",
    )?;

    let ours = |label, features: &[&str], default_profile: bool| Config {
        label,
        dir: root.to_path_buf(),
        select: ["-p", "stackai-connections"]
            .iter()
            .chain(features)
            .map(|s| s.to_string())
            .collect(),
        profile: if default_profile {
            DEFAULT_DEV_PROFILE.iter().map(|s| s.to_string()).collect()
        } else {
            Vec::new()
        },
    };
    let mut configs = vec![
        ours(
            "stackai-connections, default features (rustls-ring)",
            &[],
            true,
        ),
        ours(
            "stackai-connections, --no-default-features --features rustls-aws-lc-rs",
            &["--no-default-features", "--features", "rustls-aws-lc-rs"],
            true,
        ),
        ours(
            "stackai-connections, default features, this workspace's dev profile",
            &[],
            false,
        ),
    ];

    let theirs = openapi_generator(root, &scratch, options)?;
    if let Some(dir) = &theirs {
        configs.push(Config {
            label: "openapi-generator rust (reqwest), --no-default-features --features rustls",
            dir: dir.clone(),
            select: ["--no-default-features", "--features", "rustls"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            profile: Vec::new(),
        });
    }

    let mut measured: Vec<Measured> = configs
        .iter()
        .map(|c| Measured {
            seconds: Vec::new(),
            units: 0,
            deps: dependency_count(c),
        })
        .collect();
    for run in 1..=options.build_runs {
        for (config, result) in configs.iter().zip(measured.iter_mut()) {
            let target = scratch.join(format!("target-{run}"));
            let _ = std::fs::remove_dir_all(&target);
            let (seconds, units) = clean_build(config, &target)?;
            let _ = std::fs::remove_dir_all(&target);
            println!(
                "  build {run}/{}: {:>6.1} s  {}",
                options.build_runs, seconds, config.label
            );
            result.seconds.push(seconds);
            result.units = units;
        }
    }

    println!("\ncommands (each in a fresh CARGO_TARGET_DIR):");
    for config in &configs {
        println!(
            "  (cd {} && cargo build {})",
            config.dir.display(),
            shell_words(config.profile.iter().chain(&config.select))
        );
    }
    println!(
        "\n{:<76} {:>9} {:>15} {:>6} {:>6}",
        "crate", "median s", "min-max s", "units", "deps"
    );
    for (config, result) in configs.iter().zip(&measured) {
        let (lo, hi) = spread(&result.seconds);
        let deps = match &result.deps {
            Ok(n) => n.to_string(),
            Err(_) => "?".into(),
        };
        println!(
            "{:<76} {:>9.1} {:>7.1}-{:<7.1} {:>6} {:>6}",
            config.label,
            median(&result.seconds),
            lo,
            hi,
            result.units,
            deps
        );
    }
    println!(
        "units: crates and build scripts cargo compiled; deps: distinct packages in \
         `cargo tree -e normal` (normal dependencies), the crate itself excluded"
    );
    for (config, result) in configs.iter().zip(&measured) {
        if let Err(e) = &result.deps {
            println!("  (dependency count for {} failed: {e})", config.label);
        }
    }

    let ours_default = median(&measured[0].seconds);
    let ours_aws = median(&measured[1].seconds);
    let mut goals = Vec::new();
    match theirs {
        Some(_) => {
            let theirs = median(&measured[3].seconds);
            let ratio = ours_default / theirs;
            println!(
                "\nratio ours (rustls-ring) / openapi-generator (rustls): {ratio:.2}; \
                 ours (rustls-aws-lc-rs, the same TLS provider as theirs) / theirs: {:.2}",
                ours_aws / theirs
            );
            goals.push(Goal::new(
                "clean debug build at most 0.6 of openapi-generator's",
                format!(
                    "{ours_default:.1} s vs {theirs:.1} s, ratio {ratio:.2} (aws-lc-rs: {ours_aws:.1} s, ratio {:.2})",
                    ours_aws / theirs
                ),
                Some(ratio <= GOAL_RATIO),
            ));
        }
        None => goals.push(Goal::new(
            "clean debug build at most 0.6 of openapi-generator's",
            format!(
                "openapi-generator not available; ours {ours_default:.1} s (aws-lc-rs {ours_aws:.1} s)"
            ),
            None,
        )),
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(goals)
}

/// A clean `cargo build` of `config` into `target`: wall seconds and units compiled.
fn clean_build(config: &Config, target: &Path) -> Result<(f64, usize), String> {
    let started = Instant::now();
    let out = Command::new(super::cargo())
        .arg("build")
        .args(&config.profile)
        .args(&config.select)
        .arg("--message-format=json")
        .env("CARGO_TARGET_DIR", target)
        .current_dir(&config.dir)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("cargo build failed for {}", config.label));
    }
    let units = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains("\"fresh\":false"))
        .count();
    Ok((seconds, units))
}

/// Distinct packages among the normal dependencies.
fn dependency_count(config: &Config) -> Result<usize, String> {
    let out = Command::new(super::cargo())
        .args(["tree", "-e", "normal", "--prefix", "none", "-f", "{p}"])
        .args(&config.select)
        .current_dir(&config.dir)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err("cargo tree failed".into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let packages: BTreeSet<&str> = text
        .lines()
        .map(|l| l.trim_end_matches(" (*)").trim())
        .filter(|l| !l.is_empty())
        .collect();
    Ok(packages.len().saturating_sub(1))
}

/// Generates openapi-generator's client for the document, timing the generation; returns its
/// directory, lockfile made and sources fetched, or `None` with a printed note.
fn openapi_generator(
    root: &Path,
    scratch: &Path,
    options: &Options,
) -> Result<Option<PathBuf>, String> {
    if !java_runs() {
        println!(
            "NOTE: skipping openapi-generator: no `java` on PATH \
             (apt-get install -y default-jre-headless)"
        );
        return Ok(None);
    }
    let Some(jar) = find_jar() else {
        println!(
            "NOTE: skipping openapi-generator: jar not found; set OPENAPI_GENERATOR_JAR or \
             `pip install openapi-generator-cli`"
        );
        return Ok(None);
    };
    let version = super::command_line(root, "java", &["-jar", &jar.to_string_lossy(), "version"]);
    println!("openapi-generator {version} ({})", jar.display());
    let document = root.join(crate::DOCUMENT);
    let mut seconds = Vec::new();
    let mut first = None;
    for run in 1..=options.runs {
        let out = scratch.join(format!("openapi-generator-{run}"));
        let _ = std::fs::remove_dir_all(&out);
        let started = Instant::now();
        let status = Command::new("java")
            .arg("-jar")
            .arg(&jar)
            .args(["generate", "-g", "rust", "-i"])
            .arg(&document)
            .arg("-o")
            .arg(&out)
            .arg("--additional-properties=library=reqwest,packageName=stackai-openapi-generator")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run java: {e}"))?;
        seconds.push(started.elapsed().as_secs_f64());
        if !status.success() {
            println!("NOTE: skipping openapi-generator: generation failed ({status})");
            return Ok(None);
        }
        if first.is_none() {
            first = Some(out);
        } else {
            let _ = std::fs::remove_dir_all(&out);
        }
    }
    let (lo, hi) = spread(&seconds);
    println!(
        "openapi-generator generation (JVM start included): median {:.2} s (min {lo:.2} / max {hi:.2}) over {} runs",
        median(&seconds),
        options.runs
    );
    println!(
        "  command: java -jar {} generate -g rust -i {} -o DIR \
         --additional-properties=library=reqwest,packageName=stackai-openapi-generator",
        jar.display(),
        crate::DOCUMENT
    );
    let dir = first.expect("at least one run");
    let prepared = run_quiet(
        Command::new(super::cargo())
            .arg("generate-lockfile")
            .current_dir(&dir),
        "cargo generate-lockfile (openapi-generator's crate)",
    )
    .and_then(|()| {
        run_quiet(
            Command::new(super::cargo()).arg("fetch").current_dir(&dir),
            "cargo fetch (openapi-generator's crate)",
        )
    });
    if let Err(e) = prepared {
        println!("NOTE: skipping openapi-generator's build: {e}");
        return Ok(None);
    }
    Ok(Some(dir))
}

/// Whether `java -version` runs.
pub(crate) fn java_runs() -> bool {
    Command::new("java")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `$OPENAPI_GENERATOR_JAR`, or the jar inside pip's `openapi-generator-cli` package.
pub(crate) fn find_jar() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("OPENAPI_GENERATOR_JAR") {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, openapi_generator_cli as m; print(os.path.join(os.path.dirname(m.__file__), 'openapi-generator.jar'))",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && path.is_file()).then_some(path)
}

fn run_quiet(command: &mut Command, what: &str) -> Result<(), String> {
    let out = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn shell_words<'a>(args: impl Iterator<Item = &'a String>) -> String {
    args.map(|a| {
        if a.contains('"') || a.contains('*') {
            format!("'{a}'")
        } else {
            a.clone()
        }
    })
    .collect::<Vec<_>>()
    .join(" ")
}
