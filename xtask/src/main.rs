//! `cargo xtask regen` and `cargo xtask check`: keep the generated crate in step with the
//! OpenAPI document, in the style of rust-analyzer's `ensure_file_contents`.

mod bench;
mod deny;
mod diff;
mod features;
mod fuzz;
mod import;
mod release;
mod scratch;
mod sweep;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use stackai_codegen::tools::import::OVERRIDES_FILE;

/// The document everything is generated from, relative to the repository root.
const DOCUMENT: &str = "openapi/connections.json";
/// Where the generated module lives, relative to the repository root.
const OUTPUT_DIR: &str = "generated/src/generated_sdk";
/// The upstream feature corpus (a test fixture: the Connections API plus an operation for
/// every supported FastAPI/pydantic feature) and the module of its client crate.
const CORPUS_DOCUMENT: &str = "openapi/corpus/corpus.json";
const CORPUS_OUTPUT_DIR: &str = "tests/corpus/src/generated_sdk";
/// Everything `regen` writes and `check` checks: (document, generated module).
const TARGETS: [(&str, &str); 2] = [(DOCUMENT, OUTPUT_DIR), (CORPUS_DOCUMENT, CORPUS_OUTPUT_DIR)];

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  regen           regenerate generated/ and tests/corpus/ from openapi/ and
                  print what changed
  check           fail if anything generated is stale (for CI); changes nothing
                  (both print only warnings not acknowledged in
                  openapi/overrides.json; --verbose shows those too);
                  check also runs `cargo deny check licenses bans sources`
                  (deny.toml) when cargo-deny is installed, the sweep of
                  openapi/ (below), fails on a broken intra-doc link in the
                  client or corpus crate, and fails when the client crate's public
                  API changed since the last release while generated/Cargo.toml
                  still says that release's version (see `release`)
  sweep [--verbose] DIR...
                  regenerate every OpenAPI document (JSON or YAML, `openapi:
                  3.x`) under the folders into a scratch crate (target/sweep/,
                  with the overrides.json beside it and the features its code
                  needs), cargo check it, and print a table: operations, regen
                  (ok or the first error), compile (ok or the errors and the
                  first one), warnings, seconds; ends with `SWEEP ok N/M` and
                  fails when a document is rejected or does not compile;
                  --verbose lists every compiler error and warning after it
  import PATH|-   write the upstream document at PATH (or stdin) into
                  openapi/connections.json in canonical form, then regen;
                  openapi/overrides.json pins method and type names
  import --corpus PATH|-
                  the same for the feature corpus, openapi/corpus/corpus.json
                  (python3 openapi/corpus/app.py | cargo xtask import --corpus -)
  diff OLD NEW    report the API changes between two documents, classified
  diff --base REF   ... between REF:openapi/connections.json and the working tree
       [--format markdown|json]  (default markdown)
       [--fail-on breaking|possibly-breaking]  exit non-zero on such changes
  release [--base REV] [--dry-run]
                  compare the client crate at REV (default: the last release
                  recorded in generated/CHANGELOG.md) with the working tree: the
                  document diff, the public API diff (rustdoc JSON), both
                  verdicts cross-checked, the next version (Cargo's SemVer for
                  0.x) and its changelog entry; writes the entry and the version
                  bump (generated/Cargo.toml, Cargo.lock), recording HEAD as the
                  release's commit; --dry-run prints it all and writes nothing
  fuzz [--mutants N] [--seed S] [--only I] [--compile K] [--input PATH] [--verbose]
                  mutation-fuzz the generator (default: 1000 mutants, seed 1)
                  and print a table: accepted, rejected with a location,
                  unlocated, progenitor panic, panicked, crashed; --compile K
                  cargo-checks the code of K accepted mutants
  bench [regen|build|client|pagination|all] [--runs N] [--build-runs N] [--quick] [--scale]
                  print the benchmark figures of BENCHMARKS.md (default: all)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["regen"] => regen(Mode::Write),
        ["regen", "--verbose" | "-v"] => regen_verbose(Mode::Write),
        ["check"] => regen(Mode::Check).and_then(|()| check_more()),
        ["check", "--verbose" | "-v"] => regen_verbose(Mode::Check).and_then(|()| check_more()),
        ["sweep", rest @ ..] => sweep::sweep(rest),
        ["import", rest @ ..] => import::import(rest),
        ["diff", rest @ ..] => diff::diff(rest),
        ["release", rest @ ..] => release::release(rest),
        ["bench", rest @ ..] => bench::bench(rest),
        ["fuzz", rest @ ..] => fuzz::fuzz(rest),
        ["fuzz-worker", rest @ ..] => fuzz::worker(rest),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(format!("unknown arguments {args:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What `check` runs after the staleness check: the supply-chain check, the sweep of
/// `openapi/` (every document there generates code that compiles), rustdoc's intra-doc
/// links, and the release check (no public API change under a released version).
fn check_more() -> Result<(), String> {
    deny::check()?;
    sweep::sweep_dirs(&[repo_root().join("openapi")], false)?;
    // After the sweep, whose check-built dependencies rustdoc reuses.
    release::rustdoc::links(&repo_root())?;
    release::check()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Check,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

fn regen(mode: Mode) -> Result<(), String> {
    regen_with(mode, false)
}

fn regen_verbose(mode: Mode) -> Result<(), String> {
    regen_with(mode, true)
}

fn regen_with(mode: Mode, verbose: bool) -> Result<(), String> {
    let mut stale = Vec::new();
    for (document, output_dir) in TARGETS {
        if let Err(message) = regen_one(mode, verbose, document, output_dir) {
            stale.push(message);
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(stale.join("\nerror: "))
    }
}

fn regen_one(mode: Mode, verbose: bool, document: &str, output_dir: &str) -> Result<(), String> {
    let root = repo_root();
    let started = Instant::now();
    let output = stackai_codegen::tools::import::run_project(&root.join(document), document)
        .map_err(|e| e.to_string())?;
    let acknowledged = print_warnings(&root, document, &output.warnings, verbose)?;
    features::print_note(&root, output_dir, &output.features());

    let out_dir = root.join(output_dir);
    let mut wanted: Vec<(PathBuf, &str)> = output
        .files
        .iter()
        .map(|f| (out_dir.join(&f.name), f.contents.as_str()))
        .collect();
    wanted.sort();

    let mut stale = Vec::new();
    for (path, contents) in &wanted {
        let current = std::fs::read_to_string(path).ok();
        if current.as_deref() == Some(*contents) {
            continue;
        }
        stale.push(relative(&root, path));
        if mode == Mode::Write {
            std::fs::create_dir_all(path.parent().expect("files live in a directory"))
                .and_then(|()| std::fs::write(path, contents))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    for leftover in leftovers(&out_dir, &wanted) {
        stale.push(format!(
            "{} (no longer generated)",
            relative(&root, &leftover)
        ));
        if mode == Mode::Write {
            std::fs::remove_file(&leftover)
                .map_err(|e| format!("cannot remove {}: {e}", leftover.display()))?;
        }
    }

    let elapsed = started.elapsed().as_millis();
    // The output holds the whole syn tree and the normalized document; freeing them costs
    // about a tenth of a large regen (benchmarks/HISTORY.md §1, stage `free`), and this
    // process exits right after. So regen leaks them on purpose. Only here, in the xtask
    // process: the library and the tests that call it drop their `Output` as usual.
    let count = wanted.len();
    drop(wanted);
    std::mem::forget(output);
    let acknowledged = match acknowledged {
        0 => String::new(),
        1 => "; 1 acknowledged warning".to_string(),
        n => format!("; {n} acknowledged warnings"),
    };
    match (mode, stale.is_empty()) {
        (_, true) => {
            println!(
                "{output_dir}: generated code is up to date ({count} files, {elapsed} ms{acknowledged})",
            );
            Ok(())
        }
        (Mode::Write, false) => {
            for path in &stale {
                println!("updated {path}");
            }
            println!(
                "{output_dir}: regenerated {} of {} files in {elapsed} ms{acknowledged}",
                stale.len(),
                count
            );
            Ok(())
        }
        (Mode::Check, false) => Err(format!(
            "generated code is stale; run `cargo xtask regen` and commit the result:\n  {}",
            stale.join("\n  ")
        )),
    }
}

/// Prints the warnings nobody acknowledged in `openapi/overrides.json` (and, with
/// `verbose`, the acknowledged ones with their reasons); returns how many were acknowledged.
fn print_warnings(
    root: &Path,
    document: &str,
    warnings: &[stackai_codegen::Warning],
    verbose: bool,
) -> Result<usize, String> {
    use stackai_codegen::tools::{acknowledge, import::Overrides};
    let overrides = Overrides::load_beside(&root.join(document)).map_err(|e| e.to_string())?;
    let overrides_file = Path::new(document).with_file_name(OVERRIDES_FILE);
    let sorted = acknowledge::sort(&overrides_file, warnings, &overrides.acknowledged);
    for warning in &sorted.new {
        eprintln!("warning: {document}: {warning}");
    }
    if verbose {
        for (warning, reason) in &sorted.acknowledged {
            eprintln!("acknowledged: {document}: {warning} (reason: {reason})");
        }
    }
    Ok(sorted.acknowledged.len())
}

/// Files in the output directory that this run does not produce.
fn leftovers(out_dir: &Path, wanted: &[(PathBuf, &str)]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !wanted.iter().any(|(w, _)| w == p))
        .collect();
    found.sort();
    found
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
