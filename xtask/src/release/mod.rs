//! `cargo xtask release [--base REV] [--dry-run]`: the next version of the client crate,
//! from two verdicts that are checked against each other, and its changelog entry.
//!
//! The base is the last release recorded in `generated/CHANGELOG.md` (see [`changelog`]) or
//! `--base REV`. Against the working tree it computes
//! - the document diff, `cargo xtask diff --base REV`'s report;
//! - the public API diff of the compiled crate (rustdoc JSON, [`api`]);
//! - the cross-check of the two verdicts ([`cross_check`]);
//! - the next version by Cargo's SemVer rules, from the base's version;
//! - the changelog entry, in Rust terms, and the version bump of `generated/Cargo.toml` (and
//!   the crate's line in `Cargo.lock`).
//!
//! `--dry-run` prints everything and writes nothing (but caches in `target/`). Without it,
//! the crate's inputs must be committed: the entry records `HEAD` as the release's commit.
//!
//! [`check`] is `cargo xtask check`'s part: it fails when the public API changed since the
//! last release while `generated/Cargo.toml` still says that release's version.

pub(crate) mod api;
mod changelog;
#[cfg(test)]
mod pairs;
pub(crate) mod rustdoc;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use stackai_codegen::tools::spec_diff::{Bump, Change, Class, Report, Version};

use self::api::{ApiChange, What};
use crate::diff::{CRATE_MANIFEST, CRATE_NAME, crate_version, git_show};
use crate::repo_root;

const CHANGELOG: &str = "generated/CHANGELOG.md";
/// What `git status` must find committed before a release records `HEAD`.
const INPUTS: [&str; 4] = ["generated", "openapi", "Cargo.toml", "Cargo.lock"];

/// Kinds of document change that are breaking on the wire but that the compiled API cannot
/// show: the Rust signatures stay the same and the request fails at run time (progenitor's
/// builders check required values when the request is sent), or only the HTTP request
/// changes. Where the document diff finds one of these and the API diff finds nothing
/// breaking, the two verdicts legitimately differ.
const RUN_TIME_ONLY: [&str; 10] = [
    "property-added-required",
    "property-became-required",
    "request-body-added-required",
    "request-body-became-required",
    "parameter-location-changed",
    "operation-moved",
    "operation-changed",
    "security-changed",
    "servers-changed",
    "response-media-type-changed",
];

struct Args {
    base: Option<String>,
    dry_run: bool,
}

fn parse(args: &[&str]) -> Result<Args, String> {
    let mut out = Args {
        base: None,
        dry_run: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.split_once('=') {
            Some(("--base", value)) => out.base = Some(value.to_string()),
            _ => match *arg {
                "--base" => {
                    out.base = Some(it.next().ok_or("--base needs a value")?.to_string());
                }
                "--dry-run" | "-n" => out.dry_run = true,
                other => {
                    return Err(format!(
                        "`release` takes [--base REV] [--dry-run], not {other:?}\n\n{}",
                        crate::USAGE
                    ));
                }
            },
        }
    }
    Ok(out)
}

/// Both verdicts and what they mean for the next version.
pub(crate) struct Verdict {
    /// The document diff's most severe class, `None` when the document did not change.
    pub document: Option<Class>,
    /// The public API diff's most severe class (breaking or compatible).
    pub api: Option<Class>,
    /// Whether the two agree, and if not whether the difference is a legitimate one.
    pub cross_check: CrossCheck,
}

/// How the two verdicts compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CrossCheck {
    /// Both breaking, both not breaking, or the document did not change.
    Agree,
    /// They differ for a reason given here (the cases documented in the README).
    Legitimate(String),
    /// They differ and nothing explains it: a bug in one of the two classifications.
    Disagree(String),
}

