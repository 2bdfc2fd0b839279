//! Stage 3: hand the normalized document to progenitor and get Rust tokens back.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::error::{Error, push_pointer};

/// The client's total-request timeout, in seconds, written into the generated code. The
/// hand-written constructors in the client crate set their own; this only documents intent.
const TIMEOUT_SECS: u64 = 60;

/// Parses the normalized document as OpenAPI 3.0 and runs progenitor on it.
pub fn generate(file: &Path, document: &Value) -> Result<syn::File, Error> {
    let spec = parse_openapi(file, document)?;
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_timeout(TIMEOUT_SECS);

    // Normalization removes every shape progenitor is known to panic on; should a new one
    // turn up, the maintainer gets an error naming the document instead of a crash.
    let tokens = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings).generate_tokens(&spec)
    }))
    .map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        Error::new(
            file,
            "",
            format!("progenitor panicked on this document: {message}"),
        )
    })?
    .map_err(|e| Error::new(file, "", format!("progenitor rejected the document: {e}")))?;

    syn::parse2::<syn::File>(tokens).map_err(|e| {
        Error::new(
            file,
            "",
            format!("progenitor produced code that does not parse: {e}"),
        )
    })
}

fn parse_openapi(file: &Path, document: &Value) -> Result<openapiv3::OpenAPI, Error> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(document).map_err(|e| {
        let mut pointer = String::new();
        for segment in e.path().iter() {
            use serde_path_to_error::Segment;
            pointer = match segment {
                Segment::Seq { index } => push_pointer(&pointer, &index.to_string()),
                Segment::Map { key } => push_pointer(&pointer, key),
                Segment::Enum { .. } | Segment::Unknown => pointer,
            };
        }
        Error::new(
            file,
            pointer,
            format!("not a valid OpenAPI document: {}", e.inner()),
        )
    })
}
