//! The names Rust code may use, as the generated code's authors spell them: Rust's keywords,
//! and typify's `sanitize`, the rule that turns a schema or parameter name into the Rust
//! name typify and progenitor give it. `normalize` (method names), `passes` (the types a
//! pass refers to), `tools::import` (names a maintainer pins) and `tools::spec_diff` (the
//! Rust names a change touches) must all agree with the generated code, so they share this.

use heck::{ToPascalCase, ToSnakeCase};

/// Rust's strict and reserved keywords (2024 edition) that a snake_case name can spell.
pub(crate) const KEYWORDS: [&str; 51] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// The Rust name typify gives a schema name (`pascal`), and progenitor a parameter name:
/// heck's case conversion after replacing characters that cannot be in an identifier, a
/// letter before a leading digit, and a trailing `_` for keywords (typify's `sanitize`).
pub(crate) fn sanitize(input: &str, pascal: bool) -> String {
    let cleaned: String = input
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = if pascal {
        cleaned.to_pascal_case()
    } else {
        cleaned.to_snake_case()
    };
    if !out
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
    {
        out = format!("{}{out}", if pascal { "X" } else { "x" });
    }
    if KEYWORDS.contains(&out.as_str()) || out == "_" || out == "Self" {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitized_names() {
        assert_eq!(sanitize("HTTPValidationError", true), "HttpValidationError");
        assert_eq!(sanitize("CursorPage_Resource_", true), "CursorPageResource");
        assert_eq!(sanitize("job.accepted", true), "JobAccepted");
        assert_eq!(sanitize("Body_create_job", true), "BodyCreateJob");
        assert_eq!(sanitize("type", false), "type_");
        assert_eq!(sanitize("Self", true), "Self_");
        assert_eq!(sanitize("pageSize", false), "page_size");
        assert_eq!(sanitize("2fa", false), "x2fa");
    }
}