/// Compares the document diff's classification with the compiled API's.
///
/// The document diff has three classes, the compiled API two (a change compiles or it does
/// not). They agree when both say breaking or both say not. Possibly breaking agrees with
/// either. The legitimate differences:
/// - a new value of a response enum is *possibly breaking* on the wire (code that matched
///   on the old values, or received the value through `Unknown`, behaves differently) and a
///   compatible Rust addition, because the generated enums are `#[non_exhaustive]`;
/// - a breaking change the compiler cannot see ([`RUN_TIME_ONLY`]): a new required request
///   field or body is checked by the builder when the request is built, and a moved path or
///   parameter changes only the HTTP request;
/// - the document did not change but the crate did (the runtime or the generator): the API
///   diff alone decides.
pub(crate) fn cross_check(report: &Report, api: &[ApiChange]) -> Verdict {
    let document = report.highest();
    let api_class = api.iter().map(|c| c.class).min();
    let api_breaking = api_class == Some(Class::Breaking);
    let cross_check = match document {
        None if api.is_empty() => CrossCheck::Agree,
        None => CrossCheck::Legitimate(
            "the document did not change; the crate did (its runtime or the generator's output), so the public API diff decides".to_string(),
        ),
        Some(Class::Breaking) if api_breaking => CrossCheck::Agree,
        Some(Class::Breaking) => {
            let unseen: Vec<&Change> = report
                .changes
                .iter()
                .filter(|c| c.class == Class::Breaking)
                .filter(|c| !RUN_TIME_ONLY.contains(&c.kind.as_str()))
                .collect();
            if unseen.is_empty() {
                CrossCheck::Legitimate(
                    "every breaking change of the document is one the compiler cannot see (a required value the request builder checks at run time, or a change of the HTTP request alone)".to_string(),
                )
            } else {
                CrossCheck::Disagree(format!(
                    "the document diff finds breaking changes that the public API does not show: {}",
                    unseen
                        .iter()
                        .map(|c| format!("{} ({})", c.rust_item, c.kind))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        Some(Class::PossiblyBreaking) if api_breaking => CrossCheck::Agree,
        Some(Class::PossiblyBreaking) => {
            let enum_values = report
                .changes
                .iter()
                .filter(|c| c.class == Class::PossiblyBreaking)
                .all(|c| c.kind == "enum-value-added");
            if enum_values {
                CrossCheck::Legitimate(
                    "a new value of a response enum is possibly breaking on the wire (code that matched the old values, or got it through `Unknown`, behaves differently) but a compatible addition to a `#[non_exhaustive]` Rust enum".to_string(),
                )
            } else {
                CrossCheck::Legitimate(
                    "the document diff's possibly breaking changes (defaults, limits, security, servers) do not change a Rust signature".to_string(),
                )
            }
        }
        Some(_) if api_breaking => CrossCheck::Disagree(format!(
            "the document diff finds only compatible changes, but the public API breaks: {}",
            api.iter()
                .filter(|c| c.class == Class::Breaking)
                .map(|c| c.path.clone())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(_) => CrossCheck::Agree,
    };
    Verdict {
        document,
        api: api_class,
        cross_check,
    }
}

/// The bump the changes need under Cargo's SemVer rules: before 1.0.0 the left-most
/// non-zero component is the major one.
fn needed_bump(current: Version, breaking: bool, additive: bool, changed: bool) -> Bump {
    match (breaking, additive, changed) {
        (true, _, _) if current.major > 0 => Bump::Major,
        (true, _, _) if current.minor > 0 => Bump::Minor,
        (false, true, _) if current.major > 0 => Bump::Minor,
        (true, _, _) | (_, true, _) | (_, _, true) => Bump::Patch,
        _ => Bump::None,
    }
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn resolve(root: &Path, reference: &str) -> Result<String, String> {
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .map_err(|_| format!("{reference} is not a commit of this repository"))
}

/// Whether the crate's sources differ between `sha` and the working tree.
fn sources_changed(root: &Path, sha: &str) -> Result<bool, String> {
    let status = Command::new("git")
        .args([
            "diff",
            "--quiet",
            sha,
            "--",
            "generated/src",
            "generated/Cargo.toml",
        ])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    match status.code() {
        Some(0) => Ok(false),
        Some(1) => Ok(true),
        _ => Err(format!("`git diff {sha}` failed")),
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))
}

/// Everything a release is made of.
struct Plan {
    base: String,
    base_version: Version,
    working_version: Version,
    report: Report,
    api: Vec<ApiChange>,
    api_seconds: f64,
    verdict: Verdict,
    sources_changed: bool,
    bump: Bump,
    next: Version,
}

fn make_plan(root: &Path, base: &str) -> Result<Plan, String> {
    let base = resolve(root, base)?;
    let base_version = crate_version(&git_show(root, &base, CRATE_MANIFEST)?)
        .ok_or_else(|| format!("{base}:{CRATE_MANIFEST} has no version"))?;
    let working_version = crate_version(&Some(read(root, CRATE_MANIFEST)?))
        .ok_or_else(|| format!("{CRATE_MANIFEST} has no version"))?;
    let report = crate::diff::report_against(root, &base)?;
    if let Some(error) = report.generation_errors.first() {
        return Err(format!("a document does not generate: {error}"));
    }
    let started = Instant::now();
    let old = rustdoc::at_commit(root, &base)?;
    let new = rustdoc::working_tree(root)?;
    let api = api::compare(&old, &new);
    let api_seconds = started.elapsed().as_secs_f64();
    let verdict = cross_check(&report, &api);
    let sources_changed = sources_changed(root, &base)?;
    let breaking =
        report.has_at_least(Class::PossiblyBreaking) || verdict.api == Some(Class::Breaking);
    let additive = api.iter().any(|c| c.what == What::Added)
        || report.changes.iter().any(|c| c.kind.ends_with("-added"));
    let changed = sources_changed || !report.changes.is_empty() || !api.is_empty();
    let bump = needed_bump(base_version, breaking, additive, changed);
    Ok(Plan {
        next: base_version.bumped(bump),
        base,
        base_version,
        working_version,
        report,
        api,
        api_seconds,
        verdict,
        sources_changed,
        bump,
    })
}

fn class_word(class: Option<Class>) -> &'static str {
    match class {
        None => "no change",
        Some(Class::Breaking) => "breaking",
        Some(Class::PossiblyBreaking) => "possibly breaking",
        Some(Class::Compatible) => "compatible",
    }
}

fn bump_word(bump: Bump) -> &'static str {
    match bump {
        Bump::None => "no",
        Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}

/// Where a document change goes in Keep a Changelog's sections.
fn section_of_change(change: &Change) -> usize {
    if change.kind.ends_with("-added") || change.kind.ends_with("-added-optional") {
        0
    } else if change.kind.ends_with("-removed") {
        2
    } else {
        1
    }
}

fn change_line(change: &Change) -> String {
    let mut item = format!("`{}`", change.rust_item);
    if let Some(member) = &change.rust_member {
        item.push_str(&format!(", {member}"));
    }
    let types = match (&change.old_type, &change.new_type) {
        (Some(o), Some(n)) => format!(" (`{o}` → `{n}`)"),
        _ => String::new(),
    };
    let marker = match change.class {
        Class::Breaking => "**Breaking:** ",
        Class::PossiblyBreaking => "**Possibly breaking:** ",
        Class::Compatible => "",
    };
    format!(
        "- {marker}{item}: {}{types}.",
        change.change.trim_end_matches('.')
    )
}

fn api_line(change: &ApiChange) -> String {
    let marker = if change.class == Class::Breaking {
        "**Breaking:** "
    } else {
        ""
    };
    format!("- {marker}{}", change.line())
}

/// The changelog entry of `version`, from both diffs.
fn entry(plan: &Plan, version: Version, head: &str) -> String {
    let mut out = format!("## {version} - {}\n\n", changelog::today());
    out.push_str(&changelog::record_line(head));
    out.push_str("\n\n");
    let counts = |class| plan.report.count(class);
    let document = if plan.report.changes.is_empty() {
        "unchanged".to_string()
    } else {
        format!(
            "{} breaking, {} possibly breaking and {} compatible changes",
            counts(Class::Breaking),
            counts(Class::PossiblyBreaking),
            counts(Class::Compatible)
        )
    };
    let api_count = |what| plan.api.iter().filter(|c| c.what == what).count();
    let api = if plan.api.is_empty() {
        "unchanged".to_string()
    } else {
        format!(
            "{} added, {} changed and {} removed items, {} of them breaking",
            api_count(What::Added),
            api_count(What::Changed),
            api_count(What::Removed),
            plan.api
                .iter()
                .filter(|c| c.class == Class::Breaking)
                .count()
        )
    };
    let mut bump = bump_word(plan.bump).to_string();
    bump[..1].make_ascii_uppercase();
    let bump = if version == plan.next {
        format!("{bump} bump from {}", plan.base_version)
    } else {
        format!(
            "{} → {version}, set by hand (the changes need a {} bump, to {})",
            plan.base_version,
            bump_word(plan.bump),
            plan.next
        )
    };
    out.push_str(&format!(
        "{bump}. The API document: {document}. The public API: {api}{}.\n",
        if plan.report.changes.is_empty() && plan.api.is_empty() && plan.sources_changed {
            " (only the implementation changed)"
        } else {
            ""
        }
    ));
    let mut sections: [Vec<String>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for change in &plan.report.changes {
        sections[section_of_change(change)].push(change_line(change));
    }
    for change in &plan.api {
        let at = match change.what {
            What::Added => 0,
            What::Changed => 1,
            What::Removed => 2,
        };
        sections[at].push(api_line(change));
    }
    for (title, lines) in ["Added", "Changed", "Removed"].iter().zip(&sections) {
        if lines.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title}\n"));
        for line in lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `manifest` with its `[package]` version set to `version`.
fn set_manifest_version(manifest: &str, version: Version) -> Result<String, String> {
    let mut in_package = false;
    let mut done = false;
    let mut out = String::new();
    for line in manifest.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_package = trimmed == "[package]";
        }
        if in_package && !done && trimmed.starts_with("version") && trimmed.contains('=') {
            out.push_str(&format!("version = \"{version}\"\n"));
            done = true;
        } else {
            out.push_str(line);
        }
    }
    done.then_some(out)
        .ok_or_else(|| format!("{CRATE_MANIFEST} has no [package] version"))
}

/// `lock` with the crate's package version set to `version`.
fn set_lock_version(lock: &str, version: Version) -> Result<String, String> {
    let needle = format!("name = \"{CRATE_NAME}\"\nversion = \"");
    let at = lock
        .find(&needle)
        .ok_or_else(|| format!("Cargo.lock has no package {CRATE_NAME}"))?
        + needle.len();
    let end = at + lock[at..].find('"').ok_or("Cargo.lock is malformed")?;
    Ok(format!("{}{version}{}", &lock[..at], &lock[end..]))
}

pub(crate) fn release(args: &[&str]) -> Result<(), String> {
    let args = parse(args)?;
    let root = repo_root();
    let started = Instant::now();
    let text = read(&root, CHANGELOG)?;
    let recorded = changelog::last_release(&text);
    let base = match (&args.base, &recorded) {
        (Some(base), _) => base.clone(),
        (None, Some((_, sha))) => sha.clone(),
        (None, None) => {
            return Err(format!(
                "no release is recorded in {CHANGELOG} (a line ``Released from commit `<sha>`.`` in an entry); name the commit to compare with: cargo xtask release --base REV"
            ));
        }
    };
    let head = git(&root, &["rev-parse", "HEAD"])?;
    let plan = make_plan(&root, &base)?;

    println!(
        "# Release of {CRATE_NAME}\n\nBase: commit {} ({} {}){}; working tree at {} ({} {}).\n",
        short(&plan.base),
        CRATE_NAME,
        plan.base_version,
        if args.base.is_none() {
            ", the last recorded release"
        } else {
            ""
        },
        short(&head),
        CRATE_NAME,
        plan.working_version,
    );
    println!("## The document diff\n");
    let options = stackai_codegen::tools::spec_diff::RenderOptions {
        old_label: &format!("{}:{}", short(&plan.base), crate::DOCUMENT),
        new_label: crate::DOCUMENT,
        crate_name: CRATE_NAME,
        version: Some(plan.base_version),
        working_version: Some(plan.working_version),
    };
    if plan.report.changes.is_empty() {
        println!("The document did not change (normalized, with the overrides applied).\n");
    } else {
        println!("{}", plan.report.markdown(&options));
    }
    println!(
        "## The public API diff\n\nrustdoc JSON of {} and of the working tree, features `mock` and `multipart` ({:.1} s).\n",
        short(&plan.base),
        plan.api_seconds
    );
    if plan.api.is_empty() {
        println!("No public item was added, changed or removed.\n");
    }
    for change in &plan.api {
        println!("{}", api_line(change));
    }
    if !plan.api.is_empty() {
        println!();
    }
    println!("## Verdicts\n");
    println!("- the document diff: {}", class_word(plan.verdict.document));
    println!("- the public API diff: {}", class_word(plan.verdict.api));
    println!(
        "- the crate's sources (generated/src, generated/Cargo.toml): {}",
        if plan.sources_changed {
            "changed"
        } else {
            "unchanged"
        }
    );
    match &plan.verdict.cross_check {
        CrossCheck::Agree => println!("- cross-check: the two verdicts agree"),
        CrossCheck::Legitimate(why) => println!("- cross-check: they differ legitimately: {why}"),
        CrossCheck::Disagree(why) => println!("- cross-check: **they disagree**: {why}"),
    }
    println!(
        "\n## Next version\n\n{} bump (Cargo's SemVer: in 0.x a breaking or possibly breaking change bumps the minor version, anything else the patch): {} → **{}**.\n",
        bump_word(plan.bump),
        plan.base_version,
        plan.next
    );

    // What to write.
    let mut writes: Vec<(&str, String)> = Vec::new();
    let top = changelog::entries(&text).into_iter().next();
    let message;
    if plan.working_version < plan.base_version {
        return Err(format!(
            "{CRATE_MANIFEST} says {} but the base says {}",
            plan.working_version, plan.base_version
        ));
    } else if plan.working_version == plan.base_version {
        if plan.bump == Bump::None {
            println!(
                "Nothing to release: the document, the public API and the crate's sources are as at {} ({:.1} s).",
                short(&plan.base),
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        let new_entry = entry(&plan, plan.next, &head);
        println!("## Changelog entry\n\n{new_entry}");
        writes.push((CHANGELOG, changelog::insert(&text, &new_entry)));
        writes.push((
            CRATE_MANIFEST,
            set_manifest_version(&read(&root, CRATE_MANIFEST)?, plan.next)?,
        ));
        writes.push((
            "Cargo.lock",
            set_lock_version(&read(&root, "Cargo.lock")?, plan.next)?,
        ));
        message = format!("{CRATE_NAME} {}", plan.next);
    } else {
        // The version was bumped by hand: it must be enough, and its entry is recorded.
        if plan.working_version < plan.next {
            return Err(format!(
                "{CRATE_MANIFEST} says {}, but the changes since {} need {} (a {} bump)",
                plan.working_version,
                plan.base_version,
                plan.next,
                bump_word(plan.bump)
            ));
        }
        match top {
            Some(top) if top.version == Some(plan.working_version) => {
                if let Some(sha) = &top.commit {
                    return Err(format!(
                        "{} is released already (commit {}); nothing to do",
                        plan.working_version,
                        short(sha)
                    ));
                }
                println!(
                    "{CRATE_MANIFEST} says {} already, and {CHANGELOG} has its entry, written by hand: the release records it as it is. The entry the tool would write, for comparison:\n\n{}",
                    plan.working_version,
                    entry(&plan, plan.working_version, &head)
                );
                writes.push((CHANGELOG, changelog::record(&text, top.start, &head)));
            }
            _ => {
                let new_entry = entry(&plan, plan.working_version, &head);
                println!("## Changelog entry\n\n{new_entry}");
                writes.push((CHANGELOG, changelog::insert(&text, &new_entry)));
            }
        }
        message = format!("{CRATE_NAME} {}", plan.working_version);
    }
    if let CrossCheck::Disagree(why) = &plan.verdict.cross_check {
        return Err(format!(
            "the document diff and the public API diff disagree, so the version cannot be trusted: {why}"
        ));
    }
    let files: Vec<&str> = writes.iter().map(|(p, _)| *p).collect();
    if args.dry_run {
        println!(
            "Dry run: would write {} ({:.1} s); nothing was written.",
            files.join(", "),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let mut dirty_args = vec!["status", "--porcelain", "--"];
    dirty_args.extend(INPUTS);
    let dirty = git(&root, &dirty_args)?;
    if !dirty.is_empty() {
        return Err(format!(
            "the release records HEAD ({}) as its commit, but the crate's inputs have uncommitted changes; commit them first (or use --dry-run):\n{dirty}",
            short(&head)
        ));
    }
    for (path, contents) in &writes {
        std::fs::write(root.join(path), contents)
            .map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    println!(
        "Wrote {} ({:.1} s). Review and commit them:\n  git commit -m \"{message}\" {}",
        files.join(", "),
        started.elapsed().as_secs_f64(),
        files.join(" ")
    );
    Ok(())
}

/// `cargo xtask check`'s part: the public API must not change under a released version.
pub(crate) fn check() -> Result<(), String> {
    let root = repo_root();
    let started = Instant::now();
    let Some((version, sha)) = changelog::last_release(&read(&root, CHANGELOG)?) else {
        println!("release check: no release is recorded in {CHANGELOG}; nothing to compare");
        return Ok(());
    };
    let working = crate_version(&Some(read(&root, CRATE_MANIFEST)?))
        .ok_or_else(|| format!("{CRATE_MANIFEST} has no version"))?;
    if working != version {
        println!(
            "release check: {CRATE_MANIFEST} says {working}, the last release is {version}: a release in preparation, not compared"
        );
        return Ok(());
    }
    let Ok(full) = resolve(&root, &sha) else {
        eprintln!(
            "warning: release check: the commit of release {version} ({sha}) is not in this clone (a shallow clone? `git fetch --unshallow`); the public API was not compared"
        );
        return Ok(());
    };
    if !sources_changed(&root, &full)? {
        println!(
            "release check: {CRATE_NAME} {version}: the sources are those of its release (commit {}) ({} ms)",
            short(&full),
            started.elapsed().as_millis()
        );
        return Ok(());
    }
    let old = rustdoc::at_commit(&root, &full)?;
    let new = rustdoc::working_tree(&root)?;
    let changes = api::compare(&old, &new);
    let seconds = started.elapsed().as_secs_f64();
    if changes.is_empty() {
        println!(
            "release check: {CRATE_NAME} {version}: the sources changed since its release (commit {}) but the public API did not ({seconds:.1} s)",
            short(&full)
        );
        return Ok(());
    }
    let mut lines: Vec<String> = changes.iter().take(12).map(api_line).collect();
    if changes.len() > lines.len() {
        lines.push(format!("- ... and {} more", changes.len() - lines.len()));
    }
    Err(format!(
        "the public API of {CRATE_NAME} changed since release {version} (commit {}), but {CRATE_MANIFEST} still says {version} ({seconds:.1} s):\n{}\nrun `cargo xtask release --dry-run` to see the next version and its changelog entry, then `cargo xtask release` and commit what it writes",
        short(&full),
        lines.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn cargo_semver_for_0_x() {
        // (current, breaking, additive, changed, next)
        for (current, breaking, additive, changed, next) in [
            ("0.2.0", true, false, true, "0.3.0"),
            ("0.2.3", false, true, true, "0.2.4"),
            ("0.2.3", false, false, true, "0.2.4"),
            ("0.2.3", false, false, false, "0.2.3"),
            ("0.0.3", true, false, true, "0.0.4"),
            ("1.2.3", true, false, true, "2.0.0"),
            ("1.2.3", false, true, true, "1.3.0"),
        ] {
            let bump = needed_bump(v(current), breaking, additive, changed);
            assert_eq!(
                v(current).bumped(bump),
                v(next),
                "{current} {breaking} {additive}"
            );
        }
    }

    #[test]
    fn versions_in_the_manifest_and_the_lock() {
        let manifest = "[package]\nname = \"stackai-connections\"\nversion = \"0.2.0\"\n\n[dependencies]\nx = { version = \"1\" }\n";
        let out = set_manifest_version(manifest, v("0.3.0")).unwrap();
        assert!(
            out.contains("version = \"0.3.0\"\n") && out.contains("x = { version = \"1\" }"),
            "{out}"
        );
        let lock = "[[package]]\nname = \"other\"\nversion = \"0.2.0\"\n\n[[package]]\nname = \"stackai-connections\"\nversion = \"0.2.0\"\ndependencies = []\n";
        let out = set_lock_version(lock, v("0.3.0")).unwrap();
        assert_eq!(
            out,
            lock.replacen(
                "\"stackai-connections\"\nversion = \"0.2.0\"",
                "\"stackai-connections\"\nversion = \"0.3.0\"",
                1
            )
        );
    }
}
