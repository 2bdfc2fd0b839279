//! `cargo xtask sweep DIR...`: every OpenAPI document under the given folders, regenerated
//! into a scratch copy of the client crate and `cargo check`ed, one table row each.
//!
//! A document is a `.json`, `.yaml` or `.yml` file whose top level says `openapi: 3.x`; other
//! such files (an `overrides.json`, a CI configuration) are listed as skipped. Each document
//! is generated the way `cargo xtask regen` does it, with the `overrides.json` beside it, into
//! `target/sweep/<name>/` (a workspace of its own, see [`scratch`]), with the client crate's
//! optional features its code needs and the `mock` feature (the typed mocks are generated
//! code too). All the scratch crates share one target directory, `target/sweep-target`, so
//! the dependencies are built once; a crate whose files did not change is not checked again.
//! A generator panic is a failed row, not the end of the sweep.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;

use super::{relative, repo_root, scratch};

/// Where the scratch crates live, relative to the repository root.
const SCRATCH_DIR: &str = "target/sweep";
/// The target directory all the scratch crates share.
const TARGET_DIR: &str = "target/sweep-target";

/// One document's outcome: a row of the table.
#[derive(Debug)]
pub(crate) struct Row {
    /// The document, as found.
    pub document: String,
    /// Its operations (0 when it cannot be read).
    pub operations: usize,
    /// `Ok`, or the first error of the generator.
    pub regen: Result<(), String>,
    /// What `cargo check` said; `None` when not compiled (rejected, or not asked for).
    pub compile: Option<Compiled>,
    /// The generator's warnings.
    pub warnings: usize,
    /// The crate's optional features the code needs (besides `mock`).
    pub features: Vec<&'static str>,
    pub seconds: f64,
}

impl Row {
    pub(crate) fn ok(&self) -> bool {
        self.regen.is_ok()
            && self
                .compile
                .as_ref()
                .is_some_and(|c| c.errors.is_empty() && c.warnings.is_empty())
    }

    fn markdown(&self) -> String {
        let regen = match &self.regen {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("rejected: {e}"),
        };
        let compile = self
            .compile
            .as_ref()
            .map_or_else(|| "-".to_string(), Compiled::summary);
        let cell = |text: &str| text.replace('\n', " ").replace('|', "\\|");
        format!(
            "| {} | {} | {} | {} | {} | {:.1} |",
            cell(&self.document),
            self.operations,
            cell(&regen),
            cell(&compile),
            self.warnings,
            self.seconds
        )
    }
}

/// The compiler's diagnostics about a scratch crate, each as `E0124: message (file:line)`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Compiled {
    pub errors: Vec<String>,
    /// Warnings fail a document too: generated code, and the runtime it is compiled with,
    /// must be warning-free, or every user's build shows them.
    pub warnings: Vec<String>,
}

impl Compiled {
    fn summary(&self) -> String {
        let count = |list: &[String], what: &str| match list.len() {
            1 => format!("1 {what}: {}", list[0]),
            n => format!("{n} {what}s: {}", list[0]),
        };
        match (self.errors.is_empty(), self.warnings.is_empty()) {
            (false, _) => count(&self.errors, "error"),
            (true, true) => "ok".to_string(),
            (true, false) => count(&self.warnings, "rustc warning"),
        }
    }
}

/// `cargo xtask sweep DIR...`.
pub(crate) fn sweep(args: &[&str]) -> Result<(), String> {
    let verbose = args.iter().any(|a| matches!(*a, "--verbose" | "-v"));
    let dirs: Vec<PathBuf> = args
        .iter()
        .filter(|a| !matches!(**a, "--verbose" | "-v"))
        .map(PathBuf::from)
        .collect();
    if dirs.is_empty() || dirs.iter().any(|d| d.to_string_lossy().starts_with('-')) {
        return Err(format!(
            "`sweep` takes the folders (or files) to sweep, and --verbose; got {args:?}\n\n{}",
            super::USAGE
        ));
    }
    sweep_dirs(&dirs, verbose)
}

