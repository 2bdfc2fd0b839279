//! What `regen` says when the generated code needs an optional feature of the client crate
//! (`multipart`, for upload operations) that the crate it writes into does not turn on by
//! default: without it `cargo build` stops at the generated `compile_error!`, so regen names
//! the feature and the line to add.

use std::path::Path;

/// Prints the [`note`] for the crate that holds `output_dir` (relative to `root`), if any.
pub(crate) fn print_note(root: &Path, output_dir: &str, features: &[&str]) {
    if let Some(note) = note_for(root, output_dir, features) {
        eprintln!("note: {output_dir}: {note}");
    }
}

/// The [`note`] for the nearest crate above `output_dir`.
fn note_for(root: &Path, output_dir: &str, features: &[&str]) -> Option<String> {
    if features.is_empty() {
        return None;
    }
    let manifest_path = Path::new(output_dir)
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("Cargo.toml"))
        .find(|manifest| root.join(manifest).is_file())?;
    let manifest = std::fs::read_to_string(root.join(&manifest_path)).ok()?;
    note(&manifest_path.display().to_string(), &manifest, features)
}

/// The note for the crate whose manifest is `manifest` (its text; `manifest_path` names it,
/// relative to the repository root) when the generated code needs `features`; `None` when
/// its `default` features already hold them all.
pub(crate) fn note(manifest_path: &str, manifest: &str, features: &[&str]) -> Option<String> {
    let default = default_features(manifest);
    let missing: Vec<&str> = features
        .iter()
        .copied()
        .filter(|f| !default.iter().any(|d| d == f))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let package = package_name(manifest).unwrap_or("the-client-crate");
    let dir = Path::new(manifest_path)
        .parent()
        .map(|d| d.display().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| ".".into());
    let quoted = |list: &[&str]| {
        list.iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let names = missing
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut all_default: Vec<&str> = default.iter().map(String::as_str).collect();
    all_default.extend(&missing);
    let why = if missing == ["multipart"] {
        "this API has multipart/form-data (upload) operations, whose code"
    } else {
        "the generated code"
    };
    Some(format!(
        "{why} does not compile without the crate's {names} feature, which {manifest_path} \
         does not turn on by default. Turn it on where the crate is used:\n    \
         {package} = {{ path = \"{dir}\", features = [{}] }}\n  \
         or for every user, with this line in the [features] of {manifest_path}:\n    \
         default = [{}]",
        quoted(&missing),
        quoted(&all_default)
    ))
}

/// The `[package]`'s name.
fn package_name(manifest: &str) -> Option<&str> {
    section(manifest, "package")
        .find_map(|line| line.strip_prefix("name"))
        .and_then(|rest| rest.trim_start().strip_prefix('='))
        .map(|value| value.trim().trim_matches('"'))
}

/// The features of the `default = [...]` line of `[features]` (which may span lines).
fn default_features(manifest: &str) -> Vec<String> {
    let lines: Vec<&str> = section(manifest, "features").collect();
    let Some(start) = lines.iter().position(|l| {
        l.strip_prefix("default")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    }) else {
        return Vec::new();
    };
    let mut list = String::new();
    for line in &lines[start..] {
        // Comments end the line; a `#` inside a feature name does not happen.
        let line = line.split('#').next().unwrap_or_default();
        list.push_str(line);
        if line.contains(']') {
            break;
        }
    }
    let inside = list
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .map_or("", |(inside, _)| inside);
    inside
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

/// The lines of the table `[name]`, trimmed.
fn section<'a>(manifest: &'a str, name: &str) -> impl Iterator<Item = &'a str> {
    let header = format!("[{name}]");
    manifest
        .lines()
        .map(str::trim)
        .skip_while(move |l| *l != header)
        .skip(1)
        .take_while(|l| !l.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(crate_dir: &str) -> String {
        let path = super::super::repo_root().join(crate_dir).join("Cargo.toml");
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn the_connections_crate_does_not_turn_multipart_on() {
        let said = note(
            "generated/Cargo.toml",
            &manifest("generated"),
            &["multipart"],
        );
        assert_eq!(
            said.as_deref(),
            Some(
                "this API has multipart/form-data (upload) operations, whose code does not \
                 compile without the crate's `multipart` feature, which generated/Cargo.toml \
                 does not turn on by default. Turn it on where the crate is used:\n    \
                 stackai-connections = { path = \"generated\", features = [\"multipart\"] }\n  \
                 or for every user, with this line in the [features] of generated/Cargo.toml:\n    \
                 default = [\"rustls-ring\", \"multipart\"]"
            )
        );
        assert_eq!(
            note("generated/Cargo.toml", &manifest("generated"), &[]),
            None
        );
    }

    /// What `regen` prints for the crates it writes into: the corpus turns `multipart` on,
    /// the Connections crate does not.
    #[test]
    fn the_note_is_about_the_crate_regen_writes_into() {
        let root = super::super::repo_root();
        let connections = note_for(&root, "generated/src/generated_sdk", &["multipart"]);
        assert!(
            connections.as_deref().is_some_and(
                |n| n.contains("which generated/Cargo.toml does not turn on by default")
            ),
            "{connections:?}"
        );
        assert_eq!(note_for(&root, "generated/src/generated_sdk", &[]), None);
        assert_eq!(
            note_for(&root, "tests/corpus/src/generated_sdk", &["multipart"]),
            None
        );
    }

    #[test]
    fn the_corpus_crate_turns_multipart_on() {
        let corpus = manifest("tests/corpus");
        assert_eq!(default_features(&corpus), ["rustls-ring", "multipart"]);
        assert_eq!(
            note("tests/corpus/Cargo.toml", &corpus, &["multipart"]),
            None
        );
    }

    #[test]
    fn reads_a_default_list_over_several_lines() {
        let text = "[package]\nname = \"x\"\n\n[features]\ndefault = [\n  \"a\", # TLS\n  \"multipart\",\n]\nmultipart = []\n[dependencies]\nname = \"no\"\n";
        assert_eq!(default_features(text), ["a", "multipart"]);
        assert_eq!(package_name(text), Some("x"));
        assert_eq!(note("Cargo.toml", text, &["multipart"]), None);
        let text = text.replace("\"multipart\",", "");
        let said = note("Cargo.toml", &text, &["multipart"]).unwrap();
        assert!(
            said.contains("x = { path = \".\", features = [\"multipart\"] }")
                && said.ends_with("default = [\"a\", \"multipart\"]"),
            "{said}"
        );
    }
}
