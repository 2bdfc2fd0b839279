//! Keeping secrets out of `Debug` output, error messages and logs.

use serde_json::Value;

/// What a secret is replaced by.
pub const REDACTED: &str = "<redacted>";

/// Whether a JSON key holds a secret (compared without regard to case). The list comes
/// from the generator (`SECRET_FIELDS`), which also redacts those fields in `Debug`.
fn is_secret_key(key: &str) -> bool {
    crate::SECRET_FIELDS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(key))
}

/// Whether a header, query parameter or field name names a secret: a key of
/// `SECRET_FIELDS`, or a name that mentions auth, tokens, keys, secrets, passwords or
/// cookies (`Authorization`, `X-Api-Key`, `session_token`).
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    is_secret_key(name)
        || [
            "auth", "token", "key", "secret", "password", "cookie", "session",
        ]
        .iter()
        .any(|marker| lower.contains(marker))
}

/// Replaces the value of every secret key, at any depth.
pub(crate) fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if is_secret_key(key) {
                    *child = Value::String(REDACTED.into());
                } else {
                    redact_json(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// The start of a response body, safe to log: JSON has its secrets redacted (FastAPI's 422
/// echoes the request body in `input`); anything else is cut to `limit` bytes as text.
pub(crate) fn body_excerpt(body: &[u8], limit: usize) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(mut json) => {
            redact_json(&mut json);
            json.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    truncate(text, limit)
}

fn truncate(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// `Debug` of a value that must not be shown.
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_at_any_depth_and_long_bodies_cut() {
        let body = br#"{"detail":[{"input":{"name":"n","connection_provider_data":{"key":"k1"}},"Password":"p"}]}"#;
        let excerpt = body_excerpt(body, 1000);
        assert!(
            !excerpt.contains("k1") && !excerpt.contains("\"p\""),
            "{excerpt}"
        );
        assert!(excerpt.contains("\"name\":\"n\""));
        let long = body_excerpt("é".repeat(100).as_bytes(), 11);
        assert!(long.ends_with('…') && long.len() <= 11 + '…'.len_utf8());
    }
}
