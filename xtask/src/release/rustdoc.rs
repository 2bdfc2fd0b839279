//! rustdoc's JSON of the client crate, at a commit or in the working tree.
//!
//! JSON output is unstable in rustdoc, so it runs with `RUSTC_BOOTSTRAP=1` on the stable
//! toolchain. Every build shares the sweep's target directory (`target/sweep-target`):
//! the dependencies are check-built once (rustdoc needs their metadata, the same as
//! `cargo check`'s), and `cargo xtask check`'s sweep has usually built them already. A
//! commit's crate is extracted with `git archive` (its `generated/`, root manifest and
//! lock file, so its own dependency versions) into `target/api/<sha>/`, and its public API
//! is cached beside it as `<sha>.json`: a commit never changes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::api::{self, Api};
use crate::scratch;

/// Where commits' crates and cached JSON live, relative to the repository root.
const API_DIR: &str = "target/api";
/// Shared with the sweep, for its check-built dependencies.
pub(crate) const TARGET_DIR: &str = "target/sweep-target";
/// The optional features that add public API; the TLS ones do not.
const API_FEATURES: [&str; 2] = ["mock", "multipart"];
/// The package, and its library's name in rustdoc's output.
pub(crate) const PACKAGE: &str = "stackai-connections";

/// The crate's public API in the working tree.
pub(crate) fn working_tree(root: &Path) -> Result<Api, String> {
    let manifest = std::fs::read_to_string(root.join("generated/Cargo.toml"))
        .map_err(|e| format!("cannot read generated/Cargo.toml: {e}"))?;
    let json = document(
        &root.join("Cargo.toml"),
        &[PACKAGE],
        &features(&manifest),
        &root.join(TARGET_DIR),
    )?;
    api::read(&json[0])
}

/// The crate's public API at `sha` (a full commit id), built once and then cached.
pub(crate) fn at_commit(root: &Path, sha: &str) -> Result<Api, String> {
    let dir = root.join(API_DIR);
    let cache = dir.join(format!("{sha}.json"));
    let json = match std::fs::read(&cache)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    {
        Some(json) => json,
        None => {
            let json = build_commit(root, sha, &dir.join(sha))?;
            let text = serde_json::to_vec(&json).map_err(|e| e.to_string())?;
            scratch::write_if_changed(&cache, &text)?;
            json
        }
    };
    api::read(&json)
}

fn build_commit(root: &Path, sha: &str, dir: &Path) -> Result<Value, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let archive = Command::new("git")
        .args([
            "archive",
            "--format=tar",
            sha,
            "Cargo.toml",
            "Cargo.lock",
            "generated",
        ])
        .current_dir(root)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    if !archive.status.success() {
        return Err(format!(
            "`git archive {sha}` failed: {}",
            String::from_utf8_lossy(&archive.stderr).trim()
        ));
    }
    let mut tar = Command::new("tar")
        .args(["-x", "-C"])
        .arg(dir)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    {
        use std::io::Write;
        let mut stdin = tar.stdin.take().expect("piped");
        stdin
            .write_all(&archive.stdout)
            .map_err(|e| format!("cannot extract {sha}: {e}"))?;
    }
    if !tar.wait().map_err(|e| e.to_string())?.success() {
        return Err(format!("cannot extract the crate of {sha}"));
    }
    // Only the client crate is a member: the commit's other crates are not needed.
    let root_manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&root_manifest).map_err(|e| e.to_string())?;
    let text = scratch::replace_members(&text, "\"generated\"")?;
    std::fs::write(&root_manifest, text).map_err(|e| e.to_string())?;
    let manifest = std::fs::read_to_string(dir.join("generated/Cargo.toml"))
        .map_err(|e| format!("{sha} has no generated/Cargo.toml: {e}"))?;
    let mut json = document(
        &root_manifest,
        &[PACKAGE],
        &features(&manifest),
        &root.join(TARGET_DIR),
    )?;
    Ok(json.remove(0))
}

