//! The supply-chain part of `cargo xtask check`: `cargo deny check licenses bans sources`
//! against `deny.toml`, offline, when cargo-deny is installed. Advisories need the RustSec
//! database from GitHub and are run by hand (see RELIABILITY.md).
//!
//! cargo-deny reads the graph of every platform (`targets = []` in deny.toml), so it needs
//! crates that a build on this machine never downloads (`windows-sys`, `wasm-bindgen`'s).
//! `cargo fetch --locked` downloads them first, from the registry cargo already uses, and
//! does nothing when they are cached; a clean CI clone failed without it.

use std::process::{Command, Stdio};

use super::repo_root;

/// The checks that need nothing beyond `Cargo.lock` and the registry cache.
const CHECKS: [&str; 3] = ["licenses", "bans", "sources"];

pub(crate) fn check() -> Result<(), String> {
    let root = repo_root();
    let installed = Command::new(env!("CARGO"))
        .args(["deny", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        println!(
            "supply chain: cargo-deny is not installed, so deny.toml was not checked \
             (`cargo install --locked cargo-deny`; .ci/run does this)"
        );
        return Ok(());
    }
    let fetch = Command::new(env!("CARGO"))
        .args(["fetch", "--locked", "--quiet"])
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run cargo fetch: {e}"))?;
    if !fetch.status.success() {
        return Err(format!(
            "supply chain: `cargo fetch --locked` failed, so cargo-deny cannot read the \
             dependency graph of every platform:\n{}",
            String::from_utf8_lossy(&fetch.stderr)
        ));
    }
    let output = Command::new(env!("CARGO"))
        .args([
            "deny",
            "--locked",
            "--offline",
            "--log-level",
            "error",
            "check",
        ])
        .args(CHECKS)
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run cargo deny: {e}"))?;
    if output.status.success() {
        println!("supply chain: cargo deny check {} ok", CHECKS.join(" "));
        Ok(())
    } else {
        Err(format!(
            "cargo deny check {} failed (deny.toml):\n{}{}",
            CHECKS.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
