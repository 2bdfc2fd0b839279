//! `cargo xtask diff`: the breaking-change report between two versions of the document.

use std::path::{Path, PathBuf};
use std::process::Command;

use stackai_codegen::tools::import::Overrides;
use stackai_codegen::tools::spec_diff::{self, Class, RenderOptions, Side, Version};

use super::{DOCUMENT, repo_root};

pub(crate) const CRATE_NAME: &str = "stackai-connections";
pub(crate) const CRATE_MANIFEST: &str = "generated/Cargo.toml";
const OVERRIDES: &str = "openapi/overrides.json";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Json,
}

struct Args {
    paths: Vec<String>,
    base: Option<String>,
    format: Format,
    fail_on: Option<Class>,
}

fn parse(args: &[&str]) -> Result<Args, String> {
    let mut out = Args {
        paths: Vec::new(),
        base: None,
        format: Format::Markdown,
        fail_on: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let arg: &str = arg;
        let (flag, inline): (&str, Option<&str>) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (arg, None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .map(str::to_string)
                .or_else(|| it.next().map(|s| s.to_string()))
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "--base" => out.base = Some(value("--base")?),
            "--format" => {
                out.format = match value("--format")?.as_str() {
                    "markdown" | "md" => Format::Markdown,
                    "json" => Format::Json,
                    other => {
                        return Err(format!("--format is `markdown` or `json`, not {other:?}"));
                    }
                }
            }
            "--fail-on" => {
                let v = value("--fail-on")?;
                out.fail_on = match Class::parse(&v) {
                    Some(c @ (Class::Breaking | Class::PossiblyBreaking)) => Some(c),
                    _ => {
                        return Err(format!(
                            "--fail-on is `breaking` or `possibly-breaking`, not {v:?}"
                        ));
                    }
                };
            }
            f if f.starts_with("--") => return Err(format!("unknown option {f}")),
            path => out.paths.push(path.to_string()),
        }
    }
    match (&out.base, out.paths.len()) {
        (Some(_), 0) | (None, 2) => Ok(out),
        _ => Err(format!(
            "`diff` takes either two document paths or `--base GIT_REF`\n\n{}",
            super::USAGE
        )),
    }
}

pub(crate) fn diff(args: &[&str]) -> Result<(), String> {
    let args = parse(args)?;
    let root = repo_root();
    let working_version = crate_version(&std::fs::read_to_string(root.join(CRATE_MANIFEST)).ok());

    let (report, old_label, new_label, version) = match &args.base {
        Some(reference) => {
            let report = report_against(&root, reference)?;
            let base_version = crate_version(&git_show(&root, reference, CRATE_MANIFEST)?);
            (
                report,
                format!("{reference}:{DOCUMENT}"),
                DOCUMENT.to_string(),
                base_version.or(working_version),
            )
        }
        None => {
            let (old, new) = (PathBuf::from(&args.paths[0]), PathBuf::from(&args.paths[1]));
            let report = spec_diff::diff_files(&old, &new).map_err(|e| e.to_string())?;
            (
                report,
                args.paths[0].clone(),
                args.paths[1].clone(),
                working_version,
            )
        }
    };

    let options = RenderOptions {
        old_label: &old_label,
        new_label: &new_label,
        crate_name: CRATE_NAME,
        version,
        working_version,
    };
    match args.format {
        Format::Markdown => print!("{}", report.markdown(&options)),
        Format::Json => print!("{}", report.json_text(&options)),
    }
    // A document that does not generate cannot be released: whatever the report says, the
    // diff fails, with the located error of each side that does not generate.
    if !report.generation_errors.is_empty() {
        for error in &report.generation_errors {
            eprintln!("error: {error}");
        }
        let which = if report.generation_errors.len() == 2 {
            "neither document generates"
        } else {
            "one of the two documents does not generate"
        };
        return Err(format!(
            "{which} (the report above compares the documents alone)"
        ));
    }
    if let Some(threshold) = args.fail_on
        && report.has_at_least(threshold)
    {
        return Err(format!(
            "the document has {} changes (--fail-on {})",
            match report.highest() {
                Some(Class::Breaking) => "breaking",
                _ => "possibly breaking",
            },
            threshold.as_str()
        ));
    }
    Ok(())
}

