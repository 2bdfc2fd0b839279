//! Errors and warnings about an input document.
//!
//! Every problem names the file, a JSON pointer into the document and what is wrong, so
//! that a maintainer can go straight to the offending line of a large document.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem that stops generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The document the problem is in.
    pub file: PathBuf,
    /// An RFC 6901 JSON pointer to the offending value ("" is the whole document).
    pub pointer: String,
    /// What is wrong, in words.
    pub message: String,
}

impl Error {
    pub(crate) fn new(file: &Path, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            file: file.to_path_buf(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: at {}: {}",
            self.file.display(),
            display_pointer(&self.pointer),
            self.message
        )
    }
}

impl std::error::Error for Error {}

/// Something the normalizer changed in a way that loses information; generation goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// An RFC 6901 JSON pointer to the value concerned.
    pub pointer: String,
    /// What was done, and why.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", display_pointer(&self.pointer), self.message)
    }
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// A JSON pointer under construction, escaped as RFC 6901 asks (`~` → `~0`, `/` → `~1`).
pub(crate) fn push_pointer(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        assert_eq!(
            push_pointer("/paths", "/connections/{id}"),
            "/paths/~1connections~1{id}"
        );
        assert_eq!(push_pointer("", "a~b"), "/a~0b");
    }
}
