//! Acknowledged warnings: the `acknowledged` entries of `openapi/overrides.json`.
//!
//! Some warnings repeat on every regen because the document will not change (the
//! `patternProperties` of `Resource.*_metadata`, whose key patterns the client does not
//! check). A maintainer acknowledges each one, with a reason, so that `regen` and `check`
//! print only what is new:
//!
//! ```json
//! "acknowledged": [
//!   {
//!     "pointer": "/components/schemas/Resource/properties/*/patternProperties",
//!     "contains": "key patterns are not checked",
//!     "reason": "metadata keys are whatever the provider sends; the server checks them"
//!   }
//! ]
//! ```
//!
//! An entry matches a warning when its `pointer` (a JSON pointer in which a `*` segment
//! stands for any one segment) and its `contains` (a fragment of the message) both match;
//! an entry needs at least one of the two, and a `reason`. An entry that matches no warning
//! is itself a warning: the document changed, and the acknowledgement should go.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Warning, push_pointer};

/// One acknowledged warning (or family of warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// The warning's pointer; a `*` segment matches any one segment.
    pub pointer: Option<String>,
    /// A fragment of the warning's message.
    pub contains: Option<String>,
    /// Why the warning needs no action.
    pub reason: String,
}

impl Acknowledgement {
    /// Whether this entry covers `warning`.
    pub fn matches(&self, warning: &Warning) -> bool {
        let pointer_ok = self
            .pointer
            .as_deref()
            .is_none_or(|p| pointer_matches(p, &warning.pointer));
        let text_ok = self
            .contains
            .as_deref()
            .is_none_or(|c| warning.message.contains(c));
        pointer_ok && text_ok
    }
}

fn pointer_matches(pattern: &str, pointer: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let pointer: Vec<&str> = pointer.split('/').collect();
    pattern.len() == pointer.len()
        && pattern
            .iter()
            .zip(&pointer)
            .all(|(want, got)| *want == "*" || want == got)
}

/// Reads the `acknowledged` section of an overrides file (`value` is at `/acknowledged`).
pub fn parse(file: &Path, value: &Value) -> Result<Vec<Acknowledgement>, Error> {
    let Some(entries) = value.as_array() else {
        return Err(Error::new(
            file,
            "/acknowledged",
            "must be an array of {\"pointer\", \"contains\", \"reason\"} entries",
        ));
    };
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let ptr = push_pointer("/acknowledged", &i.to_string());
        let Some(obj) = entry.as_object() else {
            return Err(Error::new(file, ptr, "an entry must be an object"));
        };
        let text = |key: &str| -> Result<Option<String>, Error> {
            match obj.get(key) {
                None => Ok(None),
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
                Some(_) => Err(Error::new(
                    file,
                    push_pointer(&ptr, key),
                    "must be a non-empty string",
                )),
            }
        };
        if let Some(key) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "pointer" | "contains" | "reason" | "$comment"))
        {
            return Err(Error::new(
                file,
                push_pointer(&ptr, key),
                "unknown key; expected `pointer`, `contains` or `reason`",
            ));
        }
        let pointer = text("pointer")?;
        if let Some(p) = &pointer
            && !p.starts_with('/')
        {
            return Err(Error::new(
                file,
                push_pointer(&ptr, "pointer"),
                "a JSON pointer starts with `/`",
            ));
        }
        let contains = text("contains")?;
        if pointer.is_none() && contains.is_none() {
            return Err(Error::new(
                file,
                ptr,
                "an entry needs a `pointer` or a `contains` to say which warnings it covers",
            ));
        }
        let Some(reason) = text("reason")? else {
            return Err(Error::new(
                file,
                ptr,
                "an entry needs a `reason`: why the warning needs no action",
            ));
        };
        out.push(Acknowledgement {
            pointer,
            contains,
            reason,
        });
    }
    Ok(out)
}

/// Warnings sorted by whether they were acknowledged.
#[derive(Debug, Clone, Default)]
pub struct Sorted {
    /// What the maintainer should read: warnings nobody acknowledged, and a warning for each
    /// acknowledgement that matched nothing.
    pub new: Vec<Warning>,
    /// Acknowledged warnings, each with the reason given (shown with `--verbose`).
    pub acknowledged: Vec<(Warning, String)>,
}

/// Sorts `warnings` by `acknowledgements` (read from `file`).
pub fn sort(file: &Path, warnings: &[Warning], acknowledgements: &[Acknowledgement]) -> Sorted {
    let mut sorted = Sorted::default();
    let mut used = vec![false; acknowledgements.len()];
    for warning in warnings {
        match acknowledgements.iter().position(|a| a.matches(warning)) {
            Some(i) => {
                used[i] = true;
                sorted
                    .acknowledged
                    .push((warning.clone(), acknowledgements[i].reason.clone()));
            }
            None => sorted.new.push(warning.clone()),
        }
    }
    for (i, ack) in acknowledgements.iter().enumerate() {
        if !used[i] {
            sorted.new.push(Warning {
                pointer: ack.pointer.clone().unwrap_or_default(),
                message: format!(
                    "{}: the entry `acknowledged/{i}` matches no warning; remove it",
                    file.display()
                ),
            });
        }
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn warning(pointer: &str, message: &str) -> Warning {
        Warning {
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    #[test]
    fn entries_match_by_pointer_pattern_and_text() {
        let file = Path::new("overrides.json");
        let acks = parse(
            file,
            &json!([
                {"pointer": "/components/schemas/R/properties/*/patternProperties", "reason": "r1"},
                {"contains": "webhooks", "reason": "r2"},
                {"pointer": "/gone", "reason": "r3"}
            ]),
        )
        .unwrap();
        let warnings = [
            warning(
                "/components/schemas/R/properties/a/patternProperties",
                "key patterns",
            ),
            warning(
                "/components/schemas/R/properties/b/patternProperties",
                "key patterns",
            ),
            warning("/webhooks", "webhooks are ignored"),
            warning(
                "/components/schemas/S/properties/a/patternProperties",
                "key patterns",
            ),
        ];
        let sorted = sort(file, &warnings, &acks);
        assert_eq!(sorted.acknowledged.len(), 3);
        assert_eq!(sorted.acknowledged[2].1, "r2");
        assert_eq!(sorted.new.len(), 2, "{:?}", sorted.new);
        assert_eq!(
            sorted.new[0].pointer,
            "/components/schemas/S/properties/a/patternProperties"
        );
        assert!(
            sorted.new[1]
                .message
                .contains("`acknowledged/2` matches no warning")
        );
    }

    #[test]
    fn entries_need_a_selector_and_a_reason() {
        let file = Path::new("overrides.json");
        let err = parse(file, &json!([{"reason": "x"}])).unwrap_err();
        assert_eq!(err.pointer, "/acknowledged/0");
        let err = parse(file, &json!([{"pointer": "/a"}])).unwrap_err();
        assert!(err.message.contains("`reason`"), "{err}");
        let err = parse(file, &json!([{"pointer": "a", "reason": "x"}])).unwrap_err();
        assert_eq!(err.pointer, "/acknowledged/0/pointer");
        let err = parse(file, &json!([{"pointer": "/a", "reason": "x", "why": 1}])).unwrap_err();
        assert_eq!(err.pointer, "/acknowledged/0/why");
        let err = parse(file, &json!({})).unwrap_err();
        assert_eq!(err.pointer, "/acknowledged");
    }
}