/// Sweeps the OpenAPI documents under `dirs`; fails when one of them fails. With `verbose`,
/// every compiler error and warning follows the table, by document.
pub(crate) fn sweep_dirs(dirs: &[PathBuf], verbose: bool) -> Result<(), String> {
    let started = Instant::now();
    let (documents, skipped) = find_documents(dirs)?;
    let root = repo_root();
    for (path, why) in &skipped {
        println!("sweep: skipped {}: {why}", relative(&root, path));
    }
    if documents.is_empty() {
        return Err(format!("no OpenAPI document under {dirs:?}"));
    }
    println!("| document | operations | regen | compile | warnings | seconds |");
    println!("| --- | ---: | --- | --- | ---: | ---: |");
    let mut passed = 0;
    let mut details = Vec::new();
    for document in &documents {
        let row = sweep_one(&root, document, true);
        println!("{}", row.markdown());
        passed += usize::from(row.ok());
        if let Some(compiled) = row.compile.filter(|_| verbose) {
            for (level, list) in [("error", compiled.errors), ("warning", compiled.warnings)] {
                details.extend(
                    list.into_iter()
                        .map(|d| format!("{}: {level}: {d}", row.document)),
                );
            }
        }
    }
    if !details.is_empty() {
        println!();
        details.iter().for_each(|d| println!("{d}"));
        println!();
    }
    println!(
        "SWEEP ok {passed}/{} ({:.1} s)",
        documents.len(),
        started.elapsed().as_secs_f64()
    );
    if passed == documents.len() {
        Ok(())
    } else {
        Err(format!(
            "sweep: {} of {} documents did not generate code that compiles without warnings",
            documents.len() - passed,
            documents.len()
        ))
    }
}

/// A JSON or YAML file that is not an OpenAPI 3 document, and why.
type Skipped = (PathBuf, String);

/// The OpenAPI documents under `dirs` (recursively, sorted; a file given by name is taken as
/// it is), and the JSON and YAML files that are not one, with the reason.
pub(crate) fn find_documents(dirs: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<Skipped>), String> {
    let mut files = Vec::new();
    for dir in dirs {
        if dir.is_file() {
            files.push(dir.clone());
        } else {
            walk(dir, &mut files)?;
        }
    }
    files.sort();
    files.dedup();
    let mut documents = Vec::new();
    let mut skipped = Vec::new();
    for file in files {
        match openapi_version(&file) {
            Ok(_) => documents.push(file),
            Err(why) => skipped.push((file, why)),
        }
    }
    Ok((documents, skipped))
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            // Build output and hidden folders (`.git`) hold no document of the project's.
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, files)?;
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "yaml" | "yml")
        ) {
            files.push(path);
        }
    }
    Ok(())
}

/// The `openapi` version of the file, when it is an OpenAPI 3 document; else why not.
fn openapi_version(file: &Path) -> Result<String, String> {
    let document = stackai_codegen::load::load(file).map_err(|e| e.message)?;
    match document.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.") => Ok(version.to_string()),
        Some(version) => Err(format!("OpenAPI {version}, not 3.x")),
        None if document.get("swagger").is_some() => Err("Swagger 2.0, not OpenAPI 3".into()),
        None => Err("not an OpenAPI document (no top-level `openapi: 3.x`)".into()),
    }
}

/// Regenerates `document` (with the `overrides.json` beside it) into its scratch crate and,
/// with `compile`, `cargo check`s it.
pub(crate) fn sweep_one(root: &Path, document: &Path, compile: bool) -> Row {
    let started = Instant::now();
    let name = relative(root, document);
    let mut row = Row {
        document: name.clone(),
        operations: 0,
        regen: Ok(()),
        compile: None,
        warnings: 0,
        features: Vec::new(),
        seconds: 0.0,
    };
    if let Ok(value) = stackai_codegen::load::load(document) {
        row.operations = stackai_codegen::document::operations(&value).count();
    }
    let crate_name = format!("sweep-{}", sanitize(&name));
    let dir = root.join(SCRATCH_DIR).join(&crate_name);
    let output = guarded(|| stackai_codegen::tools::import::run_project(document, &name));
    match output {
        Ok(output) => {
            row.warnings = output.warnings.len();
            row.features = output.features();
            let written =
                scratch::client_crate(&root.join("generated"), &dir, &crate_name, &output.files)
                    .and_then(|()| {
                        scratch::workspace(
                            root,
                            &root.join(SCRATCH_DIR),
                            // Every scratch crate, so that sweeps running side by side
                            // agree on the workspace's members.
                            &["sweep-*".to_string()],
                        )
                    });
            row.compile = match written {
                Err(e) => Some(Compiled {
                    errors: vec![format!("cannot write the scratch crate: {e}")],
                    warnings: Vec::new(),
                }),
                Ok(()) if compile => Some(check(root, &crate_name, &row.features)),
                Ok(()) => None,
            };
        }
        Err(e) => {
            // The row names the document already.
            let prefix = format!("{}: ", document.display());
            row.regen = Err(e.strip_prefix(&prefix).map_or(e.clone(), str::to_string));
            // No crate: a stale one from an earlier sweep must not be taken for this one's.
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    row.seconds = started.elapsed().as_secs_f64();
    row
}

/// A name cargo accepts for a package, from a document's path.
fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The first panic's message and place, recorded by the hook [`guarded`] installs.
static PANIC: Mutex<Option<String>> = Mutex::new(None);
/// Held while [`guarded`]'s hook is installed: one generator run at a time owns the hook.
static HOOK: Mutex<()> = Mutex::new(());

/// Runs the generator, turning its error into its first line and a panic (on this thread or
/// on one of the generator's) into an error naming the panic.
pub(crate) fn guarded<T>(
    run: impl FnOnce() -> Result<T, stackai_codegen::Error>,
) -> Result<T, String> {
    let _owner = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let mut first = PANIC.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_none() {
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            *first = Some(format!("{}{place}", payload_text(info.payload())));
        }
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(run));
    panic::set_hook(previous);
    match result {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(e)) => Err(first_line(&e.to_string())),
        Err(payload) => {
            let recorded = PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
            Err(format!(
                "the generator panicked: {}",
                recorded.unwrap_or_else(|| payload_text(payload.as_ref()))
            ))
        }
    }
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

/// `cargo check`s the scratch crate `crate_name` with `features` and the mocks.
fn check(root: &Path, crate_name: &str, features: &[&str]) -> Compiled {
    let mut all = vec!["mock"];
    all.extend(features);
    let output = Command::new(env!("CARGO"))
        .args(["check", "--lib", "--message-format", "json", "--features"])
        .arg(all.join(","))
        .arg("-p")
        .arg(crate_name)
        .env("CARGO_TARGET_DIR", root.join(TARGET_DIR))
        // Checked once; incremental data of a large generated crate is only disk.
        .env("CARGO_INCREMENTAL", "0")
        .current_dir(root.join(SCRATCH_DIR))
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            return Compiled {
                errors: vec![format!("cannot run cargo check: {e}")],
                warnings: Vec::new(),
            };
        }
    };
    let mut compiled = diagnostics(&String::from_utf8_lossy(&output.stdout));
    if !output.status.success() && compiled.errors.is_empty() {
        // Not the compiler's: cargo's own error (a manifest, a dependency).
        let stderr = String::from_utf8_lossy(&output.stderr);
        let line = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("cargo check failed without a message");
        compiled.errors.push(line.to_string());
    }
    compiled
}

