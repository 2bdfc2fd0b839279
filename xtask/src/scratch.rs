//! Scratch copies of the client crate, to `cargo check` generated code outside the
//! repository's workspace (`cargo xtask fuzz --compile` and `cargo xtask sweep`).
//!
//! A scratch directory holds a workspace of its own: the repository's root manifest with its
//! members replaced (so the dependency versions and profiles are the repository's) and a copy
//! of `Cargo.lock` (so nothing is resolved again). Its members are copies of `generated/` with
//! another package name and another `generated_sdk/`.

use std::path::Path;

/// Writes `contents` to `path` unless it holds them already, so that cargo, seeing the same
/// modification times, finds an unchanged crate fresh.
pub(crate) fn write_if_changed(path: &Path, contents: &[u8]) -> Result<(), String> {
    if std::fs::read(path).ok().as_deref() == Some(contents) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Makes `scratch` a workspace of its own whose members are `members` (paths relative to
/// it), with the repository's dependency versions and profiles.
pub(crate) fn workspace(root: &Path, scratch: &Path, members: &[String]) -> Result<(), String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let list: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    let manifest = replace_members(&manifest, &list.join(", "))?;
    write_if_changed(&scratch.join("Cargo.toml"), manifest.as_bytes())?;
    let lock = std::fs::read(root.join("Cargo.lock")).map_err(|e| e.to_string())?;
    write_if_changed(&scratch.join("Cargo.lock"), &lock)
}

pub(crate) fn replace_members(manifest: &str, members: &str) -> Result<String, String> {
    let start = manifest
        .find("members = [")
        .ok_or("the root Cargo.toml has no `members = [` line")?;
    let end = start
        + manifest[start..]
            .find(']')
            .ok_or("unterminated members list")?;
    Ok(format!(
        "{}members = [{members}]{}",
        &manifest[..start],
        &manifest[end + 1..]
    ))
}

/// Copies the client crate's manifest, README and hand-written sources to `to`, renamed
/// `name`, and puts `files` (the generator's output) in its `src/generated_sdk/`, removing
/// any other file there.
pub(crate) fn client_crate(
    from: &Path,
    to: &Path,
    name: &str,
    files: &[stackai_codegen::GeneratedFile],
) -> Result<(), String> {
    let manifest = std::fs::read_to_string(from.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let manifest = manifest.replacen(
        "name = \"stackai-connections\"",
        &format!("name = \"{name}\""),
        1,
    );
    write_if_changed(&to.join("Cargo.toml"), manifest.as_bytes())?;
    let readme = std::fs::read(from.join("README.md")).map_err(|e| e.to_string())?;
    write_if_changed(&to.join("README.md"), &readme)?;
    for entry in std::fs::read_dir(from.join("src")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            let contents = std::fs::read(&path).map_err(|e| e.to_string())?;
            write_if_changed(
                &to.join("src").join(path.file_name().expect("a file")),
                &contents,
            )?;
        }
    }
    let sdk = to.join("src/generated_sdk");
    if let Ok(entries) = std::fs::read_dir(&sdk) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            if !files.iter().any(|f| name == f.name.as_str()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    for file in files {
        write_if_changed(&sdk.join(&file.name), file.contents.as_bytes())?;
    }
    Ok(())
}
