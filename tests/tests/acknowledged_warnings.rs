//! The project's document regenerates with no warning a maintainer has not acknowledged in
//! `openapi/overrides.json`, and every acknowledgement still matches a warning: `cargo
//! xtask regen` and `check` print nothing, and a new warning would show.

use std::path::Path;

use stackai_codegen::tools::acknowledge;
use stackai_codegen::tools::import::{Overrides, run_project};

#[test]
fn every_warning_of_the_document_is_acknowledged_and_every_acknowledgement_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let document = root.join("openapi/connections.json");
    let output =
        run_project(&document, "openapi/connections.json").unwrap_or_else(|e| panic!("{e}"));
    let overrides = Overrides::load_beside(&document).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !output.warnings.is_empty(),
        "the document has warnings to acknowledge"
    );
    let sorted = acknowledge::sort(&overrides.file, &output.warnings, &overrides.acknowledged);
    assert!(sorted.new.is_empty(), "unacknowledged: {:#?}", sorted.new);
    assert_eq!(sorted.acknowledged.len(), output.warnings.len());
    for (warning, reason) in &sorted.acknowledged {
        assert!(warning.pointer.ends_with("/patternProperties"), "{warning}");
        assert!(!reason.is_empty());
    }
}

#[test]
fn a_new_warning_is_shown_and_a_stale_acknowledgement_is_a_warning() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let document = root.join("openapi/connections.json");
    let output =
        run_project(&document, "openapi/connections.json").unwrap_or_else(|e| panic!("{e}"));
    let text = serde_json::json!([
        {"pointer": "/components/schemas/Resource/properties/user_metadata/patternProperties",
         "reason": "free-form map"},
        {"contains": "no such warning", "reason": "stale"}
    ]);
    let acks = acknowledge::parse(Path::new("overrides.json"), &text).unwrap();
    let sorted = acknowledge::sort(Path::new("overrides.json"), &output.warnings, &acks);
    assert_eq!(sorted.acknowledged.len(), 1);
    let new: Vec<String> = sorted.new.iter().map(|w| w.to_string()).collect();
    assert_eq!(new.len(), 2, "{new:#?}");
    assert!(new[0].contains("dataloader_metadata"), "{new:#?}");
    assert!(
        new[1].contains("`acknowledged/1` matches no warning"),
        "{new:#?}"
    );
}