/// The compiler's errors and warnings in cargo's JSON messages, each as
/// `E0124: message (src/file.rs:line)`.
pub(crate) fn diagnostics(json_lines: &str) -> Compiled {
    let mut compiled = Compiled::default();
    for line in json_lines.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-message" {
            continue;
        }
        let message = &message["message"];
        let text = message["message"].as_str().unwrap_or_default();
        // The compiler's summaries ("aborting due to 3 previous errors", "2 warnings
        // emitted") have no place in the code.
        if message["spans"].as_array().is_none_or(Vec::is_empty)
            && (text.starts_with("aborting due to") || text.ends_with("emitted"))
        {
            continue;
        }
        let list = match message["level"].as_str() {
            Some("error" | "error: internal compiler error") => &mut compiled.errors,
            Some("warning") => &mut compiled.warnings,
            _ => continue,
        };
        let code = message["code"]["code"]
            .as_str()
            .map(|c| format!("{c}: "))
            .unwrap_or_default();
        let place = message["spans"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["is_primary"] == true)
            .map(|s| {
                // Relative to the scratch workspace: `<crate>/src/...`.
                let file = s["file_name"].as_str().unwrap_or_default();
                let file = file.find("src/").map_or(file, |at| &file[at..]);
                format!(" ({file}:{})", s["line_start"])
            })
            .unwrap_or_default();
        list.push(format!("{code}{text}{place}"));
    }
    compiled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(test: &str) -> PathBuf {
        let dir = repo_root().join("target/sweep-tests").join(test);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const UPLOAD: &str = r#"{
      "openapi": "3.1.0",
      "info": {"title": "Tiny", "version": "1"},
      "paths": {
        "/files": {
          "post": {
            "operationId": "upload_file",
            "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {
              "type": "object", "required": ["file"],
              "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            "responses": {"200": {"description": "OK"}}
          },
          "get": {
            "operationId": "list_files",
            "responses": {"200": {"description": "OK", "content": {"application/json": {
              "schema": {"type": "array", "items": {"type": "string"}}}}}}
          }
        }
      }
    }"#;

    #[test]
    fn finds_documents_and_skips_other_files() {
        let dir = scratch_dir("find");
        std::fs::create_dir_all(dir.join("nested/.hidden")).unwrap();
        std::fs::write(dir.join("nested/b.json"), UPLOAD).unwrap();
        std::fs::write(dir.join("a.yaml"), "openapi: 3.0.3\ninfo: {}\npaths: {}\n").unwrap();
        std::fs::write(dir.join("overrides.json"), r#"{"methods": {}}"#).unwrap();
        std::fs::write(dir.join("old.yml"), "swagger: '2.0'\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "openapi: 3.1.0").unwrap();
        std::fs::write(dir.join("nested/.hidden/c.json"), UPLOAD).unwrap();
        let (documents, skipped) = find_documents(std::slice::from_ref(&dir)).unwrap();
        assert_eq!(documents, [dir.join("a.yaml"), dir.join("nested/b.json")]);
        let skipped: Vec<(String, &str)> = skipped
            .iter()
            .map(|(p, why)| (relative(&dir, p), why.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("old.yml".to_string(), "Swagger 2.0, not OpenAPI 3"),
                (
                    "overrides.json".to_string(),
                    "not an OpenAPI document (no top-level `openapi: 3.x`)"
                ),
            ]
        );
    }

    /// The regen half of a row (the compile half is `cargo xtask check`'s sweep of
    /// `openapi/`, in CI): a valid document with an upload gives its scratch crate and asks
    /// for the `multipart` feature; an invalid one is a rejected row with a located error,
    /// and leaves no crate behind.
    #[test]
    fn a_row_per_document() {
        let root = repo_root();
        let dir = scratch_dir("rows");
        let valid = dir.join("tiny.json");
        std::fs::write(&valid, UPLOAD).unwrap();
        let row = sweep_one(&root, &valid, false);
        assert_eq!(row.regen, Ok(()));
        assert_eq!((row.operations, row.compile.is_none()), (2, true));
        assert_eq!(row.features, ["multipart"]);
        let name = format!("sweep-{}", sanitize(&relative(&root, &valid)));
        assert_eq!(name, "sweep-target-sweep-tests-rows-tiny-json");
        let krate = root.join(SCRATCH_DIR).join(&name);
        let sdk = std::fs::read_to_string(krate.join("src/generated_sdk/mod.rs")).unwrap();
        assert!(sdk.contains("upload_file"), "{sdk}");
        let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
        assert!(manifest.contains(&format!("name = \"{name}\"")));
        let workspace = std::fs::read_to_string(root.join(SCRATCH_DIR).join("Cargo.toml")).unwrap();
        assert!(workspace.contains("members = [\"sweep-*\"]"), "{workspace}");

        // The same path, now a document the generator rejects.
        let invalid = r#"{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": 7}"#;
        std::fs::write(&valid, invalid).unwrap();
        let row = sweep_one(&root, &valid, false);
        let error = row.regen.as_ref().unwrap_err();
        assert!(error.starts_with("at /paths: "), "{error}");
        assert!(!row.ok() && row.compile.is_none());
        assert!(!krate.exists());
        assert!(
            row.markdown().contains("| rejected: "),
            "{}",
            row.markdown()
        );
    }

    #[test]
    fn a_panic_is_a_failed_row() {
        let result: Result<(), String> = guarded(|| panic!("boom {}", 7));
        let error = result.unwrap_err();
        assert!(
            error.starts_with("the generator panicked: boom 7 at xtask/src/sweep.rs:"),
            "{error}"
        );
        // The hook is restored: an error is an error.
        let result: Result<(), String> =
            guarded(|| Err(stackai_codegen::load::parse(Path::new("x.json"), "[]").unwrap_err()));
        assert_eq!(
            result,
            Err("x.json: at /: an OpenAPI document must be an object at the top level".into())
        );
    }

    #[test]
    fn counts_compiler_errors_and_warnings() {
        let message = |level: &str, code: &str, text: &str, line: u32| {
            serde_json::json!({"reason": "compiler-message", "message": {
                "level": level, "message": text, "code": {"code": code},
                "spans": [{"is_primary": true, "line_start": line,
                           "file_name": "sweep-x-json/src/generated_sdk/types.rs"}]}})
            .to_string()
        };
        let summary = serde_json::json!({"reason": "compiler-message", "message": {
            "level": "error", "message": "aborting due to 2 previous errors", "code": null,
            "spans": []}})
        .to_string();
        let lines = [
            r#"{"reason":"compiler-artifact"}"#.to_string(),
            message("warning", "unused_imports", "unused import: `X`", 3),
            message("error", "E0124", "field `extra` is already declared", 12),
            message(
                "error",
                "E0062",
                "field `extra` specified more than once",
                40,
            ),
            summary,
            "not json".to_string(),
        ]
        .join("\n");
        let compiled = diagnostics(&lines);
        assert_eq!(
            compiled.summary(),
            "2 errors: E0124: field `extra` is already declared (src/generated_sdk/types.rs:12)"
        );
        assert_eq!(compiled.warnings.len(), 1);
        let compiled = diagnostics(&message("warning", "dead_code", "`f` is never used", 5));
        assert_eq!(
            compiled.summary(),
            "1 rustc warning: dead_code: `f` is never used (src/generated_sdk/types.rs:5)"
        );
        assert_eq!(diagnostics("").summary(), "ok");
    }
}
