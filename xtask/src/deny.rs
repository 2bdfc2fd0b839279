//! The supply-chain part of `cargo xtask check`: `cargo deny check licenses bans sources`
//! against `deny.toml`, offline, when cargo-deny is installed. Advisories need the RustSec
//! database from GitHub and are run by hand (see RELIABILITY.md).

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