/// The features of `API_FEATURES` that a crate's manifest declares.
fn features(manifest: &str) -> Vec<&'static str> {
    API_FEATURES
        .into_iter()
        .filter(|f| {
            manifest
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{f} =")))
        })
        .collect()
}

/// Runs rustdoc with JSON output on `packages` of the workspace at `manifest` (their
/// libraries only, dependencies checked, not documented) and reads each package's JSON.
pub(crate) fn document(
    manifest: &Path,
    packages: &[&str],
    features: &[&str],
    target_dir: &Path,
) -> Result<Vec<Value>, String> {
    let output = cargo_doc(
        manifest,
        packages,
        &features.join(","),
        "-Z unstable-options --output-format json",
        target_dir,
    )?;
    if !output.status.success() {
        return Err(format!(
            "rustdoc failed on {} ({}): {}",
            manifest.display(),
            packages.join(", "),
            errors(&output.stderr, 5).join("; ")
        ));
    }
    packages
        .iter()
        .map(|package| {
            let path: PathBuf = target_dir
                .join("doc")
                .join(format!("{}.json", package.replace('-', "_")));
            let bytes =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// `cargo xtask check`'s part of "publishable": rustdoc finds no broken or private
/// intra-doc link in the client crate or the corpus crate (the generator's docs of every
/// shape), with the features that add public items.
pub(crate) fn links(root: &Path) -> Result<(), String> {
    let started = std::time::Instant::now();
    let output = cargo_doc(
        &root.join("Cargo.toml"),
        &[PACKAGE, "stackai-corpus"],
        &format!("{PACKAGE}/mock,{PACKAGE}/multipart,stackai-corpus/mock"),
        "-D rustdoc::broken_intra_doc_links -D rustdoc::private_intra_doc_links",
        &root.join(TARGET_DIR),
    )?;
    if !output.status.success() {
        return Err(format!(
            "rustdoc finds broken intra-doc links (`cargo doc -p {PACKAGE} -p stackai-corpus --features {PACKAGE}/mock,{PACKAGE}/multipart,stackai-corpus/mock` with RUSTDOCFLAGS=\"-D rustdoc::broken_intra_doc_links\"); fix the generator's or the runtime's docs, then `cargo xtask regen`:\n{}",
            errors(&output.stderr, 12).join("\n")
        ));
    }
    println!(
        "doc links: ok ({PACKAGE}, stackai-corpus; {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// rustdoc's error lines and their locations, at most `max`; all of stderr when it has none.
fn errors(stderr: &[u8], max: usize) -> Vec<String> {
    let stderr = String::from_utf8_lossy(stderr);
    let lines: Vec<String> = stderr
        .lines()
        .filter(|l| l.starts_with("error") || l.trim_start().starts_with("-->"))
        .take(max)
        .map(str::to_string)
        .collect();
    if lines.is_empty() {
        vec![stderr.trim().to_string()]
    } else {
        lines
    }
}

/// `cargo doc` of `packages`' libraries (dependencies checked, not documented) with
/// `rustdoc_flags`, on the stable toolchain (`RUSTC_BOOTSTRAP=1` for unstable flags).
fn cargo_doc(
    manifest: &Path,
    packages: &[&str],
    features: &str,
    rustdoc_flags: &str,
    target_dir: &Path,
) -> Result<std::process::Output, String> {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["doc", "--no-deps", "--lib", "--quiet", "--manifest-path"])
        .arg(manifest);
    for package in packages {
        command.args(["-p", package]);
    }
    if !features.is_empty() {
        command.args(["--features", features]);
    }
    if rustdoc_flags.contains("-Z ") {
        // Cargo rebuilds the dependencies when this changes, so only where it is needed.
        command.env("RUSTC_BOOTSTRAP", "1");
    }
    command
        .env("RUSTDOCFLAGS", rustdoc_flags)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_INCREMENTAL", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo doc: {e}"))
}