/// The report between `REF:openapi/connections.json` (with `REF`'s overrides) and the
/// working tree's document.
pub(crate) fn report_against(root: &Path, reference: &str) -> Result<spec_diff::Report, String> {
    let old_text = git_show(root, reference, DOCUMENT)?.ok_or_else(|| {
        format!(
            "{reference}:{DOCUMENT} does not exist (is {reference} a commit of this repository?)"
        )
    })?;
    let old_label = format!("{reference}:{DOCUMENT}");
    let old_path = PathBuf::from(&old_label);
    let old_document = stackai_codegen::load::parse(Path::new(DOCUMENT), &old_text)
        .map_err(|e| e.to_string().replacen(DOCUMENT, &old_label, 1))?;
    let old_overrides = match git_show(root, reference, OVERRIDES)? {
        Some(text) => Overrides::parse(Path::new(&format!("{reference}:{OVERRIDES}")), &text)
            .map_err(|e| e.to_string())?,
        None => Overrides::default(),
    };
    let new_path = root.join(DOCUMENT);
    let old = Side {
        path: &old_path,
        document: old_document,
        overrides: old_overrides,
    };
    let new = Side::load(&new_path).map_err(|e| e.to_string())?;
    spec_diff::diff(old, new).map_err(|e| e.to_string())
}

/// `git show REF:PATH`; `None` when the file does not exist at that commit.
pub(crate) fn git_show(root: &Path, reference: &str, path: &str) -> Result<Option<String>, String> {
    let output = Command::new("git")
        .arg("show")
        .arg(format!("{reference}:{path}"))
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        return String::from_utf8(output.stdout)
            .map(Some)
            .map_err(|_| format!("{reference}:{path} is not UTF-8"));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("does not exist") || stderr.contains("exists on disk, but not in") {
        return Ok(None);
    }
    Err(format!(
        "`git show {reference}:{path}` failed: {}",
        stderr.trim()
    ))
}

/// The `version` of a Cargo manifest's `[package]`.
pub(crate) fn crate_version(manifest: &Option<String>) -> Option<Version> {
    let mut in_package = false;
    for line in manifest.as_deref()?.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(rest) = line.strip_prefix("version")
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            return Version::parse(value.trim().trim_matches('"'));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/things": {"get": {"operationId": "list_things",
            "responses": {"204": {"description": "Nothing"}}}}}}"#;

    /// Writes `text` to a fresh directory (so that no `overrides.json` is beside it).
    fn write(name: &str, text: &str) -> String {
        let dir = std::env::temp_dir().join(format!("xtask-diff-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("openapi.json");
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[test]
    fn a_new_document_that_fails_validation_fails_the_diff_with_its_place() {
        let old = write("valid-a", GOOD);
        let new = write(
            "invalid",
            &GOOD.replace(r#""204": {"description": "Nothing"}"#, r#""204": {}"#),
        );
        let err = diff(&[&old, &new]).expect_err("the new document does not generate");
        assert!(
            err.contains(&new) && err.contains("at /paths/~1things/get/responses/204"),
            "{err}"
        );
    }

    #[test]
    fn a_document_progenitor_rejects_fails_the_diff() {
        // Valid OpenAPI that passes validation and normalization; progenitor has no body
        // type for an XML request body.
        let old = write("valid-b", GOOD);
        let new = write(
            "progenitor",
            &GOOD.replace(
                r#""operationId": "list_things","#,
                r#""operationId": "list_things", "requestBody": {"required": true,
                    "content": {"application/xml": {"schema": {"type": "string"}}}},"#,
            ),
        );
        let err = diff(&[&old, &new]).expect_err("the new document does not generate");
        assert!(err.contains("does not generate"), "{err}");
        let both = diff(&[&new, &new]).expect_err("neither generates");
        assert!(both.contains("neither document generates"), "{both}");
        assert!(diff(&[&old, &old]).is_ok());
    }
}
